"""Where a channel's secret lives (an environment variable or a file), never its value.

The value is read at send time, so a rotated password or webhook URL needs no restart, and it
exists only inside the call that uses it: not in the config object, not in a repr, not in a log
line. :func:`redact` scrubs it from any text that leaves a channel (error messages).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from spsync.exceptions import DeliveryError

__all__ = ["SecretSource", "redact"]


@dataclass(frozen=True)
class SecretSource:
    """A secret by reference. ``what`` names it in Dutch for error messages ("het
    SMTP-wachtwoord"); ``channel`` is the channel the DeliveryError is about."""

    what: str
    channel: str
    env: str | None = None
    file: Path | None = None

    def read(self) -> str:
        """The value, stripped of surrounding whitespace; DeliveryError when absent."""
        if self.env:
            value = os.environ.get(self.env, "").strip()
            if not value:
                raise DeliveryError(f"{self.what} ontbreekt: omgevingsvariabele {self.env} is "
                                    "niet gezet of leeg.", channel=self.channel)
            return value
        if self.file is not None:
            try:
                value = self.file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise DeliveryError(f"{self.what} kan niet worden gelezen uit {self.file} "
                                    f"({type(exc).__name__}).", channel=self.channel) from None
            if not value:
                raise DeliveryError(f"{self.what} ontbreekt: {self.file} is leeg.",
                                    channel=self.channel)
            return value
        raise DeliveryError(f"{self.what} is niet ingesteld.", channel=self.channel)


def redact(text: str, *secrets: str | None) -> str:
    """``text`` with every non-trivial secret replaced by ``***``."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return text
