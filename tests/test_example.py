"""The example portfolio in scenarios/ computes the published headline figures it is calibrated to.

The inputs are illustrative (README); these tests hold the calibration in place so that an edit
to a scenario file, or to the calculation, that moves a headline figure is noticed.
"""

from __future__ import annotations

import json

import pytest

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli

from .conftest import EXAMPLE


@pytest.fixture(scope="module")
def result():
    return appraise(load_portfolio(EXAMPLE))


def test_joint_education_team_npv_to_the_pound(result):
    """The published figures are the plan's: the appraisal as approved, with no outturn."""
    assert round(result.project("JET").plan.npv) == 1_582_214
    assert round(appraise(load_portfolio(EXAMPLE).as_planned()).project("JET").npv) == 1_582_214


def test_collapsed_behind_closed_doors_about_600k(result):
    assert result.project("CBCD").plan.npv == pytest.approx(600_000, rel=0.05)


def test_portfolio_npv_toward_target_is_18_7m_against_15_4m_by_2027(result):
    assert result.target == 15_400_000
    assert result.portfolio.target_year == 2027
    assert result.npv_toward_target_plan == pytest.approx(18_700_000, abs=50_000)
    assert result.meets_target is True and result.meets_target_plan is True
    assert result.headroom == pytest.approx(result.npv_toward_target - 15_400_000)


def test_the_example_records_outturn_to_2023_for_the_projects_under_way(result):
    assert result.as_of == 2023
    for project in result.projects:
        started = project.project.start_year <= 2023
        recorded = any(line.actuals for line in project.project.all_lines)
        assert recorded == started, project.id
        assert project.realised is not None and project.realised.to_year == 2023
    # the outturn moves the latest estimate away from the plan
    assert result.npv != pytest.approx(result.plan.npv)


def test_a_project_after_the_target_year_does_not_count(result):
    late = [p for p in result.projects if p.project.start_year > 2027]
    assert late, "the example should show a project that does not count toward the target"
    assert all(not p.counts_toward_target for p in late)
    assert result.npv == pytest.approx(result.npv_toward_target + sum(p.npv for p in late))


def test_example_has_jet_cbcd_and_five_to_eight_more_projects(result):
    ids = [p.id for p in result.projects]
    assert {"JET", "CBCD"} <= set(ids)
    assert 7 <= len(ids) <= 10
    partners = {a for p in result.projects for a in p.project.partners}
    assert {"Police", "Fire", "Ambulance"} <= partners


def test_every_line_cites_a_source_and_unit_values_rebase_where_needed(result):
    portfolio = result.portfolio
    for project in portfolio.projects:
        for line in project.all_lines:
            assert line.source, f"{project.id} {line.label} has no source"
            if line.unit_value is not None and "Illustrative" not in line.source:
                # a published unit value is in its own year's prices, rebased by the deflators
                assert line.price_year in portfolio.deflators, line.label


def test_key_inputs_are_uncertain(result):
    for project in result.portfolio.projects:
        assert any(line.uncertain() for line in project.all_lines), project.id


@pytest.mark.parametrize("scenario", ["rate-3pc", "no-shared-services", "fifteen-years"])
def test_named_scenarios_run(runner, scenario):
    out = runner.invoke(cli, ["run", str(EXAMPLE), "--scenario", scenario, "--format", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["portfolio"]["scenario"] == scenario


def test_validate_example_is_clean(runner):
    out = runner.invoke(cli, ["validate", str(EXAMPLE)])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("OK:")
