"""Rank theory: strata, kernel certificates, single-neuron branches and size claims."""
