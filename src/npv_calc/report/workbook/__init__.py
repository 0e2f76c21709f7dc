"""The board workbook: an Excel file a board can read and an auditor can recalculate.

It is written from a board pack (:class:`~npv_calc.results.board.BoardPack`, built by
:func:`npv_calc.board.board_pack`): the workbook formats results and never calls the calculation
or an analysis. One module per sheet (:mod:`~.summary`, :mod:`~.scenarios`, :mod:`~.realisation`,
:mod:`~.economic`, :mod:`~.assumptions`, :mod:`~.project` with :mod:`~.project_inputs` and
:mod:`~.project_flows`, :mod:`~.sensitivity`, :mod:`~.monte_carlo`, :mod:`~.audit`); each takes
the pack and the sheet it fills, and a project sheet hands back the cells other sheets link to
(:class:`~.project.ProjectAnchors`). What every sheet shares: :mod:`~.cells` (the workbook and
its sheets), :mod:`~.anchors` (addresses), :mod:`~.formulas`, :mod:`~.text`, :mod:`~.style`
and :mod:`~.discounting`.

Written with XlsxWriter, its look (formats, colours, header and footer, print set-up) read from
the declarative style file ``templates/xlsx/board.toml``, which is only ever read. Every step
from a line's inputs to the project NPV is a live formula, and every formula cell also stores the
value npv-calc computed for it: a reader that does not recalculate (a mail or tablet preview,
Protected View, ``pandas.read_excel``) sees every figure, charts carry their data, and a
spreadsheet that recalculates (the workbook asks to on load) gets the same values back, and then
follows any edited input.

Layout (see ``docs/workbook.md``): ``Summary``, ``Scenarios``, ``Realisation`` (with outturn),
``Economic case``, ``Assumptions``, a sheet per project, ``Sensitivity`` and ``Monte Carlo`` when
those ran, ``Audit``. Defined names (SPEC.md): ``DiscountRate``, ``Target``, ``PortfolioNPV``
and, per project, ``NPV_<ID>``, ``PVCosts_<ID>`` and ``PVBenefits_<ID>``.

Why XlsxWriter rather than openpyxl (measured with ``benchmarks/bench_writers.py``):
``write_formula`` stores a formula's value natively, charts get the cached values of their
ranges, and the parts it writes follow Excel's own element order (an OOXML validator finds
nothing to repair). openpyxl writes formulas with an empty value, so values would have to be
spliced into its XML after saving, and its charts carry no data.
"""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ...errors import InputError, OutputError, Problem, shown_path
from ...files import replace_atomically
from ...model import BAU, Option, Portfolio, Project, SettingsPatch
from ...results.appraisal import OptionResult, ProjectResult
from ...results.board import BoardPack
from ...workbook_io import check_writable
from .assumptions import assumptions_sheet
from .audit import audit_command, audit_path, audit_sheet
from .cells import Audit, Book
from .cells import marking_problem as _marking_problem
from .changes import changes_sheet
from .economic import economic_case_sheet
from .formulas import name_id, workbook_class
from .monte_carlo import monte_carlo_sheet
from .options import OPTIONS_SHEET, option_name, option_sheet_title, options_sheet
from .project import ProjectAnchors, project_sheet
from .projects import projects_sheet
from .realisation import realisation_sheet
from .scenarios import scenarios_sheet
from .sensitivity import sensitivity_sheet
from .style import Style, default_style, read_style
from .summary import summary_sheet

__all__ = [
    "FIXED_SHEETS",
    "WorkbookError",
    "audit_command",
    "audit_path",
    "marking_problem",
    "name_id",
    "size_problems",
    "workbook_steps",
    "write_workbook",
]

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")
#: Sheets that are not projects' (a project's sheet title keeps clear of them).
FIXED_SHEETS = (
    "Summary",
    "Projects",
    "Scenarios",
    "Changes",
    "Realisation",
    "Economic case",
    OPTIONS_SHEET,
    "Assumptions",
    "Sensitivity",
    "Monte Carlo",
    "Audit",
)

WorkbookError = OutputError

#: The largest project sheet written: a column per line and per year. Each line takes two rows
#: of a column per year, so a sheet's cells grow with lines x years; beyond these a workbook is
#: slow to write and to open, and no board reads it.
MAX_SHEET_LINES = 500
MAX_SHEET_FLOWS = 100_000  # lines x years of one project


def size_problems(portfolio: Portfolio, overrides: SettingsPatch) -> list[Problem]:
    """Projects too large for a board workbook's project sheet (checked before any work)."""
    problems = []
    for project in portfolio.projects:
        # an option's sheet holds its lines and those it includes
        sheets = [len(project.all_lines)] + [_option_lines(project, o) for o in project.options]
        lines = max(sheets)
        horizon = int(portfolio.project_settings(project).updated(overrides).horizon)
        if lines > MAX_SHEET_LINES or lines * horizon > MAX_SHEET_FLOWS:
            problems.append(
                Problem(
                    shown_path(project.path),
                    f"has {lines:,} lines over {horizon} years, too many for a board workbook "
                    f"(at most {MAX_SHEET_LINES} lines and {MAX_SHEET_FLOWS:,} lines x years "
                    "per project); the figures need no workbook: use --format json or csv, or "
                    "group lines",
                    field="costs" if project.costs else "benefits",
                )
            )
    return problems


