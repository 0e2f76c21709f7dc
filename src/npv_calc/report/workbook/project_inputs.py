"""The inputs table of a project's sheet: a column per line (and per risk), each input a cell
(yellow where it comes from the scenario files), the rebasing, the adjustment factor and the
outturn factor as formulas of them, and the line's present value."""

from __future__ import annotations

from ... import params
from ...model import UNSPECIFIED, VALUE_TYPES, Line, Risk
from ...results.appraisal import LineResult, ProjectResult
from .anchors import at
from .cells import Book, Sheet
from .project_layout import FIRST, INPUT_ROWS, ProjectLayout

#: The choices of a benefit's value type cell.
VALUE_TYPE_CHOICES = (*VALUE_TYPES, UNSPECIFIED)
#: The inputs a risk has none of.
NOT_RISKS = (
    "kind",
    "cashable",
    "value_type",
    "quantity",
    "unit_value",
    "growth",
    "drop_off",
    "deadweight",
    "displacement",
    "attribution",
    "grade",
    "ob_type",
    "optimism_bias",
    "scale",
)
#: The inputs a line may leave empty ("–").
OPTIONAL = (
    "probability",
    "impact",
    "quantity",
    "unit_value",
    "annual",
    "first",
    "last",
    "growth",
    "drop_off",
    "deadweight",
    "displacement",
    "attribution",
    "grade",
    "ob_type",
)


def money_style(value: float, input_cell: bool = True) -> str:
    """Whole pounds, or pounds and pence when the amount has pence (a unit value of £36.51
    shown as £37 beside a total cannot be followed)."""
    pence = abs(value - round(value)) > 1e-9
    return ("input " if input_cell else "") + ("money pence" if pence else "money")


def count_style(value: float) -> str:
    """A whole quantity without decimals, a fractional one with two."""
    return "input count" if abs(value - round(value)) <= 1e-9 else "input number"


class _Column:
    """One line's column of the inputs table."""

    def __init__(self, sheet: Sheet, layout: ProjectLayout, column: int, result: LineResult):
        self.sheet, self.layout, self.column, self.result = sheet, layout, column, result
        self.rows = layout.rows

    def ref(self, field: str) -> str:
        """The address of one of this column's inputs (``D34``)."""
        return at(self.rows[field], self.column)

    def text(self, field: str, value: str, style: str = "centre") -> None:
        self.sheet.text(self.rows[field], self.column, value, style)

    def number(self, field: str, value: float | None, style: str) -> None:
        self.sheet.number(self.rows[field], self.column, value, style)

    def formula(self, field: str, formula: str, value: object, style: str) -> None:
        self.sheet.formula(self.rows[field], self.column, formula, value, style)

    def price(self) -> None:
        """The price year and the rebasing factor to the price base year."""
        line, trace = self.result.line, self.result.trace
        if line.price_year is not None:
            year, base = self.ref("price_year"), self.layout.setting("price_base_year")
            self.number("price_year", line.price_year, "input year")
            self.formula(
                "price_factor",
                f"=IF({year}={base},1,INDEX(DeflatorIndex,MATCH({base},DeflatorYear,0))/"
                f"INDEX(DeflatorIndex,MATCH({year},DeflatorYear,0)))",
                trace.price_factor,
                "factor",
            )
        else:
            self.text("price_year", "–")
            self.number("price_factor", 1.0, "factor")


def inputs(book: Book, sheet: Sheet, result: ProjectResult, layout: ProjectLayout) -> None:
    """The inputs table: a header of the lines' names, then a row per input."""
    sheet.text(layout.inputs_title, 1, "Inputs (a column per line)", "section")
    sheet.note(
        layout.inputs_title,
        FIRST,
        layout.last_column,
        f"Yellow cells are inputs from the scenario files ({book.pack.result.scenario} "
        "scenario values); the others are formulas.",
    )
    sheet.text(layout.header, 1, "Line", "header")
    sheet.text(layout.header, 2, "", "header")
    for name, row in layout.rows.items():
        label, unit = INPUT_ROWS[name]
        sheet.text(row, 1, label, "label")
        sheet.text(row, 2, unit, "note")
    tallest = 1
    for column, lr in enumerate(result.all_lines, start=FIRST):
        tallest = max(tallest, sheet.wrapped(layout.header, column, lr.line.name, "header"))
        cell = _Column(sheet, layout, column, lr)
        if isinstance(lr.line, Risk):
            _risk_column(cell, lr.line)
        else:
            _line_column(cell, lr.line, book.pack.result.mode == "central")
    sheet.height(layout.header, max(30, 13 * min(tallest, 8) + 4))


def _risk_column(cell: _Column, risk: Risk) -> None:
    """A risk's column: its expected cost a year is probability x impact, rebased, in the
    years of ``years``; it adds to the project's costs."""
    trace = cell.result.trace
    impact = trace.inputs["impact"]
    cell.text("type", "Risk")
    cell.text("agency", risk.agency)
    cell.text("form", "Probability × impact", "centre wrap")
    cell.sheet.fit(cell.rows["form"], 2)
    cell.number("probability", risk.probability, "input percent")
    cell.number("impact", impact, money_style(impact))
    cell.formula(
        "annual", f"={cell.ref('probability')}*{cell.ref('impact')}", trace.annual, "money"
    )
    cell.number("first", risk.years[0], "input year")
    cell.number("last", risk.years[1], "input year")
    for field in NOT_RISKS:
        cell.text(field, "–")
    cell.price()
    cell.formula("adjustment", f"={cell.ref('price_factor')}", trace.factor, "factor")
    cell.text("outturn_factor", "–")


