"""§5.3 UrenStatus rows 1-4 with the assumptions, and §5.4 BudgetStatus rows 1-4."""

from __future__ import annotations

from datetime import date

import pytest

from spsync.checks import CheckSettings
from spsync.checks.hours import (
    ProjectHours,
    forecast_hours,
    forecast_overrun_date,
    is_running,
    uren_status,
)
from spsync.checks.money import Money, budget_status

from .builders import booking, project, run, tbl


def ph(toegekend, geboekt, running=True):
    return ProjectHours(1, "P-1", toegekend, geboekt, running)


@pytest.mark.parametrize(("toegekend", "geboekt", "running", "status"), [
    # 1. ToegekendeUren empty or 0 -> Geen uren toegekend
    (None, 0.0, True, "Geen uren toegekend"),
    (None, 21.0, True, "Geen uren toegekend"),
    (0.0, 5.0, False, "Geen uren toegekend"),
    # 2. Geboekt > Toegekend -> Overschreden (running or not)
    (100.0, 100.25, True, "Overschreden"),
    (100.0, 101.0, False, "Overschreden"),
    # 3. running and Geboekt >= 90 % -> Risico op overschrijding; equal counts as within
    (100.0, 90.0, True, "Risico op overschrijding"),
    (100.0, 100.0, True, "Risico op overschrijding"),
    # 4. otherwise -> Binnen uren (below 90 %, or finished: no risk after the end)
    (100.0, 89.75, True, "Binnen uren"),
    (64.0, 62.0, False, "Binnen uren"),
    (100.0, 100.0, False, "Binnen uren"),
    (100.0, 0.0, True, "Binnen uren"),
])
def test_urenstatus_table(toegekend, geboekt, running, status):
    assert uren_status(ph(toegekend, geboekt, running), CheckSettings()) == status


@pytest.mark.parametrize(("threshold", "geboekt", "status"), [
    (80.0, 80.0, "Risico op overschrijding"),
    (80.0, 79.5, "Binnen uren"),
    (95.0, 92.0, "Binnen uren"),
])
def test_risk_threshold_is_configurable(threshold, geboekt, status):
    assert uren_status(ph(100.0, geboekt), CheckSettings(risk_threshold_pct=threshold)) == status


@pytest.mark.parametrize(("einde", "projectstatus", "running"), [
    (date(2026, 5, 15), "Lopend", True),  # Einddatum >= controledatum
    (date(2026, 5, 14), "Lopend", False),
    (date(2026, 7, 31), "Afgerond", False),
    (date(2026, 7, 31), "Gestopt", False),
    (date(2026, 7, 31), "Gepland", True),
    (None, "Lopend", True),
])
def test_running(einde, projectstatus, running):
    assert is_running(einde, projectstatus, date(2026, 5, 15)) is running


def test_project_values_written():
    result = run(
        projecten=tbl(project(ToegekendeUren="64", Einddatum="2026-03-31",
                              Projectstatus="Afgerond"),
                      project(ProjectCode="P-2", ToegekendeUren=None),
                      project(ProjectCode="P-3", ToegekendeUren="0"),
                      project(ProjectCode="P-4", ToegekendeUren=None)),
        urenregistratie=tbl(booking(Uren="24", Datum="2026-03-01"),
                            booking(Uren="24", Datum="2026-03-02"),
                            booking(Uren="14", Datum="2026-03-03"),
                            booking(Project="P-2", Uren="21")))
    p = result.projecten
    assert p.loc[1, ["GeboekteUren", "RestUren", "VerbruikPct", "UrenStatus"]].tolist() == [
        62.0, 2.0, 96.9, "Binnen uren"]
    assert p.loc[2, ["GeboekteUren", "RestUren", "VerbruikPct", "UrenStatus"]].tolist() == [
        21.0, None, None, "Geen uren toegekend"]
    assert p.loc[3, ["RestUren", "VerbruikPct"]].tolist() == [0.0, None]
    assert [(f.item_id, f.code) for f in result.findings if f.list_key == "projecten"] == [
        (2, "GEEN_UREN_TOEGEKEND")]
    assert p.loc[2, "Controlemelding"].startswith("GEEN_UREN_TOEGEKEND: Er is 21 uur geboekt")
    assert p.loc[4, "Controlemelding"] is None  # no hours booked: no finding


