"""Incremental reads by change tokens, end to end below the cycle: the real client over real HTTP
against the sandbox, a real SQLite state store, and every claim about traffic read from the
sandbox's request log. The yardstick for correctness is always a fresh full read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from spsync import schema
from spsync.auth import sandbox_token
from spsync.config import StateConfig, config_from_dict
from spsync.cycle import run_cycle
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.exceptions import ChangeTokenExpired
from spsync.gateway import ChangeSet, Item
from spsync.incremental import (
    apply_changes,
    full_read_reason,
    later_token,
    read_snapshot_incremental,
    schema_hash,
)
from spsync.itemtable import table_from_items
from spsync.reader import Snapshot, read_snapshot
from spsync.sandbox import add_items
from spsync.sandbox.store import FieldInfo
from spsync.sharepoint import SharePointGateway, id_filters
from spsync.state import open_state
from spsync.state.records import ListState

NOW = datetime(2026, 5, 15, 6, 0, tzinfo=UTC)
N_LISTS = len(schema.LISTS)


@pytest.fixture
def site(sandbox, tmp_path):
    """(server, config, gateway, state store) on the demo site."""
    config = config_from_dict({"site": {"url": sandbox.site_url}, "auth": {"mode": "sandbox"},
                               "report": {"output_dir": str(tmp_path / "out")}})
    gateway = SharePointGateway(sandbox.site_url, sandbox_token)
    store = open_state(StateConfig(path=tmp_path / "state.db"))
    yield sandbox, config, gateway, store
    store.close()
    gateway.close()


def _full(server, config) -> Snapshot:
    """A fresh full read through a new gateway: what the site holds now."""
    gateway = SharePointGateway(server.site_url, sandbox_token)
    try:
        return read_snapshot(gateway, config)
    finally:
        gateway.close()


def _assert_same(got: Snapshot, want: Snapshot) -> None:
    assert got.lists.keys() == want.lists.keys()
    for key, snap in want.lists.items():
        mine = got.lists[key]
        if snap.frame is None:
            assert mine.frame is None
            continue
        pd.testing.assert_frame_equal(mine.frame, snap.frame)
        assert mine.etags == snap.etags, key
        assert (mine.owned_on_site, mine.owned_missing) == (snap.owned_on_site,
                                                             snap.owned_missing)
    for name in ("projecten", "urenregistratie", "jaarkalender"):
        pd.testing.assert_frame_equal(getattr(got.tables, name), getattr(want.tables, name))


def _top_level(server) -> list:
    return [r for r in server.requests if not r.in_batch]


# ---- the gateway ----------------------------------------------------------------------------

def test_describe_lists_carries_the_change_token(site):
    server, config, gateway, _ = site
    info = gateway.describe_lists(["Projecten"])["Projecten"]
    assert info.change_token and info.change_token.startswith(f"1;3;{info.id};")
    assert gateway.current_change_tokens([info]) == {"Projecten": info.change_token}


def test_get_changes_follows_the_log_past_fetch_limit_in_order(site):
    server, config, gateway, _ = site
    info = gateway.describe_lists(["Urenregistratie"])["Urenregistratie"]
    before = server.store.count_items(server.store.get_list("Urenregistratie").id)
    add_items(server.store, "Urenregistratie", ({"Title": f"b{i}", "Uren": 1.0}
                                                for i in range(2500)))
    new_ids = set(range(before + 1, before + 2501))
    server.edit_item("Urenregistratie", 3, {"Uren": 9})
    lst_id = server.store.get_list("Urenregistratie").id
    server.store.delete_item(lst_id, 4)
    server.store.delete_item(lst_id, before + 10)  # added, then deleted: a delete in the end
    server.clear_log()
    changes = gateway.get_changes(info, info.change_token)
    assert changes.added_or_updated == (new_ids - {before + 10}) | {3}
    assert changes.deleted == {4, before + 10}
    posts = [r for r in server.requests if r.path.lower().endswith("/getchanges")]
    assert len(posts) == 3  # 1000 + 1000 + 503 changes
    assert changes.last_token.endswith(f";{server.store.last_change()[0]}")
    # From the last token: nothing more, in one request.
    again = gateway.get_changes(info, changes.last_token)
    assert again.empty and again.last_token == changes.last_token


def test_an_aged_token_raises_change_token_expired(site):
    server, config, gateway, _ = site
    info = gateway.describe_lists(["Projecten"])["Projecten"]
    server.edit_item("Projecten", 1, {"Projectstatus": "Afgerond"})
    server.set_change_log_retention(0)
    with pytest.raises(ChangeTokenExpired) as err:
        gateway.get_changes(info, info.change_token)
    assert err.value.list_title == "Projecten" and "volledig" in err.value.message
    getchanges = [r for r in server.requests if r.path.lower().endswith("/getchanges")]
    assert len(getchanges) == 1  # an expired token is not retried


def test_read_items_by_id_is_a_full_read_of_just_those_items(site):
    server, config, gateway, _ = site
    info = gateway.describe_lists(["Urenregistratie"])["Urenregistratie"]
    select, expand = ["Title", "ProjectId", "Project/ProjectCode", "Uren"], ["Project"]
    everything = {i.id: i for i in gateway.read_items(info, select, expand)}
    wanted = [2, 3, 4, 5, 9, 40, 41, 99999]
    server.clear_log()
    got = gateway.read_items_by_id(info, wanted, select, expand)
    assert [i.id for i in got] == [2, 3, 4, 5, 9, 40, 41]  # 99999 does not exist
    assert all(i == everything[i.id] for i in got)
    gets = [r for r in server.requests if r.method == "GET"]
    assert len(gets) == 1 and "Id ge 2 and Id le 5" in gets[0].query["$filter"]


def test_id_filters_use_ranges_and_at_most_50_terms():
    assert id_filters([5, 1, 2, 3, 9, 10]) == ["(Id ge 1 and Id le 3) or Id eq 5 or Id eq 9 "
                                               "or Id eq 10"]
    assert id_filters(range(1, 100_001)) == ["(Id ge 1 and Id le 100000)"]
    scattered = id_filters(range(1, 240, 2))  # 120 ids, none adjacent
    assert [f.count(" or ") + 1 for f in scattered] == [50, 50, 20]
    assert id_filters([]) == []


# ---- the pure core --------------------------------------------------------------------------

def _item(i: int, etag: str, **values) -> Item:
    return Item(i, etag, {"Id": i, **values})


def test_apply_changes_replaces_adds_and_drops():
    previous = table_from_items([_item(1, '"1"', T="a"), _item(2, '"1"', T="b"),
                                 _item(3, '"1"', T="c")], ["Id", "T", "Project/ProjectCode"])
    changes = ChangeSet(frozenset({2, 4, 5}), frozenset({3}), "t")
    reread = [_item(4, '"1"', T="d"),
              _item(2, '"2"', T="B", Project={"__metadata": {"id": "x"}, "ProjectCode": "P"})]
    # 5 was deleted before it could be re-read
    rows = apply_changes(previous, changes, reread)
    assert [rows.row(n) for n in range(len(rows))] == [
        (1, '"1"', {"T": "a", "Project/ProjectCode": None}),
        (2, '"2"', {"T": "B", "Project/ProjectCode": "P"}),
        (4, '"1"', {"T": "d", "Project/ProjectCode": None})]
    assert [previous.row(n) for n in range(3)] == [  # the previous table is left as it was
        (1, '"1"', {"T": "a", "Project/ProjectCode": None}),
        (2, '"1"', {"T": "b", "Project/ProjectCode": None}),
        (3, '"1"', {"T": "c", "Project/ProjectCode": None})]
    unchanged = apply_changes(previous, ChangeSet(frozenset(), frozenset({9}), "t"), [])
    assert unchanged == previous and unchanged is not previous


def test_full_read_reason_rules():
    from spsync.gateway import ListInfo

    info = ListInfo("P", "id", "SP.Data.PListItem", 3, {"Title": "Text"}, "1;3;id;5;10")
    h = schema_hash(info, ["Id", "Title"], [])
    state = ListState("projecten", "1;3;id;5;9", h, 3, NOW - timedelta(hours=2))
    day = timedelta(hours=24)
    assert full_read_reason(state, True, info, h, NOW, day) is None
    assert "geen wijzigingstoken opgeslagen" in full_read_reason(None, False, info, h, NOW, day)
    assert "opgeslagen" in full_read_reason(state, False, info, h, NOW, day)
    other = schema_hash(ListInfo("P", "id", "e", 3, {"Title": "Note"}), ["Id", "Title"], [])
    assert "kolommen" in full_read_reason(state, True, info, other, NOW, day)
    assert "24 uur" in full_read_reason(state, True, info, h, NOW + timedelta(hours=22), day)
    no_token = ListInfo("P", "id", "e", 3, {"Title": "Text"})
    assert "geen wijzigingstoken" in full_read_reason(state, True, no_token, h, NOW, day)
    assert later_token("1;3;a;1;9", "1;3;a;2;10") == "1;3;a;2;10"
    assert later_token("1;3;a;1;11", "1;3;a;2;10") == "1;3;a;1;11"


# ---- end to end -----------------------------------------------------------------------------

def test_first_read_is_full_then_an_unchanged_read_costs_at_most_2_requests_per_list(site):
    server, config, gateway, store = site
    modes: dict[str, str] = {}
    first = read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    assert all(m.startswith("volledig (nog geen") for m in modes.values()), modes
    _assert_same(first, _full(server, config))
    server.clear_log()
    modes.clear()
    second = read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    assert all(m.startswith("incrementeel (0 nieuw") for m in modes.values()), modes
    top = _top_level(server)
    assert len(top) <= 2 * N_LISTS
    assert [r.path for r in top if r.path != "contextInfo"] == ["$batch"]  # describe only
    assert not [r for r in server.requests if "/items" in r.path.lower()]
    _assert_same(second, first)
    # A change elsewhere moves every token (one change log per site): one getChanges a list.
    server.edit_item("Doelen", 1, {"Omschrijving": "bijgewerkt"})
    server.clear_log()
    third = read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    top = _top_level(server)
    assert len(top) <= 2 * N_LISTS
    assert len([r for r in top if r.path.lower().endswith("/getchanges")]) == N_LISTS
    item_gets = [r for r in top if "/items" in r.path.lower()]
    assert len(item_gets) == 1 and "Doelen" in item_gets[0].path
    _assert_same(third, _full(server, config))


def test_adds_updates_and_deletes_give_the_frames_of_a_full_read(site):
    server, config, gateway, store = site
    read_snapshot_incremental(gateway, config, store, now=NOW)
    uren = server.store.get_list("Urenregistratie")
    before = server.store.count_items(uren.id)
    add_items(server.store, "Urenregistratie", [
        {"Title": "nieuw 1", "Project": 2, "Medewerker": 1, "Uren": 3.5,
         "Datum": "2026-03-01T23:00:00Z"},
        {"Title": "nieuw 2", "Project": 3, "Medewerker": 2, "Uren": 1}])
    server.edit_item("Urenregistratie", 5, {"Uren": 12, "Title": "gewijzigd"})
    server.edit_item("Projecten", 2, {"Projectstatus": "Afgerond", "ToegekendeUren": 7})
    server.store.delete_item(uren.id, 6)
    server.edit_item("Urenregistratie", 7, {"Uren": 2})
    server.store.delete_item(uren.id, 7)  # updated, then deleted
    server.clear_log()
    modes: dict[str, str] = {}
    got = read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    assert modes["urenregistratie"] == "incrementeel (3 nieuw/gewijzigd, 2 verwijderd)"
    assert modes["projecten"] == "incrementeel (1 nieuw/gewijzigd, 0 verwijderd)"
    frame = got.tables.urenregistratie
    assert len(frame) == before + 2 - 2 and 6 not in frame.index and 7 not in frame.index
    assert frame.loc[5, "Uren"] == 12 and frame.loc[before + 1, "Project"] is not None
    _assert_same(got, _full(server, config))
    # Persisted: a new process (new gateway, reopened store) continues from the same rows.
    gateway2 = SharePointGateway(server.site_url, sandbox_token)
    try:
        again = read_snapshot_incremental(gateway2, config, store, now=NOW)
    finally:
        gateway2.close()
    _assert_same(again, got)


def test_spsyncs_own_writes_come_back_as_updates(site):
    server, config, gateway, store = site
    read_snapshot_incremental(gateway, config, store, now=NOW)
    outcome = run_cycle(gateway, config, DEMO_CONTROLEDATUM, now=NOW)
    assert sum(outcome.written.values()) > 0
    modes: dict[str, str] = {}
    got = read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    assert modes["projecten"].startswith("incrementeel (17 nieuw/gewijzigd")
    _assert_same(got, _full(server, config))


def test_an_aged_token_falls_back_to_a_full_read(site):
    server, config, gateway, store = site
    read_snapshot_incremental(gateway, config, store, now=NOW)
    server.edit_item("Urenregistratie", 5, {"Uren": 12})
    server.set_change_log_retention(0)
    modes: dict[str, str] = {}
    got = read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    assert modes["urenregistratie"] == "volledig (het wijzigingstoken is verlopen)"
    _assert_same(got, _full(server, config))
    # The fresh token works again afterwards.
    server.set_change_log_retention(86400)
    read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    assert modes["urenregistratie"].startswith("incrementeel")


def test_a_schema_change_falls_back_to_a_full_read(site):
    server, config, gateway, store = site
    read_snapshot_incremental(gateway, config, store, now=NOW)
    definition = schema.list_def("activiteiten")
    fields = [FieldInfo(c.name, c.type, c.name, c.lookup_list, c.lookup_field)
              for c in definition.columns if c.name != "VoortgangCategorie"]
    server.store.create_list("Activiteiten", fields, key="activiteiten")  # a column removed
    modes: dict[str, str] = {}
    got = read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    assert modes["activiteiten"] == "volledig (de kolommen van de lijst zijn gewijzigd)"
    assert modes["projecten"].startswith("incrementeel")
    assert "VoortgangCategorie" in got.lists["activiteiten"].owned_missing
    _assert_same(got, _full(server, config))


def test_a_daily_full_read_and_a_count_mismatch_fall_back(site):
    server, config, gateway, store = site
    read_snapshot_incremental(gateway, config, store, now=NOW)
    modes: dict[str, str] = {}
    read_snapshot_incremental(gateway, config, store, now=NOW + timedelta(hours=25),
                              modes=modes)
    assert all("ouder dan 24 uur" in m for m in modes.values()), modes
    # Rows that lost an item (say, a crash between two writes of an older spsync).
    state = store.list_state("projecten")
    rows = store.cached_rows("projecten")
    store.save_list_state("projecten", state.token, state.schema_hash, len(rows) - 1,
                          state.full_read_at, rows=rows.take(range(1, len(rows))))
    got = read_snapshot_incremental(gateway, config, store, now=NOW + timedelta(hours=25),
                                    modes=modes)
    assert modes["projecten"] == "volledig (het aantal items klopt niet na de wijzigingen)"
    _assert_same(got, _full(server, config))


def test_disabled_is_a_plain_full_read(site):
    server, _, gateway, store = site
    config = config_from_dict({"site": {"url": server.site_url}, "auth": {"mode": "sandbox"},
                               "incremental": {"enabled": False}})
    read_snapshot_incremental(gateway, config, store, now=NOW)
    assert store.list_state("projecten") is None


def test_incremental_config_is_checked_in_dutch():
    from spsync.exceptions import ConfigError

    with pytest.raises(ConfigError) as err:
        config_from_dict({"site": {"url": "https://x.sharepoint.com/sites/a"},
                          "incremental": {"full_read_every_hours": 0, "extra": 1}})
    assert any("full_read_every_hours: moet groter dan 0.0 zijn" in p for p in err.value.problems)
    assert any("onbekende instelling" in p for p in err.value.problems)


def test_current_change_tokens_skips_a_missing_list(site):
    server, config, gateway, _ = site
    infos = gateway.describe_lists(["Projecten", "Doelen"])
    from spsync.gateway import ListInfo

    ghost = ListInfo("Bestaat niet", "x", "SP.Data.XListItem", 0, {})
    tokens = gateway.current_change_tokens([infos["Projecten"], ghost, infos["Doelen"]])
    assert tokens == {"Projecten": infos["Projecten"].change_token,
                      "Doelen": infos["Doelen"].change_token}


def test_throttled_get_changes_and_reread_are_retried(site):
    server, config, gateway, store = site
    read_snapshot_incremental(gateway, config, store, now=NOW)
    server.edit_item("Urenregistratie", 5, {"Uren": 12})
    server.inject(429, times=1, retry_after=0, path_contains="getchanges")
    server.inject(503, times=1, retry_after=0, method="GET", path_contains="/items")
    server.clear_log()
    modes: dict[str, str] = {}
    got = read_snapshot_incremental(gateway, config, store, now=NOW, modes=modes)
    assert modes["urenregistratie"] == "incrementeel (1 nieuw/gewijzigd, 0 verwijderd)"
    statuses = [r.status for r in server.requests if not r.in_batch and r.path != "contextInfo"]
    assert 429 in statuses and 503 in statuses
    _assert_same(got, _full(server, config))