def _line_column(cell: _Column, line: Line, central_inputs: bool) -> None:
    """A cost's or a benefit's column."""
    _kind(cell, line)
    written = _amount(cell, line)
    if line.section == "benefits":
        for field in ("deadweight", "displacement", "attribution"):
            cell.number(field, cell.result.trace.inputs[field], "input percent")
            written.add(field)
        if line.confidence is not None:
            cell.number("grade", line.confidence, "input year")
            written.add("grade")
    written |= _optimism_bias(cell, line)
    scale = cell.result.trace.inputs["scale"]
    cell.number("scale", scale, count_style(scale))
    for field in OPTIONAL:
        if field not in written:
            cell.text(field, "–")
    cell.price()
    _factors(cell, line, central_inputs)


def _kind(cell: _Column, line: Line) -> None:
    """What the line is: cost or benefit, its agency, kind, whether cashable, value type."""
    cost = line.section == "costs"
    cell.text("type", "Cost" if cost else "Benefit")
    cell.text("agency", line.agency)
    cell.text("kind", line.kind if cost else "–")  # type: ignore[arg-type]
    cell.text("cashable", "–" if cost else ("Yes" if line.cashable else "No"))
    if cost:
        cell.text("value_type", "–")
    elif line.value_type is not None:
        cell.text("value_type", line.value_type, "input text")
        cell.sheet.choices(cell.rows["value_type"], cell.column, VALUE_TYPE_CHOICES)
    else:  # a cashable saving is fiscal; a line that gives no type is unspecified
        cell.formula(
            "value_type",
            f'=IF({cell.ref("cashable")}="Yes","fiscal","{UNSPECIFIED}")',
            line.value_kind,
            "centre",
        )


def _amount(cell: _Column, line: Line) -> set[str]:
    """How the amount is given (yearly amounts, annual, or quantity x unit value), its years
    and its growth; returns the inputs written."""
    trace = cell.result.trace
    values = trace.inputs
    written: set[str] = set()
    if line.amounts is not None:
        cell.text("form", "Yearly amounts")
        return written
    first, last = line.years if line.years is not None else (0, cell.layout.horizon - 1)
    if line.annual is not None:
        cell.text("form", "Annual")
        cell.number("annual", values["annual"], money_style(values["annual"]))
    else:
        cell.text("form", "Quantity × value")
        quantity, unit = values["quantity"], values["unit_value"]
        cell.number("quantity", quantity, count_style(quantity))
        cell.number("unit_value", unit, money_style(unit))
        annual = trace.annual or 0.0
        cell.formula(
            "annual",
            f"={cell.ref('quantity')}*{cell.ref('unit_value')}",
            annual,
            money_style(annual, input_cell=False),
        )
        written |= {"quantity", "unit_value"}
    cell.number("first", first, "input year")
    cell.number("last", last, "input year")
    cell.number("growth", values["growth"], "input percent")
    written |= {"annual", "first", "last", "growth"}
    if line.section == "benefits":
        cell.number("drop_off", values["drop_off"], "input percent")
        written.add("drop_off")
    return written


def _optimism_bias(cell: _Column, line: Line) -> set[str]:
    """The line's optimism bias: its own, its project type's (a formula of the bounds on
    Assumptions and the mitigation), its grade's, or none; returns the inputs written."""
    ob = cell.result.trace.inputs["optimism_bias"]
    written = {"optimism_bias"}
    if line.ob_type is not None:
        row = cell.rows["ob_type"]
        cell.sheet.fit(row, cell.sheet.wrapped(row, cell.column, line.ob_type, "input wrap"))
        cell.sheet.choices(row, cell.column, tuple(params.optimism_bias_types()))
        written.add("ob_type")
    if line.optimism_bias is not None:
        cell.number("optimism_bias", ob, "input percent")
    elif line.ob_type is not None:
        # the type's upper bound reduced by the mitigation, never below its lower bound
        kind = cell.ref("ob_type")
        mitigation = cell.layout.setting("ob_mitigation")
        cell.formula(
            "optimism_bias",
            f"=MAX(INDEX(ObLower,MATCH({kind},ObType,0)),"
            f"INDEX(ObUpper,MATCH({kind},ObType,0))*(1-{mitigation}))",
            ob,
            "percent",
        )
    elif line.confidence is not None:
        cell.formula(
            "optimism_bias", f"=VLOOKUP({cell.ref('grade')},GradeTable,2,FALSE)", ob, "percent"
        )
    else:
        cell.number("optimism_bias", 0.0, "input percent")
    return written


def _factors(cell: _Column, line: Line, central_inputs: bool) -> None:
    """The adjustment factor and the outturn factor, as formulas of the inputs above."""
    trace = cell.result.trace
    ref = cell.ref
    scale, bias, pf = ref("scale"), ref("optimism_bias"), ref("price_factor")
    if line.section == "costs":
        formula = f"={scale}*(1+{bias})*{pf}"
    else:
        formula = (
            f"={scale}*(1-{ref('deadweight')})*(1-{ref('displacement')})*"
            f"{ref('attribution')}*(1-{bias})*{pf}"
        )
    cell.formula("adjustment", formula, trace.factor, "factor")
    # Outturn (the years with actuals, in green in the flows) is rebased and, for a benefit,
    # takes the share the project caused, at the central values; no optimism bias, scale,
    # growth or drop-off (it is not a forecast).
    if line.section == "costs":
        formula = f"={pf}"
    elif central_inputs:
        formula = f"=(1-{ref('deadweight')})*(1-{ref('displacement')})*{ref('attribution')}*{pf}"
    else:  # the inputs above hold the scenario's values; outturn takes the central ones
        formula = f"={trace.outturn_share!r}*{pf}"
    cell.formula("outturn_factor", formula, trace.outturn_factor, "factor")
