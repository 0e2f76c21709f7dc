"""Monte Carlo simulation of project and portfolio NPVs, vectorised over draws.

Every uncertain value with a range (``low < high``) is drawn from PERT(low, central, high) by
default, or a triangular or uniform distribution, and each risk of the risk register happens
(with its probability) or not, its impact drawn too. The uniforms behind the draws come from
:mod:`npv_calc.sampling`: Latin Hypercube sampling in replicates by default, or plain random
sampling, with the values of correlation groups rank-correlated by Iman–Conover. A value with
``low == high`` is that constant.

How it is fast: a line's present value factorises as ``PV = F x A x S``, where ``F`` is the
product of its adjustment factors (scale, optimism bias, deadweight, displacement, attribution,
price factor), ``A`` its annual amount (or quantity x unit value) and
``S = sum_t DF(t) g^(t - first)`` over the line's years, with ``g`` its yearly change. Each is a
vector over draws only where an input is uncertain, so a chunk of draws costs a few vector
operations per line, and lines with no uncertain input are a constant. A risk's present value
is ``event x impact x price factor x sum_t DF(t)`` over its years.

Percentiles are exact order statistics with linear interpolation (numpy's default). When the
draws of every project fit in :data:`STORE_BYTES` they are kept and the percentiles read from
them; otherwise a second pass regenerates the same draws (same seed) and keeps only those that
fall in the histogram bins holding the wanted order statistics, so memory stays bounded however
many iterations are asked for, and the answers are the same.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .calculate import (
    appraise_case,
    case_flows,
    case_risk_flows,
    outturn_factor,
    outturn_offsets,
    price_factor,
    settled_years,
)
from .discount import settings_factors
from .errors import InputError, Problem, UsageError, shown_path
from .model import (
    DISTRIBUTIONS,
    MAX_ITERATIONS,
    MAX_SEED,
    Line,
    Portfolio,
    Project,
    Risk,
    SettingsPatch,
    Uncertain,
)
from .results.appraisal import PortfolioResult
from .results.uncertainty import Driver, Simulation, Stats
from .sampling import (
    SAMPLING_METHODS,
    CorrelationPlan,
    Sampler,
    average_ranks,
    correlation_plan,
    inverse,
    rank_correlation,
    replicates,
    stream,
)
from .scenarios import Case, case_of

#: Percentiles reported (and those the histogram's display range uses).
PERCENTILES = (5.0, 10.0, 50.0, 90.0, 95.0)
_DISPLAY = (0.5, 99.5)
#: Draws of every project are kept in memory up to this size; beyond it, a second pass.
STORE_BYTES = 256 * 2**20
#: Memory for one chunk of draws and the arrays computed from it.
CHUNK_BYTES = 48 * 2**20
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
#: Drivers are measured on the first draws (Spearman's rank correlation of 10,000 draws has a
#: standard error of about 0.01, ample to rank them).
DRIVER_DRAWS = 10_000

__all__ = ["Driver", "Simulation", "Stats", "draws", "simulate"]

Progress = Callable[[int], None]
Key = tuple[str, str, int, str]


# -- the vectorised model ---------------------------------------------------------------------

Vector = float | np.ndarray


@dataclass
class _Column:
    """A drawn quantity: an uncertain value, or a risk's event (``value`` is then ``None``)."""

    key: Key
    value: Uncertain | None
    probability: float = 0.0


@dataclass
class _Line:
    """A line's PV as F x A x S, each part a constant or a function of drawn columns."""

    sign: float
    constant: float  # the PV when nothing is drawn; otherwise the product of fixed parts
    drawn: bool
    factors: list[tuple[int, str]]  # (column, how: "x", "1+x", "1-x")
    amount: list[int]  # columns multiplied in (annual, or quantity and unit value, or impact)
    growth: int | None  # column of growth
    drop: int | None  # column of drop-off
    growth_fixed: float
    drop_fixed: float
    window: np.ndarray  # discount factors over the line's years
    steps: np.ndarray  # t - first over the line's years
    section: str
    event: int | None = None  # a risk's event column (1 if it happens, else 0)


