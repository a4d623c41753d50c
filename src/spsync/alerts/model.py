"""The plain data an alert passes through: line → alert (per recipient and channel) → digest.

Shared by the pure rules, the state store's ledger, the digest templates and the channels, so
none of them needs to know the others. Everything a staff member reads here is Dutch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

__all__ = [
    "AlertKind",
    "KIND_ORDER",
    "Recipient",
    "AlertLine",
    "Alert",
    "Digest",
    "RenderedMessage",
    "Channel",
]

AlertKind = Literal["gemist", "escalatie", "herinnering", "uren", "budget"]
#: The order of the groups in a digest (most urgent first).
KIND_ORDER: tuple[AlertKind, ...] = ("gemist", "escalatie", "herinnering", "uren", "budget")


@dataclass(frozen=True)
class Recipient:
    """Who gets a digest: an e-mail address (lower case) and the name to greet."""

    address: str
    name: str


@dataclass(frozen=True)
class AlertLine:
    """One line of a digest: one item, what is the matter and what to do.

    ``dedupe_key`` is ``"<kind>|<list_key>|<item_id>|<status or period>"`` (e.g.
    ``"gemist|jaarkalender|14|2026-02-15"``, ``"uren|projecten|4|Overschreden"``); together with
    the recipient and the channel it is the ledger's unique key, so a line is sent once.
    """

    kind: AlertKind
    dedupe_key: str
    list_key: str
    item_id: int
    #: How staff find the item: the project code, or "Jaarkalender 14".
    ref: str
    title: str
    owner: str | None
    #: The date that matters, as a Dutch phrase: "deadline 15-02-2026".
    date_label: str
    date: date | None
    #: The figure behind the alert: "262,5 van 240 uur", "€ 47.250 van € 45.000".
    figure: str | None
    #: The item's display form on the site.
    link: str
    #: What the recipient should do, one Dutch sentence.
    action: str


@dataclass(frozen=True)
class Alert:
    """The ledger's unit: one line for one recipient over one channel."""

    line: AlertLine
    recipient: Recipient
    channel: str


@dataclass(frozen=True)
class Digest:
    """Every alert for one recipient over one channel in one run: exactly one message.

    ``message_id`` is assigned (and recorded in the ledger) before sending, so a resend after a
    crash carries the same id and a receiver that dedupes on it sees one message.
    """

    recipient: Recipient
    channel: str
    lines: tuple[AlertLine, ...]
    message_id: str
    organisation: str
    run_id: int | None = None


@dataclass(frozen=True)
class RenderedMessage:
    """A digest as text: subject, plain-text part and (autoescaped) HTML part."""

    subject: str
    text: str
    html: str


class Channel(Protocol):
    """Delivers a digest. ``send`` returns the provider's message id (or ours) and raises
    :class:`spsync.exceptions.DeliveryError` when the message did not go out."""

    name: str

    def send(self, digest: Digest, message: RenderedMessage) -> str: ...
