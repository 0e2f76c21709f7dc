"""Property: every valid portfolio writes a board workbook whose every formula cell stores the value
LibreOffice and Gnumeric recalculate, and whose named figures are npv-calc's own.

The portfolios (:func:`strategies.board_portfolios`) leave out or give every optional setting
(``price_base_year``, a target, ``as_of``, ``present_value_year``, agencies, statuses that count,
grades, deflators, a named scenario) and hold risks, outturn, correlation groups, value types,
optimism bias by project type and non-monetised impacts: what a workbook tested only on the
example would not meet (a portfolio without ``price_base_year`` once made ``--xlsx`` fail).

A small sample runs here; ``benchmarks/board_property.py`` runs a larger one.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npv_calc import load_portfolio
from npv_calc.board import board_pack
from npv_calc.report.workbook import write_workbook
from npv_calc.results.appraisal import PortfolioResult
from npv_calc.scenarios import prepare
from npv_calc.simulate import simulate

from . import strategies as gen
from .cells import SheetView
from .gnumeric import recalculate
from .libreoffice import recalculate_in_libreoffice
from .test_ooxml import findings
from .test_workbook_libreoffice import assert_same_figures, assert_stored_values_recalculate

#: Examples drawn in the test suite (each is recalculated by LibreOffice, a few seconds each).
EXAMPLES = int(os.environ.get("NPV_CALC_BOARD_EXAMPLES", "5"))


def board_workbook(
    generated: gen.GeneratedPortfolio, folder: Path, draws: int | None
) -> tuple[Path, PortfolioResult]:
    """The board workbook of a generated portfolio, as ``run --xlsx`` (or ``simulate --xlsx``
    with ``draws``) writes it: the tornado always, the Monte Carlo sheet when simulated; and
    the appraisal it shows."""
    gen.write(folder, generated)
    case = prepare(load_portfolio(folder))
    simulation = simulate(case, draws, seed=1) if draws else None
    pack = board_pack(case, simulation=simulation)
    return write_workbook(pack, folder / "board.xlsx", command="test"), pack.result


def recalculates_in_both(written: Path, folder: Path) -> Path:
    """Assert that LibreOffice and Gnumeric both recalculate ``written`` to its stored values;
    LibreOffice's recalculation, for further checks."""
    (recalculated,) = recalculate_in_libreoffice([written], folder / "recalculated")
    assert_stored_values_recalculate(written, recalculated)
    (by_gnumeric,) = recalculate([written], folder / "gnumeric")
    assert_stored_values_recalculate(written, by_gnumeric, "Gnumeric")
    return recalculated


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(generated=gen.board_portfolios(), draws=st.sampled_from([None, None, 300]))
def test_every_board_workbook_recalculates_to_its_stored_values(
    generated: gen.GeneratedPortfolio, draws: int | None, tmp_path_factory
) -> None:
    folder = tmp_path_factory.mktemp("board")
    written, result = board_workbook(generated, folder, draws)
    assert_same_figures(recalculates_in_both(written, folder), result)
    assert findings(written) == []  # the OOXML validator of test_ooxml.py finds nothing


def test_a_portfolio_without_price_base_year_writes_its_workbook(tmp_path: Path) -> None:
    """The crash that the property would have caught: no ``price_base_year`` anywhere."""
    generated = gen.GeneratedPortfolio(
        {"portfolio": {"name": "No price base year", "target": 1_000_000.0}},
        [
            {
                "id": "P1",
                "name": "One",
                "start_year": 2024,
                "costs": [{"name": "Staff", "annual": 100_000.0}],
                "benefits": [{"name": "Savings", "annual": 150_000.0, "cashable": True}],
            }
        ],
    )
    written, result = board_workbook(generated, tmp_path, None)
    assert result.settings.price_base_year is None
    assert_same_figures(recalculates_in_both(written, tmp_path), result)


