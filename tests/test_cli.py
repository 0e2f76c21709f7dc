"""The command line: outputs, exit codes, documentation and start-up imports.

Commands are driven with Click's CliRunner and their results checked through the Python API.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import pytest

import npv_calc
from npv_calc import appraise, load_portfolio, to_dict
from npv_calc.cli import cli

from .conftest import EXAMPLE, ROOT

DOCS = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")


class TestDocumentation:
    @pytest.mark.parametrize("name", sorted(cli.commands))
    def test_every_command_is_documented(self, name):
        assert f"## `npv-calc {name}`" in DOCS, f"docs/cli.md has no section for {name}"

    @pytest.mark.parametrize(
        "name, option",
        [
            (name, opt)
            for name, command in sorted(cli.commands.items())
            for param in command.params
            for opt in param.opts
            if opt.startswith("--") and opt != "--help"
        ],
    )
    def test_every_option_is_documented(self, name, option):
        section = DOCS.split(f"## `npv-calc {name}`", 1)[1].split("\n## ", 1)[0]
        assert option in section, f"docs/cli.md does not document {name} {option}"


class TestStartup:
    """``--help`` and ``validate`` must not pay for pandas or openpyxl (or numpy)."""

    @pytest.mark.parametrize(
        "args", [["--help"], ["run", "--help"], ["validate", str(EXAMPLE)]], ids=" ".join
    )
    def test_heavy_modules_are_not_imported(self, args):
        code = (
            "import sys\n"
            "from npv_calc.cli import cli\n"
            f"try:\n    cli({args!r})\nexcept SystemExit as exc:\n    assert not exc.code\n"
            "print(sorted(m for m in ('numpy', 'pandas', 'openpyxl') if m in sys.modules))\n"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert out.stdout.strip().splitlines()[-1] == "[]"

    def test_python_dash_m_and_version(self):
        out = subprocess.run(
            [sys.executable, "-m", "npv_calc", "--version"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == f"npv-calc, version {npv_calc.__version__}"


class TestRunFormats:
    def test_json_matches_the_python_api(self, runner):
        out = runner.invoke(cli, ["run", str(EXAMPLE), "--format", "json"])
        assert out.exit_code == 0, out.output
        document = json.loads(out.stdout)
        assert document == to_dict(appraise(load_portfolio(EXAMPLE)))
        jet = next(p for p in document["projects"] if p["id"] == "JET")
        assert round(jet["plan"]["npv"]) == 1_582_214  # the published figure is the plan

    def test_path_defaults_to_scenarios(self, runner, monkeypatch):
        monkeypatch.chdir(ROOT)
        out = runner.invoke(cli, ["run", "--format", "json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout) == to_dict(appraise(load_portfolio(EXAMPLE)))

    def test_csv_has_a_row_per_project_with_the_api_figures(self, runner):
        out = runner.invoke(cli, ["run", str(EXAMPLE), "--format", "csv"])
        assert out.exit_code == 0, out.output
        rows = list(csv.DictReader(io.StringIO(out.stdout)))
        result = appraise(load_portfolio(EXAMPLE))
        assert [r["id"] for r in rows] == [p.id for p in result.projects]
        for row, project in zip(rows, result.projects, strict=True):
            assert float(row["npv"]) == project.npv
            assert row["years"] == project.span
            assert row["counts_toward_target"] == str(project.counts_toward_target).lower()

    def test_csv_never_starts_a_cell_with_a_formula(self, runner, scenario_dir):
        from .conftest import PROJECT

        folder = scenario_dir(p1=PROJECT.replace('"Project one"', '"=HYPERLINK(1)"'))
        out = runner.invoke(cli, ["run", str(folder), "--format", "csv"])
        assert out.exit_code == 0, out.output
        row = next(csv.DictReader(io.StringIO(out.stdout)))
        assert row["name"] == "'=HYPERLINK(1)"

    def test_table_shows_pounds_spans_and_the_target(self, runner):
        out = runner.invoke(cli, ["run", str(EXAMPLE)])
        assert out.exit_code == 0, out.output
        text = out.stdout
        result = appraise(load_portfolio(EXAMPLE))
        assert "£1,582,214" in text
        assert "2017/18–2026/27" in text
        assert f"£{round(result.npv_toward_target):,}" in text
        assert "Target by 2027: £15,400,000" in text
        assert re.search(r"MEETS TARGET: headroom £3,\d{3},\d{3}", text)
        for project in result.projects:
            assert project.id in text

    def test_table_reports_a_shortfall(self, runner):
        out = runner.invoke(cli, ["run", str(EXAMPLE), "--scenario", "pessimistic"])
        assert out.exit_code == 0, out.output
        result = appraise(load_portfolio(EXAMPLE), "pessimistic")
        assert result.meets_target is False
        assert f"MISSES TARGET: shortfall £{round(-result.headroom):,}" in out.stdout


class TestCheckTarget:
    def test_met_target_exits_0(self, runner):
        out = runner.invoke(cli, ["run", str(EXAMPLE), "--check-target"])
        assert out.exit_code == 0

    def test_missed_target_exits_3_after_printing(self, runner):
        out = runner.invoke(
            cli, ["run", str(EXAMPLE), "--check-target", "--scenario", "pessimistic"]
        )
        assert out.exit_code == 3
        assert "MISSES TARGET" in out.stdout
        assert "Target missed" in out.stderr

    def test_no_target_is_an_error(self, runner, scenario_dir):
        folder = scenario_dir(portfolio=None)
        out = runner.invoke(cli, ["run", str(folder), "--check-target"])
        assert out.exit_code == 1
        assert "Error: --check-target: the portfolio has no target" in out.stderr


class TestSetAndScenario:
    def test_set_overrides_every_project(self, runner):
        out = runner.invoke(
            cli, ["run", str(EXAMPLE), "--format", "json", "--set", "discount_rate=0.03"]
        )
        assert out.exit_code == 0, out.output
        document = json.loads(out.stdout)
        assert document["portfolio"]["discount_rate"] == 0.03
        expected = appraise(load_portfolio(EXAMPLE), overrides={"discount_rate": 0.03})
        assert document == to_dict(expected)

    def test_unknown_scenario_lists_the_choices(self, runner):
        out = runner.invoke(cli, ["run", str(EXAMPLE), "--scenario", "rate3pc"])
        assert out.exit_code == 2
        assert 'unknown scenario "rate3pc" (did you mean "rate-3pc"?)' in out.stderr
        assert "central, pessimistic, optimistic, rate-3pc" in out.stderr


def test_unexpected_failure_is_one_line_not_a_traceback(runner, monkeypatch):
    import npv_calc.calculate

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(npv_calc.calculate, "appraise_case", broken)
    out = runner.invoke(cli, ["run", str(EXAMPLE)])
    assert out.exit_code == 1
    assert "Traceback" not in out.output
    assert out.stderr.startswith("Error: unexpected RuntimeError: boom")
