"""The economic case (``npv-calc case``): Markdown for a business case, or a JSON document."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import params
from ..errors import printable
from ..model import financial_year
from ..results.appraisal import VALUE_KINDS
from .json import number
from .options import shortlist_entry, shortlist_markdown
from .table import settings_line
from .text import money, percent, ratio

if TYPE_CHECKING:
    from ..model import Impact
    from ..results.appraisal import PortfolioResult, ProjectResult
    from ..results.economic import (
        EconomicCase,
        MonteCarloFigures,
        ProjectCase,
        ScenarioFigures,
    )
    from ..results.uncertainty import SwitchingValue

#: How the value types read in a table.
VALUE_TYPE_LABELS = {
    "fiscal": "Fiscal (public budgets)",
    "economic": "Economic (the wider economy)",
    "social": "Social (people's wellbeing)",
    "unspecified": "No value type given",
}


def cell(text: str) -> str:
    """Text from an input file as one Markdown table cell or paragraph: on one line, control
    characters escaped, and the characters Markdown acts on (``|``, brackets, ``<``, emphasis)
    escaped, so that a name can neither split a table nor become a link, an image or HTML."""
    text = printable(" ".join(str(text).split()))
    return re.sub(r"([\\`*_\[\]<>#|~])", r"\\\1", text)


def category_bands() -> str:
    """The categories' BCR bands in words, from the data file: ``below 0 very poor, 0 to 1
    poor, ..., 4 or more very high``."""
    table = params.value_for_money_categories().categories
    words = []
    lower: float | None = None
    for name, below in table:
        if lower is None:
            words.append(f"below {below:g} {name}")
        elif below is None:
            words.append(f"{lower:g} or more {name}")
        else:
            words.append(f"{lower:g} to {below:g} {name}")
        lower = below
    return "BCR " + ", ".join(words)


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    return [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def render_case_markdown(case: EconomicCase) -> str:
    """The ``case --format md`` text: a section per project, ready to paste into a business
    case (figures computed, never retyped)."""
    base = case.base
    portfolio = base.portfolio
    lines = [
        f"# Economic case: {cell(portfolio.name)}",
        "",
        f"{base.scenario.capitalize()} scenario. {settings_line(base)}. Present values in "
        "real terms, each project discounted to its own year 0; the net present social value "
        "(NPSV) is the NPV of every cost and benefit to society.",
    ]
    for project_case in case.projects:
        lines += ["", *_project_markdown(project_case, base.present_value_year)]
    if len(case.projects) == len(base.projects) > 1:
        lines += ["", *_portfolio_markdown(base)]
    categories = [p.category for p in case.projects if p.category is not None]
    if categories:
        lines += [
            "",
            f"Value-for-money categories follow the {categories[0].convention} "
            f"({category_bands()}). {categories[0].warning}",
        ]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class _Figures:
    """What the case reports of a project, or of the whole portfolio."""

    npv: float
    pv_costs: float
    pv_benefits: float
    bcr: float | None
    financial_roi: float | None
    cashable_npv: float
    npv_at_present_value_year: float | None
    pv_benefits_by_value_type: Mapping[str, float]


def _project_figures(r: ProjectResult) -> _Figures:
    return _Figures(
        r.npv,
        r.pv_costs,
        r.pv_benefits,
        r.bcr,
        r.financial_roi,
        r.cashable_npv,
        r.npv_at_present_value_year,
        r.pv_benefits_by_value_type,
    )


def _portfolio_figures(base: PortfolioResult) -> _Figures:
    """Sums over the portfolio's projects, each valued at its own year 0."""
    return _Figures(
        base.npv,
        base.pv_costs,
        base.pv_benefits,
        base.pv_benefits / base.pv_costs if base.pv_costs else None,
        base.financial_roi,
        sum((p.cashable_npv for p in base.projects), 0.0),
        base.npv_at_present_value_year,
        base.pv_benefits_by_value_type,
    )


