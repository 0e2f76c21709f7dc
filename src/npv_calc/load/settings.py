"""``[appraisal]`` settings: in portfolio.toml, in a project file, in a named scenario's ``set``
and on the command line (``--set KEY=VALUE``)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import APPRAISAL_KEYS
from .messages import suggest
from .reader import FileReader
from .rules import DISCOUNT_RATE, MAX_HORIZON


def read_setting(key: str, raw: Any, reader: FileReader, **at: Any) -> object | None:
    """One ``[appraisal]`` value, checked. ``key`` must be among :data:`APPRAISAL_KEYS`."""
    at.setdefault("field", key)
    if key == "discount_rate":
        return reader.number(raw, DISCOUNT_RATE, **at)
    if key in ("declining", "discount_year0"):
        return reader.boolean(raw, **at)
    if key == "horizon":
        return reader.whole(
            raw, 1, MAX_HORIZON, f"a whole number of years from 1 to {MAX_HORIZON}", **at
        )
    if key == "price_base_year":
        return reader.year(raw, **at)
    raise KeyError(key)


def read_settings(
    table: dict, reader: FileReader, *, item: str | None, where: tuple[str, int], prefix: str = ""
) -> dict[str, object]:
    values: dict[str, object] = {}
    for key in APPRAISAL_KEYS:
        if key in table:
            value = read_setting(
                key, table[key], reader, item=item, field=prefix + key, where=where
            )
            if value is not None:
                values[key] = value
    return values


def parse_setting(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` from ``--set`` as (key, checked value).

    Raises
    ------
    ValueError
        When the text is not ``KEY=VALUE`` with a known key and a TOML value (a usage error).
    InputError
        When the value breaks the rule for its key (as it would in a file).
    """
    key, sep, value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"expected KEY=VALUE such as discount_rate=0.03, got {text!r}")
    if key not in APPRAISAL_KEYS:
        raise ValueError(
            f"{key}: unknown key{suggest(key, APPRAISAL_KEYS)}; allowed keys: "
            + ", ".join(APPRAISAL_KEYS)
        )
    try:
        raw = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        raise ValueError(
            f'{key}: {value!r} is not a TOML value (numbers as 0.03, true/false, text in "quotes")'
        ) from None
    reader = FileReader(Path("--set"), {})
    checked = read_setting(key, raw, reader)
    if reader.problems:
        raise InputError(reader.problems)
    return key, checked
