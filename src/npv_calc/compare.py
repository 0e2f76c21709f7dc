"""What changed between two scenario sets, project by project ("since the last board")."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from .calculate import PortfolioResult, appraise
from .errors import InputError, Problem
from .model import Portfolio

#: Changes smaller than half a penny are no change.
UNCHANGED = 0.005


@dataclass(frozen=True)
class ProjectChange:
    """A project's NPV in A and in B (``None`` on the side it is missing from)."""

    id: str
    name: str
    npv_a: float | None
    npv_b: float | None

    @property
    def change(self) -> float:
        """B - A, a missing side counting as 0: the project's part in the portfolio change."""
        return (self.npv_b or 0.0) - (self.npv_a or 0.0)

    @property
    def status(self) -> str:
        if self.npv_a is None:
            return "added"
        if self.npv_b is None:
            return "removed"
        return "changed" if abs(self.change) >= UNCHANGED else "unchanged"


@dataclass(frozen=True)
class Comparison:
    """Two appraisals side by side; projects sorted by the size of their change."""

    a: PortfolioResult
    b: PortfolioResult
    projects: tuple[ProjectChange, ...]

    @property
    def change(self) -> float:
        return self.b.npv - self.a.npv


def compare(
    a: Portfolio,
    b: Portfolio,
    scenario: str = "central",
    overrides: Mapping[str, object] | None = None,
) -> Comparison:
    """Appraise two scenario sets the same way and line their projects up by id.

    Projects appear in order of the size of their change, largest first; a project in one set
    only is ``added`` (in B only) or ``removed`` (in A only).
    """
    result_a = appraise(a, scenario, overrides)
    result_b = appraise(b, scenario, overrides)
    in_a = {p.id: p for p in result_a.projects}
    in_b = {p.id: p for p in result_b.projects}
    changes = []
    for pid in dict.fromkeys([*in_a, *in_b]):
        pa, pb = in_a.get(pid), in_b.get(pid)
        name = (pb or pa).project.name  # type: ignore[union-attr]
        changes.append(ProjectChange(pid, name, pa.npv if pa else None, pb.npv if pb else None))
    changes.sort(key=lambda c: -abs(c.change))  # stable: equal changes keep their order
    comparison = Comparison(result_a, result_b, tuple(changes))
    if not all(math.isfinite(c.change) for c in (comparison, *changes)):
        raise InputError(
            [
                Problem(
                    "compare",
                    "the change between the two sets is more than a computer can hold (about "
                    "1e308); check the amounts for a slip",
                )
            ]
        )
    return comparison
