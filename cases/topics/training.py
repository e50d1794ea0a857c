"""Sample-size transitions measured by batched small-initialization training
(docs/theory.md, sections 7 and 7.1): the
first sample size at which training recovers the target, on each of three
disjoint seed blocks, next to the size predicted by the closed forms.

Every experiment uses the same two thresholds
(:data:`~rankstrat.numerics.training.experiments.definition.EXACT_THRESHOLD`,
:data:`~rankstrat.numerics.training.experiments.definition.APPROXIMATE_THRESHOLD`);
rates count every run (unconverged and diverged ones as not recovered) and
come with 95 % Wilson intervals. An onset is the smallest ``n`` whose rate's
interval excludes 0, measured per seed block; a claim holds only when every
block agrees. Each claim trains a whole experiment grid once per process
(cached). The default claims use the small configurations (``--fast`` of
``rankstrat sweep``); ``rankstrat check --full`` adds the full ones.
"""

from __future__ import annotations

from functools import lru_cache

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.numerics.training.experiments import get_experiment
from rankstrat.numerics.training.experiments.convolution import architecture_spec, predicted_onset
from rankstrat.numerics.training.experiments.definition import SEED_BLOCKS
from rankstrat.numerics.training.experiments.imbalance import REPORTED_WINDOW
from rankstrat.numerics.training.experiments.matrix_factorization import MatrixFactorization
from rankstrat.numerics.training.experiments.single_neuron import thresholds
from rankstrat.theory.families import twolayer
from rankstrat.theory.model.symbolic import num_params
from rankstrat.theory.spec import parse_spec

SINGLE_NEURON = "Zhao, Bai, Zhang 2024 (arXiv 2405.13787); docs/theory.md section 3"
OPTIMISTIC = "Zhang et al. 2022 (arXiv 2211.11623, 2307.08921); docs/theory.md section 7"


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
    keys = experiment.run_keys(settings)
    records = [r for batch in experiment.batches(settings, keys) for r in experiment.run_batch(settings, batch)]
    return experiment.summarize(settings, records), settings


