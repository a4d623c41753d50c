"""Every channel against a real receiver on loopback; what arrives is parsed back.

SMTP: aiosmtpd in plain, STARTTLS and implicit-TLS mode (self-signed certificate trusted
through ``ca_file``), with AUTH. Graph: the sandbox's ``sendMail``. Teams: an http.server
webhook. Outbox: .eml files. Failures raise DeliveryError without the secret in the message.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests

from spsync.alerts.channels import (
    GraphMailChannel,
    OutboxChannel,
    SmtpChannel,
    TeamsWorkflowChannel,
)
from spsync.alerts.channels.outbox import eml_filename
from spsync.alerts.channels.secret import SecretSource
from spsync.alerts.channels.teams import MAX_CARD_BYTES, teams_payload
from spsync.alerts.digest import render_digest
from spsync.exceptions import DeliveryError

from .htmltext import ParsedHtml
from .receivers import SMTP_PASSWORD, SMTP_USER, free_port, make_cert, smtp_server, webhook_receiver
from .samples import HOSTILE, SITE, digest, hostile_digest, line

SENDER = "spsync <spsync@swv.test>"
GRAPH_TOKEN = "graph-t0ken-zeer-geheim"
WEBHOOK_SIG = "sig-W0rkfl0w-geheim"
CLOCK = datetime(2026, 5, 15, 7, 30, tzinfo=UTC)


@pytest.fixture
def cert(tmp_path):
    return make_cert(tmp_path)


def _parse(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


def _assert_well_formed(msg: EmailMessage, d, rendered) -> None:
    """Headers, both parts, the links and the escaping of one received digest."""
    assert msg["From"] == SENDER
    assert msg["To"] == f"{d.recipient.name} <{d.recipient.address}>"
    assert msg["Subject"] == rendered.subject
    assert msg["Message-ID"] == d.message_id
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["X-Auto-Response-Suppress"] == "All"
    assert msg["Content-Language"] == "nl"
    assert msg["X-Spsync-Run"] == "7"
    assert parsedate_to_datetime(msg["Date"]) == CLOCK
    assert msg.get_content_type() == "multipart/alternative"
    text_part, html_part = list(msg.iter_parts())
    assert text_part.get_content_type() == "text/plain"
    assert html_part.get_content_type() == "text/html"
    assert text_part.get_content_charset() == html_part.get_content_charset() == "utf-8"
    # Line ends are CRLF on the wire; the content is otherwise exactly what was rendered.
    assert text_part.get_content().replace("\r\n", "\n") == rendered.text
    assert html_part.get_content().replace("\r\n", "\n") == rendered.html
    html = ParsedHtml(html_part.get_content())
    assert [href for href, _ in html.links] == [ln.link for ln in d.lines]
    assert "script" not in html.tags


# ---- SMTP ------------------------------------------------------------------------------------

def _smtp(port: int, security: str, cert=None, auth: bool = False, **kw) -> SmtpChannel:
    password = SecretSource("Het SMTP-wachtwoord", "smtp", env="SPSYNC_TEST_SMTP_PW") \
        if auth else None
    return SmtpChannel(host="127.0.0.1", port=port, security=security, sender=SENDER,
                       username=SMTP_USER if auth else None, password=password,
                       ca_file=cert[0] if cert else None, timeout=5, clock=lambda: CLOCK, **kw)


@pytest.mark.parametrize("security,auth", [("none", False), ("starttls", True), ("tls", True)])
def test_smtp_delivers_one_well_formed_multipart_message(cert, monkeypatch, security, auth):
    monkeypatch.setenv("SPSYNC_TEST_SMTP_PW", SMTP_PASSWORD)
    d = hostile_digest()
    d = type(d)(d.recipient, d.channel, d.lines + (line("uren", 4, list_key="projecten"),),
                d.message_id, d.organisation, d.run_id)
    rendered = render_digest(d)
    with smtp_server(security, cert, auth=auth) as (port, inbox):
        result = _smtp(port, security, cert if security != "none" else None, auth).send(
            d, rendered)
    assert result == d.message_id
    assert len(inbox.envelopes) == 1
    envelope = inbox.envelopes[0]
    assert envelope.mail_from == "spsync@swv.test"
    assert envelope.rcpt_tos == [d.recipient.address]
    assert len(inbox.logins) == (1 if auth else 0)  # AUTH really happened
    msg = _parse(envelope.original_content or envelope.content)
    _assert_well_formed(msg, d, rendered)
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert HOSTILE in text and "49" not in text


def test_smtp_password_can_come_from_a_file(cert, tmp_path):
    secret_file = tmp_path / "smtp-password"
    secret_file.write_text(SMTP_PASSWORD + "\n", encoding="utf-8")
    with smtp_server("starttls", cert, auth=True) as (port, inbox):
        SmtpChannel(host="127.0.0.1", port=port, security="starttls", sender=SENDER,
                    username=SMTP_USER, ca_file=cert[0], timeout=5,
                    password=SecretSource("Het SMTP-wachtwoord", "smtp", file=secret_file)
                    ).send(digest(), render_digest(digest()))
    assert len(inbox.envelopes) == 1


def test_smtp_wrong_password_is_a_delivery_error_without_the_password(cert, monkeypatch):
    monkeypatch.setenv("SPSYNC_TEST_SMTP_PW", "fout-wachtwoord-99")
    with smtp_server("starttls", cert, auth=True, only_plain=True) as (port, inbox), \
            pytest.raises(DeliveryError) as err:
        _smtp(port, "starttls", cert, auth=True).send(digest(), render_digest(digest()))
    assert "weigert de aanmelding" in err.value.message and "535" in err.value.message
    assert "fout-wachtwoord-99" not in str(err.value) and inbox.envelopes == []
    assert err.value.channel == "smtp"


def test_smtp_never_falls_back_to_plain_text_when_starttls_is_missing(monkeypatch):
    monkeypatch.setenv("SPSYNC_TEST_SMTP_PW", SMTP_PASSWORD)
    with smtp_server("none") as (port, inbox), pytest.raises(DeliveryError) as err:
        _smtp(port, "starttls", auth=True).send(digest(), render_digest(digest()))
    assert "STARTTLS" in err.value.message and inbox.envelopes == []


def test_smtp_refuses_an_untrusted_certificate(cert):
    with smtp_server("tls", cert) as (port, inbox), pytest.raises(DeliveryError) as err:
        _smtp(port, "tls").send(digest(), render_digest(digest()))  # no ca_file
    assert "niet te vertrouwen" in err.value.message and inbox.envelopes == []


def test_smtp_refused_recipient_is_a_delivery_error():
    with smtp_server("none") as (port, inbox), pytest.raises(DeliveryError) as err:
        inbox.refuse.add("teamleider@swv.test")
        _smtp(port, "none").send(digest(), render_digest(digest()))
    assert err.value.message.endswith("weigert de ontvanger (teamleider@swv.test: 550).")
    assert inbox.envelopes == []


def test_smtp_closed_port_is_a_delivery_error(monkeypatch):
    monkeypatch.setenv("SPSYNC_TEST_SMTP_PW", SMTP_PASSWORD)
    with pytest.raises(DeliveryError) as err:
        _smtp(free_port(), "none", auth=True).send(digest(), render_digest(digest()))
    assert "niet bereikbaar" in err.value.message and SMTP_PASSWORD not in str(err.value)


def test_smtp_missing_password_env_names_the_variable_not_a_value(monkeypatch):
    monkeypatch.delenv("SPSYNC_TEST_SMTP_PW", raising=False)
    with pytest.raises(DeliveryError, match="SPSYNC_TEST_SMTP_PW"):
        _smtp(free_port(), "starttls", auth=True).send(digest(), render_digest(digest()))


# ---- Microsoft Graph (the sandbox's sendMail) ------------------------------------------------

def _graph(sandbox, token=lambda: GRAPH_TOKEN) -> GraphMailChannel:
    return GraphMailChannel(sender="spsync@swv.test", token_provider=token,
                            endpoint=sandbox.graph_url, timeout=(2, 5))


def test_graph_send_mail_is_accepted_and_well_formed(empty_sandbox, caplog):
    d = hostile_digest()
    rendered = render_digest(d)
    # requests/urllib3 debug output included (a CLI test earlier may have quietened urllib3)
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="urllib3"):
        assert _graph(empty_sandbox).send(d, rendered) == d.message_id
    assert "sendMail" in caplog.text and GRAPH_TOKEN not in caplog.text
    [stored] = empty_sandbox.sent_mail
    assert stored["sender"] == "spsync@swv.test"
    payload = stored["payload"]
    assert payload["saveToSentItems"] is False
    message = payload["message"]
    assert message["subject"] == rendered.subject
    assert message["body"] == {"contentType": "HTML", "content": rendered.html}
    assert message["toRecipients"] == [{"emailAddress": {"address": "teamleider@swv.test",
                                                         "name": "Teamleider toeleiding"}}]
    headers = {h["name"]: h["value"] for h in message["internetMessageHeaders"]}
    assert headers == {"X-Spsync-Message-Id": d.message_id, "X-Auto-Response-Suppress": "All"}
    html = ParsedHtml(message["body"]["content"])
    assert [href for href, _ in html.links] == [d.lines[0].link]
    assert html.text.count(HOSTILE) == 2 and "script" not in html.tags
    # The token travelled as a bearer token ...
    [request] = [r for r in empty_sandbox.requests if r.path.endswith("/sendMail")]
    assert request.headers["authorization"] == f"Bearer {GRAPH_TOKEN}"
    assert request.headers["user-agent"].startswith("NONISV|SWV|spsync/")
    # ... and the control API shows the same message.
    via_api = requests.get(f"http://127.0.0.1:{empty_sandbox.port}/_sandbox/sent_mail",
                           timeout=5).json()
    assert via_api[0]["payload"] == payload


@pytest.mark.parametrize("status", [429, 503])
def test_graph_throttling_is_a_delivery_error_with_retry_after(empty_sandbox, status):
    empty_sandbox.inject(status, path_contains="sendMail", retry_after=7)
    with pytest.raises(DeliveryError) as err:
        _graph(empty_sandbox).send(digest(), render_digest(digest()))
    assert f"({status})" in err.value.message and "Retry-After" in err.value.message
    assert err.value.retry_after == "7" and err.value.channel == "graph"
    assert GRAPH_TOKEN not in str(err.value) and empty_sandbox.sent_mail == []


def test_graph_failures_never_show_the_token(empty_sandbox):
    def broken() -> str:
        raise RuntimeError(f"msal said {GRAPH_TOKEN}")

    with pytest.raises(DeliveryError) as err:
        _graph(empty_sandbox, broken).send(digest(), render_digest(digest()))
    assert "Geen token" in err.value.message and GRAPH_TOKEN not in str(err.value)
    with pytest.raises(DeliveryError) as err:
        _graph(empty_sandbox, lambda: "").send(digest(), render_digest(digest()))
    assert "Geen token" in err.value.message
    closed = GraphMailChannel(sender="spsync@swv.test", token_provider=lambda: GRAPH_TOKEN,
                              endpoint=f"http://127.0.0.1:{free_port()}/v1.0", timeout=(1, 1))
    with pytest.raises(DeliveryError) as err:
        closed.send(digest(), render_digest(digest()))
    assert "niet bereikbaar" in err.value.message and GRAPH_TOKEN not in str(err.value)
    empty_sandbox.inject(403, path_contains="sendMail", message="Access is denied.")
    with pytest.raises(DeliveryError) as err:
        _graph(empty_sandbox).send(digest(), render_digest(digest()))
    assert "Mail.Send" in err.value.message and err.value.status == 403


def test_sandbox_send_mail_checks_what_graph_checks(empty_sandbox):
    url = f"{empty_sandbox.graph_url}/users/spsync@swv.test/sendMail"
    ok = {"message": {"subject": "s", "body": {"contentType": "Text", "content": "c"},
                      "toRecipients": [{"emailAddress": {"address": "a@b.test"}}]}}
    auth = {"Authorization": "Bearer x"}
    assert requests.post(url, json=ok, timeout=5).status_code == 401
    assert requests.post(url, json=ok, headers=auth, timeout=5).status_code == 202
    bad_header = json.loads(json.dumps(ok))
    bad_header["message"]["internetMessageHeaders"] = [{"name": "Auto-Submitted",
                                                        "value": "auto-generated"}]
    response = requests.post(url, json=bad_header, headers=auth, timeout=5)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidInternetMessageHeader"
    no_rcpt = json.loads(json.dumps(ok))
    no_rcpt["message"]["toRecipients"] = []
    assert requests.post(url, json=no_rcpt, headers=auth, timeout=5).status_code == 400
    assert len(empty_sandbox.sent_mail) == 1
    requests.post(f"http://127.0.0.1:{empty_sandbox.port}/_sandbox/clear_sent_mail", timeout=5)
    assert empty_sandbox.sent_mail == []


# ---- Teams (Workflows webhook) ---------------------------------------------------------------

def _teams_env(monkeypatch, port: int) -> TeamsWorkflowChannel:
    url = (f"http://127.0.0.1:{port}/workflows/abc/triggers/manual/paths/invoke"
           f"?api-version=1&sig={WEBHOOK_SIG}")
    monkeypatch.setenv("SPSYNC_TEST_TEAMS_URL", url)
    return TeamsWorkflowChannel(webhook=SecretSource("De Teams-webhook-URL", "teams",
                                                     env="SPSYNC_TEST_TEAMS_URL"), timeout=5)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_teams_card_arrives_with_groups_and_open_url_links(monkeypatch, caplog):
    d = digest(line("uren", 4, list_key="projecten", ref="P-2526-04", figure="262,5 van 240 uur"),
               line(title=HOSTILE))
    with webhook_receiver() as (port, hooked), caplog.at_level(logging.DEBUG):
        assert _teams_env(monkeypatch, port).send(d, render_digest(d)) == d.message_id
    [request] = hooked.requests
    assert WEBHOOK_SIG in request["path"]  # the receiver got the full URL ...
    assert WEBHOOK_SIG not in caplog.text  # ... but no log line carries it
    body = request["body"]
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    nodes = list(_walk(card["body"]))
    urls = [n["url"] for n in nodes if n.get("type") == "Action.OpenUrl"]
    assert urls == [f"{SITE}/Lists/Jaarkalender/DispForm.aspx?ID=14",
                    f"{SITE}/Lists/Projecten/DispForm.aspx?ID=4"]
    headings = [n["text"] for n in nodes if n.get("type") == "TextBlock"]
    assert headings == ["Signalen uit spsync", "Gemist (1)", "Uren (1)"]
    runs = [n["text"] for n in nodes if n.get("type") == "TextRun"]
    assert f"{HOSTILE} (Jaarkalender 14)" in runs  # item text only in plain TextRuns
    assert "Stand: 262,5 van 240 uur" in runs
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"


def test_teams_card_stays_under_the_size_limit_and_says_what_it_left_out():
    d = digest(*[line(item_id=i, title=f"Document {i} " + "x" * 150) for i in range(200)])
    payload = teams_payload(d, render_digest(d))
    size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    assert size <= MAX_CARD_BYTES
    nodes = list(_walk(payload))
    shown = sum(1 for n in nodes if n.get("type") == "Action.OpenUrl")
    [note] = [n["text"] for n in nodes if str(n.get("text", "")).startswith("En nog ")]
    assert 10 < shown < 200 and note.startswith(f"En nog {200 - shown} ")


@pytest.mark.parametrize("status,expected", [(429, "Retry-After"), (503, "Retry-After"),
                                             (400, "weigert")])
def test_teams_refusal_is_a_delivery_error_without_the_url(monkeypatch, status, expected):
    with webhook_receiver() as (port, hooked), pytest.raises(DeliveryError) as err:
        hooked.status, hooked.headers = status, {"Retry-After": "30"}
        _teams_env(monkeypatch, port).send(digest(), render_digest(digest()))
    assert expected in err.value.message and err.value.status == status
    assert WEBHOOK_SIG not in str(err.value) and "127.0.0.1" not in str(err.value)


def test_teams_unreachable_or_unset_webhook(monkeypatch):
    with pytest.raises(DeliveryError) as err:
        _teams_env(monkeypatch, free_port()).send(digest(), render_digest(digest()))
    assert "niet bereikbaar" in err.value.message and WEBHOOK_SIG not in str(err.value)
    monkeypatch.delenv("SPSYNC_TEST_TEAMS_URL")
    channel = TeamsWorkflowChannel(webhook=SecretSource("De Teams-webhook-URL", "teams",
                                                        env="SPSYNC_TEST_TEAMS_URL"))
    with pytest.raises(DeliveryError, match="SPSYNC_TEST_TEAMS_URL"):
        channel.send(digest(), render_digest(digest()))


# ---- Outbox ----------------------------------------------------------------------------------

def test_outbox_writes_a_parseable_eml_and_a_resend_overwrites_it(tmp_path):
    folder = tmp_path / "outbox"
    d = hostile_digest()
    rendered = render_digest(d)
    box = OutboxChannel(folder, sender=SENDER, clock=lambda: CLOCK)
    assert box.send(d, rendered) == d.message_id
    [path] = folder.iterdir()
    assert path.name == eml_filename(d.message_id) and path.suffix == ".eml"
    raw = path.read_bytes()
    assert b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")  # RFC 5322 line ends
    _assert_well_formed(_parse(raw), d, rendered)
    # A resend (after a crash) of the same digest replaces the file ...
    later = OutboxChannel(folder, sender=SENDER, clock=lambda: CLOCK.replace(hour=9))
    later.send(d, rendered)
    [again] = folder.iterdir()
    assert again == path and _parse(again.read_bytes())["Date"] != _parse(raw)["Date"]
    # ... and another digest adds one.
    other = digest(message_id="<spsync-r7-def456@swv.test>", address="mt@swv.test", name="MT")
    box.send(other, render_digest(other))
    assert len(list(folder.glob("*.eml"))) == 2 and not list(folder.glob(".*"))


def test_outbox_file_names_are_safe_and_distinct():
    names = {eml_filename(m) for m in ("<a/b@x>", "<a:b@x>", "<a b@x>", "../../etc/passwd")}
    assert len(names) == 4
    assert all("/" not in n and ".." not in n.removesuffix(".eml") for n in names)


def test_outbox_unwritable_folder_is_a_delivery_error(tmp_path):
    blocker = tmp_path / "outbox"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(DeliveryError, match="outbox") as err:
        OutboxChannel(blocker).send(digest(), render_digest(digest()))
    assert err.value.channel == "outbox"
    assert list(Path(tmp_path).iterdir()) == [blocker]
