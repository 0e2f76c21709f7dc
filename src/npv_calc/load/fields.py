"""Every key of the scenario format, declared once: what it holds, where it may be written, and
where it sits in the input workbook.

Each :class:`Section` (the ``[portfolio]`` table, ``[appraisal]``, a project file's top level, its
``[[costs]]``, ``[[benefits]]``, ``[[risks]]`` and ``[[impacts]]``, a named scenario, the
correlations, the grades and deflators) lists its :class:`Field` objects in the order the format's
documentation and messages list its keys. A field says how its value is read and what JSON Schema
says of it (its :class:`~npv_calc.load.kinds.Kind`), whether it is required and with what
message, what it means when given in a section it does not belong to, and where it sits on each
sheet of the input workbook.

Four things are built from these tables, so that they cannot disagree: the TOML reader
(:mod:`npv_calc.load.project`, :mod:`~npv_calc.load.portfolio`, :mod:`~npv_calc.load.settings`),
the input workbook's layout and reader (:mod:`~npv_calc.load.workbook_layout`,
:mod:`~npv_calc.load.workbook`), ``npv-calc export`` (:mod:`npv_calc.convert.input_workbook`) and
the JSON Schema (:mod:`npv_calc.schema`).
"""

from __future__ import annotations

from .. import params
from ..model import (
    COST_KINDS,
    DIRECTIONS,
    MATERIALITIES,
    ROLES,
    STATUSES,
    UNALLOCATED,
    VALUE_TYPES,
)
from . import hooks, rules
from .kinds import (
    Agencies,
    Amounts,
    Boolean,
    Choice,
    Identifier,
    Keyed,
    Names,
    Nested,
    Number,
    Outturn,
    Pair,
    Span,
    Statuses,
    Text,
    UncertainValue,
    UnitValue,
    Whole,
    Year,
)
from .spec import SPREAD, Col, Field, Part, Row, Section


def _value(key: str, rule: rules.Rule, omitted: float | None = None, **sheets: Col) -> Field:
    """A number of a line that may be uncertain; ``omitted`` is the model's default for it,
    which a file leaves out; ``sheets`` where it sits, by sheet title."""
    return Field(key, UncertainValue(rule), Part.VALUE, omitted=omitted, sheets=sheets)


def _line_hints(other: tuple[Field, ...], section: str, own: tuple[Field, ...]) -> dict[str, str]:
    """``applies to benefits only``, for the keys of the other line section."""
    keys = {f.key for f in own}
    return {
        f.key: f"applies to {section} only" + (f" ({f.only})" if f.only else "")
        for f in other
        if f.key not in keys
    }


# -- [appraisal]: the settings of the portfolio, a project, a named scenario or --set ------------

_SHARE = "share"
_MONEY = "money"

