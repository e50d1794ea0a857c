"""The poset of discovered strata by closure: a networkx DiGraph, JSON and a Hasse diagram.

Closure of pieces is decided exactly: a linear piece (ties and zeros) lies in
the closure of another when its integer basis satisfies the other's integer
constraints after some permutation of the units; factor-rank pieces of mf
lie in the closure of ``(rA', rB')`` when ``rA <= rA'`` and ``rB <= rB'``
(matrices of rank <= r are the closure of rank r). A stratum lies below
another when some piece of it lies in the closure of some piece of the other.
Pieces of equal rank and equal ranks on the units with ``w != 0``, where one
lies in the closure of a larger one, are first merged into one stratum (the
hand-derived strata are unions of such pieces).
"""

from __future__ import annotations

import json

import networkx as nx
import numpy as np

from rankstrat.numerics.discovery.degenerations import Degeneration, kept_group, unit_permutations  # noqa: F401 (doctests)


def in_closure(small: Degeneration, large: Degeneration, permutations: list) -> bool:
    """Whether the piece ``small`` lies in the closure of the piece ``large``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.discovery.degenerations import degenerations
    >>> spec = parse_spec("twolayer:d=1,k=2")
    >>> gens = {g.name: g for g in degenerations(spec)}
    >>> perms = unit_permutations(spec)
    >>> in_closure(gens["neurons: 1 free, 1 zero"], gens["neurons: 1 free, 1 free"], perms)
    True
    >>> in_closure(gens["neurons: 1 free, 1 free"], gens["neurons: 1 free, 1 zero"], perms)
    False
    """
    if small.factor_ranks is not None or large.factor_ranks is not None:
        if small.factor_ranks is None or large.factor_ranks is None:
            return False
        return all(a <= b for a, b in zip(small.factor_ranks, large.factor_ranks))
    if small.basis.shape[1] > large.basis.shape[1]:
        return False
    for perm in permutations:
        if not np.any(large.constraints @ small.basis[perm]):
            return True
    return False


def merge_closures(strata: list, permutations: list) -> list:
    """Merge a stratum into one of equal rank, equal ranks on the kept column
    groups (:func:`rankstrat.numerics.discovery.degenerations.kept_group`: the
    units with ``w != 0``, the mf factors) and larger dimension, whose closure
    contains its largest piece.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.discovery.strata_search import discover_strata
    >>> len(discover_strata(parse_spec("twolayer:d=1,k=1,bias=1")))  # the b=0 pieces joined their strata
    5
    """
    strata = sorted(strata, key=lambda s: s.dimension)
    kept = []
    for index, stratum in enumerate(strata):
        piece = stratum.representative.degeneration
        host = next(
            (other for other in strata[index + 1:]
             if other.rank == stratum.rank and other.dimension > stratum.dimension
             and _active(other.profile) == _active(stratum.profile)
             and any(in_closure(piece, p.degeneration, permutations) for p in other.pieces)),
            None,
        )
        if host is None:
            kept.append(stratum)
        else:
            host.pieces.extend(stratum.pieces)
    return kept


def _active(profile: tuple) -> tuple:
    return tuple(entry for entry in profile if kept_group(entry[0]))


def closure_graph(strata: list, permutations: list) -> nx.DiGraph:
    """Edges ``i -> j`` when stratum ``i`` lies in the closure of stratum ``j``
    (transitively closed), nodes numbered as ``strata``.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.discovery.strata_search import discover_strata
    >>> spec = parse_spec("mf:n1=2,k=1,n2=2")
    >>> graph = closure_graph(discover_strata(spec), unit_permutations(spec))
    >>> sorted(graph.successors(0))
    [1, 2, 3]
    """
    graph = nx.DiGraph()
    for i, stratum in enumerate(strata):
        graph.add_node(i, **stratum.as_dict())
    for i, low in enumerate(strata):
        for j, high in enumerate(strata):
            if i == j or low.rank is None or high.rank is None or low.rank > high.rank:
                continue
            if low.dimension >= high.dimension:
                continue
            if any(in_closure(p.degeneration, q.degeneration, permutations) for p in low.pieces for q in high.pieces):
                graph.add_edge(i, j)
    return graph


