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
from ...results.uncertainty import SwitchingValue
from .anchors import at
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
    ("fall", "Benefits still to come could fall by", 11),
    ("rise", "Costs could rise by", 10),
    ("impacts", "Non-monetised impacts", 10),
)


class _Table:
    """The figures table's columns, numbered from 1 (the present-value year's only with one)."""

    def __init__(self, year: int | None):
        self.year = year
        self.columns = [c for c in _COLUMNS if c[0] != "npv_at_pv_year" or year is not None]
        self.at = {key: i for i, (key, _, _) in enumerate(self.columns, start=1)}
        self.last = len(self.columns)

    def cell(self, key: str, row: int) -> str:
        """The address of a column's cell in a row (``F7``)."""
        return at(row, self.at[key])

    @property
    def labels(self) -> list[str]:
        year = self.year
        return [
            f"NPSV at {financial_year(year)}" if key == "npv_at_pv_year" and year else label
            for key, label, _ in self.columns
        ]


def economic_case_sheet(book: Book, sheet: Sheet, projects: Mapping[str, ProjectAnchors]) -> None:
    """The Economic case sheet: a row of figures per project, the non-monetised impacts and
    the value-for-money statements."""
    result = book.pack.result
    table = _Table(result.present_value_year)
    sheet.widths_from([width for _, _, width in table.columns])
    sheet.title_band(
        "Economic case",
        f"{result.scenario.capitalize()} scenario. The figures a Green Book economic case "
        "reports for each project (live links to the project sheets), the impacts the figures "
        f"leave out, and each project's value-for-money statement (text written by npv-calc on "
        f"{book.created:%d %B %Y}).",
    )
    total = _figures(book, sheet, table, projects)
    end = _impacts(book, sheet, table, total + 2)
    end = _statements(book, sheet, table, end + 2)
    sheet.finish(table.last, end, freeze=(2, 0))


def _figures(
    book: Book, sheet: Sheet, table: _Table, projects: Mapping[str, ProjectAnchors]
) -> int:
    """A row of figures per project, then the portfolio's; returns the portfolio's row."""
    result = book.pack.result
    sheet.text(4, 1, "Value for money by project", "section")
    pv_year = (
        " NPSV at the present-value year (Assumptions): each project valued at that year "
        "(its sheet's Factor to the present-value year row)."
        if table.year is not None
        else ""
    )
    sheet.note(
        5,
        1,
        table.last,
        "NPSV: the net present social value, the NPV of every cost and benefit to society, "
        "discounted to the project's own year 0. Benefits by value type (local partnerships "
        "guidance): fiscal (to public budgets; cashable savings are fiscal), economic, social. "
        "Financial return: PV of fiscal benefits / PV of costs. Switching values: how far "
        "the benefits still to come (outturn recorded cannot fall) could fall, or costs rise, "
        "before the NPSV reaches 0 (in red where it is already below 0: how far they must "
        f"rise, or fall).{pv_year}",
    )
    labels = table.labels
    rows: list[int] = []
    switching = {value.project: value for value in book.pack.switching_values}
    for r, project in zip(
        sheet.table(6, labels, len(result.projects), table.last), result.projects, strict=True
    ):
        if not rows and table.year is not None:  # the header follows an edited year
            column = table.at["npv_at_pv_year"]
            header = year_label("NPSV at ", "PresentValueYear")
            sheet.formula(6, column, header, labels[column - 1], "header")
        rows.append(r)
        _project_row(sheet, table, r, project, projects[project.id])
        _switching(sheet, table, r, switching[project.id])
        # the impacts are text written with the workbook (the table below): so is their count
        sheet.number(r, table.at["impacts"], len(project.project.impacts), "count")
    total = rows[-1] + 1
    _total(book, sheet, table, total, rows)
    return total


def _project_row(
    sheet: Sheet, table: _Table, r: int, project: ProjectResult, anchors: ProjectAnchors
) -> None:
    """A project's figures, linked to its sheet."""
    c = table.at
    nid = name_id(project.id)
    by_type = project.pv_benefits_by_value_type
    sheet.text(r, c["id"], project.id, "text")
    sheet.fit(r, sheet.wrapped(r, c["name"], project.project.name, "wrap"))
    sheet.formula(r, c["npv"], f"=NPV_{nid}", project.npv, "money")
    sheet.formula(r, c["costs"], f"=PVCosts_{nid}", project.pv_costs, "money")
    sheet.formula(r, c["benefits"], f"=PVBenefits_{nid}", project.pv_benefits, "money")
    costs, benefits = table.cell("costs", r), table.cell("benefits", r)
    sheet.formula(
        r,
        c["bcr"],
        f'=IF({costs}<=0,"{NO_RATIO}",{benefits}/{costs})',
        NO_RATIO if project.bcr is None else project.bcr,
        "ratio",
    )
    sheet.formula(r, c["fiscal"], f"=PVFiscalBenefits_{nid}", by_type["fiscal"], "money")
    pv, types = anchors.line_pv.on, anchors.line_value_type.on
    for kind in VALUE_KINDS[1:]:
        sheet.formula(r, c[kind], f'=SUMIFS({pv},{types},"{kind}")', by_type[kind], "money")
    roi = project.financial_roi
    roi_value = NO_RATIO if roi is None else roi
    sheet.formula(r, c["financial_roi"], f"=FinancialROI_{nid}", roi_value, "ratio")
    if table.year is not None:
        value = project.npv_at_present_value_year
        sheet.formula(r, c["npv_at_pv_year"], f"=NPVAtPVYear_{nid}", value, "money")


