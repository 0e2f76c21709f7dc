"""The kinds of value a key of a scenario file holds.

A kind knows four things about its values, so that each is said once: how to read one (recording
every problem, see :class:`Reading`), what JSON Schema says of it (``npv-calc schema``), how an
input workbook's cell holds it, and how it is spread across cells when written back
(``npv-calc export``). :mod:`npv_calc.load.fields` gives each key of each section its kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from ..model import STATUSES, Uncertain
from .messages import show, suggest
from .reader import FileReader
from .rules import CALENDAR_YEAR, MAX_HORIZON, MONEY, Rule, agency_key, id_problem

Where = tuple[str, int]


@dataclass
class Reading:
    """One table of a document being read: its keys as written, what has been read so far, and
    where its problems are located (``item`` and ``where``, as :class:`FileReader` takes them).
    """

    reader: FileReader
    table: dict[str, Any]
    item: str | None = None
    where: Where = ("", 1)
    #: the model's keyword arguments read so far (``None``: given but unreadable)
    values: dict[str, Any] = field(default_factory=dict)
    #: year 0 of the project, to suggest offsets for calendar years written in ``years``
    start_year: int | None = None
    #: put before every key in messages: ``set.`` inside a named scenario's ``set``
    prefix: str = ""

    def at(self, key: str | None = None) -> dict[str, Any]:
        """Where a problem with ``key`` (or with the table as a whole) is located."""
        return {
            "item": self.item,
            "field": None if key is None else self.prefix + key,
            "where": self.where,
        }

    def add(self, message: str, key: str | None = None) -> None:
        """Record a problem with ``key`` (or with the table)."""
        self.reader.add(message, **self.at(key))

    def warn(self, message: str, key: str | None = None) -> None:
        """Record a warning: legal, but very likely a slip."""
        self.reader.warn(message, **self.at(key))


# -- JSON Schema fragments ---------------------------------------------------------------------

YEAR_SCHEMA: dict[str, Any] = {
    "type": "integer",
    "minimum": 1000,
    "maximum": 9999,
    "description": "a year, e.g. 2023",
}
NAME_SCHEMA: dict[str, Any] = {"type": "string", "minLength": 1}
TEXT_SCHEMA: dict[str, Any] = {"type": "string"}


def number_schema(rule: Rule | None = None, description: str = "") -> dict[str, Any]:
    """A number obeying ``rule``, described by ``description`` and then the rule's words."""
    schema: dict[str, Any] = {"type": "number", **(rule.bounds if rule else {})}
    if rule is not None:
        schema["description"] = (description + " " if description else "") + rule.allowed
    return schema


def described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """``schema`` with ``description`` added (when there is one)."""
    return {**schema, "description": description} if description else schema


# -- kinds -------------------------------------------------------------------------------------


class Kind:
    """A kind of value. Subclasses read it, state its schema and spread it across cells."""

    @property
    def cell(self) -> str:
        """How a workbook cell holding it is coerced before it is read (see
        :func:`npv_calc.load.workbook_rows.coerce`): ``text`` (trimmed), ``free`` (kept exactly),
        ``bool``, ``year`` (a whole number), ``list`` (comma-separated) or ``number``."""
        return "number"

    def read(self, raw: object, reading: Reading, key: str) -> object | None:
        """The value ``raw`` stands for, or ``None`` after recording why it cannot be used."""
        raise NotImplementedError

    def schema(self, description: str = "") -> dict[str, Any]:
        """What JSON Schema says of the value."""
        raise NotImplementedError

    def cells(self, value: object) -> dict[str, object]:
        """The value across its cells in an input workbook, by the suffix of each column's key
        (``""`` for the column of the key itself)."""
        return {"": value}


@dataclass(frozen=True)
class Text(Kind):
    """Text in quotes; with ``required``, not blank either."""

    required: bool = False
    #: a workbook trims it (a name a person types in a drop-down, e.g. an agency); otherwise a
    #: cell's text is kept exactly (a name's spaces are part of it)
    trimmed: bool = False
    #: an empty text is no text (an empty ``source`` is no source)
    blank_is_none: bool = False

    @property
    def cell(self) -> str:
        return "text" if self.trimmed else "free"

    def read(self, raw: object, reading: Reading, key: str) -> str | None:
        text = reading.reader.text(raw, required=self.required, **reading.at(key))
        return None if self.blank_is_none and text == "" else text

    def schema(self, description: str = "") -> dict[str, Any]:
        return described(NAME_SCHEMA if self.required else TEXT_SCHEMA, description)

    def cells(self, value: object) -> dict[str, object]:
        return {"": value or None}  # an empty text is an empty cell


