"""The results of an appraisal: each line's yearly flows and how they were worked out, each
project's figures, and the portfolio's.

Conventions: flows are in real pounds at the price base year; year ``t`` is an offset from the
project's ``start_year`` (year 0); arrays hold one value per year of the horizon, year 0 first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ..model import (
    BAU,
    UNSPECIFIED,
    VALUE_TYPES,
    Line,
    Option,
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
    #: a project with options: each option's appraisal side by side (the figures above are
    #: then the preferred option's less business as usual's: PV costs below 0 when it saves
    #: cost, and no BCR, ROI or financial return then)
    options: Shortlist | None = None

    @cached_property
    def irr(self) -> float | None:
        """The internal rate of return of the net flows (benefits less costs), or ``None``:
        :func:`npv_calc.returns.irr`. Worked out when first read: it is a quarter of an
        appraisal's time, and the appraisals behind sensitivity, a simulation's bounds and the
        options never read it."""
        from ..returns import irr
        from ..threads import blas_threads

        with blas_threads():  # the companion matrix's eigenvalues (npv_calc.threads says why)
            return irr(self.benefits - self.costs)

    @property
    def plan(self) -> Figures:
        """The plan: what was approved, the appraisal with no outturn."""
        return self.planned or Figures(self.npv, self.pv_costs, self.pv_benefits)

    @cached_property
    def pv_benefits_to_come(self) -> float:
        """The PV of the benefits still to come: every benefit but the outturn recorded (which
        can no longer fall); the PV of benefits when no outturn is used.

        Summed as the project's sheet sums it: each year's benefits without outturn, line by
        line, then discounted. None left to come is then exactly 0, as the sheet has it, where
        the PV of benefits less the outturn's left round-off (1.5e-11), which the switching
        value divided by.
        """
        if self.realised is None:
            return self.pv_benefits
        import numpy as np  # at run time only: this module is imported before numpy is needed

        horizon = len(self.discount_factors)
        yearly = np.zeros(horizon)
        for result in self.lines:
            if result.line.section == "benefits":
                open_years = np.ones(horizon, dtype=bool)
                open_years[[t for t in result.trace.outturn if t < horizon]] = False
                yearly += np.where(open_years, result.flows, 0.0)
        return float(yearly @ self.discount_factors)

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


# -- options appraisal (npv_calc.results.options builds these) -----------------------------


@dataclass(frozen=True)
class Increment:
    """An option against the next cheaper one (by PV costs): ``compared_with`` (``"bau"``
    for the cheapest option other than BAU), the difference in NPV, and the extra PV
    benefits over the extra PV costs (``None`` when it costs no more)."""

    compared_with: str
    npv: float
    bcr: float | None


@dataclass(frozen=True)
class OptionResult:
    """One option of a shortlist: its own appraisal (as a project), and its figures against
    BAU and against the next cheaper option."""

    option: Option
    #: the option appraised like a project (with what it includes)
    result: ProjectResult
    #: PV costs and PV benefits over BAU's
    extra_pv_costs: float
    extra_pv_benefits: float
    #: the PV of the cost uplift and of the benefit reduction that optimism bias adds
    pv_optimism_bias_costs: float
    pv_optimism_bias_benefits: float
    #: against the next cheaper option (``None`` for BAU)
    increment: Increment | None

    @property
    def id(self) -> str:
        return self.option.id

    @property
    def npv_vs_bau(self) -> float:
        """(PV benefits − BAU's) − (PV costs − BAU's): the option's net present social value
        against business as usual."""
        return self.extra_pv_benefits - self.extra_pv_costs

    @property
    def bcr_vs_bau(self) -> float | None:
        """Extra PV benefits ÷ extra PV costs; ``None`` when the option costs no more than BAU
        (it "saves cost") and for BAU itself."""
        if self.option.role == BAU or self.extra_pv_costs <= 0:
            return None
        return self.extra_pv_benefits / self.extra_pv_costs

    @property
    def saves_cost(self) -> bool:
        """It costs no more than BAU (its BCR against BAU then reads "saves cost")."""
        return self.option.role != BAU and self.extra_pv_costs <= 0


@dataclass(frozen=True)
class Shortlist:
    """A project's options side by side: which is best (the highest NPV against BAU), which is
    preferred and why, and the preferred option's switching values."""

    project: Project
    options: tuple[OptionResult, ...]
    preferred: str
    best: str
    preferred_because: str | None
    #: the option with the highest NPV against BAU other than the preferred one (``None``:
    #: there is no other option besides BAU)
    runner_up: str | None

    def option(self, option_id: str) -> OptionResult:
        return next(o for o in self.options if o.id == option_id)

    @property
    def preferred_result(self) -> OptionResult:
        return self.option(self.preferred)

    @property
    def warning(self) -> str | None:
        """Why the shortlist needs a word: the preferred option is not the best and no
        ``preferred_because`` says why (``None``: nothing to say)."""
        if self.preferred == self.best or self.preferred_because:
            return None
        best, preferred = self.option(self.best), self.preferred_result
        if preferred.npv_vs_bau >= best.npv_vs_bau:
            return None  # a tie: ``best`` names the one written first, which is no better
        return (
            f'the preferred option "{self.preferred}" has a lower NPV against business as usual '
            f'({preferred.npv_vs_bau:,.0f}) than "{self.best}" ({best.npv_vs_bau:,.0f}); say '
            'why it is preferred in preferred_because = "..." (the reasons the figures leave '
            "out), or prefer the best"
        )

    def switching(self) -> dict[str, float | None]:
        """The preferred option's switching values (Green Book, A1): by how much its extra
        benefits over BAU could fall, or its extra costs rise, before its NPV against BAU
        reaches 0 (``benefits_fall_vs_bau``, ``costs_rise_vs_bau``), or before it is no
        better than the best other option (``benefits_fall_vs_next``, ``costs_rise_vs_next``:
        negative when it is already behind); ``None`` where the base is not positive."""
        preferred = self.preferred_result
        lead = None
        if self.runner_up is not None:
            lead = preferred.npv_vs_bau - self.option(self.runner_up).npv_vs_bau

        def share(margin: float | None, base: float) -> float | None:
            return None if margin is None or base <= 0 else margin / base

        return {
            "benefits_fall_vs_bau": share(preferred.npv_vs_bau, preferred.extra_pv_benefits),
            "costs_rise_vs_bau": share(preferred.npv_vs_bau, preferred.extra_pv_costs),
            "benefits_fall_vs_next": share(lead, preferred.extra_pv_benefits),
            "costs_rise_vs_next": share(lead, preferred.extra_pv_costs),
        }


@dataclass(frozen=True)
class OptionsAppraisal:
    """The shortlists of the projects asked for (``npv-calc options``), with the appraisal
    they come from."""

    base: PortfolioResult
    shortlists: tuple[Shortlist, ...]
