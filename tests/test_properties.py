"""Properties of the calculation that hold for every valid portfolio (Hypothesis).

Portfolios come from :mod:`strategies` and go through the loader, so each example also checks
that valid input loads. Tolerances are relative to the size of the sums involved: the
properties are exact in real arithmetic and only floating-point rounding separates the sides.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from npv_calc import appraise
from npv_calc.calculate import PortfolioResult, ProjectResult, irr, npv
from npv_calc.discount import discount_factors
from tests import strategies as gen_st

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = settings(max_examples=300, deadline=None)


def size(result: ProjectResult | PortfolioResult) -> float:
    """The scale of the money in a result, for relative tolerances."""
    return abs(result.pv_costs) + abs(result.pv_benefits) + 1.0


def close(a: float, b: float, scale: float, rel: float = 1e-9) -> bool:
    return abs(a - b) <= rel * scale


# ---------------------------------------------------------------------------------------------
# An independent implementation of SPEC.md's formulas, from the generated documents


STANDARD_BANDS = ((1, 30, 0.035), (31, 75, 0.030), (76, 125, 0.025))
STANDARD_BANDS += ((126, 200, 0.020), (201, 300, 0.015), (301, None, 0.010))


def oracle_factors(horizon: int, rate: float, declining: bool, year0: bool) -> list[float]:
    count = horizon + 1 if year0 else horizon
    factors = [1.0]
    for t in range(1, count):
        r = rate
        if declining:
            for first, last, standard in STANDARD_BANDS:
                if t >= first and (last is None or t <= last):
                    r = rate * standard / 0.035
        factors.append(factors[-1] / (1 + r))
    return factors[1:] if year0 else factors


def _central(value: Any) -> Any:
    return value["central"] if isinstance(value, dict) else value


def oracle_line(line: dict[str, Any], section: str, horizon: int, portfolio: dict) -> list[float]:
    """A line's yearly flows by SPEC.md's formulas (central values)."""

    def get(key: str, default: float) -> float:
        return float(_central(line.get(key, default)))

    base = portfolio["appraisal"]["price_base_year"]
    price_year = line.get("price_year", base)
    deflators = portfolio["deflators"]
    price = deflators[str(base)] / deflators[str(price_year)] if price_year != base else 1.0
    if "optimism_bias" in line:
        bias = get("optimism_bias", 0.0)
    elif "confidence" in line:
        bias = portfolio["confidence_grades"][str(line["confidence"])]
    else:
        bias = 0.0
    growth, drop_off = get("growth", 0.0), get("drop_off", 0.0)
    change = (1 + growth) * ((1 - drop_off) if section == "benefits" else 1.0)
    if "amounts" in line:
        amounts = list(line["amounts"])
        yearly = amounts + [0.0] * (horizon - len(amounts))
    else:
        annual = (
            get("annual", 0.0) if "annual" in line else get("quantity", 0) * get("unit_value", 0)
        )
        first, last = line.get("years", [0, horizon - 1])
        yearly = [
            annual * change ** (t - first) if first <= t <= last else 0.0 for t in range(horizon)
        ]
    if section == "costs":
        factor = get("scale", 1.0) * (1 + bias) * price
    else:
        factor = (
            get("scale", 1.0)
            * (1 - get("deadweight", 0.0))
            * (1 - get("displacement", 0.0))
            * get("attribution", 1.0)
            * (1 - bias)
            * price
        )
    return [y * factor for y in yearly]


def oracle_project(project: dict[str, Any], portfolio: dict[str, Any]) -> dict[str, float]:
    """pv_costs, pv_benefits and npv of a generated project by SPEC.md's formulas."""
    settings_ = {**portfolio["appraisal"]}
    settings_.update({k: v for k, v in project.items() if k in settings_})
    horizon = settings_["horizon"]
    factors = oracle_factors(
        horizon, settings_["discount_rate"], settings_["declining"], settings_["discount_year0"]
    )
    pv = {}
    for section in ("costs", "benefits"):
        total = 0.0
        for line in project.get(section, []):
            flows = oracle_line(line, section, horizon, portfolio)
            total += sum(f * d for f, d in zip(flows, factors, strict=True))
        pv[section] = total
    return {
        "pv_costs": pv["costs"],
        "pv_benefits": pv["benefits"],
        "npv": pv["benefits"] - pv["costs"],
    }


