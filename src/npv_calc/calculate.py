"""The calculation: yearly flows, present values and the appraisal metrics. Pure numpy, no I/O.

Conventions
-----------
* Year ``t`` is an offset from a project's ``start_year`` (year 0); a horizon of ``H`` years
  covers ``t = 0 .. H-1``. Each project is discounted to its own year 0.
* Flows are in real pounds at the price base year, after every adjustment (optimism bias,
  deadweight, displacement, attribution, rebasing, ``scale``).
* ``pv = sum(DF(t) * flow(t))`` with the factors of :func:`npv_calc.discount.discount_factors`.

Every formula is set out, with its source, in ``docs/method.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .discount import present_value_year_factors, settings_factors
from .errors import InputError, Problem, shown_path
from .model import (
    UNSPECIFIED,
    VALUE_TYPES,
    Line,
    Portfolio,
    Project,
    Risk,
    Settings,
    central,
    financial_year,
)
from .scenarios import Case, prepare

ArrayLike = float | np.ndarray
#: The keys of ``pv_benefits_by_value_type``.
VALUE_KINDS = (*VALUE_TYPES, UNSPECIFIED)


def line_flows(
    line: Line,
    values: Mapping[str, ArrayLike],
    horizon: int,
    price_factor: float = 1.0,
) -> np.ndarray:
    """A line's yearly flows after every adjustment, in pounds at the price base year.

    Parameters
    ----------
    line
        The cost or benefit line (its form: ``amounts``, ``annual`` or ``quantity`` x
        ``unit_value``, and its ``years``).
    values
        The number to use for each uncertain-capable field (``annual``, ``quantity``,
        ``unit_value``, ``scale``, ``growth``, ``drop_off``, ``deadweight``, ``displacement``,
        ``attribution``, ``optimism_bias``). Arrays of shape ``(n, 1)`` give ``n`` draws at
        once, as Monte Carlo does.
    horizon
        Years appraised; the result has ``horizon`` columns (year 0 first).
    price_factor
        ``deflator[price_base_year] / deflator[price_year]``, 1 without a ``price_year``.

    Returns
    -------
    numpy.ndarray
        Shape ``(horizon,)``, or ``(n, horizon)`` for ``(n, 1)`` values.

    Notes
    -----
    cost(t) = scale x annual x (1+growth)^(t-f) x (1+optimism_bias) x price_factor

    benefit(t) = scale x annual x ((1+growth)(1-drop_off))^(t-f) x (1-deadweight)
    x (1-displacement) x attribution x (1-optimism_bias) x price_factor

    for ``f <= t <= last`` (the line's ``years``, by default the whole horizon), where
    ``annual = quantity x unit_value`` when those are given. With ``amounts``, ``amounts[t]``
    replaces ``annual x (...)^(t-f)``.
    """
    return line_gross(line, values, horizon) * line_factor(line, values, price_factor)


def line_gross(line: Line, values: Mapping[str, ArrayLike], horizon: int) -> np.ndarray:
    """A line's gross yearly amounts: ``amounts``, or ``annual x (...)^(t-f)`` in its years
    (the part of :func:`line_flows` before the adjustment factor)."""
    t = np.arange(horizon)
    if line.amounts is not None:
        base: np.ndarray = np.zeros(horizon)
        base[: len(line.amounts)] = line.amounts
        return base
    first, last = line.years if line.years is not None else (0, horizon - 1)
    annual = (
        values["annual"] if line.annual is not None else (values["quantity"] * values["unit_value"])
    )
    change = 1.0 + values["growth"]
    if line.section == "benefits":
        change = change * (1.0 - values["drop_off"])
    active = (t >= first) & (t <= last)
    return np.where(active, annual * change ** np.maximum(t - first, 0), 0.0)


def line_factor(
    line: Line, values: Mapping[str, ArrayLike], price_factor: float = 1.0
) -> ArrayLike:
    """A line's adjustment factor, net = gross x this (the part of :func:`line_flows` after
    the gross amounts): scale, optimism bias, the benefit adjustments and the rebasing."""
    if line.section == "costs":
        return values["scale"] * (1.0 + values["optimism_bias"]) * price_factor
    return (
        values["scale"]
        * (1.0 - values["deadweight"])
        * (1.0 - values["displacement"])
        * values["attribution"]
        * (1.0 - values["optimism_bias"])
        * price_factor
    )


def npv(rate: float, values: Sequence[float] | np.ndarray) -> float:
    """Net present value of flows at a flat rate, the first flow undiscounted (``t = 0``).

    Examples
    --------
    >>> abs(npv(0.1, [-100, 110])) < 1e-12
    True
    """
    flows = np.asarray(values, dtype=float)
    return float(np.sum(flows / (1.0 + rate) ** np.arange(flows.size)))


def irr(values: Sequence[float] | np.ndarray) -> float | None:
    """Internal rate of return: the rate at which :func:`npv` of the flows is 0.

    The first flow is year 0 (undiscounted). Where several rates above -100% give an NPV of 0,
    the smallest non-negative one is returned, or, if all are negative, the one closest to 0 (the
    rule of numpy-financial). ``None`` when no rate does (e.g. all flows of one sign).

    Examples
    --------
    >>> round(irr([-100, 0, 0, 74]), 6)
    -0.095496
    >>> irr([100, 10]) is None
    True
    """
    flows = np.asarray(values, dtype=float)
    nonzero = flows[flows != 0]
    if nonzero.size == 0 or np.all(nonzero > 0) or np.all(nonzero < 0):
        return None
    if not np.all(np.isfinite(flows)):
        return None
    # NPV(r) = sum v_t x^t with x = 1 / (1 + r): a polynomial in x whose positive real roots are
    # the rates above -100%. Scaling the coefficients changes no root but keeps the companion
    # matrix well conditioned when the flows differ hugely in size.
    with np.errstate(all="ignore"):
        try:
            roots = np.roots(flows[::-1] / np.max(np.abs(flows)))
        except np.linalg.LinAlgError:
            return None
        candidates = roots[
            np.isfinite(roots)
            & (np.abs(roots.imag) <= 1e-6 * np.maximum(1.0, np.abs(roots)))
            & (roots.real > 0)
        ].real
        t = np.arange(flows.size)
        found: list[float] = []
        for root in candidates:
            x = _polish(flows, t, float(root))
            rate = 1.0 / x - 1.0
            if abs(rate) < 1e-12:  # a rate of 0 computed as -6e-16 is still 0 (non-negative)
                rate = 0.0
            if not np.isfinite(rate) or rate <= -1:
                continue
            # Judge the root against the size of the discounted terms, not of the flows: near
            # -100% each term is multiplied by (1 + r)^-t and the flows alone mean little.
            terms = flows * x**t
            size = float(np.sum(np.abs(terms)))
            if not np.isfinite(size) or size == 0:
                continue
            if abs(float(np.sum(terms))) <= 1e-9 * size and not any(
                abs(rate - f) <= 1e-9 * max(1.0, abs(f)) for f in found
            ):
                found.append(rate)
    if not found:
        return None
    positive = [r for r in found if r >= 0]
    return min(positive) if positive else max(found)


def _polish(flows: np.ndarray, t: np.ndarray, x: float) -> float:
    """Newton's method on the polynomial sum v_t x^t from one of its roots, keeping the best
    point found (so that a step that goes astray cannot lose a good root)."""
    best, best_value = x, abs(float(np.sum(flows * x**t)))
    for _ in range(50):
        value = float(np.sum(flows * x**t))
        slope = float(np.sum(t * flows * x ** np.maximum(t - 1, 0)))
        if slope == 0 or not np.isfinite(slope) or not np.isfinite(value):
            break
        step = value / slope
        if not np.isfinite(x - step) or x - step <= 0:
            break
        x -= step
        current = abs(float(np.sum(flows * x**t)))
        if current < best_value:
            best, best_value = x, current
        if abs(step) <= 1e-15 * abs(x):
            break
    return best


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
class LineResult:
    """A line's adjusted yearly flows and their present value."""

    line: Line
    flows: np.ndarray
    pv: float


