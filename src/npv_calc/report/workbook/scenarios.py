"""The workbook's ``Scenarios`` sheet: central, pessimistic, optimistic and every named scenario
side by side (the portfolio's figures against the target first, then each project's NPV), and
what each scenario is: a named scenario's description, what it sets and what it leaves out.

The workbook's own scenario links to the project sheets (live); the others were computed by
npv-calc when the workbook was written (values), as re-running a scenario in a spreadsheet would
mean a copy of every project sheet. The headroom and whether each meets the target are live
formulas of the ``Target`` cell.
"""

from __future__ import annotations

from .anchors import Cell, at, fixed_row
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


def scenarios_sheet(book: Book, sheet: Sheet) -> dict[str, tuple[Cell, Cell]]:
    """The Scenarios sheet: what each scenario is, then the NPVs of every scenario side by
    side. Returns each appraised scenario's NPV toward the target and headroom cells."""
    own, whole = book.pack.result, book.pack.whole
    names = list(book.pack.scenarios)
    last_column = max(2 + len(names), PARTS[-1][1])
    sheet.title_band(
        "Scenarios",
        f"Every scenario side by side. The {own.scenario} column is this workbook's scenario "
        "(live: it links to the project sheets); the others were computed by npv-calc when the "
        "workbook was written, with the same --set values (values, not live).",
    )
    sheet.widths_from((9, 38, *([17] * (last_column - 2))))
    row = _what_each_is(book, sheet, names)
    # The figures, each scenario a column: the portfolio's first, then the projects'.
    title = row + 1
    header = title + 1
    sheet.text(title, 1, "NPV by scenario", "section")
    sheet.header_row(
        header, ["ID", "Project", *(f"{n} (live)" if n == own.scenario else n for n in names)]
    )
    rows = {key: header + 1 + i for i, (key, _) in enumerate(FIGURES)}
    for key, label in FIGURES:
        sheet.text(rows[key], 2, label, "label")
    first = rows["meets"] + 2
    sheet.text(first - 1, 2, "Each project's NPV", "label")
    for r, project in enumerate(whole.projects, start=first):
        sheet.text(r, 1, project.id, "text")
        sheet.fit(r, sheet.wrapped(r, 2, project.name, "wrap"))
    cells = {}
    for column, name in enumerate(names, start=3):
        if _scenario(book, sheet, name, column, rows, first):
            cells[name] = (sheet.cell(rows["toward"], column), sheet.cell(rows["headroom"], column))
    last = first + len(whole.projects) - 1
    sheet.finish(last_column, last, freeze=(2, 2), repeat=header)
    return cells


#: The portfolio's figures at the head of each scenario's column.
FIGURES = (
    ("portfolio", "Portfolio NPV (all projects)"),
    ("toward", "NPV toward target"),
    ("headroom", "Headroom (negative: shortfall)"),
    ("meets", "Meets the target"),
)


def _what_each_is(book: Book, sheet: Sheet, names: list[str]) -> int:
    """A row per scenario: its description, what it sets and what it leaves out (short, so
    first); returns the row after the last."""
    own, whole = book.pack.result, book.pack.whole
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
        result = book.pack.scenarios[name]
        if isinstance(result, str):
            texts = (f"{texts[0]} Not appraised: {result}", *texts[1:])
        lines = sheet.wrapped(
            row, 2, name + (" (this workbook)" if name == own.scenario else ""), "wrap label"
        )
        for (first, last), text in zip(PARTS[1:], texts, strict=True):
            lines = max(lines, sheet.wrapped(row, first, text, "wrap", last=last))
        sheet.fit(row, lines)
        row += 1
    return row


def _scenario(
    book: Book, sheet: Sheet, name: str, column: int, rows: dict[str, int], first: int
) -> bool:
    """A scenario's column: the portfolio's figures, then each project's NPV (live for the
    workbook's own scenario); whether the scenario could be appraised."""
    result = book.pack.scenarios[name]
    if isinstance(result, str):
        sheet.text(rows["portfolio"], column, "not appraised", "centre")
        return False
    projects = book.pack.whole.projects
    live = name == book.pack.result.scenario
    appraised = {p.id: p for p in result.projects}
    for r, project in enumerate(projects, start=first):
        found = appraised.get(project.id)
        if found is None:
            sheet.text(r, column, "left out", "label right")
        elif live:
            sheet.formula(r, column, f"=NPV_{name_id(project.id)}", found.npv, "money")
        else:
            sheet.number(r, column, found.npv, "money")
    npvs = sheet.span(first, column, first + len(projects) - 1, column).local
    sheet.formula(rows["portfolio"], column, f"=SUM({npvs})", result.npv, "money key")
    if live:
        toward_value = result.npv_toward_target
        sheet.formula(rows["toward"], column, "=NPVTowardTarget", toward_value, "money")
    else:
        sheet.number(rows["toward"], column, result.npv_toward_target, "money")
    toward = at(rows["toward"], column)
    sheet.formula(
        rows["headroom"],
        column,
        f'=IF(Target="","",{toward}-Target)',
        "" if result.headroom is None else result.headroom,
        "money",
    )
    meets = {None: "no target", True: "Yes", False: "No"}[result.meets_target]
    row = rows["meets"]
    sheet.formula(
        row,
        column,
        f'=IF(Target="","no target",IF({toward}>=Target,"Yes","No"))',
        meets,
        {"Yes": "status good", "No": "status bad"}.get(meets, "status"),
    )
    book.status_colours(fixed_row(row, column), sheet.span(row, column, row, column))
    return True
