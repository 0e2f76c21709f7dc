"""Problems with the input, reported all together rather than one at a time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Control characters (C0, DEL, C1), the Unicode line and paragraph separators, and the
# bidirectional controls (the Arabic letter mark, the left-to-right and right-to-left marks, the
# embeddings and overrides U+202A-U+202E, the isolates U+2066-U+2069): a terminal that honours
# them shows the text after one reordered, so that a name could rearrange the table around it.
_UNPRINTABLE = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def printable(text: str) -> str:
    """Text with control characters escaped (``\\n``, ``\\x1e``, ``\\u202e``), so that a name
    from an input file can neither break a message across lines, forge an ``Error:`` line nor
    reorder what is printed after it."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def printable_lines(text: str) -> str:
    """:func:`printable` for text of several lines (a table, a report): each line escaped, the
    line breaks kept."""
    return "\n".join(printable(line) for line in text.split("\n"))


class LongInteger(int):
    """A whole number written with more digits than Python will read (4,300 by default, a
    guard against numbers that take minutes to convert), standing in for it.

    Its value, ``±10**400``, lies beyond every range npv-calc allows (and beyond a float), so
    that the check of the field it was given for refuses it with the field's own words; it is
    shown as written, cut short, with its count of digits, as ``str()`` of such a number
    cannot be taken.
    """

    written: str

    def __new__(cls, written: str) -> LongInteger:
        sign = -1 if written.lstrip().startswith("-") else 1
        number = super().__new__(cls, sign * 10**400)
        number.written = written.strip()
        return number

    @property
    def digits(self) -> int:
        """How many digits it was written with."""
        return sum(char.isdigit() for char in self.written)

    def __str__(self) -> str:
        return f"{self.written[:16]}... (a whole number of {self.digits:,} digits)"

    __repr__ = __str__


def whole_number_text(value: int) -> str:
    """A whole number as messages show it: in full, unless it has thousands of digits (which
    ``str()`` refuses to convert): then its sign and about how many digits it has."""
    if isinstance(value, LongInteger) or value.bit_length() < 10_000:  # about 3,000 digits
        return str(value)
    digits = int(value.bit_length() * 0.30103) + 1
    sign = "negative " if value < 0 else ""
    return f"a {sign}whole number of about {digits:,} digits"


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is below it.

    Only called when there is something to report: it asks the operating system for the working
    directory, which costs more than the calculation of a small project.
    """
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows.

    ``file`` is the file as the user named it (or ``--set``); ``line``/``column`` the 1-based
    position in it when known, or for a spreadsheet ``line`` is the cell (``Benefits!F7``);
    ``item`` the part of the file (e.g. ``benefits[2] "Deliberate fires avoided"``), ``field``
    the key, and ``message`` what was wrong and what is allowed.
    """

    file: str
    message: str
    item: str | None = None
    field: str | None = None
    line: int | str | None = None  # a line number, or a spreadsheet cell such as "Benefits!F7"
    column: int | None = None

    def __str__(self) -> str:
        return printable(": ".join([self._place(), self.message]))

    @property
    def place(self) -> str:
        """Where the problem is, as messages write it: ``file:line: item: field``."""
        return printable(self._place())

    def _place(self) -> str:
        where = self.file
        parts = []
        if isinstance(self.line, int):
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        elif self.line:
            parts.append(self.line)
        if self.item:
            parts.append(self.item)
        if self.field:
            # a field named by the input (a grade, a group, an unknown key) may be any length
            parts.append(self.field if len(self.field) <= 80 else self.field[:77] + "...")
        return ": ".join([where, *parts])


class InputError(Exception):
    """The input cannot be appraised; ``problems`` says every reason found, and ``warnings``
    what else looked wrong (reported with them)."""

    def __init__(
        self, problems: Iterable[Problem], warnings: Iterable[Problem] = (), strict: bool = False
    ):
        self.problems = list(problems)
        self.warnings = list(warnings)
        #: the problems are warnings that ``--strict`` made errors
        self.strict = strict
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """A command-line option names something that does not exist (exit code 2)."""


class OutputError(Exception):
    """An output cannot be written (a missing template, an unwritable path); exit code 1."""
