"""JSON Schema for scenario files, for TOML editors (``npv-calc schema``).

Built from the loader's own rule tables (:mod:`npv_calc.load.rules`), so the schema and the
validation say the same thing. A schema checks one file at a time: the rules that depend on
settings or on other files (``years`` inside the horizon, deflators for a ``price_year``, grades
that exist, unique ids) are left to ``npv-calc validate``.
"""

from __future__ import annotations

from typing import Any

from . import __version__, params
from .load.rules import (
    BENEFIT_KEYS,
    BUILTIN_SCENARIOS,
    COEFFICIENT,
    COST_KEYS,
    DISCOUNT_RATE,
    FIELD_RULES,
    IMPACT_KEYS,
    MAX_HORIZON,
    MITIGATION,
    MONEY,
    NON_NEGATIVE,
    PORTFOLIO_KEYS,
    POSITIVE,
    REFERENCE,
    RISK_KEYS,
    SHARE,
    Rule,
)
from .model import COST_KINDS, DIRECTIONS, MATERIALITIES, STATUSES, VALUE_TYPES

DRAFT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("any", "project", "portfolio")


def _number(rule: Rule | None = None, description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "number", **(rule.bounds if rule else {})}
    if rule is not None:
        schema["description"] = (description + " " if description else "") + rule.allowed
    return schema


def _uncertain(rule: Rule) -> dict[str, Any]:
    number = _number(rule)
    return {
        "anyOf": [
            number,
            {
                "type": "object",
                "description": "an uncertain value: low <= central <= high, optionally in a "
                "correlation group of [correlation.groups]",
                "properties": {
                    "low": number,
                    "central": number,
                    "high": number,
                    "group": NAME,
                },
                "required": ["low", "central", "high"],
                "additionalProperties": False,
            },
        ]
    }


YEAR = {"type": "integer", "minimum": 1000, "maximum": 9999, "description": "a year, e.g. 2023"}
NAME = {"type": "string", "minLength": 1}
TEXT = {"type": "string"}


def _appraisal() -> dict[str, Any]:
    return {
        "discount_rate": _number(DISCOUNT_RATE, "Discount rate for years 1-30."),
        "declining": {"type": "boolean", "description": "Green Book schedule after year 30"},
        "schedule": {
            "enum": list(params.SCHEDULES),
            "description": "a published discount schedule, used as published (not with "
            "discount_rate in the same table)",
        },
        "discount_year0": {"type": "boolean", "description": "discount year 0 too (NPV())"},
        "horizon": {"type": "integer", "minimum": 1, "maximum": MAX_HORIZON},
        "price_base_year": YEAR,
        "ob_mitigation": _number(
            MITIGATION, "How far optimism bias by project type is reduced from its upper bound."
        ),
    }


#: ``schedule`` and ``discount_rate`` may not share a table.
ONE_RATE = {"not": {"required": ["schedule", "discount_rate"]}}


def _line(section: str) -> dict[str, Any]:
    rules = FIELD_RULES[section]
    properties: dict[str, Any] = {
        "name": NAME,
        "agency": NAME,
        "source": TEXT,
        "amounts": {
            "type": "array",
            "items": _number(MONEY),
            "minItems": 1,
            "maxItems": MAX_HORIZON,
        },
        "years": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0},
            "minItems": 2,
            "maxItems": 2,
            "description": "[first, last] year offsets",
        },
        "price_year": YEAR,
        "actuals": {
            "type": "object",
            "propertyNames": {"pattern": "^[0-9]{4}$"},
            "additionalProperties": _number(MONEY),
            "description": "outturn by financial year (2017 = 2017/18): the gross amount, in "
            "the line's prices",
        },
        **{key: _uncertain(rule) for key, rule in rules.items()},
    }
    forms: list[dict[str, Any]] = [{"required": ["amounts"]}, {"required": ["annual"]}]
    if section == "costs":
        properties["kind"] = {"enum": list(COST_KINDS)}
        properties["ob_type"] = {
            "enum": list(params.optimism_bias_types()),
            "description": "optimism bias by project type (Mott MacDonald 2002): the upper "
            "bound reduced by ob_mitigation, never below the lower bound",
        }
        keys = COST_KEYS
    else:
        references = [f"{REFERENCE}{key}" for key in params.unit_costs()]
        properties["unit_value"] = {
            "anyOf": [_uncertain(rules["unit_value"]), {"enum": references}]
        }
        properties["cashable"] = {"type": "boolean"}
        properties["value_type"] = {
            "enum": list(VALUE_TYPES),
            "description": "fiscal (public budgets; cashable lines are fiscal), economic or "
            "social value",
        }
        properties["confidence"] = {
            "type": "integer",
            "minimum": 1,
            "description": "a grade of [confidence_grades]",
        }
        forms.append({"required": ["quantity", "unit_value"]})
        keys = BENEFIT_KEYS
    assert set(properties) == set(keys), set(properties) ^ set(keys)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "oneOf": forms,
        "allOf": [
            {
                "if": {"required": ["amounts"]},
                "then": {
                    "not": {"anyOf": [{"required": [k]} for k in ("years", "growth", "drop_off")]}
                },
            },
        ],
    }
    if section == "benefits":
        schema["not"] = {"required": ["optimism_bias", "confidence"]}
        schema["allOf"].append(
            {
                "if": {"required": ["cashable"], "properties": {"cashable": {"const": True}}},
                "then": {"properties": {"value_type": {"const": "fiscal"}}},
            }
        )
    else:
        schema["not"] = {"required": ["optimism_bias", "ob_type"]}
    return schema


