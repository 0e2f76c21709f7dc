"""The console table: what a finance officer reads in a terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..calculate import financial_year

if TYPE_CHECKING:
    from ..calculate import PortfolioResult


def money(value: float | None) -> str:
    """Whole pounds with thousands separators: ``-£1,234``; ``–`` for no value."""
    if value is None:
        return "–"
    rounded = round(value)
    sign = "-" if rounded < 0 else ""
    return f"{sign}£{abs(rounded):,}"


def percent(value: float | None, places: int = 1) -> str:
    return "–" if value is None else f"{value * 100:.{places}f}%"


def ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def render_rows(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    """Columns padded to their widest cell; ``right`` holds the right-aligned column numbers."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [fmt(headers), rule, *(fmt(r) for r in rows)]


def settings_line(result: PortfolioResult) -> str:
    s = result.settings
    rate = f"{s.discount_rate * 100:g}%"
    shape = " (declining after year 30)" if s.declining and s.horizon > 31 else ""
    year0 = "; year 0 discounted" if s.discount_year0 else "; year 0 undiscounted"
    prices = (
        f"; {financial_year(s.price_base_year)} prices" if s.price_base_year is not None else ""
    )
    return f"Discount rate {rate}{shape}{year0}; {s.horizon}-year horizon{prices}"


def render(result: PortfolioResult) -> str:
    """The ``run --format table`` text."""
    portfolio = result.portfolio
    lines = [f"{portfolio.name} — {result.scenario} scenario", settings_line(result), ""]
    headers = ["ID", "Project", "Years", "PV costs", "PV benefits", "NPV", "BCR", "Payback"]
    has_target = portfolio.target is not None
    if has_target:
        headers.append("Toward target")
    rows = []
    for p in result.projects:
        row = [
            p.project.id,
            _clip(p.project.name, 36),
            p.span,
            money(p.pv_costs),
            money(p.pv_benefits),
            money(p.npv),
            ratio(p.bcr),
            financial_year(p.payback_year) if p.payback_year is not None else "none",
        ]
        if has_target:
            row.append("yes" if p.counts_toward_target else "no")
        rows.append(row)
    count = len(result.projects)
    total = [
        "",
        f"Portfolio ({count} project{'s' if count != 1 else ''})",
        "",
        money(result.pv_costs),
        money(result.pv_benefits),
        money(result.npv),
        "",
        "",
    ]
    if has_target:
        total.append("")
    table = render_rows(headers, [*rows, total], right={3, 4, 5, 6})
    lines += [*table[:-1], table[1], table[-1]]
    lines.append("")
    if has_target:
        year = portfolio.target_year
        who = f"projects starting by {financial_year(year)}" if year is not None else "all projects"
        lines.append(f"NPV toward target ({who}): {money(result.npv_toward_target)}")
        by = f" by {year}" if year is not None else ""
        lines.append(f"Target{by}: {money(portfolio.target)}")
        if result.meets_target:
            lines.append(f"MEETS TARGET: headroom {money(result.headroom)}")
        else:
            lines.append(f"MISSES TARGET: shortfall {money(-(result.headroom or 0.0))}")
    else:
        lines.append("No target set ([portfolio] target in portfolio.toml).")
    return "\n".join(lines) + "\n"