def test_negative_budget_is_a_finding_and_counts_as_empty():
    result = run(projecten=tbl(project(ToegekendeUren="-5")))
    assert result.projecten.loc[1, "UrenStatus"] == "Geen uren toegekend"
    found = [f for f in result.findings if f.list_key == "projecten"]
    assert [f.code for f in found] == ["ONGELDIG_GETAL"]
    assert found[0].message == (
        "Toegekende uren '-5' is negatief; de waarde is genegeerd.")


@pytest.mark.parametrize(("method", "c", "expected"), [
    # period Mon 26 Jan - Fri 6 Feb 2026: 12 calendar days, 10 workdays; 10 h booked
    ("linear", date(2026, 1, 30), 24.0),  # 5 of 12 days elapsed
    ("workdays", date(2026, 1, 30), 20.0),  # 5 of 10 workdays elapsed
    ("linear", date(2026, 2, 20), 10.0),  # after the end: the booked hours
    ("linear", date(2026, 1, 1), None),  # before the start
])
def test_forecast(method, c, expected):
    assert forecast_hours(10.0, date(2026, 1, 26), date(2026, 2, 6), c, method) == expected


@pytest.mark.parametrize(("geboekt", "toegekend", "c", "method", "expected"), [
    # 10 h in the first 5 days (26-30 Jan) = 2 h/day: 20 h is reached on day 10 = 4 Feb
    (10.0, 20.0, date(2026, 1, 30), "linear", date(2026, 2, 4)),
    # 10 h in 5 workdays: 20 h after 10 workdays = Fri 6 Feb
    (10.0, 20.0, date(2026, 1, 30), "workdays", date(2026, 2, 6)),
    (10.0, 40.0, date(2026, 1, 30), "linear", None),  # not reached before the end
    (25.0, 20.0, date(2026, 1, 30), "linear", None),  # already over: UrenStatus says so
    (10.0, None, date(2026, 1, 30), "linear", None),  # no budget
])
def test_forecast_overrun_date(geboekt, toegekend, c, method, expected):
    assert forecast_overrun_date(geboekt, toegekend, date(2026, 1, 26), date(2026, 2, 6), c,
                                 method) == expected


@pytest.mark.parametrize(("money", "status"), [
    # 1. BudgetPM = Yes -> Geen budget (p.m.), whatever the amounts
    (Money(True, 100.0, 200.0), "Geen budget (p.m.)"),
    (Money(True, None, None), "Geen budget (p.m.)"),
    # 2. BegrootBedrag empty -> Niet van toepassing
    (Money(False, None, 500.0), "Niet van toepassing"),
    # 3. WerkelijkeUitgave > BegrootBedrag -> Overschreden
    (Money(False, 45000.0, 47250.0), "Overschreden"),
    # 4. otherwise -> Binnen budget (equal and empty uitgave included)
    (Money(False, 45000.0, 45000.0), "Binnen budget"),
    (Money(False, 45000.0, None), "Binnen budget"),
])
def test_budgetstatus_table(money, status):
    assert budget_status(money) == status


@pytest.mark.parametrize(("pm", "begroot", "uitgave", "status"), [
    ("Ja", "100", "200", "Geen budget (p.m.)"),
    (True, None, None, "Geen budget (p.m.)"),
    ("Nee", None, "5", "Niet van toepassing"),
    (None, "45000", "47250", "Overschreden"),
    (False, "160000", "98400", "Binnen budget"),
    (None, "1000", "1000,5", "Overschreden"),
    (None, "veel", "5", "Niet van toepassing"),  # unreadable amount = empty (with a finding)
])
def test_budgetstatus_from_cells(pm, begroot, uitgave, status):
    result = run(projecten=tbl(project(BudgetPM=pm, BegrootBedrag=begroot,
                                       WerkelijkeUitgave=uitgave)))
    assert result.projecten.loc[1, "BudgetStatus"] == status
