"""The Excel input template: round trip, sheet-and-cell errors, safe reading, import and export.

Workbooks are made with ``npv-calc export`` (or :func:`npv_calc.convert.input_workbook.export`),
edited with openpyxl as a finance user would edit them in a spreadsheet, and read back through
the command line, so that what is checked is what a user sees.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import npv_calc.convert.input_workbook as input_workbook
import npv_calc.load.workbook_layout as layout
from npv_calc import appraise, load_portfolio, params, to_dict, workbook_io
from npv_calc.cli import cli
from npv_calc.load.workbook import check_file_name
from npv_calc.model import DIRECTIONS, MATERIALITIES, STATUSES, VALUE_TYPES
from npv_calc.report.json import dumps
from tests import strategies as gen

from .conftest import EXAMPLE, PORTFOLIO, PROJECT, ROOT, example_input_workbook

TEMPLATE = ROOT / "templates" / "xlsx" / "scenario-input.xlsx"
BUILD_SCRIPT = ROOT / "templates" / "xlsx" / "build_input_template.py"
#: Each example writes and reads a workbook twice: shrinking a failure could take minutes, so the
#: failing example is reported as found (it is printed in full).
ROUND_TRIP = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
PORTFOLIO_FIELDS = (
    "name",
    "description",
    "settings",
    "target",
    "target_year",
    "confidence_grades",
    "deflators",
    "scenarios",
    "agencies",
    "count_statuses",
    "correlation",
    "as_of",
    "present_value_year",
    "realisation",
)


# ---------------------------------------------------------------------------------------------
# Helpers


def invoke(*args: str | Path) -> Any:
    return CliRunner().invoke(cli, [str(a) for a in args])


def export_dir(folder: Path, workbook: Path) -> Path:
    out = invoke("export", folder, "--to", workbook)
    assert out.exit_code == 0, out.output
    return workbook


def column_letter(ws: Any, header: str) -> str:
    """The letter of the column whose header (row 4) is ``header``."""
    for cell in ws[layout.HEADER_ROW]:
        if cell.value == header:
            return cell.column_letter
    raise AssertionError(f"{ws.title} has no column {header!r}")


def _column(key: str) -> layout.Column:
    return next(c for c in layout.PROJECT_COLUMNS if c.key == key)


def headers(ws: Any) -> list[Any]:
    return [c.value for c in ws[layout.HEADER_ROW]]


def setting_row(ws: Any, label: str) -> int:
    for row in range(layout.FIRST_ROW, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == label:
            return row
    raise AssertionError(f"Portfolio has no setting {label!r}")


def first_empty_row(ws: Any) -> int:
    row = layout.FIRST_ROW
    while any(c.value is not None for c in ws[row]):
        row += 1
    return row


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error: ")]


def refused(out: Any, *phrases: str) -> str:
    """The one ``Error:`` line of a refused workbook, checked for exit 1 and no traceback."""
    assert out.exit_code == 1, (out.exit_code, out.output)
    assert "Traceback" not in out.output
    assert "unexpected" not in out.stderr, out.stderr  # not reported as a bug in npv-calc
    lines = errors(out.stderr)
    assert len(lines) == 1, out.stderr
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])
    return lines[0]


def normalised(portfolio: Any, relative_to: Path | None) -> list[Any]:
    """Projects with their paths made comparable: relative to a folder, or all the same."""
    return [
        dataclasses.replace(
            p, path=p.path.relative_to(relative_to) if relative_to else Path("workbook")
        )
        for p in portfolio.projects
    ]


def assert_same_portfolio(a: Any, b: Any, a_dir: Path | None, b_dir: Path | None) -> None:
    for name in PORTFOLIO_FIELDS:
        assert getattr(a, name) == getattr(b, name), name
    assert normalised(a, a_dir) == normalised(b, b_dir)


def json_of(portfolio: Any) -> str:
    return dumps(to_dict(appraise(portfolio)))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def example_book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example portfolio exported to ``input.xlsx`` in the working directory (so that
    messages name it ``input.xlsx``)."""
    monkeypatch.chdir(tmp_path)
    return example_input_workbook(Path("input.xlsx"))


# ---------------------------------------------------------------------------------------------
# The round trip

#: Unit costs a generated line may use: those whose price year has a generated deflator.
REFERABLE = sorted(
    key
    for key, cost in params.unit_costs().items()
    if str(cost.price_year) in gen.DEFLATORS and cost.price_year <= gen.PRICE_BASE_YEAR
)


#: Optimism bias project types by the kind of cost their uplift was measured on, so that a
#: generated ``ob_type`` matches its line's ``kind`` (a mismatch is legal, but a warning).
OB_TYPES = {
    kind: sorted(t for t, b in params.optimism_bias_types().items() if b.applies_to == kind)
    for kind in ("capital", "revenue")
}


def _one_rate(draw: st.DrawFn, table: dict[str, Any]) -> None:
    """Sometimes a published ``schedule`` in ``table`` instead of its ``discount_rate`` (never
    both: that is an error), and sometimes an ``ob_mitigation``."""
    if draw(st.booleans()):
        table.pop("discount_rate", None)
        table["schedule"] = draw(st.sampled_from(params.SCHEDULES))
    if draw(st.booleans()):
        table["ob_mitigation"] = draw(gen.shares)


