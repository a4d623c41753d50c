"""The Signalen channel over real HTTP through the real client: one item per line, found again
by its key before anything is created, so a resend or a second run adds nothing."""

from __future__ import annotations

import pytest

from spsync import schema
from spsync.alerts.channels.signalen import (
    LOOKUP_CHUNK,
    MAX_KEY,
    SignalenChannel,
    signal_key,
)
from spsync.alerts.digest import render_digest
from spsync.exceptions import DeliveryError
from spsync.sandbox import create_list, drop_list
from spsync.sharepoint import SharePointGateway

from .samples import HOSTILE, SITE, digest, line


def _token() -> dict:
    return {"access_token": "t", "token_type": "Bearer", "expires_in": 3600}


@pytest.fixture
def gateway(sandbox):
    gw = SharePointGateway(sandbox.site_url, _token)
    yield gw
    gw.close()


def _items(sandbox):
    lst = sandbox.store.get_list("Signalen")
    return sorted(sandbox.store.all_items(lst.id), key=lambda i: i.id)


def _posts(sandbox):
    return [r for r in sandbox.requests if r.method == "POST" and r.path.endswith("/items")]


# A status with every character the library would otherwise break in a $filter URL.
TRICKY = line("uren", 4, list_key="projecten", ref="P-2526-04", title=HOSTILE,
              status="Risico op overschrijding & 'meer' + #1 100%",
              figure="262,5 van 240 uur")


def test_each_line_becomes_one_item_with_its_facts(sandbox, gateway):
    d = digest(line(), TRICKY, address="Teamleider+swv@SWV.test")
    SignalenChannel(gateway).send(d, render_digest(d))
    first, second = _items(sandbox)
    assert first.data["Sleutel"] == "gemist|jaarkalender|14|2026-02-15|teamleider+swv@swv.test"
    assert first.data["Soort"] == "Gemist" and first.data["Lijst"] == "jaarkalender"
    assert first.data["ItemId"] == 14 and first.data["Verwijzing"] == "Jaarkalender 14"
    assert first.data["Link"]["Url"] == f"{SITE}/Lists/Jaarkalender/DispForm.aspx?ID=14"
    assert first.data["Datum"] == "2026-02-14T23:00:00Z"  # 15 Feb, midnight in Amsterdam
    assert first.data["Ontvanger"] == "Teamleider+swv@SWV.test"
    assert first.data["Bericht"] == d.message_id
    assert "Wat te doen: Zet het document" in first.data["Melding"]
    assert second.data["Title"] == HOSTILE  # stored as given, nothing escaped or evaluated
    assert second.data["Sleutel"] == signal_key(TRICKY, "teamleider+swv@swv.test")
    assert second.data["Soort"] == "Uren" and "262,5 van 240 uur" in second.data["Melding"]


def test_a_second_send_creates_nothing_and_a_new_line_only_itself(sandbox, gateway):
    d = digest(line(), TRICKY)
    channel = SignalenChannel(gateway)
    channel.send(d, render_digest(d))
    sandbox.clear_log()
    # The same digest again (a resend after a crash, or a second run) ...
    SignalenChannel(gateway).send(d, render_digest(d))
    assert len(_items(sandbox)) == 2 and _posts(sandbox) == []
    lookups = [r for r in sandbox.requests if r.method == "GET" and "$filter" in r.query]
    assert len(lookups) == 1  # one $filter for both keys
    # ... and a digest with one old and one new line adds exactly one item.
    more = digest(TRICKY, line("herinnering", 17, title="Jaarplan 2026-2027",
                               status="2026-05-25"))
    channel.send(more, render_digest(more))
    assert [i.data["Soort"] for i in _items(sandbox)] == ["Gemist", "Uren", "Herinnering"]
    # The same alert for another recipient is another item (the key holds the address).
    other = digest(line(), address="mt@swv.test", name="MT")
    channel.send(other, render_digest(other))
    assert len(_items(sandbox)) == 4


