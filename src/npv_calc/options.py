"""The options appraisal of ``npv-calc options``: each project's shortlist against business as
usual, and the warnings it raises.

The calculation appraises every option with its project (:func:`npv_calc.calculate.appraise_case`
fills each project's ``options``); this module picks the projects asked for and says what needs a
word: a preferred option that is not the best with no ``preferred_because``. See
``docs/method.md``, "Options".
"""

from __future__ import annotations

from collections.abc import Mapping

from .calculate import appraise_case
from .errors import InputError, Problem, UsageError, shown_path
from .load.messages import show, suggest
from .model import Portfolio, SettingsPatch
from .results.appraisal import PortfolioResult
from .results.options import OptionsAppraisal, Shortlist
from .scenarios import Case, case_of

__all__ = ["OptionsAppraisal", "options_appraisal", "shortlist_warnings"]


def options_appraisal(
    subject: Case | Portfolio,
    scenario: str = "central",
    overrides: SettingsPatch | Mapping[str, object] | None = None,
    *,
    projects: tuple[str, ...] = (),
) -> OptionsAppraisal:
    """The shortlist of every project with options (or of those named in ``projects``).

    Parameters
    ----------
    subject, scenario, overrides
        A prepared case, or a portfolio with a scenario and overrides (as for
        :func:`npv_calc.appraise`).
    projects
        Project ids to report (default: every project with options, in file order).

    Raises
    ------
    UsageError
        For an id that is not a project of the scenario, or a project without options.

    Examples
    --------
    >>> from npv_calc import load_portfolio
    >>> appraisal = options_appraisal(load_portfolio("scenarios"))  # doctest: +SKIP
    >>> appraisal.shortlists[0].preferred  # doctest: +SKIP
    'merge'
    """
    base = appraise_case(case_of(subject, scenario, overrides))
    known = [p.id for p in base.projects]
    with_options = [p.id for p in base.projects if p.options is not None]
    for pid in projects:
        if pid not in known:
            raise UsageError(
                f"--project {show(pid)}: no such project{suggest(pid, known)}; the projects "
                "are: " + ", ".join(known)
            )
        if pid not in with_options:
            raise UsageError(
                f"--project {show(pid)}: has no options (a shortlist is written as [[options]] "
                "in its file); the projects with options are: "
                + (", ".join(with_options) or "none")
            )
    shortlists = tuple(
        p.options
        for p in base.projects
        if p.options is not None and (not projects or p.id in projects)
    )
    return OptionsAppraisal(base, shortlists)


def shortlist_warnings(
    result: PortfolioResult | OptionsAppraisal, strict: bool = False
) -> list[Problem]:
    """A warning for each project whose preferred option is not the best (the highest NPV
    against business as usual) and that gives no ``preferred_because``.

    Raises
    ------
    InputError
        With ``strict`` (``--strict``), when there is any: every warning is then an error.
    """
    base = result.base if isinstance(result, OptionsAppraisal) else result
    shortlists: list[Shortlist] = [p.options for p in base.projects if p.options is not None]
    warnings = [
        Problem(
            shown_path(s.project.path),
            s.warning,
            field="preferred",
            line=s.project.lines.get("preferred"),
        )
        for s in shortlists
        if s.warning is not None
    ]
    if strict and warnings:
        raise InputError(warnings, strict=True)
    return warnings
