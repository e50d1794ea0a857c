"""Architecture files (TOML): user models built from known layers.

The forward map of a layer stack is written once for sympy object arrays and
torch tensors, so an architecture file has the full symbolic side (high
precision, ball and exact certificates). Layers: ``dense`` (``width``,
``bias`` 0/1), ``act`` (the model's ``act``, default tanh), ``residual``
(``layers`` inside; adds its input), ``readout`` (linear to a scalar,
parameter ``a``) and ``attention_score`` (``(h W_Q) . (h W_K)``, head width
``width``). Widths and ``input`` are integers or names of ``sizes``.
The head coordinates of an ``attention_score`` layer are its units (column i
of ``W_Q`` and of ``W_K``): ``--target units=N``, discovery and ``--minimize``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from rankstrat.theory.activations import get_activation
from rankstrat.theory.errors import SpecError
from rankstrat.theory.model.user_model import UserModel, positive_size

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
        self.units: list = []  # head coordinates of attention_score layers

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
                    self.units.append({"count": head, "in": [(names[0], 1)], "out": [(names[1], 1)],
                                       "name": f"head coordinates{suffix and ' ' + suffix}"})
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
    >>> [u["count"] for u in layer_model({"input": 3, "layers": [{"type": "attention_score", "width": 2}]}).units]
    [2]
    >>> layer_model({"input": 2, "layers": [{"type": "dense", "width": 3}]})
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.SpecError: user model 'layers': the output must be a scalar; end with a readout, an attention_score or a dense layer of width 1 (the layers end at width 3)
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
    sizes = {str(k): positive_size(name, k, v) for k, v in raw_sizes.items()}
    for key, value in (overrides or {}).items():
        if key not in sizes:
            listed = ", ".join(sizes) if sizes else "(none)"
            raise SpecError(f"user model {name!r}: unknown size {key!r}; its sizes are {listed}")
        sizes[key] = positive_size(name, key, value)
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
    from rankstrat.theory.model.model_file import resolve_units

    units = resolve_units(planner.units, sizes, planner.shapes, f"user model {name!r}")

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
        units=units,
    )
