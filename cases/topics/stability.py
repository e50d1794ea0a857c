"""Linear stability at input sets (docs/theory.md section 1).

- Random inputs: never stable for ``n < R``, stable from ``n = R`` on, for
  every family (and a user model), with ``R`` from the closed form.
- Structured inputs with ``n >= R`` are unstable, and the lost directions are
  the ones the structure hides: inputs on the hyperplane ``x_{d-1} = 0`` lose
  ``W[i, d-1]``; repeated points lose ``R - (distinct points)`` directions; an
  unobserved row ``i`` of a factorization loses directions in ``A[i, :]``.
- Real inputs (scikit-learn's digits): a ``cnn2d`` channel target is stable
  exactly from ``n = R``; an ``mlp`` target on raw pixels never is: a pixel
  non-zero in ``c`` images pins down only ``c`` of the ``m`` first-layer
  weights on it, so pixels zero in every image lose all ``m``.
"""

from functools import partial

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.numerics.model.input_sets import resolve_inputs
from rankstrat.numerics.model.targets import resolve_target
from rankstrat.numerics.rank.stability import linear_stability, stability_curve, stability_onset
from rankstrat.theory.families import mf, twolayer
from rankstrat.theory.model.layer_file import layer_model
from rankstrat.theory.spec import parse_spec

SOURCE = "docs/theory.md section 1; Zhang et al., linear stability hypothesis (arXiv 2211.11623)"
VERDICTS = ("undecided", "float64-gap", "high-precision", "certified")

ATTENTION = layer_model({
    "name": "attention-score",
    "input": "d",
    "sizes": {"d": 4, "k": 1},
    "claim": "model_rank == min(2*k, d)*d - min(2*k, d)*(min(2*k, d) - 1)/2",
    "layers": [{"type": "attention_score", "width": "k"}],
})
"""A user model (architecture file form): ``f(x) = (x W_Q) . (x W_K)``."""


def _spec(spec):
    return spec if not isinstance(spec, str) else parse_spec(spec)


def _weakest(results) -> str:
    return min((r.certainty for r in results), key=VERDICTS.index)


def measure_onset(spec, target: str, certify: bool = True) -> Measurement:
    """Stability at the first ``n`` of ``R + 2`` random inputs, ``n = R-2 .. R+2``:
    the onset, with every ``n < R`` unstable and the measured ``R`` equal to the closed form.

    Examples
    --------
    >>> m = measure_onset("twolayer:d=1,k=2", "neurons=1")
    >>> m.value, m.conditions
    (2, True)
    """
    spec = _spec(spec)
    chosen = resolve_target(spec, target)
    R = chosen.closed_form.value
    inputs = resolve_inputs(spec, f"random:{R + 2}", seed=1)
    sizes = [n for n in range(R - 2, R + 3) if n >= 1]
    curve = stability_curve(spec, chosen.point, inputs.X, sizes=sizes, certify=certify)
    onset = stability_onset(curve)
    below = all(r.stable is False for r in curve if r.num_inputs < R)
    measured_R = curve[0].model_rank.rank
    detail = (
        f"target {chosen.text}; measured R {measured_R} ({curve[0].model_rank.certainty}); "
        + ", ".join(f"n={r.num_inputs}: {'stable' if r.stable else 'unstable'}" for r in curve)
    )
    return Measurement(onset, _weakest(curve), detail, conditions=below and measured_R == R)


def _structured(spec, target: str, inputs: str, expected_names=None) -> Measurement:
    spec = _spec(spec)
    chosen = resolve_target(spec, target)
    data = resolve_inputs(spec, inputs)
    result = linear_stability(spec, chosen.point, data.X)
    ok = result.stable is False and result.num_inputs >= (result.model_rank.rank or 0)
    if expected_names is not None:
        ok = ok and all(expected_names(d.names()) for d in result.lost)
    detail = (
        f"{result.summary()}; {data.note}; lost: " + "; ".join(d.text() for d in result.lost[:4])
        + ("" if len(result.lost) <= 4 else f"; ... ({len(result.lost)} in all)")
    )
    return Measurement(result.deficiency, result.certainty, detail, conditions=ok)


def measure_hyperplane(spec: str, neurons: int) -> Measurement:
    """Inputs with ``x_{d-1} = 0``: lost directions are exactly ``W[i, d-1]`` of the active neurons.

    Examples
    --------
    >>> m = measure_hyperplane("twolayer:d=2,k=2", 1)
    >>> m.value, m.conditions
    (1, True)
    """
    d = parse_spec(spec)["d"]
    wanted = {f"W[{i},{d - 1}]" for i in range(neurons)}
    return _structured(spec, f"neurons={neurons}", "hyperplane:40",
                       expected_names=lambda names: len(names) == 1 and names[0] in wanted)


def _hyperplane_loss(spec: str, neurons: int) -> int:
    full = parse_spec(spec)
    return twolayer.target_rank(full, neurons).value - twolayer.target_rank(full.replace(d=full["d"] - 1), neurons).value


