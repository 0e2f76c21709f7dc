"""Fuzzing the loader through the command line: any input gives a result or clear errors.

Valid generated portfolios (:mod:`strategies`) are mutated: values replaced by anything TOML can
hold (text, huge and tiny numbers, nan and inf, booleans, dates, lists, nested tables), keys added
from the file format's vocabulary or made up, keys deleted, files replaced by random tables,
truncated or corrupted. ``npv-calc validate`` and ``npv-calc run --format json`` must then either
succeed (exit 0, and for ``run`` a JSON document) or fail with exit 1 and nothing on stderr but
``Error: ...`` lines and the closing ``N problems found`` line. A traceback, another exit code,
or the catch-all ``Error: unexpected ...`` (which the CLI prints for an exception it did not
expect, i.e. a bug) fails the test.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npv_calc.cli import cli
from npv_calc.load.fields import SECTIONS
from tests import strategies as gen_st

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Every key of the file format, wherever it belongs (the fuzzer puts keys anywhere): each
#: section's keys as the loader declares them, then those of uncertain values, grades and years.
VOCABULARY = (
    *dict.fromkeys(key for section in SECTIONS.values() for key in section.keys),
    "low",
    "central",
    "high",
    "group",
    "1",
    "3",
    "7",
    "2015",
    "2023",
)
#: Near misses and oddities: typos, case, separators, digits that are not ASCII.
NEAR_MISSES = ("dropoff", "anual", "Annual", "discount-rate", "years ", "²", "2O23", "0", "")

keys = st.one_of(
    st.sampled_from(VOCABULARY),
    st.sampled_from(NEAR_MISSES),
    st.text(st.characters(codec="utf-8"), max_size=8),
)

scalars = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),
    st.sampled_from(["proposed", "revenue", "capital", "Police", "central", "rate-3pc"]),
    st.integers(-(10**6), 10**6),
    st.integers(),
    st.sampled_from([0, 1, 2, 3, 6, 7, 2015, 2023, 10**19, 10**400, -(10**400)]),
    st.floats(),
    st.sampled_from([0.0, -0.0, 0.5, 1.0, -1.0, 1e308, -1e308, 1e-310, math.inf, -math.inf]),
    st.just(math.nan),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.times(),
)

values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=4),
        st.fixed_dictionaries(
            {"low": children, "central": children, "high": children}
        ),  # an uncertain value with odd parts
    ),
    max_leaves=8,
)


def _tables(node: Any) -> list[dict[str, Any]]:
    """Every table (dict) inside a document, the document first."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        found.append(node)
        for value in node.values():
            found += _tables(value)
    elif isinstance(node, list):
        for value in node:
            found += _tables(value)
    return found


@st.composite
def mutated(draw: st.DrawFn, document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with a few values replaced, keys added and keys deleted."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.dictionaries(keys, values, max_size=6))
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(0, 4))):
        table = draw(st.sampled_from(_tables(document)))
        action = draw(st.sampled_from(["replace", "add", "delete"]))
        if action == "add" or not table:
            table[draw(keys)] = draw(values)
        elif action == "replace":
            table[draw(st.sampled_from(sorted(table)))] = draw(values)
        else:
            del table[draw(st.sampled_from(sorted(table)))]
    return document


@st.composite
def file_sets(draw: st.DrawFn) -> dict[str, bytes]:
    """The files of a scenario directory, most of them mutated, some corrupted."""
    generated = draw(gen_st.portfolios(max_horizon=30))
    documents = {"portfolio.toml": generated.portfolio}
    for number, project in enumerate(generated.projects, start=1):
        documents[f"project{number}.toml"] = project
    if draw(st.integers(0, 9)) == 0:
        del documents["portfolio.toml"]
    files: dict[str, bytes] = {}
    for name, document in documents.items():
        data = gen_st.toml_dumps(draw(mutated(document))).encode("utf-8")
        damage = draw(st.sampled_from(["none"] * 12 + ["truncate", "bytes", "bom"]))
        if damage == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif damage == "bytes":
            at = draw(st.integers(0, len(data)))
            junk = draw(st.sampled_from([b"\x00", b"\xff\xfe", b"\x80", b"[", b"=", b'"', b"\n["]))
            data = data[:at] + junk + data[at:]
        elif damage == "bom":
            data = b"\xef\xbb\xbf" + data
        files[name] = data
    return files


