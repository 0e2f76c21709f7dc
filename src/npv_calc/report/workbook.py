"""The board workbook: an Excel file a board can read and an auditor can recalculate.

Written with XlsxWriter, its look (formats, colours, header and footer, print set-up) read from
the declarative style file ``templates/xlsx/board.toml``, which is only ever read. Every step
from a line's inputs to the project NPV is a live formula, and every formula cell also stores the
value npv-calc computed for it: a reader that does not recalculate (a mail or tablet preview,
Protected View, ``pandas.read_excel``) sees every figure, charts carry their data, and a
spreadsheet that recalculates (the workbook asks to on load) gets the same values back, and then
follows any edited input.

Layout (see ``docs/workbook.md``): ``Summary``, ``Scenarios``, ``Assumptions``, a sheet per
project, ``Sensitivity`` and ``Monte Carlo`` when those ran, ``Audit``. Defined names
(SPEC.md): ``DiscountRate``, ``Target``, ``PortfolioNPV`` and, per project, ``NPV_<ID>``,
``PVCosts_<ID>`` and ``PVBenefits_<ID>``.

Why XlsxWriter rather than openpyxl (measured with ``benchmarks/bench_writers.py``):
``write_formula`` stores a formula's value natively, charts get the cached values of their
ranges, and the parts it writes follow Excel's own element order (an OOXML validator finds
nothing to repair). openpyxl writes formulas with an empty value, so values would have to be
spliced into its XML after saving, and its charts carry no data. Writing the cells themselves
costs about the same in both; the template's look moved into a declarative style file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import platform
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__, params
from ..calculate import appraise_case, financial_year
from ..errors import InputError, OutputError, Problem, printable, shown_path
from ..files import replace_atomically
from ..model import STATUSES, Portfolio, SettingsPatch
from ..progress import against_plan
from ..scenarios import prepare
from ..sensitivity import switching_values
from ..workbook_io import check_writable
from .table import settings_line, who_counts
from .workbook_economic import economic_case_sheet
from .workbook_parts import (
    NOT_AVAILABLE,
    PIXELS_PER_CM,
    Audit,
    Book,
    Sheet,
    absolute,
    column_span,
    letter,
    name_id,
    sheet_ref,
    wrapped_lines,
    year_label,
)
from .workbook_project import (
    AGENCY_TABLE_FIRST,
    NO_RATIO,
    RESULT_ROWS,
    SCALED,
    SCHEDULE_CHOICES,
    band_rate,
    payback_text,
    project_agencies,
    project_sheet,
    rate_lookup,
    schedule_text,
)
from .workbook_realisation import realisation_sheet
from .workbook_scenarios import scenarios_sheet
from .workbook_style import Style, default_style, read_style
from .workbook_uncertainty import monte_carlo_sheet, sensitivity_sheet

if TYPE_CHECKING:
    from ..calculate import PortfolioResult
    from ..sensitivity import Sensitivity
    from ..simulate import Simulation

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
#: Sheets that are not projects' (a project's sheet title keeps clear of them).
FIXED_SHEETS = (
    "Summary",
    "Scenarios",
    "Realisation",
    "Economic case",
    "Assumptions",
    "Sensitivity",
    "Monte Carlo",
    "Audit",
)

WorkbookError = OutputError

#: Column widths of the Summary; the last column (the target line's data) is not printed.
SUMMARY_WIDTHS = (9, 38, 12, 16, 8, 13, 13, 13, 7, 12, 13, 22, 14, 13)
#: The first column of the links behind "Who pays and who benefits" (P), beside the printed area.
AGENCY_LINKS = 16
#: With more projects than this the Summary puts its projects table last, on its own pages.
COMPACT_PROJECTS = 20
#: Rows a chart of 10 cm takes.
CHART_ROWS = 22
#: Column widths of Assumptions: the settings' notes run across D to the last.
ASSUMPTIONS_WIDTHS = (44, 16, 16, 16, 16, 16, 16)
#: The "To year" of the last discount band, which has no end (shown as "onward").
BAND_OPEN = 999_999


#: The largest project sheet written: a column per line and per year. Each line takes two rows
#: of a column per year, so a sheet's cells grow with lines x years; beyond these a workbook is
#: slow to write and to open, and no board reads it.
MAX_SHEET_LINES = 500
MAX_SHEET_FLOWS = 100_000  # lines x years of one project


def size_problems(portfolio: Portfolio, overrides: SettingsPatch) -> list[Problem]:
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
    taken = {name.lower() for name in FIXED_SHEETS}
    titles: dict[str, str] = {}
    for project in result.projects:
        base = _SHEET_UNSAFE.sub("_", project.id)[:28].strip("'") or "_"
        title, n = base, 2
        while title.lower() in taken:
            title, n = f"{base[:26]}_{n}", n + 1
        taken.add(title.lower())
        titles[project.id] = title
    return titles


def audit_path(path: str | Path) -> str:
    """A path as the Audit sheet shows it: relative to the working directory when below it,
    else its last two parts (a board pack should not carry the writer's home directory)."""
    path = Path(path)
    shown = shown_path(path)
    if not Path(shown).is_absolute():
        return shown
    return str(Path("…", *path.parts[-2:]))


def audit_command(command: str) -> str:
    """The command line with any absolute path shown as :func:`audit_path` shows it."""

    def shorten(word: str) -> str:
        head, eq, tail = word.partition("=")
        if eq and tail.startswith(os.sep):
            return f"{head}={audit_path(tail)}"
        return audit_path(word) if word.startswith(os.sep) else word

    return " ".join(shorten(word) for word in command.split(" "))


class _Builder(Book):
    """Writes every sheet of the board workbook."""

    # -- Assumptions -----------------------------------------------------------------------

    def assumptions(self, sheet: Sheet) -> None:
        settings = self.result.settings
        portfolio = self.result.portfolio
        sheet.title_band(
            "Assumptions",
            "Shared inputs. Yellow cells are inputs: change one and recalculate (F9) to see its "
            "effect on every project.",
        )
        last_column = len(ASSUMPTIONS_WIDTHS)
        sheet.widths_from(ASSUMPTIONS_WIDTHS)
        sheet.header_row(4, ["Setting", "Value", "", "Notes", *[""] * (last_column - 4)])
        rows = [
            (
                "Discount rate, years 1-30",
                settings.discount_rate,
                "input percent",
                "DiscountRate",
                "HM Treasury Green Book Social Time Preference Rate is 3.5%. "
                "Projects that set their own rate keep it. Not used with a published schedule.",
            ),
            (
                "Declining schedule after year 30",
                settings.declining,
                "input text",
                "Declining",
                "TRUE: the Green Book's lower rates after year 30, scaled to the "
                "rate above (table below). Not used with a published schedule.",
            ),
            (
                "Discount schedule",
                schedule_text(settings.schedule),
                "input text",
                "Schedule",
                f'"{SCALED}": the discount rate above scales the standard schedule. "standard", '
                '"health" or "lower-rate-test-2026": that published schedule (table below), used '
                "as published. A project that sets its own discount rate or schedule keeps it.",
            ),
            (
                "Year 0 discounted",
                settings.discount_year0,
                "input text",
                "DiscountYear0",
                "FALSE is the Green Book convention (year 0 undiscounted); TRUE matches the "
                "spreadsheet NPV() function.",
            ),
            (
                "Horizon (years)",
                settings.horizon,
                "year",
                "Horizon",
                "Fixed when the workbook was written: the year columns follow it. Re-run "
                "npv-calc with --set horizon=N to change it.",
            ),
            (
                "Price base year",
                settings.price_base_year,
                "input year",
                "PriceBaseYear",
                "Financial year whose prices all figures are in (2023 = 2023/24). Lines with a "
                "price year are rebased with the deflators below.",
            ),
            (
                "Standard rate for years 1-30 (schedule base)",
                params.standard_rate(),
                "percent",
                "STPR",
                "The declining schedule is scaled by discount rate / this rate.",
            ),
            (
                "Optimism bias mitigation (by project type)",
                settings.ob_mitigation,
                "input percent",
                "ObMitigation",
                "How far a cost's optimism bias by project type is reduced from the upper bound "
                "as the business case matures (0%: the upper bound); never below the lower "
                "bound (table below).",
            ),
        ]
        if portfolio.present_value_year is not None:
            rows.append(
                (
                    "Present-value year",
                    portfolio.present_value_year,
                    "input year",
                    "PresentValueYear",
                    "Every project is also valued at this financial year (2023 = 2023/24), "
                    "discounted with its own schedule, or compounded forward for the years "
                    "before it (project sheets, Economic case).",
                )
            )
        at = {}
        for i, (label, value, style, name, note) in enumerate(rows, start=5):
            sheet.text(i, 1, label, "label")
            if isinstance(value, str):
                sheet.text(i, 2, value, style)
            else:
                sheet.number(i, 2, value, style)
            sheet.note(i, 4, last_column, note)
            self.name(name, sheet, absolute(2, i))
            at[name] = i - 1  # 0-based, for the validations
        ws = sheet.ws
        ws.data_validation(
            at["DiscountRate"],
            1,
            at["DiscountRate"],
            1,
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": 0,
                "maximum": 0.2,
                "error_title": "Discount rate",
                "error_message": "Enter a rate between 0% and 20%, e.g. 3.5%.",
                "input_title": "Discount rate",
                "input_message": "Green Book STPR is 3.5%. Recalculate (F9) after changing it.",
            },
        )
        for name in ("Declining", "DiscountYear0"):
            row = at[name]
            ws.data_validation(row, 1, row, 1, {"validate": "list", "source": ["TRUE", "FALSE"]})
        row = at["Schedule"]
        ws.data_validation(row, 1, row, 1, {"validate": "list", "source": list(SCHEDULE_CHOICES)})
        row = at["ObMitigation"]
        ws.data_validation(
            row,
            1,
            row,
            1,
            {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1},
        )
        for name in ("PriceBaseYear", "PresentValueYear"):
            if name in at:
                ws.data_validation(
                    at[name],
                    1,
                    at[name],
                    1,
                    {
                        "validate": "integer",
                        "criteria": "between",
                        "minimum": 1000,
                        "maximum": 9999,
                    },
                )

        last = self._bands(sheet, 5 + len(rows) + 1, last_column)
        sheet.page_break(last + 2)  # the tables below start a page rather than split
        last = self._pairs(
            sheet,
            last + 2,
            "Benefit optimism bias by confidence grade",
            ("Confidence grade", "Reduction of benefits"),
            portfolio.confidence_grades,
            ("year", "input percent"),
            table="GradeTable",
            note=params.source("confidence_grades"),
            last_column=last_column,
        )
        last = self._optimism_bias_types(sheet, last + 2, last_column)
        last = self._pairs(
            sheet,
            last + 2,
            "GDP deflators (index by financial year)",
            ("Financial year", "Deflator index"),
            portfolio.deflators,
            ("input year", "input index"),
            columns=("DeflatorYear", "DeflatorIndex"),
            note="From [deflators] in portfolio.toml. A figure in year-p prices is rebased to "
            "the price base year b by multiplying by index(b) / index(p).",
            last_column=last_column,
        )
        counted = portfolio.count_statuses
        last = self._pairs(
            sheet,
            last + 2,
            "Statuses that count toward the target",
            ("Status", "Counts (Yes/No)"),
            {s: "Yes" if counted is None or s in counted else "No" for s in STATUSES},
            ("text", "input text"),
            columns=("StatusName", "StatusCounts"),
            note="From [portfolio] count_statuses in portfolio.toml (every status counts when it "
            "is not given). A project counts toward the target when it starts by the target "
            "year and its status counts.",
            last_column=last_column,
        )
        sheet.finish(last_column, last, freeze=(4, 0))

    def _bands(self, sheet: Sheet, row: int, last_column: int) -> int:
        """The Green Book's discount bands with the rate of each published schedule, and the
        rate the portfolio's schedule uses; returns the row of the note below."""
        settings = self.result.settings
        sheet.text(row, 1, "Discount schedules (Green Book)", "section")
        sheet.header_row(
            row + 1,
            [
                "Band from year",
                "To year",
                "Standard",
                "Health",
                "Lower-rate test (2026)",
                "Rate used",
            ],
        )
        first = row + 2
        bands = params.discount_bands()
        for i, band in enumerate(bands):
            r = first + i
            sheet.number(r, 1, band.first, "year")
            sheet.number(r, 2, BAND_OPEN if band.last is None else band.last, "band end")
            for column, schedule in enumerate(params.SCHEDULES, start=3):
                sheet.number(r, column, band.rate(schedule), "percent fine")
            used = band_rate(
                band.first, settings.discount_rate, settings.declining, settings.schedule
            )
            sheet.formula(
                r,
                6,
                "=" + rate_lookup("Schedule", f"A{r}", "DiscountRate", "Declining"),
                used,
                "percent fine",
            )
        last = first + len(bands) - 1
        for column, name in enumerate(
            ("BandFrom", "BandTo", "BandStandard", "BandHealth", "BandLowerRate"), start=1
        ):
            self.name(name, sheet, column_span(column, first, last))
        sheet.note(
            last + 1,
            1,
            last_column,
            params.source("discount_schedule")
            + " Rate used: the rate of the schedule chosen above in each band (the rates a "
            "project that follows Assumptions applies).",
        )
        return last + 1

    def _optimism_bias_types(self, sheet: Sheet, row: int, last_column: int) -> int:
        """Mott MacDonald's optimism bias bounds by project type, named for the cost lines
        that give ``ob_type``; returns the row of the note below."""
        types = params.optimism_bias_types()
        sheet.keep_with_next(row, len(types) + 2, last_column)
        sheet.text(row, 1, "Cost optimism bias by project type (Mott MacDonald 2002)", "section")
        sheet.header_row(
            row + 1,
            ["Project type", "Upper bound", "Lower bound", "Applies to", "Uplift used"],
        )
        first = row + 2
        mitigation = self.result.settings.ob_mitigation
        for i, bounds in enumerate(types.values()):
            r = first + i
            sheet.text(r, 1, bounds.type, "text")
            sheet.number(r, 2, bounds.upper, "percent")
            sheet.number(r, 3, bounds.lower, "percent")
            applies = "operating costs" if bounds.applies_to == "revenue" else "capital costs"
            sheet.text(r, 4, applies, "centre")
            sheet.formula(
                r, 5, f"=MAX(C{r},B{r}*(1-ObMitigation))", bounds.uplift(mitigation), "percent"
            )
        last = first + len(types) - 1
        for column, name in enumerate(("ObType", "ObUpper", "ObLower"), start=1):
            self.name(name, sheet, column_span(column, first, last))
        sheet.note(
            last + 1,
            1,
            last_column,
            params.source("optimism_bias")
            + " Uplift used: the upper bound reduced by the mitigation above, never below the "
            "lower bound; a cost line that gives its project type (ob_type) takes it as its "
            "optimism bias (a project with a mitigation of its own, on its sheet, reduces the "
            "upper bound by that instead).",
        )
        return last + 1

    def _pairs(
        self,
        sheet: Sheet,
        row: int,
        title: str,
        headers: tuple[str, str],
        pairs: dict,
        styles: tuple[str, str],
        note: str,
        table: str | None = None,
        columns: tuple[str, str] | None = None,
        last_column: int = 4,
    ) -> int:
        """A titled two-column table (key, value) named as a whole or by column, with a note
        below; returns the row of the note."""
        sheet.keep_with_next(row, min(len(pairs), 6) + 2, last_column)
        sheet.text(row, 1, title, "section")
        sheet.header_row(row + 1, list(headers))
        first = row + 2
        for i, (key, value) in enumerate(pairs.items()):
            for column, item in ((1, key), (2, value)):
                if isinstance(item, str):
                    sheet.text(first + i, column, item, styles[column - 1])
                else:
                    sheet.number(first + i, column, item, styles[column - 1])
        last = first + max(len(pairs), 1) - 1
        if table:
            self.name(table, sheet, f"{absolute(1, first)}:{absolute(2, last)}")
        for column, name in enumerate(columns or (), start=1):
            self.name(name, sheet, column_span(column, first, last))
        sheet.note(last + 1, 1, last_column, note)
        return last + 1

    # -- Summary ---------------------------------------------------------------------------

    def summary(self, sheet: Sheet) -> None:
        """The Summary: the figures about the target, the projects, a chart, and who pays and
        who benefits. With up to :data:`COMPACT_PROJECTS` projects the projects table comes
        second, so that the first page holds the figures, the projects and the chart; with
        more it comes last, on its own pages, its header repeated on each."""
        result = self.result
        portfolio = result.portfolio
        created = self.audit.created or dt.datetime.now(dt.UTC)
        sheet.title_band(
            portfolio.name,
            f"{result.scenario.capitalize()} scenario. {settings_line(result)}. "
            f"Written by npv-calc {__version__} on {created:%d %B %Y}.",
        )
        sheet.widths_from(SUMMARY_WIDTHS)
        last_column = len(SUMMARY_WIDTHS) - 1  # the last, the target line's data, is not printed
        projects = result.projects
        agencies, rows_of = summary_agencies(result)
        kpis = self._kpi_rows()
        kpi_end = 4 + len(kpis)
        compact = len(projects) <= COMPACT_PROJECTS
        # The chart, with "who pays and who benefits" beside it (title, header, a row each,
        # total), after the projects table, or before it when the table is long.
        beside = max(CHART_ROWS, len(agencies) + 5)
        if compact:
            header = kpi_end + 3
            last = header + len(projects)
            chart_row = last + 3
            end = chart_row + beside - 1
        else:
            chart_row = kpi_end + 2
            header = chart_row + beside + 2
            sheet.page_break(header - 1)  # the long table starts its own page
            last = header + len(projects)
            end = last + 1
        first = header + 1
        self._kpis(sheet, kpis, first, last, last_column)
        self._projects_table(sheet, header, first, last)
        self._summary_chart(sheet, header, first, last, chart_row)
        self._agencies(sheet, chart_row, agencies, rows_of, header, first, last)
        sheet.finish(last_column, end, freeze=(2, 0), repeat=None if compact else header)

    def _kpi_rows(self) -> list[tuple[str, str, str]]:
        """The figures about the target: key, label and the note beside it."""
        portfolio = self.result.portfolio
        simulation = self.simulation
        rows = [
            (
                "portfolio",
                "Portfolio NPV (all projects)",
                "The sum of the projects' NPVs, each discounted to its own start year (its year "
                "0).",
            ),
            *(
                [
                    (
                        "pv_year",
                        f"Portfolio NPV valued at {financial_year(year)}",
                        "Every project valued at one date, the present-value year "
                        "(Assumptions), as a Green Book economic case reports it (Economic case "
                        "sheet); the target is tested against NPVs at the projects' own start "
                        "years, as the programme reports them.",
                    )
                ]
                if (year := self.result.present_value_year) is not None
                else []
            ),
            (
                "toward",
                "NPV toward target",
                f"What the target is tested against: the NPV of {who_counts(portfolio)}.",
            ),
            *(
                [
                    (
                        "plan",
                        "NPV toward target, plan",
                        "As approved, with no outturn; the figures above and below are the "
                        f"latest estimate, with the outturn to {financial_year(portfolio.as_of)} "
                        "(Realisation sheet).",
                    )
                ]
                if portfolio.as_of is not None
                else []
            ),
            ("target", "Target", "From portfolio.toml."),
            (
                "year",
                "Target year",
                "Projects starting by this financial year count (2027 = 2027/28).",
            ),
            ("headroom", "Headroom (negative: shortfall)", "NPV toward target minus the target."),
            ("status", "Status", ""),
        ]
        if simulation is not None and simulation.prob_meets_target is not None:
            rows.append(
                (
                    "chance",
                    "Probability of meeting the target",
                    f"Share of {simulation.iterations:,} Monte Carlo draws whose NPV toward the "
                    "target reaches it (computed when the workbook was written; see the Monte "
                    "Carlo sheet).",
                )
            )
        rows += [
            (
                "fall",
                "Benefits could fall by",
                "How far the benefits of the projects counting toward the target could all fall "
                "before it is missed (headroom / their PV of benefits); when it is missed, how "
                "far they would need to rise to meet it.",
            ),
            (
                "cashable",
                "Cashable NPV (all projects)",
                "Cashable benefits (savings a budget can take) minus all costs: what the "
                "partners' budgets see.",
            ),
        ]
        return rows

    def _kpis(
        self,
        sheet: Sheet,
        kpis: list[tuple[str, str, str]],
        first: int,
        last: int,
        last_column: int,
    ) -> None:
        result = self.result
        portfolio = result.portfolio
        target = portfolio.target
        status = (
            "NO TARGET SET"
            if target is None
            else ("MEETS TARGET" if result.meets_target else "MISSES TARGET")
        )
        _, fall = switching_values(result)
        npv, counts, benefits = (column_span(c, first, last) for c in (8, 12, 7))
        cashable = column_span(11, first, last)
        figures: dict[str, tuple[str | float | None, Any, str, str | None]] = {
            "portfolio": (f"=SUM({npv})", result.npv, "money key", "PortfolioNPV"),
            "toward": (
                f'=SUMIFS({npv},{counts},"Yes")',
                result.npv_toward_target,
                "money key",
                "NPVTowardTarget",
            ),
            "pv_year": (
                "=PortfolioNPVAtPVYear",
                result.npv_at_present_value_year,
                "money",
                None,
            ),
            "target": (None, target, "input money", "Target"),
            "plan": (None, result.npv_toward_target_plan, "money", None),
            "year": (None, portfolio.target_year, "input year", "TargetYear"),
            "headroom": (
                '=IF(Target="","",NPVTowardTarget-Target)',
                "" if result.headroom is None else result.headroom,
                "money key",
                "Headroom",
            ),
            "status": (
                '=IF(Target="","NO TARGET SET",IF(Headroom>=0,"MEETS TARGET","MISSES TARGET"))',
                status,
                {"MEETS TARGET": "status good", "MISSES TARGET": "status bad"}.get(
                    status, "status"
                ),
                None,
            ),
            "chance": (
                "=ProbMeetsTarget",
                None if self.simulation is None else self.simulation.prob_meets_target,
                "probability key",
                None,
            ),
            "fall": (
                f'=IF(Target="","–",IFERROR(Headroom/SUMIFS({benefits},{counts},"Yes"),"–"))',
                "–" if fall is None else fall,
                "percent key",
                "BenefitsFallToMissTarget",
            ),
            "cashable": (
                f"=SUM({cashable})",
                sum(p.cashable_npv for p in result.projects),
                "money key",
                "CashableNPV",
            ),
        }
        sheet.text(4, 1, "Portfolio against target", "section")
        for i, (key, label, note) in enumerate(kpis, start=5):
            sheet.ws.merge_range(i - 1, 0, i - 1, 1, "", self.format("label"))
            if key == "fall":
                # The label says which way: a negative share means the target is missed.
                sheet.formula(
                    i,
                    1,
                    '=IF(N(BenefitsFallToMissTarget)<0,"Benefits would need to rise by",'
                    '"Benefits could fall by")',
                    "Benefits would need to rise by" if fall is not None and fall < 0 else label,
                    "label",
                )
            elif key == "pv_year":
                # the label follows an edited present-value year
                formula = year_label("Portfolio NPV valued at ", "PresentValueYear")
                sheet.formula(i, 1, formula, label, "label")
            else:
                sheet.text(i, 1, label, "label")
            if note:
                lines = sheet.wrapped(i, 5, note, "wrap note", last=last_column)
                sheet.fit(i, lines)
            formula, value, style, name = figures[key]
            sheet.ws.merge_range(i - 1, 2, i - 1, 3, "", self.format(style))
            if formula is None:
                sheet.number(i, 3, value, style)
            else:
                sheet.formula(i, 3, formula, value, style)
            if name:
                self.name(name, sheet, absolute(3, i))
            if key == "status":
                self.status_colours(sheet, f"$C${i}", i - 1, 2, i - 1, 3)

    def _projects_table(self, sheet: Sheet, header: int, first: int, last: int) -> None:
        result = self.result
        portfolio = result.portfolio
        target = portfolio.target
        sheet.text(header - 1, 1, "Projects", "section")
        sheet.header_row(
            header,
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
                "Cashable NPV",
                "Counts toward target",
                "Cumulative NPV toward target",
                "Target (for the chart)",
            ],
        )
        cumulative = 0.0
        for r, project in zip(range(first, last + 1), result.projects, strict=True):
            nid = name_id(project.id)
            ref = sheet_ref(self.titles[project.id])
            sheet.text(r, 1, project.id, "text")
            name_lines = sheet.wrapped(r, 2, project.project.name, "wrap")
            sheet.fit(r, name_lines)
            sheet.text(r, 3, project.project.status, "text")
            sheet.text(r, 4, project.span, "centre")
            sheet.number(r, 5, project.project.start_year, "year")
            sheet.formula(r, 6, f"=PVCosts_{nid}", project.pv_costs, "money")
            sheet.formula(r, 7, f"=PVBenefits_{nid}", project.pv_benefits, "money")
            sheet.formula(r, 8, f"=NPV_{nid}", project.npv, "money")
            sheet.formula(
                r,
                9,
                f"={ref}!$B${RESULT_ROWS['bcr']}",
                "–" if project.bcr is None else project.bcr,
                "ratio",
            )
            sheet.formula(
                r, 10, f"={ref}!$B${RESULT_ROWS['payback']}", payback_text(project), "ratio"
            )
            sheet.formula(
                r, 11, f"={ref}!$B${RESULT_ROWS['cashable_npv']}", project.cashable_npv, "money"
            )
            # Every reason a project does not count: its start year, its status, or both.
            counts = _counts_text(project, portfolio)
            sheet.fit(r, max(name_lines, wrapped_lines(counts, SUMMARY_WIDTHS[11])))
            late = f'AND(TargetYear<>"",E{r}>TargetYear)'
            status = f'COUNTIFS(StatusName,C{r},StatusCounts,"Yes")=0'
            sheet.formula(
                r,
                12,
                f'=IF(OR({late},{status}),"No: "&IF({late},"starts after "&TargetYear&"/"'
                f'&TEXT(MOD(TargetYear+1,100),"00"),"")&IF(AND({late},{status}),"; ","")'
                f'&IF({status},"status "&C{r},""),"Yes")',
                counts,
                "centre wrap",
            )
            if project.counts_toward_target:
                cumulative += project.npv
            sheet.formula(
                r, 13, f'=SUMIFS($H${first}:H{r},$L${first}:L{r},"Yes")', cumulative, "money"
            )
            sheet.formula(
                r,
                14,
                '=IF(Target="",NA(),Target)',
                NOT_AVAILABLE if target is None else target,
                "money",
            )
        total = last + 1
        sheet.text(total, 2, "Portfolio", "label")
        for column, value in (
            (6, result.pv_costs),
            (7, result.pv_benefits),
            (8, result.npv),
            (11, sum(p.cashable_npv for p in result.projects)),
        ):
            c = letter(column)
            sheet.formula(total, column, f"=SUM({c}{first}:{c}{last})", value, "money total")

    def _summary_chart(self, sheet: Sheet, header: int, first: int, last: int, row: int) -> None:
        many = len(self.result.projects) > COMPACT_PROJECTS
        colours = self.style.colours
        title = sheet.title
        categories = [title, first - 1, 0, last - 1, 0]
        # Projects that do not count toward the target in grey.
        points = [
            None if p.counts_toward_target else {"fill": {"color": "#BFBFBF"}}
            for p in self.result.projects
        ]
        bars = self.wb.add_chart({"type": "column"})
        bars.add_series(
            {
                "name": "NPV (grey: does not count toward the target)",
                "categories": categories,
                "values": [title, first - 1, 7, last - 1, 7],
                "fill": {"color": colours["navy"]},
                "points": points,
                "gap": 80,
            }
        )
        lines = self.wb.add_chart({"type": "line"})
        lines.add_series(
            {
                "name": [title, header - 1, 12],
                "categories": categories,
                "values": [title, first - 1, 12, last - 1, 12],
                "line": {"color": colours["line"], "width": 2.25},
                "marker": (
                    {"type": "circle", "size": 5, "fill": {"color": colours["line"]}}
                    if not many
                    else {"type": "none"}
                ),
            }
        )
        if self.result.portfolio.target is not None:
            lines.add_series(
                {
                    "name": "Target",
                    "categories": categories,
                    "values": [title, first - 1, 13, last - 1, 13],
                    "line": {"color": colours["bad"], "width": 1.5, "dash_type": "dash"},
                    "marker": {"type": "none"},
                }
            )
        bars.combine(lines)
        bars.set_title(
            {
                "name": "NPV by project, and the portfolio's progress toward its target",
                "name_font": {"size": 11, "bold": True},
            }
        )
        # Labels at the bottom of the plot, clear of bars below zero (a pessimistic case).
        bars.set_x_axis(
            {
                "label_position": "low",
                # every project labelled, turned on its side when there are many
                "num_font": {"size": 7, "rotation": -90} if many else {"size": 9},
                "interval_unit": 1,
            }
        )
        bars.set_y_axis(
            {
                "num_format": '"£"#,##0.0,,"m"',
                "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}},
            }
        )
        bars.set_legend({"position": "bottom"})
        bars.set_size({"width": 24 * PIXELS_PER_CM, "height": 10 * PIXELS_PER_CM})
        sheet.ws.insert_chart(row - 1, 0, bars)

    def _agencies(
        self,
        sheet: Sheet,
        row: int,
        agencies: list[str],
        rows_of: dict[str, dict[str, int]],
        header: int,
        first: int,
        last: int,
    ) -> None:
        """Who pays and who benefits across the portfolio: live sums of columns beside the
        projects table (from P, not printed), which link each project's present value by
        agency on its sheet."""
        result = self.result
        links = AGENCY_LINKS
        for k, agency in enumerate(agencies):
            for j, (kind, source) in enumerate((("costs", "E"), ("benefits", "F"))):
                column = links + 2 * k + j
                sheet.width(column, 14)
                sheet.text(header, column, f"{agency}: {kind} (PV)", "header")
                for r, project in zip(range(first, last + 1), result.projects, strict=True):
                    at = rows_of[project.id].get(agency)
                    by = (
                        project.pv_costs_by_agency
                        if kind == "costs"
                        else project.pv_benefits_by_agency
                    )
                    if at is None:
                        sheet.number(r, column, 0.0, "money")
                    else:
                        ref = sheet_ref(self.titles[project.id])
                        link = f"={ref}!${source}${at}"
                        sheet.formula(r, column, link, by.get(agency, 0.0), "money")
        # Beside the chart, in columns J to M.
        sheet.text(row, 10, "Who pays and who benefits (PV, all projects)", "section")
        sheet.header_row(
            row + 1,
            ["Agency", "Costs it pays", "Benefits it receives", "Net (benefits - costs)"],
            10,
        )
        top = row + 2
        for k, agency in enumerate(agencies):
            i = top + k
            sheet.fit(i, sheet.wrapped(i, 10, agency, "wrap"), most=3)
            costs = sum(p.pv_costs_by_agency.get(agency, 0.0) for p in result.projects)
            benefits = sum(p.pv_benefits_by_agency.get(agency, 0.0) for p in result.projects)
            for column, value, link in (
                (11, costs, links + 2 * k),
                (12, benefits, links + 2 * k + 1),
            ):
                c = letter(link)
                sheet.formula(i, column, f"=SUM({c}{first}:{c}{last})", value, "money")
            sheet.formula(i, 13, f"=L{i}-K{i}", benefits - costs, "money")
        total = top + len(agencies)
        sheet.text(total, 10, "All agencies", "label")
        for column, value in (
            (11, result.pv_costs),
            (12, result.pv_benefits),
            (13, result.pv_benefits - result.pv_costs),
        ):
            c = letter(column)
            sheet.formula(total, column, f"=SUM({c}{top}:{c}{total - 1})", value, "money total")
        sheet.note(
            total + 1,
            10,
            13,
            "Each project's split is on its sheet, under Present value by agency.",
        )

    # -- Audit -----------------------------------------------------------------------------

    def audit_sheet(self, sheet: Sheet) -> None:
        import numpy
        import xlsxwriter

        result = self.result
        created = self.audit.created or dt.datetime.now(dt.UTC)
        sheet.title_band("Audit", "How and from what this workbook was produced.")
        sheet.widths_from((34, 70, 22, 18))
        overrides = ", ".join(f"{k}={v}" for k, v in result.case.overrides.items()) or "none"
        rows = [
            ("Tool", f"npv-calc {__version__}"),
            ("Run at", created.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
            ("Command", audit_command(self.audit.command) or "(Python API)"),
            ("Scenario", result.scenario),
            ("Overrides (scenario set and --set)", overrides),
            ("Protective marking", self.audit.marking),
        ]
        simulation = self.simulation
        if simulation is not None:
            groups = (
                "correlation groups " + ", ".join(simulation.correlation_groups)
                if simulation.correlation_groups
                else "correlation ignored (--independent)"
                if simulation.correlation_ignored
                else "no correlation groups"
            )
            distribution = {"pert": "PERT", "triangular": "triangular", "uniform": "uniform"}
            sampling = {"lhs": "Latin Hypercube", "random": "random"}
            rows.append(
                (
                    "Monte Carlo",
                    f"{simulation.iterations:,} draws, {distribution[simulation.distribution]} "
                    f"distributions, seed {simulation.seed}, "
                    f"{sampling.get(simulation.sampling, simulation.sampling)} sampling, "
                    f"{groups}",
                )
            )
        rows += [
            ("Python", platform.python_version()),
            ("XlsxWriter", xlsxwriter.__version__),
            ("numpy", numpy.__version__),
        ]
        sheet.text(4, 1, "Run", "section")
        for i, (label, value) in enumerate(rows, start=5):
            sheet.text(i, 1, label, "label")
            sheet.fit(i, sheet.wrapped(i, 2, value, "wrap"))
        row = 5 + len(rows) + 1
        sheet.text(row, 1, "Input files", "section")
        files = result.portfolio.files
        for i, path in zip(
            sheet.table(row + 1, ["File", "SHA-256", "Bytes"], len(files), 4), files, strict=True
        ):
            data = Path(path).read_bytes()
            sheet.fit(i, sheet.wrapped(i, 1, audit_path(path), "wrap"))
            sheet.text(i, 2, hashlib.sha256(data).hexdigest(), "text")
            sheet.number(i, 3, len(data), "count")
            row = i
        row += 2
        sheet.text(row, 1, "Warnings", "section")
        warnings = result.portfolio.warnings
        if warnings:
            sheet.text(
                row,
                2,
                "Legal but very likely slips, found when the inputs were read: check each "
                "before relying on the figures (--strict makes them errors).",
                "note",
            )
            table = sheet.table(row + 1, ["Where", "Warning"], len(warnings), 4)
            for i, warning in zip(table, warnings, strict=True):
                place = sheet.wrapped(i, 1, warning.place, "wrap")
                message = sheet.wrapped(i, 2, printable(warning.message))
                sheet.fit(i, max(place, message))
                row = i
            row += 2
        else:
            sheet.text(row, 2, "None: the inputs raised no warning.", "text")
            row += 2
        # The last table: its header repeats on the pages after the one it starts on.
        sheet.keep_with_next(row, 6, 4)
        sheet.text(row, 1, "Figures when written", "section")
        sheet.text(
            row,
            2,
            "npv-calc's own figures at the time of the run, beside the workbook's live "
            "formulas: the difference is 0 until an input is changed.",
            "note",
        )
        header = row + 1
        sheet.header_row(header, ["Defined name", "npv-calc", "Workbook (live)", "Difference"])
        figures: list[tuple[str, float | None]] = [
            ("PortfolioNPV", result.npv),
            ("NPVTowardTarget", result.npv_toward_target),
            ("Target", result.target),
            ("Headroom", result.headroom),
            ("CashableNPV", sum(p.cashable_npv for p in result.projects)),
        ]
        at_year = result.present_value_year is not None
        if at_year:
            figures.append(("PortfolioNPVAtPVYear", result.npv_at_present_value_year))
        #: ratios, shown as such (a ratio of no costs is "–" in both columns)
        ratios = {"PortfolioFinancialROI": result.financial_roi}
        for project in result.projects:
            nid = name_id(project.id)
            figures += [
                (f"NPV_{nid}", project.npv),
                (f"PVCosts_{nid}", project.pv_costs),
                (f"PVBenefits_{nid}", project.pv_benefits),
                (f"PVFiscalBenefits_{nid}", project.pv_benefits_by_value_type["fiscal"]),
            ]
            if at_year:
                figures.append((f"NPVAtPVYear_{nid}", project.npv_at_present_value_year))
            ratios[f"FinancialROI_{nid}"] = project.financial_roi
        figures += list(ratios.items())
        for i, (name, value) in enumerate(figures, start=header + 1):
            sheet.text(i, 1, name, "text")
            if name in ratios:
                if value is None:
                    sheet.text(i, 2, NO_RATIO, "text")
                else:
                    sheet.number(i, 2, value, "number")
                sheet.formula(i, 3, f"={name}", NO_RATIO if value is None else value, "number")
                sheet.formula(
                    i,
                    4,
                    f'=IF(ISNUMBER(C{i}),C{i}-B{i},"")',
                    "" if value is None else 0.0,
                    "number",
                )
                continue
            sheet.number(i, 2, value, "money pence")
            # Without a target, Target is an empty cell (a link to it gives 0) and Headroom a
            # formula giving empty text.
            empty = "" if name == "Headroom" else 0.0
            sheet.formula(i, 3, f"={name}", empty if value is None else value, "money pence")
            sheet.formula(
                i, 4, f'=IF(B{i}="","",C{i}-B{i})', "" if value is None else 0.0, "money pence"
            )
        sheet.finish(4, header + len(figures), freeze=(2, 0), protect=False, repeat=header)

    def build(self) -> None:
        fixed = ["Summary", "Scenarios"]
        if self.result.as_of is not None:
            fixed.append("Realisation")
        sheets = {name: self.sheet(name) for name in (*fixed, "Economic case", "Assumptions")}
        projects = [self.sheet(self.titles[p.id]) for p in self.result.projects]
        extra = {}
        if self.sensitivity is not None:
            extra["Sensitivity"] = self.sheet("Sensitivity")
        if self.simulation is not None:
            extra["Monte Carlo"] = self.sheet("Monte Carlo")
        audit = self.sheet("Audit")
        # The sheets exist in their final order; each is filled below.
        self.assumptions(sheets["Assumptions"])
        layouts = {
            project.id: project_sheet(self, project, sheet)
            for project, sheet in zip(self.result.projects, projects, strict=True)
        }
        if "Realisation" in sheets:
            realisation_sheet(self, sheets["Realisation"], against_plan(self.result), layouts)
        self.summary(sheets["Summary"])
        scenarios = _scenario_results(self.result)
        scenarios_sheet(self, sheets["Scenarios"], scenarios)
        economic_case_sheet(self, sheets["Economic case"], scenarios, layouts)
        if self.sensitivity is not None:
            sensitivity_sheet(self, extra["Sensitivity"], self.sensitivity)
        if self.simulation is not None:
            monte_carlo_sheet(self, extra["Monte Carlo"], self.simulation)
        self.audit_sheet(audit)
        sheets["Summary"].ws.activate()


def summary_agencies(result: PortfolioResult) -> tuple[list[str], dict[str, dict[str, int]]]:
    """The agencies of the portfolio in the Summary's order (declared ones first), and for each
    project the row of each of its agencies in its sheet's "Present value by agency" table."""
    declared = result.portfolio.agencies or ()
    rows_of = {
        project.id: {
            agency: AGENCY_TABLE_FIRST + i
            for i, agency in enumerate(project_agencies(project.project, declared))
        }
        for project in result.projects
    }
    used = list(dict.fromkeys(a for rows in rows_of.values() for a in rows))
    agencies = [a for a in declared if a in used] + [a for a in used if a not in declared]
    return agencies, rows_of


def _counts_text(project: Any, portfolio: Portfolio) -> str:
    """What the Summary's "Counts toward target" formula gives: ``Yes``, or every reason not."""
    year, statuses = portfolio.target_year, portfolio.count_statuses
    reasons = []
    if year is not None and project.project.start_year > year:
        reasons.append(f"starts after {financial_year(year)}")
    if statuses is not None and project.project.status not in statuses:
        reasons.append(f"status {project.project.status}")
    return "No: " + "; ".join(reasons) if reasons else "Yes"


def _scenario_results(result: PortfolioResult) -> dict[str, PortfolioResult | str]:
    """Every scenario of the portfolio appraised with the run's own ``--set`` overrides: its
    result, or why it could not be appraised."""
    whole = result.case.source or result.portfolio
    given = result.case.given
    out: dict[str, PortfolioResult | str] = {}
    for name in ("central", "pessimistic", "optimistic", *whole.scenarios):
        if name == result.scenario:
            out[name] = result
            continue
        try:
            out[name] = appraise_case(prepare(whole, name, given))
        except InputError as exc:
            out[name] = exc.problems[0].message if exc.problems else "cannot be appraised"
    return out


def write_workbook(
    result: PortfolioResult,
    path: str | Path,
    *,
    command: str = "",
    marking: str = "OFFICIAL",
    style: str | Path | None = None,
    created: dt.datetime | None = None,
    sensitivity: Sensitivity | None = None,
    simulation: Simulation | None = None,
) -> Path:
    """Write the board workbook for a result to ``path``, atomically.

    The workbook is put together in memory and written to a temporary file beside ``path``,
    then moved into place, so a failure leaves no partial file and leaves an existing ``path``
    untouched.

    Parameters
    ----------
    result
        From :func:`npv_calc.appraise`.
    path
        The ``.xlsx`` file to write.
    command
        The command line, recorded on the ``Audit`` sheet (absolute paths shortened).
    marking
        The protective marking printed in the header and footer of every page.
    style
        The style file (default ``templates/xlsx/board.toml``); only read.
    created
        The time recorded as the run time (default now, UTC).
    sensitivity, simulation
        When given, a ``Sensitivity`` and a ``Monte Carlo`` sheet are added.

    Raises
    ------
    WorkbookError
        The style file is missing or wrong, or ``path`` cannot be written.
    InputError
        Two project ids would give the same defined name, or a project is too large for a
        sheet.
    """
    import xlsxwriter

    path = Path(path)
    check_writable(path)
    problems = size_problems(result.portfolio, result.case.overrides)
    if problems:
        raise InputError(problems)
    _check_names(result)
    look: Style = read_style(Path(style) if style else default_style())
    audit = Audit(command, marking, created)

    def content() -> bytes:
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(
            buffer,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_format_properties": look.base,
            },
        )
        wb.set_properties(
            {
                "title": f"{result.portfolio.name}: appraisal",
                "creator": "npv-calc",
                "created": (created or dt.datetime.now(dt.UTC)).replace(tzinfo=None),
            }
        )
        _Builder(wb, look, result, audit, _sheet_titles(result), sensitivity, simulation).build()
        wb.close()
        return buffer.getvalue()

    replace_atomically(path, content)
    return path