@dataclass
class _Model:
    columns: list[_Column]
    projects: list[list[_Line]]
    counts: np.ndarray  # bool per project: counts toward the target
    #: drivers: (project id, line name, field, column of the draw, or the risk line)
    drivers: list[tuple[str, str, str, int | _Line]]

    @property
    def values(self) -> list[tuple[Key, Uncertain]]:
        return [(c.key, c.value) for c in self.columns if c.value is not None]


_FACTOR_HOW = {
    "scale": "x",
    "attribution": "x",
    "deadweight": "1-x",
    "displacement": "1-x",
}


def _compile(case: Case) -> _Model:
    columns: list[_Column] = []
    projects: list[list[_Line]] = []
    drivers: list[tuple[str, str, str, int | _Line]] = []
    for project in case.projects:
        settings = case.settings_for(project)
        horizon = settings.horizon
        df = settings_factors(horizon, settings)
        lines = []
        for line in project.all_lines:
            start = len(columns)
            compiled = _compile_line(case, project, line, df, horizon, columns)
            lines.append(compiled)
            offsets = outturn_offsets(case, project, line)
            if offsets and compiled.drawn:
                # Years with outturn are fixed in every draw: the drawn part leaves them out
                # (see _compile_line) and they come back here as a constant.
                factor = outturn_factor(case, project, line, settings)
                fixed = sum(amount * factor * df[t] for t, amount in offsets.items())
                lines.append(
                    _Line(
                        compiled.sign,
                        float(fixed),
                        False,
                        [],
                        [],
                        None,
                        None,
                        0.0,
                        0.0,
                        df[:0],
                        df[:0],
                        line.section,
                    )
                )
            drivers += [
                (project.id, line.name, c.key[3], i)
                for i, c in enumerate(columns[start:], start=start)
            ]
        for risk in project.risks:
            compiled = _compile_risk(case, project, risk, df, horizon, columns)
            lines.append(compiled)
            if compiled.drawn:
                drivers.append((project.id, risk.name, "risk", compiled))
        projects.append(lines)
    counts = np.array([case.counts_toward_target(p) for p in case.projects], dtype=bool)
    return _Model(columns, projects, counts, drivers)


def _compile_line(
    case: Case,
    project: Project,
    line: Line,
    df: np.ndarray,
    horizon: int,
    columns: list[_Column],
) -> _Line:
    settings = case.settings_for(project)
    price = price_factor(case, line, settings)
    sign = -1.0 if line.section == "costs" else 1.0
    drawn_fields = {name for name, _ in line.uncertain()}
    if not drawn_fields:
        pv = float(case_flows(case, project, line, settings) @ df)
        return _Line(sign, pv, False, [], [], None, None, 0.0, 0.0, df[:0], df[:0], line.section)

    def column(name: str) -> int | None:
        if name not in drawn_fields:
            return None
        columns.append(_Column((project.id, line.section, line.index, name), getattr(line, name)))
        return len(columns) - 1

    constant = price
    factors: list[tuple[int, str]] = []
    ob_how = "1+x" if line.section == "costs" else "1-x"
    hows = {"scale": "x", "optimism_bias": ob_how}
    if line.section == "benefits":
        hows.update(_FACTOR_HOW)
    for name, how in hows.items():
        index = column(name)
        if index is not None:
            factors.append((index, how))
            continue
        value = (
            case.optimism_bias(project, line)
            if name == "optimism_bias"
            else case.pick(project, line, name)
        )
        constant *= {"x": value, "1+x": 1.0 + value, "1-x": 1.0 - value}[how]

    amount: list[int] = []
    growth = drop = None
    growth_fixed = drop_fixed = 0.0
    # Years with outturn are not drawn (they come back as a constant: see _compile).
    forecast = np.ones(horizon)
    forecast[list(outturn_offsets(case, project, line))] = 0.0
    if line.amounts is not None:
        padded = np.zeros(horizon)
        padded[: len(line.amounts)] = line.amounts
        constant *= float(padded @ (df * forecast))
        window = steps = df[:0]
    else:
        for name in ("annual",) if line.annual is not None else ("quantity", "unit_value"):
            index = column(name)
            if index is None:
                constant *= case.pick(project, line, name)
            else:
                amount.append(index)
        first, last = line.years if line.years is not None else (0, horizon - 1)
        window = (df * forecast)[first : last + 1]
        steps = np.arange(last - first + 1, dtype=float)
        growth = column("growth")
        growth_fixed = case.pick(project, line, "growth")
        if line.section == "benefits":
            drop = column("drop_off")
            drop_fixed = case.pick(project, line, "drop_off")
        if growth is None and drop is None:
            change = (1.0 + growth_fixed) * (1.0 - drop_fixed)
            constant *= float(window @ change**steps)
    return _Line(
        sign,
        constant,
        True,
        factors,
        amount,
        growth,
        drop,
        growth_fixed,
        drop_fixed,
        window,
        steps,
        line.section,
    )


