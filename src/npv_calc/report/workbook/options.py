"""The ``Options`` sheet: each project's shortlist side by side against business as usual (BAU),
the Green Book's appraisal summary table, in live formulas.

Each option's calculation is a sheet of its own (the project sheet's layout, written by
:func:`~.project.project_sheet` from the option's appraisal, with what it includes): this sheet
links to each one's PV of costs and of benefits and its risk columns, and works out the figures
against BAU, the incremental analysis and the best option from them. It names each option's
NPSV against BAU ``NPV_<ID>_<OPTION>`` (SPEC.md, "Options appraisal"). Which option each is
compared with in the incremental analysis (the next cheaper by PV costs) and the optimism bias
included are npv-calc's, written with the workbook: the sheet says so.

The table reads as ``npv-calc options`` prints it: a column per option, in file order.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...model import BAU
from ...results.appraisal import OptionResult, Shortlist
from ..options import ROLE_WORDS, SAVES_COST, impact_count
from .anchors import Span, at
from .cells import Book, Sheet
from .formulas import name_id
from .project import NO_RATIO, ProjectAnchors

__all__ = ["OPTIONS_SHEET", "option_name", "option_sheet_title", "options_sheet"]

OPTIONS_SHEET = "Options"
#: The width of the labels' column and of each option's column.
LABEL_WIDTH = 40
OPTION_WIDTH = 21
#: Each row of a shortlist's table: key, label and style (the figures' rows).
ROWS = (
    ("name", "Option", "wrap"),
    ("role", "Role", "centre"),
    ("pv_costs", "PV of costs", "money"),
    ("risk", "  of which risk costs (PV)", "money"),
    ("ob_costs", "  optimism bias: costs up (PV)", "money"),
    ("pv_benefits", "PV of benefits", "money"),
    ("ob_benefits", "  optimism bias: benefits down (PV)", "money"),
    ("extra_costs", "Extra PV of costs over BAU", "money"),
    ("extra_benefits", "Extra PV of benefits over BAU", "money"),
    ("npv", "NPSV against BAU", "money key"),
    ("bcr", "BCR against BAU", "ratio"),
    ("against", "Incremental: against (next cheaper)", "centre"),
    ("incremental_npv", "Incremental NPV", "money"),
    ("incremental_bcr", "Incremental BCR", "ratio"),
    ("impacts", "Non-monetised impacts", "centre"),
    ("preferred", "Preferred way forward", "centre"),
)


def option_name(project_id: str, option_id: str) -> str:
    """The defined name of an option's NPSV against BAU: ``NPV_<ID>_<OPTION>``, each part
    with every character outside ``A-Za-z0-9_`` replaced by ``_``."""
    return f"NPV_{name_id(project_id)}_{name_id(option_id)}"


def option_sheet_title(project_title: str, option_id: str) -> str:
    """The title (before it is made unique) of the sheet of an option's calculation."""
    return f"{project_title} {option_id}"


def options_sheet(
    book: Book,
    sheet: Sheet,
    projects: Mapping[str, ProjectAnchors],
    options: Mapping[tuple[str, str], ProjectAnchors],
) -> None:
    """The Options sheet: a table per project with options (``options``: each option's sheet,
    by project and option id; an option without lines has none)."""
    shortlists = [p.options for p in book.pack.result.projects if p.options is not None]
    widest = max(len(s.options) for s in shortlists)
    last = 1 + widest
    sheet.width(1, LABEL_WIDTH)
    for column in range(2, last + 1):
        sheet.width(column, OPTION_WIDTH)
    sheet.title_band(
        "Options",
        f"{book.pack.result.scenario.capitalize()} scenario. Each project's shortlist against "
        "business as usual (BAU), as npv-calc options prints it, linked (live) to each "
        "option's sheet. The project stands for its preferred option against BAU.",
    )
    row = 4
    for shortlist in shortlists:
        pid = shortlist.project.id
        anchors = {o.id: options.get((pid, o.id)) for o in shortlist.options}
        row = _shortlist(book, sheet, shortlist, anchors, projects[pid], row, last) + 2
    sheet.finish(last, row - 2, freeze=(2, 1))


