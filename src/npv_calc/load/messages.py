"""How messages quote the user's values and suggest what they may have meant."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from .rules import MAX_ITEMS


def show(value: Any, depth: int = 0) -> str:
    """A value as the user would have written it in TOML, shortened if long (and shallow: a
    list nested deeper than a few levels is shown as ``[...]``)."""
    if depth > 4 and isinstance(value, dict | list):
        return "[...]" if isinstance(value, list) else "{...}"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, dict):
        text = "{ " + ", ".join(f"{_key(k)} = {show(v, depth + 1)}" for k, v in value.items())
        text += " }"
    elif isinstance(value, list):
        text = "[" + ", ".join(show(v, depth + 1) for v in value[:20]) + "]"
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _key(key: str) -> str:
    """A table key as TOML writes it: bare when it can be, else quoted."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def got(value: Any) -> str:
    """``got <value>``, saying what kind of value it is where that helps."""
    if value is None:
        return "got an empty cell"
    if isinstance(value, str):
        return f"got text {show(value)}"
    if isinstance(value, dict):
        return f"got a table {show(value)}"
    if isinstance(value, list):
        return f"got a list {show(value)}"
    if isinstance(value, bool | int | float):
        return f"got {show(value)}"
    return f"got a date/time {show(value)}"


def suggest(key: str, allowed: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` when a known key is close to ``key``, else ``""``."""
    import difflib  # only when there is something to suggest: it is slow to import

    by_lower = {a.lower(): a for a in allowed}
    match = [by_lower[m] for m in difflib.get_close_matches(key.lower(), by_lower, n=1, cutoff=0.6)]
    if not match and "_" not in key:
        # "dropoff" -> "drop_off", "priceyear" -> "price_year"
        squashed = {a.replace("_", ""): a for a in allowed}
        match = difflib.get_close_matches(key.replace("-", ""), list(squashed), n=1, cutoff=0.8)
        match = [squashed[m] for m in match]
    return f' (did you mean "{match[0]}"?)' if match else ""


_PERCENT_TEXT = re.compile(r"\s*([-+]?(?:[0-9][0-9_,]*)?(?:\.[0-9_]+)?)\s*%\s*\Z")


def percent_value(text: str) -> float | None:
    """The number a percentage such as ``"10%"`` or ``"3.5 %"`` stands for (0.1, 0.035)."""
    match = _PERCENT_TEXT.match(text)
    if not match or not any(c.isdigit() for c in match.group(1)):
        return None
    try:
        return float(match.group(1).replace("_", "").replace(",", "")) / 100
    except ValueError:
        return None


def decimal(value: float) -> str:
    """A share as a person writes it: 0.1 -> ``0.10``, 0.035 -> ``0.035``."""
    text = format(value, ".12g")
    return text + "0" if re.fullmatch(r"-?0\.[0-9]", text) else text


def percent_text_hint(raw: object) -> str:
    """``; write 0.10`` for text such as ``"10%"`` where a number is wanted, else ``""``."""
    if isinstance(raw, str) and (value := percent_value(raw)) is not None:
        share = decimal(value)
        return f"; write {share} (a percentage as a decimal: {raw.strip()} is {share})"
    return ""


def too_many(count: int, tables: str) -> str:
    """Why a file's ``count`` items of one kind (``tables``: ``[[costs]]``) are not read."""
    return (
        f"gives {count:,} {tables} tables; a scenario file gives at most {MAX_ITEMS:,} of one "
        "kind (no real one comes near), so none of them is read"
    )
