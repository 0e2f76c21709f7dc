"""Known values for the calculation, checked against SPEC.md's reference figures.

One class per function or metric, in the habit of numpy-financial's tests: each test states the
property it checks and asserts concrete numbers (pennies to ``abs=0.005``, factors to the number
of decimal places SPEC.md publishes). Expected values are computed independently of npv-calc
(closed forms, bisection, Excel's published results), never by calling the code under test.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from npv_calc import appraise, load_portfolio
from npv_calc.calculate import financial_year, irr, line_flows, npv
from npv_calc.cli import cli
from npv_calc.discount import discount_factors, yearly_rates
from npv_calc.model import Line, Uncertain, central
from npv_calc.scenarios import prepare

from .conftest import EXAMPLE

PENNY = 0.005

#: SPEC.md, "Reference values": DF(0..10) at 3.5%, Green Book convention.
SPEC_FACTORS = [1, 0.9662, 0.9335, 0.9019, 0.8714, 0.8420, 0.8135, 0.7860, 0.7594, 0.7337, 0.7089]

#: SPEC.md, "run --format json": the keys of the document, in order.
PORTFOLIO_KEYS = [
    "name",
    "scenario",
    "discount_rate",
    "horizon",
    "price_base_year",
    "npv",
    "pv_costs",
    "pv_benefits",
    "target",
    "target_year",
    "npv_toward_target",
    "meets_target",
    "headroom",
    "as_of",
    "npv_plan",
    "npv_realised",
    "npv_toward_target_plan",
    "schedule",
    "pv_benefits_by_value_type",
    "financial_roi",
    "present_value_year",
    "npv_at_present_value_year",
]
PROJECT_KEYS = [
    "id",
    "name",
    "start_year",
    "counts_toward_target",
    "counts_because",
    "npv",
    "pv_costs",
    "pv_benefits",
    "pv_risk_costs",
    "bcr",
    "roi",
    "payback_year",
    "irr",
    "cashable_npv",
    "pv_costs_by_agency",
    "pv_benefits_by_agency",
    "years",
    "costs",
    "benefits",
    "discount_factors",
    "plan",
    "realised",
    "pv_benefits_by_value_type",
    "financial_roi",
    "npv_at_present_value_year",
    # npv-calc's own, after SPEC's: the settings the project was appraised with
    "settings",
]


# ---------------------------------------------------------------------------------------------
# Helpers


def portfolio_toml(
    *,
    name: str = "Test portfolio",
    target: float | None = None,
    target_year: int | None = None,
    extra: str = "",
    **appraisal: Any,
) -> str:
    """A portfolio.toml with the given ``[appraisal]`` keys (TOML literals from Python)."""
    lines = ["[portfolio]", f'name = "{name}"']
    if target is not None:
        lines.append(f"target = {target}")
    if target_year is not None:
        lines.append(f"target_year = {target_year}")
    lines.append("[appraisal]")
    for key, value in appraisal.items():
        lines.append(f"{key} = {toml_literal(value)}")
    return "\n".join(lines) + "\n" + extra


def toml_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(value)


def reference_project(
    pid: str = "REF", start_year: int = 2017, extra_top: str = "", cost_agency: str = "Police"
) -> str:
    """SPEC.md's reference project: horizon 11, 100,000 in year 0, 15,000 in years 1-10."""
    return f"""
id = "{pid}"
name = "Reference project"
start_year = {start_year}
{extra_top}
[[costs]]
name = "Set-up"
agency = "{cost_agency}"
kind = "capital"
amounts = [100_000]

[[benefits]]
name = "Savings"
agency = "Fire"
cashable = true
annual = 15_000
years = [1, 10]
"""


def excel_project(start_year: int = 2020) -> str:
    """Excel's NPV(10%, -10000, 3000, 4200, 6800) as a project: 10,000 out, then benefits."""
    return f"""
id = "XL"
name = "Excel example"
start_year = {start_year}

[[costs]]
name = "Outlay"
amounts = [10_000]

[[benefits]]
name = "Returns"
amounts = [0, 3_000, 4_200, 6_800]
"""


