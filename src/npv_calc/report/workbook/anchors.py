"""Where cells are: the addresses a sheet owns, and hands to the sheets that refer to them.

Rows and columns are numbered from 1, as a spreadsheet shows them, everywhere in the workbook's
code: in formulas, in defined names and in chart ranges. XlsxWriter's own 0-based numbers are
made in one place only, :meth:`Span.chart` (and :class:`~.cells.Sheet` for its cells). No
address is written as a literal: a formula names a cell through :func:`at`, :class:`Cell` or
:class:`Span`, so that moving a row moves every reference to it.

Examples
--------
>>> cell = Cell(10, 2, "JET")
>>> cell.local, cell.fixed, cell.on
('B10', '$B$10', "'JET'!$B$10")
>>> Span(Cell(7, 3, "Summary"), Cell(7, 12)).fixed
'$C$7:$L$7'
>>> Span(Cell(7, 3, "Summary"), Cell(9, 3)).chart()
['Summary', 6, 2, 8, 2]
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ...workbook_io import column_letters, column_number

__all__ = ["Cell", "Span", "at", "column_number", "fixed", "fixed_column", "fixed_row", "letter"]


def letter(column: int) -> str:
    """The letters of a 1-based column: 1 -> A, 27 -> AA."""
    return column_letters(column)


def at(row: int, column: int) -> str:
    """A relative address on the same sheet: ``at(10, 2)`` is ``B10``."""
    return f"{letter(column)}{row}"


def fixed(row: int, column: int) -> str:
    """An absolute address on the same sheet: ``fixed(10, 2)`` is ``$B$10``."""
    return f"${letter(column)}${row}"


def fixed_row(row: int, column: int) -> str:
    """The column relative, the row fixed: ``fixed_row(10, 3)`` is ``C$10`` (a formula filled
    right follows the column and keeps the row)."""
    return f"{letter(column)}${row}"


def fixed_column(row: int, column: int) -> str:
    """The column fixed, the row relative: ``fixed_column(6, 4)`` is ``$D6``."""
    return f"${letter(column)}{row}"


def sheet_ref(title: str) -> str:
    """A sheet title as a formula names it: quoted, a quote in it doubled."""
    return "'" + title.replace("'", "''") + "'"


@dataclass(frozen=True)
class Cell:
    """A cell: its row and column (from 1) and the title of its sheet."""

    row: int
    column: int
    sheet: str = ""

    @property
    def local(self) -> str:
        """``B10``: relative, on its own sheet."""
        return at(self.row, self.column)

    @property
    def fixed(self) -> str:
        """``$B$10``: absolute, on its own sheet."""
        return fixed(self.row, self.column)

    @property
    def on(self) -> str:
        """``'JET'!$B$10``: absolute, from any sheet."""
        return f"{sheet_ref(self.sheet)}!{self.fixed}"

    @property
    def on_relative(self) -> str:
        """``'JET'!B10``: relative (it moves when the formula is copied), from any sheet."""
        return f"{sheet_ref(self.sheet)}!{self.local}"

    def offset(self, rows: int = 0, columns: int = 0) -> Cell:
        return replace(self, row=self.row + rows, column=self.column + columns)


@dataclass(frozen=True)
class Span:
    """A rectangle of cells, from its top-left to its bottom-right cell (whose sheet is the
    top-left's)."""

    first: Cell
    last: Cell

    @classmethod
    def row(cls, sheet: str, row: int, first: int, last: int) -> Span:
        """Columns ``first..last`` of one row."""
        return cls(Cell(row, first, sheet), Cell(row, last, sheet))

    @classmethod
    def column(cls, sheet: str, column: int, first: int, last: int) -> Span:
        """Rows ``first..last`` of one column."""
        return cls(Cell(first, column, sheet), Cell(last, column, sheet))

    @property
    def sheet(self) -> str:
        return self.first.sheet

    @property
    def local(self) -> str:
        """``C7:L7``: relative, on its own sheet."""
        return f"{self.first.local}:{self.last.local}"

    @property
    def fixed(self) -> str:
        """``$C$7:$L$7``: absolute, on its own sheet."""
        return f"{self.first.fixed}:{self.last.fixed}"

    @property
    def on(self) -> str:
        """``'JET'!$C$7:$L$7``: absolute, from any sheet."""
        return f"{sheet_ref(self.sheet)}!{self.fixed}"

    def part(self, first: int, count: int) -> Span:
        """``count`` cells of a one-row span, from its ``first`` (0 for its first cell)."""
        start = self.first.offset(columns=first)
        return Span(start, start.offset(columns=count - 1))

    def chart(self) -> list[str | int]:
        """The range as XlsxWriter's charts take it: ``[sheet, first row, first column, last
        row, last column]``, numbered from 0."""
        first, last = self.first, self.last
        return [self.sheet, first.row - 1, first.column - 1, last.row - 1, last.column - 1]
