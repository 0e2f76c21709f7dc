"""The ``Summary`` sheet: the portfolio against its target, the projects, a chart of each
project's NPV with the portfolio's progress toward the target, and who pays and who benefits.

Its figures are live: the projects table links each project sheet's results (through the cells
each project sheet hands back, :class:`~.project.ProjectAnchors`), and the figures about the
target are sums of that table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ... import __version__
from ...model import Portfolio, financial_year
from ...results.appraisal import PortfolioResult, ProjectResult
from ..table import settings_line, who_counts
from .anchors import Cell, Span, at, fixed
from .cells import PIXELS_PER_CM, Book, Sheet
from .formulas import NOT_AVAILABLE, name_id, year_label
from .project import NO_RATIO, ProjectAnchors, payback_text
from .text import wrapped_lines

#: Column widths of the Summary; the last column (the target line's data) is not printed.
SUMMARY_WIDTHS = (9, 38, 12, 16, 8, 13, 13, 13, 7, 12, 13, 22, 14, 13)
#: The projects table's columns.
COLUMNS = {
    "id": 1,
    "name": 2,
    "status": 3,
    "years": 4,
    "start": 5,
    "pv_costs": 6,
    "pv_benefits": 7,
    "npv": 8,
    "bcr": 9,
    "payback": 10,
    "cashable_npv": 11,
    "counts": 12,
    "cumulative": 13,
    "target": 14,
}
#: "Who pays and who benefits", beside the chart: its first column (J).
AGENCIES = 10
#: The first column of the links behind "Who pays and who benefits" (P), beside the printed area.
AGENCY_LINKS = 16
#: With more projects than this the Summary puts its projects table last, on its own pages.
COMPACT_PROJECTS = 20
#: Rows a chart of 10 cm takes.
CHART_ROWS = 22


class _Table:
    """Where the projects table is: its header row and its first and last project rows."""

    def __init__(self, sheet: Sheet, header: int, count: int):
        self.sheet, self.header = sheet, header
        self.first, self.last = header + 1, header + count

    def column(self, key: str) -> Span:
        """A column of the table, its projects' rows."""
        return self.sheet.span(self.first, COLUMNS[key], self.last, COLUMNS[key])


def summary_sheet(book: Book, sheet: Sheet, projects: Mapping[str, ProjectAnchors]) -> None:
    """The Summary: the figures about the target, the projects, a chart, and who pays and who
    benefits. With up to :data:`COMPACT_PROJECTS` projects the projects table comes second, so
    that the first page holds the figures, the projects and the chart; with more it comes last,
    on its own pages, its header repeated on each."""
    result = book.pack.result
    sheet.title_band(
        result.portfolio.name,
        f"{result.scenario.capitalize()} scenario. {settings_line(result)}. "
        f"Written by npv-calc {__version__} on {book.created:%d %B %Y}.",
    )
    sheet.widths_from(SUMMARY_WIDTHS)
    last_column = len(SUMMARY_WIDTHS) - 1  # the last, the target line's data, is not printed
    count = len(result.projects)
    agencies = summary_agencies(result, projects)
    kpis = _kpi_rows(book)
    kpi_end = 4 + len(kpis)
    compact = count <= COMPACT_PROJECTS
    # The chart, with "who pays and who benefits" beside it (title, header, a row each,
    # total), after the projects table, or before it when the table is long.
    beside = max(CHART_ROWS, len(agencies) + 5)
    if compact:
        table = _Table(sheet, kpi_end + 3, count)
        chart_row = table.last + 3
        end = chart_row + beside - 1
    else:
        chart_row = kpi_end + 2
        table = _Table(sheet, chart_row + beside + 2, count)
        sheet.page_break(table.header - 1)  # the long table starts its own page
        end = table.last + 1
    _kpis(book, sheet, kpis, table, last_column)
    _projects_table(sheet, result, table, projects)
    _chart(book, sheet, table, chart_row)
    _agencies(sheet, result, chart_row, agencies, table, projects)
    sheet.finish(last_column, end, freeze=(2, 0), repeat=None if compact else table.header)


