"""Checks that depend on the settings each project is appraised with (which ``--set`` and named
scenarios change) or on several files at once: ``years`` inside the horizon, deflators for a
``price_year``, grades that exist, unique ids, scenarios' exclusions."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import fields, replace

from ..errors import Problem, shown_path
from ..model import (
    NO_PATCH,
    UNALLOCATED,
    Line,
    NamedScenario,
    Portfolio,
    Project,
    Risk,
    Settings,
    SettingsPatch,
    Uncertain,
    Value,
    central,
    financial_year,
    is_workbook,
)
from .messages import edit_distance, show, suggest
from .paths import PORTFOLIO_FILE
from .rules import name_key
from .semidefinite import not_semi_definite

#: A line or a risk: the items whose years, prices and outturn depend on the settings.
Item = Line | Risk
#: An uncertain value naming a correlation group: (project, line or risk, field, value).
Use = tuple[Project, Item, str, Uncertain]
#: A problem of an item: (message, field).
Found = Iterator[tuple[str, str]]


def cross_check(
    portfolio: Portfolio,
    overrides: SettingsPatch = NO_PATCH,
    *,
    context: str = "",
) -> list[Problem]:
    """Problems that depend on the settings each project is appraised with.

    ``overrides`` are ``--set`` or scenario values, applied over each project's own settings;
    ``context`` (e.g. ``" (with --set horizon=5)"``) is added to each message.
    """
    problems: list[Problem] = []
    seen: dict[str, Project] = {}
    named: dict[str, Project] = {}
    for project in portfolio.projects:
        problems += _id_problems(project, seen, named)
        settings = portfolio.project_settings(project).updated(overrides)
        items = _written_items(project)
        problems += [
            Problem(
                shown_path(project.path),
                message + context,
                item.label,
                field,
                item.lines.get(field),
            )
            for item in items
            for message, field in _item_problems(portfolio, project, item, settings)
        ]
    return problems


def _written_items(project: Project) -> tuple[Item, ...]:
    """A project's lines and risks as written: with options, each option's own (each once,
    whichever options include it)."""
    items: list[Item] = []
    for part in project.parts():
        items += [*part.all_lines, *part.risks]
    return tuple(items)


def _id_problems(
    project: Project, seen: dict[str, Project], named: dict[str, Project]
) -> list[Problem]:
    """An id used before, or one that gives the workbook the same names as one used before."""
    problems: list[Problem] = []
    message = None
    if project.id and project.id in seen:
        message = (
            f"{show(project.id)} is already the id of a project in "
            f"{shown_path(seen[project.id].path)}; ids must be unique"
        )
    elif project.id and name_key(project.id) in named:
        other = named[name_key(project.id)]
        message = (
            f"{show(project.id)} and {show(other.id)} (in {shown_path(other.path)}) would give "
            "the same names in the board workbook, which ignore case and read - as _; make the "
            "ids differ in letters or digits"
        )
    if message:
        problems.append(
            Problem(shown_path(project.path), message, field="id", line=project.lines.get("id"))
        )
    seen.setdefault(project.id, project)
    if project.id:
        named.setdefault(name_key(project.id), project)
    return problems


def _item_problems(portfolio: Portfolio, project: Project, item: Item, settings: Settings) -> Found:
    yield from _span_problems(item, settings.horizon)
    yield from _price_problems(portfolio, item, settings.price_base_year)
    yield from _outturn_problems(portfolio, project, item, settings.horizon)
    confidence = getattr(item, "confidence", None)
    if confidence is not None and confidence not in portfolio.confidence_grades:
        grades = ", ".join(map(str, portfolio.confidence_grades))
        place = (
            "the Grades sheet" if _workbook(portfolio) else "[confidence_grades] in portfolio.toml"
        )
        yield f"grade {confidence} does not exist; the grades are {grades} ({place})", "confidence"


def _workbook(portfolio: Portfolio) -> bool:
    return portfolio.path is not None and is_workbook(portfolio.path)


def _span_problems(item: Item, horizon: int) -> Found:
    """``years`` and ``amounts`` inside the horizon."""
    span = f"a {horizon}-year appraisal covers year offsets 0 to {horizon - 1}"
    if item.years is not None and item.years[1] > horizon - 1:
        yield f"{show(list(item.years))} goes beyond the horizon: {span}", "years"
    amounts = getattr(item, "amounts", None)
    if amounts is not None and len(amounts) > horizon:
        yield f"has {len(amounts)} years of amounts but {span}", "amounts"


def _price_problems(portfolio: Portfolio, item: Item, base: int | None) -> Found:
    """A ``price_year`` other than the price base year needs deflators for both."""
    if item.price_year is None or item.price_year == base:
        return
    # a ref: unit value brings its own price year: the message names the ref
    field = "unit_value" if item.unit_ref else "price_year"
    year_ = item.price_year
    subject = (
        f"ref:{item.unit_ref} is in {year_}/{(year_ + 1) % 100:02d} prices and"
        if item.unit_ref
        else str(item.price_year)
    )
    if base is None:
        yield f"{subject} needs price_base_year in [appraisal] to rebase to", field
        return
    place = "on the Deflators sheet" if _workbook(portfolio) else "in [deflators] of portfolio.toml"
    for year in (item.price_year, base):
        if year not in portfolio.deflators:
            what = "the price base year " if year == base else ""
            yield (
                f"{subject} cannot be rebased to {base}: no deflator for {what}{year} {place}",
                field,
            )


def _outturn_problems(portfolio: Portfolio, project: Project, item: Item, horizon: int) -> Found:
    """Outturn needs ``as_of``, and each year of it must be up to ``as_of`` and in the
    project's years."""
    actuals: dict[int, float] = getattr(item, "actuals", None) or {}
    as_of = portfolio.as_of
    if actuals and as_of is None:
        yield (
            "records outturn, but [portfolio] as_of is not set: set it to the last financial "
            "year with outturn recorded (e.g. as_of = 2023 for 2023/24)",
            "actuals",
        )
    start = project.start_year
    if start < 1000:
        return  # a start year with a problem is reported already: nothing to place outturn by
    last_year = start + horizon - 1
    for year in actuals:
        if as_of is not None and year > as_of:
            yield (
                f"{financial_year(year)} is after as_of ({financial_year(as_of)}): outturn is "
                "recorded only up to as_of; raise as_of or remove the year",
                f"actuals.{year}",
            )
        elif not start <= year <= last_year:
            yield (
                f"{financial_year(year)} is outside the project's years, "
                f"{financial_year(start)} to {financial_year(last_year)} "
                f"(start_year {start} and a {horizon}-year horizon)",
                f"actuals.{year}",
            )


