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
from openpyxl import Workbook, load_workbook

from npv_calc import appraise, load_portfolio
from npv_calc.report.workbook import name_id, write_workbook
from npv_calc.report.workbook.project import payback_text

from .cells import Book, differences_from_openpyxl, read_book, sheet_rows, with_names_set
from .conftest import EXAMPLE, PROJECT, pack_of
from .libreoffice import (
    convert,
    named_values,
    projects_table,
    recalculate_in_libreoffice,
    stored_values_that_differ,
)
from .test_ooxml import findings
from .test_workbook import ob_type_example

PENNY = 0.005


def expected_names(result) -> dict[str, float | None]:
    names: dict[str, float | None] = {
        "PortfolioNPV": result.npv,
        "NPVTowardTarget": result.npv_toward_target,
        "Target": result.target,
        "Headroom": result.headroom,
        "DiscountRate": result.settings.discount_rate,
    }
    at_year = result.present_value_year is not None
    if at_year:
        names["PortfolioNPVAtPVYear"] = result.npv_at_present_value_year
    for project in result.projects:
        nid = name_id(project.id)
        names[f"NPV_{nid}"] = project.npv
        names[f"PVCosts_{nid}"] = project.pv_costs
        names[f"PVBenefits_{nid}"] = project.pv_benefits
        names[f"PVFiscalBenefits_{nid}"] = project.pv_benefits_by_value_type["fiscal"]
        if at_year:
            names[f"NPVAtPVYear_{nid}"] = project.npv_at_present_value_year
        # a shortlist: each option's NPSV against BAU on the Options sheet (not BAU's own)
        for option in project.options.options if project.options is not None else ():
            if option.option.role != "bau":
                names[f"NPV_{nid}_{name_id(option.id)}"] = option.npv_vs_bau
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
    for project in result.projects:
        roi = values[f"FinancialROI_{name_id(project.id)}"]
        if project.financial_roi is None:
            assert roi == "–", project.id
        else:
            assert roi == pytest.approx(project.financial_roi, rel=1e-9), project.id
    if result.pv_costs:
        assert values["PortfolioFinancialROI"] == pytest.approx(result.financial_roi, rel=1e-9)
    # The per-project ratios and payback years on the Projects sheet agree too.
    table = projects_table(sheet_rows(recalculated, "Projects"))
    assert set(table) == {p.id for p in result.projects}
    for project in result.projects:
        row = table[project.id]
        if project.bcr is None:
            assert row["BCR"] == "–"
        else:
            assert row["BCR"] == pytest.approx(project.bcr, rel=1e-9)
        assert row["Payback"] == payback_text(project), project.id
        assert row["PV of benefits still to come"] == pytest.approx(
            project.pv_benefits_to_come, abs=PENNY
        )


def assert_stored_values_recalculate(
    written: Path, recalculated: Path, engine: str = "LibreOffice"
) -> None:
    """Every formula cell's stored value is the one a spreadsheet engine (LibreOffice unless
    named) recalculates (SPEC.md)."""
    count, differences = stored_values_that_differ(written, recalculated, engine)
    assert count > 0
    assert differences == [], "\n".join(differences[:20])


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    folder = tmp_path_factory.mktemp("example")
    result = appraise(load_portfolio(EXAMPLE))
    written = write_workbook(pack_of(result), folder / "board.xlsx", command="test")
    return result, written, folder


@pytest.fixture(scope="module")
def example_recalculated(example) -> Path:
    """LibreOffice's recalculation of the example's workbook, the workbook it saved (once per
    test process): the cell reader is checked on it."""
    _, written, folder = example
    (recalculated,) = convert([written], folder / "recalculated")
    return recalculated


def test_example_workbook_recalculates_to_the_tools_figures(example, example_recalculated):
    result, written, _ = example
    assert_same_figures(example_recalculated, result)
    assert_stored_values_recalculate(written, example_recalculated)


def test_the_cell_reader_reads_both_files_as_openpyxl_does(example, example_recalculated):
    """The comparisons read cells with tests/cells.py: it agrees with openpyxl on every cell
    and name of npv-calc's workbook and of LibreOffice's."""
    _, written, _ = example
    assert differences_from_openpyxl(written) == []
    assert differences_from_openpyxl(example_recalculated) == []
    openpyxl_rows = list(load_workbook(example_recalculated, data_only=True)["Projects"].values)
    rows = sheet_rows(example_recalculated, "Projects")
    assert [row[: len(rows[0])] for row in openpyxl_rows[: len(rows)]] == rows
    assert not any(any(row[len(rows[0]) :]) for row in openpyxl_rows)
    assert not any(any(row) for row in openpyxl_rows[len(rows) :])


