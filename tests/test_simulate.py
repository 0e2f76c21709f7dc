"""Monte Carlo simulation (SPEC.md "Monte Carlo" and the ``simulate --format json`` document).

The vectorised simulation is checked against a brute-force re-implementation that draws the
same numbers (one PCG64 stream per uncertain value, named by the value and seeded by the seed)
and appraises every
draw with the ordinary calculation; against the means of the distributions for a model that is
linear in its inputs; and for reproducibility and independence from its memory limits.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from npv_calc import appraise, load_portfolio
from npv_calc.calculate import appraise_case
from npv_calc.cli import cli
from npv_calc.model import MAX_SEED
from npv_calc.scenarios import prepare
from npv_calc.simulate import PERCENTILES, draws, simulate, stream
from npv_calc.simulate.model import compile_case, drawn_counts
from tests import strategies as gen_st

from .conftest import EXAMPLE, PORTFOLIO, PROJECT

PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A small portfolio that exercises every way an uncertain value enters the NPV: amounts x
# scale, annual with uncertain growth and optimism bias, quantity x unit value with deadweight,
# attribution and drop-off (and a price_year and a confidence grade), displacement, a table
# with low == high (a constant, never drawn), a line with nothing uncertain, and a project that
# starts after the target year (so does not count toward the target).
BRUTE_PORTFOLIO = """
[portfolio]
name = "Brute force"
target = 1_000
target_year = 2027

[appraisal]
discount_rate = 0.035
horizon = 10
price_base_year = 2023

[deflators]
2015 = 80.0
2023 = 100.0
"""

BRUTE_A = """
id = "A"
name = "Project A"
start_year = 2020

[[costs]]
name = "Staff"
annual = { low = 40_000, central = 50_000, high = 70_000 }
growth = { low = 0.0, central = 0.01, high = 0.03 }
optimism_bias = { low = 0.0, central = 0.1, high = 0.3 }

[[costs]]
name = "Set-up"
kind = "capital"
amounts = [60_000, 10_000]
scale = { low = 0.8, central = 1.0, high = 1.5 }

[[costs]]
name = "Licences"
annual = 5_000

[[benefits]]
name = "Fires avoided"
quantity = { low = 5, central = 10, high = 20 }
unit_value = { low = 1_500, central = 2_000, high = 2_400 }
price_year = 2015
years = [1, 9]
deadweight = { low = 0.1, central = 0.2, high = 0.4 }
attribution = { low = 0.4, central = 0.6, high = 0.7 }
drop_off = { low = 0.0, central = 0.05, high = 0.1 }
confidence = 3

[[benefits]]
name = "Hours released"
annual = { low = 70_000, central = 70_000, high = 70_000 }
displacement = { low = 0.0, central = 0.1, high = 0.2 }
optimism_bias = { low = 0.0, central = 0.05, high = 0.2 }
growth = { low = -0.02, central = 0.0, high = 0.02 }
"""

BRUTE_B = """
id = "B"
name = "Project B"
start_year = 2030

[[costs]]
name = "Running"
annual = { low = 20_000, central = 25_000, high = 35_000 }

[[benefits]]
name = "Savings"
annual = { low = 10_000, central = 30_000, high = 40_000 }
scale = { low = 0.5, central = 1.0, high = 1.2 }
"""

# Linear in every uncertain input: the mean NPV is the NPV at the inputs' means.
LINEAR = """
id = "L"
name = "Linear"
start_year = 2020

[[costs]]
name = "Staff"
annual = { low = 50_000, central = 60_000, high = 90_000 }

[[costs]]
name = "Set-up"
amounts = [40_000]

[[benefits]]
name = "Savings"
annual = { low = 80_000, central = 100_000, high = 150_000 }

