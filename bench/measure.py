"""Run a command in a child process and measure its wall time and peak memory.

os.wait4 gives the rusage of that one child, so figures do not leak between steps
and no external `time` binary is needed.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass


@dataclass
class Measurement:
    wall_s: float
    peak_rss_mb: float
    returncode: int
    stdout: str


def _tree_rss_kib(root: int) -> int:
    """Sum of VmRSS over a process and all its descendants (worker pools included)."""
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                stack.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
    return total


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> Measurement:
    """Peak memory is the peak of the whole process tree, sampled every 100 ms."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=None, env=env, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            peak[0] = max(peak[0], _tree_rss_kib(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss (KiB) covers the largest single process; the sampler covers the sum
    return Measurement(wall, max(peak[0], usage.ru_maxrss) / 1024, proc.returncode, stdout)


def median_of(cmd: list[str], repeats: int, env: dict[str, str] | None = None,
              before_each=None) -> dict:
    runs = []
    for _ in range(repeats):
        if before_each:
            before_each()
        m = run_measured(cmd, env)
        if m.returncode != 0:
            raise SystemExit(f"benchmark step failed ({m.returncode}): {' '.join(cmd)}")
        runs.append(m)
    last_json = last_json_line(runs[-1].stdout)
    return {
        "wall_s_median": round(statistics.median(r.wall_s for r in runs), 2),
        "wall_s_runs": [round(r.wall_s, 2) for r in runs],
        "peak_rss_mb_max": round(max(r.peak_rss_mb for r in runs)),
        "result": last_json,
    }


def last_json_line(text: str) -> dict | list | None:
    """The last line of text that parses as JSON (what the bench scripts print last), or None."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith(("{", "[")):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                return None
    return None


def python_cmd(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]
