"""``[appraisal]`` settings: in portfolio.toml, in a project file, in a named scenario's ``set``
and on the command line (``--set KEY=VALUE``)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..model import APPRAISAL_KEYS, SettingsPatch
from .fields import APPRAISAL
from .kinds import Reading
from .messages import decimal, percent_value, show, suggest
from .reader import FileReader
from .spec import given, read_fields
from .toml_files import loads

#: ``schedule`` and ``discount_rate`` in one table say the rate twice, two ways.
BOTH_RATES = (
    "give either schedule (a published table, used as published) or discount_rate (which "
    "scales the standard schedule), not both"
)


#: Settings whose value is a name: ``--set`` takes it with or without TOML quotes.
TEXT_KEYS = ("schedule",)


class SettingError(ValueError):
    """A ``--set`` that is not ``KEY=VALUE`` with a known key and one TOML value (a usage
    error, exit 2)."""


def read_setting(key: str, raw: Any, reader: FileReader, **at: Any) -> object | None:
    """One ``[appraisal]`` value, checked. ``key`` must be among :data:`APPRAISAL_KEYS`.

    Raises
    ------
    KeyError
        For a key that is not an appraisal setting.
    """
    field = at.pop("field", key)
    reading = Reading(reader, {}, at.get("item"), at.get("where", ("", 1)))
    return APPRAISAL.field(key).kind.read(raw, reading, field)


def read_settings(
    table: dict[str, Any],
    reader: FileReader,
    *,
    item: str | None,
    where: tuple[str, int],
    prefix: str = "",
) -> dict[str, object]:
    """The appraisal settings a table gives (those that are good), with the problems of the
    others recorded; ``prefix`` goes before each key in messages (``set.``)."""
    reading = Reading(reader, table, item, where, prefix=prefix)
    read_fields(reading, APPRAISAL.fields)
    values = given(reading.values)
    if "schedule" in table and "discount_rate" in table:
        reading.add(BOTH_RATES, "schedule")
    elif values.get("schedule") is not None and values.get("declining") is False:
        reading.warn(
            f"declining = false has no effect with schedule = {show(values['schedule'])}: a "
            "published schedule is used as published, its rate falling by its own bands; for "
            "a flat rate give discount_rate and declining = false instead of schedule",
            "declining",
        )
    return values


def parse_setting(text: str) -> tuple[str, object, list[Problem]]:
    """``KEY=VALUE`` from ``--set`` as (key, checked value, warnings).

    Raises
    ------
    SettingError
        When the text is not ``KEY=VALUE`` with a known key and one TOML value (a usage error).
    InputError
        When the value breaks the rule for its key (as it would in a file).
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise SettingError(f"expected KEY=VALUE such as discount_rate=0.03, got {text!r}")
    if key not in APPRAISAL_KEYS:
        raise SettingError(
            f"{key}: unknown key{suggest(key, APPRAISAL_KEYS)}; allowed keys: "
            + ", ".join(APPRAISAL_KEYS)
        )
    written = _written(value)
    if "\n" in value or "\r" in value:
        raise SettingError(f"{key}: {written} spans several lines; give each setting its own --set")
    if key in TEXT_KEYS and re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", value.strip()):
        # A name needs no TOML quotes on the command line: --set schedule=health.
        value = f'"{value.strip()}"'
    try:
        document = loads(f"v = {value.strip()}")
    except tomllib.TOMLDecodeError:
        hint = ""
        if (share := percent_value(value)) is not None:
            hint = f"; write {key}={decimal(share)} (a percentage as a decimal)"
        raise SettingError(
            f"{key}: {written} is not a TOML value (numbers as 0.03, true/false, text in "
            f'"quotes"){hint}'
        ) from None
    if set(document) != {"v"}:
        raise SettingError(f"{key}: {written} is more than one value; give one, e.g. {key}=0.03")
    reader = FileReader(Path("--set"), {})
    checked = read_setting(key, document["v"], reader)
    if reader.problems:
        raise InputError(reader.problems)
    return key, checked, reader.warnings


def _written(value: str) -> str:
    """A ``--set`` value as messages quote it: cut short when long."""
    return repr(value) if len(value) <= 60 else repr(value[:57]) + "..."


def parse_settings(texts: Sequence[str]) -> tuple[SettingsPatch, list[Problem], list[Problem]]:
    """Every ``--set``: the overrides that are good, the problems of those that are not (to be
    reported with any problems in the files), and warnings.

    Raises
    ------
    SettingError
        For the first malformed ``KEY=VALUE`` (a usage error).
    """
    overrides: dict[str, object] = {}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for text in texts:
        try:
            key, value, cautions = parse_setting(text)
        except InputError as exc:
            problems += exc.problems
            continue
        overrides[key] = value
        warnings += cautions
    if "schedule" in overrides and "discount_rate" in overrides:
        raise SettingError(f"schedule: {BOTH_RATES} (two --set)")
    return SettingsPatch.of(overrides), problems, warnings
