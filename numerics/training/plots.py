"""Figures of the sample-size experiments, drawn from a :class:`Summary` alone.

- :func:`recovery_figure`: recovery rate against ``n`` per group, with the
  predicted sizes as vertical lines (one panel per group when a group has
  several predicted sizes);
- :func:`phase_figure`: recovery rate over initialization variance x ``n``;
- :func:`imbalance_figure`: branch and recovery against the initial
  imbalance ratio ``|c|``.

Everything a figure shows comes from the summary, so ``rankstrat plot``
redraws it from the store without training anything.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from rankstrat.numerics.figures import new_figure, outside_legend, save_figure
from rankstrat.numerics.training.experiments.definition import Summary

FIGURE_FORMATS = ("png", "pdf", "svg")


def _colors(count: int) -> list:
    return [f"C{i % 10}" for i in range(count)]


def recovery_figure(summary: Summary, path) -> Path:
    """Recovery rate (recovered / runs, with its 95 % Wilson band) against ``n``, predicted sizes as vertical lines.

    Parameters
    ----------
    summary : Summary
    path : path-like
        Output file; the suffix picks the format.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> rows = [{"group": "rank 1", "n": n, "rate": float(n >= 7), "converged": 5, "unconverged": 0}
    ...         for n in range(5, 9)]
    >>> s = Summary("demo", rows, [], {"rank 1": {"predicted 7": 7}})
    >>> recovery_figure(s, pathlib.Path(tempfile.mkdtemp()) / "demo.png").exists()
    True
    """
    path = Path(path)
    groups = summary.groups
    split = any(len(summary.lines.get(g, {})) > 1 for g in groups)
    panels = groups if split else [None]
    fig = new_figure(6.4 * len(panels), 3.8)
    axes = fig.subplots(1, len(panels), squeeze=False)
    colors = dict(zip(groups, _colors(len(groups))))
    for ax, panel in zip(axes[0], panels):
        shown = groups if panel is None else [panel]
        for group in shown:
            rows = [r for r in summary.rows if r["group"] == group]
            ns = [r["n"] for r in rows]
            rates = [r["rate"] for r in rows]
            ax.plot(ns, rates, "o-", color=colors[group], label=group, ms=4)
            if all("rate_low" in r for r in rows):
                ax.fill_between(ns, [r["rate_low"] for r in rows], [r["rate_high"] for r in rows],
                                color=colors[group], alpha=0.15, lw=0)
            unconverged = [r["n"] for r in rows if r.get("unconverged")]
            if unconverged:
                ax.plot(unconverged, [-0.05] * len(unconverged), "x", color=colors[group], ms=4)
            styles = ["--", ":", "-."]
            for i, (label, n) in enumerate(summary.lines.get(group, {}).items()):
                ax.axvline(n, color=colors[group] if panel is None else "0.3", ls=styles[i % 3], lw=1, label=label)
        ax.set_xlabel("n (training samples / observed entries)")
        ax.set_ylabel("recovery rate (recovered / runs, 95% Wilson band)")
        ax.set_ylim(-0.1, 1.05)
        ax.set_title(panel or summary.experiment, fontsize=10)
        outside_legend(ax, fontsize=7)
        ax.grid(alpha=0.3)
    fig.supxlabel("x below the axis: n with unconverged runs (counted as not recovered)", fontsize=7)
    return Path(save_figure(fig, path, option="--figure-format"))


def phase_figure(summary: Summary, path) -> Path:
    """Recovery rate over initialization variance (rows) x ``n`` (columns).

    Reads ``summary.extra_tables["phase"]``: rows with ``variance``, ``n``, ``rate``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> table = [{"variance": v, "n": n, "rate": float(n > 3 and v < 1e-4)}
    ...          for v in (1e-20, 1e-8, 1.0) for n in range(1, 7)]
    >>> s = Summary("phase", [], [], {"*": {"optimistic 3": 3}}, extra_tables={"phase": table})
    >>> phase_figure(s, pathlib.Path(tempfile.mkdtemp()) / "p.png").exists()
    True
    """
    path = Path(path)
    table = summary.extra_tables.get("phase", [])
    variances = sorted({r["variance"] for r in table})
    ns = sorted({r["n"] for r in table})
    grid = np.full((len(variances), len(ns)), np.nan)
    for r in table:
        grid[variances.index(r["variance"]), ns.index(r["n"])] = r["rate"]
    fig = new_figure(7.2, 3.8)
    ax = fig.add_subplot()
    image = ax.imshow(grid, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1,
                      extent=(ns[0] - 0.5, ns[-1] + 0.5, -0.5, len(variances) - 0.5))
    ax.set_yticks(range(len(variances)))
    ax.set_yticklabels([f"{v:.0e}" for v in variances])
    ax.set_xlabel("n (training samples)")
    ax.set_ylabel("initialization variance")
    for i, (label, n) in enumerate(summary.lines.get("*", {}).items()):
        ax.axvline(n - 0.5, color="white", ls=["--", ":", "-."][i % 3], lw=1.2, label=label)
    fig.colorbar(image, ax=ax, label="recovery rate", location="left")
    if summary.lines.get("*"):
        outside_legend(ax, fontsize=7)
    ax.set_title(summary.experiment, fontsize=10)
    return Path(save_figure(fig, path, option="--figure-format"))


def imbalance_figure(summary: Summary, path) -> Path:
    """Fraction of runs ending on ``Q1`` and recovery rate against ``|c|`` (log axis).

    Reads ``summary.extra_tables["imbalance"]``: rows with ``c_low``, ``c_high``,
    ``runs``, ``Q1 fraction``, ``rate``; the reported window is shaded from
    ``summary.lines["*"]`` (``window low`` / ``window high``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> table = [{"c_low": 0.5, "c_high": 1.0, "runs": 3, "Q1 fraction": 1.0, "rate": 1.0},
    ...          {"c_low": 1.0, "c_high": 2.0, "runs": 2, "Q1 fraction": 0.5, "rate": 1.0}]
    >>> s = Summary("imbalance", [], [], {"*": {"window low": 0.74, "window high": 1.35}},
    ...             extra_tables={"imbalance": table})
    >>> imbalance_figure(s, pathlib.Path(tempfile.mkdtemp()) / "i.svg").exists()
    True
    """
    path = Path(path)
    table = [r for r in summary.extra_tables.get("imbalance", []) if r["runs"]]
    centers = [math.sqrt(r["c_low"] * r["c_high"]) for r in table]
    fig = new_figure(7.2, 3.8)
    ax = fig.add_subplot()
    ax.semilogx(centers, [r["Q1 fraction"] for r in table], "o-", label="ends on Q1 (of converged)")
    ax.semilogx(centers, [r["rate"] for r in table], "s--", label="recovered (of converged)")
    window = summary.lines.get("*", {})
    if "window low" in window and "window high" in window:
        ax.axvspan(window["window low"], window["window high"], color="0.85", label="reported Q1 window")
    ax.set_xlabel("|c| = |C_1 / C_2| (initial imbalance ratio)")
    ax.set_ylabel("fraction")
    ax.set_ylim(-0.05, 1.05)
    outside_legend(ax, fontsize=7)
    ax.grid(alpha=0.3)
    ax.set_title(summary.experiment, fontsize=10)
    return Path(save_figure(fig, path, option="--figure-format"))


def draw_figures(summary: Summary, kind: str, directory, fmt: str = "png") -> list:
    """Draw the figure(s) of one experiment into ``directory``; returns the paths.

    Parameters
    ----------
    summary : Summary
    kind : {'recovery', 'phase', 'imbalance'}
        The experiment's :attr:`figure_kind`.
    directory : path-like
    fmt : {'png', 'pdf', 'svg'}

    Raises
    ------
    ValueError
        For an unknown kind or format.

    Examples
    --------
    >>> import tempfile
    >>> rows = [{"group": "g", "n": 1, "rate": 0.0, "unconverged": 0}]
    >>> [p.name for p in draw_figures(Summary("demo", rows, []), "recovery", tempfile.mkdtemp())]
    ['demo.png']
    """
    if fmt not in FIGURE_FORMATS:
        raise ValueError(f"unknown figure format {fmt!r}; expected one of {', '.join(FIGURE_FORMATS)}")
    drawers = {"recovery": recovery_figure, "phase": phase_figure, "imbalance": imbalance_figure}
    if kind not in drawers:
        raise ValueError(f"unknown figure kind {kind!r}; expected one of {', '.join(drawers)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return [drawers[kind](summary, directory / f"{summary.experiment}.{fmt}")]