# ---------------------------------------------------------------------------------------------
# What the command line may answer

SUMMARY = re.compile(r"\d+ problems? found\b")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def check_answer(result: Result, command: str) -> None:
    """Exit 0 with output, or exit 1 with only ``Error:`` (and ``Warning:``) lines and a closing
    summary; warnings on stderr in either case, each on one line."""
    shown = (
        f"{command}: exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{command} raised {result.exception!r}\n{shown}"
    )
    assert "Traceback" not in result.output, shown
    assert result.exit_code in (0, 1), shown
    if result.exit_code == 0:
        for line in result.stderr.removesuffix("\n").split("\n") if result.stderr else []:
            assert line.startswith("Warning: "), f"not a Warning line: {line!r}\n{shown}"
            assert not CONTROL.search(line), f"raw control character in {line!r}\n{shown}"
        if command == "run":
            document = json.loads(result.stdout)
            assert list(document) == ["portfolio", "projects"], shown
            assert document["projects"], shown
        else:
            assert result.stdout.startswith("OK: "), shown
        return
    # Lines as a terminal shows them: split at newlines only.
    lines = result.stderr.removesuffix("\n").split("\n")
    assert lines != [""], shown
    for number, line in enumerate(lines):
        if number == len(lines) - 1 and SUMMARY.match(line):
            continue
        assert line.startswith(("Error: ", "Warning: ")), f"not an Error line: {line!r}\n{shown}"
        assert not line.startswith("Error: unexpected "), f"a bug: {line!r}\n{shown}"
        # Input text is echoed escaped: a raw carriage return or other control character from a
        # key would garble the terminal (\r returns to the start of the line and overwrites it).
        assert not CONTROL.search(line), f"raw control character in {line!r}\n{shown}"


def invoke(folder: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, [args[0], str(folder), *args[1:]])


# ---------------------------------------------------------------------------------------------
# The fuzz tests


class TestFuzzLoader:
    @FUZZ
    @given(files=file_sets())
    def test_validate_and_run_answer_cleanly(self, files: dict[str, bytes]) -> None:
        with tempfile.TemporaryDirectory(prefix="npv-fuzz-") as name:
            folder = Path(name)
            for file_name, data in files.items():
                (folder / file_name).write_bytes(data)
            validated = invoke(folder, "validate")
            check_answer(validated, "validate")
            ran = invoke(folder, "run", "--format", "json")
            check_answer(ran, "run")
            # validate checks more (named scenarios) than a central run needs.
            if validated.exit_code == 0:
                assert ran.exit_code == 0, ran.stderr

    @FUZZ
    @given(
        generated=gen_st.portfolios(max_horizon=30),
        key=st.sampled_from(["discount_rate", "declining", "discount_year0", "horizon"]),
        value=values,
        scenario=st.sampled_from(["central", "pessimistic", "optimistic"]),
    )
    def test_set_values_answer_cleanly(
        self, generated: gen_st.GeneratedPortfolio, key: str, value: Any, scenario: str
    ) -> None:
        with gen_st.written(generated) as folder:
            text = f"{key}={gen_st.toml_value(value)}"
            result = invoke(
                folder, "run", "--format", "json", "--scenario", scenario, "--set", text
            )
            check_answer(result, "run")

    @FUZZ
    @given(
        generated=gen_st.portfolios(max_horizon=30),
        rate=st.one_of(
            st.floats(-0.999999, 2.0, allow_nan=False),
            st.sampled_from([-0.99, -0.9, -0.5, 10.0, 1e6]),
        ),
        horizon=st.sampled_from([1, 30, 31, 100, 400]),
    )
    def test_extreme_valid_settings_answer_cleanly(
        self, generated: gen_st.GeneratedPortfolio, rate: float, horizon: int
    ) -> None:
        # Any discount_rate > -1 and horizon 1..400 is valid input (SPEC.md): the answer is a
        # JSON document (null where a figure does not exist) or clear errors.
        with gen_st.written(generated) as folder:
            result = invoke(
                folder,
                "run",
                "--format",
                "json",
                "--set",
                f"discount_rate={rate!r}",
                "--set",
                f"horizon={horizon}",
            )
            check_answer(result, "run")


