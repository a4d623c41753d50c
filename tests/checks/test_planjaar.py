"""§4: schooljaar / kalenderjaar, including the year boundaries."""

from __future__ import annotations

from datetime import date

import pytest

from spsync.checks.planjaar import (
    format_date_nl,
    parse_planjaar,
    planjaar,
    planjaar_end,
    planjaar_label,
    planjaar_start,
)


@pytest.mark.parametrize(("d", "mode", "expected"), [
    (date(2025, 7, 31), "schooljaar", "2024-2025"),
    (date(2025, 8, 1), "schooljaar", "2025-2026"),
    (date(2025, 12, 31), "schooljaar", "2025-2026"),
    (date(2026, 1, 1), "schooljaar", "2025-2026"),
    (date(2026, 7, 31), "schooljaar", "2025-2026"),
    (date(2026, 8, 1), "schooljaar", "2026-2027"),
    (date(2025, 7, 31), "kalenderjaar", "2025"),
    (date(2025, 8, 1), "kalenderjaar", "2025"),
    (date(2025, 12, 31), "kalenderjaar", "2025"),
    (date(2026, 1, 1), "kalenderjaar", "2026"),
])
def test_planjaar(d, mode, expected):
    assert planjaar(d, mode) == expected


@pytest.mark.parametrize(("pj", "mode", "start", "end"), [
    ("2025-2026", "schooljaar", date(2025, 8, 1), date(2026, 7, 31)),
    ("2025", "kalenderjaar", date(2025, 1, 1), date(2025, 12, 31)),
])
def test_bounds(pj, mode, start, end):
    assert planjaar_start(pj, mode) == start
    assert planjaar_end(pj, mode) == end


def test_label_and_date_format():
    assert planjaar_label("2025-2026", "schooljaar") == "schooljaar 2025-2026"
    assert planjaar_label("2025", "kalenderjaar") == "kalenderjaar 2025"
    assert format_date_nl(date(2025, 7, 24)) == "24-07-2025"


@pytest.mark.parametrize(("raw", "mode", "expected"), [
    ("2025-2026", "schooljaar", "2025-2026"),
    (" 2025 - 2026 ", "schooljaar", "2025-2026"),
    ("2025-2027", "schooljaar", None),
    ("2025", "schooljaar", None),
    ("2025", "kalenderjaar", "2025"),
    (2025, "kalenderjaar", "2025"),  # read as text, never the number
    (2025.0, "kalenderjaar", "2025"),
    ("2025-2026", "kalenderjaar", None),
    (None, "schooljaar", None),
    ({"x": 1}, "schooljaar", None),
])
def test_parse_planjaar(raw, mode, expected):
    assert parse_planjaar(raw, mode) == expected
