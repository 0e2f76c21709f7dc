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
from dataclasses import replace

import numpy as np

from .discount import applied_rates, present_value_year_factors, settings_factors
from .errors import InputError, Problem, shown_path
from .load.options import option_project
from .model import (
    Line,
    Portfolio,
    Project,
    Risk,
    Settings,
    SettingsPatch,
    central,
    financial_year,
)
from .precision import (
    cancelled,
    discount_factors_problem,
    portfolio_problem,
    present_value_year_problem,
    project_problem,
    too_large,
)
from .results.appraisal import (
    VALUE_KINDS,
    Figures,
    LineResult,
    LineTrace,
    PortfolioResult,
    ProjectResult,
)
from .results.options import shortlist
from .returns import irr
from .scenarios import Case, prepare
from .threads import blas_threads

ArrayLike = float | np.ndarray
#: A cumulative sum that should be exactly 0 may be a hair below it after rounding.
PAYBACK_TOLERANCE = 1e-6

__all__ = [  # the results are named here too, where they were first
    "VALUE_KINDS",
    "Figures",
    "LineResult",
    "LineTrace",
    "PortfolioResult",
    "ProjectResult",
    "appraise",
    "appraise_case",
    "financial_year",
    "irr",
    "npv",
]


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
    """A line's gross yearly amounts, as entered: the part of :func:`line_flows` before the
    adjustment factor.

    Parameters
    ----------
    line, values, horizon
        As for :func:`line_flows`.

    Returns
    -------
    numpy.ndarray
        ``amounts[t]`` (0 after them), or ``annual x ((1+growth)(1-drop_off))^(t-f)`` for
        ``f <= t <= last`` and 0 outside the line's years (``drop_off`` for benefits only).
    """
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
    """A line's adjustment factor: adjusted = gross (:func:`line_gross`) x this.

    Parameters
    ----------
    line, values, price_factor
        As for :func:`line_flows`.

    Returns
    -------
    float or numpy.ndarray
        For a cost ``scale x (1 + optimism_bias) x price_factor``; for a benefit ``scale x
        (1 - deadweight) x (1 - displacement) x attribution x (1 - optimism_bias) x
        price_factor``. An array when the values are arrays of draws.
    """
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
    """Net present value of flows at a flat rate, the first flow undiscounted.

    Parameters
    ----------
    rate
        The discount rate a year, e.g. 0.035.
    values
        The net flow of each year, year 0 (``t = 0``) first.

    Returns
    -------
    float
        ``sum(values[t] / (1 + rate) ** t)``: year 0 undiscounted (the Green Book convention;
        spreadsheet ``NPV()`` discounts its first value too).

    Examples
    --------
    >>> abs(npv(0.1, [-100, 110])) < 1e-12
    True
    """
    flows = np.asarray(values, dtype=float)
    return float(np.sum(flows / (1.0 + rate) ** np.arange(flows.size)))


def appraise_project(project: Project, case: Case) -> ProjectResult:
    """Appraise one project in a case (its settings, scenario values and grades).

    Parameters
    ----------
    project
        One of the case's projects.
    case
        From :func:`npv_calc.scenarios.prepare`: which value of each input, which settings.

    Returns
    -------
    ProjectResult
        Its yearly flows (each line's with its trace), present values, NPV, BCR, IRR, payback
        and the figures by agency and value type, discounted to its own year 0.

    Raises
    ------
    InputError
        When a figure is too large for a computer to hold (beyond about 1e308): a discount
        factor (a large negative rate over a long horizon) or a line's yearly amounts.
    """
    if not case.allowances:
        project = replace(project, risks=())  # the base plan: a risk is an allowance too
    settings = case.settings_for(project)
    horizon = settings.horizon
    with np.errstate(all="ignore"):
        factors = settings_factors(horizon, settings)
    if not np.all(np.isfinite(factors)):
        raise InputError([discount_factors_problem(project, settings, horizon)])
    with np.errstate(all="ignore"):
        return _appraise_project(project, case, settings, factors)


