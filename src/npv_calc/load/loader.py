"""The entry point of loading: paths in, a checked :class:`~npv_calc.model.Portfolio` out.

Reading never stops at the first problem: each file is parsed as far as it can be and every
problem is recorded as a :class:`~npv_calc.errors.Problem` naming the file, the source line (or
the sheet and cell of an input workbook), the item (``benefits[2] "Deliberate fires avoided"``),
the field, the bad value and what is allowed. :func:`load_portfolio` raises one
:class:`~npv_calc.errors.InputError` carrying them all.

Two kinds of check are kept apart. *Field* checks (types, ranges, unknown keys) depend only on the
file. *Cross* checks (``years`` inside the horizon, deflators for ``price_year``, grades that
exist, unique ids) depend on the settings a project is appraised with, which ``--set`` and named
scenarios can change (:mod:`npv_calc.load.checks`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .. import params
from ..errors import InputError, Problem, shown_path
from ..model import Portfolio, Project, Settings, is_workbook
from .checks import check_scenarios, cross_check
from .messages import show
from .paths import find_files
from .portfolio import read_portfolio_file
from .project import read_project
from .reader import FileReader, Locations
from .toml_files import key_lines, parse_toml, read_text


@dataclass
class _Source:
    """A document to read (a TOML file's, or a part of a workbook) and where its keys are."""

    path: Path
    document: dict[str, Any]
    locations: Locations


def _sources(
    paths: Sequence[str | Path],
) -> tuple[_Source | None, list[_Source], list[Problem]]:
    """The portfolio document and project documents that ``paths`` name."""
    workbooks = [Path(p) for p in paths if is_workbook(Path(p))]
    if workbooks:
        if len(paths) > 1:
            return (
                None,
                [],
                [
                    Problem(
                        str(workbooks[0]),
                        "an input workbook holds a whole "
                        "portfolio: give it on its own, without other paths",
                    )
                ],
            )
        return _workbook_sources(workbooks[0])
    portfolio_path, project_paths, problems = find_files(paths)
    sources: list[_Source | None] = []
    for path in [portfolio_path, *project_paths]:
        if path is None:
            sources.append(None)
            continue
        text = read_text(path, problems)
        data = parse_toml(text, path, problems) if text is not None else None
        if data is None:
            sources.append(None)
            continue
        sources.append(_Source(path, data, key_lines(text or "")))
    return sources[0], [s for s in sources[1:] if s is not None], problems


def _workbook_sources(path: Path) -> tuple[_Source | None, list[_Source], list[Problem]]:
    from .workbook import check_file_name, read

    shown = shown_path(path)
    if not path.exists():
        return None, [], [Problem(str(path), "does not exist")]
    book = read(path, shown)
    problems = list(book.problems)
    for entry in book.projects:
        if entry.file is not None and (why := check_file_name(entry.file)):
            problems.append(
                Problem(
                    shown,
                    f"{show(entry.file)} {why}",
                    field="File",
                    line=entry.locations[("", 1)].get("file"),
                )
            )
    if not book.projects and not book.problems:
        problems.append(
            Problem(
                shown,
                "has no projects: add a row per project on the Projects sheet",
                line="Projects!A5",
            )
        )
    portfolio = _Source(path, book.portfolio, book.portfolio_locations)
    return portfolio, [_Source(path, e.document, e.locations) for e in book.projects], problems


def load_portfolio(
    *paths: str | Path,
    overrides: dict[str, object] | None = None,
    check: bool = True,
    scenarios: bool = False,
) -> Portfolio:
    """Read a portfolio from scenario directories and/or files, checking everything.

    Parameters
    ----------
    *paths
        Scenario directories (``portfolio.toml`` plus a file per project) or individual files;
        ``scenarios`` when none is given. Project files given without a ``portfolio.toml`` are
        appraised with default settings and no target.
    overrides
        ``--set`` values: the checks that depend on settings (``years`` inside the horizon,
        deflators for ``price_year``) use them over each project's own settings.
    check
        Run those settings-dependent checks (:func:`cross_check`).
    scenarios
        Also check every named scenario (:func:`check_scenarios`), as ``validate`` does.

    Raises
    ------
    InputError
        With every problem found in every file.
    """
    if not paths:
        paths = ("scenarios",)
    portfolio_source, project_sources, problems = _sources(paths)
    portfolio_path = portfolio_source.path if portfolio_source else None
    portfolio_args: dict[str, Any] = {
        "confidence_grades": params.default_confidence_grades(),
    }
    if portfolio_source is not None:
        reader = FileReader(portfolio_source.path, portfolio_source.locations)
        portfolio_args.update(read_portfolio_file(portfolio_source.document, reader))
        problems += reader.problems
    settings = Settings().updated(
        {k: v for k, v in portfolio_args.pop("settings", {}).items() if v is not None}
    )
    projects: list[Project] = []
    for source in project_sources:
        reader = FileReader(source.path, source.locations)
        projects.append(read_project(source.document, source.path, reader))
        problems += reader.problems
    files = list(
        dict.fromkeys(
            [*([portfolio_path] if portfolio_path else []), *(s.path for s in project_sources)]
        )
    )

    default_name = "Projects"
    if portfolio_path is not None:
        workbook = is_workbook(portfolio_path)
        default_name = portfolio_path.stem if workbook else portfolio_path.resolve().parent.name
    portfolio = Portfolio(
        name=portfolio_args.pop("name", None) or default_name,
        projects=tuple(projects),
        settings=settings,
        files=tuple(files),
        path=portfolio_path,
        **{k: v for k, v in portfolio_args.items() if v is not None},
    )
    checked: list[Problem] | None = None
    if check:
        context = ""
        if overrides:
            context = " (with --set " + ", ".join(f"{k}={show(v)}" for k, v in overrides.items())
            context += ")"
        checked = cross_check(portfolio, overrides, context=context)
        problems += checked
    if scenarios:
        problems += check_scenarios(portfolio, None if overrides else checked)
    if problems:
        raise InputError(sort_problems(problems))
    if check:
        # prepare() need not run the same checks again for the same overrides
        portfolio = replace(portfolio, checked_with=dict(overrides or {}))
    return portfolio


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in the order files were first named) and by line."""
    order: dict[str, int] = {}
    for problem in problems:
        order.setdefault(problem.file, len(order))
    # spreadsheet problems (located by cell) keep the order they were found in
    return sorted(problems, key=lambda p: (order[p.file], p.line if isinstance(p.line, int) else 0))
