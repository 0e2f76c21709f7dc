"""Writing output files safely: checked before any work is done, never a special file, written
whole or not at all, and never over a file that must not be replaced.

Every file npv-calc writes goes through here: the board workbook and the input workbook
(through :mod:`npv_calc.workbook_io`), the scenario files of ``import``, ``new`` and ``init``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import OutputError


def create_new(path: Path, text: str) -> Path:
    """Write a new text file, refusing to replace anything already at ``path``.

    The text goes to a temporary file beside ``path`` first and is then linked into place, so
    that a failure (a full disk) leaves nothing behind and no half-written file.

    Raises
    ------
    OutputError
        Something exists at ``path`` (a file, a folder, a pipe or a device), or it cannot be
        written.
    """
    if path.exists() or path.is_symlink():
        raise OutputError(f"{path} already exists; choose another name or remove it first")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())
        try:
            os.link(temporary, path)  # fails if anything appeared at path meanwhile
        except FileExistsError:
            raise OutputError(
                f"{path} already exists; choose another name or remove it first"
            ) from None
        except OSError:
            # a file system without hard links: exclusive creation instead
            with open(path, "x", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
