"""How messages quote the user's values and suggest what they may have meant."""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import repeat
from typing import Any

from ..errors import whole_number_text


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
    elif isinstance(value, int):
        text = whole_number_text(value)
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
    by_lower = {a.lower(): a for a in allowed}
    found = close_match(key.lower(), by_lower, cutoff=0.6)
    match = [by_lower[found]] if found is not None else []
    if not match and "_" not in key:
        # "dropoff" -> "drop_off", "priceyear" -> "price_year"
        squashed = {a.replace("_", ""): a for a in allowed}
        found = close_match(key.replace("-", ""), squashed, cutoff=0.8)
        match = [squashed[found]] if found is not None else []
    return f' (did you mean "{match[0]}"?)' if match else ""


def close_match(word: str, possibilities: Iterable[str], cutoff: float) -> str | None:
    """The possibility most like ``word``: ``difflib.get_close_matches(word, possibilities,
    n=1, cutoff=cutoff)``, the same answer, found without measuring every possibility.

    difflib measures each possibility whose two upper bounds on the likeness reach ``cutoff``
    (the lengths alone; the letters shared, in any order), and the full measure takes time in
    proportion to the product of the lengths. Here the possibilities are measured in order of
    the second bound, highest first, and the search stops at the first whose bound is below the
    best likeness found: none after it can do better. Hundreds of long names, each near one
    other, are then measured once each rather than against each other.
    """
    import difflib  # only when there is something to suggest: it is slow to import

    letters = _letters(word)
    ranked: list[tuple[float, str]] = []
    for candidate in set(possibilities):
        length = len(word) + len(candidate)
        # difflib's real_quick_ratio and quick_ratio, computed alike so that they compare
        # with ``cutoff`` exactly as they do there
        if _ratio(min(len(word), len(candidate)), length) < cutoff:
            continue
        theirs = _letters(candidate)
        # the characters in common, counted in C (map) rather than in a Python loop
        shared = sum(map(min, theirs.values(), map(letters.get, theirs, repeat(0))))
        bound = _ratio(shared, length)
        if bound >= cutoff:
            ranked.append((bound, candidate))
    ranked.sort(reverse=True)
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)  # as get_close_matches does: the word is b, each possibility a
    best: tuple[float, str] | None = None
    for bound, candidate in ranked:
        if best is not None and bound < best[0]:
            break
        matcher.set_seq1(candidate)
        score = (matcher.ratio(), candidate)
        if score[0] >= cutoff and (best is None or score > best):
            best = score
    return best[1] if best is not None else None


def _ratio(matches: int, length: int) -> float:
    """difflib's likeness of ``matches`` shared in two texts of ``length`` together."""
    return 2.0 * matches / length if length else 1.0


@functools.lru_cache(maxsize=4096)
def _letters(text: str) -> Counter[str]:
    """How often each character comes in ``text`` (kept: the same names are offered as
    possibilities for every near miss)."""
    return Counter(text)


def edit_distance(a: str, b: str, limit: int) -> int:
    """The Levenshtein distance of two texts when it is at most ``limit``, else ``limit + 1``.

    The start and end the texts share are set aside first (they add nothing), and then only
    the cells of the table within ``limit`` of its diagonal are computed: a way through any
    other cell makes more than ``limit`` edits. The work is in proportion to the length of the
    texts times ``limit``, not to the product of their lengths, and stops at the first row
    whose every cell is over ``limit``.

    Examples
    --------
    >>> edit_distance("Police", "Polce", 2), edit_distance("NHS", "Fire", 2)
    (1, 3)
    """
    start = _shared_length(a, b, lambda text, n: text[:n])
    a, b = a[start:], b[start:]
    end = _shared_length(a, b, lambda text, n: text[len(text) - n :])
    a, b = a[: len(a) - end], b[: len(b) - end]
    n, m = len(a), len(b)
    over = limit + 1
    if abs(n - m) > limit:
        return over
    width = 2 * limit + 1
    # row[d] is the distance of a[:i] and b[:j] for j = i + d - limit (``over`` beyond the band
    # or the texts); row 0 is the distance of "" and b[:j], that is j
    row = [d - limit if 0 <= d - limit <= m else over for d in range(width)]
    for i in range(1, n + 1):
        char = a[i - 1]
        new = [over] * width
        for d in range(max(0, limit - i), min(width, m - i + limit + 1)):
            j = i + d - limit
            if j == 0:
                new[d] = min(i, over)
                continue
            best = row[d] + (char != b[j - 1])
            if d + 1 < width and row[d + 1] + 1 < best:
                best = row[d + 1] + 1
            if d > 0 and new[d - 1] + 1 < best:
                best = new[d - 1] + 1
            new[d] = min(best, over)
        if min(new) > limit:
            return over
        row = new
    return row[m - n + limit]


def _shared_length(a: str, b: str, part: Callable[[str, int], str]) -> int:
    """The length of the longest start (or end, as ``part`` cuts) that ``a`` and ``b`` share,
    found by halving with comparisons of whole slices (quick even for texts of thousands of
    characters)."""
    low, high = 0, min(len(a), len(b))
    if part(a, high) == part(b, high):
        return high
    while high - low > 1:  # part(.., low) is shared, part(.., high) is not
        middle = (low + high) // 2
        if part(a, middle) == part(b, middle):
            low = middle
        else:
            high = middle
    return low


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
