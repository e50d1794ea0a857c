"""``rankstrat stability SPEC --target T --inputs I``: is the target linearly stable
(locally linearly recoverable) at this input set, and if not, which directions are lost."""

from __future__ import annotations

import argparse
import math

from rankstrat.cases.options import add_max_memory, add_seed, memory_limit
from rankstrat.cases.report import FORMATS, format_rows, to_json
from rankstrat.numerics.model.input_sets import ACCEPTED as INPUTS_ACCEPTED
from rankstrat.numerics.model.input_sets import resolve_inputs
from rankstrat.numerics.model.targets import accepted_targets, resolve_target
from rankstrat.numerics.rank.stability import linear_stability, stability_curve, stability_onset
from rankstrat.numerics.resources import check_estimate, check_request, inputs_estimate
from rankstrat.theory.errors import InputError
from rankstrat.theory.spec import parse_spec
from rankstrat.theory.values import argument_type, parse_integer, parse_values

NAME = "stability"
HELP = "linear stability of a target at an input set: Jacobian rank at the data vs the model rank, lost directions"


EXAMPLE = 'rankstrat stability mf:n1=4,k=4,n2=4 --target rank=1 --inputs entries:12 --curve'
EXIT_ONE = 'exit 1: never (instability is a finding, not a failure)'
DEFAULT_DIRECTIONS = 6
"""Lost directions printed when ``--directions`` is not given."""

