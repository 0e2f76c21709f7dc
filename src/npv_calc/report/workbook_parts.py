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
from collections.abc import Iterable, Iterator, Sequence
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
#: Points: a row of one line of 10pt text, as XlsxWriter's default row; a line of wrapped text.
DEFAULT_ROW_HEIGHT = 12.75
LINE_HEIGHT = 12.5
#: Points: a row holding a 12pt section heading.
SECTION_HEIGHT = 18.0
#: Width and height of XlsxWriter's paper sizes, in inches (9: A4, 1: Letter, 8: A3).
PAPER_INCHES = {9: (8.27, 11.69), 1: (8.5, 11.0), 8: (11.69, 16.54)}
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


#: Advance widths of Arial (Helvetica's metrics, thousandths of an em) for the characters that
#: are not 556, the width of a digit.
_ARIAL = {
    **dict.fromkeys(" ft/.,:;I!", 278),
    **dict.fromkeys("ijl", 222),
    **dict.fromkeys("r-()[]", 333),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("mM", 833),
    "w": 722,
    "W": 944,
    "%": 889,
    "'": 191,
    '"': 355,
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("GOQ", 778),
}
#: A column-width unit is the width of a digit of the default font (10pt Arial: 7 pixels,
#: 5.25 points); a character of 10pt Arial takes its advance width / 525 units.
_UNIT = 525


def text_width(text: str) -> float:
    """About how many column-width units ``text`` takes in 10pt Arial."""
    return sum(_ARIAL.get(char, 556) for char in text) / _UNIT


