"""Loading and appraising a large generated portfolio in-process, as medians over repeats.

    python benchmarks/bench_appraise.py [--projects 10000] [--repeat 5]

Times, separately: ``load_portfolio`` (reading, validating and cross-checking the files) and
``appraise`` (preparing the case and calculating every project), on a generated portfolio of
``--projects`` projects with 4 lines each. Run it on two commits to compare them; read the
medians, not single runs (these machines are shared and noisy).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_portfolio(Path(tmp) / "big", args.projects)
        loads, appraisals = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            portfolio = load_portfolio(folder)
            loads.append(time.perf_counter() - start)
            start = time.perf_counter()
            appraise(portfolio)
            appraisals.append(time.perf_counter() - start)
    load_ms = statistics.median(loads) * 1000
    appraise_ms = statistics.median(appraisals) * 1000
    print(f"load_portfolio ({args.projects} projects)  median {load_ms:9.1f} ms")
    print(f"appraise       ({args.projects} projects)  median {appraise_ms:9.1f} ms")


if __name__ == "__main__":
    main()
