"""Rediscovery: strata found from structure alone, and closed forms conjectured
from certified rank tables, against the hand-derived theory."""

from rankstrat.cases.claim import Claim, Measurement
from rankstrat.theory.spec import parse_spec

STRATA_SPECS = [
    ("mf:n1=3,k=2,n2=3", True),
    ("twolayer:d=2,k=3,act=tanh", True),
    ("twolayer:d=2,k=2,act=tanh,bias=1", True),
    ("twolayer:d=1,k=3,act=sin,bias=1", True),
    ("cnn1d:d=5,s=3,k=2,bias=1", False),
    ("cnn1d:d=4,s=2,k=1,share=0,bias=1", False),
]
"""Specs and whether their hand-derived strata are complete (else: every stated stratum is found)."""

CONJECTURES = [
    ("twolayer:d=1,k=1,act=tanh", ["d=1..4", "k=1..4"], "k(d+1)"),
    ("twolayer:d=1,k=1,act=tanh,bias=1", ["d=1..4", "k=1..4"], "k(d+2)"),
    ("mf:n1=3,k=1,n2=4", ["k=1..4", "n1=3..6"], "r(n1+n2-r)"),
    ("twolayer:d=1,k=1,act=pow2", ["d=1..5", "k=1..5"], "kd - k(k-1)/2 below d, d(d+1)/2 above"),
    ("cnn2d:d=4,s=1,k=1", ["d=4..7", "s=1..4"], "s^2 + (d+1-s)^2 per channel"),
]

def _mf_rank_form():
    import sympy

    k, n1 = sympy.symbols("k n1")
    return k * (n1 + 4 - k)


FIXED_SIZE_FORMS = {"mf:n1=3,k=1,n2=4": _mf_rank_form}
"""Theory forms written in the varied sizes where the closed form names other
symbols: r(n1 + n2 - r) at a random rank-k point of ``mf`` with n2 = 4."""

SLOW = {"cnn2d:d=4,s=1,k=1"}
"""Conjecture claims run only in the full catalogue (about 20 s each)."""

EXAMPLE = "examples/attention.py"
"""The model file of the README's three commands: the score x^T W_Q W_K^T y."""


def _stated(text):
    from rankstrat.theory.rank.stratum import list_strata

    return tuple(sorted((s.rank.value, s.dimension.value) for s in list_strata(parse_spec(text))))


def _discovered(text, complete):
    def measure():
        from rankstrat.numerics.discovery.strata_search import compare_with_theory, discover_strata

        spec = parse_spec(text)
        strata = discover_strata(spec)
        found = tuple(sorted((s.rank, s.dimension) for s in strata))
        comparison = compare_with_theory(spec, strata)
        value = found if complete else tuple(sorted(p for p in _stated(text) if p not in comparison["missing"]))
        certainty = min((s.certainty for s in strata), key=_order)
        detail = (f"{comparison['discovered']} discovered, {comparison['matched']} of {comparison['stated']} matched"
                  + (f", missing {comparison['missing']}" if comparison["missing"] else "")
                  + (f", {len(comparison['extra'])} not stated" if comparison["extra"] else ""))
        return Measurement(value, certainty, detail)

    return measure


def _order(certainty):
    from rankstrat.cases.claim import CERTAINTY_ORDER

    return CERTAINTY_ORDER.index(certainty) if certainty in CERTAINTY_ORDER else -1


def _theory_form(text, vary):
    def predicted():
        from rankstrat.numerics.model.targets import resolve_target

        form = resolve_target(parse_spec(text), "random").closed_form
        return form.expr if form is not None else None

    return predicted


def _conjectured(text, vary):
    def measure():
        from rankstrat.numerics.discovery.conjecture_table import conjecture_report

        report = conjecture_report(parse_spec(text), vary)
        c = report.conjecture
        detail = (f"{report.usable}/{len(report.rows)} certified entries; {c.regime}; "
                  f"{len(c.held_out)} held out, {len(c.failures)} wrong; theory agrees: {report.theory_agrees}")
        return Measurement(c.expr, "certified", detail, conditions=bool(c.verified))

    return measure


def _attention_formula():
    import sympy

    d, k = sympy.symbols("d k")
    return sympy.Min(k, d) * (2 * d - sympy.Min(k, d))


def _units_table(text, vary, target):
    def measure():
        from rankstrat.numerics.rank.table import rank_table
        from rankstrat.theory.values import parse_assignments

        rows = rank_table(parse_spec(text), parse_assignments(vary, "--vary"), target)
        certainty = min((row["certainty"] for row in rows), key=_order)
        return Measurement(tuple(row["measured"] for row in rows), certainty, f"{len(rows)} widths")

    return measure


CLAIMS = [
    Claim(
        f"discovery.strata-{text.replace(':', '-').replace(',', '-').replace('=', '')}",
        f"{text}: the strata discovered from structure are "
        + ("exactly the hand-derived ones" if complete else "a superset of the hand-derived ones")
        + " (rank, dimension)",
        "strata of rankstrat.theory.families (mf, twolayer, cnn)",
        lambda text=text: _stated(text),
        _discovered(text, complete),
        required_certainty="float64-gap",
    )
    for text, complete in STRATA_SPECS
] + [
    Claim(
        f"discovery.conjecture-{text.split(':')[0]}-{'-'.join(v.split('=')[0] for v in vary)}"
        + ("-bias" if "bias=1" in text else "") + ("-pow2" if "pow2" in text else ""),
        f"{text} varying {' '.join(vary)}: the formula fitted to the certified ranks ({name}) holds on "
        "held-out sizes and equals the theory's closed form",
        "generic rank closed forms of rankstrat.theory.families",
        FIXED_SIZE_FORMS.get(text, _theory_form(text, vary)),
        _conjectured(text, vary),
        full_only=text in SLOW,
    )
    for text, vary, name in CONJECTURES
] + [
    Claim(
        "discovery.conjecture-user-attention-score",
        f"{EXAMPLE} (x^T W_Q W_K^T y) varying d=1..5 k=1..3: the formula fitted to the certified ranks holds on "
        "held-out sizes and equals min(k, d)(2d - min(k, d)), the dimension of d x d matrices of rank <= k",
        "rank-k matrices: a manifold of dimension k(2d - k)",
        _attention_formula,
        _conjectured(EXAMPLE, ["d=1..5", "k=1..3"]),
    ),
    Claim(
        "discovery.user-attention-units-table",
        f"{EXAMPLE}:d=3 at --target units=2, k=2..4: certified rank 2*2*3 - 4 = 8 at every width "
        "(upper bounds from the file's declared GL(k) symmetries, verified exactly)",
        "rank-2 matrices of size 3 x 3: dimension 2(2*3 - 2)",
        lambda: (8, 8, 8),
        _units_table(EXAMPLE + ":d=3", ["k=2..4"], "units=2"),
        required_certainty="certified",
    ),
]
