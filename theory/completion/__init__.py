"""Matrix completion theory: the observation graph and the counts it gives."""
