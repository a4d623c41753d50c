"""End-to-end benchmark of spsync cycles against the sandbox (issue 9, item 6). Not a test.

    PYTHONPATH=src python bench/run.py                     # S and M, 0 ms and 100 ms
    PYTHONPATH=src python bench/run.py --sizes S --latencies 0
    PYTHONPATH=src python bench/run.py --sizes M --latencies 0 --profile   # cProfile top 25

For each site size (S = the demo data, M = 2,000 projects / 100,000 bookings / 500 jaarkalender
rows / 300 activities, L = 10,000 / 1,000,000, bulk-loaded with ``spsync.sandbox.add_items``)
and each injected latency (the sandbox's own: it sleeps before every API request, ``$batch``
included; its sockets and urllib3's set TCP_NODELAY) it measures, each step in a fresh
subprocess so that peak RSS (VmHWM) is that step's alone:

1. a full first cycle (``jobs.run_once``, report generated and uploaded, PDF off);
2. an incremental read priming the change tokens (``incremental.read_snapshot_incremental``);
3. an unchanged second cycle (``run_once``, no report: the daemon's sync job);
4. an unchanged incremental read;
5. after 50 staff edits of bookings: an incremental read, then a cycle;
6. the per-item baseline (the Power Automate pattern) with the same real client on a fresh copy
   of the site: every list in pages of 100, then per changed item a GET and an update. It runs
   on a prefix (``--baseline-items``; at 100 ms also a page prefix) and is extrapolated linearly.

Requests by kind come from the sandbox's request log; bytes are request + response bodies seen
by the client. The table is printed and written to ``bench/RESULTS.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import platform
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

CONTROLEDATUM = date(2026, 5, 15)
SIZES = {"S": None, "M": (2000, 100_000), "L": (10_000, 1_000_000)}
#: Targets of issue 9 items 1-2 (on M).
TARGETS = {"full0": 20.0, "full100": 30.0, "rss_mb": 300.0, "unchanged_s": 3.0,
           "unchanged_per_list": 2, "changed50_s": 5.0}
STEP_TIMEOUT_S = 900
#: --profile choice -> the label of the step it profiles.
PROFILED = {"full": "cycle 1", "unchanged": "cycle 2: unchanged"}


# ---------------------------------------------------------------------------------------------
# building the sites (parent)

def build_site(size: str, db: Path) -> None:
    """A deterministic site of ``size`` in the sandbox SQLite file ``db``."""
    if SIZES[size] is None:
        from spsync.sandbox import DEMO_DATA, load_csv_dir
        load_csv_dir(db, DEMO_DATA)  # the demo is CSV; 301 bookings load in well under a second
        return
    from incremental_read import build  # the M generator of bench/incremental_read.py

    projects, bookings = SIZES[size]
    build(db, projects, bookings)


# ---------------------------------------------------------------------------------------------
# the child: one measured step

def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _config(spec: dict[str, Any]) -> Any:
    from spsync.config import config_from_dict
    return config_from_dict({
        "site": {"url": spec["site_url"]}, "auth": {"mode": "sandbox"},
        "state": {"path": spec["state"]},
        "report": {"output_dir": spec["out_dir"], "pdf": "off", "upload": True},
        "incremental": {"skip_unchanged": spec.get("skip_unchanged", True)},
    })


def _gateway(spec: dict[str, Any], counter: dict[str, int]) -> Any:
    from spsync.auth import sandbox_token
    from spsync.sharepoint import SharePointGateway, add_response_hook

    gateway = SharePointGateway(spec["site_url"], lambda: sandbox_token())

    def _bytes(response: Any) -> None:
        body = response.request.body or b""
        counter["bytes"] += len(response.content) + len(body if isinstance(body, bytes)
                                                         else str(body).encode())
    add_response_hook(gateway, _bytes)
    return gateway


def child_step(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one step, return its figures (JSON-able)."""
    kind = spec["step"]
    counter = {"bytes": 0}
    out: dict[str, Any] = {}
    if kind == "baseline":
        started = time.perf_counter()
        out.update(_baseline(spec, counter))
        out["wall"] = time.perf_counter() - started
    else:
        from spsync.state import open_state
        config = _config(spec)
        gateway = _gateway(spec, counter)
        store = open_state(config.state)
        started = time.perf_counter()
        if kind == "cycle":
            from spsync.jobs import run_once
            outbox = Path(spec["out_dir"]) / "outbox"
            outbox.mkdir(parents=True, exist_ok=True)
            outcome = run_once(gateway, config, CONTROLEDATUM, outbox=outbox, store=store,
                               make_report=spec["report"])
            out["wall"] = time.perf_counter() - started
            out["written"] = sum(outcome.written.values())
            out["read_counts"] = {k: v for k, v in outcome.read_counts.items()}
            out["uploaded"] = outcome.uploaded is not None
            out["exit_code"] = outcome.exit_code
            out["skipped"] = outcome.skipped_since is not None
            items = sorted({(c.list_key, c.item_id) for c in outcome.applied})
            out["changed_items"] = len(items)
            if spec.get("changes_file"):
                from spsync.writeback import to_wire
                per_item: dict[str, dict[str, Any]] = {}
                for c in outcome.applied:
                    key = f"{config.title(c.list_key)}\t{c.item_id}"
                    per_item.setdefault(key, {})[config.site_column(c.list_key, c.column)] = \
                        to_wire(c.new)
                Path(spec["changes_file"]).write_text(json.dumps(per_item))
        else:  # incremental read
            from spsync.incremental import read_snapshot_incremental
            modes: dict[str, str] = {}
            snap = read_snapshot_incremental(gateway, config, store, modes=modes)
            out["wall"] = time.perf_counter() - started
            out["written"] = 0
            out["read_counts"] = {k: (None if s.frame is None else len(s.frame))
                                  for k, s in snap.lists.items()}
            out["modes"] = modes
        out["requests_made"] = gateway.requests_made
        store.close()
        gateway.close()
    out["bytes"] = counter["bytes"]
    out["rss_mb"] = _vm_hwm_mb()
    t = os.times()
    out["cpu"] = t.user + t.system  # the client's own CPU; wall - cpu = waiting for the server
    return out


