"""Figures of rank tables: parameter count and model rank against a varied size."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot_rank_table(rows: list, x_key: str | None, path: str | os.PathLike) -> list[str]:
    """Draw parameter count (dashed) and measured rank (solid, closed form as
    markers) for each architecture; save as PNG and SVG.

    Parameters
    ----------
    rows : list of dict
        From :func:`rankstrat.numerics.rank.table.rank_table`.
    x_key : str or None
        The varied size on the x axis; None puts architectures side by side.
    path : path-like
        Output file; ``.png`` and ``.svg`` are both written next to it.

    Returns
    -------
    list of str
        The files written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> rows = [{"k": 1, "architecture": "twolayer", "params": 4, "measured": 4, "closed_form": 4},
    ...         {"k": 2, "architecture": "twolayer", "params": 8, "measured": 4, "closed_form": 4}]
    >>> files = plot_rank_table(rows, "k", pathlib.Path(tempfile.mkdtemp()) / "t.png")
    >>> [pathlib.Path(f).suffix for f in files]
    ['.png', '.svg']
    """
    stem = os.path.splitext(str(path))[0]
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    architectures = list(dict.fromkeys(row["architecture"] for row in rows))
    if all(sum(row["architecture"] == name for row in rows) == 1 for name in architectures):
        _bars(ax, [next(row for row in rows if row["architecture"] == name) for name in architectures])
        return _save(fig, ax, stem)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for index, name in enumerate(architectures):
        mine = [row for row in rows if row["architecture"] == name]
        xs = [row[x_key] for row in mine] if x_key else [index] * len(mine)
        color = colors[index % len(colors)]
        ax.plot(xs, [row["params"] for row in mine], "--", color=color, label=f"{name}: parameters")
        ax.plot(xs, [row["measured"] if row["measured"] is not None else float("nan") for row in mine],
                "-o", color=color, label=f"{name}: model rank (measured)")
        ax.plot(xs, [row["closed_form"] for row in mine], "x", color="black", markersize=8)
    ax.plot([], [], "x", color="black", label="closed form")
    values = [row["params"] for row in rows] + [row["closed_form"] for row in rows]
    if max(values) > 50 * max(1, min(v for v in values if v)):
        ax.set_yscale("log")
    ax.set_xlabel(x_key or "architecture")
    return _save(fig, ax, stem)


def _bars(ax, rows: list) -> None:
    """One pair of bars (parameters, model rank) per architecture, values written on top."""
    positions = range(len(rows))
    width = 0.38
    params = [row["params"] for row in rows]
    ranks = [row["measured"] if row["measured"] is not None else 0 for row in rows]
    for offset, values, label in ((-width / 2, params, "parameters"), (width / 2, ranks, "model rank (measured)")):
        bars = ax.bar([p + offset for p in positions], values, width, label=label)
        ax.bar_label(bars, fontsize=8)
    ax.plot([p + width / 2 for p in positions], [row["closed_form"] for row in rows], "x", color="black",
            markersize=9, label="closed form", zorder=3)
    ax.set_xticks(list(positions), [row["architecture"] for row in rows])
    ax.set_yscale("log")


def _save(fig, ax, stem: str) -> list[str]:
    ax.set_ylabel("count")
    ax.set_title("model rank (optimistic sample size) vs parameter count")
    ax.legend(fontsize=7)
    fig.tight_layout()
    files = [f"{stem}.png", f"{stem}.svg"]
    for name in files:
        fig.savefig(name, dpi=150)
    plt.close(fig)
    return files
