"""Writing a portfolio into the Excel input template (``npv-calc export``).

The workbook reads back (:mod:`npv_calc.load.workbook`) to the same portfolio: every field is
written in the column its declaration (:mod:`npv_calc.load.fields`) places it in, as the value a
scenario file would give for it, text stays text (:func:`npv_calc.workbook_io.put_text`), and
text a cell cannot hold is refused rather than silently changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutputError
from ..load.fields import IMPACTS, OPTIONS, PORTFOLIO, PROJECT, REALISATION, RISKS, SCENARIO
from ..load.fields import SECTIONS as FIELD_SECTIONS
from ..load.spec import Field, Part, Row, Section
from ..load.workbook import book_files
from ..load.workbook_layout import (
    CORRELATION_COLUMNS,
    FIRST_ROW,
    HEADER_ROW,
    IMPACT_COLUMNS,
    LINE_SHEETS,
    OPTION_COLUMNS,
    OPTION_SEPARATOR,
    OUTTURN_COLUMNS,
    PORTFOLIO_ROWS,
    PROJECT_COLUMNS,
    RISK_COLUMNS,
    SECTIONS,
    SHEETS,
    TABLE_SHEETS,
    TEMPLATE_ROWS,
    TEMPLATE_YEARS,
    YEAR_HEADER,
    Column,
    default_template,
    placed_fields,
    year_header,
)
from ..model import Line, Portfolio, Project, SettingsPatch, Uncertain, is_workbook
from ..workbook_io import (
    MAX_CELL_TEXT,
    check_writable,
    column_number,
    first_illegal_character,
    open_template,
    put_text,
    save_atomically,
)
from .scenario_files import appraisal_items

if TYPE_CHECKING:
    # openpyxl ships no type hints
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

#: The column of a line's sheet naming the correlation groups of its values.
GROUPS = "groups"


def _put(ws: Worksheet, row: int, column: int, value: Any, owner: str = "") -> None:
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        bad = first_illegal_character(value)
        if bad:
            raise OutputError(
                f"{ws.title}!{cell.coordinate}: {owner + ': ' if owner else ''}"
                f"{value!r} holds the character "
                f"U+{ord(bad):04X}, which a workbook cannot store; remove it from the "
                "scenario file first (so that nothing is lost in the round trip)"
            )
        if len(value) > MAX_CELL_TEXT:
            raise OutputError(
                f"{ws.title}!{cell.coordinate}: {owner + ': ' if owner else ''}a text of "
                f"{len(value):,} characters is longer than a cell holds ({MAX_CELL_TEXT:,}); "
                "shorten it in the scenario file first (so that nothing is lost in the round "
                "trip)"
            )
        put_text(cell, value)  # text stays text, even "=..."
    else:
        cell.value = value


def _item_cells(
    section: Section,
    sheet: str,
    source: Callable[[Field], object],
    *,
    groups_cell: bool = False,
) -> dict[str, Any]:
    """An item's cells by column key, as the fields of its section placed on ``sheet`` say (in
    the order they are declared). ``source`` gives the model object a field is read from.

    Each value is spread across its columns (an uncertain value's low, central and high); a
    value an empty cell stands for is left out; an uncertain value's correlation group goes in
    its own column or, with ``groups_cell``, into the line's one Correlation groups cell
    (``field: group; ...``, in the order of the fields' columns).
    """
    cells: dict[str, Any] = {}
    groups: list[tuple[int, str]] = []
    for prefix, field, col in placed_fields(section, sheet):
        value = field.value_of(source(field))
        if value is None or (col.blank is not None and value == col.blank):
            continue
        key = prefix + field.key
        cells.update({key + suffix: v for suffix, v in field.kind.cells(value).items()})
        if isinstance(value, Uncertain) and value.group is not None:
            if groups_cell:
                groups.append((column_number(col.at), f"{key}: {value.group}"))
            else:
                cells[f"{key}.group"] = value.group
    if groups:
        cells[GROUPS] = "; ".join(named for _, named in sorted(groups))
    return cells


def _itself(item: object) -> Callable[[Field], object]:
    """Every field read from the item itself."""
    return lambda _: item


def _with_settings(item: object, settings: SettingsPatch) -> Callable[[Field], object]:
    """The appraisal settings read from the item's own settings, the other fields from it."""
    return lambda field: settings if field.part is Part.SETTING else item


def _extend_years(ws: Worksheet, count: int) -> dict[int, int]:
    """Make sure the sheet has Year 0 .. Year count-1 columns; year offset -> column."""
    found: dict[int, int] = {}
    last = 0
    for number, cell in enumerate(ws[HEADER_ROW], start=1):
        if cell.value is not None:
            last = number
            match = YEAR_HEADER.match(str(cell.value))
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

    return str(get_column_letter(column))


def _columns_by_key(ws: Worksheet, columns: Sequence[Column]) -> dict[str, int]:
    by_header = {c.header: c.key for c in columns}
    return {
        by_header[str(cell.value)]: number
        for number, cell in enumerate(ws[HEADER_ROW], start=1)
        if cell.value is not None and str(cell.value) in by_header
    }


def _agency_choices(ws: Worksheet, column: int) -> None:
    """Declared agencies make the agency drop-down a hard stop: only the names on the Agencies
    sheet can be chosen (an empty cell is Unallocated), as the loader allows no other."""
    letter = _letter(column)
    for rule in ws.data_validations.dataValidation:
        if any(letter == _letter(r.min_col) for r in rule.sqref.ranges):
            rule.formula1 = f"Agencies!$A${FIRST_ROW}:$A${FIRST_ROW + TEMPLATE_ROWS - 1}"
            rule.errorStyle = "stop"
            rule.error = (
                "Choose an agency listed on the Agencies sheet (add it there first), or Unallocated"
            )


def _write_rows(
    ws: Worksheet, columns: Sequence[Column], rows: Iterable[dict[str, Any]], owner: str = ""
) -> None:
    """A row per item from :data:`FIRST_ROW`, each cell in the column of its key."""
    at = _columns_by_key(ws, columns)
    for number, row in enumerate(rows, start=FIRST_ROW):
        for key, value in row.items():
            if value is not None:
                _put(ws, number, at[key], value, owner)


def export(portfolio: Portfolio, path: Path, template: Path | None = None) -> Path:
    """Write a portfolio into the input template, atomically.

    Raises
    ------
    OutputError
        The template is missing or unreadable, the path cannot be written, or a value cannot
        be written so that it reads back the same (a partner name with a comma).
    """
    check_writable(path)
    wb = open_template(
        template or default_template(), "templates/xlsx/build_input_template.py", SHEETS
    )
    for project in portfolio.projects:
        if any(line.actuals for o in project.options for line in (*o.costs, *o.benefits)):
            raise OutputError(
                f"{project.id}: a line of an option records outturn (actuals), which the "
                "input workbook's Outturn sheet cannot hold; keep that project as a TOML file"
            )
        for partner in project.partners:
            if "," in partner:
                raise OutputError(
                    f"{project.id}: partner {partner!r} contains a comma, which "
                    "the Partners column uses to separate names; rename it"
                )
    _write_portfolio(wb["Portfolio"], portfolio)
    _write_tables(wb, portfolio)
    _write_projects(wb["Projects"], portfolio)
    _write_lines(wb, portfolio)
    _write_items(wb["Risks"], portfolio, RISKS, RISK_COLUMNS)
    _write_items(wb["Impacts"], portfolio, IMPACTS, IMPACT_COLUMNS)
    _write_options(wb["Options"], portfolio)
    _write_correlation(wb["Correlation"], portfolio)
    _write_outturn(wb["Outturn"], portfolio)
    save_atomically(wb, path)
    return path


def _write_portfolio(ws: Worksheet, portfolio: Portfolio) -> None:
    """The Portfolio sheet: the ``[portfolio]`` table's settings, the appraisal's and the
    delivery status's tolerances, as portfolio.toml would say them (no discount rate beside a
    published schedule)."""
    values: dict[tuple[str, str], object] = {
        (section.name, f.key): f.kind.cells(f.value_of(item))[""]
        for section, item in ((PORTFOLIO, portfolio), (REALISATION, portfolio.realisation))
        for f in section.fields
        if isinstance(f.sheets.get("Portfolio"), Row)
    }
    values.update({("appraisal", k): v for k, v in appraisal_items(portfolio.settings)})
    for number, (table, key, _, _) in enumerate(PORTFOLIO_ROWS, start=FIRST_ROW):
        if values.get((table, key)) is not None:
            _put(ws, number, 2, values[(table, key)])


def _write_tables(wb: Workbook, portfolio: Portfolio) -> None:
    """The Grades, Deflators, Agencies and Scenarios sheets."""
    grades = portfolio.confidence_grades.items()
    _write_rows(wb["Grades"], TABLE_SHEETS["Grades"], ({"grade": g, "share": s} for g, s in grades))
    deflators = portfolio.deflators.items()
    _write_rows(
        wb["Deflators"], TABLE_SHEETS["Deflators"], ({"year": y, "index": i} for y, i in deflators)
    )
    agencies = portfolio.agencies or ()
    _write_rows(wb["Agencies"], TABLE_SHEETS["Agencies"], ({"agency": a} for a in agencies))
    scenarios = (
        {
            "name": scenario.name,
            **_item_cells(SCENARIO, "Scenarios", _with_settings(scenario, scenario.set)),
        }
        for scenario in portfolio.scenarios.values()
    )
    _write_rows(wb["Scenarios"], TABLE_SHEETS["Scenarios"], scenarios)


def _project_file(
    portfolio: Portfolio, project: Project, book_files: dict[str, str | None]
) -> str | None:
    """The File of a project: its file below the portfolio's folder, or its name; for a
    project read from an input workbook, the File that workbook gives (never the workbook's
    own name, which is no scenario file)."""
    if is_workbook(project.path):
        return book_files.get(project.id)
    base = portfolio.path.parent if portfolio.path else None
    if base is not None and project.path.is_relative_to(base):
        return project.path.relative_to(base).as_posix()
    if project.path.suffix == ".toml":
        return project.path.name
    return None


def _write_projects(ws: Worksheet, portfolio: Portfolio) -> None:
    """The Projects sheet: a row per project, its own settings (``overrides``) included."""
    at = _columns_by_key(ws, PROJECT_COLUMNS)
    books = {p.path for p in portfolio.projects if is_workbook(p.path)}
    files = {pid: f for book in sorted(books) for pid, f in book_files(book).items()}
    for number, project in enumerate(portfolio.projects, start=FIRST_ROW):
        row = _item_cells(PROJECT, "Projects", _with_settings(project, project.overrides))
        row["file"] = _project_file(portfolio, project, files)
        for key, value in row.items():
            if value is not None:
                _put(ws, number, at[key], value, f"project {project.id}")


def _write_lines(wb: Workbook, portfolio: Portfolio) -> None:
    """The Costs and Benefits sheets: a row per line, its yearly amounts in Year columns (as
    many as the longest line needs)."""
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
        if portfolio.agencies is not None:
            _agency_choices(ws, at["agency"])
        lines: list[tuple[str, Line]] = _owned(portfolio, section)
        for number, (owner, line) in enumerate(lines, start=FIRST_ROW):
            _put(ws, number, at["project"], owner)
            cells = _item_cells(FIELD_SECTIONS[section], sheet, _itself(line), groups_cell=True)
            for key, value in cells.items():
                _put(ws, number, at[key], value, f"project {owner}, {line.label}")
            for t, amount in enumerate(line.amounts or ()):
                _put(ws, number, years[t], amount)


def _write_items(
    ws: Worksheet, portfolio: Portfolio, section: Section, columns: Sequence[Column]
) -> None:
    """The Risks or Impacts sheet: a row per item of each project."""
    at = _columns_by_key(ws, columns)
    if portfolio.agencies is not None and "agency" in at:
        _agency_choices(ws, at["agency"])
    items: list[tuple[str, Any]] = _owned(portfolio, section.name)
    for number, (owner, item) in enumerate(items, start=FIRST_ROW):
        _put(ws, number, at["project"], owner)
        for key, value in _item_cells(section, ws.title, _itself(item)).items():
            _put(ws, number, at[key], value, f"project {owner}, {item.label}")


def _owned(portfolio: Portfolio, section: str) -> list[tuple[str, Any]]:
    """The items of a section with the Project ID of their row: a project's own, or for a
    project with options each option's own items under ``PROJECT/OPTION``."""
    found: list[tuple[str, Any]] = []
    for project in portfolio.projects:
        if not project.options:
            found += [(project.id, item) for item in getattr(project, section)]
        for option in project.options:
            owner = f"{project.id}{OPTION_SEPARATOR}{option.id}"
            found += [(owner, item) for item in getattr(option, section)]
    return found


def _write_options(ws: Worksheet, portfolio: Portfolio) -> None:
    """The Options sheet: a row per option of each project's shortlist."""
    at = _columns_by_key(ws, OPTION_COLUMNS)
    options = [(p, o) for p in portfolio.projects for o in p.options]
    for number, (project, option) in enumerate(options, start=FIRST_ROW):
        _put(ws, number, at["project"], project.id)
        for key, value in _item_cells(OPTIONS, "Options", _itself(option)).items():
            _put(ws, number, at[key], value, f"project {project.id}, {option.label}")


def _write_correlation(ws: Worksheet, portfolio: Portfolio) -> None:
    """The Correlation sheet: a row per group, then a row per pair of groups."""
    correlation = portfolio.correlation
    pairs = [(g, None, r) for g, r in correlation.groups.items()] + list(correlation.between)
    rows = ({"group": group, "with": other, "rank": rank} for group, other, rank in pairs)
    _write_rows(ws, CORRELATION_COLUMNS, rows)


def _write_outturn(ws: Worksheet, portfolio: Portfolio) -> None:
    """The Outturn sheet: a row per line and financial year with outturn."""
    at = _columns_by_key(ws, OUTTURN_COLUMNS)
    kinds = {section: kind for kind, section in SECTIONS.items()}
    rows = [
        (project, line, year, amount)
        for project in portfolio.projects
        for line in project.all_lines
        for year, amount in line.actuals.items()
    ]
    for number, (project, line, year, amount) in enumerate(rows, start=FIRST_ROW):
        row = {
            "project": project.id,
            "section": kinds[line.section],
            "line": line.name,
            "year": year,
            "amount": amount,
        }
        for key, value in row.items():
            _put(ws, number, at[key], value, f"project {project.id}, {line.label}")
