"""Results: what the calculation and the analyses produce, as plain data.

The calculation (:mod:`npv_calc.calculate`), the analyses (:mod:`npv_calc.sensitivity`,
:mod:`npv_calc.simulate`, :mod:`npv_calc.compare`, :mod:`npv_calc.progress`,
:mod:`npv_calc.economic_case`) and the board pack (:mod:`npv_calc.board`) build these; the outputs
(:mod:`npv_calc.report`) read them and never call what builds them. Each module holds the results
of one kind of work:

* :mod:`~npv_calc.results.appraisal` — an appraisal: each line's flows with how they were worked
  out (its trace), each project's figures, the portfolio's;
* :mod:`~npv_calc.results.uncertainty` — the tornado, switching values and Monte Carlo;
* :mod:`~npv_calc.results.realisation` — outturn against the plan;
* :mod:`~npv_calc.results.comparison` — two scenario sets side by side;
* :mod:`~npv_calc.results.economic` — each project's economic case;
* :mod:`~npv_calc.results.board` — the board pack: everything the board workbook shows.
"""
