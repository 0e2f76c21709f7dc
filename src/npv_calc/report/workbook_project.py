"""A project's sheet of the board workbook: every step from a line's inputs to the NPV as a live
formula, each storing the value npv-calc computed for it.

Layout, top to bottom: settings (B5:B12) beside the present value by agency; results (B16:B26);
the inputs, a column per line (and per risk); the yearly flows, a column per year (gross and net
rows per line, totals, discounting, cumulative, payback and, with a present-value year, the
factors to it); the sources.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import params
from ..calculate import (
    LineResult,
    ProjectResult,
    financial_year,
    line_factor,
    line_gross,
    line_inputs,
    outturn_factor,
    outturn_offsets,
    price_factor,
    settled_years,
)
from ..discount import present_value_year_factors
from ..model import (
    COUNTS,
    STARTS_AFTER_TARGET_YEAR,
    STATUS_NOT_COUNTED,
    UNSPECIFIED,
    VALUE_TYPES,
    Line,
    Project,
    Risk,
    central,
)
from .workbook_parts import LINE_HEIGHT, NOT_AVAILABLE, Book, Sheet, letter, name_id, year_label

#: Project settings that follow a cell of the Assumptions sheet unless the project sets its own.
SETTING_NAMES = {
    "discount_rate": "DiscountRate",
    "declining": "Declining",
    "discount_year0": "DiscountYear0",
    "horizon": "Horizon",
    "price_base_year": "PriceBaseYear",
    "schedule": "Schedule",
    "ob_mitigation": "ObMitigation",
}
#: The row of each setting (column B); the flows' formulas refer to them.
SETTING_ROWS = {
    "discount_rate": 5,
    "declining": 6,
    "discount_year0": 7,
    "start_year": 8,
    "horizon": 9,
    "price_base_year": 10,
    "schedule": 11,
    "ob_mitigation": 12,
}
#: What the schedule cells hold when no published schedule is named: the discount rate scales
#: the standard schedule.
SCALED = "scaled"
#: The choices of a schedule cell (a list data validation).
SCHEDULE_CHOICES = (SCALED, *params.SCHEDULES)
#: The choices of a benefit's value type cell.
VALUE_TYPE_CHOICES = (*VALUE_TYPES, UNSPECIFIED)
#: The rows of a project sheet's inputs table: label and unit, by field.
INPUT_ROWS = {
    "type": ("Cost or benefit", ""),
    "agency": ("Agency (pays a cost, receives a benefit)", ""),
    "kind": ("Kind of cost", "revenue/capital"),
    "cashable": ("Cashable benefit", "Yes/No"),
    "value_type": ("Value type", "fiscal/econ./social"),
    "form": ("Amount given as", ""),
    "probability": ("Probability the risk happens", "%"),
    "impact": ("Impact a year if it happens", "£ a year"),
    "quantity": ("Quantity a year", "units"),
    "unit_value": ("Unit value", "£ a unit"),
    "annual": ("Annual amount (first year)", "£ a year"),
    "first": ("First year of the line", "year (t)"),
    "last": ("Last year of the line", "year (t)"),
    "growth": ("Real growth a year", "%"),
    "drop_off": ("Drop-off a year", "%"),
    "deadweight": ("Deadweight", "%"),
    "displacement": ("Displacement", "%"),
    "attribution": ("Attribution", "%"),
    "grade": ("Confidence grade", "1 to 6"),
    "ob_type": ("Optimism bias by project type", "see Assumptions"),
    "optimism_bias": ("Optimism bias", "%"),
    "scale": ("Scale", "multiplier"),
    "price_year": ("Price year of the amounts", "financial year"),
    "price_factor": ("Price factor (rebasing)", "ratio"),
    "adjustment": ("Adjustment factor: adjusted = as entered × this", "factor"),
    "outturn_factor": ("Outturn factor: adjusted = outturn × this", "factor"),
    "pv": ("Present value", "£"),
}
#: The first row of the "Present value by agency" table (column D).
AGENCY_TABLE_FIRST = 6
#: What the results block says where a figure does not exist.
NO_PAYBACK = "not reached"
NO_IRR = "not defined"
#: A cumulative sum that should be exactly 0 may be a hair below it after rounding.
PAYBACK_TOLERANCE = 1e-6
#: The results block's title row; its rows (column B), by figure, follow.
RESULTS_TITLE = 15
RESULT_ROWS = {
    "pv_costs": 16,
    "pv_benefits": 17,
    "npv": 18,
    "bcr": 19,
    "roi": 20,
    "payback": 21,
    "irr": 22,
    "cashable_npv": 23,
    "pv_fiscal": 24,
    "financial_roi": 25,
    "npv_at_pv_year": 26,  # only with [portfolio] present_value_year
}
NO_RATIO = "–"


def project_agencies(project: Project, declared: tuple[str, ...] | list[str] = ()) -> list[str]:
    """A project's agencies in the order of its "Present value by agency" table: those the
    portfolio declares, in its order, then the others as the lines name them."""
    named = list(dict.fromkeys(line.agency for line in (*project.all_lines, *project.risks)))
    return [a for a in declared if a in named] + [a for a in named if a not in declared]


def payback_text(result: ProjectResult) -> str:
    """The payback year as the results block shows it (``2023/24``, or that it is not
    reached within the horizon)."""
    return NO_PAYBACK if result.payback_year is None else financial_year(result.payback_year)


def _counts_words(result: ProjectResult) -> str:
    return {
        COUNTS: "counts toward the target",
        STARTS_AFTER_TARGET_YEAR: "does not count toward the target (it starts after the "
        "target year)",
        STATUS_NOT_COUNTED: f"does not count toward the target (status {result.project.status})",
    }[result.counts_because]


def money_style(value: float, input_cell: bool = True) -> str:
    """Whole pounds, or pounds and pence when the amount has pence (a unit value of £36.51
    shown as £37 beside a total cannot be followed)."""
    pence = abs(value - round(value)) > 1e-9
    return ("input " if input_cell else "") + ("money pence" if pence else "money")


def count_style(value: float) -> str:
    """A whole quantity without decimals, a fractional one with two."""
    return "input count" if abs(value - round(value)) <= 1e-9 else "input number"


def band_rate(t: int, rate: float, declining: bool, schedule: str | None = None) -> float:
    """The rate the workbook's "Discount rate applied" formula gives for year t: the band's
    rate in a published schedule, or ``rate`` scaling the standard schedule (flat when not
    declining)."""
    if schedule is None and not declining:
        return rate
    found = params.discount_bands()[0]
    for band in params.discount_bands():
        if band.first <= t:
            found = band
    if schedule is not None:
        return found.rate(schedule)
    return rate * found.standard / params.standard_rate()


def schedule_text(schedule: str | None) -> str:
    """A schedule as its cell holds it: the published schedule's name, or ``scaled``."""
    return SCALED if schedule is None else schedule


