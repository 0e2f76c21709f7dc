"""Reading an input workbook (the Excel input template, filled in) into the documents a TOML
file would give, with the sheet and cell of every value.

:mod:`npv_calc.load` then validates a workbook exactly as it validates TOML and names the sheet
and cell of every problem. Untrusted workbooks are opened with
:func:`npv_calc.workbook_io.read_sheets`: no macros, bounded size and extent, no zip bombs,
defusedxml, and only the cells a sheet really holds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..workbook_io import NO_RESULT, Sheet, column_letters, read_sheets
from .messages import suggest
from .rules import FIELD_RULES, MAX_HORIZON
from .workbook_layout import (
    CORRELATION_COLUMNS,
    FIRST_ROW,
    HEADER_ROW,
    OUTTURN_COLUMNS,
    PORTFOLIO_ROWS,
    PROJECT_COLUMNS,
    PROJECT_ITEM_SHEETS,
    SCENARIO_COLUMNS,
    SECTIONS,
    SHEETS,
    TABLE_SHEETS,
    YEAR_HEADER,
    Column,
    year_header,
)


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
    #: lines not read because their row names no known project: (section, name); their
    #: outturn rows are not reported again
    dropped: set[tuple[str, str]] = field(default_factory=set)


def cell_name(sheet: str, column: int, row: int) -> str:
    """``Benefits!W5``: how messages name a cell."""
    return f"{sheet}!{column_letters(column)}{row}"


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
    ws: Sheet, columns: Sequence[Column], book: ReadBook, shown: str
) -> tuple[dict[int, Column], dict[int, int]]:
    """Column number -> column, and column number -> year offset (for Year N columns).

    A header given twice is an error naming both cells (which would win is a guess), and so is a
    Year column beyond the longest horizon.
    """
    sheet = ws.title
    by_header = {c.header.lower(): c for c in columns}
    found: dict[int, Column] = {}
    years: dict[int, int] = {}
    seen: dict[str, int] = {}
    for number, raw in sorted(ws.row(HEADER_ROW).items()):
        header = _clean(raw)
        if header is None:
            continue
        text = str(header).strip()
        key = " ".join(text.split()).lower()
        if key in seen:
            book.problems.append(
                Problem(
                    shown,
                    f"the header {text!r} is given twice, here and in "
                    f"{cell_name(sheet, seen[key], HEADER_ROW)}; npv-calc does not guess which "
                    "column holds the values: delete or rename one",
                    line=cell_name(sheet, number, HEADER_ROW),
                )
            )
            continue
        seen[key] = number
        year = YEAR_HEADER.match(text)
        if year:
            offset = int(year.group(1))
            if offset >= MAX_HORIZON:
                book.problems.append(
                    Problem(
                        shown,
                        f"{text!r} is beyond the longest horizon ({MAX_HORIZON} years: Year 0 "
                        f"to Year {MAX_HORIZON - 1}); year columns count from year 0",
                        line=cell_name(sheet, number, HEADER_ROW),
                    )
                )
                continue
            years[number] = offset
        elif key in by_header:
            found[number] = by_header[key]
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


def _rows(ws: Sheet) -> list[tuple[int, dict[int, Any]]]:
    """Data rows below the header that hold something: (row number, cells by column)."""
    out = []
    for number in sorted(ws.rows):
        if number < FIRST_ROW:
            continue
        cells = {c: v for c, v in ws.rows[number].items() if _clean(v) is not None}
        if cells:
            out.append((number, cells))
    return out


def _row_document(
    sheet: str,
    number: int,
    cells: dict[int, Any],
    columns: dict[int, Column],
    years: dict[int, int],
    book: ReadBook,
    shown: str,
) -> tuple[dict[str, Any], dict[str, int | str]]:
    """A row as a TOML-like document (dotted keys become tables) and the cell of each key."""
    document: dict[str, Any] = {}
    where: dict[str, int | str] = {"": cell_name(sheet, 1, number)}
    amounts: dict[int, Any] = {}
    for index in sorted({*columns, *years}):
        value = cells.get(index)
        if value is NO_RESULT:
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
        column = columns[index]
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


#: How far an input workbook is read: its rows (header rows included) and columns. A portfolio
#: of a thousand projects with fifty lines each fits; anything larger is refused, not guessed.
MAX_ROW = 100_000 + FIRST_ROW - 1
MAX_COLUMN = 60 + MAX_HORIZON  # the widest sheet's columns, then a Year column per year


def read(path: Path, shown: str) -> ReadBook:
    """Read an input workbook into documents, with the cell of every value and every problem
    found on the way (an unsafe or unreadable file gives only problems)."""
    book = ReadBook()
    try:
        sheets, problems = read_sheets(path, shown, SHEETS, max_row=MAX_ROW, max_column=MAX_COLUMN)
    except InputError as exc:
        book.problems += exc.problems
        return book
    book.problems += problems
    _read_sheets(sheets, book, shown)
    return book


def _keyed_once(
    book: ReadBook, shown: str, seen: dict[str, str], key: str, cell: str, what: str
) -> bool:
    """Whether ``key`` is new; if not, an error naming both cells (the later one is not read)."""
    if key in seen:
        book.problems.append(
            Problem(
                shown,
                f"{what} is given twice, here and in {seen[key]}; npv-calc does not guess "
                "which one holds: delete one",
                line=cell,
            )
        )
        return False
    seen[key] = cell
    return True


def _read_sheets(sheets: dict[str, Sheet], book: ReadBook, shown: str) -> None:
    missing = [s for s in ("Portfolio", "Projects", "Costs", "Benefits") if s not in sheets]
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
    seen: dict[str, str] = {}
    for number in sorted(sheets["Portfolio"].rows):
        if number < FIRST_ROW:
            continue
        row = sheets["Portfolio"].rows[number]
        label = _clean(row.get(1))
        if label is None:
            continue
        label = str(label).strip()
        value = _clean(row.get(2))
        if label.lower() not in labels:
            book.problems.append(
                Problem(
                    shown,
                    f"unknown setting {label!r}; the settings are: "
                    + ", ".join(r[2] for r in PORTFOLIO_ROWS),
                    line=cell_name("Portfolio", 1, number),
                )
            )
            continue
        cell = cell_name("Portfolio", 1, number)
        if not _keyed_once(book, shown, seen, label.lower(), cell, f"the setting {label!r}"):
            continue
        table, key, kind = labels[label.lower()]
        book.portfolio_locations.setdefault((table, 1), {})[key] = cell_name("Portfolio", 2, number)
        if value is NO_RESULT:
            book.problems.append(
                Problem(
                    shown,
                    "holds a formula with no saved result; open the workbook in a "
                    "spreadsheet program and save it, or type the value",
                    line=cell_name("Portfolio", 2, number),
                )
            )
        elif value is not None:
            book.portfolio.setdefault(table, {})[key] = _as_kind(value, kind)

    for sheet, keyed, table in (
        ("Grades", "grade", "confidence_grades"),
        ("Deflators", "year", "deflators"),
    ):
        if sheet not in sheets:
            continue
        columns, _ = _header_map(sheets[sheet], TABLE_SHEETS[sheet], book, shown)
        seen = {}
        for number, cells in _rows(sheets[sheet]):
            document, where = _row_document(sheet, number, cells, columns, {}, book, shown)
            name = document.get(keyed)
            other = "share" if keyed == "grade" else "index"
            if isinstance(name, float) and name.is_integer():
                name = int(name)
            text = str(name) if name is not None else ""
            cell = str(where.get(keyed, where[""]))
            if text and not _keyed_once(book, shown, seen, text, cell, f"{keyed} {text}"):
                continue
            book.portfolio.setdefault(table, {})[text] = document.get(other)
            book.portfolio_locations.setdefault((table, 1), {})[text] = where.get(
                other if text else keyed, where[""]
            )

    if "Agencies" in sheets:
        columns, _ = _header_map(sheets["Agencies"], TABLE_SHEETS["Agencies"], book, shown)
        for number, cells in _rows(sheets["Agencies"]):
            document, where = _row_document("Agencies", number, cells, columns, {}, book, shown)
            book.portfolio.setdefault("portfolio", {}).setdefault("agencies", []).append(
                document.get("agency")
            )
            book.portfolio_locations.setdefault(("portfolio", 1), {}).setdefault(
                "agencies", where.get("agency", where[""])
            )

    if "Scenarios" in sheets:
        columns, _ = _header_map(sheets["Scenarios"], SCENARIO_COLUMNS, book, shown)
        seen = {}
        for number, cells in _rows(sheets["Scenarios"]):
            document, where = _row_document("Scenarios", number, cells, columns, {}, book, shown)
            name = str(document.pop("name", "") or f"(row {number})")
            cell = str(where.get("name", where[""]))
            if not _keyed_once(book, shown, seen, name, cell, f"the scenario {name!r}"):
                continue
            book.portfolio.setdefault("scenarios", {})[name] = document
            book.portfolio_locations[(f"scenarios.{name}", 1)] = where

    # Projects, then their lines
    columns, _ = _header_map(sheets["Projects"], PROJECT_COLUMNS, book, shown)
    by_id: dict[str, ProjectEntry] = {}
    for number, cells in _rows(sheets["Projects"]):
        document, where = _row_document("Projects", number, cells, columns, {}, book, shown)
        file = document.pop("file", None)
        entry = ProjectEntry(
            document, {("", 1): where}, number, str(file) if file is not None else None
        )
        book.projects.append(entry)
        if isinstance(document.get("id"), str):
            by_id.setdefault(document["id"], entry)
    for section, (sheet, line_columns) in PROJECT_ITEM_SHEETS.items():
        if sheet not in sheets:
            continue  # a workbook made before the Risks or Impacts sheet existed
        columns, years = _header_map(sheets[sheet], line_columns, book, shown)
        for number, cells in _rows(sheets[sheet]):
            document, where = _row_document(sheet, number, cells, columns, years, book, shown)
            owner = document.pop("project", None)
            if "groups" in document:
                _read_groups(document, where, section, book, shown)
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
                book.dropped.add((section, str(document.get("name", "")).strip()))
                continue
            lines = entry.document.setdefault(section, [])
            lines.append(document)
            entry.locations[(section, len(lines))] = where

    if "Correlation" in sheets:
        _read_correlation(sheets["Correlation"], book, shown)
    if "Outturn" in sheets:
        _read_outturn(sheets["Outturn"], by_id, book, shown)


def _read_outturn(ws: Sheet, by_id: dict[str, ProjectEntry], book: ReadBook, shown: str) -> None:
    """The Outturn sheet: a row per line and financial year, into that line's ``actuals``
    (keyed by the year, as in a TOML file)."""
    columns, _ = _header_map(ws, OUTTURN_COLUMNS, book, shown)
    seen: dict[str, str] = {}
    # One problem for the rows of one line that cannot be placed (say its project ID has a
    # slip), not one for each of its years.
    refused: dict[str, list[int]] = {}
    for number, cells in _rows(ws):
        document, where = _row_document("Outturn", number, cells, columns, {}, book, shown)
        owner, kind, name = document.get("project"), document.get("section"), document.get("line")
        year, amount = document.get("year"), document.get("amount")
        row = where[""]

        def refuse(
            message: str, field: str = "", where: dict = where, number: int = number
        ) -> None:
            rows = refused.setdefault(message, [])
            if not rows:
                problem = Problem(shown, message, line=where.get(field, where[""]))
                book.problems.append(problem)
                refused[message] = rows
            rows.append(number)

        entry = by_id.get(str(owner)) if owner is not None else None
        if entry is None:
            ids = ", ".join(by_id) or "none"
            refuse(
                f"project {owner!r} is not on the Projects sheet (its IDs: {ids})"
                if owner is not None
                else "names no project: fill in the Project ID",
                "project",
            )
            continue
        section = SECTIONS.get(str(kind).strip().capitalize()) if kind is not None else None
        if section is None:
            refuse(f"Cost or benefit must be Cost or Benefit, got {kind!r}", "section")
            continue
        lines = [
            (i, line)
            for i, line in enumerate(entry.document.get(section, []), start=1)
            if str(line.get("name", "")).strip() == str(name or "").strip()
        ]
        if not lines and (section, str(name or "").strip()) in book.dropped:
            continue  # its line was not read: that problem is reported already
        if len(lines) != 1:
            names = ", ".join(repr(line.get("name")) for line in entry.document.get(section, []))
            refuse(
                (
                    f"project {owner!r} has no {section[:-1]} line named {name!r} (its "
                    f"{section}: {names or 'none'})"
                    if not lines
                    else f"project {owner!r} has {len(lines)} {section} named {name!r}: give "
                    "them different names so that the outturn says which one it is"
                ),
                "line",
            )
            continue
        if isinstance(year, float) and year.is_integer():
            year = int(year)
        index, line = lines[0]
        key = f"{owner}|{section}|{index}|{year}"
        if not _keyed_once(book, shown, seen, key, str(row), f"the outturn of {name!r} for {year}"):
            continue
        line.setdefault("actuals", {})[str(year)] = amount
        where_line = entry.locations.setdefault((section, index), {})
        where_line[f"actuals.{year}"] = where.get("amount", row)
        where_line.setdefault("actuals", where.get("amount", row))
    for i, problem in enumerate(book.problems):
        rows = refused.get(problem.message, [])
        if len(rows) > 1 and problem.file == shown:
            book.problems[i] = replace(
                problem, message=f"{problem.message} (rows {rows[0]} to {rows[-1]})"
            )


def _read_groups(
    document: dict[str, Any], where: dict[str, int | str], section: str, book: ReadBook, shown: str
) -> None:
    """The Correlation groups cell of a line, ``field: group; field: group``, into the uncertain
    values it names (as ``group = "..."`` in their tables)."""
    text = document.pop("groups")
    cell = where.get("groups", where[""])
    fields = FIELD_RULES[section]
    for part in str(text).split(";"):
        if not part.strip():
            continue
        field, colon, group = (piece.strip() for piece in part.partition(":"))
        if not colon or not field or not group:
            book.problems.append(
                Problem(
                    shown,
                    f"{part.strip()!r} is not 'field: group' (e.g. quantity: demand); separate "
                    "several with ;",
                    field="Correlation groups",
                    line=cell,
                )
            )
            continue
        if field not in fields:
            book.problems.append(
                Problem(
                    shown,
                    f"{field!r} is not a value of a {section[:-1]} line that can be uncertain"
                    f"{suggest(field, fields)}; those are: {', '.join(fields)}",
                    field="Correlation groups",
                    line=cell,
                )
            )
            continue
        value = document.get(field)
        if value is None:
            book.problems.append(
                Problem(
                    shown,
                    f"puts {field} in the group {group!r}, but the line has no {field}",
                    field="Correlation groups",
                    line=cell,
                )
            )
            continue
        if not isinstance(value, dict):
            value = document[field] = {"central": value}
        value["group"] = group
        where[f"{field}.group"] = cell  # a problem with the group points at the cell naming it


def _read_correlation(ws: Sheet, book: ReadBook, shown: str) -> None:
    """The Correlation sheet: a row per group (Group, Rank correlation) and a row per pair of
    groups (Group, With group, Rank correlation)."""
    columns, _ = _header_map(ws, CORRELATION_COLUMNS, book, shown)
    groups: dict[str, Any] = {}
    between: list[dict[str, Any]] = []
    locations = book.portfolio_locations
    for number, cells in _rows(ws):
        document, where = _row_document("Correlation", number, cells, columns, {}, book, shown)
        group, other = document.get("group"), document.get("with")
        rank = document.get("rank")
        if group is None:
            book.problems.append(
                Problem(shown, "names no group: fill in the Group", line=where[""])
            )
            continue
        if other is None:
            groups[str(group)] = rank
            locations.setdefault(("correlation.groups", 1), {})[str(group)] = where.get(
                "rank", where[""]
            )
        else:
            between.append({"groups": [str(group), str(other)], "rank": rank})
            locations[("correlation.between", len(between))] = {
                "": where[""],
                "groups": where.get("group", where[""]),
                "rank": where.get("rank", where[""]),
            }
    correlation: dict[str, Any] = {}
    if groups:
        correlation["groups"] = groups
    if between:
        correlation["between"] = between
    if correlation:
        book.portfolio["correlation"] = correlation


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
    if any(part.startswith(".") for part in parts):
        return (
            "must not start with . (a hidden file or folder, which a scenario directory's "
            "readers pass over)"
        )
    if parts[-1].lower() == "portfolio.toml":
        return "cannot be portfolio.toml (that file holds the portfolio settings)"
    return None
