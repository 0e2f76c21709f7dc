"""The Realisation sheet's tables below its chart (:mod:`~.realisation`): the benefits register,
the NPV (plan and latest) and each project's years to ``as_of``.

The columns are the sheet's (its widths are set by :mod:`~.realisation`); every outturn figure
links to the adjusted rows of the project sheets, every plan figure is a value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...model import financial_year
from ...results.realisation import BEYOND, LineToDate, Progress
from .anchors import at
from .project import NO_RATIO, ProjectAnchors

if TYPE_CHECKING:
    from .cells import Book, Sheet

LAST_COLUMN = 14
#: The benefits register's columns (the owner over 3-4, the measure over 5-7).
OWNER, MEASURE, YEARS, BASE, OUTTURN, SHORT, STATUS = 3, 5, 8, 9, 10, 11, 12
#: The last table's columns: lines recording, then base plan and outturn, costs then benefits.
LINES, BASE_COSTS, OUTTURN_COSTS, BASE_BENEFITS, OUTTURN_BENEFITS = 3, 4, 5, 6, 7


@dataclass(frozen=True)
class Limits:
    """The cells holding ``[realisation] amber`` and ``red``, which every status reads."""

    amber: str
    red: str

    def status(self, share: str, shortfall: str) -> str:
        """A status formula: on the share when it is a number, else (no base plan) Red for
        any shortfall."""
        beyond = f"{BEYOND:.0E}"
        return (
            f'=IF(ISNUMBER({share}),IF({share}>{self.red}+{beyond},"Red",'
            f'IF({share}>{self.amber}+{beyond},"Amber","Green")),'
            f'IF({shortfall}>0,"Red","Green"))'
        )


def register(
    sheet: Sheet,
    book: Book,
    progress: Progress,
    projects: Mapping[str, ProjectAnchors],
    limits: Limits,
    row: int,
) -> int:
    """The benefits register: each benefit line with its owner, its measure, its base plan and
    outturn to ``as_of`` and their status. Returns the row after it."""
    to = financial_year(progress.as_of)
    sheet.keep_with_next(row, 6, LAST_COLUMN)
    sheet.text(row, 1, "Benefits register", "section")
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        "Each benefit line: who answers for it (owner) and what shows it (measure), from the "
        "project files; its base plan and outturn over the years that record outturn (years "
        "recorded, of the years its base plan has a benefit to date), and its status by the "
        "same tolerances as the projects'.",
    )
    labels = [
        "ID",
        "Benefit",
        "Owner",
        "",
        "Measure (KPI)",
        "",
        "",
        "Years recorded",
        f"Base plan to {to}",
        f"Outturn to {to}",
        "Short of plan",
        "Status",
    ]
    entries = [
        (p.id, i, x)
        for p in progress.projects
        for i, x in enumerate(p.lines)
        if x.line.section == "benefits"
    ]
    rows = sheet.table(row + 2, labels, len(entries), LAST_COLUMN)
    last = row + 2
    for r, (pid, i, x) in zip(rows, entries, strict=True):
        _register_row(sheet, r, pid, x, projects[pid], i, limits)
        last = r
    if entries:
        book.rag_colours(sheet.span(row + 3, STATUS, last, STATUS))
    return last + 1


def _register_row(
    sheet: Sheet,
    r: int,
    pid: str,
    x: LineToDate,
    anchors: ProjectAnchors,
    index: int,
    limits: Limits,
) -> None:
    """A benefit line of the register."""
    line = x.line
    sheet.text(r, 1, pid, "text")
    lines = [
        sheet.wrapped(r, 2, line.name, "wrap"),
        sheet.wrapped(r, OWNER, line.owner or "none named", "wrap", last=OWNER + 1),
        sheet.wrapped(r, MEASURE, line.measure or "none named", "wrap", last=MEASURE + 2),
    ]
    sheet.fit(r, max(lines))
    sheet.text(r, YEARS, f"{len(x.recorded)} of {len(x.due)}", "centre")
    if x.rating is None:
        # nothing recorded: no figures to set against each other, only whether any is due
        sheet.text(r, STATUS, "none recorded" if x.due else "not yet due", "centre")
        return
    sheet.number(r, BASE, x.base, "money")
    cells = line_cells(anchors, index, x.recorded)
    sheet.formula(r, OUTTURN, f"=SUM({cells})", x.outturn, "money")
    base, outturn = at(r, BASE), at(r, OUTTURN)
    sheet.formula(
        r,
        SHORT,
        f'=IF({base}=0,IF({outturn}=0,0,"{NO_RATIO}"),({base}-{outturn})/{base})',
        NO_RATIO if x.rating.share is None else x.rating.share,
        "share",
    )
    sheet.formula(
        r,
        STATUS,
        limits.status(at(r, SHORT), f"({base}-{outturn})"),
        x.rating.word,
        f"rag {x.rating.status}",
    )


def line_cells(anchors: ProjectAnchors, index: int, years: tuple[int, ...]) -> str:
    """The adjusted cells of a line in ``years`` (offsets, in order): each run of consecutive
    years one range, for ``SUM``."""
    row = anchors.adjusted[index]
    texts = []
    start = 0
    for k in range(1, len(years) + 1):
        if k == len(years) or years[k] != years[k - 1] + 1:
            span = row.part(years[start], k - start)
            texts.append(span.first.on if span.first == span.last else span.on)
            start = k
    return ",".join(texts)


def npv_table(
    sheet: Sheet,
    book: Book,
    progress: Progress,
    projects: Mapping[str, ProjectAnchors],
    row: int,
) -> int:
    """The appraisal's view: each project's plan and latest NPV, whole and to ``as_of``.
    Returns the row after its total."""
    result = book.pack.result
    to = financial_year(progress.as_of)
    count = len(result.projects)
    sheet.keep_with_next(row, min(count, 10) + 3, LAST_COLUMN)
    sheet.text(row, 1, "NPV: plan and latest", "section")
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        "The appraisal, not the delivery status: the plan as approved (optimism bias and "
        f"risks included; values) and the latest estimate, with the outturn to {to} and the "
        f"plan after it (links to the project sheets). NPV to {to}: the discounted net flows "
        f"of the years to {to}; the variance to {to} is also latest NPV - plan NPV, since the "
        "plan stands for the years after.",
    )
    header = row + 2
    sheet.header_row(
        header,
        [
            "ID",
            "Project",
            "Plan NPV",
            "Latest NPV",
            f"Plan NPV to {to}",
            f"Latest NPV to {to}",
            "Variance",
        ],
    )
    first = header + 1
    for r, (p, project) in enumerate(zip(progress.projects, result.projects, strict=True), first):
        anchors = projects[project.id]
        sheet.text(r, 1, p.id, "text")
        sheet.fit(r, sheet.wrapped(r, 2, project.project.name, "wrap"))
        sheet.number(r, 3, p.plan_npv, "money")
        sheet.formula(r, 4, f"={anchors.results['npv'].on}", project.npv, "money")
        sheet.number(r, 5, p.plan_npv_to_date, "money")
        known = len(p.years)
        if known:
            to_date = anchors.discounted.part(0, known).on
            sheet.formula(r, 6, f"=SUM({to_date})", p.latest_npv_to_date, "money")
        else:
            sheet.number(r, 6, 0.0, "money")
        sheet.formula(r, 7, f"={at(r, 6)}-{at(r, 5)}", p.variance, "money")
    last = first + count - 1
    total = last + 1
    sheet.text(total, 2, "Portfolio", "label")
    for column, value in (
        (3, sum((p.plan_npv for p in progress.projects), 0.0)),
        (4, result.npv),
        (5, progress.plan_npv_to_date),
        (6, progress.latest_npv_to_date),
        (7, progress.latest_npv_to_date - progress.plan_npv_to_date),
    ):
        cells = sheet.span(first, column, last, column).local
        sheet.formula(total, column, f"=SUM({cells})", value, "money total")
    return total + 1


def project_years(
    sheet: Sheet,
    book: Book,
    progress: Progress,
    projects: Mapping[str, ProjectAnchors],
    row: int,
) -> dict[int, list[int]]:
    """Each project's years to ``as_of``: the base plan and the outturn of the lines that
    record outturn that year; the sheet's last table. Returns each year's rows."""
    to = financial_year(progress.as_of)
    sheet.keep_with_next(row, 6, LAST_COLUMN)
    sheet.text(row, 1, f"By project and year, to {to}", "section")
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        "Yearly flows after every adjustment but optimism bias, in pounds at the price base "
        "year (not discounted), of the lines that record outturn in the year: their base plan "
        "(values) and their outturn (links to the project sheets' adjusted rows). Lines "
        "recorded: of the lines with a base plan or outturn that year.",
    )
    header = row + 2
    sheet.header_row(
        header,
        [
            "ID",
            "Year",
            "Lines recorded",
            "Base costs",
            "Outturn costs",
            "Base benefits",
            "Outturn benefits",
        ],
    )
    rows: dict[int, list[int]] = {}
    r = header
    for p in progress.projects:
        anchors = projects[p.id]
        for t, year in enumerate(p.years):
            r += 1
            rows.setdefault(year.year, []).append(r)
            recording = [i for i, x in enumerate(p.lines) if t in x.recorded]
            active = [i for i, x in enumerate(p.lines) if t in x.recorded or t in x.due]
            sheet.text(r, 1, p.id, "text")
            sheet.text(r, 2, financial_year(year.year), "text")
            sheet.text(r, LINES, f"{len(recording)} of {len(active)}", "centre")
            sheet.number(r, BASE_COSTS, year.base_costs, "money")
            sheet.number(r, BASE_BENEFITS, year.base_benefits, "money")
            for column, section, value in (
                (OUTTURN_COSTS, "costs", year.recorded_costs),
                (OUTTURN_BENEFITS, "benefits", year.recorded_benefits),
            ):
                cells = [
                    anchors.adjusted[i].part(t, 1).first.on
                    for i in recording
                    if p.lines[i].line.section == section
                ]
                if cells:
                    sheet.formula(r, column, "=" + "+".join(cells), value, "money")
                else:
                    sheet.number(r, column, 0.0, "money")
    sheet.finish(LAST_COLUMN, max(r, header + 1), freeze=(2, 0), repeat=header)
    return rows
