"""Project files: a document (from TOML or a workbook's rows) into a :class:`Project`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..model import Project, SettingsPatch, is_workbook
from .fields import APPRAISAL, BENEFITS, COSTS, PROJECT
from .hooks import SECONDARY, reference_source
from .items import read_impact, read_line, read_risk
from .kinds import Reading
from .messages import got, too_many
from .options import check_shortlist, read_options, stand_in
from .reader import FileReader
from .rules import MAX_ITEMS
from .settings import BOTH_RATES, read_settings
from .spec import Part, given, read_fields, require

__all__ = ["SECONDARY", "read_project", "reference_source"]

_TOP = ("", 1)
_RATES = {"schedule", "discount_rate"}


def read_project(data: dict[str, Any], path: Path, reader: FileReader) -> Project:
    """A project file. As with lines, a project with problems is still returned (with an empty
    ``id`` when its id is bad) so that every check can run; the problems are in
    ``reader.problems``."""
    reader.unknown_keys(
        data, PROJECT.keys, item=None, where=_TOP, elsewhere=dict(PROJECT.misplaced)
    )
    reading = Reading(reader, data)
    require(reading, PROJECT.fields)  # before any key is read, as they always were
    read_fields(reading, PROJECT.part(Part.LABEL), required=False)
    read_fields(reading, PROJECT.part(Part.TRAIT), required=False)
    overrides = _settings(data, reader)
    # a missing or bad start year is 0 (so that the project can be built): no offsets from it
    start_year = reading.values["start_year"] or None
    costs = _items(
        data, "costs", reader, lambda raw, i: read_line(raw, COSTS, i, reader, start_year)
    )
    benefits = _items(
        data, "benefits", reader, lambda raw, i: read_line(raw, BENEFITS, i, reader, start_year)
    )
    risks = _items(data, "risks", reader, lambda raw, i: read_risk(raw, i, reader, start_year))
    impacts = _items(data, "impacts", reader, lambda raw, i: read_impact(raw, i, reader))
    options = read_options(data, reader, start_year)
    if "options" not in data and not data.get("costs") and not data.get("benefits"):
        reader.add(
            "has no costs or benefits: add a row for it on the Costs or Benefits sheet"
            if is_workbook(reader.path)
            else "has no costs or benefits: add at least one [[costs]] or [[benefits]] table",
            where=_TOP,
        )
    project = Project(
        path=path,
        overrides=SettingsPatch.of(overrides),
        costs=costs,
        benefits=benefits,
        risks=risks,
        impacts=impacts,
        options=options,
        **given(reading.values),
    )
    project.lines.later(reader.keys_at(_TOP))
    check_shortlist(project, data, reader)
    return stand_in(project)


def _items(
    data: dict[str, Any], section: str, reader: FileReader, read: Callable[[Any, int], Any]
) -> tuple[Any, ...]:
    """The items of ``[[section]]`` tables that could be read at all."""
    raw_items = data.get(section, [])
    if not isinstance(raw_items, list):
        reader.add(
            f"must be written as [[{section}]] tables, {got(raw_items)}", field=section, where=_TOP
        )
        return ()
    if len(raw_items) > MAX_ITEMS:  # each would be read, and might be reported, in vain
        reader.add(too_many(len(raw_items), f"[[{section}]]"), field=section, where=_TOP)
        return ()
    read_items = (read(raw, index) for index, raw in enumerate(raw_items, start=1))
    return tuple(item for item in read_items if item is not None)


def _settings(data: dict[str, Any], reader: FileReader) -> dict[str, object]:
    """A project's own appraisal settings: at the top of the file, or in its ``[appraisal]``
    table (once: not in both)."""
    overrides = read_settings(data, reader, item=None, where=_TOP)
    if "appraisal" not in data:
        return overrides
    table = reader.table(data["appraisal"], "[appraisal]", field="appraisal", where=_TOP)
    if table is None:
        return overrides
    at: dict[str, Any] = {"item": "[appraisal]", "where": ("appraisal", 1)}
    reader.unknown_keys(table, APPRAISAL.keys, **at)
    for key in [k for k in table if k in overrides]:
        reader.add(
            "is set both at the top of the file and in [appraisal]; give it once", field=key, **at
        )
    overrides.update(read_settings(table, reader, **at))
    # Each table is checked for both rates on its own; split across the two, only here.
    if set(overrides) >= _RATES and not (set(table) >= _RATES or set(data) >= _RATES):
        reader.add(BOTH_RATES, field="schedule", **at)
    return overrides
