"""CPU time of the board workbook for generated portfolios of 200, 1,000 and 2,000 projects.

    python benchmarks/bench_workbook.py [--sizes 200 1000 2000] [--repeat 3] [--against REF]

Times the board pack and ``write_workbook`` together (the portfolio is loaded and appraised
first, outside the timing; before the board pack existed, ``write_workbook`` did its work
itself, so old and new time the same work), each run in a fresh interpreter, as **CPU time**
(user + system: what a busy machine makes a user pay, where the clock would also count the other
work running). Prints the median CPU time per project at each size, and the **marginal** cost per
project between sizes, ``(t(b) - t(a)) / (b - a)``: flat when the cost grows in proportion to
the portfolio, rising when some step grows faster.

``--against REF`` checks REF (a commit, branch or tag) out into a temporary git worktree and
times its writer on the same portfolios, the two **interleaved** (this tree, REF, this tree,
REF, ...) so that a machine whose speed drifts slows both alike; the ratio is the median of the
ratios of the pairs. It also says whether the two workbooks' XML parts are byte for byte the
same (the run's time is fixed, so they can be).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import write_portfolio  # noqa: E402
from refs import checkout, child  # noqa: E402

_ONE_RUN = """
import datetime as dt, hashlib, json, sys, time, zipfile
from pathlib import Path
from npv_calc import appraise, load_portfolio
from npv_calc.report.workbook import write_workbook
try:
    from npv_calc.board import board_pack
except ImportError:
    board_pack = None
folder, out = Path(sys.argv[1]), Path(sys.argv[2])
portfolio = load_portfolio(folder)
result = appraise(portfolio)
fixed = {"command": "npv-calc run", "created": dt.datetime(2026, 1, 1, 12, 0)}
start = time.process_time()
if board_pack is None:
    write_workbook(result, out, **fixed)
else:
    write_workbook(board_pack(portfolio, result=result), out, **fixed)
cpu = time.process_time() - start
digest = hashlib.sha256()
with zipfile.ZipFile(out) as book:
    for name in sorted(book.namelist()):
        digest.update(name.encode() + book.read(name))
print(json.dumps({"cpu": cpu, "bytes": out.stat().st_size, "xml": digest.hexdigest()}))
"""


def one_run(source: Path, folder: Path, out: Path) -> dict[str, float | str]:
    """Write the workbook of ``folder`` with the npv_calc of ``source`` (a ``src`` folder), in a
    fresh interpreter, and return its CPU time, size and the digest of its XML."""
    return child(_ONE_RUN, source, folder, out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000, 2000])
    parser.add_argument("--against", metavar="REF", help="a git commit to compare with")
    args = parser.parse_args()
    print(f"CPU time of the board pack and the workbook; medians of {args.repeat} runs")
    with tempfile.TemporaryDirectory() as tmp, checkout(args.against) as other:
        sources = {"this tree": ROOT / "src"} | ({args.against: other} if other else {})
        medians: dict[str, dict[int, float]] = {name: {} for name in sources}
        for size in sorted(args.sizes):
            folder = write_portfolio(Path(tmp) / f"p{size}", size)
            runs: dict[str, list[dict[str, float | str]]] = {name: [] for name in sources}
            for _ in range(args.repeat):  # interleaved: this tree, the other, this tree, ...
                for name, source in sources.items():
                    out = Path(tmp) / f"{size}-{len(runs[name])}-{name[:4]}.xlsx"
                    runs[name].append(one_run(source, folder, out))
            for name, results in runs.items():
                median = statistics.median(float(r["cpu"]) for r in results)
                medians[name][size] = median
                megabytes = float(results[-1]["bytes"]) / 1e6
                line = (
                    f"{size:5d} projects, {name:>10s}: {median:7.2f} s CPU "
                    f"({median / size * 1000:5.2f} ms a project, {megabytes:5.2f} MB)"
                )
                if name != "this tree":
                    ours = runs["this tree"]
                    ratio = statistics.median(
                        float(o["cpu"]) / float(r["cpu"])
                        for o, r in zip(ours, results, strict=True)
                    )
                    same = ours[-1]["xml"] == results[-1]["xml"]
                    line += f"; this tree takes {ratio:.2f}x its CPU"
                    line += "; XML byte for byte the same" if same else "; XML differs"
                print(line, flush=True)
        sizes = sorted(args.sizes)
        for name, by_size in medians.items():
            steps = [
                f"{a:,} to {b:,}: {(by_size[b] - by_size[a]) / (b - a) * 1000:.2f} ms"
                for a, b in itertools.pairwise(sizes)
            ]
            if steps:
                print(f"marginal CPU a project, {name}: " + ", ".join(steps))


if __name__ == "__main__":
    main()
