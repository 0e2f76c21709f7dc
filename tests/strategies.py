"""Hypothesis strategies for valid portfolios, and a small TOML writer to put them on disk.

A generated portfolio is plain data (:class:`GeneratedPortfolio`): the ``portfolio.toml`` document
and one document per project, as the dicts ``tomllib`` would read back. Tests write them with
:func:`write` (or :func:`loaded`) and read them through :func:`npv_calc.load_portfolio`, so the
loader is exercised on every example too.

Every generated document is valid under SPEC.md: money >= 0, shares in [0, 1], ``growth`` and
``drop_off`` in (-1, 1), ``years`` inside the project's horizon, ``amounts`` no longer than it,
``price_year`` only where ``[deflators]`` can rebase it, and uncertain values with
``low <= central <= high``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import math
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from npv_calc.load.rules import name_key

# ---------------------------------------------------------------------------------------------
# TOML writer

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


def toml_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_string(key)


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for char in text:
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def toml_value(value: Any) -> str:
    """A value written inline: numbers, text, booleans, dates, arrays and inline tables."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def toml_dumps(document: dict[str, Any]) -> str:
    """A TOML document for a dict: top-level dicts become ``[tables]``, top-level lists of dicts
    ``[[arrays of tables]]``, and anything deeper is written inline."""
    head: list[str] = []
    tail: list[str] = []
    for key, value in document.items():
        if isinstance(value, dict):
            tail.append(f"\n[{toml_key(key)}]")
            tail.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        elif _is_table_array(value):
            for table in value:
                tail.append(f"\n[[{toml_key(key)}]]")
                tail.extend(f"{toml_key(k)} = {toml_value(v)}" for k, v in table.items())
        else:
            head.append(f"{toml_key(key)} = {toml_value(value)}")
    return "\n".join(head + tail) + "\n"


# ---------------------------------------------------------------------------------------------
# Generated portfolios


@dataclass
class GeneratedPortfolio:
    """``portfolio.toml`` and the project files of a generated scenario directory."""

    portfolio: dict[str, Any]
    projects: list[dict[str, Any]] = field(default_factory=list)

    @property
    def appraisal(self) -> dict[str, Any]:
        return self.portfolio.get("appraisal", {})

    def files(self) -> dict[str, str]:
        """File name -> TOML text."""
        texts = {"portfolio.toml": toml_dumps(self.portfolio)}
        for number, project in enumerate(self.projects, start=1):
            texts[f"project{number:02d}.toml"] = toml_dumps(project)
        return texts


