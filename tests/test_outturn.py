"""Benefits realised against plan: outturn (``actuals``) up to ``as_of`` (SPEC.md).

An independent hand calculation of plan, latest and realised for a line of each form; the
properties (no outturn: latest is the plan exactly; outturn equal to the plan's gross term: the
latest differs from the plan only by what outturn does not carry; realised never includes a year
after ``as_of``); validation; the ``progress`` command; the outputs.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli
from npv_calc.errors import InputError

from .cells import SheetView, read_book
from .conftest import EXAMPLE, pack_of

MakeDir = Callable[..., Path]
PENNY = 0.005

PORTFOLIO = """
[portfolio]
name = "Outturn"
target = 10_000
target_year = 2027
as_of = 2022

[appraisal]
discount_rate = 0.035
horizon = 6
price_base_year = 2023

[deflators]
2015 = 78.0
2023 = 100.0
"""

#: A line of each form, each recording outturn: amounts (with optimism bias), annual with
#: growth, quantity x unit value (rebased, graded, with deadweight and attribution), annual
#: with growth and drop-off and displacement.
PROJECT = """
id = "P1"
name = "Outturn project"
start_year = 2020
status = "approved"

[[costs]]
name = "Set-up"
amounts = [50_000, 10_000]
optimism_bias = 0.24
actuals = { 2020 = 55_000 }

[[costs]]
name = "Staff"
annual = 10_000
growth = 0.02
years = [0, 5]
scale = 1.5
actuals = { 2020 = 9_000, 2021 = 12_000 }

[[benefits]]
name = "Incidents avoided"
quantity = { low = 5, central = 10, high = 15 }
unit_value = 2_000
price_year = 2015
deadweight = 0.2
attribution = 0.5
confidence = 3
actuals = { 2021 = 15_000 }

