"""The workbook's ``Sensitivity`` and ``Monte Carlo`` sheets.

Switching values are live formulas of the project sheets' names. The tornado and the Monte Carlo
figures come from npv-calc's own runs (re-running them in a spreadsheet is not practical), are
written as values, and say so on the sheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..calculate import financial_year
from ..workbook_io import put, put_text
from .table import input_value, money
from .workbook_parts import SheetWriter, absolute, chart_title, name_id, sheet_ref

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
    builder.note(
        ws,
        row + 1,
        1,
        11,
        "The portfolio NPV with each uncertain value at the low, then the high end of its range, "
        f"every other value as in the {analysis.scenario} scenario; largest swing first. The "
        f"chart shows the {CHART_BARS} largest as the change from the portfolio NPV of "
        f"{money(result.npv)}.",
    )
    chart_row = row + 2
    bars = analysis.tornado
    table = chart_row + (22 if bars else 0)
    builder.header_row(
        ws,
        table,
        [
            "Rank",
            "Project: line",
            "Input",
            "Low",
            "High",
            "NPV at low",
            "NPV at high",
            "Swing",
            "Change at low",
            "Change at high",
        ],
    )
    ws.row_dimensions[table].height = 30
    base = result.npv
    for i, bar in enumerate(bars, start=1):
        r = table + i
        put(ws.cell(row=r, column=1), i, "npv year")
        put_text(ws.cell(row=r, column=2), f"{bar.project}: {bar.line}", "npv text")
        put_text(ws.cell(row=r, column=3), bar.field, "npv text")
        put_text(ws.cell(row=r, column=4), input_value(bar.field, bar.low), "npv centre")
        put_text(ws.cell(row=r, column=5), input_value(bar.field, bar.high), "npv centre")
        put(ws.cell(row=r, column=6), bar.npv_at_low, "npv money")
        put(ws.cell(row=r, column=7), bar.npv_at_high, "npv money")
        put(ws.cell(row=r, column=8), bar.swing, "npv money")
        put(ws.cell(row=r, column=9), bar.npv_at_low - base, "npv money")
        put(ws.cell(row=r, column=10), bar.npv_at_high - base, "npv money")
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
        chart.title = chart_title("Change in portfolio NPV with each input at its low and high end")
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
    from openpyxl.chart import BarChart, Reference

    ws = _new_sheet(builder, "Monte Carlo")
    result = builder.result
    portfolio = result.portfolio
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
        ("Uncertain values drawn (each independently)", simulation.uncertain_values, "npv count"),
        ("Scenario (settings and values without a range)", simulation.base.scenario, None),
    ]
    for r, (label, value, style) in enumerate(settings, start=5):
        put_text(ws.cell(row=r, column=1), label, "npv label")
        if style is None:
            put_text(ws.cell(row=r, column=2), value, "npv text")
        else:
            put(ws.cell(row=r, column=2), value, style)

    put_text(ws["A11"], "Portfolio NPV", "npv section")
    builder.header_row(
        ws, 12, ["", "Deterministic NPV", "Mean", "Std dev", "P5", "P10", "P50", "P90", "P95"]
    )
    stats = simulation.portfolio
    put_text(ws["A13"], "All projects", "npv label")
    put(ws["B13"], "=PortfolioNPV", "npv money")
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
        put(ws.cell(row=13, column=column), value, "npv money")
    put_text(ws["A15"], "Probability of meeting the target", "npv label")
    if simulation.prob_meets_target is None:
        put_text(ws["B15"], "no target set", "npv text")
    else:
        put(ws["B15"], simulation.prob_meets_target, "npv probability")
        builder.name("ProbMeetsTarget", ws, "$B$15")
        year = portfolio.target_year
        who = f" (projects starting by {financial_year(year)})" if year is not None else ""
        put_text(
            ws["C15"],
            f"share of draws whose NPV toward the target{who} reaches {money(portfolio.target)}",
            "npv note",
        )

    put_text(ws["A17"], "Projects", "npv section")
    builder.header_row(
        ws,
        18,
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
    ws.row_dimensions[18].height = 30
    for r, project in enumerate(result.projects, start=19):
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
    row = 19 + len(result.projects) + 1

    what = "NPV toward the target" if portfolio.target is not None else "portfolio NPV"
    put_text(ws.cell(row=row, column=1), f"Distribution of the {what}", "npv section")
    chart_row = row + 1
    table = chart_row + 21
    builder.header_row(ws, table, ["Bar", "From", "To", "Draws", "Share", "Target", "Chart label"])
    edges, counts = simulation.histogram_edges, simulation.histogram_counts
    target = portfolio.target
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
            f"The target of {money(target)} lies outside every possible draw.",
            "npv note",
        )
    builder.finish(ws, len(widths), end, freeze="A3")
    return ws
