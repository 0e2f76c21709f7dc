"""Recalculate workbooks in LibreOffice Calc, a real spreadsheet engine, and read them back.

LibreOffice keeps the cached values of a file unless told to recalculate on load, so each run uses
a throw-away user profile whose settings say "always recalculate" for OOXML and ODF files.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from .cells import Cell, read_book

INSTALL_HINT = (
    "LibreOffice Calc is needed to recalculate the workbook: install it with "
    "`apt-get install -y libreoffice-calc-nogui` (Debian/Ubuntu); .ci/run does this."
)

_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
           xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
  <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
</item>
</oor:items>
"""


def soffice() -> str:
    """The LibreOffice executable, or a test failure saying how to install it."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        pytest.fail(INSTALL_HINT, pytrace=False)
    return found


def convert(
    files: Sequence[Path], outdir: Path, target: str = "xlsx:Calc MS Excel 2007 XML"
) -> list[Path]:
    """Open each file in LibreOffice (recalculating every formula) and save it as ``target``.

    Returns the converted files, in ``outdir``, in the order given. The conversion runs in this
    test process's own LibreOffice, started once (:func:`_office`), when the system Python has
    LibreOffice's UNO bridge; otherwise each call runs ``soffice --convert-to``.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    extension, _, filter_name = target.partition(":")
    outputs = [outdir / (Path(f).stem + "." + extension) for f in files]
    done = _through_office(files, outputs, filter_name) if filter_name else None
    if done is None:
        done = _convert_by_command(files, outdir, target)
    missing = [p for p in outputs if not p.exists()]
    if done.returncode or missing:
        pytest.fail(
            f"LibreOffice failed (exit {done.returncode}); missing {missing}\n"
            f"stdout: {done.stdout}\nstderr: {done.stderr}",
            pytrace=False,
        )
    return outputs


def recalculate_in_libreoffice(files: Sequence[Path], outdir: Path) -> list[Path]:
    """Open each workbook in LibreOffice (recalculating every formula) and read back what it
    calculated: a file per workbook, in ``outdir``, that :func:`tests.cells.read_book` reads as
    it reads a workbook (every cell's value, the workbook's own names).

    Through this process's LibreOffice, the values come as JSON (tests/uno_convert.py), exact,
    in half the time of saving a workbook and reading it; without the UNO bridge, the workbook
    LibreOffice saved (:func:`convert`)."""
    outdir.mkdir(parents=True, exist_ok=True)
    outputs = [outdir / (Path(f).stem + ".values.json") for f in files]
    done = _through_office(files, outputs, "values")
    if done is None:
        return convert(files, outdir)
    for source, output in zip(files, outputs, strict=True):
        calculated = json.loads(output.read_text(encoding="utf-8"))
        calculated["names"] = read_book(source).names  # LibreOffice moves no cell
        output.write_text(json.dumps(calculated), encoding="utf-8")
    return outputs


