"""Convert workbooks in a running LibreOffice, through its UNO bridge (run by the system Python).

``python3 uno_convert.py PIPE FILTER SOURCE TARGET [SOURCE TARGET ...]`` connects to the office
listening on the named pipe (waiting up to a minute for it to start), opens each source hidden
(its profile says "always recalculate", as for ``soffice --convert-to``), stores it as the target
with the filter, and closes it. With the filter ``values`` it writes instead, as JSON, the value
of every cell of every sheet as LibreOffice calculated it (:func:`values`): for a comparison of
values, half the time of saving a workbook and reading it back, and the numbers exact (a saved
workbook rounds them to 15 digits). Starting LibreOffice takes seconds on a busy machine; the suite
starts it once per test process (tests/libreoffice.py) instead of once per conversion.

Run as a script only: LibreOffice's ``uno`` module belongs to the system Python, not the venv.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> int:
    import uno  # the system Python's LibreOffice bridge
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
    from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

    pipe, filter_name, *paths = argv

    def prop(name: str, value: object) -> PropertyValue:
        p = PropertyValue()
        p.Name, p.Value = name, value
        return p

    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except NoConnectException:
            if time.monotonic() > deadline:
                print(f"LibreOffice did not start listening on pipe {pipe}", file=sys.stderr)
                return 2
            time.sleep(0.2)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    if filter_name == "--terminate":
        desktop.terminate()
        return 0
    error = uno.getConstantByName("com.sun.star.sheet.FormulaResult.ERROR")
    for source, target in zip(paths[::2], paths[1::2], strict=True):
        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),)
        )
        if doc is None:
            print(f"LibreOffice could not open {source}", file=sys.stderr)
            return 1
        try:
            if filter_name == "values":
                with open(target, "w", encoding="utf-8") as out:
                    json.dump(values(doc, error), out)
            else:
                doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", filter_name),))
        finally:
            doc.close(True)
    return 0


def values(doc: object, error: int) -> dict[str, list[dict[str, object]]]:
    """Every sheet's title, its cells' values row by row from A1 to the end of its used area
    (numbers, or text; an empty cell or an empty text is ""), and each cell whose formula gives
    an error: its row and column (from 0) and the error's text (``#DIV/0!``, ``Err:502``)."""
    sheets = []
    for sheet in doc.Sheets:  # type: ignore[attr-defined]
        cursor = sheet.createCursor()
        cursor.gotoEndOfUsedArea(False)
        end = cursor.getRangeAddress()
        rows = sheet.getCellRangeByPosition(0, 0, end.EndColumn, end.EndRow).getDataArray()
        errors = []
        failed = sheet.queryFormulaCells(error)
        if failed.getCount():
            cells = failed.getCells().createEnumeration()
            while cells.hasMoreElements():
                cell = cells.nextElement()
                at = cell.getCellAddress()
                errors.append([at.Row, at.Column, cell.getString()])
        sheets.append({"title": sheet.Name, "rows": rows, "errors": errors})
    return {"sheets": sheets}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
