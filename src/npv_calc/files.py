"""Writing output files safely: checked before any work is done, never a special file, written
whole or not at all, and never over a file that must not be replaced.

Every file npv-calc writes goes through here: the board workbook and the input workbook
(through :mod:`npv_calc.workbook_io`), the scenario files of ``import``, ``new`` and ``init``.
No output may be a file the same run reads (:func:`check_not_read`), and a run interrupted by
a signal can say which of its outputs is in place (:func:`interruption`).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import signal
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from . import params
from .errors import OutputError, shown_path
from .model import Portfolio, is_workbook

#: The temporary files npv-calc writes beside an output carry its process id, so that one left
#: behind by a killed run can be told from another run's file in progress.
_TEMPORARY = ".{name}.npv-calc-{pid}."
_OWN_TEMPORARY = re.compile(r"\.(?P<name>.+)\.npv-calc-(?P<pid>[0-9]+)\.[^.]+\.tmp\Z")
#: What a temporary's name adds to the output's: the dot, ".npv-calc-", a process id of up to
#: ten digits, the dot and tempfile's eight random characters, ".tmp".
_TEMPORARY_EXTRA = 1 + len(".npv-calc-") + 10 + 1 + 8 + len(".tmp")
#: The longest file name and path (bytes) where the file system does not say: Linux's NAME_MAX
#: and PATH_MAX.
NAME_MAX = 255
PATH_MAX = 4096
#: The signals a run stops cleanly on (a closed terminal, Ctrl-C, kill): see
#: :func:`stopped_cleanly`.
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGHUP", "SIGINT", "SIGTERM") if hasattr(signal, name)
)


def check_output(path: str | Path, option: str = "") -> None:
    """Refuse an output path before any work is done.

    Only a regular file is ever replaced, and never through a link: a device (``/dev/full``),
    a pipe, a socket or a link to one would otherwise be turned into a file, or written to
    forever; a link to a file would be replaced by a file, silently cutting the link.
    ``option`` (``"--xlsx"``) names where the path was given, in the messages that need it.

    Raises
    ------
    OutputError
        ``path`` is empty, names a folder, is a link or special file, is longer than the file
        system allows (:func:`check_name`), or cannot be written: its folder is missing or
        read-only, the file is read-only, or a spreadsheet program has it open (its lock file
        is beside it).
    """
    text = os.fspath(path)  # as given: Path("newdir/") would drop the slash that says "folder"
    path = Path(path)
    if not text or text.endswith(("/", os.sep)) or path.name in ("", ".", ".."):
        raise OutputError(f"cannot write {text!r}: give a file name, not a folder")
    check_name(path, option)
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
        if os.path.lexists(lock):  # False for a lock name too long to exist
            raise OutputError(
                f"cannot write {path}: it is open in a spreadsheet program ({lock.name} "
                "exists); close it and run again"
            )


def check_name(path: Path, option: str = "") -> None:
    """Refuse a path longer than the file system allows, before any work is done: a name (of
    the file or of a folder on the way) over ``NAME_MAX`` bytes, or a path over ``PATH_MAX``.

    The limits are the file system's own where it says (``pathconf``), else those of Linux
    (:data:`NAME_MAX`, :data:`PATH_MAX`). A name that fits is never refused for the temporary
    file written beside it: that one's name is shortened instead (:func:`temporary_prefix`).

    Raises
    ------
    OutputError
        Naming the option, the name, its length and the limit.
    """
    given = f"{option} " if option else ""
    name_max = _limit(path.parent, "PC_NAME_MAX", NAME_MAX)
    for part in path.parts:
        size = len(os.fsencode(part))
        if size > name_max:
            raise OutputError(
                f"cannot write {given}{_short(str(path))}: the name {_short(part)} is {size:,} "
                f"bytes long, and this file system allows at most {name_max} bytes in a file "
                "or folder name (NAME_MAX); choose a shorter name"
            )
    path_max = _limit(path.parent, "PC_PATH_MAX", PATH_MAX)
    size = len(os.fsencode(path))
    if size >= path_max:
        raise OutputError(
            f"cannot write {given}{_short(str(path))}: the path is {size:,} bytes long, and "
            f"this system allows paths of at most {path_max - 1:,} bytes (PATH_MAX); choose a "
            "shorter path"
        )


def _short(text: str, keep: int = 40) -> str:
    """A long name shown by its start and end (messages stay readable)."""
    return text if len(text) <= 2 * keep else f"{text[:keep]}…{text[-keep:]}"


def _limit(folder: Path, name: str, default: int) -> int:
    """A ``pathconf`` limit of the nearest folder that exists on the way to ``folder``."""
    for candidate in (folder, *folder.parents):
        with contextlib.suppress(OSError, ValueError, AttributeError):  # no pathconf: Windows
            if candidate.is_dir():
                value = os.pathconf(candidate, name)
                return value if value > 0 else default
    return default


# -- no output is an input -------------------------------------------------------------------


def files_read(portfolio: Portfolio | None = None) -> list[tuple[Path, str]]:
    """The files a run reads for a portfolio, each with its role in messages: its input
    workbook or portfolio file and project files, and the parameter files shipped with
    npv-calc (those alone without a portfolio)."""
    read = (
        [(path, _role(path, portfolio.path)) for path in portfolio.files]
        if portfolio is not None
        else []
    )
    return read + [(path, "a parameter file shipped with npv-calc") for path in params.FILES]


def _role(path: Path, portfolio_file: Path | None) -> str:
    if is_workbook(path):
        return "the input workbook"
    return "the portfolio file" if path == portfolio_file else "a project file"


def check_not_read(
    outputs: Iterable[tuple[str, str | Path | None]], reads: Iterable[tuple[Path, str]]
) -> None:
    """Refuse, before any work is done, an output that is a file the same run reads.

    Files are compared by identity (device and inode), so that the same file is found under
    another spelling, through a symbolic link or as a hard link. ``outputs`` pairs each
    option with its path (``("--xlsx", "b.xlsx")``; ``None`` when not given), ``reads`` each
    file read with its role (``(Path("s/p1.toml"), "a project file")``).

    Raises
    ------
    OutputError
        Every output that is a file read, naming both roles.
    """
    read: dict[tuple[int, int], tuple[Path, str]] = {}
    for path, role in reads:
        if (identity := _identity(path)) is not None:
            read.setdefault(identity, (path, role))
    clashes = []
    for option, output in outputs:
        if output is None or (identity := _identity(output)) not in read:
            continue
        path, role = read[identity]
        clashes.append(
            f"{option} {output} is also {role} this run reads{_alias(output, path)}; choose "
            "another output file"
        )
    if clashes:
        raise OutputError("; ".join(clashes))


def check_stream_not_read(stream: IO[str], name: str, reads: Iterable[tuple[Path, str]]) -> None:
    """Refuse a standard stream redirected into a file the run reads (``>> s/p1.toml``): the
    output would be added to its own input.

    Raises
    ------
    OutputError
        Naming the stream and the file.
    """
    try:
        status = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (a test's capture)
        return
    if not stat.S_ISREG(status.st_mode):
        return
    for path, role in reads:
        if _identity(path) == (status.st_dev, status.st_ino):
            raise OutputError(
                f"{name} is redirected into {shown_path(path)}, which is also {role} this run "
                f"reads; send {name} to another file"
            )


def _identity(path: str | Path) -> tuple[int, int] | None:
    """A file's device and inode, through any link (``None`` when it does not exist)."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    return (status.st_dev, status.st_ino)


