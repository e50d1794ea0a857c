"""``rankstrat curve``: learning curves from a true-error density, sampled classifier sets, density fits.

Three modes, one per option:

- ``--density DENSITY``: ``E_n``, quantiles of ``rho_n``, the fraction of the
  set that fits ``n`` points and, with ``--eps0``, the fraction of bad minima
  ``B_n`` and its bound with the best ``eps1``;
- ``--sample DATASET``: sample a classifier set, measure it on the data and
  compare with the theory from its measured errors, with simultaneous bands;
- ``--fit DATASET``: measure a learning curve by training a small classifier and
  fit the density families to it, best by AIC first.
"""

from __future__ import annotations

import sys

import numpy as np

from rankstrat.cases.provenance import provenance
from rankstrat.cases.report import FORMATS, format_rows, to_json
from rankstrat.numerics.progress import Progress
from rankstrat.theory.errors import InputError
from rankstrat.theory.values import MAX_SEED, parse_integer, parse_real, parse_values

NAME = "curve"
HELP = ("learning curves from a true-error density: E_n, bad-minima fraction B_n and its bound; "
        "sampled classifier sets checked against the theory; density families fitted to measured curves")

EXAMPLE = 'rankstrat curve --density beta:a=2,b=5 --n 1..1e4:log30 --eps0 0.2'
EXIT_ONE = 'exit 1: a check failed (the bad-minima bound is violated, or the theory leaves the measured band)'
MAX_SIZES = 20000
"""Most training-set sizes one call computes."""
MAX_N = 10**12
"""Largest training-set size."""
MAX_COUNT = 10**7
"""Largest count option (classifiers, trials, held-out points, bootstrap resamples, repeats)."""
MAX_TABLE_ENTRIES = 400_000_000
"""Most entries of the classifiers x held-out points and bootstrap x trials tables (sample mode)."""

DEFAULT_SIZES = {"density": "1..1000", "sample": "0..50:5"}

_SIZES_FORM = "sizes like 1..1000, 0..100:10, 1..1e6:log30 or 5,10,20"

MODE_OPTIONS = {
    "density": {"quantiles": "0.1,0.5,0.9", "method": "auto"},
    "sample": {"classifiers": "10000", "trials": "1000", "features": None, "prior": None, "spread": None,
               "heldout": "20000", "confidence": "0.99", "bootstrap": "2000", "min_fits": "100"},
    "fit": {"repeats": "5", "model": "logistic", "families": "beta,powerlaw,beta-offset,mix"},
}
"""The options of each mode with their defaults; given in another mode they are refused."""


def mode_options(args) -> str:
    """Refuse the options of another mode (they would be ignored) and fill in the defaults; the mode.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> mode_options(p.parse_args(["--density", "uniform"])), p.parse_args(["--density", "uniform"]).method
    ('density', None)
    >>> mode_options(p.parse_args(["--density", "uniform", "--classifiers", "10"]))
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --classifiers is an option of --sample; it does nothing with --density
    """
    mode = "density" if args.density is not None else "sample" if args.sample is not None else "fit"
    for other, options in MODE_OPTIONS.items():
        for key, default in options.items():
            if other != mode and getattr(args, key) is not None:
                raise InputError(f"--{key.replace('_', '-')} is an option of --{other}; it does nothing with --{mode}")
            if other == mode and getattr(args, key) is None:
                setattr(args, key, default)
    if mode == "fit" and args.eps0 is not None:
        raise InputError("--eps0 is an option of --density and --sample; it does nothing with --fit")
    return mode


# ---------------------------------------------------------------------------
# option parsing
# ---------------------------------------------------------------------------

def parse_sizes(text: str, option: str = "--n") -> list[int]:
    """Training-set sizes: VALUES of :mod:`rankstrat.theory.values` (``A..B``, ``A..B:STEP``,
    ``A..B:logK``, ``a,b,c``), at most :data:`MAX_N`, sorted without repeats.

    Parameters
    ----------
    text : str
    option : str
        Option name for error messages.

    Returns
    -------
    list of int

    Raises
    ------
    InputError
        Naming the option, the value and the accepted forms.

    Examples
    --------
    >>> parse_sizes("0..20:5")
    [0, 5, 10, 15, 20]
    >>> parse_sizes("1..1e6:log4"), parse_sizes("3,1,2,3")
    ([1, 100, 10000, 1000000], [1, 2, 3])
    >>> parse_sizes("1e300")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --n: '1e300' is too large; at most 1e+12
    """
    return sorted(parse_values(text, option, minimum=0, maximum=MAX_N, limit=MAX_SIZES))


