"""Every draw of every column, kept in a temporary file: exact percentiles in one pass.

Exact percentiles need each column's draws in order. When they do not fit in memory
(:data:`~npv_calc.simulate.STORE_BYTES`), the chunks of draws are written one after another to
an unnamed temporary file as they are made, and each column is read back whole, one at a time,
to be sorted. Memory then holds one chunk and one column, however many draws are asked for, and
the simulation is not run a second time (which cost nearly half of a large run).

The file has no name (``tempfile.TemporaryFile``, ``O_TMPFILE`` on Linux): it disappears when it
is closed, or when the process ends however it ends, so nothing is ever left behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import numpy as np

from ..errors import OutputError

#: The share of the temporary folder's free space the draws may take; beyond it the simulation
#: regenerates its draws in a second pass rather than fill the disk.
FREE_SHARE = 0.5


def spill_room() -> int:
    """Bytes the draws may take in the temporary folder (:data:`FREE_SHARE` of its free
    space; 0 when it cannot be told)."""
    try:
        return int(shutil.disk_usage(tempfile.gettempdir()).free * FREE_SHARE)
    except OSError:
        return 0


class Spill:
    """Chunks of every column's draws, written as they come, read back a column at a time.

    Parameters
    ----------
    iterations
        The number of draws the chunks will hold in all.
    """

    def __init__(self, iterations: int) -> None:
        self.iterations = iterations
        self.folder = tempfile.gettempdir()
        try:
            # kept open for the run, and closed by close(): not a with block
            self.file = tempfile.TemporaryFile(prefix="npv-calc-draws-", buffering=0)  # noqa: SIM115
        except OSError as exc:
            raise self._failed(exc) from None
        #: each chunk's place in the file and its number of draws
        self.chunks: list[tuple[int, int]] = []
        self.end = 0

    def add(self, table: np.ndarray) -> None:
        """Append a chunk: a row per column, a value per draw."""
        data = np.ascontiguousarray(table, dtype=np.float64)
        view = data.data.cast("B")
        try:
            written = 0
            while written < len(view):
                written += os.pwrite(self.file.fileno(), view[written:], self.end + written)
        except OSError as exc:
            raise self._failed(exc) from None
        self.chunks.append((self.end, data.shape[1]))
        self.end += len(view)

    def column(self, c: int) -> np.ndarray:
        """Every draw of column ``c``, in order."""
        out = np.empty(self.iterations)
        at = 0
        for start, size in self.chunks:
            target = out[at : at + size].data.cast("B")
            place = start + c * size * 8
            done = 0
            while done < len(target):
                read = os.preadv(self.file.fileno(), [target[done:]], place + done)
                if read <= 0:
                    raise self._failed(OSError("the temporary file ended early"))
                done += read
            at += size
        return out

    def close(self) -> None:
        """Remove the file (it has no name: closing it is enough)."""
        self.file.close()

    def _failed(self, exc: OSError) -> OutputError:
        return OutputError(
            f"the draws kept for the percentiles could not be written to the temporary folder "
            f"{self.folder} ({exc.strerror or exc}); free some space there, or point TMPDIR at "
            "a folder with room, or ask for fewer --iterations"
        )
