"""Scenario files written from the model: ``npv-calc import`` and ``npv-calc new``.

The writer is small and knows the format: every value the model holds is written so that reading
the file back gives the same model (numbers with ``repr``'s round-trip precision, text escaped,
uncertain values as inline tables). Defaults are left out, as a person would leave them out.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable
from typing import Any

from .. import params
from ..errors import UsageError
from ..load.fields import BENEFITS, COSTS, IMPACTS, OPTIONS, PORTFOLIO, PROJECT, REALISATION, RISKS
from ..load.rules import agency_key
from ..load.spec import Field, Part
from ..model import (
    APPRAISAL_KEYS,
    Impact,
    Line,
    NamedScenario,
    Option,
    Portfolio,
    Project,
    Risk,
    Settings,
    Uncertain,
)

_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")


def string(text: str) -> str:
    """A TOML basic string, with quotes, backslashes and control characters escaped."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def key(name: str) -> str:
    return name if _BARE.match(name) else string(name)


def number(value: float) -> str:
    """A number as TOML: whole values without a decimal point, others at full precision."""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def value(item: Any) -> str:
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, Uncertain):
        group = f", group = {string(item.group)}" if item.group is not None else ""
        return (
            f"{{ low = {number(item.low)}, central = {number(item.central)}, "
            f"high = {number(item.high)}{group} }}"
        )
    if isinstance(item, int | float):
        return number(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, list | tuple):
        return "[" + ", ".join(value(v) for v in item) + "]"
    if isinstance(item, dict):
        return "{ " + ", ".join(f"{key(k)} = {value(v)}" for k, v in item.items()) + " }"
    raise TypeError(f"cannot write {item!r} as TOML")


#: The order a line's keys are written in, as the format's documentation shows a line: what it
#: is, its money, when, its adjustments, its prices and its source, then its outturn.
LINE_ORDER = (
    "name",
    "agency",
    "kind",
    "cashable",
    "value_type",
    "amounts",
    "annual",
    "quantity",
    "unit_value",
    "years",
    "growth",
    "drop_off",
    "deadweight",
    "displacement",
    "attribution",
    "optimism_bias",
    "ob_type",
    "confidence",
    "price_year",
    "scale",
    "source",
    "owner",
    "measure",
    "actuals",
)


def _items(item: object, fields: Iterable[Field]) -> list[tuple[str, Any]]:
    """What a file says for each of ``fields`` of ``item`` (defaults left out), in order."""
    return [(f.key, v) for f in fields if (v := f.value_of(item)) is not None]


def line_items(line: Line) -> list[tuple[str, Any]]:
    """The keys of a line that differ from the defaults, in :data:`LINE_ORDER`."""
    fields = {f.key: f for f in (COSTS if line.section == "costs" else BENEFITS).fields}
    return _items(line, (fields[key] for key in LINE_ORDER if key in fields))


def project_text(project: Project, header: str = "") -> str:
    """A project file for a project, that reads back to the same project."""
    lines = [f"# {row}".rstrip() for row in header.splitlines()] if header else []
    lines += [
        f"id = {string(project.id)}",
        f"name = {string(project.name)}",
        f"start_year = {project.start_year}",
        f"status = {string(project.status)}",
        f"partners = {value(list(project.partners))}",
    ]
    if project.description:
        lines.append(f"description = {string(project.description)}")
    for name in APPRAISAL_KEYS:
        if name in project.overrides:
            lines.append(f"{name} = {value(getattr(project.overrides, name))}")
    if project.options:
        lines += [
            f"{f.key} = {value(v)}"
            for f in PROJECT.fields
            if f.key in _SHORTLIST and (v := f.value_of(project)) is not None
        ]
        for option in project.options:
            lines += ["", "[[options]]"]
            lines += [
                f"{name} = {value(item)}"
                for name, item in _items(option, OPTIONS.part(Part.LABEL, Part.TRAIT))
            ]
            lines += _item_tables(option, "options.")
    else:
        lines += _item_tables(project)
    return "\n".join(lines) + "\n"


#: The keys of a project with options that name its preferred option.
_SHORTLIST = ("preferred", "preferred_because")


def _item_tables(owner: Project | Option, prefix: str = "") -> list[str]:
    """The ``[[costs]]``, ``[[benefits]]``, ``[[risks]]`` and ``[[impacts]]`` tables of a
    project or (with ``prefix`` ``options.``) of an option."""
    lines: list[str] = []
    for line in (*owner.costs, *owner.benefits):
        lines += ["", f"[[{prefix}{line.section}]]"]
        lines += [f"{name} = {value(item)}" for name, item in line_items(line)]
    for risk in owner.risks:
        lines += ["", f"[[{prefix}risks]]"]
        lines += [f"{name} = {value(item)}" for name, item in risk_items(risk)]
    for impact in owner.impacts:
        lines += ["", f"[[{prefix}impacts]]"]
        lines += [f"{name} = {value(item)}" for name, item in impact_items(impact)]
    return lines


