"""The board-workbook property on a large sample: every generated portfolio writes a workbook whose
every formula cell stores what LibreOffice and Gnumeric recalculate.

    python benchmarks/board_property.py [--count 200] [--seed 2026] [--batch 25]

The test suite draws a few examples (``tests/test_board_property.py``); this draws many (the
same strategy, ``tests/strategies.py``'s ``board_portfolios``, with a fixed seed), writes their
workbooks (a third of them with a Monte Carlo sheet), recalculates them in LibreOffice a batch at
a time (one LibreOffice start for each batch) and reports every one whose stored values or named
figures differ, with the folder that reproduces it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def draw(count: int, seed: int) -> list[Any]:
    """``count`` generated portfolios, the same for a seed."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed
    from tests.strategies import board_portfolios

    drawn: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @fixed_seed(seed)
    @given(board_portfolios())
    def collect(generated: Any) -> None:
        drawn.append(generated)

    collect()
    return drawn[:count]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--keep", type=Path, help="write the portfolios and workbooks here")
    args = parser.parse_args()

    from tests.gnumeric import recalculate
    from tests.libreoffice import convert
    from tests.test_board_property import board_workbook
    from tests.test_workbook_libreoffice import (
        assert_same_figures,
        assert_stored_values_recalculate,
    )

    start = time.monotonic()
    root = args.keep or Path(tempfile.mkdtemp(prefix="npv-calc-board-"))
    written = []
    for number, generated in enumerate(draw(args.count, args.seed), start=1):
        folder = root / f"{number:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        path, result = board_workbook(generated, folder, 300 if number % 3 == 0 else None)
        # one name per workbook, so that a batch converts into one folder
        named = path.rename(folder / f"board-{number:04d}.xlsx")
        written.append((named, result))
    failures = []
    for first in range(0, len(written), args.batch):
        batch = written[first : first + args.batch]
        recalculated = convert([p for p, _ in batch], root / "recalculated")
        by_gnumeric = recalculate([p for p, _ in batch], root / "gnumeric")
        for (path, result), again, gnumeric in zip(batch, recalculated, by_gnumeric, strict=True):
            try:
                assert_stored_values_recalculate(path, again)
                assert_same_figures(again, result)
                assert_stored_values_recalculate(path, gnumeric, "Gnumeric")
            except AssertionError as exc:
                failures.append(f"{path.parent}: {str(exc).splitlines()[0][:300]}")
    for failure in failures:
        print(failure)
    seconds = time.monotonic() - start
    print(
        f"{len(written)} generated workbooks recalculated by LibreOffice and Gnumeric in "
        f"{seconds:.0f} s: "
        f"{len(written) - len(failures)} agree with every stored value, {len(failures)} do not"
        + ("" if args.keep else f" (files in {root})")
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
