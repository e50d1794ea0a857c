"""Figures of learning curves: theory from a density, sampled versus predicted, fits.

Figures come from :func:`rankstrat.numerics.figures.new_figure` (Agg canvas,
constrained layout, no global pyplot state) and are written by
:func:`rankstrat.numerics.figures.save_figure`: the file type follows the
extension (png, pdf, svg, ...), and legends sit beside the axes.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from rankstrat.numerics.curves.density_fit import DensityFit, MeasuredCurve, family_curve
from rankstrat.numerics.curves.sampled_classifiers import SampledCurve
from rankstrat.numerics.figures import check_figure_path, new_figure, outside_legend, save_figure
from rankstrat.theory.curves.learning_curves import LearningCurve


def _xscale(ax, ns):
    if np.min(ns) > 0 and np.max(ns) / np.min(ns) > 20:
        ax.set_xscale("log")


def plot_learning_curve(curve: LearningCurve, path: str) -> str:
    """Plot ``E_n`` with the quantile band of ``rho_n`` and, with ``eps0``, ``B_n`` against its bound.

    Parameters
    ----------
    curve : rankstrat.theory.curves.learning_curves.LearningCurve
    path : str
        Output file; its extension picks the format.

    Returns
    -------
    str
        The path written.

    Raises
    ------
    InputError
        For an unknown extension or a missing folder.

    Examples
    --------
    >>> import tempfile, os
    >>> from rankstrat.theory.curves.error_density import BetaDensity
    >>> from rankstrat.theory.curves.learning_curves import learning_curve
    >>> c = learning_curve(BetaDensity(2, 5), [1, 10, 100], eps0=0.1)
    >>> out = plot_learning_curve(c, os.path.join(tempfile.mkdtemp(), "curve.png"))
    >>> os.path.getsize(out) > 1000
    True
    """
    check_figure_path(path)
    panels = 2 if curve.eps0 is not None else 1
    fig = new_figure(6.5 * panels, 4.0)
    ax = fig.add_subplot(1, panels, 1)
    ns = curve.ns
    ax.plot(ns, curve.expected, color="C0", label=r"$E_n[\epsilon]$")
    probs = sorted(curve.quantiles)
    if len(probs) >= 2:
        ax.fill_between(ns, curve.quantiles[probs[0]], curve.quantiles[probs[-1]], color="C0", alpha=0.2,
                        label=f"quantiles {probs[0]:g}-{probs[-1]:g}")
    _xscale(ax, ns)
    ax.set_yscale("log")
    ax.set_xlabel("training points n")
    ax.set_ylabel("true error of zero-training-error classifiers")
    ax.set_title(curve.density, fontsize=9)
    outside_legend(ax)
    if curve.eps0 is not None:
        ax2 = fig.add_subplot(1, 2, 2)
        ax2.plot(ns, curve.log10_bad, color="C3", label=rf"$\log_{{10}} B_n(\epsilon_0={curve.eps0:g})$")
        finite = np.isfinite(curve.log10_bound)
        ax2.plot(ns[finite], curve.log10_bound[finite], color="C2", linestyle="--", label="bound, best $\\epsilon_1$")
        ax2.set_xlabel("training points n")
        ax2.set_ylabel("log10 fraction of bad minima")
        outside_legend(ax2)
    return save_figure(fig, path)


def plot_sampled_curve(curve: SampledCurve, path: str, title: str = "") -> str:
    """Measured (points with simultaneous bands) against predicted (lines): ``Z_n``, ``E_n``, ``B_n``.

    Parameters
    ----------
    curve : rankstrat.numerics.curves.sampled_classifiers.SampledCurve
    path : str
    title : str

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile, os
    >>> from rankstrat.numerics.curves.sampled_classifiers import compare_with_theory
    >>> c = compare_with_theory(np.array([0.0, 0.5]), np.array([[3, 0], [3, 1]]), [0, 1], 0.25,
    ...                         bootstrap=20, min_fits=1)
    >>> os.path.getsize(plot_sampled_curve(c, os.path.join(tempfile.mkdtemp(), "s.png"))) > 1000
    True
    """
    check_figure_path(path)
    fig = new_figure(15, 4.6)
    labels = {"fit_fraction": "fraction of the set with zero training error",
              "expected_error": "mean true error of those",
              "bad_fraction": rf"fraction of those with error > {curve.eps0:g}"}
    shown = curve.usable
    for i, (quantity, label) in enumerate(labels.items()):
        ax = fig.add_subplot(1, 3, i + 1)
        ns = curve.ns
        ax.plot(ns, curve.predicted[quantity], color="C0", label="theory from the errors of the set")
        ax.fill_between(ns[shown], curve.lower[quantity][shown], curve.upper[quantity][shown], color="C1",
                        alpha=0.25, label=f"{curve.confidence:.0%} simultaneous band")
        ax.plot(ns[shown], curve.measured[quantity][shown], "o", color="C1", markersize=3, label="sampled")
        if quantity == "fit_fraction":
            ax.set_yscale("log")
        ax.set_xlabel("training points n")
        ax.set_ylabel(label)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize=8, frameon=False)
    if title:
        fig.suptitle(title, fontsize=10)
    return save_figure(fig, path)


def plot_density_fit(measured: MeasuredCurve, fits: Sequence[DensityFit], path: str) -> str:
    """Measured learning curve (error bars) with each fitted family's curve; the best is drawn solid.

    Parameters
    ----------
    measured : rankstrat.numerics.curves.density_fit.MeasuredCurve
    fits : sequence of rankstrat.numerics.curves.density_fit.DensityFit
        Best first.
    path : str

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile, os
    >>> from rankstrat.numerics.curves.density_fit import fit_density_families
    >>> ns = np.array([10, 20, 50, 100, 200])
    >>> m = MeasuredCurve(ns, 2 / (7 + ns), np.full(5, 1e-3), np.ones(5), 5, "logistic", "demo")
    >>> fits = fit_density_families(ns, m.mean_error, m.stderr, ["beta"])
    >>> os.path.getsize(plot_density_fit(m, fits, os.path.join(tempfile.mkdtemp(), "f.png"))) > 1000
    True
    """
    check_figure_path(path)
    fig = new_figure(8.0, 4.5)
    ax = fig.add_subplot(1, 1, 1)
    ax.errorbar(measured.ns, measured.mean_error, yerr=measured.stderr, fmt="o", color="k", markersize=4,
                label=f"measured ({measured.model}, {measured.repeats} runs per n)")
    dense = np.unique(np.geomspace(max(measured.ns.min(), 1), measured.ns.max(), 200).round())
    for i, fit in enumerate(fits):
        ax.plot(dense, family_curve(fit.family, fit.params, dense), linestyle="-" if i == 0 else "--",
                label=f"{fit.family}: AIC {fit.aic:.1f}, RMSE {fit.rmse:.3g}")
    _xscale(ax, measured.ns)
    ax.set_yscale("log")
    ax.set_xlabel("training points n")
    ax.set_ylabel("test error")
    ax.set_title(measured.dataset or "learning curve", fontsize=10)
    outside_legend(ax)
    return save_figure(fig, path)
