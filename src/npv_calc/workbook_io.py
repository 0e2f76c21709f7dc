"""Workbook I/O in one place: opening untrusted workbooks safely, writing text that can never
become a formula, checking a path before work is done, and saving atomically.

Both the input workbook (read by :mod:`npv_calc.load.workbook`, written by
:mod:`npv_calc.convert.input_workbook`) and the board workbook (:mod:`npv_calc.report.workbook`)
go through these functions, so each safety rule is written once.

openpyxl is imported inside the functions that need it, so that importing this module (as the
loader does) costs nothing until a workbook is really opened.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, OutputError, Problem
from .model import MACRO_SUFFIXES, OTHER_SPREADSHEET_SUFFIXES

if TYPE_CHECKING:
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


def put_text(cell: Any, value: object, style: str | None = None) -> None:
    """Write text that must stay text, even when it starts with ``=``, ``+``, ``-`` or ``@``.

    Every piece of text that comes from an input file goes through here: openpyxl would
    otherwise store ``"=HYPERLINK(...)"`` as a formula.
    """
    cell.value = safe_text(value)
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
    """Refuse a path that cannot be written, before any work is done.

    Raises
    ------
    OutputError
        ``path`` is a directory, its folder is missing or read-only, the file is read-only, or
        a spreadsheet program has it open (its lock file exists).
    """
    folder = path.parent
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {path}: the folder {folder} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"cannot write {path}: the existing file is read-only")
    for lock in (folder / f".~lock.{path.name}#", folder / f"~${path.name}"):
        if lock.exists():
            raise OutputError(
                f"cannot write {path}: it is open in a spreadsheet program ({lock.name} "
                "exists); close it and run again"
            )


def save_atomically(wb: Workbook, path: Path) -> None:
    """Save to a temporary file beside ``path``, then move it into place: a failure leaves no
    partial file and an existing ``path`` untouched."""
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        os.close(handle)
        wb.save(temporary)
        # mkstemp makes the file private; give it the permissions a new file would have.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)


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


def check_package(path: Path, shown: str) -> list[Problem]:
    """Refuse what must not be opened: the wrong kind of file, macros, or a zip bomb.

    Nothing is parsed by openpyxl here: the zip directory is read, every part is unpacked with
    a running count (a directory's sizes can lie), and ``[Content_Types].xml`` is parsed with
    defusedxml.
    """

    def refuse(message: str) -> list[Problem]:
        return [Problem(shown, message)]

    if path.suffix.lower() in OTHER_SPREADSHEET_SUFFIXES:
        return refuse(
            f"is a {path.suffix} spreadsheet; npv-calc reads Excel workbooks (.xlsx): "
            "save a copy as .xlsx (Excel Workbook)"
        )
    if path.suffix.lower() in MACRO_SUFFIXES:
        return refuse(
            f"is a macro-enabled or binary workbook ({path.suffix}); npv-calc reads "
            "only .xlsx files: save a copy as .xlsx (Excel Workbook)"
        )
    try:
        size = path.stat().st_size
    except OSError as exc:
        return refuse(f"cannot be read: {exc.strerror or exc}")
    if size > MAX_FILE_BYTES:
        return refuse(f"is {size:,} bytes; input workbooks are limited to {MAX_FILE_BYTES:,}")
    if not zipfile.is_zipfile(path):
        with path.open("rb") as handle:
            start = handle.read(8)
        if start.startswith(b"\xd0\xcf\x11\xe0"):
            return refuse("is an old-style Excel file (.xls); save it as .xlsx")
        return refuse("is not an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            if any("vbaproject" in p.filename.lower() for p in parts):
                return refuse(
                    "contains macros (vbaProject.bin); npv-calc does not open "
                    "macro-enabled workbooks: save a copy as .xlsx without macros"
                )
            declared = sum(p.file_size for p in parts)
            if declared > MAX_UNPACKED_BYTES or any(
                p.compress_size and p.file_size / p.compress_size > MAX_RATIO for p in parts
            ):
                return refuse(_bomb())
            total = 0
            for part in parts:
                with archive.open(part) as stream:
                    while chunk := stream.read(1 << 20):
                        total += len(chunk)
                        if total > MAX_UNPACKED_BYTES:
                            return refuse(_bomb())
            if "[Content_Types].xml" not in archive.namelist():
                return refuse("is not an Excel workbook (no [Content_Types].xml)")
            import defusedxml.ElementTree as safe_xml

            types = safe_xml.fromstring(archive.read("[Content_Types].xml"))
            content = " ".join(e.get("ContentType", "") for e in types.iter())
            if "macroEnabled" in content or "vbaProject" in content:
                return refuse(
                    "is macro-enabled; npv-calc does not open macro-enabled "
                    "workbooks: save a copy as .xlsx"
                )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        return refuse(f"is not a readable Excel workbook ({exc})")
    except Exception as exc:  # defusedxml refuses entities and DTDs with its own errors
        detail = " ".join(str(exc).split())
        return refuse(f"has unsafe or malformed XML ({type(exc).__name__}: {detail}); not opened")
    return []


def open_untrusted(path: Path, shown: str) -> tuple[Workbook, Workbook]:
    """Open a workbook from outside twice, read-only: once for the values its cells hold (as
    last saved) and once for what was typed (to spot a formula whose result was never saved).

    The caller closes both. XML is parsed with defusedxml (openpyxl uses it when it is
    installed, and this checks that it is).

    Raises
    ------
    InputError
        The file must not be opened (:func:`check_package`) or cannot be read as a workbook.
    OutputError
        defusedxml is missing, so no untrusted workbook is opened at all.
    """
    problems = check_package(path, shown)
    if problems:
        raise InputError(problems)
    import openpyxl.xml
    from openpyxl import load_workbook

    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise OutputError("defusedxml is not installed: untrusted workbooks are not opened")
    try:
        values = load_workbook(path, data_only=True, read_only=True)
        formulas = load_workbook(path, data_only=False, read_only=True)
    except Exception as exc:
        raise InputError([Problem(shown, f"cannot be read as a workbook: {exc}")]) from None
    return values, formulas
