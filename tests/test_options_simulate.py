"""``simulate`` on a shortlist (SPEC.md, "Options appraisal"): ``prob_best`` for each option and
``prob_preferred_beats_next`` for the project, drawn with common random numbers (a value shared
through ``includes`` is drawn once for every option that holds it)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from npv_calc import load_portfolio
from npv_calc.simulate import simulate

from .conftest import EXAMPLE
from .test_options import HEAD, benefit, cost, option, run_cli, write

#: Option "worse" is "good" plus a certain cost of 1,000: with common random numbers it is
#: never the best, however wide the ranges both hold. "other" has its own uncertain benefit, so
#: "good" is not always the best either.
PLUS_A_LOSS = (
    HEAD
    + 'preferred = "good"\n'
    + option("bau", "bau", cost("Rooms", "{ low = 500, central = 1_000, high = 3_000 }", "annual"))
    + option(
        "good",
        body=benefit("Savings", "{ low = 0, central = 2_000, high = 9_000 }", "annual"),
        includes='"bau"',
    )
    + option("worse", body=cost("Certain loss", "1_000"), includes='"good"')
    + option(
        "other",
        body=benefit("Other savings", "{ low = 0, central = 2_000, high = 9_000 }", "annual"),
        includes='"bau"',
    )
)


@pytest.mark.parametrize("sampling", ["lhs", "random"])
def test_an_option_that_is_another_plus_a_certain_loss_is_never_best(
    tmp_path: Path, sampling: str
) -> None:
    portfolio = load_portfolio(write(tmp_path, PLUS_A_LOSS))
    odds = simulate(portfolio, 4_000, seed=3, sampling=sampling).options
    (shortlist,) = odds
    assert shortlist.project == "OPT"
    assert shortlist.prob_best["worse"] == 0.0  # exactly: the same draws, less 1,000
    # the two uncertain options split the rest, each best often
    assert 0.2 < shortlist.prob_best["good"] < 0.8
    assert shortlist.prob_best["good"] + shortlist.prob_best["other"] == pytest.approx(1.0)
    assert "bau" not in shortlist.prob_best  # BAU is the benchmark, not ranked
    # "worse" never beats "good", so good beats every other exactly when it beats "other"
    assert shortlist.prob_preferred_beats_next == pytest.approx(shortlist.prob_best["good"])


def test_a_shared_value_is_drawn_once(tmp_path: Path) -> None:
    """BAU's uncertain running cost is in every option (includes): drawn once, it cancels out
    of every option's NPV against BAU, so two options that differ by a certain amount only keep
    that order in every draw, whatever BAU's cost draws."""
    text = (
        HEAD
        + 'preferred = "b"\n'
        + option(
            "bau", "bau", cost("Rooms", "{ low = 0, central = 5_000, high = 90_000 }", "annual")
        )
        + option("a", body=benefit("Saving", "100", "annual"), includes='"bau"')
        + option("b", body=benefit("Saving", "101", "annual"), includes='"bau"')
    )
    (odds,) = simulate(load_portfolio(write(tmp_path, text)), 2_000, seed=1).options
    assert odds.prob_best == {"a": 0.0, "b": 1.0}
    assert odds.prob_preferred_beats_next == 1.0


def test_the_same_seed_gives_the_same_odds(tmp_path: Path) -> None:
    portfolio = load_portfolio(write(tmp_path, PLUS_A_LOSS))
    first = simulate(portfolio, 1_000, seed=7).options
    assert simulate(portfolio, 1_000, seed=7).options == first
    assert simulate(portfolio, 1_000, seed=8).options != first


def test_only_one_option_besides_bau_has_no_next(tmp_path: Path) -> None:
    text = (
        HEAD
        + 'preferred = "a"\n'
        + option("bau", "bau")
        + option("a", body=benefit("Saving", "{ low = 0, central = 100, high = 200 }", "annual"))
    )
    (odds,) = simulate(load_portfolio(write(tmp_path, text)), 500, seed=1).options
    assert odds.prob_best == {"a": 1.0}
    assert odds.prob_preferred_beats_next is None


