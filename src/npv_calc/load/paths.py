"""Finding the scenario files that the paths given on the command line name.

A directory contributes its ``portfolio.toml`` and every other ``*.toml`` below it. Nothing is
skipped without a word: hidden files and folders, links to folders, links to nothing, folders
that cannot be read and folders nested too deep are each reported as a warning naming the entry,
so that a project never silently drops out of a portfolio.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, shown_path

PORTFOLIO_FILE = "portfolio.toml"
#: Folders nested deeper than this below a scenario directory are not searched (a real scenario
#: directory has a level or two; a deeper tree is a mistake or a trap).
MAX_DEPTH = 32
#: The default PATH when none is given.
DEFAULT_PATH = "scenarios"


@dataclass
class Found:
    """The files that the paths name, with what could not be used and why."""

    portfolio: Path | None = None
    projects: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: directories given that hold no portfolio.toml (each is a warning)
    without_portfolio: list[Path] = field(default_factory=list)
    #: a file that looks like the portfolio file but has another name (an error): the settings
    #: it would give are missing, so checks that depend on them would only add noise
    misnamed: bool = False


def _is_toml(name: str) -> bool:
    return name.casefold().endswith(".toml")


def _is_portfolio_name(name: str) -> bool:
    return name.casefold() == PORTFOLIO_FILE


def _misnamed(path: Path) -> Problem:
    return Problem(
        shown_path(path),
        f"looks like the portfolio file, but only a file called {PORTFOLIO_FILE} (all lower "
        f"case) is read as one: rename it {PORTFOLIO_FILE}",
    )


def _walk(root: Path, found: Found) -> list[Path]:
    """Every ``*.toml`` below ``root`` (sorted), reporting each entry that is passed over."""
    files: list[Path] = []
    pending: list[tuple[Path, int]] = [(root, 0)]

    def skipped(path: Path, why: str) -> None:
        found.warnings.append(Problem(shown_path(path), f"skipped: {why}"))

    while pending:
        folder, depth = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped(folder, f"the folder cannot be read ({exc.strerror or exc})")
            continue
        for entry in entries:
            path = Path(entry.path)
            try:
                is_link = entry.is_symlink()
                mode = os.stat(entry.path).st_mode if is_link else entry.stat().st_mode
            except OSError:
                if _is_toml(entry.name):
                    skipped(path, "a link to a file that does not exist")
                continue
            if stat.S_ISDIR(mode):
                search, why = _folder(path, is_link, depth)
                if search:
                    pending.append((path, depth + 1))
            elif _is_toml(entry.name):
                why = _file(path, mode)
                if why is None:
                    files.append(path)
            else:
                why = None
            if why:
                skipped(path, why)
    return sorted(files)


def _folder(path: Path, is_link: bool, depth: int) -> tuple[bool, str | None]:
    """Whether a folder is searched, and why not when that is worth a word (a hidden folder
    holding no scenario file is nobody's business)."""
    if path.name.startswith("."):
        if any(_is_toml(p.name) for p in _listing(path)):
            return False, "a hidden folder (its name starts with .) holding *.toml"
        return False, None
    if is_link:
        return False, (
            "a link to a folder (not followed, as links can loop); give the folder it points to "
            "as a PATH of its own"
        )
    if depth + 1 > MAX_DEPTH:
        return False, f"more than {MAX_DEPTH} folders deep"
    return True, None


def _file(path: Path, mode: int) -> str | None:
    """Why a ``*.toml`` file is not read, or ``None`` when it is."""
    if path.name.startswith("."):
        return "a hidden file (its name starts with .)"
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, device or socket)"
    return None


def _listing(folder: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in os.scandir(folder)]
    except OSError:
        return []


def find_files(paths: Sequence[str | Path], *, defaulted: bool = False) -> Found:
    """The portfolio file and project files that ``paths`` name.

    ``defaulted``: no PATH was given and ``paths`` is the default, which a message then says.
    """
    found = Found()
    portfolios: list[Path] = []
    projects: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            found.problems.append(Problem(str(given), _missing(defaulted)))
        elif path.is_dir():
            for file in _directory(path, str(given), found):
                _sort(file, found, portfolios, projects)
        else:
            _sort(path, found, portfolios, projects)
    _one_portfolio(found, portfolios)
    if not projects and not found.problems:
        where = shown_path(portfolios[0]) if portfolios else ", ".join(map(str, paths))
        found.problems.append(
            Problem(where, "no project files found: add a *.toml file per project")
        )
    seen: set[Path] = set()
    for project in projects:  # the same file named twice is read once
        if project.resolve() not in seen:
            seen.add(project.resolve())
            found.projects.append(project)
    found.portfolio = portfolios[0] if portfolios else None
    if found.portfolio is not None or found.misnamed:
        found.without_portfolio = []  # a portfolio.toml found anywhere serves them all
    found.warnings += [_no_portfolio(folder) for folder in found.without_portfolio]
    return found


def _directory(path: Path, given: str, found: Found) -> list[Path]:
    """The scenario files below a directory given (noting when it has no portfolio.toml)."""
    files = _walk(path, found)
    if not files:
        found.problems.append(
            Problem(
                given,
                "holds no scenario files (*.toml): expected portfolio.toml and a file per project",
            )
        )
    top = [p for p in files if p.parent == path]
    if files and not any(p.name == PORTFOLIO_FILE for p in top):
        found.without_portfolio.append(path)
    return files


def _missing(defaulted: bool) -> str:
    if not defaulted:
        return "does not exist"
    return (
        f"does not exist (with no PATH, npv-calc reads {DEFAULT_PATH}/ in the current folder, "
        f"{Path.cwd()}); give the folder that holds portfolio.toml and the project files, e.g. "
        "npv-calc run path/to/scenarios"
    )


def _sort(path: Path, found: Found, portfolios: list[Path], projects: list[Path]) -> None:
    """A scenario file into the portfolio files or the project files (or a problem, for a
    portfolio file under another name)."""
    if path.name == PORTFOLIO_FILE:
        portfolios.append(path)
    elif _is_portfolio_name(path.name):
        found.problems.append(_misnamed(path))
        found.misnamed = True
    else:
        projects.append(path)


def _one_portfolio(found: Found, portfolios: list[Path]) -> None:
    unique = list(dict.fromkeys(p.resolve() for p in portfolios))
    if len(unique) > 1:
        found.problems.append(
            Problem(
                shown_path(portfolios[1]),
                f"is a second portfolio.toml (the first is {shown_path(portfolios[0])}); appraise "
                "one portfolio at a time",
            )
        )


def _no_portfolio(folder: Path) -> Problem:
    near = [p.name for p in _listing(folder) if p.name.casefold().startswith("portfolio")]
    hint = f" ({', '.join(sorted(near))} is not read as one: rename it?)" if near else ""
    return Problem(
        str(folder),
        f"has no {PORTFOLIO_FILE}{hint}, so its projects are appraised with the default "
        "settings (3.5%, 10 years, no price base year) and no target; "
        f"npv-calc init {folder} writes one",
    )
