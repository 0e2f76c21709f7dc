"""Benefits realised against plan: for each project and each financial year up to ``as_of``,
the plan (the appraisal as approved, with no outturn) against the outturn recorded, and each
project's delivery status (red, amber, green).

Flows are the adjusted yearly amounts of :func:`npv_calc.calculate.appraise` (pounds at the
price base year, not discounted): the plan's include optimism bias, the outturn's do not
(outturn is not a forecast). A year with no outturn recorded on a line takes the plan's figure
for that line (the loader warns about it), so its variance is 0.

**The delivery status** (``rag``, docs/method.md section 11.6) measures delivery against the
**base plan**: the plan at central values before optimism bias (a cost's uplift, a benefit's
reduction or confidence grade), risks left out. Optimism bias is an appraisal allowance, not a
budget, so unspent contingency is not "ahead". Like is compared with like: the line-years that
record outturn against the same line-years of the base plan.

* *cost*: ``(outturn - base) / base``; *benefits*: ``(base - outturn) / base``. Within the
  portfolio's ``[realisation] amber`` Green, beyond it Amber, beyond ``red`` Red; better than
  plan is Green.
* *schedule*: the first year with benefit outturn (> 0) against the plan's first benefit year:
  the same year Green, a year late Amber, later Red; Green before any benefit is due; none
  recorded though due is as late as ``as_of + 1 - planned``.

The old ``status`` compares the NPV to date (the discounted net flows of the years up to
``as_of``) of the latest estimate with the plan's, relative to the plan's PV of benefits to date:
``ahead`` or ``behind`` beyond :data:`TOLERANCE` of it, ``on track`` otherwise, ``no outturn``
or ``not started``. It is kept in JSON for the scripts that read it; the plan it compares with
carries optimism bias, so it reads unspent contingency as ``ahead``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from .calculate import appraise_case
from .errors import UsageError
from .model import Line, Portfolio, SettingsPatch, Tolerances
from .results.appraisal import PortfolioResult, ProjectResult
from .results.realisation import (
    AMBER,
    BEYOND,
    GREEN,
    RED,
    TOLERANCE,
    Delivery,
    LineToDate,
    Progress,
    ProjectProgress,
    Rating,
    YearProgress,
)
from .scenarios import Case, case_of

__all__ = [
    "TOLERANCE",
    "Delivery",
    "Progress",
    "ProjectProgress",
    "Rating",
    "YearProgress",
    "against_plan",
    "progress",
    "rated",
    "schedule_rating",
]


def progress(
    subject: Case | Portfolio, overrides: SettingsPatch | Mapping[str, object] | None = None
) -> Progress:
    """Plan against outturn by project and year, up to ``as_of`` (central values), of a
    prepared case or of a portfolio prepared with ``overrides``.

    Raises
    ------
    UsageError
        The portfolio records no outturn (``[portfolio] as_of`` is not set).
    """
    case = case_of(subject, "central", overrides)
    if case.portfolio.as_of is None:
        raise UsageError(
            "progress compares outturn with the plan, but [portfolio] as_of is not set: record "
            "outturn with actuals = { YEAR = AMOUNT } on lines and set as_of in portfolio.toml"
        )
    return against_plan(case, appraise_case(case))


def against_plan(case: Case, latest: PortfolioResult) -> Progress:
    """:func:`progress` for a case already appraised (of any scenario; ``latest`` is its
    result), up to its portfolio's ``as_of``.

    The delivery status is the same in every scenario: it measures delivery against the base
    plan at central values, and a scenario changes the forecast, not what was approved."""
    as_of = latest.portfolio.as_of
    if as_of is None:
        raise UsageError("no outturn is recorded: [portfolio] as_of is not set")
    # the projects' own flows: the options' appraisals would go unread
    plan = appraise_case(replace(case, outturn=False), options=False)
    base = appraise_case(
        replace(case, outturn=False, allowances=False, mode="central", fixed={}), options=False
    )
    tolerances = case.portfolio.realisation
    projects = tuple(
        _project(now, then, budget, as_of, tolerances)
        for now, then, budget in zip(latest.projects, plan.projects, base.projects, strict=True)
    )
    return Progress(latest, as_of, projects, *_portfolio(projects, tolerances))


def _project(
    now: ProjectResult,
    then: ProjectResult,
    base: ProjectResult,
    as_of: int,
    tolerances: Tolerances,
) -> ProjectProgress:
    """A project's years up to ``as_of``, its NPV to date, old status and delivery status."""
    start = now.project.start_year
    known = min(max(as_of - start + 1, 0), now.settings.horizon)  # years up to as_of
    recorded = {year - start for line in now.project.all_lines for year in line.actuals}
    lines = _lines_to_date(now, base, known, tolerances)
    df = now.discount_factors[:known]
    latest_to_date = float((now.benefits[:known] - now.costs[:known]) @ df)
    plan_to_date = float((then.benefits[:known] - then.costs[:known]) @ df)
    plan_benefits = float(then.benefits[:known] @ df)
    return ProjectProgress(
        now.id,
        now.project.name,
        _status(known, bool(recorded), latest_to_date - plan_to_date, plan_benefits),
        _years(now, then, base, known, recorded),
        plan_to_date,
        latest_to_date,
        plan_benefits,
        then.npv,
        now.npv,
        tuple(float(x) for x in (then.benefits - then.costs) * then.discount_factors),
        _delivery(now, base, lines, as_of, tolerances) if recorded else None,
        lines,
    )


