"""One module per subcommand of ``rankstrat``.

Each module defines ``NAME``, ``HELP``, ``add_arguments(parser)`` and
``run(args) -> int``; :mod:`rankstrat.cases.cli` discovers them.
"""
