"""Sensitivity analysis: the tornado and switching values (Green Book).

The tornado moves each uncertain value, one at a time, to the ``low`` and then the ``high`` end of
its range with every other value as the scenario has it (``central`` by default), and records the
portfolio NPV at each end. Only the line that holds the value is re-valued: nothing else depends
on it.

Switching values say how far a result can move before a decision changes: the share by which a
project's benefits could fall (``npv / pv_benefits``) or its costs rise (``npv / pv_costs``)
before its NPV reaches 0, and the share by which the benefits of the projects that count toward
the target could all fall before the target is missed (``headroom / their pv_benefits``). A
negative switching value means the NPV is already below 0 (or the target already missed): it is
the rise in benefits (or fall in costs) needed to reach it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from .calculate import PortfolioResult, appraise_case, case_flows, case_risk_flows
from .errors import InputError, Problem, shown_path
from .model import Portfolio
from .scenarios import prepare


@dataclass(frozen=True)
class TornadoBar:
    """One uncertain value moved to each end of its range, the rest as the scenario has them."""

    project: str
    line: str
    section: str
    index: int
    field: str
    low: float
    high: float
    npv_at_low: float
    npv_at_high: float
    #: the NPV toward the target at each end (what the target is tested against)
    toward_target_at_low: float
    toward_target_at_high: float

    @property
    def swing(self) -> float:
        return abs(self.npv_at_high - self.npv_at_low)

    @property
    def toward_target_swing(self) -> float:
        return abs(self.toward_target_at_high - self.toward_target_at_low)


@dataclass(frozen=True)
class SwitchingValue:
    """How far a project's benefits could fall, or costs rise, before its NPV reaches 0."""

    project: str
    npv: float
    benefits_fall: float | None
    costs_rise: float | None


@dataclass(frozen=True)
class Sensitivity:
    """The tornado (largest swing first), switching values, and the result they start from."""

    base: PortfolioResult
    tornado: tuple[TornadoBar, ...]
    switching_values: tuple[SwitchingValue, ...]
    benefits_fall_to_miss_target: float | None

    @property
    def scenario(self) -> str:
        return self.base.scenario

    def ranked(self) -> tuple[TornadoBar, ...]:
        """The bars by the measure the target is tested against: the swing of the NPV toward
        the target when there is a target (a bar of a project that does not count has none),
        else the swing of the portfolio NPV; ties keep the JSON's order."""
        if self.base.target is None:
            return self.tornado
        return tuple(sorted(self.tornado, key=lambda bar: -bar.toward_target_swing))


def switching_values(result: PortfolioResult) -> tuple[tuple[SwitchingValue, ...], float | None]:
    """Per-project switching values and the portfolio's benefits fall to miss the target.

    ``None`` where the share is undefined: no benefits (or no costs), or no target.
    """
    values = tuple(
        SwitchingValue(
            p.id,
            p.npv,
            p.npv / p.pv_benefits if p.pv_benefits else None,
            p.npv / p.pv_costs if p.pv_costs else None,
        )
        for p in result.projects
    )
    counting = sum(p.pv_benefits for p in result.projects if p.counts_toward_target)
    fall = None
    if result.headroom is not None and counting:
        fall = result.headroom / counting
    return values, fall


def sensitivity(
    portfolio: Portfolio,
    scenario: str = "central",
    overrides: Mapping[str, object] | None = None,
) -> Sensitivity:
    """The tornado and switching values of a portfolio under a scenario.

    Parameters
    ----------
    portfolio, scenario, overrides
        As for :func:`npv_calc.appraise`; the values not being moved take the scenario's values.

    Returns
    -------
    Sensitivity
        The tornado sorted by swing, largest first (ties keep file order).
    """
    case = prepare(portfolio, scenario, overrides)
    base = appraise_case(case)
    bars: list[TornadoBar] = []
    for project, result in zip(case.projects, base.projects, strict=True):
        # A value moves only its own line's present value: re-value that line alone.
        settings = result.settings
        counts = 1.0 if result.counts_toward_target else 0.0
        moved_lines = [
            (line, line_result, case_flows)
            for line, line_result in zip(project.all_lines, result.lines, strict=True)
        ] + [
            (risk, risk_result, case_risk_flows)
            for risk, risk_result in zip(project.risks, result.risks, strict=True)
        ]
        for line, line_result, flows_of in moved_lines:
            sign = 1.0 if line.section == "benefits" else -1.0
            for field, value in line.uncertain():
                key = (project.id, line.section, line.index, field)
                changes = []
                for end in (value.low, value.high):
                    moved = replace(case, fixed={**case.fixed, key: end})
                    pv = float(flows_of(moved, project, line, settings) @ result.discount_factors)
                    changes.append(sign * (pv - line_result.pv))
                bars.append(
                    TornadoBar(
                        project.id,
                        line.name,
                        line.section,
                        line.index,
                        field,
                        value.low,
                        value.high,
                        base.npv + changes[0],
                        base.npv + changes[1],
                        base.npv_toward_target + counts * changes[0],
                        base.npv_toward_target + counts * changes[1],
                    )
                )
    overflowing = [b for b in bars if not (math.isfinite(b.npv_at_low) and math.isfinite(b.swing))]
    if overflowing:
        raise InputError(
            [
                Problem(
                    shown_path(p.path),
                    "at the ends of its range, the NPV is more than a computer can hold (about "
                    "1e308); check the range for a slip",
                    f'{b.section}[{b.index}] "{b.line}"',
                    b.field,
                )
                for b in overflowing
                for p in case.projects
                if p.id == b.project
            ]
        )
    bars.sort(key=lambda bar: -bar.swing)  # sort is stable: ties stay in file order
    values, fall = switching_values(base)
    return Sensitivity(base, tuple(bars), values, fall)
