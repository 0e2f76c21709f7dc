"""The workbook's ``Sensitivity`` and ``Monte Carlo`` sheets.

Switching values are live formulas of the project sheets' names. The tornado and the Monte Carlo
figures come from npv-calc's own runs (re-running them in a spreadsheet is not practical), are
written as values, and say so on the sheet. Chart data that nobody needs to read (the S-curve's
points, the histogram's bars, the tornado's good and bad halves) sits beside the printed area.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..calculate import line_gross, line_inputs, outturn_offsets, settled_years
from ..model import financial_year
from ..simulate import DRIVER_DRAWS
from .table import (
    independence_note,
    input_value,
    money,
    probability,
    probability_error,
    sampling_words,
    standard_error,
    who_counts,
)
from .workbook_parts import PIXELS_PER_CM, Book, Sheet, absolute, name_id

if TYPE_CHECKING:
    from ..sensitivity import Sensitivity, TornadoBar
    from ..simulate import Simulation

#: Tornado bars drawn in the chart (the table lists them all).
CHART_BARS = 15
#: Drivers listed on the sheet (the JSON lists them all).
DRIVERS_SHOWN = 20
#: Rows a chart takes on the sheet.
CHART_ROWS = 22
#: What each uncertain input is, in words (the tables name inputs this way, not by field).
FIELD_LABELS = {
    "annual": "Annual amount",
    "quantity": "Quantity a year",
    "unit_value": "Unit value",
    "growth": "Real growth a year",
    "drop_off": "Drop-off a year",
    "deadweight": "Deadweight",
    "displacement": "Displacement",
    "attribution": "Attribution",
    "optimism_bias": "Optimism bias",
    "scale": "Scale",
    "impact": "Risk impact a year",
    "event": "Whether the risk happens",
    "probability": "Probability of the risk",
}


def field_label(field: str) -> str:
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def _row_of_text(sheet: Sheet, row: int, column: int, text: str) -> None:
    """Wrapped text that sets its row's height (a long line name stays in its column)."""
    lines = sheet.wrapped(row, column, text, "wrap")
    if lines > 1:
        sheet.height(row, 13 * min(lines, 6) + 1)


