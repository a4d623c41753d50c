"""The write path over real HTTP: the gateway builds its ``$batch`` of MERGE parts from the plain
changes, so these tests pin what the library did for it: the same bytes on the wire, throttled
parts resent alone after their Retry-After, a 412 never resent, a stale digest or token resent
once on a fresh context (and only from the refused batch on), a whole-batch refusal halved.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time

import pytest

from spsync import schema
from spsync.auth import sandbox_token
from spsync.gateway import ItemUpdate
from spsync.sandbox import add_items, create_list
from spsync.sharepoint import SharePointGateway, add_response_hook, batch_answers

#: A title the library must quote and encode: an apostrophe, spaces, a non-ASCII letter, '&'.
ODD_TITLE = "Uren van O'Brien & Zoë"


@pytest.fixture
def gw(sandbox):
    gateway = SharePointGateway(sandbox.site_url, sandbox_token)
    yield gateway
    gateway.close()


def _merges(server) -> list:
    return [r for r in server.requests if r.method == "MERGE" and r.in_batch]


def _batches(server) -> list:
    return [r for r in server.requests if r.path == "$batch" and not r.in_batch]


def _updates(items, **changes) -> list[ItemUpdate]:
    return [ItemUpdate(i.id, i.etag, {"Controlemelding": f"melding {i.id}", **changes})
            for i in items]


def _normalised(body: bytes) -> bytes:
    body = re.sub(rb"batch_[0-9a-f-]{36}", b"batch_B", body)
    body = re.sub(rb"changeset_[0-9a-f]{8}", b"changeset_C", body)
    return re.sub(rb"client-request-id:[0-9a-f-]{36}", b"client-request-id:R", body)


def _library_batch(gateway: SharePointGateway, plans) -> None:
    """What spsync sent before: the library's ListItem.update() per item in execute_batch, the
    entity type preset and each item's ETag put into IF-MATCH by a beforeExecute hook."""
    ctx = gateway._ctx
    etags = {}
    for info, updates in plans:
        lst = ctx.web.lists.get_by_title(info.title)
        for update in updates:
            item = lst.items.get_by_id(update.id)
            item._entity_type_name = info.entity_type
            for name, value in update.changes.items():
                item.set_property(name, value)
            item.update()
            etags[item.resource_url] = update.etag

    def _if_match(request) -> None:
        if request.headers.get("X-HTTP-Method") == "MERGE" and etags.get(request.url):
            request.set_header("IF-MATCH", etags[request.url])

    ctx.pending_request().beforeExecute += _if_match
    try:
        with ctx.collect_batch_failures():
            ctx.execute_batch(items_per_batch=gateway.batch_size)
    finally:
        ctx.pending_request().beforeExecute -= _if_match


def test_the_batch_body_is_byte_for_byte_the_librarys(sandbox):
    odd = dataclasses.replace(schema.list_def("urenregistratie"), title=ODD_TITLE)
    create_list(sandbox.store, odd)
    add_items(sandbox.store, ODD_TITLE, ({"ID": i, "Title": f"b{i}"} for i in range(1, 4)))
    gateway = SharePointGateway(sandbox.site_url, sandbox_token, batch_size=4)
    sent: list[tuple[dict, bytes]] = []
    add_response_hook(gateway, lambda r: sent.append((dict(r.request.headers), r.request.body))
                      if r.request.url.endswith("$batch") else None)
    infos = gateway.describe_lists([ODD_TITLE, "Projecten"])
    odd_items = gateway.read_items(infos[ODD_TITLE], ["Title"])
    projects = gateway.read_items(infos["Projecten"], ["Title"])[:3]
    plans = [
        (infos[ODD_TITLE], [
            ItemUpdate(odd_items[0].id, odd_items[0].etag,
                       {"Controlemelding": 'Zoë\'s "boeking"\nregel 2 \u2013 \u20ac', "Uren": 1.5}),
            ItemUpdate(odd_items[1].id, None, {"Controlemelding": None}),
            ItemUpdate(odd_items[2].id, odd_items[2].etag, {})]),
        (infos["Projecten"], [
            ItemUpdate(p.id, p.etag, {"GeboekteUren": 12, "VerbruikPct": 33.25,
                                      "UrenStatus": "Op schema", "BudgetPM": True})
            for p in projects])]
    sent.clear()
    _library_batch(gateway, plans)
    library = [(h, _normalised(b)) for h, b in sent]
    sent.clear()
    gateway.update_lists(plans)
    ours = [(h, _normalised(b)) for h, b in sent]
    gateway.close()
    assert len(library) == len(ours) == 2  # 6 parts in batches of 4, the two lists mixed
    for (lib_headers, lib_body), (our_headers, our_body) in zip(library, ours, strict=True):
        assert our_body == lib_body
        drop = {"client-request-id", "Content-Type"}
        assert ({k: v for k, v in our_headers.items() if k not in drop}
                == {k: v for k, v in lib_headers.items() if k not in drop})
        assert list(our_headers) == list(lib_headers)
    assert b"GetByTitle('Uren van O''Brien %26 Zo\xc3\xab')" in library[0][1]


