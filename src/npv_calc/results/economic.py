"""The economic case of each project (:mod:`npv_calc.economic_case`): the figures a Green Book
business case reports, and a value-for-money statement in plain words."""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Impact
from .appraisal import PortfolioResult, ProjectResult
from .uncertainty import SwitchingValue


@dataclass(frozen=True)
class ScenarioFigures:
    """A project's NPV and BCR in one scenario (``None`` when the scenario leaves it out)."""

    scenario: str
    npv: float | None
    bcr: float | None
    included: bool = True


@dataclass(frozen=True)
class MonteCarloFigures:
    """A project's simulated NPV: mean, P5, P50, P95 and the chance it is below 0."""

    iterations: int
    seed: int
    mean: float
    p5: float
    p50: float
    p95: float
    prob_negative: float


@dataclass(frozen=True)
class Category:
    """A value-for-money category by BCR, under a named convention (e.g. DfT's)."""

    name: str
    convention: str
    warning: str


@dataclass(frozen=True)
class ProjectCase:
    """The economic case of one project."""

    result: ProjectResult
    switching: SwitchingValue
    scenarios: tuple[ScenarioFigures, ...]
    impacts: tuple[Impact, ...]
    statement: str
    monte_carlo: MonteCarloFigures | None = None
    category: Category | None = None

    @property
    def id(self) -> str:
        return self.result.id


@dataclass(frozen=True)
class EconomicCase:
    """The economic case of the projects asked for, with the appraisal they come from."""

    base: PortfolioResult
    projects: tuple[ProjectCase, ...]
