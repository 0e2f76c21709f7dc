"""The ``Realisation`` sheet (when ``[portfolio] as_of`` is set): delivery against the plan.

From the top: the delivery status of each project (cost, benefits and schedule in words, with
the shares they rest on, against the base plan: before optimism bias, risks left out); a chart
of the base plan against the outturn by financial year to ``as_of``, and its table; the benefits
register (each benefit line's owner and measure, its base plan and outturn to date); the NPV,
plan and latest; each project's years to ``as_of``.

The plan's figures are values: what was approved does not change when an input does. The
outturn links to the adjusted rows of the project sheets (live), and every share and status
is a formula on it, so an edited outturn cell changes the status. No table or chart draws the
target: it is about NPV secured, not cash realised by a year (SPEC, "No figure contradicts
another").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ...model import financial_year
from ...results.realisation import LineToDate, Progress, ProjectProgress, Rating
from .anchors import Cell, at, fixed
from .cells import PIXELS_PER_CM, Book, Sheet
from .project import NO_RATIO, ProjectAnchors
from .realisation_tables import LAST_COLUMN, Limits, line_cells, npv_table, project_years, register
from .text import text_width

#: Rows a chart takes: its 8 cm (227 points) and a row clear below it.
CHART_ROWS = 19
#: The widths of the columns after the names (an ID's and a project's or line's name are as
#: wide as the names need, within limits: see :func:`_name_widths`).
WIDTHS = (12, 12, 12, 12, 12, 10, 12, 12, 12, 12, 10, 10)
#: The delivery status table's columns.
COST, OVER, BENEFITS, SHORT, SCHEDULE, LATE = 3, 4, 5, 6, 7, 8
BASE_COSTS, OUTTURN_COSTS, BASE_BENEFITS, OUTTURN_BENEFITS, PLANNED, RECORDED = range(9, 15)
#: The years table's columns: base plan and outturn, costs then benefits.
YEAR_COLUMNS = (3, 4, 5, 6)


@dataclass(frozen=True)
class DeliveryCells:
    """The delivery statuses the Realisation sheet holds (live words), for the Summary."""

    #: a rated project's cost, benefits and schedule status, by id
    projects: Mapping[str, tuple[Cell, Cell, Cell]]
    #: the portfolio's cost and benefits status (``None``: no project is rated)
    portfolio: tuple[Cell, Cell] | None


def realisation_sheet(
    book: Book, sheet: Sheet, projects: Mapping[str, ProjectAnchors]
) -> DeliveryCells:
    """The Realisation sheet, from the pack's outturn against the plan; returns where its
    delivery statuses are."""
    progress = book.pack.progress
    assert progress is not None
    to = financial_year(progress.as_of)
    sheet.title_band(
        "Realisation",
        f"Delivery to {to} against the plan as approved: its status in words (cost, benefits, "
        "schedule), the base plan against the outturn, the benefits register. Plan figures are "
        "values (what was approved); the outturn links to the project sheets (live).",
    )
    sheet.widths_from((*_name_widths(progress), *WIDTHS))
    limits = _tolerances(sheet, book, 5)
    header = 8
    end = _delivery_table(sheet, book, progress, projects, limits, header)
    chart_row = end + 2
    sheet.keep_with_next(chart_row, CHART_ROWS, LAST_COLUMN)  # the chart is not split
    years_title = chart_row + CHART_ROWS
    top, years = _years_frame(sheet, progress, years_title)
    _chart(sheet, book, progress, top, top + len(years) - 1, chart_row)
    row = register(sheet, book, progress, projects, limits, top + len(years) + 1)
    row = npv_table(sheet, book, progress, projects, row + 1)
    rows = project_years(sheet, book, progress, projects, row + 1)
    _years_fill(sheet, progress, years, top, rows)
    rated = {
        p.id: (sheet.cell(r, COST), sheet.cell(r, BENEFITS), sheet.cell(r, SCHEDULE))
        for r, p in enumerate(progress.projects, start=header + 1)
        if p.rag is not None
    }
    portfolio = None
    if progress.cost is not None:
        portfolio = (sheet.cell(end, COST), sheet.cell(end, BENEFITS))
    return DeliveryCells(rated, portfolio)


def _name_widths(progress: Progress) -> tuple[float, float]:
    """The widths of the ID column and of the names' (projects' and benefit lines'): as wide
    as the longest needs, so that a name wraps only when it must. A row made tall for a name
    a spreadsheet fits on one line reads as a blank row inside the table."""
    ids = [p.id for p in progress.projects]
    names = [p.name for p in progress.projects] + [
        x.line.name for p in progress.projects for x in p.lines if x.line.section == "benefits"
    ]
    id_width = max((text_width(i) + 2 for i in ids), default=0.0)
    name_width = max((text_width(n) + 3 for n in names), default=0.0)
    return min(max(id_width, 7.0), 12.0), min(max(name_width, 24.0), 38.0)


def _tolerances(sheet: Sheet, book: Book, row: int) -> Limits:
    """The note on how the statuses are set, and the tolerances they use (values from
    ``[realisation]``)."""
    tolerances = book.pack.result.portfolio.realisation
    sheet.text(row - 1, 1, "Delivery status", "section")
    sheet.note(
        row,
        1,
        LAST_COLUMN,
        "Against the base plan: the plan at central values before optimism bias (a cost's "
        "uplift, a benefit's grade or reduction), risks left out; optimism bias is an "
        "appraisal allowance, not a budget. Only the line-years that record outturn, against "
        "the same line-years of the plan. Costs over or benefits short of plan by more than "
        "the Amber share are Amber, by more than the Red share Red; better than plan is Green. "
        "Schedule: the first benefit recorded in the year planned is Green, a year late Amber, "
        "later Red; Green before any is due.",
    )
    for r, label, value in (
        (row + 1, "Amber beyond (share of base plan)", tolerances.amber),
        (row + 2, "Red beyond (share of base plan)", tolerances.red),
    ):
        sheet.text(r, 2, label, "label right")
        sheet.number(r, COST, value, "input percent")  # a board may try its own
    return Limits(fixed(row + 1, COST), fixed(row + 2, COST))


def _delivery_table(
    sheet: Sheet,
    book: Book,
    progress: Progress,
    projects: Mapping[str, ProjectAnchors],
    limits: Limits,
    header: int,
) -> int:
    """A row per project, the statuses first, then what they rest on; a portfolio total for
    cost and benefits. Returns the total's row."""
    to = financial_year(progress.as_of)
    sheet.header_row(
        header,
        [
            "ID",
            "Project",
            "Cost",
            "Over budget",
            "Benefits",
            "Short of plan",
            "Schedule",
            "Years late",
            f"Base costs to {to}",
            f"Outturn costs to {to}",
            f"Base benefits to {to}",
            f"Outturn benefits to {to}",
            "First benefit planned",
            "First benefit recorded",
        ],
    )
    first = header + 1
    for r, (p, result) in enumerate(
        zip(progress.projects, book.pack.result.projects, strict=True), start=first
    ):
        sheet.text(r, 1, p.id, "text")
        lines = sheet.wrapped(r, 2, result.project.name, "wrap")
        if p.rag is None:
            why = (
                f"Not started: it starts in {financial_year(result.project.start_year)}"
                if not p.years
                else f"No outturn recorded to {to}: the plan stands in for its years"
            )
            lines = max(lines, sheet.wrapped(r, COST, why, "wrap", last=LAST_COLUMN))
        else:
            _status_row(sheet, r, p, projects[p.id], limits)
        sheet.fit(r, lines)
    last = first + len(progress.projects) - 1
    _total_row(sheet, progress, limits, first, last)
    book.rag_colours(sheet.span(first, COST, last + 1, SCHEDULE))
    return last + 1


