"""The ``Summary`` sheet: the first page, the one story a board reads (SPEC, "One story for the
board"). It prints on one A4 landscape page and reads top to bottom:

1. the verdict, the NPV toward the target (the first and largest figure), the target and the
   headroom; the other portfolio figures after, each labelled as not the one tested;
2. how sure: the pessimistic scenario's NPV toward the target and its headroom, how far the
   benefits still to come could fall, and, when simulated, the chance of meeting the target
   with its standard error and what the simulation includes and cannot;
3. delivery: a row per project, cost, benefits and schedule in words (Realisation sheet);
4. what changed since the last board (``run --previous``);
5. the three largest risks by expected cost, and the NPV realised to date;

and a chart of the NPV secured toward the target as projects start. Its figures are live sums
of the Projects sheet and links to the Scenarios and Realisation sheets.
"""

from __future__ import annotations

from collections.abc import Mapping

from ... import __version__
from ...model import financial_year
from ...results.appraisal import LineResult
from ...results.realisation import Progress, ProjectProgress
from ..table import settings_line, who_counts
from .anchors import Cell, fixed
from .cells import PIXELS_PER_CM, Book, Sheet
from .formulas import year_label
from .project import NO_RATIO
from .projects import ProjectsAnchors, by_start_year
from .realisation import DeliveryCells
from .summary_sure import how_sure, sure_words

#: Column widths: the left panel (label, figure, figure), a gap, the right panel (ID, project,
#: and three narrow columns).
WIDTHS = (44, 16, 16, 2, 8, 30, 11, 11, 11)
LABEL, FIGURE, EXTRA = 1, 2, 3
RIGHT = 5
LAST_COLUMN = len(WIDTHS)
#: Projects rated on the first page (those Red or Amber first); the rest are on Realisation.
RATED_SHOWN = 12
#: Rows the chart takes.
CHART_ROWS = 16


def summary_sheet(
    book: Book,
    sheet: Sheet,
    table: ProjectsAnchors,
    scenarios: Mapping[str, tuple[Cell, Cell]],
    delivery: DeliveryCells | None,
) -> None:
    """The Summary: the first page, in bands of two panels side by side (each band's rows hold
    one line of each panel, so that neither panel's row heights disturb the other's), each
    band's longer words in a note across the page below it."""
    result = book.pack.result
    sheet.title_band(
        result.portfolio.name,
        f"{result.scenario.capitalize()} scenario. {settings_line(result)}. "
        f"Written by npv-calc {__version__} on {book.created:%d %B %Y}.",
    )
    sheet.widths_from(WIDTHS)
    # Band 1: the verdict beside how sure it is.
    end = max(_verdict(book, sheet, table, 4), how_sure(book, sheet, table, scenarios, 4))
    end = _band_note(sheet, end + 1, [_tested_words(book), sure_words(book)])
    # Band 2: the other figures and the part realised beside delivery.
    left = _other_figures(book, sheet, table, end + 2)
    left = _realised(book, sheet, left + 1)
    right = _delivery(book, sheet, delivery, end + 2)
    end = _band_note(sheet, max(left, right) + 1, [_delivery_words(book), CASHABLE_WORDS])
    # Band 3: the largest risks beside what changed since the last board.
    end = max(_risks(book, sheet, end + 2), _changes(book, sheet, end + 2))
    chart_row = end + 2
    _chart(book, sheet, table, chart_row)
    sheet.finish(LAST_COLUMN, chart_row + CHART_ROWS, freeze=(2, 0), one_page=True)


#: What the two figures that sound alike count (SPEC: labelled side by side).
CASHABLE_WORDS = (
    "Cashable NPV: cashable savings less all costs, what budgets can take out. Financial "
    "return: every benefit to public budgets, cashable or not, per pound of cost. They count "
    "different benefits, so they can point opposite ways."
)


def _band_note(sheet: Sheet, row: int, parts: list[str]) -> int:
    """A note across the page under a band; returns its row."""
    sheet.note(row, LABEL, LAST_COLUMN, " ".join(part for part in parts if part))
    return row