def _years(
    now: ProjectResult, then: ProjectResult, base: ProjectResult, known: int, recorded: set[int]
) -> tuple[YearProgress, ...]:
    """Each year up to ``as_of``: the plan, the latest, and the base plan and outturn of the
    lines that record outturn that year."""
    years = []
    for t in range(known):
        pairs = {"costs": [0.0, 0.0], "benefits": [0.0, 0.0]}
        for latest_line, base_line in zip(now.lines, base.lines, strict=True):
            if t in latest_line.trace.outturn:
                pair = pairs[latest_line.line.section]
                pair[0] += float(base_line.flows[t])
                pair[1] += float(latest_line.flows[t])
        years.append(
            YearProgress(
                now.project.start_year + t,
                float(then.costs[t]),
                float(then.benefits[t]),
                float(now.costs[t]),
                float(now.benefits[t]),
                t in recorded,
                pairs["costs"][0],
                pairs["benefits"][0],
                pairs["costs"][1],
                pairs["benefits"][1],
            )
        )
    return tuple(years)


def _lines_to_date(
    now: ProjectResult, base: ProjectResult, known: int, tolerances: Tolerances
) -> tuple[LineToDate, ...]:
    """Each line's base plan and outturn over its years up to ``as_of`` that record outturn."""
    out = []
    for latest_line, base_line in zip(now.lines, base.lines, strict=True):
        line = latest_line.line
        assert isinstance(line, Line)  # a project's lines; its risks are apart
        recorded = tuple(sorted(t for t in latest_line.trace.outturn if t < known))
        planned = sum((float(base_line.flows[t]) for t in recorded), 0.0)
        outturn = sum((float(latest_line.flows[t]) for t in recorded), 0.0)
        shortfall = outturn - planned if line.section == "costs" else planned - outturn
        out.append(
            LineToDate(
                line,
                recorded,
                tuple(t for t in range(known) if base_line.flows[t] > 0),
                planned,
                outturn,
                rated(shortfall, planned, tolerances) if recorded else None,
            )
        )
    return tuple(out)


def _delivery(
    now: ProjectResult,
    base: ProjectResult,
    lines: tuple[LineToDate, ...],
    as_of: int,
    tolerances: Tolerances,
) -> Delivery:
    """A project's delivery status from its lines to date and its base plan's first benefit."""
    start = now.project.start_year
    planned = [
        int(np.flatnonzero(r.flows > 0)[0])
        for r in base.lines
        if r.line.section == "benefits" and np.any(r.flows > 0)
    ]
    measured = [
        t
        for r in now.lines
        if r.line.section == "benefits"
        for t, amount in r.trace.outturn.items()
        if amount > 0
    ]
    first_planned = start + min(planned) if planned else None
    first_recorded = start + min(measured) if measured else None
    base_costs, outturn_costs = _sums(lines, "costs")
    base_benefits, outturn_benefits = _sums(lines, "benefits")
    return Delivery(
        rated(outturn_costs - base_costs, base_costs, tolerances),
        rated(base_benefits - outturn_benefits, base_benefits, tolerances),
        schedule_rating(first_planned, first_recorded, as_of),
        first_planned,
        first_recorded,
        base_costs,
        outturn_costs,
        base_benefits,
        outturn_benefits,
        any(x.recorded for x in lines if x.line.section == "costs"),
        any(x.recorded for x in lines if x.line.section == "benefits"),
    )


