"""Options appraisal (SPEC.md, "Options appraisal"): a project's shortlist against business as
usual, the incremental analysis, the preferred option standing for the project, and
``npv-calc options``.

Reference case (NZ Waka Kotahi Economic Evaluation Manual): option A with PV costs 400 and PV
benefits 3,000 has a BCR of 7.5; option B (1,000 and 4,000) 4.0; B against A an incremental
BCR of 1.67 (the manual publishes 1.7).
"""

from __future__ import annotations

import json
import textwrap
import tomllib
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli
from npv_calc.errors import InputError
from npv_calc.options import options_appraisal
from npv_calc.results.options import incremental
from npv_calc.schema import schema

HEAD = 'id = "OPT"\nname = "Options project"\nstart_year = 2024\n'


def option(oid: str, role: str = "option", body: str = "", **keys: str) -> str:
    """An ``[[options]]`` table (``body``: its ``[[options.costs]]`` and other tables)."""
    extra = "".join(f"{k} = {v}\n" for k, v in keys.items())
    return f'\n[[options]]\nid = "{oid}"\nname = "Option {oid}"\nrole = "{role}"\n{extra}{body}'


def cost(name: str, amount: str = "1_000", key: str = "amounts") -> str:
    value = f"[{amount}]" if key == "amounts" else amount
    return f'[[options.costs]]\nname = "{name}"\n{key} = {value}\n'


def benefit(name: str, amount: str = "1_000", key: str = "amounts") -> str:
    value = f"[{amount}]" if key == "amounts" else amount
    return f'[[options.benefits]]\nname = "{name}"\n{key} = {value}\n'


#: The reference case: year-0 amounts, so present values are the amounts themselves.
REFERENCE = (
    HEAD
    + 'preferred = "A"\n'
    + option("bau", "bau")
    + option("A", "do-minimum", cost("A costs", "400") + benefit("A benefits", "3_000"))
    + option("B", body=cost("B costs", "1_000") + benefit("B benefits", "4_000"))
)