def schedule_rates(cell: str, rate: str, declining: str) -> str:
    """The band rates of the schedule named in ``cell`` as one array expression (no IF, so that
    it stays a plain array inside SUMPRODUCT in every spreadsheet): a published schedule's
    column, or ``rate`` scaling the standard column (flat when ``declining`` is FALSE) for any
    other text, as :func:`rate_lookup` reads it."""
    health, lower, standard = (
        f'({cell}="{name}")' for name in ("health", "lower-rate-test-2026", "standard")
    )
    return (
        f"({health}*BandHealth+{lower}*BandLowerRate+{standard}*BandStandard"
        f"+(1-{health}-{lower}-{standard})*{rate}*({declining}*BandStandard/STPR+1-{declining}))"
    )


def rate_lookup(cell: str, year: str, rate: str, declining: str) -> str:
    """The rate of the schedule named in ``cell`` for the year in ``year`` (a formula's body)."""
    return (
        f'IF({cell}="health",LOOKUP({year},BandFrom,BandHealth),'
        f'IF({cell}="lower-rate-test-2026",LOOKUP({year},BandFrom,BandLowerRate),'
        f'IF({cell}="standard",LOOKUP({year},BandFrom,BandStandard),'
        f"IF({declining},{rate}*LOOKUP({year},BandFrom,BandStandard)/STPR,{rate}))))"
    )


def present_value_factor(j: str, rates: str) -> str:
    """``G(j)``: the factor that values a flow ``j`` years after the present-value year, as a
    closed form of the band table (no IF on arrays): ``ln DF(m) = -SUMPRODUCT(LN(1 + rates),
    n)``, ``n`` the years of each band from year 1 to ``m = |j|``, ``pos(MIN(m, To) -
    max(From, 1) + 1)`` with ``MIN(a, b) = (a + b - |a - b|) / 2`` and ``pos(x) = (x + |x|) /
    2``; ``G(j) = DF(j)``, or ``1 / DF(-j)`` before the present-value year."""
    m = f"ABS({j})"
    least = f"({m}+BandTo-ABS({m}-BandTo))/2"
    x = f"{least}-BandFrom-(BandFrom=0)+1"
    n = f"(({x})+ABS({x}))/2"
    return f"EXP(-SIGN({j})*SUMPRODUCT(LN(1+{rates}),{n}))"


def irr_caution(irr: float | None) -> str | None:
    """Why an IRR says little, when it does: none at all, or one above 100% a year (a small
    up-front net cost against later benefits). The Green Book judges on NPSV and BCR."""
    if irr is None:
        return (
            "No IRR: the net flows do not change sign in a way that gives one (for example, "
            "no net cost up front). Judge the project on its NPV and BCR."
        )
    if irr > 1:
        return (
            "An IRR above 100% a year comes from a small net cost up front against later "
            "benefits: it says little. Judge the project on its NPV and BCR."
        )
    return None


