"""An input workbook's rows as documents: the cells under a header row, coerced as their columns'
kinds say, become the keys a TOML table would hold (``annual.low`` into ``annual = { low = ... }``,
the Year columns into ``amounts``), each located at its cell."""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, KeysView, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from ..errors import Problem
from ..workbook_io import NO_RESULT, Sheet, column_letters
from .rules import MAX_HORIZON
from .workbook_layout import FIRST_ROW, HEADER_ROW, YEAR_HEADER, Column, year_header

#: Where each key of a row is: its cell (``""``: the row's first cell).
Cells = MutableMapping[str, int | str]
Locations = dict[tuple[str, int], Cells]


@dataclass
class ProjectEntry:
    """A project read from the workbook: its document, where each value is, and its row."""

    document: dict[str, Any]
    locations: Locations
    row: int
    file: str | None = None
    #: the cells of each option's items, by (option id, section), in the order read
    option_items: dict[tuple[str, str], list[Cells]] = field(default_factory=dict)
    #: its lines by name, by section, once the Outturn sheet looks them up
    names: dict[str, dict[str, list[int]]] = field(default_factory=dict)


@dataclass
class ReadBook:
    """What a workbook holds, as documents, with the problems found reading it."""

    portfolio: dict[str, Any] = field(default_factory=dict)
    portfolio_locations: Locations = field(default_factory=dict)
    projects: list[ProjectEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: lines not read because their row names no known project: (section, name); their
    #: outturn rows are not reported again
    dropped: set[tuple[str, str]] = field(default_factory=set)
    #: the workbook as messages name it
    shown: str = ""

    def problem(
        self, message: str, cell: str | int | None = None, field: str | None = None
    ) -> None:
        """Record a problem of the workbook, at ``cell`` (and the column ``field``)."""
        self.problems.append(Problem(self.shown, message, field=field, line=cell))

    def once(self, seen: dict[str, str], key: str, cell: str, what: str) -> bool:
        """Whether ``key`` is new; if not, an error naming both cells (the later one is not
        read)."""
        if key in seen:
            self.problem(
                f"{what} is given twice, here and in {seen[key]}; npv-calc does not guess "
                "which one holds: delete one",
                cell,
            )
            return False
        seen[key] = cell
        return True

    def no_result(self, cell: str, field: str | None = None) -> None:
        """Record a formula whose result was never saved (a program that does not calculate
        wrote the workbook)."""
        self.problem(
            "holds a formula with no saved result; open the workbook in a spreadsheet program "
            "and save it, or type the value",
            cell,
            field,
        )


def cell_name(sheet: str, column: int, row: int) -> str:
    """``Benefits!W5``: how messages name a cell."""
    return f"{sheet}!{column_letters(column)}{row}"


def clean(value: Any) -> Any:
    """A cell's value as the loader expects it: blank text is no value. Text is otherwise kept
    as written (a name's spaces are part of it); :func:`coerce` trims where that is safe."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _boolean(value: Any) -> Any:
    if isinstance(value, str):
        lowered = value.lower()
        if lowered in ("true", "yes"):
            return True
        if lowered in ("false", "no"):
            return False
    return value


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _items(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


_COERCE: dict[str, Callable[[Any], Any]] = {"bool": _boolean, "year": _whole, "list": _items}


def coerce(value: Any, kind: str) -> Any:
    """Light coercion of what spreadsheets do to values; anything else is left for the
    loader to report (so that the message shows what was in the cell)."""
    if value is None:
        return None
    if isinstance(value, str) and kind != "free":
        value = value.strip()  # an ID, a choice or a number typed as text: spaces are slips
    coercer = _COERCE.get(kind)
    return coercer(value) if coercer else value


def header_map(
    ws: Sheet, columns: Sequence[Column], book: ReadBook
) -> tuple[dict[int, Column], dict[int, int]]:
    """Column number -> column, and column number -> year offset (for Year N columns).

    A header given twice is an error naming both cells (which would win is a guess), and so is a
    Year column beyond the longest horizon.
    """
    by_header = {c.header.lower(): c for c in columns}
    found: dict[int, Column] = {}
    years: dict[int, int] = {}
    seen: dict[str, int] = {}
    for number, raw in sorted(ws.row(HEADER_ROW).items()):
        header = clean(raw)
        if header is None:
            continue
        text = str(header).strip()
        key = " ".join(text.split()).lower()
        cell = cell_name(ws.title, number, HEADER_ROW)
        if key in seen:
            book.problem(
                f"the header {text!r} is given twice, here and in "
                f"{cell_name(ws.title, seen[key], HEADER_ROW)}; npv-calc does not guess which "
                "column holds the values: delete or rename one",
                cell,
            )
            continue
        seen[key] = number
        if year := YEAR_HEADER.match(text):
            offset = int(year.group(1))
            if offset < MAX_HORIZON:
                years[number] = offset
            else:
                book.problem(
                    f"{text!r} is beyond the longest horizon ({MAX_HORIZON} years: Year 0 to "
                    f"Year {MAX_HORIZON - 1}); year columns count from year 0",
                    cell,
                )
        elif key in by_header:
            found[number] = by_header[key]
        else:
            book.problem(
                f"unknown column {text!r} in the header row; the columns of {ws.title} are: "
                f"{', '.join(c.header for c in columns)}",
                cell,
            )
    return found, years


def data_rows(ws: Sheet) -> list[tuple[int, dict[int, Any]]]:
    """Data rows below the header that hold something: (row number, cells by column)."""
    out = []
    for number in sorted(ws.rows):
        if number < FIRST_ROW:
            continue
        cells = {c: v for c, v in ws.rows[number].items() if clean(v) is not None}
        if cells:
            out.append((number, cells))
    return out


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    """A column's value into the document: a dotted key (``annual.low``, ``set.horizon``) into
    a table, the central value of an uncertain one under ``central``."""
    head, _, tail = key.partition(".")
    if tail and head == "years":
        document.setdefault("years", {})[tail] = value
    elif tail:
        existing = document.get(head)
        if not isinstance(existing, dict):
            document[head] = {} if existing is None else {"central": existing}
        document[head][tail] = value
    elif isinstance(document.get(key), dict):
        document[key]["central"] = value
    else:
        document[key] = value


def _tidy(document: dict[str, Any], where: RowCells, amounts: dict[int, Any]) -> None:
    """A value given only as its central one is a plain value; ``years`` is ``[first, last]``;
    the Year columns are ``amounts``."""
    for key in [k for k, v in document.items() if isinstance(v, dict) and k != "years"]:
        if key != "set" and set(document[key]) == {"central"}:
            document[key] = document[key]["central"]
    if "years" in document:
        span = document.pop("years")
        document["years"] = [span[k] for k in ("first", "last") if k in span]
        where.same_as("years", "years.first")
    if amounts:
        document["amounts"] = [amounts.get(t, 0) for t in range(max(amounts) + 1)]


@dataclass(frozen=True)
class _Place:
    """A column a sheet's rows are read from: its key in a row's document, how a message names
    its cell (less the row number), and its header or year. Worked out once for a sheet."""

    index: int
    key: str
    prefix: str
    column: Column | None
    year: int | None

    @property
    def header(self) -> str:
        return self.column.header if self.column is not None else year_header(cast(int, self.year))


def _places(title: str, columns: dict[int, Column], years: dict[int, int]) -> list[_Place]:
    """The columns and year columns of a sheet, left to right."""
    return [
        _Place(
            index,
            f"amounts[{years[index]}]" if index in years else columns[index].key,
            f"{title}!{column_letters(index)}",
            None if index in years else columns[index],
            years.get(index),
        )
        for index in sorted({*columns, *years})
    ]


class RowCells(MutableMapping[str, int | str]):
    """Where each key of a row is: the cell of each column read (a Year column's under
    ``amounts[t]``, the first one's under ``amounts`` too), the row's first cell under ``""``.

    The names are made when all are asked for (one key asked names its cell alone): a row
    passes its cells to the messages that may never come, and 40 names a row were half the
    memory of reading a 40,000-row sheet. What is set before then (:meth:`same_as`, then
    items) is applied after them, in order. ``skipped``: the columns not read (a formula with
    no result), which name no key.
    """

    __slots__ = ("_cells", "_first", "_places", "_row", "_same", "_set", "_skipped")

    def __init__(self, places: Sequence[_Place], row: int, first: str, skipped: frozenset[int]):
        self._places, self._row, self._first, self._skipped = places, row, first, skipped
        self._same: dict[str, str] = {}
        self._set: dict[str, int | str] = {}
        self._cells: dict[str, int | str] | None = None

    def same_as(self, key: str, other: str) -> None:
        """``key`` is at ``other``'s cell (at the row's first cell if ``other`` has none)."""
        if self._cells is None:
            self._same[key] = other
        else:
            self._cells[key] = self._cells.get(other, self._first)

    def _named(self) -> dict[str, int | str]:
        if self._cells is None:
            cells: dict[str, int | str] = {"": self._first}
            row = str(self._row)
            for place in self._places:
                if place.index not in self._skipped:
                    cells[place.key] = place.prefix + row
                    if place.column is None:
                        cells.setdefault("amounts", place.prefix + row)
            for key, other in self._same.items():
                cells[key] = cells.get(other, self._first)
            cells.update(self._set)
            self._cells, self._same, self._set = cells, {}, {}
        return self._cells

    def _one(self, key: str) -> int | str | None:
        """The cell of ``key`` as :meth:`_named` would name it, without naming the others."""
        if key in self._set:
            return self._set[key]
        if key in self._same:
            return self._placed(self._same[key]) or self._first
        return self._placed(key)

    def _placed(self, key: str) -> str | None:
        if key == "":
            return self._first
        found = None
        for place in self._places:
            if place.index in self._skipped:
                continue
            # as _named: a later column of the key wins; amounts is the first Year column's
            if place.key == key or (key == "amounts" and found is None and place.column is None):
                found = place.prefix + str(self._row)
        return found

    def __getitem__(self, key: str) -> int | str:
        if self._cells is not None:
            return self._cells[key]
        if (cell := self._one(key)) is None:
            raise KeyError(key)
        return cell

    def __setitem__(self, key: str, value: int | str) -> None:
        if self._cells is None:
            self._set[key] = value
        else:
            self._cells[key] = value

    def __delitem__(self, key: str) -> None:
        del self._named()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._named())

    def __len__(self) -> int:
        return len(self._named())

    def __repr__(self) -> str:
        return f"RowCells({self._named()!r})"

    # The views of the names themselves: the mixins' ask a key at a time (dict.update of a
    # row's 40 names took 37 calls each).
    def keys(self) -> KeysView[str]:
        return self._named().keys()

    def items(self) -> ItemsView[str, int | str]:
        return self._named().items()

    def get(self, key: str, default: Any = None) -> Any:
        if self._cells is not None:
            return self._cells.get(key, default)
        cell = self._one(key)
        return default if cell is None else cell

    def __contains__(self, key: object) -> bool:
        if self._cells is not None or not isinstance(key, str):
            return key in self._named()
        return self._one(key) is not None


def row_document(
    number: int, cells: dict[int, Any], places: Sequence[_Place], first: str, book: ReadBook
) -> tuple[dict[str, Any], Cells]:
    """A row as a TOML-like document (dotted keys become tables) and the cell of each key
    (``first``: how a message names the row's first cell)."""
    document: dict[str, Any] = {}
    amounts: dict[int, Any] = {}
    skipped: set[int] = set()
    for place in places:
        value = cells.get(place.index)
        if value is None:
            continue
        if value is NO_RESULT:
            book.no_result(place.prefix + str(number), place.header)
            skipped.add(place.index)
        elif place.column is None:
            amounts[cast(int, place.year)] = value
        else:
            _put(document, place.key, coerce(value, place.column.kind))
    where = RowCells(places, number, first, frozenset(skipped))
    _tidy(document, where, amounts)
    return document, where


def sheet_documents(
    ws: Sheet, columns: Sequence[Column], book: ReadBook, *, amounts: bool = False
) -> Iterator[tuple[int, dict[str, Any], Cells]]:
    """Every data row of a sheet as a document: (row number, document, cells), with the
    problems of its header row recorded; with ``amounts``, its Year columns are read too. Each
    row is read as it is taken, so that its problems come in row order with those found in what
    the caller does with it."""
    by_number, year_columns = header_map(ws, columns, book)
    years = year_columns if amounts else {}
    places = _places(ws.title, by_number, years)
    for number, cells in data_rows(ws):
        first = cell_name(ws.title, 1, number)
        document, where = row_document(number, cells, places, first, book)
        yield number, document, where