@dataclass(frozen=True)
class ProjectResult:
    """The appraisal of one project: yearly flows and every metric of SPEC.md."""

    project: Project
    settings: Settings
    counts_toward_target: bool
    #: ``"yes"``, ``"starts after target year"`` or ``"status"``
    counts_because: str
    discount_factors: np.ndarray
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


@dataclass(frozen=True)
class PortfolioResult:
    """The appraisal of a portfolio under one scenario."""

    case: Case
    projects: tuple[ProjectResult, ...]
    npv: float
    pv_costs: float
    pv_benefits: float
    npv_toward_target: float
    meets_target: bool | None
    headroom: float | None

    @property
    def portfolio(self) -> Portfolio:
        return self.case.portfolio

    @property
    def scenario(self) -> str:
        return self.case.scenario

    @property
    def settings(self) -> Settings:
        return self.case.settings

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

    def project(self, pid: str) -> ProjectResult:
        """The result of the project with id ``pid``."""
        for result in self.projects:
            if result.id == pid:
                return result
        raise KeyError(pid)


def appraise_project(project: Project, case: Case) -> ProjectResult:
    """Appraise one project in a case (its settings, scenario values and grades).

    Raises
    ------
    InputError
        When a figure is too large for a computer to hold (beyond about 1e308): a discount
        factor (a large negative rate over a long horizon) or a line's yearly amounts.
    """
    settings = case.settings_for(project)
    horizon = settings.horizon
    with np.errstate(all="ignore"):
        factors = settings_factors(horizon, settings)
    if not np.all(np.isfinite(factors)):
        raise InputError(
            [
                Problem(
                    shown_path(project.path),
                    f"a discount_rate of {settings.discount_rate} over {horizon} years gives "
                    "discount factors too large to calculate with (beyond about 1e308); use a "
                    "higher rate or a shorter horizon",
                    field="discount_rate",
                )
            ]
        )
    with np.errstate(all="ignore"):
        return _appraise_project(project, case, settings, factors)


