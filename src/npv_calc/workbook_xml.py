"""Reading the XML of an untrusted workbook's parts as streams of events, keeping only what is
needed: the bounded reader behind :func:`npv_calc.workbook_io.read_sheets`.

openpyxl trusts a workbook's <dimension> and fills every gap between rows and columns with
empty cells, so a sheet that claims A1:XFD1048576, or holds one cell at row 1,048,576, takes
minutes and gigabytes; and one malformed number stops the whole sheet. This reader looks only at
the cells a sheet really holds, stops at stated limits, and turns a malformed cell into a value
the loader reports by its cell.

Every part is read by expat under defusedxml's rules (:func:`parse`), and never built into a
tree: each reader keeps what it wants as the events pass (a sheet's cells, the shared strings,
the date formats), so millions of elements no reader wants (junk outside the rows, thousands of
styles) cost time in proportion, but no memory. Nesting, shared strings and formats are bounded
(:data:`MAX_XML_DEPTH`, :data:`MAX_SHARED_STRINGS`, :data:`MAX_FORMATS`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO

from .errors import LongInteger, Problem

#: A formula whose result was never saved (the workbook was written by a program that does not
#: calculate): the loader reports it by its cell.
NO_RESULT = object()

#: Names as expat gives them with namespaces: ``namespace}local``.
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_ID = "http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_ROW, _C, _V, _F, _IS, _T, _R = (_MAIN + tag for tag in ("row", "c", "v", "f", "is", "t", "r"))
_SI, _SHEET, _NUMBER_FORMAT = _MAIN + "si", _MAIN + "sheet", _MAIN + "numFmt"
_CELL_FORMATS, _CELL_FORMAT = _MAIN + "cellXfs", _MAIN + "xf"
ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL = re.compile(r"([A-Z]{1,3})([0-9]+)\Z")
#: Built-in number formats that show a date or time (ECMA-376 Part 1, 18.8.30).
_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)
#: How deeply a part's XML elements may nest. A sheet's deepest text (a run of an inline
#: string) is 6 levels down; nesting thousands deep would only grow the parser's own stack.
MAX_XML_DEPTH = 64
#: The most shared strings (a workbook's distinct texts) read: each is kept until the sheets
#: are read. An input workbook filled in by hand has a few thousand.
MAX_SHARED_STRINGS = 1_000_000
#: The most cell formats, and custom number formats, read from the styles (Excel's own limit
#: on cell formats is 64,000).
MAX_FORMATS = 64_000


@dataclass
class Sheet:
    """The cells a sheet really holds: ``rows[row][column]`` (1-based), values as typed or as
    last calculated (text, int, float, bool, a datetime for a date, :data:`NO_RESULT`)."""

    title: str
    rows: dict[int, dict[int, object]] = field(default_factory=dict)

    def row(self, number: int) -> dict[int, object]:
        return self.rows.get(number, {})


class Refused(Exception):
    """A part npv-calc reads no further: the message says why and what is allowed."""


class Enough(Exception):
    """A sheet read as far as npv-calc reads (past its last row)."""


def parse(stream: IO[bytes], handler: Events) -> None:
    """Read a part's XML into ``handler`` with expat, under defusedxml's rules: no entity may
    be declared (the "billion laughs") and nothing outside the file is fetched."""
    from xml.parsers import expat

    from defusedxml.common import EntitiesForbidden, ExternalReferenceForbidden

    def entity(name: str, *_: object) -> None:
        raise EntitiesForbidden(name, None, None, None, None, None)

    def external(context: str, base: str | None, system: str | None, public: str | None) -> int:
        raise ExternalReferenceForbidden(context, base, system, public)

    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True  # a text in one piece, not cut where the input is read
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    parser.StartElementHandler = handler.enter
    parser.EndElementHandler = handler.leave
    parser.CharacterDataHandler = handler.text
    parser.ParseFile(stream)


class Events:
    """What a part's reader does with its XML: :meth:`start` and :meth:`end` of an element at
    :attr:`depth` (the root is 1). Text is gathered only when asked for (:meth:`gather`), and
    only an element's own text before its first child (what ``ElementTree``'s ``.text``
    holds)."""

    def __init__(self) -> None:
        self.depth = 0
        self._text: list[str] | None = None
        self._at = 0  # the depth of the element whose text is gathered
        self._open = False  # its text goes on (no child yet)

    def enter(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise Refused(
                f"has XML nested more than {MAX_XML_DEPTH} elements deep (a workbook's parts "
                "nest a few levels); not read"
            )
        self._open = False
        self.start(name, attributes)

    def leave(self, name: str) -> None:
        self.end(name)
        self.depth -= 1

    def text(self, data: str) -> None:
        if self._open and self.depth == self._at and self._text is not None:
            self._text.append(data)

    def gather(self) -> None:
        """Gather the text of the element just started."""
        self._text, self._at, self._open = [], self.depth, True

    def gathering(self) -> bool:
        """Whether the element ending is the one whose text is gathered."""
        return self._text is not None and self._at == self.depth

    def gathered(self) -> str:
        """The text gathered (and no more)."""
        text = "".join(self._text or ())
        self._text, self._open = None, False
        return text

    def start(self, name: str, attributes: dict[str, str]) -> None:
        """An element starts (at :attr:`depth`)."""

    def end(self, name: str) -> None:
        """An element ends (at :attr:`depth`)."""


class Text(Events):
    """Shared or inline strings (``<si>``, ``<is>``): the text of the first ``t`` directly in
    one, then of the first ``t`` of each of its runs (phonetic runs are left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.string_at = 0  # the depth of the string being read (0: none)
        self.direct: str | None = None
        self.runs: list[str] = []
        self.run: int | None = None  # inside a run: how many of its t were read (0 or 1)

    def begin_string(self) -> None:
        self.string_at, self.direct, self.runs, self.run = self.depth, None, [], None

    def end_string(self) -> str:
        self.string_at = 0
        return unescape((self.direct or "") + "".join(self.runs))

    def start(self, name: str, attributes: dict[str, str]) -> None:
        inside = self.depth - self.string_at
        if inside == 1 and name == _T and self.direct is None:
            self.direct = ""
            self.gather()
        elif inside == 1 and name == _R:
            self.run = 0
        elif inside == 2 and name == _T and self.run == 0:
            self.run = 1
            self.gather()

    def end(self, name: str) -> None:
        inside = self.depth - self.string_at
        if name == _T and self.gathering():
            if inside == 1:
                self.direct = self.gathered()
            else:
                self.runs.append(self.gathered())
        elif inside == 1 and name == _R:
            self.run = None


class SharedStrings(Text):
    """``xl/sharedStrings.xml``: each ``<si>`` (a child of the root), in order."""

    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.string_at:
            super().start(name, attributes)
        elif name == _SI and self.depth == 2:
            self.begin_string()

    def end(self, name: str) -> None:
        if not self.string_at:
            return
        if self.depth > self.string_at:
            super().end(name)
            return
        self.strings.append(self.end_string())
        if len(self.strings) > MAX_SHARED_STRINGS:
            raise Refused(
                f"holds more than {MAX_SHARED_STRINGS:,} shared strings (distinct texts); "
                "npv-calc reads workbooks with at most that many: copy the sheets it reads into "
                "a fresh input template"
            )


class Rows(Text):
    """A worksheet's rows (not inside another row) and their cells (``<c>`` directly in a
    row), each cell as a value; reading stops past the last row."""

    def __init__(
        self, sheet: Sheet, shown: str, strings: list[str], dates: set[int], limits: tuple[int, int]
    ) -> None:
        super().__init__()
        self.sheet, self.shown, self.strings, self.dates = sheet, shown, strings, dates
        self.max_row, self.max_column = limits
        self.problems: list[Problem] = []
        self.row_at = self.row_number = 0
        self.cells: dict[int, object] = {}
        self.column = 0
        #: the first cell of the row beyond the last column, and how many there are
        self.beyond: tuple[int, int] | None = None
        self.cell_at = 0  # the depth of the cell being read (0: none)
        self.kind, self.style = "n", "0"
        self.raw: str | None = None  # its first <v>
        self.formula = False
        self.inline: str | None = None
        self.inline_read = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if self.string_at:
            super().start(name, attributes)
        elif self.cell_at:
            if self.depth == self.cell_at + 1:
                self._in_cell(name)
        elif self.row_at and name == _C and self.depth == self.row_at + 1:
            reference = _CELL.match(attributes.get("r", ""))
            self.column = column_number(reference.group(1)) if reference else self.column + 1
            self.cell_at, self.raw, self.formula, self.inline = self.depth, None, False, None
            self.kind, self.style = attributes.get("t", "n"), attributes.get("s", "0")
            self.inline_read = False
        elif not self.row_at and name == _ROW:
            given = attributes.get("r")
            self.row_number = (
                int(given) if given and given.isdigit() and len(given) < 10 else self.row_number + 1
            )
            self.row_at, self.cells, self.column, self.beyond = self.depth, {}, 0, None

    def _in_cell(self, name: str) -> None:
        if name == _V and self.raw is None:
            self.raw = ""
            self.gather()
        elif name == _F:
            self.formula = True
        elif name == _IS and not self.inline_read:
            self.inline_read = True
            self.begin_string()

    def end(self, name: str) -> None:
        if self.string_at:
            if self.depth > self.string_at:
                super().end(name)
            else:
                self.inline = self.end_string()
        elif self.cell_at:
            if self.depth == self.cell_at:
                self.cell_at = 0
                self._cell()
            elif name == _V and self.gathering():
                self.raw = self.gathered()
        elif self.row_at and self.depth == self.row_at:
            self.row_at = 0
            self._row()

    def _value(self) -> object:
        if self.kind == "inlineStr":
            return self.inline
        raw = self.raw
        if not raw:
            return NO_RESULT if self.formula else None
        if self.kind == "s":
            try:
                return self.strings[int(raw)]
            except (ValueError, IndexError):
                return raw
        if self.kind == "b":
            return raw.strip() in ("1", "true")
        if self.kind in ("str", "e", "d"):
            return unescape(raw)
        return number_value(raw, int(self.style or 0) in self.dates)

    def _cell(self) -> None:
        value = self._value()
        if value is None or (isinstance(value, str) and not value):
            return
        if self.column <= self.max_column:
            self.cells[self.column] = value
        elif self.beyond is None:
            self.beyond = (self.column, 1)
        else:
            self.beyond = (self.beyond[0], self.beyond[1] + 1)

    def _row(self) -> None:
        title, number = self.sheet.title, self.row_number
        if self.beyond is not None:
            # one problem for a row's values beyond the last column, however many they are
            column, count = self.beyond
            more = f" (and {count - 1:,} more in this row)" if count > 1 else ""
            self.problems.append(
                Problem(
                    self.shown,
                    f"holds a value beyond column {column_letters(self.max_column)}, the last "
                    f"column npv-calc reads{more}; move or delete it",
                    line=f"{title}!{column_letters(column)}{number}",
                )
            )
        if not self.cells:
            return
        if number > self.max_row:
            self.problems.append(
                Problem(
                    self.shown,
                    f"has content beyond row {self.max_row:,}, the last row npv-calc reads (a "
                    f"sheet of an input workbook holds at most {self.max_row - 4:,} rows of "
                    "data); not read further",
                    line=f"{title}!{column_letters(min(self.cells))}{number}",
                )
            )
            raise Enough
        self.sheet.rows[number] = self.cells


class Styles(Events):
    """``xl/styles.xml``: the custom number formats, and each cell format's number format."""

    def __init__(self) -> None:
        super().__init__()
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []  # the number format of each cell format, in order
        self.inside_cell_formats = False

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _NUMBER_FORMAT:
            self.custom[int(attributes.get("numFmtId", "0"))] = attributes.get("formatCode", "")
            counted = len(self.custom)
        elif name == _CELL_FORMAT and self.depth == 3 and self.inside_cell_formats:
            self.formats.append(int(attributes.get("numFmtId", "0")))
            counted = len(self.formats)
        elif name == _CELL_FORMATS and self.depth == 2:
            self.inside_cell_formats = True
            return
        else:
            return
        if counted > MAX_FORMATS:
            raise Refused(
                f"has more than {MAX_FORMATS:,} cell or number formats in its styles (Excel's "
                "own limit); not read: copy the sheets npv-calc reads into a fresh input template"
            )

    def end(self, name: str) -> None:
        if name == _CELL_FORMATS and self.depth == 2:
            self.inside_cell_formats = False

    def dates(self) -> set[int]:
        """The cell formats (``s`` indexes) whose number format shows a date."""
        custom = self.custom
        return {
            i
            for i, fid in enumerate(self.formats)
            if fid in _DATE_FORMATS
            or (fid in custom and _DATE_CODE.search(re.sub(r'"[^"]*"|\[[^]]*\]', "", custom[fid])))
        }


class Book(Events):
    """``xl/workbook.xml``: the relationship id of each sheet wanted (its first entry)."""

    def __init__(self, wanted: set[str]) -> None:
        super().__init__()
        self.wanted = wanted
        self.sheets: dict[str, str] = {}

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name == _SHEET:
            title = attributes.get("name", "")
            if title in self.wanted and title not in self.sheets:
                self.sheets[title] = attributes.get(_RELATIONSHIP_ID, "")


class Relationships(Events):
    """``xl/_rels/workbook.xml.rels``: the targets of the sheets wanted, and of the shared
    strings and the styles (the last of each, as a dictionary of them all would keep)."""

    def __init__(self, ids: set[str]) -> None:
        super().__init__()
        self.ids = ids
        self.targets: dict[str, str] = {}
        self.by_type: dict[str, str] = {}

    def start(self, name: str, attributes: dict[str, str]) -> None:
        if name != _RELATIONSHIP:
            return
        target = attributes.get("Target", "")
        kind = attributes.get("Type", "").rsplit("/", 1)[-1]
        if kind in ("sharedStrings", "styles"):
            self.by_type[kind] = target
        if attributes.get("Id") in self.ids:
            self.targets[attributes["Id"]] = target


class ContentTypes(Events):
    """``[Content_Types].xml``: whether it declares macros."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def start(self, name: str, attributes: dict[str, str]) -> None:
        content = attributes.get("ContentType", "")
        for word in ("macrosheet", "macroEnabled", "vbaProject"):
            if word in content:
                self.found.add(word)


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


@lru_cache(maxsize=2**14)  # Excel's 16,384 columns: every cell of every row names one
def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def unescape(text: str) -> str:
    """OOXML writes characters XML cannot hold as ``_xHHHH_`` (a carriage return is
    ``_x000D_``, which XML's line-end rules would otherwise turn into a line feed)."""
    if "_x" not in text:
        return text
    text = ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)
    # an escaped surrogate (_xD800_) is half a character: a pair is joined into one, and a lone
    # one becomes U+FFFD, which can be printed and saved
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def number_value(raw: str, date: bool) -> object:
    """A number cell's value: an int or float, a datetime where its style shows a date, or the
    text as stored when it is not a number (the loader names the cell)."""
    text = raw.strip()
    try:
        number: int | float = float(text) if any(c in text for c in ".eEnN") else int(text)
    except ValueError:
        # a whole number of more digits than int() converts stands in as a LongInteger, which
        # the check of its cell refuses in the cell's own words
        return LongInteger(text) if re.fullmatch(r"[+-]?[0-9]+", text) else raw
    if date:
        import datetime as dt

        try:
            return dt.datetime(1899, 12, 30) + dt.timedelta(days=float(number))
        except (OverflowError, ValueError):
            return number
    return number
