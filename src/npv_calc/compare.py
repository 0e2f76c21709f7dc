"""What changed between two scenario sets, project by project ("since the last board")."""

from __future__ import annotations

import math
from collections.abc import Mapping

from .calculate import appraise_case
from .errors import InputError, Problem
from .model import Portfolio, SettingsPatch
from .results.comparison import UNCHANGED, Comparison, ProjectChange
from .scenarios import Case, case_of

__all__ = ["UNCHANGED", "Comparison", "ProjectChange", "compare"]


def compare(
    a: Case | Portfolio,
    b: Case | Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
) -> Comparison:
    """Appraise two scenario sets the same way and line their projects up by id: two prepared
    cases, or two portfolios prepared with the same ``scenario`` and ``overrides``.

    Projects appear in order of the size of their change, largest first; a project in one set
    only is ``added`` (in B only) or ``removed`` (in A only).
    """
    result_a = appraise_case(case_of(a, scenario, overrides))
    result_b = appraise_case(case_of(b, scenario, overrides))
    in_a = {p.id: p for p in result_a.projects}
    in_b = {p.id: p for p in result_b.projects}
    changes = []
    for pid in dict.fromkeys([*in_a, *in_b]):
        pa, pb = in_a.get(pid), in_b.get(pid)
        name = (pb or pa).project.name  # type: ignore[union-attr]
        changes.append(ProjectChange(pid, name, pa.npv if pa else None, pb.npv if pb else None))
    changes.sort(key=lambda c: -abs(c.change))  # stable: equal changes keep their order
    comparison = Comparison(result_a, result_b, tuple(changes))
    moved = (comparison.change, *(c.change for c in changes))
    if not all(math.isfinite(change) for change in moved):
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
