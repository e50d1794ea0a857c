"""Assertion helpers: pass on true statements, fail with predicted vs measured,
certainty and gap; importable from ``cases`` without loading torch."""

import subprocess
import sys

import pytest

from rankstrat import cases
from rankstrat.cases.assertions import assert_claim, assert_linearly_stable, assert_model_rank
from rankstrat.cases.claim import Claim, Measurement
from rankstrat.theory.families import mf, twolayer
from rankstrat.theory.spec import parse_spec


@pytest.mark.parametrize("text", ["twolayer:d=3,k=4", "twolayer:d=2,k=3,bias=1", "mf:n1=3,k=2,n2=4"])
def test_true_ranks_pass_and_return_the_result(text):
    spec = parse_spec(text)
    form = spec.module.generic_rank(spec)
    result = assert_model_rank(text, form, certainty="certified")
    assert result.rank == form.value


def test_a_wrong_rank_fails_with_a_readable_message():
    spec = parse_spec("mf:n1=4,k=4,n2=4")
    wrong = mf.target_rank_formula(spec, 2).value + 1
    from rankstrat.numerics.families.mf import mf_target_point

    with pytest.raises(AssertionError) as info:
        assert_model_rank(spec, wrong, point=mf_target_point(spec, 2))
    message = str(info.value)
    assert f"predicted  {wrong}" in message and "measured   12" in message
    assert "certainty  certified" in message and "gap        " in message and "below gap" in message
    assert "proven     >= 12" in message


def test_a_closed_form_expectation_shows_its_formula():
    spec = parse_spec("twolayer:d=3,k=2")
    with pytest.raises(AssertionError, match=r"predicted  8 \(kstar\*\(d \+ 1\) = 8|predicted  8 \("):
        assert_model_rank(spec, twolayer.target_rank(spec, 2), at="zero")


def test_a_certainty_below_the_required_one_fails():
    from rankstrat.numerics.model.user_model import torch_model

    plain = torch_model("product", lambda p, x: (p["u"] @ x) * (p["v"] @ x), {"u": (3,), "v": (3,)}, input_dim=3)
    with pytest.raises(AssertionError) as info:
        assert_model_rank(plain, 5, certainty="certified")
    message = str(info.value)
    assert "predicted  5" in message and "measured   5" in message
    assert "certainty  float64-gap (required: certified)" in message
    assert "warning    no symbolic model" in message


def test_ranks_at_given_inputs():
    result = assert_model_rank("twolayer:d=3,k=2", 5, inputs="random:5")
    assert result.num_inputs == 5


def test_stability_assertions():
    assert_linearly_stable("mf:n1=3,k=3,n2=3", "rank=1", "random:5")
    assert_linearly_stable("mf:n1=3,k=3,n2=3", "rank=1", "random:4", stable=False, certainty="certified")
    with pytest.raises(AssertionError) as info:
        assert_linearly_stable("mf:n1=3,k=3,n2=3", "rank=1", "entries:all,skip-col=0")
    message = str(info.value)
    assert "predicted  stable" in message and "measured   NOT stable" in message
    assert "lost       B[" in message and ",0] +1.00" in message
    assert "data rank  4" in message and "model rank 5" in message


def test_lost_direction_mismatch_fails():
    with pytest.raises(AssertionError, match="lost directions led by W\\[0,0\\]"):
        assert_linearly_stable("twolayer:d=3,k=1", "neurons=1", "hyperplane:20", stable=False, lost={"W[0,0]"})


def test_claims_by_id_and_object():
    assert assert_claim("twolayer.generic-d1-k1-bias0").passed
    with pytest.raises(KeyError, match="no claim with id 'no.such'"):
        assert_claim("no.such")
    wrong = Claim("demo.rank", "the 2x2 rank-1 target has rank 4", "none", lambda: 4,
                  lambda: Measurement(3, "certified", "gap 1e+15 at 16 digits"), required_certainty="float64-gap")
    with pytest.raises(AssertionError) as info:
        assert_claim(wrong)
    assert str(info.value).splitlines() == [
        "claim demo.rank failed: the 2x2 rank-1 target has rank 4",
        "  source     none",
        "  predicted  4",
        "  measured   3",
        "  certainty  certified (required: float64-gap)",
        "  detail     gap 1e+15 at 16 digits",
    ]


def test_bad_certainty_names_are_refused():
    with pytest.raises(ValueError, match="certainty must be one of"):
        assert_model_rank("twolayer:d=1,k=1", 2, certainty="sure")


def test_helpers_are_re_exported_from_cases():
    assert cases.assert_model_rank is assert_model_rank and cases.assert_claim is assert_claim
    with pytest.raises(AttributeError):
        cases.assert_nothing


def test_importing_cases_and_the_plugin_loads_no_torch():
    code = "import sys, rankstrat.cases, rankstrat.cases.pytest_plugin; print('torch' in sys.modules, 'sympy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
