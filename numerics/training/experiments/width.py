"""Width independence: the single-neuron target learned by students of width 2, 10 and 50.

The target's model rank (optimistic size) does not depend on the student's
width (:func:`rankstrat.theory.families.twolayer.target_rank`), while the parameter
count grows as ``m (d + 2)``.
"""

from __future__ import annotations

from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.training.experiments.definition import (
    APPROXIMATE_THRESHOLD,
    EXACT_THRESHOLD,
    SEED_BLOCKS,
    Experiment,
    RunKey,
    Summary,
    block_transition,
    recovery_rows,
)
from rankstrat.numerics.training.experiments.single_neuron import (
    student_spec,
    train_single_neuron_batch,
)
from rankstrat.theory.families import twolayer


def width_group(width: int) -> str:
    """``m={width}``.

    Examples
    --------
    >>> width_group(10), group_width("m=10")
    ('m=10', 10)
    """
    return f"m={width}"


def group_width(group: str) -> int:
    """Inverse of :func:`width_group`.

    Examples
    --------
    >>> group_width("m=50")
    50
    """
    return int(group.split("=", 1)[1])


class Width(Experiment):
    """Recovery against ``n`` for students of several widths, ``d = 1``, bias.

    Examples
    --------
    >>> Width().settings(fast=False)["widths"]
    [2, 10, 50]
    """

    name = "width"
    title = "Width independence: the transition stays at the optimistic size as the width grows"
    source = "arXiv 2307.08921 (model rank independent of width); docs/theory.md section 2"
    batch_size = 300

    def default_settings(self, fast: bool) -> dict:
        return {
            "seeds": SEED_BLOCKS * (16 if fast else 20),
            "widths": [2, 10] if fast else [2, 10, 50],
            "sizes": [2, 3] if fast else list(range(2, 9)),
            "dim": 1,
            "init_variance": 1e-20,
            "lr": 0.5,
            "threshold": EXACT_THRESHOLD,
            "approximate_threshold": APPROXIMATE_THRESHOLD,
            "descent_steps": 1500 if fast else 5000,
            "polish_iters": 300,
            "train_tol": 1e-20,
        }

    def run_keys(self, settings: dict) -> list:
        return [
            RunKey(width_group(m), n, seed)
            for m in settings["widths"]
            for n in settings["sizes"]
            for seed in range(settings["seeds"])
        ]

    def batch_group(self, key: RunKey) -> str:
        return key.group

    def run_batch(self, settings: dict, keys: list, device: str = "cpu") -> list:
        return train_single_neuron_batch(
            settings, keys, settings["dim"], group_width(keys[0].group), settings["init_variance"],
            settings["lr"], settings["threshold"], device,
        )

    def summarize(self, settings: dict, records: list) -> Summary:
        rows = recovery_rows(records)
        loose = settings["approximate_threshold"]
        transitions, lines = [], {}
        for group in dict.fromkeys(row["group"] for row in rows):
            spec = student_spec(settings["dim"], group_width(group))
            form = twolayer.target_rank(spec, 1)
            label = f"{group} (M={realize(spec).num_params})"
            transitions.append(block_transition(
                f"{label}: approximate recovery (error < {loose:g}) starts", form.value, records, group,
                lambda r: r.converged and r.test_error < loose, settings["seeds"], str(form)))
            transitions.append(block_transition(
                f"{label}: exact recovery starts", form.value, records, group, lambda r: bool(r.recovered),
                settings["seeds"], str(form), claimed=False))
            lines[group] = {f"{group}: optimistic {form.value}": form.value}
        notes = [
            f"target tanh(x + 1), d={settings['dim']}, bias; init variance {settings['init_variance']:g}; lr "
            f"{settings['lr']}; {settings['descent_steps']} gradient steps then Levenberg-Marquardt polish; "
            f"{settings['seeds']} seeds",
            f"recovered: relative test error < {settings['threshold']:g}; approximately recovered: relative "
            f"test error < {loose:g}; rates over all runs with 95 % Wilson intervals; onsets on {SEED_BLOCKS} "
            f"disjoint seed blocks",
        ]
        return Summary(self.name, rows, transitions, lines, notes)
