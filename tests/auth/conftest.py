"""Fixtures for certificate sign-in: a throw-away CA, an app certificate, and a local
Entra-like HTTPS token endpoint that verifies the client assertion (spsync.sandbox.entra)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from spsync.sandbox import DEMO_DATA, SandboxServer, load_csv_dir
from spsync.sandbox.entra import AppCertificate, TestCA, TokenEndpoint, make_app_certificate

TENANT = "11111111-2222-3333-4444-555555555555"
CLIENT_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def write_toml(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    lines = []
    for name, values in sections.items():
        lines.append(f"[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in values.items() if v is not None]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Entra:
    tmp: Path
    ca_path: Path
    endpoint: TokenEndpoint
    cert: AppCertificate
    pem: Path

    def auth(self, **override: Any) -> dict[str, Any]:
        values = {"mode": "certificate", "tenant_id": TENANT, "client_id": CLIENT_ID,
                  "certificate_path": str(self.pem), "authority": self.endpoint.authority,
                  "instance_discovery": False, "ca_bundle": str(self.ca_path),
                  "token_cache_path": str(self.tmp / "state" / "tokens.json")}
        values.update(override)
        return {k: v for k, v in values.items() if v is not None}

    def config(self, site_url: str, name: str = "spsync.toml", *,
               extra: dict[str, dict[str, Any]] | None = None, **auth: Any) -> Path:
        sections = {"site": {"url": site_url}, "auth": self.auth(**auth),
                    "report": {"output_dir": str(self.tmp / "out"), "upload": True},
                    "state": {"path": str(self.tmp / "state" / "spsync-state.db")},
                    **(extra or {})}
        return write_toml(self.tmp / name, sections)


@pytest.fixture
def entra(tmp_path: Path) -> Iterator[Entra]:
    ca = TestCA()
    cert = make_app_certificate("spsync-test")
    endpoint = TokenEndpoint(ca, tmp_path, tenant=TENANT, client_id=CLIENT_ID,
                             certificates=[cert.cert]).start()
    try:
        yield Entra(tmp_path, ca.write_ca(tmp_path / "ca.pem"), endpoint, cert,
                    cert.write_pem(tmp_path / "spsync-app.pem"))
    finally:
        endpoint.stop()


@pytest.fixture
def guarded_site(tmp_path: Path, entra: Entra) -> Iterator[SandboxServer]:
    """The demo site, answering 401 to any token the local Entra did not issue."""
    db = tmp_path / "guarded.db"
    load_csv_dir(db, DEMO_DATA)
    server = SandboxServer(db, require_token=entra.endpoint.is_valid).start()
    try:
        yield server
    finally:
        server.stop()
