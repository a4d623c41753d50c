"""One item per digest line in the site's ``Signalen`` list: a record staff can filter, sort
and follow up in SharePoint itself, and the channel for people without a mailbox.

Idempotent by its key ``<dedupe_key>|<recipient address>`` (column ``Sleutel``, indexed on a
real site): every line is looked up before it is created, so a resend after a crash, or a
second run, adds nothing. The key leaves the channel out on purpose, so the same alert that
also went out by e-mail is one item, not two.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from spsync import schema
from spsync.alerts.digest import KIND_HEADINGS
from spsync.alerts.model import AlertLine, Digest, RenderedMessage
from spsync.exceptions import DeliveryError, GatewayError
from spsync.gateway import Gateway, ListInfo

__all__ = ["LOOKUP_CHUNK", "MAX_KEY", "SignalenChannel", "signal_key", "signal_values"]

log = logging.getLogger(__name__)
_TZ = ZoneInfo("Europe/Amsterdam")

#: SharePoint's limit for a single line of text.
MAX_KEY = 255
#: Keys per ``$filter`` lookup (``Sleutel eq 'a' or Sleutel eq 'b' …``), keeping URLs short.
LOOKUP_CHUNK = 10


def signal_key(line: AlertLine, address: str) -> str:
    """The item's identity: the line's dedupe key and the recipient, not the channel.

    A text column holds at most 255 characters; a longer key keeps its first 200 and a hash
    of the whole, so it stays unique and the same on every run."""
    key = f"{line.dedupe_key}|{address.strip().lower()}"
    if len(key) <= MAX_KEY:
        return key
    return f"{key[:200]}#{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}"


def signal_values(line: AlertLine, digest: Digest) -> dict[str, Any]:
    """The new item's column values (all columns spsync owns in its own list)."""
    melding = "\n".join(part for part in (line.date_label, line.figure or "",
                                          f"Wat te doen: {line.action}") if part)
    values: dict[str, Any] = {
        "Title": line.title[:255],
        "Sleutel": signal_key(line, digest.recipient.address),
        "Soort": KIND_HEADINGS[line.kind],
        "Lijst": line.list_key,
        "ItemId": line.item_id,
        "Verwijzing": line.ref[:255],
        "Eigenaar": (line.owner or "")[:255],
        "Ontvanger": digest.recipient.address,
        "Melding": melding,
        "Bericht": digest.message_id[:255],
    }
    if line.link:
        values["Link"] = {"__metadata": {"type": "SP.FieldUrlValue"},
                          "Url": line.link, "Description": line.ref[:255] or "Item"}
    if line.date is not None:
        # A date-only column holds the UTC instant of midnight in Amsterdam (as SharePoint does).
        midnight = datetime.combine(line.date, time(0), tzinfo=_TZ)
        values["Datum"] = midnight.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return values


def _odata_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


class SignalenChannel:
    """Writes each line of a digest as a ``Signalen`` item once (through the gateway)."""

    def __init__(self, gateway: Gateway, *, list_title: str = schema.SIGNALEN.title,
                 name: str = "signalen") -> None:
        self.name = name
        self.gateway = gateway
        self.list_title = list_title
        self._info: ListInfo | None = None

    def _list(self) -> ListInfo:
        if self._info is None:
            try:
                info = self.gateway.describe_lists([self.list_title]).get(self.list_title)
            except GatewayError as exc:
                raise DeliveryError(f"Lijst '{self.list_title}' kan niet worden gelezen: "
                                    f"{exc.message or type(exc).__name__}",
                                    channel=self.name) from None
            if info is None:
                raise DeliveryError(f"Lijst '{self.list_title}' bestaat niet op de site; maak "
                                    "hem aan met de kolommen van schema.SIGNALEN.",
                                    channel=self.name)
            missing = [c.name for c in schema.SIGNALEN.columns if c.name not in info.fields]
            if missing:
                raise DeliveryError(f"Lijst '{self.list_title}' mist kolom(men): "
                                    f"{', '.join(missing)}.", channel=self.name)
            self._info = info
        return self._info

    def existing_keys(self, keys: Sequence[str]) -> set[str]:
        """The keys that already have an item, in ``LOOKUP_CHUNK``-sized ``$filter`` queries."""
        info = self._list()
        found: set[str] = set()
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start:start + LOOKUP_CHUNK]
            flt = " or ".join(f"Sleutel eq {_odata_string(k)}" for k in chunk)
            try:
                items = self.gateway.find_items(info, flt, ["Id", "Sleutel"])
            except GatewayError as exc:
                raise DeliveryError(f"Opzoeken in lijst '{self.list_title}' mislukt: "
                                    f"{exc.message or type(exc).__name__}",
                                    channel=self.name) from None
            found |= {str(item.values.get("Sleutel")) for item in items}
        return found

    def send(self, digest: Digest, message: RenderedMessage) -> str:
        """Create the missing items; returns the digest's message id. Raises DeliveryError."""
        info = self._list()
        keys = [signal_key(line, digest.recipient.address) for line in digest.lines]
        present = self.existing_keys(list(dict.fromkeys(keys)))
        created = []
        for line, key in zip(digest.lines, keys, strict=True):
            if key in present:
                continue
            try:
                item = self.gateway.create_item(info, signal_values(line, digest))
            except GatewayError as exc:
                raise DeliveryError(f"Signaal '{line.ref}' kan niet in lijst "
                                    f"'{self.list_title}' worden gezet: "
                                    f"{exc.message or type(exc).__name__}",
                                    channel=self.name) from None
            present.add(key)
            created.append(item.id)
        log.info("Signalen: %d nieuw (items %s), %d bestonden al", len(created),
                 ", ".join(map(str, created)) or "-", len(keys) - len(created))
        return digest.message_id
