"""Figures for matrix completion: the observation graph, learned entries against
the initialization scale, and recovery rates of connected against disconnected
masks. Written by :func:`rankstrat.numerics.figures.save_figure` (the file type
follows the extension)."""

from __future__ import annotations

import os

import networkx as nx
import numpy as np

from rankstrat.numerics.figures import new_figure, outside_legend, save_figure
from rankstrat.theory.completion.observation_graph import observation_components

COMPONENT_COLORS = ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown", "tab:pink")


def _save(fig, path) -> str:
    """Write into ``path``'s folder, made when missing (the figures of one run share a new folder)."""
    os.makedirs(os.path.dirname(os.path.abspath(str(path))), exist_ok=True)
    return save_figure(fig, path)


def draw_observation_graph(graph: nx.Graph, path, title: str = "") -> str:
    """Draw the bipartite observation graph: rows left, columns right, one color per component.

    Parameters
    ----------
    graph : networkx.Graph
        From :func:`rankstrat.theory.completion.observation_graph.observation_graph`.
    path : path-like
        PNG (or any format matplotlib knows from the suffix).
    title : str

    Returns
    -------
    str
        The path written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from rankstrat.theory.completion.observation_graph import observation_graph
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "g.png"
    >>> draw_observation_graph(observation_graph([[1, 1, 0], [1, 0, 0], [0, 0, 1]]), out) == str(out)
    True
    >>> out.stat().st_size > 1000
    True
    """
    rows = sorted((v for v in graph if graph.nodes[v]["kind"] == "row"), key=lambda v: graph.nodes[v]["index"])
    cols = sorted((v for v in graph if graph.nodes[v]["kind"] == "column"), key=lambda v: graph.nodes[v]["index"])
    pos = {}
    for side, nodes, x in ((0, rows, 0.0), (1, cols, 1.0)):
        for n, node in enumerate(nodes):
            pos[node] = (x, -float(n))
    color = {}
    for c, component in enumerate(observation_components(graph)):
        names = [f"r{i + 1}" for i in component.rows] + [f"c{j + 1}" for j in component.columns]
        for name in names:
            color[name] = COMPONENT_COLORS[c % len(COMPONENT_COLORS)]
    height = max(len(rows), len(cols), 2)
    fig = new_figure(4.0, 0.45 * height + 1.2)
    ax = fig.add_subplot()
    nx.draw_networkx_edges(graph, pos, ax=ax, edge_color="0.5")
    nx.draw_networkx_nodes(graph, pos, ax=ax, node_color=[color[v] for v in graph], node_size=380)
    nx.draw_networkx_labels(graph, pos, ax=ax, font_size=8, font_color="white")
    ax.set_xlim(-0.4, 1.4)
    ax.set_ylim(-(height - 1) - 0.6, 1.0)
    ax.set_axis_off()
    ax.text(0.0, 0.55, "rows", ha="center", fontsize=9)
    ax.text(1.0, 0.55, "columns", ha="center", fontsize=9)
    count = nx.number_connected_components(graph)
    ax.set_title(title or f"observation graph: {count} component{'s' if count != 1 else ''}", fontsize=10)
    return _save(fig, path)


def plot_entry_against_init(variances, entries, rank_one_value: float, path, title: str = "") -> str:
    """The learned missing entry (one point per seed, median line) against the
    initialization variance, with the rank-1 completion value.

    Parameters
    ----------
    variances : array (V,)
        Initialization variances (``init_std ** 2``).
    entries : array (V, S)
        Learned value of the missing entry per variance and seed (NaN for
        runs that did not converge).
    rank_one_value : float
    path : path-like
    title : str

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "e.png"
    >>> v = np.array([1e-2, 1e-6, 1e-10])
    >>> e = np.array([[2.0, 3.0], [5.0, 5.5], [6.0, 6.0]])
    >>> plot_entry_against_init(v, e, 6.0, out) == str(out)
    True
    """
    variances = np.asarray(variances, dtype=float)
    entries = np.asarray(entries, dtype=float)
    fig = new_figure(7.0, 3.6)
    ax = fig.add_subplot()
    for s in range(entries.shape[1]):
        ax.scatter(variances, entries[:, s], s=8, color="tab:blue", alpha=0.35, label="seeds" if s == 0 else None)
    ax.plot(variances, np.nanmedian(entries, axis=1), color="tab:blue", label="median")
    ax.axhline(rank_one_value, color="tab:red", linestyle="--", label=f"rank-1 completion {rank_one_value:g}")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("initialization variance")
    ax.set_ylabel("learned missing entry")
    ax.set_title(title, fontsize=10)
    outside_legend(ax)
    return _save(fig, path)


def plot_recovery_against_init(variances, rates: dict, path, title: str = "") -> str:
    """Recovery rate against the initialization variance, one line per group.

    Parameters
    ----------
    variances : sequence of float
    rates : dict of str -> sequence of float
        Per group (``connected``, ``disconnected``), a rate per variance
        (NaN where no run converged).
    path : path-like
    title : str

    Returns
    -------
    str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.png"
    >>> plot_recovery_against_init([1e-40, 1e-120], {"connected": [0.6, 1.0], "disconnected": [0.0, 0.0]},
    ...                            out) == str(out)
    True
    """
    fig = new_figure(7.0, 3.6)
    ax = fig.add_subplot()
    for n, (label, values) in enumerate(rates.items()):
        ax.plot(variances, values, marker="o", color=COMPONENT_COLORS[n % len(COMPONENT_COLORS)], label=label)
    ax.set_xscale("log")
    ax.set_xticks(list(variances), [f"1e{round(np.log10(v))}" for v in variances])
    ax.minorticks_off()
    ax.invert_xaxis()
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("initialization variance")
    ax.set_ylabel("recovery rate (converged runs)")
    ax.set_title(title, fontsize=10)
    outside_legend(ax)
    return _save(fig, path)
