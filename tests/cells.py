"""Every cell of a workbook read straight from its XML: value, formula and number format.

The recalculation tests compare every formula cell of a workbook npv-calc wrote with the same cell
after a spreadsheet engine recalculated it. openpyxl reads a whole workbook model for that
(styles, merged cells, a cell object each) three times per comparison, 0.2 s a time for the
example's; this reads the two files once each, 0.04 s a time, and gives what the comparison
needs. It is checked against openpyxl, cell by cell and name by name, on npv-calc's and
LibreOffice's files (``test_workbook_libreoffice.py``) and Gnumeric's
(``test_workbook_gnumeric.py``): :func:`differences_from_openpyxl`.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import posixpath
import re
import zipfile
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

# The standard library's parser (in C, 2.4 times as fast as defusedxml's for these files): what
# it reads here is npv-calc's own output and the spreadsheet engines' saves of it, made by the
# test, never input from outside (npv-calc reads untrusted workbooks with defusedxml).
from xml.etree import ElementTree

from npv_calc.workbook_xml import column_letters, column_number

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


@dataclass(frozen=True)
class Cell:
    """A cell as stored: its value (a number, text, a bool, an error such as ``"#N/A"``, or
    None), its formula (None for a constant; ``""`` for a follower of a shared formula, whose
    text is its leader's) and its number format (``"General"`` when it has none)."""

    value: object
    formula: str | None
    number_format: str


@dataclass(frozen=True)
class Book:
    """Every sheet's non-empty cells by coordinate (``"B7"``), and each workbook-level name that
    points at one cell: name to (sheet, coordinate)."""

    sheets: dict[str, dict[str, Cell]]
    names: dict[str, tuple[str, str]]


#: The books read in this process, by the digest of their bytes (the latest few).
_READ: OrderedDict[bytes, Book] = OrderedDict()
_KEEP = 8


def read_book(path: Path) -> Book:
    """The cells and names of the workbook at ``path`` (read once per process for the same
    bytes: do not change what it returns)."""
    data = Path(path).read_bytes()
    digest = hashlib.sha256(data).digest()
    if digest not in _READ and Path(path).suffix == ".json":
        _READ[digest] = _calculated(json.loads(data))
    elif digest not in _READ:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:  # the bytes read once
            _READ[digest] = _book(archive)
        while len(_READ) > _KEEP:
            _READ.popitem(last=False)
    _READ.move_to_end(digest)
    return _READ[digest]


def _calculated(document: dict) -> Book:
    """The values LibreOffice calculated (tests/uno_convert.py's JSON, with the workbook's
    names): each cell with a value, as a workbook saved by LibreOffice gives it, with no formula
    or format (a comparison reads those from npv-calc's workbook). Empty text is no value, as
    it is in a saved workbook."""
    sheets: dict[str, dict[str, Cell]] = {}
    for sheet in document["sheets"]:
        cells = {}
        for r, row in enumerate(sheet["rows"], start=1):
            for c, value in enumerate(row, start=1):
                if value != "":
                    cells[f"{column_letters(c)}{r}"] = Cell(value, None, "General")
        for r, c, text in sheet["errors"]:
            cells[f"{column_letters(c + 1)}{r + 1}"] = Cell(text, None, "General")
        sheets[sheet["title"]] = cells
    names = {name: (sheet, cell) for name, (sheet, cell) in document["names"].items()}
    return Book(sheets, names)


def sheet_rows(path: Path, title: str) -> list[tuple[object, ...]]:
    """The values of sheet ``title``, row by row from A1 to its last non-empty cell, each row
    as long as the longest (None where a cell is empty): what openpyxl's ``iter_rows(
    values_only=True)`` gives for the same cells."""
    cells = read_book(path).sheets[title]
    where = {position(reference): cell.value for reference, cell in cells.items()}
    rows = max((r for r, _ in where), default=0)
    columns = max((c for _, c in where), default=0)
    return [tuple(where.get((r, c)) for c in range(1, columns + 1)) for r in range(1, rows + 1)]


_REFERENCE = re.compile(r"([A-Z]+)(\d+)")


def position(reference: str) -> tuple[int, int]:
    """``"B7"`` as (row 7, column 2)."""
    found = _REFERENCE.fullmatch(reference)
    if found is None:
        raise ValueError(f"not a cell reference: {reference!r}")
    letters, row = found.groups()
    return int(row), column_number(letters)


def _book(archive: zipfile.ZipFile) -> Book:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    targets = _targets(archive)
    strings = _shared_strings(archive)
    formats = _formats(archive)
    sheets = {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        with archive.open(targets[sheet.get(RELATIONSHIP)]) as part:
            sheets[sheet.get("name")] = _cells(part, strings, formats)
    return Book(sheets, _names(workbook))


def _targets(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each workbook relationship id to its part's name in the archive."""
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels.iter(PACKAGE_RELS):
        target = rel.get("Target")
        part = target[1:] if target.startswith("/") else posixpath.join("xl", target)
        targets[rel.get("Id")] = posixpath.normpath(part)
    return targets


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
    return [_text(item) for item in root.iter(f"{MAIN}si")]


def _text(item) -> str:
    """The text of a string item: its runs' ``t`` elements, leaving out phonetic runs."""
    if (plain := item.find(f"{MAIN}t")) is not None:
        return plain.text or ""
    return "".join(run.findtext(f"{MAIN}t") or "" for run in item.iter(f"{MAIN}r"))


def _formats(archive: zipfile.ZipFile) -> list[str]:
    """Each cell style's number format code, by style index."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS

    root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    codes = {str(number): code for number, code in BUILTIN_FORMATS.items()}
    for fmt in root.iter(f"{MAIN}numFmt"):
        codes[fmt.get("numFmtId")] = fmt.get("formatCode")
    xfs = root.find(f"{MAIN}cellXfs")
    styles = [] if xfs is None else xfs.findall(f"{MAIN}xf")
    return [codes.get(xf.get("numFmtId", "0"), "General") for xf in styles]


def _cells(part, strings: list[str], formats: list[str]) -> dict[str, Cell]:
    cells = {}
    for _, element in ElementTree.iterparse(part):
        if element.tag != f"{MAIN}c":
            continue
        formula = element.find(f"{MAIN}f")
        value = _value(element, strings)
        if value is not None or formula is not None:
            reference = element.get("r")
            if reference is None:  # allowed by the standard; no engine the tests use omits it
                raise ValueError(f"{part.name}: a cell with no reference")
            style = int(element.get("s", "0"))
            cells[reference] = Cell(
                value,
                None if formula is None else formula.text or "",
                formats[style] if style < len(formats) else "General",
            )
        element.clear()
    return cells


def _value(cell, strings: list[str]) -> object:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{MAIN}is")
        return None if inline is None else _text(inline)
    text = cell.findtext(f"{MAIN}v")
    if not text:  # an empty <v/>: openpyxl reads no value, whatever the type
        return None
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return text in ("1", "true")
    if kind in ("str", "e", "d"):
        return text
    number = float(text)
    return int(number) if number.is_integer() and _INTEGER.fullmatch(text) else number


_INTEGER = re.compile(r"-?\d+")

_DESTINATION = re.compile(r"(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]+)\$?(\d+)")


def _names(workbook) -> dict[str, tuple[str, str]]:
    names = {}
    for name in workbook.iter(f"{MAIN}definedName"):
        if name.get("localSheetId") is not None:
            continue
        found = _DESTINATION.fullmatch((name.text or "").strip())
        if found:
            quoted, plain, column, row = found.groups()
            sheet = quoted.replace("''", "'") if quoted else plain
            names[name.get("name")] = (sheet, f"{column}{row}")
    return names


def differences_from_openpyxl(path: Path) -> list[str]:
    """Where :func:`read_book` and openpyxl read ``path`` differently: each sheet's cells (value,
    whether a formula, number format) and the workbook's single-cell names. Empty when they
    agree."""
    import warnings

    from openpyxl import load_workbook

    book = read_book(path)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Workbook contains no default style", UserWarning)
        formulas = load_workbook(path)
        values = load_workbook(path, data_only=True)
    found = []
    if list(book.sheets) != formulas.sheetnames:
        found.append(f"sheets {list(book.sheets)} against {formulas.sheetnames}")
    for ws in formulas.worksheets:
        mine = book.sheets.get(ws.title, {})
        theirs = {}
        for row in ws.iter_rows():
            for cell in row:
                value = values[ws.title][cell.coordinate].value
                if value is None and cell.data_type != "f":
                    continue
                theirs[cell.coordinate] = (value, cell.data_type == "f", cell.number_format)
        for coordinate in sorted(set(mine) | set(theirs)):
            cell = mine.get(coordinate)
            got = None if cell is None else (cell.value, cell.formula is not None)
            value, formula, number_format = theirs.get(coordinate, (None, False, "General"))
            if isinstance(value, datetime.datetime | datetime.date | datetime.time):
                value = "a date"  # openpyxl turns a date-formatted number into a date
                got = got and ("a date", got[1])
            if got != (value, formula) or (cell and cell.number_format != number_format):
                found.append(f"{ws.title}!{coordinate}: {cell} against {theirs.get(coordinate)}")
    names = {}
    for name, definition in formulas.defined_names.items():
        destinations = list(definition.destinations)
        if len(destinations) == 1 and ":" not in destinations[0][1]:
            names[name] = (destinations[0][0], destinations[0][1].replace("$", ""))
    if book.names != names:
        found.append(f"names differ: {set(book.names) ^ set(names)}")
    return found
