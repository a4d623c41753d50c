"""Incremental reads: rebuild the check tables from the last read plus what changed since.

A full read of a partnership's lists costs a page per 5,000 items and most of a cycle's time,
while between two cycles only a handful of items change. SharePoint keeps a change log per list
(sharepoint-wire.md §8): with the ``CurrentChangeToken`` stored after a read, the next cycle
asks ``getChanges`` for the item adds, updates and deletes since, re-reads only those items and
applies them to the rows cached in the state store. The result is the same
:class:`spsync.reader.Snapshot` a full read gives.

A list is read in full (and its token and rows saved afresh) when there is no token or rows
yet, the site gives no token, the token is too old for the site's change log, the list's
columns (or what spsync selects) changed, the item count does not add up after the changes,
or its last full read is older than ``[incremental] full_read_every_hours``.

The decision and the merge are pure functions; :func:`read_snapshot_incremental` is the thin
shell around them and the gateway and state store.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from spsync import __version__, schema
from spsync.config import Config
from spsync.exceptions import ChangeTokenExpired
from spsync.gateway import ChangeSet, Gateway, ListInfo
from spsync.itemtable import ItemTable, apply_changes
from spsync.reader import (
    ListSnapshot,
    Snapshot,
    _plans,
    _select,
    list_snapshot,
    read_snapshot,
    read_table,
)
from spsync.state.records import ListState
from spsync.state.store import StateStore

__all__ = [
    "describe_all",
    "input_fingerprint",
    "full_read_due",
    "schema_hash",
    "full_read_reason",
    "apply_changes",  # re-exported from spsync.itemtable
    "later_token",
    "read_snapshot_incremental",
]

log = logging.getLogger(__name__)


def schema_hash(info: ListInfo, select: Sequence[str], expand: Sequence[str]) -> str:
    """A fingerprint of the list's columns and of what spsync asks of them: cached rows are
    only valid for the same one."""
    data = json.dumps({"fields": sorted(info.fields.items()), "select": list(select),
                       "expand": list(expand)}, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def full_read_reason(state: ListState | None, has_rows: bool, info: ListInfo, schema: str,
                     now: datetime, max_age: timedelta) -> str | None:
    """Why this list must be read in full before any change is asked (Dutch, for the log),
    or None when an incremental read may go ahead."""
    if info.change_token is None:
        return "de site geeft geen wijzigingstoken"
    if state is None or not has_rows:
        return "nog geen wijzigingstoken opgeslagen"
    if state.schema_hash != schema:
        return "de kolommen van de lijst zijn gewijzigd"
    if now - state.full_read_at >= max_age:
        hours = max_age.total_seconds() / 3600
        return f"de laatste volledige lezing is ouder dan {hours:g} uur"
    return None


def _change_number(token: str) -> int:
    try:
        return int(token.rsplit(";", 1)[-1])
    except ValueError:
        return -1


def later_token(a: str | None, b: str | None) -> str | None:
    """The token with the higher change number (``1;3;<list>;<ticks>;<changeNo>``)."""
    if a is None or b is None:
        return a or b
    return b if _change_number(b) > _change_number(a) else a


@dataclass
class _ListRead:
    """One list's way through an incremental read."""

    definition: schema.ListDef
    info: ListInfo
    select: list[str]
    expand: list[str]
    fingerprint: str
    state: ListState | None
    cached: ItemTable | None
    reason: str | None  # why it is read in full; None while incremental is allowed


def _plan_list(store: StateStore, definition: schema.ListDef, info: ListInfo, config: Config,
               now: datetime) -> _ListRead:
    select, expand = _select(_plans(definition, info, config))
    fingerprint = schema_hash(info, select, expand)
    state = store.list_state(definition.key)
    cached = store.cached_rows(definition.key, state.schema_hash) if state is not None else None
    max_age = timedelta(hours=config.incremental.full_read_every_hours)
    reason = full_read_reason(state, cached is not None, info, fingerprint, now, max_age)
    return _ListRead(definition, info, select, expand, fingerprint, state, cached, reason)


def _changes_of(gateway: Gateway, reads: Sequence[_ListRead]) -> dict[str, object]:
    """The change sets (or ChangeTokenExpired) of the lists whose token moved, one getChanges
    each. Not one ``$batch``: the library retries a failed batch part five times with its
    own back-off, which made an expired token (HTTP 500 on SharePoint) cost about a minute."""
    wanted = [(r.info, r.state.token) for r in reads if r.reason is None and r.state
              and r.info.change_token != r.state.token]
    found: dict[str, object] = {}
    for info, token in wanted:
        try:
            found[info.title] = gateway.get_changes(info, token)
        except ChangeTokenExpired as exc:
            found[info.title] = exc
    return found


def _read_list(gateway: Gateway, store: StateStore, read: _ListRead, changes: object,
               now: datetime, modes: dict[str, str]) -> ItemTable:
    """The list's rows, incrementally when allowed, else in full; token and rows saved."""
    key, info, reason = read.definition.key, read.info, read.reason
    if reason is None:
        assert read.state is not None and read.cached is not None
        if isinstance(changes, ChangeTokenExpired):
            reason = "het wijzigingstoken is verlopen"
        else:
            if changes is None:  # the token did not move: nothing changed, nothing asked
                changes = ChangeSet(frozenset(), frozenset(), read.state.token)
            assert isinstance(changes, ChangeSet)
            rows = _incremental(gateway, store, read, changes, modes)
            if rows is not None:
                return rows
            reason = "het aantal items klopt niet na de wijzigingen"
    log.info("Volledig lezen: %s (%s)", info.title, reason)
    read.cached = None  # not needed any more: let it go before the new rows arrive
    rows = read_table(gateway, info, read.select, read.expand)
    if info.change_token is not None:
        # The token was taken before the read: a change during the read comes again next time.
        store.save_list_state(key, info.change_token, read.fingerprint, len(rows), now,
                              rows=rows)
    modes[key] = f"volledig ({reason})"
    return rows


