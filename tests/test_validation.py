"""Validation of scenario files, one test per rule, driven through the real command line.

SPEC.md, "Scenario files (TOML)" -> **Validation**: every problem is a clear ``Error: ...`` line
on stderr naming the file, the line, the item (``benefits[1] "Fires avoided"``), the field, the
bad value and what is allowed; all problems are reported at once; exit code 1 for bad input, 2
for a usage error, 0 for valid input; never a traceback.

Every test runs in a fresh working directory (``tmp_path``), so a file is shown in messages as
``scenarioN/p1.toml`` (its path relative to the working directory).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from npv_calc.cli import cli
from tests.conftest import PORTFOLIO, PROJECT

MakeDir = Callable[..., Path]

# What the messages say is allowed, per rule.
MONEY = "must be 0 or more (£; a saving is a benefit, not a negative cost)"
NON_NEGATIVE = "must be 0 or more"
SHARE = "must be a share between 0 and 1"
YEARLY_CHANGE = "must be greater than -1 and less than 1"
COST_UPLIFT = "must be from 0 to 2 (e.g. 0.24 for a 24% uplift"
BENEFIT_REDUCTION = "must be between 0 and 1 for a benefit"
FINITE = "must be a finite number"
HORIZON = "must be a whole number of years from 1 to 400"
YEAR = "must be a year such as 2023 (a whole number)"
BOOLEAN = "must be true or false"
YEARS_SHAPE = "must be [first, last], two whole-number year offsets from year 0"
YEARS_ORDER = "must have 0 <= first <= last"
WITH_AMOUNTS = "cannot be used with amounts"

COST = 'costs[1] "Staff"'
BENEFIT = 'benefits[1] "Fires avoided"'

# ---------------------------------------------------------------------------------------------
# Writing scenario files


HEAD = 'id = "P1"\nname = "Project one"\nstart_year = 2020\nstatus = "approved"\n'


def table_line(
    section: str, name: str, defaults: dict[str, str], fields: dict[str, str | None]
) -> str:
    """A ``[[section]]`` table; each field's value is TOML text, ``None`` leaves a key out."""
    merged = {**defaults, **fields}
    body = "".join(f"{key} = {value}\n" for key, value in merged.items() if value is not None)
    return f'\n[[{section}]]\nname = "{name}"\n{body}'


def cost(**fields: str | None) -> str:
    """A valid cost line (``costs[1] "Staff"`` when first), changed by ``fields``."""
    return table_line("costs", "Staff", {"agency": '"Fire"', "annual": "10_000"}, fields)


def benefit(**fields: str | None) -> str:
    """A valid benefit line (``benefits[1] "Fires avoided"`` when first), changed by ``fields``."""
    defaults = {
        "agency": '"Fire"',
        "quantity": "{ low = 5, central = 10, high = 15 }",
        "unit_value": "2_000",
    }
    return table_line("benefits", "Fires avoided", defaults, fields)


def section_line(section: str, **fields: str | None) -> str:
    return cost(**fields) if section == "costs" else benefit(**fields)


def project(*lines: str, head: str = HEAD) -> str:
    """A project file: ``head`` (id, name, start_year, status) and the given lines."""
    return head + "".join(lines)


def line_no(text: str, needle: str, nth: int = 1) -> int:
    """The 1-based line number of the ``nth`` line of ``text`` (as written) containing
    ``needle``."""
    lines = textwrap.dedent(text).splitlines()
    hits = [number for number, row in enumerate(lines, start=1) if needle in row]
    assert len(hits) >= nth, f"{needle!r} not in the test's own file text"
    return hits[nth - 1]


def at(folder: Path, name: str = "p1.toml", line: int | None = None) -> str:
    """The start of an error line about ``folder/name`` (at ``line`` when given)."""
    where = f"{folder.name}/{name}"
    if line is not None:
        where += f":{line}"
    return f"Error: {where}: "


# ---------------------------------------------------------------------------------------------
# Running the command line and reading what it says


@pytest.fixture(autouse=True)
def _work_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=["validate", "run"])
def command(request: pytest.FixtureRequest) -> str:
    """Both commands that read scenario files report the same problems."""
    return request.param


def invoke(runner: CliRunner, *args: str | Path) -> Result:
    return runner.invoke(cli, [str(a) for a in args])


def check_exit(result: Result, code: int) -> None:
    """The exit code is ``code``, with no traceback and no exception escaping."""
    shown = f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.output + result.stderr, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{result.exception!r}\n{shown}"
    )
    assert result.exit_code == code, f"exit code {result.exit_code}, expected {code}\n{shown}"


def error_lines(result: Result) -> list[str]:
    return [row for row in result.stderr.splitlines() if row.startswith("Error: ")]


COUNT_LINE = re.compile(r"(\d+) problems? found")


def check_input_errors(result: Result) -> None:
    """Exit 1 output: one ``Error:`` line per problem, then the count of problems."""
    check_exit(result, 1)
    rows = [row for row in result.stderr.splitlines() if row.strip()]
    assert rows, "nothing on stderr"
    count = COUNT_LINE.search(rows[-1])
    assert count, f"last line should count the problems:\n{result.stderr}"
    assert all(row.startswith("Error: ") for row in rows[:-1]), result.stderr
    assert int(count.group(1)) == len(rows) - 1, result.stderr


def expect_error(result: Result, *fragments: str, code: int = 1) -> str:
    """Assert the exit code and that one ``Error:`` line holds every fragment; return it."""
    if code == 1:
        check_input_errors(result)
    else:
        check_exit(result, code)
    found = [row for row in error_lines(result) if all(f in row for f in fragments)]
    assert found, f"no Error: line holding all of {fragments!r} in stderr:\n{result.stderr}"
    return found[0]


def expect_valid(result: Result) -> None:
    check_exit(result, 0)
    assert not error_lines(result), result.stderr


# ---------------------------------------------------------------------------------------------
# Valid input


def test_valid_directory_validates(runner: CliRunner, scenario_dir: MakeDir) -> None:
    folder = scenario_dir()
    result = invoke(runner, "validate", folder)
    expect_valid(result)
    assert result.stderr == ""
    assert result.stdout.startswith("OK: Test portfolio: 1 project, 2 lines in 2 files")


def test_valid_directory_runs(runner: CliRunner, scenario_dir: MakeDir) -> None:
    expect_valid(invoke(runner, "run", scenario_dir(), "--format", "json"))


def test_values_on_the_edge_of_their_rules_are_accepted(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    text = project(
        cost(annual="0", growth="-0.99", optimism_bias="1.5", scale="0"),
        cost(annual=None, amounts="[0, 5_000, 0, 0, 0, 0, 0, 0, 0, 0]", optimism_bias="0"),
        benefit(
            growth="0.99",
            drop_off="-0.99",
            deadweight="0",
            displacement="1",
            attribution="{ low = 0, central = 0.5, high = 1 }",
            optimism_bias="{ low = 0, central = 1, high = 1 }",
            years="[9, 9]",
        ),
        benefit(quantity=None, unit_value=None, annual="{ low = 0, central = 0, high = 0 }"),
    )
    portfolio = PORTFOLIO.replace("discount_rate = 0.035", "discount_rate = -0.99")
    folder = scenario_dir(portfolio=portfolio, p1=text)
    expect_valid(invoke(runner, "validate", folder))
    expect_valid(invoke(runner, "run", folder))


@pytest.mark.parametrize("horizon", [1, 400])
def test_horizon_limits_are_accepted(
    runner: CliRunner, scenario_dir: MakeDir, horizon: int
) -> None:
    folder = scenario_dir(portfolio=PORTFOLIO.replace("horizon = 10", f"horizon = {horizon}"))
    expect_valid(invoke(runner, "validate", folder))


# ---------------------------------------------------------------------------------------------
# Project identity


@pytest.mark.parametrize("key", ["id", "name", "start_year"])
def test_required_project_key_missing(
    runner: CliRunner, scenario_dir: MakeDir, command: str, key: str
) -> None:
    head = "".join(row + "\n" for row in HEAD.splitlines() if not row.startswith(f"{key} ="))
    folder = scenario_dir(p1=project(cost(), head=head))
    expect_error(
        invoke(runner, command, folder),
        at(folder) + f"{key}: is required",
        "every project file needs id, name and start_year",
    )


@pytest.mark.parametrize("bad_id", ["1P", "P 1", "P.1", "Pé", "-P"])
def test_id_pattern(runner: CliRunner, scenario_dir: MakeDir, bad_id: str) -> None:
    text = project(cost(), head=HEAD.replace('"P1"', f'"{bad_id}"'))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "id =")) + "id: ",
        "must start with a letter and use only letters, digits, _ and -",
        f'got "{bad_id}"',
    )


