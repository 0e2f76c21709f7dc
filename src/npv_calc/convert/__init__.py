"""Scenario files and input workbooks written from the model: ``import``, ``export``, ``new``.

These are outputs, like :mod:`npv_calc.report`, but of the inputs rather than of results: each
writes what reads back to the same :class:`~npv_calc.model.Portfolio`.
"""