APPRAISAL_FIELDS = (
    Field(
        "discount_rate",
        Number(rules.DISCOUNT_RATE),
        Part.SETTING,
        doc="Discount rate for years 1-30.",
        sheets={
            "Portfolio": Row(
                11,
                "Discount rate",
                "Green Book STPR: 3.5%; empty when a published schedule is chosen",
                _SHARE,
            ),
            "Projects": Col("G", "Own discount rate", 11, _SHARE),
            "Scenarios": Col("C", "Discount rate", 11, _SHARE),
        },
    ),
    Field(
        "declining",
        Boolean(),
        Part.SETTING,
        doc="Green Book schedule after year 30",
        sheets={
            "Portfolio": Row(
                12, "Declining schedule after year 30", "TRUE: Green Book schedule after year 30"
            ),
            "Projects": Col("H", "Own declining schedule", 11),
            "Scenarios": Col("D", "Declining schedule", 11),
        },
    ),
    Field(
        "schedule",
        Choice(params.SCHEDULES),
        Part.SETTING,
        doc="a published discount schedule, used as published (not with discount_rate in the "
        "same table)",
        sheets={
            "Portfolio": Row(
                16,
                "Published discount schedule (instead of the rate)",
                "standard, health or lower-rate-test-2026, used as published; empty: the "
                "discount rate scales the standard schedule",
            ),
            "Projects": Col("M", "Own discount schedule", 14, note="not with a rate"),
            "Scenarios": Col("I", "Discount schedule", 14, note="not with a rate"),
        },
    ),
    Field(
        "discount_year0",
        Boolean(),
        Part.SETTING,
        doc="discount year 0 too (NPV())",
        sheets={
            "Portfolio": Row(13, "Year 0 discounted", "FALSE: year 0 undiscounted (Green Book)"),
            "Projects": Col("I", "Own year 0 discounted", 11),
            "Scenarios": Col("E", "Year 0 discounted", 11),
        },
    ),
    Field(
        "horizon",
        Whole(1, rules.MAX_HORIZON, f"a whole number of years from 1 to {rules.MAX_HORIZON}"),
        Part.SETTING,
        sheets={
            "Portfolio": Row(14, "Horizon (years)", "years appraised: 10 covers years 0-9"),
            "Projects": Col("J", "Own horizon", 9),
            "Scenarios": Col("F", "Horizon", 9),
        },
    ),
    Field(
        "price_base_year",
        Year(),
        Part.SETTING,
        sheets={
            "Portfolio": Row(
                15, "Price base year", "all amounts are in this financial year's prices"
            ),
            "Projects": Col("K", "Own price base year", 10),
            "Scenarios": Col("G", "Price base year", 10),
        },
    ),
    Field(
        "ob_mitigation",
        Number(rules.MITIGATION),
        Part.SETTING,
        doc="How far optimism bias by project type is reduced from its upper bound.",
        sheets={
            "Portfolio": Row(
                17,
                "Optimism bias mitigation",
                "how far optimism bias by project type is reduced from its upper bound (0%: the "
                "upper bound), never below the lower bound",
                _SHARE,
            ),
            "Projects": Col("N", "Own optimism bias mitigation", 11, _SHARE),
            "Scenarios": Col("J", "Optimism bias mitigation", 11, _SHARE),
        },
    ),
)
APPRAISAL = Section("appraisal", APPRAISAL_FIELDS)


# -- fields several sections share --------------------------------------------------------------

DESCRIPTION = Field(
    "description",
    Text(),
    fallback="",
    omitted="",  # an empty description is no description
    sheets={
        "Portfolio": Row(6, "Description"),
        "Projects": Col("F", "Description", 40),
        "Scenarios": Col("B", "Description", 40),
        "Impacts": Col("E", "Description", 60),
    },
)
SOURCE = Field(
    "source",
    Text(blank_is_none=True),  # an empty source is no source
    written=hooks.source_written,
    sheets={
        "Costs": Col("T", "Source", 40),
        "Benefits": Col("AM", "Source", 40),
        "Risks": Col("K", "Source", 40),
    },
)
PRICE_YEAR = Field(
    "price_year",
    Year(),
    Part.PRICE,
    written=hooks.price_year_written,
    sheets={
        "Costs": Col("S", "Price year", 9),
        "Benefits": Col("AI", "Price year", 9),
        "Risks": Col("J", "Price year", 9),
    },
)
_AGENCIES = ("Police", "Fire", "Ambulance", UNALLOCATED)
#: Who pays (a cost or a risk) or who benefits; an empty cell is Unallocated.
AGENCY_PAYS = Field(
    "agency",
    Text(required=True, trimmed=True),
    sheets={
        "Costs": Col("C", "Agency (pays)", 12, suggested=_AGENCIES, blank=UNALLOCATED),
        "Risks": Col("I", "Agency (pays)", 12, suggested=_AGENCIES, blank=UNALLOCATED),
    },
)
AGENCY_BENEFITS = Field(
    "agency",
    Text(required=True, trimmed=True),
    sheets={"Benefits": Col("C", "Agency (benefits)", 12, suggested=_AGENCIES, blank=UNALLOCATED)},
)