def _count(text, option: str, minimum: int = 1, maximum: int = MAX_COUNT) -> int:
    """An integer option in ``minimum..maximum`` (:func:`rankstrat.theory.values.parse_integer`).

    Examples
    --------
    >>> _count("1e15", "--classifiers")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --classifiers: 1000000000000000 is too large; expected an integer >= 1 and <= 10000000
    """
    return parse_integer(text, option, minimum, maximum)


def _probabilities(text: str, option: str) -> tuple:
    """Comma-separated probabilities in (0, 1), at least one.

    Examples
    --------
    >>> _probabilities("0.1, 0.9", "--quantiles")
    (0.1, 0.9)
    >>> _probabilities(" , ", "--quantiles")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --quantiles: empty; expected comma-separated probabilities in (0, 1) such as 0.1,0.5,0.9
    """
    parts = [p.strip() for p in str(text).split(",")]
    if not any(parts):
        raise InputError(f"{option}: empty; expected comma-separated probabilities in (0, 1) such as 0.1,0.5,0.9")
    if not all(parts):
        raise InputError(f"{option}: {text!r} has an empty item; expected comma-separated probabilities in (0, 1)")
    return tuple(parse_real(part, option, 0.0, 1.0) for part in parts)


def _format(args) -> str:
    fmt = "json" if args.json else args.format
    if fmt not in FORMATS:
        raise InputError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    return fmt


def _progress(args, total: int, desc: str, unit: str):
    return Progress(total=total, desc=desc, unit=unit, enabled=not args.quiet)


def _shown(rows: list, limit: int) -> list:
    """At most ``limit`` rows spread over the list (first and last kept); 0: all."""
    if limit <= 0 or len(rows) <= limit:
        return rows
    picks = np.unique(np.round(np.geomspace(1, len(rows), limit)).astype(int) - 1)
    picks = np.union1d(picks, [0, len(rows) - 1])
    return [rows[i] for i in picks]


def _note(text: str) -> None:
    print(text, file=sys.stderr)


# ---------------------------------------------------------------------------
# arguments
# ---------------------------------------------------------------------------

def _mode_help(text: str, mode: str, key: str) -> str:
    """``text (MODE mode, default D)`` with the default of :data:`MODE_OPTIONS`.

    Examples
    --------
    >>> _mode_help("independent training sequences", "sample", "trials")
    'independent training sequences (sample mode, default 1000)'
    """
    return f"{text} ({mode} mode, default {MODE_OPTIONS[mode][key]})"


def add_arguments(parser) -> None:
    """Options of ``rankstrat curve``.

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["--density", "beta:a=2,b=5", "--eps0", "0.1"]).eps0
    '0.1'
    """
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--density", metavar="DENSITY",
                      help="true-error density: beta:a=2,b=5[,offset=O], powerlaw:k=1,offset=0.02, uniform, "
                           "mix:0.9*beta:a=2,b=80+0.1*beta:a=5,b=5, empirical:file=PATH, histogram:file=PATH,bins=20")
    mode.add_argument("--sample", metavar="DATASET",
                      help="sample a classifier set and compare with the theory on synthetic[:d=3], "
                           "digits[:classes=3-8], mnist[:dir=PATH,...] or cifar10[:dir=PATH,...]")
    mode.add_argument("--fit", metavar="DATASET",
                      help="measure a learning curve on DATASET and fit density families to it")
    parser.add_argument("--n", metavar="SIZES", default=None,
                        help="training-set sizes: 1..1000, 0..100:10, 1..1e6:log30 or 5,10,20 "
                             "(defaults: density 1..1000, sample 0..50:5, fit 8 sizes from 10 up to 1000)")
    parser.add_argument("--eps0", metavar="EPS0", default=None,
                        help="error above which a zero-training-error classifier is bad (density: optional; "
                             "sample: default the 1%% quantile of the measured errors)")
    parser.add_argument("--quantiles", default=None,
                        help=_mode_help("quantiles of rho_n to show", "density", "quantiles"))
    parser.add_argument("--method", default=None,
                        help=_mode_help("auto, exact or quad: closed forms or quadrature", "density", "method"))
    parser.add_argument("--classifiers", default=None,
                        help=_mode_help("sampled classifiers", "sample", "classifiers"))
    parser.add_argument("--trials", default=None,
                        help=_mode_help("independent training sequences", "sample", "trials"))
    parser.add_argument("--features", default=None, help="identity, pca:D or random:D (sample mode)")
    parser.add_argument("--prior", default=None, help="zero or fitted: centre of the Gaussian weight prior (sample mode)")
    parser.add_argument("--spread", default=None, help="prior spread around a fitted centre (sample mode)")
    parser.add_argument("--heldout", default=None,
                        help=_mode_help("held-out points measuring errors, synthetic data", "sample", "heldout"))
    parser.add_argument("--confidence", default=None,
                        help=_mode_help("confidence of the simultaneous bands", "sample", "confidence"))
    parser.add_argument("--bootstrap", default=None,
                        help=_mode_help("bootstrap resamples of the training sequences", "sample", "bootstrap"))
    parser.add_argument("--min-fits", dest="min_fits", default=None,
                        help=_mode_help("sizes with fewer pooled zero-training-error classifiers are not compared",
                                        "sample", "min_fits"))
    parser.add_argument("--repeats", default=None,
                        help=_mode_help("training runs per size", "fit", "repeats"))
    parser.add_argument("--model", default=None,
                        help=_mode_help("logistic or minnorm: the classifier trained", "fit", "model"))
    parser.add_argument("--families", default=None,
                        help=_mode_help("density families fitted", "fit", "families"))
    parser.add_argument("--seed", default="0", help="random seed")
    parser.add_argument("--rows", default="20", help="table rows shown in text formats, spread over the sizes (0: all)")
    parser.add_argument("--plot", metavar="FILE", default=None, help="write a figure (png, pdf, svg)")
    parser.add_argument("--format", default="text", help=f"output format: {', '.join(FORMATS)}")
    parser.add_argument("--json", action="store_true", help="JSON output (same as --format json)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary line")


