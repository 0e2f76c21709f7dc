"""A project's sheet: every step from a line's inputs to the NPV as a live formula, each storing
the value npv-calc computed for it (the line's trace, :class:`~npv_calc.results.LineTrace`).

Layout, top to bottom: settings (column B) beside the present value by agency; results; the
inputs, a column per line and per risk (:mod:`~.project_inputs`); the yearly flows, a column per
year (:mod:`~.project_flows`); the sources. The sheet hands the cells other sheets link to back
as :class:`ProjectAnchors`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ...model import COUNTS, STARTS_AFTER_TARGET_YEAR, STATUS_NOT_COUNTED, Option, financial_year
from ...results.appraisal import ProjectResult
from .anchors import Cell, Span, at, fixed_column
from .cells import LINE_HEIGHT, Book, Sheet
from .discounting import SCHEDULE_CHOICES, schedule_text
from .formulas import name_id, year_label
from .project_flows import flows
from .project_inputs import inputs
from .project_layout import (
    AGENCY_COLUMN,
    AGENCY_TABLE_FIRST,
    FIRST,
    NO_IRR,
    NO_PAYBACK,
    NO_RATIO,
    RESULT_NAMES,
    RESULT_ROWS,
    RESULTS_TITLE,
    SETTING_NAMES,
    SETTING_ROWS,
    VALUES,
    ProjectLayout,
)


@dataclass(frozen=True)
class ProjectAnchors:
    """The cells of a project's sheet that other sheets link to."""

    sheet: str
    #: each figure of the results block (``npv``, ``bcr``, ``payback``, ...)
    results: Mapping[str, Cell]
    #: each agency's PV of costs and of benefits ("Present value by agency")
    agencies: Mapping[str, tuple[Cell, Cell]]
    #: the inputs table's present value and value type of every line
    line_pv: Span
    line_value_type: Span
    #: the inputs table's "Cost or benefit" row (``Cost``, ``Benefit`` or ``Risk``)
    line_type: Span
    #: the yearly rows: total costs, total benefits, discounted net benefit
    costs: Span
    benefits: Span
    discounted: Span
    #: each line's adjusted yearly row, in the order of ``ProjectResult.all_lines``
    adjusted: tuple[Span, ...] = ()


#: How an option sheet's subtitle names an option's role.
_ROLE_WORDS = {"bau": "business as usual", "do-minimum": "the do-minimum", "option": "an option"}


def project_agencies(
    result: ProjectResult, declared: tuple[str, ...] | list[str] = ()
) -> list[str]:
    """A project's agencies in the order of its "Present value by agency" table: those the
    portfolio declares, in its order, then the others as the lines name them."""
    named = list(dict.fromkeys(lr.line.agency for lr in result.all_lines))
    return [a for a in declared if a in named] + [a for a in named if a not in declared]


def payback_text(result: ProjectResult) -> str:
    """The payback year as the results block shows it (``2023/24``, or that it is not
    reached within the horizon)."""
    return NO_PAYBACK if result.payback_year is None else financial_year(result.payback_year)


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


def _counts_words(result: ProjectResult) -> str:
    return {
        COUNTS: "counts toward the target",
        STARTS_AFTER_TARGET_YEAR: "does not count toward the target (it starts after the "
        "target year)",
        STATUS_NOT_COUNTED: f"does not count toward the target (status {result.project.status})",
    }[result.counts_because]