@dataclass(frozen=True)
class Identifier(Kind):
    """A project id: a letter, then letters, digits, ``_`` or ``-`` (:func:`id_problem`)."""

    @property
    def cell(self) -> str:
        return "text"

    def read(self, raw: object, reading: Reading, key: str) -> str | None:
        pid = reading.reader.text(raw, required=True, **reading.at(key))
        if pid is not None and (why := id_problem(pid)):
            reading.add(f"{why}, got {show(pid)}", key)
            return None
        return pid

    def schema(self, description: str = "") -> dict[str, Any]:
        return {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_-]*$"}


@dataclass(frozen=True)
class Choice(Kind):
    """One of a few words. ``choices`` may be a function, for lists read from the shipped
    parameters only when they are needed."""

    options: tuple[str, ...] | Callable[[], Iterable[str]]

    @property
    def cell(self) -> str:
        return "text"

    @property
    def choices(self) -> tuple[str, ...]:
        """The words allowed, in the order messages list them."""
        return self.options if isinstance(self.options, tuple) else tuple(self.options())

    def read(self, raw: object, reading: Reading, key: str) -> str | None:
        return reading.reader.choice(raw, self.choices, **reading.at(key))

    def schema(self, description: str = "") -> dict[str, Any]:
        return described({"enum": list(self.choices)}, description)

    def required_message(self) -> str:
        """``is required: "positive" or "negative"``."""
        return "is required: " + " or ".join(f'"{c}"' for c in self.choices)


@dataclass(frozen=True)
class Boolean(Kind):
    """``true`` or ``false``."""

    @property
    def cell(self) -> str:
        return "bool"

    def read(self, raw: object, reading: Reading, key: str) -> bool | None:
        return reading.reader.boolean(raw, **reading.at(key))

    def schema(self, description: str = "") -> dict[str, Any]:
        return described({"type": "boolean"}, description)


@dataclass(frozen=True)
class Year(Kind):
    """A (financial) year such as 2023."""

    @property
    def cell(self) -> str:
        return "year"

    def read(self, raw: object, reading: Reading, key: str) -> int | None:
        return reading.reader.year(raw, **reading.at(key))

    def schema(self, description: str = "") -> dict[str, Any]:
        return described(YEAR_SCHEMA, description)


@dataclass(frozen=True)
class Whole(Kind):
    """A whole number from ``low`` to ``high``; ``what`` says what it is in messages."""

    low: int
    high: int
    what: str
    #: whether the schema states ``high`` (not when it is only a guard against a slip, as a
    #: confidence grade's is: the grades that exist are the portfolio's)
    published_high: bool = True

    @property
    def cell(self) -> str:
        return "year"

    def read(self, raw: object, reading: Reading, key: str) -> int | None:
        return reading.reader.whole(raw, self.low, self.high, self.what, **reading.at(key))

    def schema(self, description: str = "") -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "integer", "minimum": self.low}
        if self.published_high:
            schema["maximum"] = self.high
        return described(schema, description)


@dataclass(frozen=True)
class Number(Kind):
    """A finite number obeying ``rule``."""

    rule: Rule

    def read(self, raw: object, reading: Reading, key: str) -> float | None:
        return reading.reader.number(raw, self.rule, **reading.at(key))

    def schema(self, description: str = "") -> dict[str, Any]:
        return number_schema(self.rule, description)


@dataclass(frozen=True)
class UncertainValue(Kind):
    """A number obeying ``rule``, or ``{ low, central, high }`` (with an optional correlation
    ``group``) each obeying it."""

    rule: Rule

    def read(self, raw: object, reading: Reading, key: str) -> object | None:
        return reading.reader.value(raw, self.rule, **reading.at(key))

    def schema(self, description: str = "") -> dict[str, Any]:
        number = number_schema(self.rule)
        return {
            "anyOf": [
                number,
                {
                    "type": "object",
                    "description": "an uncertain value: low <= central <= high, optionally in a "
                    "correlation group of [correlation.groups]",
                    "properties": {
                        "low": number,
                        "central": number,
                        "high": number,
                        "group": NAME_SCHEMA,
                    },
                    "required": ["low", "central", "high"],
                    "additionalProperties": False,
                },
            ]
        }

    def cells(self, value: object) -> dict[str, object]:
        if isinstance(value, Uncertain):
            return {".low": value.low, "": value.central, ".high": value.high}
        return {"": value}


@dataclass(frozen=True)
class UnitValue(UncertainValue):
    """A unit value: a number or uncertain value, or ``"ref:<key>"`` naming a value of the
    unit-cost library (read by :func:`npv_calc.load.hooks.read_reference`)."""

    def schema(self, description: str = "") -> dict[str, Any]:
        from .. import params
        from .rules import REFERENCE

        references = [f"{REFERENCE}{key}" for key in params.unit_costs()]
        return {"anyOf": [super().schema(description), {"enum": references}]}


