"""The board workbook as written: structure, names, formats, stored values, pages and safety.

Recalculation in a real spreadsheet engine is in test_workbook_libreoffice.py; the OOXML schema
check in test_ooxml.py.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli
from npv_calc.report import workbook as workbook_module
from npv_calc.report.workbook import audit_command, name_id, write_workbook
from npv_calc.report.workbook.formulas import FUNCTIONS
from npv_calc.report.workbook.style import default_style

from .cells import SheetView, read_book
from .conftest import EXAMPLE, PROJECT, ROOT, pack_of
from .libreoffice import named_values, projects_table


@pytest.fixture(scope="module")
def example_result():
    return appraise(load_portfolio(EXAMPLE))


@pytest.fixture(scope="module")
def example_path(example_result, tmp_path_factory):
    path = tmp_path_factory.mktemp("book") / "board.xlsx"
    write_workbook(
        pack_of(example_result), path, command="npv-calc run scenarios/ --xlsx board.xlsx"
    )
    return path


@pytest.fixture(scope="module")
def example_book(example_path):
    return load_workbook(example_path)


@pytest.fixture(scope="module")
def example_values(example_path):
    """The workbook as a reader that does not recalculate sees it."""
    return load_workbook(example_path, data_only=True)


def cell_of(wb, name):
    ((sheet, ref),) = wb.defined_names[name].destinations
    return wb[sheet][ref.replace("$", "")]


def test_a_sheet_view_reads_each_sheet_as_openpyxl_does(example_path, example_book, example_values):
    """tests/cells.SheetView, which many tests read sheets with, gives every cell openpyxl
    gives: the stored value, or with ``formulas`` the formula (a shared formula's follower's
    moved from its leader's), and its number format."""
    for ws in example_book.worksheets:
        for formulas, book in ((True, example_book), (False, example_values)):
            view = SheetView(example_path, ws.title, formulas=formulas)
            theirs = {  # an array formula's text (openpyxl gives an object holding it)
                (c.row, c.column): (getattr(c.value, "text", c.value), c.number_format)
                for row in book[ws.title].iter_rows()
                for c in row
                if c.value is not None
            }
            mine = {
                (c.row, c.column): (c.value, c.number_format)
                for row in view.iter_rows()
                for c in row
                if c.value is not None
            }
            assert mine == theirs, ws.title
            assert view.max_row <= book[ws.title].max_row


class TestStructure:
    def test_sheets_in_order(self, example_book, example_result):
        # each project's sheet, then (JCR) a sheet per option of its shortlist
        sheets = [
            title
            for p in example_result.projects
            for title in (
                p.id,
                *(f"{p.id} {o.id}" for o in (p.options.options if p.options else ())),
            )
        ]
        assert "JCR merge" in sheets
        assert example_book.sheetnames == [
            "Summary",
            "Projects",
            "Scenarios",
            "Realisation",  # the example records outturn (as_of)
            "Economic case",
            "Options",  # JCR is a shortlist
            "Assumptions",
            *sheets,
            "Audit",
        ]

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
        path = write_workbook(
            pack_of(example_result), tmp_path / "b.xlsx", marking="OFFICIAL-SENSITIVE & R&D"
        )
        for ws in load_workbook(path).worksheets:
            assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE && R&&D"
            assert ws.oddFooter.center.text == "OFFICIAL-SENSITIVE && R&&D"
            assert ws.page_setup.orientation == "landscape"
            assert int(ws.page_setup.paperSize) == int(ws.PAPERSIZE_A4)
            assert ws.print_title_rows  # the title rows, or the long table's header
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

    def test_audit_keeps_the_writers_folders_out(self, tmp_path):
        command = f"npv-calc run {EXAMPLE} --xlsx={tmp_path / 'b.xlsx'} --marking OFFICIAL"
        shown = audit_command(command)
        assert str(tmp_path) not in shown and str(EXAMPLE.parent) not in shown
        assert shown.startswith("npv-calc run ") and shown.endswith("--marking OFFICIAL")
        assert "b.xlsx" in shown and "scenarios" in shown


class TestSafety:
    @pytest.mark.parametrize(
        "name", ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "=1/0"]
    )
    def test_text_is_never_a_formula(self, scenario_dir, tmp_path, name):
        quoted = json.dumps(name)  # a TOML basic string
        project = PROJECT.replace('"Project one"', quoted).replace('"Staff"', quoted)
        folder = scenario_dir(p1=project)
        path = write_workbook(pack_of(appraise(load_portfolio(folder))), tmp_path / "b.xlsx")
        wb = load_workbook(path)
        found = [
            c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == name
        ]
        assert len(found) >= 3  # the summary row, the title's neighbour cells, the line
        assert all(c.data_type == "s" for c in found)

    def test_style_file_is_never_modified(self, example_result, tmp_path):
        template = default_style()
        before = hashlib.sha256(template.read_bytes()).hexdigest()
        stat = template.stat()
        write_workbook(pack_of(example_result), tmp_path / "b.xlsx")
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
            write_workbook(pack_of(example_result), target)
        assert target.read_bytes() == b"previous board pack"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["board.xlsx"]

    def test_written_file_gets_normal_permissions(self, example_result, tmp_path):
        path = write_workbook(pack_of(example_result), tmp_path / "b.xlsx")
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

    def test_missing_style_file(self, runner, tmp_path, monkeypatch):
        monkeypatch.setattr(workbook_module, "default_style", lambda: tmp_path / "no.toml")
        out = self.run(runner, "--xlsx", str(tmp_path / "board.xlsx"))
        assert out.exit_code == 1
        assert "style file" in out.stderr and "is missing" in out.stderr
        assert not (tmp_path / "board.xlsx").exists()

    @pytest.mark.parametrize(
        ("change", "phrase"),
        [
            (lambda t: t + "\n[[[", "cannot be read"),
            (lambda t: t.replace("[formats.ratio]", "[formats.ratios]"), "formats missing"),
            (lambda t: t.replace("bold = true", "boldface = true", 1), "unknown property"),
            (lambda t: t.replace('bg_color = "$navy"', 'bg_color = "$navvy"', 1), "$navvy"),
            (lambda t: t.replace("zoom = 90", 'zoom = "90"'), "wrong type"),
        ],
    )
    def test_wrong_style_file(self, runner, tmp_path, monkeypatch, change, phrase):
        bad = tmp_path / "board.toml"
        bad.write_text(change(default_style().read_text(encoding="utf-8")), encoding="utf-8")
        monkeypatch.setattr(workbook_module, "default_style", lambda: bad)
        out = self.run(runner, "--xlsx", str(tmp_path / "board.xlsx"))
        assert out.exit_code == 1, out.output
        assert str(bad) in out.stderr and phrase in out.stderr
        assert "Traceback" not in out.output
        assert not (tmp_path / "board.xlsx").exists()

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
    # inputs of a project that does not count toward the target move it not at all: left out
    # (and inputs used only in years that record outturn)
    idle = [bar for bar in bars if bar["toward_target_swing"] == 0]
    assert {bar["project"] for bar in idle} >= {"JCR"}
    bars = [bar for bar in bars if bar["toward_target_swing"] != 0]
    assert ws.cell(header + len(bars) + 1, 1).value is None
    for i, bar in enumerate(bars, start=1):
        row = header + i
        assert ws.cell(row=row, column=2).value == f"{bar['project']}: {bar['line']}"
        assert "_" not in ws.cell(row=row, column=3).value  # a label, not the field name
        # openpyxl writes 16 significant digits: equal to well under a penny
        low, high = bar["toward_target_at_low"], bar["toward_target_at_high"]
        assert ws.cell(row=row, column=6).value == pytest.approx(low, rel=1e-15)
        assert ws.cell(row=row, column=7).value == pytest.approx(high, rel=1e-15)
        assert ws.cell(row=row, column=8).value == pytest.approx(
            bar["toward_target_swing"], rel=1e-12
        )
    with zipfile.ZipFile(target) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # the Summary's, the Realisation's and the tornado