@pytest.mark.parametrize(
    ("value", "words"),
    [('""', "must not be empty"), ("5", "must be text in quotes, got 5")],
)
def test_id_empty_or_not_text(
    runner: CliRunner, scenario_dir: MakeDir, value: str, words: str
) -> None:
    text = project(cost(), head=HEAD.replace('"P1"', value))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder), at(folder, line=line_no(text, "id =")) + "id: " + words
    )


def test_status_not_in_the_list(runner: CliRunner, scenario_dir: MakeDir, command: str) -> None:
    text = project(cost(), head=HEAD.replace('"approved"', '"aproved"'))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "status =")) + "status: ",
        'must be one of "proposed", "approved", "in-delivery", "delivered"',
        'got "aproved" (did you mean "approved"?)',
    )


def test_ids_unique_across_files(runner: CliRunner, scenario_dir: MakeDir, command: str) -> None:
    folder = scenario_dir(p1=PROJECT, p2=project(cost(), head=HEAD.replace("Project one", "Two")))
    result = invoke(runner, command, folder)
    expect_error(
        result,
        at(folder, "p2.toml", line_no(HEAD, "id =")) + "id: ",
        f'"P1" is already the id of a project in {folder.name}/p1.toml; ids must be unique',
    )


def test_project_with_no_lines(runner: CliRunner, scenario_dir: MakeDir, command: str) -> None:
    folder = scenario_dir(p1=HEAD)
    expect_error(
        invoke(runner, command, folder),
        at(folder),
        "has no costs or benefits: add at least one [[costs]] or [[benefits]] table",
    )


# ---------------------------------------------------------------------------------------------
# Unknown keys, everywhere, with a "did you mean" suggestion

UNKNOWN_KEY_CASES = [
    pytest.param(
        PORTFOLIO,
        project(cost(), head=HEAD + 'descripton = "x"\n'),
        "p1.toml",
        "descripton =",
        'descripton: unknown key "descripton" (did you mean "description"?); allowed keys here: ',
        id="project-top",
    ),
    pytest.param(
        PORTFOLIO,
        project("\n[appraisal]\nhorizn = 10\n", cost()),
        "p1.toml",
        "horizn =",
        '[appraisal]: horizn: unknown key "horizn" (did you mean "horizon"?); allowed keys here: ',
        id="project-appraisal",
    ),
    pytest.param(
        PORTFOLIO,
        project(cost(anual="5")),
        "p1.toml",
        "anual =",
        f'{COST}: anual: unknown key "anual" (did you mean "annual"?); allowed keys here: ',
        id="costs",
    ),
    pytest.param(
        PORTFOLIO,
        project(benefit(dropoff="0.1")),
        "p1.toml",
        "dropoff =",
        f'{BENEFIT}: dropoff: unknown key "dropoff" (did you mean "drop_off"?); allowed keys here',
        id="benefits",
    ),
    pytest.param(
        PORTFOLIO,
        project(benefit(quantity="{ low = 5, centre = 10, high = 15 }")),
        "p1.toml",
        "quantity =",
        f'{BENEFIT}: quantity.centre: unknown key "centre" in an uncertain value '
        '(did you mean "central"?); write { low = ..., central = ..., high = ... }',
        id="uncertain-value",
    ),
    pytest.param(
        PORTFOLIO,
        project(cost(), head=HEAD + "target = 5\n"),
        "p1.toml",
        "target =",
        'target: unknown key "target": belongs in the [portfolio] table of portfolio.toml',
        id="project-top-portfolio-key",
    ),
    pytest.param(
        PORTFOLIO.replace("target_year = 2027", "target_year = 2027\ntagret = 1"),
        PROJECT,
        "portfolio.toml",
        "tagret =",
        '[portfolio]: tagret: unknown key "tagret" (did you mean "target"?); allowed keys here: ',
        id="portfolio",
    ),
    pytest.param(
        PORTFOLIO.replace("horizon = 10", "horizon = 10\ndiscount_rte = 0.03"),
        PROJECT,
        "portfolio.toml",
        "discount_rte =",
        '[appraisal]: discount_rte: unknown key "discount_rte" (did you mean "discount_rate"?); '
        "allowed keys here: ",
        id="portfolio-appraisal",
    ),
    pytest.param(
        "horizon = 5\n" + PORTFOLIO,
        PROJECT,
        "portfolio.toml",
        "horizon = 5",
        'horizon: unknown key "horizon": belongs in the [appraisal] table',
        id="portfolio-top",
    ),
    pytest.param(
        PORTFOLIO + '\n[portfolo]\nname = "x"\n',
        PROJECT,
        "portfolio.toml",
        "[portfolo]",
        'portfolo: unknown key "portfolo" (did you mean "portfolio"?)',
        id="portfolio-table-name",
    ),
    pytest.param(
        PORTFOLIO + '\n[scenarios.low-rate]\ndescripton = "x"\nset = { discount_rate = 0.03 }\n',
        PROJECT,
        "portfolio.toml",
        "descripton =",
        '[scenarios.low-rate]: descripton: unknown key "descripton" (did you mean "description"?)',
        id="scenario",
    ),
    pytest.param(
        PORTFOLIO + "\n[scenarios.low-rate]\nset = { discount_rte = 0.03 }\n",
        PROJECT,
        "portfolio.toml",
        "set =",
        '[scenarios.low-rate]: set.discount_rte: unknown key "discount_rte" '
        '(did you mean "discount_rate"?)',
        id="scenario-set",
    ),
]


@pytest.mark.parametrize(("portfolio", "text", "name", "needle", "message"), UNKNOWN_KEY_CASES)
def test_unknown_key(
    runner: CliRunner,
    scenario_dir: MakeDir,
    command: str,
    portfolio: str,
    text: str,
    name: str,
    needle: str,
    message: str,
) -> None:
    folder = scenario_dir(portfolio=portfolio, p1=text)
    written = portfolio if name == "portfolio.toml" else text
    expect_error(
        invoke(runner, command, folder), at(folder, name, line_no(written, needle)) + message
    )


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("quantity", "10"),
        ("unit_value", "10"),
        ("deadweight", "0.1"),
        ("displacement", "0.1"),
        ("attribution", "0.5"),
        ("drop_off", "0.1"),
        ("cashable", "true"),
        ("confidence", "3"),
    ],
)
def test_benefit_only_key_on_a_cost(
    runner: CliRunner, scenario_dir: MakeDir, key: str, value: str
) -> None:
    text = project(cost(**{key: value}))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, f"{key} = {value}")) + f"{COST}: {key}: ",
        f'unknown key "{key}": applies to benefits only',
    )