[[benefits]]
name = "Hours released"
annual = 5_000
growth = 0.1
drop_off = 0.05
displacement = 0.1
actuals = { 2020 = 4_000, 2022 = 6_000 }
"""


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def folder_with(scenario_dir: MakeDir, portfolio: str = PORTFOLIO, project: str = PROJECT) -> Path:
    return scenario_dir(portfolio=portfolio, p1=project)


class TestByHand:
    """Plan, latest and realised worked out here from the rules of SPEC.md, not from npv-calc's
    functions: DF(t) = 1.035^-t; a line's gross term times its factor; outturn replaces the
    gross term and drops optimism bias, scale, growth and drop-off."""

    def expected(self) -> dict[str, dict[str, float]]:
        df = [1.035**-t for t in range(6)]
        rebase = 100.0 / 78.0
        grade = 0.10  # confidence 3 in the default grades
        plan = {
            "setup": [50_000 * 1.24, 10_000 * 1.24, 0, 0, 0, 0],
            "staff": [10_000 * 1.02**t * 1.5 for t in range(6)],
            "incidents": [10 * 2_000 * rebase * 0.8 * 0.5 * (1 - grade)] * 6,
            "hours": [5_000 * (1.1 * 0.95) ** t * 0.9 for t in range(6)],
        }
        latest = {k: list(v) for k, v in plan.items()}
        latest["setup"][0] = 55_000.0
        latest["staff"][0], latest["staff"][1] = 9_000.0, 12_000.0
        latest["incidents"][1] = 15_000 * rebase * 0.8 * 0.5
        latest["hours"][0], latest["hours"][2] = 4_000 * 0.9, 6_000 * 0.9
        outturn_years = {"setup": [0], "staff": [0, 1], "incidents": [1], "hours": [0, 2]}

        def pv(flows: dict[str, list[float]], keys: list[str], years=None) -> float:
            return sum(
                flows[k][t] * df[t]
                for k in keys
                for t in (years[k] if years is not None else range(6))
            )

        costs, benefits = ["setup", "staff"], ["incidents", "hours"]
        to_come = {k: [t for t in range(6) if t not in outturn_years[k]] for k in benefits}
        return {
            "to_come": {"pv_benefits": pv(latest, benefits, to_come)},
            "plan": {"pv_costs": pv(plan, costs), "pv_benefits": pv(plan, benefits)},
            "latest": {"pv_costs": pv(latest, costs), "pv_benefits": pv(latest, benefits)},
            "realised": {
                "pv_costs": pv(latest, costs, outturn_years),
                "pv_benefits": pv(latest, benefits, outturn_years),
            },
        }

    def test_plan_latest_and_realised(self, scenario_dir: MakeDir) -> None:
        result = appraise(load_portfolio(folder_with(scenario_dir))).project("P1")
        expected = self.expected()
        for reading, figures in (
            ("plan", result.plan),
            ("latest", result),
            ("realised", result.realised),
        ):
            want = expected[reading]
            assert figures.pv_costs == pytest.approx(want["pv_costs"], abs=PENNY), reading
            assert figures.pv_benefits == pytest.approx(want["pv_benefits"], abs=PENNY), reading
            assert figures.npv == pytest.approx(
                want["pv_benefits"] - want["pv_costs"], abs=PENNY
            ), reading
        assert result.realised.to_year == 2022

    def test_benefits_still_to_come(self, scenario_dir: MakeDir) -> None:
        """The benefits still to come are each line's years without outturn, those before
        ``as_of`` that record none included (a forecast stands in and can still move); the
        switching value is of them, and for the plan of every benefit (SPEC)."""
        from npv_calc.sensitivity import switching_values

        folder = folder_with(scenario_dir)
        latest = appraise(load_portfolio(folder))
        want = self.expected()["to_come"]["pv_benefits"]
        project = latest.project("P1")
        assert project.pv_benefits_to_come == pytest.approx(want, abs=PENNY)
        (value,), fall = switching_values(latest)
        assert value.benefits_fall == pytest.approx(project.npv / want, rel=1e-12)
        assert fall == pytest.approx(latest.headroom / want, rel=1e-12)
        plan = appraise(load_portfolio(folder).as_planned()).project("P1")
        assert plan.pv_benefits_to_come == plan.pv_benefits

    def test_json_keys_of_spec(self, scenario_dir: MakeDir) -> None:
        document = json.loads(invoke("run", folder_with(scenario_dir), "--format", "json").stdout)
        portfolio = document["portfolio"]
        expected = self.expected()
        assert portfolio["as_of"] == 2022
        plan_npv = expected["plan"]["pv_benefits"] - expected["plan"]["pv_costs"]
        assert portfolio["npv_plan"] == pytest.approx(plan_npv, abs=PENNY)
        assert portfolio["npv_toward_target_plan"] == pytest.approx(plan_npv, abs=PENNY)
        realised = expected["realised"]
        assert portfolio["npv_realised"] == pytest.approx(
            realised["pv_benefits"] - realised["pv_costs"], abs=PENNY
        )
        project = document["projects"][0]
        assert list(project["plan"]) == ["npv", "pv_costs", "pv_benefits"]
        assert list(project["realised"]) == ["npv", "pv_costs", "pv_benefits", "to_year"]
        assert project["realised"]["to_year"] == 2022

    def test_without_as_of_the_new_keys_are_null(self, scenario_dir: MakeDir) -> None:
        portfolio = PORTFOLIO.replace("as_of = 2022\n", "")
        project = "\n".join(line for line in PROJECT.splitlines() if "actuals" not in line)
        document = json.loads(
            invoke("run", folder_with(scenario_dir, portfolio, project), "--format", "json").stdout
        )
        top = document["portfolio"]
        assert [
            top[k] for k in ("as_of", "npv_plan", "npv_realised", "npv_toward_target_plan")
        ] == [None] * 4
        assert document["projects"][0]["realised"] == {
            "npv": None,
            "pv_costs": None,
            "pv_benefits": None,
            "to_year": None,
        }
        assert document["projects"][0]["plan"]["npv"] == document["projects"][0]["npv"]

    def test_outturn_is_the_same_in_every_scenario(self, scenario_dir: MakeDir) -> None:
        """The quantity's range moves the forecast years only; the outturn year of
        "Incidents avoided" (2021/22) is the same at both ends."""
        folder = folder_with(scenario_dir)
        for scenario in ("pessimistic", "optimistic"):
            flows = appraise(load_portfolio(folder), scenario).project("P1").lines[2].flows
            assert flows[1] == pytest.approx(15_000 * 100 / 78 * 0.8 * 0.5)

    def test_plan_option_leaves_the_outturn_out(self, scenario_dir: MakeDir) -> None:
        folder = folder_with(scenario_dir)
        plan = json.loads(invoke("run", folder, "--plan", "--format", "json").stdout)
        expected = self.expected()["plan"]
        assert plan["portfolio"]["npv"] == pytest.approx(
            expected["pv_benefits"] - expected["pv_costs"], abs=PENNY
        )
        assert plan["portfolio"]["as_of"] is None


# -- properties ------------------------------------------------------------------------------

ANNUAL = st.integers(1_000, 100_000)
SHARE = st.sampled_from([0.0, 0.1, 0.25, 0.5])


@st.composite
def one_line(draw) -> tuple[str, str, int]:
    """A portfolio with one benefit line (no optimism bias, scale 1) over 6 years from 2020,
    and an ``as_of``: (portfolio.toml, project file, as_of)."""
    as_of = draw(st.integers(2019, 2026))
    growth = draw(st.sampled_from([0.0, 0.03, -0.02]))
    portfolio = PORTFOLIO.replace("as_of = 2022", f"as_of = {as_of}")
    project = (
        'id = "P1"\nname = "One line"\nstart_year = 2020\nstatus = "approved"\n\n'
        f'[[benefits]]\nname = "B"\nannual = {draw(ANNUAL)}\ngrowth = {growth}\n'
        f"deadweight = {draw(SHARE)}\nattribution = {1 - draw(SHARE)}\n"
    )
    return portfolio, project, as_of


@settings(max_examples=40, deadline=None)
@given(case=one_line(), picks=st.lists(st.integers(0, 5), unique=True, max_size=6))
def test_outturn_equal_to_the_plans_gross_term_leaves_the_plan(case, picks, tmp_path_factory):
    """Outturn equal to the plan's gross term, on a line with no optimism bias and scale 1,
    gives the plan back; realised covers exactly the years recorded, none after as_of."""
    portfolio, project, as_of = case
    folder = tmp_path_factory.mktemp("p")
    (folder / "portfolio.toml").write_text(portfolio)
    (folder / "p1.toml").write_text(project)
    plain = appraise(load_portfolio(folder)).project("P1")
    assert plain.npv == plain.plan.npv  # no outturn: the latest is the plan exactly
    line = load_portfolio(folder).projects[0].benefits[0]
    annual, growth = line.annual, line.growth
    years = [t for t in picks if 2020 + t <= as_of]
    if years:
        gross = {2020 + t: annual * (1 + growth) ** t for t in years}
        actuals = ", ".join(f"{y} = {v!r}" for y, v in gross.items())
        (folder / "p1.toml").write_text(project + f"actuals = {{ {actuals} }}\n")
    result = appraise(load_portfolio(folder)).project("P1")
    assert result.npv == pytest.approx(plain.npv, rel=1e-12, abs=1e-6)
    df = result.discount_factors
    realised = sum(result.lines[0].flows[t] * df[t] for t in years)
    assert result.realised.npv == pytest.approx(realised, rel=1e-12, abs=1e-6)
    assert all(2020 + t <= as_of for t in years)


def test_outturn_drops_the_optimism_bias(scenario_dir: MakeDir) -> None:
    """Outturn equal to the plan's gross term on a cost with a 24% uplift: the year's cost is
    the outturn, not the uplifted forecast."""
    project = PROJECT.replace("actuals = { 2020 = 55_000 }", "actuals = { 2020 = 50_000 }")
    result = appraise(load_portfolio(folder_with(scenario_dir, project=project))).project("P1")
    assert result.lines[0].flows[0] == pytest.approx(50_000)
    assert result.plan.pv_costs - result.pv_costs > 0


# -- validation ------------------------------------------------------------------------------


class TestValidation:
    def refused(self, folder: Path, *phrases: str) -> str:
        with pytest.raises(InputError) as caught:
            load_portfolio(folder)
        text = str(caught.value)
        for phrase in phrases:
            assert phrase in text, (phrase, text)
        return text

    def test_after_as_of(self, scenario_dir: MakeDir) -> None:
        project = PROJECT.replace("{ 2021 = 15_000 }", "{ 2021 = 15_000, 2023 = 1 }")
        self.refused(
            folder_with(scenario_dir, project=project),
            "actuals.2023",
            "2023/24 is after as_of (2022/23)",
        )

    def test_outside_the_span(self, scenario_dir: MakeDir) -> None:
        project = PROJECT.replace("{ 2021 = 15_000 }", "{ 2019 = 15_000 }")
        self.refused(
            folder_with(scenario_dir, project=project),
            "2019/20 is outside the project's years, 2020/21 to 2025/26",
        )

    def test_outside_the_span_with_a_shorter_horizon(self, scenario_dir: MakeDir) -> None:
        out = invoke("run", folder_with(scenario_dir), "--set", "horizon=2")
        assert out.exit_code == 1
        assert "2022/23 is outside the project's years, 2020/21 to 2021/22" in out.stderr

    def test_without_as_of(self, scenario_dir: MakeDir) -> None:
        portfolio = PORTFOLIO.replace("as_of = 2022\n", "")
        self.refused(folder_with(scenario_dir, portfolio), "[portfolio] as_of is not set")

    @pytest.mark.parametrize(
        ("entry", "phrase"),
        [
            ('"2021/22" = 15_000', "for 2021/22"),
            ("2021 = -5", "must be 0 or more"),
            ('2021 = "lots"', "must be a number"),
        ],
    )
    def test_bad_entries(self, scenario_dir: MakeDir, entry: str, phrase: str) -> None:
        project = PROJECT.replace("{ 2021 = 15_000 }", f"{{ {entry} }}")
        self.refused(folder_with(scenario_dir, project=project), phrase)

    def test_a_planned_year_without_outturn_is_a_warning(self, scenario_dir: MakeDir) -> None:
        out = invoke("validate", folder_with(scenario_dir))
        assert out.exit_code == 0, out.output
        assert "Warning:" in out.stderr
        assert 'benefits[1] "Incidents avoided": actuals: no outturn for 2020/21, 2022/23' in (
            out.stderr
        )
        strict = invoke("validate", folder_with(scenario_dir), "--strict")
        assert strict.exit_code == 1

    def test_a_project_with_no_outturn_at_all_is_one_warning(self, scenario_dir: MakeDir) -> None:
        project = "\n".join(line for line in PROJECT.splitlines() if "actuals" not in line)
        out = invoke("validate", folder_with(scenario_dir, project=project))
        warnings = [line for line in out.stderr.splitlines() if line.startswith("Warning:")]
        assert len(warnings) == 1 and "records no outturn" in warnings[0]


# -- progress ----------------------------------------------------------------------------------


class TestProgress:
    def test_table(self) -> None:
        out = invoke("progress", EXAMPLE)
        assert out.exit_code == 0, out.output
        assert "progress against plan to 2023/24" in out.stdout
        assert "JCR        not started" in out.stdout
        assert "It starts after 2023/24: nothing to compare yet." in out.stdout
        assert "JET  Joint Education Team" in out.stdout

    def test_json_and_csv_agree_with_run(self) -> None:
        document = json.loads(invoke("progress", EXAMPLE, "--format", "json").stdout)
        run = json.loads(invoke("run", EXAMPLE, "--format", "json").stdout)
        assert document["as_of"] == 2023
        assert document["portfolio"]["npv"] == pytest.approx(run["portfolio"]["npv"])
        assert document["portfolio"]["npv_plan"] == pytest.approx(run["portfolio"]["npv_plan"])
        by_id = {p["id"]: p for p in run["projects"]}
        for project in document["projects"]:
            assert project["npv_plan"] == pytest.approx(by_id[project["id"]]["plan"]["npv"])
            for year in project["years"]:
                assert year["variance"] == pytest.approx(
                    (year["outturn_benefits"] - year["outturn_costs"])
                    - (year["plan_benefits"] - year["plan_costs"])
                )
        jet = next(p for p in document["projects"] if p["id"] == "JET")
        assert [y["year"] for y in jet["years"]] == [
            f"{y}/{(y + 1) % 100:02d}" for y in range(2017, 2024)
        ]
        # the status can be checked from the document: D against 5% of B
        for project in document["projects"]:
            if project["status"] in ("no outturn", "not started"):
                continue
            d, b = project["variance_to_date"], project["plan_pv_benefits_to_date"]
            expected = "ahead" if d > 0.05 * b else "behind" if d < -0.05 * b else "on track"
            assert project["status"] == expected, project["id"]
        rows = invoke("progress", EXAMPLE, "--format", "csv").stdout.splitlines()
        years = sum(len(p["years"]) for p in document["projects"])
        assert len(rows) == 1 + years

    def test_status_rule(self, scenario_dir: MakeDir) -> None:
        """Outturn far below the plan's benefits: behind."""
        project = PROJECT.replace("{ 2021 = 15_000 }", "{ 2020 = 0, 2021 = 0, 2022 = 0 }")
        project = project.replace(
            "{ 2020 = 4_000, 2022 = 6_000 }", "{ 2020 = 0, 2021 = 0, 2022 = 0 }"
        )
        document = json.loads(
            invoke(
                "progress", folder_with(scenario_dir, project=project), "--format", "json"
            ).stdout
        )
        assert document["projects"][0]["status"] == "behind"

    def test_without_as_of(self, scenario_dir: MakeDir) -> None:
        portfolio = PORTFOLIO.replace("as_of = 2022\n", "")
        project = "\n".join(line for line in PROJECT.splitlines() if "actuals" not in line)
        out = invoke("progress", folder_with(scenario_dir, portfolio, project))
        assert out.exit_code == 2
        assert "as_of is not set" in out.stderr and "Traceback" not in out.output


