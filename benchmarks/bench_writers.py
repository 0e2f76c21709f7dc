"""Compare the two candidate writers of the board workbook on the same content.

    python benchmarks/bench_writers.py [--sheets 200] [--repeat 3]

Each sheet is shaped like a project sheet of the board workbook: 10 lines over 10 years, each a
gross and a net row of formulas with their values, discount factors, totals, a column of inputs
per line, 12 cell formats, two merged notes, a print set-up and a defined name. Two ways to store
the formulas' values are timed:

- **openpyxl**, which writes ``<f>`` with an empty ``<v/>``: the values are put in afterwards by
  rewriting each worksheet's XML in the saved package (the only way without patching openpyxl);
- **XlsxWriter**, whose ``write_formula`` takes the value and writes it as the cell's cached
  result.

Prints the median time per sheet and the file size of each. The choice this informed is
recorded in docs/workbook.md ("Why XlsxWriter").
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

LINES, YEARS = 10, 10
FORMATS = {
    "money": {"num_format": '"£"#,##0;[Red]-"£"#,##0'},
    "input money": {"num_format": '"£"#,##0', "bg_color": "#FFF2CC", "locked": False},
    "percent": {"num_format": "0.0%"},
    "input percent": {"num_format": "0.0%", "bg_color": "#FFF2CC", "locked": False},
    "factor": {"num_format": "0.0000"},
    "year": {"num_format": "0"},
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F3864", "text_wrap": True},
    "label": {"bold": True},
    "note": {"italic": True, "font_size": 9, "text_wrap": True},
    "total": {"num_format": '"£"#,##0', "bold": True, "top": 1},
    "text": {},
    "centre": {"align": "center"},
}


def cells(sheet: int):
    """The content of one sheet: (row, column, formula or value, cached value, format)."""
    out = []
    out.append((0, 0, f"Project {sheet}", None, "label"))
    out.append((1, 0, "A note long enough to be wrapped over several columns " * 3, None, "note"))
    for i in range(LINES):
        out.append((3, 2 + i, f"Line {i}", None, "header"))
        out.append((4, 2 + i, 1000.0 * (i + 1), None, "input money"))
        out.append((5, 2 + i, 0.1, None, "input percent"))
        out.append((6, 2 + i, f"={chr(67 + i)}5*(1-{chr(67 + i)}6)", 900.0 * (i + 1), "factor"))
    for t in range(YEARS):
        c = chr(67 + t)
        out.append((10, 2 + t, t, None, "year"))
        out.append((11, 2 + t, f"=1/(1.035^{c}11)", 1 / 1.035**t, "factor"))
    for i in range(LINES):
        for t in range(YEARS):
            c = chr(67 + t)
            out.append((12 + 2 * i, 2 + t, f"=IF({c}$11>=0,$C$5*1.01^{c}$11,0)", 1000.0, "money"))
            out.append((13 + 2 * i, 2 + t, f"={c}{13 + 2 * i}*$C$7", 900.0, "money"))
    for t in range(YEARS):
        c = chr(67 + t)
        rows = "+".join(f"{c}{14 + 2 * i}" for i in range(LINES))
        out.append((33, 2 + t, f"={rows}", 9000.0, "total"))
    return out


def with_openpyxl(path: Path, sheets: int) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
    from openpyxl.workbook.defined_name import DefinedName

    wb = Workbook()
    wb.remove(wb.active)
    for name, spec in FORMATS.items():
        style = NamedStyle(name=name)
        style.number_format = spec.get("num_format", "General")
        style.font = Font(
            bold=spec.get("bold", False),
            italic=spec.get("italic", False),
            size=spec.get("font_size", 11),
            color=spec.get("font_color", "#000000")[1:],
        )
        if "bg_color" in spec:
            style.fill = PatternFill("solid", fgColor=spec["bg_color"][1:])
        if spec.get("top"):
            style.border = Border(top=Side(style="thin"))
        style.alignment = Alignment(
            wrap_text=spec.get("text_wrap", False), horizontal=spec.get("align")
        )
        wb.add_named_style(style)
    values: dict[str, dict[str, float]] = {}
    for s in range(sheets):
        ws = wb.create_sheet(f"P{s}")
        cached = values.setdefault(f"xl/worksheets/sheet{s + 1}.xml", {})
        for row, column, content, value, fmt in cells(s):
            cell = ws.cell(row=row + 1, column=column + 1, value=content)
            cell.style = fmt
            if value is not None:
                cached[cell.coordinate] = value
        ws.merge_cells("A2:H2")
        ws.merge_cells("A40:H40")
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.freeze_panes = "C3"
        wb.defined_names[f"NPV_P{s}"] = DefinedName(f"NPV_P{s}", attr_text=f"'P{s}'!$B$14")
    wb.save(path)
    _store_values(path, values)


_FORMULA_CELL = re.compile(rb'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f>(?:<v\s*/>|<v></v>)')


def _store_values(path: Path, values: dict[str, dict[str, float]]) -> None:
    """Rewrite the package with each formula cell's value in its empty ``<v/>``."""
    out = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item)
            table = values.get(item.filename)
            if table:

                def fill(m: re.Match, table=table) -> bytes:
                    v = repr(table[m.group(1).decode()]).encode()
                    cell, attributes, formula = m.groups()
                    return b'<c r="%s"%s><f>%s</f><v>%s</v>' % (cell, attributes, formula, v)

                data = _FORMULA_CELL.sub(fill, data)
            dst.writestr(item, data)
    out.replace(path)


def with_xlsxwriter(path: Path, sheets: int) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    formats = {name: wb.add_format(spec) for name, spec in FORMATS.items()}
    for s in range(sheets):
        ws = wb.add_worksheet(f"P{s}")
        for row, column, content, value, fmt in cells(s):
            if isinstance(content, str) and content.startswith("="):
                ws.write_formula(row, column, content, formats[fmt], value)
            elif isinstance(content, str):
                ws.write_string(row, column, content, formats[fmt])
            else:
                ws.write_number(row, column, content, formats[fmt])
        ws.merge_range("A2:H2", None, formats["note"])
        ws.merge_range("A40:H40", None, formats["note"])
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.freeze_panes("C3")
        wb.define_name(f"NPV_P{s}", f"='P{s}'!$B$14")
    wb.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for _ in range(args.repeat):  # interleaved, so that machine noise hits both alike
            for name, writer in (("openpyxl", with_openpyxl), ("XlsxWriter", with_xlsxwriter)):
                path = Path(tmp) / f"{name}.xlsx"
                start = time.perf_counter()
                writer(path, args.sheets)
                results.setdefault(name, []).append(time.perf_counter() - start)
        base = statistics.median(results["openpyxl"])
        for name, times in results.items():
            median = statistics.median(times)
            size = (Path(tmp) / f"{name}.xlsx").stat().st_size
            print(
                f"{name:10s} median {median:6.2f} s, {median / args.sheets * 1000:5.1f} ms a "
                f"sheet, {size / 1e6:5.2f} MB, {median / base:4.2f}x openpyxl's time"
            )


if __name__ == "__main__":
    main()