@st.composite
def rich_portfolios(draw: st.DrawFn) -> gen.GeneratedPortfolio:
    """Generated portfolios, plus what :mod:`tests.strategies` leaves out and a workbook must
    carry too: descriptions, named scenarios, ``ref:`` unit values, declared agencies, the
    statuses that count toward the target, and the economic case's keys (a published
    ``schedule`` where there would be a ``discount_rate``, ``ob_mitigation``,
    ``present_value_year``, ``ob_type`` on cost lines, ``value_type`` on benefit lines and
    ``[[impacts]]``)."""
    generated = draw(gen.portfolios())
    _one_rate(draw, generated.portfolio["appraisal"])
    if draw(st.booleans()):
        generated.portfolio["portfolio"]["present_value_year"] = draw(st.integers(2005, 2040))
    if draw(st.booleans()):
        generated.portfolio["portfolio"]["description"] = draw(gen.names)
    if draw(st.booleans()):  # every agency the generated lines and partners may name
        generated.portfolio["portfolio"]["agencies"] = draw(st.permutations(gen.AGENCIES))
    if draw(st.booleans()):
        generated.portfolio["portfolio"]["count_statuses"] = draw(
            st.lists(st.sampled_from(STATUSES), min_size=1, unique=True)
        )
    ids = [p["id"] for p in generated.projects]
    scenarios: dict[str, Any] = {}
    for name in draw(
        st.lists(
            gen.ids.filter(lambda s: s not in ("central", "pessimistic", "optimistic")),
            max_size=2,
            unique=True,
        )
    ):
        scenario: dict[str, Any] = {}
        if draw(st.booleans()):
            scenario["description"] = draw(gen.names)
        overrides = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "discount_rate": gen._decimals(0.0, 0.1, 4),
                    "declining": st.booleans(),
                    "discount_year0": st.booleans(),
                },
            )
        )
        _one_rate(draw, overrides)
        if overrides:
            scenario["set"] = overrides
        exclude = draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids)))
        if exclude:
            scenario["exclude"] = exclude
        scenarios[name] = scenario
    if scenarios:
        generated.portfolio["scenarios"] = scenarios
    for project in generated.projects:
        if draw(st.booleans()):
            project["description"] = draw(gen.names)
        if draw(st.booleans()):  # the project's own schedule, at the top or in [appraisal]
            own: dict[str, Any] = {}
            _one_rate(draw, own)
            if "schedule" in own and "discount_rate" in project:
                own.pop("schedule")  # a rate at the top and a schedule below: an error
            if own and draw(st.booleans()):
                project["appraisal"] = own
            else:
                project.update(own)
        for line in project["costs"]:
            if draw(st.booleans()):  # optimism bias by project type instead of by hand
                line.pop("optimism_bias", None)
                line["ob_type"] = draw(st.sampled_from(OB_TYPES[line["kind"]]))
        for line in project["benefits"]:
            if "quantity" in line and draw(st.booleans()):
                line["unit_value"] = "ref:" + draw(st.sampled_from(REFERABLE))
                line.pop("price_year", None)
                if draw(st.booleans()):
                    line["source"] = draw(gen.names)
            if draw(st.booleans()):  # a cashable line is fiscal or says nothing
                line["value_type"] = (
                    "fiscal" if line["cashable"] else draw(st.sampled_from(VALUE_TYPES))
                )
        impacts = [
            {
                "name": draw(gen.names),
                "direction": draw(st.sampled_from(DIRECTIONS)),
                "materiality": draw(st.sampled_from(MATERIALITIES)),
                **({"description": draw(gen.names)} if draw(st.booleans()) else {}),
            }
            for _ in range(draw(st.integers(0, 2)))
        ]
        if impacts:
            project["impacts"] = impacts
    used: set[str] = set()
    for project in generated.projects:
        if draw(st.booleans()):
            project["risks"] = [
                {
                    "name": draw(gen.names),
                    "probability": draw(gen._decimals(0.0, 1.0, 3)),
                    "impact": draw(gen.maybe_uncertain(gen._decimals(0.0, 100_000.0, 2))),
                    "years": [0, 0],
                    **(
                        {"agency": draw(st.sampled_from(gen.AGENCIES))}
                        if draw(st.booleans())
                        else {}
                    ),
                }
                for _ in range(draw(st.integers(1, 2)))
            ]
        # correlation groups on some uncertain values
        for item in [*project["costs"], *project["benefits"], *project.get("risks", [])]:
            for value in item.values():
                if isinstance(value, dict) and "low" in value and draw(st.booleans()):
                    value["group"] = draw(st.sampled_from(["g1", "g2"]))
                    used.add(value["group"])
    if draw(st.booleans()):  # outturn to as_of on some lines, on the Outturn sheet
        as_of = draw(st.integers(2012, 2035))
        generated.portfolio["portfolio"]["as_of"] = as_of
        for project in generated.projects:
            horizon = project.get("horizon", generated.appraisal["horizon"])
            start = project["start_year"]
            years = list(range(start, min(as_of, start + horizon - 1) + 1))
            for line in [*project["costs"], *project["benefits"]]:
                if years and draw(st.booleans()):
                    chosen = draw(st.lists(st.sampled_from(years), min_size=1, unique=True))
                    line["actuals"] = {str(y): draw(gen.money) for y in sorted(chosen)}
    if used:
        generated.portfolio["correlation"] = {
            "groups": {g: draw(gen._decimals(0.3, 0.9, 2)) for g in sorted(used)}
        }
        if used == {"g1", "g2"} and draw(st.booleans()):
            generated.portfolio["correlation"]["between"] = [
                {"groups": ["g1", "g2"], "rank": draw(gen._decimals(-0.2, 0.2, 2))}
            ]
    return generated


@ROUND_TRIP
@given(generated=rich_portfolios())
def test_round_trip_toml_xlsx_toml_keeps_every_value(generated: gen.GeneratedPortfolio) -> None:
    with tempfile.TemporaryDirectory(prefix="npv-calc-") as tmp:
        folder = gen.write(Path(tmp) / "toml", generated)
        original = load_portfolio(folder)
        book = export_dir(folder, Path(tmp) / "input.xlsx")

        out = invoke("import", book, "--to", Path(tmp) / "back")
        assert out.exit_code == 0, out.output
        back = load_portfolio(Path(tmp) / "back")
        assert_same_portfolio(original, back, folder, Path(tmp) / "back")
        assert json_of(back) == json_of(original)

        # The workbook is appraised directly, to the same model and figures.
        direct = load_portfolio(book)
        assert_same_portfolio(original, direct, None, None)
        assert json_of(direct) == json_of(original)


def test_example_portfolio_round_trips_with_its_file_names(tmp_path: Path) -> None:
    book = export_dir(EXAMPLE, tmp_path / "input.xlsx")
    out = invoke("import", book, "--to", tmp_path / "back")
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in (tmp_path / "back").iterdir()) == sorted(
        p.name for p in EXAMPLE.glob("*.toml")
    )
    original, back = load_portfolio(EXAMPLE), load_portfolio(tmp_path / "back")
    assert original.scenarios  # the example has named scenarios: they must survive too
    assert_same_portfolio(original, back, EXAMPLE, tmp_path / "back")
    for scenario in ["central", "pessimistic", "optimistic", *original.scenarios]:
        assert dumps(to_dict(appraise(back, scenario))) == dumps(
            to_dict(appraise(original, scenario))
        ), scenario
    # File column: each project row names the file it came from
    ws = openpyxl.load_workbook(book, read_only=True)["Projects"]
    rows = list(ws.iter_rows(min_row=layout.FIRST_ROW, values_only=True))
    files = [r[layout.PROJECT_COLUMNS.index(_column("file"))] for r in rows if r[0]]
    assert sorted(files) == sorted(
        p.name for p in EXAMPLE.glob("*.toml") if p.name != "portfolio.toml"
    )


def test_running_the_exported_example_gives_the_same_figures(tmp_path: Path) -> None:
    book = export_dir(EXAMPLE, tmp_path / "input.xlsx")
    direct = invoke("run", book, "--format", "json")
    assert direct.exit_code == 0, direct.output
    from_toml = invoke("run", EXAMPLE, "--format", "json")
    assert direct.stdout == from_toml.stdout
    checked = invoke("validate", book)
    assert checked.exit_code == 0, checked.output
    assert checked.stdout.startswith("OK: ")


TRICKY_TEXT = [
    "Fire ",  # a trailing space
    "  indented",
    '=HYPERLINK("http://x","y")',
    'quote " and back\\slash',
    "two\nlines",
    "tab\there",
    "£1,000 café ✓ 日本",
    "+44 7700 900123",
    "@sum",
    "2024",  # text that looks like a number stays text
    "TRUE",
]


