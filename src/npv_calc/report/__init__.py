"""Outputs: results into what people and programs read.

* :mod:`~npv_calc.report.table` — the console tables;
* :mod:`~npv_calc.report.json` — the JSON documents of SPEC.md;
* :mod:`~npv_calc.report.csv` — CSV, and the same rows as a pandas DataFrame;
* :mod:`~npv_calc.report.workbook` (and ``workbook_uncertainty``) — the board workbook.

Results are plain data (:mod:`npv_calc.calculate`, :mod:`npv_calc.sensitivity`,
:mod:`npv_calc.simulate`, :mod:`npv_calc.compare`); these functions turn them into documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type hints

    from ..results.appraisal import PortfolioResult


def to_dict(result: Any) -> dict[str, Any]:
    """The JSON document (SPEC.md) of any result: an appraisal (``run``), a
    :class:`~npv_calc.sensitivity.Sensitivity`, a :class:`~npv_calc.simulate.Simulation`, a
    :class:`~npv_calc.compare.Comparison` or a :class:`~npv_calc.progress.Progress`
    (``progress``, whose document is npv-calc's own: SPEC.md names none).

    Examples
    --------
    >>> from npv_calc import appraise, load_portfolio, to_dict
    >>> to_dict(appraise(load_portfolio("scenarios")))["portfolio"]["scenario"]  # doctest: +SKIP
    'central'
    """
    from ..results.appraisal import PortfolioResult
    from ..results.comparison import Comparison
    from ..results.realisation import Progress
    from ..results.uncertainty import Sensitivity, Simulation
    from . import json

    if isinstance(result, PortfolioResult):
        return json.run_document(result)
    if isinstance(result, Sensitivity):
        return json.sensitivity_document(result)
    if isinstance(result, Simulation):
        return json.simulation_document(result)
    if isinstance(result, Comparison):
        return json.comparison_document(result)
    if isinstance(result, Progress):
        return json.progress_document(result)
    raise TypeError(f"to_dict takes a result of npv-calc, not {type(result).__name__}")


def to_frame(result: PortfolioResult) -> pd.DataFrame:
    """A row per project, indexed by id, with the ``run --format csv`` columns (for notebooks;
    pandas is imported here only)."""
    from .csv import projects_frame

    return projects_frame(result)
