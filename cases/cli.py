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


EXIT_STATUSES = "exit status: 0 success, 1 a claim or check failed (see above), 2 bad input, 130 interrupted"


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, exit status 2.

    Examples
    --------
    >>> Parser(prog="rankstrat").parse_args(["--nope"])
    Traceback (most recent call last):
    ...
    SystemExit: 2
    """

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand.

    Examples
    --------
    >>> build_parser().prog
    'rankstrat'
    """
    parser = Parser(
        prog="rankstrat",
        description="Model rank, rank strata and optimistic sample sizes: closed forms checked by numerics.",
        epilog=EXIT_STATUSES,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in command_modules():
        command = sub.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                                 epilog=f"example: {getattr(module, 'EXAMPLE', '')}\n{getattr(module, 'EXIT_ONE', '')}",
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``rankstrat`` console script.

    Returns the exit status: 0 success, 1 a claim or check failed, 2 bad input
    (one line on stderr, never a traceback), 130 interrupted (Ctrl-C).
    With ``RANKSTRAT_DEBUG=1`` an unexpected error shows its traceback.

    Examples
    --------
    >>> main(["rank", "twolayer:d=2,k=2,act=gelu"])
    2
    """
    try:
        parser = build_parser()  # imports the subcommands: Ctrl-C may land here too
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # --help (0) or a one-line argument error (2)
            return int(exc.code or 0)
    except KeyboardInterrupt:
        return _fail("rankstrat", "interrupted", 130)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    """Run the chosen subcommand; every failure becomes one line and an exit status."""
    prefix = f"rankstrat {args.command}"
    try:
        return int(args.run(args) or 0)
    except RankstratError as exc:
        return _fail(prefix, f"error: {exc}", 2)
    except KeyboardInterrupt as exc:
        return _fail(prefix, f"interrupted{'; ' + str(exc) if str(exc) else ''}", 130)
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 -- stays open until exit, so no later write fails
        return 0
    except MemoryError:
        return _fail(prefix, "error: out of memory; use smaller sizes, fewer inputs or a lower --max-memory", 2)
    except OSError as exc:
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        return _fail(prefix, f"error: cannot use{where}: {exc.strerror or exc}", 2)
    except Exception as exc:  # never a traceback: one line, and the way to see more
        if os.environ.get("RANKSTRAT_DEBUG"):
            raise
        text = " ".join(str(exc).split())[:300] or "no message"
        return _fail(prefix, f"error: {type(exc).__name__}: {text} (RANKSTRAT_DEBUG=1 shows the traceback)", 2)


def _fail(prefix: str, message: str, status: int) -> int:
    """Print ``prefix: message`` as one line on stderr and return ``status``."""
    try:
        sys.stdout.flush()
    except (BrokenPipeError, ValueError, OSError):
        pass
    print(f"{prefix}: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
