"""Scenario files (TOML) into the model, with every problem collected.

Reading never stops at the first problem: each file is parsed as far as it can be and every
problem is recorded as a :class:`~npv_calc.errors.Problem` naming the file, the source line, the
item (``benefits[2] "Deliberate fires avoided"``), the field, the bad value and what is allowed.
:func:`load_portfolio` raises one :class:`~npv_calc.errors.InputError` carrying them all.

Two kinds of check are kept apart. *Field* checks (types, ranges, unknown keys) depend only on the
file. *Cross* checks (``years`` inside the horizon, deflators for ``price_year``, grades that
exist, unique ids) depend on the settings a project is appraised with, which ``--set`` and named
scenarios can change; :func:`cross_check` runs them for given settings.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import params
from .errors import InputError, Problem
from .model import (
    APPRAISAL_KEYS,
    COST_KINDS,
    STATUSES,
    Line,
    NamedScenario,
    Portfolio,
    Project,
    Settings,
    Uncertain,
    Value,
    is_workbook,
)

PORTFOLIO_FILE = "portfolio.toml"
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
BUILTIN_SCENARIOS = ("central", "pessimistic", "optimistic")
MAX_HORIZON = 400
#: Input files larger than this are refused unread: no real scenario file comes near it.
MAX_FILE_BYTES = 10_000_000

# ---------------------------------------------------------------------------------------------
# Value rules


@dataclass(frozen=True)
class Rule:
    """A range rule for a number, as JSON Schema bounds (so that ``npv-calc schema`` states the
    same rules), with the words saying what is allowed."""

    bounds: dict[str, float]  # minimum, maximum, exclusiveMinimum, exclusiveMaximum
    allowed: str

    def ok(self, x: float) -> bool:
        b = self.bounds
        return (
            x >= b.get("minimum", -math.inf)
            and x <= b.get("maximum", math.inf)
            and x > b.get("exclusiveMinimum", -math.inf)
            and x < b.get("exclusiveMaximum", math.inf)
        )


MONEY = Rule({"minimum": 0}, "must be 0 or more (£; a saving is a benefit, not a negative cost)")
NON_NEGATIVE = Rule({"minimum": 0}, "must be 0 or more")
SHARE = Rule({"minimum": 0, "maximum": 1}, "must be a share between 0 and 1 (e.g. 0.25 for 25%)")
YEARLY_CHANGE = Rule(
    {"exclusiveMinimum": -1, "exclusiveMaximum": 1},
    "must be greater than -1 and less than 1 (e.g. 0.02 for 2% a year)",
)
COST_UPLIFT = Rule({"minimum": 0}, "must be 0 or more (e.g. 0.24 for a 24% uplift)")
BENEFIT_REDUCTION = Rule(
    {"minimum": 0, "maximum": 1},
    "must be between 0 and 1 for a benefit (e.g. 0.1 reduces the benefit by 10%)",
)
POSITIVE = Rule({"exclusiveMinimum": 0}, "must be greater than 0")
DISCOUNT_RATE = Rule({"exclusiveMinimum": -1}, "must be greater than -1 (e.g. 0.035 for 3.5%)")

#: The rule for each uncertain-capable field, by section.
FIELD_RULES: dict[str, dict[str, Rule]] = {
    "costs": {
        "annual": MONEY,
        "scale": NON_NEGATIVE,
        "growth": YEARLY_CHANGE,
        "optimism_bias": COST_UPLIFT,
    },
    "benefits": {
        "annual": MONEY,
        "quantity": NON_NEGATIVE,
        "unit_value": MONEY,
        "scale": NON_NEGATIVE,
        "growth": YEARLY_CHANGE,
        "drop_off": YEARLY_CHANGE,
        "deadweight": SHARE,
        "displacement": SHARE,
        "attribution": SHARE,
        "optimism_bias": BENEFIT_REDUCTION,
    },
}
LINE_TEXT_KEYS = ("name", "agency", "source")
LINE_OTHER_KEYS = ("amounts", "years", "price_year")
COST_KEYS = (*LINE_TEXT_KEYS, "kind", *LINE_OTHER_KEYS, *FIELD_RULES["costs"])
BENEFIT_KEYS = (
    *LINE_TEXT_KEYS,
    "cashable",
    "confidence",
    *LINE_OTHER_KEYS,
    *FIELD_RULES["benefits"],
)
PROJECT_KEYS = (
    "id",
    "name",
    "start_year",
    "status",
    "partners",
    "description",
    "appraisal",
    *APPRAISAL_KEYS,
    "costs",
    "benefits",
)
PORTFOLIO_TABLES = ("portfolio", "appraisal", "confidence_grades", "deflators", "scenarios")
PORTFOLIO_KEYS = ("name", "description", "target", "target_year")
SCENARIO_KEYS = ("description", "set", "exclude")
UNCERTAIN_KEYS = ("low", "central", "high")


def show(value: Any) -> str:
    """A value as the user would have written it in TOML, shortened if long."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        text = "{ " + ", ".join(f"{_key(k)} = {show(v)}" for k, v in value.items()) + " }"
    elif isinstance(value, list):
        text = "[" + ", ".join(show(v) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _key(key: str) -> str:
    """A table key as TOML writes it: bare when it can be, else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def got(value: Any) -> str:
    """``got <value>``, saying what kind of value it is where that helps."""
    if value is None:
        return "got an empty cell"
    if isinstance(value, str):
        return f"got text {show(value)}"
    if isinstance(value, dict):
        return f"got a table {show(value)}"
    if isinstance(value, list):
        return f"got a list {show(value)}"
    if isinstance(value, bool | int | float):
        return f"got {show(value)}"
    return f"got a date/time {show(value)}"


def suggest(key: str, allowed: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` when a known key is close to ``key``, else ``""``."""
    import difflib  # only when there is something to suggest: it is slow to import

    by_lower = {a.lower(): a for a in allowed}
    match = [by_lower[m] for m in difflib.get_close_matches(key.lower(), by_lower, n=1, cutoff=0.6)]
    if not match and "_" not in key:
        # "dropoff" -> "drop_off", "priceyear" -> "price_year"
        squashed = {a.replace("_", ""): a for a in allowed}
        match = difflib.get_close_matches(key.replace("-", ""), list(squashed), n=1, cutoff=0.8)
        match = [squashed[m] for m in match]
    return f' (did you mean "{match[0]}"?)' if match else ""


# ---------------------------------------------------------------------------------------------
# Source lines of keys


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


# ---------------------------------------------------------------------------------------------
# Reading one file


Locations = dict[tuple[str, int], dict[str, int | str]]


class _FileReader:
    """Collects the problems of one file and locates them.

    ``locations`` says where each key is: ``{(table, occurrence): {key: line or cell}}``, as
    :func:`key_lines` finds them in TOML text, or as the spreadsheet reader records cells.
    """

    def __init__(self, path: Path, shown: str, locations: Locations):
        self.path = path
        self.shown = shown
        self.lines = locations
        self.problems: list[Problem] = []

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
        line = self.line_of(where[0], where[1], field)
        self.problems.append(Problem(self.shown, message, item, field, line))

    # -- typed readers: each returns None (after recording a problem) when the value is bad --

    def number(self, raw: Any, rule: Rule | None, **at: Any) -> float | None:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            self.add(f"must be a number, {got(raw)}", **at)
            return None
        try:
            finite = math.isfinite(raw)
        except OverflowError:  # an integer too large for a float
            self.add(f"must be a finite number no larger than about 1e308, got {show(raw)}", **at)
            return None
        if not finite:
            self.add(f"must be a finite number, got {show(raw)}", **at)
            return None
        if rule is not None and not rule.ok(raw):
            self.add(f"{rule.allowed}, got {show(raw)}", **at)
            return None
        return float(raw)

    def whole(self, raw: Any, low: int, high: int, what: str, **at: Any) -> int | None:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.add(f"must be {what}, {got(raw)}", **at)
            return None
        if not low <= raw <= high:
            self.add(f"must be {what}, got {raw}", **at)
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
        for key in table:
            if key in allowed:
                continue
            hint = (elsewhere or {}).get(key)
            message = f"unknown key {show(key)}" + (f": {hint}" if hint else suggest(key, allowed))
            allowed_text = ", ".join(allowed)
            self.add(
                f"{message}; allowed keys here: {allowed_text}",
                item=item,
                field=prefix + key,
                where=where,
            )

    def value(self, raw: Any, rule: Rule, **at: Any) -> Value | None:
        """A number, or an uncertain ``{low, central, high}`` table, obeying ``rule``."""
        if not isinstance(raw, dict):
            return self.number(raw, rule, **at)
        field = at.pop("field")
        ok = True
        for key in raw:
            if key not in UNCERTAIN_KEYS:
                self.add(
                    f"unknown key {show(key)} in an uncertain value{suggest(key, UNCERTAIN_KEYS)};"
                    " write { low = ..., central = ..., high = ... }",
                    field=f"{field}.{key}",
                    **at,
                )
                ok = False
        missing = [k for k in UNCERTAIN_KEYS if k not in raw]
        if missing:
            self.add(
                f"an uncertain value needs low, central and high; missing {', '.join(missing)}",
                field=field,
                **at,
            )
            return None
        numbers = [self.number(raw[k], rule, field=f"{field}.{k}", **at) for k in UNCERTAIN_KEYS]
        if not ok or any(n is None for n in numbers):
            return None
        low, mid, high = numbers
        if not low <= mid <= high:  # type: ignore[operator]
            self.add(
                f"must have low <= central <= high, got {show(raw)}",
                field=field,
                **at,
            )
            return None
        return Uncertain(low, mid, high)  # type: ignore[arg-type]


def _read_text(path: Path, shown: str, problems: list[Problem]) -> str | None:
    if not path.is_file():  # a pipe or device would block or never end
        problems.append(Problem(shown, "is not a regular file; scenario files are TOML text"))
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    shown,
                    f"is {size:,} bytes; scenario files are limited to {MAX_FILE_BYTES:,} bytes",
                )
            )
            return None
        data = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(shown, f"cannot be read: {exc.strerror or exc}"))
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(data) >= 4 and b"\x00" in data[:4] and data.replace(b"\x00", b"").isascii()
    ):
        problems.append(
            Problem(
                shown,
                "is not UTF-8 text (it looks like UTF-16, which some editors call "
                "'Unicode'); save it as UTF-8",
            )
        )
        return None
    if b"\x00" in data:
        problems.append(
            Problem(
                shown, "is not a text file (it contains binary data); scenario files are TOML text"
            )
        )
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            Problem(shown, f"is not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8")
        )
        return None


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = re.compile(r"\s*\(at end of document\)$")


