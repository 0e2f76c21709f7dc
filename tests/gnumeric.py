"""Recalculate workbooks in Gnumeric (``ssconvert --recalc``), a second spreadsheet engine.

Gnumeric evaluates some formulas differently from Excel and LibreOffice (a function applied to a
range inside SUMPRODUCT, for one), so a workbook that agrees with both is one any spreadsheet
reads alike.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

INSTALL_HINT = (
    "Gnumeric's ssconvert is needed to recalculate the workbook: install it with "
    "`apt-get install -y gnumeric` (Debian/Ubuntu); .ci/run does this."
)


def ssconvert() -> str:
    """The ssconvert executable, or a test failure saying how to install it."""
    found = shutil.which("ssconvert")
    if not found:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return found


#: A cell element with no content (``<c r="B1" s="2"/>``): a styled blank, no value.
EMPTY_CELL = re.compile(rb"<c(?:\s+[\w:]+=\"[^\"]*\")*\s*/>")


def without_blank_cells(source: Path, target: Path) -> None:
    """``source`` with its worksheets' empty cell elements left out, saved as ``target``.

    Gnumeric saves every styled blank out to the last column (XFD): about 16,000 cells a row,
    350,000 elements in the example's workbook, which openpyxl takes 10 seconds or more to
    read. An element with no value holds no value to compare: each cell that has one (a number,
    string, boolean or error, with or without its formula) is kept byte for byte, so openpyxl
    reads every value as it would from ``source``.
    """
    with zipfile.ZipFile(source) as inside, zipfile.ZipFile(target, "w") as out:
        for item in inside.infolist():
            data = inside.read(item)
            if item.filename.startswith("xl/worksheets/") and item.filename.endswith(".xml"):
                data = EMPTY_CELL.sub(b"", data)
            out.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=1)


def recalculate(files: Sequence[Path], outdir: Path) -> list[Path]:
    """Open each workbook in Gnumeric, recalculate every formula and save it as .xlsx in
    ``outdir`` (its blank cells left out: :func:`without_blank_cells`); returns the
    recalculated files in the order given. Gnumeric's own file is kept beside each, as
    ``<name>.gnumeric.xlsx``."""
    outdir.mkdir(parents=True, exist_ok=True)
    outputs = []
    for path in files:
        target = outdir / Path(path).name
        saved = outdir / (Path(path).stem + ".gnumeric.xlsx")
        done = subprocess.run(
            [ssconvert(), "--recalc", str(path), str(saved)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode or not saved.exists():
            pytest.fail(
                f"Gnumeric failed on {path} (exit {done.returncode})\n{done.stderr}",
                pytrace=False,
            )
        without_blank_cells(saved, target)
        outputs.append(target)
    return outputs
