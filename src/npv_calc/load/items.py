"""The items of a project file: its lines (``[[costs]]``, ``[[benefits]]``), risks and impacts.

Each is read as the fields of its section (:mod:`npv_calc.load.fields`) say, part by part. An item
with problems is still returned (its problems recorded), so that the checks that need the
settings (years inside the horizon, deflators for its prices) run on it too.
"""

from __future__ import annotations

from typing import Any

from ..model import Impact, Line, Risk
from . import hooks
from .fields import BENEFITS, IMPACTS, RISKS
from .kinds import Reading
from .messages import got
from .reader import FileReader
from .spec import Field, Part, Section, given, read_fields, require


def _item(
    raw: Any,
    section: Section,
    index: int,
    reader: FileReader,
    unnamed: str,
    start_year: int | None = None,
) -> Reading | None:
    """The reading of an item, named for messages (``costs[2] "Staff"``; ``unnamed`` when its
    name is missing or unusable), its unknown keys reported; ``None`` when it is not a table."""
    where = (section.name, index)
    bare = f"{section.name}[{index}]"
    if not isinstance(raw, dict):
        reader.add(f"must be a table ([[{section.name}]]), {got(raw)}", item=bare, where=where)
        return None
    name = raw.get("name")
    if "name" not in raw:
        required = section.field("name").required
        if required:
            reader.add(required, item=bare, field="name", where=where)
        name = unnamed
    elif not isinstance(name, str) or not name.strip():
        reader.text(name, required=True, item=bare, field="name", where=where)
        name = unnamed
    item = f'{bare} "{name}"'
    reader.unknown_keys(
        raw, section.keys, elsewhere=dict(section.misplaced), item=item, where=where
    )
    return Reading(reader, raw, item, where, {"index": index, "name": name}, start_year)


def _others(section: Section, *parts: Part) -> tuple[Field, ...]:
    """The fields of ``parts`` other than the name (read first, to name the item)."""
    return tuple(f for f in section.part(*parts) if f.key != "name")


def read_line(
    raw: Any, section: Section, index: int, reader: FileReader, start_year: int | None = None
) -> Line | None:
    """A cost or benefit line: what it is, its values, its prices (before a ``ref:`` unit value,
    which brings its own), then when its money flows, and the checks across its keys.

    Parameters
    ----------
    raw
        The line's table as the file gives it.
    section
        :data:`~npv_calc.load.fields.COSTS` or :data:`~npv_calc.load.fields.BENEFITS`.
    index
        Its 1-based place among the project's lines of the section.
    reader
        Where its problems go.
    start_year
        The project's year 0, to suggest offsets for calendar years written in ``years``.

    Returns
    -------
    Line or None
        The line as far as it could be read (``None`` when it is not a table).
    """
    unnamed = f"{'Cost' if section.name == 'costs' else 'Benefit'} {index}"
    reading = _item(raw, section, index, reader, unnamed, start_year)
    if reading is None:
        return None
    reading.values["section"] = section.name
    read_fields(reading, _others(section, Part.LABEL))
    read_fields(reading, section.part(Part.TRAIT))
    reference = hooks.reference_given(reading) if section is BENEFITS else None
    read_fields(
        reading,
        [f for f in section.part(Part.VALUE) if f.key != "unit_value" or reference is None],
    )
    read_fields(reading, section.part(Part.PRICE))
    if isinstance(reference, str):
        hooks.read_reference(reference, reading)
    read_fields(reading, section.part(Part.TIMING))
    hooks.check_money(reading, section.name)
    line = Line(**given(reading.values))
    line.lines.later(reader.keys_at(reading.where))
    return line


def read_risk(raw: Any, index: int, reader: FileReader, start_year: int | None) -> Risk | None:
    """A ``[[risks]]`` table: a cost that arises only if the risk happens."""
    reading = _item(raw, RISKS, index, reader, f"Risk {index}", start_year)
    if reading is None:
        return None
    # Missing keys are reported before any is read, as they always were.
    require(reading, _others(RISKS, *Part))
    # the order a risk's problems have always come in (a workbook lists them as found)
    for part in (Part.VALUE, Part.TIMING, Part.LABEL, Part.PRICE):
        read_fields(reading, _others(RISKS, part), required=False)
    risk = Risk(**given(reading.values))
    risk.lines.later(reader.keys_at(reading.where))
    return risk


def read_impact(raw: Any, index: int, reader: FileReader) -> Impact | None:
    """An ``[[impacts]]`` table: a non-monetised impact, in words."""
    reading = _item(raw, IMPACTS, index, reader, f"Impact {index}")
    if reading is None:
        return None
    read_fields(reading, _others(IMPACTS, *Part))
    impact = Impact(**given(reading.values))
    impact.lines.later(reader.keys_at(reading.where))
    return impact
