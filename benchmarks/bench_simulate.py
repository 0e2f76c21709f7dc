"""Monte Carlo speed against a floor: drawing the same PERT variates and summing them.

    python benchmarks/bench_simulate.py [--iterations 1000000] [--repeat 3]

The portfolio: 20 generated projects, each with a cost (uncertain annual amount and optimism
bias) and a benefit (uncertain quantity and deadweight): 80 uncertain values. Each measurement runs
in a fresh process, so the peak memory (max RSS) is that of the run alone.

* floor: a plain numpy script that only draws the 80 PERT variates per iteration (in the same
  chunks, from the same per-value streams) and sums them;
* simulate: ``npv_calc.simulate.simulate`` (compiling the model, drawing, NPVs, statistics);
* cli: ``npv-calc simulate --iterations N --seed 1 --format json`` end to end.
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
result = simulate(portfolio, n, seed=1)
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


def measure(script: str, folder: Path, iterations: int, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", script, str(folder), str(iterations)],
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
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    from generate import write_portfolio

    with tempfile.TemporaryDirectory() as tmp:
        folder = write_portfolio(Path(tmp) / "mc", 20, lines=2)
        floor = measure(FLOOR, folder, args.iterations, args.repeat)
        ours = measure(SIMULATE, folder, args.iterations, args.repeat)
        cli = measure(CLI, folder, args.iterations, args.repeat)
    print(
        f"{args.iterations:,} draws, {floor['values']} uncertain values, 20 projects; "
        f"medians of {args.repeat}"
    )
    print(f"floor (draw + sum)    {floor['seconds']:6.2f} s   peak {floor['rss_mb']:6.0f} MB")
    print(
        f"simulate()            {ours['seconds']:6.2f} s   peak {ours['rss_mb']:6.0f} MB   "
        f"ratio {ours['seconds'] / floor['seconds']:.2f}x  ({ours['passes']} pass)"
    )
    print(
        f"npv-calc simulate     {cli['seconds']:6.2f} s   peak {cli['rss_mb']:6.0f} MB   "
        f"ratio {cli['seconds'] / floor['seconds']:.2f}x  (whole process)"
    )


if __name__ == "__main__":
    main()