def summary_agencies(result: PortfolioResult, projects: Mapping[str, ProjectAnchors]) -> list[str]:
    """The agencies of the portfolio in the Summary's order: declared ones first, then the
    others as the projects' "Present value by agency" tables name them."""
    declared = result.portfolio.agencies or ()
    used = list(dict.fromkeys(a for p in result.projects for a in projects[p.id].agencies))
    return [a for a in declared if a in used] + [a for a in used if a not in declared]


def _kpi_rows(book: Book) -> list[tuple[str, str, str]]:
    """The figures about the target: key, label and the note beside it."""
    result = book.pack.result
    portfolio = result.portfolio
    simulation = book.pack.simulation
    rows = [
        (
            "portfolio",
            "Portfolio NPV (all projects)",
            "The sum of the projects' NPVs, each discounted to its own start year (its year 0).",
        )
    ]
    if (year := result.present_value_year) is not None:
        rows.append(
            (
                "pv_year",
                f"Portfolio NPV valued at {financial_year(year)}",
                "Every project valued at one date, the present-value year (Assumptions), as a "
                "Green Book economic case reports it (Economic case sheet); the target is "
                "tested against NPVs at the projects' own start years, as the programme "
                "reports them.",
            )
        )
    rows.append(
        (
            "toward",
            "NPV toward target",
            f"What the target is tested against: the NPV of {who_counts(portfolio)}.",
        )
    )
    if portfolio.as_of is not None:
        rows.append(
            (
                "plan",
                "NPV toward target, plan",
                "As approved, with no outturn; the figures above and below are the latest "
                f"estimate, with the outturn to {financial_year(portfolio.as_of)} (Realisation "
                "sheet).",
            )
        )
    rows += [
        ("target", "Target", "From portfolio.toml."),
        ("year", "Target year", "Projects starting by this financial year count (2027 = 2027/28)."),
        ("headroom", "Headroom (negative: shortfall)", "NPV toward target minus the target."),
        ("status", "Status", ""),
    ]
    if simulation is not None and simulation.prob_meets_target is not None:
        rows.append(
            (
                "chance",
                "Probability of meeting the target",
                f"Share of {simulation.iterations:,} Monte Carlo draws whose NPV toward the "
                "target reaches it (computed when the workbook was written; see the Monte "
                "Carlo sheet).",
            )
        )
    rows += [
        (
            "fall",
            "Benefits could fall by",
            "How far the benefits of the projects counting toward the target could all fall "
            "before it is missed (headroom / their PV of benefits); when it is missed, how far "
            "they would need to rise to meet it.",
        ),
        (
            "cashable",
            "Cashable NPV (all projects)",
            "Cashable benefits (savings a budget can take) minus all costs: what the partners' "
            "budgets see.",
        ),
    ]
    return rows


def _kpi_figures(book: Book, table: _Table) -> dict[str, tuple[Any, Any, str, str | None]]:
    """Each figure about the target: formula (``None``: an input), value, style and the
    defined name it gets."""
    pack = book.pack
    result = pack.result
    target = result.target
    status = (
        "NO TARGET SET"
        if target is None
        else ("MEETS TARGET" if result.meets_target else "MISSES TARGET")
    )
    fall = pack.benefits_fall_to_miss_target
    npv, counts = table.column("npv").fixed, table.column("counts").fixed
    benefits, cashable = table.column("pv_benefits").fixed, table.column("cashable_npv").fixed
    simulation = pack.simulation
    return {
        "portfolio": (f"=SUM({npv})", result.npv, "money key", "PortfolioNPV"),
        "toward": (
            f'=SUMIFS({npv},{counts},"Yes")',
            result.npv_toward_target,
            "money key",
            "NPVTowardTarget",
        ),
        "pv_year": ("=PortfolioNPVAtPVYear", result.npv_at_present_value_year, "money", None),
        "target": (None, target, "input money", "Target"),
        "plan": (None, result.npv_toward_target_plan, "money", None),
        "year": (None, result.portfolio.target_year, "input year", "TargetYear"),
        "headroom": (
            '=IF(Target="","",NPVTowardTarget-Target)',
            "" if result.headroom is None else result.headroom,
            "money key",
            "Headroom",
        ),
        "status": (
            '=IF(Target="","NO TARGET SET",IF(Headroom>=0,"MEETS TARGET","MISSES TARGET"))',
            status,
            {"MEETS TARGET": "status good", "MISSES TARGET": "status bad"}.get(status, "status"),
            None,
        ),
        "chance": (
            "=ProbMeetsTarget",
            None if simulation is None else simulation.prob_meets_target,
            "probability key",
            None,
        ),
        "fall": (
            f'=IF(Target="","–",IFERROR(Headroom/SUMIFS({benefits},{counts},"Yes"),"–"))',
            "–" if fall is None else fall,
            "percent key",
            "BenefitsFallToMissTarget",
        ),
        "cashable": (f"=SUM({cashable})", result.cashable_npv, "money key", "CashableNPV"),
    }


