"""The statistics of a Monte Carlo simulation, gathered over chunks of draws.

Each measure is a column: every project's NPV, the portfolio's, and the NPV toward the target.
Means and standard deviations combine chunk by chunk; each column also gets a fine histogram
over its whole possible range (between the pessimistic and optimistic appraisals, which bound
every draw), from which the display histogram and the S-curve are read.

Percentiles are exact order statistics with linear interpolation (numpy's default). The draws
of every column are kept, in memory or, when they do not fit, in a temporary file
(:mod:`~npv_calc.simulate.spill`), and the percentiles are read from them. Only when the
temporary folder has no room for them does a second pass regenerate the same draws (same seed)
and keep those that fall in the fine bins holding the wanted order statistics; the answers are
the same whichever way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from ..calculate import appraise_case, appraise_project
from ..errors import InputError, Problem, shown_path
from ..load.options import option_project
from ..model import Risk
from ..results.appraisal import PortfolioResult, ProjectResult
from ..results.uncertainty import Driver, Simulation, Stats
from ..sampling import Sampler, average_ranks, rank_correlation, replicates
from ..scenarios import Case, Mode
from .model import DRIVER_DRAWS, Model, chunks, with_columns
from .spill import Spill

#: Percentiles reported (and those the histogram's display range uses).
PERCENTILES = (5.0, 10.0, 50.0, 90.0, 95.0)
DISPLAY = (0.5, 99.5)
#: Every percentile a simulation reads: those reported and the display range's.
WANTED = (*PERCENTILES, *DISPLAY)
#: Memory for the fine histograms (over each column's whole possible range); each column gets
#: up to 65,536 bins.
FINE_BYTES = 64 * 2**20
MAX_FINE_BINS = 2**16
#: The largest NPV (in absolute value) a simulation handles: the sums of squared deviations
#: stay finite below it, far beyond any real portfolio.
MAX_SIMULATED = 1e150
#: Bars of the histogram shown in the workbook, and points of the S-curve.
DISPLAY_BINS = 40
CURVE_POINTS = 101


class _Moments:
    """Count, mean and sum of squared deviations per column, combined chunk by chunk (Chan et
    al.), which stays accurate where a running sum of squares would not."""

    def __init__(self, columns: int) -> None:
        self.n = 0
        self.mean = np.zeros(columns)
        self.m2 = np.zeros(columns)

    def add(self, x: np.ndarray) -> None:
        """Add a chunk: a row per column, a value per draw."""
        k = x.shape[1]
        mean = x.mean(axis=1)
        m2 = ((x - mean[:, None]) ** 2).sum(axis=1)
        total = self.n + k
        delta = mean - self.mean
        self.mean = self.mean + delta * (k / total)
        self.m2 = self.m2 + m2 + delta**2 * (self.n * k / total)
        self.n = total

    @property
    def std(self) -> np.ndarray:
        """The standard deviation of each column (population: divided by the count)."""
        return np.sqrt(self.m2 / self.n) if self.n else np.zeros_like(self.m2)


@dataclass(frozen=True)
class Summary:
    """Each column's moments, count of negative draws and percentiles (:data:`WANTED`)."""

    iterations: int
    mean: np.ndarray
    std: np.ndarray
    negative: np.ndarray
    percentiles: list[dict[float, float]]
    #: the shown column's first draws, for the drivers (``None``: not kept, regenerate them)
    measure: np.ndarray | None
    passes: int

    def stats(self, c: int) -> Stats:
        """The reported statistics of column ``c``."""
        return Stats(
            mean=float(self.mean[c]),
            std=float(self.std[c]),
            percentiles={q: self.percentiles[c][q] for q in PERCENTILES},
            prob_negative=float(self.negative[c] / self.iterations),
        )


