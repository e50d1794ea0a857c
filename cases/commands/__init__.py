"""One module per subcommand of ``rankstrat``.

Each module defines ``NAME``, ``HELP``, ``EXAMPLE`` (one command line), ``EXIT_ONE``
(what exit status 1 means), ``add_arguments(parser)`` and
``run(args) -> int``; :mod:`rankstrat.cases.cli` discovers them.
"""
