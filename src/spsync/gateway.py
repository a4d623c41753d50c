"""The contract between spsync and a SharePoint site: what the shell may ask of it.

:class:`spsync.sharepoint.SharePointGateway` implements it with office365-REST-Python-Client.
Everything here is plain data, so the cycle can be read without knowing the client library.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["ListInfo", "Item", "ItemUpdate", "WriteOutcome", "UploadedFile", "ChangeSet",
           "Gateway"]


@dataclass(frozen=True)
class ListInfo:
    """A list as the site describes it: ``fields`` maps InternalName to TypeAsString."""

    title: str
    id: str
    entity_type: str
    item_count: int
    fields: Mapping[str, str]
    #: The list's ``CurrentChangeToken.StringValue`` when the site gave one.
    change_token: str | None = None


@dataclass(frozen=True)
class Item:
    """One list item as read: its ID, ETag (``"<version>"``) and the selected values.

    Expanded lookups/persons arrive as nested dicts (``{"ProjectCode": "P-1"}``) under the
    column name, next to ``<Name>Id``.
    """

    id: int
    etag: str | None
    values: Mapping[str, Any]


@dataclass(frozen=True)
class ItemUpdate:
    """A write of spsync-owned fields to one item, guarded by the ETag it was computed from."""

    id: int
    etag: str | None
    changes: Mapping[str, Any]


@dataclass
class WriteOutcome:
    """Per-item result of a write round: written, conflicted (412) or failed (other errors)."""

    written: list[int] = field(default_factory=list)
    conflicts: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class UploadedFile:
    server_relative_url: str
    length: int


@dataclass(frozen=True)
class ChangeSet:
    """Item changes after a change token: what to re-read, what to drop, and the token to
    continue from next time (the last change's, or the start token when there was none)."""

    added_or_updated: frozenset[int]
    deleted: frozenset[int]
    last_token: str

    @property
    def empty(self) -> bool:
        return not self.added_or_updated and not self.deleted


class Gateway(Protocol):
    """What the cycle needs from SharePoint. Each method names the errors it raises."""

    def describe_lists(self, titles: Sequence[str]) -> dict[str, ListInfo | None]:
        """Metadata and fields of each list; None for a list that does not exist.

        Raises GatewayError for anything but a missing list."""

    def read_items(self, info: ListInfo, select: Sequence[str], expand: Sequence[str] = ()
                   ) -> list[Item]:
        """Every item of the list, each once, with the selected fields and its ETag.

        Raises GatewayError (Throttled after retries, GatewayUnavailable)."""

    def update_items(self, info: ListInfo, updates: Sequence[ItemUpdate]) -> WriteOutcome:
        """MERGE the changes in ``$batch`` requests, each item under ``If-Match: <etag>``.

        Per-item failures are reported in the outcome, not raised."""

    def update_lists(self, plans: Sequence[tuple[ListInfo, Sequence[ItemUpdate]]]
                     ) -> dict[str, WriteOutcome]:
        """Like :meth:`update_items` for several lists at once, sharing ``$batch`` requests
        (lists mixed, at most 100 parts each); the outcome per list title."""

    def upload_file(self, library: ListInfo, name: str, content: bytes,
                    metadata: Mapping[str, Any] | None = None) -> UploadedFile:
        """Put ``content`` into the library's root folder as ``name`` (overwrite) and set the
        file's columns in ``metadata`` that the library has.

        Raises GatewayError, also when the stored length differs from ``len(content)``."""

    def current_change_tokens(self, infos: Sequence[ListInfo]) -> dict[str, str]:
        """Each list's ``CurrentChangeToken`` (by title), in one ``$batch`` request.

        Raises GatewayError."""

    def get_changes(self, info: ListInfo, since_token: str) -> ChangeSet:
        """The item adds, updates and deletes after ``since_token``, in order, following the
        change log until a short page.

        Raises ChangeTokenExpired for a token older than the site's change log (read the
        list in full), GatewayError otherwise."""

    def read_items_by_id(self, info: ListInfo, ids: Sequence[int], select: Sequence[str],
                         expand: Sequence[str] = ()) -> list[Item]:
        """The given items (those that still exist), like :meth:`read_items` would return
        them. Raises GatewayError."""