def transition_measurement(name: str, fast: bool, label_start: str) -> Measurement:
    """The per-block values of the transition whose label starts with ``label_start``,
    with the rates behind them and the unconverged and diverged runs counted.

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
    diverged = sum(row["diverged"] for row in summary.rows)
    runs = sum(row["runs"] for row in summary.rows)
    detail = (f"{transition.label}; {SEED_BLOCKS} blocks of {settings['seeds'] // SEED_BLOCKS} seeds, {runs} runs, "
              f"{unconverged} unconverged and {diverged} diverged (counted as not recovered); {transition.detail}")
    return Measurement(transition.measured, f"{SEED_BLOCKS} seed blocks", detail)


def _blocks(value):
    return lambda: (value() if callable(value) else value,) * SEED_BLOCKS


def _claim(claim_id, statement, source, predicted, name, fast, label_start, tolerance=0.0):
    return Claim(
        claim_id, statement, source, _blocks(predicted),
        lambda: transition_measurement(name, fast, label_start),
        tolerance=tolerance, full_only=not fast,
    )


def _mf_claims(fast: bool) -> list:
    tag = "" if fast else "-full"
    claims = [
        _claim(
            f"training.mf-onset-rank-{r}{tag}",
            f"4x4 factorization from small init: a rank-{r} target is first recovered (held-out entries) at "
            f"n = r(n1+n2-r) observed entries, on every seed block",
            "Zhang et al. 2022 (arXiv 2307.08921); docs/theory.md section 7",
            lambda r=r: MatrixFactorization.predicted(r),
            "mf4x4", fast, f"rank {r} onset",
        )
        for r in (1, 2, 3)
    ]
    claims.append(_claim(
        f"training.mf-full-rank-needs-all-entries{tag}",
        "4x4 factorization, rank-4 target: no seed block recovers the one held-out entry from 15 observed "
        "entries (first recovery at n = 16 = r(n1+n2-r), where nothing is held out)",
        "Zhang et al. 2022 (arXiv 2307.08921); docs/theory.md section 7",
        lambda: MatrixFactorization.predicted(4), "mf4x4", fast, "rank 4 onset",
    ))
    return claims


def _single_neuron_claims(fast: bool, dims, onset_dims) -> list:
    tag = "" if fast else "-full"
    claims = []
    for d in dims:
        sizes = lambda d=d: thresholds(d)
        if d in onset_dims:
            claims.append(_claim(
                f"training.single-neuron-exact-onset-d{d}{tag}",
                f"d={d}, width 2: exact recovery from a generic initial imbalance starts at the Q2 separation "
                f"size on every seed block (a low-probability event there: see the rates)",
                SINGLE_NEURON, lambda s=sizes: s()["Q2"], "single-neuron", fast,
                f"d={d}: exact recovery from generic c starts"))
        claims += [
            _claim(f"training.single-neuron-none-below-q2-d{d}{tag}",
                   f"d={d}, width 2: no run recovers exactly from a generic initial imbalance below the Q2 "
                   f"separation size (count per seed block)",
                   SINGLE_NEURON, 0, "single-neuron", fast, f"d={d}: runs recovered exactly from generic c below"),
            _claim(f"training.single-neuron-approximate-onset-d{d}{tag}",
                   f"d={d}, width 2: approximate recovery starts at the optimistic size d+2 on every seed block",
                   SINGLE_NEURON, lambda s=sizes: s()["optimistic"], "single-neuron", fast,
                   f"d={d}: approximate recovery"),
            _claim(f"training.single-neuron-none-below-optimistic-d{d}{tag}",
                   f"d={d}, width 2: no run recovers, even approximately, below the optimistic size "
                   f"(count per seed block)",
                   SINGLE_NEURON, 0, "single-neuron", fast, f"d={d}: runs approximately recovered below"),
        ]
    return claims


def _width_claims(fast: bool, widths) -> list:
    tag = "" if fast else "-full"
    return [
        _claim(f"training.width-approximate-onset-m{m}{tag}",
               f"width {m} (M = {3 * m}): approximate recovery of tanh(x+1) starts at the width-independent "
               f"model rank d+2 on every seed block",
               OPTIMISTIC,
               lambda m=m: twolayer.target_rank(parse_spec(f"twolayer:d=1,k={m},bias=1"), 1).value,
               "width", fast, f"m={m} (")
        for m in widths
    ]


def _cnn_claims(fast: bool, archs, two_channels) -> list:
    tag = "" if fast else "-full"
    claims = [
        _claim(f"training.cnn-{arch}-onset{tag}",
               f"{arch} (1 channel, model rank = parameter count, so this does not tell them apart): the 1-D tanh "
               f"target is first recovered at its model rank on every seed block",
               OPTIMISTIC, lambda arch=arch: predicted_onset(arch, 1).value, "cnn", fast, f"{arch}-k1")
        for arch in archs
    ]
    for arch in two_channels:
        M = num_params(architecture_spec(arch, 2))
        claims += [
            Claim(f"training.cnn-{arch}-2ch-below-parameter-count{tag}",
                  f"{arch} with 2 channels (model rank {predicted_onset(arch, 2).value}, M = {M}): every seed block "
                  f"recovers exactly at some n < M (the parameter count would forbid it)",
                  OPTIMISTIC, _blocks(True),
                  lambda arch=arch, M=M: transition_measurement("cnn", fast, f"{arch}-k2, M={M}: exact recovery below"),
                  full_only=not fast),
            _claim(f"training.cnn-{arch}-2ch-none-below-model-rank{tag}",
                   f"{arch} with 2 channels: no run recovers, even approximately, below the model rank "
                   f"(count per seed block)",
                   OPTIMISTIC, 0, "cnn", fast, f"{arch}-k2, M={M}: runs approximately recovered below"),
        ]
    return claims


CLAIMS = (
    _mf_claims(True)
    + _single_neuron_claims(True, (1, 3), onset_dims=(1, 3))
    + [
        _claim("training.imbalance-q1-window",
               f"runs that end on branch Q1 start with imbalance ratio {REPORTED_WINDOW[0]} < |c| < "
               f"{REPORTED_WINDOW[1]} (share of Q1-ending runs inside the window, 1 +- 0.1, per seed block)",
               SINGLE_NEURON, 1.0, "imbalance", True, "share of Q1-ending runs", tolerance=0.1),
    ]
    + _width_claims(True, (2, 10))
    + _cnn_claims(True, ("conv",), ("conv",))
    + _mf_claims(False)
    + _single_neuron_claims(False, (1, 3), onset_dims=(1, 3))
    + [
        _claim("training.imbalance-q1-window-full",
               f"{3 * 134} seeds: runs that end on Q1 start with {REPORTED_WINDOW[0]} < |c| < {REPORTED_WINDOW[1]}",
               SINGLE_NEURON, 1.0, "imbalance", False, "share of Q1-ending runs", tolerance=0.1),
        _claim("training.init-scale-small-onset-full",
               "init variance 1e-20: exact recovery from a generic imbalance starts at the Q2 separation size",
               SINGLE_NEURON, lambda: thresholds(1)["Q2"], "init-scale", False, "var=1e-20"),
    ]
    + _width_claims(False, (2, 10, 50))
    + _cnn_claims(False, ("conv", "local", "dense"), ("conv", "local", "dense"))
)
