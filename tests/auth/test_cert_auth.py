"""Certificate app-only sign-in end to end on loopback: spsync's msal app signs a client
assertion, the local HTTPS token endpoint verifies it with the certificate's public key and
issues a token, and the sandbox accepts only that token — through the real office365 client."""

from __future__ import annotations

import base64
import logging
import os
import stat

import pytest
from click.testing import CliRunner
from conftest import CLIENT_ID, Entra

from spsync.auth import CertificateTokenProvider, msal_supports_sha256
from spsync.cli import main
from spsync.config import config_from_dict, load_config
from spsync.exceptions import TokenRefused
from spsync.sandbox.entra import make_app_certificate
from spsync.sharepoint import gateway_for


def _b64url(hex_digest: str) -> str:
    return base64.urlsafe_b64encode(bytes.fromhex(hex_digest)).rstrip(b"=").decode()


def _provider(entra: Entra, site_url: str = "http://127.0.0.1:1/sites/x", **auth):
    config = config_from_dict({"site": {"url": site_url}, "auth": entra.auth(**auth)})
    from spsync.config import token_cache_file

    return CertificateTokenProvider(config.auth, site_url, cache_path=token_cache_file(config))


def test_msal_token_office365_client_and_guarded_sandbox(entra, guarded_site):
    config = load_config(entra.config(guarded_site.site_url))
    gateway = gateway_for(config)
    try:
        info = gateway.describe_lists(["Projecten"])["Projecten"]
        assert len(gateway.read_items(info, ["ProjectCode"])) == 17
    finally:
        gateway.close()
    # One token request, and the assertion is what Entra ID checks.
    (seen,) = entra.endpoint.requests
    assert seen.status == 200
    assert seen.form["grant_type"] == "client_credentials"
    assert seen.form["scope"].split()[0] == f"http://127.0.0.1:{guarded_site.port}/.default"
    assert msal_supports_sha256()
    assert seen.header["alg"] == "PS256"
    assert seen.header["x5t#S256"].rstrip("=") == _b64url(entra.cert.sha256)
    assert seen.claims["aud"] == entra.endpoint.token_url
    assert seen.claims["iss"] == seen.claims["sub"] == CLIENT_ID
    assert seen.claims["exp"] > seen.claims["iat"]
    # Every SharePoint request carried the issued token (and it was the only one accepted).
    (token,) = entra.endpoint.issued
    assert guarded_site.requests
    assert {r.headers["authorization"] for r in guarded_site.requests} == {f"Bearer {token}"}
    assert {r.status for r in guarded_site.requests} <= {200, 201, 204}


def test_token_cache_is_0600_and_reused_by_the_next_run(entra, guarded_site):
    config = load_config(entra.config(guarded_site.site_url))
    first = gateway_for(config)
    first.describe_lists(["Projecten"])
    first.close()
    cache = entra.tmp / "state" / "tokens.json"
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    second = gateway_for(config)  # a new process would do the same: new provider, same file
    second.describe_lists(["Projecten"])
    second.close()
    assert len(entra.endpoint.requests) == 1  # no second token request


def test_pfx_with_passphrase_from_env(entra, guarded_site, monkeypatch):
    pfx = entra.cert.write_pfx(entra.tmp / "spsync.pfx", passphrase="geheim-wachtwoord")
    monkeypatch.setenv("SPSYNC_PFX_PASS", "geheim-wachtwoord")
    config = load_config(entra.config(guarded_site.site_url, certificate_path=str(pfx),
                                      passphrase_env="SPSYNC_PFX_PASS"))
    assert config.auth.is_pfx
    gateway = gateway_for(config)
    gateway.describe_lists(["Projecten"])
    gateway.close()
    assert entra.endpoint.requests[0].header["x5t#S256"].rstrip("=") == _b64url(entra.cert.sha256)


def test_encrypted_pem_key_in_its_own_file(entra, guarded_site, monkeypatch):
    key = entra.tmp / "key.pem"
    key.write_bytes(entra.cert.key_pem("sleutel-zin"))
    crt = entra.tmp / "cert.pem"
    crt.write_bytes(entra.cert.cert_pem())
    monkeypatch.setenv("SPSYNC_KEY_PASS", "sleutel-zin")
    config = load_config(entra.config(guarded_site.site_url, certificate_path=str(crt),
                                      private_key_path=str(key), passphrase_env="SPSYNC_KEY_PASS"))
    gateway = gateway_for(config)
    gateway.describe_lists(["Projecten"])
    gateway.close()
    assert entra.endpoint.requests[0].status == 200


