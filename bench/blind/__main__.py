"""python -m bench.blind --residents 100000 --seed 7 --date 2026-11-20 --out bench/out/blind100k"""

from __future__ import annotations

import argparse
from pathlib import Path

from .generate import run


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.blind", description="Independent test-data generator")
    ap.add_argument("--residents", type=int, default=100_000, help="persons in the true population")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--date", default="2026-11-20", help="drop date D (YYYY-MM-DD)")
    ap.add_argument("--out", type=Path, default=Path("bench/out/blind"))
    a = ap.parse_args(argv)
    run(a.residents, a.seed, a.date, a.out)


if __name__ == "__main__":
    main()
