"""The console table: what a finance officer reads in a terminal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..errors import printable
from ..model import STARTS_AFTER_TARGET_YEAR, STATUS_NOT_COUNTED, financial_year
from ..results.appraisal import VALUE_KINDS
from .text import (
    clip,
    counted,
    input_value,
    money,
    percent,
    rating_text,
    ratio,
    render_rows,
    schedule_words,
    share_words,
    signed_money,
    with_total,
    wrap,
)

if TYPE_CHECKING:
    from ..model import Portfolio, Settings
    from ..params import UnitCost
    from ..results.appraisal import Figures, PortfolioResult, ProjectResult
    from ..results.comparison import Comparison
    from ..results.realisation import Progress, ProjectProgress
    from ..results.uncertainty import Sensitivity


def problems_summary(problems: int, warnings: int, strict: bool) -> str:
    """The line after the problems found in the input, e.g. ``2 problems found, and 1
    warning.``; with ``strict`` the warnings are among the problems."""
    summary = f"{counted(problems, 'problem')} found"
    if strict:
        return summary + " (warnings, which --strict makes errors)."
    return summary + (f", and {counted(warnings, 'warning')}" if warnings else "") + "."


def validation_summary(portfolio: Portfolio) -> str:
    """The ``validate`` line for a portfolio without problems: what it holds."""
    lines = sum(len(p.all_lines) for p in portfolio.projects)
    scenarios = printable(", ".join(portfolio.scenarios)) or "none"
    cautions = len(portfolio.warnings)
    warned = f"; {counted(cautions, 'warning')}" if cautions else ""
    return (
        f"OK: {printable(portfolio.name)}: {counted(len(portfolio.projects), 'project')}, "
        f"{counted(lines, 'line')} in {counted(len(portfolio.files), 'file')}; named "
        f"scenarios: {scenarios}{warned}"
    )


def target_missed(result: PortfolioResult) -> str:
    """Why ``run --check-target`` fails: how far the NPV toward the target falls short."""
    return (
        f"Target missed: NPV toward target {money(result.npv_toward_target)} is "
        f"{money(-(result.headroom or 0.0))} short of {money(result.target)}."
    )


def since_last_board(changes: Comparison, label: str) -> str:
    """``run --previous``: how the NPV toward the target moved since the last board's set, and
    the projects that moved it most (a paragraph after the table)."""
    then, now = changes.a.npv_toward_target, changes.b.npv_toward_target
    moved = [c for c in changes.projects if c.status != "unchanged"][:3]
    words = ", ".join(f"{c.id} {signed_money(c.change)}{c.aside}" for c in moved)
    text = (
        f"Since the last board ({printable(label)}): NPV toward target {money(then)} then, "
        f"{money(now)} now ({signed_money(now - then)})"
        + (
            f"; the projects' NPVs that changed most: {words}."
            if words
            else "; no project's NPV changed."
        )
    )
    return "\n" + "\n".join(wrap(text))


def counts_text(p: ProjectResult) -> str:
    """Whether a project counts toward the target, and if not why, in a few words."""
    if p.counts_because == STARTS_AFTER_TARGET_YEAR:
        return f"no: starts {financial_year(p.project.start_year)}"
    if p.counts_because == STATUS_NOT_COUNTED:
        return f"no: {p.project.status}"
    return "yes"


def settings_line(result: PortfolioResult) -> str:
    """The settings of an appraisal in one line: discount rate, year 0, horizon, prices, as_of."""
    # discount brings numpy: imported here, so that validate, which prints with this module,
    # starts without it
    from ..discount import first_rate

    s = result.settings
    if s.schedule is not None:
        rate = f"{first_rate(s) * 100:g}% ({s.schedule} schedule, as published"
        rate += ", declining after year 30)" if s.horizon > 31 else ")"
        shape = ""
    else:
        rate = f"{s.discount_rate * 100:g}%"
        shape = " (declining after year 30)" if s.declining and s.horizon > 31 else ""
    year0 = "; year 0 discounted" if s.discount_year0 else "; year 0 undiscounted"
    prices = (
        f"; {financial_year(s.price_base_year)} prices" if s.price_base_year is not None else ""
    )
    as_of = result.portfolio.as_of
    outturn = f"; outturn to {financial_year(as_of)}" if as_of is not None else ""
    return f"Discount rate {rate}{shape}{year0}; {s.horizon}-year horizon{prices}{outturn}"


def settings_differences(own: Settings, base: Settings) -> list[str]:
    """How a project's settings differ from the portfolio's, in words (``[]``: they do not)."""
    words = []
    if own.schedule != base.schedule or (
        own.schedule is None and own.discount_rate != base.discount_rate
    ):
        words.append(
            f"the {own.schedule} schedule (as published)"
            if own.schedule is not None
            else f"a discount rate of {own.discount_rate * 100:g}%"
        )
    if own.schedule is None and own.declining != base.declining:
        words.append("a declining schedule after year 30" if own.declining else "a flat rate")
    if own.discount_year0 != base.discount_year0:
        words.append("year 0 discounted" if own.discount_year0 else "year 0 undiscounted")
    if own.horizon != base.horizon:
        words.append(f"a {own.horizon}-year horizon")
    if own.price_base_year != base.price_base_year and own.price_base_year is not None:
        words.append(f"{financial_year(own.price_base_year)} prices")
    if own.ob_mitigation != base.ob_mitigation:
        words.append(f"optimism bias mitigation of {own.ob_mitigation:.0%}")
    return words


def who_counts(portfolio: Portfolio) -> str:
    """Which projects count toward the target, e.g. ``projects starting by 2027/28 with status
    approved, in-delivery or delivered``."""
    year = portfolio.target_year
    parts = [f"starting by {financial_year(year)}"] if year is not None else []
    if portfolio.count_statuses is not None:
        statuses = list(portfolio.count_statuses)
        listed = (
            ", ".join(statuses[:-1]) + " or " + statuses[-1] if len(statuses) > 1 else statuses[0]
        )
        parts.append(f"with status {listed}")
    return "projects " + " ".join(parts) if parts else "all projects"


def render(result: PortfolioResult) -> str:
    """The ``run --format table`` text."""
    portfolio = result.portfolio
    lines = [f"{printable(portfolio.name)} — {result.scenario} scenario", settings_line(result), ""]
    lines += [*_projects_table(result), ""]
    own = [
        f"{p.id} {', '.join(words)}"
        for p in result.projects
        if (words := settings_differences(p.settings, result.settings))
    ]
    if own:
        lines += [*wrap("Projects appraised with settings of their own: " + "; ".join(own)), ""]
    lines += _preferred_options(result)
    if portfolio.as_of is not None:
        lines += _realisation(result, portfolio.as_of)
    lines += _value_types(result)
    lines += _target_lines(result)
    return "\n".join(lines) + "\n"


def _projects_table(result: PortfolioResult) -> list[str]:
    """A row per project (and whether it counts toward the target, when there is one), and the
    portfolio's total."""
    headers = ["ID", "Project", "Years", "PV costs", "PV benefits", "NPV", "BCR", "Payback"]
    has_target = result.portfolio.target is not None
    if has_target:
        headers.append("Toward target")
    rows = []
    for p in result.projects:
        row = [
            p.project.id,
            clip(p.project.name, 36),
            p.span,
            money(p.pv_costs),
            money(p.pv_benefits),
            money(p.npv),
            ratio(p.bcr),
            financial_year(p.payback_year) if p.payback_year is not None else "none",
        ]
        if has_target:
            row.append(counts_text(p))
        rows.append(row)
    total = [
        "",
        f"Portfolio ({counted(len(result.projects), 'project')})",
        "",
        money(result.pv_costs),
        money(result.pv_benefits),
        money(result.npv),
        "",
        "",
    ]
    if has_target:
        total.append("")
    return with_total(headers, rows, total, right={3, 4, 5, 6})


