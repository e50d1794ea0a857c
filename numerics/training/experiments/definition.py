"""What an experiment is: a grid of independent runs, how to train a batch of them,
and how to turn their records into a table of recovery rates against predicted sizes.

A run is named by a :class:`RunKey` (a group such as a target or an
architecture, a sample size ``n`` and a seed); its outcome is a
:class:`RunRecord`. Every run depends only on its key and the experiment's
settings, never on the batch it was trained in, so a sweep can be cut into
chunks, stopped, resumed and spread over machines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

import numpy as np

from rankstrat.theory.errors import InputError

EXACT_THRESHOLD = 1e-10
"""Exact recovery, in every experiment: relative held-out error (mean squared error on
held-out data divided by the target's mean square) below this. Fixed before the
runs from the measured gap between failures and recoveries: converged runs that
recover sit at 1e-14 .. 1e-24 (polished networks) or below 1e-16 (factorizations),
runs that end near but not on a global-minimum branch at 1e-9 and above
(docs/theory.md section 7.1)."""

APPROXIMATE_THRESHOLD = 1e-4
"""Approximate recovery, in every experiment: relative held-out error below this
(a root-mean-square error of 1 % of the target's)."""

SEED_BLOCKS = 3
"""Disjoint seed blocks every onset is measured on (seeds ``b * s .. (b+1) * s - 1``)."""

WILSON_Z = 1.959963984540054
"""Normal quantile of the 95 % Wilson score interval."""


def wilson_interval(successes: int, trials: int, z: float = WILSON_Z) -> tuple:
    """95 % Wilson score interval of a binomial rate.

    Parameters
    ----------
    successes, trials : int
    z : float
        Normal quantile (1.96 for 95 %).

    Returns
    -------
    (float, float)
        ``(nan, nan)`` for no trials.

    Examples
    --------
    >>> [round(v, 4) for v in wilson_interval(0, 10)]
    [0.0, 0.2775]
    >>> [round(v, 4) for v in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    if trials <= 0:
        return float("nan"), float("nan")
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * np.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, float(centre - half))
    high = 1.0 if successes == trials else min(1.0, float(centre + half))
    return low, high


def format_rate(successes: int, trials: int) -> str:
    """``k/N = rate [low, high]`` with the 95 % Wilson interval.

    Examples
    --------
    >>> format_rate(3, 12)
    '3/12 = 0.25 [0.089, 0.53]'
    """
    low, high = wilson_interval(successes, trials)
    rate = successes / trials if trials else float("nan")
    return f"{successes}/{trials} = {rate:.2g} [{low:.2g}, {high:.2g}]"


def relative_error(mse, target_mean_square: float):
    """Held-out mean squared error relative to the target's mean square.

    Examples
    --------
    >>> relative_error(np.array([0.5, np.inf]), 2.0).tolist()
    [0.25, inf]
    """
    return np.asarray(mse, dtype=np.float64) / float(target_mean_square)


@dataclass(frozen=True, order=True)
class RunKey:
    """The name of one run: ``group``, sample size ``n`` and ``seed``.

    Examples
    --------
    >>> RunKey("rank1-a", 7, 3).run_id
    'rank1-a|n=7|seed=3'
    """

    group: str
    n: int
    seed: int

    @property
    def run_id(self) -> str:
        """Stable text id (the primary key in the store).

        Examples
        --------
        >>> RunKey("cnn", 5, 0).run_id
        'cnn|n=5|seed=0'
        """
        return f"{self.group}|n={self.n}|seed={self.seed}"


@dataclass
class RunRecord:
    """Outcome of one run.

    Attributes
    ----------
    key : RunKey
    converged : bool
        Training loss reached the experiment's threshold.
    diverged : bool
        Loss or parameters became non-finite or exploded.
    recovered : bool or None
        Test error below the threshold; None when the run did not converge
        (rates count such a run as not recovered, in its own column).
    test_error : float
        Relative error on held-out data (:func:`relative_error`).
    train_loss : float
    steps : int
        Gradient steps (plus polish iterations where used).
    extra : dict
        Experiment-specific values (branch, imbalance ratio...), JSON-able.

    Examples
    --------
    >>> r = RunRecord(RunKey("g", 3, 0), True, False, True, 1e-12, 1e-20, 100)
    >>> r.outcome
    'recovered'
    """

    key: RunKey
    converged: bool
    diverged: bool
    recovered: Optional[bool]
    test_error: float
    train_loss: float
    steps: int
    extra: dict = field(default_factory=dict)

    @property
    def outcome(self) -> str:
        """``recovered``, ``not recovered``, ``unconverged`` or ``diverged``.

        Examples
        --------
        >>> RunRecord(RunKey("g", 3, 0), False, False, None, 1.0, 1.0, 5).outcome
        'unconverged'
        """
        if self.diverged:
            return "diverged"
        if not self.converged:
            return "unconverged"
        return "recovered" if self.recovered else "not recovered"

    def extra_json(self) -> str:
        """``extra`` as JSON text (numpy scalars become numbers).

        Examples
        --------
        >>> RunRecord(RunKey("g", 1, 0), True, False, False, 1.0, 0.0, 1,
        ...           {"c": np.float64(0.5)}).extra_json()
        '{"c": 0.5}'
        """
        return json.dumps(self.extra, default=lambda v: v.item() if hasattr(v, "item") else str(v))


def make_record(key: RunKey, converged, diverged, test_error, threshold, train_loss, steps, extra=None) -> RunRecord:
    """A record with ``recovered`` decided only for converged runs.

    Parameters
    ----------
    key : RunKey
    converged, diverged : bool
    test_error : float
    threshold : float
        Recovered when ``test_error < threshold`` (and converged).
    train_loss : float
    steps : int
    extra : dict, optional

    Returns
    -------
    RunRecord

    Examples
    --------
    >>> make_record(RunKey("g", 1, 0), False, False, 0.0, 1e-8, 1.0, 10).recovered is None
    True
    >>> make_record(RunKey("g", 1, 0), True, False, 1e-9, 1e-8, 0.0, 10).recovered
    True
    """
    converged, diverged = bool(converged), bool(diverged)
    test_error = float(test_error)
    recovered = None
    if converged and not diverged:
        recovered = bool(np.isfinite(test_error) and test_error < threshold)
    return RunRecord(
        key, converged and not diverged, diverged, recovered, test_error,
        float(train_loss), int(steps), dict(extra or {}),
    )


@dataclass
class Transition:
    """A measured transition next to its prediction, for one group.

    Attributes
    ----------
    label : str
        What is compared (``rank 2 onset``).
    predicted : int or float
        From :mod:`rankstrat.theory` (or a reported value, for observations).
    measured : int or float or tuple or None
        Usually the first ``n`` with a recovered run; None when no run
        recovered; a tuple (one value per seed block, :func:`block_onsets`)
        next to a tuple ``predicted``.
    formula : str
        The closed form behind ``predicted``.
    claimed : bool
        True when theory predicts agreement (a claim); False for a
        prediction shown only for comparison (an observation), whose
        disagreement is a finding rather than a failure.
    agrees : bool
        ``|measured - predicted| <= tolerance``.
    tolerance : float
        0 for sample sizes.
    detail : str
        Rates with their 95 % Wilson intervals behind the measurement.

    Examples
    --------
    >>> Transition("rank 1 onset", 7, 7, "r(n1+n2-r)").agrees
    True
    """

    label: str
    predicted: Any
    measured: Any
    formula: str = ""
    claimed: bool = True
    tolerance: float = 0.0
    detail: str = ""

    @property
    def agrees(self) -> bool:
        """Whether the measurement is within ``tolerance`` of the prediction.

        Examples
        --------
        >>> Transition("x", 7, None).agrees, Transition("f", 1.0, 0.93, tolerance=0.1).agrees
        (False, True)
        >>> Transition("b", (7, 7, 7), (7, 8, 7)).agrees
        False
        """
        if isinstance(self.measured, tuple):
            predicted = self.predicted if isinstance(self.predicted, tuple) else (self.predicted,) * len(self.measured)
            return len(predicted) == len(self.measured) and all(
                Transition(self.label, p, m, tolerance=self.tolerance).agrees for p, m in zip(predicted, self.measured)
            )
        if self.measured is None or not np.isfinite(self.measured):
            return False
        return abs(float(self.measured) - float(self.predicted)) <= self.tolerance

    def as_dict(self) -> dict:
        """Plain dict for tables and JSON.

        Examples
        --------
        >>> Transition("x", 7, 8, "f").as_dict()["agrees"]
        False
        """
        return {**asdict(self), "agrees": self.agrees}


@dataclass
class Summary:
    """Recovery rates and transitions of one experiment.

    Attributes
    ----------
    experiment : str
    rows : list of dict
        One per (group, n): ``runs``, ``converged``, ``diverged``,
        ``unconverged``, ``recovered``, ``rate`` (recovered / runs, unconverged and
        diverged runs counted as not recovered) and its 95 % Wilson interval
        ``rate_low`` .. ``rate_high``.
    transitions : list of Transition
    lines : dict
        Vertical lines for the figure: ``{label: n}`` per group, or for all
        groups under the key ``"*"``.
    notes : list of str
        Settings and caveats shown with the table.
    extra_tables : dict
        Further tables by name (branch counts, imbalance bins), list of dict each.

    Examples
    --------
    >>> Summary("demo", [], []).groups
    []
    """

    experiment: str
    rows: list
    transitions: list
    lines: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    extra_tables: dict = field(default_factory=dict)

    @property
    def groups(self) -> list:
        """Groups in table order.

        Examples
        --------
        >>> Summary("d", [{"group": "b", "n": 1}, {"group": "a", "n": 1}], []).groups
        ['b', 'a']
        """
        seen = []
        for row in self.rows:
            if row["group"] not in seen:
                seen.append(row["group"])
        return seen


def recovery_rows(records: list, group_of=None) -> list:
    """Per (group, n) counts, the recovery rate over all runs and its 95 % Wilson interval.

    Unconverged and diverged runs are counted (as not recovered, and in their
    own columns), never dropped.

    Parameters
    ----------
    records : list of RunRecord
    group_of : callable, optional
        ``record -> group label`` to pool groups (default the key's group).

    Returns
    -------
    list of dict
        Sorted by group (first appearance) then ``n``.

    Examples
    --------
    >>> recs = [make_record(RunKey("g", 2, s), c, False, e, 1e-3, 0.0, 1)
    ...         for s, (c, e) in enumerate([(True, 1e-5), (True, 1.0), (False, 1e-5)])]
    >>> row = recovery_rows(recs)[0]
    >>> row["recovered"], row["converged"], row["unconverged"], round(row["rate"], 3), round(row["rate_low"], 3)
    (1, 2, 1, 0.333, 0.061)
    """
    group_of = group_of or (lambda record: record.key.group)
    order: list = []
    cells: dict = {}
    for record in records:
        group = group_of(record)
        if group not in order:
            order.append(group)
        cells.setdefault((group, record.key.n), []).append(record)
    rows = []
    for group in order:
        for n in sorted(n for g, n in cells if g == group):
            cell = cells[(group, n)]
            converged = sum(r.converged for r in cell)
            recovered = sum(bool(r.recovered) for r in cell)
            diverged = sum(r.diverged for r in cell)
            rows.append({
                "group": group,
                "n": n,
                "runs": len(cell),
                "converged": converged,
                "diverged": diverged,
                "unconverged": len(cell) - converged - diverged,
                "recovered": recovered,
                "rate": recovered / len(cell),
                "rate_low": wilson_interval(recovered, len(cell))[0],
                "rate_high": wilson_interval(recovered, len(cell))[1],
            })
    return rows


def onset_below(records: list, group: str, threshold: float) -> Optional[int]:
    """The first ``n`` of ``group`` with a converged run whose test error is below ``threshold``.

    Used for a second, looser recovery threshold applied to the stored test errors.

    Parameters
    ----------
    records : list of RunRecord
    group : str
    threshold : float

    Returns
    -------
    int or None

    Examples
    --------
    >>> recs = [make_record(RunKey("g", n, 0), True, False, e, 1e-8, 0.0, 1)
    ...         for n, e in [(2, 1e-2), (3, 1e-6), (4, 1e-12)]]
    >>> onset_below(recs, "g", 1e-4), onset_below(recs, "g", 1e-8)
    (3, 4)
    """
    hits = [r.key.n for r in records if r.key.group == group and r.converged and r.test_error < threshold]
    return min(hits) if hits else None


def seed_blocks(seeds: int, blocks: int = SEED_BLOCKS) -> list:
    """Disjoint seed ranges: ``blocks`` consecutive blocks of ``seeds // blocks`` seeds
    (one block per seed when there are fewer seeds than blocks).

    Examples
    --------
    >>> seed_blocks(10), seed_blocks(2)
    ([range(0, 3), range(3, 6), range(6, 9)], [range(0, 1), range(1, 2)])
    """
    blocks = max(1, min(blocks, seeds))
    size = seeds // blocks
    return [range(b * size, (b + 1) * size) for b in range(blocks)]


def block_onsets(records: list, group: str, hit, seeds: int, blocks: int = SEED_BLOCKS) -> tuple:
    """Onset in each seed block: the smallest ``n`` whose 95 % Wilson interval of the
    hit rate excludes 0 (equivalently: at least one run of the block at that ``n``
    is a hit); None for a block without a hit.

    Parameters
    ----------
    records : list of RunRecord
    group : str
    hit : callable
        ``record -> bool`` (exactly recovered, approximately recovered...).
    seeds : int
        Seeds of the experiment (split by :func:`seed_blocks`).
    blocks : int

    Returns
    -------
    tuple
        One onset per block.

    Examples
    --------
    >>> recs = [make_record(RunKey("g", n, s), True, False, e, 1e-8, 0.0, 1)
    ...         for n, s, e in [(3, 0, 1.0), (4, 0, 1e-12), (3, 1, 1e-12), (4, 2, 1e-12)]]
    >>> block_onsets(recs, "g", lambda r: bool(r.recovered), seeds=3)
    (4, 3, 4)
    """
    out = []
    for block in seed_blocks(seeds, blocks):
        hits = [r.key.n for r in records if r.key.group == group and r.key.seed in block and hit(r)]
        out.append(min(hits) if hits else None)
    return tuple(out)


def block_rates(records: list, group: str, n: int, hit, seeds: int, blocks: int = SEED_BLOCKS) -> list:
    """``format_rate`` of the hits at ``n`` in each seed block (every run counted).

    Examples
    --------
    >>> recs = [make_record(RunKey("g", 4, s), True, False, 1e-12, 1e-8, 0.0, 1) for s in range(3)]
    >>> block_rates(recs, "g", 4, lambda r: bool(r.recovered), seeds=3)[0]
    '1/1 = 1 [0.21, 1]'
    """
    out = []
    for block in seed_blocks(seeds, blocks):
        cell = [r for r in records if r.key.group == group and r.key.n == n and r.key.seed in block]
        out.append(format_rate(sum(bool(hit(r)) for r in cell), len(cell)))
    return out


def block_transition(label: str, predicted: int, records: list, group: str, hit, seeds: int,
                     formula: str = "", claimed: bool = True, blocks: int = SEED_BLOCKS) -> Transition:
    """An onset measured on each seed block (:func:`block_onsets`) next to ``predicted``
    repeated per block, with the hit rates (95 % Wilson) at ``predicted - 1`` and
    ``predicted`` in :attr:`Transition.detail`.

    Examples
    --------
    >>> recs = [make_record(RunKey("g", n, s), True, False, 1e-12 if n >= 4 else 1.0, 1e-8, 0.0, 1)
    ...         for n in (3, 4) for s in range(3)]
    >>> t = block_transition("onset", 4, recs, "g", lambda r: bool(r.recovered), seeds=3)
    >>> t.measured, t.agrees
    ((4, 4, 4), True)
    >>> t.detail
    'onset by seed block: n=3: 0/1 = 0 [0, 0.79]; 0/1 = 0 [0, 0.79]; 0/1 = 0 [0, 0.79]; n=4: 1/1 = 1 [0.21, 1]; ...'
    """
    measured = block_onsets(records, group, hit, seeds, blocks)
    parts = []
    for n in (predicted - 1, predicted):
        if any(r.key.group == group and r.key.n == n for r in records):
            parts.append(f"n={n}: " + "; ".join(block_rates(records, group, n, hit, seeds, blocks)))
    detail = "onset by seed block: " + "; ".join(parts)
    return Transition(label, (predicted,) * len(measured), measured, formula, claimed, detail=detail)


def onset(rows: list, group: str) -> Optional[int]:
    """The first ``n`` of ``group`` with at least one recovered run (None if none).

    Parameters
    ----------
    rows : list of dict
        :func:`recovery_rows`.
    group : str

    Returns
    -------
    int or None

    Examples
    --------
    >>> onset([{"group": "g", "n": 3, "recovered": 0}, {"group": "g", "n": 4, "recovered": 2}], "g")
    4
    """
    hits = [row["n"] for row in rows if row["group"] == group and row["recovered"] > 0]
    return min(hits) if hits else None


def check_seeds(seeds: Any) -> int:
    """Validate ``--seeds``: a positive integer.

    Raises
    ------
    InputError

    Examples
    --------
    >>> check_seeds("5")
    5
    >>> check_seeds(0)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --seeds: expected a positive integer, got 0
    """
    try:
        value = int(seeds)
    except (TypeError, ValueError):
        raise InputError(f"--seeds: expected a positive integer, got {seeds!r}") from None
    if value < 1 or str(value) != str(seeds).strip():
        raise InputError(f"--seeds: expected a positive integer, got {seeds!r}")
    return value


class Experiment:
    """Base class: a named grid of runs with batched training and a summary.

    Subclasses set :attr:`name`, :attr:`title`, :attr:`source` and
    :attr:`batch_size`, and implement :meth:`default_settings`,
    :meth:`run_keys`, :meth:`run_batch` and :meth:`summarize`.
    :meth:`batch_group` says which runs may share a batch (same architecture).

    Examples
    --------
    >>> class Toy(Experiment):
    ...     name = "toy"
    ...     def default_settings(self, fast):
    ...         return {"seeds": 2}
    ...     def run_keys(self, settings):
    ...         return [RunKey("g", n, s) for n in (1, 2) for s in range(settings["seeds"])]
    >>> toy = Toy()
    >>> len(toy.batches(toy.settings(fast=True), toy.run_keys(toy.settings(fast=True))))
    1
    """

    name = ""
    title = ""
    source = ""
    batch_size = 1000
    figure_kind = "recovery"

    def default_settings(self, fast: bool) -> dict:
        """The experiment's settings (subclasses implement it).

        Parameters
        ----------
        fast : bool
            The small configuration used by the claims of ``rankstrat check``.

        Returns
        -------
        dict
            JSON-able; ``seeds`` is the number of seeds per (group, n).

        Examples
        --------
        >>> from rankstrat.numerics.training.experiments import get_experiment
        >>> get_experiment("mf4x4").default_settings(fast=False)["seeds"]
        150
        """
        raise NotImplementedError

    def settings(self, fast: bool = False, seeds: Optional[int] = None) -> dict:
        """Default settings with ``seeds`` replaced when given.

        Examples
        --------
        >>> from rankstrat.numerics.training.experiments import get_experiment
        >>> get_experiment("mf4x4").settings(seeds=3)["seeds"]
        3
        """
        settings = dict(self.default_settings(fast))
        if seeds is not None:
            settings["seeds"] = check_seeds(seeds)
        return settings

    def run_keys(self, settings: dict) -> list:
        """Every run of the experiment's grid (subclasses implement it).

        Parameters
        ----------
        settings : dict

        Returns
        -------
        list of RunKey

        Examples
        --------
        >>> from rankstrat.numerics.training.experiments import get_experiment
        >>> exp = get_experiment("mf4x4")
        >>> len(exp.run_keys(exp.settings(fast=False)))
        19200
        """
        raise NotImplementedError

    def batch_group(self, key: RunKey) -> str:
        """Runs with the same batch group may share a batch (one architecture); default: all.

        Parameters
        ----------
        key : RunKey

        Returns
        -------
        str

        Examples
        --------
        >>> from rankstrat.numerics.training.experiments import get_experiment
        >>> get_experiment("cnn").batch_group(RunKey("conv-k1", 7, 0))
        'conv-k1'
        """
        return ""

    def batches(self, settings: dict, keys: list) -> list:
        """Split ``keys`` into batches of at most :attr:`batch_size` compatible runs.

        Examples
        --------
        >>> from rankstrat.numerics.training.experiments import get_experiment
        >>> exp = get_experiment("mf4x4")
        >>> s = exp.settings(fast=True)
        >>> sum(len(b) for b in exp.batches(s, exp.run_keys(s))) == len(exp.run_keys(s))
        True
        """
        grouped: dict = {}
        for key in keys:
            grouped.setdefault(self.batch_group(key), []).append(key)
        out = []
        for group_keys in grouped.values():
            for start in range(0, len(group_keys), self.batch_size):
                out.append(group_keys[start : start + self.batch_size])
        return out

    def run_batch(self, settings: dict, keys: list, device: str = "cpu") -> list:
        """Train the runs ``keys`` together (subclasses implement it).

        Parameters
        ----------
        settings : dict
        keys : list of RunKey
            Runs of one batch group.
        device : {'cpu', 'cuda', 'auto'}

        Returns
        -------
        list of RunRecord
            One per key, in the same order; each depends only on its key and
            ``settings``.

        Examples
        --------
        >>> from rankstrat.numerics.training.experiments import get_experiment
        >>> exp = get_experiment("mf4x4")
        >>> exp.run_batch(exp.settings(fast=True), [RunKey("rank1-a", 16, 0)])[0].outcome
        'recovered'
        """
        raise NotImplementedError

    def summarize(self, settings: dict, records: list) -> Summary:
        """Recovery table and transitions, measured next to predicted (subclasses implement it).

        Parameters
        ----------
        settings : dict
        records : list of RunRecord

        Returns
        -------
        Summary

        Examples
        --------
        >>> from rankstrat.numerics.training.experiments import get_experiment
        >>> exp = get_experiment("mf4x4")
        >>> recs = [make_record(RunKey("rank1-a", 7, s), True, False, 1e-16, 1e-10, 0.0, 9) for s in (0, 24, 48)]
        >>> exp.summarize(exp.settings(fast=True), recs).transitions[0].measured
        (7, 7, 7)
        """
        raise NotImplementedError

    def stored_settings(self, settings: dict) -> dict:
        """The settings that define the runs' outcomes (everything but the seed count).

        A store refuses to mix runs made with different stored settings.

        Examples
        --------
        >>> from rankstrat.numerics.training.experiments import get_experiment
        >>> "seeds" in get_experiment("mf4x4").stored_settings({"seeds": 3, "lr": 0.05})
        False
        """
        return {k: v for k, v in settings.items() if k != "seeds"}
