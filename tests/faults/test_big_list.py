"""A 60,000-item Urenregistratie over real HTTP (issue 9, item 7: "a 60,000-item list → the
outcomes S3's safety valve promises").

The demo site with its 301 bookings replaced by 60,000 (bulk-loaded), well over the list view
threshold and the 5,000 page size: the first cycle reads all of them in the minimal 12 pages and
counts each once (booked hours per project equal the loaded sum, the planted invalid bookings
are exactly the ones written "Ongeldig"). After that successful run, 40,000 deletions arrive
through ``getChanges`` (incremental reads, the default with a state store) and the valve holds
back every dependent write and exits 1; 1,000 deletions plus 50 edits go through as usual.

The sandbox does not enforce the list view threshold for ``$filter`` (see
``spsync.sandbox``'s known deviations), so the ``$filter=Id …`` re-reads are shown to be
correct here, not to stay under the threshold.
"""

from __future__ import annotations

import math
import random
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import docx
import pytest

from spsync.config import StateConfig
from spsync.cycle import CycleOutcome
from spsync.demo import DEMO_CONTROLEDATUM
from spsync.sandbox import RecordedRequest, SandboxServer, add_items
from spsync.state import open_state
from spsync.summary import summary_lines
from spsync.writeback import local_midnight_utc

from .site import config_for, cycle, demo_site, diff_states, site_state

BOOKINGS = 60_000
PAGE = 5000  # SharePoint's largest $top, also the list view threshold
TZ = "Europe/Amsterdam"
#: Bookings dated after the controledatum are "Ongeldig" (DATUM_IN_TOEKOMST).
LAST_VALID = local_midnight_utc(DEMO_CONTROLEDATUM, TZ)
#: The field groups the valve holds back when Urenregistratie is broken (spsync.valve.GROUPS).
HELD = {"boekingen", "uren", "indicatoren", "doelen"}


def _bookings(projects: list[int], users: list[int]) -> list[dict[str, Any]]:
    """60,000 bookings in stored form over the demo's projects, inside planjaar 2025-2026;
    every 500th books 0 hours and every 1000th (+250) lies after the controledatum."""
    first = date(2025, 8, 18)
    rows = []
    for i in range(1, BOOKINGS + 1):
        day = date(2026, 6, 1) if i % 1000 == 250 else first + timedelta(days=i % 270)
        rows.append({"ID": i, "Title": f"Boeking {i}", "Project": projects[i % len(projects)],
                     "Medewerker": users[i % len(users)], "Datum": local_midnight_utc(day, TZ),
                     "Uren": 0 if i % 500 == 0 else (0.5, 1, 1.5, 2, 4)[i % 5]})
    return rows


def _valid(data: dict[str, Any]) -> bool:
    return data["Uren"] > 0 and data["Datum"] <= LAST_VALID


@dataclass
class Expected:
    """What the checks must conclude from the bookings on the site (computed here, plainly)."""

    hours: dict[int, float]  # project id -> sum of valid bookings' hours
    invalid: dict[int, int]  # project id -> invalid bookings
    invalid_ids: set[int]

    @classmethod
    def of(cls, bookings: dict[int, dict[str, Any]]) -> Expected:
        hours: Counter[int] = Counter()
        invalid: Counter[int] = Counter()
        for data in bookings.values():
            if _valid(data):
                hours[data["Project"]] += data["Uren"]
            else:
                invalid[data["Project"]] += 1
        return cls(dict(hours), dict(invalid),
                   {i for i, d in bookings.items() if not _valid(d)})


def _check_site(state: dict, expected: Expected) -> None:
    """Every booking's status and every project's hour fields as spsync wrote them."""
    ongeldig = {i for i, f in state["Urenregistratie"].items()
                if f.get("BoekingStatus") == "Ongeldig"}
    assert ongeldig == expected.invalid_ids
    for project_id, fields in state["Projecten"].items():
        assert fields["GeboekteUren"] == pytest.approx(expected.hours.get(project_id, 0)), \
            project_id
        assert (fields["OngeldigeBoekingen"] or 0) == expected.invalid.get(project_id, 0)


@dataclass
class BigRun:
    """The site and state store after a successful first cycle over 60,000 bookings."""

    tmp: Path
    outcome: CycleOutcome
    pages: list[RecordedRequest]  # the item GETs of Urenregistratie
    requests: int  # every top-level request
    state: dict
    loaded: Expected