@pytest.mark.parametrize("text", TRICKY_TEXT, ids=repr)
def test_text_round_trips_exactly(text: str, tmp_path: Path) -> None:
    """Names, descriptions and sources come back as they were written, character for
    character: a workbook must not trim, evaluate or convert them."""
    project = (
        PROJECT.replace('name = "Project one"', f"name = {gen.toml_string(text)}")
        .replace('partners = ["Police", "Fire"]', f"description = {gen.toml_string(text)}")
        .replace('name = "Staff"', f"name = {gen.toml_string(text)}")
        .replace("annual = 10_000", f"annual = 10_000\nsource = {gen.toml_string(text)}")
    )
    portfolio = PORTFOLIO.replace('name = "Test portfolio"', f"name = {gen.toml_string(text)}")
    folder = tmp_path / "toml"
    folder.mkdir()
    (folder / "portfolio.toml").write_text(portfolio, encoding="utf-8")
    (folder / "p1.toml").write_text(project, encoding="utf-8")
    original = load_portfolio(folder)
    assert original.name == text and original.projects[0].costs[0].source == text

    book = export_dir(folder, tmp_path / "input.xlsx")
    out = invoke("import", book, "--to", tmp_path / "back")
    assert out.exit_code == 0, out.output
    back = load_portfolio(tmp_path / "back")
    assert back.name == text
    assert back.projects[0].name == text
    assert back.projects[0].description == text
    assert back.projects[0].costs[0].name == text
    assert back.projects[0].costs[0].source == text
    assert_same_portfolio(original, back, folder, tmp_path / "back")


def test_text_a_workbook_cannot_hold_is_refused_or_kept(tmp_path: Path) -> None:
    """U+FFFE is valid in TOML but not in the XML of a workbook: export must either refuse it
    with a clear error, or write a workbook that reads back; never a workbook that then fails
    to open with an unexpected error."""
    folder = tmp_path / "toml"
    folder.mkdir()
    (folder / "portfolio.toml").write_text(PORTFOLIO, encoding="utf-8")
    (folder / "p1.toml").write_text(
        PROJECT.replace('name = "Project one"', 'name = "odd\\uFFFEname"'), encoding="utf-8"
    )
    out = invoke("export", folder, "--to", tmp_path / "input.xlsx")
    if out.exit_code != 0:
        refused(out, "P1")
        assert not (tmp_path / "input.xlsx").exists()
        return
    back = invoke("import", tmp_path / "input.xlsx", "--to", tmp_path / "back")
    assert back.exit_code == 0, back.output
    assert load_portfolio(tmp_path / "back").projects[0].name == "odd\ufffename"


# ---------------------------------------------------------------------------------------------
# Errors name the sheet and cell


def test_every_bad_cell_is_reported_with_its_sheet_and_cell_at_once(
    example_book: Path, runner: CliRunner
) -> None:
    wb = openpyxl.load_workbook(example_book)
    costs, benefits, projects = wb["Costs"], wb["Benefits"], wb["Projects"]
    expected: list[tuple[str, tuple[str, ...]]] = []  # (cell, phrases) per expected error

    cell = f"{column_letter(benefits, 'Deadweight')}5"
    benefits[cell] = 1.5
    expected.append((f"Benefits!{cell}", ("deadweight", "1.5")))

    cell = f"{column_letter(benefits, 'Cashable')}6"
    benefits[cell] = "maybe"
    expected.append((f"Benefits!{cell}", ("cashable", "maybe")))

    # low > central on a line stated as quantity x unit value
    quantity = column_letter(benefits, "Quantity")
    row = next(
        r for r in range(7, benefits.max_row + 1) if benefits[f"{quantity}{r}"].value is not None
    )
    low, high = column_letter(benefits, "Quantity low"), column_letter(benefits, "Quantity high")
    benefits[f"{low}{row}"], benefits[f"{quantity}{row}"], benefits[f"{high}{row}"] = 90, 50, 99
    low_cells = tuple(f"Benefits!{c}{row}" for c in (low, quantity, high))

    cell = f"{column_letter(costs, 'Annual £')}5"
    costs[cell] = "lots"
    expected.append((f"Costs!{cell}", ("annual", "lots")))

    cell = f"{column_letter(costs, 'Project ID')}6"
    costs[cell] = "NOPE"
    expected.append((f"Costs!{cell}", ("NOPE", "Projects")))

    cell = f"{column_letter(projects, 'Start year')}5"
    projects[cell] = "2018x"
    expected.append((f"Projects!{cell}", ("start_year", "2018x")))

    cell = f"{column_letter(projects, 'File')}6"
    projects[cell] = "../x.toml"
    expected.append((f"Projects!{cell}", ("File", "../x.toml")))

    portfolio = wb["Portfolio"]
    row = setting_row(portfolio, "Discount rate")
    portfolio[f"B{row}"] = "abc"
    expected.append((f"Portfolio!B{row}", ("discount_rate", "abc")))

    row = first_empty_row(portfolio)
    portfolio[f"A{row}"] = "Discount rat"
    portfolio[f"B{row}"] = 0.03
    expected.append((f"Portfolio!A{row}", ("Discount rat",)))

    grades = wb["Grades"]
    row = first_empty_row(grades)
    grades[f"A{row}"], grades[f"B{row}"] = 7, 1.5  # a new grade no line uses
    expected.append((f"Grades!B{row}", ("1.5",)))

    deflators = wb["Deflators"]
    row = first_empty_row(deflators)
    deflators[f"A{row}"], deflators[f"B{row}"] = 2030, -5  # a year no line uses
    expected.append((f"Deflators!B{row}", ("2030", "-5")))

    scenarios = wb["Scenarios"]
    cell = f"{column_letter(scenarios, 'Discount rate')}5"
    scenarios[cell] = "three"
    expected.append((f"Scenarios!{cell}", ("discount_rate", "three")))

    spare = len([h for h in headers(costs) if h is not None]) + 1
    costs.cell(row=layout.HEADER_ROW, column=spare, value="Bogus column")
    cell = f"{openpyxl.utils.get_column_letter(spare)}{layout.HEADER_ROW}"
    expected.append((f"Costs!{cell}", ("Bogus column",)))

    cell = f"{column_letter(benefits, 'Source')}8"
    benefits[cell] = "=1+1"  # openpyxl saves no cached value for it
    expected.append((f"Benefits!{cell}", ("formula", "Source")))
    wb.save(example_book)

    out = runner.invoke(cli, ["run", str(example_book)])
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output
    lines = errors(out.stderr)
    missing = []
    for cell, phrases in expected:
        found = [line for line in lines if line.startswith(f"Error: input.xlsx: {cell}: ")]
        if not any(all(p in line for p in phrases) for line in found):
            missing.append((cell, phrases, found))
    if not any(
        any(line.startswith(f"Error: input.xlsx: {c}: ") for c in low_cells)
        and "quantity" in line
        and "low <= central <= high" in line
        for line in lines
    ):
        missing.append((low_cells, ("quantity", "low <= central <= high"), []))
    assert not missing, "\n".join(map(str, missing)) + "\n" + out.stderr
    assert len(lines) == len(expected) + 1, out.stderr  # every problem, each once
    assert out.stderr.rstrip().endswith(f"{len(lines)} problems found.")


