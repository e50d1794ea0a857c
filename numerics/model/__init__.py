"""Models realised numerically: torch functions, Jacobians at every precision,
parameter points, stratum points, targets and input sets."""
