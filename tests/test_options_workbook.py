"""The board workbook's ``Options`` sheet (SPEC.md, "Options appraisal"): each shortlist against
business as usual in live formulas linked to each option's sheet, the names
``NPV_<ID>_<OPTION>``, and LibreOffice and Gnumeric recalculating it to npv-calc's figures.

The example's JCR shortlist is covered by tests/test_workbook_libreoffice.py and
tests/test_workbook_gnumeric.py (every stored value, and the names); these are the cases the
example does not have: an option that saves cost, a preferred option that is not the best, an
edited option input.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from npv_calc import appraise, load_portfolio
from npv_calc.errors import InputError
from npv_calc.report.workbook import write_workbook

from .cells import SheetView, edited_copy, sheet_rows
from .conftest import pack_of
from .gnumeric import recalculate
from .libreoffice import named_values, recalculate_in_libreoffice
from .test_options import BAU_WITH_LINES, HEAD, REFERENCE, benefit, cost, option, write
from .test_workbook_libreoffice import PENNY, assert_stored_values_recalculate

CASES = {"reference": REFERENCE, "saves-cost": BAU_WITH_LINES}


def written(tmp_path: Path, text: str) -> tuple[object, Path]:
    result = appraise(load_portfolio(write(tmp_path / "in", text)))
    path = write_workbook(pack_of(result), tmp_path / "board.xlsx", command="test")
    return result, path


def options_rows(sheet) -> dict[str, list[object]]:
    """The Options sheet's first table: each row's label and its cells, by label. ``sheet``: an
    openpyxl worksheet, or its rows of values (:func:`tests.cells.sheet_rows`)."""
    if hasattr(sheet, "iter_rows"):
        values = sheet.iter_rows(min_row=4, values_only=True)
    else:
        values = sheet[3:]
    rows: dict[str, list[object]] = {}
    for row in values:
        if isinstance(row[0], str) and row[0] not in rows:
            rows[row[0].strip()] = list(row[1:])
    return rows


def assert_options_figures(recalculated: Path, result) -> None:
    """The recalculated Options sheet and names give npv-calc's figures."""
    project = result.projects[0]
    shortlist = project.options
    values = named_values(recalculated)
    rows = options_rows(sheet_rows(recalculated, "Options"))
    for k, o in enumerate(shortlist.options):
        assert rows["PV of costs"][k] == pytest.approx(o.result.pv_costs, abs=PENNY)
        assert rows["PV of benefits"][k] == pytest.approx(o.result.pv_benefits, abs=PENNY)
        if o.option.role == "bau":
            assert f"NPV_OPT_{o.id}" not in values
            assert rows["NPSV against BAU"][k] == "–"
            continue
        assert values[f"NPV_OPT_{o.id}"] == pytest.approx(o.npv_vs_bau, abs=PENNY)
        bcr = rows["BCR against BAU"][k]
        if o.saves_cost:
            assert bcr == "saves cost"
        else:
            assert bcr == pytest.approx(o.bcr_vs_bau, rel=1e-9)
        step = o.increment
        assert rows["Incremental: against (next cheaper)"][k] == step.compared_with
        assert rows["Incremental NPV"][k] == pytest.approx(step.npv, abs=PENNY)
        if step.bcr is None:
            assert rows["Incremental BCR"][k] == "saves cost"
        else:
            assert rows["Incremental BCR"][k] == pytest.approx(step.bcr, rel=1e-9)
    assert rows["Best: the highest NPSV against BAU"][0] == shortlist.best
    # the project's own figures are the preferred option's against BAU
    assert values["NPV_OPT"] == pytest.approx(values[f"NPV_OPT_{shortlist.preferred}"], abs=PENNY)


@pytest.mark.parametrize("case", list(CASES))
def test_options_sheet_recalculates_in_libreoffice(case: str, tmp_path: Path) -> None:
    result, path = written(tmp_path, CASES[case])
    (recalculated,) = recalculate_in_libreoffice([path], tmp_path / "recalculated")
    assert_stored_values_recalculate(path, recalculated)
    assert_options_figures(recalculated, result)


@pytest.mark.parametrize("case", list(CASES))
def test_options_sheet_recalculates_in_gnumeric(case: str, tmp_path: Path) -> None:
    result, path = written(tmp_path, CASES[case])
    (recalculated,) = recalculate([path], tmp_path / "recalculated")
    assert_stored_values_recalculate(path, recalculated, "Gnumeric")
    assert_options_figures(recalculated, result)


