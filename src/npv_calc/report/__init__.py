"""Outputs: results into what people and programs read.

* :mod:`~npv_calc.report.table` — the console tables;
* :mod:`~npv_calc.report.json` — the JSON documents of SPEC.md;
* :mod:`~npv_calc.report.csv` — CSV, and the same rows as a pandas DataFrame;
* :mod:`~npv_calc.report.case` — the economic case as Markdown or JSON;
* :mod:`~npv_calc.report.workbook` — the board workbook.

Results are plain data (the dataclasses of :mod:`npv_calc.results`); these functions turn them
into documents, and never call the calculation or an analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]  # pandas ships no type hints

    from ..params import UnitCost
    from ..results.appraisal import PortfolioResult
    from ..results.comparison import Comparison
    from ..results.economic import EconomicCase
    from ..results.realisation import Progress
    from ..results.uncertainty import Sensitivity, Simulation

    #: What :func:`to_dict` turns into a document of SPEC.md.
    Result: TypeAlias = PortfolioResult | Sensitivity | Simulation | Comparison | Progress
    #: What a command prints: a result, an economic case or the unit-cost library.
    Printable: TypeAlias = Result | EconomicCase | list[UnitCost]


def to_dict(result: Result) -> dict[str, Any]:
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


def formatted(result: Printable, fmt: str, labels: tuple[str, str] = ("A", "B")) -> str:
    """What a command prints on stdout for ``--format fmt``: ``json`` (the document of
    :func:`to_dict`, of the economic case or of the unit-cost library), ``csv`` (an appraisal,
    progress or the unit costs), and otherwise the table (Markdown for the economic case).
    ``labels`` name the two sets in a comparison's table."""
    if fmt == "json":
        from .json import dumps

        return dumps(_document(result)) + "\n"
    if fmt == "csv":
        return _csv(result)
    return _text(result, labels)


def _document(result: Printable) -> dict[str, Any] | list[dict[str, Any]]:
    from ..results.economic import EconomicCase

    if isinstance(result, list):
        from .json import unit_costs_document

        return unit_costs_document(result)
    if isinstance(result, EconomicCase):
        from .case import case_document

        return case_document(result)
    return to_dict(result)


def _csv(result: Printable) -> str:
    from ..results.appraisal import PortfolioResult
    from ..results.realisation import Progress
    from . import csv

    if isinstance(result, list):
        return csv.unit_costs_csv(result)
    if isinstance(result, PortfolioResult):
        return csv.to_csv(result)
    if isinstance(result, Progress):
        return csv.progress_csv(result)
    raise TypeError(f"no CSV of a {type(result).__name__}")


def _text(result: Printable, labels: tuple[str, str]) -> str:
    from ..results.appraisal import PortfolioResult
    from ..results.comparison import Comparison
    from ..results.economic import EconomicCase
    from ..results.realisation import Progress
    from ..results.uncertainty import Sensitivity, Simulation
    from . import table

    if isinstance(result, list):
        return table.render_unit_costs(result)
    if isinstance(result, EconomicCase):
        from .case import render_case_markdown

        return render_case_markdown(result)
    if isinstance(result, PortfolioResult):
        return table.render(result)
    if isinstance(result, Sensitivity):
        return table.render_sensitivity(result)
    if isinstance(result, Simulation):
        return table.render_simulation(result)
    if isinstance(result, Comparison):
        return table.render_comparison(result, *labels)
    if isinstance(result, Progress):
        return table.render_progress(result)
    raise TypeError(f"no table of a {type(result).__name__}")