def write(folder: Path, generated: GeneratedPortfolio) -> Path:
    """Write a generated portfolio into ``folder`` (created if needed) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in generated.files().items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@contextlib.contextmanager
def written(generated: GeneratedPortfolio) -> Iterator[Path]:
    """A temporary scenario directory holding ``generated`` (Hypothesis cannot use ``tmp_path``:
    one directory would be shared by every example)."""
    with tempfile.TemporaryDirectory(prefix="npv-calc-") as folder:
        yield write(Path(folder), generated)


def loaded(generated: GeneratedPortfolio) -> Any:
    """The :class:`npv_calc.model.Portfolio` read back from a written copy of ``generated``."""
    from npv_calc import load_portfolio

    with written(generated) as folder:
        return load_portfolio(folder)


PRICE_BASE_YEAR = 2023
DEFLATORS = {"2015": 81.2, "2020": 90.5, "2023": 100.0}
AGENCIES = ("Police", "Fire", "Ambulance", "Council")
GRADES = {"1": 0.0, "2": 0.05, "3": 0.10, "4": 0.15, "5": 0.25, "6": 0.40}

#: Realistic inputs: pounds to the penny, shares and rates to 4 decimal places (hypothesis still
#: finds the edges: 0, 1, equal values; each is one integer drawn, not a choice among kinds,
#: which would double the draws behind a list of amounts). Subnormal-sized money such as 1e-300
#: is not realistic and is tested on its own (test_calculate.py).


@functools.cache
def _decimals(low: float, high: float, places: int) -> st.SearchStrategy[float]:
    unit = 10**places
    return st.integers(round(low * unit), round(high * unit)).map(lambda i: i / unit)


money = _decimals(0.0, 2_000_000.0, 2)
quantities = _decimals(0.0, 1_000.0, 2)
unit_values = _decimals(0.0, 20_000.0, 2)
shares = _decimals(0.0, 1.0, 4)
yearly_changes = _decimals(-0.3, 0.3, 4)
scales = _decimals(0.0, 3.0, 3)
cost_uplifts = _decimals(0.0, 2.0, 4)
START_YEARS = st.integers(2010, 2035)
ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,7}", fullmatch=True)
names = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda s: s.strip() != "")


_COST_FORMS = ("amounts", "annual")
_BENEFIT_FORMS = ("amounts", "annual", "quantity")


@functools.cache
def _amounts(horizon: int) -> st.SearchStrategy[list[float]]:
    return st.lists(money, min_size=1, max_size=horizon)


@functools.cache
def uncertain(values: st.SearchStrategy[float]) -> st.SearchStrategy[dict[str, float]]:
    """``{low, central, high}`` with ``low <= central <= high`` drawn from ``values``."""
    return st.tuples(values, values, values).map(
        lambda xs: dict(zip(("low", "central", "high"), sorted(xs), strict=True))
    )


@functools.cache
def maybe_uncertain(values: st.SearchStrategy[float]) -> st.SearchStrategy[Any]:
    """A plain number or an uncertain table of such numbers."""
    return st.one_of(values, uncertain(values))


@functools.cache
@st.composite
def years_windows(draw: st.DrawFn, horizon: int) -> list[int]:
    """``[first, last]`` inside a horizon: ``0 <= first <= last <= horizon - 1``."""
    first = draw(st.integers(0, horizon - 1))
    last = draw(st.integers(first, horizon - 1))
    return [first, last]


#: Which optional keys a line gives, one bit each (:func:`lines`): one draw, not ten.
_OPTIONAL: tuple[str, ...] = ("agency", "years", "growth", "drop_off", "scale", "price_year")
_OPTIONAL += ("optimism_bias", "deadweight", "displacement", "attribution")
_GIVEN = st.integers(0, 2 ** len(_OPTIONAL) - 1)
_PRICE_YEARS = tuple(int(year) for year in sorted(DEFLATORS))
_KINDS = ("revenue", "capital")
_BIASES = ("none", "optimism_bias", "confidence")


@functools.cache
@st.composite
def lines(draw: st.DrawFn, section: str, horizon: int, index: int = 1) -> dict[str, Any]:
    """A valid ``[[costs]]`` or ``[[benefits]]`` table for a project of ``horizon`` years."""
    line: dict[str, Any] = {"name": f"{section[:-1].capitalize()} {index}"}
    flags = draw(_GIVEN)
    given = {key for bit, key in enumerate(_OPTIONAL) if flags >> bit & 1}
    if "agency" in given:
        line["agency"] = draw(st.sampled_from(AGENCIES))
    form = draw(st.sampled_from(_BENEFIT_FORMS if section == "benefits" else _COST_FORMS))
    if form == "amounts":
        line["amounts"] = draw(_amounts(horizon))
    else:
        if form == "annual":
            line["annual"] = draw(maybe_uncertain(money))
        else:
            line["quantity"] = draw(maybe_uncertain(quantities))
            line["unit_value"] = draw(maybe_uncertain(unit_values))
        if "years" in given:
            line["years"] = draw(years_windows(horizon))
        if "growth" in given:
            line["growth"] = draw(maybe_uncertain(yearly_changes))
        if section == "benefits" and "drop_off" in given:
            line["drop_off"] = draw(maybe_uncertain(_decimals(0.0, 0.5, 4)))
    if "scale" in given:
        line["scale"] = draw(maybe_uncertain(scales))
    if "price_year" in given:
        line["price_year"] = draw(st.sampled_from(_PRICE_YEARS))
    if section == "costs":
        line["kind"] = draw(st.sampled_from(_KINDS))
        if "optimism_bias" in given:
            line["optimism_bias"] = draw(maybe_uncertain(cost_uplifts))
    else:
        line["cashable"] = draw(st.booleans())
        for key in ("deadweight", "displacement", "attribution"):
            if key in given:
                line[key] = draw(maybe_uncertain(shares))
        bias = draw(st.sampled_from(_BIASES))
        if bias == "optimism_bias":
            line["optimism_bias"] = draw(maybe_uncertain(shares))
        elif bias == "confidence":
            line["confidence"] = draw(st.integers(1, 6))
    return line


@st.composite
def projects(
    draw: st.DrawFn,
    horizon: int = 10,
    pid: str | None = None,
    start_years: st.SearchStrategy[int] = START_YEARS,
) -> dict[str, Any]:
    """A valid project document whose lines fit ``horizon`` (the horizon it is appraised with).

    It has at least one cost and one benefit, so that BCR and ROI exist (a project with only
    one kind is generated by :func:`one_sided_projects`).
    """
    project: dict[str, Any] = {
        "id": pid if pid is not None else draw(ids),
        "name": draw(names),
        "start_year": draw(start_years),
        "status": draw(st.sampled_from(["proposed", "approved", "in-delivery", "delivered"])),
    }
    if draw(st.booleans()):
        project["partners"] = draw(st.lists(st.sampled_from(AGENCIES), max_size=3, unique=True))
    costs = draw(st.integers(1, 3))
    benefits = draw(st.integers(1, 3))
    project["costs"] = [draw(lines("costs", horizon, i)) for i in range(1, costs + 1)]
    project["benefits"] = [draw(lines("benefits", horizon, i)) for i in range(1, benefits + 1)]
    return project


@st.composite
def appraisals(draw: st.DrawFn, max_horizon: int = 40) -> dict[str, Any]:
    """An ``[appraisal]`` table (every key present)."""
    return {
        "discount_rate": draw(
            st.one_of(
                st.sampled_from([0.035, 0.015, 0.0, 0.1]),
                _decimals(-0.05, 0.2, 5),
            )
        ),
        "declining": draw(st.booleans()),
        "discount_year0": draw(st.booleans()),
        "horizon": draw(st.integers(1, max_horizon)),
        "price_base_year": PRICE_BASE_YEAR,
    }


@st.composite
def portfolios(
    draw: st.DrawFn,
    min_projects: int = 1,
    max_projects: int = 3,
    max_horizon: int = 40,
    overrides: bool = True,
) -> GeneratedPortfolio:
    """A valid scenario directory: portfolio.toml (with deflators, grades and maybe a target)
    and 1-3 projects with distinct ids, some with their own ``horizon`` or ``discount_rate``."""
    appraisal = draw(appraisals(max_horizon))
    document: dict[str, Any] = {"portfolio": {"name": draw(names)}, "appraisal": appraisal}
    if draw(st.booleans()):
        document["portfolio"]["target"] = draw(money)
        if draw(st.booleans()):
            document["portfolio"]["target_year"] = draw(st.integers(2010, 2035))
    document["confidence_grades"] = dict(GRADES)
    document["deflators"] = dict(DEFLATORS)
    count = draw(st.integers(min_projects, max_projects))
    # ids must differ as the workbook's defined names do (ignoring case, - read as _)
    pids = draw(st.lists(ids, min_size=count, max_size=count, unique_by=name_key))
    generated = GeneratedPortfolio(document)
    for pid in pids:
        own: dict[str, Any] = {}
        if overrides and draw(st.booleans()):
            own["horizon"] = draw(st.integers(1, max_horizon))
        if overrides and draw(st.booleans()):
            own["discount_rate"] = draw(_decimals(0.0, 0.1, 5))
        horizon = own.get("horizon", appraisal["horizon"])
        project = draw(projects(horizon, pid))
        # Settings at the top of the file, after the identity keys (before the line tables).
        generated.projects.append(
            {**{k: project[k] for k in ("id", "name", "start_year", "status")}, **own, **project}
        )
    return generated


# ---------------------------------------------------------------------------------------------
# Transformations used by the properties

#: The money fields of a line: scaling each by k scales every flow by k.
MONEY_FIELDS = ("annual", "unit_value")


def _scaled(value: Any, k: float) -> Any:
    if isinstance(value, dict):
        return {key: v * k for key, v in value.items()}
    if isinstance(value, list):
        return [v * k for v in value]
    return value * k


def scale_money(generated: GeneratedPortfolio, k: float) -> GeneratedPortfolio:
    """A copy with every money input (``amounts``, ``annual``, ``unit_value`` and the target)
    multiplied by ``k``; quantities, shares and rates are unchanged."""
    portfolio = {
        key: dict(v) if isinstance(v, dict) else v for key, v in generated.portfolio.items()
    }
    if "target" in portfolio["portfolio"]:
        portfolio["portfolio"]["target"] *= k
    scaled = []
    for project in generated.projects:
        copy = dict(project)
        for section in ("costs", "benefits"):
            copy[section] = []
            for line in project[section]:
                line = dict(line)
                for key in ("amounts", *MONEY_FIELDS):
                    if key in line:
                        line[key] = _scaled(line[key], k)
                copy[section].append(line)
        scaled.append(copy)
    return GeneratedPortfolio(portfolio, scaled)


def with_projects(
    generated: GeneratedPortfolio, projects: list[dict[str, Any]]
) -> GeneratedPortfolio:
    """The same portfolio.toml with other projects."""
    return GeneratedPortfolio(generated.portfolio, list(projects))


# ---------------------------------------------------------------------------------------------
# Flows for IRR


#: Net yearly flows to the penny, with at least one outlay and one return.
net_flows = st.lists(_decimals(-1e6, 1e6, 2), min_size=2, max_size=60).filter(
    lambda xs: any(x > 0 for x in xs) and any(x < 0 for x in xs)
)


@st.composite
def conventional_flows(draw: st.DrawFn) -> list[float]:
    """Outlays then returns (one sign change), so exactly one IRR above -100% exists."""
    outlays = draw(st.lists(_decimals(1.0, 1e6, 2), min_size=1, max_size=5))
    returns = draw(st.lists(_decimals(1.0, 1e6, 2), min_size=1, max_size=40))
    gap = draw(st.integers(0, 3))
    return [-x for x in outlays] + [0.0] * gap + returns


# ---------------------------------------------------------------------------------------------
# Board portfolios: every optional setting absent or present, with risks, outturn, correlation
# groups, value types, impacts and named scenarios (what a board workbook must write whatever
# its inputs leave out)

STATUSES = ("proposed", "approved", "in-delivery", "delivered")
SCHEDULES = ("standard", "health", "lower-rate-test-2026")
OB_TYPES = (
    "standard-buildings",
    "non-standard-buildings",
    "standard-civil-engineering",
    "non-standard-civil-engineering",
    "equipment-development",
    "outsourcing",
)


def _maybe(draw: st.DrawFn, table: dict[str, Any], key: str, strategy: Any) -> None:
    """Put ``key`` in ``table`` or leave it out, as Hypothesis chooses."""
    if draw(st.booleans()):
        table[key] = draw(strategy)


@st.composite
def rates(draw: st.DrawFn, table: dict[str, Any]) -> None:
    """A ``discount_rate``, a ``schedule`` or neither (never both: that is an error)."""
    choice = draw(st.sampled_from(["none", "rate", "schedule"]))
    if choice == "rate":
        table["discount_rate"] = draw(
            st.one_of(st.sampled_from([0.035, 0.015, 0.0]), _decimals(-0.02, 0.12, 4))
        )
    elif choice == "schedule":
        table["schedule"] = draw(st.sampled_from(SCHEDULES))


@st.composite
def optional_appraisals(draw: st.DrawFn, max_horizon: int) -> dict[str, Any]:
    """An ``[appraisal]`` table in which every key may be absent (``price_base_year`` too)."""
    table: dict[str, Any] = {}
    draw(rates(table))
    _maybe(draw, table, "declining", st.booleans())
    _maybe(draw, table, "discount_year0", st.booleans())
    _maybe(draw, table, "horizon", st.integers(1, max_horizon))
    _maybe(draw, table, "price_base_year", st.just(PRICE_BASE_YEAR))
    _maybe(draw, table, "ob_mitigation", shares)
    return table


@st.composite
def board_lines(
    draw: st.DrawFn, section: str, horizon: int, index: int, rebase: bool
) -> dict[str, Any]:
    """A line as :func:`lines` draws it, with a value type (benefits) or a project type for
    its optimism bias (costs), and a ``price_year`` only where it can be rebased."""
    line = draw(lines(section, horizon, index))
    if not rebase:
        line.pop("price_year", None)
    if section == "costs" and "optimism_bias" not in line and draw(st.booleans()):
        line["ob_type"] = draw(st.sampled_from(OB_TYPES))
    if section == "benefits" and draw(st.booleans()):
        choices = ["fiscal"] if line["cashable"] else ["fiscal", "economic", "social"]
        line["value_type"] = draw(st.sampled_from(choices))
    if section == "benefits":
        _maybe(draw, line, "owner", names)
        _maybe(draw, line, "measure", names)
    return line


@st.composite
def risks(draw: st.DrawFn, horizon: int, index: int) -> dict[str, Any]:
    """A ``[[risks]]`` table inside ``horizon``."""
    risk: dict[str, Any] = {
        "name": f"Risk {index}",
        "probability": draw(shares),
        "impact": draw(maybe_uncertain(money)),
    }
    _maybe(draw, risk, "years", years_windows(horizon))
    _maybe(draw, risk, "agency", st.sampled_from(AGENCIES))
    return risk


def _outturn(draw: st.DrawFn, project: dict[str, Any], horizon: int, as_of: int | None) -> None:
    """``actuals`` on some lines for some of the project's years up to ``as_of``."""
    if as_of is None:
        return
    years = [project["start_year"] + t for t in range(horizon)]
    recorded = [y for y in years if y <= as_of]
    if not recorded:
        return
    for section in ("costs", "benefits"):
        for line in project[section]:
            if draw(st.booleans()):
                chosen = draw(st.lists(st.sampled_from(recorded), unique=True, max_size=4))
                if chosen:
                    line["actuals"] = {str(y): draw(money) for y in sorted(chosen)}