def _sums(lines: tuple[LineToDate, ...], section: str) -> tuple[float, float]:
    """The base plan and the outturn to date of a project's ``costs`` or ``benefits``."""
    chosen = [x for x in lines if x.line.section == section]
    return sum((x.base for x in chosen), 0.0), sum((x.outturn for x in chosen), 0.0)


def _portfolio(
    projects: tuple[ProjectProgress, ...], tolerances: Tolerances
) -> tuple[Rating | None, Rating | None]:
    """The portfolio's cost and benefits status: its projects with outturn added up."""
    rags = [p.rag for p in projects if p.rag is not None]
    if not rags:
        return None, None
    base_costs = sum((r.base_costs for r in rags), 0.0)
    outturn_costs = sum((r.outturn_costs for r in rags), 0.0)
    base_benefits = sum((r.base_benefits for r in rags), 0.0)
    outturn_benefits = sum((r.outturn_benefits for r in rags), 0.0)
    return (
        rated(outturn_costs - base_costs, base_costs, tolerances),
        rated(base_benefits - outturn_benefits, base_benefits, tolerances),
    )


def rated(shortfall: float, base: float, tolerances: Tolerances) -> Rating:
    """The status of costs over (or benefits under) the base plan to date by ``shortfall``.

    Parameters
    ----------
    shortfall
        For costs, outturn minus base plan; for benefits, base plan minus outturn (both over the
        line-years that record outturn): positive is worse than plan.
    base
        The base plan over those line-years.
    tolerances
        ``[realisation]``: beyond ``amber`` of the base plan Amber, beyond ``red`` Red.

    Returns
    -------
    Rating
        Its share is ``shortfall / base``; with no base plan, ``None`` (Red for any shortfall,
        Green otherwise), or 0 when nothing is planned or recorded.

    Examples
    --------
    >>> from npv_calc.model import Tolerances
    >>> rated(5_000.0, 100_000.0, Tolerances())
    Rating(status='green', share=0.05)
    >>> rated(5_001.0, 100_000.0, Tolerances()).status
    'amber'
    >>> rated(-12_000.0, 100_000.0, Tolerances())
    Rating(status='green', share=-0.12)
    """
    if base == 0:
        if shortfall > 0:
            return Rating(RED, None)
        return Rating(GREEN, 0.0 if shortfall == 0 else None)
    share = shortfall / base
    if share > tolerances.red + BEYOND:
        return Rating(RED, share)
    if share > tolerances.amber + BEYOND:
        return Rating(AMBER, share)
    return Rating(GREEN, share)


def schedule_rating(planned: int | None, recorded: int | None, as_of: int) -> Rating:
    """The status of a project's first benefit: the financial year of the base plan's first
    benefit (``planned``) against the first with benefit outturn (``recorded``).

    Its share is the years late: the same year Green, one Amber, more Red; early (negative)
    Green. Before the first benefit is due, with none recorded, 0 (Green); when it is due by
    ``as_of`` and none is recorded, ``as_of + 1 - planned`` (as late as it is so far).

    Examples
    --------
    >>> schedule_rating(2020, 2021, 2023)
    Rating(status='amber', share=1.0)
    >>> schedule_rating(2021, None, 2023)
    Rating(status='red', share=3.0)
    >>> schedule_rating(2025, None, 2023)
    Rating(status='green', share=0.0)
    """
    if planned is None:
        late = 0
    elif recorded is not None:
        late = recorded - planned
    else:
        late = max(as_of + 1 - planned, 0)
    status = RED if late >= 2 else AMBER if late == 1 else GREEN
    return Rating(status, float(late))


def _status(known: int, recorded: bool, variance: float, scale: float) -> str:
    if not known:
        return "not started"
    if not recorded:
        return "no outturn"
    if abs(variance) <= TOLERANCE * abs(scale) or np.isclose(variance, 0.0):
        return "on track"
    return "ahead" if variance > 0 else "behind"
