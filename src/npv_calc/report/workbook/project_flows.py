"""The yearly flows of a project's sheet: a column per year, from the discount rate and factor to
each line as entered and adjusted, the totals, the discounted and cumulative net benefit, the
payback year and, with a present-value year, each year's factor to it.

Each row's formulas are written as shared formulas (a row filled right, as Excel writes it), a
stretch of consecutive years of one kind at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...model import Risk, financial_year
from ...results.appraisal import LineResult, ProjectResult
from .anchors import at, fixed, fixed_row
from .cells import Sheet
from .discounting import present_value_factor, rate_lookup, schedule_rates
from .project_inputs import money_style
from .project_layout import FIRST, ProjectLayout

#: A cumulative sum that should be exactly 0 may be a hair below it after rounding (the
#: calculation's own tolerance, calculate.PAYBACK_TOLERANCE).
PAYBACK_TOLERANCE = 1e-6


@dataclass
class _Runs:
    """The formulas of each row by year, kept until the row is written as fills."""

    cells: dict[int, list[tuple[int, str, object, str, str]]] = field(default_factory=dict)

    def put(
        self, row: int, formula: str, value: object, style: str, t: int, kind: str = ""
    ) -> None:
        """A formula of ``row`` for year ``t``; ``kind`` tells formulas of the row built from
        different templates apart (a stretch of one kind is a fill)."""
        self.cells.setdefault(row, []).append((FIRST + t, formula, value, style, kind))

    def write(self, sheet: Sheet) -> None:
        for row, cells in self.cells.items():
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


def flows(sheet: Sheet, result: ProjectResult, layout: ProjectLayout) -> None:
    """The "Yearly flows" table."""
    # The inputs and the flows each start a printed page, so that neither table is split and
    # the years head their columns.
    sheet.page_break(layout.inputs_title)
    sheet.page_break(layout.flows_title)
    sheet.text(layout.flows_title, 1, "Yearly flows (£)", "section")
    sheet.note(
        layout.flows_title,
        FIRST,
        layout.last_column,
        "Each line as entered (in its own prices), then adjusted: rebased to the price base "
        "year and after every adjustment of the inputs table. Totals are of the adjusted "
        "rows." + _settled_note(result),
    )
    sheet.text(layout.flows_header, 1, "Financial year", "header")
    sheet.text(layout.flows_header, 2, "", "header")
    sheet.text(layout.t_row, 1, "Year (t)", "label")
    sheet.text(layout.rate_row, 1, "Discount rate applied", "label")
    sheet.text(layout.df_row, 1, "Discount factor", "label")
    runs = _Runs()
    _discounting(sheet, runs, result, layout)
    nets: dict[str, list[int]] = {"costs": [], "benefits": [], "risks": []}
    for i, lr in enumerate(result.all_lines):
        nets[lr.line.section].append(layout.net_row(i))
        _line(sheet, runs, result, layout, i, lr)
    labels = [
        (layout.costs_row, "Total costs"),
        (layout.benefits_row, "Total benefits"),
        (layout.to_come_row, "Benefits still to come (years without outturn)"),
        (layout.net_total_row, "Net benefit (benefits - costs)"),
        (layout.discounted_row, "Discounted net benefit"),
        (layout.cumulative_row, "Cumulative discounted net benefit"),
        (layout.paid_row, "Payback: the year (t) from which the cumulative stays at 0 or above"),
    ]
    if layout.present_value_year is not None:
        labels += [
            (layout.k_row, "Years from the present-value year (k)"),
            (layout.factor_row, "Factor to the present-value year"),
        ]
        _present_value_year(sheet, runs, result, layout)
    for row, label in labels:
        sheet.text(row, 1, label, "label")
    _totals(runs, result, layout, nets)
    runs.write(sheet)


def _settled_note(result: ProjectResult) -> str:
    """Why a risk's adjusted row is 0 in the years settled by cost outturn, when it is."""
    if not (result.settled and result.risks):
        return ""
    years = [financial_year(result.project.start_year + t) for t in result.settled]
    listed = ", ".join(years[:-1]) + " and " + years[-1] if len(years) > 1 else years[0]
    return (
        f" A risk's expected cost does not count in {listed}: their cost outturn is recorded, "
        "so the risk happened (its cost is in the outturn) or it did not. In a year without "
        "cost outturn the plan stands in, the risks' expected costs included."
    )


