"""The ``Monte Carlo`` sheet: the simulation's settings, the distribution of the portfolio NPV
(and toward the target), the chance of meeting the target, an S-curve and a histogram, the
drivers and each project's distribution.

The figures come from npv-calc's own run (re-running a simulation in a spreadsheet is not
practical) and are values, as the sheet says; the deterministic NPVs link to the project sheets.
Chart data that nobody needs to read (the S-curve's points, the histogram's bars) sits beside the
printed area.
"""

from __future__ import annotations

import math

import numpy as np

from ...results.uncertainty import Simulation, Stats
from ..simulation_table import (
    independence_note,
    option_odds_line,
    probability_error,
    sampling_words,
    standard_error,
)
from ..table import who_counts
from ..text import ALMOST_CERTAIN, ALMOST_NEVER, money, probability
from .cells import PIXELS_PER_CM, Book, Sheet
from .formulas import name_id
from .sensitivity import field_label

#: Drivers listed on the sheet (the JSON lists them all).
DRIVERS_SHOWN = 20
#: Rows a chart takes on the sheet.
CHART_ROWS = 22
LAST_COLUMN = 10
#: The first column of the charts' data, beside the printed area (L).
DATA = 12


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


def monte_carlo_sheet(book: Book, sheet: Sheet) -> None:
    """The Monte Carlo sheet, from the pack's simulation."""
    simulation = book.pack.simulation
    assert simulation is not None
    sheet.title_band(
        "Monte Carlo",
        f"{simulation.iterations:,} draws; figures computed by npv-calc when the workbook was "
        "written (values, not live). Deterministic NPVs link to the project sheets.",
    )
    sheet.widths_from((44, 16, 14, 14, 14, 14, 14, 14, 14, 14))
    row = _settings(sheet, simulation)
    row = _portfolio(book, sheet, simulation, row + 2)
    # The charts start a page. Their data sits beside the printed area (columns L onward):
    # there to audit, not to print.
    row += 2
    sheet.page_break(row)
    for column in range(DATA, DATA + 9):
        sheet.width(column, 14)
    row = _curve(book, sheet, simulation, row)
    last_bar, chart_row = _histogram(book, sheet, simulation, row + CHART_ROWS - 2)
    # Drivers: the largest, on their own page
    row = max(chart_row + CHART_ROWS - 2, last_bar + 1) + 1
    sheet.page_break(row)
    row = _drivers(book, sheet, simulation, row)
    end = _projects(book, sheet, simulation, row)
    # a project with options: how likely each option is to be the best (values)
    for odds in simulation.options:
        end += 1
        sheet.note(end, 1, LAST_COLUMN, option_odds_line(simulation, odds))
    sheet.finish(LAST_COLUMN, max(end, last_bar), freeze=(2, 0), repeat=row + 1)


def _settings(sheet: Sheet, simulation: Simulation) -> int:
    """How the draws were made; returns the row of the note below."""
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
            sheet.fit(r, sheet.wrapped(r, 2, str(value), "wrap", last=LAST_COLUMN))
        else:
            sheet.number(r, 2, value, style)  # type: ignore[arg-type]
    row = 5 + len(settings)
    sheet.note(row, 1, LAST_COLUMN, independence_note(simulation))
    return row


