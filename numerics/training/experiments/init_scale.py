"""Phase diagram of initialization scale against sample size for the single-neuron target.

Small initializations recover the target from the separation size on; large
ones train in the kernel regime, where the fit is not pulled toward the
low-rank target and recovery needs more samples (arXiv 2405.13787).
"""

from __future__ import annotations

from rankstrat.numerics.training.experiments.definition import (
    EXACT_THRESHOLD,
    SEED_BLOCKS,
    Experiment,
    RunKey,
    Summary,
    block_transition,
    recovery_rows,
)
from rankstrat.numerics.training.experiments.single_neuron import (
    generic_imbalance,
    thresholds,
    train_single_neuron_batch,
)


def variance_group(variance: float) -> str:
    """Group label of an initialization variance.

    Examples
    --------
    >>> variance_group(1e-20), group_variance("var=1e-20")
    ('var=1e-20', 1e-20)
    """
    return f"var={variance:g}"


def group_variance(group: str) -> float:
    """Inverse of :func:`variance_group`.

    Examples
    --------
    >>> group_variance("var=0.01")
    0.01
    """
    return float(group.split("=", 1)[1])


class InitScale(Experiment):
    """Recovery rate over (initialization variance, n), ``d = 1``, width 2, bias.

    Examples
    --------
    >>> len(InitScale().settings(fast=False)["variances"])
    6
    """

    name = "init-scale"
    title = "Single neuron: phase diagram of initialization variance x n"
    source = "arXiv 2405.13787 (initialization effect); docs/theory.md section 3"
    batch_size = 400
    figure_kind = "phase"

    def default_settings(self, fast: bool) -> dict:
        return {
            "seeds": SEED_BLOCKS * (20 if fast else 60),
            "variances": [1e-20, 1.0] if fast else [1e-20, 1e-14, 1e-8, 1e-4, 1e-2, 1.0],
            "sizes": [3, 4] if fast else list(range(2, 9)),
            "dim": 1,
            "width": 2,
            "lr": 0.5,
            "threshold": EXACT_THRESHOLD,
            "descent_steps": 1500 if fast else 5000,
            "polish_iters": 300,
            "train_tol": 1e-20,
        }

    def run_keys(self, settings: dict) -> list:
        return [
            RunKey(variance_group(v), n, seed)
            for v in settings["variances"]
            for n in settings["sizes"]
            for seed in range(settings["seeds"])
        ]

    def batch_group(self, key: RunKey) -> str:
        return key.group

    def run_batch(self, settings: dict, keys: list, device: str = "cpu") -> list:
        return train_single_neuron_batch(
            settings, keys, settings["dim"], settings["width"], group_variance(keys[0].group),
            settings["lr"], settings["threshold"], device,
        )

    def summarize(self, settings: dict, records: list) -> Summary:
        rows = recovery_rows(records)
        sizes = thresholds(settings["dim"], settings["width"])
        groups = sorted(dict.fromkeys(row["group"] for row in rows), key=group_variance)
        transitions = []
        if groups:
            smallest, largest = groups[0], groups[-1]
            transitions.append(block_transition(
                f"{smallest}: exact recovery from generic c starts (Q2 separation)", sizes["Q2"], records,
                smallest, lambda r: bool(r.recovered) and generic_imbalance(r), settings["seeds"],
                "r + (d+1)(m+1-r), r = 2"))
            transitions.append(block_transition(
                f"{largest}: exact recovery starts (parameter count)", sizes["parameters"], records, largest,
                lambda r: bool(r.recovered), settings["seeds"], "M = m (d + 2)", claimed=False))
        phase = [{"variance": group_variance(r["group"]), "n": r["n"], "rate": r["rate"],
                  "converged": r["converged"], "runs": r["runs"]} for r in rows]
        lines = {"*": {f"optimistic {sizes['optimistic']}": sizes["optimistic"],
                       f"Q2 separates {sizes['Q2']}": sizes["Q2"], f"Q1 separates {sizes['Q1']}": sizes["Q1"]}}
        notes = [
            f"d={settings['dim']}, width {settings['width']}, bias; lr {settings['lr']}; {settings['descent_steps']} "
            f"gradient steps then Levenberg-Marquardt polish; {settings['seeds']} seeds; recovered: relative test "
            f"error < {settings['threshold']:g}; rates over all runs with 95 % Wilson intervals; onsets on "
            f"{SEED_BLOCKS} disjoint seed blocks",
        ]
        return Summary(self.name, rows, transitions, lines, notes, {"phase": phase})