def sensitivity_sheet(book: Book, sheet: Sheet, analysis: Sensitivity) -> None:
    result = book.result
    colours = book.style.colours
    sheet.title_band(
        "Sensitivity",
        f"{analysis.scenario.capitalize()} scenario. Switching values are live formulas; the "
        "tornado was computed by npv-calc when the workbook was written (values, not live).",
    )
    sheet.widths_from((7, 40, 22, 12, 12, 14, 14, 13, 13, 13))
    last_column = 10

    sheet.text(4, 1, "Switching values", "section")
    sheet.note(
        5,
        1,
        last_column,
        "How far a project's benefits could fall, or its costs rise, before its NPV reaches 0 "
        "(Green Book). Where the NPV is already below 0, how far they must rise, or fall, "
        "to reach 0 (in red).",
    )
    labels = [
        "ID",
        "Project",
        "",
        "NPV",
        "PV of benefits",
        "PV of costs",
        "Benefits could fall by",
        "Costs could rise by",
    ]
    rows = sheet.table(6, labels, len(result.projects), last_column)
    r = 6
    for r, project, value in zip(rows, result.projects, analysis.switching_values, strict=True):
        nid = name_id(project.id)
        sheet.text(r, 1, project.id, "text")
        sheet.fit(r, sheet.wrapped(r, 2, project.project.name, "wrap", last=3))
        sheet.formula(r, 4, f"=NPV_{nid}", project.npv, "money")
        sheet.formula(r, 5, f"=PVBenefits_{nid}", project.pv_benefits, "money")
        sheet.formula(r, 6, f"=PVCosts_{nid}", project.pv_costs, "money")
        sheet.formula(
            r,
            7,
            f'=IF(E{r}=0,"–",D{r}/E{r})',
            "–" if value.benefits_fall is None else value.benefits_fall,
            "benefits fall",
        )
        sheet.formula(
            r,
            8,
            f'=IF(F{r}=0,"–",D{r}/F{r})',
            "–" if value.costs_rise is None else value.costs_rise,
            "costs rise",
        )
    row = r + 2
    fall = analysis.benefits_fall_to_miss_target
    missed = fall is not None and fall < 0
    sheet.text(
        row,
        1,
        "Portfolio: the benefits of the projects counting toward the target "
        + ("would need to rise by" if missed else "could all fall by"),
        "label",
    )
    sheet.formula(row, 7, "=BenefitsFallToMissTarget", "–" if fall is None else fall, "percent key")
    sheet.text(row, 8, "to meet the target" if missed else "before the target is missed", "note")

    # The tornado starts a page; its table is the sheet's last, its header repeated.
    row += 2
    sheet.page_break(row)
    sheet.text(row, 1, "Tornado", "section")
    toward = result.target is not None
    measure = "NPV toward the target" if toward else "portfolio NPV"
    level = result.npv_toward_target if toward else result.npv
    ends = {
        "pessimistic": " In the pessimistic scenario every other value is already at the end "
        "that lowers the NPV, so an input's own pessimistic end changes nothing and each bar "
        "shows how much its other end would raise it.",
        "optimistic": " In the optimistic scenario every other value is already at the end "
        "that raises the NPV, so each bar shows how much an input's other end would lower it.",
    }.get(analysis.scenario, "")
    bars = analysis.ranked()
    # Inputs that move what the target is tested against not at all: listed in the JSON, left
    # out here.
    idle = [b for b in bars if toward and b.toward_target_swing == 0]
    bars = tuple(b for b in bars if b not in idle)
    sheet.note(
        row + 1,
        1,
        last_column,
        f"The {measure} with each uncertain value at the low, then the high end of its range "
        f"(the others as in the {analysis.scenario} scenario), largest swing first; the chart "
        f"shows the {CHART_BARS} largest as changes from {money(level)}."
        + idle_note(book, idle)
        + ends,
    )
    chart_row = row + 2
    # the chart's 10 cm, and a row clear below it
    table = chart_row + (CHART_ROWS + 1 if bars else 0)
    short = "toward target" if toward else "NPV"
    sheet.header_row(
        table,
        [
            "Rank",
            "Project: line",
            "Input",
            "Low",
            "High",
            f"{short.capitalize()} at low",
            f"{short.capitalize()} at high",
            "Swing",
            "Change at low",
            "Change at high",
        ],
    )
    largest = 0.0
    for i, bar in enumerate(bars, start=1):
        r = table + i
        at_low = bar.toward_target_at_low if toward else bar.npv_at_low
        at_high = bar.toward_target_at_high if toward else bar.npv_at_high
        sheet.number(r, 1, i, "year")
        label = f"{bar.project}: {bar.line}"
        lines = sheet.wrapped(r, 2, label, "wrap")
        lines = max(lines, sheet.wrapped(r, 3, field_label(bar.field), "wrap"))
        sheet.fit(r, lines, most=4)
        sheet.text(r, 4, input_value(bar.field, bar.low), "centre")
        sheet.text(r, 5, input_value(bar.field, bar.high), "centre")
        sheet.number(r, 6, at_low, "money")
        sheet.number(r, 7, at_high, "money")
        sheet.number(r, 8, abs(at_high - at_low), "money")
        sheet.number(r, 9, at_low - level, "money")
        sheet.number(r, 10, at_high - level, "money")
        changes = (at_low - level, at_high - level)
        if i <= CHART_BARS:
            largest = max(largest, *(abs(c) for c in changes))
    end = table + max(len(bars), 1)
    if not bars:
        sheet.text(
            table + 1, 2, "No input has a range ({ low, central, high }): nothing to move.", "note"
        )
    else:
        shown = min(CHART_BARS, len(bars))
        title = sheet.title
        chart = book.wb.add_chart({"type": "bar"})
        # The changes at the low and at the high end (columns I and J), each bar green where it
        # raises the measure and red where it lowers it, whichever end that is.
        for column, at_end in ((9, "low"), (10, "high")):
            points = []
            for bar in bars[:shown]:
                value = getattr(bar, f"toward_target_at_{at_end}" if toward else f"npv_at_{at_end}")
                good = value - level >= 0
                points.append({"fill": {"color": colours["good"] if good else colours["bad"]}})
            chart.add_series(
                {
                    "name": f"Change at {at_end}",
                    "categories": [title, table, 1, table + shown - 1, 1],
                    "values": [title, table, column - 1, table + shown - 1, column - 1],
                    "points": points,
                    "overlap": 100,
                    "gap": 40,
                }
            )
        chart.set_title(
            {
                "name": f"Change in the {measure} with each input at its low and high end "
                "(green: raises it; red: lowers it)",
                "name_font": {"size": 11, "bold": True},
            }
        )
        # Largest swing at the top; project labels at the left edge, clear of the bars.
        chart.set_y_axis({"reverse": True, "label_position": "low", "num_font": {"size": 8}})
        chart.set_x_axis({"num_format": money_axis(largest), "major_gridlines": {"visible": False}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 30 * PIXELS_PER_CM, "height": 10 * PIXELS_PER_CM})
        sheet.ws.insert_chart(chart_row - 1, 0, chart)
    sheet.finish(last_column, end, freeze=(2, 0), repeat=table)