class TestFuzzFindings:
    """Minimal reproductions of what the fuzzer found: each input must get a clean answer."""

    @staticmethod
    def _run(scenario_dir: Any, runner: CliRunner, portfolio: str | None, project: str) -> Result:
        folder = scenario_dir(portfolio, p=project)
        return runner.invoke(cli, ["run", str(folder), "--format", "json"])

    PROJECT = """
id = "A"
name = "A"
start_year = 2020
[[costs]]
name = "Cost"
annual = {annual}
scale = {scale}
[[benefits]]
name = "Benefit"
annual = 1
"""

    def test_integer_too_large_for_a_float_is_an_error(
        self, scenario_dir: Any, runner: CliRunner
    ) -> None:
        project = self.PROJECT.format(annual="1" + "0" * 400, scale=1)
        result = self._run(scenario_dir, runner, None, project)
        check_answer(result, "run")
        assert result.exit_code == 1
        assert "annual" in result.stderr

    def test_flows_overflowing_to_infinity_do_not_break_the_json(
        self, scenario_dir: Any, runner: CliRunner
    ) -> None:
        # 1e308 x 10 is inf: the answer must still be clean (an error, or JSON with null).
        result = self._run(scenario_dir, runner, None, self.PROJECT.format(annual=1e308, scale=10))
        check_answer(result, "run")

    def test_non_ascii_digit_grade_key_is_an_error(
        self, scenario_dir: Any, runner: CliRunner
    ) -> None:
        portfolio = '[confidence_grades]\n"²" = 0.1\n'
        project = self.PROJECT.format(annual=1, scale=1)
        result = runner.invoke(cli, ["validate", str(scenario_dir(portfolio, p=project))])
        check_answer(result, "validate")
        assert result.exit_code == 1

    def test_non_ascii_digit_deflator_year_is_an_error(
        self, scenario_dir: Any, runner: CliRunner
    ) -> None:
        portfolio = '[deflators]\n"²⁰²³" = 100.0\n'
        project = self.PROJECT.format(annual=1, scale=1)
        result = runner.invoke(cli, ["validate", str(scenario_dir(portfolio, p=project))])
        check_answer(result, "validate")
        assert result.exit_code == 1

    def test_discount_factors_overflowing_do_not_break_the_json(
        self, scenario_dir: Any, runner: CliRunner
    ) -> None:
        # A flat -90% for 400 years is valid input (rate > -1, horizon <= 400), but
        # DF(399) = 10^399 is beyond a float.
        portfolio = "[appraisal]\ndiscount_rate = -0.9\ndeclining = false\nhorizon = 400\n"
        result = self._run(scenario_dir, runner, portfolio, self.PROJECT.format(annual=1, scale=1))
        check_answer(result, "run")

    def test_control_character_in_a_key_is_escaped_in_messages(
        self, scenario_dir: Any, runner: CliRunner
    ) -> None:
        project = '"\\r" = 1\n' + self.PROJECT.format(annual=1, scale=1)
        result = runner.invoke(cli, ["validate", str(scenario_dir(None, p=project))])
        check_answer(result, "validate")
        assert result.exit_code == 1
        assert "unknown key" in result.stderr

    def test_control_character_in_a_set_table_key_is_escaped(
        self, scenario_dir: Any, runner: CliRunner
    ) -> None:
        folder = scenario_dir(None, p=self.PROJECT.format(annual=1, scale=1))
        result = runner.invoke(
            cli, ["run", str(folder), "--set", 'discount_rate={ "\\u001e" = 1 }']
        )
        check_answer(result, "run")
        assert result.exit_code == 1

    def test_line_name_with_a_newline_stays_on_one_message_line(
        self, scenario_dir: Any, runner: CliRunner
    ) -> None:
        # The name is echoed in the message; a raw newline would split it (or forge a line).
        project = self.PROJECT.replace('name = "Cost"', 'name = "Two\\nlines"')
        project = project.replace("annual = {annual}", "annual = -1").format(scale=1)
        result = runner.invoke(cli, ["validate", str(scenario_dir(None, p=project))])
        check_answer(result, "validate")
        assert result.exit_code == 1
        errors = [line for line in result.stderr.splitlines() if not line.startswith("Warning: ")]
        assert len(errors) == 2, result.stderr  # one problem, then the summary
