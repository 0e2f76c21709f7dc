"""Workbook I/O in one place: opening untrusted workbooks safely, writing text that can never
become a formula, checking a path before work is done, and saving atomically.

Both the input workbook (read by :mod:`npv_calc.load.workbook`, written by
:mod:`npv_calc.convert.input_workbook`) and the board workbook (:mod:`npv_calc.report.workbook`)
go through these functions, so each safety rule is written once.

openpyxl is imported inside the functions that need it, so that importing this module (as the
loader does) costs nothing until a workbook is really opened.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, LongInteger, OutputError, Problem
from .files import check_output, replace_atomically
from .model import MACRO_SUFFIXES, OTHER_SPREADSHEET_SUFFIXES

if TYPE_CHECKING:
    # openpyxl and defusedxml ship no type hints
    from openpyxl.workbook.workbook import Workbook

#: Bounds for an untrusted workbook: its size, and what its parts may unpack to.
MAX_FILE_BYTES = 20 * 2**20
MAX_UNPACKED_BYTES = 200 * 2**20
MAX_RATIO = 200  # unpacked / packed size of any part
#: Characters a cell cannot hold in OOXML (control characters other than tab and newline, lone
#: surrogates, and the two non-characters).
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# -- writing cells ---------------------------------------------------------------------------


def safe_text(value: object) -> str:
    """Text for a cell: the characters a cell cannot hold removed."""
    return ILLEGAL_CHARACTERS.sub("", str(value))


#: The most characters a cell holds (Excel's limit; a longer text makes Excel repair the file).
MAX_CELL_TEXT = 32_767
_CUT = " … (cut: a cell holds at most 32,767 characters; the full text is in the input)"


def cut_text(text: str) -> str:
    """``text`` cut to what a cell holds, saying so at the end."""
    if len(text) > MAX_CELL_TEXT:
        return text[: MAX_CELL_TEXT - len(_CUT)] + _CUT
    return text


def put_text(cell: Any, value: object, style: str | None = None) -> None:
    """Write text that must stay text, even when it starts with ``=``, ``+``, ``-`` or ``@``.

    Every piece of text that comes from an input file goes through here: openpyxl would
    otherwise store ``"=HYPERLINK(...)"`` as a formula. A carriage return is kept (as
    ``_x000D_``), and a text longer than a cell holds is cut, saying so.
    """
    cell.value = escape_text(cut_text(safe_text(value)))
    cell.data_type = "s"
    if style:
        cell.style = style


def put(cell: Any, value: object, style: str | None = None) -> None:
    """Write a number, boolean or formula (``"=..."``, built by npv-calc, never input text)."""
    cell.value = value
    if style:
        cell.style = style


def first_illegal_character(text: str) -> str | None:
    """The first character of ``text`` that a cell cannot hold, or ``None``."""
    bad = ILLEGAL_CHARACTERS.search(text)
    return bad.group() if bad else None


# -- writing files ---------------------------------------------------------------------------


def check_writable(path: Path) -> None:
    """Refuse a workbook path that cannot be written, before any work is done
    (:func:`npv_calc.files.check_output`)."""
    check_output(path)


def save_atomically(wb: Workbook, path: Path) -> None:
    """Save a workbook whole or not at all, keeping the permissions of the file it replaces
    (:func:`npv_calc.files.replace_atomically`).

    The workbook is put together in memory first, so that a full disk fails in one clean
    write rather than half way through the zip writer (whose clean-up would then fail again).
    """

    def content() -> bytes:
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    replace_atomically(path, content)


def open_template(
    template: Path, rebuild: str, sheets: Sequence[str], style: str | None = None
) -> Workbook:
    """Open one of npv-calc's own templates (only read, never saved over).

    Raises
    ------
    OutputError
        The template is missing, unreadable, or lacks one of ``sheets`` or the named ``style``;
        the message says how to rebuild it (``rebuild``: the script's path).
    """
    from openpyxl import load_workbook

    how = f"rebuild it with python {rebuild}"
    if not template.is_file():
        raise OutputError(f"the workbook template {template} is missing; {how}")
    try:
        wb = load_workbook(template)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise OutputError(
            f"the workbook template {template} cannot be read ({exc}); {how}"
        ) from None
    missing = [name for name in sheets if name not in wb.sheetnames]
    if missing or (style is not None and style not in set(wb.named_styles)):
        what = f"sheets {', '.join(missing)}" if missing else "its npv styles"
        raise OutputError(f"the workbook template {template} is missing {what}; {how}")
    return wb


# -- reading untrusted workbooks -------------------------------------------------------------


def _bomb() -> str:
    return (
        f"would unpack to more than {MAX_UNPACKED_BYTES // 2**20} MB, or is compressed "
        "suspiciously well (a zip bomb?); not opened"
    )


def _ole_holds(path: Path, name: str) -> bool:
    """Whether an OLE compound file names a stream ``name`` (its directory holds names in
    UTF-16); read in bounded pieces."""
    needle = name.encode("utf-16-le")
    try:
        with path.open("rb") as handle:
            previous = b""
            for _ in range(MAX_FILE_BYTES // (1 << 20) + 1):
                chunk = handle.read(1 << 20)
                if not chunk:
                    return False
                if needle in previous[-len(needle) :] + chunk:
                    return True
                previous = chunk
    except OSError:
        return False
    return False


def check_package(path: Path, shown: str) -> list[Problem]:
    """Refuse what must not be opened: the wrong kind of file, macros, or a zip bomb.

    Nothing is parsed by openpyxl here: the zip directory is read, every part is unpacked with
    a running count (a directory's sizes can lie), and ``[Content_Types].xml`` is parsed with
    defusedxml.
    """
    why = _refused_by_name(path) or _refused_as_file(path)
    if why is None:
        try:
            with zipfile.ZipFile(path) as archive:
                why = _refused_parts(archive) or _refused_types(archive)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            why = f"is not a readable Excel workbook ({exc})"
        except Exception as exc:  # defusedxml refuses entities and DTDs with its own errors
            detail = " ".join(str(exc).split())
            why = f"has unsafe or malformed XML ({type(exc).__name__}: {detail}); not opened"
    return [Problem(shown, why)] if why else []


def _refused_by_name(path: Path) -> str | None:
    """A spreadsheet of another kind, or one that may hold macros, by its suffix."""
    if path.suffix.lower() in OTHER_SPREADSHEET_SUFFIXES:
        return (
            f"is a {path.suffix} spreadsheet; npv-calc reads Excel workbooks (.xlsx): "
            "save a copy as .xlsx (Excel Workbook)"
        )
    if path.suffix.lower() in MACRO_SUFFIXES:
        return (
            f"is a macro-enabled or binary workbook ({path.suffix}); npv-calc reads "
            "only .xlsx files: save a copy as .xlsx (Excel Workbook)"
        )
    return None


def _refused_as_file(path: Path) -> str | None:
    """Not a regular file, too large, or not a zip package (an old or encrypted workbook)."""
    try:
        status = path.stat()
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if not stat.S_ISREG(status.st_mode):
        # a pipe would block and a device never end: only regular files are opened
        return "is not a regular file (a pipe, device or folder); give an .xlsx file"
    if status.st_size > MAX_FILE_BYTES:
        return f"is {status.st_size:,} bytes; input workbooks are limited to {MAX_FILE_BYTES:,}"
    try:
        with path.open("rb") as handle:
            start = handle.read(4096)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if start.startswith(b"\xd0\xcf\x11\xe0"):
        # An OLE compound file: an old .xls, or an .xlsx saved with a password (Excel encrypts
        # the whole package into an EncryptedPackage stream).
        if "EncryptedPackage".encode("utf-16-le") in start or _ole_holds(path, "EncryptedPackage"):
            return (
                "is password-protected (encrypted); npv-calc cannot read it: save a copy "
                "without the password (File > Info > Protect Workbook > Encrypt) and give that"
            )
        return "is an old-style Excel file (.xls); save it as .xlsx"
    if not start.startswith(b"PK") or not zipfile.is_zipfile(path):
        return "is not an Excel workbook (.xlsx)"
    return None


def _refused_parts(archive: zipfile.ZipFile) -> str | None:
    """Macros, or parts that unpack to too much (counted as they unpack: a directory's sizes
    can lie)."""
    parts = archive.infolist()
    if any("vbaproject" in p.filename.lower() for p in parts):
        return (
            "contains macros (vbaProject.bin); npv-calc does not open "
            "macro-enabled workbooks: save a copy as .xlsx without macros"
        )
    declared = sum(p.file_size for p in parts)
    if declared > MAX_UNPACKED_BYTES or any(
        p.compress_size and p.file_size / p.compress_size > MAX_RATIO for p in parts
    ):
        return _bomb()
    total = 0
    for part in parts:
        with archive.open(part) as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > MAX_UNPACKED_BYTES:
                    return _bomb()
    return None


def _refused_types(archive: zipfile.ZipFile) -> str | None:
    """Macro sheets or a macro-enabled package, as ``[Content_Types].xml`` declares them."""
    if "[Content_Types].xml" not in archive.namelist():
        return "is not an Excel workbook (no [Content_Types].xml)"
    import defusedxml.ElementTree as safe_xml

    types = safe_xml.fromstring(archive.read("[Content_Types].xml"))
    content = " ".join(e.get("ContentType", "") for e in types.iter())
    parts = archive.infolist()
    if any("macrosheet" in p.filename.lower() for p in parts) or "macrosheet" in content:
        return (
            "contains an Excel 4 macro sheet; npv-calc does not open workbooks with "
            "macros: save a copy as .xlsx without it"
        )
    if "macroEnabled" in content or "vbaProject" in content:
        return (
            "is macro-enabled; npv-calc does not open macro-enabled workbooks: save a copy as .xlsx"
        )
    return None


# -- reading untrusted workbooks: a small, bounded reader of our own ---------------------
#
# openpyxl trusts a workbook's <dimension> and fills every gap between rows and columns with
# empty cells, so a sheet that claims A1:XFD1048576, or holds one cell at row 1,048,576, takes
# minutes and gigabytes; and one malformed number stops the whole sheet. This reader looks only
# at the cells a sheet really holds, stops at stated limits, and turns a malformed cell into a
# value the loader reports by its cell.

#: A formula whose result was never saved (the workbook was written by a program that does not
#: calculate): the loader reports it by its cell.
NO_RESULT = object()

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CELL = re.compile(r"([A-Z]{1,3})([0-9]+)\Z")
#: Built-in number formats that show a date or time (ECMA-376 Part 1, 18.8.30).
_DATE_FORMATS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 46, 47}
_DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)


@dataclass
class Sheet:
    """The cells a sheet really holds: ``rows[row][column]`` (1-based), values as typed or as
    last calculated (text, int, float, bool, a datetime for a date, :data:`NO_RESULT`)."""

    title: str
    rows: dict[int, dict[int, object]] = field(default_factory=dict)

    def row(self, number: int) -> dict[int, object]:
        return self.rows.get(number, {})


def column_number(letters: str) -> int:
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _unescape(text: str) -> str:
    """OOXML writes characters XML cannot hold as ``_xHHHH_`` (a carriage return is
    ``_x000D_``, which XML's line-end rules would otherwise turn into a line feed)."""
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def escape_text(text: str) -> str:
    """Text as a cell must store it to read back the same: a carriage return as ``_x000D_``,
    and a literal ``_xHHHH_`` protected as ``_x005F_xHHHH_``."""
    text = _ESCAPED.sub(lambda m: "_x005F_" + m.group(0)[1:], text)
    return text.replace("\r", "_x000D_")


def _text_of(element: Any) -> str:
    """The text of a shared or inline string: its ``t``, or its runs' (phonetic runs left out)."""
    parts = [element.findtext(f"{_MAIN}t") or ""]
    parts += [run.findtext(f"{_MAIN}t") or "" for run in element.iter(f"{_MAIN}r")]
    return _unescape("".join(parts))


def _part(archive: zipfile.ZipFile, base: str, target: str) -> str:
    """A relationship target as a part name inside the package."""
    if target.startswith("/"):
        return target[1:]
    folder = base.rsplit("/", 1)[0] if "/" in base else ""
    parts: list[str] = []
    for piece in f"{folder}/{target}".split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _date_styles(archive: zipfile.ZipFile, styles: str | None) -> set[int]:
    """The cell styles (``s`` indexes) whose number format shows a date."""
    import defusedxml.ElementTree as safe_xml

    if styles is None or styles not in archive.namelist():
        return set()
    root = safe_xml.fromstring(archive.read(styles))
    custom = {
        int(f.get("numFmtId", "0")): f.get("formatCode", "") for f in root.iter(f"{_MAIN}numFmt")
    }
    dates = {
        i
        for i, xf in enumerate(root.findall(f"{_MAIN}cellXfs/{_MAIN}xf"))
        if (fid := int(xf.get("numFmtId", "0"))) in _DATE_FORMATS
        or (fid in custom and _DATE_CODE.search(re.sub(r'"[^"]*"|\[[^]]*\]', "", custom[fid])))
    }
    return dates


def _value(cell: Any, strings: list[str], dates: set[int]) -> object:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{_MAIN}is")
        return _text_of(inline) if inline is not None else None
    raw = cell.findtext(f"{_MAIN}v")
    if not raw:
        return NO_RESULT if cell.find(f"{_MAIN}f") is not None else None
    if kind == "s":
        try:
            return strings[int(raw)]
        except (ValueError, IndexError):
            return raw
    if kind == "b":
        return raw.strip() in ("1", "true")
    if kind in ("str", "e", "d"):
        return _unescape(raw)
    return _number(raw, int(cell.get("s", "0") or 0) in dates)


def _number(raw: str, date: bool) -> object:
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


_BOOK = "xl/workbook.xml"
_BOOK_RELATIONSHIPS = "xl/_rels/workbook.xml.rels"


def read_sheets(
    path: Path,
    shown: str,
    titles: Sequence[str],
    *,
    max_row: int,
    max_column: int,
) -> tuple[dict[str, Sheet], list[Problem]]:
    """The sheets named ``titles`` (those the workbook has) of an untrusted workbook, each cell
    as a value, reading no further than ``max_row`` rows and ``max_column`` columns.

    XML is parsed with defusedxml, one row at a time. A cell beyond the limits is a problem
    naming it; the rest of the sheet is still read (up to the row limit, where reading stops).

    Raises
    ------
    InputError
        The file must not be opened (:func:`check_package`) or is not a readable workbook.
    """
    problems = check_package(path, shown)
    if problems:
        raise InputError(problems)
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_package(archive, shown, set(titles), max_row, max_column)
    except InputError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise _broken(shown, exc) from None
    except Exception as exc:  # defusedxml's refusals (ValueErrors) and malformed XML
        detail = " ".join(str(exc).split())
        raise InputError(
            [
                Problem(
                    shown,
                    f"has unsafe or malformed XML ({type(exc).__name__}: {detail}); not opened",
                )
            ]
        ) from None


def _broken(shown: str, detail: object) -> InputError:
    text = " ".join(str(detail).split())
    return InputError([Problem(shown, f"cannot be read as a workbook: {text}")])


def _read_package(
    archive: zipfile.ZipFile, shown: str, wanted: set[str], max_row: int, max_column: int
) -> tuple[dict[str, Sheet], list[Problem]]:
    """The sheets of an open package that are ``wanted``, and the problems of their cells."""
    import defusedxml.ElementTree as safe_xml

    names = set(archive.namelist())
    if _BOOK not in names or _BOOK_RELATIONSHIPS not in names:
        raise _broken(shown, "it has no xl/workbook.xml (is it a spreadsheet?)")
    relationships = safe_xml.fromstring(archive.read(_BOOK_RELATIONSHIPS))
    rels = {
        r.get("Id"): (r.get("Type", ""), r.get("Target", ""))
        for r in relationships.iter(f"{_PACKAGE_REL}Relationship")
    }
    by_type = {kind.rsplit("/", 1)[-1]: target for kind, target in rels.values()}
    strings = _shared_strings(archive, by_type.get("sharedStrings"), names)
    styles = by_type.get("styles")
    dates = _date_styles(archive, _part(archive, _BOOK, styles) if styles else None)
    sheets: dict[str, Sheet] = {}
    problems: list[Problem] = []
    for entry in safe_xml.fromstring(archive.read(_BOOK)).iter(f"{_MAIN}sheet"):
        title = entry.get("name", "")
        if title not in wanted or title in sheets:
            continue
        part = _part(archive, _BOOK, rels.get(entry.get(f"{_REL}id"), ("", ""))[1])
        if part not in names:
            raise _broken(shown, f"its sheet {title!r} is missing from the file")
        sheet = Sheet(title)
        with archive.open(part) as stream:
            problems += _read_rows(
                safe_xml, stream, sheet, shown, strings, dates, max_row, max_column
            )
        sheets[title] = sheet
    return sheets, problems


def _shared_strings(archive: zipfile.ZipFile, target: str | None, names: set[str]) -> list[str]:
    """The workbook's shared strings, read one at a time."""
    import defusedxml.ElementTree as safe_xml

    strings: list[str] = []
    part = _part(archive, _BOOK, target) if target else None
    if part is None or part not in names:
        return strings
    with archive.open(part) as stream:
        for _, element in safe_xml.iterparse(stream):
            if element.tag == f"{_MAIN}si":
                strings.append(_text_of(element))
                element.clear()
    return strings


def _read_rows(
    safe_xml: Any,
    stream: Any,
    sheet: Sheet,
    shown: str,
    strings: list[str],
    dates: set[int],
    max_row: int,
    max_column: int,
) -> list[Problem]:
    problems: list[Problem] = []
    row_number = 0
    for _, element in safe_xml.iterparse(stream):
        if element.tag != f"{_MAIN}row":
            continue
        given = element.get("r")
        row_number = int(given) if given and given.isdigit() else row_number + 1
        cells: dict[int, object] = {}
        column = 0
        for cell in element.iter(f"{_MAIN}c"):
            reference = _CELL.match(cell.get("r", ""))
            column = column_number(reference.group(1)) if reference else column + 1
            value = _value(cell, strings, dates)
            if value is None or (isinstance(value, str) and not value):
                continue
            if column > max_column:
                problems.append(
                    Problem(
                        shown,
                        f"holds a value beyond column {column_letters(max_column)}, the last "
                        "column npv-calc reads; move or delete it",
                        line=f"{sheet.title}!{column_letters(column)}{row_number}",
                    )
                )
                continue
            cells[column] = value
        element.clear()
        if not cells:
            continue
        if row_number > max_row:
            problems.append(
                Problem(
                    shown,
                    f"has content beyond row {max_row:,}, the last row npv-calc reads (a sheet "
                    f"of an input workbook holds at most {max_row - 4:,} rows of data); not read "
                    "further",
                    line=f"{sheet.title}!{column_letters(min(cells))}{row_number}",
                )
            )
            break
        sheet.rows[row_number] = cells
    return problems
