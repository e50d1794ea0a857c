"""Options shared by several subcommands, declared once: seeds, memory limits."""

from __future__ import annotations

import argparse

from rankstrat.theory.values import seed_type


def add_seed(parser: argparse.ArgumentParser, what: str = "the random point and inputs") -> None:
    """``--seed S``: a non-negative integer seed (0 to 2^32-1), default 0.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_seed(p)
    >>> p.parse_args(["--seed", "7"]).seed
    7
    """
    parser.add_argument("--seed", type=seed_type(), default=0, metavar="S",
                        help=f"seed of {what} (0 to 2^32-1, default 0)")


def add_max_memory(parser: argparse.ArgumentParser) -> None:
    """``--max-memory SIZE``: refuse requests whose estimate is larger.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_max_memory(p)
    >>> p.parse_args(["--max-memory", "2G"]).max_memory
    '2G'
    """
    parser.add_argument("--max-memory", default=None, metavar="SIZE",
                        help="refuse a request whose memory estimate exceeds SIZE (e.g. 8G, 512MB; "
                             "default half of this machine's memory)")


def memory_limit(args: argparse.Namespace) -> int | None:
    """The ``--max-memory`` of ``args`` in bytes, None for the default.

    Examples
    --------
    >>> memory_limit(argparse.Namespace(max_memory="1G")), memory_limit(argparse.Namespace())
    (1000000000, None)
    """
    from rankstrat.numerics.resources import parse_memory

    text = getattr(args, "max_memory", None)
    return None if text is None else parse_memory(text)
