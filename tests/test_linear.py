"""Linear and steady: large inputs cost in proportion to their size, or are refused up front.

* The workbook path does work in proportion to the portfolio (operations counted, not timed).
* A simulation draws at most ``MAX_SIMULATED_VALUES`` quantities, refused before any draw (the
  adversarial sweep's 20,000 values × 20,000 draws, and one correlation group of 4,000 values),
  and keeps its draws in an unnamed temporary file rather than simulating twice.
* numpy's linear algebra runs with one BLAS thread unless ``NPV_CALC_BLAS_THREADS`` says
  otherwise, and the setting is restored afterwards.
* Long work shows a progress bar on standard error in a terminal, and nothing when piped.
* Each file is scanned for its keys' lines only when a message needs one.

Commands that could run long or grow run in a child process limited in CPU time and address
space: these are bounds, not benchmarks.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import pty
import subprocess
import sys
import tempfile
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from threadpoolctl import threadpool_info, threadpool_limits

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli
from npv_calc.errors import OutputError
from npv_calc.model import MAX_SIMULATED_VALUES, KeyLines
from npv_calc.simulate import simulate

from . import conftest
from .conftest import EXAMPLE, pack_of

CPU_SECONDS = 60
MEMORY = 1024 * 2**20
WALL_SECONDS = 600


def write_portfolio(
    folder: Path, projects: int, lines: int, group: str | None = None, fixed: bool = False
) -> Path:
    """``projects`` project files of ``lines`` cost lines each, every annual amount a range (in
    ``group`` when given; a single number with ``fixed``)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = '[portfolio]\nname = "Wide"\ntarget = 1_000_000\ntarget_year = 2027\n'
    if group:
        text += f"\n[correlation.groups]\n{group} = 0.5\n"
    (folder / "portfolio.toml").write_text(text, encoding="utf-8")
    tail = f', group = "{group}"' if group else ""
    for p in range(projects):
        out = [f'id = "P{p}"', f'name = "Project {p}"', "start_year = 2024", ""]
        for i in range(lines):
            annual = (
                f"{1500 + i}"
                if fixed
                else f"{{ low = {1000 + i}, central = {1500 + i}, high = {2200 + i}{tail} }}"
            )
            out += ["[[costs]]", f'name = "Cost {i}"', 'agency = "Police"', f"annual = {annual}"]
            out += ["[[benefits]]", f'name = "Saving {i}"', 'agency = "Fire"', "annual = 2_000"]
        (folder / f"p{p}.toml").write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


#: The real command in a child process limited in CPU time and address space (this module's
#: limits; :func:`tests.conftest.bounded`).
bounded = partial(conftest.bounded, memory=MEMORY, cpu=CPU_SECONDS, timeout=WALL_SECONDS)


def refused_for_size(done: subprocess.CompletedProcess[str], values: int) -> None:
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr
    (error,) = [line for line in done.stderr.splitlines() if line.startswith("Error: ")]
    assert f"at most {MAX_SIMULATED_VALUES:,} uncertain values" in error
    assert f"this portfolio has {values:,} uncertain values" in error
    assert "simulate part of the portfolio at a time" in error
    assert done.stdout == ""