@st.composite
def board_projects(
    draw: st.DrawFn, pid: str, horizon: int, rebase: bool, as_of: int | None
) -> dict[str, Any]:
    """A project with optional settings, risks, outturn and impacts."""
    project: dict[str, Any] = {"id": pid, "name": draw(names), "start_year": draw(START_YEARS)}
    _maybe(draw, project, "status", st.sampled_from(STATUSES))
    _maybe(draw, project, "partners", st.lists(st.sampled_from(AGENCIES), max_size=3, unique=True))
    _maybe(draw, project, "description", names)
    if draw(st.booleans()):
        horizon = draw(st.integers(1, max(horizon, 2)))
        project["horizon"] = horizon
    if draw(st.booleans()):
        draw(rates(project))
    _maybe(draw, project, "ob_mitigation", shares)
    project["costs"] = [
        draw(board_lines("costs", horizon, i, rebase))
        for i in range(1, draw(st.integers(0, 2)) + 1)
    ]
    project["benefits"] = [
        draw(board_lines("benefits", horizon, i, rebase))
        for i in range(1, draw(st.integers(0 if project["costs"] else 1, 2)) + 1)
    ]
    for key, count in (("risks", draw(st.integers(0, 2))), ("impacts", draw(st.integers(0, 2)))):
        if not count:
            continue
        if key == "risks":
            project[key] = [draw(risks(horizon, i)) for i in range(1, count + 1)]
        else:
            project[key] = [
                {
                    "name": f"Impact {i}",
                    "direction": draw(st.sampled_from(["positive", "negative"])),
                    "materiality": draw(st.sampled_from(["low", "medium", "high"])),
                    "description": draw(names),
                }
                for i in range(1, count + 1)
            ]
    _outturn(draw, project, horizon, as_of)
    return project


