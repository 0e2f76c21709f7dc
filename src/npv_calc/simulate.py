"""Monte Carlo simulation of project and portfolio NPVs, vectorised over draws.

Every uncertain value with a range (``low < high``) is drawn independently from PERT(low,
central, high) by default, or a triangular or uniform distribution; a value with ``low == high``
is that constant. Each value has its own random stream (:func:`stream`), derived from the seed
and the value's name (project id, costs or benefits, line number, field), so the same seed gives
the same draws whatever the chunk size, and adding, removing or excluding a project leaves the
other projects' draws unchanged.

How it is fast: a line's present value factorises as ``PV = F x A x S``, where ``F`` is the
product of its adjustment factors (scale, optimism bias, deadweight, displacement, attribution,
price factor), ``A`` its annual amount (or quantity x unit value) and
``S = sum_t DF(t) g^(t - first)`` over the line's years, with ``g`` its yearly change. Each is a
vector over draws only where an input is uncertain, so a chunk of draws costs a few vector
operations per line, and lines with no uncertain input are a constant. Draws are processed in
chunks, so memory stays bounded.

Percentiles are exact order statistics with linear interpolation (numpy's default). When the
draws of every project fit in :data:`STORE_BYTES` they are kept and the percentiles read from
them; otherwise a second pass regenerates the same draws (same seed) and keeps only those that
fall in the histogram bins holding the wanted order statistics, so memory stays bounded however
many iterations are asked for, and the answers are the same.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from .calculate import PortfolioResult, appraise_case, case_flows, price_factor
from .discount import discount_factors
from .errors import InputError, Problem, UsageError, shown_path
from .model import DISTRIBUTIONS, MAX_ITERATIONS, MAX_SEED, Line, Portfolio, Project, Uncertain
from .scenarios import Case, prepare

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
#: Bars of the histogram shown in the workbook.
DISPLAY_BINS = 40

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Stats:
    """Summary of the simulated NPVs of a project or of the portfolio."""

    mean: float
    std: float
    percentiles: dict[float, float]
    prob_negative: float

    def p(self, q: float) -> float:
        return self.percentiles[q]


@dataclass(frozen=True)
class Simulation:
    """The result of :func:`simulate`."""

    base: PortfolioResult  # the deterministic appraisal of the same case
    iterations: int
    seed: int
    distribution: str
    uncertain_values: int
    portfolio: Stats
    projects: dict[str, Stats]
    prob_meets_target: float | None
    #: histogram for display of the NPV toward the target (the portfolio NPV when there is no
    #: target): bar edges (len bins + 1) and counts
    histogram_edges: np.ndarray = field(repr=False)
    histogram_counts: np.ndarray = field(repr=False)
    passes: int = 1
    chunk_size: int = 0


# -- the vectorised model ---------------------------------------------------------------------

Vector = float | np.ndarray


@dataclass
class _Line:
    """A line's PV as F x A x S, each part a constant or a function of drawn columns."""

    sign: float
    constant: float  # the PV when nothing is drawn; otherwise the product of fixed parts
    drawn: bool
    factors: list[tuple[int, str]]  # (column, how: "x", "1+x", "1-x")
    amount: list[int]  # columns multiplied in (annual, or quantity and unit value)
    growth: int | None  # column of growth
    drop: int | None  # column of drop-off
    growth_fixed: float
    drop_fixed: float
    window: np.ndarray  # discount factors over the line's years
    steps: np.ndarray  # t - first over the line's years
    section: str


@dataclass
class _Model:
    values: list[tuple[tuple[str, str, int, str], Uncertain]]
    projects: list[list[_Line]]
    counts: np.ndarray  # bool per project: counts toward the target


_FACTOR_HOW = {
    "scale": "x",
    "attribution": "x",
    "deadweight": "1-x",
    "displacement": "1-x",
}


def _compile(case: Case) -> _Model:
    values: list[tuple[tuple[str, str, int, str], Uncertain]] = []
    projects: list[list[_Line]] = []
    for project in case.projects:
        settings = case.settings_for(project)
        horizon = settings.horizon
        df = discount_factors(
            horizon, settings.discount_rate, settings.declining, settings.discount_year0
        )
        lines = []
        for line in project.all_lines:
            lines.append(_compile_line(case, project, line, df, horizon, values))
        projects.append(lines)
    counts = np.array([case.counts_toward_target(p) for p in case.projects], dtype=bool)
    return _Model(values, projects, counts)


