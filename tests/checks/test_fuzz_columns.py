"""Fuzz every Staff/Beheer column of every list (issue 9, S6 item 8).

test_properties.py proves that a rejected value surfaces *somewhere* on its row. These tests ask
more of each finding: it is a Dutch sentence that names the column the bad value is in, so the
person fixing the row knows where to look; and they widen the junk to what a real site gets
pasted into it: emoji, bidi controls, template syntax, dates at the ends of the calendar
(0001-01-01, 9999-12-31) and impossible ones (2026-02-30), 10,000-character text, huge, NaN and
infinite numbers, booleans, dicts and lists.

The columns come from :mod:`spsync.schema`, so a column added there is fuzzed without touching
this file. Each example puts junk in ONE column of otherwise clean tables (test_properties'
baseline, which has no findings), one value per row, so a finding cannot come from elsewhere.
``PROP_EXAMPLES`` scales the examples (default 40; 2000 for a deeper search).
"""

from __future__ import annotations

import os
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from spsync import schema
from spsync.checks import TEXT_MAX, CheckResult, CheckSettings, Tables, run_checks
from spsync.checks.findings import TEMPLATES, utf16_len
from spsync.checks.normalise import is_empty
from spsync.checks.quality import PLANJAAR_LISTS, RULE_OWNED
from spsync.checks.vocab import display_name

from .csvframes import frame
from .test_properties import WORLDS, World, clean_row, clean_tables, rejected, unused

