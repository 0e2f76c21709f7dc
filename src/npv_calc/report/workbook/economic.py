"""The workbook's ``Economic case`` sheet: the figures a Green Book economic case reports for each
project, its non-monetised impacts and its value-for-money statement.

The figures are live links to the project sheets (their defined names, or sums of their inputs
table by value type), so they follow any edited input. The impacts are input text, and the
statements are text npv-calc wrote from the figures when it wrote the workbook: the sheet says
so, as recalculating cannot change them.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...model import financial_year
from ...results.appraisal import VALUE_KINDS, ProjectResult
from .anchors import at as at_
from .cells import Book, Sheet
from .formulas import name_id, year_label
from .project import NO_RATIO, ProjectAnchors

#: Each column of the projects table: key, header and width.
_COLUMNS = (
    ("id", "ID", 9),
    ("name", "Project", 28),
    ("npv", "Net present social value (NPSV)", 13),
    ("costs", "PV of costs", 13),
    ("benefits", "PV of benefits", 13),
    ("bcr", "BCR", 7),
    ("fiscal", "Fiscal benefits (PV)", 12),
    ("economic", "Economic benefits (PV)", 12),
    ("social", "Social benefits (PV)", 12),
    ("unspecified", "Benefits with no value type (PV)", 12),
    ("financial_roi", "Financial return", 9),
    ("npv_at_pv_year", "NPSV at the present-value year", 13),
    ("fall", "Benefits could fall by", 10),
    ("rise", "Costs could rise by", 10),
    ("impacts", "Non-monetised impacts", 10),
)


def economic_case_sheet(book: Book, sheet: Sheet, projects: Mapping[str, ProjectAnchors]) -> None:
    """The Economic case sheet: a row of figures per project, the non-monetised impacts and
    the value-for-money statements."""
    result = book.pack.result
    year = result.present_value_year
    columns = [c for c in _COLUMNS if c[0] != "npv_at_pv_year" or year is not None]
    at = {key: i for i, (key, _, _) in enumerate(columns, start=1)}
    last_column = len(columns)
    sheet.widths_from([width for _, _, width in columns])
    written = f"{book.created:%d %B %Y}"
    sheet.title_band(
        "Economic case",
        f"{result.scenario.capitalize()} scenario. The figures a Green Book economic case "
        "reports for each project (live links to the project sheets), the impacts the figures "
        f"leave out, and each project's value-for-money statement (text written by npv-calc on "
        f"{written}).",
    )
    cases = book.pack.cases

    # -- the figures, a row per project --------------------------------------------------
    sheet.text(4, 1, "Value for money by project", "section")
    pv_year = (
        " NPSV at the present-value year (Assumptions): each project valued at that year "
        "(its sheet's Factor to the present-value year row)."
        if year is not None
        else ""
    )
    sheet.note(
        5,
        1,
        last_column,
        "NPSV: the net present social value, the NPV of every cost and benefit to society, "
        "discounted to the project's own year 0. Benefits by value type (local partnerships "
        "guidance): fiscal (to public budgets; cashable savings are fiscal), economic, social. "
        "Financial return: PV of fiscal benefits / PV of costs. Switching values: how far "
        "benefits could fall, or costs rise, before the NPSV reaches 0 (in red where it is "
        f"already below 0: how far they must rise, or fall).{pv_year}",
    )
    labels = [
        f"NPSV at {financial_year(year)}" if key == "npv_at_pv_year" and year else label
        for key, label, _ in columns
    ]

    def c(key: str, r: int) -> str:
        return at_(r, at[key])

    rows = []
    for r, project in zip(
        sheet.table(6, labels, len(result.projects), last_column), result.projects, strict=True
    ):
        if not rows and year is not None:  # the header follows an edited present-value year
            column = at["npv_at_pv_year"]
            header = year_label("NPSV at ", "PresentValueYear")
            sheet.formula(6, column, header, labels[column - 1], "header")
        rows.append(r)
        nid = name_id(project.id)
        anchors = projects[project.id]
        by_type = project.pv_benefits_by_value_type
        sheet.text(r, at["id"], project.id, "text")
        sheet.fit(r, sheet.wrapped(r, at["name"], project.project.name, "wrap"))
        sheet.formula(r, at["npv"], f"=NPV_{nid}", project.npv, "money")
        sheet.formula(r, at["costs"], f"=PVCosts_{nid}", project.pv_costs, "money")
        sheet.formula(r, at["benefits"], f"=PVBenefits_{nid}", project.pv_benefits, "money")
        sheet.formula(
            r,
            at["bcr"],
            f'=IF({c("costs", r)}=0,"{NO_RATIO}",{c("benefits", r)}/{c("costs", r)})',
            NO_RATIO if project.bcr is None else project.bcr,
            "ratio",
        )
        sheet.formula(r, at["fiscal"], f"=PVFiscalBenefits_{nid}", by_type["fiscal"], "money")
        pv, types = anchors.line_pv.on, anchors.line_value_type.on
        for kind in VALUE_KINDS[1:]:
            sheet.formula(
                r,
                at[kind],
                f'=SUMIFS({pv},{types},"{kind}")',
                by_type[kind],
                "money",
            )
        roi = project.financial_roi
        sheet.formula(
            r,
            at["financial_roi"],
            f"=FinancialROI_{nid}",
            NO_RATIO if roi is None else roi,
            "ratio",
        )
        if year is not None:
            sheet.formula(
                r,
                at["npv_at_pv_year"],
                f"=NPVAtPVYear_{nid}",
                project.npv_at_present_value_year,
                "money",
            )
        _switching(sheet, r, at, project)
        # the impacts are text written with the workbook (the table below): so is their count
        sheet.number(r, at["impacts"], len(project.project.impacts), "count")
    total = rows[-1] + 1
    _total(book, sheet, total, rows, at, year)

    # -- the non-monetised impacts --------------------------------------------------------
    impacts_title = total + 2
    impacts_header = impacts_title + 1
    count_impacts = sum(len(p.project.impacts) for p in result.projects)
    sheet.keep_with_next(impacts_title, 4, last_column)
    sheet.text(impacts_title, 1, "Non-monetised impacts", "section")
    sheet.text(
        impacts_title,
        3,
        "What the figures leave out, as recorded in the project files: weigh them with the "
        "figures.",
        "note",
    )
    impact_labels = ["Project", "Impact", "Direction", "Materiality", "Description"]
    impact_labels += [""] * (last_column - len(impact_labels))
    end = impacts_header
    if not count_impacts:
        sheet.header_row(impacts_header, impact_labels)
        end = impacts_header + 1
        sheet.text(end, 1, "None recorded.", "note")
    else:
        impacts = [(p, i) for p in result.projects for i in p.project.impacts]
        for r, (project, impact) in zip(
            sheet.table(impacts_header, impact_labels, count_impacts, last_column),
            impacts,
            strict=True,
        ):
            sheet.text(r, 1, project.id, "text")
            lines = sheet.wrapped(r, 2, impact.name, "wrap")
            sheet.text(r, 3, impact.direction, "centre")
            sheet.text(r, 4, impact.materiality, "centre")
            described = " ".join(impact.description.split()) or "–"
            lines = max(lines, sheet.wrapped(r, 5, described, "wrap", last=last_column))
            sheet.fit(r, lines)
            end = r

    # -- the value-for-money statements: text written with the workbook -------------------
    row = end + 2
    sheet.keep_with_next(row, 4, last_column)
    sheet.text(row, 1, "Value-for-money statements", "section")
    sheet.note(
        row + 1,
        1,
        last_column,
        f"As written by npv-calc on {written} from the {result.scenario} scenario's figures "
        "(and the pessimistic scenario, the switching values and, when simulated, the Monte "
        "Carlo draws); recalculating does not change it. npv-calc case prints the same "
        "statements.",
    )
    r = row + 1
    for case in cases:
        r += 1
        sheet.text(r, 1, case.id, "label")
        sheet.fit(r, sheet.wrapped(r, 2, case.statement, "wrap", last=last_column), most=14)
    sheet.finish(last_column, r, freeze=(2, 0))


def _switching(sheet: Sheet, r: int, at: dict[str, int], project: ProjectResult) -> None:
    npv, benefits, costs = (at_(r, at[k]) for k in ("npv", "benefits", "costs"))
    fall = project.npv / project.pv_benefits if project.pv_benefits else None
    rise = project.npv / project.pv_costs if project.pv_costs else None
    sheet.formula(
        r,
        at["fall"],
        f'=IF({benefits}=0,"{NO_RATIO}",{npv}/{benefits})',
        NO_RATIO if fall is None else fall,
        "benefits fall",
    )
    sheet.formula(
        r,
        at["rise"],
        f'=IF({costs}=0,"{NO_RATIO}",{npv}/{costs})',
        NO_RATIO if rise is None else rise,
        "costs rise",
    )


def _total(
    book: Book,
    sheet: Sheet,
    total: int,
    rows: list[int],
    at: dict[str, int],
    year: int | None,
) -> None:
    """The portfolio's row: the sums, its BCR and financial return."""
    result = book.pack.result
    sheet.text(total, at["name"], "Portfolio", "label")
    by_type = result.pv_benefits_by_value_type
    sums = {
        "npv": result.npv,
        "costs": result.pv_costs,
        "benefits": result.pv_benefits,
        **by_type,
    }
    if year is not None:
        sums["npv_at_pv_year"] = result.npv_at_present_value_year  # type: ignore[assignment]
    cells = {}
    for key, value in sums.items():
        cells[key] = at_(total, at[key])
        column = sheet.span(rows[0], at[key], rows[-1], at[key]).local
        sheet.formula(total, at[key], f"=SUM({column})", value, "money total")
    costs, benefits = cells["costs"], cells["benefits"]
    pv_costs = result.pv_costs
    sheet.formula(
        total,
        at["bcr"],
        f'=IF({costs}=0,"{NO_RATIO}",{benefits}/{costs})',
        result.pv_benefits / pv_costs if pv_costs else NO_RATIO,
        "ratio",
    )
    roi = result.financial_roi
    sheet.formula(
        total,
        at["financial_roi"],
        f'=IF({costs}=0,"{NO_RATIO}",{cells["fiscal"]}/{costs})',
        NO_RATIO if roi is None else roi,
        "ratio",
    )
    book.define("PortfolioFinancialROI", sheet.cell(total, at["financial_roi"]))
    if year is not None:
        book.define("PortfolioNPVAtPVYear", sheet.cell(total, at["npv_at_pv_year"]))
    column = sheet.span(rows[0], at["impacts"], rows[-1], at["impacts"]).local
    count = sum(len(p.project.impacts) for p in result.projects)
    sheet.formula(total, at["impacts"], f"=SUM({column})", count, "count")
