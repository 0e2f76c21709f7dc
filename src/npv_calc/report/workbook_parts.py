"""What every sheet of the board workbook shares: the workbook being written (formats by name,
defined names), a sheet with cells addressed as the sheets are laid out (1-based rows and
columns), text that stays text, formulas that store their value, notes, titles and the print
set-up (protective marking, page fitting, repeated headings, panes).

Written with XlsxWriter: ``write_formula`` stores each formula's value as the cell's cached
result, so a reader that does not recalculate sees every figure, and charts are given the
cached values of their ranges.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..workbook_io import MAX_CELL_TEXT, cut_text, safe_text
from .workbook_style import Style

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from ..calculate import PortfolioResult
    from ..sensitivity import Sensitivity
    from ..simulate import Simulation

MARKING_TOKEN = "{marking}"
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
#: The value a formula shows when it gives Excel's "not available" error (NA()).
NOT_AVAILABLE = "#N/A"
#: Pixels per cm of a chart's size at 96 dpi.
PIXELS_PER_CM = 96 / 2.54


def name_id(project_id: str) -> str:
    """A project id as used in defined names: every character outside A-Za-z0-9_ becomes _."""
    return _NAME_UNSAFE.sub("_", project_id)


def sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def letter(column: int) -> str:
    """The letters of a 1-based column: 1 -> A, 27 -> AA."""
    name = ""
    while column:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def absolute(column: int, row: int) -> str:
    return f"${letter(column)}${row}"


def span(first: int, last: int, row: int) -> str:
    """``$C$7:$L$7``: a row of columns ``first..last``."""
    return f"${letter(first)}${row}:${letter(last)}${row}"


def column_span(column: int, first: int, last: int) -> str:
    """``$H$14:$H$22``: a column of rows ``first..last``."""
    return f"${letter(column)}${first}:${letter(column)}${last}"


def wrapped_lines(text: str, width: float, factor: float = 1.0) -> int:
    """About how many lines ``text`` takes in a column ``width`` characters wide (a 10pt Arial
    character takes about one unit of column width; ``factor`` scales that)."""
    usable = max(width - 1.5, 1.0)
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += max(1, math.ceil(len(paragraph) * factor / usable))
    return lines


@dataclass(frozen=True)
class Audit:
    """What the ``Audit`` sheet records besides the result itself."""

    command: str
    marking: str = "OFFICIAL"
    created: dt.datetime | None = None


class Book:
    """The workbook being written and what it is written from."""

    def __init__(
        self,
        wb: Workbook,
        style: Style,
        result: PortfolioResult,
        audit: Audit,
        titles: dict[str, str],
        sensitivity: Sensitivity | None = None,
        simulation: Simulation | None = None,
    ):
        self.wb = wb
        self.style = style
        self.result = result
        self.audit = audit
        #: the sheet title of each project, by id
        self.titles = titles
        self.sensitivity = sensitivity
        self.simulation = simulation
        self._formats: dict[str, Format] = {}

    def format(self, name: str) -> Format:
        found = self._formats.get(name)
        if found is None:
            found = self._formats[name] = self.wb.add_format(self.style.formats[name])
        return found

    def name(self, name: str, sheet: Sheet, ref: str) -> None:
        """A workbook-scope defined name for a cell or range of ``sheet``."""
        self.wb.define_name(name, f"={sheet_ref(sheet.title)}!{ref}")

    def sheet(self, title: str) -> Sheet:
        return Sheet(self, self.wb.add_worksheet(title, worksheet_class=_worksheet_class()), title)


class Sheet:
    """A worksheet, addressed by 1-based row and column as the layouts are written."""

    def __init__(self, book: Book, ws: Worksheet, title: str):
        self.book = book
        self.ws = ws
        self.title = title
        self.widths: dict[int, float] = {}
        self._title: tuple[str, str] = ("", "")

    # -- cells -----------------------------------------------------------------------------

    def text(self, row: int, column: int, value: object, style: str = "text") -> None:
        """Text that stays text, whatever it starts with (``=``, ``+``, ``-``, ``@``): every
        piece of text from an input file goes through here."""
        self.ws.write_string(
            row - 1, column - 1, cut_text(safe_text(value)), self.book.format(style)
        )

    def number(self, row: int, column: int, value: float | bool | None, style: str) -> None:
        """A number or a boolean (``None``: an empty cell in the style)."""
        fmt = self.book.format(style)
        if value is None:
            self.ws.write_blank(row - 1, column - 1, None, fmt)
        elif isinstance(value, bool):
            self.ws.write_boolean(row - 1, column - 1, value, fmt)
        else:
            self.ws.write_number(row - 1, column - 1, _finite(value), fmt)

    def formula(self, row: int, column: int, formula: str, value: object, style: str) -> None:
        """A formula built by npv-calc (never input text) and the value npv-calc computed for
        it, stored as the cell's cached result: a number, a boolean, a text, ``""`` for an
        empty text, or :data:`NOT_AVAILABLE`."""
        if isinstance(value, bool):
            cached: object = value
        elif isinstance(value, str):
            cached = value
        else:
            cached = _finite(value)  # type: ignore[arg-type]
        self.ws.write_formula(row - 1, column - 1, formula, self.book.format(style), cached)

    def blank(self, row: int, column: int, style: str) -> None:
        self.ws.write_blank(row - 1, column - 1, None, self.book.format(style))

    def width(self, column: int, width: float) -> None:
        self.widths[column] = width
        self.ws.set_column(column - 1, column - 1, width)

    def widths_from(self, widths: Sequence[float], start: int = 1) -> None:
        for i, width in enumerate(widths):
            self.width(start + i, width)

    def height(self, row: int, height: float) -> None:
        self.ws.set_row(row - 1, height)

    def column_width(self, column: int) -> float:
        return self.widths.get(column, 8.43)

    # -- common pieces ---------------------------------------------------------------------

    def title_band(self, title: str, subtitle: str) -> None:
        """The sheet's title and subtitle (written across the used columns by :meth:`finish`)."""
        self._title = (title, subtitle)

    def header_row(self, row: int, labels: Iterable[str], start: int = 1) -> None:
        labels = list(labels)
        for i, label in enumerate(labels):
            self.text(row, start + i, label, "header")
        # A header as tall as its longest label needs, wrapped in its column.
        lines = max(
            (
                wrapped_lines(label, self.column_width(start + i), 1.1)
                for i, label in enumerate(labels)
            ),
            default=1,
        )
        if lines > 1:
            self.height(row, 13 * lines + 2)

    def note(self, row: int, first: int, last: int, text: str, style: str = "wrap note") -> None:
        """A note across columns ``first..last``, wrapped, its row tall enough to show it all."""
        fmt = self.book.format(style)
        if last > first:
            self.ws.merge_range(row - 1, first - 1, row - 1, last - 1, "", fmt)
        self.text(row, first, text, style)
        width = sum(self.column_width(c) for c in range(first, last + 1))
        # A 9pt italic character takes about 0.85 of a column-width unit.
        lines = wrapped_lines(text, width, 0.85)
        self.height(row, max(13, 12 * lines + 2))

    def wrapped(self, row: int, column: int, text: str, style: str = "wrap") -> int:
        """Wrapped text in one cell; returns the lines it takes (for the row's height)."""
        self.text(row, column, text, style)
        return wrapped_lines(text, self.column_width(column))

    def finish(
        self,
        last_column: int,
        last_row: int,
        freeze: tuple[int, int],
        protect: bool = True,
        repeat: int | None = None,
    ) -> None:
        """The title band across the used columns, printing, panes and protection.

        ``repeat`` is the header row of the sheet's long table, printed at the top of every
        continuation page; without it the title rows repeat.
        """
        style = self.book.style
        page = style.page
        title, subtitle = self._title
        self.text(1, 1, title, "title")
        self.text(2, 1, subtitle, "subtitle")
        for column in range(2, last_column + 1):
            self.blank(1, column, "title")
            self.blank(2, column, "subtitle")
        self.height(1, page["title_height"])
        self.height(2, page["subtitle_height"])
        ws = self.ws
        marking = safe_text(self.book.audit.marking).replace("&", "&&")
        ws.set_header(page["header"].replace(MARKING_TOKEN, marking))
        ws.set_footer(page["footer"].replace(MARKING_TOKEN, marking))
        ws.set_paper(page["paper"])
        if page["landscape"]:
            ws.set_landscape()
        ws.set_margins(
            left=page["margin_left"],
            right=page["margin_right"],
            top=page["margin_top"],
            bottom=page["margin_bottom"],
        )
        if page["center_horizontally"]:
            ws.center_horizontally()
        ws.set_zoom(page["zoom"])
        ws.hide_gridlines(2)
        ws.print_area(0, 0, last_row - 1, last_column - 1)
        if repeat is not None:
            ws.repeat_rows(repeat - 1)
        else:
            ws.repeat_rows(0, 1)
        width = sum(self.column_width(c) for c in range(1, last_column + 1))
        pages = max(1, math.ceil(width / page["page_width"]))
        ws.fit_to_pages(pages, 0)
        ws.print_across()
        if pages > 1:
            ws.repeat_columns(0, 1)
        ws.freeze_panes(*freeze)
        if protect:
            ws.protect("", {"format_columns": True, "format_rows": True})


