"""The scenario model: what a portfolio and its projects say, after loading and validation.

Plain frozen dataclasses with no behaviour beyond small conveniences; loading builds them
(:mod:`npv_calc.load`), scenarios choose values from them (:mod:`npv_calc.scenarios`) and the
calculation turns them into figures (:mod:`npv_calc.calculate`). Nothing here imports numpy, so
``npv-calc validate`` starts quickly.

Conventions (see ``docs/method.md``): money is pounds in real terms at the price base year; years
are financial years named by the calendar year they start in (``2017`` is 2017/18); a line's
``years`` are offsets from the project's year 0 (its ``start_year``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal


class KeyLines(dict[str, int | str]):
    """Where each key of an item is written: ``{key: line of a TOML file, or a cell}``.

    Loading hands it where to look (:meth:`later`) rather than the lines themselves: a file is
    scanned for its keys' lines only when a message needs one, which most runs never do (the
    scan was 8% of loading 10,000 projects). Keys set directly win over the scan's. A key
    asked for is looked up in the source; anything that reads or changes the whole fills the
    dict first, except what reads a dict's memory directly (``json.dumps``): give it
    ``dict(lines)``.
    """

    _pending: Callable[[], Mapping[str, int | str]] | None = None
    #: what ``_pending`` gave, read a key at a time until the whole is asked for
    _source: Mapping[str, int | str] | None = None

    def later(self, source: Callable[[], Mapping[str, int | str]]) -> None:
        """Take the keys' lines from ``source()`` when they are first read."""
        self._pending = source

    def _lines(self) -> Mapping[str, int | str] | None:
        if self._pending is not None:
            self._source, self._pending = self._pending(), None
        return self._source

    def _fill(self) -> None:
        lines = self._lines()
        if lines is not None:
            self._source = None
            if dict.__len__(self):
                for key, value in lines.items():
                    super().setdefault(key, value)
            else:  # nothing set directly (a workbook's row): one copy, not a call a key
                super().update(lines.items())

    # One key is looked up where it is, without copying the others: a check asks each line
    # whether its agency was written (a workbook's row then names one cell, not forty).
    def __getitem__(self, key: str) -> int | str:
        if not super().__contains__(key) and (lines := self._lines()) is not None:
            return lines[key]
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        if super().__contains__(key):
            return True
        lines = self._lines()
        return lines is not None and key in lines

    def get(self, key: str, default: Any = None) -> Any:
        if not super().__contains__(key) and (lines := self._lines()) is not None:
            return lines.get(key, default)
        return super().get(key, default)

    def __iter__(self) -> Iterator[str]:
        self._fill()
        return super().__iter__()

    def __len__(self) -> int:
        self._fill()
        return super().__len__()

    def __repr__(self) -> str:
        self._fill()
        return super().__repr__()

    def __eq__(self, other: object) -> bool:
        self._fill()
        return super().__eq__(other)

    def keys(self) -> Any:
        self._fill()
        return super().keys()

    def values(self) -> Any:
        self._fill()
        return super().values()

    def items(self) -> Any:
        self._fill()
        return super().items()

    def copy(self) -> dict[str, int | str]:
        self._fill()
        return dict(super().items())

    # What changes or compares the whole sees it filled too (nothing calls these today).
    def __ne__(self, other: object) -> bool:
        self._fill()
        return super().__ne__(other)

    def setdefault(self, key: str, default: int | str) -> int | str:
        self._fill()
        return super().setdefault(key, default)

    def pop(self, key: str, *default: Any) -> Any:
        self._fill()
        return super().pop(key, *default)

    def popitem(self) -> tuple[str, int | str]:
        self._fill()
        return super().popitem()

    def __delitem__(self, key: str) -> None:
        self._fill()
        super().__delitem__(key)


