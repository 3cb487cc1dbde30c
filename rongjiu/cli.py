"""Command line: `rongjiu generate | run | evaluate | link | lookup`.

Each subcommand lives beside the stage it serves; this module only dispatches,
importing lazily so `rongjiu lookup` does not pay for Dagster's import time.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# subcommand -> module exposing add_arguments(parser) and main(args) -> int
SUBCOMMANDS = {
    "generate": ("rongjiu.generate.cli", "生成合成落地区与真值 / write a synthetic landing zone and its ground truth"),
    "run": ("rongjiu.orchestration.run", "run the nightly job for one date through Dagster and publish"),
    "evaluate": ("rongjiu.resolve.evaluate", "score published resident resolution against ground truth"),
    "link": ("rongjiu.resolve.link", "the matching engine on any CSV/Parquet records, configured by a profile"),
    "lookup": ("rongjiu.eligibility.lookup", "查询一位居民 / one resident in Chinese, for bureau staff"),
}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="rongjiu", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    chosen = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        if name == chosen:
            module = importlib.import_module(module_name)
            module.add_arguments(p)
            p.set_defaults(_main=module.main)
    args = parser.parse_args(argv)
    return int(args._main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
