"""The board workbook: an Excel file a board can read and an auditor can recalculate.

Built with openpyxl from ``templates/xlsx/board.xlsx`` (styles, title band, header and footer,
print set-up), which is only ever read. Every step from a line's inputs to the project NPV is a
live formula: gross yearly amounts from the inputs, net amounts as gross x the line's adjustment
factor, discount factors from the discount rate (with the declining bands), present values,
NPV, BCR, payback and IRR. Changing an input cell (yellow) and recalculating gives what npv-calc
gives with the same input.

Layout (see ``docs/workbook.md``): ``Summary``, ``Assumptions``, a sheet per project, ``Audit``.
Defined names (SPEC.md): ``DiscountRate``, ``Target``, ``PortfolioNPV`` and, per project,
``NPV_<ID>``, ``PVCosts_<ID>`` and ``PVBenefits_<ID>``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__, params
from ..calculate import financial_year
from ..errors import InputError, OutputError, Problem, printable, shown_path
from ..model import (
    COUNTS,
    STARTS_AFTER_TARGET_YEAR,
    STATUS_NOT_COUNTED,
    STATUSES,
    Line,
    Portfolio,
    Risk,
)
from ..workbook_io import check_writable, open_template, put, put_text, save_atomically
from .table import settings_line, who_counts
from .workbook_parts import (
    Audit,
    SheetWriter,
    absolute,
    chart_title,
    letter,
    name_id,
    sheet_ref,
)
from .workbook_uncertainty import monte_carlo_sheet, sensitivity_sheet

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from ..calculate import PortfolioResult, ProjectResult
    from ..sensitivity import Sensitivity
    from ..simulate import Simulation

REPO_TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "xlsx" / "board.xlsx"
INSTALLED_TEMPLATE = Path(sys.prefix) / "share" / "npv-calc" / "templates" / "board.xlsx"
PROTOTYPES = ("Summary", "Assumptions", "Project", "Audit")
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
#: A cumulative sum that should be exactly 0 may be a hair below it after rounding.
PAYBACK_TOLERANCE = 1e-6


WorkbookError = OutputError


def default_template() -> Path:
    """The template in the source tree, or the copy installed with the package."""
    return REPO_TEMPLATE if REPO_TEMPLATE.exists() else INSTALLED_TEMPLATE


#: Project settings that follow a cell of the Assumptions sheet unless the project sets its own.
_SETTING_NAMES = {
    "discount_rate": "DiscountRate",
    "declining": "Declining",
    "discount_year0": "DiscountYear0",
    "horizon": "Horizon",
    "price_base_year": "PriceBaseYear",
}
#: The rows of a project sheet's inputs table: label and unit, by field.
_INPUT_ROWS = {
    "type": ("Cost or benefit", ""),
    "agency": ("Agency (pays a cost, receives a benefit)", ""),
    "kind": ("Kind of cost", "revenue/capital"),
    "cashable": ("Cashable benefit", "Yes/No"),
    "form": ("Amount given as", ""),
    "probability": ("Probability the risk happens", "share"),
    "impact": ("Impact a year if it happens", "£ a year"),
    "quantity": ("Quantity a year", "units"),
    "unit_value": ("Unit value", "£ a unit"),
    "annual": ("Annual amount (first year)", "£ a year"),
    "first": ("First year of the line", "t"),
    "last": ("Last year of the line", "t"),
    "growth": ("Real growth a year", "share"),
    "drop_off": ("Drop-off a year", "share"),
    "deadweight": ("Deadweight", "share"),
    "displacement": ("Displacement", "share"),
    "attribution": ("Attribution", "share"),
    "grade": ("Confidence grade", "1-6"),
    "optimism_bias": ("Optimism bias", "share"),
    "scale": ("Scale", "multiplier"),
    "price_year": ("Price year of the amounts", "year"),
    "price_factor": ("Price factor (rebasing)", "index ratio"),
    "adjustment": ("Adjustment factor: net = gross x this", "factor"),
    "pv": ("Present value", "£"),
}


#: The largest project sheet written: a column per line and per year. Each line takes two rows
#: of a column per year, so a sheet's cells grow with lines x years; beyond these a workbook is
#: slow to write and to open, and no board reads it.
MAX_SHEET_LINES = 500
MAX_SHEET_FLOWS = 100_000  # lines x years of one project


def size_problems(portfolio: Portfolio, overrides: dict[str, object]) -> list[Problem]:
    """Projects too large for a board workbook's project sheet (checked before any work)."""
    problems = []
    for project in portfolio.projects:
        lines = len(project.all_lines)
        horizon = int(portfolio.project_settings(project).updated(overrides).horizon)
        if lines > MAX_SHEET_LINES or lines * horizon > MAX_SHEET_FLOWS:
            problems.append(
                Problem(
                    shown_path(project.path),
                    f"has {lines:,} lines over {horizon} years, too many for a board workbook "
                    f"(at most {MAX_SHEET_LINES} lines and {MAX_SHEET_FLOWS:,} lines x years "
                    "per project); the figures need no workbook: use --format json or csv, or "
                    "group lines",
                    field="costs" if project.costs else "benefits",
                )
            )
    return problems


def _check_names(result: PortfolioResult) -> None:
    seen: dict[str, str] = {}
    problems = []
    for project in result.projects:
        key = name_id(project.id).upper()  # defined names are not case-sensitive
        if key in seen:
            problems.append(
                Problem(
                    str(project.project.path),
                    f'"{project.id}" and "{seen[key]}" give the same workbook name '
                    f"NPV_{name_id(project.id)}; rename one of them",
                    field="id",
                )
            )
        seen[key] = project.id
    if problems:
        raise InputError(problems)


