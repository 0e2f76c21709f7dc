"""The economic case of each project: the figures a Green Book business case reports, and a
value-for-money statement in plain words.

For each project: the net present social value (NPSV, the NPV of every cost and benefit to
society), the BCR, the financial return (PV of fiscal benefits / PV of costs), its benefits by
value type, the switching values, the NPV in every scenario, optionally the Monte Carlo figures,
its non-monetised impacts and a statement that puts them together. Optionally the Department for
Transport's value-for-money category by BCR, which is one department's convention and is labelled
as such: HM Treasury's Green Book Review 2025 warns against reading a BCR as a pass or fail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from . import params
from .calculate import appraise_case
from .errors import UsageError
from .load.messages import show, suggest
from .model import Portfolio, SettingsPatch
from .results.appraisal import PortfolioResult, ProjectResult
from .results.economic import (
    Category,
    EconomicCase,
    MonteCarloFigures,
    ProjectCase,
    ScenarioFigures,
)
from .results.uncertainty import Simulation
from .scenarios import Case, case_of, prepare, scenario_names
from .sensitivity import switching_values

__all__ = [
    "Category",
    "EconomicCase",
    "MonteCarloFigures",
    "ProjectCase",
    "ScenarioFigures",
    "economic_case",
    "project_cases",
    "scenario_results",
    "vfm_category",
]


def vfm_category(bcr: float | None) -> Category | None:
    """The DfT value-for-money category of a BCR (``None`` without one)."""
    if bcr is None:
        return None
    table = params.value_for_money_categories()
    name = table.categories[-1][0]
    for label, below in table.categories:
        if below is None or bcr < below:
            name = label
            break
    return Category(name, table.convention, table.warning)


def economic_case(
    subject: Case | Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
    *,
    projects: tuple[str, ...] = (),
    iterations: int | None = None,
    seed: int | None = None,
    categories: bool = False,
) -> EconomicCase:
    """The economic case of every project (or of those named in ``projects``).

    Parameters
    ----------
    subject, scenario, overrides
        A prepared case, or a portfolio with a scenario and overrides (as for
        :func:`npv_calc.appraise`); the case's scenario gives the main figures.
    projects
        Project ids to report (default: every project of the scenario, in file order).
    iterations, seed
        Also run a Monte Carlo simulation with this many draws (see :func:`npv_calc.simulate`).
    categories
        Add the DfT value-for-money category of each BCR (a convention, off by default).

    Raises
    ------
    UsageError
        For an id that is not a project of the scenario.
    """
    case = case_of(subject, scenario, overrides)
    base = appraise_case(case)
    known = [p.id for p in base.projects]
    for pid in projects:
        if pid not in known:
            raise UsageError(
                f"--project {show(pid)}: no such project{suggest(pid, known)}; the projects "
                "are: " + ", ".join(known)
            )
    chosen = [p for p in base.projects if not projects or p.id in projects]
    scenarios = scenario_results(case, base, strict=True)
    simulated = None
    if iterations is not None:
        from .simulate import simulate

        # the extreme scenarios set every value to an end of its range: nothing left to draw
        drawn = case
        if case.mode != "central":
            drawn = prepare(case.source or case.portfolio, "central", case.given)
        simulated = simulate(drawn, iterations, seed=seed)
    cases = project_cases(base, scenarios, simulated, chosen=chosen, categories=categories)
    return EconomicCase(base, cases)


def scenario_results(
    case: Case, result: PortfolioResult, *, strict: bool = False
) -> dict[str, PortfolioResult | str]:
    """Every scenario of the case's portfolio appraised with the case's own ``--set``
    (``result``, the case's own appraisal, under its name): its result, or, unless
    ``strict``, why it could not be appraised.

    Raises
    ------
    InputError
        With ``strict``, for a scenario that cannot be appraised.
    """
    from .errors import InputError

    whole = case.source or case.portfolio
    out: dict[str, PortfolioResult | str] = {}
    for name in scenario_names(whole):
        if name == case.scenario:
            out[name] = result
            continue
        try:
            out[name] = appraise_case(prepare(whole, name, case.given))
        except InputError as exc:
            if strict:
                raise
            out[name] = exc.problems[0].message if exc.problems else "cannot be appraised"
    return out


def project_cases(
    base: PortfolioResult,
    scenarios: Mapping[str, PortfolioResult | str],
    simulation: Simulation | None = None,
    *,
    chosen: Sequence[ProjectResult] | None = None,
    categories: bool = False,
) -> tuple[ProjectCase, ...]:
    """The case of each project of ``base`` (or of ``chosen``), with its value-for-money
    statement: its figures in each appraised scenario of ``scenarios`` (a text: the scenario
    could not be appraised, and is left out) and, when one ran, in the Monte Carlo
    ``simulation``. :func:`economic_case` and the workbook's Economic case sheet both build
    their cases here."""
    switching = {v.project: v for v in switching_values(base)[0]}
    cases = []
    for result in base.projects if chosen is None else chosen:
        figures = []
        for name, appraisal in scenarios.items():
            if isinstance(appraisal, str):
                continue
            found = [p for p in appraisal.projects if p.id == result.id]
            figures.append(
                ScenarioFigures(name, found[0].npv, found[0].bcr)
                if found
                else ScenarioFigures(name, None, None, included=False)
            )
        monte_carlo = None
        if simulation is not None and result.id in simulation.projects:
            stats = simulation.projects[result.id]
            monte_carlo = MonteCarloFigures(
                simulation.iterations,
                simulation.seed,
                stats.mean,
                stats.p(5.0),
                stats.p(50.0),
                stats.p(95.0),
                stats.prob_negative,
            )
        case = ProjectCase(
            result,
            switching[result.id],
            tuple(figures),
            result.project.impacts,
            "",
            monte_carlo,
            vfm_category(result.bcr) if categories else None,
        )
        words = statement(case, base.present_value_year, base.scenario)
        cases.append(replace(case, statement=words))
    return tuple(cases)


def _money(x: float) -> str:
    """£1.58m, £604,027 or -£0.2m: short enough for a sentence."""
    sign = "-" if x < 0 else ""
    x = abs(x)
    if x >= 1_000_000:
        return f"{sign}£{x / 1_000_000:,.2f}m"
    return f"{sign}£{x:,.0f}"


def _share(x: float) -> str:
    return f"{x * 100:.0f}%"


def _fiscal_words(r: ProjectResult, fiscal: float) -> str:
    """The fiscal benefits, the financial return and how much of them is cashable: a fiscal
    benefit may free capacity (officer hours, bed days) without cutting any budget."""
    roi = r.financial_roi or 0.0
    cover = (
        "exceed its costs"
        if roi > 1
        else "match its costs"
        if roi == 1
        else f"cover {_share(roi)} of its costs"
    )
    cashable = r.cashable_npv + r.pv_costs
    if cashable <= 0.005:
        cash = (
            "None of it is cashable: it frees capacity (such as staff time or hospital beds) "
            "rather than cutting budgets."
        )
    elif cashable >= fiscal - 0.005:
        cash = "All of it is cashable" + (
            ": the project more than pays for itself in cash." if cashable > r.pv_costs else "."
        )
    else:
        cash = (
            f"{_money(cashable)} of it is cashable; the rest frees capacity (such as staff "
            "time or hospital beds) rather than cutting budgets."
        )
    return (
        f"Fiscal benefits (to public budgets) are {_money(fiscal)}, a financial return of "
        f"{roi:,.2f}: they {cover}. {cash}"
    )


def statement(
    case: ProjectCase, present_value_year: int | None = None, scenario: str = "central"
) -> str:
    """The value-for-money statement: the figures of the case in plain words.

    It says what the project returns for each pound (BCR and NPSV) in ``scenario``, whether it
    stays worth doing in the pessimistic scenario, how far benefits could fall before it is not
    (the switching value), what it is worth to public budgets (the financial return) and how
    much of that is cashable, the Monte Carlo chance of a negative NPSV when simulated, and what
    the figures leave out (non-monetised impacts)."""
    r = case.result
    name = r.project.name
    on = "On central estimates" if scenario == "central" else f"In the {scenario} scenario"
    words: list[str] = []
    if not r.pv_costs:
        words.append(
            f"{name} has no costs in the appraisal: its net present social value (NPSV) is its "
            f"benefits, {_money(r.npv)}."
        )
    elif r.npv >= 0:
        words.append(
            f"{on} {name} returns £{r.bcr:,.2f} of benefits for every £1 of "
            f"cost, a net present social value (NPSV) of {_money(r.npv)}."
        )
    else:
        words.append(
            f"{on} {name} costs more than it returns: £{r.bcr:,.2f} of benefits "
            f"for every £1 of cost, a net present social value (NPSV) of {_money(r.npv)}."
        )
    pessimistic = next((s for s in case.scenarios if s.scenario == "pessimistic"), None)
    if scenario == "pessimistic":
        pessimistic = None  # the figures above are the pessimistic scenario's
    if pessimistic is not None and pessimistic.npv is not None and r.pv_costs:
        if 0 <= pessimistic.npv < 0.1 * r.npv:
            words.append(
                f"It only just stays worth doing in the pessimistic scenario (NPSV "
                f"{_money(pessimistic.npv)})."
            )
        elif pessimistic.npv >= 0 and r.npv >= 0:
            words.append(
                f"It stays worth doing in the pessimistic scenario (NPSV "
                f"{_money(pessimistic.npv)}), so the case does not rest on the favourable end "
                "of the ranges."
            )
        elif r.npv >= 0:
            words.append(
                f"In the pessimistic scenario its NPSV falls to {_money(pessimistic.npv)}: the "
                "case depends on the central estimates holding."
            )
    fall = case.switching.benefits_fall
    rise = case.switching.costs_rise
    if r.npv > 0 and fall is not None:
        rise_words = f", or costs rise by {_share(rise)}," if rise is not None else ""
        words.append(
            f"Benefits would have to fall by {_share(fall)}{rise_words} before the NPSV "
            "reached zero (switching values)."
        )
    by_type = r.pv_benefits_by_value_type
    fiscal = by_type["fiscal"]
    if r.pv_costs and fiscal > 0 and r.financial_roi is not None:
        words.append(_fiscal_words(r, fiscal))
    elif r.pv_benefits and fiscal == 0 and not by_type["unspecified"]:
        kinds = " and ".join(k for k in ("economic", "social") if by_type[k] > 0)
        words.append(
            f"None of its benefits is to public budgets: its case rests on {kinds} value, not "
            "savings."
        )
    unspecified = by_type["unspecified"]
    if unspecified > 0:
        words.append(
            f"{_money(unspecified)} of its benefits have no value type (fiscal, economic or "
            "social) in the scenario files."
        )
    mc = case.monte_carlo
    if mc is not None:
        share = (
            "none"
            if mc.prob_negative == 0
            else "fewer than 0.1%"
            if mc.prob_negative < 0.001
            else f"{mc.prob_negative * 100:.1f}%"
        )
        words.append(
            f"In {mc.iterations:,} Monte Carlo draws its NPSV was below zero in {share} of "
            f"them (P5 {_money(mc.p5)}, P95 {_money(mc.p95)})."
        )
        if pessimistic is not None and pessimistic.npv is not None and pessimistic.npv < mc.p5:
            words.append(
                "The pessimistic scenario is lower than all but a few of the draws: it puts "
                "every range at its worst end at once, a stress test rather than a likely "
                "outcome."
            )
    if present_value_year is not None and r.npv_at_present_value_year is not None:
        words.append(
            f"Valued at {present_value_year}/{(present_value_year + 1) % 100:02d}, the "
            f"programme's present-value year, its NPSV is {_money(r.npv_at_present_value_year)}."
        )
    positive = [i for i in case.impacts if i.direction == "positive"]
    negative = [i for i in case.impacts if i.direction == "negative"]
    if case.impacts:
        high = [i for i in case.impacts if i.materiality == "high"]
        counts = f"{len(positive)} positive, {len(negative)} negative"
        material = f"; {len(high)} of high materiality" if high else ""
        lean = (
            f"{'they' if len(positive) != 1 else 'it'} would strengthen the case"
            if not negative
            else f"{'they weigh' if len(negative) != 1 else 'it weighs'} against the case"
            if not positive
            else "weigh them with the figures"
        )
        words.append(
            f"The figures leave out {len(case.impacts)} non-monetised "
            f"impact{'s' if len(case.impacts) != 1 else ''} ({counts}{material}): {lean}."
        )
    else:
        words.append("No non-monetised impacts are recorded.")
    if case.category is not None:
        words.append(
            f"By the {case.category.convention}, a BCR of {r.bcr:,.2f} is "
            f'"{case.category.name}" value for money (a BCR is not a pass/fail test).'
        )
    return " ".join(words)