def planned_years(line: Line, horizon: int) -> list[int]:
    """The year offsets in which a line's plan has a flow (its central values)."""
    if line.amounts is not None:
        return [t for t, amount in enumerate(line.amounts[:horizon]) if amount]
    if line.annual is not None:
        annual = central(line.annual)
    elif line.quantity is not None and line.unit_value is not None:
        annual = central(line.quantity) * central(line.unit_value)
    else:
        return []  # a line with a problem, reported already
    if not annual or not central(line.scale):
        return []
    first, last = line.years if line.years is not None else (0, horizon - 1)
    return list(range(first, min(last, horizon - 1) + 1))


def check_outturn(portfolio: Portfolio, overrides: SettingsPatch = NO_PATCH) -> list[Problem]:
    """Warnings: a year up to ``as_of`` in which a line's plan has a flow but no outturn is
    recorded (the plan stands in for it, and it is not counted as realised). A project that
    records no outturn at all gets one warning rather than one per line."""
    as_of = portfolio.as_of
    if as_of is None:
        return []
    warnings: list[Problem] = []
    for project in portfolio.projects:
        horizon = portfolio.project_settings(project).updated(overrides).horizon
        missing = _missing_outturn(project, horizon, as_of)
        if missing and not any(line.actuals for line in project.all_lines):
            first = min(min(years) for _, years in missing)
            warnings.append(
                Problem(
                    shown_path(project.path),
                    f"records no outturn, though {len(missing)} of its lines plan flows from "
                    f"{financial_year(first)} to as_of ({financial_year(as_of)}): the plan "
                    "stands in for those years"
                    + (", its risks' expected costs included," if project.risks else "")
                    + " and none of it counts as realised; record actuals = {...} on its lines",
                    field="actuals",
                    line=project.lines.get("id"),
                )
            )
            continue
        for line, years in missing:
            listed = ", ".join(financial_year(y) for y in years)
            warnings.append(
                Problem(
                    shown_path(project.path),
                    f"no outturn for {listed}, up to as_of ({financial_year(as_of)}), where the "
                    "plan has a flow: the plan stands in for those years and they do not count "
                    "as realised" + _risks_stand_in(project, line, years),
                    line.label,
                    "actuals",
                    line.lines.get("actuals") or line.lines.get(""),
                )
            )
    return warnings


