"""E-mail through Microsoft Graph ``POST /users/{sender}/sendMail`` (JSON message).

JSON rather than Graph's MIME variant: only the JSON form takes ``saveToSentItems: false``, so
the shared sender mailbox does not fill up with digests. Graph accepts custom headers only when
their name starts with ``x-`` (``internetMessageHeaders``), so ``Auto-Submitted`` cannot travel
this way; ``X-Auto-Response-Suppress`` and our message id (``X-Spsync-Message-Id``) do. The body
is the HTML part (Graph sends one body; Outlook derives a text part itself).

The token comes from a callable (scope :data:`GRAPH_SCOPE`, the app's own credential); it is
sent only in the ``Authorization`` header, which requests/urllib3 never log. A 202 means Graph
accepted the message; 429/503 become a DeliveryError that carries ``retry_after``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests

from spsync import __version__
from spsync.alerts.channels.message import message_id_header
from spsync.alerts.channels.secret import redact
from spsync.alerts.model import Digest, RenderedMessage
from spsync.exceptions import DeliveryError

__all__ = ["DEFAULT_ENDPOINT", "GRAPH_SCOPE", "GraphMailChannel", "graph_payload"]

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
DEFAULT_ENDPOINT = "https://graph.microsoft.com/v1.0"


def graph_payload(digest: Digest, message: RenderedMessage, sender: str) -> dict[str, Any]:
    """The ``sendMail`` request body for one digest."""
    return {
        "message": {
            "subject": message.subject,
            "body": {"contentType": "HTML", "content": message.html},
            "toRecipients": [{"emailAddress": {"address": digest.recipient.address,
                                               "name": digest.recipient.name}}],
            "internetMessageHeaders": [
                {"name": "X-Spsync-Message-Id",
                 "value": message_id_header(digest.message_id, sender)},
                {"name": "X-Auto-Response-Suppress", "value": "All"},
            ],
        },
        "saveToSentItems": False,
    }


def _retry_after(response: requests.Response) -> str | None:
    """The larger of Retry-After and RateLimit-Reset, in seconds, when either is given."""
    values = []
    for header in ("Retry-After", "RateLimit-Reset"):
        raw = response.headers.get(header)
        if raw and raw.strip().isdigit():
            values.append(int(raw.strip()))
    return str(max(values)) if values else None


def _graph_error(response: requests.Response) -> str:
    try:
        error = response.json().get("error") or {}
        return f"{error.get('code', '')}: {str(error.get('message', ''))[:200]}".strip(": ")
    except ValueError:
        return response.text[:200]


class GraphMailChannel:
    """Sends each digest from the mailbox ``sender`` (needs the app permission Mail.Send,
    ideally limited to that mailbox with an Exchange application access policy)."""

    def __init__(self, *, sender: str, token_provider: Callable[[], str],
                 endpoint: str = DEFAULT_ENDPOINT, timeout: tuple[float, float] = (10.0, 30.0),
                 user_agent_org: str = "SWV", session: requests.Session | None = None,
                 name: str = "graph") -> None:
        self.name = name
        self.sender = sender
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self._token_provider = token_provider
        self._session = session or requests.Session()
        self._session.headers["User-Agent"] = f"NONISV|{user_agent_org}|spsync/{__version__}"

    def _token(self) -> str:
        try:
            token = self._token_provider()
        except DeliveryError:
            raise
        except Exception as exc:
            raise DeliveryError(f"Geen token voor Microsoft Graph ({type(exc).__name__}).",
                                channel=self.name) from None
        if not token:
            raise DeliveryError("Geen token voor Microsoft Graph (leeg).", channel=self.name)
        return token

    def send(self, digest: Digest, message: RenderedMessage) -> str:
        """POST the message; returns its message id. Raises DeliveryError."""
        token = self._token()
        url = f"{self.endpoint}/users/{quote(self.sender, safe='@')}/sendMail"
        try:
            response = self._session.post(
                url, json=graph_payload(digest, message, self.sender), timeout=self.timeout,
                headers={"Authorization": f"Bearer {token}"})
        except requests.RequestException as exc:
            raise DeliveryError(f"Microsoft Graph is niet bereikbaar ({type(exc).__name__}).",
                                channel=self.name) from None
        status = response.status_code
        if status == 202:
            return message_id_header(digest.message_id, self.sender)
        detail = redact(_graph_error(response), token)
        if status in (429, 503):
            retry_after = _retry_after(response)
            wait = f"; opnieuw proberen na {retry_after} s (Retry-After)" if retry_after else ""
            raise DeliveryError(f"Microsoft Graph beperkt het verzenden ({status}){wait}.",
                                channel=self.name, status=status, retry_after=retry_after)
        if status in (401, 403):
            raise DeliveryError(f"Microsoft Graph weigert het verzenden namens {self.sender} "
                                f"({status} {detail}); heeft de app de toestemming Mail.Send "
                                "voor deze mailbox?", channel=self.name, status=status)
        raise DeliveryError(f"Microsoft Graph weigert het bericht ({status} {detail}).",
                            channel=self.name, status=status)
