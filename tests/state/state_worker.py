"""A second process for the concurrency test: records the same alerts as its twin.

Usage: python state_worker.py CFG_JSON COUNT START_EPOCH REVERSED
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from state_factory import alert

from spsync.config import StateConfig
from spsync.state import open_state
from spsync.writeback import FieldChange


def main() -> None:
    cfg = StateConfig.model_validate(json.loads(sys.argv[1]))
    count, start, reverse = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4] == "1"
    items = list(range(1, count + 1))
    if reverse:
        items.reverse()
    now = datetime(2026, 5, 15, 7, tzinfo=UTC)
    while time.time() < start:  # both open at once: a fresh store is created only once
        time.sleep(0.005)
    with open_state(cfg) as store:
        run_id = store.begin_run(controledatum=date(2026, 5, 15), started_at=now,
                                 dry_run=False)
        recorded = 0
        for first in range(0, count, 10):
            batch = [alert(item_id=i) for i in items[first:first + 10]]
            recorded += len(store.record_intents(run_id, batch, now))
            store.record_changes(run_id, [FieldChange("projecten", i, "UrenStatus", None, "x")
                                          for i in items[first:first + 10]], now)
        store.finish_run(run_id, outcome="ok", ended_at=now, read_counts={}, requests=0,
                         items_written=count)
    print(recorded)


if __name__ == "__main__":
    main()
