"""The JSON documents of SPEC.md, key for key, with full-precision floats and ``null``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..discount import first_rate
from ..model import financial_year
from .text import number

if TYPE_CHECKING:
    from ..model import Settings
    from ..params import UnitCost
    from ..results.appraisal import Figures, PortfolioResult, ProjectResult, Shortlist
    from ..results.comparison import Comparison
    from ..results.realisation import Delivery, Progress, Rating
    from ..results.uncertainty import Sensitivity, Simulation, Stats, TornadoBar


def _project(result: ProjectResult) -> dict[str, Any]:
    project = result.project
    return {
        "id": project.id,
        "name": project.name,
        "start_year": project.start_year,
        "counts_toward_target": result.counts_toward_target,
        "counts_because": result.counts_because,
        "npv": number(result.npv),
        "pv_costs": number(result.pv_costs),
        "pv_benefits": number(result.pv_benefits),
        "pv_risk_costs": number(result.pv_risk_costs),
        "bcr": number(result.bcr),
        "roi": number(result.roi),
        "payback_year": None
        if result.payback_year is None
        else financial_year(result.payback_year),
        "irr": number(result.irr),
        "cashable_npv": number(result.cashable_npv),
        "pv_costs_by_agency": {k: number(v) for k, v in result.pv_costs_by_agency.items()},
        "pv_benefits_by_agency": {k: number(v) for k, v in result.pv_benefits_by_agency.items()},
        "years": [financial_year(y) for y in result.years],
        "costs": [float(x) for x in result.costs],
        "benefits": [float(x) for x in result.benefits],
        "discount_factors": [float(x) for x in result.discount_factors],
        "plan": _figures(result.plan),
        "realised": {
            **(
                _figures(result.realised)
                if result.realised is not None
                else {"npv": None, "pv_costs": None, "pv_benefits": None}
            ),
            "to_year": None if result.realised is None else result.realised.to_year,
        },
        # The economic case: value types, the financial return, one present-value year.
        "pv_benefits_by_value_type": _by_value_type(result.pv_benefits_by_value_type),
        "financial_roi": number(result.financial_roi),
        "npv_at_present_value_year": number(result.npv_at_present_value_year),
        # The settings the project was appraised with (its own, where its file gives any).
        "settings": _settings(result.settings),
        # A project with options stands for its preferred option against BAU.
        **({} if result.options is None else _options(result.options)),
    }


def _options(shortlist: Shortlist) -> dict[str, Any]:
    from .options import shortlist_entry

    entry = shortlist_entry(shortlist)
    return {key: entry[key] for key in ("preferred", "best", "preferred_because", "options")}


def _settings(settings: Settings) -> dict[str, Any]:
    return {
        "discount_rate": float(first_rate(settings)),
        "schedule": settings.schedule,
        "declining": settings.declining,
        "discount_year0": settings.discount_year0,
        "horizon": settings.horizon,
        "price_base_year": settings.price_base_year,
        "ob_mitigation": float(settings.ob_mitigation),
    }


def _by_value_type(values: dict[str, float]) -> dict[str, float | None]:
    return {k: number(v) for k, v in values.items()}


def _figures(figures: Figures) -> dict[str, float | None]:
    return {
        "npv": number(figures.npv),
        "pv_costs": number(figures.pv_costs),
        "pv_benefits": number(figures.pv_benefits),
    }


def run_document(result: PortfolioResult) -> dict[str, Any]:
    """The ``run --format json`` document."""
    settings = result.settings
    portfolio = result.portfolio
    return {
        "portfolio": {
            "name": portfolio.name,
            "scenario": result.scenario,
            "discount_rate": float(first_rate(settings)),
            "horizon": settings.horizon,
            "price_base_year": settings.price_base_year,
            "npv": number(result.npv),
            "pv_costs": number(result.pv_costs),
            "pv_benefits": number(result.pv_benefits),
            "target": number(portfolio.target),
            "target_year": portfolio.target_year,
            "npv_toward_target": number(result.npv_toward_target),
            "meets_target": result.meets_target,
            "headroom": number(result.headroom),
            # The plan (no outturn) and the part realised up to as_of; null without as_of.
            "as_of": result.as_of,
            "npv_plan": None if result.as_of is None else number(result.plan.npv),
            "npv_realised": None if result.realised is None else number(result.realised.npv),
            "npv_toward_target_plan": None
            if result.as_of is None
            else number(result.npv_toward_target_plan),
            # The economic case: the published schedule (null: discount_rate scales the
            # standard one), value types, the financial return, one present-value year.
            "schedule": settings.schedule,
            "pv_benefits_by_value_type": _by_value_type(result.pv_benefits_by_value_type),
            "financial_roi": number(result.financial_roi),
            "present_value_year": result.present_value_year,
            "npv_at_present_value_year": number(result.npv_at_present_value_year),
        },
        "projects": [_project(p) for p in result.projects],
    }


def dumps(document: dict[str, Any] | list[dict[str, Any]]) -> str:
    """JSON text: UTF-8 as is, indented for people, and never ``NaN`` or ``Infinity``."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False)


