"""The send loop over the real state store (SQLite file), the real digest renderer and real
channels: SMTP to an aiosmtpd server on loopback, and the outbox folder."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from email.message import Message
from pathlib import Path

import pytest
from checks.csvframes import demo_tables_sharepoint

from spsync.alerts.channels.outbox import OutboxChannel
from spsync.alerts.channels.smtp import SmtpChannel
from spsync.alerts.digest import render_digest
from spsync.alerts.dispatch import (
    deliver,
    digest_message_id,
    group_digests,
    load_facts,
    record_plan,
)
from spsync.alerts.model import Recipient
from spsync.config import StateConfig
from spsync.state import open_state

from .planning import SETTINGS, check, plan_for
from .smtp_receiver import free_port, smtp_receiver
from .test_rules_demo import FIRST_RUN

C = date(2026, 5, 15)
SENDER = "spsync <spsync@swv-demo.example>"


class Clock:
    """A clock that moves one second per call (send times stay ordered and distinct)."""

    def __init__(self, start: datetime = datetime(2026, 5, 15, 5, tzinfo=UTC)) -> None:
        self.t = start

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=1)
        return self.t


class Crash(BaseException):
    """The process dies (not an Exception: nothing in the send loop may swallow it)."""


class CrashAfter:
    """Delivers through ``inner``, then dies right after the ``n``-th message went out, before
    the loop can mark it sent."""

    def __init__(self, inner, n: int) -> None:
        self.inner, self.n, self.count, self.name = inner, n, 0, inner.name

    def send(self, digest, message):
        result = self.inner.send(digest, message)
        self.count += 1
        if self.count == self.n:
            raise Crash
        return result


@pytest.fixture
def state_cfg(tmp_path: Path) -> StateConfig:
    return StateConfig(path=tmp_path / "state.db")


def first_plan(settings=SETTINGS):
    return plan_for(check(demo_tables_sharepoint(), C), settings=settings)


def record(cfg: StateConfig, plan) -> int:
    with open_state(cfg) as store:
        run_id = store.begin_run(controledatum=C, started_at=datetime(2026, 5, 15, 5, tzinfo=UTC),
                                 dry_run=False)
        record_plan(store, plan, run_id=run_id, at=datetime(2026, 5, 15, 5, tzinfo=UTC))
        return run_id


def run_deliver(cfg: StateConfig, channels, run_id: int = 1, max_attempts: int = 3):
    with open_state(cfg) as store:
        return deliver(store, channels, render_digest, run_id=run_id, max_attempts=max_attempts,
                       now_fn=Clock(), organisation="Passend Onderwijs Almere")


def smtp(port: int) -> SmtpChannel:
    return SmtpChannel(host="127.0.0.1", port=port, security="none", sender=SENDER, timeout=5)


def refs_in(msg: Message) -> set[str]:
    text = msg.get_body(preferencelist=("plain",)).get_content()
    refs = {r for lines in FIRST_RUN.values() for _kind, r in lines}
    return {r for r in refs if r in text.replace("\n", " ")}


def test_the_demo_sends_ten_digests_once(state_cfg):
    run_id = record(state_cfg, first_plan())
    with smtp_receiver() as (port, received):
        report = run_deliver(state_cfg, {"smtp": smtp(port)}, run_id)
        assert len(report.sent) == 10 and report.failed == [] and report.findings == []
        assert len(received) == 10
        by_to = {m["To"].addresses[0].addr_spec: m for m in received}
        assert set(by_to) == set(FIRST_RUN)
        for address, lines in FIRST_RUN.items():
            msg = by_to[address]
            # Every item of this digest is in it (and, for the refs of the demo, no other).
            wanted = {r for _k, r in lines}
            got = refs_in(msg)
            assert wanted <= got, address
            assert not {r for r in got - wanted if not any(r in w for w in wanted)}, address
            assert msg["Message-ID"].startswith("<spsync.")
            html = msg.get_body(preferencelist=("html",)).get_content()
            assert "DispForm.aspx?ID=" in html
        budget = by_to["beleidsmedewerker.3@swv-demo.example"]
        assert "€ 47.250 van € 45.000" in budget.get_body(preferencelist=("plain",)).get_content()
        # A second send loop finds nothing pending; a second plan records nothing new.
        again = run_deliver(state_cfg, {"smtp": smtp(port)}, run_id)
        assert again.sent == [] and len(received) == 10
    with open_state(state_cfg) as store:
        facts = load_facts(store)
        second = plan_for(check(demo_tables_sharepoint(), C), facts)
        # The site columns were not written in this test: the plan only repairs them.
        assert second.alerts == [] and second.field_updates
        assert record_plan(store, second, run_id=run_id, at=Clock()()) == []
        assert set(facts.first_sent_at) == {"gemist|jaarkalender|14|2026-02-15",
                                            "gemist|jaarkalender|19|2026-04-15"}


def test_a_failing_channel_blocks_no_other_and_gives_up_after_max_attempts(state_cfg, tmp_path):
    settings = dataclasses.replace(SETTINGS, channels={"gemist": ("outbox",),
                                                       "herinnering": ("teams",)})
    run_id = record(state_cfg, first_plan(settings))
    dead = smtp(free_port())  # nothing listens there: a real connection refused
    outbox = OutboxChannel(tmp_path / "outbox", sender=SENDER)
    channels = {"smtp": dead, "outbox": outbox}  # "teams" is not configured at all
    first = run_deliver(state_cfg, channels, run_id, max_attempts=2)
    # gemist: owner J14, owner J19 (coördinator, also has uren on smtp), MT -> 3 outbox files
    assert {s.digest.channel for s in first.sent} == {"outbox"} and len(first.sent) == 3
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 3
    failed_channels = Counter(d.channel for d, _ in first.failed)
    assert failed_channels == {"smtp": 7, "teams": 2}
    assert all("niet bereikbaar" in e for d, e in first.failed if d.channel == "smtp")
    assert all("niet ingesteld" in e for d, e in first.failed if d.channel == "teams")
    assert first.findings == []  # 1 of 2 attempts: still pending
    second = run_deliver(state_cfg, channels, run_id, max_attempts=2)
    assert second.sent == []
    assert len(second.findings) == 9 + 1  # kwaliteitsmedewerker: 1 uren + 2 reminders (teams)
    assert {f.code for f in second.findings} == {"MELDING_NIET_VERSTUURD"}
    assert any("na 2 poging(en) niet verstuurd" in f.message for f in second.findings)
    # Given up: a third loop neither sends nor reports them again.
    third = run_deliver(state_cfg, channels, run_id, max_attempts=2)
    assert third.sent == [] and third.failed == [] and third.findings == []


def test_a_channel_that_comes_back_delivers_what_waited(state_cfg):
    run_id = record(state_cfg, first_plan())
    down = run_deliver(state_cfg, {"smtp": smtp(free_port())}, run_id, max_attempts=3)
    assert len(down.failed) == 10 and down.sent == []
    with smtp_receiver() as (port, received):
        up = run_deliver(state_cfg, {"smtp": smtp(port)}, run_id, max_attempts=3)
        assert len(up.sent) == 10 and len(received) == 10
        # The retried digest keeps the message id of its first attempt.
        first_ids = {d.message_id for d, _ in down.failed}
        assert {s.digest.message_id for s in up.sent} == first_ids


@pytest.mark.parametrize("crash_at", [1, 4, 10])
def test_a_crash_repeats_at_most_the_digest_in_flight(state_cfg, crash_at):
    run_id = record(state_cfg, first_plan())
    with smtp_receiver() as (port, received):
        with pytest.raises(Crash):
            run_deliver(state_cfg, {"smtp": CrashAfter(smtp(port), crash_at)}, run_id)
        assert len(received) == crash_at
        in_flight = received[-1]["Message-ID"]
        # A new process: the store is opened afresh; only what was not marked sent goes out.
        after = run_deliver(state_cfg, {"smtp": smtp(port)}, run_id)
        assert len(after.sent) == 10 - crash_at + 1
        counts = Counter(m["Message-ID"] for m in received)
        assert len(counts) == 10                              # every digest arrived
        assert [mid for mid, n in counts.items() if n > 1] == [in_flight]  # one repeated once
        assert counts[in_flight] == 2
        assert run_deliver(state_cfg, {"smtp": smtp(port)}, run_id).sent == []


def test_new_alerts_after_a_crash_do_not_join_the_digest_in_flight(state_cfg):
    """The in-flight digest is resent exactly as it was (same id, same lines); an alert for the
    same person recorded since goes in a digest of its own."""
    run_id = record(state_cfg, first_plan())
    with smtp_receiver() as (port, received):
        with pytest.raises(Crash):
            run_deliver(state_cfg, {"smtp": CrashAfter(smtp(port), 1)}, run_id)
        crashed_to = received[0]["To"].addresses[0].addr_spec
        with open_state(state_cfg) as store:
            pending = [e for e in store.pending(3) if e.recipient.address == crashed_to]
            extra = dataclasses.replace(pending[0].line, dedupe_key="budget|projecten|99|X",
                                        item_id=99, ref="P-EXTRA")
            from spsync.alerts.model import Alert
            store.record_intents(run_id, [Alert(extra, pending[0].recipient, "smtp")],
                                 datetime(2026, 5, 15, 6, tzinfo=UTC))
            groups = group_digests(store.pending(3), organisation="x", run_id=run_id)
        mine = [d for d, _ids in groups if d.recipient.address == crashed_to]
        assert len(mine) == 2
        resent = next(d for d in mine if d.message_id in received[0]["Message-ID"])
        assert "P-EXTRA" not in {line.ref for line in resent.lines}


def test_message_ids_are_stable_and_well_formed():
    r = Recipient("a@x.example", "A")
    one = digest_message_id(r, "smtp", [3, 1, 2])
    assert one == digest_message_id(r, "smtp", [1, 2, 3])
    assert one != digest_message_id(r, "outbox", [1, 2, 3])
    assert one.startswith("<spsync.") and one.endswith("@spsync>")


def test_a_digest_whose_sends_keep_dying_is_given_up_once(state_cfg):
    run_id = record(state_cfg, first_plan())
    with smtp_receiver() as (port, received):
        for _ in range(2):  # the first digest kills the process twice
            with pytest.raises(Crash):
                run_deliver(state_cfg, {"smtp": CrashAfter(smtp(port), 1)}, run_id,
                            max_attempts=2)
        assert len(received) == 2 and received[0]["Message-ID"] == received[1]["Message-ID"]
        after = run_deliver(state_cfg, {"smtp": smtp(port)}, run_id, max_attempts=2)
        # Not sent a third time: reported instead (once), the other 9 go out.
        assert len(after.sent) == 9 and len(received) == 11
        assert [f.code for f in after.findings] == ["MELDING_NIET_VERSTUURD"] * len(
            after.findings) and after.findings
        assert "steeds afgebroken" in after.findings[0].message
        assert run_deliver(state_cfg, {"smtp": smtp(port)}, run_id, max_attempts=2).findings == []


CHILD = r"""
import os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from spsync.alerts.channels.smtp import SmtpChannel
from spsync.alerts.digest import render_digest
from spsync.alerts.dispatch import deliver
from spsync.config import StateConfig
from spsync.state import open_state

