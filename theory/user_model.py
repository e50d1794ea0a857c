"""User models: architectures the catalogue does not know, in the duck type of
:class:`theory.spec.Spec`, so the rank engine, the stability check and every
command take them unchanged.

A user model has ``family == "user"``, a ``module`` with ``param_shapes``,
``input_dim``, ``forward``, ``num_params_formula`` and ``generic_rank``,
``activation``, ``analytic``, ``polynomial``, ``symbolic`` (whether a sympy
model exists), sizes that ``replace`` can change, and it is hashable.

Three ways to bring one:

- an **architecture file** (TOML) built from known layers, read here; its
  forward map is written once for sympy object arrays and torch tensors, so it
  has the full symbolic side (high precision, ball and exact certificates)::

      name = "attention-score"
      input = "d"
      claim = "model_rank == min(2*k, d)*d - min(2*k, d)*(min(2*k, d) - 1)/2"
      sizes = { d = 4, k = 2 }
      layers = [ { type = "attention_score", width = "k" } ]

  Layers: ``dense`` (``width``, ``bias`` 0/1), ``act`` (the model's ``act``,
  default tanh), ``residual`` (``layers`` inside; adds its input),
  ``readout`` (linear to a scalar, parameter ``a``) and ``attention_score``
  (``(h W_Q) . (h W_K)``, head width ``width``). Widths and ``input`` are
  integers or names of ``sizes``.
- a **sympy expression** (:func:`numerics.user_model.sympy_model`): full
  symbolic side;
- a **plain torch function** ``f(params, x)`` (:func:`numerics.user_model.torch_model`):
  float64 only; high precision and certificates are unavailable and reported
  so.

A Python model file defines ``model``: a model object, or a function of sizes
(keyword arguments with integer defaults) returning one, so sizes can vary;
an optional ``CLAIM = "model_rank == ..."`` states its closed form.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import os
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
import sympy

from theory.activations import Activation, get_activation
from theory.closed_form import ClosedForm
from theory.errors import SpecError

KINDS = ("layers", "sympy", "torch")
"""How a user model was given: architecture file, sympy expression, torch function."""

LAYER_TYPES = {
    "dense": ("width", "bias"),
    "act": (),
    "residual": ("layers",),
    "readout": (),
    "attention_score": ("width",),
}
"""Layer types of an architecture file and the keys each accepts (besides ``type``)."""

MODEL_KEYS = ("name", "act", "input", "sizes", "layers", "claim")
"""Top-level keys of an architecture file."""


class UserModule:
    """The ``module`` of a user model: shapes, input size, forward map, closed forms.

    Mirrors a family module of :mod:`theory.families`, bound to one model.

    Examples
    --------
    >>> model = layer_model({"input": 2, "layers": [{"type": "readout"}]})
    >>> model.module.param_shapes(model), model.module.input_dim(model)
    ({'a': (2,)}, 2)
    """

    __name__ = "theory.user_model"
    STRATA_NOTE = "user model: no strata are stated"

    def __init__(self, model: "UserModel"):
        self._model = model
        self.KEYS = tuple(_size_key(name, value) for name, value in model.values)

    def param_shapes(self, spec) -> dict:
        """Ordered ``{name: shape}``.

        Examples
        --------
        >>> model = layer_model({"input": 2, "layers": [{"type": "dense", "width": 3, "bias": 1}, {"type": "readout"}]})
        >>> model.module.param_shapes(model)
        {'W1': (3, 2), 'b1': (3,), 'a': (3,)}
        """
        return {name: tuple(shape) for name, shape in spec.shapes}

    def input_dim(self, spec) -> int:
        """Length of one input vector.

        Examples
        --------
        >>> model = layer_model({"input": 5, "layers": [{"type": "readout"}]})
        >>> model.module.input_dim(model)
        5
        """
        return spec.input_size

    def forward(self, params: dict, X, act=None):
        """Outputs for a batch ``X`` (sympy object arrays or torch tensors).

        Examples
        --------
        >>> model = layer_model({"input": 2, "layers": [{"type": "readout"}]})
        >>> model.module.forward({"a": np.array([1.0, 2.0])}, np.array([[3.0, 4.0]]))
        array([11.])
        """
        return self._model.forward_fn(params, X, act)

    def num_params_formula(self, spec) -> ClosedForm:
        """The parameter count (a number; no formula is known for a user model).

        Examples
        --------
        >>> model = layer_model({"input": 2, "layers": [{"type": "readout"}]})
        >>> model.module.num_params_formula(model).value
        2
        """
        count = int(sum(int(np.prod(shape, dtype=np.int64)) for _, shape in spec.shapes))
        return ClosedForm(sympy.Integer(count), dict(spec.values), source="parameter shapes")

    def generic_rank(self, spec) -> ClosedForm:
        """The user's claim ``model_rank == FORMULA`` when the model carries one,
        else the parameter count, marked ``holds=False`` (only an upper bound).

        Examples
        --------
        >>> data = {"input": "d", "sizes": {"d": 3}, "layers": [{"type": "readout"}]}
        >>> model = layer_model({**data, "claim": "model_rank == d"})
        >>> str(model.module.generic_rank(model)), model.module.generic_rank(layer_model(data)).holds
        ('d = 3', False)
        """
        claim = spec.size_claim()
        if claim is not None and claim.quantity == "model_rank" and claim.operator == "==":
            return claim.closed_form(dict(spec.values))
        count = self.num_params_formula(spec)
        return ClosedForm(
            count.expr, count.sizes, source="upper bound: parameter count", holds=False,
            note="no closed form given for this user model; the count M is only an upper bound",
        )

    def strata(self, spec) -> list:
        """No strata are stated for a user model.

        Examples
        --------
        >>> model = layer_model({"input": 2, "layers": [{"type": "readout"}]})
        >>> model.module.strata(model)
        []
        """
        return []


def _size_key(name: str, value: int):
    from theory.spec import Key

    return Key(name, "size", default=value, doc="user model size")


@dataclass(frozen=True, eq=False)
class UserModel:
    """A model the catalogue does not know, usable wherever a :class:`~theory.spec.Spec` is.

    Build one with :func:`layer_model`, :func:`load_model_file`,
    :func:`numerics.user_model.sympy_model` or
    :func:`numerics.user_model.torch_model`.

    Attributes
    ----------
    name : str
    kind : {'layers', 'sympy', 'torch'}
    shapes : tuple of (str, tuple)
        Parameter names and shapes, in flat order.
    input_size : int
    forward_fn : callable
        ``forward(params, X, act)`` on sympy object arrays (when ``symbolic``)
        and torch tensors.
    values : tuple of (str, int)
        The sizes (empty when the model has none).
    activation_name : str or None
        The activation the engine passes as ``act`` (architecture files).
    analytic, polynomial, symbolic : bool
    claim : str or None
        ``QUANTITY OP FORMULA`` stated with the model.
    builder : callable or None
        ``builder(**sizes) -> UserModel``; needed to vary sizes.
    source : str or None
        The file the model came from.
    identity : tuple
        What equality and hashing compare.

    Examples
    --------
    >>> model = layer_model({"input": "d", "sizes": {"d": 3},
    ...                      "layers": [{"type": "dense", "width": 2}, {"type": "act"}, {"type": "readout"}]})
    >>> model.family, model["d"], model.num_params
    ('user', 3, 8)
    >>> model.replace(d=5).num_params
    12
    >>> model == model.replace(d=3), model.analytic, model.polynomial
    (True, True, False)
    """

    name: str
    kind: str
    shapes: tuple
    input_size: int
    forward_fn: Callable = dataclasses.field(repr=False)
    values: tuple = ()
    activation_name: Optional[str] = None
    analytic: bool = True
    polynomial: bool = False
    symbolic: bool = True
    claim: Optional[str] = None
    builder: Optional[Callable] = dataclasses.field(default=None, repr=False)
    source: Optional[str] = None
    identity: tuple = ()

    family = "user"

    def __post_init__(self):
        object.__setattr__(self, "_module", UserModule(self))
        if not self.identity:
            object.__setattr__(self, "identity", (self.kind, self.name, id(self.forward_fn)))

    def __eq__(self, other) -> bool:
        return isinstance(other, UserModel) and self.identity == other.identity

    def __hash__(self) -> int:
        return hash(("user", self.identity))

    @property
    def module(self) -> UserModule:
        """The model's :class:`UserModule`.

        Examples
        --------
        >>> layer_model({"input": 2, "layers": [{"type": "readout"}]}).module.__name__
        'theory.user_model'
        """
        return self._module

    @property
    def activation(self) -> Activation | None:
        """The activation of an architecture file with ``act`` layers, else None.

        Examples
        --------
        >>> layer_model({"input": 1, "act": "sin", "layers": [{"type": "act"}]}).activation.name
        'sin'
        """
        return None if self.activation_name is None else get_activation(self.activation_name)

    @property
    def num_params(self) -> int:
        """Parameter count ``M``.

        Examples
        --------
        >>> layer_model({"input": 4, "layers": [{"type": "attention_score", "width": 2}]}).num_params
        16
        """
        return int(sum(int(np.prod(shape, dtype=np.int64)) for _, shape in self.shapes))

    @property
    def sizes(self) -> dict:
        """The sizes as a dict.

        Examples
        --------
        >>> layer_model({"input": "d", "sizes": {"d": 2, "k": 1}, "layers": [{"type": "readout"}]}).sizes
        {'d': 2, 'k': 1}
        """
        return dict(self.values)

    def __getitem__(self, key: str) -> Any:
        for name, value in self.values:
            if name == key:
                return value
        raise KeyError(f"user model {self.name!r} has no size {key!r}")

    def get(self, key: str, default: Any = None) -> Any:
        """Size ``key``, or ``default``.

        Examples
        --------
        >>> layer_model({"input": 2, "layers": [{"type": "readout"}]}).get("act", "none")
        'none'
        """
        return dict(self.values).get(key, default)

    def as_dict(self) -> dict:
        """Family, name, kind and sizes.

        Examples
        --------
        >>> layer_model({"name": "lin", "input": 2, "layers": [{"type": "readout"}]}).as_dict()
        {'family': 'user', 'name': 'lin', 'kind': 'layers'}
        """
        return {"family": "user", "name": self.name, "kind": self.kind, **dict(self.values)}

    def size_claim(self):
        """The model's own claim parsed (:class:`theory.size_claims.SizeClaim`), or None.

        Examples
        --------
        >>> model = layer_model({"input": "d", "sizes": {"d": 3}, "claim": "model_rank == d",
        ...                      "layers": [{"type": "readout"}]})
        >>> str(model.size_claim())
        'model_rank == d'
        """
        if not self.claim:
            return None
        from theory.size_claims import parse_size_claim

        return parse_size_claim(self.claim, [n for n, _ in self.values], option=f"claim of {self.name!r}")

    def replace(self, **changes: Any) -> "UserModel":
        """The same model at other sizes (rebuilt by its builder).

        Raises
        ------
        SpecError
            When the model has no builder, or a size is unknown or not a positive integer.

        Examples
        --------
        >>> model = layer_model({"input": "d", "sizes": {"d": 2}, "layers": [{"type": "readout"}]})
        >>> model.replace(d="4").shapes
        (('a', (4,)),)
        >>> model.replace(k=1)
        Traceback (most recent call last):
        ...
        theory.errors.SpecError: user model 'layers': unknown size 'k'; its sizes are d
        """
        if not changes:
            return self
        names = [name for name, _ in self.values]
        for key in changes:
            if key not in names:
                listed = ", ".join(names) if names else "(none)"
                raise SpecError(f"user model {self.name!r}: unknown size {key!r}; its sizes are {listed}")
        if self.builder is None:
            raise SpecError(
                f"user model {self.name!r} has no builder to vary sizes; define model(k=..., ...) "
                "as a function of its sizes"
            )
        merged = {**dict(self.values), **{k: _positive_int(self.name, k, v) for k, v in changes.items()}}
        return self.builder(**merged)

    def describe(self) -> str:
        """One line: kind and which certificates are available.

        Examples
        --------
        >>> layer_model({"input": 2, "layers": [{"type": "readout"}]}).describe()
        'user model (architecture file): symbolic model available: high precision and certificates'
        """
        kind = {"layers": "architecture file", "sympy": "sympy expression", "torch": "torch function"}[self.kind]
        if self.symbolic:
            return f"user model ({kind}): symbolic model available: high precision and certificates"
        return (
            f"user model ({kind}): no symbolic model: float64 only, "
            "high precision and ball certificates unavailable"
        )

    def __str__(self) -> str:
        sizes = ",".join(f"{k}={v}" for k, v in self.values)
        head = self.source if self.source else f"user:{self.name}"
        return f"{head}:{sizes}" if sizes else head

    def __repr__(self) -> str:
        return f"UserModel({str(self)!r})"


def _positive_int(name: str, key: str, raw: Any) -> int:
    try:
        value = int(str(raw).strip()) if not isinstance(raw, bool) else None
    except ValueError:
        value = None
    if value is None or value < 1:
        raise SpecError(f"user model {name!r}: size {key!r} must be an integer >= 1, got {raw!r}")
    return value


def with_origin(model: UserModel, builder: Callable, values: dict, source: Optional[str] = None) -> UserModel:
    """The model with its builder, sizes and source recorded (so ``replace`` works).

    Equality then compares ``(source or builder, sizes)``.

    Examples
    --------
    >>> build = lambda d=2: layer_model({"input": d, "layers": [{"type": "readout"}]})
    >>> model = with_origin(build(), build, {"d": 2})
    >>> model.replace(d=3).num_params, model.replace(d=3) == model.replace(d=3)
    (3, True)
    """

    def rebuild(**sizes):
        return with_origin(builder(**sizes), builder, sizes, source)

    key = (source,) if source else (builder,)
    return dataclasses.replace(
        model,
        values=tuple(values.items()),
        builder=rebuild,
        source=source,
        identity=(model.kind, *key, tuple(values.items())),
    )


# ---------------------------------------------------------------- architecture files


@dataclass(frozen=True)
class _Layer:
    type: str
    params: tuple = ()  # parameter names created by this layer
    bias: bool = False
    inner: tuple = ()


def _resolve_size(value: Any, sizes: dict, where: str) -> int:
    if isinstance(value, str) and value in sizes:
        return sizes[value]
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    known = ", ".join(sizes) if sizes else "(none)"
    raise SpecError(f"{where}: expected a positive integer or a size name ({known}), got {value!r}")


class _Planner:
    """Turns layer tables into a plan with parameter names and shapes."""

    def __init__(self, model_name: str, sizes: dict):
        self.name, self.sizes = model_name, sizes
        self.shapes: dict = {}
        self.dense = 0
        self.attention = 0
        self.has_act = False

    def plan(self, layers: Any, width: int, where: str, inside_residual: bool = False):
        if not isinstance(layers, list) or not layers:
            raise SpecError(f"{where}: 'layers' must be a non-empty list of layer tables")
        out: list[_Layer] = []
        scalar = False
        for index, table in enumerate(layers):
            at = f"{where}, layer {index + 1}"
            if scalar:
                raise SpecError(f"{at}: nothing may follow a layer with a scalar output (readout, attention_score)")
            if not isinstance(table, dict) or "type" not in table:
                raise SpecError(f"{at}: expected a table with a 'type' key ({', '.join(LAYER_TYPES)})")
            kind = table["type"]
            if kind not in LAYER_TYPES:
                raise SpecError(f"{at}: unknown layer type {kind!r}; expected one of {', '.join(LAYER_TYPES)}")
            for key in table:
                if key != "type" and key not in LAYER_TYPES[kind]:
                    accepted = ", ".join(("type",) + LAYER_TYPES[kind])
                    raise SpecError(f"{at}: unknown key {key!r} for a {kind} layer; expected {accepted}")
            if kind == "dense":
                new = _resolve_size(table.get("width"), self.sizes, f"{at} (dense 'width')")
                bias = table.get("bias", 0)
                if bias not in (0, 1, True, False):
                    raise SpecError(f"{at}: dense 'bias' must be 0 or 1, got {bias!r}")
                self.dense += 1
                names = [f"W{self.dense}"] + ([f"b{self.dense}"] if bias else [])
                self.shapes[names[0]] = (new, width)
                if bias:
                    self.shapes[names[1]] = (new,)
                out.append(_Layer("dense", tuple(names), bool(bias)))
                width = new
            elif kind == "act":
                self.has_act = True
                out.append(_Layer("act"))
            elif kind == "residual":
                inner, inner_width, inner_scalar = self.plan(table.get("layers"), width, f"{at} (residual)", True)
                if inner_scalar or inner_width != width:
                    raise SpecError(
                        f"{at}: a residual block must map width {width} to width {width}, "
                        f"its layers end at {'a scalar' if inner_scalar else inner_width}"
                    )
                out.append(_Layer("residual", inner=tuple(inner)))
            else:
                if inside_residual:
                    raise SpecError(f"{at}: a {kind} layer (scalar output) cannot sit inside a residual block")
                if kind == "readout":
                    if "a" in self.shapes:
                        raise SpecError(f"{at}: only one readout layer is allowed")
                    self.shapes["a"] = (width,)
                    out.append(_Layer("readout", ("a",)))
                else:
                    head = _resolve_size(table.get("width"), self.sizes, f"{at} (attention_score 'width')")
                    self.attention += 1
                    suffix = "" if self.attention == 1 else str(self.attention)
                    names = (f"WQ{suffix}", f"WK{suffix}")
                    self.shapes[names[0]] = (width, head)
                    self.shapes[names[1]] = (width, head)
                    out.append(_Layer("attention_score", names))
                scalar = True
        return out, width, scalar


def _run_layers(plan, params: dict, h, act):
    for layer in plan:
        if layer.type == "dense":
            h = h @ params[layer.params[0]].T
            if layer.bias:
                h = h + params[layer.params[1]]
        elif layer.type == "act":
            h = act(h)
        elif layer.type == "residual":
            h = h + _run_layers(layer.inner, params, h, act)
        elif layer.type == "readout":
            h = h @ params["a"]
        else:
            h = ((h @ params[layer.params[0]]) * (h @ params[layer.params[1]])).sum(-1)
    return h


def _layer_forward(plan, scalar: bool):
    def forward(params: dict, X, act=None):
        out = _run_layers(plan, params, X, act)
        return out if scalar else out[:, 0]

    return forward


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def layer_model(data: dict, source: Optional[str] = None, overrides: Optional[dict] = None) -> UserModel:
    """Build a user model from an architecture mapping (a parsed TOML file).

    Parameters
    ----------
    data : dict
        Keys :data:`MODEL_KEYS`: ``input`` (int or size name, required),
        ``layers`` (list of layer tables, required), ``sizes`` (name -> int),
        ``act`` (default ``tanh``), ``name``, ``claim``.
    source : str, optional
        The file it was read from (shown by ``str`` and kept for equality).
    overrides : dict, optional
        Sizes replacing those of ``data['sizes']``.

    Returns
    -------
    UserModel

    Raises
    ------
    SpecError
        Unknown key or layer type, bad width, a scalar layer that is not last,
        a residual block that changes the width.

    Examples
    --------
    >>> block = {"input": "d", "sizes": {"d": 3, "k": 2}, "layers": [
    ...     {"type": "residual", "layers": [{"type": "dense", "width": "k"}, {"type": "act"},
    ...                                     {"type": "dense", "width": "d"}]},
    ...     {"type": "readout"}]}
    >>> model = layer_model(block)
    >>> model.shapes
    (('W1', (2, 3)), ('W2', (3, 2)), ('a', (3,)))
    >>> layer_model({"input": 2, "layers": [{"type": "dense", "width": 3}]})
    Traceback (most recent call last):
    ...
    theory.errors.SpecError: user model 'layers': the output must be a scalar; end with a readout, an attention_score or a dense layer of width 1 (the layers end at width 3)
    """
    if not isinstance(data, dict):
        raise SpecError("an architecture file must hold a table with 'input' and 'layers'")
    name = str(data.get("name", "layers"))
    for key in data:
        if key not in MODEL_KEYS:
            raise SpecError(f"user model {name!r}: unknown key {key!r}; expected one of {', '.join(MODEL_KEYS)}")
    raw_sizes = data.get("sizes", {}) or {}
    if not isinstance(raw_sizes, dict):
        raise SpecError(f"user model {name!r}: 'sizes' must be a table of name = integer")
    sizes = {str(k): _positive_int(name, k, v) for k, v in raw_sizes.items()}
    for key, value in (overrides or {}).items():
        if key not in sizes:
            listed = ", ".join(sizes) if sizes else "(none)"
            raise SpecError(f"user model {name!r}: unknown size {key!r}; its sizes are {listed}")
        sizes[key] = _positive_int(name, key, value)
    if "input" not in data:
        raise SpecError(f"user model {name!r}: missing key 'input' (input dimension: integer or size name)")
    input_size = _resolve_size(data["input"], sizes, f"user model {name!r} ('input')")
    act_name = str(data.get("act", "tanh"))
    get_activation(act_name)
    planner = _Planner(name, sizes)
    plan, width, scalar = planner.plan(data.get("layers"), input_size, f"user model {name!r}")
    if not scalar and width != 1:
        raise SpecError(
            f"user model {name!r}: the output must be a scalar; end with a readout, an attention_score "
            f"or a dense layer of width 1 (the layers end at width {width})"
        )
    act = get_activation(act_name) if planner.has_act else None
    base = {k: v for k, v in data.items() if k != "sizes"}

    def rebuild(**new_sizes):
        return layer_model({**base, "sizes": new_sizes}, source=source)

    return UserModel(
        name=name,
        kind="layers",
        shapes=tuple(planner.shapes.items()),
        input_size=input_size,
        forward_fn=_layer_forward(tuple(plan), scalar),
        values=tuple(sizes.items()),
        activation_name=act.name if act else None,
        analytic=act is None or act.analytic,
        polynomial=act is None or act.polynomial,
        symbolic=True,
        claim=data.get("claim"),
        builder=rebuild,
        source=source,
        identity=("layers", source or _freeze(base), tuple(sizes.items())),
    )


# ---------------------------------------------------------------- sympy expressions


def sympy_parameters(params: dict) -> tuple[dict, dict]:
    """Shapes and flat symbol lists of sympy parameters given by name.

    Parameters
    ----------
    params : dict
        Name -> ``Symbol``, list of symbols, ``sympy.Matrix`` or numpy object array.

    Returns
    -------
    (dict, dict)
        ``{name: shape}`` and ``{name: [symbols in row-major order]}``.

    Raises
    ------
    SpecError
        For an entry that is not a symbol.

    Examples
    --------
    >>> q = sympy.Matrix(2, 1, sympy.symbols("q0 q1"))
    >>> sympy_parameters({"Q": q, "c": sympy.Symbol("c")})[0]
    {'Q': (2, 1), 'c': ()}
    """
    shapes, flat = {}, {}
    for name, value in params.items():
        if isinstance(value, sympy.Symbol):
            shape, symbols = (), [value]
        elif isinstance(value, sympy.MatrixBase):
            shape, symbols = tuple(value.shape), list(value)
        else:
            array = np.asarray(value, dtype=object)
            shape, symbols = tuple(array.shape), list(array.reshape(-1))
        for symbol in symbols:
            if not isinstance(symbol, sympy.Symbol):
                raise SpecError(f"sympy model: parameter {name!r} holds {symbol!r}, which is not a sympy Symbol")
        shapes[str(name)], flat[str(name)] = shape, symbols
    return shapes, flat


NON_ANALYTIC = (sympy.Max, sympy.Min, sympy.Abs, sympy.Heaviside, sympy.Piecewise, sympy.sign, sympy.floor, sympy.ceiling)
"""sympy functions that make an expression only piecewise analytic."""


def expression_properties(expr: sympy.Expr, symbols: list) -> tuple[bool, bool]:
    """``(analytic, polynomial)`` of an expression in the given symbols.

    Examples
    --------
    >>> x, w = sympy.symbols("x w")
    >>> expression_properties(w * x**2, [x, w]), expression_properties(sympy.Max(0, w * x), [x, w])
    ((True, True), (False, False))
    """
    analytic = not expr.has(*NON_ANALYTIC)
    polynomial = analytic and bool(expr.is_polynomial(*symbols))
    return analytic, polynomial


def substitute_batch(expr: sympy.Expr, flat: dict, inputs: list, params: dict, X) -> np.ndarray:
    """Evaluate ``expr`` with the engine's symbols: parameter arrays by name and rows of ``X``.

    Parameters
    ----------
    expr : sympy.Expr
    flat : dict
        Name -> the user's symbols, row-major (:func:`sympy_parameters`).
    inputs : list of sympy.Symbol
        The user's input symbols.
    params : dict
        Name -> numpy object array of replacement symbols.
    X : numpy object array (n, D)

    Returns
    -------
    numpy object array (n,)

    Examples
    --------
    >>> x, w = sympy.symbols("x w")
    >>> theta = {"w": np.array([sympy.Symbol("W_0")], dtype=object)}
    >>> substitute_batch(w * x, {"w": [w]}, [x], theta, np.array([[2]], dtype=object))
    array([2*W_0], dtype=object)
    """
    mapping = {}
    for name, symbols in flat.items():
        for symbol, value in zip(symbols, np.asarray(params[name], dtype=object).reshape(-1)):
            mapping[symbol] = value
    rows = []
    for row in np.asarray(X, dtype=object):
        mapping.update({symbol: value for symbol, value in zip(inputs, row)})
        rows.append(expr.xreplace(mapping))
    return np.array(rows, dtype=object)


# ---------------------------------------------------------------- model files


def _load_python(path: str, overrides: dict) -> UserModel:
    module_name = "rankstrat_user_model_" + str(abs(hash(os.path.abspath(path))))
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SpecError:
        raise
    except Exception as exc:
        raise SpecError(f"model file {path!r} failed to run: {type(exc).__name__}: {exc}") from None
    claim = getattr(module, "CLAIM", None)
    if claim is not None and not isinstance(claim, str):
        raise SpecError(f"model file {path!r}: CLAIM must be a string such as \"model_rank == k*(d+1)\"")
    target = getattr(module, "model", None)
    if target is None:
        raise SpecError(
            f"model file {path!r} defines no 'model'; expected a model object or a function of "
            "its sizes returning one"
        )
    if isinstance(target, UserModel):
        if overrides:
            raise SpecError(f"model file {path!r}: 'model' is a fixed model; sizes cannot be set")
        return dataclasses.replace(target, source=path, identity=(target.kind, path, target.values),
                                   claim=target.claim or claim)
    if not callable(target):
        raise SpecError(f"model file {path!r}: 'model' must be a model object or a function of sizes")
    defaults = {}
    for parameter in inspect.signature(target).parameters.values():
        if not isinstance(parameter.default, int) or isinstance(parameter.default, bool):
            raise SpecError(
                f"model file {path!r}: every argument of model() needs an integer default "
                f"(size {parameter.name!r} has none)"
            )
        defaults[parameter.name] = parameter.default
    for key in overrides:
        if key not in defaults:
            listed = ", ".join(defaults) if defaults else "(none)"
            raise SpecError(f"model file {path!r}: unknown size {key!r}; its sizes are {listed}")
    sizes = {**defaults, **{k: _positive_int(path, k, v) for k, v in overrides.items()}}
    def build(**values):
        built = target(**values)
        if not isinstance(built, UserModel):
            raise SpecError(f"model file {path!r}: model() returned {type(built).__name__}, not a user model")
        return built if built.claim or not claim else dataclasses.replace(built, claim=claim)

    return with_origin(build(**sizes), build, sizes, source=path)


def parse_overrides(text: str, where: str) -> dict:
    """``k=3,d=4`` -> ``{'k': '3', 'd': '4'}`` (values checked by the model).

    Examples
    --------
    >>> parse_overrides("k=3, d=4", "net.py")
    {'k': '3', 'd': '4'}
    """
    out: dict = {}
    for item in [part for part in text.split(",") if part.strip()]:
        name, eq, value = item.partition("=")
        if not eq or not name.strip():
            raise SpecError(f"{where}: cannot read {item!r}; expected key=value pairs separated by ','")
        out[name.strip()] = value.strip()
    return out


def load_model_file(path: str, overrides: Optional[dict] = None) -> Any:
    """Load a model file: Python (``model`` object or builder) or TOML (family spec or architecture).

    Parameters
    ----------
    path : str
        ``.py`` or ``.toml`` file.
    overrides : dict, optional
        Sizes to set (``{'k': '3'}``).

    Returns
    -------
    UserModel or Spec

    Raises
    ------
    SpecError
        Missing file, a file that fails, defines no model, or unknown sizes.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "lin.toml"
    >>> _ = path.write_text('input = "d"\\nsizes = { d = 2 }\\nlayers = [ { type = "readout" } ]\\n')
    >>> load_model_file(str(path), {"d": "5"}).num_params
    5
    """
    overrides = dict(overrides or {})
    if str(path).endswith(".py"):
        if not os.path.exists(path):
            raise SpecError(f"model file {str(path)!r} does not exist")
        return _load_python(str(path), overrides)
    from theory.spec import load_spec

    return load_spec(path, overrides=overrides)