def _bar(bar: TornadoBar) -> dict[str, Any]:
    return {
        "project": bar.project,
        "line": bar.line,
        "field": bar.field,
        "low": bar.low,
        "high": bar.high,
        "npv_at_low": number(bar.npv_at_low),
        "npv_at_high": number(bar.npv_at_high),
        "swing": number(bar.swing),
        "toward_target_at_low": number(bar.toward_target_at_low),
        "toward_target_at_high": number(bar.toward_target_at_high),
        "toward_target_swing": number(bar.toward_target_swing),
    }


def _option_tornadoes(sensitivity: Sensitivity) -> list[dict[str, Any]]:
    """Each project with options, with the tornado of each option other than BAU (its bars'
    ``npv_at_*`` are the option's NPV against BAU)."""
    projects: dict[str, list[dict[str, Any]]] = {}
    for option in sensitivity.options:
        projects.setdefault(option.project, []).append(
            {
                "id": option.option,
                "npv_vs_bau": number(option.npv_vs_bau),
                "bars": [_bar(bar) for bar in option.tornado],
            }
        )
    return [{"id": pid, "options": options} for pid, options in projects.items()]


def sensitivity_document(sensitivity: Sensitivity) -> dict[str, Any]:
    """The ``sensitivity --format json`` document; ``projects`` only when a project has
    options (the tornado of each option)."""
    document: dict[str, Any] = {
        "scenario": sensitivity.scenario,
        "tornado": [_bar(bar) for bar in sensitivity.tornado],
        "switching_values": [
            {
                "project": value.project,
                "benefits_fall": number(value.benefits_fall),
                "costs_rise": number(value.costs_rise),
            }
            for value in sensitivity.switching_values
        ],
        "portfolio": {
            "npv": number(sensitivity.base.npv),
            "benefits_fall_to_miss_target": number(sensitivity.benefits_fall_to_miss_target),
        },
    }
    if sensitivity.options:
        document["projects"] = _option_tornadoes(sensitivity)
    return document


def _distribution(stats: Stats) -> dict[str, float | None]:
    return {
        "mean": number(stats.mean),
        "std": number(stats.std),
        "p5": number(stats.p(5.0)),
        "p10": number(stats.p(10.0)),
        "p50": number(stats.p(50.0)),
        "p90": number(stats.p(90.0)),
        "p95": number(stats.p(95.0)),
    }


def _option_odds(simulation: Simulation, pid: str) -> dict[str, Any]:
    """A project with options: ``prob_preferred_beats_next``, and each option's ``prob_best``
    (``null`` for business as usual, which is not ranked); nothing for another project."""
    odds = next((o for o in simulation.options if o.project == pid), None)
    if odds is None:
        return {}
    shortlist = simulation.base.project(pid).options
    ids = [o.id for o in shortlist.options] if shortlist is not None else list(odds.prob_best)
    return {
        "prob_preferred_beats_next": number(odds.prob_preferred_beats_next),
        "options": [{"id": oid, "prob_best": number(odds.prob_best.get(oid))} for oid in ids],
    }


