"""Figures and text as the console outputs show them: pounds, percentages, ratios, counts,
inputs, and columns of text aligned (the tables of :mod:`~npv_calc.report.table`, the economic
case of :mod:`~npv_calc.report.case` and the workbook's sheets use them)."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from ..errors import printable
from ..model import financial_year

if TYPE_CHECKING:
    from ..results.realisation import Delivery, Rating


def number(value: float | None) -> float | None:
    """A figure for a document: a float, or ``None`` (JSON ``null``) for none or a non-finite
    one."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def money(value: float | None) -> str:
    """Whole pounds with thousands separators: ``-£1,234``; ``–`` for no value."""
    if value is None:
        return "–"
    rounded = round(value)
    sign = "-" if rounded < 0 else ""
    return f"{sign}£{abs(rounded):,}"


def percent(value: float | None, places: int = 1) -> str:
    """A share as a percentage: ``12.5%``; ``–`` for no value."""
    return "–" if value is None else f"{value * 100:.{places}f}%"


#: A probability is never shown as 100% or 0% (SPEC): the draws can only say it is beyond these.
ALMOST_CERTAIN = 0.999
ALMOST_NEVER = 0.001


def probability(value: float) -> str:
    """A share of draws as a percentage to one decimal, never 100% or 0%: a simulation cannot
    show a certainty, only that the other outcome is rarer than its draws can measure.

    Examples
    --------
    >>> probability(0.9531), probability(1.0), probability(0.0)
    ('95.3%', 'more than 99.9%', 'less than 0.1%')
    """
    if value > ALMOST_CERTAIN:
        return "more than 99.9%"
    if value < ALMOST_NEVER:
        return "less than 0.1%"
    return f"{value * 100:.1f}%"


def ratio(value: float | None) -> str:
    """A ratio to two places: ``1.25``; ``–`` for no value."""
    return "–" if value is None else f"{value:.2f}"


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    # Control characters (an escape sequence in a name would restyle the terminal) are shown
    # escaped, as in messages.
    text = " ".join(text.split())
    shown = printable(text)
    if len(shown) <= width:
        return shown
    # cut between characters, never inside an escape (``\u202e`` cut to ``\u2…`` says nothing)
    kept, length = [], 0
    for char in text:
        piece = printable(char)
        if length + len(piece) > width - 1:
            break
        kept.append(piece)
        length += len(piece)
    return "".join(kept) + "…"


def render_rows(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """Columns padded to their widest cell; ``right`` holds the right-aligned column numbers."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [fmt(headers), rule, *(fmt(r) for r in rows)]


def counted(count: int, noun: str) -> str:
    """``1 project``, ``2 projects``."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


_SHARE_FIELDS = {
    "growth",
    "drop_off",
    "deadweight",
    "displacement",
    "attribution",
    "optimism_bias",
    "probability",
}
_MONEY_FIELDS = {"annual", "unit_value", "impact"}


def input_value(field: str, value: float) -> str:
    """An input as a person reads it: shares as %, money in £, counts with separators."""
    if field in _SHARE_FIELDS:
        return f"{value * 100:g}%"
    if field in _MONEY_FIELDS:  # pounds, or pounds and pence
        return "£" + (f"{value:,.0f}" if value == int(value) else f"{value:,.2f}")
    return f"{value:,.0f}" if value == int(value) else f"{value:,.4f}".rstrip("0")


def signed_money(value: float) -> str:
    """``+£1,234`` / ``-£1,234`` / ``£0``."""
    text = money(value)
    return text if text.startswith("-") or round(value) == 0 else "+" + text


def wrap(text: str, width: int = 96) -> list[str]:
    """``text`` in lines of at most ``width`` characters."""
    # a name such as lower-rate-test-2026 or an id is never split at its hyphens
    return textwrap.wrap(text, width, break_on_hyphens=False)


def with_total(
    headers: list[str], rows: list[list[str]], total: list[str], right: set[int]
) -> list[str]:
    """:func:`render_rows` with a total row, set off from the rows by a second rule."""
    table = render_rows(headers, [*rows, total], right)
    return [*table[:-1], table[1], table[-1]]


# -- the delivery status (docs/method.md, section 11.6) ---------------------------------------


#: For costs and for benefits: nothing recorded, recorded with no base plan, level with it,
#: then the words for worse and better than plan and what the share is of.
_SHARE_WORDS = {
    "costs": (
        "no cost outturn recorded",
        "costs recorded where none were budgeted",
        "on budget",
        "over",
        "under",
        "budget",
    ),
    "benefits": (
        "no benefit outturn recorded",
        "benefits recorded where none were planned",
        "as planned",
        "short of",
        "above",
        "plan",
    ),
}


def share_words(delivery: Delivery, section: str) -> str:
    """What a project's ``costs`` or ``benefits`` status says, e.g. ``2.6% over budget`` or
    ``13.5% short of plan``."""
    none, unplanned, level, worse, better, of = _SHARE_WORDS[section]
    if section == "costs":
        share, recorded = delivery.cost.share, delivery.costs_recorded
    else:
        share, recorded = delivery.benefits.share, delivery.benefits_recorded
    if not recorded:
        return none
    if share is None:
        return unplanned
    if round(share, 3) == 0:  # what the one decimal of a percentage shows as 0.0%
        return level
    return f"{percent(abs(share))} {worse if share > 0 else better} {of}"


def schedule_words(delivery: Delivery) -> str:
    """What a project's schedule status says, e.g. ``first benefit 2021/22, a year late``."""
    planned, recorded = delivery.first_planned, delivery.first_recorded
    late = int(delivery.schedule.share or 0)
    if planned is None:
        return "no benefits planned"
    if recorded is None:
        if late <= 0:
            return f"first benefit due {financial_year(planned)}"
        return f"none recorded, due {financial_year(planned)}: {_years(late)} late so far"
    if late == 0:
        return f"first benefit {financial_year(recorded)}, as planned"
    return f"first benefit {financial_year(recorded)}, {_years(abs(late))} " + (
        "late" if late > 0 else "early"
    )


def _years(count: int) -> str:
    return "a year" if count == 1 else f"{count} years"


def rating_text(rating: Rating, words: str) -> str:
    """A status in words with what it rests on: ``Green (12.0% under budget)``."""
    return f"{rating.word} ({words})"