def _discounting(sheet: Sheet, runs: _Runs, result: ProjectResult, layout: ProjectLayout) -> None:
    """The years, the rate of each year's band and the discount factors."""
    schedule, rate, declining, year0 = (
        layout.setting(key) for key in ("schedule", "discount_rate", "declining", "discount_year0")
    )
    rate_row, df_row = layout.rate_row, layout.df_row
    for t in range(layout.horizon):
        column = FIRST + t
        year = financial_year(result.project.start_year + t)
        sheet.text(layout.flows_header, column, year, "header")
        sheet.number(layout.t_row, column, t, "year")
        # r for year t (t+1 when year 0 is discounted: TRUE counts as 1), from the bands of the
        # project's schedule
        this_year = f"{fixed_row(layout.t_row, column)}+{year0}"
        lookup = "=" + rate_lookup(schedule, this_year, rate, declining)
        runs.put(rate_row, lookup, float(result.rates[t]), "percent", t)
        if t == 0:
            formula = f"=IF({year0},1/(1+{at(rate_row, column)}),1)"
        else:
            formula = f"={at(df_row, column - 1)}/(1+{at(rate_row, column)})"
        kind = "first" if t == 0 else ""
        runs.put(df_row, formula, result.discount_factors[t], "factor", t, kind)


def _line(
    sheet: Sheet, runs: _Runs, result: ProjectResult, layout: ProjectLayout, i: int, lr: LineResult
) -> None:
    """A line's two rows: as entered (gross, or the outturn recorded, in green) and adjusted."""
    line, trace = lr.line, lr.trace
    column = FIRST + i
    gross_row, net_row = layout.gross_row(i), layout.net_row(i)
    # A long name wraps in its "as entered" row, which grows to hold it.
    sheet.fit(gross_row, sheet.wrapped(gross_row, 1, line.name, "wrap"))
    sheet.text(gross_row, 2, "As entered", "note")
    sheet.text(net_row, 2, "Adjusted", "label")
    rows = layout.rows
    first, last, annual, growth, drop_off, adjustment, outturn_factor = (
        fixed(rows[k], column)
        for k in ("first", "last", "annual", "growth", "drop_off", "adjustment", "outturn_factor")
    )
    change = f"(1+{growth})" if line.section == "costs" else f"((1+{growth})*(1-{drop_off}))"
    for t in range(layout.horizon):
        year = FIRST + t
        c_t = fixed_row(layout.t_row, year)
        gross = at(gross_row, year)
        if t in trace.outturn:
            # the outturn recorded for the year: an input, in green
            sheet.number(gross_row, year, trace.outturn[t], "outturn money")
            runs.put(net_row, f"={gross}*{outturn_factor}", lr.flows[t], "money", t, "outturn")
            continue
        inside = f"AND({c_t}>={first},{c_t}<={last})"
        if isinstance(line, Risk):
            runs.put(gross_row, f"=IF({inside},{annual},0)", trace.gross[t], "money", t)
        elif line.amounts is not None:
            sheet.number(gross_row, year, trace.gross[t], money_style(trace.gross[t]))
        else:
            formula = f"=IF({inside},{annual}*{change}^({c_t}-{first}),0)"
            runs.put(gross_row, formula, trace.gross[t], "money", t)
        if isinstance(line, Risk) and t in result.settled:
            # a settled year: the risk happened (its cost is in a cost line's outturn) or it
            # did not, so its expected cost no longer counts
            runs.put(net_row, "=0", lr.flows[t], "money", t, "settled")
            continue
        runs.put(net_row, f"={gross}*{adjustment}", lr.flows[t], "money", t)
    pv = f"=SUMPRODUCT({layout.years_of(net_row).fixed},{layout.years_of(layout.df_row).fixed})"
    sheet.formula(layout.rows["pv"], column, pv, lr.pv, "money")


