"""Learning-curve theory: true-error densities, log-space arithmetic, rare bad global minima."""
