"""``rankstrat rank SPEC``: model rank at a point, with its certainty and the closed form."""

from __future__ import annotations

import argparse
import math

from rankstrat.cases.options import add_max_memory, add_seed, memory_limit
from rankstrat.cases.report import to_json
from rankstrat.numerics.model.targets import accepted_targets, resolve_target
from rankstrat.numerics.rank.engine import model_rank
from rankstrat.numerics.resources import check_request
from rankstrat.numerics.training.device import DEVICES, resolve_device
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import parse_spec
from rankstrat.theory.values import positive_type

NAME = "rank"
HELP = "model rank of an architecture at a point, with certainty, gap and closed form"


EXAMPLE = 'rankstrat rank twolayer:d=3,k=5,act=tanh   (or a model file: rankstrat rank net.py:d=4,k=2)'
EXIT_ONE = 'exit 1: never (an undecided rank is reported, not failed); 2 bad input or a request over --max-memory'
def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat rank``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> p.parse_args(["mf:n1=2,k=2,n2=2", "--at", "zero"]).at
    'zero'
    """
    parser.add_argument("spec", help="FAMILY:key=value,... (e.g. twolayer:d=3,k=5,act=tanh,bias=1), a .toml file, "
                        "or a model file FILE.py / FILE.toml with optional sizes (net.py:d=4,k=2)")
    parser.add_argument("--at", default=None,
                        help="random (default), zero, or a JSON file of parameter values by name; not with --target")
    parser.add_argument("--target", default=None,
                        help=f"evaluate at a target instead of --at: {accepted_targets()}")
    parser.add_argument("--inputs", type=positive_type("--inputs"), default=None, metavar="N",
                        help="number of generic inputs (default 2M)")
    add_seed(parser)
    parser.add_argument("--device", default="cpu", choices=DEVICES, help="torch device for the float64 Jacobian")
    add_max_memory(parser)
    parser.add_argument("--no-certify", action="store_true", help="skip proven bounds (faster on large models)")
    parser.add_argument("--budget", type=float, default=None, metavar="SECONDS",
                        help="seconds for all certification work together (bounds, certificates, high precision; "
                             "default 120 for the bounds and 60 per certificate); steps that do not fit are listed "
                             "as skipped")
    parser.add_argument("--minimize", action="store_true",
                        help="also measure the rank at other points computing the same function (idle units "
                             "zeroed, freed, or copies of active units) and report the lowest: the optimistic size "
                             "(with --json, the point attaining it as optimistic_point, loadable by --at)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


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
    ...                        device="cpu", no_certify=False, budget=None, json=False, minimize=False))  # doctest: +ELLIPSIS
    spec           mf:n1=2,k=1,n2=2,depth=2
    parameters     4
    model rank     3 (certified)
    certainty      certified
    ...
    0
    """
    spec = parse_spec(args.spec)
    check_request(spec, args.inputs, memory_limit(args))
    budget = getattr(args, "budget", None)
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        raise InputError(f"--budget must be a positive number of seconds, got {budget}")
    if budget is not None and args.no_certify:
        raise InputError("--budget limits the certification that --no-certify skips; give one of them")
    if args.at is not None and not args.at.strip():
        raise InputError("--at: empty; expected random, zero or a JSON file of parameter values by name")
    if getattr(args, "minimize", False):
        from rankstrat.numerics.discovery.units import unit_layers

        if not unit_layers(spec):  # refused before the rank is computed
            raise InputError(f"--minimize: {spec} has no units to re-use (neurons, channels or declared UNITS)")
    if args.target is not None:
        if args.at is not None:
            raise InputError(f"--at {args.at} and --target {args.target} both choose the point; give one of them")
        found = resolve_target(spec, args.target, args.seed)
        form, at, bound = found.closed_form, found.point, found.bound
    else:
        at = "random" if args.at is None else args.at
        form, bound = closed_form_for(spec, at), False
    result = model_rank(
        spec, at=at, n_inputs=args.inputs, seed=args.seed,
        certify=not args.no_certify, device=str(resolve_device(args.device)), budget=budget,
    )
    if form is None or result.rank is None or result.input_limited:
        agree = None
    else:
        agree = result.rank <= form.value if bound else result.rank == form.value
    ranked = minimized(spec, at, args) if getattr(args, "minimize", False) else None
    if args.json:
        from rankstrat.cases.provenance import provenance

        payload = {"spec": str(spec), **result.as_dict()}
        if form is not None:
            payload.update(closed_form=form.formula, closed_form_value=form.value,
                           closed_form_holds=form.holds, agreement=agree)
        if ranked is not None:
            payload["representations"] = [{"representation": r.description, "rank": res.rank,
                                            "certainty": res.certainty} for r, res in ranked]
            payload["optimistic_point"] = {name: values.tolist() for name, values in ranked[0][0].point.items()}
        payload["provenance"] = provenance(spec, args.seed, at=at if args.target is None else None,
                                           target=args.target, inputs=args.inputs)
        print(to_json(payload))
        return 0
    gap = "inf" if math.isinf(result.gap) else f"{result.gap:.3g}"
    lines = [("spec", str(spec)), ("parameters", str(result.num_params))]
    if result.input_limited:
        lines.append(("rank", f"limited by {result.num_inputs} inputs: {result.describe()} at these inputs; "
                              f"the model rank is not measured (it may need up to M = {result.num_params} inputs; "
                              "default --inputs 2M)"))
    else:
        lines.append(("model rank", result.describe()))
    lines += [
        ("certainty", result.certainty),
        ("proven >=", f"{result.lower_bound} ({result.lower_method})"),
        ("proven <=", f"{result.upper_bound} ({result.upper_method})"),
        ("float64", result.estimate_text()),
    ]
    if len(result.spectrum):
        lines += [
            ("gap", f"{gap} (s_r/s_r+1 at {result.digits} digits, {result.num_inputs} inputs)"),
            ("below gap", ", ".join(f"{v:.2e}" for v in result.below_gap()) or "-"),
        ]
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
    if ranked is not None:
        for r, res in ranked:
            shown = "undecided" if res.rank is None else str(res.rank)
            lines.append(("representation", f"rank {shown:<4} {res.certainty:<20} {r.description}"))
        best, best_result = ranked[0]
        if best_result.rank is None:
            lines.append(("optimistic", "undecided: no representation's rank was decided"))
        else:
            text = (f"{best_result.rank} at '{best.description}' ({best_result.certainty}; "
                    f"lowest of {len(ranked)} representations of the same function)")
            if form is not None and form.holds:
                optimistic = _without_idle_units(form)
                met = best_result.rank <= optimistic if bound else best_result.rank == optimistic
                text += f"; closed form {optimistic} {'agrees' if met else 'DISAGREES'}"
            lines.append(("optimistic", text))
    for key, value in lines:
        print(f"{key:<14} {value}")
    return 0