def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``rankstrat stability``.

    Examples
    --------
    >>> p = argparse.ArgumentParser(); add_arguments(p)
    >>> args = p.parse_args(["mf:n1=4,k=4,n2=4", "--target", "rank=1", "--inputs", "random:7", "--curve"])
    >>> args.target, args.curve
    ('rank=1', 'all')
    """
    parser.add_argument("spec", help="FAMILY:key=value,... or a model file (FILE.py, FILE.toml)")
    parser.add_argument("--target", default="random", help=f"target point: {accepted_targets()}")
    parser.add_argument("--inputs", default=None, help=f"input set: {INPUTS_ACCEPTED} (default random:2M)")
    parser.add_argument("--curve", nargs="?", const="all", default=None, metavar="A..B",
                        help="stability at the first n inputs for n in VALUES, e.g. 10..40:5 (all n without a value)")
    parser.add_argument("--plot", metavar="FILE.png", help="with --curve: draw rank against n")
    add_seed(parser, "the target, the inputs and the generic inputs")
    add_max_memory(parser)
    parser.add_argument("--no-certify", action="store_true", help="skip proven bounds (faster on large models)")
    parser.add_argument("--directions", type=argument_type("--directions", 0), default=None, metavar="K",
                        help="lost directions to print (default 6; not with --curve)")
    parser.add_argument("--format", default="text", choices=FORMATS, help="format of the --curve table (json: the same JSON object as --json)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def parse_curve_sizes(text: str, count: int) -> list:
    """``all`` -> ``1..count``; otherwise VALUES (:mod:`rankstrat.theory.values`) within ``1..count``.

    Examples
    --------
    >>> parse_curve_sizes("3..5", 10), len(parse_curve_sizes("all", 4)), parse_curve_sizes("2..8:3", 10)
    ([3, 4, 5], 4, [2, 5, 8])
    >>> parse_curve_sizes("5..30", 10)
    Traceback (most recent call last):
    ...
    rankstrat.theory.errors.InputError: --curve: 30 is too large; expected an integer >= 1 and <= 10
    """
    if text == "all":
        return list(range(1, count + 1))
    return sorted(parse_values(text, "--curve", minimum=1, maximum=count))


def requested_inputs(text) -> int | None:
    """The number of inputs ``--inputs KIND:N,...`` asks for, None when it names a file or nothing.

    Examples
    --------
    >>> requested_inputs("random:100000000"), requested_inputs("data.npy"), requested_inputs("entries:all")
    (100000000, None, None)
    """
    kind, sep, rest = str(text or "").partition(":")
    first = rest.split(",", 1)[0].strip()
    if not sep or not first or first == "all" or kind.endswith((".npy", ".csv", ".txt", ".json")):
        return None
    return parse_integer(first, f"--inputs {text}", minimum=1)


def _gap(value: float) -> str:
    return "inf" if math.isinf(value) else f"{value:.3g}"


def _closed_form_line(target, measured) -> str:
    form = target.closed_form
    relation = "<=" if target.bound else "="
    if measured is None:
        verdict = "not compared"
    elif target.bound:
        verdict = "holds" if measured <= form.value else "VIOLATED"
    else:
        verdict = "agrees" if measured == form.value else "DISAGREE"
    return f"R {relation} {form} [{form.source}] {verdict}"


def _print_single(spec, target, inputs, result, directions: int) -> None:
    model, data = result.model_rank, result.data_rank
    lines = [
        ("spec", str(spec)),
        ("target", target.text),
        ("inputs", f"{inputs.text} ({len(inputs.X)} x {inputs.X.shape[1]})" + (f"; {inputs.note}" if inputs.note else "")),
        ("parameters", str(model.num_params)),
        ("model rank", f"{model.describe()} at {model.num_inputs} generic inputs, gap {_gap(model.gap)}"),
        ("data rank", f"{data.describe()} at the {data.num_inputs} inputs, gap {_gap(data.gap)}"),
    ]
    if target.closed_form is not None:
        lines.append(("closed form", _closed_form_line(target, model.rank)))
    lines += [("verdict", result.summary()), ("reason", result.reason)]
    for index, direction in enumerate(result.lost[:directions], start=1):
        lines.append((f"lost {index}", direction.text()))
    if len(result.lost) > directions:
        lines.append(("lost", f"... {len(result.lost) - directions} more (--directions K shows more)"))
    lines += [("warning", w) for w in result.warnings]
    for key, value in lines:
        print(f"{key:<14} {value}")


def run(args: argparse.Namespace) -> int:
    """Decide linear stability (or a curve of it) and print it.

    Examples
    --------
    >>> ns = argparse.Namespace(spec="twolayer:d=3,k=2", target="neurons=2", inputs="hyperplane:20", curve=None,
    ...                         plot=None, seed=0, no_certify=False, directions=6, format="text", json=False)
    >>> run(ns)  # doctest: +ELLIPSIS
    spec           twolayer:d=3,k=2,act=tanh,bias=0
    target         neurons=2
    inputs         hyperplane:20 (20 x 3); every input has x_2 = 0 (a hyperplane through the origin)
    parameters     8
    model rank     8 (certified) at 16 generic inputs, gap ...
    data rank      6 (...) at the 20 inputs, gap ...
    closed form    R = ... = 8 [...] agrees
    verdict        NOT linearly stable at 20 inputs: rank 6 < model rank 8 (certified)
    reason         n = 20 >= R = 8, but the inputs see only 6 of the R directions
    lost 1         W[0,2] +1.00
    lost 2         W[1,2] +1.00
    0
    """
    if args.inputs is not None and not args.inputs.strip():
        raise InputError(f"--inputs: empty; accepted: {INPUTS_ACCEPTED}")
    if args.directions is not None and args.curve is not None:
        raise InputError("--directions chooses the lost directions printed for one input set, which --curve "
                         "does not print; drop one of them")
    if args.format not in ("text", "json") and args.curve is None:
        raise InputError(f"--format {args.format} formats the --curve table; add --curve, or use --json for "
                         "one JSON object")
    directions = DEFAULT_DIRECTIONS if args.directions is None else args.directions
    if directions < 0:
        raise InputError(f"--directions must be >= 0, got {directions}")
    if args.format == "json":  # JSON only on stdout, as --json
        args.json = True
    if args.plot is not None and args.curve is None:
        raise InputError("--plot needs --curve (the plot shows the rank against the number of inputs)")
    if args.plot is not None:
        from rankstrat.numerics.figures import check_figure_path

        check_figure_path(args.plot)
    spec = parse_spec(args.spec)
    limit = memory_limit(args)
    check_request(spec, None, limit)
    count = requested_inputs(args.inputs)
    if count is not None:
        check_estimate(inputs_estimate(spec, count), limit)
        check_request(spec, count, limit)
    target = resolve_target(spec, args.target, seed=args.seed)
    from rankstrat.theory.model.symbolic import num_params

    inputs = resolve_inputs(spec, args.inputs or f"random:{2 * num_params(spec)}", seed=args.seed)
    certify = not args.no_certify
    from rankstrat.cases.provenance import provenance

    record = provenance(spec, args.seed, target=target.text, inputs=inputs.text)
    if args.curve is None:
        result = linear_stability(spec, target.point, inputs.X, seed=args.seed, certify=certify)
        if args.json:
            payload = {"spec": str(spec), "target": target.text, "inputs": inputs.text, "note": inputs.note,
                       **result.as_dict()}
            if target.closed_form is not None:
                payload.update(closed_form=target.closed_form.formula, closed_form_value=target.closed_form.value,
                               closed_form_is_bound=target.bound)
            print(to_json({**payload, "provenance": record}))
        else:
            _print_single(spec, target, inputs, result, directions)
        return 0
    sizes = parse_curve_sizes(args.curve, len(inputs.X))
    curve = stability_curve(spec, target.point, inputs.X, sizes=sizes, seed=args.seed, certify=certify)
    onset = stability_onset(curve)
    rows = [{"n": r.num_inputs, "rank": r.data_rank.rank, "model_rank": r.model_rank.rank,
             "stable": r.stable, "certainty": r.certainty} for r in curve]
    if args.json:
        print(to_json({"spec": str(spec), "target": target.text, "inputs": inputs.text, "note": inputs.note,
                       "onset": onset, "closed_form_value": None if target.closed_form is None else target.closed_form.value,
                       "curve": rows, "provenance": record}))
    else:
        print(format_rows(rows, ["n", "rank", "model_rank", "stable", "certainty"], args.format, provenance=record))
        print()
        if inputs.note:
            print(f"inputs: {inputs.text}; {inputs.note}")
        if target.closed_form is not None:
            print(f"closed form: {_closed_form_line(target, curve[0].model_rank.rank)}")
        print("stable from n = " + (str(onset) if onset is not None else "- (not stable at the last n)"))
    if args.plot:
        from rankstrat.numerics.rank.stability_plots import plot_stability_curve

        title = f"{spec}, target {target.text}, inputs {inputs.text}"
        closed = None if target.closed_form is None or target.bound else target.closed_form.value
        plot_stability_curve(curve, args.plot, title=title, closed_form=closed)
        if not args.json:
            print(f"plot: {args.plot}")
    return 0