def _line_results(
    project: Project, case: Case, settings: Settings, factors: np.ndarray
) -> tuple[tuple[LineResult, ...], tuple[LineResult, ...]]:
    """Each line's and each risk's result, every figure checked to be one a computer holds."""
    lines = []
    for line in project.all_lines:
        trace = line_trace(case, project, line, settings)
        flows = traced_flows(trace)
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
        lines.append(LineResult(line, flows, pv, trace))
    risks = []
    for risk in project.risks:
        trace = risk_trace(case, project, risk, settings)
        flows = case_risk_flows(case, project, risk, settings)
        pv = float(flows @ factors)
        if not (np.all(np.isfinite(flows)) and np.isfinite(pv)):
            raise InputError(
                [too_large(shown_path(project.path), f"the expected cost of {risk.label}")]
            )
        risks.append(LineResult(risk, flows, pv, trace))
    return tuple(lines), tuple(risks)


def _by(results: tuple[LineResult, ...], key: str, sections: tuple[str, ...]) -> dict[str, float]:
    """Present values of the lines of ``sections`` summed by an attribute of the line (its
    ``agency`` or ``value_kind``), in the order the lines first name each."""
    out: dict[str, float] = {}
    for result in results:
        if result.line.section in sections:
            name = getattr(result.line, key)
            out[name] = out.get(name, 0.0) + result.pv
    return out


def _realised(
    case: Case, project: Project, lines: tuple[LineResult, ...], factors: np.ndarray
) -> Figures | None:
    """The part up to ``as_of`` from outturn: each line's years with outturn recorded."""
    if case.portfolio.as_of is None:
        return None
    realised = {"costs": 0.0, "benefits": 0.0}
    for result in lines:
        for t in result.trace.outturn:
            realised[result.line.section] += float(result.flows[t] * factors[t])
    return Figures(
        realised["benefits"] - realised["costs"],
        realised["costs"],
        realised["benefits"],
        case.portfolio.as_of,
    )


def _at_present_value_year(
    project: Project,
    case: Case,
    settings: Settings,
    net: np.ndarray,
    results: tuple[LineResult, ...],
) -> tuple[float | None, np.ndarray | None, np.ndarray | None]:
    """The NPV valued at ``present_value_year``, with each year's offset and factor to it
    (``None`` without a present-value year); ``results`` are the lines' and risks'."""
    at_year = case.portfolio.present_value_year
    if at_year is None:
        return None, None, None
    offsets = project.start_year + np.arange(settings.horizon) - at_year
    factors = present_value_year_factors(offsets, settings)
    far = present_value_year_problem(project, settings, at_year, factors, case.portfolio.path)
    if far is not None:
        raise InputError([far])
    npv_at_year = float(net @ factors)
    if not np.isfinite(npv_at_year):
        what = f"valued at present_value_year {at_year}, its flows add up"
        raise InputError([too_large(shown_path(project.path), what)])
    swamped = cancelled(project, results, factors, "NPV at present_value_year", npv_at_year)
    if swamped is not None:
        raise InputError([swamped])
    return npv_at_year, offsets, factors


