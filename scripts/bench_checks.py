"""Benchmark of the functional core: does ``run_checks`` scale to a large partnership?

Run it from the repository root::

    .venv/bin/python scripts/bench_checks.py                  # 2,000 projects, 100,000 bookings
    .venv/bin/python scripts/bench_checks.py --projects 500 --bookings 20000 --runs 5
    .venv/bin/python scripts/bench_checks.py --profile        # cProfile of one large run

It generates the lists deterministically (seeded), in the shape the SharePoint reader returns
(floats, UTC instants for date-only values, lookups with ``<X>Id``), with about 1 % junk in the
cells staff type (hours, dates, project references, voortgang, amounts). Jaarkalender, doelen,
activiteiten and indicatoren grow with the number of projects in the demo's proportions.

The BASELINE is a demo-sized dataset (17 projects, 301 bookings) from the same generator, run in
the same process first, so the ratios show how the cost grows. For each run it prints the rows,
the wall time (best of ``--runs``), the tracemalloc peak of one run, and the process max RSS.
Target for the large run: under 2 s and under 500 MB (on a 2-core machine); it prints PASS or
FAIL. This is not a test: timing depends on the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import resource
import sys
import time
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from spsync.checks import CheckSettings, Tables, run_checks

CONTROLEDATUM = date(2026, 5, 15)
TARGET_SECONDS = 2.0
TARGET_MB = 500.0
AMS = ZoneInfo("Europe/Amsterdam")
HOOFDLIJNEN = ("Dekkend netwerk", "Basisondersteuning", "Extra ondersteuning", "Integraal",
               "Interne organisatie", "Financiën", "Subsidies")
#: Demo proportions per project (24 / 17 jaarkalender rows, 23 / 17 activities, ...).
PER_PROJECT = {"jaarkalender": 24 / 17, "doelen": 17 / 17, "activiteiten": 23 / 17,
               "indicatoren": 22 / 17}
JUNK = ("twee", "", "1,5", -4, 0, 26, "2026-02-30", None, "P-99999", "Klaar", float("nan"))


def _instant(d: date) -> str:
    """A date-only value as SharePoint returns it: the UTC instant of Amsterdam midnight."""
    return datetime(d.year, d.month, d.day, tzinfo=AMS).astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def _frame(records: list[dict]) -> pd.DataFrame:
    """The checks frame convention: object columns, index = ID."""
    cols = list(records[0]) if records else ["ID"]
    df = pd.DataFrame({c: pd.Series([r.get(c) for r in records], dtype=object) for c in cols})
    df.index = pd.Index([r["ID"] for r in records], name="ID")
    return df


def generate(projects: int, bookings: int, seed: int = 2026, junk_rate: float = 0.01) -> Tables:
    """A deterministic schooljaar-2025-2026 dataset of the given size, ~``junk_rate`` junk."""
    rnd = random.Random(seed)
    start = date(2025, 8, 1)
    days = [start + timedelta(days=n) for n in range((CONTROLEDATUM - start).days + 1)]
    instants = [_instant(d) for d in days]

    def junk(good: object) -> object:
        return rnd.choice(JUNK) if rnd.random() < junk_rate else good

    hl = [{"ID": i, "Code": f"H{i}", "Title": t, "Volgorde": float(i), "Soort": "Hoofdlijn",
           "Planperiode": "2023-2027"} for i, t in enumerate(HOOFDLIJNEN, start=1)]
    proj = []
    for i in range(1, projects + 1):
        h = rnd.randrange(len(HOOFDLIJNEN))
        proj.append({
            "ID": i, "Title": f"Project {i}", "ProjectCode": f"P-{i:05d}",
            "ProjectType": rnd.choice(("Project", "Project", "Structurele activiteit",
                                       "Subsidieproject")),
            "Hoofdlijn": HOOFDLIJNEN[h], "HoofdlijnId": h + 1, "Planjaar": "2025-2026",
            "Eigenaar": f"medewerker {i % 40}", "EigenaarId": 100 + i % 40,
            "EigenaarEMail": f"m{i % 40}@x.example",
            "ToegekendeUren": junk(float(rnd.choice((40, 80, 120, 200, 400)))),
            "Startdatum": instants[0], "Einddatum": _instant(date(2026, 7, 31)),
            "Projectstatus": rnd.choice(("Lopend", "Lopend", "Afgerond")),
            "BegrootBedrag": junk(float(rnd.randrange(0, 100_000))) if i % 3 == 0 else None,
            "WerkelijkeUitgave": float(rnd.randrange(0, 110_000)) if i % 3 == 0 else None,
            "BudgetPM": i % 17 == 0,
        })
    uren = []
    for i in range(1, bookings + 1):
        p = rnd.randrange(1, projects + 1)
        code = junk(f"P-{p:05d}")
        uren.append({
            "ID": i, "Title": "werk", "Project": code,
            "ProjectId": p if code == f"P-{p:05d}" else None,
            "Medewerker": f"medewerker {i % 40}", "MedewerkerId": 100 + i % 40,
            "Datum": junk(rnd.choice(instants)),
            "Uren": junk(rnd.choice((0.5, 1.0, 1.5, 2.0, 4.0, 8.0))),
        })
    n_cal = max(1, round(projects * PER_PROJECT["jaarkalender"]))
    cal = []
    for i in range(1, n_cal + 1):
        s = rnd.choice(days[:-30])
        e = s + timedelta(days=rnd.randrange(7, 60))
        op = s + timedelta(days=rnd.randrange(0, 70)) if rnd.random() < 0.7 else None
        cal.append({
            "ID": i, "Title": f"Document {i}",
            "Documenttype": rnd.choice(("Jaarplan", "Begroting", "Managementrapportage")),
            "Overleg": rnd.choice(("MT", "ALV", "OPR")), "Planjaar": "2025-2026",
            "PeriodeStart": junk(_instant(s)), "PeriodeEind": _instant(e),
            "Eigenaar": "eigenaar", "EigenaarId": 5, "EigenaarEMail": "e@x.example",
            "BesprokenOp": _instant(op) if op else None,
            "BesprokenIn": rnd.choice((None, "MT", "ALV")), "Vervallen": i % 50 == 0,
        })
    n_doel = max(1, round(projects * PER_PROJECT["doelen"]))
    doelen = [{"ID": i, "Title": f"Doel {i}", "DoelCode": f"D-{i:05d}",
               "Hoofdlijn": HOOFDLIJNEN[i % 7], "HoofdlijnId": i % 7 + 1,
               "Planperiode": "2023-2027"} for i in range(1, n_doel + 1)]
    n_act = max(1, round(projects * PER_PROJECT["activiteiten"]))
    acts = [{"ID": i, "Title": f"Activiteit {i}", "ActiviteitCode": f"A-{i:05d}",
             "Hoofdlijn": HOOFDLIJNEN[i % 7], "HoofdlijnId": i % 7 + 1,
             "Doel": f"D-{rnd.randrange(1, n_doel + 1):05d}", "Planjaar": "2025-2026",
             "Project": f"P-{rnd.randrange(1, projects + 1):05d}",
             "Voortgang": junk(rnd.choice(("Afgerond", "Deels behaald", "Nog niet gestart",
                                           "Behaald.", "Afgerond: niet haalbaar")))}
            for i in range(1, n_act + 1)]
    n_ind = max(1, round(projects * PER_PROJECT["indicatoren"]))
    berekening = ("Handmatig",) * 6 + ("PROJECTEN_BINNEN_UREN", "JAARKALENDER_VOLGENS_PLAN",
                                       "ACTIVITEITEN_UITGEVOERD", "MT_RAPPORTAGE_BESPROKEN")
    inds = [{"ID": i, "Title": f"Indicator {i}", "IndicatorCode": f"I-{i:05d}",
             "Doel": f"D-{rnd.randrange(1, n_doel + 1):05d}", "Meeteenheid": "Percentage",
             "GewensteRichting": "Neemt toe", "Streefwaarde": 75.0,
             "Berekening": rnd.choice(berekening), "Nulmeting": "2",
             "WaardeHandmatig": None,
             "VoortgangHandmatig": junk(rnd.choice(("Neemt toe", "Afgerond", None))),
             "Planjaar": "2025-2026"} for i in range(1, n_ind + 1)]
    return Tables(hoofdlijnen=_frame(hl), projecten=_frame(proj), urenregistratie=_frame(uren),
                  jaarkalender=_frame(cal), doelen=_frame(doelen), activiteiten=_frame(acts),
                  indicatoren=_frame(inds))


@dataclass
class Measurement:
    label: str
    rows: dict[str, int]
    seconds: float  # best of the runs
    traced_mb: float  # tracemalloc peak of one run
    rss_mb: float  # process max RSS after the run (whole process, includes generation)
    findings: int

    @property
    def bookings(self) -> int:
        return self.rows["urenregistratie"]

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _max_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    return kb / 1024 / (1024 if sys.platform == "darwin" else 1)


def measure(label: str, tables: Tables, runs: int) -> Measurement:
    """Best-of-``runs`` wall time, then one traced run for the allocation peak."""
    settings = CheckSettings()
    best = float("inf")
    findings = 0
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        result = run_checks(tables, settings, CONTROLEDATUM)
        best = min(best, time.perf_counter() - t0)
        findings = len(result.findings)
        del result
    gc.collect()
    tracemalloc.start()
    run_checks(tables, settings, CONTROLEDATUM)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = {k: 0 if f is None else len(f) for k, f in tables.items()}
    return Measurement(label, rows, best, peak / 2**20, _max_rss_mb(), findings)


def report(m: Measurement) -> None:
    lists = ", ".join(f"{k} {v:,}" for k, v in m.rows.items())
    print(f"{m.label}: {m.total_rows:,} rows ({lists})")
    print(f"  wall {m.seconds:.3f} s (best of runs)  |  {1e6 * m.seconds / max(1, m.bookings):.1f}"
          f" µs per booking  |  tracemalloc peak {m.traced_mb:.1f} MB  |  max RSS "
          f"{m.rss_mb:.1f} MB  |  {m.findings:,} findings")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of one large run (top 25, cumulative)")
    args = parser.parse_args(argv)

    print(f"Python {sys.version.split()[0]}, pandas {pd.__version__}; controledatum "
          f"{CONTROLEDATUM}, best of {args.runs} runs\n")
    base = measure("BASELINE (demo size)", generate(17, 301, args.seed), args.runs)
    report(base)
    t0 = time.perf_counter()
    tables = generate(args.projects, args.bookings, args.seed)
    print(f"\n(generated the large dataset in {time.perf_counter() - t0:.1f} s)")
    large = measure("LARGE", tables, args.runs)
    report(large)

    per_booking = (large.seconds / large.bookings) / (base.seconds / base.bookings)
    per_row = (large.seconds / large.total_rows) / (base.seconds / base.total_rows)
    print("\nRATIOS large / baseline")
    print(f"  rows {large.total_rows / base.total_rows:.0f}x, bookings "
          f"{large.bookings / base.bookings:.0f}x, wall {large.seconds / base.seconds:.0f}x")
    print(f"  time per booking {per_booking:.2f}x, time per row {per_row:.2f}x "
          "(about 1 means linear)")
    print(f"  tracemalloc peak {large.traced_mb / max(base.traced_mb, 1e-9):.0f}x")

    ok_time = large.seconds < TARGET_SECONDS
    ok_mem = max(large.traced_mb, large.rss_mb) < TARGET_MB
    print(f"\nTARGET large run < {TARGET_SECONDS:.0f} s: {large.seconds:.2f} s -> "
          f"{'PASS' if ok_time else 'FAIL'}")
    print(f"TARGET large run < {TARGET_MB:.0f} MB: tracemalloc {large.traced_mb:.0f} MB, max RSS "
          f"{large.rss_mb:.0f} MB -> {'PASS' if ok_mem else 'FAIL'}")

    if args.profile:
        print("\ncProfile of one large run (top 25 by cumulative time):")
        profiler = cProfile.Profile()
        profiler.enable()
        run_checks(tables, CheckSettings(), CONTROLEDATUM)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    return 0 if ok_time and ok_mem else 1


if __name__ == "__main__":
    raise SystemExit(main())
