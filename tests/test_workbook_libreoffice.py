"""The board workbook recalculated in LibreOffice Calc gives npv-calc's figures to the penny,
and every value npv-calc stored in a formula cell is the value LibreOffice recalculates.

LibreOffice is forced to recalculate every formula on load (tests/libreoffice.py), so these
values are the spreadsheet engine's own, not values npv-calc wrote. Without LibreOffice these
tests fail with instructions (they are never skipped): `apt-get install -y libreoffice-calc-nogui`.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from npv_calc import appraise, load_portfolio
from npv_calc.report.workbook import name_id, write_workbook
from npv_calc.report.workbook_project import payback_text

from .conftest import EXAMPLE
from .libreoffice import convert, named_values, stored_values_that_differ
from .test_ooxml import findings

PENNY = 0.005


def expected_names(result) -> dict[str, float | None]:
    names: dict[str, float | None] = {
        "PortfolioNPV": result.npv,
        "NPVTowardTarget": result.npv_toward_target,
        "Target": result.target,
        "Headroom": result.headroom,
        "DiscountRate": result.settings.discount_rate,
    }
    for project in result.projects:
        nid = name_id(project.id)
        names[f"NPV_{nid}"] = project.npv
        names[f"PVCosts_{nid}"] = project.pv_costs
        names[f"PVBenefits_{nid}"] = project.pv_benefits
    return names


def assert_same_figures(recalculated: Path, result) -> None:
    values = named_values(recalculated)
    for name, expected in expected_names(result).items():
        got = values[name]
        if expected is None:
            assert got in (None, ""), f"{name}: expected no value, LibreOffice has {got!r}"
        else:
            assert isinstance(got, int | float), f"{name}: LibreOffice gives {got!r}"
            assert got == pytest.approx(expected, abs=PENNY), name
    # The per-project ratios and payback years on the Summary sheet agree too.
    summary = load_workbook(recalculated, data_only=True)["Summary"]
    header = next(r for r in range(1, summary.max_row + 1) if summary.cell(r, 1).value == "ID")
    rows = {
        summary.cell(row=r, column=1).value: r
        for r in range(header + 1, header + 1 + len(result.projects))
    }
    for project in result.projects:
        r = rows[project.id]
        bcr = summary.cell(row=r, column=9).value
        if project.bcr is None:
            assert bcr == "–"
        else:
            assert bcr == pytest.approx(project.bcr, rel=1e-9)
        payback = summary.cell(row=r, column=10).value
        assert payback == payback_text(project), project.id


def assert_stored_values_recalculate(written: Path, recalculated: Path) -> None:
    """Every formula cell's stored value is LibreOffice's recalculated one (SPEC.md)."""
    count, differences = stored_values_that_differ(written, recalculated)
    assert count > 0
    assert differences == [], "\n".join(differences[:20])


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("example")
    result = appraise(load_portfolio(EXAMPLE))
    written = write_workbook(result, folder / "board.xlsx", command="test")
    return result, written, folder


def test_example_workbook_recalculates_to_the_tools_figures(example):
    result, written, folder = example
    (recalculated,) = convert([written], folder / "recalculated")
    assert_same_figures(recalculated, result)
    assert_stored_values_recalculate(written, recalculated)


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--scenario", "pessimistic"],
        ["run", "--scenario", "optimistic", "--set", "discount_rate=0.015"],
        ["simulate", "-n", "2000", "--seed", "5"],
        ["simulate", "-n", "2000", "--seed", "5", "--independent", "--sampling", "random"],
    ],
    ids=["pessimistic", "optimistic-health-rate", "monte-carlo", "monte-carlo-independent"],
)
def test_every_stored_value_is_what_libreoffice_recalculates(args, tmp_path, runner):
    """The example (risks, correlation groups, named scenarios) written by the commands that
    write a workbook: run (with its Sensitivity sheet) and simulate (Monte Carlo sheet)."""
    from npv_calc.cli import cli

    written = tmp_path / "board.xlsx"
    out = runner.invoke(cli, [args[0], str(EXAMPLE), *args[1:], "--xlsx", str(written)])
    assert out.exit_code == 0, out.output
    (recalculated,) = convert([written], tmp_path / "recalculated")
    assert_stored_values_recalculate(written, recalculated)


@pytest.mark.parametrize(
    "cell_name, value, overrides",
    [
        ("DiscountRate", 0.03, {"discount_rate": 0.03}),
        ("DiscountRate", 0.015, {"discount_rate": 0.015}),
        ("DiscountYear0", True, {"discount_year0": True}),
    ],
)
def test_editing_an_assumption_moves_npvs_as_set_does(
    example, tmp_path, cell_name, value, overrides
):
    _, written, _ = example
    wb = load_workbook(written)
    ((sheet, ref),) = wb.defined_names[cell_name].destinations
    wb[sheet][ref.replace("$", "")].value = value
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    (recalculated,) = convert([edited], tmp_path / "recalculated")
    expected = appraise(load_portfolio(EXAMPLE), overrides=overrides)
    assert_same_figures(recalculated, expected)


def test_editing_the_rate_matches_the_cli_set_option(example, tmp_path, runner):
    from npv_calc.cli import cli

    _, written, _ = example
    wb = load_workbook(written)
    ((sheet, ref),) = wb.defined_names["DiscountRate"].destinations
    wb[sheet][ref.replace("$", "")].value = 0.03
    wb.save(tmp_path / "edited.xlsx")
    (recalculated,) = convert([tmp_path / "edited.xlsx"], tmp_path / "out")
    out = runner.invoke(
        cli, ["run", str(EXAMPLE), "--set", "discount_rate=0.03", "--format", "json"]
    )
    document = json.loads(out.stdout)
    values = named_values(recalculated)
    assert values["PortfolioNPV"] == pytest.approx(document["portfolio"]["npv"], abs=PENNY)
    for project in document["projects"]:
        assert values[f"NPV_{name_id(project['id'])}"] == pytest.approx(project["npv"], abs=PENNY)


# -- generated portfolios -----------------------------------------------------------------

money = st.integers(0, 500_000)
share = st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.9, 1.0])
change = st.sampled_from([-0.05, 0.0, 0.02, 0.1])


@st.composite
def line_toml(draw, section: str, horizon: int) -> str:
    parts = [
        f"[[{section}]]",
        f'name = "{section} {draw(st.integers(1, 99))}"',
        f'agency = "{draw(st.sampled_from(["Police", "Fire", "Ambulance"]))}"',
    ]
    form = draw(
        st.sampled_from(["amounts", "annual"] + (["quantity"] if section == "benefits" else []))
    )
    if form == "amounts":
        amounts = draw(st.lists(money, min_size=1, max_size=horizon))
        parts.append(f"amounts = {amounts}")
    else:
        if form == "annual":
            parts.append(f"annual = {draw(money)}")
        else:
            parts.append(f"quantity = {draw(st.integers(0, 200))}")
            parts.append(f"unit_value = {draw(st.floats(0, 10_000).map(lambda x: round(x, 2)))}")
        first = draw(st.integers(0, horizon - 1))
        last = draw(st.integers(first, horizon - 1))
        parts.append(f"years = [{first}, {last}]")
        parts.append(f"growth = {draw(change)}")
        if section == "benefits":
            parts.append(f"drop_off = {draw(st.sampled_from([0.0, 0.05, 0.3]))}")
    if section == "benefits":
        parts.append(f"deadweight = {draw(share)}")
        parts.append(f"displacement = {draw(share)}")
        parts.append(f"attribution = {draw(share)}")
        parts.append(f"cashable = {draw(st.booleans())}".lower())
        if draw(st.booleans()):
            parts.append(f"confidence = {draw(st.integers(1, 6))}")
        else:
            parts.append(f"optimism_bias = {draw(share)}")
    else:
        parts.append(f'kind = "{draw(st.sampled_from(["revenue", "capital"]))}"')
        parts.append(f"optimism_bias = {draw(st.sampled_from([0.0, 0.24, 0.66, 2.0]))}")
    if draw(st.booleans()):
        parts.append(f"price_year = {draw(st.sampled_from([2015, 2019, 2023]))}")
    parts.append(f"scale = {draw(st.sampled_from([1, 0.5, 1.5]))}")
    return "\n".join(parts)


@st.composite
def portfolios(draw) -> dict[str, str]:
    horizon = draw(st.sampled_from([1, 3, 10, 35]))
    files = {
        "portfolio": textwrap.dedent(f"""
            [portfolio]
            name = "Generated"
            target = {draw(money)}
            target_year = {draw(st.sampled_from([2018, 2025]))}
            {draw(st.sampled_from(["", 'count_statuses = ["approved", "delivered"]']))}
            [appraisal]
            discount_rate = {draw(st.sampled_from([0.0, 0.015, 0.035, 0.1]))}
            declining = {str(draw(st.booleans())).lower()}
            discount_year0 = {str(draw(st.booleans())).lower()}
            horizon = {horizon}
            price_base_year = 2023
            [deflators]
            2015 = 75.1536
            2019 = 81.1085
            2023 = 96.2507
            """)
    }
    for n in range(draw(st.integers(1, 3))):
        own = f"horizon = {horizon}\ndiscount_rate = 0.02\n" if draw(st.booleans()) else ""
        lines = [draw(line_toml("costs", horizon)) for _ in range(draw(st.integers(0, 2)))]
        lines += [draw(line_toml("benefits", horizon)) for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            first = draw(st.integers(0, horizon - 1))
            price = draw(st.sampled_from(["", "price_year = 2019\n"]))
            lines.append(
                f'[[risks]]\nname = "Risk {n}"\nagency = "Police"\n'
                f"probability = {draw(st.sampled_from([0.05, 0.3, 0.9]))}\n"
                f"impact = {draw(money)}\n"
                f"years = [{first}, {draw(st.integers(first, horizon - 1))}]\n" + price
            )
        status = draw(st.sampled_from(["proposed", "approved", "in-delivery", "delivered"]))
        files[f"p{n}"] = (
            f'id = "G-{n}"\nname = "Generated {n}"\nstart_year = {2017 + 4 * n}\n'
            f'status = "{status}"\n{own}\n' + "\n\n".join(lines)
        )
    return files


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(files=portfolios())
def test_generated_workbooks_recalculate_to_the_tools_figures(files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    for name, text in files.items():
        (folder / f"{name}.toml").write_text(text, encoding="utf-8")
    result = appraise(load_portfolio(folder))
    written = write_workbook(result, folder / "board.xlsx")
    (recalculated,) = convert([written], folder / "recalculated")
    assert_same_figures(recalculated, result)
    assert_stored_values_recalculate(written, recalculated)
    assert findings(written) == []  # the OOXML validator of test_ooxml.py finds nothing


def test_switching_values_recalculate_to_the_sensitivity_command(tmp_path, runner):
    from npv_calc.cli import cli

    target = tmp_path / "board.xlsx"
    out = runner.invoke(cli, ["run", str(EXAMPLE), "--xlsx", str(target)])
    assert out.exit_code == 0, out.output
    document = json.loads(
        runner.invoke(cli, ["sensitivity", str(EXAMPLE), "--format", "json"]).stdout
    )
    (recalculated,) = convert([target], tmp_path / "recalculated")
    values = named_values(recalculated)
    assert values["BenefitsFallToMissTarget"] == pytest.approx(
        document["portfolio"]["benefits_fall_to_miss_target"], rel=1e-12
    )
    assert_stored_values_recalculate(target, recalculated)
    sheet = load_workbook(recalculated, data_only=True)["Sensitivity"]
    count = len(document["switching_values"])
    rows = {sheet.cell(row=r, column=1).value: r for r in range(7, 7 + count)}
    for value in document["switching_values"]:
        r = rows[value["project"]]
        assert sheet.cell(row=r, column=7).value == pytest.approx(value["benefits_fall"], rel=1e-12)
        assert sheet.cell(row=r, column=8).value == pytest.approx(value["costs_rise"], rel=1e-12)


def test_status_decides_what_counts_after_recalculation(tmp_path, scenario_dir):
    from .conftest import PORTFOLIO, PROJECT

    portfolio = PORTFOLIO.replace(
        "target_year = 2027\n", 'target_year = 2027\ncount_statuses = ["approved"]\n'
    )
    proposed = PROJECT.replace('id = "P1"', 'id = "P2"').replace('"approved"', '"proposed"')
    late = PROJECT.replace('id = "P1"', 'id = "P3"').replace("2020", "2028")
    folder = scenario_dir(portfolio=portfolio, p1=PROJECT, p2=proposed, p3=late)
    result = appraise(load_portfolio(folder))
    assert [p.counts_because for p in result.projects] == [
        "yes",
        "status",
        "starts after target year",
    ]
    written = write_workbook(result, tmp_path / "board.xlsx")
    (recalculated,) = convert([written], tmp_path / "recalculated")
    assert_same_figures(recalculated, result)
    assert_stored_values_recalculate(written, recalculated)
    summary = load_workbook(recalculated, data_only=True)["Summary"]
    header = next(r for r in range(1, summary.max_row + 1) if summary.cell(r, 1).value == "ID")
    counts = [summary.cell(row=r, column=12).value for r in range(header + 1, header + 4)]
    assert counts == ["Yes", "No: status proposed", "No: starts after 2027/28"]