def _tested_words(book: Book) -> str:
    result = book.pack.result
    return (
        f"The NPV toward the target is that of {who_counts(result.portfolio)}, each "
        "discounted to its own start year, as the programme reports it."
    )


def _verdict(book: Book, sheet: Sheet, table: ProjectsAnchors, row: int) -> int:
    """MEETS or MISSES TARGET, the NPV toward the target (the first, largest figure), the
    target, its year and the headroom; returns the last row."""
    result = book.pack.result
    target = result.target
    sheet.text(row, LABEL, "Against the target", "section")
    status = (
        "NO TARGET SET"
        if target is None
        else ("MEETS TARGET" if result.meets_target else "MISSES TARGET")
    )
    verdict = row + 1
    sheet.merge(verdict, LABEL, EXTRA, "verdict")
    sheet.formula(
        verdict,
        LABEL,
        '=IF(Target="","NO TARGET SET",IF(Headroom>=0,"MEETS TARGET","MISSES TARGET"))',
        status,
        "verdict",
    )
    sheet.height(verdict, 24)
    book.status_colours(fixed(verdict, LABEL), sheet.span(verdict, LABEL, verdict, EXTRA))
    npv, counts = table.column("npv").on, table.column("counts").on
    tested = verdict + 1
    sheet.text(tested, LABEL, "NPV toward the target", "label verdict")
    sheet.merge(tested, FIGURE, EXTRA, "money verdict")
    toward = result.npv_toward_target
    sheet.formula(tested, FIGURE, f'=SUMIFS({npv},{counts},"Yes")', toward, "money verdict")
    sheet.height(tested, 26)
    book.define("NPVTowardTarget", sheet.cell(tested, FIGURE))
    rows = [
        ("Target", None, target, "input money", "Target"),
        (
            "Target year (starting by then counts)",
            None,
            result.portfolio.target_year,
            "input year",
            "TargetYear",
        ),
        (
            "Headroom (negative: shortfall)",
            '=IF(Target="","",NPVTowardTarget-Target)',
            "" if result.headroom is None else result.headroom,
            "money key",
            "Headroom",
        ),
    ]
    for r, (label, formula, value, style, name) in enumerate(rows, start=tested + 1):
        sheet.text(r, LABEL, label, "label")
        if formula is None:
            sheet.number(r, FIGURE, value, style)  # type: ignore[arg-type]
        else:
            sheet.formula(r, FIGURE, formula, value, style)
        book.define(name, sheet.cell(r, FIGURE))
    return tested + len(rows)


def _other_figures(book: Book, sheet: Sheet, table: ProjectsAnchors, row: int) -> int:
    """The portfolio's other figures, each labelled as not the one tested against the target;
    cashable NPV and financial return side by side. Returns the last row."""
    result = book.pack.result
    sheet.text(row, LABEL, "Other figures (not tested against the target)", "section")
    r = row + 1
    sheet.text(r, LABEL, "NPV of all projects (counting or not)", "label")
    sheet.formula(r, FIGURE, f"=SUM({table.column('npv').on})", result.npv, "money")
    book.define("PortfolioNPV", sheet.cell(r, FIGURE))
    if result.as_of is not None:
        r += 1
        sheet.text(r, LABEL, "NPV toward the target as approved (plan)", "label")
        sheet.number(r, FIGURE, result.npv_toward_target_plan, "money")
    if result.present_value_year is not None:
        r += 1
        label = f"NPV of all projects at {financial_year(result.present_value_year)}"
        formula = year_label("NPV of all projects at ", "PresentValueYear")
        sheet.formula(r, LABEL, formula, label, "label")
        value = result.npv_at_present_value_year
        sheet.formula(r, FIGURE, "=PortfolioNPVAtPVYear", value, "money")
    r += 1
    sheet.text(r, LABEL, "Cashable NPV (cashable savings - costs)", "label")
    cashable = f"=SUM({table.column('cashable_npv').on})"
    sheet.formula(r, FIGURE, cashable, result.cashable_npv, "money")
    book.define("CashableNPV", sheet.cell(r, FIGURE))
    r += 1
    sheet.text(r, LABEL, "Financial return (fiscal benefits / costs)", "label")
    roi = result.financial_roi
    sheet.formula(r, FIGURE, "=PortfolioFinancialROI", NO_RATIO if roi is None else roi, "ratio")
    return r