def test_kind_on_a_benefit(runner: CliRunner, scenario_dir: MakeDir) -> None:
    text = project(benefit(kind='"capital"'))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "kind =")) + f"{BENEFIT}: kind: ",
        'unknown key "kind": applies to costs only (revenue or capital)',
    )


def test_cost_kind_not_in_the_list(runner: CliRunner, scenario_dir: MakeDir) -> None:
    text = project(cost(kind='"Capital"'))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "kind =")) + f"{COST}: kind: ",
        'must be one of "revenue", "capital", got "Capital" (did you mean "capital"?)',
    )


# ---------------------------------------------------------------------------------------------
# Ranges of numbers

RANGE_CASES = [
    ("costs", "annual", "-1", MONEY),
    ("benefits", "annual", "-0.5", MONEY),
    ("benefits", "unit_value", "-2000", MONEY),
    ("benefits", "quantity", "-3", NON_NEGATIVE),
    ("costs", "scale", "-0.5", NON_NEGATIVE),
    ("benefits", "scale", "-1", NON_NEGATIVE),
    ("benefits", "deadweight", "-0.1", SHARE),
    ("benefits", "deadweight", "1.5", SHARE),
    ("benefits", "displacement", "2", SHARE),
    ("benefits", "attribution", "-0.01", SHARE),
    ("benefits", "attribution", "1.01", SHARE),
    ("benefits", "optimism_bias", "1.5", BENEFIT_REDUCTION),
    ("benefits", "optimism_bias", "-0.1", BENEFIT_REDUCTION),
    ("costs", "optimism_bias", "-0.1", COST_UPLIFT),
    ("costs", "growth", "-1", YEARLY_CHANGE),
    ("costs", "growth", "1", YEARLY_CHANGE),
    ("benefits", "growth", "1.5", YEARLY_CHANGE),
    ("benefits", "drop_off", "1", YEARLY_CHANGE),
    ("benefits", "drop_off", "-1.0", YEARLY_CHANGE),
]


@pytest.mark.parametrize(("section", "field", "value", "allowed"), RANGE_CASES)
def test_number_outside_its_range(
    runner: CliRunner,
    scenario_dir: MakeDir,
    command: str,
    section: str,
    field: str,
    value: str,
    allowed: str,
) -> None:
    fields = {field: value}
    if (section, field) == ("benefits", "annual"):
        fields.update(quantity=None, unit_value=None)
    text = project(section_line(section, **fields))
    folder = scenario_dir(p1=text)
    item = COST if section == "costs" else BENEFIT
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, f"{field} = {value}")) + f"{item}: {field}: {allowed}",
        f"got {value}",
    )


def test_cost_optimism_bias_may_exceed_one_but_a_benefit_reduction_may_not(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    """An uplift of 150% on a cost is allowed; reducing a benefit by 150% is not."""
    good = scenario_dir(p1=project(cost(optimism_bias="1.5"), benefit()))
    expect_valid(invoke(runner, "validate", good))
    text = project(cost(optimism_bias="1.5"), benefit(optimism_bias="1.5"))
    folder = scenario_dir(p1=text)
    result = invoke(runner, "validate", folder)
    expect_error(
        result,
        at(folder, line=line_no(text, "optimism_bias =", 2))
        + f"{BENEFIT}: optimism_bias: {BENEFIT_REDUCTION}",
        "got 1.5",
    )
    assert len(error_lines(result)) == 1, result.stderr


def test_amounts_element_negative(runner: CliRunner, scenario_dir: MakeDir, command: str) -> None:
    text = project(cost(annual=None, amounts="[10_000, -5]"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "amounts =")) + f"{COST}: amounts[1]: {MONEY}, got -5",
    )


@pytest.mark.parametrize("value", ["5", '"all"', "[]"])
def test_amounts_not_a_list_of_numbers(
    runner: CliRunner, scenario_dir: MakeDir, value: str
) -> None:
    text = project(cost(annual=None, amounts=value))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "amounts =")) + f"{COST}: amounts: ",
        "must be a list of yearly amounts such as [45_000, 5_000], got ",
    )


def test_portfolio_target_negative(runner: CliRunner, scenario_dir: MakeDir, command: str) -> None:
    portfolio = PORTFOLIO.replace("target = 100_000", "target = -1")
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, command, folder),
        at(folder, "portfolio.toml", line_no(portfolio, "target = -1"))
        + f"[portfolio]: target: {NON_NEGATIVE}, got -1",
    )


@pytest.mark.parametrize("value", ["1.5", "-0.1"])
def test_confidence_grade_value_not_a_share(
    runner: CliRunner, scenario_dir: MakeDir, value: str
) -> None:
    portfolio = PORTFOLIO + f"\n[confidence_grades]\n3 = {value}\n"
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, "portfolio.toml", line_no(portfolio, f"3 = {value}"))
        + f"[confidence_grades]: 3: {BENEFIT_REDUCTION}",
        f"got {value}",
    )


@pytest.mark.parametrize("grade", ["0", "x", "-1"])
def test_confidence_grade_name_not_a_whole_number(
    runner: CliRunner, scenario_dir: MakeDir, grade: str
) -> None:
    portfolio = PORTFOLIO + f'\n[confidence_grades]\n"{grade}" = 0.5\n'
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, "portfolio.toml", line_no(portfolio, f'"{grade}" = 0.5'))
        + f'[confidence_grades]: {grade}: grade "{grade}" must be a whole number from 1 to '
        "1,000,000",
    )


@pytest.mark.parametrize(("key", "value"), [("2023", "0"), ("2023", "-100.0"), ("20x3", "100.0")])
def test_deflator_entry_invalid(
    runner: CliRunner, scenario_dir: MakeDir, key: str, value: str
) -> None:
    portfolio = PORTFOLIO.replace("2023 = 100.0", f'"{key}" = {value}')
    folder = scenario_dir(portfolio=portfolio)
    words = f"must be greater than 0, got {value}" if key == "2023" else "must be a year such as"
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, "portfolio.toml", line_no(portfolio, f'"{key}" =')) + f"[deflators]: {key}: ",
        words,
    )


# ---------------------------------------------------------------------------------------------
# Uncertain values


@pytest.mark.parametrize(
    "value",
    ["{ low = 3, central = 2, high = 4 }", "{ low = 1, central = 5, high = 4 }"],
)
def test_uncertain_value_out_of_order(
    runner: CliRunner, scenario_dir: MakeDir, command: str, value: str
) -> None:
    text = project(benefit(quantity=value))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "quantity =")) + f"{BENEFIT}: quantity: ",
        f"must have low <= central <= high, got {value}",
    )


@pytest.mark.parametrize("missing", ["low", "central", "high"])
def test_uncertain_value_missing_an_end(
    runner: CliRunner, scenario_dir: MakeDir, missing: str
) -> None:
    parts = {"low": "0.1", "central": "0.2", "high": "0.3"}
    del parts[missing]
    value = "{ " + ", ".join(f"{k} = {v}" for k, v in parts.items()) + " }"
    text = project(benefit(deadweight=value))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "deadweight =")) + f"{BENEFIT}: deadweight: ",
        f"an uncertain value needs low, central and high; missing {missing}",
    )