def _booking_pages(server: SandboxServer) -> list[RecordedRequest]:
    """The item GETs of Urenregistratie: the first by title, the ``__next`` links by id."""
    list_id = server.store.get_list("Urenregistratie").id
    paths = {"web/lists/getbytitle('urenregistratie')/items", f"web/lists(guid'{list_id}')/items"}
    return [r for r in server.requests if r.method == "GET" and r.path.lower() in paths]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> BigRun:
    """One full first cycle over the big site (the expensive part, ~20 s), kept for every test:
    each test starts from a copy of the site and of the state store after it."""
    tmp = tmp_path_factory.mktemp("big")
    server = demo_site(tmp)
    store = open_state(StateConfig(path=tmp / "state.db"))
    try:
        projects = [it.id for it in server.store.all_items(
            server.store.get_list("Projecten").id)]
        users = [u[0] for u in server.store.users()]
        add_items(server.store, "Urenregistratie", _bookings(projects, users), replace=True)
        loaded = Expected.of({i: f for i, f in site_state(server)["Urenregistratie"].items()})
        server.clear_log()
        outcome = cycle(server, tmp, store=store)
        return BigRun(tmp, outcome, _booking_pages(server),
                      sum(not r.in_batch for r in server.requests), site_state(server), loaded)
    finally:
        store.close()
        server.stop()


@pytest.fixture
def after_first(big: BigRun, tmp_path: Path):
    """A running copy of the big site and its state store, as the first cycle left them."""
    for name in ("site.db", "state.db"):
        for f in big.tmp.glob(f"{name}*"):  # with any -wal/-shm left behind
            shutil.copy(f, tmp_path / f.name)
    server = SandboxServer(tmp_path / "site.db").start()
    store = open_state(StateConfig(path=tmp_path / "state.db"))
    try:
        yield server, store
    finally:
        store.close()
        server.stop()


def test_sixty_thousand_bookings_are_read_in_twelve_pages_and_each_counted_once(big):
    outcome = big.outcome
    assert outcome.exit_code == 0, outcome.problems
    assert outcome.read_counts["urenregistratie"] == BOOKINGS
    assert outcome.read_modes["urenregistratie"].startswith("volledig")
    # 12 pages of 5,000, each after the previous one's last id (the __next skiptoken), and no
    # 13th: the last page comes without __next.
    pages = big.pages
    assert len(pages) == math.ceil(BOOKINGS / PAGE) == 12
    assert all(p.query["$top"] == str(PAGE) and p.status == 200 for p in pages)
    after = [int(parse_qs(p.query.get("$skiptoken", "p_ID=0"))["p_ID"][0]) for p in pages]
    assert after == [k * PAGE for k in range(12)]
    # The checks saw every booking once: the hours per project are the loaded sums (a page
    # read twice or lost would show), and exactly the planted invalid ones are Ongeldig.
    assert len(big.loaded.invalid_ids) == 180
    _check_site(big.state, big.loaded)
    assert sum(big.loaded.hours.values()) == pytest.approx(
        sum(f["GeboekteUren"] for f in big.state["Projecten"].values()))
    assert outcome.written["urenregistratie"] == 180
    assert not outcome.verdict.breakages
    # The minimal count: a page per 5,000 items of each list (at least one), the describe
    # batch, the form digest and a write batch per 100 items written.
    pages_min = sum(math.ceil(max(n or 0, 1) / PAGE) for n in outcome.read_counts.values())
    written = sum(outcome.written.values())
    assert outcome.requests == big.requests
    assert outcome.requests == pages_min + 1 + 1 + math.ceil(written / 100)


def _delete(server: SandboxServer, ids) -> None:
    """Staff delete bookings (each enters the change log, as in the recycle bin)."""
    lst = server.store.get_list("Urenregistratie")
    for item_id in ids:
        assert server.store.delete_item(lst.id, item_id)


def _get_changes(requests: list[RecordedRequest], title: str) -> int:
    return sum(1 for r in requests if r.path == f"Web/lists/GetByTitle('{title}')/getChanges")


