"""A project's shortlist (``[[options]]``): reading each option, checking the shortlist, and the
project that stands for the preferred option against business as usual.

An option carries the lines, risks and impacts of a project (the same keys, read by the same
readers); ``includes`` names another option whose items come first. Every option is measured
against the one business-as-usual (BAU) option. The project itself then stands for its
preferred option against BAU (what ``run`` and the target count): the preferred option's items,
and BAU's items counted against them (a line's ``scale`` and a risk's ``impact`` negated, the
item marked ``against``), so that every figure of the project is the preferred option's less
BAU's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any, TypeVar

from ..errors import Problem
from ..model import (
    BAU,
    MAX_INCLUDES,
    ROLES,
    Impact,
    Line,
    Option,
    Project,
    Risk,
    Uncertain,
    Value,
)
from .fields import BENEFITS, COSTS, OPTIONS
from .items import read_impact, read_line, read_risk
from .kinds import Reading
from .messages import got, show, suggest
from .reader import FileReader
from .rules import name_key
from .spec import Part, given, read_fields, require

__all__ = ["ITEM_SECTIONS", "check_shortlist", "read_options", "resolved", "stand_in"]

#: The sections an option holds, as a project does.
ITEM_SECTIONS = ("costs", "benefits", "risks", "impacts")
_TOP = ("", 1)
_Item = TypeVar("_Item", Line, Risk, Impact)


class _OptionReader(FileReader):
    """A reader for one option's table: the option's items are found where a project's would
    be (``("costs", 2)``), and every problem is located at the option's lines in the file and
    named with the option (``option "merge" costs[2] "Staff"``)."""

    def __init__(self, parent: FileReader, occurrence: int, offsets: dict[str, int], table: object):
        lines = {_TOP: parent.lines.get(("options", occurrence), {})}
        for section, offset in offsets.items():
            # only this option's own items: looking through every table of the file for each
            # option made a shortlist of thousands take seconds
            items = table.get(section) if isinstance(table, dict) else None
            for number in range(1, len(items) + 1 if isinstance(items, list) else 1):
                keys = parent.lines.get((f"options.{section}", offset + number))
                if keys is not None:
                    lines[(section, number)] = keys
        super().__init__(parent.path, lines)
        # one list and one cap: an option's problems are its file's
        self._problems = parent._problems
        self._parent = parent
        self.warnings = parent.warnings
        self.name = f"options[{occurrence}]"

    def _named(self, item: str | None) -> str:
        if item is None or item.startswith(("options[", "option ")):
            return item or self.name
        return f"{self.name} {item}"

    def add(self, message: str, *, item: str | None = None, **at: Any) -> None:
        super().add(message, item=self._named(item), **at)
        if self._unlisted:
            # beyond the file's cap: counted in the file's last message
            if not self._parent._unlisted:
                self._parent._unlisted_line = self._unlisted_line
            self._parent._unlisted += self._unlisted
            self._unlisted = 0

    def warn(self, message: str, *, item: str | None = None, **at: Any) -> None:
        super().warn(message, item=self._named(item), **at)


def read_options(
    data: dict[str, Any], reader: FileReader, start_year: int | None
) -> tuple[Option, ...]:
    """The ``[[options]]`` of a project file, each as far as it could be read (its problems in
    ``reader.problems``)."""
    raw = data.get("options")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        reader.add(
            f"must be written as [[options]] tables, {got(raw)}"
            if not isinstance(raw, list)
            else "is empty: give at least a business-as-usual option and the preferred one",
            field="options",
            where=_TOP,
        )
        return ()
    offsets = dict.fromkeys(ITEM_SECTIONS, 0)
    options = []
    for occurrence, table in enumerate(raw, start=1):
        sub = _OptionReader(reader, occurrence, offsets, table)
        if not isinstance(table, dict):
            sub.add(f"must be a table ([[options]]), {got(table)}", where=_TOP)
            continue
        option = _read_option(table, sub, start_year)
        if option is not None:
            options.append(option)
        for section in ITEM_SECTIONS:
            items = table.get(section)
            offsets[section] += len(items) if isinstance(items, list) else 0
    return tuple(options)


def _read_option(table: dict[str, Any], reader: _OptionReader, start_year: int | None) -> Option:
    """One option: its id first (to name it in every later message), then its items."""
    reading = Reading(reader, table, None, _TOP)
    require(reading, OPTIONS.fields)
    read_fields(reading, [f for f in OPTIONS.fields if f.key == "id"], required=False)
    option_id = reading.values.get("id") or ""
    if option_id:
        reader.name = f'option "{option_id}"'
    reader.unknown_keys(
        table,
        OPTIONS.keys,
        item=None,
        where=_TOP,
        elsewhere={
            "preferred": "belongs at the top of the project file, not in an option",
            "preferred_because": "belongs at the top of the project file, not in an option",
            "start_year": "an option shares its project's start_year",
        },
    )
    read_fields(
        reading,
        [f for f in OPTIONS.part(Part.LABEL, Part.TRAIT) if f.key != "id"],
        required=False,
    )

    def items(section: str, read: Callable[[Any, int], _Item | None]) -> tuple[_Item, ...]:
        raw_items = table.get(section, [])
        if not isinstance(raw_items, list):
            reader.add(
                f"must be written as [[options.{section}]] tables, {got(raw_items)}",
                field=section,
                where=_TOP,
            )
            return ()
        found = (read(raw, i) for i, raw in enumerate(raw_items, start=1))
        return tuple(replace(x, origin=(option_id, x.index)) for x in found if x is not None)

    def marked(option: Option) -> Option:
        """BAU's lines and risks marked as such (the scenarios take their ends the other way)."""
        if option.role != BAU:
            return option
        return replace(
            option,
            costs=tuple(replace(x, against=True) for x in option.costs),
            benefits=tuple(replace(x, against=True) for x in option.benefits),
            risks=tuple(replace(x, against=True) for x in option.risks),
        )

    option = Option(
        costs=items("costs", lambda raw, i: read_line(raw, COSTS, i, reader, start_year)),
        benefits=items("benefits", lambda raw, i: read_line(raw, BENEFITS, i, reader, start_year)),
        risks=items("risks", lambda raw, i: read_risk(raw, i, reader, start_year)),
        impacts=items("impacts", lambda raw, i: read_impact(raw, i, reader)),
        **{"id": "", "name": "", "role": "option", **given(reading.values)},
    )
    option = marked(option)
    option.lines.update(reader.lines.get(_TOP, {}))
    return option


