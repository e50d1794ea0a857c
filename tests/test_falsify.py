"""``rankstrat check --falsify``: every claim must fail once its prediction is perturbed."""

import json

import pytest

from rankstrat.cases import cli
from rankstrat.cases.catalogue import all_claims
from rankstrat.cases.claim import Claim, Measurement, falsify_claim, holds, perturbations, run_claim


def _check_module():
    return cli.importlib.import_module("rankstrat.cases.commands.check")


@pytest.mark.parametrize(
    "value, tolerance, comparison",
    [(7, 0, "=="), (0, 0, "=="), (12, 0, "<="), (3, 0, ">="), (1.0, 0.1, "=="), (-45752.7, 1e-9, "=="),
     ((3, 4, 5, 6), 0, "=="), ((0.02, 0.0005), 1e-13, "=="), (True, 0, "=="), ((True, False), 0, "=="),
     (frozenset({"a", "b"}), 0, "=="), (("{r1,c1}", "{r2,c2}"), 0, "=="), (-83, 1, "==")],
)
def test_every_perturbation_is_rejected_by_the_comparison(value, tolerance, comparison):
    # the unperturbed prediction holds against itself; every perturbed one fails against it
    assert holds(value, value, tolerance, comparison)
    tried = perturbations(value, tolerance, comparison)
    assert tried
    assert not any(holds(p, value, tolerance, comparison) for p in tried)


def test_perturbed_reals_fail_at_the_edge_of_the_tolerance():
    # the measurement sits at the far edge of the tolerance: moving the prediction
    # by twice the tolerance must still put it outside
    for measured in (0.9000001, 1.0999999):
        assert holds(1.0, measured, 0.1)
        assert not any(holds(p, measured, 0.1) for p in perturbations(1.0, 0.1))


def test_claims_that_cannot_be_falsified_are_found():
    blind = Claim("demo.blind", "", "", lambda: 2, lambda: Measurement(2, "exact", passed=True))
    loose_bound = Claim("demo.bound", "", "", lambda: 12, lambda: Measurement(10, "exact"), comparison="<=")
    text = Claim("demo.text", "", "", lambda: "anything", lambda: Measurement("anything", "exact"))
    sound = Claim("demo.sound", "", "", lambda: (7, 15), lambda: Measurement((7, 15), "exact"))
    results = {c.id: falsify_claim(c) for c in (blind, loose_bound, text, sound)}
    assert [cid for cid, f in results.items() if not f.falsified] == ["demo.blind", "demo.bound", "demo.text"]
    assert results["demo.bound"].survivors == [11]
    assert run_claim(sound).passed


def test_side_conditions_fail_a_claim_whatever_the_prediction():
    claim = Claim("demo.cond", "", "", lambda: 3, lambda: Measurement(3, "exact", conditions=False))
    assert not run_claim(claim).passed
    assert falsify_claim(claim).survivors == []


def test_check_falsify_lists_survivors_and_exits_1(run_cli, monkeypatch):
    sound = Claim("mf.sound", "1 + 1 = 2", "test", lambda: 2, lambda: Measurement(2, "exact"))
    blind = Claim("mf.blind", "always passes", "test", lambda: 2, lambda: Measurement(5, "exact", passed=True))
    monkeypatch.setattr(_check_module(), "all_claims", lambda full=False: [sound, blind])
    code, out, _ = run_cli("check", "--falsify", "--no-progress")
    assert code == 1
    assert "1 falsified, 1 surviving, 0 failing unperturbed" in out
    assert "survives: mf.blind: the check decides without the prediction" in out
    assert "survives: mf.sound" not in out


def test_check_falsify_json_and_exit_0_on_the_mf_topic(run_cli):
    code, out, _ = run_cli("check", "--falsify", "--fast", "--topic", "mf", "--format", "json", "--no-progress")
    rows = json.loads(out)["rows"]
    assert code == 0 and rows and all(row["result"] == "falsified" and row["survivors"] == "-" for row in rows)


def test_fast_and_full_together_are_refused(run_cli):
    code, _, err = run_cli("check", "--fast", "--full", "--no-progress")
    assert code == 2 and "--fast and --full" in err


def test_every_catalogue_prediction_has_a_perturbation():
    # a prediction that cannot be perturbed (free text, None) would make its claim unfalsifiable
    for claim in all_claims(full=True):
        if claim.topic in ("training", "curves") and claim.full_only:
            continue  # their predictions need the long runs
        assert perturbations(claim.predicted(), claim.tolerance, claim.comparison), claim.id


def test_check_falsify_exits_1_when_a_claim_fails_unperturbed(run_cli, monkeypatch):
    # a failing claim is trivially "falsified" by every perturbation: the self-test
    # must still report it, unless it is a known non-reproduction
    wrong = Claim("mf.wrong", "2 = 3", "test", lambda: 2, lambda: Measurement(3, "exact"))
    known = Claim("mf.known", "2 = 3", "test", lambda: 2, lambda: Measurement(3, "exact"),
                  does_not_reproduce="measured 3")
    monkeypatch.setattr(_check_module(), "all_claims", lambda full=False: [known])
    code, out, _ = run_cli("check", "--falsify", "--no-progress")
    assert code == 0 and "0 failing unperturbed" in out
    monkeypatch.setattr(_check_module(), "all_claims", lambda full=False: [known, wrong])
    code, out, _ = run_cli("check", "--falsify", "--no-progress")
    assert code == 1 and "1 failing unperturbed" in out and "fails unperturbed: mf.wrong" in out
