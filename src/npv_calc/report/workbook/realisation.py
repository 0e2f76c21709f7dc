"""The ``Realisation`` sheet (when ``[portfolio] as_of`` is set): the outturn recorded against the
plan as approved.

The plan's figures are values: what was approved does not change when an input does. The outturn
and the latest estimate link to the project sheets (live), and so do the variances. From the top:
the projects (plan and latest NPV, NPV to ``as_of``, a status); the portfolio by financial year
with a chart of the cumulative NPV toward the target, plan and latest, against the target; and
each project's years to ``as_of``, plan against outturn.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ...model import financial_year
from ...results.appraisal import ProjectResult
from ...results.realisation import TOLERANCE, Progress, ProjectProgress
from .anchors import at, letter
from .cells import PIXELS_PER_CM, Book, Sheet
from .project import NO_RATIO, ProjectAnchors

#: Rows a chart takes: its 10 cm (283.5 points) and a row clear below it.
CHART_ROWS = 24
#: The first column of the links behind the portfolio's years (beside the printed area).
LINKS = 12
LAST_COLUMN = 10
#: The projects table's columns.
PLAN, LATEST, PLAN_TO, LATEST_TO, VARIANCE, BENEFITS_TO, SHARE = 4, 5, 6, 7, 8, 9, 10
#: The years table's columns.
Y_PLAN, Y_LATEST, Y_VARIANCE, Y_CUMULATIVE_PLAN, Y_CUMULATIVE_LATEST, Y_TARGET = 3, 4, 5, 6, 7, 8


def realisation_sheet(book: Book, sheet: Sheet, projects: Mapping[str, ProjectAnchors]) -> None:
    """The Realisation sheet, from the pack's outturn against the plan."""
    progress = book.pack.progress
    assert progress is not None
    to = financial_year(progress.as_of)
    sheet.title_band(
        "Realisation",
        f"Outturn recorded to {to} against the plan as approved. The plan's figures are values "
        "(what was approved); the outturn, the latest estimate and the variances link to the "
        "project sheets (live).",
    )
    sheet.widths_from((9, 36, 12, 14, 14, 14, 14, 14, 14, 14))
    total = _projects(sheet, book, progress, projects)
    top, end = _years(sheet, book, progress, projects, total + 2)
    chart_row = end + 2
    _chart(sheet, book, progress, top, end)
    _project_years(sheet, book, progress, projects, chart_row + CHART_ROWS)


def _projects(
    sheet: Sheet, book: Book, progress: Progress, projects: Mapping[str, ProjectAnchors]
) -> int:
    """A row per project: plan and latest NPV, NPV to ``as_of``, variance and status; returns
    the row of the portfolio's total."""
    result = book.pack.result
    to = financial_year(progress.as_of)
    sheet.text(4, 1, "Projects", "section")
    sheet.note(
        5,
        1,
        LAST_COLUMN,
        f"Latest: the appraisal with the outturn to {to} and the plan after it. NPV to {to}: "
        f"the discounted net flows of the years to {to}. Status: the NPV to {to} against the "
        f"plan's, on track within {TOLERANCE:.0%} of the plan's PV of benefits to {to} (the "
        f"last column). Latest NPV - plan NPV is the variance to {to}: the plan stands for the "
        "years after.",
    )
    sheet.header_row(
        6,
        [
            "ID",
            "Project",
            "Status",
            "Plan NPV",
            "Latest NPV",
            f"Plan NPV to {to}",
            f"Latest NPV to {to}",
            "Variance",
            f"Plan PV of benefits to {to}",
            "Variance, share of plan benefits",
        ],
    )
    first = 7
    for r, (progress_of, project) in enumerate(
        zip(progress.projects, result.projects, strict=True), start=first
    ):
        _project_row(sheet, r, project, progress_of, projects[project.id])
    last = first + len(result.projects) - 1
    total = last + 1
    sheet.text(total, 2, "Portfolio", "label")
    benefits = sum((p.plan_pv_benefits_to_date for p in progress.projects), 0.0)
    variance = progress.latest_npv_to_date - progress.plan_npv_to_date
    for column, value in (
        (PLAN, sum(p.plan_npv for p in progress.projects)),
        (LATEST, result.npv),
        (PLAN_TO, progress.plan_npv_to_date),
        (LATEST_TO, progress.latest_npv_to_date),
        (VARIANCE, variance),
        (BENEFITS_TO, benefits),
    ):
        cells = sheet.span(first, column, last, column).local
        sheet.formula(total, column, f"=SUM({cells})", value, "money total")
    sheet.formula(
        total,
        SHARE,
        f'=IF({at(total, BENEFITS_TO)}=0,"{NO_RATIO}",'
        f"{at(total, VARIANCE)}/{at(total, BENEFITS_TO)})",
        variance / benefits if benefits else NO_RATIO,
        "percent",
    )
    return total


