"""Reading an input workbook (the Excel input template, filled in) into the documents a TOML
file would give, with the sheet and cell of every value.

:mod:`npv_calc.load` then validates a workbook exactly as it validates TOML and names the sheet
and cell of every problem. Untrusted workbooks are opened with
:func:`npv_calc.workbook_io.read_sheets`: no macros, bounded size and extent, no zip bombs,
defusedxml, and only the cells a sheet really holds. Sheets are read in a fixed order (the order
problems are reported in): Portfolio, Grades, Deflators, Agencies, Scenarios, Projects, then the
projects' items, Correlation and Outturn.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..workbook_io import NO_RESULT, Sheet, read_sheets
from . import paths
from .fields import PORTFOLIO_FILE, uncertain_fields
from .fields import SECTIONS as FIELD_SECTIONS
from .kinds import Keyed
from .messages import show, suggest
from .rules import MAX_HORIZON
from .workbook_layout import (
    CORRELATION_COLUMNS,
    FIRST_ROW,
    OPTION_COLUMNS,
    OPTION_SEPARATOR,
    OUTTURN_COLUMNS,
    PORTFOLIO_ROWS,
    PROJECT_COLUMNS,
    PROJECT_ITEM_SHEETS,
    SCENARIO_COLUMNS,
    SECTIONS,
    SHEETS,
    TABLE_SHEETS,
)
from .workbook_rows import (
    Cells,
    ProjectEntry,
    ReadBook,
    cell_name,
    clean,
    coerce,
    sheet_documents,
)

__all__ = ["ProjectEntry", "ReadBook", "book_files", "cell_name", "check_file_name", "read"]

#: How far an input workbook is read: its rows (header rows included) and columns. A portfolio
#: of a thousand projects with fifty lines each fits; anything larger is refused, not guessed.
MAX_ROW = 100_000 + FIRST_ROW - 1
MAX_COLUMN = 60 + MAX_HORIZON  # the widest sheet's columns, then a Year column per year


def read(path: Path, shown: str) -> ReadBook:
    """Read an input workbook into documents, with the cell of every value and every problem
    found on the way (an unsafe or unreadable file gives only problems)."""
    book = ReadBook(shown=shown)
    try:
        sheets, problems = read_sheets(path, shown, SHEETS, max_row=MAX_ROW, max_column=MAX_COLUMN)
    except InputError as exc:
        book.problems += exc.problems
        return book
    book.problems += problems
    _read_sheets(sheets, book)
    return book


def book_files(path: Path) -> dict[str, str | None]:
    """The File of each project row of an input workbook, by project id (``None`` where the
    row gives none): the scenario file the project came from, and goes back to on ``import``
    and ``export``. Rows without an id are left out: a project is looked up by its id."""
    return {
        entry.document["id"]: entry.file
        for entry in read(path, str(path)).projects
        if isinstance(entry.document.get("id"), str)
    }


def _read_sheets(sheets: dict[str, Sheet], book: ReadBook) -> None:
    missing = [s for s in ("Portfolio", "Projects", "Costs", "Benefits") if s not in sheets]
    if missing:
        book.problem(
            f"has no sheet {', '.join(missing)}; start from the input template "
            "(npv-calc export, or templates/xlsx/scenario-input.xlsx)"
        )
        return
    _read_portfolio(sheets["Portfolio"], book)
    for title, keyed, table in (
        ("Grades", "grade", "confidence_grades"),
        ("Deflators", "year", "deflators"),
    ):
        if title in sheets:
            _read_keyed(sheets[title], keyed, table, book)
    if "Agencies" in sheets:
        _read_agencies(sheets["Agencies"], book)
    if "Scenarios" in sheets:
        _read_scenarios(sheets["Scenarios"], book)
    by_id = _read_projects(sheets["Projects"], book)
    if "Options" in sheets:  # a workbook made before options lacks it
        _read_options(sheets["Options"], by_id, book)
    for section, (title, _) in PROJECT_ITEM_SHEETS.items():
        if title in sheets:  # a workbook made before the Risks or Impacts sheet lacks them
            _read_items(sheets[title], section, by_id, book)
    _locate_options(by_id)
    if "Correlation" in sheets:
        _read_correlation(sheets["Correlation"], book)
    if "Outturn" in sheets:
        _read_outturn(sheets["Outturn"], by_id, book)


_LABELS = {label.lower(): (table, key, kind) for table, key, label, kind in PORTFOLIO_ROWS}


def _read_portfolio(ws: Sheet, book: ReadBook) -> None:
    """The Portfolio sheet: a row per setting, its label in A and its value in B."""
    seen: dict[str, str] = {}
    for number in sorted(n for n in ws.rows if n >= FIRST_ROW):
        row = ws.rows[number]
        label = clean(row.get(1))
        if label is None:
            continue
        label = str(label).strip()
        cell = cell_name("Portfolio", 1, number)
        if label.lower() not in _LABELS:
            settings = ", ".join(r[2] for r in PORTFOLIO_ROWS)
            book.problem(f"unknown setting {label!r}; the settings are: {settings}", cell)
            continue
        if not book.once(seen, label.lower(), cell, f"the setting {label!r}"):
            continue
        table, key, kind = _LABELS[label.lower()]
        value_cell = cell_name("Portfolio", 2, number)
        book.portfolio_locations.setdefault((table, 1), {})[key] = value_cell
        value = clean(row.get(2))
        if value is NO_RESULT:
            book.no_result(value_cell)
        elif value is not None:
            book.portfolio.setdefault(table, {})[key] = coerce(value, kind)


def _read_keyed(ws: Sheet, keyed: str, table: str, book: ReadBook) -> None:
    """The Grades or Deflators sheet: a row per grade (or year) and its value."""
    other = "share" if keyed == "grade" else "index"
    kind = PORTFOLIO_FILE.field(table).kind
    assert isinstance(kind, Keyed) and kind.key_problem is not None
    seen: dict[str, str] = {}
    for _, document, where in sheet_documents(ws, TABLE_SHEETS[ws.title], book):
        name = document.get(keyed)
        if isinstance(name, float) and name.is_integer():
            name = int(name)
        text = str(name) if name is not None else ""
        cell = str(where.get(keyed, where[""]))
        if text and not book.once(seen, text, cell, f"{keyed} {text}"):
            continue
        book.portfolio.setdefault(table, {})[text] = document.get(other)
        # The loader reports a row's grade (or year) or else its value, under the one key: a
        # key that is not one (a misspelt grade, 2021/22) is reported at its own cell, and its
        # value is read only once the key is right. The loader's own check says which.
        book.portfolio_locations.setdefault((table, 1), {})[text] = where.get(
            keyed if kind.key_problem(text) else other, where[""]
        )


def _read_agencies(ws: Sheet, book: ReadBook) -> None:
    """The Agencies sheet: an agency per row, into ``[portfolio] agencies``."""
    for _, document, where in sheet_documents(ws, TABLE_SHEETS["Agencies"], book):
        book.portfolio.setdefault("portfolio", {}).setdefault("agencies", []).append(
            document.get("agency")
        )
        book.portfolio_locations.setdefault(("portfolio", 1), {}).setdefault(
            "agencies", where.get("agency", where[""])
        )


def _read_scenarios(ws: Sheet, book: ReadBook) -> None:
    """The Scenarios sheet: a named scenario per row."""
    seen: dict[str, str] = {}
    for number, document, where in sheet_documents(ws, SCENARIO_COLUMNS, book):
        name = str(document.pop("name", "") or f"(row {number})")
        cell = str(where.get("name", where[""]))
        if not book.once(seen, name, cell, f"the scenario {name!r}"):
            continue
        book.portfolio.setdefault("scenarios", {})[name] = document
        book.portfolio_locations[(f"scenarios.{name}", 1)] = where


def _read_projects(ws: Sheet, book: ReadBook) -> dict[str, ProjectEntry]:
    """The Projects sheet: a project per row. Returns the projects by id (the first of an id
    given twice: the loader reports the second)."""
    by_id: dict[str, ProjectEntry] = {}
    for number, document, where in sheet_documents(ws, PROJECT_COLUMNS, book):
        file = document.pop("file", None)
        entry = ProjectEntry(
            document, {("", 1): where}, number, str(file) if file is not None else None
        )
        book.projects.append(entry)
        if isinstance(document.get("id"), str):
            by_id.setdefault(document["id"], entry)
    return by_id


def _unknown_project(owner: Any, by_id: dict[str, ProjectEntry]) -> str:
    ids = ", ".join(by_id) or "none"
    if owner is None:
        return "names no project: fill in the Project ID"
    return f"project {owner!r} is not on the Projects sheet (its IDs: {ids})"


def _read_items(ws: Sheet, section: str, by_id: dict[str, ProjectEntry], book: ReadBook) -> None:
    """A sheet with a row per item of a project (a line, a risk, an impact), into the
    ``[[section]]`` tables of the project its row names."""
    columns = PROJECT_ITEM_SHEETS[section][1]
    for _, document, where in sheet_documents(ws, columns, book, amounts=True):
        owner = document.pop("project", None)
        if "groups" in document:
            _read_groups(document, where, section, book)
        project, _, option_id = str(owner).partition(OPTION_SEPARATOR)
        entry = by_id.get(project) if owner is not None else None
        target = entry.document if entry is not None else None
        if entry is not None and option_id:
            target = _option_of(entry, option_id)
        if entry is None or target is None:
            message = _unknown_project(owner, by_id)
            if entry is not None:
                ids = [str(o.get("id")) for o in entry.document.get("options", [])]
                message = (
                    f"names option {option_id!r} of {project}, which is not on the Options sheet"
                    f"{suggest(option_id, ids)} (its options: {', '.join(ids) or 'none'})"
                )
            book.problem(message, where.get("project", where[""]))
            book.dropped.add((section, str(document.get("name", "")).strip()))
            continue
        items = target.setdefault(section, [])
        items.append(document)
        if option_id:
            entry.option_items.setdefault((option_id, section), []).append(where)
        else:
            entry.locations[(section, len(items))] = where


def _option_of(entry: ProjectEntry, option_id: str) -> dict[str, Any] | None:
    """The document of a project's option, by its id (``None``: the project has none such)."""
    options = entry.document.get("options", [])
    return next((o for o in options if o.get("id") == option_id), None)