def _parse_toml(text: str, shown: str, problems: list[Problem]) -> dict | None:
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
        problems.append(Problem(shown, f"is not valid TOML: {message}", line=line, column=column))
        return None


# ---------------------------------------------------------------------------------------------
# Settings


def read_setting(key: str, raw: Any, reader: _FileReader, **at: Any) -> object | None:
    """One ``[appraisal]`` value, checked. ``key`` must be among :data:`APPRAISAL_KEYS`."""
    at.setdefault("field", key)
    if key == "discount_rate":
        return reader.number(raw, DISCOUNT_RATE, **at)
    if key in ("declining", "discount_year0"):
        return reader.boolean(raw, **at)
    if key == "horizon":
        return reader.whole(
            raw, 1, MAX_HORIZON, f"a whole number of years from 1 to {MAX_HORIZON}", **at
        )
    if key == "price_base_year":
        return reader.year(raw, **at)
    raise KeyError(key)


def _read_settings(
    table: dict, reader: _FileReader, *, item: str | None, where: tuple[str, int], prefix: str = ""
) -> dict[str, object]:
    values: dict[str, object] = {}
    for key in APPRAISAL_KEYS:
        if key in table:
            value = read_setting(
                key, table[key], reader, item=item, field=prefix + key, where=where
            )
            if value is not None:
                values[key] = value
    return values