def formula_text(cell) -> str:
    """A formula cell's formula, whether a plain or an array formula."""
    return getattr(cell.value, "text", None) or cell.value


def formula_cells(book):
    """Every formula cell of a workbook: (sheet, coordinate) -> cell."""
    return {
        (ws.title, c.coordinate): c
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    }


def first_page(ws) -> dict[str, object]:
    """The Summary's figures by label: the left panel's (label in A, figure in B) and the right
    panel's (label in E, figure in H)."""
    found: dict[str, object] = {}
    for r in range(1, ws.max_row + 1):
        for label, figure in ((1, 2), (5, 8)):
            key = ws.cell(r, label).value
            if isinstance(key, str) and key not in found:
                found[key] = ws.cell(r, figure).value
    return found


class TestStoredValues:
    """A reader that does not recalculate (openpyxl data_only, pandas, a mail preview) sees
    every figure: each formula cell stores the value npv-calc computed."""

    def test_every_formula_cell_stores_a_value(self, example_book, example_values):
        cells = formula_cells(example_book)
        assert len(cells) > 1500
        empty = [
            key
            for key in cells
            if example_values[key[0]][key[1]].value is None
            # a payback cell is empty text in every year but the one it pays back in, and the
            # IRR's caution when the IRR needs none: formulas with an empty-text branch
            and ',"")' not in formula_text(cells[key])
        ]
        assert empty == []

    def test_named_figures_are_the_tools(self, example_values, example_result):
        def value(name):
            ((sheet, ref),) = example_values.defined_names[name].destinations
            return example_values[sheet][ref.replace("$", "")].value

        assert value("PortfolioNPV") == pytest.approx(example_result.npv, abs=0.005)
        assert value("NPVTowardTarget") == pytest.approx(
            example_result.npv_toward_target, abs=0.005
        )
        assert value("Headroom") == pytest.approx(example_result.headroom, abs=0.005)
        for project in example_result.projects:
            nid = name_id(project.id)
            assert value(f"NPV_{nid}") == pytest.approx(project.npv, abs=0.005)
            assert value(f"PVCosts_{nid}") == pytest.approx(project.pv_costs, abs=0.005)
            assert value(f"PVBenefits_{nid}") == pytest.approx(project.pv_benefits, abs=0.005)

    def test_pandas_reads_the_summary(self, example_path, example_result):
        import pandas as pd

        frame = pd.read_excel(example_path, sheet_name="Projects", header=None)
        header = frame.index[frame[0] == "ID"][0]
        table = frame.iloc[header + 1 : header + 1 + len(example_result.projects)]
        table.columns = frame.iloc[header]
        by_id = table.set_index("ID")
        for project in example_result.projects:
            assert by_id.loc[project.id, "NPV"] == pytest.approx(project.npv, abs=0.005)
            assert by_id.loc[project.id, "PV of costs"] == pytest.approx(project.pv_costs)
        summary = pd.read_excel(example_path, sheet_name="Summary", header=None)
        kpis = dict(zip(summary[0], summary[1], strict=True))
        assert kpis["NPV of all projects (counting or not)"] == pytest.approx(example_result.npv)
        assert summary.iloc[4, 0] == "MEETS TARGET"

    def test_charts_carry_their_data(self, example_path):
        with zipfile.ZipFile(example_path) as package:
            charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
            assert charts
            for name in charts:
                xml = package.read(name).decode()
                refs = re.findall(r"<c:(?:numRef|strRef)>.*?</c:(?:numRef|strRef)>", xml, re.S)
                assert refs
                for ref in refs:
                    points = re.search(r'<c:ptCount val="(\d+)"/>', ref)
                    assert points and int(points.group(1)) > 0, (name, ref[:120])
                    assert "<c:v>" in ref, (name, ref[:120])

    def test_the_workbook_asks_to_be_recalculated_on_load(self, example_path):
        with zipfile.ZipFile(example_path) as package:
            assert 'fullCalcOnLoad="1"' in package.read("xl/workbook.xml").decode()

    def test_formulas_use_only_functions_every_excel_has(self, example_book):
        used = set()
        for cell in formula_cells(example_book).values():
            used |= set(re.findall(r"([A-Z][A-Z0-9.]*)\(", formula_text(cell)))
        assert used <= FUNCTIONS, used - FUNCTIONS


