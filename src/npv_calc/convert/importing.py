"""Writing a portfolio read from an input workbook as scenario files (``npv-calc import``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import OutputError
from ..files import check_name, placed, temporary_prefix, writing
from ..model import Portfolio
from .scenario_files import portfolio_text, project_text


def import_to(
    portfolio: Portfolio, book_files: dict[str, str | None], folder: Path, source: str
) -> list[Path]:
    """Write a portfolio read from a workbook as scenario files in a new folder, atomically.

    ``book_files`` maps project ids to the file names of the workbook's File column (or
    ``None`` for a name made from the row and id). The folder must not exist or be empty; the
    files are written to a temporary folder beside it and moved into place together.
    """
    check_folder(folder)
    parent = folder.parent
    names = _file_names(portfolio, book_files)
    header = f"Written by npv-calc import from {source}."
    try:
        staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(folder), dir=parent))
    except OSError as exc:
        raise OutputError(f"cannot import into {folder}: {exc.strerror or exc}") from None
    try:
        (staging / "portfolio.toml").write_text(portfolio_text(portfolio, header), encoding="utf-8")
        for project in portfolio.projects:
            target = staging / names[project.id]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(project_text(project, header), encoding="utf-8")
        os.chmod(staging, 0o777 & ~_umask())
        writing(folder, staging)
        if folder.exists():
            folder.rmdir()
        os.replace(staging, folder)
        placed(folder)
    except OSError as exc:
        raise OutputError(f"cannot import into {folder}: {exc.strerror or exc}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return [folder / "portfolio.toml", *(folder / names[p.id] for p in portfolio.projects)]


def check_folder(folder: Path) -> None:
    """Refuse, before any work is done, a folder ``import`` cannot write into: one that
    exists and is not empty (so that no file the run reads, nor any other, is ever
    overwritten), a link, a name longer than the file system allows, or a missing parent.

    Raises
    ------
    OutputError
        Saying which.
    """
    check_name(folder, "--to")
    if folder.is_symlink():
        raise OutputError(
            f"cannot import into {folder}: it is a link (to {os.readlink(folder)}); give the "
            "folder it points to"
        )
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(
            f"cannot import into {folder}: it exists and is not an empty folder "
            "(import never overwrites scenario files)"
        )
    if not folder.parent.is_dir():
        raise OutputError(f"cannot import into {folder}: the folder {folder.parent} does not exist")


def _file_names(portfolio: Portfolio, book_files: dict[str, str | None]) -> dict[str, str]:
    """Each project's file: the workbook's File, or (when it gives none, or one already taken)
    a name made from its row and id."""
    names: dict[str, str] = {}
    taken: set[str] = {"portfolio.toml"}
    for number, project in enumerate(portfolio.projects, start=1):
        made = f"{number:02d}-{project.id.lower()}.toml"
        name = book_files.get(project.id) or made
        if name.lower() in taken:
            name = made
        taken.add(name.lower())
        names[project.id] = name
    return names


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
