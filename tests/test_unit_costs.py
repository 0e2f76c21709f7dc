"""The unit-cost library: its rows, ``unit_value = "ref:<key>"`` and ``npv-calc unit-costs``."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import npv_calc.convert.input_workbook as input_workbook
import npv_calc.load.workbook_layout as layout
from npv_calc import appraise, load_portfolio, params
from npv_calc.cli import cli
from npv_calc.errors import InputError

from .conftest import PORTFOLIO, PROJECT

CSV = Path(params.__file__).parent / "unit_costs.csv"
ARSON = 8_420  # Home Office (2018), crime.arson, 2015/16 prices
DEFLATOR_2015, DEFLATOR_2023 = 78.0, 100.0  # PORTFOLIO of conftest
QUANTITY = 10  # central quantity of PROJECT's benefit


def with_unit_value(unit_value: str, extra: str = "") -> str:
    return PROJECT.replace("unit_value = 2_000", f"unit_value = {unit_value}{extra}")


def problems(folder: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_portfolio(folder)
    return [str(p) for p in caught.value.problems]


class TestLibrary:
    def test_every_row_is_complete(self):
        library = params.unit_costs()
        assert len(library) >= 10
        for key, cost in library.items():
            assert cost.key == key
            assert re.fullmatch(r"[a-z]+\.[a-z0-9_]+", key), key
            assert math.isfinite(cost.value) and cost.value > 0, key
            assert cost.unit.strip(), key
            assert 1990 <= cost.price_year <= 2030, key
            assert cost.description.strip(), key
            assert cost.source.strip(), key
            assert re.search(r"\b(19|20)\d\d\b", cost.source), f"{key}: source has no year"

    def test_the_file_has_no_duplicate_or_blank_keys(self):
        with CSV.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        keys = [row["key"] for row in rows]
        assert len(keys) == len(set(keys))
        assert all(k and k == k.strip() for k in keys)
        assert len(rows) == len(params.unit_costs())

    @pytest.mark.parametrize(
        "area", ["crime.", "fire.", "nhs.ambulance", "nhs.ed_", "nhs.bed_day", "police."]
    )
    def test_the_issue_asks_for_these_areas(self, area: str):
        assert any(key.startswith(area) for key in params.unit_costs()), area

    def test_the_cited_figures(self):
        library = params.unit_costs()
        arson = library["crime.arson"]
        assert (arson.value, arson.price_year, arson.unit) == (ARSON, 2015, "offence")
        assert "economic and social costs of crime" in arson.source.lower()


class TestReference:
    def test_ref_is_rebased_to_the_price_base(self, scenario_dir: Any):
        folder = scenario_dir(p1=with_unit_value('"ref:crime.arson"'))
        portfolio = load_portfolio(folder)
        line = portfolio.projects[0].benefits[0]
        assert line.unit_value == ARSON
        assert line.price_year == 2015
        assert line.unit_ref == "crime.arson"
        assert "Home Office (2018)" in line.source and "ref:crime.arson" in line.source
        expected = QUANTITY * ARSON * DEFLATOR_2023 / DEFLATOR_2015
        benefits = appraise(portfolio).projects[0].benefits
        assert len(benefits) == 10
        for value in benefits:
            assert value == pytest.approx(expected, rel=1e-12)

    def test_a_source_given_on_the_line_is_kept(self, scenario_dir: Any):
        folder = scenario_dir(p1=with_unit_value('"ref:crime.arson"', '\nsource = "Our own"'))
        assert load_portfolio(folder).projects[0].benefits[0].source == "Our own"

    def test_the_same_price_year_as_the_ref_is_allowed(self, scenario_dir: Any):
        folder = scenario_dir(p1=with_unit_value('"ref:crime.arson"', "\nprice_year = 2015"))
        assert load_portfolio(folder).projects[0].benefits[0].price_year == 2015

    def test_ref_in_a_workbook_unit_value_cell(
        self, scenario_dir: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ):
        monkeypatch.chdir(tmp_path)
        book = tmp_path / "input.xlsx"
        input_workbook.export(load_portfolio(scenario_dir()), book)
        wb = openpyxl.load_workbook(book)
        ws = wb["Benefits"]
        at = {c.value: c.column_letter for c in ws[layout.HEADER_ROW]}
        ws[f"{at['Unit value £']}5"] = "ref:crime.arson"
        wb.save(book)

        portfolio = load_portfolio(book)
        line = portfolio.projects[0].benefits[0]
        assert (line.unit_value, line.price_year, line.unit_ref) == (ARSON, 2015, "crime.arson")
        expected = QUANTITY * ARSON * DEFLATOR_2023 / DEFLATOR_2015
        assert appraise(portfolio).projects[0].benefits[0] == pytest.approx(expected, rel=1e-12)

        ws[f"{at['Unit value £']}5"] = "ref:crime.arsn"
        wb.save(book)
        with pytest.raises(InputError) as caught:
            load_portfolio("input.xlsx")
        (problem,) = caught.value.problems
        assert str(problem).startswith(f"input.xlsx: Benefits!{at['Unit value £']}5: ")
        assert 'did you mean "crime.arson"' in str(problem)

    def test_unknown_key_suggests_the_nearest(self, scenario_dir: Any):
        folder = scenario_dir(p1=with_unit_value('"ref:crime.arsn"'))
        (message,) = problems(folder)
        assert "unit_value" in message
        assert '"ref:crime.arsn" is not in the unit-cost library' in message
        assert 'did you mean "crime.arson"' in message
        assert "npv-calc unit-costs" in message

    @pytest.mark.parametrize("text", ['"crime.arson"', '"lots"', '"ref:"'])
    def test_text_that_is_not_a_ref(self, scenario_dir: Any, text: str):
        (message,) = problems(scenario_dir(p1=with_unit_value(text)))
        assert "unit_value" in message and "unit-cost library" in message

    def test_a_ref_cannot_have_a_range(self, scenario_dir: Any):
        ref = '{ low = 100, central = "ref:crime.arson", high = 9000 }'
        messages = problems(scenario_dir(p1=with_unit_value(ref)))
        assert any("unit_value" in m and "ref:" in m and "low and high" in m for m in messages)
        # the line does give a unit value: it must not also be told it needs one
        assert not any("needs unit_value" in m for m in messages), messages
        assert len(messages) == 1, messages

    def test_price_year_conflicting_with_the_ref(self, scenario_dir: Any):
        portfolio = PORTFOLIO.replace("2023 = 100.0", "2023 = 100.0\n2016 = 79.0")
        folder = scenario_dir(
            portfolio=portfolio, p1=with_unit_value('"ref:crime.arson"', "\nprice_year = 2016")
        )
        (message,) = problems(folder)
        assert "price_year" in message
        assert "2016" in message and "ref:crime.arson" in message and "2015" in message

    def test_missing_deflator_names_the_ref_and_the_year(self, scenario_dir: Any):
        # nhs.bed_day_standard is in 2020/21 prices; the portfolio has deflators for 2015, 2023
        assert params.unit_costs()["nhs.bed_day_standard"].price_year == 2020
        folder = scenario_dir(p1=with_unit_value('"ref:nhs.bed_day_standard"'))
        (message,) = problems(folder)
        assert "unit_value" in message
        assert "ref:nhs.bed_day_standard" in message
        assert "2020" in message and "deflator" in message

    def test_missing_price_base_deflator_is_reported(self, scenario_dir: Any):
        portfolio = PORTFOLIO.replace("2023 = 100.0", "2022 = 99.0")
        folder = scenario_dir(portfolio=portfolio, p1=with_unit_value('"ref:crime.arson"'))
        (message,) = problems(folder)
        assert "ref:crime.arson" in message and "2023" in message

    def test_no_price_base_year_is_reported(self, scenario_dir: Any):
        portfolio = PORTFOLIO.replace("price_base_year = 2023\n", "")
        folder = scenario_dir(portfolio=portfolio, p1=with_unit_value('"ref:crime.arson"'))
        (message,) = problems(folder)
        assert "ref:crime.arson" in message and "price_base_year" in message

    def test_ref_only_in_benefits(self, scenario_dir: Any):
        project = PROJECT.replace(
            "annual = 10_000", 'annual = 10_000\nunit_value = "ref:crime.arson"'
        )
        messages = problems(scenario_dir(p1=project))
        assert any("unit_value" in m and "benefits only" in m for m in messages), messages


class TestCommand:
    def test_table_lists_every_key(self, runner: Any):
        out = runner.invoke(cli, ["unit-costs"])
        assert out.exit_code == 0, out.output
        for key, cost in params.unit_costs().items():
            assert key in out.stdout, key
            assert str(cost.price_year) in out.stdout

    def test_json(self, runner: Any):
        out = runner.invoke(cli, ["unit-costs", "--format", "json"])
        assert out.exit_code == 0, out.output
        rows = json.loads(out.stdout)
        library = params.unit_costs()
        assert [r["key"] for r in rows] == list(library)
        for row in rows:
            cost = library[row["key"]]
            assert row == {
                "key": cost.key,
                "value": cost.value,
                "unit": cost.unit,
                "price_year": cost.price_year,
                "description": cost.description,
                "source": cost.source,
                "low": cost.low,
                "high": cost.high,
                "checked": cost.checked,
                "checked_against": cost.checked_against,
            }

    def test_csv(self, runner: Any):
        out = runner.invoke(cli, ["unit-costs", "--format", "csv"])
        assert out.exit_code == 0, out.output
        rows = list(csv.reader(io.StringIO(out.stdout)))
        assert rows[0] == [
            "key",
            "value",
            "unit",
            "price_year",
            "description",
            "source",
            "low",
            "high",
            "checked",
            "checked_against",
        ]
        library = params.unit_costs()
        assert [r[0] for r in rows[1:]] == list(library)
        for row in rows[1:]:
            cost = library[row[0]]
            assert float(row[1]) == cost.value
            assert int(row[3]) == cost.price_year
            assert row[5] == cost.source
            assert row[8] == cost.checked

    def test_bad_format_is_a_usage_error(self, runner: Any):
        assert runner.invoke(cli, ["unit-costs", "--format", "xml"]).exit_code == 2


#: PORTFOLIO with deflators for the years of the economic values (2014 for the police hours)
ECONOMIC_PORTFOLIO = PORTFOLIO.replace("2015 = 78.0", "2014 = 77.0\n2015 = 78.0\n2019 = 80.0")


class TestEconomicValues:
    """The Green Book's economic values in the library (issue: the economic case)."""

    def test_wellby_is_the_wellbeing_guidance_value_with_its_range(self):
        wellby = params.unit_costs()["wellbeing.wellby"]
        # HM Treasury (2021) Wellbeing Guidance: £13,000 (£10,000-£16,000), 2019 prices
        assert (wellby.low, wellby.value, wellby.high) == (10_000, 13_000, 16_000)
        assert wellby.price_year == 2019
        assert "Wellbeing Guidance" in wellby.source
        assert wellby.secondary_only

    def test_qaly(self):
        qaly = params.unit_costs()["health.qaly"]
        assert (qaly.value, qaly.price_year) == (70_000, 2020)
        assert "Green Book" in qaly.source

    def test_every_value_says_how_it_was_checked(self):
        for key, cost in params.unit_costs().items():
            assert cost.checked in params.CHECKED, key
            assert cost.checked_against.strip(), key
            assert (cost.low is None) == (cost.high is None), key
            if cost.low is not None:
                assert cost.low <= cost.value <= cost.high, key

    def test_the_table_flags_values_checked_only_against_secondary_reports(self, runner: Any):
        out = runner.invoke(cli, ["unit-costs"])
        assert out.exit_code == 0, out.output
        for key, cost in params.unit_costs().items():
            row = next(r for r in out.stdout.splitlines() if r.startswith(key + " "))
            assert ("secondary*" in row) == cost.secondary_only, row
        assert "* checked only against a secondary report" in out.stdout

    def test_a_ref_with_a_range_is_uncertain(self, scenario_dir: Any):
        folder = scenario_dir(ECONOMIC_PORTFOLIO, p1=with_unit_value('"ref:wellbeing.wellby"'))
        line = load_portfolio(folder).projects[0].benefits[0]
        assert (line.unit_value.low, line.unit_value.central, line.unit_value.high) == (
            10_000,
            13_000,
            16_000,
        )
        # the central figure is the central value, rebased like any other
        assert line.price_year == 2019

    def test_the_line_source_says_when_a_value_was_checked_only_second_hand(
        self, scenario_dir: Any
    ):
        folder = scenario_dir(ECONOMIC_PORTFOLIO, p1=with_unit_value('"ref:wellbeing.wellby"'))
        line = load_portfolio(folder).projects[0].benefits[0]
        assert "checked against secondary reports only" in line.source
        folder = scenario_dir(ECONOMIC_PORTFOLIO, p1=with_unit_value('"ref:police.officer_hour"'))
        line = load_portfolio(folder).projects[0].benefits[0]
        assert "secondary" not in line.source
