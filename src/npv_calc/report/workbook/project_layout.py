"""Where each part of a project's sheet is: the rows of its settings, results and inputs, and a
layout that places the inputs and the yearly flows below them (rows and columns from 1). The
sheet's writers (:mod:`~.project`, :mod:`~.project_inputs`, :mod:`~.project_flows`) all place
their cells by it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .anchors import Span, at, fixed

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
#: The column of the settings' and the results' values.
VALUES = 2
#: The "Present value by agency" table: its first column (D) and first row.
AGENCY_COLUMN = 4
AGENCY_TABLE_FIRST = 6
#: What the results block says where a figure does not exist.
NO_PAYBACK = "not reached"
NO_IRR = "not defined"
NO_RATIO = "–"
#: The results block's title row; its rows (column B), by figure, follow.
RESULTS_TITLE = 15
RESULT_ROWS = {
    "pv_costs": 16,
    "pv_benefits": 17,
    "pv_benefits_to_come": 18,
    "npv": 19,
    "bcr": 20,
    "roi": 21,
    "payback": 22,
    "irr": 23,
    "cashable_npv": 24,
    "pv_fiscal": 25,
    "financial_roi": 26,
    "npv_at_pv_year": 27,  # only with [portfolio] present_value_year
}
#: The defined name of each result that has one (``NPV_<ID>``, ...).
RESULT_NAMES = {
    "pv_costs": "PVCosts",
    "pv_benefits": "PVBenefits",
    "pv_benefits_to_come": "PVBenefitsToCome",
    "npv": "NPV",
    "pv_fiscal": "PVFiscalBenefits",
    "financial_roi": "FinancialROI",
    "npv_at_pv_year": "NPVAtPVYear",
}
#: The rows of the inputs table: label and unit, by field.
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
#: The first column of the line columns (inputs) and of the year columns (flows).
FIRST = 3


@dataclass(frozen=True)
class ProjectLayout:
    """Where each part of a project's sheet is: rows by what they hold, and the columns of its
    lines and years (all from 1)."""

    title: str
    horizon: int
    lines: int  # line and risk columns
    agencies: tuple[str, ...]
    present_value_year: int | None
    inputs_title: int = field(init=False)
    rows: dict[str, int] = field(init=False)
    flows_title: int = field(init=False)

    def __post_init__(self) -> None:
        inputs_title = max(
            max(RESULT_ROWS.values()) + 2, AGENCY_TABLE_FIRST + len(self.agencies) + 2
        )
        object.__setattr__(self, "inputs_title", inputs_title)
        header = inputs_title + 1
        rows = {name: header + 1 + i for i, name in enumerate(INPUT_ROWS)}
        object.__setattr__(self, "rows", rows)
        object.__setattr__(self, "flows_title", rows["pv"] + 2)

    @property
    def header(self) -> int:
        """The inputs table's header row (the lines' names)."""
        return self.inputs_title + 1

    @property
    def flows_header(self) -> int:
        return self.flows_title + 1

    @property
    def t_row(self) -> int:
        return self.flows_header + 1

    @property
    def rate_row(self) -> int:
        return self.flows_header + 2

    @property
    def df_row(self) -> int:
        return self.flows_header + 3

    def gross_row(self, i: int) -> int:
        """The "as entered" row of the line in column ``FIRST + i``."""
        return self.df_row + 1 + 2 * i

    def net_row(self, i: int) -> int:
        """The "adjusted" row of the line in column ``FIRST + i``."""
        return self.df_row + 2 + 2 * i

    @property
    def costs_row(self) -> int:
        return self.df_row + 1 + 2 * self.lines

    @property
    def benefits_row(self) -> int:
        return self.costs_row + 1

    @property
    def to_come_row(self) -> int:
        """The benefits still to come: the benefit rows' years without outturn."""
        return self.costs_row + 2

    @property
    def net_total_row(self) -> int:
        return self.costs_row + 3

    @property
    def discounted_row(self) -> int:
        return self.costs_row + 4

    @property
    def cumulative_row(self) -> int:
        return self.costs_row + 5

    @property
    def paid_row(self) -> int:
        return self.costs_row + 6

    @property
    def k_row(self) -> int:
        """With a present-value year: each year's offset from it."""
        return self.paid_row + 1

    @property
    def factor_row(self) -> int:
        """With a present-value year: each year's factor to it."""
        return self.paid_row + 2

    @property
    def flows_end(self) -> int:
        return self.paid_row + (2 if self.present_value_year is not None else 0)

    @property
    def last_column(self) -> int:
        return 2 + max(self.horizon, self.lines, 4)

    def setting(self, key: str) -> str:
        """The absolute address of a setting's value (``$B$5`` for the discount rate)."""
        return fixed(SETTING_ROWS[key], VALUES)

    def result(self, key: str) -> str:
        """The relative address of a result's value (``B18`` for the NPV)."""
        return at(RESULT_ROWS[key], VALUES)

    def years_of(self, row: int) -> Span:
        """A row across the year columns."""
        return Span.row(self.title, row, FIRST, FIRST + self.horizon - 1)

    def lines_of(self, name: str) -> Span:
        """A row of the inputs table across the line columns."""
        return Span.row(self.title, self.rows[name], FIRST, FIRST + self.lines - 1)
