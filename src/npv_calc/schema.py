"""JSON Schema for scenario files, for TOML editors (``npv-calc schema``).

Built from the loader's own declaration of every key (:mod:`npv_calc.load.fields`), so the schema
and the validation say the same thing. A schema checks one file at a time: the rules that depend
on settings or on other files (``years`` inside the horizon, deflators for a ``price_year``,
grades that exist, unique ids) are left to ``npv-calc validate``.
"""

from __future__ import annotations

from typing import Any

from . import __version__
from .load.fields import (
    BENEFITS,
    COSTS,
    IMPACTS,
    OPTIONS,
    PORTFOLIO_FILE,
    PROJECT,
    RISKS,
    SECTIONS,
)
from .load.kinds import Nested
from .load.rules import BUILTIN_SCENARIOS
from .load.spec import Field, Part, Section

DRAFT = "https://json-schema.org/draft/2020-12/schema"
KINDS = ("any", "project", "portfolio")
#: ``schedule`` and ``discount_rate`` may not share a table.
ONE_RATE = {"not": {"required": ["schedule", "discount_rate"]}}
#: The sections each item of a list of which is a definition of its own: ``#/$defs/cost``.
DEFINED = {
    "costs": "cost",
    "benefits": "benefit",
    "risks": "risk",
    "impacts": "impact",
    "options": "option",
}
#: Extra rules for a section's object, beside its keys.
_EXTRA: dict[str, dict[str, Any]] = {"appraisal": ONE_RATE}
_DESCRIPTIONS = {
    "risks": "a cost that arises only if the risk happens",
    "impacts": "a non-monetised impact, described in words",
    "options": "an option of the shortlist, with the lines, risks and impacts of a project",
    "project": "An npv-calc project file.",
    "portfolio.toml": "An npv-calc portfolio.toml.",
}


def _properties(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        f.key: _nested(f.kind) if isinstance(f.kind, Nested) else f.kind.schema(f.doc)
        for f in fields
    }


def _nested(kind: Nested) -> dict[str, Any]:
    """The schema of a key holding a table (or tables) of another section."""
    if kind.section in DEFINED:
        return {"type": "array", "items": {"$ref": f"#/$defs/{DEFINED[kind.section]}"}}
    table = _object(SECTIONS[kind.section])
    if kind.named:
        return {
            "type": "object",
            "propertyNames": {"not": {"enum": list(BUILTIN_SCENARIOS)}},
            "additionalProperties": table,
        }
    return {"type": "array", "items": table} if kind.many else table


def _object(
    section: Section, properties: dict[str, Any] | None = None, **extra: Any
) -> dict[str, Any]:
    """A section's table: its keys and no others, the required ones required."""
    schema: dict[str, Any] = {"type": "object"}
    if section.name in _DESCRIPTIONS:
        schema["description"] = _DESCRIPTIONS[section.name]
    schema["properties"] = _properties(section.fields) if properties is None else properties
    required = [f.key for f in section.fields if f.required]
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    return {**schema, **_EXTRA.get(section.name, {}), **extra}


def _line(section: Section) -> dict[str, Any]:
    # The parts in the order the schema has always listed them: labels, timing, values, traits.
    properties = {
        **_properties(section.part(Part.LABEL)),
        **_properties(section.part(Part.TIMING, Part.PRICE)),
        **_properties(section.part(Part.VALUE)),
        **_properties(section.part(Part.TRAIT)),
    }
    forms: list[dict[str, Any]] = [{"required": ["amounts"]}, {"required": ["annual"]}]
    rules: list[dict[str, Any]] = [
        {
            "if": {"required": ["amounts"]},
            "then": {
                "not": {"anyOf": [{"required": [k]} for k in ("years", "growth", "drop_off")]}
            },
        },
    ]
    if section is BENEFITS:
        forms.append({"required": ["quantity", "unit_value"]})
        rules.append(
            {
                "if": {"required": ["cashable"], "properties": {"cashable": {"const": True}}},
                "then": {"properties": {"value_type": {"const": "fiscal"}}},
            }
        )
        both = ["optimism_bias", "confidence"]
    else:
        both = ["optimism_bias", "ob_type"]
    return _object(section, properties, oneOf=forms, allOf=rules, **{"not": {"required": both}})


#: The keys only a project with options holds.
_OPTIONS_ONLY = ("options", "preferred", "preferred_because")


def project_schema() -> dict[str, Any]:
    """The schema of a project file: its keys, and at least one line, or a shortlist of
    options (business as usual and one other at least) with no lines of its own."""
    own = ["costs", "benefits", "risks", "impacts"]
    return _object(
        PROJECT,
        **ONE_RATE,
        anyOf=[
            {
                "required": ["costs"],
                "properties": {"costs": {"minItems": 1}},
                "not": {"anyOf": [{"required": [key]} for key in _OPTIONS_ONLY]},
            },
            {
                "required": ["benefits"],
                "properties": {"benefits": {"minItems": 1}},
                "not": {"anyOf": [{"required": [key]} for key in _OPTIONS_ONLY]},
            },
            {
                "required": ["options", "preferred"],
                "properties": {"options": {"minItems": 2}},
                "not": {"anyOf": [{"required": [key]} for key in own]},
            },
        ],
    )


def portfolio_schema() -> dict[str, Any]:
    """The schema of portfolio.toml."""
    # The schema has always listed the named scenarios last.
    fields = sorted(PORTFOLIO_FILE.fields, key=lambda f: f.key == "scenarios")
    return _object(PORTFOLIO_FILE, _properties(tuple(fields)))


def schema(kind: str = "any") -> dict[str, Any]:
    """The JSON Schema of a project file, a portfolio.toml, or either (``kind="any"``)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    defs = {
        "project": project_schema(),
        "portfolio": portfolio_schema(),
        "cost": _line(COSTS),
        "benefit": _line(BENEFITS),
        "risk": _object(RISKS),
        "impact": _object(IMPACTS),
        "option": _object(OPTIONS),
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
