"""The board pack: everything the board workbook shows, built once.

:func:`board_pack` appraises the case (unless its result is given), every other scenario with
the same ``--set``, the outturn against the plan, the switching values, the tornado, and each
project's economic case. The workbook (:mod:`npv_calc.report.workbook`) only formats the pack:
it never calls the calculation or an analysis.
"""

from __future__ import annotations

from collections.abc import Mapping

from .calculate import appraise_case
from .discount import band_rates
from .economic_case import project_cases, scenario_results
from .model import Portfolio, SettingsPatch
from .progress import against_plan
from .results.appraisal import PortfolioResult
from .results.board import BoardPack
from .results.comparison import Comparison
from .results.uncertainty import Simulation
from .scenarios import Case, case_of
from .sensitivity import sensitivity, switching_values

__all__ = ["BoardPack", "board_pack"]


def board_pack(
    subject: Case | Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
    *,
    result: PortfolioResult | None = None,
    simulation: Simulation | None = None,
    tornado: bool = True,
    changes: Comparison | None = None,
) -> BoardPack:
    """Everything the board workbook shows for a case.

    Parameters
    ----------
    subject, scenario, overrides
        A prepared case (:func:`npv_calc.scenarios.prepare`: the scenario and settings of the
        workbook), or a portfolio to prepare with a scenario and overrides.
    result
        The case's appraisal when the caller has it (``appraise_case(case)`` otherwise; a
        simulation's ``base`` when one is given).
    simulation
        A Monte Carlo simulation of the case, for the Monte Carlo sheet.
    tornado
        Run the sensitivity analysis (the tornado) for the Sensitivity sheet.
    changes
        The scenario set as it stood at the last board against this case's appraisal
        (:func:`npv_calc.compare.line_up`, for ``run --previous``): what changed since, for the
        Summary and the Changes sheet.
    """
    case = case_of(subject, scenario, overrides)
    if result is None:
        result = simulation.base if simulation is not None else appraise_case(case)
    analysis = sensitivity(case, base=result) if tornado else None
    if analysis is not None:
        values, fall = analysis.switching_values, analysis.benefits_fall_to_miss_target
    else:
        values, fall = switching_values(result)
    scenarios = scenario_results(case, result)
    return BoardPack(
        result=result,
        whole=case.source or case.portfolio,
        given=case.given,
        scenarios=scenarios,
        switching_values=values,
        benefits_fall_to_miss_target=fall,
        cases=project_cases(result, scenarios, simulation),
        band_rates=band_rates(case.settings),
        progress=against_plan(case, result) if result.as_of is not None else None,
        sensitivity=analysis,
        simulation=simulation,
        changes=changes,
    )
