"""The formulas npv-calc writes: the functions they may use, how a formula reads when filled
right or down, shared formulas (a row filled right, as Excel writes it), and the value each
formula cell stores (its cached result).

Formulas are built from :mod:`~.anchors` addresses only; none is ever built from input text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from .anchors import column_number, letter

#: The value a formula shows when it gives Excel's "not available" error (NA()).
NOT_AVAILABLE = "#N/A"
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def name_id(project_id: str) -> str:
    """A project id as used in defined names: every character outside A-Za-z0-9_ becomes _."""
    return _NAME_UNSAFE.sub("_", project_id)


def year_label(before: str, cell: str, after: str = "") -> str:
    """A formula for a label that names the financial year in ``cell`` (2023 reads 2023/24),
    so that the label follows when the year is edited."""
    tail = f'&"{after}"' if after else ""
    return f'="{before}"&{cell}&"/"&TEXT(MOD({cell}+1,100),"00"){tail}'


#: The spreadsheet functions npv-calc's formulas use: all in Excel since 2007, none of them one
#: that XlsxWriter must rename (``_xlfn.``), which tests/test_workbook.py checks.
FUNCTIONS = frozenset(
    {
        "ABS",
        "AND",
        "COUNT",
        "COUNTIFS",
        "EXACT",
        "EXP",
        "IF",
        "IFERROR",
        "INDEX",
        "IRR",
        "ISNUMBER",
        "LN",
        "LOOKUP",
        "MATCH",
        "MAX",
        "MIN",
        "MOD",
        "N",
        "NA",
        "OR",
        "SIGN",
        "SUM",
        "SUMIFS",
        "SUMPRODUCT",
        "TEXT",
        "VLOOKUP",
    }
)


#: A cell reference in a formula (not part of a defined name or function): its column and row,
#: each with or without the $ that fixes it.
_CELL_REF = re.compile(r"(?<![A-Za-z0-9_.'])(\$?)([A-Z]{1,3})(\$?)([0-9]+)(?![A-Za-z0-9_('!])")
#: Marks a formula that XlsxWriter is to write as part of a shared formula (see
#: :func:`worksheet_class`): ``<mark>si|ref|formula`` for the first cell, ``<mark>si`` for
#: the others.
_SHARED = "\x00"


def shift_formula(formula: str, columns: int = 0, rows: int = 0) -> str:
    """``formula`` as it reads when copied ``columns`` columns to the right and ``rows`` rows
    down: every relative reference moves, ``$`` ones stay (what a spreadsheet's shared formula
    does)."""

    def move(match: re.Match[str]) -> str:
        fixed, column, row_fixed, row = match.groups()
        if not fixed:
            column = letter(column_number(column) + columns)
        if not row_fixed:
            row = str(int(row) + rows)
        return f"{fixed}{column}{row_fixed}{row}"

    # Text in quotes is not a reference, nor is a quoted sheet name ('P1'!A1).
    parts = formula.split('"')
    return '"'.join(
        _CELL_REF.sub(move, part) if i % 2 == 0 else part for i, part in enumerate(parts)
    )


def worksheet_class() -> type:
    """XlsxWriter's worksheet with two changes, both for writing large workbooks quickly and
    small:

    * no formula rewriting: XlsxWriter tries some 30 patterns on every formula (newer functions
      that need an ``_xlfn.`` prefix), which took half the time of writing a workbook, and
      npv-calc's formulas use none of them (:data:`FUNCTIONS`);
    * shared formulas (ECMA-376 Part 1, 18.3.1.40: ``<f t="shared">``), as Excel itself writes
      a row of formulas that differ only by their column: the first cell holds the formula and
      the range, the others refer to it (:meth:`~.cells.Sheet.formula_fill`)."""
    global _WORKSHEET
    if _WORKSHEET is None:
        from xlsxwriter.worksheet import Worksheet

        class PlainFormulas(Worksheet):
            def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
                return formula[1:] if formula.startswith("=") else formula

            def _xml_formula_element(
                self, formula: str, result: object, attributes: Sequence[tuple[str, object]] = ()
            ) -> None:
                if not formula.startswith(_SHARED):
                    super()._xml_formula_element(formula, result, attributes)
                    return
                attr = "".join(f' {k}="{self._escape_attributes(v)}"' for k, v in attributes)
                index, _, rest = formula[1:].partition("|")
                if rest:
                    ref, _, text = rest.partition("|")
                    f = f'<f t="shared" ref="{ref}" si="{index}">{self._escape_data(text)}</f>'
                else:
                    f = f'<f t="shared" si="{index}"/>'
                self.fh.write(f"<c{attr}>{f}<v>{self._escape_data(result)}</v></c>")

        _WORKSHEET = PlainFormulas
    return _WORKSHEET


_WORKSHEET: type | None = None


def workbook_class() -> type:
    """XlsxWriter's workbook, checking a new sheet's name against a set of the names so far.
    Its own check compares the name with every sheet already added, which grows with the square
    of the number of sheets (a second at 2,000 projects); its other checks (length, characters,
    apostrophes) are kept as they are."""
    global _WORKBOOK
    if _WORKBOOK is None:
        from xlsxwriter.exceptions import DuplicateWorksheetName
        from xlsxwriter.workbook import Workbook

        class NamesInASet(Workbook):
            def _check_sheetname(self, sheetname: str, is_chartsheet: bool = False) -> str:
                taken: set[str] = self.__dict__.setdefault("_npv_calc_names", set())
                if sheetname and sheetname.lower() in taken:
                    raise DuplicateWorksheetName(
                        f"Sheetname '{sheetname}', with case ignored, is already in use."
                    )
                # XlsxWriter's own checks, against no sheets: the set above has done that part.
                state: dict[str, Any] = self.__dict__
                sheets, state["worksheets_objs"] = state["worksheets_objs"], []
                try:
                    name: str = super()._check_sheetname(sheetname, is_chartsheet)
                finally:
                    state["worksheets_objs"] = sheets
                taken.add(name.lower())
                return name

        _WORKBOOK = NamesInASet
    return _WORKBOOK


_WORKBOOK: type | None = None


#: Significant digits of a stored value that is not money: a recalculation may differ from it by
#: 1e-9 relative (SPEC.md); twelve digits keep it a thousand times inside that.
DIGITS = 12


def stored(value: float, money: bool) -> float:
    """The value a formula cell stores: money to the penny (a recalculation may differ by
    £0.01), any other number to :data:`DIGITS` significant digits. Trailing digits below those
    carry no information a reader can see, and storing them made the file a twentieth larger."""
    if money:
        return round(value, 2) + 0.0  # + 0.0: no "-0" for a small negative amount
    return float(f"{value:.{DIGITS}g}")


def finite(value: float) -> float:
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"a workbook cell cannot hold {number}")
    return number


#: A sheet title a spreadsheet could read as a cell's name (``E6``, ``ab12``).
CELL_NAME = re.compile(r"[A-Za-z]{1,3}[0-9]+")
#: A text in a formula (``"..."``, with ``""`` for a quote inside it).
_TEXT = re.compile(r'("(?:[^"]|"")*")')
#: A cell that starts a range (``E6`` in ``SUM(E6:E7)``), not part of a longer name, not on a
#: named sheet and not already anchored.
_RANGE_START = re.compile(r"(?<![A-Za-z0-9_$!.'])([A-Za-z]{1,3}[0-9]+)(?=:)")


def clear_of_sheets(formula: str, titles: frozenset[str]) -> str:
    """``formula`` with each range that starts at a cell whose name is also a sheet's title
    (``titles``, in lower case) anchored at its column: ``SUM($E6:E7)`` for ``SUM(E6:E7)`` in a
    workbook with a sheet E6 (a project's id).

    The same cells and the same value; but Gnumeric reads ``E6:E7`` after a sheet called E6 as
    the start of a reference across sheets (``E6:E7!A1``) and gives an error. Texts in the
    formula are left as they are.
    """
    if not titles:
        return formula
    parts = _TEXT.split(formula)
    for i in range(0, len(parts), 2):  # the even parts are outside texts
        parts[i] = _RANGE_START.sub(
            lambda m: "$" + m.group(1) if m.group(1).lower() in titles else m.group(1), parts[i]
        )
    return "".join(parts)
