"""Logs: text or JSON lines, a log file for ``run``, and no secret in any line — also not from
the libraries at DEBUG. The full-cycle test runs ``-vv`` with certificate sign-in against the
guarded sandbox and greps console and file for the token, the form digest, the key's PEM lines
and a webhook URL from the environment, after provoking libraries to log each of them."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from spsync.auth import CertificateTokenProvider
from spsync.cli import main
from spsync.logs import redact, register_secret
from spsync.sharepoint import SharePointGateway

WEBHOOK = ("https://contoso.webhook.office.com/webhookb2/1a2b3c4d-0000@5e6f/IncomingWebhook/"
           "0123456789abcdef0123456789abcdef/99999999-8888")


@pytest.fixture
def leaky_libraries(monkeypatch):
    """Make the libraries' loggers print every secret at DEBUG, as a careless library might."""
    seen: dict[str, str] = {}
    original_call = CertificateTokenProvider.__call__
    original_digest = SharePointGateway._fetch_digest

    def call(self):
        token = original_call(self)
        seen["token"] = token["access_token"]
        logging.getLogger("msal.token_cache").debug("Token response: %s", json.dumps(
            {"access_token": token["access_token"], "token_type": "Bearer"}))
        logging.getLogger("urllib3.connectionpool").debug("token alone: %s", token["access_token"])
        logging.getLogger("office365").debug("key material: %s", self.credential.private_key_pem)
        logging.getLogger("requests").debug("channel %s", WEBHOOK)
        return token

    def digest(self, request):
        info = original_digest(self, request)
        seen["digest"] = info.FormDigestValue
        logging.getLogger("office365.runtime").debug("X-RequestDigest: %s", info.FormDigestValue)
        logging.getLogger("office365.runtime").debug("digest alone %s", info.FormDigestValue)
        return info

    monkeypatch.setattr(CertificateTokenProvider, "__call__", call)
    monkeypatch.setattr(SharePointGateway, "_fetch_digest", digest)
    monkeypatch.setenv("SPSYNC_TEAMS_WEBHOOK", WEBHOOK)
    return seen


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_full_debug_cycle_leaks_no_secret(entra, guarded_site, leaky_libraries, log_format):
    logfile = entra.tmp / "log" / "spsync.log"
    cfg = entra.config(guarded_site.site_url, extra={"logging": {"file": str(logfile)}})
    result = CliRunner().invoke(main, ["-vv", "--log-format", log_format, "run", "--once",
                                       "--config", str(cfg), "--controledatum", "2026-05-15"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    written = logfile.read_text(encoding="utf-8")
    # DEBUG really was on, for the libraries too, and the provoked lines are there, redacted.
    assert "urllib3" in written and "msal" in written
    assert "token alone: [verborgen]" in written and "digest alone [verborgen]" in written
    assert "channel [verborgen]" in written  # the env value, registered as a secret
    secrets = [leaky_libraries["token"], leaky_libraries["digest"], WEBHOOK,
               "contoso.webhook.office.com"]
    key_lines = [line for line in entra.cert.key_pem().decode().splitlines()
                 if "-----" not in line]
    assert len(key_lines) > 20
    for text in (written, result.output):
        for secret in secrets:
            assert secret not in text
        assert not [line for line in key_lines if line in text]
        assert "PRIVATE KEY" not in text
    # What actually travelled: the sandbox saw the token and the digest.
    assert any(leaky_libraries["token"] in r.headers.get("authorization", "")
               for r in guarded_site.requests)
    if log_format == "json":
        entries = [json.loads(line) for line in written.splitlines()]
        assert {"time", "level", "logger", "message"} <= set(entries[0])
        run_ids = {e.get("run_id") for e in entries if e["logger"].startswith("spsync")}
        assert len(run_ids) == 1 and None not in run_ids


def test_redact_shapes():
    register_secret("registriertes-geheim-123")
    samples = {
        "Authorization: Bearer abc.def-ghi": "abc.def-ghi",
        "header {'Authorization': 'Bearer xyz123456'}": "xyz123456",
        "jwt eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJl": "eyJhbGciOiJQUzI1NiJ9",
        "0x" + "AB" * 32 + ",02 Dec 2026 00:41:06 -0000": "ABABABAB",
        '{"FormDigestValue": "geheim-digest"}': "geheim-digest",
        "password=hunter2hunter2&x=1": "hunter2hunter2",
        "postgresql://spsync:wachtwoord@db/spsync": "wachtwoord",
        "https://prod-01.westeurope.logic.azure.com:443/workflows/abc/triggers?sig=SIGVALUE":
            "SIGVALUE",
        "key -----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY----- done": "MIIEv",
        "and registriertes-geheim-123 too": "registriertes-geheim-123",
        "post https://fabrikam.webhook.office.com/webhookb2/zzz-123/IncomingWebhook/x": "zzz-123",
        "slack https://hooks.slack.com/services/T000/B000/XXXXSECRET": "XXXXSECRET",
    }
    for text, secret in samples.items():
        cleaned = redact(text)
        assert secret not in cleaned, cleaned
        assert "[verborgen]" in cleaned
    assert redact("Gelezen: Projecten, 17 items") == "Gelezen: Projecten, 17 items"


def test_dry_run_writes_nothing_and_says_so(sandbox, tmp_path):
    cfg = tmp_path / "c.toml"
    out = tmp_path / "rapporten"
    cfg.write_text(f'[site]\nurl = "{sandbox.site_url}"\n[auth]\nmode = "sandbox"\n'
                   f'[report]\noutput_dir = "{out}"\nupload = true\n', encoding="utf-8")
    sandbox.clear_log()
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg), "--dry-run",
                                       "--controledatum", "2026-05-15"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not [r for r in sandbox.requests if r.method not in ("GET",) and
                r.path.lower() not in ("contextinfo", "$batch")]
    batches = [r for r in sandbox.requests if r.path == "$batch"]
    assert all(b"MERGE" not in r.body for r in batches)
    assert not out.exists() or not list(out.iterdir())
    assert "er is niets naar SharePoint geschreven of geüpload" in result.output
    assert "er is ook geen lokaal rapport opgeslagen" in result.output
    kept = tmp_path / "kopie"
    again = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg), "--dry-run",
                                      "--controledatum", "2026-05-15", "--out", str(kept)],
                               catch_exceptions=False)
    assert (kept / "MT-rapportage 2026-W20.docx").exists()
    assert f"alleen het rapport is lokaal opgeslagen ({kept / 'MT-rapportage 2026-W20.docx'})" \
        in again.output


def test_rolling_secrets_stay_bounded():
    from spsync import logs

    for n in range(logs.ROLLING_SECRETS + 10):
        register_secret(f"kortlevend-token-{n:04d}", rolling=True)
    assert len(logs._rolling) == logs.ROLLING_SECRETS
    newest = f"kortlevend-token-{logs.ROLLING_SECRETS + 9:04d}"
    assert redact(f"x {newest} y") == "x [verborgen] y"
