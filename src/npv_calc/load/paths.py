"""Finding the scenario files that the paths given on the command line name."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import Problem, shown_path

PORTFOLIO_FILE = "portfolio.toml"


def find_files(paths: Sequence[str | Path]) -> tuple[Path | None, list[Path], list[Problem]]:
    """The portfolio file and project files that ``paths`` name.

    A directory contributes its ``portfolio.toml`` and every other ``*.toml`` below it (hidden
    files and directories are skipped); a file is taken as given.
    """
    problems: list[Problem] = []
    portfolios: list[Path] = []
    projects: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            problems.append(Problem(str(given), "does not exist"))
        elif path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*.toml")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append(
                    Problem(
                        str(given),
                        "holds no scenario files (*.toml): expected "
                        "portfolio.toml and a file per project",
                    )
                )
            for p in found:
                (portfolios if p.name == PORTFOLIO_FILE else projects).append(p)
        elif path.name == PORTFOLIO_FILE:
            portfolios.append(path)
        else:
            projects.append(path)
    unique = list(dict.fromkeys(p.resolve() for p in portfolios))
    if len(unique) > 1:
        problems.append(
            Problem(
                shown_path(portfolios[1]),
                f"is a second portfolio.toml (the first is {shown_path(portfolios[0])}); appraise "
                "one portfolio at a time",
            )
        )
    if not projects and not problems:
        where = shown_path(portfolios[0]) if portfolios else ", ".join(map(str, paths))
        problems.append(Problem(where, "no project files found: add a *.toml file per project"))
    seen: set[Path] = set()
    unique: list[Path] = []
    for project in projects:  # the same file named twice is read once
        if project.resolve() not in seen:
            seen.add(project.resolve())
            unique.append(project)
    projects = unique
    return (portfolios[0] if portfolios else None), projects, problems
