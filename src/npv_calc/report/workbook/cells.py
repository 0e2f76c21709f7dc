"""The workbook being written and its sheets: formats by name, defined names given to the cells
sheets own, text that stays text, formulas that store their value, notes, titles and the print
set-up (protective marking, page fitting, repeated headings, panes).

Cells are addressed by row and column numbered from 1 (:mod:`~.anchors`); XlsxWriter's 0-based
numbers are made here only. ``write_formula`` stores each formula's value as the cell's cached
result, so a reader that does not recalculate sees every figure, and charts are given the cached
values of their ranges.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...errors import printable
from ...workbook_io import cut_text, safe_text
from .anchors import Cell, Span, at
from .formulas import (
    _SHARED,
    CELL_NAME,
    clear_of_sheets,
    finite,
    shift_formula,
    stored,
    worksheet_class,
)
from .style import Style
from .text import wrapped_lines

if TYPE_CHECKING:
    from xlsxwriter.chart import Chart
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

    from ...results.board import BoardPack

MARKING_TOKEN = "{marking}"
#: The most a page header or footer holds: Excel's limit, in UTF-16 units, after the marking's
#: & is written && (XlsxWriter drops a longer one, with only a warning).
MAX_HEADER_FOOTER = 255
#: Points: a row of one line of 10pt text, as XlsxWriter's default row; a line of wrapped text.
DEFAULT_ROW_HEIGHT = 12.75
LINE_HEIGHT = 12.5
#: Points: a row holding a 12pt section heading.
SECTION_HEIGHT = 18.0
#: Width and height of XlsxWriter's paper sizes, in inches (9: A4, 1: Letter, 8: A3).
PAPER_INCHES = {9: (8.27, 11.69), 1: (8.5, 11.0), 8: (11.69, 16.54)}
#: Pixels per cm of a chart's size at 96 dpi.
PIXELS_PER_CM = 96 / 2.54


@dataclass(frozen=True)
class Audit:
    """What the ``Audit`` sheet records besides the result itself."""

    command: str
    marking: str = "OFFICIAL"
    created: dt.datetime | None = None


class Book:
    """The workbook being written and what it is written from: the board pack."""

    def __init__(
        self,
        wb: Workbook,
        style: Style,
        pack: BoardPack,
        audit: Audit,
        titles: dict[str, str],
    ):
        self.wb = wb
        self.style = style
        self.pack = pack
        self.audit = audit
        #: the sheet title of each project, by id
        self.titles = titles
        self._formats: dict[str, Format] = {}
        self._conditional: dict[str, Format] = {}
        self.sheets: dict[str, Sheet] = {}
        #: the titles (in lower case) of the sheets called like a cell (a project E6):
        #: formulas keep their ranges clear of them (:func:`~.formulas.clear_of_sheets`)
        self.cell_titles: frozenset[str] = frozenset()

    @property
    def created(self) -> dt.datetime:
        """The time the workbook records as written (now, unless the caller fixed it)."""
        return self.audit.created or dt.datetime.now(dt.UTC)

    def format(self, name: str) -> Format:
        found = self._formats.get(name)
        if found is None:
            found = self._formats[name] = self.wb.add_format(self.style.formats[name])
        return found

    def define(self, name: str, anchor: Cell | Span) -> None:
        """A workbook-scope defined name for a cell or range a sheet owns."""
        self.wb.define_name(name, f"={anchor.on}")

    def status_colours(self, criterion: str, span: Span) -> None:
        """Green for a target met and red for one missed, following the live figure in
        ``criterion`` (an address), over the cells of ``span``."""
        for text, name in (
            ("MEETS TARGET", "status good"),
            ("MISSES TARGET", "status bad"),
            ("Yes", "status good"),
            ("No", "status bad"),
        ):
            criteria = {"type": "formula", "criteria": f'={criterion}="{text}"'}
            self._colour_when(span, criteria, name)

    def rag_colours(self, span: Span) -> None:
        """Each cell of ``span`` in the colours of the delivery status it reads (``Green``,
        ``Amber`` or ``Red``), following its live formula: the word says it, the colour
        repeats it."""
        for word in ("Green", "Amber", "Red"):
            criteria = {"type": "cell", "criteria": "==", "value": f'"{word}"'}
            self._colour_when(span, criteria, f"rag {word.lower()}")

    def _colour_when(self, span: Span, criteria: dict[str, str], name: str) -> None:
        """The colours (and boldness) of the style's format ``name`` over ``span`` whenever
        ``criteria`` (a conditional format's) hold."""
        found = self._conditional.get(name)
        if found is None:
            spec = self.style.formats[name]
            found = self._conditional[name] = self.wb.add_format(
                {
                    "font_color": spec.get("font_color", "#000000"),
                    "bg_color": spec.get("bg_color", "#FFFFFF"),
                    "bold": True,
                }
            )
        first, last = span.first, span.last
        ws = self.sheets[span.sheet].ws
        ws.conditional_format(
            first.row - 1,
            first.column - 1,
            last.row - 1,
            last.column - 1,
            {**criteria, "format": found},
        )

    def sheet(self, title: str) -> Sheet:
        ws = self.wb.add_worksheet(title, worksheet_class=worksheet_class())
        # One row of 10pt text, in every spreadsheet program alike (the page layout counts on it)
        ws.set_default_row(DEFAULT_ROW_HEIGHT)
        sheet = Sheet(self, ws, title)
        self.sheets[title] = sheet
        if CELL_NAME.fullmatch(title):
            self.cell_titles |= {title.lower()}
        return sheet


class Sheet:
    """A worksheet, addressed by 1-based row and column as the layouts are written."""

    def __init__(self, book: Book, ws: Worksheet, title: str):
        self.book = book
        self.ws = ws
        self.title = title
        self.widths: dict[int, float] = {}
        self.heights: dict[int, float] = {}
        #: rows that start a printed page
        self.breaks: set[int] = set()
        self._shared = 0  # the next shared formula's index
        self._title: tuple[str, str] = ("", "")

    # -- addresses and cells ---------------------------------------------------------------

    def cell(self, row: int, column: int) -> Cell:
        """A cell of this sheet, as an anchor other sheets may refer to."""
        return Cell(row, column, self.title)

    def span(self, first_row: int, first_column: int, last_row: int, last_column: int) -> Span:
        """A rectangle of this sheet's cells."""
        return Span(self.cell(first_row, first_column), self.cell(last_row, last_column))

    def merge(self, row: int, first: int, last: int, style: str) -> None:
        """Merge columns ``first..last`` of a row (the first cell is written afterwards)."""
        self.ws.merge_range(row - 1, first - 1, row - 1, last - 1, "", self.book.format(style))

    def validate(self, row: int, column: int, options: dict[str, Any]) -> None:
        """A data validation on one input cell."""
        self.ws.data_validation(row - 1, column - 1, row - 1, column - 1, options)

    def choices(self, row: int, column: int, choices: Iterable[str]) -> None:
        """A drop-down list of ``choices`` on one input cell."""
        self.validate(row, column, {"validate": "list", "source": list(choices)})

    def insert_chart(self, row: int, column: int, chart: Chart) -> None:
        """A chart with its top-left corner at a cell."""
        self.ws.insert_chart(row - 1, column - 1, chart)

    def text(self, row: int, column: int, value: object, style: str = "text") -> None:
        """Text that stays text, whatever it starts with (``=``, ``+``, ``-``, ``@``): every
        piece of text from an input file goes through here."""
        self.ws.write_string(
            row - 1, column - 1, cut_text(safe_text(value)), self.book.format(style)
        )
        if style == "section" and self.row_height(row) < SECTION_HEIGHT:
            # a 12pt heading in a 15pt row loses the tails of its g and y when printed
            self.height(row, SECTION_HEIGHT)

    def number(self, row: int, column: int, value: float | bool | None, style: str) -> None:
        """A number or a boolean (``None``: an empty cell in the style)."""
        fmt = self.book.format(style)
        if value is None:
            self.ws.write_blank(row - 1, column - 1, None, fmt)
        elif isinstance(value, bool):
            self.ws.write_boolean(row - 1, column - 1, value, fmt)
        else:
            self.ws.write_number(row - 1, column - 1, finite(value), fmt)

    def formula(self, row: int, column: int, formula: str, value: object, style: str) -> None:
        """A formula built by npv-calc (never input text) and the value npv-calc computed for
        it, stored as the cell's cached result: a number, a boolean, a text, ``""`` for an
        empty text, or :data:`NOT_AVAILABLE`."""
        cached = _cached(value, style)
        if not formula.startswith("=" + _SHARED):  # a fill's text is cleared in formula_fill
            formula = clear_of_sheets(formula, self.book.cell_titles)
        self.ws.write_formula(row - 1, column - 1, formula, self.book.format(style), cached)

    def array_formula(self, row: int, column: int, formula: str, value: object, style: str) -> None:
        """A one-cell formula entered as an array formula (Ctrl+Shift+Enter), with its stored
        value. For a formula that applies a function to a range element by element inside
        SUMPRODUCT (``EXACT(range, cell)``, ``LN(1 + range)``): Excel and LibreOffice evaluate
        those as arrays anyway, but Gnumeric does so only in an array formula, and otherwise
        silently takes one element (or gives #VALUE!)."""
        cell = at(row, column)
        formula = clear_of_sheets(formula, self.book.cell_titles)
        self.ws.write_array_formula(
            f"{cell}:{cell}", formula, self.book.format(style), _cached(value, style)
        )

    def blank(self, row: int, column: int, style: str) -> None:
        self.ws.write_blank(row - 1, column - 1, None, self.book.format(style))

    def width(self, column: int, width: float) -> None:
        self.widths[column] = width
        self.ws.set_column(column - 1, column - 1, width)

    def widths_from(self, widths: Sequence[float], start: int = 1) -> None:
        for i, width in enumerate(widths):
            self.width(start + i, width)

    def height(self, row: int, height: float) -> None:
        self.heights[row] = height
        self.ws.set_row(row - 1, height)

    def row_height(self, row: int) -> float:
        return self.heights.get(row, DEFAULT_ROW_HEIGHT)

    def fit(self, row: int, lines: int, most: int = 8) -> None:
        """Make ``row`` tall enough for ``lines`` lines of 10pt text (up to ``most``)."""
        if lines > 1:
            self.height(row, LINE_HEIGHT * min(lines, most) + 2)

    def page_break(self, row: int) -> None:
        """Start a printed page at ``row``."""
        self.breaks.add(row)

    def keep_with_next(self, row: int, rows: int, last_column: int) -> None:
        """Start a page at ``row`` (a section's title, or a chart ``rows`` rows tall) unless
        the page it falls on certainly has room for it and ``rows`` rows after it: a heading
        is not left alone at the foot of a page, and a chart is not split.

        Only the rows since the last page break that npv-calc set are counted: where they
        run over a page, the spreadsheet breaks the page itself, at a row that differs between
        Excel and LibreOffice (they scale a page differently), so the block starts a page of
        its own rather than risk falling across that break."""
        capacity = self.page_height(last_column)
        top = max((b for b in self.breaks if b <= row), default=3)
        used = sum(self.row_height(r) for r in range(top, row))
        if used + (rows + 1) * DEFAULT_ROW_HEIGHT > capacity:
            self.page_break(row)

    def column_width(self, column: int) -> float:
        return self.widths.get(column, 8.43)

    # -- common pieces ---------------------------------------------------------------------

    def title_band(self, title: str, subtitle: str) -> None:
        """The sheet's title and subtitle (written across the used columns by :meth:`finish`)."""
        self._title = (title, subtitle)

    def header_row(self, row: int, labels: Iterable[str], start: int = 1) -> None:
        """A table's header row; an empty label widens the one to its left (its column holds
        the same thing, such as a long name, or nothing in this table)."""
        labels = list(labels)
        i = 0
        while i < len(labels):
            span = 1
            while labels[i] and i + span < len(labels) and labels[i + span] == "":
                span += 1
            if span > 1:
                column = start + i
                self.merge(row, column, column + span - 1, "header")
            self.text(row, start + i, labels[i], "header")
            i += span
        # A header as tall as its longest label needs, wrapped in its column.
        lines = max(
            (wrapped_lines(label, self.column_width(start + i)) for i, label in enumerate(labels)),
            default=1,
        )
        if lines > 1:
            self.height(row, LINE_HEIGHT * lines + 4)

    def note(self, row: int, first: int, last: int, text: str, style: str = "wrap note") -> None:
        """A note across columns ``first..last``, wrapped, its row tall enough to show it all."""
        if last > first:
            self.merge(row, first, last, style)
        self.text(row, first, text, style)
        width = sum(self.column_width(c) for c in range(first, last + 1))
        # A 9pt italic character takes about 0.85 of a column-width unit.
        lines = wrapped_lines(text, width, 0.85, columns=last - first + 1)
        self.height(row, max(13, 12 * lines + 2))

    def wrapped(self, row: int, column: int, text: str, style: str = "wrap", last: int = 0) -> int:
        """Wrapped text in one cell (merged across to column ``last`` when given); returns the
        lines it takes, for the row's height."""
        if last > column:
            self.merge(row, column, last, style)
        self.text(row, column, text, style)
        columns = range(column, max(column, last) + 1)
        width = sum(self.column_width(c) for c in columns)
        return wrapped_lines(text, width, columns=len(columns))

    # -- pages -----------------------------------------------------------------------------

    def page_height(self, last_column: int) -> float:
        """About how many points of rows a printed page holds, at the scale the sheet prints
        at (as wide as its columns need: see :meth:`finish`), less the repeated title rows."""
        page = self.book.style.page
        width, height = PAPER_INCHES.get(page["paper"], PAPER_INCHES[9])
        if page["landscape"]:
            width, height = height, width
        printable_width = (width - page["margin_left"] - page["margin_right"]) * 72
        printable_height = (height - page["margin_top"] - page["margin_bottom"]) * 72
        columns = sum(self.column_width(c) for c in range(1, last_column + 1))
        pages = max(1, math.ceil(columns / page["page_width"]))
        points = sum(int(self.column_width(c) * 7 + 5) for c in range(1, last_column + 1)) * 0.75
        scale = min(1.0, printable_width * pages / points)
        # a little to spare: a page that ends early is better than one cut short
        return 0.95 * printable_height / scale - page["title_height"] - page["subtitle_height"]

    def table(
        self, header: int, labels: Sequence[str], count: int, last_column: int, start: int = 1
    ) -> Iterator[int]:
        """The rows of a table of ``count`` rows under its header row: when the next row would
        not fit on the printed page, a new page starts with the header written again, so that
        a continuation page says what its columns are. For a sheet's last long table,
        :meth:`finish`'s ``repeat`` does this in the spreadsheet itself; this is for the
        others (their rows hold values or formulas of their own row only)."""
        self.header_row(header, labels, start)
        capacity = self.page_height(last_column)
        top = max((b for b in self.breaks if b <= header), default=3)
        used = sum(self.row_height(r) for r in range(top, header + 1))
        row = header + 1
        tallest = DEFAULT_ROW_HEIGHT
        for _ in range(count):
            if used + tallest > capacity:
                self.page_break(row)
                self.header_row(row, labels, start)
                used = self.row_height(row)
                row += 1
            yield row
            tallest = max(tallest, self.row_height(row))
            used += self.row_height(row)
            row += 1

    def formula_fill(
        self,
        row: int,
        first: int,
        formulas: Sequence[str],
        values: Sequence[object],
        style: str,
    ) -> None:
        """A row of formulas from column ``first``, as when a formula is filled right: written
        as one shared formula (ECMA-376 Part 1, 18.3.1.40), the first cell holding the formula
        and the range, the others referring to it, as Excel writes a fill. A first cell that
        is not part of the fill (year 0 of a running total) is written on its own. The fill is
        checked at its second and last cell; a row that is not a fill is written cell by cell.
        """
        if len(formulas) != len(values):
            raise ValueError("a formula for each value")
        # cleared before the fill is checked: a range anchored at its column fills otherwise
        formulas = [clear_of_sheets(f, self.book.cell_titles) for f in formulas]
        start = 0
        while start < len(formulas) - 1 and not self._fills(formulas[start:]):
            self.formula(row, first + start, formulas[start], values[start], style)
            start += 1
        if len(formulas) - start < 2:
            for k in range(start, len(formulas)):
                self.formula(row, first + k, formulas[k], values[k], style)
            return
        index = self._shared
        self._shared += 1
        ref = f"{at(row, first + start)}:{at(row, first + len(formulas) - 1)}"
        base = formulas[start]
        for k in range(start, len(formulas)):
            mark = f"{_SHARED}{index}|{ref}|{base[1:]}" if k == start else f"{_SHARED}{index}"
            self.formula(row, first + k, "=" + mark, values[k], style)

    @staticmethod
    def _fills(formulas: Sequence[str]) -> bool:
        last = len(formulas) - 1
        return formulas[1] == shift_formula(formulas[0], 1) and formulas[last] == shift_formula(
            formulas[0], last
        )

    def finish(
        self,
        last_column: int,
        last_row: int,
        freeze: tuple[int, int],
        protect: bool = True,
        repeat: int | None = None,
        one_page: bool = False,
    ) -> None:
        """The title band across the used columns, printing, panes and protection.

        ``repeat`` is the header row of the sheet's long table, printed at the top of every
        continuation page; without it the title rows repeat. ``one_page`` prints the sheet on
        one page, scaled to fit (the first page a board reads).
        """
        style = self.book.style
        page = style.page
        title, subtitle = self._title
        self.text(1, 1, title, "title")
        # The band is the title row's own format: no cell needed for each column.
        self.heights[1] = page["title_height"]
        self.ws.set_row(0, page["title_height"], self.book.format("title"))
        # The subtitle wraps across the printed width, however long it is.
        lines = self.wrapped(2, 1, subtitle, "subtitle", last=last_column)
        self.height(2, max(page["subtitle_height"], LINE_HEIGHT * lines + 5))
        ws = self.ws
        ws.set_header(page_text(page["header"], self.book.audit.marking))
        ws.set_footer(page_text(page["footer"], self.book.audit.marking))
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
        if self.breaks:
            ws.set_h_pagebreaks(sorted(row - 1 for row in self.breaks))
        if repeat is not None:
            ws.repeat_rows(repeat - 1)
        else:
            ws.repeat_rows(0, 1)
        width = sum(self.column_width(c) for c in range(1, last_column + 1))
        pages = 1 if one_page else max(1, math.ceil(width / page["page_width"]))
        ws.fit_to_pages(pages, 1 if one_page else 0)
        ws.print_across()
        if pages > 1:
            ws.repeat_columns(0, 1)
        ws.freeze_panes(*freeze)
        if protect:
            ws.protect("", {"format_columns": True, "format_rows": True})


def page_text(template: str, marking: str) -> str:
    """A page header or footer of the style file with the marking in place of
    :data:`MARKING_TOKEN` (its & written &&, as header and footer codes start with &)."""
    return template.replace(MARKING_TOKEN, safe_text(marking).replace("&", "&&"))


def marking_problem(marking: str, page: dict[str, Any]) -> str | None:
    """Why a protective marking cannot be printed in the header and footer of every page
    (``page``: the style file's ``[page]`` table), or ``None``.

    A header or footer holds at most :data:`MAX_HEADER_FOOTER` characters (UTF-16 units:
    a character beyond U+FFFF counts twice), each & of the marking written &&, and one
    longer is dropped from every page. A marking is never cut short: a shortened protective
    marking could read as a different one; nor is a control character left out of it.
    """
    if (shown := printable(marking)) != marking:
        return f"{shown!r} holds a control character, which a printed page cannot show; remove it"
    size = _utf16(page_text(MARKING_TOKEN, marking))
    rooms = [
        (MAX_HEADER_FOOTER - _utf16(page[part].replace(MARKING_TOKEN, "")))
        // page[part].count(MARKING_TOKEN)
        for part in ("header", "footer")
        if MARKING_TOKEN in page[part]
    ]
    if not rooms or size <= (room := min(rooms)):
        return None
    twice = [
        what
        for what, found in (
            ("each & twice", "&" in marking),
            ("each character beyond U+FFFF twice", any(ord(c) > 0xFFFF for c in marking)),
        )
        if found
    ]
    counted = f" ({size:,} as Excel counts them: {' and '.join(twice)})" if twice else ""
    return (
        f"{len(marking):,} characters{counted} are too many: Excel holds at most "
        f"{MAX_HEADER_FOOTER} characters in a page header or footer, which leaves {room} for "
        "the marking with this style; shorten it"
    )


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cached(value: object, style: str) -> object:
    """The value a formula cell stores (see :func:`~.formulas.stored`)."""
    if isinstance(value, bool | str):
        return value
    return stored(finite(value), money="money" in style)  # type: ignore[arg-type]
