"""The units of a model: which parameter entries form neuron or channel ``i``.

A *unit* owns three groups of flat parameter entries: ``in`` (its incoming
weights or filter), ``bias`` and ``out`` (its output weights). Units of one
layer can be zeroed, silenced, or merged, equal or related by the activation's
symmetry; :mod:`rankstrat.numerics.discovery.strata_search` generates the
degenerations from this structure alone. Families get their units here; a user
model declares them with ``UNITS`` (see :func:`declared_layers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import sympy

from rankstrat.numerics.model.points import flat_indices
from rankstrat.theory.errors import SpecError


@dataclass(frozen=True)
class Unit:
    """Flat parameter indices of one unit, by group.

    Examples
    --------
    >>> Unit((0, 1), (), (2,)).size
    3
    """

    inputs: tuple
    bias: tuple = ()
    out: tuple = ()

    @property
    def size(self) -> int:
        """Number of entries the unit owns."""
        return len(self.inputs) + len(self.bias) + len(self.out)


@dataclass(frozen=True)
class UnitLayer:
    """Interchangeable units and the sign symmetry they admit.

    Attributes
    ----------
    name : str
    units : tuple of Unit
    signs : tuple of int
        ``(1,)``, or ``(1, -1)`` when ``act(-z)`` is ``act(z)`` or
        ``-act(z)`` up to a constant (odd, even and sigmoid-type activations):
        a unit with ``(w, b) -> -(w, b)`` then spans the same functions.
    shift_scales : bool
        A shift of the pre-activation only rescales the unit's output,
        ``act(z + c) = g(c) act(z)`` (``exp``): units with equal incoming
        weights span the same functions whatever their biases, and a zero
        weight vector is one weight like any other.

    Examples
    --------
    >>> UnitLayer("hidden", (Unit((0,)), Unit((1,)))).signs
    (1,)
    """

    name: str
    units: tuple
    signs: tuple = (1,)
    meta: dict = field(default_factory=dict, compare=False)
    shift_scales: bool = False


def sign_symmetry(activation) -> tuple:
    """``(1, -1)`` when ``act(z) + act(-z)`` is constant or ``act(z) - act(-z)``
    is zero, checked exactly in sympy; else ``(1,)``.

    Examples
    --------
    >>> from rankstrat.theory.activations import get_activation
    >>> [sign_symmetry(get_activation(a)) for a in ("tanh", "sigmoid", "pow2", "exp")]
    [(1, -1), (1, -1), (1, -1), (1,)]
    """
    if activation is None or not activation.analytic:
        return (1,)
    z = sympy.Symbol("z", real=True)
    f = activation.sympy_fn
    odd_part = sympy.simplify((f(z) + f(-z)).rewrite(sympy.exp))
    even_part = sympy.simplify((f(z) - f(-z)).rewrite(sympy.exp))
    return (1, -1) if odd_part.free_symbols == set() or even_part == 0 else (1,)


def shift_scales(activation) -> bool:
    """Whether ``act(z + c) / act(z)`` does not depend on ``z`` (checked exactly in sympy):
    a bias then only rescales the unit, ``exp(w.x + b) = e^b exp(w.x)``.

    Examples
    --------
    >>> from rankstrat.theory.activations import get_activation
    >>> [shift_scales(get_activation(a)) for a in ("exp", "tanh", "sigmoid", "pow2")]
    [True, False, False, False]
    """
    if activation is None or not activation.analytic:
        return False
    z, c = sympy.symbols("z c", real=True)
    f = activation.sympy_fn
    ratio = sympy.simplify((f(z + c) / f(z)).rewrite(sympy.exp))
    return z not in ratio.free_symbols


def _units(index: dict, count: int, inputs, bias, out) -> tuple:
    def take(name, selector, i):
        if name is None or name not in index:
            return ()
        return tuple(int(v) for v in np.asarray(selector(index[name], i)).reshape(-1))

    return tuple(
        Unit(sum((take(n, s, i) for n, s in inputs), ()), sum((take(n, s, i) for n, s in bias), ()),
             sum((take(n, s, i) for n, s in out), ()))
        for i in range(count)
    )


def unit_layers(spec) -> list:
    """The unit layers of a spec: neurons (twolayer, each hidden layer of mlp),
    channels (cnn, shared) or neurons (cnn, locally connected), or those a user
    model declares. Empty for mf (its degenerations are factor ranks).

    Examples
    --------
    >>> from rankstrat.theory.spec import parse_spec
    >>> [len(layer.units) for layer in unit_layers(parse_spec("mlp:d=2,widths=3-2"))]
    [3, 2]
    >>> unit_layers(parse_spec("twolayer:d=2,k=2,bias=1"))[0].units[1]
    Unit(inputs=(2, 3), bias=(5,), out=(7,))
    """
    if spec.family == "user":
        return declared_layers(spec)
    index = flat_indices(spec)
    signs = sign_symmetry(getattr(spec, "activation", None))
    scales = shift_scales(getattr(spec, "activation", None))
    row = lambda array, i: array[i]  # noqa: E731
    col = lambda array, i: array[:, i]  # noqa: E731
    if spec.family == "twolayer":
        units = _units(index, spec["k"], [("W", row)], [("b", row)], [("a", row)])
        return [UnitLayer("neurons", units, signs, shift_scales=scales)]
    if spec.family == "mlp":
        layers, widths = [], list(spec["widths"])
        for j, width in enumerate(widths, start=1):
            nxt = f"W{j + 1}" if j < len(widths) else "a"
            units = _units(index, width, [(f"W{j}", row)], [(f"b{j}", row)],
                           [(nxt, col if nxt != "a" else row)])
            layers.append(UnitLayer(f"layer {j}", units, signs, shift_scales=scales))
        return layers
    if spec.family in ("cnn1d", "cnn2d"):
        if spec["share"]:
            units = _units(index, spec["k"], [("W", row)], [("b", row)], [("a", row)])
            return [UnitLayer("channels", units, signs, shift_scales=scales)]
        k, q = index["a"].shape
        flat = lambda name: index[name].reshape(k * q, -1) if name in index else None  # noqa: E731
        units = tuple(
            Unit(tuple(int(v) for v in flat("W")[i]), tuple(int(v) for v in flat("b")[i]) if "b" in index else (),
                 tuple(int(v) for v in flat("a")[i]))
            for i in range(k * q)
        )
        return [UnitLayer("neurons", units, signs, shift_scales=scales)]
    return []


def declared_layers(model) -> list:
    """Unit layers a user model declares with ``units`` (``UNITS`` of its model
    file, :func:`rankstrat.theory.model.model_file.resolve_units`): a list of dicts
    ``{"count": K, "in": [(NAME, AXIS), ...], "bias": [...], "out": [...],
    "signs": [1, -1]}``; unit ``i`` owns the slices ``NAME[..., i, ...]``
    taken along ``AXIS``.

    Examples
    --------
    >>> import sympy
    >>> from rankstrat.numerics.model.user_model import sympy_model
    >>> x = sympy.Matrix(sympy.symbols("x0:2")); W = sympy.Matrix(2, 2, sympy.symbols("w0:4"))
    >>> model = sympy_model("lin", (W * x)[0] + (W * x)[1], {"W": W}, list(x))
    >>> declared_layers(model)
    []
    >>> from rankstrat.theory.spec import parse_spec  # UNITS of a model file
    >>> [(layer.name, len(layer.units)) for layer in declared_layers(parse_spec("examples/attention.py:d=2,k=3"))]
    [('head coordinates', 3)]
    """
    declared = getattr(model, "units", None) or ()
    index = flat_indices(model)
    layers = []
    for number, entry in enumerate(declared, start=1):
        count = int(entry["count"])
        groups = {}
        for group in ("in", "bias", "out"):
            parts = []
            for name, axis in entry.get(group, ()):
                if name not in index:
                    raise SpecError(f"units of {model.name!r}: no parameter {name!r}; it has {', '.join(index)}")
                if index[name].shape[axis] != count:
                    raise SpecError(
                        f"units of {model.name!r}: {name} has {index[name].shape[axis]} entries along axis "
                        f"{axis}, not the {count} units declared"
                    )
                parts.append((name, lambda array, i, axis=axis: np.take(array, i, axis=axis)))
            groups[group] = parts
        units = _units(index, count, groups["in"], groups["bias"], groups["out"])
        signs = tuple(int(s) for s in entry.get("signs", (1,)))
        layers.append(UnitLayer(entry.get("name", f"units {number}"), units, signs))
    return layers
