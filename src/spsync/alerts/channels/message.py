"""The RFC 5322 message of a digest, shared by the SMTP channel and the outbox.

Headers chosen for staff who rely on these messages:

- ``Message-ID`` is the digest's own id (assigned before sending), so a resend after a crash
  carries the same id and mail systems that dedupe on it show one message;
- ``Auto-Submitted: auto-generated`` (RFC 3834) and ``X-Auto-Response-Suppress: All``
  (Exchange/Outlook) keep out-of-office replies and auto-forward loops away from the sender;
- ``Content-Language: nl``; ``X-Spsync-Run`` names the run so an administrator can find it in
  ``spsync runs``;
- ``multipart/alternative`` with the plain-text part first and the HTML part last (the richest
  part last, RFC 2046), both UTF-8.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from zoneinfo import ZoneInfo

from spsync.alerts.model import Digest, RenderedMessage
from spsync.exceptions import DeliveryError

__all__ = ["build_email", "message_id_header"]

_TZ = ZoneInfo("Europe/Amsterdam")
# RFC 5322 atext plus ".", the characters allowed on either side of the "@" of a msg-id.
_NOT_ATEXT = re.compile(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]")


def message_id_header(message_id: str, sender: str = "") -> str:
    """``message_id`` as an RFC 5322 msg-id ``<left@right>``; deterministic, so every send of
    one digest carries the same header. Without an ``@`` the sender's domain is the right side."""
    raw = message_id.strip().removeprefix("<").removesuffix(">")
    left, at, right = raw.rpartition("@")
    if not at:
        left = raw
        right = parseaddr(sender)[1].rpartition("@")[2] or "spsync.local"
    left = _NOT_ATEXT.sub("-", left).strip(".") or "spsync"
    right = _NOT_ATEXT.sub("-", right).strip(".") or "spsync.local"
    return f"<{left}@{right}>"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def build_email(digest: Digest, message: RenderedMessage, *, sender: str,
                now: datetime | None = None, channel: str = "smtp") -> EmailMessage:
    """The message for ``digest``: To the recipient, From ``sender`` (``"Naam <adres>"`` or
    an address), dated ``now`` (default: the current time) in Europe/Amsterdam."""
    msg = EmailMessage()
    try:
        msg["From"] = sender
        msg["To"] = Address(display_name=_one_line(digest.recipient.name),
                            addr_spec=digest.recipient.address.strip())
        msg["Subject"] = _one_line(message.subject)
    except (ValueError, IndexError) as exc:
        raise DeliveryError(f"Ongeldig e-mailadres voor {digest.recipient.address!r} of "
                            f"afzender {sender!r} ({type(exc).__name__}).",
                            channel=channel) from None
    moment = (now or datetime.now(_TZ)).astimezone(_TZ)
    msg["Date"] = format_datetime(moment)
    msg["Message-ID"] = message_id_header(digest.message_id, sender)
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    if digest.run_id is not None:
        msg["X-Spsync-Run"] = str(digest.run_id)
    msg.set_content(message.text, charset="utf-8")
    msg.add_alternative(message.html, subtype="html", charset="utf-8")
    msg["Content-Language"] = "nl"  # after set_content, which drops every Content-* header
    return msg