# -- the workbook ------------------------------------------------------------------------------


def test_realisation_sheet_of_the_example(tmp_path: Path) -> None:
    """The NPV table (the appraisal's view, after the delivery status) agrees with
    ``progress``."""
    path = tmp_path / "board.xlsx"
    assert invoke("run", EXAMPLE, "--xlsx", path).exit_code == 0
    assert list(read_book(path).sheets)[:4] == ["Summary", "Projects", "Scenarios", "Realisation"]
    ws = SheetView(path, "Realisation")
    document = json.loads(invoke("progress", EXAMPLE, "--format", "json").stdout)
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 3).value == "Plan NPV")
    rows = {
        ws.cell(r, 1).value: r for r in range(header + 1, header + 1 + len(document["projects"]))
    }
    for project in document["projects"]:
        r = rows[project["id"]]
        assert ws.cell(r, 3).value == pytest.approx(project["npv_plan"], abs=PENNY)
        assert ws.cell(r, 4).value == pytest.approx(project["npv"], abs=PENNY)
        assert ws.cell(r, 5).value == pytest.approx(project["plan_npv_to_date"], abs=PENNY)
        assert ws.cell(r, 6).value == pytest.approx(project["latest_npv_to_date"], abs=PENNY)
        assert ws.cell(r, 7).value == pytest.approx(project["variance_to_date"], abs=PENNY)
    # outturn cells on a project sheet are inputs of their own colour
    jet = load_workbook(path)["JET"]
    outturn = [
        c for row in jet.iter_rows() for c in row if c.fill.fgColor.rgb in ("FFE2EFDA", "00E2EFDA")
    ]
    assert outturn and all(isinstance(c.value, int | float) for c in outturn)
    assert not math.isnan(float(outturn[0].value))


