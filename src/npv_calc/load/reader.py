"""Reading the values of one document (a TOML file, or a part of an input workbook), with every
problem collected and located at its line or cell."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import Problem, shown_path
from ..model import Uncertain, Value
from .messages import got, percent_text_hint, show, suggest
from .rules import UNCERTAIN_KEYS, UNCERTAIN_OPTIONAL, Rule

Locations = Mapping[tuple[str, int], Mapping[str, int | str]]
#: The unknown keys of one table reported one by one; the rest are counted in one problem.
MAX_UNKNOWN_KEYS = 20
#: The problems of one file listed one by one; the rest are counted in one more.
MAX_PROBLEMS = 1_000


class FileReader:
    """Collects the problems of one file and locates them.

    ``locations`` says where each key is: ``{(table, occurrence): {key: line or cell}}``, as
    :func:`key_lines` finds them in TOML text, or as the spreadsheet reader records cells.
    """

    def __init__(self, path: Path, locations: Locations):
        self.path = path
        self.lines = locations
        self._problems: list[Problem] = []
        #: problems beyond :data:`MAX_PROBLEMS`: how many, and the line of the first
        self._unlisted = 0
        self._unlisted_line: int | str | None = None
        #: what is allowed but very likely a slip (printed as ``Warning:``; errors with --strict)
        self.warnings: list[Problem] = []

    @property
    def problems(self) -> list[Problem]:
        """The problems found, the first :data:`MAX_PROBLEMS` one by one and any more counted
        in a last one (a file of a million slips is not a million messages, nor gigabytes)."""
        if not self._unlisted:
            return self._problems
        rest = Problem(
            self.shown,
            f"{self._unlisted:,} more problems from here on are not listed (npv-calc lists the "
            f"first {MAX_PROBLEMS:,} of a file): correct these and validate again",
            line=self._unlisted_line,
        )
        return [*self._problems, rest]

    @cached_property
    def shown(self) -> str:
        """The file as messages name it; worked out only when there is a problem to report."""
        return shown_path(self.path)

    def keys_at(self, where: tuple[str, int]) -> Callable[[], Mapping[str, int | str]]:
        """Where the keys of one table are written, looked up only when asked for
        (:class:`npv_calc.model.KeyLines`)."""
        lines = self.lines  # not the reader: it goes when the file is read
        return lambda: lines.get(where, {})

    def line_of(self, table: str, occurrence: int, field: str | None) -> int | str | None:
        keys = self.lines.get((table, occurrence), {})
        if field is not None:
            root = field.split(".")[0].split("[")[0]
            for key in (field, root):
                if key in keys:
                    return keys[key]
            # a key written as its own table header, e.g. [portfolo] or [[cost]]
            nested = self.lines.get((f"{table}.{root}" if table else root, 1), {})
            if "" in nested:
                return nested[""]
        return keys.get("")

    def add(
        self,
        message: str,
        *,
        item: str | None = None,
        field: str | None = None,
        where: tuple[str, int] = ("", 1),
    ) -> None:
        if len(self._problems) < MAX_PROBLEMS:
            line = self.line_of(where[0], where[1], field)
            self._problems.append(Problem(self.shown, message, item, field, line))
            return
        if not self._unlisted:
            self._unlisted_line = self.line_of(where[0], where[1], field)
        self._unlisted += 1

    def warn(
        self,
        message: str,
        *,
        item: str | None = None,
        field: str | None = None,
        where: tuple[str, int] = ("", 1),
    ) -> None:
        line = self.line_of(where[0], where[1], field)
        self.warnings.append(Problem(self.shown, message, item, field, line))

    # -- typed readers: each returns None (after recording a problem) when the value is bad --

    def number(self, raw: Any, rule: Rule | None, **at: Any) -> float | None:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.add(f"must be a number, {got(raw)}{percent_text_hint(raw)}", **at)
            return None
        try:
            finite = math.isfinite(raw)
        except OverflowError:  # an integer too large for a float
            # (an int compares with the rule's bounds exactly, however large)
            allowed = (
                rule.allowed
                if rule is not None and not rule.ok(raw)
                else "must be a finite number no larger than about 1e308"
            )
            self.add(f"{allowed}, got {show(raw)}", **at)
            return None
        if not finite:
            self.add(f"must be a finite number, got {show(raw)}", **at)
            return None
        if rule is not None and not rule.ok(raw):
            slip = rule.percent_slip(raw)
            hint = f" (did you mean {slip}?)" if slip else ""
            self.add(f"{rule.allowed}, got {show(raw)}{hint}", **at)
            return None
        if rule is not None and rule.warn_above is not None and raw > rule.warn_above:
            self.warn(f"{show(raw)} {rule.warning}", **at)
        return float(raw)

    def whole(self, raw: Any, low: int, high: int, what: str, **at: Any) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.add(f"must be {what}, {got(raw)}", **at)
            return None
        if not low <= raw <= high:
            self.add(f"must be {what}, got {show(raw)}", **at)
            return None
        return raw

    def year(self, raw: Any, **at: Any) -> int | None:
        return self.whole(raw, 1000, 9999, "a year such as 2023 (a whole number)", **at)

    def text(self, raw: Any, *, required: bool = False, **at: Any) -> str | None:
        if not isinstance(raw, str):
            self.add(f"must be text in quotes, {got(raw)}", **at)
            return None
        if required and not raw.strip():
            self.add("must not be empty", **at)
            return None
        return raw

    def boolean(self, raw: Any, **at: Any) -> bool | None:
        if not isinstance(raw, bool):
            self.add(f"must be true or false, got {show(raw)}", **at)
            return None
        return raw

    def choice(self, raw: Any, choices: Sequence[str], **at: Any) -> str | None:
        if not isinstance(raw, str) or raw not in choices:
            allowed = ", ".join(f'"{c}"' for c in choices)
            hint = suggest(raw, choices) if isinstance(raw, str) else ""
            self.add(f"must be one of {allowed}, got {show(raw)}{hint}", **at)
            return None
        return raw

    def table(self, raw: Any, what: str, **at: Any) -> dict | None:
        if not isinstance(raw, dict):
            self.add(f"must be a table ({what}), {got(raw)}", **at)
            return None
        return raw

    def unknown_keys(
        self,
        table: dict,
        allowed: Sequence[str],
        *,
        item: str | None,
        where: tuple[str, int],
        elsewhere: dict[str, str] | None = None,
        prefix: str = "",
    ) -> None:
        known = set(allowed)
        unknown = [key for key in table if key not in known]
        allowed_text = ", ".join(allowed)
        for key in unknown[:MAX_UNKNOWN_KEYS]:
            hint = (elsewhere or {}).get(key)
            message = f"unknown key {show(key)}" + (f": {hint}" if hint else suggest(key, allowed))
            self.add(
                f"{message}; allowed keys here: {allowed_text}",
                item=item,
                field=prefix + key,
                where=where,
            )
        if len(unknown) > MAX_UNKNOWN_KEYS:
            # one problem for the rest: a file of a million stray keys is not a million errors
            rest = unknown[MAX_UNKNOWN_KEYS:]
            some = ", ".join(show(key) for key in rest[:3])
            self.add(
                f"{len(rest):,} more unknown keys here ({some}, ...), not listed one by one; "
                f"allowed keys here: {allowed_text}",
                item=item,
                field=prefix + rest[0],
                where=where,
            )

    def value(self, raw: Any, rule: Rule, **at: Any) -> Value | None:
        """A number, or an uncertain ``{low, central, high}`` table, obeying ``rule``."""
        if not isinstance(raw, dict):
            return self.number(raw, rule, **at)
        field = at.pop("field")
        ok = True
        allowed = (*UNCERTAIN_KEYS, *UNCERTAIN_OPTIONAL)
        for key in raw:
            if key not in allowed:
                self.add(
                    f"unknown key {show(key)} in an uncertain value{suggest(key, allowed)};"
                    ' write { low = ..., central = ..., high = ... } (and group = "..." for '
                    "a correlation group)",
                    field=f"{field}.{key}",
                    **at,
                )
                ok = False
        group = None
        if "group" in raw:
            group = self.text(raw["group"], required=True, field=f"{field}.group", **at)
            ok = ok and group is not None
        missing = [k for k in UNCERTAIN_KEYS if k not in raw]
        if missing:
            self.add(
                f"an uncertain value needs low, central and high; missing {', '.join(missing)}",
                field=field,
                **at,
            )
            return None
        read = [self.number(raw[k], rule, field=f"{field}.{k}", **at) for k in UNCERTAIN_KEYS]
        numbers = [n for n in read if n is not None]
        if not ok or len(numbers) < len(read):
            return None
        low, mid, high = numbers
        if not low <= mid <= high:
            self.add(
                f"must have low <= central <= high, got {show(raw)}",
                field=field,
                **at,
            )
            return None
        return Uncertain(low, mid, high, group)
