"""The ``rankstrat`` command line: parses arguments, calls the library, formats.

Subcommands live in :mod:`rankstrat.cases.commands`, one module each. The
parser imports only the module of the subcommand being run: ``rankstrat
--help`` reads each subcommand's one-line ``HELP`` from its source, so it starts
without torch, sympy, scipy or matplotlib.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import importlib.util
import os
import pkgutil
import sys

import rankstrat.cases.commands
from rankstrat.theory.errors import RankstratError

PACKAGE = "rankstrat.cases.commands"


def command_names() -> list[str]:
    """The subcommand names, sorted, found without importing their modules.

    Examples
    --------
    >>> {"check", "rank", "table", "strata"} <= set(command_names())
    True
    """
    return sorted(info.name for info in pkgutil.iter_modules(rankstrat.cases.commands.__path__))


def command_help(name: str) -> str:
    """The one-line ``HELP`` of a subcommand, read from its source without importing it.

    Falls back to importing the module when ``HELP`` is not a literal string.

    Examples
    --------
    >>> command_help("rank").startswith("model rank")
    True
    """
    spec = importlib.util.find_spec(f"{PACKAGE}.{name}")
    try:
        with open(spec.origin, encoding="utf-8") as handle:
            tree = ast.parse(handle.read())
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "HELP" for t in node.targets):
                return ast.literal_eval(node.value)
    except (OSError, TypeError, ValueError, SyntaxError):
        pass
    return importlib.import_module(f"{PACKAGE}.{name}").HELP


def command_modules() -> list:
    """The subcommand modules, sorted by name (imports every one of them).

    Examples
    --------
    >>> {"check", "rank", "table", "strata"} <= {m.NAME for m in command_modules()}
    True
    """
    return [importlib.import_module(f"{PACKAGE}.{name}") for name in command_names()]


def chosen_command(argv: list[str]) -> str | None:
    """The subcommand named in ``argv``: its first argument that is not an option.

    Examples
    --------
    >>> chosen_command(["table", "mf:n1=2,k=1,n2=2"]), chosen_command(["--help"]), chosen_command(["nope"])
    ('table', None, None)
    """
    first = next((arg for arg in argv if not arg.startswith("-")), None)
    return first if first in command_names() else None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; only the subcommand chosen in ``argv`` gets its options.

    Parameters
    ----------
    argv : list of str, optional
        The command line to be parsed; None gives every subcommand its options
        (imports every command module).

    Examples
    --------
    >>> build_parser(["--help"]).prog
    'rankstrat'
    """
    parser = argparse.ArgumentParser(
        prog="rankstrat",
        description="Model rank, rank strata and optimistic sample sizes: closed forms checked by numerics.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = None if argv is None else chosen_command(argv)
    for name in command_names():
        if argv is None or name == chosen:
            module = importlib.import_module(f"{PACKAGE}.{name}")
            command = sub.add_parser(name, help=module.HELP, description=module.HELP)
            module.add_arguments(command)
            command.set_defaults(run=module.run)
        else:
            sub.add_parser(name, help=command_help(name))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``rankstrat`` console script.

    Returns the exit status: 0 success, 1 a claim or check failed, 2 bad input.

    Examples
    --------
    >>> main(["rank", "twolayer:d=2,k=2,act=gelu"])
    2
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
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