def _measure_rows(figures: _Figures, npsv: str) -> list[list[str]]:
    """The headline measures; ``npsv`` labels the first."""
    return [
        [npsv, money(figures.npv)],
        ["PV of costs", money(figures.pv_costs)],
        ["PV of benefits", money(figures.pv_benefits)],
        ["Benefit-cost ratio (BCR)", ratio(figures.bcr)],
        ["Financial return (PV of fiscal benefits ÷ PV of costs)", ratio(figures.financial_roi)],
        ["Cashable NPV (cashable benefits less all costs)", money(figures.cashable_npv)],
    ]


def _present_value_rows(figures: _Figures, year: int | None) -> list[list[str]]:
    """The NPSV valued at the present-value year, when the portfolio has one."""
    if year is None:
        return []
    label = f"NPSV valued at {financial_year(year)} (present-value year)"
    return [[label, money(figures.npv_at_present_value_year)]]


def _portfolio_markdown(base: PortfolioResult) -> list[str]:
    """The whole portfolio's figures: sums over its projects, each valued at its own year 0
    (and, with a present-value year, at that year)."""
    figures = _portfolio_figures(base)
    rows = _measure_rows(figures, "Net present social value (NPSV), the sum of the projects'")
    rows += [
        [f"PV of benefits: {VALUE_TYPE_LABELS[kind].lower()}", money(value)]
        for kind, value in base.pv_benefits_by_value_type.items()
        if value or kind != "unspecified"
    ]
    rows += _present_value_rows(figures, base.present_value_year)
    if base.target is not None:
        rows.append(["NPV toward the target", money(base.npv_toward_target)])
        rows.append(["Target", money(base.target)])
    return [
        f"## Portfolio: all {len(base.projects)} projects",
        "",
        *_table(["Measure", "Value"], rows, {1}),
    ]


def _project_markdown(c: ProjectCase, present_value_year: int | None) -> list[str]:
    """A project's section: its measures, then a subsection for each part of its case."""
    r = c.result
    project = r.project
    partners = ", ".join(project.partners)
    about = f"{project.status.capitalize()}; {r.span}" + (
        f"; partners {cell(partners)}" if partners else ""
    )
    figures = _project_figures(r)
    rows = _measure_rows(figures, "Net present social value (NPSV)")
    rows += _present_value_rows(figures, present_value_year)
    lines = [
        f"## {cell(project.id)}: {cell(project.name)}",
        "",
        about,
        "",
        *_table(["Measure", "Value"], rows, {1}),
        *_section("Benefits by value type", _value_types(r)),
        *_section("Switching values", _switching(r, c.switching)),
        *_section("Scenarios", _scenarios(c.scenarios)),
    ]
    mc = c.monte_carlo
    if mc is not None:
        lines += _section(
            f"Monte Carlo ({mc.iterations:,} draws, seed {mc.seed})", _monte_carlo(mc)
        )
    lines += _section("Non-monetised impacts", _impacts(c.impacts))
    if r.options is not None:
        lines += _section("Options against business as usual", shortlist_markdown(r.options, cell))
    return [*lines, *_section("Value for money", [cell(c.statement)])]


def _section(title: str, body: list[str]) -> list[str]:
    """A subsection of a project's section: a blank line, its title, a blank line, its body."""
    return ["", f"### {title}", "", *body]


def _value_types(r: ProjectResult) -> list[str]:
    total = r.pv_benefits
    by_type = r.pv_benefits_by_value_type
    return _table(
        ["Value type", "PV of benefits", "Share"],
        [
            [
                VALUE_TYPE_LABELS[kind],
                money(by_type[kind]),
                percent(by_type[kind] / total if total else None, 0),
            ]
            for kind in VALUE_KINDS
        ],
        {1, 2},
    )


def _switching(r: ProjectResult, s: SwitchingValue) -> list[str]:
    return _table(
        ["How far before the NPSV reaches zero", "Share"],
        [
            [f"{r.benefits_that_can_fall} could fall by", percent(s.benefits_fall)],
            ["Costs could rise by", percent(s.costs_rise)],
        ],
        {1},
    )


