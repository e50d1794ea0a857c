"""Start-up time of the ``rankstrat`` command line, as ratios against ``python -c pass``.

Each command runs in a fresh interpreter, the way the console script starts
(``from rankstrat.cases.cli import main; main()``); the figure is the median
wall-clock time of ``--repeat`` runs. Targets: ``rankstrat --help`` under
0.5 s and ``rank`` on a small model under 1.5 s. ``python -c "import torch"``
is measured too: ``rank`` needs torch, so that import is its floor.

Run: ``python -m benchmarks.bench_startup [--repeat 5]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

ENTRY = "import sys; from rankstrat.cases.cli import main; sys.exit(main())"

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import torch'": ["-c", "import torch"],
    "rankstrat --help": ["-c", ENTRY, "--help"],
    "rankstrat table --help": ["-c", ENTRY, "table", "--help"],
    "rankstrat strata mf:n1=2,k=1,n2=2": ["-c", ENTRY, "strata", "mf:n1=2,k=1,n2=2"],
    "rankstrat rank mf:n1=2,k=1,n2=2": ["-c", ENTRY, "rank", "mf:n1=2,k=1,n2=2"],
}
TARGETS = {"rankstrat --help": 0.5, "rankstrat rank mf:n1=2,k=1,n2=2": 1.5}


def median_seconds(arguments: list, repeat: int) -> float:
    """Median wall-clock seconds of ``repeat`` runs of ``python ARGUMENTS``.

    Examples
    --------
    >>> median_seconds(["-c", "pass"], repeat=1) > 0
    True
    """
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, *arguments], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    seconds = {name: median_seconds(arguments, args.repeat) for name, arguments in COMMANDS.items()}
    baseline = seconds["python -c pass"]
    report = {
        name: {"seconds": round(value, 3), "ratio_to_python": round(value / baseline, 1),
               **({"target_seconds": TARGETS[name], "meets_target": value < TARGETS[name]}
                  if name in TARGETS else {})}
        for name, value in seconds.items()
    }
    print(json.dumps(report, indent=2))
    return report


if __name__ == "__main__":
    main()