def _read_options(ws: Sheet, by_id: dict[str, ProjectEntry], book: ReadBook) -> None:
    """The Options sheet: an option of a project's shortlist per row, into its ``[[options]]``
    tables."""
    for _, document, where in sheet_documents(ws, OPTION_COLUMNS, book):
        owner = document.pop("project", None)
        entry = by_id.get(str(owner)) if owner is not None else None
        if entry is None:
            book.problem(_unknown_project(owner, by_id), where.get("project", where[""]))
            continue
        options = entry.document.setdefault("options", [])
        options.append(document)
        entry.locations[("options", len(options))] = where


def _locate_options(by_id: dict[str, ProjectEntry]) -> None:
    """Where each item of an option is, as the TOML reader numbers them: the ``n``-th
    ``[[options.costs]]`` of the file, counted across the options in order."""
    for entry in by_id.values():
        counts: dict[str, int] = {}
        for option in entry.document.get("options", []):
            for section in PROJECT_ITEM_SHEETS:
                for where in entry.option_items.get((str(option.get("id")), section), []):
                    counts[section] = counts.get(section, 0) + 1
                    entry.locations[(f"options.{section}", counts[section])] = where


def _read_groups(document: dict[str, Any], where: Cells, section: str, book: ReadBook) -> None:
    """The Correlation groups cell of a line, ``field: group; field: group``, into the uncertain
    values it names (as ``group = "..."`` in their tables)."""
    text = document.pop("groups")
    cell = where.get("groups", where[""])
    fields = [f.key for f in uncertain_fields(FIELD_SECTIONS[section])]

    def problem(message: str) -> None:
        book.problem(message, cell, "Correlation groups")

    named: dict[str, str] = {}  # the group each field is put in, to refuse a second one
    for part in str(text).split(";"):
        if not part.strip():
            continue
        field, colon, group = (piece.strip() for piece in part.partition(":"))
        if field in named and colon and group:
            # a value is in one group at most (its group = "..." in TOML): which one holds
            # would be a guess, and the same one twice is a slip too
            problem(
                f"names a group for {field} twice ({show(named[field])}, then {show(group)}); "
                f"a value is in one correlation group at most: give {field} once"
            )
            continue
        if not colon or not field or not group:
            problem(
                f"{part.strip()!r} is not 'field: group' (e.g. quantity: demand); separate "
                "several with ;"
            )
        elif field not in fields:
            problem(
                f"{field!r} is not a value of a {section[:-1]} line that can be uncertain"
                f"{suggest(field, fields)}; those are: {', '.join(fields)}"
            )
        elif (value := document.get(field)) is None:
            problem(f"puts {field} in the group {group!r}, but the line has no {field}")
        else:
            if not isinstance(value, dict):
                value = document[field] = {"central": value}
            value["group"] = group
            named[field] = group
            where[f"{field}.group"] = cell  # a problem with the group points at the cell naming it


