"""Checks that depend on the settings each project is appraised with (which ``--set`` and named
scenarios change) or on several files at once: ``years`` inside the horizon, deflators for a
``price_year``, grades that exist, unique ids, scenarios' exclusions."""

from __future__ import annotations

from dataclasses import replace

from ..errors import Problem, shown_path
from ..model import Line, NamedScenario, Portfolio, Project, is_workbook
from .messages import show, suggest
from .paths import PORTFOLIO_FILE


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
        seen.setdefault(project.id, project)
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
    problems that only a scenario's ``set`` causes (those the files have anyway are left to
    :func:`cross_check`, so that nothing is reported twice).

    ``base`` is what :func:`cross_check` found without overrides, when the caller has it.
    """
    problems: list[Problem] = []
    if base is None:
        base = cross_check(portfolio)
    already = {(p.file, p.item, p.field, p.message) for p in base}
    for scenario in portfolio.scenarios.values():
        problems += unknown_exclusions(portfolio, scenario)
        if scenario.set:
            included = tuple(p for p in portfolio.projects if p.id not in scenario.exclude)
            context = f" (in scenario {show(scenario.name)})"
            for problem in cross_check(replace(portfolio, projects=included), scenario.set):
                if (problem.file, problem.item, problem.field, problem.message) not in already:
                    problems.append(replace(problem, message=problem.message + context))
    return problems
