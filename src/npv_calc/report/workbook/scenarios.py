"""The workbook's ``Scenarios`` sheet: central, pessimistic, optimistic and every named scenario
side by side (the portfolio's figures against the target first, then each project's NPV), and
what each scenario is: a named scenario's description, what it sets and what it leaves out.

The workbook's own scenario links to the project sheets (live); the others were computed by
npv-calc when the workbook was written (values), as re-running a scenario in a spreadsheet would
mean a copy of every project sheet. The headroom and whether each meets the target are live
formulas of the ``Target`` cell.
"""

from __future__ import annotations

from .anchors import at, fixed_row
from .cells import Book, Sheet
from .formulas import name_id

BUILT_IN = {
    "central": "Every uncertain value at its central value.",
    "pessimistic": "Every uncertain value at the end that lowers the NPV: costs high, "
    "benefits low.",
    "optimistic": "Every uncertain value at the end that raises the NPV: costs low, benefits high.",
}
#: Columns of "What each scenario is": the scenario, its description, what it sets, what it
#: leaves out (first and last column of each).
PARTS = ((2, 2), (3, 5), (6, 7), (8, 8))


def scenarios_sheet(book: Book, sheet: Sheet) -> None:
    """The Scenarios sheet: what each scenario is, then the NPVs of every scenario side by
    side."""
    own, whole, results = book.pack.result, book.pack.whole, book.pack.scenarios
    projects = whole.projects
    names = list(results)
    last_column = max(2 + len(names), PARTS[-1][1])
    sheet.title_band(
        "Scenarios",
        f"Every scenario side by side. The {own.scenario} column is this workbook's scenario "
        "(live: it links to the project sheets); the others were computed by npv-calc when the "
        "workbook was written, with the same --set values (values, not live).",
    )
    sheet.widths_from((9, 38, *([17] * (last_column - 2))))

    # What each scenario is: short, so first.
    sheet.text(4, 1, "What each scenario is", "section")
    sheet.header_row(5, ["Scenario"], start=2)
    for (first, last), label in zip(PARTS[1:], ("Description", "Sets", "Leaves out"), strict=True):
        if last > first:
            sheet.merge(5, first, last, "header")
        sheet.text(5, first, label, "header")
    row = 6
    for name in names:
        if name in BUILT_IN:
            texts = (BUILT_IN[name], "–", "–")
        else:
            named = whole.scenarios[name]
            texts = (
                " ".join(named.description.split()) or "(no description)",
                ", ".join(f"{k} = {v}" for k, v in named.set.items()) or "–",
                ", ".join(named.exclude) or "–",
            )
        result = results[name]
        if isinstance(result, str):
            texts = (f"{texts[0]} Not appraised: {result}", *texts[1:])
        lines = sheet.wrapped(
            row, 2, name + (" (this workbook)" if name == own.scenario else ""), "wrap label"
        )
        for (first, last), text in zip(PARTS[1:], texts, strict=True):
            lines = max(lines, sheet.wrapped(row, first, text, "wrap", last=last))
        sheet.fit(row, lines)
        row += 1

    # The figures, each scenario a column: the portfolio's first, then the projects'.
    title = row + 1
    header = title + 1
    sheet.text(title, 1, "NPV by scenario", "section")
    sheet.header_row(
        header, ["ID", "Project", *(f"{n} (live)" if n == own.scenario else n for n in names)]
    )
    rows = {
        "portfolio": header + 1,
        "toward": header + 2,
        "headroom": header + 3,
        "meets": header + 4,
    }
    for key, label in (
        ("portfolio", "Portfolio NPV (all projects)"),
        ("toward", "NPV toward target"),
        ("headroom", "Headroom (negative: shortfall)"),
        ("meets", "Meets the target"),
    ):
        sheet.text(rows[key], 2, label, "label")
    first = rows["meets"] + 2
    sheet.text(first - 1, 2, "Each project's NPV", "label")
    last = first + len(projects) - 1
    for r, project in enumerate(projects, start=first):
        sheet.text(r, 1, project.id, "text")
        sheet.fit(r, sheet.wrapped(r, 2, project.name, "wrap"))
    target = whole.target
    for column, name in enumerate(names, start=3):
        result = results[name]
        if isinstance(result, str):
            sheet.text(rows["portfolio"], column, "not appraised", "centre")
            continue
        live = name == own.scenario
        appraised = {p.id: p for p in result.projects}
        for r, project in enumerate(projects, start=first):
            found = appraised.get(project.id)
            if found is None:
                sheet.text(r, column, "left out", "label right")
            elif live:
                sheet.formula(r, column, f"=NPV_{name_id(project.id)}", found.npv, "money")
            else:
                sheet.number(r, column, found.npv, "money")
        npvs = sheet.span(first, column, last, column).local
        sheet.formula(rows["portfolio"], column, f"=SUM({npvs})", result.npv, "money key")
        if live:
            sheet.formula(
                rows["toward"], column, "=NPVTowardTarget", result.npv_toward_target, "money"
            )
        else:
            sheet.number(rows["toward"], column, result.npv_toward_target, "money")
        toward = at(rows["toward"], column)
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
        at_row = rows["meets"]
        sheet.formula(
            at_row,
            column,
            f'=IF(Target="","no target",IF({toward}>=Target,"Yes","No"))',
            meets,
            {"Yes": "status good", "No": "status bad"}.get(meets, "status"),
        )
        book.status_colours(fixed_row(at_row, column), sheet.span(at_row, column, at_row, column))
    sheet.finish(last_column, last, freeze=(2, 2), repeat=header)
