"""The validation rules: the ranges numbers may take, and the limits of ids and years.

The declaration of the keys (:mod:`npv_calc.load.fields`) gives each number its :class:`Rule`;
the loader checks it and :mod:`npv_calc.schema` states it, so that the two can never say
different things.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*\Z")
#: The longest project id: it becomes part of the workbook's defined names (at most 255
#: characters in Excel) and of sheet titles, and an id is a short label, not a description.
MAX_ID_LENGTH = 64


def id_problem(pid: str) -> str | None:
    """What is wrong with a project id, or ``None``."""
    if not ID_PATTERN.match(pid):
        return "must start with a letter and use only letters, digits, _ and -"
    if len(pid) > MAX_ID_LENGTH:
        return f"must be at most {MAX_ID_LENGTH} characters (it has {len(pid)})"
    return None


def name_key(pid: str) -> str:
    """The workbook name an id becomes (every character outside A-Za-z0-9_ as _), in capitals:
    two ids with the same key would give the same defined names, which are not case-sensitive."""
    return re.sub(r"[^A-Za-z0-9_]", "_", pid).upper()


def agency_key(name: str) -> str:
    """The agency a name stands for: two names that differ only in case or spacing are the
    same agency (``[portfolio] agencies`` may not list both)."""
    return " ".join(name.split()).casefold()


BUILTIN_SCENARIOS = ("central", "pessimistic", "optimistic")
MAX_HORIZON = 400
#: The highest confidence grade: a guard against a slip (the grades that exist are the
#: portfolio's, 1-6 by default), and the most a line's ``confidence`` may name.
MAX_GRADE = 10**6
#: The most correlation groups a portfolio declares: their coefficients are checked together
#: (a matrix with a row per group, factored in about a second at this size); a portfolio has a
#: handful.
MAX_GROUPS = 500
#: The most items of one kind a file gives (``[[costs]]``, ``[[correlation.between]]``, ...):
#: an input workbook's sheet holds as many rows of data.
MAX_ITEMS = 100_000
#: The most parts a dotted key (``a.b.c = 1``) of a scenario file has: the parser keeps every
#: prefix of one, so its memory grows with the square of its parts.
MAX_KEY_PARTS = 100
#: A line's ``years`` from this value up are calendar years written where offsets belong.
CALENDAR_YEAR = 1900
#: A benefit's unit value may name a value of the unit-cost library: ``"ref:crime.arson"``.
REFERENCE = "ref:"


@dataclass(frozen=True)
class Rule:
    """A range rule for a number, as JSON Schema bounds (so that ``npv-calc schema`` states the
    same rules), with the words saying what is allowed."""

    bounds: dict[str, float]  # minimum, maximum, exclusiveMinimum, exclusiveMaximum
    allowed: str
    #: A share or rate written as a percentage (25 for 25%) is refused with value / 100
    #: suggested: the commonest slip in these files, and one that gives plausible wrong figures.
    percent: bool = False
    #: ... and a negative one (-5 for -5% a year) too, where negative values are usual
    signed_percent: bool = False
    #: Above this the value is allowed but very likely a slip: a warning, with ``warning`` as the
    #: reason.
    warn_above: float | None = None
    warning: str = ""

    def ok(self, x: float) -> bool:
        b = self.bounds
        return (
            x >= b.get("minimum", -math.inf)
            and x <= b.get("maximum", math.inf)
            and x > b.get("exclusiveMinimum", -math.inf)
            and x < b.get("exclusiveMaximum", math.inf)
        )

    def percent_slip(self, x: float) -> str | None:
        """The value ÷ 100 when ``x`` (which breaks the rule) looks like a percentage."""
        lowest = -100 if self.signed_percent else 1
        if self.percent and (1 <= x <= 100 or lowest <= x <= -1) and self.ok(x / 100):
            return percent_of(x)
        return None


def percent_of(x: float) -> str:
    """``x / 100`` as a person would write it: 24 -> ``0.24``, 3.5 -> ``0.035``."""
    return format(x / 100, ".12g")


MONEY = Rule({"minimum": 0}, "must be 0 or more (£; a saving is a benefit, not a negative cost)")
NON_NEGATIVE = Rule({"minimum": 0}, "must be 0 or more")
SHARE = Rule(
    {"minimum": 0, "maximum": 1},
    "must be a share between 0 and 1 (e.g. 0.25 for 25%)",
    percent=True,
)
YEARLY_CHANGE = Rule(
    {"exclusiveMinimum": -1, "exclusiveMaximum": 1},
    "must be greater than -1 and less than 1 (e.g. 0.02 for 2% a year)",
    percent=True,
    signed_percent=True,
)
#: The Green Book's highest upper bound for optimism bias (Mott MacDonald 2002: 200% for
#: equipment and development projects' capital costs) caps a cost uplift.
MAX_COST_UPLIFT = 2.0
COST_UPLIFT = Rule(
    {"minimum": 0, "maximum": MAX_COST_UPLIFT},
    "must be from 0 to 2 (e.g. 0.24 for a 24% uplift; 2 is 200%, the Green Book's highest "
    "upper bound)",
    percent=True,
)
BENEFIT_REDUCTION = Rule(
    {"minimum": 0, "maximum": 1},
    "must be between 0 and 1 for a benefit (e.g. 0.1 reduces the benefit by 10%)",
    percent=True,
)
MITIGATION = Rule(
    {"minimum": 0, "maximum": 1},
    "must be a share between 0 and 1 (0: optimism bias at its upper bound; e.g. 0.4 when 40% "
    "of the risks behind it are mitigated)",
    percent=True,
)
#: A delivery status tolerance (``[realisation]``): a share of the base plan to date.
TOLERANCE = Rule(
    {"minimum": 0, "maximum": 1},
    "must be a share of the base plan to date between 0 and 1 (e.g. 0.05 for 5%)",
    percent=True,
)
POSITIVE = Rule({"exclusiveMinimum": 0}, "must be greater than 0")
#: Above this a discount rate is legal but almost certainly a slip (the STPR is 3.5%).
HIGH_DISCOUNT_RATE = 0.20
DISCOUNT_RATE = Rule(
    {"exclusiveMinimum": -1, "maximum": 1},
    "must be a rate greater than -1 and at most 1 (e.g. 0.035 for 3.5%)",
    percent=True,
    warn_above=HIGH_DISCOUNT_RATE,
    warning="is above 20%: the Green Book rate is 3.5% (0.035); check it is not a slip",
)
#: A target below this is legal but very likely written in £m or £k: a warning.
LOW_TARGET = 1_000

UNCERTAIN_KEYS = ("low", "central", "high")
#: An uncertain table may also name a correlation group.
UNCERTAIN_OPTIONAL = ("group",)
#: A rank correlation coefficient.
COEFFICIENT = Rule(
    {"minimum": -1, "maximum": 1},
    "must be a rank correlation from -1 to 1 (e.g. 0.8)",
    percent=True,
    signed_percent=True,
)