def _shortlist(
    book: Book,
    sheet: Sheet,
    shortlist: Shortlist,
    anchors: Mapping[str, ProjectAnchors | None],
    project: ProjectAnchors,
    row: int,
    last: int,
) -> int:
    """One project's table, its best and preferred option and the switching values; returns
    its last row."""
    pid = shortlist.project.id
    sheet.keep_with_next(row, len(ROWS) + 12, last)
    sheet.text(row, 1, f"{pid} — {shortlist.project.name}", "section")
    sheet.note(
        row + 1,
        1,
        last,
        "Each option is appraised on its own sheet ("
        + ", ".join(f"'{a.sheet}'" for a in anchors.values() if a is not None)
        + (
            "; an option without lines has none: its figures are 0"
            if None in anchors.values()
            else ""
        )
        + f"); '{project.sheet}' is the preferred option against BAU. Incremental: against the "
        "next cheaper option by PV of costs, as ordered when the workbook was written. Optimism "
        "bias included: values from npv-calc's own run without it.",
    )
    header = row + 2
    sheet.header_row(header, ["", *(o.id for o in shortlist.options)])
    rows = {key: header + 1 + i for i, (key, _, _) in enumerate(ROWS)}
    for key, label, _ in ROWS:
        sheet.text(rows[key], 1, label, "label" if key in ("npv", "preferred") else "text")
    columns = {o.id: 2 + i for i, o in enumerate(shortlist.options)}
    bau = next(o for o in shortlist.options if o.option.role == BAU)
    for option in shortlist.options:
        _column(book, sheet, shortlist, option, anchors[option.id], rows, columns, bau.id)
    sheet.fit(
        rows["name"],
        max(sheet.wrapped(rows["name"], columns[o.id], o.option.name) for o in shortlist.options),
    )
    return _verdict(book, sheet, shortlist, rows, columns, rows["preferred"] + 1, last)


def _column(
    book: Book,
    sheet: Sheet,
    shortlist: Shortlist,
    option: OptionResult,
    calc: ProjectAnchors | None,
    rows: Mapping[str, int],
    columns: Mapping[str, int],
    bau: str,
) -> None:
    """An option's column: its figures linked to its sheet, and against BAU."""
    c = columns[option.id]
    own = option.result

    def cell(key: str, oid: str = option.id) -> str:
        return at(rows[key], columns[oid])

    sheet.text(rows["role"], c, ROLE_WORDS[option.option.role], "centre")
    if calc is None:  # no lines, no sheet
        for key in ("pv_costs", "pv_benefits", "risk"):
            sheet.number(rows[key], c, 0.0, "money")
    else:
        costs = f"={calc.results['pv_costs'].on}"
        sheet.formula(rows["pv_costs"], c, costs, own.pv_costs, "money")
        benefits = f"={calc.results['pv_benefits'].on}"
        sheet.formula(rows["pv_benefits"], c, benefits, own.pv_benefits, "money")
        risk = f'=SUMIFS({calc.line_pv.on},{calc.line_type.on},"Risk")'
        sheet.formula(rows["risk"], c, risk, own.pv_risk_costs, "money")
    sheet.number(rows["ob_costs"], c, option.pv_optimism_bias_costs, "money")
    sheet.number(rows["ob_benefits"], c, option.pv_optimism_bias_benefits, "money")
    sheet.text(rows["impacts"], c, impact_count(option), "centre")
    if option.id == shortlist.preferred:
        sheet.text(rows["preferred"], c, "Preferred", "label verdict")
    else:
        sheet.text(rows["preferred"], c, "", "text")
    if option.option.role == BAU:
        against = ("extra_costs", "extra_benefits", "npv", "bcr", "against")
        for key in (*against, "incremental_npv", "incremental_bcr"):
            sheet.text(rows[key], c, NO_RATIO, "centre")
        return
    for key, own_key, value in (
        ("extra_costs", "pv_costs", option.extra_pv_costs),
        ("extra_benefits", "pv_benefits", option.extra_pv_benefits),
    ):
        sheet.formula(rows[key], c, f"={cell(own_key)}-{cell(own_key, bau)}", value, "money")
    costs, extra = cell("extra_costs"), cell("extra_benefits")
    sheet.formula(rows["npv"], c, f"={extra}-{costs}", option.npv_vs_bau, "money key")
    book.define(option_name(shortlist.project.id, option.id), sheet.cell(rows["npv"], c))
    bcr = option.bcr_vs_bau
    sheet.formula(
        rows["bcr"],
        c,
        f'=IF({costs}<=0,"{SAVES_COST}",{extra}/{costs})',
        SAVES_COST if bcr is None else bcr,
        "ratio",
    )
    _increment(sheet, option, rows, columns, bau)


