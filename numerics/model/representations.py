"""Other points computing the same function as a target: the search behind the
optimistic size minimised over representations.

A unit (:mod:`rankstrat.numerics.discovery.units`) is *idle* at a point when
zeroing it leaves the function unchanged. Each idle unit can be re-used in
ways that keep the function:

- ``zero``: every entry zero;
- ``free``: output entries zero, random incoming weights and bias;
- ``copy of i``: a duplicate of active unit ``i``, the output weights split
  ``t : 1 - t`` between the two;
- ``sign copy of i``: ``(-w, -b)`` with output ``-(1 - t)`` times unit ``i``'s,
  for odd activations (``act(-z) = -act(z)``).

Every candidate is checked to compute the target's function on generic
inputs before its rank is measured.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch

from rankstrat.numerics.model.points import flat_point, generic_inputs
from rankstrat.numerics.model.realize import realize
from rankstrat.theory.errors import InputError

MOVES = ("zero", "free", "copy", "sign copy")
"""How an idle unit is re-used."""


@dataclass(frozen=True)
class Representation:
    """A point computing the target's function, and how it was built.

    Attributes
    ----------
    point : dict
    description : str
        ``zero x2, copy of 1`` style: the move of each idle unit.
    """

    point: dict
    description: str


def _outputs(spec, flat: np.ndarray, X: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return realize(spec)(torch.as_tensor(flat, dtype=torch.float64), torch.as_tensor(X)).numpy()


def _unflatten(spec, flat: np.ndarray) -> dict:
    from rankstrat.theory.model.symbolic import param_shapes

    out, start = {}, 0
    for name, shape in param_shapes(spec).items():
        size = int(np.prod(shape, dtype=np.int64))
        out[name] = flat[start : start + size].reshape(shape).copy()
        start += size
    return out


def same_function(spec, a: np.ndarray, b: np.ndarray, X: np.ndarray, tol: float = 1e-10) -> bool:
    """Whether two flat points give the same outputs on ``X`` (relative ``tol``).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> spec = parse_spec("twolayer:d=1,k=2")
    >>> X = generic_inputs(spec, 5)
    >>> same_function(spec, np.array([1.0, 2.0, 1.0, 0.0]), np.array([1.0, 3.0, 1.0, 0.0]), X)
    True
    """
    fa, fb = _outputs(spec, a, X), _outputs(spec, b, X)
    return bool(np.max(np.abs(fa - fb)) <= tol * max(1.0, float(np.max(np.abs(fa)))))


def _odd(spec) -> bool:
    import sympy

    act = getattr(spec, "activation", None)
    if act is None or not act.analytic:
        return False
    z = sympy.Symbol("z", real=True)
    return sympy.simplify((act.sympy_fn(z) + act.sympy_fn(-z)).rewrite(sympy.exp)) == 0


def representations(spec, point: dict, seed: int = 0, limit: int = 40) -> list:
    """Points computing the same function as ``point``, built from its idle units.

    Parameters
    ----------
    spec : Spec or UserModel
        With unit layers (built-in families with neurons or channels, or a user
        model declaring ``UNITS``).
    point : dict
    seed : int
    limit : int
        Most candidates returned (the point itself first).

    Returns
    -------
    list of Representation

    Raises
    ------
    InputError
        When the model has no unit layers.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.targets import resolve_target
    >>> spec = parse_spec("twolayer:d=2,k=3,act=tanh")
    >>> found = representations(spec, resolve_target(spec, "neurons=1").point)
    >>> [r.description for r in found][:4]
    ['the target', 'zero x2', 'zero, free', 'zero, copy of 1']
    """
    from rankstrat.numerics.discovery.units import unit_layers

    layers = unit_layers(spec)
    if not layers:
        raise InputError(f"--minimize: {spec} has no units to re-use (neurons, channels or declared UNITS)")
    rng = np.random.default_rng(seed)
    base = flat_point(spec, point)
    X = generic_inputs(spec, 3 * max(4, spec.module.input_dim(spec)), seed + 1)
    moves = ["zero", "free", "copy"] + (["sign copy"] if _odd(spec) else [])
    found = [Representation(_unflatten(spec, base), "the target")]
    for layer in layers:
        units = layer.units
        idle = []
        for index, unit in enumerate(units):
            trial = base.copy()
            trial[list(unit.inputs + unit.bias + unit.out)] = 0.0
            if same_function(spec, base, trial, X):
                idle.append(index)
        active = [i for i in range(len(units)) if i not in idle]
        if not idle:
            continue
        for combo in itertools.combinations_with_replacement(moves, len(idle)):
            if ("copy" in combo or "sign copy" in combo) and not active:
                continue
            for spread in ((0,), tuple(range(len(active)))) if len(active) > 1 else ((0,),):
                flat, parts, turn = base.copy(), [], 0
                for unit_index, move in zip(idle, combo):
                    unit = units[unit_index]
                    entries = list(unit.inputs + unit.bias + unit.out)
                    flat[entries] = 0.0
                    if move == "free":
                        flat[list(unit.inputs + unit.bias)] = rng.standard_normal(len(unit.inputs + unit.bias))
                        parts.append("free")
                    elif move in ("copy", "sign copy"):
                        source = units[active[spread[turn % len(spread)]]]
                        turn += 1
                        sign = 1.0 if move == "copy" else -1.0
                        t = rng.uniform(0.25, 0.75)
                        flat[list(unit.inputs + unit.bias)] = sign * base[list(source.inputs + source.bias)]
                        flat[list(unit.out)] = sign * (1 - t) * flat[list(source.out)]
                        flat[list(source.out)] = t * flat[list(source.out)]
                        parts.append(f"{move} of {active[spread[(turn - 1) % len(spread)]] + 1}")
                    else:
                        parts.append("zero")
                if not same_function(spec, base, flat, X):
                    continue
                description = ", ".join(f"{p} x{n}" if n > 1 else p for p, n in _counted(parts))
                if layers[1:]:
                    description = f"{layer.name}: {description}"
                if all(r.description != description for r in found):
                    found.append(Representation(_unflatten(spec, flat), description))
                if len(found) >= limit:
                    return found
    return found


def _counted(parts: list) -> list:
    out: list = []
    for part in parts:
        if out and out[-1][0] == part:
            out[-1] = (part, out[-1][1] + 1)
        else:
            out.append((part, 1))
    return out


def minimize_rank(spec, point: dict, seed: int = 0, certify: bool = True, limit: int = 40) -> list:
    """The model rank at every representation of the target's function, lowest first.

    Parameters
    ----------
    spec : Spec or UserModel
    point : dict
        The target.
    seed : int
    certify : bool
    limit : int

    Returns
    -------
    list of (Representation, RankResult)
        Sorted by rank (undecided last), the target's order kept among ties.

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> from rankstrat.numerics.model.targets import resolve_target
    >>> spec = parse_spec("twolayer:d=2,k=2,act=sigmoid,bias=1")
    >>> ranked = minimize_rank(spec, resolve_target(spec, "neurons=1").point)
    >>> best, result = ranked[0]
    >>> best.description, result.rank, result.certainty
    ('copy of 1', 4, 'certified')
    """
    from rankstrat.numerics.rank.engine import model_rank

    results = [(r, model_rank(spec, at=r.point, seed=seed, certify=certify))
               for r in representations(spec, point, seed, limit)]
    order = {id(r): i for i, (r, _) in enumerate(results)}
    return sorted(results, key=lambda pair: (pair[1].rank is None, pair[1].rank or 0, order[id(pair[0])]))
