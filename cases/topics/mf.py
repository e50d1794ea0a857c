"""Matrix factorization: model rank of rank-r targets and at points (docs/theory.md section 2)."""

from rankstrat.cases.rank_claims import rank_claim
from rankstrat.numerics.families.mf import mf_point, mf_target_point
from rankstrat.theory.families import mf

SOURCE = "arXiv 2307.08921, matrix factorization"

CLAIMS = [
    rank_claim(
        f"mf.target-rank-{r}",
        f"a rank-{r} target of the 4x4 factorization (k=4) has model rank r(n1+n2-r)",
        SOURCE,
        "mf:n1=4,k=4,n2=4",
        lambda spec, r=r: mf.target_rank_formula(spec, r).value,
        point=lambda spec, r=r: mf_target_point(spec, r, seed=r),
        required_certainty="certified-lower-bound",
    )
    for r in range(1, 5)
] + [
    rank_claim(
        f"mf.rectangular-{n1}x{n2}-k{k}-r{r}",
        f"rank-{r} target of a {n1}x{n2} product with k={k}: r(n1+n2-r)",
        SOURCE,
        f"mf:n1={n1},k={k},n2={n2}",
        lambda spec, r=r: mf.target_rank_formula(spec, r).value,
        point=lambda spec, r=r: mf_target_point(spec, r, seed=7),
        required_certainty="certified-lower-bound",
    )
    for n1, k, n2, r in [(2, 3, 5, 1), (3, 3, 5, 2), (5, 2, 4, 2), (6, 4, 3, 3)]
] + [
    rank_claim(
        f"mf.at-point-rA{ra}-rB{rb}",
        f"rank at a point with rank A={ra}, rank B={rb}: n1 n2 - (n1-rA)(n2-rB)",
        SOURCE,
        "mf:n1=4,k=4,n2=4",
        lambda spec, ra=ra, rb=rb: mf.rank_at_point_formula(spec, ra, rb).value,
        point=lambda spec, ra=ra, rb=rb: mf_point(spec, ra, rb, seed=3),
        required_certainty="certified-lower-bound",
    )
    for ra, rb in [(2, 1), (3, 2), (1, 4), (0, 3), (4, 4)]
]
