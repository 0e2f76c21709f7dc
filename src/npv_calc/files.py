"""Writing output files safely: checked before any work is done, never a special file, written
whole or not at all, and never over a file that must not be replaced.

Every file npv-calc writes goes through here: the board workbook and the input workbook
(through :mod:`npv_calc.workbook_io`), the scenario files of ``import``, ``new`` and ``init``.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError

#: The temporary files npv-calc writes beside an output carry its process id, so that one left
#: behind by a killed run can be told from another run's file in progress.
_TEMPORARY = ".{name}.npv-calc-{pid}."
_OWN_TEMPORARY = re.compile(r"\.(?P<name>.+)\.npv-calc-(?P<pid>[0-9]+)\.[^.]+\.tmp\Z")


def check_output(path: str | Path) -> None:
    """Refuse an output path before any work is done.

    Only a regular file is ever replaced, and never through a link: a device (``/dev/full``),
    a pipe, a socket or a link to one would otherwise be turned into a file, or written to
    forever; a link to a file would be replaced by a file, silently cutting the link.

    Raises
    ------
    OutputError
        ``path`` is empty, names a folder, is a link or special file, or cannot be written:
        its folder is missing or read-only, the file is read-only, or a spreadsheet program
        has it open (its lock file is beside it).
    """
    text = os.fspath(path)  # as given: Path("newdir/") would drop the slash that says "folder"
    path = Path(path)
    if not text or text.endswith(("/", os.sep)) or path.name in ("", ".", ".."):
        raise OutputError(f"cannot write {text!r}: give a file name, not a folder")
    folder = path.parent
    if path.is_symlink():
        raise OutputError(
            f"cannot write {path}: it is a link (to {os.readlink(path)}); npv-calc replaces "
            "files whole, which would cut the link: give the file it points to"
        )
    if path.exists():
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise OutputError(f"cannot write {path}: it is a folder")
        if not stat.S_ISREG(mode):
            raise OutputError(
                f"cannot write {path}: it is not a regular file (a device, pipe or socket); "
                "npv-calc writes only regular files"
            )
    if not folder.is_dir():
        raise OutputError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise OutputError(f"cannot write {path}: the folder {folder} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"cannot write {path}: the existing file is read-only")
    for lock in (folder / f".~lock.{path.name}#", folder / f"~${path.name}"):
        if lock.exists():
            raise OutputError(
                f"cannot write {path}: it is open in a spreadsheet program ({lock.name} "
                "exists); close it and run again"
            )


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files of ``path`` left by npv-calc runs that were killed (their
    process no longer exists); another run's file in progress is left alone."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            match = _OWN_TEMPORARY.match(entry.name)
            if not match or match.group("name") != path.name:
                continue
            pid = int(match.group("pid"))
            if pid == os.getpid() or _alive(pid):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def replace_atomically(path: Path, data: bytes | Callable[[], bytes]) -> Path:
    """Write ``data`` to ``path`` whole or not at all, keeping the permissions of the file it
    replaces.

    The bytes go to a temporary file beside ``path``, which is then renamed over it: a failure
    (a full disk, a signal) leaves no partial file and an existing ``path`` untouched. A file
    being replaced keeps its mode and, where the system allows, its owner and group (a board
    pack readable by its owner only stays so); a new file gets the mode the umask gives.
    ``data`` may be a function giving the bytes, so that nothing is computed before the path
    is checked.

    Raises
    ------
    OutputError
        ``path`` is refused by :func:`check_output`, or cannot be written.
    """
    check_output(path)
    _remove_stale_temporaries(path)
    payload = data() if callable(data) else data
    previous = path.stat() if path.exists() else None
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=_TEMPORARY.format(name=path.name, pid=os.getpid()),
            suffix=".tmp",
            dir=path.parent,
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        if previous is not None:
            os.chmod(temporary, stat.S_IMODE(previous.st_mode))
            with contextlib.suppress(OSError):
                os.chown(temporary, previous.st_uid, previous.st_gid)
        else:
            os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
    return path


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
    if not str(path) or path.name in ("", ".", ".."):
        raise OutputError(f"cannot write {str(path)!r}: give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=_TEMPORARY.format(name=path.name, pid=os.getpid()),
            suffix=".tmp",
            dir=path.parent,
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
