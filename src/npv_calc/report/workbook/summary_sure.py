"""The Summary's "How sure" panel: the pessimistic stress test, always; how far the benefits still
to come could fall before the target is missed; and, when simulated, the chance of meeting the
target, never shown as 100% or 0%. :func:`sure_words` says the rest in the note below the band:
what the stress test is, the chance's standard error, what the simulation includes and what it
cannot."""

from __future__ import annotations

from collections.abc import Mapping

from ...results.uncertainty import Simulation
from ..simulation_table import probability_error
from ..text import ALMOST_CERTAIN, ALMOST_NEVER, probability
from .anchors import Cell
from .cells import Book, Sheet
from .projects import ProjectsAnchors

#: The panel's columns: a label across the first three, a figure across the last two.
LABEL, LABEL_END, FIGURE, FIGURE_END = 5, 7, 8, 9


def how_sure(
    book: Book,
    sheet: Sheet,
    table: ProjectsAnchors,
    scenarios: Mapping[str, tuple[Cell, Cell]],
    row: int,
) -> int:
    """The panel, from ``row``; returns its last row."""
    sheet.text(row, LABEL, "How sure", "section")
    r = _pessimistic(book, sheet, scenarios, row + 1)
    r = _fall(book, sheet, table, r + 1)
    simulation = book.pack.simulation
    r += 1
    if simulation is not None and simulation.prob_meets_target is not None:
        _chance(sheet, simulation, r)
    else:
        _pair(sheet, r, "Chance of meeting the target", None, "")
        sheet.merge(r, FIGURE, FIGURE_END, "note right")
        sheet.text(r, FIGURE, "not simulated", "note right")
    return r


def _pair(sheet: Sheet, row: int, label: str, formula: str | None, value: object) -> None:
    """A label across the panel's label columns and a figure across its figure columns."""
    sheet.merge(row, LABEL, LABEL_END, "label")
    sheet.text(row, LABEL, label, "label")
    if formula is not None:
        style = "money key" if isinstance(value, float | int) or value == "" else "percent key"
        sheet.merge(row, FIGURE, FIGURE_END, style)
        sheet.formula(row, FIGURE, formula, value, style)


def _pessimistic(
    book: Book, sheet: Sheet, scenarios: Mapping[str, tuple[Cell, Cell]], row: int
) -> int:
    """The pessimistic scenario's NPV toward the target and headroom (links to the Scenarios
    sheet); returns the last row."""
    found = book.pack.scenarios.get("pessimistic")
    cells = scenarios.get("pessimistic")
    if isinstance(found, str) or found is None or cells is None:
        _pair(sheet, row, "Pessimistic scenario", None, "")
        sheet.text(row, FIGURE, "not appraised", "note")
        return row
    toward, headroom = cells
    label = "Pessimistic: NPV toward the target"
    _pair(sheet, row, label, f"={toward.on}", found.npv_toward_target)
    value = "" if found.headroom is None else found.headroom
    _pair(sheet, row + 1, "Pessimistic: headroom", f"={headroom.on}", value)
    return row + 1


def _fall(book: Book, sheet: Sheet, table: ProjectsAnchors, row: int) -> int:
    """How far the benefits still to come of the counting projects could all fall before the
    target is missed (outturn recorded cannot fall); returns its row."""
    fall = book.pack.benefits_fall_to_miss_target
    to_come, counts = table.column("to_come").on, table.column("counts").on
    sheet.merge(row, LABEL, LABEL_END, "label")
    # The label says which way: a negative share means the target is missed.
    benefits = book.pack.result.benefits_that_can_fall
    sheet.formula(
        row,
        LABEL,
        f'=IF(N(BenefitsFallToMissTarget)<0,"{benefits} must rise by","{benefits} could fall by")',
        f"{benefits} must rise by"
        if fall is not None and fall < 0
        else f"{benefits} could fall by",
        "label",
    )
    sheet.merge(row, FIGURE, FIGURE_END, "percent key")
    sheet.formula(
        row,
        FIGURE,
        f'=IF(Target="","–",IFERROR(Headroom/SUMIFS({to_come},{counts},"Yes"),"–"))',
        "–" if fall is None else fall,
        "percent key",
    )
    book.define("BenefitsFallToMissTarget", sheet.cell(row, FIGURE))
    return row


def _chance(sheet: Sheet, simulation: Simulation, row: int) -> None:
    """The chance of meeting the target, never shown as 100% or 0%."""
    share = simulation.prob_meets_target
    assert share is not None
    extreme = not ALMOST_NEVER <= share <= ALMOST_CERTAIN
    sheet.merge(row, LABEL, LABEL_END, "label")
    sheet.text(row, LABEL, "Chance of meeting the target", "label")
    sheet.merge(row, FIGURE, FIGURE_END, "probability key")
    sheet.formula(
        row,
        FIGURE,
        f'=IF(ProbMeetsTarget>{ALMOST_CERTAIN},"more than 99.9%",'
        f'IF(ProbMeetsTarget<{ALMOST_NEVER},"less than 0.1%",ProbMeetsTarget))',
        probability(share) if extreme else share,
        "probability key",
    )


def sure_words(book: Book) -> str:
    """What the panel's figures are, in the note below the band."""
    words = (
        "Pessimistic: every uncertain value at the end that lowers the NPV at once, a stress "
        "test, not a forecast (Scenarios sheet). Benefits still to come: the outturn recorded "
        "cannot fall, so it is left out."
    )
    simulation = book.pack.simulation
    if simulation is not None and simulation.prob_meets_target is not None:
        words += f" Chance: {probability_error(simulation)}. {_scope(book, simulation)}"
    return words


def _scope(book: Book, simulation: Simulation) -> str:
    """What the simulation includes (ranges, correlation groups, risks) and what it cannot."""
    risks = sum(len(p.risks) for p in book.pack.result.projects)
    groups = len(simulation.correlation_groups)
    values = simulation.uncertain_values
    included = f"{simulation.iterations:,} draws of {values} uncertain value{'s' * (values != 1)}"
    if groups:
        included += f" (correlated in {groups} group{'s' * (groups != 1)})"
    if risks:
        included += f" and whether each of {risks} risk{'s' * (risks != 1)} happens"
    return (
        f"The simulation counts {included}; it cannot include a project that is cancelled or "
        "a change of scope."
    )
