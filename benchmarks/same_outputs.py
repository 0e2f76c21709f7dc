"""Show that a change of code changes no output: the JSON documents and the board workbooks of two
checkouts, compared cell by cell.

    python benchmarks/same_outputs.py generate /tmp/gen --count 50
    python benchmarks/same_outputs.py compare OLD_CHECKOUT NEW_CHECKOUT --gen /tmp/gen

``generate`` writes portfolios drawn by ``tests/strategies.py``'s ``board_portfolios`` (every
optional setting absent or present, risks, outturn, correlation groups, value types) into
numbered folders. ``compare`` runs ``dump`` once with each checkout's ``src`` first on the
Python path (both in this interpreter's environment), then reports every difference: the
example portfolio (``scenarios/`` of the new checkout) and each generated one, through the
command line (``run``, ``sensitivity``, ``simulate``, ``progress``, ``case`` as JSON, and
``run --xlsx``; for the example also ``simulate --xlsx``). A workbook is compared by its cells
(each formula and its stored value, and each number format), defined names, merged ranges, row
heights, column widths, print set-up and charts; the time of the run (Audit's "Run at") is left
out, as it differs by nature.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
#: What each portfolio is run through; the last element says which need outturn.
COMMANDS: tuple[tuple[str, list[str]], ...] = (
    ("run", ["run", "--format", "json"]),
    ("run-pessimistic", ["run", "--format", "json", "--scenario", "pessimistic"]),
    ("sensitivity", ["sensitivity", "--format", "json"]),
    ("simulate", ["simulate", "-n", "400", "--seed", "1", "--format", "json"]),
    ("progress", ["progress", "--format", "json"]),
    ("case", ["case", "--format", "json"]),
)


def generate(folder: Path, count: int) -> None:
    from hypothesis import HealthCheck, Phase, given, seed, settings

    sys.path.insert(0, str(HERE.parent))
    from tests.strategies import board_portfolios, write

    drawn: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @seed(2026)  # the same portfolios every time
    @given(board_portfolios())
    def collect(generated: Any) -> None:
        drawn.append(generated)

    collect()
    for number, generated in enumerate(drawn[:count], start=1):
        write(folder / f"{number:03d}", generated)
    print(f"Wrote {len(drawn[:count])} portfolios to {folder}")


def _cli(args: list[str]) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from npv_calc.cli import cli

    result = CliRunner().invoke(cli, args)
    return result.exit_code, result.stdout, result.stderr


def workbook_cells(path: Path) -> dict[str, Any]:
    """Everything a reader of the workbook sees, as plain data."""
    import openpyxl

    formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    out: dict[str, Any] = {"names": {}, "sheets": {}}
    for name, defined in formulas.defined_names.items():
        out["names"][name] = defined.attr_text
    for ws in formulas.worksheets:
        wv = values[ws.title]
        cells = {}
        run_at = None
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None and cell.number_format == "General":
                    continue
                if ws.title == "Audit" and cell.value == "Run at":
                    run_at = cell.row
                stored = wv[cell.coordinate].value
                cells[cell.coordinate] = [repr(cell.value), repr(stored), cell.number_format]
        if run_at is not None:
            cells.pop(f"B{run_at}", None)
        out["sheets"][ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "heights": {k: v.height for k, v in ws.row_dimensions.items() if v.height},
            "widths": {k: v.width for k, v in ws.column_dimensions.items() if v.width},
            "print_area": ws.print_area,
            "print_titles": [ws.print_title_rows, ws.print_title_cols],
            "breaks": [b.id for b in ws.row_breaks.brk],
            "validations": sorted(
                f"{v.sqref} {v.type} {v.formula1} {v.formula2}"
                for v in ws.data_validations.dataValidation
            ),
            "conditional": sorted(
                f"{r.sqref} {[x.formula for x in r.rules]}" for r in ws.conditional_formatting
            ),
        }
    with zipfile.ZipFile(path) as archive:
        out["charts"] = sorted(
            archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/charts/")
        )
    return out


def dump(out: Path, gen: Path | None, example: Path) -> None:
    """Every output of the code that ``import npv_calc`` finds, for the example and ``gen``."""
    out.mkdir(parents=True, exist_ok=True)
    folders = [("example", example)]
    if gen is not None:
        folders += [(p.name, p) for p in sorted(gen.iterdir()) if p.is_dir()]
    # The same scratch folder for every dump: the workbook's Audit sheet records the command,
    # output path included.
    scratch = Path(tempfile.gettempdir()) / "npv-calc-same-outputs"
    scratch.mkdir(exist_ok=True)
    for label, folder in folders:
        record: dict[str, Any] = {}
        for name, args in COMMANDS:
            record[name] = _cli([*args, str(folder)])
        book = scratch / f"{label}.xlsx"
        runs = [("xlsx", ["run", str(folder), "--xlsx", str(book)])]
        if label == "example":
            simulate = ["simulate", "-n", "2000", "--seed", "1", str(folder)]
            runs.append(("mc-xlsx", [*simulate, "--xlsx", str(book)]))
        for name, args in runs:
            code, _, err = _cli(args)
            record[name] = {"exit": code, "stderr": err}
            if code == 0:
                record[name]["workbook"] = workbook_cells(book)
                book.unlink()
        (out / f"{label}.json").write_text(json.dumps(record, indent=1, sort_keys=True))
    print(f"Dumped {len(folders)} portfolios to {out}")


def _differences(old: Any, new: Any, where: str, found: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if key not in old or key not in new:
                found.append(f"{where}/{key}: only in {'new' if key not in old else 'old'}")
            else:
                _differences(old[key], new[key], f"{where}/{key}", found)
    elif old != new:
        found.append(f"{where}: {str(old)[:300]!s} -> {str(new)[:300]!s}")


def compare(old: Path, new: Path, gen: Path | None) -> int:
    """Dump both checkouts' outputs and report every difference; 1 when there is one."""
    with tempfile.TemporaryDirectory() as scratch:
        dumps = {}
        for label, checkout in (("old", old), ("new", new)):
            target = Path(scratch) / label
            env = {**os.environ, "PYTHONPATH": str(checkout.resolve() / "src")}
            example = str(new / "scenarios")
            command = [sys.executable, __file__, "dump", str(target), "--example", example]
            if gen is not None:
                command += ["--gen", str(gen)]
            subprocess.run(command, env=env, check=True)
            dumps[label] = target
        return diff(dumps["old"], dumps["new"])


def diff(old: Path, new: Path) -> int:
    """Every difference between two dumps; 1 when there is one."""
    found: list[str] = []
    files = sorted(p.name for p in old.iterdir())
    for name in files:
        before = json.loads((old / name).read_text())
        after = json.loads((new / name).read_text())
        _differences(before, after, name.removesuffix(".json"), found)
    for line in found:
        print(line)
    print(f"{len(files)} portfolios compared: {len(found)} differences")
    return 1 if found else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("generate")
    g.add_argument("folder", type=Path)
    g.add_argument("--count", type=int, default=50)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--gen", type=Path)
    d.add_argument("--example", type=Path, default=HERE.parent / "scenarios")
    c = sub.add_parser("compare")
    c.add_argument("old", type=Path)
    c.add_argument("new", type=Path)
    c.add_argument("--gen", type=Path)
    f = sub.add_parser("diff")
    f.add_argument("old", type=Path)
    f.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "diff":
        return diff(args.old, args.new)
    if args.command == "generate":
        generate(args.folder, args.count)
    elif args.command == "dump":
        dump(args.out, args.gen, args.example)
    else:
        return compare(args.old, args.new, args.gen)
    return 0


if __name__ == "__main__":
    sys.exit(main())
