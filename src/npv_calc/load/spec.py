"""The shape of the scenario format's declaration (:mod:`npv_calc.load.fields`): a
:class:`Section` of :class:`Field` objects, each read as a part of its item (:class:`Part`) and
placed in the input workbook (:class:`Col`, :class:`Row`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cache, cached_property
from typing import Any

from .kinds import Kind, Reading


class Part(Enum):
    """What a key says about its item. A section's reader reads its fields part by part, in an
    order it states (a workbook's problems are reported in the order they are found); the JSON
    Schema of a line also lists them by part."""

    #: what names or describes the item: its id, name, agency, source, description
    LABEL = "label"
    #: what sort of item it is: a cost's kind, a benefit's cashable or confidence grade
    TRAIT = "trait"
    #: its numbers
    VALUE = "value"
    #: the year whose prices its money is in (read before a ``ref:`` value, which brings its own)
    PRICE = "price"
    #: when its money flows: ``amounts``, ``years``, ``actuals``
    TIMING = "timing"
    #: an appraisal setting, or the ``[appraisal]`` table holding them
    SETTING = "setting"
    #: tables of another section: a project's lines, risks and impacts
    ITEMS = "items"


# -- where a field sits in the input workbook ---------------------------------------------------


@dataclass(frozen=True)
class Col:
    """A field's column on a sheet with a row per item (an uncertain value's low, central and
    high columns start at ``at``; ``years`` has first and last)."""

    at: str  # the column's letter: cell addresses are part of the template's contract
    header: str
    width: float = 13
    #: how its cells are read and formatted, where not as the field's kind says: ``money`` or
    #: ``share`` (a number's format), ``free`` (a list's items one per row, each kept exactly)
    kind: str | None = None
    note: str = ""
    #: values a drop-down offers without insisting (a workbook may add its own)
    suggested: tuple[str, ...] = ()
    #: the value an empty cell stands for (written as an empty cell)
    blank: object = None
    #: the column's key when it is not the field's (a sheet's own columns, e.g. ``project``)
    key: str | None = None


@dataclass(frozen=True)
class Row:
    """A field's row on the Portfolio sheet (its label in column A, its value in B)."""

    number: int
    label: str
    note: str = ""
    #: as :attr:`Col.kind`
    kind: str | None = None


#: A nested section's keys each have a column of their own here, named ``<field>.<key>``.
SPREAD = "spread"

Placement = Col | Row | str


# -- fields -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Field:
    """A key of a section, declared once.

    ``required`` is the message when it is missing (``""``: optional); ``only`` completes the
    hint given when it is written in the other line section ("applies to costs only (...)");
    ``doc`` is its JSON Schema description.
    """

    key: str
    kind: Kind
    part: Part = Part.LABEL
    doc: str = ""
    required: str = ""
    only: str = ""
    #: the value when the key is not given (as if it were written)
    default: object = None
    #: the value when it is missing or unreadable, so that the item can still be built and
    #: checked further
    fallback: object = None
    #: special logic run after the key is read: ``(reading, value) -> value to keep``
    check: Callable[[Reading, object], object] | None = None
    #: the value a file gives for the field of a model item (default: its attribute)
    written: Callable[[Any], object] | None = None
    #: a value a file leaves out (the model's default for it)
    omitted: object = None
    #: where it sits in the input workbook: by sheet title, a :class:`Col`, a :class:`Row`, or
    #: :data:`SPREAD`
    sheets: Mapping[str, Placement] = field(default_factory=dict)
    #: where it is in the workbook when it has no column of its own (e.g. the Outturn sheet)
    elsewhere: str = ""

    def value_of(self, item: object) -> object:
        """What a file says for this field of ``item``, or ``None`` when it says nothing."""
        value = self.written(item) if self.written else getattr(item, self.key, None)
        if self.omitted is not None and value == self.omitted:
            return None
        return value


@dataclass(frozen=True, eq=False)
class Section:
    """The keys a table may hold, in the order messages and the documentation list them."""

    name: str
    fields: tuple[Field, ...]
    #: hints for keys that belong in another place, by key
    misplaced: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        """The keys, in declared order (as "allowed keys here" lists them)."""
        return tuple(f.key for f in self.fields)

    @cached_property
    def _by_key(self) -> dict[str, Field]:
        return {f.key: f for f in self.fields}

    def field(self, key: str) -> Field:
        """The field of ``key``.

        Raises
        ------
        KeyError
            When the section has no such key.
        """
        return self._by_key[key]

    def part(self, *parts: Part) -> tuple[Field, ...]:
        """The fields of ``parts``, in declared order."""
        return _part(self, parts)


@cache
def _part(section: Section, parts: tuple[Part, ...]) -> tuple[Field, ...]:
    return tuple(f for f in section.fields if f.part in parts)


# -- reading ------------------------------------------------------------------------------------

#: Reads a field that holds a table of another section: ``(reading, raw) -> value``.
NestedReader = Callable[[Reading, object], object]


def require(reading: Reading, fields: Iterable[Field]) -> None:
    """Report each required field that is missing."""
    for f in fields:
        if f.required and f.key not in reading.table:
            reading.add(f.required, f.key)


def read_fields(
    reading: Reading,
    fields: Iterable[Field],
    *,
    required: bool = True,
    nested: Mapping[str, NestedReader] | None = None,
) -> None:
    """Read ``fields`` of ``reading.table`` into ``reading.values``, in order.

    A key given but unreadable is ``None`` (its problem recorded), unless the field has a
    fallback; a key not given is its field's default (if any). A field's ``check`` runs after
    it is read.

    Parameters
    ----------
    reading
        The table, where its problems go, and the values read so far.
    fields
        The fields to read, in the order their problems are to be reported.
    required
        Report a missing required key where it would be read (``False`` when :func:`require`
        has reported it already).
    nested
        Readers of the fields that hold a table of another section, by key.
    """
    for f in fields:
        if f.key in reading.table:
            raw = reading.table[f.key]
            if nested is not None and f.key in nested:
                value = nested[f.key](reading, raw)
            else:
                value = f.kind.read(raw, reading, f.key)
            if f.check is not None:
                value = f.check(reading, value)
        else:
            if required and f.required:
                reading.add(f.required, f.key)
            value = f.default
        if value is None:
            value = f.fallback
        if value is not None or f.key in reading.table:
            reading.values[f.key] = value


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values read that are not ``None`` (the model's defaults stand for the others)."""
    return {k: v for k, v in values.items() if v is not None}