def _without_idle_units(form) -> int:
    """The closed form's value when the idle units are not zeroed but copies of active ones.

    A zeroed unit can add a direction of its own (the constant ``act(0) != 0``);
    the lowest rank over representations has none, so ``zero_neurons`` is 0.

    Examples
    --------
    >>> from rankstrat.theory.families.twolayer import target_rank
    >>> from rankstrat.theory.spec import parse_spec
    >>> form = target_rank(parse_spec("twolayer:d=2,k=2,act=sigmoid,bias=1"), 1)
    >>> form.value, _without_idle_units(form)
    (5, 4)
    """
    sizes = dict(form.sizes)
    if "zero_neurons" not in sizes:
        return form.value
    sizes["zero_neurons"] = 0
    return int(form.expr.subs({symbol: sizes[symbol.name] for symbol in form.expr.free_symbols}))


def minimized(spec, at, args) -> list:
    """``--minimize``: ranks at the representations of the point's function, lowest first
    (:func:`rankstrat.numerics.model.representations.minimize_rank`).

    Examples
    --------
    >>> ns = argparse.Namespace(seed=0, no_certify=False)
    >>> spec = parse_spec("twolayer:d=1,k=2,act=sigmoid,bias=1")
    >>> from rankstrat.numerics.model.targets import resolve_target
    >>> [(r.description, res.rank) for r, res in minimized(spec, resolve_target(spec, "neurons=1").point, ns)][0]
    ('copy of 1', 3)
    """
    from rankstrat.numerics.model.points import resolve_point
    from rankstrat.numerics.model.representations import minimize_rank

    point = resolve_point(spec, at, args.seed)
    return minimize_rank(spec, point, seed=args.seed, certify=not args.no_certify)
