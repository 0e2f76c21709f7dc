"""``run --previous PATH``: what changed since the last board (SPEC, one story for the board).

The figures are checked against two appraisals made here through the Python API, the example
portfolio now (``scenarios/``) and as it stood at the last board (``examples/last-board/``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli
from npv_calc.compare import line_up, portfolio_changes, project_changes

from .cells import SheetView, read_book
from .conftest import EXAMPLE, ROOT
from .libreoffice import recalculate_in_libreoffice, stored_values_that_differ

LAST_BOARD = ROOT / "examples" / "last-board"


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture(scope="module")
def then_and_now():
    return appraise(load_portfolio(LAST_BOARD)), appraise(load_portfolio(EXAMPLE))


class TestLineUp:
    def test_largest_change_first(self, then_and_now):
        then, now = then_and_now
        changes = line_up(then, now)
        moved = [abs(c.change) for c in changes.projects]
        assert moved == sorted(moved, reverse=True)
        falls = next(c for c in changes.projects if c.id == "FALLS")
        assert falls.change == pytest.approx(
            now.project("FALLS").npv - then.project("FALLS").npv, abs=1e-6
        )
        assert changes.projects[0].id == "FALLS"  # its conveyances were raised, it started

    def test_what_changed_in_the_inputs(self, then_and_now):
        then, now = then_and_now
        falls = project_changes(then.project("FALLS").project, now.project("FALLS").project)
        assert 'status "approved" -> "in-delivery"' in falls
        assert any("quantity 900 / 1,100 / 1,600 -> 900 / 1,300 / 1,600" in c for c in falls)
        # a year's outturn added is one entry, not the whole table twice
        assert 'costs "Falls response crews": actuals 2023 none -> 206,600' in falls
        assert project_changes(then.project("JCR").project, now.project("JCR").project) == ()

    def test_the_portfolios_own_settings(self, then_and_now):
        then, now = then_and_now
        assert portfolio_changes(then.portfolio, now.portfolio) == ("as_of 2022 -> 2023",)
        assert line_up(then, now).settings == ("as_of 2022 -> 2023",)


class TestCommand:
    def test_the_table_says_then_and_now(self, then_and_now):
        then, now = then_and_now
        out = invoke("run", EXAMPLE, "--previous", LAST_BOARD)
        assert out.exit_code == 0, out.output
        text = " ".join(out.stdout.split())
        assert (
            f"NPV toward target £{then.npv_toward_target:,.0f} then, "
            f"£{now.npv_toward_target:,.0f} now (+£"
            f"{now.npv_toward_target - then.npv_toward_target:,.0f})"
        ) in text
        top = line_up(then, now).projects[:3]
        words = ", ".join(
            f"{c.id} {'+' if c.change > 0 else '-'}£{abs(c.change):,.0f}" for c in top
        )
        assert f"changed most: {words}." in text

    def test_json_is_the_runs(self):
        """The JSON keeps SPEC's keys: ``compare --format json`` is the machine-readable
        comparison."""
        with_previous = invoke("run", EXAMPLE, "--previous", LAST_BOARD, "--format", "json")
        alone = invoke("run", EXAMPLE, "--format", "json")
        assert with_previous.exit_code == 0
        assert with_previous.stdout == alone.stdout

    def test_a_missing_previous_set_is_an_error_that_damages_nothing(self, tmp_path: Path):
        board = tmp_path / "board.xlsx"
        board.write_bytes(b"last month's pack")
        out = invoke("run", EXAMPLE, "--previous", tmp_path / "nowhere", "--xlsx", board)
        assert out.exit_code == 1, out.output  # as for a missing scenario set
        assert "nowhere" in out.stderr and "Traceback" not in out.output
        assert board.read_bytes() == b"last month's pack"

    def test_problems_in_the_previous_set_name_its_file(self, tmp_path: Path, scenario_dir):
        bad = scenario_dir(p1=(EXAMPLE / "01-jet.toml").read_text().replace("2017", "17", 1))
        out = invoke("run", EXAMPLE, "--previous", bad)
        assert out.exit_code == 1, out.output
        assert "p1.toml" in out.stderr and "start_year" in out.stderr
        assert "Traceback" not in out.output


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("changes") / "board.xlsx"
    out = invoke("run", EXAMPLE, "--previous", LAST_BOARD, "--xlsx", path)
    assert out.exit_code == 0, out.output
    return path


@pytest.fixture(scope="module")
def book(written: Path) -> dict[str, SheetView]:
    return {title: SheetView(written, title) for title in read_book(written).sheets}


class TestWorkbook:
    def test_the_changes_sheet_lists_every_project(self, book, then_and_now):
        then, now = then_and_now
        assert list(book)[:4] == ["Summary", "Projects", "Scenarios", "Changes"]
        ws = book["Changes"]
        header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "ID")
        rows = {
            ws.cell(r, 1).value: [ws.cell(r, c).value for c in range(2, 8)]
            for r in range(header + 1, header + 1 + len(now.projects))
        }
        assert set(rows) == {p.id for p in now.projects}
        for project in now.projects:
            _, npv_then, npv_now, change, _, inputs = rows[project.id]
            assert npv_then == pytest.approx(then.project(project.id).npv, abs=0.005)
            assert npv_now == pytest.approx(project.npv, abs=0.005)
            assert change == pytest.approx(npv_now - npv_then, abs=0.01)
            assert inputs
        assert 'status "in-delivery" -> "delivered"' in rows["DRONE"][-1]
        assert rows["JCR"][-1] == "no change"
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert any("as_of 2022 -> 2023" in t for t in texts)

    def test_the_first_page_says_since_the_last_board(self, book, then_and_now):
        then, now = then_and_now
        ws = book["Summary"]
        cells = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row}
        (row, column), _ = next(
            (k, v) for k, v in cells.items() if v == "NPV toward the target" and k[1] > 2
        )
        figures = [cells.get((row, column + k)) for k in (1, 2, 3)]
        assert figures == [
            pytest.approx(then.npv_toward_target, abs=0.005),
            pytest.approx(now.npv_toward_target, abs=0.005),
            pytest.approx(now.npv_toward_target - then.npv_toward_target, abs=0.005),
        ]
        ids = [cells.get((row + k, column - 1)) for k in (1, 2, 3)]
        assert ids == [c.id for c in line_up(then, now).projects[:3]]

    def test_libreoffice_recalculates_it_to_its_stored_values(self, written: Path, tmp_path):
        (recalculated,) = recalculate_in_libreoffice([written], tmp_path)
        count, differences = stored_values_that_differ(written, recalculated)
        assert count > 0 and differences == []

    def test_without_previous_there_is_no_changes_sheet(self, tmp_path: Path):
        path = tmp_path / "board.xlsx"
        assert invoke("run", EXAMPLE, "--xlsx", path).exit_code == 0
        book = load_workbook(path)
        assert "Changes" not in book.sheetnames
        texts = [c.value for c in book["Summary"]["A"] + book["Summary"]["E"] if c.value]
        assert not any("Since the last board" in str(t) for t in texts)