def idle_note(book: Book, idle: list[TornadoBar]) -> str:
    """What the tornado leaves out, and why: the inputs whose range moves the NPV toward the
    target not at all. Those of projects that do not count toward it; those of counting
    projects whose years are all settled by the outturn recorded to ``as_of`` (it replaces the
    forecast there, and a risk's expected cost no longer applies); and any other."""
    if not idle:
        return ""
    result = book.result
    counts = {p.id: p.counts_toward_target for p in result.projects}
    outside = [b for b in idle if not counts.get(b.project, False)]
    settled = [b for b in idle if counts.get(b.project, False) and _settled(book, b)]
    other = len(idle) - len(outside) - len(settled)
    parts = []
    if outside:
        parts.append(
            f"{_inputs(len(outside))} of projects that do not count toward the target, which "
            "move it not at all"
        )
    if settled:
        to = financial_year(result.as_of) if result.as_of is not None else "as_of"
        parts.append(
            f"{_inputs(len(settled))} of counting projects used only in years settled by the "
            f"outturn recorded to {to}, where their range no longer applies"
        )
    if other:
        parts.append(f"{_inputs(other)} of counting projects whose range moves it not at all")
    listed = "; ".join(parts)
    return f" Not listed (sensitivity --format json lists them): {listed}."


def _inputs(count: int) -> str:
    return f"{count} input{'s' if count != 1 else ''}"


def _settled(book: Book, bar: TornadoBar) -> bool:
    """Whether every year in which a bar's line has a flow is settled by outturn: a line's
    years with outturn recorded, or for a risk the years up to ``as_of``."""
    result = book.result
    case = result.case
    found = [p for p in result.projects if p.id == bar.project]
    if not found:
        return False
    project = found[0].project
    horizon = found[0].settings.horizon
    if bar.section == "risks":
        risk = next((r for r in project.risks if r.index == bar.index), None)
        return risk is not None and risk.years[1] < settled_years(case, project)
    line = next(
        (
            line
            for line in project.all_lines
            if line.section == bar.section and line.index == bar.index
        ),
        None,
    )
    if line is None:
        return False
    outturn = outturn_offsets(case, project, line)
    if not outturn:
        return False
    gross = line_gross(line, line_inputs(case, project, line), horizon)
    active = {t for t in range(horizon) if gross[t] != 0}
    return active <= set(outturn)


def money_axis(largest: float) -> str:
    """An axis number format in £m, or in £k when the values are under £0.5m."""
    return '"£"#,##0.0,,"m"' if largest >= 5e5 else '"£"#,##0,"k"'


def step_format(step: float) -> str:
    """An axis number format for round steps of ``step`` pounds: £m, with a decimal only
    when the steps need one; £k under £1m."""
    if step >= 1e6:
        return '"£"#,##0,,"m"' if step % 1e6 == 0 else '"£"#,##0.0,,"m"'
    return '"£"#,##0,"k"'


def step_label(value: float, step: float) -> str:
    """A category label as :func:`step_format` shows the value."""
    if step >= 1e6:
        return f"£{value / 1e6:,.0f}m" if step % 1e6 == 0 else f"£{value / 1e6:,.1f}m"
    return f"£{value / 1e3:,.0f}k"


