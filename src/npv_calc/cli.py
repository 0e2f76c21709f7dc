"""The ``npv-calc`` command line: options are parsed here and the library does the work.

Exit codes: 0 success; 1 bad input or a failure (one ``Error: ...`` line per problem on stderr,
never a traceback); 2 usage error; 3 ``--check-target`` and the target is missed.

Only click is imported at start-up; numpy is imported by the commands that calculate, and
pandas/openpyxl only where they are used, so ``--help`` and ``validate`` stay quick.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .model import DISTRIBUTIONS, MAX_ITERATIONS, MAX_SEED, SAMPLING
from .report import formatted

if TYPE_CHECKING:
    from .errors import Problem
    from .model import Portfolio, SettingsPatch
    from .results.board import BoardPack
    from .scenarios import Case

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 1
EXIT_TARGET_MISSED = 3
#: Work long enough for a progress bar (in a terminal): draws of a simulation, and projects of
#: a board workbook (each about a second in all).
SIMULATE_PROGRESS = 50_000
WORKBOOK_PROGRESS = 100


def _fail(messages: list[str]) -> None:
    for message in messages:
        click.echo(f"Error: {message}", err=True)
    raise SystemExit(EXIT_INPUT)


def handles_errors(command: F) -> F:
    """Turn input problems into ``Error:`` lines and exit 1, and usage problems into exit 2.

    An unexpected exception is reported in one line too (set ``NPV_CALC_DEBUG=1`` for the
    traceback), so a user never sees a traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from .errors import InputError, OutputError, UsageError

        try:
            return command(*args, **kwargs)
        except InputError as exc:
            from .report.table import problems_summary

            for problem in exc.problems:
                click.echo(f"Error: {problem}", err=True)
            _warn(exc.warnings)
            click.echo(problems_summary(len(exc.problems), len(exc.warnings), exc.strict), err=True)
            raise SystemExit(EXIT_INPUT) from None
        except OutputError as exc:
            _fail([str(exc)])
        except UsageError as exc:
            raise click.UsageError(str(exc)) from None
        except (click.ClickException, click.exceptions.Exit, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("NPV_CALC_DEBUG"):
                raise
            _fail(
                [
                    f"unexpected {type(exc).__name__}: {exc} (this is a bug in npv-calc; please "
                    "report it with the input that caused it; NPV_CALC_DEBUG=1 shows details)"
                ]
            )

    return wrapper  # type: ignore[return-value]


def _warn(warnings: Iterable[Problem]) -> None:
    for warning in warnings:
        click.echo(f"Warning: {warning}", err=True)


def _command_line() -> str:
    """The command as the user typed it, for the workbook's Audit sheet."""
    import shlex

    ctx = click.get_current_context()
    args = ctx.meta.get("npv_calc.args")
    if args is None:
        args = sys.argv[1:]
    return " ".join(["npv-calc", *map(shlex.quote, args)])


# readable=False: a path that cannot be read is the loader's to report (exit 1, with the rest).
paths_argument = click.argument(
    "paths", nargs=-1, type=click.Path(readable=False), metavar="[PATH]..."
)


strict_option = click.option(
    "--strict", is_flag=True, help="Treat every warning as an error (exit status 1)."
)


#: What ``--scenario`` takes, for the commands that appraise each scenario as it is.
SCENARIO_HELP = "central, pessimistic, optimistic, or a [scenarios.NAME] of portfolio.toml."


def scenario_options(
    formats: tuple[str, ...], scenario_help: str = SCENARIO_HELP
) -> Callable[[F], F]:
    """``--scenario``, ``--set`` and ``--format`` (the first format by default), shared by the
    commands that appraise."""

    def decorate(command: F) -> F:
        for option in reversed(
            [
                click.option(
                    "--scenario",
                    default="central",
                    show_default=True,
                    help=scenario_help,
                ),
                click.option(
                    "--set",
                    "sets",
                    multiple=True,
                    metavar="KEY=VALUE",
                    help="Override an [appraisal] key for every project, e.g. "
                    "discount_rate=0.03 (repeatable; VALUE is read as TOML).",
                ),
                click.option(
                    "--format",
                    "fmt",
                    type=click.Choice(formats),
                    default=formats[0],
                    show_default=True,
                    help="Output on stdout.",
                ),
                click.option(
                    "--plan",
                    is_flag=True,
                    help="Appraise the plan as approved: leave out the outturn recorded "
                    "(actuals and as_of).",
                ),
                strict_option,
            ]
        ):
            command = option(command)
        return command

    return decorate


def workbook_options(command: F) -> F:
    """``--xlsx`` and ``--marking``."""
    command = click.option(
        "--marking",
        default="OFFICIAL",
        show_default=True,
        help="Protective marking printed at the top and bottom of every workbook page.",
    )(command)
    return click.option(
        "--xlsx",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="Also write the board workbook (Excel) to FILE.",
    )(command)


def _load(
    paths: tuple[str, ...],
    sets: tuple[str, ...] = (),
    strict: bool = False,
    plan: bool = False,
    **options: Any,
) -> tuple[Portfolio, SettingsPatch]:
    """The portfolio and ``--set`` overrides (every problem of both reported together); its
    warnings are printed, or with ``--strict`` are errors. With ``plan`` (``--plan``), the
    portfolio as planned: its outturn left out."""
    from .load import load_with_settings
    from .load.settings import SettingError

    try:
        portfolio, overrides = load_with_settings(paths, sets, strict=strict, **options)
    except SettingError as exc:
        raise click.BadParameter(str(exc), param_hint="--set") from None
    _warn(portfolio.warnings)
    return (portfolio.as_planned() if plan else portfolio), overrides


def _load_sets(
    sets_of_paths: list[tuple[str, ...]], sets: tuple[str, ...], strict: bool, plan: bool
) -> list[tuple[Portfolio, SettingsPatch]]:
    """Several scenario sets loaded alike (``compare``, ``run --previous``), every problem of
    all of them reported together."""
    from .errors import InputError

    failures: list[InputError] = []
    loaded = []
    for paths in sets_of_paths:
        try:
            loaded.append(_load(paths, sets, strict, plan))
        except InputError as exc:
            failures.append(exc)
    if failures:
        raise InputError(
            [p for exc in failures for p in exc.problems],
            [w for exc in failures for w in exc.warnings],
            strict=all(exc.strict for exc in failures),
        )
    return loaded


def _case(portfolio: Portfolio, patch: SettingsPatch, scenario: str = "central") -> Case:
    """The run's case, validated once: the loader checked the files with ``patch`` already,
    so only a named scenario's own settings are checked again."""
    from .scenarios import prepare

    return prepare(portfolio, scenario, patch, checked=patch)


def _check_workbook(path: str | None, portfolio: Portfolio, overrides: SettingsPatch) -> None:
    """Refuse a workbook path, or a portfolio too large for a workbook, before any work is
    done (a long simulation, for one)."""
    if path is not None:
        from .errors import InputError
        from .files import check_output
        from .report.workbook import size_problems

        check_output(path)
        if problems := size_problems(portfolio, overrides):
            raise InputError(problems)


def _progress_bar(length: int, label: str, long: bool) -> Any:
    """Click's progress bar on standard error, shown only for ``long`` work and when standard
    error is a terminal: piped or redirected output gets nothing extra."""
    shown = long and sys.stderr.isatty()
    return click.progressbar(length=length, label=label, file=sys.stderr, hidden=not shown)


def _write_workbook(xlsx: str, pack: BoardPack, marking: str) -> None:
    from .report.workbook import workbook_steps, write_workbook

    long = len(pack.result.projects) >= WORKBOOK_PROGRESS
    with _progress_bar(workbook_steps(pack), "Writing the workbook", long) as bar:
        write_workbook(
            pack,
            xlsx,
            command=_command_line(),
            marking=marking,
            progress=lambda done: bar.update(done - bar.pos),
        )
    click.echo(f"Wrote {xlsx}", err=True)


class _Group(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Kept for the workbook's Audit sheet: the command exactly as given.
        ctx.meta["npv_calc.args"] = list(args)
        return super().parse_args(ctx, args)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="npv-calc")
def cli() -> None:
    """Green Book appraisal of collaboration projects from scenario files.

    PATH is a scenario directory (portfolio.toml plus a TOML file per project) or project
    files; it defaults to scenarios/. See docs/cli.md and docs/scenario-format.md.
    """


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
    from .calculate import appraise_case

    loaded = _load_sets([paths, *([(previous,)] if previous else [])], sets, strict, plan)
    portfolio, overrides = loaded[0]
    _check_workbook(xlsx, portfolio, overrides)
    case = _case(portfolio, overrides, scenario)
    result = appraise_case(case)
    changes = None
    if previous is not None:
        from .compare import line_up

        changes = line_up(appraise_case(_case(loaded[1][0], overrides, scenario)), result)
    if xlsx is not None:
        from .board import board_pack

        _write_workbook(xlsx, board_pack(case, result=result, changes=changes), marking)
    click.echo(formatted(result, fmt), nl=False)
    if changes is not None and fmt == "table":
        from .report.table import since_last_board

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
            from .report.table import target_missed

            click.echo(target_missed(result), err=True)
            sys.exit(EXIT_TARGET_MISSED)


@cli.command()
@paths_argument
@strict_option
@handles_errors
def validate(paths: tuple[str, ...], strict: bool) -> None:
    """Check scenario files and report every problem (exit 0 when there are none)."""
    from .report.table import validation_summary

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
    from .sensitivity import sensitivity as analyse

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
    from .simulate import simulate as run_simulation

    if scenario in ("pessimistic", "optimistic"):
        raise click.UsageError(
            f"simulate draws every uncertain value, so the {scenario} scenario does not apply; "
            "use central or a named scenario ([scenarios.NAME] of portfolio.toml)"
        )
    portfolio, overrides = _load(paths, sets, strict, plan)
    _simulated_scenario(portfolio, scenario)
    _check_workbook(xlsx, portfolio, overrides)
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
        from .board import board_pack

        _write_workbook(xlsx, board_pack(case, simulation=result), marking)
    click.echo(formatted(result, fmt), nl=False)


def _simulated_scenario(portfolio: Portfolio, scenario: str) -> None:
    """Refuse a ``--scenario`` a simulation cannot use, listing those it can."""
    if scenario == "central" or scenario in portfolio.scenarios:
        return
    from .load.messages import show, suggest

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
    from .compare import compare as line_up

    (a, overrides), (b, _) = _load_sets([(path_a,), (path_b,)], sets, strict, plan)
    result = line_up(_case(a, overrides, scenario), _case(b, overrides, scenario))
    click.echo(formatted(result, fmt, labels=(path_a, path_b)), nl=False)


@cli.command("case")
@paths_argument
@click.option(
    "--project",
    "projects",
    multiple=True,
    metavar="ID",
    help="Only this project (repeatable; default: every project).",
)
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
    from .economic_case import economic_case as build

    if seed is not None and iterations is None:
        raise click.UsageError("--seed applies to the Monte Carlo simulation: give --iterations")
    portfolio, overrides = _load(paths, sets, strict, plan)
    result = build(
        _case(portfolio, overrides, scenario),
        projects=projects,
        iterations=iterations,
        seed=seed,
        categories=vfm_category,
    )
    click.echo(formatted(result, fmt), nl=False)


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
    from .progress import progress as compare_with_plan

    portfolio, overrides = _load(paths, sets, strict)
    click.echo(formatted(compare_with_plan(_case(portfolio, overrides)), fmt), nl=False)


@cli.command("import")
@click.argument("workbook", type=click.Path(dir_okay=False), metavar="INPUT.xlsx")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False),
    required=True,
    metavar="DIR",
    help="The scenario directory to write (new, or empty).",
)
@handles_errors
def import_(workbook: str, folder: str) -> None:
    """Turn a filled-in input workbook into scenario files (TOML) in DIR."""
    from pathlib import Path

    from .convert.importing import import_to
    from .errors import shown_path
    from .load.workbook import read
    from .model import is_workbook

    if not is_workbook(Path(workbook)):
        _fail(
            [
                f"{workbook}: import reads an input workbook (.xlsx); scenario files (TOML) "
                "need no import"
            ]
        )
    portfolio, _ = _load((workbook,), scenarios=True)
    # Projects are looked up by their id, a text: a row without one names no file.
    files = {
        e.document["id"]: e.file
        for e in read(Path(workbook), workbook).projects
        if isinstance(e.document.get("id"), str)
    }
    written = import_to(portfolio, files, Path(folder), shown_path(Path(workbook)))
    click.echo(f"Wrote {len(written)} files to {folder}", err=True)


