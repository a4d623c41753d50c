"""The alert plan of the demo (real check results of the packaged demo CSVs, SharePoint-shaped).

README §4: on the first run at controledatum 2026-05-15 exactly 10 digests; a second run the
same day sends nothing. Later runs, each after the previous one was applied (site columns
written, ledger keys recorded and sent at 07:00 that day), derived by hand from
jaarkalender.csv and the Noord calendar (Hemelvaartsdag 14 May, Pinkstermaandag 25 May,
zomervakantie Noord 4 Jul - 16 Aug 2026):

2026-05-28 (Thu):
- J9 (MT, 1-31 May, kwaliteitsmedewerker, not discussed): In bespreekperiode; its first
  reminder went out on 15 May; 3 working days before Sun 31 May is Wed 27 May <= 28 May, so the
  second reminder ("3wd") is due -> 1 line.
- J12 (ALV, 1 May-30 Jun) and J17 (OPR, 25 May-30 Jun): first reminders done; 3 working days
  before Tue 30 Jun is Thu 25 Jun: not yet.
- J18 (ALV, 15 Jun-10 Jul): starts in 18 days > 14: Gepland. J10 (1-17 Jul): Gepland.
- J14, J19 Gemist since 15 May: escalation after 10 working days = Mon 1 Jun (25 May off): not
  yet. No other row has passed its deadline undiscussed.
- Projects: bookings end before 15 May and no end date passes, so every UrenStatus and
  BudgetStatus is as on 15 May and already signalled.
=> one digest: kwaliteitsmedewerker {herinnering J9}.

2026-06-15 (Mon):
- J9: deadline 31 May passed, not discussed: Gemist -> owner kwaliteitsmedewerker + MT.
- J14, J19: 1 Jun <= 15 Jun and still Gemist -> escalatie to the MT, once each.
- J18: 15 Jun is its PeriodeStart: In bespreekperiode -> first reminder to directeur-bestuurder
  (its "3wd" falls on Wed 1 Jul: 3 working days before Fri 10 Jul, in the zomervakantie).
- J12, J17: "3wd" on 25 Jun: not yet. J10: starts 1 Jul, 16 days away: Gepland.
=> three digests: MT {gemist J9, escalatie J14, escalatie J19}, kwaliteitsmedewerker
   {gemist J9}, directeur-bestuurder {herinnering J18}.
"""

from __future__ import annotations

from datetime import date

import pytest
from checks.csvframes import demo_tables_sharepoint

from spsync.alerts.rules import LedgerFacts

from .planning import MT, apply, check, digests, morning, plan_for

C = date(2026, 5, 15)

FIRST_RUN = {
    "coordinator.onderwijsjeugdhulp@swv-demo.example": {("uren", "P-2526-04"),
                                                        ("gemist", "Jaarkalender 19")},
    "teamleider.toeleiding@swv-demo.example": {("gemist", "Jaarkalender 14")},
    MT: {("gemist", "Jaarkalender 14"), ("gemist", "Jaarkalender 19")},
    "kwaliteitsmedewerker@swv-demo.example": {("uren", "P-2526-09"),
                                              ("herinnering", "Jaarkalender 9"),
                                              ("herinnering", "Jaarkalender 17")},
    "controller@swv-demo.example": {("herinnering", "Jaarkalender 12")},
    "beleidsmedewerker.1@swv-demo.example": {("uren", "P-2526-01")},
    "dataanalist@swv-demo.example": {("uren", "P-2526-08")},
    "orthopedagoog.1@swv-demo.example": {("uren", "S-2526-04")},
    "projectleider.2@swv-demo.example": {("uren", "SUB-2526-02")},
    "beleidsmedewerker.3@swv-demo.example": {("budget", "SUB-2526-01")},
}
ON_28_MAY = {"kwaliteitsmedewerker@swv-demo.example": {("herinnering", "Jaarkalender 9")}}
ON_15_JUNE = {
    MT: {("gemist", "Jaarkalender 9"), ("escalatie", "Jaarkalender 14"),
         ("escalatie", "Jaarkalender 19")},
    "kwaliteitsmedewerker@swv-demo.example": {("gemist", "Jaarkalender 9")},
    "directeurbestuurder@swv-demo.example": {("herinnering", "Jaarkalender 18")},
}


@pytest.fixture
def first():
    tables = demo_tables_sharepoint()
    plan = plan_for(check(tables, C))
    return tables, plan


def test_first_run_yields_the_ten_digests_of_the_readme(first):
    _tables, plan = first
    assert digests(plan) == FIRST_RUN
    assert {a.channel for a in plan.alerts} == {"smtp"}
    assert plan.findings == [] and plan.close_prefixes == []


