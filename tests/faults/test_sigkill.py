"""SIGKILL at seeded random points of ``spsync run --once`` (a child process), then a rerun.

The sandbox kills the child right after it has processed the k-th API request (batch parts
count one by one), before the answer leaves: the write is applied, the client never hears it.
One kill lands between the report upload and its metadata write. After each chain of crashes a
rerun must leave the lists equal to an uninterrupted run's (owned and staff columns), the
report with its metadata, and the outbox with every digest (duplicates at most one per crash).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from spsync.sandbox import SandboxServer

from .site import demo_site, diff_states, site_state

SRC = Path(__file__).resolve().parents[2] / "src"
SEED = 20260515
#: Kill points per chain; 4 chains x 5 = 20 kills.
CHAINS = 4
PER_CHAIN = 5
#: Stamped with the run's own clock (controledatum 05:00 plus the seconds the run took): a
#: rerun's stamp is seconds later. Compared as set/unset; every other field exactly.
RUN_CLOCK = frozenset({"GemistGesignaleerdOp", "HerinneringVerzondenOp", "StatusGewijzigdOp"})


class Killer:
    """Kills ``victim`` after the sandbox processed its ``kill_at``-th API request."""

    def __init__(self, server: SandboxServer) -> None:
        self.victim: int | None = None
        self.kill_at = 0
        self.count = 0
        self.match: str | None = None
        self.lock = threading.Lock()
        inner = server.process

        def process(raw_method, path, raw_query, headers, body, in_batch=False):
            resp = inner(raw_method, path, raw_query, headers, body, in_batch)
            with self.lock:
                self.count += 1
                hit = (self.match is None and self.count == self.kill_at) or (
                    self.match is not None and self.match in path)
                if self.victim is not None and hit:
                    os.kill(self.victim, signal.SIGKILL)
                    self.victim = None
            return resp

        server.process = process  # type: ignore[method-assign]

    def arm(self, victim: int, kill_at: int = 0, match: str | None = None) -> None:
        with self.lock:
            self.count, self.kill_at, self.match, self.victim = 0, kill_at, match, victim


def _config(tmp: Path, server: SandboxServer) -> Path:
    cfg = tmp / "spsync.toml"
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
""", encoding="utf-8")
    return cfg


def _start(cfg: Path, outbox: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "spsync.cli", "run", "--once", "--config", str(cfg),
         "--controledatum", "2026-05-15", "--outbox", str(outbox)],
        env={**os.environ, "PYTHONPATH": str(SRC)}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)


def _finish(proc: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
        raise AssertionError("spsync run did not finish: " + out.decode()[-2000:]) from None
    return proc.returncode, out.decode()


def _report_files(server: SandboxServer) -> dict[str, dict]:
    lib = server.store.get_list("MT-rapportages")
    assert lib is not None
    return {str(it.data.get("FileLeafRef") or it.data.get("Title")): {
        k: v for k, v in it.data.items() if k in ("Rapportageweek", "Controledatum", "Planjaar",
                                                  "Title")}
        for it in server.store.all_items(lib.id)}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> dict:
    """An uninterrupted CLI run: its end state, report metadata, outbox and request count."""
    tmp = tmp_path_factory.mktemp("reference")
    server = demo_site(tmp)
    try:
        killer = Killer(server)
        code, out = _finish(_start(_config(tmp, server), tmp / "outbox"))
        assert code == 0, out[-2000:]
        return {"state": site_state(server), "files": _report_files(server),
                "outbox": sorted(p.name for p in (tmp / "outbox").iterdir()),
                "requests": killer.count}
    finally:
        server.stop()


@pytest.mark.parametrize("chain", range(CHAINS))
def test_sigkill_at_random_points_then_a_rerun_equals_an_uninterrupted_run(
        tmp_path, reference, chain):
    rng = random.Random(SEED + chain)
    server = demo_site(tmp_path)
    try:
        killer = Killer(server)
        cfg, outbox = _config(tmp_path, server), tmp_path / "outbox"
        # The first run anywhere in a full run's requests; a rerun has less left to write
        # (its reads and the first writes come first), so later points fall in its first 25.
        points: list[tuple[int, str | None]] = [(rng.randint(1, reference["requests"]), None)]
        points += [(rng.randint(1, 25), None) for _ in range(PER_CHAIN - 1)]
        if chain == 0:  # between the report upload and its metadata write
            points[-1] = (0, "Files/add")
        kills = 0
        for kill_at, match in points:
            proc = _start(cfg, outbox)
            killer.arm(proc.pid, kill_at, match)
            code, out = _finish(proc)
            # A rerun may need fewer requests than the point: then it simply finishes.
            assert code in (-signal.SIGKILL, 0, 1), out[-2000:]
            kills += code == -signal.SIGKILL
        if chain == 0:
            assert code == -signal.SIGKILL, "not killed after the upload"
        code, out = _finish(_start(cfg, outbox))
        assert code == 0, out[-3000:]
        assert kills >= PER_CHAIN - 1, kills
        diff = [d for d in diff_states(site_state(server), reference["state"])
                if not (d[2] in RUN_CLOCK and None not in (d[3], d[4]))]
        assert diff == []
        assert _report_files(server) == reference["files"]
        got = sorted(p.name for p in outbox.iterdir())
        assert set(got) >= set(reference["outbox"])
        assert len(got) - len(reference["outbox"]) <= kills
    finally:
        server.stop()