# ---------------------------------------------------------------------------------------------
# Properties of a portfolio


class TestAgainstIndependentImplementation:
    @PROPERTY
    @given(generated=gen_st.portfolios(max_horizon=60))
    def test_central_figures_match_the_spec_formulas(
        self, generated: gen_st.GeneratedPortfolio
    ) -> None:
        result = appraise(gen_st.loaded(generated))
        for project, document in zip(result.projects, generated.projects, strict=True):
            expected = oracle_project(document, generated.portfolio)
            scale = size(project)
            for key in ("pv_costs", "pv_benefits", "npv"):
                assert close(getattr(project, key), expected[key], scale), (key, project.id)


class TestLinearity:
    @PROPERTY
    @given(
        generated=gen_st.portfolios(),
        k=st.one_of(st.sampled_from([0.0, 0.5, 2.0, 10.0]), st.floats(0.001, 1_000.0)),
    )
    def test_scaling_every_money_input_scales_npv(
        self, generated: gen_st.GeneratedPortfolio, k: float
    ) -> None:
        base = appraise(gen_st.loaded(generated))
        scaled = appraise(gen_st.loaded(gen_st.scale_money(generated, k)))
        scale = k * size(base) + 1e-9
        assert close(scaled.npv, k * base.npv, scale)
        for before, after in zip(base.projects, scaled.projects, strict=True):
            assert close(after.npv, k * before.npv, scale)
            assert close(after.pv_costs, k * before.pv_costs, scale)
            assert close(after.pv_benefits, k * before.pv_benefits, scale)
            assert close(after.cashable_npv, k * before.cashable_npv, scale)
            if k > 0 and before.bcr is not None and before.pv_costs > 1e-3:
                assert after.bcr == pytest.approx(before.bcr, rel=1e-9, abs=1e-12)


class TestAdditivity:
    @PROPERTY
    @given(generated=gen_st.portfolios(min_projects=2, max_projects=4), data=st.data())
    def test_portfolio_npv_is_the_sum_of_separate_appraisals(
        self, generated: gen_st.GeneratedPortfolio, data: st.DataObject
    ) -> None:
        cut = data.draw(st.integers(1, len(generated.projects) - 1), label="cut")
        first = gen_st.with_projects(generated, generated.projects[:cut])
        second = gen_st.with_projects(generated, generated.projects[cut:])
        together = appraise(gen_st.loaded(generated))
        apart = [appraise(gen_st.loaded(first)), appraise(gen_st.loaded(second))]
        scale = size(together)
        assert close(together.npv, apart[0].npv + apart[1].npv, scale)
        assert close(together.pv_costs, apart[0].pv_costs + apart[1].pv_costs, scale)
        assert close(together.pv_benefits, apart[0].pv_benefits + apart[1].pv_benefits, scale)
        separately = {p.id: p.npv for part in apart for p in part.projects}
        for project in together.projects:
            assert project.npv == separately[project.id]

    @PROPERTY
    @given(generated=gen_st.portfolios(max_projects=4))
    def test_portfolio_totals_are_sums_over_projects(
        self, generated: gen_st.GeneratedPortfolio
    ) -> None:
        result = appraise(gen_st.loaded(generated))
        scale = size(result)
        assert close(result.npv, sum(p.npv for p in result.projects), scale)
        assert close(result.pv_costs, sum(p.pv_costs for p in result.projects), scale)
        assert close(result.pv_benefits, sum(p.pv_benefits for p in result.projects), scale)
        toward = sum(p.npv for p in result.projects if p.counts_toward_target)
        assert close(result.npv_toward_target, toward, scale)
        if result.target is None:
            assert result.meets_target is None
            assert result.headroom is None
        else:
            assert result.meets_target == (result.npv_toward_target >= result.target)
            assert close(result.headroom, result.npv_toward_target - result.target, scale)

    @PROPERTY
    @given(generated=gen_st.portfolios(max_projects=3))
    def test_pv_by_agency_sums_to_the_totals(self, generated: gen_st.GeneratedPortfolio) -> None:
        for project in appraise(gen_st.loaded(generated)).projects:
            scale = size(project)
            assert close(sum(project.pv_costs_by_agency.values()), project.pv_costs, scale)
            assert close(sum(project.pv_benefits_by_agency.values()), project.pv_benefits, scale)
            # Non-cashable benefits are never negative: cashable NPV cannot exceed NPV.
            assert project.cashable_npv <= project.npv + 1e-9 * scale


