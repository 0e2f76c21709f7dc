"""The tornado of every option of a shortlist (SPEC.md, "Options appraisal": "scenarios and
sensitivity apply to every option"; docs/method.md, section 12a).

Each bar is checked against a direct recalculation: a copy of the project file with the
uncertain value written as its plain low (or high) number, appraised, and the option's
``npv_vs_bau`` read from its shortlist.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from npv_calc import appraise, load_portfolio
from npv_calc.cli import cli
from npv_calc.sensitivity import sensitivity

from .conftest import EXAMPLE, PROJECT

#: The uncertain values of the shortlist below, each as (placeholder, low, central, high).
RANGES = {
    "BAU_RUN": (800.0, 1_000.0, 1_300.0),
    "A_GAIN": (500.0, 900.0, 1_000.0),
    "B_OB": (0.1, 0.2, 0.5),
    "C_GAIN": (100.0, 400.0, 450.0),
}

#: A shortlist: BAU with an uncertain running cost; A and B replace BAU (they do not include
#: it), so BAU's running cost is counted against them; C builds on BAU (``includes``), so BAU's
#: running cost is in both and cancels out of C's NPV against BAU.
SHORTLIST = """
id = "OPT"
name = "Options project"
start_year = 2024
preferred = "B"

[[options]]
id = "bau"
name = "Business as usual"
role = "bau"

[[options.costs]]
name = "Running costs"
agency = "Police"
annual = BAU_RUN

[[options]]
id = "A"
name = "Option A"
role = "do-minimum"

[[options.costs]]
name = "A running costs"
agency = "Police"
annual = 700

[[options.benefits]]
name = "A savings"
agency = "Police"
annual = A_GAIN

[[options]]
id = "B"
name = "Option B"
role = "option"

[[options.costs]]
name = "B works"
agency = "Police"
amounts = [2_000]
optimism_bias = B_OB

[[options.benefits]]
name = "B savings"
agency = "Police"
annual = 1_500

[[options]]
id = "C"
name = "Option C"
role = "option"
includes = "bau"

[[options.benefits]]
name = "C savings"
agency = "Police"
annual = C_GAIN
"""


def shortlist_text(**plain: float) -> str:
    """The shortlist with each value a range, except those given as a plain number."""
    text = SHORTLIST
    for name, (low, central, high) in RANGES.items():
        value = plain.get(name)
        written = (
            repr(value)
            if value is not None
            else f"{{ low = {low}, central = {central}, high = {high} }}"
        )
        text = text.replace(name, written)
    return text


def npv_vs_bau(scenario_dir, **plain: float) -> dict[str, float]:
    """Each option's NPV against BAU, the values in ``plain`` written as plain numbers."""
    folder = scenario_dir(opt=shortlist_text(**plain), p1=PROJECT)
    shortlist = appraise(load_portfolio(folder)).project("OPT").options
    assert shortlist is not None
    return {o.id: o.npv_vs_bau for o in shortlist.options}


#: Which bar moves which value: (option, line name, field) -> placeholder.
BARS = {
    ("A", "A savings", "annual"): "A_GAIN",
    ("A", "Running costs", "annual"): "BAU_RUN",
    ("B", "B works", "optimism_bias"): "B_OB",
    ("B", "Running costs", "annual"): "BAU_RUN",
    ("C", "C savings", "annual"): "C_GAIN",
}


@pytest.fixture
def analysis(scenario_dir):
    return sensitivity(load_portfolio(scenario_dir(opt=shortlist_text(), p1=PROJECT)))


def bars_of(analysis) -> dict[tuple[str, str, str], object]:
    return {(t.option, b.line, b.field): b for t in analysis.options for b in t.tornado}


def test_every_option_but_bau_has_a_tornado_of_its_own_values_and_baus(analysis):
    assert [(t.project, t.option) for t in analysis.options] == [
        ("OPT", "A"),
        ("OPT", "B"),
        ("OPT", "C"),
    ]
    # C holds BAU's running costs through includes: they cancel, so C has no bar for them
    assert set(bars_of(analysis)) == set(BARS)
    for tornado in analysis.options:
        swings = [b.swing for b in tornado.tornado]
        assert swings == sorted(swings, reverse=True)