[[benefits]]
name = "Incidents avoided"
quantity = { low = 100, central = 120, high = 200 }
unit_value = 500
deadweight = 0.2
"""

DISTRIBUTION_MEANS = {
    "pert": lambda a, m, b: (a + 4 * m + b) / 6,
    "uniform": lambda a, m, b: (a + b) / 2,
    "triangular": lambda a, m, b: (a + m + b) / 3,
}


def json_of(runner, *args: str) -> dict[str, Any]:
    out = runner.invoke(cli, list(args))
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


@pytest.fixture(scope="module")
def example():
    return load_portfolio(EXAMPLE)


@pytest.fixture
def brute_dir(scenario_dir) -> Path:
    return scenario_dir(portfolio=BRUTE_PORTFOLIO, a=BRUTE_A, b=BRUTE_B)


def assert_same_results(a, b) -> None:
    """Percentiles and probabilities identical, moments equal to rounding."""
    pairs = [(a.portfolio, b.portfolio)]
    pairs += [(a.projects[pid], b.projects[pid]) for pid in a.projects]
    for x, y in pairs:
        assert x.percentiles == y.percentiles
        assert x.mean == pytest.approx(y.mean, rel=1e-9)
        assert x.std == pytest.approx(y.std, rel=1e-9)
        assert x.prob_negative == y.prob_negative
    assert a.prob_meets_target == b.prob_meets_target
    assert np.array_equal(a.histogram_counts, b.histogram_counts)
    assert np.array_equal(a.histogram_edges, b.histogram_edges)


# ---------------------------------------------------------------------------------------------
# Reproducibility and independence from memory limits


class TestReproducible:
    def test_same_seed_same_document(self, runner, brute_dir):
        args = ["simulate", str(brute_dir), "-n", "2000", "--seed", "7", "--format", "json"]
        first, second = json_of(runner, *args), json_of(runner, *args)
        assert first == second
        assert first["seed"] == 7

    def test_different_seeds_differ(self, runner, brute_dir):
        base = ["simulate", str(brute_dir), "-n", "2000", "--format", "json", "--seed"]
        one, two = json_of(runner, *base, "7"), json_of(runner, *base, "8")
        assert one["portfolio"]["mean"] != two["portfolio"]["mean"]
        assert one["portfolio"]["p50"] != two["portfolio"]["p50"]
        assert [p["mean"] for p in one["projects"]] != [p["mean"] for p in two["projects"]]

    def test_without_seed_a_seed_is_chosen_and_reported(self, runner, brute_dir):
        base = ["simulate", str(brute_dir), "-n", "500", "--format", "json"]
        first, second = json_of(runner, *base), json_of(runner, *base)
        for document in (first, second):
            assert isinstance(document["seed"], int)
            assert 0 <= document["seed"] <= MAX_SEED
        assert first["seed"] != second["seed"]  # 1 chance in 2**32 of a false failure
        again = json_of(runner, *base, "--seed", str(first["seed"]))
        assert again == first
        out = runner.invoke(cli, ["simulate", str(brute_dir), "-n", "500"])
        assert out.exit_code == 0
        assert "seed " in out.stdout

    def test_two_pass_mode_gives_the_same_answers(self, example):
        """Draws kept neither in memory nor in a file (``store_bytes=0``, ``spill_bytes=0``: a
        temporary folder with no room): a second pass finds the same order statistics."""
        n = 3001
        default = simulate(example, n, seed=11)
        two_pass = simulate(example, n, seed=11, store_bytes=0, spill_bytes=0)
        assert (default.passes, two_pass.passes) == (1, 2)
        assert default.chunk_size == two_pass.chunk_size == n
        assert_same_results(default, two_pass)

    def test_draws_kept_in_a_file_give_the_same_answers_in_one_pass(self, example):
        """Draws that do not fit in memory (``store_bytes=0``) go to a temporary file: one pass,
        and the same statistics as when they are kept in memory."""
        n = 3001
        default = simulate(example, n, seed=11)
        spilled = simulate(example, n, seed=11, store_bytes=0, chunk_bytes=20_000)
        assert spilled.passes == 1 and spilled.chunk_size < n
        assert_same_results(default, spilled)
        assert spilled.drivers == default.drivers  # ranked against the draws read back

    @pytest.mark.parametrize(
        "memory",
        [{"store_bytes": 0, "spill_bytes": 0}, {"store_bytes": 0}, {}],
        ids=["two-pass", "spilled", "stored"],
    )
    @pytest.mark.parametrize("chunk_bytes", [1, 1600, 20_000])
    def test_results_do_not_depend_on_chunk_size(self, example, memory, chunk_bytes):
        """simulate.py: "the same seed gives the same draws whatever the chunk size" and the
        memory limits "the results do not depend on them"; method.md 9.3: "the draws, the
        percentiles, the probabilities and the histogram are identical whatever the chunk
        size". (chunk_bytes=1 gives a chunk of one draw; 1600 a few draws. 301 draws: ten
        replicates of 30, and 301 chunks of one.)"""
        n = 301
        default = simulate(example, n, seed=11)
        other = simulate(example, n, seed=11, chunk_bytes=chunk_bytes, **memory)
        assert default.passes == 1 and default.chunk_size == n
        assert other.passes == (2 if memory.get("spill_bytes") == 0 else 1)
        assert other.chunk_size < n
        if chunk_bytes == 1:
            assert other.chunk_size == 1
        assert_same_results(default, other)

    @pytest.mark.parametrize("name", ["00-first.toml", "zz-last.toml"])
    def test_adding_a_project_does_not_change_the_draws_of_the_others(self, brute_dir, name):
        """simulate.py: "adding a project does not change the draws of the others"."""
        before = simulate(load_portfolio(brute_dir), 500, seed=21)
        (brute_dir / name).write_text(
            'id = "NEW"\nname = "New"\nstart_year = 2021\n\n[[costs]]\nname = "Staff"\n'
            "annual = { low = 1_000, central = 2_000, high = 4_000 }\n",
            encoding="utf-8",
        )
        after = simulate(load_portfolio(brute_dir), 500, seed=21)
        assert set(after.projects) == {"A", "B", "NEW"}
        for pid in ("A", "B"):
            assert after.projects[pid] == before.projects[pid], pid

    def test_two_pass_percentiles_match_numpy_with_a_target_in_play(self, brute_dir):
        portfolio = load_portfolio(brute_dir)
        default = simulate(portfolio, 4001, seed=5)
        two_pass = simulate(portfolio, 4001, seed=5, store_bytes=0, spill_bytes=0, chunk_bytes=2048)
        spilled = simulate(portfolio, 4001, seed=5, store_bytes=0, chunk_bytes=2048)
        assert (two_pass.passes, spilled.passes) == (2, 1)
        assert 0 < default.prob_meets_target < 1
        for other in (two_pass, spilled):
            assert default.prob_meets_target == other.prob_meets_target
            for pid in ("A", "B"):
                assert default.projects[pid].percentiles == other.projects[pid].percentiles
            assert default.portfolio.percentiles == other.portfolio.percentiles


# ---------------------------------------------------------------------------------------------
# Degenerate and linear models


class TestFixedInputs:
    @pytest.mark.parametrize("target, meets", [(1_000_000, 0.0), (50_000, 1.0)])
    def test_no_ranges_give_the_deterministic_npv(self, scenario_dir, target, meets):
        project = PROJECT.replace(
            "{ low = 5, central = 10, high = 15 }", "{ low = 10, central = 10, high = 10 }"
        )
        losing = """
            id = "LOSS"
            name = "Loss maker"
            start_year = 2021

            [[costs]]
            name = "Staff"
            annual = { low = 3_000, central = 3_000, high = 3_000 }

            [[benefits]]
            name = "Savings"
            annual = 1_000
            """
        folder = scenario_dir(
            portfolio=PORTFOLIO.replace("target = 100_000", f"target = {target}"),
            p1=project,
            loss=losing,
        )
        portfolio = load_portfolio(folder)
        deterministic = appraise(portfolio)
        for distribution in ("pert", "triangular", "uniform"):
            result = simulate(portfolio, 1000, seed=3, distribution=distribution)
            assert result.uncertain_values == 0
            expected = {"": deterministic.npv} | {p.id: p.npv for p in deterministic.projects}
            stats = {"": result.portfolio} | result.projects
            for key, s in stats.items():
                for q in PERCENTILES:
                    assert abs(s.p(q) - expected[key]) < 0.005, (key, q)
                assert abs(s.mean - expected[key]) < 0.005
                assert s.std < 0.005
            assert result.projects["P1"].prob_negative == 0.0
            assert result.projects["LOSS"].prob_negative == 1.0
            assert deterministic.project("P1").npv > 0 > deterministic.project("LOSS").npv
            assert result.prob_meets_target == meets
            assert deterministic.meets_target is bool(meets)


class TestLinearMeans:
    @pytest.mark.parametrize("distribution", ["pert", "uniform", "triangular"])
    def test_mean_is_the_npv_at_the_distribution_means(self, scenario_dir, distribution):
        portfolio = load_portfolio(scenario_dir(portfolio=PORTFOLIO, linear=LINEAR))
        n = 20_000
        result = simulate(portfolio, n, seed=2024, distribution=distribution)
        error = result.portfolio.std / math.sqrt(n)
        assert error > 0
        case = prepare(portfolio)

        def npv_at(mean) -> float:
            fixed = {
                (project.id, line.section, line.index, field): mean(v.low, v.central, v.high)
                for project in portfolio.projects
                for line in project.all_lines
                for field, v in line.uncertain()
            }
            assert len(fixed) == 3
            return appraise_case(replace(case, fixed=fixed)).npv

        expected = npv_at(DISTRIBUTION_MEANS[distribution])
        assert abs(result.portfolio.mean - expected) <= 4 * error
        assert abs(result.projects["L"].mean - expected) <= 4 * error
        # the check can tell the distributions apart: the others' means are far outside it
        for other, mean in DISTRIBUTION_MEANS.items():
            if other != distribution:
                assert abs(npv_at(mean) - expected) > 10 * error, other


# ---------------------------------------------------------------------------------------------
# Properties over generated portfolios


class TestProperties:
    @PROPERTY
    @given(
        generated=gen_st.portfolios(max_horizon=30),
        distribution=st.sampled_from(["pert", "triangular", "uniform"]),
        seed=st.integers(0, MAX_SEED),
    )
    def test_percentiles_ordered_and_inside_the_scenario_bounds(
        self, generated, distribution, seed
    ):
        portfolio = gen_st.loaded(generated)
        result = simulate(portfolio, 2000, seed=seed, distribution=distribution)
        low = appraise(portfolio, "pessimistic")
        high = appraise(portfolio, "optimistic")
        pairs = [(result.portfolio, low.npv, high.npv)]
        pairs += [(result.projects[p.id], p.npv, high.project(p.id).npv) for p in low.projects]
        for s, pessimistic, optimistic in pairs:
            tiny = 1e-9 * (abs(pessimistic) + abs(optimistic) + 1.0)
            values = [s.p(q) for q in (5.0, 10.0, 50.0, 90.0, 95.0)]
            assert values == sorted(values)
            assert pessimistic - tiny <= values[0]
            assert values[-1] <= optimistic + tiny
            assert pessimistic - tiny <= s.mean <= optimistic + tiny
            assert s.std >= 0
            assert 0.0 <= s.prob_negative <= 1.0
        if portfolio.target is None:
            assert result.prob_meets_target is None
        else:
            assert 0.0 <= result.prob_meets_target <= 1.0

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(generated=gen_st.board_portfolios())
    def test_what_is_counted_up_front_is_what_is_drawn(self, generated):
        """The limit is checked on counts taken before compiling (simulate.model.drawn_counts):
        they are the compiled model's uncertain values and risk events, with risks, outturn,
        options and named scenarios."""
        assert_counted_as_drawn(gen_st.loaded(generated))

    def test_the_example_is_counted_as_drawn(self):
        """Options (business as usual and the rest), risks that may happen, named scenarios."""
        assert_counted_as_drawn(load_portfolio(EXAMPLE))

    def test_risks_certain_or_impossible_are_counted_as_drawn(self, scenario_dir):
        """A risk that always or never happens draws no event; its impact's range is drawn."""
        risks = "".join(
            f'[[risks]]\nname = "R{i}"\nprobability = {p}\nimpact = {impact}\n'
            for i, (p, impact) in enumerate(
                (p, impact)
                for p in (0, 0.5, 1)
                for impact in ("1_000", "{ low = 1, central = 2, high = 3 }")
            )
        )
        portfolio = load_portfolio(scenario_dir(p1=PROJECT + risks))
        assert_counted_as_drawn(portfolio)
        assert drawn_counts(prepare(portfolio))[1] == 2  # the two at 0.5


