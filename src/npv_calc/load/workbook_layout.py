"""The layout of the Excel input template: its sheets, their columns and the Portfolio sheet's
rows. Reading (:mod:`npv_calc.load.workbook`), writing (:mod:`npv_calc.convert.input_workbook`)
and the script that builds the template (``templates/xlsx/build_input_template.py``) all follow
this one description, which is built from the declaration of the keys
(:mod:`npv_calc.load.fields`: each field says where it sits on each sheet) and the few columns a
sheet has of its own (the project a line belongs to, a line's correlation groups, ...).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import params
from ..workbook_io import column_number
from .fields import (
    APPRAISAL,
    BENEFITS,
    COSTS,
    IMPACTS,
    OPTIONS,
    PORTFOLIO,
    PROJECT,
    REALISATION,
    RISKS,
    SCENARIO,
)
from .fields import (
    SECTIONS as FIELD_SECTIONS,
)
from .kinds import Boolean, Choice, Nested, Span, UncertainValue
from .spec import SPREAD, Col, Field, Row, Section

HEADER_ROW = 4
FIRST_ROW = 5
#: Year columns in the template; a workbook may have more (Year 15, Year 16, ...).
TEMPLATE_YEARS = 15
TEMPLATE_ROWS = 1000  # rows with drop-down validation in the template

REPO_TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "xlsx" / "scenario-input.xlsx"


def default_template() -> Path:
    """The template in the source tree, or the copy installed with the package."""
    installed = Path(sys.prefix) / "share" / "npv-calc" / "templates" / "scenario-input.xlsx"
    return REPO_TEMPLATE if REPO_TEMPLATE.exists() else installed


@dataclass(frozen=True)
class Column:
    """A column of a row-per-item sheet: the document key it fills and its header."""

    key: str  # "name", "annual.low", "years.first", "project", "file"
    header: str
    width: float = 13
    kind: str = "number"  # number | text | free (kept exactly) | bool | year | share | money | list
    choices: tuple[str, ...] = ()
    note: str = ""
    #: the drop-down is a hard stop: npv-calc accepts no other value (else it only warns, where
    #: a workbook may add its own: agencies on the Agencies sheet, grades on the Grades sheet)
    strict: bool = False
    #: the value an empty cell stands for (export leaves the cell empty for it)
    blank: object = None


AGENCIES = ("Police", "Fire", "Ambulance", "Unallocated")
BOOLEANS = ("TRUE", "FALSE")
GRADES = ("1", "2", "3", "4", "5", "6")
#: The published discount schedules and optimism bias project types, as the loader accepts them.
SCHEDULES = params.SCHEDULES
OB_TYPES = tuple(params.optimism_bias_types())


def _choices(field: Field, placed: Col) -> tuple[tuple[str, ...], bool]:
    """The values a column's drop-down offers, and whether it insists on them."""
    if isinstance(field.kind, Choice):
        return field.kind.choices, True
    if isinstance(field.kind, Boolean):
        return BOOLEANS, True
    return placed.suggested, False


def field_columns(field: Field, placed: Col, prefix: str = "") -> list[Column]:
    """A field's columns: one, or an uncertain value's low, central and high, or a span's first
    and last year."""
    key = placed.key or prefix + field.key
    kind = placed.kind or field.kind.cell
    if isinstance(field.kind, UncertainValue):
        label = placed.header
        return [
            Column(f"{key}.low", f"{label} low", kind=kind),
            Column(key, label, kind=kind),
            Column(f"{key}.high", f"{label} high", kind=kind),
        ]
    if isinstance(field.kind, Span):
        return [
            Column(f"{key}.first", placed.header, placed.width, kind),
            Column(f"{key}.last", "Last year", placed.width, kind),
        ]
    choices, strict = _choices(field, placed)
    return [
        Column(key, placed.header, placed.width, kind, choices, placed.note, strict, placed.blank)
    ]


def placed_fields(section: Section, sheet: str, prefix: str = "") -> list[tuple[str, Field, Col]]:
    """The fields of a section with a column on ``sheet``, in declared order.

    Returns
    -------
    list of (str, Field, Col)
        The prefix of the field's column keys, the field and its column: a nested section's
        fields are spread across columns of their own, under the prefix of the field holding
        them (``set.discount_rate``).
    """
    found: list[tuple[str, Field, Col]] = []
    for field in section.fields:
        placed = field.sheets.get(sheet)
        if isinstance(placed, Col):
            found.append((prefix, field, placed))
        elif placed == SPREAD and isinstance(field.kind, Nested):
            nested = FIELD_SECTIONS[field.kind.section]
            found += placed_fields(nested, sheet, f"{prefix}{field.key}.")
    return found


def _sheet(section: Section | None, sheet: str, own: dict[str, Column]) -> list[Column]:
    """A sheet's columns in order: its section's fields and its own columns, by their letters."""
    at: dict[int, list[Column]] = {column_number(letter): [c] for letter, c in own.items()}
    for prefix, field, placed in placed_fields(section, sheet) if section else []:
        at[column_number(placed.at)] = field_columns(field, placed, prefix)
    columns: list[Column] = []
    for number in sorted(at):
        # Each field's columns start where the ones before end: no gap, no overlap.
        assert number == len(columns) + 1, f"{sheet}: a gap or overlap before column {number}"
        columns += at[number]
    return columns


_PROJECT_ID = Column("project", "Project ID", 10, "text")