def _status_row(
    sheet: Sheet, r: int, p: ProjectProgress, anchors: ProjectAnchors, limits: Limits
) -> None:
    """A project's statuses (formulas on its shares), its base plan (values) and outturn to
    date (links to the lines that record it)."""
    rag = p.rag
    assert rag is not None
    sheet.number(r, BASE_COSTS, rag.base_costs, "money")
    sheet.formula(
        r, OUTTURN_COSTS, _recorded(anchors, p.lines, "costs"), rag.outturn_costs, "money"
    )
    sheet.number(r, BASE_BENEFITS, rag.base_benefits, "money")
    sheet.formula(
        r,
        OUTTURN_BENEFITS,
        _recorded(anchors, p.lines, "benefits"),
        rag.outturn_benefits,
        "money",
    )
    _rated(sheet, r, (COST, OVER), (BASE_COSTS, OUTTURN_COSTS), rag.cost, limits, "")
    _rated(sheet, r, (BENEFITS, SHORT), (BASE_BENEFITS, OUTTURN_BENEFITS), rag.benefits, limits, "")
    sheet.number(r, LATE, rag.schedule.share, "count")
    sheet.formula(
        r,
        SCHEDULE,
        f'=IF({at(r, LATE)}>=2,"Red",IF({at(r, LATE)}>=1,"Amber","Green"))',
        rag.schedule.word,
        f"rag {rag.schedule.status}",
    )
    for column, year in ((PLANNED, rag.first_planned), (RECORDED, rag.first_recorded)):
        sheet.text(r, column, "none" if year is None else financial_year(year), "centre")


def _rated(
    sheet: Sheet,
    r: int,
    columns: tuple[int, int],
    figures: tuple[int, int],
    rating: Rating,
    limits: Limits,
    total: str,
) -> None:
    """A status and its share: ``(outturn - base) / base`` for costs, ``(base - outturn) /
    base`` for benefits (``figures`` are the base's and the outturn's columns), each a
    formula. ``total`` is `` total`` on the portfolio's row."""
    status, share = columns
    base, outturn = at(r, figures[0]), at(r, figures[1])
    shortfall = f"{outturn}-{base}" if status == COST else f"{base}-{outturn}"
    sheet.formula(
        r,
        share,
        f'=IF({base}=0,IF({outturn}=0,0,"{NO_RATIO}"),({shortfall})/{base})',
        NO_RATIO if rating.share is None else rating.share,
        f"share{total}",
    )
    sheet.formula(
        r,
        status,
        limits.status(at(r, share), f"({shortfall})"),
        rating.word,
        f"rag {rating.status}",
    )