# ---------------------------------------------------------------------------------------------
# Lines

_ONLY_BENEFITS = {
    k: "applies to benefits only"
    for k in (
        "quantity",
        "unit_value",
        "deadweight",
        "displacement",
        "attribution",
        "drop_off",
        "cashable",
        "confidence",
    )
}
_ONLY_COSTS = {"kind": "applies to costs only (revenue or capital)"}


REFERENCE = "ref:"


def reference_source(key: str) -> str:
    """The source a line gets from ``unit_value = "ref:<key>"`` when it gives none itself."""
    cost = params.unit_costs()[key]
    return f"{cost.source} ({cost.description}, via {REFERENCE}{key})"


def _read_reference(
    text: str, raw: dict, values: dict[str, Any], reader: _FileReader, at: dict
) -> None:
    """``unit_value = "ref:<key>"``: a value from the unit-cost library, in its own year's
    prices (so that the deflators rebase it), and its source unless the line gives one."""
    library = params.unit_costs()
    key = text[len(REFERENCE) :] if text.startswith(REFERENCE) else None
    if key is None or key not in library:
        hint = suggest(key, library) if key else ""
        what = (
            f"{show(text)} is not in the unit-cost library{hint}"
            if key
            else (f'must be a number or "ref:<key>" from the unit-cost library, got {show(text)}')
        )
        reader.add(f"{what}; npv-calc unit-costs lists the keys", field="unit_value", **at)
        return
    cost = library[key]
    given = values.get("price_year")
    if "price_year" in raw and given is not None and given != cost.price_year:
        reader.add(
            f"{given} does not match {text}, which is in {cost.price_year} prices; leave "
            "price_year out (a ref: value brings its own)",
            field="price_year",
            **at,
        )
        values.pop("price_year", None)  # reported once, not again as a missing deflator
        return
    values["unit_value"] = cost.value
    values["price_year"] = cost.price_year
    values["unit_ref"] = key
    if "source" not in raw:
        values["source"] = reference_source(key)


