"""The channel part of ``[alerts]``: Dutch validation, secrets only by reference, and
``build_channels`` (each configured section one channel; ``--outbox`` replaces them all)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from spsync.alerts.channels import (
    CHANNEL_NAMES,
    GraphMailChannel,
    OutboxChannel,
    SignalenChannel,
    SmtpChannel,
    TeamsWorkflowChannel,
    UnavailableChannel,
    build_channels,
)
from spsync.alerts.digest import render_digest
from spsync.config import config_from_dict
from spsync.exceptions import ConfigError, DeliveryError

from .samples import digest

ROOT = Path(__file__).resolve().parents[2]
SITE = {"url": "http://127.0.0.1:1/sites/spsync"}


def _alerts(**sections):
    return config_from_dict({"site": SITE, "alerts": sections}).alerts


def _problems(**sections) -> list[str]:
    with pytest.raises(ConfigError) as err:
        _alerts(**sections)
    return err.value.problems


def test_every_section_builds_its_channel(tmp_path):
    cfg = _alerts(smtp={"host": "mail.swv.test", "sender": "spsync <spsync@swv.test>",
                        "username": "spsync", "password_env": "SPSYNC_SMTP_PASSWORD"},
                  graph={"sender": "spsync@swv.test"},
                  teams={"webhook_url_file": str(tmp_path / "webhook")},
                  signalen={}, outbox={"dir": str(tmp_path / "archief")},
                  templates_dir=str(tmp_path / "sjablonen"))
    channels = build_channels(cfg, outbox=None, gateway=object(),  # type: ignore[arg-type]
                              graph_token=lambda: "t")
    assert {k: type(v) for k, v in channels.items()} == {
        "smtp": SmtpChannel, "graph": GraphMailChannel, "teams": TeamsWorkflowChannel,
        "signalen": SignalenChannel, "outbox": OutboxChannel}
    assert channels["smtp"].port == 587 and channels["smtp"].security == "starttls"
    assert channels["signalen"].list_title == "Signalen"
    assert cfg.templates_dir == tmp_path / "sjablonen"
    assert all(channels[name].name == name for name in channels)


def test_nothing_configured_means_no_channels():
    assert build_channels(_alerts(), outbox=None, gateway=None, graph_token=None) == {}


def test_outbox_replaces_every_channel(tmp_path):
    cfg = _alerts(smtp={"host": "mail.swv.test", "sender": "spsync@swv.test"},
                  teams={"webhook_url_env": "X"})
    channels = build_channels(cfg, outbox=tmp_path / "out", gateway=None, graph_token=None)
    assert set(channels) == set(CHANNEL_NAMES)
    assert {id(c) for c in channels.values()} == {id(channels["smtp"])}
    box = channels["teams"]
    assert isinstance(box, OutboxChannel) and box.sender == "spsync@swv.test"
    box.send(digest(channel="teams"), render_digest(digest()))
    assert len(list((tmp_path / "out").glob("*.eml"))) == 1


def test_a_channel_that_cannot_work_fails_only_when_it_sends():
    cfg = _alerts(graph={"sender": "spsync@swv.test"}, signalen={"list_title": "Meldingen"})
    channels = build_channels(cfg, outbox=None, gateway=None, graph_token=None)
    assert all(isinstance(c, UnavailableChannel) for c in channels.values())
    with pytest.raises(DeliveryError, match="Microsoft Graph") as err:
        channels["graph"].send(digest(), render_digest(digest()))
    assert err.value.channel == "graph"


@pytest.mark.parametrize("sections,expected", [
    ({"smtp": {"host": "m", "sender": "geen-adres"}},
     "alerts.smtp.sender: moet een e-mailadres zijn"),
    ({"smtp": {"host": "m", "sender": "a@b.test", "security": "ssl"}},
     "alerts.smtp.security: moet een van deze waarden zijn: 'starttls', 'tls' of 'none'"),
    ({"smtp": {"host": "m", "sender": "a@b.test", "username": "u"}},
     "bij username hoort password_env of password_file"),
    ({"smtp": {"host": "m", "sender": "a@b.test", "username": "u", "password_env": "P",
               "password_file": "/p"}}, "niet allebei"),
    ({"smtp": {"host": "mail.swv.test", "sender": "a@b.test", "security": "none",
               "username": "u", "password_env": "P"}}, "mag alleen op 127.0.0.1"),
    ({"smtp": {"host": "m", "sender": "a@b.test", "password": "geheim"}},
     "alerts.smtp.password: onbekende instelling"),
    ({"smtp": {"host": "m", "sender": "a@b.test", "port": 70000}},
     "alerts.smtp.port: moet kleiner dan of gelijk aan 65535 zijn"),
    ({"graph": {"sender": "spsync@swv.test", "endpoint": "http://graph.example"}},
     "moet beginnen met https://"),
    ({"graph": {}}, "alerts.graph.sender: ontbreekt"),
    ({"teams": {}}, "geef webhook_url_env of webhook_url_file"),
    ({"teams": {"webhook_url": "https://x"}}, "alerts.teams.webhook_url: onbekende instelling"),
    ({"outbox": {}}, "alerts.outbox.dir: ontbreekt"),
])
def test_invalid_channel_settings_get_one_dutch_sentence(sections, expected):
    assert any(expected in p for p in _problems(**sections)), _problems(**sections)


def test_loopback_smtp_may_log_in_without_tls():
    cfg = _alerts(smtp={"host": "127.0.0.1", "port": 2525, "security": "none",
                        "sender": "a@b.test", "username": "u", "password_env": "P"})
    assert cfg.smtp is not None and cfg.smtp.port == 2525


def test_example_config_documents_every_channel_setting():
    text = (ROOT / "config" / "spsync.example.toml").read_text(encoding="utf-8")
    block = text[text.index("# --- alert channels"):]
    block = block[:block.index("\n\n")]  # the channel block ends at the first blank line
    # Uncommented on its own (other sections of the file may define [alerts] too), the
    # examples must form a valid config with every channel switched on.
    lines = [ln.split("  #")[0].removeprefix("# ") for ln in block.splitlines()
             if ln.startswith("# [") or (ln.startswith("# ") and " = " in ln)]
    data = tomllib.loads("\n".join(lines))
    cfg = config_from_dict({"site": SITE, **data}).alerts
    for section in ("smtp", "graph", "teams", "signalen", "outbox"):
        assert getattr(cfg, section) is not None, section
    assert cfg.templates_dir == Path("/etc/spsync/sjablonen")
    assert cfg.smtp.password_env == "SPSYNC_SMTP_PASSWORD" and cfg.smtp.ca_file is not None
    for name in ("password_file", "webhook_url_file"):
        assert f"{name} = " in block, name
