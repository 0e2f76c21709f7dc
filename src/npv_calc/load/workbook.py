"""Reading an input workbook (the Excel input template, filled in) into the documents a TOML
file would give, with the sheet and cell of every value.

:mod:`npv_calc.load` then validates a workbook exactly as it validates TOML and names the sheet
and cell of every problem. Untrusted workbooks are opened with
:func:`npv_calc.workbook_io.open_untrusted` (no macros, bounded size, no zip bombs, defusedxml).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, Problem
from ..workbook_io import open_untrusted
from .workbook_layout import (
    FIRST_ROW,
    HEADER_ROW,
    LINE_SHEETS,
    PORTFOLIO_ROWS,
    PROJECT_COLUMNS,
    SCENARIO_COLUMNS,
    TABLE_SHEETS,
    YEAR_HEADER,
    Column,
    year_header,
)

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet


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


def cell_name(sheet: str, column: int, row: int) -> str:
    """``Benefits!W5``: how messages name a cell."""
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
        year = YEAR_HEADER.match(text)
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
                    line=cell_name(sheet, number, HEADER_ROW),
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
    where: dict[str, int | str] = {"": cell_name(sheet, 1, number)}
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
                    line=cell_name(sheet, index, number),
                )
            )
            continue
        if index in years:
            where[f"amounts[{years[index]}]"] = cell_name(sheet, index, number)
            where.setdefault("amounts", cell_name(sheet, index, number))
            if value is not None:
                amounts[years[index]] = value
            continue
        column = columns.get(index)
        if column is None:
            continue
        where[column.key] = cell_name(sheet, index, number)
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
    try:
        values, formulas = open_untrusted(path, shown)
    except InputError as exc:
        book.problems += exc.problems
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
                    line=cell_name("Portfolio", 1, number),
                )
            )
            continue
        table, key, kind = labels[str(label).lower()]
        book.portfolio_locations.setdefault((table, 1), {})[key] = cell_name("Portfolio", 2, number)
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

    if "Agencies" in values:
        columns, _ = _header_map(
            values["Agencies"], TABLE_SHEETS["Agencies"], "Agencies", book, shown
        )
        for number, cells, raw in _rows(values["Agencies"], formulas["Agencies"]):
            document, where = _row_document(
                "Agencies", number, cells, raw, columns, {}, book, shown
            )
            book.portfolio.setdefault("portfolio", {}).setdefault("agencies", []).append(
                document.get("agency")
            )
            book.portfolio_locations.setdefault(("portfolio", 1), {}).setdefault(
                "agencies", where.get("agency", where[""])
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