def _total_row(sheet: Sheet, progress: Progress, limits: Limits, first: int, last: int) -> None:
    """The portfolio: the projects with outturn added up, and their cost and benefits
    status."""
    total = last + 1
    sheet.text(total, 2, "Portfolio", "label")
    for column, figure in (
        (BASE_COSTS, "base_costs"),
        (OUTTURN_COSTS, "outturn_costs"),
        (BASE_BENEFITS, "base_benefits"),
        (OUTTURN_BENEFITS, "outturn_benefits"),
    ):
        cells = sheet.span(first, column, last, column).local
        sheet.formula(total, column, f"=SUM({cells})", progress.total(figure), "money total")
    if progress.cost is None or progress.benefits is None:
        return
    figures = (BASE_COSTS, OUTTURN_COSTS)
    _rated(sheet, total, (COST, OVER), figures, progress.cost, limits, " total")
    figures = (BASE_BENEFITS, OUTTURN_BENEFITS)
    _rated(sheet, total, (BENEFITS, SHORT), figures, progress.benefits, limits, " total")


def _recorded(anchors: ProjectAnchors, lines: Sequence[LineToDate], section: str) -> str:
    """A formula adding up the adjusted cells of the project sheet's ``section`` lines in the
    years they record outturn (a run of years as one range)."""
    parts = [
        f"SUM({line_cells(anchors, i, x.recorded)})"
        for i, x in enumerate(lines)
        if x.line.section == section and x.recorded
    ]
    return "=" + "+".join(parts) if parts else "=0"


def _years_frame(sheet: Sheet, progress: Progress, row: int) -> tuple[int, list[int]]:
    """The portfolio's years to ``as_of``: title, note, header and year labels (the figures
    are filled in by :func:`_years_fill` once the rows they add up are placed). Returns the
    first year's row and the years."""
    to = financial_year(progress.as_of)
    years = sorted({y.year for p in progress.projects for y in p.years})
    sheet.keep_with_next(row, min(len(years), 10) + 3, LAST_COLUMN)
    sheet.text(row, 1, f"Base plan and outturn by financial year, to {to}", "section")
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        "Every project's lines that record outturn in the year: their base plan (values) and "
        "their outturn (the sums of the rows of the last table, which link to the project "
        "sheets). Undiscounted, in pounds at the price base year. The chart above draws them.",
    )
    header = row + 2
    sheet.header_row(
        header, ["Year", "", "Base costs", "Outturn costs", "Base benefits", "Outturn benefits"]
    )
    for i, year in enumerate(years):
        sheet.text(header + 1 + i, 1, financial_year(year), "text")
    return header + 1, years


def _years_fill(
    sheet: Sheet,
    progress: Progress,
    years: list[int],
    top: int,
    rows: Mapping[int, list[int]],
) -> None:
    """Each year's base plan and outturn: the projects' rows of that year in the last table
    (``rows``: by year, the rows; its columns are the years table's, one to the right)."""
    for i, year in enumerate(years):
        r = top + i
        of_year = [y for p in progress.projects for y in p.years if y.year == year]
        values = (
            sum((y.base_costs for y in of_year), 0.0),
            sum((y.recorded_costs for y in of_year), 0.0),
            sum((y.base_benefits for y in of_year), 0.0),
            sum((y.recorded_benefits for y in of_year), 0.0),
        )
        for column, value in zip(YEAR_COLUMNS, values, strict=True):
            cells = "+".join(at(source, column + 1) for source in rows[year])
            sheet.formula(r, column, f"={cells}", value, "money")


def _chart(sheet: Sheet, book: Book, progress: Progress, top: int, end: int, row: int) -> None:
    """Bars of the base plan and the outturn by year to ``as_of`` (rows ``top..end`` of the
    years table): costs in greys, benefits in blues, the plan pale. No target: it is about NPV
    secured, not cash realised by a year."""
    colours = book.style.colours
    chart = book.wb.add_chart({"type": "column"})
    for column, name, colour in zip(
        YEAR_COLUMNS,
        ("Base costs", "Outturn costs", "Base benefits", "Outturn benefits"),
        (colours["base_costs"], colours["grey"], colours["base_benefits"], colours["line"]),
        strict=True,
    ):
        chart.add_series(
            {
                "name": name,
                "categories": sheet.span(top, 1, end, 1).chart(),
                "values": sheet.span(top, column, end, column).chart(),
                "fill": {"color": colour},
                "border": {"none": True},
                "gap": 60,
            }
        )
    to = financial_year(progress.as_of)
    chart.set_title(
        {
            "name": f"Base plan and outturn by year, to {to} (lines that record outturn)",
            "name_font": {"size": 11, "bold": True},
        }
    )
    chart.set_x_axis({"num_font": {"size": 8}})
    chart.set_y_axis(
        {
            "num_format": '"£"#,##0.0,,"m"',
            "min": 0,
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 26 * PIXELS_PER_CM, "height": 8 * PIXELS_PER_CM})
    sheet.insert_chart(row, 1, chart)
