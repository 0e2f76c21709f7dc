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
from .model import Impact, Portfolio, SettingsPatch
from .results.appraisal import PortfolioResult, ProjectResult
from .results.economic import (
    Category,
    EconomicCase,
    MonteCarloFigures,
    ProjectCase,
    ScenarioFigures,
)
from .results.uncertainty import Simulation, SwitchingValue
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
    ``strict``, why it could not be appraised. Only the projects' own figures are read, so the
    other scenarios' options are not appraised.

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
            out[name] = appraise_case(prepare(whole, name, case.given), options=False)
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
    # Each scenario's projects by id, once: looking a project up in every scenario's list
    # would grow with the square of the portfolio.
    by_id = {
        name: _projects_by_id(appraisal)
        for name, appraisal in scenarios.items()
        if not isinstance(appraisal, str)
    }
    cases = []
    for result in base.projects if chosen is None else chosen:
        case = ProjectCase(
            result,
            switching[result.id],
            _scenario_figures(by_id, result.id),
            result.project.impacts,
            "",
            _monte_carlo_figures(simulation, result.id),
            vfm_category(result.bcr) if categories else None,
        )
        words = statement(case, base.present_value_year, base.scenario)
        cases.append(replace(case, statement=words))
    return tuple(cases)


def _projects_by_id(appraisal: PortfolioResult) -> dict[str, ProjectResult]:
    """The projects of an appraisal by id (the first of an id, should one repeat)."""
    found: dict[str, ProjectResult] = {}
    for p in appraisal.projects:
        found.setdefault(p.id, p)
    return found


def _scenario_figures(
    scenarios: Mapping[str, Mapping[str, ProjectResult]], project: str
) -> tuple[ScenarioFigures, ...]:
    """A project's NPV and BCR in each scenario appraised (its projects by id)."""
    figures = []
    for name, projects in scenarios.items():
        found = projects.get(project)
        figures.append(
            ScenarioFigures(name, found.npv, found.bcr)
            if found is not None
            else ScenarioFigures(name, None, None, included=False)
        )
    return tuple(figures)


def _monte_carlo_figures(simulation: Simulation | None, project: str) -> MonteCarloFigures | None:
    """A project's figures in the simulation, when one ran and drew the project."""
    if simulation is None or project not in simulation.projects:
        return None
    stats = simulation.projects[project]
    return MonteCarloFigures(
        simulation.iterations,
        simulation.seed,
        stats.mean,
        stats.p(5.0),
        stats.p(50.0),
        stats.p(95.0),
        stats.prob_negative,
    )


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
    pessimistic = None
    if scenario != "pessimistic":  # else the headline figures are the pessimistic scenario's
        found = [s.npv for s in case.scenarios if s.scenario == "pessimistic"]
        pessimistic = found[0] if found else None
    words = [
        _headline(r, scenario),
        *_pessimistic_words(r, pessimistic),
        *_switching_words(r, case.switching),
        *_budget_words(r),
        *_monte_carlo_words(case.monte_carlo, pessimistic),
    ]
    if present_value_year is not None and r.npv_at_present_value_year is not None:
        words.append(
            f"Valued at {present_value_year}/{(present_value_year + 1) % 100:02d}, the "
            f"programme's present-value year, its NPSV is {_money(r.npv_at_present_value_year)}."
        )
    words.append(_impact_words(case.impacts))
    if case.category is not None:
        words.append(
            f"By the {case.category.convention}, a BCR of {r.bcr:,.2f} is "
            f'"{case.category.name}" value for money (a BCR is not a pass/fail test).'
        )
    return " ".join(words)


def _headline(r: ProjectResult, scenario: str) -> str:
    """What the project returns for each pound, and its NPSV."""
    name = r.project.name
    on = "On central estimates" if scenario == "central" else f"In the {scenario} scenario"
    if not r.pv_costs:
        return (
            f"{name} has no costs in the appraisal: its net present social value (NPSV) is its "
            f"benefits, {_money(r.npv)}."
        )
    if r.bcr is None:  # it stands for an option that costs less than business as usual
        return (
            f"{on} {name} saves {_money(-r.pv_costs)} of costs against business as usual, a "
            f"net present social value (NPSV) against it of {_money(r.npv)}."
        )
    if r.npv >= 0:
        return (
            f"{on} {name} returns £{r.bcr:,.2f} of benefits for every £1 of "
            f"cost, a net present social value (NPSV) of {_money(r.npv)}."
        )
    return (
        f"{on} {name} costs more than it returns: £{r.bcr:,.2f} of benefits "
        f"for every £1 of cost, a net present social value (NPSV) of {_money(r.npv)}."
    )


