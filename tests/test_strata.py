"""Every listed stratum, on at least three size settings per family: closed-form
rank and dimension against the rank engine and the parametrization's rank."""

import pytest

from rankstrat.numerics.rank.strata_check import verify_strata
from rankstrat.theory.rank.stratum import list_strata, strata_note
from rankstrat.theory.spec import parse_spec

SIZES = [
    "mf:n1=2,k=2,n2=3",
    "mf:n1=3,k=2,n2=3",
    "mf:n1=4,k=3,n2=2",
    "twolayer:d=1,k=2",
    "twolayer:d=2,k=3",
    "twolayer:d=3,k=2,act=sin",
    "twolayer:d=1,k=2,bias=1",
    "twolayer:d=2,k=3,bias=1",
    "twolayer:d=3,k=2,bias=1,act=sin",
    "cnn1d:d=4,s=2,k=2,bias=1",
    "cnn1d:d=5,s=3,k=1,share=0",
    "cnn2d:d=3,s=2,k=2,bias=1",
    "cnn2d:d=3,s=2,k=1,share=0,bias=1",
]


@pytest.mark.parametrize("text", SIZES)
def test_every_stratum_agrees(text):
    checks = verify_strata(parse_spec(text))
    assert checks, "a family with strata lists at least one"
    for check in checks:
        assert check.rank_agrees, check.as_dict()
        assert check.dimension_agrees, check.as_dict()


def test_strata_cover_generic_rank_and_zero():
    for text in ["mf:n1=3,k=2,n2=3", "twolayer:d=2,k=3,bias=1", "cnn1d:d=4,s=2,k=2"]:
        spec = parse_spec(text)
        ranks = [s.rank.value for s in list_strata(spec)]
        assert min(ranks) == 0
        assert max(ranks) == spec.module.generic_rank(spec).value


def test_rank_never_exceeds_dimension_plus_zero_strata_are_points():
    spec = parse_spec("mf:n1=3,k=3,n2=3")
    for stratum in list_strata(spec):
        # the tangent image of a stratum's points has dimension at most the
        # parameter count; the zero stratum is a single point
        if stratum.rank.value == 0:
            assert stratum.dimension.value == 0


def test_family_without_strata_says_so():
    spec = parse_spec("mlp:d=2,widths=2-2")
    assert list_strata(spec) == []
    assert "no clean stratification" in strata_note(spec)