def test_an_item_created_just_before_a_crash_is_not_doubled(sandbox, gateway):
    d = digest(line(), TRICKY)
    channel = SignalenChannel(gateway)
    # The run died after creating the first line's item but before marking the digest sent.
    channel.send(digest(line()), render_digest(digest(line())))
    channel.send(d, render_digest(d))
    assert [i.data["Sleutel"].split("|")[0] for i in _items(sandbox)] == ["gemist", "uren"]


def test_many_lines_are_looked_up_in_chunks(sandbox, gateway):
    lines = [line("herinnering", i, status=f"2026-05-{i:02d}") for i in range(1, 24)]
    d = digest(*lines)
    SignalenChannel(gateway).send(d, render_digest(d))
    sandbox.clear_log()
    SignalenChannel(gateway).send(d, render_digest(d))
    lookups = [r for r in sandbox.requests if "$filter" in r.query]
    assert len(lookups) == -(-23 // LOOKUP_CHUNK) and _posts(sandbox) == []
    assert len(_items(sandbox)) == 23


def test_missing_list_or_column_is_a_delivery_error(sandbox, gateway):
    drop_list(sandbox.store, "Signalen")
    with pytest.raises(DeliveryError, match="bestaat niet") as err:
        SignalenChannel(gateway).send(digest(), render_digest(digest()))
    assert err.value.channel == "signalen"
    create_list(sandbox.store, schema.SIGNALEN, omit_columns=["Sleutel"])
    with pytest.raises(DeliveryError, match="Sleutel"):
        SignalenChannel(gateway).send(digest(), render_digest(digest()))


def test_throttled_create_is_a_delivery_error_and_the_retry_completes(sandbox, gateway):
    d = digest(line(), TRICKY)
    sandbox.inject(503, times=1, method="POST", path_contains="Signalen')/items",
                   retry_after=5)
    channel = SignalenChannel(gateway)
    with pytest.raises(DeliveryError, match="Signalen"):
        channel.send(d, render_digest(d))
    assert _items(sandbox) == []
    channel.send(d, render_digest(d))  # next run
    assert len(_items(sandbox)) == 2


def test_gateway_find_and_create_items(sandbox, gateway):
    info = gateway.describe_lists(["Signalen"])["Signalen"]
    sandbox.clear_log()
    created = gateway.create_item(info, {"Title": "x", "Sleutel": "a&b#c+d%e'f", "Soort": "Uren",
                                         "Ontvanger": "a@b.test"})
    assert created.id == 1 and created.etag == '"1"' and created.values["Sleutel"] == "a&b#c+d%e'f"
    assert [(r.method, r.status) for r in sandbox.requests] == [("POST", 201)]  # no list GET
    found = gateway.find_items(info, "Sleutel eq 'a&b#c+d%e''f'", ["Sleutel"])
    assert [(i.id, i.etag, i.values["Sleutel"]) for i in found] == [(1, '"1"', "a&b#c+d%e'f")]
    assert gateway.find_items(info, "Sleutel eq 'a'", ["Sleutel"]) == []


def test_a_key_longer_than_a_text_column_stays_unique_and_stable(sandbox, gateway):
    long_a = line("uren", 4, status="x" * 300 + "a")
    long_b = line("uren", 4, status="x" * 300 + "b")
    key_a, key_b = signal_key(long_a, "a@b.test"), signal_key(long_b, "a@b.test")
    assert len(key_a) <= MAX_KEY and key_a != key_b and key_a == signal_key(long_a, "A@b.test")
    d = digest(long_a, long_b, address="a@b.test")
    SignalenChannel(gateway).send(d, render_digest(d))
    SignalenChannel(gateway).send(d, render_digest(d))
    assert sorted(i.data["Sleutel"] for i in _items(sandbox)) == sorted([key_a, key_b])
