"""The economic case (``npv-calc case``): Markdown for a business case, or a JSON document."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .. import params
from ..errors import printable
from ..model import financial_year
from ..results.appraisal import VALUE_KINDS
from .json import _number
from .table import settings_line
from .text import money, percent, ratio

if TYPE_CHECKING:
    from ..results.appraisal import PortfolioResult
    from ..results.economic import EconomicCase, ProjectCase

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


def _portfolio_markdown(base: PortfolioResult) -> list[str]:
    """The whole portfolio's figures: sums over its projects, each valued at its own year 0
    (and, with a present-value year, at that year)."""
    cashable = sum((p.cashable_npv for p in base.projects), 0.0)
    rows = [
        ["Net present social value (NPSV), the sum of the projects'", money(base.npv)],
        ["PV of costs", money(base.pv_costs)],
        ["PV of benefits", money(base.pv_benefits)],
        [
            "Benefit-cost ratio (BCR)",
            ratio(base.pv_benefits / base.pv_costs if base.pv_costs else None),
        ],
        ["Financial return (PV of fiscal benefits ÷ PV of costs)", ratio(base.financial_roi)],
        ["Cashable NPV (cashable benefits less all costs)", money(cashable)],
    ]
    rows += [
        [f"PV of benefits: {VALUE_TYPE_LABELS[kind].lower()}", money(value)]
        for kind, value in base.pv_benefits_by_value_type.items()
        if value or kind != "unspecified"
    ]
    if base.present_value_year is not None:
        rows.append(
            [
                f"NPSV valued at {financial_year(base.present_value_year)} (present-value year)",
                money(base.npv_at_present_value_year),
            ]
        )
    if base.target is not None:
        rows.append(["NPV toward the target", money(base.npv_toward_target)])
        rows.append(["Target", money(base.target)])
    return [
        f"## Portfolio: all {len(base.projects)} projects",
        "",
        *_table(["Measure", "Value"], rows, {1}),
    ]


def _project_markdown(c: ProjectCase, present_value_year: int | None) -> list[str]:
    r = c.result
    project = r.project
    partners = ", ".join(project.partners)
    about = f"{project.status.capitalize()}; {r.span}" + (
        f"; partners {cell(partners)}" if partners else ""
    )
    rows = [
        ["Net present social value (NPSV)", money(r.npv)],
        ["PV of costs", money(r.pv_costs)],
        ["PV of benefits", money(r.pv_benefits)],
        ["Benefit-cost ratio (BCR)", ratio(r.bcr)],
        ["Financial return (PV of fiscal benefits ÷ PV of costs)", ratio(r.financial_roi)],
        ["Cashable NPV (cashable benefits less all costs)", money(r.cashable_npv)],
    ]
    if present_value_year is not None:
        rows.append(
            [
                f"NPSV valued at {financial_year(present_value_year)} (present-value year)",
                money(r.npv_at_present_value_year),
            ]
        )
    lines = [
        f"## {cell(project.id)}: {cell(project.name)}",
        "",
        about,
        "",
        *_table(["Measure", "Value"], rows, {1}),
        "",
        "### Benefits by value type",
        "",
    ]
    total = r.pv_benefits
    lines += _table(
        ["Value type", "PV of benefits", "Share"],
        [
            [
                VALUE_TYPE_LABELS[kind],
                money(r.pv_benefits_by_value_type[kind]),
                percent(r.pv_benefits_by_value_type[kind] / total if total else None, 0),
            ]
            for kind in VALUE_KINDS
        ],
        {1, 2},
    )
    s = c.switching
    lines += [
        "",
        "### Switching values",
        "",
        *_table(
            ["How far before the NPSV reaches zero", "Share"],
            [
                ["Benefits could fall by", percent(s.benefits_fall)],
                ["Costs could rise by", percent(s.costs_rise)],
            ],
            {1},
        ),
        "",
        "### Scenarios",
        "",
        *_table(
            ["Scenario", "NPSV", "BCR"],
            [
                [cell(f.scenario), money(f.npv), ratio(f.bcr)]
                if f.included
                else [cell(f.scenario), "left out", "–"]
                for f in c.scenarios
            ],
            {1, 2},
        ),
    ]
    mc = c.monte_carlo
    if mc is not None:
        lines += [
            "",
            f"### Monte Carlo ({mc.iterations:,} draws, seed {mc.seed})",
            "",
            *_table(
                ["Mean", "P5", "P50", "P95", "Chance NPSV < 0"],
                [
                    [
                        money(mc.mean),
                        money(mc.p5),
                        money(mc.p50),
                        money(mc.p95),
                        _chance(mc.prob_negative),
                    ]
                ],
                {0, 1, 2, 3, 4},
            ),
        ]
    lines += ["", "### Non-monetised impacts", ""]
    if c.impacts:
        lines += _table(
            ["Impact", "Direction", "Materiality", "Description"],
            [[cell(i.name), i.direction, i.materiality, cell(i.description)] for i in c.impacts],
            set(),
        )
    else:
        lines.append("None recorded.")
    lines += ["", "### Value for money", "", cell(c.statement)]
    return lines


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


def _totals_document(base: PortfolioResult) -> dict[str, Any]:
    """The whole portfolio's figures, whichever projects ``--project`` chose."""
    return {
        "npsv": _number(base.npv),
        "pv_costs": _number(base.pv_costs),
        "pv_benefits": _number(base.pv_benefits),
        "bcr": _number(base.pv_benefits / base.pv_costs if base.pv_costs else None),
        "financial_roi": _number(base.financial_roi),
        "cashable_npv": _number(sum((p.cashable_npv for p in base.projects), 0.0)),
        "npv_at_present_value_year": _number(base.npv_at_present_value_year),
        "pv_benefits_by_value_type": {
            k: _number(v) for k, v in base.pv_benefits_by_value_type.items()
        },
        "npv_toward_target": _number(base.npv_toward_target),
        "target": _number(base.target),
    }