def wrapped_lines(text: str, width: float, factor: float = 1.0, columns: int = 1) -> int:
    """About how many lines ``text`` takes when wrapped at word boundaries in ``columns``
    columns ``width`` units wide together (:func:`text_width`, scaled by ``factor`` for other
    fonts). A column of width w is ``7w + 5`` pixels; a cell keeps about 6 pixels of padding."""
    usable = max((width * 7 + 5 * columns - 6) / 7, 1.0)
    space = 278 / _UNIT * factor
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            size = text_width(word) * factor
            if used and used + space + size > usable:
                lines += 1
                used = 0.0
            if size > usable:  # a word longer than the column breaks where it must
                extra = math.ceil(size / usable) - 1
                lines += extra
                size -= extra * usable
            used += (space if used else 0.0) + size
    return max(lines, 1)


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
        self._conditional: dict[str, Format] = {}

    def format(self, name: str) -> Format:
        found = self._formats.get(name)
        if found is None:
            found = self._formats[name] = self.wb.add_format(self.style.formats[name])
        return found

    def name(self, name: str, sheet: Sheet, ref: str) -> None:
        """A workbook-scope defined name for a cell or range of ``sheet``."""
        self.wb.define_name(name, f"={sheet_ref(sheet.title)}!{ref}")

    def status_colours(self, sheet: Sheet, cell: str, r0: int, c0: int, r1: int, c1: int) -> None:
        """Green for a target met and red for one missed, following the live figure in
        ``cell`` (0-based rows and columns of the range to colour)."""
        for text, name in (
            ("MEETS TARGET", "status good"),
            ("MISSES TARGET", "status bad"),
            ("Yes", "status good"),
            ("No", "status bad"),
        ):
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
            criteria = {"type": "formula", "criteria": f'={cell}="{text}"', "format": found}
            sheet.ws.conditional_format(r0, c0, r1, c1, criteria)

    def sheet(self, title: str) -> Sheet:
        ws = self.wb.add_worksheet(title, worksheet_class=_worksheet_class())
        # One row of 10pt text, in every spreadsheet program alike (the page layout counts on it)
        ws.set_default_row(DEFAULT_ROW_HEIGHT)
        return Sheet(self, ws, title)


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

    # -- cells -----------------------------------------------------------------------------

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
            cached = stored(_finite(value), money="money" in style)  # type: ignore[arg-type]
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
                fmt = self.book.format("header")
                self.ws.merge_range(row - 1, column - 1, row - 1, column + span - 2, "", fmt)
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
        fmt = self.book.format(style)
        if last > first:
            self.ws.merge_range(row - 1, first - 1, row - 1, last - 1, "", fmt)
        self.text(row, first, text, style)
        width = sum(self.column_width(c) for c in range(first, last + 1))
        # A 9pt italic character takes about 0.85 of a column-width unit.
        lines = wrapped_lines(text, width, 0.85, columns=last - first + 1)
        self.height(row, max(13, 12 * lines + 2))

    def wrapped(self, row: int, column: int, text: str, style: str = "wrap", last: int = 0) -> int:
        """Wrapped text in one cell (merged across to column ``last`` when given); returns the
        lines it takes, for the row's height."""
        if last > column:
            self.ws.merge_range(row - 1, column - 1, row - 1, last - 1, "", self.book.format(style))
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
        ref = f"{letter(first + start)}{row}:{letter(first + len(formulas) - 1)}{row}"
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
    ) -> None:
        """The title band across the used columns, printing, panes and protection.

        ``repeat`` is the header row of the sheet's long table, printed at the top of every
        continuation page; without it the title rows repeat.
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
        if self.breaks:
            ws.set_h_pagebreaks(sorted(row - 1 for row in self.breaks))
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


def year_label(before: str, cell: str, after: str = "") -> str:
    """A formula for a label that names the financial year in ``cell`` (2023 reads 2023/24),
    so that the label follows when the year is edited."""
    tail = f'&"{after}"' if after else ""
    return f'="{before}"&{cell}&"/"&TEXT(MOD({cell}+1,100),"00"){tail}'


#: The spreadsheet functions npv-calc's formulas use: all in Excel since 2007, none of them one
#: that XlsxWriter must rename (``_xlfn.``), which tests/test_workbook.py checks.
FUNCTIONS = frozenset(
    {
        "ABS",
        "AND",
        "COUNT",
        "COUNTIFS",
        "EXACT",
        "EXP",
        "IF",
        "IFERROR",
        "INDEX",
        "IRR",
        "ISNUMBER",
        "LN",
        "LOOKUP",
        "MATCH",
        "MAX",
        "MIN",
        "MOD",
        "N",
        "NA",
        "OR",
        "SIGN",
        "SUM",
        "SUMIFS",
        "SUMPRODUCT",
        "TEXT",
        "VLOOKUP",
    }
)


#: A cell reference in a formula (not part of a defined name or function): its column and row,
#: each with or without the $ that fixes it.
_CELL_REF = re.compile(r"(?<![A-Za-z0-9_.'])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![A-Za-z0-9_('!])")
#: Marks a formula that XlsxWriter is to write as part of a shared formula (see
#: :func:`_worksheet_class`): ``<mark>si|ref|formula`` for the first cell, ``<mark>si`` for
#: the others.
_SHARED = "\x00"


def shift_formula(formula: str, columns: int = 0, rows: int = 0) -> str:
    """``formula`` as it reads when copied ``columns`` columns to the right and ``rows`` rows
    down: every relative reference moves, ``$`` ones stay (what a spreadsheet's shared formula
    does)."""

    def move(match: re.Match[str]) -> str:
        fixed, column, row_fixed, row = match.groups()
        if not fixed:
            column = letter(column_number(column) + columns)
        if not row_fixed:
            row = str(int(row) + rows)
        return f"{fixed}{column}{row_fixed}{row}"

    # Text in quotes is not a reference, nor is a quoted sheet name ('P1'!A1).
    parts = formula.split('"')
    return '"'.join(
        _CELL_REF.sub(move, part) if i % 2 == 0 else part for i, part in enumerate(parts)
    )


def column_number(name: str) -> int:
    """The 1-based number of a column: A -> 1, AA -> 27."""
    number = 0
    for char in name:
        number = number * 26 + ord(char) - 64
    return number


def _worksheet_class() -> type:
    """XlsxWriter's worksheet with two changes, both for writing large workbooks quickly and
    small:

    * no formula rewriting: XlsxWriter tries some 30 patterns on every formula (newer functions
      that need an ``_xlfn.`` prefix), which took half the time of writing a workbook, and
      npv-calc's formulas use none of them (:data:`FUNCTIONS`);
    * shared formulas (ECMA-376 Part 1, 18.3.1.40: ``<f t="shared">``), as Excel itself writes
      a row of formulas that differ only by their column: the first cell holds the formula and
      the range, the others refer to it (:meth:`Sheet.formula_fill`)."""
    global _WORKSHEET
    if _WORKSHEET is None:
        from xlsxwriter.worksheet import Worksheet

        class PlainFormulas(Worksheet):  # type: ignore[misc]
            def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
                return formula[1:] if formula.startswith("=") else formula

            def _xml_formula_element(self, formula, result, attributes=()) -> None:  # type: ignore[no-untyped-def]
                if not formula.startswith(_SHARED):
                    super()._xml_formula_element(formula, result, attributes)
                    return
                attr = "".join(f' {k}="{self._escape_attributes(v)}"' for k, v in attributes)
                index, _, rest = formula[1:].partition("|")
                if rest:
                    ref, _, text = rest.partition("|")
                    f = f'<f t="shared" ref="{ref}" si="{index}">{self._escape_data(text)}</f>'
                else:
                    f = f'<f t="shared" si="{index}"/>'
                self.fh.write(f"<c{attr}>{f}<v>{self._escape_data(result)}</v></c>")

        _WORKSHEET = PlainFormulas
    return _WORKSHEET


_WORKSHEET: type | None = None


#: Significant digits of a stored value that is not money: a recalculation may differ from it by
#: 1e-9 relative (SPEC.md); twelve digits keep it a thousand times inside that.
DIGITS = 12


def stored(value: float, money: bool) -> float:
    """The value a formula cell stores: money to the penny (a recalculation may differ by
    £0.01), any other number to :data:`DIGITS` significant digits. Trailing digits below those
    carry no information a reader can see, and storing them made the file a twentieth larger."""
    if money:
        return round(value, 2) + 0.0  # + 0.0: no "-0" for a small negative amount
    return float(f"{value:.{DIGITS}g}")


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