def _incremental(gateway: Gateway, store: StateStore, read: _ListRead, changes: ChangeSet,
                 modes: dict[str, str]) -> ItemTable | None:
    """Apply the changes since the stored token; None when the count does not add up."""
    key, info, state, cached = read.definition.key, read.info, read.state, read.cached
    assert state is not None and cached is not None
    reread = (gateway.read_items_by_id(info, sorted(changes.added_or_updated), read.select,
                                       read.expand)
              if changes.added_or_updated else [])
    rows = apply_changes(cached, changes, reread) if not changes.empty else cached
    if len(rows) != info.item_count:
        log.warning("%s: %d items na de wijzigingen, de site meldt er %d; volledig lezen.",
                    info.title, len(rows), info.item_count)
        return None
    # Every item change up to the getChanges call was in the answer, so the token may move
    # up to the one described before it when that is later.
    token = later_token(changes.last_token, info.change_token) or state.token
    if not changes.empty:
        store.save_list_state(key, token, read.fingerprint, len(rows), state.full_read_at,
                              rows=rows)
    elif token != state.token:
        store.save_list_state(key, token, read.fingerprint, len(rows), state.full_read_at)
    modes[key] = (f"incrementeel ({len(changes.added_or_updated)} nieuw/gewijzigd, "
                  f"{len(changes.deleted)} verwijderd)")
    log.info("Incrementeel gelezen: %s, %d nieuw/gewijzigd, %d verwijderd, %d items",
             info.title, len(changes.added_or_updated), len(changes.deleted), len(rows))
    return rows


def describe_all(gateway: Gateway, config: Config) -> Mapping[str, ListInfo | None]:
    """Every list's and the library's metadata (with its change token), in one request."""
    keys = [d.key for d in schema.LISTS]
    titles = [config.title(k) for k in keys] + [config.title(schema.LIBRARY.key)]
    return gateway.describe_lists(titles)


def input_fingerprint(infos: Mapping[str, ListInfo | None], config: Config,
                      controledatum: date) -> str | None:
    """A fingerprint of everything a cycle's outcome depends on: spsync's version, the
    configuration, the controledatum, and per list its change token, item count and columns.

    Two cycles with the same fingerprint compute the same statuses, findings and alerts (the
    checks are pure), so the second has nothing to do. None when a list gives no change token:
    then nothing can be said about what changed."""
    lists: dict[str, object] = {}
    for title, info in sorted(infos.items()):
        if info is None:
            lists[title] = None
            continue
        if info.change_token is None:
            return None
        lists[title] = [info.change_token, info.item_count, sorted(info.fields.items())]
    data = json.dumps({"version": __version__, "config": config.model_dump_json(),
                       "controledatum": controledatum.isoformat(), "lists": lists},
                      separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def full_read_due(store: StateStore, config: Config, infos: Mapping[str, ListInfo | None],
                  now: datetime) -> bool:
    """Whether a list on the site has no stored state or is due for its periodic full read
    (``full_read_every_hours``): then a cycle must read, whatever the change tokens say."""
    max_age = timedelta(hours=config.incremental.full_read_every_hours)
    for definition in schema.LISTS:
        if infos.get(config.title(definition.key)) is None:
            continue
        state = store.list_state(definition.key)
        if state is None or now - state.full_read_at >= max_age:
            return True
    return False


def read_snapshot_incremental(gateway: Gateway, config: Config, store: StateStore, *,
                              now: datetime | None = None,
                              modes: dict[str, str] | None = None,
                              infos: Mapping[str, ListInfo | None] | None = None) -> Snapshot:
    """Like :func:`spsync.reader.read_snapshot`, but each list from its cached rows plus the
    changes since its stored token where that is allowed. ``modes`` (if given) receives per
    list key how it was read, in Dutch, for the run summary; ``infos`` is a
    :func:`describe_all` the caller already made (else it is made here)."""
    if not config.incremental.enabled:
        return read_snapshot(gateway, config)
    now = now or datetime.now(UTC)
    modes = modes if modes is not None else {}
    if infos is None:
        infos = describe_all(gateway, config)
    lists: dict[str, ListSnapshot] = {}
    reads: list[_ListRead] = []
    for definition in schema.LISTS:
        title = config.title(definition.key)
        info = infos.get(title)
        if info is None:  # the checks turn this into a LIJST_ONTBREEKT finding
            lists[definition.key] = ListSnapshot(definition.key, title, None, None)
            modes[definition.key] = "ontbreekt"
            continue
        reads.append(_plan_list(store, definition, info, config, now))
    changes = _changes_of(gateway, reads)
    for read in reads:
        rows = _read_list(gateway, store, read, changes.get(read.info.title), now, modes)
        read.cached = None  # the rows (cached or new) live on in the frame only
        lists[read.definition.key] = list_snapshot(read.definition, read.info.title,
                                                   read.info, config, rows)
        del rows  # the frame holds what the checks need
    lists = {d.key: lists[d.key] for d in schema.LISTS}  # the order read_snapshot gives
    library = infos.get(config.title(schema.LIBRARY.key))
    if library is None:
        log.error("Bibliotheek '%s' ontbreekt op de site; het rapport wordt niet geüpload.",
                  config.title(schema.LIBRARY.key))
    return Snapshot(lists=lists, library=library)