@dataclass(frozen=True)
class Span(Kind):
    """``years = [first, last]``: year offsets from year 0 (calendar years get the offsets
    suggested)."""

    @property
    def cell(self) -> str:
        return "year"

    def read(self, raw: object, reading: Reading, key: str) -> tuple[int, int] | None:
        years = raw
        if (
            not isinstance(years, list)
            or len(years) != 2
            or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
        ):
            reading.add(
                "must be [first, last], two whole-number year offsets from year 0 such as "
                f"[1, 9], got {show(years)}",
                key,
            )
            return None
        if years[0] >= CALENDAR_YEAR:
            reading.add(_calendar_years(years, reading.start_year), key)
            return None
        if years[0] < 0 or years[0] > years[1]:
            reading.add(f"must have 0 <= first <= last, got {show(years)}", key)
            return None
        return (years[0], years[1])

    def schema(self, description: str = "") -> dict[str, Any]:
        return described(
            {
                "type": "array",
                "items": {"type": "integer", "minimum": 0},
                "minItems": 2,
                "maxItems": 2,
            },
            description,
        )

    def cells(self, value: object) -> dict[str, object]:
        first, last = value if isinstance(value, tuple | list) else (None, None)
        return {".first": first, ".last": last}


def _calendar_years(years: list[int], start_year: int | None) -> str:
    """Calendar years where offsets belong, with the offsets suggested when they can be."""
    offsets = (
        f"; did you mean years = [{years[0] - start_year}, {years[1] - start_year}]?"
        if start_year is not None and start_year <= years[0] <= years[1]
        else ""
    )
    zero = start_year if start_year is not None else "start_year"
    return (
        f"{show(years)} looks like calendar years, but years are offsets from "
        f"start_year (year 0 = {zero}){offsets}"
    )


@dataclass(frozen=True)
class Amounts(Kind):
    """``amounts = [45_000, 5_000]``: money by year offset from year 0 (in a workbook, the
    Year 0, Year 1, ... columns)."""

    def read(self, raw: object, reading: Reading, key: str) -> tuple[float, ...] | None:
        if not isinstance(raw, list) or not raw:
            reading.add(
                f"must be a list of yearly amounts such as [45_000, 5_000], got {show(raw)}", key
            )
            return None
        at = reading.at()
        del at["field"]
        checked = [
            reading.reader.number(a, MONEY, field=f"{key}[{i}]", **at) for i, a in enumerate(raw)
        ]
        amounts = [a for a in checked if a is not None]
        return tuple(amounts) if len(amounts) == len(checked) else None

    def schema(self, description: str = "") -> dict[str, Any]:
        return {
            "type": "array",
            "items": number_schema(MONEY),
            "minItems": 1,
            "maxItems": MAX_HORIZON,
        }


_FINANCIAL_YEAR_WRITTEN = re.compile(r"\s*[0-9]{4}\s*[/-]\s*[0-9]{2}\s*")


@dataclass(frozen=True)
class Outturn(Kind):
    """``actuals = { 2017 = 176_000 }``: money by financial year (its first calendar year), each
    0 or more. Whether the years fit the project and ``as_of`` is checked with the settings
    (:func:`~npv_calc.load.checks.cross_check`)."""

    def read(self, raw: object, reading: Reading, key: str) -> dict[int, float] | None:
        table = reading.reader.table(
            raw, "outturn by financial year, e.g. { 2017 = 176_000 }", **reading.at(key)
        )
        out: dict[int, float] = {}
        for year, amount in (table or {}).items():
            if not re.fullmatch(r"[0-9]{4}", str(year)):
                reading.add(_not_a_financial_year(str(year)), f"{key}.{year}")
                continue
            at = reading.at()
            del at["field"]
            value = reading.reader.number(amount, MONEY, field=f"{key}.{year}", **at)
            if value is not None:
                out[int(year)] = value
        return dict(sorted(out.items())) or None

    def schema(self, description: str = "") -> dict[str, Any]:
        return described(
            {
                "type": "object",
                "propertyNames": {"pattern": "^[0-9]{4}$"},
                "additionalProperties": number_schema(MONEY),
            },
            description,
        )


def _not_a_financial_year(key: str) -> str:
    offsets = (
        f"; write the financial year's first calendar year, e.g. {key.strip()[:4]} for "
        f"{key.strip()}"
        if _FINANCIAL_YEAR_WRITTEN.fullmatch(key)
        else ""
    )
    return f"{show(key)} must be a financial year such as 2023 (for 2023/24){offsets}"