def risk_items(risk: Risk) -> list[tuple[str, Any]]:
    """The keys of a risk that differ from the defaults, in the order of the format's docs."""
    return _items(risk, RISKS.fields)


def impact_items(impact: Impact) -> list[tuple[str, Any]]:
    """The keys of a non-monetised impact, in the order of the format's docs (an empty
    description, the default, left out)."""
    return _items(impact, IMPACTS.fields)


def appraisal_items(settings: Settings) -> list[tuple[str, Any]]:
    """Every appraisal setting of the portfolio, in :data:`APPRAISAL_KEYS` order, defaults
    written out. With a published ``schedule`` the ``discount_rate`` is left out: the two in one
    table are an error, and beside a schedule (used as published) the rate is only the default,
    which no file could have changed."""
    return [
        (name, getattr(settings, name))
        for name in APPRAISAL_KEYS
        if getattr(settings, name) is not None
        and not (name == "discount_rate" and settings.schedule is not None)
    ]


def portfolio_text(portfolio: Portfolio, header: str = "") -> str:
    """A portfolio.toml for a portfolio's settings, target, grades, deflators and scenarios."""
    lines = [f"# {row}".rstrip() for row in header.splitlines()] if header else []
    lines += ["[portfolio]"]
    lines += [f"{name} = {value(item)}" for name, item in _items(portfolio, PORTFOLIO.fields)]
    lines += ["", "[appraisal]"]
    lines += [f"{name} = {value(setting)}" for name, setting in appraisal_items(portfolio.settings)]
    lines += ["", "[confidence_grades]"]
    lines += [f"{grade} = {number(share)}" for grade, share in portfolio.confidence_grades.items()]
    lines += ["", "[realisation]"]
    lines += [
        f"{name} = {value(item)}"
        for name, item in _items(portfolio.realisation, REALISATION.fields)
    ]
    if portfolio.deflators:
        lines += ["", "[deflators]"]
        lines += [f"{year} = {number(index)}" for year, index in portfolio.deflators.items()]
    for scenario in portfolio.scenarios.values():
        lines += ["", f"[scenarios.{key(scenario.name)}]", *_scenario_lines(scenario)]
    correlation = portfolio.correlation
    if correlation.groups:
        lines += ["", "[correlation.groups]"]
        lines += [f"{key(g)} = {number(r)}" for g, r in correlation.groups.items()]
    for a, b, r in correlation.between:
        lines += ["", "[[correlation.between]]", f"groups = {value([a, b])}", f"rank = {number(r)}"]
    return "\n".join(lines) + "\n"


def _scenario_lines(scenario: NamedScenario) -> list[str]:
    """A named scenario's keys (the settings it changes, in the order given)."""
    lines = []
    if scenario.description:
        lines.append(f"description = {string(scenario.description)}")
    if scenario.set:
        lines.append(f"set = {value(dict(scenario.set.items()))}")
    if scenario.exclude:
        lines.append(f"exclude = {value(list(scenario.exclude))}")
    return lines


def new_project_text(project_id: str, name: str, start_year: int) -> str:
    """A commented project file to start from (``npv-calc new``); it validates as it is."""
    fy = f"{start_year}/{(start_year + 1) % 100:02d}"
    return f"""\
# A project file for npv-calc (docs/scenario-format.md). Lines starting with # are comments:
# remove the # to use a key. Money is in pounds at the portfolio's price base year.
# Fill in the amounts (the lines marked FILL IN): annual in [[costs]], quantity and unit_value
# in [[benefits]]. While every amount is 0, validate and run warn that the project is unfinished.

id = {string(project_id)}{" " * max(1, 27 - len(string(project_id)))}# unique in the portfolio
name = {string(name)}
start_year = {start_year}               # year 0, the financial year {fy}
status = "proposed"             # proposed | approved | in-delivery | delivered
partners = []                   # e.g. ["Police", "Fire", "Ambulance"]
description = ""
# Any [appraisal] setting of portfolio.toml may be set for this project alone, e.g.:
# horizon = 10

# One [[costs]] table per cost line; copy the table for more lines.
[[costs]]
name = "Staff"
agency = "Fire"                 # who pays
kind = "revenue"                # revenue | capital
annual = 0                      # FILL IN: £ a year; or amounts = [45_000, 5_000] year by year
# years = [0, 9]                # first and last year offsets (default: the whole horizon)
# growth = 0.02                 # real change a year
# optimism_bias = 0.24          # uplift for optimism bias
# price_year = 2019             # if the amount is in another year's prices
source = ""                     # where the figure comes from

# One [[benefits]] table per benefit line.
[[benefits]]
name = "Benefit"
agency = "Police"               # who benefits
cashable = false                # true for a saving a budget can release
quantity = 0                    # FILL IN: units a year ...
unit_value = 0                  # FILL IN: x £ a unit, or "ref:crime.arson" (npv-calc unit-costs)
# deadweight = 0.2              # share that would have happened anyway
# displacement = 0.0            # share merely moved elsewhere
# attribution = 0.5             # share due to this project
# drop_off = 0.1                # yearly fall in the effect
confidence = 3                  # evidence grade 1 (strong) to 6 (weak): optimism bias
# Any number may be uncertain: quantity = {{ low = 20, central = 30, high = 40 }}
source = ""
# owner = "Head of Prevention"  # who answers for the benefit (the benefits register)
# measure = "Deliberate fires a year (Incident Recording System)"  # what shows it (KPI)
"""


