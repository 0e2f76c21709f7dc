"""Recalculate workbooks in Gnumeric (``ssconvert --recalc``), a second spreadsheet engine.

Gnumeric evaluates some formulas differently from Excel and LibreOffice (a function applied to a
range inside SUMPRODUCT, for one), so a workbook that agrees with both is one any spreadsheet
reads alike.
"""

from __future__ import annotations

import shutil
import subprocess
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


def recalculate(files: Sequence[Path], outdir: Path) -> list[Path]:
    """Open each workbook in Gnumeric, recalculate every formula and save it as .xlsx in
    ``outdir``; returns the recalculated files in the order given."""
    outdir.mkdir(parents=True, exist_ok=True)
    outputs = []
    for path in files:
        target = outdir / Path(path).name
        done = subprocess.run(
            [ssconvert(), "--recalc", str(path), str(target)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode or not target.exists():
            pytest.fail(
                f"Gnumeric failed on {path} (exit {done.returncode})\n{done.stderr}",
                pytrace=False,
            )
        outputs.append(target)
    return outputs
