"""The results of the uncertainty analyses: the tornado and switching values
(:mod:`npv_calc.sensitivity`) and the Monte Carlo simulation (:mod:`npv_calc.simulate`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .appraisal import PortfolioResult

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class TornadoBar:
    """One uncertain value moved to each end of its range, the rest as the scenario has them."""

    project: str
    line: str
    section: str
    index: int
    field: str
    low: float
    high: float
    npv_at_low: float
    npv_at_high: float
    #: the NPV toward the target at each end (what the target is tested against)
    toward_target_at_low: float
    toward_target_at_high: float
    #: every year in which the value's line has a flow is settled by outturn (the outturn
    #: replaces the forecast there, and a risk's expected cost no longer applies), so its range
    #: moves nothing
    settled: bool = False

    @property
    def swing(self) -> float:
        return abs(self.npv_at_high - self.npv_at_low)

    @property
    def toward_target_swing(self) -> float:
        return abs(self.toward_target_at_high - self.toward_target_at_low)


@dataclass(frozen=True)
class SwitchingValue:
    """How far a project's benefits could fall, or costs rise, before its NPV reaches 0."""

    project: str
    npv: float
    benefits_fall: float | None
    costs_rise: float | None


@dataclass(frozen=True)
class OptionTornado:
    """The tornado of one option of a shortlist: its NPV against business as usual (BAU) with
    each uncertain value of its items and of BAU's at each end of its range (``npv_at_*`` of
    each bar), largest swing first."""

    project: str
    option: str
    npv_vs_bau: float
    tornado: tuple[TornadoBar, ...]


@dataclass(frozen=True)
class Sensitivity:
    """The tornado (largest swing first), switching values, and the result they start from."""

    base: PortfolioResult
    tornado: tuple[TornadoBar, ...]
    switching_values: tuple[SwitchingValue, ...]
    benefits_fall_to_miss_target: float | None
    #: the tornado of each option other than BAU of every project with options, in file order
    options: tuple[OptionTornado, ...] = ()

    @property
    def scenario(self) -> str:
        return self.base.scenario

    def ranked(self) -> tuple[TornadoBar, ...]:
        """The bars by the measure the target is tested against: the swing of the NPV toward
        the target when there is a target (a bar of a project that does not count has none),
        else the swing of the portfolio NPV; ties keep the JSON's order."""
        if self.base.target is None:
            return self.tornado
        return tuple(sorted(self.tornado, key=lambda bar: -bar.toward_target_swing))


@dataclass(frozen=True)
class Stats:
    """Summary of the simulated NPVs of a project, of the portfolio or toward the target."""

    mean: float
    std: float
    percentiles: dict[float, float]
    prob_negative: float

    def p(self, q: float) -> float:
        return self.percentiles[q]


@dataclass(frozen=True)
class Driver:
    """How strongly one uncertain value (or a risk) moves the measure the target is tested
    against: Spearman's rank correlation of its draws with that measure, and its share of the
    sum of squared correlations."""

    project: str
    line: str
    field: str
    rank_correlation: float
    contribution: float
    #: the correlation group the value (a risk's impact) is drawn in: its rank correlation with
    #: the measure then includes the other values of its group, which move with it, so it can
    #: rank higher here than its own swing in the tornado (``None``: drawn independently)
    group: str | None = None


@dataclass(frozen=True)
class OptionOdds:
    """A shortlist under simulation (common random numbers: see
    :mod:`npv_calc.simulate.options`)."""

    project: str
    #: each option other than BAU: the share of draws in which its NPV against BAU is the
    #: highest (a tie to the option written first)
    prob_best: dict[str, float]
    #: the share of draws in which the preferred option's NPV against BAU is higher than every
    #: other option's (``None``: it is the only option besides BAU)
    prob_preferred_beats_next: float | None


@dataclass(frozen=True)
class Simulation:
    """The result of :func:`npv_calc.simulate.simulate`."""

    base: PortfolioResult  # the deterministic appraisal of the same case
    iterations: int
    seed: int
    distribution: str
    uncertain_values: int
    portfolio: Stats
    projects: dict[str, Stats]
    prob_meets_target: float | None
    #: histogram for display of the NPV toward the target (the portfolio NPV when there is no
    #: target), from P0.5 to P99.5: bar edges (len bins + 1) and counts
    histogram_edges: np.ndarray = field(repr=False)
    histogram_counts: np.ndarray = field(repr=False)
    #: the S-curve of the histogram's measure: values and the share of draws at or below each
    curve_values: np.ndarray = field(repr=False)
    curve_shares: np.ndarray = field(repr=False)
    passes: int = 1
    chunk_size: int = 0
    sampling: str = "lhs"
    #: the correlation groups whose values were drawn rank-correlated
    correlation_groups: tuple[str, ...] = ()
    #: the distribution of the NPV toward the target (``None`` without a target)
    toward_target: Stats | None = None
    mean_se: float | None = None
    prob_meets_target_se: float | None = None
    drivers: tuple[Driver, ...] = ()
    #: how many of the first draws the drivers were measured on
    driver_draws: int = 0
    replicates: int = 1
    #: correlation groups were declared but not imposed (``correlation=False``)
    correlation_ignored: bool = False
    #: each project with options: how likely each option is to be the best
    options: tuple[OptionOdds, ...] = ()

    @property
    def independent(self) -> bool:
        """Every value drawn independently (no correlation group declared or used)."""
        return not self.correlation_groups