def _scenarios(scenarios: Sequence[ScenarioFigures]) -> list[str]:
    return _table(
        ["Scenario", "NPSV", "BCR"],
        [
            [cell(f.scenario), money(f.npv), ratio(f.bcr)]
            if f.included
            else [cell(f.scenario), "left out", "–"]
            for f in scenarios
        ],
        {1, 2},
    )


def _monte_carlo(mc: MonteCarloFigures) -> list[str]:
    chance = _chance(mc.prob_negative)
    return _table(
        ["Mean", "P5", "P50", "P95", "Chance NPSV < 0"],
        [[money(mc.mean), money(mc.p5), money(mc.p50), money(mc.p95), chance]],
        {0, 1, 2, 3, 4},
    )


def _impacts(impacts: Sequence[Impact]) -> list[str]:
    if not impacts:
        return ["None recorded."]
    return _table(
        ["Impact", "Direction", "Materiality", "Description"],
        [[cell(i.name), i.direction, i.materiality, cell(i.description)] for i in impacts],
        set(),
    )


def _chance(value: float) -> str:
    if value == 0:
        return "0%"
    if value < 0.001:
        return "<0.1%"
    return f"{value * 100:.1f}%"


def case_document(case: EconomicCase) -> dict[str, Any]:
    """The ``case --format json`` document (npv-calc's own: SPEC.md names the figures, not the
    keys)."""
    base = case.base
    return {
        "portfolio": base.portfolio.name,
        "scenario": base.scenario,
        "present_value_year": base.present_value_year,
        "projects": [_project_document(c) for c in case.projects],
        "totals": _totals_document(base),
    }


def _figures_document(figures: _Figures) -> dict[str, Any]:
    return {
        "npsv": number(figures.npv),
        "pv_costs": number(figures.pv_costs),
        "pv_benefits": number(figures.pv_benefits),
        "bcr": number(figures.bcr),
        "financial_roi": number(figures.financial_roi),
        "cashable_npv": number(figures.cashable_npv),
        "npv_at_present_value_year": number(figures.npv_at_present_value_year),
        "pv_benefits_by_value_type": {
            k: number(v) for k, v in figures.pv_benefits_by_value_type.items()
        },
    }


def _totals_document(base: PortfolioResult) -> dict[str, Any]:
    """The whole portfolio's figures, whichever projects ``--project`` chose."""
    return {
        **_figures_document(_portfolio_figures(base)),
        "npv_toward_target": number(base.npv_toward_target),
        "target": number(base.target),
    }


def _project_document(c: ProjectCase) -> dict[str, Any]:
    r = c.result
    return {
        "id": r.id,
        "name": r.project.name,
        "status": r.project.status,
        **_figures_document(_project_figures(r)),
        "switching_values": {
            "benefits_fall": number(c.switching.benefits_fall),
            "costs_rise": number(c.switching.costs_rise),
        },
        "scenarios": [
            {
                "scenario": f.scenario,
                "included": f.included,
                "npv": number(f.npv),
                "bcr": number(f.bcr),
            }
            for f in c.scenarios
        ],
        "monte_carlo": _monte_carlo_document(c.monte_carlo),
        "impacts": [
            {
                "name": i.name,
                "direction": i.direction,
                "materiality": i.materiality,
                "description": i.description,
            }
            for i in c.impacts
        ],
        **({} if r.options is None else {"options": shortlist_entry(r.options)}),
        "value_for_money": c.statement,
        "vfm_category": None
        if c.category is None
        else {
            "category": c.category.name,
            "convention": c.category.convention,
            "warning": c.category.warning,
        },
    }


def _monte_carlo_document(mc: MonteCarloFigures | None) -> dict[str, Any] | None:
    if mc is None:
        return None
    return {
        "iterations": mc.iterations,
        "seed": mc.seed,
        "mean": number(mc.mean),
        "p5": number(mc.p5),
        "p50": number(mc.p50),
        "p95": number(mc.p95),
        "prob_negative": number(mc.prob_negative),
    }
