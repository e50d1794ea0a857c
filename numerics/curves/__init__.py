"""Learning curves measured: sampled classifiers on real data, density fits and figures."""