def _baseline(spec: dict[str, Any], counter: dict[str, int]) -> dict[str, Any]:
    """The Power Automate pattern with the real client: pages of 100, then per changed item a
    GET of the item and an update. ``page_limit``/``item_limit`` cut it to a prefix."""
    import requests
    from office365.sharepoint.client_context import ClientContext

    from spsync.auth import sandbox_token

    session = requests.Session()
    ctx = (ClientContext(spec["site_url"]).with_access_token(lambda: sandbox_token())
           .with_transport(session=session, timeout=(10.0, 60.0)))

    def _count(response: Any, *_a: Any, **_k: Any) -> None:
        body = response.request.body or b""
        counter["bytes"] += len(response.content) + len(body if isinstance(body, bytes)
                                                         else str(body).encode())
    session.hooks["response"].append(_count)
    page_limit = spec.get("page_limit") or 10 ** 9
    pages_time = 0.0
    pages_done = 0
    for title in spec["titles"]:
        started = time.perf_counter()
        col = ctx.web.lists.get_by_title(title).items.paged(100).get().execute_query()
        pages = 1
        while col.has_next and pages < page_limit:
            col._get_next().execute_query()
            pages += 1
        pages_time += time.perf_counter() - started
        pages_done += pages
        del col
    changes = json.loads(Path(spec["changes_file"]).read_text())
    keys = list(changes)[: spec["item_limit"]]
    started = time.perf_counter()
    for key in keys:
        title, item_id = key.split("\t")
        item = ctx.web.lists.get_by_title(title).get_item_by_id(int(item_id)).get() \
            .execute_query()
        for column, value in changes[key].items():
            item.set_property(column, value)
        item.update().execute_query()
    items_time = time.perf_counter() - started
    return {"pages": pages_done, "pages_time": pages_time, "items": len(keys),
            "items_time": items_time, "total_changed": len(changes)}


def child_main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    if spec.get("profile"):
        prof = cProfile.Profile()
        result = prof.runcall(child_step, spec)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
        print(f"--- cProfile {spec['label']} (top 25, cumulative) ---\n{buf.getvalue()}",
              file=sys.stderr)
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(25)
        print(f"--- cProfile {spec['label']} (top 25, tottime) ---\n{buf.getvalue()}",
              file=sys.stderr)
    else:
        result = child_step(spec)
    print("RESULT " + json.dumps(result))


# ---------------------------------------------------------------------------------------------
# the parent