def _impact() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "name": NAME,
        "direction": {"enum": list(DIRECTIONS)},
        "materiality": {"enum": list(MATERIALITIES)},
        "description": TEXT,
    }
    assert set(properties) == set(IMPACT_KEYS), set(properties) ^ set(IMPACT_KEYS)
    return {
        "type": "object",
        "description": "a non-monetised impact, described in words",
        "properties": properties,
        "required": ["name", "direction", "materiality"],
        "additionalProperties": False,
    }


def _risk() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "name": NAME,
        "probability": _number(SHARE, "The chance the risk happens."),
        "impact": _uncertain(MONEY),
        "years": {
            "type": "array",
            "items": {"type": "integer", "minimum": 0},
            "minItems": 2,
            "maxItems": 2,
            "description": "[first, last] year offsets (default [0, 0])",
        },
        "agency": NAME,
        "price_year": YEAR,
        "source": TEXT,
    }
    assert set(properties) == set(RISK_KEYS), set(properties) ^ set(RISK_KEYS)
    return {
        "type": "object",
        "description": "a cost that arises only if the risk happens",
        "properties": properties,
        "required": ["name", "probability", "impact"],
        "additionalProperties": False,
    }


def project_schema() -> dict[str, Any]:
    appraisal = _appraisal()
    lines = {
        section: {"type": "array", "items": {"$ref": f"#/$defs/{section[:-1]}"}}
        for section in ("costs", "benefits", "risks", "impacts")
    }
    return {
        "type": "object",
        "description": "An npv-calc project file.",
        "properties": {
            "id": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_-]*$"},
            "name": NAME,
            "start_year": YEAR,
            "status": {"enum": list(STATUSES)},
            "partners": {"type": "array", "items": TEXT},
            "description": TEXT,
            "appraisal": {
                "type": "object",
                "properties": appraisal,
                "additionalProperties": False,
                **ONE_RATE,
            },
            **appraisal,
            **lines,
        },
        "required": ["id", "name", "start_year"],
        "additionalProperties": False,
        **ONE_RATE,
        "anyOf": [
            {"required": ["costs"], "properties": {"costs": {"minItems": 1}}},
            {"required": ["benefits"], "properties": {"benefits": {"minItems": 1}}},
        ],
    }


def portfolio_schema() -> dict[str, Any]:
    appraisal = {
        "type": "object",
        "properties": _appraisal(),
        "additionalProperties": False,
        **ONE_RATE,
    }
    document = {
        "type": "object",
        "description": "An npv-calc portfolio.toml.",
        "properties": {
            "portfolio": {
                "type": "object",
                "properties": {
                    "name": NAME,
                    "description": TEXT,
                    "target": _number(NON_NEGATIVE, "£ of NPV the programme must secure."),
                    "target_year": YEAR,
                    "agencies": {
                        "type": "array",
                        "items": NAME,
                        "minItems": 1,
                        "uniqueItems": True,
                        "description": "the only agency names lines and partners may use",
                    },
                    "count_statuses": {
                        "type": "array",
                        "items": {"enum": list(STATUSES)},
                        "minItems": 1,
                        "uniqueItems": True,
                        "description": "statuses whose projects count toward the target",
                    },
                    "as_of": {
                        **YEAR,
                        "description": "the last financial year with outturn recorded "
                        "(2023 = 2023/24)",
                    },
                    "present_value_year": {
                        **YEAR,
                        "description": "also value every project at this financial year "
                        "(2023 = 2023/24)",
                    },
                },
                "additionalProperties": False,
            },
            "appraisal": appraisal,
            "confidence_grades": {
                "type": "object",
                "propertyNames": {"pattern": "^[0-9]+$"},
                "additionalProperties": _number(SHARE),
            },
            "deflators": {
                "type": "object",
                "propertyNames": {"pattern": "^[0-9]{4}$"},
                "additionalProperties": _number(POSITIVE),
            },
            "correlation": {
                "type": "object",
                "properties": {
                    "groups": {
                        "type": "object",
                        "additionalProperties": _number(COEFFICIENT),
                    },
                    "between": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "groups": {
                                    "type": "array",
                                    "items": NAME,
                                    "minItems": 2,
                                    "maxItems": 2,
                                },
                                "rank": _number(COEFFICIENT),
                            },
                            "required": ["groups", "rank"],
                            "additionalProperties": False,
                        },
                    },
                },
                "additionalProperties": False,
            },
            "scenarios": {
                "type": "object",
                "propertyNames": {"not": {"enum": list(BUILTIN_SCENARIOS)}},
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "description": TEXT,
                        "set": appraisal,
                        "exclude": {"type": "array", "items": TEXT},
                    },
                    "additionalProperties": False,
                },
            },
        },
        "additionalProperties": False,
    }
    keys = set(document["properties"]["portfolio"]["properties"])  # type: ignore[index]
    assert keys == set(PORTFOLIO_KEYS), keys ^ set(PORTFOLIO_KEYS)
    return document


def schema(kind: str = "any") -> dict[str, Any]:
    """The JSON Schema of a project file, a portfolio.toml, or either (``kind="any"``)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    defs = {
        "project": project_schema(),
        "portfolio": portfolio_schema(),
        "cost": _line("costs"),
        "benefit": _line("benefits"),
        "risk": _risk(),
        "impact": _impact(),
    }
    document: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": f"https://npv-calc.invalid/schema/{kind}-{__version__}.json",
        "title": {
            "any": "npv-calc scenario file (a project file or portfolio.toml)",
            "project": "npv-calc project file",
            "portfolio": "npv-calc portfolio.toml",
        }[kind],
        "$defs": defs,
    }
    if kind == "any":
        document["anyOf"] = [{"$ref": "#/$defs/project"}, {"$ref": "#/$defs/portfolio"}]
    else:
        document["$ref"] = f"#/$defs/{kind}"
    return document
