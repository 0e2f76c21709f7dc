"""How likely each option of a shortlist is to be the best, drawn with common random numbers.

For each project with options, every option is compiled as a project of its own (its lines with
those it ``includes``, :func:`npv_calc.load.options.option_project`) and evaluated on the same
draws: a value the options share through ``includes`` (business as usual's running costs, say)
is one column, drawn once for all of them, named by where it is written (the option and the
line's place in it) rather than where it ends up. So a difference between two options comes
only from what differs between them: an option that is another plus a certain loss is never
the best. Each draw's NPV against business as usual (BAU) is the option's less BAU's in that
draw.

Reported per project (:class:`~npv_calc.results.uncertainty.OptionOdds`): for each option other
than BAU the share of draws in which it has the highest NPV against BAU (a tie goes to the
option written first, as ``best`` does), and the share in which the preferred option's is
higher than every other option's. Streamed a block of draws at a time, so memory does not grow
with the iterations. See ``docs/method.md``, "Options" and "Common random numbers".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..load.options import option_project
from ..model import BAU, Project
from ..results.uncertainty import OptionOdds
from ..sampling import Sampler, correlation_plan
from ..scenarios import Case
from .model import Column, Model, _npvs, compile_case, draws_from_uniforms

__all__ = ["option_odds"]


@dataclass(frozen=True)
class _Shortlist:
    """A project's options compiled over one set of columns: each option's model and, for
    each of its columns, the shared column it reads."""

    project: Project
    ids: tuple[str, ...]  # the options, in file order
    models: tuple[Model, ...]
    reads: tuple[np.ndarray, ...]  # each option's columns, as indices of ``columns``
    columns: tuple[Column, ...]


def option_odds(
    case: Case,
    iterations: int,
    seed: int,
    distribution: str,
    sampling: str,
    correlation: bool,
) -> tuple[OptionOdds, ...]:
    """The odds of each project with options (in project order), from ``iterations`` draws
    with the simulation's seed, distribution, sampling and correlations."""
    odds = []
    for project in case.projects:
        preferred = project.option(project.preferred or "")
        if preferred is None or preferred.role == BAU:
            continue
        shortlist = _compiled(case, project)
        odds.append(_odds(case, shortlist, iterations, seed, distribution, sampling, correlation))
    return tuple(odds)


def _compiled(case: Case, project: Project) -> _Shortlist:
    """Every option of ``project`` compiled, its drawn columns named by where each value is
    written (common random numbers)."""
    columns: list[Column] = []
    index: dict[tuple[str, str, int, str], int] = {}
    models, reads = [], []
    for option in project.options:
        own = option_project(project, option.id)
        alone = replace(case, portfolio=replace(case.portfolio, projects=(own,)))
        model = compile_case(alone)
        origins: dict[tuple[str, int], tuple[str, int] | None] = {
            (line.section, line.index): line.origin for line in own.all_lines
        }
        origins |= {("risks", risk.index): risk.origin for risk in own.risks}
        read = []
        for column in model.columns:
            _, section, number, field = column.key
            written = origins[(section, number)] or (option.id, number)
            key = (f"{project.id}\x1f{written[0]}", section, written[1], field)
            if key not in index:
                index[key] = len(columns)
                columns.append(replace(column, key=key))
            read.append(index[key])
        models.append(model)
        reads.append(np.array(read, dtype=np.intp))
    return _Shortlist(
        project,
        tuple(o.id for o in project.options),
        tuple(models),
        tuple(reads),
        tuple(columns),
    )


def _odds(
    case: Case,
    shortlist: _Shortlist,
    iterations: int,
    seed: int,
    distribution: str,
    sampling: str,
    correlation: bool,
) -> OptionOdds:
    """Count, block by block, which option is best in each draw (options tied for the highest
    sharing it) and whether the preferred one beats every other."""
    project = shortlist.project
    roles = {o.id: o.role for o in project.options}
    others = [k for k, oid in enumerate(shortlist.ids) if roles[oid] != BAU]
    bau = next(k for k, oid in enumerate(shortlist.ids) if roles[oid] == BAU)
    preferred = others.index(shortlist.ids.index(project.preferred or ""))
    columns = list(shortlist.columns)
    plan = None
    if correlation:
        declared = case.portfolio.correlation
        groups = [c.value.group if c.value is not None else None for c in columns]
        plan = correlation_plan(groups, declared.groups, declared.between)
    shared = Model(columns, [], np.zeros(0, dtype=bool), [])
    best = np.zeros(len(others))
    beats = 0
    sampler = Sampler([c.key for c in columns], seed, iterations, sampling, plan)
    for _, _, _, u, scale in sampler.uniforms():
        draws = draws_from_uniforms(shared, u, distribution, scale)
        npvs = np.stack(
            [
                _npvs(m, draws[:, read])[0]
                for m, read in zip(shortlist.models, shortlist.reads, strict=True)
            ]
        )
        against = npvs[others] - npvs[bau]  # a row per option other than BAU
        # options tied for the highest share the draw: two options always equal are each best
        # in half the draws (not the first written in all of them, beside a preferred option
        # that never beats the other)
        top = against == against.max(axis=0)
        best += (top / np.count_nonzero(top, axis=0)).sum(axis=1)
        if len(others) > 1:
            rest = np.delete(against, preferred, axis=0).max(axis=0)
            beats += int(np.count_nonzero(against[preferred] > rest))
    return OptionOdds(
        project=project.id,
        prob_best={shortlist.ids[k]: float(best[j] / iterations) for j, k in enumerate(others)},
        prob_preferred_beats_next=beats / iterations if len(others) > 1 else None,
    )
