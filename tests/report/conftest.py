"""Fixtures of the report tests: one realistic CheckResult and its ReportMeta."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from report_factory import make_result

from spsync.checks.result import CheckResult
from spsync.report import ReportMeta


@pytest.fixture
def result() -> CheckResult:
    return make_result()


@pytest.fixture
def meta() -> ReportMeta:
    return ReportMeta(
        organisation="Passend Onderwijs Almere & Co",
        controledatum=date(2026, 5, 15),
        generated_at=datetime(2026, 5, 15, 7, 30),
    )