def test_the_values_read_from_libreoffice_are_those_it_saves(example, example_recalculated):
    """Most recalculations are read from LibreOffice as values (tests/uno_convert.py), not as
    the workbook it saves: the same cells and names, the same text, the numbers the same to
    the 15 digits a saved workbook keeps."""
    _, written, folder = example
    (values,) = recalculate_in_libreoffice([written], folder / "values")
    # read through LibreOffice's own bridge: without it this route is not taken, and not checked
    assert values.suffix == ".json", (
        "LibreOffice's UNO bridge is needed: apt-get install python3-uno"
    )
    assert_same_values(read_book(values), read_book(example_recalculated))


def test_errors_booleans_and_empty_text_read_from_libreoffice(tmp_path):
    """What the example has none of: a formula giving an error, a truth value, empty text."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Odd ones"
    formulas = ["=1/0", "=NA()", '=""', "=1=1", '="text"', "=2/3", "=B1+1"]
    for row, formula in enumerate(formulas, start=1):
        ws.cell(row, 1, formula)
    wb.save(tmp_path / "odd.xlsx")
    (saved,) = convert([tmp_path / "odd.xlsx"], tmp_path / "saved")
    (values,) = recalculate_in_libreoffice([tmp_path / "odd.xlsx"], tmp_path / "values")
    assert_same_values(read_book(values), read_book(saved))
    got = read_book(values).sheets["Odd ones"]
    assert [got[f"A{r}"].value if f"A{r}" in got else None for r in (1, 2, 3)] == [
        "#DIV/0!",
        "#N/A",
        None,
    ]


def assert_same_values(values: Book, saved: Book) -> None:
    assert list(values.sheets) == list(saved.sheets)
    assert values.names == saved.names
    for title, cells in saved.sheets.items():
        got = {k: c.value for k, c in values.sheets[title].items()}
        expected = {k: c.value for k, c in cells.items() if c.value is not None}
        assert set(got) == set(expected), title
        for where, value in expected.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                assert got[where] == pytest.approx(value, rel=1e-14, abs=1e-300), where
            else:
                assert got[where] == value, (title, where)


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
    (recalculated,) = recalculate_in_libreoffice([written], tmp_path / "recalculated")
    assert_stored_values_recalculate(written, recalculated)


@pytest.mark.parametrize(
    "cell_name, value, overrides",
    [
        ("DiscountRate", 0.03, {"discount_rate": 0.03}),
        ("DiscountRate", 0.015, {"discount_rate": 0.015}),
        ("DiscountYear0", True, {"discount_year0": True}),
        ("Schedule", "health", {"schedule": "health"}),
        ("Schedule", "lower-rate-test-2026", {"schedule": "lower-rate-test-2026"}),
    ],
)
def test_editing_an_assumption_moves_npvs_as_set_does(
    example, tmp_path, cell_name, value, overrides
):
    _, written, _ = example
    edited = with_names_set(written, tmp_path / "edited.xlsx", **{cell_name: value})
    (recalculated,) = recalculate_in_libreoffice([edited], tmp_path / "recalculated")
    expected = appraise(load_portfolio(EXAMPLE), overrides=overrides)
    assert_same_figures(recalculated, expected)


def edited(written: Path, folder: Path, **cells: object) -> Path:
    """``written`` with named input cells changed, recalculated in LibreOffice."""
    with_names_set(written, folder / "edited.xlsx", **cells)
    (recalculated,) = recalculate_in_libreoffice([folder / "edited.xlsx"], folder / "recalculated")
    return recalculated


def test_optimism_bias_by_project_type_follows_the_mitigation(tmp_path):
    """A cost line giving its project type: its uplift, and every figure after it, follow the
    mitigation edited on Assumptions as --set ob_mitigation does; the workbook as written
    recalculates to its stored values."""
    folder = ob_type_example(tmp_path / "example")
    result = appraise(load_portfolio(folder))
    written = write_workbook(pack_of(result), tmp_path / "board.xlsx")
    (recalculated,) = recalculate_in_libreoffice([written], tmp_path / "as-written")
    assert_stored_values_recalculate(written, recalculated)
    recalculated = edited(written, tmp_path, ObMitigation=0.5)
    expected = appraise(load_portfolio(folder), overrides={"ob_mitigation": 0.5})
    assert expected.project("JCR").npv != pytest.approx(result.project("JCR").npv)
    assert_same_figures(recalculated, expected)


def test_editing_the_present_value_year_values_every_project_at_it(example, tmp_path):
    _, written, _ = example
    recalculated = edited(written, tmp_path, PresentValueYear=2026)
    copy = tmp_path / "example"
    import shutil

    shutil.copytree(EXAMPLE, copy)
    path = copy / "portfolio.toml"
    text = path.read_text(encoding="utf-8")
    assert "present_value_year = 2023" in text
    path.write_text(text.replace("present_value_year = 2023", "present_value_year = 2026"))
    expected = appraise(load_portfolio(copy))
    assert_same_figures(recalculated, expected)


def test_a_project_rate_under_a_portfolio_schedule(scenario_dir, tmp_path):
    """A portfolio that names a published schedule, a project that gives its own rate (it drops
    the schedule), a project of its own schedule: each discounted as npv-calc does, before and
    after the portfolio's schedule is edited."""
    from .test_workbook import PORTFOLIO_WITH_SCHEDULE

    own_rate = PROJECT.replace('id = "P1"', 'id = "P2"').replace(
        'status = "approved"', 'status = "approved"\ndiscount_rate = 0.03\ndiscount_year0 = true'
    )
    own_schedule = PROJECT.replace('id = "P1"', 'id = "P3"').replace(
        'status = "approved"', 'status = "approved"\nschedule = "lower-rate-test-2026"'
    )
    folder = scenario_dir(
        portfolio=PORTFOLIO_WITH_SCHEDULE, p1=PROJECT, p2=own_rate, p3=own_schedule
    )
    result = appraise(load_portfolio(folder))
    written = write_workbook(pack_of(result), tmp_path / "board.xlsx")
    (recalculated,) = recalculate_in_libreoffice([written], tmp_path / "as-written")
    assert_same_figures(recalculated, result)
    assert_stored_values_recalculate(written, recalculated)
    # as the portfolio's own schedule (--set would override the projects' own settings too)
    recalculated = edited(written, tmp_path, Schedule="standard")
    standard = PORTFOLIO_WITH_SCHEDULE.replace('schedule = "health"', 'schedule = "standard"')
    folder = scenario_dir(portfolio=standard, p1=PROJECT, p2=own_rate, p3=own_schedule)
    assert_same_figures(recalculated, appraise(load_portfolio(folder)))