def test_the_irr_says_when_it_says_little(example_values, example_result):
    """Beside the IRR, a live caution when there is none or it is above 100% a year."""
    from npv_calc.report.workbook.project import RESULT_ROWS

    row = RESULT_ROWS["irr"]
    for project in example_result.projects:
        caution = example_values[project.id].cell(row, 3).value or ""
        if project.irr is None:
            assert caution.startswith("No IRR"), project.id
        elif project.irr > 1:
            assert caution.startswith("An IRR above 100%"), project.id
        else:
            assert caution == "", project.id
    assert any(p.irr is not None and p.irr > 1 for p in example_result.projects)
    assert any(p.irr is None for p in example_result.projects)


def test_every_defined_name_is_documented(example_book, example_result):
    """docs/workbook.md names every defined name the example's workbook has (a project's as
    NAME_<ID>), and the Monte Carlo sheet's."""
    doc = (ROOT / "docs" / "workbook.md").read_text(encoding="utf-8")
    ids = {name_id(p.id) for p in example_result.projects}
    # an option of a shortlist (JCR's): NPV_<ID>_<OPTION>
    options = {
        f"NPV_{name_id(p.id)}_{name_id(o.id)}"
        for p in example_result.projects
        for o in (p.options.options if p.options else ())
    }
    names = set(example_book.defined_names) | {"ProbMeetsTarget"}
    missing = []
    for name in sorted(names):
        if name.startswith("_xlnm"):
            continue  # print areas and titles
        prefix, _, suffix = name.rpartition("_")
        shown = f"{prefix}_<ID>" if prefix and suffix in ids else name
        shown = "NPV_<ID>_<OPTION>" if name in options else shown
        if f"`{shown}`" not in doc:
            missing.append(shown)
    assert missing == [], f"docs/workbook.md does not name {missing}"


