"""The board workbook as written by openpyxl: structure, names, formats and safety.

Recalculation in a real spreadsheet engine is in test_workbook_libreoffice.py.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli
from npv_calc.report import workbook as workbook_module
from npv_calc.report.workbook import default_template, name_id, write_workbook

from .conftest import EXAMPLE, PROJECT


@pytest.fixture(scope="module")
def example_result():
    return appraise(load_portfolio(EXAMPLE))


@pytest.fixture(scope="module")
def example_book(example_result, tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "board.xlsx"
    write_workbook(example_result, path, command="npv-calc run scenarios/ --xlsx board.xlsx")
    return load_workbook(path)


def cell_of(wb, name):
    ((sheet, ref),) = wb.defined_names[name].destinations
    return wb[sheet][ref.replace("$", "")]


class TestStructure:
    def test_sheets_in_order(self, example_book, example_result):
        ids = [p.id for p in example_result.projects]
        assert example_book.sheetnames == ["Summary", "Assumptions", *ids, "Audit"]

    def test_defined_names_of_spec(self, example_book, example_result):
        names = set(example_book.defined_names)
        assert {"DiscountRate", "Target", "PortfolioNPV"} <= names
        for project in example_result.projects:
            for prefix in ("NPV_", "PVCosts_", "PVBenefits_"):
                assert f"{prefix}{name_id(project.id)}" in names

    def test_discount_rate_is_the_assumptions_rate_cell(self, example_book):
        cell = cell_of(example_book, "DiscountRate")
        assert cell.parent.title == "Assumptions"
        assert cell.value == 0.035
        assert cell.number_format.endswith("%")
        assert cell.protection.locked is False
        validations = [
            dv for dv in cell.parent.data_validations.dataValidation if "B5" in str(dv.sqref)
        ]
        assert validations and validations[0].formula1 == "0"
        assert validations[0].formula2 == "0.2"

    def test_npv_is_a_formula_and_money_has_a_pound_format(self, example_book, example_result):
        for project in example_result.projects:
            cell = cell_of(example_book, f"NPV_{name_id(project.id)}")
            assert isinstance(cell.value, str) and cell.value.startswith("=")
            assert "£" in cell.number_format
        assert "£" in cell_of(example_book, "PortfolioNPV").number_format
        assert "£" in cell_of(example_book, "Target").number_format

    def test_project_sheet_has_live_formulas(self, example_book):
        ws = example_book["JET"]
        formulas = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert any("DiscountRate" in f for f in formulas), "rate not linked to Assumptions"
        assert any("LOOKUP(" in f and "BandStandard" in f for f in formulas), "no bands"
        assert any(f.startswith("=SUMPRODUCT(") for f in formulas)
        assert any("VLOOKUP(" in f and "GradeTable" in f for f in formulas)
        assert any("DeflatorIndex" in f for f in formulas)

    def test_shares_have_a_percent_format(self, example_book):
        ws = example_book["Assumptions"]
        grades = cell_of(example_book, "DiscountRate")
        assert grades.number_format.endswith("%")
        shares = [c for row in ws.iter_rows() for c in row if c.value == 0.4]
        assert shares and all(c.number_format.endswith("%") for c in shares)

    def test_marking_in_header_and_footer(self, example_result, tmp_path):
        path = write_workbook(example_result, tmp_path / "b.xlsx", marking="OFFICIAL-SENSITIVE")
        for ws in load_workbook(path).worksheets:
            assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE"
            assert ws.oddFooter.center.text == "OFFICIAL-SENSITIVE"
            assert ws.page_setup.orientation == "landscape"
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
            assert ws.print_title_rows == "$1:$2"
            assert ws.freeze_panes is not None

    def test_audit_records_version_command_time_and_hashes(self, example_book, example_result):
        ws = example_book["Audit"]
        text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        import npv_calc

        assert f"npv-calc {npv_calc.__version__}" in text
        assert "npv-calc run scenarios/ --xlsx board.xlsx" in text
        assert any(t.endswith(" UTC") for t in text)
        for path in example_result.portfolio.files:
            assert hashlib.sha256(Path(path).read_bytes()).hexdigest() in text


class TestSafety:
    @pytest.mark.parametrize(
        "name", ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "=1/0"]
    )
    def test_text_is_never_a_formula(self, scenario_dir, tmp_path, name):
        quoted = json.dumps(name)  # a TOML basic string
        project = PROJECT.replace('"Project one"', quoted).replace('"Staff"', quoted)
        folder = scenario_dir(p1=project)
        path = write_workbook(appraise(load_portfolio(folder)), tmp_path / "b.xlsx")
        wb = load_workbook(path)
        found = [
            c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == name
        ]
        assert len(found) >= 3  # the summary row, the title's neighbour cells, the line
        assert all(c.data_type == "s" for c in found)

    def test_template_is_never_modified(self, example_result, tmp_path):
        template = default_template()
        before = hashlib.sha256(template.read_bytes()).hexdigest()
        stat = template.stat()
        write_workbook(example_result, tmp_path / "b.xlsx")
        assert hashlib.sha256(template.read_bytes()).hexdigest() == before
        assert template.stat().st_mtime_ns == stat.st_mtime_ns

    def test_failed_write_keeps_the_existing_file_and_leaves_no_temporary(
        self, example_result, tmp_path, monkeypatch
    ):
        target = tmp_path / "board.xlsx"
        target.write_bytes(b"previous board pack")

        def full_disk(descriptor):  # the bytes are half written when the disk fills
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("npv_calc.files.os.fsync", full_disk)
        with pytest.raises(workbook_module.WorkbookError, match="No space left"):
            write_workbook(example_result, target)
        assert target.read_bytes() == b"previous board pack"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["board.xlsx"]

    def test_written_file_gets_normal_permissions(self, example_result, tmp_path):
        path = write_workbook(example_result, tmp_path / "b.xlsx")
        umask = os.umask(0)
        os.umask(umask)
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask


class TestCliErrors:
    def run(self, runner, *args):
        return runner.invoke(cli, ["run", str(EXAMPLE), *args])

    def test_writes_and_says_so(self, runner, tmp_path):
        out = self.run(runner, "--xlsx", str(tmp_path / "board.xlsx"))
        assert out.exit_code == 0, out.output
        assert "Wrote" in out.stderr
        assert load_workbook(tmp_path / "board.xlsx")["Summary"]

    def test_missing_folder(self, runner, tmp_path):
        out = self.run(runner, "--xlsx", str(tmp_path / "nope" / "board.xlsx"))
        assert out.exit_code == 1
        assert "Error: cannot write" in out.stderr and "does not exist" in out.stderr

    def test_unwritable_folder(self, runner, tmp_path):
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        try:
            # root may write to a read-only folder; /proc refuses new files even to root
            target = folder if not os.access(folder, os.W_OK) else Path("/proc")
            out = self.run(runner, "--xlsx", str(target / "board.xlsx"))
            assert out.exit_code == 1
            assert "Error: cannot write" in out.stderr
            assert "Traceback" not in out.output
            assert not (target / "board.xlsx").exists()
        finally:
            folder.chmod(0o755)

    def test_path_is_a_directory(self, runner, tmp_path):
        out = self.run(runner, "--xlsx", str(tmp_path))
        assert out.exit_code in (1, 2)
        assert "Traceback" not in out.output

    @pytest.mark.parametrize("lock", [".~lock.board.xlsx#", "~$board.xlsx"])
    def test_file_open_in_a_spreadsheet(self, runner, tmp_path, lock):
        (tmp_path / "board.xlsx").write_bytes(b"open elsewhere")
        (tmp_path / lock).write_text("locked")
        out = self.run(runner, "--xlsx", str(tmp_path / "board.xlsx"))
        assert out.exit_code == 1
        assert "open in a spreadsheet program" in out.stderr
        assert (tmp_path / "board.xlsx").read_bytes() == b"open elsewhere"

    def test_missing_template(self, runner, tmp_path, monkeypatch):
        monkeypatch.setattr(workbook_module, "default_template", lambda: tmp_path / "no.xlsx")
        out = self.run(runner, "--xlsx", str(tmp_path / "board.xlsx"))
        assert out.exit_code == 1
        assert "template" in out.stderr and "is missing" in out.stderr
        assert not (tmp_path / "board.xlsx").exists()

    def test_corrupt_template(self, runner, tmp_path, monkeypatch):
        bad = tmp_path / "bad.xlsx"
        bad.write_bytes(b"this is not a zip file")
        monkeypatch.setattr(workbook_module, "default_template", lambda: bad)
        out = self.run(runner, "--xlsx", str(tmp_path / "board.xlsx"))
        assert out.exit_code == 1
        assert "cannot be read" in out.stderr
        assert "Traceback" not in out.output

    def test_input_error_writes_nothing(self, runner, scenario_dir, tmp_path):
        folder = scenario_dir(p1=PROJECT.replace("annual = 10_000", "annual = -1"))
        target = tmp_path / "board.xlsx"
        out = runner.invoke(cli, ["run", str(folder), "--xlsx", str(target)])
        assert out.exit_code == 1
        assert not target.exists()

    def test_ids_that_give_the_same_name(self, runner, scenario_dir, tmp_path):
        folder = scenario_dir(
            a=PROJECT.replace('id = "P1"', 'id = "A-B"'),
            b=PROJECT.replace('id = "P1"', 'id = "A_B"'),
        )
        # Refused when the files are checked, not only when a workbook is asked for.
        for args in (["validate"], ["run", "--xlsx", str(tmp_path / "b.xlsx")]):
            out = runner.invoke(cli, [args[0], str(folder), *args[1:]])
            assert out.exit_code == 1
            assert '"A_B" and "A-B"' in out.stderr
            assert "would give the same names in the board workbook" in out.stderr
        assert not (tmp_path / "b.xlsx").exists()


def test_run_workbook_has_the_tornado_of_the_sensitivity_command(runner, tmp_path):
    target = tmp_path / "board.xlsx"
    out = runner.invoke(cli, ["run", str(EXAMPLE), "--xlsx", str(target)])
    assert out.exit_code == 0, out.output
    wb = load_workbook(target)
    assert wb.sheetnames[-2:] == ["Sensitivity", "Audit"]
    document = json.loads(
        runner.invoke(cli, ["sensitivity", str(EXAMPLE), "--format", "json"]).stdout
    )
    ws = wb["Sensitivity"]
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Rank")
    # The sheet ranks the bars by what the target is tested against: the NPV toward the target
    # (the JSON keeps SPEC's order, by the portfolio NPV's swing).
    bars = sorted(document["tornado"], key=lambda bar: -bar["toward_target_swing"])
    for i, bar in enumerate(bars, start=1):
        row = header + i
        assert ws.cell(row=row, column=2).value == f"{bar['project']}: {bar['line']}"
        assert ws.cell(row=row, column=3).value == bar["field"]
        # openpyxl writes 16 significant digits: equal to well under a penny
        low, high = bar["toward_target_at_low"], bar["toward_target_at_high"]
        assert ws.cell(row=row, column=6).value == pytest.approx(low, rel=1e-15)
        assert ws.cell(row=row, column=7).value == pytest.approx(high, rel=1e-15)
        assert ws.cell(row=row, column=8).value == pytest.approx(
            bar["toward_target_swing"], rel=1e-12
        )
    assert len(ws._charts) == 1