def test_each_end_is_npv_vs_bau_recomputed_with_that_value_moved(analysis, scenario_dir):
    central = npv_vs_bau(scenario_dir)
    for tornado in analysis.options:
        assert tornado.npv_vs_bau == pytest.approx(central[tornado.option], rel=1e-12)
    for (option, line, field), name in BARS.items():
        bar = bars_of(analysis)[(option, line, field)]
        low, _, high = RANGES[name]
        assert (bar.low, bar.high) == (low, high)
        at_low = npv_vs_bau(scenario_dir, **{name: low})[option]
        at_high = npv_vs_bau(scenario_dir, **{name: high})[option]
        assert bar.npv_at_low == pytest.approx(at_low, rel=1e-9, abs=1e-6), (option, line)
        assert bar.npv_at_high == pytest.approx(at_high, rel=1e-9, abs=1e-6), (option, line)
        assert bar.swing > 0


def test_a_value_of_bau_moves_every_option_against_it_the_other_way(analysis, scenario_dir):
    """BAU's running costs at their high end lower BAU's own NPV, and so raise the NPV
    against BAU of every option that does not hold them, by the same amount; C holds them
    (includes) and does not move."""
    low, _, high = RANGES["BAU_RUN"]
    folder_low = scenario_dir(opt=shortlist_text(BAU_RUN=low), p1=PROJECT)
    folder_high = scenario_dir(opt=shortlist_text(BAU_RUN=high), p1=PROJECT)
    bau_npv = [
        appraise(load_portfolio(f)).project("OPT").options.options[0].result.npv
        for f in (folder_low, folder_high)
    ]
    bau_fall = bau_npv[0] - bau_npv[1]
    assert bau_fall > 0
    bars = bars_of(analysis)
    for option in ("A", "B"):
        bar = bars[(option, "Running costs", "annual")]
        assert bar.npv_at_high - bar.npv_at_low == pytest.approx(bau_fall, rel=1e-9)
    at = [npv_vs_bau(scenario_dir, BAU_RUN=value)["C"] for value in (low, high)]
    assert at[0] == pytest.approx(at[1], rel=1e-12)


def facts(bar) -> tuple:
    return (bar.line, bar.field, bar.low, bar.high)


def figures(bar) -> tuple[float, float, float]:
    return (bar.swing, bar.toward_target_at_low, bar.toward_target_at_high)


def test_the_preferred_options_bars_are_the_projects(analysis):
    """The project stands for its preferred option (B) against BAU: B's bars move the same
    values by the same amounts as the project's own bars, and the NPV toward the target alike."""
    project = sorted((b for b in analysis.tornado if b.project == "OPT"), key=facts)
    preferred = next(t for t in analysis.options if t.option == "B")
    assert preferred.npv_vs_bau == pytest.approx(analysis.base.project("OPT").npv, rel=1e-12)
    ours = sorted(preferred.tornado, key=facts)
    assert len(ours) == len(project) == 2
    for mine, theirs in zip(ours, project, strict=True):
        assert facts(mine) == facts(theirs)
        assert figures(mine) == pytest.approx(figures(theirs), rel=1e-12)


def test_toward_target_is_the_portfolios_with_that_option_standing_for_the_project(analysis):
    base = analysis.base
    preferred_npv = base.project("OPT").npv
    a = next(t for t in analysis.options if t.option == "A")
    bar = a.tornado[0]
    expected = base.npv_toward_target - preferred_npv + bar.npv_at_low
    assert bar.toward_target_at_low == pytest.approx(expected, rel=1e-12)


def json_of(runner, *args: str | Path) -> dict:
    out = runner.invoke(cli, [str(a) for a in args])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)


