"""Checks that depend on the settings each project is appraised with (which ``--set`` and named
scenarios change) or on several files at once: ``years`` inside the horizon, deflators for a
``price_year``, grades that exist, unique ids, scenarios' exclusions."""

from __future__ import annotations

from dataclasses import replace

from ..errors import Problem, shown_path
from ..model import UNALLOCATED, Line, NamedScenario, Portfolio, Project, is_workbook
from .messages import show, suggest
from .paths import PORTFOLIO_FILE
from .rules import name_key


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
    named: dict[str, Project] = {}
    workbook = portfolio.path is not None and is_workbook(portfolio.path)
    deflators_place = "on the Deflators sheet" if workbook else ("in [deflators] of portfolio.toml")
    grades_place = "the Grades sheet" if workbook else "[confidence_grades] in portfolio.toml"
    for project in portfolio.projects:
        if project.id and project.id in seen:
            problems.append(
                Problem(
                    shown_path(project.path),
                    f"{show(project.id)} is already the id of a project in "
                    f"{shown_path(seen[project.id].path)}; ids must be unique",
                    field="id",
                    line=project.lines.get("id"),
                )
            )
        elif project.id and name_key(project.id) in named:
            other = named[name_key(project.id)]
            problems.append(
                Problem(
                    shown_path(project.path),
                    f"{show(project.id)} and {show(other.id)} (in {shown_path(other.path)}) "
                    "would give the same names in the board workbook, which ignore case and "
                    "read - as _; make the ids differ in letters or digits",
                    field="id",
                    line=project.lines.get("id"),
                )
            )
        seen.setdefault(project.id, project)
        if project.id:
            named.setdefault(name_key(project.id), project)
        settings = portfolio.project_settings(project).updated(overrides or {})
        horizon = settings.horizon
        span = f"a {horizon}-year appraisal covers year offsets 0 to {horizon - 1}"
        for line in project.all_lines:

            def add(
                message: str, field: str, line: Line = line, project: Project = project
            ) -> None:
                problems.append(
                    Problem(
                        shown_path(project.path),
                        message + context,
                        line.label,
                        field,
                        line.lines.get(field),
                    )
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


def _agency_uses(portfolio: Portfolio) -> list[tuple[str, Project, str, Line | None]]:
    """Every agency name written: (name, project, field, line or None for partners)."""
    uses: list[tuple[str, Project, str, Line | None]] = []
    for project in portfolio.projects:
        uses += [(name, project, "partners", None) for name in project.partners]
        for line in project.all_lines:
            if "agency" in line.lines or line.agency != UNALLOCATED:
                uses.append((line.agency, project, "agency", line))
    return uses


def _problem(name: str, project: Project, field: str, line: Line | None, message: str) -> Problem:
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
    distance = _edit_distance(x, y, limit=2)
    return (distance == 1 and min(len(x), len(y)) >= 3) or (
        distance == 2 and min(len(x), len(y)) >= 5
    )


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, or ``limit + 1`` once it is known to exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


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
            if portfolio.path is not None and is_workbook(portfolio.path)
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
    counts: dict[str, int] = {}
    for name, *_ in uses:
        counts[name] = counts.get(name, 0) + 1
    names = sorted(counts, key=lambda n: (-counts[n], n))
    # Each use of the rarer spelling is flagged; when both are as common, both are.
    twin: dict[str, str] = {}
    for i, rare in enumerate(names):
        for common in names[:i]:
            if _near(rare, common):
                twin[rare] = common
                if counts[rare] == counts[common]:
                    twin.setdefault(common, rare)
                break
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