def _compile_risk(
    case: Case,
    project: Project,
    risk: Risk,
    df: np.ndarray,
    horizon: int,
    columns: list[_Column],
) -> _Line:
    """A risk: its cost is ``impact x price factor x sum DF`` over its years when it happens."""
    settings = case.settings_for(project)
    first, last = risk.years
    # Years the project's outturn has settled carry no risk (calculate.settled_years).
    first = max(first, settled_years(case, project))
    window_pv = float(np.sum(df[first : last + 1])) * price_factor(case, risk, settings)  # type: ignore[arg-type]
    empty = df[:0]
    if not 0.0 < risk.probability < 1.0 and not risk.uncertain():
        pv = float(case_risk_flows(case, project, risk, settings) @ df)
        return _Line(-1.0, pv, False, [], [], None, None, 0.0, 0.0, empty, empty, "risks")
    event = None
    constant = window_pv
    if 0.0 < risk.probability < 1.0:
        columns.append(_Column((project.id, "risks", risk.index, "event"), None, risk.probability))
        event = len(columns) - 1
    elif risk.probability == 0.0:
        constant = 0.0
    amount = []
    if risk.uncertain():
        columns.append(_Column((project.id, "risks", risk.index, "impact"), risk.impact))  # type: ignore[arg-type]
        amount.append(len(columns) - 1)
    else:
        constant *= case.pick(project, risk, "impact")  # type: ignore[arg-type]
    return _Line(
        -1.0, constant, True, [], amount, None, None, 0.0, 0.0, empty, empty, "risks", event
    )


def _line_pv(line: _Line, draws: np.ndarray) -> Vector:
    if not line.drawn:
        return line.constant
    pv: Vector = line.constant
    for index, how in line.factors:
        x = draws[:, index]
        pv = pv * (x if how == "x" else (1.0 + x if how == "1+x" else 1.0 - x))
    for index in line.amount:
        pv = pv * draws[:, index]
    if line.event is not None:
        pv = pv * draws[:, line.event]
    if line.growth is not None or line.drop is not None:
        growth = draws[:, line.growth] if line.growth is not None else line.growth_fixed
        change = 1.0 + growth
        if line.drop is not None:
            change = change * (1.0 - draws[:, line.drop])
        elif line.drop_fixed:
            change = change * (1.0 - line.drop_fixed)
        # an explicit row sum: a matrix product would add in an order that depends on the
        # number of draws, and the results must not depend on the chunk size
        sums = (np.power.outer(change, line.steps) * line.window).sum(axis=1)
        pv = pv * sums
    if np.ndim(pv) == 0:
        return float(pv)
    return pv


def _draws(model: _Model, u: np.ndarray, distribution: str, scale: float = 1.0) -> np.ndarray:
    """Values from uniforms ``u x scale``, in place, column by column: inverse CDFs, and
    events (1 when the risk happens) as ``u x scale < p``. Each transform is increasing, so
    ranks are kept."""
    for c, column in enumerate(model.columns):
        target = u[:, c]
        if column.value is None:
            np.copyto(target, target < column.probability / scale)
        else:
            v = column.value
            inverse(target, v.low, v.central, v.high, distribution, out=target, scale=scale)
    return u


