"""Discount factors, the Green Book way.

Conventions
-----------
Year ``t`` is an offset from the project's year 0. ``DF(0) = 1`` and
``DF(t) = DF(t-1) / (1 + r_t)``, where ``r_t`` is the discount rate for year ``t``: the chosen
rate for years 1-30 and, with the declining schedule, the Green Book's lower rates for later
years, each scaled by ``rate / 3.5%`` so that a different base rate keeps the schedule's shape.
A named published ``schedule`` (standard, health, the 2026 lower-rate test) is used as published
instead: its rate for the band of year ``t``, with no scaling.
With ``year0=True`` every year is discounted one period more, ``DF'(t) = DF(t+1)``, the convention
of Excel's and LibreOffice's ``NPV()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from . import params
from .model import Settings

#: Rates and factors kept between appraisals (each a few hundred numbers at most): a portfolio's
#: projects share a handful of settings, and every appraisal of a project asks for its factors
#: three times. What is kept is read-only, so no caller can change another's factors.
KEPT = 256


@lru_cache(maxsize=KEPT)
def yearly_rates(
    years: int, rate: float = 0.035, declining: bool = True, schedule: str | None = None
) -> np.ndarray:
    """The rate ``r_t`` applied in each year ``t = 1 .. years`` (read-only).

    Parameters
    ----------
    years
        How many years of rates (``r_1`` first).
    rate
        The rate for years 1-30 (the Social Time Preference Rate is 0.035).
    declining
        Apply the Green Book's declining schedule after year 30, scaled to ``rate``; when false
        the rate is flat.
    schedule
        A published schedule of :data:`npv_calc.params.SCHEDULES` (``"health"``, ...), used as
        published: ``rate`` and ``declining`` are then ignored.

    Examples
    --------
    >>> yearly_rates(3).tolist()
    [0.035, 0.035, 0.035]
    >>> round(float(yearly_rates(31)[-1]), 6)
    0.03
    >>> yearly_rates(76, schedule="health")[[0, 30, 74, 75]].tolist()
    [0.015, 0.0129, 0.0129, 0.0107]
    """
    t = np.arange(1, years + 1)
    if schedule is None and not declining:
        return _read_only(np.full(years, float(rate)))
    standard = params.standard_rate()
    rates = np.empty(years)
    for band in params.discount_bands():
        last = np.inf if band.last is None else band.last
        used = band.rate(schedule) if schedule is not None else rate * band.standard / standard
        rates[(t >= band.first) & (t <= last)] = used
    return _read_only(rates)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@lru_cache(maxsize=KEPT)
def discount_factors(
    horizon: int,
    rate: float = 0.035,
    declining: bool = True,
    year0: bool = False,
    schedule: str | None = None,
) -> np.ndarray:
    """Discount factors for years ``0 .. horizon - 1``.

    Parameters
    ----------
    horizon
        Number of years appraised (a 10-year appraisal covers years 0-9).
    rate
        Discount rate for years 1-30, e.g. 0.035.
    declining
        Use the Green Book declining schedule after year 30 (scaled to ``rate``).
    year0
        Discount year 0 as well (``DF'(t) = DF(t+1)``), as spreadsheet ``NPV()`` does.
    schedule
        A published schedule used as published (see :func:`yearly_rates`).

    Returns
    -------
    numpy.ndarray
        ``horizon`` factors (read-only); the first is 1 unless ``year0``.

    Examples
    --------
    >>> [round(x, 4) for x in discount_factors(3).tolist()]
    [1.0, 0.9662, 0.9335]
    """
    count = horizon + 1 if year0 else horizon
    rates = yearly_rates(count - 1, rate, declining, schedule)
    factors = np.empty(count)
    factors[0] = 1.0
    # The running division matches the workbook's DF(t) = DF(t-1) / (1 + r_t) step for step.
    for t in range(1, count):
        factors[t] = factors[t - 1] / (1.0 + rates[t - 1])
    return _read_only(factors[1:] if year0 else factors)


def first_rate(settings: Settings) -> float:
    """The rate a project's settings apply in years 1-30.

    Parameters
    ----------
    settings
        A project's (or the portfolio's) appraisal settings.

    Returns
    -------
    float
        Its published schedule's first band, or its ``discount_rate``.

    Examples
    --------
    >>> from npv_calc.model import Settings
    >>> first_rate(Settings(schedule="health")), first_rate(Settings(discount_rate=0.03))
    (0.015, 0.03)
    """
    if settings.schedule is not None:
        return params.discount_bands()[0].rate(settings.schedule)
    return settings.discount_rate


def settings_factors(horizon: int, settings: Settings) -> np.ndarray:
    """:func:`discount_factors` for a project's appraisal settings.

    Parameters
    ----------
    horizon
        Years appraised (years ``0 .. horizon - 1``).
    settings
        The rate or published schedule, whether it declines after year 30, and whether year 0
        is discounted.

    Returns
    -------
    numpy.ndarray
        ``horizon`` factors, ``DF(0) = 1`` unless year 0 is discounted.

    Examples
    --------
    >>> from npv_calc.model import Settings
    >>> [round(x, 4) for x in settings_factors(2, Settings(discount_year0=True)).tolist()]
    [0.9662, 0.9335]
    """
    return discount_factors(
        horizon,
        settings.discount_rate,
        settings.declining,
        settings.discount_year0,
        settings.schedule,
    )


def applied_rates(horizon: int, settings: Settings) -> np.ndarray:
    """The rate each year's discount factor divides by, as the workbook's "Discount rate
    applied" row shows it.

    Parameters
    ----------
    horizon
        Years appraised (years ``0 .. horizon - 1``).
    settings
        The rate or published schedule, whether it declines, whether year 0 is discounted.

    Returns
    -------
    numpy.ndarray
        For each ``t``, the rate of the band holding year ``t`` (``t + 1`` with year 0
        discounted): ``DF(t) = DF(t - 1) / (1 + rates[t])``. Year 0, undiscounted, shows its
        band's rate, though ``DF(0) = 1`` divides by none.

    Examples
    --------
    >>> from npv_calc.model import Settings
    >>> applied_rates(2, Settings(schedule="health")).tolist()
    [0.015, 0.015]
    >>> round(float(applied_rates(32, Settings())[31]), 6)
    0.03
    """
    shift = 1 if settings.discount_year0 else 0
    rates = yearly_rates(
        horizon + shift, settings.discount_rate, settings.declining, settings.schedule
    )
    # rates[k - 1] is r_k; year 0 lies in the first band with year 1
    return rates[np.maximum(np.arange(horizon) + shift - 1, 0)]


def band_rates(settings: Settings) -> tuple[float, ...]:
    """The rate of each band of the Green Book schedule under some settings.

    Parameters
    ----------
    settings
        The rate or published schedule and whether it declines after year 30.

    Returns
    -------
    tuple of float
        A rate per band of :func:`npv_calc.params.discount_bands`, first band first: the
        published schedule's, or ``discount_rate`` scaling the standard schedule (flat when it
        does not decline).

    Examples
    --------
    >>> from npv_calc.model import Settings
    >>> [round(r, 4) for r in band_rates(Settings(discount_rate=0.07))]
    [0.07, 0.06, 0.05, 0.04, 0.03, 0.02]
    """
    firsts = [band.first for band in params.discount_bands()]
    rates = yearly_rates(max(firsts), settings.discount_rate, settings.declining, settings.schedule)
    # rates[k - 1] is r_k; year 0 lies in the first band with year 1
    return tuple(float(rates[max(first - 1, 0)]) for first in firsts)


def present_value_year_factors(
    offsets: np.ndarray | Sequence[int], settings: Settings
) -> np.ndarray:
    """Factors that value a flow at one present-value year, ``offsets`` years after it.

    ``G(k)`` for ``k >= 0`` is the project's own schedule's ``DF(k)``; for a year before the
    present-value year it is compounded forward, ``G(-k) = 1 / DF(k)``. With year 0 discounted
    every offset counts one year more (``G(k + 1)``), so that a project whose year 0 is the
    present-value year keeps its NPV.

    Parameters
    ----------
    offsets
        ``financial year - present_value_year`` of each flow (negative before it).
    settings
        The project's settings (rate, declining, schedule, year 0).

    Examples
    --------
    >>> from npv_calc.model import Settings
    >>> [round(x, 6) for x in present_value_year_factors([-1, 0, 1], Settings()).tolist()]
    [1.035, 1.0, 0.966184]
    """
    k = np.asarray(offsets, dtype=int) + (1 if settings.discount_year0 else 0)
    if k.size == 0:
        return np.ones(0)
    reach = int(np.abs(k).max()) + 1
    df = discount_factors(
        reach, settings.discount_rate, settings.declining, False, settings.schedule
    )
    return np.where(k >= 0, df[np.abs(k)], 1.0 / df[np.abs(k)])
