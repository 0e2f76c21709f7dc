"""Reading TOML scenario files: the bytes, the parse, and where each key is written."""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from ..errors import LongInteger, Problem, shown_path
from .messages import decimal, show
from .rules import MAX_ITEMS, MAX_KEY_PARTS

#: Input files larger than this are refused unread: no real scenario file comes near it.
MAX_FILE_BYTES = 10_000_000

#: The start of a line that may be a table header (counted: an overcount is harmless).
_TABLE_START = re.compile(r"^[ \t]*\[", re.MULTILINE)
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
    for number, raw, header in _scan(text.splitlines()):
        if header:
            name = _unquote(header.group(2))
            counts[name] = counts.get(name, 0) + 1 if header.group(1) == "[[" else 1
            current = (name, counts[name])
            found.setdefault(current, {})[""] = number
            continue
        key = _KEY.match(raw)
        if key:
            found[current].setdefault(key.group(1).strip("\"'"), number)
    return found


class LazyKeyLines(Mapping[tuple[str, int], dict[str, int | str]]):
    """:func:`key_lines` of a text, scanned the first time a key's line is asked for: most files
    have no problem to place (see :class:`npv_calc.model.KeyLines`)."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text
        self._found: dict[tuple[str, int], dict[str, int | str]] = {}

    def _lines(self) -> dict[tuple[str, int], dict[str, int | str]]:
        if self._text is not None:
            self._found, self._text = key_lines(self._text), None
        return self._found

    def __getitem__(self, key: tuple[str, int]) -> dict[str, int | str]:
        return self._lines()[key]

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._lines())

    def __len__(self) -> int:
        return len(self._lines())


def _scan(lines: list[str]) -> Iterator[tuple[int, str, re.Match[str] | None]]:
    """Each line outside a multi-line string, numbered from 1, with its table header if it is
    one."""
    in_string: str | None = None
    for number, raw in enumerate(lines, start=1):
        if in_string:
            if raw.count(in_string) % 2 == 1:
                in_string = None
            continue
        header = _HEADER.match(raw)
        if header and not raw.lstrip().startswith("[="):
            yield number, raw, header
            continue
        yield number, raw, None
        for quotes in ('"""', "'''"):
            if raw.count(quotes) % 2 == 1:
                in_string = quotes
                break


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
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _Refused(
            f"is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8"
        ) from None
    # Counted before the parser builds them all (and before each is read and reported): a
    # few megabytes of "[[costs]]" would otherwise take gigabytes.
    tables = len(_TABLE_START.findall(text))
    if tables > MAX_ITEMS:
        raise _Refused(
            f"has {tables:,} tables ([...] or [[...]] headers); a scenario file has at most "
            f"{MAX_ITEMS:,} (no real one comes near)"
        )
    if text.count(".") > MAX_KEY_PARTS:
        _check_key_parts(text)
    return text


