"""``npv-calc new`` (a commented project file that validates) and ``npv-calc schema``."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from jsonschema import Draft202012Validator

from npv_calc import load_portfolio
from npv_calc.cli import cli
from npv_calc.errors import InputError
from tests import strategies as gen

from .conftest import EXAMPLE

# ---------------------------------------------------------------------------------------------
# npv-calc new


def current_financial_year() -> int:
    today = dt.date.today()
    return today.year if today.month >= 4 else today.year - 1


class TestNew:
    def test_writes_a_file_that_validates(self, runner: Any, tmp_path: Path):
        out = runner.invoke(cli, ["new", "JET2", "--name", "Joint team", "--dir", str(tmp_path)])
        assert out.exit_code == 0, out.output
        path = tmp_path / "jet2.toml"
        assert path.is_file()
        assert f"Wrote {path}" in out.stderr
        text = path.read_text(encoding="utf-8")
        assert text.startswith("#")  # commented
        assert sum(line.lstrip().startswith("#") for line in text.splitlines()) >= 5
        checked = runner.invoke(cli, ["validate", str(path)])
        assert checked.exit_code == 0, checked.output
        project = load_portfolio(path).projects[0]
        assert (project.id, project.name) == ("JET2", "Joint team")
        assert project.costs and project.benefits

    def test_its_zero_amounts_are_a_warning_that_says_where_to_fill_in(
        self, runner: Any, tmp_path: Path
    ):
        """issue 18: the skeleton validated silently with every amount 0."""
        out = runner.invoke(cli, ["new", "P1", "--name", "x", "--dir", str(tmp_path)])
        path = tmp_path / "p1.toml"
        assert f"Next: fill in the amounts in {path} (the lines marked FILL IN)" in out.stderr
        text = path.read_text(encoding="utf-8")
        marked = [line.split("=")[0].strip() for line in text.splitlines() if "FILL IN:" in line]
        assert marked == ["annual", "quantity", "unit_value"]
        checked = runner.invoke(cli, ["validate", str(path)])
        assert checked.exit_code == 0, checked.output
        assert checked.stderr == (
            f"Warning: {path}:6: every cost and benefit is 0: fill in the amounts (annual, "
            "amounts, or quantity and unit_value of each cost and benefit line)\n"
        )
        strict = runner.invoke(cli, ["validate", "--strict", str(path)])
        assert strict.exit_code == 1
        assert strict.stderr.startswith(f"Error: {path}:6: every cost and benefit is 0")
        # filled in, the warning goes
        path.write_text(text.replace("annual = 0 ", "annual = 5_000 "), encoding="utf-8")
        filled = runner.invoke(cli, ["validate", str(path)])
        assert filled.exit_code == 0 and filled.stderr == "", filled.output

    def test_validates_inside_the_example_portfolio(self, runner: Any, tmp_path: Path):
        folder = tmp_path / "scenarios"
        shutil.copytree(EXAMPLE, folder)
        out = runner.invoke(cli, ["new", "NEWP", "--name", "New project", "--dir", str(folder)])
        assert out.exit_code == 0, out.output
        checked = runner.invoke(cli, ["validate", str(folder)])
        assert checked.exit_code == 0, checked.output
        assert "10 projects" in checked.stdout
        (warning,) = checked.stderr.splitlines()  # the new project's, and only it
        assert (
            warning.startswith("Warning: ")
            and "newp.toml:6: every cost and benefit is 0" in warning
        )
        ran = runner.invoke(cli, ["run", str(folder), "--format", "json"])
        assert ran.exit_code == 0, ran.output
        assert "NEWP" in [p["id"] for p in json.loads(ran.stdout)["projects"]]

    def test_refuses_to_overwrite(self, runner: Any, tmp_path: Path):
        args = ["new", "P1", "--name", "First", "--dir", str(tmp_path)]
        assert runner.invoke(cli, args).exit_code == 0
        before = (tmp_path / "p1.toml").read_text(encoding="utf-8")
        again = runner.invoke(cli, ["new", "P1", "--name", "Second", "--dir", str(tmp_path)])
        assert again.exit_code == 1
        assert again.stderr.startswith("Error: ")
        assert "already exists" in again.stderr
        assert (tmp_path / "p1.toml").read_text(encoding="utf-8") == before

    def test_refuses_to_overwrite_a_file_differing_only_in_the_case_of_the_id(
        self, runner: Any, tmp_path: Path
    ):
        assert (
            runner.invoke(cli, ["new", "abc", "--name", "x", "--dir", str(tmp_path)]).exit_code == 0
        )
        out = runner.invoke(cli, ["new", "ABC", "--name", "y", "--dir", str(tmp_path)])
        assert out.exit_code == 1
        assert 'id = "abc"' in (tmp_path / "abc.toml").read_text(encoding="utf-8")

    @pytest.mark.parametrize("bad", ["1ABC", "a b", "x.y", "-x", "", "é"])
    def test_bad_id_is_a_usage_error(self, runner: Any, tmp_path: Path, bad: str):
        out = runner.invoke(cli, ["new", bad, "--name", "x", "--dir", str(tmp_path)])
        assert out.exit_code == 2, out.output
        assert list(tmp_path.iterdir()) == []

    def test_empty_name_is_a_usage_error(self, runner: Any, tmp_path: Path):
        out = runner.invoke(cli, ["new", "P1", "--name", "  ", "--dir", str(tmp_path)])
        assert out.exit_code == 2
        assert list(tmp_path.iterdir()) == []

    def test_creates_the_folder(self, runner: Any, tmp_path: Path):
        folder = tmp_path / "a" / "b"
        out = runner.invoke(cli, ["new", "P1", "--name", "x", "--dir", str(folder)])
        assert out.exit_code == 0, out.output
        assert (folder / "p1.toml").is_file()

    def test_default_folder_is_scenarios(
        self, runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.chdir(tmp_path)
        out = runner.invoke(cli, ["new", "P1", "--name", "x"])
        assert out.exit_code == 0, out.output
        assert (tmp_path / "scenarios" / "p1.toml").is_file()

    @pytest.mark.parametrize(
        "name",
        [
            'He said "hello"',
            "C:\\Users\\finance\\",
            "two\nlines",
            "tab\tand ' single",
            '""" triple',
            "£ café ✓ 日本",
            "# not a comment",
            "x = 1\n[[costs]]",
        ],
        ids=repr,
    )
    def test_names_are_escaped(self, runner: Any, tmp_path: Path, name: str):
        out = runner.invoke(cli, ["new", "P1", "--name", name, "--dir", str(tmp_path)])
        assert out.exit_code == 0, out.output
        path = tmp_path / "p1.toml"
        assert tomllib.loads(path.read_text(encoding="utf-8"))["name"] == name
        assert load_portfolio(path).projects[0].name == name

    def test_default_start_year_is_the_current_financial_year(self, runner: Any, tmp_path: Path):
        out = runner.invoke(cli, ["new", "P1", "--name", "x", "--dir", str(tmp_path)])
        assert out.exit_code == 0, out.output
        project = load_portfolio(tmp_path / "p1.toml").projects[0]
        assert project.start_year == current_financial_year()

    def test_start_year_option(self, runner: Any, tmp_path: Path):
        out = runner.invoke(
            cli, ["new", "P1", "--name", "x", "--dir", str(tmp_path), "--start-year", "2019"]
        )
        assert out.exit_code == 0, out.output
        assert load_portfolio(tmp_path / "p1.toml").projects[0].start_year == 2019
        assert "2019/20" in (tmp_path / "p1.toml").read_text(encoding="utf-8")
        bad = runner.invoke(cli, ["new", "P2", "--name", "x", "--start-year", "20"])
        assert bad.exit_code == 2

    def test_options_writes_a_shortlist_that_validates(self, runner: Any, tmp_path: Path):
        """issue 20: ``new`` writes a shortlist against business as usual too."""
        args = ["new", "JCR", "--name", "Control room", "--dir", str(tmp_path), "--options"]
        assert runner.invoke(cli, args).exit_code == 0
        path = tmp_path / "jcr.toml"
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        assert_valid(PROJECT_SCHEMA, document)
        checked = runner.invoke(cli, ["validate", str(path)])
        assert checked.exit_code == 0, checked.output
        # all amounts 0: unfinished, and no warning that the preferred option is not the best
        assert "every cost and benefit is 0" in checked.stderr
        assert "preferred option" not in checked.stderr
        project = load_portfolio(path).projects[0]
        roles = [(o.id, o.role) for o in project.options]
        assert roles == [
            ("bau", "bau"),
            ("do-minimum", "do-minimum"),
            ("preferred", "option"),
            ("alternative", "option"),
        ]
        assert project.preferred == "preferred"
        table = runner.invoke(cli, ["options", str(path)])
        assert table.exit_code == 0 and "Preferred way forward" in table.stdout

    def test_the_new_file_passes_the_schema(self, runner: Any, tmp_path: Path):
        runner.invoke(cli, ["new", "P1", "--name", "x", "--dir", str(tmp_path)])
        document = tomllib.loads((tmp_path / "p1.toml").read_text(encoding="utf-8"))
        assert_valid(PROJECT_SCHEMA, document)