def _appraise_project(
    project: Project, case: Case, settings: Settings, factors: np.ndarray
) -> ProjectResult:
    horizon = settings.horizon
    results: list[LineResult] = []
    by_agency: dict[str, dict[str, float]] = {"costs": {}, "benefits": {}}
    cashable_pv = 0.0
    by_value_type = dict.fromkeys(VALUE_KINDS, 0.0)
    totals = {"costs": np.zeros(horizon), "benefits": np.zeros(horizon)}
    for line in project.all_lines:
        flows = case_flows(case, project, line, settings)
        pv = float(flows @ factors)
        if not (np.all(np.isfinite(flows)) and np.isfinite(pv)):
            raise InputError(
                [
                    Problem(
                        shown_path(project.path),
                        "its amounts, after adjustment and discounting, are too large to calculate "
                        "with (beyond about 1e308)",
                        line.label,
                        line=line.lines.get(""),
                    )
                ]
            )
        results.append(LineResult(line, flows, pv))
        totals[line.section] += flows
        agencies = by_agency[line.section]
        agencies[line.agency] = agencies.get(line.agency, 0.0) + pv
        if line.section == "benefits":
            by_value_type[line.value_kind] += pv
            if line.cashable:
                cashable_pv += pv
    # The realised part: the outturn years' flows (each line's years with outturn recorded).
    realised = {"costs": 0.0, "benefits": 0.0}
    for result in results:
        for t in outturn_offsets(case, project, result.line):
            realised[result.line.section] += float(result.flows[t] * factors[t])
    risks: list[LineResult] = []
    risk_totals = np.zeros(horizon)
    for risk in project.risks:
        flows = case_risk_flows(case, project, risk, settings)
        pv = float(flows @ factors)
        if not (np.all(np.isfinite(flows)) and np.isfinite(pv)):
            raise InputError(
                [_too_large(shown_path(project.path), f"the expected cost of {risk.label}")]
            )
        risks.append(LineResult(risk, flows, pv))  # type: ignore[arg-type]
        risk_totals += flows
        totals["costs"] += flows
        by_agency["costs"][risk.agency] = by_agency["costs"].get(risk.agency, 0.0) + pv
    pv_costs = float(totals["costs"] @ factors)
    pv_benefits = float(totals["benefits"] @ factors)
    figures = (pv_costs, pv_benefits, pv_benefits - pv_costs, cashable_pv - pv_costs)
    if not (
        np.all(np.isfinite(totals["costs"] - totals["benefits"])) and all(np.isfinite(figures))
    ):
        raise InputError([_too_large(shown_path(project.path), "its costs and benefits add up")])
    net = totals["benefits"] - totals["costs"]
    at_year = case.portfolio.present_value_year
    npv_at_year = None
    if at_year is not None:
        offsets = project.start_year + np.arange(horizon) - at_year
        npv_at_year = float(net @ present_value_year_factors(offsets, settings))
        if not np.isfinite(npv_at_year):
            raise InputError(
                [
                    _too_large(
                        shown_path(project.path),
                        f"valued at present_value_year {at_year}, its flows add up",
                    )
                ]
            )
    cumulative = np.cumsum(net * factors)
    # A millionth of a pound absorbs rounding in a cumulative sum that is exactly 0.
    reached = np.flatnonzero(cumulative >= -1e-6)
    return ProjectResult(
        project=project,
        settings=settings,
        counts_toward_target=case.counts_toward_target(project),
        counts_because=case.counts_because(project),
        discount_factors=factors,
        costs=totals["costs"],
        benefits=totals["benefits"],
        lines=tuple(results),
        risks=tuple(risks),
        pv_costs=pv_costs,
        pv_risk_costs=float(risk_totals @ factors),
        pv_benefits=pv_benefits,
        npv=pv_benefits - pv_costs,
        bcr=pv_benefits / pv_costs if pv_costs else None,
        roi=(pv_benefits - pv_costs) / pv_costs if pv_costs else None,
        payback_year=project.start_year + int(reached[0]) if reached.size else None,
        irr=irr(net),
        cashable_npv=cashable_pv - pv_costs,
        pv_costs_by_agency=by_agency["costs"],
        pv_benefits_by_agency=by_agency["benefits"],
        pv_benefits_by_value_type=by_value_type,
        financial_roi=by_value_type["fiscal"] / pv_costs if pv_costs else None,
        npv_at_present_value_year=npv_at_year,
        realised=(
            None
            if case.portfolio.as_of is None
            else Figures(
                realised["benefits"] - realised["costs"],
                realised["costs"],
                realised["benefits"],
                case.portfolio.as_of,
            )
        ),
    )


