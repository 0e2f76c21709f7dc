"""An input workbook edited and saved in a real spreadsheet program still reads the same.

The exported workbook is opened in LibreOffice Calc and saved again as .xlsx (as a finance
officer's spreadsheet program would), then run: every figure is the same as from the TOML files.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from openpyxl import load_workbook

from npv_calc import appraise, load_portfolio, to_dict
from npv_calc.convert.input_workbook import export

from .conftest import EXAMPLE
from .libreoffice import convert


def test_saved_by_libreoffice_the_workbook_gives_the_same_portfolio(tmp_path: Path) -> None:
    original = load_portfolio(EXAMPLE)
    exported = export(original, tmp_path / "input.xlsx")
    (resaved,) = convert([exported], tmp_path / "resaved")
    again = load_portfolio(resaved)
    assert [dataclasses.replace(p, path=None) for p in again.projects] == [
        dataclasses.replace(p, path=None) for p in original.projects
    ]
    assert again.scenarios == original.scenarios
    assert again.deflators == original.deflators
    before = to_dict(appraise(original))
    after = to_dict(appraise(again))
    assert json.dumps(after["projects"]) == json.dumps(before["projects"])


def test_a_value_edited_in_libreoffice_is_read(tmp_path: Path, runner) -> None:
    from npv_calc.cli import cli

    exported = export(load_portfolio(EXAMPLE), tmp_path / "input.xlsx")
    wb = load_workbook(exported)
    ws = wb["Portfolio"]
    row = next(r for r in range(5, 20) if ws.cell(row=r, column=1).value == "Discount rate")
    ws.cell(row=row, column=2).value = 0.03
    wb.save(tmp_path / "edited.xlsx")
    (resaved,) = convert([tmp_path / "edited.xlsx"], tmp_path / "resaved")
    out = runner.invoke(cli, ["run", str(resaved), "--format", "json"])
    assert out.exit_code == 0, out.output
    expected = appraise(load_portfolio(EXAMPLE), overrides={"discount_rate": 0.03})
    assert json.loads(out.stdout)["portfolio"]["npv"] == expected.npv
