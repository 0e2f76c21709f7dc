"""Monte Carlo CPU time against a floor, and against an earlier commit.

    python benchmarks/bench_simulate.py [--iterations 1000000] [--repeat 3] [--against REF]
                                        [--scaling] [--wide] [--seeds 30]

The portfolio: 20 generated projects, each with a cost (uncertain annual amount and optimism
bias) and a benefit (uncertain quantity and deadweight): 80 uncertain values. Every measurement
runs in a fresh process and reports its **CPU time** (user + system, all threads: what a busy
machine makes a user pay) and its peak memory; the runs of all rows are **interleaved** (each
row once, then each row again, ...), so that a machine whose speed drifts slows every row alike,
and each row's figure is the median. Ratios between two rows are the median of the ratios of
their runs in the same round.

* floor: what any implementation must do to draw the same values: for each of the 80 values,
  uniforms, the inverse CDF of its PERT distribution (a table at equally spaced probabilities,
  built from the density, with linear interpolation), and a sum over the values; no Latin
  Hypercube, no correlation, no NPV;
* reference: the same with ``Generator.beta`` in place of the inverse CDF (numpy's own beta
  sampler: the usual way to draw PERT, and slower);
* floor, correlated: the floor with the values of the correlated portfolio and their rank
  correlation imposed the way any implementation of Iman–Conover must: normal scores with the
  groups' correlation (a Cholesky factor), and each value's draws sorted and put in the order
  of its scores (``np.argsort``), a block of 65,536 draws at a time;
* simulate(): ``npv_calc.simulate.simulate`` with its defaults (Latin Hypercube; compiling the
  model, drawing, NPVs, statistics, drivers), then with every value in one of four correlation
  groups (Iman–Conover on every column), then plain Monte Carlo (``sampling="random"``);
* npv-calc simulate: the command end to end (``--format json``), imports included.

``--against REF`` checks out REF (a commit, branch or tag) into a temporary git worktree and
runs each simulate() row with its code too, interleaved with this tree's, and prints the ratio.
``--scaling`` adds the cost per draw at 4 × ``--iterations`` against that at ``--iterations``
(should be about 1: the draws are kept in a temporary file rather than simulated twice).
``--wide`` adds the same portfolio with 200 projects (800 values), with its peak memory.
``--seeds N`` (0 to skip) ends with the precision: the spread of the portfolio P50 across N
seeds at 4,000 draws, Latin Hypercube against plain Monte Carlo.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from refs import checkout, child  # noqa: E402

ROOT = HERE.parent

# Draws the values of a portfolio (their low, central and high in a JSON file) the way any
# implementation must: uniforms, an inverse CDF, a sum. Standalone numpy: nothing of npv_calc.
FLOOR = """
import json, resource, sys, time
import numpy as np
spec = json.load(open(sys.argv[1]))
n, chunk, method = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
values = spec["values"]
start = time.process_time()
streams = np.random.SeedSequence(1).spawn(len(values) + 1)
rngs = [np.random.Generator(np.random.PCG64(s)) for s in streams]
CELLS, GRID = 16_384, 65_536
x = np.linspace(0.0, 1.0, GRID + 1)
at = np.linspace(0.0, 1.0, CELLS + 1)
tables = []
for low, mode, high in values:
    span = high - low
    a, b = 1 + 4 * (mode - low) / span, 1 + 4 * (high - mode) / span
    if method == "beta":
        tables.append((low, span, a, b))
        continue
    density = x ** (a - 1) * (1 - x) ** (b - 1)
    cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) * 0.5)])
    knots = low + span * np.interp(at, cdf / cdf[-1], x)
    tables.append((knots, np.diff(knots)))
