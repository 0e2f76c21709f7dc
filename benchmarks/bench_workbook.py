"""Time writing the board workbook for generated portfolios of 50 and 200 projects.

    python benchmarks/bench_workbook.py [--repeat 5]

Times ``write_workbook`` alone (the portfolio is loaded and appraised once, outside the timing),
as the median of repeated runs, and prints the time per project so that linear growth shows.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import write_portfolio  # noqa: E402
from npv_calc import appraise, load_portfolio  # noqa: E402
from npv_calc.report.workbook import write_workbook  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            folder = write_portfolio(Path(tmp) / f"p{size}", size)
            result = appraise(load_portfolio(folder))
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                write_workbook(result, Path(tmp) / f"board{size}.xlsx")
                times.append(time.perf_counter() - start)
            median = statistics.median(times)
            print(
                f"{size:4d} projects: median {median:6.2f} s "
                f"({median / size * 1000:5.1f} ms a project, "
                f"{(Path(tmp) / f'board{size}.xlsx').stat().st_size / 1e6:.1f} MB)"
            )


if __name__ == "__main__":
    main()
