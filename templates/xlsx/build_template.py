"""Build ``templates/xlsx/board.xlsx``, the template the board workbook starts from.

    python templates/xlsx/build_template.py [OUTPUT]

The template carries the look of the workbook so that it can be reviewed (and restyled) on its
own: the named cell styles, the title band, the header and footer with the protective marking
placeholder ``{marking}``, A4 landscape page set-up, repeated title rows and frozen panes, on four
prototype sheets (``Summary``, ``Assumptions``, ``Project``, ``Audit``). ``npv-calc run --xlsx``
opens it, fills the sheets (copying ``Project`` once per project) and saves the result under a
new name; the template file itself is never written by a run.

Rebuild it after changing this script, and commit both.
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Protection, Side
from openpyxl.worksheet.properties import PageSetupProperties

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "board.xlsx"

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


PROTOTYPES = ("Summary", "Assumptions", "Project", "Audit")


def build(output: Path = OUTPUT) -> Path:
    wb = Workbook()
    for style in named_styles():
        wb.add_named_style(style)
    wb.remove(wb.active)
    for name in PROTOTYPES:
        ws = wb.create_sheet(name)
        ws.sheet_view.showGridLines = False
        ws.sheet_view.zoomScale = 90
        for column in range(1, 27):
            ws.cell(row=1, column=column).style = "npv title"
            ws.cell(row=2, column=column).style = "npv subtitle"
        ws.row_dimensions[1].height = 30
        ws.row_dimensions[2].height = 18
        ws["A1"] = f"{name} (title written by npv-calc)"
        ws["A2"] = "(subtitle written by npv-calc)"
        # Printing: A4 landscape, as wide as one page, title rows on every page.
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.page_margins.top = ws.page_margins.bottom = 0.75
        ws.print_title_rows = "1:2"
        ws.freeze_panes = "A3"
        # The protective marking (e.g. OFFICIAL) heads and foots every printed page.
        ws.oddHeader.center.text = "{marking}"
        ws.oddHeader.center.font = f"{FONT},Bold"
        ws.oddHeader.center.size = 11
        ws.oddFooter.left.text = "&A"
        ws.oddFooter.left.size = 8
        ws.oddFooter.center.text = "{marking}"
        ws.oddFooter.center.font = f"{FONT},Bold"
        ws.oddFooter.center.size = 11
        ws.oddFooter.right.text = "Page &P of &N"
        ws.oddFooter.right.size = 8
    wb["Project"].freeze_panes = "C3"
    wb.properties.title = "npv-calc board workbook template"
    wb.properties.creator = "npv-calc"
    output.parent.mkdir(parents=True, exist_ok=True)
    wb.save(output)
    return output


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT))