def measure_unobserved(spec: str, rank: int, skip: str) -> Measurement:
    """All entries but row (column) ``i``: lost directions live in ``A[i, :]`` (``B[:, i]``).

    Examples
    --------
    >>> m = measure_unobserved("mf:n1=3,k=1,n2=3", 1, "skip-row=0")
    >>> m.value, m.conditions
    (1, True)
    """
    kind, index = skip.split("=")
    if kind == "skip-row":
        inside = lambda names: all(n.startswith(f"A[{index},") for n in names)
    else:
        inside = lambda names: all(n.startswith("B[") and n.endswith(f",{index}]") for n in names)
    return _structured(spec, f"rank={rank}", f"entries:all,{skip}", expected_names=inside)


def unobserved_loss(spec: str, rank: int, skip: str) -> int:
    """Predicted lost directions with one row (column) unobserved: ``R(n1, n2) - R(n1 - 1, n2)``.

    Examples
    --------
    >>> unobserved_loss("mf:n1=4,k=4,n2=4", 2, "skip-col=1")
    2
    """
    full = parse_spec(spec)
    smaller = full.replace(n1=full["n1"] - 1) if skip.startswith("skip-row") else full.replace(n2=full["n2"] - 1)
    return mf.target_rank_formula(full, rank).value - mf.target_rank_formula(smaller, rank).value


def measure_repeated(spec: str, target: str, count: int, distinct: int) -> Measurement:
    """``count`` inputs but only ``distinct < R`` points: ``R - distinct`` directions are lost.

    Examples
    --------
    >>> m = measure_repeated("twolayer:d=2,k=1", "neurons=1", 6, 2)
    >>> m.value, m.conditions
    (1, True)
    """
    return _structured(spec, target, f"repeated:{count},distinct={distinct}")


def measure_digits_cnn(spec: str, extra: int = 6) -> Measurement:
    """Onset of stability of a one-channel target on digit images, around ``R``.

    Examples
    --------
    >>> m = measure_digits_cnn("cnn2d:d=8,s=7,k=1", extra=2)  # R = 7^2 + 2^2
    >>> m.value, m.conditions
    (53, True)
    """
    full = parse_spec(spec)
    chosen = resolve_target(full, "channels=1")
    R = chosen.closed_form.value
    data = resolve_inputs(full, f"digits:{R + extra}")
    curve = stability_curve(full, chosen.point, data.X, sizes=range(R - extra, R + extra + 1))
    onset = stability_onset(curve)
    detail = (
        f"digits, target channels=1, measured R {curve[0].model_rank.rank}; ranks "
        + ", ".join(f"{r.num_inputs}:{r.data_rank.rank}" for r in curve)
    )
    below = all(r.stable is False for r in curve if r.num_inputs < R)
    return Measurement(onset, _weakest(curve), detail, conditions=below)


def pixel_deficit(X, active: int) -> dict:
    """Pixel -> directions it cannot pin down: ``max(0, m - c_j)`` for ``m`` active
    first-layer neurons and a pixel non-zero in ``c_j`` images (its ``m`` weight
    columns live on those ``c_j`` rows); pixels with none are left out.

    Examples
    --------
    >>> import numpy as np
    >>> pixel_deficit(np.array([[0.0, 1.0, 0.0], [0.0, 2.0, 3.0]]), 2)
    {0: 2, 2: 1}
    """
    import numpy as np

    seen = np.count_nonzero(np.asarray(X), axis=0)
    return {int(j): int(active - c) for j, c in enumerate(seen) if c < active}


def measure_digits_mlp(spec: str, target: str, count: int) -> Measurement:
    """An mlp target on raw pixels: the lost directions are first-layer weights of
    the pixels seen in fewer images than there are active neurons
    (:func:`pixel_deficit`).

    Examples
    --------
    >>> m = measure_digits_mlp("mlp:d=64,widths=1", "narrow=1", 100)
    >>> m.value, m.conditions
    (10, True)
    """
    full = parse_spec(spec)
    chosen = resolve_target(full, target)
    data = resolve_inputs(full, f"digits:{count}")
    active = _active_neurons(target)
    expected = pixel_deficit(data.X, active)
    result = linear_stability(full, chosen.point, data.X)
    pixels = set()
    inside = True
    for direction in result.lost:
        columns = {int(name.split(",")[1].rstrip("]")) for name in direction.names() if name.startswith("W1[")}
        inside = inside and len(columns) == 1 and all(name.startswith("W1[") for name in direction.names())
        pixels |= columns
    ok = result.stable is False and inside and pixels == set(expected)
    detail = (f"{result.summary()}; {data.note}; pixels seen in fewer than {active} image(s): "
              f"{expected}; lost: " + ", ".join(d.text() for d in result.lost))
    return Measurement(result.deficiency, result.certainty, detail, conditions=ok)


def _active_neurons(target: str) -> int:
    return int(target.partition("=")[2].split(":")[0].split("-")[0])


def _digits_deficit(count: int, target: str) -> int:
    from rankstrat.numerics.model.input_sets import digits_images

    return sum(pixel_deficit(digits_images(count), _active_neurons(target)).values())


