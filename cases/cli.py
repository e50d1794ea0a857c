"""The ``rankstrat`` command line: parses arguments, calls the library, formats.

Subcommands live in :mod:`rankstrat.cases.commands`, one module each.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

import rankstrat.cases.commands
from rankstrat.theory.errors import RankstratError


def command_modules() -> list:
    """The subcommand modules, sorted by name.

    Examples
    --------
    >>> {"check", "rank", "table", "strata"} <= {m.NAME for m in command_modules()}
    True
    """
    modules = [
        importlib.import_module(f"rankstrat.cases.commands.{info.name}")
        for info in pkgutil.iter_modules(rankstrat.cases.commands.__path__)
    ]
    return sorted(modules, key=lambda m: m.NAME)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand.

    Examples
    --------
    >>> build_parser().prog
    'rankstrat'
    """
    parser = argparse.ArgumentParser(
        prog="rankstrat",
        description="Model rank, rank strata and optimistic sample sizes: closed forms checked by numerics.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``rankstrat`` console script.

    Returns the exit status: 0 success, 1 a claim or check failed, 2 bad input.

    Examples
    --------
    >>> main(["rank", "twolayer:d=2,k=2,act=gelu"])
    2
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except RankstratError as exc:
        print(f"rankstrat {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