def _check_key_parts(text: str) -> None:
    """Refuse a dotted key of more than :data:`MAX_KEY_PARTS` parts before the parser reads it:
    tomllib keeps every prefix of such a key, so 20,000 parts (40 KB) took 1.5 GB. Dots before a
    line's first ``=`` are counted, a quoted part's too: no real key comes near the limit."""
    for number, line in enumerate(text.splitlines(), start=1):
        key, equals, _ = line.partition("=")
        if equals and key.count(".") >= MAX_KEY_PARTS:
            raise _Refused(
                f"line {number}: a dotted key of {key.count('.') + 1:,} parts; a key has at most "
                f"{MAX_KEY_PARTS} (a real one has a few, such as costs.years)"
            )


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
    """The document a TOML text holds, or ``None`` after recording where it is not TOML.

    A key given twice (which tomllib reports without naming it) is recorded naming the key, its
    table and both lines; the second is then left out and the text read again, so that every
    key given twice, and every other problem of a file that can still be read, is reported in
    one run.
    """
    twice: list[_Twice] = []
    data = None
    while True:
        try:
            # a whole number of thousands of digits comes back as a LongInteger, which the
            # check of its field refuses at its line
            data = loads(text)
        except tomllib.TOMLDecodeError as exc:
            line, column, message, at_end = _position(str(exc), text)
            found = _given_twice(text, message, line, column)
            if found is None:
                problems.append(_not_toml(text, path, message, line, column, at_end))
            elif found.without is not None and _read_again(len(twice) + 1, text):
                twice.append(found)
                text = found.without
                continue
            else:
                twice.append(found)
                if found.without is not None:
                    problems.append(
                        Problem(
                            shown_path(path),
                            f"is read no further after {len(twice)} keys given twice",
                        )
                    )
        except RecursionError:
            problems.append(
                Problem(
                    shown_path(path),
                    "is not a scenario file npv-calc can read: its values nest too deeply (lists "
                    "within lists hundreds deep); scenario files need a level or two",
                )
            )
        except ValueError as exc:  # a value beyond what Python reads, not a long whole number
            detail = str(exc).split(";")[0]
            problems.append(
                Problem(shown_path(path), f"holds a value npv-calc cannot read ({detail})")
            )
        break
    problems += [found.problem(path, data) for found in twice]
    return data


#: A decimal whole number written as a value: after ``=``, ``[``, ``,`` or ``{``, or first on
#: a line (of a list over several lines), and followed by the end of the value.
_WHOLE_NUMBER = re.compile(
    r"(?P<before>(?:^|[=\[,{])[ \t]*)(?P<number>[+-]?[0-9][0-9_]*)(?=[ \t]*(?:[,\]}#\r\n]|$))",
    re.MULTILINE,
)
#: What stands for the n-th long whole number while the text is read again (a private-use
#: character no scenario file has reason to hold, then n).
_MARK = "\ue000"


def _mark_long_integers(text: str, found: list[str]) -> str | None:
    """``text`` with each decimal whole number too long for Python to read (more digits than
    ``sys.get_int_max_str_digits()``) replaced by a marked string, the numbers appended to
    ``found``; ``None`` when there is none."""
    limit = sys.get_int_max_str_digits()

    def mark(match: re.Match[str]) -> str:
        number = match.group("number")
        if not limit or sum(c.isdigit() for c in number) <= limit:
            return match.group(0)
        found.append(number)
        return f'{match.group("before")}"\\u{ord(_MARK):04x}{len(found) - 1}"'

    marked = _WHOLE_NUMBER.sub(mark, text)
    return marked if found else None


def loads(text: str) -> dict:
    """``tomllib.loads``, but a decimal whole number too long for Python to read comes back as a
    :class:`LongInteger` (for its check to refuse) instead of raising ``ValueError``.

    Raises
    ------
    tomllib.TOMLDecodeError
        When the text is not TOML.
    """
    try:
        return tomllib.loads(text)
    except ValueError as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise
        numbers: list[str] = []
        marked = _mark_long_integers(text, numbers)
        if marked is None:
            raise
        data = tomllib.loads(marked)
        return {key: _unmark(value, numbers) for key, value in data.items()}


def _unmark(node: object, numbers: list[str]) -> object:
    """A document with each marked string put back as the :class:`LongInteger` it stands for."""
    if isinstance(node, dict):
        return {key: _unmark(value, numbers) for key, value in node.items()}
    if isinstance(node, list):
        return [_unmark(value, numbers) for value in node]
    if isinstance(node, str) and node.startswith(_MARK) and node[1:].isdigit():
        index = int(node[1:])
        if index < len(numbers):
            return LongInteger(numbers[index])
    return node


def _read_again(count: int, text: str) -> bool:
    """Whether to read a text again after its ``count``-th key given twice."""
    return count <= MAX_GIVEN_TWICE and count * len(text) <= _READ_AGAIN_BUDGET