def _alias(output: str | Path, path: Path) -> str:
    """How an output names a file read under another name, or ``""`` when it names it so."""
    if os.path.abspath(output) == os.path.abspath(path):
        return ""
    return f" ({shown_path(path)}: the same file, under another name or through a link)"


def temporary_prefix(path: Path) -> str:
    """The start of the name of ``path``'s temporary file: ``.NAME.npv-calc-PID.``.

    A name too long to carry whole (the temporary adds :data:`_TEMPORARY_EXTRA` bytes to it)
    is cut short and ended with a digest of the whole name, so that a name the file system
    accepts is never refused for its temporary, and the temporaries of two outputs stay
    apart.
    """
    return _TEMPORARY.format(name=_tag(path), pid=os.getpid())


def _tag(path: Path) -> str:
    """The output's name as its temporary file carries it (see :func:`temporary_prefix`);
    the same for every run, whatever its process id, so that a killed run's temporary is
    found."""
    room = _limit(path.parent, "PC_NAME_MAX", NAME_MAX) - _TEMPORARY_EXTRA
    name = path.name
    if len(os.fsencode(name)) <= room:
        return name
    digest = "~" + hashlib.sha256(os.fsencode(name)).hexdigest()[:16]
    keep = name[: max(0, room - len(digest))]
    while keep and len(os.fsencode(keep)) > room - len(digest):
        keep = keep[:-1]  # characters of more than one byte
    return keep + digest


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files of ``path`` left by npv-calc runs that were killed (their
    process no longer exists); another run's file in progress is left alone."""
    tag = _tag(path)
    with contextlib.suppress(OSError):
        for entry in os.scandir(path.parent):
            match = _OWN_TEMPORARY.match(entry.name)
            if not match or match.group("name") != tag:
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


# -- what a signal leaves --------------------------------------------------------------------


class _Outputs:
    """The outputs of this run: the one being written (whether something was there before,
    and the identity of its temporary file, which becomes the new file once in place), and
    those in place. Kept so that a run stopped by a signal can say which file is there."""

    writing: Path | None = None
    existed: bool = False
    new: tuple[int, int] | None = None
    done: list[Path] = []  # noqa: RUF012 (one record per process, by design)


def writing(path: Path, temporary: str | Path) -> None:
    """Record that ``path`` is being written through ``temporary``, which will be moved into
    place. The file system, not the moment a signal came, then says which file is there
    (:func:`interruption`): the rename and a note of it cannot be one step."""
    _Outputs.writing, _Outputs.existed = path, os.path.lexists(path)
    _Outputs.new = _identity(temporary)