if method == "correlated":
    # Iman-Conover as any implementation must do it: normal scores with the groups' rank
    # correlation (Pearson 2 sin(pi r / 6) of normals, a Cholesky factor), and each value's
    # draws put in the order of its scores: a sort of the draws, an argsort of the scores.
    group, within, between = spec["groups"], spec["within"], spec["between"]
    r = np.array([[1.0 if i == j else within[group[i]] if group[i] == group[j]
                   else between.get(" ".join(sorted((group[i], group[j]))), 0.0)
                   for j in range(len(values))] for i in range(len(values))])
    factor = np.linalg.cholesky(2 * np.sin(np.pi * r / 6)).astype(np.float32)
done, grand = 0, 0.0
while done < n:
    size = min(chunk, n - done)
    total = np.zeros(size)
    if method == "correlated":
        scores = factor @ rngs[-1].standard_normal((len(values), size), dtype=np.float32)
    for i, (rng, table) in enumerate(zip(rngs, tables)):
        if method == "beta":
            low, span, a, b = table
            total += low + span * rng.beta(a, b, size)
            continue
        knots, slopes = table
        p = rng.random(size)
        if method == "correlated":
            p[np.argsort(scores[i])] = np.sort(p)
        p *= CELLS
        cell = p.astype(np.intp)
        p -= cell
        p *= slopes[cell]
        p += knots[cell]
        total += p
    grand += float(total.sum())
    done += size
print(json.dumps({"cpu": time.process_time() - start,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "check": grand}))
"""

SIMULATE = """
import json, resource, sys, time
from npv_calc import load_portfolio
from npv_calc.simulate import simulate
folder, n, sampling = sys.argv[1], int(sys.argv[2]), sys.argv[3]
portfolio = load_portfolio(folder)
start = time.process_time()
result = simulate(portfolio, n, seed=1, sampling=sampling)
print(json.dumps({"cpu": time.process_time() - start,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "values": result.uncertain_values, "passes": result.passes}))
"""

CLI = """
import json, resource, subprocess, sys
folder, n = sys.argv[1], sys.argv[2]
subprocess.run([sys.executable, "-m", "npv_calc", "simulate", folder, "--iterations", n,
                "--seed", "1", "--format", "json"], check=True, stdout=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024}))
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


def values_of(folder: Path) -> dict[str, object]:
    """The low, central and high of every uncertain value of a portfolio, each value's
    correlation group, and the groups' rank correlations (for the correlated floor)."""
    from npv_calc import load_portfolio
    from npv_calc.scenarios import prepare
    from npv_calc.simulate.model import compile_case

    case = prepare(load_portfolio(folder))
    correlation = case.portfolio.correlation
    model = compile_case(case)
    return {
        "values": [(v.low, v.central, v.high) for _, v in model.values],
        "groups": [v.group for _, v in model.values],
        "within": dict(correlation.groups),
        "between": {" ".join(sorted((a, b))): r for a, b, r in correlation.between},
    }


def interleaved(rows: dict[str, tuple], repeat: int) -> dict[str, list[dict[str, float]]]:
    """Every row's runs, the rows taking turns: ``repeat`` rounds of one run each."""
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in rows}
    for round_ in range(repeat):
        for name, (script, source, *args) in rows.items():
            runs[name].append(child(script, source, *args))
        print(f"  round {round_ + 1} of {repeat} done", file=sys.stderr, flush=True)
    return runs


def median(runs: list[dict[str, float]], key: str = "cpu") -> float:
    return statistics.median(r[key] for r in runs)


