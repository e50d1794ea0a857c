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
    fig = new_figure(7.0, 4.2)
    ax = fig.add_subplot()
    architectures = list(dict.fromkeys(row["architecture"] for row in rows))
    if x_key is None or all(sum(row["architecture"] == name for row in rows) == 1 for name in architectures):
        _bars(ax, [next(row for row in rows if row["architecture"] == name) for name in architectures])
    else:
        _lines(ax, rows, x_key, architectures)
    ax.set_ylabel("count")
    ax.set_title(title or "model rank (optimistic sample size) vs parameter count", fontsize=9)
    outside_legend(ax)
    return save_figure(fig, path)


def _lines(ax, rows: list, x_key: str, architectures: list) -> None:
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
                        markersize=6, zorder=3)
        ax.plot(xs, [row["closed_form"] if row["closed_form"] is not None else float("nan") for row in mine],
                "x", color="black", markersize=8, zorder=4)
    _certainty_legend_entries(ax)
    values = [row["params"] for row in rows] + [row["closed_form"] for row in rows if row["closed_form"]]
    if max(values) > 50 * max(1, min(v for v in values if v)):
        ax.set_yscale("log")
    ax.set_xlabel(x_key)
    ax.xaxis.get_major_locator().set_params(integer=True)


def _bars(ax, rows: list) -> None:
    """One pair of bars (parameters, model rank) per architecture, values written on top;
    a hatched rank bar is not certified."""
    positions = range(len(rows))
    width = 0.38
    params = ax.bar([p - width / 2 for p in positions], [row["params"] for row in rows], width,
                    label="parameters", color="0.7")
    ax.bar_label(params, fontsize=8)
    ranks = ax.bar([p + width / 2 for p in positions], [_rank(row, 0) for row in rows], width, color="C0",
                   label="model rank", hatch=None)
    for bar, row in zip(ranks, rows):
        if row["certainty"] != CERTIFIED:
            bar.set_hatch("//")
            bar.set_facecolor("white")
            bar.set_edgecolor("C0")
    ax.bar_label(ranks, fontsize=8)
    ax.plot([p + width / 2 for p in positions],
            [row["closed_form"] if row["closed_form"] is not None else float("nan") for row in rows],
            "x", color="black", markersize=9, zorder=3)
    ax.bar([0], [0], color="white", edgecolor="C0", hatch="//", label="model rank, not certified")
    ax.plot([], [], "x", color="black", label="closed form")
    ax.set_xticks(list(positions), [row["architecture"] for row in rows])
    ax.set_yscale("log")


def _certainty_legend_entries(ax) -> None:
    ax.plot([], [], "o", color="0.3", label="certified rank")
    ax.plot([], [], "o", color="0.3", markerfacecolor="white", label="rank not certified")
    ax.plot([], [], "x", color="black", label="closed form")


def _rank(row: dict, missing=float("nan")):
    return row["measured"] if row["measured"] is not None else missing