class ProjectSheet:
    """Writes one project's sheet."""

    def __init__(self, book: Book, result: ProjectResult, sheet: Sheet):
        self.book = book
        self.result = result
        self.project = result.project
        self.case = book.result.case
        self.sheet = sheet
        self.horizon = result.settings.horizon
        # Risks are columns too: their expected cost (probability x impact) adds to the costs.
        self.lines: list[Any] = [*self.project.all_lines, *self.project.risks]
        self.line_results: list[LineResult] = [*result.lines, *result.risks]
        agencies = project_agencies(self.project, book.result.portfolio.agencies or ())
        self.agencies = agencies
        inputs_title = max(max(RESULT_ROWS.values()) + 2, AGENCY_TABLE_FIRST + len(agencies) + 2)
        self.inputs_title = inputs_title
        self.header = inputs_title + 1
        self.rows = {name: self.header + 1 + i for i, name in enumerate(INPUT_ROWS)}
        self.flows_title = self.rows["pv"] + 2
        self.flows_header = self.flows_title + 1
        self.t_row = self.flows_header + 1
        self.rate_row = self.flows_header + 2
        self.df_row = self.flows_header + 3
        self.costs_row = self.df_row + 1 + 2 * len(self.lines)
        self.benefits_row = self.costs_row + 1
        self.net_row = self.costs_row + 2
        self.discounted_row = self.costs_row + 3
        self.cumulative_row = self.costs_row + 4
        self.paid_row = self.costs_row + 5
        #: with a present-value year: each year's offset from it (k) and the factor to it
        self.present_value_year = book.result.portfolio.present_value_year
        self.k_row = self.paid_row + 1
        self.factor_row = self.paid_row + 2
        self.flows_end = self.paid_row + (2 if self.present_value_year is not None else 0)
        self.last_column = 2 + max(self.horizon, len(self.lines), 4)

    # -- ranges ----------------------------------------------------------------------------

    def years_of(self, row: int) -> str:
        return f"$C${row}:${letter(2 + self.horizon)}${row}"

    def lines_of(self, field: str) -> str:
        row = self.rows[field]
        return f"$C${row}:${letter(2 + len(self.lines))}${row}"

    # -- the sheet -------------------------------------------------------------------------

    def write(self) -> Sheet:
        sheet, result, project = self.sheet, self.result, self.project
        partners = (
            f"Partners: {', '.join(project.partners)}"
            if project.partners
            else f"Agencies (from its lines): {', '.join(self.agencies)}"
        )
        sheet.title_band(
            f"{project.id} — {project.name}",
            f"Status: {project.status}. {partners}. Appraised {result.span}; "
            f"{_counts_words(result)}.",
        )
        sheet.width(1, 42)
        sheet.width(2, 14)
        for column in range(3, self.last_column + 1):
            sheet.width(column, 13)
        self.settings()
        self.results()
        self.by_agency()
        self.inputs()
        self.flows()
        end = self.sources()
        sheet.finish(self.last_column, end, freeze=(2, 2))
        return sheet

    def settings(self) -> None:
        sheet, settings = self.sheet, self.result.settings
        own = {k for k in self.project.overrides.names() if k not in self.case.overrides}
        # The schedule is the project's own when its file gives a schedule or a discount_rate
        # (a rate of its own drops the portfolio's schedule: the more specific setting wins),
        # or when it differs from the portfolio's; --set applies to both.
        if "discount_rate" in own or settings.schedule != self.case.settings.schedule:
            own.add("schedule")
        sheet.text(4, 1, "Settings", "section")
        rows = [
            ("Discount rate, years 1-30", "discount_rate", "input percent", settings.discount_rate),
            ("Declining schedule after year 30", "declining", "input text", settings.declining),
            ("Year 0 discounted", "discount_year0", "input text", settings.discount_year0),
            ("Start year (year 0)", "start_year", "year", self.project.start_year),
            ("Horizon (years)", "horizon", "year", self.horizon),
            ("Price base year", "price_base_year", "input year", settings.price_base_year),
            (
                "Discount schedule",
                "schedule",
                "input text",
                schedule_text(settings.schedule),
            ),
            (
                "Optimism bias mitigation (by project type)",
                "ob_mitigation",
                "input percent",
                settings.ob_mitigation,
            ),
        ]
        for label, key, style, value in rows:
            row = SETTING_ROWS[key]
            sheet.text(row, 1, label, "label")
            linked = SETTING_NAMES.get(key)
            if key == "schedule":
                if key in own:
                    sheet.text(row, 2, value, style)
                    self._schedule_choices(row)
                else:
                    sheet.formula(row, 2, f"={linked}", value, "text")
            elif key in own or linked is None:
                sheet.number(row, 2, value, style)
            else:
                sheet.formula(row, 2, f"={linked}", value, style.replace("input ", ""))
        if own:
            sheet.text(
                max(SETTING_ROWS.values()) + 1,
                1,
                "Yellow settings are this project's own (from its file); the others follow "
                "Assumptions.",
                "note",
            )

    def _schedule_choices(self, row: int) -> None:
        self.sheet.ws.data_validation(
            row - 1, 1, row - 1, 1, {"validate": "list", "source": list(SCHEDULE_CHOICES)}
        )

    def results(self) -> None:
        sheet, r = self.sheet, self.result
        costs, benefits = self.years_of(self.costs_row), self.years_of(self.benefits_row)
        df, paid = self.years_of(self.df_row), self.years_of(self.paid_row)
        start = "$B$8"
        payback = payback_text(r)
        # IRR from npv-calc's own root as the guess, so that a spreadsheet finds the same root
        # of a flow with several (and converges where it might not from its default of 10%).
        guess = f",{r.irr!r}" if r.irr is not None else ""
        at = {key: f"B{row}" for key, row in RESULT_ROWS.items()}
        pv_costs, pv_benefits, npv = at["pv_costs"], at["pv_benefits"], at["npv"]
        heading = "Results (discounted to year 0"
        heading += "; the last one to the present-value year)" if self.present_value_year else ")"
        sheet.text(RESULTS_TITLE, 1, heading, "section")
        figures = [
            ("pv_costs", "PV of costs", f"=SUMPRODUCT({costs},{df})", r.pv_costs, "money"),
            (
                "pv_benefits",
                "PV of benefits",
                f"=SUMPRODUCT({benefits},{df})",
                r.pv_benefits,
                "money",
            ),
            ("npv", "Net present value (NPV)", f"={pv_benefits}-{pv_costs}", r.npv, "money key"),
            (
                "bcr",
                "Benefit-cost ratio (BCR)",
                f'=IF({pv_costs}=0,"{NO_RATIO}",{pv_benefits}/{pv_costs})',
                NO_RATIO if r.bcr is None else r.bcr,
                "ratio",
            ),
            (
                "roi",
                "Return on investment (NPV / PV of costs)",
                f'=IF({pv_costs}=0,"{NO_RATIO}",{npv}/{pv_costs})',
                NO_RATIO if r.roi is None else r.roi,
                "percent",
            ),
            (
                "payback",
                "Payback year (cumulative discounted net >= 0)",
                f'=IF(COUNT({paid})=0,"{NO_PAYBACK}",({start}+MIN({paid}))'
                f'&"/"&TEXT(MOD({start}+MIN({paid})+1,100),"00"))',
                payback,
                "ratio",
            ),
            (
                "irr",
                "Internal rate of return (IRR)",
                f'=IFERROR(IRR({self.years_of(self.net_row)}{guess}),"{NO_IRR}")',
                NO_IRR if r.irr is None else r.irr,
                "percent",
            ),
            (
                "cashable_npv",
                "Cashable NPV (cashable benefits - costs)",
                f'=SUMIFS({self.lines_of("pv")},{self.lines_of("cashable")},"Yes")-{pv_costs}',
                r.cashable_npv,
                "money",
            ),
            (
                "pv_fiscal",
                "PV of fiscal benefits (to public budgets)",
                f'=SUMIFS({self.lines_of("pv")},{self.lines_of("value_type")},"fiscal")',
                r.pv_benefits_by_value_type["fiscal"],
                "money",
            ),
            (
                "financial_roi",
                "Financial return (PV of fiscal benefits / costs)",
                f'=IF({pv_costs}=0,"{NO_RATIO}",{at["pv_fiscal"]}/{pv_costs})',
                NO_RATIO if r.financial_roi is None else r.financial_roi,
                "ratio",
            ),
        ]
        year = self.present_value_year
        if year is not None:
            figures.append(
                (
                    "npv_at_pv_year",
                    f"NPV valued at {financial_year(year)} (present-value year)",
                    f"=SUMPRODUCT({self.years_of(self.net_row)},{self.years_of(self.factor_row)})",
                    r.npv_at_present_value_year,
                    "money",
                )
            )
        for key, label, formula, value, style in figures:
            row = RESULT_ROWS[key]
            if key == "npv_at_pv_year":  # the label follows an edited present-value year
                at_year = year_label("NPV valued at ", "PresentValueYear", " (present-value year)")
                sheet.formula(row, 1, at_year, label, "label")
            else:
                sheet.text(row, 1, label, "label")
            sheet.formula(row, 2, formula, value, style)
        # live, so that it follows the IRR when an input is edited
        irr_cell = at["irr"]
        sheet.formula(
            RESULT_ROWS["irr"],
            3,
            f'=IF(ISNUMBER({irr_cell}),IF({irr_cell}>1,"{irr_caution(2.0)}",""),'
            f'"{irr_caution(None)}")',
            irr_caution(r.irr) or "",
            "note",
        )
        nid = name_id(self.project.id)
        names = {
            "pv_costs": "PVCosts",
            "pv_benefits": "PVBenefits",
            "npv": "NPV",
            "pv_fiscal": "PVFiscalBenefits",
            "financial_roi": "FinancialROI",
            "npv_at_pv_year": "NPVAtPVYear",
        }
        for key, prefix in names.items():
            if key != "npv_at_pv_year" or year is not None:
                self.book.name(f"{prefix}_{nid}", sheet, f"$B${RESULT_ROWS[key]}")

    def by_agency(self) -> None:
        sheet = self.sheet
        sheet.text(4, 4, "Present value by agency", "section")
        sheet.header_row(5, ["Agency", "Costs (PV)", "Benefits (PV)", "Net"], start=4)
        top = AGENCY_TABLE_FIRST
        for i, agency in enumerate(self.agencies, start=top):
            sheet.text(i, 4, agency, "text")
            values = []
            for column, sections in ((5, ("costs", "risks")), (6, ("benefits",))):
                value = sum(
                    lr.pv
                    for line, lr in zip(self.lines, self.line_results, strict=True)
                    if line.agency == agency and line.section in sections
                )
                values.append(value)
                # Costs are the cost and risk columns: every column that is not a benefit.
                is_benefit = "=" if sections == ("benefits",) else "<>"
                types = f'{self.lines_of("type")}{is_benefit}"Benefit"'
                sheet.formula(
                    i,
                    column,
                    # EXACT, not a SUMIFS criterion: an agency called "*", "<>Police" or
                    # "=Fire" would be read as a pattern or a comparison, and "fire" would
                    # match "Fire"; npv-calc keeps every spelling apart.
                    f"=SUMPRODUCT(EXACT({self.lines_of('agency')},$D{i})*({types})"
                    f"*{self.lines_of('pv')})",
                    value,
                    "money",
                )
            sheet.formula(i, 7, f"=F{i}-E{i}", values[1] - values[0], "money")
        total = top + len(self.agencies)
        sheet.text(total, 4, "All", "label")
        r = self.result
        for column, value in ((5, r.pv_costs), (6, r.pv_benefits), (7, r.npv)):
            c = letter(column)
            sheet.formula(total, column, f"=SUM({c}{top}:{c}{total - 1})", value, "money total")

    # -- inputs ----------------------------------------------------------------------------

    def inputs(self) -> None:
        sheet, rows = self.sheet, self.rows
        sheet.text(self.inputs_title, 1, "Inputs (a column per line)", "section")
        sheet.note(
            self.inputs_title,
            3,
            self.last_column,
            f"Yellow cells are inputs from the scenario files ({self.book.result.scenario} "
            "scenario values); the others are formulas.",
        )
        sheet.text(self.header, 1, "Line", "header")
        sheet.text(self.header, 2, "", "header")
        for name, row in rows.items():
            label, unit = INPUT_ROWS[name]
            sheet.text(row, 1, label, "label")
            sheet.text(row, 2, unit, "note")
        base = self.result.settings.price_base_year
        tallest = 1
        for column, line, lr in zip(
            range(3, 3 + len(self.lines)), self.lines, self.line_results, strict=True
        ):
            tallest = max(tallest, sheet.wrapped(self.header, column, line.name, "header"))
            if line.section == "risks":
                self._risk_column(column, line, base)
            else:
                self._input_column(column, line, lr, base)
        sheet.height(self.header, max(30, 13 * min(tallest, 8) + 4))

    def _price(self, column: int, line: Line | Risk, base: int | None) -> float:
        """The price year and the rebasing factor to the price base year."""
        sheet, rows = self.sheet, self.rows
        L = letter(column)
        factor = price_factor(self.case, line, self.result.settings)  # type: ignore[arg-type]
        if line.price_year is not None:
            year = f"{L}{rows['price_year']}"
            sheet.number(rows["price_year"], column, line.price_year, "input year")
            sheet.formula(
                rows["price_factor"],
                column,
                f"=IF({year}=$B$10,1,INDEX(DeflatorIndex,MATCH($B$10,DeflatorYear,0))/"
                f"INDEX(DeflatorIndex,MATCH({year},DeflatorYear,0)))",
                factor,
                "factor",
            )
        else:
            sheet.text(rows["price_year"], column, "–", "centre")
            sheet.number(rows["price_factor"], column, 1.0, "factor")
        return factor

    def _choices(self, row: int, column: int, choices: tuple[str, ...]) -> None:
        """A list data validation on an input cell of text."""
        self.sheet.ws.data_validation(
            row - 1, column - 1, row - 1, column - 1, {"validate": "list", "source": list(choices)}
        )

    def _settled_note(self) -> str:
        """Why a risk's adjusted row is 0 in the years settled by outturn, when it is."""
        settled = settled_years(self.case, self.project)
        if not (settled and self.project.risks):
            return ""
        return (
            " A risk's expected cost counts only from "
            f"{financial_year(self.project.start_year + settled)}: the years before are settled "
            "by outturn (the risk happened, and its cost is in the outturn, or it did not)."
        )

    def _risk_column(self, column: int, risk: Risk, base: int | None) -> float:
        """A risk's column: its expected cost a year is probability x impact, rebased, in the
        years of ``years``; it adds to the project's costs."""
        sheet, rows = self.sheet, self.rows
        L = letter(column)
        impact = self.case.pick(self.project, risk, "impact")  # type: ignore[arg-type]
        sheet.text(rows["type"], column, "Risk", "centre")
        sheet.text(rows["agency"], column, risk.agency, "centre")
        sheet.text(rows["form"], column, "Probability × impact", "centre wrap")
        sheet.fit(rows["form"], 2)
        sheet.number(rows["probability"], column, risk.probability, "input percent")
        sheet.number(rows["impact"], column, impact, money_style(impact))
        sheet.formula(
            rows["annual"],
            column,
            f"={L}{rows['probability']}*{L}{rows['impact']}",
            risk.probability * impact,
            "money",
        )
        sheet.number(rows["first"], column, risk.years[0], "input year")
        sheet.number(rows["last"], column, risk.years[1], "input year")
        for field in (
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
        ):
            sheet.text(rows[field], column, "–", "centre")
        factor = self._price(column, risk, base)
        sheet.formula(rows["adjustment"], column, f"={L}{rows['price_factor']}", factor, "factor")
        sheet.text(rows["outturn_factor"], column, "–", "centre")
        return factor

    def _input_column(self, column: int, line: Line, lr: LineResult, base: int | None) -> float:
        sheet, rows = self.sheet, self.rows
        cost = line.section == "costs"
        values = line_inputs(self.case, self.project, line)
        L = letter(column)

        def ref(field: str) -> str:
            return f"{L}{rows[field]}"

        sheet.text(rows["type"], column, "Cost" if cost else "Benefit", "centre")
        sheet.text(rows["agency"], column, line.agency, "centre")
        sheet.text(rows["kind"], column, line.kind if cost else "–", "centre")
        sheet.text(
            rows["cashable"], column, "–" if cost else ("Yes" if line.cashable else "No"), "centre"
        )
        if cost:
            sheet.text(rows["value_type"], column, "–", "centre")
        elif line.value_type is not None:
            sheet.text(rows["value_type"], column, line.value_type, "input text")
            self._choices(rows["value_type"], column, VALUE_TYPE_CHOICES)
        else:  # a cashable saving is fiscal; a line that gives no type is unspecified
            sheet.formula(
                rows["value_type"],
                column,
                f'=IF({ref("cashable")}="Yes","fiscal","{UNSPECIFIED}")',
                line.value_kind,
                "centre",
            )
        written: set[str] = set()
        if line.amounts is not None:
            sheet.text(rows["form"], column, "Yearly amounts", "centre")
        else:
            first, last = line.years if line.years is not None else (0, self.horizon - 1)
            if line.annual is not None:
                sheet.text(rows["form"], column, "Annual", "centre")
                sheet.number(
                    rows["annual"], column, values["annual"], money_style(values["annual"])
                )
            else:
                sheet.text(rows["form"], column, "Quantity × value", "centre")
                quantity, unit = values["quantity"], values["unit_value"]
                sheet.number(rows["quantity"], column, quantity, count_style(quantity))
                sheet.number(rows["unit_value"], column, unit, money_style(unit))
                sheet.formula(
                    rows["annual"],
                    column,
                    f"={ref('quantity')}*{ref('unit_value')}",
                    quantity * unit,
                    money_style(quantity * unit, input_cell=False),
                )
                written |= {"quantity", "unit_value"}
            sheet.number(rows["first"], column, first, "input year")
            sheet.number(rows["last"], column, last, "input year")
            sheet.number(rows["growth"], column, values["growth"], "input percent")
            written |= {"annual", "first", "last", "growth"}
            if not cost:
                sheet.number(rows["drop_off"], column, values["drop_off"], "input percent")
                written.add("drop_off")
        if not cost:
            for field in ("deadweight", "displacement", "attribution"):
                sheet.number(rows[field], column, values[field], "input percent")
                written.add(field)
            if line.confidence is not None:
                sheet.number(rows["grade"], column, line.confidence, "input year")
                written.add("grade")
        ob = values["optimism_bias"]
        if line.ob_type is not None:
            sheet.fit(
                rows["ob_type"], sheet.wrapped(rows["ob_type"], column, line.ob_type, "input wrap")
            )
            self._choices(rows["ob_type"], column, tuple(params.optimism_bias_types()))
            written.add("ob_type")
        if line.optimism_bias is not None:
            sheet.number(rows["optimism_bias"], column, ob, "input percent")
        elif line.ob_type is not None:
            # the type's upper bound reduced by the mitigation, never below its lower bound
            kind = ref("ob_type")
            mitigation = f"$B${SETTING_ROWS['ob_mitigation']}"
            sheet.formula(
                rows["optimism_bias"],
                column,
                f"=MAX(INDEX(ObLower,MATCH({kind},ObType,0)),"
                f"INDEX(ObUpper,MATCH({kind},ObType,0))*(1-{mitigation}))",
                ob,
                "percent",
            )
        elif line.confidence is not None:
            sheet.formula(
                rows["optimism_bias"],
                column,
                f"=VLOOKUP({ref('grade')},GradeTable,2,FALSE)",
                ob,
                "percent",
            )
        else:
            sheet.number(rows["optimism_bias"], column, 0.0, "input percent")
        sheet.number(rows["scale"], column, values["scale"], count_style(values["scale"]))
        written |= {"optimism_bias", "scale"}
        unused = (
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
        for field in unused:
            if field not in written:
                sheet.text(rows[field], column, "–", "centre")
        price = self._price(column, line, base)
        factor = float(line_factor(line, values, price))
        scale, bias, pf = ref("scale"), ref("optimism_bias"), ref("price_factor")
        if cost:
            formula = f"={scale}*(1+{bias})*{pf}"
        else:
            formula = (
                f"={scale}*(1-{ref('deadweight')})*(1-{ref('displacement')})*"
                f"{ref('attribution')}*(1-{bias})*{pf}"
            )
        sheet.formula(rows["adjustment"], column, formula, factor, "factor")
        # Outturn (the years with actuals, in green in the flows) is rebased and, for a
        # benefit, takes the share the project caused, at the central values; no optimism
        # bias, scale, growth or drop-off (it is not a forecast).
        outturn = outturn_factor(self.case, self.project, line, self.result.settings)
        if cost:
            formula = f"={pf}"
        elif self.case.mode == "central" and not self.case.fixed:
            formula = (
                f"=(1-{ref('deadweight')})*(1-{ref('displacement')})*{ref('attribution')}*{pf}"
            )
        else:  # the inputs above hold the scenario's values; outturn takes the central ones
            share = (
                (1.0 - central(line.deadweight))
                * (1.0 - central(line.displacement))
                * central(line.attribution)
            )
            formula = f"={share!r}*{pf}"
        sheet.formula(rows["outturn_factor"], column, formula, outturn, "factor")
        return factor

    # -- yearly flows ----------------------------------------------------------------------

    def flows(self) -> None:
        sheet, result, rows = self.sheet, self.result, self.rows
        settings = result.settings
        t_row, rate_row, df_row = self.t_row, self.rate_row, self.df_row
        # The inputs and the flows each start a printed page, so that neither table is split
        # and the years head their columns.
        sheet.page_break(self.inputs_title)
        sheet.page_break(self.flows_title)
        sheet.text(self.flows_title, 1, "Yearly flows (£)", "section")
        sheet.note(
            self.flows_title,
            3,
            self.last_column,
            "Each line as entered (in its own prices), then adjusted: rebased to the price base "
            "year and after every adjustment of the inputs table. Totals are of the adjusted "
            "rows." + self._settled_note(),
        )
        sheet.text(self.flows_header, 1, "Financial year", "header")
        sheet.text(self.flows_header, 2, "", "header")
        sheet.text(t_row, 1, "Year (t)", "label")
        sheet.text(rate_row, 1, "Discount rate applied", "label")
        sheet.text(df_row, 1, "Discount factor", "label")
        year0 = settings.discount_year0
        schedule, rate, declining, year0_cell = (
            f"$B${SETTING_ROWS[key]}"
            for key in ("schedule", "discount_rate", "declining", "discount_year0")
        )
        years = range(self.horizon)
        columns = [letter(3 + t) for t in years]
        # Each row of the flows: its formulas and values by year, written as shared formulas
        # (a stretch of consecutive years at a time).
        runs: dict[int, list[tuple[int, str, object, str, str]]] = {}

        def put(row: int, formula: str, value: object, style: str, t: int, kind: str = "") -> None:
            """A formula of the row for year t; ``kind`` tells formulas of the row built from
            different templates apart (a stretch of one kind is a fill)."""
            runs.setdefault(row, []).append((3 + t, formula, value, style, kind))

        for t, c in zip(years, columns, strict=True):
            sheet.text(
                self.flows_header, 3 + t, financial_year(self.project.start_year + t), "header"
            )
            sheet.number(t_row, 3 + t, t, "year")
            # r for year t (t+1 when year 0 is discounted: TRUE counts as 1), from the bands
            # of the project's schedule
            put(
                rate_row,
                "=" + rate_lookup(schedule, f"{c}${t_row}+{year0_cell}", rate, declining),
                band_rate(
                    t + (1 if year0 else 0),
                    settings.discount_rate,
                    settings.declining,
                    settings.schedule,
                ),
                "percent",
                t,
            )
            put(
                df_row,
                f"=IF($B$7,1/(1+C{rate_row}),1)"
                if t == 0
                else f"={columns[t - 1]}{df_row}/(1+{c}{rate_row})",
                result.discount_factors[t],
                "factor",
                t,
                "first" if t == 0 else "",
            )

        nets: dict[str, list[int]] = {"costs": [], "benefits": [], "risks": []}
        settled = settled_years(self.case, self.project)
        for i, (line, lr) in enumerate(zip(self.lines, self.line_results, strict=True)):
            column = 3 + i
            gross_row, net_row = df_row + 1 + 2 * i, df_row + 2 + 2 * i
            L = letter(column)
            # A long name wraps in its "as entered" row, which grows to hold it.
            sheet.fit(gross_row, sheet.wrapped(gross_row, 1, line.name, "wrap"))
            sheet.text(gross_row, 2, "As entered", "note")
            sheet.text(net_row, 2, "Adjusted", "label")
            nets[line.section].append(net_row)
            first, last = f"${L}${rows['first']}", f"${L}${rows['last']}"
            annual, growth = f"${L}${rows['annual']}", f"${L}${rows['growth']}"
            if line.section == "risks":
                offsets = np.arange(self.horizon)
                impact = self.case.pick(self.project, line, "impact")
                active = (offsets >= line.years[0]) & (offsets <= line.years[1])
                gross = np.where(active, line.probability * impact, 0.0)
            else:
                gross = line_gross(line, line_inputs(self.case, self.project, line), self.horizon)
            change = (
                f"(1+{growth})"
                if line.section == "costs"
                else f"((1+{growth})*(1-${L}${rows['drop_off']}))"
            )
            outturn = (
                outturn_offsets(self.case, self.project, line) if line.section != "risks" else {}
            )
            for t, c in zip(years, columns, strict=True):
                if t in outturn:
                    # the outturn recorded for the year: an input, in green
                    sheet.number(gross_row, 3 + t, outturn[t], "outturn money")
                    put(
                        net_row,
                        f"={c}{gross_row}*${L}${rows['outturn_factor']}",
                        lr.flows[t],
                        "money",
                        t,
                        "outturn",
                    )
                    continue
                if line.section == "risks":
                    put(
                        gross_row,
                        f"=IF(AND({c}${t_row}>={first},{c}${t_row}<={last}),{annual},0)",
                        gross[t],
                        "money",
                        t,
                    )
                elif line.amounts is not None:
                    sheet.number(gross_row, 3 + t, gross[t], money_style(gross[t]))
                else:
                    put(
                        gross_row,
                        f"=IF(AND({c}${t_row}>={first},{c}${t_row}<={last}),"
                        f"{annual}*{change}^({c}${t_row}-{first}),0)",
                        gross[t],
                        "money",
                        t,
                    )
                if line.section == "risks" and t < settled:
                    # a settled year: the risk happened (its cost is in a cost line's outturn)
                    # or it did not, so its expected cost no longer counts
                    put(net_row, "=0", lr.flows[t], "money", t, "settled")
                    continue
                put(
                    net_row,
                    f"={c}{gross_row}*${L}${rows['adjustment']}",
                    lr.flows[t],
                    "money",
                    t,
                )
            sheet.formula(
                rows["pv"],
                column,
                f"=SUMPRODUCT({self.years_of(net_row)},{self.years_of(df_row)})",
                lr.pv,
                "money",
            )

        labels = [
            (self.costs_row, "Total costs"),
            (self.benefits_row, "Total benefits"),
            (self.net_row, "Net benefit (benefits - costs)"),
            (self.discounted_row, "Discounted net benefit"),
            (self.cumulative_row, "Cumulative discounted net benefit"),
            (self.paid_row, "Payback: the year (t) the cumulative first reaches 0"),
        ]
        if self.present_value_year is not None:
            labels += [
                (self.k_row, "Years from the present-value year (k)"),
                (self.factor_row, "Factor to the present-value year"),
            ]
            offsets = self.project.start_year + np.arange(self.horizon) - self.present_value_year
            factors = present_value_year_factors(offsets, settings)
            k0 = int(offsets[0])
            sheet.note(
                self.flows_end + 1,
                1,
                self.last_column,
                "Factor to the present-value year (Assumptions): "
                "DF(k) of this project's schedule for a year k after it, 1 / DF(-k) for a year "
                "before it (compounded forward); with year 0 discounted, k + 1. The NPV valued "
                "at the present-value year is the net benefit times this factor, summed. The "
                "formula adds ln(1 + r) over the years of each band of the schedule between the "
                f"year and the present-value year, so it holds for any k. As written (at "
                f"{financial_year(self.present_value_year)}), "
                f"{financial_year(self.project.start_year)} is k = {k0}, factor "
                f"{float(factors[0]):.4f}"
                + (
                    f" = (1 + {settings.discount_rate:.1%})^{-k0}"
                    if settings.schedule is None
                    and abs(k0) <= 30
                    and not settings.discount_year0
                    and k0
                    else ""
                )
                + ".",
            )
            start = f"$B${SETTING_ROWS['start_year']}"
            rates = schedule_rates(schedule, rate, declining)
            for t, c in zip(years, columns, strict=True):
                put(
                    self.k_row,
                    f"={start}+{c}${t_row}-PresentValueYear",
                    int(offsets[t]),
                    "year",
                    t,
                )
                put(
                    self.factor_row,
                    "=" + present_value_factor(f"{c}{self.k_row}+{year0_cell}", rates),
                    float(factors[t]),
                    "factor",
                    t,
                )
        for row, label in labels:
            sheet.text(row, 1, label, "label")
        net = result.benefits - result.costs
        discounted = net * result.discount_factors
        cumulative = np.cumsum(discounted)
        reached = cumulative >= -PAYBACK_TOLERANCE
        for t, c in zip(years, columns, strict=True):
            for row, section, totals in (
                (self.costs_row, "costs", result.costs),
                (self.benefits_row, "benefits", result.benefits),
            ):
                rows_in = nets[section] + (nets["risks"] if section == "costs" else [])
                total = "+".join(f"{c}{n}" for n in rows_in) or "0"
                put(row, f"={total}", totals[t], "money total", t)
            put(self.net_row, f"={c}{self.benefits_row}-{c}{self.costs_row}", net[t], "money", t)
            put(self.discounted_row, f"={c}{self.net_row}*{c}{df_row}", discounted[t], "money", t)
            previous = f"{columns[t - 1]}{self.cumulative_row}+" if t else ""
            put(
                self.cumulative_row,
                f"={previous}{c}{self.discounted_row}",
                cumulative[t],
                "money",
                t,
                "first" if t == 0 else "",
            )
            # Only the year the cumulative first reaches 0 (or reaches it again after falling
            # below), not every later year.
            now = f"{c}{self.cumulative_row}>=-{PAYBACK_TOLERANCE}"
            if t:
                now = f"AND({now},{columns[t - 1]}{self.cumulative_row}<-{PAYBACK_TOLERANCE})"
            first_time = bool(reached[t] and (t == 0 or not reached[t - 1]))
            put(
                self.paid_row,
                f'=IF({now},{c}${t_row},"")',
                t if first_time else "",
                "year",
                t,
                "first" if t == 0 else "",
            )
        for row, cells in runs.items():
            # each stretch of consecutive columns of one kind is a fill
            start = 0
            for k in range(1, len(cells) + 1):
                if (
                    k == len(cells)
                    or cells[k][0] != cells[k - 1][0] + 1
                    or cells[k][4] != cells[k - 1][4]
                ):
                    stretch = cells[start:k]
                    sheet.formula_fill(
                        row,
                        stretch[0][0],
                        [f for _, f, _, _, _ in stretch],
                        [v for _, _, v, _, _ in stretch],
                        stretch[0][3],
                    )
                    start = k

    def sources(self) -> int:
        sheet, project = self.sheet, self.project
        row = self.flows_end + (3 if self.present_value_year is not None else 2)
        sheet.text(row, 1, "Sources", "section")
        for i, line in enumerate(self.lines, start=1):
            name = sheet.wrapped(row + i, 1, line.name, "wrap")
            sheet.note(row + i, 2, self.last_column, line.source or "(none given)")
            if name > 1:  # the note set the height for itself: the name may need more
                sheet.height(row + i, max(sheet.row_height(row + i), LINE_HEIGHT * name + 2))
        end = row + len(self.lines)
        if project.description:
            end += 2
            sheet.text(end, 1, "Description", "wrap label")
            sheet.note(end, 2, self.last_column, " ".join(project.description.split()))
        return end


def project_sheet(book: Book, result: ProjectResult, sheet: Sheet) -> ProjectSheet:
    """Fill ``sheet`` (created in its place among the sheets) with a project's appraisal;
    returns its layout (where its rows are), for the sheets that link to it."""
    layout = ProjectSheet(book, result, sheet)
    layout.write()
    return layout


__all__ = ["INPUT_ROWS", "NOT_AVAILABLE", "RESULT_ROWS", "project_sheet"]
