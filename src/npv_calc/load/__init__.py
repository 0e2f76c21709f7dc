"""Loading and validation: scenario files (TOML) and input workbooks into the model.

The modules, each for one concern:

* :mod:`~npv_calc.load.loader` — the entry point, :func:`load_portfolio`;
* :mod:`~npv_calc.load.paths` — the files that the paths given name;
* :mod:`~npv_calc.load.toml_files` — reading TOML text and locating its keys;
* :mod:`~npv_calc.load.workbook` and :mod:`~npv_calc.load.workbook_layout` — input workbooks;
* :mod:`~npv_calc.load.project`, :mod:`~npv_calc.load.portfolio`, :mod:`~npv_calc.load.settings`
  — documents into the model (``--set`` parsing included);
* :mod:`~npv_calc.load.reader` — typed reading of values, with every problem located;
* :mod:`~npv_calc.load.rules` — the validation rules (also the JSON Schema's source);
* :mod:`~npv_calc.load.checks` — checks that depend on settings or span files;
* :mod:`~npv_calc.load.messages` — quoting values and suggesting what was meant.
"""

from __future__ import annotations

from .loader import load_portfolio, load_with_settings

__all__ = ["load_portfolio", "load_with_settings"]
