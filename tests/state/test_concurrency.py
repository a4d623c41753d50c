"""Two processes on one store (the daemon and a manual ``spsync run``) record each alert once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import at
from state_factory import alert

from spsync.state import open_state

WORKER = Path(__file__).with_name("state_worker.py")
COUNT = 150


def test_two_processes_creating_one_store_and_recording_the_same_alerts(backend):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    cfg = json.dumps(backend.model_dump(mode="json"))
    start = time.time() + 1.5
    procs = [subprocess.Popen([sys.executable, str(WORKER), cfg, str(COUNT), str(start), rev],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for rev in ("0", "1")]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    recorded = [int(out) for out, _ in results]
    # Between them every alert was recorded exactly once.
    assert sum(recorded) == COUNT
    with open_state(backend) as store:
        rows = store.alerts_between(at(1), at(31))
        assert len(rows) == COUNT == len({e.dedupe_key for e in rows})
        assert sorted(e.item_id for e in rows) == list(range(1, COUNT + 1))
        assert [r.outcome for r in store.runs()] == ["ok", "ok"]
        assert all(len(store.history("projecten", i)) == 2 for i in (1, COUNT // 2, COUNT))
        assert store.record_intents(store.runs()[0].id, [alert(item_id=1)], at(16)) == []
        with store._engine.connect() as conn:  # the schema was stamped once, not twice
            assert conn.exec_driver_sql("SELECT count(*) FROM schema_version").scalar() == 1