class TestSummary:
    """The first page (SPEC, "One story for the board")."""

    def test_the_verdict_and_the_tested_figure_come_first(
        self, example_book, example_values, example_result
    ):
        ws = example_values["Summary"]
        assert ws.cell(5, 1).value == "MEETS TARGET"
        assert ws.cell(6, 1).value == "NPV toward the target"
        assert ws.cell(6, 2).value == pytest.approx(example_result.npv_toward_target, abs=0.005)
        # the largest figure on the page
        sizes = {
            c.coordinate: c.font.sz
            for row in example_book["Summary"].iter_rows()
            for c in row
            if c.data_type in ("n", "f") and c.font is not None and c.font.sz
        }
        assert max(sizes.values()) == sizes["B6"]
        figures = first_page(ws)
        assert figures["Target"] == example_result.target
        assert figures["Headroom (negative: shortfall)"] == pytest.approx(
            example_result.headroom, abs=0.005
        )

    def test_how_sure(self, example_values, example_result):
        from npv_calc.sensitivity import switching_values

        figures = first_page(example_values["Summary"])
        pessimistic = appraise(load_portfolio(EXAMPLE), "pessimistic")
        assert figures["Pessimistic: NPV toward the target"] == pytest.approx(
            pessimistic.npv_toward_target, abs=0.005
        )
        assert figures["Pessimistic: headroom"] == pytest.approx(pessimistic.headroom, abs=0.005)
        _, fall = switching_values(example_result)
        assert figures["Benefits still to come could fall by"] == pytest.approx(fall)
        assert fall == pytest.approx(0.1626, abs=5e-5)  # over the benefits still to come
        assert figures["Chance of meeting the target"] == "not simulated"  # says so

    def test_other_figures_are_labelled_as_not_tested(self, example_values, example_result):
        ws = example_values["Summary"]
        figures = first_page(ws)
        heading = next(
            r
            for r in range(1, ws.max_row + 1)
            if ws.cell(r, 1).value and "not tested" in str(ws.cell(r, 1).value)
        )
        assert heading > 6  # after the verdict
        assert figures["Cashable NPV (cashable savings - costs)"] == pytest.approx(
            example_result.cashable_npv
        )
        assert figures["Financial return (fiscal benefits / costs)"] == pytest.approx(
            example_result.financial_roi
        )
        assert figures["NPV of all projects at 2023/24"] == pytest.approx(
            example_result.npv_at_present_value_year, abs=0.005
        )

    def test_delivery_in_words(self, example_values):
        ws = example_values["Summary"]
        header = next(r for r in range(1, 40) if ws.cell(r, 5).value == "ID")
        rows = {}
        r = header + 1
        while ws.cell(r, 7).value in ("Green", "Amber", "Red"):
            rows[ws.cell(r, 5).value] = tuple(ws.cell(r, c).value for c in (7, 8, 9))
            r += 1
        assert rows["FALLS"] == ("Green", "Red", "Green")
        assert next(iter(rows)) == "FALLS"  # Red first
        assert "JCR" not in rows  # not started: said in the note below

    def test_largest_risks_and_realised(self, example_values, example_result):
        ws = example_values["Summary"]
        texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        assert "JCR: Mobilising system go-live delayed" in texts
        figures = first_page(ws)
        assert figures["NPV realised"] == pytest.approx(example_result.realised.npv, abs=0.005)

    def test_who_pays_and_who_benefits(self, example_values, example_result):
        ws = example_values["Projects"]
        start = next(
            r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("Who pays")
        )
        header = {ws.cell(start + 1, c).value: c for c in range(1, ws.max_column + 1)}
        paid, received = header["Costs it pays"], header["Benefits it receives"]
        totals = {}
        r = start + 2
        while ws.cell(r, 2).value != "All agencies":
            totals[ws.cell(r, 2).value] = (ws.cell(r, paid).value, ws.cell(r, received).value)
            r += 1
        assert ws.cell(r, paid).value == pytest.approx(example_result.pv_costs)
        assert ws.cell(r, received).value == pytest.approx(example_result.pv_benefits)
        for agency in ("Police", "Fire", "Ambulance"):
            costs = sum(p.pv_costs_by_agency.get(agency, 0) for p in example_result.projects)
            benefits = sum(p.pv_benefits_by_agency.get(agency, 0) for p in example_result.projects)
            assert totals[agency] == (pytest.approx(costs), pytest.approx(benefits))
        all_costs = sum(c for c, _ in totals.values())
        assert all_costs == pytest.approx(example_result.pv_costs)

    def test_why_a_project_does_not_count(self, example_values):
        ws = example_values["Projects"]
        counts = {pid: row["Counts toward target"] for pid, row in projects_table(ws).items()}
        assert counts["JCR"] == "No: starts after 2027/28; status proposed"
        assert counts["JET"] == "Yes"

    def test_probability_of_meeting_the_target_when_simulated(self, runner, tmp_path):
        from npv_calc.report.text import probability

        path = tmp_path / "mc.xlsx"
        out = runner.invoke(
            cli,
            [
                "simulate",
                str(EXAMPLE),
                "-n",
                "2000",
                "--seed",
                "3",
                "--format",
                "json",
                "--xlsx",
                str(path),
            ],
        )
        assert out.exit_code == 0, out.output
        chance = json.loads(out.stdout)["portfolio"]["prob_meets_target"]
        shown = first_page(load_workbook(path, data_only=True)["Summary"])
        got = shown["Chance of meeting the target"]
        if 0.001 <= chance <= 0.999:
            assert got == pytest.approx(chance, rel=1e-11)
        else:  # never 100% or 0%
            assert (got == probability(chance) and "99.9%" in got) or "0.1%" in got

    def test_the_first_page_is_one_page(self, example_book):
        ws = example_book["Summary"]
        # fitToWidth and fitToHeight default to 1 in OOXML (ECMA-376 18.3.1.63), so a writer
        # may leave them out: absent is one page.
        fit = (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight)
        assert tuple(1 if n is None else int(n) for n in fit) == (1, 1)
        assert ws.sheet_properties.pageSetUpPr.fitToPage


class TestScenarios:
    @staticmethod
    def table(ws) -> tuple[int, dict[str, int], dict[str, int]]:
        """The header row of "NPV by scenario", the column of each scenario and the row of
        each project id and each portfolio figure."""
        header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "ID")
        columns = {
            str(ws.cell(header, c).value).removesuffix(" (live)"): c
            for c in range(3, ws.max_column + 1)
            if ws.cell(header, c).value
        }
        rows = {}
        for r in range(header + 1, ws.max_row + 1):
            key = ws.cell(r, 1).value or ws.cell(r, 2).value
            if key:
                rows[key] = r
        return header, columns, rows

    def test_every_scenario_side_by_side(self, example_values, example_result):
        ws = example_values["Scenarios"]
        _, columns, rows = self.table(ws)
        names = ["central", "pessimistic", "optimistic", *example_result.portfolio.scenarios]
        assert list(columns) == names
        portfolio = load_portfolio(EXAMPLE)
        for name in names:
            column = columns[name]
            expected = appraise(portfolio, scenario=name)
            by_id = {p.id: p.npv for p in expected.projects}
            for project in portfolio.projects:
                got = ws.cell(rows[project.id], column).value
                if project.id in by_id:
                    assert got == pytest.approx(by_id[project.id], abs=0.005), (name, project.id)
                else:
                    assert got == "left out", (name, project.id)
            toward = ws.cell(rows["NPV toward target"], column).value
            assert toward == pytest.approx(expected.npv_toward_target, abs=0.005)
            portfolio_npv = ws.cell(rows["Portfolio NPV (all projects)"], column).value
            assert portfolio_npv == pytest.approx(expected.npv, abs=0.005)
            meets = ws.cell(rows["Meets the target"], column).value
            assert meets == ("Yes" if expected.meets_target else "No")

    def test_named_scenarios_are_described(self, example_values, example_result):
        ws = example_values["Scenarios"]
        text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        for name, named in example_result.portfolio.scenarios.items():
            assert name in text
            if named.exclude:
                assert ", ".join(named.exclude) in text
            for key, value in named.set.items():
                assert any(f"{key} = {value}" in t for t in text)

    def test_a_run_under_a_named_scenario_keeps_the_whole_portfolio(self, runner, tmp_path):
        portfolio = load_portfolio(EXAMPLE)
        name = next(n for n, s in portfolio.scenarios.items() if s.exclude)
        path = tmp_path / "b.xlsx"
        out = runner.invoke(cli, ["run", str(EXAMPLE), "--scenario", name, "--xlsx", str(path)])
        assert out.exit_code == 0, out.output
        ws = SheetView(path, "Scenarios")
        _, columns, rows = self.table(ws)
        assert [p.id for p in portfolio.projects] == [
            r for r in rows if r in {p.id for p in portfolio.projects}
        ]
        central = appraise(portfolio)
        first = central.projects[0]
        assert ws.cell(rows[first.id], columns["central"]).value == pytest.approx(first.npv)
        excluded = portfolio.scenarios[name].exclude[0]
        assert ws.cell(rows[excluded], columns[name]).value == "left out"


