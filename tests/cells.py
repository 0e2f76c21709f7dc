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
from dataclasses import dataclass, field
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
    #: each sheet's followers of a shared formula: their coordinate to the leader's coordinate
    #: and formula (a follower's own formula is that, moved: :meth:`formula`)
    shared: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)

    def formula(self, title: str, coordinate: str) -> str | None:
        """The formula of a cell as a spreadsheet shows it (without the ``=``), a shared
        formula's follower's moved from its leader's; None for a constant."""
        cell = self.sheets[title].get(coordinate)
        if cell is None or cell.formula is None:
            return None
        if cell.formula or coordinate not in self.shared.get(title, {}):
            return cell.formula
        from openpyxl.formula.translate import Translator

        leader, text = self.shared[title][coordinate]
        return Translator(f"={text}", origin=leader).translate_formula(coordinate)[1:]


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
    sheets, shared = {}, {}
    for sheet in workbook.iter(f"{MAIN}sheet"):
        title = sheet.get("name")
        shared[title] = {}
        with archive.open(targets[sheet.get(RELATIONSHIP)]) as part:
            sheets[title] = _cells(part, strings, formats, shared[title])
    return Book(sheets, _names(workbook), shared)


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


def _cells(
    part, strings: list[str], formats: list[str], shared: dict[str, tuple[str, str]]
) -> dict[str, Cell]:
    """The cells of a sheet; the followers of its shared formulas go in ``shared``."""
    cells = {}
    leaders: dict[str, tuple[str, str]] = {}
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
            if formula is not None and formula.get("t") == "shared":
                if formula.text:
                    leaders[formula.get("si", "")] = (reference, formula.text)
                elif formula.get("si") in leaders:
                    shared[reference] = leaders[formula.get("si", "")]
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


def edited_copy(source: Path, target: Path, cells: dict[tuple[str, str], object]) -> Path:
    """``source`` saved as ``target`` with the constant of each ``(sheet title, coordinate)``
    in ``cells`` replaced by a number, a truth value or a text, as a user typing it would: that
    cell's element is rewritten (its style kept) and every other byte of the workbook left as
    it was, charts and all. (openpyxl's load and save take 0.7 s for the example's workbook and
    drop its charts.) A spreadsheet recalculates on opening (the tests' LibreOffice always
    does); the formulas' stored values are not touched.
    """
    with zipfile.ZipFile(source) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        targets = _targets(archive)
        parts = {s.get("name"): targets[s.get(RELATIONSHIP)] for s in workbook.iter(f"{MAIN}sheet")}
        changed: dict[str, str] = {}
        for (title, coordinate), value in cells.items():
            part = parts[title]
            xml = changed.get(part) or archive.read(part).decode("utf-8")
            changed[part] = _with_cell(xml, coordinate, value)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for item in archive.infolist():
                data = archive.read(item)
                if item.filename in changed:
                    data = changed[item.filename].encode("utf-8")
                out.writestr(item, data)
    return target


def with_names_set(source: Path, target: Path, **values: object) -> Path:
    """``source`` saved as ``target`` with each named single-cell input set to its value
    (:func:`edited_copy`)."""
    names = read_book(source).names
    return edited_copy(source, target, {names[name]: value for name, value in values.items()})


def _with_cell(xml: str, coordinate: str, value: object) -> str:
    """A worksheet's XML with the cell at ``coordinate`` holding ``value`` instead (the cell
    must be there: npv-calc writes every input cell, blank or not)."""
    from xml.sax.saxutils import escape

    found = re.search(rf'<c r="{coordinate}"([^>]*?)(?:/>|>.*?</c>)', xml, flags=re.DOTALL)
    if found is None:
        raise ValueError(f"no cell {coordinate} in the sheet")
    style = " ".join(re.findall(r's="\d+"', found.group(1)))
    opening = f'<c r="{coordinate}" {style}'.rstrip()
    if isinstance(value, bool):
        cell = f'{opening} t="b"><v>{int(value)}</v></c>'
    elif isinstance(value, int | float):
        cell = f"{opening}><v>{value!r}</v></c>"
    elif isinstance(value, str):
        cell = f'{opening} t="inlineStr"><is><t>{escape(value)}</t></is></c>'
    else:
        raise TypeError(f"a cell holds a number, a truth value or a text, not {value!r}")
    return xml[: found.start()] + cell + xml[found.end() :]


@dataclass(frozen=True)
class ViewCell:
    """A cell as openpyxl's worksheet gives it to a test: its value (with ``formulas``, a
    formula cell's text, ``"=..."``), row, column, coordinate and number format."""

    value: object
    row: int
    column: int
    number_format: str = "General"

    @property
    def coordinate(self) -> str:
        return f"{column_letters(self.column)}{self.row}"


class SheetView:
    """The part of openpyxl's worksheet the tests read values with (``cell(row, column)``,
    ``ws["B7"]``, ``max_row``, ``max_column``, ``iter_rows``), over :func:`read_book`: a sheet of
    the example's workbook in 0.04 s where openpyxl loads the whole workbook model (0.3-0.5 s).
    Values are as stored (openpyxl's ``data_only=True``), or with ``formulas`` the formula
    text where a cell has one (openpyxl's default; an array formula's text too, where openpyxl
    gives an object holding it); a date stays the number it is stored as."""

    def __init__(self, path: Path, title: str, *, formulas: bool = False):
        self.title = title
        self._cells: dict[tuple[int, int], ViewCell] = {}
        book = read_book(path)
        for reference, cell in book.sheets[title].items():
            row, column = position(reference)
            formula = book.formula(title, reference) if formulas else None
            value = cell.value if formula is None else f"={formula}"
            self._cells[row, column] = ViewCell(value, row, column, cell.number_format)
        self.max_row = max((r for r, _ in self._cells), default=1)
        self.max_column = max((c for _, c in self._cells), default=1)

    def cell(self, row: int, column: int) -> ViewCell:
        return self._cells.get((row, column)) or ViewCell(None, row, column)

    def __getitem__(self, reference: str) -> ViewCell:
        return self.cell(*position(reference))

    def iter_rows(self, min_row: int = 1, values_only: bool = False):
        for r in range(min_row, self.max_row + 1):
            cells = tuple(self.cell(r, c) for c in range(1, self.max_column + 1))
            yield tuple(c.value for c in cells) if values_only else cells
