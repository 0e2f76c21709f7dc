"""The ``Assumptions`` sheet: the shared inputs every project sheet follows (discount rate,
schedule, year-0 convention, price base year, optimism bias mitigation, present-value year), the
Green Book's discount bands, optimism bias by project type, confidence grades, deflators and the
statuses that count toward the target. Each input is a defined name (``DiscountRate``, ...) that
the project sheets' formulas use."""

from __future__ import annotations

from typing import Any

from ... import params
from ...model import STATUSES, Settings
from .anchors import at
from .cells import Book, Sheet
from .discounting import SCALED, SCHEDULE_CHOICES, rate_lookup, schedule_text

#: Column widths of Assumptions: the settings' notes run across D to the last.
ASSUMPTIONS_WIDTHS = (44, 16, 16, 16, 16, 16, 16)
#: The "To year" of the last discount band, which has no end (shown as "onward").
BAND_OPEN = 999_999
LAST_COLUMN = len(ASSUMPTIONS_WIDTHS)


def assumptions_sheet(book: Book, sheet: Sheet) -> None:
    """The Assumptions sheet, its defined names and the validations of its inputs."""
    pack = book.pack
    portfolio = pack.result.portfolio
    sheet.title_band(
        "Assumptions",
        "Shared inputs. Yellow cells are inputs: change one and recalculate (F9) to see its "
        "effect on every project.",
    )
    sheet.widths_from(ASSUMPTIONS_WIDTHS)
    sheet.header_row(4, ["Setting", "Value", "", "Notes", *[""] * (LAST_COLUMN - 4)])
    rows = _setting_rows(pack.result.settings, portfolio.present_value_year)
    where = {}
    for i, (label, value, style, name, note) in enumerate(rows, start=5):
        sheet.text(i, 1, label, "label")
        if isinstance(value, str):
            sheet.text(i, 2, value, style)
        else:
            sheet.number(i, 2, value, style)
        sheet.note(i, 4, LAST_COLUMN, note)
        book.define(name, sheet.cell(i, 2))
        where[name] = i
    _validations(sheet, where)
    last = _bands(book, sheet, 5 + len(rows) + 1)
    sheet.page_break(last + 2)  # the tables below start a page rather than split
    last = _pairs(
        book,
        sheet,
        last + 2,
        "Benefit optimism bias by confidence grade",
        ("Confidence grade", "Reduction of benefits"),
        portfolio.confidence_grades,
        ("year", "input percent"),
        table="GradeTable",
        note=params.source("confidence_grades"),
    )
    last = _optimism_bias_types(book, sheet, last + 2)
    last = _pairs(
        book,
        sheet,
        last + 2,
        "GDP deflators (the index each financial year is rebased with)",
        ("Year (2017 = 2017/18)", "Deflator index"),
        portfolio.deflators,
        ("input year", "input index"),
        columns=("DeflatorYear", "DeflatorIndex"),
        note="From [deflators] in portfolio.toml: the index of the financial year starting in "
        "each year. HM Treasury publishes a calendar-year and a financial-year series; from "
        "the calendar-year one (as npv-calc init writes it) a financial year takes the index of "
        "the calendar year it starts in. A figure in year-p prices is rebased to the price base "
        "year b by multiplying by index(b) / index(p).",
    )
    counted = portfolio.count_statuses
    last = _pairs(
        book,
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
    )
    sheet.finish(LAST_COLUMN, last, freeze=(4, 0))


