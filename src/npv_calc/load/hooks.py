"""The special logic of a few keys, as small functions that :mod:`npv_calc.load.fields` hooks to
the fields they concern: a check run after a key is read (``check``), or the value a file gives
for a field of the model (``written``).

What spans a whole line (the ways of stating its money, ``ref:`` unit values) is here too; the
line reader (:mod:`npv_calc.load.project`) calls it at its place in the reading.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .. import params
from ..model import Uncertain
from .messages import show, suggest
from .rules import LOW_TARGET, MAX_GRADE, REFERENCE

if TYPE_CHECKING:
    from ..model import Line
    from .kinds import Reading

#: What a line's source says of a library value checked only against a secondary report.
SECONDARY = "checked against secondary reports only"


# -- checks run after a key is read: (reading, value read) -> the value to keep ----------------


def check_ob_type(reading: Reading, ob_type: object) -> object:
    """``ob_type`` is instead of ``optimism_bias``, and its project type's uplift is measured on
    one kind of cost: a line of the other kind gets a warning."""
    table = reading.table
    if "optimism_bias" in table:
        reading.add(
            "give either optimism_bias (your own uplift) or ob_type (the uplift of a project "
            "type, reduced by ob_mitigation), not both",
            "ob_type",
        )
        return None
    kind = reading.values.get("kind")
    if ob_type is None or kind is None:
        return ob_type
    measured_on = params.optimism_bias_types()[str(ob_type)].applies_to
    if measured_on != kind:
        what = "operating (revenue)" if measured_on == "revenue" else "capital"
        default = "" if "kind" in table else " (the default, as it gives no kind)"
        reading.warn(
            f"{show(ob_type)} is an uplift measured on {what} costs, but this line is "
            f'kind = "{kind}"{default}; check the project type or the kind',
            "ob_type",
        )
    return ob_type


def check_value_type(reading: Reading, value_type: object) -> object:
    """A cashable saving is fiscal: it releases public money."""
    if reading.values.get("cashable") and value_type not in (None, "fiscal"):
        reading.add(
            f"is {show(value_type)} but the line is cashable: a cashable saving is fiscal (it "
            'releases public money); write value_type = "fiscal" or cashable = false',
            "value_type",
        )
    return value_type


def check_target(reading: Reading, target: object) -> object:
    """A target below £1,000 is legal but very likely written in £m or £k."""
    if isinstance(target, float) and target < LOW_TARGET:
        reading.warn(_low_target(target), "target")
    return target


def _low_target(target: float) -> str:
    money = f"£{target:,.2f}".replace(".00", "")
    if target <= 0:
        return (
            f"is {money}: every portfolio whose NPV toward the target is not negative meets it; "
            "give the £ of NPV the programme must secure"
        )
    millions = target * 1_000_000
    return (
        f"is only {money}; targets are in pounds: if {target:g} means £{target:g}m, "
        f"write {millions:_.0f} (did you mean {millions:,.0f}?)"
    )


# -- the keys of keyed tables ------------------------------------------------------------------


def grade_problem(key: str) -> str | None:
    """A confidence grade is a whole number from 1 to :data:`MAX_GRADE` (the highest a line's
    ``confidence`` can name)."""
    # The length first: a key of thousands of digits is more than int() will convert.
    digits = key.lstrip("0")
    if (
        not re.fullmatch(r"[0-9]+", key)
        or len(digits) > len(str(MAX_GRADE))
        or not 1 <= int(key) <= MAX_GRADE
    ):
        count = f" ({len(key):,} digits)" if len(key) > 20 and key.isdigit() else ""
        return f"grade {show(key)}{count} must be a whole number from 1 to {MAX_GRADE:,}"
    return None


def year_problem(key: str) -> str | None:
    """A deflator's year is written as four digits."""
    return None if re.fullmatch(r"[0-9]{4}", key) else f"{show(key)} must be a year such as 2023"


# -- unit values from the unit-cost library: unit_value = "ref:<key>" -------------------------


def reference_source(key: str) -> str:
    """The source a line gets from ``unit_value = "ref:<key>"`` when it gives none itself
    (saying so when the library value was checked only against a secondary report)."""
    cost = params.unit_costs()[key]
    flag = f"; {SECONDARY}" if cost.secondary_only else ""
    return f"{cost.source} ({cost.description}, via {REFERENCE}{key}{flag})"


