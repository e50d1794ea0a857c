"""Every listed stratum, checked: rank and dimension at a point of the stratum.

The rank is measured at a point of the stratum by the rank engine. The
dimension is the rank of the stratum's own parametrization (from
:mod:`rankstrat.theory.rank.stratum`): a consistency check of the closed form
against its own description, not an independent measurement; every report
says so.
"""

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.numerics.rank.strata_check import verify_strata
from rankstrat.theory.rank.stratum import list_strata
from rankstrat.theory.spec import parse_spec

SPECS = [
    ("mf:n1=3,k=2,n2=4", False),
    ("mf:n1=4,k=4,n2=4", False),
    ("twolayer:d=2,k=3,act=tanh", False),
    ("twolayer:d=3,k=3,act=tanh,bias=1", False),
    ("twolayer:d=1,k=3,act=sin,bias=1", False),
    ("cnn1d:d=5,s=3,k=2,bias=1", False),
    ("cnn1d:d=4,s=2,k=1,share=0,bias=1", False),
    ("twolayer:d=3,k=4,act=tanh,bias=1", True),
    ("mf:n1=5,k=3,n2=4", True),
]


def _measure(text):
    def measure():
        checks = verify_strata(parse_spec(text))
        bad = [c.stratum.name for c in checks if not (c.rank_agrees and c.dimension_agrees)]
        weakest = min((c.measured.certainty for c in checks), key=_order, default="")
        detail = ("consistency check (dimension = rank of the stratum's own parametrization): "
                  + ("all agree" if not bad else "disagree: " + "; ".join(bad[:3])))
        return Measurement(len(checks) - len(bad), weakest, detail)

    return measure


def _order(certainty):
    from rankstrat.cases.claim import CERTAINTY_ORDER

    return CERTAINTY_ORDER.index(certainty) if certainty in CERTAINTY_ORDER else -1


CLAIMS = [
    Claim(
        f"strata.{text.split(':')[0]}-{text.split(':')[1].replace(',', '-').replace('=', '')}",
        f"{text}: every listed stratum has the closed-form rank (measured) and dimension "
        f"(consistency check against its parametrization)",
        "arXiv 2307.08921 rank stratification; twolayer with bias and deep mf derived here",
        lambda text=text: len(list_strata(parse_spec(text))),
        _measure(text),
        required_certainty="float64-gap",
        full_only=full,
    )
    for text, full in SPECS
]