def _through_office(
    files: Sequence[Path], outputs: Sequence[Path], filter_name: str
) -> subprocess.CompletedProcess[str] | None:
    """Each file converted to its output in this process's LibreOffice with ``filter_name``;
    None when there is no UNO bridge, or the shared LibreOffice failed (it is stopped: the
    caller converts by command)."""
    office = _office()
    if office is None:
        return None
    python, pipe = office
    pairs = [str(p) for f, out in zip(files, outputs, strict=True) for p in (f, out)]
    done = subprocess.run(
        [python, str(UNO_CONVERT), pipe, filter_name, *pairs],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode or not all(p.exists() for p in outputs):
        # LibreOffice, long-running, may fail a conversion on a loaded machine (rarely):
        # a fresh one then converts the files, as it would have without the shared one.
        print(  # shown with the test's output if the second try fails too
            f"shared LibreOffice failed (exit {done.returncode}): {done.stderr}",
            file=sys.stderr,
        )
        _stop_office()
        return None
    return done


def _profile(folder: Path) -> Path:
    """A throw-away LibreOffice user profile in ``folder`` whose settings recalculate on load."""
    (folder / "user").mkdir(parents=True, exist_ok=True)
    (folder / "user" / "registrymodifications.xcu").write_text(_SETTINGS, encoding="utf-8")
    return folder


def _convert_by_command(
    files: Sequence[Path], outdir: Path, target: str
) -> subprocess.CompletedProcess[str]:
    """``soffice --convert-to``: a LibreOffice started (a few seconds) for this call alone."""
    profile = _profile(outdir / ".profile")
    command = [
        soffice(),
        f"-env:UserInstallation={profile.resolve().as_uri()}",
        "--headless",
        "--norestore",
        "--convert-to",
        target,
        "--outdir",
        str(outdir),
        *map(str, files),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


#: The script that converts through a running LibreOffice (run by the system Python).
UNO_CONVERT = Path(__file__).with_name("uno_convert.py")

#: This process's LibreOffice: the process, its pipe, its profile, the Python that talks to it.
_OFFICE: dict[str, Any] = {}


def _uno_python() -> str | None:
    """A Python that can import LibreOffice's ``uno`` (Debian's python3-uno), or None."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if candidate and Path(candidate).exists():
            probe = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=60)
            if probe.returncode == 0:
                return candidate
    return None


def _office() -> tuple[str, str] | None:
    """The Python and pipe name of this test process's LibreOffice, listening for UNO
    connections; started on first use (and again if it died), stopped when the process exits.
    None when no Python here has the UNO bridge."""
    if "python" not in _OFFICE:
        _OFFICE["python"] = _uno_python()
    python = _OFFICE["python"]
    if python is None:
        return None
    process = _OFFICE.get("process")
    if process is None or process.poll() is not None:
        folder = Path(tempfile.mkdtemp(prefix="npv-calc-office-"))
        pipe = f"npv_calc_tests_{os.getpid()}_{folder.name}"
        process = subprocess.Popen(
            [
                soffice(),
                f"-env:UserInstallation={_profile(folder).as_uri()}",
                "--headless",
                "--invisible",
                "--norestore",
                "--nologo",
                "--nodefault",
                f"--accept=pipe,name={pipe};urp;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, ended as one at exit
        )
        if not _OFFICE.get("process"):
            atexit.register(_stop_office)
        _OFFICE.update(process=process, pipe=pipe, folder=folder)
    return python, _OFFICE["pipe"]


def _stop_office() -> None:
    """Close this process's LibreOffice: asked through UNO, then its process group ended."""
    process = _OFFICE.get("process")
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            subprocess.run(
                [_OFFICE["python"], str(UNO_CONVERT), _OFFICE["pipe"], "--terminate"],
                capture_output=True,
                timeout=30,
            )
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # what is left of the group this file started
    shutil.rmtree(_OFFICE["folder"], ignore_errors=True)


def named_values(path: Path) -> dict[str, object]:
    """The value of every single-cell workbook-level defined name in a workbook, as last
    calculated."""
    book = read_book(path)
    values: dict[str, object] = {}
    for name, (sheet, coordinate) in book.names.items():
        cell = book.sheets.get(sheet, {}).get(coordinate)
        values[name] = None if cell is None else cell.value
    return values


def projects_table(sheet: Any) -> dict[str, dict[str, object]]:
    """The Projects sheet's table read by its headers: each project's id to its row's values
    by column header (``"BCR"``, ``"Payback"``, ``"Counts toward target"``, ...). ``sheet``:
    an openpyxl worksheet, or its rows of values (:func:`tests.cells.sheet_rows`)."""
    rows = list(sheet.iter_rows(values_only=True)) if hasattr(sheet, "iter_rows") else sheet
    header = next(r for r, row in enumerate(rows) if row and row[0] == "ID")
    labels = dict(enumerate(rows[header]))
    table: dict[str, dict[str, object]] = {}
    for row in rows[header + 1 :]:
        if not row or not row[0]:
            break
        table[row[0]] = {label: row[c] for c, label in labels.items() if label}
    return table


#: How far a recalculated value may differ from the stored one (SPEC.md): a penny for money,
#: 1e-9 relative for other numbers, with an absolute floor of 1e-9 for values that should be 0.
#: "Relative" is to the largest of the two values and of the cells on the same sheet the formula
#: combines: the Audit sheet's difference of two equal ratios is 0 to npv-calc and round-off to
#: an engine, 1e-12 for ratios of about 1,000 but 3.5e-9 for a ratio of 1e7 (a fiscal benefit
#: over a cost of pence), which is not a disagreement either.
PENNY = 0.01
RELATIVE = 1e-9
FLOOR = 1e-9


#: A reference to one cell on the formula's own sheet (not a range's end, nor a name's part).
_OWN_CELL = re.compile(r"(?<![\w!:.$'])\$?([A-Z]{1,3})\$?([0-9]+)(?![\w:(])")


def _operands(cells: dict[str, Cell], formula: str) -> float:
    """The largest size of the numbers in the cells of its own sheet a formula refers to (0
    for none)."""
    sizes = [0.0]
    for column, row in _OWN_CELL.findall(formula):
        value = getattr(cells.get(column + row), "value", None)
        if isinstance(value, int | float) and not isinstance(value, bool):
            sizes.append(abs(value))
    return max(sizes)


def stored_values_that_differ(
    written: Path, recalculated: Path, engine: str = "LibreOffice"
) -> tuple[int, list[str]]:
    """Compare every formula cell's stored value (as npv-calc wrote it) with the value a
    spreadsheet ``engine`` recalculated; returns the number of formula cells and a line per
    difference."""
    mine = read_book(written).sheets
    fresh = read_book(recalculated).sheets
    count = 0
    differences = []
    for title, cells in mine.items():
        for coordinate, cell in cells.items():
            if cell.formula is None:
                continue
            count += 1
            a = cell.value
            theirs = fresh.get(title, {}).get(coordinate)
            b = None if theirs is None else theirs.value
            if a in (None, "") and b in (None, ""):
                continue
            numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (a, b))
            if numbers:
                if "£" in cell.number_format:
                    same = abs(a - b) <= PENNY
                else:
                    scale = max(abs(a), abs(b), _operands(cells, cell.formula))
                    same = abs(a - b) <= max(RELATIVE * scale, FLOOR)
            else:
                same = a == b
            if not same:
                differences.append(
                    f"{title}!{coordinate} ={cell.formula}: stored {a!r}, {engine} {b!r}"
                )
    return count, differences
