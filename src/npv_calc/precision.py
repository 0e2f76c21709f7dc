"""Figures a computer can hold: each is refused, naming where it went wrong, when it is beyond
what a double-precision number holds (about 1e308), when a discount factor is, or when rounding
could swamp it because large costs and benefits cancel. Pure numpy, no I/O.

A sum of present values is known only to about ``2**-52`` of the present values added up,
their signs ignored (their *scale*). Below about £4.5 × 10^15 of them that is under a penny and
every figure is exact to the penny; above it, a figure is refused when rounding could move it
by more than £1 *and* by more than a millionth of itself. A figure of £10^20 is then still
given (to six significant figures and more), but a cost and a benefit of £1.7 × 10^308 in one
year, which leave an NPV of exactly £0 whatever the project's other lines hold, are refused
(docs/cli.md, Limits).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .discount import discount_factors
from .errors import Problem, shown_path
from .model import Project, Settings, financial_year
from .results.appraisal import LineResult

#: The relative rounding of a double-precision number: a sum is known to about its scale
#: times this.
ROUNDING = 2.0**-52
#: A figure whose rounding could move it by more than this many pounds ...
POUND = 1.0
#: ... and by more than this share of itself is refused.
SHARE = 1e-6
#: Present values up to which every figure is right to the pound, as messages write it (4.5e15)
EXACT_TO = f"{POUND / ROUNDING:.1e}".replace("e+", "e")
#: The smallest factor whose inverse a double still holds, and the largest (about 1e-308 and
#: 4.5e307): a present-value-year factor is a discount factor or its inverse.
_TINY = float(np.finfo(float).tiny)
_HUGE = 1.0 / _TINY
#: What every message refusing a figure too large suggests.
SLIP = "check the amounts for a slip (a value in pence, or an extra zero or exponent)"


def too_large(file: str, what: str) -> Problem:
    """A sum beyond what a computer holds: ``what`` says which (``"its costs ... add up"``)."""
    return Problem(
        file,
        f"{what} to more than a computer can hold (about 1e308); no figure is written: {SLIP}",
    )


def lost(figure: float, scale: float) -> bool:
    """Whether rounding at ``scale`` (the present values added up, signs ignored) could move
    ``figure`` by more than :data:`POUND` and by more than :data:`SHARE` of itself.

    Examples
    --------
    >>> lost(0.0, 3.3e308), lost(1e20, 1e20), lost(5_000.0, 1e9)
    (True, False, False)
    """
    error = scale * ROUNDING
    return bool(error > POUND and error > SHARE * abs(figure))


def scale(results: Iterable[LineResult], factors: np.ndarray) -> float:
    """The present values of ``results``' flows added up with their signs ignored (infinite
    when even that overflows: the figures are then lost)."""
    with np.errstate(all="ignore"):
        return float(sum((float(np.abs(r.flows) @ factors) for r in results), 0.0))


def largest(results: Sequence[LineResult], factors: np.ndarray, start_year: int) -> str:
    """The largest present value of a single year among the costs and among the benefits, with
    its line and year: ``costs[1] "Staff" in 2021/22 (£1.64e+308)``, for messages."""
    found: dict[str, tuple[float, str]] = {}
    with np.errstate(all="ignore"):
        for result in results:
            terms = np.abs(result.flows * factors)
            if not terms.size or not np.any(terms > 0):
                continue
            year = int(np.nanargmax(np.where(np.isnan(terms), -1.0, terms)))
            side = "benefits" if result.line.section == "benefits" else "costs"
            if terms[year] > found.get(side, (-1.0, ""))[0]:
                place = f"{result.line.label} in {financial_year(start_year + year)}"
                found[side] = (float(terms[year]), f"{place} (£{terms[year]:.3g})")
    return "; ".join(found[side][1] for side in ("costs", "benefits") if side in found)


def project_problem(
    project: Project,
    results: Sequence[LineResult],
    factors: np.ndarray,
    yearly: np.ndarray,
    figures: Sequence[float],
) -> Problem | None:
    """The problem of a project whose ``yearly`` net flows or ``figures`` (PV of costs, PV of
    benefits, NPV, cashable NPV) are beyond what a computer holds, or whose NPV or cashable NPV
    rounding could swamp; ``None`` when they hold."""
    if not (np.all(np.isfinite(yearly)) and np.all(np.isfinite(figures))):
        where = largest(results, factors, project.start_year)
        return too_large(
            shown_path(project.path), f"its costs and benefits add up (the largest: {where})"
        )
    cashable = [r for r in results if r.line.section != "benefits" or r.line.cashable]
    return cancelled(project, results, factors, "NPV", figures[2]) or cancelled(
        project, cashable, factors, "cashable NPV", figures[3]
    )


def cancelled(
    project: Project,
    results: Sequence[LineResult],
    factors: np.ndarray,
    name: str,
    figure: float,
) -> Problem | None:
    """The problem of a project whose ``figure`` (its ``name``: ``"NPV"``), the present value
    of ``results``, rounding could swamp (:func:`lost`), naming the largest present values
    behind it; ``None`` when it holds."""
    size = scale(results, factors)
    if not lost(figure, size):
        return None
    return Problem(
        shown_path(project.path),
        f"the costs and benefits of {project.id} are too large to add up to the pound: "
        f"{_rounding(size, 'their present values, costs and benefits together,')}, and its "
        f"{name} ({pounds(figure)}) is lost in the rounding; the largest present values: "
        f"{largest(results, factors, project.start_year)}. Figures are exact to the pound up "
        f"to about £{EXACT_TO} of present values; {SLIP}",
    )


def _rounding(size: float, what: str) -> str:
    """What rounding comes to at ``size``, ``what`` added up with their signs ignored."""
    if not np.isfinite(size):
        return f"{what} add up to more than a computer holds (about 1e308)"
    return (
        f"{what} come to £{size:.3g}, where a computer rounds to the nearest "
        f"£{size * ROUNDING:.2g} or so"
    )


def pounds(value: float) -> str:
    """A figure in a message: to the pound, or to three figures when it is huge.

    Examples
    --------
    >>> pounds(-1234.4), pounds(1.7e308)
    ('-£1,234', '£1.7e+308')
    """
    sign = "-" if value < 0 else ""
    size = abs(value)
    return f"{sign}£{size:,.0f}" if size < 1e15 else f"{sign}£{size:.3g}"


def discount_factors_problem(project: Project, settings: Settings, horizon: int) -> Problem:
    """A project's own discount factors beyond what a computer holds."""
    return Problem(
        shown_path(project.path),
        f"a discount_rate of {settings.discount_rate} over {horizon} years gives discount "
        "factors too large to calculate with (beyond about 1e308); use a higher rate or a "
        "shorter horizon",
        field="discount_rate",
    )


