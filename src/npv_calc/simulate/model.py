"""The vectorised model of a Monte Carlo simulation: each line's present value as a function of
the drawn columns, evaluated a chunk of draws at a time.

How it is fast: a line's present value factorises as ``PV = F x A x S``, where ``F`` is the
product of its adjustment factors (scale, optimism bias, deadweight, displacement, attribution,
price factor), ``A`` its annual amount (or quantity x unit value) and
``S = sum_t DF(t) g^(t - first)`` over the line's years, with ``g`` its yearly change. Each is a
vector over draws only where an input is uncertain, so a chunk of draws costs a few vector
operations per line, and lines with no uncertain input are a constant. A risk's present value
is ``event x impact x price factor x sum_t DF(t)`` over its years.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import numpy as np

from ..calculate import (
    case_flows,
    case_risk_flows,
    outturn_factor,
    outturn_offsets,
    price_factor,
    settled_offsets,
)
from ..discount import settings_factors
from ..model import Line, Project, Risk, Uncertain
from ..sampling import InverseTables, Sampler, inverse
from ..scenarios import NEGATED, Case

#: Drivers are measured on the first draws (Spearman's rank correlation of 10,000 draws has a
#: standard error of about 0.01, ample to rank them).
DRIVER_DRAWS = 10_000

#: A drawn column: ``(project id, section, line index, field)``.
Key = tuple[str, str, int, str]
Vector = float | np.ndarray


@dataclass
class Column:
    """A drawn quantity: an uncertain value, or a risk's event (``value`` is then ``None``)."""

    key: Key
    value: Uncertain | None
    probability: float = 0.0


@dataclass
class CompiledLine:
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

    @classmethod
    def fixed(cls, sign: float, pv: float, section: str) -> CompiledLine:
        """A line (or part of one) that no draw moves: its present value ``pv``."""
        empty = np.zeros(0)
        return cls(sign, pv, False, [], [], None, None, 0.0, 0.0, empty, empty, section)


@dataclass
class Model:
    """A case compiled for simulation: the drawn columns, each project's lines, which projects
    count toward the target, and the drivers (what is ranked against the NPV)."""

    columns: list[Column]
    projects: list[list[CompiledLine]]
    counts: np.ndarray  # bool per project: counts toward the target
    #: drivers: (project id, line name, field, correlation group, column of the draw, or the
    #: risk line, and -1 for business as usual's item held negated against an option, whose
    #: value as written is the draw's opposite)
    drivers: list[tuple[str, str, str, str | None, int | CompiledLine, float]]
    #: the PERT tables of the values, built once for the run
    tables: InverseTables = field(default_factory=InverseTables, repr=False)

    @property
    def values(self) -> list[tuple[Key, Uncertain]]:
        """The uncertain values drawn (the columns that are not risks' events)."""
        return [(c.key, c.value) for c in self.columns if c.value is not None]


_FACTOR_HOW = {
    "scale": "x",
    "attribution": "x",
    "deadweight": "1-x",
    "displacement": "1-x",
}


def compile_case(case: Case) -> Model:
    """Compile a prepared case into columns to draw and lines over them.

    Parameters
    ----------
    case
        The prepared case (settings, scenario and excluded projects applied).

    Returns
    -------
    Model
        A column for each uncertain value with a range and each risk's event and impact (in
        project, line and field order, which fixes the draws a seed gives), and each project's
        lines as :class:`CompiledLine`.
    """
    columns: list[Column] = []
    projects: list[list[CompiledLine]] = []
    drivers: list[tuple[str, str, str, str | None, int | CompiledLine, float]] = []
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
                lines.append(CompiledLine.fixed(compiled.sign, float(fixed), line.section))
            drivers += [
                (project.id, line.name, c.key[3], c.value.group if c.value else None, i, sign)
                for i, c in enumerate(columns[start:], start=start)
                for sign in [-1.0 if line.negated and c.key[3] in NEGATED else 1.0]
            ]
        for risk in project.risks:
            compiled = _compile_risk(case, project, risk, df, horizon, columns)
            lines.append(compiled)
            if compiled.drawn:
                group = risk.impact.group if isinstance(risk.impact, Uncertain) else None
                sign = -1.0 if risk.negated else 1.0
                drivers.append((project.id, risk.name, "risk", group, compiled, sign))
        projects.append(lines)
    counts = np.array([case.counts_toward_target(p) for p in case.projects], dtype=bool)
    return Model(columns, projects, counts, drivers)