def simulation_document(simulation: Simulation) -> dict[str, Any]:
    """The ``simulate --format json`` document."""
    toward = simulation.toward_target
    return {
        "iterations": simulation.iterations,
        "seed": simulation.seed,
        "distribution": simulation.distribution,
        "sampling": simulation.sampling,
        "correlation_groups": list(simulation.correlation_groups),
        "portfolio": {
            **_distribution(simulation.portfolio),
            "prob_meets_target": number(simulation.prob_meets_target),
            "mean_se": number(simulation.mean_se),
            "prob_meets_target_se": number(simulation.prob_meets_target_se),
            "toward_target": None if toward is None else _distribution(toward),
        },
        "projects": [
            {
                "id": pid,
                "mean": number(stats.mean),
                "p10": number(stats.p(10.0)),
                "p50": number(stats.p(50.0)),
                "p90": number(stats.p(90.0)),
                "prob_negative": number(stats.prob_negative),
                **_option_odds(simulation, pid),
            }
            for pid, stats in simulation.projects.items()
        ],
        "drivers": [
            {
                "project": d.project,
                "line": d.line,
                "field": d.field,
                "rank_correlation": number(d.rank_correlation),
                "contribution": number(d.contribution),
                "group": d.group,
            }
            for d in simulation.drivers
        ],
    }


def comparison_document(comparison: Comparison) -> dict[str, Any]:
    """The ``compare --format json`` document."""
    return {
        "portfolio": {
            "npv_a": number(comparison.a.npv),
            "npv_b": number(comparison.b.npv),
            "change": number(comparison.change),
        },
        "projects": [
            {
                "id": change.id,
                "npv_a": number(change.npv_a),
                "npv_b": number(change.npv_b),
                "change": number(change.change),
            }
            for change in comparison.projects
        ],
    }


def unit_costs_document(costs: Iterable[UnitCost]) -> list[dict[str, Any]]:
    """The ``unit-costs --format json`` document: a list of the library's values."""
    return [
        {
            "key": c.key,
            "value": c.value,
            "unit": c.unit,
            "price_year": c.price_year,
            "description": c.description,
            "source": c.source,
            "low": c.low,
            "high": c.high,
            "checked": c.checked,
            "checked_against": c.checked_against,
        }
        for c in costs
    ]


def progress_document(progress: Progress) -> dict[str, Any]:
    """The ``progress --format json`` document."""
    latest = progress.latest
    return {
        "as_of": progress.as_of,
        "portfolio": {
            "name": latest.portfolio.name,
            "plan_npv_to_date": number(progress.plan_npv_to_date),
            "latest_npv_to_date": number(progress.latest_npv_to_date),
            "npv_plan": number(latest.plan.npv),
            "npv": number(latest.npv),
            "npv_toward_target_plan": number(latest.npv_toward_target_plan),
            "npv_toward_target": number(latest.npv_toward_target),
            "target": number(latest.target),
            "meets_target_plan": latest.meets_target_plan,
            "meets_target": latest.meets_target,
            "rag": None
            if progress.cost is None or progress.benefits is None
            else {"cost": _rating(progress.cost), "benefits": _rating(progress.benefits)},
        },
        "projects": [
            {
                "id": p.id,
                "name": p.name,
                "status": p.status,
                "rag": _rag(p.rag),
                "plan_npv_to_date": number(p.plan_npv_to_date),
                "latest_npv_to_date": number(p.latest_npv_to_date),
                "variance_to_date": number(p.variance),
                "plan_pv_benefits_to_date": number(p.plan_pv_benefits_to_date),
                "npv_plan": number(p.plan_npv),
                "npv": number(p.latest_npv),
                "years": [
                    {
                        "year": financial_year(y.year),
                        "recorded": y.recorded,
                        "plan_costs": number(y.plan_costs),
                        "outturn_costs": number(y.outturn_costs),
                        "plan_benefits": number(y.plan_benefits),
                        "outturn_benefits": number(y.outturn_benefits),
                        "variance": number(y.variance),
                        "base_costs": number(y.base_costs),
                        "recorded_costs": number(y.recorded_costs),
                        "base_benefits": number(y.base_benefits),
                        "recorded_benefits": number(y.recorded_benefits),
                    }
                    for y in p.years
                ],
            }
            for p in progress.projects
        ],
    }


def _rag(delivery: Delivery | None) -> dict[str, Any] | None:
    """A project's delivery status: each measure's status and share (``null`` without
    outturn)."""
    if delivery is None:
        return None
    return {
        "cost": _rating(delivery.cost),
        "benefits": _rating(delivery.benefits),
        "schedule": _rating(delivery.schedule),
    }


def _rating(rating: Rating) -> dict[str, Any]:
    return {"status": rating.status, "share": number(rating.share)}
