"""Symbolic models: the sympy model of a spec and its gradient, and user models."""