class FirstPass:
    """What one pass over the draws gathers, a chunk at a time: per replicate, the sum of the
    portfolio NPVs and the count of draws that meet the target; the fine histograms; and either
    every draw of every column (when they fit in memory) or the running moments and counts of
    negative draws.

    Parameters
    ----------
    iterations
        The number of draws the pass will be given.
    sampling
        ``"lhs"`` or ``"random"`` (which fixes the replicates).
    low, high
        Each column's bounds (:func:`column_bounds`); a column is a project, the portfolio or
        the NPV toward the target, in that order.
    counts
        Whether each project counts toward the target.
    target
        The target, or ``None``.
    shown
        The column the histogram and the drivers are of.
    store
        Keep every draw in memory (percentiles are then read from them, and only the shown
        column needs a fine histogram).
    spill
        Where to keep every draw when they are not kept in memory (the same, from a temporary
        file); with neither, every column gets a fine histogram for a second pass.
    """

    def __init__(
        self,
        *,
        iterations: int,
        sampling: str,
        low: np.ndarray,
        high: np.ndarray,
        counts: np.ndarray,
        target: float | None,
        shown: int,
        store: bool,
        spill: Spill | None = None,
    ) -> None:
        columns = len(low)
        self.iterations = iterations
        self.low, self.high, self.counts = low, high, counts
        self.target, self.shown = target, shown
        self.portfolio = columns - 2
        self.moments = _Moments(columns)
        self.negative = np.zeros(columns, dtype=np.int64)
        self.designs = replicates(iterations, sampling)
        self.design_sums = np.zeros(len(self.designs))
        self.design_meets = np.zeros(len(self.designs))
        self.meets = 0
        self.fine_bins = int(np.clip(FINE_BYTES // (8 * columns), 256, MAX_FINE_BINS))
        self.spill = spill
        self.binned = range(shown, shown + 1) if store or spill else range(columns)
        self.fine = np.zeros((columns, self.fine_bins), dtype=np.int64)
        self.kept = np.empty((columns, iterations)) if store else None
        self.done = 0

    def add(self, k: int, npvs: np.ndarray) -> None:
        """Add a chunk of replicate ``k``: every project's NPVs (a row each, from
        :func:`~npv_calc.simulate.model.chunks`)."""
        size = npvs.shape[1]
        kept = self.kept
        # Kept draws are written in place; the moments and counts are then taken from them
        # once, at the end.
        table = with_columns(
            npvs, self.counts, None if kept is None else kept[:, self.done : self.done + size]
        )
        if kept is None:
            self.moments.add(table)
            self.negative += np.count_nonzero(table < 0, axis=1)
        if self.spill is not None:
            self.spill.add(table)
        self.design_sums[k] += float(np.sum(table[self.portfolio]))
        if self.target is not None:
            hits = int(np.count_nonzero(table[-1] >= self.target))
            self.meets += hits
            self.design_meets[k] += hits
        for c in self.binned:
            self.fine[c] += np.bincount(
                _bins(table[c], self.low[c], self.high[c], self.fine_bins),
                minlength=self.fine_bins,
            )
        self.done += size

    def streamed(self, percentiles: list[dict[float, float]]) -> Summary:
        """The columns' statistics when the draws were not kept: the running moments and
        counts, and ``percentiles`` from a second pass (:func:`percentiles_second_pass`)."""
        moments = self.moments
        return Summary(
            self.iterations, moments.mean, moments.std, self.negative, percentiles, None, 2
        )

    def spilled(self) -> Summary:
        """The columns' statistics when the draws were kept in a temporary file: the running
        moments and counts (as when they are not kept), and the percentiles read from each
        column's draws, one column at a time."""
        assert self.spill is not None, "the draws were not kept in a file"
        n, measure = self.iterations, None
        percentiles = []
        for c in range(len(self.low)):
            row = self.spill.column(c)
            if c == self.shown:
                measure = row[: min(n, DRIVER_DRAWS)].copy()
            percentiles += _percentiles_stored(row[np.newaxis, :], WANTED)
        moments = self.moments
        return Summary(n, moments.mean, moments.std, self.negative, percentiles, measure, 1)

    def stored(self) -> Summary:
        """The columns' statistics read from the kept draws (which this sorts in place)."""
        assert self.kept is not None, "the draws were not kept"
        kept, n = self.kept, self.iterations
        mean = np.array([row.mean() for row in kept])
        m2 = np.array([row.var() * n for row in kept])
        std = np.sqrt(m2 / n)
        measure = kept[self.shown, : min(n, DRIVER_DRAWS)].copy()
        percentiles = _percentiles_stored(kept, WANTED)
        # sorted now: the count of negative draws is where 0 would be inserted
        negative = np.array([np.searchsorted(row, 0.0, side="left") for row in kept])
        return Summary(n, mean, std, negative, percentiles, measure, 1)


def _bins(x: np.ndarray, low: float, high: float, count: int) -> np.ndarray:
    """The fine-histogram bin (of ``count`` between ``low`` and ``high``) of each value."""
    width = high - low if high > low else 1.0
    index = np.floor((x - low) * (count / width))
    return np.clip(index, 0, count - 1).astype(np.int64)


def _ranks(q: float, n: int) -> tuple[int, int, float]:
    """The order statistics (0-based) and weight of numpy's linear percentile ``q``."""
    position = q / 100.0 * (n - 1)
    below = math.floor(position)
    return below, min(below + 1, n - 1), position - below


def _lerp(a: float, b: float, weight: float) -> float:
    """The value ``weight`` of the way from ``a`` to ``b``."""
    return float(a + (b - a) * weight)


def column_bounds(case: Case, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of every column, which the fine histograms span.

    NPV is monotone in each input, so no draw can fall outside the pessimistic and optimistic
    values (a risk at its worst happens, at its best does not).

    Parameters
    ----------
    case
        The prepared case.
    columns
        The number of columns: the projects, the portfolio and the NPV toward the target.

    Returns
    -------
    tuple of numpy.ndarray
        The lowest and highest value of each column, each widened by a sliver so that
        rounding cannot put a draw outside.

    Raises
    ------
    InputError
        When an NPV within the ranges exceeds :data:`MAX_SIMULATED`, or a project or an option
        cannot be calculated at an end of its ranges.
    """
    low_case, high_case = _at_end(case, "pessimistic"), _at_end(case, "optimistic")

    def bounds(result: PortfolioResult, risks: float) -> np.ndarray:
        own = [p.npv + risks * _risk_span(p) for p in result.projects]
        counting = sum(
            o for o, p in zip(own, result.projects, strict=True) if p.counts_toward_target
        )
        return np.array([*own, sum(own), counting])

    low, high = bounds(low_case, -1.0), bounds(high_case, 1.0)
    extreme = np.maximum(np.abs(low), np.abs(high))
    if np.any(extreme > MAX_SIMULATED):
        names = [p.id for p, e in zip(case.projects, extreme, strict=False) if e > MAX_SIMULATED]
        raise _too_large(
            case,
            f"an NPV within the ranges of {', '.join(names) or 'the portfolio'} reaches "
            f"{float(np.max(extreme)):.3g}; Monte Carlo works with NPVs up to "
            f"{MAX_SIMULATED:.0e} (their squares must fit in a computer's numbers): check "
            "the high ends of the ranges for a slip",
        )
    width = float(np.max(np.abs(high - low))) if columns else 0.0
    slack = 1e-9 * max(1.0, float(np.max(np.abs(np.concatenate([low, high])))), width)
    return low - slack, high + slack


def _at_end(case: Case, mode: Mode) -> PortfolioResult:
    """The case appraised with every value at the ``mode`` end of its range, for its projects'
    own figures. The options' figures go unread, so no shortlist is built (it appraises each
    option twice: with the allowances and without); but each option is appraised once at the
    end all the same: option odds draw the options too, and one whose figures a computer cannot
    hold at an end of its ranges is refused here, before any draw."""
    end = replace(case, mode=mode)
    result = appraise_case(end, options=False)
    for project in end.projects:
        if not end.fixed and project.option(project.preferred or "") is not None:
            for option in project.options:
                appraise_project(option_project(project, option.id), end)
    return result


def _risk_span(result: ProjectResult) -> float:
    """How far a project's NPV moves from its expected-value appraisal when its risks all
    happen (down) or none does (up): the expected risk cost, and the rest of the impact."""
    total = 0.0
    for risk_result in result.risks:
        risk = risk_result.line
        if not isinstance(risk, Risk):  # a project's risks are risks; this tells the type checker
            continue
        p = risk.probability
        if 0.0 < p < 1.0:
            full = risk_result.pv / p if p else 0.0
            total += max(full - risk_result.pv, risk_result.pv)
    return total


def standard_errors(
    sampling: str,
    designs: list[tuple[int, int]],
    sums: np.ndarray,
    meets: np.ndarray,
    std: float,
    probability: float | None,
) -> tuple[float | None, float | None]:
    """Standard errors of the mean portfolio NPV and of P(target met).

    Latin Hypercube draws are not independent, so the iid formulas would misstate them; the
    replicates are, so their spread is used: ``sd(replicate estimates) / sqrt(R)``. Plain
    random draws use ``std / sqrt(n)`` and ``sqrt(p (1 - p) / n)``.

    Parameters
    ----------
    sampling
        ``"lhs"`` or ``"random"``.
    designs
        Each replicate's ``(start, stop)`` draws (:func:`npv_calc.sampling.replicates`).
    sums, meets
        Each replicate's sum of portfolio NPVs, and its count of draws meeting the target.
    std
        The standard deviation of the portfolio NPV.
    probability
        The share of draws meeting the target, or ``None`` without a target.

    Returns
    -------
    tuple of (float or None, float or None)
        The standard errors of the mean and of the probability; ``None`` where there are too
        few draws or replicates to tell (or, for the probability, no target).
    """
    n = int(sum(stop - start for start, stop in designs))
    if sampling == "random":
        if n < 2:
            return None, None
        mean_se = float(std) / math.sqrt(n)
        probability_se = (
            None if probability is None else math.sqrt(probability * (1 - probability) / n)
        )
        return mean_se, probability_se
    if len(designs) < 2:
        return None, None
    sizes = np.array([stop - start for start, stop in designs], dtype=float)
    means = sums / sizes
    mean_se = float(np.std(means, ddof=1) / math.sqrt(len(designs)))
    probability_se = None
    if probability is not None:
        shares = meets / sizes
        probability_se = float(np.std(shares, ddof=1) / math.sqrt(len(designs)))
    return mean_se, probability_se


def rank_drivers(
    model: Model,
    subsample: list[np.ndarray],
    measure: np.ndarray | None,
    shown: int,
    sampler: Callable[[], Sampler],
    distribution: str,
    chunk: int,
) -> tuple[Driver, ...]:
    """Rank what moves the measure the target is tested against.

    Parameters
    ----------
    model
        The compiled model.
    subsample
        The driver variables of the first :data:`~npv_calc.simulate.model.DRIVER_DRAWS` draws
        (collected by :func:`~npv_calc.simulate.model.chunks`).
    measure
        The shown column over the same draws, or ``None`` to regenerate it.
    shown
        The column to rank against: the NPV toward the target, or the portfolio NPV.
    sampler, distribution, chunk
        What regenerates the draws (the same seed gives the same draws).

    Returns
    -------
    tuple of Driver
        Spearman's rank correlation of each uncertain value (and each risk's realised cost)
        with the measure, and its share of the sum of squares, largest first.
    """
    if not model.drivers or not subsample:
        return ()
    variables = np.concatenate(subsample)
    m = variables.shape[0]
    if measure is None:  # regenerate the first draws' NPVs (the same seed gives the same draws)
        rows = []
        for _, npvs in chunks(model, sampler(), distribution, chunk):
            rows.append(with_columns(npvs, model.counts)[shown])
            if sum(len(r) for r in rows) >= m:
                break
        measure = np.concatenate(rows)[:m]
    ranked = average_ranks(measure)
    correlations = [
        rank_correlation(average_ranks(variables[:, d]), ranked) for d in range(variables.shape[1])
    ]
    squares = sum(r * r for r in correlations)
    drivers = [
        Driver(project, line, field_, r, (r * r / squares) if squares else 0.0, group)
        for (project, line, field_, group, *_), r in zip(model.drivers, correlations, strict=True)
    ]
    drivers.sort(key=lambda d: -abs(d.rank_correlation))
    return tuple(drivers)


def check_finite(result: Simulation, case: Case) -> None:
    """Refuse a result with a figure that is not finite.

    Parameters
    ----------
    result
        The simulation's result.
    case
        The case simulated (for the file the error names).

    Raises
    ------
    InputError
        When a mean, standard deviation or percentile overflowed.
    """
    figures = [result.portfolio.mean, result.portfolio.std, *result.portfolio.percentiles.values()]
    for stats in result.projects.values():
        figures += [stats.mean, stats.std, *stats.percentiles.values()]
    if not all(math.isfinite(f) for f in figures):
        raise _too_large(
            case,
            "the simulated NPVs are more than a computer can hold; check the ranges for a slip",
        )


def _too_large(case: Case, message: str) -> InputError:
    """The error for NPVs beyond what the simulation can hold, naming the portfolio's file."""
    where = shown_path(case.portfolio.path) if case.portfolio.path else "the portfolio"
    return InputError([Problem(where, message)])


def _percentiles_stored(values: np.ndarray, wanted: tuple[float, ...]) -> list[dict[float, float]]:
    """Percentiles of each row of ``values`` (a row per column; reordered in place)."""
    n = values.shape[1]
    ranks = sorted({r for q in wanted for r in _ranks(q, n)[:2]})
    out = []
    for row in values:
        # A full sort is faster than a partition at a dozen ranks (numpy sorts with SIMD).
        row.sort() if len(ranks) > 2 else row.partition(ranks)
        out.append({q: _lerp(row[a], row[b], w) for q in wanted for a, b, w in [_ranks(q, n)]})
    return out


def percentiles_second_pass(
    model: Model,
    sampler: Sampler,
    distribution: str,
    chunk: int,
    iterations: int,
    low: np.ndarray,
    high: np.ndarray,
    fine: np.ndarray,
    wanted: tuple[float, ...],
) -> list[dict[float, float]]:
    """Exact percentiles without keeping every draw.

    Find the fine bin of each wanted rank from the first pass's counts, then regenerate the
    draws and keep only those bins.

    Parameters
    ----------
    model, sampler, distribution, chunk
        What regenerates the first pass's draws (a new sampler with the same seed).
    iterations
        The number of draws.
    low, high, fine
        Each column's bounds and fine histogram, from the first pass.
    wanted
        The percentiles to find.

    Returns
    -------
    list of dict
        For each column, each wanted percentile's value: the same as from the kept draws.
    """
    columns = fine.shape[0]
    needed = _where_ranks(fine, iterations, wanted)
    wanted_bins = [sorted({b for b, _ in needed[c].values()}) for c in range(columns)]
    collected: list[dict[int, list[np.ndarray]]] = [
        {b: [] for b in wanted_bins[c]} for c in range(columns)
    ]
    for _, npvs in chunks(model, sampler, distribution, chunk):
        table = with_columns(npvs, model.counts)
        for c in range(columns):
            bins = _bins(table[c], low[c], high[c], fine.shape[1])
            for b in wanted_bins[c]:
                collected[c][b].append(table[c][bins == b])
    out = []
    for c in range(columns):
        ordered = {b: np.sort(np.concatenate(parts)) for b, parts in collected[c].items()}

        def value(rank: int, c: int = c, ordered: dict[int, np.ndarray] = ordered) -> float:
            b, within = needed[c][rank]
            return float(ordered[b][within])

        out.append(
            {q: _lerp(value(a), value(b), w) for q in wanted for a, b, w in [_ranks(q, iterations)]}
        )
    return out


def _where_ranks(
    fine: np.ndarray, iterations: int, wanted: tuple[float, ...]
) -> list[dict[int, tuple[int, int]]]:
    """For each column, the fine bin of each order statistic the wanted percentiles read, and
    its rank within that bin: ``rank -> (bin, rank within bin)``."""
    cumulative = np.cumsum(fine, axis=1)
    needed: list[dict[int, tuple[int, int]]] = []
    for c in range(fine.shape[0]):
        ranks = {r for q in wanted for r in _ranks(q, iterations)[:2]}
        where = {}
        for rank in ranks:
            b = int(np.searchsorted(cumulative[c], rank, side="right"))
            before = int(cumulative[c][b - 1]) if b else 0
            where[rank] = (b, rank - before)
        needed.append(where)
    return needed


def display_range(
    percentiles: dict[float, float], low: float, high: float, target: float | None
) -> tuple[float, float]:
    """Where the display histogram and the S-curve of a column start and stop.

    Parameters
    ----------
    percentiles
        The column's percentiles (with those of :data:`DISPLAY`).
    low, high
        The column's bounds.
    target
        The target, or ``None``.

    Returns
    -------
    tuple of float
        From P0.5 to P99.5, widened to show the target when it lies within the bounds.
    """
    start, stop = percentiles[DISPLAY[0]], percentiles[DISPLAY[1]]
    if target is not None and low <= target <= high:
        # Keep the target on the charts with room on both sides, so that the draws just short
        # of it (the ones that miss) show beside it.
        margin = 0.1 * (max(stop, target) - min(start, target))
        start = max(min(start, target - margin), low)
        stop = min(max(stop, target + margin), high)
    return start, stop


def _window(
    fine: np.ndarray, low: float, high: float, start: float, stop: float
) -> tuple[int, int, float] | None:
    """The first and last fine bins from ``start`` to ``stop``, and the bins' width (``None``
    when the range is empty)."""
    count = fine.shape[0]
    width = (high - low) / count if high > low else 0.0
    if width == 0.0 or stop <= start:
        return None
    first = int(np.clip(np.floor((start - low) / width), 0, count - 1))
    last = int(np.clip(np.floor((stop - low) / width), first, count - 1))
    return first, last, width


def display_histogram(
    fine: np.ndarray, low: float, high: float, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """The histogram shown: about :data:`DISPLAY_BINS` bars, made of whole fine bins.

    Parameters
    ----------
    fine
        The column's fine histogram.
    low, high
        The column's bounds (the fine histogram's range).
    start, stop
        The display range (:func:`display_range`). The tails beyond are left out (the sheet
        says so) rather than piled into the end bars.

    Returns
    -------
    tuple of numpy.ndarray
        The bars' edges (one more than the bars) and their counts.
    """
    window = _window(fine, low, high, start, stop)
    if window is None:
        return np.array([start, stop if stop > start else start + 1.0]), np.array([int(fine.sum())])
    first, last, width = window
    per_bar = max(1, math.ceil((last - first + 1) / DISPLAY_BINS))
    bars = math.ceil((last - first + 1) / per_bar)
    edges = low + width * (first + per_bar * np.arange(bars + 1))
    counts = np.array(
        [
            int(fine[first + i * per_bar : min(first + (i + 1) * per_bar, fine.shape[0])].sum())
            for i in range(bars)
        ]
    )
    return edges, counts


def s_curve(
    fine: np.ndarray, low: float, high: float, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """The S-curve: the share of draws at or below each of :data:`CURVE_POINTS` values.

    Parameters
    ----------
    fine, low, high, start, stop
        As for :func:`display_histogram`.

    Returns
    -------
    tuple of numpy.ndarray
        Values from ``start`` to ``stop`` (fine-bin edges) and the share of draws at or below
        each, exact since the values are bin edges.
    """
    total = float(fine.sum())
    window = _window(fine, low, high, start, stop)
    if window is None or total == 0:
        return np.array([start]), np.array([1.0])
    first, last, width = window
    cumulative = np.cumsum(fine) / total
    picks = np.unique(np.linspace(first, last, CURVE_POINTS).round().astype(int))
    return low + width * (picks + 1), cumulative[picks]
