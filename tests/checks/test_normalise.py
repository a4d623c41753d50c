"""§5.0 normalisation and §1 date reading, one parametrized case per rule."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from spsync.checks.normalise import (
    EMPTY,
    INVALID,
    OK,
    canonical_choice,
    choice_key,
    format_number_nl,
    is_empty,
    parse_bool,
    parse_choice,
    parse_date,
    parse_number,
    round_half_up,
)
from spsync.checks.vocab import VOORTGANG


@pytest.mark.parametrize(("raw", "expected"), [
    # trims the value and collapses whitespace
    ("  Deels   behaald ", "Deels behaald"),
    # compares without regard to case
    ("BEHAALD", "Behaald"),
    ("deels behaald, MEE bezig", "Deels behaald, mee bezig"),
    # drops one trailing '.'
    ("Behaald.", "Behaald"),
    # reads 'Afgerond: niet haalbaar' as 'Afgerond, niet haalbaar'
    ("Afgerond: niet haalbaar", "Afgerond, niet haalbaar"),
    ("afgerond:niet haalbaar.", "Afgerond, niet haalbaar"),
    # still not in the vocabulary
    ("Klaar", None),
    ("Behaald..", None),
    ("", None),
    (None, None),
    ({"a": 1}, None),
    (True, None),
])
def test_canonical_choice(raw, expected):
    assert canonical_choice(raw, VOORTGANG) == expected


def test_parse_choice_states():
    assert parse_choice(None, VOORTGANG).state == EMPTY
    assert parse_choice("Klaar", VOORTGANG) == (INVALID, None, "Klaar")
    assert parse_choice("behaald.", VOORTGANG) == (OK, "Behaald", "behaald.")
    assert choice_key("  A   B ") == "a b"


@pytest.mark.parametrize(("raw", "state", "value"), [
    ("1,5", OK, 1.5),  # decimal comma
    ("1.5", OK, 1.5),
    (" 2 ", OK, 2.0),
    ("-4", OK, -4.0),
    ("0,25", OK, 0.25),
    (3, OK, 3.0),
    (2.5, OK, 2.5),
    ("twee", INVALID, None),
    ("1.000,5", INVALID, None),  # "and nothing else": no thousands separators
    ("1e3", INVALID, None),
    ("12 uur", INVALID, None),
    ("nan", INVALID, None),
    ("inf", INVALID, None),
    (float("inf"), INVALID, None),
    (True, INVALID, None),
    ([1], INVALID, None),
    ({"x": 1}, INVALID, None),
    (10**400, INVALID, None),
    (None, EMPTY, None),
    ("", EMPTY, None),
    ("   ", EMPTY, None),
    (float("nan"), EMPTY, None),
])
def test_parse_number(raw, state, value):
    parsed = parse_number(raw)
    assert parsed.state == state
    assert parsed.value == value


@pytest.mark.parametrize(("raw", "state", "value"), [
    ("2026-03-10", OK, date(2026, 3, 10)),  # plain local date
    ("2026-03-09T23:00:00Z", OK, date(2026, 3, 10)),  # §1: UTC instant of CET midnight
    ("2026-06-30T22:00:00Z", OK, date(2026, 7, 1)),  # CEST midnight
    ("2025-07-31T22:00:00Z", OK, date(2025, 8, 1)),  # schooljaar boundary in UTC
    ("2026-03-10T00:00:00+01:00", OK, date(2026, 3, 10)),
    ("2026-03-10T00:00:00", OK, date(2026, 3, 10)),  # naive: taken as local
    (datetime(2026, 3, 9, 23, 0, tzinfo=UTC), OK, date(2026, 3, 10)),
    (date(2026, 3, 10), OK, date(2026, 3, 10)),
    ("2026-02-30", INVALID, None),
    ("10-03-2026", INVALID, None),
    ("gisteren", INVALID, None),
    (20260310, INVALID, None),
    ([2026, 3, 10], INVALID, None),
    (None, EMPTY, None),
    (float("nan"), EMPTY, None),
])
def test_parse_date(raw, state, value):
    parsed = parse_date(raw)
    assert parsed.state == state
    assert parsed.value == value


@pytest.mark.parametrize(("raw", "value"), [
    (True, True), (False, False), ("Ja", True), ("ja", True), ("Yes", True), ("true", True),
    (1, True), ("Nee", False), ("No", False), ("false", False), (0, False),
])
def test_parse_bool(raw, value):
    assert parse_bool(raw) == (OK, value, parse_bool(raw).shown)


@pytest.mark.parametrize("raw", ["misschien", 2, [True], {"a": 1}])
def test_parse_bool_invalid(raw):
    assert parse_bool(raw).state == INVALID


def test_parse_bool_empty():
    assert parse_bool(None).state == EMPTY
    assert parse_bool("").state == EMPTY


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (96.875, 1, 96.9),  # half up, not banker's rounding
    (77.77777, 1, 77.8),
    (64.70588, 1, 64.7),
    (0.05, 1, 0.1),
    (-22.5, 1, -22.5),
    (1e300, 1, 1e300),
    (None, 1, None),
])
def test_round_half_up(value, digits, expected):
    assert round_half_up(value, digits) == expected


def test_round_half_up_nan_is_none():
    assert round_half_up(math.nan) is None


@pytest.mark.parametrize(("value", "text"), [(26.0, "26"), (-4.0, "-4"), (2.5, "2,5"),
                                             (0.25, "0,25")])
def test_format_number_nl(value, text):
    assert format_number_nl(value) == text


def test_is_empty():
    assert is_empty(None) and is_empty(" ") and is_empty(float("nan"))
    assert not is_empty(0) and not is_empty("x") and not is_empty([]) and not is_empty(False)


def test_collapse_treats_exactly_the_regex_whitespace_as_whitespace():
    """collapse() uses str.split(); the rules were written against ``\\s+`` and strip(). Every
    code point, leading, doubled inside and trailing, must come out the same both ways."""
    import re
    import sys

    from spsync.checks.normalise import collapse

    ws = re.compile(r"\s+")
    for cp in range(sys.maxunicode + 1):
        text = f"{chr(cp)}a{chr(cp) * 2}b{chr(cp)}"
        assert collapse(text) == ws.sub(" ", text).strip(), hex(cp)
