"""Hardening: each case of the adversarial sweep, reproduced, gets a clear, prompt refusal or a
correct result.

Hostile workbooks are built here from an exported example (their XML edited by hand); special
files are made in a temporary folder; commands that could hang or grow without bound run in a
child process with a time-out and a memory limit (``resource``): these are bounds, not
benchmarks.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli
from npv_calc.workbook_io import escape_text

from . import conftest
from .cells import SheetView, sheet_rows
from .conftest import EXAMPLE, PORTFOLIO, PROJECT, errors, pack_of, refused
from .libreoffice import recalculate_in_libreoffice

MakeDir = Callable[..., Path]
ROOT = Path(__file__).resolve().parents[1]
#: The bounds a hostile input must be refused or read within.
#: What a hostile input may cost the process that refuses it: CPU seconds and address space.
#: CPU time, not the clock, so that a busy machine does not fail the bound; the clock's time-out
#: is only a safety net.
CPU_SECONDS = 60
MEMORY = 1024 * 2**20
WALL_SECONDS = 900


def invoke(*args: Any) -> Result:
    return CliRunner().invoke(cli, [str(a) for a in args])


#: The real command in a child process limited in CPU time and address space (the bounds
#: above): :func:`tests.conftest.bounded`.
bounded = partial(conftest.bounded, memory=MEMORY, cpu=CPU_SECONDS, timeout=WALL_SECONDS)


def sheet_part(book: Path, title: str) -> str:
    """The zip member that holds sheet ``title``."""
    with zipfile.ZipFile(book) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet[^>]*name="{re.escape(title)}"[^>]*r:id="([^"]+)"', workbook)
    assert rid, title
    target = re.search(rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels
    )
    assert target
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


def rewrite_part(book: Path, part: str, change: Callable[[str], str], target: Path) -> Path:
    with (
        zipfile.ZipFile(book) as zin,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z,
    ):
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == part:
                data = change(data.decode("utf-8")).encode("utf-8")
            z.writestr(info.filename, data)
    return target


def add_rows(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>")


def edit(book: Path, sheet: str, cell: str, value: Any) -> None:
    wb = openpyxl.load_workbook(book)
    wb[sheet][cell] = value
    wb.save(book)


# ---------------------------------------------------------------------------------------------
# 1. Outputs never replace special files


class TestOutputsNeverReplaceSpecialFiles:
    def test_a_pipe(self, tmp_path: Path) -> None:
        fifo = tmp_path / "out.xlsx"
        os.mkfifo(fifo)
        refused(invoke("run", EXAMPLE, "--xlsx", fifo), "not a regular file")
        assert stat.S_ISFIFO(fifo.stat().st_mode)

    def test_a_socket(self, tmp_path: Path) -> None:
        path = tmp_path / "s.xlsx"
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
        try:
            refused(invoke("export", EXAMPLE, "--to", path), "not a regular file")
            assert stat.S_ISSOCK(path.stat().st_mode)
        finally:
            server.close()

    @pytest.mark.parametrize("device", ["/dev/null", "/proc/self/fd/1"])
    def test_a_link_to_a_device_or_stream(self, tmp_path: Path, device: str) -> None:
        link = tmp_path / "out.xlsx"
        link.symlink_to(device)
        refused(invoke("run", EXAMPLE, "--xlsx", link), "is a link")
        assert link.is_symlink()

    def test_a_device_itself(self) -> None:
        # Refused before anything is written: /dev/null stays the device it is.
        refused(invoke("run", EXAMPLE, "--xlsx", "/dev/null"), "not a regular file")
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)

    def test_import_new_and_init_refuse_them_too(self, tmp_path: Path, book: Path) -> None:
        fifo = tmp_path / "pipe"
        os.mkfifo(fifo)
        refused(invoke("import", book, "--to", fifo), "not an empty folder")
        os.mkfifo(tmp_path / "hsv.toml")
        refused(invoke("new", "HSV", "--name", "x", "--dir", tmp_path), "already exists")
        os.mkfifo(tmp_path / "portfolio.toml")
        refused(invoke("init", tmp_path), "already exists")
        for name in ("hsv.toml", "portfolio.toml", "pipe"):
            assert stat.S_ISFIFO((tmp_path / name).stat().st_mode)

    @pytest.mark.parametrize("name", ["", "newdir/"])
    def test_no_file_name(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str):
        monkeypatch.chdir(tmp_path)
        refused(invoke("run", EXAMPLE, "--xlsx", name), "give a file name")
        assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# 2. Inputs: special files and bounded work


class TestBoundedInputs:
    def test_a_pipe_named_xlsx_does_not_hang(self, tmp_path: Path) -> None:
        fifo = tmp_path / "f.xlsx"
        os.mkfifo(fifo)
        done = bounded("validate", str(fifo))
        assert done.returncode == 1, done.stderr
        assert "not a regular file" in done.stderr

    def test_a_link_to_dev_zero_is_refused_at_once(self, tmp_path: Path) -> None:
        link = tmp_path / "z.xlsx"
        link.symlink_to("/dev/zero")
        done = bounded("validate", str(link))
        assert done.returncode == 1 and "not a regular file" in done.stderr, done.stderr

    def test_a_pipe_named_toml_given_directly(self, tmp_path: Path) -> None:
        fifo = tmp_path / "p.toml"
        os.mkfifo(fifo)
        refused(invoke("validate", fifo), "not a regular file")

    def test_a_year_column_beyond_any_horizon(self, book: Path) -> None:
        edit(book, "Costs", "AZ4", "Year 999999999")
        done = bounded("validate", str(book))
        assert done.returncode == 1, done.stderr
        assert "Costs!AZ4" in done.stderr and "beyond the longest horizon" in done.stderr

    def test_a_dimension_that_lies_and_one_far_row(self, book: Path, tmp_path: Path) -> None:
        part = sheet_part(book, "Costs")
        far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>JET</t></is></c></row>'

        def change(xml: str) -> str:
            xml = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml)
            return add_rows(xml, far)

        hostile = rewrite_part(book, part, change, tmp_path / "lie.xlsx")
        done = bounded("validate", str(hostile))
        assert done.returncode == 1, done.stderr
        assert "Costs!A1048576" in done.stderr and "beyond row" in done.stderr

    def test_a_million_real_rows_are_refused_within_bounds(
        self, book: Path, tmp_path: Path
    ) -> None:
        part = sheet_part(book, "Costs")
        rows = "".join(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>JET</t></is></c></row>'
            for r in range(100, 1_048_572)
        )
        hostile = rewrite_part(book, part, lambda xml: add_rows(xml, rows), tmp_path / "m.xlsx")
        done = bounded("validate", str(hostile))
        assert done.returncode == 1, done.stderr
        assert "beyond row 100,004" in done.stderr


# ---------------------------------------------------------------------------------------------
# 3. Ambiguous workbooks are refused, never guessed


class TestAmbiguousWorkbooks:
    def test_a_second_annual_column_even_hidden(self, book: Path) -> None:
        wb = openpyxl.load_workbook(book)
        ws = wb["Costs"]
        spare = ws.max_column + 1
        ws.cell(row=4, column=spare, value="Annual £")
        ws.cell(row=5, column=spare, value=-1e13)
        ws.column_dimensions[openpyxl.utils.get_column_letter(spare)].hidden = True
        wb.save(book)
        text = refused(invoke("run", book), "'Annual £' is given twice", "Costs!F4")
        assert "npv-calc does not guess" in text

    def test_a_second_horizon_row(self, book: Path) -> None:
        wb = openpyxl.load_workbook(book)
        ws = wb["Portfolio"]
        row = ws.max_row + 1
        ws.cell(row=row, column=1, value="Horizon (years)")
        ws.cell(row=row, column=2, value=40)
        wb.save(book)
        refused(invoke("run", book), "the setting 'Horizon (years)' is given twice", "Portfolio!A")

    def test_a_grade_twice(self, book: Path) -> None:
        wb = openpyxl.load_workbook(book)
        ws = wb["Grades"]
        row = ws.max_row + 1
        ws.cell(row=row, column=1, value=3)
        ws.cell(row=row, column=2, value=0.5)
        wb.save(book)
        refused(invoke("run", book), "grade 3 is given twice")


# ---------------------------------------------------------------------------------------------
# 4. Nothing hides a project


class TestNothingHidesAProject:
    @pytest.mark.parametrize("name", [".hidden.toml", ".old/jet.toml"])
    def test_hidden_file_names_are_refused_on_import(
        self, book: Path, tmp_path: Path, name: str
    ) -> None:
        edit(book, "Projects", "L5", name)
        refused(invoke("import", book, "--to", tmp_path / "back"), "Projects!L5", "must not start")
        assert not (tmp_path / "back").exists()

    def test_every_skipped_entry_is_a_warning(self, scenario_dir: MakeDir, tmp_path: Path) -> None:
        folder = scenario_dir()
        (folder / ".hidden.toml").write_text(PROJECT.replace("P1", "H1"), encoding="utf-8")
        (folder / ".old").mkdir()
        (folder / ".old" / "jet.toml").write_text(PROJECT.replace("P1", "H2"), encoding="utf-8")
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "x.toml").write_text(PROJECT.replace("P1", "X1"), encoding="utf-8")
        (folder / "linked").symlink_to(elsewhere, target_is_directory=True)
        (folder / "gone.toml").symlink_to(tmp_path / "nothing.toml")
        result = invoke("validate", folder)
        assert result.exit_code == 0, result.output
        warned = "\n".join(line for line in result.stderr.splitlines() if "Warning:" in line)
        assert ".hidden.toml: skipped: a hidden file" in warned
        assert ".old: skipped: a hidden folder" in warned
        assert "linked: skipped: a link to a folder" in warned
        assert "gone.toml: skipped: a link to a file that does not exist" in warned
        assert invoke("validate", folder, "--strict").exit_code == 1

    def test_an_unreadable_folder_is_a_warning(
        self, scenario_dir: MakeDir, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        folder = scenario_dir()
        locked = folder / "locked"
        locked.mkdir()
        real = os.scandir

        def scandir(path: Any) -> Any:
            if Path(path) == locked:
                raise PermissionError(13, "Permission denied")
            return real(path)

        monkeypatch.setattr("npv_calc.load.paths.os.scandir", scandir)
        result = invoke("validate", folder)
        assert "locked: skipped: the folder cannot be read (Permission denied)" in result.stderr

    def test_folders_nested_1200_deep(self, scenario_dir: MakeDir) -> None:
        folder = scenario_dir()
        deep = folder
        for _ in range(40):  # beyond the 32 searched; 1,200 would exceed a path's length
            deep = deep / "d"
        deep.mkdir(parents=True)
        (deep / "x.toml").write_text(PROJECT.replace("P1", "X9"), encoding="utf-8")
        result = invoke("validate", folder)
        assert result.exit_code == 0, result.output
        assert "skipped: more than 32 folders deep" in result.stderr

    def test_a_tree_1200_folders_deep_is_no_internal_error(self, tmp_path: Path) -> None:
        folder = tmp_path / "s"
        folder.mkdir()
        (folder / "portfolio.toml").write_text(textwrap.dedent(PORTFOLIO), encoding="utf-8")
        (folder / "p1.toml").write_text(textwrap.dedent(PROJECT), encoding="utf-8")
        # Built with relative paths (os.chdir), as a path 1,200 folders long is too long to give.
        here = os.getcwd()
        try:
            os.chdir(folder)
            for _ in range(1200):
                os.mkdir("d")
                os.chdir("d")
        finally:
            os.chdir(here)
        try:
            done = bounded("validate", str(folder))
        finally:
            _remove_chain(folder, 1200)  # shutil.rmtree recurses, and 1,200 levels is too deep
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr and "unexpected" not in done.stderr


def _remove_chain(folder: Path, depth: int) -> None:
    """Remove a chain of ``depth`` folders called ``d`` below ``folder``, deepest first."""
    here = os.getcwd()
    try:
        os.chdir(folder)
        for _ in range(depth):
            os.chdir("d")
        for _ in range(depth):
            os.chdir("..")
            os.rmdir("d")
    finally:
        os.chdir(here)


# ---------------------------------------------------------------------------------------------
# 5. PV by agency matches agencies exactly


def test_agency_names_are_never_patterns_after_recalculation(
    scenario_dir: MakeDir, tmp_path: Path
) -> None:
    costs = [("Fire", 100), ("fire", 50), ("*", 7), ("<>Police", 3), ("Fire?", 2), ("=Fire", 1)]
    lines = "\n".join(
        f'[[costs]]\nname = "C{i}"\nagency = "{agency}"\namounts = [{amount}]\n'
        for i, (agency, amount) in enumerate(costs)
    )
    project = f'id = "A"\nname = "Agencies"\nstart_year = 2020\n{lines}'
    folder = scenario_dir(p1=project)
    result = appraise(load_portfolio(folder))
    expected = result.project("A").pv_costs_by_agency
    assert expected == {agency: float(amount) for agency, amount in costs}
    from npv_calc.report.workbook import write_workbook

    written = write_workbook(pack_of(result), tmp_path / "board.xlsx")
    (recalculated,) = recalculate_in_libreoffice([written], tmp_path / "recalculated")
    rows = sheet_rows(recalculated, "A")
    shown = {rows[r - 1][3]: rows[r - 1][4] for r in range(6, 6 + len(costs))}
    assert shown == pytest.approx(expected)


# ---------------------------------------------------------------------------------------------
# 6. Permissions kept


class TestPermissions:
    def test_a_private_workbook_stays_private(self, tmp_path: Path) -> None:
        target = tmp_path / "board.xlsx"
        target.write_bytes(b"old")
        target.chmod(0o600)
        assert invoke("run", EXAMPLE, "--xlsx", target).exit_code == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert zipfile.is_zipfile(target)

    def test_export_keeps_the_mode_too(self, tmp_path: Path) -> None:
        target = tmp_path / "input.xlsx"
        target.write_bytes(b"old")
        target.chmod(0o640)
        assert invoke("export", EXAMPLE, "--to", target).exit_code == 0
        assert stat.S_IMODE(target.stat().st_mode) == 0o640

    def test_a_new_file_follows_the_umask(self, tmp_path: Path) -> None:
        old = os.umask(0o027)
        try:
            assert invoke("run", EXAMPLE, "--xlsx", tmp_path / "b.xlsx").exit_code == 0
        finally:
            os.umask(old)
        assert stat.S_IMODE((tmp_path / "b.xlsx").stat().st_mode) == 0o640


# ---------------------------------------------------------------------------------------------
# 7. A failed run damages nothing


class TestFailedRunsDamageNothing:
    def test_an_overflowing_simulation_leaves_the_old_workbook(
        self, scenario_dir: MakeDir, tmp_path: Path
    ) -> None:
        project = PROJECT.replace(
            "annual = 10_000", "annual = { low = 0, central = 1, high = 1e300 }"
        )
        folder = scenario_dir(p1=project)
        previous = tmp_path / "prev.xlsx"
        previous.write_bytes(b"the board pack of last month")
        result = invoke("simulate", folder, "-n", "2000", "--seed", "1", "--xlsx", previous)
        refused(result, "Monte Carlo works with NPVs up to")
        assert "Wrote" not in result.stderr and "RuntimeWarning" not in result.stderr
        assert previous.read_bytes() == b"the board pack of last month"

    @pytest.mark.parametrize(
        "args",
        [[], ["--format", "json"], ["--format", "csv"], ["--xlsx", "board.xlsx"]],
    )
    def test_a_sum_too_large_is_the_same_error_everywhere(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
    ) -> None:
        monkeypatch.chdir(tmp_path)
        folder = tmp_path / "huge"
        folder.mkdir()
        for i in range(10):
            (folder / f"p{i}.toml").write_text(
                f'id = "P{i}"\nname = "p"\nstart_year = 2020\n[[benefits]]\nannual = 5e306\n',
                encoding="utf-8",
            )
        result = invoke("run", folder, *args)
        refused(result, "more than a computer can hold")
        assert result.stdout == ""
        assert not (tmp_path / "board.xlsx").exists()
        refused(invoke("compare", folder, folder), "more than a computer can hold")


# ---------------------------------------------------------------------------------------------
# 8. No internal errors


class TestNoInternalErrors:
    def test_arrays_nested_hundreds_deep(self, scenario_dir: MakeDir) -> None:
        nested = "[" * 400 + "1" + "]" * 400
        folder = scenario_dir(p1=PROJECT.replace("annual = 10_000", f"amounts = {nested}"))
        refused(invoke("validate", folder), "amounts[0]: must be a number")
        deeper = "[" * 1500 + "]" * 1500
        folder = scenario_dir(p1=PROJECT.replace("annual = 10_000", f"amounts = {deeper}"))
        refused(invoke("validate", folder), "nest too deeply")

    def test_an_integer_of_4400_digits(self, scenario_dir: MakeDir) -> None:
        folder = scenario_dir(p1=PROJECT.replace("annual = 10_000", "annual = " + "9" * 4400))
        refused(
            invoke("validate", folder),
            'p1.toml:11: costs[1] "Staff": annual: must be a finite number no larger than about '
            "1e308, got 9999999999999999... (a whole number of 4,400 digits)",
        )

    def test_a_link_to_proc_self_mem(self, tmp_path: Path) -> None:
        link = tmp_path / "m.xlsx"
        link.symlink_to("/proc/self/mem")
        done = bounded("validate", str(link))
        assert done.returncode == 1, done.stderr
        assert "unexpected" not in done.stderr and "Traceback" not in done.stderr

    @pytest.mark.parametrize(
        ("stored", "phrase"),
        [
            ("abc", 'got text "abc"'),
            ("1,000", 'got text "1,000"'),
            ("inf", "must be a finite number"),
            ("nan", "must be a finite number"),
        ],
    )
    def test_a_number_cell_that_holds_no_number(
        self, book: Path, tmp_path: Path, stored: str, phrase: str
    ) -> None:
        part = sheet_part(book, "Costs")

        def change(xml: str) -> str:  # Costs!E5 is the first line's Annual £ low (a number)
            return re.sub(r'<c r="F5"[^>]*>.*?</c>', f'<c r="F5"><v>{stored}</v></c>', xml)

        hostile = rewrite_part(book, part, change, tmp_path / "n.xlsx")
        text = refused(invoke("validate", hostile), "Costs!F5", phrase)
        assert "has no costs or benefits" not in text
        assert len(errors(invoke("validate", hostile))) == 1

    def test_a_full_disk_is_one_clean_error(self, tmp_path: Path) -> None:
        script = textwrap.dedent(
            """
            import errno, os, sys
            import npv_calc.files as files
            def full(descriptor):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            files.os.fsync = full
            sys.argv = ["npv-calc", "run", sys.argv[1], "--xlsx", sys.argv[2]]
            from npv_calc.cli import main
            main()
            """
        )
        target = tmp_path / "board.xlsx"
        done = subprocess.run(
            [sys.executable, "-c", script, str(EXAMPLE), str(target)],
            capture_output=True,
            text=True,
            timeout=WALL_SECONDS,
        )
        assert done.returncode == 1
        assert "No space left on device" in done.stderr
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
        assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------------------------
# 9. Limits that are stated


class TestLimits:
    def test_ids_are_at_most_64_characters(self, scenario_dir: MakeDir) -> None:
        folder = scenario_dir(p1=PROJECT.replace('id = "P1"', 'id = "' + "A" * 65 + '"'))
        refused(invoke("validate", folder), "must be at most 64 characters")
        ok = scenario_dir(p1=PROJECT.replace('id = "P1"', 'id = "' + "A" * 64 + '"'))
        assert invoke("validate", ok).exit_code == 0

    @pytest.mark.parametrize(("a", "b"), [("abc", "ABC"), ("A-1", "A_1")])
    def test_validate_refuses_ids_a_workbook_cannot_tell_apart(
        self, scenario_dir: MakeDir, a: str, b: str
    ) -> None:
        folder = scenario_dir(
            a=PROJECT.replace('id = "P1"', f'id = "{a}"'),
            b=PROJECT.replace('id = "P1"', f'id = "{b}"'),
        )
        refused(invoke("validate", folder), "would give the same names in the board workbook")

    def test_a_project_too_large_for_a_workbook_is_refused_before_work(
        self, scenario_dir: MakeDir, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import npv_calc.simulate

        lines = "".join(f'[[costs]]\nname = "L{i}"\nannual = 1\n' for i in range(2000))
        project = f'id = "W"\nname = "Wide"\nstart_year = 2020\nhorizon = 400\n{lines}'
        folder = scenario_dir(p1=project)

        def too_late(*args: Any, **kwargs: Any) -> None:
            raise AssertionError("the simulation ran before the workbook was refused")

        with monkeypatch.context() as patched:
            patched.setattr(npv_calc.simulate, "simulate", too_late)
            refused(
                invoke("simulate", folder, "-n", "10", "--xlsx", tmp_path / "b.xlsx"),
                "2,000 lines over 400 years, too many for a board workbook",
            )
        assert invoke("run", folder, "--format", "json").exit_code == 0  # figures still come

    def test_iterations_have_an_upper_bound(self) -> None:
        result = invoke("simulate", EXAMPLE, "-n", str(10**12))
        assert result.exit_code == 2
        assert "10000000" in result.stderr or "10,000,000" in result.stderr


# ---------------------------------------------------------------------------------------------
# 10. The nits


class TestNits:
    def test_sigterm_during_a_write_leaves_no_temporary(self, tmp_path: Path) -> None:
        script = textwrap.dedent(
            """
            import sys, time
            import npv_calc.files as files
            real = files.os.fsync
            def slow(descriptor):
                print("writing", flush=True)
                time.sleep(30)
                real(descriptor)
            files.os.fsync = slow
            sys.argv = ["npv-calc", "run", sys.argv[1], "--xlsx", sys.argv[2]]
            from npv_calc.cli import main
            main()
            """
        )
        target = tmp_path / "board.xlsx"
        target.write_bytes(b"previous")
        child = subprocess.Popen(
            [sys.executable, "-c", script, str(EXAMPLE), str(target)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "writing"  # the temporary file exists now
        assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=WALL_SECONDS)
        assert child.returncode == 128 + signal.SIGTERM
        assert [p.name for p in tmp_path.iterdir()] == ["board.xlsx"]
        assert target.read_bytes() == b"previous"

    def test_stale_temporaries_of_killed_runs_are_removed(self, tmp_path: Path) -> None:
        dead = tmp_path / ".board.xlsx.npv-calc-999999999.abc123.tmp"
        dead.write_bytes(b"left by a killed run")
        alive = tmp_path / f".board.xlsx.npv-calc-{os.getppid()}.def456.tmp"
        alive.write_bytes(b"another run, still writing")
        other = tmp_path / ".notes.npv-calc-999999999.x.tmp"
        other.write_bytes(b"not ours to remove")
        assert invoke("run", EXAMPLE, "--xlsx", tmp_path / "board.xlsx").exit_code == 0
        assert not dead.exists()
        assert alive.exists() and other.exists()

    def test_a_password_protected_workbook_is_named_as_such(self, tmp_path: Path) -> None:
        path = tmp_path / "locked.xlsx"
        header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
        path.write_bytes(header + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000)
        refused(invoke("validate", path), "password-protected")

    def test_an_excel_4_macro_sheet_is_refused(self, book: Path, tmp_path: Path) -> None:
        hostile = tmp_path / "xlm.xlsx"
        with zipfile.ZipFile(book) as zin, zipfile.ZipFile(hostile, "w") as zout:
            for info in zin.infolist():
                zout.writestr(info, zin.read(info.filename))
            zout.writestr("xl/macrosheets/sheet1.xml", "<xm:macrosheet/>")
        refused(invoke("validate", hostile), "Excel 4 macro sheet")

    def test_an_escape_sequence_in_a_name_is_printed_escaped(self, scenario_dir: MakeDir):
        folder = scenario_dir(
            p1=PROJECT.replace('name = "Project one"', 'name = "Bad\\u001b]0;owned\\u0007"')
        )
        result = invoke("run", folder)
        assert result.exit_code == 0
        assert "\x1b" not in result.stdout and "\\x1b]0;owned" in result.stdout

    def test_a_carriage_return_survives_export_and_import(
        self, scenario_dir: MakeDir, tmp_path: Path
    ) -> None:
        folder = scenario_dir(
            p1=PROJECT.replace('name = "Staff"', 'name = "Two\\r\\nlines _x0041_ kept"')
        )
        book = tmp_path / "in.xlsx"
        assert invoke("export", folder, "--to", book).exit_code == 0
        assert invoke("import", book, "--to", tmp_path / "back").exit_code == 0
        back = load_portfolio(tmp_path / "back")
        assert back.projects[0].costs[0].name == "Two\r\nlines _x0041_ kept"
        assert escape_text("a\rb") == "a_x000D_b"

    def test_an_unreadable_path_is_bad_input_not_usage(
        self, scenario_dir: MakeDir, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        folder = scenario_dir()
        real = os.access
        monkeypatch.setattr(
            os, "access", lambda p, mode, **k: False if "p1" in str(p) else real(p, mode, **k)
        )
        monkeypatch.setattr(
            Path,
            "read_bytes",
            lambda self: (_ for _ in ()).throw(PermissionError(13, "Permission denied")),
        )
        result = invoke("validate", folder / "p1.toml")
        assert result.exit_code == 1, result.output
        assert "Permission denied" in result.stderr

    def test_export_refuses_text_a_cell_cannot_hold(
        self, scenario_dir: MakeDir, tmp_path: Path
    ) -> None:
        long = "x" * 40_000
        folder = scenario_dir(
            p1=PROJECT.replace(
                'status = "approved"', f'status = "approved"\ndescription = "{long}"'
            )
        )
        target = tmp_path / "in.xlsx"
        refused(invoke("export", folder, "--to", target), "40,000 characters", "32,767")
        assert not target.exists()
        board = tmp_path / "board.xlsx"
        assert invoke("run", folder, "--xlsx", board).exit_code == 0
        ws = SheetView(board, "P1")
        texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        cut = [t for t in texts if t.startswith("xxxx")]
        assert cut and all(
            len(t) <= 32_767 and t.endswith("the full text is in the input)") for t in cut
        )


def test_the_limits_are_stated_in_the_docs() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    for phrase in ("64 characters", "10,000,000", "100,000 rows", "500 lines", "20 MB"):
        assert phrase in text, phrase