def _pessimistic_words(r: ProjectResult, pessimistic: float | None) -> list[str]:
    """Whether the project stays worth doing in the pessimistic scenario (NPSV ``pessimistic``)."""
    if pessimistic is None or not r.pv_costs:
        return []
    if 0 <= pessimistic < 0.1 * r.npv:
        return [
            f"It only just stays worth doing in the pessimistic scenario (NPSV "
            f"{_money(pessimistic)})."
        ]
    if pessimistic >= 0 and r.npv >= 0:
        return [
            f"It stays worth doing in the pessimistic scenario (NPSV {_money(pessimistic)}), so "
            "the case does not rest on the favourable end of the ranges."
        ]
    if r.npv >= 0:
        return [
            f"In the pessimistic scenario its NPSV falls to {_money(pessimistic)}: the case "
            "depends on the central estimates holding."
        ]
    return []


def _switching_words(r: ProjectResult, switching: SwitchingValue) -> list[str]:
    """How far benefits could fall (or costs rise) before the NPSV reaches zero."""
    fall, rise = switching.benefits_fall, switching.costs_rise
    if r.npv <= 0 or fall is None:
        return []
    # Outturn recorded cannot fall (SPEC): the share is of the benefits still to come.
    benefits = r.benefits_that_can_fall
    if fall > 1:
        rise_words = (
            ""
            if rise is None
            else f"; costs would have to rise by {_share(rise)} to bring it to zero"
        )
        return [
            f"Its NPSV would stay above zero even if none of its {benefits.lower()} "
            f"arrived{rise_words} (switching values)."
        ]
    rise_words = f", or costs rise by {_share(rise)}," if rise is not None else ""
    return [
        f"{benefits} would have to fall by {_share(fall)}{rise_words} before the NPSV "
        "reached zero (switching values)."
    ]


def _budget_words(r: ProjectResult) -> list[str]:
    """What the benefits are worth to public budgets, and the benefits with no value type."""
    by_type = r.pv_benefits_by_value_type
    fiscal = by_type["fiscal"]
    words = []
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
    return words


def _monte_carlo_words(mc: MonteCarloFigures | None, pessimistic: float | None) -> list[str]:
    """The simulated chance of a negative NPSV, and where the pessimistic scenario falls among
    the draws."""
    if mc is None:
        return []
    share = (
        "none"
        if mc.prob_negative == 0
        else "fewer than 0.1%"
        if mc.prob_negative < 0.001
        else f"{mc.prob_negative * 100:.1f}%"
    )
    words = [
        f"In {mc.iterations:,} Monte Carlo draws its NPSV was below zero in {share} of "
        f"them (P5 {_money(mc.p5)}, P95 {_money(mc.p95)})."
    ]
    if pessimistic is not None and pessimistic < mc.p5:
        words.append(
            "The pessimistic scenario is lower than all but a few of the draws: it puts "
            "every range at its worst end at once, a stress test rather than a likely "
            "outcome."
        )
    return words


def _impact_words(impacts: Sequence[Impact]) -> str:
    """What the figures leave out: how many non-monetised impacts, and which way they lean."""
    if not impacts:
        return "No non-monetised impacts are recorded."
    positive = [i for i in impacts if i.direction == "positive"]
    negative = [i for i in impacts if i.direction == "negative"]
    high = [i for i in impacts if i.materiality == "high"]
    counts = f"{len(positive)} positive, {len(negative)} negative"
    material = f"; {len(high)} of high materiality" if high else ""
    lean = (
        f"{'they' if len(positive) != 1 else 'it'} would strengthen the case"
        if not negative
        else f"{'they weigh' if len(negative) != 1 else 'it weighs'} against the case"
        if not positive
        else "weigh them with the figures"
    )
    return (
        f"The figures leave out {len(impacts)} non-monetised "
        f"impact{'s' if len(impacts) != 1 else ''} ({counts}{material}): {lean}."
    )
