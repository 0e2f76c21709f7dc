"""portfolio.toml (or a workbook's Portfolio, Grades, Deflators and Scenarios sheets): a document
into the keyword arguments of :class:`~npv_calc.model.Portfolio`."""

from __future__ import annotations

import math
import re
from typing import Any

from .. import params
from ..model import APPRAISAL_KEYS, STATUSES, Correlation, NamedScenario, SettingsPatch
from .messages import got, show, suggest
from .reader import FileReader
from .rules import (
    BENEFIT_REDUCTION,
    BETWEEN_KEYS,
    BUILTIN_SCENARIOS,
    COEFFICIENT,
    CORRELATION_KEYS,
    LOW_TARGET,
    NON_NEGATIVE,
    PORTFOLIO_KEYS,
    PORTFOLIO_TABLES,
    POSITIVE,
    SCENARIO_KEYS,
)
from .settings import read_settings


def read_portfolio_file(data: dict, reader: FileReader) -> dict[str, Any]:
    """The keyword arguments of :class:`Portfolio` that portfolio.toml gives."""
    out: dict[str, Any] = {}
    top = ("", 1)
    reader.unknown_keys(
        data,
        PORTFOLIO_TABLES,
        item=None,
        where=top,
        elsewhere={
            **{k: "belongs in the [portfolio] table" for k in PORTFOLIO_KEYS},
            **{k: "belongs in the [appraisal] table" for k in APPRAISAL_KEYS},
            **{
                k: "belongs in a project file, not portfolio.toml"
                for k in ("id", "start_year", "costs", "benefits")
            },
        },
    )
    if "portfolio" in data:
        where = ("portfolio", 1)
        table = reader.table(data["portfolio"], "[portfolio]", field="portfolio", where=top)
        if table is not None:
            at = {"item": "[portfolio]", "where": where}
            reader.unknown_keys(table, PORTFOLIO_KEYS, **at)
            if "name" in table:
                out["name"] = reader.text(table["name"], required=True, field="name", **at)
            if "description" in table:
                out["description"] = reader.text(table["description"], field="description", **at)
            if "target" in table:
                target = reader.number(table["target"], NON_NEGATIVE, field="target", **at)
                out["target"] = target
                if target is not None and target < LOW_TARGET:
                    reader.warn(_low_target(target), field="target", **at)
            if "target_year" in table:
                out["target_year"] = reader.year(table["target_year"], field="target_year", **at)
            if "agencies" in table:
                out["agencies"] = _names(table["agencies"], reader, field="agencies", **at)
            if "count_statuses" in table:
                out["count_statuses"] = _statuses(table["count_statuses"], reader, **at)
            if "as_of" in table:
                out["as_of"] = reader.year(table["as_of"], field="as_of", **at)
            if "present_value_year" in table:
                out["present_value_year"] = reader.year(
                    table["present_value_year"], field="present_value_year", **at
                )

    if "appraisal" in data:
        where = ("appraisal", 1)
        table = reader.table(data["appraisal"], "[appraisal]", field="appraisal", where=top)
        if table is not None:
            reader.unknown_keys(table, APPRAISAL_KEYS, item="[appraisal]", where=where)
            out["settings"] = read_settings(table, reader, item="[appraisal]", where=where)

    grades = params.default_confidence_grades()
    if "confidence_grades" in data:
        where = ("confidence_grades", 1)
        table = reader.table(
            data["confidence_grades"], "[confidence_grades]", field="confidence_grades", where=top
        )
        for key, raw in (table or {}).items():
            at = {"item": "[confidence_grades]", "field": key, "where": where}
            if not re.fullmatch(r"[0-9]+", key) or int(key) < 1:
                reader.add(f"grade {show(key)} must be a whole number from 1 up", **at)
                continue
            share = reader.number(raw, BENEFIT_REDUCTION, **at)
            if share is not None:
                grades[int(key)] = share
    out["confidence_grades"] = dict(sorted(grades.items()))

    deflators: dict[int, float] = {}
    if "deflators" in data:
        where = ("deflators", 1)
        table = reader.table(data["deflators"], "[deflators]", field="deflators", where=top)
        for key, raw in (table or {}).items():
            at = {"item": "[deflators]", "field": key, "where": where}
            if not re.fullmatch(r"[0-9]{4}", key):
                reader.add(f"{show(key)} must be a year such as 2023", **at)
                continue
            index = reader.number(raw, POSITIVE, **at)
            if index is not None:
                deflators[int(key)] = index
    out["deflators"] = dict(sorted(deflators.items()))

    scenarios: dict[str, NamedScenario] = {}
    if "scenarios" in data:
        table = reader.table(
            data["scenarios"], "[scenarios.NAME] tables", field="scenarios", where=top
        )
        for name, raw in (table or {}).items():
            where = (f"scenarios.{name}", 1)
            item = f"[scenarios.{name}]"
            if name in BUILTIN_SCENARIOS:
                reader.add(
                    f"{show(name)} is a built-in scenario; choose another name",
                    item=item,
                    where=where,
                )
                continue
            spec = reader.table(raw, "description, set, exclude", item=item, where=where)
            if spec is None:
                continue
            reader.unknown_keys(spec, SCENARIO_KEYS, item=item, where=where)
            args: dict[str, Any] = {"name": name}
            if "description" in spec:
                args["description"] = (
                    reader.text(spec["description"], field="description", item=item, where=where)
                    or ""
                )
            if "set" in spec:
                overrides = reader.table(
                    spec["set"], "appraisal keys", field="set", item=item, where=where
                )
                if overrides is not None:
                    reader.unknown_keys(
                        overrides, APPRAISAL_KEYS, item=item, where=where, prefix="set."
                    )
                    args["set"] = SettingsPatch.of(
                        read_settings(overrides, reader, item=item, where=where, prefix="set.")
                    )
            if "exclude" in spec:
                exclude = spec["exclude"]
                if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
                    reader.add(
                        f'must be a list of project ids such as ["CBCD"], got {show(exclude)}',
                        field="exclude",
                        item=item,
                        where=where,
                    )
                else:
                    args["exclude"] = tuple(exclude)
            scenario_ = NamedScenario(**args)
            scenario_.lines.update(reader.lines.get(where, {}))
            scenarios[name] = scenario_
    out["scenarios"] = scenarios
    if "correlation" in data:
        out["correlation"] = _read_correlation(data["correlation"], reader)
    return out


