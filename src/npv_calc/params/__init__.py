"""Green Book parameters, read from ``green_book.toml`` beside this module.

The numbers live in a data file with their source and vintage rather than in code, so that they
can be checked against the publication and replaced when HM Treasury revises them.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

#: The published discount schedules a scenario may name (``[appraisal] schedule``), each a
#: column of the band table.
SCHEDULES = ("standard", "health", "lower-rate-test-2026")

#: The parameter files shipped beside this module, which a run may read: never an output.
FILES = tuple(
    Path(__file__).parent / name
    for name in ("green_book.toml", "gdp_deflators.toml", "unit_costs.csv")
)


@dataclass(frozen=True)
class DiscountBand:
    """A band of years (offsets from year 0, inclusive) and its rate in each published
    schedule."""

    first: int
    last: int | None
    standard: float
    health: float
    lower_rate_test_2026: float

    def rate(self, schedule: str) -> float:
        """The band's rate in a published schedule (one of :data:`SCHEDULES`)."""
        return {
            "standard": self.standard,
            "health": self.health,
            "lower-rate-test-2026": self.lower_rate_test_2026,
        }[schedule]


@cache
def _data() -> dict:
    text = (Path(__file__).parent / "green_book.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


@cache
def discount_bands() -> tuple[DiscountBand, ...]:
    """The Green Book discount schedule, first band first."""
    return tuple(
        DiscountBand(b["from"], b.get("to"), b["standard"], b["health"], b["lower_rate_test_2026"])
        for b in _data()["discount_schedule"]["bands"]
    )


def standard_rate() -> float:
    """The Social Time Preference Rate for years 0-30 (3.5%)."""
    return discount_bands()[0].standard


def default_confidence_grades() -> dict[int, float]:
    """Benefit optimism bias by confidence grade, as shipped (a portfolio may override them)."""
    return {int(k): float(v) for k, v in _data()["confidence_grades"]["grades"].items()}


def source(table: str) -> str:
    """The citation of a parameter table (``"discount_schedule"``, ``"optimism_bias"`` or
    ``"confidence_grades"``)."""
    return " ".join(_data()[table]["source"].split())


@dataclass(frozen=True)
class OptimismBiasBounds:
    """Mott MacDonald's (2002) bounds of optimism bias for one project type: the uplift of
    capital expenditure (operating expenditure for outsourcing) and of works duration."""

    type: str
    upper: float
    lower: float
    duration_upper: float | None
    duration_lower: float | None
    #: the kind of cost the uplift was measured on: ``"capital"``, or ``"revenue"`` (operating
    #: costs) for outsourcing
    applies_to: str

    def uplift(self, mitigation: float) -> float:
        """The uplift after mitigation: ``upper x (1 - mitigation)``, never below ``lower``.

        Examples
        --------
        >>> optimism_bias_types()["standard-buildings"].uplift(0.5)
        0.12
        >>> optimism_bias_types()["standard-buildings"].uplift(1.0)
        0.02
        """
        return max(self.lower, self.upper * (1.0 - mitigation))


@cache
def optimism_bias_types() -> dict[str, OptimismBiasBounds]:
    """Mott MacDonald's optimism bias bounds (``[optimism_bias]`` of ``green_book.toml``), by
    project type."""
    return {
        t["type"]: OptimismBiasBounds(
            t["type"],
            t["capital_upper"],
            t["capital_lower"],
            t.get("duration_upper"),
            t.get("duration_lower"),
            t["applies_to"],
        )
        for t in _data()["optimism_bias"]["types"]
    }


@dataclass(frozen=True)
class ValueForMoneyCategories:
    """Value-for-money categories by BCR under one department's convention, first (lowest)
    first: ``(name, upper end)`` with the last open-ended."""

    categories: tuple[tuple[str, float | None], ...]
    convention: str
    warning: str
    source: str


@cache
def value_for_money_categories() -> ValueForMoneyCategories:
    """The DfT value-for-money categories (``[value_for_money]`` of ``green_book.toml``)."""
    table = _data()["value_for_money"]
    return ValueForMoneyCategories(
        tuple((c["name"], c.get("below")) for c in table["categories"]),
        table["convention"],
        " ".join(table["warning"].split()),
        " ".join(table["source"].split()),
    )


@dataclass(frozen=True)
class Deflators:
    """A published GDP deflator series: index by year, with its source and vintage."""

    index: dict[int, float]
    source: str
    vintage: str
    base_year: int
    series: str


@cache
def gdp_deflators() -> Deflators:
    """HM Treasury's GDP deflator series shipped with npv-calc (``gdp_deflators.toml``)."""
    text = (Path(__file__).parent / "gdp_deflators.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return Deflators(
        {int(year): float(value) for year, value in data["index"].items()},
        " ".join(data["source"].split()),
        data["vintage"],
        int(data["base_year"]),
        data["series"],
    )


@dataclass(frozen=True)
class UnitCost:
    """A standard unit value that a benefit line may use as ``unit_value = "ref:<key>"``."""

    key: str
    value: float
    unit: str
    price_year: int  # the financial year whose prices the value is in (2015 = 2015/16)
    description: str
    source: str
    #: ``"publication"``: checked against the source itself; ``"secondary"``: only against a
    #: secondary report of it (check the publication before relying on the figure)
    checked: str = "secondary"
    #: what the figure was checked against, in words
    checked_against: str = ""
    #: the published range, when the source gives one (``value`` is then the central value)
    low: float | None = None
    high: float | None = None

    @property
    def secondary_only(self) -> bool:
        """Whether the figure was checked only against a secondary report."""
        return self.checked != "publication"


#: How far a unit value was checked: against the publication itself, or a secondary report.
CHECKED = ("publication", "secondary")


@cache
def unit_costs() -> dict[str, UnitCost]:
    """The unit-cost library (``unit_costs.csv``): cited public figures, by key."""
    path = Path(__file__).parent / "unit_costs.csv"
    costs: dict[str, UnitCost] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["key"] in costs:
                raise ValueError(f"{path}: the key {row['key']!r} is listed twice")
            if row["checked"] not in CHECKED:
                raise ValueError(f"{path}: {row['key']}: checked must be one of {CHECKED}")
            costs[row["key"]] = UnitCost(
                row["key"],
                float(row["value"]),
                row["unit"],
                int(row["price_year"]),
                row["description"],
                row["source"],
                row["checked"],
                row["checked_against"],
                float(row["low"]) if row["low"] else None,
                float(row["high"]) if row["high"] else None,
            )
    return costs
