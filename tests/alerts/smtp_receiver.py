"""The aiosmtpd server of ``receivers`` with its messages parsed back (for the send loop)."""

from __future__ import annotations

import email
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.message import Message
from email.policy import default

from .receivers import Inbox, free_port, smtp_server

__all__ = ["smtp_receiver", "free_port"]


class Messages(Sequence[Message]):
    """A live view of what the server accepted, each envelope parsed as an e-mail."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox

    def __len__(self) -> int:
        return len(self.inbox.envelopes)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        return email.message_from_bytes(self.inbox.envelopes[index].content, policy=default)


@contextmanager
def smtp_receiver() -> Iterator[tuple[int, Messages]]:
    """(port, received messages) of a plain SMTP server on 127.0.0.1 while it runs."""
    with smtp_server("none") as (port, inbox):
        yield port, Messages(inbox)