def test_json_lists_each_projects_options_with_their_bars(runner, scenario_dir):
    folder = scenario_dir(opt=shortlist_text(), p1=PROJECT)
    document = json_of(runner, "sensitivity", folder, "--format", "json")
    assert list(document) == ["scenario", "tornado", "switching_values", "portfolio", "projects"]
    assert [p["id"] for p in document["projects"]] == ["OPT"]
    project = document["projects"][0]
    assert list(project) == ["id", "options"]
    assert [o["id"] for o in project["options"]] == ["A", "B", "C"]
    options = json_of(runner, "options", folder, "--format", "json")
    shown = {o["id"]: o["npv_vs_bau"] for p in options["projects"] for o in p["options"]}
    bar_keys = list(document["tornado"][0])
    for option in project["options"]:
        assert list(option) == ["id", "npv_vs_bau", "bars"]
        assert option["npv_vs_bau"] == pytest.approx(shown[option["id"]], rel=1e-12)
        for bar in option["bars"]:
            assert list(bar) == bar_keys
            assert bar["project"] == "OPT"
        swings = [bar["swing"] for bar in option["bars"]]
        assert swings == sorted(swings, reverse=True)
    merged = {(o["id"], b["line"], b["field"]) for o in project["options"] for b in o["bars"]}
    assert merged == set(BARS)


def test_table_prints_each_options_largest_bars(runner, scenario_dir):
    folder = scenario_dir(opt=shortlist_text(), p1=PROJECT)
    out = runner.invoke(cli, ["sensitivity", str(folder)])
    assert out.exit_code == 0, out.output
    assert "Options: each option's NPV against business as usual (BAU)" in out.stdout
    for option in ("A", "B", "C"):
        assert f"OPT, option {option}: NPV against BAU" in out.stdout
    assert "C savings" in out.stdout


def test_projects_without_options_are_unchanged(runner, scenario_dir):
    folder = scenario_dir(p1=PROJECT)
    document = json_of(runner, "sensitivity", folder, "--format", "json")
    assert list(document) == ["scenario", "tornado", "switching_values", "portfolio"]
    assert sensitivity(load_portfolio(folder)).options == ()
    out = runner.invoke(cli, ["sensitivity", str(folder)])
    assert "Options:" not in out.stdout and "NPV against BAU" not in out.stdout


def test_the_examples_control_room_options(runner):
    """The example's JCR: the merged room's bars are the project's (it is preferred), and the
    other options have theirs."""
    document = json_of(runner, "sensitivity", EXAMPLE, "--format", "json")
    (jcr,) = document["projects"]
    assert jcr["id"] == "JCR"
    assert [o["id"] for o in jcr["options"]] == ["colocate", "shared-system", "merge"]
    merge = jcr["options"][2]
    top = merge["bars"][0]
    assert (top["line"], top["field"]) == ("Control room staff savings", "annual")
    project_bar = next(b for b in document["tornado"] if b["project"] == "JCR")
    assert top["swing"] == pytest.approx(project_bar["swing"], rel=1e-12)


def test_a_bau_scale_shows_its_range_as_written(scenario_dir):
    """BAU's uncertain ``scale`` is held negated to count against an option; its bar shows
    0.8 to 1.2, as the file writes it, each end with the NPV against BAU at that value."""

    def written(scale: str) -> str:
        text = shortlist_text(BAU_RUN=1_000.0)
        assert text.count("annual = 1000.0\n") == 1
        return text.replace("annual = 1000.0\n", f"annual = 1000.0\nscale = {scale}\n")

    folder = scenario_dir(opt=written("{ low = 0.8, central = 1.0, high = 1.2 }"), p1=PROJECT)
    bars = {
        (t.option, b.line, b.field): b
        for t in sensitivity(load_portfolio(folder)).options
        for b in t.tornado
    }
    for option in ("A", "B"):
        bar = bars[(option, "Running costs", "scale")]
        assert (bar.low, bar.high) == (0.8, 1.2)
        at = []
        for end in ("0.8", "1.2"):
            fixed = scenario_dir(opt=written(end), p1=PROJECT)
            shortlist = appraise(load_portfolio(fixed)).project("OPT").options
            assert shortlist is not None
            at.append(next(o.npv_vs_bau for o in shortlist.options if o.id == option))
        # a higher BAU running cost raises every option's NPV against BAU
        assert at[1] > at[0]
        assert bar.npv_at_low == pytest.approx(at[0], rel=1e-9)
        assert bar.npv_at_high == pytest.approx(at[1], rel=1e-9)
