"""`make bench`: generate landing zones, then time and measure every stage.

    python -m bench.run [--sizes 100000,1000000] [--repeats 3] [--date 2026-11-20]

Per size: cold ingest of all 28 feeds (2 worker processes, no Dagster); the whole
nightly job through Dagster (`rongjiu run`, in-process executor) with its per-step
times; resolution and eligibility accuracy against ground truth (`rongjiu evaluate`);
`rongjiu lookup` latency; resident_id stability after 1% of records change; resolution on
an independently generated landing zone of the same size (bench/blind). Then
FEBRL1-4 with rongjiu and Splink 5. Wall times are medians of --repeats runs; peak
memory is the peak RSS of the whole process tree. Results: bench/out/results_{sizes}.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
from pathlib import Path

from bench.measure import last_json_line, median_of, python_cmd, run_measured

OUT = Path("bench/out")
SEED = 1
# Splink needs ~13 GB and tens of minutes at 1M on this machine: compared up to this size
SPLINK_MAX_RESIDENTS = 200_000
BLIND_SEED = 7


def machine() -> str:
    cpu = "unknown cpu"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, Python {platform.python_version()}"


def ensure_generated(n: int, run_date: str) -> tuple[Path, dict]:
    target = OUT / f"gen{n}"
    if (target / "truth" / "manifest.json").exists():
        return target, {"cached": True}
    shutil.rmtree(target, ignore_errors=True)
    m = run_measured(python_cmd("rongjiu.cli", "generate", "--residents", str(n), "--seed", str(SEED),
                                "--date", run_date, "--out", str(target)))
    if m.returncode != 0:
        raise SystemExit(f"generate failed for {n} residents")
    return target, {"wall_s": round(m.wall_s, 1), "peak_rss_mb": round(m.peak_rss_mb)}


def ensure_independent(n: int, run_date: str) -> tuple[Path, dict]:
    """A landing zone from bench/blind, a generator written from the spec alone by someone who
    never saw rongjiu (its own rates and truth): data the pipeline was not built around."""
    target = OUT / f"blind{n}"
    if (target / "truth" / "summary.json").exists():
        return target, {"cached": True}
    shutil.rmtree(target, ignore_errors=True)
    m = run_measured(python_cmd("bench.blind", "--residents", str(n), "--seed", str(BLIND_SEED),
                                "--date", run_date, "--out", str(target)))
    if m.returncode != 0:
        raise SystemExit(f"bench.blind failed for {n} residents")
    return target, {"wall_s": round(m.wall_s, 1), "peak_rss_mb": round(m.peak_rss_mb)}


def independent(n: int, run_date: str, repeats: int) -> dict:
    """Resolution accuracy and time on the independent generator's data, and its recall ceiling."""
    gen_dir, gen = ensure_independent(n, run_date)
    run_measured(python_cmd("bench.resolve_generated", "stage", "--gen", str(gen_dir), "--date", run_date))
    ceiling = run_measured(python_cmd("bench.recall_ceiling", "--gen", str(gen_dir), "--date", run_date))
    return {"generate": gen, "resolution": resolution_alone(gen_dir, run_date, repeats),
            "recall_ceiling": last_json_line(ceiling.stdout) or {"error": "recall_ceiling failed"}}


def nightly(gen: Path, n: int, run_date: str, repeats: int) -> dict:
    """`rongjiu run` from a clean state each time (a cold first night), median of repeats."""
    work = OUT / f"run{n}"
    env = dict(os.environ, DAGSTER_HOME=str((work / "dagster_home").resolve()))
    runs, steps = [], []
    for _ in range(repeats):
        shutil.rmtree(work, ignore_errors=True)
        m = run_measured(python_cmd("rongjiu.cli", "run", "--landing", str(gen / "landing"), "--date", run_date,
                                    "--warehouse", str(work / "warehouse.duckdb"),
                                    "--publish-dir", str(work / "published"), "--state-dir", str(work / "state")),
                         env)
        if m.returncode != 0:
            raise SystemExit(f"rongjiu run failed for {n} residents")
        runs.append(m)
        steps.append(json.loads(run_measured(python_cmd("bench.nightly_steps"), env).stdout.strip().splitlines()[-1]))
    med = lambda key: statistics.median(s[key] for s in steps if s.get(key) is not None)  # noqa: E731
    return {
        "wall_s_median": round(statistics.median(r.wall_s for r in runs), 1),
        "wall_s_runs": [round(r.wall_s, 1) for r in runs],
        "peak_rss_mb_max": round(max(r.peak_rss_mb for r in runs)),
        "ingest_steps_s_median": med("ingest_steps_s"),
        "resolution_s_median": med("resolution_s"),
        "eligibility_s_median": med("eligibility_s"),
        "publish_s_median": med("publish_s"),
        "slowest_feeds": steps[-1]["slowest_feeds"],
        "warehouse": str(work / "warehouse.duckdb"),
    }


