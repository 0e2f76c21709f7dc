"""The JSON documents of SPEC.md, key for key, with full-precision floats and ``null``."""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from ..calculate import financial_year

if TYPE_CHECKING:
    from ..calculate import PortfolioResult, ProjectResult


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _project(result: ProjectResult) -> dict[str, Any]:
    project = result.project
    return {
        "id": project.id,
        "name": project.name,
        "start_year": project.start_year,
        "counts_toward_target": result.counts_toward_target,
        "npv": _number(result.npv),
        "pv_costs": _number(result.pv_costs),
        "pv_benefits": _number(result.pv_benefits),
        "bcr": _number(result.bcr),
        "roi": _number(result.roi),
        "payback_year": None
        if result.payback_year is None
        else financial_year(result.payback_year),
        "irr": _number(result.irr),
        "cashable_npv": _number(result.cashable_npv),
        "pv_costs_by_agency": {k: _number(v) for k, v in result.pv_costs_by_agency.items()},
        "pv_benefits_by_agency": {k: _number(v) for k, v in result.pv_benefits_by_agency.items()},
        "years": [financial_year(y) for y in result.years],
        "costs": [float(x) for x in result.costs],
        "benefits": [float(x) for x in result.benefits],
        "discount_factors": [float(x) for x in result.discount_factors],
    }


def run_document(result: PortfolioResult) -> dict[str, Any]:
    """The ``run --format json`` document."""
    settings = result.settings
    portfolio = result.portfolio
    return {
        "portfolio": {
            "name": portfolio.name,
            "scenario": result.scenario,
            "discount_rate": float(settings.discount_rate),
            "horizon": settings.horizon,
            "price_base_year": settings.price_base_year,
            "npv": _number(result.npv),
            "pv_costs": _number(result.pv_costs),
            "pv_benefits": _number(result.pv_benefits),
            "target": _number(portfolio.target),
            "target_year": portfolio.target_year,
            "npv_toward_target": _number(result.npv_toward_target),
            "meets_target": result.meets_target,
            "headroom": _number(result.headroom),
        },
        "projects": [_project(p) for p in result.projects],
    }


def dumps(document: dict[str, Any]) -> str:
    """JSON text: UTF-8 as is, indented for people, and never ``NaN`` or ``Infinity``."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)
