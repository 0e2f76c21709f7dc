"""The layout of the Excel input template: its sheets, their columns and the Portfolio sheet's
rows. Reading (:mod:`npv_calc.load.workbook`), writing (:mod:`npv_calc.convert.input_workbook`)
and the script that builds the template (``templates/xlsx/build_input_template.py``) all follow
this one description.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .. import params
from ..model import COST_KINDS, DIRECTIONS, MATERIALITIES, STATUSES, VALUE_TYPES

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


def _triple(key: str, label: str, kind: str) -> list[Column]:
    return [
        Column(f"{key}.low", f"{label} low", kind=kind),
        Column(key, label, kind=kind),
        Column(f"{key}.high", f"{label} high", kind=kind),
    ]


AGENCIES = ("Police", "Fire", "Ambulance", "Unallocated")
BOOLEANS = ("TRUE", "FALSE")
GRADES = ("1", "2", "3", "4", "5", "6")
#: The published discount schedules and optimism bias project types, as the loader accepts them.
SCHEDULES = params.SCHEDULES
OB_TYPES = tuple(params.optimism_bias_types())

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
    # Columns added after the first release go last, so that the cells of the columns before
    # them keep their addresses (Projects!L5 is still the File of the first project).
    Column("schedule", "Own discount schedule", 14, "text", SCHEDULES, note="not with a rate"),
    Column("ob_mitigation", "Own optimism bias mitigation", 11, "share"),
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
    Column(
        "groups",
        "Correlation groups",
        28,
        "text",
        note="field: group; e.g. annual: staff-costs",
    ),
    # added after the first release: last, as on Projects
    Column(
        "ob_type",
        "Optimism bias type",
        22,
        "text",
        OB_TYPES,
        note="a project type, instead of Optimism bias",
    ),
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
    Column(
        "groups",
        "Correlation groups",
        28,
        "text",
        note="field: group; e.g. quantity: demand",
    ),
    # added after the first release: last, as on Projects
    Column("value_type", "Value type", 10, "text", VALUE_TYPES, note="cashable: fiscal"),
]
RISK_COLUMNS = [
    *LINE_START[:1],
    Column("name", "Risk", 32, "free"),
    Column("probability", "Probability", 10, "share"),
    *_triple("impact", "Impact £", "money"),
    Column("years.first", "First year", 8, "year"),
    Column("years.last", "Last year", 8, "year"),
    Column("agency", "Agency (pays)", 12, "text", AGENCIES),
    Column("price_year", "Price year", 9, "year"),
    Column("source", "Source", 40, "free"),
    Column("impact.group", "Impact correlation group", 16, "text"),
]
CORRELATION_COLUMNS = [
    Column("group", "Group", 20, "text"),
    Column("with", "With group", 20, "text", note="empty: the correlation inside the group"),
    Column("rank", "Rank correlation", 12, "number"),
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
    # added after the first release: last, as on Projects
    Column("set.schedule", "Discount schedule", 14, "text", SCHEDULES, note="not with a rate"),
    Column("set.ob_mitigation", "Optimism bias mitigation", 11, "share"),
]
GRADE_COLUMNS = [
    Column("grade", "Grade", 10, "year"),
    Column("share", "Benefit optimism bias", 14, "share"),
]
DEFLATOR_COLUMNS = [
    Column("year", "Financial year", 12, "year"),
    Column("index", "Deflator index", 14, "number"),
]
AGENCY_COLUMNS = [
    Column("agency", "Agency", 28, "free", note="one agency per row"),
]
#: Outturn: a row per line and financial year (the lines' ``actuals``).
SECTIONS = {"Cost": "costs", "Benefit": "benefits"}
OUTTURN_COLUMNS = [
    Column("project", "Project ID", 10, "text"),
    Column("section", "Cost or benefit", 12, "text", tuple(SECTIONS)),
    Column("line", "Line", 32, "free", note="the line's name, as on the Costs or Benefits sheet"),
    Column("year", "Financial year", 12, "year", note="2023 for 2023/24"),
    Column(
        "amount",
        "Outturn £",
        14,
        "money",
        note="gross, in the line's prices, as amounts would hold it",
    ),
]
#: Impacts: a row per non-monetised impact of a project (its ``[[impacts]]``).
IMPACT_COLUMNS = [
    Column("project", "Project ID", 10, "text"),
    Column("name", "Impact", 32, "free"),
    Column("direction", "Direction", 10, "text", DIRECTIONS),
    Column("materiality", "Materiality", 11, "text", MATERIALITIES),
    Column("description", "Description", 60, "free"),
]
#: The Portfolio sheet: a row per setting (label in A, value in B).
PORTFOLIO_ROWS = [
    ("portfolio", "name", "Portfolio name", "free"),
    ("portfolio", "description", "Description", "free"),
    ("portfolio", "target", "Target: NPV to secure (£)", "money"),
    ("portfolio", "target_year", "Target year (projects starting by it count)", "year"),
    ("portfolio", "count_statuses", "Statuses that count toward the target", "list"),
    ("portfolio", "as_of", "Outturn recorded up to (financial year)", "year"),
    ("appraisal", "discount_rate", "Discount rate", "share"),
    ("appraisal", "declining", "Declining schedule after year 30", "bool"),
    ("appraisal", "discount_year0", "Year 0 discounted", "bool"),
    ("appraisal", "horizon", "Horizon (years)", "year"),
    ("appraisal", "price_base_year", "Price base year", "year"),
    # Settings added after the first release go last, so that the rows above keep their
    # addresses (Portfolio!B11 is still the discount rate).
    ("appraisal", "schedule", "Published discount schedule (instead of the rate)", "text"),
    ("appraisal", "ob_mitigation", "Optimism bias mitigation", "share"),
    ("portfolio", "present_value_year", "Present value year (financial year)", "year"),
]
#: The Portfolio sheet's settings that take one of a few values (a drop-down in the template).
PORTFOLIO_CHOICES = {"schedule": SCHEDULES}

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
}
SHEETS = ("Guidance", "Portfolio", *TABLE_SHEETS, "Unit costs")
YEAR_HEADER = re.compile(r"Year (\d+)\Z", re.IGNORECASE)


def year_header(t: int) -> str:
    return f"Year {t}"