def _appraise_project(
    project: Project, case: Case, settings: Settings, factors: np.ndarray
) -> ProjectResult:
    horizon = settings.horizon
    lines, risks = _line_results(project, case, settings, factors)
    # Added up in the order the lines are written, the risks last (sums of floats depend on
    # their order, and every output is compared to the penny).
    totals = {"costs": np.zeros(horizon), "benefits": np.zeros(horizon)}
    for result in lines:
        totals[result.line.section] += result.flows
    risk_totals = np.zeros(horizon)
    for result in risks:
        risk_totals += result.flows
        totals["costs"] += result.flows
    costs, benefits = totals["costs"], totals["benefits"]
    by_value_type = dict.fromkeys(VALUE_KINDS, 0.0)
    by_value_type.update(_by(lines, "value_kind", ("benefits",)))
    cashable_pv = sum(
        (r.pv for r in lines if r.line.section == "benefits" and r.line.cashable), 0.0
    )
    pv_costs = float(costs @ factors)
    pv_benefits = float(benefits @ factors)
    figures = (pv_costs, pv_benefits, pv_benefits - pv_costs, cashable_pv - pv_costs)
    problem = project_problem(project, lines + risks, factors, costs - benefits, figures)
    if problem is not None:
        raise InputError([problem])
    net = benefits - costs
    npv_at_year, offsets, to_year = _at_present_value_year(
        project, case, settings, net, lines + risks
    )
    return ProjectResult(
        project=project,
        settings=settings,
        counts_toward_target=case.counts_toward_target(project),
        counts_because=case.counts_because(project),
        discount_factors=factors,
        rates=applied_rates(horizon, settings),
        costs=costs,
        benefits=benefits,
        lines=lines,
        risks=risks,
        pv_costs=pv_costs,
        pv_risk_costs=float(risk_totals @ factors),
        pv_benefits=pv_benefits,
        npv=pv_benefits - pv_costs,
        bcr=pv_benefits / pv_costs if pv_costs > 0 else None,
        roi=(pv_benefits - pv_costs) / pv_costs if pv_costs > 0 else None,
        payback_year=payback_year(project.start_year, net * factors),
        cashable_npv=cashable_pv - pv_costs,
        pv_costs_by_agency=_by(lines + risks, "agency", ("costs", "risks")),
        pv_benefits_by_agency=_by(lines, "agency", ("benefits",)),
        pv_benefits_by_value_type=by_value_type,
        financial_roi=by_value_type["fiscal"] / pv_costs if pv_costs > 0 else None,
        npv_at_present_value_year=npv_at_year,
        settled=tuple(sorted(settled_offsets(case, project))),
        present_value_offsets=offsets,
        present_value_factors=to_year,
        realised=_realised(case, project, lines, factors),
    )


def risk_flows(
    risk: Risk, impact: ArrayLike, horizon: int, price_factor: float = 1.0
) -> np.ndarray:
    """A risk's expected yearly cost (Green Book: risk costs at their expected value).

    Parameters
    ----------
    risk
        The risk: its probability and its ``years``.
    impact
        Its cost a year if it happens; an array of shape ``(n, 1)`` for ``n`` values at once.
    horizon
        Years appraised.
    price_factor
        Its rebasing to the price base year.

    Returns
    -------
    numpy.ndarray
        ``probability x impact x price_factor`` in each year of its ``years``, 0 in the others.

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
    years its project's cost outturn has settled (:func:`settled_offsets`)."""
    impact = case.pick(project, risk, "impact")
    flows = risk_flows(risk, impact, settings.horizon, price_factor(case, risk, settings))
    flows[sorted(settled_offsets(case, project))] = 0.0
    return flows


def settled_offsets(case: Case, project: Project) -> frozenset[int]:
    """The years (offsets from year 0) whose costs the project's outturn has settled: those up
    to ``as_of`` in which a cost line records outturn (none in the plan).

    A risk in such a year either happened, and its cost is in the outturn, or did not: either
    way its expected cost no longer applies. In a year up to ``as_of`` with no cost outturn the
    plan stands in, its risks' expected costs included (SPEC, decisions of the third release).
    """
    as_of = case.portfolio.as_of
    if not (case.outturn and as_of is not None):
        return frozenset()
    return frozenset(
        year - project.start_year
        for line in project.costs
        for year in line.actuals
        if year <= as_of
    )


