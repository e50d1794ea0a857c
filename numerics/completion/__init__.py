"""Matrix completion: partially observed matrices, observed-entry ranks, reference
completions, training on masks and figures."""