@pytest.mark.parametrize(
    ("section", "field", "ends", "end", "allowed"),
    [
        ("benefits", "deadweight", (-0.1, 0.2, 0.3), "low", SHARE),
        ("benefits", "attribution", (0.5, 1.2, 0.9), "central", SHARE),
        ("benefits", "drop_off", (0, 0.1, 1), "high", YEARLY_CHANGE),
        ("benefits", "quantity", (-1, 10, 15), "low", NON_NEGATIVE),
        ("benefits", "optimism_bias", (0, 0.5, 1.5), "high", BENEFIT_REDUCTION),
        ("costs", "annual", (-5, 10, 20), "low", MONEY),
        ("costs", "optimism_bias", (-0.2, 0.2, 0.4), "low", COST_UPLIFT),
        ("costs", "growth", (-1, 0, 0.1), "low", YEARLY_CHANGE),
        ("costs", "scale", (0.5, 1, float("inf")), "high", FINITE),
    ],
)
def test_uncertain_value_end_obeys_the_field_rule(
    runner: CliRunner,
    scenario_dir: MakeDir,
    command: str,
    section: str,
    field: str,
    ends: tuple[float, float, float],
    end: str,
    allowed: str,
) -> None:
    low, central, high = (repr(x) for x in ends)
    text = project(
        section_line(section, **{field: f"{{ low = {low}, central = {central}, high = {high} }}"})
    )
    folder = scenario_dir(p1=text)
    item = COST if section == "costs" else BENEFIT
    bad = {"low": low, "central": central, "high": high}[end]
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, f"{field} =")) + f"{item}: {field}.{end}: {allowed}",
        f"got {bad}",
    )


# ---------------------------------------------------------------------------------------------
# Years and amounts against the horizon


@pytest.mark.parametrize(
    "value", ["[1]", "[1, 2, 3]", "[0.0, 9]", '"all"', "[true, 3]", '["0", 9]']
)
def test_years_not_two_whole_numbers(
    runner: CliRunner, scenario_dir: MakeDir, command: str, value: str
) -> None:
    text = project(cost(years=value))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "years =")) + f"{COST}: years: {YEARS_SHAPE}",
        f"got {value}",
    )


@pytest.mark.parametrize("value", ["[5, 2]", "[-1, 3]"])
def test_years_first_after_last_or_negative(
    runner: CliRunner, scenario_dir: MakeDir, command: str, value: str
) -> None:
    text = project(benefit(years=value))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "years =")) + f"{BENEFIT}: years: {YEARS_ORDER}",
        f"got {value}",
    )


@pytest.mark.parametrize("value", ["[0, 10]", "[12, 15]"])
def test_years_beyond_the_horizon(
    runner: CliRunner, scenario_dir: MakeDir, command: str, value: str
) -> None:
    text = project(cost(years=value))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "years =")) + f"{COST}: years: {value} goes beyond the "
        "horizon: a 10-year appraisal covers year offsets 0 to 9",
    )


@pytest.mark.parametrize("where", ["top", "[appraisal]"])
def test_years_beyond_a_project_own_horizon(
    runner: CliRunner, scenario_dir: MakeDir, command: str, where: str
) -> None:
    override = "horizon = 5\n" if where == "top" else "\n[appraisal]\nhorizon = 5\n"
    text = project(override, cost(years="[0, 5]"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "years =")) + f"{COST}: years: [0, 5] goes beyond the "
        "horizon: a 5-year appraisal covers year offsets 0 to 4",
    )
    # the same line fits the portfolio's 10-year horizon
    expect_valid(invoke(runner, command, scenario_dir(p1=project(cost(years="[0, 5]")))))


def test_years_beyond_the_horizon_set_on_the_command_line(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    text = project(cost(years="[0, 9]"))
    folder = scenario_dir(p1=text)
    expect_valid(invoke(runner, "run", folder))
    expect_error(
        invoke(runner, "run", folder, "--set", "horizon=5"),
        at(folder, line=line_no(text, "years =")) + f"{COST}: years: [0, 9] goes beyond the "
        "horizon: a 5-year appraisal covers year offsets 0 to 4 (with --set horizon=5)",
    )


def test_amounts_longer_than_the_horizon(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    text = project(cost(annual=None, amounts="[" + ", ".join(["1"] * 11) + "]"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "amounts =")) + f"{COST}: amounts: has 11 years of amounts "
        "but a 10-year appraisal covers year offsets 0 to 9",
    )


def test_amounts_longer_than_a_project_own_horizon(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    text = project("horizon = 3\n", benefit(quantity=None, unit_value=None, amounts="[1, 2, 3, 4]"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "amounts =")) + f"{BENEFIT}: amounts: has 4 years of "
        "amounts but a 3-year appraisal covers year offsets 0 to 2",
    )


def test_amounts_longer_than_the_horizon_set_on_the_command_line(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    text = project(cost(annual=None, amounts="[1, 2, 3, 4]"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "run", folder, "--set", "horizon=3"),
        at(folder, line=line_no(text, "amounts =")) + f"{COST}: amounts: has 4 years of amounts "
        "but a 3-year appraisal covers year offsets 0 to 2 (with --set horizon=3)",
    )


@pytest.mark.parametrize(
    ("section", "key", "value"),
    [
        ("costs", "years", "[0, 1]"),
        ("costs", "growth", "0.02"),
        ("benefits", "years", "[0, 1]"),
        ("benefits", "growth", "0.02"),
        ("benefits", "drop_off", "0.1"),
    ],
)
def test_not_allowed_with_amounts(
    runner: CliRunner, scenario_dir: MakeDir, command: str, section: str, key: str, value: str
) -> None:
    fields = {"annual": None, "quantity": None, "unit_value": None, "amounts": "[100, 200]"}
    fields[key] = value
    text = project(section_line(section, **fields))
    folder = scenario_dir(p1=text)
    item = COST if section == "costs" else BENEFIT
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, f"{key} =")) + f"{item}: {key}: {WITH_AMOUNTS}",
    )


# ---------------------------------------------------------------------------------------------
# How a line states its money


@pytest.mark.parametrize(
    ("section", "fields", "field", "words"),
    [
        ("costs", {"amounts": "[1, 2]"}, "annual", "gives amounts and annual: give only one way"),
        (
            "benefits",
            {"annual": "500"},
            "quantity",
            "gives annual and quantity: give only one way of stating the amount",
        ),
        (
            "benefits",
            {"amounts": "[1, 2]", "quantity": None, "unit_value": None, "annual": "5"},
            "annual",
            "gives amounts and annual: give only one way",
        ),
    ],
)
def test_more_than_one_way_of_stating_the_money(
    runner: CliRunner,
    scenario_dir: MakeDir,
    section: str,
    fields: dict[str, str | None],
    field: str,
    words: str,
) -> None:
    text = project(section_line(section, **fields))
    folder = scenario_dir(p1=text)
    item = COST if section == "costs" else BENEFIT
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, f"{field} =", 1)) + f"{item}: {field}: {words}",
    )


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ("costs", "gives no money: give one of amounts or annual"),
        ("benefits", "gives no money: give one of amounts, annual, or quantity with unit_value"),
    ],
)
def test_line_with_no_money(
    runner: CliRunner, scenario_dir: MakeDir, command: str, section: str, words: str
) -> None:
    text = project(section_line(section, annual=None, quantity=None, unit_value=None))
    folder = scenario_dir(p1=text)
    item = COST if section == "costs" else BENEFIT
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, f"[[{section}]]")) + f"{item}: {words}",
    )


@pytest.mark.parametrize(
    ("present", "missing"), [("quantity", "unit_value"), ("unit_value", "quantity")]
)
def test_quantity_and_unit_value_go_together(
    runner: CliRunner, scenario_dir: MakeDir, command: str, present: str, missing: str
) -> None:
    text = project(benefit(**{missing: None}))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, f"{present} =")) + f"{BENEFIT}: {present}: ",
        f"needs {missing} as well (annual = quantity x unit_value)",
    )