def classify(requests: list[Any]) -> Counter[str]:
    """Requests by kind from the sandbox's log (batch parts counted apart from the batch)."""
    kinds: Counter[str] = Counter()
    for r in requests:
        p = r.path.lower()
        if r.in_batch:
            kinds["MERGE parts" if r.method.upper() != "GET" else "GET parts"] += 1
        elif p.endswith("contextinfo"):
            kinds["contextinfo"] += 1
        elif p == "$batch":
            kinds["$batch"] += 1
        elif "getchanges" in p:
            kinds["getChanges"] += 1
        elif "/files/add" in p or "startupload" in p or "saveBinaryStream".lower() in p:
            kinds["upload"] += 1
        elif r.method.upper() == "GET" and p.endswith("/items") and "$filter" in r.query:
            kinds["GET by id"] += 1  # an incremental re-read: $filter=Id eq … or …
        elif r.method.upper() == "GET" and p.endswith("/items"):
            kinds["GET pages"] += 1
        elif r.method.upper() == "GET" and "/items(" in p:
            kinds["GET item"] += 1
        elif r.method.upper() == "GET":
            kinds["GET other"] += 1
        else:
            kinds[f"{r.method.upper()} other"] += 1
    return kinds


def top_level(kinds: Counter[str]) -> int:
    return sum(v for k, v in kinds.items() if not k.endswith("parts"))


def minimal_count(read_counts: dict[str, int | None], written: int, uploads: int) -> int:
    """Per list ceil(items/5000) GETs (at least 1), one describe batch, one contextinfo (the
    form digest every POST needs), ceil(items written/100) write batches (lists mixed), and
    the report upload."""
    pages = sum(math.ceil(max(n or 0, 1) / 5000) for n in read_counts.values() if n is not None)
    return pages + 1 + 1 + math.ceil(written / 100) + uploads


def cycle_reads_incrementally() -> bool:
    """Whether ``run_cycle`` reads by change tokens (then the cycle rows are incremental and
    a separate incremental-read step would consume the changes before the cycle sees them)."""
    import inspect

    from spsync import cycle
    return "read_snapshot_incremental" in inspect.getsource(cycle)


def run_child(spec: dict[str, Any], tmp: Path) -> dict[str, Any]:
    path = tmp / f"spec-{spec['label'].replace(' ', '_').replace('/', '_')}.json"
    path.write_text(json.dumps(spec))
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, __file__, "--child", str(path)], env=env,
                          capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    if spec.get("profile"):
        sys.stderr.write(proc.stderr)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"step {spec['label']} failed (exit {proc.returncode})")
    return json.loads(lines[-1][len("RESULT "):])