PROPS = hsettings(max_examples=int(os.environ.get("PROP_EXAMPLES", "40")), deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Every column staff or beheer fill, of every registration list, straight from the schema.
COLUMNS: list[tuple[str, schema.Column]] = [
    (d.key, c) for d in schema.LISTS for c in d.columns if c.writer is not schema.Writer.DAEMON
]

EMOJI = "\U0001F600\U0001F469\u200d\U0001F4BB"
BIDI = "\u202eP-1\u202c\u2066x\u2069\u200f"
LONG = "x" * 10_000

#: The junk classes, one fixed value or more each (the deterministic sweep uses all of them).
CATALOGUE: tuple[object, ...] = (
    None, "", "   ", "\t\n", "\u00a0",                                    # empty
    float("nan"), float("inf"), float("-inf"), 10**30, -10**30, 1e308, -0.0, 2**63,  # numbers
    True, False,                                                          # booleans
    {"a": 1}, {}, [1, 2], [],                                             # containers
    EMOJI, f"P-1{EMOJI}", BIDI, "{{ 7*7 }}", "{0}", "%s", "<script>x</script>",  # text
    "0001-01-01", "9999-12-31", "2026-02-30", "0001-01-01T00:00:00Z",    # dates
    "9999-12-31T23:59:59Z", date(1, 1, 1), date(9999, 12, 31), datetime(9999, 12, 31, 23, 59),
    LONG, "P-1" + " " * 5000, "1" * 400,                                   # long
)

JUNK = st.one_of(
    st.sampled_from(CATALOGUE),
    st.lists(st.sampled_from([*"aZ09 ,.-:{}%\u202e\u200f\u00e9", EMOJI, "P-1", "MT"]),
             max_size=12).map("".join),
    st.text(max_size=10),
    st.integers(-10**40, 10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(date(1, 1, 1), date(9999, 12, 31)).flatmap(
        lambda d: st.sampled_from([d, d.isoformat(), f"{d.isoformat()}T22:00:00Z"])),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.integers(), max_size=2),
    st.integers(256, 10_000).map(lambda n: "y" * n),
)


def empty_is_a_finding(key: str, col: schema.Column) -> bool:
    """An empty cell is a finding in the columns the rules cannot do without: the schema's
    ``value_needed`` facts, Planjaar, and the columns a rule reads itself (§5.2, §5.5, §5.7)."""
    if col.value_needed or (col.name == "Planjaar" and key in PLANJAAR_LISTS):
        return True
    return col.name in RULE_OWNED.get(key, ()) and (key, col.name) != (
        "indicatoren", "VoortgangHandmatig")  # empty = no manual progress yet (§5.6)


def names_column(message: str, col: schema.Column) -> bool:
    """The sentence names the column: its display name in findings or in the form, or that name
    without its "(handmatig)" part ("Onbekende voortgang ..." for Voortgang (handmatig), the one
    progress column of an indicator)."""
    text = message.casefold()
    names = (display_name(col.name), col.title)
    return any(n.casefold() in text or n.split(" (")[0].casefold() in text for n in names)


def build(world: World, key: str, column: str, values: list[object]) -> Tables:
    """Clean tables (test_properties' baseline) with list ``key`` holding one row per value."""
    frames = clean_tables(world)
    records = []
    for n, value in enumerate(values, start=1):
        rec = {"ID": n, **clean_row(key, n, world)}
        rec[column] = value
        records.append(rec)
    frames[key] = frame(records, list(records[0]))
    return Tables(**frames)


def assert_bad_values_named(tables: Tables, result: CheckResult, key: str, col: schema.Column,
                            mode: str) -> None:
    """Every bad value yields a finding on its row, a Dutch sentence naming the column; every
    finding is a filled-in template; Controlemelding fits its Text column."""
    for f in result.findings:
        assert f.code in TEMPLATES, f
        assert isinstance(f.message, str) and f.message.strip() and f.message.endswith(".")
    by_row: dict[int, list[str]] = {}
    for f in result.findings:
        if f.list_key == key and f.item_id is not None:
            by_row.setdefault(f.item_id, []).append(f.message)
    for item_id, row in getattr(tables, key).iterrows():
        rec = row.to_dict()
        value = rec[col.name]
        if is_empty(value):
            bad = empty_is_a_finding(key, col) and not unused(key, col.name, rec)
        else:
            bad = rejected(key, col, value, tables, mode) and not unused(key, col.name, rec)
        if bad:
            messages = by_row.get(item_id, [])
            assert any(names_column(m, col) for m in messages), (
                key, col.name, _short(value), messages)
    for lst, max_len in TEXT_MAX.items():
        for melding in getattr(result, lst)["Controlemelding"].dropna():
            assert max_len is None or utf16_len(melding) <= max_len, (lst, len(melding))


def _short(value: object) -> object:
    return value[:40] + "…" if isinstance(value, str) and len(value) > 40 else value


# ---------------------------------------------------------------------------------------------


def test_every_schema_column_is_fuzzed():
    """The column list is the schema's: every Staff/Beheer column of every list, none twice."""
    expected = sum(1 for d in schema.LISTS for c in d.columns
                   if c.writer in (schema.Writer.STAFF, schema.Writer.BEHEER))
    assert len(COLUMNS) == expected == len({(k, c.name) for k, c in COLUMNS})
    assert {k for k, _ in COLUMNS} == {d.key for d in schema.LISTS}


@pytest.mark.parametrize("key,col", COLUMNS, ids=[f"{k}-{c.name}" for k, c in COLUMNS])
def test_the_whole_catalogue_in_each_column(key, col):
    """Deterministic sweep: every catalogue value in ``col``, one per row, in both planjaar
    modes; run_checks does not raise and every bad value is named."""
    for world in WORLDS:
        tables = build(world, key, col.name, list(CATALOGUE))
        result = run_checks(tables, CheckSettings(planjaar_mode=world.mode), world.c)
        assert_bad_values_named(tables, result, key, col, world.mode)


@PROPS
@given(st.data())
def test_random_junk_in_any_column_is_named(data):
    """Random junk, 1-5 rows, in a random column of a random list and mode."""
    world = data.draw(st.sampled_from(WORLDS), label="world")
    key, col = data.draw(st.sampled_from(COLUMNS), label="column")
    values = data.draw(st.lists(JUNK, min_size=1, max_size=5), label="values")
    tables = build(world, key, col.name, values)
    result = run_checks(tables, CheckSettings(planjaar_mode=world.mode), world.c)
    assert_bad_values_named(tables, result, key, col, world.mode)


@pytest.mark.parametrize("key,column,code", [
    ("projecten", "Title", "VERPLICHT_VELD_LEEG"),
    ("activiteiten", "Hoofdlijn", "VERPLICHT_VELD_LEEG"),
])
@pytest.mark.parametrize("empty", [None, "", "  \t"], ids=["none", "blank", "whitespace"])
def test_empty_projectnaam_and_activity_hoofdlijn_are_findings(key, column, code, empty):
    """Was silent (found by this fuzz): an empty Projectnaam or an activity without Hoofdlijn
    gave no finding, although the form requires both and the report groups activities by
    Hoofdlijn. Now ``value_needed`` in the schema: VERPLICHT_VELD_LEEG on that row."""
    world = WORLDS[0]
    tables = build(world, key, column, [empty, {"projecten": "Project 2",
                                                "activiteiten": "Hoofdlijn 1"}[key]])
    result = run_checks(tables, CheckSettings(planjaar_mode=world.mode), world.c)
    mine = [(f.item_id, f.code, f.message) for f in result.findings if f.list_key == key]
    label = display_name(column)
    assert mine == [(1, code, f"{label} is niet ingevuld.")]
