"""Fixtures shared by the test modules."""

import pytest

from rankstrat.cases import cli


@pytest.fixture
def run_cli(capsys):
    """Run the ``rankstrat`` command line in-process: ``run_cli(*argv) -> (status, stdout, stderr)``."""

    def run(*argv):
        code = cli.main([str(arg) for arg in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run