#: Found by the property (seed 2026): net flows whose only rates of return are at or below -100%.
#: npv-calc gives no IRR; LibreOffice's IRR() landed on -128.9%, which the sheet then showed.
NO_RATE_ABOVE_MINUS_100 = gen.GeneratedPortfolio(
    portfolio={
        "portfolio": {"name": "P", "target": 661.0, "target_year": 2035, "as_of": 2017},
        "appraisal": {"declining": True, "horizon": 12, "ob_mitigation": 0.5806},
        "correlation": {"groups": {"g0": 0.72}},
    },
    projects=[
        {
            "id": "ibbNx-P",
            "name": "Project",
            "start_year": 2021,
            "status": "proposed",
            "costs": [{"name": "Cost 1", "amounts": [0.0, 256.0], "optimism_bias": 0.0}],
            "benefits": [
                {
                    "name": "Benefit 1",
                    "agency": "Fire",
                    "amounts": [556.0, 0.0, 0.0, 0.92],
                    "displacement": 0.0605,
                    "confidence": 2,
                },
                {
                    "name": "Benefit 2",
                    "quantity": 0.35,
                    "unit_value": 0.76,
                    "years": [1, 9],
                    "growth": {"low": -0.1253, "central": -0.0035, "high": 0.0356, "group": "g0"},
                    "drop_off": 0.19,
                    "cashable": True,
                    "displacement": 0.0104,
                    "attribution": 0.9077,
                    "confidence": 6,
                },
            ],
            "risks": [{"name": "Risk 1", "probability": 0.005, "impact": 235.0}],
        }
    ],
)


def test_no_irr_where_every_rate_is_at_or_below_minus_100_percent(tmp_path: Path) -> None:
    written, result = board_workbook(NO_RATE_ABOVE_MINUS_100, tmp_path, None)
    assert result.project("ibbNx-P").irr is None
    recalculates_in_both(written, tmp_path)


#: Found by the board property (seed 1207, 60 examples): every benefit recorded as outturn up to
#: ``as_of``, none to come. The PV of benefits less the outturn's left 1.5e-11 of round-off,
#: and the switching value (NPV / PV of benefits still to come) stored -7.9e16 where the sheet,
#: whose sum of the years to come is exactly 0, shows "–".
NOTHING_TO_COME = gen.GeneratedPortfolio(
    portfolio={
        "portfolio": {"name": "P", "as_of": 2029, "present_value_year": 2023},
        "appraisal": {"declining": False, "price_base_year": 2023, "ob_mitigation": 0.1095},
        "correlation": {"groups": {"g0": 0.12}},
    },
    projects=[
        {
            "id": "ZsnQewI",
            "name": "Project",
            "start_year": 2020,
            "ob_mitigation": 0.0739,
            "costs": [
                {
                    "name": "Cost 1",
                    "amounts": [0.0] * 10,
                    "optimism_bias": 0.0052,
                    "actuals": {"2023": 11.89, "2025": 18.5, "2027": 1593550.22, "2028": 0.0},
                }
            ],
            "benefits": [
                {
                    "name": "Benefit 1",
                    "agency": "Police",
                    "amounts": [0.0] * 9,
                    "deadweight": {"low": 0.1094, "central": 0.1812, "high": 0.4743},
                    "attribution": {"low": 0.0246, "central": 0.057, "high": 0.0732, "group": "g0"},
                    "actuals": {
                        "2021": 51356.0,
                        "2025": 0.0,
                        "2026": 1342177.29,
                        "2028": 1575902.0,
                    },
                }
            ],
        }
    ],
)


def test_nothing_to_come_is_exactly_nothing(tmp_path: Path) -> None:
    written, result = board_workbook(NOTHING_TO_COME, tmp_path, None)
    project = result.project("ZsnQewI")
    assert project.realised is not None and project.realised.pv_benefits > 0
    assert project.pv_benefits_to_come == 0.0
    (recalculated,) = recalculate_in_libreoffice([written], tmp_path / "recalculated")
    assert_stored_values_recalculate(written, recalculated)


def test_a_project_whose_id_is_a_cells_name(tmp_path: Path) -> None:
    """Found by the board property (seed 31337): a project E6 has a sheet called E6, and
    Gnumeric read the sheet's own =SUM(E6:E6) as the start of a reference across sheets (an
    error where npv-calc stored 0). Its ranges from E6 are anchored now (SUM($E6:E6)): the sheet
    keeps its name and Gnumeric agrees with every stored value."""
    generated = gen.GeneratedPortfolio(
        portfolio={"portfolio": {"name": "0"}, "appraisal": {"horizon": 1}},
        projects=[
            {
                "id": "E6",
                "name": "0",
                "start_year": 2010,
                "costs": [{"name": "Cost 1", "amounts": [0.0], "kind": "revenue"}],
            }
        ],
    )
    written, _ = board_workbook(generated, tmp_path, None)
    sheet = SheetView(written, "E6", formulas=True)
    assert sheet["E7"].value == "=SUM($E6:E6)"
    recalculates_in_both(written, tmp_path)
