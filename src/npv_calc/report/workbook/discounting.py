"""Formulas of discounting, shared by the Assumptions sheet and the project sheets: the rate of a
schedule's band for a year, the band rates as one array, and the factor that values a flow at
the present-value year."""

from __future__ import annotations

from ... import params

#: What the schedule cells hold when no published schedule is named: the discount rate scales
#: the standard schedule.
SCALED = "scaled"
#: The choices of a schedule cell (a list data validation).
SCHEDULE_CHOICES = (SCALED, *params.SCHEDULES)


def schedule_text(schedule: str | None) -> str:
    """A schedule as its cell holds it: the published schedule's name, or ``scaled``."""
    return SCALED if schedule is None else schedule


def rate_lookup(cell: str, year: str, rate: str, declining: str) -> str:
    """The rate of the schedule named in ``cell`` for the year in ``year`` (a formula's body)."""
    return (
        f'IF({cell}="health",LOOKUP({year},BandFrom,BandHealth),'
        f'IF({cell}="lower-rate-test-2026",LOOKUP({year},BandFrom,BandLowerRate),'
        f'IF({cell}="standard",LOOKUP({year},BandFrom,BandStandard),'
        f"IF({declining},{rate}*LOOKUP({year},BandFrom,BandStandard)/STPR,{rate}))))"
    )


def schedule_rates(cell: str, rate: str, declining: str) -> str:
    """The band rates of the schedule named in ``cell`` as one array expression (no IF, so that
    it stays a plain array inside SUMPRODUCT in every spreadsheet): a published schedule's
    column, or ``rate`` scaling the standard column (flat when ``declining`` is FALSE) for any
    other text, as :func:`rate_lookup` reads it."""
    health, lower, standard = (
        f'({cell}="{name}")' for name in ("health", "lower-rate-test-2026", "standard")
    )
    return (
        f"({health}*BandHealth+{lower}*BandLowerRate+{standard}*BandStandard"
        f"+(1-{health}-{lower}-{standard})*{rate}*({declining}*BandStandard/STPR+1-{declining}))"
    )


def present_value_factor(j: str, rates: str) -> str:
    """``G(j)``: the factor that values a flow ``j`` years after the present-value year, as a
    closed form of the band table (no IF on arrays): ``ln DF(m) = -SUMPRODUCT(LN(1 + rates),
    n)``, ``n`` the years of each band from year 1 to ``m = |j|``, ``pos(MIN(m, To) -
    max(From, 1) + 1)`` with ``MIN(a, b) = (a + b - |a - b|) / 2`` and ``pos(x) = (x + |x|) /
    2``; ``G(j) = DF(j)``, or ``1 / DF(-j)`` before the present-value year."""
    m = f"ABS({j})"
    least = f"({m}+BandTo-ABS({m}-BandTo))/2"
    x = f"{least}-BandFrom-(BandFrom=0)+1"
    n = f"(({x})+ABS({x}))/2"
    return f"EXP(-SIGN({j})*SUMPRODUCT(LN(1+{rates}),{n}))"