def write(folder: Path, text: str, name: str = "opt.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_portfolio(path)
    return [str(p) for p in caught.value.problems]


def run_cli(runner, *args: str | Path):
    return runner.invoke(cli, [str(a) for a in args])


# -- the incremental analysis -------------------------------------------------------------------


def test_reference_case_incremental_function():
    steps = incremental([("A", 400.0, 3000.0), ("B", 1000.0, 4000.0)])
    assert steps["A"].compared_with == "bau"
    assert steps["A"].bcr == pytest.approx(7.5)
    assert steps["B"].compared_with == "A"
    assert steps["B"].npv == pytest.approx(400.0)
    assert round(steps["B"].bcr, 2) == 1.67  # the manual publishes 1.7
    assert round(steps["B"].bcr, 1) == 1.7


def test_incremental_orders_by_pv_costs_not_file_order():
    steps = incremental([("B", 1000.0, 4000.0), ("A", 400.0, 3000.0)])
    assert steps["A"].compared_with == "bau"
    assert steps["B"].compared_with == "A"


def test_incremental_bcr_is_none_when_an_option_costs_no_more():
    steps = incremental([("A", 400.0, 3000.0), ("C", 400.0, 3500.0)])
    assert steps["C"].compared_with == "A"
    assert steps["C"].bcr is None
    assert steps["C"].npv == pytest.approx(500.0)


def test_reference_case_end_to_end(tmp_path: Path):
    result = appraise(load_portfolio(write(tmp_path, REFERENCE))).project("OPT")
    shortlist = result.options
    assert shortlist is not None
    a, b = shortlist.option("A"), shortlist.option("B")
    assert (a.result.pv_costs, a.result.pv_benefits) == (400.0, 3000.0)
    assert a.bcr_vs_bau == pytest.approx(7.5)
    assert b.bcr_vs_bau == pytest.approx(4.0)
    assert b.increment is not None and b.increment.compared_with == "A"
    assert b.increment.bcr == pytest.approx(1000 / 600)
    assert (a.npv_vs_bau, b.npv_vs_bau) == (2600.0, 3000.0)
    assert shortlist.best == "B"  # the highest NPV against BAU, though its BCR is lower


def test_reference_case_through_the_command_line(runner, tmp_path: Path):
    out = run_cli(runner, "options", write(tmp_path, REFERENCE), "--format", "json")
    assert out.exit_code == 0, out.output
    project = json.loads(out.stdout)["projects"][0]
    options = {o["id"]: o for o in project["options"]}
    assert options["A"]["bcr_vs_bau"] == 7.5
    assert options["B"]["bcr_vs_bau"] == 4.0
    assert round(options["B"]["incremental_bcr"], 2) == 1.67
    assert options["B"]["compared_with"] == "A"
    assert options["A"]["compared_with"] == "bau"
    assert options["bau"]["compared_with"] is None
    assert options["bau"]["incremental_npv"] is None
    assert project["best"] == "B"
    assert project["preferred"] == "A"
    table = run_cli(runner, "options", write(tmp_path, REFERENCE))
    assert "7.50" in table.stdout and "4.00" in table.stdout and "1.67" in table.stdout


# -- the figures against BAU and the project's stand-in ----------------------------------------

BAU_WITH_LINES = (
    HEAD
    + 'preferred = "merge"\n'
    + option("bau", "bau", cost("Two rooms", "1_000", key="annual"))
    + option("merge", body=cost("One room", "700", key="annual") + cost("Works", "2_000"))
    + option(
        "dear", body=cost("Dear room", "1_200", key="annual") + benefit("More", "100", "annual")
    )
)


def test_project_stands_for_its_preferred_option_against_bau(tmp_path: Path):
    result = appraise(load_portfolio(write(tmp_path, BAU_WITH_LINES))).project("OPT")
    shortlist = result.options
    merge = shortlist.option("merge")
    bau = shortlist.option("bau")
    assert merge.npv_vs_bau == pytest.approx(
        (merge.result.pv_benefits - bau.result.pv_benefits)
        - (merge.result.pv_costs - bau.result.pv_costs)
    )
    # the project's figures in run are the preferred option's against BAU
    assert result.pv_costs == pytest.approx(merge.extra_pv_costs)
    assert result.pv_benefits == pytest.approx(merge.extra_pv_benefits)
    assert result.npv == pytest.approx(merge.npv_vs_bau)
    assert result.pv_costs < 0  # it saves cost: no BCR, and "saves cost" against BAU
    assert result.bcr is None
    assert merge.bcr_vs_bau is None and merge.saves_cost


def test_run_json_gives_options_and_preferred(runner, tmp_path: Path):
    out = run_cli(runner, "run", write(tmp_path, BAU_WITH_LINES), "--format", "json")
    assert out.exit_code == 0, out.output
    project = json.loads(out.stdout)["projects"][0]
    assert project["preferred"] == "merge"
    assert [o["id"] for o in project["options"]] == ["bau", "merge", "dear"]
    assert project["bcr"] is None
    keys = {
        "id",
        "name",
        "role",
        "pv_costs",
        "pv_benefits",
        "npv",
        "pv_risk_costs",
        "npv_vs_bau",
        "bcr_vs_bau",
        "compared_with",
        "incremental_npv",
        "incremental_bcr",
    }
    assert keys <= set(project["options"][0])


def test_scenarios_apply_to_bau_lines_counted_against(tmp_path: Path):
    """A BAU line counted against the preferred option moves the project's NPV the other way:
    the pessimistic scenario takes BAU's cheap end (the preferred option's saving smallest)."""
    text = (
        HEAD
        + 'preferred = "merge"\n'
        + option(
            "bau",
            "bau",
            cost("Two rooms", "{ low = 800, central = 1_000, high = 1_200 }", "annual"),
        )
        + option("merge", body=cost("One room", "700", key="annual"))
    )
    portfolio = load_portfolio(write(tmp_path, text))
    npv = {
        s: appraise(portfolio, s).project("OPT").npv
        for s in ("pessimistic", "central", "optimistic")
    }
    assert npv["pessimistic"] < npv["central"] < npv["optimistic"]
    for scenario, value in npv.items():
        shortlist = appraise(portfolio, scenario).project("OPT").options
        assert shortlist.option("merge").npv_vs_bau == pytest.approx(value)


def test_includes_puts_the_included_options_lines_first(tmp_path: Path):
    text = (
        HEAD
        + 'preferred = "merge"\n'
        + option("bau", "bau")
        + option("colocate", "do-minimum", cost("Move", "500"))
        + option("merge", body=cost("Merge works", "300"), includes='"colocate"')
    )
    result = appraise(load_portfolio(write(tmp_path, text))).project("OPT")
    merge = result.options.option("merge")
    assert merge.result.pv_costs == 800.0
    assert [line.name for line in result.project.costs] == ["Move", "Merge works"]


def test_warning_when_the_preferred_option_is_not_the_best(runner, tmp_path: Path):
    path = write(tmp_path, REFERENCE)  # A is preferred, B is best
    out = run_cli(runner, "options", path)
    assert out.exit_code == 0
    assert "Warning: " in out.stderr and 'preferred option "A"' in out.stderr
    assert "preferred_because" in out.stderr
    strict = run_cli(runner, "options", path, "--strict")
    assert strict.exit_code == 1
    because = write(
        tmp_path / "b",
        REFERENCE.replace(
            'preferred = "A"\n',
            'preferred = "A"\npreferred_because = "B needs land we do not own"\n',
        ),
    )
    quiet = run_cli(runner, "options", because)
    assert "Warning" not in quiet.stderr
    assert "B needs land we do not own" in quiet.stdout
    assert (
        json.loads(run_cli(runner, "run", because, "--format", "json").stdout)["projects"][0][
            "preferred_because"
        ]
        == "B needs land we do not own"
    )


def test_options_command_python_api_and_project_choice(runner, tmp_path: Path):
    folder = tmp_path / "set"
    write(folder, REFERENCE)
    write(
        folder, HEAD.replace("OPT", "PLAIN") + '[[costs]]\nname = "c"\nannual = 1\n', "plain.toml"
    )
    appraisal = options_appraisal(load_portfolio(folder))
    assert [s.project.id for s in appraisal.shortlists] == ["OPT"]
    out = run_cli(runner, "options", folder, "--project", "PLAIN")
    assert out.exit_code == 2 and "has no options" in out.output
    out = run_cli(runner, "options", folder, "--project", "OTP")
    assert out.exit_code == 2 and 'did you mean "OPT"' in out.output
    out = run_cli(runner, "options", folder / "plain.toml")
    assert out.exit_code == 0 and "No project has options" in out.stdout


def test_appraising_without_options_changes_no_other_figure():
    """``appraise_case(case, options=False)``, for callers that read no option (the other
    scenarios, the simulation's bounds, progress): every figure as with the options, the
    plan's and the outturn's included, and no shortlist."""
    from dataclasses import replace

    from npv_calc.calculate import appraise_case
    from npv_calc.report import to_dict
    from npv_calc.scenarios import prepare

    from .conftest import EXAMPLE

    case = prepare(load_portfolio(EXAMPLE))
    full = appraise_case(case)
    bare = appraise_case(case, options=False)
    assert [p.id for p in full.projects if p.options is not None] == ["JCR"]
    assert all(p.options is None for p in bare.projects)
    assert any(p.planned is not None for p in bare.projects)  # the example records outturn
    without = replace(full, projects=tuple(replace(p, options=None) for p in full.projects))
    assert to_dict(bare) == to_dict(without)


def test_case_includes_the_options(runner, tmp_path: Path):
    out = run_cli(runner, "case", write(tmp_path, REFERENCE))
    assert out.exit_code == 0, out.output
    assert "Options against business as usual" in out.stdout
    assert "1.67" in out.stdout


# -- validation ---------------------------------------------------------------------------------


def test_a_valid_shortlist_passes_the_schema(tmp_path: Path):
    document = tomllib.loads(REFERENCE)
    assert not list(Draft202012Validator(schema("project")).iter_errors(document))
    document["costs"] = [{"name": "stray", "annual": 1}]
    assert list(Draft202012Validator(schema("project")).iter_errors(document))


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (
            HEAD + 'preferred = "A"\n' + option("A", body=cost("a")),
            ['needs exactly one option with role = "bau"', "options"],
        ),
        (
            HEAD
            + 'preferred = "A"\n'
            + option("bau", "bau")
            + option("b2", "bau")
            + option("A", body=cost("a")),
            ['option "b2": role: is "bau" but option "bau" is business as usual already'],
        ),
        (
            HEAD
            + 'preferred = "A"\n'
            + option("bau", "bau")
            + option("d1", "do-minimum", cost("d"))
            + option("d2", "do-minimum", cost("d"))
            + option("A", body=cost("a")),
            ['option "d2": role: is "do-minimum" but option "d1" is the do-minimum already'],
        ),
        (
            HEAD + 'preferred = "merg"\n' + option("bau", "bau") + option("merge", body=cost("a")),
            ['preferred: names no option: "merg" (did you mean "merge"?)'],
        ),
        (
            HEAD + 'preferred = "bau"\n' + option("bau", "bau") + option("A", body=cost("a")),
            ['preferred: is "bau", business as usual'],
        ),
        (
            HEAD + option("bau", "bau") + option("A", body=cost("a")),
            ["preferred: is required with [[options]]"],
        ),
        (
            HEAD
            + 'preferred = "A"\n'
            + option("bau", "bau")
            + option("A", body=cost("a"), includes='"colocat"')
            + option("colocate", body=cost("c")),
            ['option "A": includes: names no option: "colocat" (did you mean "colocate"?)'],
        ),
        (
            HEAD
            + 'preferred = "A"\n'
            + option("bau", "bau")
            + option("A", body=cost("a"), includes='"B"')
            + option("B", body=cost("b"), includes='"A"'),
            ['option "A": includes: goes round in a circle: "A" includes "B" includes "A"'],
        ),
        (
            HEAD
            + 'preferred = "A"\n[[costs]]\nname = "stray"\nannual = 1\n'
            + option("bau", "bau")
            + option("A", body=cost("a")),
            ["costs: a project with [[options]] has no costs of its own"],
        ),
        (
            HEAD + 'preferred = "A"\n' + '[[costs]]\nname = "c"\nannual = 1\n',
            ["preferred: applies only to a project with [[options]]"],
        ),
        (
            HEAD
            + 'preferred = "A"\n'
            + option("bau", "bau")
            + option("A", body=cost("a"), colour='"red"'),
            ['option "A": colour: unknown key "colour"'],
        ),
        (
            HEAD + 'preferred = "A"\n' + option("bau", "bau") + option("A", body=cost("a", "-5")),
            ['option "A" costs[1] "a": amounts'],
        ),
        (
            HEAD + 'preferred = "A"\n' + option("bau", "bau") + option("A"),
            ['option "A": has no costs or benefits'],
        ),
        (
            HEAD
            + 'preferred = "A"\n'
            + option("bau", "bau")
            + option("A", body=cost("a"))
            + option("a", body=cost("b")),
            ['option "a": id: "a" differs only in case'],
        ),
    ],
    ids=[
        "no-bau",
        "two-bau",
        "two-do-minimum",
        "unknown-preferred",
        "preferred-is-bau",
        "preferred-missing",
        "unknown-includes",
        "includes-cycle",
        "lines-beside-options",
        "preferred-without-options",
        "unknown-option-key",
        "bad-line-in-option",
        "option-without-lines",
        "ids-alike",
    ],
)
def test_bad_shortlists_are_errors(tmp_path: Path, text: str, fragments: list[str]):
    problems = problems_of(write(tmp_path, text))
    joined = "\n".join(problems)
    for fragment in fragments:
        assert fragment in joined, joined
    assert all(p.startswith(str(tmp_path / "opt.toml")) or "opt.toml" in p for p in problems)


