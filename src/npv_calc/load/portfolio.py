"""portfolio.toml (or a workbook's Portfolio, Grades, Deflators and Scenarios sheets): a document
into the keyword arguments of :class:`~npv_calc.model.Portfolio`."""

from __future__ import annotations

import math
from typing import Any

from .. import params
from ..model import APPRAISAL_KEYS, Correlation, NamedScenario, SettingsPatch, Tolerances
from .fields import BETWEEN, CORRELATION, PORTFOLIO, PORTFOLIO_FILE, REALISATION, SCENARIO
from .kinds import Keyed, Reading
from .messages import got, show, too_many
from .reader import FileReader
from .rules import BUILTIN_SCENARIOS, COEFFICIENT, MAX_GROUPS, MAX_ITEMS
from .settings import read_settings
from .spec import Field, given, read_fields

_TOP = ("", 1)


def read_portfolio_file(data: dict[str, Any], reader: FileReader) -> dict[str, Any]:
    """The keyword arguments of :class:`Portfolio` that portfolio.toml gives."""
    reader.unknown_keys(
        data,
        PORTFOLIO_FILE.keys,
        item=None,
        where=_TOP,
        elsewhere=dict(PORTFOLIO_FILE.misplaced),
    )
    out: dict[str, Any] = {}
    if "portfolio" in data:
        out.update(_portfolio_table(data["portfolio"], reader))
    if "appraisal" in data:
        table = reader.table(data["appraisal"], "[appraisal]", field="appraisal", where=_TOP)
        if table is not None:
            at: dict[str, Any] = {"item": "[appraisal]", "where": ("appraisal", 1)}
            reader.unknown_keys(table, APPRAISAL_KEYS, **at)
            out["settings"] = read_settings(table, reader, **at)
    grades = params.default_confidence_grades()
    grades.update(_keyed(data, PORTFOLIO_FILE.field("confidence_grades"), reader))
    out["confidence_grades"] = dict(sorted(grades.items()))
    out["deflators"] = dict(sorted(_keyed(data, PORTFOLIO_FILE.field("deflators"), reader).items()))
    out["scenarios"] = _scenarios(data["scenarios"], reader) if "scenarios" in data else {}
    if "correlation" in data:
        out["correlation"] = _read_correlation(data["correlation"], reader)
    if "realisation" in data:
        out["realisation"] = _realisation(data["realisation"], reader)
    return out


def _realisation(raw: Any, reader: FileReader) -> Tolerances:
    """``[realisation]``: the delivery status's tolerances, Amber's no wider than Red's (the
    defaults stand for what is missing or bad, so that the rest is still checked)."""
    table = reader.table(raw, "amber and red", field="realisation", where=_TOP)
    if table is None:
        return Tolerances()
    reading = Reading(reader, table, "[realisation]", ("realisation", 1))
    reader.unknown_keys(table, REALISATION.keys, item=reading.item, where=reading.where)
    read_fields(reading, REALISATION.fields)
    tolerances = Tolerances(**given(reading.values))
    amber, red = tolerances.amber, tolerances.red
    if amber > red:
        why = (
            ": beyond amber (a share of the base plan to date) a status is Amber, beyond red "
            "Red (e.g. amber = 0.05, red = 0.15)"
        )
        # a tolerance left out is its default: the one written is the one to change
        if "red" in table:
            reading.add(f"must be at least amber ({show(amber)}), got {show(red)}{why}", "red")
        else:
            reading.add(
                f"must be at most red ({show(red)}, the default), got {show(amber)}{why}", "amber"
            )
    tolerances.lines.later(reader.keys_at(reading.where))
    return tolerances


def _portfolio_table(raw: Any, reader: FileReader) -> dict[str, Any]:
    """The ``[portfolio]`` table: what it gives (``None`` for what it gives that is bad)."""
    table = reader.table(raw, "[portfolio]", field="portfolio", where=_TOP)
    if table is None:
        return {}
    reading = Reading(reader, table, "[portfolio]", ("portfolio", 1))
    reader.unknown_keys(table, PORTFOLIO.keys, item=reading.item, where=reading.where)
    read_fields(reading, PORTFOLIO.fields)
    return reading.values


def _keyed(data: dict[str, Any], field: Field, reader: FileReader) -> dict[int, float]:
    """A table keyed by whole numbers (``[confidence_grades]``, ``[deflators]``): the entries
    that are good."""
    name = field.key
    if name not in data:
        return {}
    assert isinstance(field.kind, Keyed)
    where = (name, 1)
    table = reader.table(data[name], f"[{name}]", field=name, where=_TOP)
    out: dict[int, float] = {}
    for key, raw in (table or {}).items():
        at: dict[str, Any] = {"item": f"[{name}]", "field": key, "where": where}
        why = field.kind.key_problem(key) if field.kind.key_problem else None
        if why:
            reader.add(why, **at)
            continue
        value = reader.number(raw, field.kind.rule, **at)
        if value is not None:
            out[int(key)] = value
    return out


def _scenarios(raw: Any, reader: FileReader) -> dict[str, NamedScenario]:
    """``[scenarios.NAME]`` tables: named what-ifs."""
    table = reader.table(raw, "[scenarios.NAME] tables", field="scenarios", where=_TOP)
    scenarios: dict[str, NamedScenario] = {}
    for name, spec in (table or {}).items():
        scenario = _scenario(name, spec, reader)
        if scenario is not None:
            scenarios[name] = scenario
    return scenarios