path, port, kill_at, when = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
inner = SmtpChannel(host="127.0.0.1", port=port, security="none",
                    sender="spsync <spsync@swv-demo.example>", timeout=5)

class Killer:
    name = "smtp"
    count = 0
    def send(self, digest, message):
        Killer.count += 1
        if Killer.count == kill_at and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = inner.send(digest, message)
        if Killer.count == kill_at and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

with open_state(StateConfig(path=Path(path))) as store:
    deliver(store, {"smtp": Killer()}, render_digest, run_id=1, max_attempts=3,
            now_fn=lambda: datetime.now(UTC), organisation="Passend Onderwijs Almere")
"""


@pytest.mark.parametrize(("kill_at", "when"), [(1, "before"), (3, "after"), (10, "after")])
def test_sigkill_inside_the_send_loop(state_cfg, kill_at, when):
    """A real process killed with SIGKILL before or right after a send: after a restart every
    digest has arrived, and only a digest killed after its send arrives twice."""
    import os
    import signal
    import subprocess
    import sys
    run_id = record(state_cfg, first_plan())
    src = str(Path(__file__).resolve().parents[2] / "src")
    with smtp_receiver() as (port, received):
        child = subprocess.run(
            [sys.executable, "-c", CHILD, str(state_cfg.path), str(port), str(kill_at), when],
            env={**os.environ, "PYTHONPATH": src}, capture_output=True, timeout=120)
        assert child.returncode == -signal.SIGKILL, child.stderr.decode()[-2000:]
        sent_before = kill_at if when == "after" else kill_at - 1
        assert len(received) == sent_before
        after = run_deliver(state_cfg, {"smtp": smtp(port)}, run_id)
        counts = Counter(m["Message-ID"] for m in received)
        assert len(counts) == 10
        repeated = [mid for mid, n in counts.items() if n > 1]
        assert len(repeated) == (1 if when == "after" else 0)
        assert len(after.sent) == 10 - (kill_at - 1)  # the one in flight and all after it