Section = Literal["costs", "benefits", "risks"]
STATUSES = ("proposed", "approved", "in-delivery", "delivered")
#: Why a project counts toward the target or not (``counts_because`` in JSON).
COUNTS = "yes"
STARTS_AFTER_TARGET_YEAR = "starts after target year"
STATUS_NOT_COUNTED = "status"
#: The agency of a line that names none; always allowed, even when agencies are declared.
UNALLOCATED = "Unallocated"
COST_KINDS = ("revenue", "capital")
APPRAISAL_KEYS = (
    "discount_rate",
    "declining",
    "schedule",
    "discount_year0",
    "horizon",
    "price_base_year",
    "ob_mitigation",
)
#: The value a benefit creates (the local partnerships guidance): fiscal (to public budgets;
#: cashable lines are fiscal), economic (to the wider economy) or social (to people's wellbeing).
VALUE_TYPES = ("fiscal", "economic", "social")
#: The value type of a benefit line that gives none and is not cashable.
UNSPECIFIED = "unspecified"
#: Options appraisal: the role of each option of a shortlist (Green Book 2022, 5.53).
ROLES = ("bau", "do-minimum", "option")
BAU = "bau"
#: Non-monetised impacts: which way they point and how much they matter.
DIRECTIONS = ("positive", "negative")
MATERIALITIES = ("low", "medium", "high")
#: Spreadsheet files: read as input workbooks (.xlsx), or recognised in order to be refused
#: with a message saying what to do.
WORKBOOK_SUFFIXES = (".xlsx",)
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")
OTHER_SPREADSHEET_SUFFIXES = (".xls", ".ods", ".numbers")


def is_workbook(path: Path) -> bool:
    """Whether a path is taken as an input workbook (by its name)."""
    return path.suffix.lower() in (WORKBOOK_SUFFIXES + MACRO_SUFFIXES + OTHER_SPREADSHEET_SUFFIXES)


#: Monte Carlo: the distributions values may be drawn from, and the largest seed.
DISTRIBUTIONS = ("pert", "triangular", "uniform")
SAMPLING = ("lhs", "random")
MAX_SEED = 2**32 - 1
#: The most draws a simulation makes: ten million take about a minute here, and the standard
#: error of a probability is then below 0.02 percentage points; more adds time, not knowledge.
MAX_ITERATIONS = 10_000_000
#: The most quantities a simulation draws: uncertain values with a range, and risks that may or
#: may not happen. Each value keeps a table of its distribution (131 to 262 KB) for the whole
#: run and draws its own streams block by block: two thousand cost about 400 MB and a few
#: seconds before the first draw, and twenty thousand would need several GB. A larger portfolio
#: is simulated in parts, or with the ranges that matter least fixed.
MAX_SIMULATED_VALUES = 2_000
#: The most options one option may build on, one through the next (``includes``): a shortlist
#: goes from BAU to a do-minimum to the options, three or four deep. Each option holds every
#: line of those it builds on, so a chain of a thousand options held half a million lines (two
#: minutes to validate, more than five to appraise, 2 GB).
MAX_INCLUDES = 10
#: Fields of a line that may be given as ``{low, central, high}``.
UNCERTAIN_FIELDS = (
    "annual",
    "quantity",
    "unit_value",
    "scale",
    "growth",
    "deadweight",
    "displacement",
    "attribution",
    "drop_off",
    "optimism_bias",
)


@dataclass(frozen=True)
class Uncertain:
    """A value known only within a range: ``low <= central <= high``.

    ``group`` names a correlation group (``[correlation.groups]`` of portfolio.toml): in Monte
    Carlo the value's draws are rank-correlated with the other values of its group.
    """

    low: float
    central: float
    high: float
    group: str | None = None

    @property
    def is_fixed(self) -> bool:
        """True when the range is a single point (``low == high``)."""
        return self.low == self.high


Value = float | Uncertain


def _label(origin: tuple[str, int] | None, section: str, index: int, name: str) -> str:
    """How messages name an item: ``costs[2] "Staff"``, or in an option where it is written
    ``option "merge" costs[2] "Staff"``."""
    if origin is None:
        return f'{section}[{index}] "{name}"'
    return f'option "{origin[0]}" {section}[{origin[1]}] "{name}"'


def financial_year(year: int) -> str:
    """``2017`` -> ``"2017/18"`` (a financial year is named by the year it starts in)."""
    return f"{year}/{(year + 1) % 100:02d}"


def central(value: Value) -> float:
    """The central estimate of a value, certain or not."""
    return value.central if isinstance(value, Uncertain) else value


@dataclass(frozen=True)
class Settings:
    """Appraisal settings: portfolio defaults, a project's overrides, or ``--set`` values."""

    discount_rate: float = 0.035
    declining: bool = True
    #: a published schedule used as published (``standard``, ``health``,
    #: ``lower-rate-test-2026``); ``None``: ``discount_rate`` scales the standard schedule
    schedule: str | None = None
    discount_year0: bool = False
    horizon: int = 10
    price_base_year: int | None = None
    #: how far cost optimism bias by project type (``ob_type``) is reduced from its upper
    #: bound as the business case matures (0: none, the upper bound)
    ob_mitigation: float = 0.0

    def updated(self, patch: SettingsPatch) -> Settings:
        """A copy with the settings a patch gives replaced (:meth:`SettingsPatch.applied`)."""
        return patch.applied(self) if patch else self


