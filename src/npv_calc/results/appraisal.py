"""The results of an appraisal: each line's yearly flows and how they were worked out, each
project's figures, and the portfolio's.

Conventions: flows are in real pounds at the price base year; year ``t`` is an offset from the
project's ``start_year`` (year 0); arrays hold one value per year of the horizon, year 0 first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import (
    UNSPECIFIED,
    VALUE_TYPES,
    Line,
    Portfolio,
    Project,
    Risk,
    Settings,
    SettingsPatch,
    financial_year,
)

if TYPE_CHECKING:
    import numpy as np

#: The keys of ``pv_benefits_by_value_type``.
VALUE_KINDS = (*VALUE_TYPES, UNSPECIFIED)


@dataclass(frozen=True)
class Figures:
    """A project's or a portfolio's NPV and present values in one reading: the plan (the
    appraisal without outturn), or the part realised (from outturn, up to ``as_of``)."""

    npv: float
    pv_costs: float
    pv_benefits: float
    #: for the realised part: the last year it covers (``as_of``)
    to_year: int | None = None


@dataclass(frozen=True)
class LineTrace:
    """How a line's (or a risk's) yearly flows were worked out, step by step: what the board
    workbook's project sheet writes as formulas.

    A year's flow is ``gross[t] x factor``, except in a year with outturn recorded, where it is
    ``outturn[t] x outturn_factor``, and for a risk in a year settled by outturn, where it is 0.
    """

    #: the number the case used for each field that may be uncertain, and ``optimism_bias``
    #: (its own, its project type's or its grade's); a risk's: ``impact``
    inputs: Mapping[str, float]
    #: the amount a year grows from: ``annual``, or ``quantity x unit_value``; a risk's
    #: expected cost a year, ``probability x impact`` (``None`` for a line of ``amounts``)
    annual: float | None
    #: the yearly amounts as entered, before any adjustment: ``amounts``, or ``annual`` changed
    #: by growth (and drop-off) in the line's years; a risk's ``probability x impact``
    gross: np.ndarray
    #: ``deflator[price_base_year] / deflator[price_year]`` (1 without a price year)
    price_factor: float
    #: the adjustment factor: scale, optimism bias, the benefit shares and the rebasing (a
    #: risk's: its rebasing)
    factor: float
    #: the outturn recorded: year offset -> gross amount (none in the plan)
    outturn: Mapping[int, float]
    #: for a benefit, the share of its outturn the project caused: ``(1 - deadweight) x
    #: (1 - displacement) x attribution`` at their central values (1 for a cost)
    outturn_share: float
    #: what turns a year's outturn into its flow: the rebasing times ``outturn_share``
    outturn_factor: float


@dataclass(frozen=True)
class LineResult:
    """A line's adjusted yearly flows, their present value, and how they were worked out."""

    line: Line | Risk
    flows: np.ndarray
    pv: float
    trace: LineTrace


@dataclass(frozen=True)
class ProjectResult:
    """The appraisal of one project: yearly flows and every metric of SPEC.md."""

    project: Project
    settings: Settings
    counts_toward_target: bool
    #: ``"yes"``, ``"starts after target year"`` or ``"status"``
    counts_because: str
    discount_factors: np.ndarray
    #: the rate each year's discount factor divides by: that of the year's band (the band of
    #: t + 1 with year 0 discounted; year 0, undiscounted, shows its band's rate)
    rates: np.ndarray
    costs: np.ndarray  # yearly, adjusted, undiscounted
    benefits: np.ndarray
    lines: tuple[LineResult, ...]
    #: each risk's expected cost, ``probability x impact`` in each year of its ``years``
    risks: tuple[LineResult, ...]
    pv_costs: float  # the risks' expected costs included
    pv_risk_costs: float
    pv_benefits: float
    npv: float
    bcr: float | None
    roi: float | None
    payback_year: int | None  # the financial year (e.g. 2019 for 2019/20)
    irr: float | None
    cashable_npv: float
    pv_costs_by_agency: dict[str, float]
    pv_benefits_by_agency: dict[str, float]
    #: PV of benefits by value type: ``fiscal``, ``economic``, ``social``, ``unspecified``
    pv_benefits_by_value_type: dict[str, float]
    #: PV of fiscal benefits / PV of costs (``None`` without costs)
    financial_roi: float | None
    #: the NPV valued at ``[portfolio] present_value_year`` (``None`` without it)
    npv_at_present_value_year: float | None
    #: the years (offsets) whose costs the outturn has settled: up to ``as_of``, those with cost
    #: outturn recorded (a risk's expected cost is 0 there)
    settled: tuple[int, ...] = ()
    #: with a present-value year: each year's offset from it and the factor that values the
    #: year's flow at it
    present_value_offsets: np.ndarray | None = None
    present_value_factors: np.ndarray | None = None
    #: the plan: the same project appraised without outturn (``None``: no outturn is used,
    #: and the plan is these figures)
    planned: Figures | None = None
    #: the part up to and including ``as_of`` from outturn (``None`` without ``as_of``)
    realised: Figures | None = None

    @property
    def plan(self) -> Figures:
        """The plan: what was approved, the appraisal with no outturn."""
        return self.planned or Figures(self.npv, self.pv_costs, self.pv_benefits)

    @property
    def pv_benefits_to_come(self) -> float:
        """The PV of the benefits still to come: every benefit but the outturn recorded (which
        can no longer fall); the PV of benefits when no outturn is used."""
        realised = self.realised.pv_benefits if self.realised is not None else 0.0
        return self.pv_benefits - realised

    @property
    def benefits_that_can_fall(self) -> str:
        """``"Benefits still to come"`` when benefit outturn is recorded (the switching value
        is of them alone), else ``"Benefits"``: the words before "could fall by"."""
        recorded = self.realised is not None and self.realised.pv_benefits != 0
        return "Benefits still to come" if recorded else "Benefits"

    @property
    def id(self) -> str:
        return self.project.id

    @property
    def years(self) -> list[int]:
        """The financial years appraised (``start_year`` onward)."""
        return [self.project.start_year + t for t in range(self.settings.horizon)]

    @property
    def span(self) -> str:
        """E.g. ``2017/18–2026/27``."""
        return f"{financial_year(self.years[0])}–{financial_year(self.years[-1])}"

    @property
    def all_lines(self) -> tuple[LineResult, ...]:
        """The costs and benefits, then the risks: the columns of the project's sheet."""
        return self.lines + self.risks