def payback_year(start_year: int, discounted: np.ndarray) -> int | None:
    """The first financial year from which the cumulative discounted net benefit stays at 0 or
    above to the end of the horizon (SPEC).

    Parameters
    ----------
    start_year
        The project's year 0.
    discounted
        Each year's discounted net benefit, year 0 first.

    Returns
    -------
    int or None
        The financial year (``2019`` for 2019/20); ``None`` when the cumulative ends below 0
        (the NPV is below 0), so that a project whose cumulative turns positive and then
        negative again has no payback year.

    Examples
    --------
    >>> payback_year(2020, np.array([-100.0, 60.0, 60.0]))  # cumulative -100, -40, 20
    2022
    >>> payback_year(2020, np.array([-100.0, 150.0, -80.0])) is None  # -100, 50, -30
    True
    """
    # A millionth of a pound absorbs rounding in a cumulative sum that is exactly 0.
    short = np.flatnonzero(np.cumsum(discounted) < -PAYBACK_TOLERANCE)
    first = int(short[-1]) + 1 if short.size else 0
    return start_year + first if first < discounted.size else None


def price_factor(case: Case, line: Line | Risk, settings: Settings) -> float:
    """``deflator[price_base_year] / deflator[price_year]``; 1 without a ``price_year``."""
    if line.price_year is None or line.price_year == settings.price_base_year:
        return 1.0
    deflators = case.portfolio.deflators
    # loading refused a price year without a price base year to rebase it to
    assert settings.price_base_year is not None
    return deflators[settings.price_base_year] / deflators[line.price_year]


def line_inputs(case: Case, project: Project, line: Line) -> dict[str, float]:
    """The number a case uses for each uncertain-capable field of a line."""
    values = {name: case.pick(project, line, name) for name in _VALUE_FIELDS}
    values["optimism_bias"] = case.optimism_bias(project, line)
    return values


def line_trace(case: Case, project: Project, line: Line, settings: Settings) -> LineTrace:
    """How a case works out a line's yearly flows: its inputs, gross amounts, adjustment
    factor, and the outturn that replaces the forecast (:class:`LineTrace`)."""
    inputs = line_inputs(case, project, line)
    price = price_factor(case, line, settings)
    annual = None
    if line.amounts is None:
        annual = (
            inputs["annual"]
            if line.annual is not None
            else (inputs["quantity"] * inputs["unit_value"])
        )
    return LineTrace(
        inputs=inputs,
        annual=annual,
        gross=line_gross(line, inputs, settings.horizon),
        price_factor=price,
        factor=float(line_factor(line, inputs, price)),
        outturn=outturn_offsets(case, project, line),
        outturn_share=outturn_share(line),
        outturn_factor=outturn_factor(case, project, line, settings),
    )


def traced_flows(trace: LineTrace) -> np.ndarray:
    """A line's yearly flows from its trace: gross x factor, outturn x its factor in the years
    that record it."""
    flows = trace.gross * trace.factor
    for t, amount in trace.outturn.items():
        flows[t] = amount * trace.outturn_factor
    return flows


def case_flows(case: Case, project: Project, line: Line, settings: Settings) -> np.ndarray:
    """A line's yearly flows in a case (:func:`line_flows` with the case's inputs), with its
    outturn in the years that record it (:func:`outturn_offsets`) unless the case is the
    plan."""
    return traced_flows(line_trace(case, project, line, settings))


def risk_trace(case: Case, project: Project, risk: Risk, settings: Settings) -> LineTrace:
    """How a case works out a risk's expected yearly cost (:class:`LineTrace`): probability x
    impact in the years of its ``years``, rebased; 0 in the years settled by outturn."""
    impact = case.pick(project, risk, "impact")
    t = np.arange(settings.horizon)
    first, last = risk.years
    price = price_factor(case, risk, settings)
    return LineTrace(
        inputs={"impact": impact},
        annual=risk.probability * impact,
        gross=np.where((t >= first) & (t <= last), risk.probability * impact, 0.0),
        price_factor=price,
        factor=price,
        outturn={},
        outturn_share=1.0,
        outturn_factor=1.0,
    )