def _preferred_options(result: PortfolioResult) -> list[str]:
    """Each project with options: the preferred option it stands for, the best one when that
    differs, and why the preferred one is preferred (``preferred_because``)."""
    lines = []
    for p in result.projects:
        shortlist = p.options
        if shortlist is None:
            continue
        preferred = shortlist.preferred_result
        text = (
            f'{p.id} is its preferred option "{preferred.id}" ({preferred.option.name}) against '
            "business as usual (npv-calc options sets the options side by side)"
        )
        if shortlist.best != preferred.id:
            text += f'; the best on the figures is "{shortlist.best}"'
        because = shortlist.preferred_because
        text += f". Preferred because: {because}" if because else ". No reason given."
        lines += [*wrap(printable(text)), ""]
    return lines


def _target_lines(result: PortfolioResult) -> list[str]:
    """The NPV toward the target against the target, and the verdict (with outturn, the
    plan's too)."""
    portfolio = result.portfolio
    if portfolio.target is None:
        return ["No target set ([portfolio] target in portfolio.toml)."]
    as_of = portfolio.as_of
    plan = f" (plan {money(result.npv_toward_target_plan)})" if as_of is not None else ""
    year = portfolio.target_year
    by = f" by {year}" if year is not None else ""
    lines = [
        f"NPV toward target ({who_counts(portfolio)}): {money(result.npv_toward_target)}" + plan,
        f"Target{by}: {money(portfolio.target)}",
    ]
    verdict = ""
    if as_of is not None:
        planned = result.npv_toward_target_plan - portfolio.target
        verdict = (
            f" (plan: meets, headroom {money(planned)})"
            if planned >= 0
            else f" (plan: misses, shortfall {money(-planned)})"
        )
    if result.meets_target:
        lines.append(f"MEETS TARGET: headroom {money(result.headroom)}{verdict}")
    else:
        lines.append(f"MISSES TARGET: shortfall {money(-(result.headroom or 0.0))}{verdict}")
    return lines