def test_every_problem_of_a_shortlist_at_once_with_lines(tmp_path: Path):
    text = (
        HEAD
        + 'preferred = "merg"\n'
        + option("bau", "bau")
        + option("bau2", "bau")
        + option("A", body=cost("a", "-5"), includes='"B"')
        + option("B", body=cost("b"), includes='"A"')
    )
    path = write(tmp_path, text)
    problems = problems_of(path)
    lines = text.splitlines()
    assert len(problems) >= 5
    # each problem names its line: the line holds the field named
    for problem in problems:
        place = problem.split(": ")[0]
        number = int(place.rsplit(":", 1)[1])
        field = (
            problem.split(": ")[2]
            if problem.split(": ")[1].startswith("option")
            else problem.split(": ")[1]
        )
        assert (
            field.split(".")[0].split("[")[0] in lines[number - 1] or "[[" in lines[number - 1]
        ), problem


def test_cross_checks_reach_every_option(tmp_path: Path):
    """Settings-dependent checks (years inside the horizon) look at every option's lines, not
    only those of the preferred option and BAU."""
    text = (
        HEAD
        + 'preferred = "A"\n'
        + option("bau", "bau")
        + option("A", body=cost("a"))
        + option("B", body='[[options.costs]]\nname = "late"\nannual = 1\nyears = [2, 12]\n')
    )
    problems = problems_of(write(tmp_path, text))
    assert any('option "B" costs[1] "late": years' in p for p in problems), problems


