"""The commands that appraise: run, validate, sensitivity, simulate, compare, case, options and
progress."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from ..model import DISTRIBUTIONS, MAX_ITERATIONS, MAX_SEED, SAMPLING
from ..report import formatted
from .common import (
    EXIT_TARGET_MISSED,
    SIMULATE_PROGRESS,
    _case,
    _check_workbook,
    _fail,
    _load,
    _load_sets,
    _progress_bar,
    _warn,
    _write_workbook,
    cli,
    handles_errors,
    paths_argument,
    scenario_options,
    strict_option,
    workbook_options,
)

if TYPE_CHECKING:
    from ..model import Portfolio


@cli.command()
@paths_argument
@scenario_options(("table", "json", "csv"))
@workbook_options
@click.option(
    "--check-target", is_flag=True, help="Exit with status 3 when the portfolio misses its target."
)
@click.option(
    "--previous",
    type=click.Path(readable=False),
    metavar="PATH",
    help="The scenario set as it stood at the last board: the workbook and the table say what "
    "changed since.",
)
@handles_errors
def run(
    paths: tuple[str, ...],
    scenario: str,
    sets: tuple[str, ...],
    fmt: str,
    xlsx: str | None,
    plan: bool,
    strict: bool,
    marking: str,
    check_target: bool,
    previous: str | None,
) -> None:
    """Appraise a portfolio: NPV, BCR, payback and IRR per project, and the target test."""
    from ..calculate import appraise_case
    from ..options import shortlist_warnings

    loaded = _load_sets([paths, *([(previous,)] if previous else [])], sets, strict, plan)
    portfolio, overrides = loaded[0]
    _check_workbook(xlsx, portfolio, overrides, marking)
    case = _case(portfolio, overrides, scenario)
    result = appraise_case(case)
    _warn(shortlist_warnings(result, strict))
    changes = None
    if previous is not None:
        from ..compare import line_up

        # line_up reads the projects' NPVs: the previous set's options would go unread
        before = appraise_case(_case(loaded[1][0], overrides, scenario), options=False)
        changes = line_up(before, result)
    if xlsx is not None:
        from ..board import board_pack

        _write_workbook(xlsx, board_pack(case, result=result, changes=changes), marking)
    click.echo(formatted(result, fmt), nl=False)
    if changes is not None and fmt == "table":
        from ..report.table import since_last_board

        click.echo(since_last_board(changes, previous or ""))
    if check_target:
        if result.meets_target is None:
            _fail(
                [
                    "--check-target: the portfolio has no target ([portfolio] target in "
                    "portfolio.toml)"
                ]
            )
        if not result.meets_target:
            from ..report.table import target_missed

            click.echo(target_missed(result), err=True)
            sys.exit(EXIT_TARGET_MISSED)


@cli.command()
@paths_argument
@strict_option
@handles_errors
def validate(paths: tuple[str, ...], strict: bool) -> None:
    """Check scenario files and report every problem (exit 0 when there are none)."""
    from ..report.table import validation_summary

    portfolio, _ = _load(paths, strict=strict, scenarios=True)
    click.echo(validation_summary(portfolio))


@cli.command()
@paths_argument
@scenario_options(("table", "json"))
@handles_errors
def sensitivity(
    paths: tuple[str, ...],
    scenario: str,
    sets: tuple[str, ...],
    fmt: str,
    plan: bool,
    strict: bool,
) -> None:
    """Tornado (each uncertain value at its low and high end) and switching values."""
    from ..sensitivity import sensitivity as analyse

    portfolio, overrides = _load(paths, sets, strict, plan)
    click.echo(formatted(analyse(_case(portfolio, overrides, scenario)), fmt), nl=False)


@cli.command()
@paths_argument
@click.option(
    "--iterations",
    "-n",
    type=click.IntRange(1, MAX_ITERATIONS),
    required=True,
    help=f"Number of draws, e.g. 100000 (at most {MAX_ITERATIONS:,}).",
)
@click.option(
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    help=f"0 to {MAX_SEED}; the same seed gives the same numbers (default: a random seed, "
    "reported in the output).",
)
@click.option(
    "--distribution",
    type=click.Choice(DISTRIBUTIONS),
    default="pert",
    show_default=True,
    help="How each uncertain value is drawn between its low and high.",
)
@click.option(
    "--independent",
    is_flag=True,
    help="Draw every value independently, ignoring [correlation] (to see what it does).",
)
@click.option(
    "--sampling",
    type=click.Choice(SAMPLING),
    default="lhs",
    show_default=True,
    help="lhs: Latin Hypercube in 10 replicates (stratified draws); random: plain Monte Carlo.",
)
@scenario_options(
    ("table", "json"),
    scenario_help="central, or a [scenarios.NAME] of portfolio.toml (its settings and the "
    "projects it leaves out; every range is drawn whatever the scenario).",
)
@workbook_options
@handles_errors
def simulate(
    paths: tuple[str, ...],
    iterations: int,
    seed: int | None,
    distribution: str,
    independent: bool,
    sampling: str,
    scenario: str,
    sets: tuple[str, ...],
    fmt: str,
    plan: bool,
    strict: bool,
    xlsx: str | None,
    marking: str,
) -> None:
    """Monte Carlo: NPV percentiles and the probability of meeting the target."""
    from ..simulate import simulate as run_simulation

    if scenario in ("pessimistic", "optimistic"):
        raise click.UsageError(
            f"simulate draws every uncertain value, so the {scenario} scenario does not apply; "
            "use central or a named scenario ([scenarios.NAME] of portfolio.toml)"
        )
    portfolio, overrides = _load(paths, sets, strict, plan)
    _simulated_scenario(portfolio, scenario)
    _check_workbook(xlsx, portfolio, overrides, marking)
    case = _case(portfolio, overrides, scenario)
    long = iterations >= SIMULATE_PROGRESS
    with _progress_bar(iterations, "Simulating", long) as bar:
        result = run_simulation(
            case,
            iterations,
            seed=seed,
            distribution=distribution,
            sampling=sampling,
            correlation=not independent,
            progress=lambda done: bar.update(done - bar.pos),
        )
    if xlsx is not None:
        from ..board import board_pack

        _write_workbook(xlsx, board_pack(case, simulation=result), marking)
    click.echo(formatted(result, fmt), nl=False)


def _simulated_scenario(portfolio: Portfolio, scenario: str) -> None:
    """Refuse a ``--scenario`` a simulation cannot use, listing those it can."""
    if scenario == "central" or scenario in portfolio.scenarios:
        return
    from ..load.messages import show, suggest

    names = ["central", *portfolio.scenarios]
    raise click.UsageError(
        f"unknown scenario {show(scenario)}{suggest(scenario, names)}; choose from: "
        + ", ".join(names)
    )


@cli.command()
@click.argument("path_a", type=click.Path(), metavar="PATH_A")
@click.argument("path_b", type=click.Path(), metavar="PATH_B")
@scenario_options(("table", "json"))
@handles_errors
def compare(
    path_a: str,
    path_b: str,
    scenario: str,
    sets: tuple[str, ...],
    fmt: str,
    plan: bool,
    strict: bool,
) -> None:
    """What changed between two scenario sets, project by project."""
    from ..compare import compare as line_up

    (a, overrides), (b, _) = _load_sets([(path_a,), (path_b,)], sets, strict, plan)
    result = line_up(_case(a, overrides, scenario), _case(b, overrides, scenario))
    click.echo(formatted(result, fmt, labels=(path_a, path_b)), nl=False)


project_option = click.option(
    "--project",
    "projects",
    multiple=True,
    metavar="ID",
    help="Only this project (repeatable; default: every project).",
)


@cli.command("case")
@paths_argument
@project_option
@click.option(
    "--iterations",
    "-n",
    type=click.IntRange(1, MAX_ITERATIONS),
    help="Also run a Monte Carlo simulation with this many draws, e.g. 10000.",
)
@click.option(
    "--seed",
    type=click.IntRange(0, MAX_SEED),
    help="Seed of the Monte Carlo simulation (default: a random seed, reported).",
)
@click.option(
    "--vfm-category",
    is_flag=True,
    help="Add the Department for Transport's value-for-money category of each BCR (a "
    "convention, not a pass/fail test).",
)
@scenario_options(("md", "json"))
@handles_errors
def economic_case(
    paths: tuple[str, ...],
    projects: tuple[str, ...],
    iterations: int | None,
    seed: int | None,
    vfm_category: bool,
    scenario: str,
    sets: tuple[str, ...],
    fmt: str,
    plan: bool,
    strict: bool,
) -> None:
    """The economic case of each project: NPSV, BCR, financial return, switching values,
    scenarios, non-monetised impacts and a value-for-money statement."""
    from ..economic_case import economic_case as build
    from ..options import shortlist_warnings

    if seed is not None and iterations is None:
        raise click.UsageError("--seed applies to the Monte Carlo simulation: give --iterations")
    portfolio, overrides = _load(paths, sets, strict, plan)
    case = _case(portfolio, overrides, scenario)
    result = build(
        case, projects=projects, iterations=iterations, seed=seed, categories=vfm_category
    )
    _warn(shortlist_warnings(result.base, strict))
    click.echo(formatted(result, fmt), nl=False)


@cli.command()
@paths_argument
@project_option
@scenario_options(("table", "json"))
@handles_errors
def options(paths: tuple[str, ...], projects: tuple[str, ...], **given: Any) -> None:
    """The appraisal summary table of each project's options against business as usual."""
    from ..options import options_appraisal, shortlist_warnings

    portfolio, overrides = _load(paths, given["sets"], given["strict"], given["plan"])
    case = _case(portfolio, overrides, given["scenario"])
    result = options_appraisal(case, projects=projects)
    _warn(shortlist_warnings(result, given["strict"]))
    click.echo(formatted(result, given["fmt"]), nl=False)


@cli.command()
@paths_argument
@click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override an [appraisal] key for every project (repeatable; VALUE is read as TOML).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json", "csv")),
    default="table",
    show_default=True,
    help="Output on stdout.",
)
@strict_option
@handles_errors
def progress(paths: tuple[str, ...], sets: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Plan against outturn by project and year up to as_of, with variances and a status."""
    from ..progress import progress as compare_with_plan

    portfolio, overrides = _load(paths, sets, strict)
    click.echo(formatted(compare_with_plan(_case(portfolio, overrides)), fmt), nl=False)