def _risks_stand_in(project: Project, line: Line, years: list[int]) -> str:
    """What a cost line's missing outturn also means when the project has risks: in a year
    with no cost outturn at all, the plan's risks' expected costs stand in too (a year is
    settled for its risks only by cost outturn)."""
    if line.section != "costs" or not project.risks:
        return ""
    open_years = [y for y in years if not any(y in cost.actuals for cost in project.costs)]
    if not open_years:
        return ""
    listed = ", ".join(financial_year(y) for y in open_years)
    return f"; with no cost outturn for {listed}, its risks' expected costs count there too"


def _missing_outturn(project: Project, horizon: int, as_of: int) -> list[tuple[Line, list[int]]]:
    """Each line's financial years up to ``as_of`` where its plan has a flow but it records no
    outturn (lines with none left out)."""
    missing: list[tuple[Line, list[int]]] = []
    for line in project.all_lines:
        planned = (project.start_year + t for t in planned_years(line, horizon))
        years = [y for y in planned if y <= as_of and y not in line.actuals]
        if years:
            missing.append((line, years))
    return missing


#: The warning for a project whose every cost and benefit is 0 (``npv-calc new``'s skeleton).
NO_MONEY = (
    "every cost and benefit is 0: fill in the amounts (annual, amounts, or quantity and "
    "unit_value of each cost and benefit line)"
)


def check_money(portfolio: Portfolio) -> list[Problem]:
    """Warnings: a project whose every cost and benefit line states 0 (at every end of its
    ranges) and records no outturn other than 0 is legal, but very likely unfinished."""
    return [
        Problem(shown_path(project.path), NO_MONEY, line=project.lines.get("id"))
        for project in portfolio.projects
        if project.all_lines and all(_no_money(line) for line in project.all_lines)
    ]


def _no_money(line: Line) -> bool:
    """The line states 0 whatever its uncertain values (a line whose money could not be read,
    with a problem reported, is not 0)."""
    if any(line.actuals.values()):
        return False
    if _zero(line.scale):
        return True
    if line.amounts is not None:
        return not any(line.amounts)
    if line.annual is not None:
        return _zero(line.annual)
    if line.quantity is not None or line.unit_value is not None:
        return any(v is not None and _zero(v) for v in (line.quantity, line.unit_value))
    return False


def _zero(value: Value) -> bool:
    if isinstance(value, Uncertain):
        return value.low == value.high == 0
    return value == 0


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


def check_scenarios(portfolio: Portfolio, base: list[Problem] | None = None) -> list[Problem]:
    """Problems with the named scenarios: excluded ids that do not exist, and settings-dependent
    problems that only a scenario's ``set`` causes.

    Each problem is reported once: a line and field that has a problem without any scenario
    (``base``, what :func:`cross_check` finds with no overrides, when the caller has it) is not
    reported again for a scenario, and a problem that several scenarios cause is one problem
    naming them all.
    """
    problems: list[Problem] = []
    if base is None:
        base = cross_check(portfolio)
    already = {(p.file, p.item, p.field) for p in base}
    caused: dict[tuple, tuple[Problem, list[str]]] = {}
    for scenario in portfolio.scenarios.values():
        problems += unknown_exclusions(portfolio, scenario)
        if scenario.set:
            included = tuple(p for p in portfolio.projects if p.id not in scenario.exclude)
            for problem in cross_check(replace(portfolio, projects=included), scenario.set):
                where = (problem.file, problem.item, problem.field)
                if where in already:
                    continue
                key = (*where, problem.message)
                caused.setdefault(key, (problem, []))[1].append(scenario.name)
    for problem, names in caused.values():
        which = ", ".join(show(n) for n in names)
        label = "scenario" if len(names) == 1 else "scenarios"
        problems.append(replace(problem, message=f"{problem.message} (in {label} {which})"))
    return problems


