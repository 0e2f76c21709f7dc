"""The console table of ``simulate``: the distributions, how sure the verdict is, each
project's spread and the drivers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import printable
from .table import settings_line
from .text import clip, money, probability, render_rows, wrap

if TYPE_CHECKING:
    from ..results.uncertainty import OptionOdds, Simulation, Stats


def sampling_words(simulation: Simulation) -> str:
    """How the draws were made, e.g. ``Latin Hypercube sampling in 10 replicates``."""
    if simulation.sampling == "lhs":
        return f"Latin Hypercube sampling in {simulation.replicates} independent replicates"
    return "plain random sampling"


def independence_note(simulation: Simulation) -> str:
    """What the correlation (or its absence) does to the spread, in plain words."""
    if simulation.independent:
        why = (
            "the declared correlation groups were ignored (--independent)"
            if simulation.correlation_ignored
            else "no correlation groups are declared"
        )
        return (
            "Every uncertain value was drawn independently of the others: "
            f"{why}. Values that move together in reality (unit costs from one "
            "source, demand shared by several projects) then offset each other in the draws, "
            "so the spread shown is narrower, and the probability of meeting the target "
            "further from 50%, than they would be. Declare [correlation.groups] for such "
            "values (docs/method.md, Monte Carlo)."
        )
    groups = printable(", ".join(simulation.correlation_groups))
    return (
        f"Values in the correlation groups {groups} were drawn rank-correlated (Iman–Conover), "
        "each keeping its own distribution; every other value was drawn independently."
    )


def probability_error(simulation: Simulation) -> str:
    """How sure the probability of meeting the target is: its standard error or, when every
    draw falls on one side, a sentence saying so."""
    share = simulation.prob_meets_target
    if share in (0.0, 1.0):
        # Every draw on one side: a standard error of 0 would claim a certainty that the
        # draws cannot show, only that a miss (or a hit) is rarer than 1 in this many.
        side, event = ("missed", "a miss") if share == 1.0 else ("met", "meeting it")
        return (
            f"no draw of {simulation.iterations:,} {side} the target: {event} is not "
            "impossible, only too rare for these draws to measure"
        )
    return f"standard error {standard_error(simulation.prob_meets_target_se, 'share')}"


def standard_error(value: float | None, kind: str) -> str:
    """``±1.2 percentage points`` for a ``share``, else ``±£1,234``; ``–`` for none."""
    if value is None:
        return "–"
    return f"±{value * 100:.2g} percentage points" if kind == "share" else f"±{money(value)}"


def _distribution_row(label: str, s: Stats) -> list[str]:
    return [
        label,
        money(s.mean),
        money(s.std),
        money(s.p(5.0)),
        money(s.p(10.0)),
        money(s.p(50.0)),
        money(s.p(90.0)),
        money(s.p(95.0)),
    ]


def render_simulation(simulation: Simulation) -> str:
    """The ``simulate --format table`` text."""
    base = simulation.base
    distribution = "PERT" if simulation.distribution == "pert" else simulation.distribution
    lines = [
        f"{printable(base.portfolio.name)} — Monte Carlo, {base.scenario} scenario",
        f"{simulation.iterations:,} draws of {simulation.uncertain_values} uncertain values "
        f"({distribution}), {sampling_words(simulation)}, seed {simulation.seed}",
        settings_line(base),
        "",
        *_distributions(simulation),
        "",
        *_sureness(simulation),
        "",
        *wrap(independence_note(simulation)),
        "",
        *_project_distributions(simulation),
    ]
    for odds in simulation.options:
        lines += ["", *wrap(option_odds_line(simulation, odds))]
    if simulation.drivers:
        lines += ["", *_drivers(simulation)]
    return "\n".join(lines) + "\n"


def _distributions(simulation: Simulation) -> list[str]:
    """The distribution of the portfolio NPV (and of the NPV toward the target), with the
    deterministic figures beside it."""
    base = simulation.base
    rows = [_distribution_row("Portfolio NPV", simulation.portfolio)]
    toward = ""
    if simulation.toward_target is not None:
        rows.append(_distribution_row("NPV toward target", simulation.toward_target))
        toward = f", toward target {money(base.npv_toward_target)}"
    return [
        *render_rows(
            ["", "Mean", "Std dev", "P5", "P10", "P50", "P90", "P95"],
            rows,
            right={1, 2, 3, 4, 5, 6, 7},
        ),
        f"Deterministic ({base.scenario} values): portfolio {money(base.npv)}{toward}",
    ]


def _sureness(simulation: Simulation) -> list[str]:
    """The probability of meeting the target and how sure it and the mean are."""
    portfolio = simulation.base.portfolio
    share = simulation.prob_meets_target
    if share is None:
        chance = "No target set, so no probability of meeting it."
    else:
        by = f" by {portfolio.target_year}" if portfolio.target_year is not None else ""
        chance = (
            f"Probability of meeting the target of {money(portfolio.target)}{by}: "
            f"{probability(share)} ({probability_error(simulation)})"
        )
    spread = (
        f" (from the spread of the {simulation.replicates} replicates)"
        if simulation.sampling == "lhs"
        else ""
    )
    return [
        chance,
        "Standard error of the mean portfolio NPV: "
        f"{standard_error(simulation.mean_se, 'money')}{spread}",
    ]


def _project_distributions(simulation: Simulation) -> list[str]:
    """Each project's simulated NPV: mean, spread and the chance it is below 0."""
    rows = []
    for result in simulation.base.projects:
        s = simulation.projects[result.id]
        rows.append(
            [
                result.id,
                money(s.mean),
                money(s.std),
                money(s.p(10.0)),
                money(s.p(50.0)),
                money(s.p(90.0)),
                probability(s.prob_negative),
            ]
        )
    return render_rows(
        ["Project", "Mean NPV", "Std dev", "P10", "P50", "P90", "P(NPV < 0)"],
        rows,
        right={1, 2, 3, 4, 5, 6},
    )


