"""Step durations of the newest run in a Dagster instance (DAGSTER_HOME), as one JSON line."""

from __future__ import annotations

import json


def main() -> None:
    from dagster import DagsterInstance

    instance = DagsterInstance.get()
    run = instance.get_runs(limit=1)[0]
    stats = instance.get_run_step_stats(run.run_id)
    steps = {s.step_key: round(s.end_time - s.start_time, 1) for s in stats if s.end_time and s.start_time}
    feeds = sum(v for k, v in steps.items() if k.startswith("feeds__"))
    print(json.dumps({
        "run_id": run.run_id,
        "ingest_steps_s": round(feeds, 1),
        "resolution_s": steps.get("residents__resolution"),
        "eligibility_s": steps.get("eligibility__determination"),
        "publish_s": steps.get("published__tables"),
        "slowest_feeds": dict(sorted(((k, v) for k, v in steps.items() if k.startswith("feeds__")),
                                     key=lambda kv: -kv[1])[:5]),
    }))


if __name__ == "__main__":
    main()