@dataclass(frozen=True)
class PortfolioResult:
    """The appraisal of a portfolio under one scenario."""

    #: the portfolio appraised (a named scenario's ``exclude`` already applied)
    portfolio: Portfolio
    scenario: str
    #: the portfolio's settings with the scenario's and ``--set`` overrides
    settings: Settings
    #: the overrides applied over every project's settings: the scenario's ``set`` and ``--set``
    overrides: SettingsPatch
    #: how uncertain values were chosen: ``central``, ``pessimistic`` or ``optimistic``
    mode: str
    projects: tuple[ProjectResult, ...]
    npv: float
    pv_costs: float
    pv_benefits: float
    npv_toward_target: float
    meets_target: bool | None
    headroom: float | None

    @property
    def target(self) -> float | None:
        return self.portfolio.target

    @property
    def as_of(self) -> int | None:
        """The last financial year with outturn recorded (``[portfolio] as_of``)."""
        return self.portfolio.as_of

    @property
    def plan(self) -> Figures:
        """The portfolio's plan: the sum of its projects' plans."""
        return Figures(
            sum((p.plan.npv for p in self.projects), 0.0),
            sum((p.plan.pv_costs for p in self.projects), 0.0),
            sum((p.plan.pv_benefits for p in self.projects), 0.0),
        )

    @property
    def bcr(self) -> float | None:
        """PV of benefits / PV of costs, over the projects (``None`` without costs)."""
        return self.pv_benefits / self.pv_costs if self.pv_costs else None

    @property
    def pv_benefits_by_value_type(self) -> dict[str, float]:
        """PV of benefits by value type, summed over the projects."""
        return {
            kind: sum((p.pv_benefits_by_value_type[kind] for p in self.projects), 0.0)
            for kind in VALUE_KINDS
        }

    @property
    def financial_roi(self) -> float | None:
        """PV of fiscal benefits / PV of costs, over the projects (``None`` without costs)."""
        fiscal = self.pv_benefits_by_value_type["fiscal"]
        return fiscal / self.pv_costs if self.pv_costs else None

    @property
    def present_value_year(self) -> int | None:
        return self.portfolio.present_value_year

    @property
    def npv_at_present_value_year(self) -> float | None:
        """Every project's NPV valued at ``present_value_year``, summed (``None`` without
        it)."""
        if self.present_value_year is None:
            return None
        return sum((p.npv_at_present_value_year or 0.0 for p in self.projects), 0.0)

    @property
    def cashable_npv(self) -> float:
        """Cashable benefits minus all costs, over the projects."""
        return sum((p.cashable_npv for p in self.projects), 0.0)

    @property
    def pv_benefits_to_come_toward_target(self) -> float:
        """The PV of the benefits still to come of the projects counting toward the target."""
        return sum((p.pv_benefits_to_come for p in self.projects if p.counts_toward_target), 0.0)

    @property
    def npv_toward_target_plan(self) -> float:
        return sum((p.plan.npv for p in self.projects if p.counts_toward_target), 0.0)

    @property
    def meets_target_plan(self) -> bool | None:
        target = self.target
        return None if target is None else self.npv_toward_target_plan >= target

    @property
    def realised(self) -> Figures | None:
        """The part of the portfolio's NPV realised up to ``as_of`` (``None`` without it)."""
        if self.as_of is None:
            return None
        parts = [p.realised for p in self.projects if p.realised is not None]
        return Figures(
            sum((f.npv for f in parts), 0.0),
            sum((f.pv_costs for f in parts), 0.0),
            sum((f.pv_benefits for f in parts), 0.0),
            self.as_of,
        )

    @property
    def benefits_that_can_fall(self) -> str:
        """``"Benefits still to come"`` when some project records benefit outturn (switching
        values are of the benefits still to come alone), else ``"Benefits"``."""
        recorded = any(p.benefits_that_can_fall != "Benefits" for p in self.projects)
        return "Benefits still to come" if recorded else "Benefits"

    def project(self, pid: str) -> ProjectResult:
        """The result of the project with id ``pid``."""
        for result in self.projects:
            if result.id == pid:
                return result
        raise KeyError(pid)
