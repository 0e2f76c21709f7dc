"""The ``Audit`` sheet: how and from what the workbook was produced (the tool, the run, the
command, the input files with their SHA-256, the warnings), and npv-calc's own figures beside
the workbook's live ones, whose difference is 0 until an input is changed."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
from pathlib import Path

from ... import __version__
from ...errors import printable, shown_path
from ...model import BAU
from ...results.uncertainty import Simulation
from .anchors import at
from .cells import Book, Sheet
from .formulas import name_id
from .options import option_name
from .project import NO_RATIO


def audit_path(path: str | Path) -> str:
    """A path as the Audit sheet shows it: relative to the working directory when below it,
    else its last two parts (a board pack should not carry the writer's home directory)."""
    path = Path(path)
    shown = shown_path(path)
    if not Path(shown).is_absolute():
        return shown
    return str(Path("…", *path.parts[-2:]))


def audit_command(command: str) -> str:
    """The command line with any absolute path shown as :func:`audit_path` shows it."""

    def shorten(word: str) -> str:
        head, eq, tail = word.partition("=")
        if eq and tail.startswith(os.sep):
            return f"{head}={audit_path(tail)}"
        return audit_path(word) if word.startswith(os.sep) else word

    return " ".join(shorten(word) for word in command.split(" "))


def audit_sheet(book: Book, sheet: Sheet) -> None:
    """The Audit sheet."""
    sheet.title_band("Audit", "How and from what this workbook was produced.")
    sheet.widths_from((34, 70, 22, 18))
    row = _run(book, sheet)
    row = _files(book, sheet, row + 1)
    row = _warnings(book, sheet, row + 2)
    header, count = _figures(book, sheet, row)
    sheet.finish(4, header + count, freeze=(2, 0), protect=False, repeat=header)


def _run(book: Book, sheet: Sheet) -> int:
    """The tool, the run and its settings; returns the last row."""
    import numpy
    import xlsxwriter

    result = book.pack.result
    overrides = ", ".join(f"{k}={v}" for k, v in result.overrides.items()) or "none"
    rows = [
        ("Tool", f"npv-calc {__version__}"),
        ("Run at", book.created.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")),
        ("Command", audit_command(book.audit.command) or "(Python API)"),
        ("Scenario", result.scenario),
        ("Overrides (scenario set and --set)", overrides),
        ("Protective marking", book.audit.marking),
    ]
    if book.pack.simulation is not None:
        rows.append(("Monte Carlo", _simulation_words(book.pack.simulation)))
    rows += [
        ("Python", platform.python_version()),
        ("XlsxWriter", xlsxwriter.__version__),
        ("numpy", numpy.__version__),
    ]
    sheet.text(4, 1, "Run", "section")
    for i, (label, value) in enumerate(rows, start=5):
        sheet.text(i, 1, label, "label")
        sheet.fit(i, sheet.wrapped(i, 2, value, "wrap"))
    return 5 + len(rows)


def _simulation_words(simulation: Simulation) -> str:
    groups = (
        "correlation groups " + ", ".join(simulation.correlation_groups)
        if simulation.correlation_groups
        else "correlation ignored (--independent)"
        if simulation.correlation_ignored
        else "no correlation groups"
    )
    distribution = {"pert": "PERT", "triangular": "triangular", "uniform": "uniform"}
    sampling = {"lhs": "Latin Hypercube", "random": "random"}
    return (
        f"{simulation.iterations:,} draws, {distribution[simulation.distribution]} "
        f"distributions, seed {simulation.seed}, "
        f"{sampling.get(simulation.sampling, simulation.sampling)} sampling, {groups}"
    )


def _files(book: Book, sheet: Sheet, row: int) -> int:
    """Each input file with its SHA-256 and size; returns the last row."""
    sheet.text(row, 1, "Input files", "section")
    files = book.pack.result.portfolio.files
    for i, path in zip(
        sheet.table(row + 1, ["File", "SHA-256", "Bytes"], len(files), 4), files, strict=True
    ):
        data = Path(path).read_bytes()
        sheet.fit(i, sheet.wrapped(i, 1, audit_path(path), "wrap"))
        sheet.text(i, 2, hashlib.sha256(data).hexdigest(), "text")
        sheet.number(i, 3, len(data), "count")
        row = i
    return row


def _warnings(book: Book, sheet: Sheet, row: int) -> int:
    """The warnings the inputs raised; returns the row of the next section."""
    sheet.text(row, 1, "Warnings", "section")
    warnings = book.pack.result.portfolio.warnings
    if not warnings:
        sheet.text(row, 2, "None: the inputs raised no warning.", "text")
        return row + 2
    sheet.text(
        row,
        2,
        "Legal but very likely slips, found when the inputs were read: check each before "
        "relying on the figures (--strict makes them errors).",
        "note",
    )
    table = sheet.table(row + 1, ["Where", "Warning"], len(warnings), 4)
    for i, warning in zip(table, warnings, strict=True):
        place = sheet.wrapped(i, 1, warning.place, "wrap")
        message = sheet.wrapped(i, 2, printable(warning.message))
        sheet.fit(i, max(place, message))
        row = i
    return row + 2


def _figures(book: Book, sheet: Sheet, row: int) -> tuple[int, int]:
    """npv-calc's figures beside the workbook's live ones: the sheet's last table, its header
    repeated on the pages after the one it starts on; returns its header row and its rows."""
    result = book.pack.result
    sheet.keep_with_next(row, 6, 4)
    sheet.text(row, 1, "Figures when written", "section")
    sheet.text(
        row,
        2,
        "npv-calc's own figures at the time of the run, beside the workbook's live formulas: "
        "the difference is 0 until an input is changed.",
        "note",
    )
    header = row + 1
    sheet.header_row(header, ["Defined name", "npv-calc", "Workbook (live)", "Difference"])
    figures: list[tuple[str, float | None]] = [
        ("PortfolioNPV", result.npv),
        ("NPVTowardTarget", result.npv_toward_target),
        ("Target", result.target),
        ("Headroom", result.headroom),
        ("CashableNPV", result.cashable_npv),
    ]
    at_year = result.present_value_year is not None
    if at_year:
        figures.append(("PortfolioNPVAtPVYear", result.npv_at_present_value_year))
    #: ratios, shown as such (a ratio of no costs is "–" in both columns)
    ratios = {"PortfolioFinancialROI": result.financial_roi}
    for project in result.projects:
        nid = name_id(project.id)
        figures += [
            (f"NPV_{nid}", project.npv),
            (f"PVCosts_{nid}", project.pv_costs),
            (f"PVBenefits_{nid}", project.pv_benefits),
            (f"PVFiscalBenefits_{nid}", project.pv_benefits_by_value_type["fiscal"]),
        ]
        if at_year:
            figures.append((f"NPVAtPVYear_{nid}", project.npv_at_present_value_year))
        # a shortlist: each option's NPSV against business as usual (Options sheet)
        figures += [
            (option_name(project.id, o.id), o.npv_vs_bau)
            for o in (project.options.options if project.options is not None else ())
            if o.option.role != BAU
        ]
        ratios[f"FinancialROI_{nid}"] = project.financial_roi
    figures += list(ratios.items())
    for i, (name, value) in enumerate(figures, start=header + 1):
        sheet.text(i, 1, name, "text")
        if name in ratios:
            _ratio(sheet, i, name, value)
        else:
            _money(sheet, i, name, value)
    return header, len(figures)


def _ratio(sheet: Sheet, i: int, name: str, value: float | None) -> None:
    if value is None:
        sheet.text(i, 2, NO_RATIO, "text")
    else:
        sheet.number(i, 2, value, "number")
    sheet.formula(i, 3, f"={name}", NO_RATIO if value is None else value, "number")
    live, written = at(i, 3), at(i, 2)
    sheet.formula(
        i,
        4,
        f'=IF(ISNUMBER({live}),{live}-{written},"")',
        "" if value is None else 0.0,
        "number",
    )


def _money(sheet: Sheet, i: int, name: str, value: float | None) -> None:
    sheet.number(i, 2, value, "money pence")
    # Without a target, Target is an empty cell (a link to it gives 0) and Headroom a formula
    # giving empty text.
    empty = "" if name == "Headroom" else 0.0
    sheet.formula(i, 3, f"={name}", empty if value is None else value, "money pence")
    live, written = at(i, 3), at(i, 2)
    sheet.formula(
        i,
        4,
        f'=IF({written}="","",{live}-{written})',
        "" if value is None else 0.0,
        "money pence",
    )
