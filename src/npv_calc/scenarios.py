"""Scenarios: which value of each uncertain input is used, with which settings, for which projects.

``central`` takes every uncertain value's ``central``. ``pessimistic`` / ``optimistic`` take the
end of each range that lowers / raises the NPV; because every line's flow is monotone in each of
its inputs (money is never negative and every factor stays in its allowed range), the direction is
fixed by the field and whether the line is a cost or a benefit (:data:`RAISES_NPV`). A named
scenario from ``portfolio.toml`` applies ``set`` (appraisal settings, over every project's own) and
``exclude`` (projects left out), with central values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from . import params
from .errors import InputError, Problem, UsageError
from .load.checks import cross_check, unknown_exclusions
from .load.messages import show, suggest
from .load.rules import BUILTIN_SCENARIOS
from .model import (
    COUNTS,
    NO_PATCH,
    STARTS_AFTER_TARGET_YEAR,
    STATUS_NOT_COUNTED,
    Line,
    Portfolio,
    Project,
    Risk,
    Settings,
    SettingsPatch,
    Uncertain,
    Value,
)

Mode = Literal["central", "pessimistic", "optimistic"]

#: For each section and field: does a higher value raise the NPV?
RAISES_NPV: dict[str, dict[str, bool]] = {
    "costs": {"annual": False, "scale": False, "growth": False, "optimism_bias": False},
    "risks": {"impact": False},
    "benefits": {
        "annual": True,
        "quantity": True,
        "unit_value": True,
        "scale": True,
        "growth": True,
        "attribution": True,
        "drop_off": False,
        "deadweight": False,
        "displacement": False,
        "optimism_bias": False,
    },
}

#: The fields negated in an item counted against another (:mod:`npv_calc.load.options`).
NEGATED = ("scale", "impact")

#: A specific uncertain value: (project id, section, line index, field).
ValueKey = tuple[str, str, int, str]


@dataclass(frozen=True)
class Case:
    """A portfolio ready to appraise: projects, settings and a rule for choosing values."""

    portfolio: Portfolio
    scenario: str = "central"
    mode: Mode = "central"
    overrides: SettingsPatch = NO_PATCH
    #: values fixed by the caller (e.g. sensitivity analysis), taking precedence over ``mode``
    fixed: Mapping[ValueKey, float] = field(default_factory=dict)
    #: the caller's own overrides (``--set``), without the named scenario's ``set``
    given: SettingsPatch = NO_PATCH
    #: the portfolio as loaded, before a named scenario's ``exclude`` (``None``: the same)
    source: Portfolio | None = field(default=None, compare=False, repr=False)
    #: use the outturn recorded up to ``as_of`` (the latest estimate); ``False``: the plan
    outturn: bool = True
    #: appraise with optimism bias and risks' expected costs (the Green Book's allowances for
    #: what a forecast leaves out); ``False``: the base plan, which delivery is measured against
    allowances: bool = True

    @property
    def projects(self) -> tuple[Project, ...]:
        return self.portfolio.projects

    @property
    def settings(self) -> Settings:
        """The portfolio-level settings, with the scenario's and ``--set`` overrides."""
        return self.portfolio.settings.updated(self.overrides)

    def settings_for(self, project: Project) -> Settings:
        return self.portfolio.project_settings(project).updated(self.overrides)

    def pick(self, project: Project, line: Line | Risk, name: str) -> float:
        """The number used for a field of a line in this case."""
        value: Value = getattr(line, name)
        key = (project.id, line.section, line.index, name)
        if key in self.fixed:
            return self.fixed[key]
        if not isinstance(value, Uncertain):
            return value
        if self.mode == "central":
            return value.central
        upward = RAISES_NPV[line.section][name] == (self.mode == "optimistic")
        if line.against and not (line.negated and name in NEGATED):
            # an item of business as usual: what raises its own flow lowers every option's
            # NPV against it (a negated scale or impact has its range flipped already)
            upward = not upward
        return value.high if upward else value.low

    def optimism_bias(self, project: Project, line: Line) -> float:
        """The optimism bias share of a line: its own, its project type's upper bound reduced
        by the mitigation (never below the lower bound), its grade's, or 0 (always 0 in the
        base plan: see :attr:`allowances`)."""
        if not self.allowances:
            return 0.0
        if line.optimism_bias is not None:
            return self.pick(project, line, "optimism_bias")
        if line.ob_type is not None:
            bounds = params.optimism_bias_types()[line.ob_type]
            return bounds.uplift(self.settings_for(project).ob_mitigation)
        if line.confidence is not None:
            return self.portfolio.confidence_grades[line.confidence]
        return 0.0

    def counts_because(self, project: Project) -> str:
        """Whether a project counts toward the target, and if not why: ``"yes"``, ``"starts
        after target year"`` or ``"status"`` (its status is not in ``count_statuses``)."""
        year = self.portfolio.target_year
        if year is not None and project.start_year > year:
            return STARTS_AFTER_TARGET_YEAR
        statuses = self.portfolio.count_statuses
        if statuses is not None and project.status not in statuses:
            return STATUS_NOT_COUNTED
        return COUNTS

    def counts_toward_target(self, project: Project) -> bool:
        return self.counts_because(project) == COUNTS


