"""CSV output (a row per project) and the equivalent pandas DataFrame."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..model import financial_year

if TYPE_CHECKING:
    import pandas as pd

    from ..params import UnitCost
    from ..results.appraisal import PortfolioResult
    from ..results.realisation import Delivery, Progress

COLUMNS = (
    "id",
    "name",
    "start_year",
    "years",
    "status",
    "counts_toward_target",
    "counts_because",
    "npv",
    "pv_costs",
    "pv_benefits",
    "pv_risk_costs",
    "bcr",
    "roi",
    "payback_year",
    "irr",
    "cashable_npv",
    "plan_npv",
    "plan_pv_costs",
    "plan_pv_benefits",
    "realised_npv",
    "realised_pv_costs",
    "realised_pv_benefits",
    "realised_to_year",
    "pv_benefits_fiscal",
    "pv_benefits_economic",
    "pv_benefits_social",
    "pv_benefits_unspecified",
    "financial_roi",
    "npv_at_present_value_year",
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
            "counts_because": p.counts_because,
            "npv": p.npv,
            "pv_costs": p.pv_costs,
            "pv_benefits": p.pv_benefits,
            "pv_risk_costs": p.pv_risk_costs,
            "bcr": p.bcr,
            "roi": p.roi,
            "payback_year": None if p.payback_year is None else financial_year(p.payback_year),
            "irr": p.irr,
            "cashable_npv": p.cashable_npv,
            "plan_npv": p.plan.npv,
            "plan_pv_costs": p.plan.pv_costs,
            "plan_pv_benefits": p.plan.pv_benefits,
            "realised_npv": None if p.realised is None else p.realised.npv,
            "realised_pv_costs": None if p.realised is None else p.realised.pv_costs,
            "realised_pv_benefits": None if p.realised is None else p.realised.pv_benefits,
            "realised_to_year": None if p.realised is None else p.realised.to_year,
            **{f"pv_benefits_{k}": v for k, v in p.pv_benefits_by_value_type.items()},
            "financial_roi": p.financial_roi,
            "npv_at_present_value_year": p.npv_at_present_value_year,
        }
        for p in result.projects
    ]


def _text(text: str) -> str:
    """A text cell that no spreadsheet runs (OWASP CSV injection): a leading ``=``, ``+``,
    ``-``, ``@``, tab or carriage return gets a ``'``, and the cell is always quoted, so that
    a separator inside it (``Joint;=1+1`` where ``;`` separates columns) cannot start a new
    cell."""
    if text.startswith(FORMULA_START):
        text = "'" + text
    return '"' + text.replace('"', '""') + '"'


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return _text(str(value))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV with a header row: numbers as they are (floats at full precision), ``true``/``false``,
    empty cells for ``None``, and every text cell quoted and neutralised (:func:`_text`)."""
    lines = [",".join(_text(h) if not h.isidentifier() else h for h in header)]
    lines += [",".join(_cell(v) for v in row) for row in rows]
    return "\n".join(lines) + "\n"


def to_csv(result: PortfolioResult) -> str:
    """CSV text with a header row and a row per project; empty cells where a value is null."""
    return csv_text(COLUMNS, ([row[c] for c in COLUMNS] for row in project_rows(result)))


def unit_costs_csv(costs: Iterable[UnitCost]) -> str:
    """The unit-cost library as CSV (``npv-calc unit-costs --format csv``)."""
    header = (
        "key",
        "value",
        "unit",
        "price_year",
        "description",
        "source",
        "low",
        "high",
        "checked",
        "checked_against",
    )
    return csv_text(header, ([getattr(c, k) for k in header] for c in costs))


def projects_frame(result: PortfolioResult) -> pd.DataFrame:
    """A DataFrame indexed by project id with the CSV columns (pandas is imported here only)."""
    import pandas as pd

    return pd.DataFrame(project_rows(result), columns=list(COLUMNS)).set_index("id")


PROGRESS_COLUMNS = (
    "id",
    "year",
    "recorded",
    "plan_costs",
    "outturn_costs",
    "plan_benefits",
    "outturn_benefits",
    "variance",
    "status",
    "base_costs",
    "recorded_costs",
    "base_benefits",
    "recorded_benefits",
    "cost_status",
    "cost_share",
    "benefits_status",
    "benefits_share",
    "schedule_status",
    "schedule_years_late",
)


def progress_csv(progress: Progress) -> str:
    """``progress --format csv``: a row per project and year up to ``as_of``, each with its
    project's delivery status (empty for a project without outturn)."""
    rows = [
        (
            p.id,
            financial_year(y.year),
            y.recorded,
            y.plan_costs,
            y.outturn_costs,
            y.plan_benefits,
            y.outturn_benefits,
            y.variance,
            p.status,
            y.base_costs,
            y.recorded_costs,
            y.base_benefits,
            y.recorded_benefits,
            *_rag_cells(p.rag),
        )
        for p in progress.projects
        for y in p.years
    ]
    return csv_text(PROGRESS_COLUMNS, rows)


def _rag_cells(delivery: Delivery | None) -> tuple[object, ...]:
    if delivery is None:
        return (None,) * 6
    return tuple(
        cell
        for rating in (delivery.cost, delivery.benefits, delivery.schedule)
        for cell in (rating.status, rating.share)
    )
