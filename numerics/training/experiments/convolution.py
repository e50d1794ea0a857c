"""Convolutional, locally connected and fully connected networks learning the same target.

Target ``sum_j tanh(0.6 x_j + 0.8 x_{j+1} + x_{j+2})`` on inputs of length
``d = 5`` (kernel ``s = 3``, three positions), with biases. The predicted
onsets are the target's model ranks in each architecture (docs/theory.md section
2): ``cnn.target_rank`` of the convolution (7) and of the locally connected
layer (15), and ``cnn.fully_connected_target_rank`` with three active
neurons (21) -- far below the parameter counts.
"""

from __future__ import annotations

import numpy as np

from rankstrat.numerics.model.realize import realize
from rankstrat.numerics.training.experiments.definition import (
    APPROXIMATE_THRESHOLD,
    EXACT_THRESHOLD,
    SEED_BLOCKS,
    Experiment,
    RunKey,
    Summary,
    Transition,
    block_rates,
    block_transition,
    make_record,
    recovery_rows,
    seed_blocks,
)
from rankstrat.numerics.training.experiments.network_training import (
    descend_and_polish,
    held_out_errors,
    held_out_inputs,
    initial_parameters,
    padded_samples,
    sample_inputs,
)
from rankstrat.theory.families import cnn
from rankstrat.theory.spec import parse_spec

KERNEL = (0.6, 0.8, 1.0)
ARCHITECTURES = ("conv", "local", "dense")


def target_outputs(X: np.ndarray) -> np.ndarray:
    """``sum_j tanh(0.6 x_j + 0.8 x_{j+1} + x_{j+2})`` over the kernel positions.

    Examples
    --------
    >>> float(target_outputs(np.zeros((1, 5)))[0])
    0.0
    >>> bool(round(float(target_outputs(np.ones((1, 5)))[0]), 6) == round(3 * np.tanh(2.4), 6))
    True
    """
    X = np.asarray(X, dtype=np.float64)
    s = len(KERNEL)
    return sum(np.tanh(X[:, j : j + s] @ np.array(KERNEL)) for j in range(X.shape[1] - s + 1))


def conv_spec(channels: int, share: int = 1):
    """``cnn1d:d=5,s=3,k=channels,share=share,bias=1``.

    Examples
    --------
    >>> conv_spec(2, share=0)
    Spec('cnn1d:d=5,s=3,k=2,share=0,bias=1,act=tanh')
    """
    return parse_spec(f"cnn1d:d=5,s=3,k={channels},share={share},bias=1")


def architecture_spec(name: str, channels: int):
    """The spec of ``conv``, ``local`` or ``dense`` (the fully connected counterpart).

    Parameters
    ----------
    name : {'conv', 'local', 'dense'}
    channels : int

    Returns
    -------
    Spec

    Examples
    --------
    >>> architecture_spec("dense", 2)
    Spec('mlp:d=5,widths=6,act=tanh,bias=1')
    """
    if name == "conv":
        return conv_spec(channels, 1)
    if name == "local":
        return conv_spec(channels, 0)
    if name == "dense":
        return cnn.fully_connected_counterpart(conv_spec(channels, 1))
    raise ValueError(f"unknown architecture {name!r}; expected one of {', '.join(ARCHITECTURES)}")


def predicted_onset(name: str, channels: int):
    """The target's model rank in architecture ``name``, as a closed form from :mod:`rankstrat.theory`.

    Parameters
    ----------
    name : {'conv', 'local', 'dense'}
    channels : int
        Channels of the student (the target has one).

    Returns
    -------
    ClosedForm

    Examples
    --------
    >>> [predicted_onset(a, 2).value for a in ARCHITECTURES]
    [7, 15, 21]
    """
    conv = conv_spec(channels, 1)
    if name == "conv":
        return cnn.target_rank(conv, 1)
    if name == "local":
        return cnn.target_rank(conv_spec(channels, 0), 1)
    return cnn.fully_connected_target_rank(conv, cnn.positions(conv))


def group_name(arch: str, channels: int) -> str:
    """``{arch}-k{channels}``.

    Examples
    --------
    >>> group_name("conv", 2), parse_group("conv-k2")
    ('conv-k2', ('conv', 2))
    """
    return f"{arch}-k{channels}"


def parse_group(group: str) -> tuple:
    """Inverse of :func:`group_name`.

    Examples
    --------
    >>> parse_group("dense-k1")
    ('dense', 1)
    """
    arch, channels = group.rsplit("-k", 1)
    return arch, int(channels)