def drawn_counts(case: Case) -> tuple[int, int]:
    """How many uncertain values and how many risk events :func:`compile_case` draws for
    ``case``, counted without compiling it, so that a portfolio over the limit is refused
    before any work (the counts are those of the compiled model's columns)."""
    values = events = 0
    for project in case.projects:
        values += sum(len(line.uncertain()) for line in project.all_lines)
        for risk in project.risks:
            values += len(risk.uncertain())
            events += 0.0 < risk.probability < 1.0
    return values, events


def _compile_line(
    case: Case,
    project: Project,
    line: Line,
    df: np.ndarray,
    horizon: int,
    columns: list[Column],
) -> CompiledLine:
    """A line's PV as ``F x A x S``, adding a column for each of its uncertain values."""
    settings = case.settings_for(project)
    price = price_factor(case, line, settings)
    sign = -1.0 if line.section == "costs" else 1.0
    drawn_fields = {name for name, _ in line.uncertain()}
    if not drawn_fields:
        pv = float(case_flows(case, project, line, settings) @ df)
        return CompiledLine.fixed(sign, pv, line.section)

    def column(name: str) -> int | None:
        if name not in drawn_fields:
            return None
        columns.append(Column((project.id, line.section, line.index, name), getattr(line, name)))
        return len(columns) - 1

    empty = np.zeros(0)
    compiled = CompiledLine(
        sign, price, True, [], [], None, None, 0.0, 0.0, empty, empty, line.section
    )
    _add_factors(compiled, case, project, line, column)
    _add_amount_and_years(compiled, case, project, line, df, horizon, column)
    return compiled


def _add_factors(
    compiled: CompiledLine,
    case: Case,
    project: Project,
    line: Line,
    column: Callable[[str], int | None],
) -> None:
    """``F``: each adjustment factor drawn becomes a factor, each fixed one multiplies the
    constant (in this order, which the constant's rounding depends on)."""
    ob_how = "1+x" if line.section == "costs" else "1-x"
    hows = {"scale": "x", "optimism_bias": ob_how}
    if line.section == "benefits":
        hows.update(_FACTOR_HOW)
    for name, how in hows.items():
        index = column(name)
        if index is not None:
            compiled.factors.append((index, how))
            continue
        value = (
            case.optimism_bias(project, line)
            if name == "optimism_bias"
            else case.pick(project, line, name)
        )
        compiled.constant *= {"x": value, "1+x": 1.0 + value, "1-x": 1.0 - value}[how]


def _add_amount_and_years(
    compiled: CompiledLine,
    case: Case,
    project: Project,
    line: Line,
    df: np.ndarray,
    horizon: int,
    column: Callable[[str], int | None],
) -> None:
    """``A x S``: the amounts drawn, and the discounted sum over the line's years, folded into
    the constant when neither growth nor drop-off is drawn."""
    # Years with outturn are not drawn (they come back as a constant: see compile_case).
    forecast = np.ones(horizon)
    forecast[list(outturn_offsets(case, project, line))] = 0.0
    if line.amounts is not None:
        padded = np.zeros(horizon)
        padded[: len(line.amounts)] = line.amounts
        compiled.constant *= float(padded @ (df * forecast))
        return
    for name in ("annual",) if line.annual is not None else ("quantity", "unit_value"):
        index = column(name)
        if index is None:
            compiled.constant *= case.pick(project, line, name)
        else:
            compiled.amount.append(index)
    first, last = line.years if line.years is not None else (0, horizon - 1)
    compiled.window = (df * forecast)[first : last + 1]
    compiled.steps = np.arange(last - first + 1, dtype=float)
    compiled.growth = column("growth")
    compiled.growth_fixed = case.pick(project, line, "growth")
    if line.section == "benefits":
        compiled.drop = column("drop_off")
        compiled.drop_fixed = case.pick(project, line, "drop_off")
    if compiled.growth is None and compiled.drop is None:
        change = (1.0 + compiled.growth_fixed) * (1.0 - compiled.drop_fixed)
        compiled.constant *= float(compiled.window @ change**compiled.steps)


def _compile_risk(
    case: Case,
    project: Project,
    risk: Risk,
    df: np.ndarray,
    horizon: int,
    columns: list[Column],
) -> CompiledLine:
    """A risk: its cost is ``impact x price factor x sum DF`` over its years when it happens."""
    settings = case.settings_for(project)
    first, last = risk.years
    # Years whose costs the project's outturn has settled carry no risk (calculate.settled_offsets)
    settled = settled_offsets(case, project)
    open_years = [t for t in range(first, last + 1) if t not in settled]
    price = price_factor(case, risk, settings)
    window_pv = float(np.sum(df[open_years])) * price
    if not 0.0 < risk.probability < 1.0 and not risk.uncertain():
        pv = float(case_risk_flows(case, project, risk, settings) @ df)
        return CompiledLine.fixed(-1.0, pv, "risks")
    event = None
    constant = window_pv
    if 0.0 < risk.probability < 1.0:
        columns.append(Column((project.id, "risks", risk.index, "event"), None, risk.probability))
        event = len(columns) - 1
    elif risk.probability == 0.0:
        constant = 0.0
    amount = []
    for name, impact in risk.uncertain():
        columns.append(Column((project.id, "risks", risk.index, name), impact))
        amount.append(len(columns) - 1)
    if not amount:
        constant *= case.pick(project, risk, "impact")
    empty = np.zeros(0)
    return CompiledLine(
        -1.0, constant, True, [], amount, None, None, 0.0, 0.0, empty, empty, "risks", event
    )


