"""Drawing uncertain values for Monte Carlo: uniforms by Latin Hypercube or plain random
sampling, rank correlation by Iman–Conover, and inverse CDFs that turn uniforms into values.

Conventions
-----------
* A *column* is one drawn quantity: an uncertain value with a real range, or a risk's event.
  Each column has its own random streams, derived from the seed and its name (project, section,
  line, field), so its draws do not change when other columns are added or removed
  (:func:`stream`). Only columns in correlation groups depend on each other.
* ``n`` iterations are numbered from 0. Latin Hypercube sampling (``lhs``) splits them into
  :data:`REPLICATES` consecutive *replicates* (sizes differing by at most one); in a replicate
  of ``m`` draws each column's uniforms fall one in each of the ``m`` strata
  ``[k/m, (k+1)/m)``, at a random place in the stratum. The replicates are independent, so the
  spread of their estimates gives an honest standard error. Plain random sampling (``random``)
  draws independent uniforms.
* Iman–Conover reorders, inside fixed blocks of iterations (never across a replicate), the
  uniforms of the columns in correlation groups so that their ranks follow correlated normal
  scores. A reordering changes no column's set of values, so each keeps its distribution (and
  its stratification) exactly.
* Results depend on the seed, ``n`` and the sampling method only, never on how the iterations
  are split into chunks for memory.

Everything here is numpy; the PERT inverse is a table built with numpy (no scipy at run time).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .model import SAMPLING

SAMPLING_METHODS = SAMPLING
#: Latin Hypercube replicates (independent designs), for the standard errors.
REPLICATES = 10
#: Replicates of up to this many draws give each column a permutation of its own; larger ones
#: use two shared random permutations with a per-column offset into each (see ``_Strata``),
#: which costs a few vector operations per column instead of a shuffle.
OWN_PERMUTATION = 2**14
#: Iterations per Iman–Conover block (fewer when there are many correlated columns).
BLOCK = 2**16
BLOCK_BYTES = 64 * 2**20
#: Rows Iman–Conover reorders together (:func:`pieces`): sorting 8,192 scores costs a third less
#: a score than sorting 65,536, and the reordering writes stay in the processor's cache.
PIECE = 2**13
#: A pivot of the correlation matrix's factor at or below this is 0 up to rounding.
_PIVOT_FLOOR = 1e-10
#: Cells of the PERT inverse-CDF table (accuracy in probability better than 1e-4).
PERT_CELLS = 16_384
_PERT_GRID = 2**16


def stream(seed: int, key: tuple[str, str, int, str]) -> np.random.SeedSequence:
    """The random stream of one column: the seed, and the column's own name (project id,
    section, line, field) as the spawn key. Named rather than numbered, so that a column's
    draws stay the same when projects are added, removed or excluded."""
    digest = hashlib.sha256("\x1f".join(map(str, key)).encode()).digest()
    words = tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))
    return np.random.SeedSequence(seed, spawn_key=words)


def _substream(sequence: np.random.SeedSequence, word: int) -> np.random.Generator:
    child = np.random.SeedSequence(sequence.entropy, spawn_key=(*sequence.spawn_key, word))
    return np.random.Generator(np.random.PCG64(child))


# -- inverse CDFs -------------------------------------------------------------------------


def pert_shape(low: float, mode: float, high: float) -> tuple[float, float]:
    """PERT's beta shape: ``alpha = 1 + 4 (mode - low) / (high - low)``, ``beta`` likewise."""
    span = high - low
    return 1.0 + 4.0 * (mode - low) / span, 1.0 + 4.0 * (high - mode) / span


#: Tables kept between simulations (each 262 KB): shapes repeat across runs and values. A
#: simulation keeps its own values' tables for itself (:class:`InverseTables`), so a portfolio
#: with more shapes than this costs each table once per run, not once per block of draws.
SHAPES_KEPT = 128