class TestPages:
    """What the pages show: each fix for a reading problem found by printing the workbook."""

    def test_unit_values_show_pence_and_whole_quantities_no_decimals(self, example_book):
        ws = example_book["CBCD"]
        labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
        units = [ws.cell(labels["Unit value"], c) for c in range(3, 12)]
        pence = [c for c in units if isinstance(c.value, float) and c.value != round(c.value)]
        assert pence and all(".00" in c.number_format for c in pence)
        quantities = [
            ws.cell(labels["Quantity a year"], c)
            for c in range(3, 12)
            if isinstance(ws.cell(labels["Quantity a year"], c).value, int | float)
        ]
        whole = [c for c in quantities if c.value == round(c.value)]
        assert whole and all(".00" not in c.number_format for c in whole)

    def test_payback_year_shown_once(self, example_values, example_result):
        ws = example_values["JET"]
        labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
        row = next(r for label, r in labels.items() if str(label).startswith("Payback: "))
        shown = [
            ws.cell(row, c).value for c in range(3, 13) if ws.cell(row, c).value not in (None, "")
        ]
        jet = example_result.project("JET")
        assert shown == [jet.payback_year - jet.project.start_year]

    def test_long_tables_repeat_their_headings(self, runner, tmp_path):
        path = tmp_path / "mc.xlsx"
        out = runner.invoke(
            cli, ["simulate", str(EXAMPLE), "-n", "1000", "--seed", "1", "--xlsx", str(path)]
        )
        assert out.exit_code == 0, out.output
        book = load_workbook(path)
        for title in ("Sensitivity", "Monte Carlo", "Audit"):
            ws = book[title]
            rows = ws.print_title_rows
            first = int(rows.split(":")[0].lstrip("$"))
            assert first > 2, title  # the long table's header row, not the title band
            assert ws.cell(first, 1).value or ws.cell(first, 2).value

    def test_tornado_colours_say_good_or_bad(self, runner, tmp_path):
        """Each bar of the tornado is green where its end raises the NPV toward the target and
        red where it lowers it, whichever end (a cost's low end raises it)."""
        path = tmp_path / "b.xlsx"
        # the plan: with the example's outturn, few cost ranges still move anything
        args = ["run", str(EXAMPLE), "--plan", "--xlsx", str(path)]
        assert runner.invoke(cli, args).exit_code == 0
        ws = SheetView(path, "Sensitivity")
        header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Rank")
        changes = [
            (ws.cell(r, 9).value, ws.cell(r, 10).value) for r in range(header + 1, header + 16)
        ]
        assert any(low > 0 for low, _ in changes) and any(low < 0 for low, _ in changes)
        with zipfile.ZipFile(path) as package:
            tornado = package.read("xl/charts/chart2.xml").decode()
        series = re.findall(r"<c:ser>.*?</c:ser>", tornado, re.S)
        assert len(series) == 2
        for k, one in enumerate(series):
            colours = re.findall(
                r'<c:dPt>.*?<a:srgbClr val="([0-9A-F]{6})"/>.*?</c:dPt>', one, re.S
            )
            expected = ["2E7D32" if pair[k] >= 0 else "C00000" for pair in changes]
            assert colours == expected

    def test_negative_bars_leave_the_axis_labels_clear(self, runner, tmp_path):
        path = tmp_path / "b.xlsx"
        out = runner.invoke(
            cli, ["run", str(EXAMPLE), "--scenario", "pessimistic", "--xlsx", str(path)]
        )
        assert out.exit_code == 0
        with zipfile.ZipFile(path) as package:
            summary = package.read("xl/charts/chart1.xml").decode()
        assert '<c:tickLblPos val="low"/>' in summary


# -- the economic case ------------------------------------------------------------------------

JCR_BIAS = "optimism_bias = { low = 0.24, central = 0.51, high = 0.66 }"


def ob_type_example(folder: Path, portfolio: str = "") -> Path:
    """A copy of the example whose JCR building works give their project type (``ob_type``)
    instead of an optimism bias; ``portfolio`` is added to portfolio.toml's [appraisal]."""
    import shutil

    shutil.copytree(EXAMPLE, folder)
    jcr = folder / "09-control-room.toml"
    text = jcr.read_text(encoding="utf-8")
    assert JCR_BIAS in text
    jcr.write_text(text.replace(JCR_BIAS, 'ob_type = "non-standard-buildings"'), encoding="utf-8")
    if portfolio:
        path = folder / "portfolio.toml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("[appraisal]\n", f"[appraisal]\n{portfolio}\n"), "utf-8")
    return folder


def named_value(book, name):
    ((sheet, ref),) = book.defined_names[name].destinations
    return book[sheet][ref.replace("$", "")].value