def _portfolio(book: Book, sheet: Sheet, simulation: Simulation, row: int) -> int:
    """The distribution of the portfolio NPV and of the NPV toward the target, the chance of
    meeting the target and the standard errors; returns the last row."""
    result = book.pack.result
    target = result.target
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
        book.define("ProbMeetsTarget", sheet.cell(row, 2))
        sheet.note(
            row,
            3,
            LAST_COLUMN,
            f"the share of draws whose NPV toward the target "
            f"({who_counts(result.portfolio)}) reaches {money(target)}",
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
    sheet.note(row, 2, LAST_COLUMN, errors)
    return row


def _measure(book: Book) -> str:
    """What the charts are of."""
    return "NPV toward the target" if book.pack.result.target is not None else "portfolio NPV"


def _curve(book: Book, sheet: Sheet, simulation: Simulation, row: int) -> int:
    """The S-curve: the chance of each value or less, with its data beside the printed area;
    returns the row it starts at."""
    colours = book.style.colours
    target = book.pack.result.target
    what = _measure(book)
    sheet.text(row, 1, f"The chance of each {what} or less", "section")
    chance = (
        f"chance of meeting it {probability(simulation.prob_meets_target)}"
        if simulation.prob_meets_target is not None
        else "no target set"
    )
    sheet.header_row(row, ("S-curve: NPV", "Share at or below", "Target", "Share"), start=DATA)
    values, shares = simulation.curve_values, simulation.curve_shares
    for i, (value, share) in enumerate(zip(values, shares, strict=True)):
        sheet.number(row + 1 + i, DATA, float(value), "money")
        sheet.number(row + 1 + i, DATA + 1, float(share), "percent")
    curve = book.wb.add_chart({"type": "scatter", "subtype": "straight"})
    last = row + len(values)
    curve.add_series(
        {
            "name": "Share of draws at or below",
            "categories": sheet.span(row + 1, DATA, last, DATA).chart(),
            "values": sheet.span(row + 1, DATA + 1, last, DATA + 1).chart(),
            "line": {"color": colours["navy"], "width": 2},
            "marker": {"type": "none"},
        }
    )
    if target is not None:
        for i, share in enumerate((0.0, 1.0)):
            sheet.number(row + 1 + i, DATA + 2, float(target), "money")
            sheet.number(row + 1 + i, DATA + 3, share, "percent")
        curve.add_series(
            {
                "name": "Target",
                "categories": sheet.span(row + 1, DATA + 2, row + 2, DATA + 2).chart(),
                "values": sheet.span(row + 1, DATA + 3, row + 2, DATA + 3).chart(),
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
    low_edge, high_edge = _edges(simulation)
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
    sheet.insert_chart(row + 1, 1, curve)
    return row


def _edges(simulation: Simulation) -> tuple[float, float]:
    edges = simulation.histogram_edges
    return float(edges[0]), float(edges[-1])


def _holding(simulation: Simulation, target: float | None) -> int | None:
    """The histogram bar that holds the target (``None``: none does, or no target)."""
    edges, counts = simulation.histogram_edges, simulation.histogram_counts
    holding = None
    if target is not None:
        for i in range(len(counts)):
            if edges[i] <= target < edges[i + 1] or (i == len(counts) - 1 and target == edges[-1]):
                holding = i
    return holding


def _histogram(book: Book, sheet: Sheet, simulation: Simulation, row: int) -> tuple[int, int]:
    """The histogram, P0.5 to P99.5 (widened to take in the target), its bars' data beside
    the printed area; returns the last bar's row and the chart's row."""
    target = book.pack.result.target
    what = _measure(book)
    sheet.text(row, 1, f"Distribution of the {what}", "section")
    edges, counts = simulation.histogram_edges, simulation.histogram_counts
    outside = simulation.iterations - int(np.sum(counts))
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        f"Bars from the 0.5th to the 99.5th percentile, widened to show the target with room "
        f"either side; the {outside:,} draws beyond them ({outside / simulation.iterations:.1%}) "
        "are not drawn, so that no bar gathers the tails.",
    )
    chart_row = row + 2
    holding = _holding(simulation, target)
    first_bar = chart_row
    sheet.header_row(
        first_bar - 1,
        ("Bar", "From", "To", "Draws", "Draws at the target", "Target marker"),
        start=DATA + 4,
    )
    # The marker stands just above the tallest bar, over the bar the target falls in, so that
    # the target shows even where no draw fell near it.
    marker = float(np.max(counts)) * 1.08 if len(counts) else 0.0
    low_edge, high_edge = _edges(simulation)
    step = nice_step(high_edge - low_edge)
    # Round values label the bars that hold them, so that the axis reads £16m, £17m, ...
    for i, count in enumerate(counts):
        r = first_bar + i
        mark = math.ceil(edges[i] / step) * step
        label = step_label(mark, step) if mark < edges[i + 1] else ""
        sheet.text(r, DATA + 4, label, "centre")
        sheet.number(r, DATA + 5, float(edges[i]), "money")
        sheet.number(r, DATA + 6, float(edges[i + 1]), "money")
        sheet.number(r, DATA + 7, int(count), "count")
        sheet.number(r, DATA + 8, int(count) if i == holding else 0, "count")
        sheet.number(r, DATA + 9, marker if i == holding else None, "count")
    last_bar = first_bar + len(counts) - 1
    _histogram_chart(book, sheet, simulation, first_bar, last_bar, holding)
    if holding is None and target is not None:
        sheet.text(
            chart_row - 1, 3, f"The target of {money(target)} lies outside the bars drawn.", "note"
        )
    return last_bar, chart_row


def _histogram_chart(
    book: Book,
    sheet: Sheet,
    simulation: Simulation,
    first_bar: int,
    last_bar: int,
    holding: int | None,
) -> None:
    colours = book.style.colours
    target = book.pack.result.target
    what = _measure(book)
    counts = simulation.histogram_counts
    categories = sheet.span(first_bar, DATA + 4, last_bar, DATA + 4).chart()
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "Draws",
            "categories": categories,
            "values": sheet.span(first_bar, DATA + 7, last_bar, DATA + 7).chart(),
            "fill": {"color": colours["navy"]},
            "overlap": 100,
            "gap": 10,
        }
    )
    if target is not None:
        chart.add_series(
            {
                "name": "The bar holding the target",
                "categories": categories,
                "values": sheet.span(first_bar, DATA + 8, last_bar, DATA + 8).chart(),
                "fill": {"color": colours["bad"]},
            }
        )
    marked = ""
    if holding is not None:
        chart.combine(_target_marker(book, sheet, categories, first_bar, last_bar))
        marked = (
            f"; red: the bar holding the target of {money(target)}"
            if counts[holding]
            # the bars are widened to show the target, where no draw fell
            else f"; no draw near the target of {money(target)} (red marker)"
        )
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
    sheet.insert_chart(first_bar, 1, chart)