def lookup_latency(warehouse: str, repeats: int = 5) -> dict:
    import duckdb

    with duckdb.connect(warehouse, read_only=True) as con:
        rid = con.execute("select resident_id from resident where household_id like 'H%' limit 1").fetchone()[0]
    walls = []
    for _ in range(repeats):
        m = run_measured(python_cmd("rongjiu.cli", "lookup", rid, "--warehouse", warehouse, "--masked"))
        walls.append(m.wall_s)
    return {"wall_s_median": round(statistics.median(walls), 2), "wall_s_runs": [round(w, 2) for w in walls]}


def resolution_alone(gen_dir: Path, run_date: str, repeats: int) -> dict:
    """resolve_run on staged identity columns, timed in its own process (median of repeats)."""
    runs = []
    for _ in range(repeats):
        m = run_measured(python_cmd("bench.resolve_generated", "run", "--gen", str(gen_dir), "--date", run_date))
        lines = [x for x in m.stdout.strip().splitlines() if x.startswith("{")]
        if m.returncode != 0 or not lines:
            return {"error": "resolve_generated run failed"}
        runs.append(json.loads(lines[-1]) | {"process_peak_rss_gb": round(m.peak_rss_mb / 1024, 2)})
    out = dict(runs[-1])
    out["seconds_median"] = statistics.median(r["seconds"] for r in runs)
    out["seconds_runs"] = [r["seconds"] for r in runs]
    return out


def bench_size(n: int, repeats: int, run_date: str) -> dict:
    gen_dir, gen = ensure_generated(n, run_date)
    result: dict = {"residents": n, "generate": gen}
    result["ingest"] = median_of(python_cmd("bench.ingest_all", "--landing", str(gen_dir / "landing"),
                                            "--date", run_date), repeats)
    result["nightly"] = nightly(gen_dir, n, run_date, repeats)
    warehouse = result["nightly"]["warehouse"]
    ev = run_measured(python_cmd("rongjiu.cli", "evaluate", "--truth", str(gen_dir), "--warehouse", warehouse, "--json"))
    result["accuracy"] = json.loads(ev.stdout.strip().splitlines()[-1])
    result["lookup"] = lookup_latency(warehouse)
    run_measured(python_cmd("bench.resolve_generated", "stage", "--gen", str(gen_dir), "--date", run_date))
    result["resolution"] = resolution_alone(gen_dir, run_date, repeats)
    stab = run_measured(python_cmd("bench.resolve_generated", "rerun", "--gen", str(gen_dir), "--date", run_date,
                                   "--change", "0.01"))
    result["rerun_1pct"] = last_json_line(stab.stdout) or {"error": "rerun failed"}
    ceiling = run_measured(python_cmd("bench.recall_ceiling", "--gen", str(gen_dir), "--date", run_date))
    result["recall_ceiling"] = last_json_line(ceiling.stdout) or {"error": "recall_ceiling failed"}
    result["independent"] = independent(n, run_date, repeats)
    if n <= SPLINK_MAX_RESIDENTS:
        side = run_measured(python_cmd("bench.resolve_generated", "run", "--gen", str(gen_dir), "--date", run_date,
                                       "--splink"))
        result["resolution_vs_splink"] = [json.loads(x) for x in side.stdout.splitlines() if x.startswith("{")]
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--date", default="2026-11-20")
    ap.add_argument("--skip-febrl", action="store_true")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results: dict = {"machine": machine(), "repeats": args.repeats, "sizes": []}
    for n in [int(s) for s in args.sizes.split(",")]:
        results["sizes"].append(bench_size(n, args.repeats, args.date))
        (OUT / f"results_{args.sizes.replace(',', '_')}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if not args.skip_febrl:
        results["febrl"] = median_of(python_cmd("bench.resolve_febrl"), 1)["result"]
    (OUT / f"results_{args.sizes.replace(',', '_')}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