# -- the project file ------------------------------------------------------------------------

LINE_NAME = Field(
    "name",
    Text(required=True),
    sheets={"Costs": Col("B", "Line", 32), "Benefits": Col("B", "Line", 32)},
)
AMOUNTS = Field("amounts", Amounts(), Part.TIMING, elsewhere="the Year 0, Year 1, ... columns")
LINE_YEARS = Field(
    "years",
    Span(),
    Part.TIMING,
    doc="[first, last] year offsets",
    sheets={"Costs": Col("H", "First year", 8), "Benefits": Col("N", "First year", 8)},
)
ACTUALS = Field(
    "actuals",
    Outturn(),
    Part.TIMING,
    written=hooks.actuals_written,
    doc="outturn by financial year (2017 = 2017/18): the gross amount, in the line's prices",
    elsewhere="the Outturn sheet",
)
ANNUAL = _value(
    "annual",
    rules.MONEY,
    Costs=Col("E", "Annual £", kind=_MONEY),
    Benefits=Col("E", "Annual £", kind=_MONEY),
)
SCALE = _value(
    "scale", rules.NON_NEGATIVE, 1.0, Costs=Col("P", "Scale"), Benefits=Col("AJ", "Scale")
)
GROWTH = _value(
    "growth",
    rules.YEARLY_CHANGE,
    0.0,
    Costs=Col("J", "Growth", kind=_SHARE),
    Benefits=Col("P", "Growth", kind=_SHARE),
)

COST_FIELDS = (
    LINE_NAME,
    AGENCY_PAYS,
    SOURCE,
    Field(
        "kind",
        Choice(COST_KINDS),
        Part.TRAIT,
        only="revenue or capital",
        default="revenue",
        sheets={"Costs": Col("D", "Kind", 10)},
    ),
    Field(
        "ob_type",
        Choice(params.optimism_bias_types),
        Part.TRAIT,
        doc="optimism bias by project type (Mott MacDonald 2002): the upper bound reduced by "
        "ob_mitigation, never below the lower bound",
        only="optimism bias by project type is a cost uplift; a benefit's optimism bias is "
        "optimism_bias or confidence",
        check=hooks.check_ob_type,
        sheets={
            "Costs": Col(
                "V", "Optimism bias type", 22, note="a project type, instead of Optimism bias"
            )
        },
    ),
    AMOUNTS,
    LINE_YEARS,
    PRICE_YEAR,
    ACTUALS,
    ANNUAL,
    SCALE,
    GROWTH,
    _value("optimism_bias", rules.COST_UPLIFT, Costs=Col("M", "Optimism bias", kind=_SHARE)),
)
BENEFIT_FIELDS = (
    LINE_NAME,
    AGENCY_BENEFITS,
    SOURCE,
    Field("cashable", Boolean(), Part.TRAIT, sheets={"Benefits": Col("D", "Cashable", 9)}),
    Field(
        "value_type",
        Choice(VALUE_TYPES),
        Part.TRAIT,
        doc="fiscal (public budgets; cashable lines are fiscal), economic or social value",
        check=hooks.check_value_type,
        sheets={"Benefits": Col("AO", "Value type", 10, note="cashable: fiscal")},
    ),
    Field(
        "confidence",
        Whole(1, rules.MAX_GRADE, "a confidence grade (a whole number such as 3)", False),
        Part.TRAIT,
        doc="a grade of [confidence_grades]",
        sheets={
            "Benefits": Col("AH", "Confidence grade", 10, suggested=("1", "2", "3", "4", "5", "6"))
        },
    ),
    AMOUNTS,
    LINE_YEARS,
    PRICE_YEAR,
    ACTUALS,
    ANNUAL,
    _value("quantity", rules.NON_NEGATIVE, Benefits=Col("H", "Quantity")),
    Field(
        "unit_value",
        UnitValue(rules.MONEY),
        Part.VALUE,
        written=hooks.unit_value_written,
        sheets={"Benefits": Col("K", "Unit value £", kind=_MONEY)},
    ),
    SCALE,
    GROWTH,
    _value("drop_off", rules.YEARLY_CHANGE, 0.0, Benefits=Col("S", "Drop-off", kind=_SHARE)),
    _value("deadweight", rules.SHARE, 0.0, Benefits=Col("V", "Deadweight", kind=_SHARE)),
    _value("displacement", rules.SHARE, 0.0, Benefits=Col("Y", "Displacement", kind=_SHARE)),
    _value("attribution", rules.SHARE, 1.0, Benefits=Col("AB", "Attribution", kind=_SHARE)),
    _value(
        "optimism_bias", rules.BENEFIT_REDUCTION, Benefits=Col("AE", "Optimism bias", kind=_SHARE)
    ),
    Field(
        "owner",
        Text(blank_is_none=True),
        doc="who answers for the benefit being realised (a post or a team)",
        sheets={"Benefits": Col("AP", "Benefit owner", 24)},
    ),
    Field(
        "measure",
        Text(blank_is_none=True),
        doc="the measure (KPI) that shows the benefit, and where it is reported",
        sheets={"Benefits": Col("AQ", "Measure (KPI)", 40)},
    ),
)
COSTS = Section("costs", COST_FIELDS, _line_hints(BENEFIT_FIELDS, "benefits", COST_FIELDS))
BENEFITS = Section("benefits", BENEFIT_FIELDS, _line_hints(COST_FIELDS, "costs", BENEFIT_FIELDS))