def _agency_uses(portfolio: Portfolio) -> list[tuple[str, Project, str, Item | None]]:
    """Every agency name written: (name, project, field, line or None for partners)."""
    uses: list[tuple[str, Project, str, Item | None]] = []
    for project in portfolio.projects:
        uses += [(name, project, "partners", None) for name in project.partners]
        items = _written_items(project)
        for item in items:
            # the agency first: asking whether the key was written scans the file for lines
            if item.agency != UNALLOCATED or "agency" in item.lines:
                uses.append((item.agency, project, "agency", item))
    return uses


def _problem(name: str, project: Project, field: str, line: Item | None, message: str) -> Problem:
    where = line.lines.get(field) if line is not None else project.lines.get(field)
    return Problem(shown_path(project.path), message, line.label if line else None, field, where)


def _normal(name: str) -> str:
    return " ".join(name.split()).casefold()


def _near(a: str, b: str) -> bool:
    """Two agency names that are very likely one agency written two ways: equal but for case
    and spacing, or one or two letters apart (two only in names of five letters or more, so
    that short, different names such as "NHS" and "NCA" are not confused)."""
    x, y = _normal(a), _normal(b)
    if x == y:
        return True
    distance = edit_distance(x, y, limit=2)
    return (distance == 1 and min(len(x), len(y)) >= 3) or (
        distance == 2 and min(len(x), len(y)) >= 5
    )


def check_agencies(portfolio: Portfolio) -> tuple[list[Problem], list[Problem]]:
    """Agency names of lines and partners: errors and warnings.

    With ``[portfolio] agencies``, every other name is an error (with "did you mean"); the
    default agency, "Unallocated", is always allowed. Without it, two names that are very likely
    one agency written two ways are a warning, at each use of the rarer one.
    """
    uses = _agency_uses(portfolio)
    declared = portfolio.agencies
    if declared is not None:
        allowed = [*declared, UNALLOCATED]
        listed = ", ".join(show(a) for a in declared)
        place = (
            "the Agencies sheet"
            if _workbook(portfolio)
            else "[portfolio] agencies in portfolio.toml"
        )
        return [
            _problem(
                name,
                project,
                field,
                line,
                f"{show(name)} is not one of the agencies{suggest(name, allowed)}; the "
                f"agencies are {listed} ({place})",
            )
            for name, project, field, line in uses
            if name not in allowed
        ], []
    twin = _twins([name for name, *_ in uses])
    warnings = [
        _problem(
            name,
            project,
            field,
            line,
            f"{show(name)} differs from the agency {show(twin[name])} only in "
            f"{'case or spacing' if _normal(name) == _normal(twin[name]) else 'a letter or two'}"
            f": if they are one agency, write it the same way everywhere (PV by agency adds up "
            "each spelling apart), or list the agencies in [portfolio] agencies",
        )
        for name, project, field, line in uses
        if name in twin
    ]
    return [], warnings