def _read_correlation(ws: Sheet, book: ReadBook) -> None:
    """The Correlation sheet: a row per group (Group, Rank correlation) and a row per pair of
    groups (Group, With group, Rank correlation). A group or a pair given on two rows is an
    error naming both, even with the same coefficient: which row holds is not guessed."""
    groups: dict[str, Any] = {}
    between: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    locations = book.portfolio_locations
    for _, document, where in sheet_documents(ws, CORRELATION_COLUMNS, book):
        group, other = document.get("group"), document.get("with")
        rank = document.get("rank")
        cell = str(where.get("group", where[""]))
        if group is None:
            book.problem("names no group: fill in the Group", where[""])
        elif other is None:
            if book.once(seen, f"group:{group}", cell, f"the group {show(str(group))}"):
                groups[str(group)] = rank
                locations.setdefault(("correlation.groups", 1), {})[str(group)] = where.get(
                    "rank", where[""]
                )
        elif _new_pair(book, seen, str(group), str(other), cell):
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


def _new_pair(book: ReadBook, seen: dict[str, str], group: str, other: str, cell: str) -> bool:
    """Whether a Correlation row's pair of groups is new (in either order); if not, an error
    naming both rows. A row pairing a group with itself is left to the loader, which says
    what a pair must name."""
    if group == other:
        return True
    first, second = sorted((group, other))
    what = f"the correlation between {show(group)} and {show(other)}"
    return book.once(seen, f"pair:{first}\0{second}", cell, what)


