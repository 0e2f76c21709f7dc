"""Monte Carlo simulation of project and portfolio NPVs, vectorised over draws.

Every uncertain value with a range (``low < high``) is drawn from PERT(low, central, high) by
default, or a triangular or uniform distribution, and each risk of the risk register happens
(with its probability) or not, its impact drawn too. The uniforms behind the draws come from
:mod:`npv_calc.sampling`: Latin Hypercube sampling in replicates by default, or plain random
sampling, with the values of correlation groups rank-correlated by Iman–Conover. A value with
``low == high`` is that constant.

The package has three parts: :mod:`~npv_calc.simulate.model` compiles a case into columns to
draw and evaluates every project's NPV a chunk of draws at a time (how that is fast is told
there); :mod:`~npv_calc.simulate.statistics` gathers the statistics over the chunks; and this
module runs the passes and builds the :class:`~npv_calc.results.uncertainty.Simulation`.

Percentiles are exact order statistics with linear interpolation (numpy's default), read from
every draw of every column in one pass: kept in memory when they fit in :data:`STORE_BYTES`,
otherwise in a temporary file (:mod:`~npv_calc.simulate.spill`), so memory stays bounded
however many iterations are asked for. Only when the temporary folder has no room for them does
a second pass regenerate the same draws (same seed) and keep those that fall in the histogram
bins holding the wanted order statistics; the answers are the same whichever way.

A simulation draws at most :data:`~npv_calc.model.MAX_SIMULATED_VALUES` quantities, checked
before the first draw, and does its linear algebra with one BLAS thread
(:mod:`npv_calc.threads`).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

import numpy as np

from ..calculate import appraise_case
from ..errors import InputError, Problem, UsageError, shown_path
from ..model import (
    DISTRIBUTIONS,
    MAX_ITERATIONS,
    MAX_SEED,
    MAX_SIMULATED_VALUES,
    Portfolio,
    SettingsPatch,
)
from ..results.appraisal import PortfolioResult
from ..results.uncertainty import Driver, Simulation, Stats
from ..sampling import SAMPLING_METHODS, CorrelationPlan, Sampler, correlation_plan, stream
from ..scenarios import Case, case_of
from ..threads import blas_threads
from .model import (
    DRIVER_DRAWS,
    Key,
    Model,
    chunks,
    compile_case,
    drawn_counts,
    draws_from_uniforms,
)
from .options import option_odds
from .spill import Spill, spill_room
from .statistics import (
    PERCENTILES,
    WANTED,
    FirstPass,
    Summary,
    check_finite,
    column_bounds,
    display_histogram,
    display_range,
    percentiles_second_pass,
    rank_drivers,
    s_curve,
    standard_errors,
)

#: Draws of every project are kept in memory up to this size; beyond it, in a temporary file.
STORE_BYTES = 256 * 2**20
#: Memory for one chunk of draws and the arrays computed from it.
CHUNK_BYTES = 48 * 2**20

#: The name the benchmarks (and older callers) compile a case by.
_compile = compile_case

__all__ = [
    "CHUNK_BYTES",
    "DRIVER_DRAWS",
    "PERCENTILES",
    "STORE_BYTES",
    "Driver",
    "Simulation",
    "Stats",
    "draws",
    "simulate",
    "stream",
]

Progress = Callable[[int], None]


def simulate(
    subject: Case | Portfolio,
    iterations: int,
    *,
    seed: int | None = None,
    distribution: str = "pert",
    sampling: str = "lhs",
    correlation: bool = True,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
    progress: Progress | None = None,
    store_bytes: int = STORE_BYTES,
    chunk_bytes: int = CHUNK_BYTES,
    spill_bytes: int | None = None,
) -> Simulation:
    """Monte Carlo simulation of every project's NPV and the portfolio's.

    Parameters
    ----------
    subject
        A prepared :class:`~npv_calc.scenarios.Case`, or a portfolio (from
        :func:`npv_calc.load_portfolio`) to prepare with ``scenario`` and ``overrides``.
    iterations
        Number of draws (1 to :data:`~npv_calc.model.MAX_ITERATIONS`).
    seed
        0 to 2**32 - 1; the same seed gives the same numbers (for a sampling method). ``None``
        draws one from the operating system (and reports it, so the run can be repeated).
    distribution
        ``"pert"`` (default), ``"triangular"`` or ``"uniform"``.
    sampling
        ``"lhs"`` (default: Latin Hypercube in 10 replicates, see :mod:`npv_calc.sampling`) or
        ``"random"`` (plain Monte Carlo).
    correlation
        Impose the rank correlations of ``[correlation]`` (default); ``False`` draws every
        value independently, to show what the correlations do.
    scenario, overrides
        As for :func:`npv_calc.appraise`: settings, excluded projects, and the values of
        inputs without a range.
    progress
        Called with the number of draws done after each chunk.
    store_bytes, chunk_bytes
        Memory limits (see the module notes); the results do not depend on them.
    spill_bytes
        The most the draws may take in the temporary folder when they do not fit in
        ``store_bytes`` (default: half its free space); beyond it, a second pass. The results
        do not depend on it.

    Returns
    -------
    Simulation
        The statistics of every project's NPV, the portfolio's and the NPV toward the target,
        with the histogram, the S-curve, the standard errors and the drivers.

    Raises
    ------
    ValueError
        For ``iterations`` out of range, a seed out of range or an unknown distribution or
        sampling method.
    UsageError
        For the pessimistic or optimistic scenario (a simulation draws every range).
    InputError
        When an NPV within the ranges is too large to simulate, or the portfolio draws more
        than :data:`~npv_calc.model.MAX_SIMULATED_VALUES` quantities.
    """
    seed = _checked(subject, scenario, iterations, distribution, sampling, seed)
    with blas_threads():
        run = _Run.of(
            case_of(subject, scenario, overrides),
            iterations=iterations,
            seed=seed,
            distribution=distribution,
            sampling=sampling,
            correlation=correlation,
            store_bytes=store_bytes,
            chunk_bytes=chunk_bytes,
            spill_bytes=spill_room() if spill_bytes is None else spill_bytes,
        )
        subsample: list[np.ndarray] = []
        spill = Spill(iterations) if run.spill else None
        # An NPV too large for the computer's numbers becomes inf or nan rather than a warning:
        # check_finite then names the portfolio whose ranges did it.
        try:
            with np.errstate(all="ignore"):
                first = _first_pass(run, subsample, progress, spill)
                if first.kept is not None:
                    summary = first.stored()
                elif spill is not None:
                    summary = first.spilled()
                else:
                    summary = _second_pass(run, first)
        finally:
            if spill is not None:
                spill.close()
        result = _result(run, first, summary, subsample)
        check_finite(result, run.case)
        with np.errstate(all="ignore"):
            odds = option_odds(run.case, iterations, seed, distribution, sampling, correlation)
    return replace(result, options=odds) if odds else result


def _checked(
    subject: Case | Portfolio,
    scenario: str,
    iterations: int,
    distribution: str,
    sampling: str,
    seed: int | None,
) -> int:
    """The seed to use (one from the operating system for ``None``), once the arguments are
    known to be valid."""
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be from 1 to {MAX_ITERATIONS:,}, got {iterations}")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(
            f"unknown distribution {distribution!r}; choose from {', '.join(DISTRIBUTIONS)}"
        )
    if sampling not in SAMPLING_METHODS:
        raise ValueError(f"unknown sampling {sampling!r}; choose from lhs, random")
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be from 0 to {MAX_SEED}, got {seed}")
    named = subject.scenario if isinstance(subject, Case) else scenario
    if named in ("pessimistic", "optimistic"):
        raise UsageError(
            f"simulate draws every uncertain value, so the {named} scenario does not apply; "
            "use central or a named scenario"
        )
    return seed


@dataclass(frozen=True)
class _Run:
    """What one simulation is set to do, fixed before the first draw. Its columns are every
    project's NPV, the portfolio's, and the NPV toward the target, in that order."""

    case: Case
    base: PortfolioResult  # the deterministic appraisal of the same case
    model: Model
    plan: CorrelationPlan | None
    correlation_groups: tuple[str, ...]
    low: np.ndarray  # each column's bounds
    high: np.ndarray
    iterations: int
    seed: int
    distribution: str
    sampling: str
    correlation: bool
    chunk: int  # draws per chunk
    store: bool  # every column's draws are kept in memory
    spill: bool  # ... or else in a temporary file (with neither, a second pass)

    @classmethod
    def of(
        cls,
        case: Case,
        *,
        iterations: int,
        seed: int,
        distribution: str,
        sampling: str,
        correlation: bool,
        store_bytes: int,
        chunk_bytes: int,
        spill_bytes: int,
    ) -> _Run:
        """Count what ``case`` draws, appraise and compile it, bound its columns and plan the
        correlations (in that order, which decides which error a faulty portfolio shows
        first: one that draws too much is refused before any work)."""
        values, events = drawn_counts(case)
        if values + events > MAX_SIMULATED_VALUES:
            raise _too_many(case, values, events)
        base = appraise_case(case)
        model = compile_case(case)
        columns = len(case.projects) + 2
        low, high = column_bounds(case, columns)
        plan, groups = _plan(model, case, correlation)
        per_draw = 8 * (len(model.columns) * 2 + 3 * columns + 4)
        return cls(
            case=case,
            base=base,
            model=model,
            plan=plan,
            correlation_groups=groups,
            low=low,
            high=high,
            iterations=iterations,
            seed=seed,
            distribution=distribution,
            sampling=sampling,
            correlation=correlation,
            chunk=max(1, min(iterations, chunk_bytes // per_draw)),
            store=iterations * columns * 8 <= store_bytes,
            spill=store_bytes < iterations * columns * 8 <= spill_bytes,
        )

    @property
    def projects(self) -> int:
        """The number of projects (and the portfolio's column)."""
        return len(self.case.projects)

    @property
    def target(self) -> float | None:
        """The portfolio's target, if it has one."""
        return self.case.portfolio.target

    @property
    def shown(self) -> int:
        """The column the histogram, the S-curve and the drivers are of: the NPV toward the
        target, or the portfolio NPV when there is no target."""
        return self.projects + 1 if self.target is not None else self.projects

    def sampler(self) -> Sampler:
        """A new sampler of the run's uniforms (each gives the same draws)."""
        keys = [c.key for c in self.model.columns]
        return Sampler(keys, self.seed, self.iterations, self.sampling, self.plan)


def _too_many(case: Case, values: int, risks: int) -> InputError:
    """The error for a portfolio that draws more than a simulation can (``values`` uncertain
    values and ``risks`` risk events): what it draws, the limit, and how to stay under it."""
    drawn = f"{values:,} uncertain values" + (
        f" and {risks:,} risks that may or may not happen" if risks else ""
    )
    where = shown_path(case.portfolio.path) if case.portfolio.path else "the portfolio"
    count = len(case.projects)
    projects = f"{count:,} project" + ("" if count == 1 else "s")
    return InputError(
        [
            Problem(
                where,
                f"a simulation draws at most {MAX_SIMULATED_VALUES:,} uncertain values and "
                f"risks, and this portfolio has {drawn} (in {projects}); simulate part of the "
                "portfolio at a time (a [scenarios.NAME] with exclude = [...], or a "
                "folder of some of the project files), or fix the ranges that matter least "
                "(low = high; npv-calc sensitivity ranks them)",
            )
        ]
    )


def _first_pass(
    run: _Run, subsample: list[np.ndarray], progress: Progress | None, spill: Spill | None
) -> FirstPass:
    """Draw every iteration once, gathering the statistics (and the drivers' variables into
    ``subsample``), and keeping the draws in ``spill`` when there is one."""
    first = FirstPass(
        iterations=run.iterations,
        sampling=run.sampling,
        low=run.low,
        high=run.high,
        counts=run.model.counts,
        target=run.target,
        shown=run.shown,
        store=run.store,
        spill=spill,
    )
    for k, npvs in chunks(run.model, run.sampler(), run.distribution, run.chunk, subsample):
        first.add(k, npvs)
        if progress:
            progress(first.done)
    return first


def _second_pass(run: _Run, first: FirstPass) -> Summary:
    """The statistics when the draws were not kept: the percentiles from a second pass over
    the same draws, guided by the first pass's fine histograms."""
    percentiles = percentiles_second_pass(
        run.model,
        run.sampler(),
        run.distribution,
        run.chunk,
        run.iterations,
        run.low,
        run.high,
        first.fine,
        WANTED,
    )
    return first.streamed(percentiles)


def _result(
    run: _Run, first: FirstPass, summary: Summary, subsample: list[np.ndarray]
) -> Simulation:
    """The simulation's result from what the passes gathered."""
    shown, iterations = run.shown, run.iterations
    low, high, fine = run.low[shown], run.high[shown], first.fine[shown]
    start, stop = display_range(summary.percentiles[shown], low, high, run.target)
    edges, counts = display_histogram(fine, low, high, start, stop)
    curve_values, curve_shares = s_curve(fine, low, high, start, stop)
    probability = None if run.target is None else first.meets / iterations
    mean_se, probability_se = standard_errors(
        run.sampling,
        first.designs,
        first.design_sums,
        first.design_meets,
        summary.std[run.projects],
        probability,
    )
    drivers = rank_drivers(
        run.model, subsample, summary.measure, shown, run.sampler, run.distribution, run.chunk
    )
    return Simulation(
        base=run.base,
        iterations=iterations,
        seed=run.seed,
        distribution=run.distribution,
        uncertain_values=len(run.model.values),
        portfolio=summary.stats(run.projects),
        projects={p.id: summary.stats(i) for i, p in enumerate(run.case.projects)},
        prob_meets_target=probability,
        histogram_edges=edges,
        histogram_counts=counts,
        passes=summary.passes,
        chunk_size=run.chunk,
        sampling=run.sampling,
        correlation_groups=run.correlation_groups,
        correlation_ignored=not run.correlation and bool(run.case.portfolio.correlation.groups),
        toward_target=summary.stats(run.projects + 1) if run.target is not None else None,
        mean_se=mean_se,
        prob_meets_target_se=probability_se,
        drivers=drivers,
        driver_draws=min(iterations, DRIVER_DRAWS),
        curve_values=curve_values,
        curve_shares=curve_shares,
        replicates=len(first.designs),
    )


def _plan(
    model: Model, case: Case, correlation: bool
) -> tuple[CorrelationPlan | None, tuple[str, ...]]:
    """The Iman–Conover plan of the model's columns, and the groups it correlates."""
    if not correlation:
        return None, ()
    groups = [c.value.group if c.value is not None else None for c in model.columns]
    declared = case.portfolio.correlation
    plan = correlation_plan(groups, declared.groups, declared.between)
    return plan, tuple(sorted({g for g in groups if g is not None}))


def draws(
    subject: Case | Portfolio,
    iterations: int,
    *,
    seed: int,
    distribution: str = "pert",
    sampling: str = "lhs",
    correlation: bool = True,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
) -> dict[Key, np.ndarray]:
    """The draws :func:`simulate` makes, by column, for checking a simulation draw by draw.

    Parameters
    ----------
    subject, iterations, seed, distribution, sampling, correlation, scenario, overrides
        As for :func:`simulate`.

    Returns
    -------
    dict
        Each uncertain value's values and each risk's event (1 when it happens), keyed
        ``(project, section, line, field)`` with ``field`` ``"event"`` for a risk's event.
    """
    case = case_of(subject, scenario, overrides)
    model = compile_case(case)
    keys = [c.key for c in model.columns]
    with blas_threads():
        plan, _ = _plan(model, case, correlation)
        parts = [
            draws_from_uniforms(model, u, distribution, scale)
            for *_, u, scale in Sampler(keys, seed, iterations, sampling, plan).uniforms()
        ]
    table = np.concatenate(parts) if parts else np.zeros((iterations, len(keys)))
    return {key: table[:, c] for c, key in enumerate(keys)}
