"""The results of benefits realisation (:mod:`npv_calc.progress`): for each project and each
financial year up to ``as_of``, the plan against the outturn recorded, the old NPV-to-date
status, and the delivery status (red, amber, green) against the base plan."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Line
from .appraisal import PortfolioResult

#: How far the NPV to date may differ from the plan's, as a share of the plan's PV of benefits
#: to date, and still be "on track" (the old ``status``, kept in JSON for scripts that read it).
TOLERANCE = 0.05

#: The delivery statuses, as JSON gives them (the outputs show them capitalised).
GREEN, AMBER, RED = "green", "amber", "red"
#: A share is beyond a tolerance when it exceeds it by more than this: a billionth absorbs
#: rounding, so that outturn exactly at the tolerance is within it.
BEYOND = 1e-9


@dataclass(frozen=True)
class Rating:
    """One measure of a project's delivery status: its status and the share it is rated on.

    ``share`` is, for costs, ``(outturn - base) / base`` (over budget positive); for benefits,
    ``(base - outturn) / base`` (short of plan positive); for the schedule, the years late
    (negative: early). ``None`` where the base plan to date is 0 but the outturn is not.
    """

    status: str
    share: float | None

    @property
    def word(self) -> str:
        """``Green``, ``Amber`` or ``Red``."""
        return self.status.capitalize()


@dataclass(frozen=True)
class LineToDate:
    """A cost or benefit line up to ``as_of``: its base plan and its outturn over the years
    that record its outturn (like with like), and their status."""

    line: Line
    #: the year offsets up to ``as_of`` that record outturn on the line
    recorded: tuple[int, ...]
    #: the year offsets up to ``as_of`` in which its base plan has a flow
    due: tuple[int, ...]
    #: the base plan's flows (no optimism bias) and the outturn's, over ``recorded``
    base: float
    outturn: float
    #: as a project's cost or benefits status (``None`` when the line records no outturn)
    rating: Rating | None = None


@dataclass(frozen=True)
class Delivery:
    """A project's delivery status to ``as_of``: cost and benefits against the base plan
    (before optimism bias, risks left out) on the line-years that record outturn, and the
    schedule of its first benefit."""

    cost: Rating
    benefits: Rating
    schedule: Rating
    #: the financial year of the plan's first benefit, and of the first benefit recorded (> 0)
    first_planned: int | None
    first_recorded: int | None
    #: the base plan and the outturn to date, costs and benefits: the ratings' figures
    base_costs: float
    outturn_costs: float
    base_benefits: float
    outturn_benefits: float
    #: whether any cost line, any benefit line, records outturn
    costs_recorded: bool
    benefits_recorded: bool


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
    #: the base plan (no optimism bias, no risks) on the lines that record outturn for the
    #: year, and the outturn they record: what the delivery status compares
    base_costs: float = 0.0
    base_benefits: float = 0.0
    recorded_costs: float = 0.0
    recorded_benefits: float = 0.0

    @property
    def variance(self) -> float:
        """Net benefit, outturn minus plan (positive: better than planned)."""
        return (self.outturn_benefits - self.outturn_costs) - (self.plan_benefits - self.plan_costs)


@dataclass(frozen=True)
class ProjectProgress:
    id: str
    name: str
    #: the NPV to date against the plan's: ``on track``, ``ahead``, ``behind``, ``no outturn``
    #: or ``not started`` (kept for JSON; the delivery status ``rag`` replaces it)
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
    #: the delivery status (``None`` for a project that records no outturn)
    rag: Delivery | None = None
    #: every cost and benefit line to ``as_of``, in the order the project file gives them
    lines: tuple[LineToDate, ...] = ()

    @property
    def variance(self) -> float:
        return self.latest_npv_to_date - self.plan_npv_to_date


@dataclass(frozen=True)
class Progress:
    """The result of :func:`npv_calc.progress.progress`."""

    latest: PortfolioResult
    as_of: int
    projects: tuple[ProjectProgress, ...]
    #: the portfolio's cost and benefits status: the projects with outturn added up (``None``
    #: when none records any)
    cost: Rating | None = None
    benefits: Rating | None = None

    @property
    def plan_npv_to_date(self) -> float:
        return sum((p.plan_npv_to_date for p in self.projects), 0.0)

    @property
    def latest_npv_to_date(self) -> float:
        return sum((p.latest_npv_to_date for p in self.projects), 0.0)

    def total(self, figure: str) -> float:
        """A figure of the delivery status (``base_costs``, ``outturn_costs``,
        ``base_benefits``, ``outturn_benefits``) added up over the projects with outturn."""
        return sum((getattr(p.rag, figure) for p in self.projects if p.rag is not None), 0.0)