def assert_counted_as_drawn(portfolio) -> None:
    for scenario in ("central", *portfolio.scenarios):
        model = compile_case(prepare(portfolio, scenario))
        values = len(model.values)
        counted = drawn_counts(prepare(portfolio, scenario))
        assert counted == (values, len(model.columns) - values), scenario


# ---------------------------------------------------------------------------------------------
# Brute force: the same draws, appraised one at a time


def brute_force(
    portfolio, n: int, seed: int, distribution: str, sampling: str = "lhs"
) -> dict[str, np.ndarray]:
    """Project NPVs (and the portfolio's and the NPV toward the target) for each of ``n`` draws:
    the simulation's own draws (:func:`npv_calc.simulate.draws`), each appraised with the
    ordinary calculation, one at a time."""
    drawn = draws(portfolio, n, seed=seed, distribution=distribution, sampling=sampling)
    case = prepare(portfolio)
    out: dict[str, list[float]] = {p.id: [] for p in portfolio.projects}
    out["portfolio"], out["toward"] = [], []
    for i in range(n):
        fixed = {key: float(column[i]) for key, column in drawn.items()}
        result = appraise_case(replace(case, fixed=fixed))
        for p in result.projects:
            out[p.id].append(p.npv)
        out["portfolio"].append(result.npv)
        out["toward"].append(result.npv_toward_target)
    return {k: np.array(v) for k, v in out.items()}