def _delivery(book: Book, sheet: Sheet, delivery: DeliveryCells | None, row: int) -> int:
    """A row per project rated against the base plan: cost, benefits and schedule in words,
    linked to the Realisation sheet (Red and Amber first); returns the last row."""
    progress = book.pack.progress
    if progress is None or delivery is None:
        sheet.text(row, RIGHT, "Delivery", "section")
        sheet.text(row + 1, RIGHT, "No outturn is recorded: nothing to rate yet.", "note")
        return row + 1
    sheet.text(row, RIGHT, f"Delivery to {financial_year(progress.as_of)}", "section")
    sheet.header_row(row + 1, ["ID", "Project", "Cost", "Benefits", "Schedule"], RIGHT)
    r = row + 1
    for p in _rated(progress)[:RATED_SHOWN]:
        r += 1
        rag = p.rag
        assert rag is not None
        sheet.text(r, RIGHT, p.id, "text")
        sheet.text(r, RIGHT + 1, p.name, "text")
        ratings = (rag.cost, rag.benefits, rag.schedule)
        for offset, (cell, rating) in enumerate(zip(delivery.projects[p.id], ratings, strict=True)):
            column = RIGHT + 2 + offset
            sheet.formula(r, column, f"={cell.on}", rating.word, f"rag {rating.status}")
    if r > row + 1:
        book.rag_colours(sheet.span(row + 2, RIGHT + 2, r, RIGHT + 4))
    return r


def _rated(progress: Progress) -> list[ProjectProgress]:
    """The projects with a delivery status, Red ones first, then Amber, then Green."""
    severity = {"red": 0, "amber": 1, "green": 2}

    def worst(p: ProjectProgress) -> int:
        assert p.rag is not None
        return min(severity[r.status] for r in (p.rag.cost, p.rag.benefits, p.rag.schedule))

    return sorted((p for p in progress.projects if p.rag is not None), key=worst)


def _delivery_words(book: Book) -> str:
    """What the delivery table leaves to the Realisation sheet."""
    progress = book.pack.progress
    if progress is None:
        return ""
    rated = _rated(progress)
    others = [p.id for p in progress.projects if p.rag is None]
    words = "Delivery: cost and benefits to date against the plan before optimism bias (an "
    words += "allowance, not a budget), schedule from the first benefit recorded."
    if len(rated) > RATED_SHOWN:
        words += f" {len(rated) - RATED_SHOWN} more projects on the Realisation sheet."
    if len(others) > RATED_SHOWN:
        words += f" Not rated, no outturn yet: {len(others)} projects (Realisation sheet)."
    elif others:
        words += f" Not rated, no outturn yet: {', '.join(others)}."
    return words


def _changes(book: Book, sheet: Sheet, row: int) -> int:
    """What changed since the last board (``run --previous``): the NPV toward the target then
    and now, and the three largest changes by project; returns the last row."""
    changes = book.pack.changes
    if changes is None:
        return row - 1
    sheet.text(row, RIGHT, "Since the last board (Changes sheet)", "section")
    sheet.header_row(row + 1, ["", "", "Then", "Now", "Change"], RIGHT)
    then, now = changes.a.npv_toward_target, changes.b.npv_toward_target
    rows: list[tuple[str, str, float | None, float | None, float]] = [
        ("", "NPV toward the target", then, now, now - then)
    ]
    moved = [c for c in changes.projects if c.status != "unchanged"][:3]
    rows += [(c.id, f"{c.name}{c.aside}", c.npv_a, c.npv_b, c.change) for c in moved]
    r = row + 1
    for pid, label, *figures in rows:
        r += 1
        sheet.text(r, RIGHT, pid, "text")
        style = "label" if not pid else "wrap"
        sheet.fit(r, sheet.wrapped(r, RIGHT + 1, label, style), most=2)
        for offset, value in enumerate(figures):
            if value is None:
                sheet.text(r, RIGHT + 2 + offset, "–", "centre")
            else:
                sheet.number(r, RIGHT + 2 + offset, value, "money")
    return r