def new_shortlist_text(project_id: str, name: str, start_year: int) -> str:
    """A commented project file whose lines are a shortlist of options against business as
    usual (``npv-calc new --options``); it validates as it is."""
    head, _, _ = new_project_text(project_id, name, start_year).partition(
        "# One [[costs]] table per cost line"
    )
    cost = _line_skeleton("costs", 'name = "Staff"\nagency = "Fire"\nkind = "revenue"', "annual")
    benefit = _line_skeleton(
        "benefits", 'name = "Benefit"\nagency = "Police"\ncashable = false', "quantity"
    )
    preferred = 'preferred = "preferred"        # the option that stands for the project (not BAU)'
    return f"""{head}{preferred}
# preferred_because = ""        # unmonetised reasons, if it is not the best against BAU

# The shortlist (Green Book 2022, 5.53): business as usual (BAU), a do-minimum, the preferred
# way forward and another viable option. Each option's lines are written as a project's are;
# every figure is against BAU (docs/scenario-format.md, Options). An option may build on
# another: includes = "do-minimum" takes that option's lines first, then its own.
[[options]]
id = "bau"
name = "Business as usual"
role = "bau"                    # BAU may have no lines: the others are then changes against it

[[options]]
id = "do-minimum"
name = "Do minimum"
role = "do-minimum"
{cost}
[[options]]
id = "preferred"
name = "Preferred way forward"
role = "option"
{cost}{benefit}
[[options]]
id = "alternative"
name = "Another viable option"
role = "option"
{cost}{benefit}"""


def _line_skeleton(section: str, keys: str, amount: str) -> str:
    fill = {
        "annual": "annual = 0                      # FILL IN: £ a year",
        "quantity": "quantity = 0                    # FILL IN: units a year ...\n"
        "unit_value = 0                  # FILL IN: x £ a unit\nconfidence = 3",
    }[amount]
    return f'[[options.{section}]]\n{keys}\n{fill}\nsource = ""\n'


#: ``init`` writes the deflators from this many years before the price base year.
DEFLATOR_YEARS_BEFORE = 15


def _deflator_note(deflators: params.Deflators, start: int, base: int) -> str:
    """The comment over ``init``'s ``[deflators]``: which series, how a financial year reads
    it, and where the years left out are."""
    first, last = min(deflators.index), max(deflators.index)
    if deflators.series == "calendar":
        reading = (
            f"Vintage: {deflators.vintage}. It is by calendar year: financial year Y takes "
            "calendar year Y's index (2023/24 takes 2023's)."
        )
    else:
        reading = f"Vintage: {deflators.vintage}. A {deflators.series}-year series."
    span = f"Written from {start}"
    if start == base - DEFLATOR_YEARS_BEFORE:
        span += f", {DEFLATOR_YEARS_BEFORE} years before the price base year,"
    span += f" to {last}, the latest year of the series."
    if start > first:
        span += (
            f" For a price_year before {start}, copy its year from the series npv-calc ships "
            f"(from {first}: [index] in npv_calc/params/gdp_deflators.toml), or use the "
            "publication above."
        )
    lines = textwrap.wrap(f"{reading} {span}", 94, break_on_hyphens=False)
    return "\n".join("# " + line for line in lines)