def _option_lines(project: Project, option: Option) -> int:
    """The lines and risks of an option's sheet: its own and those of what it includes
    (loading made sure ``includes`` has no cycle)."""
    count, seen = 0, set()
    current: Option | None = option
    while current is not None and current.id not in seen:
        seen.add(current.id)
        count += len(current.costs) + len(current.benefits) + len(current.risks)
        current = project.option(current.includes) if current.includes else None
    return count


def marking_problem(marking: str, style: str | Path | None = None) -> str | None:
    """Why a protective marking (``--marking``) cannot be printed on every page of the
    workbook written with ``style`` (default ``templates/xlsx/board.toml``), or ``None``:
    checked before any work is done.

    Raises
    ------
    OutputError
        The style file is missing or wrong.
    """
    return _marking_problem(marking, read_style(Path(style) if style else default_style()).page)


def _check_names(pack: BoardPack) -> None:
    """Every project's and option's ``NPV_`` name is its own (an option's ``NPV_<ID>_<OPTION>``
    could be another project's ``NPV_<ID>``, or another option's)."""
    seen: dict[str, str] = {}
    problems = []
    names = [(p, f"NPV_{name_id(p.id)}", f'"{p.id}"') for p in pack.result.projects]
    names += [
        (p, option_name(p.id, o.id), f'{p.id} option "{o.id}"')
        for p in pack.result.projects
        if p.options is not None
        for o in p.options.options
        if o.option.role != BAU
    ]
    for project, name, what in names:
        key = name.upper()  # defined names are not case-sensitive
        if key in seen:
            problems.append(
                Problem(
                    str(project.project.path),
                    f"{what} and {seen[key]} give the same workbook name {name}; rename one "
                    "of them",
                    field="id",
                )
            )
        seen[key] = what
    if problems:
        raise InputError(problems)


def _with_sheets(project: ProjectResult) -> list[OptionResult]:
    """The options of a project's shortlist that have a sheet: those with lines (business as
    usual may have none: its figures are then 0, written on the Options sheet)."""
    if project.options is None:
        return []
    return [o for o in project.options.options if o.result.all_lines]


def _option_titles(pack: BoardPack, titles: dict[str, str]) -> dict[tuple[str, str], str]:
    """A sheet title per option of each project with options, by project and option id: the
    project's sheet title and the option's id, made unique."""
    taken = {name.lower() for name in FIXED_SHEETS} | {t.lower() for t in titles.values()}
    found: dict[tuple[str, str], str] = {}
    for project in pack.result.projects:
        for option in _with_sheets(project):
            wanted = option_sheet_title(titles[project.id], option.id)
            found[(project.id, option.id)] = _unique_title(wanted, taken)
    return found


def _sheet_titles(pack: BoardPack) -> dict[str, str]:
    """A sheet title per project id: the id, made unique and kept clear of the fixed sheets."""
    taken = {name.lower() for name in FIXED_SHEETS}
    return {p.id: _unique_title(p.id, taken) for p in pack.result.projects}


def _unique_title(wanted: str, taken: set[str]) -> str:
    """``wanted`` as a sheet title: no character a title cannot hold, at most 28 of them, kept
    clear of the titles ``taken`` (to which it is added)."""
    base = _SHEET_UNSAFE.sub("_", wanted)[:28].strip("'") or "_"
    title, n = base, 2
    while title.lower() in taken:
        title, n = f"{base[:26]}_{n}", n + 1
    taken.add(title.lower())
    return title


def workbook_steps(pack: BoardPack) -> int:
    """The steps :func:`write_workbook` reports to its ``progress``: a project sheet each,
    then the other sheets together, then the saving."""
    return len(pack.result.projects) + 2


