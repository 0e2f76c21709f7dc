"""How much room text takes in the workbook's cells: widths of 10pt Arial, and the lines a text
wraps to in a column, so that each row is made tall enough for what it holds (XlsxWriter, unlike
a spreadsheet, cannot measure text itself)."""

from __future__ import annotations

import math

#: Advance widths of Arial (Helvetica's metrics, thousandths of an em) for the characters that
#: are not 556, the width of a digit.
_ARIAL = {
    **dict.fromkeys(" ft/.,:;I!", 278),
    **dict.fromkeys("ijl", 222),
    **dict.fromkeys("r-()[]", 333),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("mM", 833),
    "w": 722,
    "W": 944,
    "%": 889,
    "'": 191,
    '"': 355,
    **dict.fromkeys("ABEKPSVXY&", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("GOQ", 778),
}
#: A column-width unit is the width of a digit of the default font (10pt Arial: 7 pixels,
#: 5.25 points); a character of 10pt Arial takes its advance width / 525 units.
_UNIT = 525


def text_width(text: str) -> float:
    """About how many column-width units ``text`` takes in 10pt Arial."""
    return sum(_ARIAL.get(char, 556) for char in text) / _UNIT


def wrapped_lines(text: str, width: float, factor: float = 1.0, columns: int = 1) -> int:
    """About how many lines ``text`` takes when wrapped at word boundaries in ``columns``
    columns ``width`` units wide together (:func:`text_width`, scaled by ``factor`` for other
    fonts). A column of width w is ``7w + 5`` pixels; a cell keeps about 6 pixels of padding."""
    usable = max((width * 7 + 5 * columns - 6) / 7, 1.0)
    space = 278 / _UNIT * factor
    lines = 0
    for paragraph in str(text).split("\n"):
        lines += 1
        used = 0.0
        for word in paragraph.split():
            size = text_width(word) * factor
            if used and used + space + size > usable:
                lines += 1
                used = 0.0
            if size > usable:  # a word longer than the column breaks where it must
                extra = math.ceil(size / usable) - 1
                lines += extra
                size -= extra * usable
            used += (space if used else 0.0) + size
    return max(lines, 1)
