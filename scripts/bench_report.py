"""Benchmark of the weekly MT-rapportage: is it made in time for a large partnership?

Run it from the repository root::

    .venv/bin/python scripts/bench_report.py                   # 2,000 projects, 100,000 bookings
    .venv/bin/python scripts/bench_report.py --projects 500 --bookings 20000 --runs 3
    .venv/bin/python scripts/bench_report.py --profile         # cProfile of one large report

The lists come from the generator of ``scripts/bench_checks.py`` (same seed, same shape, ~1 %
junk). ``run_checks`` runs once per dataset and is not timed here (see bench_checks); what is
timed is the report: ``build_context`` (records -> Dutch context, four matplotlib charts) plus
``render_docx`` (docxtpl in the sandbox, hyperlinks, images, reopen and content check). No PDF.

The BASELINE is the demo-sized dataset (17 projects, 301 bookings) in the same process first,
so the ratio shows how the cost grows. Printed per dataset: wall time of context and render
(best of ``--runs``), the .docx size, the tracemalloc peak of one report and the process max
RSS. Target for the large run: under 5 s in total; it prints PASS or FAIL. Not a test: timing
depends on the machine.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.util
import pstats
import resource
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from spsync.checks import CheckSettings, run_checks
from spsync.report import ReportMeta, build_context, render_docx

TARGET_SECONDS = 5.0
HERE = Path(__file__).resolve().parent


def _bench_checks():
    spec = importlib.util.spec_from_file_location("bench_checks", HERE / "bench_checks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_checks"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


@dataclass
class Measurement:
    label: str
    projects: int
    bookings: int
    context_s: float
    render_s: float
    docx_kb: float
    traced_mb: float
    rss_mb: float

    @property
    def total_s(self) -> float:
        return self.context_s + self.render_s


def _max_rss_mb() -> float:
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 / (1024 if sys.platform == "darwin" else 1)


def _report_once(result, meta) -> tuple[float, float, bytes]:
    t0 = time.perf_counter()
    context = build_context(result, meta)
    t1 = time.perf_counter()
    data = render_docx(context)
    return t1 - t0, time.perf_counter() - t1, data


def measure(label: str, tables, controledatum, runs: int) -> Measurement:
    result = run_checks(tables, CheckSettings(), controledatum)
    meta = ReportMeta(organisation="Benchmark", controledatum=controledatum,
                      site_url="https://contoso.sharepoint.com/sites/swv", run_id="bench")
    best_ctx = best_render = float("inf")
    data = b""
    for _ in range(runs):
        gc.collect()
        c, r, data = _report_once(result, meta)
        if c + r < best_ctx + best_render:
            best_ctx, best_render = c, r
    gc.collect()
    tracemalloc.start()
    _report_once(result, meta)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Measurement(label, len(result.records.projects), len(result.records.bookings),
                       best_ctx, best_render, len(data) / 1024, peak / 2**20, _max_rss_mb())


def show(m: Measurement) -> None:
    print(f"{m.label}: {m.projects:,} projects, {m.bookings:,} bookings")
    print(f"  context {m.context_s:.3f} s + render {m.render_s:.3f} s = {m.total_s:.3f} s "
          f"(best of runs)  |  .docx {m.docx_kb:,.0f} KB  |  tracemalloc peak "
          f"{m.traced_mb:.1f} MB  |  max RSS {m.rss_mb:.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--bookings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="timed runs; the best counts")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--profile", action="store_true",
                        help="also print a cProfile of one large report (top 25, cumulative)")
    args = parser.parse_args(argv)
    bc = _bench_checks()
    c = bc.CONTROLEDATUM

    base = measure("BASELINE (demo size)", bc.generate(17, 301, args.seed), c, args.runs)
    show(base)
    tables = bc.generate(args.projects, args.bookings, args.seed)
    large = measure("LARGE", tables, c, args.runs)
    show(large)
    print(f"\nRATIO large / baseline: projects {large.projects / base.projects:.0f}x, bookings "
          f"{large.bookings / base.bookings:.0f}x, report time "
          f"{large.total_s / base.total_s:.1f}x")
    ok = large.total_s < TARGET_SECONDS
    print(f"TARGET large report < {TARGET_SECONDS:.0f} s (no PDF): {large.total_s:.2f} s -> "
          f"{'PASS' if ok else 'FAIL'}")
    if args.profile:
        result = run_checks(tables, CheckSettings(), c)
        meta = ReportMeta(organisation="Benchmark", controledatum=c)
        profiler = cProfile.Profile()
        profiler.enable()
        _report_once(result, meta)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
