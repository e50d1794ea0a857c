"""Figures of rank tables: parameter count and model rank against a varied size.

Every architecture of the table gets one colour; measured ranks are filled
markers when certified and hollow ones otherwise, so the certainty of each
point shows in the figure and its legend.
"""

from __future__ import annotations

import os
import textwrap

from rankstrat.numerics.figures import new_figure, outside_legend, save_figure

CERTIFIED = "certified"


def figure_title(specs, target: str) -> str:
    """``spec; spec | target T``, wrapped to the figure width.

    Examples
    --------
    >>> figure_title(["twolayer:d=3,k=1"], "neurons=1")
    'twolayer:d=3,k=1 | target neurons=1'
    """
    return textwrap.fill(f"{'; '.join(str(s) for s in specs)} | target {target}", 80)


def plot_rank_table(rows: list, x_key: str | None, path: str | os.PathLike, title: str = "") -> str:
    """Draw parameter count (dashed), measured rank (markers: filled = certified,
    hollow = not certified) and closed form (x) for each architecture.

    Parameters
    ----------
    rows : list of dict
        From :func:`rankstrat.numerics.rank.table.rank_table`.
    x_key : str or None
        The varied size on the x axis; None puts architectures side by side.
    path : path-like
        Output file; its extension picks the format, and only that file is written.
    title : str
        Spec(s) and target (:func:`figure_title`).

    Returns
    -------
    str
        The file written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> rows = [{"k": 1, "architecture": "twolayer", "params": 4, "measured": 4, "closed_form": 4,
    ...          "certainty": "certified"},
    ...         {"k": 2, "architecture": "twolayer", "params": 8, "measured": 4, "closed_form": 4,
    ...          "certainty": "float64-gap"}]
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> pathlib.Path(plot_rank_table(rows, "k", folder / "t.pdf", "twolayer | target neurons=1")).name
    't.pdf'
    >>> [p.name for p in folder.iterdir()]
    ['t.pdf']
    """
    return save_figure(draw_rank_table(rows, x_key, title), path)


def draw_rank_table(rows: list, x_key: str | None, title: str = ""):
    """The figure of :func:`plot_rank_table`, not yet written.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> rows = [{"k": k, "architecture": "mf", "params": 4 * k, "measured": 3, "closed_form": 3,
    ...          "certainty": "certified"} for k in (1, 2)]
    >>> fig = draw_rank_table(rows, "k", "mf:n1=2,k=1,n2=2 | target random")
    >>> fig.axes[0].get_title(), fig.axes[0].get_legend().get_texts()[-1].get_text()
    ('mf:n1=2,k=1,n2=2 | target random', 'closed form')
    """
    fig = new_figure(7.0, 4.2)
    ax = fig.add_subplot()
    architectures = list(dict.fromkeys(row["architecture"] for row in rows))
    if x_key is None or all(sum(row["architecture"] == name for row in rows) == 1 for name in architectures):
        handles = _bars(ax, [next(row for row in rows if row["architecture"] == name) for name in architectures])
    else:
        handles = _lines(ax, rows, x_key, architectures)
    ax.set_ylabel("count")
    ax.set_title(title or "model rank (optimistic sample size) vs parameter count", fontsize=9)
    outside_legend(ax, handles=handles)
    return fig


def _lines(ax, rows: list, x_key: str, architectures: list) -> list:
    colors = [f"C{i % 10}" for i in range(len(architectures))]
    for name, color in zip(architectures, colors):
        mine = sorted((row for row in rows if row["architecture"] == name), key=lambda row: row[x_key])
        xs = [row[x_key] for row in mine]
        ax.plot(xs, [row["params"] for row in mine], "--", color=color, label=f"{name}: parameters")
        ax.plot(xs, [_rank(row) for row in mine], "-", color=color, label=f"{name}: model rank")
        for certified in (True, False):
            points = [(row[x_key], row["measured"]) for row in mine
                      if row["measured"] is not None and (row["certainty"] == CERTIFIED) == certified]
            if points:
                ax.plot(*zip(*points), "o", color=color, markerfacecolor=color if certified else "white",
                        markersize=9, zorder=3)
        ax.plot(xs, [row["closed_form"] if row["closed_form"] is not None else float("nan") for row in mine],
                "x", color="black", markersize=5, zorder=4)
    _log_counts_if_wide(ax, rows)
    ax.set_xlabel(x_key)
    ax.xaxis.get_major_locator().set_params(integer=True)
    handles, _ = ax.get_legend_handles_labels()
    return handles + _certainty_handles()


def _bars(ax, rows: list) -> list:
    """One pair of bars (parameters, model rank) per architecture, values written on top;
    a hatched rank bar is not certified."""
    positions = range(len(rows))
    width = 0.38
    from matplotlib.patches import Patch

    params = ax.bar([p - width / 2 for p in positions], [row["params"] for row in rows], width, color="0.7")
    ax.bar_label(params, fontsize=8)
    ranks = ax.bar([p + width / 2 for p in positions], [_rank(row, 0) for row in rows], width, color="C0")
    for bar, row in zip(ranks, rows):
        if row["certainty"] != CERTIFIED:
            bar.set_hatch("//")
            bar.set_facecolor("white")
            bar.set_edgecolor("C0")
    ax.bar_label(ranks, fontsize=8, padding=7)
    ax.plot([p + width / 2 for p in positions],
            [row["closed_form"] if row["closed_form"] is not None else float("nan") for row in rows],
            "x", color="black", markersize=9, zorder=3)
    ax.set_xticks(list(positions), [row["architecture"] for row in rows])
    _log_counts_if_wide(ax, rows)
    return [Patch(color="0.7", label="parameters"), Patch(color="C0", label="model rank, certified"),
            Patch(facecolor="white", edgecolor="C0", hatch="//", label="model rank, not certified"),
            _closed_form_handle()]


def _log_counts_if_wide(ax, rows: list) -> None:
    """A log axis, labelled with plain counts (``20``, not ``2 x 10^1``), when the counts span over 50x."""
    from matplotlib.ticker import NullFormatter, ScalarFormatter

    values = [row[key] for row in rows for key in ("params", "closed_form", "measured") if row.get(key)]
    if not values or max(values) <= 50 * min(values):
        return
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(NullFormatter())


def _certainty_handles() -> list:
    from matplotlib.lines import Line2D

    return [Line2D([], [], ls="", marker="o", color="0.3", markersize=8, label="certified rank"),
            Line2D([], [], ls="", marker="o", color="0.3", markerfacecolor="white", markersize=8,
                   label="rank not certified"),
            _closed_form_handle()]


def _closed_form_handle():
    from matplotlib.lines import Line2D

    return Line2D([], [], ls="", marker="x", color="black", label="closed form")


def _rank(row: dict, missing=float("nan")):
    return row["measured"] if row["measured"] is not None else missing
