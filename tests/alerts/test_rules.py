"""The alert rules of DATA-MODEL §5.9, one case per row, over real check results of small
hand-made lists (CSV-shaped, with the site's dedupe columns where a case needs them)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from checks.builders import calendar_row, project, tbl

from spsync.alerts.rules import AlertSettings, LedgerFacts, display_form_url, format_euro
from spsync.checks import Tables

from .planning import MT, SETTINGS, check, morning, plan_for

C = date(2026, 5, 15)
OWNER = "e@x.example"
J = "jaarkalender|1"
P = "projecten|1"


def utc(day: date) -> str:
    """A timestamp as the site returns it (07:00 Amsterdam = 05:00 UTC in summer)."""
    return f"{day.isoformat()}T05:00:00Z"


def facts(*keys: str, sent: dict[str, date] | None = None) -> LedgerFacts:
    return LedgerFacts(frozenset(keys), {k: datetime(d.year, d.month, d.day, 5, tzinfo=UTC)
                                         for k, d in (sent or {}).items()})


# (case, calendar row overrides, ledger facts, controledatum, {(key, recipient)}, field updates)
CALENDAR_CASES = [
    ("missed, first run: owner and MT", {}, facts(), C,
     {(f"gemist|{J}|2026-04-30", OWNER), (f"gemist|{J}|2026-04-30", MT)},
     {"GemistGesignaleerdOp"}),
    ("missed, site column set after the deadline", {"GemistGesignaleerdOp": utc(date(2026, 5, 4))},
     facts(), C, set(), set()),
    ("missed, site column from an earlier deadline (moved)",
     {"GemistGesignaleerdOp": utc(date(2026, 3, 2))}, facts(), C,
     {(f"gemist|{J}|2026-04-30", OWNER), (f"gemist|{J}|2026-04-30", MT)},
     {"GemistGesignaleerdOp"}),
    ("missed, in the ledger only: no alert, the site column is repaired", {},
     facts(f"gemist|{J}|2026-04-30", sent={f"gemist|{J}|2026-04-30": C}), C, set(),
     {"GemistGesignaleerdOp"}),
    ("escalation after 10 working days (15 May + 10 = 1 Jun, 25 May off)",
     {"GemistGesignaleerdOp": utc(C)},
     facts(f"gemist|{J}|2026-04-30", sent={f"gemist|{J}|2026-04-30": C}), date(2026, 6, 1),
     {(f"escalatie|{J}|2026-04-30", MT)}, set()),
    ("no escalation on the 9th working day", {"GemistGesignaleerdOp": utc(C)},
     facts(f"gemist|{J}|2026-04-30", sent={f"gemist|{J}|2026-04-30": C}), date(2026, 5, 29),
     set(), set()),
    ("escalation from the site column when the ledger has no send time",
     {"GemistGesignaleerdOp": utc(C)}, facts(), date(2026, 6, 1),
     {(f"escalatie|{J}|2026-04-30", MT)}, set()),
    ("escalated before: never again", {"GemistGesignaleerdOp": utc(C)},
     facts(f"gemist|{J}|2026-04-30", f"escalatie|{J}|2026-04-30",
           sent={f"gemist|{J}|2026-04-30": C}), date(2026, 7, 1), set(), set()),
    ("first reminder when Binnenkort", {"PeriodeStart": "2026-05-25", "PeriodeEind": "2026-06-30"},
     facts(), C, {(f"herinnering|{J}|2026-06-30|start", OWNER)}, {"HerinneringVerzondenOp"}),
    ("first reminder when In bespreekperiode", {"PeriodeStart": "2026-05-01",
                                                "PeriodeEind": "2026-05-31"},
     facts(), C, {(f"herinnering|{J}|2026-05-31|start", OWNER)}, {"HerinneringVerzondenOp"}),
    ("Gepland: no reminder yet", {"PeriodeStart": "2026-06-01", "PeriodeEind": "2026-06-30"},
     facts(), C, set(), set()),
    ("first reminder sent, second not yet due (due 27 May)",
     {"PeriodeStart": "2026-05-01", "PeriodeEind": "2026-05-31"},
     facts(f"herinnering|{J}|2026-05-31|start"), date(2026, 5, 26), set(),
     {"HerinneringVerzondenOp"}),
    ("second reminder 3 working days before the end",
     {"PeriodeStart": "2026-05-01", "PeriodeEind": "2026-05-31",
      "HerinneringVerzondenOp": utc(C)},
     facts(f"herinnering|{J}|2026-05-31|start"), date(2026, 5, 27),
     {(f"herinnering|{J}|2026-05-31|3wd", OWNER)}, {"HerinneringVerzondenOp"}),
    ("both due in one run: one line, the later stage (it implies the first)",
     {"PeriodeStart": "2026-05-01", "PeriodeEind": "2026-05-31"}, facts(), date(2026, 5, 28),
     {(f"herinnering|{J}|2026-05-31|3wd", OWNER)}, {"HerinneringVerzondenOp"}),
    ("second reminder already recorded on the site only",
     {"PeriodeStart": "2026-05-01", "PeriodeEind": "2026-05-31",
      "HerinneringVerzondenOp": utc(date(2026, 5, 27))}, facts(), date(2026, 5, 29), set(),
     set()),
    ("first reminder recorded on the site only", {
        "PeriodeStart": "2026-05-01", "PeriodeEind": "2026-05-31",
        "HerinneringVerzondenOp": utc(date(2026, 5, 4))}, facts(), C, set(), set()),
    ("a reminder of an earlier period does not count", {
        "PeriodeStart": "2026-05-01", "PeriodeEind": "2026-05-31",
        "HerinneringVerzondenOp": utc(date(2026, 1, 5))}, facts(), C,
     {(f"herinnering|{J}|2026-05-31|start", OWNER)}, {"HerinneringVerzondenOp"}),
    ("discussed: nothing", {"BesprokenOp": "2026-04-20"}, facts(), C, set(), set()),
    ("vervallen: nothing", {"Vervallen": "Ja"}, facts(), C, set(), set()),
]


@pytest.mark.parametrize(("case", "row", "ledger", "c", "expected", "fields"), CALENDAR_CASES,
                         ids=[c[0] for c in CALENDAR_CASES])
def test_calendar_rules(case, row, ledger, c, expected, fields):
    plan = plan_for(check(Tables(jaarkalender=tbl(calendar_row(**row))), c), ledger)
    assert {(a.line.dedupe_key, a.recipient.address) for a in plan.alerts} == expected, case
    assert set(plan.field_updates.get("jaarkalender", {}).get(1, {})) == fields
    assert plan.findings == []


# (case, project overrides, UrenSignaalStatus on the site, ledger, expected keys, new signal
#  column value or "-" when untouched, closed prefixes)
HOURS_CASES = [
    ("risk, first time", {"ToegekendeUren": "10"}, None, facts(),
     {f"uren|{P}|Risico op overschrijding"}, "Risico op overschrijding", []),
    ("risk, signalled on the site", {"ToegekendeUren": "10"}, "Risico op overschrijding",
     facts(), set(), "-", []),
    ("risk, in the ledger only: repair the column", {"ToegekendeUren": "10"}, None,
     facts(f"uren|{P}|Risico op overschrijding"), set(), "Risico op overschrijding", []),
    ("over after risk: alert again", {"ToegekendeUren": "8"}, "Risico op overschrijding",
     facts(f"uren|{P}|Risico op overschrijding"), {f"uren|{P}|Overschreden"},
     "Overschreden", []),
    ("back from over to risk: no news", {"ToegekendeUren": "10"}, "Overschreden",
     facts(f"uren|{P}|Overschreden"), set(), "-", []),
    ("within hours again: re-arm", {"ToegekendeUren": "100"}, "Overschreden",
     facts(f"uren|{P}|Overschreden"), set(), None, [f"uren|{P}|"]),
    ("within hours, nothing signalled: nothing", {"ToegekendeUren": "100"}, None, facts(), set(),
     "-", []),
    ("no hours granted: neither alert nor re-arm", {"ToegekendeUren": None}, "Overschreden",
     facts(f"uren|{P}|Overschreden"), set(), "-", []),
]


@pytest.mark.parametrize(("case", "proj", "signal", "ledger", "expected", "column", "closed"),
                         HOURS_CASES, ids=[c[0] for c in HOURS_CASES])
def test_hours_rules(case, proj, signal, ledger, expected, column, closed):
    from checks.builders import booking
    tables = Tables(projecten=tbl(project(UrenSignaalStatus=signal, **proj)),
                    urenregistratie=tbl(booking(Uren="9", Datum="2026-03-10")))
    plan = plan_for(check(tables, C), ledger)
    assert {a.line.dedupe_key for a in plan.alerts} == expected, case
    updates = plan.field_updates.get("projecten", {}).get(1, {})
    if column == "-":
        assert "UrenSignaalStatus" not in updates
    else:
        assert updates == {"UrenSignaalStatus": column}
    assert plan.close_prefixes == closed
    assert all(a.recipient.address == OWNER for a in plan.alerts)


BUDGET_CASES = [
    ("over budget, first time", {"BegrootBedrag": "45000", "WerkelijkeUitgave": "47250"},
     facts(), {f"budget|{P}|Overschreden"}, []),
    ("over budget, in the ledger", {"BegrootBedrag": "45000", "WerkelijkeUitgave": "47250"},
     facts(f"budget|{P}|Overschreden"), set(), []),
    ("within budget again: re-arm", {"BegrootBedrag": "50000", "WerkelijkeUitgave": "47250"},
     facts(f"budget|{P}|Overschreden"), set(), [f"budget|{P}|"]),
    ("p.m.: nothing", {"BudgetPM": "Ja", "WerkelijkeUitgave": "47250"},
     facts(f"budget|{P}|Overschreden"), set(), []),
]


@pytest.mark.parametrize(("case", "proj", "ledger", "expected", "closed"), BUDGET_CASES,
                         ids=[c[0] for c in BUDGET_CASES])
def test_budget_rules(case, proj, ledger, expected, closed):
    plan = plan_for(check(Tables(projecten=tbl(project(**proj))), C), ledger)
    assert {a.line.dedupe_key for a in plan.alerts} == expected, case
    assert plan.close_prefixes == closed
    assert "projecten" not in plan.field_updates  # the budget alert has no site column


def test_budget_line_in_dutch_money():
    plan = plan_for(check(Tables(projecten=tbl(project(
        BegrootBedrag="45000", WerkelijkeUitgave="47250.5"))), C))
    (line,) = plan.lines
    assert line.figure == "€ 47.250,50 van € 45.000 uitgegeven"
    assert "€ 2.250,50" in line.action
    assert format_euro(1912) == "€ 1.912"


def test_owner_without_address_is_a_finding_and_the_mt_still_hears():
    row = calendar_row(EigenaarEMail=None, Eigenaar="teamleider toeleiding")
    plan = plan_for(check(Tables(jaarkalender=tbl(row)), C))
    assert {a.recipient.address for a in plan.alerts} == {MT}
    (finding,) = plan.findings
    assert finding.code == "MELDING_ZONDER_ADRES" and finding.item_id == 1
    assert finding.ref == "Jaarkalender 1"
    assert "'teamleider toeleiding' heeft geen e-mailadres" in finding.message


def test_reminder_to_an_owner_without_address_is_not_recorded():
    row = calendar_row(EigenaarEMail=None, PeriodeStart="2026-05-01", PeriodeEind="2026-05-31")
    plan = plan_for(check(Tables(jaarkalender=tbl(row)), C))
    assert plan.alerts == [] and plan.field_updates == {}
    assert [f.code for f in plan.findings] == ["MELDING_ZONDER_ADRES"]


def test_missing_mt_mailbox_is_a_finding():
    no_mt = dataclasses.replace(SETTINGS, mt_mailbox=None)
    plan = plan_for(check(Tables(jaarkalender=tbl(calendar_row())), C), settings=no_mt)
    assert {a.recipient.address for a in plan.alerts} == {OWNER}
    assert [f.code for f in plan.findings] == ["MT_MAILBOX_ONTBREEKT"]
    assert "[alerts] mt_mailbox" in plan.findings[0].message
    # An escalation without an MT mailbox is not recorded, so it goes out once one is set.
    late = plan_for(check(Tables(jaarkalender=tbl(calendar_row(
        GemistGesignaleerdOp=utc(C)))), date(2026, 6, 5)), settings=no_mt)
    assert late.alerts == [] and [f.code for f in late.findings] == ["MT_MAILBOX_ONTBREEKT"]


def test_channels_per_rule():
    settings = AlertSettings(mt_mailbox=MT, channels={"gemist": ("smtp", "signalen")},
                             default_channels=("graph",))
    tables = Tables(jaarkalender=tbl(calendar_row(), calendar_row(
        ID=2, PeriodeStart="2026-05-01", PeriodeEind="2026-05-31")))
    plan = plan_for(check(tables, C), settings=settings)
    got = sorted((a.line.kind, a.recipient.address, a.channel) for a in plan.alerts)
    assert got == [("gemist", OWNER, "signalen"), ("gemist", OWNER, "smtp"),
                   ("gemist", MT, "signalen"), ("gemist", MT, "smtp"),
                   ("herinnering", OWNER, "graph")]


def test_settings_from_config():
    from spsync.config import config_from_dict
    config = config_from_dict({"site": {"url": "http://x"}, "rules": {"binnenkort_days": 7},
                               "alerts": {"mt_mailbox": "MT@x.example", "escalation_workdays": 5,
                                          "default_channels": ["outbox"],
                                          "rule_channels": {"uren": ["teams"]}}})
    s = AlertSettings.from_config(config)
    assert s.channels_for("uren") == ("teams",) and s.channels_for("gemist") == ("outbox",)
    assert s.escalation_workdays == 5 and s.binnenkort_days == 7
    assert s.reminder_workdays_before_end == (3,)  # from [rules] when [alerts] is silent


def test_an_owner_address_is_lower_cased_and_the_same_person_gets_one_alert():
    row = calendar_row(EigenaarEMail="MT@swv-demo.example", Eigenaar="MT (groepsmailbox)")
    plan = plan_for(check(Tables(jaarkalender=tbl(row)), C))
    assert [(a.recipient.address, a.line.kind) for a in plan.alerts] == [(MT, "gemist")]


def test_display_form_url_quotes_the_list():
    assert display_form_url("https://t.sharepoint.com/sites/swv/", "Mijn lijst", 7) == (
        "https://t.sharepoint.com/sites/swv/Lists/Mijn%20lijst/DispForm.aspx?ID=7")


def test_the_plan_is_pure_and_repeatable():
    tables = Tables(jaarkalender=tbl(calendar_row()), projecten=tbl(project(
        BegrootBedrag="1", WerkelijkeUitgave="2")))
    result = check(tables, C)
    assert plan_for(result) == plan_for(result)
    assert morning(C).tzinfo is not None


def test_the_owner_who_is_the_mt_mailbox_gets_one_alert_whatever_the_names():
    row = calendar_row(EigenaarEMail="mt@swv-demo.example", Eigenaar="Managementteam")
    plan = plan_for(check(Tables(jaarkalender=tbl(row)), C))
    assert [a.recipient for a in plan.alerts] == [
        type(plan.alerts[0].recipient)(MT, "Managementteam")]


def test_blocked_lists_neither_alert_nor_re_arm():
    """The safety valve: an emptied Urenregistratie makes every project 'Binnen uren'; that
    must not clear UrenSignaalStatus or close the hours keys, and no hours alert goes out."""
    from checks.builders import booking
    tables = Tables(
        projecten=tbl(project(UrenSignaalStatus="Overschreden", ToegekendeUren="100",
                              BegrootBedrag="1", WerkelijkeUitgave="2"),
                      project(ID=2, ProjectCode="P-2", ToegekendeUren="5")),
        urenregistratie=tbl(booking(Project="P-2", Uren="9")),
        jaarkalender=tbl(calendar_row()))
    result = check(tables, C)
    ledger = facts(f"uren|{P}|Overschreden")
    full = plan_for(result, ledger)
    assert full.close_prefixes == [f"uren|{P}|"]
    assert {a.line.kind for a in full.alerts} == {"gemist", "uren", "budget"}
    from spsync.alerts.model import KIND_ORDER
    from spsync.alerts.rules import plan_alerts

    from .planning import CALENDAR, SITE, TITLES
    held = plan_alerts(result, ledger, SETTINGS, CALENDAR, site_url=SITE, list_titles=TITLES,
                       now=morning(C), blocked={"uren", "gemist", "escalatie", "herinnering"})
    assert held.close_prefixes == [] and "projecten" not in held.field_updates
    assert {a.line.kind for a in held.alerts} == {"budget"}
    nothing = plan_alerts(result, ledger, SETTINGS, CALENDAR, site_url=SITE, list_titles=TITLES,
                          now=morning(C), blocked=set(KIND_ORDER))
    assert nothing.alerts == [] and nothing.field_updates == {} and nothing.close_prefixes == []


def test_has_prefix_is_a_scan_for_a_key_starting_with_it():
    import random

    rnd = random.Random(5)
    keys = {f"{k}|projecten|{rnd.randint(1, 300)}|{s}" for k in ("uren", "budget")
            for s in ("Overschreden", "Risico op overschrijding") for _ in range(200)}
    keys |= {"", "uren", "uren|", "urenx|projecten|1|"}
    facts = LedgerFacts(frozenset(keys))
    prefixes = [f"{k}|projecten|{i}|" for k in ("uren", "budget", "gemist") for i in range(320)]
    prefixes += ["", "u", "uren", "uren|", "urenx", "zzz", "uren|projecten|1"]
    for prefix in prefixes:
        assert facts.has_prefix(prefix) is any(k.startswith(prefix) for k in keys), prefix
    assert LedgerFacts().has_prefix("") is False