def _read_line(raw: Any, section: str, index: int, reader: _FileReader) -> Line | None:
    """A line of a project file. When the line has problems, what could be read is still
    returned, so that the checks that need settings can run on it too; the problems are in
    ``reader.problems``."""
    where = (section, index)
    singular = "cost" if section == "costs" else "benefit"
    if not isinstance(raw, dict):
        reader.add(
            f"must be a table ([[{section}]]), {got(raw)}",
            item=f"{section}[{index}]",
            where=where,
        )
        return None
    name = raw.get("name", f"{singular.capitalize()} {index}")
    if not isinstance(name, str) or not name.strip():
        reader.text(name, required=True, item=f"{section}[{index}]", field="name", where=where)
        name = f"{singular.capitalize()} {index}"
    item = f'{section}[{index}] "{name}"'
    at = {"item": item, "where": where}

    allowed = COST_KEYS if section == "costs" else BENEFIT_KEYS
    reader.unknown_keys(
        raw, allowed, elsewhere=_ONLY_BENEFITS if section == "costs" else _ONLY_COSTS, **at
    )
    values: dict[str, Any] = {"section": section, "index": index, "name": name}

    for key in ("agency", "source"):
        if key in raw:
            values[key] = reader.text(raw[key], required=key == "agency", field=key, **at)
    if values.get("source") == "":
        values["source"] = None  # an empty source is no source
    if section == "costs":
        values["kind"] = reader.choice(raw.get("kind", "revenue"), COST_KINDS, field="kind", **at)
    else:
        if "cashable" in raw:
            values["cashable"] = reader.boolean(raw["cashable"], field="cashable", **at)
        if "confidence" in raw:
            values["confidence"] = reader.whole(
                raw["confidence"],
                1,
                10**6,
                "a confidence grade (a whole number such as 3)",
                field="confidence",
                **at,
            )

    reference = raw.get("unit_value") if section == "benefits" else None
    unit_reported = False
    if isinstance(reference, dict) and any(
        isinstance(v, str) and v.startswith(REFERENCE) for v in reference.values()
    ):
        reader.add(
            "a ref: value from the unit-cost library cannot be given a low and high; leave "
            "them out and put the range on quantity or scale instead",
            field="unit_value",
            **at,
        )
        reference = None
        unit_reported = True
    for key, rule in FIELD_RULES[section].items():
        if key in raw and not (
            key == "unit_value" and (isinstance(reference, str) or unit_reported)
        ):
            values[key] = reader.value(raw[key], rule, field=key, **at)

    if "price_year" in raw:
        values["price_year"] = reader.year(raw["price_year"], field="price_year", **at)

    if isinstance(reference, str):
        _read_reference(reference, raw, values, reader, at)

    if "amounts" in raw:
        amounts = raw["amounts"]
        if not isinstance(amounts, list) or not amounts:
            reader.add(
                f"must be a list of yearly amounts such as [45_000, 5_000], got {show(amounts)}",
                field="amounts",
                **at,
            )
        else:
            checked = [
                reader.number(a, MONEY, field=f"amounts[{i}]", **at) for i, a in enumerate(amounts)
            ]
            if all(a is not None for a in checked):
                values["amounts"] = tuple(checked)

    if "years" in raw:
        years = raw["years"]
        if (
            not isinstance(years, list)
            or len(years) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
        ):
            reader.add(
                "must be [first, last], two whole-number year offsets from year 0 such as "
                f"[1, 9], got {show(years)}",
                field="years",
                **at,
            )
        elif years[0] < 0 or years[0] > years[1]:
            reader.add(
                f"must have 0 <= first <= last, got {show(years)}",
                field="years",
                **at,
            )
        else:
            values["years"] = (years[0], years[1])

    forms = [k for k in ("amounts", "annual", "quantity") if k in raw]
    if section == "benefits" and ("quantity" in raw) != ("unit_value" in raw):
        present, missing = (
            ("quantity", "unit_value") if "quantity" in raw else ("unit_value", "quantity")
        )
        reader.add(f"needs {missing} as well (annual = quantity x unit_value)", field=present, **at)
    if not forms and "unit_value" not in raw:
        choices = (
            "amounts or annual"
            if section == "costs"
            else ("amounts, annual, or quantity with unit_value")
        )
        reader.add(f"gives no money: give one of {choices}", **at)
    elif len(forms) > 1:
        shown = " and ".join(forms)
        reader.add(f"gives {shown}: give only one way of stating the amount", field=forms[1], **at)
    if "amounts" in raw:
        for key in ("years", "growth", "drop_off"):
            if key in raw:
                reader.add(
                    f"cannot be used with amounts (amounts are already year by year; use "
                    f"annual with {key} instead)",
                    field=key,
                    **at,
                )
    if "optimism_bias" in raw and "confidence" in raw:
        reader.add("give either optimism_bias or confidence, not both", field="confidence", **at)

    line = Line(**{k: v for k, v in values.items() if v is not None})
    line.lines.update(reader.lines.get(where, {}))
    return line


# ---------------------------------------------------------------------------------------------
# Project files


