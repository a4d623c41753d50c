"""Requests and wall time of a full read vs an incremental read on a generated "M" site.

Not a test: ``PYTHONPATH=src python bench/incremental_read.py [--bookings N] [--latency S]``.
Builds 2,000 projects, 100,000 bookings, 500 jaarkalender rows and 300 activities in a sandbox
(bulk loads through ``spsync.sandbox.add_items``), then measures over real HTTP with the real
client: a full read (``reader.read_snapshot``), the first incremental read (full, saves tokens
and rows), an unchanged incremental read, and one after 50 changed bookings.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from spsync import schema
from spsync.auth import sandbox_token
from spsync.config import StateConfig, config_from_dict
from spsync.incremental import read_snapshot_incremental
from spsync.reader import read_snapshot
from spsync.sandbox import SandboxServer, add_items, create_list
from spsync.sandbox.store import Store
from spsync.sharepoint import SharePointGateway
from spsync.state import open_state


def build(db: Path, projects: int, bookings: int, seed: int = 6) -> None:
    rnd = random.Random(seed)
    with Store(db) as store:
        store.replace_users((f"Medewerker {i}", f"m{i}@swv.example") for i in range(1, 61))
        for d in (*schema.LISTS, schema.LIBRARY):
            create_list(store, d)
        add_items(store, "Hoofdlijnen", ({"ID": i, "Title": f"Hoofdlijn {i}", "Code": f"HL{i}",
                                          "Volgorde": i} for i in range(1, 6)))
        add_items(store, "Doelen", ({"ID": i, "Title": f"Doel {i}", "DoelCode": f"D{i}",
                                     "Hoofdlijn": 1 + i % 5, "Planperiode": "2024-2028"}
                                    for i in range(1, 31)))
        add_items(store, "Projecten", ({
            "ID": i, "Title": f"Project {i}", "ProjectCode": f"P-2526-{i:04d}",
            "ProjectType": "Project", "Hoofdlijn": 1 + i % 5, "Planjaar": "2025-2026",
            "Eigenaar": 1 + i % 60, "ToegekendeUren": 40 + i % 200,
            "Startdatum": "2025-07-31T22:00:00Z", "Einddatum": "2026-07-30T22:00:00Z",
            "Projectstatus": "Lopend", "BudgetPM": False} for i in range(1, projects + 1)))
        add_items(store, "Urenregistratie", ({
            "ID": i, "Title": f"Boeking {i}", "Project": rnd.randint(1, projects),
            "Medewerker": rnd.randint(1, 60), "Uren": rnd.choice([0.5, 1, 1.5, 2, 4, 8]),
            "Datum": f"2026-0{rnd.randint(1, 4)}-1{rnd.randint(0, 9)}T22:00:00Z"}
            for i in range(1, bookings + 1)))
        add_items(store, "Jaarkalender", ({
            "ID": i, "Title": f"Document {i}", "Documenttype": "Jaarverslag", "Overleg": "MT",
            "Planjaar": "2025-2026", "PeriodeStart": "2025-12-31T23:00:00Z",
            "PeriodeEind": "2026-06-29T22:00:00Z", "Eigenaar": 1 + i % 60, "Vervallen": False}
            for i in range(1, 501)))
        add_items(store, "Activiteiten", ({
            "ID": i, "Title": f"Activiteit {i}", "ActiviteitCode": f"A{i}",
            "Hoofdlijn": 1 + i % 5, "Doel": 1 + i % 30, "Project": 1 + i % projects,
            "Planjaar": "2025-2026", "Voortgang": "Op schema"} for i in range(1, 301)))
        add_items(store, "Indicatoren", ({
            "ID": i, "Title": f"Indicator {i}", "IndicatorCode": f"I{i}", "Doel": 1 + i % 30,
            "Meeteenheid": "Aantal", "GewensteRichting": "Hoger", "Berekening": "Handmatig",
            "Planjaar": "2025-2026"} for i in range(1, 41)))


def measure(label: str, server: SandboxServer, fn) -> tuple[float, int]:
    server.clear_log()
    started = time.perf_counter()
    fn()
    wall = time.perf_counter() - started
    top = [r for r in server.requests if not r.in_batch]
    kinds: dict[str, int] = {}
    for r in top:
        p = r.path.lower()
        kind = ("getChanges" if p.endswith("getchanges") else "$batch" if p == "$batch"
                else "contextInfo" if p == "contextinfo"
                else "items ($filter Id)" if "$filter" in r.query else "items")
        kinds[kind] = kinds.get(kind, 0) + 1
    print(f"| {label:<38} | {len(top):>8} | {wall:>8.2f} | "
          + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) + " |")
    return wall, len(top)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=2000)
    ap.add_argument("--bookings", type=int, default=100_000)
    ap.add_argument("--latency", type=float, default=0.0)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "m.db"
        started = time.perf_counter()
        build(db, args.projects, args.bookings)
        print(f"site built in {time.perf_counter() - started:.1f} s "
              f"({args.projects} projects, {args.bookings} bookings)")
        with SandboxServer(db) as server:
            server.set_latency(args.latency)
            config = config_from_dict({"site": {"url": server.site_url},
                                       "auth": {"mode": "sandbox"}})
            gateway = SharePointGateway(server.site_url, sandbox_token)
            store = open_state(StateConfig(path=Path(tmp) / "state.db"))
            print(f"\nlatency {args.latency * 1000:.0f} ms per request\n")
            print("| read                                   | requests | wall (s) | by kind |")
            print("|---|---:|---:|---|")
            measure("full read (read_snapshot)", server, lambda: read_snapshot(gateway, config))
            measure("incremental, first (full + save)", server,
                    lambda: read_snapshot_incremental(gateway, config, store))
            from sqlalchemy import text
            with store._engine.connect() as conn:
                sizes = conn.execute(text("SELECT list_key, item_count, length(rows) FROM "
                                          "list_cache ORDER BY 3 DESC")).all()
            print("| row cache: " + ", ".join(f"{k} {n} items {b / 1e6:.2f} MB"
                                            for k, n, b in sizes[:3]) + " | | | |")
            measure("incremental, unchanged", server,
                    lambda: read_snapshot_incremental(gateway, config, store))
            # 50 staff edits of bookings: the site's change log moves, so every list asks.
            rnd = random.Random(50)
            for item_id in rnd.sample(range(1, args.bookings + 1), 50):
                server.edit_item("Urenregistratie", item_id, {"Uren": 3})
            measure("incremental, 50 changed bookings", server,
                    lambda: read_snapshot_incremental(gateway, config, store))
            measure("incremental, unchanged again", server,
                    lambda: read_snapshot_incremental(gateway, config, store))
            store.close()
            gateway.close()


if __name__ == "__main__":
    main()