def outturn_offsets(case: Case, project: Project, line: Line) -> dict[int, float]:
    """The outturn a case uses for a line: year offset -> gross amount (none in the plan, or
    without ``as_of``)."""
    if not (case.outturn and line.actuals and case.portfolio.as_of is not None):
        return {}
    return {year - project.start_year: amount for year, amount in line.actuals.items()}


def outturn_share(line: Line) -> float:
    """The share of a year's outturn the line's project caused: for a benefit
    ``(1 - deadweight) x (1 - displacement) x attribution`` at their central values, 1 for a
    cost."""
    if line.section != "benefits":
        return 1.0
    return (
        (1.0 - central(line.deadweight))
        * (1.0 - central(line.displacement))
        * central(line.attribution)
    )


def outturn_factor(case: Case, project: Project, line: Line, settings: Settings) -> float:
    """What turns a year's outturn into its adjusted flow: the rebasing and, for a benefit, the
    share caused by the project (:func:`outturn_share`).

    Optimism bias, scale, ``growth`` and ``drop_off`` do not apply: they correct or shape a
    forecast, and outturn is not one (Green Book, optimism bias; IPA, Guide for Effective
    Benefits Management). Central values, so that a year's outturn is the same in every
    scenario and every Monte Carlo draw."""
    factor = price_factor(case, line, settings)
    if line.section == "benefits":
        factor *= outturn_share(line)
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


def _portfolio_file(case: Case) -> str:
    path = case.portfolio.path
    return shown_path(path) if path is not None else "the portfolio"


@blas_threads()  # one BLAS thread for the IRRs' companion matrices (npv_calc.threads says why)
def appraise_case(case: Case, *, options: bool = True) -> PortfolioResult:
    """Appraise every project of a prepared case and total them against the target.

    Parameters
    ----------
    case
        From :func:`npv_calc.scenarios.prepare`, validated: the command line prepares one per
        run and passes it to every analysis.
    options
        ``False``: no option appraised (every ``options`` ``None``), for callers that read none.

    Returns
    -------
    PortfolioResult
        Each project's result (with the plan's figures beside the latest estimate when
        outturn is used), the portfolio's sums, the NPV toward the target and the headroom.

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
    projects = tuple(_with_options(r, case) if options else r for r in results)
    toward = sum((r.npv for r in projects if r.counts_toward_target), 0.0)
    target = case.portfolio.target
    totals = (
        toward,
        sum((r.npv for r in projects), 0.0),
        sum((r.pv_costs for r in projects), 0.0),
        sum((r.pv_benefits for r in projects), 0.0),
        0.0 if target is None else toward - target,
    )
    npvs = {r.id: r.npv for r in projects}
    problem = portfolio_problem(_portfolio_file(case), npvs, totals[:2], totals)
    if problem is not None:
        raise InputError([problem])
    return PortfolioResult(
        portfolio=case.portfolio,
        scenario=case.scenario,
        settings=case.settings,
        overrides=case.overrides,
        mode=case.mode,
        projects=projects,
        npv=sum((r.npv for r in projects), 0.0),
        pv_costs=sum((r.pv_costs for r in projects), 0.0),
        pv_benefits=sum((r.pv_benefits for r in projects), 0.0),
        npv_toward_target=toward,
        meets_target=None if target is None else toward >= target,
        headroom=None if target is None else toward - target,
    )


def _with_options(result: ProjectResult, case: Case) -> ProjectResult:
    """A project's result with its options side by side (not with values fixed by the caller)."""
    project = result.project
    if case.fixed or project.option(project.preferred or "") is None:
        return result
    appraised, base = (
        {o.id: appraise_project(option_project(project, o.id), c) for o in project.options}
        for c in (case, replace(case, allowances=False))
    )
    return replace(result, options=shortlist(project, appraised, base))


def appraise(
    portfolio: Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
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