def _increment(
    sheet: Sheet,
    option: OptionResult,
    rows: Mapping[str, int],
    columns: Mapping[str, int],
    bau: str,
) -> None:
    """An option against the next cheaper one: the difference in NPSV, and the extra benefits
    over the extra costs (live, against the option named when the workbook was written)."""
    step = option.increment
    assert step is not None  # every option but BAU has one
    c = columns[option.id]
    sheet.text(rows["against"], c, step.compared_with, "centre")
    this = {k: at(rows[k], c) for k in ("npv", "extra_costs", "extra_benefits")}
    if step.compared_with == bau:
        npv, costs, benefits = this["npv"], this["extra_costs"], this["extra_benefits"]
    else:
        other = columns[step.compared_with]
        npv = f"{this['npv']}-{at(rows['npv'], other)}"
        costs = f"({this['extra_costs']}-{at(rows['extra_costs'], other)})"
        benefits = f"({this['extra_benefits']}-{at(rows['extra_benefits'], other)})"
    sheet.formula(rows["incremental_npv"], c, f"={npv}", step.npv, "money")
    sheet.formula(
        rows["incremental_bcr"],
        c,
        f'=IF({costs}<=0,"{SAVES_COST}",{benefits}/{costs})',
        SAVES_COST if step.bcr is None else step.bcr,
        "ratio",
    )


def _verdict(
    book: Book,
    sheet: Sheet,
    shortlist: Shortlist,
    rows: Mapping[str, int],
    columns: Mapping[str, int],
    row: int,
    last: int,
) -> int:
    """The best option (live), why the preferred one is preferred, and the preferred option's
    switching values (live); returns the last row."""
    first, end = min(columns.values()), max(columns.values())
    ids = Span.row(sheet.title, rows["name"] - 1, first, end)  # the header: the options' ids
    npvs = Span.row(sheet.title, rows["npv"], first, end)
    sheet.text(row, 1, "Best: the highest NPSV against BAU", "label")
    sheet.formula(
        row,
        2,
        f"=INDEX({ids.fixed},1,MATCH(MAX({npvs.fixed}),{npvs.fixed},0))",
        shortlist.best,
        "label verdict",
    )
    sheet.text(row + 1, 1, f"Preferred ({shortlist.preferred}) because", "label")
    because = shortlist.preferred_because or "(not given)"
    sheet.fit(row + 1, sheet.wrapped(row + 1, 2, because, "wrap", last=last), most=6)
    return _switching(sheet, shortlist, rows, columns, row + 2, last)


def _switching(
    sheet: Sheet,
    shortlist: Shortlist,
    rows: Mapping[str, int],
    columns: Mapping[str, int],
    row: int,
    last: int,
) -> int:
    """The preferred option's switching values against BAU and against the best other option
    (as it was when the workbook was written); returns the last row."""
    preferred = shortlist.preferred
    values = shortlist.switching()

    def cell(key: str, oid: str = preferred) -> str:
        return at(rows[key], columns[oid])

    sheet.keep_with_next(row + 1, 4, last)
    sheet.header_row(
        row + 1,
        [f"Switching values of {preferred}", "Extra benefits fall by", "Extra costs rise by"],
    )
    lead = cell("npv")
    against = [("vs_bau", "Before its NPSV against BAU reaches 0", lead)]
    if shortlist.runner_up is not None:
        other = shortlist.runner_up
        lead = f"({cell('npv')}-{cell('npv', other)})"
        against.append(("vs_next", f"Before it is no better than {other}", lead))
    r = row + 1
    for suffix, label, margin in against:
        r += 1
        sheet.text(r, 1, label, "text")
        for k, (key, base, style) in enumerate(
            (
                ("benefits_fall", cell("extra_benefits"), "benefits fall"),
                ("costs_rise", cell("extra_costs"), "costs rise"),
            )
        ):
            value = values[f"{key}_{suffix}"]
            sheet.formula(
                r,
                2 + k,
                f'=IF(N({base})<=0,"{NO_RATIO}",{margin}/{base})',
                NO_RATIO if value is None else value,
                style,
            )
    sheet.note(
        r + 1,
        1,
        last,
        "How far the preferred option's extra benefits over BAU could fall, or its extra costs "
        "rise, before it is no better than BAU, or than the best other option (negative: it is "
        "already behind). –: no extra benefits or costs to change.",
    )
    return r + 1
