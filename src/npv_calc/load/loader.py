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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import params
from ..errors import InputError, Problem, shown_path
from ..model import Portfolio, Project, Settings, SettingsPatch, is_workbook
from .checks import (
    check_agencies,
    check_correlation,
    check_money,
    check_outturn,
    check_scenarios,
    cross_check,
)
from .fields import PORTFOLIO_ONLY_TABLES
from .messages import show
from .paths import DEFAULT_PATH, PORTFOLIO_FILE, find_files
from .portfolio import read_portfolio_file
from .project import read_project
from .reader import FileReader, Locations
from .settings import parse_settings
from .spec import given
from .toml_files import LazyKeyLines, parse_toml, read_text


@dataclass
class _Source:
    """A document to read (a TOML file's, or a part of a workbook) and where its keys are."""

    path: Path
    document: dict[str, Any]
    locations: Locations


@dataclass
class _Sources:
    portfolio: _Source | None = None
    projects: list[_Source] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: the portfolio file is there under another name (see :class:`~.paths.Found`)
    misnamed: bool = False


def _sources(paths: Sequence[str | Path], defaulted: bool) -> _Sources:
    """The portfolio document and project documents that ``paths`` name."""
    workbooks = [Path(p) for p in paths if is_workbook(Path(p))]
    if workbooks:
        if len(paths) > 1:
            message = "an input workbook holds a whole portfolio: give it on its own, without "
            return _Sources(problems=[Problem(str(workbooks[0]), message + "other paths")])
        return _workbook_sources(workbooks[0])
    found = find_files(paths, defaulted=defaulted)
    sources = _Sources(problems=found.problems, warnings=found.warnings, misnamed=found.misnamed)
    for path in [found.portfolio, *found.projects]:
        if path is None:
            continue
        text = read_text(path, sources.problems)
        data = parse_toml(text, path, sources.problems) if text is not None else None
        if data is None:
            continue
        source = _Source(path, data, LazyKeyLines(text or ""))
        if path == found.portfolio:
            sources.portfolio = source
        elif "id" not in data and _PORTFOLIO_TABLES & set(data):
            # a portfolio file under another name: one clear error, not one per unknown key
            sources.misnamed = True
            sources.warnings = [w for w in sources.warnings if not _lacks_portfolio(w)]
            sources.problems.append(
                Problem(
                    shown_path(path),
                    f"looks like a portfolio file (it has {_tables(data)}), but only a file "
                    f"called {PORTFOLIO_FILE} is read as one: rename it, or move it out of the "
                    "scenario directory",
                )
            )
        else:
            sources.projects.append(source)
    return sources


def _lacks_portfolio(warning: Problem) -> bool:
    return warning.message.startswith(f"has no {PORTFOLIO_FILE}")


_PORTFOLIO_TABLES = set(PORTFOLIO_ONLY_TABLES)


def _tables(data: dict[str, Any]) -> str:
    return ", ".join(f"[{t}]" for t in sorted(_PORTFOLIO_TABLES & set(data)))


def _workbook_sources(path: Path) -> _Sources:
    from .workbook import check_file_name, read

    shown = shown_path(path)
    if not path.exists():
        return _Sources(problems=[Problem(str(path), "does not exist")])
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
    return _Sources(
        _Source(path, book.portfolio, book.portfolio_locations),
        [_Source(path, e.document, e.locations) for e in book.projects],
        problems,
    )


