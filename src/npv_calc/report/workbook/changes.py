"""The ``Changes`` sheet (with ``run --previous PATH``): what changed since the last board. The
portfolio's NPV toward the target then and now, then every project, then and now, largest
change first, and what changed in its inputs.

Both sides are npv-calc's figures when the workbook was written (values): the last board's
scenario set is not in this workbook to link to.
"""

from __future__ import annotations

from ...results.comparison import Comparison
from .anchors import at
from .audit import audit_path
from .cells import Book, Sheet

WIDTHS = (9, 32, 14, 14, 14, 11, 70)
LAST_COLUMN = len(WIDTHS)


def changes_sheet(book: Book, sheet: Sheet) -> None:
    """The Changes sheet, from the pack's comparison of the last board's set with this one."""
    changes = book.pack.changes
    assert changes is not None
    before = changes.a.portfolio
    where = audit_path(before.path.parent) if before.path is not None else "the previous set"
    sheet.title_band(
        "Changes",
        f"Since the last board: {where} (then) against this workbook's set (now), the same "
        f"{changes.b.scenario} scenario and settings. Figures as npv-calc computed them when "
        "the workbook was written (values).",
    )
    sheet.widths_from(WIDTHS)
    row = _portfolio(sheet, changes, 4)
    _projects(sheet, changes, row + 2)


def _portfolio(sheet: Sheet, changes: Comparison, row: int) -> int:
    """The NPV toward the target and of all projects, then and now; returns the last row."""
    sheet.text(row, 1, "The portfolio", "section")
    sheet.header_row(row + 1, ["", "", "Then", "Now", "Change"])
    figures = (
        ("NPV toward the target", changes.a.npv_toward_target, changes.b.npv_toward_target),
        ("NPV of all projects", changes.a.npv, changes.b.npv),
    )
    for r, (label, then, now) in enumerate(figures, start=row + 2):
        sheet.merge(r, 1, 2, "label")
        sheet.text(r, 1, label, "label")
        sheet.number(r, 3, then, "money")
        sheet.number(r, 4, now, "money")
        sheet.formula(r, 5, f"={at(r, 4)}-{at(r, 3)}", now - then, "money")
    last = row + 1 + len(figures)
    settings = "; ".join(changes.settings) or "none"
    words = f"What changed in the portfolio's own settings: {settings}."
    sheet.note(last + 1, 1, LAST_COLUMN, words)
    return last + 1


def _projects(sheet: Sheet, changes: Comparison, row: int) -> None:
    """Every project, largest change first: its NPV then and now, and what changed in its
    inputs; the sheet's last table."""
    sheet.text(row, 1, "Projects, largest change first", "section")
    header = row + 1
    labels = [
        "ID",
        "Project",
        "NPV then",
        "NPV now",
        "Change",
        "Status",
        "What changed in its inputs",
    ]
    sheet.header_row(header, labels)
    for r, change in enumerate(changes.projects, start=header + 1):
        sheet.text(r, 1, change.id, "text")
        lines = sheet.wrapped(r, 2, change.name, "wrap")
        for column, value in ((3, change.npv_a), (4, change.npv_b)):
            if value is None:
                sheet.text(r, column, "–", "centre")
            else:
                sheet.number(r, column, value, "money")
        sheet.number(r, 5, change.change, "money")
        sheet.text(r, 6, change.status, "centre")
        described = "\n".join(change.inputs) or _nothing(change.status)
        lines = max(lines, sheet.wrapped(r, 7, described, "wrap"))
        sheet.fit(r, lines, most=40)
    last = header + max(len(changes.projects), 1)
    sheet.finish(LAST_COLUMN, last, freeze=(header, 2), repeat=header)


def _nothing(status: str) -> str:
    """What the inputs column says when it lists no change."""
    return {
        "added": "a new project",
        "removed": "no longer in the set",
        "unchanged": "no change",
    }.get(status, "none of its own inputs: the portfolio's settings, grades or deflators did")
