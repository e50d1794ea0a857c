"""The families' forward map on exact and ball backends, and the proven rank
bounds computed from it: dual numbers over any ring (dual.py), the rings
(rings.py), the Jacobian by forward mode (forward.py), exact ranks modulo a
prime (modular.py), verified floating-point lower bounds (verified.py),
structural upper bounds (upper.py) and the bounds the engine asks for
(bounds.py)."""