def _value_types(result: PortfolioResult) -> list[str]:
    """Benefits by value type, the financial return and the NPV at the present-value year, by
    project: shown when a benefit has a value type (or is cashable) or the portfolio has a
    present-value year."""
    year = result.present_value_year
    typed = any(
        line.value_kind != "unspecified" for p in result.projects for line in p.project.benefits
    )
    if not typed and year is None:
        return []
    kinds = [k for k in VALUE_KINDS if k != "unspecified"]
    if any(p.pv_benefits_by_value_type["unspecified"] for p in result.projects):
        kinds.append("unspecified")
    text = (
        "PV of benefits by value type (fiscal: to public budgets; economic; social), and the "
        "financial return (PV of fiscal benefits ÷ PV of costs)"
    )
    if year is not None:
        text += f"; NPV valued at {financial_year(year)}, the present-value year"
    headers = ["ID", *(k.capitalize() for k in kinds), "Financial return"]
    if year is not None:
        headers.append(f"NPV at {financial_year(year)}")

    def row(
        label: str, by_type: Mapping[str, float], roi: float | None, at_year: float | None
    ) -> list[str]:
        cells = [label, *(money(by_type[k]) for k in kinds), ratio(roi)]
        if year is not None:
            cells.append(money(at_year))
        return cells

    rows = [
        row(p.id, p.pv_benefits_by_value_type, p.financial_roi, p.npv_at_present_value_year)
        for p in result.projects
    ]
    total = row(
        "Portfolio",
        result.pv_benefits_by_value_type,
        result.financial_roi,
        result.npv_at_present_value_year,
    )
    table = with_total(headers, rows, total, right=set(range(1, len(headers))))
    return [*wrap(text + ":"), *table, ""]


def _realisation(result: PortfolioResult, as_of: int) -> list[str]:
    """The plan against the latest estimate, and the part realised, by project."""
    year = financial_year(as_of)
    lines = wrap(
        f"Outturn is recorded to {year}: the figures above are the latest estimate (outturn "
        f"to {year}, the plan after it). The plan is the appraisal as approved, with no "
        f"outturn; realised is the part of the latest NPV from the outturn years, to {year}."
    )
    headers = ["ID", "Plan NPV", "Latest NPV", "Change", f"Realised to {year}"]

    def row(label: str, plan: float, latest: float, realised: Figures | None) -> list[str]:
        return [
            label,
            money(plan),
            money(latest),
            signed_money(latest - plan),
            money(realised.npv if realised is not None else 0.0),
        ]

    rows = [row(p.id, p.plan.npv, p.npv, p.realised) for p in result.projects]
    total = row("Portfolio", result.plan.npv, result.npv, result.realised)
    return [*lines, "", *with_total(headers, rows, total, right={1, 2, 3, 4}), ""]


