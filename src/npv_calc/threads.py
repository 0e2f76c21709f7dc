"""How many threads numpy's linear algebra (BLAS and LAPACK) may use in npv-calc's own work.

numpy's OpenBLAS starts a thread per core for a matrix product or a factorisation, however
small, and its threads spin while they wait for work. npv-calc's linear algebra is small
matrices many times over: Iman–Conover's whitening of each block of draws, the eigenvalues of
the correlation matrix, and the polynomial roots behind each project's IRR (a 400 × 400
companion matrix at the longest horizon). There the threads cost more than they give; on a busy
machine, measured, a run with every value correlated took 15.4 s with the default threads and
4.6 s with one, and ``run --set horizon=400`` 10.8 s against 0.44 s.

So npv-calc does its own numerical work with **one** BLAS thread, and restores the library's
setting afterwards (a program that calls npv-calc keeps its own). The environment variable
``NPV_CALC_BLAS_THREADS`` sets another number (``NPV_CALC_BLAS_THREADS=4``), or
``NPV_CALC_BLAS_THREADS=default`` leaves the library's own setting (``OPENBLAS_NUM_THREADS`` and
the like then decide). The results do not depend on it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import UsageError

#: The environment variable that overrides the one-thread default.
ENVIRONMENT = "NPV_CALC_BLAS_THREADS"
#: A limit beyond any machine's cores: a larger number is surely a slip.
MAX_THREADS = 1024

_controller: Any = None


def blas_limit() -> int | None:
    """The BLAS threads npv-calc's work uses: 1 unless :data:`ENVIRONMENT` says otherwise
    (``None``: the library's own setting).

    Raises
    ------
    UsageError
        When the variable is neither a whole number from 1 nor ``default``.
    """
    text = os.environ.get(ENVIRONMENT, "").strip()
    if not text:
        return 1
    if text.lower() == "default":
        return None
    if len(text) <= 4 and text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_THREADS:
        return int(text)
    raise UsageError(
        f"{ENVIRONMENT}={text[:40]!r}: give a whole number of threads from 1 to {MAX_THREADS} "
        "(1 is the default), or 'default' to leave numpy's linear algebra as it is set"
    )


@contextmanager
def blas_threads() -> Iterator[None]:
    """Run the enclosed numerical work with :func:`blas_limit` BLAS threads, then restore the
    library's setting. Cheap (microseconds) once the libraries are known, so it may wrap each
    appraisal; when threadpoolctl cannot see numpy's BLAS, the work runs as it is set."""
    limit = blas_limit()
    if limit is None:
        yield
        return
    global _controller
    if _controller is None:
        import numpy  # noqa: F401  (loads the BLAS library threadpoolctl is to find)
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    with _controller.limit(limits=limit, user_api="blas"):
        yield