# ---------------------------------------------------------------------------------------------
# Confidence grades and optimism bias


def test_confidence_grade_that_does_not_exist(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    text = project(benefit(confidence="7"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "confidence =")) + f"{BENEFIT}: confidence: grade 7 does "
        "not exist; the grades are 1, 2, 3, 4, 5, 6 ([confidence_grades] in portfolio.toml)",
    )


def test_confidence_grade_against_a_custom_table(runner: CliRunner, scenario_dir: MakeDir) -> None:
    portfolio = PORTFOLIO + "\n[confidence_grades]\n7 = 0.6\n"
    good = scenario_dir(portfolio=portfolio, p1=project(benefit(confidence="7")))
    expect_valid(invoke(runner, "validate", good))
    text = project(benefit(confidence="8"))
    folder = scenario_dir(portfolio=portfolio, p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "confidence =")) + f"{BENEFIT}: confidence: grade 8 does "
        "not exist; the grades are 1, 2, 3, 4, 5, 6, 7",
    )


@pytest.mark.parametrize("value", ["0", "2.5", '"3"', "true"])
def test_confidence_not_a_grade_number(
    runner: CliRunner, scenario_dir: MakeDir, value: str
) -> None:
    text = project(benefit(confidence=value))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "confidence =")) + f"{BENEFIT}: confidence: ",
        "must be a confidence grade (a whole number such as 3)",
    )


def test_optimism_bias_and_confidence_both_given(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    text = project(benefit(confidence="3", optimism_bias="0.1"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "confidence =")) + f"{BENEFIT}: confidence: ",
        "give either optimism_bias or confidence, not both",
    )


# ---------------------------------------------------------------------------------------------
# Finite numbers and types


@pytest.mark.parametrize(
    ("field", "value", "where", "shown"),
    [
        ("annual", "nan", "annual", "nan"),
        ("annual", "inf", "annual", "inf"),
        ("growth", "-inf", "growth", "-inf"),
        ("amounts", "[1, nan]", "amounts[1]", "nan"),
        ("annual", "{ low = 1, central = 2, high = inf }", "annual.high", "inf"),
    ],
)
def test_numbers_in_a_line_must_be_finite(
    runner: CliRunner,
    scenario_dir: MakeDir,
    command: str,
    field: str,
    value: str,
    where: str,
    shown: str,
) -> None:
    fields = {field: value, **({"annual": None} if field == "amounts" else {})}
    text = project(cost(**fields))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, f"{field} =")) + f"{COST}: {where}: {FINITE}, got {shown}",
    )


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        ("discount_rate = 0.035", "discount_rate = nan", "[appraisal]: discount_rate"),
        ("discount_rate = 0.035", "discount_rate = -inf", "[appraisal]: discount_rate"),
        ("target = 100_000", "target = inf", "[portfolio]: target"),
        ("2015 = 78.0", "2015 = nan", "[deflators]: 2015"),
    ],
)
def test_numbers_in_the_portfolio_must_be_finite(
    runner: CliRunner, scenario_dir: MakeDir, command: str, old: str, new: str, where: str
) -> None:
    portfolio = PORTFOLIO.replace(old, new)
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, command, folder),
        at(folder, "portfolio.toml", line_no(portfolio, new))
        + f"{where}: {FINITE}, got {new.split(' = ')[1]}",
    )


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("annual", '"10000"', 'annual: must be a number, got text "10000"'),
        ("annual", "true", "annual: must be a number, got true"),
        ("scale", "[1, 2]", "scale: must be a number, got a list [1, 2]"),
        ("growth", "{ low = 0, central = false, high = 0.1 }", "growth.central: must be a number"),
        ("optimism_bias", "1979-05-27", "optimism_bias: must be a number, got a date/time"),
        ("agency", "5", "agency: must be text in quotes, got 5"),
        ("kind", "1", 'kind: must be one of "revenue", "capital", got 1'),
    ],
)
def test_wrong_type_in_a_line(
    runner: CliRunner, scenario_dir: MakeDir, command: str, field: str, value: str, words: str
) -> None:
    text = project(cost(**{field: value}))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, f"{field} =")) + f"{COST}: {words}",
    )


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("start_year", '"2020"', f'{YEAR}, got text "2020"'),
        ("start_year", "2020.0", f"{YEAR}, got 2020.0"),
        ("start_year", "20", f"{YEAR}, got 20"),
        ("start_year", "inf", f"{YEAR}, got inf"),
        ("name", "1", "must be text in quotes, got 1"),
        ("status", "2", 'must be one of "proposed", "approved", "in-delivery", "delivered", got 2'),
        (
            "partners",
            '"Police"',
            'must be a list of names such as ["Police", "Fire"], got "Police"',
        ),
        ("horizon", '"10"', f'{HORIZON}, got text "10"'),
        ("declining", "1", f"{BOOLEAN}, got 1"),
        ("discount_year0", '"false"', f'{BOOLEAN}, got "false"'),
        ("price_base_year", "23", f"{YEAR}, got 23"),
        ("discount_rate", '"3.5%"', 'must be a number, got text "3.5%"'),
    ],
)
def test_wrong_type_at_the_top_of_a_project(
    runner: CliRunner, scenario_dir: MakeDir, command: str, key: str, value: str, words: str
) -> None:
    rows = [row for row in HEAD.splitlines() if not row.startswith(f"{key} =")]
    text = project(cost(), head="\n".join([*rows, f"{key} = {value}"]) + "\n")
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, f"{key} =")) + f"{key}: {words}",
    )


def test_cashable_must_be_a_boolean(runner: CliRunner, scenario_dir: MakeDir) -> None:
    text = project(benefit(cashable='"yes"'))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "cashable =")) + f'{BENEFIT}: cashable: {BOOLEAN}, got "yes"',
    )


def test_deadweight_as_a_percentage_text(runner: CliRunner, scenario_dir: MakeDir) -> None:
    text = project(benefit(deadweight='"25%"'))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "deadweight =")) + f"{BENEFIT}: deadweight: must be a "
        'number, got text "25%"',
    )


# ---------------------------------------------------------------------------------------------
# Prices and deflators


def test_price_year_with_no_deflator(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    text = project(cost(price_year="2016"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "price_year =")) + f"{COST}: price_year: 2016 cannot be "
        "rebased to 2023: no deflator for 2016 in [deflators] of portfolio.toml",
    )


def test_price_year_with_no_deflator_for_the_price_base_year(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    portfolio = PORTFOLIO.replace("price_base_year = 2023", "price_base_year = 2024")
    text = project(benefit(price_year="2015"))
    folder = scenario_dir(portfolio=portfolio, p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "price_year =")) + f"{BENEFIT}: price_year: 2015 cannot be "
        "rebased to 2024: no deflator for the price base year 2024 in [deflators] of "
        "portfolio.toml",
    )


def test_price_base_year_set_on_the_command_line_with_no_deflator(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    text = project(cost(price_year="2015"))
    folder = scenario_dir(p1=text)
    expect_valid(invoke(runner, "run", folder))
    expect_error(
        invoke(runner, "run", folder, "--set", "price_base_year=2030"),
        at(folder, line=line_no(text, "price_year =")) + f"{COST}: price_year: 2015 cannot be "
        "rebased to 2030: no deflator for the price base year 2030",
        "(with --set price_base_year=2030)",
    )


def test_price_year_without_a_price_base_year(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    portfolio = PORTFOLIO.replace("price_base_year = 2023\n", "")
    text = project(cost(price_year="2015"))
    folder = scenario_dir(portfolio=portfolio, p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, line=line_no(text, "price_year =")) + f"{COST}: price_year: 2015 needs "
        "price_base_year in [appraisal] to rebase to",
    )


def test_price_year_not_a_year(runner: CliRunner, scenario_dir: MakeDir) -> None:
    text = project(cost(price_year="17"))
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "price_year =")) + f"{COST}: price_year: {YEAR}, got 17",
    )