def test_throttled_parts_are_resent_alone_after_retry_after_and_a_412_never(sandbox, gw,
                                                                            caplog):
    info = gw.describe_lists(["Urenregistratie"])["Urenregistratie"]
    items = gw.read_items(info, ["Title"])[:20]
    sandbox.edit_item("Urenregistratie", items[4].id, {"Uren": 3})  # its ETag is stale now
    sandbox.inject(429, times=2, retry_after=1, method="MERGE", in_batch=True)
    sandbox.clear_log()
    with caplog.at_level(logging.INFO, logger="spsync.sharepoint"):
        outcome = gw.update_items(info, _updates(items))
    assert outcome.conflicts == [items[4].id] and outcome.failed == {}
    assert sorted(outcome.written) == sorted(i.id for i in items if i is not items[4])
    batches, merges = _batches(sandbox), _merges(sandbox)
    throttled = [r for r in merges if r.status == 429]
    assert len(batches) == 2 and len(throttled) == 2
    resent = [r for r in merges if r.at >= batches[1].at]
    assert sorted(r.path for r in resent) == sorted(r.path for r in throttled)  # only those
    assert min(r.at for r in resent) - max(r.at for r in throttled) >= 1.0
    assert [r.status for r in merges if f"GetById({items[4].id})" in r.path] == [412]
    assert [r.headers["if-match"] for r in resent] == [r.headers["if-match"] for r in throttled]
    assert any("Wachten: 1 s (Retry-After, onderdeel van een $batch)" in r.getMessage()
               for r in caplog.records if r.levelno == logging.INFO)
    stored = sandbox.store.get_item(sandbox.store.get_list("Urenregistratie").id, items[0].id)
    assert stored.data["Controlemelding"] == f"melding {items[0].id}"


def test_a_part_throttled_every_time_fails_after_max_retries(sandbox):
    gateway = SharePointGateway(sandbox.site_url, sandbox_token, max_retries=2, backoff=0.05)
    info = gateway.describe_lists(["Urenregistratie"])["Urenregistratie"]
    items = gateway.read_items(info, ["Title"])[:5]
    target = f"GetById({items[2].id})"
    sandbox.inject(503, times=50, retry_after=0, method="MERGE", path_contains=target)
    sandbox.clear_log()
    outcome = gateway.update_items(info, _updates(items))
    gateway.close()
    assert list(outcome.failed) == [items[2].id]
    assert "beperkt het aantal verzoeken (503)" in outcome.failed[items[2].id]
    assert len(outcome.written) == 4
    assert [r.status for r in _merges(sandbox) if target in r.path] == [503, 503, 503]