def run(args) -> int:
    """Run ``rankstrat curve``; 0 on success, 1 when a check fails (bound violated, theory outside the band).

    Examples
    --------
    >>> import argparse
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> run(p.parse_args(["--density", "beta:a=2,b=5", "--n", "0,10", "--quantiles", "0.5",
    ...                   "--format", "csv", "--quiet"]))  # doctest: +ELLIPSIS
    # rankstrat_version: ...
    # spec: beta:a=2,b=5
    ...
    n,E_n,q0.5,log10_Z_n
    0,0.2857,0.2644,0
    10,0.1176,0.1027,-0.9031
    0
    """
    mode = mode_options(args)
    fmt = _format(args)
    rows = _count(args.rows, "--rows", minimum=0)
    _count(args.seed, "--seed", minimum=0, maximum=MAX_SEED)  # checked in every mode, used by sample and fit
    return {"density": _run_density, "sample": _run_sample, "fit": _run_fit}[mode](args, fmt, rows)


# ---------------------------------------------------------------------------
# density mode
# ---------------------------------------------------------------------------

def _run_density(args, fmt: str, limit: int) -> int:
    from rankstrat.theory.curves.density_parser import parse_density
    from rankstrat.theory.curves.learning_curves import METHODS, learning_curve

    try:
        density = parse_density(args.density)
    except InputError as exc:
        raise InputError(f"--density: {exc}") from None
    sizes = parse_sizes(args.n or DEFAULT_SIZES["density"])
    eps0 = None if args.eps0 is None else parse_real(args.eps0, "--eps0", 0.0, 1.0)
    quantiles = _probabilities(args.quantiles, "--quantiles")
    if args.method not in METHODS:
        raise InputError(f"--method {args.method!r}: expected one of {', '.join(METHODS)}")
    if args.plot is not None:
        from rankstrat.numerics.figures import check_figure_path
        check_figure_path(args.plot)
    with _progress(args, len(sizes), "sizes", "size") as bar:
        curve = learning_curve(density, sizes, eps0, quantiles, args.method, progress=bar.update)
    table = curve.rows()
    record = provenance(curve.density, None, mode="density", method=args.method, eps0=eps0)
    holds = all(r["bound_holds"] for r in table) if eps0 is not None else None
    if args.plot:
        from rankstrat.numerics.curves.plots import plot_learning_curve
        plot_learning_curve(curve, args.plot)
        _note(f"figure written to {args.plot}")
    if fmt == "json":
        print(to_json({"mode": "density", "density": curve.density, "eps0": eps0, "method": args.method,
                       "decay_rate": curve.decay_rate, "bound_holds": holds, "plot": args.plot, "rows": table,
                       "provenance": record}))
        return 0 if holds in (None, True) else 1
    columns = ["n", "E_n"] + [f"q{p:g}" for p in quantiles] + ["log10_Z_n"]
    if eps0 is not None:
        columns += ["log10_B_n", "log10_bound", "eps1"]
    if fmt == "text":
        print(f"density: {curve.density}   method: {args.method}")
        if hasattr(density, "closed_form"):
            print(f"closed form: {density.closed_form()}")
        if eps0 is not None:
            print(f"bad minima: error > {eps0:g}; B_n decays like exp({curve.decay_rate:.6g} n) "
                  f"(rate log((1 - eps0)/(1 - lowest error)))")
    print(format_rows(_shown(table, limit) if fmt == "text" else table, columns, fmt, provenance=record))
    if fmt == "text" and eps0 is not None:
        print(f"bound >= B_n at all {len(table)} sizes: {'yes' if holds else 'NO'}")
    return 0 if holds in (None, True) else 1


