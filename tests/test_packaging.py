"""The installed distribution has one import root, ``rankstrat``, and shadows no user module."""

import importlib.metadata
import os
import subprocess
import sys


def _clean_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def test_the_distribution_installs_one_import_root():
    top_level = importlib.metadata.distribution("rankstrat").read_text("top_level.txt")
    assert top_level.split() == ["rankstrat"]


def test_the_floors_are_not_importable_by_bare_names(tmp_path):
    code = (
        "import importlib.util, rankstrat.cases.cli;"
        "print([importlib.util.find_spec(n) is None for n in ('theory', 'numerics', 'cases')])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_clean_env(),
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[True, True, True]"


def test_a_user_project_with_its_own_cases_package_runs_under_pytest(tmp_path):
    package = tmp_path / "cases"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "util.py").write_text("def double(x):\n    return 2 * x\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_user.py").write_text(
        "from cases.util import double\n\n\ndef test_double(rank_engine):\n    assert double(2) == 4\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path, env=_clean_env(), capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