# -- the shortlist ------------------------------------------------------------------------------


def check_shortlist(project: Project, data: dict[str, Any], reader: FileReader) -> None:
    """Record every problem of a project's shortlist: lines beside options, the roles (one
    BAU, at most one do-minimum, one option at least besides BAU), unique ids, the preferred
    option and what each option includes."""
    options = project.options
    if "options" not in data:
        for key in ("preferred", "preferred_because"):
            if key in data:
                reader.add(
                    "applies only to a project with [[options]] (a shortlist against business "
                    "as usual); remove it, or write the options",
                    field=key,
                    where=_TOP,
                )
        return
    for key in ITEM_SECTIONS:
        if key in data:
            reader.add(
                f"a project with [[options]] has no {key} of its own: move them into the "
                f"option they belong to, as [[options.{key}]]",
                field=key,
                where=_TOP,
            )
    if options:
        _check_ids(options, reader)
        _check_roles(options, reader)
        _check_preferred(project, data, reader)
        _check_includes(options, reader)


def _at(reader: FileReader, option: Option, message: str, field: str | None) -> None:
    """A problem of an option, at its line."""
    line = option.lines.get(field or "", option.lines.get(""))
    reader.problems.append(Problem(reader.shown, message, option.label, field, line))


def _check_ids(options: Sequence[Option], reader: FileReader) -> None:
    seen: dict[str, Option] = {}
    for option in options:
        if not option.id:
            continue
        twin = seen.get(name_key(option.id))
        if twin is not None:
            same = "is" if twin.id == option.id else f"differs only in case or - from {twin.id}"
            _at(
                reader,
                option,
                f"{show(option.id)} {same}: option ids are unique in a project (each gives "
                "the workbook a name NPV_<project>_<option>)",
                "id",
            )
        else:
            seen[name_key(option.id)] = option


