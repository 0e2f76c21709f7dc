"""Problems with the input, reported all together rather than one at a time."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """Text with control characters escaped (``\\n``, ``\\x1e``), so that a name from an input
    file can neither break a message across lines nor forge an ``Error:`` line."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


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
            parts.append(self.field)
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
