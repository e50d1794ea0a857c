"""Repository-wide pytest configuration: doctests run on the installed modules.

The folders ``theory/``, ``numerics/`` and ``cases/`` are the subpackages
``rankstrat.theory``, ``rankstrat.numerics`` and ``rankstrat.cases``. pytest's
own doctest collector would import ``theory/spec.py`` as a second module named
``theory.spec``; here every module is imported under its installed name, so
each module exists once, and a session that imported one of the floors under
a bare name fails.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
from _pytest.doctest import DoctestModule

ROOT = Path(__file__).resolve().parent
FLOORS = ("theory", "numerics", "cases")
DOCTEST_FOLDERS = (*FLOORS, "rankstrat", "benchmarks")


def installed_name(path: Path) -> str | None:
    """``rankstrat.theory.spec`` for ``<root>/theory/spec.py``; None outside the package."""
    parts = path.resolve().relative_to(ROOT).with_suffix("").parts
    if parts[0] not in (*FLOORS, "rankstrat"):
        return None
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts if parts[0] == "rankstrat" else ("rankstrat", *parts))


class InstalledDoctestModule(DoctestModule):
    """A module's doctests, the module imported by its installed name."""

    def _getobj(self):
        name = installed_name(self.path)
        return super()._getobj() if name is None else importlib.import_module(name)


class InstalledModule(pytest.Module):
    """A module named on the command line, imported by its installed name."""

    def _getobj(self):
        name = installed_name(self.path)
        return super()._getobj() if name is None else importlib.import_module(name)


def pytest_pycollect_makemodule(module_path: Path, parent):
    # A floor module given as a path (``pytest numerics/rank/engine.py``)
    # is collected by pytest's python plugin too; import it as rankstrat.*.
    if _top_folder(module_path) in (*FLOORS, "rankstrat"):
        return InstalledModule.from_parent(parent, path=module_path)
    return None


def _top_folder(path: Path) -> str | None:
    try:
        parts = path.resolve().relative_to(ROOT).parts
    except ValueError:
        return None
    return parts[0] if parts else None


def pytest_collect_directory(path: Path, parent):
    # A plain directory, not a pytest Package: a Package imports its
    # ``__init__.py`` under the bare folder name.
    if _top_folder(path) in (*FLOORS, "rankstrat"):
        return pytest.Dir.from_parent(parent, path=path)
    return None


def pytest_collect_file(file_path: Path, parent):
    if file_path.suffix != ".py" or file_path.name in ("conftest.py", "setup.py"):
        return None
    if _top_folder(file_path) not in DOCTEST_FOLDERS:
        return None
    return InstalledDoctestModule.from_parent(parent, path=file_path)


def pytest_sessionfinish(session, exitstatus):
    shadowing = sorted(name for name in sys.modules if name.split(".")[0] in FLOORS)
    if shadowing:
        sys.stderr.write(
            "rankstrat modules were imported under bare names (each must exist once, "
            f"under rankstrat.*): {', '.join(shadowing[:5])}\n"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