class TestDiscounting:
    @PROPERTY
    @given(generated=gen_st.portfolios())
    def test_at_rate_zero_npv_is_the_undiscounted_net_sum(
        self, generated: gen_st.GeneratedPortfolio
    ) -> None:
        portfolio = gen_st.loaded(generated)
        result = appraise(portfolio, overrides={"discount_rate": 0.0})
        for project in result.projects:
            assert project.discount_factors.tolist() == [1.0] * project.settings.horizon
            net = float(np.sum(project.benefits) - np.sum(project.costs))
            assert close(project.npv, net, size(project))

    @FAST
    @given(
        horizon=st.integers(1, 400),
        rate=st.floats(1e-6, 1.0),
        declining=st.booleans(),
        year0=st.booleans(),
    )
    def test_factors_strictly_decrease_for_a_positive_rate(
        self, horizon: int, rate: float, declining: bool, year0: bool
    ) -> None:
        factors = discount_factors(horizon, rate, declining, year0)
        assert factors.shape == (horizon,)
        assert np.all(factors > 0)
        assert np.all(factors <= 1)
        assert np.all(np.diff(factors) < 0)
        assert factors[0] == pytest.approx(1 / (1 + rate) if year0 else 1.0, rel=1e-15)

    @FAST
    @given(horizon=st.integers(1, 400), rate=st.floats(0.0, 0.2), declining=st.booleans())
    def test_year0_is_the_green_book_schedule_shifted_one_year(
        self, horizon: int, rate: float, declining: bool
    ) -> None:
        shifted = discount_factors(horizon, rate, declining, year0=True)
        plain = discount_factors(horizon + 1, rate, declining)
        assert shifted.tolist() == plain[1:].tolist()

    @PROPERTY
    @given(generated=gen_st.portfolios())
    def test_discount_year0_divides_a_flat_rate_npv_by_1_plus_r(
        self, generated: gen_st.GeneratedPortfolio
    ) -> None:
        portfolio = gen_st.loaded(generated)
        plain = appraise(portfolio, overrides={"declining": False, "discount_year0": False})
        shifted = appraise(portfolio, overrides={"declining": False, "discount_year0": True})
        for before, after in zip(plain.projects, shifted.projects, strict=True):
            rate = before.settings.discount_rate
            assert close(after.npv, before.npv / (1 + rate), size(before))
            assert close(after.pv_costs, before.pv_costs / (1 + rate), size(before))


class TestScenarioOrder:
    @PROPERTY
    @given(generated=gen_st.portfolios(max_projects=3))
    def test_pessimistic_le_central_le_optimistic(
        self, generated: gen_st.GeneratedPortfolio
    ) -> None:
        portfolio = gen_st.loaded(generated)
        results = {s: appraise(portfolio, s) for s in ("pessimistic", "central", "optimistic")}
        low, mid, high = results["pessimistic"], results["central"], results["optimistic"]
        tolerance = 1e-9 * (size(low) + size(high))
        assert low.npv <= mid.npv + tolerance
        assert mid.npv <= high.npv + tolerance
        for p, c, o in zip(low.projects, mid.projects, high.projects, strict=True):
            assert p.npv <= c.npv + tolerance, p.id
            assert c.npv <= o.npv + tolerance, p.id
            assert p.pv_costs + tolerance >= c.pv_costs >= o.pv_costs - tolerance
            assert p.pv_benefits <= c.pv_benefits + tolerance
            assert c.pv_benefits <= o.pv_benefits + tolerance