def risk_flows(
    risk: Risk, impact: ArrayLike, horizon: int, price_factor: float = 1.0
) -> np.ndarray:
    """A risk's expected yearly cost: ``probability x impact x price_factor`` in each year of
    its ``years`` (Green Book: risk costs at their expected value), 0 in the others.

    ``impact`` may be an array of shape ``(n, 1)`` for ``n`` values at once.

    Examples
    --------
    >>> from npv_calc.model import Risk
    >>> risk_flows(Risk(1, "Delay", 0.2, 100_000, (1, 2)), 100_000, 4).tolist()
    [0.0, 20000.0, 20000.0, 0.0]
    """
    t = np.arange(horizon)
    first, last = risk.years
    active = (t >= first) & (t <= last)
    return np.where(active, risk.probability * impact * price_factor, 0.0)


def case_risk_flows(case: Case, project: Project, risk: Risk, settings: Settings) -> np.ndarray:
    """A risk's expected yearly cost in a case (its impact as the case picks it), none in the
    years its project's outturn has settled (:func:`settled_years`)."""
    impact = case.pick(project, risk, "impact")  # type: ignore[arg-type]
    flows = risk_flows(risk, impact, settings.horizon, price_factor(case, risk, settings))  # type: ignore[arg-type]
    flows[: settled_years(case, project)] = 0.0
    return flows


def settled_years(case: Case, project: Project) -> int:
    """How many of a project's first years its outturn has settled: those up to ``as_of`` when
    the project records outturn (0 in the plan, or when it records none).

    A risk in a settled year either happened, and its cost is in the outturn of a cost line, or
    did not: either way its expected cost no longer applies."""
    as_of = case.portfolio.as_of
    if not (case.outturn and as_of is not None) or not any(
        line.actuals for line in project.all_lines
    ):
        return 0
    return max(0, as_of - project.start_year + 1)


def price_factor(case: Case, line: Line, settings: Settings) -> float:
    """``deflator[price_base_year] / deflator[price_year]``; 1 without a ``price_year``."""
    if line.price_year is None or line.price_year == settings.price_base_year:
        return 1.0
    deflators = case.portfolio.deflators
    return deflators[settings.price_base_year] / deflators[line.price_year]  # type: ignore[index]


def line_inputs(case: Case, project: Project, line: Line) -> dict[str, float]:
    """The number a case uses for each uncertain-capable field of a line."""
    values = {name: case.pick(project, line, name) for name in _VALUE_FIELDS}
    values["optimism_bias"] = case.optimism_bias(project, line)
    return values


def case_flows(case: Case, project: Project, line: Line, settings: Settings) -> np.ndarray:
    """A line's yearly flows in a case (:func:`line_flows` with the case's inputs), with its
    outturn in the years that record it (:func:`outturn_offsets`) unless the case is the
    plan."""
    flows = line_flows(
        line, line_inputs(case, project, line), settings.horizon, price_factor(case, line, settings)
    )
    offsets = outturn_offsets(case, project, line)
    if offsets:
        factor = outturn_factor(case, project, line, settings)
        for t, amount in offsets.items():
            flows[t] = amount * factor
    return flows