_RISK_NEEDS = "is required: a risk needs its probability (0 to 1) and its impact (£)"
RISKS = Section(
    "risks",
    (
        Field(
            "name",
            Text(required=True),
            required="is required: a risk needs a name",
            sheets={"Risks": Col("B", "Risk", 32)},
        ),
        Field(
            "probability",
            Number(rules.SHARE),
            Part.VALUE,
            doc="The chance the risk happens.",
            required=_RISK_NEEDS,
            fallback=0.0,
            sheets={"Risks": Col("C", "Probability", 10, _SHARE)},
        ),
        Field(
            "impact",
            UncertainValue(rules.MONEY),
            Part.VALUE,
            required=_RISK_NEEDS,
            fallback=0.0,
            sheets={"Risks": Col("D", "Impact £", kind=_MONEY)},
        ),
        Field(
            "years",
            Span(),
            Part.TIMING,
            doc="[first, last] year offsets (default [0, 0])",
            sheets={"Risks": Col("G", "First year", 8)},
        ),
        AGENCY_PAYS,
        PRICE_YEAR,
        SOURCE,
    ),
    misplaced={
        "annual": "a risk has an impact: write impact = ... (£ each year of years if it happens)"
    },
)

_DIRECTION = Choice(DIRECTIONS)
_MATERIALITY = Choice(MATERIALITIES)
IMPACTS = Section(
    "impacts",
    (
        Field(
            "name",
            Text(required=True),
            required="is required: an impact needs a name",
            sheets={"Impacts": Col("B", "Impact", 32)},
        ),
        Field(
            "direction",
            _DIRECTION,
            Part.TRAIT,
            required=_DIRECTION.required_message(),
            fallback=DIRECTIONS[0],
            sheets={"Impacts": Col("C", "Direction", 10)},
        ),
        Field(
            "materiality",
            _MATERIALITY,
            Part.TRAIT,
            required=_MATERIALITY.required_message(),
            fallback=MATERIALITIES[0],
            sheets={"Impacts": Col("D", "Materiality", 11)},
        ),
        DESCRIPTION,
    ),
)

