"""The Excel input template: scenario files as a workbook a finance team fills in, and back.

A workbook made from ``templates/xlsx/scenario-input.xlsx`` holds what a scenario directory
holds, a row per item: ``Portfolio`` (settings, a row each), ``Projects``, ``Costs`` and
``Benefits`` (a row per line, low/central/high columns for uncertain values, ``Year 0``,
``Year 1``... columns for yearly amounts), ``Scenarios``, ``Grades`` and ``Deflators``.

Reading turns each sheet into the documents a TOML file would give, with the cell of every value,
so that :mod:`npv_calc.load` validates a workbook exactly as it validates TOML and names the
sheet and cell of every problem. Untrusted workbooks are read carefully: macro-enabled files are
refused, the file size and the unpacked size are bounded (a zip bomb is refused before it is
unpacked), XML is parsed with defusedxml (openpyxl uses it when it is installed, and we check).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import OutputError, Problem
from .model import (
    APPRAISAL_KEYS,
    COST_KINDS,
    MACRO_SUFFIXES,
    OTHER_SPREADSHEET_SUFFIXES,
    STATUSES,
    WORKBOOK_SUFFIXES,
    Line,
    Portfolio,
    Uncertain,
)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

SUFFIXES = WORKBOOK_SUFFIXES
OTHER_SUFFIXES = OTHER_SPREADSHEET_SUFFIXES
#: Bounds for an untrusted workbook: its size, and what its parts may unpack to.
MAX_FILE_BYTES = 20 * 2**20
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_RATIO = 200  # unpacked / packed size of any part
HEADER_ROW = 4
FIRST_ROW = 5
#: Year columns in the template; a workbook may have more (Year 15, Year 16, ...).
TEMPLATE_YEARS = 15
TEMPLATE_ROWS = 1000  # rows with drop-down validation in the template

REPO_TEMPLATE = Path(__file__).resolve().parents[2] / "templates" / "xlsx" / "scenario-input.xlsx"


def default_template() -> Path:
    import sys

    installed = Path(sys.prefix) / "share" / "npv-calc" / "templates" / "scenario-input.xlsx"
    return REPO_TEMPLATE if REPO_TEMPLATE.exists() else installed


# -- the layout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of a row-per-item sheet: the document key it fills and its header."""

    key: str  # "name", "annual.low", "years.first", "project", "file"
    header: str
    width: float = 13
    kind: str = "number"  # number | text | free (kept exactly) | bool | year | share | money | list
    choices: tuple[str, ...] = ()
    note: str = ""


def _triple(key: str, label: str, kind: str) -> list[Column]:
    return [
        Column(f"{key}.low", f"{label} low", kind=kind),
        Column(key, label, kind=kind),
        Column(f"{key}.high", f"{label} high", kind=kind),
    ]


AGENCIES = ("Police", "Fire", "Ambulance", "Unallocated")
BOOLEANS = ("TRUE", "FALSE")
GRADES = ("1", "2", "3", "4", "5", "6")

