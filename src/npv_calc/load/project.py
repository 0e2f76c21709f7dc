"""Project files: a document (from TOML or a workbook's rows) into a :class:`Project`."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .. import params
from ..model import (
    APPRAISAL_KEYS,
    COST_KINDS,
    DIRECTIONS,
    MATERIALITIES,
    STATUSES,
    VALUE_TYPES,
    Impact,
    Line,
    Project,
    Risk,
    SettingsPatch,
    Uncertain,
    is_workbook,
)
from .messages import got, show, suggest
from .reader import FileReader
from .rules import (
    BENEFIT_KEYS,
    CALENDAR_YEAR,
    COST_KEYS,
    FIELD_RULES,
    IMPACT_KEYS,
    MONEY,
    PROJECT_KEYS,
    REFERENCE,
    RISK_KEYS,
    SHARE,
    id_problem,
)
from .settings import BOTH_RATES, read_settings

_ONLY_BENEFITS = {
    k: "applies to benefits only"
    for k in (
        "quantity",
        "unit_value",
        "deadweight",
        "displacement",
        "attribution",
        "drop_off",
        "cashable",
        "confidence",
        "value_type",
    )
}
_ONLY_COSTS = {
    "kind": "applies to costs only (revenue or capital)",
    "ob_type": "applies to costs only (optimism bias by project type is a cost uplift; a "
    "benefit's optimism bias is optimism_bias or confidence)",
}


#: What a line's source says of a library value checked only against a secondary report.
SECONDARY = "checked against secondary reports only"


def reference_source(key: str) -> str:
    """The source a line gets from ``unit_value = "ref:<key>"`` when it gives none itself
    (saying so when the library value was checked only against a secondary report)."""
    cost = params.unit_costs()[key]
    flag = f"; {SECONDARY}" if cost.secondary_only else ""
    return f"{cost.source} ({cost.description}, via {REFERENCE}{key}{flag})"


def _read_reference(
    text: str, raw: dict, values: dict[str, Any], reader: FileReader, at: dict
) -> None:
    """``unit_value = "ref:<key>"``: a value from the unit-cost library, in its own year's
    prices (so that the deflators rebase it), and its source unless the line gives one."""
    library = params.unit_costs()
    key = text[len(REFERENCE) :] if text.startswith(REFERENCE) else None
    if key is None or key not in library:
        hint = suggest(key, library) if key else ""
        what = (
            f"{show(text)} is not in the unit-cost library{hint}"
            if key
            else (f'must be a number or "ref:<key>" from the unit-cost library, got {show(text)}')
        )
        reader.add(f"{what}; npv-calc unit-costs lists the keys", field="unit_value", **at)
        return
    cost = library[key]
    given = values.get("price_year")
    if "price_year" in raw and given is not None and given != cost.price_year:
        reader.add(
            f"{given} does not match {text}, which is in {cost.price_year} prices; leave "
            "price_year out (a ref: value brings its own)",
            field="price_year",
            **at,
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
    if "source" not in raw:
        values["source"] = reference_source(key)


def _read_ob_type(raw: dict, kind: str | None, reader: FileReader, at: dict) -> str | None:
    """``ob_type``: a project type of the optimism bias table, instead of ``optimism_bias``."""
    types = params.optimism_bias_types()
    ob_type = reader.choice(raw["ob_type"], tuple(types), field="ob_type", **at)
    if "optimism_bias" in raw:
        reader.add(
            "give either optimism_bias (your own uplift) or ob_type (the uplift of a project "
            "type, reduced by ob_mitigation), not both",
            field="ob_type",
            **at,
        )
        return None
    if ob_type is None or kind is None:
        return ob_type
    measured_on = types[ob_type].applies_to
    if measured_on != kind:
        what = "operating (revenue)" if measured_on == "revenue" else "capital"
        reader.warn(
            f"{show(ob_type)} is an uplift measured on {what} costs, but this line is "
            f'kind = "{kind}"'
            + ("" if "kind" in raw else " (the default, as it gives no kind)")
            + "; check the project type or the kind",
            field="ob_type",
            **at,
        )
    return ob_type


def _read_impact(raw: Any, index: int, reader: FileReader) -> Impact | None:
    """An ``[[impacts]]`` table: a non-monetised impact, in words."""
    where = ("impacts", index)
    item = f"impacts[{index}]"
    if not isinstance(raw, dict):
        reader.add(f"must be a table ([[impacts]]), {got(raw)}", item=item, where=where)
        return None
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        if "name" not in raw:
            reader.add("is required: an impact needs a name", item=item, field="name", where=where)
        else:
            reader.text(name, required=True, item=item, field="name", where=where)
        name = f"Impact {index}"
    at: dict[str, Any] = {"item": f'{item} "{name}"', "where": where}
    reader.unknown_keys(raw, IMPACT_KEYS, **at)
    values: dict[str, Any] = {"index": index, "name": name}
    for key, choices in (("direction", DIRECTIONS), ("materiality", MATERIALITIES)):
        if key not in raw:
            allowed = " or ".join(f'"{c}"' for c in choices)
            reader.add(f"is required: {allowed}", field=key, **at)
            values[key] = choices[0]
        else:
            values[key] = reader.choice(raw[key], choices, field=key, **at) or choices[0]
    if "description" in raw:
        values["description"] = reader.text(raw["description"], field="description", **at) or ""
    impact = Impact(**values)
    impact.lines.update(reader.lines.get(where, {}))
    return impact


def _read_years(
    years: Any, reader: FileReader, at: dict[str, Any], start_year: int | None
) -> tuple[int, int] | None:
    """``years = [first, last]``: year offsets from year 0, checked (calendar years get the
    offsets suggested)."""
    if (
        not isinstance(years, list)
        or len(years) != 2
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
    ):
        reader.add(
            "must be [first, last], two whole-number year offsets from year 0 such as "
            f"[1, 9], got {show(years)}",
            field="years",
            **at,
        )
        return None
    if years[0] >= CALENDAR_YEAR:
        offsets = (
            f"; did you mean years = [{years[0] - start_year}, {years[1] - start_year}]?"
            if start_year is not None and start_year <= years[0] <= years[1]
            else ""
        )
        reader.add(
            f"{show(years)} looks like calendar years, but years are offsets from "
            f"start_year (year 0 = {start_year if start_year is not None else 'start_year'})"
            f"{offsets}",
            field="years",
            **at,
        )
        return None
    if years[0] < 0 or years[0] > years[1]:
        reader.add(f"must have 0 <= first <= last, got {show(years)}", field="years", **at)
        return None
    return (years[0], years[1])


def _read_risk(raw: Any, index: int, reader: FileReader, start_year: int | None) -> Risk | None:
    """A ``[[risks]]`` table: a cost that arises only if the risk happens."""
    where = ("risks", index)
    if not isinstance(raw, dict):
        reader.add(f"must be a table ([[risks]]), {got(raw)}", item=f"risks[{index}]", where=where)
        return None
    name = raw.get("name")
    if "name" not in raw:
        reader.add(
            "is required: a risk needs a name", item=f"risks[{index}]", field="name", where=where
        )
        name = f"Risk {index}"
    elif not isinstance(name, str) or not name.strip():
        reader.text(name, required=True, item=f"risks[{index}]", field="name", where=where)
        name = f"Risk {index}"
    at: dict[str, Any] = {"item": f'risks[{index}] "{name}"', "where": where}
    reader.unknown_keys(
        raw,
        RISK_KEYS,
        elsewhere={
            "annual": "a risk has an impact: write impact = ... (£ each year of years if it "
            "happens)"
        },
        **at,
    )
    values: dict[str, Any] = {"index": index, "name": name}
    for key in ("probability", "impact"):
        if key not in raw:
            reader.add(
                "is required: a risk needs its probability (0 to 1) and its impact (£)",
                field=key,
                **at,
            )
    if "probability" in raw:
        values["probability"] = reader.number(raw["probability"], SHARE, field="probability", **at)
    if "impact" in raw:
        values["impact"] = reader.value(raw["impact"], MONEY, field="impact", **at)
    if "years" in raw:
        values["years"] = _read_years(raw["years"], reader, at, start_year)
    for key in ("agency", "source"):
        if key in raw:
            values[key] = reader.text(raw[key], required=key == "agency", field=key, **at)
    if values.get("source") == "":
        values["source"] = None
    if "price_year" in raw:
        values["price_year"] = reader.year(raw["price_year"], field="price_year", **at)
    # With problems, what could be read is still returned (its problems are recorded), so
    # that the checks that need settings (years inside the horizon) run on it too.
    values.setdefault("probability", None)
    values.setdefault("impact", None)
    values["probability"] = values["probability"] if values["probability"] is not None else 0.0
    values["impact"] = values["impact"] if values["impact"] is not None else 0.0
    risk = Risk(**{k: v for k, v in values.items() if v is not None})
    risk.lines.update(reader.lines.get(where, {}))
    return risk


def _read_line(
    raw: Any, section: str, index: int, reader: FileReader, start_year: int | None = None
) -> Line | None:
    """A line of a project file. When the line has problems, what could be read is still
    returned, so that the checks that need settings can run on it too; the problems are in
    ``reader.problems``."""
    where = (section, index)
    singular = "cost" if section == "costs" else "benefit"
    if not isinstance(raw, dict):
        reader.add(
            f"must be a table ([[{section}]]), {got(raw)}",
            item=f"{section}[{index}]",
            where=where,
        )
        return None
    name = raw.get("name", f"{singular.capitalize()} {index}")
    if not isinstance(name, str) or not name.strip():
        reader.text(name, required=True, item=f"{section}[{index}]", field="name", where=where)
        name = f"{singular.capitalize()} {index}"
    item = f'{section}[{index}] "{name}"'
    at = {"item": item, "where": where}

    allowed = COST_KEYS if section == "costs" else BENEFIT_KEYS
    reader.unknown_keys(
        raw, allowed, elsewhere=_ONLY_BENEFITS if section == "costs" else _ONLY_COSTS, **at
    )
    values: dict[str, Any] = {"section": section, "index": index, "name": name}

    for key in ("agency", "source"):
        if key in raw:
            values[key] = reader.text(raw[key], required=key == "agency", field=key, **at)
    if values.get("source") == "":
        values["source"] = None  # an empty source is no source
    if section == "costs":
        values["kind"] = reader.choice(raw.get("kind", "revenue"), COST_KINDS, field="kind", **at)
        if "ob_type" in raw:
            values["ob_type"] = _read_ob_type(raw, values["kind"], reader, at)
    else:
        if "cashable" in raw:
            values["cashable"] = reader.boolean(raw["cashable"], field="cashable", **at)
        if "value_type" in raw:
            values["value_type"] = reader.choice(
                raw["value_type"], VALUE_TYPES, field="value_type", **at
            )
            if values.get("cashable") and values["value_type"] not in (None, "fiscal"):
                reader.add(
                    f"is {show(values['value_type'])} but the line is cashable: a cashable "
                    'saving is fiscal (it releases public money); write value_type = "fiscal" '
                    "or cashable = false",
                    field="value_type",
                    **at,
                )
        if "confidence" in raw:
            values["confidence"] = reader.whole(
                raw["confidence"],
                1,
                10**6,
                "a confidence grade (a whole number such as 3)",
                field="confidence",
                **at,
            )

    reference = raw.get("unit_value") if section == "benefits" else None
    unit_reported = False
    if isinstance(reference, dict) and any(
        isinstance(v, str) and v.startswith(REFERENCE) for v in reference.values()
    ):
        reader.add(
            "a ref: value from the unit-cost library cannot be given a low and high; leave "
            "them out and put the range on quantity or scale instead",
            field="unit_value",
            **at,
        )
        reference = None
        unit_reported = True
    for key, rule in FIELD_RULES[section].items():
        if key in raw and not (
            key == "unit_value" and (isinstance(reference, str) or unit_reported)
        ):
            values[key] = reader.value(raw[key], rule, field=key, **at)

    if "price_year" in raw:
        values["price_year"] = reader.year(raw["price_year"], field="price_year", **at)

    if isinstance(reference, str):
        _read_reference(reference, raw, values, reader, at)

    if "amounts" in raw:
        amounts = raw["amounts"]
        if not isinstance(amounts, list) or not amounts:
            reader.add(
                f"must be a list of yearly amounts such as [45_000, 5_000], got {show(amounts)}",
                field="amounts",
                **at,
            )
        else:
            checked = [
                reader.number(a, MONEY, field=f"amounts[{i}]", **at) for i, a in enumerate(amounts)
            ]
            if all(a is not None for a in checked):
                values["amounts"] = tuple(checked)

    if "years" in raw:
        span = _read_years(raw["years"], reader, at, start_year)
        if span is not None:
            values["years"] = span

    if "actuals" in raw:
        actuals = _read_actuals(raw["actuals"], reader, at)
        if actuals:
            values["actuals"] = actuals

    forms = [k for k in ("amounts", "annual", "quantity") if k in raw]
    if section == "benefits" and ("quantity" in raw) != ("unit_value" in raw):
        present, missing = (
            ("quantity", "unit_value") if "quantity" in raw else ("unit_value", "quantity")
        )
        reader.add(f"needs {missing} as well (annual = quantity x unit_value)", field=present, **at)
    if not forms and "unit_value" not in raw:
        choices = (
            "amounts or annual"
            if section == "costs"
            else ("amounts, annual, or quantity with unit_value")
        )
        reader.add(f"gives no money: give one of {choices}", **at)
    elif len(forms) > 1:
        shown = " and ".join(forms)
        reader.add(f"gives {shown}: give only one way of stating the amount", field=forms[1], **at)
    if "amounts" in raw:
        for key in ("years", "growth", "drop_off"):
            if key in raw:
                reader.add(
                    f"cannot be used with amounts (amounts are already year by year; use "
                    f"annual with {key} instead)",
                    field=key,
                    **at,
                )
    if "optimism_bias" in raw and "confidence" in raw:
        reader.add("give either optimism_bias or confidence, not both", field="confidence", **at)

    line = Line(**{k: v for k, v in values.items() if v is not None})
    line.lines.update(reader.lines.get(where, {}))
    return line


def _read_actuals(raw: Any, reader: FileReader, at: dict[str, Any]) -> dict[int, float]:
    """``actuals = { 2017 = 176_000, 2018 = 181_250 }``: outturn by financial year (its first
    calendar year), each 0 or more. Whether the years fit the project and ``as_of`` is
    checked with the settings (:func:`~npv_calc.load.checks.cross_check`)."""
    table = reader.table(
        raw, "outturn by financial year, e.g. { 2017 = 176_000 }", field="actuals", **at
    )
    out: dict[int, float] = {}
    for key, amount in (table or {}).items():
        if not re.fullmatch(r"[0-9]{4}", str(key)):
            offsets = (
                f"; write the financial year's first calendar year, e.g. {key.strip()[:4]} for "
                f"{key.strip()}"
                if re.fullmatch(r"\s*[0-9]{4}\s*[/-]\s*[0-9]{2}\s*", str(key))
                else ""
            )
            reader.add(
                f"{show(key)} must be a financial year such as 2023 (for 2023/24){offsets}",
                field=f"actuals.{key}",
                **at,
            )
            continue
        value = reader.number(amount, MONEY, field=f"actuals.{key}", **at)
        if value is not None:
            out[int(key)] = value
    return dict(sorted(out.items()))


# ---------------------------------------------------------------------------------------------
# Project files


def read_project(data: dict, path: Path, reader: FileReader) -> Project:
    """A project file. As with lines, a project with problems is still returned (with an empty
    ``id`` when its id is bad) so that every check can run; the problems are in
    ``reader.problems``."""
    top = ("", 1)
    raw_name = data.get("name")
    item = None
    reader.unknown_keys(
        data,
        PROJECT_KEYS,
        item=None,
        where=top,
        elsewhere={
            **{
                k: "belongs in the [portfolio] table of portfolio.toml"
                for k in (
                    "target",
                    "target_year",
                    "as_of",
                    "present_value_year",
                    "agencies",
                    "count_statuses",
                )
            },
            **{
                k: "belongs in portfolio.toml"
                for k in ("confidence_grades", "deflators", "scenarios", "portfolio")
            },
        },
    )
    values: dict[str, Any] = {}
    for key in ("id", "name", "start_year"):
        if key not in data:
            reader.add(
                "is required: every project file needs id, name and start_year",
                field=key,
                where=top,
            )
    if "id" in data:
        pid = reader.text(data["id"], required=True, field="id", where=top)
        if pid is not None and (why := id_problem(pid)):
            reader.add(f"{why}, got {show(pid)}", field="id", where=top)
        elif pid is not None:
            values["id"] = pid
    if "name" in data:
        values["name"] = reader.text(raw_name, required=True, field="name", where=top)
    if "start_year" in data:
        values["start_year"] = reader.year(data["start_year"], field="start_year", where=top)
    if "status" in data:
        values["status"] = reader.choice(data["status"], STATUSES, field="status", where=top)
    if "description" in data:
        values["description"] = reader.text(data["description"], field="description", where=top)
    if "partners" in data:
        partners = data["partners"]
        if not isinstance(partners, list) or not all(isinstance(p, str) for p in partners):
            reader.add(
                f'must be a list of names such as ["Police", "Fire"], got {show(partners)}',
                field="partners",
                where=top,
            )
        else:
            values["partners"] = tuple(partners)

    overrides = read_settings(data, reader, item=item, where=top)
    if "appraisal" in data:
        table = reader.table(data["appraisal"], "[appraisal]", field="appraisal", where=top)
        if table is not None:
            where = ("appraisal", 1)
            reader.unknown_keys(table, APPRAISAL_KEYS, item="[appraisal]", where=where)
            for key in set(table) & set(overrides):
                reader.add(
                    "is set both at the top of the file and in [appraisal]; give it once",
                    item="[appraisal]",
                    field=key,
                    where=where,
                )
            overrides.update(read_settings(table, reader, item="[appraisal]", where=where))
            if {"schedule", "discount_rate"} <= set(overrides) and not (
                {"schedule", "discount_rate"} <= set(table)
                or {"schedule", "discount_rate"} <= set(data)
            ):
                reader.add(BOTH_RATES, item="[appraisal]", field="schedule", where=where)

    lines: dict[str, list[Line]] = {"costs": [], "benefits": []}
    for section in ("costs", "benefits"):
        raw_lines = data.get(section, [])
        if not isinstance(raw_lines, list):
            reader.add(
                f"must be written as [[{section}]] tables, {got(raw_lines)}",
                field=section,
                where=top,
            )
            continue
        for index, raw in enumerate(raw_lines, start=1):
            line = _read_line(raw, section, index, reader, values.get("start_year"))
            if line is not None:
                lines[section].append(line)
    risks: list[Risk] = []
    raw_risks = data.get("risks", [])
    if not isinstance(raw_risks, list):
        reader.add(
            f"must be written as [[risks]] tables, {got(raw_risks)}", field="risks", where=top
        )
    else:
        for index, raw in enumerate(raw_risks, start=1):
            risk = _read_risk(raw, index, reader, values.get("start_year"))
            if risk is not None:
                risks.append(risk)
    impacts: list[Impact] = []
    raw_impacts = data.get("impacts", [])
    if not isinstance(raw_impacts, list):
        reader.add(
            f"must be written as [[impacts]] tables, {got(raw_impacts)}",
            field="impacts",
            where=top,
        )
    else:
        for index, raw in enumerate(raw_impacts, start=1):
            impact = _read_impact(raw, index, reader)
            if impact is not None:
                impacts.append(impact)
    if not data.get("costs") and not data.get("benefits"):
        reader.add(
            "has no costs or benefits: add a row for it on the Costs or Benefits sheet"
            if is_workbook(reader.path)
            else "has no costs or benefits: add at least one [[costs]] or [[benefits]] table",
            where=top,
        )

    values = {
        "id": "",
        "name": "",
        "start_year": 0,
        **{k: v for k, v in values.items() if v is not None},
    }
    project = Project(
        path=path,
        overrides=SettingsPatch.of(overrides),
        costs=tuple(lines["costs"]),
        benefits=tuple(lines["benefits"]),
        risks=tuple(risks),
        impacts=tuple(impacts),
        **values,
    )
    project.lines.update(reader.lines.get(top, {}))
    return project
