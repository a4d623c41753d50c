"""The outbox: each digest as an RFC 5322 ``.eml`` file in a folder (dry runs, archives, the
demo, tests). The message is the one the SMTP channel would send (same builder).

The file name comes from the message id, so a resend after a crash overwrites the file instead
of adding a second one; it is written to a hidden temporary file and renamed, so a reader never
sees half a message.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Callable
from datetime import datetime
from email.policy import SMTP
from pathlib import Path

from spsync.alerts.channels.message import build_email
from spsync.alerts.model import Digest, RenderedMessage
from spsync.exceptions import DeliveryError

__all__ = ["DEFAULT_SENDER", "OutboxChannel", "eml_filename"]

DEFAULT_SENDER = "spsync <spsync@localhost>"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def eml_filename(message_id: str) -> str:
    """``<safe id>-<hash>.eml``: readable, unique per message id, safe on every file system."""
    raw = message_id.strip().removeprefix("<").removesuffix(">")
    safe = _UNSAFE.sub("_", raw).strip("._")[:80] or "bericht"
    digest = hashlib.sha256(message_id.encode("utf-8")).hexdigest()[:10]
    return f"{safe}-{digest}.eml"


class OutboxChannel:
    """Writes ``directory/<eml_filename(message_id)>`` with CRLF line ends (RFC 5322)."""

    def __init__(self, directory: Path, *, sender: str = DEFAULT_SENDER, name: str = "outbox",
                 clock: Callable[[], datetime] | None = None) -> None:
        self.name = name
        self.directory = Path(directory)
        self.sender = sender
        self._clock = clock

    def path_for(self, digest: Digest) -> Path:
        return self.directory / eml_filename(digest.message_id)

    def send(self, digest: Digest, message: RenderedMessage) -> str:
        """Write the message atomically; returns its Message-ID. Raises DeliveryError."""
        msg = build_email(digest, message, sender=self.sender,
                          now=self._clock() if self._clock else None, channel=self.name)
        target = self.path_for(digest)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as fh:
                fh.write(msg.as_bytes(policy=SMTP))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)
            raise DeliveryError(f"Bericht kan niet in de outbox {self.directory} worden gezet "
                                f"({type(exc).__name__}: {exc.strerror or exc}).",
                                channel=self.name) from None
        return str(msg["Message-ID"])
