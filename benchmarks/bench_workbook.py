"""Time writing the board workbook for generated portfolios of 50, 200 and 1,000 projects.

    python benchmarks/bench_workbook.py [--sizes 50 200 1000] [--repeat 3] [--against REF]

Times ``write_workbook`` alone (the portfolio is loaded and appraised once, outside the timing),
as the median of repeated runs, and prints the time per project (so that linear growth shows)
and the file size. ``--against REF`` also times the workbook writer of a git commit (e.g. the
previous one) on the same portfolios, the two runs interleaved so that a noisy machine slows both
alike, and prints the ratio.
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
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from generate import write_portfolio  # noqa: E402

# The board pack (every scenario, the economic cases) is built inside the timing: before it
# existed, write_workbook did that work itself, so old and new time the same work.
_ONE_RUN = """
import json, sys, time
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
start = time.perf_counter()
if board_pack is None:
    write_workbook(result, out)
else:
    write_workbook(board_pack(portfolio, result=result, tornado=False), out)
print(json.dumps({"seconds": time.perf_counter() - start, "bytes": out.stat().st_size}))
"""


def one_run(source: Path, folder: Path, out: Path) -> dict[str, float]:
    """Write the workbook of ``folder`` with the npv_calc of ``source`` (a ``src`` folder), in a
    fresh interpreter, and return its time and size."""
    done = subprocess.run(
        [sys.executable, "-c", _ONE_RUN, str(folder), str(out)],
        env={"PYTHONPATH": str(source), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--against", help="a git commit to compare with, e.g. HEAD~1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = {"this tree": ROOT / "src"}
        if args.against:
            other = Path(tmp) / "other"
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(other), args.against],
                check=True,
                capture_output=True,
            )
            sources[args.against] = other / "src"
        try:
            for size in args.sizes:
                folder = write_portfolio(Path(tmp) / f"p{size}", size)
                runs: dict[str, list[dict[str, float]]] = {name: [] for name in sources}
                for _ in range(args.repeat):
                    for name, source in sources.items():
                        runs[name].append(one_run(source, folder, Path(tmp) / f"{size}.xlsx"))
                medians = {
                    name: statistics.median(r["seconds"] for r in results)
                    for name, results in runs.items()
                }
                for name, results in runs.items():
                    median = medians[name]
                    line = (
                        f"{size:5d} projects, {name:>10s}: median {median:6.2f} s "
                        f"({median / size * 1000:5.1f} ms a project, "
                        f"{results[-1]['bytes'] / 1e6:5.2f} MB)"
                    )
                    if args.against and name != "this tree":
                        line += f"; this tree is {median / medians['this tree']:.2f}x as fast"
                    print(line, flush=True)
        finally:
            if args.against:
                subprocess.run(
                    ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(other)],
                    capture_output=True,
                )


if __name__ == "__main__":
    main()