def scenario_names(portfolio: Portfolio) -> list[str]:
    """Every scenario a portfolio can be appraised under, built-in ones first."""
    return [*BUILTIN_SCENARIOS, *portfolio.scenarios]


def prepare(
    portfolio: Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
    *,
    checked: SettingsPatch | None = None,
) -> Case:
    """The case to appraise for a scenario name and ``--set`` overrides, validated.

    ``checked`` is the patch the portfolio's settings-dependent checks already passed with
    when it was loaded (:func:`npv_calc.load.load_with_settings`): they run again only when
    the scenario's settings differ from it.

    Raises
    ------
    UsageError
        When ``scenario`` is not a built-in or named scenario.
    InputError
        When the inputs are invalid under the resulting settings (e.g. ``--set horizon=5`` with a
        line running to year 9).
    """
    given = SettingsPatch.of(overrides)
    patch = given
    names = scenario_names(portfolio)
    if scenario not in names:
        raise UsageError(
            f"unknown scenario {show(scenario)}{suggest(scenario, names)}; choose from: "
            + ", ".join(names)
        )
    mode: Mode = scenario if scenario in BUILTIN_SCENARIOS else "central"  # type: ignore[assignment]
    problems: list[Problem] = []
    projects = portfolio.projects
    if scenario in portfolio.scenarios:
        named = portfolio.scenarios[scenario]
        problems += unknown_exclusions(portfolio, named)
        projects = tuple(p for p in projects if p.id not in named.exclude)
        patch = given.over(named.set)
    case_portfolio = replace(portfolio, projects=projects)
    # Checks passed for every project pass for any subset too.
    if checked is None or checked != patch:
        context = ""
        if patch:
            how = f"scenario {show(scenario)}" if scenario in portfolio.scenarios else "--set"
            context = f" (with {how}: " + ", ".join(f"{k}={show(v)}" for k, v in patch.items())
            context += ")"
        problems += cross_check(case_portfolio, patch, context=context)
    if problems:
        raise InputError(problems)
    return Case(case_portfolio, scenario, mode, patch, given=given, source=portfolio)


def case_of(
    subject: Case | Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
) -> Case:
    """The case an analysis works on: ``subject`` itself when it is a prepared case (the
    command line builds and validates one per run), else a portfolio prepared for ``scenario``
    with ``overrides`` (:func:`prepare`).

    Raises
    ------
    TypeError
        When a case is given with a scenario or overrides of its own: a case has them already.
    """
    if isinstance(subject, Case):
        if scenario != "central" or overrides:
            raise TypeError("a Case has its scenario and overrides: give them to prepare()")
        return subject
    return prepare(subject, scenario, overrides)