def _kpis(
    book: Book, sheet: Sheet, kpis: list[tuple[str, str, str]], table: _Table, last_column: int
) -> None:
    """The figures about the target: label (B), value (C:D merged) and note (E onward)."""
    figures = _kpi_figures(book, table)
    fall = book.pack.benefits_fall_to_miss_target
    sheet.text(4, 1, "Portfolio against target", "section")
    for i, (key, label, note) in enumerate(kpis, start=5):
        sheet.merge(i, 1, 2, "label")
        if key == "fall":
            # The label says which way: a negative share means the target is missed.
            sheet.formula(
                i,
                1,
                '=IF(N(BenefitsFallToMissTarget)<0,"Benefits would need to rise by",'
                '"Benefits could fall by")',
                "Benefits would need to rise by" if fall is not None and fall < 0 else label,
                "label",
            )
        elif key == "pv_year":
            # the label follows an edited present-value year
            sheet.formula(
                i, 1, year_label("Portfolio NPV valued at ", "PresentValueYear"), label, "label"
            )
        else:
            sheet.text(i, 1, label, "label")
        if note:
            sheet.fit(i, sheet.wrapped(i, 5, note, "wrap note", last=last_column))
        formula, value, style, name = figures[key]
        sheet.merge(i, 3, 4, style)
        if formula is None:
            sheet.number(i, 3, value, style)
        else:
            sheet.formula(i, 3, formula, value, style)
        if name:
            book.define(name, sheet.cell(i, 3))
        if key == "status":
            book.status_colours(fixed(i, 3), sheet.span(i, 3, i, 4))


def counts_text(project: ProjectResult, portfolio: Portfolio) -> str:
    """What the Summary's "Counts toward target" formula gives: ``Yes``, or every reason not."""
    year, statuses = portfolio.target_year, portfolio.count_statuses
    reasons = []
    if year is not None and project.project.start_year > year:
        reasons.append(f"starts after {financial_year(year)}")
    if statuses is not None and project.project.status not in statuses:
        reasons.append(f"status {project.project.status}")
    return "No: " + "; ".join(reasons) if reasons else "Yes"


def _projects_table(
    sheet: Sheet,
    result: PortfolioResult,
    table: _Table,
    projects: Mapping[str, ProjectAnchors],
) -> None:
    sheet.text(table.header - 1, 1, "Projects", "section")
    sheet.header_row(
        table.header,
        [
            "ID",
            "Project",
            "Status",
            "Years",
            "Start year",
            "PV of costs",
            "PV of benefits",
            "NPV",
            "BCR",
            "Payback",
            "Cashable NPV",
            "Counts toward target",
            "Cumulative NPV toward target",
            "Target (for the chart)",
        ],
    )
    cumulative = 0.0
    for r, project in zip(range(table.first, table.last + 1), result.projects, strict=True):
        if project.counts_toward_target:
            cumulative += project.npv
        _project_row(sheet, result, table, r, project, projects[project.id], cumulative)
    total = table.last + 1
    sheet.text(total, 2, "Portfolio", "label")
    for key, value in (
        ("pv_costs", result.pv_costs),
        ("pv_benefits", result.pv_benefits),
        ("npv", result.npv),
        ("cashable_npv", result.cashable_npv),
    ):
        column = table.column(key)
        sheet.formula(total, COLUMNS[key], f"=SUM({column.local})", value, "money total")


