"""The architecture is a contract: layers, forbidden imports and no import circles.

``lint-imports`` checks the contracts written in ``pyproject.toml``; a second check finds any
import circle at all between modules (lazy imports inside functions included), which is stricter
than import-linter's circles between siblings.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _layers() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    layers = next(c for c in contracts if c["type"] == "layers")
    return [name.strip() for layer in layers["layers"] for name in layer.split("|")]


def test_import_contracts_are_kept() -> None:
    command = Path(sys.executable).parent / "lint-imports"
    if not command.exists():
        pytest.fail(
            f"lint-imports is not installed beside {sys.executable}: pip install -e '.[test]'"
        )
    done = subprocess.run(
        [str(command), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def _strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
    """Tarjan's algorithm over the module import graph (iterative, so depth is no limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []
    counter = 0
    modules = sorted(m for m in graph.modules if m.startswith("npv_calc"))
    for start in modules:
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if not child.startswith("npv_calc"):
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def test_no_import_circle_between_any_modules() -> None:
    graph = grimp.build_graph("npv_calc", cache_dir=None)
    circles = [sorted(c) for c in _strongly_connected(graph) if len(c) > 1]
    assert circles == [], f"modules that import each other, directly or not: {circles}"


def test_the_circle_check_finds_a_circle() -> None:
    graph = grimp.build_graph("npv_calc", cache_dir=None)
    graph.add_import(importer="npv_calc.model", imported="npv_calc.calculate")
    circles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert any({"npv_calc.model", "npv_calc.calculate"} <= c for c in circles)


def test_every_layer_is_drawn_in_the_architecture_doc() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [name for name in _layers() if f"`{name}`" not in text]
    assert missing == [], f"docs/architecture.md does not name the layers {missing}"


def test_every_module_is_in_a_layer() -> None:
    package = ROOT / "src" / "npv_calc"
    children = {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    children |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    assert children == set(_layers())
