"""Every workbook npv-calc writes, checked against the OOXML schema by a validator
(openxml-audit, which models the Open XML SDK's validator and Excel's repair rules).

The board workbooks (XlsxWriter) must have no finding at all. The input template and the
workbooks ``export`` writes (openpyxl) have two kinds of finding that ECMA-376 shows to be
valid; they are listed here with that reference, so that any other finding fails the test:

* **a font's child elements in openpyxl's order** ("Unexpected element 'b' found" in
  ``/xl/styles.xml``). ECMA-376 Part 1, 18.8.22 (font) and Annex A (``sml.xsd``) define
  ``CT_Font`` as ``<xsd:choice maxOccurs="unbounded">`` of its child elements: any order is
  valid. The SDK's schema data models it as a sequence, hence the finding.
* **inline strings** (``<c t="inlineStr">``, a warning): ECMA-376 Part 1, 18.18.11 ST_CellType
  lists ``inlineStr`` and 18.3.1.53 defines ``is`` (rich text inline). Excel opens them and moves
  them to its shared strings table when it next saves; nothing is repaired.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from click.testing import CliRunner
from openxml_audit import OpenXmlValidator

from npv_calc.cli import cli
from npv_calc.load.workbook_layout import default_template

from .conftest import EXAMPLE

FONT_ORDER = "Unexpected element '{}' found"
FONT_CHILDREN = ("b", "i", "color", "sz", "name", "u", "strike", "family", "charset", "scheme")


@functools.cache  # two tests read the export's findings; a validation takes a second or two
def findings(path: Path) -> list[tuple[str, str, str]]:
    """(part, id or description, path in the part) of every finding, errors and warnings."""
    result = OpenXmlValidator(max_errors=0).validate(str(path))
    return [(e.part_uri or "", e.id or e.description, e.path or "") for e in result.errors]


def unexplained(found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The findings that are not one of the two kinds ECMA-376 shows to be valid."""
    return [
        (part, what, where)
        for part, what, where in found
        if not (
            part == "/xl/styles.xml"
            and where.startswith("/styleSheet[1]/fonts[1]/font[")
            and what in {FONT_ORDER.format(child) for child in FONT_CHILDREN}
        )
        and what != "Excel_InlineStrCells"
    ]


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> dict[str, Path]:
    """A workbook of each kind npv-calc writes."""
    folder = tmp_path_factory.mktemp("ooxml")
    runner = CliRunner()
    commands = {
        "board": ["run", str(EXAMPLE), "--xlsx", str(folder / "board.xlsx")],
        "board, pessimistic": [
            "run",
            str(EXAMPLE),
            "--scenario",
            "pessimistic",
            "--xlsx",
            str(folder / "pessimistic.xlsx"),
        ],
        "monte carlo": [
            "simulate",
            str(EXAMPLE),
            "-n",
            "2000",
            "--seed",
            "1",
            "--xlsx",
            str(folder / "mc.xlsx"),
        ],
        "export": ["export", str(EXAMPLE), "--to", str(folder / "input.xlsx")],
    }
    paths = {}
    for kind, args in commands.items():
        out = runner.invoke(cli, args)
        assert out.exit_code == 0, out.output
        paths[kind] = Path(args[-1])
    paths["input template"] = default_template()
    return paths


@pytest.mark.parametrize("kind", ["board", "board, pessimistic", "monte carlo"])
def test_board_workbooks_have_no_finding(written, kind):
    assert findings(written[kind]) == []


@pytest.mark.parametrize("kind", ["export", "input template"])
def test_input_workbooks_have_only_the_findings_ecma_376_allows(written, kind):
    found = findings(written[kind])
    assert unexplained(found) == []


def test_the_explained_findings_are_still_recognised(written):
    """The two kinds of expected finding really occur (so the filter above is not stale)."""
    found = findings(written["export"])
    kinds = {what for _, what, _ in found}
    assert "Excel_InlineStrCells" in kinds
    assert any(what.startswith("Unexpected element") for what in kinds)