def _project_row(
    sheet: Sheet,
    result: PortfolioResult,
    table: _Table,
    r: int,
    project: ProjectResult,
    anchors: ProjectAnchors,
    cumulative: float,
) -> None:
    """A project's row of the table: its figures linked to its sheet."""
    nid = name_id(project.id)
    c = COLUMNS
    sheet.text(r, c["id"], project.id, "text")
    name_lines = sheet.wrapped(r, c["name"], project.project.name, "wrap")
    sheet.fit(r, name_lines)
    sheet.text(r, c["status"], project.project.status, "text")
    sheet.text(r, c["years"], project.span, "centre")
    sheet.number(r, c["start"], project.project.start_year, "year")
    sheet.formula(r, c["pv_costs"], f"=PVCosts_{nid}", project.pv_costs, "money")
    sheet.formula(r, c["pv_benefits"], f"=PVBenefits_{nid}", project.pv_benefits, "money")
    sheet.formula(r, c["npv"], f"=NPV_{nid}", project.npv, "money")
    links = anchors.results
    bcr = NO_RATIO if project.bcr is None else project.bcr
    sheet.formula(r, c["bcr"], f"={links['bcr'].on}", bcr, "ratio")
    sheet.formula(r, c["payback"], f"={links['payback'].on}", payback_text(project), "ratio")
    cashable = f"={links['cashable_npv'].on}"
    sheet.formula(r, c["cashable_npv"], cashable, project.cashable_npv, "money")
    # Every reason a project does not count: its start year, its status, or both.
    counts = counts_text(project, result.portfolio)
    sheet.fit(r, max(name_lines, wrapped_lines(counts, SUMMARY_WIDTHS[c["counts"] - 1])))
    late = f'AND(TargetYear<>"",{at(r, c["start"])}>TargetYear)'
    status = f'COUNTIFS(StatusName,{at(r, c["status"])},StatusCounts,"Yes")=0'
    sheet.formula(
        r,
        c["counts"],
        f'=IF(OR({late},{status}),"No: "&IF({late},"starts after "&TargetYear&"/"'
        f'&TEXT(MOD(TargetYear+1,100),"00"),"")&IF(AND({late},{status}),"; ","")'
        f'&IF({status},"status "&{at(r, c["status"])},""),"Yes")',
        counts,
        "centre wrap",
    )
    npvs = f"{fixed(table.first, c['npv'])}:{at(r, c['npv'])}"
    counted = f"{fixed(table.first, c['counts'])}:{at(r, c['counts'])}"
    sheet.formula(r, c["cumulative"], f'=SUMIFS({npvs},{counted},"Yes")', cumulative, "money")
    target = result.target
    sheet.formula(
        r,
        c["target"],
        '=IF(Target="",NA(),Target)',
        NOT_AVAILABLE if target is None else target,
        "money",
    )


