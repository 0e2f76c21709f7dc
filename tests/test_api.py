"""The Python API a notebook user sees: load_portfolio, appraise, typed results, a DataFrame."""

from __future__ import annotations

import pandas as pd
import pytest

import npv_calc
from npv_calc import InputError, PortfolioResult, ProjectResult, appraise, load_portfolio, to_frame

from .conftest import EXAMPLE


def test_top_level_names_are_exported():
    for name in npv_calc.__all__:
        assert getattr(npv_calc, name) is not None


def test_appraise_returns_typed_results():
    result = appraise(load_portfolio(EXAMPLE))
    assert isinstance(result, PortfolioResult)
    assert all(isinstance(p, ProjectResult) for p in result.projects)
    jet = result.project("JET")
    assert jet.span == "2017/18–2026/27"
    assert len(jet.costs) == len(jet.benefits) == len(jet.discount_factors) == 10
    assert jet.npv == pytest.approx(jet.pv_benefits - jet.pv_costs)
    with pytest.raises(KeyError):
        result.project("NOPE")


def test_to_frame_has_a_row_per_project_indexed_by_id():
    result = appraise(load_portfolio(EXAMPLE))
    frame = to_frame(result)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == [p.id for p in result.projects]
    assert frame.loc["JET", "npv"] == result.project("JET").npv
    assert frame["npv"].sum() == pytest.approx(result.npv)
    assert not frame.loc["JCR", "counts_toward_target"]
    assert frame.loc["JET", "counts_toward_target"]


def test_load_errors_are_an_exception_with_every_problem(tmp_path):
    (tmp_path / "a.toml").write_text('id = "A"\nname = "A"\n', encoding="utf-8")
    (tmp_path / "b.toml").write_text("not toml [", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_portfolio(tmp_path)
    text = [str(p) for p in caught.value.problems]
    assert any("a.toml" in t and "start_year" in t for t in text)
    assert any("b.toml" in t and "not valid TOML" in t for t in text)