def _read_project(data: dict, path: Path, reader: _FileReader) -> Project:
    """A project file. As with lines, a project with problems is still returned (with an empty
    ``id`` when its id is bad) so that every check can run; the problems are in
    ``reader.problems``."""
    top = ("", 1)
    raw_name = data.get("name")
    item = None
    reader.unknown_keys(
        data,
        PROJECT_KEYS,
        item=None,
        where=top,
        elsewhere={
            **{
                k: "belongs in the [portfolio] table of portfolio.toml"
                for k in ("target", "target_year")
            },
            **{
                k: "belongs in portfolio.toml"
                for k in ("confidence_grades", "deflators", "scenarios", "portfolio")
            },
        },
    )
    values: dict[str, Any] = {}
    for key in ("id", "name", "start_year"):
        if key not in data:
            reader.add(
                "is required: every project file needs id, name and start_year",
                field=key,
                where=top,
            )
    if "id" in data:
        pid = reader.text(data["id"], required=True, field="id", where=top)
        if pid is not None and not ID_PATTERN.match(pid):
            reader.add(
                f"must start with a letter and use only letters, digits, _ and -, got {show(pid)}",
                field="id",
                where=top,
            )
        elif pid is not None:
            values["id"] = pid
    if "name" in data:
        values["name"] = reader.text(raw_name, required=True, field="name", where=top)
    if "start_year" in data:
        values["start_year"] = reader.year(data["start_year"], field="start_year", where=top)
    if "status" in data:
        values["status"] = reader.choice(data["status"], STATUSES, field="status", where=top)
    if "description" in data:
        values["description"] = reader.text(data["description"], field="description", where=top)
    if "partners" in data:
        partners = data["partners"]
        if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
            reader.add(
                f'must be a list of names such as ["Police", "Fire"], got {show(partners)}',
                field="partners",
                where=top,
            )
        else:
            values["partners"] = tuple(partners)

    overrides = _read_settings(data, reader, item=item, where=top)
    if "appraisal" in data:
        table = reader.table(data["appraisal"], "[appraisal]", field="appraisal", where=top)
        if table is not None:
            where = ("appraisal", 1)
            reader.unknown_keys(table, APPRAISAL_KEYS, item="[appraisal]", where=where)
            for key in set(table) & set(overrides):
                reader.add(
                    "is set both at the top of the file and in [appraisal]; give it once",
                    item="[appraisal]",
                    field=key,
                    where=where,
                )
            overrides.update(_read_settings(table, reader, item="[appraisal]", where=where))

    lines: dict[str, list[Line]] = {"costs": [], "benefits": []}
    for section in ("costs", "benefits"):
        raw_lines = data.get(section, [])
        if not isinstance(raw_lines, list):
            reader.add(
                f"must be written as [[{section}]] tables, {got(raw_lines)}",
                field=section,
                where=top,
            )
            continue
        for index, raw in enumerate(raw_lines, start=1):
            line = _read_line(raw, section, index, reader)
            if line is not None:
                lines[section].append(line)
    if not data.get("costs") and not data.get("benefits"):
        reader.add(
            "has no costs or benefits: add a row for it on the Costs or Benefits sheet"
            if is_workbook(reader.path)
            else "has no costs or benefits: add at least one [[costs]] or [[benefits]] table",
            where=top,
        )

    values = {
        "id": "",
        "name": "",
        "start_year": 0,
        **{k: v for k, v in values.items() if v is not None},
    }
    project = Project(
        path=path,
        overrides=overrides,
        costs=tuple(lines["costs"]),
        benefits=tuple(lines["benefits"]),
        **values,
    )
    project.lines.update(reader.lines.get(top, {}))
    return project


# ---------------------------------------------------------------------------------------------
# portfolio.toml


