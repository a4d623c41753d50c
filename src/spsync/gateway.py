"""The contract between spsync and a SharePoint site: what the shell may ask of it.

:class:`spsync.sharepoint.SharePointGateway` implements it with office365-REST-Python-Client.
Everything here is plain data, so the cycle can be read without knowing the client library.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["ListInfo", "Item", "ItemUpdate", "WriteOutcome", "UploadedFile", "ChangeSet",
           "Gateway", "FieldDescription", "ListDescription", "SiteDescription", "SiteAdmin"]


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

    def read_pages(self, info: ListInfo, select: Sequence[str], expand: Sequence[str] = ()
                   ) -> Iterator[list[Item]]:
        """The items of :meth:`read_items` (the same requests), a page at a time as each
        arrives, so the caller can keep its own compact form and let the page go.

        Raises GatewayError while iterating."""

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

    def find_items(self, info: ListInfo, filter: str, select: Sequence[str]) -> list[Item]:
        """The items matching the OData ``filter`` (``Sleutel eq 'x'``; filter on indexed
        columns only), with the selected fields and their ETags.

        Raises GatewayError (Throttled after retries, GatewayUnavailable)."""

    def create_item(self, info: ListInfo, values: Mapping[str, Any]) -> Item:
        """Add one item with ``values`` (internal names); returns it with its ID and ETag.

        Raises GatewayError."""

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


# -- site administration (spsync provision / spsync check) -----------------------------------

@dataclass(frozen=True)
class FieldDescription:
    """A column as the site defines it (``SP.Field``): what ``spsync check`` compares.

    ``lookup_list`` is the target list's id (Lookup columns), ``choices`` the options of a
    Choice column."""

    internal_name: str
    type: str
    title: str = ""
    indexed: bool = False
    required: bool = False
    unique: bool = False
    lookup_list: str | None = None
    lookup_field: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListDescription:
    """A list or library with its columns and the app's permissions on it.

    ``base_template`` is 100 for a list, 101 for a document library; ``permissions`` holds the
    ``SP.PermissionKind`` numbers the app has (None when the site did not say)."""

    title: str
    id: str
    base_template: int
    fields: Mapping[str, FieldDescription]
    permissions: frozenset[int] | None = None


@dataclass(frozen=True)
class SiteDescription:
    """What a site has of the lists spsync asked about (None: the list does not exist)."""

    url: str
    lists: Mapping[str, ListDescription | None]
    permissions: frozenset[int] | None = None


class SiteAdmin(Protocol):
    """What ``spsync provision`` and ``spsync check`` need from a site, besides the Gateway."""

    def describe_site(self, titles: Sequence[str]) -> SiteDescription:
        """The lists ``titles`` with all their columns, and the app's permissions.

        Raises GatewayError for anything but a missing list."""

    def create_list(self, title: str, *, library: bool = False, description: str = ""
                    ) -> ListDescription:
        """Create a list (BaseTemplate 100) or document library (101). Raises GatewayError."""

    def create_field(self, list_title: str, schema_xml: str) -> FieldDescription:
        """Add the column defined by ``schema_xml`` (CreateFieldAsXml, internal name from its
        ``Name``). Raises GatewayError."""

    def set_field_indexed(self, list_title: str, internal_name: str, indexed: bool = True
                          ) -> None:
        """Turn the column's index on (or off). Raises GatewayError."""

    def set_field_choices(self, list_title: str, internal_name: str, choices: Sequence[str]
                          ) -> None:
        """Replace the options of a Choice column with ``choices``. Raises GatewayError."""