def bench_size(size: str, latencies: list[float], args: argparse.Namespace, tmp: Path,
               rows: list[dict[str, Any]], baselines: list[dict[str, Any]]) -> None:
    from spsync.sandbox import SandboxServer

    base = tmp / f"{size}-base.db"
    started = time.perf_counter()
    build_site(size, base)
    build_s = time.perf_counter() - started
    print(f"\n== {size}: site built in {build_s:.1f} s", flush=True)
    for latency in latencies:
        work = tmp / f"{size}-{int(latency * 1000)}"
        work.mkdir()
        db = work / "site.db"
        shutil.copy(base, db)
        common = {"state": str(work / "state.db"), "out_dir": str(work / "out"),
                  "profile": False}
        with SandboxServer(db) as server:
            server.set_latency(latency)
            common["site_url"] = server.site_url

            def step(label: str, kind: str, **extra: Any) -> dict[str, Any]:
                server.clear_log()
                spec = {**common, "label": f"{size} {latency * 1000:.0f}ms {label}",
                        "step": kind, **extra}
                spec["profile"] = args.profile is not None and label.startswith(
                    PROFILED[args.profile])
                res = run_child(spec, tmp)
                kinds = classify(server.requests)
                res.update(size=size, latency_ms=latency * 1000, step=label, kinds=kinds,
                           requests=top_level(kinds))
                rows.append(res)
                print(f"  {latency * 1000:>4.0f} ms  {label:<34} {res['wall']:>7.2f} s "
                      f"(cpu {res['cpu']:.1f}) "
                      f"{res['requests']:>5} req  {res['rss_mb']:>6.0f} MB  "
                      f"written {res['written']:>5}  " + ", ".join(
                          f"{k} {v}" for k, v in sorted(kinds.items())), flush=True)
                return res

            changes_file = str(work / "changes.json")
            full = step("cycle 1: full (report)", "cycle", report=True,
                        changes_file=changes_file)
            full["minimal"] = minimal_count(full["read_counts"], full["written"],
                                            full["kinds"].get("upload", 0))
            if args.profile == "full":
                return  # profiling: one step only (timings inflate under cProfile)
            wired = cycle_reads_incrementally()
            if not wired:  # the cycle reads in full: measure the incremental reader beside it
                step("incremental read: prime tokens", "incremental")
            if wired:  # the next cycle sees spsync's own writes of cycle 1 in the change log
                after = step("cycle 2: after own writes", "cycle", report=False)
                after["minimal"] = 2 + math.ceil(after["written"] / 100)
            unchanged = step("cycle 2: unchanged", "cycle", report=False)
            unchanged["minimal"] = (2 if wired else
                                    minimal_count(unchanged["read_counts"], 0, 0))
            if args.profile == "unchanged":
                return
            # the same, with the checks forced (skip_unchanged off): what computing from the
            # cached rows costs when nothing changed (e.g. the first cycle of a new day)
            forced = step("cycle 2: unchanged, checks forced", "cycle", report=False,
                          skip_unchanged=False)
            forced["minimal"] = 2
            if not wired:
                step("incremental read: unchanged", "incremental")
            rnd = random.Random(50)
            lst = server.store.get_list("Urenregistratie")
            ids = [it.id for it in server.store.all_items(lst.id)]
            for item_id in rnd.sample(ids, 50):
                server.edit_item(lst.title, item_id, {"Uren": 3})
            if not wired:
                step("incremental read: 50 changed", "incremental")
            c50 = step("cycle 3: 50 changed bookings", "cycle", report=False)
            c50["minimal"] = (2 + math.ceil(c50["written"] / 100) if wired else
                              minimal_count(c50["read_counts"], c50["written"], 0))
        # the baseline on a fresh copy of the site, the same latency
        bdb = work / "baseline.db"
        shutil.copy(base, bdb)
        with SandboxServer(bdb) as server:
            server.set_latency(latency)
            titles = [t for t in full["read_counts"]]
            from spsync.config import config_from_dict
            cfg = config_from_dict({"site": {"url": server.site_url}, "auth": {"mode": "sandbox"}})
            titles = [cfg.title(k) for k, n in full["read_counts"].items() if n is not None]
            item_limit = args.baseline_items if latency == 0 else args.baseline_items_latency
            page_limit = args.baseline_pages if latency == 0 else args.baseline_pages_latency
            server.clear_log()
            spec = {"site_url": server.site_url, "label": f"{size} {latency}baseline",
                    "step": "baseline", "titles": titles, "changes_file": changes_file,
                    "item_limit": item_limit, "page_limit": page_limit, "profile": False}
            res = run_child(spec, tmp)
            kinds = classify(server.requests)
        total_pages = sum(math.ceil(max(n or 0, 1) / 100)
                          for n in full["read_counts"].values() if n is not None)
        per_page = res["pages_time"] / max(res["pages"], 1)
        per_item = res["items_time"] / max(res["items"], 1)
        total_items = res["total_changed"]
        measured_req = top_level(kinds)
        b = {"size": size, "latency_ms": latency * 1000, "measured_requests": measured_req,
             "measured_pages": res["pages"], "measured_items": res["items"],
             "measured_wall": res["wall"], "kinds": kinds,
             "pages_total": total_pages, "items_total": total_items,
             # requests per changed item as measured (GET + update, and what the library adds)
             "per_item_requests": (measured_req - res["pages"]) / max(res["items"], 1),
             "requests_total": round(total_pages + (measured_req - res["pages"])
                                     / max(res["items"], 1) * total_items),
             "wall_total": per_page * total_pages + per_item * total_items,
             "extrapolated": res["pages"] < total_pages or res["items"] < total_items,
             "spsync_requests": full["requests"], "spsync_wall": full["wall"]}
        baselines.append(b)
        print(f"  {latency * 1000:>4.0f} ms  baseline (per item)  measured {measured_req} req "
              f"{res['wall']:.1f} s on {res['pages']} pages + {res['items']} items -> "
              f"{b['requests_total']} req, {b['wall_total']:.0f} s for {total_pages} pages + "
              f"{total_items} items; kinds " + ", ".join(
                  f"{k} {v}" for k, v in sorted(kinds.items())), flush=True)