def _read_portfolio_file(data: dict, reader: _FileReader) -> dict[str, Any]:
    """The keyword arguments of :class:`Portfolio` that portfolio.toml gives."""
    out: dict[str, Any] = {}
    top = ("", 1)
    reader.unknown_keys(
        data,
        PORTFOLIO_TABLES,
        item=None,
        where=top,
        elsewhere={
            **{k: "belongs in the [portfolio] table" for k in PORTFOLIO_KEYS},
            **{k: "belongs in the [appraisal] table" for k in APPRAISAL_KEYS},
            **{
                k: "belongs in a project file, not portfolio.toml"
                for k in ("id", "start_year", "costs", "benefits")
            },
        },
    )
    if "portfolio" in data:
        where = ("portfolio", 1)
        table = reader.table(data["portfolio"], "[portfolio]", field="portfolio", where=top)
        if table is not None:
            at = {"item": "[portfolio]", "where": where}
            reader.unknown_keys(table, PORTFOLIO_KEYS, **at)
            if "name" in table:
                out["name"] = reader.text(table["name"], required=True, field="name", **at)
            if "description" in table:
                out["description"] = reader.text(table["description"], field="description", **at)
            if "target" in table:
                out["target"] = reader.number(table["target"], NON_NEGATIVE, field="target", **at)
            if "target_year" in table:
                out["target_year"] = reader.year(table["target_year"], field="target_year", **at)

    if "appraisal" in data:
        where = ("appraisal", 1)
        table = reader.table(data["appraisal"], "[appraisal]", field="appraisal", where=top)
        if table is not None:
            reader.unknown_keys(table, APPRAISAL_KEYS, item="[appraisal]", where=where)
            out["settings"] = _read_settings(table, reader, item="[appraisal]", where=where)

    grades = params.default_confidence_grades()
    if "confidence_grades" in data:
        where = ("confidence_grades", 1)
        table = reader.table(
            data["confidence_grades"], "[confidence_grades]", field="confidence_grades", where=top
        )
        for key, raw in (table or {}).items():
            at = {"item": "[confidence_grades]", "field": key, "where": where}
            if not re.fullmatch(r"[0-9]+", key) or int(key) < 1:
                reader.add(f"grade {show(key)} must be a whole number from 1 up", **at)
                continue
            share = reader.number(raw, BENEFIT_REDUCTION, **at)
            if share is not None:
                grades[int(key)] = share
    out["confidence_grades"] = dict(sorted(grades.items()))

    deflators: dict[int, float] = {}
    if "deflators" in data:
        where = ("deflators", 1)
        table = reader.table(data["deflators"], "[deflators]", field="deflators", where=top)
        for key, raw in (table or {}).items():
            at = {"item": "[deflators]", "field": key, "where": where}
            if not re.fullmatch(r"[0-9]{4}", key):
                reader.add(f"{show(key)} must be a year such as 2023", **at)
                continue
            index = reader.number(raw, POSITIVE, **at)
            if index is not None:
                deflators[int(key)] = index
    out["deflators"] = dict(sorted(deflators.items()))

    scenarios: dict[str, NamedScenario] = {}
    if "scenarios" in data:
        table = reader.table(
            data["scenarios"], "[scenarios.NAME] tables", field="scenarios", where=top
        )
        for name, raw in (table or {}).items():
            where = (f"scenarios.{name}", 1)
            item = f"[scenarios.{name}]"
            if name in BUILTIN_SCENARIOS:
                reader.add(
                    f"{show(name)} is a built-in scenario; choose another name",
                    item=item,
                    where=where,
                )
                continue
            spec = reader.table(raw, "description, set, exclude", item=item, where=where)
            if spec is None:
                continue
            reader.unknown_keys(spec, SCENARIO_KEYS, item=item, where=where)
            args: dict[str, Any] = {"name": name}
            if "description" in spec:
                args["description"] = (
                    reader.text(spec["description"], field="description", item=item, where=where)
                    or ""
                )
            if "set" in spec:
                overrides = reader.table(
                    spec["set"], "appraisal keys", field="set", item=item, where=where
                )
                if overrides is not None:
                    reader.unknown_keys(
                        overrides, APPRAISAL_KEYS, item=item, where=where, prefix="set."
                    )
                    args["set"] = _read_settings(
                        overrides, reader, item=item, where=where, prefix="set."
                    )
            if "exclude" in spec:
                exclude = spec["exclude"]
                if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
                    reader.add(
                        f'must be a list of project ids such as ["CBCD"], got {show(exclude)}',
                        field="exclude",
                        item=item,
                        where=where,
                    )
                else:
                    args["exclude"] = tuple(exclude)
            scenario_ = NamedScenario(**args)
            scenario_.lines.update(reader.lines.get(where, {}))
            scenarios[name] = scenario_
    out["scenarios"] = scenarios
    return out


