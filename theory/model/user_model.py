"""User models: architectures the catalogue does not know, in the duck type of
:class:`rankstrat.theory.spec.Spec`, so the rank engine, the stability check and every
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
- a **sympy expression** (:func:`rankstrat.numerics.model.user_model.sympy_model`): full
  symbolic side;
- a **plain torch function** ``f(params, x)`` (:func:`rankstrat.numerics.model.user_model.torch_model`):
  float64 only; high precision and certificates are unavailable and reported
  so.

A Python model file defines ``model``: a model object, or a function of sizes
(keyword arguments with integer defaults) returning one, so sizes can vary;
an optional ``CLAIM = "model_rank == ..."`` states its closed form.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, Optional

import numpy as np
import sympy

from rankstrat.theory.activations import Activation, get_activation
from rankstrat.theory.closed_form import ClosedForm
from rankstrat.theory.errors import SpecError
from rankstrat.theory.keys import Key

KINDS = ("layers", "sympy", "torch")


"""How a user model was given: architecture file, sympy expression, torch function."""


class UserModule:
    """The ``module`` of a user model: shapes, input size, forward map, closed forms.

    Mirrors a family module of :mod:`rankstrat.theory.families`, bound to one model.

    Examples
    --------
    >>> from rankstrat.theory.model.layer_file import layer_model
    >>> model = layer_model({"input": 2, "layers": [{"type": "readout"}]})
    >>> model.module.param_shapes(model), model.module.input_dim(model)
    ({'a': (2,)}, 2)
    """

    __name__ = "rankstrat.theory.model.user_model"
    STRATA_NOTE = "user model: no strata are stated"

    def __init__(self, model: "UserModel"):
        self._model = model
        self.KEYS = tuple(_size_key(name, value) for name, value in model.values)

    def param_shapes(self, spec) -> dict:
        """Ordered ``{name: shape}``.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> model = layer_model({"input": 2, "layers": [{"type": "dense", "width": 3, "bias": 1}, {"type": "readout"}]})
        >>> model.module.param_shapes(model)
        {'W1': (3, 2), 'b1': (3,), 'a': (3,)}
        """
        return {name: tuple(shape) for name, shape in spec.shapes}

    def input_dim(self, spec) -> int:
        """Length of one input vector.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> model = layer_model({"input": 5, "layers": [{"type": "readout"}]})
        >>> model.module.input_dim(model)
        5
        """
        return spec.input_size

    def forward(self, params: dict, X, act=None):
        """Outputs for a batch ``X`` (sympy object arrays or torch tensors).

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> model = layer_model({"input": 2, "layers": [{"type": "readout"}]})
        >>> model.module.forward({"a": np.array([1.0, 2.0])}, np.array([[3.0, 4.0]]))
        array([11.])
        """
        return self._model.forward_fn(params, X, act)

    def num_params_formula(self, spec) -> ClosedForm:
        """The parameter count (a number; no formula is known for a user model).

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
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
        >>> from rankstrat.theory.model.layer_file import layer_model
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
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> model = layer_model({"input": 2, "layers": [{"type": "readout"}]})
        >>> model.module.strata(model)
        []
        """
        return []


def _size_key(name: str, value: int):
    return Key(name, "size", default=value, doc="user model size")


@dataclass(frozen=True, eq=False)
class UserModel:
    """A model the catalogue does not know, usable wherever a :class:`~rankstrat.theory.spec.Spec` is.

    Build one with :func:`layer_model`, :func:`rankstrat.theory.spec.parse_spec`,
    :func:`rankstrat.numerics.model.user_model.sympy_model` or
    :func:`rankstrat.numerics.model.user_model.torch_model`.

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
    units : tuple of dict
        Declared unit layers (``UNITS`` of a model file, counts resolved):
        ``{"count": K, "in": [(NAME, AXIS), ...], "bias": [...], "out": [...],
        "signs": [1, -1], "name": ...}``; unit ``i`` owns ``NAME[..., i, ...]``
        along ``AXIS``.
    symmetries : callable or None
        ``symmetries(point)``: tangent vectors that the model file declares to
        lie in the Jacobian's kernel at ``point`` (verified exactly before use,
        :func:`rankstrat.theory.rank.kernel_certificates.declared_vectors`).
    target_builder : callable or None
        ``target_builder(units, seed)``: the file's own point with ``units``
        active units (``--target units=N``).

    Examples
    --------
    >>> from rankstrat.theory.model.layer_file import layer_model
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
    units: tuple = dataclasses.field(default=(), compare=False)
    symmetries: Optional[Callable] = dataclasses.field(default=None, repr=False, compare=False)
    target_builder: Optional[Callable] = dataclasses.field(default=None, repr=False, compare=False)

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
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> layer_model({"input": 2, "layers": [{"type": "readout"}]}).module.__name__
        'rankstrat.theory.model.user_model'
        """
        return self._module

    @property
    def activation(self) -> Activation | None:
        """The activation of an architecture file with ``act`` layers, else None.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> layer_model({"input": 1, "act": "sin", "layers": [{"type": "act"}]}).activation.name
        'sin'
        """
        return None if self.activation_name is None else get_activation(self.activation_name)

    @property
    def num_params(self) -> int:
        """Parameter count ``M``.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> layer_model({"input": 4, "layers": [{"type": "attention_score", "width": 2}]}).num_params
        16
        """
        return int(sum(int(np.prod(shape, dtype=np.int64)) for _, shape in self.shapes))

    @property
    def sizes(self) -> dict:
        """The sizes as a dict.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
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
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> layer_model({"input": 2, "layers": [{"type": "readout"}]}).get("act", "none")
        'none'
        """
        return dict(self.values).get(key, default)

    def as_dict(self) -> dict:
        """Family, name, kind and sizes.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> layer_model({"name": "lin", "input": 2, "layers": [{"type": "readout"}]}).as_dict()
        {'family': 'user', 'name': 'lin', 'kind': 'layers'}
        """
        return {"family": "user", "name": self.name, "kind": self.kind, **dict(self.values)}

    def size_claim(self):
        """The model's own claim parsed (:class:`rankstrat.theory.rank.size_claims.SizeClaim`), or None.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> model = layer_model({"input": "d", "sizes": {"d": 3}, "claim": "model_rank == d",
        ...                      "layers": [{"type": "readout"}]})
        >>> str(model.size_claim())
        'model_rank == d'
        """
        if not self.claim:
            return None
        from rankstrat.theory.rank.size_claims import parse_size_claim

        return parse_size_claim(self.claim, [n for n, _ in self.values], option=f"claim of {self.name!r}")

    def replace(self, **changes: Any) -> "UserModel":
        """The same model at other sizes (rebuilt by its builder).

        Raises
        ------
        SpecError
            When the model has no builder, or a size is unknown or not a positive integer.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
        >>> model = layer_model({"input": "d", "sizes": {"d": 2}, "layers": [{"type": "readout"}]})
        >>> model.replace(d="4").shapes
        (('a', (4,)),)
        >>> model.replace(k=1)
        Traceback (most recent call last):
        ...
        rankstrat.theory.errors.SpecError: user model 'layers': unknown size 'k'; its sizes are d
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
        merged = {**dict(self.values), **{k: positive_size(self.name, k, v) for k, v in changes.items()}}
        return self.builder(**merged)

    def describe(self) -> str:
        """One line: kind and which certificates are available.

        Examples
        --------
        >>> from rankstrat.theory.model.layer_file import layer_model
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


def positive_size(name: str, key: str, raw: Any) -> int:
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
    >>> from rankstrat.theory.model.layer_file import layer_model
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