class TestRisksInSettledYears:
    """A risk in a year up to ``as_of`` whose cost outturn is recorded either happened (its
    cost is in a cost line's outturn) or did not: its expected cost is left out of the latest
    estimate, kept in the plan. In a year up to ``as_of`` without cost outturn the plan stands
    in, risk included (SPEC, decisions of the third release)."""

    RISKY = (
        PROJECT
        + """
[[risks]]
name = "Delay"
probability = 0.5
impact = { low = 4_000, central = 8_000, high = 12_000 }
years = [1, 3]
"""
    )

    def test_expected_cost_only_in_years_after_as_of(self, scenario_dir: MakeDir):
        folder = scenario_dir(PORTFOLIO, p1=self.RISKY)
        portfolio = load_portfolio(folder)
        latest = appraise(portfolio).projects[0]
        plan = appraise(portfolio.as_planned()).projects[0]
        df = [1 / 1.035**t for t in range(6)]
        # start 2020, as_of 2022: cost outturn in 2020 and 2021 (years 0 and 1) settles them;
        # 2022 (year 2) has none, so the plan stands in for it, risk included; the risk's years
        # are 1-3
        assert latest.settled == (0, 1)
        assert latest.pv_risk_costs == pytest.approx(0.5 * 8_000 * (df[2] + df[3]), abs=PENNY)
        assert plan.pv_risk_costs == pytest.approx(0.5 * 8_000 * sum(df[1:4]), abs=PENNY)

    def test_the_missing_outturn_warning_says_the_risks_stand_in(self, scenario_dir: MakeDir):
        """SPEC: in a year up to as_of with no cost outturn the plan stands in, risk included,
        and the missing-outturn warning says so."""
        warnings = load_portfolio(scenario_dir(PORTFOLIO, p1=self.RISKY)).warnings
        staff = [w for w in warnings if '"Staff"' in str(w)]
        assert staff and "with no cost outturn for 2022/23, its risks' expected costs count" in (
            staff[0].message
        )
        # a project without risks says nothing of them
        plain = load_portfolio(scenario_dir(PORTFOLIO, p1=PROJECT)).warnings
        assert not any("risks" in w.message for w in plain)

    def test_monte_carlo_draws_only_the_unsettled_years(self, scenario_dir: MakeDir):
        from npv_calc.simulate import simulate

        folder = scenario_dir(PORTFOLIO, p1=self.RISKY)
        portfolio = load_portfolio(folder)
        # the simulated mean agrees with the deterministic NPV only if both leave the settled
        # years' risk out (it is about £7,600 of PV)
        result = simulate(portfolio, 20_000, seed=3)
        base = appraise(portfolio).projects[0]
        spread = result.projects["P1"].std / math.sqrt(20_000)
        assert abs(result.projects["P1"].mean - base.npv) < 6 * spread + 1.0

    def test_a_project_without_outturn_keeps_its_risks(self, scenario_dir: MakeDir):
        bare = "\n".join(line for line in self.RISKY.splitlines() if not line.startswith("actuals"))
        folder = scenario_dir(PORTFOLIO, p1=bare)
        portfolio = load_portfolio(folder)
        latest = appraise(portfolio).projects[0]
        plan = appraise(portfolio.as_planned()).projects[0]
        assert latest.pv_risk_costs == pytest.approx(plan.pv_risk_costs, abs=PENNY)