def test_forty_thousand_deleted_bookings_stop_every_dependent_write_and_force_proceeds(
        big, after_first, tmp_path):
    server, store = after_first
    config = config_for(server, tmp_path)
    assert config.safety.max_shrink_pct == 50
    _delete(server, range(1, 40_001))
    before = site_state(server)
    server.clear_log()
    held = cycle(server, tmp_path, config=config, store=store, make_report=True)
    # The deletes came through getChanges, not a full read: after the first cycle's own 180
    # status writes, 40,180 changes in pages of 1,000 (40 full, one short); the 60 own writes
    # on bookings that remain are re-read by Id. The valve judged the counts after that.
    own = {i for i in big.loaded.invalid_ids if i > 40_000}
    assert held.read_modes["urenregistratie"] == \
        f"incrementeel ({len(own)} nieuw/gewijzigd, 40000 verwijderd)"
    changes = 40_000 + len(big.loaded.invalid_ids)
    assert _get_changes(server.requests, "Urenregistratie") == changes // 1000 + 1 == 41
    assert all("$filter" in r.query for r in _booking_pages(server))
    assert held.read_counts["urenregistratie"] == 20_000
    assert held.exit_code == 1 and held.verdict.stopped
    assert {g.name for g in held.verdict.blocked_groups} == HELD
    # Nothing written: no item MERGE on the wire (only the report file's metadata), every
    # field of every item as before.
    merged = [r.path for r in server.requests if r.method == "MERGE"]
    assert merged and all(p.startswith("Web/GetFileById(") for p in merged), merged
    assert sum(held.written.values()) == 0
    assert diff_states(site_state(server), before) == []
    shrink = "De lijst 'Urenregistratie' is gekrompen van 60000 naar 20000 items (meer dan 50 %)."
    assert shrink in held.problems
    codes = Counter(f.code for f in held.findings)
    assert codes["VEILIGHEIDSSTOP"] == 2  # the list's shrink and the stop itself
    assert any(line.startswith("Veiligheidsstop: spsync schrijft niets terug")
               and "boekingen, uren" in line for line in summary_lines(held))
    document = docx.Document(str(held.report_path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert any("Veiligheidsstop" in text for text in cells + [p.text for p in document.paragraphs])
    # A held run is no successful run: the next cycle still compares with 60,000.
    assert store.last_successful_run().read_counts["urenregistratie"] == BOOKINGS
    # --force: the same (cached, unchanged) picture is written after all.
    server.clear_log()
    forced = cycle(server, tmp_path, config=config, store=store, force=True)
    assert forced.exit_code == 0 and not forced.verdict.stopped
    assert forced.read_modes["urenregistratie"].startswith("incrementeel (0 nieuw/gewijzigd")
    assert not _booking_pages(server)
    remaining = site_state(server)
    _check_site(remaining, Expected.of(remaining["Urenregistratie"]))
    assert forced.written["projecten"] == 17


def test_one_thousand_deleted_and_fifty_edited_bookings_go_through(big, after_first, tmp_path):
    server, store = after_first
    rnd = random.Random(7)
    deleted = set(rnd.sample(range(1, BOOKINGS + 1), 1000))
    # 50 of the zero-hour bookings get hours: re-read by Id, valid, their status cleared.
    fixed = sorted(i for i in range(500, BOOKINGS + 1, 500) if i not in deleted)[:50]
    _delete(server, sorted(deleted))
    for item_id in fixed:
        server.edit_item("Urenregistratie", item_id, {"Uren": 2})
    server.clear_log()
    outcome = cycle(server, tmp_path, store=store)
    # Updates: the 50 edits and the first cycle's own status writes on bookings that remain.
    updated = len(big.loaded.invalid_ids - deleted)
    assert outcome.read_modes["urenregistratie"] == \
        f"incrementeel ({updated} nieuw/gewijzigd, 1000 verwijderd)"
    assert outcome.read_counts["urenregistratie"] == BOOKINGS - 1000
    assert outcome.exit_code == 0 and not outcome.verdict.breakages, outcome.problems
    # The 50 re-reads went by $filter on Id (always indexed), no full read.
    rereads = _booking_pages(server)
    assert rereads and all("$filter" in r.query and r.query["$filter"].startswith("Id ")
                           for r in rereads)
    state = site_state(server)
    expected = Expected.of(state["Urenregistratie"])
    assert expected.invalid_ids == big.loaded.invalid_ids - deleted - set(fixed)
    _check_site(state, expected)
    assert outcome.written["urenregistratie"] == 50

