"""A Teams channel through a Workflows webhook ("When a Teams webhook request is received"):
one Adaptive Card 1.4 per digest, the lines grouped by kind, each with an ``Action.OpenUrl``.

Choices:

- item text goes into ``TextRun``s of a ``RichTextBlock``, which Teams shows as plain text
  (a ``TextBlock`` would interpret ``**``, ``[x](y)`` and lists as Markdown);
- Teams refuses posts above about 28 KB ("request entity too large"), and others saw failures
  from 21 KB, so the card stays under :data:`MAX_CARD_BYTES`; lines beyond it are left out and
  the card says how many (the e-mail and the Signalen list carry them all);
- the webhook URL is a secret (its ``sig`` parameter is the credential): it is read at send
  time and posted with ``urllib.request``, because urllib3 (under requests) logs every request
  URL at DEBUG; it never appears in a log line or an error message.
"""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from spsync.alerts.channels.secret import SecretSource, redact
from spsync.alerts.digest import digest_context
from spsync.alerts.model import Digest, RenderedMessage
from spsync.exceptions import DeliveryError

__all__ = ["MAX_CARD_BYTES", "TeamsWorkflowChannel", "teams_payload"]

#: Budget for the whole JSON body, well under Teams' ~28 KB message limit.
MAX_CARD_BYTES = 20_000


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": text, **style}]}


def _line_container(line: dict[str, Any]) -> dict[str, Any]:
    title = line["title"] + (f" ({line['ref']})" if line["ref"] else "")
    items: list[dict[str, Any]] = [_text(title, weight="Bolder")]
    facts = [f"Eigenaar: {line['owner'] or 'onbekend'}", f"Datum: {line['date_label']}"]
    if line["figure"]:
        facts.append(f"Stand: {line['figure']}")
    facts.append(f"Wat te doen: {line['action']}")
    items += [_text(fact) for fact in facts]
    container: dict[str, Any] = {"type": "Container", "separator": True, "spacing": "Medium",
                                 "items": items}
    if line["link_is_web"]:
        items.append({"type": "ActionSet", "actions": [
            {"type": "Action.OpenUrl", "title": "Open het item", "url": line["link"]}]})
    return container


def _envelope(body: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "message", "attachments": [{
        "contentType": "application/vnd.microsoft.card.adaptive",
        "contentUrl": None,
        "content": {"type": "AdaptiveCard",
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "version": "1.4", "msteams": {"width": "Full"}, "body": body}}]}


def _size(payload: dict[str, Any]) -> int:
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def teams_payload(digest: Digest, message: RenderedMessage,
                  max_bytes: int = MAX_CARD_BYTES) -> dict[str, Any]:
    """The webhook body: the card with as many lines as fit in ``max_bytes``."""
    ctx = digest_context(digest)
    head = [{"type": "TextBlock", "text": "Signalen uit spsync", "weight": "Bolder",
             "size": "Medium", "wrap": True},
            _text(message.subject, isSubtle=True),
            _text(f"Voor: {digest.recipient.name}", isSubtle=True)]
    footer = [_text(ctx["footer_reason"] + " " + ctx["footer_once"], isSubtle=True,
                    size="Small")]
    body = list(head)
    left_out = 0
    for group in ctx["groups"]:
        heading = {"type": "TextBlock", "text": f"{group['heading']} ({group['count']})",
                   "weight": "Bolder", "spacing": "Large", "wrap": True}
        added_heading = False
        for line in group["lines"]:
            candidate = [heading] if not added_heading else []
            candidate.append(_line_container(line))
            if left_out or _size(_envelope(body + candidate + footer)) > max_bytes - 300:
                left_out += 1
                continue
            body += candidate
            added_heading = True
    if left_out:
        body.append(_text(f"En nog {left_out} signaal/signalen die niet op deze kaart passen; "
                          "ze staan in de e-mail en in de lijst Signalen.", weight="Bolder"))
    return _envelope(body + footer)


class TeamsWorkflowChannel:
    """Posts each digest as a card to the Workflows webhook whose URL is in ``webhook``."""

    def __init__(self, *, webhook: SecretSource, timeout: float = 30.0,
                 ca_file: Path | None = None, name: str = "teams") -> None:
        self.name = name
        self._webhook = webhook
        self.timeout = timeout
        self.ca_file = ca_file

    def send(self, digest: Digest, message: RenderedMessage) -> str:
        """POST the card; returns the digest's message id. Raises DeliveryError."""
        url = self._webhook.read()
        if not url.lower().startswith(("https://", "http://")):
            raise DeliveryError("De Teams-webhook is geen http(s)-adres.", channel=self.name)
        data = json.dumps(teams_payload(digest, message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=data, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8"})
        context = ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout,
                                        context=context) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            retry_after = exc.headers.get("Retry-After") if exc.headers else None
            exc.close()
            wait = f"; opnieuw proberen na {retry_after} s (Retry-After)" if retry_after else ""
            if status in (429, 503):
                raise DeliveryError(f"Teams beperkt het aantal berichten ({status}){wait}.",
                                    channel=self.name, status=status,
                                    retry_after=retry_after) from None
            if status == 413:
                raise DeliveryError("Teams weigert de kaart: te groot (413).",
                                    channel=self.name, status=status) from None
            raise DeliveryError(f"De Teams-webhook weigert het bericht ({status}).",
                                channel=self.name, status=status) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryError(redact(f"De Teams-webhook is niet bereikbaar "
                                       f"({type(reason).__name__}).", url),
                                channel=self.name) from None
        if not 200 <= status < 300:
            raise DeliveryError(f"De Teams-webhook antwoordt onverwacht ({status}).",
                                channel=self.name, status=status)
        return digest.message_id
