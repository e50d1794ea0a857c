"""The command line starts light: its parser imports no torch, sympy, scipy or matplotlib."""

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "sympy", "scipy", "matplotlib")


def _imported_after(code: str) -> list:
    probe = (f"import sys\n{code}\n"
             f"import json; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_command_line_imports_nothing_heavy():
    assert _imported_after("import rankstrat.cases.cli") == []


def test_top_level_help_imports_nothing_heavy():
    code = ("from rankstrat.cases.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass")
    assert _imported_after(code) == []


def test_the_probe_sees_heavy_imports():
    # the check itself can fail: a command that needs sympy does import it
    code = ("from rankstrat.cases.cli import main\n"
            "main(['strata', 'mf:n1=2,k=1,n2=2'])")
    assert "sympy" in _imported_after(code)


@pytest.mark.parametrize("argv", [["--help"], ["rank", "--help"], ["table", "--help"]])
def test_help_lists_every_command_and_option(argv, capsys):
    from rankstrat.cases import cli

    code = cli.main(argv)
    out = capsys.readouterr().out
    assert code == 0
    if argv == ["--help"]:
        assert all(name in out for name in cli.command_names())
        assert all(cli.command_help(name).split()[0] in out for name in cli.command_names())
    else:
        assert "--seed" in out


def test_help_read_from_source_matches_the_module():
    import importlib

    from rankstrat.cases import cli

    for name in cli.command_names():
        assert cli.command_help(name) == importlib.import_module(f"rankstrat.cases.commands.{name}").HELP
