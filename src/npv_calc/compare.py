"""What changed between two scenario sets, project by project ("since the last board"): each
project's NPV in both, and what changed in its inputs, in words (its identity and settings, and
each line, risk and impact added, removed or changed, field by field)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import fields

from .calculate import appraise_case
from .errors import InputError, Problem
from .model import Impact, Line, Portfolio, Project, Risk, SettingsPatch, Uncertain, Value
from .results.appraisal import PortfolioResult
from .results.comparison import UNCHANGED, Comparison, ProjectChange
from .scenarios import Case, case_of

__all__ = ["UNCHANGED", "Comparison", "ProjectChange", "compare", "line_up", "project_changes"]


def compare(
    a: Case | Portfolio,
    b: Case | Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
) -> Comparison:
    """Appraise two scenario sets the same way and line their projects up by id: two prepared
    cases, or two portfolios prepared with the same ``scenario`` and ``overrides``.

    Projects appear in order of the size of their change, largest first; a project in one set
    only is ``added`` (in B only) or ``removed`` (in A only).
    """
    result_a = appraise_case(case_of(a, scenario, overrides))
    result_b = appraise_case(case_of(b, scenario, overrides))
    return line_up(result_a, result_b)


def line_up(result_a: PortfolioResult, result_b: PortfolioResult) -> Comparison:
    """Two appraisals' projects lined up by id, largest change first, with what changed in
    each project's inputs.

    Raises
    ------
    InputError
        When a change is more than a computer can hold.
    """
    in_a = {p.id: p for p in result_a.projects}
    in_b = {p.id: p for p in result_b.projects}
    changes = []
    for pid in dict.fromkeys([*in_a, *in_b]):
        pa, pb = in_a.get(pid), in_b.get(pid)
        name = (pb or pa).project.name  # type: ignore[union-attr]
        inputs = project_changes(pa.project, pb.project) if pa and pb else ()
        changes.append(
            ProjectChange(pid, name, pa.npv if pa else None, pb.npv if pb else None, inputs)
        )
    changes.sort(key=lambda c: -abs(c.change))  # stable: equal changes keep their order
    settings = portfolio_changes(result_a.portfolio, result_b.portfolio)
    comparison = Comparison(result_a, result_b, tuple(changes), settings)
    moved = (comparison.change, *(c.change for c in changes))
    if not all(math.isfinite(change) for change in moved):
        raise InputError(
            [
                Problem(
                    "compare",
                    "the change between the two sets is more than a computer can hold (about "
                    "1e308); check the amounts for a slip",
                )
            ]
        )
    return comparison


#: Fields that say where a value was read, not what it is.
#: origin, against and negated say where an option's item comes from, not what it is
_NOT_COMPARED = {"lines", "index", "section", "name", "origin", "against", "negated"}
#: Most changes listed for one project (the rest are counted).
MOST = 12


def project_changes(before: Project, after: Project) -> tuple[str, ...]:
    """What changed from ``before`` to ``after``: a sentence for each setting, line, risk or
    impact (and each field of a line) that differs, at most :data:`MOST` of them.

    Examples
    --------
    >>> from pathlib import Path
    >>> from npv_calc.model import Line
    >>> def staff(annual):
    ...     return (Line("costs", 1, "Staff", annual=annual),)
    >>> a = Project("P", "One", 2020, Path("p.toml"), costs=staff(10_000.0))
    >>> b = Project("P", "One", 2021, Path("p.toml"), costs=staff(12_000.0))
    >>> project_changes(a, b)
    ('start_year 2020 -> 2021', 'costs "Staff": annual 10,000 -> 12,000')
    """
    found = [*_identity(before, after), *_items(before, after)]
    if len(found) > MOST:
        found = [*found[:MOST], f"and {len(found) - MOST} more changes"]
    return tuple(found)


def _identity(before: Project, after: Project) -> Iterator[str]:
    for name in ("name", "start_year", "status", "partners"):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            yield f"{name} {_shown(old)} -> {_shown(new)}"
    old_settings, new_settings = dict(before.overrides.items()), dict(after.overrides.items())
    for key in dict.fromkeys([*old_settings, *new_settings]):
        if old_settings.get(key) != new_settings.get(key):
            yield f"{key} {_shown(old_settings.get(key))} -> {_shown(new_settings.get(key))}"


def _items(before: Project, after: Project) -> Iterator[str]:
    """Lines, risks and impacts matched by section and name."""
    for section in ("costs", "benefits", "risks", "impacts"):
        old = {item.name: item for item in getattr(before, section)}
        new = {item.name: item for item in getattr(after, section)}
        for name in dict.fromkeys([*old, *new]):
            if name not in new:
                yield f'{section} "{name}" removed'
            elif name not in old:
                yield f'{section} "{name}" added'
            else:
                yield from _fields(section, old[name], new[name])


#: The portfolio's fields that say what it appraises against (its projects are compared one by
#: one; the settings field by field).
_PORTFOLIO_FIELDS = (
    "target",
    "target_year",
    "as_of",
    "present_value_year",
    "count_statuses",
    "confidence_grades",
    "deflators",
)


def portfolio_changes(before: Portfolio, after: Portfolio) -> tuple[str, ...]:
    """What changed in the portfolio's own settings (target, ``as_of``, appraisal settings,
    deflators, ...), a sentence each, at most :data:`MOST` of them.

    Examples
    --------
    >>> a = Portfolio("P", (), as_of=2022)
    >>> portfolio_changes(a, Portfolio("P", (), as_of=2023))
    ('as_of 2022 -> 2023',)
    """
    found = [
        *(
            change
            for name in _PORTFOLIO_FIELDS
            for change in _change(name, getattr(before, name), getattr(after, name))
        ),
        *(
            change
            for field in fields(before.settings)
            for change in _change(
                field.name,
                getattr(before.settings, field.name),
                getattr(after.settings, field.name),
            )
        ),
    ]
    if len(found) > MOST:
        found = [*found[:MOST], f"and {len(found) - MOST} more changes"]
    return tuple(found)


def _fields(section: str, old: Line | Risk | Impact, new: Line | Risk | Impact) -> Iterator[str]:
    for field in fields(old):
        if field.name not in _NOT_COMPARED:
            for change in _change(field.name, getattr(old, field.name), getattr(new, field.name)):
                yield f'{section} "{old.name}": {change}'


def _change(name: str, a: object, b: object) -> Iterator[str]:
    """``name old -> new`` when the values differ; a table (a line's outturn by year, the
    deflators) entry by entry, since a year added says more than the whole table twice."""
    if a == b:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(dict.fromkeys([*a, *b]), key=str):
            if a.get(key) != b.get(key):
                yield f"{name} {key} {_shown(a.get(key))} -> {_shown(b.get(key))}"
    else:
        yield f"{name} {_shown(a)} -> {_shown(b)}"


def _shown(value: object) -> str:
    """A value as the change says it: a number without trailing zeros, a range as low / central
    / high, a list or table briefly, nothing as "none"."""
    if value is None:
        return "none"
    if isinstance(value, Uncertain):
        return f"{_number(value.low)} / {_number(value.central)} / {_number(value.high)}"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    return f'"{value}"' if isinstance(value, str) else str(value)


def _number(value: Value) -> str:
    """A float with thousands separators and no trailing zeros; an int (a year) as it is."""
    return f"{value:,.10g}" if isinstance(value, float) else str(value)