def render_sensitivity(sensitivity: Sensitivity) -> str:
    """The ``sensitivity --format table`` text."""
    base = sensitivity.base
    toward = base.target is not None
    measure = "NPV toward the target" if toward else "portfolio NPV"
    lines = [
        f"{printable(base.portfolio.name)} — sensitivity, {sensitivity.scenario} scenario",
        f"{settings_line(base)}; portfolio NPV {money(base.npv)}"
        + (f"; NPV toward the target {money(base.npv_toward_target)}" if toward else ""),
        "",
        *wrap(
            f"Tornado: the {measure} with each uncertain value at the low, then the high end of "
            "its range, every other value as in the scenario; "
            + (
                "ranked by the swing of the NPV toward the target (what the target is tested "
                "against; --format json lists the bars by the portfolio NPV's swing)"
                if toward
                else "largest swing first"
            )
        ),
        "",
    ]
    if sensitivity.tornado:
        lines += _tornado(sensitivity, toward)
    else:
        lines.append("No input has a range ({ low, central, high }): nothing to move.")
    if sensitivity.options:
        lines += ["", *_option_tornadoes(sensitivity)]
    return "\n".join([*lines, "", *_switching(sensitivity)]) + "\n"


#: The bars printed for each option (``--format json`` lists them all).
OPTION_BARS = 5


def _option_tornadoes(sensitivity: Sensitivity) -> list[str]:
    """For each option other than business as usual, its largest bars: its NPV against BAU
    with each uncertain value (its own and BAU's) at each end of its range."""
    lines = wrap(
        "Options: each option's NPV against business as usual (BAU) with each uncertain value "
        "of its lines and of BAU's at the low, then the high end of its range; the "
        f"{OPTION_BARS} largest swings of each (--format json lists every bar)"
    )
    headers = [
        "#",
        "Line",
        "Input",
        "Low",
        "High",
        "NPV vs BAU at low",
        "NPV vs BAU at high",
        "Swing",
    ]
    for option in sensitivity.options:
        lines += [
            "",
            f"{option.project}, option {printable(option.option)}: NPV against BAU "
            f"{money(option.npv_vs_bau)}",
        ]
        if not option.tornado:
            lines.append("No input of this option or of BAU has a range: nothing to move.")
            continue
        rows = [
            [
                str(i),
                clip(bar.line, 34),
                bar.field,
                input_value(bar.field, bar.low),
                input_value(bar.field, bar.high),
                money(bar.npv_at_low),
                money(bar.npv_at_high),
                money(bar.swing),
            ]
            for i, bar in enumerate(option.tornado[:OPTION_BARS], start=1)
        ]
        lines += render_rows(headers, rows, right={0, 3, 4, 5, 6, 7})
    return lines


def _tornado(sensitivity: Sensitivity, toward: bool) -> list[str]:
    """The bars, ranked, at each end of their range: the NPV toward the target when ``toward``,
    else the portfolio NPV."""
    rows = []
    for i, bar in enumerate(sensitivity.ranked(), start=1):
        low = bar.toward_target_at_low if toward else bar.npv_at_low
        high = bar.toward_target_at_high if toward else bar.npv_at_high
        rows.append(
            [
                str(i),
                bar.project,
                clip(bar.line, 34),
                bar.field,
                input_value(bar.field, bar.low),
                input_value(bar.field, bar.high),
                money(low),
                money(high),
                money(abs(high - low)),
            ]
        )
    short = "Toward target" if toward else "NPV"
    headers = ["#", "Project", "Line", "Input", "Low", "High"]
    headers += [f"{short} at low", f"{short} at high", "Swing"]
    return render_rows(headers, rows, right={0, 4, 5, 6, 7, 8})


def _switching(sensitivity: Sensitivity) -> list[str]:
    """Each project's switching values, then the portfolio's against its target. With benefit
    outturn recorded they are of the benefits still to come (outturn cannot fall), and say so."""
    benefits = sensitivity.base.benefits_that_can_fall
    which = benefits.lower() + (" (outturn recorded cannot fall)" if benefits != "Benefits" else "")
    lines = [
        f"Switching values: how far each project's {which} could fall, or its costs rise, "
        "before its NPV reaches 0",
        "",
    ]
    rows = [
        [value.project, money(value.npv), percent(value.benefits_fall), percent(value.costs_rise)]
        for value in sensitivity.switching_values
    ]
    lines += render_rows(
        ["Project", "NPV", f"{benefits} could fall by", "Costs could rise by"],
        rows,
        right={1, 2, 3},
    )
    if any((v.benefits_fall or 0.0) > 1 for v in sensitivity.switching_values):
        lines.append(
            f"Above 100%: the NPV stays above 0 even if none of the {benefits.lower()} arrive."
        )
    lines.append("")
    fall = sensitivity.benefits_fall_to_miss_target
    if fall is None:
        lines.append("Portfolio: no target, so no switching value for it.")
    elif fall >= 0:
        lines.append(
            f"Portfolio: the {benefits.lower()} of the projects counting toward the target "
            f"could all fall by {percent(fall)} before the target is missed."
        )
    else:
        lines.append(
            f"Portfolio: the target is already missed; the {benefits.lower()} of the "
            f"projects counting toward it would have to rise by {percent(-fall)} to meet it."
        )
    return lines


