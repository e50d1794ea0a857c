"""The observation graph of a partially observed matrix, and the counts it gives.

Rows and columns of an ``n1 x n2`` matrix are the nodes of a bipartite graph;
every observed entry ``(i, j)`` is an edge between row ``i`` and column ``j``.
Rows and columns without any observation are isolated and dropped (docs/theory.md
section 4). Nodes are named ``r1 .. rn1`` and ``c1 .. cn2`` (1-based, as in the
paper's examples); each node carries ``kind`` (``"row"`` or ``"column"``),
``index`` (0-based) and ``bipartite`` (0 for rows, 1 for columns).

Counts on the graph (all pure graph theory; the numerics check them):

- **Rank-1 observed-entry rank.** At a generic rank-1 point ``A B = a b^T`` the
  gradient of the entry ``a_i b_j`` is ``b_j da_i + a_i db_j``; in the
  coordinates ``da_i / a_i, db_j / b_j`` it is ``a_i b_j`` times the row of the
  unsigned incidence matrix of the graph at edge ``(i, j)``. Both rescalings
  are invertible at a generic point, and the unsigned incidence matrix of a
  bipartite graph has rank ``#nodes - #components`` (the kernel is one
  alternating sign vector ``+1`` on rows, ``-1`` on columns, per component).
  Hence ``rank J_Omega = V - C = sum over components (rows_c + cols_c - 1)``.
- **Block structure, any rank.** The observed entries of a component depend
  only on the rows of ``A`` and the columns of ``B`` of that component, so the
  Jacobian is block diagonal over components and its rank is the sum of the
  component ranks. A component's rank is at most its edge count and at most
  the model rank of its ``m x n`` sub-factorization,
  ``m n - (m - min(r, m)) (n - min(r, n))``: a proven upper bound at every
  rank-``r`` point, exact for ``r = 1``.
- **Rank-1 determined entries.** Entry ``(i, j)`` is determined by the
  observations of a generic rank-1 matrix iff row ``i`` and column ``j`` lie in
  the same component (within a component ``a_i b_j`` is fixed by a path of
  observed ratios; across components each component keeps its own scale).

References
----------
Z. Bai, J. Zhao, Y. Zhang, "Connectivity shapes implicit regularization in
matrix factorization models for matrix completion", arXiv 2405.13721.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import sympy

from rankstrat.theory.closed_form import ClosedForm
from rankstrat.theory.errors import InputError

SOURCE = "arXiv 2405.13721, observation graph of matrix completion"
NODES, COMPONENTS = sympy.Symbol("V", positive=True, integer=True), sympy.Symbol("C", positive=True, integer=True)


def row_node(i: int) -> str:
    """Name of the node of row ``i`` (0-based index, 1-based name).

    Examples
    --------
    >>> row_node(0)
    'r1'
    """
    return f"r{i + 1}"


def column_node(j: int) -> str:
    """Name of the node of column ``j`` (0-based index, 1-based name).

    Examples
    --------
    >>> column_node(2)
    'c3'
    """
    return f"c{j + 1}"


def _as_mask(mask) -> np.ndarray:
    array = np.asarray(mask)
    if array.ndim != 2:
        raise InputError(f"an observation mask must be a 2-D array, got shape {array.shape}")
    if array.dtype != bool:
        if not np.all((array == 0) | (array == 1)):
            raise InputError("an observation mask must hold booleans (or 0/1)")
        array = array.astype(bool)
    return array


def observation_graph(mask) -> nx.Graph:
    """The bipartite observation graph of a boolean mask.

    Parameters
    ----------
    mask : array_like of bool, shape (n1, n2)
        True where the entry is observed.

    Returns
    -------
    networkx.Graph
        Nodes ``r1 .. rn1`` and ``c1 .. cn2`` that carry at least one
        observation, an edge per observed entry; ``graph.graph["shape"]`` is
        ``(n1, n2)``.

    Raises
    ------
    InputError
        When the mask is not 2-D or not boolean.

    Examples
    --------
    >>> G = observation_graph([[1, 1, 0], [1, 0, 0], [0, 0, 1]])
    >>> sorted(G.nodes), G.number_of_edges()
    (['c1', 'c2', 'c3', 'r1', 'r2', 'r3'], 4)
    >>> G.nodes["c2"]
    {'kind': 'column', 'index': 1, 'bipartite': 1}
    """
    array = _as_mask(mask)
    graph = nx.Graph(shape=tuple(array.shape))
    for i, j in zip(*np.nonzero(array)):
        i, j = int(i), int(j)
        graph.add_node(row_node(i), kind="row", index=i, bipartite=0)
        graph.add_node(column_node(j), kind="column", index=j, bipartite=1)
        graph.add_edge(row_node(i), column_node(j))
    return graph


@dataclass(frozen=True)
class ObservationComponent:
    """One connected component of an observation graph.

    Attributes
    ----------
    rows, columns : tuple of int
        0-based indices, sorted.
    num_edges : int
        Observed entries inside the component.

    Examples
    --------
    >>> c = ObservationComponent((0, 1), (0, 1), 3)
    >>> c.complete_bipartite, c.label, c.rank_one_count
    (False, '{r1,r2,c1,c2}', 3)
    """

    rows: tuple
    columns: tuple
    num_edges: int

    @property
    def num_nodes(self) -> int:
        """Rows plus columns.

        Examples
        --------
        >>> ObservationComponent((0,), (0, 1), 2).num_nodes
        3
        """
        return len(self.rows) + len(self.columns)

    @property
    def complete_bipartite(self) -> bool:
        """True when every entry of the component's rows x columns block is observed.

        Examples
        --------
        >>> ObservationComponent((0,), (0, 1), 2).complete_bipartite
        True
        """
        return self.num_edges == len(self.rows) * len(self.columns)

    @property
    def rank_one_count(self) -> int:
        """``rows + columns - 1``: this component's rank-1 observed-entry rank.

        Examples
        --------
        >>> ObservationComponent((0, 1), (0, 1, 2), 4).rank_one_count
        4
        """
        return self.num_nodes - 1

    def rank_bound(self, target_rank: int) -> int:
        """Proven upper bound of the component's observed-entry rank at rank ``r``.

        ``min(edges, m n - (m - min(r, m)) (n - min(r, n)))`` (module docstring).

        Parameters
        ----------
        target_rank : int

        Returns
        -------
        int

        Examples
        --------
        >>> ObservationComponent((0, 1), (0, 1), 3).rank_bound(1)
        3
        >>> ObservationComponent((0, 1, 2), (0, 1, 2), 9).rank_bound(2)
        8
        """
        m, n = len(self.rows), len(self.columns)
        ra, rb = min(target_rank, m), min(target_rank, n)
        return min(self.num_edges, m * n - (m - ra) * (n - rb))

    @property
    def label(self) -> str:
        """The node set as text, ``{r1,r2,c1,c2}``.

        Examples
        --------
        >>> ObservationComponent((2,), (2,), 1).label
        '{r3,c3}'
        """
        names = [row_node(i) for i in self.rows] + [column_node(j) for j in self.columns]
        return "{" + ",".join(names) + "}"

    def as_dict(self) -> dict:
        """Plain types for JSON (1-based names and 0-based indices).

        Examples
        --------
        >>> ObservationComponent((2,), (2,), 1).as_dict()["nodes"]
        ['r3', 'c3']
        """
        return {
            "rows": list(self.rows),
            "columns": list(self.columns),
            "nodes": [row_node(i) for i in self.rows] + [column_node(j) for j in self.columns],
            "num_edges": self.num_edges,
            "complete_bipartite": self.complete_bipartite,
        }


def observation_components(graph: nx.Graph) -> list[ObservationComponent]:
    """The connected components, ordered by their first row (then first column).

    Parameters
    ----------
    graph : networkx.Graph
        From :func:`observation_graph`.

    Returns
    -------
    list of ObservationComponent

    Examples
    --------
    >>> G = observation_graph([[1, 1, 0], [1, 0, 0], [0, 0, 1]])
    >>> [c.label for c in observation_components(G)]
    ['{r1,r2,c1,c2}', '{r3,c3}']
    """
    components = []
    for nodes in nx.connected_components(graph):
        rows = tuple(sorted(graph.nodes[v]["index"] for v in nodes if graph.nodes[v]["kind"] == "row"))
        cols = tuple(sorted(graph.nodes[v]["index"] for v in nodes if graph.nodes[v]["kind"] == "column"))
        components.append(ObservationComponent(rows, cols, graph.subgraph(nodes).number_of_edges()))
    return sorted(components, key=lambda c: (c.rows, c.columns))


def is_connected(graph: nx.Graph) -> bool:
    """True when the observation graph has exactly one component.

    Raises
    ------
    InputError
        For a graph without observations.

    Examples
    --------
    >>> is_connected(observation_graph([[1, 1], [1, 0]]))
    True
    >>> is_connected(observation_graph([[1, 0], [0, 1]]))
    False
    """
    if graph.number_of_nodes() == 0:
        raise InputError("the observation graph is empty: no entry is observed")
    return nx.is_connected(graph)


def unobserved_lines(graph: nx.Graph) -> tuple[list, list]:
    """Rows and columns (0-based) without any observation: dropped from the graph.

    Examples
    --------
    >>> unobserved_lines(observation_graph([[1, 0], [0, 0]]))
    ([1], [1])
    """
    n1, n2 = graph.graph["shape"]
    rows = [i for i in range(n1) if row_node(i) not in graph]
    cols = [j for j in range(n2) if column_node(j) not in graph]
    return rows, cols


def rank_one_observed_rank(graph: nx.Graph) -> ClosedForm:
    """Rank of the observed-entry Jacobian at a generic rank-1 point: ``V - C``.

    ``V`` counts the nodes (observed rows and columns), ``C`` the components;
    the derivation is in the module docstring.

    Parameters
    ----------
    graph : networkx.Graph

    Returns
    -------
    ClosedForm

    Examples
    --------
    >>> str(rank_one_observed_rank(observation_graph([[1, 1, 0], [1, 0, 0], [0, 0, 1]])))
    '-C + V = 4'
    """
    return ClosedForm(
        NODES - COMPONENTS,
        {"V": graph.number_of_nodes(), "C": nx.number_connected_components(graph)},
        source=SOURCE + "; derived: unsigned incidence rank of a bipartite graph",
    )


def observed_rank_bound(graph: nx.Graph, target_rank: int) -> int:
    """Proven upper bound of the observed-entry Jacobian rank at any rank-``r`` point.

    Sum over components of :meth:`ObservationComponent.rank_bound`; equal to
    :func:`rank_one_observed_rank` for ``r = 1``.

    Parameters
    ----------
    graph : networkx.Graph
    target_rank : int
        ``r >= 0``.

    Returns
    -------
    int

    Raises
    ------
    InputError
        For a negative rank.

    Examples
    --------
    >>> G = observation_graph([[1, 1, 0], [1, 0, 0], [0, 0, 1]])
    >>> observed_rank_bound(G, 1), observed_rank_bound(G, 2)
    (4, 4)
    """
    if target_rank < 0:
        raise InputError(f"target rank must be >= 0, got {target_rank}")
    if target_rank == 0:
        return 0
    return sum(c.rank_bound(target_rank) for c in observation_components(graph))


def rank_one_determined(graph: nx.Graph) -> np.ndarray:
    """Entries fixed by the observations of a generic rank-1 matrix.

    Entry ``(i, j)`` is determined iff row ``i`` and column ``j`` lie in the
    same component; observed entries are determined trivially.

    Parameters
    ----------
    graph : networkx.Graph

    Returns
    -------
    ndarray of bool, shape (n1, n2)

    Examples
    --------
    >>> rank_one_determined(observation_graph([[1, 1, 0], [1, 0, 0], [0, 0, 1]])).astype(int)
    array([[1, 1, 0],
           [1, 1, 0],
           [0, 0, 1]])
    """
    determined = np.zeros(graph.graph["shape"], dtype=bool)
    for component in observation_components(graph):
        determined[np.ix_(component.rows, component.columns)] = True
    return determined


def graph_summary(graph: nx.Graph) -> dict:
    """Connectivity, components and counts of an observation graph, as plain types.

    Parameters
    ----------
    graph : networkx.Graph

    Returns
    -------
    dict
        ``shape``, ``num_observed``, ``num_nodes``, ``num_components``,
        ``connected``, ``components`` (see :meth:`ObservationComponent.as_dict`),
        ``all_components_complete``, ``unobserved_rows``, ``unobserved_columns``
        and ``rank_one_count``.

    Raises
    ------
    InputError
        For a graph without observations.

    Examples
    --------
    >>> s = graph_summary(observation_graph([[1, 1, 0], [1, 0, 0], [0, 0, 1]]))
    >>> s["connected"], s["num_components"], s["rank_one_count"]
    (False, 2, 4)
    """
    connected = is_connected(graph)
    components = observation_components(graph)
    rows, cols = unobserved_lines(graph)
    return {
        "shape": list(graph.graph["shape"]),
        "num_observed": graph.number_of_edges(),
        "num_nodes": graph.number_of_nodes(),
        "num_components": len(components),
        "connected": connected,
        "components": [c.as_dict() for c in components],
        "all_components_complete": all(c.complete_bipartite for c in components),
        "unobserved_rows": rows,
        "unobserved_columns": cols,
        "rank_one_count": rank_one_observed_rank(graph).value,
    }