def test_plan_with_a_named_scenario(runner: CliRunner):
    """--plan leaves the outturn out entirely, so a named scenario's settings checks do not
    find actuals without as_of (they did: every line with actuals was an error)."""
    out = runner.invoke(cli, ["run", str(EXAMPLE), "--plan", "--scenario", "rate-3pc"])
    assert out.exit_code == 0, out.output
    planned = load_portfolio(EXAMPLE).as_planned()
    assert all(not line.actuals for p in planned.projects for line in p.all_lines)
    assert planned.as_of is None


def test_workbook_leaves_a_risk_out_of_settled_years(scenario_dir: MakeDir, tmp_path: Path):
    """The project sheet's risk row recalculates, in LibreOffice, to the latest estimate's
    risk cost: nothing in the years settled by outturn."""
    from npv_calc.report.workbook import write_workbook

    from .cells import sheet_rows
    from .libreoffice import named_values, recalculate_in_libreoffice
    from .test_workbook_libreoffice import assert_stored_values_recalculate

    folder = scenario_dir(PORTFOLIO, p1=TestRisksInSettledYears.RISKY)
    result = appraise(load_portfolio(folder))
    written = write_workbook(pack_of(result), tmp_path / "board.xlsx")
    (recalculated,) = recalculate_in_libreoffice([written], tmp_path / "recalculated")
    assert_stored_values_recalculate(written, recalculated)
    assert named_values(recalculated)["NPV_P1"] == pytest.approx(result.projects[0].npv, abs=PENNY)
    rows = sheet_rows(recalculated, "P1")
    risk = next(r for r, row in enumerate(rows) if row[:2] == ("Delay", "As entered"))
    adjusted = list(rows[risk + 1][2:8])
    # year 0 is outside the risk's years; year 1 is settled by cost outturn; year 2 (2022, up
    # to as_of) has no cost outturn, so the plan stands in for it, risk included
    assert adjusted[:2] == [0, 0]
    assert adjusted[2] == pytest.approx(0.5 * 8_000, abs=PENNY)
    assert adjusted[3] == pytest.approx(0.5 * 8_000, abs=PENNY)
