"""Recalculate workbooks in Gnumeric (``ssconvert --recalc``), a second spreadsheet engine.

Gnumeric evaluates some formulas differently from Excel and LibreOffice (a function applied to a
range inside SUMPRODUCT, for one), so a workbook that agrees with both is one any spreadsheet
reads alike.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from .cells import Book, position, read_book

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


#: The most rows and columns a workbook in Excel 97's format (BIFF8, .xls) holds.
BIFF8_ROWS, BIFF8_COLUMNS = 65_536, 256


def recalculate(files: Sequence[Path], outdir: Path) -> list[Path]:
    """Open each workbook in Gnumeric, recalculate every formula and read back what it
    calculated: a file per workbook, in ``outdir``, in the order given, that
    :func:`tests.cells.read_book` reads as it reads a workbook (every cell's value; the
    workbook's own names, which a recalculation does not move).

    Gnumeric saves its recalculation in Excel 97's format (.xls, read with xlrd: every value
    with its type, numbers exact): 0.3 s for the example's workbook, against 1.3 s to save it
    as .xlsx, whose every styled blank Gnumeric writes out to column XFD (350,000 of them, and
    seconds more to read). A workbook larger than that format holds is saved as .xlsx
    (:func:`saved_by_gnumeric`)."""
    outdir.mkdir(parents=True, exist_ok=True)
    outputs = []
    for path in files:
        book = read_book(path)
        if not _fits_biff8(book):
            outputs.append(saved_by_gnumeric(path, outdir))
            continue
        saved = outdir / (Path(path).stem + ".gnumeric.xls")
        _ssconvert(path, saved, "--export-type=Gnumeric_Excel:excel_biff8")
        try:
            sheets = _biff8_values(saved)
        except (struct.error, IndexError, UnicodeDecodeError, AssertionError):
            # what xlrd cannot read (none seen beside the text _fits_biff8 sends elsewhere)
            outputs.append(saved_by_gnumeric(path, outdir))
            continue
        target = outdir / (Path(path).stem + ".values.json")
        target.write_text(json.dumps({"sheets": sheets, "names": book.names}), encoding="utf-8")
        outputs.append(target)
    return outputs


def saved_by_gnumeric(path: Path, outdir: Path) -> Path:
    """The workbook at ``path`` recalculated by Gnumeric and saved as .xlsx in ``outdir`` (its
    blank cells left out: :func:`without_blank_cells`); Gnumeric's own file is kept beside
    it, as ``<name>.gnumeric.xlsx``."""
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / Path(path).name
    saved = outdir / (Path(path).stem + ".gnumeric.xlsx")
    _ssconvert(path, saved)
    without_blank_cells(saved, target)
    return target


def _ssconvert(path: Path, saved: Path, *options: str) -> None:
    done = subprocess.run(
        [ssconvert(), "--recalc", *options, str(path), str(saved)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode or not saved.exists():
        pytest.fail(
            f"Gnumeric failed on {path} (exit {done.returncode})\n{done.stderr}", pytrace=False
        )


def _fits_biff8(book: Book) -> bool:
    """Whether a workbook goes through .xls: within its rows and columns, and with no character
    beyond the Basic Multilingual Plane (an emoji, say) in its text. Such a character is two
    UTF-16 units, which Gnumeric may split across the records of an .xls and xlrd then cannot
    read (struct errors, failed assertions, bad surrogates: seen on generated workbooks)."""
    for cells in book.sheets.values():
        for reference, cell in cells.items():
            row, column = position(reference)
            if row > BIFF8_ROWS or column > BIFF8_COLUMNS:
                return False
            if isinstance(cell.value, str) and any(ord(char) > 0xFFFF for char in cell.value):
                return False
    return True


def _biff8_values(path: Path) -> list[dict[str, object]]:
    """Each sheet of an .xls file as tests/uno_convert.py gives LibreOffice's values: its
    title, its rows of values ("" where empty) and the cells that hold an error."""
    import xlrd

    sheets = []
    for sheet in xlrd.open_workbook(str(path)).sheets():
        rows: list[list[object]] = []
        errors = []
        for r in range(sheet.nrows):
            row: list[object] = []
            for c, cell in enumerate(sheet.row(r)):
                if cell.ctype == xlrd.XL_CELL_ERROR:
                    errors.append([r, c, xlrd.error_text_from_code[cell.value]])
                    row.append("")
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(bool(cell.value))
                elif cell.ctype in (xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE, xlrd.XL_CELL_TEXT):
                    row.append(cell.value)
                else:  # empty or blank
                    row.append("")
            rows.append(row)
        sheets.append({"title": sheet.name, "rows": rows, "errors": errors})
    return sheets