def test_a_project_rate_keeps_its_rate_when_a_schedule_is_chosen(scenario_dir, tmp_path):
    """A portfolio of no schedule, a project of its own rate: choosing a published schedule on
    Assumptions moves the other project only, as naming it in portfolio.toml does."""
    from .test_workbook import PORTFOLIO_WITH_SCHEDULE

    own_rate = PROJECT.replace('id = "P1"', 'id = "P2"').replace(
        'status = "approved"', 'status = "approved"\ndiscount_rate = 0.03'
    )
    scaled = PORTFOLIO_WITH_SCHEDULE.replace('schedule = "health"', "")
    folder = scenario_dir(portfolio=scaled, p1=PROJECT, p2=own_rate)
    written = write_workbook(pack_of(appraise(load_portfolio(folder))), tmp_path / "board.xlsx")
    recalculated = edited(written, tmp_path, Schedule="health")
    folder = scenario_dir(portfolio=PORTFOLIO_WITH_SCHEDULE, p1=PROJECT, p2=own_rate)
    expected = appraise(load_portfolio(folder))
    assert expected.project("P2").npv != pytest.approx(expected.project("P1").npv)
    assert_same_figures(recalculated, expected)


def test_editing_the_rate_matches_the_cli_set_option(example, tmp_path, runner):
    from npv_calc.cli import cli

    _, written, _ = example
    with_names_set(written, tmp_path / "edited.xlsx", DiscountRate=0.03)
    (recalculated,) = recalculate_in_libreoffice([tmp_path / "edited.xlsx"], tmp_path / "out")
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


