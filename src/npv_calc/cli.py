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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from . import __version__
from .model import DISTRIBUTIONS, MAX_SEED

if TYPE_CHECKING:
    from .calculate import PortfolioResult
    from .errors import Problem
    from .model import Portfolio

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 1
EXIT_TARGET_MISSED = 3


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
            count = len(exc.problems)
            for problem in exc.problems:
                click.echo(f"Error: {problem}", err=True)
            click.echo(f"{count} problem{'s' if count != 1 else ''} found.", err=True)
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


def _parse_sets(values: tuple[str, ...]) -> tuple[dict[str, object], list[Problem]]:
    """``--set`` values: the overrides that are good, and the problems of those that are not
    (reported together with any problems in the files). Malformed ones are usage errors."""
    from .errors import InputError
    from .load.settings import parse_setting

    overrides: dict[str, object] = {}
    problems: list[Problem] = []
    for text in values:
        try:
            key, value = parse_setting(text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--set") from None
        except InputError as exc:
            problems += exc.problems
            continue
        overrides[key] = value
    return overrides, problems


def _command_line() -> str:
    """The command as the user typed it, for the workbook's Audit sheet."""
    import shlex

    ctx = click.get_current_context()
    args = ctx.meta.get("npv_calc.args")
    if args is None:
        args = sys.argv[1:]
    return " ".join(["npv-calc", *map(shlex.quote, args)])


paths_argument = click.argument("paths", nargs=-1, type=click.Path(), metavar="[PATH]...")


def scenario_options(formats: tuple[str, ...]) -> Callable[[F], F]:
    """``--scenario``, ``--set`` and ``--format``, shared by the commands that appraise."""

    def decorate(command: F) -> F:
        for option in reversed(
            [
                click.option(
                    "--scenario",
                    default="central",
                    show_default=True,
                    help="central, pessimistic, optimistic, or a [scenarios.NAME] of "
                    "portfolio.toml.",
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
                    default="table",
                    show_default=True,
                    help="Output on stdout.",
                ),
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


def _load(paths: tuple[str, ...], sets: tuple[str, ...]) -> tuple[Portfolio, dict[str, object]]:
    """The portfolio and ``--set`` overrides, with every problem of both reported together."""
    from .errors import InputError
    from .load import load_portfolio

    overrides, set_problems = _parse_sets(sets)
    try:
        portfolio = load_portfolio(*paths, overrides=overrides)
    except InputError as exc:
        raise InputError(set_problems + exc.problems) from None
    if set_problems:
        raise InputError(set_problems)
    return portfolio, overrides


def _write_workbook(xlsx: str, result: PortfolioResult, marking: str, **analyses: Any) -> None:
    from .report.workbook import write_workbook

    write_workbook(result, xlsx, command=_command_line(), marking=marking, **analyses)
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
@handles_errors
def run(
    paths: tuple[str, ...],
    scenario: str,
    sets: tuple[str, ...],
    fmt: str,
    xlsx: str | None,
    marking: str,
    check_target: bool,
) -> None:
    """Appraise a portfolio: NPV, BCR, payback and IRR per project, and the target test."""
    from .calculate import appraise

    portfolio, overrides = _load(paths, sets)
    result = appraise(portfolio, scenario, overrides)
    if xlsx:
        from .sensitivity import sensitivity

        _write_workbook(
            xlsx, result, marking, sensitivity=sensitivity(portfolio, scenario, overrides)
        )
    if fmt == "json":
        from .report import to_dict
        from .report.json import dumps

        click.echo(dumps(to_dict(result)))
    elif fmt == "csv":
        from .report.csv import to_csv

        click.echo(to_csv(result), nl=False)
    else:
        from .report.table import render

        click.echo(render(result), nl=False)
    if check_target:
        from .report.table import money

        if result.meets_target is None:
            _fail(
                [
                    "--check-target: the portfolio has no target ([portfolio] target in "
                    "portfolio.toml)"
                ]
            )
        if not result.meets_target:
            click.echo(
                f"Target missed: NPV toward target {money(result.npv_toward_target)} is "
                f"{money(-(result.headroom or 0.0))} short of {money(result.target)}.",
                err=True,
            )
            sys.exit(EXIT_TARGET_MISSED)


@cli.command()
@paths_argument
@handles_errors
def validate(paths: tuple[str, ...]) -> None:
    """Check scenario files and report every problem (exit 0 when there are none)."""
    from .load import load_portfolio

    portfolio = load_portfolio(*paths, scenarios=True)
    lines = sum(len(p.all_lines) for p in portfolio.projects)
    count = len(portfolio.projects)
    scenarios = ", ".join(portfolio.scenarios) or "none"
    click.echo(
        f"OK: {portfolio.name}: {count} project{'s' if count != 1 else ''}, {lines} lines in "
        f"{len(portfolio.files)} file{'s' if len(portfolio.files) != 1 else ''}; named "
        f"scenarios: {scenarios}"
    )


@cli.command()
@paths_argument
@scenario_options(("table", "json"))
@handles_errors
def sensitivity(paths: tuple[str, ...], scenario: str, sets: tuple[str, ...], fmt: str) -> None:
    """Tornado (each uncertain value at its low and high end) and switching values."""
    from .sensitivity import sensitivity as analyse

    portfolio, overrides = _load(paths, sets)
    result = analyse(portfolio, scenario, overrides)
    if fmt == "json":
        from .report import to_dict
        from .report.json import dumps

        click.echo(dumps(to_dict(result)))
    else:
        from .report.table import render_sensitivity

        click.echo(render_sensitivity(result), nl=False)


@cli.command()
@paths_argument
@click.option(
    "--iterations",
    "-n",
    type=click.IntRange(min=1),
    required=True,
    help="Number of draws, e.g. 100000.",
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
@scenario_options(("table", "json"))
@workbook_options
@handles_errors
def simulate(
    paths: tuple[str, ...],
    iterations: int,
    seed: int | None,
    distribution: str,
    scenario: str,
    sets: tuple[str, ...],
    fmt: str,
    xlsx: str | None,
    marking: str,
) -> None:
    """Monte Carlo: NPV percentiles and the probability of meeting the target."""
    from .simulate import simulate as run_simulation

    portfolio, overrides = _load(paths, sets)
    show_progress = sys.stderr.isatty() and iterations >= 50_000
    with click.progressbar(
        length=iterations, label="Simulating", file=sys.stderr, hidden=not show_progress
    ) as bar:
        result = run_simulation(
            portfolio,
            iterations,
            seed=seed,
            distribution=distribution,
            scenario=scenario,
            overrides=overrides,
            progress=lambda done: bar.update(done - bar.pos),
        )
    if xlsx:
        from .sensitivity import sensitivity

        _write_workbook(
            xlsx,
            result.base,
            marking,
            sensitivity=sensitivity(portfolio, scenario, overrides),
            simulation=result,
        )
    if fmt == "json":
        from .report import to_dict
        from .report.json import dumps

        click.echo(dumps(to_dict(result)))
    else:
        from .report.table import render_simulation

        click.echo(render_simulation(result), nl=False)


@cli.command()
@click.argument("path_a", type=click.Path(), metavar="PATH_A")
@click.argument("path_b", type=click.Path(), metavar="PATH_B")
@scenario_options(("table", "json"))
@handles_errors
def compare(path_a: str, path_b: str, scenario: str, sets: tuple[str, ...], fmt: str) -> None:
    """What changed between two scenario sets, project by project."""
    from .compare import compare as line_up
    from .errors import InputError

    problems = []
    loaded = []
    for path in (path_a, path_b):
        try:
            loaded.append(_load((path,), sets))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    (a, overrides), (b, _) = loaded
    result = line_up(a, b, scenario, overrides)
    if fmt == "json":
        from .report import to_dict
        from .report.json import dumps

        click.echo(dumps(to_dict(result)))
    else:
        from .report.table import render_comparison

        click.echo(render_comparison(result, path_a, path_b), nl=False)


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
    from .load import load_portfolio
    from .load.workbook import read
    from .model import is_workbook

    if not is_workbook(Path(workbook)):
        _fail(
            [
                f"{workbook}: import reads an input workbook (.xlsx); scenario files (TOML) "
                "need no import"
            ]
        )
    portfolio = load_portfolio(workbook, scenarios=True)
    files = {e.document.get("id"): e.file for e in read(Path(workbook), workbook).projects}
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
    from .load import load_portfolio

    if Path(workbook).suffix.lower() != ".xlsx":
        _fail([f"{workbook}: export writes an Excel workbook: give a file name ending .xlsx"])
    portfolio = load_portfolio(folder, scenarios=True)
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
    from .report.table import render_unit_costs

    costs = list(library().values())
    if fmt == "json":
        import json

        rows = [
            {
                "key": c.key,
                "value": c.value,
                "unit": c.unit,
                "price_year": c.price_year,
                "description": c.description,
                "source": c.source,
            }
            for c in costs
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        import csv
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["key", "value", "unit", "price_year", "description", "source"])
        for c in costs:
            writer.writerow([c.key, repr(c.value), c.unit, c.price_year, c.description, c.source])
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(render_unit_costs(costs), nl=False)


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
    from .load.rules import ID_PATTERN

    if not ID_PATTERN.match(project_id):
        raise click.BadParameter(
            "must start with a letter and use only letters, digits, _ and -",
            param_hint="ID",
        )
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    if start_year is None:
        today = dt.date.today()
        start_year = today.year if today.month >= 4 else today.year - 1
    target = Path(folder) / f"{project_id.lower()}.toml"
    if target.exists():
        _fail([f"{target} already exists; choose another ID or remove the file"])
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as handle:
            handle.write(new_project_text(project_id, name, start_year))
    except OSError as exc:
        _fail([f"cannot write {target}: {exc.strerror or exc}"])
    click.echo(f"Wrote {target}", err=True)


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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="npv-calc")
