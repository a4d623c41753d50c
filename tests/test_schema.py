"""schema.py is the one source of the lists' facts; these tests keep its parts consistent."""

from __future__ import annotations

from spsync import schema, vocabularies
from spsync.checks import ADDED_COLUMNS, TEXT_MAX
from spsync.checks.quality import LOOKUPS, REQUIRED_COLUMNS, REQUIRED_VALUES
from spsync.checks.vocab import CHOICE_VOCABS


def _all_columns():
    return [(d, c) for d in schema.provisioned_lists() for c in d.columns]


def test_every_choice_column_has_its_vocabulary_and_only_choice_columns_have_one():
    vocabularies_by_id = {id(v) for v in vars(vocabularies).values() if isinstance(v, tuple)}
    for d, c in _all_columns():
        if c.type == "Choice":
            assert c.choices, (d.key, c.name)
            if d in (*schema.LISTS, schema.LIBRARY):  # the data model's lists: §3 values
                assert id(c.choices) in vocabularies_by_id, (d.key, c.name)  # not a copy
        else:
            assert not c.choices, (d.key, c.name)
    assert CHOICE_VOCABS[("projecten", "ProjectType")] is vocabularies.PROJECT_TYPES


def test_every_lookup_points_at_an_indexed_show_field_of_a_known_list():
    for d, c in _all_columns():
        if c.type == "Lookup":
            target = schema.lookup_target(c)
            show = target.column(c.lookup_field or "Title")
            assert show.must_index, (d.key, c.name, target.key, show.name)
            if d in schema.LISTS:  # read and provisioned after its target
                assert schema.LISTS.index(target) < schema.LISTS.index(d), (d.key, c.name)


def test_unique_columns_are_indexed_and_defaults_are_valid_choices():
    for d, c in _all_columns():
        if c.unique:
            assert c.must_index
        if c.default is not None and c.type == "Choice":
            assert c.default in c.choices, (d.key, c.name)


def test_the_rules_tables_come_from_the_schema():
    for key, names in REQUIRED_COLUMNS.items():
        assert all(schema.list_def(key).column(n).needed for n in names)
    for key, names in REQUIRED_VALUES.items():
        assert all(schema.list_def(key).column(n).value_needed for n in names)
    assert ("activiteiten", "Project") in LOOKUPS
    assert ("urenregistratie", "Project") not in LOOKUPS  # §5.2 checks it itself
    assert TEXT_MAX == {"projecten": None, "urenregistratie": 255, "jaarkalender": 255,
                        "activiteiten": 255, "indicatoren": 255}


def test_the_columns_run_checks_writes_are_daemon_columns_of_the_schema():
    for key, (daemon, _helpers) in ADDED_COLUMNS.items():
        assert set(daemon) <= set(schema.owned_columns(key)), key


def test_facts_given_as_extra_strings_become_column_facts():
    d = schema.ListDef("x", "X", (schema.Column("Sleutel", "Text", schema.Writer.DAEMON),
                                  schema.Column("Soort", "Choice", schema.Writer.DAEMON)),
                       extra={"indexed": "Sleutel", "choices.Soort": "Gemist; Uren"})
    assert d.column("Sleutel").indexed and not d.column("Soort").indexed
    assert d.column("Soort").choices == ("Gemist", "Uren")
