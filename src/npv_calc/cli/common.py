"""What the commands share: the ``npv-calc`` group, loading with the run's options, error
handling and exit codes, and the checks made before any work is done."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from .. import __version__

if TYPE_CHECKING:
    from ..errors import Problem
    from ..model import Portfolio, SettingsPatch
    from ..results.board import BoardPack
    from ..scenarios import Case

F = TypeVar("F", bound=Callable[..., Any])

EXIT_INPUT = 1
EXIT_TARGET_MISSED = 3
#: Work long enough for a progress bar (in a terminal): draws of a simulation, and projects of
#: a board workbook (each about a second in all).
SIMULATE_PROGRESS = 50_000
WORKBOOK_PROGRESS = 100
#: The command's cyclic garbage collector collects its youngest objects after this many new ones
#: (CPython: 700). What a run makes (a row's cells, a line's values, the parser's tables) lives
#: until the run ends and holds no cycles, so at 700 the collector walks the same young objects
#: over and over: about a sixth of the CPU of loading 40,000 lines (docs/performance.md, "The
#: garbage collector"). The command only: a program using the library keeps its own.
GC_YOUNG = 50_000


def _fail(messages: list[str]) -> None:
    from ..errors import printable

    for message in messages:
        click.echo(f"Error: {printable(message)}", err=True)
    raise SystemExit(EXIT_INPUT)


def handles_errors(command: F) -> F:
    """Turn input problems into ``Error:`` lines and exit 1, and usage problems into exit 2.

    An unexpected exception is reported in one line too (set ``NPV_CALC_DEBUG=1`` for the
    traceback), so a user never sees a traceback.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from ..errors import InputError, OutputError, UsageError, printable

        try:
            return command(*args, **kwargs)
        except InputError as exc:
            from ..report.table import problems_summary

            for problem in exc.problems:
                click.echo(f"Error: {problem}", err=True)
            _warn(exc.warnings)
            click.echo(problems_summary(len(exc.problems), len(exc.warnings), exc.strict), err=True)
            raise SystemExit(EXIT_INPUT) from None
        except OutputError as exc:
            _fail([str(exc)])
        except UsageError as exc:
            raise click.UsageError(printable(str(exc))) from None
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
    from ..load import load_with_settings
    from ..load.settings import SettingError

    try:
        portfolio, overrides = load_with_settings(paths, sets, strict=strict, **options)
    except SettingError as exc:
        from ..errors import printable

        raise click.BadParameter(printable(str(exc)), param_hint="--set") from None
    _warn(portfolio.warnings)
    _reads(portfolio)
    return (portfolio.as_planned() if plan else portfolio), overrides


def _load_sets(
    sets_of_paths: list[tuple[str, ...]], sets: tuple[str, ...], strict: bool, plan: bool
) -> list[tuple[Portfolio, SettingsPatch]]:
    """Several scenario sets loaded alike (``compare``, ``run --previous``), every problem of
    all of them reported together."""
    from ..errors import InputError

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


def _reads(portfolio: Portfolio | None = None) -> list[tuple[Path, str]]:
    """The files this run reads, ``portfolio``'s added (no output may be one of them); a
    stdout redirected into one of them is refused."""
    from ..files import check_stream_not_read, files_read

    reads: list[tuple[Path, str]] = click.get_current_context().meta.setdefault(
        "npv_calc.reads", []
    )
    reads += files_read(portfolio)
    check_stream_not_read(sys.stdout, "stdout", reads)
    return reads


def _check_output(option: str, path: str, *read: tuple[Path, str]) -> None:
    """Refuse an output file before any work is done: one this run reads (``read`` adds to
    those of :func:`_reads`), or one that cannot be written."""
    from ..files import check_not_read, check_output

    check_not_read([(option, path)], [*_reads(), *read])
    check_output(path, option)


def _case(portfolio: Portfolio, patch: SettingsPatch, scenario: str = "central") -> Case:
    """The run's case, validated once: the loader checked the files with ``patch`` already,
    so only a named scenario's own settings are checked again."""
    from ..scenarios import prepare

    return prepare(portfolio, scenario, patch, checked=patch)


def _check_workbook(
    path: str | None, portfolio: Portfolio, overrides: SettingsPatch, marking: str
) -> None:
    """Refuse a workbook path, a marking it cannot print or a portfolio too large for a
    workbook, before any work is done (a long simulation, for one)."""
    if path is not None:
        from ..errors import InputError
        from ..report.workbook import marking_problem, size_problems
        from ..report.workbook.style import default_style

        if why := marking_problem(marking):
            raise click.BadParameter(why, param_hint="--marking")
        _check_output("--xlsx", path, (default_style(), "the style file of the board workbook"))
        if problems := size_problems(portfolio, overrides):
            raise InputError(problems)


def _progress_bar(length: int, label: str, long: bool) -> Any:
    """Click's progress bar on standard error, shown only for ``long`` work and when standard
    error is a terminal: piped or redirected output gets nothing extra."""
    shown = long and sys.stderr.isatty()
    return click.progressbar(length=length, label=label, file=sys.stderr, hidden=not shown)


def _write_workbook(xlsx: str, pack: BoardPack, marking: str) -> None:
    from ..report.workbook import workbook_steps, write_workbook

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


def main() -> None:
    """Console-script entry point. A signal (a closed terminal, Ctrl-C, kill) ends the run
    with 128 + its number, saying which output is in place."""
    import gc

    from ..files import stopped_cleanly

    gc.set_threshold(GC_YOUNG, *gc.get_threshold()[1:])
    with stopped_cleanly(lambda message: click.echo(f"Error: {message}", err=True)):
        cli(prog_name="npv-calc")