def outturn_offsets(case: Case, project: Project, line: Line) -> dict[int, float]:
    """The outturn a case uses for a line: year offset -> gross amount (none in the plan, or
    without ``as_of``)."""
    if not (case.outturn and line.actuals and case.portfolio.as_of is not None):
        return {}
    return {year - project.start_year: amount for year, amount in line.actuals.items()}


def outturn_factor(case: Case, project: Project, line: Line, settings: Settings) -> float:
    """What turns a year's outturn into its adjusted flow: the rebasing, and for a benefit the
    share caused by the project, ``(1 - deadweight) x (1 - displacement) x attribution``, at
    their central values.

    Optimism bias, scale, ``growth`` and ``drop_off`` do not apply: they correct or shape a
    forecast, and outturn is not one (Green Book, optimism bias; IPA, Guide for Effective
    Benefits Management). Central values, so that a year's outturn is the same in every
    scenario and every Monte Carlo draw."""
    factor = price_factor(case, line, settings)
    if line.section == "benefits":
        factor *= (
            (1.0 - central(line.deadweight))
            * (1.0 - central(line.displacement))
            * central(line.attribution)
        )
    return factor


_VALUE_FIELDS = (
    "annual",
    "quantity",
    "unit_value",
    "scale",
    "growth",
    "drop_off",
    "deadweight",
    "displacement",
    "attribution",
)


def _too_large(file: str, what: str) -> Problem:
    return Problem(
        file,
        f"{what} to more than a computer can hold (about 1e308); no figure is written: check "
        "the amounts for a slip (a value in pence, or an extra zero or exponent)",
    )


def _portfolio_file(case: Case) -> str:
    path = case.portfolio.path
    return shown_path(path) if path is not None else "the portfolio"


def appraise_case(case: Case) -> PortfolioResult:
    """Appraise every project of a prepared case and total them against the target.

    Raises
    ------
    InputError
        With the problems of every project whose figures cannot be calculated.
    """
    results: list[ProjectResult] = []
    problems: list[Problem] = []
    for project in case.projects:
        try:
            results.append(appraise_project(project, case))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    if case.outturn and any(
        outturn_offsets(case, p, line) for p in case.projects for line in p.all_lines
    ):
        # The plan: the same case without outturn, for each project's "plan" figures.
        plan_case = replace(case, outturn=False)
        results = [replace(r, planned=appraise_project(r.project, plan_case).plan) for r in results]
    projects = tuple(results)
    toward = sum((r.npv for r in projects if r.counts_toward_target), 0.0)
    target = case.portfolio.target
    totals = (
        toward,
        sum((r.npv for r in projects), 0.0),
        sum((r.pv_costs for r in projects), 0.0),
        sum((r.pv_benefits for r in projects), 0.0),
        0.0 if target is None else toward - target,
    )
    if not all(np.isfinite(totals)):
        largest = sorted(projects, key=lambda r: -abs(r.npv))[:3]
        where = ", ".join(f"{r.id} ({r.npv:.3g})" for r in largest)
        raise InputError(
            [_too_large(_portfolio_file(case), f"the projects' figures add up (largest: {where})")]
        )
    return PortfolioResult(
        case=case,
        projects=projects,
        npv=sum((r.npv for r in projects), 0.0),
        pv_costs=sum((r.pv_costs for r in projects), 0.0),
        pv_benefits=sum((r.pv_benefits for r in projects), 0.0),
        npv_toward_target=toward,
        meets_target=None if target is None else toward >= target,
        headroom=None if target is None else toward - target,
    )


def appraise(
    portfolio: Portfolio,
    scenario: str = "central",
    overrides: Mapping[str, object] | None = None,
) -> PortfolioResult:
    """Appraise a portfolio under a scenario.

    Parameters
    ----------
    portfolio
        From :func:`npv_calc.load_portfolio`.
    scenario
        ``"central"`` (default), ``"pessimistic"``, ``"optimistic"`` or a name from
        ``[scenarios.*]`` in ``portfolio.toml``.
    overrides
        ``[appraisal]`` values applied to every project, over its own (as ``--set`` does).

    Examples
    --------
    >>> from npv_calc import load_portfolio, appraise
    >>> result = appraise(load_portfolio("scenarios"))  # doctest: +SKIP
    >>> round(result.project("JET").npv)  # doctest: +SKIP
    1582214
    """
    return appraise_case(prepare(portfolio, scenario, overrides))