def render_comparison(comparison: Comparison, label_a: str, label_b: str) -> str:
    """The ``compare --format table`` text."""
    a, b = comparison.a, comparison.b
    lines = [
        f"Compare A: {label_a}  with  B: {label_b} — {a.scenario} scenario",
        "",
    ]
    rows = [
        [
            change.id,
            clip(change.name, 36),
            money(change.npv_a),
            money(change.npv_b),
            _change(change.change, change.status),
            change.status,
        ]
        for change in comparison.projects
    ]
    total = ["", "Portfolio", money(a.npv), money(b.npv), signed_money(comparison.change), ""]
    headers = ["ID", "Project", "NPV in A", "NPV in B", "Change (B - A)", "Status"]
    lines += [*with_total(headers, rows, total, right={2, 3, 4}), ""]
    lines.append(_statuses(comparison))
    lines.append(
        f"NPV toward target: {money(a.npv_toward_target)} in A, "
        f"{money(b.npv_toward_target)} in B "
        f"({signed_money(b.npv_toward_target - a.npv_toward_target)})"
    )
    for label, result in (("A", a), ("B", b)):
        if result.target is not None:
            verdict = "meets" if result.meets_target else "misses"
            lines.append(
                f"{label} {verdict} its target of {money(result.target)} "
                f"(headroom {money(result.headroom)})"
            )
    return "\n".join(lines) + "\n"


def _change(value: float, status: str) -> str:
    """A project's change, in pence when it changed by less than half a pound (never a
    "changed" £0)."""
    if status == "changed" and round(value) == 0:
        return f"{'+' if value > 0 else '-'}£{abs(value):.2f}"
    return signed_money(value)


#: The statuses of the compare table, in the order its summary counts them.
_STATUSES = ("added", "removed", "changed", "unchanged")


def _statuses(comparison: Comparison) -> str:
    """What the rows add up to: ``1 project added, 1 removed, 1 changed, 6 unchanged.``"""
    statuses = [change.status for change in comparison.projects]
    if all(status == "unchanged" for status in statuses):
        return f"No project's NPV changed ({counted(len(statuses), 'project')})."
    (status, count), *rest = [(s, statuses.count(s)) for s in _STATUSES if s in statuses]
    parts = [f"{counted(count, 'project')} {status}", *(f"{n} {s}" for s, n in rest)]
    return ", ".join(parts) + "."


def render_unit_costs(costs: Iterable[UnitCost]) -> str:
    """The ``unit-costs`` table: a value checked only against a secondary report is marked."""
    costs = list(costs)
    rows = [
        [
            c.key,
            f"£{c.value:,.2f}",
            "" if c.low is None else f"£{c.low:,.0f}–£{c.high:,.0f}",
            c.unit,
            f"{c.price_year}/{(c.price_year + 1) % 100:02d}",
            "secondary*" if c.secondary_only else "publication",
            clip(c.description, 60),
        ]
        for c in costs
    ]
    lines = [
        'Unit-cost library: use a key in a benefit line as unit_value = "ref:<key>"; the value',
        "is rebased from its price year with [deflators]. Sources: npv-calc unit-costs "
        "--format csv.",
        "",
        *render_rows(
            ["Key", "Value", "Range", "Per", "Prices", "Checked", "Description"],
            rows,
            right={1, 2},
        ),
    ]
    if any(c.secondary_only for c in costs):
        lines += [
            "",
            "* checked only against a secondary report of the source, not the publication itself:",
            "  check the publication before relying on the figure (docs/unit-costs.md).",
        ]
    if any(c.low is not None for c in costs):
        lines += [
            "A value with a range is used as uncertain: low, central and high, as the source "
            "gives them.",
        ]
    return "\n".join(lines) + "\n"


