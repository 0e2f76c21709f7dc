"""What every sheet of the board workbook shares: cell references, defined names, titles,
notes, chart titles and the print set-up (protective marking, page fitting, panes)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..workbook_io import put_text, safe_text

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from ..calculate import PortfolioResult
    from ..sensitivity import Sensitivity
    from ..simulate import Simulation

MARKING_TOKEN = "{marking}"
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def name_id(project_id: str) -> str:
    """A project id as used in defined names: every character outside A-Za-z0-9_ becomes _."""
    return _NAME_UNSAFE.sub("_", project_id)


def chart_title(text: str, points: int = 11) -> Any:
    """A chart title in a size that leaves room for the chart (openpyxl's default is large)."""
    from openpyxl.chart.text import RichText, Text
    from openpyxl.chart.title import Title
    from openpyxl.drawing.text import (
        CharacterProperties,
        Paragraph,
        ParagraphProperties,
        RegularTextRun,
    )

    font = CharacterProperties(sz=points * 100, b=True)
    paragraph = Paragraph(
        pPr=ParagraphProperties(defRPr=font), r=[RegularTextRun(rPr=font, t=text)]
    )
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def sheet_ref(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def absolute(column: int, row: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"${get_column_letter(column)}${row}"


def letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


@dataclass(frozen=True)
class Audit:
    """What the ``Audit`` sheet records besides the result itself."""

    command: str
    marking: str = "OFFICIAL"
    created: dt.datetime | None = None


class SheetWriter:
    """The workbook being written, what it is written from, and the pieces every sheet uses."""

    def __init__(
        self,
        wb: Workbook,
        result: PortfolioResult,
        audit: Audit,
        titles: dict[str, str],
        sensitivity: Sensitivity | None = None,
        simulation: Simulation | None = None,
    ):
        self.wb = wb
        self.result = result
        self.audit = audit
        #: the sheet title of each project, by id
        self.titles = titles
        self.sensitivity = sensitivity
        self.simulation = simulation

    # -- names -----------------------------------------------------------------------------

    def name(self, name: str, ws: Worksheet, ref: str) -> None:
        from openpyxl.workbook.defined_name import DefinedName

        self.wb.defined_names[name] = DefinedName(name, attr_text=f"{sheet_ref(ws.title)}!{ref}")

    # -- common pieces -----------------------------------------------------------------------

    def title(self, ws: Worksheet, title: str, subtitle: str) -> None:
        put_text(ws["A1"], title)
        put_text(ws["A2"], subtitle)

    def header_row(self, ws: Worksheet, row: int, labels: Iterable[str], start: int = 1) -> None:
        for i, label in enumerate(labels):
            put_text(ws.cell(row=row, column=start + i), label, "npv header")

    def note(self, ws: Worksheet, row: int, first: int, last: int, text: str) -> None:
        """A note across columns ``first..last``, wrapped, its row tall enough to show it all."""
        put_text(ws.cell(row=row, column=first), text, "npv wrap note")
        if last > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        width = sum(ws.column_dimensions[letter(c)].width or 9 for c in range(first, last + 1))
        # A 9pt italic character takes about 0.85 of a column-width unit.
        lines = max(1, math.ceil(len(text) * 0.85 / max(width - 2, 1)))
        ws.row_dimensions[row].height = max(13, 12 * lines + 2)

    def finish(
        self, ws: Worksheet, last_column: int, last_row: int, freeze: str, protect: bool = True
    ) -> None:
        """Trim the title band to the used columns and set printing, panes and protection."""
        for row in (1, 2):
            for column in range(last_column + 1, ws.max_column + 1):
                ws.cell(row=row, column=column).style = "Normal"
        marking = safe_text(self.audit.marking).replace("&", "&&")
        for part in (ws.oddHeader.center, ws.oddFooter.center):
            part.text = (part.text or "").replace(MARKING_TOKEN, marking)
        ws.print_area = f"A1:{letter(last_column)}{last_row}"
        ws.print_title_rows = "1:2"
        width = sum(ws.column_dimensions[letter(c)].width or 9 for c in range(1, last_column + 1))
        # A4 landscape holds about 200 characters of column width at a legible scale (~75%).
        pages = max(1, math.ceil(width / 200))
        ws.page_setup.fitToWidth = pages
        ws.page_setup.fitToHeight = 0
        ws.page_setup.pageOrder = "overThenDown"
        if pages > 1:
            ws.print_title_cols = "A:B"
        ws.freeze_panes = freeze
        ws.protection.sheet = protect
