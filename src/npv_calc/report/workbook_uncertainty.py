"""The workbook's ``Sensitivity`` and ``Monte Carlo`` sheets.

Switching values are live formulas of the project sheets' names. The tornado and the Monte Carlo
figures come from npv-calc's own runs (re-running them in a spreadsheet is not practical), are
written as values, and say so on the sheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..simulate import DRIVER_DRAWS
from ..workbook_io import put, put_text
from .table import (
    independence_note,
    input_value,
    money,
    probability,
    sampling_words,
    standard_error,
    who_counts,
)
from .workbook_parts import SheetWriter, absolute, chart_title, name_id, sheet_ref
from .workbook_parts import letter as _letter

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from ..sensitivity import Sensitivity
    from ..simulate import Simulation

#: Tornado bars drawn in the chart (the table lists them all).
CHART_BARS = 15


def _new_sheet(builder: SheetWriter, title: str) -> Worksheet:
    prototype = builder.wb["Project"]
    ws = builder.wb.copy_worksheet(prototype)
    ws.title = title
    ws.oddHeader = prototype.oddHeader
    ws.oddFooter = prototype.oddFooter
    ws.sheet_view.showGridLines = False
    ws.sheet_view.zoomScale = prototype.sheet_view.zoomScale
    return ws


def sensitivity_sheet(builder: SheetWriter, analysis: Sensitivity) -> Worksheet:
    from openpyxl.chart import BarChart, Reference

    ws = _new_sheet(builder, "Sensitivity")
    result = builder.result
    builder.title(
        ws,
        "Sensitivity",
        f"{analysis.scenario.capitalize()} scenario. Switching values are live formulas; the "
        "tornado was computed by npv-calc when the workbook was written (values, not live).",
    )
    widths = {
        "A": 9,
        "B": 36,
        "C": 24,
        "D": 14,
        "E": 13,
        "F": 13,
        "G": 14,
        "H": 14,
        "I": 13,
        "J": 14,
        "K": 14,
    }
    for column, width in widths.items():
        ws.column_dimensions[column].width = width

    put_text(ws["A4"], "Switching values", "npv section")
    builder.note(
        ws,
        5,
        1,
        11,
        "How far a project's benefits could fall, or its costs rise, before its NPV reaches 0 "
        "(Green Book). A negative value means the NPV is already below 0.",
    )
    builder.header_row(
        ws,
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
    ws.row_dimensions[6].height = 30
    first = 7
    for r, project in enumerate(result.projects, start=first):
        nid = name_id(project.id)
        put_text(ws.cell(row=r, column=1), project.id, "npv text")
        put_text(ws.cell(row=r, column=2), project.project.name, "npv text")
        put(ws.cell(row=r, column=4), f"=NPV_{nid}", "npv money")
        put(ws.cell(row=r, column=5), f"=PVBenefits_{nid}", "npv money")
        put(ws.cell(row=r, column=6), f"=PVCosts_{nid}", "npv money")
        put(ws.cell(row=r, column=7), f'=IF(E{r}=0,"–",D{r}/E{r})', "npv percent")
        put(ws.cell(row=r, column=8), f'=IF(F{r}=0,"–",D{r}/F{r})', "npv percent")
    last = first + len(result.projects) - 1
    row = last + 2
    summary = sheet_ref("Summary")
    top, bottom = 14, 13 + len(result.projects)
    put_text(
        ws.cell(row=row, column=1),
        "Portfolio: the benefits of the projects counting toward the target could all fall by",
        "npv label",
    )
    put(
        ws.cell(row=row, column=7),
        f'=IF(Target="","–",IFERROR(Headroom/SUMIFS({summary}!$G${top}:$G${bottom},'
        f'{summary}!$K${top}:$K${bottom},"Yes"),"–"))',
        "npv percent",
    )
    put_text(ws.cell(row=row, column=8), "before the target is missed", "npv note")
    builder.name("BenefitsFallToMissTarget", ws, absolute(7, row))

    row += 2
    put_text(ws.cell(row=row, column=1), "Tornado", "npv section")
    toward = result.target is not None
    measure = "NPV toward the target" if toward else "portfolio NPV"
    level = result.npv_toward_target if toward else result.npv
    builder.note(
        ws,
        row + 1,
        1,
        11,
        f"The {measure} (what the target is tested against) with each uncertain value at the "
        f"low, then the high end of its range, every other value as in the {analysis.scenario} "
        f"scenario; largest swing first. The chart shows the {CHART_BARS} largest as the change "
        f"from the {measure} of {money(level)}"
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
    builder.header_row(
        ws,
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
    ws.row_dimensions[table].height = 30
    for i, bar in enumerate(bars, start=1):
        r = table + i
        at_low = bar.toward_target_at_low if toward else bar.npv_at_low
        at_high = bar.toward_target_at_high if toward else bar.npv_at_high
        put(ws.cell(row=r, column=1), i, "npv year")
        put_text(ws.cell(row=r, column=2), f"{bar.project}: {bar.line}", "npv text")
        put_text(ws.cell(row=r, column=3), bar.field, "npv text")
        put_text(ws.cell(row=r, column=4), input_value(bar.field, bar.low), "npv centre")
        put_text(ws.cell(row=r, column=5), input_value(bar.field, bar.high), "npv centre")
        put(ws.cell(row=r, column=6), at_low, "npv money")
        put(ws.cell(row=r, column=7), at_high, "npv money")
        put(ws.cell(row=r, column=8), abs(at_high - at_low), "npv money")
        put(ws.cell(row=r, column=9), at_low - level, "npv money")
        put(ws.cell(row=r, column=10), at_high - level, "npv money")
    end = table + max(len(bars), 1)
    if not bars:
        put_text(
            ws.cell(row=table + 1, column=2),
            "No input has a range ({ low, central, high }): nothing to move.",
            "npv note",
        )
    else:
        shown = min(CHART_BARS, len(bars))
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "clustered"
        chart.overlap = 100
        chart.gapWidth = 40
        chart.title = chart_title(
            f"Change in the {measure} with each input at its low and high end"
        )
        chart.x_axis.tickLblPos = "low"  # project labels at the left edge, clear of the bars
        chart.add_data(
            Reference(ws, min_col=9, max_col=10, min_row=table, max_row=table + shown),
            titles_from_data=True,
        )
        chart.set_categories(Reference(ws, min_col=2, min_row=table + 1, max_row=table + shown))
        chart.x_axis.scaling.orientation = "maxMin"  # largest swing at the top
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.y_axis.numFmt = '"£"#,##0,"k"'
        chart.y_axis.majorGridlines = None
        chart.series[0].graphicalProperties.solidFill = "C00000"
        chart.series[1].graphicalProperties.solidFill = "2E75B6"
        chart.legend.position = "b"
        chart.height = 10.5
        chart.width = 30
        ws.add_chart(chart, f"A{chart_row}")
    builder.finish(ws, len(widths), end, freeze="A3")
    return ws


def monte_carlo_sheet(builder: SheetWriter, simulation: Simulation) -> Worksheet:
    from openpyxl.chart import BarChart, Reference, ScatterChart, Series

    ws = _new_sheet(builder, "Monte Carlo")
    result = builder.result
    portfolio = result.portfolio
    target = portfolio.target
    builder.title(
        ws,
        "Monte Carlo",
        f"{simulation.iterations:,} draws; figures computed by npv-calc when the workbook was "
        "written (values, not live). Deterministic NPVs link to the project sheets.",
    )
    widths = {
        "A": 40,
        "B": 30,
        "C": 14,
        "D": 14,
        "E": 14,
        "F": 14,
        "G": 14,
        "H": 14,
        "I": 14,
        "J": 14,
        "K": 12,
    }
    for column, width in widths.items():
        ws.column_dimensions[column].width = width

    put_text(ws["A4"], "Settings", "npv section")
    distribution = {
        "pert": "PERT (low, central, high)",
        "triangular": "triangular",
        "uniform": "uniform (low to high)",
    }[simulation.distribution]
    settings = [
        ("Draws (iterations)", simulation.iterations, "npv count"),
        ("Seed (the same seed gives the same numbers)", simulation.seed, "npv year"),
        ("Distribution of each uncertain value", distribution, None),
        ("Sampling", sampling_words(simulation), None),
        (
            "Correlation groups",
            ", ".join(simulation.correlation_groups)
            or (
                "ignored (--independent): every value drawn independently"
                if simulation.correlation_ignored
                else "none: every value drawn independently"
            ),
            None,
        ),
        ("Uncertain values drawn", simulation.uncertain_values, "npv count"),
        ("Scenario (settings and values without a range)", simulation.base.scenario, None),
    ]
    for r, (label, value, style) in enumerate(settings, start=5):
        put_text(ws.cell(row=r, column=1), label, "npv label")
        if style is None:
            put_text(ws.cell(row=r, column=2), value, "npv text")
        else:
            put(ws.cell(row=r, column=2), value, style)
    row = 5 + len(settings)
    builder.note(ws, row, 1, 11, independence_note(simulation))

    row += 2
    put_text(ws.cell(row=row, column=1), "Portfolio NPV", "npv section")
    builder.header_row(
        ws, row + 1, ["", "Deterministic NPV", "Mean", "Std dev", "P5", "P10", "P50", "P90", "P95"]
    )
    distributions = [("All projects", "=PortfolioNPV", simulation.portfolio)]
    if simulation.toward_target is not None:
        distributions.append(
            (
                "Toward the target (what it is tested against)",
                "=NPVTowardTarget",
                simulation.toward_target,
            )
        )
    for i, (label, deterministic, stats) in enumerate(distributions, start=row + 2):
        put_text(ws.cell(row=i, column=1), label, "npv label")
        put(ws.cell(row=i, column=2), deterministic, "npv money")
        for column, value in zip(
            range(3, 10),
            (
                stats.mean,
                stats.std,
                stats.p(5.0),
                stats.p(10.0),
                stats.p(50.0),
                stats.p(90.0),
                stats.p(95.0),
            ),
            strict=True,
        ):
            put(ws.cell(row=i, column=column), value, "npv money")
    row += 2 + len(distributions) + 1
    put_text(ws.cell(row=row, column=1), "Probability of meeting the target", "npv label")
    if simulation.prob_meets_target is None:
        put_text(ws.cell(row=row, column=2), "no target set", "npv text")
    else:
        put(ws.cell(row=row, column=2), simulation.prob_meets_target, "npv probability")
        builder.name("ProbMeetsTarget", ws, absolute(2, row))
        put_text(
            ws.cell(row=row, column=3),
            f"share of draws whose NPV toward the target ({who_counts(portfolio)}) reaches "
            f"{money(target)}",
            "npv note",
        )
    row += 1
    put_text(ws.cell(row=row, column=1), "Standard errors of the estimates", "npv label")
    errors = (
        f"mean portfolio NPV {standard_error(simulation.mean_se, 'money')}; probability "
        f"{standard_error(simulation.prob_meets_target_se, 'share')}"
        + (
            f" (from the spread of the {simulation.replicates} independent replicates)"
            if simulation.sampling == "lhs"
            else ""
        )
    )
    put_text(ws.cell(row=row, column=2), errors, "npv note")

    row += 2
    put_text(ws.cell(row=row, column=1), "Projects", "npv section")
    header = row + 1
    builder.header_row(
        ws,
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
    ws.row_dimensions[header].height = 30
    for r, project in enumerate(result.projects, start=header + 1):
        s = simulation.projects[project.id]
        put_text(ws.cell(row=r, column=1), project.id, "npv text")
        put_text(ws.cell(row=r, column=2), project.project.name, "npv text")
        put(ws.cell(row=r, column=3), f"=NPV_{name_id(project.id)}", "npv money")
        for column, value in zip(
            range(4, 11),
            (s.mean, s.std, s.p(5.0), s.p(10.0), s.p(50.0), s.p(90.0), s.p(95.0)),
            strict=True,
        ):
            put(ws.cell(row=r, column=column), value, "npv money")
        put(ws.cell(row=r, column=11), s.prob_negative, "npv probability")
    row = header + len(result.projects) + 2

    # The S-curve: the chance of each outcome or worse, with the target marked.
    what = "NPV toward the target" if target is not None else "portfolio NPV"
    put_text(ws.cell(row=row, column=1), f"The chance of each {what} or less", "npv section")
    chance = (
        f"P(target met) = {probability(simulation.prob_meets_target)}"
        if simulation.prob_meets_target is not None
        else "no target set"
    )
    put_text(ws.cell(row=row, column=3), chance, "npv status")
    curve_row = row + 1
    # The curve's points sit beside the sheet's printed area (columns M to P): the chart's data,
    # there to audit, not to print.
    data_row = curve_row
    for column, label in zip(
        range(13, 17), ("S-curve: NPV", "Share at or below", "Target", "Share"), strict=True
    ):
        put_text(ws.cell(row=data_row, column=column), label, "npv header")
        ws.column_dimensions[_letter(column)].width = 14
    values, shares = simulation.curve_values, simulation.curve_shares
    for i, (value, share) in enumerate(zip(values, shares, strict=True)):
        r = data_row + 1 + i
        put(ws.cell(row=r, column=13), float(value), "npv money")
        put(ws.cell(row=r, column=14), float(share), "npv percent")
    curve_end = data_row + len(values)
    scurve = ScatterChart()
    scurve.title = chart_title(
        f"Chance that the {what} is at or below each value"
        + (f"; target {money(target)}, {chance}" if target is not None else "")
    )
    scurve.style = 13
    line = Series(
        Reference(ws, min_col=14, min_row=data_row + 1, max_row=curve_end),
        Reference(ws, min_col=13, min_row=data_row + 1, max_row=curve_end),
        title="Share of draws at or below",
    )
    line.marker.symbol = "none"
    line.graphicalProperties.line.solidFill = "1F3864"
    line.smooth = False
    scurve.series.append(line)
    if target is not None:
        put(ws.cell(row=data_row + 1, column=15), float(target), "npv money")
        put(ws.cell(row=data_row + 2, column=15), float(target), "npv money")
        put(ws.cell(row=data_row + 1, column=16), 0.0, "npv percent")
        put(ws.cell(row=data_row + 2, column=16), 1.0, "npv percent")
        mark = Series(
            Reference(ws, min_col=16, min_row=data_row + 1, max_row=data_row + 2),
            Reference(ws, min_col=15, min_row=data_row + 1, max_row=data_row + 2),
            title="Target",
        )
        mark.marker.symbol = "none"
        mark.graphicalProperties.line.solidFill = "C00000"
        mark.graphicalProperties.line.dashStyle = "dash"
        scurve.series.append(mark)
    scurve.x_axis.title = "£"
    scurve.x_axis.numFmt = '"£"#,##0.0,,"m"'
    scurve.y_axis.numFmt = "0%"
    scurve.y_axis.scaling.min = 0
    scurve.y_axis.scaling.max = 1
    scurve.x_axis.delete = False
    scurve.y_axis.delete = False
    scurve.legend.position = "b"
    scurve.height = 10
    scurve.width = 30
    ws.add_chart(scurve, f"A{curve_row}")

    # The histogram, P0.5 to P99.5
    row = curve_row + 21
    put_text(ws.cell(row=row, column=1), f"Distribution of the {what}", "npv section")
    edges, counts = simulation.histogram_edges, simulation.histogram_counts
    outside = simulation.iterations - int(np.sum(counts))
    builder.note(
        ws,
        row + 1,
        1,
        11,
        f"Bars from the 0.5th to the 99.5th percentile; the {outside:,} draws beyond them "
        f"({outside / simulation.iterations:.1%}) are not drawn, so that no bar gathers the "
        "tails.",
    )
    chart_row = row + 2
    table = chart_row + 21
    builder.header_row(ws, table, ["Bar", "From", "To", "Draws", "Share", "Target", "Chart label"])
    holding = None
    if target is not None:
        for i in range(len(counts)):
            if edges[i] <= target < edges[i + 1] or (i == len(counts) - 1 and target == edges[-1]):
                holding = i
    for i, count in enumerate(counts):
        r = table + 1 + i
        middle = (edges[i] + edges[i + 1]) / 2
        put_text(ws.cell(row=r, column=1), f"£{middle / 1e6:,.2f}m", "npv centre")
        put(ws.cell(row=r, column=2), float(edges[i]), "npv money")
        put(ws.cell(row=r, column=3), float(edges[i + 1]), "npv money")
        put(ws.cell(row=r, column=4), int(count), "npv count")
        put(ws.cell(row=r, column=5), int(count) / simulation.iterations, "npv percent")
        put(ws.cell(row=r, column=6), int(count) if i == holding else 0, "npv count")
        # every fifth bar labelled, so that the labels stay legible
        put_text(
            ws.cell(row=r, column=7), f"£{middle / 1e6:,.1f}m" if i % 5 == 0 else "", "npv centre"
        )
    end = table + len(counts)
    chart = BarChart()
    chart.type = "col"
    chart.grouping = "clustered"
    chart.overlap = 100
    chart.gapWidth = 10
    marked = f"; red: the bar holding the target of {money(target)}" if holding is not None else ""
    chart.title = chart_title(
        f"{what[0].upper()}{what[1:]}: {simulation.iterations:,} draws{marked}"
    )
    chart.x_axis.tickLblSkip = 5
    chart.add_data(Reference(ws, min_col=4, min_row=table, max_row=end), titles_from_data=True)
    if target is not None:
        chart.add_data(Reference(ws, min_col=6, min_row=table, max_row=end), titles_from_data=True)
        chart.series[1].graphicalProperties.solidFill = "C00000"
    chart.series[0].graphicalProperties.solidFill = "1F3864"
    chart.set_categories(Reference(ws, min_col=7, min_row=table + 1, max_row=end))
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.title = "draws"
    chart.y_axis.majorGridlines = None
    chart.legend = None
    chart.height = 10
    chart.width = 30
    ws.add_chart(chart, f"A{chart_row}")
    if holding is None and target is not None:
        put_text(
            ws.cell(row=chart_row - 1, column=3),
            f"The target of {money(target)} lies outside the bars drawn.",
            "npv note",
        )

    # Drivers
    row = end + 2
    put_text(ws.cell(row=row, column=1), "Drivers", "npv section")
    builder.note(
        ws,
        row + 1,
        1,
        11,
        f"The uncertain values that move the {what} most: Spearman's rank correlation of each "
        "value's draws (a risk's realised cost) with it, and its share of the sum of squared "
        f"correlations; measured on the first {min(simulation.iterations, DRIVER_DRAWS):,} draws.",
    )
    builder.header_row(ws, row + 2, ["Rank", "Project: line", "Input", "Rank correlation", "Share"])
    for i, driver in enumerate(simulation.drivers, start=1):
        r = row + 2 + i
        put(ws.cell(row=r, column=1), i, "npv year")
        put_text(ws.cell(row=r, column=2), f"{driver.project}: {driver.line}", "npv text")
        put_text(ws.cell(row=r, column=3), driver.field, "npv text")
        put(ws.cell(row=r, column=4), driver.rank_correlation, "npv ratio")
        put(ws.cell(row=r, column=5), driver.contribution, "npv percent")
    end = row + 2 + max(len(simulation.drivers), 1)
    builder.finish(ws, len(widths), end, freeze="A3")
    return ws