# ---------------------------------------------------------------------------
# sample mode
# ---------------------------------------------------------------------------

def _run_sample(args, fmt: str, limit: int) -> int:
    from rankstrat.numerics.curves.sampled_classifiers import PRIORS, parse_features, run_sampled_experiment
    from rankstrat.numerics.datasets import parse_dataset

    try:
        dataset_name, _ = parse_dataset(args.sample)
    except InputError as exc:
        raise InputError(f"--sample: {exc}") from None
    sizes = parse_sizes(args.n or DEFAULT_SIZES["sample"])
    classifiers = _count(args.classifiers, "--classifiers")
    trials = _count(args.trials, "--trials", minimum=2)
    heldout = _count(args.heldout, "--heldout", minimum=100)
    confidence = parse_real(args.confidence, "--confidence", 0.0, 1.0)
    bootstrap = _count(args.bootstrap, "--bootstrap", minimum=20)
    min_fits = _count(args.min_fits, "--min-fits")
    seed = _count(args.seed, "--seed", minimum=0, maximum=MAX_SEED)
    tables = [((bootstrap, "--bootstrap"), (trials, "--trials"))]
    if dataset_name == "synthetic":  # the held-out points measure the errors of every classifier
        tables.append(((classifiers, "--classifiers"), (heldout, "--heldout")))
    for (a, a_name), (b, b_name) in tables:
        if a * b > MAX_TABLE_ENTRIES:
            raise InputError(f"{a_name} {a} x {b_name} {b} = {a * b:.3g} table entries is too large; "
                             f"at most {MAX_TABLE_ENTRIES:.0e}: lower one of them")
    if args.features is not None:
        try:
            parse_features(args.features)
        except InputError as exc:
            raise InputError(f"--features: {exc}") from None
    if args.prior is not None and args.prior not in PRIORS:
        raise InputError(f"--prior {args.prior!r}: expected one of {', '.join(PRIORS)}")
    spread = None if args.spread is None else parse_real(args.spread, "--spread", 0.0)
    eps0 = None if args.eps0 is None else parse_real(args.eps0, "--eps0", 0.0, 1.0)
    if args.plot is not None:
        from rankstrat.numerics.figures import check_figure_path
        check_figure_path(args.plot)
    with _progress(args, trials, "training sequences", "sequence") as bar:
        experiment = run_sampled_experiment(args.sample, sizes, classifiers, trials, eps0, args.features,
                                            args.prior, spread, heldout, confidence, bootstrap, min_fits, seed,
                                            bar.update)
    curve = experiment.curve
    table = curve.rows()
    summary = experiment.summary()
    record = provenance(experiment.dataset, seed, mode="sample", classifiers=curve.classifiers, trials=curve.trials)
    if args.plot:
        from rankstrat.numerics.curves.plots import plot_sampled_curve
        plot_sampled_curve(curve, args.plot, title=f"{experiment.dataset}: {curve.classifiers} sampled classifiers")
        _note(f"figure written to {args.plot}")
    status = 0 if curve.passed else 1
    if fmt == "json":
        print(to_json({"mode": "sample", **summary, "plot": args.plot, "rows": table, "provenance": record}))
        return status
    for row in table:
        for short in ("Z", "E", "B"):
            row[f"{short}_band"] = [row[f"{short}_lo"], row[f"{short}_hi"]]
        row["ok"] = all(row[f"{s}_ok"] for s in ("Z", "E", "B")) if row["compared"] else None
    columns = ["n", "fits", "Z_pred", "Z_meas", "Z_band", "E_pred", "E_meas", "E_band",
               "B_pred", "B_meas", "B_band", "ok"]
    if fmt == "text":
        if experiment.draws == "fresh":
            print(f"data: {experiment.dataset}; training points: fresh draws from the generator; "
                  f"errors: {experiment.error_source} (held-out sample: {experiment.population} points)")
        else:
            print(f"data: {experiment.dataset}, {experiment.population} points; training points drawn with "
                  f"replacement from the data set itself; errors: {experiment.error_source}")
        print(f"classifier set: {curve.classifiers} linear classifiers on {experiment.features} features, "
              f"Gaussian prior centred at {'the least-squares classifier' if experiment.prior == 'fitted' else 'zero'}"
              f" (spread {experiment.spread:g}); {curve.trials} training sequences")
        print(f"measured errors: min {summary['error_min']:.4g}, median {summary['error_median']:.4g}; "
              f"bad minima: error > {curve.eps0:.4g}")
        print("Z: fraction of the set with zero training error; E: their mean error; B: fraction of them "
              "that are bad. pred: theory from the measured errors; meas: sampled, with its band")
    print(format_rows(_shown(table, limit) if fmt == "text" else table, columns, fmt, provenance=record))
    if fmt == "text":
        compared = int(curve.usable.sum())
        inside = int(sum(all(curve.within(q)[i] for q in ("fit_fraction", "expected_error", "bad_fraction"))
                         for i in np.flatnonzero(curve.usable)))
        print(f"theory inside the {curve.confidence:.0%} simultaneous bands at {inside} of {compared} compared sizes "
              f"(sizes with at least {min_fits} fits); largest deviation {summary['worst_excess']:.2f} of the "
              f"band's half-width: {'PASS' if curve.passed else 'FAIL'}")
    return status