def _check_roles(options: Sequence[Option], reader: FileReader) -> None:
    first: dict[str, Option] = {}
    for option in options:
        if option.role in first and option.role in (BAU, "do-minimum"):
            other = first[option.role]
            what = "business as usual" if option.role == BAU else "the do-minimum"
            _at(
                reader,
                option,
                f"is {show(option.role)} but {other.label} is {what} already; a shortlist has "
                + ("exactly one" if option.role == BAU else "at most one")
                + f" (make this one role = {show(ROLES[-1])})",
                "role",
            )
        first.setdefault(option.role, option)
    if BAU not in first:
        reader.add(
            'needs exactly one option with role = "bau" (business as usual, which every '
            "option is measured against); none has it",
            field="options",
            where=_TOP,
        )
    if all(o.role == BAU for o in options):
        reader.add(
            "needs at least one option besides business as usual (the preferred one)",
            field="options",
            where=_TOP,
        )


def _check_preferred(project: Project, data: dict[str, Any], reader: FileReader) -> None:
    ids = [o.id for o in project.options if o.id]
    choices = [o.id for o in project.options if o.id and o.role != BAU]
    if "preferred" not in data:
        reader.add(
            "is required with [[options]]: name the option that stands for the project "
            f"(one of {', '.join(map(show, choices))})",
            field="preferred",
            where=_TOP,
        )
        return
    preferred = project.preferred
    if preferred is None:
        return  # unreadable: reported already
    option = project.option(preferred)
    if option is None:
        reader.add(
            f"names no option: {show(preferred)}{suggest(preferred, ids)}; choose from "
            + ", ".join(map(show, choices)),
            field="preferred",
            where=_TOP,
        )
    elif option.role == BAU:
        reader.add(
            f"is {show(preferred)}, business as usual, which every option is measured "
            "against; name another option"
            + (f" ({', '.join(map(show, choices))})" if choices else ""),
            field="preferred",
            where=_TOP,
        )


def _check_includes(options: Sequence[Option], reader: FileReader) -> None:
    ids = [o.id for o in options if o.id]
    by_id = {o.id: o for o in options}
    for option in options:
        if option.includes is None:
            continue
        if option.includes not in by_id:
            others = [i for i in ids if i != option.id]
            _at(
                reader,
                option,
                f"names no option: {show(option.includes)}{suggest(option.includes, others)}; "
                "choose from " + ", ".join(map(show, others)),
                "includes",
            )
            continue
        chain = _chain(option, by_id)
        if chain[-1] == option.id:
            _at(
                reader,
                option,
                "goes round in a circle: "
                + " includes ".join(map(show, chain))
                + "; an option may build on another, which may not build on it",
                "includes",
            )
        elif len(chain) > MAX_INCLUDES + 1 and len(_chain(by_id[option.includes], by_id)) <= (
            MAX_INCLUDES + 1
        ):  # the first option too deep: those built on it are too deep because of it
            _at(
                reader,
                option,
                f"builds on more than {MAX_INCLUDES} options, one through the next ("
                + " includes ".join(map(show, chain[:4]))
                + f" ...); at most {MAX_INCLUDES}: write what the options share once, in an "
                "option several include",
                "includes",
            )
    for option in options:
        chain = _chain(option, by_id)
        if (
            option.role != BAU
            and option.id
            and len(chain) <= MAX_INCLUDES + 1
            and not any(by_id[i].costs or by_id[i].benefits for i in chain if i in by_id)
        ):
            _at(
                reader,
                option,
                "has no costs or benefits (its own or through includes): add at least one "
                "[[options.costs]] or [[options.benefits]] table",
                None,
            )