def _read_correlation(raw: Any, reader: FileReader) -> Correlation:
    """``[correlation.groups]`` (a rank correlation per group) and ``[[correlation.between]]``
    (a rank correlation between two groups)."""
    top = ("", 1)
    table = reader.table(
        raw, "[correlation.groups] and [[correlation.between]]", field="correlation", where=top
    )
    if table is None:
        return Correlation()
    reader.unknown_keys(table, CORRELATION_KEYS, item="[correlation]", where=("correlation", 1))
    groups: dict[str, float] = {}
    where = ("correlation.groups", 1)
    if "groups" in table:
        raw_groups = reader.table(
            table["groups"], "a rank correlation per group", field="groups", where=where
        )
        for name, value in (raw_groups or {}).items():
            coefficient = reader.number(
                value, COEFFICIENT, item="[correlation.groups]", field=name, where=where
            )
            # A group with a wrong coefficient is still declared (NaN, and the file is refused
            # for the coefficient), so its values are not also reported as naming no group.
            groups[name] = math.nan if coefficient is None else coefficient
    between: list[tuple[str, str, float]] = []
    raw_between = table.get("between", [])
    if not isinstance(raw_between, list):
        reader.add(
            "must be written as [[correlation.between]] tables",
            field="correlation.between",
            where=top,
        )
        raw_between = []
    seen: set[frozenset[str]] = set()
    for index, entry in enumerate(raw_between, start=1):
        at = {"item": f"[[correlation.between]] {index}", "where": ("correlation.between", index)}
        if not isinstance(entry, dict):
            reader.add(f"must be a table with groups and rank, {got(entry)}", **at)
            continue
        reader.unknown_keys(entry, BETWEEN_KEYS, **at)
        pair = entry.get("groups")
        if (
            not isinstance(pair, list)
            or len(pair) != 2
            or not all(isinstance(g, str) and g for g in pair)
            or pair[0] == pair[1]
        ):
            reader.add(
                f'must name two different groups, e.g. groups = ["fire-costs", "demand"], '
                f"got {show(pair)}",
                field="groups",
                **at,
            )
            continue
        if "rank" not in entry:
            reader.add(
                "is required: the rank correlation between the two groups", field="rank", **at
            )
            continue
        rank = reader.number(entry["rank"], COEFFICIENT, field="rank", **at)
        if rank is None:
            continue
        key = frozenset(pair)
        if key in seen:
            reader.add(
                f"gives the pair {show(pair)} a second time; give it once", field="groups", **at
            )
            continue
        seen.add(key)
        between.append((pair[0], pair[1], rank))
    correlation = Correlation(groups, tuple(between))
    for name in groups:
        correlation.lines[f"group:{name}"] = reader.line_of(where[0], 1, name) or ""
    for index, (a, b, _) in enumerate(between, start=1):
        correlation.lines[f"between:{a}:{b}"] = (
            reader.line_of("correlation.between", index, "groups") or ""
        )
    correlation.lines["file"] = reader.shown
    return correlation


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


def _names(raw: Any, reader: FileReader, **at: Any) -> tuple[str, ...] | None:
    """A list of distinct, non-empty names (``agencies``)."""
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(n, str) and n.strip() for n in raw)
    ):
        reader.add(
            f'must be a list of names such as ["Police", "Fire", "Ambulance"], got {show(raw)}',
            **at,
        )
        return None
    seen: dict[str, str] = {}
    for name in raw:
        key = " ".join(name.split()).casefold()
        if key in seen:
            reader.add(f"lists {show(name)} twice (as {show(seen[key])} too)", **at)
            return None
        seen[key] = name
    return tuple(raw)


def _statuses(raw: Any, reader: FileReader, **at: Any) -> tuple[str, ...] | None:
    """``count_statuses``: distinct statuses from :data:`STATUSES`."""
    allowed = ", ".join(f'"{s}"' for s in STATUSES)
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
        reader.add(
            f'must be a list of statuses such as ["approved", "in-delivery", "delivered"] '
            f"(from {allowed}), got {show(raw)}",
            field="count_statuses",
            **at,
        )
        return None
    ok = True
    for status in raw:
        if status not in STATUSES:
            reader.add(
                f"{show(status)} is not a status{suggest(status, STATUSES)}; the statuses are "
                f"{allowed}",
                field="count_statuses",
                **at,
            )
            ok = False
    if ok and len(set(raw)) != len(raw):
        reader.add(f"lists a status twice, got {show(raw)}", field="count_statuses", **at)
        ok = False
    return tuple(raw) if ok else None