def range_values(book, name):
    ((sheet, ref),) = book.defined_names[name].destinations
    return [row[0].value for row in book[sheet][ref.replace("$", "")]]


def table_rows(ws, header: int, columns: int) -> list[tuple]:
    """The rows under ``header`` up to the first empty one: the first ``columns`` values."""
    rows = []
    r = header + 1
    while ws.cell(r, 1).value not in (None, ""):
        rows.append(tuple(ws.cell(r, c).value for c in range(1, columns + 1)))
        r += 1
    return rows


class TestEconomicCase:
    """Value types, the financial return, the present-value year and the Economic case sheet:
    stored values are the library's, to the penny."""

    def test_new_named_figures_are_the_tools(self, example_values, example_result):
        result = example_result
        assert result.present_value_year == 2023
        value = lambda name: named_value(example_values, name)  # noqa: E731
        assert value("PortfolioNPVAtPVYear") == pytest.approx(
            result.npv_at_present_value_year, abs=0.005
        )
        assert value("PortfolioFinancialROI") == pytest.approx(result.financial_roi, rel=1e-11)
        for project in result.projects:
            nid = name_id(project.id)
            fiscal = project.pv_benefits_by_value_type["fiscal"]
            assert value(f"PVFiscalBenefits_{nid}") == pytest.approx(fiscal, abs=0.005)
            assert value(f"NPVAtPVYear_{nid}") == pytest.approx(
                project.npv_at_present_value_year, abs=0.005
            )
            roi = value(f"FinancialROI_{nid}")
            if project.financial_roi is None:
                assert roi == "–"
            else:
                assert roi == pytest.approx(project.financial_roi, rel=1e-11)
        assert value("PresentValueYear") == 2023
        assert value("Schedule") == "scaled"
        assert value("ObMitigation") == 0

    def test_without_a_present_value_year_there_is_no_such_figure(self, scenario_dir, tmp_path):
        result = appraise(load_portfolio(scenario_dir()))
        book = load_workbook(write_workbook(pack_of(result), tmp_path / "b.xlsx"))
        names = set(book.defined_names)
        assert "NPV_P1" in names and "FinancialROI_P1" in names
        assert not {"PresentValueYear", "NPVAtPVYear_P1", "PortfolioNPVAtPVYear"} & names
        texts = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row}
        assert not any("present-value year" in str(t) for t in texts if t)

    def test_a_row_per_project(self, example_book, example_values, example_result):
        ws, formulas = example_values["Economic case"], example_book["Economic case"]
        header = next(r for r in range(1, 20) if ws.cell(r, 1).value == "ID")
        columns = {
            ws.cell(header, c).value: c
            for c in range(1, ws.max_column + 1)
            if ws.cell(header, c).value
        }
        projects = example_result.projects
        rows = {ws.cell(r, 1).value: r for r in range(header + 1, header + 1 + len(projects))}
        assert list(rows) == [p.id for p in projects]
        for project in projects:
            r, nid = rows[project.id], name_id(project.id)

            def at(label, r=r):
                return ws.cell(r, columns[label]).value

            by_type = project.pv_benefits_by_value_type
            money = {
                "Net present social value (NPSV)": project.npv,
                "PV of costs": project.pv_costs,
                "PV of benefits": project.pv_benefits,
                "Fiscal benefits (PV)": by_type["fiscal"],
                "Economic benefits (PV)": by_type["economic"],
                "Social benefits (PV)": by_type["social"],
                "Benefits with no value type (PV)": by_type["unspecified"],
                "NPSV at 2023/24": project.npv_at_present_value_year,
            }
            for label, expected in money.items():
                assert at(label) == pytest.approx(expected, abs=0.005), (project.id, label)
            assert at("BCR") == pytest.approx(project.bcr, rel=1e-11)
            assert at("Financial return") == pytest.approx(project.financial_roi, rel=1e-11)
            assert at("Benefits still to come could fall by") == pytest.approx(
                project.npv / project.pv_benefits_to_come, rel=1e-11
            )
            assert at("Costs could rise by") == pytest.approx(
                project.npv / project.pv_costs, rel=1e-11
            )
            assert at("Non-monetised impacts") == len(project.project.impacts)
            # live links to the project sheets
            assert (
                formulas.cell(r, columns["Net present social value (NPSV)"]).value == f"=NPV_{nid}"
            )
            assert formulas.cell(r, columns["NPSV at 2023/24"]).value == f"=NPVAtPVYear_{nid}"
            social = formulas.cell(r, columns["Social benefits (PV)"]).value
            assert social.startswith("=SUMIFS(") and social.endswith(',"social")')
        total = header + len(projects) + 1
        assert ws.cell(total, 2).value == "Portfolio"
        assert ws.cell(total, columns["Net present social value (NPSV)"]).value == pytest.approx(
            example_result.npv
        )
        assert sum(example_result.pv_benefits_by_value_type.values()) == pytest.approx(
            example_result.pv_benefits
        )

    def test_impacts_and_the_value_for_money_statements(self, example_values, example_result):
        from npv_calc.economic_case import economic_case

        ws = example_values["Economic case"]
        first = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value}
        header = first["Non-monetised impacts"] + 1
        assert [ws.cell(header, c).value for c in range(1, 6)] == [
            "Project",
            "Impact",
            "Direction",
            "Materiality",
            "Description",
        ]
        expected = [
            (p.id, i.name, i.direction, i.materiality, " ".join(i.description.split()))
            for p in example_result.projects
            for i in p.project.impacts
        ]
        assert table_rows(ws, header, 5) == expected and expected
        title = first["Value-for-money statements"]
        note = ws.cell(title + 1, 1).value
        assert "As written by npv-calc on" in note and "recalculating does not change it" in note
        statements = dict(table_rows(ws, title + 1, 2))
        case = economic_case(load_portfolio(EXAMPLE))
        assert statements == {p.id: p.statement for p in case.projects}

    def test_impact_text_stays_text(self, scenario_dir, tmp_path):
        name, description = '=HYPERLINK("http://x","y")', "=1+1"
        project = PROJECT + (
            f'\n[[impacts]]\nname = {json.dumps(name)}\ndirection = "negative"\n'
            f'materiality = "high"\ndescription = {json.dumps(description)}\n'
        )
        result = appraise(load_portfolio(scenario_dir(p1=project)))
        ws = load_workbook(write_workbook(pack_of(result), tmp_path / "b.xlsx"))["Economic case"]
        found = [c for row in ws.iter_rows() for c in row if c.value in (name, description)]
        assert len(found) == 2 and all(c.data_type == "s" for c in found)

    def test_value_types_on_the_project_sheet(self, example_book, example_values):
        ws, values = example_book["CBCD"], example_values["CBCD"]
        labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
        row = labels["Value type"]
        types = [values.cell(row, c).value for c in range(3, 8)]
        assert "fiscal" in types and "–" in types  # a benefit's type, a cost's none
        fiscal = ws.cell(labels["PV of fiscal benefits (to public budgets)"], 2).value
        assert fiscal.startswith("=SUMIFS(") and fiscal.endswith(',"fiscal")')