#: The ``[portfolio]`` table's keys, which a project file may not hold (``name`` and
#: ``description`` it may: they are its own).
_PORTFOLIO_ONLY = "belongs in the [portfolio] table of portfolio.toml"

_PROJECT_NEEDS = "is required: every project file needs id, name and start_year"
#: The tables only portfolio.toml holds: a project file holding one is a portfolio file by
#: another name (``[correlation]`` is left out: a project file gets "did you mean" for it).
PORTFOLIO_ONLY_TABLES = ("confidence_grades", "deflators", "scenarios", "portfolio", "realisation")

#: Where the items of an option are in the input workbook.
_OPTIONS_ONLY_IN_TOML = (
    "the Options sheet, and the item sheets' rows whose Project ID is PROJECT/OPTION"
)

#: An option of a project's shortlist: the items of a project, with an id, a role and what it
#: builds on (``includes``). Read by :mod:`npv_calc.load.options`.
OPTIONS = Section(
    "options",
    (
        Field(
            "id",
            Identifier(),
            required="is required: every option needs an id, a name and a role",
            doc="unique among the project's options",
            sheets={"Options": Col("B", "Option ID", 14)},
        ),
        Field(
            "name",
            Text(required=True),
            required="is required: every option needs an id, a name and a role",
            sheets={"Options": Col("C", "Name", 36)},
        ),
        Field(
            "role",
            Choice(ROLES),
            Part.TRAIT,
            required='is required: "bau" (business as usual), "do-minimum" or "option"',
            sheets={"Options": Col("D", "Role", 12)},
        ),
        Field(
            "includes",
            Identifier(),
            Part.TRAIT,
            doc="another option of the project whose lines, risks and impacts come first",
            sheets={"Options": Col("E", "Includes", 14, note="another option's ID (optional)")},
        ),
        Field(
            "description",
            Text(),
            fallback="",
            omitted="",
            sheets={"Options": Col("F", "Description", 40)},
        ),
        Field("costs", Nested("costs", many=True), Part.ITEMS, elsewhere=_OPTIONS_ONLY_IN_TOML),
        Field(
            "benefits", Nested("benefits", many=True), Part.ITEMS, elsewhere=_OPTIONS_ONLY_IN_TOML
        ),
        Field("risks", Nested("risks", many=True), Part.ITEMS, elsewhere=_OPTIONS_ONLY_IN_TOML),
        Field("impacts", Nested("impacts", many=True), Part.ITEMS, elsewhere=_OPTIONS_ONLY_IN_TOML),
    ),
)

PROJECT = Section(
    "project",
    (
        Field(
            "id",
            Identifier(),
            required=_PROJECT_NEEDS,
            fallback="",
            sheets={"Projects": Col("A", "ID", 10)},
        ),
        Field(
            "name",
            Text(required=True),
            required=_PROJECT_NEEDS,
            fallback="",
            sheets={"Projects": Col("B", "Name", 36)},
        ),
        Field(
            "start_year",
            Year(),
            required=_PROJECT_NEEDS,
            fallback=0,
            sheets={"Projects": Col("C", "Start year", 10)},
        ),
        Field("status", Choice(STATUSES), sheets={"Projects": Col("D", "Status", 12)}),
        Field(
            "partners",
            Names('names such as ["Police", "Fire"]'),
            Part.TRAIT,  # read after the description: problems keep the order they always had
            sheets={
                "Projects": Col("E", "Partners", 24, note="comma-separated, e.g. Police, Fire")
            },
        ),
        DESCRIPTION,
        Field(
            "appraisal",
            Nested("appraisal"),
            Part.SETTING,
            elsewhere="the project's own settings, on the Projects sheet",
        ),
        *APPRAISAL_FIELDS,
        Field("costs", Nested("costs", many=True), Part.ITEMS, elsewhere="the Costs sheet"),
        Field(
            "benefits", Nested("benefits", many=True), Part.ITEMS, elsewhere="the Benefits sheet"
        ),
        Field("risks", Nested("risks", many=True), Part.ITEMS, elsewhere="the Risks sheet"),
        Field("impacts", Nested("impacts", many=True), Part.ITEMS, elsewhere="the Impacts sheet"),
        Field(
            "preferred",
            Identifier(),
            doc="the option that stands for the project (not the business-as-usual one)",
            sheets={"Projects": Col("O", "Preferred option", 14, note="with options only")},
        ),
        Field(
            "preferred_because",
            Text(required=True),
            doc="why the preferred option is preferred when another has a higher NPV against "
            "business as usual (the reasons the figures leave out)",
            sheets={"Projects": Col("P", "Preferred because", 40)},
        ),
        Field("options", Nested("options", many=True), Part.ITEMS, elsewhere=_OPTIONS_ONLY_IN_TOML),
    ),
    misplaced={
        "option": "write the shortlist as [[options]] tables",
        "role": "belongs in an [[options]] table",
        "includes": "belongs in an [[options]] table",
        **{
            key: _PORTFOLIO_ONLY
            for key in (
                "target",
                "target_year",
                "as_of",
                "present_value_year",
                "agencies",
                "count_statuses",
            )
        },
        **{key: "belongs in portfolio.toml" for key in PORTFOLIO_ONLY_TABLES},
    },
)