class _Refusals:
    """Outturn rows that cannot be placed: one problem for the rows of one line (say its
    project ID has a slip), not one for each of its years, naming the rows it stands for."""

    def __init__(self, book: ReadBook):
        self.book = book
        self.rows: dict[str, list[int]] = {}

    def add(self, message: str, cell: str | int, number: int) -> None:
        if message not in self.rows:
            self.book.problem(message, cell)
            self.rows[message] = []
        self.rows[message].append(number)

    def name_rows(self) -> None:
        problems = self.book.problems
        for i, problem in enumerate(problems):
            rows = self.rows.get(problem.message, [])
            if len(rows) > 1 and problem.file == self.book.shown:
                message = f"{problem.message} (rows {rows[0]} to {rows[-1]})"
                problems[i] = replace(problem, message=message)


def _read_outturn(ws: Sheet, by_id: dict[str, ProjectEntry], book: ReadBook) -> None:
    """The Outturn sheet: a row per line and financial year, into that line's ``actuals``
    (keyed by the year, as in a TOML file)."""
    seen: dict[str, str] = {}
    refused = _Refusals(book)
    for number, document, where in sheet_documents(ws, OUTTURN_COLUMNS, book):
        placed = _outturn_line(document, where, number, by_id, book, refused)
        if placed is None:
            continue
        entry, section, index = placed
        year, row = document.get("year"), where[""]
        if isinstance(year, float) and year.is_integer():
            year = int(year)
        key = f"{document.get('project')}|{section}|{index}|{year}"
        what = f"the outturn of {document.get('line')!r} for {year}"
        if not book.once(seen, key, str(row), what):
            continue
        line = entry.document[section][index - 1]
        line.setdefault("actuals", {})[str(year)] = document.get("amount")
        where_line = entry.locations.setdefault((section, index), {})
        # A year that is not one (2021/22, 21) is reported at its own cell; its amount is
        # read only once the year is right.
        good_year = re.fullmatch(r"[0-9]{4}", str(year)) is not None
        where_line[f"actuals.{year}"] = where.get("amount" if good_year else "year", row)
        where_line.setdefault("actuals", where.get("amount", row))
    refused.name_rows()