class TestHowMuchASimulationDraws:
    def test_20000_values_by_20000_draws_are_refused_up_front(self, tmp_path: Path) -> None:
        """Sweep, group 2: a MemoryError after 23 s (and hours of work before it here)."""
        folder = write_portfolio(tmp_path / "wide", 40, 500)
        done = bounded("simulate", folder, "-n", "20000", "--seed", "1", "--format", "json")
        refused_for_size(done, 20_000)
        assert "(in 40 projects)" in done.stderr

    def test_one_group_of_4000_values_is_refused_up_front(self, tmp_path: Path) -> None:
        """Sweep, group 6: 20-63 s and 786 MB for ten draws."""
        folder = write_portfolio(tmp_path / "group", 1, 4000, group="big")
        done = bounded("simulate", folder, "-n", "10", "--seed", "1")
        refused_for_size(done, 4000)
        assert "(in 1 project)" in done.stderr

    def test_one_group_of_4000_values_in_an_input_workbook(self, tmp_path: Path) -> None:
        folder = write_portfolio(tmp_path / "group", 8, 500, group="big")
        book = tmp_path / "group.xlsx"
        assert CliRunner().invoke(cli, ["export", str(folder), "--to", str(book)]).exit_code == 0
        done = bounded("simulate", book, "-n", "10", "--seed", "1")
        refused_for_size(done, 4000)

    def test_the_limit_itself_is_simulated_within_bounds(self, tmp_path: Path) -> None:
        """2,000 values in one correlation group: each value's table, the correlation
        matrix's eigenvalues and the draws, within the CPU and memory bounds."""
        folder = write_portfolio(tmp_path / "group", 1, MAX_SIMULATED_VALUES, group="big")
        done = bounded("simulate", folder, "-n", "10", "--seed", "1", "--format", "json")
        assert done.returncode == 0, done.stderr[-2000:]
        assert len(json.loads(done.stdout)["drivers"]) == MAX_SIMULATED_VALUES

    def test_risks_that_may_happen_count_too(self, scenario_dir: Any) -> None:
        risks = "".join(
            f'\n[[risks]]\nname = "Risk {i}"\nprobability = 0.5\nimpact = 100\nyears = [0, 1]\n'
            for i in range(MAX_SIMULATED_VALUES + 1)
        )
        project = 'id = "P1"\nname = "One"\nstart_year = 2024\n[[costs]]\nname = "Staff"\n'
        folder = scenario_dir(p1=project + "annual = 1_000\n" + risks)
        out = CliRunner().invoke(cli, ["simulate", str(folder), "-n", "10"])
        assert out.exit_code == 1, out.output
        assert f"and {MAX_SIMULATED_VALUES + 1:,} risks that may or may not happen" in out.stderr