def nice_step(span: float, labels: int = 6) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``labels`` steps."""
    if span <= 0:
        return 1.0
    raw = span / labels
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * power >= raw:
            return multiple * power
    return 10 * power


def monte_carlo_sheet(book: Book, sheet: Sheet, simulation: Simulation) -> None:
    result = book.result
    portfolio = result.portfolio
    colours = book.style.colours
    target = portfolio.target
    title = sheet.title
    sheet.title_band(
        "Monte Carlo",
        f"{simulation.iterations:,} draws; figures computed by npv-calc when the workbook was "
        "written (values, not live). Deterministic NPVs link to the project sheets.",
    )
    sheet.widths_from((44, 16, 14, 14, 14, 14, 14, 14, 14, 14))
    last_column = 10

    sheet.text(4, 1, "Settings", "section")
    distribution = {
        "pert": "PERT (low, central, high)",
        "triangular": "triangular",
        "uniform": "uniform (low to high)",
    }[simulation.distribution]
    groups = ", ".join(simulation.correlation_groups) or (
        "ignored (--independent): every value drawn independently"
        if simulation.correlation_ignored
        else "none: every value drawn independently"
    )
    settings: list[tuple[str, object, str | None]] = [
        ("Draws (iterations)", simulation.iterations, "count"),
        ("Seed (the same seed gives the same numbers)", simulation.seed, "count"),
        ("Distribution of each uncertain value", distribution, None),
        ("Sampling", sampling_words(simulation), None),
        ("Correlation groups", groups, None),
        ("Uncertain values drawn", simulation.uncertain_values, "count"),
        ("Scenario (values without a range, settings)", simulation.base.scenario, None),
    ]
    for r, (label, value, style) in enumerate(settings, start=5):
        sheet.text(r, 1, label, "label")
        if style is None:
            sheet.fit(r, sheet.wrapped(r, 2, str(value), "wrap", last=last_column))
        else:
            sheet.number(r, 2, value, style)  # type: ignore[arg-type]
    row = 5 + len(settings)
    sheet.note(row, 1, last_column, independence_note(simulation))

    row += 2
    sheet.text(row, 1, "Portfolio NPV", "section")
    sheet.header_row(
        row + 1, ["", "Deterministic NPV", "Mean", "Std dev", "P5", "P10", "P50", "P90", "P95"]
    )
    distributions = [("All projects", "=PortfolioNPV", result.npv, simulation.portfolio)]
    if simulation.toward_target is not None:
        distributions.append(
            (
                "Toward the target (what it is tested against)",
                "=NPVTowardTarget",
                result.npv_toward_target,
                simulation.toward_target,
            )
        )
    for i, (label, formula, deterministic, stats) in enumerate(distributions, start=row + 2):
        sheet.text(i, 1, label, "label")
        sheet.formula(i, 2, formula, deterministic, "money")
        for column, value in enumerate(_figures(stats), start=3):
            sheet.number(i, column, value, "money")
    row += 2 + len(distributions) + 1
    sheet.text(row, 1, "Probability of meeting the target", "label")
    if simulation.prob_meets_target is None:
        sheet.text(row, 2, "no target set", "text")
    else:
        sheet.number(row, 2, simulation.prob_meets_target, "probability key")
        book.name("ProbMeetsTarget", sheet, absolute(2, row))
        sheet.note(
            row,
            3,
            last_column,
            f"the share of draws whose NPV toward the target ({who_counts(portfolio)}) reaches "
            f"{money(target)}",
        )
    row += 1
    sheet.text(row, 1, "Standard errors of the estimates", "label")
    sure = (
        f"; probability: {probability_error(simulation)}"
        if simulation.prob_meets_target is not None
        else ""
    )
    spread = (
        f" (from the spread of the {simulation.replicates} independent replicates)"
        if simulation.sampling == "lhs"
        else ""
    )
    errors = f"mean portfolio NPV {standard_error(simulation.mean_se, 'money')}{spread}{sure}"
    sheet.note(row, 2, last_column, errors)

    # The charts start a page. Their data sits beside the printed area (columns L onward): there
    # to audit, not to print.
    row += 2
    sheet.page_break(row)
    data = 12
    for column in range(data, data + 9):
        sheet.width(column, 14)
    what = "NPV toward the target" if target is not None else "portfolio NPV"
    sheet.text(row, 1, f"The chance of each {what} or less", "section")
    chance = (
        f"chance of meeting it {probability(simulation.prob_meets_target)}"
        if simulation.prob_meets_target is not None
        else "no target set"
    )
    sheet.header_row(row, ("S-curve: NPV", "Share at or below", "Target", "Share"), start=data)
    values, shares = simulation.curve_values, simulation.curve_shares
    for i, (value, share) in enumerate(zip(values, shares, strict=True)):
        sheet.number(row + 1 + i, data, float(value), "money")
        sheet.number(row + 1 + i, data + 1, float(share), "percent")
    curve = book.wb.add_chart({"type": "scatter", "subtype": "straight"})
    curve.add_series(
        {
            "name": "Share of draws at or below",
            "categories": [title, row, data - 1, row + len(values) - 1, data - 1],
            "values": [title, row, data, row + len(values) - 1, data],
            "line": {"color": colours["navy"], "width": 2},
            "marker": {"type": "none"},
        }
    )
    if target is not None:
        for i, share in enumerate((0.0, 1.0)):
            sheet.number(row + 1 + i, data + 2, float(target), "money")
            sheet.number(row + 1 + i, data + 3, share, "percent")
        curve.add_series(
            {
                "name": "Target",
                "categories": [title, row, data + 1, row + 1, data + 1],
                "values": [title, row, data + 2, row + 1, data + 2],
                "line": {"color": colours["bad"], "width": 1.5, "dash_type": "dash"},
                "marker": {"type": "none"},
            }
        )
    curve.set_title(
        {
            "name": f"Chance that the {what} is at or below each value"
            + (f"; target {money(target)}, {chance}" if target is not None else ""),
            "name_font": {"size": 11, "bold": True},
        }
    )
    # The same range and round steps as the histogram below, so that the two read alike.
    edges = simulation.histogram_edges
    low_edge, high_edge = float(edges[0]), float(edges[-1])
    step = nice_step(high_edge - low_edge)
    curve.set_x_axis(
        {
            "num_format": step_format(step),
            "major_gridlines": {"visible": False},
            "min": math.floor(low_edge / step) * step,
            "max": math.ceil(high_edge / step) * step,
            "major_unit": step,
        }
    )
    curve.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
    curve.set_legend({"position": "bottom"})
    curve.set_size({"width": 28 * PIXELS_PER_CM, "height": 8.5 * PIXELS_PER_CM})
    sheet.ws.insert_chart(row, 0, curve)

    # The histogram, P0.5 to P99.5 (widened to take in the target)
    row += CHART_ROWS - 2
    sheet.text(row, 1, f"Distribution of the {what}", "section")
    edges, counts = simulation.histogram_edges, simulation.histogram_counts
    outside = simulation.iterations - int(np.sum(counts))
    sheet.note(
        row + 1,
        1,
        last_column,
        f"Bars from the 0.5th to the 99.5th percentile, widened to show the target with room "
        f"either side; the {outside:,} draws beyond them ({outside / simulation.iterations:.1%}) "
        "are not drawn, so that no bar gathers the tails.",
    )
    chart_row = row + 2
    holding = None
    if target is not None:
        for i in range(len(counts)):
            if edges[i] <= target < edges[i + 1] or (i == len(counts) - 1 and target == edges[-1]):
                holding = i
    first_bar = chart_row
    sheet.header_row(
        first_bar - 1, ("Bar", "From", "To", "Draws", "Draws at the target"), start=data + 4
    )
    # Round values label the bars that hold them, so that the axis reads £16m, £17m, ...
    for i, count in enumerate(counts):
        r = first_bar + i
        mark = math.ceil(edges[i] / step) * step
        label = step_label(mark, step) if mark < edges[i + 1] else ""
        sheet.text(r, data + 4, label, "centre")
        sheet.number(r, data + 5, float(edges[i]), "money")
        sheet.number(r, data + 6, float(edges[i + 1]), "money")
        sheet.number(r, data + 7, int(count), "count")
        sheet.number(r, data + 8, int(count) if i == holding else 0, "count")
    last_bar = first_bar + len(counts) - 1
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "Draws",
            "categories": [title, first_bar - 1, data + 3, last_bar - 1, data + 3],
            "values": [title, first_bar - 1, data + 6, last_bar - 1, data + 6],
            "fill": {"color": colours["navy"]},
            "overlap": 100,
            "gap": 10,
        }
    )
    if target is not None:
        chart.add_series(
            {
                "name": "The bar holding the target",
                "categories": [title, first_bar - 1, data + 3, last_bar - 1, data + 3],
                "values": [title, first_bar - 1, data + 7, last_bar - 1, data + 7],
                "fill": {"color": colours["bad"]},
            }
        )
    marked = ""
    if holding is not None and counts[holding]:
        marked = f"; red: the bar holding the target of {money(target)}"
    elif holding is not None:  # the bars are widened to show the target, where no draw fell
        marked = f"; no draw near the target of {money(target)}"
    chart.set_title(
        {
            "name": f"{what[0].upper()}{what[1:]}: {simulation.iterations:,} draws{marked}",
            "name_font": {"size": 11, "bold": True},
        }
    )
    chart.set_x_axis({"label_position": "low", "num_font": {"size": 8}})
    chart.set_y_axis(
        {"name": "draws", "num_format": "#,##0", "major_gridlines": {"visible": False}}
    )
    chart.set_legend({"none": True})
    chart.set_size({"width": 28 * PIXELS_PER_CM, "height": 8.5 * PIXELS_PER_CM})
    sheet.ws.insert_chart(chart_row - 1, 0, chart)
    if holding is None and target is not None:
        sheet.text(
            chart_row - 1, 3, f"The target of {money(target)} lies outside the bars drawn.", "note"
        )

    # Drivers: the largest, on their own page
    row = max(chart_row + CHART_ROWS - 2, last_bar + 1) + 1
    sheet.page_break(row)
    drivers = simulation.drivers[:DRIVERS_SHOWN]
    sheet.text(row, 1, "Drivers", "section")
    sheet.note(
        row + 1,
        1,
        last_column,
        f"The uncertain values that move the {what} most: Spearman's rank correlation of each "
        "value's draws (a risk's realised cost) with it, and its share of the sum of squared "
        f"correlations; measured on the first {min(simulation.iterations, DRIVER_DRAWS):,} draws "
        "(enough to rank them, and quick). "
        + (
            f"The {len(drivers)} largest of {len(simulation.drivers)}; simulate --format json "
            "lists them all."
            if len(simulation.drivers) > len(drivers)
            else ""
        ),
    )
    sheet.header_row(row + 2, ["Project: line", "Input", "Rank correlation", "Share"])
    for i, driver in enumerate(drivers, start=1):
        r = row + 2 + i
        lines = sheet.wrapped(r, 1, f"{i}. {driver.project}: {driver.line}", "wrap")
        sheet.fit(r, max(lines, sheet.wrapped(r, 2, field_label(driver.field), "wrap")), most=4)
        sheet.number(r, 3, driver.rank_correlation, "ratio")
        sheet.number(r, 4, driver.contribution, "percent")
    row += 3 + max(len(drivers), 1) + 1

    # Projects: the sheet's last table, its header repeated on the pages after its first.
    sheet.text(row, 1, "Projects", "section")
    header = row + 1
    sheet.header_row(
        header,
        [
            "Project",
            "Deterministic NPV",
            "Mean",
            "Std dev",
            "P5",
            "P10",
            "P50",
            "P90",
            "P95",
            "P(NPV < 0)",
        ],
    )
    for r, project in enumerate(result.projects, start=header + 1):
        s = simulation.projects[project.id]
        sheet.fit(r, sheet.wrapped(r, 1, f"{project.id}: {project.project.name}", "wrap"))
        sheet.formula(r, 2, f"=NPV_{name_id(project.id)}", project.npv, "money")
        for column, value in enumerate(_figures(s), start=3):
            sheet.number(r, column, value, "money")
        sheet.number(r, 10, s.prob_negative, "probability")
    end = max(header + len(result.projects), last_bar)
    sheet.finish(last_column, end, freeze=(2, 0), repeat=header)


def _figures(stats) -> tuple[float, ...]:
    return (
        stats.mean,
        stats.std,
        stats.p(5.0),
        stats.p(10.0),
        stats.p(50.0),
        stats.p(90.0),
        stats.p(95.0),
    )
