"""The shell's send loop: pending ledger rows → one digest per recipient and channel → sent.

Delivery guarantee: every alert is recorded in the ledger (committed) before anything is sent;
before a digest goes out its rows are marked as attempted under the digest's message id
(committed), and right after the channel accepted it they are marked sent (committed). A run
that dies at any point therefore resends, next run, only rows not marked sent: at most the one
digest that was in flight can repeat, and it repeats with the same message id (a receiver that
dedupes on Message-ID, or the Signalen list on its key, sees it once). A failing channel marks
its rows as a failed attempt and the loop goes on with the next digest; the rows stay pending
until ``max_attempts``, then become "failed" and a Dutch finding.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from spsync.alerts.model import KIND_ORDER, AlertLine, Channel, Digest, Recipient, RenderedMessage
from spsync.alerts.rules import AlertPlan, AlertSettings, LedgerFacts, plan_alerts
from spsync.checks.result import Finding
from spsync.exceptions import DeliveryError

__all__ = ["LedgerStore", "DeliveryReport", "SentDigest", "deliver", "load_facts",
           "record_plan", "digest_message_id", "group_digests", "RULE_PREFIXES",
           "plan_from_store"]

log = logging.getLogger(__name__)

#: The key prefixes of every rule, for :func:`load_facts`.
RULE_PREFIXES: tuple[str, ...] = tuple(f"{k}|" for k in KIND_ORDER)


class LedgerStore(Protocol):
    """The part of :class:`spsync.state.StateStore` the alert shell uses."""

    def record_intents(self, run_id: int, alerts: Any, at: datetime) -> list[Any]: ...
    def keys_with_prefix(self, prefix: str) -> set[str]: ...
    def first_sent_at(self, dedupe_key: str) -> datetime | None: ...
    def pending(self, max_attempts: int) -> list[Any]: ...
    def exhausted(self, max_attempts: int) -> list[Any]: ...
    def mark_attempt(self, entry_ids: Sequence[int], message_id: str, at: datetime) -> None: ...
    def mark_sent(self, entry_ids: Sequence[int], message_id: str, at: datetime) -> None: ...
    def mark_failed(self, entry_ids: Sequence[int], error: str, at: datetime,
                    max_attempts: int) -> list[Any]: ...
    def close_keys(self, prefix: str, at: datetime) -> int: ...


@dataclass(frozen=True)
class SentDigest:
    """A digest that went out, and the id the channel reported."""

    digest: Digest
    entry_ids: tuple[int, ...]
    provider_id: str


@dataclass
class DeliveryReport:
    """What one send loop did (for the summary, the run record and the tests)."""

    sent: list[SentDigest] = field(default_factory=list)
    #: (digest, Dutch error) of the sends that failed this time (rows still pending or failed).
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    #: Dutch findings: alerts given up after max_attempts, and alerts left unsent after crashes.
    findings: list[Finding] = field(default_factory=list)

    @property
    def lines_sent(self) -> int:
        return sum(len(s.digest.lines) for s in self.sent)


def load_facts(store: LedgerStore) -> LedgerFacts:
    """The ledger's open keys and the missed slots' first send times, for ``plan_alerts``."""
    keys: set[str] = set()
    for prefix in RULE_PREFIXES:
        keys |= set(store.keys_with_prefix(prefix))
    first: dict[str, datetime] = {}
    for key in sorted(k for k in keys if k.startswith("gemist|")):
        sent = store.first_sent_at(key)
        if sent is not None:
            first[key] = sent
    return LedgerFacts(frozenset(keys), first)


def plan_from_store(result: Any, store: LedgerStore, config: Any, *, now: datetime,
                    blocked: Collection[str] = ()) -> AlertPlan:
    """The cycle's one call to plan: ledger facts from ``store``, settings and the working-day
    calendar from ``config`` (a :class:`spsync.config.Config`), then the pure rules."""
    return plan_alerts(result, load_facts(store), AlertSettings.from_config(config),
                       config.alerts.work_calendar(result.controledatum),
                       site_url=config.site.url, list_titles=config.lists, now=now,
                       blocked=blocked)


def record_plan(store: LedgerStore, plan: AlertPlan, *, run_id: int, at: datetime) -> list[Any]:
    """Close the re-armed keys, then record the plan's alerts as intents (committed): the new
    ledger rows. Call it before the write-back, so a crash in between loses nothing."""
    for prefix in plan.close_prefixes:
        store.close_keys(prefix, at)
    return store.record_intents(run_id, plan.alerts, at)


def digest_message_id(recipient: Recipient, channel: str, entry_ids: Sequence[int]) -> str:
    """``<spsync.{hash}@spsync>``, from the recipient, the channel and the ledger rows."""
    basis = f"{recipient.address}|{channel}|{','.join(str(i) for i in sorted(entry_ids))}"
    return f"<spsync.{hashlib.sha256(basis.encode()).hexdigest()[:32]}@spsync>"


def _line_order(line: AlertLine) -> tuple[int, str, str]:
    kind = KIND_ORDER.index(line.kind) if line.kind in KIND_ORDER else len(KIND_ORDER)
    return kind, line.ref, line.dedupe_key


def group_digests(entries: Sequence[Any], *, organisation: str, run_id: int | None
                  ) -> list[tuple[Digest, tuple[int, ...]]]:
    """One digest per (recipient, channel) of the rows never attempted; rows attempted before
    (they carry a message id) form again exactly the digest they were sent in, with that id."""
    groups: dict[tuple[str, str, str | None], list[Any]] = {}
    for e in entries:
        groups.setdefault((e.recipient.address, e.channel, e.message_id), []).append(e)
    out = []
    for (_address, channel, message_id), rows in groups.items():
        ids = tuple(sorted(r.id for r in rows))
        recipient = rows[0].recipient
        lines: dict[str, AlertLine] = {}
        for r in rows:
            lines.setdefault(r.line.dedupe_key, r.line)
        digest = Digest(recipient=recipient, channel=channel,
                        lines=tuple(sorted(lines.values(), key=_line_order)),
                        message_id=message_id or digest_message_id(recipient, channel, ids),
                        organisation=organisation, run_id=run_id)
        out.append((digest, ids))
    out.sort(key=lambda d: (d[0].recipient.address, d[0].channel, d[1]))
    return out


def _give_up_finding(entry: Any, max_attempts: int, why: str) -> Finding:
    line = entry.line
    return Finding(line.list_key, line.item_id, line.ref, "MELDING_NIET_VERSTUURD",
                   f"De melding '{line.title}' aan {entry.recipient.name} "
                   f"({entry.recipient.address}) via {entry.channel} is na {max_attempts} "
                   f"poging(en) niet verstuurd: {why}")


def deliver(store: LedgerStore, channels: Mapping[str, Channel],
            render: Callable[[Digest], RenderedMessage], *, run_id: int | None,
            max_attempts: int, now_fn: Callable[[], datetime], organisation: str
            ) -> DeliveryReport:
    """Send every pending ledger row (this run's and earlier runs'), one digest per recipient
    and channel; see the module docstring for the guarantee."""
    report = DeliveryReport()
    # Rows whose every attempt died mid-send: resending could repeat a message, so they are
    # given up (marked failed, reported once) instead.
    exhausted = store.exhausted(max_attempts)
    if exhausted:
        why = ("de verzending is steeds afgebroken; controleer bij de ontvanger of het bericht "
               "is aangekomen")
        given_up = store.mark_failed([e.id for e in exhausted], why, now_fn(), max_attempts)
        report.findings += [_give_up_finding(e, max_attempts, why) for e in given_up]
    for digest, ids in group_digests(store.pending(max_attempts), organisation=organisation,
                                     run_id=run_id):
        channel = channels.get(digest.channel)
        # Committed before the send: a crash from here on resends this digest, same id.
        store.mark_attempt(ids, digest.message_id, now_fn())
        try:
            if channel is None:
                raise DeliveryError(f"kanaal '{digest.channel}' is niet ingesteld")
            provider_id = channel.send(digest, render(digest))
        except Exception as exc:
            if isinstance(exc, DeliveryError):
                error = str(exc) or "verzenden mislukt"
            else:  # the message of an unexpected error may hold a URL or token: not shown
                error = f"onverwachte fout ({type(exc).__name__})"
                log.error("Kanaal %s faalde onverwacht (%s)", digest.channel,
                          type(exc).__name__)
            log.warning("Melding aan %s via %s niet verstuurd: %s", digest.recipient.address,
                        digest.channel, error)
            report.failed.append((digest, error))
            given_up = store.mark_failed(ids, error, now_fn(), max_attempts)
            report.findings += [_give_up_finding(e, max_attempts, error) for e in given_up]
            continue
        store.mark_sent(ids, digest.message_id, now_fn())
        report.sent.append(SentDigest(digest, ids, str(provider_id)))
        log.info("Melding verstuurd aan %s via %s (%d regel(s), %s)", digest.recipient.address,
                 digest.channel, len(digest.lines), digest.message_id)
    return report