class TestSchedulesAndOptimismBias:
    def test_assumptions_carry_the_published_tables(self, example_book):
        from npv_calc import params

        bands = params.discount_bands()
        assert range_values(example_book, "BandFrom") == [b.first for b in bands]
        assert range_values(example_book, "BandHealth") == [b.health for b in bands]
        assert range_values(example_book, "BandLowerRate") == [
            b.lower_rate_test_2026 for b in bands
        ]
        ends = range_values(example_book, "BandTo")
        assert ends[:-1] == [b.last for b in bands[:-1]] and ends[-1] > 10_000
        ((sheet, ref),) = example_book.defined_names["BandTo"].destinations
        last = example_book[sheet][ref.replace("$", "").split(":")[1]]
        assert '"onward"' in last.number_format
        types = params.optimism_bias_types()
        assert range_values(example_book, "ObType") == list(types)
        assert range_values(example_book, "ObUpper") == [t.upper for t in types.values()]
        assert range_values(example_book, "ObLower") == [t.lower for t in types.values()]
        schedule = cell_of(example_book, "Schedule")
        assert schedule.protection.locked is False
        rows = [
            dv
            for dv in schedule.parent.data_validations.dataValidation
            if schedule.coordinate in str(dv.sqref)
        ]
        assert rows and "health" in rows[0].formula1

    def test_a_cost_line_by_project_type(self, tmp_path):
        folder = ob_type_example(tmp_path / "example", "ob_mitigation = 0.5")
        result = appraise(load_portfolio(folder))
        jcr = result.project("JCR")
        path = write_workbook(pack_of(result), tmp_path / "b.xlsx")
        ws, values = SheetView(path, "JCR", formulas=True), SheetView(path, "JCR")
        labels = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
        assert ws.cell(labels["Optimism bias by project type"], 3).value == (
            "non-standard-buildings"
        )
        bias = labels["Optimism bias"]
        assert ws.cell(bias, 3).value.startswith("=MAX(INDEX(ObLower,MATCH(C")
        assert values.cell(bias, 3).value == pytest.approx(max(0.04, 0.51 * 0.5))
        assert values.cell(bias, 4).value == 0  # a line with its own optimism bias keeps it
        assert named_values(path)["NPV_JCR"] == pytest.approx(jcr.npv, abs=0.005)

    def test_a_project_keeps_its_own_rate_under_a_portfolio_schedule(self, scenario_dir, tmp_path):
        from npv_calc.report.workbook.project import SETTING_ROWS

        portfolio = PORTFOLIO_WITH_SCHEDULE
        own = PROJECT.replace('id = "P1"', 'id = "P2"').replace(
            'status = "approved"', 'status = "approved"\ndiscount_rate = 0.03'
        )
        result = appraise(load_portfolio(scenario_dir(portfolio=portfolio, p1=PROJECT, p2=own)))
        assert result.project("P1").settings.schedule == "health"
        assert result.project("P2").settings.schedule is None
        path = write_workbook(pack_of(result), tmp_path / "b.xlsx")
        book = {t: SheetView(path, t, formulas=True) for t in ("P1", "P2")}
        values = {t: SheetView(path, t) for t in ("P1", "P2")}
        row, rate = SETTING_ROWS["schedule"], SETTING_ROWS["discount_rate"]
        assert book["P1"].cell(row, 2).value == "=Schedule"
        assert values["P1"].cell(row, 2).value == "health"
        assert book["P2"].cell(row, 2).value == "scaled"  # its own, yellow
        assert book["P2"].cell(rate, 2).value == 0.03
        labels = {book["P1"].cell(r, 1).value: r for r in range(1, book["P1"].max_row + 1)}
        applied = labels["Discount rate applied"]
        assert values["P1"].cell(applied, 4).value == 0.015
        assert values["P2"].cell(applied, 4).value == 0.03


PORTFOLIO_WITH_SCHEDULE = """
[portfolio]
name = "Test portfolio"
target = 100_000
target_year = 2027
present_value_year = 2022

[appraisal]
schedule = "health"
horizon = 10
price_base_year = 2023

[deflators]
2015 = 78.0
2023 = 100.0
"""


