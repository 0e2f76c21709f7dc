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
from dataclasses import replace

import numpy as np

from .calculate import appraise_case
from .errors import UsageError
from .model import Portfolio, SettingsPatch
from .results.appraisal import PortfolioResult
from .results.realisation import TOLERANCE, Progress, ProjectProgress, YearProgress
from .scenarios import Case, case_of

__all__ = ["TOLERANCE", "Progress", "ProjectProgress", "YearProgress", "against_plan", "progress"]


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
    result), up to its portfolio's ``as_of``."""
    as_of = latest.portfolio.as_of
    if as_of is None:
        raise UsageError("no outturn is recorded: [portfolio] as_of is not set")
    plan = appraise_case(replace(case, outturn=False))
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
