"""Sensitivity analysis: the tornado and switching values (Green Book).

The tornado moves each uncertain value, one at a time, to the ``low`` and then the ``high`` end of
its range with every other value as the scenario has it (``central`` by default), and records the
portfolio NPV at each end. Only the line that holds the value is re-valued: nothing else depends
on it. A project with a shortlist (``[[options]]``) also gets a tornado per option other than
business as usual (BAU), of the option's NPV against BAU (:func:`option_tornadoes`).

Switching values say how far a result can move before a decision changes: the share by which a
project's benefits could fall (``npv / pv_benefits``) or its costs rise (``npv / pv_costs``)
before its NPV reaches 0, and the share by which the benefits of the projects that count toward
the target could all fall before the target is missed (``headroom / their pv_benefits``). A
negative switching value means the NPV is already below 0 (or the target already missed): it is
the rise in benefits (or fall in costs) needed to reach it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial

import numpy as np

from .calculate import appraise_case, appraise_project, case_flows, case_risk_flows
from .errors import InputError, Problem, shown_path
from .load.options import stand_in
from .model import BAU, Portfolio, Project, Risk, SettingsPatch, Uncertain
from .results.appraisal import LineResult, PortfolioResult, ProjectResult
from .results.uncertainty import OptionTornado, Sensitivity, SwitchingValue, TornadoBar
from .scenarios import NEGATED, Case, case_of
from .threads import blas_threads

__all__ = [
    "OptionTornado",
    "Sensitivity",
    "SwitchingValue",
    "TornadoBar",
    "option_tornadoes",
    "sensitivity",
    "switching_values",
]


def switching_values(result: PortfolioResult) -> tuple[tuple[SwitchingValue, ...], float | None]:
    """Per-project switching values and the portfolio's benefits fall to miss the target.

    Benefits fall only where they are still to come: outturn recorded cannot fall (SPEC, one
    story for the board), so the share is of the benefits still to come. ``None`` where the
    share is undefined: no such benefits (or no costs), or no target.
    """
    values = tuple(
        SwitchingValue(
            p.id,
            p.npv,
            p.npv / p.pv_benefits_to_come if p.pv_benefits_to_come else None,
            p.npv / p.pv_costs if p.pv_costs > 0 else None,
        )
        for p in result.projects
    )
    counting = result.pv_benefits_to_come_toward_target
    fall = None
    if result.headroom is not None and counting:
        fall = result.headroom / counting
    return values, fall


def sensitivity(
    subject: Case | Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
    *,
    base: PortfolioResult | None = None,
) -> Sensitivity:
    """The tornado and switching values of a case, or of a portfolio under a scenario.

    Parameters
    ----------
    subject
        A prepared :class:`~npv_calc.scenarios.Case`, or a portfolio to prepare with
        ``scenario`` and ``overrides`` (as for :func:`npv_calc.appraise`); the values not being
        moved take the scenario's values.
    base
        The case's appraisal, when the caller has it.

    Returns
    -------
    Sensitivity
        The tornado sorted by swing, largest first (ties keep file order), and the tornado of
        each option of every project with options (:func:`option_tornadoes`).
    """
    case = case_of(subject, scenario, overrides)
    if base is None:
        base = appraise_case(case)
    bars: list[TornadoBar] = []
    start = (base.npv, base.npv_toward_target)
    for project, result in zip(case.projects, base.projects, strict=True):
        bars += _project_bars(case, start, project, result)
    _refuse_overflow(case, bars)
    bars.sort(key=lambda bar: -bar.swing)  # sort is stable: ties stay in file order
    values, fall = switching_values(base)
    return Sensitivity(base, tuple(bars), values, fall, option_tornadoes(case, base))


@blas_threads()  # the options' IRRs, as appraise_case's (npv_calc.threads says why)
def option_tornadoes(case: Case, base: PortfolioResult) -> tuple[OptionTornado, ...]:
    """The tornado of each option other than business as usual (BAU), of every project with
    options, in file order: the option's NPV against BAU with each uncertain value of its lines
    and risks and of BAU's moved to each end of its range, the rest as the scenario has them.

    The option is appraised as the project would be were it the preferred one
    (:func:`npv_calc.load.options.stand_in`): its items, and BAU's counted against them, so a
    value of BAU's moves the option's NPV against BAU the other way; an item both hold through
    ``includes`` cancels out and has no bar. The NPV toward the target at each end is the
    portfolio's with this option standing for its project.

    Parameters
    ----------
    case
        The prepared case (with no values fixed: a case with fixed values has no options
        appraised, and so no option tornadoes).
    base
        Its appraisal.

    Returns
    -------
    tuple of OptionTornado
        Each with its bars sorted by swing, largest first (ties keep file order).
    """
    tornadoes = []
    for project, result in zip(case.projects, base.projects, strict=True):
        if result.options is None:
            continue
        for option in result.options.options:
            if option.option.role == BAU:
                continue
            against = stand_in(replace(project, preferred=option.id))
            appraised = appraise_project(against, case)
            counts = 1.0 if result.counts_toward_target else 0.0
            # the portfolio's NPV toward the target with this option in place of the preferred
            toward = base.npv_toward_target + counts * (option.npv_vs_bau - result.npv)
            bars = _project_bars(case, (option.npv_vs_bau, toward), against, appraised)
            _refuse_overflow(case, bars)
            bars.sort(key=lambda bar: -bar.swing)  # stable: ties stay in file order
            tornadoes.append(OptionTornado(result.id, option.id, option.npv_vs_bau, tuple(bars)))
    return tuple(tornadoes)


def _project_bars(
    case: Case, start: tuple[float, float], project: Project, result: ProjectResult
) -> list[TornadoBar]:
    """A bar for each uncertain value of a project's lines and risks, in file order, moving
    the NPV and the NPV toward the target from ``start``."""
    settings = result.settings
    moved: list[tuple[LineResult, Callable[[Case], np.ndarray]]] = [
        (line_result, partial(case_flows, project=project, line=line, settings=settings))
        for line, line_result in zip(project.all_lines, result.lines, strict=True)
    ]
    moved += [
        (risk_result, partial(case_risk_flows, project=project, risk=risk, settings=settings))
        for risk, risk_result in zip(project.risks, result.risks, strict=True)
    ]
    return [
        _bar(case, start, result, line_result, flows_in, field, value)
        for line_result, flows_in in moved
        for field, value in line_result.line.uncertain()
    ]


def _bar(
    case: Case,
    start: tuple[float, float],
    result: ProjectResult,
    line_result: LineResult,
    flows_in: Callable[[Case], np.ndarray],
    field: str,
    value: Uncertain,
) -> TornadoBar:
    """One value moved to each end of its range, from ``start`` (the NPV and the NPV toward the
    target). A value moves only its own line's present value, so that line alone is re-valued."""
    npv, toward = start
    line = line_result.line
    sign = 1.0 if line.section == "benefits" else -1.0
    key = (result.id, line.section, line.index, field)
    ends, shown = (value.low, value.high), (value.low, value.high)
    if line.negated and field in NEGATED:
        # business as usual's scale or impact, held negated to count against an option: the
        # bar shows the range as BAU's file writes it, each end with the NPV it gives
        ends, shown = (value.high, value.low), (-value.high, -value.low)
    changes = []
    for end in ends:
        moved = replace(case, fixed={**case.fixed, key: end})
        pv = float(flows_in(moved) @ result.discount_factors)
        changes.append(sign * (pv - line_result.pv))
    counts = 1.0 if result.counts_toward_target else 0.0
    return TornadoBar(
        result.id,
        line.name,
        line.section,
        line.index,
        field,
        *shown,
        npv + changes[0],
        npv + changes[1],
        toward + counts * changes[0],
        toward + counts * changes[1],
        _settled(result, line_result),
    )


def _refuse_overflow(case: Case, bars: list[TornadoBar]) -> None:
    """Refuse a range at whose ends the NPV overflows: a slip in the amounts, most likely."""
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


def _settled(project: ProjectResult, line: LineResult) -> bool:
    """Whether every year in which a line has a flow is settled by outturn: a line's years with
    outturn recorded, or for a risk its years whose cost outturn is recorded (its expected cost
    no longer applies there)."""
    if isinstance(line.line, Risk):
        first, last = line.line.years
        return set(range(first, last + 1)) <= set(project.settled)
    outturn = line.trace.outturn
    if not outturn:
        return False
    active = {t for t, amount in enumerate(line.trace.gross) if amount != 0}
    return active <= set(outturn)