def _position(message: str, text: str) -> tuple[int | None, int | None, str, bool]:
    """The line and column a tomllib message gives, the message without them, and whether it
    is at the end of the text."""
    position = _TOML_POSITION.search(message)
    if position:
        return int(position.group(1)), int(position.group(2)), message[: position.start()], False
    end = _TOML_END.search(message)
    if end:
        return max(1, text.count("\n") + 1), None, message[: end.start()], True
    return None, None, message, False


def _not_toml(
    text: str, path: Path, message: str, line: int | None, column: int | None, at_end: bool
) -> Problem:
    if at_end:
        message += " (at end of file)"
    if line is not None:
        lines = text.split("\n")
        message += percent_hint(lines[line - 1] if line <= len(lines) else "", column)
    return Problem(shown_path(path), f"is not valid TOML: {message}", line=line, column=column)


# -- keys given twice ------------------------------------------------------------------------

#: A file with more keys given twice than this is read no further (each is a fresh parse),
#: nor one whose reading again would parse more characters than the budget in all.
MAX_GIVEN_TWICE = 20
_READ_AGAIN_BUDGET = 20_000_000
#: What tomllib says, without naming the key, when a key or table is given twice.
_TWICE = re.compile(
    r"Cannot overwrite a value|Cannot declare .* twice|Cannot mutate immutable namespace .*|"
    r"Cannot redefine namespace .*|Duplicate inline table key '(.*)'"
)
#: How far back from where tomllib stopped a statement may start (a value over many lines),
#: and how many lines that look like the start of one are tried.
_STATEMENT_LINES = 2_000
_STATEMENT_TRIES = 20
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
#: A table header: its line, dotted name, occurrence (from 1) and whether it is a [[table]].
Header = tuple[int, str, int, bool]


@dataclass(frozen=True)
class _Twice:
    """A key (or table) given a second time: where, in which table, and where it was first."""

    line: int
    table: str  # the header's dotted name, "" for the top of the file
    occurrence: int  # which [[table]] of that name, from 1
    array: bool  # the table is a [[table]]
    key: tuple[str, ...]  # empty for a table header given twice
    first: tuple[int, tuple[str, ...]] | None = None  # the line and key given first
    inside: str | None = None  # a key given twice inside the inline table ``key`` holds
    without: str | None = None  # the text with the second statement blanked out

    def problem(self, path: Path, data: dict | None) -> Problem:
        if self.inside is not None:
            message = f"{show(self.inside)} is given twice in its {{ ... }}"
        elif self.first is None:
            message = "is given twice"
        elif self.key and len(self.first[1]) < len(self.key):
            message = f"is given twice: {_dotted(self.first[1])} is given whole at line "
            message += str(self.first[0])
        else:
            message = f"is given twice (first at line {self.first[0]})"
        if not self.key and self.first is not None:
            message += "; give each table once, with all its keys"
        field = _dotted(self.key) if self.key else None
        return Problem(shown_path(path), message, self._item(data), field, self.line)

    def _item(self, data: dict | None) -> str | None:
        if not self.table:
            return None
        if not self.key:  # the header itself
            return f"[[{self.table}]]" if self.array else f"[{self.table}]"
        if not self.array:
            return f"[{self.table}]"
        item = f"{self.table}[{self.occurrence}]"
        tables = (data or {}).get(self.table)
        if isinstance(tables, list) and len(tables) >= self.occurrence:
            name = tables[self.occurrence - 1].get("name")
            if isinstance(name, str) and name.strip():
                item += f' "{name}"'
        return item


def _dotted(key: tuple[str, ...]) -> str:
    return ".".join(part if _BARE_KEY.fullmatch(part) else show(part) for part in key)