def reference_given(reading: Reading) -> str | bool | None:
    """What a benefit's ``unit_value`` says before its values are read: the ``ref:`` text when
    it names a library value, ``False`` when it puts one in a range (an error, reported here,
    after which the unit value is not read), else ``None``."""
    given = reading.table.get("unit_value")
    if isinstance(given, str):
        return given
    if isinstance(given, dict) and any(
        isinstance(v, str) and v.startswith(REFERENCE) for v in given.values()
    ):
        reading.add(
            "a ref: value from the unit-cost library cannot be given a low and high; leave "
            "them out and put the range on quantity or scale instead",
            "unit_value",
        )
        return False
    return None


def read_reference(text: str, reading: Reading) -> None:
    """``unit_value = "ref:<key>"``: a value from the unit-cost library, in its own year's
    prices (so that the deflators rebase it), and its source unless the line gives one."""
    library = params.unit_costs()
    key = text[len(REFERENCE) :] if text.startswith(REFERENCE) else None
    if key is None or key not in library:
        what = (
            f"{show(text)} is not in the unit-cost library{suggest(key, library)}"
            if key
            else f'must be a number or "ref:<key>" from the unit-cost library, got {show(text)}'
        )
        reading.add(f"{what}; npv-calc unit-costs lists the keys", "unit_value")
        return
    cost = library[key]
    values = reading.values
    given = values.get("price_year")
    if "price_year" in reading.table and given is not None and given != cost.price_year:
        reading.add(
            f"{given} does not match {text}, which is in {cost.price_year} prices; leave "
            "price_year out (a ref: value brings its own)",
            "price_year",
        )
        values.pop("price_year", None)  # reported once, not again as a missing deflator
        return
    values["unit_value"] = (
        Uncertain(cost.low, cost.value, cost.high)
        if cost.low is not None and cost.high is not None
        else cost.value
    )
    values["price_year"] = cost.price_year
    values["unit_ref"] = key
    if "source" not in reading.table:
        values["source"] = reference_source(key)


# -- checks across a line's keys ---------------------------------------------------------------


def check_money(reading: Reading, section: str) -> None:
    """A line states its money one way: ``amounts``, ``annual``, or (benefits) ``quantity``
    with ``unit_value``; ``amounts`` are year by year already, so ``years``, ``growth`` and
    ``drop_off`` do not go with them; and a benefit's optimism bias is its own or its grade's."""
    table = reading.table
    forms = [k for k in ("amounts", "annual", "quantity") if k in table]
    if section == "benefits" and ("quantity" in table) != ("unit_value" in table):
        present, missing = (
            ("quantity", "unit_value") if "quantity" in table else ("unit_value", "quantity")
        )
        reading.add(f"needs {missing} as well (annual = quantity x unit_value)", present)
    if not forms and "unit_value" not in table:
        choices = (
            "amounts or annual"
            if section == "costs"
            else "amounts, annual, or quantity with unit_value"
        )
        reading.add(f"gives no money: give one of {choices}")
    elif len(forms) > 1:
        shown = " and ".join(forms)
        reading.add(f"gives {shown}: give only one way of stating the amount", forms[1])
    if "amounts" in table:
        for key in ("years", "growth", "drop_off"):
            if key in table:
                reading.add(
                    f"cannot be used with amounts (amounts are already year by year; use "
                    f"annual with {key} instead)",
                    key,
                )
    if "optimism_bias" in table and "confidence" in table:
        reading.add("give either optimism_bias or confidence, not both", "confidence")


# -- what a file gives for a field of a line (None: it says nothing) --------------------------


def unit_value_written(line: Line) -> object:
    """A library value is written as the ``ref:`` that brought it."""
    return f"{REFERENCE}{line.unit_ref}" if line.unit_ref else line.unit_value


def price_year_written(line: Line) -> object:
    """A ``ref:`` unit value brings its own price year."""
    return None if line.unit_ref else line.price_year


def source_written(line: Line) -> object:
    """A ``ref:`` unit value brings its own source, unless the line gave another."""
    if line.unit_ref and line.source == reference_source(line.unit_ref):
        return None
    return line.source


def actuals_written(line: Line) -> object:
    """Outturn keyed by the financial year as a file writes it (``2017 = ...``), if any."""
    return {str(year): amount for year, amount in line.actuals.items()} or None
