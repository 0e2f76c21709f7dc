"""Outputs: results into what people and programs read.

* :mod:`~npv_calc.report.table` — the console tables;
* :mod:`~npv_calc.report.json` — the JSON documents of SPEC.md;
* :mod:`~npv_calc.report.csv` — CSV, and the same rows as a pandas DataFrame;
* :mod:`~npv_calc.report.case` — the economic case as Markdown or JSON;
* :mod:`~npv_calc.report.options` — the options appraisal (summary table or JSON);
* :mod:`~npv_calc.report.workbook` — the board workbook.

Results are plain data (the dataclasses of :mod:`npv_calc.results`); these functions turn them
into documents, and never call the calculation or an analysis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias

from ..errors import printable_lines

if TYPE_CHECKING:
    import pandas as pd

    from ..params import UnitCost
    from ..results.appraisal import OptionsAppraisal, PortfolioResult
    from ..results.comparison import Comparison
    from ..results.economic import EconomicCase
    from ..results.realisation import Progress
    from ..results.uncertainty import Sensitivity, Simulation

    #: What :func:`to_dict` turns into a document of SPEC.md.
    Result: TypeAlias = (
        PortfolioResult | Sensitivity | Simulation | Comparison | Progress | OptionsAppraisal
    )
    #: What a command prints: a result, an economic case or the unit-cost library.
    Printable: TypeAlias = Result | EconomicCase | list[UnitCost]
    #: A format's output: a text, or a document that is written as JSON.
    Output: TypeAlias = str | dict[str, Any] | list[dict[str, Any]]


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
    refusal = "to_dict takes a result of npv-calc"
    document = _outputs(result, refusal)["json"]()
    if not isinstance(document, dict):  # the unit-cost library's document is a list
        raise TypeError(f"{refusal}, not {type(result).__name__}")
    return document


def to_frame(result: PortfolioResult) -> pd.DataFrame:
    """A row per project, indexed by id, with the ``run --format csv`` columns (for notebooks;
    pandas is imported here only)."""
    from .csv import projects_frame

    return projects_frame(result)


def formatted(result: Printable, fmt: str, labels: tuple[str, str] = ("A", "B")) -> str:
    """What a command prints on stdout for ``--format fmt``: ``json`` (the document of
    :func:`to_dict`, of the economic case or of the unit-cost library), ``csv`` (an appraisal,
    progress or the unit costs), ``md`` (the economic case) or ``table``. ``labels`` name the
    two sets in a comparison's table.

    Raises
    ------
    TypeError
        For a result that has no such format (a command offers only the formats it has).
    """
    outputs = _outputs(result, "formatted takes a result of npv-calc", labels)
    if fmt not in outputs:
        raise TypeError(f"a {type(result).__name__} has no {fmt} format")
    output = outputs[fmt]()
    if isinstance(output, str):
        # What is read on a terminal has its control characters escaped, line by line (each
        # name is escaped where it is written too; this catches any text that is not): JSON
        # and CSV are data, and carry the text as it is.
        return output if fmt == "csv" else printable_lines(output)
    from .json import dumps

    return dumps(output) + "\n"


def _outputs(
    result: Printable, refusal: str, labels: tuple[str, str] = ("A", "B")
) -> dict[str, Callable[[], Output]]:
    """Each format of ``result`` and how to make it, made only when called: a command pays for
    its own format alone. ``refusal`` begins the error for anything that is not a result."""
    from ..results.appraisal import OptionsAppraisal, PortfolioResult
    from ..results.comparison import Comparison
    from ..results.economic import EconomicCase
    from ..results.realisation import Progress
    from ..results.uncertainty import Sensitivity, Simulation
    from . import case, csv, json, options, simulation_table, table

    if isinstance(result, PortfolioResult):
        return {
            "json": lambda: json.run_document(result),
            "csv": lambda: csv.to_csv(result),
            "table": lambda: table.render(result),
        }
    if isinstance(result, Sensitivity):
        return {
            "json": lambda: json.sensitivity_document(result),
            "table": lambda: table.render_sensitivity(result),
        }
    if isinstance(result, Simulation):
        return {
            "json": lambda: json.simulation_document(result),
            "table": lambda: simulation_table.render_simulation(result),
        }
    if isinstance(result, Comparison):
        return {
            "json": lambda: json.comparison_document(result),
            "table": lambda: table.render_comparison(result, *labels),
        }
    if isinstance(result, Progress):
        return {
            "json": lambda: json.progress_document(result),
            "csv": lambda: csv.progress_csv(result),
            "table": lambda: table.render_progress(result),
        }
    if isinstance(result, OptionsAppraisal):
        return {
            "json": lambda: options.options_document(result),
            "table": lambda: options.render_options(result),
        }
    if isinstance(result, EconomicCase):
        return {
            "json": lambda: case.case_document(result),
            "md": lambda: case.render_case_markdown(result),
        }
    if isinstance(result, list):  # the unit-cost library
        return {
            "json": lambda: json.unit_costs_document(result),
            "csv": lambda: csv.unit_costs_csv(result),
            "table": lambda: table.render_unit_costs(result),
        }
    raise TypeError(f"{refusal}, not {type(result).__name__}")
