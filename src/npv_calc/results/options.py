"""The appraisal of a project's shortlist: each option against business as usual (BAU), the
incremental analysis, the best option and the preferred one's switching values.

Plain data and the arithmetic that builds it from each option's appraisal (no numpy): the
calculation appraises every option like a project (:func:`npv_calc.calculate.appraise_case`)
and :func:`shortlist` puts the figures side by side. See ``docs/method.md``, "Options".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..model import BAU, Project
from .appraisal import Increment, OptionResult, OptionsAppraisal, ProjectResult, Shortlist

__all__ = [
    "Increment",
    "OptionResult",
    "OptionsAppraisal",
    "Shortlist",
    "incremental",
    "shortlist",
]


def incremental(
    options: Sequence[tuple[str, float, float]], bau: str = BAU
) -> dict[str, Increment]:
    """The incremental analysis (NZ Waka Kotahi Economic Evaluation Manual; Green Book 5.56):
    the options ordered by PV costs, each against the next cheaper one.

    Parameters
    ----------
    options
        ``(id, pv_costs, pv_benefits)`` of each option other than BAU, against BAU (or BAU's
        own figures 0 when BAU has no lines), in the order they are written (which breaks a
        tie in PV costs).
    bau
        The id the cheapest option is compared with.

    Returns
    -------
    dict
        Each option's :class:`Increment`, by id.

    Examples
    --------
    The manual's reference case: option A costs 400 and brings 3,000 (BCR 7.5), B costs
    1,000 and brings 4,000 (BCR 4.0); B against A has an incremental BCR of 1.67 (published
    rounded to 1.7).

    >>> steps = incremental([("A", 400.0, 3000.0), ("B", 1000.0, 4000.0)])
    >>> steps["A"]
    Increment(compared_with='bau', npv=2600.0, bcr=7.5)
    >>> steps["B"].compared_with, steps["B"].npv, round(steps["B"].bcr, 2)
    ('A', 400.0, 1.67)
    """
    ordered = sorted(options, key=lambda o: o[1])  # stable: ties keep their written order
    steps: dict[str, Increment] = {}
    previous = (bau, 0.0, 0.0)
    for option in ordered:
        costs = option[1] - previous[1]
        benefits = option[2] - previous[2]
        steps[option[0]] = Increment(
            previous[0], benefits - costs, benefits / costs if costs > 0 else None
        )
        previous = option
    return steps


def shortlist(
    project: Project,
    appraised: Mapping[str, ProjectResult],
    base: Mapping[str, ProjectResult] | None = None,
) -> Shortlist:
    """A project's shortlist from each option's appraisal.

    Parameters
    ----------
    project
        A project with options (its ``preferred`` one known: loading checked it).
    appraised
        Each option appraised like a project, by option id.
    base
        Each option appraised without optimism bias (the base plan), for the optimism bias
        included; ``None``: not reported (0).
    """
    bau_id = next(o.id for o in project.options if o.role == BAU)
    bau = appraised[bau_id]
    others = [o for o in project.options if o.role != BAU]
    steps = incremental(
        [
            (
                o.id,
                appraised[o.id].pv_costs - bau.pv_costs,
                appraised[o.id].pv_benefits - bau.pv_benefits,
            )
            for o in others
        ],
        bau_id,
    )
    results = []
    for option in project.options:
        own = appraised[option.id]
        plain = base[option.id] if base is not None else own
        results.append(
            OptionResult(
                option=option,
                result=own,
                extra_pv_costs=own.pv_costs - bau.pv_costs,
                extra_pv_benefits=own.pv_benefits - bau.pv_benefits,
                pv_optimism_bias_costs=(own.pv_costs - own.pv_risk_costs) - plain.pv_costs,
                pv_optimism_bias_benefits=plain.pv_benefits - own.pv_benefits,
                increment=steps.get(option.id),
            )
        )
    ranked = sorted((r for r in results if r.option.role != BAU), key=lambda r: -r.npv_vs_bau)
    preferred = project.preferred or ranked[0].id
    others_ranked = [r.id for r in ranked if r.id != preferred]
    return Shortlist(
        project=project,
        options=tuple(results),
        preferred=preferred,
        best=ranked[0].id,
        preferred_because=project.preferred_because,
        runner_up=others_ranked[0] if others_ranked else None,
    )
