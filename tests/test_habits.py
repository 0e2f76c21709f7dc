"""The code's habits, checked: every function short enough to read at once, every module a size
a reader can hold, the type checker clean, and no sheet of the board workbook naming another
sheet's cells (or its own) by a literal address.

A cell of the workbook is named through :mod:`npv_calc.report.workbook.anchors` (``at``,
``fixed``, :class:`Cell`, :class:`Span`) or a defined name: moving a row then moves every formula
that refers to it, and formulas and charts number rows and columns alike.
"""

from __future__ import annotations

import ast
import itertools
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "npv_calc"
REPORT = SOURCE / "report"
#: The longest function and module allowed in src/ (lines, docstring and comments included).
MAX_FUNCTION = 100
MAX_MODULE = 800
#: A literal absolute address such as $B$10 (or $B10, B$10) in a string.
ABSOLUTE = re.compile(r"\$[A-Z]{1,3}\$?[0-9]+|(?<![A-Za-z_])[A-Z]{1,3}\$[0-9]+")
#: The end of an f-string's literal part that a formatted row or column completes into an
#: address: ``C{row}``, ``$C${row}``, ``{c}${t_row}``'s ``$``, ``${letter}``.
ADDRESS_PIECE = re.compile(r"(?<![A-Za-z0-9_])\$?[A-Z]{1,3}\$?$|(?<![A-Za-z0-9_\]])\$$")


def _sources(folder: Path) -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(folder.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"))


def test_no_function_is_longer_than_a_screen() -> None:
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1})"
        for path, tree in _sources(SOURCE)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION
    ]
    assert long == [], f"functions over {MAX_FUNCTION} lines: {long}"


def test_no_module_is_longer_than_a_reader_holds() -> None:
    long = [
        f"{path.relative_to(ROOT)} ({count})"
        for path in sorted(SOURCE.rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE
    ]
    assert long == [], f"modules over {MAX_MODULE} lines: {long}"


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of a module, its classes and functions (they may show
    an address as an example)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _literal_addresses(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Strings that hold a literal cell address, and f-strings whose literal part is the
    column of an address completed by a formatted value (docstrings aside)."""
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for part, after in itertools.pairwise(parts):
                if (
                    isinstance(part, ast.Constant)
                    and isinstance(part.value, str)
                    and isinstance(after, ast.FormattedValue)
                    and ADDRESS_PIECE.search(part.value)
                ):
                    yield node.lineno, part.value
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and ABSOLUTE.search(node.value)
        ):
            yield node.lineno, node.value


def test_no_literal_cell_address_in_the_outputs() -> None:
    """Everywhere in the outputs but ``anchors.py``, whose job it is to make addresses."""
    found = [
        f"{path.relative_to(ROOT)}:{line} {text!r}"
        for path, tree in _sources(REPORT)
        if path.name != "anchors.py"
        for line, text in _literal_addresses(tree)
    ]
    assert found == [], "addresses written as literals (use anchors.at, fixed, Cell, Span): " + (
        "; ".join(found)
    )


@pytest.mark.parametrize(
    "source",
    [
        'formula = "=$B$10*2"',
        'formula = f"=F{row}-E{row}"',
        'formula = f"$C${row}:${letter(12)}${row}"',
        'formula = f"={c}${t_row}"',
    ],
)
def test_the_address_check_finds_a_literal(source: str) -> None:
    assert list(_literal_addresses(ast.parse(source)))


@pytest.mark.parametrize(
    "source",
    [
        'name = f"NPV_{nid}"',
        'formula = f"={at(row, 6)}-{at(row, 5)}"',
        'label = "P5 to P95, in £"',
        'text = f"£{value:,.0f}"',
    ],
)
def test_the_address_check_passes_what_is_not_an_address(source: str) -> None:
    assert list(_literal_addresses(ast.parse(source))) == []


def test_mypy_finds_no_error() -> None:
    """``mypy`` (configured in pyproject.toml) on the whole package: the package ships
    ``py.typed``, so its types are a promise to its users. Incremental, with mypy's cache in
    ``.mypy_cache``: a first run takes seconds, a run after a change checks what it touched."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
