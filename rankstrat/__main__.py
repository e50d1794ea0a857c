"""``python -m rankstrat``: the ``rankstrat`` command line."""

from rankstrat.cases.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
