"""The results of benefits realisation (:mod:`npv_calc.progress`): for each project and each
financial year up to ``as_of``, the plan against the outturn recorded, and a status."""

from __future__ import annotations

from dataclasses import dataclass

from .appraisal import PortfolioResult

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
    """The result of :func:`npv_calc.progress.progress`."""

    latest: PortfolioResult
    as_of: int
    projects: tuple[ProjectProgress, ...]

    @property
    def plan_npv_to_date(self) -> float:
        return sum((p.plan_npv_to_date for p in self.projects), 0.0)

    @property
    def latest_npv_to_date(self) -> float:
        return sum((p.latest_npv_to_date for p in self.projects), 0.0)