def _switching(sheet: Sheet, table: _Table, r: int, value: SwitchingValue) -> None:
    """How far benefits still to come could fall, or costs rise, before the NPSV reaches 0
    (live)."""
    npv, costs = (table.cell(k, r) for k in ("npv", "costs"))
    benefits = f"PVBenefitsToCome_{name_id(value.project)}"
    fall, rise = value.benefits_fall, value.costs_rise
    sheet.formula(
        r,
        table.at["fall"],
        f'=IF({benefits}=0,"{NO_RATIO}",{npv}/{benefits})',
        NO_RATIO if fall is None else fall,
        "benefits fall",
    )
    sheet.formula(
        r,
        table.at["rise"],
        f'=IF({costs}<=0,"{NO_RATIO}",{npv}/{costs})',
        NO_RATIO if rise is None else rise,
        "costs rise",
    )


def _total(book: Book, sheet: Sheet, table: _Table, total: int, rows: list[int]) -> None:
    """The portfolio's row: the sums, its BCR and financial return."""
    result = book.pack.result
    sheet.text(total, table.at["name"], "Portfolio", "label")
    sums: dict[str, float | None] = {
        "npv": result.npv,
        "costs": result.pv_costs,
        "benefits": result.pv_benefits,
        **result.pv_benefits_by_value_type,
    }
    if table.year is not None:
        sums["npv_at_pv_year"] = result.npv_at_present_value_year
    for key, value in sums.items():
        column = sheet.span(rows[0], table.at[key], rows[-1], table.at[key]).local
        sheet.formula(total, table.at[key], f"=SUM({column})", value, "money total")
    costs, benefits = table.cell("costs", total), table.cell("benefits", total)
    sheet.formula(
        total,
        table.at["bcr"],
        f'=IF({costs}=0,"{NO_RATIO}",{benefits}/{costs})',
        NO_RATIO if result.bcr is None else result.bcr,
        "ratio",
    )
    roi = result.financial_roi
    sheet.formula(
        total,
        table.at["financial_roi"],
        f'=IF({costs}=0,"{NO_RATIO}",{table.cell("fiscal", total)}/{costs})',
        NO_RATIO if roi is None else roi,
        "ratio",
    )
    book.define("PortfolioFinancialROI", sheet.cell(total, table.at["financial_roi"]))
    if table.year is not None:
        book.define("PortfolioNPVAtPVYear", sheet.cell(total, table.at["npv_at_pv_year"]))
    column = sheet.span(rows[0], table.at["impacts"], rows[-1], table.at["impacts"]).local
    count = sum(len(p.project.impacts) for p in result.projects)
    sheet.formula(total, table.at["impacts"], f"=SUM({column})", count, "count")


def _impacts(book: Book, sheet: Sheet, table: _Table, title: int) -> int:
    """The non-monetised impacts, a row each; returns the last row."""
    result = book.pack.result
    header = title + 1
    count = sum(len(p.project.impacts) for p in result.projects)
    sheet.keep_with_next(title, 4, table.last)
    sheet.text(title, 1, "Non-monetised impacts", "section")
    sheet.text(
        title,
        3,
        "What the figures leave out, as recorded in the project files: weigh them with the "
        "figures.",
        "note",
    )
    labels = ["Project", "Impact", "Direction", "Materiality", "Description"]
    labels += [""] * (table.last - len(labels))
    if not count:
        sheet.header_row(header, labels)
        sheet.text(header + 1, 1, "None recorded.", "note")
        return header + 1
    end = header
    impacts = [(p, i) for p in result.projects for i in p.project.impacts]
    for r, (project, impact) in zip(
        sheet.table(header, labels, count, table.last), impacts, strict=True
    ):
        sheet.text(r, 1, project.id, "text")
        lines = sheet.wrapped(r, 2, impact.name, "wrap")
        sheet.text(r, 3, impact.direction, "centre")
        sheet.text(r, 4, impact.materiality, "centre")
        described = " ".join(impact.description.split()) or "–"
        lines = max(lines, sheet.wrapped(r, 5, described, "wrap", last=table.last))
        sheet.fit(r, lines)
        end = r
    return end


def _statements(book: Book, sheet: Sheet, table: _Table, row: int) -> int:
    """Each project's value-for-money statement, text written with the workbook; returns the
    last row."""
    result = book.pack.result
    sheet.keep_with_next(row, 4, table.last)
    sheet.text(row, 1, "Value-for-money statements", "section")
    sheet.note(
        row + 1,
        1,
        table.last,
        f"As written by npv-calc on {book.created:%d %B %Y} from the {result.scenario} "
        "scenario's figures (and the pessimistic scenario, the switching values and, when "
        "simulated, the Monte Carlo draws); recalculating does not change it. npv-calc case "
        "prints the same statements.",
    )
    r = row + 1
    for case in book.pack.cases:
        r += 1
        sheet.text(r, 1, case.id, "label")
        sheet.fit(r, sheet.wrapped(r, 2, case.statement, "wrap", last=table.last), most=14)
    return r