@dataclass(frozen=True)
class SettingsPatch:
    """Appraisal settings given over others: a project's own, a named scenario's ``set``, or
    ``--set``. A field that is ``None`` is not given; ``order`` holds the keys given, in the
    order they were given (messages and the workbook list them so).

    ``schedule`` and ``discount_rate`` say the same thing two ways, so the more specific one
    wins: a patch giving a ``discount_rate`` without a ``schedule`` clears the ``schedule`` it
    is applied over.

    Examples
    --------
    >>> patch = SettingsPatch.of({"horizon": 15, "discount_rate": 0.03})
    >>> patch.items()
    (('horizon', 15), ('discount_rate', 0.03))
    >>> Settings(schedule="health").updated(patch).schedule is None
    True
    """

    discount_rate: float | None = None
    declining: bool | None = None
    schedule: str | None = None
    discount_year0: bool | None = None
    horizon: int | None = None
    price_base_year: int | None = None
    ob_mitigation: float | None = None
    order: tuple[str, ...] = field(default=(), compare=False)

    @classmethod
    def of(cls, values: SettingsPatch | Mapping[str, object] | None) -> SettingsPatch:
        """A patch of the settings a mapping gives (``None`` values are not given).

        Raises
        ------
        KeyError
            For a key that is not among :data:`APPRAISAL_KEYS`.
        """
        if isinstance(values, SettingsPatch):
            return values
        given = {k: v for k, v in (values or {}).items() if v is not None}
        for key in given:
            if key not in APPRAISAL_KEYS:
                raise KeyError(f"{key} is not an appraisal setting ({', '.join(APPRAISAL_KEYS)})")
        return cls(**given, order=tuple(given))  # type: ignore[arg-type]

    def items(self) -> tuple[tuple[str, object], ...]:
        """The settings given, in the order given."""
        return tuple((key, getattr(self, key)) for key in self.order)

    def names(self) -> tuple[str, ...]:
        """The keys given, in the order given."""
        return self.order

    def __contains__(self, key: object) -> bool:
        return key in self.order

    def __bool__(self) -> bool:
        return bool(self.order)

    def over(self, general: SettingsPatch) -> SettingsPatch:
        """This patch applied over ``general``, as one patch: this one's keys win, and its
        ``discount_rate`` without a ``schedule`` drops ``general``'s ``schedule``."""
        kept = dict(general.items())
        if "discount_rate" in self and "schedule" not in self:
            kept.pop("schedule", None)
        return SettingsPatch.of({**kept, **dict(self.items())})

    def applied(self, settings: Settings) -> Settings:
        """``settings`` with the keys given replaced."""
        values: dict[str, object] = dict(self.items())
        if "discount_rate" in self and "schedule" not in self:
            values["schedule"] = None
        return replace(settings, **values)  # type: ignore[arg-type]


#: No settings given.
NO_PATCH = SettingsPatch()


@dataclass(frozen=True)
class Line:
    """A cost or benefit line of a project, as written in its file."""

    section: Section
    index: int  # 1-based position among the project's costs or benefits
    name: str
    agency: str = UNALLOCATED
    kind: str | None = None  # costs: revenue | capital
    cashable: bool = False  # benefits only
    #: benefits: fiscal | economic | social (None: unspecified, or fiscal when cashable)
    value_type: str | None = None
    #: costs: a project type of the optimism bias table, instead of ``optimism_bias``
    ob_type: str | None = None
    amounts: tuple[float, ...] | None = None
    annual: Value | None = None
    quantity: Value | None = None
    unit_value: Value | None = None
    years: tuple[int, int] | None = None
    growth: Value = 0.0
    drop_off: Value = 0.0
    deadweight: Value = 0.0
    displacement: Value = 0.0
    attribution: Value = 1.0
    optimism_bias: Value | None = None
    confidence: int | None = None
    price_year: int | None = None
    scale: Value = 1.0
    source: str | None = None
    #: benefits: who answers for the benefit being realised, and the measure (KPI) that
    #: shows it (the benefits register of the Realisation sheet)
    owner: str | None = None
    measure: str | None = None
    #: the unit-cost library key when ``unit_value = "ref:<key>"``
    unit_ref: str | None = None
    #: outturn: the gross amount (as ``amounts`` would hold it, in the line's prices) recorded
    #: for each financial year (2017 = 2017/18), replacing the forecast in that year
    actuals: dict[int, float] = field(default_factory=dict)
    #: where each key is written (a line of a TOML file, or a spreadsheet cell), for messages
    lines: KeyLines = field(default_factory=KeyLines, compare=False, repr=False)
    #: the option the line is written in and its place there (``None``: the project's own)
    origin: tuple[str, int] | None = None
    #: written in a business-as-usual option: the pessimistic scenario takes the end of its
    #: ranges that lowers the other options' NPVs against it (see :mod:`npv_calc.load.options`)
    against: bool = False
    #: counted with a minus sign (BAU's line in the project that stands for its preferred
    #: option against BAU): its ``scale`` is negated
    negated: bool = False

    @property
    def label(self) -> str:
        """How messages name the line, e.g. ``benefits[2] "Deliberate fires avoided"``."""
        return _label(self.origin, self.section, self.index, self.name)

    @property
    def value_kind(self) -> str:
        """A benefit's value type as reported: its own, ``fiscal`` when cashable, or
        ``unspecified``."""
        if self.value_type is not None:
            return self.value_type
        return "fiscal" if self.cashable else UNSPECIFIED

    def uncertain(self) -> list[tuple[str, Uncertain]]:
        """The line's uncertain values with a real range, in field order."""
        return [
            (name, v)
            for name in _LINE_UNCERTAIN
            if isinstance(v := getattr(self, name), Uncertain) and not v.is_fixed
        ]