def _uncertain_values(generated: GeneratedPortfolio) -> list[dict[str, Any]]:
    """Every ``{low, central, high}`` table of the generated projects' lines and risks."""
    found = []
    for project in generated.projects:
        for section in ("costs", "benefits", "risks"):
            for line in project.get(section, []):
                found += [v for v in line.values() if isinstance(v, dict) and "central" in v]
    return found


def _correlate(draw: st.DrawFn, generated: GeneratedPortfolio) -> None:
    """``[correlation]`` groups over some of the uncertain values. Coefficients are 0 or more
    and a between-group one no larger than either group's, so the matrix is always positive
    semi-definite (an invalid matrix is tested on its own)."""
    values = _uncertain_values(generated)
    count = draw(st.integers(0, min(2, len(values))))
    if not count:
        return
    groups = {f"g{k}": draw(_decimals(0.0, 0.9, 2)) for k in range(count)}
    order = draw(st.permutations(range(len(values))))
    for k, name in enumerate(groups):  # each group is used at least once
        values[order[k]]["group"] = name
    for i in order[count:]:
        if draw(st.booleans()):
            values[i]["group"] = draw(st.sampled_from(sorted(groups)))
    correlation: dict[str, Any] = {"groups": groups}
    if count == 2 and draw(st.booleans()):
        correlation["between"] = [
            {"groups": ["g0", "g1"], "rank": draw(_decimals(0.0, min(groups.values()), 2))}
        ]
    generated.portfolio["correlation"] = correlation