def _target_marker(
    book: Book, sheet: Sheet, categories: object, first_bar: int, last_bar: int
) -> object:
    """A red triangle labelled "Target" over the bar the target falls in: a line series with
    one point (the other cells are empty, so no line is drawn)."""
    red = book.style.colours["bad"]
    marker = book.wb.add_chart({"type": "line"})
    marker.add_series(
        {
            "name": "Target",
            "categories": categories,
            "values": sheet.span(first_bar, DATA + 9, last_bar, DATA + 9).chart(),
            "line": {"none": True},
            "marker": {
                "type": "triangle",
                "size": 9,
                "fill": {"color": red},
                "border": {"color": red},
            },
            "data_labels": {"series_name": True, "position": "above", "font": {"color": red}},
        }
    )
    return marker


def _drivers(book: Book, sheet: Sheet, simulation: Simulation, row: int) -> int:
    """The largest drivers; returns the row of the next section."""
    drivers = simulation.drivers[:DRIVERS_SHOWN]
    sheet.text(row, 1, "Drivers", "section")
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        f"The uncertain values that move the {_measure(book)} most: Spearman's rank correlation "
        "of each value's draws (a risk's realised cost) with it, and its share of the sum of "
        f"squared correlations; measured on the first {simulation.driver_draws:,} draws "
        "(enough to rank them, and quick). A value in a correlation group moves with the rest "
        "of its group, and its correlation counts theirs too (the Group column): it can rank "
        "higher here than its own swing in the tornado, which moves one value at a time. "
        + (
            f"The {len(drivers)} largest of {len(simulation.drivers)}; simulate --format json "
            "lists them all."
            if len(simulation.drivers) > len(drivers)
            else ""
        ),
    )
    sheet.header_row(
        row + 2, ["Project: line", "Input", "Rank correlation", "Share", "Correlation group", ""]
    )
    for i, driver in enumerate(drivers, start=1):
        r = row + 2 + i
        lines = [
            sheet.wrapped(r, 1, f"{i}. {driver.project}: {driver.line}", "wrap"),
            sheet.wrapped(r, 2, field_label(driver.field), "wrap"),
            # a group's name is one word that may be long: two columns give it room
            sheet.wrapped(r, 5, driver.group or "none (drawn alone)", "wrap", last=6),
        ]
        sheet.fit(r, max(lines), most=4)
        sheet.number(r, 3, driver.rank_correlation, "ratio")
        sheet.number(r, 4, driver.contribution, "percent")
    return row + 3 + max(len(drivers), 1) + 1


def _projects(book: Book, sheet: Sheet, simulation: Simulation, row: int) -> int:
    """Each project's distribution: the sheet's last table, its header repeated on the pages
    after its first; returns its last row."""
    result = book.pack.result
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
        # never 0% or 100%: a count of draws cannot show a certainty (SPEC)
        if ALMOST_NEVER <= s.prob_negative <= ALMOST_CERTAIN:
            sheet.number(r, 10, s.prob_negative, "probability")
        else:
            sheet.text(r, 10, probability(s.prob_negative), "text right")
    return header + len(result.projects)


def _figures(stats: Stats) -> tuple[float, ...]:
    return (
        stats.mean,
        stats.std,
        stats.p(5.0),
        stats.p(10.0),
        stats.p(50.0),
        stats.p(90.0),
        stats.p(95.0),
    )
