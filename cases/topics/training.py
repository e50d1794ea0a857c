"""Sample-size transitions measured by batched small-initialization training
(THEORY.md sections 2 and 3): the first sample size at which training recovers
the target, next to the size predicted by the closed forms.

Each claim trains a whole experiment grid once per process (cached) and reads
one transition from its summary. The default claims use the small
configurations (``--fast`` of ``rankstrat sweep``); ``rankstrat check --full``
adds the full ones.
"""

from __future__ import annotations

from functools import lru_cache

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.numerics.training.experiments import get_experiment
from rankstrat.numerics.training.experiments.convolution import predicted_onset
from rankstrat.numerics.training.experiments.imbalance import REPORTED_WINDOW
from rankstrat.numerics.training.experiments.matrix_factorization import MatrixFactorization
from rankstrat.numerics.training.experiments.single_neuron import thresholds
from rankstrat.numerics.training.experiments.sweep import run_in_memory
from rankstrat.theory.families import twolayer
from rankstrat.theory.spec import parse_spec

SINGLE_NEURON = "arXiv 2405.13787; THEORY.md section 3"


@lru_cache(maxsize=None)
def experiment_summary(name: str, fast: bool):
    """Summary of experiment ``name`` in its fast or full configuration, computed once.

    Examples
    --------
    >>> experiment_summary.cache_info().maxsize is None
    True
    """
    experiment = get_experiment(name)
    settings = experiment.settings(fast=fast)
    return run_in_memory(experiment, settings), settings


def transition_measurement(name: str, fast: bool, label_start: str) -> Measurement:
    """The measured value of the transition whose label starts with ``label_start``.

    Examples
    --------
    >>> callable(transition_measurement)
    True
    """
    summary, settings = experiment_summary(name, fast)
    matches = [t for t in summary.transitions if t.label.startswith(label_start)]
    if not matches:
        raise KeyError(f"{name}: no transition starting with {label_start!r}")
    transition = matches[0]
    unconverged = sum(row["unconverged"] for row in summary.rows)
    runs = sum(row["runs"] for row in summary.rows)
    detail = f"{transition.label}; {settings['seeds']} seeds, {runs} runs, {unconverged} unconverged (not counted)"
    return Measurement(transition.measured, f"{settings['seeds']} seeds", detail)


def _claim(claim_id, statement, source, predicted, name, fast, label_start, tolerance=0.0):
    return Claim(
        claim_id, statement, source, predicted,
        lambda: transition_measurement(name, fast, label_start),
        tolerance=tolerance, full_only=not fast,
    )


def _mf_claims(fast: bool) -> list:
    tag = "" if fast else "-full"
    return [
        _claim(
            f"training.mf-onset-rank-{r}{tag}",
            f"4x4 factorization from small init: a rank-{r} target is first recovered at "
            f"n = r(n1+n2-r) observed entries",
            "arXiv 2307.08921; THEORY.md sections 2-3",
            lambda r=r: MatrixFactorization.predicted(r),
            "mf4x4", fast, f"rank {r} onset",
        )
        for r in (1, 2, 3, 4)
    ]


def _single_neuron_claims(fast: bool, dims) -> list:
    tag = "" if fast else "-full"
    claims = []
    for d in dims:
        sizes = lambda d=d: thresholds(d)
        claims += [
            _claim(f"training.single-neuron-exact-onset-d{d}{tag}",
                   f"d={d}, width 2: exact recovery from a generic initial imbalance starts at the Q2 "
                   f"separation size (below it only a measure-zero set of initializations recovers)",
                   SINGLE_NEURON, lambda s=sizes: s()["Q2"], "single-neuron", fast,
                   f"d={d}: exact recovery from generic c"),
            _claim(f"training.single-neuron-approximate-onset-d{d}{tag}",
                   f"d={d}, width 2: approximate recovery (test MSE < 1e-4) starts at the optimistic size d+2",
                   SINGLE_NEURON, lambda s=sizes: s()["optimistic"], "single-neuron", fast,
                   f"d={d}: approximate recovery"),
            _claim(f"training.single-neuron-none-below-optimistic-d{d}{tag}",
                   f"d={d}, width 2: no run recovers, even approximately, below the optimistic size",
                   SINGLE_NEURON, lambda: 0, "single-neuron", fast, f"d={d}: runs approximately recovered below"),
        ]
    return claims


def _width_claims(fast: bool, widths) -> list:
    tag = "" if fast else "-full"
    return [
        _claim(f"training.width-approximate-onset-m{m}{tag}",
               f"width {m} (M = {3 * m}): approximate recovery of tanh(x+1) starts at the width-independent "
               f"model rank d+2",
               "arXiv 2307.08921; THEORY.md section 2",
               lambda m=m: twolayer.target_rank(parse_spec(f"twolayer:d=1,k={m},bias=1"), 1).value,
               "width", fast, f"m={m} (")
        for m in widths
    ]


def _cnn_claims(fast: bool, archs) -> list:
    tag = "" if fast else "-full"
    return [
        _claim(f"training.cnn-{arch}-onset{tag}",
               f"{arch} (1 channel): the 1-D tanh target is first recovered at its model rank",
               "arXiv 2307.08921; THEORY.md section 2",
               lambda arch=arch: predicted_onset(arch, 1).value, "cnn", fast, f"{arch}-k1")
        for arch in archs
    ]


CLAIMS = (
    _mf_claims(True)
    + _single_neuron_claims(True, (1,))
    + [
        _claim("training.imbalance-q1-window",
               f"runs that end on branch Q1 start with imbalance ratio {REPORTED_WINDOW[0]} < |c| < "
               f"{REPORTED_WINDOW[1]} (share of Q1 runs inside the window, 1 +- 0.1)",
               SINGLE_NEURON, lambda: 1.0, "imbalance", True, "share of Q1-ending runs", tolerance=0.1),
        _claim("training.init-scale-small-onset",
               "init variance 1e-20: exact recovery from a generic imbalance starts at the Q2 separation size",
               SINGLE_NEURON, lambda: thresholds(1)["Q2"], "init-scale", True, "var=1e-20"),
    ]
    + _width_claims(True, (2, 10))
    + _cnn_claims(True, ("conv",))
    + _mf_claims(False)
    + _single_neuron_claims(False, (1, 3))
    + [
        _claim("training.imbalance-q1-window-full",
               f"400 seeds: runs that end on Q1 start with {REPORTED_WINDOW[0]} < |c| < {REPORTED_WINDOW[1]}",
               SINGLE_NEURON, lambda: 1.0, "imbalance", False, "share of Q1-ending runs", tolerance=0.1),
        _claim("training.init-scale-small-onset-full",
               "init variance 1e-20: exact recovery from a generic imbalance starts at the Q2 separation size",
               SINGLE_NEURON, lambda: thresholds(1)["Q2"], "init-scale", False, "var=1e-20"),
    ]
    + _width_claims(False, (2, 10, 50))
    + _cnn_claims(False, ("conv", "local", "dense"))
)
