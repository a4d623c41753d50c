"""The daemon lock on a PostgreSQL state: a session advisory lock, on a throwaway cluster."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from spsync.config import config_from_dict
from spsync.daemon import acquire_lock
from spsync.exceptions import UserError

# The state tests' throwaway PostgreSQL cluster (skips when the server binaries are missing).
_spec = importlib.util.spec_from_file_location(
    "_state_conftest", Path(__file__).parents[1] / "state" / "conftest.py")
_state = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _state  # dataclasses look their module up there
_spec.loader.exec_module(_state)
pg_cluster = _state.pg_cluster


def test_a_second_daemon_on_the_same_postgresql_state_is_refused(pg_cluster, monkeypatch):
    monkeypatch.setenv(_state.PASSWORD_ENV, _state.PG_PASSWORD)
    config = config_from_dict({
        "site": {"url": "http://127.0.0.1:9/sites/x"}, "auth": {"mode": "sandbox"},
        "state": {"url": pg_cluster.url(pg_cluster.create_database()),
                  "password_env": _state.PASSWORD_ENV}})
    first = acquire_lock(config)
    try:
        with pytest.raises(UserError) as err:
            acquire_lock(config)
        assert err.value.exit_code == 3 and "PostgreSQL advisory lock" in err.value.message
        assert _state.PG_PASSWORD not in err.value.message
    finally:
        first.release()
    acquire_lock(config).release()