def _setting_rows(
    settings: Settings, present_value_year: int | None
) -> list[tuple[str, Any, str, str, str]]:
    """Each shared input: label, value, style, defined name and note."""
    rows: list[tuple[str, Any, str, str, str]] = [
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
    if present_value_year is not None:
        rows.append(
            (
                "Present-value year",
                present_value_year,
                "input year",
                "PresentValueYear",
                "Every project is also valued at this financial year (2023 = 2023/24), "
                "discounted with its own schedule, or compounded forward for the years "
                "before it (project sheets, Economic case).",
            )
        )
    return rows


def _validations(sheet: Sheet, where: dict[str, int]) -> None:
    """What each input cell accepts, with a message when it refuses."""
    sheet.validate(
        where["DiscountRate"],
        2,
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
        sheet.choices(where[name], 2, ["TRUE", "FALSE"])
    sheet.choices(where["Schedule"], 2, SCHEDULE_CHOICES)
    sheet.validate(
        where["ObMitigation"],
        2,
        {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1},
    )
    for name in ("PriceBaseYear", "PresentValueYear"):
        if name in where:
            sheet.validate(
                where[name],
                2,
                {"validate": "integer", "criteria": "between", "minimum": 1000, "maximum": 9999},
            )


def _bands(book: Book, sheet: Sheet, row: int) -> int:
    """The Green Book's discount bands with the rate of each published schedule, and the rate
    the portfolio's schedule uses; returns the row of the note below."""
    sheet.text(row, 1, "Discount schedules (Green Book)", "section")
    sheet.header_row(
        row + 1,
        ["Band from year", "To year", "Standard", "Health", "Lower-rate test (2026)", "Rate used"],
    )
    first = row + 2
    bands = params.discount_bands()
    for i, (band, used) in enumerate(zip(bands, book.pack.band_rates, strict=True)):
        r = first + i
        sheet.number(r, 1, band.first, "year")
        sheet.number(r, 2, BAND_OPEN if band.last is None else band.last, "band end")
        for column, schedule in enumerate(params.SCHEDULES, start=3):
            sheet.number(r, column, band.rate(schedule), "percent fine")
        lookup = rate_lookup("Schedule", at(r, 1), "DiscountRate", "Declining")
        sheet.formula(r, 6, "=" + lookup, used, "percent fine")
    last = first + len(bands) - 1
    for column, name in enumerate(
        ("BandFrom", "BandTo", "BandStandard", "BandHealth", "BandLowerRate"), start=1
    ):
        book.define(name, sheet.span(first, column, last, column))
    sheet.note(
        last + 1,
        1,
        LAST_COLUMN,
        params.source("discount_schedule")
        + " Rate used: the rate of the schedule chosen above in each band (the rates a "
        "project that follows Assumptions applies).",
    )
    return last + 1


def _optimism_bias_types(book: Book, sheet: Sheet, row: int) -> int:
    """Mott MacDonald's optimism bias bounds by project type, named for the cost lines that
    give ``ob_type``; returns the row of the note below."""
    types = params.optimism_bias_types()
    sheet.keep_with_next(row, len(types) + 2, LAST_COLUMN)
    sheet.text(row, 1, "Cost optimism bias by project type (Mott MacDonald 2002)", "section")
    sheet.header_row(
        row + 1, ["Project type", "Upper bound", "Lower bound", "Applies to", "Uplift used"]
    )
    first = row + 2
    mitigation = book.pack.result.settings.ob_mitigation
    for i, bounds in enumerate(types.values()):
        r = first + i
        sheet.text(r, 1, bounds.type, "text")
        sheet.number(r, 2, bounds.upper, "percent")
        sheet.number(r, 3, bounds.lower, "percent")
        applies = "operating costs" if bounds.applies_to == "revenue" else "capital costs"
        sheet.text(r, 4, applies, "centre")
        uplift = f"=MAX({at(r, 3)},{at(r, 2)}*(1-ObMitigation))"
        sheet.formula(r, 5, uplift, bounds.uplift(mitigation), "percent")
    last = first + len(types) - 1
    for column, name in enumerate(("ObType", "ObUpper", "ObLower"), start=1):
        book.define(name, sheet.span(first, column, last, column))
    sheet.note(
        last + 1,
        1,
        LAST_COLUMN,
        params.source("optimism_bias")
        + " Uplift used: the upper bound reduced by the mitigation above, never below the "
        "lower bound; a cost line that gives its project type (ob_type) takes it as its "
        "optimism bias (a project with a mitigation of its own, on its sheet, reduces the "
        "upper bound by that instead).",
    )
    return last + 1


def _pairs(
    book: Book,
    sheet: Sheet,
    row: int,
    title: str,
    headers: tuple[str, str],
    pairs: dict[Any, Any],
    styles: tuple[str, str],
    note: str,
    table: str | None = None,
    columns: tuple[str, str] | None = None,
) -> int:
    """A titled two-column table (key, value) named as a whole or by column, with a note
    below; returns the row of the note."""
    sheet.keep_with_next(row, min(len(pairs), 6) + 2, LAST_COLUMN)
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
        book.define(table, sheet.span(first, 1, last, 2))
    for column, name in enumerate(columns or (), start=1):
        book.define(name, sheet.span(first, column, last, column))
    sheet.note(last + 1, 1, LAST_COLUMN, note)
    return last + 1
