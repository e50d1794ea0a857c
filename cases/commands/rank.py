"""``rankstrat rank SPEC``: model rank at a point, with its certainty and the closed form."""

from __future__ import annotations

import argparse
import math

from rankstrat.cases.report import to_json
from rankstrat.numerics.model.targets import accepted_targets, resolve_target
from rankstrat.numerics.rank.engine import model_rank
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import parse_spec

NAME = "rank"
HELP = "model rank of an architecture at a point, with certainty, gap and closed form"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat rank``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["mf:n1=2,k=2,n2=2", "--at", "zero"]).at
    'zero'
    """
    parser.add_argument("spec", help="FAMILY:key=value,... (e.g. twolayer:d=3,k=5,act=tanh,bias=1) or a .toml file")
    parser.add_argument("--at", default="random", help="random (default), zero, or a JSON file of parameter values by name")
    parser.add_argument("--target", default=None,
                        help=f"evaluate at a target instead of --at: {accepted_targets()}")
    parser.add_argument("--inputs", type=int, default=None, metavar="N", help="number of generic inputs (default 2M)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random point and inputs")
    parser.add_argument("--device", default="cpu", help="torch device for the float64 Jacobian: cpu, cuda, auto")
    parser.add_argument("--no-certify", action="store_true", help="skip proven bounds (faster on large models)")
    parser.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help="seconds of certification work (default 120); steps that do not fit are listed as skipped")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def resolve_device(name: str) -> str:
    """``auto`` -> ``cuda`` when available, else ``cpu``; check the others.

    Examples
    --------
    >>> resolve_device("cpu")
    'cpu'
    >>> resolve_device("tpu")
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --device: unknown device 'tpu'; expected auto, cpu or cuda
    """
    import torch

    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name not in ("cpu", "cuda"):
        raise InputError(f"--device: unknown device {name!r}; expected auto, cpu or cuda")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("--device cuda: no CUDA device is available; use --device cpu or auto")
    return name


def closed_form_for(spec, at: str):
    """The generic-rank closed form when the point is random, else None.

    Examples
    --------
    >>> str(closed_form_for(parse_spec("twolayer:d=3,k=5"), "random"))
    'k*(d + 1) = 20'
    """
    if at != "random":
        return None
    return spec.module.generic_rank(spec)


def run(args: argparse.Namespace) -> int:
    """Compute and print the model rank.

    Examples
    --------
    >>> run(argparse.Namespace(spec="mf:n1=2,k=1,n2=2", at="random", target=None, inputs=None, seed=0,
    ...                        device="cpu", no_certify=False, budget=None, json=False))  # doctest: +ELLIPSIS
    spec           mf:n1=2,k=1,n2=2,depth=2
    parameters     4
    model rank     3
    certainty      certified
    ...
    0
    """
    spec = parse_spec(args.spec)
    if args.inputs is not None and args.inputs < 1:
        raise InputError(f"--inputs must be a positive integer, got {args.inputs}")
    budget = getattr(args, "budget", None)
    if budget is not None and not budget > 0:
        raise InputError(f"--budget must be a positive number of seconds, got {budget}")
    if args.target is not None:
        if args.at != "random":
            raise InputError("--target and --at choose the point in two ways; give one of them")
        found = resolve_target(spec, args.target, args.seed)
        form, at, bound = found.closed_form, found.point, found.bound
    else:
        form, at, bound = closed_form_for(spec, args.at), args.at, False
    result = model_rank(
        spec, at=at, n_inputs=args.inputs, seed=args.seed,
        certify=not args.no_certify, device=resolve_device(args.device), budget=budget,
    )
    if form is None or result.rank is None:
        agree = None
    else:
        agree = result.rank <= form.value if bound else result.rank == form.value
    if args.json:
        payload = {"spec": str(spec), **result.as_dict()}
        if form is not None:
            payload.update(closed_form=form.formula, closed_form_value=form.value,
                           closed_form_holds=form.holds, agreement=agree)
        print(to_json(payload))
        return 0
    gap = "inf" if math.isinf(result.gap) else f"{result.gap:.3g}"
    rank_text = "undecided" if result.rank is None else str(result.rank)
    lines = [
        ("spec", str(spec)),
        ("parameters", str(result.num_params)),
        ("model rank", rank_text),
        ("certainty", result.certainty),
        ("gap", f"{gap} (s_r/s_r+1 at {result.digits} digits, {result.num_inputs} inputs)"),
        ("below gap", ", ".join(f"{v:.2e}" for v in result.below_gap()) or "-"),
    ]
    if result.lower_bound is not None:
        lines.append(("proven >=", f"{result.lower_bound} ({result.lower_method})"))
    if result.upper_bound is not None:
        lines.append(("proven <=", f"{result.upper_bound} ({result.upper_method})"))
    if form is not None:
        verdict = "agrees" if agree else ("DISAGREE" if agree is False else "not compared")
        if bound:
            verdict = "within the upper bound" if agree else ("EXCEEDS the upper bound" if agree is False else verdict)
        if not form.holds:
            verdict += f" (formula's hypotheses fail: {form.note})"
        lines.append(("closed form", f"{form} [{form.source}] {verdict}"))
    if result.rank is None:
        lines.append(("spectrum", ", ".join(f"{v:.2e}" for v in result.spectrum)))
    for warning in result.warnings:
        lines.append(("warning", warning))
    for key, value in lines:
        print(f"{key:<14} {value}")
    return 0
