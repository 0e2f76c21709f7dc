"""The ``Projects`` sheet: every project's figures in one table, by start year, with the NPV toward
the target adding up as projects start, and who pays and who benefits across the portfolio.

Its figures are live links to the project sheets (through the cells each hands back,
:class:`~.project.ProjectAnchors`); the Summary's figures about the target are sums of this
table, and its chart draws this table's columns (:class:`ProjectsAnchors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...model import Portfolio, financial_year
from ...results.appraisal import PortfolioResult, ProjectResult
from .anchors import Span, at, fixed
from .cells import Book, Sheet
from .formulas import NOT_AVAILABLE, name_id
from .project import NO_RATIO, ProjectAnchors, payback_text
from .text import wrapped_lines

#: Each column: key, header and width; the last (the chart's target line) is not printed.
COLUMNS = (
    ("id", "ID", 9),
    ("name", "Project", 36),
    ("status", "Status", 11),
    ("years", "Years", 16),
    ("start", "Start year", 8),
    ("pv_costs", "PV of costs", 13),
    ("pv_benefits", "PV of benefits", 13),
    ("to_come", "PV of benefits still to come", 13),
    ("npv", "NPV", 13),
    ("bcr", "BCR", 7),
    ("payback", "Payback", 10),
    ("cashable_npv", "Cashable NPV", 13),
    ("counts", "Counts toward target", 20),
    ("cumulative", "NPV toward target, cumulative by start year", 15),
    ("target", "Target (for the chart)", 13),
)
AT = {key: i for i, (key, _, _) in enumerate(COLUMNS, start=1)}
LAST_PRINTED = len(COLUMNS) - 1
#: The first column of the links behind "Who pays and who benefits", beside the printed area.
AGENCY_LINKS = len(COLUMNS) + 2
HEADER = 5


@dataclass(frozen=True)
class ProjectsAnchors:
    """The Projects table's header cell row and a column of its project rows by key."""

    sheet: str
    header: int
    first: int
    last: int

    def column(self, key: str) -> Span:
        return Span.column(self.sheet, AT[key], self.first, self.last)

    def header_cell(self, key: str) -> Span:
        return Span.row(self.sheet, self.header, AT[key], AT[key])


def by_start_year(result: PortfolioResult) -> list[ProjectResult]:
    """The projects in the order they start (file order within a year): the order in which
    the NPV toward the target is secured."""
    return sorted(result.projects, key=lambda p: p.project.start_year)


def projects_sheet(
    book: Book, sheet: Sheet, projects: Mapping[str, ProjectAnchors]
) -> ProjectsAnchors:
    """The Projects sheet; returns where its table is."""
    result = book.pack.result
    sheet.title_band(
        "Projects",
        "Each project's figures, linked to its sheet (live), in the order the projects start: "
        "the NPV toward the target adds up as they start. Who pays and who benefits below.",
    )
    sheet.widths_from([width for _, _, width in COLUMNS])
    sheet.text(HEADER - 1, 1, "Projects, by start year", "section")
    sheet.header_row(HEADER, [label for _, label, _ in COLUMNS])
    ordered = by_start_year(result)
    anchors = ProjectsAnchors(sheet.title, HEADER, HEADER + 1, HEADER + len(ordered))
    cumulative = 0.0
    for r, project in enumerate(ordered, start=anchors.first):
        if project.counts_toward_target:
            cumulative += project.npv
        _project_row(sheet, result, anchors, r, project, projects[project.id], cumulative)
    total = anchors.last + 1
    sheet.text(total, AT["name"], "Portfolio", "label")
    for key, value in (
        ("pv_costs", result.pv_costs),
        ("pv_benefits", result.pv_benefits),
        ("to_come", sum((p.pv_benefits_to_come for p in result.projects), 0.0)),
        ("npv", result.npv),
        ("cashable_npv", result.cashable_npv),
    ):
        cells = anchors.column(key).local
        sheet.formula(total, AT[key], f"=SUM({cells})", value, "money total")
    end = _agencies(sheet, result, total + 2, anchors, ordered, projects)
    sheet.finish(LAST_PRINTED, end, freeze=(HEADER, 2), repeat=HEADER)
    return anchors


def counts_text(project: ProjectResult, portfolio: Portfolio) -> str:
    """What the "Counts toward target" formula gives: ``Yes``, or every reason not."""
    year, statuses = portfolio.target_year, portfolio.count_statuses
    reasons = []
    if year is not None and project.project.start_year > year:
        reasons.append(f"starts after {financial_year(year)}")
    if statuses is not None and project.project.status not in statuses:
        reasons.append(f"status {project.project.status}")
    return "No: " + "; ".join(reasons) if reasons else "Yes"