def test_sha1_only_as_configured_fallback(entra):
    provider = _provider(entra, thumbprint_algorithm="sha1")
    assert provider()["access_token"] in entra.endpoint.issued
    header = entra.endpoint.requests[0].header
    assert header["alg"] == "RS256" and header["x5t"].rstrip("=") == _b64url(entra.cert.sha1)
    assert "x5t#S256" not in header


def test_refresh_before_expiry(entra):
    entra.endpoint.expires_in = 400
    provider = _provider(entra, refresh_margin_s=600)
    first = provider()
    assert first["expires_in"] == 1  # 400 s left, 600 s margin: renew at the next request
    second = provider()
    assert second["access_token"] != first["access_token"]
    assert len(entra.endpoint.requests) == 2
    entra.endpoint.expires_in = 3599
    third = provider()  # a fresh long token is simply used, then served from the cache
    fourth = provider()
    assert third["access_token"] == fourth["access_token"]
    assert 3599 - 600 - 60 <= fourth["expires_in"] <= 3599 - 600


def test_thumbprint_that_does_not_match_is_a_dutch_warning(entra, caplog):
    with caplog.at_level(logging.WARNING, logger="spsync.auth"):
        provider = _provider(entra, certificate_thumbprint="AB" * 20)
    assert "hoort niet bij het certificaat" in caplog.text
    assert entra.cert.sha1.upper() in caplog.text
    # The certificate's own thumbprint is used: sign-in still works.
    assert provider()["access_token"] in entra.endpoint.issued
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="spsync.auth"):
        _provider(entra, certificate_thumbprint=entra.cert.sha1.upper(),
                  certificate_thumbprint_sha256=entra.cert.sha256)
    assert "hoort niet" not in caplog.text


def test_refusal_names_the_aadsts_code(entra):
    entra.endpoint.refuse_next("invalid_client", "AADSTS7000274: certificate expired")
    with pytest.raises(TokenRefused) as info:
        _provider(entra)()
    assert info.value.aadsts == "7000274" and info.value.exit_code == 3
    assert "verlopen" in info.value.message


def test_cli_wrong_certificate_is_one_dutch_refusal_exit_3(entra, guarded_site):
    other = make_app_certificate("niet-geregistreerd").write_pem(entra.tmp / "other.pem")
    cfg = entra.config(guarded_site.site_url, certificate_path=str(other))
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg),
                                       "--controledatum", "15-05-2026"], catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert "Fout: Entra ID weigert het token (invalid_client, AADSTS700027)" in result.output
    assert "Oplossing: Controleer tenant_id en client_id" in result.output
    assert "Traceback" not in result.output
    assert not [r for r in guarded_site.requests if r.method == "MERGE"]
    assert not guarded_site.requests  # nothing reached SharePoint


def test_cli_token_the_site_does_not_accept_is_exit_4(entra, tmp_path):
    from spsync.sandbox import DEMO_DATA, SandboxServer, load_csv_dir

    db = tmp_path / "other.db"
    load_csv_dir(db, DEMO_DATA)
    with SandboxServer(db, require_token={"een-ander-token"}) as site:
        cfg = entra.config(site.site_url)
        result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg)],
                                    catch_exceptions=False)
    assert result.exit_code == 4, result.output
    assert "weigert het token (401)" in result.output
    assert "Oplossing: Geef de app toegang tot deze site: Sites.Selected" in result.output
    assert "Traceback" not in result.output


def test_cli_full_cycle_with_certificate(entra, guarded_site):
    cfg = entra.config(guarded_site.site_url)
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg),
                                       "--controledatum", "2026-05-15"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Bijgewerkt: 111 item(s)" in result.output
    assert (entra.tmp / "out" / "MT-rapportage 2026-W20.docx").exists()
    assert os.path.exists(entra.tmp / "state" / "tokens.json")


def test_cli_unknown_tenant_on_the_authority(entra):
    wrong = entra.endpoint.authority.rsplit("/", 1)[0] + "/verkeerde-tenant"
    cfg = entra.config("http://127.0.0.1:9/sites/none", authority=wrong)
    result = CliRunner().invoke(main, ["run", "--once", "--config", str(cfg)],
                                catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert f"Fout: Entra ID kent de authority {wrong} niet" in result.output
    assert "Oplossing: Controleer tenant_id en auth.authority." in result.output
    assert "Traceback" not in result.output


def test_a_corrupt_token_cache_is_replaced(entra, caplog):
    cache = entra.tmp / "state" / "tokens.json"
    cache.parent.mkdir(parents=True)
    cache.write_text("{kapot", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="spsync.auth"):
        token = _provider(entra)()
    assert "Tokencache" in caplog.text and "onleesbaar" in caplog.text
    assert token["access_token"] in cache.read_text(encoding="utf-8")
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