def _present_value_year(
    sheet: Sheet, runs: _Runs, result: ProjectResult, layout: ProjectLayout
) -> None:
    """Each year's offset from the present-value year and its factor to it, with a note that
    checks the first."""
    settings = result.settings
    offsets, factors = result.present_value_offsets, result.present_value_factors
    assert offsets is not None and factors is not None and layout.present_value_year is not None
    k0 = int(offsets[0])
    power = (
        f" = (1 + {settings.discount_rate:.1%})^{-k0}"
        if settings.schedule is None and abs(k0) <= 30 and not settings.discount_year0 and k0
        else ""
    )
    sheet.note(
        layout.flows_end + 1,
        1,
        layout.last_column,
        "Factor to the present-value year (Assumptions): "
        "DF(k) of this project's schedule for a year k after it, 1 / DF(-k) for a year "
        "before it (compounded forward); with year 0 discounted, k + 1. The NPV valued "
        "at the present-value year is the net benefit times this factor, summed. The "
        "formula adds ln(1 + r) over the years of each band of the schedule between the "
        f"year and the present-value year, so it holds for any k. As written (at "
        f"{financial_year(layout.present_value_year)}), "
        f"{financial_year(result.project.start_year)} is k = {k0}, factor "
        f"{float(factors[0]):.4f}{power}.",
    )
    start, year0 = layout.setting("start_year"), layout.setting("discount_year0")
    rates = schedule_rates(*(layout.setting(k) for k in ("schedule", "discount_rate", "declining")))
    for t in range(layout.horizon):
        column = FIRST + t
        k = f"={start}+{fixed_row(layout.t_row, column)}-PresentValueYear"
        runs.put(layout.k_row, k, int(offsets[t]), "year", t)
        factor = "=" + present_value_factor(f"{at(layout.k_row, column)}+{year0}", rates)
        sheet.array_formula(layout.factor_row, column, factor, float(factors[t]), "factor")


def _totals(
    runs: _Runs, result: ProjectResult, layout: ProjectLayout, nets: dict[str, list[int]]
) -> None:
    """Total costs and benefits, the net benefit, discounted and cumulative, and payback."""
    net = result.benefits - result.costs
    discounted = net * result.discount_factors
    cumulative = np.cumsum(discounted)
    reached = cumulative >= -PAYBACK_TOLERANCE
    # the year from which the cumulative stays at 0 or above: every later year has reached it
    stays = np.flip(np.logical_and.accumulate(np.flip(reached)))
    for t in range(layout.horizon):
        column = FIRST + t
        for row, section, totals in (
            (layout.costs_row, "costs", result.costs),
            (layout.benefits_row, "benefits", result.benefits),
        ):
            rows_in = nets[section] + (nets["risks"] if section == "costs" else [])
            total = "+".join(at(n, column) for n in rows_in) or "0"
            runs.put(row, f"={total}", totals[t], "money total", t)
        _to_come(runs, result, layout, t)
        costs, benefits = at(layout.costs_row, column), at(layout.benefits_row, column)
        runs.put(layout.net_total_row, f"={benefits}-{costs}", net[t], "money", t)
        df = at(layout.df_row, column)
        this_net = at(layout.net_total_row, column)
        runs.put(layout.discounted_row, f"={this_net}*{df}", discounted[t], "money", t)
        previous = f"{at(layout.cumulative_row, column - 1)}+" if t else ""
        formula = f"={previous}{at(layout.discounted_row, column)}"
        kind = "first" if t == 0 else ""
        runs.put(layout.cumulative_row, formula, cumulative[t], "money", t, kind)
        # Only the year from which the cumulative stays at 0 or above to the end: it reaches 0
        # there (not the year before), and never falls below again.
        here = at(layout.cumulative_row, column)
        rest = f"{here}:{fixed(layout.cumulative_row, FIRST + layout.horizon - 1)}"
        now = f"{here}>=-{PAYBACK_TOLERANCE},MIN({rest})>=-{PAYBACK_TOLERANCE}"
        if t:
            before = at(layout.cumulative_row, column - 1)
            now = f"{now},{before}<-{PAYBACK_TOLERANCE}"
        first_time = bool(stays[t] and (t == 0 or not reached[t - 1]))
        paid = f'=IF(AND({now}),{fixed_row(layout.t_row, column)},"")'
        runs.put(layout.paid_row, paid, t if first_time else "", "year", t, kind)


def _to_come(runs: _Runs, result: ProjectResult, layout: ProjectLayout, t: int) -> None:
    """Year ``t``'s benefits still to come: the adjusted benefit rows that hold no outturn
    (outturn recorded can no longer fall, so the switching values leave it out)."""
    column = FIRST + t
    open_lines = [
        i
        for i, lr in enumerate(result.all_lines)
        if lr.line.section == "benefits" and t not in lr.trace.outturn
    ]
    total = "+".join(at(layout.net_row(i), column) for i in open_lines) or "0"
    value = sum((result.all_lines[i].flows[t] for i in open_lines), 0.0)
    # years that add up different lines are different formulas, not one filled right
    kind = "to come " + ",".join(map(str, open_lines))
    runs.put(layout.to_come_row, f"={total}", value, "money", t, kind)