#: Project types of optimism bias measured on capital costs (outsourcing's is on revenue).
CAPITAL_TYPES = ["standard-buildings", "non-standard-civil-engineering", "equipment-development"]


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
        cashable = draw(st.booleans())
        parts.append(f"cashable = {cashable}".lower())
        # a value type (a cashable saving can only be fiscal), or none
        kinds = [None, "fiscal"] if cashable else [None, "fiscal", "economic", "social"]
        value_type = draw(st.sampled_from(kinds))
        if value_type:
            parts.append(f'value_type = "{value_type}"')
        if draw(st.booleans()):
            parts.append(f"confidence = {draw(st.integers(1, 6))}")
        else:
            parts.append(f"optimism_bias = {draw(share)}")
    else:
        kind = draw(st.sampled_from(["revenue", "capital"]))
        parts.append(f'kind = "{kind}"')
        if draw(st.booleans()):  # optimism bias by project type, measured on this kind of cost
            types = ["outsourcing"] if kind == "revenue" else CAPITAL_TYPES
            parts.append(f'ob_type = "{draw(st.sampled_from(types))}"')
        else:
            parts.append(f"optimism_bias = {draw(st.sampled_from([0.0, 0.24, 0.66, 2.0]))}")
    if draw(st.booleans()):
        parts.append(f"price_year = {draw(st.sampled_from([2015, 2019, 2023]))}")
    parts.append(f"scale = {draw(st.sampled_from([1, 0.5, 1.5]))}")
    return "\n".join(parts)


SCHEDULES = ["standard", "health", "lower-rate-test-2026"]


@st.composite
def portfolios(draw) -> dict[str, str]:
    horizon = draw(st.sampled_from([1, 3, 10, 35]))
    # a published schedule, or a rate that scales the standard one
    rate = draw(
        st.sampled_from([0.0, 0.015, 0.035, 0.1]).map(lambda r: f"discount_rate = {r}")
        | st.sampled_from(SCHEDULES).map(lambda s: f'schedule = "{s}"')
    )
    at_year = draw(st.sampled_from(["", 2016, 2023, 2030]))
    files = {
        "portfolio": textwrap.dedent(f"""
            [portfolio]
            name = "Generated"
            target = {draw(money)}
            target_year = {draw(st.sampled_from([2018, 2025]))}
            {draw(st.sampled_from(["", 'count_statuses = ["approved", "delivered"]']))}
            {f"present_value_year = {at_year}" if at_year else ""}
            [appraisal]
            {rate}
            ob_mitigation = {draw(st.sampled_from([0.0, 0.3, 1.0]))}
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
        # the project's own settings: a rate (it drops a portfolio's schedule) or a schedule
        own = draw(
            st.sampled_from(
                [
                    "",
                    f"horizon = {horizon}\ndiscount_rate = 0.02\n",
                    'schedule = "health"\nob_mitigation = 0.5\n',
                ]
            )
        )
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
        for k in range(draw(st.integers(0, 2))):
            lines.append(
                f'[[impacts]]\nname = "Impact {k}"\n'
                f'direction = "{draw(st.sampled_from(["positive", "negative"]))}"\n'
                f'materiality = "{draw(st.sampled_from(["low", "medium", "high"]))}"\n'
                'description = "Not in money terms."\n'
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
    written = write_workbook(pack_of(result), folder / "board.xlsx")
    (recalculated,) = recalculate_in_libreoffice([written], folder / "recalculated")
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
    (recalculated,) = recalculate_in_libreoffice([target], tmp_path / "recalculated")
    values = named_values(recalculated)
    assert values["BenefitsFallToMissTarget"] == pytest.approx(
        document["portfolio"]["benefits_fall_to_miss_target"], rel=1e-12
    )
    assert_stored_values_recalculate(target, recalculated)
    sheet = sheet_rows(recalculated, "Sensitivity")
    count = len(document["switching_values"])
    rows = {row[0]: row for row in sheet[6 : 6 + count]}  # rows 7 on
    for value in document["switching_values"]:
        row = rows[value["project"]]
        assert row[6] == pytest.approx(value["benefits_fall"], rel=1e-12)
        assert row[7] == pytest.approx(value["costs_rise"], rel=1e-12)


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
    written = write_workbook(pack_of(result), tmp_path / "board.xlsx")
    (recalculated,) = recalculate_in_libreoffice([written], tmp_path / "recalculated")
    assert_same_figures(recalculated, result)
    assert_stored_values_recalculate(written, recalculated)
    table = projects_table(sheet_rows(recalculated, "Projects"))
    counts = [row["Counts toward target"] for row in table.values()]
    assert counts == ["Yes", "No: status proposed", "No: starts after 2027/28"]
