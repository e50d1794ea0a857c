"""rankstrat: a symbolic-numeric checker of model rank, rank strata and
optimistic sample sizes of neural networks.

The package has one import root and three floors, imported one way down:

- :mod:`rankstrat.cases`: the claims catalogue, the report, the pytest plugin
  and the ``rankstrat`` command line;
- :mod:`rankstrat.numerics`: the models realised in torch, exact integers,
  balls and high precision; the rank engine; training; completion; curves;
- :mod:`rankstrat.theory`: specs, symbolic models, strata and closed forms
  with their hypotheses (no torch).

In the source tree the three floors are the folders ``cases/``, ``numerics/``
and ``theory/`` at the repository root; the installed package maps them under
``rankstrat``.

Examples
--------
>>> import rankstrat
>>> rankstrat.__version__.count(".") >= 1
True
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("rankstrat")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
