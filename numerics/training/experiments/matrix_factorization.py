"""Matrix factorization 4 x 4: recovery rate against the number of observed entries.

Targets of rank 1..4 (two per rank), observed on ``n = 1..16`` entries of
random nested masks (one random order of the 16 entries per target and seed;
the first ``n`` are observed), trained from a small initialization. The
predicted onset for a rank-``r`` target is its model rank ``r (n1 + n2 - r)``
(:func:`rankstrat.theory.families.mf.target_rank_formula`): 7, 12, 15, 16.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rankstrat.numerics.training.experiments.definition import (
    EXACT_THRESHOLD,
    SEED_BLOCKS,
    Experiment,
    RunKey,
    Summary,
    block_transition,
    make_record,
    recovery_rows,
)
from rankstrat.numerics.training.factorization import train_factorization_runs
from rankstrat.theory.families import mf
from rankstrat.theory.spec import parse_spec

SPEC = parse_spec("mf:n1=4,k=4,n2=4")
TARGET_SEED = 20240521
"""Seed of the target matrices (fixed: the targets are part of the experiment)."""


def target_matrix(rank: int, copy: int, size: int = 4) -> np.ndarray:
    """Target ``copy`` of rank ``rank``: Gaussian factors, scaled to Frobenius norm ``size``.

    Parameters
    ----------
    rank : int
    copy : int
        Which of the targets of that rank (0, 1, ...).
    size : int
        Side of the square matrix.

    Returns
    -------
    ndarray (size, size)

    Examples
    --------
    >>> Y = target_matrix(2, 0)
    >>> int(np.linalg.matrix_rank(Y)), round(float(np.linalg.norm(Y)), 6)
    (2, 4.0)
    """
    rng = np.random.default_rng([TARGET_SEED, rank, copy])
    Y = rng.standard_normal((size, rank)) @ rng.standard_normal((rank, size))
    return Y * size / np.linalg.norm(Y)


def observation_order(target_index: int, seed: int, entries: int = 16) -> np.ndarray:
    """The random order in which entries are revealed; the first ``n`` form the mask.

    Examples
    --------
    >>> order = observation_order(0, 3)
    >>> sorted(order.tolist()) == list(range(16))
    True
    """
    return np.random.default_rng([seed, target_index, 7]).permutation(entries)


def nested_mask(target_index: int, seed: int, n: int, size: int = 4) -> np.ndarray:
    """Boolean mask of the first ``n`` entries of :func:`observation_order`.

    Parameters
    ----------
    target_index : int
        Position of the target in the experiment's groups.
    seed : int
    n : int
        Observed entries.
    size : int

    Returns
    -------
    ndarray of bool (size, size)

    Examples
    --------
    >>> a, b = nested_mask(0, 1, 5), nested_mask(0, 1, 6)
    >>> int(a.sum()), int(b.sum()), bool((b | a).sum() == 6)
    (5, 6, True)
    """
    mask = np.zeros(size * size, dtype=bool)
    mask[observation_order(target_index, seed, size * size)[:n]] = True
    return mask.reshape(size, size)


def group_name(rank: int, copy: int) -> str:
    """Group label of a target, ``rank{r}-{a|b}``.

    Examples
    --------
    >>> group_name(3, 1)
    'rank3-b'
    """
    return f"rank{rank}-{'abcdefgh'[copy]}"


def parse_group(group: str) -> tuple[int, int]:
    """Inverse of :func:`group_name`.

    Examples
    --------
    >>> parse_group("rank3-b")
    (3, 1)
    """
    rank, copy = group[len("rank"):].split("-")
    return int(rank), "abcdefgh".index(copy)


def held_out_error(product: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
    """Relative held-out error: mean squared error on the unobserved entries (all
    entries when none is unobserved) divided by the target's mean square.

    Parameters
    ----------
    product : ndarray (n1, n2)
        The learned matrix.
    target : ndarray (n1, n2)
    mask : ndarray of bool (n1, n2)
        True where observed.

    Returns
    -------
    float

    Examples
    --------
    >>> Y = np.ones((2, 2)); P = Y.copy(); P[1, 1] = 1.5
    >>> held_out_error(P, Y, np.array([[True, True], [True, False]]))
    0.25
    """
    hidden = ~mask if (~mask).any() else np.ones_like(mask)
    return float(np.mean((product - target)[hidden] ** 2) / np.mean(target**2))


class MatrixFactorization(Experiment):
    """4 x 4 matrix factorization, ranks 1..4, recovery against observed entries.

    Examples
    --------
    >>> exp = MatrixFactorization()
    >>> s = exp.settings(fast=True)
    >>> len(exp.run_keys(s)) == s["seeds"] * sum(len(v) for v in s["sizes"].values())
    True
    """

    name = "mf4x4"
    title = "Matrix factorization 4x4: recovery rate vs observed entries"
    source = "arXiv 2307.08921 (matrix factorization); docs/theory.md sections 2, 7 and 8"
    batch_size = 20_000
    """The whole default grid in one batch: a batch costs about as much as its
    slowest run (tiny 4x4 tensors, per-step overhead), so split batches repeat
    the engine's step loop for the same runs."""

    def default_settings(self, fast: bool) -> dict:
        ranks = (1, 2, 3, 4)
        copies = 1 if fast else 2
        groups = [group_name(r, c) for r in ranks for c in range(copies)]
        if fast:
            sizes = {g: [self.predicted(parse_group(g)[0]) - 1, self.predicted(parse_group(g)[0])] for g in groups}
        else:
            sizes = {g: list(range(1, 17)) for g in groups}
        return {
            "seeds": SEED_BLOCKS * (24 if fast else 50),
            "sizes": sizes,
            "k": 4,
            "init_variance": 1e-12,
            "lr": 0.1,
            "tol": 1e-20,
            "max_steps": 40000,
            "threshold": EXACT_THRESHOLD,
        }

    @staticmethod
    def predicted(rank: int) -> int:
        """Predicted onset: the model rank of a rank-``rank`` target, from :mod:`rankstrat.theory`.

        Examples
        --------
        >>> [MatrixFactorization.predicted(r) for r in (1, 2, 3, 4)]
        [7, 12, 15, 16]
        """
        return mf.target_rank_formula(SPEC, rank).value

    def run_keys(self, settings: dict) -> list:
        return [
            RunKey(group, n, seed)
            for group, sizes in settings["sizes"].items()
            for n in sizes
            for seed in range(settings["seeds"])
        ]

    def run_batch(self, settings: dict, keys: list, device: str = "cpu") -> list:
        index = {group: i for i, group in enumerate(settings["sizes"])}
        targets = np.array([target_matrix(*parse_group(k.group)) for k in keys])
        masks = np.array([nested_mask(index[k.group], k.seed, k.n) for k in keys])
        result = train_factorization_runs(
            targets, masks, [k.seed for k in keys], k=settings["k"],
            init_std=float(np.sqrt(settings["init_variance"])), lr=settings["lr"],
            max_steps=settings["max_steps"], tol=settings["tol"], device=device,
        )
        return [
            make_record(
                key, result.converged[i], result.diverged[i],
                held_out_error(result.products[i], targets[i], masks[i]),
                settings["threshold"], result.train_loss[i], result.steps[i],
            )
            for i, key in enumerate(keys)
        ]

    def summarize(self, settings: dict, records: list) -> Summary:
        rank_of = lambda record: f"rank {parse_group(record.key.group)[0]}"
        rows = recovery_rows(records, rank_of)
        by_rank = [replace(r, key=RunKey(rank_of(r), r.key.n, r.key.seed)) for r in records]
        transitions = []
        lines = {}
        for label in dict.fromkeys(row["group"] for row in rows):
            rank = int(label.split()[1])
            predicted = self.predicted(rank)
            transitions.append(block_transition(
                f"{label} onset", predicted, by_rank, label, lambda r: bool(r.recovered), settings["seeds"],
                str(mf.target_rank_formula(SPEC, rank)),
            ))
            lines[label] = {f"r(n1+n2-r) = {predicted}": predicted}
        notes = [
            f"targets: {len(settings['sizes'])} ({', '.join(settings['sizes'])}), Frobenius norm 4; "
            f"{settings['seeds']} seeds (nested random masks and initializations)",
            f"init variance {settings['init_variance']:g}, lr {settings['lr']}, loss 1/2 sum over observed "
            f"entries, stop below {settings['tol']:g} or at {settings['max_steps']} steps",
            f"recovered: converged and mean squared error on the unobserved entries < "
            f"{settings['threshold']:g} x the target's mean square (at n = 16 nothing is held out: recovery "
            f"there is fitting, and the rank-4 claim rests on n = 15); rate = recovered / runs with a 95 % "
            f"Wilson interval, unconverged runs counted as not recovered; onsets on {SEED_BLOCKS} disjoint "
            f"seed blocks",
        ]
        return Summary(self.name, rows, transitions, lines, notes)
