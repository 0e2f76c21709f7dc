"""The workbook's ``Realisation`` sheet (when ``[portfolio] as_of`` is set): the outturn
recorded against the plan as approved.

The plan's figures are values: what was approved does not change when an input does. The
outturn and the latest estimate link to the project sheets (live), and so do the variances. From
the top: the projects (plan and latest NPV, NPV to ``as_of``, a status); the portfolio by
financial year with a chart of the cumulative NPV toward the target, plan and latest, against the
target; and each project's years to ``as_of``, plan against outturn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..model import financial_year
from ..progress import TOLERANCE, Progress
from .workbook_parts import PIXELS_PER_CM, Book, Sheet, letter, sheet_ref
from .workbook_project import NO_RATIO, RESULT_ROWS

if TYPE_CHECKING:
    from .workbook_project import ProjectSheet

#: Rows a chart takes: its 10 cm (283.5 points) and a row clear below it.
CHART_ROWS = 24
#: The first column of the links behind the portfolio's years (beside the printed area).
LINKS = 12


def realisation_sheet(
    book: Book, sheet: Sheet, progress: Progress, layouts: dict[str, ProjectSheet]
) -> None:
    result = book.result
    colours = book.style.colours
    as_of = progress.as_of
    to = financial_year(as_of)
    target = result.target
    sheet.title_band(
        "Realisation",
        f"Outturn recorded to {to} against the plan as approved. The plan's figures are values "
        "(what was approved); the outturn, the latest estimate and the variances link to the "
        "project sheets (live).",
    )
    sheet.widths_from((9, 36, 12, 14, 14, 14, 14, 14, 14, 14))
    last_column = 10

    # -- the projects --------------------------------------------------------------------
    sheet.text(4, 1, "Projects", "section")
    sheet.note(
        5,
        1,
        last_column,
        f"Latest: the appraisal with the outturn to {to} and the plan after it. NPV to {to}: "
        f"the discounted net flows of the years to {to}. Status: the NPV to {to} against the "
        f"plan's, on track within {TOLERANCE:.0%} of the plan's PV of benefits to {to} (the "
        f"last column). Latest NPV - plan NPV is the variance to {to}: the plan stands for the "
        "years after.",
    )
    headers = [
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
    ]
    sheet.header_row(6, headers)
    first = 7
    for r, (progress_of, project) in enumerate(
        zip(progress.projects, result.projects, strict=True), start=first
    ):
        layout = layouts[project.id]
        ref = sheet_ref(layout.sheet.title)
        known = len(progress_of.years)
        sheet.text(r, 1, project.id, "text")
        sheet.fit(r, sheet.wrapped(r, 2, project.project.name, "wrap"))
        sheet.number(r, 4, progress_of.plan_npv, "money")
        sheet.formula(r, 5, f"={ref}!$B${RESULT_ROWS['npv']}", project.npv, "money")
        sheet.number(r, 6, progress_of.plan_npv_to_date, "money")
        if known:
            cells = f"{ref}!$C${layout.discounted_row}:${letter(2 + known)}${layout.discounted_row}"
            sheet.formula(r, 7, f"=SUM({cells})", progress_of.latest_npv_to_date, "money")
        else:
            sheet.number(r, 7, 0.0, "money")
        sheet.formula(r, 8, f"=G{r}-F{r}", progress_of.variance, "money")
        benefits = progress_of.plan_pv_benefits_to_date
        sheet.number(r, 9, benefits, "money")
        sheet.formula(
            r,
            10,
            f'=IF(I{r}=0,"{NO_RATIO}",H{r}/I{r})',
            progress_of.variance / benefits if benefits else NO_RATIO,
            "percent",
        )
        if progress_of.status in ("not started", "no outturn"):
            sheet.text(r, 3, progress_of.status, "centre")
        else:
            sheet.formula(
                r,
                3,
                f'=IF(ABS(H{r})<={TOLERANCE!r}*ABS(I{r}),"on track",IF(H{r}>0,"ahead","behind"))',
                progress_of.status,
                "centre",
            )
    last = first + len(result.projects) - 1
    total = last + 1
    sheet.text(total, 2, "Portfolio", "label")
    plan_npv = sum(p.plan_npv for p in progress.projects)
    for column, value in (
        (4, plan_npv),
        (5, result.npv),
        (6, progress.plan_npv_to_date),
        (7, progress.latest_npv_to_date),
        (8, progress.latest_npv_to_date - progress.plan_npv_to_date),
        (9, sum((p.plan_pv_benefits_to_date for p in progress.projects), 0.0)),
    ):
        c = letter(column)
        sheet.formula(total, column, f"=SUM({c}{first}:{c}{last})", value, "money total")
    benefits = sum((p.plan_pv_benefits_to_date for p in progress.projects), 0.0)
    variance = progress.latest_npv_to_date - progress.plan_npv_to_date
    sheet.formula(
        total,
        10,
        f'=IF(I{total}=0,"{NO_RATIO}",H{total}/I{total})',
        variance / benefits if benefits else NO_RATIO,
        "percent",
    )

    # -- the portfolio by financial year, and the chart ---------------------------------
    row = total + 2
    counted = [
        (p, layouts[p.id], prog)
        for p, prog in zip(result.projects, progress.projects, strict=True)
        if p.counts_toward_target
    ]
    sheet.text(row, 1, "NPV toward the target by financial year", "section")
    years = sorted(
        {p.project.start_year + t for p, _, _ in counted for t in range(p.settings.horizon)}
    )
    sheet.note(
        row + 1,
        1,
        last_column,
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
    for k, (project, _, _) in enumerate(counted):
        sheet.width(LINKS + k, 12)
        sheet.text(header, LINKS + k, project.id, "header")
    top = header + 1
    plan_by_year = _by_year(
        [(p.project.start_year, np.asarray(prog.plan_discounted)) for p, _, prog in counted]
    )
    latest_by_year = _by_year(
        [(p.project.start_year, (p.benefits - p.costs) * p.discount_factors) for p, _, _ in counted]
    )
    cumulative_plan = cumulative_latest = 0.0
    for i, year in enumerate(years):
        r = top + i
        sheet.text(r, 1, financial_year(year), "text")
        for k, (project, layout, _) in enumerate(counted):
            t = year - project.project.start_year
            if 0 <= t < project.settings.horizon:
                cell = f"{sheet_ref(layout.sheet.title)}!{letter(3 + t)}{layout.discounted_row}"
                value = float(
                    (project.benefits[t] - project.costs[t]) * project.discount_factors[t]
                )
                sheet.formula(r, LINKS + k, f"={cell}", value, "money")
            else:
                sheet.number(r, LINKS + k, 0.0, "money")
        plan, latest = plan_by_year.get(year, 0.0), latest_by_year.get(year, 0.0)
        cumulative_plan += plan
        cumulative_latest += latest
        links = f"{letter(LINKS)}{r}:{letter(LINKS + max(len(counted), 1) - 1)}{r}"
        sheet.number(r, 3, plan, "money")
        sheet.formula(r, 4, f"=SUM({links})", latest, "money")
        sheet.formula(r, 5, f"=D{r}-C{r}", latest - plan, "money")
        before = f"F{r - 1}+" if i else ""
        sheet.formula(r, 6, f"={before}C{r}", cumulative_plan, "money")
        before = f"G{r - 1}+" if i else ""
        sheet.formula(r, 7, f"={before}D{r}", cumulative_latest, "money")
        sheet.formula(
            r, 8, '=IF(Target="",NA(),Target)', "#N/A" if target is None else target, "money"
        )
    end = top + len(years) - 1
    chart_row = end + 2
    sheet.keep_with_next(chart_row, CHART_ROWS, last_column)  # the chart is not split
    title = sheet.title
    chart = book.wb.add_chart({"type": "line"})
    for column, name, colour, dash in (
        (6, "Cumulative plan", colours["grey"], "dash"),
        (7, "Cumulative latest", colours["line"], None),
        (8, "Target", colours["bad"], "long_dash"),
    ):
        if column == 8 and target is None:
            continue
        line = {"color": colour, "width": 2.25 if column == 7 else 1.5}
        if dash:
            line["dash_type"] = dash
        chart.add_series(
            {
                "name": name,
                "categories": [title, top - 1, 0, end - 1, 0],
                "values": [title, top - 1, column - 1, end - 1, column - 1],
                "line": line,
                "marker": {"type": "none"},
            }
        )
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
    sheet.ws.insert_chart(chart_row - 1, 0, chart)

    # -- each project's years to as_of: the sheet's last table --------------------------
    row = chart_row + CHART_ROWS
    sheet.keep_with_next(row, 6, last_column)
    sheet.text(row, 1, f"By project and year, to {to}", "section")
    sheet.note(
        row + 1,
        1,
        last_column,
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
        layout = layouts[project.id]
        ref = sheet_ref(layout.sheet.title)
        for t, year in enumerate(progress_of.years):
            r += 1
            c = letter(3 + t)
            sheet.text(r, 1, project.id, "text")
            sheet.text(r, 2, financial_year(year.year), "text")
            sheet.text(r, 3, "yes" if year.recorded else "no: plan", "centre")
            sheet.number(r, 4, year.plan_costs, "money")
            sheet.formula(r, 5, f"={ref}!{c}{layout.costs_row}", year.outturn_costs, "money")
            sheet.number(r, 6, year.plan_benefits, "money")
            sheet.formula(r, 7, f"={ref}!{c}{layout.benefits_row}", year.outturn_benefits, "money")
            sheet.formula(r, 8, f"=(G{r}-E{r})-(F{r}-D{r})", year.variance, "money")
    sheet.finish(last_column, max(r, header + 1), freeze=(2, 0), repeat=header)


def _by_year(flows: list[tuple[int, np.ndarray]]) -> dict[int, float]:
    """Flows by year offset from several projects, added up by financial year."""
    out: dict[int, float] = {}
    for start, values in flows:
        for t, value in enumerate(values):
            out[start + t] = out.get(start + t, 0.0) + float(value)
    return out