def _project_row(
    sheet: Sheet,
    r: int,
    project: ProjectResult,
    progress_of: ProjectProgress,
    anchors: ProjectAnchors,
) -> None:
    known = len(progress_of.years)
    sheet.text(r, 1, project.id, "text")
    sheet.fit(r, sheet.wrapped(r, 2, project.project.name, "wrap"))
    sheet.number(r, PLAN, progress_of.plan_npv, "money")
    sheet.formula(r, LATEST, f"={anchors.results['npv'].on}", project.npv, "money")
    sheet.number(r, PLAN_TO, progress_of.plan_npv_to_date, "money")
    if known:
        to_date = anchors.discounted.part(0, known).on
        sheet.formula(r, LATEST_TO, f"=SUM({to_date})", progress_of.latest_npv_to_date, "money")
    else:
        sheet.number(r, LATEST_TO, 0.0, "money")
    variance = f"={at(r, LATEST_TO)}-{at(r, PLAN_TO)}"
    sheet.formula(r, VARIANCE, variance, progress_of.variance, "money")
    benefits = progress_of.plan_pv_benefits_to_date
    sheet.number(r, BENEFITS_TO, benefits, "money")
    sheet.formula(
        r,
        SHARE,
        f'=IF({at(r, BENEFITS_TO)}=0,"{NO_RATIO}",{at(r, VARIANCE)}/{at(r, BENEFITS_TO)})',
        progress_of.variance / benefits if benefits else NO_RATIO,
        "percent",
    )
    if progress_of.status in ("not started", "no outturn"):
        sheet.text(r, 3, progress_of.status, "centre")
    else:
        h, i = at(r, VARIANCE), at(r, BENEFITS_TO)
        sheet.formula(
            r,
            3,
            f'=IF(ABS({h})<={TOLERANCE!r}*ABS({i}),"on track",IF({h}>0,"ahead","behind"))',
            progress_of.status,
            "centre",
        )


def _counted(book: Book, progress: Progress) -> list[tuple[ProjectResult, ProjectProgress]]:
    """The projects counting toward the target, with their progress."""
    result = book.pack.result
    return [
        (p, prog)
        for p, prog in zip(result.projects, progress.projects, strict=True)
        if p.counts_toward_target
    ]


def _years(
    sheet: Sheet,
    book: Book,
    progress: Progress,
    projects: Mapping[str, ProjectAnchors],
    row: int,
) -> tuple[int, int]:
    """The portfolio by financial year: plan and latest, their variance and running totals,
    from links to each counting project's sheet beside the printed area; returns its first and
    last rows."""
    counted = _counted(book, progress)
    sheet.text(row, 1, "NPV toward the target by financial year", "section")
    years = sorted(
        {p.project.start_year + t for p, _ in counted for t in range(p.settings.horizon)}
    )
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        "Each year's discounted net benefit of the projects counting toward the target (each "
        "discounted to its own year 0), and the running totals: by the last year they are the "
        "NPV toward the target. Plan: values; latest: linked to the project sheets (the links "
        f"are beside the printed area, from column {letter(LINKS)}).",
    )
    header = row + 2
    sheet.header_row(
        header,
        [
            "Year",
            "",
            "Plan",
            "Latest",
            "Variance",
            "Cumulative plan",
            "Cumulative latest",
            "Target",
        ],
    )
    for k, (project, _) in enumerate(counted):
        sheet.width(LINKS + k, 12)
        sheet.text(header, LINKS + k, project.id, "header")
    plan_by_year = _by_year(
        [(p.project.start_year, np.asarray(prog.plan_discounted)) for p, prog in counted]
    )
    latest_by_year = _by_year(
        [(p.project.start_year, (p.benefits - p.costs) * p.discount_factors) for p, _ in counted]
    )
    target = book.pack.result.target
    cumulative_plan = cumulative_latest = 0.0
    top = header + 1
    for i, year in enumerate(years):
        r = top + i
        sheet.text(r, 1, financial_year(year), "text")
        _links(sheet, r, year, counted, projects)
        plan, latest = plan_by_year.get(year, 0.0), latest_by_year.get(year, 0.0)
        cumulative_plan += plan
        cumulative_latest += latest
        links = sheet.span(r, LINKS, r, LINKS + max(len(counted), 1) - 1).local
        sheet.number(r, Y_PLAN, plan, "money")
        sheet.formula(r, Y_LATEST, f"=SUM({links})", latest, "money")
        sheet.formula(r, Y_VARIANCE, f"={at(r, Y_LATEST)}-{at(r, Y_PLAN)}", latest - plan, "money")
        before = f"{at(r - 1, Y_CUMULATIVE_PLAN)}+" if i else ""
        running = f"={before}{at(r, Y_PLAN)}"
        sheet.formula(r, Y_CUMULATIVE_PLAN, running, cumulative_plan, "money")
        before = f"{at(r - 1, Y_CUMULATIVE_LATEST)}+" if i else ""
        running = f"={before}{at(r, Y_LATEST)}"
        sheet.formula(r, Y_CUMULATIVE_LATEST, running, cumulative_latest, "money")
        sheet.formula(
            r,
            Y_TARGET,
            '=IF(Target="",NA(),Target)',
            "#N/A" if target is None else target,
            "money",
        )
    return top, top + len(years) - 1