def test_a_part_error_without_retry_after_backs_off_and_logs_the_wait(sandbox, caplog):
    gateway = SharePointGateway(sandbox.site_url, sandbox_token, backoff=0.2)
    info = gateway.describe_lists(["Jaarkalender"])["Jaarkalender"]
    items = gateway.read_items(info, ["Title"])[:3]
    sandbox.inject(500, times=1, method="MERGE", in_batch=True)
    with caplog.at_level(logging.INFO, logger="spsync.sharepoint"):
        outcome = gateway.update_items(info, [ItemUpdate(i.id, i.etag,
                                                         {"KalenderStatus": "Gepland"})
                                              for i in items])
    gateway.close()
    assert sorted(outcome.written) == sorted(i.id for i in items)
    assert any("Wachten: 0.2 s (HTTP 500 op 1 van de 3 onderdelen van een $batch)"
               in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("where", ["outer", "part"])
def test_a_stale_digest_or_token_resends_from_the_refused_batch_on(sandbox, where):
    gateway = SharePointGateway(sandbox.site_url, sandbox_token, batch_size=10)
    info = gateway.describe_lists(["Urenregistratie"])["Urenregistratie"]
    items = gateway.read_items(info, ["Title"])[:25]
    if where == "outer":  # the first $batch refused whole: an expired form digest
        sandbox.inject(403, times=1, method="POST", path_contains="$batch")
    else:  # a part of the second batch: an expired token
        sandbox.inject(401, times=1, method="MERGE", in_batch=True,
                       path_contains=f"GetById({items[14].id})")
    sandbox.clear_log()
    outcome = gateway.update_items(info, _updates(items))
    gateway.close()
    assert sorted(outcome.written) == sorted(i.id for i in items)
    assert outcome.conflicts == [] and outcome.failed == {}
    applied = [r.path for r in _merges(sandbox) if r.status == 204]
    assert sorted(applied) == sorted(set(applied)) and len(applied) == 25  # each once
    assert len([r for r in sandbox.requests if r.path == "contextInfo"]) == 1  # fresh context


def test_a_batch_refused_whole_is_halved(sandbox, gw):
    info = gw.describe_lists(["Urenregistratie"])["Urenregistratie"]
    items = gw.read_items(info, ["Title"])[:8]
    sandbox.inject(400, times=1, method="POST", path_contains="$batch")
    sandbox.clear_log()
    outcome = gw.update_items(info, _updates(items))
    assert sorted(outcome.written) == sorted(i.id for i in items)
    assert [r.body.count(b"\nMERGE ") for r in _batches(sandbox)] == [8, 4, 4]
    assert len([r for r in _merges(sandbox) if r.status == 204]) == 8


def test_a_throttled_batch_is_resent_whole_after_retry_after(sandbox, gw, caplog):
    info = gw.describe_lists(["Projecten"])["Projecten"]
    items = gw.read_items(info, ["Title"])[:4]
    sandbox.inject(503, times=1, retry_after=1, method="POST", path_contains="$batch")
    sandbox.clear_log()
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="spsync.sharepoint"):
        outcome = gw.update_items(info, _updates(items))
    assert time.monotonic() - started >= 1.0
    assert sorted(outcome.written) == sorted(i.id for i in items)
    assert [r.status for r in _batches(sandbox)] == [503, 200]
    assert any("Wachten: 1 s (Retry-After, HTTP 503)" in r.getMessage()
               for r in caplog.records)


def test_batch_answers_reads_flat_nested_and_lf_only_responses():
    flat = (b"--b\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
            b"HTTP/1.1 204 No Content\r\nETAG: \"2\"\r\n\r\n\r\n"
            b"--b\r\nContent-Type: application/http\r\n\r\n"
            b"HTTP/1.1 412 Precondition Failed\r\nCONTENT-TYPE: application/json\r\n\r\n"
            b'{"error":{"code":"-1","message":{"value":"x"}}}\r\n'
            b"--b\r\nContent-Type: text/plain\r\n\r\nnot an answer\r\n"
            b"--b\r\nContent-Type: application/http\r\n\r\ngarbage\r\n--b--\r\n")
    answers = batch_answers("multipart/mixed; boundary=b", flat)
    assert [None if a is None else a.status_code for a in answers] == [204, 412, None]
    assert answers[0].headers["ETag"] == '"2"' and answers[0].content == b""
    assert answers[1].response().json()["error"]["message"]["value"] == "x"
    assert answers[1].response().status_code == 412
    nested = (b"--b\nContent-Type: multipart/mixed; boundary=\"c\"\n\n"
              b"--c\nContent-Type: application/http\n\nHTTP/1.1 204 No Content\n\n\n"
              b"--c\nContent-Type: application/http\n\nHTTP/1.1 429 Too Many\nRetry-After: 3"
              b"\n\n\n--c--\n\n--b\nContent-Type: application/http\n\nHTTP/1.1 200 OK\n\n{}\n"
              b"--b--\n")
    answers = batch_answers('multipart/mixed; boundary="b"', nested)
    assert [a.status_code for a in answers] == [204, 429, 200]
    assert answers[1].headers["retry-after"] == "3"
    assert batch_answers("application/json", b"{}") == []
