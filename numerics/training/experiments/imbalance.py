"""The initial imbalance ratio decides the branch of a width-2 student (arXiv 2405.13787).

With ``gamma = sum_j y_j (x_j, 1)`` and ``C_i = a_i ||gamma|| + (w_i, b_i) . gamma``
at initialization, both neurons grow at the same rate in the small-
initialization phase and their sizes keep the ratio ``c = C_1 / C_2``. When
``|c|`` is near 1 they condense together and the run ends on ``Q1`` (both
neurons carry the target); otherwise one neuron takes over and the run ends
on ``Q2``. Reported: ``Q1`` for ``0.74 < |c| < 1.35`` at ``n = 6``, init
variance ``1e-8``, lr ``0.05``.
"""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.training.experiments.definition import (
    EXACT_THRESHOLD,
    SEED_BLOCKS,
    Experiment,
    RunKey,
    Summary,
    Transition,
    format_rate,
    recovery_rows,
    seed_blocks,
)
from rankstrat.numerics.training.experiments.single_neuron import (
    train_single_neuron_batch,
)

REPORTED_WINDOW = (0.74, 1.35)
"""``|c|`` window of ``Q1`` reported in arXiv 2405.13787 (n = 6, 400 seeds)."""

BIN_EDGES = (0.0, 0.1, 0.3, 0.5, 0.74, 0.9, 1.1, 1.35, 2.0, 3.3, 10.0, float("inf"))


def imbalance_bins(records: list) -> list:
    """Counts per ``|c|`` bin: runs, converged, recovered, runs ending nearest ``Q1``.

    ``Q1 fraction`` is over the runs that did not diverge (the branch a run
    ends nearest to is defined whether or not the polish converged).

    Examples
    --------
    >>> from rankstrat.numerics.training.experiments.definition import make_record
    >>> recs = [make_record(RunKey("imbalance", 6, s), True, False, 0.0, 1e-8, 0.0, 1,
    ...                     {"c": c, "branch": b}) for s, (c, b) in enumerate([(1.0, "Q1"), (5.0, "Q2")])]
    >>> [(r["runs"], r["Q1 fraction"]) for r in imbalance_bins(recs) if r["runs"]]
    [(1, 1.0), (1, 0.0)]
    """
    rows = []
    for low, high in zip(BIN_EDGES[:-1], BIN_EDGES[1:]):
        cell = [r for r in records if low <= abs(r.extra.get("c", np.nan)) < high]
        alive = [r for r in cell if not r.diverged]
        q1 = sum(r.extra.get("branch") == "Q1" for r in alive)
        converged = sum(r.converged for r in cell)
        recovered = sum(bool(r.recovered) for r in cell)
        rows.append({
            "c_low": low if low > 0 else 0.03,
            "c_high": high if np.isfinite(high) else 30.0,
            "runs": len(cell),
            "converged": converged,
            "recovered": recovered,
            "Q1": q1,
            "Q1 fraction": q1 / len(alive) if alive else float("nan"),
            "rate": recovered / converged if converged else float("nan"),
        })
    return rows


def window_fractions(records: list, window=REPORTED_WINDOW) -> tuple:
    """``(share of Q1-ending runs inside the window, share of runs inside the window ending on Q1)``.

    Examples
    --------
    >>> from rankstrat.numerics.training.experiments.definition import make_record
    >>> recs = [make_record(RunKey("imbalance", 6, s), True, False, 0.0, 1e-8, 0.0, 1,
    ...                     {"c": c, "branch": b})
    ...         for s, (c, b) in enumerate([(1.0, "Q1"), (-0.9, "Q1"), (5.0, "Q2"), (1.2, "Q2")])]
    >>> window_fractions(recs)
    (1.0, 0.6666666666666666)
    """
    alive = [r for r in records if not r.diverged and "c" in r.extra]
    inside = [r for r in alive if window[0] < abs(r.extra["c"]) < window[1]]
    q1 = [r for r in alive if r.extra.get("branch") == "Q1"]
    q1_inside = sum(window[0] < abs(r.extra["c"]) < window[1] for r in q1)
    return (
        q1_inside / len(q1) if q1 else float("nan"),
        sum(r.extra.get("branch") == "Q1" for r in inside) / len(inside) if inside else float("nan"),
    )


class Imbalance(Experiment):
    """Branch against the initial imbalance ratio, ``d = 1``, width 2, ``n = 6``.

    Examples
    --------
    >>> Imbalance().settings(fast=True)["n"]
    6
    """

    name = "imbalance"
    title = "Single neuron: initial imbalance ratio c decides the branch (Q1 for |c| near 1)"
    source = "arXiv 2405.13787 (initial imbalance ratio); docs/theory.md section 3"
    batch_size = 400
    figure_kind = "imbalance"

    def default_settings(self, fast: bool) -> dict:
        return {
            "seeds": SEED_BLOCKS * (40 if fast else 134),
            "n": 6,
            "dim": 1,
            "width": 2,
            "init_variance": 1e-8,
            "lr": 0.05,
            "threshold": EXACT_THRESHOLD,
            "descent_steps": 2500 if fast else 6000,
            "polish_iters": 300,
            "train_tol": 1e-20,
        }

    def run_keys(self, settings: dict) -> list:
        return [RunKey("imbalance", settings["n"], seed) for seed in range(settings["seeds"])]

    def run_batch(self, settings: dict, keys: list, device: str = "cpu") -> list:
        return train_single_neuron_batch(
            settings, keys, settings["dim"], settings["width"], settings["init_variance"],
            settings["lr"], settings["threshold"], device,
        )

    def summarize(self, settings: dict, records: list) -> Summary:
        rows = recovery_rows(records)
        _, inside_q1 = window_fractions(records)
        low, high = REPORTED_WINDOW
        q1_c = [abs(r.extra["c"]) for r in records if not r.diverged and r.extra.get("branch") == "Q1"]
        blocks = [[r for r in records if r.key.seed in block] for block in seed_blocks(settings["seeds"])]
        shares, rates = [], []
        for block in blocks:
            alive = [r for r in block if not r.diverged and r.extra.get("branch") == "Q1"]
            hits = sum(low < abs(r.extra["c"]) < high for r in alive)
            shares.append(hits / len(alive) if alive else float("nan"))
            rates.append(format_rate(hits, len(alive)) + f" ({sum(r.diverged for r in block)} diverged)")
        transitions = [
            Transition(f"share of Q1-ending runs with {low} < |c| < {high}", (1.0,) * len(blocks), tuple(shares),
                       "reported window (2405.13787)", tolerance=0.1,
                       detail="by seed block: " + "; ".join(rates)),
            Transition(f"share of runs with {low} < |c| < {high} that end on Q1", 1.0, inside_q1,
                       "reported window (2405.13787)", claimed=False, tolerance=0.25),
        ]
        notes = [
            f"n={settings['n']}, d={settings['dim']}, width {settings['width']}, bias; init variance "
            f"{settings['init_variance']:g}; lr {settings['lr']}; {settings['descent_steps']} gradient steps then "
            f"Levenberg-Marquardt polish; {settings['seeds']} seeds; branch = the one the final point is nearest to",
            "measured |c| range of Q1-ending runs: "
            + (f"{min(q1_c):.3g} .. {max(q1_c):.3g}" if q1_c else "no run ended on Q1")
            + f" (reported window {low} .. {high})",
        ]
        lines = {"*": {"window low": low, "window high": high}}
        return Summary(self.name, rows, transitions, lines, notes, {"imbalance": imbalance_bins(records)})
