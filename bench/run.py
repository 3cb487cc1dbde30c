"""`make bench`: generate landing zones, then time and measure each stage.

Usage: python -m bench.run [--sizes 100000,1000000] [--repeats 3] [--date 2026-11-20]
Writes bench/out/results.json and prints a Markdown table (copied into
docs/benchmarks.md with the machine noted).
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
from pathlib import Path

from bench.measure import median_of, python_cmd, run_measured

OUT = Path("bench/out")


def machine() -> str:
    cpu = "unknown cpu"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    import os

    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, Python {platform.python_version()}"


def ensure_generated(n: int, seed: int, run_date: str) -> tuple[Path, dict]:
    target = OUT / f"gen{n}"
    if (target / "truth" / "manifest.json").exists():
        return target, {"cached": True}
    shutil.rmtree(target, ignore_errors=True)
    m = run_measured(python_cmd("rongjiu.cli", "generate", "--residents", str(n), "--seed", str(seed),
                                "--date", run_date, "--out", str(target)))
    if m.returncode != 0:
        raise SystemExit(f"generate failed for {n}")
    return target, {"wall_s": round(m.wall_s, 1), "peak_rss_mb": round(m.peak_rss_mb)}


def bench_size(n: int, repeats: int, run_date: str) -> dict:
    gen_dir, gen = ensure_generated(n, 1, run_date)
    landing = str(gen_dir / "landing")
    result: dict = {"residents": n, "generate": gen}
    result["ingest"] = median_of(python_cmd("bench.ingest_all", "--landing", landing, "--date", run_date), repeats)
    for step, module in STAGE_BENCHES:
        if Path(module.replace(".", "/") + ".py").exists():
            result[step] = median_of(python_cmd(module, "--gen", str(gen_dir), "--date", run_date), repeats)
    return result


# Stage benchmarks that take --gen DIR --date D and print one JSON line.
STAGE_BENCHES = [
    ("resolve", "bench.resolve_generated"),
    ("eligibility", "bench.eligibility_generated"),
    ("nightly_run", "bench.nightly_generated"),
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--date", default="2026-11-20")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = {"machine": machine(), "sizes": []}
    for n in [int(s) for s in args.sizes.split(",")]:
        results["sizes"].append(bench_size(n, args.repeats, args.date))
        (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    for step, module in [("febrl", "bench.resolve_febrl")]:
        if Path(module.replace(".", "/") + ".py").exists():
            results[step] = median_of(python_cmd(module), 1)
    (OUT / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
