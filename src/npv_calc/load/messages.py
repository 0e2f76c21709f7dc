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
    return f" (did you mean {show(match[0])}?)" if match else ""


def close_match(word: str, possibilities: Iterable[str], cutoff: float) -> str | None:
    """The possibility most like ``word``: ``difflib.get_close_matches(word, possibilities,
    n=1, cutoff=cutoff)``, the same answer, found without measuring every possibility; for a
    word of :data:`LONG_NAME` characters or more, the possibility fewest edits from it instead.

    difflib measures each possibility whose two upper bounds on the likeness reach ``cutoff``
    (the lengths alone; the letters shared, in any order), and the full measure takes time in
    proportion to the product of the lengths. Here the possibilities are measured in order of
    the second bound, highest first, and the search stops at the first whose bound is below the
    best likeness found: none after it can do better. Hundreds of long names, each near one
    other, are then measured once each rather than against each other.
    """
    if len(word) >= LONG_NAME:
        return _fewest_edits(word, possibilities)
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


#: From this length difflib counts a text's commonest characters as junk (its "autojunk"): its
#: likeness then misses a one-letter slip near the start of a long name and takes time in the
#: product of the lengths. Longer names are matched by a bounded edit distance instead.
LONG_NAME = 200
#: The most edits a suggestion for a long name may be from it (5% of 200 characters).
LONG_EDITS = 10


def _fewest_edits(word: str, possibilities: Iterable[str]) -> str | None:
    """The possibility fewest edits from a long ``word``, if any is within :data:`LONG_EDITS`
    (ties: the first in sorting order). Each edit changes the count of at most two characters,
    so half the counts' difference bounds the distance from below and most names are passed
    over without measuring; once one is found, only a nearer one is looked for."""
    letters = _letters(word)
    limit = LONG_EDITS
    best = None
    for candidate in sorted(set(possibilities)):
        if abs(len(candidate) - len(word)) > limit:
            continue
        theirs = _letters(candidate)
        apart = sum(abs(letters[c] - theirs[c]) for c in letters.keys() | theirs.keys())
        if (apart + 1) // 2 > limit:
            continue
        edits = edit_distance(word, candidate, limit)
        if edits <= limit:
            best, limit = candidate, edits - 1
            if limit < 0:
                break
    return best


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

    Ukkonen's and Landau and Vishkin's way: for each number of edits ``e`` up to ``limit``, and
    each diagonal of the table within ``e`` of the main one (a way through a cell further off
    makes more than ``e`` edits), how far along it ``e`` edits reach, each step sliding over
    the characters the texts share from there on (compared a slice at a time). The work grows
    with ``limit`` squared and the length of the texts, not the product of their lengths, and
    the texts' own comparisons do the sliding: two names of 10,000 characters a letter apart
    take a few slices, not 100 million cells.

    Examples
    --------
    >>> edit_distance("Police", "Polce", 2), edit_distance("NHS", "Fire", 2)
    (1, 3)
    """
    n, m = len(a), len(b)
    if abs(n - m) > limit:
        return limit + 1
    target = m - n  # the diagonal (j - i) on which the table's last cell lies
    # reach[d]: the furthest row i on diagonal d (j = i + d) within the edits counted so far
    reach = {0: _slide(a, b, 0, 0)}
    for edits in range(limit + 1):
        if reach.get(target, -1) >= n:
            return edits
        if edits == limit:
            break
        reach = {
            d: _slide(a, b, row, row + d)
            for d in range(-edits - 1, edits + 2)
            if (row := _next_row(reach, d, n, m)) is not None
        }
    return limit + 1


def _next_row(reach: dict[int, int], d: int, n: int, m: int) -> int | None:
    """The furthest row on diagonal ``d`` one more edit reaches, before sliding: a
    substitution (from ``d``), an insertion (from ``d - 1``) or a deletion (from ``d + 1``);
    ``None`` when none does."""
    rows = []
    if d in reach:
        rows.append(reach[d] + 1)
    if d - 1 in reach:
        rows.append(reach[d - 1])
    if d + 1 in reach:
        rows.append(reach[d + 1] + 1)
    if not rows:
        return None
    # within the table: 0 <= i <= n and 0 <= j = i + d <= m
    row = min(max(rows), n, m - d)
    return row if row >= max(0, -d) else None


def _slide(a: str, b: str, i: int, j: int) -> int:
    """How far row ``i`` slides along its diagonal from cell (``i``, ``j``) while the texts
    agree: ``i`` plus the length of the start ``a[i:]`` and ``b[j:]`` share."""
    return i + _shared_length(a[i:], b[j:], lambda text, count: text[:count])


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


def too_many(count: int, tables: str) -> str:
    """Why a file's ``count`` items of one kind (``tables``: ``[[costs]]``) are not read."""
    return (
        f"gives {count:,} {tables} tables; a scenario file gives at most {MAX_ITEMS:,} of one "
        "kind (no real one comes near), so none of them is read"
    )