PROJECT_COLUMNS = [
    Column("id", "ID", 10, "text"),
    Column("name", "Name", 36, "free"),
    Column("start_year", "Start year", 10, "year"),
    Column("status", "Status", 12, "text", STATUSES),
    Column("partners", "Partners", 24, "list", note="comma-separated, e.g. Police, Fire"),
    Column("description", "Description", 40, "free"),
    Column("discount_rate", "Own discount rate", 11, "share"),
    Column("declining", "Own declining schedule", 11, "bool", BOOLEANS),
    Column("discount_year0", "Own year 0 discounted", 11, "bool", BOOLEANS),
    Column("horizon", "Own horizon", 9, "year"),
    Column("price_base_year", "Own price base year", 10, "year"),
    Column("file", "File", 24, "text", note="the TOML file import writes (optional)"),
]
LINE_START = [
    Column("project", "Project ID", 10, "text"),
    Column("name", "Line", 32, "free"),
]
COST_COLUMNS = [
    *LINE_START,
    Column("agency", "Agency (pays)", 12, "text", AGENCIES),
    Column("kind", "Kind", 10, "text", COST_KINDS),
    *_triple("annual", "Annual £", "money"),
    Column("years.first", "First year", 8, "year"),
    Column("years.last", "Last year", 8, "year"),
    *_triple("growth", "Growth", "share"),
    *_triple("optimism_bias", "Optimism bias", "share"),
    *_triple("scale", "Scale", "number"),
    Column("price_year", "Price year", 9, "year"),
    Column("source", "Source", 40, "free"),
]
BENEFIT_COLUMNS = [
    *LINE_START,
    Column("agency", "Agency (benefits)", 12, "text", AGENCIES),
    Column("cashable", "Cashable", 9, "bool", BOOLEANS),
    *_triple("annual", "Annual £", "money"),
    *_triple("quantity", "Quantity", "number"),
    *_triple("unit_value", "Unit value £", "money"),
    Column("years.first", "First year", 8, "year"),
    Column("years.last", "Last year", 8, "year"),
    *_triple("growth", "Growth", "share"),
    *_triple("drop_off", "Drop-off", "share"),
    *_triple("deadweight", "Deadweight", "share"),
    *_triple("displacement", "Displacement", "share"),
    *_triple("attribution", "Attribution", "share"),
    *_triple("optimism_bias", "Optimism bias", "share"),
    Column("confidence", "Confidence grade", 10, "year", GRADES),
    Column("price_year", "Price year", 9, "year"),
    *_triple("scale", "Scale", "number"),
    Column("source", "Source", 40, "free"),
]
SCENARIO_COLUMNS = [
    Column("name", "Scenario", 20, "text"),
    Column("description", "Description", 40, "free"),
    Column("set.discount_rate", "Discount rate", 11, "share"),
    Column("set.declining", "Declining schedule", 11, "bool", BOOLEANS),
    Column("set.discount_year0", "Year 0 discounted", 11, "bool", BOOLEANS),
    Column("set.horizon", "Horizon", 9, "year"),
    Column("set.price_base_year", "Price base year", 10, "year"),
    Column("exclude", "Projects left out", 24, "list", note="comma-separated project IDs"),
]
GRADE_COLUMNS = [
    Column("grade", "Grade", 10, "year"),
    Column("share", "Benefit optimism bias", 14, "share"),
]
DEFLATOR_COLUMNS = [
    Column("year", "Financial year", 12, "year"),
    Column("index", "Deflator index", 14, "number"),
]
#: The Portfolio sheet: a row per setting (label in A, value in B).
PORTFOLIO_ROWS = [
    ("portfolio", "name", "Portfolio name", "free"),
    ("portfolio", "description", "Description", "free"),
    ("portfolio", "target", "Target: NPV to secure (£)", "money"),
    ("portfolio", "target_year", "Target year (projects starting by it count)", "year"),
    ("appraisal", "discount_rate", "Discount rate", "share"),
    ("appraisal", "declining", "Declining schedule after year 30", "bool"),
    ("appraisal", "discount_year0", "Year 0 discounted", "bool"),
    ("appraisal", "horizon", "Horizon (years)", "year"),
    ("appraisal", "price_base_year", "Price base year", "year"),
]

LINE_SHEETS = {"costs": ("Costs", COST_COLUMNS), "benefits": ("Benefits", BENEFIT_COLUMNS)}
TABLE_SHEETS = {
    "Projects": PROJECT_COLUMNS,
    "Costs": COST_COLUMNS,
    "Benefits": BENEFIT_COLUMNS,
    "Scenarios": SCENARIO_COLUMNS,
    "Grades": GRADE_COLUMNS,
    "Deflators": DEFLATOR_COLUMNS,
}
SHEETS = ("Guidance", "Portfolio", *TABLE_SHEETS, "Unit costs")
_YEAR_HEADER = re.compile(r"Year (\d+)\Z", re.IGNORECASE)


def year_header(t: int) -> str:
    return f"Year {t}"


# -- reading ---------------------------------------------------------------------------------


@dataclass
class ProjectEntry:
    """A project read from the workbook: its document, where each value is, and its row."""

    document: dict[str, Any]
    locations: dict[tuple[str, int], dict[str, int | str]]
    row: int
    file: str | None = None


