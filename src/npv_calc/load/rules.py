"""The validation rules: what each key of a scenario file may hold.

One table for the loader and for ``npv-calc schema`` (:mod:`npv_calc.schema` builds the JSON
Schema from it), so that the two can never say different things.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..model import APPRAISAL_KEYS

ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
BUILTIN_SCENARIOS = ("central", "pessimistic", "optimistic")
MAX_HORIZON = 400
#: A benefit's unit value may name a value of the unit-cost library: ``"ref:crime.arson"``.
REFERENCE = "ref:"


@dataclass(frozen=True)
class Rule:
    """A range rule for a number, as JSON Schema bounds (so that ``npv-calc schema`` states the
    same rules), with the words saying what is allowed."""

    bounds: dict[str, float]  # minimum, maximum, exclusiveMinimum, exclusiveMaximum
    allowed: str

    def ok(self, x: float) -> bool:
        b = self.bounds
        return (
            x >= b.get("minimum", -math.inf)
            and x <= b.get("maximum", math.inf)
            and x > b.get("exclusiveMinimum", -math.inf)
            and x < b.get("exclusiveMaximum", math.inf)
        )


MONEY = Rule({"minimum": 0}, "must be 0 or more (£; a saving is a benefit, not a negative cost)")
NON_NEGATIVE = Rule({"minimum": 0}, "must be 0 or more")
SHARE = Rule({"minimum": 0, "maximum": 1}, "must be a share between 0 and 1 (e.g. 0.25 for 25%)")
YEARLY_CHANGE = Rule(
    {"exclusiveMinimum": -1, "exclusiveMaximum": 1},
    "must be greater than -1 and less than 1 (e.g. 0.02 for 2% a year)",
)
COST_UPLIFT = Rule({"minimum": 0}, "must be 0 or more (e.g. 0.24 for a 24% uplift)")
BENEFIT_REDUCTION = Rule(
    {"minimum": 0, "maximum": 1},
    "must be between 0 and 1 for a benefit (e.g. 0.1 reduces the benefit by 10%)",
)
POSITIVE = Rule({"exclusiveMinimum": 0}, "must be greater than 0")
DISCOUNT_RATE = Rule({"exclusiveMinimum": -1}, "must be greater than -1 (e.g. 0.035 for 3.5%)")

#: The rule for each uncertain-capable field, by section.
FIELD_RULES: dict[str, dict[str, Rule]] = {
    "costs": {
        "annual": MONEY,
        "scale": NON_NEGATIVE,
        "growth": YEARLY_CHANGE,
        "optimism_bias": COST_UPLIFT,
    },
    "benefits": {
        "annual": MONEY,
        "quantity": NON_NEGATIVE,
        "unit_value": MONEY,
        "scale": NON_NEGATIVE,
        "growth": YEARLY_CHANGE,
        "drop_off": YEARLY_CHANGE,
        "deadweight": SHARE,
        "displacement": SHARE,
        "attribution": SHARE,
        "optimism_bias": BENEFIT_REDUCTION,
    },
}
LINE_TEXT_KEYS = ("name", "agency", "source")
LINE_OTHER_KEYS = ("amounts", "years", "price_year")
COST_KEYS = (*LINE_TEXT_KEYS, "kind", *LINE_OTHER_KEYS, *FIELD_RULES["costs"])
BENEFIT_KEYS = (
    *LINE_TEXT_KEYS,
    "cashable",
    "confidence",
    *LINE_OTHER_KEYS,
    *FIELD_RULES["benefits"],
)
PROJECT_KEYS = (
    "id",
    "name",
    "start_year",
    "status",
    "partners",
    "description",
    "appraisal",
    *APPRAISAL_KEYS,
    "costs",
    "benefits",
)
PORTFOLIO_TABLES = ("portfolio", "appraisal", "confidence_grades", "deflators", "scenarios")
PORTFOLIO_KEYS = ("name", "description", "target", "target_year")
SCENARIO_KEYS = ("description", "set", "exclude")
UNCERTAIN_KEYS = ("low", "central", "high")