class TestStreams:
    def test_each_value_has_its_own_named_stream(self):
        """method.md 9.3: ``SeedSequence(S, spawn_key=k)``, k four 32-bit words from the
        value's name."""
        key = ("A", "costs", 1, "annual")
        sequence = stream(7, key)
        assert sequence.entropy == 7
        assert len(sequence.spawn_key) == 4
        assert all(0 <= word < 2**32 for word in sequence.spawn_key)
        assert stream(8, key).spawn_key == sequence.spawn_key
        others = [
            ("B", "costs", 1, "annual"),
            ("A", "benefits", 1, "annual"),
            ("A", "costs", 2, "annual"),
            ("A", "costs", 1, "growth"),
        ]
        keys = {sequence.spawn_key, *(stream(7, other).spawn_key for other in others)}
        assert len(keys) == 5
        first = np.random.Generator(np.random.PCG64(stream(7, key))).random(3)
        again = np.random.Generator(np.random.PCG64(stream(7, key))).random(3)
        assert np.array_equal(first, again)


class TestBruteForce:
    @pytest.mark.parametrize("distribution", ["pert", "triangular", "uniform"])
    def test_simulation_matches_appraising_each_draw(self, brute_dir, distribution):
        portfolio = load_portfolio(brute_dir)
        n, seed = 50, 20240401
        result = simulate(portfolio, n, seed=seed, distribution=distribution)
        # A's lines: 3 + 1 costs values, 5 + 3 benefits values (the low == high table is not
        # drawn); B's: 1 + 2
        assert result.uncertain_values == 15
        npvs = brute_force(portfolio, n, seed, distribution)
        columns = [("portfolio", result.portfolio)]
        columns += [(pid, result.projects[pid]) for pid in ("A", "B")]
        for key, s in columns:
            scale = float(np.max(np.abs(npvs[key])))
            assert s.mean == pytest.approx(float(np.mean(npvs[key])), abs=1e-9 * scale)
            assert s.std == pytest.approx(float(np.std(npvs[key])), abs=1e-9 * scale)
            for q in PERCENTILES:
                expected = float(np.percentile(npvs[key], q))
                assert s.p(q) == pytest.approx(expected, abs=1e-9 * scale), (key, q)
            assert s.prob_negative == float(np.mean(npvs[key] < 0))
        target = portfolio.target
        assert result.prob_meets_target == float(np.mean(npvs["toward"] >= target))
        # only A counts toward the target (B starts after 2027)
        assert np.array_equal(npvs["toward"], npvs["A"])
        # the draws really vary, and both outcomes occur, so the checks above mean something
        assert 0 < result.prob_meets_target < 1
        assert 0 < result.projects["A"].prob_negative < 1
        assert result.portfolio.std > 10_000

    def test_cli_document_matches_brute_force(self, runner, brute_dir):
        document = json_of(
            runner, "simulate", str(brute_dir), "-n", "50", "--seed", "99", "--format", "json"
        )
        npvs = brute_force(load_portfolio(brute_dir), 50, 99, "pert")
        assert document["portfolio"]["p50"] == pytest.approx(
            float(np.percentile(npvs["portfolio"], 50)), rel=1e-9
        )
        assert document["portfolio"]["prob_meets_target"] == float(np.mean(npvs["toward"] >= 1_000))
        for project in document["projects"]:
            assert project["mean"] == pytest.approx(float(np.mean(npvs[project["id"]])), rel=1e-9)
            assert project["p10"] == pytest.approx(
                float(np.percentile(npvs[project["id"]], 10)), rel=1e-9
            )
            assert project["prob_negative"] == float(np.mean(npvs[project["id"]] < 0))


