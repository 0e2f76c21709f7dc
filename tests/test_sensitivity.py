"""Sensitivity analysis: the tornado and switching values (SPEC.md "sensitivity", "Switching
values" and the ``sensitivity --format json`` document).

The tornado is checked against direct recalculation, both through the library (a ``Case`` with
one value fixed) and, more independently, by editing a copy of the scenario files so that the
uncertain table becomes the plain low or high number and running ``run`` on it. Switching values
are checked by applying them: scaling benefits (or costs) by the switching value brings the NPV
to 0 (or the NPV toward the target to the target).
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from npv_calc import appraise, load_portfolio, to_dict
from npv_calc.calculate import appraise_case
from npv_calc.cli import cli
from npv_calc.scenarios import prepare
from npv_calc.sensitivity import sensitivity
from tests import strategies as gen_st

from .conftest import EXAMPLE, PORTFOLIO, PROJECT

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REL = 1e-9


def close(a: float, b: float, scale: float, rel: float = REL) -> bool:
    return abs(a - b) <= rel * (abs(scale) + 1.0)


@pytest.fixture(scope="module")
def example():
    return load_portfolio(EXAMPLE)


@pytest.fixture(scope="module")
def example_sensitivity(example):
    """The example's plan: with its outturn, an input used only in years that record outturn
    moves nothing (tested in TestOutturn), and the mechanics below need every bar to move."""
    return sensitivity(example.as_planned())


class TestOutturn:
    def test_outturn_years_do_not_move(self, example):
        """The example's SSS implementation costs fall in 2018/19 and 2019/20, both recorded:
        its optimism bias range moves nothing, in the tornado as in Monte Carlo."""
        analysis = sensitivity(example)
        bar = next(b for b in analysis.tornado if b.project == "SSS" and b.field == "optimism_bias")
        assert bar.swing == 0
        planned = next(
            b
            for b in sensitivity(example.as_planned()).tornado
            if b.project == "SSS" and b.field == "optimism_bias"
        )
        assert planned.swing > 100_000

    def test_a_benefit_range_moves_only_the_years_after_as_of(self, example):
        """JET's drop-off moves the years from 2024/25 only: the swing is what those years'
        flows give at each end."""
        from npv_calc.calculate import appraise_case

        analysis = sensitivity(example)
        bar = next(b for b in analysis.tornado if b.project == "JET" and b.field == "drop_off")
        case = prepare(example)
        for end, npv in ((bar.low, bar.npv_at_low), (bar.high, bar.npv_at_high)):
            key = ("JET", "benefits", 1, "drop_off")
            assert appraise_case(replace(case, fixed={key: end})).npv == pytest.approx(npv)
        assert (
            0
            < bar.swing
            < next(
                b.swing
                for b in sensitivity(example.as_planned()).tornado
                if b.project == "JET" and b.field == "drop_off"
            )
        )


def json_of(runner, *args: str) -> dict[str, Any]:
    out = runner.invoke(cli, list(args))
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def raw_ranges(folder: Path) -> set[tuple[str, str, int, str]]:
    """Every uncertain table with ``low < high`` in a scenario directory's project files, read
    straight from the TOML: (project id, section, 1-based line index, field)."""
    found = set()
    for path in folder.rglob("*.toml"):
        if path.name == "portfolio.toml":
            continue
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        # A project with options stands for its preferred option (the example's includes BAU,
        # whose lines cancel): its own tables are the project's.
        tables = next(
            (o for o in document.get("options", []) if o["id"] == document.get("preferred")),
            document,
        )
        for section in ("costs", "benefits", "risks"):
            for index, line in enumerate(tables.get(section, []), start=1):
                for key, value in line.items():
                    if key == "actuals":
                        continue  # outturn by year, not a range
                    if isinstance(value, dict) and value["low"] < value["high"]:
                        found.add((document["id"], section, index, key))
    return found


# ---------------------------------------------------------------------------------------------
# The tornado against direct recalculation


class TestTornadoEnds:
    def test_every_bar_equals_appraisal_with_that_value_fixed(self, example, example_sensitivity):
        case = prepare(example.as_planned())
        for bar in example_sensitivity.tornado:
            key = (bar.project, bar.section, bar.index, bar.field)
            at_low = appraise_case(replace(case, fixed={key: bar.low})).npv
            at_high = appraise_case(replace(case, fixed={key: bar.high})).npv
            assert close(bar.npv_at_low, at_low, at_low), bar
            assert close(bar.npv_at_high, at_high, at_high), bar
            toward_low = appraise_case(replace(case, fixed={key: bar.low})).npv_toward_target
            toward_high = appraise_case(replace(case, fixed={key: bar.high})).npv_toward_target
            assert close(bar.toward_target_at_low, toward_low, toward_low), bar
            assert close(bar.toward_target_at_high, toward_high, toward_high), bar
        # 29 ranges on lines and the impacts of the 2 risks
        assert len(example_sensitivity.tornado) == 31

    def test_central_npv_lies_between_the_ends(self, example_sensitivity):
        base = example_sensitivity.base.npv
        for bar in example_sensitivity.tornado:
            # the central value lies in the range, so the central NPV lies between the ends
            lo, hi = sorted((bar.npv_at_low, bar.npv_at_high))
            assert lo < hi, bar
            assert lo - 1e-6 <= base <= hi + 1e-6, bar

    def test_bars_match_editing_the_scenario_files(self, runner, tmp_path):
        """For a selection of bars, replace the uncertain table in a copy of the example files
        with the low (then the high) number and appraise the copy with ``run``."""
        # --plan: the example's outturn years are fixed whatever the inputs, and an edit of a
        # central value moves them; the plan has none, so an edit is exactly a bar's end.
        document = json_of(runner, "sensitivity", str(EXAMPLE), "--format", "json", "--plan")
        bars = document["tornado"]
        chosen: dict[tuple[str, str, str], dict] = {}
        for bar in [bars[0], bars[1], bars[-1]]:
            chosen[(bar["project"], bar["line"], bar["field"])] = bar
        for bar in bars:  # the first bar of every field, so that each kind of input is covered
            if not any(key[2] == bar["field"] for key in chosen):
                chosen[(bar["project"], bar["line"], bar["field"])] = bar
        assert {key[2] for key in chosen} >= {
            "annual",
            "quantity",
            "optimism_bias",
            "drop_off",
            "attribution",
            "growth",
        }
        for (pid, line_name, field), bar in chosen.items():
            for end, expected in (("low", bar["npv_at_low"]), ("high", bar["npv_at_high"])):
                folder = tmp_path / f"{pid}-{field}-{end}-{len(list(tmp_path.iterdir()))}"
                shutil.copytree(EXAMPLE, folder)
                edit_uncertain(folder, pid, line_name, field, bar[end])
                npv = json_of(runner, "run", str(folder), "--format", "json", "--plan")[
                    "portfolio"
                ]["npv"]
                assert close(expected, npv, npv), (pid, line_name, field, end)

    def test_editing_helper_changes_the_npv(self, runner, tmp_path):
        """The file edit really happens (guards the test above against a no-op edit)."""
        central = json_of(runner, "run", str(EXAMPLE), "--format", "json")["portfolio"]["npv"]
        folder = tmp_path / "copy"
        shutil.copytree(EXAMPLE, folder)
        edit_uncertain(folder, "JCR", "Control room staff savings", "annual", 900000.0)
        edited = json_of(runner, "run", str(folder), "--format", "json")["portfolio"]["npv"]
        assert edited < central - 1_000_000

    @PROPERTY
    @given(generated=gen_st.portfolios(max_horizon=30))
    def test_every_bar_equals_direct_recalculation_generated(self, generated):
        portfolio = gen_st.loaded(generated)
        analysis = sensitivity(portfolio)
        case = prepare(portfolio)
        expected_keys = set()
        for project in portfolio.projects:
            for line in project.all_lines:
                for field, _ in line.uncertain():
                    expected_keys.add((project.id, line.section, line.index, field))
        keys = [(b.project, b.section, b.index, b.field) for b in analysis.tornado]
        assert sorted(keys) == sorted(expected_keys)
        for bar in analysis.tornado:
            key = (bar.project, bar.section, bar.index, bar.field)
            for end, got in ((bar.low, bar.npv_at_low), (bar.high, bar.npv_at_high)):
                result = appraise_case(replace(case, fixed={key: end}))
                scale = result.pv_costs + result.pv_benefits
                assert close(got, result.npv, scale), bar
            assert bar.low < bar.high


def edit_uncertain(folder: Path, pid: str, line_name: str, field: str, value: float) -> None:
    """Replace ``field = { low = ..., ... }`` in the line named ``line_name`` of project ``pid``
    with ``field = value``, as text (comments and everything else left as they are)."""
    for path in folder.rglob("*.toml"):
        if path.name == "portfolio.toml":
            continue
        text = path.read_text(encoding="utf-8")
        if tomllib.loads(text)["id"] != pid:
            continue
        blocks = re.split(r"(?m)^(?=\[\[)", text)
        for i, block in enumerate(blocks):
            if not block.startswith("[["):
                continue
            if tomllib.loads(block.split("\n", 1)[1]).get("name") != line_name:
                continue
            pattern = re.compile(rf"(?m)^{field}\s*=\s*\{{[^}}]*\}}")
            assert len(pattern.findall(block)) == 1, (path, line_name, field)
            blocks[i] = pattern.sub(f"{field} = {float(value)!r}", block)
            path.write_text("".join(blocks), encoding="utf-8")
            return
    raise AssertionError(f"no line {line_name!r} in project {pid!r}")


# ---------------------------------------------------------------------------------------------
# Order and membership


class TestTornadoShape:
    def test_sorted_by_swing_descending(self, example_sensitivity):
        swings = [bar.swing for bar in example_sensitivity.tornado]
        assert swings == sorted(swings, reverse=True)
        assert swings[0] > swings[-1] > 0

    def test_swing_is_the_absolute_difference(self, example_sensitivity):
        for bar in example_sensitivity.tornado:
            assert bar.swing == abs(bar.npv_at_high - bar.npv_at_low)
        # a cost range lowers the NPV at its high end: the swing is still positive
        costs = [b for b in example_sensitivity.tornado if b.section == "costs"]
        assert costs and all(b.npv_at_high < b.npv_at_low for b in costs)

    def test_exactly_the_ranges_in_the_files(self, example_sensitivity):
        bars = {(b.project, b.section, b.index, b.field) for b in example_sensitivity.tornado}
        assert len(bars) == len(example_sensitivity.tornado)
        assert bars == raw_ranges(EXAMPLE)

    def test_only_values_with_low_below_high_appear(self, runner, scenario_dir):
        project = PROJECT.replace(
            "unit_value = 2_000",
            "unit_value = { low = 2_000, central = 2_000, high = 2_000 }\n"
            "attribution = { low = 0.5, central = 0.5, high = 0.5 }\n"
            "deadweight = { low = 0.1, central = 0.2, high = 0.3 }",
        )
        folder = scenario_dir(p1=project)
        document = json_of(runner, "sensitivity", str(folder), "--format", "json")
        assert [(b["field"], b["low"], b["high"]) for b in document["tornado"]] == [
            ("quantity", 5.0, 15.0),
            ("deadweight", 0.1, 0.3),
        ]
        # quantity 5..15 at £2,000 over 10 years: the larger swing, so first
        assert document["tornado"][0]["swing"] > document["tornado"][1]["swing"]

    def test_no_ranges_gives_an_empty_tornado(self, runner, scenario_dir):
        project = PROJECT.replace("{ low = 5, central = 10, high = 15 }", "10")
        folder = scenario_dir(p1=project)
        document = json_of(runner, "sensitivity", str(folder), "--format", "json")
        assert document["tornado"] == []
        assert len(document["switching_values"]) == 1
        out = runner.invoke(cli, ["sensitivity", str(folder)])
        assert out.exit_code == 0
        assert "No input has a range" in out.stdout


# ---------------------------------------------------------------------------------------------
# Switching values

REFERENCE_PROJECT = """
id = "REF"
name = "Reference"
start_year = 2020
horizon = 11
discount_rate = 0.035
declining = false

