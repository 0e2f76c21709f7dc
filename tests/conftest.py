"""Shared fixtures: a CLI runner and a writer of small scenario directories; and the real
command run in a child process under limits (:func:`bounded`); a refused run's errors
(:func:`refused`)."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

# The suite starts about a hundred Python processes (a test process per core, the command in
# child processes, mypy). Where the environment says not to write bytecode
# (PYTHONDONTWRITEBYTECODE), each would compile the package, and pytest rewrite every test
# module, from source: 2 seconds of each test process's start and 0.06 s of each child. The
# caches go where Python puts them (__pycache__, ignored by git).
sys.dont_write_bytecode = False
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

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


@functools.cache
def _example_input_workbook() -> bytes:
    """The example exported as an input workbook, once per test process: some sixty tests start
    from it (0.25 s an export). ``export`` itself is tested in test_inputbook.py."""
    from npv_calc.cli import cli

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "example.xlsx"
        result = CliRunner().invoke(cli, ["export", str(EXAMPLE), "--to", str(path)])
        assert result.exit_code == 0, result.output
        return path.read_bytes()


def example_input_workbook(path: Path) -> Path:
    """``path`` written with the example as an input workbook (what ``npv-calc export
    scenarios --to path`` writes)."""
    path.write_bytes(_example_input_workbook())
    return path


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """The example as an input workbook, ``good.xlsx`` in the test's own folder (a module may
    define its own ``book``)."""
    return example_input_workbook(tmp_path / "good.xlsx")


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


def errors(result: Result) -> list[str]:
    """The ``Error:`` lines a command wrote to stderr."""
    return [line for line in result.stderr.splitlines() if line.startswith("Error: ")]


def refused(result: Result, *phrases: str) -> str:
    """The errors of a run refused cleanly (exit 1, no traceback, no internal error), each
    phrase in them."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    assert "unexpected" not in result.stderr, result.stderr
    text = "\n".join(errors(result))
    for phrase in phrases:
        assert phrase in text, (phrase, result.stderr)
    return text


def bounded(
    *args: object, memory: int, cpu: int, timeout: float, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The real command, ``python -m npv_calc`` with ``args`` (each ``str()``-ed), in a child
    process limited in address space (``memory``, bytes) and CPU time (``cpu``, seconds): past
    either limit the kernel stops it, and its exit status is not npv-calc's own. ``timeout``
    (seconds of the clock) is only a safety net. Each module names its own limits and why."""

    def limits() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    return subprocess.run(
        [sys.executable, "-m", "npv_calc", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limits,
        cwd=cwd,
    )


#: The modules that take longest (seconds of a test process's time, on a 2-core machine), most
#: first. They are collected first so that with ``-n`` the test processes share them from the
#: start and finish on the quick tests together, rather than one process running the last long
#: module alone; the rest keep their order after them. Only the order changes. The processes
#: share the tests by ``--dist worksteal`` (pyproject.toml): xdist's default hands each process
#: a quarter of the tests up front in collection order, which gave one process every slow module
#: (it ran 166 s while the other was idle after 93 s).
SLOW_MODULES = (
    "test_sweep3_readers.py",  # large inputs read by the command in a child process
    "test_workbook_libreoffice.py",  # LibreOffice recalculates a workbook per test
    "test_linear.py",
    "test_hardening.py",
    "test_properties.py",
    "test_fuzz.py",
    "test_workbook_gnumeric.py",  # Gnumeric: about 3 seconds a workbook
    "test_board_property.py",
    "test_workbook.py",
    "test_inputbook.py",
    "test_uncertainty.py",
    "test_sweep3_io.py",
    "test_options_workbook.py",
    "test_simulate.py",
    "test_ooxml.py",
)
#: Tests that take long alone: the very first to start (mypy on the whole package).
SLOW_TESTS = ("test_habits.py::test_mypy_finds_no_error",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slow tests and modules first (:data:`SLOW_TESTS`, :data:`SLOW_MODULES`), each
    module's tests in their own order."""

    def rank(item: pytest.Item) -> int:
        if any(item.nodeid.endswith(test) for test in SLOW_TESTS):
            return -1
        name = item.path.name
        return SLOW_MODULES.index(name) if name in SLOW_MODULES else len(SLOW_MODULES)

    items.sort(key=rank)  # stable: the order within a rank is the collection's