def test_a_workbook_with_no_projects_is_an_error(tmp_path: Path) -> None:
    """As a scenario directory with no project files is: the blank template is not a
    portfolio of nothing."""
    shutil.copy(TEMPLATE, tmp_path / "blank.xlsx")
    for command in ("run", "validate"):
        out = invoke(command, tmp_path / "blank.xlsx")
        assert out.exit_code == 1, (command, out.output)
        assert "Error: " in out.stderr and "project" in out.stderr.lower()
    out = invoke("import", tmp_path / "blank.xlsx", "--to", tmp_path / "back")
    assert out.exit_code == 1
    assert not (tmp_path / "back").exists()


def test_deadweight_message_reads_like_the_issue(example_book: Path, runner: CliRunner) -> None:
    wb = openpyxl.load_workbook(example_book)
    ws = wb["Benefits"]
    cell = f"{column_letter(ws, 'Deadweight')}7"
    ws[cell] = 1.5
    wb.save(example_book)
    out = runner.invoke(cli, ["validate", str(example_book)])
    line = refused(out, f"input.xlsx: Benefits!{cell}: ", "deadweight", "got 1.5")
    assert re.search(r"between 0 and 1", line)


@pytest.mark.parametrize(
    ("sheet", "key", "value", "column", "message"),
    [
        # a grade that is no grade: misspelt, not a whole number, or out of range
        (
            "Grades",
            "thre",
            0.1,
            "A",
            '[confidence_grades]: thre: grade "thre" must be a whole number from 1 to 1,000,000',
        ),
        (
            "Grades",
            "2.5",
            0.1,
            "A",
            '[confidence_grades]: 2.5: grade "2.5" must be a whole number from 1 to 1,000,000',
        ),
        (
            "Grades",
            0,
            0.1,
            "A",
            '[confidence_grades]: 0: grade "0" must be a whole number from 1 to 1,000,000',
        ),
        # a good grade with a bad share
        ("Grades", 7, "lots", "B", '[confidence_grades]: 7: must be a number, got text "lots"'),
        (
            "Grades",
            7,
            1.5,
            "B",
            "[confidence_grades]: 7: must be between 0 and 1 for a benefit (e.g. 0.1 reduces "
            "the benefit by 10%), got 1.5",
        ),
        # a year that is no year
        ("Deflators", "2024/25", 99, "A", '[deflators]: 2024/25: "2024/25" must be a year such '),
        ("Deflators", 24, 99, "A", '[deflators]: 24: "24" must be a year such as 2023'),
        # a good year with a bad index
        ("Deflators", 2024, -5, "B", "[deflators]: 2024: must be greater than 0, got -5"),
        ("Deflators", 2024, "abc", "B", '[deflators]: 2024: must be a number, got text "abc"'),
    ],
)
def test_a_grade_or_deflator_problem_is_at_the_cell_of_its_key_or_its_value(
    example_book: Path,
    runner: CliRunner,
    sheet: str,
    key: Any,
    value: Any,
    column: str,
    message: str,
) -> None:
    """The Grades and Deflators sheets give a key (A) and its value (B) on each row: a bad key
    is reported at its own cell, a bad value at the value's, the message otherwise the same."""
    wb = openpyxl.load_workbook(example_book)
    ws = wb[sheet]
    row = first_empty_row(ws)
    ws[f"A{row}"], ws[f"B{row}"] = key, value
    wb.save(example_book)
    out = runner.invoke(cli, ["validate", str(example_book)])
    line = refused(out, f"Error: input.xlsx: {sheet}!{column}{row}: {message}")
    assert line.startswith(f"Error: input.xlsx: {sheet}!{column}{row}: ["), line


def test_a_bad_key_of_a_grade_a_line_uses_is_at_the_key_cell(
    example_book: Path, runner: CliRunner
) -> None:
    """An existing grade's key misspelt (its share left as it is) points at the key."""
    wb = openpyxl.load_workbook(example_book)
    ws = wb["Grades"]
    row = next(r for r in range(layout.FIRST_ROW, ws.max_row + 1) if ws[f"A{r}"].value == 3)
    ws[f"A{row}"] = "three"
    wb.save(example_book)
    out = runner.invoke(cli, ["validate", str(example_book)])
    assert out.exit_code == 1, out.output
    assert (
        f'Error: input.xlsx: Grades!A{row}: [confidence_grades]: three: grade "three" must be '
        "a whole number from 1 to 1,000,000"
    ) in errors(out.stderr), out.stderr
    assert f"Grades!B{row}" not in out.stderr, out.stderr


def test_economic_case_cells_are_reported_with_their_sheet_and_cell(
    example_book: Path, runner: CliRunner
) -> None:
    """The economic case's columns and settings (value type, optimism bias type, schedule,
    mitigation, present-value year, impacts) are checked as in TOML files, each problem at its
    cell, all at once."""
    wb = openpyxl.load_workbook(example_book)
    costs, benefits, projects = wb["Costs"], wb["Benefits"], wb["Projects"]
    expected: list[tuple[str, tuple[str, ...]]] = []

    value_type = column_letter(benefits, "Value type")
    benefits[f"{value_type}5"] = "monetary"
    expected.append((f"Benefits!{value_type}5", ("value_type", "monetary", '"social"')))
    cashable = column_letter(benefits, "Cashable")
    row = next(r for r in range(5, benefits.max_row + 1) if benefits[f"{cashable}{r}"].value)
    benefits[f"{value_type}{row}"] = "social"  # on a cashable line
    expected.append((f"Benefits!{value_type}{row}", ("value_type", "cashable", "fiscal")))

    ob_type = column_letter(costs, "Optimism bias type")
    costs[f"{ob_type}5"] = "standard buildings"
    expected.append((f"Costs!{ob_type}5", ("ob_type", "standard buildings", "standard-buildings")))
    bias = column_letter(costs, "Optimism bias")
    row = next(r for r in range(5, costs.max_row + 1) if costs[f"{bias}{r}"].value is not None)
    costs[f"{ob_type}{row}"] = "standard-buildings"  # beside an optimism bias of its own
    expected.append((f"Costs!{ob_type}{row}", ("optimism_bias", "ob_type", "not both")))

    portfolio = wb["Portfolio"]
    row = setting_row(portfolio, "Published discount schedule (instead of the rate)")
    portfolio[f"B{row}"] = "health"  # beside the example's discount rate
    expected.append((f"Portfolio!B{row}", ("schedule", "discount_rate", "not both")))
    row = setting_row(portfolio, "Optimism bias mitigation")
    portfolio[f"B{row}"] = 1.5
    expected.append((f"Portfolio!B{row}", ("ob_mitigation", "1.5")))
    row = setting_row(portfolio, "Present value year (financial year)")
    portfolio[f"B{row}"] = "2023/24"
    expected.append((f"Portfolio!B{row}", ("present_value_year", "2023/24")))

    projects[f"{column_letter(projects, 'Own discount rate')}5"] = 0.03
    cell = f"{column_letter(projects, 'Own discount schedule')}5"
    projects[cell] = "health"
    expected.append((f"Projects!{cell}", ("schedule", "not both")))

    scenarios = wb["Scenarios"]
    schedule = column_letter(scenarios, "Discount schedule")
    assert scenarios[f"{column_letter(scenarios, 'Discount rate')}5"].value is not None
    scenarios[f"{schedule}5"] = "health"
    expected.append((f"Scenarios!{schedule}5", ("set.schedule", "not both")))
    scenarios[f"{schedule}6"] = "green"
    expected.append((f"Scenarios!{schedule}6", ("set.schedule", "green")))

    impacts = wb["Impacts"]
    cell = f"{column_letter(impacts, 'Direction')}5"
    impacts[cell] = "up"
    expected.append((f"Impacts!{cell}", ("direction", "up", '"positive"')))
    cell = f"{column_letter(impacts, 'Materiality')}6"
    impacts[cell] = "huge"
    expected.append((f"Impacts!{cell}", ("materiality", "huge")))
    cell = f"{column_letter(impacts, 'Project ID')}7"
    impacts[cell] = "NOPE"
    expected.append((f"Impacts!{cell}", ("NOPE", "Projects")))
    cell = f"{column_letter(impacts, 'Impact')}8"
    impacts[cell] = None
    expected.append((f"Impacts!{cell}", ("name", "required")))
    wb.save(example_book)

    out = runner.invoke(cli, ["validate", str(example_book)])
    assert out.exit_code == 1, out.output
    assert "Traceback" not in out.output
    lines = errors(out.stderr)
    missing = []
    for cell, phrases in expected:
        found = [line for line in lines if line.startswith(f"Error: input.xlsx: {cell}: ")]
        if not any(all(p in line for p in phrases) for line in found):
            missing.append((cell, phrases, found))
    assert not missing, "\n".join(map(str, missing)) + "\n" + out.stderr
    assert len(lines) == len(expected), out.stderr  # every problem, each once


