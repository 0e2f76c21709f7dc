"""Benefits realised against plan: for each project and each financial year up to ``as_of``,
the plan (the appraisal as approved, with no outturn) against the outturn recorded, and a
status per project.

Flows are the adjusted yearly amounts of :func:`npv_calc.calculate.appraise` (pounds at the
price base year, not discounted): the plan's include optimism bias, the outturn's do not
(outturn is not a forecast). A year with no outturn recorded on a line takes the plan's figure
for that line (the loader warns about it), so its variance is 0.

The status compares the NPV to date (the discounted net flows of the years up to ``as_of``) of
the latest estimate with the plan's, relative to the plan's PV of benefits to date:

* ``ahead`` or ``behind`` when the difference is more than :data:`TOLERANCE` of it, either way;
* ``on track`` otherwise;
* ``no outturn`` when the project has years up to ``as_of`` but records no outturn;
* ``not started`` when it starts after ``as_of``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from .calculate import PortfolioResult, appraise_case
from .errors import UsageError
from .model import Portfolio
from .scenarios import prepare

#: How far the NPV to date may differ from the plan's, as a share of the plan's PV of benefits
#: to date, and still be "on track".
TOLERANCE = 0.05


@dataclass(frozen=True)
class YearProgress:
    """One financial year of a project: planned and outturn flows (adjusted, undiscounted)."""

    year: int
    plan_costs: float
    plan_benefits: float
    outturn_costs: float
    outturn_benefits: float
    #: outturn is recorded on at least one of the project's lines for the year
    recorded: bool

    @property
    def variance(self) -> float:
        """Net benefit, outturn minus plan (positive: better than planned)."""
        return (self.outturn_benefits - self.outturn_costs) - (self.plan_benefits - self.plan_costs)


@dataclass(frozen=True)
class ProjectProgress:
    id: str
    name: str
    status: str
    years: tuple[YearProgress, ...]
    #: discounted net flows of the years up to ``as_of``: the plan's and the latest
    plan_npv_to_date: float
    latest_npv_to_date: float
    plan_pv_benefits_to_date: float
    #: the whole appraisal: the plan's NPV and the latest estimate
    plan_npv: float
    latest_npv: float
    #: the plan's discounted net flow of every year of the horizon (year 0 first)
    plan_discounted: tuple[float, ...] = ()

    @property
    def variance(self) -> float:
        return self.latest_npv_to_date - self.plan_npv_to_date


@dataclass(frozen=True)
class Progress:
    """The result of :func:`progress`."""

    latest: PortfolioResult
    as_of: int
    projects: tuple[ProjectProgress, ...]

    @property
    def plan_npv_to_date(self) -> float:
        return sum((p.plan_npv_to_date for p in self.projects), 0.0)

    @property
    def latest_npv_to_date(self) -> float:
        return sum((p.latest_npv_to_date for p in self.projects), 0.0)


def progress(portfolio: Portfolio, overrides: Mapping[str, object] | None = None) -> Progress:
    """Plan against outturn by project and year, up to ``as_of`` (central values).

    Raises
    ------
    UsageError
        The portfolio records no outturn (``[portfolio] as_of`` is not set).
    """
    as_of = portfolio.as_of
    if as_of is None:
        raise UsageError(
            "progress compares outturn with the plan, but [portfolio] as_of is not set: record "
            "outturn with actuals = { YEAR = AMOUNT } on lines and set as_of in portfolio.toml"
        )
    return against_plan(appraise_case(prepare(portfolio, "central", overrides)))


def against_plan(latest: PortfolioResult) -> Progress:
    """:func:`progress` for an appraisal already made (of any scenario), up to its
    portfolio's ``as_of``."""
    as_of = latest.portfolio.as_of
    if as_of is None:
        raise UsageError("no outturn is recorded: [portfolio] as_of is not set")
    plan = appraise_case(replace(latest.case, outturn=False))
    projects = []
    for now, then in zip(latest.projects, plan.projects, strict=True):
        start = now.project.start_year
        known = min(max(as_of - start + 1, 0), now.settings.horizon)  # years up to as_of
        recorded = {year - start for line in now.project.all_lines for year in line.actuals}
        years = tuple(
            YearProgress(
                start + t,
                float(then.costs[t]),
                float(then.benefits[t]),
                float(now.costs[t]),
                float(now.benefits[t]),
                t in recorded,
            )
            for t in range(known)
        )
        df = now.discount_factors[:known]
        latest_to_date = float((now.benefits[:known] - now.costs[:known]) @ df)
        plan_to_date = float((then.benefits[:known] - then.costs[:known]) @ df)
        plan_benefits = float(then.benefits[:known] @ df)
        projects.append(
            ProjectProgress(
                now.id,
                now.project.name,
                _status(known, bool(recorded), latest_to_date - plan_to_date, plan_benefits),
                years,
                plan_to_date,
                latest_to_date,
                plan_benefits,
                then.npv,
                now.npv,
                tuple(float(x) for x in (then.benefits - then.costs) * then.discount_factors),
            )
        )
    return Progress(latest, as_of, tuple(projects))


def _status(known: int, recorded: bool, variance: float, scale: float) -> str:
    if not known:
        return "not started"
    if not recorded:
        return "no outturn"
    if abs(variance) <= TOLERANCE * abs(scale) or np.isclose(variance, 0.0):
        return "on track"
    return "ahead" if variance > 0 else "behind"
