"""The change log on the wire: a list's ``CurrentChangeToken`` and ``getChanges``.

SharePoint keeps every add, update and delete (and schema change) of a list in a change log
numbered across the content database, and answers ``POST …/getChanges`` with an
``SP.ChangeQuery`` body by the changes after ``ChangeTokenStart``, at most ``FetchLimit`` of
them, oldest first, without a ``__next`` link (sharepoint-wire.md §8). A token older than the
retained log is refused; the client must then read the list in full.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .odata import SPError
from .store import Change, ListInfo, Store, change_ticks

__all__ = ["DEFAULT_FETCH_LIMIT", "change_token", "current_change_token", "get_changes",
           "TOKEN_TOO_OLD", "TOKEN_WRONG_OBJECT"]

#: SharePoint's default page of changes when the query sets no FetchLimit.
DEFAULT_FETCH_LIMIT = 1000
#: (code, message) of SharePoint's error for a token older than the retained change log.
TOKEN_TOO_OLD = ("-2130575172, Microsoft.SharePoint.SPException",
                 "The changeToken refers to a time before the start of the current change log.")
TOKEN_WRONG_OBJECT = ("-2130575173, Microsoft.SharePoint.SPException",
                      "Cannot use the changeToken from one object against a different object")
_INVALID = "-1, Microsoft.SharePoint.Client.InvalidClientQueryException"
_TYPES = {"Add": 1, "Update": 2, "DeleteObject": 3}
_KINDS = {"Item": "item", "Field": "field", "List": "list"}


def change_token(list_id: str, seq: int, time: str) -> str:
    """``1;3;<listGuid>;<ticks>;<changeNo>``: version 1, scope 3 (list)."""
    return f"1;3;{list_id};{change_ticks(time)};{seq}"


def _token_json(value: str) -> dict[str, Any]:
    return {"__metadata": {"type": "SP.ChangeToken"}, "StringValue": value}


def current_change_token(store: Store, lst: ListInfo) -> dict[str, Any]:
    """The list's CurrentChangeToken: the site's latest change number (a content database
    counts changes across its lists) with that change's time."""
    seq, time = store.last_change()
    return _token_json(change_token(lst.id, seq, time))


def _parse_token(raw: Any, lst: ListInfo, what: str) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        # What SharePoint's OData reader says when a primitive arrives for a complex type.
        raise SPError(400, _INVALID, f"An unexpected 'PrimitiveValue' node was found when "
                                     f"reading from the JSON reader. A 'StartObject' node was "
                                     f"expected. ({what})")
    parts = str(raw.get("StringValue") or "").split(";")
    if len(parts) != 5 or not parts[3].isdigit() or not parts[4].isdigit():
        raise SPError(400, "-1, System.FormatException",
                      "Input string was not in a correct format.")
    if parts[2].strip("{}").lower() != lst.id.lower():
        raise SPError(500, *TOKEN_WRONG_OBJECT)
    return int(parts[4])


def _change_json(c: Change, lst: ListInfo, api_base: str, web_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "__metadata": {"id": f"{api_base}/SP.Change{c.seq}", "uri": f"{api_base}/SP.Change{c.seq}",
                       "type": {"item": "SP.ChangeItem", "field": "SP.ChangeField",
                                "list": "SP.ChangeList"}[c.kind]},
        "ChangeToken": _token_json(change_token(lst.id, c.seq, c.time)),
        "ChangeType": c.change_type, "SiteId": web_id,
        "Time": c.time.split(".")[0] + "Z",
    }
    if c.kind == "item":
        out.update({"ItemId": c.item_id, "ListId": lst.id, "WebId": web_id})
    elif c.kind == "field":
        out.update({"FieldId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{lst.id}/{c.name}")),
                    "WebId": web_id})
    else:
        out.update({"ListId": lst.id, "WebId": web_id})
    return out


def get_changes(store: Store, lst: ListInfo, body: bytes, api_base: str, web_id: str,
                retention: timedelta) -> dict[str, Any]:
    """The ``{"results": [...]}`` body of ``getChanges`` for the ``{"query": …}`` request."""
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        raise SPError(400, _INVALID, "Invalid JSON. The request body is not valid JSON.") from None
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, dict):
        raise SPError(400, _INVALID, "The parameter query does not exist in method GetChanges.")
    start = _parse_token(query.get("ChangeTokenStart"), lst, "ChangeTokenStart")
    end = _parse_token(query.get("ChangeTokenEnd"), lst, "ChangeTokenEnd")
    cutoff = datetime.now(UTC) - retention
    log_start = store.trim_change_log(cutoff.strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    if start is not None and start < log_start and not query.get("IgnoreStartTokenNotFoundError"):
        raise SPError(500, *TOKEN_TOO_OLD)
    try:
        limit = int(query.get("FetchLimit") or DEFAULT_FETCH_LIMIT)
    except (TypeError, ValueError):
        raise SPError(400, _INVALID, "Invalid FetchLimit.") from None
    kinds = [kind for flag, kind in _KINDS.items() if query.get(flag)]
    types = [t for flag, t in _TYPES.items() if query.get(flag, True)]
    after = start if start is not None else log_start
    found = store.changes_after(lst.id, after, kinds, types, max(1, limit), end)
    return {"results": [_change_json(c, lst, api_base, web_id) for c in found]}
