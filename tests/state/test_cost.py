"""What the store costs a run (SQLite and PostgreSQL): a busy week's audit and alerts in well under a second
each on this machine; the bounds here are loose (a shared CI box) but catch a row-per-commit
regression, which is ~100x slower."""

from __future__ import annotations

import time

from conftest import at
from state_factory import OWNER, alert

from spsync.state import open_state
from spsync.writeback import FieldChange


def test_ten_thousand_audit_rows_and_a_thousand_intents(backend):
    with open_state(backend) as store:
        run_id = store.begin_run(controledatum=at(15).date(), started_at=at(15), dry_run=False)
        changes = [FieldChange("urenregistratie", i, "BoekingStatus", None, "Ongeldig")
                   for i in range(10_000)]
        started = time.perf_counter()
        assert store.record_changes(run_id, changes, at(15)) == 10_000
        audit_s = time.perf_counter() - started
        alerts = [alert(item_id=i) for i in range(1_000)]
        started = time.perf_counter()
        assert len(store.record_intents(run_id, alerts, at(15))) == 1_000
        intents_s = time.perf_counter() - started
        started = time.perf_counter()
        assert store.record_intents(run_id, alerts, at(15)) == []
        again_s = time.perf_counter() - started
        started = time.perf_counter()
        pending = store.pending(max_attempts=5)
        ids = [e.id for e in pending]
        store.mark_attempt(ids, "<digest@spsync>", at(15))
        store.mark_sent(ids, "<digest@spsync>", at(15))
        deliver_s = time.perf_counter() - started
    where = "PostgreSQL" if backend.url else "SQLite"
    print(f"\n{where}: 10.000 auditregels {audit_s:.3f} s; 1.000 intenties {intents_s:.3f} s; "
          f"opnieuw (niets nieuw) {again_s:.3f} s; pending+attempt+sent {deliver_s:.3f} s")
    assert len(pending) == 1_000 and pending[0].recipient == OWNER
    assert audit_s < 10 and intents_s < 10 and again_s < 10 and deliver_s < 10