def hasse(graph: nx.DiGraph) -> nx.DiGraph:
    """The Hasse diagram (transitive reduction) with node data kept.

    Examples
    --------
    >>> g = nx.DiGraph([(0, 1), (1, 2), (0, 2)])
    >>> sorted(hasse(g).edges)
    [(0, 1), (1, 2)]
    """
    closed = nx.transitive_closure_dag(graph)
    reduced = nx.transitive_reduction(closed)
    reduced.add_nodes_from(graph.nodes(data=True))
    return reduced


def poset_json(graph: nx.DiGraph, extra: dict | None = None) -> str:
    """The poset as JSON: ``nodes`` (with their data) and Hasse ``edges``.

    Examples
    --------
    >>> g = nx.DiGraph(); g.add_node(0, rank=0); g.add_node(1, rank=1); g.add_edge(0, 1)
    >>> json.loads(poset_json(g))["edges"]
    [[0, 1]]
    """
    reduced = hasse(graph)
    data = {
        "nodes": [{"id": n, **graph.nodes[n]} for n in sorted(graph.nodes)],
        "edges": sorted([list(e) for e in reduced.edges]),
        **(extra or {}),
    }
    return json.dumps(data, indent=1, default=str)


def draw_hasse(graph: nx.DiGraph, path: str, title: str = "") -> str:
    """A Hasse-diagram figure: strata placed by rank (height), labelled
    ``rank / dimension``; certified ranks filled, the others hollow. The
    extension of ``path`` picks the format.

    Examples
    --------
    >>> import tempfile, os
    >>> g = nx.DiGraph(); g.add_node(0, rank=0, dimension=0); g.add_node(1, rank=2, dimension=3); g.add_edge(0, 1)
    >>> path = draw_hasse(g, os.path.join(tempfile.mkdtemp(), "h.pdf")); os.path.getsize(path) > 0
    True
    """
    from matplotlib.lines import Line2D

    from rankstrat.numerics.figures import new_figure, outside_legend, save_figure

    reduced = hasse(graph)
    levels: dict = {}
    for n in sorted(graph.nodes):
        levels.setdefault(graph.nodes[n].get("rank") or 0, []).append(n)
    position = {}
    for rank, nodes in levels.items():
        for i, n in enumerate(nodes):
            position[n] = (i - (len(nodes) - 1) / 2, rank)
    width = max(4.0, 1.3 * max(len(v) for v in levels.values()))
    fig = new_figure(width + 2.0, 1.0 + 0.5 * len(levels))
    ax = fig.add_subplot()
    labels = {n: f"R={graph.nodes[n].get('rank')}\ndim={graph.nodes[n].get('dimension')}" for n in graph.nodes}
    nodes = list(reduced.nodes)
    certified = ["#9ecae1" if graph.nodes[n].get("certainty") == "certified" else "white" for n in nodes]
    nx.draw_networkx(reduced, position, ax=ax, nodelist=nodes, labels=labels, node_color=certified,
                     edgecolors="#3b6ea5", node_size=900, font_size=7, arrows=True, edge_color="#777777")
    ax.set_ylabel("model rank")
    ax.set_title(title, fontsize=9)
    ax.tick_params(left=True, labelleft=True)
    outside_legend(ax, handles=[
        Line2D([], [], ls="", marker="o", markersize=10, color="#9ecae1", markeredgecolor="#3b6ea5",
               label="rank certified"),
        Line2D([], [], ls="", marker="o", markersize=10, color="white", markeredgecolor="#3b6ea5",
               label="rank not certified")])
    return save_figure(fig, path, option="--figure")