def test_a_workbook_made_before_the_economic_case_is_read(example_book: Path) -> None:
    """A workbook from an older template, without the Impacts sheet and the economic case's
    columns and settings, is read as before: nothing of them is given."""
    wb = openpyxl.load_workbook(example_book)
    del wb["Impacts"]
    for sheet, header in (
        ("Benefits", "Value type"),
        ("Costs", "Optimism bias type"),
        ("Projects", "Own discount schedule"),
        ("Projects", "Own optimism bias mitigation"),
        ("Scenarios", "Discount schedule"),
        ("Scenarios", "Optimism bias mitigation"),
    ):
        ws = wb[sheet]
        ws.delete_cols(ws[f"{column_letter(ws, header)}1"].column)
    portfolio = wb["Portfolio"]
    for label in (
        "Published discount schedule (instead of the rate)",
        "Optimism bias mitigation",
        "Present value year (financial year)",
    ):
        portfolio.delete_rows(setting_row(portfolio, label))
    wb.save(example_book)
    book = load_portfolio(example_book)
    example = load_portfolio(EXAMPLE)
    assert book.present_value_year is None
    assert all(not p.impacts for p in book.projects)
    assert all(line.value_type is None for p in book.projects for line in p.benefits)
    assert [r.npv for r in appraise(book).projects] == [r.npv for r in appraise(example).projects]


def test_errors_in_a_workbook_stop_import_and_export_writes_nothing(
    example_book: Path, runner: CliRunner
) -> None:
    wb = openpyxl.load_workbook(example_book)
    wb["Costs"][f"{column_letter(wb['Costs'], 'Kind')}5"] = "sometimes"
    wb.save(example_book)
    out = runner.invoke(cli, ["import", str(example_book), "--to", "back"])
    assert out.exit_code == 1
    assert "kind" in out.stderr and "sometimes" in out.stderr
    assert not Path("back").exists()
    assert [p.name for p in Path.cwd().iterdir()] == ["input.xlsx"]


# ---------------------------------------------------------------------------------------------
# Untrusted workbooks