def project_sheet(
    book: Book, sheet: Sheet, result: ProjectResult, option: Option | None = None
) -> ProjectAnchors:
    """Fill ``sheet`` (created in its place among the sheets) with a project's appraisal;
    returns the cells other sheets link to.

    With ``option``, the sheet is that option of the project's shortlist appraised like a
    project (``result``: its appraisal, with what it includes): the same calculation, its own
    title, and no defined names (the Options sheet names its figures against business as
    usual, ``NPV_<ID>_<OPTION>``).
    """
    pack = book.pack
    agencies = tuple(project_agencies(result, pack.result.portfolio.agencies or ()))
    layout = ProjectLayout(
        sheet.title,
        result.settings.horizon,
        len(result.all_lines),
        agencies,
        pack.result.present_value_year,
    )
    project = result.project
    partners = (
        f"Partners: {', '.join(project.partners)}"
        if project.partners
        else f"Agencies (from its lines): {', '.join(agencies)}"
    )
    if option is None:
        sheet.title_band(
            f"{project.id} — {project.name}",
            f"Status: {project.status}. {partners}. Appraised {result.span}; "
            f"{_counts_words(result)}.",
        )
    else:
        sheet.title_band(
            f"{project.id} option {option.id} — {option.name}",
            f"An option of {project.id}'s shortlist ({_ROLE_WORDS.get(option.role, option.role)}"
            + (f", with the lines of {option.includes}" if option.includes else "")
            + f"), appraised like a project over {result.span}. Its figures against business "
            "as usual are on the Options sheet; the project's own sheet is its preferred option "
            "against business as usual.",
        )
    sheet.width(1, 42)
    sheet.width(2, 14)
    for column in range(FIRST, layout.last_column + 1):
        sheet.width(column, 13)
    _settings(book, sheet, result)
    results = _results(book, sheet, result, layout, define=option is None)
    by_agency = _by_agency(sheet, result, layout)
    inputs(book, sheet, result, layout)
    flows(sheet, result, layout)
    end = _sources(sheet, result, layout)
    sheet.finish(layout.last_column, end, freeze=(2, 2))
    return ProjectAnchors(
        sheet=sheet.title,
        results=results,
        agencies=by_agency,
        line_pv=layout.lines_of("pv"),
        line_value_type=layout.lines_of("value_type"),
        line_type=layout.lines_of("type"),
        costs=layout.years_of(layout.costs_row),
        benefits=layout.years_of(layout.benefits_row),
        discounted=layout.years_of(layout.discounted_row),
        adjusted=tuple(layout.years_of(layout.net_row(i)) for i in range(layout.lines)),
    )


def _own_settings(book: Book, result: ProjectResult) -> set[str]:
    """The settings that are the project's own (from its file), not those of Assumptions."""
    run = book.pack.result
    own = {k for k in result.project.overrides.names() if k not in run.overrides}
    # The schedule is the project's own when its file gives a schedule or a discount_rate (a
    # rate of its own drops the portfolio's schedule: the more specific setting wins), or when
    # it differs from the portfolio's; --set applies to both.
    if "discount_rate" in own or result.settings.schedule != run.settings.schedule:
        own.add("schedule")
    return own