# ---------------------------------------------------------------------------------------------
# Appraisal settings, in files and on the command line


@pytest.mark.parametrize("value", ["-1", "-1.5"])
def test_discount_rate_greater_than_minus_one(
    runner: CliRunner, scenario_dir: MakeDir, command: str, value: str
) -> None:
    portfolio = PORTFOLIO.replace("discount_rate = 0.035", f"discount_rate = {value}")
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, command, folder),
        at(folder, "portfolio.toml", line_no(portfolio, "discount_rate ="))
        + "[appraisal]: discount_rate: must be a rate greater than -1 and at most 1 "
        f"(e.g. 0.035 for 3.5%), "
        f"got {value}",
    )


def test_discount_rate_in_a_project(runner: CliRunner, scenario_dir: MakeDir) -> None:
    text = project("discount_rate = -2\n", cost())
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=line_no(text, "discount_rate =")) + "discount_rate: must be a rate "
        "greater than -1",
        "got -2",
    )


@pytest.mark.parametrize("value", ["0", "401", "10.5", "-3", "true"])
@pytest.mark.parametrize("where", ["portfolio", "project"])
def test_horizon_a_whole_number_from_1_to_400(
    runner: CliRunner, scenario_dir: MakeDir, command: str, where: str, value: str
) -> None:
    if where == "portfolio":
        portfolio = PORTFOLIO.replace("horizon = 10", f"horizon = {value}")
        folder = scenario_dir(portfolio=portfolio)
        start = at(folder, "portfolio.toml", line_no(portfolio, "horizon =")) + "[appraisal]: "
    else:
        text = project(f"horizon = {value}\n", cost())
        folder = scenario_dir(p1=text)
        start = at(folder, line=line_no(text, "horizon ="))
    expect_error(invoke(runner, command, folder), start + f"horizon: {HORIZON}, got {value}")


@pytest.mark.parametrize("key", ["declining", "discount_year0"])
@pytest.mark.parametrize("value", ['"yes"', "1", "0"])
def test_declining_and_discount_year0_are_booleans(
    runner: CliRunner, scenario_dir: MakeDir, key: str, value: str
) -> None:
    portfolio = PORTFOLIO.replace("horizon = 10", f"horizon = 10\n{key} = {value}")
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, "portfolio.toml", line_no(portfolio, f"{key} ="))
        + f"[appraisal]: {key}: {BOOLEAN}, got {value}",
    )


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("horizon=0", f"horizon: {HORIZON}, got 0"),
        ("horizon=401", f"horizon: {HORIZON}, got 401"),
        ("horizon=10.5", f"horizon: {HORIZON}, got 10.5"),
        (
            "discount_rate=-1",
            "discount_rate: must be a rate greater than -1 and at most 1 (e.g. 0.035 for 3.5%), "
            "got -1",
        ),
        ("discount_rate=nan", f"discount_rate: {FINITE}, got nan"),
        ("discount_rate=inf", f"discount_rate: {FINITE}, got inf"),
        ('discount_rate="0.03"', 'discount_rate: must be a number, got text "0.03"'),
        ("declining=1", f"declining: {BOOLEAN}, got 1"),
        ('discount_year0="yes"', f'discount_year0: {BOOLEAN}, got "yes"'),
        ("price_base_year=23", f"price_base_year: {YEAR}, got 23"),
    ],
)
def test_set_value_breaks_its_rule(
    runner: CliRunner, scenario_dir: MakeDir, setting: str, words: str
) -> None:
    result = invoke(runner, "run", scenario_dir(), "--set", setting)
    expect_error(result, "Error: --set: " + words)


def test_every_bad_set_value_is_reported(runner: CliRunner, scenario_dir: MakeDir) -> None:
    result = invoke(
        runner, "run", scenario_dir(), "--set", "horizon=0", "--set", "discount_rate=-2"
    )
    expect_error(result, f"Error: --set: horizon: {HORIZON}, got 0")
    expect_error(result, "Error: --set: discount_rate: must be a rate greater than -1")
    assert "2 problems found" in result.stderr


def test_bad_set_value_and_bad_files_reported_together(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    text = project(cost(annual="-1"))
    folder = scenario_dir(p1=text)
    result = invoke(runner, "run", folder, "--set", "horizon=0")
    expect_error(result, f"Error: --set: horizon: {HORIZON}, got 0")
    expect_error(result, at(folder, line=line_no(text, "annual =")) + f"{COST}: annual: {MONEY}")
    assert "2 problems found" in result.stderr


@pytest.mark.parametrize(
    ("setting", "words"),
    [
        ("foo=1", "foo: unknown key; allowed keys: discount_rate, declining, schedule, "),
        ("horizn=5", 'horizn: unknown key (did you mean "horizon"?); allowed keys: '),
        ("horizon", "expected KEY=VALUE such as discount_rate=0.03, got 'horizon'"),
        ("=5", "expected KEY=VALUE such as discount_rate=0.03, got '=5'"),
        ("horizon=abc", "horizon: 'abc' is not a TOML value"),
        ("discount_rate=3.5%", "discount_rate: '3.5%' is not a TOML value"),
        ("horizon=", "horizon: '' is not a TOML value"),
    ],
)
def test_set_usage_errors(
    runner: CliRunner, scenario_dir: MakeDir, setting: str, words: str
) -> None:
    result = invoke(runner, "run", scenario_dir(), "--set", setting)
    expect_error(result, "Error: Invalid value for --set: " + words, code=2)


@pytest.mark.parametrize(
    "setting", ["discount_rate=0.03", "horizon=15", "discount_year0=true", "declining=false"]
)
def test_good_set_values_are_accepted(
    runner: CliRunner, scenario_dir: MakeDir, setting: str
) -> None:
    expect_valid(invoke(runner, "run", scenario_dir(), "--set", setting))


# ---------------------------------------------------------------------------------------------
# Files that cannot be read as TOML


def test_invalid_toml_reports_line_and_column(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    text = project(cost(), head=HEAD + "oops\n")
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, command, folder),
        at(folder, f"p1.toml:{line_no(text, 'oops')}:5")
        + "is not valid TOML: Expected '=' after a key in a key/value pair",
    )


def test_invalid_toml_at_end_of_file(runner: CliRunner, scenario_dir: MakeDir) -> None:
    text = project(cost()) + "annual = "
    folder = scenario_dir(p1=text)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, line=len(text.splitlines())) + "is not valid TOML: ",
        "(at end of file)",
    )


def test_invalid_toml_in_portfolio(runner: CliRunner, scenario_dir: MakeDir) -> None:
    portfolio = PORTFOLIO.replace("target = 100_000", "target = 100_000_")
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, f"portfolio.toml:{line_no(portfolio, 'target =')}:17") + "is not valid TOML: ",
    )


def test_invalid_toml_does_not_hide_other_files(runner: CliRunner, scenario_dir: MakeDir) -> None:
    good = project(cost(annual="-1"))
    folder = scenario_dir(p1=good, p2='id = "P2\n')
    result = invoke(runner, "validate", folder)
    expect_error(result, at(folder, "p2.toml:1:9") + "is not valid TOML: ")
    expect_error(result, at(folder, line=line_no(good, "annual =")) + f"{COST}: annual: {MONEY}")
    assert "2 problems found" in result.stderr


