"""Fault injection, latency and the request log, in-process and over the /_sandbox/ endpoints."""

from __future__ import annotations

import statistics
import time

import pytest
import requests
from office365.runtime.client_request_exception import ClientRequestException


def test_429_with_retry_after_is_recovered_by_incremental_retry(sandbox, client_context):
    sandbox.inject(429, retry_after=1, method="GET", path_contains="/items")
    col = client_context.web.lists.get_by_title("Projecten").items.select(["Id"]).top(100) \
        .get_all(dedupe_by="Id")
    start = time.monotonic()
    client_context.execute_query_with_incremental_retry()
    assert time.monotonic() - start >= 1.0
    assert len(col) == 17
    gets = [(r.status, r.query.get("$top")) for r in sandbox.requests if "/items" in r.path]
    assert gets == [(429, "100"), (200, "100")]


def test_plain_execute_query_raises_on_503(sandbox, client_context):
    sandbox.inject(503, retry_after=2, path_contains="GetByTitle")
    client_context.web.lists.get_by_title("Projecten").get()
    with pytest.raises(ClientRequestException) as err:
        client_context.execute_query()
    assert err.value.response.status_code == 503
    assert err.value.response.headers["Retry-After"] == "2"


def test_fault_on_one_batch_part_is_retried_alone(sandbox, client_context):
    ctx = client_context
    lst = ctx.web.lists.get_by_title("Projecten")
    for item_id in (1, 2):
        item = lst.items.get_by_id(item_id)
        item._entity_type_name = "SP.Data.ProjectenListItem"
        item.set_property("UrenStatus", "Binnen uren").update()
    sandbox.inject(429, retry_after=1, in_batch=True, path_contains="GetById(2)")
    ctx.execute_batch()
    parts = [(r.path.rsplit("/", 1)[-1], r.status) for r in sandbox.requests if r.in_batch]
    assert parts == [("GetById(1)", 204), ("GetById(2)", 429), ("GetById(2)", 204)]
    assert sum(1 for r in sandbox.requests if r.path == "$batch") == 2


def test_expired_digest_403_makes_the_library_refresh_it(sandbox, client_context):
    client_context.web.get().execute_query()
    sandbox.inject(403, path_contains="Web")
    client_context.web.get().execute_query()
    paths = [(r.path, r.status) for r in sandbox.requests]
    assert paths == [("contextInfo", 200), ("Web", 200), ("Web", 403), ("contextInfo", 200),
                     ("Web", 200)]


def test_latency_is_real_and_there_is_no_nagle_delay(sandbox, client_context):
    ctx = client_context
    ctx.web.get().execute_query()  # digest + warm connection
    durations = []
    for _ in range(10):
        t = time.perf_counter()
        ctx.web.get().execute_query()
        durations.append(time.perf_counter() - t)
    assert statistics.median(durations) < 0.02
    sandbox.set_latency(0.05)
    t = time.perf_counter()
    for _ in range(10):
        ctx.web.get().execute_query()
    assert time.perf_counter() - t >= 0.5


def test_http_control_endpoints(sandbox, client_context):
    base = f"http://127.0.0.1:{sandbox.port}/_sandbox"
    with requests.Session() as s:
        assert s.post(f"{base}/latency", json={"seconds": 0.01}).json() == {"latency": 0.01}
        assert s.post(f"{base}/inject", json={"status": 500, "path_contains": "Web"}).ok
        client_context.web.get()
        with pytest.raises(ClientRequestException) as err:
            client_context.execute_query()
        assert err.value.response.status_code == 500
        log = s.get(f"{base}/requests").json()
        assert [(r["path"], r["status"], r["in_batch"]) for r in log][-1] == ("Web", 500, False)
        assert s.post(f"{base}/reset").json() == {"reset": True}
        assert s.get(f"{base}/requests").json() == []
        assert sandbox.faults.latency == 0
