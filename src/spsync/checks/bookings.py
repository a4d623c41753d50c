"""§5.2: booking validity (Urenregistratie -> ``BoekingStatus``).

Every check runs and every failed one is listed; one failure makes the booking ``Ongeldig``.
Only valid bookings count anywhere (hours, reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

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


@dataclass
class Booking:
    """One booking after the §5.2 checks."""

    item_id: int | None
    ref: str
    uren: float | None  # parsed hours, also for invalid bookings when readable
    datum: date | None  # local date
    project_id: int | None  # resolved Projecten item ID
    findings: list[Finding] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.findings

    @property
    def status(self) -> str | None:
        """BoekingStatus to write: 'Ongeldig' or None (empty = geldig)."""
        return None if self.valid else ONGELDIG


def check_bookings(bookings: ListInput, projects: ListInput, project_index: LookupIndex,
                   settings: CheckSettings, controledatum: date) -> list[Booking]:
    """Run every §5.2 check on every booking, in the order of the data-model table."""
    mode = settings.planjaar_mode
    fallback_pj = planjaar(controledatum, mode)
    project_pj = projects.parsed("Planjaar", parse_planjaar, mode)
    has_id_col = bookings.has("ProjectId")
    out: list[Booking] = []
    # Datum goes through ListInput.parsed: the same few hundred dates recur in every booking
    # list, and each distinct text is read once. Uren is read per booking below.
    rows = zip(bookings.ids, bookings.refs, bookings.col("Project"), bookings.col("ProjectId"),
               bookings.col("Uren"), bookings.parsed("Datum", parse_date, settings.timezone))
    for item_id, ref, project, project_id, uren_raw, datum in rows:
        found: list[Finding] = []

        def add(code: str, **kw: object) -> None:
            found.append(finding("urenregistratie", item_id, ref, code, **kw))

        # Project: PROJECT_LEEG / PROJECT_ONBEKEND
        res = project_index.resolve(project, project_id, has_id_col)
        if res.state == Resolved.EMPTY:
            add("PROJECT_LEEG")
        elif res.state == Resolved.UNKNOWN:
            add("PROJECT_ONBEKEND", wat=res.wat)

        # Uren: UREN_LEEG / UREN_ONLEESBAAR / UREN_NEGATIEF / UREN_NUL / UREN_TE_HOOG
        uren = parse_number(uren_raw)
        if uren.state == EMPTY:
            add("UREN_LEEG")
        elif uren.state == INVALID:
            add("UREN_ONLEESBAAR", waarde=uren.shown)
        elif uren.value < 0:
            add("UREN_NEGATIEF", waarde=format_number_nl(uren.value))
        elif uren.value == 0:
            add("UREN_NUL")
        elif uren.value > MAX_UREN_PER_DAG:
            add("UREN_TE_HOOG", waarde=format_number_nl(uren.value))

        # Datum: DATUM_LEEG / DATUM_ONGELDIG / DATUM_BUITEN_PLANJAAR / DATUM_IN_TOEKOMST
        if datum.state == EMPTY:
            add("DATUM_LEEG")
        elif datum.state == INVALID:
            add("DATUM_ONGELDIG", waarde=datum.shown)
        else:
            row = project_index.row(res.target_id)
            expected_pj = (project_pj[row] if row is not None else None) or fallback_pj
            if planjaar(datum.value, mode) != expected_pj:
                add("DATUM_BUITEN_PLANJAAR", datum=format_date_nl(datum.value),
                    planjaar=planjaar_label(expected_pj, mode))
            if datum.value > controledatum:
                add("DATUM_IN_TOEKOMST", datum=format_date_nl(datum.value))

        out.append(Booking(item_id, ref, uren.value, datum.value, res.target_id, found))
    return out
