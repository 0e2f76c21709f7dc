"""Any spreadsheet: Gnumeric's recalculation agrees with every stored value of the board workbook,
as LibreOffice's does (test_workbook_libreoffice.py), and gives npv-calc's named figures.

SPEC.md, "Any spreadsheet". Gnumeric once took one element where a function was applied to a
range inside SUMPRODUCT (the agency split) and gave #VALUE! for every NPV at the present-value
year; those formulas are array formulas now.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli

from .cells import differences_from_openpyxl, read_book
from .conftest import EXAMPLE, ROOT
from .gnumeric import recalculate, saved_by_gnumeric
from .test_workbook_libreoffice import assert_same_figures, assert_stored_values_recalculate

ExampleInGnumeric = Callable[[list[str]], tuple[Path, Path]]


@pytest.fixture(scope="module")
def example_in_gnumeric(tmp_path_factory: pytest.TempPathFactory) -> ExampleInGnumeric:
    """``example_in_gnumeric(args)``: the example's workbook as the command ``args`` writes it,
    and Gnumeric's recalculation of it. Each command's workbook is written and recalculated once
    in a test process (about 5 seconds), however many tests check it."""
    done: dict[tuple[str, ...], tuple[Path, Path]] = {}

    def written_and_recalculated(args: list[str]) -> tuple[Path, Path]:
        if tuple(args) not in done:
            folder = tmp_path_factory.mktemp("gnumeric")
            written = folder / "board.xlsx"
            out = CliRunner().invoke(
                cli, [args[0], str(EXAMPLE), *args[1:], "--xlsx", str(written)]
            )
            assert out.exit_code == 0, out.output
            (recalculated,) = recalculate([written], folder / "recalculated")
            done[tuple(args)] = written, recalculated
        return done[tuple(args)]

    return written_and_recalculated


@pytest.mark.parametrize(
    "args",
    [
        ["run"],
        ["run", "--scenario", "pessimistic"],
        ["run", "--scenario", "rate-3pc"],
        ["run", "--set", "schedule=health", "--set", "discount_year0=true"],
        ["simulate", "-n", "2000", "--seed", "5"],
        ["run", "--previous", str(ROOT / "examples" / "last-board")],
    ],
    ids=[
        "central",
        "pessimistic",
        "named-scenario",
        "health-year0",
        "monte-carlo",
        "since-last-board",
    ],
)
def test_the_example_recalculates_in_gnumeric(
    args: list[str], example_in_gnumeric: ExampleInGnumeric
) -> None:
    written, recalculated = example_in_gnumeric(args)
    assert_stored_values_recalculate(written, recalculated, "Gnumeric")


def test_the_cell_reader_reads_gnumerics_file_as_openpyxl_does(
    example_in_gnumeric: ExampleInGnumeric, tmp_path: Path
) -> None:
    """The cell reader agrees with openpyxl on the .xlsx Gnumeric saves; and the values read
    from the .xls it saves for the comparisons (:func:`tests.gnumeric.recalculate`) are the
    same, cell by cell."""
    written, from_xls = example_in_gnumeric(["run"])
    saved = saved_by_gnumeric(written, tmp_path)
    assert differences_from_openpyxl(saved) == []
    assert from_xls.suffix == ".json"
    values, cells = read_book(from_xls), read_book(saved)
    assert list(values.sheets) == list(cells.sheets) and values.names == cells.names
    for title, sheet in cells.sheets.items():
        expected = {k: c.value for k, c in sheet.items() if c.value not in (None, "")}
        assert {k: c.value for k, c in values.sheets[title].items()} == expected, title


def test_gnumeric_gives_the_tools_figures(example_in_gnumeric: ExampleInGnumeric) -> None:
    _, recalculated = example_in_gnumeric(["run"])
    assert_same_figures(recalculated, appraise(load_portfolio(EXAMPLE)))


def test_the_check_finds_a_formula_gnumeric_reads_differently(tmp_path: Path) -> None:
    """Without the array formula, Gnumeric's SUMPRODUCT(EXACT(range, cell) * ...) takes one
    element: the check would catch such a formula coming back."""
    import xlsxwriter

    from .libreoffice import stored_values_that_differ

    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("S")
    for row, (agency, value) in enumerate((("Fire", 1.0), ("Police", 2.0), ("Fire", 4.0))):
        ws.write_string(row, 0, agency)
        ws.write_number(row, 1, value)
    ws.write_string(3, 0, "Fire")
    ws.write_formula(3, 1, "=SUMPRODUCT(EXACT($A$1:$A$3,A4)*$B$1:$B$3)", None, 5.0)
    wb.close()
    (recalculated,) = recalculate([path], tmp_path / "recalculated")
    count, differences = stored_values_that_differ(path, recalculated, "Gnumeric")
    assert count == 1 and differences