def _compile_line(
    case: Case,
    project: Project,
    line: Line,
    df: np.ndarray,
    horizon: int,
    values: list[tuple[tuple[str, str, int, str], Uncertain]],
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
        values.append(((project.id, line.section, line.index, name), getattr(line, name)))
        return len(values) - 1

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
    if line.amounts is not None:
        padded = np.zeros(horizon)
        padded[: len(line.amounts)] = line.amounts
        constant *= float(padded @ df)
        window = steps = df[:0]
    else:
        for name in ("annual",) if line.annual is not None else ("quantity", "unit_value"):
            index = column(name)
            if index is None:
                constant *= case.pick(project, line, name)
            else:
                amount.append(index)
        first, last = line.years if line.years is not None else (0, horizon - 1)
        window = df[first : last + 1]
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


def _line_pv(line: _Line, draws: np.ndarray, size: int) -> Vector:
    if not line.drawn:
        return line.constant
    pv: Vector = line.constant
    for index, how in line.factors:
        x = draws[:, index]
        pv = pv * (x if how == "x" else (1.0 + x if how == "1+x" else 1.0 - x))
    for index in line.amount:
        pv = pv * draws[:, index]
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


# -- sampling -----------------------------------------------------------------------------


def _sampler(value: Uncertain, distribution: str, rng: np.random.Generator):
    low, mode, high = value.low, value.central, value.high
    if distribution == "uniform":
        return lambda n: rng.uniform(low, high, n)
    if distribution == "triangular":
        return lambda n: rng.triangular(low, mode, high, n)
    span = high - low
    alpha = 1.0 + 4.0 * (mode - low) / span
    beta = 1.0 + 4.0 * (high - mode) / span
    return lambda n: low + span * rng.beta(alpha, beta, n)


def stream(seed: int, key: tuple[str, str, int, str]) -> np.random.SeedSequence:
    """The random stream of one uncertain value: the seed, and the value's own name (project
    id, section, line, field) as the spawn key. Named rather than numbered, so that a value's
    draws stay the same when projects are added, removed or excluded."""
    digest = hashlib.sha256("\x1f".join(map(str, key)).encode()).digest()
    words = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    return np.random.SeedSequence(seed, spawn_key=words)


def _chunks(
    model: _Model, iterations: int, seed: int, distribution: str, chunk: int
) -> Iterator[np.ndarray]:
    """Project NPVs, ``(projects, n)`` a chunk of ``n`` draws at a time; the same for a seed."""
    samplers = [
        _sampler(value, distribution, np.random.Generator(np.random.PCG64(stream(seed, key))))
        for key, value in model.values
    ]
    done = 0
    while done < iterations:
        size = min(chunk, iterations - done)
        # column-major, so that each value's draws are contiguous when written and read
        draws = np.empty((size, len(samplers)), order="F")
        for j, sample in enumerate(samplers):
            draws[:, j] = sample(size)
        npvs = np.empty((len(model.projects), size))
        for p, lines in enumerate(model.projects):
            total: Vector = 0.0
            for line in lines:
                total = total + line.sign * _line_pv(line, draws, size)
            npvs[p] = total
        done += size
        yield npvs


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


def _with_columns(npvs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Rows: the projects, then the portfolio, then the NPV toward the target."""
    # Projects are added one at a time, in order, so that each draw's totals are the same
    # whatever the chunk size (a reduction over axis 0 may change its order with the shape).
    portfolio = np.zeros(npvs.shape[1])
    toward = np.zeros(npvs.shape[1])
    for row, counts_toward in zip(npvs, counts, strict=True):
        portfolio = portfolio + row
        if counts_toward:
            toward = toward + row
    return np.vstack([npvs, portfolio, toward])


def simulate(
    portfolio: Portfolio,
    iterations: int,
    *,
    seed: int | None = None,
    distribution: str = "pert",
    scenario: str = "central",
    overrides: Mapping[str, object] | None = None,
    progress: Progress | None = None,
    store_bytes: int = STORE_BYTES,
    chunk_bytes: int = CHUNK_BYTES,
) -> Simulation:
    """Monte Carlo simulation of every project's NPV and the portfolio's.

    Parameters
    ----------
    portfolio
        From :func:`npv_calc.load_portfolio`.
    iterations
        Number of draws (at least 1).
    seed
        0 to 2**32 - 1; the same seed gives the same numbers. ``None`` draws one from the
        operating system (and reports it, so the run can be repeated).
    distribution
        ``"pert"`` (default), ``"triangular"`` or ``"uniform"``.
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
        For ``iterations < 1``, a seed out of range or an unknown distribution.
    """
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be from 1 to {MAX_ITERATIONS:,}, got {iterations}")
    if distribution not in DISTRIBUTIONS:
        raise ValueError(
            f"unknown distribution {distribution!r}; choose from {', '.join(DISTRIBUTIONS)}"
        )
    if seed is None:
        seed = secrets.randbelow(MAX_SEED + 1)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed must be from 0 to {MAX_SEED}, got {seed}")
    if scenario in ("pessimistic", "optimistic"):
        raise UsageError(
            f"simulate draws every uncertain value, so the {scenario} scenario does not apply; "
            "use central or a named scenario"
        )

    case = prepare(portfolio, scenario, overrides)
    base = appraise_case(case)
    model = _compile(case)
    projects = len(case.projects)
    columns = projects + 2
    # Bounds of every column: NPV is monotone in each input, so no draw can fall outside the
    # pessimistic and optimistic values.
    low_case = appraise_case(replace(case, mode="pessimistic"))
    high_case = appraise_case(replace(case, mode="optimistic"))

    def bounds(result: PortfolioResult) -> np.ndarray:
        return np.array([*(p.npv for p in result.projects), result.npv, result.npv_toward_target])

    low, high = bounds(low_case), bounds(high_case)
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
    low, high = low - slack, high + slack

    per_draw = 8 * (len(model.values) + 3 * columns + 4)
    chunk = max(1, min(iterations, chunk_bytes // per_draw))
    store = iterations * columns * 8 <= store_bytes
    target = case.portfolio.target

    moments = _Moments(columns)
    negative = np.zeros(columns, dtype=np.int64)
    meets = 0
    # Fine histograms: of every column when the draws are not kept (to find the percentiles in
    # a second pass), else of the portfolio only (for the histogram shown in the workbook).
    fine_bins = int(np.clip(FINE_BYTES // (8 * columns), 256, MAX_FINE_BINS))
    # The histogram shows what the target is tested against: the NPV toward the target (or
    # the portfolio NPV when there is no target).
    shown = columns - 1 if target is not None else projects
    binned = range(shown, shown + 1) if store else range(columns)
    fine = np.zeros((columns, fine_bins), dtype=np.int64)
    kept = np.empty((columns, iterations)) if store else None
    done = 0
    for npvs in _chunks(model, iterations, seed, distribution, chunk):
        table = _with_columns(npvs, model.counts)
        size = table.shape[1]
        moments.add(table)
        negative += (table < 0).sum(axis=1)
        if target is not None:
            meets += int((table[-1] >= target).sum())
        for c in binned:
            fine[c] += np.bincount(_bins(table[c], low[c], high[c], fine_bins), minlength=fine_bins)
        if kept is not None:
            kept[:, done : done + size] = table
        done += size
        if progress:
            progress(done)

    wanted = (*PERCENTILES, *_DISPLAY)
    passes = 1
    if kept is not None:
        percentiles = _percentiles_stored(kept, wanted)
    else:
        passes = 2
        percentiles = _percentiles_second_pass(
            model, iterations, seed, distribution, chunk, low, high, fine, wanted
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
        start, stop = min(start, target), max(stop, target)  # keep the target on the chart
    edges, counts = _display_histogram(fine[shown], low[shown], high[shown], start, stop)
    return Simulation(
        base=base,
        iterations=iterations,
        seed=seed,
        distribution=distribution,
        uncertain_values=len(model.values),
        portfolio=stats(projects),
        projects={p.id: stats(i) for i, p in enumerate(case.projects)},
        prob_meets_target=None if target is None else meets / iterations,
        histogram_edges=edges,
        histogram_counts=counts,
        passes=passes,
        chunk_size=chunk,
    )


def _percentiles_stored(values: np.ndarray, wanted: tuple[float, ...]) -> list[dict]:
    """Percentiles of each row of ``values`` (a row per column; reordered in place)."""
    n = values.shape[1]
    ranks = sorted({r for q in wanted for r in _ranks(q, n)[:2]})
    out = []
    for row in values:
        row.partition(ranks)
        out.append({q: _lerp(row[a], row[b], w) for q in wanted for a, b, w in [_ranks(q, n)]})
    return out


def _percentiles_second_pass(
    model: _Model,
    iterations: int,
    seed: int,
    distribution: str,
    chunk: int,
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
    for npvs in _chunks(model, iterations, seed, distribution, chunk):
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


def _display_histogram(
    fine: np.ndarray, low: float, high: float, start: float, stop: float
) -> tuple[np.ndarray, np.ndarray]:
    """About :data:`DISPLAY_BINS` bars from P0.5 to P99.5, made of whole fine bins."""
    count = fine.shape[0]
    width = (high - low) / count if high > low else 0.0
    if width == 0.0 or stop <= start:
        return np.array([start, stop if stop > start else start + 1.0]), np.array([int(fine.sum())])
    first = int(np.clip(np.floor((start - low) / width), 0, count - 1))
    last = int(np.clip(np.floor((stop - low) / width), first, count - 1))
    per_bar = max(1, math.ceil((last - first + 1) / DISPLAY_BINS))
    bars = math.ceil((last - first + 1) / per_bar)
    edges = low + width * (first + per_bar * np.arange(bars + 1))
    counts = np.array(
        [
            int(fine[first + i * per_bar : min(first + (i + 1) * per_bar, count)].sum())
            for i in range(bars)
        ]
    )
    # the tails beyond P0.5 and P99.5 join the end bars, so the counts add up to every draw
    counts[0] += int(fine[:first].sum())
    counts[-1] += int(fine[first + bars * per_bar :].sum())
    return edges, counts