PROJECT_COLUMNS = _sheet(
    PROJECT,
    "Projects",
    {"L": Column("file", "File", 24, "text", note="the TOML file import writes (optional)")},
)
COST_COLUMNS = _sheet(
    COSTS,
    "Costs",
    {
        "A": _PROJECT_ID,
        "U": Column(
            "groups",
            "Correlation groups",
            28,
            "text",
            note="field: group; e.g. annual: staff-costs",
        ),
    },
)
BENEFIT_COLUMNS = _sheet(
    BENEFITS,
    "Benefits",
    {
        "A": _PROJECT_ID,
        "AN": Column(
            "groups", "Correlation groups", 28, "text", note="field: group; e.g. quantity: demand"
        ),
    },
)
RISK_COLUMNS = _sheet(
    RISKS,
    "Risks",
    {"A": _PROJECT_ID, "L": Column("impact.group", "Impact correlation group", 16, "text")},
)
CORRELATION_COLUMNS = _sheet(
    None,
    "Correlation",
    {
        "A": Column("group", "Group", 20, "text"),
        "B": Column(
            "with", "With group", 20, "text", note="empty: the correlation inside the group"
        ),
        "C": Column("rank", "Rank correlation", 12, "number"),
    },
)
SCENARIO_COLUMNS = _sheet(SCENARIO, "Scenarios", {"A": Column("name", "Scenario", 20, "text")})
GRADE_COLUMNS = _sheet(
    None,
    "Grades",
    {
        "A": Column("grade", "Grade", 10, "year"),
        "B": Column("share", "Benefit optimism bias", 14, "share"),
    },
)
DEFLATOR_COLUMNS = _sheet(
    None,
    "Deflators",
    {
        "A": Column("year", "Financial year", 12, "year"),
        "B": Column("index", "Deflator index", 14, "number"),
    },
)
AGENCY_COLUMNS = _sheet(PORTFOLIO, "Agencies", {})
#: Outturn: a row per line and financial year (the lines' ``actuals``).
SECTIONS = {"Cost": "costs", "Benefit": "benefits"}
OUTTURN_COLUMNS = _sheet(
    None,
    "Outturn",
    {
        "A": Column("project", "Project ID", 10, "text"),
        "B": Column("section", "Cost or benefit", 12, "text", tuple(SECTIONS)),
        "C": Column(
            "line",
            "Line",
            32,
            "free",
            note="the line's name, as on the Costs or Benefits sheet",
        ),
        "D": Column("year", "Financial year", 12, "year", note="2023 for 2023/24"),
        "E": Column(
            "amount",
            "Outturn £",
            14,
            "money",
            note="gross, in the line's prices, as amounts would hold it",
        ),
    },
)
#: Impacts: a row per non-monetised impact of a project (its ``[[impacts]]``).
IMPACT_COLUMNS = _sheet(IMPACTS, "Impacts", {"A": _PROJECT_ID})
#: A row per option of a project's shortlist; an item of an option is a row of its sheet
#: whose Project ID is ``PROJECT/OPTION`` (:data:`OPTION_SEPARATOR`).
OPTION_COLUMNS = _sheet(OPTIONS, "Options", {"A": _PROJECT_ID})
OPTION_SEPARATOR = "/"


def _rows() -> list[tuple[str, Field, Row]]:
    """The Portfolio sheet's settings: (table, field, row), in row order."""
    rows = [
        (section.name, field, placed)
        for section in (PORTFOLIO, APPRAISAL, REALISATION)
        for field in section.fields
        if isinstance(placed := field.sheets.get("Portfolio"), Row)
    ]
    rows.sort(key=lambda row: row[2].number)
    assert [row.number for *_, row in rows] == list(range(FIRST_ROW, FIRST_ROW + len(rows)))
    return rows


#: The Portfolio sheet: a row per setting (label in A, value in B): (table, key, label, kind).
PORTFOLIO_ROWS = [
    (table, field.key, row.label, row.kind or field.kind.cell) for table, field, row in _rows()
]
#: The Portfolio sheet's notes, beside each setting (column C).
PORTFOLIO_NOTES = {field.key: row.note for _, field, row in _rows() if row.note}
#: The Portfolio sheet's settings that take one of a few values (a drop-down in the template).
PORTFOLIO_CHOICES = {
    field.key: field.kind.choices for _, field, _ in _rows() if isinstance(field.kind, Choice)
}

LINE_SHEETS = {"costs": ("Costs", COST_COLUMNS), "benefits": ("Benefits", BENEFIT_COLUMNS)}
#: Sheets with a row per item of a project (its lines, risks and impacts), keyed by the
#: project's ID.
PROJECT_ITEM_SHEETS = {
    **LINE_SHEETS,
    "risks": ("Risks", RISK_COLUMNS),
    "impacts": ("Impacts", IMPACT_COLUMNS),
}
TABLE_SHEETS = {
    "Projects": PROJECT_COLUMNS,
    "Costs": COST_COLUMNS,
    "Benefits": BENEFIT_COLUMNS,
    "Scenarios": SCENARIO_COLUMNS,
    "Grades": GRADE_COLUMNS,
    "Deflators": DEFLATOR_COLUMNS,
    "Agencies": AGENCY_COLUMNS,
    "Risks": RISK_COLUMNS,
    "Correlation": CORRELATION_COLUMNS,
    "Outturn": OUTTURN_COLUMNS,
    "Impacts": IMPACT_COLUMNS,
    "Options": OPTION_COLUMNS,
}
SHEETS = ("Guidance", "Portfolio", *TABLE_SHEETS, "Unit costs")
YEAR_HEADER = re.compile(r"Year (\d+)\Z", re.IGNORECASE)


def year_header(t: int) -> str:
    """The header of the column of year offset ``t``: ``Year 0``, ``Year 1``, ..."""
    return f"Year {t}"
