"""The gateway contract, over real HTTP against the sandbox with the real client library.

Every assertion about traffic reads the sandbox's request log: what was actually sent.
"""

from __future__ import annotations

import socket
import time

import pytest

from spsync import schema
from spsync.auth import sandbox_token
from spsync.exceptions import GatewayUnavailable, ListNotFound, Throttled
from spsync.gateway import ItemUpdate
from spsync.sandbox import SandboxServer, add_items, create_list
from spsync.sharepoint import SharePointGateway, translate


@pytest.fixture
def gw(sandbox):
    gateway = SharePointGateway(sandbox.site_url, sandbox_token)
    yield gateway
    gateway.close()


def _item_gets(server) -> list:
    """First page (``…/items``) and every ``__next`` page (``Lists(guid'…')/Items``)."""
    return [r for r in server.requests if r.method == "GET" and r.path.lower().endswith("/items")]


def test_describe_lists_is_one_batch_and_reports_missing_lists(sandbox, gw):
    sandbox.clear_log()
    infos = gw.describe_lists(["Projecten", "Jaarkalender", "Bestaat niet"])
    assert infos["Bestaat niet"] is None
    assert infos["Projecten"].entity_type == "SP.Data.ProjectenListItem"
    assert infos["Projecten"].item_count == 17
    assert infos["Jaarkalender"].fields["KalenderStatus"] == "Choice"
    top_level = [r for r in sandbox.requests if not r.in_batch]
    assert [r.path for r in top_level if r.path != "contextInfo"] == ["$batch"]


@pytest.mark.parametrize("page_size,pages", [(5000, 3), (1000, 12), (4000, 3)])
def test_reading_12000_items_returns_each_once_in_ceil_n_over_page_requests(tmp_path, page_size,
                                                                           pages):
    db = tmp_path / "big.db"
    create_list(db, schema.list_def("urenregistratie"))
    add_items(db, "Urenregistratie", ({"ID": i, "Title": f"b{i}", "Uren": 1.0}
                                      for i in range(1, 12001)))
    with SandboxServer(db) as server:
        gateway = SharePointGateway(server.site_url, sandbox_token, page_size=page_size)
        info = gateway.describe_lists(["Urenregistratie"])["Urenregistratie"]
        server.clear_log()
        items = gateway.read_items(info, ["Title", "Uren"])
        gateway.close()
        assert len(items) == 12000
        assert len({i.id for i in items}) == 12000
        assert all(i.etag == '"1"' for i in items)
        assert len(_item_gets(server)) == pages == -(-12000 // page_size)


def test_read_survives_a_429_midway_without_duplicates(tmp_path):
    db = tmp_path / "big.db"
    create_list(db, schema.list_def("urenregistratie"))
    add_items(db, "Urenregistratie", ({"ID": i, "Title": f"b{i}"} for i in range(1, 251)))
    with SandboxServer(db) as server:
        gateway = SharePointGateway(server.site_url, sandbox_token, page_size=100)
        info = gateway.describe_lists(["Urenregistratie"])["Urenregistratie"]
        server.inject(429, times=1, retry_after=1, method="GET", path_contains="Items")
        started = time.monotonic()
        items = gateway.read_items(info, ["Title"])
        elapsed = time.monotonic() - started
        gateway.close()
    assert sorted(i.id for i in items) == list(range(1, 251))
    assert elapsed >= 1.0  # Retry-After honoured
    assert [r.status for r in server.requests if r.status == 429] == [429]


def test_updates_go_in_one_batch_per_100_with_each_items_etag(sandbox, gw):
    info = gw.describe_lists(["Urenregistratie"])["Urenregistratie"]
    items = gw.read_items(info, ["Title"])[:150]
    sandbox.clear_log()
    outcome = gw.update_items(info, [ItemUpdate(i.id, i.etag, {"Controlemelding": f"x{i.id}"})
                                     for i in items])
    assert sorted(outcome.written) == sorted(i.id for i in items)
    assert outcome.conflicts == [] and outcome.failed == {}
    batches = [r for r in sandbox.requests if r.path == "$batch" and not r.in_batch]
    merges = [r for r in sandbox.requests if r.method == "MERGE"]
    assert len(batches) == 2 and len(merges) == 150
    assert not [r for r in sandbox.requests if "parentlist" in r.path.lower()]
    assert {r.headers["if-match"] for r in merges} == {'"1"'}
    # Only the owned field was sent.
    assert all(set(__import__("json").loads(r.body)) == {"Controlemelding", "__metadata"}
               for r in merges)


def test_stale_etag_is_a_conflict_and_a_deleted_item_a_failure(sandbox, gw):
    info = gw.describe_lists(["Jaarkalender"])["Jaarkalender"]
    items = {i.id: i for i in gw.read_items(info, ["Title"])}
    sandbox.edit_item("Jaarkalender", 3, {"Toelichting": "door secretaris bijgewerkt"})
    sandbox.store.delete_item(sandbox.store.get_list("Jaarkalender").id, 4)
    outcome = gw.update_items(info, [
        ItemUpdate(2, items[2].etag, {"KalenderStatus": "Gepland"}),
        ItemUpdate(3, items[3].etag, {"KalenderStatus": "Gepland"}),
        ItemUpdate(4, items[4].etag, {"KalenderStatus": "Gepland"}),
    ])
    assert outcome.written == [2]
    assert outcome.conflicts == [3]
    assert list(outcome.failed) == [4] and "bestaat niet" in outcome.failed[4]


def test_unreachable_site_is_gateway_unavailable(monkeypatch):
    # The library retries the digest fetch 5 times with a 5 s backoff base on its own (80 s);
    # this test is about the translation, so its sleeps are skipped.
    import office365.runtime.retry as library_retry
    monkeypatch.setattr(library_retry, "sleep", lambda _s: None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gateway = SharePointGateway(f"http://127.0.0.1:{port}/sites/x", sandbox_token,
                                timeout=(0.5, 0.5), max_retries=0)
    with pytest.raises(GatewayUnavailable):
        gateway.describe_lists(["Projecten"])


def test_persistent_throttling_becomes_throttled(sandbox):
    gateway = SharePointGateway(sandbox.site_url, sandbox_token, max_retries=1)
    info = gateway.describe_lists(["Projecten"])["Projecten"]
    sandbox.inject(503, times=10, retry_after=0, method="GET", path_contains="items")
    with pytest.raises(Throttled):
        gateway.read_items(info, ["Title"])
    # The gateway recovers: a fresh context, the next read works.
    sandbox.reset_faults()
    assert len(gateway.read_items(info, ["Title"])) == 17
    gateway.close()


def test_missing_list_on_read_is_list_not_found(sandbox, gw):
    info = gw.describe_lists(["Projecten"])["Projecten"]
    from spsync.sandbox import drop_list
    drop_list(sandbox.store, "Projecten")
    with pytest.raises(ListNotFound) as err:
        gw.read_items(info, ["Title"])
    assert err.value.list_title == "Projecten"


def test_translate_keeps_our_own_errors():
    err = Throttled("x", status=429, retry_after="3")
    assert translate(err) is err
