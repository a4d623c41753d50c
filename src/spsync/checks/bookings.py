"""§5.2: booking validity (Urenregistratie -> ``BoekingStatus``).

Every check runs and every failed one is listed; one failure makes the booking ``Ongeldig``.
Only valid bookings count anywhere (hours, reports).
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from .findings import finding
from .frames import ListInput, LookupIndex, Resolved
from .normalise import EMPTY, INVALID, format_number_nl, parse_date, parse_number
from .planjaar import format_date_nl, parse_planjaar, planjaar, planjaar_label
from .result import Finding
from .settings import CheckSettings
from .vocab import ONGELDIG

__all__ = ["MAX_UREN_PER_DAG", "Booking", "check_bookings"]

#: §2.3 / §5.2: a booking holds at most 24 hours (one person, one day).
MAX_UREN_PER_DAG = 24.0
_LIST = "urenregistratie"  # the findings of this module are about bookings


class Booking(NamedTuple):
    """One booking after the §5.2 checks.

    A named tuple of plain values (the findings a tuple too, empty for nearly every booking):
    the garbage collector stops tracking such a tuple, so 100,000 of them add nothing to its
    passes over the heap, which were a large share of a run.
    """

    item_id: int | None
    ref: str
    uren: float | None  # parsed hours, also for invalid bookings when readable
    datum: date | None  # local date
    project_id: int | None  # resolved Projecten item ID
    findings: tuple[Finding, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.findings

    @property
    def status(self) -> str | None:
        """BoekingStatus to write: 'Ongeldig' or None (empty = geldig)."""
        return ONGELDIG if self.findings else None


def check_bookings(bookings: ListInput, projects: ListInput, project_index: LookupIndex,
                   settings: CheckSettings, controledatum: date) -> list[Booking]:
    """Run every §5.2 check on every booking, in the order of the data-model table."""
    mode = settings.planjaar_mode
    fallback_pj = planjaar(controledatum, mode)
    project_pj = projects.parsed("Planjaar", parse_planjaar, mode)
    has_id_col = bookings.has("ProjectId")
    out: list[Booking] = []
    # Uren and Datum go through ListInput.parsed: the same few hours and few hundred dates
    # recur in every booking list, and each distinct value is read once; so is the planjaar
    # of each distinct date. A booking's expected planjaar is its project's (or C's).
    resolved = project_index.resolve_all(bookings.col("Project"), bookings.col("ProjectId"),
                                         has_id_col)
    rows = zip(bookings.ids, bookings.refs, resolved, bookings.parsed("Uren", parse_number),
               bookings.parsed("Datum", parse_date, settings.timezone))
    expected_of = {item_id: project_pj[pos] or fallback_pj
                   for item_id, pos in project_index.by_id.items()}
    planjaar_of: dict[date, str] = {}
    for item_id, ref, res, uren, datum in rows:
        found: list[Finding] = []

        # Project: PROJECT_LEEG / PROJECT_ONBEKEND
        if res.state == Resolved.EMPTY:
            found.append(finding(_LIST, item_id, ref, "PROJECT_LEEG"))
        elif res.state == Resolved.UNKNOWN:
            found.append(finding(_LIST, item_id, ref, "PROJECT_ONBEKEND", wat=res.wat))

        # Uren: UREN_LEEG / UREN_ONLEESBAAR / UREN_NEGATIEF / UREN_NUL / UREN_TE_HOOG
        if uren.state == EMPTY:
            found.append(finding(_LIST, item_id, ref, "UREN_LEEG"))
        elif uren.state == INVALID:
            found.append(finding(_LIST, item_id, ref, "UREN_ONLEESBAAR", waarde=uren.shown))
        elif uren.value < 0:
            found.append(finding(_LIST, item_id, ref, "UREN_NEGATIEF",
                                 waarde=format_number_nl(uren.value)))
        elif uren.value == 0:
            found.append(finding(_LIST, item_id, ref, "UREN_NUL"))
        elif uren.value > MAX_UREN_PER_DAG:
            found.append(finding(_LIST, item_id, ref, "UREN_TE_HOOG",
                                 waarde=format_number_nl(uren.value)))

        # Datum: DATUM_LEEG / DATUM_ONGELDIG / DATUM_BUITEN_PLANJAAR / DATUM_IN_TOEKOMST
        if datum.state == EMPTY:
            found.append(finding(_LIST, item_id, ref, "DATUM_LEEG"))
        elif datum.state == INVALID:
            found.append(finding(_LIST, item_id, ref, "DATUM_ONGELDIG", waarde=datum.shown))
        else:
            day = datum.value
            expected_pj = expected_of.get(res.target_id, fallback_pj)  # type: ignore[arg-type]
            pj = planjaar_of.get(day)
            if pj is None:
                pj = planjaar_of[day] = planjaar(day, mode)
            if pj != expected_pj:
                found.append(finding(_LIST, item_id, ref, "DATUM_BUITEN_PLANJAAR",
                                     datum=format_date_nl(day),
                                     planjaar=planjaar_label(expected_pj, mode)))
            if day > controledatum:
                found.append(finding(_LIST, item_id, ref, "DATUM_IN_TOEKOMST",
                                     datum=format_date_nl(day)))

        out.append(Booking(item_id, ref, uren.value, datum.value, res.target_id,
                           tuple(found) if found else ()))
    return out
