"""Workbook I/O in one place: opening untrusted workbooks safely, writing text that can never
become a formula, checking a path before work is done, and saving atomically.

Both the input workbook (read by :mod:`npv_calc.load.workbook`, written by
:mod:`npv_calc.convert.input_workbook`) and the board workbook (:mod:`npv_calc.report.workbook`)
go through these functions, so each safety rule is written once.

openpyxl is imported inside the functions that need it, so that importing this module (as the
loader does) costs nothing until a workbook is really opened.
"""

from __future__ import annotations

import contextlib
import io
import re
import stat
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, OutputError, Problem
from .files import check_output, replace_atomically
from .model import MACRO_SUFFIXES, OTHER_SPREADSHEET_SUFFIXES
from .workbook_xml import (
    ESCAPED,
    Book,
    ContentTypes,
    Enough,
    Events,
    Refused,
    Relationships,
    Rows,
    SharedStrings,
    Styles,
    parse,
)

# what the readers of an input workbook and the writers of one use, as they always have
from .workbook_xml import NO_RESULT as NO_RESULT
from .workbook_xml import Sheet as Sheet
from .workbook_xml import column_letters as column_letters
from .workbook_xml import column_number as column_number

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
        except Refused as refused:
            why = str(refused)
        except Exception as exc:  # defusedxml refuses entities with its own errors
            why = _unsafe(exc)
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
    types = ContentTypes()
    _read_part(archive, "[Content_Types].xml", types)
    parts = archive.infolist()
    if any("macrosheet" in p.filename.lower() for p in parts) or "macrosheet" in types.found:
        return (
            "contains an Excel 4 macro sheet; npv-calc does not open workbooks with "
            "macros: save a copy as .xlsx without it"
        )
    if types.found & {"macroEnabled", "vbaProject"}:
        return (
            "is macro-enabled; npv-calc does not open macro-enabled workbooks: save a copy as .xlsx"
        )
    return None


# -- reading untrusted workbooks: their sheets (the XML is read by npv_calc.workbook_xml) -----


def escape_text(text: str) -> str:
    """Text as a cell must store it to read back the same: a carriage return as ``_x000D_``,
    and a literal ``_xHHHH_`` protected as ``_x005F_xHHHH_``."""
    text = ESCAPED.sub(lambda m: "_x005F_" + m.group(0)[1:], text)
    return text.replace("\r", "_x000D_")


def _part(base: str, target: str) -> str:
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

    Each part's XML is read as a stream (:func:`parse`), keeping only the cells. A value
    beyond the last column is a problem naming its cell (one for each row); a row beyond the
    last is a problem, and the sheet is read no further.

    Raises
    ------
    InputError
        The file must not be opened (:func:`check_package`), is not a readable workbook, or
        passes a limit of its XML (:data:`MAX_XML_DEPTH`, :data:`MAX_SHARED_STRINGS`,
        :data:`MAX_FORMATS`).
    """
    problems = check_package(path, shown)
    if problems:
        raise InputError(problems)
    try:
        with zipfile.ZipFile(path) as archive:
            return _read_package(archive, shown, set(titles), (max_row, max_column))
    except InputError:
        raise
    except Refused as refused:
        raise InputError([Problem(shown, str(refused))]) from None
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise _broken(shown, exc) from None
    except Exception as exc:  # defusedxml's refusals (ValueErrors) and malformed XML
        raise InputError([Problem(shown, _unsafe(exc))]) from None


def _unsafe(exc: Exception) -> str:
    detail = " ".join(str(exc).split())
    return f"has unsafe or malformed XML ({type(exc).__name__}: {detail}); not opened"


def _broken(shown: str, detail: object) -> InputError:
    text = " ".join(str(detail).split())
    return InputError([Problem(shown, f"cannot be read as a workbook: {text}")])


def _read_part(archive: zipfile.ZipFile, part: str, handler: Events) -> None:
    with archive.open(part) as stream:
        parse(stream, handler)


def _read_package(
    archive: zipfile.ZipFile, shown: str, wanted: set[str], limits: tuple[int, int]
) -> tuple[dict[str, Sheet], list[Problem]]:
    """The sheets of an open package that are ``wanted``, and the problems of their cells."""
    names = set(archive.namelist())
    if _BOOK not in names or _BOOK_RELATIONSHIPS not in names:
        raise _broken(shown, "it has no xl/workbook.xml (is it a spreadsheet?)")
    book = Book(wanted)
    _read_part(archive, _BOOK, book)
    relationships = Relationships(set(book.sheets.values()))
    _read_part(archive, _BOOK_RELATIONSHIPS, relationships)
    strings = SharedStrings()
    target = relationships.by_type.get("sharedStrings")
    if target and _part(_BOOK, target) in names:
        _read_part(archive, _part(_BOOK, target), strings)
    styles = Styles()
    target = relationships.by_type.get("styles")
    if target and _part(_BOOK, target) in names:
        _read_part(archive, _part(_BOOK, target), styles)
    dates = styles.dates()
    sheets: dict[str, Sheet] = {}
    problems: list[Problem] = []
    for title, rid in book.sheets.items():
        part = _part(_BOOK, relationships.targets.get(rid, ""))
        if part not in names:
            raise _broken(shown, f"its sheet {title!r} is missing from the file")
        sheet = Sheet(title)
        rows = Rows(sheet, shown, strings.strings, dates, limits)
        with contextlib.suppress(Enough):  # the sheet was read as far as it is read
            _read_part(archive, part, rows)
        problems += rows.problems
        sheets[title] = sheet
    return sheets, problems
