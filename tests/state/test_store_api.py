"""Every StateStore method, on a real SQLite file and on a real PostgreSQL (``backend``)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from conftest import at
from state_factory import MT, OWNER, alert

from spsync.alerts.model import Recipient
from spsync.state import open_state
from spsync.writeback import FieldChange

MAY15 = date(2026, 5, 15)


def _finished(store, day: date, outcome: str = "ok", *, dry_run: bool = False,
              kind: str = "cycle", started: datetime | None = None) -> int:
    started = started or datetime(day.year, day.month, day.day, 5, tzinfo=UTC)
    run_id = store.begin_run(controledatum=day, started_at=started, dry_run=dry_run, kind=kind)
    store.finish_run(run_id, outcome=outcome, ended_at=started + timedelta(minutes=2),
                     read_counts={"projecten": 17, "urenregistratie": 301, "doelen": None},
                     requests=12, items_written=5, alerts_sent=3,
                     details={"gestopt": [], "bijzonder": "ë"})
    return run_id


# --- runs -----------------------------------------------------------------------------------

def test_begin_and_finish_run_round_trip_with_aware_utc(backend, store_of):
    store = store_of(backend)
    amsterdam = datetime(2026, 5, 15, 7, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))
    run_id = store.begin_run(controledatum=MAY15, started_at=amsterdam, dry_run=False)
    (running,) = store.runs()
    assert running.id == run_id and running.outcome is None and running.ended_at is None
    store.finish_run(run_id, outcome="problemen", ended_at=amsterdam + timedelta(seconds=90),
                     read_counts={"projecten": 17, "doelen": None}, requests=40,
                     items_written=7, alerts_sent=2, details={"reden": "Kolom ontbreekt"})
    (run,) = store.runs()
    assert run.started_at == amsterdam and run.started_at.tzinfo is UTC
    assert run.started_at.hour == 5  # 07:30 CEST is 05:30 UTC
    assert run.ended_at == amsterdam + timedelta(seconds=90) and run.ended_at.tzinfo is UTC
    assert (run.kind, run.controledatum, run.dry_run, run.outcome) == (
        "cycle", MAY15, False, "problemen")
    assert run.read_counts == {"projecten": 17, "doelen": None}
    assert (run.requests, run.items_written, run.alerts_sent) == (40, 7, 2)
    assert run.details == {"reden": "Kolom ontbreekt"}
    assert store.run(run_id) == run and store.run(run_id + 99) is None


def test_naive_datetimes_and_unknown_outcomes_are_refused(backend, store_of):
    store = store_of(backend)
    with pytest.raises(Exception, match="naive"):
        store.begin_run(controledatum=MAY15, started_at=datetime(2026, 5, 15, 7),
                        dry_run=False)
    run_id = store.begin_run(controledatum=MAY15, started_at=at(15), dry_run=False)
    with pytest.raises(ValueError, match="outcome"):
        store.finish_run(run_id, outcome="prima", ended_at=at(15, 8), read_counts={},
                         requests=0, items_written=0)
    with pytest.raises(KeyError):
        store.finish_run(run_id + 1, outcome="ok", ended_at=at(15, 8), read_counts={},
                         requests=0, items_written=0)


def test_runs_newest_first_and_limited(backend, store_of):
    store = store_of(backend)
    ids = [_finished(store, date(2026, 5, d)) for d in (11, 12, 13, 14, 15)]
    assert [r.id for r in store.runs()] == ids[::-1]
    assert [r.id for r in store.runs(limit=2)] == ids[:-3:-1]


def test_last_successful_run_skips_dry_failed_stopped_unfinished_and_other_kinds(
        backend, store_of):
    store = store_of(backend)
    assert store.last_successful_run() is None
    ok = _finished(store, date(2026, 5, 11), "ok")
    problems = _finished(store, date(2026, 5, 12), "problemen")
    _finished(store, date(2026, 5, 13), "gestopt")
    _finished(store, date(2026, 5, 13), "fout")
    _finished(store, date(2026, 5, 14), "ok", dry_run=True)
    _finished(store, date(2026, 5, 14), "ok", kind="weekly")
    store.begin_run(controledatum=MAY15, started_at=at(15), dry_run=False)  # still running
    assert store.last_successful_run().id == problems
    assert store.last_successful_run(kind="weekly").kind == "weekly"
    assert ok < problems


# --- write-back audit -----------------------------------------------------------------------

def test_record_changes_and_history_oldest_first_with_types_kept(backend, store_of):
    store = store_of(backend)
    first = _finished(store, date(2026, 5, 8))
    second = _finished(store, date(2026, 5, 15))
    assert store.record_changes(second, [
        FieldChange("projecten", 4, "UrenStatus", "Risico op overschrijding", "Overschreden"),
        FieldChange("projecten", 4, "UrenGeschreven", 230.5, 262.5),
        FieldChange("projecten", 5, "UrenStatus", None, "Binnen uren"),
    ], at(15)) == 3
    assert store.record_changes(first, [
        FieldChange("projecten", 4, "UrenStatus", None, "Risico op overschrijding"),
        FieldChange("projecten", 4, "Aantal", "34", 34),
    ], at(8)) == 2
    assert store.record_changes(first, [], at(8)) == 0
    history = store.history("projecten", 4)
    assert [(h.run_id, h.column, h.old, h.new) for h in history] == [
        (first, "UrenStatus", None, "Risico op overschrijding"),
        (first, "Aantal", "34", 34),
        (second, "UrenStatus", "Risico op overschrijding", "Overschreden"),
        (second, "UrenGeschreven", 230.5, 262.5),
    ]
    assert history[0].at == at(8) and history[0].at.tzinfo is UTC
    assert isinstance(history[1].old, str) and isinstance(history[1].new, int)
    assert store.history("jaarkalender", 4) == []


# --- alert ledger ---------------------------------------------------------------------------

def test_record_intents_twice_records_each_alert_once(backend, store_of):
    store = store_of(backend)
    run1 = _finished(store, date(2026, 5, 15))
    alerts = [alert(), alert(MT), alert(channel="teams"), alert(item_id=5), alert()]
    first = store.record_intents(run1, alerts, at(15))
    # The duplicate in the batch counts once; recipient and channel are part of the key.
    assert [(e.dedupe_key, e.recipient.address, e.channel) for e in first] == [
        ("uren|projecten|4|Overschreden", OWNER.address, "email"),
        ("uren|projecten|4|Overschreden", MT.address, "email"),
        ("uren|projecten|4|Overschreden", OWNER.address, "teams"),
        ("uren|projecten|5|Overschreden", OWNER.address, "email"),
    ]
    assert all(e.state == "pending" and e.attempts == 0 and e.run_id == run1 for e in first)
    run2 = _finished(store, date(2026, 5, 15))
    assert store.record_intents(run2, alerts, at(15, 9)) == []
    store.mark_attempt([first[0].id], "<m1@spsync>", at(15, 9))
    store.mark_sent([first[0].id], "<m1@spsync>", at(15, 9))
    store.mark_attempt([first[1].id], "<m2@spsync>", at(15, 9))
    store.mark_failed([first[1].id], "550 geweigerd", at(15, 9), max_attempts=1)
    # Whatever its state (pending, sent, failed), a recorded alert is never recorded again.
    assert store.record_intents(run2, alerts, at(16)) == []
    assert len(store.alerts_between(at(1), at(31))) == 4


def test_ledger_entry_round_trips_the_line_recipient_and_times(backend, store_of):
    store = store_of(backend)
    run_id = _finished(store, MAY15)
    original = alert(Recipient("r.de.vries@swv-almere.nl", "Renée de Vries"), "outbox")
    (entry,) = store.record_intents(run_id, [original], at(15))
    assert entry.line == original.line and entry.line.date == date(2026, 5, 1)
    assert entry.recipient == original.recipient and entry.channel == "outbox"
    assert (entry.kind, entry.list_key, entry.item_id) == ("uren", "projecten", 4)
    assert entry.created_at == at(15) and entry.created_at.tzinfo is UTC
    assert entry.sent_at is None and entry.message_id is None and entry.last_error is None
    (undated,) = store.record_intents(run_id, [alert(item_id=9, when=None)], at(15))
    assert undated.line.date is None


def test_has_key_prefix_and_first_sent_at(backend, store_of):
    store = store_of(backend)
    run_id = _finished(store, MAY15)
    a, b = store.record_intents(run_id, [alert(), alert(MT)], at(15))
    store.record_intents(run_id, [alert(kind="gemist", list_key="jaarkalender", item_id=14,
                                        status="2026-02-15")], at(15))
    store.record_intents(run_id, [alert(status="100%_klaar")], at(15))
    assert store.has_key("uren|projecten|4|Overschreden")
    assert not store.has_key("uren|projecten|4|Risico op overschrijding")
    assert store.keys_with_prefix("uren|projecten|4|") == {
        "uren|projecten|4|Overschreden", "uren|projecten|4|100%_klaar"}
    assert store.keys_with_prefix("gemist|") == {"gemist|jaarkalender|14|2026-02-15"}
    # LIKE wildcards in a prefix match only themselves.
    assert store.keys_with_prefix("uren|projecten|4|100%_") == {"uren|projecten|4|100%_klaar"}
    assert store.keys_with_prefix("uren|projecten|_|") == set()
    assert store.keys_with_prefix("uren|%") == set()
    assert store.first_sent_at("uren|projecten|4|Overschreden") is None
    store.mark_attempt([b.id], "<b@x>", at(15, 8))
    store.mark_sent([b.id], "<b@x>", at(15, 8))
    store.mark_attempt([a.id], "<a@x>", at(16, 8))
    store.mark_sent([a.id], "<a@x>", at(16, 8))
    assert store.first_sent_at("uren|projecten|4|Overschreden") == at(15, 8)
    assert store.first_sent_at("nooit|verzonden") is None


def test_pending_attempt_sent_and_failed_lifecycle(backend, store_of):
    store = store_of(backend)
    old_run = _finished(store, date(2026, 5, 14))
    (earlier,) = store.record_intents(old_run, [alert(item_id=1)], at(14))
    new_run = _finished(store, MAY15)
    later = store.record_intents(new_run, [alert(item_id=2), alert(item_id=3)], at(15))
    assert [e.id for e in store.pending(max_attempts=3)] == [earlier.id, *(e.id for e in later)]

    store.mark_attempt([earlier.id, later[0].id], "<digest-1@spsync>", at(15, 7, 1))
    after = {e.id: e for e in store.pending(max_attempts=3)}
    assert after[earlier.id].attempts == 1 and after[earlier.id].message_id == "<digest-1@spsync>"
    store.mark_sent([earlier.id, later[0].id], "<digest-1@spsync>", at(15, 7, 2))
    assert [e.id for e in store.pending(max_attempts=3)] == [later[1].id]
    (sent,) = [e for e in store.alerts_between(at(14), at(15)) if e.id == earlier.id]
    assert sent.state == "sent" and sent.sent_at == at(15, 7, 2)

    # A failing channel: pending until the cap, then failed (returned once).
    failing = later[1].id
    for attempt in (1, 2):
        store.mark_attempt([failing], f"<try-{attempt}@spsync>", at(15, 8, attempt))
        assert store.mark_failed([failing], "SMTP 421 probeer later", at(15, 8, attempt),
                                 max_attempts=3) == []
    (still,) = store.pending(max_attempts=3)
    assert (still.attempts, still.last_error, still.state) == (2, "SMTP 421 probeer later",
                                                              "pending")
    store.mark_attempt([failing], "<try-3@spsync>", at(15, 8, 3))
    (gave_up,) = store.mark_failed([failing], "x" * 5000, at(15, 8, 3), max_attempts=3)
    assert gave_up.id == failing and gave_up.state == "failed" and gave_up.attempts == 3
    assert len(gave_up.last_error) == 2000
    assert store.pending(max_attempts=3) == []
    assert store.mark_failed([failing], "again", at(15, 9), max_attempts=3) == []
    # A sent row is not touched by a late failure or attempt.
    store.mark_failed([earlier.id], "late", at(15, 9), max_attempts=1)
    store.mark_attempt([earlier.id], "<other@spsync>", at(15, 9))
    (kept,) = [e for e in store.alerts_between(at(14), at(15)) if e.id == earlier.id]
    assert (kept.state, kept.attempts, kept.message_id) == ("sent", 1, "<digest-1@spsync>")


def test_rows_tried_max_times_without_outcome_are_exhausted_not_pending(backend, store_of):
    store = store_of(backend)
    run_id = _finished(store, MAY15)
    (entry,) = store.record_intents(run_id, [alert()], at(15))
    for n in range(3):  # the process died three times after mark_attempt
        store.mark_attempt([entry.id], "<same@spsync>", at(15, 8, n))
    assert store.pending(max_attempts=3) == []
    (stuck,) = store.exhausted(max_attempts=3)
    assert stuck.id == entry.id and stuck.attempts == 3 and stuck.state == "pending"
    assert [e.id for e in store.pending(max_attempts=5)] == [entry.id]


def test_close_keys_rearms_a_key_as_a_new_episode(backend, store_of):
    store = store_of(backend)
    run1 = _finished(store, date(2026, 5, 8))
    (first, to_mt) = store.record_intents(run1, [alert(), alert(MT)], at(8))
    (other,) = store.record_intents(run1, [alert(item_id=40)], at(8))
    store.mark_attempt([first.id], "<m@x>", at(8))
    store.mark_sent([first.id], "<m@x>", at(8))
    # Project 4 is back within its hours: its keys close; project 40 ("4" as a prefix) stays.
    assert store.close_keys("uren|projecten|4|", at(12)) == 2
    assert store.close_keys("uren|projecten|4|", at(12)) == 0
    assert not store.has_key(first.dedupe_key) and store.has_key(other.dedupe_key)
    assert store.keys_with_prefix("uren|projecten|4") == {other.dedupe_key}
    assert store.first_sent_at(first.dedupe_key) is None
    # The closed row that was still pending is still delivered (a recorded alert is not lost).
    assert to_mt.id in [e.id for e in store.pending(max_attempts=3)]
    # It overruns again: the same key is recorded again, as episode 1, once.
    run2 = _finished(store, MAY15)
    again = store.record_intents(run2, [alert(), alert()], at(15))
    assert [(e.dedupe_key, e.episode, e.closed_at) for e in again] == [
        (first.dedupe_key, 1, None)]
    assert store.record_intents(run2, [alert()], at(15, 9)) == []
    assert store.has_key(first.dedupe_key)
    history = [e for e in store.alerts_between(at(1), at(31))
               if e.recipient == OWNER and e.dedupe_key == first.dedupe_key]
    assert [(e.episode, e.closed_at) for e in history] == [(0, at(12)), (1, None)]


def test_alerts_between_is_half_open_by_created_at(backend, store_of):
    store = store_of(backend)
    run_id = _finished(store, MAY15)
    for day, item in ((10, 1), (11, 2), (17, 3), (18, 4)):
        store.record_intents(run_id, [alert(item_id=item)], at(day, 0))
    week = store.alerts_between(at(11, 0), at(18, 0))
    assert [e.item_id for e in week] == [2, 3]
    cest = timezone(timedelta(hours=2))
    assert [e.item_id for e in store.alerts_between(datetime(2026, 5, 11, 2, tzinfo=cest),
                                                    at(11, 0, 1))] == [2]
    assert [e.item_id for e in store.alerts_for_item("projecten", 3)] == [3]


# --- key figures and reports ----------------------------------------------------------------

def test_previous_key_figures_come_from_the_latest_earlier_real_finished_run(backend, store_of):
    store = store_of(backend)
    assert store.previous_key_figures(MAY15) is None
    week19 = _finished(store, date(2026, 5, 8))
    store.save_key_figures(week19, {"PROJECTEN_BINNEN_UREN": {"waarde": 0.5}}, {"X": 1.0})
    store.save_key_figures(week19, {
        "PROJECTEN_BINNEN_UREN": {"waarde": 0.8235, "teller": 14, "noemer": 17,
                                  "status": "Op koers", "titel": "Projecten binnen uren"}},
        {"SUB-2526-01": 262.5, "SUB-2526-02": None})
    for run_id in (_finished(store, date(2026, 5, 12), dry_run=True),
                   _finished(store, date(2026, 5, 13), "fout"),
                   _finished(store, date(2026, 5, 14), "gestopt"),
                   _finished(store, MAY15),  # same controledatum: not "previous"
                   store.begin_run(controledatum=date(2026, 5, 14), started_at=at(14),
                                   dry_run=False)):
        store.save_key_figures(run_id, {"X": {"waarde": 1}}, {})
    _finished(store, date(2026, 5, 11))  # a real run without figures is not a candidate
    previous = store.previous_key_figures(MAY15)
    assert previous.run.id == week19 and previous.run.controledatum == date(2026, 5, 8)
    assert previous.figures == {"PROJECTEN_BINNEN_UREN": {
        "waarde": 0.8235, "teller": 14, "noemer": 17, "status": "Op koers",
        "titel": "Projecten binnen uren"}}
    assert previous.project_hours == {"SUB-2526-01": 262.5, "SUB-2526-02": None}
    assert store.previous_key_figures(date(2026, 5, 8)) is None


def test_key_figures_are_json_safe(backend, store_of):
    import numpy as np

    store = store_of(backend)
    run_id = _finished(store, date(2026, 5, 8))
    store.save_key_figures(run_id, {"A": {"waarde": np.float64(0.5), "teller": np.int64(3),
                                          "noemer": float("nan"), "status": None,
                                          "peildatum": date(2026, 5, 8)}},
                           {"P": float("inf")})
    previous = store.previous_key_figures(MAY15)
    assert previous.figures == {"A": {"waarde": 0.5, "teller": 3, "noemer": None,
                                      "status": None, "peildatum": "2026-05-08"}}
    assert previous.project_hours == {"P": None}


def test_report_record_upsert(backend, store_of):
    store = store_of(backend)
    assert store.report_record("weekly", "2026-W20") is None
    run_id = _finished(store, MAY15)
    store.record_report(run_id, "weekly", "2026-W20", path="/r/a.docx", url=None, at=at(15))
    store.record_report(None, "weekly", "2026-W20", path="/r/b.docx",
                        url="https://x/MT-rapportages/b.docx", at=at(15, 9))
    store.record_report(run_id, "weekly", "2026-W21", path=None, url=None, at=at(22))
    record = store.report_record("weekly", "2026-W20")
    assert (record.run_id, record.path, record.url, record.at) == (
        None, "/r/b.docx", "https://x/MT-rapportages/b.docx", at(15, 9))
    assert store.report_record("weekly", "2026-W21").run_id == run_id
    assert store.report_record("maand", "2026-W20") is None


# --- durability -----------------------------------------------------------------------------

def test_crash_after_mark_attempt_leaves_the_alert_pending_with_its_message_id(backend):
    store = open_state(backend)
    run_id = store.begin_run(controledatum=MAY15, started_at=at(15), dry_run=False)
    entries = store.record_intents(run_id, [alert(), alert(item_id=5)], at(15))
    store.mark_attempt([e.id for e in entries], "<digest-7@spsync>", at(15, 7, 1))
    store.close()  # the process "dies" here: no mark_sent, no finish_run
    with open_state(backend) as reopened:
        pending = reopened.pending(max_attempts=5)
        assert [(e.id, e.attempts, e.message_id, e.state) for e in pending] == [
            (e.id, 1, "<digest-7@spsync>", "pending") for e in entries]
        (crashed,) = reopened.runs()
        assert crashed.outcome is None and crashed.ended_at is None
        assert reopened.last_successful_run() is None
        # The resend after the restart is recorded as usual.
        reopened.mark_sent([e.id for e in pending], "<digest-7@spsync>", at(15, 8))
        assert reopened.pending(max_attempts=5) == []
        assert reopened.record_intents(run_id, [alert()], at(15, 8)) == []


def test_two_stores_on_one_store_see_each_others_commits(backend, store_of):
    daemon, manual = store_of(backend), store_of(backend)
    run_id = daemon.begin_run(controledatum=MAY15, started_at=at(15), dry_run=False)
    (entry,) = manual.record_intents(run_id, [alert()], at(15))
    assert daemon.record_intents(run_id, [alert()], at(15)) == []
    daemon.mark_attempt([entry.id], "<x@spsync>", at(15))
    assert manual.pending(3)[0].message_id == "<x@spsync>"
    assert [r.id for r in manual.runs()] == [run_id]