# ---------------------------------------------------------------------------------------------
# Finding files


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the working directory when it is below it."""
    if not path.is_absolute():
        return str(path)
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_files(paths: Sequence[str | Path]) -> tuple[Path | None, list[Path], list[Problem]]:
    """The portfolio file and project files that ``paths`` name.

    A directory contributes its ``portfolio.toml`` and every other ``*.toml`` below it (hidden
    files and directories are skipped); a file is taken as given.
    """
    problems: list[Problem] = []
    portfolios: list[Path] = []
    projects: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            problems.append(Problem(str(given), "does not exist"))
        elif path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*.toml")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(
                    Problem(
                        str(given),
                        "holds no scenario files (*.toml): expected "
                        "portfolio.toml and a file per project",
                    )
                )
            for p in found:
                (portfolios if p.name == PORTFOLIO_FILE else projects).append(p)
        elif path.name == PORTFOLIO_FILE:
            portfolios.append(path)
        else:
            projects.append(path)
    unique = list(dict.fromkeys(p.resolve() for p in portfolios))
    if len(unique) > 1:
        problems.append(
            Problem(
                shown_path(portfolios[1]),
                f"is a second portfolio.toml (the first is {shown_path(portfolios[0])}); appraise "
                "one portfolio at a time",
            )
        )
    if not projects and not problems:
        where = shown_path(portfolios[0]) if portfolios else ", ".join(map(str, paths))
        problems.append(Problem(where, "no project files found: add a *.toml file per project"))
    seen: set[Path] = set()
    unique: list[Path] = []
    for project in projects:  # the same file named twice is read once
        if project.resolve() not in seen:
            seen.add(project.resolve())
            unique.append(project)
    projects = unique
    return (portfolios[0] if portfolios else None), projects, problems


# ---------------------------------------------------------------------------------------------
# Cross checks


def cross_check(
    portfolio: Portfolio,
    overrides: dict[str, object] | None = None,
    *,
    context: str = "",
) -> list[Problem]:
    """Problems that depend on the settings each project is appraised with.

    ``overrides`` are ``--set`` or scenario values, applied over each project's own settings;
    ``context`` (e.g. ``" (with --set horizon=5)"``) is added to each message.
    """
    problems: list[Problem] = []
    seen: dict[str, Project] = {}
    workbook = portfolio.path is not None and is_workbook(portfolio.path)
    deflators_place = "on the Deflators sheet" if workbook else ("in [deflators] of portfolio.toml")
    grades_place = "the Grades sheet" if workbook else "[confidence_grades] in portfolio.toml"
    for project in portfolio.projects:
        shown = shown_path(project.path)
        if project.id and project.id in seen:
            problems.append(
                Problem(
                    shown,
                    f"{show(project.id)} is already the id of a project in "
                    f"{shown_path(seen[project.id].path)}; ids must be unique",
                    field="id",
                    line=project.lines.get("id"),
                )
            )
        seen.setdefault(project.id, project)
        settings = portfolio.project_settings(project).updated(overrides or {})
        horizon = settings.horizon
        span = f"a {horizon}-year appraisal covers year offsets 0 to {horizon - 1}"
        for line in project.all_lines:

            def add(message: str, field: str, line: Line = line, shown: str = shown) -> None:
                problems.append(
                    Problem(shown, message + context, line.label, field, line.lines.get(field))
                )

            if line.years is not None and line.years[1] > horizon - 1:
                add(f"{show(list(line.years))} goes beyond the horizon: {span}", "years")
            if line.amounts is not None and len(line.amounts) > horizon:
                add(f"has {len(line.amounts)} years of amounts but {span}", "amounts")
            if line.price_year is not None and line.price_year != settings.price_base_year:
                base = settings.price_base_year
                # a ref: unit value brings its own price year: the message names the ref
                field = "unit_value" if line.unit_ref else "price_year"
                year_ = line.price_year
                subject = (
                    f"ref:{line.unit_ref} is in {year_}/{(year_ + 1) % 100:02d} prices and"
                    if line.unit_ref
                    else str(line.price_year)
                )
                if base is None:
                    add(f"{subject} needs price_base_year in [appraisal] to rebase to", field)
                else:
                    for year in (line.price_year, base):
                        if year not in portfolio.deflators:
                            what = "the price base year " if year == base else ""
                            add(
                                f"{subject} cannot be rebased to {base}: no deflator for "
                                f"{what}{year} {deflators_place}",
                                field,
                            )
            if line.confidence is not None and line.confidence not in portfolio.confidence_grades:
                grades = ", ".join(map(str, portfolio.confidence_grades))
                add(
                    f"grade {line.confidence} does not exist; the grades are {grades} "
                    f"({grades_place})",
                    "confidence",
                )
    return problems


def unknown_exclusions(portfolio: Portfolio, scenario: NamedScenario) -> list[Problem]:
    """A named scenario's ``exclude`` ids that are not ids of the portfolio's projects."""
    shown = shown_path(portfolio.path) if portfolio.path else PORTFOLIO_FILE
    ids = [p.id for p in portfolio.projects]
    return [
        Problem(
            shown,
            f"{show(pid)} is not the id of a project{suggest(pid, ids)}",
            f"[scenarios.{scenario.name}]",
            "exclude",
            scenario.lines.get("exclude"),
        )
        for pid in scenario.exclude
        if pid not in ids
    ]


def check_scenarios(portfolio: Portfolio) -> list[Problem]:
    """Problems with the named scenarios: excluded ids that do not exist, and settings-dependent
    problems that only a scenario's ``set`` causes (those the files have anyway are left to
    :func:`cross_check`, so that nothing is reported twice)."""
    problems: list[Problem] = []
    already = {(p.file, p.item, p.field, p.message) for p in cross_check(portfolio)}
    for scenario in portfolio.scenarios.values():
        problems += unknown_exclusions(portfolio, scenario)
        if scenario.set:
            included = tuple(p for p in portfolio.projects if p.id not in scenario.exclude)
            context = f" (in scenario {show(scenario.name)})"
            for problem in cross_check(replace(portfolio, projects=included), scenario.set):
                if (problem.file, problem.item, problem.field, problem.message) not in already:
                    problems.append(replace(problem, message=problem.message + context))
    return problems


# ---------------------------------------------------------------------------------------------
# Entry point


@dataclass
class _Source:
    """A document to read (a TOML file's, or a part of a workbook) and where its keys are."""

    path: Path
    shown: str
    document: dict[str, Any]
    locations: Locations


def _sources(
    paths: Sequence[str | Path],
) -> tuple[_Source | None, list[_Source], list[Problem]]:
    """The portfolio document and project documents that ``paths`` name."""
    workbooks = [Path(p) for p in paths if is_workbook(Path(p))]
    if workbooks:
        if len(paths) > 1:
            return (
                None,
                [],
                [
                    Problem(
                        str(workbooks[0]),
                        "an input workbook holds a whole "
                        "portfolio: give it on its own, without other paths",
                    )
                ],
            )
        return _workbook_sources(workbooks[0])
    portfolio_path, project_paths, problems = find_files(paths)
    sources: list[_Source | None] = []
    for path in [portfolio_path, *project_paths]:
        if path is None:
            sources.append(None)
            continue
        shown = shown_path(path)
        text = _read_text(path, shown, problems)
        data = _parse_toml(text, shown, problems) if text is not None else None
        if data is None:
            sources.append(None)
            continue
        sources.append(_Source(path, shown, data, key_lines(text or "")))
    return sources[0], [s for s in sources[1:] if s is not None], problems


def _workbook_sources(path: Path) -> tuple[_Source | None, list[_Source], list[Problem]]:
    from .inputbook import check_file_name, read

    shown = shown_path(path)
    if not path.exists():
        return None, [], [Problem(str(path), "does not exist")]
    book = read(path, shown)
    problems = list(book.problems)
    for entry in book.projects:
        if entry.file is not None and (why := check_file_name(entry.file)):
            problems.append(
                Problem(
                    shown,
                    f"{show(entry.file)} {why}",
                    field="File",
                    line=entry.locations[("", 1)].get("file"),
                )
            )
    if not book.projects and not book.problems:
        problems.append(
            Problem(
                shown,
                "has no projects: add a row per project on the Projects sheet",
                line="Projects!A5",
            )
        )
    portfolio = _Source(path, shown, book.portfolio, book.portfolio_locations)
    return (
        portfolio,
        [_Source(path, shown, e.document, e.locations) for e in book.projects],
        (problems),
    )


def load_portfolio(
    *paths: str | Path,
    overrides: dict[str, object] | None = None,
    check: bool = True,
    scenarios: bool = False,
) -> Portfolio:
    """Read a portfolio from scenario directories and/or files, checking everything.

    Parameters
    ----------
    *paths
        Scenario directories (``portfolio.toml`` plus a file per project) or individual files;
        ``scenarios`` when none is given. Project files given without a ``portfolio.toml`` are
        appraised with default settings and no target.
    overrides
        ``--set`` values: the checks that depend on settings (``years`` inside the horizon,
        deflators for ``price_year``) use them over each project's own settings.
    check
        Run those settings-dependent checks (:func:`cross_check`).
    scenarios
        Also check every named scenario (:func:`check_scenarios`), as ``validate`` does.

    Raises
    ------
    InputError
        With every problem found in every file.
    """
    if not paths:
        paths = ("scenarios",)
    portfolio_source, project_sources, problems = _sources(paths)
    portfolio_path = portfolio_source.path if portfolio_source else None
    portfolio_args: dict[str, Any] = {
        "confidence_grades": params.default_confidence_grades(),
    }
    if portfolio_source is not None:
        reader = _FileReader(
            portfolio_source.path, portfolio_source.shown, portfolio_source.locations
        )
        portfolio_args.update(_read_portfolio_file(portfolio_source.document, reader))
        problems += reader.problems
    settings = Settings().updated(
        {k: v for k, v in portfolio_args.pop("settings", {}).items() if v is not None}
    )
    projects: list[Project] = []
    for source in project_sources:
        reader = _FileReader(source.path, source.shown, source.locations)
        projects.append(_read_project(source.document, source.path, reader))
        problems += reader.problems
    files = list(
        dict.fromkeys(
            [*([portfolio_path] if portfolio_path else []), *(s.path for s in project_sources)]
        )
    )

    default_name = "Projects"
    if portfolio_path is not None:
        workbook = is_workbook(portfolio_path)
        default_name = portfolio_path.stem if workbook else portfolio_path.resolve().parent.name
    portfolio = Portfolio(
        name=portfolio_args.pop("name", None) or default_name,
        projects=tuple(projects),
        settings=settings,
        files=tuple(files),
        path=portfolio_path,
        **{k: v for k, v in portfolio_args.items() if v is not None},
    )
    if scenarios:
        problems += check_scenarios(portfolio)
    if check:
        context = ""
        if overrides:
            context = " (with --set " + ", ".join(f"{k}={show(v)}" for k, v in overrides.items())
            context += ")"
        problems += cross_check(portfolio, overrides, context=context)
    if problems:
        raise InputError(sort_problems(problems))
    return portfolio


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in the order files were first named) and by line."""
    order: dict[str, int] = {}
    for problem in problems:
        order.setdefault(problem.file, len(order))
    # spreadsheet problems (located by cell) keep the order they were found in
    return sorted(problems, key=lambda p: (order[p.file], p.line if isinstance(p.line, int) else 0))


def parse_setting(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` from ``--set`` as (key, checked value).

    Raises
    ------
    ValueError
        When the text is not ``KEY=VALUE`` with a known key and a TOML value (a usage error).
    InputError
        When the value breaks the rule for its key (as it would in a file).
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"expected KEY=VALUE such as discount_rate=0.03, got {text!r}")
    if key not in APPRAISAL_KEYS:
        raise ValueError(
            f"{key}: unknown key{suggest(key, APPRAISAL_KEYS)}; allowed keys: "
            + ", ".join(APPRAISAL_KEYS)
        )
    try:
        raw = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        raise ValueError(
            f'{key}: {value!r} is not a TOML value (numbers as 0.03, true/false, text in "quotes")'
        ) from None
    reader = _FileReader(Path("--set"), "--set", {})
    checked = read_setting(key, raw, reader)
    if reader.problems:
        raise InputError(reader.problems)
    return key, checked
