"""Single-neuron target ``tanh(w* . x + 1)`` learned by a width-``m`` tanh student with bias.

Three experiments (docs/theory.md section 3, arXiv 2405.13787):

- ``single-neuron``: recovery rate against ``n`` for ``d = 1`` and ``d = 3``,
  next to the optimistic size and the separation sizes of the branches
  ``Q_2`` and ``Q_1`` (:mod:`rankstrat.theory.rank.single_neuron`), with the branch each
  recovered run ends on;
- ``imbalance``: the initial imbalance ratio ``c = C_1 / C_2`` decides the
  branch (``Q_1`` only for ``|c|`` near 1);
- ``init-scale``: a phase diagram of initialization variance against ``n``.

``w* = (1, ..., 1) / sqrt(d)`` (``tanh(x + 1)`` for ``d = 1``); inputs are
standard normal; the test error is the mean squared error on 1000 held-out
inputs.
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
from rankstrat.theory.rank import single_neuron
from rankstrat.theory.spec import parse_spec


def student_spec(dim: int, width: int = 2):
    """The tanh student with bias, ``twolayer:d=dim,k=width,act=tanh,bias=1``.

    Examples
    --------
    >>> student_spec(3)
    Spec('twolayer:d=3,k=2,act=tanh,bias=1')
    """
    return parse_spec(f"twolayer:d={dim},k={width},act=tanh,bias=1")


def target_outputs(X: np.ndarray) -> np.ndarray:
    """``tanh(w* . x + 1)`` with ``w* = (1, ..., 1) / sqrt(d)``.

    Examples
    --------
    >>> float(target_outputs(np.array([[0.0]]))[0]) == float(np.tanh(1.0))
    True
    """
    X = np.asarray(X, dtype=np.float64)
    return np.tanh(X.sum(1) / np.sqrt(X.shape[1]) + 1.0)


def neurons(spec, theta: np.ndarray) -> tuple:
    """Split flat parameters into augmented weights ``(w_i, b_i)`` (m, d+1) and outputs ``a`` (m,).

    Examples
    --------
    >>> V, a = neurons(student_spec(1), np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
    >>> V.tolist(), a.tolist()
    ([[1.0, 3.0], [2.0, 4.0]], [5.0, 6.0])
    """
    import torch

    params = realize(spec).unflatten(torch.as_tensor(np.asarray(theta, dtype=np.float64)))
    V = np.column_stack([params["W"].numpy(), params["b"].numpy()])
    return V, params["a"].numpy()


def branch_distances(spec, theta: np.ndarray) -> dict:
    """Relative distances of a width-2 point to the two kinds of target branch.

    ``Q1`` (both neurons carry the target's weights): ``min |v_1 -+ v_2| / max |v_i|``
    over the augmented weights ``v_i = (w_i, b_i)``. ``Q2`` (one neuron idle):
    ``min |a_i| / sum |a|``. At a recovered point one of them is zero; at
    the end of gradient descent the smaller one names the branch the run is
    heading to.

    Parameters
    ----------
    spec : Spec
        A width-2 ``twolayer`` student with bias.
    theta : ndarray (M,)

    Returns
    -------
    dict
        ``{"Q1": distance, "Q2": distance}``.

    Examples
    --------
    >>> spec = student_spec(1)
    >>> branch_distances(spec, np.array([1.0, 1.0, 1.0, 1.0, 0.3, 0.7]))
    {'Q1': 0.0, 'Q2': 0.3}
    """
    V, a = neurons(spec, theta)
    if len(a) != 2:
        raise ValueError("branch distances are defined for width 2")
    scale = max(np.linalg.norm(V[0]), np.linalg.norm(V[1]), 1e-300)
    q1 = min(np.linalg.norm(V[0] - V[1]), np.linalg.norm(V[0] + V[1])) / scale
    q2 = np.abs(a).min() / max(np.abs(a).sum(), 1e-300)
    return {"Q1": float(q1), "Q2": float(q2)}


def nearest_branch(spec, theta: np.ndarray) -> str:
    """``"Q1"`` or ``"Q2"``, whichever of :func:`branch_distances` is smaller
    (``"none"`` for non-finite parameters).

    Parameters
    ----------
    spec : Spec
    theta : ndarray (M,)

    Returns
    -------
    str

    Examples
    --------
    >>> spec = student_spec(1)
    >>> nearest_branch(spec, np.array([1.0, -0.2, 1.0, 0.5, 1.0, 1e-9]))
    'Q2'
    >>> nearest_branch(spec, np.array([1.0, 1.01, 1.0, 0.99, 0.5, 0.5]))
    'Q1'
    """
    if not np.all(np.isfinite(theta)):
        return "none"
    distances = branch_distances(spec, theta)
    return min(distances, key=distances.get)


def imbalance_ratio(spec, theta0: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """``c = C_1 / C_2`` with ``C_i = a_i ||gamma|| + (w_i, b_i) . gamma``, ``gamma = sum_j y_j (x_j, 1)``.

    Initial values; for width 2.

    Parameters
    ----------
    spec : Spec
        A width-2 student with bias.
    theta0 : ndarray (M,)
        Initial parameters.
    X : ndarray (n, d)
    y : ndarray (n,)

    Returns
    -------
    float
        ``inf`` when ``C_2 = 0``.

    Examples
    --------
    >>> spec = student_spec(1)
    >>> X = np.array([[1.0], [-1.0]]); y = np.array([1.0, 0.0])   # gamma = (1, 1)
    >>> round(imbalance_ratio(spec, np.array([1.0, 0.0, 0.0, 0.0, 0.0, 1.0]), X, y), 6)
    0.707107
    """
    V, a = neurons(spec, theta0)
    gamma = (np.asarray(y)[:, None] * np.column_stack([X, np.ones(len(X))])).sum(0)
    C = a * np.linalg.norm(gamma) + V @ gamma
    return float(C[0] / C[1]) if C[1] != 0 else float("inf")


def thresholds(dim: int, width: int = 2) -> dict:
    """Optimistic, branch separation and parameter counts from :mod:`rankstrat.theory.rank.single_neuron` (bias).

    Examples
    --------
    >>> thresholds(1)
    {'optimistic': 3, 'Q2': 4, 'Q1': 5, 'parameters': 6}
    """
    return single_neuron.sample_size_thresholds(width, dim, bias=1)


def train_single_neuron_batch(settings: dict, keys: list, dim: int, width: int, variance: float,
                              lr: float, threshold: float, device: str) -> list:
    """Train the runs ``keys`` (one student) and build their records with branch and ``c``.

    Parameters
    ----------
    settings : dict
        With ``descent_steps``, ``polish_iters`` and ``train_tol``.
    keys : list of RunKey
        Sample size and seed of each run (the group is not read).
    dim, width : int
        Input dimension and student width.
    variance : float
        Initialization variance.
    lr : float
    threshold : float
        Recovered when the test MSE is below it.
    device : str

    Returns
    -------
    list of RunRecord
        ``extra`` holds, for width 2, the branch nearest at the end of gradient
        descent (``branch_descent``) and after the polish (``branch``), and ``c``.

    Examples
    --------
    >>> s = {"descent_steps": 200, "polish_iters": 60, "train_tol": 1e-20}
    >>> recs = train_single_neuron_batch(s, [RunKey("d=1", 6, 0)], 1, 2, 1e-8, 0.5, 1e-8, "cpu")
    >>> recs[0].converged, sorted(recs[0].extra)
    (True, ['branch', 'branch_descent', 'c'])
    """
    spec = student_spec(dim, width)
    model = realize(spec)
    inputs = [sample_inputs(k.seed, k.n, dim) for k in keys]
    outputs = [target_outputs(x) for x in inputs]
    X, y, w = padded_samples(inputs, outputs)
    theta0 = np.array([initial_parameters(k.seed, model.num_params, variance) for k in keys])
    runs = descend_and_polish(
        spec, theta0, X, y, w, lr, settings["descent_steps"], settings["polish_iters"],
        settings["train_tol"], device,
    )
    X_test = held_out_inputs(dim)
    errors = held_out_errors(spec, runs.polished.theta, X_test, target_outputs(X_test))
    records = []
    for i, key in enumerate(keys):
        polished = runs.polished
        extra = {}
        if width == 2:
            extra["branch_descent"] = nearest_branch(spec, runs.descent.theta[i])
            extra["branch"] = nearest_branch(spec, polished.theta[i])
            extra["c"] = imbalance_ratio(spec, theta0[i], inputs[i], outputs[i])
        record = make_record(key, polished.converged[i], polished.diverged[i], errors[i], threshold,
                             polished.train_loss[i], polished.steps[i], extra)
        records.append(record)
    return records


def _branch_rows(records: list, group_of) -> list:
    cells: dict = {}
    for record in records:
        if record.recovered:
            cell = cells.setdefault((group_of(record), record.key.n), {})
            cell[record.extra.get("branch", "?")] = cell.get(record.extra.get("branch", "?"), 0) + 1
    rows = []
    for (group, n), counts in sorted(cells.items()):
        rows.append({"group": group, "n": n, **{f"recovered on {b}": c for b, c in sorted(counts.items())}})
    return rows


def _polish_agreement(records: list) -> tuple:
    """How many recovered runs end on the branch gradient descent was heading to."""
    decided = [r for r in records if r.recovered and r.extra.get("branch_descent") not in (None, "none")]
    same = sum(r.extra["branch_descent"] == r.extra["branch"] for r in decided)
    return same, len(decided)


class SingleNeuron(Experiment):
    """Recovery of ``tanh(w* . x + 1)`` by a width-2 student, ``d = 1`` and ``d = 3``.

    Examples
    --------
    >>> exp = SingleNeuron()
    >>> exp.settings(fast=True)["dims"]
    [1, 3]
    """

    name = "single-neuron"
    title = "Single-neuron target: recovery vs n, optimistic and separation sizes"
    source = "arXiv 2405.13787; docs/theory.md section 3"
    batch_size = 400

    def default_settings(self, fast: bool) -> dict:
        return {
            "seeds": SEED_BLOCKS * 60,
            "dims": [1, 3] if fast else [1, 3],
            "sizes": {"1": [2, 3, 4, 5] if fast else list(range(1, 9)),
                      "3": [4, 5, 6, 7] if fast else list(range(2, 13))},
            "width": 2,
            "init_variance": 1e-20,
            "lr": {"1": 0.5, "3": 0.25},
            "threshold": EXACT_THRESHOLD,
            "approximate_threshold": APPROXIMATE_THRESHOLD,
            "descent_steps": {"1": 1500 if fast else 5000, "3": 5000},
            "polish_iters": 300,
            "train_tol": 1e-20,
        }

    def run_keys(self, settings: dict) -> list:
        return [
            RunKey(f"d={d}", n, seed)
            for d in settings["dims"]
            for n in settings["sizes"][str(d)]
            for seed in range(settings["seeds"])
        ]

    def batch_group(self, key: RunKey) -> str:
        return key.group

    def run_batch(self, settings: dict, keys: list, device: str = "cpu") -> list:
        dim = int(keys[0].group.split("=")[1])
        steps = settings["descent_steps"]
        settings = {**settings, "descent_steps": steps[str(dim)] if isinstance(steps, dict) else steps}
        return train_single_neuron_batch(
            settings, keys, dim, settings["width"], settings["init_variance"],
            settings["lr"][str(dim)], settings["threshold"], device,
        )

    def summarize(self, settings: dict, records: list) -> Summary:
        rows = recovery_rows(records)
        transitions, lines = [], {}
        width = settings["width"]
        loose = settings["approximate_threshold"]
        for group in dict.fromkeys(row["group"] for row in rows):
            dim = int(group.split("=")[1])
            sizes = thresholds(dim, width)
            lines[group] = {
                f"optimistic {sizes['optimistic']}": sizes["optimistic"],
                f"Q2 separates {sizes['Q2']}": sizes["Q2"],
                f"Q1 separates {sizes['Q1']}": sizes["Q1"],
            }
            transitions.extend(single_neuron_transitions(records, rows, group, dim, width, loose,
                                                         settings["seeds"]))
        same, decided = _polish_agreement(records)
        early = [note for d in settings["dims"] for note in early_recoveries(records, d, width)]
        notes = [
            f"student width {width} with bias; init variance {settings['init_variance']:g}; "
            f"lr {settings['lr']} (by d); {settings['descent_steps']} gradient steps then Levenberg-Marquardt "
            f"polish to training loss < {settings['train_tol']:g}; {settings['seeds']} seeds",
            f"recovered: converged and relative test error < {settings['threshold']:g}; approximately "
            f"recovered: relative test error < {loose:g}; rates are recovered / runs with 95 % Wilson "
            f"intervals (unconverged runs counted as not recovered); onsets on {SEED_BLOCKS} disjoint seed blocks",
            f"the polish ends on the branch gradient descent was nearest to in {same} of {decided} recovered runs",
            "2405.13787: at the optimistic size exact recovery needs a measure-zero set of initializations; "
            "from the first separation size on, a positive-measure set recovers",
            f"generic c: {BALANCE_MARGIN} < |c| < {1 / BALANCE_MARGIN:g} and ||c| - 1| > {BALANCE_MARGIN}",
        ] + [f"below the Q2 separation size: {note}" for note in early]
        return Summary(self.name, rows, transitions, lines, notes,
                       {"branches": _branch_rows(records, lambda r: r.key.group)})


BALANCE_MARGIN = 0.01
"""How close to the measure-zero sets ``|c| = 1``, ``c = 0``, ``c = inf`` an initialization is
called *near-balanced* or *near-degenerate* (relative)."""


def generic_imbalance(record, margin: float = BALANCE_MARGIN) -> bool:
    """True when the run's imbalance ratio is away from the measure-zero sets
    ``|c| = 1`` (exact condensation onto one neuron, recovery on ``Q1`` at any
    ``n`` from the optimistic size) and ``c = 0`` or ``inf`` (one neuron never grows).

    Parameters
    ----------
    record : RunRecord
        With ``extra["c"]``.
    margin : float

    Returns
    -------
    bool

    Examples
    --------
    >>> from rankstrat.numerics.training.experiments.definition import make_record
    >>> rec = lambda c: make_record(RunKey("d=1", 3, 0), True, False, 0.0, 1e-8, 0.0, 1, {"c": c})
    >>> generic_imbalance(rec(0.5)), generic_imbalance(rec(-0.998)), generic_imbalance(rec(1e-3))
    (True, False, False)
    """
    c = abs(record.extra.get("c", float("nan")))
    return bool(np.isfinite(c) and margin < c < 1 / margin and abs(c - 1) > margin)


def single_neuron_transitions(records: list, rows: list, group: str, dim: int, width: int, loose: float,
                              seeds: int) -> list:
    """The single-neuron transitions of one group, measured next to :mod:`rankstrat.theory.rank.single_neuron`.

    Claims:

    - exact recovery from a *generic* initialization (:func:`generic_imbalance`)
      starts at the ``Q2`` separation size: below it the recovering
      initializations form a measure-zero set (2405.13787);
    - approximate recovery (test MSE < ``loose``) starts at the optimistic size;
    - no run recovers, even approximately, below the optimistic size;
    - no run recovers exactly from a generic initialization below the ``Q2``
      separation size.

    Observations: the first ``n`` with any exact recovery, and the first run
    recovered on ``Q1``, next to the ``Q2`` and ``Q1`` separation sizes.

    Every onset is measured on each of :data:`SEED_BLOCKS` disjoint seed blocks
    (:func:`block_transition`); the count below the optimistic size is per block.

    Parameters
    ----------
    records : list of RunRecord
    rows : list of dict
        :func:`recovery_rows` of ``records``.
    group : str
        ``d=1`` or ``d=3``.
    dim, width : int
    loose : float
        Approximate-recovery threshold on the relative test error.
    seeds : int
        Seeds of the experiment (split into blocks).

    Returns
    -------
    list of Transition

    Examples
    --------
    >>> recs = [make_record(RunKey("d=1", n, s), True, False, e, 1e-8, 0.0, 1, {"branch": b, "c": c})
    ...         for s in range(3)
    ...         for n, e, b, c in [(2, 1e-2, "Q2", .5), (3, 1e-11, "Q1", .999), (4, 1e-20, "Q2", .4),
    ...                            (5, 1e-20, "Q1", .9)]]
    >>> ts = single_neuron_transitions(recs, recovery_rows(recs), "d=1", 1, 2, 1e-4, seeds=3)
    >>> [(t.predicted[0], t.measured) for t in ts]
    [(4, (4, 4, 4)), (3, (3, 3, 3)), (0, (0, 0, 0)), (0, (0, 0, 0)), (4, (3, 3, 3)), (5, (3, 3, 3))]
    """
    sizes = thresholds(dim, width)
    q2 = str(single_neuron.separation_size(width, 2, dim, bias=1))
    approximate = lambda r: r.converged and r.test_error < loose
    exact_generic = lambda r: bool(r.recovered) and generic_imbalance(r)
    below = _count_below(records, group, sizes["optimistic"], approximate, seeds)
    below_q2 = _count_below(records, group, sizes["Q2"], exact_generic, seeds)
    return [
        block_transition(f"{group}: exact recovery from generic c starts (Q2 separation)", sizes["Q2"],
                         records, group, lambda r: bool(r.recovered) and generic_imbalance(r), seeds, q2),
        block_transition(f"{group}: approximate recovery (error < {loose:g}) starts (optimistic size)",
                         sizes["optimistic"], records, group, approximate, seeds,
                         str(single_neuron.optimistic_size(dim, bias=1))),
        Transition(f"{group}: runs approximately recovered below the optimistic size", (0,) * len(below), below,
                   f"n < {sizes['optimistic']}"),
        Transition(f"{group}: runs recovered exactly from generic c below the Q2 separation size",
                   (0,) * len(below_q2), below_q2, f"n < {sizes['Q2']}"),
        block_transition(f"{group}: any exact recovery starts", sizes["Q2"], records, group,
                         lambda r: bool(r.recovered), seeds, q2, claimed=False),
        block_transition(f"{group}: first recovery on Q1", sizes["Q1"], records, group,
                         lambda r: bool(r.recovered) and r.extra.get("branch") == "Q1", seeds,
                         str(single_neuron.separation_size(width, 1, dim, bias=1)), claimed=False),
    ]


def _count_below(records: list, group: str, size: int, hit, seeds: int) -> tuple:
    """Hits at ``n < size`` in each seed block."""
    return tuple(
        sum(1 for r in records if r.key.group == group and r.key.seed in block and r.key.n < size and hit(r))
        for block in seed_blocks(seeds)
    )


def early_recoveries(records: list, dim: int, width: int) -> list:
    """Notes on the runs recovered exactly below the ``Q2`` separation size, with their ``c``.

    Examples
    --------
    >>> recs = [make_record(RunKey("d=1", 3, 7), True, False, 1e-11, 1e-8, 0.0, 1, {"branch": "Q1", "c": -0.998})]
    >>> early_recoveries(recs, 1, 2)
    ['d=1: n=3 seed 7 recovered on Q1 with c=-0.998 (test MSE 1e-11)']
    """
    limit = thresholds(dim, width)["Q2"]
    return [
        f"{r.key.group}: n={r.key.n} seed {r.key.seed} recovered on {r.extra.get('branch')} with "
        f"c={r.extra.get('c', float('nan')):.4g} (test MSE {r.test_error:.2g})"
        for r in records
        if r.recovered and r.key.n < limit and r.key.group == f"d={dim}"
    ]
