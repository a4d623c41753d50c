"""Fixtures of the fault suite: a fresh demo site per test and an undisturbed run's end state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from spsync.sandbox import SandboxServer

from .site import cycle, demo_site, site_state


@pytest.fixture
def site(tmp_path: Path) -> Iterator[SandboxServer]:
    server = demo_site(tmp_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def undisturbed(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The demo site's end state after one cycle without faults (the reference)."""
    tmp = tmp_path_factory.mktemp("undisturbed")
    server = demo_site(tmp)
    try:
        outcome = cycle(server, tmp)
        assert outcome.exit_code == 0 and sum(outcome.written.values()) == 111
        return site_state(server)
    finally:
        server.stop()