def rewrite(source: Path, target: Path, change: Any = None, extra: dict | None = None) -> Path:
    """A copy of a workbook's zip with some members changed (``change(name, data)``) or added."""
    with (
        zipfile.ZipFile(source) as zin,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            z.writestr(info.filename, change(info.filename, data) if change else data)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return target


LAUGHS = (
    b'<?xml version="1.0"?>'
    b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def with_laughs(data: bytes, tag: bytes) -> bytes:
    body = re.sub(rb"^<\?xml[^>]*\?>", b"", data.lstrip())
    return LAUGHS + body.replace(tag, tag + b"&lol3;", 1)


@pytest.fixture
def never_opened(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Check that openpyxl is never asked to open the workbook: it must be refused before."""
    opened: list[Any] = []
    real = openpyxl.load_workbook

    def spy(*args: Any, **kwargs: Any) -> Any:
        opened.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    yield
    assert not opened, f"the workbook was opened with openpyxl: {opened}"


class TestUntrustedWorkbooks:
    def test_macro_enabled_suffix_is_refused(self, example_book: Path, never_opened: None):
        shutil.copy(example_book, "input.xlsm")
        refused(invoke("run", "input.xlsm"), "input.xlsm: ", "macro", ".xlsx")

    def test_vba_project_inside_an_xlsx_is_refused(self, example_book: Path, never_opened: None):
        rewrite(example_book, Path("vba.xlsx"), extra={"xl/vbaProject.bin": b"\0" * 512})
        refused(invoke("run", "vba.xlsx"), "vba.xlsx: ", "macro")

    def test_macro_enabled_content_type_is_refused(self, example_book: Path, never_opened: None):
        def change(name: str, data: bytes) -> bytes:
            if name == "[Content_Types].xml":
                return data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                )
            return data

        rewrite(example_book, Path("types.xlsx"), change)
        assert b"macroEnabled" in zipfile.ZipFile("types.xlsx").read("[Content_Types].xml")
        refused(invoke("run", "types.xlsx"), "types.xlsx: ", "macro-enabled")

    def test_zip_bomb_is_refused_without_unpacking_it(
        self, example_book: Path, never_opened: None, monkeypatch: pytest.MonkeyPatch
    ):
        with zipfile.ZipFile(Path("bomb.xlsx"), "w", zipfile.ZIP_DEFLATED) as z:
            with zipfile.ZipFile(example_book) as zin:
                for info in zin.infolist():
                    z.writestr(info.filename, zin.read(info.filename))
            zeros = bytes(2**20)
            with z.open("xl/media/image1.bin", "w", force_zip64=True) as member:
                for _ in range(300):  # 300 MB of zeros, compressed as it is written
                    member.write(zeros)
        assert Path("bomb.xlsx").stat().st_size < 2 * 2**20
        unpack = zipfile.ZipFile.open

        def refuse_the_bomb(self, name, *args, **kwargs):  # type: ignore[no-untyped-def]
            member = name.filename if isinstance(name, zipfile.ZipInfo) else name
            assert member != "xl/media/image1.bin", "the bomb was unpacked"
            return unpack(self, name, *args, **kwargs)

        monkeypatch.setattr(zipfile.ZipFile, "open", refuse_the_bomb)
        out = invoke("run", "bomb.xlsx")
        refused(out, "bomb.xlsx: ", "zip bomb", "not opened")

    def test_unpacked_size_over_the_limit_is_refused(
        self, example_book: Path, never_opened: None, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setattr(workbook_io, "MAX_UNPACKED_BYTES", 2**20)
        noise = (bytes(range(256)) * 9000)[: 3 * 2**20]  # ratio far below MAX_RATIO
        rewrite(example_book, Path("big.xlsx"), extra={"xl/media/big.bin": noise})
        refused(invoke("run", "big.xlsx"), "big.xlsx: ", "more than 1 MB")

    def test_a_zip_directory_that_lies_about_sizes_is_refused(
        self, example_book: Path, never_opened: None, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setattr(workbook_io, "MAX_UNPACKED_BYTES", 2**20)
        import random

        noise = random.Random(1).randbytes(3 * 2**20)  # incompressible: a plausible ratio
        book = rewrite(example_book, Path("liar.xlsx"), extra={"xl/media/big.bin": noise})
        data = bytearray(book.read_bytes())
        name = b"xl/media/big.bin"
        # declare 1,000 bytes unpacked in the local header and in the central directory
        local = data.index(b"PK\x03\x04")
        while data[local + 30 : local + 30 + len(name)] != name:
            local = data.index(b"PK\x03\x04", local + 4)
        struct.pack_into("<I", data, local + 22, 1000)
        central = data.index(b"PK\x01\x02")
        while data[central + 46 : central + 46 + len(name)] != name:
            central = data.index(b"PK\x01\x02", central + 4)
        struct.pack_into("<I", data, central + 24, 1000)
        book.write_bytes(bytes(data))
        declared = {i.filename: i.file_size for i in zipfile.ZipFile(book).infolist()}
        assert declared[name.decode()] == 1000
        assert sum(declared.values()) < workbook_io.MAX_UNPACKED_BYTES
        refused(invoke("run", "liar.xlsx"), "liar.xlsx: ")

    @pytest.mark.parametrize("member", ["[Content_Types].xml", "xl/worksheets/sheet3.xml"])
    def test_xml_entities_are_refused(self, example_book: Path, member: str):
        tag = b"<Types" if member.startswith("[") else b"<v>"

        def change(name: str, data: bytes) -> bytes:
            return with_laughs(data, tag) if name == member else data

        rewrite(example_book, Path("laughs.xlsx"), change)
        assert b"<!ENTITY" in zipfile.ZipFile("laughs.xlsx").read(member)
        line = refused(invoke("run", "laughs.xlsx"), "laughs.xlsx: ")
        assert "XML" in line

    def test_malformed_xml_deep_in_a_sheet_is_a_clean_error(self, example_book: Path):
        """A sheet whose XML breaks after its first rows (read lazily) is reported as a bad
        workbook, not as an unexpected error."""

        def change(name: str, data: bytes) -> bytes:
            if name == "xl/worksheets/sheet5.xml":  # Benefits
                return data.replace(b"</sheetData>", b"<row r='999'><c><v>1</c></row></sheetData>")
            return data

        rewrite(example_book, Path("broken.xlsx"), change)
        refused(invoke("run", "broken.xlsx"), "broken.xlsx: ")

    def test_file_over_the_size_limit_is_refused(
        self, example_book: Path, never_opened: None, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.setattr(workbook_io, "MAX_FILE_BYTES", 1000)
        size = example_book.stat().st_size
        refused(invoke("run", example_book), "input.xlsx: ", f"{size:,} bytes", "1,000")

    @pytest.mark.parametrize("name", ["old.xls", "renamed.xlsx"])
    def test_old_xls_is_told_to_save_as_xlsx(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, never_opened: None, name: str
    ):
        monkeypatch.chdir(tmp_path)
        Path(name).write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 16)
        line = refused(invoke("run", name), f"{name}: ")
        assert re.search(r"save (it|a copy) as \.xlsx", line), line

    def test_random_bytes_named_xlsx_are_not_a_workbook(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, never_opened: None
    ):
        monkeypatch.chdir(tmp_path)
        import random

        Path("noise.xlsx").write_bytes(random.Random(5).randbytes(4096))
        refused(invoke("run", "noise.xlsx"), "noise.xlsx: ", "not an Excel workbook")

    def test_a_zip_that_is_not_a_workbook(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.chdir(tmp_path)
        with zipfile.ZipFile("notes.xlsx", "w") as z:
            z.writestr("notes.txt", "hello")
        refused(invoke("run", "notes.xlsx"), "notes.xlsx: ", "not an Excel workbook")

    def test_refused_workbooks_are_refused_by_every_command(self, example_book: Path):
        shutil.copy(example_book, "input.xlsm")
        for args in (["validate"], ["sensitivity"], ["import", "--to", "back"]):
            out = invoke(*args[:1], "input.xlsm", *args[1:])
            refused(out, "input.xlsm: ", "macro")
        assert not Path("back").exists()

    @pytest.mark.parametrize("name", ["input.ods", "input.numbers", "input.xlsb"])
    def test_other_spreadsheet_types_are_told_to_save_as_xlsx(
        self, example_book: Path, never_opened: None, name: str
    ):
        shutil.copy(example_book, name)
        line = refused(invoke("run", name), f"{name}: ", ".xlsx")
        assert "save" in line

    def test_a_workbook_goes_on_its_own(self, example_book: Path):
        refused(invoke("run", example_book, EXAMPLE), "on its own")


# ---------------------------------------------------------------------------------------------
# import


class TestImport:
    def test_refuses_a_folder_that_is_not_empty(self, example_book: Path):
        target = Path("back")
        target.mkdir()
        (target / "keep.toml").write_text("id = 1\n", encoding="utf-8")
        out = invoke("import", example_book, "--to", target)
        refused(out, "back", "not an empty folder")
        assert [p.name for p in target.iterdir()] == ["keep.toml"]
        assert (target / "keep.toml").read_text(encoding="utf-8") == "id = 1\n"

    def test_an_empty_folder_is_filled(self, example_book: Path):
        Path("back").mkdir()
        out = invoke("import", example_book, "--to", "back")
        assert out.exit_code == 0, out.output
        assert (Path("back") / "portfolio.toml").is_file()
        assert "Wrote 10 files to back" in out.stderr

    def test_scenario_files_need_no_import(self, tmp_path: Path):
        out = invoke("import", EXAMPLE / "01-jet.toml", "--to", tmp_path / "back")
        refused(out, "import reads an input workbook")
        assert not (tmp_path / "back").exists()

    def test_written_files_start_with_a_header_comment(self, example_book: Path):
        out = invoke("import", example_book, "--to", "back")
        assert out.exit_code == 0, out.output
        files = sorted(Path("back").glob("*.toml"))
        assert len(files) == 10
        for path in files:
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == "# Written by npv-calc import from input.xlsx.", (path, first)

    def test_a_failure_while_writing_leaves_no_folder(
        self, example_book: Path, monkeypatch: pytest.MonkeyPatch
    ):
        calls = 0
        real = Path.write_text

        def failing(self: Path, *args: Any, **kwargs: Any) -> int:
            nonlocal calls
            calls += 1
            if calls == 4:
                real(self, "partial", encoding="utf-8")
                raise OSError(28, "No space left on device")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Path, "write_text", failing)
        out = invoke("import", example_book, "--to", "back")
        refused(out, "back", "No space left on device")
        assert calls == 4
        assert not Path("back").exists()
        assert sorted(p.name for p in Path.cwd().iterdir()) == ["input.xlsx"]  # no temp folder

    def test_file_names_from_the_file_column_are_used(self, example_book: Path):
        wb = openpyxl.load_workbook(example_book)
        ws = wb["Projects"]
        letter = column_letter(ws, "File")
        ws[f"{letter}5"] = "police/jet.toml"
        ws[f"{letter}6"] = None  # a name is made from the row and the id
        wb.save(example_book)
        out = invoke("import", example_book, "--to", "back")
        assert out.exit_code == 0, out.output
        assert (Path("back") / "police" / "jet.toml").is_file()
        assert (Path("back") / "02-cbcd.toml").is_file()
        back = load_portfolio("back")
        assert {p.id for p in back.projects} == {p.id for p in load_portfolio(EXAMPLE).projects}

    @pytest.mark.parametrize(
        "name",
        ["../x.toml", "/abs/x.toml", "x.txt", "portfolio.toml", "a/../b.toml", "C:\\x.toml"],
    )
    def test_file_names_that_could_escape_are_refused(self, name: str):
        assert check_file_name(name) is not None
        assert check_file_name("01-jet.toml") is None
        assert check_file_name("police/Joint team.toml") is None


# ---------------------------------------------------------------------------------------------
# export


class TestExport:
    def test_refuses_a_missing_template(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setattr(input_workbook, "default_template", lambda: tmp_path / "gone.xlsx")
        out = invoke("export", EXAMPLE, "--to", tmp_path / "input.xlsx")
        refused(out, "gone.xlsx", "missing")
        assert not (tmp_path / "input.xlsx").exists()

    def test_a_failed_export_leaves_an_existing_file_untouched(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        target = tmp_path / "input.xlsx"
        target.write_bytes(b"the previous workbook")

        def full_disk(descriptor: int) -> None:  # half written when the disk fills
            raise OSError(28, "No space left on device")

        monkeypatch.setattr("npv_calc.files.os.fsync", full_disk)
        out = invoke("export", EXAMPLE, "--to", target)
        refused(out, "No space left on device")
        assert target.read_bytes() == b"the previous workbook"
        assert [p.name for p in tmp_path.iterdir()] == ["input.xlsx"]  # no temporary file

    @pytest.mark.parametrize("name", ["input.xls", "input.xlsm", "input.toml", "input"])
    def test_writes_only_xlsx(self, tmp_path: Path, name: str):
        out = invoke("export", EXAMPLE, "--to", tmp_path / name)
        refused(out, ".xlsx")
        assert list(tmp_path.iterdir()) == []

    def test_partner_with_a_comma_is_refused(self, scenario_dir: Any, tmp_path: Path):
        folder = scenario_dir(p1=PROJECT.replace('"Police", "Fire"', '"Police", "Fire, Kent"'))
        target = tmp_path / "input.xlsx"
        target.write_bytes(b"old")
        out = invoke("export", folder, "--to", target)
        refused(out, "P1", "Fire, Kent", "comma")
        assert target.read_bytes() == b"old"

    def test_text_starting_with_equals_stays_text(self, scenario_dir: Any, tmp_path: Path):
        formula = '=HYPERLINK("http://x","y")'
        project = PROJECT.replace('name = "Project one"', f"name = {gen.toml_string(formula)}")
        project = project.replace('name = "Staff"', 'name = "=1+1"')
        book = export_dir(scenario_dir(p1=project), tmp_path / "input.xlsx")
        wb = openpyxl.load_workbook(book)
        name = wb["Projects"][f"{column_letter(wb['Projects'], 'Name')}5"]
        assert (name.value, name.data_type) == (formula, "s")
        line = wb["Costs"][f"{column_letter(wb['Costs'], 'Line')}5"]
        assert (line.value, line.data_type) == ("=1+1", "s")
        assert load_portfolio(book).projects[0].name == formula

    def test_refuses_input_errors_and_writes_nothing(self, scenario_dir: Any, tmp_path: Path):
        folder = scenario_dir(p1=PROJECT.replace("annual = 10_000", "annual = -1"))
        out = invoke("export", folder, "--to", tmp_path / "input.xlsx")
        assert out.exit_code == 1
        assert "annual" in out.stderr
        assert not (tmp_path / "input.xlsx").exists()

    def test_long_amounts_get_more_year_columns(self, scenario_dir: Any, tmp_path: Path):
        amounts = [float(i) for i in range(1, 21)]
        project = PROJECT.replace("annual = 10_000", f"amounts = {amounts}")
        portfolio = PORTFOLIO.replace("horizon = 10", "horizon = 20")
        folder = scenario_dir(portfolio=portfolio, p1=project)
        book = export_dir(folder, tmp_path / "input.xlsx")
        ws = openpyxl.load_workbook(book)["Costs"]
        assert "Year 19" in headers(ws)
        assert load_portfolio(book).projects[0].costs[0].amounts == tuple(amounts)

    def test_the_template_is_never_modified(self, tmp_path: Path):
        before = sha256(TEMPLATE)
        export_dir(EXAMPLE, tmp_path / "input.xlsx")
        assert sha256(TEMPLATE) == before
        assert sha256(tmp_path / "input.xlsx") != before


# ---------------------------------------------------------------------------------------------
# The template


def _shape(path: Path) -> dict[str, Any]:
    """What a template must keep: sheets, titles and guidance, headers, and validations."""
    wb = openpyxl.load_workbook(path)
    shape: dict[str, Any] = {"sheets": wb.sheetnames}
    for ws in wb:
        rows = [[c.value for c in row] for row in ws.iter_rows(max_row=ws.max_row)]
        validations = sorted(
            (str(dv.sqref), dv.type, dv.formula1, dv.errorStyle)
            for dv in ws.data_validations.dataValidation
        )
        shape[ws.title] = (rows, validations)
    return shape


class TestTemplate:
    def test_committed_template_is_what_the_script_builds(self, tmp_path: Path):
        out = tmp_path / "built.xlsx"
        subprocess.run(
            [sys.executable, str(BUILD_SCRIPT), str(out)],
            check=True,
            capture_output=True,
            cwd=tmp_path,
        )
        built, committed = _shape(out), _shape(TEMPLATE)
        assert built["sheets"] == committed["sheets"]
        for sheet in built["sheets"]:
            assert built[sheet] == committed[sheet], f"{sheet} differs: rebuild the template"

    def test_sheets_and_headers_match_the_reader(self):
        wb = openpyxl.load_workbook(TEMPLATE)
        assert wb.sheetnames == list(layout.SHEETS)
        for sheet, columns in layout.TABLE_SHEETS.items():
            found = [h for h in headers(wb[sheet]) if h is not None]
            assert found[: len(columns)] == [c.header for c in columns], sheet
        for sheet in ("Costs", "Benefits"):
            found = [h for h in headers(wb[sheet]) if h is not None]
            years = [layout.year_header(t) for t in range(layout.TEMPLATE_YEARS)]
            assert found[-len(years) :] == years
        portfolio = wb["Portfolio"]
        labels = [
            portfolio.cell(row=r, column=1).value
            for r in range(layout.FIRST_ROW, layout.FIRST_ROW + len(layout.PORTFOLIO_ROWS))
        ]
        assert labels == [row[2] for row in layout.PORTFOLIO_ROWS]
        for sheet in layout.SHEETS:  # every sheet has a line of guidance
            assert wb[sheet]["A2"].value, sheet

    @pytest.mark.parametrize(
        "sheet, header, choices",
        [
            ("Projects", "Status", ["proposed", "approved", "in-delivery", "delivered"]),
            ("Costs", "Agency (pays)", ["Police", "Fire", "Ambulance"]),
            ("Costs", "Kind", ["revenue", "capital"]),
            ("Benefits", "Agency (benefits)", ["Police", "Fire", "Ambulance"]),
            ("Benefits", "Cashable", ["TRUE", "FALSE"]),
            ("Benefits", "Confidence grade", ["1", "2", "3", "4", "5", "6"]),
            ("Benefits", "Value type", list(VALUE_TYPES)),
            ("Costs", "Optimism bias type", list(params.optimism_bias_types())),
            ("Projects", "Own discount schedule", list(params.SCHEDULES)),
            ("Scenarios", "Discount schedule", list(params.SCHEDULES)),
            ("Impacts", "Direction", list(DIRECTIONS)),
            ("Impacts", "Materiality", list(MATERIALITIES)),
        ],
    )
    def test_drop_downs(self, sheet: str, header: str, choices: list[str]):
        ws = openpyxl.load_workbook(TEMPLATE)[sheet]
        letter = column_letter(ws, header)
        rules = [
            dv
            for dv in ws.data_validations.dataValidation
            if f"{letter}{layout.FIRST_ROW}" in dv.sqref and f"{letter}500" in dv.sqref
        ]
        assert len(rules) == 1, f"{sheet}!{letter} has no single drop-down"
        assert rules[0].type == "list"
        offered = rules[0].formula1.strip('"').split(",")
        assert set(choices) <= set(offered), offered

    @pytest.mark.parametrize("header", ["Value type", "Optimism bias type"])
    def test_drop_downs_of_values_npv_calc_alone_defines_refuse_others(self, header: str):
        """A drop-down whose values the loader alone defines is a hard stop; those a workbook
        may extend (agencies, grades) only warn."""
        sheets = [ws for ws in openpyxl.load_workbook(TEMPLATE) if header in headers(ws)]
        assert sheets, header
        for ws in sheets:
            letter = column_letter(ws, header)
            (rule,) = [
                dv
                for dv in ws.data_validations.dataValidation
                if f"{letter}{layout.FIRST_ROW}" in dv.sqref
            ]
            assert rule.errorStyle == "stop", (ws.title, header)

    def test_the_schedule_setting_has_a_drop_down(self):
        ws = openpyxl.load_workbook(TEMPLATE)["Portfolio"]
        cell = f"B{setting_row(ws, 'Published discount schedule (instead of the rate)')}"
        (rule,) = [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]
        assert rule.formula1.strip('"').split(",") == list(params.SCHEDULES)

    def test_unit_costs_sheet_lists_the_library(self):
        ws = openpyxl.load_workbook(TEMPLATE)["Unit costs"]
        rows = [
            r[:6]
            for r in ws.iter_rows(min_row=layout.FIRST_ROW, values_only=True)
            if r[0] is not None
        ]
        library = params.unit_costs()
        assert [r[0] for r in rows] == list(library)
        for key, value, unit, year, _, source in rows:
            cost = library[key]
            assert (value, unit, year, source) == (
                cost.value,
                cost.unit,
                cost.price_year,
                cost.source,
            )

    def test_guidance_points_at_documentation_that_exists(self):
        ws = openpyxl.load_workbook(TEMPLATE)["Guidance"]
        text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
        named = re.findall(r"docs/[\w.-]+\.md", text)
        assert named, "the Guidance sheet names no documentation"
        for doc in named:
            assert (ROOT / doc).is_file(), f"the Guidance sheet points at {doc}, which is missing"


# ---------------------------------------------------------------------------------------------
# Documentation of the input template


class TestDocumentation:
    DOCS = ROOT / "docs"

    def _all_docs(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8") for p in sorted(self.DOCS.glob("*.md")))

    def test_the_input_template_is_documented(self):
        path = self.DOCS / "input-template.md"
        assert path.is_file(), "docs/input-template.md is missing"
        text = path.read_text(encoding="utf-8")
        for sheet in layout.SHEETS:
            assert sheet in text, f"docs/input-template.md does not mention the {sheet} sheet"
        for phrase in ("npv-calc import", "npv-calc export", "npv-calc run", "ref:", ".xlsm"):
            assert phrase in text, f"docs/input-template.md does not mention {phrase}"
        assert re.search(r"round.trip", text, re.IGNORECASE)

    def test_every_column_and_setting_is_documented(self):
        """Each header of each table sheet, and each label of the Portfolio sheet, has its row
        in a table of docs/input-template.md (low/high columns may share their value's row)."""
        text = (self.DOCS / "input-template.md").read_text(encoding="utf-8")
        cells = {
            cell.strip()
            for line in text.splitlines()
            if line.startswith("|")
            for cell in line.strip("|").split("|")
        }
        named = {part.strip() for cell in cells for part in cell.split(",")}
        missing = [
            f"{sheet}: {column.header}"
            for sheet, columns in layout.TABLE_SHEETS.items()
            for column in columns
            if column.header not in named
        ]
        missing += [
            f"Portfolio: {label}"
            for _, _, label, _ in layout.PORTFOLIO_ROWS
            if label not in cells  # a label may hold a comma
        ]
        assert not missing, f"docs/input-template.md does not document: {missing}"

    def test_new_commands_have_examples_in_cli_docs(self):
        text = (self.DOCS / "cli.md").read_text(encoding="utf-8")
        for example in (
            "npv-calc import ",
            "npv-calc export ",
            "npv-calc unit-costs",
            "npv-calc new ",
            "npv-calc schema",
        ):
            assert example in text, f"docs/cli.md has no example of {example.strip()}"

    def test_every_unit_cost_is_documented_with_its_source(self):
        text = self._all_docs()
        for key in params.unit_costs():
            assert key in text, f"the docs do not list the unit cost {key}"
        lowered = text.lower()
        for source in (
            "economic and social costs of crime",
            "economic and social cost of fire",
            "national cost collection",
            "165361",
            "216460",
        ):
            assert source in lowered, f"the docs do not cite {source}"