def test_first_run_lines_say_what_and_where(first):
    _tables, plan = first
    by_key = {line.dedupe_key: line for line in plan.lines}
    budget = by_key["budget|projecten|15|Overschreden"]
    assert budget.figure == "€ 47.250 van € 45.000 uitgegeven"
    assert budget.owner == "beleidsmedewerker 3" and budget.ref == "SUB-2526-01"
    assert budget.link == "http://127.0.0.1:8765/sites/swv/Lists/Projecten/DispForm.aspx?ID=15"
    missed = by_key["gemist|jaarkalender|14|2026-02-15"]
    assert missed.title == "Voortgangsrapportage dekkend netwerk"
    assert missed.date == date(2026, 2, 15)
    assert missed.date_label == "deadline was 15 februari 2026"
    assert "89 dagen" in missed.figure
    assert missed.action == ("Plan het document in voor het eerstvolgende OPR-overleg en vul "
                             "'Besproken op' in.")
    assert missed.link.endswith("/Lists/Jaarkalender/DispForm.aspx?ID=14")
    hours = by_key["uren|projecten|4|Overschreden"]
    assert hours.figure == "Overschreden: 262,5 van 240 uur geboekt (109,4 %)"
    j9 = by_key["herinnering|jaarkalender|9|2026-05-31|start"]
    assert j9.figure == "nog 9 werkdagen tot de deadline"  # Pinkstermaandag is off
    j17 = by_key["herinnering|jaarkalender|17|2026-06-30|start"]
    assert "begint over 10 dagen" in j17.figure
    # The site's dedupe columns, in the form the write-back sends.
    now = morning(C)
    assert plan.field_updates["jaarkalender"] == {
        9: {"HerinneringVerzondenOp": now}, 12: {"HerinneringVerzondenOp": now},
        17: {"HerinneringVerzondenOp": now}, 14: {"GemistGesignaleerdOp": now},
        19: {"GemistGesignaleerdOp": now}}
    assert plan.field_updates["projecten"] == {
        1: {"UrenSignaalStatus": "Risico op overschrijding"},
        9: {"UrenSignaalStatus": "Risico op overschrijding"},
        4: {"UrenSignaalStatus": "Overschreden"}, 8: {"UrenSignaalStatus": "Overschreden"},
        13: {"UrenSignaalStatus": "Overschreden"}, 16: {"UrenSignaalStatus": "Overschreden"}}


def test_second_run_the_same_day_yields_nothing(first):
    tables, plan = first
    facts = apply(tables, LedgerFacts(), plan, morning(C))
    again = plan_for(check(tables, C), facts)
    assert again.alerts == [] and again.field_updates == {} and again.findings == []
    assert again.close_prefixes == []


@pytest.mark.parametrize("keep", ["ledger", "site"])
def test_either_record_alone_prevents_a_repeat(first, keep):
    """The ledger alone (site write failed) or the site alone (state store lost) is enough for
    the missed slot, reminders and hours; the ledger repairs the site columns."""
    tables, plan = first
    if keep == "ledger":
        facts = apply(demo_tables_sharepoint(), LedgerFacts(), plan, morning(C))
        again = plan_for(check(tables, C), facts)
        assert again.alerts == []
        assert again.field_updates == plan.field_updates  # the repair writes them now
    else:
        apply(tables, LedgerFacts(), plan, morning(C))
        again = plan_for(check(tables, C), LedgerFacts())
        # Only the budget alert lives in the ledger alone (DATA-MODEL §5.9).
        assert digests(again) == {"beleidsmedewerker.3@swv-demo.example":
                                  {("budget", "SUB-2526-01")}}


def test_later_runs_send_exactly_what_is_due(first):
    tables, plan = first
    facts = apply(tables, LedgerFacts(), plan, morning(C))
    d28 = date(2026, 5, 28)
    plan28 = plan_for(check(tables, d28), facts)
    assert digests(plan28) == ON_28_MAY
    assert [line.dedupe_key for line in plan28.lines] == [
        "herinnering|jaarkalender|9|2026-05-31|3wd"]
    facts = apply(tables, facts, plan28, morning(d28))
    d15 = date(2026, 6, 15)
    plan15 = plan_for(check(tables, d15), facts)
    assert digests(plan15) == ON_15_JUNE
    escalation = next(a.line for a in plan15.alerts if a.line.dedupe_key
                      == "escalatie|jaarkalender|14|2026-02-15")
    assert "eerste melding 15 mei 2026" in escalation.date_label
    facts = apply(tables, facts, plan15, morning(d15))
    assert plan_for(check(tables, d15), facts).alerts == []


def test_without_holidays_the_escalation_would_come_a_day_early(first):
    """29 May is the 10th weekday after 15 May, but only the 9th working day (25 May off)."""
    tables, plan = first
    facts = apply(tables, LedgerFacts(), plan, morning(C))
    d29 = date(2026, 5, 29)
    result = check(tables, d29)
    with_holidays = plan_for(result, facts)
    plain = plan_for(result, facts, calendar=frozenset())
    assert "escalatie" not in {a.line.kind for a in with_holidays.alerts}
    assert {a.line.ref for a in plain.alerts if a.line.kind == "escalatie"} == {
        "Jaarkalender 14", "Jaarkalender 19"}


def test_dry_run_summary_names_every_recipient(first):
    from spsync.alerts.rules import plan_summary
    _tables, plan = first
    lines = plan_summary(plan)
    assert len(lines) == 10
    assert ("Aan kwaliteitsmedewerker <kwaliteitsmedewerker@swv-demo.example> via smtp: 3 regels "
            "(herinnering Jaarkalender 17; herinnering Jaarkalender 9; uren P-2526-09)") in lines
    assert plan_summary(type(plan)()) == ["Er zijn geen nieuwe meldingen."]
