"""The workbook's ``Sensitivity`` and ``Monte Carlo`` sheets.

Switching values are live formulas of the project sheets' names. The tornado and the Monte Carlo
figures come from npv-calc's own runs (re-running them in a spreadsheet is not practical), are
written as values, and say so on the sheet. Chart data that nobody needs to read (the S-curve's
points, the histogram's bars, the tornado's good and bad halves) sits beside the printed area.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..simulate import DRIVER_DRAWS
from .table import (
    independence_note,
    input_value,
    money,
    probability,
    sampling_words,
    standard_error,
    who_counts,
)
from .workbook_parts import PIXELS_PER_CM, Book, Sheet, absolute, name_id

if TYPE_CHECKING:
    from ..sensitivity import Sensitivity
    from ..simulate import Simulation

#: Tornado bars drawn in the chart (the table lists them all).
CHART_BARS = 15
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
        "(Green Book). A negative value means the NPV is already below 0.",
    )
    sheet.header_row(
        6,
        [
            "ID",
            "Project",
            "",
            "NPV",
            "PV of benefits",
            "PV of costs",
            "Benefits could fall by",
            "Costs could rise by",
        ],
    )
    first = 7
    for r, (project, value) in enumerate(
        zip(result.projects, analysis.switching_values, strict=True), start=first
    ):
        nid = name_id(project.id)
        sheet.text(r, 1, project.id, "text")
        _row_of_text(sheet, r, 2, project.project.name)
        sheet.formula(r, 4, f"=NPV_{nid}", project.npv, "money")
        sheet.formula(r, 5, f"=PVBenefits_{nid}", project.pv_benefits, "money")
        sheet.formula(r, 6, f"=PVCosts_{nid}", project.pv_costs, "money")
        sheet.formula(
            r,
            7,
            f'=IF(E{r}=0,"–",D{r}/E{r})',
            "–" if value.benefits_fall is None else value.benefits_fall,
            "percent",
        )
        sheet.formula(
            r,
            8,
            f'=IF(F{r}=0,"–",D{r}/F{r})',
            "–" if value.costs_rise is None else value.costs_rise,
            "percent",
        )
    last = first + len(result.projects) - 1
    row = last + 2
    sheet.text(
        row,
        1,
        "Portfolio: the benefits of the projects counting toward the target could all fall by",
        "label",
    )
    fall = analysis.benefits_fall_to_miss_target
    sheet.formula(row, 7, "=BenefitsFallToMissTarget", "–" if fall is None else fall, "percent")
    sheet.text(row, 8, "before the target is missed", "note")

    row += 2
    sheet.text(row, 1, "Tornado", "section")
    toward = result.target is not None
    measure = "NPV toward the target" if toward else "portfolio NPV"
    level = result.npv_toward_target if toward else result.npv
    sheet.note(
        row + 1,
        1,
        last_column,
        f"The {measure} (what the target is tested against) with each uncertain value at the "
        f"low, then the high end of its range, every other value as in the {analysis.scenario} "
        f"scenario; largest swing first. The chart shows the {CHART_BARS} largest as the change "
        f"from the {measure} of {money(level)}: green where an end raises it, red where it "
        "lowers it"
        + (
            "; a value of a project that does not count toward the target moves it not at all."
            if toward
            else "."
        ),
    )
    chart_row = row + 2
    bars = analysis.ranked()
    table = chart_row + (22 if bars else 0)
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
    # The chart's data beside the printed area: each bar's change split into the part that
    # raises the measure (green) and the part that lowers it (red), whichever end gives it.
    chart_columns = (12, 13, 14)
    for column, label in zip(chart_columns, ("Chart: bar", "Lowers", "Raises"), strict=True):
        sheet.width(column, 14)
        sheet.text(table, column, label, "header")
    for i, bar in enumerate(bars, start=1):
        r = table + i
        at_low = bar.toward_target_at_low if toward else bar.npv_at_low
        at_high = bar.toward_target_at_high if toward else bar.npv_at_high
        sheet.number(r, 1, i, "year")
        label = f"{bar.project}: {bar.line}"
        _row_of_text(sheet, r, 2, label)
        sheet.text(r, 3, field_label(bar.field), "wrap")
        sheet.text(r, 4, input_value(bar.field, bar.low), "centre")
        sheet.text(r, 5, input_value(bar.field, bar.high), "centre")
        sheet.number(r, 6, at_low, "money")
        sheet.number(r, 7, at_high, "money")
        sheet.number(r, 8, abs(at_high - at_low), "money")
        sheet.number(r, 9, at_low - level, "money")
        sheet.number(r, 10, at_high - level, "money")
        changes = (at_low - level, at_high - level)
        sheet.text(r, 12, label, "text")
        sheet.number(r, 13, min(0.0, *changes), "money")
        sheet.number(r, 14, max(0.0, *changes), "money")
    end = table + max(len(bars), 1)
    if not bars:
        sheet.text(
            table + 1, 2, "No input has a range ({ low, central, high }): nothing to move.", "note"
        )
    else:
        shown = min(CHART_BARS, len(bars))
        title = sheet.title
        chart = book.wb.add_chart({"type": "bar"})
        for column, colour in ((13, colours["bad"]), (14, colours["good"])):
            chart.add_series(
                {
                    "name": [title, table - 1, column - 1],
                    "categories": [title, table, 11, table + shown - 1, 11],
                    "values": [title, table, column - 1, table + shown - 1, column - 1],
                    "fill": {"color": colour},
                    "overlap": 100,
                    "gap": 40,
                }
            )
        chart.set_title(
            {
                "name": f"Change in the {measure} with each input at its low and high end",
                "name_font": {"size": 11, "bold": True},
            }
        )
        # Largest swing at the top; project labels at the left edge, clear of the bars.
        chart.set_y_axis({"reverse": True, "label_position": "low", "num_font": {"size": 8}})
        chart.set_x_axis({"num_format": '"£"#,##0,"k"', "major_gridlines": {"visible": False}})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 30 * PIXELS_PER_CM, "height": 10.5 * PIXELS_PER_CM})
        sheet.ws.insert_chart(chart_row - 1, 0, chart)
    sheet.finish(last_column, end, freeze=(2, 0), repeat=table)


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
    sheet.widths_from((40, 30, 14, 14, 14, 14, 14, 14, 14, 14, 12))
    last_column = 11

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
        ("Seed (the same seed gives the same numbers)", simulation.seed, "year"),
        ("Distribution of each uncertain value", distribution, None),
        ("Sampling", sampling_words(simulation), None),
        ("Correlation groups", groups, None),
        ("Uncertain values drawn", simulation.uncertain_values, "count"),
        ("Scenario (settings and values without a range)", simulation.base.scenario, None),
    ]
    for r, (label, value, style) in enumerate(settings, start=5):
        sheet.text(r, 1, label, "label")
        if style is None:
            sheet.text(r, 2, value, "text")
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
        sheet.number(row, 2, simulation.prob_meets_target, "probability")
        book.name("ProbMeetsTarget", sheet, absolute(2, row))
        sheet.text(
            row,
            3,
            f"share of draws whose NPV toward the target ({who_counts(portfolio)}) reaches "
            f"{money(target)}",
            "note",
        )
    row += 1
    sheet.text(row, 1, "Standard errors of the estimates", "label")
    errors = (
        f"mean portfolio NPV {standard_error(simulation.mean_se, 'money')}; probability "
        f"{standard_error(simulation.prob_meets_target_se, 'share')}"
        + (
            f" (from the spread of the {simulation.replicates} independent replicates)"
            if simulation.sampling == "lhs"
            else ""
        )
    )
    sheet.text(row, 2, errors, "note")

    row += 2
    sheet.text(row, 1, "Projects", "section")
    header = row + 1
    sheet.header_row(
        header,
        [
            "ID",
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
        sheet.text(r, 1, project.id, "text")
        _row_of_text(sheet, r, 2, project.project.name)
        sheet.formula(r, 3, f"=NPV_{name_id(project.id)}", project.npv, "money")
        for column, value in enumerate(_figures(s), start=4):
            sheet.number(r, column, value, "money")
        sheet.number(r, 11, s.prob_negative, "probability")
    row = header + len(result.projects) + 2

    # Chart data beside the printed area (columns M onward): there to audit, not to print.
    data = 13
    for column in range(data, data + 9):
        sheet.width(column, 14)
    sheet.header_row(row, ("S-curve: NPV", "Share at or below", "Target", "Share"), start=data)

    # The S-curve: the chance of each outcome or worse, with the target marked.
    what = "NPV toward the target" if target is not None else "portfolio NPV"
    sheet.text(row, 1, f"The chance of each {what} or less", "section")
    chance = (
        f"P(target met) = {probability(simulation.prob_meets_target)}"
        if simulation.prob_meets_target is not None
        else "no target set"
    )
    sheet.text(row, 3, chance, "status")
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
    curve.set_x_axis(
        {"name": "£", "num_format": '"£"#,##0.0,,"m"', "major_gridlines": {"visible": False}}
    )
    curve.set_y_axis({"num_format": "0%", "min": 0, "max": 1})
    curve.set_legend({"position": "bottom"})
    curve.set_size({"width": 30 * PIXELS_PER_CM, "height": 10 * PIXELS_PER_CM})
    sheet.ws.insert_chart(row, 0, curve)

    # The histogram, P0.5 to P99.5
    row += 21
    sheet.text(row, 1, f"Distribution of the {what}", "section")
    edges, counts = simulation.histogram_edges, simulation.histogram_counts
    outside = simulation.iterations - int(np.sum(counts))
    sheet.note(
        row + 1,
        1,
        last_column,
        f"Bars from the 0.5th to the 99.5th percentile; the {outside:,} draws beyond them "
        f"({outside / simulation.iterations:.1%}) are not drawn, so that no bar gathers the "
        "tails. The bars' figures are beside the chart (columns Q to U).",
    )
    chart_row = row + 2
    holding = None
    if target is not None:
        for i in range(len(counts)):
            if edges[i] <= target < edges[i + 1] or (i == len(counts) - 1 and target == edges[-1]):
                holding = i
    first_bar = chart_row  # the bars' figures start beside the chart
    sheet.header_row(
        first_bar - 1, ("Bar", "From", "To", "Draws", "Draws at the target"), start=data + 4
    )
    for i, count in enumerate(counts):
        r = first_bar + i
        middle = (edges[i] + edges[i + 1]) / 2
        # every fifth bar labelled, so that the labels stay legible
        sheet.text(r, data + 4, f"£{middle / 1e6:,.1f}m" if i % 5 == 0 else "", "centre")
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
    marked = f"; red: the bar holding the target of {money(target)}" if holding is not None else ""
    chart.set_title(
        {
            "name": f"{what[0].upper()}{what[1:]}: {simulation.iterations:,} draws{marked}",
            "name_font": {"size": 11, "bold": True},
        }
    )
    chart.set_x_axis({"interval_unit": 5, "label_position": "low"})
    chart.set_y_axis({"name": "draws", "major_gridlines": {"visible": False}})
    chart.set_legend({"none": True})
    chart.set_size({"width": 30 * PIXELS_PER_CM, "height": 10 * PIXELS_PER_CM})
    sheet.ws.insert_chart(chart_row - 1, 0, chart)
    if holding is None and target is not None:
        sheet.text(
            chart_row - 1, 3, f"The target of {money(target)} lies outside the bars drawn.", "note"
        )

    # Drivers
    row = chart_row + 21
    sheet.text(row, 1, "Drivers", "section")
    sheet.note(
        row + 1,
        1,
        last_column,
        f"The uncertain values that move the {what} most: Spearman's rank correlation of each "
        "value's draws (a risk's realised cost) with it, and its share of the sum of squared "
        f"correlations; measured on the first {min(simulation.iterations, DRIVER_DRAWS):,} draws.",
    )
    sheet.header_row(row + 2, ["Rank", "Project: line", "Input", "Rank correlation", "Share"])
    for i, driver in enumerate(simulation.drivers, start=1):
        r = row + 2 + i
        sheet.number(r, 1, i, "year")
        _row_of_text(sheet, r, 2, f"{driver.project}: {driver.line}")
        sheet.text(r, 3, field_label(driver.field), "wrap")
        sheet.number(r, 4, driver.rank_correlation, "ratio")
        sheet.number(r, 5, driver.contribution, "percent")
    end = max(row + 2 + max(len(simulation.drivers), 1), last_bar)
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