@st.composite
def board_portfolios(
    draw: st.DrawFn, max_projects: int = 3, max_horizon: int = 12
) -> GeneratedPortfolio:
    """A valid scenario directory in which every optional setting may be absent or present
    (``price_base_year``, a target, ``as_of``, ``present_value_year``, agencies, statuses that
    count, grades, deflators, a named scenario), with risks, outturn, correlation groups, value
    types, optimism bias by project type and non-monetised impacts."""
    appraisal = draw(optional_appraisals(max_horizon))
    table: dict[str, Any] = {"name": draw(names)}
    _maybe(draw, table, "description", names)
    if draw(st.booleans()):
        table["target"] = draw(st.integers(0, 5_000_000).map(float))
        _maybe(draw, table, "target_year", START_YEARS)
    _maybe(draw, table, "agencies", st.just(list(AGENCIES)))
    _maybe(
        draw, table, "count_statuses", st.lists(st.sampled_from(STATUSES), min_size=1, unique=True)
    )
    _maybe(draw, table, "as_of", START_YEARS)
    _maybe(draw, table, "present_value_year", st.integers(2015, 2030))
    document: dict[str, Any] = {"portfolio": table}
    if draw(st.booleans()):
        amber, red = sorted(draw(st.tuples(shares, shares)))
        document["realisation"] = {"amber": amber, "red": red}
    if appraisal:
        document["appraisal"] = appraisal
    _maybe(draw, document, "confidence_grades", st.just(dict(GRADES)))
    rebase = "price_base_year" in appraisal and draw(st.booleans())
    if rebase:
        document["deflators"] = dict(DEFLATORS)
    generated = GeneratedPortfolio(document)
    count = draw(st.integers(1, max_projects))
    pids = draw(st.lists(ids, min_size=count, max_size=count, unique_by=name_key))
    horizon = appraisal.get("horizon", 10)
    for pid in pids:
        generated.projects.append(draw(board_projects(pid, horizon, rebase, table.get("as_of"))))
    if draw(st.booleans()):
        scenario: dict[str, Any] = {"description": "Lower rate", "set": {"discount_rate": 0.03}}
        if len(pids) > 1 and draw(st.booleans()):
            scenario["exclude"] = [pids[-1]]
        document["scenarios"] = {"rate-3pc": scenario}
    _correlate(draw, generated)
    return generated