def _build(book: Book, step: Callable[[], None]) -> None:
    """Every sheet, created in its final order, then filled: the project sheets first, as the
    others link to the cells they hand back. ``step`` is called after each project's sheet and
    after the others."""
    pack = book.pack
    fixed = ["Summary", "Projects", "Scenarios"]
    if pack.changes is not None:
        fixed.append("Changes")
    if pack.progress is not None:
        fixed.append("Realisation")
    shortlists = [(p, p.options) for p in pack.result.projects if p.options is not None]
    fixed += ["Economic case", OPTIONS_SHEET] if shortlists else ["Economic case"]
    sheets = {name: book.sheet(name) for name in (*fixed, "Assumptions")}
    option_titles = _option_titles(pack, book.titles)
    project_sheets = []
    option_sheets = {}
    for p in pack.result.projects:
        project_sheets.append(book.sheet(book.titles[p.id]))
        for o in _with_sheets(p):
            option_sheets[(p.id, o.id)] = book.sheet(option_titles[(p.id, o.id)])
    for name, present in (("Sensitivity", pack.sensitivity), ("Monte Carlo", pack.simulation)):
        if present is not None:
            sheets[name] = book.sheet(name)
    sheets["Audit"] = book.sheet("Audit")
    assumptions_sheet(book, sheets["Assumptions"])
    projects: dict[str, ProjectAnchors] = {}
    for result, sheet in zip(pack.result.projects, project_sheets, strict=True):
        projects[result.id] = project_sheet(book, sheet, result)
        step()
    options = {
        (p.id, o.id): project_sheet(book, option_sheets[(p.id, o.id)], o.result, o.option)
        for p, _ in shortlists
        for o in _with_sheets(p)
    }
    delivery = None
    if "Realisation" in sheets:
        delivery = realisation_sheet(book, sheets["Realisation"], projects)
    table = projects_sheet(book, sheets["Projects"], projects)
    scenarios = scenarios_sheet(book, sheets["Scenarios"])
    if "Changes" in sheets:
        changes_sheet(book, sheets["Changes"])
    summary_sheet(book, sheets["Summary"], table, scenarios, delivery)
    economic_case_sheet(book, sheets["Economic case"], projects)
    if OPTIONS_SHEET in sheets:
        options_sheet(book, sheets[OPTIONS_SHEET], projects, options)
    if "Sensitivity" in sheets:
        sensitivity_sheet(book, sheets["Sensitivity"])
    if "Monte Carlo" in sheets:
        monte_carlo_sheet(book, sheets["Monte Carlo"])
    audit_sheet(book, sheets["Audit"])
    sheets["Summary"].ws.activate()
    step()


def write_workbook(
    pack: BoardPack,
    path: str | Path,
    *,
    command: str = "",
    marking: str = "OFFICIAL",
    style: str | Path | None = None,
    created: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write the board workbook of a board pack to ``path``, atomically.

    The workbook is put together in memory and written to a temporary file beside ``path``,
    then moved into place, so a failure leaves no partial file and leaves an existing ``path``
    untouched.

    Parameters
    ----------
    pack
        From :func:`npv_calc.board.board_pack`: the appraisal, every scenario, and the
        sensitivity analysis and simulation when they ran (their sheets are then added).
    path
        The ``.xlsx`` file to write.
    command
        The command line, recorded on the ``Audit`` sheet (absolute paths shortened).
    marking
        The protective marking printed in the header and footer of every page.
    style
        The style file (default ``templates/xlsx/board.toml``); only read.
    created
        The time recorded as the run time (default now, UTC).
    progress
        Called with the number of steps done (of :func:`workbook_steps`) as the workbook is
        put together: a long one can show its progress. Nothing here prints.

    Raises
    ------
    WorkbookError
        The style file is missing or wrong, or ``path`` cannot be written.
    OutputError
        The marking is too long to print on every page (:func:`marking_problem`).
    InputError
        Two project ids would give the same defined name, or a project is too large for a
        sheet.
    """
    path = Path(path)
    check_writable(path)
    problems = size_problems(pack.result.portfolio, pack.result.overrides)
    if problems:
        raise InputError(problems)
    _check_names(pack)
    look: Style = read_style(Path(style) if style else default_style())
    if why := _marking_problem(marking, look.page):
        raise OutputError(f"cannot write {path}: the protective marking does not fit: {why}")
    audit = Audit(command, marking, created)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done)

    def content() -> bytes:
        buffer = io.BytesIO()
        wb = workbook_class()(
            buffer,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_format_properties": look.base,
            },
        )
        wb.set_properties(
            {
                "title": f"{pack.result.portfolio.name}: appraisal",
                "creator": "npv-calc",
                "created": (created or dt.datetime.now(dt.UTC)).replace(tzinfo=None),
            }
        )
        # XlsxWriter drops what Excel cannot hold with only a warning: here it is an error,
        # never a silently incomplete workbook or a raw warning on stderr.
        with warnings.catch_warnings(record=True) as dropped:
            warnings.simplefilter("always", UserWarning)
            _build(Book(wb, look, pack, audit, _sheet_titles(pack)), step)
            wb.close()
        if lost := [str(w.message) for w in dropped if issubclass(w.category, UserWarning)]:
            raise OutputError(f"cannot write {path}: XlsxWriter would leave out " + "; ".join(lost))
        step()
        return buffer.getvalue()

    with _collector_paused():
        replace_atomically(path, content)
    return path


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused, then restored as it was.

    A workbook is millions of small objects (XlsxWriter keeps a record per cell) that all live
    until it is saved, and the collector's full passes scan every one of them again each time,
    finding nothing to free: at 2,000 projects that was a sixth of the writer's time, and the
    share grows with the portfolio. Paused, the writer's cost per project stays flat.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
