"""Build ``templates/xlsx/scenario-input.xlsx``, the Excel input template.

    python templates/xlsx/build_input_template.py [OUTPUT]

The sheets and columns come from ``npv_calc.load.workbook_layout`` (the same definitions the
reader uses), the look of the board workbook (``board.toml``) as named styles. Each sheet
has a title, a line of guidance, a header row, and drop-down lists where a column or a setting
takes one of a few values (agency, kind, status, cashable, confidence grade, value type, optimism
bias type, discount schedule, an impact's direction and materiality). ``npv-calc export`` fills a
copy of it; ``npv-calc run``/``import`` read a filled copy.

Rebuild it after changing the columns, and commit both.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties

from npv_calc import params
from npv_calc.load.workbook_layout import (
    FIRST_ROW,
    HEADER_ROW,
    LINE_SHEETS,
    PORTFOLIO_CHOICES,
    PORTFOLIO_NOTES,
    PORTFOLIO_ROWS,
    TABLE_SHEETS,
    TEMPLATE_ROWS,
    TEMPLATE_YEARS,
    Column,
    year_header,
)

# Colours: a navy title band, pale blue headers, and the finance convention of blue text on pale
# yellow for the cells a reader may change.
NAVY = "1F3864"
PALE_BLUE = "D9E1F2"
INPUT_FILL = "FFF2CC"
INPUT_FONT = "0000CC"
GREY = "595959"
FONT = "Arial"
MONEY = '"£"#,##0;[Red]-"£"#,##0'
MONEY_PENCE = '"£"#,##0.00;[Red]-"£"#,##0.00'
PERCENT = "0.0%"
PERCENT_FINE = "0.00%"
FACTOR = "0.000000"
RATIO = "0.00"
YEAR = "0"

thin = Side(style="thin", color="A6A6A6")
BOX = Border(left=thin, right=thin, top=thin, bottom=thin)
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)


def named_styles() -> list[NamedStyle]:
    """Every style the workbook writer uses, by name (``npv <role>``)."""

    def style(name: str, **kwargs) -> NamedStyle:
        kwargs.setdefault("font", Font(name=FONT, size=10))
        kwargs.setdefault("protection", LOCKED)
        return NamedStyle(name=f"npv {name}", **kwargs)

    input_look = {
        "font": Font(name=FONT, size=10, color=INPUT_FONT),
        "fill": PatternFill("solid", fgColor=INPUT_FILL),
        "border": BOX,
        "protection": UNLOCKED,
    }
    return [
        style(
            "title",
            font=Font(name=FONT, size=16, bold=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=NAVY),
            alignment=Alignment(vertical="center"),
        ),
        style(
            "subtitle",
            font=Font(name=FONT, size=10, italic=True, color="FFFFFF"),
            fill=PatternFill("solid", fgColor=NAVY),
            alignment=Alignment(vertical="center"),
        ),
        style("section", font=Font(name=FONT, size=12, bold=True, color=NAVY)),
        style(
            "header",
            font=Font(name=FONT, size=10, bold=True, color=NAVY),
            fill=PatternFill("solid", fgColor=PALE_BLUE),
            border=BOX,
            alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        ),
        style("label", font=Font(name=FONT, size=10, bold=True)),
        style("text", alignment=Alignment(vertical="top")),
        style("wrap", alignment=Alignment(wrap_text=True, vertical="top")),
        style("note", font=Font(name=FONT, size=9, italic=True, color=GREY)),
        style(
            "wrap note",
            font=Font(name=FONT, size=9, italic=True, color=GREY),
            alignment=Alignment(wrap_text=True, vertical="top"),
        ),
        style("money", number_format=MONEY),
        style("money pence", number_format=MONEY_PENCE),
        style(
            "money total",
            number_format=MONEY,
            font=Font(name=FONT, size=10, bold=True),
            border=Border(top=Side(style="thin"), bottom=Side(style="double")),
        ),
        style("money key", number_format=MONEY, font=Font(name=FONT, size=12, bold=True)),
        style("percent", number_format=PERCENT),
        style("probability", number_format="0.00%"),
        style("factor", number_format=FACTOR),
        style("ratio", number_format=RATIO, alignment=Alignment(horizontal="right")),
        style("year", number_format=YEAR, alignment=Alignment(horizontal="center")),
        style("count", number_format="#,##0"),
        style("centre", alignment=Alignment(horizontal="center")),
        style(
            "status",
            font=Font(name=FONT, size=12, bold=True),
            alignment=Alignment(horizontal="center"),
            border=BOX,
        ),
        style("input money", number_format=MONEY, **input_look),
        style("input number", number_format="#,##0.00", **input_look),
        style("input percent", number_format=PERCENT_FINE, **input_look),
        style("input index", number_format="0.0000", **input_look),
        style("input year", number_format=YEAR, **input_look),
        style("input text", **input_look),
    ]


HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "scenario-input.xlsx"

FORMATS = {
    "share": "0.00%",
    "money": '"£"#,##0.00',
    "year": "0",
    "number": "#,##0.####",
}

GUIDANCE = {
    "Portfolio": "One value per setting in column B. Shares as percentages (3.5%). Leave a "
    "setting empty for npv-calc's default.",
    "Projects": "One row per project. ID: a letter, then letters, digits, _ or -. Own settings: "
    "leave empty to use the Portfolio sheet's (own discount rate or own schedule, not both). "
    "File: the TOML file import writes (optional).",
    "Costs": "One row per cost line. Give Annual £ (each year from First to Last year, growing by "
    "Growth) or amounts in the Year 0, Year 1... columns - not both. Low/high: the range of an "
    "uncertain value; leave them empty for a fixed value. Optimism bias or Optimism bias type, "
    "not both.",
    "Benefits": "One row per benefit line. Give Annual £, or Quantity and Unit value £ (a unit "
    "value may be ref:<key> from the Unit costs sheet), or yearly amounts. Shares as "
    "percentages. Confidence grade or Optimism bias, not both. Value type: fiscal, economic or "
    "social (a cashable line is fiscal).",
    "Scenarios": "Named what-ifs: settings to change for every project, and project IDs to "
    "leave out (comma-separated).",
    "Grades": "Benefit optimism bias by evidence confidence grade (1 = strongest evidence).",
    "Deflators": "GDP deflator index by financial year, to rebase amounts given in another "
    "year's prices (Price year column).",
    "Risks": "Optional: a row per risk of a project's register, a cost that arises only if the "
    "risk happens: its probability, its impact each year of First to Last year (Year 0 and 0 "
    "when empty), and who pays. Appraised at probability x impact; drawn as an event in Monte "
    "Carlo.",
    "Correlation": "Optional: rank correlations for Monte Carlo. A row with a Group and a Rank "
    "correlation (With group empty) declares a group; a row with both groups gives the "
    "correlation between them. Lines name their values' groups in their Correlation groups "
    "column.",
    "Outturn": "Optional: the outturn recorded, a row per line and financial year (2023 for "
    "2023/24): the gross amount in the line's prices, as Year columns would hold it. It "
    "replaces the forecast in that year. Set 'Outturn recorded up to' on the Portfolio sheet.",
    "Impacts": "Optional: the impacts of a project the figures leave out (non-monetised), a row "
    "each: which way it points (positive or negative), how much it matters (low, medium or high) "
    "and a description. They go into the economic case (npv-calc case).",
    "Options": "Optional: a project's shortlist against business as usual, an option a row "
    "(role bau, do-minimum or option; Includes: another option whose rows come first). An "
    "option's costs, benefits, risks and impacts are rows of their sheets whose Project ID is "
    "PROJECT/OPTION, e.g. JCR/merge; name the preferred option on the Projects sheet.",
    "Agencies": "Optional: the agencies lines and partners may name, one per row. When any "
    "are listed, every other agency name is an error (an empty agency cell is Unallocated).",
    "Unit costs": "The unit-cost library shipped with npv-calc: use a key as a unit value, e.g. "
    "ref:crime.arson. Values are in their own price year and are rebased with the deflators.",
}

HOW_TO = [
    "How to use this workbook",
    "",
    "1. Fill in the Portfolio sheet: name, target, target year and the appraisal settings.",
    "2. Add a row per project on Projects, then a row per cost and benefit line on Costs and "
    "Benefits, each with its project's ID.",
    "3. Yellow header cells mark the columns; drop-down lists offer the allowed values. "
    "Percentages are shares (25% = 0.25).",
    "4. For an uncertain value, fill in its low and high columns as well as the central one.",
    "5. Check and appraise it:   npv-calc validate input.xlsx   and   npv-calc run input.xlsx",
    "   Every problem is reported with its sheet and cell, e.g. Benefits!F7.",
    "6. To keep the scenario in text files a reviewer can diff:   npv-calc import input.xlsx "
    "--to scenarios/",
    "   and back again:   npv-calc export scenarios/ --to input.xlsx",
    "",
    "Only .xlsx files are read (no macros). See docs/input-template.md.",
]


def _title(ws, title: str, guidance: str, width: int) -> None:
    for column in range(1, width + 1):
        ws.cell(row=1, column=column).style = "npv title"
        ws.cell(row=2, column=column).style = "npv subtitle"
    ws["A1"] = title
    ws["A2"] = guidance
    ws.row_dimensions[1].height = 28
    ws.sheet_view.showGridLines = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _table(ws, columns: list[Column], years: int = 0) -> None:
    headers = [c.header for c in columns] + [year_header(t) for t in range(years)]
    _title(ws, ws.title, GUIDANCE[ws.title], len(headers))
    for number, header in enumerate(headers, start=1):
        cell = ws.cell(row=HEADER_ROW, column=number, value=header)
        cell.style = "npv header"
        letter = get_column_letter(number)
        column = columns[number - 1] if number <= len(columns) else None
        ws.column_dimensions[letter].width = column.width if column else 11
        kind = column.kind if column else "money"
        if kind in FORMATS:
            ws.column_dimensions[letter].number_format = FORMATS[kind]
        if column and column.note:
            ws.cell(row=HEADER_ROW - 1, column=number, value=column.note).style = "npv note"
        if column and column.choices:
            # A hard stop where npv-calc accepts no other value; a warning where the workbook
            # may add its own (agencies on the Agencies sheet, grades on the Grades sheet).
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(column.choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop" if column.strict else "warning",
                errorTitle=column.header,
                error=f"Choose one of: {', '.join(column.choices)}",
            )
            ws.add_data_validation(rule)
            rule.add(f"{letter}{FIRST_ROW}:{letter}{FIRST_ROW + TEMPLATE_ROWS - 1}")
    ws.row_dimensions[HEADER_ROW].height = 32
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=3 if ws.title in ("Costs", "Benefits") else 2)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _guidance(wb) -> None:
    guidance = wb.active
    guidance.title = "Guidance"
    _title(
        guidance,
        "npv-calc scenario input",
        "A workbook version of a scenario directory (portfolio.toml and a file per project).",
        8,
    )
    guidance.column_dimensions["A"].width = 120
    for number, text in enumerate(HOW_TO, start=4):
        guidance.cell(row=number, column=1, value=text).style = (
            "npv section" if number == 4 else "npv text"
        )


#: The style of a Portfolio sheet value by its kind (text for the others).
INPUT_STYLES = {"share": "npv input percent", "money": "npv input money", "year": "npv input year"}


def _portfolio(wb) -> None:
    """The Portfolio sheet: a row per setting, a drop-down where it takes one of a few values."""
    ws = wb.create_sheet("Portfolio")
    _title(ws, "Portfolio", GUIDANCE["Portfolio"], 3)
    for number, header in enumerate(("Setting", "Value", "Notes"), start=1):
        ws.cell(row=HEADER_ROW, column=number, value=header).style = "npv header"
    flags = DataValidation(
        type="list",
        formula1='"TRUE,FALSE"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="TRUE or FALSE",
        error="Choose TRUE or FALSE",
    )
    ws.add_data_validation(flags)
    for number, (_, key, label, kind) in enumerate(PORTFOLIO_ROWS, start=FIRST_ROW):
        ws.cell(row=number, column=1, value=label).style = "npv label"
        value = ws.cell(row=number, column=2)
        value.style = INPUT_STYLES.get(kind, "npv input text")
        ws.cell(row=number, column=3, value=PORTFOLIO_NOTES.get(key, "")).style = "npv note"
        if kind == "bool":
            flags.add(value.coordinate)
        if key in PORTFOLIO_CHOICES:
            choices = PORTFOLIO_CHOICES[key]
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Discount schedule",  # Excel allows 32 characters
                error=f"Choose one of: {', '.join(choices)}",
            )
            ws.add_data_validation(rule)
            rule.add(value.coordinate)
    ws.column_dimensions["A"].width = 44
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 60


def _unit_costs(wb) -> None:
    """The Unit costs sheet: the library a unit value may name as ref:<key>."""
    ws = wb.create_sheet("Unit costs")
    headers = ["Key (use as ref:<key>)", "Value £", "Per", "Price year", "Description", "Source"]
    _title(ws, "Unit costs", GUIDANCE["Unit costs"], len(headers))
    for number, header in enumerate(headers, start=1):
        ws.cell(row=HEADER_ROW, column=number, value=header).style = "npv header"
    for number, cost in enumerate(params.unit_costs().values(), start=FIRST_ROW):
        for column, value in enumerate(
            (cost.key, cost.value, cost.unit, cost.price_year, cost.description, cost.source),
            start=1,
        ):
            ws.cell(row=number, column=column, value=value).style = "npv text"
        ws.cell(row=number, column=2).number_format = FORMATS["money"]
    for letter, width in zip("ABCDEF", (30, 12, 12, 10, 50, 90), strict=True):
        ws.column_dimensions[letter].width = width


def build(output: Path = OUTPUT) -> Path:
    wb = Workbook()
    for style in named_styles():
        wb.add_named_style(style)
    _guidance(wb)
    _portfolio(wb)
    line_sheets = [sheet for sheet, _ in LINE_SHEETS.values()]
    for title, columns in TABLE_SHEETS.items():
        _table(wb.create_sheet(title), list(columns), TEMPLATE_YEARS if title in line_sheets else 0)
    _unit_costs(wb)
    wb.properties.title = "npv-calc scenario input template"
    wb.properties.creator = "npv-calc"
    output.parent.mkdir(parents=True, exist_ok=True)
    wb.save(output)
    return output


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
