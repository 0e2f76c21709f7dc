"""Reading TOML scenario files: the bytes, the parse, and where each key is written."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ..errors import Problem, shown_path
from .messages import decimal

#: Input files larger than this are refused unread: no real scenario file comes near it.
MAX_FILE_BYTES = 10_000_000

_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*(\.|=)""")


def _unquote(name: str) -> str:
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


def key_lines(text: str) -> dict[tuple[str, int], dict[str, int | str]]:
    """Where each key is written: ``{(table, occurrence): {key: line}}``, lines 1-based.

    ``table`` is ``""`` for the top of the file, else the header's dotted name; ``occurrence``
    counts ``[[array]]`` tables from 1 (and is 1 for plain tables). The table's own header line is
    recorded under the key ``""``. This is a light scan, not a parser: it is only used to point
    messages at a line, and a key it cannot place is simply reported without one.
    """
    found: dict[tuple[str, int], dict[str, int | str]] = {("", 1): {}}
    counts: dict[str, int] = {}
    current = ("", 1)
    in_string: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        if in_string:
            if raw.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(raw)
        if header and not raw.lstrip().startswith("[="):
            name = _unquote(header.group(2))
            counts[name] = counts.get(name, 0) + 1 if header.group(1) == "[[" else 1
            current = (name, counts[name])
            found.setdefault(current, {})[""] = number
            continue
        key = _KEY.match(raw)
        if key:
            found[current].setdefault(key.group(1).strip("\"'"), number)
        for quotes in ('"""', "'''"):
            if raw.count(quotes) % 2 == 1:
                in_string = quotes
                break
    return found


class _Refused(Exception):
    """Why a scenario file cannot be read as text."""


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """The text of a scenario file, or ``None`` after recording why it cannot be read."""
    try:
        return _text(path)
    except _Refused as refused:
        problems.append(Problem(shown_path(path), str(refused)))
        return None


def _text(path: Path) -> str:
    if not path.is_file():  # a pipe or device would block or never end
        raise _Refused("is not a regular file; scenario files are TOML text")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _Refused(
                f"is {size:,} bytes; scenario files are limited to {MAX_FILE_BYTES:,} bytes"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise _Refused(f"cannot be read: {exc.strerror or exc}") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(data) >= 4 and b"\x00" in data[:4] and data.replace(b"\x00", b"").isascii()
    ):
        raise _Refused(
            "is not UTF-8 text (it looks like UTF-16, which some editors call 'Unicode'); "
            "save it as UTF-8"
        )
    if b"\x00" in data:
        raise _Refused("is not a text file (it contains binary data); scenario files are TOML text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Refused(
            f"is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None


_PERCENT = re.compile(r"(?<![\w.])([-+]?[0-9][0-9_]*(?:\.[0-9_]+)?)\s*%")


def percent_hint(line: str, column: int | None) -> str:
    """``; write 0.10 ...`` when the line holds a percentage such as ``10%`` (not TOML), the one
    nearest the column where parsing stopped; else ``""``."""
    found = list(_PERCENT.finditer(line.split("#")[0]))
    if not found:
        return ""
    near = min(found, key=lambda m: abs(m.end() - (column or m.end())))
    value = float(near.group(1).replace("_", "")) / 100
    written = near.group(0)
    return f"; write {decimal(value)} (a percentage as a decimal: {written} is {decimal(value)})"


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = re.compile(r"\s*\(at end of document\)$")


def parse_toml(text: str, path: Path, problems: list[Problem]) -> dict | None:
    """The document a TOML text holds, or ``None`` after recording where it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = column = None
        position = _TOML_POSITION.search(message)
        if position:
            line, column = int(position.group(1)), int(position.group(2))
            message = message[: position.start()]
        elif _TOML_END.search(message):
            line = max(1, len(text.splitlines()))
            message = _TOML_END.sub(" (at end of file)", message)
        if line is not None:
            message += percent_hint(text.splitlines()[line - 1] if text else "", column)
        problems.append(
            Problem(shown_path(path), f"is not valid TOML: {message}", line=line, column=column)
        )
        return None
    except RecursionError:
        problems.append(
            Problem(
                shown_path(path),
                "is not a scenario file npv-calc can read: its values nest too deeply (lists "
                "within lists hundreds deep); scenario files need a level or two",
            )
        )
        return None
    except ValueError as exc:  # e.g. an integer of thousands of digits, beyond Python's limit
        detail = str(exc).split(";")[0]
        problems.append(Problem(shown_path(path), f"holds a value npv-calc cannot read ({detail})"))
        return None