def option_odds_line(simulation: Simulation, odds: OptionOdds) -> str:
    """A project's shortlist under simulation in a sentence: how often each option other than
    business as usual is the best, and the preferred one beats every other."""
    shortlist = simulation.base.project(odds.project).options
    preferred = shortlist.preferred if shortlist is not None else None
    shares = ", ".join(
        f"{oid}{' (preferred)' if oid == preferred else ''} {probability(share)}"
        for oid, share in sorted(odds.prob_best.items(), key=lambda kv: -kv[1])
    )
    line = (
        f"{odds.project} options (common random numbers): the share of draws in which each has "
        f"the highest NPV against business as usual: {shares}"
    )
    beats = odds.prob_preferred_beats_next
    if beats is not None:
        line += f"; the preferred option beats every other in {probability(beats)} of draws"
    return printable(line + ".")


def _drivers(simulation: Simulation) -> list[str]:
    """The first :data:`DRIVERS_SHOWN` drivers of the measure the target is tested against."""
    measure = (
        "the NPV toward the target" if simulation.toward_target is not None else "the portfolio NPV"
    )
    lines = [
        *wrap(
            f"Drivers: the uncertain values that move {measure} most (Spearman rank "
            "correlation with it; share of the sum of squared correlations). A value in a "
            "correlation group moves with the rest of its group, and its correlation counts "
            "theirs too: it can rank higher here than its own swing in the tornado"
        ),
        "",
    ]
    rows = [
        [
            str(i),
            d.project,
            clip(d.line, 40),
            d.field,
            f"{d.rank_correlation:+.2f}",
            f"{d.contribution * 100:.0f}%",
            printable(d.group) if d.group else "–",
        ]
        for i, d in enumerate(simulation.drivers[:DRIVERS_SHOWN], start=1)
    ]
    lines += render_rows(
        ["#", "Project", "Line", "Input", "Rank corr.", "Share", "Group"], rows, right={0, 4, 5}
    )
    if len(simulation.drivers) > DRIVERS_SHOWN:
        lines.append(
            f"(the top {DRIVERS_SHOWN} of {len(simulation.drivers)}; --format json lists all)"
        )
    return lines


#: Drivers listed in the table (the JSON has them all).
DRIVERS_SHOWN = 10