def _line_pv(line: CompiledLine, draws: np.ndarray) -> Vector:
    """The line's PV in each draw (a float when nothing of it is drawn)."""
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


def draws_from_uniforms(
    model: Model, u: np.ndarray, distribution: str, scale: float = 1.0
) -> np.ndarray:
    """Turn uniforms into the drawn values, in place, column by column.

    Parameters
    ----------
    model
        The compiled model whose columns ``u`` holds (a column each, a row per draw).
    u
        The uniforms divided by ``scale`` (see :meth:`npv_calc.sampling.Sampler.uniforms`).
    distribution
        ``"pert"``, ``"triangular"`` or ``"uniform"``.
    scale
        What multiplies ``u`` to give the uniforms.

    Returns
    -------
    numpy.ndarray
        ``u`` itself, now holding each value's draws (inverse CDFs) and each risk's event (1
        when ``u x scale < p``). Each transform is increasing, so ranks are kept.
    """
    for c, column in enumerate(model.columns):
        target = u[:, c]
        if column.value is None:
            np.copyto(target, target < column.probability / scale)
        else:
            v = column.value
            table = model.tables.of(v.low, v.central, v.high) if distribution == "pert" else None
            inverse(
                target, v.low, v.central, v.high, distribution, out=target, scale=scale, table=table
            )
    return u


def _npvs(model: Model, draws: np.ndarray) -> np.ndarray:
    npvs = np.empty((len(model.projects), draws.shape[0]))
    for p, lines in enumerate(model.projects):
        total: Vector = 0.0
        for line in lines:
            total = total + line.sign * _line_pv(line, draws)
        npvs[p] = total
    return npvs


def chunks(
    model: Model,
    sampler: Sampler,
    distribution: str,
    chunk: int,
    subsample: list[np.ndarray] | None = None,
) -> Iterator[tuple[int, np.ndarray]]:
    """Every project's NPV, a chunk of draws at a time.

    Parameters
    ----------
    model
        The compiled model.
    sampler
        Where the uniforms come from (a new sampler with the same seed gives the same draws).
    distribution
        As for :func:`draws_from_uniforms`.
    chunk
        Draws per chunk at most; the NPVs do not depend on it.
    subsample
        If given, collects the driver variables (a value's draws, a risk's realised cost) of
        the first :data:`DRIVER_DRAWS` draws, an array per block of the sampler.

    Yields
    ------
    tuple of (int, numpy.ndarray)
        The replicate the chunk belongs to, and the NPVs: a row per project, a column per draw.
    """
    for k, start, stop, u, scale in sampler.uniforms():
        draws = draws_from_uniforms(model, u, distribution, scale)
        if subsample is not None and start < DRIVER_DRAWS:
            keep = min(stop, DRIVER_DRAWS) - start
            subsample.append(_driver_variables(model, draws[:keep]))
        for a in range(0, stop - start, chunk):
            yield k, _npvs(model, draws[a : a + chunk])


def _driver_variables(model: Model, draws: np.ndarray) -> np.ndarray:
    """A column per driver: a value's draws, or a risk's realised cost."""
    out = np.empty((draws.shape[0], len(model.drivers)))
    for d, (*_, source, sign) in enumerate(model.drivers):
        if isinstance(source, int):
            out[:, d] = draws[:, source]
        else:
            out[:, d] = np.asarray(_line_pv(source, draws)) * np.ones(draws.shape[0])
        if sign < 0:
            out[:, d] *= -1.0
    return out


def with_columns(npvs: np.ndarray, counts: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The table of every measure the simulation reports, a row each.

    Parameters
    ----------
    npvs
        A row per project, a column per draw (from :func:`chunks`).
    counts
        Whether each project counts toward the target.
    out
        Where to write the table (a view into the kept draws), or ``None`` for a new array.

    Returns
    -------
    numpy.ndarray
        Rows: the projects, then the portfolio, then the NPV toward the target.
    """
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
