"""The internal rate of return of a project's net flows.

Conventions: ``values[t]`` is the net flow of year ``t``, year 0 (undiscounted) first, as in
:func:`npv_calc.calculate.npv`. Pure numpy, no input or output: the results layer works it out
when it is first read (:attr:`npv_calc.results.appraisal.ProjectResult.irr`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def irr(values: Sequence[float] | np.ndarray) -> float | None:
    """Internal rate of return: the rate at which :func:`npv_calc.calculate.npv` of the flows is 0.

    Parameters
    ----------
    values
        The net flow of each year, year 0 (undiscounted) first.

    Returns
    -------
    float or None
        Where several rates above -100% give an NPV of 0, the smallest non-negative one, or,
        if all are negative, the one closest to 0 (the rule of numpy-financial). ``None`` when
        no rate does (all flows of one sign, or none finite).

    Examples
    --------
    >>> round(irr([-100, 0, 0, 74]), 6)
    -0.095496
    >>> irr([100, 10]) is None
    True
    """
    flows = np.asarray(values, dtype=float)
    nonzero = flows[flows != 0]
    if nonzero.size == 0 or np.all(nonzero > 0) or np.all(nonzero < 0):
        return None
    if not np.all(np.isfinite(flows)):
        return None
    # NPV(r) = sum v_t x^t with x = 1 / (1 + r): a polynomial in x whose positive real roots are
    # the rates above -100%. Scaling the coefficients changes no root but keeps the companion
    # matrix well conditioned when the flows differ hugely in size.
    with np.errstate(all="ignore"):
        try:
            roots = np.roots(flows[::-1] / np.max(np.abs(flows)))
        except np.linalg.LinAlgError:
            return None
        candidates = roots[
            np.isfinite(roots)
            & (np.abs(roots.imag) <= 1e-6 * np.maximum(1.0, np.abs(roots)))
            & (roots.real > 0)
        ].real
        t = np.arange(flows.size)
        found: list[float] = []
        for root in candidates:
            x = _polish(flows, t, float(root))
            rate = 1.0 / x - 1.0
            if abs(rate) < 1e-12:  # a rate of 0 computed as -6e-16 is still 0 (non-negative)
                rate = 0.0
            if not np.isfinite(rate) or rate <= -1:
                continue
            # Judge the root against the size of the discounted terms, not of the flows: near
            # -100% each term is multiplied by (1 + r)^-t and the flows alone mean little.
            terms = flows * x**t
            size = float(np.sum(np.abs(terms)))
            if not np.isfinite(size) or size == 0:
                continue
            if abs(float(np.sum(terms))) <= 1e-9 * size and not any(
                abs(rate - f) <= 1e-9 * max(1.0, abs(f)) for f in found
            ):
                found.append(rate)
    if not found:
        return None
    positive = [r for r in found if r >= 0]
    return min(positive) if positive else max(found)


def _polish(flows: np.ndarray, t: np.ndarray, x: float) -> float:
    """Newton's method on the polynomial sum v_t x^t from one of its roots, keeping the best
    point found (so that a step that goes astray cannot lose a good root)."""
    best, best_value = x, abs(float(np.sum(flows * x**t)))
    for _ in range(50):
        value = float(np.sum(flows * x**t))
        slope = float(np.sum(t * flows * x ** np.maximum(t - 1, 0)))
        if slope == 0 or not np.isfinite(slope) or not np.isfinite(value):
            break
        step = value / slope
        if not np.isfinite(x - step) or x - step <= 0:
            break
        x -= step
        current = abs(float(np.sum(flows * x**t)))
        if current < best_value:
            best, best_value = x, current
        if abs(step) <= 1e-15 * abs(x):
            break
    return best