def _project_row(
    sheet: Sheet,
    result: PortfolioResult,
    anchors: ProjectsAnchors,
    r: int,
    project: ProjectResult,
    links: ProjectAnchors,
    cumulative: float,
) -> None:
    """A project's row: its figures linked to its sheet."""
    nid = name_id(project.id)
    c = AT
    sheet.text(r, c["id"], project.id, "text")
    name_lines = sheet.wrapped(r, c["name"], project.project.name, "wrap")
    sheet.text(r, c["status"], project.project.status, "text")
    sheet.text(r, c["years"], project.span, "centre")
    sheet.number(r, c["start"], project.project.start_year, "year")
    sheet.formula(r, c["pv_costs"], f"=PVCosts_{nid}", project.pv_costs, "money")
    sheet.formula(r, c["pv_benefits"], f"=PVBenefits_{nid}", project.pv_benefits, "money")
    to_come = project.pv_benefits_to_come
    sheet.formula(r, c["to_come"], f"=PVBenefitsToCome_{nid}", to_come, "money")
    sheet.formula(r, c["npv"], f"=NPV_{nid}", project.npv, "money")
    cells = links.results
    bcr = NO_RATIO if project.bcr is None else project.bcr
    sheet.formula(r, c["bcr"], f"={cells['bcr'].on}", bcr, "ratio")
    sheet.formula(r, c["payback"], f"={cells['payback'].on}", payback_text(project), "ratio")
    cashable = f"={cells['cashable_npv'].on}"
    sheet.formula(r, c["cashable_npv"], cashable, project.cashable_npv, "money")
    # Every reason a project does not count: its start year, its status, or both.
    counts = counts_text(project, result.portfolio)
    width = COLUMNS[c["counts"] - 1][2]
    sheet.fit(r, max(name_lines, wrapped_lines(counts, width)))
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
    npvs = f"{fixed(anchors.first, c['npv'])}:{at(r, c['npv'])}"
    counted = f"{fixed(anchors.first, c['counts'])}:{at(r, c['counts'])}"
    sheet.formula(r, c["cumulative"], f'=SUMIFS({npvs},{counted},"Yes")', cumulative, "money")
    target = result.target
    sheet.formula(
        r,
        c["target"],
        '=IF(Target="",NA(),Target)',
        NOT_AVAILABLE if target is None else target,
        "money",
    )


def portfolio_agencies(
    result: PortfolioResult, projects: Mapping[str, ProjectAnchors]
) -> list[str]:
    """The agencies of the portfolio: declared ones first, then the others as the projects'
    "Present value by agency" tables name them."""
    declared = result.portfolio.agencies or ()
    used = list(dict.fromkeys(a for p in result.projects for a in projects[p.id].agencies))
    return [a for a in declared if a in used] + [a for a in used if a not in declared]


def _agencies(
    sheet: Sheet,
    result: PortfolioResult,
    row: int,
    table: ProjectsAnchors,
    ordered: list[ProjectResult],
    projects: Mapping[str, ProjectAnchors],
) -> int:
    """Who pays and who benefits across the portfolio: live sums of columns beside the
    projects table (not printed), which link each project's present value by agency on its
    sheet; returns the last row."""
    agencies = portfolio_agencies(result, projects)
    for k, agency in enumerate(agencies):
        for j, kind in enumerate(("costs", "benefits")):
            column = AGENCY_LINKS + 2 * k + j
            sheet.width(column, 14)
            sheet.text(table.header, column, f"{agency}: {kind} (PV)", "header")
            for r, project in enumerate(ordered, start=table.first):
                cells = projects[project.id].agencies.get(agency)
                by = (
                    project.pv_costs_by_agency if kind == "costs" else project.pv_benefits_by_agency
                )
                if cells is None:
                    sheet.number(r, column, 0.0, "money")
                else:
                    sheet.formula(r, column, f"={cells[j].on}", by.get(agency, 0.0), "money")
    left = AT["name"]
    # The figures sit under the projects table's money columns, as wide as its figures need.
    costs, benefits, net = AT["pv_costs"], AT["pv_benefits"], AT["to_come"]
    sheet.keep_with_next(row, len(agencies) + 3, LAST_PRINTED)
    sheet.text(row, 1, "Who pays and who benefits (PV, all projects)", "section")
    labels = ["Agency"] + [""] * (costs - left - 1)
    labels += ["Costs it pays", "Benefits it receives", "Net (benefits - costs)"]
    sheet.header_row(row + 1, labels, left)
    top = row + 2
    for k, agency in enumerate(agencies):
        i = top + k
        sheet.fit(i, sheet.wrapped(i, left, agency, "wrap"), most=3)
        paid = sum(p.pv_costs_by_agency.get(agency, 0.0) for p in result.projects)
        received = sum(p.pv_benefits_by_agency.get(agency, 0.0) for p in result.projects)
        for offset, column, value in ((0, costs, paid), (1, benefits, received)):
            link = AGENCY_LINKS + 2 * k + offset
            linked = sheet.span(table.first, link, table.last, link).local
            sheet.formula(i, column, f"=SUM({linked})", value, "money")
        sheet.formula(i, net, f"={at(i, benefits)}-{at(i, costs)}", received - paid, "money")
    total = top + len(agencies)
    sheet.text(total, left, "All agencies", "label")
    for column, value in (
        (costs, result.pv_costs),
        (benefits, result.pv_benefits),
        (net, result.pv_benefits - result.pv_costs),
    ):
        above = sheet.span(top, column, total - 1, column)
        sheet.formula(total, column, f"=SUM({above.local})", value, "money total")
    sheet.note(
        total + 1,
        left,
        net,
        "Each project's split is on its sheet, under Present value by agency.",
    )
    return total + 1