def _largest_risks(book: Book) -> list[tuple[str, LineResult]]:
    """The three risks with the largest expected cost (PV), with their projects' ids."""
    risks = [(p.id, lr) for p in book.pack.result.projects for lr in p.risks]
    return sorted(risks, key=lambda item: -item[1].pv)[:3]


def _risks(book: Book, sheet: Sheet, row: int) -> int:
    """The three largest risks by expected cost; returns the last row."""
    sheet.text(row, LABEL, "Largest risks", "section")
    risks = _largest_risks(book)
    if not risks:
        sheet.text(row + 1, LABEL, "No risk is registered.", "note")
        return row + 1
    sheet.header_row(row + 1, ["Project: risk", "Chance", "Expected cost (PV)"])
    r = row + 1
    for pid, lr in risks:
        r += 1
        sheet.fit(r, sheet.wrapped(r, LABEL, f"{pid}: {lr.line.name}", "wrap"), most=2)
        sheet.number(r, FIGURE, getattr(lr.line, "probability", 0.0), "percent")
        sheet.number(r, EXTRA, lr.pv, "money")
    return r


def _realised(book: Book, sheet: Sheet, row: int) -> int:
    """The NPV realised to date, from the outturn recorded; returns the last row."""
    realised = book.pack.result.realised
    if realised is None or realised.to_year is None:
        return row - 1
    sheet.text(row, LABEL, f"Realised to {financial_year(realised.to_year)} (outturn)", "section")
    rows = [
        ("NPV realised", realised.npv),
        ("PV of benefits realised", realised.pv_benefits),
        ("PV of costs realised", realised.pv_costs),
    ]
    for r, (label, value) in enumerate(rows, start=row + 1):
        sheet.text(r, LABEL, label, "label")
        sheet.number(r, FIGURE, value, "money")
    return row + len(rows)


def _chart(book: Book, sheet: Sheet, table: ProjectsAnchors, row: int) -> None:
    """The NPV secured toward the target as projects start: each project's NPV (grey where it
    does not count), the cumulative NPV toward the target by start year, and the target."""
    result = book.pack.result
    ordered = by_start_year(result)
    many = len(ordered) > 20
    colours = book.style.colours
    categories = table.column("id").chart()
    points = [None if p.counts_toward_target else {"fill": {"color": "#BFBFBF"}} for p in ordered]
    bars = book.wb.add_chart({"type": "column"})
    bars.add_series(
        {
            "name": "NPV of each project (grey: does not count toward the target)",
            "categories": categories,
            "values": table.column("npv").chart(),
            "fill": {"color": colours["navy"]},
            "points": points,
            "gap": 80,
        }
    )
    lines = book.wb.add_chart({"type": "line"})
    lines.add_series(
        {
            "name": "NPV toward the target, secured as projects start",
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
    title = "NPV by project, by start year, and the NPV secured toward the target"
    bars.set_title({"name": title, "name_font": {"size": 10, "bold": True}})
    # Labels at the bottom of the plot, clear of bars below zero (a pessimistic case).
    bars.set_x_axis(
        {
            "label_position": "low",
            "num_font": {"size": 7, "rotation": -90} if many else {"size": 8},
            "interval_unit": 1,
        }
    )
    bars.set_y_axis(
        {
            "num_format": '"£"#,##0.0,,"m"',
            "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
        }
    )
    bars.set_legend({"position": "right", "font": {"size": 8}})
    width = sum(WIDTHS) * 7 + 5 * len(WIDTHS)
    bars.set_size({"width": width, "height": 7.5 * PIXELS_PER_CM})
    sheet.insert_chart(row, 1, bars)