class ConvolutionVsDense(Experiment):
    """Recovery against ``n`` for the three architectures, with 1 and 2 channels.

    With one channel the predicted onsets 7 / 15 / 21 are also the parameter
    counts, so they cannot tell model rank from parameter count. With two
    channels the parameter counts double (14 / 30 / 42) while the target's
    model rank stays 7 / 15 / 21; the claims there are the ones that can tell
    the two apart: every seed block recovers exactly at some ``n`` below the
    parameter count, and none recovers even approximately below the model
    rank. The two-channel onsets are shown next to the model rank as
    observations.

    Examples
    --------
    >>> exp = ConvolutionVsDense()
    >>> sorted({parse_group(k.group)[0] for k in exp.run_keys(exp.settings(fast=False))})
    ['conv', 'dense', 'local']
    """

    name = "cnn"
    title = "CNN vs locally connected vs fully connected: transitions at 7 / 15 / 21"
    source = "arXiv 2307.08921 (CNN vs fully connected); docs/theory.md section 2"
    batch_size = 300

    def default_settings(self, fast: bool) -> dict:
        around = {"conv": 7, "local": 15, "dense": 21}
        if fast:
            sizes = {group_name("conv", 1): [6, 7], group_name("conv", 2): [6, 7, 12, 13]}
        else:
            sizes = {}
            for arch, n in around.items():
                sizes[group_name(arch, 1)] = list(range(n - 4, n + 2))
                sizes[group_name(arch, 2)] = sorted(set(range(n - 2, n + 6)) | {2 * n - 2, 2 * n - 1})
        return {
            "seeds": SEED_BLOCKS * (8 if fast else 12),
            "sizes": sizes,
            "init_variance": 1e-20,
            "lr": 0.1,
            "descent_steps": 1500 if fast else 5000,
            "polish_iters": 200,
            "train_tol": 1e-20,
            "threshold": EXACT_THRESHOLD,
            "approximate_threshold": APPROXIMATE_THRESHOLD,
        }

    def run_keys(self, settings: dict) -> list:
        return [
            RunKey(group, n, seed)
            for group, sizes in settings["sizes"].items()
            for n in sizes
            for seed in range(settings["seeds"])
        ]

    def batch_group(self, key: RunKey) -> str:
        return key.group

    def run_batch(self, settings: dict, keys: list, device: str = "cpu") -> list:
        spec = architecture_spec(*parse_group(keys[0].group))
        model = realize(spec)
        inputs = [sample_inputs(k.seed, k.n, 5) for k in keys]
        outputs = [target_outputs(x) for x in inputs]
        X, y, w = padded_samples(inputs, outputs)
        theta0 = np.array([initial_parameters(k.seed, model.num_params, settings["init_variance"]) for k in keys])
        runs = descend_and_polish(
            spec, theta0, X, y, w, settings["lr"], settings["descent_steps"],
            settings["polish_iters"], settings["train_tol"], device,
        )
        X_test = held_out_inputs(5)
        errors = held_out_errors(spec, runs.polished.theta, X_test, target_outputs(X_test))
        p = runs.polished
        return [
            make_record(k, p.converged[i], p.diverged[i], errors[i], settings["threshold"],
                        p.train_loss[i], p.steps[i])
            for i, k in enumerate(keys)
        ]

    def summarize(self, settings: dict, records: list) -> Summary:
        rows = recovery_rows(records)
        transitions, lines = [], {}
        loose = settings["approximate_threshold"]
        seeds = settings["seeds"]
        exact = lambda r: bool(r.recovered)
        approximate = lambda r: r.converged and r.test_error < loose
        for group in dict.fromkeys(row["group"] for row in rows):
            arch, channels = parse_group(group)
            form = predicted_onset(arch, channels)
            M = realize(architecture_spec(arch, channels)).num_params
            size = f"{group}, M={M}"
            transitions.append(block_transition(f"{size}: exact recovery starts", form.value, records, group,
                                                exact, seeds, str(form), claimed=channels == 1))
            if channels > 1:
                mine = [r for r in records if r.key.group == group]
                below_m = tuple(any(exact(r) and r.key.n < M for r in mine if r.key.seed in block)
                                for block in seed_blocks(seeds))
                below_r = tuple(sum(approximate(r) and r.key.n < form.value for r in mine if r.key.seed in block)
                                for block in seed_blocks(seeds))
                largest = max(n for n in settings["sizes"][group] if n < M)
                transitions += [
                    Transition(f"{size}: exact recovery below the parameter count (n < {M}), by block",
                               (True,) * len(below_m), below_m, f"model rank {form.value} < M = {M}",
                               detail=f"n={largest}: " + "; ".join(block_rates(records, group, largest, exact,
                                                                              seeds))),
                    Transition(f"{size}: runs approximately recovered below the model rank", (0,) * len(below_r),
                               below_r, f"n < {form.value}"),
                    block_transition(f"{size}: approximate recovery (error < {loose:g}) starts", form.value,
                                     records, group, approximate, seeds, str(form), claimed=False),
                ]
            lines[group] = {f"{group}: {form.value}": form.value}
        notes = [
            f"target sum_j tanh(0.6 x_j + 0.8 x_(j+1) + x_(j+2)), d=5, s=3, bias; dense = the fully connected "
            f"counterpart with 3 k hidden neurons; init variance {settings['init_variance']:g}; lr {settings['lr']}; "
            f"{settings['descent_steps']} gradient steps then Levenberg-Marquardt polish to training loss "
            f"< {settings['train_tol']:g}; {settings['seeds']} seeds",
            f"recovered: converged and relative test error < {settings['threshold']:g} on 1000 held-out inputs; "
            f"approximately recovered: relative test error < {loose:g}; rates over all runs with 95 % Wilson "
            f"intervals; onsets on {SEED_BLOCKS} disjoint seed blocks",
        ]
        return Summary(self.name, rows, transitions, lines, notes)
