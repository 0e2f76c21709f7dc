"""Generate large scenario directories for the benchmarks (deterministic for a given seed)."""

from __future__ import annotations

import random
from pathlib import Path

PORTFOLIO = """\
[portfolio]
name = "Generated portfolio ({count} projects)"
target = {target}
target_year = 2027

[appraisal]
horizon = 10
price_base_year = 2023

[deflators]
2015 = 75.1536
2023 = 96.2507
"""


GROUPS = 4
CORRELATION = """
[correlation.groups]
g0 = 0.5
g1 = 0.5
g2 = 0.3
g3 = 0.3

[[correlation.between]]
groups = ["g0", "g1"]
rank = 0.2
"""


def _uncertain(rng: random.Random, central: float, spread: float, group: str = "") -> str:
    low, high = central * (1 - spread), central * (1 + spread)
    tail = f', group = "{group}"' if group else ""
    return f"{{ low = {low:.2f}, central = {central:.2f}, high = {high:.2f}{tail} }}"


def project_text(rng: random.Random, index: int, lines: int = 4, grouped: bool = False) -> str:
    """A project with ``lines`` lines, half costs and half benefits, two uncertain values each
    (with ``grouped``, each uncertain value in one of four correlation groups)."""
    counter = iter(range(10**9))

    def group() -> str:
        return f"g{next(counter) % GROUPS}" if grouped else ""

    parts = [
        f'id = "P{index:04d}"',
        f'name = "Generated project {index}"',
        f"start_year = {rng.randint(2017, 2030)}",
        'status = "approved"',
        "",
    ]
    for n in range(lines):
        if n % 2 == 0:
            parts += [
                "[[costs]]",
                f'name = "Cost {n}"',
                'agency = "Police"',
                f"annual = {_uncertain(rng, rng.uniform(10_000, 200_000), 0.2, group())}",
                f"optimism_bias = {_uncertain(rng, 0.2, 0.5, group())}",
                "",
            ]
        else:
            parts += [
                "[[benefits]]",
                f'name = "Benefit {n}"',
                'agency = "Fire"',
                f"quantity = {_uncertain(rng, rng.uniform(10, 100), 0.3, group())}",
                f"unit_value = {rng.uniform(1_000, 8_000):.2f}",
                "price_year = 2015",
                f"years = [{rng.randint(0, 2)}, 9]",
                f"deadweight = {_uncertain(rng, 0.2, 0.5, group())}",
                "attribution = 0.6",
                "confidence = 3",
                "",
            ]
    return "\n".join(parts)


def write_portfolio(
    folder: Path, count: int, lines: int = 4, seed: int = 1, grouped: bool = False
) -> Path:
    """Write ``portfolio.toml`` and ``count`` project files into ``folder``; return it. With
    ``grouped``, every uncertain value is in one of four correlation groups."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    text = PORTFOLIO.format(count=count, target=count * 400_000)
    (folder / "portfolio.toml").write_text(
        text + (CORRELATION if grouped else ""), encoding="utf-8"
    )
    for i in range(count):
        (folder / f"p{i:04d}.toml").write_text(
            project_text(rng, i, lines, grouped), encoding="utf-8"
        )
    return folder