def load_portfolio(
    *paths: str | Path,
    overrides: SettingsPatch | Mapping[str, object] | None = None,
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
        Run those settings-dependent checks (:func:`~npv_calc.load.checks.cross_check`).
    scenarios
        Also check every named scenario (:func:`~npv_calc.load.checks.check_scenarios`), as
        ``validate`` does.

    Returns
    -------
    Portfolio
        With ``warnings``: what is legal but very likely a slip (a share above 20% as a discount
        rate, a target below £1,000, agency names that differ by a letter, a directory without
        portfolio.toml, a file passed over).

    Raises
    ------
    InputError
        With every problem found in every file (and the warnings found on the way).
    """
    patch = SettingsPatch.of(overrides)
    sources = _sources(paths or (DEFAULT_PATH,), defaulted=not paths)
    problems, warnings = sources.problems, sources.warnings
    portfolio = _read(sources, problems, warnings)
    # Without its portfolio file (there under another name), the settings-dependent checks
    # would only report the settings it would have given.
    checked = _check(portfolio, patch, problems, warnings, settings=check and not sources.misnamed)
    if scenarios:
        problems += check_scenarios(portfolio, None if patch else checked)
    warnings = sort_problems(warnings)
    if problems:
        raise InputError(sort_problems(problems), warnings)
    return replace(portfolio, warnings=tuple(warnings))


def _read(sources: _Sources, problems: list[Problem], warnings: list[Problem]) -> Portfolio:
    """The portfolio its documents give, their problems and warnings added to the lists."""
    portfolio_path = sources.portfolio.path if sources.portfolio else None
    portfolio_args: dict[str, Any] = {"confidence_grades": params.default_confidence_grades()}
    if sources.portfolio is not None:
        reader = FileReader(sources.portfolio.path, sources.portfolio.locations)
        portfolio_args.update(read_portfolio_file(sources.portfolio.document, reader))
        problems += reader.problems
        warnings += reader.warnings
    settings = Settings().updated(SettingsPatch.of(portfolio_args.pop("settings", {})))
    projects: list[Project] = []
    for source in sources.projects:
        reader = FileReader(source.path, source.locations)
        projects.append(read_project(source.document, source.path, reader))
        problems += reader.problems
        warnings += reader.warnings
    files = [*([portfolio_path] if portfolio_path else []), *(s.path for s in sources.projects)]
    return Portfolio(
        name=portfolio_args.pop("name", None) or _default_name(portfolio_path),
        projects=tuple(projects),
        settings=settings,
        files=tuple(dict.fromkeys(files)),
        path=portfolio_path,
        **given(portfolio_args),
    )


def _default_name(portfolio_path: Path | None) -> str:
    """A portfolio that gives no name is named after its workbook or its folder."""
    if portfolio_path is None:
        return "Projects"
    if is_workbook(portfolio_path):
        return portfolio_path.stem
    return portfolio_path.resolve().parent.name


def _check(
    portfolio: Portfolio,
    patch: SettingsPatch,
    problems: list[Problem],
    warnings: list[Problem],
    *,
    settings: bool,
) -> list[Problem] | None:
    """The checks across files, added to the lists; with ``settings``, the checks that depend
    on the settings too, whose problems are returned."""
    agency_problems, agency_warnings = check_agencies(portfolio)
    problems += agency_problems
    warnings += agency_warnings
    problems += check_correlation(portfolio)
    warnings += check_money(portfolio)
    if not settings:
        return None
    context = ""
    if patch:
        context = " (with --set " + ", ".join(f"{k}={show(v)}" for k, v in patch.items()) + ")"
    checked = cross_check(portfolio, patch, context=context)
    problems += checked
    if not problems:  # with problems, a missing outturn may only be their consequence
        warnings += check_outturn(portfolio, patch)
    return checked


def load_with_settings(
    paths: Sequence[str | Path],
    sets: Sequence[str] = (),
    *,
    strict: bool = False,
    scenarios: bool = False,
) -> tuple[Portfolio, SettingsPatch]:
    """Load as the commands do: ``--set KEY=VALUE`` texts checked with the files, every problem
    of both reported together, and the warnings of both on the portfolio.

    With ``strict``, any warning is an error (``--strict``).

    Raises
    ------
    SettingError
        A ``--set`` that is not ``KEY=VALUE`` with a known key and one TOML value (a usage
        error).
    InputError
        Every problem found (with ``strict``: the warnings too, as problems).
    """
    overrides, set_problems, set_warnings = parse_settings(sets)
    try:
        portfolio = load_portfolio(*paths, overrides=overrides, scenarios=scenarios)
    except InputError as exc:
        raise InputError(set_problems + exc.problems, set_warnings + exc.warnings) from None
    warnings = [*set_warnings, *portfolio.warnings]
    if set_problems:
        raise InputError(set_problems, warnings)
    if strict and warnings:
        raise InputError(warnings, strict=True)
    return replace(portfolio, warnings=tuple(warnings)), overrides


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems grouped by file (in the order files were first named) and by line."""
    order: dict[str, int] = {}
    for problem in problems:
        order.setdefault(problem.file, len(order))
    # spreadsheet problems (located by cell) keep the order they were found in
    return sorted(problems, key=lambda p: (order[p.file], p.line if isinstance(p.line, int) else 0))