# -- portfolio.toml ---------------------------------------------------------------------------

PORTFOLIO = Section(
    "portfolio",
    (
        Field("name", Text(required=True), sheets={"Portfolio": Row(5, "Portfolio name")}),
        DESCRIPTION,
        Field(
            "target",
            Number(rules.NON_NEGATIVE),
            Part.VALUE,
            doc="£ of NPV the programme must secure.",
            check=hooks.check_target,
            sheets={
                "Portfolio": Row(
                    7,
                    "Target: NPV to secure (£)",
                    "£ of NPV the programme must secure; empty for no target",
                    _MONEY,
                )
            },
        ),
        Field(
            "target_year",
            Year(),
            sheets={
                "Portfolio": Row(
                    8,
                    "Target year (projects starting by it count)",
                    "projects starting in or before this financial year count",
                )
            },
        ),
        Field(
            "agencies",
            Agencies(),
            doc="the only agency names lines and partners may use",
            sheets={"Agencies": Col("A", "Agency", 28, "free", "one agency per row", key="agency")},
        ),
        Field(
            "count_statuses",
            Statuses(),
            doc="statuses whose projects count toward the target",
            sheets={
                "Portfolio": Row(
                    9,
                    "Statuses that count toward the target",
                    "comma-separated, e.g. approved, in-delivery, delivered; empty: every "
                    "status counts",
                )
            },
        ),
        Field(
            "as_of",
            Year(),
            doc="the last financial year with outturn recorded (2023 = 2023/24)",
            sheets={"Portfolio": Row(10, "Outturn recorded up to (financial year)")},
        ),
        Field(
            "present_value_year",
            Year(),
            doc="also value every project at this financial year (2023 = 2023/24)",
            sheets={
                "Portfolio": Row(
                    18,
                    "Present value year (financial year)",
                    "also value every project at this financial year (2023 for 2023/24); "
                    "empty: each at its own year 0 only",
                )
            },
        ),
    ),
)

#: ``[realisation]``: the tolerances of the delivery status (docs/method.md, section 11.6).
REALISATION = Section(
    "realisation",
    (
        Field(
            "amber",
            Number(rules.TOLERANCE),
            Part.VALUE,
            doc="Costs over or benefits under the base plan to date by more than this share are "
            "Amber (default 0.05).",
            default=0.05,
            sheets={
                "Portfolio": Row(
                    19,
                    "Delivery status: Amber beyond (share of base plan)",
                    "costs over, or benefits under, the base plan to date by more than this are "
                    "Amber; 5% by default",
                    _SHARE,
                )
            },
        ),
        Field(
            "red",
            Number(rules.TOLERANCE),
            Part.VALUE,
            doc="... and by more than this share Red (default 0.15; at least amber).",
            default=0.15,
            sheets={
                "Portfolio": Row(
                    20,
                    "Delivery status: Red beyond (share of base plan)",
                    "... and by more than this Red (at least the Amber share); 15% by default",
                    _SHARE,
                )
            },
        ),
    ),
)