def test_run_table_prints_the_preferred_option_and_why(runner, tmp_path: Path):
    """run --format table names the option a project stands for and prints preferred_because
    (or says none is given, and names the best option when it is another)."""
    because = REFERENCE.replace(
        'preferred = "A"\n', 'preferred = "A"\npreferred_because = "Only A can start this year."\n'
    )
    out = run_cli(runner, "run", write(tmp_path / "because", because))
    assert out.exit_code == 0, out.output
    text = " ".join(out.stdout.split())
    assert 'OPT is its preferred option "A" (Option A) against business as usual' in text
    assert 'the best on the figures is "B". Preferred because: Only A can start this year.' in text
    plain = run_cli(runner, "run", write(tmp_path / "plain", REFERENCE))
    assert "No reason given." in " ".join(plain.stdout.split())


def chain_of(depth: int, length: int = 0) -> str:
    """A shortlist whose option ``o<k>`` includes ``o<k-1>``, down to ``o1`` on BAU: ``o<depth>``
    builds on ``depth`` options. ``length`` options in all (at least ``depth``)."""
    options = [option("bau", "bau", cost("Run", "1_000", "annual"))]
    for k in range(1, max(depth, length) + 1):
        below = f'"o{k - 1}"' if k > 1 else '"bau"'
        options.append(option(f"o{k}", body=benefit(f"Gain {k}", "2_000"), includes=below))
    return HEAD + 'preferred = "o1"\npreferred_because = "a test"\n' + "".join(options)


def test_an_option_may_build_on_ten_others(tmp_path: Path):
    from npv_calc.model import MAX_INCLUDES

    portfolio = load_portfolio(write(tmp_path, chain_of(MAX_INCLUDES)))
    deepest = appraise(portfolio).project("OPT").options
    assert deepest is not None
    # o10 holds BAU's running cost and the ten gains before and of its own
    top = next(o for o in deepest.options if o.option.id == f"o{MAX_INCLUDES}")
    assert len(top.result.lines) == MAX_INCLUDES + 1


def test_a_chain_deeper_than_ten_is_refused_once_where_it_first_is(tmp_path: Path):
    """A chain of a thousand options took two minutes to validate and five to appraise: one
    error, at the first option too deep (those built on it are too deep because of it)."""
    problems = problems_of(write(tmp_path, chain_of(11, length=1_000)))
    assert len(problems) == 1, problems
    assert (
        'option "o11": includes: builds on more than 10 options, one through the next ("o11" '
        'includes "o10" includes "o9" includes "o8" ...); at most 10' in problems[0]
    )
    assert problems[0].startswith(f"{tmp_path / 'opt.toml'}:")