#: The spreadsheet functions npv-calc's formulas use: all in Excel since 2007, none of them one
#: that XlsxWriter must rename (``_xlfn.``), which tests/test_workbook.py checks.
FUNCTIONS = frozenset(
    {
        "AND",
        "COUNT",
        "COUNTIFS",
        "EXACT",
        "IF",
        "IFERROR",
        "INDEX",
        "IRR",
        "LOOKUP",
        "MATCH",
        "MIN",
        "MOD",
        "NA",
        "SUM",
        "SUMIFS",
        "SUMPRODUCT",
        "TEXT",
        "VLOOKUP",
    }
)


def _worksheet_class() -> type:
    """XlsxWriter's worksheet without its formula rewriting: it tries some 30 patterns on every
    formula (newer functions that need an ``_xlfn.`` prefix), which took half the time of
    writing a workbook, and npv-calc's formulas use none of them (:data:`FUNCTIONS`)."""
    global _WORKSHEET
    if _WORKSHEET is None:
        from xlsxwriter.worksheet import Worksheet

        class PlainFormulas(Worksheet):  # type: ignore[misc]
            def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
                return formula[1:] if formula.startswith("=") else formula

        _WORKSHEET = PlainFormulas
    return _WORKSHEET


_WORKSHEET: type | None = None


def _finite(value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"a workbook cell cannot hold {number}")
    return number


__all__ = [
    "MAX_CELL_TEXT",
    "NOT_AVAILABLE",
    "Audit",
    "Book",
    "Sheet",
    "absolute",
    "column_span",
    "letter",
    "name_id",
    "sheet_ref",
    "span",
]