def _twins(names: list[str]) -> dict[str, str]:
    """Each rarer spelling of a name very likely meant as another, more common one (when both
    are as common, each is the other's twin)."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    ranked = sorted(counts, key=lambda n: (-counts[n], n))
    twin: dict[str, str] = {}
    for i, rare in enumerate(ranked):
        common = next((c for c in ranked[:i] if _near(rare, c)), None)
        if common is not None:
            twin[rare] = common
            if counts[rare] == counts[common]:
                twin.setdefault(common, rare)
    return twin


def _grouped(portfolio: Portfolio) -> list[Use]:
    """Every uncertain value that names a correlation group: (project, line or risk, field,
    value)."""
    found: list[Use] = []
    for project in portfolio.projects:
        items = _written_items(project)
        for item in items:
            for name in _VALUE_FIELDS[type(item)]:
                value = getattr(item, name)
                if isinstance(value, Uncertain) and value.group is not None:
                    found.append((project, item, name, value))
    return found


def _value_fields(kind: type) -> tuple[str, ...]:
    """The fields of a line or risk that may hold an uncertain value, in field order (their
    declared type names it; the model's annotations are text): a check of 100,000 lines
    looked at each of their 32 fields."""
    return tuple(f.name for f in fields(kind) if {"Value", "Uncertain"} & set(str(f.type).split()))


_VALUE_FIELDS = {kind: _value_fields(kind) for kind in (Line, Risk)}


def check_correlation(portfolio: Portfolio) -> list[Problem]:
    """Correlation groups: each one used is declared, each one declared is used, each pair
    names declared groups, and the coefficients together are ones a joint distribution can
    have (the correlation matrix of the drawn values is positive semi-definite)."""
    uses = _grouped(portfolio)
    problems = [
        *_undeclared_uses(portfolio, uses),
        *_unused_groups(portfolio, uses),
        *_undeclared_pairs(portfolio),
    ]
    if problems or any(math.isnan(rho) for rho in portfolio.correlation.groups.values()):
        return problems  # a coefficient that is not a number was reported when it was read
    return _impossible(portfolio, uses)


def _portfolio_file(portfolio: Portfolio) -> str:
    return shown_path(portfolio.path) if portfolio.path else PORTFOLIO_FILE


def _groups_place(portfolio: Portfolio) -> str:
    return (
        "the Correlation sheet"
        if _workbook(portfolio)
        else "[correlation.groups] in portfolio.toml"
    )


def _undeclared_uses(portfolio: Portfolio, uses: list[Use]) -> Iterator[Problem]:
    declared = portfolio.correlation.groups
    for project, item, name, value in uses:
        if value.group not in declared:
            yield Problem(
                shown_path(project.path),
                f"names the correlation group {show(value.group)}, which is not declared"
                f"{suggest(value.group or '', declared)}; declare it with its rank correlation "
                f"in {_groups_place(portfolio)}",
                item.label,
                f"{name}.group",
                item.lines.get(f"{name}.group") or item.lines.get(name),
            )


def _unused_groups(portfolio: Portfolio, uses: list[Use]) -> Iterator[Problem]:
    correlation = portfolio.correlation
    used = {value.group for *_, value in uses}
    undeclared = sorted(g for g in used if g is not None and g not in correlation.groups)
    for group in correlation.groups:
        if group not in used:
            hint = suggest(group, undeclared) if undeclared else ""
            yield Problem(
                _portfolio_file(portfolio),
                f"the group {show(group)} is declared but no uncertain value names it{hint}; "
                'add group = "..." to the values it should correlate, or remove it',
                "[correlation.groups]",
                group,
                correlation.lines.get(f"group:{group}") or None,
            )


def _undeclared_pairs(portfolio: Portfolio) -> Iterator[Problem]:
    correlation = portfolio.correlation
    for a, b, _ in correlation.between:
        for group in (a, b):
            if group not in correlation.groups:
                yield Problem(
                    _portfolio_file(portfolio),
                    f"names the group {show(group)}, which is not declared"
                    f"{suggest(group, correlation.groups)}; declare it in "
                    f"{_groups_place(portfolio)}",
                    "[[correlation.between]]",
                    "groups",
                    correlation.lines.get(f"between:{a}:{b}") or None,
                )


def _impossible(portfolio: Portfolio, uses: list[Use]) -> list[Problem]:
    """The groups whose coefficients no joint distribution can have, as one problem
    (:func:`~npv_calc.load.semidefinite.not_semi_definite`)."""
    correlation = portfolio.correlation
    declared = correlation.groups
    counts = {g: 0 for g in declared}
    for *_, value in uses:
        if not value.is_fixed and value.group is not None:
            counts[value.group] += 1
    groups = [g for g in declared if counts[g] > 0]
    bad = not_semi_definite(
        groups,
        {g: declared[g] for g in groups},
        {g: counts[g] for g in groups},
        correlation.between,
    )
    if not bad:
        return []
    listed = ", ".join(show(g) for g in bad)
    return [
        Problem(
            _portfolio_file(portfolio),
            f"the rank correlations of the groups {listed} cannot hold together: no joint "
            "distribution has them (the correlation matrix is not positive semi-definite). "
            "Lower the between-group correlations, or, for a negative correlation inside "
            "a group of n values, keep it at -1/(n-1) or above",
            "[correlation]",
            None,
            correlation.lines.get(f"group:{bad[0]}") or None,
        )
    ]