ONSET_CASES = [
    ("mf-4x4-rank1", "mf:n1=4,k=4,n2=4", "rank=1"),
    ("mf-4x4-rank2", "mf:n1=4,k=4,n2=4", "rank=2"),
    ("mf-3x5-k2-rank2", "mf:n1=3,k=2,n2=5", "rank=2"),
    ("twolayer-d3-neurons2", "twolayer:d=3,k=4", "neurons=2"),
    ("twolayer-d2-bias-neurons1", "twolayer:d=2,k=3,bias=1", "neurons=1"),
    ("mlp-chain-1-1", "mlp:d=3,widths=3-3", "narrow=1-1"),
    ("mlp-bias-narrow2", "mlp:d=2,widths=4,bias=1", "narrow=2"),
    ("cnn1d-channels1", "cnn1d:d=5,s=3,k=2,bias=1", "channels=1"),
    ("cnn2d-channels1", "cnn2d:d=4,s=2,k=2", "channels=1"),
]
"""(id suffix, spec, target) of the random-input onset claims."""

CLAIMS = [
    Claim(
        f"stability.random-onset-{label}",
        f"{spec}, target {target}, random inputs: unstable for n < R, stable from n = R",
        SOURCE,
        lambda spec=spec, target=target: resolve_target(parse_spec(spec), target).closed_form.value,
        partial(measure_onset, spec, target),
        required_certainty="float64-gap",
    )
    for label, spec, target in ONSET_CASES
] + [
    Claim(
        "stability.random-onset-user-attention",
        "user model (x W_Q).(x W_K), d=4, k=1, random target and inputs: stable from n = R = 2d - 1",
        SOURCE + "; user model",
        lambda: ATTENTION.module.generic_rank(ATTENTION).value,
        partial(measure_onset, ATTENTION, "random"),
        required_certainty="float64-gap",
    ),
] + [
    Claim(
        f"stability.hyperplane-twolayer-bias{b}",
        f"twolayer d=3, k=3, bias={b}, 2 neurons, 40 inputs on x_2 = 0: unstable, W[0,2] and W[1,2] lost",
        SOURCE + "; structured inputs",
        lambda b=b: _hyperplane_loss(f"twolayer:d=3,k=3,bias={b}", 2),
        partial(measure_hyperplane, f"twolayer:d=3,k=3,bias={b}", 2),
        required_certainty="float64-gap",
    )
    for b in (0, 1)
] + [
    Claim(
        "stability.repeated-points-twolayer",
        "twolayer d=3, 2 neurons (R = 8), 16 inputs of only 7 distinct points: unstable, 1 direction lost",
        SOURCE + "; structured inputs",
        lambda: 1,
        partial(measure_repeated, "twolayer:d=3,k=2", "neurons=2", 16, 7),
        required_certainty="float64-gap",
    ),
] + [
    Claim(
        f"stability.unobserved-{skip.split('=')[0].split('-')[1]}-mf-rank{r}",
        f"4x4 factorization, rank-{r} target, every entry but {skip.split('-')[1].replace('=', ' ')}: "
        f"n = 12 >= R, yet {r} direction(s) lost inside the unobserved {skip.split('-')[1].split('=')[0]}",
        SOURCE + "; matrix completion",
        lambda r=r, skip=skip: unobserved_loss("mf:n1=4,k=4,n2=4", r, skip),
        partial(measure_unobserved, "mf:n1=4,k=4,n2=4", r, skip),
        required_certainty="float64-gap",
    )
    for r, skip in [(1, "skip-row=2"), (2, "skip-row=2"), (2, "skip-col=1")]
] + [
    Claim(
        "stability.digits-cnn2d-onset",
        "cnn2d d=8, s=3, k=2, one-channel target, scikit-learn digits as inputs: stable exactly from n = R = 45",
        SOURCE + "; real inputs (sklearn digits)",
        lambda: resolve_target(parse_spec("cnn2d:d=8,s=3,k=2"), "channels=1").closed_form.value,
        partial(measure_digits_cnn, "cnn2d:d=8,s=3,k=2"),
        required_certainty="float64-gap",
    ),
    Claim(
        "stability.digits-mlp-zero-pixels",
        "mlp d=64 (widths 2, one-neuron target), 100 digit images: never stable; the lost directions are "
        "the first-layer weights of the pixels zero in every image",
        SOURCE + "; real inputs (sklearn digits)",
        lambda: _digits_deficit(100, "narrow=1"),
        partial(measure_digits_mlp, "mlp:d=64,widths=2", "narrow=1", 100),
        required_certainty="float64-gap",
    ),
    Claim(
        "stability.digits-mlp-sparse-pixels-all-images",
        "mlp d=64 (widths 4, two-neuron target), all 1797 digit images: pixels 0, 32, 39 (never non-zero) "
        "lose 2 weights each, pixel 56 (non-zero in one image) loses 1",
        SOURCE + "; real inputs (sklearn digits)",
        lambda: _digits_deficit(1797, "narrow=2"),
        partial(measure_digits_mlp, "mlp:d=64,widths=4", "narrow=2", 1797),
        required_certainty="float64-gap",
        full_only=True,
    ),
]
"""Every stability claim; the full digits set only with ``--full``."""