def present_value_year_problem(
    project: Project, settings: Settings, at_year: int, factors: np.ndarray, file: Path | None
) -> Problem | None:
    """The problem of a ``present_value_year`` so far from a project's years that a factor
    taking its flows there is beyond what a computer holds (or so small that it is 0), saying
    which present-value years would do; ``None`` when every factor holds."""
    if np.all(np.isfinite(factors) & (factors >= _TINY) & (factors <= _HUGE)):
        return None
    shift = 1 if settings.discount_year0 else 0
    first, last = project.start_year, project.start_year + settings.horizon - 1
    farthest = max(abs(first - at_year + shift), abs(last - at_year + shift))
    with np.errstate(all="ignore"):
        df = discount_factors(
            farthest + 1, settings.discount_rate, settings.declining, False, settings.schedule
        )
    # the factor of k years, DF(k) or 1 / DF(k), holds for k up to ``reach``
    reach = int(np.argmax(~((df >= _TINY) & (df <= _HUGE)))) - 1
    # (a year is written with four digits)
    low, high = max(last + shift - reach, 1000), min(first + shift + reach, 9999)
    rate = (
        f"the {settings.schedule} schedule"
        if settings.schedule
        else f"a discount_rate of {settings.discount_rate}"
    )
    fits = (
        f"with these settings it must be from {low} to {high} for {project.id}"
        if low <= high
        else "no year can value all of them: use a higher rate or a shorter horizon"
    )
    return Problem(
        shown_path(file) if file is not None else "the portfolio",
        f"{at_year} is too far from the years of {project.id} ({financial_year(first)} to "
        f"{financial_year(last)}) to value them there: at {rate} the discount factor over "
        f"{farthest} years is beyond what a computer holds (about 1e308, or 1e-308); {fits}",
        "[portfolio]",
        "present_value_year",
    )


def portfolio_problem(
    file: str, npvs: dict[str, float], nets: Sequence[float], totals: Sequence[float]
) -> Problem | None:
    """The problem of a portfolio whose ``totals`` (its sums of the projects' figures) are
    beyond what a computer holds, or whose ``nets`` (its NPV and NPV toward the target: sums of
    the projects' NPVs) rounding could swamp, the projects' NPVs being ``npvs``; ``None`` when
    every total holds."""
    biggest = sorted(npvs, key=lambda pid: -abs(npvs[pid]))[:3]
    where = ", ".join(f"{pid} ({npvs[pid]:.3g})" for pid in biggest)
    if not all(np.isfinite(totals)):
        return too_large(file, f"the projects' figures add up (largest: {where})")
    size = float(sum(abs(npv) for npv in npvs.values()))
    if not any(lost(net, size) for net in nets):
        return None
    return Problem(
        file,
        f"the projects' NPVs are too large to add up to the pound: "
        f"{_rounding(size, 'they, their signs ignored,')}, and the portfolio's NPV "
        f"({pounds(nets[0])}) is lost in the rounding (largest: {where}). Figures are exact to "
        f"the pound up to about £{EXACT_TO}; {SLIP}",
    )