@lru_cache(maxsize=SHAPES_KEPT)
def beta_inverse_table(alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """Knots and slopes of the inverse CDF of Beta(alpha, beta) at ``PERT_CELLS + 1`` equally
    spaced probabilities, for linear interpolation.

    The CDF is integrated from the density (trapezoids on 65,536 cells, normalised to 1), then
    inverted at each probability. Tested against scipy: the value interpolated at probability
    ``u`` has a CDF within 1e-4 of ``u`` (the probability accuracy asked for).
    """
    x = np.linspace(0.0, 1.0, _PERT_GRID + 1)
    # PERT's shapes are at least 1, so the density is finite everywhere (0 ** 0 is 1).
    density = np.power(x, alpha - 1.0) * np.power(1.0 - x, beta - 1.0)
    cdf = np.concatenate([[0.0], np.cumsum((density[1:] + density[:-1]) * 0.5)])
    cdf /= cdf[-1]
    u = np.linspace(0.0, 1.0, PERT_CELLS + 1)
    knots = np.interp(u, cdf, x)
    knots[0], knots[-1] = 0.0, 1.0
    return knots, np.diff(knots)


def inverse(
    u: np.ndarray,
    low: float,
    mode: float,
    high: float,
    distribution: str,
    out: np.ndarray | None = None,
    scale: float = 1.0,
    table: Table | None = None,
) -> np.ndarray:
    """Values of PERT / triangular / uniform(low, mode, high) at probabilities ``u x scale`` in
    [0, 1) (written into ``out``, which may be ``u`` itself; ``scale`` saves a pass over the
    draws when ``u`` counts strata; ``table`` is PERT's, from :class:`InverseTables`, when the
    caller keeps it).

    Examples
    --------
    >>> inverse(np.array([0.0, 0.5]), 10.0, 15.0, 20.0, "uniform").tolist()
    [10.0, 15.0]
    >>> round(float(inverse(np.array([0.5]), 0.0, 50.0, 100.0, "triangular")[0]), 9)
    50.0
    """
    span = high - low
    if distribution == "uniform":
        return np.add(np.multiply(u, span * scale, out=out), low, out=out)
    if distribution == "triangular":
        u = u * scale if scale != 1.0 else u
        split = (mode - low) / span
        below = low + np.sqrt(u * (span * (mode - low)))
        above = high - np.sqrt((1.0 - u) * (span * (high - mode)))
        if out is None:
            return np.where(u < split, below, above)
        lower = u < split
        np.copyto(out, above)
        np.copyto(out, below, where=lower)
        return out
    if table is None:
        table = _scaled_table(low, mode, high)
    position = np.multiply(u, PERT_CELLS * scale, out=out)
    cell = position.astype(np.intp)
    np.minimum(cell, PERT_CELLS - 1, out=cell)
    position -= cell
    if not isinstance(table, tuple):
        return _from_shape(position, cell, table, low, span)
    knots, slopes = table
    position *= slopes[cell]
    position += knots[cell]
    return position


@lru_cache(maxsize=64)
def _scaled_table(low: float, mode: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """The PERT inverse table in the value's own units: ``low + span x knot``."""
    return scaled_table(low, mode, high)


def scaled_table(low: float, mode: float, high: float) -> tuple[np.ndarray, np.ndarray]:
    """The PERT inverse table in the value's own units: ``low + span x knot``."""
    knots, slopes = beta_inverse_table(*pert_shape(low, mode, high))
    span = high - low
    return low + span * knots, span * slopes


#: Memory for one simulation's tables in the value's own units (:class:`InverseTables`).
TABLE_BYTES = 256 * 2**20
_TABLE_SIZE = 2 * (PERT_CELLS + 1) * 8

#: A PERT inverse table: knots and slopes in the value's own units, or the knots of the shape
#: (``beta_inverse_table``) from which the same numbers are worked out draw by draw.
Table = tuple[np.ndarray, np.ndarray] | np.ndarray


class InverseTables:
    """One simulation's PERT inverse tables, each built once and kept for the whole run.

    A table is 262 KB and takes about 3 ms to build. A cache shared by every run, sized for the
    values of any portfolio, would hold gigabytes; one smaller than the portfolio rebuilt every
    table for every block of draws (a portfolio of 20,000 values took hours). A run keeps its
    values' tables in their own units up to :data:`TABLE_BYTES` (about a thousand values); the
    rest keep only their shape's knots (131 KB, shared by the values of one shape), from which
    :func:`inverse` works out exactly the same numbers, at about twice the cost a draw.
    """

    def __init__(self, budget: int | None = None) -> None:
        self._scaled: dict[tuple[float, float, float], tuple[np.ndarray, np.ndarray]] = {}
        self._shapes: dict[tuple[float, float], np.ndarray] = {}
        self._room = TABLE_BYTES if budget is None else budget

    def of(self, low: float, mode: float, high: float) -> Table:
        """The table of PERT(low, mode, high), built the first time it is asked for."""
        key = (low, mode, high)
        table = self._scaled.get(key)
        if table is not None:
            return table
        if self._room >= _TABLE_SIZE:
            self._room -= _TABLE_SIZE
            table = self._scaled[key] = scaled_table(low, mode, high)
            return table
        shape = pert_shape(low, mode, high)
        knots = self._shapes.get(shape)
        if knots is None:
            knots = self._shapes[shape] = beta_inverse_table(*shape)[0]
        return knots


def _from_shape(
    position: np.ndarray, cell: np.ndarray, knots: np.ndarray, low: float, span: float
) -> np.ndarray:
    """``position x slope + knot`` in the value's units from the shape's knots: the same
    operations, on the two knots each draw needs, as building the scaled table does
    (``span x (k1 - k0)``, ``low + span x k0``), so the numbers are the same to the last bit."""
    k0 = knots[cell]
    slope = knots[cell + 1]
    slope -= k0
    slope *= span
    position *= slope
    k0 *= span
    k0 += low
    position += k0
    return position


# -- correlation -------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrelationPlan:
    """The correlated columns (by position among all columns) and the factor ``loading`` that
    turns independent normals into scores with the wanted correlation (``scores = e @ L.T``)."""

    columns: tuple[int, ...]
    loading: np.ndarray  # (len(columns), rank)


def correlation_plan(
    groups: Sequence[str | None],
    within: dict[str, float],
    between: Sequence[tuple[str, str, float]],
) -> CorrelationPlan | None:
    """The plan for columns whose correlation groups are ``groups`` (``None``: independent).

    Spearman coefficients ``r`` are converted to the Pearson correlation of normal scores,
    ``2 sin(pi r / 6)``, so that the scores' rank correlation is ``r``; a matrix that is only
    semi-definite (a pair at +1 or -1) is factored through its eigenvalues, tiny negative ones
    (rounding) set to 0.
    """
    columns = tuple(i for i, g in enumerate(groups) if g is not None)
    if not columns:
        return None
    pair = {frozenset((a, b)): r for a, b, r in between}
    # The coefficients group by group, then spread to the columns: a loop over pairs of columns
    # grows with the square of the grouped values, in Python.
    names = sorted({str(groups[i]) for i in columns})
    coefficient = np.array(
        [
            [within.get(a, 0.0) if a == b else pair.get(frozenset((a, b)), 0.0) for b in names]
            for a in names
        ]
    )
    position = {name: k for k, name in enumerate(names)}
    index = np.array([position[str(groups[i])] for i in columns])
    spearman = coefficient[np.ix_(index, index)]
    np.fill_diagonal(spearman, 1.0)
    pearson = 2.0 * np.sin(np.pi * spearman / 6.0)
    np.fill_diagonal(pearson, 1.0)
    loading = _factor(pearson)
    # rescale rows so that each score has unit variance after a direction is dropped
    loading /= np.sqrt(np.sum(loading**2, axis=1, keepdims=True))
    return CorrelationPlan(columns, loading)


def _factor(matrix: np.ndarray) -> np.ndarray:
    """The Cholesky factor ``L`` of a correlation matrix, ``L @ L.T = matrix``, lower
    triangular, without the columns of the values that add no direction of their own.

    Cholesky's factor is unique. The eigenvectors used before were not: a group of equal
    coefficients has a repeated eigenvalue, whose eigenvectors each LAPACK build chooses in its
    own way, so that the same seed drew different scores on different processors. A matrix
    that is only semi-definite (a pair at +1 or -1) has a pivot of 0 up to rounding: the value
    takes no new direction (``L``'s column is dropped); a negative pivot, which the conversion
    of rank to normal correlation can make of a matrix that was semi-definite, likewise."""
    try:
        factor = np.linalg.cholesky(matrix)  # LAPACK's: ten times quicker at 2,000 values
        if np.all(np.diagonal(factor) ** 2 > _PIVOT_FLOOR):
            return factor
    except np.linalg.LinAlgError:
        pass
    size = len(matrix)
    factor = np.zeros((size, size))
    for j in range(size):
        row = factor[j, :j]
        pivot = matrix[j, j] - row @ row
        if pivot <= _PIVOT_FLOOR:
            continue
        factor[j, j] = root = math.sqrt(pivot)
        factor[j + 1 :, j] = (matrix[j + 1 :, j] - factor[j + 1 :, :j] @ row) / root
    return factor[:, factor.any(axis=0)]


def _ranks_order(scores: np.ndarray) -> np.ndarray:
    """The order that sorts ``scores`` (float64), positions breaking ties.

    Each score's last ``b`` mantissa bits (``b`` enough to count the scores) are replaced by its
    position, and the keys are sorted as plain floats: numpy sorts floats with SIMD
    instructions, where ``argsort`` has none (about 15 ns a score against 40; docs/
    performance.md). Two scores closer than ``2**(b - 52)`` of their size take their positions'
    order: fewer than one pair in a run of 80 million scores."""
    bits = max(1, (len(scores) - 1).bit_length())
    keys = scores.copy()
    words = keys.view(np.uint64)
    words &= np.uint64(~(2**bits - 1) & 0xFFFF_FFFF_FFFF_FFFF)
    words |= np.arange(len(scores), dtype=np.uint64)
    keys.sort()
    words &= np.uint64(2**bits - 1)
    return words.astype(np.intp)


def _whitening(normals: np.ndarray) -> np.ndarray | None:
    """The matrix ``W`` that makes the rows of ``W @ normals`` uncorrelated in the sample, with
    unit variance (Iman and Conover 1982's correction; ``normals`` is centred in place): the
    scores' sample correlation is then exactly the plan's, not the plan's plus sampling noise,
    which cuts the error of the achieved rank correlations about threefold. A block too short to
    estimate the sample correlation is left as drawn (``None``: ``W`` is the identity, and
    multiplying by it, a cube of the grouped values in work, would change nothing)."""
    rank, rows = normals.shape
    if rows <= 2 * rank:
        return None
    normals -= normals.mean(axis=1, keepdims=True)
    covariance = (normals @ normals.T) / (rows - 1)
    try:
        factor = np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:  # a degenerate draw: keep it as drawn
        return None
    return np.linalg.solve(factor, np.eye(rank))


def impose(
    u: np.ndarray,
    plan: CorrelationPlan,
    rng: np.random.Generator,
    ordered: Callable[[int, int, np.ndarray], np.ndarray] | None = None,
) -> None:
    """Iman–Conover, in place: reorder each correlated column of ``u`` (a block of draws, a
    row each) so that its ranks are those of correlated normal scores. Each column keeps its
    values exactly. ``ordered(column, first, values)`` gives a column's values from row
    ``first`` of the block in increasing order, when the caller knows a quicker way than
    sorting them.

    The block is reordered in :func:`pieces` of about :data:`PIECE` rows, each given the plan's
    correlation on its own: a piece's scores and values are sorted in the processor's cache."""
    for first, last in pieces(len(u), plan.loading.shape[1]):
        _impose_piece(u[first:last], first, plan, rng, ordered)


def pieces(rows: int, rank: int) -> list[tuple[int, int]]:
    """The ``[first, last)`` rows of each piece of a block: sizes within one of each other, of
    :data:`PIECE` rows or fewer, and no fewer than ``8 x rank`` (when the block has them) so
    that a piece's sample correlation can be corrected (:func:`_whitening`)."""
    return _split(rows, max(1, min(-(-rows // PIECE), rows // max(1, 8 * rank))))


def _split(n: int, count: int) -> list[tuple[int, int]]:
    """``0 .. n`` in ``count`` consecutive ranges ``[start, stop)``, sizes within one."""
    size, extra = divmod(n, count)
    bounds, start = [], 0
    for k in range(count):
        stop = start + size + (1 if k < extra else 0)
        bounds.append((start, stop))
        start = stop
    return bounds


def _impose_piece(
    u: np.ndarray,
    first: int,
    plan: CorrelationPlan,
    rng: np.random.Generator,
    ordered: Callable[[int, int, np.ndarray], np.ndarray] | None,
) -> None:
    # Scores a row per column (contiguous for sorting), in double precision: single precision
    # left a few pairs of scores a piece within rounding of each other, ranked one way or the
    # other by different processors' arithmetic.
    normals = rng.standard_normal((plan.loading.shape[1], u.shape[0]))
    whitening = _whitening(normals)
    loading = plan.loading if whitening is None else plan.loading @ whitening
    scores = loading @ normals
    for k, column in enumerate(plan.columns):
        target = u[:, column]
        values = np.sort(target) if ordered is None else ordered(column, first, target)
        target[_ranks_order(scores[k])] = values


def _by_stratum(t: np.ndarray, strata: Callable[[], np.ndarray], m: int) -> np.ndarray:
    """The values ``t`` in increasing order, when each lies in its own stratum: ``t = s + v``
    with the ``s`` distinct whole numbers of ``0 .. m-1`` (``strata()``) and ``v`` in [0, 1).
    All m strata: placed by stratum, which is ordered by value (``s + v`` rounds to at most
    ``s + 1``), in time linear in ``m`` rather than by a sort: the very numbers ``np.sort``
    gives. Fewer (a piece of a long replicate): sorted, which costs less than looking up their
    strata and touching all m (0.1 ms against 0.4 ms for 4,096 of a million)."""
    if len(t) < m:
        return np.sort(t)
    placed = np.empty(m)
    placed[strata().astype(np.intp)] = t
    return placed


# -- the sampler -------------------------------------------------------------------------


def replicates(n: int, sampling: str) -> list[tuple[int, int]]:
    """The iteration ranges ``[start, stop)`` of the independent designs."""
    return _split(n, min(REPLICATES, n) if sampling == "lhs" else 1)


class _Strata:
    """One replicate's stratum numbers for every column, chunk by chunk."""

    def __init__(self, size: int, sequences: Sequence[np.random.SeedSequence], seed: int, k: int):
        self.size = size
        self.own: list[np.ndarray] = []
        self.offsets: list[tuple[int, int]] = []
        generators = [_substream(s, 1 + k) for s in sequences]
        if size <= OWN_PERMUTATION:
            self.own = [g.permutation(size) for g in generators]
        else:
            # Two shared random permutations P and Q of the replicate; column c takes stratum
            # P[(Q[(j + t_c) mod m] + s_c) mod m] for its j-th draw: a permutation of its own
            # for each (s_c, t_c), at the cost of a slice and a gather.
            shared = np.random.Generator(
                np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(0x4C48, k)))
            )
            p, q = shared.permutation(size), shared.permutation(size)
            self.p = np.concatenate([p, p]).astype(float)  # added to float uniforms
            self.q = np.concatenate([q, q])
            self.offsets = [
                (int(g.integers(0, size)), int(g.integers(0, size))) for g in generators
            ]

    def column(self, c: int, j0: int, j1: int) -> np.ndarray:
        if self.own:
            return self.own[c][j0:j1]
        s, t = self.offsets[c]
        return self.p[s : s + self.size][self.q[t + j0 : t + j1]]


class Sampler:
    """Uniforms for ``columns`` over ``n`` iterations, block by block, in order.

    Parameters
    ----------
    keys
        Each column's name (its stream).
    plan
        The correlated columns, or ``None``.
    """

    def __init__(
        self,
        keys: Sequence[tuple[str, str, int, str]],
        seed: int,
        n: int,
        sampling: str,
        plan: CorrelationPlan | None = None,
    ):
        if sampling not in SAMPLING_METHODS:
            raise ValueError(f"unknown sampling {sampling!r}; choose from lhs, random")
        self.n = n
        self.sampling = sampling
        self.seed = seed
        self.sequences = [stream(seed, key) for key in keys]
        self.jitter = [np.random.Generator(np.random.PCG64(s)) for s in self.sequences]
        self.plan = plan
        self.replicates = replicates(n, sampling)
        width = max(1, len(plan.columns)) if plan else 1
        self.block = max(1024, min(BLOCK, BLOCK_BYTES // (8 * (width + len(keys) + 8))))
        self.scores = np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(0x49434F, 1)))
        )

    def blocks(self) -> Iterator[tuple[int, int, int]]:
        """``(replicate, start, stop)`` of each block of iterations, in order."""
        for k, (start, stop) in enumerate(self.replicates):
            for first in range(start, stop, self.block):
                yield k, first, min(first + self.block, stop)

    def uniforms(self) -> Iterator[tuple[int, int, int, np.ndarray, float]]:
        """``(replicate, start, stop, t, scale)``: the uniforms are ``t x scale``, a row per
        iteration and a column per column, each in [0, 1). (With Latin Hypercube sampling ``t``
        is the stratum plus the place in it, and ``scale`` one over the replicate's size: the
        scaling is left to whoever reads them, which saves a pass over every draw.)"""
        strata: _Strata | None = None
        current = -1
        for k, start, stop in self.blocks():
            size = stop - start
            u = np.empty((size, len(self.sequences)), order="F")
            if self.sampling == "lhs" and k != current:
                first, last = self.replicates[k]
                strata = _Strata(last - first, self.sequences, self.seed, k)
                current = k
            for c, generator in enumerate(self.jitter):
                column = u[:, c]
                generator.random(out=column)
                if strata is not None:
                    j0 = start - self.replicates[k][0]
                    column += strata.column(c, j0, j0 + size)
            if self.plan is not None:
                impose(
                    u, self.plan, self.scores, self._ordered(strata, start - self.replicates[k][0])
                )
            yield k, start, stop, u, 1.0 / strata.size if strata is not None else 1.0

    @staticmethod
    def _ordered(
        strata: _Strata | None, j0: int
    ) -> Callable[[int, int, np.ndarray], np.ndarray] | None:
        """How Iman–Conover orders a column's uniforms in a Latin Hypercube block starting at
        draw ``j0`` of its replicate: by their strata (:func:`_by_stratum`)."""
        if strata is None:
            return None
        return lambda c, first, t: _by_stratum(
            t, lambda: strata.column(c, j0 + first, j0 + first + len(t)), strata.size
        )


def stratified(u: np.ndarray) -> bool:
    """Whether each of the ``len(u)`` equal strata of [0, 1) holds exactly one of ``u``."""
    cells = np.floor(np.asarray(u) * len(u)).astype(np.int64)
    return bool(np.array_equal(np.sort(cells), np.arange(len(u))))


def spearman(x: np.ndarray, y: np.ndarray) -> float:
    """Spearman's rank correlation, ties given their average rank (0 when either is constant)."""
    return rank_correlation(average_ranks(x), average_ranks(y))


def rank_correlation(rx: np.ndarray, ry: np.ndarray) -> float:
    """Pearson's correlation of two rank vectors (0 when either is constant)."""
    rx = rx - rx.mean()
    ry = ry - ry.mean()
    denominator = math.sqrt(float(rx @ rx) * float(ry @ ry))
    return float(rx @ ry) / denominator if denominator > 0 else 0.0


def average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks from 0, ties sharing their average rank."""
    order = np.argsort(x, kind="stable")
    ordered = x[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    ends = np.concatenate([starts[1:], [len(x)]])
    average = (starts + ends - 1) / 2.0
    ranks = np.empty(len(x))
    ranks[order] = np.repeat(average, ends - starts)
    return ranks
