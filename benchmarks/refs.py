"""What the benchmarks that compare two versions share: a git ref's ``src`` checked out in a
temporary worktree, and a script run in a fresh interpreter with a chosen ``src`` first on the
path (so old and new runs can take turns in one benchmark)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(script: str, source: Path, *args: object) -> dict:
    """Run ``script`` in a fresh interpreter with the npv_calc of ``source`` (a ``src``
    folder) first on the path, and return the figures it prints."""
    done = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)],
        env={**os.environ, "PYTHONPATH": str(source)},
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def checkout(ref: str | None) -> Iterator[Path | None]:
    """The ``src`` folder of ``ref`` in a temporary git worktree (removed afterwards)."""
    if ref is None:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "old"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(folder), ref],
            check=True,
            capture_output=True,
        )
        try:
            yield folder / "src"
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(folder)],
                capture_output=True,
            )
