"""``npv-calc compare``: what changed between two scenario sets (SPEC.md and docs/cli.md).

Two small sets differ in every way a set can: a project changed, one removed, one added, and two
unchanged (which keep their order in A). Each side's NPVs are checked against ``run`` on that
side alone.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from npv_calc.cli import cli

from .conftest import EXAMPLE, PORTFOLIO, PROJECT


def project(pid: str, cost: int, benefit: int, start_year: int = 2020) -> str:
    return f"""
id = "{pid}"
name = "Project {pid}"
start_year = {start_year}

[[costs]]
name = "Staff"
annual = {cost}

[[benefits]]
name = "Savings"
annual = {benefit}
"""


CHANGED_P1 = PROJECT.replace("annual = 10_000", "annual = 12_000")


def json_of(runner, *args: str) -> dict[str, Any]:
    out = runner.invoke(cli, list(args))
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def npvs(runner, path, *options: str) -> dict[str, float]:
    """Project NPVs (and the portfolio's, under "") from ``run`` on one set."""
    document = json_of(runner, "run", str(path), "--format", "json", *options)
    return {"": document["portfolio"]["npv"]} | {p["id"]: p["npv"] for p in document["projects"]}


@pytest.fixture
def sets(scenario_dir):
    a = scenario_dir(
        p1=PROJECT,
        p2=project("P2", 10_000, 50_000),
        p3=project("P3", 1_000, 3_000),
        p5=project("P5", 2_000, 2_000, start_year=2031),
    )
    b = scenario_dir(
        a5=project("P5", 2_000, 2_000, start_year=2031),  # read first in B
        p1=CHANGED_P1,
        p3=project("P3", 1_000, 3_000),
        p4=project("P4", 0, 20_000),
    )
    return a, b


class TestDocument:
    def test_changes_side_by_side(self, runner, sets):
        a, b = sets
        document = json_of(runner, "compare", str(a), str(b), "--format", "json")
        in_a, in_b = npvs(runner, a), npvs(runner, b)
        rows = {row["id"]: row for row in document["projects"]}
        assert list(rows) == ["P2", "P4", "P1", "P3", "P5"]

        assert rows["P2"] == {"id": "P2", "npv_a": in_a["P2"], "npv_b": None, "change": -in_a["P2"]}
        assert rows["P4"] == {"id": "P4", "npv_a": None, "npv_b": in_b["P4"], "change": in_b["P4"]}
        assert rows["P1"]["npv_a"] == in_a["P1"]
        assert rows["P1"]["npv_b"] == in_b["P1"]
        assert rows["P1"]["change"] == pytest.approx(in_b["P1"] - in_a["P1"], rel=1e-12)
        # costs 2,000 a year higher over 10 years at 3.5%: DF(0..9) sums to 8.6077
        assert rows["P1"]["change"] == pytest.approx(-2_000 * 8.6077, abs=1)
        for pid in ("P3", "P5"):
            assert rows[pid]["npv_a"] == rows[pid]["npv_b"] == in_a[pid] == in_b[pid]
            assert rows[pid]["change"] == 0.0

        portfolio = document["portfolio"]
        assert list(portfolio) == ["npv_a", "npv_b", "change"]
        assert portfolio["npv_a"] == pytest.approx(in_a[""], rel=1e-12)
        assert portfolio["npv_b"] == pytest.approx(in_b[""], rel=1e-12)
        assert portfolio["change"] == pytest.approx(portfolio["npv_b"] - portfolio["npv_a"], 1e-12)
        total = sum(row["change"] for row in document["projects"])
        assert portfolio["change"] == pytest.approx(total, rel=1e-9, abs=1e-6)

    def test_keys_exactly_as_spec(self, runner, sets):
        a, b = sets
        document = json_of(runner, "compare", str(a), str(b), "--format", "json")
        assert list(document) == ["portfolio", "projects"]
        for row in document["projects"]:
            assert list(row) == ["id", "npv_a", "npv_b", "change"]

    def test_sorted_by_size_of_change(self, runner, sets):
        a, b = sets
        document = json_of(runner, "compare", str(a), str(b), "--format", "json")
        sizes = [abs(row["change"]) for row in document["projects"]]
        assert sizes == sorted(sizes, reverse=True)
        assert sizes[0] > sizes[1] > sizes[2] > sizes[3] == sizes[4] == 0

    def test_swapping_the_sides_negates_the_changes(self, runner, sets):
        a, b = sets
        forward = json_of(runner, "compare", str(a), str(b), "--format", "json")
        back = json_of(runner, "compare", str(b), str(a), "--format", "json")
        assert back["portfolio"]["change"] == pytest.approx(-forward["portfolio"]["change"])
        there = {row["id"]: row for row in forward["projects"]}
        for row in back["projects"]:
            assert row["change"] == pytest.approx(-there[row["id"]]["change"], abs=1e-9)
            assert (row["npv_a"], row["npv_b"]) == (
                there[row["id"]]["npv_b"],
                there[row["id"]]["npv_a"],
            )

    def test_a_set_compared_with_itself_changes_nothing(self, runner):
        document = json_of(runner, "compare", str(EXAMPLE), str(EXAMPLE), "--format", "json")
        assert document["portfolio"]["change"] == 0.0
        assert document["portfolio"]["npv_a"] == document["portfolio"]["npv_b"]
        assert len(document["projects"]) == 9
        for row in document["projects"]:
            assert row["change"] == 0.0
            assert row["npv_a"] == row["npv_b"] is not None
        # equal changes keep the order of A
        run = json_of(runner, "run", str(EXAMPLE), "--format", "json")
        assert [row["id"] for row in document["projects"]] == [p["id"] for p in run["projects"]]
        out = runner.invoke(cli, ["compare", str(EXAMPLE), str(EXAMPLE)])
        assert out.exit_code == 0
        statuses = [line.split()[-1] for line in out.stdout.splitlines()[4:13]]
        assert statuses == ["unchanged"] * 9

    def test_single_project_files(self, runner, scenario_dir):
        folder = scenario_dir(portfolio=None, p1=PROJECT, changed=CHANGED_P1)
        document = json_of(
            runner,
            "compare",
            str(folder / "p1.toml"),
            str(folder / "changed.toml"),
            "--format",
            "json",
        )
        (row,) = document["projects"]
        assert row["id"] == "P1"
        assert row["change"] == pytest.approx(-2_000 * 8.6077, abs=1)
        assert document["portfolio"]["change"] == row["change"]

    def test_set_applies_to_both_sides(self, runner, sets):
        a, b = sets
        options = ("--set", "discount_rate=0.08", "--set", "horizon=12")
        document = json_of(runner, "compare", str(a), str(b), "--format", "json", *options)
        in_a, in_b = npvs(runner, a, *options), npvs(runner, b, *options)
        assert document["portfolio"]["npv_a"] == pytest.approx(in_a[""], rel=1e-12)
        assert document["portfolio"]["npv_b"] == pytest.approx(in_b[""], rel=1e-12)
        rows = {row["id"]: row for row in document["projects"]}
        assert rows["P1"]["npv_a"] == in_a["P1"]
        assert rows["P1"]["npv_b"] == in_b["P1"]
        assert rows["P4"]["npv_b"] == in_b["P4"]
        assert rows["P2"]["npv_a"] == in_a["P2"]
        # and the override really changes the figures
        assert in_a["P1"] != npvs(runner, a)["P1"]
        assert in_b["P1"] != npvs(runner, b)["P1"]

    def test_scenario_applies_to_both_sides(self, runner, sets):
        a, b = sets
        document = json_of(
            runner, "compare", str(a), str(b), "--format", "json", "--scenario", "pessimistic"
        )
        in_a = npvs(runner, a, "--scenario", "pessimistic")
        in_b = npvs(runner, b, "--scenario", "pessimistic")
        assert document["portfolio"]["npv_a"] == pytest.approx(in_a[""], rel=1e-12)
        assert document["portfolio"]["npv_b"] == pytest.approx(in_b[""], rel=1e-12)
        assert in_a["P1"] < npvs(runner, a)["P1"]  # P1 has a quantity range


class TestTable:
    def test_statuses_and_portfolio_row(self, runner, sets):
        a, b = sets
        out = runner.invoke(cli, ["compare", str(a), str(b)])
        assert out.exit_code == 0, out.output
        document = json_of(runner, "compare", str(a), str(b), "--format", "json")
        rows = {line.split()[0]: line for line in out.stdout.splitlines() if line[:1] == "P"}
        assert rows["P2"].split()[-1] == "removed"
        assert rows["P4"].split()[-1] == "added"
        assert rows["P1"].split()[-1] == "changed"
        assert rows["P3"].split()[-1] == "unchanged"
        assert rows["P5"].split()[-1] == "unchanged"
        assert "–" in rows["P2"] and "–" in rows["P4"]
        assert f"+£{round(document['projects'][1]['change']):,}" in rows["P4"]
        assert f"-£{round(-document['projects'][0]['change']):,}" in rows["P2"]
        portfolio = next(line for line in out.stdout.splitlines() if "Portfolio" in line)
        change = document["portfolio"]["change"]
        sign = "+" if change > 0 else "-"
        assert portfolio.rstrip().endswith(f"{sign}£{round(abs(change)):,}")
        assert f"Compare A: {a}  with  B: {b}" in out.stdout

    def test_every_column_has_a_header_and_the_rows_are_counted(self, runner, sets):
        """issue 18: the status column had no header."""
        a, b = sets
        out = runner.invoke(cli, ["compare", str(a), str(b)])
        assert out.exit_code == 0, out.output
        lines = out.stdout.splitlines()
        header, rule = lines[2], lines[3]
        assert header.split() == [
            "ID",
            "Project",
            "NPV",
            "in",
            "A",
            "NPV",
            "in",
            "B",
            "Change",
            "(B",
            "-",
            "A)",
            "Status",
        ]
        # each header sits over its column: as many rule segments as headers
        assert len(rule.split()) == 6
        assert header.rstrip().endswith("Status")
        assert "1 project added, 1 removed, 1 changed, 2 unchanged." in lines

    def test_a_set_compared_with_itself_says_nothing_changed(self, runner):
        out = runner.invoke(cli, ["compare", str(EXAMPLE), str(EXAMPLE)])
        assert out.exit_code == 0
        assert "No project's NPV changed (9 projects)." in out.stdout.splitlines()

    def test_a_change_of_pence_is_not_shown_as_a_changed_0(self, runner, scenario_dir):
        a = scenario_dir(p1=project("P1", 1_000, 3_000))
        b = scenario_dir(
            p1=project("P1", 1_000, 3_000).replace("annual = 3000", "annual = 3000.05")
        )
        out = runner.invoke(cli, ["compare", str(a), str(b)])
        assert out.exit_code == 0, out.output
        (row,) = [line for line in out.stdout.splitlines() if line.startswith("P1")]
        assert row.split()[-2:] == ["+£0.43", "changed"]


class TestErrors:
    def test_problems_in_both_paths_are_all_reported(self, runner, scenario_dir):
        a = scenario_dir(p1=PROJECT.replace("annual = 10_000", "annual = -10_000"))
        b = scenario_dir(p1=PROJECT.replace('status = "approved"', 'status = "maybe"'))
        out = runner.invoke(cli, ["compare", str(a), str(b)])
        assert out.exit_code == 1
        assert out.stdout == ""
        errors = [line for line in out.stderr.splitlines() if line.startswith("Error: ")]
        assert len(errors) == 2, out.stderr
        assert any(a.name in line and "annual" in line for line in errors)
        assert any(b.name in line and "status" in line for line in errors)
        assert "Traceback" not in out.output

    def test_a_problem_in_one_path_only(self, runner, scenario_dir):
        good = scenario_dir()
        bad = scenario_dir(p1="id = \n")
        for args in ([good, bad], [bad, good]):
            out = runner.invoke(cli, ["compare", *map(str, args)])
            assert out.exit_code == 1
            assert out.stderr.startswith("Error: ")
            assert bad.name in out.stderr

    def test_bad_set_reported_once(self, runner, sets):
        a, b = sets
        out = runner.invoke(cli, ["compare", str(a), str(b), "--set", "horizon=0"])
        assert out.exit_code == 1
        errors = [line for line in out.stderr.splitlines() if line.startswith("Error: ")]
        assert errors and all("horizon" in line for line in errors)

    @pytest.mark.parametrize("count", [0, 1, 3])
    def test_wrong_number_of_paths_is_a_usage_error(self, runner, count):
        out = runner.invoke(cli, ["compare", *[str(EXAMPLE)] * count])
        assert out.exit_code == 2
        assert "Usage:" in out.stderr
        assert out.stdout == ""

    def test_named_scenario_missing_from_one_side(self, runner, scenario_dir):
        with_it = PORTFOLIO + "\n[scenarios.low-rate]\nset = { discount_rate = 0.01 }\n"
        a = scenario_dir(portfolio=with_it)
        b = scenario_dir()
        out = runner.invoke(cli, ["compare", str(a), str(b), "--scenario", "low-rate"])
        assert out.exit_code == 2
        assert "low-rate" in out.stderr
        both = scenario_dir(portfolio=with_it)
        document = json_of(
            runner, "compare", str(a), str(both), "--format", "json", "--scenario", "low-rate"
        )
        assert document["portfolio"]["change"] == 0.0
        assert document["portfolio"]["npv_a"] == pytest.approx(
            npvs(runner, a, "--set", "discount_rate=0.01")[""], rel=1e-12
        )