@dataclass(frozen=True)
class Names(Kind):
    """A list of texts (possibly empty), e.g. a project's partners; ``what`` is how messages
    describe it (``names such as ["Police", "Fire"]``)."""

    what: str

    @property
    def cell(self) -> str:
        return "list"

    def read(self, raw: object, reading: Reading, key: str) -> tuple[str, ...] | None:
        if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
            reading.add(f"must be a list of {self.what}, got {show(raw)}", key)
            return None
        return tuple(raw)

    def schema(self, description: str = "") -> dict[str, Any]:
        return described({"type": "array", "items": TEXT_SCHEMA}, description)

    def cells(self, value: object) -> dict[str, object]:
        if not isinstance(value, tuple | list):
            return {"": None}
        return {"": ", ".join(value) or None}  # an empty list is an empty cell


@dataclass(frozen=True)
class Agencies(Names):
    """``[portfolio] agencies``: distinct, non-empty names (two that differ only in case or
    spacing are the same agency)."""

    what: str = 'names such as ["Police", "Fire", "Ambulance"]'

    def read(self, raw: object, reading: Reading, key: str) -> tuple[str, ...] | None:
        if (
            not isinstance(raw, list)
            or not raw
            or not all(isinstance(n, str) and n.strip() for n in raw)
        ):
            reading.add(f"must be a list of {self.what}, got {show(raw)}", key)
            return None
        seen: dict[str, str] = {}
        for name in raw:
            folded = agency_key(name)
            if folded in seen:
                reading.add(f"lists {show(name)} twice (as {show(seen[folded])} too)", key)
                return None
            seen[folded] = name
        return tuple(raw)

    def schema(self, description: str = "") -> dict[str, Any]:
        return described(
            {"type": "array", "items": NAME_SCHEMA, "minItems": 1, "uniqueItems": True},
            description,
        )


@dataclass(frozen=True)
class Statuses(Names):
    """``count_statuses``: distinct statuses of :data:`~npv_calc.model.STATUSES`."""

    what: str = 'statuses such as ["approved", "in-delivery", "delivered"]'

    def read(self, raw: object, reading: Reading, key: str) -> tuple[str, ...] | None:
        allowed = ", ".join(f'"{s}"' for s in STATUSES)
        if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
            reading.add(f"must be a list of {self.what} (from {allowed}), got {show(raw)}", key)
            return None
        unknown = [s for s in raw if s not in STATUSES]
        for status in unknown:
            reading.add(
                f"{show(status)} is not a status{suggest(status, STATUSES)}; the statuses are "
                f"{allowed}",
                key,
            )
        if unknown:
            return None
        if len(set(raw)) != len(raw):
            reading.add(f"lists a status twice, got {show(raw)}", key)
            return None
        return tuple(raw)

    def schema(self, description: str = "") -> dict[str, Any]:
        return described(
            {
                "type": "array",
                "items": {"enum": list(STATUSES)},
                "minItems": 1,
                "uniqueItems": True,
            },
            description,
        )


@dataclass(frozen=True)
class Pair(Kind):
    """``groups = ["fire-costs", "demand"]``: two different correlation groups."""

    @staticmethod
    def problem(raw: object) -> str:
        """What is wrong with ``raw`` as a pair (it is not two different group names)."""
        return (
            'must name two different groups, e.g. groups = ["fire-costs", "demand"], '
            f"got {show(raw)}"
        )

    def read(self, raw: object, reading: Reading, key: str) -> tuple[str, str] | None:
        if (
            not isinstance(raw, list)
            or len(raw) != 2
            or not all(isinstance(g, str) and g for g in raw)
            or raw[0] == raw[1]
        ):
            reading.add(self.problem(raw), key)
            return None
        return (raw[0], raw[1])

    def schema(self, description: str = "") -> dict[str, Any]:
        return {"type": "array", "items": NAME_SCHEMA, "minItems": 2, "maxItems": 2}


# -- kinds of table: what they hold is declared as a section of its own ------------------------


@dataclass(frozen=True)
class Keyed(Kind):
    """A table whose keys are data (a grade, a year, a group's name), each holding a number
    obeying ``rule``: ``[deflators]``, ``[confidence_grades]``, ``[correlation.groups]``."""

    rule: Rule
    #: the JSON Schema pattern of its keys, if they have one
    pattern: str | None = None
    #: what is wrong with a key (``None`` when it is good)
    key_problem: Callable[[str], str | None] | None = None
    #: the rule the schema states, where it words the rule differently from the loader
    schema_rule: Rule | None = None

    def schema(self, description: str = "") -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "object"}
        if self.pattern:
            schema["propertyNames"] = {"pattern": self.pattern}
        schema["additionalProperties"] = number_schema(self.schema_rule or self.rule)
        return schema


@dataclass(frozen=True)
class Nested(Kind):
    """A table of the keys of another section (``[appraisal]``, a scenario's ``set``); with
    ``many``, a list of such tables (``[[costs]]``), or with ``named`` a table of them by name
    (``[scenarios.NAME]``). The owning section's reader reads it."""

    section: str
    many: bool = False
    named: bool = False