def _outturn_line(
    document: dict[str, Any],
    where: Cells,
    number: int,
    by_id: dict[str, ProjectEntry],
    book: ReadBook,
    refused: _Refusals,
) -> tuple[ProjectEntry, str, int] | None:
    """The project, section and line (its 1-based index) an outturn row is for, or ``None``
    after recording why it cannot be placed."""
    owner, kind, name = document.get("project"), document.get("section"), document.get("line")

    def refuse(message: str, field: str) -> None:
        refused.add(message, where.get(field, where[""]), number)

    entry = by_id.get(str(owner)) if owner is not None else None
    if entry is None:
        refuse(_unknown_project(owner, by_id), "project")
        return None
    section = SECTIONS.get(str(kind).strip().capitalize()) if kind is not None else None
    if section is None:
        refuse(f"Cost or benefit must be Cost or Benefit, got {kind!r}", "section")
        return None
    wanted = str(name or "").strip()
    lines = entry.document.get(section, [])
    matches = _lines_named(entry, section).get(wanted, [])
    if not matches and (section, wanted) in book.dropped:
        return None  # its line was not read: that problem is reported already
    if len(matches) != 1:
        names = ", ".join(repr(line.get("name")) for line in lines[:_NAMES_SHOWN])
        if len(lines) > _NAMES_SHOWN:
            names += f" and {len(lines) - _NAMES_SHOWN:,} more"
        refuse(
            f"project {owner!r} has no {section[:-1]} line named {name!r} (its {section}: "
            f"{names or 'none'})"
            if not matches
            else f"project {owner!r} has {len(matches)} {section} named {name!r}: give them "
            "different names so that the outturn says which one it is",
            "line",
        )
        return None
    return entry, section, matches[0]


#: The names of a project's lines an outturn message lists before it says how many more.
_NAMES_SHOWN = 20


def _lines_named(entry: ProjectEntry, section: str) -> dict[str, list[int]]:
    """A project's lines of a section by name (their 1-based indexes), made once per section:
    each outturn row looks its line up, and a project may have thousands."""
    index = entry.names.get(section)
    if index is None:
        index = entry.names[section] = {}
        for i, line in enumerate(entry.document.get(section, []), 1):
            index.setdefault(str(line.get("name", "")).strip(), []).append(i)
    return index


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
    deepest = paths.MAX_DEPTH  # the readers' own limit, so that the two always agree
    if len(parts) - 1 > deepest:
        # the readers search a scenario directory only so deep: the project would drop out
        return (
            f"is {len(parts) - 1} folders deep; a scenario directory is searched at most "
            f"{deepest} folders deep, so validate and run would not find the file import "
            f"writes: use at most {deepest} folders"
        )
    return None
