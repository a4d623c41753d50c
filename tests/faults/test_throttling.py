"""Throttling and the cycle deadline over real HTTP (issue 9, items 5 and 7).

A storm of 429/503 with a short Retry-After is waited out request by request (the sandbox's
request log has arrival times) and ends where an undisturbed run ends; a Retry-After above
``[http] max_retry_after`` or a run past ``[http] cycle_deadline`` stops the cycle at once with
one Dutch line and exit 4, and the next cycle repairs what the stopped one left.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from spsync.auth import sandbox_token
from spsync.cli.app import main
from spsync.exceptions import CycleDeadline, Throttled
from spsync.sharepoint import SharePointGateway, batch_retry_after

from .site import cycle, diff_states, retry_waits, site_state


def _cli(server, tmp: Path, **http) -> tuple[int, str, float]:
    cfg = tmp / "spsync.toml"
    extra = "".join(f"{k} = {v}\n" for k, v in http.items())
    cfg.write_text(f"""
[site]
url = "{server.site_url}"
organisation = "Passend Onderwijs Almere"
[auth]
mode = "sandbox"
[report]
output_dir = "{tmp / 'out'}"
[state]
path = "{tmp / 'state' / 'spsync-state.db'}"
[http]
{extra}""", encoding="utf-8")
    started = time.monotonic()
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg), "--controledatum",
                                       "2026-05-15", "--outbox", str(tmp / "outbox")],
                                catch_exceptions=False)
    return result.exit_code, result.output, time.monotonic() - started


def test_ten_percent_throttled_requests_complete_and_every_retry_waits(site, tmp_path,
                                                                        undisturbed, caplog):
    site.faults.set_chaos(0.10, seed=6, retry_after=1)
    with caplog.at_level(logging.INFO):
        outcome = cycle(site, tmp_path)
    site.faults.set_chaos(0)
    assert outcome.exit_code == 0
    assert diff_states(site_state(site), undisturbed) == []
    log = site.requests
    waits = retry_waits(log)
    in_batch = sum(1 for r in log if r.status in (429, 503) and r.in_batch)
    assert len(waits) >= 8 and in_batch >= 3, (len(waits), in_batch)
    assert all(asked == 1 for asked, _ in waits)
    # Every throttled request came again, and only after its Retry-After.
    assert all(waited >= asked for asked, waited in waits), sorted(w for _, w in waits)[:5]
    # Every wait is in the log at INFO or above, with reason and length: one per throttled
    # answer (a $batch whose parts were throttled is one answer, one wait).
    answers, parts_throttled = 0, False
    for r in log:
        if r.in_batch:
            parts_throttled |= r.status in (429, 503)
            continue
        answers += r.status in (429, 503) or (r.path == "$batch" and parts_throttled)
        parts_throttled = False
    waits_logged = [r for r in caplog.records if r.levelno >= logging.INFO and (
        "Wachten: 1 s (Retry-After" in r.getMessage() or "over 1.0 s" in r.getMessage())]
    assert len(waits_logged) >= answers > 0


def test_retry_after_above_the_cap_stops_at_once_with_exit_4(site, tmp_path):
    site.inject(429, times=50, retry_after=3600, path_contains="items")
    code, out, took = _cli(site, tmp_path)
    assert code == 4, out
    fout = [line for line in out.splitlines() if line.startswith("Fout: ")]
    assert len(fout) == 1 and "SharePoint vraagt 3600 s te wachten" in fout[0], out
    assert "meer dan de ingestelde 120 s" in fout[0]
    assert "Traceback" not in out and took < 30


def test_a_batch_part_asking_too_long_stops_the_library_retry_and_the_next_cycle_repairs(
        site, tmp_path, undisturbed):
    """A part's Retry-After above the cap: the guard stops the write before anyone sleeps."""
    site.inject(503, times=1, retry_after=3600, method="MERGE", in_batch=True)
    started = time.monotonic()
    with pytest.raises(Throttled, match="3600 s te wachten"):
        cycle(site, tmp_path)
    assert time.monotonic() - started < 20
    assert diff_states(site_state(site), undisturbed) != []  # stopped half-way
    assert cycle(site, tmp_path).exit_code == 0
    assert diff_states(site_state(site), undisturbed) == []


def test_cycle_deadline_with_slow_responses_exits_4_with_the_dutch_line(site, tmp_path):
    site.set_latency(1.0)
    code, out, took = _cli(site, tmp_path, cycle_deadline=2)
    assert code == 4, out
    fout = [line for line in out.splitlines() if line.startswith("Fout: ")]
    assert len(fout) == 1 and "cycle_deadline" in fout[0] and "De cyclus stopt" in fout[0], out
    assert "Oplossing: De volgende cyclus maakt het werk af" in out
    assert took < 15


def test_deadline_refuses_a_wait_that_would_pass_it(site, tmp_path):
    site.inject(429, times=1, retry_after=30, path_contains="items")
    gateway = SharePointGateway(site.site_url, sandbox_token, cycle_deadline=10)
    gateway.begin_cycle()
    info = gateway.describe_lists(["Projecten"])["Projecten"]
    started = time.monotonic()
    with pytest.raises(CycleDeadline, match="nog 30 s wachten"):
        gateway.read_items(info, ["Title"])
    assert time.monotonic() - started < 5
    gateway.close()


def _response(headers: dict[str, str], status: int = 200, body: bytes = b"{}"):
    r = requests.Response()
    r.status_code, r._content, r.url = status, body, "http://127.0.0.1/_api/web"
    r.headers.update(headers)
    return r


def test_low_ratelimit_remaining_pauses_before_a_429(caplog):
    gateway = SharePointGateway("http://127.0.0.1:9/sites/x", sandbox_token)
    with caplog.at_level(logging.INFO, logger="spsync.sharepoint"):
        started = time.monotonic()
        gateway._guard_response(_response({"RateLimit-Limit": "100", "RateLimit-Remaining": "50",
                                           "RateLimit-Reset": "1"}))
        assert time.monotonic() - started < 0.5  # plenty left: no pause
        gateway._guard_response(_response({"RateLimit-Limit": "100", "RateLimit-Remaining": "5",
                                           "RateLimit-Reset": "1"}))
        assert time.monotonic() - started >= 1.0
    assert any("RateLimit-Remaining 5" in r.getMessage() and r.levelno == logging.INFO
               for r in caplog.records)
    gateway.close()


def test_batch_retry_after_reads_the_longest_part():
    body = (b"--b\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 429 Too Many\r\n"
            b"RETRY-AFTER: 7\r\n\r\n{}\r\n--b\r\n\r\nHTTP/1.1 503 Busy\r\nRetry-After: 30\r\n"
            b"\r\n{}\r\n--b--\r\n")
    assert batch_retry_after(body) == 30
    assert batch_retry_after(b"--b\r\nHTTP/1.1 204 No Content\r\n\r\n--b--") is None
