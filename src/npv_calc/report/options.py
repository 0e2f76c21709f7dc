"""The options appraisal (``npv-calc options``): the appraisal summary table of each project's
shortlist, as console text or a JSON document, and the ``options`` entries of ``run --format
json``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import printable
from ..model import BAU
from ..results.options import OptionResult, OptionsAppraisal, Shortlist
from .text import money, number, percent, ratio, render_rows, wrap

#: What a BCR against BAU reads when the option costs no more than BAU.
SAVES_COST = "saves cost"
ROLE_WORDS = {"bau": "business as usual", "do-minimum": "do-minimum", "option": "option"}


def option_entry(result: OptionResult) -> dict[str, Any]:
    """An option's entry of the ``options`` list (SPEC.md, "Options appraisal")."""
    step = result.increment
    own = result.result
    return {
        "id": result.id,
        "name": result.option.name,
        "role": result.option.role,
        "pv_costs": float(own.pv_costs),
        "pv_benefits": float(own.pv_benefits),
        "npv": float(own.npv),
        "pv_risk_costs": float(own.pv_risk_costs),
        "npv_vs_bau": float(result.npv_vs_bau),
        "bcr_vs_bau": number(result.bcr_vs_bau),
        "compared_with": None if step is None else step.compared_with,
        "incremental_npv": None if step is None else float(step.npv),
        "incremental_bcr": None if step is None else number(step.bcr),
        # npv-calc's own, beside SPEC's keys: the extras over BAU, the optimism bias included
        # and the non-monetised impacts
        "extra_pv_costs": float(result.extra_pv_costs),
        "extra_pv_benefits": float(result.extra_pv_benefits),
        "saves_cost": result.saves_cost,
        "pv_optimism_bias_costs": float(result.pv_optimism_bias_costs),
        "pv_optimism_bias_benefits": float(result.pv_optimism_bias_benefits),
        "impacts": [
            {"name": i.name, "direction": i.direction, "materiality": i.materiality}
            for i in own.project.impacts
        ],
    }


def shortlist_entry(shortlist: Shortlist) -> dict[str, Any]:
    """A project's entry of the ``options --format json`` document."""
    project = shortlist.project
    return {
        "id": project.id,
        "name": project.name,
        "preferred": shortlist.preferred,
        "best": shortlist.best,
        "preferred_because": shortlist.preferred_because,
        "switching_values": {k: number(v) for k, v in shortlist.switching().items()},
        "options": [option_entry(o) for o in shortlist.options],
    }


def options_document(appraisal: OptionsAppraisal) -> dict[str, Any]:
    """The ``options --format json`` document."""
    return {
        "scenario": appraisal.base.scenario,
        "projects": [shortlist_entry(s) for s in appraisal.shortlists],
    }


# -- the console table --------------------------------------------------------------------------


def bcr_text(result: OptionResult) -> str:
    """A BCR against BAU as the table shows it: the ratio, ``saves cost`` or ``–``."""
    return SAVES_COST if result.saves_cost else ratio(result.bcr_vs_bau)


_SIGNS = {"positive": "+", "negative": "-"}


def _impacts(result: OptionResult) -> str:
    """Each non-monetised impact: ``+Name (materiality)``, ``-Name (...)``; ``none``."""
    impacts = result.result.project.impacts
    if not impacts:
        return "none"
    return "; ".join(f"{_SIGNS[i.direction]}{i.name} ({i.materiality})" for i in impacts)


def impact_count(result: OptionResult) -> str:
    """How many non-monetised impacts point each way: ``1 positive, 1 negative``; ``none``."""
    impacts = result.result.project.impacts
    counts = [
        f"{n} {d}"
        for d in ("positive", "negative")
        if (n := sum(i.direction == d for i in impacts))
    ]
    return ", ".join(counts) or "none"


def summary_rows(shortlist: Shortlist, full: bool = True) -> list[tuple[str, list[str]]]:
    """The appraisal summary table's rows: a label, then a cell per option (in file order);
    the non-monetised impacts named (``full``) or counted."""
    options = shortlist.options

    def row(label: str, cell: Any) -> tuple[str, list[str]]:
        return label, [cell(o) for o in options]

    def increment(o: OptionResult, what: str) -> str:
        step = o.increment
        if step is None:
            return "–"
        if what == "against":
            return step.compared_with
        if what == "npv":
            return money(step.npv)
        return ratio(step.bcr) if step.bcr is not None else SAVES_COST

    return [
        row("Role", lambda o: ROLE_WORDS[o.option.role]),
        row("PV costs", lambda o: money(o.result.pv_costs)),
        row("  of which risk costs", lambda o: money(o.result.pv_risk_costs)),
        row("  optimism bias: costs up", lambda o: money(o.pv_optimism_bias_costs)),
        row("PV benefits", lambda o: money(o.result.pv_benefits)),
        row("  optimism bias: benefits down", lambda o: money(o.pv_optimism_bias_benefits)),
        row(
            "Extra PV costs over BAU",
            lambda o: "–" if o.option.role == BAU else money(o.extra_pv_costs),
        ),
        row(
            "Extra PV benefits over BAU",
            lambda o: "–" if o.option.role == BAU else money(o.extra_pv_benefits),
        ),
        row("NPSV against BAU", lambda o: "–" if o.option.role == BAU else money(o.npv_vs_bau)),
        row("BCR against BAU", lambda o: "–" if o.option.role == BAU else bcr_text(o)),
        row("Incremental: against", lambda o: increment(o, "against")),
        row("Incremental NPV", lambda o: increment(o, "npv")),
        row("Incremental BCR", lambda o: increment(o, "bcr")),
        row("Non-monetised impacts", _impacts if full else impact_count),
    ]


