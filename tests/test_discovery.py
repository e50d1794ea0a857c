"""Strata discovered from structure, against independent exact references."""

import json

import networkx as nx
import numpy as np
import sympy

from rankstrat.numerics.discovery.degenerations import unit_permutations
from rankstrat.numerics.discovery.poset import closure_graph, hasse
from rankstrat.numerics.discovery.strata_search import compare_with_theory, discover_strata
from rankstrat.theory.spec import parse_spec


def _exact_rank_twolayer_pow2(point, d, k, n=40, seed=1):
    """Rank of the Jacobian of sum_i a_i (w_i . x)^2 at rational inputs, in sympy."""
    rng = np.random.default_rng(seed)
    W = sympy.Matrix(k, d, lambda i, j: sympy.Rational(int(point["W"][i, j] * 16), 16))
    a = [sympy.Rational(int(v * 16), 16) for v in point["a"]]
    ws = sympy.Matrix(k, d, sympy.symbols(f"w0:{k * d}"))
    as_ = sympy.symbols(f"a0:{k}")
    params = list(ws) + list(as_)
    rows = []
    for _ in range(n):
        x = [sympy.Rational(int(v), 7) for v in rng.integers(-20, 21, size=d)]
        f = sum(as_[i] * sum(ws[i, j] * x[j] for j in range(d)) ** 2 for i in range(k))
        grad = [sympy.diff(f, p) for p in params]
        subs = {**dict(zip(list(ws), list(W))), **dict(zip(as_, a))}
        rows.append([g.subs(subs) for g in grad])
    return sympy.Matrix(rows).rank()


def test_pow2_strata_ranks_match_exact_sympy_ranks_and_dimensions_count_free_values():
    spec = parse_spec("twolayer:d=2,k=2,act=pow2")
    strata = discover_strata(spec)
    assert strata
    for stratum in strata:
        piece = stratum.representative
        point = piece.degeneration.parametrization.sample(7)
        assert piece.result.rank == _exact_rank_twolayer_pow2(point, 2, 2)
        # linear pieces: the dimension is the number of independent free values (exact integer rank)
        assert piece.dimension == sympy.Matrix(piece.degeneration.basis.tolist()).rank()


def test_mf_poset_is_the_product_order_of_factor_ranks():
    spec = parse_spec("mf:n1=2,k=2,n2=3")
    strata = discover_strata(spec, certify=False)
    labels = [s.representative.degeneration.factor_ranks for s in strata]
    graph = closure_graph(strata, unit_permutations(spec))
    for i, (ra, rb) in enumerate(labels):
        for j, (sa, sb) in enumerate(labels):
            expected = i != j and ra <= sa and rb <= sb
            assert graph.has_edge(i, j) == expected
    assert nx.is_directed_acyclic_graph(hasse(graph))
    # rank of the stratum: n1 n2 - (n1 - rA)(n2 - rB), written here independently
    assert all(s.rank == 6 - (2 - ra) * (3 - rb) for s, (ra, rb) in zip(strata, labels))


def test_twolayer_with_bias_rediscovers_the_stated_strata_and_sigmoid_differs():
    spec = parse_spec("twolayer:d=2,k=2,act=tanh,bias=1")
    assert compare_with_theory(spec, discover_strata(spec, certify=False))["exact"]
    sigmoid = parse_spec("twolayer:d=2,k=2,act=sigmoid")
    found = {s.rank for s in discover_strata(sigmoid, certify=False)}
    assert 0 not in found  # sigmoid(0) = 1/2: the output weights always see a constant


def test_discover_command_json_figure_and_bad_input(run_cli, tmp_path):
    out_json, out_png = tmp_path / "p.json", tmp_path / "p.png"
    code, out, _ = run_cli("discover", "mf:n1=2,k=1,n2=2", "--json", out_json, "--figure", out_png)
    assert code == 0 and "exact" in out
    data = json.loads(out_json.read_text())
    assert len(data["nodes"]) == 4 and [0, 1] in data["edges"] and out_png.stat().st_size > 0
    assert data["provenance"]["spec"] == "mf:n1=2,k=1,n2=2,depth=2" and data["provenance"]["seed"] == 0
    assert all(node["certainty"] for node in data["nodes"])
    code, _, err = run_cli("discover", "mf:n1=2,k=1,n2=2", "--figure", tmp_path / "p.docx")
    assert code == 2 and "--figure" in err and "unknown file type 'docx'" in err
    code, _, err = run_cli("discover", "mf:n1=2,k=1,n2=2", "--max", "0")
    assert code == 2 and "--max" in err
    code, _, err = run_cli("discover", "twolayer:d=2,k=4,bias=1", "--max", "10")
    assert code == 2 and "--max" in err


