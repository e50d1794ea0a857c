"""Package layout: one import root, ``rankstrat``, over the three top-level folders.

The folders ``theory/``, ``numerics/`` and ``cases/`` at the repository root
install as ``rankstrat.theory``, ``rankstrat.numerics`` and ``rankstrat.cases``,
so nothing of ours shadows a user's own ``theory`` or ``cases`` package. All
other metadata is in ``pyproject.toml``.
"""

from setuptools import find_packages, setup

FLOORS = ("theory", "numerics", "cases")

setup(
    packages=["rankstrat"]
    + [f"rankstrat.{name}" for name in find_packages(include=[f"{floor}*" for floor in FLOORS])],
    package_dir={"rankstrat": "rankstrat", **{f"rankstrat.{floor}": floor for floor in FLOORS}},
)
