"""Discount factors, the Green Book way.

Conventions
-----------
Year ``t`` is an offset from the project's year 0. ``DF(0) = 1`` and
``DF(t) = DF(t-1) / (1 + r_t)``, where ``r_t`` is the discount rate for year ``t``: the chosen
rate for years 1-30 and, with the declining schedule, the Green Book's lower rates for later
years, each scaled by ``rate / 3.5%`` so that a different base rate keeps the schedule's shape.
With ``year0=True`` every year is discounted one period more, ``DF'(t) = DF(t+1)``, the convention
of Excel's and LibreOffice's ``NPV()``.
"""

from __future__ import annotations

import numpy as np

from . import params


def yearly_rates(years: int, rate: float = 0.035, declining: bool = True) -> np.ndarray:
    """The rate ``r_t`` applied in each year ``t = 1 .. years``.

    Parameters
    ----------
    years
        How many years of rates (``r_1`` first).
    rate
        The rate for years 1-30 (the Social Time Preference Rate is 0.035).
    declining
        Apply the Green Book's declining schedule after year 30, scaled to ``rate``; when false
        the rate is flat.

    Examples
    --------
    >>> yearly_rates(3).tolist()
    [0.035, 0.035, 0.035]
    >>> round(float(yearly_rates(31)[-1]), 6)
    0.03
    """
    t = np.arange(1, years + 1)
    if not declining:
        return np.full(years, float(rate))
    bands = params.discount_bands()
    standard = params.standard_rate()
    rates = np.empty(years)
    for band in bands:
        last = np.inf if band.last is None else band.last
        rates[(t >= band.first) & (t <= last)] = rate * band.standard / standard
    return rates


def discount_factors(
    horizon: int, rate: float = 0.035, declining: bool = True, year0: bool = False
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

    Returns
    -------
    numpy.ndarray
        ``horizon`` factors; the first is 1 unless ``year0``.

    Examples
    --------
    >>> [round(x, 4) for x in discount_factors(3).tolist()]
    [1.0, 0.9662, 0.9335]
    """
    count = horizon + 1 if year0 else horizon
    rates = yearly_rates(count - 1, rate, declining)
    factors = np.empty(count)
    factors[0] = 1.0
    # The running division matches the workbook's DF(t) = DF(t-1) / (1 + r_t) step for step.
    for t in range(1, count):
        factors[t] = factors[t - 1] / (1.0 + rates[t - 1])
    return factors[1:] if year0 else factors