def test_a_key_given_twice_is_named_with_both_lines(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    """tomllib says only "Cannot overwrite a value": the message names the key, its table and
    both lines, at the top of a file, in a table and in a [[costs]] or [[benefits]] table."""
    text = project(
        cost(annual="10_000\nannual = 12_000"),
        benefit(deadweight="0.1\ndeadweight = 0.2"),
        head=HEAD + 'name = "Project one again"\n',
    )
    portfolio = PORTFOLIO.replace("horizon = 10", "horizon = 10\nhorizon = 12")
    folder = scenario_dir(portfolio=portfolio, p1=text)
    result = invoke(runner, command, folder)
    expect_error(
        result,
        at(folder, line=line_no(text, "Project one again"))
        + f"name: is given twice (first at line {line_no(text, 'name =')})",
    )
    expect_error(
        result,
        at(folder, line=line_no(text, "annual = 12_000"))
        + f"{COST}: annual: is given twice (first at line {line_no(text, 'annual = 10_000')})",
    )
    expect_error(
        result,
        at(folder, line=line_no(text, "deadweight = 0.2"))
        + f"{BENEFIT}: deadweight: is given twice (first at line {line_no(text, 'deadweight')})",
    )
    expect_error(
        result,
        at(folder, f"portfolio.toml:{line_no(portfolio, 'horizon = 12')}")
        + "[appraisal]: horizon: is given twice "
        + f"(first at line {line_no(portfolio, 'horizon = 10')})",
    )
    assert len(error_lines(result)) == 4
    assert "Cannot overwrite" not in result.stderr


def test_a_key_given_twice_does_not_hide_the_files_other_problems(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    """The second is left out and the file read on: every other problem is reported too,
    and the second value is never the one used."""
    text = project(cost(annual="-1\nannual = 10_000"), benefit(deadweight="30"))
    folder = scenario_dir(p1=text)
    result = invoke(runner, "validate", folder)
    twice = at(folder, line=line_no(text, "annual = 10_000")) + f"{COST}: annual: is given twice"
    expect_error(result, twice)
    expect_error(result, at(folder, line=line_no(text, "annual = -1")) + f"{COST}: annual: {MONEY}")
    expect_error(result, at(folder, line=line_no(text, "deadweight")) + f"{BENEFIT}: deadweight: ")
    assert "3 problems found" in result.stderr


@pytest.mark.parametrize(
    ("written", "line", "message"),
    [
        # a value over several lines, given again
        (
            "amounts = [\n  1,\n  2,\n]\namounts = [3]",
            12,
            "amounts: is given twice (first at line 8)",
        ),
        # a dotted key into an uncertain value written whole
        (
            "annual = { low = 1, central = 2, high = 3 }\nannual.low = 0",
            9,
            "annual.low: is given twice: annual is given whole at line 8",
        ),
        # inside the braces of one value: the file cannot be read further, nor the line named
        (
            "annual = { low = 1, low = 2, high = 3 }",
            8,
            'annual: "low" is given twice in its { ... }',
        ),
    ],
    ids=["over-lines", "dotted", "inline"],
)
def test_a_key_given_twice_in_other_ways(
    runner: CliRunner, scenario_dir: MakeDir, written: str, line: int, message: str
) -> None:
    text = HEAD + '\n[[costs]]\nname = "Staff"\n' + written + "\n"
    folder = scenario_dir(p1=text)
    item = COST if "{ ..." not in message else "costs[1]"
    expect_error(invoke(runner, "validate", folder), at(folder, line=line) + f"{item}: {message}")


def test_a_table_given_twice(runner: CliRunner, scenario_dir: MakeDir) -> None:
    portfolio = PORTFOLIO + "\n[appraisal]\ndeclining = false\n"
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, f"portfolio.toml:{line_no(portfolio, '[appraisal]', nth=2)}")
        + f"[appraisal]: is given twice (first at line {line_no(portfolio, '[appraisal]')}); "
        "give each table once, with all its keys",
    )