# ---------------------------------------------------------------------------
# fit mode
# ---------------------------------------------------------------------------

def _run_fit(args, fmt: str, limit: int) -> int:
    from rankstrat.numerics.curves.density_fit import (
        FAMILIES,
        MODELS,
        akaike_weights,
        fit_density_families,
        measure_learning_curve,
    )
    from rankstrat.numerics.datasets import load_dataset

    repeats = _count(args.repeats, "--repeats", minimum=2, maximum=10_000)
    seed = _count(args.seed, "--seed", minimum=0, maximum=MAX_SEED)
    if args.model not in MODELS:
        raise InputError(f"--model {args.model!r}: expected one of {', '.join(MODELS)}")
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = [f for f in families if f not in FAMILIES]
    if unknown or not families:
        raise InputError(f"--families {args.families!r}: expected a comma-separated subset of {', '.join(FAMILIES)}")
    if args.plot is not None:
        from rankstrat.numerics.figures import check_figure_path
        check_figure_path(args.plot)
    try:
        X, y = load_dataset(args.fit)
    except InputError as exc:
        raise InputError(f"--fit: {exc}") from None
    if len(y) < 51:
        raise InputError(f"--fit {args.fit}: the data set has {len(y)} points; a learning curve needs more than 50 "
                         "(50 are kept for testing)")
    if args.n:
        sizes = parse_sizes(args.n)
    else:
        top = min(1000, len(y) - 50)
        sizes = sorted({int(v) for v in np.round(np.geomspace(10, max(top, 11), 8))})
    with _progress(args, len(sizes) * repeats, "training runs", "run") as bar:
        try:
            measured = measure_learning_curve(X, y, sizes, repeats, args.model, seed, args.fit, bar.update)
        except InputError as exc:
            raise InputError(f"--n: {exc}") from None
    fits = fit_density_families(measured.ns, measured.mean_error, measured.stderr, families)
    weights = akaike_weights(fits) if fits else []
    fit_rows = [{**fit.row(), "akaike_weight": float(w)} for fit, w in zip(fits, weights)]
    curve_rows = measured.rows()
    if fits:
        for row, value in zip(curve_rows, fits[0].fitted):
            row["E_fit"] = float(value)
    if args.plot:
        from rankstrat.numerics.curves.plots import plot_density_fit
        plot_density_fit(measured, fits, args.plot)
        _note(f"figure written to {args.plot}")
    record = provenance(args.fit, seed, mode="fit", model=args.model, repeats=repeats)
    if fmt == "json":
        print(to_json({"mode": "fit", "dataset": args.fit, "model": args.model, "repeats": repeats,
                       "curve": curve_rows, "fits": fit_rows,
                       "chosen": fit_rows[0]["family"] if fit_rows else None, "plot": args.plot,
                       "provenance": record}))
        return 0
    if fmt == "text":
        print(f"measured learning curve: {args.fit}, {args.model}, {repeats} runs per size, "
              f"test error on the points not used for training")
    print(format_rows(curve_rows, ["n", "E_meas", "stderr", "zero_train", "E_fit"], fmt, provenance=record))
    if fmt == "text":
        print("fitted density families, best (lowest AIC) first:")
    print(format_rows(fit_rows, ["family", "density", "params", "rmse", "chi2", "aic", "akaike_weight", "at_bound"],
                      fmt))
    if fmt == "text" and fit_rows:
        print(f"chosen by the data: {fit_rows[0]['family']} ({fit_rows[0]['density']})")
    return 0
