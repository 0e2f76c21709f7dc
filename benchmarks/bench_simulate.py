"""Monte Carlo speed against a floor: drawing the same PERT variates and summing them.

    python benchmarks/bench_simulate.py [--iterations 1000000] [--repeat 3] [--seeds 30]

The portfolio: 20 generated projects, each with a cost (uncertain annual amount and optimism
bias) and a benefit (uncertain quantity and deadweight): 80 uncertain values. Each measurement runs
in a fresh process, so the peak memory (max RSS) is that of the run alone.

* floor: a plain numpy script that only draws the 80 PERT variates per iteration (in chunks,
  from per-value streams, with ``Generator.beta``) and sums them;
* simulate: ``npv_calc.simulate.simulate`` with its defaults (Latin Hypercube sampling; compiling
  the model, drawing, NPVs, statistics, drivers);
* simulate, every value correlated: the same portfolio with each of the 80 values in one of four
  correlation groups (Iman–Conover on every column);
* random: plain Monte Carlo (``sampling="random"``);
* cli: ``npv-calc simulate --iterations N --seed 1 --format json`` end to end.

Then the precision: the spread (standard deviation) of the portfolio P50 across ``--seeds``
seeds at 4,000 draws, Latin Hypercube against plain Monte Carlo.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

FLOOR = """
import json, resource, sys, time
import numpy as np
from npv_calc import load_portfolio
from npv_calc.scenarios import prepare
from npv_calc.simulate import _compile, CHUNK_BYTES
folder, n = sys.argv[1], int(sys.argv[2])
model = _compile(prepare(load_portfolio(folder)))
values = [v for _, v in model.values]
start = time.perf_counter()
streams = np.random.SeedSequence(1).spawn(len(values))
rngs = [np.random.Generator(np.random.PCG64(s)) for s in streams]
params = []
for v in values:
    span = v.high - v.low
    params.append((v.low, span, 1 + 4 * (v.central - v.low) / span,
                   1 + 4 * (v.high - v.central) / span))
chunk = max(1, min(n, CHUNK_BYTES // (8 * (len(values) + 3 * 22 + 4))))
done, grand = 0, 0.0
while done < n:
    size = min(chunk, n - done)
    total = np.zeros(size)
    for rng, (low, span, a, b) in zip(rngs, params):
        total += low + span * rng.beta(a, b, size)
    grand += float(total.sum())
    done += size
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "rss_mb": resource.getrusage(resource.RUSAGE_SELF)
                  .ru_maxrss / 1024, "values": len(values), "check": grand}))
"""

SIMULATE = """
import json, resource, sys, time
from npv_calc import load_portfolio
from npv_calc.simulate import simulate
folder, n = sys.argv[1], int(sys.argv[2])
portfolio = load_portfolio(folder)
start = time.perf_counter()
result = simulate(portfolio, n, seed=1, sampling=sys.argv[3] if len(sys.argv) > 3 else "lhs")
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "rss_mb": resource.getrusage(resource.RUSAGE_SELF)
                  .ru_maxrss / 1024, "values": result.uncertain_values,
                  "passes": result.passes}))
"""

CLI = """
import json, resource, subprocess, sys, time
folder, n = sys.argv[1], sys.argv[2]
start = time.perf_counter()
subprocess.run([sys.executable, "-m", "npv_calc", "simulate", folder, "--iterations", n,
                "--seed", "1", "--format", "json"], check=True, stdout=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN)
                  .ru_maxrss / 1024}))
"""


SPREAD = """
import json, sys
import numpy as np
from npv_calc import load_portfolio
from npv_calc.simulate import simulate
folder, seeds = sys.argv[1], int(sys.argv[2])
portfolio = load_portfolio(folder)
out = {}
for sampling in ("lhs", "random"):
    p50 = [simulate(portfolio, 4000, seed=s, sampling=sampling).portfolio.p(50.0)
           for s in range(seeds)]
    out[sampling] = float(np.std(p50))
print(json.dumps(out))
"""


def measure(script: str, folder: Path, iterations: int, repeat: int, *extra: str) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", script, str(folder), str(iterations), *extra],
            check=True,
            capture_output=True,
            text=True,
        )
        runs.append(json.loads(out.stdout))
    seconds = statistics.median(r["seconds"] for r in runs)
    return {**runs[0], "seconds": seconds, "rss_mb": max(r["rss_mb"] for r in runs)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import write_portfolio

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_portfolio(Path(tmp) / "mc", 20, lines=2)
        grouped = write_portfolio(Path(tmp) / "grouped", 20, lines=2, grouped=True)
        floor = measure(FLOOR, folder, args.iterations, args.repeat)
        ours = measure(SIMULATE, folder, args.iterations, args.repeat)
        correlated = measure(SIMULATE, grouped, args.iterations, args.repeat)
        random = measure(SIMULATE, folder, args.iterations, args.repeat, "random")
        cli = measure(CLI, folder, args.iterations, args.repeat)
        spread = json.loads(
            subprocess.run(
                [sys.executable, "-c", SPREAD, str(folder), str(args.seeds)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        )
    print(
        f"{args.iterations:,} draws, {floor['values']} uncertain values, 20 projects; "
        f"medians of {args.repeat}"
    )
    print(
        f"floor (draw + sum)           {floor['seconds']:6.2f} s   peak {floor['rss_mb']:6.0f} MB"
    )
    for label, run in (
        ("simulate() (lhs)", ours),
        ("simulate(), all correlated", correlated),
        ("simulate(), random", random),
        ("npv-calc simulate (process)", cli),
    ):
        passes = f"  ({run['passes']} pass)" if "passes" in run else ""
        print(
            f"{label:28} {run['seconds']:6.2f} s   peak {run['rss_mb']:6.0f} MB   "
            f"ratio {run['seconds'] / floor['seconds']:.2f}x{passes}"
        )
    print(
        f"P50 spread across {args.seeds} seeds at 4,000 draws: lhs £{spread['lhs']:,.0f}, "
        f"random £{spread['random']:,.0f}, ratio {spread['lhs'] / spread['random']:.2f}x"
    )


if __name__ == "__main__":
    main()
