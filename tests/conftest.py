"""Shared fixtures: a sandbox SharePoint site (loaded with the demo data or empty) and a client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from office365.sharepoint.client_context import ClientContext

from spsync.sandbox import DEMO_DATA, SandboxServer, load_csv_dir


def _token() -> dict:
    return {"access_token": "t", "token_type": "Bearer", "expires_in": 3600}


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    """A started sandbox with a fresh SQLite file loaded from the demo CSVs."""
    db = tmp_path / "sandbox.db"
    load_csv_dir(db, DEMO_DATA)
    server = SandboxServer(db).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def empty_sandbox(tmp_path: Path) -> Iterator[SandboxServer]:
    """A started sandbox without lists or users."""
    server = SandboxServer(tmp_path / "empty.db").start()
    try:
        yield server
    finally:
        server.stop()


def make_client_context(site_url: str) -> ClientContext:
    """A client of the real library with a fake bearer token."""
    return ClientContext(site_url).with_access_token(_token)


@pytest.fixture
def client_context(sandbox: SandboxServer) -> ClientContext:
    return make_client_context(sandbox.site_url)


@pytest.fixture
def ctx_factory():
    """`ctx_factory(site_url)` -> a new ClientContext (for sandboxes other than `sandbox`)."""
    return make_client_context


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs in its own folder: a config's relative paths (the default state store
    ``state/spsync-state.db``, ``out/``) land there, never in the checkout or another test's."""
    monkeypatch.chdir(tmp_path)