def _mp_rank_twolayer_exp(point, n=24, digits=60, seed=3):
    """Rank of the Jacobian of sum_i a_i exp(w_i . x + b_i), differentiated by hand here, in mpmath
    at 60 digits (another method and precision than the engine's), with the gap it was read from."""
    import mpmath

    k, d = np.asarray(point["W"]).shape
    xs = np.random.default_rng(seed).normal(size=(n, d))
    with mpmath.workdps(digits):  # every product in mpmath: float64 rounding would break exact proportionality
        W = [[mpmath.mpf(float(v)) for v in row] for row in np.asarray(point["W"], dtype=float)]
        b, a = ([mpmath.mpf(float(v)) for v in np.asarray(point[name], dtype=float)] for name in ("b", "a"))
        rows = []
        for x in ([mpmath.mpf(float(v)) for v in row] for row in xs):
            e = [mpmath.exp(mpmath.fsum(W[i][j] * x[j] for j in range(d)) + b[i]) for i in range(k)]
            rows.append([a[i] * x[j] * e[i] for i in range(k) for j in range(d)]  # d/dW
                        + [a[i] * e[i] for i in range(k)]  # d/db
                        + [e[i] for i in range(k)])  # d/da
        values = sorted((abs(v) for v in mpmath.svd_r(mpmath.matrix(rows), compute_uv=False)), reverse=True)
        top = values[0]
        rank = sum(1 for v in values if v > top * mpmath.mpf(10) ** (-digits // 2))
        above = values[rank - 1] / top if rank else mpmath.mpf(1)
        below = values[rank] / top if rank < len(values) else mpmath.mpf(0)
    return rank, float(above), float(below)


def test_exp_with_bias_finds_the_equal_weight_strata_and_their_ranks_hold_independently(run_cli):
    # exp(w x + b) = e^b exp(w x): neurons with equal weights and any biases span one function,
    # so the strata are by m distinct weights, m_a of them with an output weight:
    # rank d m_a + m, dimension d m + k biases + the free output weights (written here for d=1, k=2)
    spec = parse_spec("twolayer:d=1,k=2,act=exp,bias=1")
    strata = discover_strata(spec, certify=False)
    expected = {(1, 3), (2, 4), (2, 5), (3, 5), (4, 6)}  # (m, m_a) = (1,0), (2,0), (1,1), (2,1), (2,2)
    assert sorted((s.rank, s.dimension) for s in strata) == sorted(expected)
    assert compare_with_theory(spec, strata)["exact"]
    for stratum in strata:
        piece = stratum.representative
        point = piece.degeneration.parametrization.sample(11)
        rank, above, below = _mp_rank_twolayer_exp(point)
        assert above > 1e-25 and below < 1e-45, (stratum.name, above, below)  # a clear gap at 60 digits
        assert rank == stratum.rank == piece.result.rank, stratum.name
    tied = next(s for s in strata if (s.rank, s.dimension) == (2, 5)).representative.degeneration
    point = tied.parametrization.sample(5)
    assert point["W"][0, 0] == point["W"][1, 0] and point["b"][0] != point["b"][1]  # equal weights, free biases
    code, out, err = run_cli("discover", "twolayer:d=1,k=2,act=exp,bias=1", "--no-certify")
    assert code == 0 and "5 stated, 5 discovered, 5 matched; exact" in out, out + err


def test_other_activations_keep_tied_biases():
    # tanh(w x + b1) and tanh(w x + b2) are different functions: the tie keeps its bias tied
    from rankstrat.numerics.discovery.units import unit_layers

    assert unit_layers(parse_spec("twolayer:d=1,k=2,act=exp,bias=1"))[0].shift_scales
    assert not unit_layers(parse_spec("twolayer:d=1,k=2,act=tanh,bias=1"))[0].shift_scales
    assert not unit_layers(parse_spec("twolayer:d=1,k=2,act=sigmoid,bias=1"))[0].shift_scales