def _project_document(c: ProjectCase) -> dict[str, Any]:
    r = c.result
    mc = c.monte_carlo
    return {
        "id": r.id,
        "name": r.project.name,
        "status": r.project.status,
        "npsv": _number(r.npv),
        "pv_costs": _number(r.pv_costs),
        "pv_benefits": _number(r.pv_benefits),
        "bcr": _number(r.bcr),
        "financial_roi": _number(r.financial_roi),
        "cashable_npv": _number(r.cashable_npv),
        "npv_at_present_value_year": _number(r.npv_at_present_value_year),
        "pv_benefits_by_value_type": {
            k: _number(v) for k, v in r.pv_benefits_by_value_type.items()
        },
        "switching_values": {
            "benefits_fall": _number(c.switching.benefits_fall),
            "costs_rise": _number(c.switching.costs_rise),
        },
        "scenarios": [
            {
                "scenario": f.scenario,
                "included": f.included,
                "npv": _number(f.npv),
                "bcr": _number(f.bcr),
            }
            for f in c.scenarios
        ],
        "monte_carlo": None
        if mc is None
        else {
            "iterations": mc.iterations,
            "seed": mc.seed,
            "mean": _number(mc.mean),
            "p5": _number(mc.p5),
            "p50": _number(mc.p50),
            "p95": _number(mc.p95),
            "prob_negative": _number(mc.prob_negative),
        },
        "impacts": [
            {
                "name": i.name,
                "direction": i.direction,
                "materiality": i.materiality,
                "description": i.description,
            }
            for i in c.impacts
        ],
        "value_for_money": c.statement,
        "vfm_category": None
        if c.category is None
        else {
            "category": c.category.name,
            "convention": c.category.convention,
            "warning": c.category.warning,
        },
    }