def placed(path: Path) -> None:
    """Record that ``path`` is in place, whole."""
    _Outputs.done.append(path)
    _Outputs.writing = None


def interruption(signal_name: str) -> str:
    """What a run stopped by a signal leaves, in words: the output that is in place, or the
    one whose writing it stopped (left as it was; its temporary file removed)."""
    said = f"interrupted by {signal_name}"
    path = _Outputs.writing
    if path is not None and (_Outputs.new is None or _identity(path) != _Outputs.new):
        shown = shown_path(path)
        if _Outputs.existed:
            return (
                f"{said} before {shown} was replaced: {shown} is the old {_kind(path)}, unchanged"
            )
        return f"{said} before {shown} was written: no {shown} was made"
    path = path or (_Outputs.done[-1] if _Outputs.done else None)
    if path is None:
        return f"{said}: no file was written"
    shown = shown_path(path)
    return f"{said} after {shown} was written: {shown} is the new {_kind(path)}, complete"


def _kind(path: Path) -> str:
    return "folder" if path.is_dir() else "workbook" if is_workbook(path) else "file"


class Interrupted(SystemExit):
    """A signal stopped the run. Raised in the main thread, it unwinds the stack, so that an
    interrupted write removes its temporary file; the exit status is 128 + the signal's number
    (130 for Ctrl-C), as a shell reports a process a signal ended."""

    def __init__(self, number: int) -> None:
        super().__init__(128 + number)
        self.name = signal.Signals(number).name


@contextlib.contextmanager
def stopped_cleanly(say: Callable[[str], None]) -> Iterator[None]:
    """Run the body so that SIGHUP (a closed terminal), SIGINT (Ctrl-C) and SIGTERM stop it
    cleanly: each raises :class:`Interrupted`, and ``say`` is then told what the run leaves
    (:func:`interruption`). A signal ignored when the run started (``nohup`` ignores SIGHUP)
    stays ignored."""

    def stop(number: int, frame: object) -> None:
        raise Interrupted(number)

    for number in SIGNALS:
        if signal.getsignal(number) is not signal.SIG_IGN:
            signal.signal(number, stop)
    try:
        yield
    except Interrupted as stopped:
        say(interruption(stopped.name))
        raise


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
            prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent
        )
        writing(path, temporary)
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
        placed(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
    return path


def create_new(path: Path, text: str, option: str = "") -> Path:
    """Write a new text file, refusing to replace anything already at ``path``: all or
    nothing.

    The text goes to a temporary file beside ``path`` first and is then linked into place, so
    that a failure (a full disk, a signal) leaves no half-written file; the folders made on
    the way to ``path`` are removed again, so that nothing at all is left behind.

    Raises
    ------
    OutputError
        Something exists at ``path`` (a file, a folder, a pipe or a device), its name is
        longer than the file system allows, or it cannot be written.
    """
    if not str(path) or path.name in ("", ".", ".."):
        raise OutputError(f"cannot write {str(path)!r}: give a file name")
    check_name(path, option)
    if path.exists() or path.is_symlink():
        raise OutputError(f"{path} already exists; choose another name or remove it first")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # bytes that are not UTF-8 (a terminal set to another encoding) reach us as lone
        # surrogates: a scenario file is UTF-8, so they cannot be written
        raise OutputError(
            f"cannot write {path}: a name or folder given for it is not UTF-8 text (a terminal "
            "set to another encoding?); give it in UTF-8"
        ) from None
    made: list[Path] = []
    temporary: str | None = None
    try:
        made = _make_folders(path.parent)
        handle, temporary = tempfile.mkstemp(
            prefix=temporary_prefix(path), suffix=".tmp", dir=path.parent
        )
        writing(path, temporary)
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        _link(temporary, path, text)
        made = []
        placed(path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.unlink(temporary)
        for folder in reversed(made):  # the write failed: the folders made for it go too
            with contextlib.suppress(OSError):
                folder.rmdir()
    return path


def _make_folders(folder: Path) -> list[Path]:
    """Make ``folder`` and the folders missing on the way to it; those made, outermost
    first."""
    missing: list[Path] = []
    for each in (folder, *folder.parents):
        if each.is_dir():
            break
        missing.append(each)
    made: list[Path] = []
    try:
        for each in reversed(missing):
            each.mkdir()
            made.append(each)
    except FileExistsError as exc:
        _remove(made)
        raise OutputError(f"cannot write into {exc.filename}: it is a file, not a folder") from None
    except OSError:
        _remove(made)
        raise
    return made


def _remove(folders: list[Path]) -> None:
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _link(temporary: str, path: Path, text: str) -> None:
    """Put a written temporary file in place at ``path``, failing if anything is there."""
    try:
        os.link(temporary, path)  # fails if anything appeared at path meanwhile
    except FileExistsError:
        raise OutputError(
            f"{path} already exists; choose another name or remove it first"
        ) from None
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise
        # a file system without hard links: exclusive creation instead
        with open(path, "x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
