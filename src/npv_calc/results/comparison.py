"""The result of comparing two scenario sets (:mod:`npv_calc.compare`)."""

from __future__ import annotations

from dataclasses import dataclass

from .appraisal import PortfolioResult

#: Changes smaller than half a penny are no change.
UNCHANGED = 0.005


@dataclass(frozen=True)
class ProjectChange:
    """A project's NPV in A and in B (``None`` on the side it is missing from)."""

    id: str
    name: str
    npv_a: float | None
    npv_b: float | None
    #: what changed in the project's inputs between A and B, a sentence each (empty when
    #: nothing did, or the project is on one side only)
    inputs: tuple[str, ...] = ()

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

    @property
    def aside(self) -> str:
        """`` (added)`` or `` (removed)`` after the project's name; nothing when it is in both
        sets (its change says the rest)."""
        return f" ({self.status})" if self.status in ("added", "removed") else ""


@dataclass(frozen=True)
class Comparison:
    """Two appraisals side by side; projects sorted by the size of their change."""

    a: PortfolioResult
    b: PortfolioResult
    projects: tuple[ProjectChange, ...]
    #: what changed in the portfolio's own settings (target, ``as_of``, appraisal settings),
    #: a sentence each
    settings: tuple[str, ...] = ()

    @property
    def change(self) -> float:
        return self.b.npv - self.a.npv