class TestOnePass:
    def test_draws_in_a_file_leave_nothing_behind(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        portfolio = load_portfolio(EXAMPLE)
        kept = simulate(portfolio, 2001, seed=3)
        spilled = simulate(portfolio, 2001, seed=3, store_bytes=0, chunk_bytes=30_000)
        assert (kept.passes, spilled.passes) == (1, 1)
        assert spilled.portfolio.percentiles == kept.portfolio.percentiles
        assert list(tmp_path.iterdir()) == []

    def test_a_full_temporary_folder_is_one_clean_error(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import npv_calc.simulate.spill as spill

        def full(*args: Any) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
        monkeypatch.setattr(spill.os, "pwrite", full)
        with pytest.raises(OutputError) as caught:
            simulate(load_portfolio(EXAMPLE), 2001, seed=3, store_bytes=0)
        message = str(caught.value)
        assert str(tmp_path) in message and "No space left on device" in message
        assert "point TMPDIR at a folder with room" in message
        assert list(tmp_path.iterdir()) == []

    def test_no_room_for_the_draws_means_a_second_pass(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import npv_calc.simulate as package

        monkeypatch.setattr(package, "spill_room", lambda: 0)
        portfolio = load_portfolio(EXAMPLE)
        two_pass = simulate(portfolio, 2001, seed=3, store_bytes=0)
        assert two_pass.passes == 2
        assert (
            two_pass.portfolio.percentiles
            == simulate(portfolio, 2001, seed=3).portfolio.percentiles
        )

    def test_tables_worked_out_from_the_shape_give_the_same_numbers(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Past the memory for tables in the value's units, a value's draws come from its
        shape's knots: the same numbers to the last bit."""
        import npv_calc.report as report
        import npv_calc.sampling as sampling

        portfolio = load_portfolio(EXAMPLE)
        kept = report.formatted(simulate(portfolio, 3000, seed=8), "json")
        monkeypatch.setattr(sampling, "TABLE_BYTES", 3 * 2 * (sampling.PERT_CELLS + 1) * 8)
        assert report.formatted(simulate(portfolio, 3000, seed=8), "json") == kept
        monkeypatch.setattr(sampling, "TABLE_BYTES", 0)
        assert report.formatted(simulate(portfolio, 3000, seed=8), "json") == kept

    def test_the_correlation_matrix_is_the_pairwise_one(self) -> None:
        """Built group by group: the same matrix as filling it pair by pair."""
        from npv_calc.sampling import correlation_plan

        rng = np.random.default_rng(4)
        names = ["a", "b", "c", None]
        groups = [names[i] for i in rng.integers(0, 4, 60)]
        within = {"a": 0.6, "b": -0.01, "c": 0.3}
        between = [("a", "c", 0.2), ("c", "b", 0.1)]
        plan = correlation_plan(groups, within, between)
        assert plan is not None
        columns = [i for i, g in enumerate(groups) if g is not None]
        pair = {frozenset((a, b)): r for a, b, r in between}
        spearman = np.eye(len(columns))
        for i, a in enumerate(groups[c] for c in columns):
            for j, b in enumerate(groups[c] for c in columns):
                if i != j:
                    spearman[i, j] = (
                        within.get(a, 0.0) if a == b else pair.get(frozenset((a, b)), 0.0)
                    )
        pearson = 2.0 * np.sin(np.pi * spearman / 6.0)
        np.fill_diagonal(pearson, 1.0)
        assert plan.columns == tuple(columns)
        assert np.allclose(plan.loading, np.linalg.cholesky(pearson), rtol=0, atol=1e-14)

    @pytest.mark.parametrize("rank", [1.0, -1.0])
    def test_a_pair_at_one_takes_no_direction_of_its_own(self, rank: float) -> None:
        """Only semi-definite: the factor keeps the matrix, with a column fewer."""
        from npv_calc.sampling import correlation_plan

        across = 0.2 if rank > 0 else 0.0  # a and -a cannot both move with b
        plan = correlation_plan(
            ["a", "a", "b", "b", "b"], {"a": rank, "b": 0.4}, [("a", "b", across)]
        )
        assert plan is not None
        spearman = np.full((5, 5), across)
        spearman[:2, :2] = [[1, rank], [rank, 1]]
        spearman[2:, 2:] = [[1, 0.4, 0.4], [0.4, 1, 0.4], [0.4, 0.4, 1]]
        pearson = 2.0 * np.sin(np.pi * spearman / 6.0)
        assert plan.loading.shape == (5, 4)
        assert np.allclose(plan.loading @ plan.loading.T, pearson, atol=1e-12, rtol=0)

    def test_the_same_seed_draws_the_same_on_any_processor(self) -> None:
        """Correlated draws do not depend on the BLAS kernels the processor selects: the
        example's draws with OpenBLAS's kernels for this processor and for an old one (no
        FMA, no AVX) are the same bit for bit. (The factor was an eigenvector basis, which
        kernels choose differently for a repeated eigenvalue, and the scores single precision,
        whose near ties they round differently: the README's figures moved by 0.05%.)"""
        script = (
            "import hashlib, sys, numpy as np; from npv_calc import load_portfolio;"
            "from npv_calc.simulate import draws;"
            "d = draws(load_portfolio(sys.argv[1]), 20_000, seed=1);"
            "print(hashlib.sha256(np.stack(list(d.values())).tobytes()).hexdigest())"
        )
        seen = set()
        for kernel in ("", "Prescott"):
            env = {**os.environ, "OPENBLAS_CORETYPE": kernel}
            done = subprocess.run(
                [sys.executable, "-c", script, str(EXAMPLE)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            seen.add(done.stdout.strip())
        assert len(seen) == 1 and len(next(iter(seen))) == 64, seen


class TestImanConoverOrdersByStratum:
    @pytest.mark.parametrize(("m", "n"), [(1000, 1000), (100_000, 65_536), (70_001, 3)])
    def test_ordering_by_stratum_is_sorting(self, m: int, n: int) -> None:
        """A Latin Hypercube column's uniforms in a block, ordered by their strata in linear
        time: the very numbers a sort gives, even where ``s + v`` rounds up to ``s + 1``."""
        from npv_calc.sampling import _by_stratum

        rng = np.random.default_rng(m)
        strata = rng.permutation(m)[:n].astype(float)
        v = rng.random(n)
        v[:2] = np.nextafter(1.0, 0.0)
        t = strata + v
        assert np.array_equal(_by_stratum(t, lambda: strata, m), np.sort(t))

    def test_correlated_draws_are_those_sorting_gave(self, monkeypatch: pytest.MonkeyPatch):
        """Iman–Conover with Latin Hypercube blocks ordered by stratum, against the same
        draws with every block sorted: replicates of one block and of several."""
        import npv_calc.sampling as sampling
        from npv_calc.simulate import draws

        portfolio = load_portfolio(EXAMPLE)
        for n in (5000, 700_001):
            ordered = draws(portfolio, n, seed=2)
            monkeypatch.setattr(sampling.Sampler, "_ordered", staticmethod(lambda *a: None))
            sorted_ = draws(portfolio, n, seed=2)
            monkeypatch.undo()
            assert all(np.array_equal(ordered[k], sorted_[k]) for k in ordered)


def blas_threads_seen() -> int:
    return min(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


class TestBlasThreads:
    @pytest.fixture
    def seen(self, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
        """The BLAS threads in force inside the IRR (worked out when a result's ``irr`` is
        first read) and the correlation plan: (function, threads) each time one runs."""
        import npv_calc.returns as returns
        import npv_calc.simulate as package

        seen: list[tuple[str, int]] = []
        irr, plan = returns.irr, package.correlation_plan

        def spy(function: Any) -> Any:
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                seen.append((function.__name__, blas_threads_seen()))
                return function(*args, **kwargs)

            return wrapped

        monkeypatch.setattr(returns, "irr", spy(irr))
        monkeypatch.setattr(package, "correlation_plan", spy(plan))
        return seen

    @pytest.mark.parametrize(
        ("setting", "inside"), [(None, 1), ("3", 3), ("default", 2)], ids=["default", "3", "lib"]
    )
    def test_the_threads_inside_and_after(
        self,
        seen: list[tuple[str, int]],
        monkeypatch: pytest.MonkeyPatch,
        setting: str | None,
        inside: int,
    ) -> None:
        if setting is None:
            monkeypatch.delenv("NPV_CALC_BLAS_THREADS", raising=False)
        else:
            monkeypatch.setenv("NPV_CALC_BLAS_THREADS", setting)
        portfolio = load_portfolio(EXAMPLE)
        with threadpool_limits(limits=2, user_api="blas"):
            rates = [p.irr for p in appraise(portfolio).projects]  # read: worked out
            assert any(isinstance(rate, float) for rate in rates)
            simulate(portfolio, 100, seed=1)
            assert blas_threads_seen() == 2  # the caller's setting, restored
        assert {name for name, _ in seen} == {"irr", "correlation_plan"}
        assert {threads for _, threads in seen} == {inside}

    @pytest.mark.parametrize("setting", ["0", "many", "99999", "1" * 5000, "\u00b2"])
    def test_a_setting_that_is_no_number_of_threads(
        self, monkeypatch: pytest.MonkeyPatch, setting: str
    ) -> None:
        monkeypatch.setenv("NPV_CALC_BLAS_THREADS", setting)
        out = CliRunner().invoke(cli, ["run", str(EXAMPLE)])
        assert out.exit_code == 2, out.output
        assert "NPV_CALC_BLAS_THREADS=" in out.stderr
        assert "whole number of threads from 1 to 1024" in out.stderr
        assert "Traceback" not in out.output


def in_a_terminal(*args: object, cwd: Path) -> tuple[str, str]:
    """Run npv-calc with standard error on a pseudo-terminal, as at a user's terminal, and
    standard output in a file: what each received."""
    leader, follower = pty.openpty()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "npv_calc", *map(str, args)],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=follower,
            cwd=cwd,
        )
        os.close(follower)
        received = b""
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:  # the terminal is gone once the child has closed it
                break
            if not data:
                break
            received += data
        child.wait(timeout=600)
        os.close(leader)
        out.seek(0)
        return out.read().decode(), received.decode(errors="replace")


class TestProgress:
    @pytest.fixture
    def hundred(self, tmp_path: Path) -> Path:
        return write_portfolio(tmp_path / "hundred", 100, 1, fixed=True)

    def test_a_simulation_in_a_terminal_shows_a_bar(self, tmp_path: Path) -> None:
        out, err = in_a_terminal(
            "simulate", EXAMPLE, "-n", "60000", "--seed", "1", "--format", "json", cwd=tmp_path
        )
        assert "Simulating" in err and "100%" in err
        assert json.loads(out)["iterations"] == 60_000

    def test_a_large_workbook_in_a_terminal_shows_a_bar(self, tmp_path: Path, hundred: Path):
        book = tmp_path / "board.xlsx"
        out, err = in_a_terminal("run", hundred, "--xlsx", book, "--format", "csv", cwd=tmp_path)
        assert "Writing the workbook" in err and "100%" in err
        assert f"Wrote {book}" in err
        assert out.startswith("id,name,") and "Writing" not in out

    def test_piped_output_gets_no_bar(self, tmp_path: Path, hundred: Path) -> None:
        book = tmp_path / "board.xlsx"
        done = subprocess.run(
            [sys.executable, "-m", "npv_calc", "run", str(hundred), "--xlsx", str(book)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr
        assert done.stderr == f"Wrote {book}\n"
        out = CliRunner().invoke(
            cli, ["run", str(hundred), "--xlsx", str(book), "--format", "json"]
        )
        assert out.exit_code == 0, out.output
        assert out.stderr == f"Wrote {book}\n"
        assert json.loads(out.stdout)["portfolio"]

    def test_the_writer_reports_each_step(self, tmp_path: Path, hundred: Path) -> None:
        from npv_calc.report.workbook import workbook_steps, write_workbook

        pack = pack_of(appraise(load_portfolio(hundred)))
        steps: list[int] = []
        write_workbook(pack, tmp_path / "b.xlsx", progress=steps.append)
        assert steps == list(range(1, workbook_steps(pack) + 1))
        assert workbook_steps(pack) == 102


class TestTheWorkbookGrowsWithThePortfolio:
    def test_the_economic_case_looks_each_project_up_once(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each project's figures in each scenario: looked up by id, not by scanning each
        scenario's projects (which grew with the square of the portfolio)."""
        from npv_calc.economic_case import project_cases, scenario_results
        from npv_calc.results.appraisal import ProjectResult
        from npv_calc.scenarios import case_of

        reads = 0
        id_of = ProjectResult.id

        def counted(self: ProjectResult) -> str:
            nonlocal reads
            reads += 1
            return id_of.fget(self)  # type: ignore[attr-defined,no-any-return]

        counts = {}
        for size in (20, 80):
            case = case_of(load_portfolio(write_portfolio(tmp_path / f"p{size}", size, 1)))
            result = appraise(case.portfolio)
            scenarios = scenario_results(case, result)
            monkeypatch.setattr(ProjectResult, "id", property(counted))
            reads = 0
            project_cases(result, scenarios)
            counts[size] = reads
            monkeypatch.setattr(ProjectResult, "id", id_of)
        assert counts[20] > 0, counts  # the lookups counted are the ones made
        assert counts[80] <= 4 * counts[20] * 1.1, counts

    def test_a_new_sheet_name_is_checked_against_a_set(self) -> None:
        """XlsxWriter compares a new sheet's name with every sheet so far; the writer's
        workbook checks it against a set, and still refuses a name given twice."""
        import io

        from xlsxwriter.exceptions import DuplicateWorksheetName
        from xlsxwriter.workbook import Workbook

        from npv_calc.report.workbook.formulas import workbook_class

        compared: list[int] = []
        sheets = Workbook.worksheets

        def counted(self: Any) -> Any:
            found = sheets(self)
            compared.append(len(found))
            return found

        book = workbook_class()(io.BytesIO(), {"in_memory": True})
        Workbook.worksheets = counted  # type: ignore[method-assign]
        try:
            for n in range(60):
                book.add_worksheet(f"Sheet number {n}")
            with pytest.raises(DuplicateWorksheetName):
                book.add_worksheet("SHEET NUMBER 7")
        finally:
            Workbook.worksheets = sheets  # type: ignore[method-assign]
        assert sum(compared) == 0
        book.close()

    def test_the_collector_rests_while_the_workbook_is_built(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import npv_calc.report.workbook as writer

        states: list[bool] = []
        audit = writer.audit_sheet

        def spy(*args: Any) -> None:
            states.append(gc.isenabled())
            audit(*args)

        monkeypatch.setattr(writer, "audit_sheet", spy)
        assert gc.isenabled()
        writer.write_workbook(pack_of(appraise(load_portfolio(EXAMPLE))), tmp_path / "b.xlsx")
        assert states == [False]
        assert gc.isenabled()


class TestKeyLinesOnlyWhenAsked:
    def test_valid_files_are_not_scanned(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import npv_calc.load.toml_files as toml_files

        scanned: list[str] = []
        scan = toml_files.key_lines
        monkeypatch.setattr(
            toml_files, "key_lines", lambda text: scanned.append(text) or scan(text)
        )
        appraise(load_portfolio(write_portfolio(tmp_path / "p", 5, 2)))
        assert scanned == []

    def test_a_problem_is_still_placed_at_its_line(self, tmp_path: Path) -> None:
        folder = write_portfolio(tmp_path / "p", 3, 2)
        text = (folder / "p1.toml").read_text(encoding="utf-8")
        (folder / "p1.toml").write_text(text.replace("low = 1001", "low = 9001"), encoding="utf-8")
        out = CliRunner().invoke(cli, ["validate", str(folder)])
        assert out.exit_code == 1
        line = 1 + text.splitlines().index("annual = { low = 1001, central = 1501, high = 2201 }")
        assert f"p1.toml:{line}: costs[2]" in out.stderr, out.stderr

    def test_key_lines_fill_when_first_read_and_keys_set_win(self) -> None:
        lines = KeyLines()
        asked: list[int] = []
        lines.later(lambda: asked.append(1) or {"annual": 4, "name": 3})
        lines["annual"] = "Costs!D5"
        assert asked == []
        assert lines.get("name") == 3 and "annual" in lines and lines["annual"] == "Costs!D5"
        assert dict(lines) == {"annual": "Costs!D5", "name": 3} and len(lines) == 2
        assert asked == [1]
        for change in ("setdefault", "pop", "!="):  # after one key, the whole is the source's
            lines = KeyLines()
            lines.later(lambda: {"annual": 4, "name": 3})
            assert lines["name"] == 3
            if change == "setdefault":
                assert lines.setdefault("annual", 9) == 4
            elif change == "pop":
                assert lines.pop("annual") == 4 and dict(lines) == {"name": 3}
            else:
                assert not lines != {"annual": 4, "name": 3}  # noqa: SIM202

    def test_a_workbook_rows_cells_are_named_when_first_read(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The rows of a valid workbook's Costs and Benefits sheets never name all their cells;
        one key asked names its own alone, as all of them would; a line's years are at its
        First year cell, and a formula with no result names no key."""
        from npv_calc.load import workbook_rows

        named: list[str] = []
        name = workbook_rows.RowCells._named
        monkeypatch.setattr(
            workbook_rows.RowCells,
            "_named",
            lambda self: named.append(self._first.split("!")[0]) or name(self),
        )
        book = tmp_path / "p.xlsx"
        folder = write_portfolio(tmp_path / "p", 3, 2)
        assert CliRunner().invoke(cli, ["export", str(folder), "--to", str(book)]).exit_code == 0
        appraise(load_portfolio(book))
        assert not {"Costs", "Benefits"} & set(named), named
        places = workbook_rows._places(
            "Costs", {1: _column("name"), 3: _column("years.first")}, {5: 0, 6: 1}
        )

        def row() -> workbook_rows.RowCells:
            cells = workbook_rows.RowCells(places, 7, "Costs!A7", frozenset({6}))
            cells.same_as("years", "years.first")
            cells["annual.group"] = "Costs!H7"
            return cells

        named.clear()
        keys = ["", "name", "years.first", "amounts[0]", "amounts[1]", "amounts", "years"]
        keys += ["annual.group", "annual", "nowhere"]
        one_by_one = [(row().get(k), k in row()) for k in keys]
        assert named == []  # one key asked names its cell alone
        cells = row()
        full = dict(cells)  # every name at once
        assert named and one_by_one == [(full.get(k), k in full) for k in keys]
        assert full == {
            "": "Costs!A7",
            "name": "Costs!A7",
            "years.first": "Costs!C7",
            "amounts[0]": "Costs!E7",
            "amounts": "Costs!E7",
            "years": "Costs!C7",
            "annual.group": "Costs!H7",
        }
        cells.same_as("late", "nowhere")
        assert cells["late"] == "Costs!A7"


def _column(key: str) -> Any:
    from npv_calc.load.workbook_layout import COST_COLUMNS

    return next(c for c in COST_COLUMNS if c.key == key)


def test_the_limit_the_threads_and_the_temporary_file_are_in_the_docs() -> None:
    cli_doc = (EXAMPLE.parent / "docs" / "cli.md").read_text(encoding="utf-8")
    method = (EXAMPLE.parent / "docs" / "method.md").read_text(encoding="utf-8")
    assert f"| what `simulate` draws | {MAX_SIMULATED_VALUES:,} uncertain values" in cli_doc
    assert "NPV_CALC_BLAS_THREADS=default" in cli_doc and "TMPDIR" in cli_doc
    assert f"at most **{MAX_SIMULATED_VALUES:,}** quantities" in method


def test_the_correlation_check_reads_every_field_that_may_be_uncertain() -> None:
    """The check of correlation groups reads only the fields typed to hold a range (a check
    of 100,000 lines read all 32 of each): those are every field a range may be given for."""
    from npv_calc.load.checks import _VALUE_FIELDS
    from npv_calc.model import UNCERTAIN_FIELDS, Line, Risk

    assert set(_VALUE_FIELDS[Line]) == set(UNCERTAIN_FIELDS)
    assert _VALUE_FIELDS[Risk] == ("impact",)