def _marked(shortlist: Shortlist, o: OptionResult) -> str:
    marks = []
    if o.id == shortlist.preferred:
        marks.append("preferred")
    if o.id == shortlist.best:
        marks.append("best")
    return o.id + (f" ({', '.join(marks)})" if marks else "")


def render_shortlist(shortlist: Shortlist) -> str:
    """One project's appraisal summary table, with the preferred option's switching values."""
    project = shortlist.project
    lines = [printable(f"{project.id} — {project.name}: options against business as usual")]
    lines += [printable(f"  {o.id}: {o.option.name}") for o in shortlist.options]
    lines.append("")
    headers = ["", *(printable(_marked(shortlist, o)) for o in shortlist.options)]
    rows = [
        [label, *(printable(c) for c in cells)]
        for label, cells in summary_rows(shortlist, full=False)
    ]
    lines += render_rows(headers, rows, set(range(1, len(headers))))
    lines.append("")
    impacts = [(o, i) for o in shortlist.options for i in o.result.project.impacts]
    if impacts:
        lines.append("Non-monetised impacts:")
        lines += [
            printable(f"  {o.id}: {_SIGNS[i.direction]}{i.name} ({i.materiality})")
            for o, i in impacts
        ]
        lines.append("")
    preferred = shortlist.preferred_result
    lines.append(
        printable(
            f'Preferred: "{preferred.id}" ({preferred.option.name}); best (highest NPSV against '
            f'BAU): "{shortlist.best}".'
        )
    )
    if shortlist.preferred_because:
        lines += wrap(printable(f"Preferred because: {shortlist.preferred_because}"))
    values = shortlist.switching()
    lines.append(
        f"Switching values of {preferred.id}: against BAU, its extra benefits could fall by "
        f"{percent(values['benefits_fall_vs_bau'])} or its extra costs rise by "
        f"{percent(values['costs_rise_vs_bau'])} before its NPSV reaches 0"
    )
    if shortlist.runner_up is not None:
        lines.append(
            f"  against {shortlist.runner_up} (the best other option), by "
            f"{percent(values['benefits_fall_vs_next'])} or "
            f"{percent(values['costs_rise_vs_next'])} before it is no better"
        )
    lines.append("  (– : no extra benefits or costs over BAU to change)")
    return "\n".join(lines) + "\n"


def render_options(appraisal: OptionsAppraisal) -> str:
    """Every project's appraisal summary table (``npv-calc options``)."""
    if not appraisal.shortlists:
        return (
            "No project has options: a project file gives a shortlist as [[options]] tables "
            "(see docs/scenario-format.md).\n"
        )
    scenario = appraisal.base.scenario
    head = f"Options appraisal ({scenario} scenario; PV over each project's own horizon)\n\n"
    return head + "\n".join(render_shortlist(s) for s in appraisal.shortlists)


def shortlist_markdown(shortlist: Shortlist, escape: Callable[[str], str]) -> list[str]:
    """The appraisal summary table as Markdown, for the economic case (``escape`` makes text
    from the input files safe in a table cell)."""
    options = shortlist.options
    headers = ["Measure", *(escape(_marked(shortlist, o)) for o in options)]
    rows = [[label.strip(), *map(escape, cells)] for label, cells in summary_rows(shortlist)]
    lines = [
        "| " + " | ".join(headers) + " |",
        "| --- |" + " ---: |" * len(options),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
        *(f"- {escape(o.id)}: {escape(o.option.name)}" for o in options),
        "",
        f"The preferred option is {escape(shortlist.preferred)}; the best (the highest NPSV "
        f"against business as usual) is {escape(shortlist.best)}.",
    ]
    if shortlist.preferred_because:
        lines += ["", f"Preferred because: {escape(shortlist.preferred_because)}"]
    values = shortlist.switching()
    lines += [
        "",
        f"Switching values of {escape(shortlist.preferred)}: against business as usual, its "
        f"extra benefits could fall by {percent(values['benefits_fall_vs_bau'])} or its extra "
        f"costs rise by {percent(values['costs_rise_vs_bau'])} before its NPSV reaches 0"
        + (
            ""
            if shortlist.runner_up is None
            else f"; against {escape(shortlist.runner_up)}, the best other option, by "
            f"{percent(values['benefits_fall_vs_next'])} or "
            f"{percent(values['costs_rise_vs_next'])} before it is no better"
        )
        + ".",
    ]
    return lines
