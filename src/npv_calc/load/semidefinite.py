"""Whether correlation groups' coefficients can hold together: the positive semi-definite test
of :func:`~npv_calc.load.checks.check_correlation`, in plain Python (validation never needs
numpy).

The test factors the group-level matrix by a Cholesky factorisation with diagonal pivoting:
about n³/6 multiplications for n groups (a second or so for 500), where the Jacobi eigenvalue
rotations it replaced took several sweeps of n³ each, and a minute for 250 groups. When the
matrix is not semi-definite, the elimination leaves a direction ``x`` with ``xᵀ M x < 0``; the
groups with a real weight in it are the ones named."""

from __future__ import annotations

import math
import operator

#: A pivot (or what is left of the matrix) within this much of 0, relative to the matrix's
#: largest entry, is 0: a pair at +1 or -1 is semi-definite, and rounding must not refuse it.
TOLERANCE = 1e-9


def not_semi_definite(
    groups: list[str],
    rho: dict[str, float],
    counts: dict[str, int],
    between: tuple[tuple[str, str, float], ...],
) -> list[str]:
    """The groups involved when the value-level correlation matrix is not positive
    semi-definite (``[]`` when it is).

    With n_g drawn values in group g, the value-level matrix is semi-definite exactly when the
    group-level matrix M (M_gg = 1 + (n_g - 1) rho_g, M_ab = r_ab sqrt(n_a n_b)) is (the other
    eigenvalues are 1 - rho_g >= 0), so only M, a row and column per group, is factored.
    """
    if not groups:
        return []
    index = {g: i for i, g in enumerate(groups)}
    size = len(groups)
    m = [[0.0] * size for _ in range(size)]
    for g in groups:
        m[index[g]][index[g]] = 1 + (counts[g] - 1) * rho[g]
    for a, b, r in between:
        if a in index and b in index:
            m[index[a]][index[b]] = m[index[b]][index[a]] = r * math.sqrt(counts[a] * counts[b])
    direction = negative_direction(m)
    if direction is None:
        return []
    weights = [abs(x) for x in direction]
    return [g for g in groups if weights[index[g]] > 0.05 * max(weights)]


def negative_direction(m: list[list[float]]) -> list[float] | None:
    """A vector ``x`` with ``xᵀ m x < 0`` for a symmetric matrix ``m``, or ``None`` when ``m``
    is positive semi-definite (to within :data:`TOLERANCE` of its largest entry).

    A pivoted Cholesky factorisation: each step takes the index with the largest diagonal
    entry left (``d``) as its pivot and works out its column of ``L`` (a dot product per index
    left: n³/6 multiplications in all). Elimination stops when no diagonal entry left is
    clearly positive; what is left (``m - L Lᵀ`` over the indices not taken) is then 0
    (semi-definite) or holds a direction with a negative value (a negative diagonal entry, or
    an off-diagonal one larger than the diagonal beside it), which is carried back through the
    steps so that ``xᵀ m x`` keeps that value.
    """
    scale = max(1.0, max(abs(x) for row in m for x in row))
    tolerance = TOLERANCE * scale
    size = len(m)
    rows: list[list[float]] = [[] for _ in range(size)]  # each index's row of L, by step
    diagonal = [m[i][i] for i in range(size)]  # of what is left: m_ii - sum of L_it²
    left = list(range(size))
    pivots: list[int] = []
    mul = operator.mul
    while left:
        pivot = max(left, key=diagonal.__getitem__)
        if diagonal[pivot] <= tolerance:
            break
        left.remove(pivot)
        root = math.sqrt(diagonal[pivot])
        own, column = rows[pivot], m[pivot]
        for i in left:
            value = (column[i] - sum(map(mul, rows[i], own))) / root
            rows[i].append(value)
            diagonal[i] -= value * value
        own.append(root)
        pivots.append(pivot)
    found = _negative_in_rest(m, rows, diagonal, left, tolerance)
    if found is None:
        return None
    x = [0.0] * size
    for i, value in found.items():
        x[i] = value
    # back through the steps: each pivot's component cancels the coupling of the indices
    # after it (its column of Lᵀx is 0), so that xᵀ m x is the value found in what was left
    later = list(left)
    for step in range(len(pivots) - 1, -1, -1):
        pivot = pivots[step]
        coupling = sum(rows[i][step] * x[i] for i in later)
        x[pivot] = -coupling / rows[pivot][step]
        later.append(pivot)
    return x


def _negative_in_rest(
    m: list[list[float]],
    rows: list[list[float]],
    diagonal: list[float],
    left: list[int],
    tolerance: float,
) -> dict[int, float] | None:
    """A direction (over the indices ``left``) with a negative value in what elimination
    left, whose diagonal is at most ``tolerance``; ``None`` when what is left is 0 to within
    it."""
    if not left:
        return None
    low = min(left, key=diagonal.__getitem__)
    if diagonal[low] < -tolerance:
        return {low: 1.0}
    biggest, i, j = 0.0, low, low
    for a_at, a in enumerate(left):
        for b in left[a_at + 1 :]:
            entry = m[a][b] - sum(map(operator.mul, rows[a], rows[b]))
            if abs(entry) > abs(biggest):
                biggest, i, j = entry, a, b
    # (e_i - sign e_j) gives S_ii + S_jj - 2 |S_ij|: negative once |S_ij| passes the diagonal
    if i == j or 2 * abs(biggest) <= diagonal[i] + diagonal[j] + tolerance:
        return None
    return {i: 1.0, j: -math.copysign(1.0, biggest)}