def _scenario(name: str, raw: Any, reader: FileReader) -> NamedScenario | None:
    where = (f"scenarios.{name}", 1)
    item = f"[scenarios.{name}]"
    if name in BUILTIN_SCENARIOS:
        reader.add(
            f"{show(name)} is a built-in scenario; choose another name", item=item, where=where
        )
        return None
    spec = reader.table(raw, "description, set, exclude", item=item, where=where)
    if spec is None:
        return None
    reader.unknown_keys(spec, SCENARIO.keys, item=item, where=where)
    reading = Reading(reader, spec, item, where)
    read_fields(reading, SCENARIO.fields, nested={"set": _scenario_set})
    scenario = NamedScenario(name=name, **given(reading.values))
    scenario.lines.later(reader.keys_at(where))
    return scenario


def _scenario_set(reading: Reading, raw: object) -> SettingsPatch | None:
    """A named scenario's ``set``: the appraisal settings it changes."""
    at: dict[str, Any] = {"item": reading.item, "where": reading.where}
    overrides = reading.reader.table(raw, "appraisal keys", field="set", **at)
    if overrides is None:
        return None
    reading.reader.unknown_keys(overrides, APPRAISAL_KEYS, prefix="set.", **at)
    return SettingsPatch.of(read_settings(overrides, reading.reader, prefix="set.", **at))


def _read_correlation(raw: Any, reader: FileReader) -> Correlation:
    """``[correlation.groups]`` (a rank correlation per group) and ``[[correlation.between]]``
    (a rank correlation between two groups)."""
    table = reader.table(
        raw, "[correlation.groups] and [[correlation.between]]", field="correlation", where=_TOP
    )
    if table is None:
        return Correlation()
    reader.unknown_keys(table, CORRELATION.keys, item="[correlation]", where=("correlation", 1))
    groups = _groups(table, reader)
    between = _between(table, reader)
    correlation = Correlation(groups, tuple(between))
    for name in groups:
        correlation.lines[f"group:{name}"] = reader.line_of("correlation.groups", 1, name) or ""
    for index, (a, b, _) in enumerate(between, start=1):
        correlation.lines[f"between:{a}:{b}"] = (
            reader.line_of("correlation.between", index, "groups") or ""
        )
    correlation.lines["file"] = reader.shown
    return correlation


def _groups(table: dict[str, Any], reader: FileReader) -> dict[str, float]:
    if "groups" not in table:
        return {}
    where = ("correlation.groups", 1)
    raw_groups = reader.table(
        table["groups"], "a rank correlation per group", field="groups", where=where
    )
    if raw_groups is not None and len(raw_groups) > MAX_GROUPS:
        reader.add(
            f"declares {len(raw_groups):,} correlation groups; a portfolio declares at most "
            f"{MAX_GROUPS:,} (their coefficients are checked together): put values that move "
            "together in one group",
            item="[correlation.groups]",
            where=where,
        )
        # still declared (the values naming them are not reported too), with no coefficient
        # to check together
        return dict.fromkeys(raw_groups, math.nan)
    groups: dict[str, float] = {}
    for name, value in (raw_groups or {}).items():
        coefficient = reader.number(
            value, COEFFICIENT, item="[correlation.groups]", field=name, where=where
        )
        # A group with a wrong coefficient is still declared (NaN, and the file is refused for
        # the coefficient), so its values are not also reported as naming no group.
        groups[name] = math.nan if coefficient is None else coefficient
    return groups


def _between(table: dict[str, Any], reader: FileReader) -> list[tuple[str, str, float]]:
    raw_between = table.get("between", [])
    if not isinstance(raw_between, list):
        reader.add(
            "must be written as [[correlation.between]] tables",
            field="correlation.between",
            where=_TOP,
        )
        return []
    if len(raw_between) > MAX_ITEMS:
        reader.add(too_many(len(raw_between), "[[correlation.between]]"), where=_TOP)
        return []
    between: list[tuple[str, str, float]] = []
    seen: dict[frozenset[str], int] = {}  # each pair given, and the table that gave it
    for index, entry in enumerate(raw_between, start=1):
        pair = _pair(entry, index, reader, seen)
        if pair is not None:
            between.append(pair)
    return between


def _pair(
    entry: Any, index: int, reader: FileReader, seen: dict[frozenset[str], int]
) -> tuple[str, str, float] | None:
    """A ``[[correlation.between]]`` table: two groups and their rank correlation, once."""
    reading = Reading(
        reader, entry, f"[[correlation.between]] {index}", ("correlation.between", index)
    )
    if not isinstance(entry, dict):
        reading.add(f"must be a table with groups and rank, {got(entry)}")
        return None
    reader.unknown_keys(entry, BETWEEN.keys, item=reading.item, where=reading.where)
    for field in BETWEEN.fields:  # the groups, then their rank: each needed to go on
        read_fields(reading, [field])
        if reading.values.get(field.key) is None:
            return None
    pair, value = reading.values["groups"], reading.values["rank"]
    first = seen.get(frozenset(pair))
    if first is not None:
        line = reader.line_of("correlation.between", first, "groups")
        at = f"at line {line}, " if isinstance(line, int) else ""
        reading.add(
            f"gives the pair {show(list(pair))} a second time (first {at}"
            f"[[correlation.between]] {first}); npv-calc does not guess which one holds: "
            "give it once",
            "groups",
        )
        return None
    seen[frozenset(pair)] = index
    return (pair[0], pair[1], value)