def _npvs(model: _Model, draws: np.ndarray) -> np.ndarray:
    npvs = np.empty((len(model.projects), draws.shape[0]))
    for p, lines in enumerate(model.projects):
        total: Vector = 0.0
        for line in lines:
            total = total + line.sign * _line_pv(line, draws)
        npvs[p] = total
    return npvs


def _chunks(
    model: _Model,
    sampler: Sampler,
    distribution: str,
    chunk: int,
    subsample: list[np.ndarray] | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """``(replicate, project NPVs)`` a chunk of draws at a time (a row per project); the same
    for a seed whatever the chunk size. ``subsample`` collects the first draws' driver
    variables (values' uniforms, risks' realised costs)."""
    for k, start, stop, u, scale in sampler.uniforms():
        draws = _draws(model, u, distribution, scale)
        if subsample is not None and start < DRIVER_DRAWS:
            keep = min(stop, DRIVER_DRAWS) - start
            subsample.append(_driver_variables(model, draws[:keep]))
        for a in range(0, stop - start, chunk):
            yield k, _npvs(model, draws[a : a + chunk])


def _driver_variables(model: _Model, draws: np.ndarray) -> np.ndarray:
    """A column per driver: a value's draws, or a risk's realised cost."""
    out = np.empty((draws.shape[0], len(model.drivers)))
    for d, (*_, source) in enumerate(model.drivers):
        if isinstance(source, int):
            out[:, d] = draws[:, source]
        else:
            out[:, d] = np.asarray(_line_pv(source, draws)) * np.ones(draws.shape[0])
    return out


# -- statistics ---------------------------------------------------------------------------


class _Moments:
    """Count, mean and sum of squared deviations per column, combined chunk by chunk (Chan et
    al.), which stays accurate where a running sum of squares would not."""

    def __init__(self, columns: int):
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
        return np.sqrt(self.m2 / self.n) if self.n else np.zeros_like(self.m2)


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
    return float(a + (b - a) * weight)


def _with_columns(
    npvs: np.ndarray, counts: np.ndarray, out: np.ndarray | None = None
) -> np.ndarray:
    """Rows: the projects, then the portfolio, then the NPV toward the target."""
    # Projects are added one at a time, in order, so that each draw's totals are the same
    # whatever the chunk size (a reduction over axis 0 may change its order with the shape).
    table = np.empty((npvs.shape[0] + 2, npvs.shape[1])) if out is None else out
    table[:-2] = npvs
    portfolio, toward = table[-2], table[-1]
    portfolio[:] = 0.0
    toward[:] = 0.0
    for row, counts_toward in zip(npvs, counts, strict=True):
        portfolio += row
        if counts_toward:
            toward += row
    return table


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

    Raises
    ------
    ValueError
        For ``iterations`` out of range, a seed out of range or an unknown distribution or
        sampling method.
    InputError
        When an NPV within the ranges is too large to simulate.
    """
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

    case = case_of(subject, scenario, overrides)
    base = appraise_case(case)
    model = _compile(case)
    projects = len(case.projects)
    columns = projects + 2
    low, high = _bounds(case, columns)

    keys = [c.key for c in model.columns]
    plan, used_groups = _plan(model, case, correlation)

    per_draw = 8 * (len(model.columns) * 2 + 3 * columns + 4)
    chunk = max(1, min(iterations, chunk_bytes // per_draw))
    store = iterations * columns * 8 <= store_bytes
    target = case.portfolio.target
    shown = columns - 1 if target is not None else projects

    def sampler() -> Sampler:
        return Sampler(keys, seed, iterations, sampling, plan)

    moments = _Moments(columns)
    negative = np.zeros(columns, dtype=np.int64)
    designs = replicates(iterations, sampling)
    design_sums = np.zeros(len(designs))
    design_meets = np.zeros(len(designs))
    meets = 0
    fine_bins = int(np.clip(FINE_BYTES // (8 * columns), 256, MAX_FINE_BINS))
    binned = range(shown, shown + 1) if store else range(columns)
    fine = np.zeros((columns, fine_bins), dtype=np.int64)
    kept = np.empty((columns, iterations)) if store else None
    subsample: list[np.ndarray] = []
    done = 0
    with np.errstate(all="ignore"):
        for k, npvs in _chunks(model, sampler(), distribution, chunk, subsample):
            size = npvs.shape[1]
            # Kept draws are written in place; the moments and counts are then taken from them
            # once, at the end.
            table = _with_columns(
                npvs, model.counts, None if kept is None else kept[:, done : done + size]
            )
            if kept is None:
                moments.add(table)
                negative += np.count_nonzero(table < 0, axis=1)
            design_sums[k] += float(np.sum(table[projects]))
            if target is not None:
                hits = int(np.count_nonzero(table[-1] >= target))
                meets += hits
                design_meets[k] += hits
            for c in binned:
                fine[c] += np.bincount(
                    _bins(table[c], low[c], high[c], fine_bins), minlength=fine_bins
                )
            done += size
            if progress:
                progress(done)

        wanted = (*PERCENTILES, *_DISPLAY)
        passes = 1
        if kept is not None:
            moments.n = iterations
            moments.mean = np.array([row.mean() for row in kept])
            moments.m2 = np.array([row.var() * iterations for row in kept])
            measure = kept[shown, : min(iterations, DRIVER_DRAWS)].copy()
            percentiles = _percentiles_stored(kept, wanted)
            # sorted now: the count of negative draws is where 0 would be inserted
            negative = np.array([np.searchsorted(row, 0.0, side="left") for row in kept])
        else:
            passes = 2
            measure = None
            percentiles = _percentiles_second_pass(
                model, sampler(), distribution, chunk, iterations, low, high, fine, wanted
            )

    def stats(c: int) -> Stats:
        return Stats(
            mean=float(moments.mean[c]),
            std=float(moments.std[c]),
            percentiles={q: percentiles[c][q] for q in PERCENTILES},
            prob_negative=float(negative[c] / iterations),
        )

    start, stop = percentiles[shown][_DISPLAY[0]], percentiles[shown][_DISPLAY[1]]
    if target is not None and low[shown] <= target <= high[shown]:
        # Keep the target on the charts with room on both sides, so that the draws just short
        # of it (the ones that miss) show beside it.
        margin = 0.1 * (max(stop, target) - min(start, target))
        start = max(min(start, target - margin), low[shown])
        stop = min(max(stop, target + margin), high[shown])
    edges, counts = _display_histogram(fine[shown], low[shown], high[shown], start, stop)
    curve_values, curve_shares = _curve(fine[shown], low[shown], high[shown], start, stop)
    probability = None if target is None else meets / iterations
    mean_se, probability_se = _standard_errors(
        sampling, designs, design_sums, design_meets, moments.std[projects], probability
    )
    result = Simulation(
        base=base,
        iterations=iterations,
        seed=seed,
        distribution=distribution,
        uncertain_values=len(model.values),
        portfolio=stats(projects),
        projects={p.id: stats(i) for i, p in enumerate(case.projects)},
        prob_meets_target=probability,
        histogram_edges=edges,
        histogram_counts=counts,
        passes=passes,
        chunk_size=chunk,
        sampling=sampling,
        correlation_groups=used_groups,
        correlation_ignored=not correlation and bool(case.portfolio.correlation.groups),
        toward_target=stats(columns - 1) if target is not None else None,
        mean_se=mean_se,
        prob_meets_target_se=probability_se,
        drivers=_drivers(model, subsample, measure, shown, sampler, distribution, chunk),
        driver_draws=min(iterations, DRIVER_DRAWS),
        curve_values=curve_values,
        curve_shares=curve_shares,
        replicates=len(designs),
    )
    _check_finite(result, case)
    return result


def _plan(
    model: _Model, case: Case, correlation: bool
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
    """The draws :func:`simulate` makes, by column: each uncertain value's values and each
    risk's event (1 when it happens), keyed ``(project, section, line, field)`` with ``field``
    ``"event"`` for a risk's event. For checking a simulation draw by draw."""
    case = case_of(subject, scenario, overrides)
    model = _compile(case)
    keys = [c.key for c in model.columns]
    plan, _ = _plan(model, case, correlation)
    parts = [
        _draws(model, u, distribution, scale)
        for *_, u, scale in Sampler(keys, seed, iterations, sampling, plan).uniforms()
    ]
    table = np.concatenate(parts) if parts else np.zeros((iterations, len(keys)))
    return {key: table[:, c] for c, key in enumerate(keys)}


def _bounds(case: Case, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of every column: NPV is monotone in each input, so no draw can fall outside the
    pessimistic and optimistic values (a risk at its worst happens, at its best does not)."""
    low_case = appraise_case(replace(case, mode="pessimistic"))
    high_case = appraise_case(replace(case, mode="optimistic"))

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
        raise InputError(
            [
                Problem(
                    shown_path(case.portfolio.path) if case.portfolio.path else "the portfolio",
                    f"an NPV within the ranges of {', '.join(names) or 'the portfolio'} reaches "
                    f"{float(np.max(extreme)):.3g}; Monte Carlo works with NPVs up to "
                    f"{MAX_SIMULATED:.0e} (their squares must fit in a computer's numbers): check "
                    "the high ends of the ranges for a slip",
                )
            ]
        )
    width = float(np.max(np.abs(high - low))) if columns else 0.0
    slack = 1e-9 * max(1.0, float(np.max(np.abs(np.concatenate([low, high])))), width)
    return low - slack, high + slack


def _risk_span(result: Any) -> float:
    """How far a project's NPV moves from its expected-value appraisal when its risks all
    happen (down) or none does (up): the expected risk cost, and the rest of the impact."""
    total = 0.0
    for risk_result in result.risks:
        risk = risk_result.line
        p = risk.probability
        if 0.0 < p < 1.0:
            full = risk_result.pv / p if p else 0.0
            total += max(full - risk_result.pv, risk_result.pv)
    return total


def _standard_errors(
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


def _drivers(
    model: _Model,
    subsample: list[np.ndarray],
    measure: np.ndarray | None,
    shown: int,
    sampler: Callable[[], Sampler],
    distribution: str,
    chunk: int,
) -> tuple[Driver, ...]:
    """Spearman's rank correlation of each uncertain value (and each risk's realised cost) with
    the measure the target is tested against, over the first :data:`DRIVER_DRAWS` draws."""
    if not model.drivers or not subsample:
        return ()
    variables = np.concatenate(subsample)
    m = variables.shape[0]
    if measure is None:  # regenerate the first draws' NPVs (the same seed gives the same draws)
        rows = []
        for _, npvs in _chunks(model, sampler(), distribution, chunk):
            rows.append(_with_columns(npvs, model.counts)[shown])
            if sum(len(r) for r in rows) >= m:
                break
        measure = np.concatenate(rows)[:m]
    ranked = average_ranks(measure)
    correlations = [
        rank_correlation(average_ranks(variables[:, d]), ranked) for d in range(variables.shape[1])
    ]
    squares = sum(r * r for r in correlations)
    drivers = [
        Driver(project, line, field_, r, (r * r / squares) if squares else 0.0)
        for (project, line, field_, _), r in zip(model.drivers, correlations, strict=True)
    ]
    drivers.sort(key=lambda d: -abs(d.rank_correlation))
    return tuple(drivers)


def _check_finite(result: Simulation, case: Case) -> None:
    figures = [result.portfolio.mean, result.portfolio.std, *result.portfolio.percentiles.values()]
    for stats in result.projects.values():
        figures += [stats.mean, stats.std, *stats.percentiles.values()]
    if not all(math.isfinite(f) for f in figures):
        raise InputError(
            [
                Problem(
                    shown_path(case.portfolio.path) if case.portfolio.path else "the portfolio",
                    "the simulated NPVs are more than a computer can hold; check the ranges for "
                    "a slip",
                )
            ]
        )


def _percentiles_stored(values: np.ndarray, wanted: tuple[float, ...]) -> list[dict]:
    """Percentiles of each row of ``values`` (a row per column; reordered in place)."""
    n = values.shape[1]
    ranks = sorted({r for q in wanted for r in _ranks(q, n)[:2]})
    out = []
    for row in values:
        # A full sort is faster than a partition at a dozen ranks (numpy sorts with SIMD).
        row.sort() if len(ranks) > 2 else row.partition(ranks)
        out.append({q: _lerp(row[a], row[b], w) for q in wanted for a, b, w in [_ranks(q, n)]})
    return out


def _percentiles_second_pass(
    model: _Model,
    sampler: Sampler,
    distribution: str,
    chunk: int,
    iterations: int,
    low: np.ndarray,
    high: np.ndarray,
    fine: np.ndarray,
    wanted: tuple[float, ...],
) -> list[dict]:
    """Exact order statistics without keeping every draw: find the fine bin of each wanted
    rank from the first pass's counts, then regenerate the draws and keep only those bins."""
    columns = fine.shape[0]
    cumulative = np.cumsum(fine, axis=1)
    needed: list[dict[int, tuple[int, int]]] = []  # per column: rank -> (bin, rank within bin)
    for c in range(columns):
        ranks = {r for q in wanted for r in _ranks(q, iterations)[:2]}
        where = {}
        for rank in ranks:
            b = int(np.searchsorted(cumulative[c], rank, side="right"))
            before = int(cumulative[c][b - 1]) if b else 0
            where[rank] = (b, rank - before)
        needed.append(where)
    wanted_bins = [sorted({b for b, _ in needed[c].values()}) for c in range(columns)]
    collected: list[dict[int, list[np.ndarray]]] = [
        {b: [] for b in wanted_bins[c]} for c in range(columns)
    ]
    for _, npvs in _chunks(model, sampler, distribution, chunk):
        table = _with_columns(npvs, model.counts)
        for c in range(columns):
            bins = _bins(table[c], low[c], high[c], fine.shape[1])
            for b in wanted_bins[c]:
                collected[c][b].append(table[c][bins == b])
    out = []
    for c in range(columns):
        ordered = {b: np.sort(np.concatenate(parts)) for b, parts in collected[c].items()}

        def value(rank: int, c: int = c, ordered: dict = ordered) -> float:
            b, within = needed[c][rank]
            return float(ordered[b][within])

        out.append(
            {q: _lerp(value(a), value(b), w) for q in wanted for a, b, w in [_ranks(q, iterations)]}
        )
    return out


def _window(
    fine: np.ndarray, low: float, high: float, start: float, stop: float
) -> tuple[int, int, float] | None:
    count = fine.shape[0]
    width = (high - low) / count if high > low else 0.0
    if width == 0.0 or stop <= start:
        return None
    first = int(np.clip(np.floor((start - low) / width), 0, count - 1))
    last = int(np.clip(np.floor((stop - low) / width), first, count - 1))
    return first, last, width


def _display_histogram(
    fine: np.ndarray, low: float, high: float, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """About :data:`DISPLAY_BINS` bars from P0.5 to P99.5, made of whole fine bins. The tails
    beyond are left out (the sheet says so) rather than piled into the end bars."""
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


def _curve(
    fine: np.ndarray, low: float, high: float, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """The S-curve: :data:`CURVE_POINTS` values from ``start`` to ``stop`` and the share of
    draws at or below each (from the fine histogram: exact at bin edges)."""
    total = float(fine.sum())
    window = _window(fine, low, high, start, stop)
    if window is None or total == 0:
        return np.array([start]), np.array([1.0])
    first, last, width = window
    cumulative = np.cumsum(fine) / total
    picks = np.unique(np.linspace(first, last, CURVE_POINTS).round().astype(int))
    return low + width * (picks + 1), cumulative[picks]


__all__ = ["PERCENTILES", "Driver", "Simulation", "Stats", "simulate", "stream"]
