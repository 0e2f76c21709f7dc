"""npv-calc: Green Book appraisal of public-service collaboration projects.

The Python API::

    from npv_calc import load_portfolio, appraise, to_dict, to_frame
    portfolio = load_portfolio("scenarios/")
    result = appraise(portfolio, scenario="central", overrides={"discount_rate": 0.03})
    result.npv, result.project("JET").npv
    to_dict(result)   # the JSON document of any result (run, sensitivity, simulate, compare)
    to_frame(result)  # a pandas DataFrame, a row per project

Attributes are imported on first use so that ``npv-calc --help`` and ``validate`` start without
numpy, pandas or openpyxl.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_portfolio": "load",
    "InputError": "errors",
    "Problem": "errors",
    "UsageError": "errors",
    "Portfolio": "model",
    "Project": "model",
    "Line": "model",
    "Uncertain": "model",
    "Settings": "model",
    "prepare": "scenarios",
    "appraise": "calculate",
    "appraise_case": "calculate",
    "PortfolioResult": "calculate",
    "ProjectResult": "calculate",
    "discount_factors": "discount",
    "to_dict": "report",
    "to_frame": "report",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