class TestPrintedPages:
    def test_the_realisation_chart_is_whole_and_clear_of_the_next_heading(self, example_book):
        ws = example_book["Realisation"]
        (chart,) = ws._charts
        top, bottom = chart.anchor._from.row, chart.anchor.to.row  # 0-based
        # no page starts inside the chart (a break's id is the 0-based row a page starts at)
        assert not [b.id for b in ws.row_breaks.brk if top < b.id <= bottom]
        heading = next(
            r
            for r in range(1, ws.max_row + 1)
            if str(ws.cell(r, 1).value).startswith("Base plan and outturn by financial year")
        )
        assert heading - 1 > bottom

    def test_the_tornado_says_why_inputs_are_left_out(self, example_result, tmp_path):
        pack = pack_of(example_result, tornado=True)
        analysis = pack.sensitivity
        path = write_workbook(pack, tmp_path / "b.xlsx")
        ws = SheetView(path, "Sensitivity", formulas=True)
        note = next(
            c.value
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and "Not listed" in c.value
        )
        counting = {p.id for p in example_result.projects if p.counts_toward_target}
        idle = [b for b in analysis.tornado if b.toward_target_swing == 0]
        outside = sum(b.project not in counting for b in idle)
        settled = len(idle) - outside
        assert outside and settled  # JCR counts not; SSS's and STN's costs are settled
        assert f"{outside} inputs of projects that do not count toward the target" in note
        assert (
            f"{settled} inputs of counting projects used only in years settled by the outturn "
            "recorded to 2023/24" in note
        )
        assert "The 6 inputs of projects that do not count" not in note


#: A formula quoted in docs/workbook.md: a backticked ``=...`` with a cell reference or a name,
#: whole (no "..." standing for a part left out, no ``<ID>`` placeholder).
QUOTED_FORMULA = re.compile(r"`(=[^`]+)`")


#: A formula shown on a line of its own in a code block.
BLOCK_FORMULA = re.compile(r"^\s*(=\S+)$", re.M)
#: Quoted formulas that are not the workbook's: text from an input file shown as text.
NOT_THE_WORKBOOKS = {"=Fire", '=HYPERLINK("http://x","y")'}


def quoted_formulas(text: str) -> list[str]:
    """The formulas docs/workbook.md quotes whole, as the example's workbook writes them."""
    return [
        quoted
        for quoted in [*QUOTED_FORMULA.findall(text), *BLOCK_FORMULA.findall(text)]
        if quoted not in NOT_THE_WORKBOOKS
        if "..." not in quoted
        and "<" not in quoted
        and not quoted.startswith("= ")
        and "×" not in quoted
    ]


def test_every_formula_the_docs_quote_is_the_workbooks(example_path, tmp_path):
    """A formula docs/workbook.md quotes is in a cell of one of the workbooks it describes: the
    example's (``run``; ``simulate`` for the Monte Carlo sheet's; ``--scenario pessimistic``
    for a scenario's outturn factor; ``--previous`` for the Changes sheet; a cost with a
    project type for optimism bias by type): a sheet that moves a row moves the docs too."""
    paths = [example_path]
    typed = ob_type_example(tmp_path / "typed")
    for name, args in (
        ("simulated", ["simulate", str(EXAMPLE), "-n", "200", "--seed", "1"]),
        ("pessimistic", ["run", str(EXAMPLE), "--scenario", "pessimistic"]),
        ("previous", ["run", str(EXAMPLE), "--previous", str(ROOT / "examples" / "last-board")]),
        ("typed", ["run", str(typed)]),
    ):
        path = tmp_path / f"{name}.xlsx"
        out = CliRunner().invoke(cli, [*args, "--xlsx", str(path)])
        assert out.exit_code == 0, out.output
        paths.append(path)
    # Every formula as openpyxl gives it ("=" and the text), one per line, in one text to search
    written = "\n".join(
        f"={cell.formula}"
        for path in paths
        for sheet in read_book(path).sheets.values()
        for cell in sheet.values()
        if cell.formula
    )
    quoted = quoted_formulas((ROOT / "docs" / "workbook.md").read_text(encoding="utf-8"))
    assert len(quoted) > 30
    missing = [q for q in quoted if "\n" in q or q not in written]
    assert missing == []


class TestClearOfSheets:
    """A range that starts at a cell named like a sheet is anchored at its column (Gnumeric
    would read it as a reference across sheets); nothing else changes."""

    def test_a_range_from_a_sheets_name_is_anchored(self) -> None:
        from npv_calc.report.workbook.formulas import clear_of_sheets

        titles = frozenset({"e6", "p1"})
        assert clear_of_sheets("=SUM(E6:E7)+SUM(p1:P9)", titles) == "=SUM($E6:E7)+SUM($p1:P9)"
        assert clear_of_sheets("=SUM(B6:E6)+E6", titles) == "=SUM(B6:E6)+E6"  # not a start

    def test_texts_sheets_and_anchored_cells_are_left(self) -> None:
        from npv_calc.report.workbook.formulas import clear_of_sheets

        titles = frozenset({"e6"})
        for formula in (
            '=IF(A1="E6:E7","x","")',
            "=SUM('JET'!E6:E7)",
            "=SUM(JET!E6:E7)",
            "=SUM($E6:E7)",
            "=SUM(XE6:XE7)",
            "=SUM(E60:E70)",
            "=NPV_E6:E7",
        ):
            assert clear_of_sheets(formula, titles) == formula, formula
        assert clear_of_sheets("=SUM(E6:E7)", frozenset()) == "=SUM(E6:E7)"