def paired(a: list[dict[str, float]], b: list[dict[str, float]], scale: float = 1.0) -> float:
    """The median, over rounds, of a's CPU time over b's (times ``scale``)."""
    return statistics.median(x["cpu"] / y["cpu"] * scale for x, y in zip(a, b, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--against", metavar="REF", help="a git commit to compare with")
    parser.add_argument("--scaling", action="store_true", help="also 4 x --iterations")
    parser.add_argument("--wide", action="store_true", help="also 800 values (200 projects)")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(ROOT / "src"))
    from generate import write_portfolio

    n = args.iterations
    with tempfile.TemporaryDirectory() as tmp, checkout(args.against) as old:
        folder = write_portfolio(Path(tmp) / "mc", 20, lines=2)
        grouped = write_portfolio(Path(tmp) / "grouped", 20, lines=2, grouped=True)
        table, grouped_table = Path(tmp) / "values.json", Path(tmp) / "grouped.json"
        table.write_text(json.dumps(values_of(folder)))
        grouped_table.write_text(json.dumps(values_of(grouped)))
        new = ROOT / "src"
        rows: dict[str, tuple] = {
            "floor": (FLOOR, new, table, n, 65_536, "inverse"),
            "reference": (FLOOR, new, table, n, 65_536, "beta"),
            "floor-correlated": (FLOOR, new, grouped_table, n, 65_536, "correlated"),
        }
        wide = write_portfolio(Path(tmp) / "wide", 200, lines=2) if args.wide else None
        versions = {"": new} | ({f" [{args.against}]": old} if old else {})
        for tag, source in versions.items():
            rows[f"lhs{tag}"] = (SIMULATE, source, folder, n, "lhs")
            rows[f"correlated{tag}"] = (SIMULATE, source, grouped, n, "lhs")
            rows[f"random{tag}"] = (SIMULATE, source, folder, n, "random")
            rows[f"cli{tag}"] = (CLI, source, folder, n)
            if args.scaling:
                rows[f"4x{tag}"] = (SIMULATE, source, folder, 4 * n, "lhs")
            if wide is not None:
                rows[f"wide{tag}"] = (SIMULATE, source, wide, n, "lhs")
        runs = interleaved(rows, args.repeat)
        report(runs, args, old is not None)
        if args.seeds > 1:  # a spread needs two seeds at least
            spread = child(SPREAD, new, folder, args.seeds)
            print(
                f"P50 spread across {args.seeds} seeds at 4,000 draws: lhs £{spread['lhs']:,.0f}, "
                f"random £{spread['random']:,.0f}, ratio {spread['lhs'] / spread['random']:.2f}x"
            )


def report(runs: dict[str, list[dict[str, float]]], args: argparse.Namespace, old: bool) -> None:
    """Print each row's median CPU time and peak memory, its ratio to the floor, and, with
    ``--against``, this tree's ratio to the other commit's."""
    n = args.iterations
    print(
        f"{n:,} draws, 80 uncertain values, 20 projects; CPU seconds (user + system), "
        f"medians of {args.repeat} interleaved runs"
    )
    labels = {
        "floor": "floor: uniforms, inverse CDF, sum",
        "reference": "reference: Generator.beta, sum",
        "floor-correlated": "floor, correlated: + scores, sorts",
        "lhs": "simulate() (lhs)",
        "correlated": "simulate(), all correlated",
        "random": "simulate(), random",
        "cli": "npv-calc simulate (process)",
        "4x": f"simulate() (lhs), {4 * n:,} draws",
        "wide": "simulate() (lhs), 800 values",
    }
    floor = runs["floor"]
    for key, label in labels.items():
        if key not in runs:
            continue
        peak = max(r["rss_mb"] for r in runs[key])
        line = f"{label:36} {median(runs[key]):7.2f} s   peak {peak:5.0f} MB"
        if key not in ("floor", "4x", "wide"):
            line += f"   {paired(runs[key], floor):5.2f}x the floor"
        if key == "correlated":
            line += f", {paired(runs[key], runs['floor-correlated']):.2f}x the correlated floor"
        if key == "4x":
            line += f"   cost a draw {paired(runs['4x'], runs['lhs'], 0.25):.2f}x that at {n:,}"
        if old and key not in ("floor", "reference", "floor-correlated"):
            other = runs[f"{key} [{args.against}]"]
            line += f"   {args.against}: {median(other):7.2f} s"
            line += f" peak {max(r['rss_mb'] for r in other):5.0f} MB"
            line += f", this tree {paired(runs[key], other):.2f}x its CPU"
            if key == "4x":
                ratio = paired(other, runs[f"lhs [{args.against}]"], 0.25)
                line += f" (its cost a draw {ratio:.2f}x)"
        print(line, flush=True)


if __name__ == "__main__":
    main()
