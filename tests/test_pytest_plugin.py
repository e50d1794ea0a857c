"""The pytest plugin: registered by entry point, silent by default, collects the
catalogue when asked, offers fixtures, and fails claims with readable messages."""

import importlib
import importlib.metadata

from rankstrat.cases.catalogue import all_claims, select_claims

pytest_plugins = ["pytester"]

PRELOADED = [
    importlib.import_module(name)
    for name in ("rankstrat.cases.assertions", "rankstrat.numerics.model.input_sets", "rankstrat.numerics.rank.stability", "rankstrat.numerics.model.targets",
                 "rankstrat.numerics.model.user_model", "torch._dynamo")
]
"""Loaded before any in-process run: pytester restores ``sys.modules`` after each run,
and numpy and torch cannot be imported twice in one process (nor ``torch._dynamo``,
which torch imports on the first call of some functions and which registers
operator libraries once per process)."""
ALL_CLAIMS = all_claims(full=True)
"""Imports every topic module, for the same reason."""

FAST_TOPIC = "single_neuron"


def test_registered_as_a_pytest11_entry_point():
    points = [e for e in importlib.metadata.entry_points(group="pytest11") if e.name == "rankstrat"]
    assert [e.value for e in points] == ["rankstrat.cases.pytest_plugin"]


def test_without_the_option_nothing_is_added(pytester):
    pytester.makepyfile("def test_one():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "rankstrat-catalogue" not in result.stdout.str()


def test_the_catalogue_is_collected_when_asked(pytester):
    expected = [c.id for c in select_claims(all_claims(), topic=FAST_TOPIC) if "thresholds" in c.id]
    result = pytester.runpytest("-p", "no:cacheprovider", "--rankstrat-catalogue",
                                f"--rankstrat-topic={FAST_TOPIC}", "-k", "thresholds", "-v")
    result.assert_outcomes(passed=len(expected))
    for claim_id in expected:
        result.stdout.fnmatch_lines([f"*rankstrat-catalogue::{claim_id} PASSED*"])


def test_collect_only_lists_every_claim_of_a_topic(pytester):
    expected = select_claims(all_claims(), topic="deep")
    result = pytester.runpytest("-p", "no:cacheprovider", "--rankstrat-catalogue", "--rankstrat-topic=deep",
                                "--collect-only", "-q")
    lines = [line for line in result.stdout.lines if line.startswith("rankstrat-catalogue::")]
    assert lines == [f"rankstrat-catalogue::{c.id}" for c in expected]
    full = select_claims(all_claims(full=True), topic="deep")
    result = pytester.runpytest("-p", "no:cacheprovider", "--rankstrat-catalogue", "--rankstrat-topic=deep",
                                "--rankstrat-full", "--collect-only", "-q")
    assert sum(line.startswith("rankstrat-catalogue::") for line in result.stdout.lines) == len(full) > len(expected)


def test_the_marker_selects_only_catalogue_tests(pytester):
    pytester.makepyfile("def test_mine():\n    assert True\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--rankstrat-catalogue", f"--rankstrat-topic={FAST_TOPIC}",
                                "-m", "rankstrat_claim", "-k", "thresholds-m2-d1")
    result.assert_outcomes(passed=1, deselected=len(select_claims(all_claims(), topic=FAST_TOPIC)))


def test_fixtures(pytester):
    pytester.makepyfile(
        """
        def test_engine(rank_engine):
            assert rank_engine.model_rank("twolayer:d=2,k=2").rank == 6
            rank_engine.assert_model_rank("mf:n1=2,k=1,n2=2", 3)
            assert rank_engine.stability("mf:n1=2,k=1,n2=2", "rank=1", "random:3").stable

        def test_claims(rankstrat_claims):
            assert any(c.id == "mf.target-rank-1" for c in rankstrat_claims)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_wrong_user_assertion_fails_with_predicted_measured_certainty_and_gap(pytester):
    pytester.makepyfile(
        """
        from rankstrat.cases import assert_model_rank

        def test_wrong_rank():
            assert_model_rank("mf:n1=2,k=1,n2=2", 4)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: model rank of mf:n1=2,k=1,n2=2,depth=2 at the random point*",
        "*predicted  4*",
        "*measured   3*",
        "*certainty  certified* (required: float64-gap)*",
        "*gap *(s_r/s_r+1 at 16 digits*",
    ])


def test_a_failing_catalogue_claim_reads_like_the_report(pytester):
    pytester.makeconftest(
        """
        import rankstrat.cases.catalogue
        from rankstrat.cases.claim import Claim, Measurement

        WRONG = Claim("mf.wrong", "a 2x2 rank-1 target has rank 4", "test", lambda: 4,
                      lambda: Measurement(3, "certified", "gap inf at 16 digits"),
                      required_certainty="float64-gap")
        rankstrat.cases.catalogue.all_claims = lambda full=False: [WRONG]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--rankstrat-catalogue")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*claim mf.wrong failed: a 2x2 rank-1 target has rank 4*",
        "*predicted  4*",
        "*measured   3*",
        "*certainty  certified (required: float64-gap)*",
        "*detail     gap inf at 16 digits*",
    ])


def test_a_failing_helper_shows_its_message_not_its_source(pytester):
    pytester.makepyfile(
        """
        from rankstrat.cases import assert_model_rank, assert_claim

        def test_wrong_rank():
            assert_model_rank("mf:n1=2,k=1,n2=2", 4)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "predicted  4" in text and "measured   3" in text
    # the traceback stops at the test's line: no helper source, no helper file
    assert 'assert_model_rank("mf:n1=2,k=1,n2=2", 4)' in text
    assert "raise AssertionError" not in text and "assertions.py" not in text
    assert "certainty_at_least" not in text


def test_model_files_resolve_beside_the_test_file(pytester):
    # the README example: attention.toml next to the test, pytest run from another folder
    sub = pytester.mkdir("proofs")
    (sub / "attention.toml").write_text(
        'input = "d"\nsizes = { d = 4, k = 2 }\nlayers = [ { type = "attention_score", width = "k" } ]\n')
    (sub / "test_attention.py").write_text(
        "from rankstrat.cases import assert_model_rank\n\n"
        "def test_attention_rank():\n"
        "    assert_model_rank('attention.toml:k=1', 7, certainty='certified')\n\n"
        "def test_engine_fixture(rank_engine):\n"
        "    assert rank_engine.model_rank('attention.toml:k=1').rank == 7\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "proofs")
    result.assert_outcomes(passed=2)
    # a relative file found in neither place still names the missing file
    (sub / "test_missing.py").write_text(
        "from rankstrat.cases import assert_model_rank\n\n"
        "def test_missing():\n"
        "    assert_model_rank('nowhere.toml', 1)\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "proofs/test_missing.py")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*nowhere.toml*does not exist*"])