def _links(
    sheet: Sheet,
    r: int,
    year: int,
    counted: list[tuple[ProjectResult, ProjectProgress]],
    projects: Mapping[str, ProjectAnchors],
) -> None:
    """A year's discounted net benefit of each counting project, linked to its sheet (0 for a
    year outside its horizon)."""
    for k, (project, _) in enumerate(counted):
        t = year - project.project.start_year
        if 0 <= t < project.settings.horizon:
            cell = projects[project.id].discounted.part(t, 1).first
            value = float((project.benefits[t] - project.costs[t]) * project.discount_factors[t])
            sheet.formula(r, LINKS + k, f"={cell.on_relative}", value, "money")
        else:
            sheet.number(r, LINKS + k, 0.0, "money")


def _chart(sheet: Sheet, book: Book, progress: Progress, top: int, end: int) -> None:
    """The cumulative NPV toward the target, plan and latest, against the target, below the
    years table (rows ``top..end``)."""
    colours = book.style.colours
    target = book.pack.result.target
    chart_row = end + 2
    sheet.keep_with_next(chart_row, CHART_ROWS, LAST_COLUMN)  # the chart is not split
    chart = book.wb.add_chart({"type": "line"})
    for column, name, colour, dash in (
        (Y_CUMULATIVE_PLAN, "Cumulative plan", colours["grey"], "dash"),
        (Y_CUMULATIVE_LATEST, "Cumulative latest", colours["line"], None),
        (Y_TARGET, "Target", colours["bad"], "long_dash"),
    ):
        if column == Y_TARGET and target is None:
            continue
        line = {"color": colour, "width": 2.25 if column == Y_CUMULATIVE_LATEST else 1.5}
        if dash:
            line["dash_type"] = dash
        chart.add_series(
            {
                "name": name,
                "categories": sheet.span(top, 1, end, 1).chart(),
                "values": sheet.span(top, column, end, column).chart(),
                "line": line,
                "marker": {"type": "none"},
            }
        )
    to = financial_year(progress.as_of)
    chart.set_title(
        {
            "name": f"NPV toward the target, year by year: plan and latest (outturn to {to})",
            "name_font": {"size": 11, "bold": True},
        }
    )
    chart.set_x_axis({"label_position": "low", "num_font": {"size": 8, "rotation": -45}})
    chart.set_y_axis(
        {
            "num_format": '"£"#,##0.0,,"m"',
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 26 * PIXELS_PER_CM, "height": 10 * PIXELS_PER_CM})
    sheet.insert_chart(chart_row, 1, chart)


def _project_years(
    sheet: Sheet,
    book: Book,
    progress: Progress,
    projects: Mapping[str, ProjectAnchors],
    row: int,
) -> None:
    """Each project's years to ``as_of``, plan against outturn: the sheet's last table."""
    result = book.pack.result
    to = financial_year(progress.as_of)
    sheet.keep_with_next(row, 6, LAST_COLUMN)
    sheet.text(row, 1, f"By project and year, to {to}", "section")
    sheet.note(
        row + 1,
        1,
        LAST_COLUMN,
        "Yearly flows after every adjustment, in pounds at the price base year (not "
        "discounted). The plan's include optimism bias, the outturn's do not: it is not a "
        "forecast. A line with no outturn for a year keeps its plan. Variance: net benefit, "
        "outturn minus plan.",
    )
    header = row + 2
    sheet.header_row(
        header,
        [
            "ID",
            "Year",
            "Recorded",
            "Plan costs",
            "Outturn costs",
            "Plan benefits",
            "Outturn benefits",
            "Variance",
        ],
    )
    r = header
    for project, progress_of in zip(result.projects, progress.projects, strict=True):
        anchors = projects[project.id]
        for t, year in enumerate(progress_of.years):
            r += 1
            sheet.text(r, 1, project.id, "text")
            sheet.text(r, 2, financial_year(year.year), "text")
            sheet.text(r, 3, "yes" if year.recorded else "no: plan", "centre")
            sheet.number(r, 4, year.plan_costs, "money")
            costs = anchors.costs.part(t, 1).first.on_relative
            sheet.formula(r, 5, f"={costs}", year.outturn_costs, "money")
            sheet.number(r, 6, year.plan_benefits, "money")
            benefits = anchors.benefits.part(t, 1).first.on_relative
            sheet.formula(r, 7, f"={benefits}", year.outturn_benefits, "money")
            variance = f"=({at(r, 7)}-{at(r, 5)})-({at(r, 6)}-{at(r, 4)})"
            sheet.formula(r, 8, variance, year.variance, "money")
    sheet.finish(LAST_COLUMN, max(r, header + 1), freeze=(2, 0), repeat=header)


def _by_year(flows: list[tuple[int, np.ndarray]]) -> dict[int, float]:
    """Flows by year offset from several projects, added up by financial year."""
    out: dict[int, float] = {}
    for start, values in flows:
        for t, value in enumerate(values):
            out[start + t] = out.get(start + t, 0.0) + float(value)
    return out