def _given_twice(text: str, message: str, line: int | None, column: int | None) -> _Twice | None:
    """What tomllib's ``message`` at ``line`` means when it is about a key given twice."""
    twice = _TWICE.fullmatch(message.strip())
    lines = text.split("\n")
    if twice is None or line is None or line > len(lines):
        return None
    headers = _headers(lines)
    header = _HEADER.match(lines[line - 1])
    if header and not lines[line - 1].lstrip().startswith("[="):
        return _header_twice(lines, headers, line, _unquote(header.group(2)), header.group(1))
    starts = [0, *accumulate(len(each) + 1 for each in lines)]  # where each line starts
    end = starts[line - 1] + (len(lines[line - 1]) if column is None else column - 1)
    tries = 0
    for start_line in range(line, max(0, line - _STATEMENT_LINES), -1):
        written = lines[start_line - 1]
        if not _KEY.match(written):
            continue
        tries += 1
        if tries > _STATEMENT_TRIES:
            break
        key = _key_path(written)
        start = starts[start_line - 1]
        if key is None or (twice.group(1) is None and _loads(text[start:end]) is None):
            continue
        table, occurrence, array, opened = _table_at(headers, start_line)
        if twice.group(1) is not None:
            return _Twice(start_line, table, occurrence, array, key, inside=twice.group(1))
        first = _first_given(lines, opened, start_line, key)
        blank = re.sub(r"[^\n]", " ", text[start:end])
        without = text[:start] + blank + text[end:]
        return _Twice(start_line, table, occurrence, array, key, first, without=without)
    return None


def _loads(text: str) -> dict | None:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return None


def _key_path(written: str) -> tuple[str, ...] | None:
    """The key a ``key = value`` line gives, as its parts (``quantity.low`` is two)."""
    for equals in (i for i, char in enumerate(written) if char == "="):
        document = _loads(written[:equals] + "= 0")
        if document is None:
            continue
        path: list[str] = []
        value: object = document
        while isinstance(value, dict) and len(value) == 1:
            ((key, value),) = value.items()
            path.append(key)
        return tuple(path)
    return None


def _headers(lines: list[str]) -> list[Header]:
    """Each table header, in order."""
    found = []
    counts: dict[str, int] = {}
    for number, _, header in _scan(lines):
        if header:
            name = _unquote(header.group(2))
            counts[name] = counts.get(name, 0) + 1
            found.append((number, name, counts[name], header.group(1) == "[["))
    return found


def _table_at(headers: list[Header], line: int) -> tuple[str, int, bool, int]:
    """The table a line is in: its name, occurrence, whether an array, and its header's line
    (0 for the top of the file)."""
    table: tuple[str, int, bool, int] = ("", 1, False, 0)
    for number, name, occurrence, array in headers:
        if number >= line:
            break
        table = (name, occurrence, array, number)
    return table


def _first_given(
    lines: list[str], opened: int, line: int, key: tuple[str, ...]
) -> tuple[int, tuple[str, ...]] | None:
    """The first line after ``opened`` (and before the next table or ``line``) that gives
    ``key``, a part of it or a key within it, with the key it gives."""
    for number in range(opened + 1, line):
        written = lines[number - 1]
        if _HEADER.match(written):
            break
        bare = _KEY.match(written)
        if bare is None or _unquote(bare.group(1)) != key[0]:
            continue
        given = _key_path(written)
        if given is not None and given[: len(key)] == key[: len(given)]:
            return number, given
    return None


def _header_twice(
    lines: list[str], headers: list[Header], line: int, name: str, brackets: str
) -> _Twice:
    """A table header that declares a table (or a key) given already."""
    array = brackets == "[["
    earlier = [number for number, n, _, _ in headers if n == name and number < line]
    if earlier:
        return _Twice(line, name, 1, array, (), (earlier[0], ()))
    # given as a key first, e.g. `costs = []` above `[[costs]]`
    parent, _, key = name.rpartition(".")
    opened = next((number for number, n, _, _ in headers if n == parent), 0) if parent else 0
    return _Twice(line, name, 1, array, (), _first_given(lines, opened, line, (key,)))