def _settings(book: Book, sheet: Sheet, result: ProjectResult) -> None:
    settings = result.settings
    own = _own_settings(book, result)
    sheet.text(4, 1, "Settings", "section")
    rows = [
        ("Discount rate, years 1-30", "discount_rate", "input percent", settings.discount_rate),
        ("Declining schedule after year 30", "declining", "input text", settings.declining),
        ("Year 0 discounted", "discount_year0", "input text", settings.discount_year0),
        ("Start year (year 0)", "start_year", "year", result.project.start_year),
        ("Horizon (years)", "horizon", "year", settings.horizon),
        ("Price base year", "price_base_year", "input year", settings.price_base_year),
        ("Discount schedule", "schedule", "input text", schedule_text(settings.schedule)),
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
                sheet.text(row, VALUES, value, style)
                sheet.choices(row, VALUES, SCHEDULE_CHOICES)
            else:
                sheet.formula(row, VALUES, f"={linked}", value, "text")
        elif key in own or linked is None:
            sheet.number(row, VALUES, value, style)  # type: ignore[arg-type]
        elif value is None:
            # A setting the portfolio leaves out (no price base year): empty, as its cell on
            # Assumptions is, until one is entered there.
            sheet.formula(
                row, VALUES, f'=IF({linked}="","",{linked})', "", style.replace("input ", "")
            )
        else:
            sheet.formula(row, VALUES, f"={linked}", value, style.replace("input ", ""))
    if own:
        sheet.text(
            max(SETTING_ROWS.values()) + 1,
            1,
            "Yellow settings are this project's own (from its file); the others follow "
            "Assumptions.",
            "note",
        )


def _results(
    book: Book, sheet: Sheet, r: ProjectResult, layout: ProjectLayout, define: bool = True
) -> dict[str, Cell]:
    """The results block (live formulas of the flows), its defined names (unless not
    ``define``), and its cells."""
    figures = _result_figures(r, layout)
    heading = "Results (discounted to year 0"
    heading += "; the last one to the present-value year)" if layout.present_value_year else ")"
    sheet.text(RESULTS_TITLE, 1, heading, "section")
    for key, label, formula, value, style in figures:
        row = RESULT_ROWS[key]
        if key == "npv_at_pv_year":  # the label follows an edited present-value year
            at_year = year_label("NPV valued at ", "PresentValueYear", " (present-value year)")
            sheet.formula(row, 1, at_year, label, "label")
        else:
            sheet.text(row, 1, label, "label")
        sheet.formula(row, VALUES, formula, value, style)
    # live, so that it follows the IRR when an input is edited
    irr_cell = layout.result("irr")
    sheet.formula(
        RESULT_ROWS["irr"],
        VALUES + 1,
        f'=IF(ISNUMBER({irr_cell}),IF({irr_cell}>1,"{irr_caution(2.0)}",""),"{irr_caution(None)}")',
        irr_caution(r.irr) or "",
        "note",
    )
    cells = {key: sheet.cell(RESULT_ROWS[key], VALUES) for key, *_ in figures}
    nid = name_id(r.project.id)
    for key, prefix in RESULT_NAMES.items():
        if define and key in cells:
            book.define(f"{prefix}_{nid}", cells[key])
    return cells


def _result_figures(
    r: ProjectResult, layout: ProjectLayout
) -> list[tuple[str, str, str, object, str]]:
    """Each figure of the results block: key, label, formula, value and style."""
    costs = layout.years_of(layout.costs_row).fixed
    benefits = layout.years_of(layout.benefits_row).fixed
    df, paid = layout.years_of(layout.df_row).fixed, layout.years_of(layout.paid_row).fixed
    net = layout.years_of(layout.net_total_row).fixed
    start = layout.setting("start_year")
    # IRR from npv-calc's own root as the guess, so that a spreadsheet finds the same root of a
    # flow with several (and converges where it might not from its default of 10%).
    guess = f",{r.irr!r}" if r.irr is not None else ""
    pv_costs, pv_benefits, npv = (layout.result(k) for k in ("pv_costs", "pv_benefits", "npv"))
    figures: list[tuple[str, str, str, object, str]] = [
        ("pv_costs", "PV of costs", f"=SUMPRODUCT({costs},{df})", r.pv_costs, "money"),
        ("pv_benefits", "PV of benefits", f"=SUMPRODUCT({benefits},{df})", r.pv_benefits, "money"),
        (
            "pv_benefits_to_come",
            "PV of benefits still to come (no outturn yet)",
            f"=SUMPRODUCT({layout.years_of(layout.to_come_row).fixed},{df})",
            r.pv_benefits_to_come,
            "money",
        ),
        ("npv", "Net present value (NPV)", f"={pv_benefits}-{pv_costs}", r.npv, "money key"),
        (
            "bcr",
            "Benefit-cost ratio (BCR)",
            f'=IF({pv_costs}<=0,"{NO_RATIO}",{pv_benefits}/{pv_costs})',
            NO_RATIO if r.bcr is None else r.bcr,
            "ratio",
        ),
        (
            "roi",
            "Return on investment (NPV / PV of costs)",
            f'=IF({pv_costs}<=0,"{NO_RATIO}",{npv}/{pv_costs})',
            NO_RATIO if r.roi is None else r.roi,
            "percent",
        ),
        (
            "payback",
            "Payback year (cumulative discounted net >= 0)",
            f'=IF(COUNT({paid})=0,"{NO_PAYBACK}",({start}+MIN({paid}))'
            f'&"/"&TEXT(MOD({start}+MIN({paid})+1,100),"00"))',
            payback_text(r),
            "ratio",
        ),
        (
            "irr",
            "Internal rate of return (IRR)",
            # Without both an outlay and a return no rate gives an NPV of 0: Excel and
            # LibreOffice then give an error, but Gnumeric gives its guess (10%). A rate at or
            # below -100% is no rate of return (1 + r would be 0 or negative), though an
            # engine's search may land on one where npv-calc finds none (LibreOffice: -128.9%).
            f"=IF(AND(MAX({net})>0,MIN({net})<0),IFERROR(IF(IRR({net}{guess})>-1,"
            f'IRR({net}{guess}),"{NO_IRR}"),"{NO_IRR}"),"{NO_IRR}")',
            NO_IRR if r.irr is None else r.irr,
            "percent",
        ),
        (
            "cashable_npv",
            "Cashable NPV (cashable benefits - costs)",
            f'=SUMIFS({layout.lines_of("pv").fixed},{layout.lines_of("cashable").fixed},"Yes")'
            f"-{pv_costs}",
            r.cashable_npv,
            "money",
        ),
        (
            "pv_fiscal",
            "PV of fiscal benefits (to public budgets)",
            f"=SUMIFS({layout.lines_of('pv').fixed},{layout.lines_of('value_type').fixed},"
            '"fiscal")',
            r.pv_benefits_by_value_type["fiscal"],
            "money",
        ),
        (
            "financial_roi",
            "Financial return (PV of fiscal benefits / costs)",
            f'=IF({pv_costs}<=0,"{NO_RATIO}",{layout.result("pv_fiscal")}/{pv_costs})',
            NO_RATIO if r.financial_roi is None else r.financial_roi,
            "ratio",
        ),
    ]
    year = layout.present_value_year
    if year is not None:
        factors = layout.years_of(layout.factor_row).fixed
        figures.append(
            (
                "npv_at_pv_year",
                f"NPV valued at {financial_year(year)} (present-value year)",
                f"=SUMPRODUCT({net},{factors})",
                r.npv_at_present_value_year,
                "money",
            )
        )
    return figures


def _by_agency(
    sheet: Sheet, result: ProjectResult, layout: ProjectLayout
) -> dict[str, tuple[Cell, Cell]]:
    """Present value by agency: live sums of the inputs table's present values."""
    column = AGENCY_COLUMN
    sheet.text(4, column, "Present value by agency", "section")
    sheet.header_row(5, ["Agency", "Costs (PV)", "Benefits (PV)", "Net"], start=column)
    top = AGENCY_TABLE_FIRST
    agency_cells, types = layout.lines_of("agency").fixed, layout.lines_of("type").fixed
    pv = layout.lines_of("pv").fixed
    cells = {}
    for i, agency in enumerate(layout.agencies, start=top):
        sheet.text(i, column, agency, "text")
        values = []
        for offset, sections in ((1, ("costs", "risks")), (2, ("benefits",))):
            value = sum(
                lr.pv
                for lr in result.all_lines
                if lr.line.agency == agency and lr.line.section in sections
            )
            values.append(value)
            # Costs are the cost and risk columns: every column that is not a benefit.
            is_benefit = "=" if sections == ("benefits",) else "<>"
            sheet.array_formula(
                i,
                column + offset,
                # EXACT, not a SUMIFS criterion: an agency called "*", "<>Police" or "=Fire"
                # would be read as a pattern or a comparison, and "fire" would match "Fire";
                # npv-calc keeps every spelling apart.
                f"=SUMPRODUCT(EXACT({agency_cells},{fixed_column(i, column)})"
                f'*({types}{is_benefit}"Benefit")*{pv})',
                value,
                "money",
            )
        net = f"={at(i, column + 2)}-{at(i, column + 1)}"
        sheet.formula(i, column + 3, net, values[1] - values[0], "money")
        cells[agency] = (sheet.cell(i, column + 1), sheet.cell(i, column + 2))
    total = top + len(layout.agencies)
    sheet.text(total, column, "All", "label")
    for offset, value in ((1, result.pv_costs), (2, result.pv_benefits), (3, result.npv)):
        c = column + offset
        sheet.formula(
            total, c, f"=SUM({sheet.span(top, c, total - 1, c).local})", value, "money total"
        )
    return cells


def _sources(sheet: Sheet, result: ProjectResult, layout: ProjectLayout) -> int:
    """Each line's source, and the project's description; returns the sheet's last row."""
    project = result.project
    row = layout.flows_end + (3 if layout.present_value_year is not None else 2)
    sheet.text(row, 1, "Sources", "section")
    for i, lr in enumerate(result.all_lines, start=1):
        name = sheet.wrapped(row + i, 1, lr.line.name, "wrap")
        sheet.note(row + i, 2, layout.last_column, lr.line.source or "(none given)")
        if name > 1:  # the note set the height for itself: the name may need more
            sheet.height(row + i, max(sheet.row_height(row + i), LINE_HEIGHT * name + 2))
    end = row + len(result.all_lines)
    if project.description:
        end += 2
        sheet.text(end, 1, "Description", "wrap label")
        sheet.note(end, 2, layout.last_column, " ".join(project.description.split()))
    return end