def test_the_reference_case_on_the_sheet(tmp_path: Path) -> None:
    """7.5, 4.0 and 1.67 as a reader that does not recalculate sees them; the preferred option
    (A) is marked, though B is the best."""
    _, path = written(tmp_path, REFERENCE)
    rows = options_rows(SheetView(path, "Options"))
    assert rows["BCR against BAU"][1:3] == [pytest.approx(7.5), pytest.approx(4.0)]
    assert round(rows["Incremental BCR"][2], 2) == 1.67
    assert [c or "" for c in rows["Preferred way forward"][:3]] == ["", "Preferred", ""]
    assert rows["Best: the highest NPSV against BAU"][0] == "B"
    formulas = options_rows(SheetView(path, "Options", formulas=True))
    assert formulas["PV of costs"][1] == "='OPT A'!$B$16"  # linked to the option's sheet


def test_editing_an_option_input_moves_its_figures(tmp_path: Path) -> None:
    """Live: raising the benefit of the option "dear" on its sheet gives, after recalculation,
    the figures npv-calc gives for the file with that benefit, and makes it the best."""
    _, path = written(tmp_path, BAU_WITH_LINES)
    ws = SheetView(path, "OPT dear", formulas=True)  # the cell edited is a typed input
    header = next(r for r in ws.iter_rows() if any(c.value == "More" for c in r))
    column = next(c.column for c in header if c.value == "More")
    annual = next(r[0].row for r in ws.iter_rows() if r[0].value == "Annual amount (first year)")
    assert ws.cell(annual, column).value == 100
    more = ws.cell(annual, column).coordinate
    edited = edited_copy(path, tmp_path / "edited.xlsx", {("OPT dear", more): 5_000})
    (recalculated,) = recalculate_in_libreoffice([edited], tmp_path / "recalculated")
    expected = appraise(
        load_portfolio(write(tmp_path / "in2", BAU_WITH_LINES.replace("100", "5_000")))
    ).projects[0]
    values = named_values(recalculated)
    for oid in ("merge", "dear"):
        assert values[f"NPV_OPT_{oid}"] == pytest.approx(
            expected.options.option(oid).npv_vs_bau, abs=PENNY
        )
    assert expected.options.best == "dear"
    rows = options_rows(sheet_rows(recalculated, "Options"))
    assert rows["Best: the highest NPSV against BAU"][0] == "dear"


def test_no_options_sheet_without_a_shortlist(tmp_path: Path) -> None:
    text = (
        HEAD
        + cost("Staff", "1_000").replace("options.", "")
        + benefit("Saved", "2_000").replace("options.", "")
    )
    _, path = written(tmp_path, text)
    book = load_workbook(path)
    assert "Options" not in book.sheetnames
    assert not [n for n in book.defined_names if n.startswith("NPV_OPT_")]


def test_an_option_name_that_is_another_projects_name_is_an_error(tmp_path: Path) -> None:
    """Project OPT's option "A" and a project "OPT_A" would both be NPV_OPT_A."""
    write(tmp_path / "in", REFERENCE)
    other = 'id = "OPT_A"\nname = "Other"\nstart_year = 2024\n' + cost("Staff").replace(
        "options.", ""
    )
    write(tmp_path / "in", other, "other.toml")
    result = appraise(load_portfolio(tmp_path / "in"))
    with pytest.raises(InputError) as caught:
        write_workbook(pack_of(result), tmp_path / "board.xlsx")
    (problem,) = caught.value.problems
    assert "NPV_OPT_A" in str(problem) and "OPT option" in str(problem)
    assert not (tmp_path / "board.xlsx").exists()


def test_an_option_sheet_too_large_is_an_error(tmp_path: Path) -> None:
    """The size limit counts each option's sheet, not only the project's own (its preferred
    option against BAU)."""
    text = (
        HEAD
        + 'preferred = "small"\n'
        + option("bau", "bau", cost("Rooms"))
        + option("small", body=cost("Works"))
        + option("big", body="".join(cost(f"Line {i}") for i in range(520)))
    )
    result = appraise(load_portfolio(write(tmp_path / "in", text)))
    with pytest.raises(InputError) as caught:
        write_workbook(pack_of(result), tmp_path / "board.xlsx")
    assert "has 520 lines" in str(caught.value.problems[0])
