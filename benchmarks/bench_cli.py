"""Start-up and `run` timings of the real command, as medians over repeated runs.

    python benchmarks/bench_cli.py [--repeat 7]

Times, in separate processes (so imports count, as a user feels them):
* ``python -c "import click"`` (the floor any Click CLI pays) against ``npv-calc --help``;
* ``npv-calc validate`` on the example portfolio;
* ``npv-calc run --format json`` on a generated 1,000-project portfolio (4 lines each).

Timings on shared machines are noisy: read the medians and the ratios, not single runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import write_portfolio  # noqa: E402

CLI = [sys.executable, "-m", "npv_calc"]


def median_seconds(command: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--projects", type=int, default=1000)
    args = parser.parse_args()

    floor = median_seconds([sys.executable, "-c", "import click"], args.repeat)
    help_ = median_seconds([*CLI, "--help"], args.repeat)
    validate = median_seconds([*CLI, "validate", str(HERE.parent / "scenarios")], args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_portfolio(Path(tmp) / "big", args.projects)
        run = median_seconds([*CLI, "run", str(folder), "--format", "json"], args.repeat)

    print(f"python -c 'import click'         median {floor * 1000:8.1f} ms")
    print(
        f"npv-calc --help                  median {help_ * 1000:8.1f} ms "
        f"({help_ / floor:.2f}x import click)"
    )
    print(f"npv-calc validate scenarios/     median {validate * 1000:8.1f} ms")
    print(f"npv-calc run ({args.projects} projects, json)  median {run * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
