"""Where a rank is decided: the rank engine, its proofs, strata checks, linear
stability and rank tables, each with its plots."""
