"""The ``Sensitivity`` sheet: switching values, live formulas of the project sheets' names, and
the tornado, from npv-calc's own run (values: re-running it in a spreadsheet is not practical),
with a chart of the largest swings."""

from __future__ import annotations

from ...model import financial_year
from ...results.uncertainty import Sensitivity, TornadoBar
from ..text import input_value, money
from .anchors import at
from .cells import PIXELS_PER_CM, Book, Sheet
from .formulas import name_id

#: Tornado bars drawn in the chart (the table lists them all).
CHART_BARS = 15
#: Rows a chart takes on the sheet.
CHART_ROWS = 22
LAST_COLUMN = 10
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


def money_axis(largest: float) -> str:
    """An axis number format in £m, or in £k when the values are under £0.5m."""
    return '"£"#,##0.0,,"m"' if largest >= 5e5 else '"£"#,##0,"k"'


def sensitivity_sheet(book: Book, sheet: Sheet) -> None:
    """The Sensitivity sheet, from the pack's sensitivity analysis."""
    analysis = book.pack.sensitivity
    assert analysis is not None
    sheet.title_band(
        "Sensitivity",
        f"{analysis.scenario.capitalize()} scenario. Switching values are live formulas; the "
        "tornado was computed by npv-calc when the workbook was written (values, not live).",
    )
    sheet.widths_from((7, 40, 22, 12, 12, 14, 14, 13, 13, 13))
    row = _switching_values(book, sheet, analysis)
    # The tornado starts a page; its table is the sheet's last, its header repeated.
    row += 2
    sheet.page_break(row)
    _tornado(book, sheet, analysis, row)


def _switching_values(book: Book, sheet: Sheet, analysis: Sensitivity) -> int:
    """Each project's switching values, then the portfolio's; returns the portfolio's row."""
    result = book.pack.result
    sheet.text(4, 1, "Switching values", "section")
    sheet.note(
        5,
        1,
        LAST_COLUMN,
        "How far a project's benefits could fall, or its costs rise, before its NPV reaches 0 "
        "(Green Book). Benefits fall only where they are still to come: the outturn recorded "
        "cannot fall, so the share is of the benefits still to come (a share above 100%: the "
        "NPV stays above 0 even with no further benefit). Where the NPV is already below 0, "
        "how far they must rise, or fall, to reach 0 (in red).",
    )
    labels = [
        "ID",
        "Project",
        "",
        "NPV",
        "PV of benefits still to come",
        "PV of costs",
        "Benefits still to come could fall by",
        "Costs could rise by",
    ]
    rows = sheet.table(6, labels, len(result.projects), LAST_COLUMN)
    r = 6
    for r, project, value in zip(rows, result.projects, analysis.switching_values, strict=True):
        nid = name_id(project.id)
        sheet.text(r, 1, project.id, "text")
        sheet.fit(r, sheet.wrapped(r, 2, project.project.name, "wrap", last=3))
        sheet.formula(r, 4, f"=NPV_{nid}", project.npv, "money")
        sheet.formula(r, 5, f"=PVBenefitsToCome_{nid}", project.pv_benefits_to_come, "money")
        sheet.formula(r, 6, f"=PVCosts_{nid}", project.pv_costs, "money")
        npv = at(r, 4)
        sheet.formula(
            r,
            7,
            f'=IF({at(r, 5)}=0,"–",{npv}/{at(r, 5)})',
            "–" if value.benefits_fall is None else value.benefits_fall,
            "benefits fall",
        )
        sheet.formula(
            r,
            8,
            f'=IF({at(r, 6)}<=0,"–",{npv}/{at(r, 6)})',
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
    return row


def _tornado(book: Book, sheet: Sheet, analysis: Sensitivity, row: int) -> None:
    """The tornado: a chart of the largest swings, then every bar in a table."""
    result = book.pack.result
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
    left_out = {id(b) for b in idle}  # by identity: comparing dataclasses grows with the bars
    bars = tuple(b for b in bars if id(b) not in left_out)
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        f"The {measure} with each uncertain value at the low, then the high end of its range "
        f"(the others as in the {analysis.scenario} scenario), largest swing first; the chart "
        f"shows the {CHART_BARS} largest as changes from {money(level)}."
        + idle_note(book, idle)
        + ends,
    )
    chart_row = row + 2
    # the chart's 10 cm, and a row clear below it
    table = chart_row + (CHART_ROWS + 1 if bars else 0)
    largest = _tornado_table(sheet, bars, table, toward, level)
    end = table + max(len(bars), 1)
    if not bars:
        sheet.text(
            table + 1, 2, "No input has a range ({ low, central, high }): nothing to move.", "note"
        )
    else:
        _tornado_chart(book, sheet, bars, table, chart_row, measure, level, largest)
    sheet.finish(LAST_COLUMN, end, freeze=(2, 0), repeat=table)


def _tornado_table(
    sheet: Sheet, bars: tuple[TornadoBar, ...], table: int, toward: bool, level: float
) -> float:
    """A row per bar under its header; returns the largest change the chart shows."""
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
        lines = sheet.wrapped(r, 2, f"{bar.project}: {bar.line}", "wrap")
        lines = max(lines, sheet.wrapped(r, 3, field_label(bar.field), "wrap"))
        sheet.fit(r, lines, most=4)
        sheet.text(r, 4, input_value(bar.field, bar.low), "centre")
        sheet.text(r, 5, input_value(bar.field, bar.high), "centre")
        sheet.number(r, 6, at_low, "money")
        sheet.number(r, 7, at_high, "money")
        sheet.number(r, 8, abs(at_high - at_low), "money")
        sheet.number(r, 9, at_low - level, "money")
        sheet.number(r, 10, at_high - level, "money")
        if i <= CHART_BARS:
            largest = max(largest, abs(at_low - level), abs(at_high - level))
    return largest


def _tornado_chart(
    book: Book,
    sheet: Sheet,
    bars: tuple[TornadoBar, ...],
    table: int,
    chart_row: int,
    measure: str,
    level: float,
    largest: float,
) -> None:
    colours = book.style.colours
    toward = book.pack.result.target is not None
    shown = min(CHART_BARS, len(bars))
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
                "categories": sheet.span(table + 1, 2, table + shown, 2).chart(),
                "values": sheet.span(table + 1, column, table + shown, column).chart(),
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
    sheet.insert_chart(chart_row, 1, chart)


def idle_note(book: Book, idle: list[TornadoBar]) -> str:
    """What the tornado leaves out, and why: the inputs whose range moves the NPV toward the
    target not at all. Those of projects that do not count toward it; those of counting
    projects whose years are all settled by the outturn recorded to ``as_of`` (it replaces the
    forecast there, and a risk's expected cost no longer applies); and any other."""
    if not idle:
        return ""
    result = book.pack.result
    counts = {p.id: p.counts_toward_target for p in result.projects}
    outside = [b for b in idle if not counts.get(b.project, False)]
    settled = [b for b in idle if counts.get(b.project, False) and b.settled]
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
