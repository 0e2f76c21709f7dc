"""Problems with the input, reported all together rather than one at a time."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as the input allows.

    ``file`` is the file as the user named it (or ``--set``), ``line``/``column`` the 1-based
    position in it when known, ``item`` the part of the file (e.g. ``benefits[2] "Deliberate fires
    avoided"``), ``field`` the key, and ``message`` what was wrong and what is allowed.
    """

    file: str
    message: str
    item: str | None = None
    field: str | None = None
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        parts = [where]
        if self.item:
            parts.append(self.item)
        if self.field:
            parts.append(self.field)
        return ": ".join([*parts, self.message])


class InputError(Exception):
    """The input cannot be appraised; ``problems`` says every reason found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(Exception):
    """A command-line option names something that does not exist (exit code 2)."""


class OutputError(Exception):
    """An output cannot be written (a missing template, an unwritable path); exit code 1."""