def _chain(option: Option, by_id: dict[str, Option]) -> list[str]:
    """The ids of the option and of those it builds on, one through the next: ending where a
    circle closes (the id seen again, last), at a name that is no option's, or after
    ``MAX_INCLUDES + 2`` ids (a chain too deep), so that checking every option of a shortlist
    costs at most that many steps each."""
    chain, seen = [option.id], {option.id}
    current = option.includes
    while current is not None and len(chain) <= MAX_INCLUDES + 1:
        chain.append(current)
        if current in seen or current not in by_id:
            break
        seen.add(current)
        current = by_id[current].includes
    return chain


# -- resolving includes and the project's stand-in ----------------------------------------------


Items = tuple[tuple[Line, ...], tuple[Line, ...], tuple[Risk, ...], tuple[Impact, ...]]


def resolved(project: Project, option_id: str) -> Items:
    """An option's costs, benefits, risks and impacts with what it includes: the included
    option's (with what that includes) first, then its own; each numbered in order from 1.

    A circle of ``includes`` (a problem reported when loading) stops where it closes."""
    chain: list[Option] = []
    seen: set[str] = set()
    current = project.option(option_id)
    while current is not None and current.id not in seen:
        chain.append(current)
        seen.add(current.id)
        current = project.option(current.includes) if current.includes else None
    chain.reverse()  # the option built on first
    costs = _numbered([x for o in chain for x in o.costs])
    benefits = _numbered([x for o in chain for x in o.benefits])
    risks = _numbered([x for o in chain for x in o.risks])
    impacts = _numbered([x for o in chain for x in o.impacts])
    return costs, benefits, risks, impacts


def _numbered(items: Sequence[_Item]) -> tuple[_Item, ...]:
    return tuple(replace(x, index=i) for i, x in enumerate(items, start=1))


def _negated(value: Value) -> Value:
    if isinstance(value, Uncertain):
        return Uncertain(-value.high, -value.central, -value.low, value.group)
    return -value


def bau_of(project: Project) -> Option | None:
    """The project's business-as-usual option (``None``: it has none)."""
    return next((o for o in project.options if o.role == BAU), None)


def stand_in(project: Project) -> Project:
    """The project as its preferred option against business as usual: the preferred option's
    items, then BAU's counted against them (negated); an item both hold (through
    ``includes``) cancels out and is left out of both. Unchanged without options or a known
    preferred option."""
    preferred = project.option(project.preferred) if project.preferred else None
    bau = bau_of(project)
    if preferred is None or bau is None or preferred is bau:
        return project
    ours = resolved(project, preferred.id)
    theirs = resolved(project, bau.id)
    shared = {x.origin for items in ours for x in items} & {
        x.origin for items in theirs for x in items
    }

    def own(items: Sequence[_Item]) -> list[_Item]:
        return [x for x in items if x.origin not in shared]

    against_costs = [replace(x, scale=_negated(x.scale), negated=True) for x in own(theirs[0])]
    against_benefits = [replace(x, scale=_negated(x.scale), negated=True) for x in own(theirs[1])]
    against_risks = [replace(x, impact=_negated(x.impact), negated=True) for x in own(theirs[2])]
    return replace(
        project,
        costs=_numbered([*own(ours[0]), *against_costs]),
        benefits=_numbered([*own(ours[1]), *against_benefits]),
        risks=_numbered([*own(ours[2]), *against_risks]),
        impacts=ours[3],
    )


def option_project(project: Project, option_id: str) -> Project:
    """An option appraised as a project of its own: its items with what it includes, under
    the project's id, settings and start year."""
    costs, benefits, risks, impacts = resolved(project, option_id)
    return replace(
        project, costs=costs, benefits=benefits, risks=risks, impacts=impacts, options=()
    )
