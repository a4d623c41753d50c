"""Connection resets, read time-outs, an expired digest or token, and staff edits mid-cycle.

A reset or a stall beyond the read time-out, mid-page or mid-batch, either is retried inside
the cycle or stops it cleanly; either way the next cycle ends where an undisturbed run ends.
A stalled batch is applied by the server while the client gave up: the retry meets its own
writes as 412s and the re-read finds nothing left to do (writes are idempotent).
"""

from __future__ import annotations

import copy
import json

import pytest

from spsync.exceptions import GatewayError

from .site import cycle, diff_states, site_state, staff_state


def _cycle_then_repair(site, tmp_path, gateway_kw=None):
    try:
        first = cycle(site, tmp_path, gateway_kw=gateway_kw).exit_code
    except GatewayError:
        first = None
    dropped = [r for r in site.requests if r.status == 0]
    site.reset_faults()
    second = cycle(site, tmp_path)
    return first, second, dropped


@pytest.mark.parametrize(("rule", "where"), [
    (dict(action="reset", method="GET", path_contains="Urenregistratie')/items"), "page"),
    (dict(action="reset", method="MERGE", in_batch=True, times=1), "batch"),
    (dict(action="stall", stall_s=2.5, method="GET", path_contains="Projecten')/items"), "page"),
    (dict(action="stall", stall_s=2.5, path_contains="$batch", method="POST"), "batch"),
    (dict(action="reset", path_contains="$batch", method="POST", times=12), "batch"),
], ids=["reset-page", "reset-batch", "stall-page", "stall-batch", "reset-every-batch"])
def test_transport_faults_complete_or_fail_cleanly_and_the_next_cycle_repairs(
        site, tmp_path, undisturbed, rule, where):
    site.inject(0, **rule)
    first, second, dropped = _cycle_then_repair(
        site, tmp_path, gateway_kw={"timeout": (5.0, 1.0), "max_retries": 3})
    if rule["action"] == "reset":
        assert dropped, "the reset never happened"
    assert second.exit_code == 0
    assert diff_states(site_state(site), undisturbed) == []
    if rule.get("times", 1) == 1:
        assert first == 0  # a single fault is retried inside the cycle


def test_expired_digest_and_token_mid_cycle_are_recovered(site, tmp_path, undisturbed):
    site.inject(403, times=1, method="POST", path_contains="$batch")  # -2130575251
    site.inject(401, times=1, method="GET", path_contains="Jaarkalender')/items")
    outcome = cycle(site, tmp_path)
    assert outcome.exit_code == 0
    assert sorted(r.status for r in site.requests if r.status in (401, 403)) == [401, 403]
    assert diff_states(site_state(site), undisturbed) == []


def test_staff_edits_between_read_and_write_are_never_overwritten(site, tmp_path):
    edits = {("Projecten", 3): {"ToegekendeUren": 999, "Omschrijving": "Gewijzigd door staf"},
             ("Urenregistratie", 89): {"Uren": 3},
             ("Jaarkalender", 5): {"Toelichting": "Verzet door het MT"},
             ("Activiteiten", 2): {"Voortgang": "Afgerond"}}
    before = staff_state(site)
    expected = copy.deepcopy(before)
    for (title, item_id), fields in edits.items():
        lst = site.store.get_list(title)
        known = {lst.field(k) is not None for k in fields}
        assert known == {True}, (title, fields)
        site.concurrent_edit(title, item_id, fields)
        expected[title][item_id].update(fields)
    outcome = cycle(site, tmp_path)
    assert outcome.exit_code in (0, 1)
    assert outcome.rounds >= 2  # the edits made If-Match stale: re-read and recomputed
    after = staff_state(site)
    assert diff_states(after, expected) == []
    # No MERGE spsync sent carried a staff column.
    owned = {t: set() for t in after}
    from spsync import schema
    for d in schema.LISTS:
        owned[d.title] = set(schema.owned_columns(d.key))
    for r in site.requests:
        if r.method == "MERGE" and r.body and "GetByTitle('" in r.path:
            title = r.path.split("GetByTitle('")[1].split("')")[0]
            if title in owned:
                sent = set(json.loads(r.body)) - {"__metadata"}
                assert sent <= owned[title], (title, sent - owned[title])