# ---------------------------------------------------------------------------------------------
# The command


class TestCommand:
    def test_json_document_keys(self, runner, brute_dir):
        document = json_of(
            runner,
            "simulate",
            str(brute_dir),
            "-n",
            "300",
            "--seed",
            "1",
            "--distribution",
            "triangular",
            "--format",
            "json",
        )
        assert list(document) == [
            "iterations",
            "seed",
            "distribution",
            "sampling",
            "correlation_groups",
            "portfolio",
            "projects",
            "drivers",
        ]
        assert (document["iterations"], document["seed"], document["distribution"]) == (
            300,
            1,
            "triangular",
        )
        assert list(document["portfolio"]) == [
            "mean",
            "std",
            "p5",
            "p10",
            "p50",
            "p90",
            "p95",
            "prob_meets_target",
            "mean_se",
            "prob_meets_target_se",
            "toward_target",
        ]
        assert list(document["portfolio"]["toward_target"]) == [
            "mean",
            "std",
            "p5",
            "p10",
            "p50",
            "p90",
            "p95",
        ]
        assert (document["sampling"], document["correlation_groups"]) == ("lhs", [])
        assert [p["id"] for p in document["projects"]] == ["A", "B"]
        assert {tuple(d) for d in document["drivers"]} == {
            ("project", "line", "field", "rank_correlation", "contribution", "group")
        }
        assert sum(d["contribution"] for d in document["drivers"]) == pytest.approx(1.0)
        for project in document["projects"]:
            assert list(project) == ["id", "mean", "p10", "p50", "p90", "prob_negative"]
        assert document["distribution"] == "triangular"

    def test_prob_meets_target_null_without_a_target(self, runner, scenario_dir):
        folder = scenario_dir(portfolio=PORTFOLIO.replace("target = 100_000\n", ""))
        document = json_of(
            runner, "simulate", str(folder), "-n", "100", "--seed", "1", "--format", "json"
        )
        assert document["portfolio"]["prob_meets_target"] is None
        out = runner.invoke(cli, ["simulate", str(folder), "-n", "100", "--seed", "1"])
        assert "No target set" in out.stdout

    def test_scenario_and_set_are_honoured(self, runner, brute_dir):
        base = ["simulate", str(brute_dir), "-n", "200", "--seed", "4", "--format", "json"]
        central = json_of(runner, *base)
        higher = json_of(runner, *base, "--set", "discount_rate=0.08")
        portfolio = load_portfolio(brute_dir)
        expected = simulate(portfolio, 200, seed=4, overrides={"discount_rate": 0.08})
        assert higher["portfolio"]["mean"] == pytest.approx(expected.portfolio.mean, rel=1e-12)
        assert higher["portfolio"]["mean"] != pytest.approx(central["portfolio"]["mean"])

    @pytest.mark.parametrize("scenario", ["pessimistic", "optimistic"])
    def test_pessimistic_and_optimistic_are_refused(self, runner, brute_dir, scenario):
        """docs/cli.md: the values with a range are drawn whatever the scenario, so
        ``pessimistic`` and ``optimistic`` are a usage error."""
        out = runner.invoke(cli, ["simulate", str(brute_dir), "-n", "10", "--scenario", scenario])
        assert out.exit_code == 2
        assert scenario in out.stderr
        assert out.stdout == ""

    def test_help_offers_only_the_scenarios_simulate_accepts(self, runner):
        """issue 18: the help offered pessimistic and optimistic, which simulate refuses."""
        out = runner.invoke(cli, ["simulate", "--help"], terminal_width=200)
        assert out.exit_code == 0
        (scenario,) = [line for line in out.stdout.splitlines() if "--scenario" in line]
        assert "central, or a [scenarios.NAME] of portfolio.toml" in scenario
        assert "pessimistic" not in out.stdout and "optimistic" not in out.stdout
        # the commands that appraise a scenario as it is still offer them
        run_help = runner.invoke(cli, ["run", "--help"], terminal_width=200).stdout
        assert "central, pessimistic, optimistic, or a [scenarios.NAME]" in run_help

    def test_refused_before_the_files_are_read(self, runner, tmp_path):
        """A usage error comes first, whatever the files hold."""
        out = runner.invoke(
            cli, ["simulate", str(tmp_path / "nowhere"), "-n", "10", "--scenario", "optimistic"]
        )
        assert out.exit_code == 2
        assert (
            "the optimistic scenario does not apply; use central or a named scenario" in out.stderr
        )

    def test_an_unknown_scenario_lists_only_those_simulate_accepts(self, runner):
        out = runner.invoke(cli, ["simulate", str(EXAMPLE), "-n", "10", "--scenario", "rate3pc"])
        assert out.exit_code == 2
        assert out.stdout == ""
        assert (
            'unknown scenario "rate3pc" (did you mean "rate-3pc"?); choose from: central, '
            "rate-3pc, no-shared-services, fifteen-years"
        ) in out.stderr

    def test_named_scenario_excludes_projects(self, runner, example):
        document = json_of(
            runner,
            "simulate",
            str(EXAMPLE),
            "-n",
            "200",
            "--seed",
            "3",
            "--format",
            "json",
            "--scenario",
            "no-shared-services",
        )
        ids = [p["id"] for p in document["projects"]]
        assert "SSS" not in ids and len(ids) == 8
        full = simulate(example, 200, seed=3)
        # named streams: the draws of the projects whose values are in no correlation group are
        # unchanged (a correlated value's draws depend on its group's other values)
        grouped = {"JET", "CBCD", "TRI", "DRONE", "FALLS"}
        for project in document["projects"]:
            if project["id"] not in grouped:
                assert project["p50"] == full.projects[project["id"]].p(50.0), project["id"]
        independent = simulate(
            example, 200, seed=3, scenario="no-shared-services", correlation=False
        )
        whole = simulate(example, 200, seed=3, correlation=False)
        assert independent.portfolio.mean == pytest.approx(
            whole.portfolio.mean - whole.projects["SSS"].mean, rel=1e-9
        )

    def test_table_output(self, runner, brute_dir):
        out = runner.invoke(cli, ["simulate", str(brute_dir), "-n", "2000", "--seed", "7"])
        assert out.exit_code == 0, out.output
        result = simulate(load_portfolio(brute_dir), 2000, seed=7)
        assert (
            "2,000 draws of 15 uncertain values (PERT), Latin Hypercube sampling in 10 "
            "independent replicates, seed 7" in out.stdout
        )
        assert f"£{round(result.portfolio.p(50.0)):,}".replace("£-", "-£") in out.stdout
        assert f"{result.prob_meets_target * 100:.1f}%" in out.stdout

    @pytest.mark.parametrize(
        "args, message",
        [
            (["-n", "0"], "--iterations"),
            (["-n", "10", "--seed", "-1"], "--seed"),
            (["-n", "10", "--seed", "4294967296"], "--seed"),
            (["-n", "10", "--distribution", "normal"], "--distribution"),
            ([], "--iterations"),
            (["-n", "ten"], "--iterations"),
        ],
    )
    def test_usage_errors_exit_2(self, runner, brute_dir, args, message):
        out = runner.invoke(cli, ["simulate", str(brute_dir), *args])
        assert out.exit_code == 2, out.output
        assert message in out.stderr
        assert out.stdout == ""
        assert "Traceback" not in out.output

    def test_largest_seed_accepted(self, runner, brute_dir):
        document = json_of(
            runner,
            "simulate",
            str(brute_dir),
            "-n",
            "10",
            "--seed",
            str(MAX_SEED),
            "--format",
            "json",
        )
        assert document["seed"] == 4294967295

    def test_bad_input_exits_1(self, runner, scenario_dir):
        folder = scenario_dir(p1=PROJECT.replace("high = 15", "high = 1"))  # low > high
        out = runner.invoke(cli, ["simulate", str(folder), "-n", "10"])
        assert out.exit_code == 1
        assert out.stderr.startswith("Error: ")
        assert "Traceback" not in out.output

    def test_no_progress_bar_when_not_a_terminal(self, runner, brute_dir):
        out = runner.invoke(
            cli, ["simulate", str(brute_dir), "-n", "60000", "--seed", "1", "--format", "json"]
        )
        assert out.exit_code == 0
        assert out.stderr == ""
        assert json.loads(out.stdout)["iterations"] == 60_000

    def test_xlsx_workbook(self, runner, brute_dir, tmp_path):
        path = tmp_path / "board.xlsx"
        out = runner.invoke(
            cli,
            [
                "simulate",
                str(brute_dir),
                "-n",
                "3000",
                "--seed",
                "12",
                "--format",
                "json",
                "--xlsx",
                str(path),
            ],
        )
        assert out.exit_code == 0, out.output
        assert [line for line in out.stderr.splitlines() if line] == [f"Wrote {path}"]
        document = json.loads(out.stdout)
        book = load_workbook(path)
        assert "Monte Carlo" in book.sheetnames
        assert "Sensitivity" in book.sheetnames
        ((sheet, ref),) = book.defined_names["ProbMeetsTarget"].destinations
        assert sheet == "Monte Carlo"
        cell = book[sheet][ref.replace("$", "")]
        # openpyxl writes 16 significant digits: equal to the last place of a double
        assert cell.value == pytest.approx(document["portfolio"]["prob_meets_target"], rel=1e-15)
        assert 0 < cell.value < 1
        ws = book["Monte Carlo"]
        # the bars' figures sit beside the printed area
        header, bar = next(
            (row, column)
            for row in range(1, ws.max_row + 1)
            for column in range(12, 30)
            if ws.cell(row, column).value == "Bar" and ws.cell(row, column + 3).value == "Draws"
        )
        counts = []
        row = header + 1
        while ws.cell(row, bar + 3).value is not None:
            counts.append(ws.cell(row, bar + 3).value)
            row += 1
        assert len(counts) > 1
        # the bars span P0.5 to P99.5 (the target kept in view): about 99% of the draws
        assert 0.98 * 3000 <= sum(counts) <= 3000
        # the settings block records the run
        values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(5, 10)}
        assert values["Draws (iterations)"] == 3000
        assert values["Seed (the same seed gives the same numbers)"] == 12


def test_the_package_keeps_the_names_its_callers_import():
    """``npv_calc.simulate`` is a package (model, statistics): the names the tests, the
    benchmarks and older callers import from it are still there, and mean the same."""
    import npv_calc.simulate as package
    from npv_calc.results.uncertainty import Driver, Simulation, Stats
    from npv_calc.simulate.model import DRIVER_DRAWS, compile_case

    names = "PERCENTILES CHUNK_BYTES STORE_BYTES DRIVER_DRAWS draws simulate stream _compile"
    assert all(hasattr(package, name) for name in names.split())
    assert (package.Driver, package.Simulation, package.Stats) == (Driver, Simulation, Stats)
    assert package._compile is compile_case and package.DRIVER_DRAWS == DRIVER_DRAWS
    assert package.PERCENTILES == (5.0, 10.0, 50.0, 90.0, 95.0)
