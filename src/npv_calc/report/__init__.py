"""Outputs: the console table, JSON, CSV and (in :mod:`npv_calc.report.workbook`) the workbook."""
