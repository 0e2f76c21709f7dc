"""Writing a portfolio into the Excel input template (``npv-calc export``).

The workbook reads back (:mod:`npv_calc.load.workbook`) to the same portfolio: every value is
written in the column the layout (:mod:`npv_calc.load.workbook_layout`) gives it, text stays text
(:func:`npv_calc.workbook_io.put_text`), and text a cell cannot hold is refused rather than
silently changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutputError
from ..load.workbook_layout import (
    CORRELATION_COLUMNS,
    FIRST_ROW,
    HEADER_ROW,
    IMPACT_COLUMNS,
    LINE_SHEETS,
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
    year_header,
)
from ..model import UNALLOCATED, Line, Portfolio, Uncertain
from ..workbook_io import (
    MAX_CELL_TEXT,
    check_writable,
    first_illegal_character,
    open_template,
    put_text,
    save_atomically,
)
from .scenario_files import appraisal_items, impact_items, line_items, risk_items

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet


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


def _value_columns(value: Any) -> dict[str, Any]:
    """``{"": central}`` for a number, or low/central/high for an uncertain value."""
    if isinstance(value, Uncertain):
        return {".low": value.low, "": value.central, ".high": value.high}
    return {"": value}


def _line_cells(line: Line) -> dict[str, Any]:
    """A line's cells by column key: what its TOML file would say (:func:`line_items`), with
    uncertain values across low/central/high and ``years`` across first/last (the yearly
    ``amounts`` go in the Year columns)."""
    return _item_cells(line_items(line), groups_cell=True)


def _item_cells(items: list[tuple[str, Any]], groups_cell: bool) -> dict[str, Any]:
    """Cells by column key for a line's or a risk's keys: uncertain values across
    low/central/high, ``years`` across first/last, and correlation groups in the line's
    Correlation groups cell (``field: group; ...``) or, for a risk, its impact's group cell."""
    cells: dict[str, Any] = {}
    groups: list[str] = []
    for key, value in items:
        if key == "agency" and value == UNALLOCATED:
            continue  # an empty cell is Unallocated, and a declared-agency drop-down allows it
        if key == "years":
            cells["years.first"], cells["years.last"] = value
        elif key not in ("amounts", "actuals"):  # actuals go on the Outturn sheet
            cells.update({key + k: v for k, v in _value_columns(value).items()})
            if isinstance(value, Uncertain) and value.group is not None:
                if groups_cell:
                    groups.append(f"{key}: {value.group}")
                else:
                    cells[f"{key}.group"] = value.group
    if groups:
        cells["groups"] = "; ".join(groups)
    return cells


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

    return get_column_letter(column)


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
        ("portfolio", "count_statuses"): ", ".join(portfolio.count_statuses)
        if portfolio.count_statuses is not None
        else None,
        ("portfolio", "as_of"): portfolio.as_of,
        ("portfolio", "present_value_year"): portfolio.present_value_year,
        # as portfolio.toml would say them: no discount rate beside a published schedule
        **{("appraisal", k): v for k, v in appraisal_items(settings)},
    }
    for number, (table, key, _, _) in enumerate(PORTFOLIO_ROWS, start=FIRST_ROW):
        if values.get((table, key)) is not None:
            _put(ws, number, 2, values[(table, key)])

    for sheet, rows in (
        ("Grades", [{"grade": g, "share": s} for g, s in portfolio.confidence_grades.items()]),
        ("Deflators", [{"year": y, "index": i} for y, i in portfolio.deflators.items()]),
        ("Agencies", [{"agency": a} for a in portfolio.agencies or ()]),
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
            **dict(project.overrides.items()),
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
        if portfolio.agencies is not None:
            _agency_choices(ws, at["agency"])
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

    ws = wb["Risks"]
    at = _columns_by_key(ws, RISK_COLUMNS)
    if portfolio.agencies is not None:
        _agency_choices(ws, at["agency"])
    number = FIRST_ROW
    for project in portfolio.projects:
        for risk in project.risks:
            _put(ws, number, at["project"], project.id)
            for key, value in _item_cells(risk_items(risk), groups_cell=False).items():
                _put(ws, number, at[key], value, f"project {project.id}, {risk.label}")
            number += 1

    ws = wb["Impacts"]
    at = _columns_by_key(ws, IMPACT_COLUMNS)
    number = FIRST_ROW
    for project in portfolio.projects:
        for impact in project.impacts:
            _put(ws, number, at["project"], project.id)
            for key, value in impact_items(impact):
                _put(ws, number, at[key], value, f"project {project.id}, {impact.label}")
            number += 1

    ws = wb["Correlation"]
    at = _columns_by_key(ws, CORRELATION_COLUMNS)
    number = FIRST_ROW
    correlation = portfolio.correlation
    rows = [(g, None, r) for g, r in correlation.groups.items()] + list(correlation.between)
    for group, other, rank in rows:
        _put(ws, number, at["group"], group)
        if other is not None:
            _put(ws, number, at["with"], other)
        _put(ws, number, at["rank"], rank)
        number += 1

    ws = wb["Outturn"]
    at = _columns_by_key(ws, OUTTURN_COLUMNS)
    number = FIRST_ROW
    kinds = {section: kind for kind, section in SECTIONS.items()}
    for project in portfolio.projects:
        for line in project.all_lines:
            for year, amount in line.actuals.items():
                owner = f"project {project.id}, {line.label}"
                row = {
                    "project": project.id,
                    "section": kinds[line.section],
                    "line": line.name,
                    "year": year,
                    "amount": amount,
                }
                for key, value in row.items():
                    _put(ws, number, at[key], value, owner)
                number += 1
    save_atomically(wb, path)
    return path