def machine() -> str:
    mem = next((ln.split()[1] for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), "0")
    return (f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), "
            f"{int(mem) / 1024 / 1024:.1f} GiB RAM, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, "
            f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}")


KIND_ORDER = ("GET pages", "GET by id", "GET item", "$batch", "GET parts", "MERGE parts", "contextinfo",
              "upload", "getChanges", "GET other")


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| size | latency | step | wall (s) | client CPU (s) | requests | " + " | ".join(KIND_ORDER)
            + " | other | KiB | peak RSS (MB) | written | checks | req ÷ minimal |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in rows:
        k = r["kinds"]
        other = sum(v for n, v in k.items() if n not in KIND_ORDER)
        ratio = f"{r['requests'] / r['minimal']:.2f} ({r['minimal']})" if "minimal" in r else ""
        lines.append(f"| {r['size']} | {r['latency_ms']:.0f} ms | {r['step']} | {r['wall']:.2f} | "
                     f"{r['cpu']:.1f} | "
                     f"{r['requests']} | " + " | ".join(str(k.get(n, 0)) for n in KIND_ORDER)
                     + f" | {other} | {r['bytes'] / 1024:.0f} | {r['rss_mb']:.0f} | "
                     f"{r['written']} | {'skipped' if r.get('skipped') else 'run'} | "
                     f"{ratio} |")
    return "\n".join(lines)


def baseline_table(bs: list[dict[str, Any]]) -> str:
    lines = ["| size | latency | measured on | measured req / s | baseline req (total) | "
             "baseline wall (s, total) | spsync req / wall (s) | req ratio | wall ratio |",
             "|---|---|---|---|---|---|---|---|---|"]
    for b in bs:
        lines.append(
            f"| {b['size']} | {b['latency_ms']:.0f} ms | {b['measured_pages']} pages + "
            f"{b['measured_items']} items | {b['measured_requests']} / {b['measured_wall']:.1f} | "
            f"{b['requests_total']}{' (extrapolated)' if b['extrapolated'] else ''} | "
            f"{b['wall_total']:.1f} | {b['spsync_requests']} / {b['spsync_wall']:.2f} | "
            f"{b['requests_total'] / max(b['spsync_requests'], 1):.0f}× | "
            f"{b['wall_total'] / max(b['spsync_wall'], 1e-9):.1f}× |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--sizes", default="S,M")
    ap.add_argument("--latencies", default="0,100", help="milliseconds, comma-separated")
    ap.add_argument("--profile", nargs="?", const="full", choices=sorted(PROFILED),
                    help="cProfile one step (the full first cycle, or the unchanged cycle), "
                         "print the top 25 by cumulative and by own time, stop")
    ap.add_argument("--baseline-items", type=int, default=2000,
                    help="changed items the baseline updates at 0 ms (then extrapolated)")
    ap.add_argument("--baseline-pages", type=int, default=None,
                    help="pages per list the baseline reads at 0 ms (default all; then "
                         "extrapolated), e.g. 100 for L")
    ap.add_argument("--baseline-items-latency", type=int, default=200)
    ap.add_argument("--baseline-pages-latency", type=int, default=30,
                    help="pages per list the baseline reads at >0 ms (then extrapolated)")
    ap.add_argument("--out", default=str(HERE / "RESULTS.md"))
    ap.add_argument("--table-only", action="store_true", help="print, do not write --out")
    args = ap.parse_args()
    if args.child:
        child_main(args.child)
        return
    rows: list[dict[str, Any]] = []
    baselines: list[dict[str, Any]] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="spsync-bench-") as tmp:
        for size in args.sizes.split(","):
            bench_size(size.strip(), [float(x) / 1000 for x in args.latencies.split(",")],
                       args, Path(tmp), rows, baselines)
    text = (f"Machine: {machine()}\n\nTotal bench time {time.perf_counter() - started:.0f} s\n\n"
            f"{table(rows)}\n\nPer-item baseline (Power Automate pattern):\n\n"
            f"{baseline_table(baselines)}\n")
    print("\n" + text)
    if not args.table_only:
        Path(args.out).write_text("# spsync benchmark results (generated by bench/run.py)\n\n"
                                  + text)
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