SCENARIO = Section(
    "scenario",
    (
        DESCRIPTION,
        Field("set", Nested("appraisal"), Part.SETTING, sheets={"Scenarios": SPREAD}),
        Field(
            "exclude",
            Names('project ids such as ["CBCD"]'),
            sheets={
                "Scenarios": Col("H", "Projects left out", 24, note="comma-separated project IDs")
            },
        ),
    ),
)

BETWEEN = Section(
    "between",
    (
        # a missing pair is reported as an unusable one, as it always was
        Field(
            "groups",
            Pair(),
            required=Pair.problem(None),
            elsewhere="the Correlation sheet's Group and With group",
        ),
        Field(
            "rank",
            Number(rules.COEFFICIENT),
            Part.VALUE,
            required="is required: the rank correlation between the two groups",
            elsewhere="the Correlation sheet's Rank correlation",
        ),
    ),
)
CORRELATION = Section(
    "correlation",
    (
        Field("groups", Keyed(rules.COEFFICIENT), Part.VALUE, elsewhere="the Correlation sheet"),
        Field(
            "between", Nested("between", many=True), Part.ITEMS, elsewhere="the Correlation sheet"
        ),
    ),
)

PORTFOLIO_FILE = Section(
    "portfolio.toml",
    (
        Field("portfolio", Nested("portfolio"), elsewhere="the Portfolio sheet"),
        Field("appraisal", Nested("appraisal"), Part.SETTING, elsewhere="the Portfolio sheet"),
        Field(
            "confidence_grades",
            # the schema has always worded a grade's rule as any share's
            Keyed(rules.BENEFIT_REDUCTION, "^[0-9]+$", hooks.grade_problem, rules.SHARE),
            elsewhere="the Grades sheet",
        ),
        Field(
            "deflators",
            Keyed(rules.POSITIVE, "^[0-9]{4}$", hooks.year_problem),
            elsewhere="the Deflators sheet",
        ),
        Field("scenarios", Nested("scenario", named=True), elsewhere="the Scenarios sheet"),
        Field("correlation", Nested("correlation"), elsewhere="the Correlation sheet"),
        Field("realisation", Nested("realisation"), elsewhere="the Portfolio sheet"),
    ),
    misplaced={
        **{key: "belongs in the [portfolio] table" for key in PORTFOLIO.keys},
        **{key: "belongs in the [realisation] table" for key in REALISATION.keys},
        **{key: "belongs in the [appraisal] table" for key in APPRAISAL.keys},
        **{
            key: "belongs in a project file, not portfolio.toml"
            for key in ("id", "start_year", "costs", "benefits")
        },
    },
)

#: Every section, by the name :class:`Nested` kinds use.
SECTIONS: dict[str, Section] = {
    s.name: s
    for s in (
        APPRAISAL,
        PROJECT,
        OPTIONS,
        COSTS,
        BENEFITS,
        RISKS,
        IMPACTS,
        PORTFOLIO,
        REALISATION,
        SCENARIO,
        CORRELATION,
        BETWEEN,
        PORTFOLIO_FILE,
    )
}
#: The line sections, whose items are :class:`~npv_calc.model.Line`.
LINE_SECTIONS = (COSTS, BENEFITS)


def uncertain_fields(section: Section) -> tuple[Field, ...]:
    """The fields of a section that may be uncertain (``{ low, central, high }``)."""
    return tuple(f for f in section.fields if isinstance(f.kind, UncertainValue))
