"""The claims catalogue, the report and the command line of rankstrat.

The assertion helpers of :mod:`rankstrat.cases.assertions` are importable from here too
(``from cases import assert_model_rank``); they load on first use, so importing
``cases`` (as the pytest plugin does) stays light.
"""

from rankstrat.cases.claim import Claim, ClaimResult, Measurement, compare, run_claim

ASSERTIONS = ("assert_model_rank", "assert_linearly_stable", "assert_claim")
"""Names re-exported lazily from :mod:`rankstrat.cases.assertions`."""

__all__ = ["Claim", "ClaimResult", "Measurement", "compare", "run_claim", *ASSERTIONS]


def __getattr__(name: str):
    if name in ASSERTIONS:
        from rankstrat.cases import assertions

        return getattr(assertions, name)
    raise AttributeError(f"module 'cases' has no attribute {name!r}")