def _chart(book: Book, sheet: Sheet, table: _Table, row: int) -> None:
    """Each project's NPV (grey where it does not count) and the cumulative NPV toward the
    target, against the target."""
    result = book.pack.result
    many = len(result.projects) > COMPACT_PROJECTS
    colours = book.style.colours
    categories = table.column("id").chart()
    # Projects that do not count toward the target in grey.
    points = [
        None if p.counts_toward_target else {"fill": {"color": "#BFBFBF"}} for p in result.projects
    ]
    bars = book.wb.add_chart({"type": "column"})
    bars.add_series(
        {
            "name": "NPV (grey: does not count toward the target)",
            "categories": categories,
            "values": table.column("npv").chart(),
            "fill": {"color": colours["navy"]},
            "points": points,
            "gap": 80,
        }
    )
    lines = book.wb.add_chart({"type": "line"})
    name = Cell(table.header, COLUMNS["cumulative"], sheet.title)
    lines.add_series(
        {
            "name": Span(name, name).chart()[:3],
            "categories": categories,
            "values": table.column("cumulative").chart(),
            "line": {"color": colours["line"], "width": 2.25},
            "marker": (
                {"type": "circle", "size": 5, "fill": {"color": colours["line"]}}
                if not many
                else {"type": "none"}
            ),
        }
    )
    if result.target is not None:
        lines.add_series(
            {
                "name": "Target",
                "categories": categories,
                "values": table.column("target").chart(),
                "line": {"color": colours["bad"], "width": 1.5, "dash_type": "dash"},
                "marker": {"type": "none"},
            }
        )
    bars.combine(lines)
    bars.set_title(
        {
            "name": "NPV by project, and the portfolio's progress toward its target",
            "name_font": {"size": 11, "bold": True},
        }
    )
    # Labels at the bottom of the plot, clear of bars below zero (a pessimistic case).
    bars.set_x_axis(
        {
            "label_position": "low",
            # every project labelled, turned on its side when there are many
            "num_font": {"size": 7, "rotation": -90} if many else {"size": 9},
            "interval_unit": 1,
        }
    )
    bars.set_y_axis(
        {
            "num_format": '"£"#,##0.0,,"m"',
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    bars.set_legend({"position": "bottom"})
    bars.set_size({"width": 24 * PIXELS_PER_CM, "height": 10 * PIXELS_PER_CM})
    sheet.insert_chart(row, 1, bars)


def _agencies(
    sheet: Sheet,
    result: PortfolioResult,
    row: int,
    agencies: list[str],
    table: _Table,
    projects: Mapping[str, ProjectAnchors],
) -> None:
    """Who pays and who benefits across the portfolio: live sums of columns beside the
    projects table (from P, not printed), which link each project's present value by agency
    on its sheet."""
    for k, agency in enumerate(agencies):
        for j, kind in enumerate(("costs", "benefits")):
            column = AGENCY_LINKS + 2 * k + j
            sheet.width(column, 14)
            sheet.text(table.header, column, f"{agency}: {kind} (PV)", "header")
            for r, project in zip(range(table.first, table.last + 1), result.projects, strict=True):
                cells = projects[project.id].agencies.get(agency)
                by = (
                    project.pv_costs_by_agency if kind == "costs" else project.pv_benefits_by_agency
                )
                if cells is None:
                    sheet.number(r, column, 0.0, "money")
                else:
                    sheet.formula(r, column, f"={cells[j].on}", by.get(agency, 0.0), "money")
    # Beside the chart, in columns J to M.
    left = AGENCIES
    sheet.text(row, left, "Who pays and who benefits (PV, all projects)", "section")
    sheet.header_row(
        row + 1,
        ["Agency", "Costs it pays", "Benefits it receives", "Net (benefits - costs)"],
        left,
    )
    top = row + 2
    for k, agency in enumerate(agencies):
        i = top + k
        sheet.fit(i, sheet.wrapped(i, left, agency, "wrap"), most=3)
        costs = sum(p.pv_costs_by_agency.get(agency, 0.0) for p in result.projects)
        benefits = sum(p.pv_benefits_by_agency.get(agency, 0.0) for p in result.projects)
        for offset, value in ((1, costs), (2, benefits)):
            links = sheet.span(
                table.first,
                AGENCY_LINKS + 2 * k + offset - 1,
                table.last,
                AGENCY_LINKS + 2 * k + offset - 1,
            )
            sheet.formula(i, left + offset, f"=SUM({links.local})", value, "money")
        net = f"={at(i, left + 2)}-{at(i, left + 1)}"
        sheet.formula(i, left + 3, net, benefits - costs, "money")
    total = top + len(agencies)
    sheet.text(total, left, "All agencies", "label")
    for offset, value in (
        (1, result.pv_costs),
        (2, result.pv_benefits),
        (3, result.pv_benefits - result.pv_costs),
    ):
        above = sheet.span(top, left + offset, total - 1, left + offset)
        sheet.formula(total, left + offset, f"=SUM({above.local})", value, "money total")
    sheet.note(
        total + 1,
        left,
        left + 3,
        "Each project's split is on its sheet, under Present value by agency.",
    )