#: The uncertain fields of a line in field order (the order a seed's draws follow).
_LINE_UNCERTAIN = tuple(f.name for f in fields(Line) if f.name in UNCERTAIN_FIELDS)


@dataclass(frozen=True)
class Risk:
    """A cost that arises only if a risk happens (a project's ``[[risks]]``): ``impact`` in each
    year of ``years`` with chance ``probability``. Appraised at its expected value
    (``probability x impact``); drawn as an event and an impact in Monte Carlo."""

    index: int  # 1-based position among the project's risks
    name: str
    probability: float
    impact: Value
    years: tuple[int, int] = (0, 0)
    agency: str = UNALLOCATED
    price_year: int | None = None
    source: str | None = None
    unit_ref: None = None  # risks take no unit value from the library
    lines: KeyLines = field(default_factory=KeyLines, compare=False, repr=False)
    #: as for :class:`Line` (a negated risk has its ``impact`` negated)
    origin: tuple[str, int] | None = None
    against: bool = False
    negated: bool = False

    section: Literal["risks"] = "risks"

    @property
    def label(self) -> str:
        return _label(self.origin, "risks", self.index, self.name)

    def uncertain(self) -> list[tuple[str, Uncertain]]:
        """The risk's impact when it has a real range."""
        value = self.impact
        return [("impact", value)] if isinstance(value, Uncertain) and not value.is_fixed else []


@dataclass(frozen=True)
class Impact:
    """A non-monetised impact of a project (``[[impacts]]``): what it is, which way it points
    and how much it matters, in words, beside the figures."""

    index: int  # 1-based position among the project's impacts
    name: str
    direction: str  # positive | negative
    materiality: str  # low | medium | high
    description: str = ""
    lines: KeyLines = field(default_factory=KeyLines, compare=False, repr=False)
    #: as for :class:`Line`
    origin: tuple[str, int] | None = None

    @property
    def label(self) -> str:
        return _label(self.origin, "impacts", self.index, self.name)