def check_init_options(target: float | None, agencies: Iterable[str]) -> None:
    """Refuse what ``init`` cannot write into a portfolio.toml that validates: a target that
    is not a finite number of £ 0 or more (``inf``, ``nan``, ``1e309``), an agency name that
    is empty or holds a comma, or one given twice (by the rule ``validate`` applies: names
    that differ only in case or spacing are the same agency).

    Raises
    ------
    UsageError
        Naming the option (``--target``, ``--agency``) and what is allowed.
    """
    if target is not None and not (math.isfinite(target) and target >= 0):
        raise UsageError(
            f"Invalid value for '--target': must be a finite number of £, 0 or more (such as "
            f"15400000), got {target}"
            + (" (a number beyond about 1.8e308 reads as infinite)" if math.isinf(target) else "")
        )
    seen: dict[str, str] = {}
    for agency in agencies:
        if not agency.strip() or "," in agency:
            raise UsageError(
                f"Invalid value for '--agency': {agency!r}: must be a name without commas"
            )
        if (key := agency_key(agency)) in seen:
            raise UsageError(
                f"Invalid value for '--agency': {agency!r} is given twice (as {seen[key]!r} "
                "too): names that differ only in case or spacing are the same agency"
            )
        seen[key] = agency


def init_text(
    name: str,
    *,
    target: float | None = None,
    target_year: int | None = None,
    agencies: tuple[str, ...] = ("Police", "Fire", "Ambulance"),
    price_base_year: int | None = None,
) -> str:
    """A commented ``portfolio.toml`` to start from (``npv-calc init``); it validates as it is.

    The deflators are the years a programme needs of the shipped HM Treasury series
    (:func:`npv_calc.params.gdp_deflators`), cited in a comment: from
    :data:`DEFLATOR_YEARS_BEFORE` years before the price base year to the series' latest year
    (the comment says where the earlier years are). The price base year defaults to the
    series' latest year. Without a target the ``target`` line is left commented: npv-calc
    never invents a target.

    Raises
    ------
    UsageError
        A target or agencies it could not write into a portfolio.toml that validates
        (:func:`check_init_options`).
    """
    check_init_options(target, agencies)
    deflators = params.gdp_deflators()
    base = price_base_year if price_base_year is not None else max(deflators.index)
    fy = f"{base}/{(base + 1) % 100:02d}"
    if target is not None:
        target_line = (
            f"target = {number(target)}".ljust(23) + " # £ of NPV the programme must secure"
        )
    else:
        target_line = (
            "# target = 15_400_000   # £ of NPV the programme must secure: remove the # and give "
            "yours"
        )
    if target_year is not None:
        year_line = f"target_year = {target_year}".ljust(24) + (
            "# projects starting by this financial year count"
        )
    else:
        year_line = "# target_year = 2027     # projects starting by this financial year count"
    source = "\n".join("# " + line for line in textwrap.wrap(deflators.source, 94))
    first, last = min(deflators.index), max(deflators.index)
    start = max(first, min(base, last) - DEFLATOR_YEARS_BEFORE)
    index = "\n".join(
        f"{year} = {number(value)}" for year, value in deflators.index.items() if year >= start
    )
    deflator_note = _deflator_note(deflators, start, base)
    grades = "\n".join(
        f"{grade} = {number(share)}" for grade, share in params.default_confidence_grades().items()
    )
    return f"""\
# The portfolio file of an npv-calc scenario directory (docs/scenario-format.md). Every other
# *.toml in this folder is a project: npv-calc new ID --name "..." writes one to fill in.
# Lines starting with # are comments.

[portfolio]
name = {string(name)}
description = ""
{target_line}
{year_line}
# Agency names that lines (who pays, who benefits) and partners may use: any other name is an
# error, so that "Polce" cannot become an agency of its own.
agencies = {value(list(agencies))}
# Statuses whose projects count toward the target (remove the line to count every status).
count_statuses = ["approved", "in-delivery", "delivered"]

[appraisal]              # every project's settings; a project may set its own
discount_rate = 0.035    # HM Treasury Green Book Social Time Preference Rate (3.5%)
declining = true         # the Green Book's lower rates after year 30
discount_year0 = false   # Green Book: year 0 undiscounted
horizon = 10             # years appraised: 10 covers years 0-9
price_base_year = {base}   # all figures in {fy} prices

# Benefit optimism bias by evidence confidence grade (1 = strongest evidence): npv-calc's
# defaults (HM Treasury / New Economy guidance for local partnerships, 2014).
[confidence_grades]
{grades}

# GDP deflator index, for lines whose amounts are in another year's prices (price_year):
{source}
{deflator_note}
[deflators]
{index}

# Delivery status once outturn is recorded (as_of): costs over, or benefits under, the base
# plan to date (before optimism bias) by more than amber are Amber, by more than red Red.
[realisation]
amber = 0.05
red = 0.15

# Named what-if scenarios, e.g.:
# [scenarios.rate-3pc]
# description = "Discount rate of 3%"
# set = {{ discount_rate = 0.03 }}
"""