def _sheet_titles(result: PortfolioResult) -> dict[str, str]:
    """A sheet title per project id: the id, made unique and kept clear of the fixed sheets."""
    taken = {"summary", "assumptions", "audit", "sensitivity", "monte carlo"}
    titles: dict[str, str] = {}
    for project in result.projects:
        base = _SHEET_UNSAFE.sub("_", project.id)[:28]
        title, n = base, 2
        while title.lower() in taken:
            title, n = f"{base[:26]}_{n}", n + 1
        taken.add(title.lower())
        titles[project.id] = title
    return titles


class _Builder(SheetWriter):
    """Writes every sheet of the board workbook into the template's copy."""

    # -- Assumptions ------------------------------------------------------------------------

    def assumptions(self) -> None:
        ws = self.wb["Assumptions"]
        settings = self.result.settings
        portfolio = self.result.portfolio
        self.title(
            ws,
            "Assumptions",
            "Shared inputs. Yellow cells are inputs: change one and recalculate (F9) to see its "
            "effect on every project.",
        )
        for column, width in zip("ABCD", (44, 16, 16, 70), strict=True):
            ws.column_dimensions[column].width = width
        self.header_row(ws, 4, ["Setting", "Value", "", "Notes"])
        rows = [
            (
                "Discount rate, years 1-30",
                settings.discount_rate,
                "npv input percent",
                "DiscountRate",
                "HM Treasury Green Book Social Time Preference Rate is 3.5%. "
                "Projects that set their own rate keep it.",
            ),
            (
                "Declining schedule after year 30",
                settings.declining,
                "npv input text",
                "Declining",
                "TRUE: the Green Book's lower rates after year 30, scaled to the "
                "rate above (table below).",
            ),
            (
                "Year 0 discounted",
                settings.discount_year0,
                "npv input text",
                "DiscountYear0",
                "FALSE is the Green Book convention (year 0 undiscounted); TRUE matches the "
                "spreadsheet NPV() function.",
            ),
            (
                "Horizon (years)",
                settings.horizon,
                "npv year",
                "Horizon",
                "Fixed when the workbook was written: the year columns follow it. Re-run "
                "npv-calc with --set horizon=N to change it.",
            ),
            (
                "Price base year",
                settings.price_base_year,
                "npv input year",
                "PriceBaseYear",
                "Financial year whose prices all figures are in (2023 = 2023/24). Lines with a "
                "price year are rebased with the deflators below.",
            ),
            (
                "Standard rate for years 0-30 (schedule base)",
                params.standard_rate(),
                "npv percent",
                "STPR",
                "The declining schedule is scaled by discount rate / this rate.",
            ),
        ]
        for i, (label, value, style, name, note) in enumerate(rows, start=5):
            put_text(ws.cell(row=i, column=1), label, "npv label")
            put(ws.cell(row=i, column=2), value, style)
            self.note(ws, i, 4, 4, note)
            self.name(name, ws, absolute(2, i))
        from openpyxl.worksheet.datavalidation import DataValidation

        rate = DataValidation(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="0.2",
            showErrorMessage=True,
            errorTitle="Discount rate",
            error="Enter a rate between 0% and 20%, e.g. 3.5%.",
            showInputMessage=True,
            promptTitle="Discount rate",
            prompt="Green Book STPR is 3.5%. Recalculate (F9) after changing it.",
        )
        flags = DataValidation(type="list", formula1='"TRUE,FALSE"', showErrorMessage=True)
        year = DataValidation(
            type="whole",
            operator="between",
            formula1="1000",
            formula2="9999",
            showErrorMessage=True,
        )
        for dv in (rate, flags, year):
            ws.add_data_validation(dv)
        rate.add("B5")
        flags.add("B6")
        flags.add("B7")
        year.add("B9")

        row = 12
        put_text(ws.cell(row=row, column=1), "Discount schedule (Green Book)", "npv section")
        self.header_row(
            ws, row + 1, ["Band from year", "Band to year", "Standard rate", "Rate used"]
        )
        first = row + 2
        bands = params.discount_bands()
        for i, band in enumerate(bands):
            r = first + i
            put(ws.cell(row=r, column=1), band.first, "npv year")
            if band.last is None:
                put_text(ws.cell(row=r, column=2), "onward", "npv centre")
            else:
                put(ws.cell(row=r, column=2), band.last, "npv year")
            put(ws.cell(row=r, column=3), band.standard, "npv percent")
            put(
                ws.cell(row=r, column=4),
                f"=IF(Declining,DiscountRate*C{r}/STPR,DiscountRate)",
                "npv percent",
            )
        last = first + len(bands) - 1
        self.name("BandFrom", ws, f"{absolute(1, first)}:{absolute(1, last)}")
        self.name("BandStandard", ws, f"{absolute(3, first)}:{absolute(3, last)}")
        self.note(ws, last + 1, 1, 4, params.source("discount_schedule"))

        last = self._pairs(
            ws,
            last + 3,
            "Benefit optimism bias by confidence grade",
            ("Confidence grade", "Reduction of benefits"),
            portfolio.confidence_grades,
            ("npv year", "npv input percent"),
            table="GradeTable",
            note=params.source("confidence_grades"),
        )
        last = self._pairs(
            ws,
            last + 3,
            "GDP deflators (index by financial year)",
            ("Financial year", "Deflator index"),
            portfolio.deflators,
            ("npv input year", "npv input index"),
            columns=("DeflatorYear", "DeflatorIndex"),
            note="From [deflators] in portfolio.toml. A figure in year-p prices is rebased to "
            "the price base year b by multiplying by index(b) / index(p).",
        )
        counted = portfolio.count_statuses
        last = self._pairs(
            ws,
            last + 3,
            "Statuses that count toward the target",
            ("Status", "Counts (Yes/No)"),
            {s: "Yes" if counted is None or s in counted else "No" for s in STATUSES},
            ("npv text", "npv input text"),
            columns=("StatusName", "StatusCounts"),
            note="From [portfolio] count_statuses in portfolio.toml (every status counts when it "
            "is not given). A project counts toward the target when it starts by the target "
            "year and its status counts.",
        )
        self.finish(ws, 4, last, freeze="A5")

    def _pairs(
        self,
        ws: Worksheet,
        row: int,
        title: str,
        headers: tuple[str, str],
        pairs: dict,
        styles: tuple[str, str],
        note: str,
        table: str | None = None,
        columns: tuple[str, str] | None = None,
    ) -> int:
        """A titled two-column table (key, value) named as a whole or by column, with a note
        below; returns the row of the note."""
        put_text(ws.cell(row=row, column=1), title, "npv section")
        self.header_row(ws, row + 1, list(headers))
        first = row + 2
        for i, (key, value) in enumerate(pairs.items()):
            put(ws.cell(row=first + i, column=1), key, styles[0])
            put(ws.cell(row=first + i, column=2), value, styles[1])
        last = first + max(len(pairs), 1) - 1
        if table:
            self.name(table, ws, f"{absolute(1, first)}:{absolute(2, last)}")
        for column, name in enumerate(columns or (), start=1):
            self.name(name, ws, f"{absolute(column, first)}:{absolute(column, last)}")
        self.note(ws, last + 1, 1, 4, note)
        return last + 1

    # -- a project sheet ----------------------------------------------------------------------

    def project_sheet(self, result: ProjectResult) -> Worksheet:
        project = result.project
        prototype = self.wb["Project"]
        ws = self.wb.copy_worksheet(prototype)
        ws.title = self.titles[project.id]
        # copy_worksheet copies cells and page set-up but not these
        ws.oddHeader = prototype.oddHeader
        ws.oddFooter = prototype.oddFooter
        ws.sheet_view.showGridLines = False
        ws.sheet_view.zoomScale = prototype.sheet_view.zoomScale
        horizon = result.settings.horizon
        # Risks are columns too: their expected cost (probability x impact) adds to the costs.
        lines: list[Any] = [*project.all_lines, *project.risks]
        own = {k for k in project.overrides if k not in self.result.case.overrides}
        counts = {
            COUNTS: "counts toward the target",
            STARTS_AFTER_TARGET_YEAR: "does not count toward the target (it starts after the "
            "target year)",
            STATUS_NOT_COUNTED: f"does not count toward the target (status {project.status})",
        }[result.counts_because]
        partners = ", ".join(project.partners) or "none listed"
        self.title(
            ws,
            f"{project.id} — {project.name}",
            f"Status: {project.status}. Partners: {partners}. Appraised {result.span}; {counts}.",
        )
        last_column = 2 + max(horizon, len(lines), 4)
        ws.column_dimensions["A"].width = 42
        ws.column_dimensions["B"].width = 14
        for column in range(3, last_column + 1):
            ws.column_dimensions[letter(column)].width = 13

        # Settings (B5:B10): links to Assumptions unless the project sets its own value.
        put_text(ws["A4"], "Settings", "npv section")
        settings = result.settings

        def setting(row: int, label: str, key: str, style: str, value: object) -> None:
            put_text(ws.cell(row=row, column=1), label, "npv label")
            linked = _SETTING_NAMES.get(key)
            if key in own or linked is None:
                put(ws.cell(row=row, column=2), value, style)
            else:
                put(ws.cell(row=row, column=2), f"={linked}", style.replace("input ", ""))

        setting(
            5,
            "Discount rate, years 1-30",
            "discount_rate",
            "npv input percent",
            settings.discount_rate,
        )
        setting(
            6, "Declining schedule after year 30", "declining", "npv input text", settings.declining
        )
        setting(7, "Year 0 discounted", "discount_year0", "npv input text", settings.discount_year0)
        setting(8, "Start year (year 0)", "start_year", "npv year", project.start_year)
        setting(9, "Horizon (years)", "horizon", "npv year", horizon)
        setting(
            10, "Price base year", "price_base_year", "npv input year", settings.price_base_year
        )
        if own:
            put_text(
                ws["A11"],
                "Yellow settings are this project's own (from its file); the "
                "others follow Assumptions.",
                "npv note",
            )
        rate, declining, year0, start, base = "$B$5", "$B$6", "$B$7", "$B$8", "$B$10"

        # Where everything goes
        agencies = list(dict.fromkeys(line.agency for line in lines))
        inputs_title = max(23, 7 + len(agencies))
        header = inputs_title + 1
        rows = {name: header + 1 + i for i, name in enumerate(_INPUT_ROWS)}
        flows_title = rows["pv"] + 2
        flows_header = flows_title + 1
        t_row, rate_row, df_row = flows_header + 1, flows_header + 2, flows_header + 3
        costs_row = df_row + 1 + 2 * len(lines)
        benefits_row, net_row = costs_row + 1, costs_row + 2
        discounted_row, cumulative_row, paid_row = costs_row + 3, costs_row + 4, costs_row + 5
        year_columns = range(3, 3 + horizon)
        line_columns = range(3, 3 + len(lines))

        def years_of(row: int) -> str:
            return f"${letter(3)}${row}:${letter(2 + horizon)}${row}"

        def lines_of(field: str) -> str:
            row = rows[field]
            return f"${letter(3)}${row}:${letter(2 + len(lines))}${row}"

        # Results (B14:B21)
        put_text(ws["A13"], "Results (discounted to year 0)", "npv section")
        results = [
            ("PV of costs", f"=SUMPRODUCT({years_of(costs_row)},{years_of(df_row)})", "npv money"),
            (
                "PV of benefits",
                f"=SUMPRODUCT({years_of(benefits_row)},{years_of(df_row)})",
                "npv money",
            ),
            ("Net present value (NPV)", "=B15-B14", "npv money key"),
            ("Benefit-cost ratio (BCR)", '=IF(B14=0,"–",B15/B14)', "npv ratio"),
            ("Return on investment (NPV / PV of costs)", '=IF(B14=0,"–",B16/B14)', "npv percent"),
            (
                "Payback year (cumulative discounted net >= 0)",
                f'=IF(COUNT({years_of(paid_row)})=0,"none",({start}+MIN({years_of(paid_row)}))'
                f'&"/"&TEXT(MOD({start}+MIN({years_of(paid_row)})+1,100),"00"))',
                "npv ratio",
            ),
            (
                "Internal rate of return (IRR)",
                f'=IFERROR(IRR({years_of(net_row)}),"none")',
                "npv percent",
            ),
            (
                "Cashable NPV (cashable benefits - costs)",
                f'=SUMIFS({lines_of("pv")},{lines_of("cashable")},"Yes")-B14',
                "npv money",
            ),
        ]
        for i, (label, formula, style) in enumerate(results, start=14):
            put_text(ws.cell(row=i, column=1), label, "npv label")
            put(ws.cell(row=i, column=2), formula, style)
        nid = name_id(project.id)
        self.name(f"PVCosts_{nid}", ws, "$B$14")
        self.name(f"PVBenefits_{nid}", ws, "$B$15")
        self.name(f"NPV_{nid}", ws, "$B$16")

        # Present value by agency (D5:F...)
        put_text(ws["D4"], "Present value by agency", "npv section")
        self.header_row(ws, 5, ["Agency", "PV of costs paid", "PV of benefits"], start=4)
        ws.row_dimensions[5].height = 28
        for i, agency in enumerate(agencies, start=6):
            put_text(ws.cell(row=i, column=4), agency, "npv text")
            for column, kind in ((5, "Cost"), (6, "Benefit")):
                put(
                    ws.cell(row=i, column=column),
                    # EXACT, not a SUMIFS criterion: an agency called "*", "<>Police" or
                    # "=Fire" would be read as a pattern or a comparison, and "fire" would
                    # match "Fire"; npv-calc keeps every spelling apart.
                    f"=SUMPRODUCT(EXACT({lines_of('agency')},$D{i})*"
                    + (
                        f'(({lines_of("type")}="Cost")+({lines_of("type")}="Risk"))'
                        if kind == "Cost"
                        else f'({lines_of("type")}="Benefit")'
                    )
                    + f"*{lines_of('pv')})",
                    "npv money",
                )

        # Inputs: a column per line
        put_text(ws.cell(row=inputs_title, column=1), "Inputs (a column per line)", "npv section")
        put_text(
            ws.cell(row=inputs_title, column=3),
            f"Yellow cells are inputs from the scenario files ({self.result.scenario} "
            "scenario values); the others are formulas.",
            "npv note",
        )
        put_text(ws.cell(row=header, column=1), "Line", "npv header")
        put_text(ws.cell(row=header, column=2), "", "npv header")
        ws.row_dimensions[header].height = 54
        for name, row in rows.items():
            label, unit = _INPUT_ROWS[name]
            put_text(ws.cell(row=row, column=1), label, "npv label")
            put_text(ws.cell(row=row, column=2), unit, "npv note")
        case = self.result.case
        for column, line in zip(line_columns, lines, strict=True):
            put_text(ws.cell(row=header, column=column), line.name, "npv header")
            if line.section == "risks":
                self._risk_column(ws, column, rows, line, case, project, base)
            else:
                self._input_column(ws, column, rows, line, case, project, horizon, base)

        # Yearly flows, starting a printed page so that the years head their columns
        from openpyxl.worksheet.pagebreak import Break

        ws.row_breaks.append(Break(id=flows_title - 1))
        put_text(
            ws.cell(row=flows_title, column=1),
            "Yearly flows (£, real terms at the price base year)",
            "npv section",
        )
        put_text(ws.cell(row=flows_header, column=1), "Financial year", "npv header")
        put_text(ws.cell(row=flows_header, column=2), "", "npv header")
        put_text(ws.cell(row=t_row, column=1), "Year (t)", "npv label")
        put_text(ws.cell(row=rate_row, column=1), "Discount rate applied", "npv label")
        put_text(ws.cell(row=df_row, column=1), "Discount factor", "npv label")
        for t, column in enumerate(year_columns):
            c = letter(column)
            put_text(
                ws.cell(row=flows_header, column=column),
                financial_year(project.start_year + t),
                "npv header",
            )
            put(ws.cell(row=t_row, column=column), t, "npv year")
            # r for year t (t+1 when year 0 is discounted), from the Green Book bands
            put(
                ws.cell(row=rate_row, column=column),
                f"=IF({declining},{rate}*LOOKUP({c}${t_row}+IF({year0},1,0),BandFrom,"
                f"BandStandard)/STPR,{rate})",
                "npv percent",
            )
            if t == 0:
                df = f"=IF({year0},1/(1+{c}{rate_row}),1)"
            else:
                df = f"={letter(column - 1)}{df_row}/(1+{c}{rate_row})"
            put(ws.cell(row=df_row, column=column), df, "npv factor")

        nets: dict[str, list[int]] = {"costs": [], "benefits": [], "risks": []}
        for i, (column, line) in enumerate(zip(line_columns, lines, strict=True)):
            gross, net = df_row + 1 + 2 * i, df_row + 2 + 2 * i
            L = letter(column)
            put_text(ws.cell(row=gross, column=1), line.name, "npv text")
            put_text(ws.cell(row=gross, column=2), "Gross", "npv note")
            put_text(ws.cell(row=net, column=2), "Net", "npv label")
            nets[line.section].append(net)
            first, last = f"${L}${rows['first']}", f"${L}${rows['last']}"
            annual, growth = f"${L}${rows['annual']}", f"${L}${rows['growth']}"
            change = (
                f"(1+{growth})"
                if line.section == "costs"
                else (f"((1+{growth})*(1-${L}${rows['drop_off']}))")
            )
            for t, year_column in enumerate(year_columns):
                c = letter(year_column)
                cell = ws.cell(row=gross, column=year_column)
                if line.section == "risks":
                    put(
                        cell,
                        f"=IF(AND({c}${t_row}>={first},{c}${t_row}<={last}),{annual},0)",
                        "npv money",
                    )
                elif line.amounts is not None:
                    amount = line.amounts[t] if t < len(line.amounts) else 0.0
                    put(cell, amount, "npv input money")
                else:
                    put(
                        cell,
                        f"=IF(AND({c}${t_row}>={first},{c}${t_row}<={last}),"
                        f"{annual}*{change}^({c}${t_row}-{first}),0)",
                        "npv money",
                    )
                put(
                    ws.cell(row=net, column=year_column),
                    f"={c}{gross}*${L}${rows['adjustment']}",
                    "npv money",
                )
            put(
                ws.cell(row=rows["pv"], column=column),
                f"=SUMPRODUCT({years_of(net)},{years_of(df_row)})",
                "npv money",
            )

        for row, label in (
            (costs_row, "Total costs"),
            (benefits_row, "Total benefits"),
            (net_row, "Net benefit (benefits - costs)"),
            (discounted_row, "Discounted net benefit"),
            (cumulative_row, "Cumulative discounted net benefit"),
            (paid_row, "Paid back by year (t)"),
        ):
            put_text(ws.cell(row=row, column=1), label, "npv label")
        for t, column in enumerate(year_columns):
            c = letter(column)
            for row, section in ((costs_row, "costs"), (benefits_row, "benefits")):
                rows_in = nets[section] + (nets["risks"] if section == "costs" else [])
                total = "+".join(f"{c}{n}" for n in rows_in) or "0"
                put(ws.cell(row=row, column=column), f"={total}", "npv money total")
            put(
                ws.cell(row=net_row, column=column),
                f"={c}{benefits_row}-{c}{costs_row}",
                "npv money",
            )
            put(
                ws.cell(row=discounted_row, column=column),
                f"={c}{net_row}*{c}{df_row}",
                "npv money",
            )
            previous = f"{letter(column - 1)}{cumulative_row}+" if t else ""
            put(
                ws.cell(row=cumulative_row, column=column),
                f"={previous}{c}{discounted_row}",
                "npv money",
            )
            put(
                ws.cell(row=paid_row, column=column),
                f'=IF({c}{cumulative_row}>=-{PAYBACK_TOLERANCE},{c}{t_row},"")',
                "npv year",
            )

        sources = paid_row + 2
        put_text(ws.cell(row=sources, column=1), "Sources", "npv section")
        for i, line in enumerate(lines, start=1):
            put_text(ws.cell(row=sources + i, column=1), line.name, "npv wrap")
            self.note(ws, sources + i, 2, last_column, line.source or "(none given)")
        end = sources + len(lines)
        if project.description:
            end += 2
            put_text(ws.cell(row=end, column=1), "Description", "npv wrap")
            self.note(ws, end, 2, last_column, " ".join(project.description.split()))
        self.finish(ws, last_column, end, freeze="C3")
        return ws

    def _risk_column(
        self,
        ws: Worksheet,
        column: int,
        rows: dict[str, int],
        risk: Risk,
        case: Any,
        project: Any,
        base: str,
    ) -> None:
        """A risk's column: its expected cost a year is probability x impact, rebased, in the
        years of ``years``; it adds to the project's costs."""
        L = letter(column)

        def cell(field: str) -> Any:
            return ws.cell(row=rows[field], column=column)

        def ref(field: str) -> str:
            return f"{L}{rows[field]}"

        put_text(cell("type"), "Risk", "npv centre")
        put_text(cell("agency"), risk.agency, "npv centre")
        put_text(cell("form"), "Probability × impact", "npv centre")
        put(cell("probability"), risk.probability, "npv input percent")
        put(cell("impact"), case.pick(project, risk, "impact"), "npv input money")
        put(cell("annual"), f"={ref('probability')}*{ref('impact')}", "npv money")
        put(cell("first"), risk.years[0], "npv input year")
        put(cell("last"), risk.years[1], "npv input year")
        for field in (
            "kind",
            "cashable",
            "quantity",
            "unit_value",
            "growth",
            "drop_off",
            "deadweight",
            "displacement",
            "attribution",
            "grade",
            "optimism_bias",
            "scale",
        ):
            put_text(cell(field), "–", "npv centre")
        if risk.price_year is not None:
            year = ref("price_year")
            put(cell("price_year"), risk.price_year, "npv input year")
            put(
                cell("price_factor"),
                f"=IF({year}={base},1,INDEX(DeflatorIndex,MATCH({base},DeflatorYear,0))/"
                f"INDEX(DeflatorIndex,MATCH({year},DeflatorYear,0)))",
                "npv factor",
            )
        else:
            put_text(cell("price_year"), "–", "npv centre")
            put(cell("price_factor"), 1.0, "npv factor")
        put(cell("adjustment"), f"={ref('price_factor')}", "npv factor")

    def _input_column(
        self,
        ws: Worksheet,
        column: int,
        rows: dict[str, int],
        line: Line,
        case: Any,
        project: Any,
        horizon: int,
        base: str,
    ) -> None:
        cost = line.section == "costs"
        values = {
            name: case.pick(project, line, name)
            for name in (
                "annual",
                "quantity",
                "unit_value",
                "growth",
                "drop_off",
                "deadweight",
                "displacement",
                "attribution",
                "scale",
            )
        }
        L = letter(column)

        def cell(field: str) -> Any:
            return ws.cell(row=rows[field], column=column)

        def ref(field: str) -> str:
            return f"{L}{rows[field]}"

        put_text(cell("type"), "Cost" if cost else "Benefit", "npv centre")
        put_text(cell("agency"), line.agency, "npv centre")
        put_text(cell("kind"), line.kind if cost else "–", "npv centre")
        put_text(
            cell("cashable"), "–" if cost else ("Yes" if line.cashable else "No"), "npv centre"
        )
        not_used = ["quantity", "unit_value", "annual", "first", "last", "growth", "drop_off"]
        if line.amounts is not None:
            put_text(cell("form"), "Yearly amounts", "npv centre")
        else:
            first, last = line.years if line.years is not None else (0, horizon - 1)
            if line.annual is not None:
                put_text(cell("form"), "Annual", "npv centre")
                put(cell("annual"), values["annual"], "npv input money")
            else:
                put_text(cell("form"), "Quantity × value", "npv centre")
                put(cell("quantity"), values["quantity"], "npv input number")
                put(cell("unit_value"), values["unit_value"], "npv input money")
                put(cell("annual"), f"={ref('quantity')}*{ref('unit_value')}", "npv money")
            put(cell("first"), first, "npv input year")
            put(cell("last"), last, "npv input year")
            put(cell("growth"), values["growth"], "npv input percent")
            if not cost:
                put(cell("drop_off"), values["drop_off"], "npv input percent")
            not_used = [f for f in not_used if cell(f).value is None]
        if cost:
            not_used += ["deadweight", "displacement", "attribution", "grade"]
        else:
            put(cell("deadweight"), values["deadweight"], "npv input percent")
            put(cell("displacement"), values["displacement"], "npv input percent")
            put(cell("attribution"), values["attribution"], "npv input percent")
            if line.confidence is not None:
                put(cell("grade"), line.confidence, "npv input year")
            else:
                not_used.append("grade")
        for field in (*not_used, "probability", "impact"):
            put_text(cell(field), "–", "npv centre")
        if line.optimism_bias is not None:
            put(cell("optimism_bias"), case.optimism_bias(project, line), "npv input percent")
        elif line.confidence is not None:
            put(
                cell("optimism_bias"), f"=VLOOKUP({ref('grade')},GradeTable,2,FALSE)", "npv percent"
            )
        else:
            put(cell("optimism_bias"), 0.0, "npv input percent")
        put(cell("scale"), values["scale"], "npv input number")
        if line.price_year is not None:
            year = ref("price_year")
            put(cell("price_year"), line.price_year, "npv input year")
            put(
                cell("price_factor"),
                f"=IF({year}={base},1,INDEX(DeflatorIndex,MATCH({base},DeflatorYear,0))/"
                f"INDEX(DeflatorIndex,MATCH({year},DeflatorYear,0)))",
                "npv factor",
            )
        else:
            put_text(cell("price_year"), "–", "npv centre")
            put(cell("price_factor"), 1.0, "npv factor")
        scale, ob, price = ref("scale"), ref("optimism_bias"), ref("price_factor")
        if cost:
            factor = f"={scale}*(1+{ob})*{price}"
        else:
            factor = (
                f"={scale}*(1-{ref('deadweight')})*(1-{ref('displacement')})*"
                f"{ref('attribution')}*(1-{ob})*{price}"
            )
        put(cell("adjustment"), factor, "npv factor")

    # -- Summary ----------------------------------------------------------------------------

    def summary(self) -> None:
        ws = self.wb["Summary"]
        result = self.result
        portfolio = result.portfolio
        created = self.audit.created or dt.datetime.now(dt.UTC)
        self.title(
            ws,
            portfolio.name,
            f"{result.scenario.capitalize()} scenario. {settings_line(result)}. "
            f"Written by npv-calc {__version__} on {created:%d %B %Y}.",
        )
        widths = {
            "A": 9,
            "B": 38,
            "C": 12,
            "D": 16,
            "E": 8,
            "F": 13,
            "G": 13,
            "H": 13,
            "I": 7,
            "J": 9,
            "K": 12,
            "L": 14,
            "M": 13,
        }
        for column, width in widths.items():
            ws.column_dimensions[column].width = width

        first, last = 14, 13 + len(result.projects)
        put_text(ws["A4"], "Portfolio against target", "npv section")
        year = portfolio.target_year
        who = who_counts(portfolio)
        kpis = [
            (
                "Portfolio NPV (all projects)",
                f"=SUM($H${first}:$H${last})",
                "npv money key",
                "PortfolioNPV",
            ),
            (
                f"NPV toward target ({who})",
                f'=SUMIFS($H${first}:$H${last},$K${first}:$K${last},"Yes")',
                "npv money key",
                "NPVTowardTarget",
            ),
            ("Target", portfolio.target, "npv input money", "Target"),
            ("Target year (projects starting by it count)", year, "npv input year", "TargetYear"),
            (
                "Headroom (negative: shortfall)",
                '=IF(Target="","",NPVTowardTarget-Target)',
                "npv money key",
                "Headroom",
            ),
            (
                "Status",
                '=IF(Target="","NO TARGET SET",IF(Headroom>=0,"MEETS TARGET","MISSES TARGET"))',
                "npv status",
                None,
            ),
        ]
        for i, (label, value, style, name) in enumerate(kpis, start=5):
            put_text(ws.cell(row=i, column=1), label, "npv label")
            ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=2)
            put(ws.cell(row=i, column=3), value, style)
            ws.cell(row=i, column=4).style = style
            ws.merge_cells(start_row=i, start_column=3, end_row=i, end_column=4)
            if name:
                self.name(name, ws, absolute(3, i))
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import Font, PatternFill

        green = PatternFill("solid", fgColor="C6EFCE", bgColor="C6EFCE")
        red = PatternFill("solid", fgColor="FFC7CE", bgColor="FFC7CE")
        ws.conditional_formatting.add(
            "C10:D10",
            FormulaRule(
                formula=['$C$10="MEETS TARGET"'], fill=green, font=Font(color="006100", bold=True)
            ),
        )
        ws.conditional_formatting.add(
            "C10:D10",
            FormulaRule(
                formula=['$C$10="MISSES TARGET"'], fill=red, font=Font(color="9C0006", bold=True)
            ),
        )

        put_text(ws["A12"], "Projects", "npv section")
        self.header_row(
            ws,
            13,
            [
                "ID",
                "Project",
                "Status",
                "Years",
                "Start year",
                "PV of costs",
                "PV of benefits",
                "NPV",
                "BCR",
                "Payback",
                "Counts toward target",
                "Cumulative NPV toward target",
                "Target",
            ],
        )
        ws.row_dimensions[13].height = 30
        for r, project in zip(range(first, last + 1), result.projects, strict=True):
            nid = name_id(project.id)
            sheet = sheet_ref(self.titles[project.id])
            put_text(ws.cell(row=r, column=1), project.id, "npv text")
            name_cell = ws.cell(row=r, column=2)
            put_text(name_cell, project.project.name, "npv text")
            put_text(ws.cell(row=r, column=3), project.project.status, "npv text")
            put_text(ws.cell(row=r, column=4), project.span, "npv centre")
            put(ws.cell(row=r, column=5), project.project.start_year, "npv year")
            put(ws.cell(row=r, column=6), f"=PVCosts_{nid}", "npv money")
            put(ws.cell(row=r, column=7), f"=PVBenefits_{nid}", "npv money")
            put(ws.cell(row=r, column=8), f"=NPV_{nid}", "npv money")
            put(ws.cell(row=r, column=9), f"={sheet}!$B$17", "npv ratio")
            put(ws.cell(row=r, column=10), f"={sheet}!$B$19", "npv centre")
            put(
                ws.cell(row=r, column=11),
                f'=IF(AND(TargetYear<>"",E{r}>TargetYear),"No: start year",'
                f'IF(COUNTIFS(StatusName,C{r},StatusCounts,"Yes")=0,"No: status","Yes"))',
                "npv centre",
            )
            put(
                ws.cell(row=r, column=12),
                f'=SUMIFS($H${first}:H{r},$K${first}:K{r},"Yes")',
                "npv money",
            )
            put(ws.cell(row=r, column=13), '=IF(Target="",NA(),Target)', "npv money")
        total = last + 1
        put_text(ws.cell(row=total, column=2), "Portfolio", "npv label")
        for column in (6, 7, 8):
            c = letter(column)
            put(ws.cell(row=total, column=column), f"=SUM({c}{first}:{c}{last})", "npv money total")
        self._summary_chart(ws, first, last, total + 2)
        self.finish(ws, len(widths), total + 24, freeze="A3")

    def _summary_chart(self, ws: Worksheet, first: int, last: int, anchor_row: int) -> None:
        from openpyxl.chart import BarChart, LineChart, Reference

        bars = BarChart()
        bars.type = "col"
        bars.title = chart_title("NPV by project, and the portfolio's progress toward its target")
        bars.y_axis.title = "£"
        bars.y_axis.numFmt = '"£"#,##0,,"m"'
        bars.y_axis.majorGridlines = None
        bars.add_data(
            Reference(ws, min_col=8, min_row=first - 1, max_row=last), titles_from_data=True
        )
        categories = Reference(ws, min_col=1, min_row=first, max_row=last)
        bars.set_categories(categories)
        bars.varyColors = False
        lines = LineChart()
        lines.add_data(
            Reference(ws, min_col=12, min_row=first - 1, max_row=last), titles_from_data=True
        )
        if self.result.portfolio.target is not None:
            lines.add_data(
                Reference(ws, min_col=13, min_row=first - 1, max_row=last), titles_from_data=True
            )
        lines.set_categories(categories)
        for series in lines.series:
            series.smooth = False
        if len(lines.series) > 1:
            target = lines.series[1]
            target.graphicalProperties.line.dashStyle = "dash"
            target.graphicalProperties.line.solidFill = "C00000"
        lines.series[0].graphicalProperties.line.solidFill = "2E75B6"
        bars.series[0].graphicalProperties.solidFill = "1F3864"
        bars += lines
        bars.legend.position = "b"
        bars.height = 10
        bars.width = 26
        # Both axes must show (openpyxl hides them by default for LibreOffice and Excel 365).
        bars.x_axis.delete = False
        bars.y_axis.delete = False
        ws.add_chart(bars, f"A{anchor_row}")

    # -- Audit ------------------------------------------------------------------------------

    def audit_sheet(self) -> None:
        import numpy
        import openpyxl

        ws = self.wb["Audit"]
        result = self.result
        created = self.audit.created or dt.datetime.now(dt.UTC)
        self.title(ws, "Audit", "How and from what this workbook was produced.")
        for column, width in zip("ABCD", (34, 70, 22, 18), strict=True):
            ws.column_dimensions[column].width = width
        overrides = ", ".join(f"{k}={v}" for k, v in result.case.overrides.items()) or "none"
        rows = [
            ("Tool", f"npv-calc {__version__}"),
            ("Run at (UTC)", created.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
            ("Command", self.audit.command or "(Python API)"),
            ("Scenario", result.scenario),
            ("Overrides (scenario set and --set)", overrides),
            ("Protective marking", self.audit.marking),
            *(
                [
                    (
                        "Monte Carlo",
                        f"{self.simulation.iterations:,} draws, "
                        f"{self.simulation.distribution}, seed {self.simulation.seed}, "
                        f"{self.simulation.sampling}, "
                        + (
                            "correlation groups " + ", ".join(self.simulation.correlation_groups)
                            if self.simulation.correlation_groups
                            else "correlation ignored (--independent)"
                            if self.simulation.correlation_ignored
                            else "no correlation groups"
                        ),
                    )
                ]
                if self.simulation is not None
                else []
            ),
            ("Python", platform.python_version()),
            ("openpyxl", openpyxl.__version__),
            ("numpy", numpy.__version__),
        ]
        put_text(ws["A4"], "Run", "npv section")
        for i, (label, value) in enumerate(rows, start=5):
            put_text(ws.cell(row=i, column=1), label, "npv label")
            put_text(ws.cell(row=i, column=2), value, "npv text")
        row = 5 + len(rows) + 1
        put_text(ws.cell(row=row, column=1), "Input files", "npv section")
        self.header_row(ws, row + 1, ["File", "SHA-256", "Bytes"])
        for i, path in enumerate(result.portfolio.files, start=row + 2):
            data = Path(path).read_bytes()
            put_text(ws.cell(row=i, column=1), str(path), "npv text")
            put_text(ws.cell(row=i, column=2), hashlib.sha256(data).hexdigest(), "npv text")
            put(ws.cell(row=i, column=3), len(data), "npv year")
        row = row + 3 + len(result.portfolio.files)
        put_text(ws.cell(row=row, column=1), "Warnings", "npv section")
        warnings = result.portfolio.warnings
        if warnings:
            put_text(
                ws.cell(row=row, column=2),
                "Legal but very likely slips, found when the inputs were read: check each "
                "before relying on the figures (--strict makes them errors).",
                "npv note",
            )
            self.header_row(ws, row + 1, ["Where", "Warning"])
            for i, warning in enumerate(warnings, start=row + 2):
                put_text(ws.cell(row=i, column=1), warning.place, "npv wrap")
                put_text(ws.cell(row=i, column=2), printable(warning.message), "npv wrap")
            row += 3 + len(warnings)
        else:
            put_text(ws.cell(row=row, column=2), "None: the inputs raised no warning.", "npv text")
            row += 2
        put_text(ws.cell(row=row, column=1), "Figures when written", "npv section")
        put_text(
            ws.cell(row=row, column=2),
            "npv-calc's own figures at the time of the run, beside the workbook's live "
            "formulas: the difference is 0 until an input is changed.",
            "npv note",
        )
        self.header_row(ws, row + 1, ["Defined name", "npv-calc", "Workbook (live)", "Difference"])
        figures: list[tuple[str, float | None]] = [
            ("PortfolioNPV", result.npv),
            ("Target", result.target),
        ]
        for project in result.projects:
            nid = name_id(project.id)
            figures += [
                (f"NPV_{nid}", project.npv),
                (f"PVCosts_{nid}", project.pv_costs),
                (f"PVBenefits_{nid}", project.pv_benefits),
            ]
        for i, (name, value) in enumerate(figures, start=row + 2):
            put_text(ws.cell(row=i, column=1), name, "npv text")
            put(ws.cell(row=i, column=2), value, "npv money pence")
            put(ws.cell(row=i, column=3), f"={name}", "npv money pence")
            put(ws.cell(row=i, column=4), f'=IF(B{i}="","",C{i}-B{i})', "npv money pence")
        self.finish(ws, 4, row + 1 + len(figures), freeze="A3", protect=False)

    def build(self) -> None:
        self.assumptions()
        for project in self.result.projects:
            self.project_sheet(project)
        self.summary()
        if self.sensitivity is not None:
            sensitivity_sheet(self, self.sensitivity)
        if self.simulation is not None:
            monte_carlo_sheet(self, self.simulation)
        self.audit_sheet()
        self.wb.remove(self.wb["Project"])
        order = [
            "Summary",
            "Assumptions",
            *self.titles.values(),
            "Sensitivity",
            "Monte Carlo",
            "Audit",
        ]
        self.wb._sheets.sort(key=lambda ws: order.index(ws.title))
        self.wb.active = 0
        for ws in self.wb.worksheets:
            ws.sheet_view.tabSelected = ws.title == "Summary"
        self.wb.calculation.fullCalcOnLoad = True


def write_workbook(
    result: PortfolioResult,
    path: str | Path,
    *,
    command: str = "",
    marking: str = "OFFICIAL",
    template: str | Path | None = None,
    created: dt.datetime | None = None,
    sensitivity: Sensitivity | None = None,
    simulation: Simulation | None = None,
) -> Path:
    """Write the board workbook for a result to ``path``, atomically.

    The workbook is written to a temporary file beside ``path`` and moved into place, so a
    failure leaves no partial file and leaves an existing ``path`` untouched.

    Parameters
    ----------
    result
        From :func:`npv_calc.appraise`.
    path
        The ``.xlsx`` file to write.
    command
        The command line, recorded on the ``Audit`` sheet.
    marking
        The protective marking printed in the header and footer of every page.
    template
        The template to start from (default ``templates/xlsx/board.xlsx``); only read.
    created
        The time recorded as the run time (default now, UTC).
    sensitivity, simulation
        When given, a ``Sensitivity`` and a ``Monte Carlo`` sheet are added.

    Raises
    ------
    WorkbookError
        The template is missing or unreadable, or ``path`` cannot be written.
    InputError
        Two project ids would give the same defined name.
    """
    path = Path(path)
    check_writable(path)
    problems = size_problems(result.portfolio, dict(result.case.overrides))
    if problems:
        raise InputError(problems)
    _check_names(result)
    wb = open_template(
        Path(template) if template else default_template(),
        "templates/xlsx/build_template.py",
        PROTOTYPES,
        style="npv money",
    )
    audit = Audit(command, marking, created)
    _Builder(wb, result, audit, _sheet_titles(result), sensitivity, simulation).build()
    save_atomically(wb, path)
    return path
