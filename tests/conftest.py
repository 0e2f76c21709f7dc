"""Shared fixtures: a CLI runner and a writer of small scenario directories."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios"

PORTFOLIO = """
[portfolio]
name = "Test portfolio"
target = 100_000
target_year = 2027

[appraisal]
discount_rate = 0.035
horizon = 10
price_base_year = 2023

[deflators]
2015 = 78.0
2023 = 100.0
"""

PROJECT = """
id = "P1"
name = "Project one"
start_year = 2020
status = "approved"
partners = ["Police", "Fire"]

[[costs]]
name = "Staff"
agency = "Fire"
annual = 10_000

[[benefits]]
name = "Fires avoided"
agency = "Fire"
quantity = { low = 5, central = 10, high = 15 }
unit_value = 2_000
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Callable[..., Path]:
    """``scenario_dir(portfolio=..., p1=...)`` writes ``portfolio.toml`` and ``<name>.toml``
    files (dedented) into a fresh directory and returns it. ``portfolio=None`` leaves the
    portfolio file out; by default the files are :data:`PORTFOLIO` and :data:`PROJECT`."""
    count = 0

    def make(portfolio: str | None = PORTFOLIO, **projects: str) -> Path:
        nonlocal count
        count += 1
        folder = tmp_path / f"scenario{count}"
        folder.mkdir()
        if portfolio is not None:
            (folder / "portfolio.toml").write_text(textwrap.dedent(portfolio), encoding="utf-8")
        for name, text in (projects or {"p1": PROJECT}).items():
            (folder / f"{name}.toml").write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    return make


def pack_of(result, **analyses):
    """The board pack of an appraisal: its own case, with no tornado unless ``tornado=True``
    (the workbook then has no Sensitivity sheet), and a simulation when one is given."""
    from npv_calc.board import board_pack

    tornado = analyses.pop("tornado", False)
    return board_pack(
        result.portfolio,
        result.scenario,
        result.overrides,
        result=result,
        tornado=tornado,
        **analyses,
    )