# ---------------------------------------------------------------------------------------------
# npv-calc schema


def printed_schema(kind: str) -> dict[str, Any]:
    from click.testing import CliRunner

    args = ["schema"] if kind == "default" else ["schema", "--kind", kind]
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


ANY_SCHEMA = printed_schema("any")
PROJECT_SCHEMA = printed_schema("project")
PORTFOLIO_SCHEMA = printed_schema("portfolio")


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema)


def assert_valid(schema: dict[str, Any], document: dict[str, Any]) -> None:
    problems = [e.message for e in validator(schema).iter_errors(document)]
    assert not problems, problems


def is_valid(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    return validator(schema).is_valid(document)


def toml(path: Path) -> dict[str, Any]:
    return tomllib.loads(path.read_text(encoding="utf-8"))


EXAMPLE_PROJECTS = sorted(p for p in EXAMPLE.glob("*.toml") if p.name != "portfolio.toml")
JET = toml(EXAMPLE / "01-jet.toml")
EXAMPLE_PORTFOLIO = toml(EXAMPLE / "portfolio.toml")


class TestSchemaDocument:
    @pytest.mark.parametrize("kind", ["any", "project", "portfolio", "default"])
    def test_is_a_valid_draft_2020_12_schema(self, kind: str):
        schema = printed_schema(kind)
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema.get("title")

    def test_default_kind_is_any(self):
        assert printed_schema("default") == ANY_SCHEMA

    def test_bad_kind_is_a_usage_error(self, runner: Any):
        assert runner.invoke(cli, ["schema", "--kind", "scenario"]).exit_code == 2

    def test_output_is_pretty_json_on_stdout_only(self, runner: Any):
        out = runner.invoke(cli, ["schema"])
        assert out.stderr == ""
        assert out.stdout.startswith("{\n")


class TestExamplesPass:
    @pytest.mark.parametrize("path", EXAMPLE_PROJECTS, ids=lambda p: p.name)
    def test_example_projects(self, path: Path):
        assert_valid(PROJECT_SCHEMA, toml(path))
        assert_valid(ANY_SCHEMA, toml(path))
        assert not is_valid(PORTFOLIO_SCHEMA, toml(path))

    def test_example_portfolio(self):
        assert_valid(PORTFOLIO_SCHEMA, EXAMPLE_PORTFOLIO)
        assert_valid(ANY_SCHEMA, EXAMPLE_PORTFOLIO)
        assert not is_valid(PROJECT_SCHEMA, EXAMPLE_PORTFOLIO)

    def test_a_ref_unit_value_passes(self):
        document = copy.deepcopy(JET)
        line = next(b for b in document["benefits"] if "unit_value" in b)
        line["unit_value"] = "ref:crime.arson"
        line.pop("price_year", None)
        assert_valid(PROJECT_SCHEMA, document)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(generated=gen.portfolios())
def test_generated_files_pass(generated: gen.GeneratedPortfolio) -> None:
    for name, text in generated.files().items():
        document = tomllib.loads(text)
        schema = PORTFOLIO_SCHEMA if name == "portfolio.toml" else PROJECT_SCHEMA
        assert_valid(schema, document)
        assert_valid(ANY_SCHEMA, document)


def _project(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(JET)
    change(document)
    return document


def _portfolio(change: Any) -> dict[str, Any]:
    document = copy.deepcopy(EXAMPLE_PORTFOLIO)
    change(document)
    return document


def _benefit(document: dict[str, Any]) -> dict[str, Any]:
    return document["benefits"][0]


def _cost(document: dict[str, Any]) -> dict[str, Any]:
    return document["costs"][0]


INVALID_PROJECTS = {
    "unknown top-level key": lambda d: d.update(nmae="x"),
    "unknown line key": lambda d: _benefit(d).update(dead_weight=0.1),
    "deadweight 1.5": lambda d: _benefit(d).update(deadweight=1.5),
    "deadweight high 1.5": lambda d: _benefit(d).update(
        deadweight={"low": 0.1, "central": 0.2, "high": 1.5}
    ),
    "uncertain value without high": lambda d: _benefit(d).update(
        deadweight={"low": 0.1, "central": 0.2}
    ),
    "missing id": lambda d: d.pop("id"),
    "missing name": lambda d: d.pop("name"),
    "missing start_year": lambda d: d.pop("start_year"),
    "bad id": lambda d: d.update(id="1JET"),
    "both amounts and annual": lambda d: _cost(d).update(amounts=[1, 2]),
    "amounts with years": lambda d: _cost(d).update(amounts=[1, 2], annual=None, years=[0, 1]),
    "optimism_bias with confidence": lambda d: _benefit(d).update(optimism_bias=0.1, confidence=3),
    "status not in the list": lambda d: d.update(status="done"),
    "ref to an unknown key": lambda d: _benefit(d).update(unit_value="ref:crime.arsn"),
    "negative money": lambda d: _cost(d).update(annual=-5),
    "growth of -1": lambda d: _cost(d).update(growth=-1),
    "cost kind": lambda d: _cost(d).update(kind="both"),
    "benefit key on a cost": lambda d: _cost(d).update(deadweight=0.1),
    "horizon 0": lambda d: d.update(horizon=0),
    "no money on a line": lambda d: _cost(d).pop("annual"),
    "text year": lambda d: d.update(start_year="2017"),
    "no lines": lambda d: (d.pop("costs"), d.pop("benefits")),
}


def _drop_none(document: Any) -> Any:
    """``None`` stands for "remove this key" in the changes above."""
    if isinstance(document, dict):
        return {k: _drop_none(v) for k, v in document.items() if v is not None}
    if isinstance(document, list):
        return [_drop_none(v) for v in document]
    return document


INVALID_PORTFOLIOS = {
    "unknown table": lambda d: d.update(apraisal={}),
    "unknown portfolio key": lambda d: d["portfolio"].update(targt=1),
    "a scenario named central": lambda d: d["scenarios"].update(central={"description": "x"}),
    "a scenario named pessimistic": lambda d: d["scenarios"].update(pessimistic={}),
    "deflator key 20x3": lambda d: d["deflators"].update({"20x3": 90.0}),
    "deflator of 0": lambda d: d["deflators"].update({"2016": 0}),
    "grade share 1.5": lambda d: d["confidence_grades"].update({"3": 1.5}),
    "grade key x": lambda d: d["confidence_grades"].update({"x": 0.1}),
    "unknown key in set": lambda d: d["scenarios"]["rate-3pc"]["set"].update(rate=0.03),
    "discount rate -1": lambda d: d["appraisal"].update(discount_rate=-1),
    "negative target": lambda d: d["portfolio"].update(target=-1),
    "project key in portfolio.toml": lambda d: d.update(id="X"),
}


class TestInvalidFilesFail:
    @pytest.mark.parametrize("case", sorted(INVALID_PROJECTS))
    def test_project(self, case: str):
        document = _drop_none(_project(INVALID_PROJECTS[case]))
        assert document != JET
        assert not is_valid(PROJECT_SCHEMA, document), case
        assert not is_valid(ANY_SCHEMA, document), case

    @pytest.mark.parametrize("case", sorted(INVALID_PORTFOLIOS))
    def test_portfolio(self, case: str):
        document = _portfolio(INVALID_PORTFOLIOS[case])
        assert document != EXAMPLE_PORTFOLIO
        assert not is_valid(PORTFOLIO_SCHEMA, document), case
        assert not is_valid(ANY_SCHEMA, document), case

    @pytest.mark.parametrize("case", ["(unchanged)", *sorted(INVALID_PROJECTS)])
    def test_the_loader_agrees(self, case: str, tmp_path: Path):
        """What the schema rejects, validate rejects too (the schema states the same rules)."""
        folder = tmp_path / "scenarios"
        shutil.copytree(EXAMPLE, folder)
        change = INVALID_PROJECTS.get(case, lambda d: None)
        document = _drop_none(_project(change))
        (folder / "01-jet.toml").write_text(gen.toml_dumps(document), encoding="utf-8")
        if case == "(unchanged)":
            assert load_portfolio(folder).projects[0].id == "JET"
            return
        with pytest.raises(InputError) as caught:
            load_portfolio(folder)
        assert all("01-jet.toml" in p.file for p in caught.value.problems), caught.value