@dataclass(frozen=True)
class Option:
    """An option of a project's shortlist (``[[options]]``): business as usual, a do-minimum or
    another way forward, with the lines, risks and impacts of a project. ``includes`` names
    another option whose lines come first (see :func:`npv_calc.load.options.resolved`)."""

    id: str
    name: str
    role: str  # bau | do-minimum | option
    includes: str | None = None
    description: str = ""
    costs: tuple[Line, ...] = ()
    benefits: tuple[Line, ...] = ()
    risks: tuple[Risk, ...] = ()
    impacts: tuple[Impact, ...] = ()
    lines: dict[str, int | str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def label(self) -> str:
        return f'option "{self.id}"'


@dataclass(frozen=True)
class Correlation:
    """Rank (Spearman) correlations for Monte Carlo: inside each group (every pair of its
    values) and, optionally, between two groups (every pair across them)."""

    groups: dict[str, float] = field(default_factory=dict)
    between: tuple[tuple[str, str, float], ...] = ()
    lines: KeyLines = field(default_factory=KeyLines, compare=False, repr=False)


@dataclass(frozen=True)
class Tolerances:
    """``[realisation]``: how far outturn to date may fall short of the base plan to date (costs
    over it, benefits under it), as a share of it, and still be Green (``amber``) or Amber
    (``red``); beyond ``red`` is Red."""

    amber: float = 0.05
    red: float = 0.15
    lines: KeyLines = field(default_factory=KeyLines, compare=False, repr=False)


@dataclass(frozen=True)
class Project:
    """A collaboration project: its identity, its setting overrides and its lines."""

    id: str
    name: str
    start_year: int
    path: Path
    status: str = "proposed"
    partners: tuple[str, ...] = ()
    description: str = ""
    overrides: SettingsPatch = SettingsPatch()
    costs: tuple[Line, ...] = ()
    benefits: tuple[Line, ...] = ()
    risks: tuple[Risk, ...] = ()
    impacts: tuple[Impact, ...] = ()
    lines: KeyLines = field(default_factory=KeyLines, compare=False, repr=False)
    #: the shortlist (``[[options]]``); with options, the lines, risks and impacts above are
    #: the preferred option's, less business as usual's (the project stands for its preferred
    #: option against BAU)
    options: tuple[Option, ...] = ()
    #: the option that stands for the project, and the reason it is preferred when it is not
    #: the one with the highest NPV against BAU (the unmonetised reasons)
    preferred: str | None = None
    preferred_because: str | None = None

    @property
    def all_lines(self) -> tuple[Line, ...]:
        return self.costs + self.benefits

    def option(self, option_id: str) -> Option | None:
        """The option with this id (``None``: none has it)."""
        return self.options_by_id.get(option_id)

    @cached_property
    def options_by_id(self) -> dict[str, Option]:
        """The options by id, built once: looked up for each option of a long shortlist."""
        return {o.id: o for o in self.options}

    def parts(self) -> tuple[Project, ...]:
        """What checks of lines and risks look at: the project itself, or with options one
        project per option holding that option's own items (each written once, so each
        problem is reported once)."""
        if not self.options:
            return (self,)
        return tuple(
            replace(
                self,
                costs=o.costs,
                benefits=o.benefits,
                risks=o.risks,
                impacts=o.impacts,
                options=(),
            )
            for o in self.options
        )


@dataclass(frozen=True)
class NamedScenario:
    """A what-if from ``[scenarios.NAME]``: appraisal overrides and projects left out."""

    name: str
    description: str = ""
    set: SettingsPatch = SettingsPatch()
    exclude: tuple[str, ...] = ()
    lines: KeyLines = field(default_factory=KeyLines, compare=False, repr=False)


@dataclass(frozen=True)
class Portfolio:
    """A set of projects appraised together, with the settings and target they share."""

    name: str
    projects: tuple[Project, ...]
    settings: Settings = Settings()
    target: float | None = None
    target_year: int | None = None
    #: ``[portfolio] as_of``: the last financial year with outturn recorded (None: none)
    as_of: int | None = None
    #: ``[portfolio] present_value_year``: every project is also valued at this financial year
    present_value_year: int | None = None
    description: str = ""
    #: ``[portfolio] agencies``: the only agency names lines and partners may use (None: any)
    agencies: tuple[str, ...] | None = None
    #: ``[portfolio] count_statuses``: statuses whose projects count toward the target (None:
    #: every status)
    count_statuses: tuple[str, ...] | None = None
    confidence_grades: dict[int, float] = field(default_factory=dict)
    deflators: dict[int, float] = field(default_factory=dict)
    scenarios: dict[str, NamedScenario] = field(default_factory=dict)
    correlation: Correlation = Correlation()
    #: ``[realisation]``: the tolerances of the delivery status (red, amber, green)
    realisation: Tolerances = Tolerances()
    #: the files the portfolio was read from, in reading order
    files: tuple[Path, ...] = ()
    path: Path | None = None  # portfolio.toml, when there is one
    #: what is legal but very likely a slip, found when loading (``Warning:`` lines; errors with
    #: ``--strict``); problems of the model's own type, :class:`npv_calc.errors.Problem`
    warnings: tuple = field(default=(), compare=False, repr=False)

    def as_planned(self) -> Portfolio:
        """The portfolio as planned: the outturn it records left out (``as_of`` cleared and
        every line's ``actuals`` dropped), so that every figure is the plan's (``--plan``)."""

        def planned(project: Project) -> Project:
            return replace(
                project,
                costs=tuple(replace(line, actuals={}) for line in project.costs),
                benefits=tuple(replace(line, actuals={}) for line in project.benefits),
            )

        return replace(self, as_of=None, projects=tuple(planned(p) for p in self.projects))

    def project_settings(self, project: Project) -> Settings:
        """The settings a project is appraised with: portfolio defaults and its own overrides."""
        return self.settings.updated(project.overrides)
