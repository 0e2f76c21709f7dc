"""The commands that write or describe scenario files: import, export, unit-costs, new, init
and schema."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..report import formatted
from .common import (
    _check_output,
    _fail,
    _load,
    cli,
    handles_errors,
)

if TYPE_CHECKING:
    pass


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
    from ..convert.importing import check_folder, import_to
    from ..errors import shown_path
    from ..load.workbook import book_files
    from ..model import is_workbook

    if not is_workbook(Path(workbook)):
        _fail(
            [
                f"{workbook}: import reads an input workbook (.xlsx); scenario files (TOML) "
                "need no import"
            ]
        )
    check_folder(Path(folder))
    portfolio, _ = _load((workbook,), scenarios=True)
    files = book_files(Path(workbook))
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
    from ..convert.input_workbook import export as write_input
    from ..load.workbook_layout import default_template

    if Path(workbook).suffix.lower() != ".xlsx":
        _fail([f"{workbook}: export writes an Excel workbook: give a file name ending .xlsx"])
    portfolio, _ = _load((folder,), scenarios=True)
    _check_output("--to", workbook, (default_template(), "the input workbook template"))
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
    from ..params import unit_costs as library

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
@click.option(
    "--options",
    "shortlist",
    is_flag=True,
    help="Write a shortlist of options against business as usual instead of one set of lines.",
)
@handles_errors
def new(project_id: str, name: str, folder: str, start_year: int | None, shortlist: bool) -> None:
    """Write a commented project file to fill in (DIR/<id>.toml)."""
    import datetime as dt

    from ..convert.scenario_files import new_project_text, new_shortlist_text
    from ..files import create_new
    from ..load.rules import id_problem

    if why := id_problem(project_id):
        raise click.BadParameter(why, param_hint="ID")
    if not name.strip():
        raise click.BadParameter("must not be empty", param_hint="--name")
    if start_year is None:
        today = dt.date.today()
        start_year = today.year if today.month >= 4 else today.year - 1
    target = create_new(
        Path(folder) / f"{project_id.lower()}.toml",
        (new_shortlist_text if shortlist else new_project_text)(project_id, name, start_year),
        "--dir",
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
    from ..convert.scenario_files import init_text
    from ..files import check_name, create_new

    path = Path(folder) / "portfolio.toml"
    check_name(path, "DIR")
    text = init_text(
        name or Path(folder).resolve().name,
        target=target,
        target_year=target_year,
        agencies=agencies or ("Police", "Fire", "Ambulance"),
        price_base_year=price_base_year,
    )
    create_new(path, text, "DIR")
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

    from ..schema import schema as build

    click.echo(json.dumps(build(kind), indent=2, ensure_ascii=False))
