"""CSV output (a row per project) and the equivalent pandas DataFrame."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from ..calculate import financial_year

if TYPE_CHECKING:
    import pandas as pd

    from ..calculate import PortfolioResult

COLUMNS = (
    "id",
    "name",
    "start_year",
    "years",
    "status",
    "counts_toward_target",
    "npv",
    "pv_costs",
    "pv_benefits",
    "bcr",
    "roi",
    "payback_year",
    "irr",
    "cashable_npv",
)
#: A cell starting with one of these is taken as a formula by spreadsheet programs.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def project_rows(result: PortfolioResult) -> list[dict[str, Any]]:
    """One dict per project with the :data:`COLUMNS` (``None`` where a value does not exist)."""
    return [
        {
            "id": p.project.id,
            "name": p.project.name,
            "start_year": p.project.start_year,
            "years": p.span,
            "status": p.project.status,
            "counts_toward_target": p.counts_toward_target,
            "npv": p.npv,
            "pv_costs": p.pv_costs,
            "pv_benefits": p.pv_benefits,
            "bcr": p.bcr,
            "roi": p.roi,
            "payback_year": None if p.payback_year is None else financial_year(p.payback_year),
            "irr": p.irr,
            "cashable_npv": p.cashable_npv,
        }
        for p in result.projects
    ]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    # A name such as "=HYPERLINK(...)" must stay text when the CSV is opened in a spreadsheet.
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(result: PortfolioResult) -> str:
    """CSV text with a header row and a row per project; empty cells where a value is null."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in project_rows(result):
        writer.writerow([_cell(row[c]) for c in COLUMNS])
    return out.getvalue()


def projects_frame(result: PortfolioResult) -> pd.DataFrame:
    """A DataFrame indexed by project id with the CSV columns (pandas is imported here only)."""
    import pandas as pd

    return pd.DataFrame(project_rows(result), columns=list(COLUMNS)).set_index("id")