class TestMetrics:
    @PROPERTY
    @given(generated=gen_st.portfolios())
    def test_bcr_above_one_iff_npv_positive(self, generated: gen_st.GeneratedPortfolio) -> None:
        for project in appraise(gen_st.loaded(generated)).projects:
            if project.pv_costs > 0:
                assert project.bcr is not None
                assert project.roi is not None
                assume(abs(project.npv) > 1e-9 * size(project))
                assert (project.bcr > 1) == (project.npv > 0)
                assert (project.roi > 0) == (project.npv > 0)
                assert project.bcr == pytest.approx(project.pv_benefits / project.pv_costs)
            else:
                assert project.bcr is None
                assert project.roi is None

    @PROPERTY
    @given(generated=gen_st.portfolios())
    def test_payback_is_the_first_year_from_which_the_cumulative_stays_not_negative(
        self, generated: gen_st.GeneratedPortfolio
    ) -> None:
        """SPEC: the first financial year from which the cumulative discounted net stays >= 0
        to the end of the horizon; none when the NPV is below 0."""
        for project in appraise(gen_st.loaded(generated)).projects:
            net = (project.benefits - project.costs) * project.discount_factors
            cumulative = np.cumsum(net)
            tolerance = 1e-6 + 1e-12 * size(project)
            if project.payback_year is None:
                assert cumulative[-1] < tolerance
                assert project.npv < tolerance
            else:
                t = project.payback_year - project.project.start_year
                assert 0 <= t < project.settings.horizon
                assert np.all(cumulative[t:] >= -tolerance)
                assert t == 0 or cumulative[t - 1] < tolerance

    @PROPERTY
    @given(generated=gen_st.portfolios())
    def test_project_npv_is_zero_at_its_irr(self, generated: gen_st.GeneratedPortfolio) -> None:
        for project in appraise(gen_st.loaded(generated)).projects:
            if project.irr is None:
                continue
            net = project.benefits - project.costs
            assert project.irr > -1
            assert _is_root(net, project.irr)


# ---------------------------------------------------------------------------------------------
# IRR of arbitrary flows


def _npv_at(flows: list[float], rate: float) -> float:
    return sum(v * math.exp(-t * math.log1p(rate)) for t, v in enumerate(flows))


def _magnitude_at(flows: Any, rate: float) -> float:
    """sum |v_t| (1 + r)^-t: the size of the terms whose sum is the NPV at ``rate``, so the
    rounding error of that sum is relative to it (near -100% the terms are huge)."""
    return sum(abs(float(v)) * math.exp(-t * math.log1p(rate)) for t, v in enumerate(flows))


def _is_root(flows: Any, rate: float) -> bool:
    return abs(npv(rate, flows)) <= 1e-7 * _magnitude_at(flows, rate)


class TestIrrProperties:
    @FAST
    @given(flows=gen_st.net_flows)
    def test_npv_at_the_irr_is_zero(self, flows: list[float]) -> None:
        rate = irr(flows)
        if rate is not None:
            assert rate > -1
            assert _is_root(flows, rate)

    @FAST
    @given(flows=gen_st.conventional_flows())
    def test_one_sign_change_always_has_an_irr(self, flows: list[float]) -> None:
        # Descartes: outlays then returns give exactly one rate above -100% with NPV 0.
        rate = irr(flows)
        assert rate is not None
        assert _is_root(flows, rate)
        # NPV falls through 0 at the IRR: positive just below it, negative just above.
        step = 1e-6 * min(1 + rate, 1.0)
        assert _npv_at(flows, rate - step) > 0 > _npv_at(flows, rate + step)

    @FAST
    @given(flows=gen_st.net_flows, k=st.floats(0.01, 100.0))
    def test_irr_does_not_depend_on_the_scale_of_the_flows(
        self, flows: list[float], k: float
    ) -> None:
        rate = irr(flows)
        scaled = irr([k * v for v in flows])
        if rate is None:
            return
        assert scaled is not None
        assert scaled == pytest.approx(rate, rel=1e-6, abs=1e-9)

    @FAST
    @given(
        flows=st.lists(gen_st.money, max_size=30),
        sign=st.sampled_from([1.0, -1.0]),
    )
    def test_flows_of_one_sign_have_no_irr(self, flows: list[float], sign: float) -> None:
        assert irr([sign * v for v in flows]) is None