@dataclass
class ReadBook:
    """What a workbook holds, as documents, with the problems found reading it."""

    portfolio: dict[str, Any] = field(default_factory=dict)
    portfolio_locations: dict[tuple[str, int], dict[str, int | str]] = field(default_factory=dict)
    projects: list[ProjectEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _check_package(path: Path, shown: str) -> list[Problem]:
    """Refuse what must not be opened: the wrong kind of file, macros, or a zip bomb."""

    def refuse(message: str) -> list[Problem]:
        return [Problem(shown, message)]

    if path.suffix.lower() in OTHER_SUFFIXES:
        return refuse(
            f"is a {path.suffix} spreadsheet; npv-calc reads Excel workbooks (.xlsx): "
            "save a copy as .xlsx (Excel Workbook)"
        )
    if path.suffix.lower() in MACRO_SUFFIXES:
        return refuse(
            f"is a macro-enabled or binary workbook ({path.suffix}); npv-calc reads "
            "only .xlsx files: save a copy as .xlsx (Excel Workbook)"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        return refuse(f"cannot be read: {exc.strerror or exc}")
    if size > MAX_FILE_BYTES:
        return refuse(f"is {size:,} bytes; input workbooks are limited to {MAX_FILE_BYTES:,}")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            start = handle.read(8)
        if start.startswith(b"\xd0\xcf\x11\xe0"):
            return refuse("is an old-style Excel file (.xls); save it as .xlsx")
        return refuse("is not an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if any("vbaproject" in p.filename.lower() for p in parts):
                return refuse(
                    "contains macros (vbaProject.bin); npv-calc does not open "
                    "macro-enabled workbooks: save a copy as .xlsx without macros"
                )
            declared = sum(p.file_size for p in parts)
            if declared > MAX_UNPACKED_BYTES or any(
                p.compress_size and p.file_size / p.compress_size > MAX_RATIO for p in parts
            ):
                return refuse(_bomb())
            # The sizes in a zip directory can lie: unpack for real, counting, and stop at
            # the limit.
            total = 0
            for part in parts:
                with archive.open(part) as stream:
                    while chunk := stream.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNPACKED_BYTES:
                            return refuse(_bomb())
            if "[Content_Types].xml" not in archive.namelist():
                return refuse("is not an Excel workbook (no [Content_Types].xml)")
            import defusedxml.ElementTree as safe_xml

            types = safe_xml.fromstring(archive.read("[Content_Types].xml"))
            content = " ".join(e.get("ContentType", "") for e in types.iter())
            if "macroEnabled" in content or "vbaProject" in content:
                return refuse(
                    "is macro-enabled; npv-calc does not open macro-enabled "
                    "workbooks: save a copy as .xlsx"
                )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return refuse(f"is not a readable Excel workbook ({exc})")
    except Exception as exc:  # defusedxml refuses entities and DTDs with its own errors
        detail = " ".join(str(exc).split())
        return refuse(f"has unsafe or malformed XML ({type(exc).__name__}: {detail}); not opened")
    return []


def _bomb() -> str:
    return (
        f"would unpack to more than {MAX_UNPACKED_BYTES // 2**20} MB, or is compressed "
        "suspiciously well (a zip bomb?); not opened"
    )


def _cell(sheet: str, column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{sheet}!{get_column_letter(column)}{row}"


def _clean(value: Any) -> Any:
    """A cell's value as the loader expects it: blank text is no value. Text is otherwise kept
    as written (a name's spaces are part of it); :func:`_as_kind` trims where that is safe."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _as_kind(value: Any, kind: str) -> Any:
    """Light coercion of what spreadsheets do to values; anything else is left for the
    loader to report (so that the message shows what was in the cell)."""
    if value is None:
        return None
    if isinstance(value, str) and kind != "free":
        value = value.strip()  # an ID, a choice or a number typed as text: spaces are slips
    if kind == "bool" and isinstance(value, str):
        lowered = value.lower()
        if lowered in ("true", "yes"):
            return True
        if lowered in ("false", "no"):
            return False
    if kind == "year" and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind == "list" and isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _header_map(
    ws: Worksheet, columns: Sequence[Column], sheet: str, book: ReadBook, shown: str
) -> tuple[dict[int, Column], dict[int, int]]:
    """Column number -> column, and column number -> year offset (for Year N columns)."""
    by_header = {c.header.lower(): c for c in columns}
    found: dict[int, Column] = {}
    years: dict[int, int] = {}
    for number, cell in enumerate(ws[HEADER_ROW], start=1):
        header = _clean(cell.value)
        if header is None:
            continue
        text = str(header).strip()
        year = _YEAR_HEADER.match(text)
        if year:
            years[number] = int(year.group(1))
        elif text.lower() in by_header:
            found[number] = by_header[text.lower()]
        else:
            book.problems.append(
                Problem(
                    shown,
                    f"unknown column {text!r} in the header row; the columns of {sheet} "
                    f"are: {', '.join(c.header for c in columns)}",
                    line=_cell(sheet, number, HEADER_ROW),
                )
            )
    return found, years


def _rows(ws: Worksheet, formulas: Worksheet) -> list[tuple[int, list[Any], list[Any]]]:
    """Data rows below the header, skipping empty ones: (row number, values, and the same row
    as written, to spot a formula whose result was never saved)."""
    out = []
    for number, (row, raw) in enumerate(
        zip(
            ws.iter_rows(min_row=FIRST_ROW, values_only=True),
            formulas.iter_rows(min_row=FIRST_ROW, values_only=True),
            strict=False,
        ),
        start=FIRST_ROW,
    ):
        cleaned = [_clean(v) for v in row]
        if any(v is not None for v in cleaned):
            out.append((number, cleaned, list(raw)))
    return out


def _row_document(
    sheet: str,
    number: int,
    cells: list[Any],
    formulas: list[Any],
    columns: dict[int, Column],
    years: dict[int, int],
    book: ReadBook,
    shown: str,
) -> tuple[dict[str, Any], dict[str, int | str]]:
    """A row as a TOML-like document (dotted keys become tables) and the cell of each key."""
    document: dict[str, Any] = {}
    where: dict[str, int | str] = {"": _cell(sheet, 1, number)}
    amounts: dict[int, Any] = {}
    for index, value in enumerate(cells, start=1):
        formula = formulas[index - 1] if index - 1 < len(formulas) else None
        if value is None and isinstance(formula, str) and formula.startswith("="):
            book.problems.append(
                Problem(
                    shown,
                    "holds a formula with no saved result; open the workbook in a "
                    "spreadsheet program and save it, or type the value",
                    field=year_header(years[index])
                    if index in years
                    else (columns[index].header if index in columns else None),
                    line=_cell(sheet, index, number),
                )
            )
            continue
        if index in years:
            where[f"amounts[{years[index]}]"] = _cell(sheet, index, number)
            where.setdefault("amounts", _cell(sheet, index, number))
            if value is not None:
                amounts[years[index]] = value
            continue
        column = columns.get(index)
        if column is None:
            continue
        where[column.key] = _cell(sheet, index, number)
        if value is None:
            continue
        value = _as_kind(value, column.kind)
        head, _, tail = column.key.partition(".")
        if tail and head == "years":
            document.setdefault("years", {})[tail] = value
        elif tail:
            existing = document.get(head)
            if not isinstance(existing, dict):
                document[head] = {} if existing is None else {"central": existing}
            document[head][tail] = value
        elif isinstance(document.get(column.key), dict):
            document[column.key]["central"] = value
        else:
            document[column.key] = value
    for key in [k for k, v in document.items() if isinstance(v, dict) and k != "years"]:
        if key != "set" and set(document[key]) == {"central"}:
            document[key] = document[key]["central"]
    if "years" in document:
        span = document.pop("years")
        document["years"] = [span[k] for k in ("first", "last") if k in span]
        where["years"] = where.get("years.first", where[""])
    if amounts:
        last = max(amounts)
        document["amounts"] = [amounts.get(t, 0) for t in range(last + 1)]
    return document, where


def read(path: Path, shown: str) -> ReadBook:
    """Read an input workbook into documents, with the cell of every value and every problem
    found on the way (an unsafe or unreadable file gives only problems)."""
    book = ReadBook()
    book.problems += _check_package(path, shown)
    if book.problems:
        return book
    import openpyxl.xml
    from openpyxl import load_workbook

    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise OutputError("defusedxml is not installed: untrusted workbooks are not opened")
    try:
        values = load_workbook(path, data_only=True, read_only=True)
        formulas = load_workbook(path, data_only=False, read_only=True)
    except Exception as exc:
        book.problems.append(Problem(shown, f"cannot be read as a workbook: {exc}"))
        return book
    try:
        _read_sheets(values, formulas, book, shown)
    except Exception as exc:  # read-only sheets are parsed lazily, here: a broken part
        detail = " ".join(str(exc).split())
        book.problems.append(Problem(shown, f"cannot be read as a workbook: {detail}"))
    finally:
        values.close()
        formulas.close()
    return book


def _read_sheets(values: Workbook, formulas: Workbook, book: ReadBook, shown: str) -> None:
    missing = [s for s in ("Portfolio", "Projects", "Costs", "Benefits") if s not in values]
    if missing:
        book.problems.append(
            Problem(
                shown,
                f"has no sheet {', '.join(missing)}; start from the input template "
                "(npv-calc export, or templates/xlsx/scenario-input.xlsx)",
            )
        )
        return

    # Portfolio: a row per setting
    labels = {label.lower(): (table, key, kind) for table, key, label, kind in PORTFOLIO_ROWS}
    for number, row in enumerate(
        values["Portfolio"].iter_rows(min_row=FIRST_ROW, values_only=True), start=FIRST_ROW
    ):
        label = _clean(row[0]) if row else None
        if label is None:
            continue
        label = str(label).strip()
        value = _clean(row[1]) if len(row) > 1 else None
        if str(label).lower() not in labels:
            book.problems.append(
                Problem(
                    shown,
                    f"unknown setting {label!r}; the settings are: "
                    + ", ".join(r[2] for r in PORTFOLIO_ROWS),
                    line=_cell("Portfolio", 1, number),
                )
            )
            continue
        table, key, kind = labels[str(label).lower()]
        book.portfolio_locations.setdefault((table, 1), {})[key] = _cell("Portfolio", 2, number)
        if value is not None:
            book.portfolio.setdefault(table, {})[key] = _as_kind(value, kind)

    for sheet, keyed, table in (
        ("Grades", "grade", "confidence_grades"),
        ("Deflators", "year", "deflators"),
    ):
        if sheet not in values:
            continue
        columns, _ = _header_map(values[sheet], TABLE_SHEETS[sheet], sheet, book, shown)
        for number, cells, raw in _rows(values[sheet], formulas[sheet]):
            document, where = _row_document(sheet, number, cells, raw, columns, {}, book, shown)
            name = document.get(keyed)
            other = "share" if keyed == "grade" else "index"
            if isinstance(name, float) and name.is_integer():
                name = int(name)
            text = str(name) if name is not None else ""
            book.portfolio.setdefault(table, {})[text] = document.get(other)
            book.portfolio_locations.setdefault((table, 1), {})[text] = where.get(
                other if text else keyed, where[""]
            )

    if "Scenarios" in values:
        columns, _ = _header_map(values["Scenarios"], SCENARIO_COLUMNS, "Scenarios", book, shown)
        for number, cells, raw in _rows(values["Scenarios"], formulas["Scenarios"]):
            document, where = _row_document(
                "Scenarios", number, cells, raw, columns, {}, book, shown
            )
            name = str(document.pop("name", "") or f"(row {number})")
            book.portfolio.setdefault("scenarios", {})[name] = document
            book.portfolio_locations[(f"scenarios.{name}", 1)] = where

    # Projects, then their lines
    columns, _ = _header_map(values["Projects"], PROJECT_COLUMNS, "Projects", book, shown)
    by_id: dict[str, ProjectEntry] = {}
    for number, cells, raw in _rows(values["Projects"], formulas["Projects"]):
        document, where = _row_document("Projects", number, cells, raw, columns, {}, book, shown)
        file = document.pop("file", None)
        entry = ProjectEntry(
            document, {("", 1): where}, number, str(file) if file is not None else None
        )
        book.projects.append(entry)
        if isinstance(document.get("id"), str):
            by_id.setdefault(document["id"], entry)
    for section, (sheet, line_columns) in LINE_SHEETS.items():
        columns, years = _header_map(values[sheet], line_columns, sheet, book, shown)
        for number, cells, raw in _rows(values[sheet], formulas[sheet]):
            document, where = _row_document(sheet, number, cells, raw, columns, years, book, shown)
            owner = document.pop("project", None)
            entry = by_id.get(str(owner)) if owner is not None else None
            if entry is None:
                ids = ", ".join(by_id) or "none"
                book.problems.append(
                    Problem(
                        shown,
                        f"project {owner!r} is not on the Projects sheet (its IDs: {ids})"
                        if owner is not None
                        else "names no project: fill in the Project ID",
                        line=where.get("project", where[""]),
                    )
                )
                continue
            lines = entry.document.setdefault(section, [])
            lines.append(document)
            entry.locations[(section, len(lines))] = where


# -- writing (export) ------------------------------------------------------------------------


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _put(ws: Worksheet, row: int, column: int, value: Any, owner: str = "") -> None:
    from .report.workbook import put_text

    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        bad = _NOT_IN_XML.search(value)
        if bad:
            raise OutputError(
                f"{ws.title}!{cell.coordinate}: {owner + ': ' if owner else ''}"
                f"{value!r} holds the character "
                f"U+{ord(bad.group()):04X}, which a workbook cannot store; remove it from the "
                "scenario file first (so that nothing is lost in the round trip)"
            )
        put_text(cell, value)  # text stays text, even "=..."
    else:
        cell.value = value


def _value_columns(value: Any) -> dict[str, Any]:
    """``{"": central}`` for a number, or low/central/high for an uncertain value."""
    if isinstance(value, Uncertain):
        return {".low": value.low, "": value.central, ".high": value.high}
    return {"": value}


def _line_cells(line: Line) -> dict[str, Any]:
    """A line's cells by column key: what its TOML file would say (:func:`line_items`), with
    uncertain values across low/central/high and ``years`` across first/last (the yearly
    ``amounts`` go in the Year columns)."""
    from .tomlfile import line_items

    cells: dict[str, Any] = {}
    for key, value in line_items(line):
        if key == "years":
            cells["years.first"], cells["years.last"] = value
        elif key != "amounts":
            cells.update({key + k: v for k, v in _value_columns(value).items()})
    return cells


def _extend_years(ws: Worksheet, count: int) -> dict[int, int]:
    """Make sure the sheet has Year 0 .. Year count-1 columns; year offset -> column."""
    from .report.workbook import put_text

    found: dict[int, int] = {}
    last = 0
    for number, cell in enumerate(ws[HEADER_ROW], start=1):
        if cell.value is not None:
            last = number
            match = _YEAR_HEADER.match(str(cell.value))
            if match:
                found[int(match.group(1))] = number
    style = ws.cell(row=HEADER_ROW, column=last).style
    for t in range(count):
        if t not in found:
            last += 1
            found[t] = last
            put_text(ws.cell(row=HEADER_ROW, column=last), year_header(t), style)
            ws.column_dimensions[_letter(last)].width = 11
    return found


def _letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def _columns_by_key(ws: Worksheet, columns: Sequence[Column]) -> dict[str, int]:
    by_header = {c.header: c.key for c in columns}
    return {
        by_header[str(cell.value)]: number
        for number, cell in enumerate(ws[HEADER_ROW], start=1)
        if cell.value is not None and str(cell.value) in by_header
    }


def export(portfolio: Portfolio, path: Path, template: Path | None = None) -> Path:
    """Write a portfolio into the input template, atomically.

    Raises
    ------
    OutputError
        The template is missing or unreadable, the path cannot be written, or a value cannot
        be written so that it reads back the same (a partner name with a comma).
    """
    from openpyxl import load_workbook

    from .report.workbook import check_writable, save_atomically

    check_writable(path)
    template = template or default_template()
    if not template.is_file():
        raise OutputError(
            f"the input template {template} is missing; rebuild it with "
            "python templates/xlsx/build_input_template.py"
        )
    try:
        wb = load_workbook(template)
    except Exception as exc:
        raise OutputError(f"the input template {template} cannot be read ({exc})") from None
    missing = [s for s in SHEETS if s not in wb.sheetnames]
    if missing:
        raise OutputError(f"the input template {template} has no sheet {', '.join(missing)}")
    for project in portfolio.projects:
        for partner in project.partners:
            if "," in partner:
                raise OutputError(
                    f"{project.id}: partner {partner!r} contains a comma, which "
                    "the Partners column uses to separate names; rename it"
                )

    ws = wb["Portfolio"]
    settings = portfolio.settings
    values = {
        ("portfolio", "name"): portfolio.name,
        ("portfolio", "description"): portfolio.description or None,
        ("portfolio", "target"): portfolio.target,
        ("portfolio", "target_year"): portfolio.target_year,
        **{("appraisal", k): getattr(settings, k) for k in APPRAISAL_KEYS},
    }
    for number, (table, key, _, _) in enumerate(PORTFOLIO_ROWS, start=FIRST_ROW):
        if values[(table, key)] is not None:
            _put(ws, number, 2, values[(table, key)])

    for sheet, rows in (
        ("Grades", [{"grade": g, "share": s} for g, s in portfolio.confidence_grades.items()]),
        ("Deflators", [{"year": y, "index": i} for y, i in portfolio.deflators.items()]),
        (
            "Scenarios",
            [
                {
                    "name": s.name,
                    "description": s.description or None,
                    **{f"set.{k}": v for k, v in s.set.items()},
                    "exclude": ", ".join(s.exclude) or None,
                }
                for s in portfolio.scenarios.values()
            ],
        ),
    ):
        ws = wb[sheet]
        at = _columns_by_key(ws, TABLE_SHEETS[sheet])
        for number, row in enumerate(rows, start=FIRST_ROW):
            for key, value in row.items():
                if value is not None:
                    _put(ws, number, at[key], value)

    ws = wb["Projects"]
    at = _columns_by_key(ws, PROJECT_COLUMNS)
    base = portfolio.path.parent if portfolio.path else None
    for number, project in enumerate(portfolio.projects, start=FIRST_ROW):
        row: dict[str, Any] = {
            "id": project.id,
            "name": project.name,
            "start_year": project.start_year,
            "status": project.status,
            "partners": ", ".join(project.partners) or None,
            "description": project.description or None,
            **project.overrides,
        }
        if base is not None and project.path.is_relative_to(base):
            row["file"] = project.path.relative_to(base).as_posix()
        elif project.path.suffix == ".toml":
            row["file"] = project.path.name
        for key, value in row.items():
            if value is not None:
                _put(ws, number, at[key], value, f"project {project.id}")

    longest = max(
        (
            len(line.amounts)
            for p in portfolio.projects
            for line in p.all_lines
            if line.amounts is not None
        ),
        default=0,
    )
    for section, (sheet, columns) in LINE_SHEETS.items():
        ws = wb[sheet]
        years = _extend_years(ws, max(longest, TEMPLATE_YEARS))
        at = _columns_by_key(ws, columns)
        number = FIRST_ROW
        for project in portfolio.projects:
            for line in getattr(project, section):
                _put(ws, number, at["project"], project.id)
                owner = f"project {project.id}, {line.label}"
                for key, value in _line_cells(line).items():
                    _put(ws, number, at[key], value, owner)
                for t, amount in enumerate(line.amounts or ()):
                    _put(ws, number, years[t], amount)
                number += 1
    save_atomically(wb, path)
    return path


def import_to(
    portfolio: Portfolio, book_files: dict[str, str | None], folder: Path, source: str
) -> list[Path]:
    """Write a portfolio read from a workbook as scenario files in a new folder, atomically.

    ``book_files`` maps project ids to the file names of the workbook's File column (or
    ``None`` for a name made from the row and id). The folder must not exist or be empty; the
    files are written to a temporary folder beside it and moved into place together.
    """
    import os
    import shutil
    import tempfile

    from .tomlfile import portfolio_text, project_text

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(
            f"cannot import into {folder}: it exists and is not an empty folder "
            "(import never overwrites scenario files)"
        )
    parent = folder.parent
    if not parent.is_dir():
        raise OutputError(f"cannot import into {folder}: the folder {parent} does not exist")
    names: dict[str, str] = {}
    taken: set[str] = {"portfolio.toml"}
    for number, project in enumerate(portfolio.projects, start=1):
        name = book_files.get(project.id) or f"{number:02d}-{project.id.lower()}.toml"
        if name.lower() in taken:
            name = f"{number:02d}-{project.id.lower()}.toml"
        taken.add(name.lower())
        names[project.id] = name
    header = f"Written by npv-calc import from {source}."
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot import into {folder}: {exc.strerror or exc}") from None
    try:
        (staging / "portfolio.toml").write_text(portfolio_text(portfolio, header), encoding="utf-8")
        for project in portfolio.projects:
            target = staging / names[project.id]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(project_text(project, header), encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
    except OSError as exc:
        raise OutputError(f"cannot import into {folder}: {exc.strerror or exc}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [folder / "portfolio.toml", *(folder / names[p.id] for p in portfolio.projects)]


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_NAME = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_. -]*\.toml\Z")


def check_file_name(name: str) -> str | None:
    """Why a File-column value cannot be used (``None`` when it can)."""
    parts = name.replace("\\", "/").split("/")
    if any(part in ("", ".", "..") for part in parts) or not all(
        _FILE_NAME.match(part) if i == len(parts) - 1 else re.fullmatch(r"[A-Za-z0-9_.-]+", part)
        for i, part in enumerate(parts)
    ):
        return (
            "must be a relative file name ending .toml, such as 01-jet.toml (letters, "
            "digits, _ - . and spaces; folders separated by /)"
        )
    if parts[-1].lower() == "portfolio.toml":
        return "cannot be portfolio.toml (that file holds the portfolio settings)"
    return None
