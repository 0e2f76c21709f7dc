"""The ``npv-calc`` command line: options are parsed here and the library does the work.

Exit codes: 0 success; 1 bad input or a failure (one ``Error: ...`` line per problem on stderr,
never a traceback); 2 usage error; 3 ``--check-target`` and the target is missed.

Only click is imported at start-up; numpy is imported by the commands that calculate, and
pandas/openpyxl only where they are used, so ``--help`` and ``validate`` stay quick.
"""

from __future__ import annotations

from . import appraise, files
from .common import EXIT_INPUT, EXIT_TARGET_MISSED, cli, main

__all__ = ["EXIT_INPUT", "EXIT_TARGET_MISSED", "appraise", "cli", "files", "main"]