@cli.command()
@click.argument("folder", type=click.Path(), metavar="DIR")
@click.option(
    "--to",
    "workbook",
    type=click.Path(dir_okay=False),
    required=True,
    metavar="INPUT.xlsx",
    help="The input workbook to write.",
)
@handles_errors
def export(folder: str, workbook: str) -> None:
    """Write a scenario directory into the Excel input template."""
    from pathlib import Path

    from .convert.input_workbook import export as write_input

    if Path(workbook).suffix.lower() != ".xlsx":
        _fail([f"{workbook}: export writes an Excel workbook: give a file name ending .xlsx"])
    portfolio, _ = _load((folder,), scenarios=True)
    write_input(portfolio, Path(workbook))
    click.echo(f"Wrote {workbook}", err=True)


@cli.command("unit-costs")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output on stdout.",
)
@handles_errors
def unit_costs(fmt: str) -> None:
    """List the unit-cost library: values a benefit may use as unit_value = "ref:<key>"."""
    from .params import unit_costs as library

    click.echo(formatted(list(library().values()), fmt), nl=False)


@cli.command()
@click.argument("project_id", metavar="ID")
@click.option("--name", required=True, help='The project\'s name, e.g. "Joint Education Team".')
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False),
    default="scenarios",
    show_default=True,
    help="The scenario directory to write the file into (created if missing).",
)
@click.option(
    "--start-year",
    type=click.IntRange(1000, 9999),
    help="Year 0 of the project (default: the current financial year).",
)
@handles_errors
def new(project_id: str, name: str, folder: str, start_year: int | None) -> None:
    """Write a commented project file to fill in (DIR/<id>.toml)."""
    import datetime as dt
    from pathlib import Path

    from .convert.scenario_files import new_project_text
    from .files import create_new
    from .load.rules import id_problem

    if why := id_problem(project_id):
        raise click.BadParameter(why, param_hint="ID")
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    if start_year is None:
        today = dt.date.today()
        start_year = today.year if today.month >= 4 else today.year - 1
    target = create_new(
        Path(folder) / f"{project_id.lower()}.toml",
        new_project_text(project_id, name, start_year),
    )
    click.echo(f"Wrote {target}", err=True)
    click.echo(
        f"Next: fill in the amounts in {target} (the lines marked FILL IN), then "
        f"npv-calc validate {folder}",
        err=True,
    )


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False), default="scenarios", metavar="[DIR]")
@click.option("--name", help="The programme's name (default: the folder's name).")
@click.option(
    "--target",
    type=click.FloatRange(min=0),
    help="£ of NPV the programme must secure, e.g. 15400000 (default: none; the line is left "
    "for you to fill in).",
)
@click.option(
    "--target-year",
    type=click.IntRange(1000, 9999),
    help="Projects starting by this financial year count toward the target, e.g. 2027.",
)
@click.option(
    "--agency",
    "agencies",
    multiple=True,
    help="An agency name lines may use (repeatable; default: Police, Fire, Ambulance).",
)
@click.option(
    "--price-base-year",
    type=click.IntRange(1000, 9999),
    help="The financial year whose prices all figures are in (default: the latest year of the "
    "shipped deflator series).",
)
@handles_errors
def init(
    folder: str,
    name: str | None,
    target: float | None,
    target_year: int | None,
    agencies: tuple[str, ...],
    price_base_year: int | None,
) -> None:
    """Write a commented portfolio.toml to start a scenario directory (DIR/portfolio.toml)."""
    from pathlib import Path

    from .convert.scenario_files import init_text
    from .files import create_new

    if any(not agency.strip() or "," in agency for agency in agencies):
        raise click.BadParameter("must be a name without commas", param_hint="--agency")
    path = Path(folder) / "portfolio.toml"
    text = init_text(
        name or Path(folder).resolve().name,
        target=target,
        target_year=target_year,
        agencies=agencies or ("Police", "Fire", "Ambulance"),
        price_base_year=price_base_year,
    )
    create_new(path, text)
    click.echo(f"Wrote {path}", err=True)
    if target is None:
        click.echo(
            "No --target given: remove the # before target in [portfolio] and give the "
            "programme's target.",
            err=True,
        )
    click.echo(f'Next: npv-calc new ID --name "Project name" --dir {folder}', err=True)


@cli.command()
@click.option(
    "--kind",
    type=click.Choice(["any", "project", "portfolio"]),
    default="any",
    show_default=True,
    help="The schema of a project file, of portfolio.toml, or of either.",
)
@handles_errors
def schema(kind: str) -> None:
    """Print a JSON Schema for scenario files (for TOML editors)."""
    import json

    from .schema import schema as build

    click.echo(json.dumps(build(kind), indent=2, ensure_ascii=False))


def _terminate(signum: int, frame: Any) -> None:
    # A SystemExit unwinds the stack, so an interrupted write removes its temporary file.
    raise SystemExit(128 + signum)


def main() -> None:
    """Console-script entry point."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    cli(prog_name="npv-calc")
