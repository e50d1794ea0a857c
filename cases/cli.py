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
    parser = Parser(
        prog="rankstrat",
        description="Model rank, rank strata and optimistic sample sizes: closed forms checked by numerics.",
        epilog=EXIT_STATUSES,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = None if argv is None else chosen_command(argv)
    for name in command_names():
        if argv is None or name == chosen:
            module = importlib.import_module(f"{PACKAGE}.{name}")
            command = sub.add_parser(name, help=module.HELP, description=module.HELP,
                                     epilog=f"example: {getattr(module, 'EXAMPLE', '')}\n{getattr(module, 'EXIT_ONE', '')}",
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
            module.add_arguments(command)
            command.set_defaults(run=module.run)
        else:
            sub.add_parser(name, help=command_help(name))
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
    >>> main(["rank", "mf:n1=2,k=1,n2=2", "--nope"])
    2
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        parser = build_parser(argv)  # imports the chosen subcommand: Ctrl-C may land here too
        try:
            args, extra = parser.parse_known_args(argv)
        except SystemExit as exc:  # --help (0) or a one-line argument error (2)
            return int(exc.code or 0)
    except KeyboardInterrupt:
        return _fail("rankstrat", "interrupted", 130)
    if extra:  # named by the subcommand that did not know them
        prog = f"rankstrat {args.command}" if getattr(args, "command", None) else "rankstrat"
        return _fail(prog, f"error: unrecognized arguments: {' '.join(extra)} (see {prog} --help)", 2)
    if not getattr(args, "run", None):
        return _fail("rankstrat", f"error: give a command: {', '.join(command_names())} (see rankstrat --help)", 2)
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