[[costs]]
name = "Outlay"
amounts = [100_000]

[[benefits]]
name = "Return"
annual = 15_000
years = [1, 10]
"""

COSTS_ONLY = """
id = "C"
name = "Costs only"
start_year = 2020

[[costs]]
name = "Staff"
annual = 5_000
"""

BENEFITS_ONLY = """
id = "B"
name = "Benefits only"
start_year = 2030

[[benefits]]
name = "Savings"
annual = 7_000
"""


def to_come(project: dict) -> float:
    """A project's PV of benefits still to come, from ``run --format json``: its benefits less
    those realised (the example records outturn for every benefit line in every year to
    ``as_of``, so the years realised are the years with outturn)."""
    realised = project["realised"] or {}
    return project["pv_benefits"] - (realised.get("pv_benefits") or 0.0)


class TestSwitchingValues:
    def test_spec_reference_value(self, runner, scenario_dir):
        folder = scenario_dir(portfolio=None, ref=REFERENCE_PROJECT)
        document = json_of(runner, "sensitivity", str(folder / "ref.toml"), "--format", "json")
        (value,) = document["switching_values"]
        assert value["project"] == "REF"
        # SPEC.md: NPV 24,749.08 on PV benefits 124,749.08: benefits could fall 19.84%
        assert value["benefits_fall"] == pytest.approx(24_749.08 / 124_749.08, abs=1e-7)
        assert round(value["benefits_fall"] * 100, 2) == 19.84
        assert value["costs_rise"] == pytest.approx(24_749.08 / 100_000, abs=1e-7)
        assert document["portfolio"]["npv"] == pytest.approx(24_749.08, abs=0.005)
        assert document["portfolio"]["benefits_fall_to_miss_target"] is None

    def test_per_project_ratios_of_the_run_figures(self, runner):
        run = json_of(runner, "run", str(EXAMPLE), "--format", "json")
        document = json_of(runner, "sensitivity", str(EXAMPLE), "--format", "json")
        values = {v["project"]: v for v in document["switching_values"]}
        assert list(values) == [p["id"] for p in run["projects"]]
        for project in run["projects"]:
            value = values[project["id"]]
            assert value["benefits_fall"] == pytest.approx(
                project["npv"] / to_come(project), rel=1e-12
            )
            assert value["costs_rise"] == pytest.approx(
                project["npv"] / project["pv_costs"], rel=1e-12
            )
        assert document["portfolio"]["npv"] == pytest.approx(run["portfolio"]["npv"], rel=1e-12)
        counting = sum(to_come(p) for p in run["projects"] if p["counts_toward_target"])
        assert document["portfolio"]["benefits_fall_to_miss_target"] == pytest.approx(
            run["portfolio"]["headroom"] / counting, rel=1e-12
        )

    def test_null_without_benefits_or_costs(self, runner, scenario_dir):
        folder = scenario_dir(p1=PROJECT, c=COSTS_ONLY, b=BENEFITS_ONLY)
        document = json_of(runner, "sensitivity", str(folder), "--format", "json")
        values = {v["project"]: v for v in document["switching_values"]}
        assert set(values) == {"P1", "C", "B"}
        assert values["C"]["benefits_fall"] is None
        assert values["C"]["costs_rise"] == -1.0  # NPV = -PV costs: costs must fall 100%
        assert values["B"]["costs_rise"] is None
        assert values["B"]["benefits_fall"] == 1.0  # NPV = PV benefits
        assert values["P1"]["benefits_fall"] is not None
        assert values["P1"]["costs_rise"] is not None
        out = runner.invoke(cli, ["sensitivity", str(folder)])
        assert out.exit_code == 0
        assert "–" in out.stdout  # a missing switching value is shown as a dash

    def test_portfolio_fall_uses_only_projects_counting_toward_the_target(
        self, runner, scenario_dir
    ):
        # B starts in 2030, after target_year 2027: its benefits do not count
        folder = scenario_dir(p1=PROJECT, b=BENEFITS_ONLY)
        run = json_of(runner, "run", str(folder), "--format", "json")
        p1 = next(p for p in run["projects"] if p["id"] == "P1")
        b = next(p for p in run["projects"] if p["id"] == "B")
        assert b["counts_toward_target"] is False and p1["counts_toward_target"] is True
        document = json_of(runner, "sensitivity", str(folder), "--format", "json")
        expected = (p1["npv"] - 100_000) / p1["pv_benefits"]
        assert document["portfolio"]["benefits_fall_to_miss_target"] == pytest.approx(
            expected, rel=1e-12
        )
        assert document["portfolio"]["npv"] == pytest.approx(p1["npv"] + b["npv"], rel=1e-12)

    def test_portfolio_fall_null_without_a_target(self, runner, scenario_dir):
        portfolio = PORTFOLIO.replace("target = 100_000\ntarget_year = 2027\n", "")
        assert "target" not in portfolio
        folder = scenario_dir(portfolio=portfolio)
        document = json_of(runner, "sensitivity", str(folder), "--format", "json")
        assert document["portfolio"]["benefits_fall_to_miss_target"] is None
        out = runner.invoke(cli, ["sensitivity", str(folder)])
        assert "no target, so no switching value" in out.stdout

    @PROPERTY
    @given(generated=gen_st.portfolios(max_horizon=30))
    def test_applying_the_switching_values_brings_npv_to_zero(self, generated):
        portfolio = gen_st.loaded(generated)
        analysis = sensitivity(portfolio)
        base = analysis.base
        for value, document in zip(analysis.switching_values, generated.projects, strict=True):
            assert value.project == document["id"]
            result = base.project(value.project)
            scale = result.pv_costs + result.pv_benefits
            if value.benefits_fall is not None:
                moved = scale_lines(generated, document["id"], "benefits", 1 - value.benefits_fall)
                npv = appraise(gen_st.loaded(moved)).project(value.project).npv
                assert close(npv, 0.0, scale), (value, npv)
            else:
                assert result.pv_benefits == 0
            if value.costs_rise is not None:
                moved = scale_lines(generated, document["id"], "costs", 1 + value.costs_rise)
                npv = appraise(gen_st.loaded(moved)).project(value.project).npv
                assert close(npv, 0.0, scale), (value, npv)
            else:
                assert result.pv_costs == 0

    @PROPERTY
    @given(generated=gen_st.portfolios(max_horizon=30))
    def test_applying_the_portfolio_fall_meets_the_target_exactly(self, generated):
        portfolio = gen_st.loaded(generated)
        analysis = sensitivity(portfolio)
        base = analysis.base
        fall = analysis.benefits_fall_to_miss_target
        counting = [p for p in base.projects if p.counts_toward_target]
        if base.target is None or sum(p.pv_benefits for p in counting) == 0:
            assert fall is None
            return
        assert fall is not None
        moved = generated
        for project in counting:
            moved = scale_lines(moved, project.id, "benefits", 1 - fall)
        result = appraise(gen_st.loaded(moved))
        scale = base.pv_costs + base.pv_benefits + base.target
        assert close(result.npv_toward_target, base.target, scale), (fall, result.headroom)
        # projects that do not count are untouched
        for project in base.projects:
            if not project.counts_toward_target:
                assert result.project(project.id).npv == project.npv


def scale_lines(
    generated: gen_st.GeneratedPortfolio, pid: str, section: str, k: float
) -> gen_st.GeneratedPortfolio:
    """A copy with the ``scale`` of every ``section`` line of project ``pid`` multiplied by k."""
    projects = []
    for project in generated.projects:
        if project["id"] == pid:
            project = dict(project)
            lines = []
            for line in project[section]:
                line = dict(line)
                scale = line.get("scale", 1.0)
                if isinstance(scale, dict):
                    line["scale"] = {key: v * k for key, v in scale.items()}
                else:
                    line["scale"] = scale * k
                lines.append(line)
            project[section] = lines
        projects.append(project)
    return gen_st.with_projects(generated, projects)


# ---------------------------------------------------------------------------------------------
# The command


class TestCommand:
    def test_json_document_keys(self, runner):
        document = json_of(runner, "sensitivity", str(EXAMPLE), "--format", "json")
        # projects: the example's control room has options, each with its tornado
        # (tests/test_options_sensitivity.py)
        assert list(document) == [
            "scenario",
            "tornado",
            "switching_values",
            "portfolio",
            "projects",
        ]
        assert document["scenario"] == "central"
        for bar in document["tornado"]:
            assert list(bar) == [
                "project",
                "line",
                "field",
                "low",
                "high",
                "npv_at_low",
                "npv_at_high",
                "swing",
                "toward_target_at_low",
                "toward_target_at_high",
                "toward_target_swing",
            ]
        for value in document["switching_values"]:
            assert list(value) == ["project", "benefits_fall", "costs_rise"]
        assert list(document["portfolio"]) == ["npv", "benefits_fall_to_miss_target"]
        top = document["tornado"][0]
        assert (top["project"], top["line"], top["field"]) == (
            "JCR",
            "Control room staff savings",
            "annual",
        )
        assert (top["low"], top["high"]) == (900_000, 1_200_000)

    def test_json_matches_the_library(self, runner, example_sensitivity):
        document = json_of(runner, "sensitivity", str(EXAMPLE), "--format", "json", "--plan")
        assert document == json.loads(json.dumps(to_dict(example_sensitivity)))

    def test_table_mentions_top_bar_and_switching_values(self, runner, example_sensitivity):
        out = runner.invoke(cli, ["sensitivity", str(EXAMPLE), "--plan"])
        assert out.exit_code == 0, out.output
        text = out.stdout
        # the table ranks the bars by the measure the target is tested against
        top = example_sensitivity.ranked()[0]
        row = next(line for line in text.splitlines() if line.strip().startswith("1 "))
        assert top.project in row and top.line in row and top.field in row
        assert f"£{round(top.toward_target_swing):,}" in row
        for value in example_sensitivity.switching_values:
            row = next(
                line
                for line in text.splitlines()
                if line.startswith(value.project + " ") and "%" in line
            )
            assert f"{value.benefits_fall * 100:.1f}%" in row
            assert f"{value.costs_rise * 100:.1f}%" in row
        fall = example_sensitivity.benefits_fall_to_miss_target
        assert f"could all fall by {fall * 100:.1f}% before the target is missed" in text
        assert f"£{round(example_sensitivity.base.npv):,}" in text

    def test_scenario_option_is_honoured(self, runner, example):
        document = json_of(
            runner, "sensitivity", str(EXAMPLE), "--format", "json", "--scenario", "pessimistic"
        )
        run = json_of(runner, "run", str(EXAMPLE), "--format", "json", "--scenario", "pessimistic")
        assert document["scenario"] == "pessimistic"
        assert document["portfolio"]["npv"] == pytest.approx(run["portfolio"]["npv"], rel=1e-12)
        central = appraise(example).npv
        assert document["portfolio"]["npv"] < central - 1_000_000
        # the bars move one value with every other value pessimistic
        case = prepare(example, "pessimistic")
        bars = sensitivity(example, "pessimistic").tornado
        for bar, shown in zip(bars[:5], document["tornado"][:5], strict=True):
            key = (bar.project, bar.section, bar.index, bar.field)
            assert shown["npv_at_high"] == pytest.approx(
                appraise_case(replace(case, fixed={key: bar.high})).npv, rel=1e-12
            )

    def test_named_scenario_excludes_projects(self, runner):
        document = json_of(
            runner,
            "sensitivity",
            str(EXAMPLE),
            "--format",
            "json",
            "--scenario",
            "no-shared-services",
        )
        assert document["scenario"] == "no-shared-services"
        assert "SSS" not in {b["project"] for b in document["tornado"]}
        assert "SSS" not in {v["project"] for v in document["switching_values"]}
        run = json_of(
            runner, "run", str(EXAMPLE), "--format", "json", "--scenario", "no-shared-services"
        )
        assert document["portfolio"]["npv"] == pytest.approx(run["portfolio"]["npv"], rel=1e-12)

    def test_set_option_is_honoured(self, runner, example):
        args = ["--format", "json", "--set", "discount_rate=0.05"]
        document = json_of(runner, "sensitivity", str(EXAMPLE), *args)
        run = json_of(runner, "run", str(EXAMPLE), *args)
        assert document["portfolio"]["npv"] == pytest.approx(run["portfolio"]["npv"], rel=1e-12)
        assert document["portfolio"]["npv"] != pytest.approx(appraise(example).npv, rel=1e-3)
        case = prepare(example, overrides={"discount_rate": 0.05})
        top = sensitivity(example, overrides={"discount_rate": 0.05}).tornado[0]
        key = (top.project, top.section, top.index, top.field)
        assert document["tornado"][0]["npv_at_low"] == pytest.approx(
            appraise_case(replace(case, fixed={key: top.low})).npv, rel=1e-12
        )
        values = {v["project"]: v for v in document["switching_values"]}
        for project in run["projects"]:
            assert values[project["id"]]["benefits_fall"] == pytest.approx(
                project["npv"] / to_come(project), rel=1e-12
            )

    def test_bad_input_reports_every_problem(self, runner, scenario_dir):
        bad = PROJECT.replace("annual = 10_000", "annual = -10_000").replace(
            'status = "approved"', 'status = "maybe"'
        )
        folder = scenario_dir(p1=bad)
        out = runner.invoke(cli, ["sensitivity", str(folder), "--format", "json"])
        assert out.exit_code == 1
        assert out.stdout == ""
        errors = [line for line in out.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 2, out.stderr
        assert any("annual" in line for line in errors)
        assert any("status" in line for line in errors)
        assert "Traceback" not in out.output

    def test_bad_set_value_exits_1(self, runner):
        out = runner.invoke(cli, ["sensitivity", str(EXAMPLE), "--set", "horizon=0"])
        assert out.exit_code == 1
        assert out.stderr.startswith("Error: ")
        assert "horizon" in out.stderr
        assert "Traceback" not in out.output

    def test_invalid_toml_exits_1(self, runner, scenario_dir):
        folder = scenario_dir(p1="id = \n")
        out = runner.invoke(cli, ["sensitivity", str(folder)])
        assert out.exit_code == 1
        assert out.stderr.startswith("Error: ")
        assert "Traceback" not in out.output

    def test_unknown_scenario_is_a_usage_error(self, runner):
        out = runner.invoke(cli, ["sensitivity", str(EXAMPLE), "--scenario", "rate3pc"])
        assert out.exit_code == 2
        assert 'unknown scenario "rate3pc"' in out.stderr