def render_progress(progress: Progress) -> str:
    """The ``progress --format table`` text: the delivery status of each project, then by
    project each year's base plan and outturn."""
    latest = progress.latest
    year = financial_year(progress.as_of)
    tolerances = latest.portfolio.realisation
    lines = [
        f"{printable(latest.portfolio.name)} — progress against plan to {year}",
        settings_line(latest),
        "",
        *wrap(
            f"Delivery status to {year}: outturn against the base plan (before optimism bias, "
            "risks left out) on the line-years that record outturn. Costs over budget or "
            f"benefits short of plan by more than {percent(tolerances.amber)} are Amber, by "
            f"more than {percent(tolerances.red)} Red; the schedule is Green when the first "
            "benefit is recorded in the year planned, Amber a year late, Red later."
        ),
        "",
        *_delivery_table(progress),
        "",
        *wrap(
            "By project and year: flows after every adjustment but optimism bias, in pounds at "
            "the price base year (not discounted), on the lines that record outturn that year "
            "(a year marked (none) records none)."
        ),
    ]
    for p in progress.projects:
        lines += ["", *_project_progress(p, year)]
    lines += [
        "",
        f"Portfolio NPV to {year}: {money(progress.latest_npv_to_date)} against a plan of "
        f"{money(progress.plan_npv_to_date)} "
        f"({signed_money(progress.latest_npv_to_date - progress.plan_npv_to_date)}).",
    ]
    if latest.target is not None:
        lines.append(
            f"NPV toward target: latest {money(latest.npv_toward_target)}, plan "
            f"{money(latest.npv_toward_target_plan)}; target {money(latest.target)}: "
            + ("MEETS TARGET" if latest.meets_target else "MISSES TARGET")
            + " (plan: "
            + ("meets" if latest.meets_target_plan else "misses")
            + ")."
        )
    return "\n".join(lines) + "\n"


def _delivery_table(progress: Progress) -> list[str]:
    """A row per project: cost, benefits and schedule in words, with their shares."""
    rows = []
    for p in progress.projects:
        rag = p.rag
        if rag is None:
            rows.append([p.id, "not started" if not p.years else "no outturn", *[""] * 5])
            continue
        rows.append(
            [
                p.id,
                rag.cost.word,
                percent(rag.cost.share),
                rag.benefits.word,
                percent(rag.benefits.share),
                rag.schedule.word,
                f"{rag.schedule.share or 0:g}",
            ]
        )
    headers = ["ID", "Cost", "Over budget", "Benefits", "Short of plan", "Schedule", "Years late"]
    if progress.cost is None or progress.benefits is None:
        return render_rows(headers, rows, right={2, 4, 6})
    total = [
        "Portfolio",
        progress.cost.word,
        percent(progress.cost.share),
        progress.benefits.word,
        percent(progress.benefits.share),
        "",
        "",
    ]
    return with_total(headers, rows, total, right={2, 4, 6})


def _project_progress(p: ProjectProgress, year: str) -> list[str]:
    """A project's delivery status in words, its base plan and outturn by year up to
    ``year`` (as_of), and its NPV to date."""
    lines = [f"{p.id}  {printable(p.name)}"]
    if not p.years:
        return [*lines, f"It starts after {year}: nothing to compare yet."]
    rag = p.rag
    if rag is None:
        lines.append(f"No outturn recorded to {year}: the plan stands in for every year.")
    else:
        lines += wrap(
            f"Cost {rating_text(rag.cost, share_words(rag, 'costs'))}; benefits "
            f"{rating_text(rag.benefits, share_words(rag, 'benefits'))}; schedule "
            f"{rating_text(rag.schedule, schedule_words(rag))}."
        )
    rows = [
        [
            financial_year(y.year) + ("" if y.recorded else " (none)"),
            money(y.base_costs),
            money(y.recorded_costs),
            money(y.base_benefits),
            money(y.recorded_benefits),
        ]
        for y in p.years
    ]
    headers = ["Year", "Base costs", "Outturn costs", "Base benefits", "Outturn benefits"]
    return [
        *lines,
        *render_rows(headers, rows, right={1, 2, 3, 4}),
        f"NPV to {year}: {money(p.latest_npv_to_date)} against a plan of "
        f"{money(p.plan_npv_to_date)} ({signed_money(p.variance)}). Whole appraisal: "
        f"latest {money(p.latest_npv)}, plan {money(p.plan_npv)}.",
    ]
