"""The workbook's ``Scenarios`` sheet: central, pessimistic, optimistic and every named scenario
side by side (each project's NPV, the NPV toward the target, whether it meets the target), and
what each named scenario sets and leaves out.

The workbook's own scenario links to the project sheets (live); the others were computed by
npv-calc when the workbook was written (values), as re-running a scenario in a spreadsheet would
mean a copy of every project sheet. Whether each meets the target is a live formula of the
``Target`` cell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .workbook_parts import Book, Sheet, letter, name_id, wrapped_lines

if TYPE_CHECKING:
    from ..calculate import PortfolioResult

BUILT_IN = {
    "central": "Every uncertain value at its central value.",
    "pessimistic": "Every uncertain value at the end that lowers the NPV: costs high, "
    "benefits low.",
    "optimistic": "Every uncertain value at the end that raises the NPV: costs low, benefits high.",
}


def scenarios_sheet(book: Book, sheet: Sheet, results: dict[str, PortfolioResult | str]) -> None:
    own = book.result
    whole = own.case.source or own.portfolio
    projects = whole.projects
    names = list(results)
    sheet.title_band(
        "Scenarios",
        f"Every scenario side by side. The {own.scenario} column is this workbook's scenario "
        "and links to the project sheets; the others were computed by npv-calc when the "
        "workbook was written (values, not live).",
    )
    width_to = max(2 + len(names), 8)
    sheet.widths_from((9, 38, *([15] * (width_to - 2))))
    sheet.text(4, 1, "NPV by project and scenario", "section")
    header = 5
    sheet.header_row(
        header,
        ["ID", "Project", *(f"{n} (this workbook)" if n == own.scenario else n for n in names)],
    )
    first = header + 1
    last = header + len(projects)
    for r, project in enumerate(projects, start=first):
        sheet.text(r, 1, project.id, "text")
        lines = sheet.wrapped(r, 2, project.name, "wrap")
        if lines > 1:
            sheet.height(r, 13 * lines + 1)
    rows = {
        "portfolio": last + 1,
        "toward": last + 2,
        "headroom": last + 3,
        "meets": last + 4,
    }
    sheet.text(rows["portfolio"], 2, "Portfolio NPV (all projects)", "label")
    sheet.text(rows["toward"], 2, "NPV toward target", "label")
    sheet.text(rows["headroom"], 2, "Headroom (negative: shortfall)", "label")
    sheet.text(rows["meets"], 2, "Meets the target", "label")
    target = whole.target
    for column, name in enumerate(names, start=3):
        result = results[name]
        c = letter(column)
        if isinstance(result, str):
            sheet.text(first, column, "not appraised", "centre")
            continue
        live = name == own.scenario
        appraised = {p.id: p for p in result.projects}
        for r, project in enumerate(projects, start=first):
            found = appraised.get(project.id)
            if found is None:
                sheet.text(r, column, "excluded", "centre")
            elif live:
                sheet.formula(r, column, f"=NPV_{name_id(project.id)}", found.npv, "money")
            else:
                sheet.number(r, column, found.npv, "money")
        sheet.formula(
            rows["portfolio"], column, f"=SUM({c}{first}:{c}{last})", result.npv, "money total"
        )
        if live:
            sheet.formula(
                rows["toward"], column, "=NPVTowardTarget", result.npv_toward_target, "money"
            )
        else:
            sheet.number(rows["toward"], column, result.npv_toward_target, "money")
        toward = f"{c}{rows['toward']}"
        sheet.formula(
            rows["headroom"],
            column,
            f'=IF(Target="","",{toward}-Target)',
            "" if target is None else result.npv_toward_target - target,
            "money",
        )
        meets = (
            "no target"
            if target is None
            else ("Yes" if result.npv_toward_target >= target else "No")
        )
        sheet.formula(
            rows["meets"],
            column,
            f'=IF(Target="","no target",IF({toward}>=Target,"Yes","No"))',
            meets,
            {"Yes": "status good", "No": "status bad"}.get(meets, "status"),
        )

    row = rows["meets"] + 2
    sheet.text(row, 1, "What each scenario is", "section")
    # Description in C:E, what it sets in F:G, what it leaves out in H onward.
    parts = ((3, 5, "Description"), (6, 7, "Sets"), (8, width_to, "Leaves out"))
    sheet.text(row + 1, 2, "Scenario", "header")
    for start, end, label in parts:
        if end > start:
            sheet.ws.merge_range(row, start - 1, row, end - 1, "", book.format("header"))
        sheet.text(row + 1, start, label, "header")
    r = row + 2
    for name in names:
        if name in BUILT_IN:
            texts = (BUILT_IN[name], "", "")
        else:
            named = whole.scenarios[name]
            texts = (
                " ".join(named.description.split()) or "(no description)",
                ", ".join(f"{k} = {v}" for k, v in named.set.items()) or "nothing",
                ", ".join(named.exclude) or "no project",
            )
        result = results[name]
        if isinstance(result, str):
            texts = (f"{texts[0]} Not appraised: {result}", *texts[1:])
        sheet.text(r, 2, name, "label")
        lines = 1
        for (start, end, _), text in zip(parts, texts, strict=True):
            if end > start:
                sheet.ws.merge_range(r - 1, start - 1, r - 1, end - 1, "", book.format("wrap"))
            sheet.text(r, start, text, "wrap")
            width = sum(sheet.column_width(k) for k in range(start, end + 1))
            lines = max(lines, wrapped_lines(text, width))
        sheet.height(r, 13 * lines + 2)
        r += 1
    sheet.finish(width_to, r - 1, freeze=(5, 2))
