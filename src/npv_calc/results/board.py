"""The board pack: everything the board workbook shows, built once by
:func:`npv_calc.board.board_pack` so that the workbook only formats it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Portfolio, SettingsPatch
from .appraisal import PortfolioResult
from .comparison import Comparison
from .economic import ProjectCase
from .realisation import Progress
from .uncertainty import Sensitivity, Simulation, SwitchingValue


@dataclass(frozen=True)
class BoardPack:
    """What a board reads, as data: the appraisal, every scenario beside it, the outturn against
    the plan, the switching values and, when they ran, the tornado and the simulation, and each
    project's economic case."""

    #: the appraisal the workbook is of (its scenario's, with the run's ``--set``)
    result: PortfolioResult
    #: the portfolio as loaded, before a named scenario's ``exclude``
    whole: Portfolio
    #: the run's own ``--set`` (without a named scenario's ``set``)
    given: SettingsPatch
    #: every scenario of the portfolio appraised with the run's ``--set`` (``result`` under its
    #: own name): its result, or why it could not be appraised
    scenarios: Mapping[str, PortfolioResult | str]
    switching_values: tuple[SwitchingValue, ...]
    #: how far the benefits counting toward the target could all fall before it is missed
    benefits_fall_to_miss_target: float | None
    #: each project's economic case (figures in every scenario, value-for-money statement)
    cases: tuple[ProjectCase, ...]
    #: the rate of each discount band (params' ``discount_bands``) under the portfolio's
    #: settings: what a project that follows the Assumptions sheet applies
    band_rates: tuple[float, ...]
    #: outturn against the plan (``None`` without ``as_of``)
    progress: Progress | None = None
    sensitivity: Sensitivity | None = None
    simulation: Simulation | None = None
    #: the scenario set as it stood at the last board (``run --previous``) against this one
    changes: Comparison | None = None
