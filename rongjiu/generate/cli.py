"""`rongjiu generate`: a synthetic landing zone (every feed, several drops) and its ground truth."""

from __future__ import annotations

import argparse
from datetime import date

from rongjiu.generate.config import GenerateConfig


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--residents", type=int, required=True, help="number of residents (persons)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--date", type=date.fromisoformat, required=True, help="run date D (YYYY-MM-DD)")
    parser.add_argument("--out", required=True, help="output dir: writes OUT/landing and OUT/truth")
    parser.add_argument("--days", type=int, default=14, help="drops over this many days up to D")
    parser.add_argument("--stale-feed", default="WJ.severe_mental")
    parser.add_argument("--stale-age-days", type=int, default=50)
    parser.add_argument("--not-ready-department", default="GA",
                        help="department whose folder on D has no _READY (truncated files)")
    parser.add_argument("--identity-damage", type=float, default=1.0,
                        help="multiply the ID-number and name damage rates (e.g. 5 for a robustness run)")


def main(args: argparse.Namespace) -> int:
    from rongjiu.generate.build import build

    cfg = GenerateConfig(residents=args.residents, seed=args.seed, run_date=args.date, out=args.out,
                         days=args.days, stale_feed=args.stale_feed, stale_age_days=args.stale_age_days,
                         not_ready_department=args.not_ready_department, identity_damage=args.identity_damage)
    manifest = build(cfg)
    print(f"已生成 {manifest['persons']} 名居民, {manifest['truth_records']} 条真值记录 -> {args.out} "
          f"({manifest['seconds']}s)")
    return 0