def test_many_keys_given_twice_are_all_named_up_to_a_limit(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    text = HEAD + "".join(f"k{i} = 1\nk{i} = 2\n" for i in range(30))
    folder = scenario_dir(p1=text)
    result = invoke(runner, "validate", folder)
    check_input_errors(result)
    twice = [row for row in error_lines(result) if "is given twice" in row]
    assert len(twice) == 21
    expect_error(result, at(folder) + "is read no further after 21 keys given twice")


def test_a_large_file_is_read_again_only_within_a_budget(
    runner: CliRunner, scenario_dir: MakeDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each key given twice costs a fresh parse: a large file stops sooner (never minutes)."""
    from npv_calc.load import toml_files

    text = HEAD + "".join(f"k{i} = 1\nk{i} = 2\n" for i in range(5))
    monkeypatch.setattr(toml_files, "_READ_AGAIN_BUDGET", 2 * len(text))
    folder = scenario_dir(p1=text)
    result = invoke(runner, "validate", folder)
    assert len([row for row in error_lines(result) if "is given twice" in row]) == 3
    expect_error(result, at(folder) + "is read no further after 3 keys given twice")


def test_binary_file(runner: CliRunner, scenario_dir: MakeDir, command: str) -> None:
    folder = scenario_dir()
    (folder / "logo.toml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    expect_error(
        invoke(runner, command, folder),
        at(folder, "logo.toml") + "is not a text file (it contains binary data); "
        "scenario files are TOML text",
    )


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_file_not_in_utf8(
    runner: CliRunner, scenario_dir: MakeDir, command: str, encoding: str
) -> None:
    folder = scenario_dir()
    data = project(cost(), head=HEAD.replace("Project one", "Café project")).encode(encoding)
    (folder / "p1.toml").write_bytes(data)
    message = expect_error(
        invoke(runner, command, folder), at(folder) + "is not UTF-8 text", "save it as UTF-8"
    )
    if encoding == "latin-1":
        offset = data.index("é".encode(encoding))
        assert f"(bad byte at offset {offset})" in message


def test_missing_path(runner: CliRunner, command: str) -> None:
    expect_error(invoke(runner, command, "no-such-dir"), "Error: no-such-dir: does not exist")


def test_missing_file_among_good_paths(runner: CliRunner, scenario_dir: MakeDir) -> None:
    folder = scenario_dir()
    result = invoke(runner, "validate", folder, "nope.toml")
    expect_error(result, "Error: nope.toml: does not exist")


def test_empty_directory(runner: CliRunner, tmp_path: Path, command: str) -> None:
    (tmp_path / "empty").mkdir()
    expect_error(
        invoke(runner, command, tmp_path / "empty"),
        "Error: ",
        "empty: holds no scenario files (*.toml): expected portfolio.toml and a file per project",
    )


def test_directory_with_only_portfolio(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    folder = scenario_dir()
    (folder / "p1.toml").unlink()
    expect_error(
        invoke(runner, command, folder),
        at(folder, "portfolio.toml") + "no project files found: add a *.toml file per project",
    )


def test_unreadable_file(
    runner: CliRunner, scenario_dir: MakeDir, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = scenario_dir()
    target = folder / "p1.toml"
    target.chmod(0)
    if os.geteuid() == 0:
        # root reads any file whatever its mode, so make the read fail as it does for any other
        # user (the error the operating system gives for chmod 000)
        real_read_bytes = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self.resolve() == target.resolve():
                raise PermissionError(13, "Permission denied", str(self))
            return real_read_bytes(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)
    try:
        result = invoke(runner, "validate", folder)
    finally:
        target.chmod(0o644)
    expect_error(result, at(folder) + "cannot be read: Permission denied")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")
def test_named_pipe_given_as_a_file(tmp_path: Path) -> None:
    """A path that is not a regular file (here a FIFO nobody writes to) is reported, not read
    forever. Run in a subprocess so that a hang fails the test instead of the test run."""
    fifo = tmp_path / "p1.toml"
    os.mkfifo(fifo)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "npv_calc", "validate", "p1.toml"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=15,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("npv-calc validate hung reading a named pipe (FIFO) given as a project file")
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "Error: p1.toml: " in done.stderr
    assert "not a regular file" in done.stderr


# ---------------------------------------------------------------------------------------------
# Named scenarios

SHORT = '\n[scenarios.short]\ndescription = "Five years"\nset = { horizon = 5 }\n'


def test_scenario_excludes_an_unknown_id(runner: CliRunner, scenario_dir: MakeDir) -> None:
    portfolio = PORTFOLIO + '\n[scenarios.no-p1]\nexclude = ["P11"]\n'
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, "portfolio.toml", line_no(portfolio, "exclude ="))
        + '[scenarios.no-p1]: exclude: "P11" is not the id of a project (did you mean "P1"?)',
    )


def test_scenario_exclude_not_a_list_of_ids(runner: CliRunner, scenario_dir: MakeDir) -> None:
    portfolio = PORTFOLIO + '\n[scenarios.no-p1]\nexclude = "P1"\n'
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, "validate", folder),
        at(folder, "portfolio.toml", line_no(portfolio, "exclude ="))
        + '[scenarios.no-p1]: exclude: must be a list of project ids such as ["CBCD"], got "P1"',
    )


@pytest.mark.parametrize("name", ["central", "pessimistic", "optimistic"])
def test_scenario_reuses_a_built_in_name(
    runner: CliRunner, scenario_dir: MakeDir, command: str, name: str
) -> None:
    portfolio = PORTFOLIO + f"\n[scenarios.{name}]\nset = {{ discount_rate = 0.03 }}\n"
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, command, folder),
        at(folder, "portfolio.toml", line_no(portfolio, f"[scenarios.{name}]"))
        + f'[scenarios.{name}]: "{name}" is a built-in scenario; choose another name',
    )


def test_scenario_set_value_breaks_its_rule(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    portfolio = PORTFOLIO + "\n[scenarios.none]\nset = { horizon = 0 }\n"
    folder = scenario_dir(portfolio=portfolio)
    expect_error(
        invoke(runner, command, folder),
        at(folder, "portfolio.toml", line_no(portfolio, "set ="))
        + f"[scenarios.none]: set.horizon: {HORIZON}, got 0",
    )


def test_unknown_scenario_lists_the_choices(runner: CliRunner, scenario_dir: MakeDir) -> None:
    folder = scenario_dir(portfolio=PORTFOLIO + SHORT)
    expect_error(
        invoke(runner, "run", folder, "--scenario", "shrot"),
        'Error: unknown scenario "shrot" (did you mean "short"?); '
        "choose from: central, pessimistic, optimistic, short",
        code=2,
    )


def test_scenario_set_makes_years_exceed_the_horizon(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    text = project(cost(years="[0, 9]"))
    folder = scenario_dir(portfolio=PORTFOLIO + SHORT, p1=text)
    expect_valid(invoke(runner, "run", folder))
    fragments = (
        at(folder, line=line_no(text, "years =")) + f"{COST}: years: [0, 9] goes beyond the "
        "horizon: a 5-year appraisal covers year offsets 0 to 4",
        '"short"',
    )
    expect_error(invoke(runner, "validate", folder), *fragments)
    expect_error(invoke(runner, "run", folder, "--scenario", "short"), *fragments)


def test_scenario_problems_reported_with_file_problems(
    runner: CliRunner, scenario_dir: MakeDir
) -> None:
    """validate reports every problem at once: the named scenarios' problems too, even when the
    files have problems of their own."""
    portfolio = PORTFOLIO + '\n[scenarios.no-p9]\nexclude = ["P9"]\n'
    text = project(cost(annual="-1"))
    folder = scenario_dir(portfolio=portfolio, p1=text)
    result = invoke(runner, "validate", folder)
    expect_error(result, at(folder, line=line_no(text, "annual =")) + f"{COST}: annual: {MONEY}")
    expect_error(result, "portfolio.toml", '[scenarios.no-p9]: exclude: "P9" is not the id')
    assert "2 problems found" in result.stderr


# ---------------------------------------------------------------------------------------------
# Every problem at once


def test_all_problems_reported_at_once(
    runner: CliRunner, scenario_dir: MakeDir, command: str
) -> None:
    portfolio = (
        PORTFOLIO.replace("target_year = 2027", "target_year = 2027\ntagret = 1")
        .replace("discount_rate = 0.035", "discount_rate = -2")
        .replace("2015 = 78.0", "2015 = 0")
    )
    text = project(
        cost(annual="-1", years="[0, 12]", deadweight="0.1"),
        cost(annual=None, amounts="[1, 2]", growth="0.1"),
        benefit(deadweight="1.5", confidence="9", dropoff="0.1"),
        benefit(quantity="{ low = 3, central = 2, high = 4 }", unit_value=None),
        head=HEAD.replace('name = "Project one"\n', "").replace('"approved"', '"done"'),
    )
    folder = scenario_dir(portfolio=portfolio, p1=text)
    p1 = f"{folder.name}/p1.toml"
    pf = f"{folder.name}/portfolio.toml"
    expected = [
        f'{pf}:{line_no(portfolio, "tagret")}: [portfolio]: tagret: unknown key "tagret" '
        '(did you mean "target"?)',
        f"{pf}:{line_no(portfolio, 'discount_rate')}: [appraisal]: discount_rate: must be "
        "a rate greater than -1",
        f"{pf}:{line_no(portfolio, '2015 =')}: [deflators]: 2015: must be greater than 0, got 0",
        f"{p1}: name: is required",
        f'{p1}:{line_no(text, "status")}: status: must be one of "proposed", "approved", '
        '"in-delivery", "delivered", got "done"',
        f"{p1}:{line_no(text, 'annual = -1')}: {COST}: annual: {MONEY}, got -1",
        f"{p1}:{line_no(text, 'years =')}: {COST}: years: [0, 12] goes beyond the horizon",
        f"{p1}:{line_no(text, 'deadweight = 0.1')}: {COST}: deadweight: unknown key "
        '"deadweight": applies to benefits only',
        f'{p1}:{line_no(text, "growth =")}: costs[2] "Staff": growth: {WITH_AMOUNTS}',
        f"{p1}:{line_no(text, 'deadweight = 1.5')}: {BENEFIT}: deadweight: {SHARE}",
        f"{p1}:{line_no(text, 'confidence =')}: {BENEFIT}: confidence: grade 9 does not exist",
        f'{p1}:{line_no(text, "dropoff =")}: {BENEFIT}: dropoff: unknown key "dropoff" '
        '(did you mean "drop_off"?)',
        f'{p1}:{line_no(text, "quantity =", 2)}: benefits[2] "Fires avoided": quantity: must '
        "have low <= central <= high",
        f'{p1}:{line_no(text, "quantity =", 2)}: benefits[2] "Fires avoided": quantity: needs '
        "unit_value as well",
    ]
    result = invoke(runner, command, folder)
    check_input_errors(result)
    errors = error_lines(result)
    unmatched = list(errors)
    for fragment in expected:
        hits = [row for row in unmatched if row.startswith("Error: " + fragment)]
        assert hits, f"missing: {fragment!r}\nstderr:\n{result.stderr}"
        unmatched.remove(hits[0])
    assert not unmatched, f"unexpected problems: {unmatched}"
    assert result.stderr.rstrip().splitlines()[-1].startswith(f"{len(expected)} problems found")
