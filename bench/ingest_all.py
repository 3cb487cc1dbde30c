"""Benchmark step: ingest every feed of a landing zone for one run date (no Dagster).

Prints one JSON line: feeds, rows in/accepted/quarantined, statuses, wall time of
the ingest itself.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

from rongjiu.ingest import accounting_holds, ingest_feed
from rongjiu.schemas import load_feed_specs


def _one(args: tuple[str, str, str, str]) -> dict:
    key, landing, run_date, cache = args
    spec = next(s for s in load_feed_specs() if s.key == key)
    r = ingest_feed(spec, Path(landing), date.fromisoformat(run_date), Path(cache))
    return {"feed": key, "status": r.status, "rows_in": r.rows_in, "accepted": len(r.staged),
            "quarantined": len(r.quarantine), "accounting_ok": accounting_holds(r)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--landing", required=True)
    ap.add_argument("--date", required=True)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        # largest feeds first so the two workers finish together
        keys = sorted((s.key for s in load_feed_specs()),
                      key=lambda k: k not in {"YB.settlements", "GA.hukou", "SW.income"})
        jobs = [(k, args.landing, args.date, cache) for k in keys]
        with ProcessPoolExecutor(args.workers) as pool:
            rows = list(pool.map(_one, jobs))
    out = {
        "ingest_wall_s": round(time.perf_counter() - start, 2),
        "feeds": len(rows),
        "rows_in": sum(r["rows_in"] for r in rows),
        "accepted": sum(r["accepted"] for r in rows),
        "quarantined": sum(r["quarantined"] for r in rows),
        "accounting_ok": all(r["accounting_ok"] for r in rows),
        "statuses": {r["feed"]: r["status"] for r in rows},
    }
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