def test_an_option_too_large_at_an_end_of_its_range_is_refused_before_any_draw(
    tmp_path: Path,
) -> None:
    """Option odds draw every option: one whose figures a computer cannot hold at an end of its
    ranges is refused before the first draw, though the project (the preferred option against
    BAU) and every option hold at central values."""
    from npv_calc import appraise
    from npv_calc.errors import InputError

    saving = benefit("Saving", "{ low = 0, central = 900, high = 1_000 }", "annual")
    huge = benefit("Far too much", "{ low = 0, central = 1_000, high = 1e308 }", "annual")
    text = (
        HEAD
        + 'preferred = "good"\n'
        + option("bau", "bau")
        + option("good", body=saving)
        + option("other", body=huge)
    )
    portfolio = load_portfolio(write(tmp_path, text))
    assert appraise(portfolio).project("OPT").options is not None  # central values hold
    done: list[int] = []
    with pytest.raises(InputError, match="too large to calculate with") as caught:
        simulate(portfolio, 100, seed=1, progress=done.append)
    assert 'option "other"' in str(caught.value.problems[0])
    assert done == []


def test_simulate_json_and_table_give_the_odds(runner) -> None:
    out = run_cli(runner, "simulate", EXAMPLE, "-n", "2000", "--seed", "5", "--format", "json")
    assert out.exit_code == 0, out.output
    projects = {p["id"]: p for p in json.loads(out.stdout)["projects"]}
    jcr = projects["JCR"]
    assert [o["id"] for o in jcr["options"]] == ["bau", "colocate", "shared-system", "merge"]
    assert jcr["options"][0]["prob_best"] is None  # BAU
    shares = [o["prob_best"] for o in jcr["options"][1:]]
    assert sum(shares) == pytest.approx(1.0)
    assert jcr["options"][3]["prob_best"] > 0.9  # merge, the preferred option
    assert 0.9 < jcr["prob_preferred_beats_next"] <= jcr["options"][3]["prob_best"]
    # a project without options is as before: no such keys
    assert "options" not in projects["JET"] and "prob_preferred_beats_next" not in projects["JET"]
    table = run_cli(runner, "simulate", EXAMPLE, "-n", "2000", "--seed", "5")
    assert "JCR options (common random numbers)" in table.stdout
    assert "merge (preferred)" in table.stdout


def test_the_monte_carlo_sheet_gives_the_odds(runner, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    book = tmp_path / "board.xlsx"
    out = run_cli(runner, "simulate", EXAMPLE, "-n", "1000", "--seed", "5", "--xlsx", book)
    assert out.exit_code == 0, out.output
    texts = [
        c.value
        for row in load_workbook(book)["Monte Carlo"].iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert any(t.startswith("JCR options (common random numbers)") for t in texts)


def test_a_bau_item_against_the_preferred_option_drives_as_written(tmp_path: Path) -> None:
    """BAU's running cost (an uncertain ``scale``) and its risk are counted against the
    preferred option, held negated: a higher cost of business as usual raises the option's NPV
    against it, so both drive the NPV upward, as written (they read -1 before)."""
    bau_body = (
        cost("Rooms", "1_000", "annual")
        + "scale = { low = 0.5, central = 1.0, high = 2.0 }\n"
        + '[[options.risks]]\nname = "Flood"\nprobability = 0.5\n'
        + "impact = { low = 1_000, central = 5_000, high = 20_000 }\nyears = [1, 1]\n"
    )
    text = (
        HEAD
        + 'preferred = "new"\n'
        + option("bau", "bau", bau_body)
        + option("new", body=benefit("Savings", "{ low = 0, central = 10, high = 20 }", "annual"))
    )
    drivers = {
        (d.line, d.field): d.rank_correlation
        for d in simulate(load_portfolio(write(tmp_path, text)), 4_000, seed=3).drivers
    }
    assert drivers[("Rooms", "scale")] > 0.5
    assert drivers[("Flood", "risk")] > 0.1
    assert -0.1 < drivers[("Savings", "annual")] < 0.1  # a small benefit, beside the rest


def test_options_tied_share_the_draws_they_tie(tmp_path: Path) -> None:
    """Two options equal in every draw ("second" is "first" and a benefit of 0): each best in
    half of them, and the preferred one never beats the other (the first written was best in
    all of them, beside "beats in none")."""
    savings = benefit("Savings", "{ low = 0, central = 2_000, high = 9_000 }", "annual")
    rooms = cost("Rooms", "{ low = 500, central = 1_000, high = 3_000 }", "annual")
    text = (
        HEAD
        + 'preferred = "second"\npreferred_because = "a test"\n'
        + option("bau", "bau", rooms)
        + option("first", body=savings, includes='"bau"')
        + option("second", body=benefit("Nothing", "0", "annual"), includes='"first"')
        + option("worse", body=cost("Certain loss", "1_000"), includes='"first"')
    )
    (odds,) = simulate(load_portfolio(write(tmp_path, text)), 2_000, seed=5).options
    assert odds.prob_best == {"first": 0.5, "second": 0.5, "worse": 0.0}
    assert odds.prob_preferred_beats_next == 0.0
