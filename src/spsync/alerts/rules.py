"""The alert rules of DATA-MODEL §5.9, pure: a check result plus ledger facts in, a plan out.

``plan_alerts`` decides, for one controledatum, which alerts are due (missed slot, reminders,
hours, budget, escalation), to whom and over which channels, and which of the site's dedupe
columns change with them. It reads no clock, store or site: the shell passes the ledger's
state as :class:`LedgerFacts` and the working-day calendar as data, so the same inputs always
give the same plan and a second plan with the first one's facts applied is empty.

Two dedupe records are kept and each guards on its own: the state store's alert ledger (the
source of truth, keyed by ``dedupe_key``) and the site columns ``GemistGesignaleerdOp``,
``HerinneringVerzondenOp`` (Jaarkalender) and ``UrenSignaalStatus`` (Projecten), which staff
can see and which survive a lost state store. When the ledger knows a key the site column does
not show yet (a write-back that failed or has not happened), the plan repairs the column.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pandas as pd
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from spsync.alerts.model import KIND_ORDER, Alert, AlertKind, AlertLine, Recipient
from spsync.checks.normalise import is_empty, parse_date, parse_number
from spsync.checks.result import CheckResult, Finding
from spsync.checks.vocab import (
    BINNEN_BUDGET,
    BINNEN_UREN,
    BINNENKORT,
    GEMIST,
    IN_BESPREEKPERIODE,
    OVERSCHREDEN,
    RISICO,
)
from spsync.workdays import WorkCalendar

__all__ = ["AlertSettings", "LedgerFacts", "AlertPlan", "plan_alerts", "display_form_url",
           "dedupe_key", "REMINDER_START", "GEMIST_COLUMN", "HERINNERING_COLUMN",
           "UREN_SIGNAAL_COLUMN", "format_date_phrase", "format_euro", "plan_summary"]

#: The site's dedupe columns (model names; the cycle maps them to the site's names).
GEMIST_COLUMN = "GemistGesignaleerdOp"
HERINNERING_COLUMN = "HerinneringVerzondenOp"
UREN_SIGNAAL_COLUMN = "UrenSignaalStatus"
#: Stage label of the first reminder (the others are "<n>wd", n working days before the end).
REMINDER_START = "start"
#: Hours statuses that alert, in rising severity: an improvement is no news.
_UREN_SEVERITY = {RISICO: 1, OVERSCHREDEN: 2}


@dataclass(frozen=True)
class AlertSettings:
    """The tunables of the rules (from ``[alerts]`` and ``[rules]``)."""

    mt_mailbox: str | None = None
    mt_name: str = "MT"
    #: rule (AlertKind) -> channel names; a rule not listed uses ``default_channels``.
    channels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    default_channels: tuple[str, ...] = ("smtp",)
    reminder_workdays_before_end: tuple[int, ...] = (3,)
    escalation_workdays: int = 10
    #: The checks' "Binnenkort" window: when the first reminder becomes due at the latest.
    binnenkort_days: int = 14
    timezone: str = "Europe/Amsterdam"

    def channels_for(self, rule: AlertKind) -> tuple[str, ...]:
        return tuple(self.channels.get(rule, self.default_channels))

    @classmethod
    def from_config(cls, config: Any) -> AlertSettings:
        """From a :class:`spsync.config.Config` (``[alerts]``, plus ``[rules]`` for the
        Binnenkort window, the time zone and the legacy reminder offsets)."""
        alerts, rules = config.alerts, config.rules
        offsets = alerts.reminder_workdays_before_end
        if offsets is None:
            offsets = rules.reminder_days_before_end
        return cls(mt_mailbox=alerts.mt_mailbox, mt_name=alerts.mt_name,
                   channels={r: alerts.channels_for(r) for r in KIND_ORDER},
                   default_channels=tuple(alerts.default_channels),
                   reminder_workdays_before_end=tuple(offsets),
                   escalation_workdays=alerts.escalation_workdays,
                   binnenkort_days=rules.binnenkort_days, timezone=rules.timezone)


@dataclass(frozen=True)
class LedgerFacts:
    """What the state store knows, as plain data (built by ``dispatch.load_facts``).

    ``keys``: every dedupe key with a ledger row (pending, sent or failed) that is not closed;
    ``first_sent_at``: for missed-slot keys, when the first message went out.
    """

    keys: frozenset[str] = frozenset()
    first_sent_at: Mapping[str, datetime] = field(default_factory=dict)

    def has_key(self, key: str) -> bool:
        return key in self.keys

    def has_prefix(self, prefix: str) -> bool:
        # Asked once per project: a binary search in the sorted keys, not a scan of all of them.
        # The keys starting with ``prefix`` follow it directly in sorted order.
        keys = self._sorted_keys
        at = bisect_left(keys, prefix)
        return at < len(keys) and keys[at].startswith(prefix)

    @cached_property
    def _sorted_keys(self) -> list[str]:
        return sorted(self.keys)


@dataclass
class AlertPlan:
    """What one run should do about alerts.

    - ``alerts``: to record as intents (one per line x recipient x channel);
    - ``field_updates``: list key -> item ID -> {model column: new value}, for the dedupe
      columns only, in the form ``writeback.plan_updates`` compares and sends (an aware UTC
      ``datetime`` for the timestamps, text or None for ``UrenSignaalStatus``); merge them
      into the cycle's write-back with ``alerts.fields.merge_field_updates``;
    - ``findings``: Dutch, for the log and the report (no address, no MT mailbox);
    - ``close_prefixes``: ledger key prefixes to close (re-arm), ``store.close_keys``.
    """

    alerts: list[Alert] = field(default_factory=list)
    field_updates: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    close_prefixes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[AlertLine]:
        """The distinct lines, in plan order."""
        seen: dict[str, AlertLine] = {}
        for a in self.alerts:
            seen.setdefault(a.line.dedupe_key, a.line)
        return list(seen.values())

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(a.line.dedupe_key for a in self.alerts)

    def _set(self, list_key: str, item_id: int, column: str, value: Any) -> None:
        self.field_updates.setdefault(list_key, {}).setdefault(item_id, {})[column] = value


def dedupe_key(kind: str, list_key: str, item_id: int, *parts: object) -> str:
    """``"<kind>|<list>|<item>|<status or period>[|<stage>]"``."""
    return "|".join([kind, list_key, str(item_id), *(str(p) for p in parts)])


def display_form_url(site_url: str, list_title: str, item_id: int) -> str:
    """The item's display form, ``<web>/Lists/<list>/DispForm.aspx?ID=<id>``.

    SharePoint puts a list under ``Lists/<URL name>``; the URL name is the title the list was
    created with, which is the title unless it was renamed later (then pass the URL name)."""
    return f"{site_url.rstrip('/')}/Lists/{quote(list_title)}/DispForm.aspx?ID={item_id}"


def format_date_phrase(d: date) -> str:
    """'15 februari 2026'."""
    return format_date(d, "d MMMM y", locale="nl_NL")


def format_euro(amount: float) -> str:
    """'€ 47.250' for whole euros, '€ 47.250,50' otherwise."""
    if float(amount).is_integer():
        return format_currency(amount, "EUR", format="¤ #,##0", currency_digits=False,
                               locale="nl_NL")
    return format_currency(amount, "EUR", format="¤ #,##0.00", currency_digits=False,
                           locale="nl_NL")


def _hours(value: float) -> str:
    return format_decimal(value, format="#,##0.##", locale="nl_NL")


#: The Dutch article of each meeting (V7) for "in de ALV", "in het MT".
_ARTICLE = {"MT": "het", "OOGO": "het", "BOJ": "het", "ALV": "de", "Ledenraad": "de",
            "Auditcommissie": "de", "OPR": "de", "Deelnemersraad": "de"}


def _in_overleg(overleg: str) -> str:
    """'in de OPR', 'in het MT', 'bij de directeur-bestuurder'."""
    if overleg.lower() == "directeur-bestuurder":
        return "bij de directeur-bestuurder"
    article = _ARTICLE.get(overleg)
    return f"in {article} {overleg}" if article else f"in het overleg ({overleg})"


def _next_overleg(overleg: str) -> str:
    """'het eerstvolgende OPR-overleg'."""
    if overleg.lower() == "directeur-bestuurder":
        return "het eerstvolgende overleg met de directeur-bestuurder"
    return f"het eerstvolgende {overleg}-overleg"


def _text(value: Any) -> str | None:
    if is_empty(value):
        return None
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class _Ctx:
    """Everything one planning run shares."""

    settings: AlertSettings
    calendar: WorkCalendar
    site_url: str
    titles: Mapping[str, str]
    now: datetime
    today: date
    facts: LedgerFacts


class _Planner:
    def __init__(self, ctx: _Ctx, kinds: frozenset[str]) -> None:
        self.ctx = ctx
        self.kinds = kinds  # the rules that may run (the safety valve holds back the others)
        self.plan = AlertPlan()

    # --- helpers ------------------------------------------------------------------------

    def link(self, list_key: str, item_id: int) -> str:
        return display_form_url(self.ctx.site_url, self.ctx.titles.get(list_key, list_key),
                                item_id)

    def local_date(self, value: Any) -> date | None:
        parsed = parse_date(value, self.ctx.settings.timezone)
        return parsed.value if parsed.ok else None

    def owner(self, row: Mapping[str, Any]) -> tuple[str | None, Recipient | None]:
        name = _text(row.get("Eigenaar"))
        address = _text(row.get("EigenaarEMail"))
        if name is None or address is None:
            return name, None
        return name, Recipient(address.lower(), name)

    def mt(self) -> Recipient | None:
        mailbox = _text(self.ctx.settings.mt_mailbox)
        return None if mailbox is None else Recipient(mailbox.lower(), self.ctx.settings.mt_name)

    def emit(self, line: AlertLine, recipients: Iterable[Recipient]) -> None:
        channels = self.ctx.settings.channels_for(line.kind)
        unique: dict[str, Recipient] = {}
        for r in recipients:  # one per address, in order (the owner may be the MT mailbox)
            unique.setdefault(r.address, r)
        for r in unique.values():
            for channel in channels:
                self.plan.alerts.append(Alert(line, r, channel))

    def no_address(self, line: AlertLine, name: str | None) -> None:
        who = f"De eigenaar '{name}' heeft" if name else "Er is geen eigenaar ingevuld en dus"
        self.plan.findings.append(Finding(
            line.list_key, line.item_id, line.ref, "MELDING_ZONDER_ADRES",
            f"{who} geen e-mailadres; de melding '{_KIND_NL[line.kind]}' over '{line.title}' "
            "is niet aan de eigenaar verstuurd."))

    def no_mt(self, line: AlertLine) -> None:
        self.plan.findings.append(Finding(
            line.list_key, line.item_id, line.ref, "MT_MAILBOX_ONTBREEKT",
            f"Er is geen MT-mailbox ingesteld ([alerts] mt_mailbox); de melding "
            f"'{_KIND_NL[line.kind]}' over '{line.title}' gaat niet naar het MT."))

    # --- Jaarkalender ---------------------------------------------------------------------

    def jaarkalender(self, frame: pd.DataFrame) -> None:
        for row in frame.to_dict(orient="records"):
            status = row.get("KalenderStatus")
            eind = row.get("PeriodeEindDatum")
            if status not in (GEMIST, BINNENKORT, IN_BESPREEKPERIODE) or eind is None:
                continue
            item_id = int(row["ID"])
            if status == GEMIST:
                self.missed(row, item_id, eind)
            elif "herinnering" in self.kinds:
                self.reminder(row, item_id, row.get("PeriodeStartDatum"), eind, status)

    def missed(self, row: Mapping[str, Any], item_id: int, eind: date) -> None:
        c = self.ctx
        key = dedupe_key("gemist", "jaarkalender", item_id, eind.isoformat())
        signalled = self.local_date(row.get(GEMIST_COLUMN))
        # A timestamp from before this deadline belongs to an earlier (moved) deadline.
        site_done = signalled is not None and signalled > eind
        name, owner = self.owner(row)
        overleg = _text(row.get("Overleg")) or "Overig"
        title = _text(row.get("Title")) or f"Jaarkalender {item_id}"
        ref = f"Jaarkalender {item_id}"
        days = (c.today - eind).days
        if "gemist" in self.kinds and not c.facts.has_key(key) and not site_done:
            line = AlertLine(
                kind="gemist", dedupe_key=key, list_key="jaarkalender", item_id=item_id,
                ref=ref, title=title, owner=name,
                date_label=f"deadline was {format_date_phrase(eind)}", date=eind,
                figure=f"niet besproken {_in_overleg(overleg)}, {days} dagen na de deadline",
                link=self.link("jaarkalender", item_id),
                action=f"Plan het document in voor {_next_overleg(overleg)} en vul "
                       "'Besproken op' in.")
            recipients = [r for r in (owner, self.mt()) if r is not None]
            if owner is None:
                self.no_address(line, name)
            if self.mt() is None:
                self.no_mt(line)
            if recipients:
                self.emit(line, recipients)
                self.plan._set("jaarkalender", item_id, GEMIST_COLUMN, c.now)
            return
        if "gemist" in self.kinds and c.facts.has_key(key) and not site_done:  # repair
            self.plan._set("jaarkalender", item_id, GEMIST_COLUMN, c.now)
        if "escalatie" in self.kinds:
            self.escalation(row, item_id, eind, key, signalled if site_done else None,
                            (title, ref, name, overleg, days))

    def escalation(self, row: Mapping[str, Any], item_id: int, eind: date, missed_key: str,
                   signalled: date | None, info: tuple[str, str, str | None, str, int]) -> None:
        c = self.ctx
        key = dedupe_key("escalatie", "jaarkalender", item_id, eind.isoformat())
        if c.facts.has_key(key):
            return
        sent = c.facts.first_sent_at.get(missed_key)
        first = (sent.astimezone(ZoneInfo(c.settings.timezone)).date() if sent is not None
                 else signalled)
        if first is None:
            return
        due = c.calendar.add_workdays(first, c.settings.escalation_workdays)
        if c.today < due:
            return
        title, ref, name, overleg, days = info
        line = AlertLine(
            kind="escalatie", dedupe_key=key, list_key="jaarkalender", item_id=item_id,
            ref=ref, title=title, owner=name,
            date_label=f"deadline was {format_date_phrase(eind)}, eerste melding "
                       f"{format_date_phrase(first)}", date=eind,
            figure=f"{c.settings.escalation_workdays} werkdagen na de eerste melding nog steeds "
                   f"niet besproken ({days} dagen na de deadline)",
            link=self.link("jaarkalender", item_id),
            action=f"Bespreek dit met de eigenaar ({name or 'onbekend'}) en besluit: alsnog "
                   f"agenderen {_in_overleg(overleg)} of de regel laten vervallen "
                   "('Vervallen' = Ja).")
        mt = self.mt()
        if mt is None:
            self.no_mt(line)
            return
        self.emit(line, [mt])

    def reminder(self, row: Mapping[str, Any], item_id: int, start: date | None, eind: date,
                 status: str) -> None:
        c = self.ctx
        if start is None:
            return
        # The stages in date order: first reminder (from the Binnenkort window), then one per
        # offset, each due from n working days before PeriodeEind.
        stages = [(_days_before(start, c.settings.binnenkort_days), REMINDER_START)]
        stages += [(_workdays_before(c.calendar, eind, n), f"{n}wd")
                   for n in sorted(set(c.settings.reminder_workdays_before_end), reverse=True)]
        stages.sort(key=lambda s: s[0])
        labels = [label for _, label in stages]
        base = ("herinnering", "jaarkalender", item_id, eind.isoformat())
        # The start stage is due whenever the checks say Binnenkort/In bespreekperiode.
        due = max(i for i, (d, label) in enumerate(stages)
                  if label == REMINDER_START or d <= c.today)
        # A later stage implies the earlier ones ("two due in one run: one line, both recorded").
        ledger_done = max((i for i, label in enumerate(labels)
                           if c.facts.has_key(dedupe_key(*base, label))), default=-1)
        sent_on = self.local_date(row.get(HERINNERING_COLUMN))
        site_done = -1 if sent_on is None else max(
            (i for i, (d, _) in enumerate(stages) if d <= sent_on), default=-1)
        if due <= max(ledger_done, site_done):
            if ledger_done > site_done:  # repair the site's record
                self.plan._set("jaarkalender", item_id, HERINNERING_COLUMN, c.now)
            return
        name, owner = self.owner(row)
        overleg = _text(row.get("Overleg")) or "Overig"
        title = _text(row.get("Title")) or f"Jaarkalender {item_id}"
        if status == BINNENKORT:
            figure = (f"bespreekperiode begint over {(start - c.today).days} dagen "
                      f"({format_date_phrase(start)})")
        else:
            left = c.calendar.workdays_between(c.today, eind)
            figure = f"nog {left} werkdag{'en' if left != 1 else ''} tot de deadline"
        line = AlertLine(
            kind="herinnering", dedupe_key=dedupe_key(*base, labels[due]),
            list_key="jaarkalender", item_id=item_id, ref=f"Jaarkalender {item_id}",
            title=title, owner=name,
            date_label=f"bespreken {_in_overleg(overleg)} tussen {format_date_phrase(start)} en "
                       f"{format_date_phrase(eind)}", date=eind,
            figure=figure, link=self.link("jaarkalender", item_id),
            action=f"Zet het document {_in_overleg(overleg)} op de agenda vóór "
                   f"{format_date_phrase(eind)} en vul na de bespreking 'Besproken op' in.")
        if owner is None:
            self.no_address(line, name)
            return
        self.emit(line, [owner])
        self.plan._set("jaarkalender", item_id, HERINNERING_COLUMN, c.now)

    # --- Projecten ------------------------------------------------------------------------

    def projecten(self, frame: pd.DataFrame) -> None:
        for row in frame.to_dict(orient="records"):
            item_id = int(row["ID"])
            if "uren" in self.kinds:
                self.hours(row, item_id)
            if "budget" in self.kinds:
                self.budget(row, item_id)

    def _project_info(self, row: Mapping[str, Any], item_id: int) -> tuple[str, str, date | None]:
        ref = _text(row.get("ProjectCode")) or f"Projecten {item_id}"
        title = _text(row.get("Title")) or ref
        return ref, title, self.local_date(row.get("Einddatum"))

    def _period_phrase(self, end: date | None) -> str:
        if end is None:
            return "einddatum onbekend"
        verb = "liep" if end < self.ctx.today else "loopt"
        return f"project {verb} tot en met {format_date_phrase(end)}"

    def hours(self, row: Mapping[str, Any], item_id: int) -> None:
        c = self.ctx
        status = row.get("UrenStatus")
        prefix = dedupe_key("uren", "projecten", item_id) + "|"
        signalled = _text(row.get(UREN_SIGNAAL_COLUMN))
        if status == BINNEN_UREN:  # re-arm: back within the hours
            if c.facts.has_prefix(prefix):
                self.plan.close_prefixes.append(prefix)
            if signalled is not None:
                self.plan._set("projecten", item_id, UREN_SIGNAAL_COLUMN, None)
            return
        severity = _UREN_SEVERITY.get(status)
        if severity is None:
            return
        site_done = _UREN_SEVERITY.get(signalled or "", 0)
        ledger = [(s, st) for st, s in _UREN_SEVERITY.items() if c.facts.has_key(prefix + st)]
        ledger_done = max(ledger, default=(0, None))
        if severity <= max(site_done, ledger_done[0]):
            if ledger_done[0] > site_done:  # repair the site's record
                self.plan._set("projecten", item_id, UREN_SIGNAAL_COLUMN, ledger_done[1])
            return
        ref, title, end = self._project_info(row, item_id)
        name, owner = self.owner(row)
        geboekt = float(row.get("GeboekteUren") or 0.0)
        toegekend = row.get("ToegekendeUrenGetal")
        pct = row.get("VerbruikPct")
        figure = f"{_hours(geboekt)} van {_hours(float(toegekend or 0))} uur geboekt"
        if pct is not None:
            figure += f" ({format_decimal(pct, format='#,##0.0', locale='nl_NL')} %)"
        if status == OVERSCHREDEN:
            action = ("Overleg met je leidinggevende of er uren bij komen of het project wordt "
                      "bijgesteld, en boek pas weer uren als dat is afgesproken.")
        else:
            action = ("Ga na of de resterende uren tot het einde van het project volstaan en "
                      "vraag op tijd extra uren aan als dat niet zo is.")
        line = AlertLine(
            kind="uren", dedupe_key=prefix + status, list_key="projecten", item_id=item_id,
            ref=ref, title=title, owner=name, date_label=self._period_phrase(end), date=end,
            figure=f"{status}: {figure}", link=self.link("projecten", item_id), action=action)
        if owner is None:
            self.no_address(line, name)
            return
        self.emit(line, [owner])
        self.plan._set("projecten", item_id, UREN_SIGNAAL_COLUMN, status)

    def budget(self, row: Mapping[str, Any], item_id: int) -> None:
        c = self.ctx
        status = row.get("BudgetStatus")
        prefix = dedupe_key("budget", "projecten", item_id) + "|"
        if status == BINNEN_BUDGET:
            if c.facts.has_prefix(prefix):
                self.plan.close_prefixes.append(prefix)
            return
        if status != OVERSCHREDEN or c.facts.has_key(prefix + OVERSCHREDEN):
            return
        ref, title, end = self._project_info(row, item_id)
        name, owner = self.owner(row)
        begroot = parse_number(row.get("BegrootBedrag"))
        werkelijk = parse_number(row.get("WerkelijkeUitgave"))
        b = begroot.value if begroot.ok else 0.0
        w = werkelijk.value if werkelijk.ok else 0.0
        line = AlertLine(
            kind="budget", dedupe_key=prefix + OVERSCHREDEN, list_key="projecten",
            item_id=item_id, ref=ref, title=title, owner=name,
            date_label=self._period_phrase(end), date=end,
            figure=f"{format_euro(w)} van {format_euro(b)} uitgegeven",
            link=self.link("projecten", item_id),
            action=f"Licht de overschrijding van {format_euro(w - b)} toe en spreek met de "
                   "controller af hoe die wordt gedekt.")
        if owner is None:
            self.no_address(line, name)
            return
        self.emit(line, [owner])


_KIND_NL = {"gemist": "gemist overleg", "escalatie": "escalatie", "herinnering": "herinnering",
            "uren": "uren", "budget": "budget"}


def plan_alerts(result: CheckResult, facts: LedgerFacts, settings: AlertSettings,
                calendar: WorkCalendar | frozenset[date], *, site_url: str,
                list_titles: Mapping[str, str], now: datetime,
                blocked: Collection[str] = ()) -> AlertPlan:
    """The alerts due as of ``result.controledatum`` (DATA-MODEL §5.9), given what the ledger
    (``facts``) and the site's dedupe columns (in ``result``'s frames) already record.

    ``calendar`` is a :class:`WorkCalendar` or its non-working days as a frozenset; ``now`` is
    the aware instant written into the timestamp columns. ``blocked`` names the alert kinds the
    safety valve holds back (``valve.Verdict.blocked_alerts``): such a rule neither alerts nor
    writes its column nor re-arms (an emptied Urenregistratie makes every project "Binnen
    uren", which must not close the hours keys).
    """
    if not isinstance(calendar, WorkCalendar):
        calendar = WorkCalendar.from_days(calendar)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    ctx = _Ctx(settings, calendar, site_url, list_titles, now.astimezone(UTC),
               result.controledatum, facts)
    planner = _Planner(ctx, frozenset(KIND_ORDER) - frozenset(blocked))
    if result.jaarkalender is not None and "KalenderStatus" in result.jaarkalender.columns:
        planner.jaarkalender(result.jaarkalender)
    if result.projecten is not None and "UrenStatus" in result.projecten.columns:
        planner.projecten(result.projecten)
    return planner.plan


def plan_summary(plan: AlertPlan) -> list[str]:
    """Dutch lines for ``spsync alerts --dry-run``: per recipient and channel what would go out
    (one digest each), then the findings."""
    groups: dict[tuple[str, str, str], list[AlertLine]] = {}
    for a in plan.alerts:
        groups.setdefault((a.recipient.address, a.recipient.name, a.channel), []).append(a.line)
    out = []
    for (address, name, channel), lines in sorted(groups.items()):
        lines = sorted(lines, key=lambda x: (KIND_ORDER.index(x.kind), x.ref))
        items = "; ".join(f"{_KIND_NL[x.kind]} {x.ref}" for x in lines)
        out.append(f"Aan {name} <{address}> via {channel}: {len(lines)} "
                   f"regel{'s' if len(lines) != 1 else ''} ({items})")
    if not out:
        out.append("Er zijn geen nieuwe meldingen.")
    out += [f"Let op: {f.ref}: {f.message}" for f in plan.findings]
    return out


def _days_before(day: date, days: int) -> date:
    """``day - days``, or the first day there is when a nonsense date (0001-01-01, staff
    typing) has no earlier one: bad data must never stop a cycle."""
    try:
        return day - timedelta(days=days)
    except OverflowError:
        return date.min


def _workdays_before(calendar: Any, day: date, n: int) -> date:
    """``n`` working days before ``day``, clamped like :func:`_days_before`."""
    try:
        return calendar.add_workdays(day, -n)
    except (OverflowError, ValueError):
        return date.min