def run_json(runner: CliRunner, *args: str) -> dict[str, Any]:
    """``npv-calc run ARGS --format json``, which must succeed, parsed."""
    result = runner.invoke(cli, ["run", *args, "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def green_book_factors(horizon: int, rate: float = 0.035) -> list[float]:
    """DF(t) = (1 + r)^-t, the flat schedule (valid up to year 30)."""
    return [(1 + rate) ** -t for t in range(horizon)]


def bisect_irr(flows: Sequence[float], low: float = -0.6, high: float = 10.0) -> float:
    """The rate where sum(flows[t] / (1 + r)^t) changes sign, by plain bisection."""

    def f(rate: float) -> float:
        return sum(v * math.exp(-t * math.log1p(rate)) for t, v in enumerate(flows))

    f_low = f(low)
    assert f_low * f(high) < 0, "bisection needs a sign change"
    for _ in range(200):
        mid = (low + high) / 2
        f_mid = f(mid)
        if f_mid == 0:
            return mid
        if (f_mid < 0) == (f_low < 0):
            low, f_low = mid, f_mid
        else:
            high = mid
    return (low + high) / 2


VALUE_FIELDS = (
    "annual",
    "quantity",
    "unit_value",
    "scale",
    "growth",
    "drop_off",
    "deadweight",
    "displacement",
    "attribution",
)


def flows_of(
    line: Line, horizon: int = 10, price_factor: float = 1.0, **values: float
) -> np.ndarray:
    """``line_flows`` with each field's central value (``optimism_bias`` 0 unless given)."""
    chosen: dict[str, Any] = {name: central(getattr(line, name)) for name in VALUE_FIELDS}
    chosen["optimism_bias"] = central(line.optimism_bias) if line.optimism_bias is not None else 0.0
    chosen.update(values)
    return line_flows(line, chosen, horizon, price_factor)


def cost(**fields: Any) -> Line:
    return Line(section="costs", index=1, name="Cost", **fields)


def benefit(**fields: Any) -> Line:
    return Line(section="benefits", index=1, name="Benefit", **fields)


# ---------------------------------------------------------------------------------------------
# Discount factors


class TestDiscountFactors:
    def test_kept_factors_and_rates_cannot_be_changed(self):
        """Factors and rates are kept between appraisals (discount.KEPT): read-only, so that no
        caller changes another's."""
        for kept in (discount_factors(5), discount_factors(5, year0=True), yearly_rates(40)):
            with pytest.raises(ValueError, match="read-only"):
                kept[0] = 0.5
        assert discount_factors(5) is discount_factors(5)

    def test_green_book_factors_match_spec_to_4dp(self) -> None:
        factors = discount_factors(11, 0.035)
        assert [round(float(f), 4) for f in factors] == SPEC_FACTORS

    def test_factors_are_the_running_division_by_1_plus_r(self) -> None:
        assert discount_factors(11).tolist() == pytest.approx(green_book_factors(11), rel=1e-12)

    def test_ten_year_sum_is_8_6077(self) -> None:
        assert float(discount_factors(10).sum()) == pytest.approx(8.6077, abs=5e-5)

    def test_sum_of_years_1_to_10_is_8_3166(self) -> None:
        assert float(discount_factors(11)[1:].sum()) == pytest.approx(8.3166, abs=5e-5)
        assert float(discount_factors(10, year0=True).sum()) == pytest.approx(8.3166, abs=5e-5)

    def test_declining_schedule_gives_df31_0_345901(self) -> None:
        assert float(discount_factors(32)[31]) == pytest.approx(0.345901, abs=5e-7)

    def test_flat_rate_gives_df31_0_344230(self) -> None:
        flat = discount_factors(32, declining=False)
        assert float(flat[31]) == pytest.approx(0.344230, abs=5e-7)
        assert float(flat[31]) == pytest.approx(1.035**-31, rel=1e-12)

    def test_declining_and_flat_agree_up_to_year_30(self) -> None:
        declining = discount_factors(31)
        flat = discount_factors(31, declining=False)
        assert declining.tolist() == pytest.approx(flat.tolist(), rel=1e-14)

    def test_year0_discounts_every_year_one_period_more(self) -> None:
        shifted = discount_factors(10, year0=True)
        assert shifted.size == 10
        assert shifted.tolist() == pytest.approx(discount_factors(11)[1:].tolist(), rel=1e-15)
        assert float(shifted[0]) == pytest.approx(1 / 1.035, rel=1e-15)

    def test_year0_shift_crosses_the_year_30_band_boundary(self) -> None:
        # DF'(30) = DF(31): the 31st discounting uses the 3.0% band rate.
        shifted = discount_factors(31, year0=True)
        assert float(shifted[30]) == pytest.approx(0.345901, abs=5e-7)

    def test_standard_schedule_band_rates(self) -> None:
        rates = yearly_rates(400, 0.035)
        expected = {1: 0.035, 30: 0.035, 31: 0.030, 75: 0.030, 76: 0.025, 125: 0.025}
        expected |= {126: 0.020, 200: 0.020, 201: 0.015, 300: 0.015, 301: 0.010, 400: 0.010}
        for year, rate in expected.items():
            assert float(rates[year - 1]) == pytest.approx(rate, abs=1e-12), year

    def test_health_rate_bands_scale_to_published_rates(self) -> None:
        # SPEC.md: the health rate 1.5% then gives 1.29%, 1.07%, 0.86%, 0.64%, 0.43%.
        rates = yearly_rates(400, 0.015)
        published = {30: 0.015, 31: 0.0129, 76: 0.0107, 126: 0.0086, 201: 0.0064, 301: 0.0043}
        for year, rate in published.items():
            assert round(float(rates[year - 1]), 4) == pytest.approx(rate, abs=1e-12), year

    def test_band_rates_are_proportional_to_the_base_rate(self) -> None:
        ratio = yearly_rates(400, 0.05) / yearly_rates(400, 0.035)
        assert ratio.tolist() == pytest.approx([0.05 / 0.035] * 400, rel=1e-12)

    def test_not_declining_keeps_the_rate_flat(self) -> None:
        assert yearly_rates(400, 0.035, declining=False).tolist() == [0.035] * 400
        flat = discount_factors(120, 0.035, declining=False)
        assert float(flat[119]) == pytest.approx(1.035**-119, rel=1e-12)

    def test_zero_rate_gives_factors_of_one(self) -> None:
        assert discount_factors(50, 0.0).tolist() == [1.0] * 50

    def test_negative_rate_above_minus_one_grows_the_factors(self) -> None:
        assert discount_factors(5, -0.5, declining=False).tolist() == [1.0, 2.0, 4.0, 8.0, 16.0]
        factors = discount_factors(40, -0.02)
        assert np.all(np.diff(factors) > 0)
        assert float(factors[10]) == pytest.approx(0.98**-10, rel=1e-12)

    def test_horizon_one_is_year_zero_only(self) -> None:
        assert discount_factors(1).tolist() == [1.0]
        assert discount_factors(1, year0=True).tolist() == pytest.approx([1 / 1.035])

    def test_horizon_400_is_positive_and_decreasing(self) -> None:
        factors = discount_factors(400)
        assert factors.size == 400
        assert np.all(np.diff(factors) < 0)
        assert float(factors[-1]) > 0


# ---------------------------------------------------------------------------------------------
# NPV


class TestNpv:
    def test_npv_function_matches_excel_after_one_more_period(self) -> None:
        # Excel's NPV() discounts the first value too: NPV(10%, ...) = npv(...) / 1.1.
        assert npv(0.1, [-10_000, 3_000, 4_200, 6_800]) / 1.1 == pytest.approx(1188.44, abs=PENNY)

    def test_npv_function_leaves_year_0_undiscounted(self) -> None:
        assert npv(0.1, [-100, 110]) == pytest.approx(0.0, abs=1e-12)
        assert npv(0.035, [-100_000] + [15_000] * 10) == pytest.approx(24_749.08, abs=PENNY)

    def test_excel_npv_via_discount_year0_project(self, scenario_dir: Callable[..., Path]) -> None:
        folder = scenario_dir(
            portfolio_toml(discount_rate=0.1, horizon=4, discount_year0=True),
            xl=excel_project(),
        )
        result = appraise(load_portfolio(folder))
        project = result.project("XL")
        assert project.npv == pytest.approx(1188.44, abs=PENNY)
        assert result.npv == pytest.approx(1188.44, abs=PENNY)
        assert project.pv_costs == pytest.approx(10_000 / 1.1, abs=PENNY)

    def test_excel_npv_via_set_discount_year0(self, scenario_dir: Callable[..., Path]) -> None:
        folder = scenario_dir(portfolio_toml(discount_rate=0.1, horizon=4), xl=excel_project())
        portfolio = load_portfolio(folder)
        assert appraise(portfolio).npv == pytest.approx(1188.44 * 1.1, abs=PENNY)
        shifted = appraise(portfolio, overrides={"discount_year0": True})
        assert shifted.npv == pytest.approx(1188.44, abs=PENNY)

    def test_excel_npv_via_cli_json(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(
            portfolio_toml(discount_rate=0.1, horizon=4, discount_year0=True),
            xl=excel_project(),
        )
        document = run_json(runner, str(folder))
        assert document["portfolio"]["npv"] == pytest.approx(1188.44, abs=PENNY)
        project = document["projects"][0]
        assert project["npv"] == pytest.approx(1188.44, abs=PENNY)
        assert project["discount_factors"] == pytest.approx([1.1**-t for t in range(1, 5)])

    def test_excel_npv_via_cli_set_option(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(portfolio_toml(discount_rate=0.1, horizon=4), xl=excel_project())
        document = run_json(runner, str(folder), "--set", "discount_year0=true")
        assert document["portfolio"]["npv"] == pytest.approx(1188.44, abs=PENNY)

    def test_spec_reference_project(self, scenario_dir: Callable[..., Path]) -> None:
        folder = scenario_dir(portfolio_toml(horizon=11), ref=reference_project())
        project = appraise(load_portfolio(folder)).project("REF")
        assert project.npv == pytest.approx(24_749.08, abs=PENNY)
        assert project.pv_benefits == pytest.approx(124_749.08, abs=PENNY)
        assert project.pv_costs == pytest.approx(100_000.00, abs=PENNY)
        assert project.bcr == pytest.approx(1.2475, abs=5e-5)
        assert project.roi == pytest.approx(0.2475, abs=5e-5)
        assert project.irr == pytest.approx(0.08144, abs=5e-6)
        # Switching values: benefits could fall 19.84%, costs could rise 24.75%.
        assert project.npv / project.pv_benefits == pytest.approx(0.1984, abs=5e-5)
        assert project.npv / project.pv_costs == pytest.approx(0.2475, abs=5e-5)

    def test_spec_reference_project_via_cli_json(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(portfolio_toml(horizon=11), ref=reference_project())
        document = run_json(runner, str(folder))
        project = document["projects"][0]
        assert project["npv"] == pytest.approx(24_749.08, abs=PENNY)
        assert project["pv_benefits"] == pytest.approx(124_749.08, abs=PENNY)
        assert project["bcr"] == pytest.approx(1.2475, abs=5e-5)
        assert project["irr"] == pytest.approx(0.08144, abs=5e-6)
        assert document["portfolio"]["horizon"] == 11
        assert document["portfolio"]["discount_rate"] == 0.035

    def test_spec_reference_project_over_default_ten_years_drops_year_10(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        # With the default horizon of 10, years = [1, 10] runs past year 9: an input error.
        from npv_calc import InputError

        folder = scenario_dir(portfolio_toml(), ref=reference_project())
        with pytest.raises(InputError) as caught:
            load_portfolio(folder)
        assert any(p.field == "years" for p in caught.value.problems)

    def test_each_project_is_discounted_to_its_own_year_0(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(
            portfolio_toml(horizon=11),
            a=reference_project("A", start_year=2017),
            b=reference_project("B", start_year=2024),
        )
        result = appraise(load_portfolio(folder))
        assert result.project("A").npv == pytest.approx(24_749.08, abs=PENNY)
        assert result.project("B").npv == pytest.approx(24_749.08, abs=PENNY)
        assert result.npv == pytest.approx(2 * 24_749.08, abs=2 * PENNY)


# ---------------------------------------------------------------------------------------------
# IRR


class TestIrr:
    def test_simple_one_period_return(self) -> None:
        assert irr([-100, 110]) == pytest.approx(0.1, abs=1e-12)

    def test_spec_reference_flows_8_144_percent(self) -> None:
        assert irr([-100_000] + [15_000] * 10) == pytest.approx(0.08144, abs=5e-6)

    def test_excel_example_flows(self) -> None:
        flows = [-10_000, 3_000, 4_200, 6_800]
        assert irr(flows) == pytest.approx(bisect_irr(flows), abs=1e-10)
        assert irr(flows) == pytest.approx(0.1634, abs=5e-5)

    @pytest.mark.parametrize(
        ("flows", "published"),
        [
            ([-70_000, 12_000, 15_000, 18_000, 21_000, 26_000], 0.087),
            ([-70_000, 12_000, 15_000, 18_000, 21_000], -0.021),
            ([-70_000, 12_000, 15_000], -0.444),
        ],
        ids=["five-years", "four-years", "two-years"],
    )
    def test_excel_irr_help_examples(self, flows: list[float], published: float) -> None:
        # Microsoft's IRR() help: 8.7%, -2.1% and -44.4% (shown to one decimal place).
        assert irr(flows) == pytest.approx(published, abs=5e-4)
        assert irr(flows) == pytest.approx(bisect_irr(flows), abs=1e-10)

    def test_cube_root_negative_irr(self) -> None:
        assert irr([-100, 0, 0, 74]) == pytest.approx(0.74 ** (1 / 3) - 1, abs=1e-12)

    def test_two_positive_roots_gives_the_smaller(self) -> None:
        flows = [-100, 230, -132]  # (1 + r)^2 roots at 10% and 20%
        assert npv(0.1, flows) == pytest.approx(0, abs=1e-9)
        assert npv(0.2, flows) == pytest.approx(0, abs=1e-9)
        assert irr(flows) == pytest.approx(0.1, abs=1e-10)

    def test_roots_at_zero_and_twenty_percent_gives_zero(self) -> None:
        flows = [5, -11, 6]  # 6x^2 - 11x + 5 = (6x - 5)(x - 1): r = 0 and r = 20%
        assert npv(0.0, flows) == 0
        assert npv(0.2, flows) == pytest.approx(0, abs=1e-12)
        assert irr(flows) == pytest.approx(0.0, abs=1e-10)

    def test_one_positive_one_negative_root_gives_the_positive(self) -> None:
        # x = 1/(1+r): roots r = 15% and r = -10%; (x - 1/1.15)(x - 1/0.9) scaled to integers.
        a, b = 1 / 1.15, 1 / 0.9
        flows = [a * b, -(a + b), 1.0]
        assert irr(flows) == pytest.approx(0.15, abs=1e-10)

    def test_all_roots_negative_gives_the_one_closest_to_zero(self) -> None:
        flows = [50, -85, 36]  # 36x^2 - 85x + 50 = (9x - 10)(4x - 5): r = -10% and -20%
        assert npv(-0.1, flows) == pytest.approx(0, abs=1e-9)
        assert npv(-0.2, flows) == pytest.approx(0, abs=1e-9)
        assert irr(flows) == pytest.approx(-0.1, abs=1e-10)

    @pytest.mark.parametrize(
        "flows", [[-100, -5], [100, 10], [0, 0, 5], [-1, 0, -1], [3], [-3]], ids=str
    )
    def test_no_sign_change_is_none(self, flows: list[float]) -> None:
        assert irr(flows) is None

    @pytest.mark.parametrize("flows", [[0.0], [0.0] * 10, []], ids=len)
    def test_all_zero_or_empty_is_none(self, flows: list[float]) -> None:
        assert irr(flows) is None

    def test_sign_changes_without_a_real_root_is_none(self) -> None:
        # -100 + 50x - 100x^2 < 0 for every x: no rate makes the NPV 0.
        assert irr([-100, 50, -100]) is None

    def test_root_near_minus_100_percent_is_found(self) -> None:
        # A small outlay, a large one, then a small return: 100x^2 - 480,698x - 100 = 0 with
        # x = 1/(1+r) has one positive root (one sign change), at r = -99.979%.
        x = (480_698 + math.sqrt(480_698**2 + 4 * 100 * 100)) / 200
        expected = 1 / x - 1
        assert expected == pytest.approx(-0.999792, abs=1e-6)
        assert irr([-100, -480_698, 100]) == pytest.approx(expected, rel=1e-9)

    @pytest.mark.parametrize("k", [1.0, 2.0, 3.0, 100.0])
    def test_irr_does_not_depend_on_the_units_of_the_flows(self, k: float) -> None:
        # Found by Hypothesis. The only rate above -100% with NPV 0 is r = -94.809% (x = 19.2631:
        # the polynomial changes sign between 19.2631 and 19.2632 in exact arithmetic); the same
        # flows in other units (k times) must give the same rate.
        flows = [0.01, 0, 0, -0.02, 167_772.15, 0, 0.01, 0, 0, 4_936.5, -256.27]
        assert irr([k * v for v in flows]) == pytest.approx(-0.948087366, abs=1e-8)

    def test_tiny_last_flow_gives_none_rather_than_an_error(self) -> None:
        # 2,097 - 1e-305 / (1 + r) = 0 only at r = -1 + 5e-309, which is -100% in floating point:
        # there is no rate above -100% to report, and the root finder must not raise.
        assert irr([2_097.0, -1e-305]) is None

    def test_tiny_project_benefit_still_appraises(self, scenario_dir: Callable[..., Path]) -> None:
        tiny = """
        id = "T"
        name = "Tiny"
        start_year = 2020
        [[costs]]
        name = "Out"
        amounts = [1]
        [[benefits]]
        name = "Negligible"
        amounts = [0, 1e-310]
        """
        result = appraise(load_portfolio(scenario_dir(portfolio_toml(horizon=2), t=tiny)))
        assert result.npv == pytest.approx(-1.0, abs=1e-12)
        assert result.project("T").irr is None

    def test_leading_and_trailing_zero_years_do_not_change_the_irr(self) -> None:
        # Leading zeros shift year 0 but NPV = 0 still holds at the same rate.
        assert irr([0, 0, -100, 110]) == pytest.approx(0.1, abs=1e-12)
        assert irr([-100, 110, 0, 0, 0]) == pytest.approx(0.1, abs=1e-12)

    @pytest.mark.parametrize(
        "flows",
        [
            [-1_000, 300, 300, 300, 300],
            [-1_000, 100, 200, 300, 400, 500],
            [-500, -500, 400, 400, 400],
            [-1_000, 1_500],
            [-1_000, 10, 10, 10, 10, 10, 10, 10, 10, 1_000],
            [-45_000, -5_000] + [12_000] * 8,
            [-1_000] + [30] * 399,
            [-1_000] + [400] * 399,
            [-1_000] + [3] * 399,
        ],
        ids=lambda flows: f"{len(flows)}y-{flows[0]}-{flows[-1]}",
    )
    def test_conventional_flows_match_bisection(self, flows: list[float]) -> None:
        # One sign change (outlay then returns): exactly one rate above -100%.
        assert irr(flows) == pytest.approx(bisect_irr(flows), abs=1e-9)

    def test_irr_of_a_project_is_that_of_its_net_flows(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(portfolio_toml(horizon=4, discount_rate=0.1), xl=excel_project())
        project = appraise(load_portfolio(folder)).project("XL")
        assert project.irr == pytest.approx(bisect_irr([-10_000, 3_000, 4_200, 6_800]), abs=1e-9)

    def test_irr_ignores_discount_year0(self, scenario_dir: Callable[..., Path]) -> None:
        folder = scenario_dir(
            portfolio_toml(horizon=11, discount_year0=True), r=reference_project()
        )
        assert appraise(load_portfolio(folder)).project("REF").irr == pytest.approx(
            0.08144, abs=5e-6
        )

    def test_project_without_a_sign_change_has_null_irr(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        only_benefits = """
        id = "B"
        name = "Benefits only"
        start_year = 2020
        [[benefits]]
        name = "Savings"
        annual = 1_000
        """
        document = run_json(runner, str(scenario_dir(portfolio_toml(), b=only_benefits)))
        assert document["projects"][0]["irr"] is None


# ---------------------------------------------------------------------------------------------
# Line flows


class TestLineFlows:
    def test_cost_annual_fills_the_whole_horizon_by_default(self) -> None:
        assert flows_of(cost(annual=1_000.0), horizon=4).tolist() == [1_000.0] * 4

    def test_cost_growth_compounds_from_the_first_year_in_years(self) -> None:
        line = cost(annual=1_000.0, growth=0.1, years=(2, 4))
        expected = [0, 0, 1_000, 1_100, 1_210, 0]
        assert flows_of(line, horizon=6).tolist() == pytest.approx(expected, abs=1e-9)

    def test_cost_negative_growth(self) -> None:
        line = cost(annual=1_000.0, growth=-0.5)
        assert flows_of(line, horizon=4).tolist() == pytest.approx([1_000, 500, 250, 125])

    def test_cost_optimism_bias_uplifts(self) -> None:
        line = cost(annual=1_000.0, optimism_bias=0.24)
        assert flows_of(line, horizon=2).tolist() == pytest.approx([1_240, 1_240], abs=1e-9)

    def test_cost_optimism_bias_may_exceed_one(self) -> None:
        line = cost(annual=1_000.0, optimism_bias=1.5)
        assert flows_of(line, horizon=1).tolist() == pytest.approx([2_500], abs=1e-9)

    def test_cost_price_rebasing_multiplies_by_the_deflator_ratio(self) -> None:
        line = cost(annual=780.0, price_year=2015)
        assert flows_of(line, horizon=2, price_factor=100 / 78).tolist() == pytest.approx(
            [1_000, 1_000], abs=1e-9
        )

    def test_cost_scale_multiplies_the_line(self) -> None:
        line = cost(annual=1_000.0, scale=0.5, optimism_bias=0.2, growth=0.1, years=(0, 1))
        assert flows_of(line, horizon=3).tolist() == pytest.approx([600, 660, 0], abs=1e-9)

    def test_benefit_quantity_times_unit_value_with_every_adjustment(self) -> None:
        # SPEC's example: 30 fires x £2,400, deadweight 25%, attribution 60%, grade 3 (10%).
        line = benefit(
            quantity=Uncertain(20, 30, 40),
            unit_value=2_400.0,
            years=(1, 9),
            deadweight=0.25,
            displacement=0.1,
            attribution=0.6,
            confidence=3,
        )
        each = 30 * 2_400 * 0.75 * 0.9 * 0.6 * 0.9
        assert each == pytest.approx(26_244.0)
        got = flows_of(line, horizon=10, optimism_bias=0.10)
        assert got.tolist() == pytest.approx([0.0] + [26_244.0] * 9, abs=1e-9)

    def test_benefit_drop_off_compounds_from_the_first_year_of_years(self) -> None:
        line = benefit(annual=1_000.0, years=(1, 3), drop_off=0.2)
        assert flows_of(line, horizon=5).tolist() == pytest.approx(
            [0, 1_000, 800, 640, 0], abs=1e-9
        )

    def test_benefit_growth_and_drop_off_multiply(self) -> None:
        line = benefit(annual=1_000.0, years=(2, 4), growth=0.1, drop_off=0.2)
        expected = [0, 0, 1_000, 880, 774.4]
        assert flows_of(line, horizon=5).tolist() == pytest.approx(expected, abs=1e-9)

    def test_benefit_optimism_bias_reduces(self) -> None:
        line = benefit(annual=1_000.0, optimism_bias=0.25)
        assert flows_of(line, horizon=2).tolist() == pytest.approx([750, 750], abs=1e-9)

    def test_benefit_scale_and_price_factor(self) -> None:
        line = benefit(annual=1_000.0, scale=2.0, attribution=0.5)
        assert flows_of(line, horizon=1, price_factor=1.25).tolist() == pytest.approx(
            [1_250.0], abs=1e-9
        )

    def test_amounts_are_padded_with_zeros(self) -> None:
        line = cost(amounts=(45_000.0, 5_000.0), kind="capital")
        assert flows_of(line, horizon=5).tolist() == [45_000, 5_000, 0, 0, 0]

    def test_amounts_take_scale_optimism_bias_and_price_factor(self) -> None:
        line = cost(amounts=(100.0, 200.0), optimism_bias=0.5, scale=2.0)
        assert flows_of(line, horizon=3, price_factor=1.1).tolist() == pytest.approx(
            [330, 660, 0], abs=1e-9
        )

    def test_benefit_amounts_take_the_benefit_adjustments(self) -> None:
        line = benefit(amounts=(0.0, 1_000.0, 1_000.0), deadweight=0.5, attribution=0.8)
        assert flows_of(line, horizon=4).tolist() == pytest.approx([0, 400, 400, 0], abs=1e-9)

    def test_amounts_as_long_as_the_horizon(self) -> None:
        line = cost(amounts=(1.0, 2.0, 3.0))
        assert flows_of(line, horizon=3).tolist() == [1.0, 2.0, 3.0]

    def test_years_window_of_a_single_year(self) -> None:
        line = benefit(annual=500.0, years=(3, 3), growth=0.5)
        assert flows_of(line, horizon=5).tolist() == [0, 0, 0, 500, 0]

    def test_years_window_ending_at_the_horizon(self) -> None:
        line = cost(annual=10.0, years=(7, 9))
        assert flows_of(line, horizon=10).tolist() == [0] * 7 + [10, 10, 10]

    def test_array_values_give_one_row_per_draw(self) -> None:
        line = cost(annual=Uncertain(1.0, 2.0, 3.0), years=(1, 2))
        values = {name: central(getattr(line, name)) for name in VALUE_FIELDS}
        values["annual"] = np.array([[1.0], [2.0], [3.0]])
        values["optimism_bias"] = 0.0
        got = line_flows(line, values, 4)
        assert got.shape == (3, 4)
        assert got.tolist() == [[0, 1, 1, 0], [0, 2, 2, 0], [0, 3, 3, 0]]

    def test_confidence_grade_3_takes_ten_percent_via_the_loader(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        project = """
        id = "G"
        name = "Graded"
        start_year = 2020
        [[benefits]]
        name = "Graded benefit"
        annual = 1_000
        confidence = 3
        [[benefits]]
        name = "Explicit bias"
        annual = 1_000
        optimism_bias = 0.3
        [[benefits]]
        name = "Unbiased"
        annual = 1_000
        """
        result = appraise(load_portfolio(scenario_dir(portfolio_toml(horizon=2), g=project)))
        lines = result.project("G").lines
        assert lines[0].flows.tolist() == pytest.approx([900, 900], abs=1e-9)
        assert lines[1].flows.tolist() == pytest.approx([700, 700], abs=1e-9)
        assert lines[2].flows.tolist() == pytest.approx([1_000, 1_000], abs=1e-9)

    def test_portfolio_confidence_grades_replace_the_defaults(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        project = """
        id = "G"
        name = "Graded"
        start_year = 2020
        [[benefits]]
        name = "Graded benefit"
        annual = 1_000
        confidence = 3
        """
        portfolio = portfolio_toml(horizon=1, extra="[confidence_grades]\n3 = 0.5\n")
        result = appraise(load_portfolio(scenario_dir(portfolio, g=project)))
        assert result.project("G").benefits.tolist() == pytest.approx([500.0], abs=1e-9)

    def test_price_year_rebases_with_portfolio_deflators(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        project = """
        id = "D"
        name = "Deflated"
        start_year = 2020
        [[costs]]
        name = "Old prices"
        annual = 780
        price_year = 2015
        [[costs]]
        name = "Base prices"
        annual = 100
        price_year = 2023
        """
        portfolio = portfolio_toml(
            horizon=2, price_base_year=2023, extra="[deflators]\n2015 = 78.0\n2023 = 100.0\n"
        )
        result = appraise(load_portfolio(scenario_dir(portfolio, d=project)))
        lines = result.project("D").lines
        assert lines[0].flows.tolist() == pytest.approx([1_000, 1_000], abs=1e-9)
        assert lines[1].flows.tolist() == pytest.approx([100, 100], abs=1e-9)


# ---------------------------------------------------------------------------------------------
# Project and portfolio metrics


MIXED_PROJECT = """
id = "MIX"
name = "Mixed agencies"
start_year = 2019
[[costs]]
name = "Police staff"
agency = "Police"
annual = 1_000
[[costs]]
name = "Fire kit"
agency = "Fire"
kind = "capital"
amounts = [5_000]
[[costs]]
name = "Police kit"
agency = "Police"
amounts = [0, 500]
[[benefits]]
name = "Cash saving"
agency = "Police"
cashable = true
annual = 2_000
years = [1, 4]
[[benefits]]
name = "Harm avoided"
agency = "Ambulance"
annual = 1_500
[[benefits]]
name = "Fire cash"
agency = "Fire"
cashable = true
amounts = [0, 0, 700]
"""


PROJECT_100 = """
id = "H"
name = "Hundred"
start_year = 2020
[[benefits]]
name = "Exactly 100"
amounts = [100]
"""


class TestProjectMetrics:
    def _mixed(self, scenario_dir: Callable[..., Path]) -> Any:
        folder = scenario_dir(portfolio_toml(horizon=5), mix=MIXED_PROJECT)
        return appraise(load_portfolio(folder)).project("MIX")

    def test_pv_by_agency(self, scenario_dir: Callable[..., Path]) -> None:
        project = self._mixed(scenario_dir)
        df = green_book_factors(5)
        police_costs = 1_000 * sum(df) + 500 * df[1]
        assert project.pv_costs_by_agency == pytest.approx(
            {"Police": police_costs, "Fire": 5_000.0}, abs=PENNY
        )
        assert project.pv_benefits_by_agency == pytest.approx(
            {"Police": 2_000 * sum(df[1:5]), "Ambulance": 1_500 * sum(df), "Fire": 700 * df[2]},
            abs=PENNY,
        )

    def test_pv_by_agency_sums_to_the_totals(self, scenario_dir: Callable[..., Path]) -> None:
        project = self._mixed(scenario_dir)
        assert sum(project.pv_costs_by_agency.values()) == pytest.approx(project.pv_costs, abs=1e-6)
        assert sum(project.pv_benefits_by_agency.values()) == pytest.approx(
            project.pv_benefits, abs=1e-6
        )

    def test_cashable_npv_counts_cashable_benefits_only(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        project = self._mixed(scenario_dir)
        df = green_book_factors(5)
        cashable = 2_000 * sum(df[1:5]) + 700 * df[2]
        pv_costs = 1_000 * sum(df) + 500 * df[1] + 5_000
        assert project.cashable_npv == pytest.approx(cashable - pv_costs, abs=PENNY)
        assert project.npv == pytest.approx(cashable + 1_500 * sum(df) - pv_costs, abs=PENNY)

    def test_payback_is_the_first_year_cumulative_discounted_net_reaches_zero(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(portfolio_toml(horizon=11), ref=reference_project())
        project = appraise(load_portfolio(folder)).project("REF")
        df = green_book_factors(11)
        cumulative = list(np.cumsum([-100_000] + [15_000 * d for d in df[1:]]))
        first = next(t for t, c in enumerate(cumulative) if c >= 0)
        assert first == 8  # sum DF(1..7) = 6.11 < 6.67 <= sum DF(1..8) = 6.87
        assert project.payback_year == 2017 + 8

    def test_payback_in_year_0_when_nothing_is_spent_first(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        only_benefits = """
        id = "B"
        name = "Benefits only"
        start_year = 2021
        [[benefits]]
        name = "Savings"
        annual = 10
        """
        project = appraise(load_portfolio(scenario_dir(portfolio_toml(), b=only_benefits)))
        assert project.project("B").payback_year == 2021

    def test_payback_when_cumulative_is_exactly_zero(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        # 100 out in year 0, 103.5 back in year 1 at 3.5%: cumulative discounted net is 0.
        exact = """
        id = "E"
        name = "Exact"
        start_year = 2020
        [[costs]]
        name = "Out"
        amounts = [100]
        [[benefits]]
        name = "Back"
        amounts = [0, 103.5]
        """
        result = appraise(load_portfolio(scenario_dir(portfolio_toml(horizon=3), e=exact)))
        assert result.project("E").npv == pytest.approx(0.0, abs=1e-9)
        assert result.project("E").payback_year == 2021

    def test_payback_is_none_when_never_reached(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        losing = """
        id = "L"
        name = "Loss"
        start_year = 2020
        [[costs]]
        name = "Out"
        annual = 100
        [[benefits]]
        name = "Back"
        annual = 50
        """
        folder = scenario_dir(portfolio_toml(), l=losing)
        assert appraise(load_portfolio(folder)).project("L").payback_year is None
        assert run_json(runner, str(folder))["projects"][0]["payback_year"] is None

    def test_payback_year_is_formatted_as_a_financial_year(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(portfolio_toml(horizon=11), ref=reference_project())
        project = run_json(runner, str(folder))["projects"][0]
        assert project["payback_year"] == "2025/26"

    def test_bcr_and_roi_are_none_without_costs(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        only_benefits = """
        id = "B"
        name = "Benefits only"
        start_year = 2020
        [[benefits]]
        name = "Savings"
        annual = 10
        """
        folder = scenario_dir(portfolio_toml(horizon=2), b=only_benefits)
        project = appraise(load_portfolio(folder)).project("B")
        assert project.bcr is None
        assert project.roi is None
        assert project.pv_costs == 0
        assert project.cashable_npv == 0  # nothing cashable, nothing spent
        document = run_json(runner, str(folder))["projects"][0]
        assert document["bcr"] is None
        assert document["roi"] is None
        assert document["pv_costs_by_agency"] == {}

    def test_bcr_is_zero_without_benefits(self, scenario_dir: Callable[..., Path]) -> None:
        only_costs = """
        id = "C"
        name = "Costs only"
        start_year = 2020
        [[costs]]
        name = "Out"
        amounts = [10]
        """
        project = appraise(load_portfolio(scenario_dir(portfolio_toml(), c=only_costs)))
        assert project.project("C").bcr == 0.0
        assert project.project("C").roi == pytest.approx(-1.0)

    def test_counts_toward_target_by_start_year(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(
            portfolio_toml(horizon=11, target=40_000, target_year=2027),
            a=reference_project("A", start_year=2027),
            b=reference_project("B", start_year=2028),
        )
        result = appraise(load_portfolio(folder))
        assert result.project("A").counts_toward_target is True
        assert result.project("B").counts_toward_target is False
        assert result.npv == pytest.approx(2 * 24_749.08, abs=2 * PENNY)
        assert result.npv_toward_target == pytest.approx(24_749.08, abs=PENNY)
        assert result.meets_target is False
        assert result.headroom == pytest.approx(24_749.08 - 40_000, abs=PENNY)
        portfolio = run_json(runner, str(folder))["portfolio"]
        assert portfolio["meets_target"] is False
        assert portfolio["target"] == 40_000.0
        assert portfolio["target_year"] == 2027
        assert portfolio["npv_toward_target"] == pytest.approx(24_749.08, abs=PENNY)
        assert portfolio["headroom"] == pytest.approx(-15_250.92, abs=PENNY)

    def test_meets_target_with_headroom(self, scenario_dir: Callable[..., Path]) -> None:
        folder = scenario_dir(
            portfolio_toml(horizon=11, target=20_000),
            a=reference_project("A", start_year=2030),
        )
        result = appraise(load_portfolio(folder))
        # No target_year: every project counts.
        assert result.project("A").counts_toward_target is True
        assert result.meets_target is True
        assert result.headroom == pytest.approx(4_749.08, abs=PENNY)

    def test_target_met_exactly_counts_as_met(self, scenario_dir: Callable[..., Path]) -> None:
        folder = scenario_dir(portfolio_toml(horizon=1, target=100), a=PROJECT_100)
        result = appraise(load_portfolio(folder))
        assert result.npv_toward_target == 100.0
        assert result.meets_target is True
        assert result.headroom == 0.0

    def test_no_target_gives_null_meets_target_and_headroom(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(portfolio_toml(horizon=11), a=reference_project("A"))
        result = appraise(load_portfolio(folder))
        assert result.meets_target is None
        assert result.headroom is None
        portfolio = run_json(runner, str(folder))["portfolio"]
        assert portfolio["target"] is None
        assert portfolio["meets_target"] is None
        assert portfolio["headroom"] is None
        assert portfolio["npv_toward_target"] == pytest.approx(24_749.08, abs=PENNY)

    def test_portfolio_totals_are_sums_of_projects(self, scenario_dir: Callable[..., Path]) -> None:
        folder = scenario_dir(
            portfolio_toml(horizon=5),
            mix=MIXED_PROJECT,
            xl=excel_project(),
        )
        result = appraise(load_portfolio(folder))
        assert result.npv == pytest.approx(sum(p.npv for p in result.projects), abs=1e-6)
        assert result.pv_costs == pytest.approx(sum(p.pv_costs for p in result.projects))
        assert result.pv_benefits == pytest.approx(sum(p.pv_benefits for p in result.projects))
        assert result.npv == pytest.approx(result.pv_benefits - result.pv_costs, abs=1e-6)

    def test_json_document_keys_follow_spec_in_order(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(
            portfolio_toml(horizon=5, target=1_000, target_year=2027, price_base_year=2023),
            mix=MIXED_PROJECT,
        )
        document = run_json(runner, str(folder))
        assert list(document) == ["portfolio", "projects"]
        assert list(document["portfolio"]) == PORTFOLIO_KEYS
        assert len(document["projects"]) == 1
        assert list(document["projects"][0]) == PROJECT_KEYS

    def test_json_document_values(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(
            portfolio_toml(horizon=5, target=1_000, target_year=2027, price_base_year=2023),
            mix=MIXED_PROJECT,
        )
        document = run_json(runner, str(folder))
        portfolio = document["portfolio"]
        assert portfolio["name"] == "Test portfolio"
        assert portfolio["scenario"] == "central"
        assert portfolio["horizon"] == 5
        assert portfolio["price_base_year"] == 2023
        project = document["projects"][0]
        assert project["id"] == "MIX"
        assert project["name"] == "Mixed agencies"
        assert project["start_year"] == 2019
        assert project["counts_toward_target"] is True
        assert project["years"] == ["2019/20", "2020/21", "2021/22", "2022/23", "2023/24"]
        assert project["costs"] == pytest.approx([6_000, 1_500, 1_000, 1_000, 1_000])
        assert project["benefits"] == pytest.approx([1_500, 3_500, 4_200, 3_500, 3_500])
        assert project["discount_factors"] == pytest.approx(green_book_factors(5), rel=1e-12)
        assert set(project["pv_costs_by_agency"]) == {"Police", "Fire"}
        assert set(project["pv_benefits_by_agency"]) == {"Police", "Ambulance", "Fire"}
        df = green_book_factors(5)
        net = [b - c for b, c in zip(project["benefits"], project["costs"], strict=True)]
        assert project["npv"] == pytest.approx(
            sum(n * d for n, d in zip(net, df, strict=True)), abs=PENNY
        )

    def test_json_uses_full_precision_floats(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = scenario_dir(portfolio_toml(horizon=11), ref=reference_project())
        project = run_json(runner, str(folder))["projects"][0]
        assert project["npv"] == pytest.approx(
            15_000 * sum(green_book_factors(11)[1:]) - 100_000, rel=1e-12
        )
        assert project["npv"] != round(project["npv"], 2)

    @pytest.mark.parametrize(
        ("year", "shown"),
        [(2017, "2017/18"), (2019, "2019/20"), (1999, "1999/00"), (2099, "2099/00")],
    )
    def test_financial_year_names(self, year: int, shown: str) -> None:
        assert financial_year(year) == shown

    def test_years_span_the_horizon(self, scenario_dir: Callable[..., Path]) -> None:
        folder = scenario_dir(portfolio_toml(horizon=10), p=excel_project(start_year=2017))
        project = appraise(load_portfolio(folder)).project("XL")
        assert project.years == list(range(2017, 2027))
        assert project.span == "2017/18–2026/27"


# ---------------------------------------------------------------------------------------------
# Scenarios


SCENARIO_PORTFOLIO = portfolio_toml(
    horizon=11,
    target=30_000,
    extra="""
[scenarios.rate-3pc]
description = "Discount Rate Review proposal"
set = { discount_rate = 0.03 }

[scenarios.no-b]
exclude = ["B"]

[scenarios.both]
set = { discount_rate = 0.1, discount_year0 = true }
exclude = ["A"]
""",
)


class TestScenarios:
    def _folder(self, scenario_dir: Callable[..., Path]) -> Path:
        return scenario_dir(
            SCENARIO_PORTFOLIO,
            a=reference_project("A"),
            b=reference_project("B", start_year=2020),
        )

    @staticmethod
    def _reference_npv(rate: float, year0: bool = False) -> float:
        shift = 1 if year0 else 0
        pv = sum(15_000 * (1 + rate) ** -(t + shift) for t in range(1, 11))
        return pv - 100_000 * (1 + rate) ** -shift

    def test_named_scenario_set_changes_the_rate(self, scenario_dir: Callable[..., Path]) -> None:
        result = appraise(load_portfolio(self._folder(scenario_dir)), "rate-3pc")
        assert result.scenario == "rate-3pc"
        assert result.settings.discount_rate == 0.03
        expected = self._reference_npv(0.03)
        assert result.project("A").npv == pytest.approx(expected, abs=PENNY)
        assert result.npv == pytest.approx(2 * expected, abs=2 * PENNY)

    def test_named_scenario_exclude_leaves_projects_out(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        result = appraise(load_portfolio(self._folder(scenario_dir)), "no-b")
        assert [p.id for p in result.projects] == ["A"]
        assert result.npv == pytest.approx(24_749.08, abs=PENNY)
        assert result.meets_target is False
        assert result.headroom == pytest.approx(24_749.08 - 30_000, abs=PENNY)

    def test_named_scenario_set_and_exclude_together_via_cli(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        document = run_json(runner, str(self._folder(scenario_dir)), "--scenario", "both")
        assert document["portfolio"]["scenario"] == "both"
        assert document["portfolio"]["discount_rate"] == 0.1
        assert [p["id"] for p in document["projects"]] == ["B"]
        expected = self._reference_npv(0.1, year0=True)
        assert document["portfolio"]["npv"] == pytest.approx(expected, abs=PENNY)

    def test_set_option_beats_the_named_scenario(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        folder = str(self._folder(scenario_dir))
        document = run_json(runner, folder, "--scenario", "rate-3pc", "--set", "discount_rate=0.05")
        assert document["portfolio"]["discount_rate"] == 0.05
        assert document["portfolio"]["npv"] == pytest.approx(
            2 * self._reference_npv(0.05), abs=2 * PENNY
        )

    def test_set_overrides_a_projects_own_value(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        own = reference_project("OWN", extra_top="discount_rate = 0.07\nhorizon = 11")
        folder = scenario_dir(portfolio_toml(horizon=12), own=own)
        plain = appraise(load_portfolio(folder)).project("OWN")
        assert plain.settings.discount_rate == 0.07
        assert plain.npv == pytest.approx(self._reference_npv(0.07), abs=PENNY)
        document = run_json(runner, str(folder), "--set", "discount_rate=0.035")
        assert document["projects"][0]["npv"] == pytest.approx(24_749.08, abs=PENNY)
        longer = run_json(runner, str(folder), "--set", "horizon=12")["projects"][0]
        assert len(longer["years"]) == 12
        assert longer["years"][-1] == "2028/29"

    def test_named_scenario_set_overrides_a_projects_own_value(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        own = reference_project("A", extra_top="discount_rate = 0.07")
        folder = scenario_dir(SCENARIO_PORTFOLIO, a=own, b=reference_project("B"))
        result = appraise(load_portfolio(folder), "rate-3pc")
        assert result.project("A").npv == pytest.approx(self._reference_npv(0.03), abs=PENNY)

    def test_unknown_scenario_is_a_usage_error(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        result = runner.invoke(
            cli, ["run", str(self._folder(scenario_dir)), "--scenario", "rate-3p"]
        )
        assert result.exit_code == 2
        assert "rate-3pc" in result.stderr
        assert "Traceback" not in result.output

    # -- pessimistic / optimistic ------------------------------------------------------------

    # (section, field, range, which end lowers the NPV)
    ENDS = (
        ("costs", "annual", (800, 1_000, 1_200), "high"),
        ("costs", "scale", (0.5, 1.0, 2.0), "high"),
        ("costs", "growth", (-0.1, 0.0, 0.1), "high"),
        ("costs", "optimism_bias", (0.1, 0.2, 0.6), "high"),
        ("benefits", "annual", (800, 1_000, 1_200), "low"),
        ("benefits", "quantity", (5, 10, 15), "low"),
        ("benefits", "unit_value", (50, 100, 200), "low"),
        ("benefits", "scale", (0.5, 1.0, 1.5), "low"),
        ("benefits", "growth", (-0.1, 0.0, 0.1), "low"),
        ("benefits", "attribution", (0.2, 0.5, 0.9), "low"),
        ("benefits", "deadweight", (0.1, 0.2, 0.5), "high"),
        ("benefits", "displacement", (0.0, 0.1, 0.3), "high"),
        ("benefits", "drop_off", (0.0, 0.1, 0.2), "high"),
        ("benefits", "optimism_bias", (0.05, 0.1, 0.4), "high"),
    )

    @staticmethod
    def _one_uncertain(section: str, field: str, values: tuple[float, float, float]) -> str:
        low, mid, high = values
        uncertain = f"{{ low = {low}, central = {mid}, high = {high} }}"
        body = {"annual": "1_000"}
        if section == "benefits" and field in ("quantity", "unit_value"):
            body = {"quantity": "10", "unit_value": "100"}
        body[field] = uncertain
        line = "\n".join(f"{k} = {v}" for k, v in body.items())
        other = "benefits" if section == "costs" else "costs"
        return f"""
id = "U"
name = "Uncertain {field}"
start_year = 2020
[[{section}]]
name = "Uncertain line"
{line}
[[{other}]]
name = "Certain line"
annual = 500
"""

    @pytest.mark.parametrize(
        ("section", "field", "values", "pessimistic_end"),
        ENDS,
        ids=[f"{s}-{f}" for s, f, _, _ in ENDS],
    )
    def test_pessimistic_and_optimistic_pick_the_ends_that_move_npv(
        self,
        scenario_dir: Callable[..., Path],
        section: str,
        field: str,
        values: tuple[float, float, float],
        pessimistic_end: str,
    ) -> None:
        folder = scenario_dir(portfolio_toml(), u=self._one_uncertain(section, field, values))
        portfolio = load_portfolio(folder)
        project = portfolio.projects[0]
        line = getattr(project, section)[0]
        low, mid, high = values
        worse, better = (high, low) if pessimistic_end == "high" else (low, high)
        assert prepare(portfolio, "pessimistic").pick(project, line, field) == worse
        assert prepare(portfolio, "central").pick(project, line, field) == mid
        assert prepare(portfolio, "optimistic").pick(project, line, field) == better
        npvs = {s: appraise(portfolio, s).npv for s in ("pessimistic", "central", "optimistic")}
        assert npvs["pessimistic"] < npvs["central"] < npvs["optimistic"]

    def test_pessimistic_cost_annual_high_known_value(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        text = self._one_uncertain("costs", "annual", (800, 1_000, 1_200))
        portfolio = load_portfolio(scenario_dir(portfolio_toml(horizon=10), u=text))
        pv_ten = sum(green_book_factors(10))
        for scenario, annual in (("pessimistic", 1_200), ("optimistic", 800), ("central", 1_000)):
            result = appraise(portfolio, scenario)
            assert result.scenario == scenario
            assert result.npv == pytest.approx((500 - annual) * pv_ten, abs=PENNY)

    def test_pessimistic_benefit_deadweight_high_known_value(
        self, scenario_dir: Callable[..., Path]
    ) -> None:
        text = self._one_uncertain("benefits", "deadweight", (0.1, 0.2, 0.5))
        portfolio = load_portfolio(scenario_dir(portfolio_toml(horizon=10), u=text))
        pv_ten = sum(green_book_factors(10))
        for scenario, deadweight in (("pessimistic", 0.5), ("optimistic", 0.1)):
            expected = (1_000 * (1 - deadweight) - 500) * pv_ten
            assert appraise(portfolio, scenario).npv == pytest.approx(expected, abs=PENNY)

    def test_pessimistic_via_cli_names_the_scenario(
        self, runner: CliRunner, scenario_dir: Callable[..., Path]
    ) -> None:
        # The fixture project: quantity 5..15 x £2,000 of benefits, £10,000 a year of costs.
        folder = str(scenario_dir())
        pv_ten = sum(green_book_factors(10))
        for scenario, quantity in (("pessimistic", 5), ("central", 10), ("optimistic", 15)):
            document = run_json(runner, folder, "--scenario", scenario)
            assert document["portfolio"]["scenario"] == scenario
            expected = (quantity * 2_000 - 10_000) * pv_ten
            assert document["portfolio"]["npv"] == pytest.approx(expected, abs=PENNY)


class TestPaybackYear:
    """SPEC, decisions of the third release: the first financial year from which the cumulative
    discounted net stays >= 0 to the end of the horizon; ``None`` when the NPV is below 0."""

    def test_known_values(self) -> None:
        from npv_calc.calculate import payback_year

        assert payback_year(2020, np.array([-100.0, 60.0, 60.0])) == 2022
        assert payback_year(2020, np.array([0.0, 10.0])) == 2020
        assert payback_year(2020, np.array([-1.0])) is None

    def test_a_cumulative_that_turns_positive_then_negative_has_no_payback(self) -> None:
        from npv_calc.calculate import payback_year

        assert payback_year(2020, np.array([-100.0, 150.0, -80.0])) is None
        # ... and one that dips and recovers pays back where it recovers for good
        assert payback_year(2020, np.array([-100.0, 150.0, -80.0, 90.0])) == 2023

    def test_a_project_that_loses_money_has_no_payback(self) -> None:
        """TRI under pessimistic: its cumulative net turned positive in 2022/23 and then
        negative again; its NPV is below 0, so it has no payback year."""
        tri = appraise(load_portfolio(EXAMPLE), "pessimistic").project("TRI")
        assert tri.npv < 0
        assert tri.payback_year is None
        cumulative = np.cumsum((tri.benefits - tri.costs) * tri.discount_factors)
        assert (cumulative > 0).any()  # it did turn positive on the way
