"""The documentation shows what the tool really prints.

Example output pasted into README.md and docs/ is compared, line by line, with a real run of the
same command on the example portfolio, so that a change to the calculation or the output that
makes the docs wrong fails here. ("..." in a pasted block stands for lines left out.)
"""

from __future__ import annotations

import json
import re
import shlex

import pytest

from npv_calc.cli import cli

from .conftest import ROOT

#: (file, command as shown in the docs): commands whose pasted output is deterministic and runs
#: on the example portfolio alone.
PASTED = [
    ("README.md", "npv-calc run scenarios/"),
    ("README.md", "npv-calc options scenarios/"),
    ("docs/cli.md", "npv-calc options scenarios/"),
    ("docs/cli.md", "npv-calc run scenarios/ --previous examples/last-board/"),
    ("docs/cli.md", "npv-calc sensitivity scenarios/"),
    ("docs/cli.md", "npv-calc progress scenarios/"),
    ("docs/cli.md", "npv-calc simulate scenarios/ --iterations 100000 --seed 1"),
    ("docs/cli.md", "npv-calc unit-costs"),
    ("docs/cli.md", "npv-calc case --project JET"),
    ("docs/cli.md", "npv-calc case --project JET --plan --vfm-category"),
    ("docs/cli.md", "npv-calc case --project TRI -n 10000 --seed 1"),
]


def pasted_block(text: str, command: str) -> list[str]:
    """The lines printed under ``$ <command>`` in a ```text block."""
    start = text.index(f"$ {command}\n") + len(f"$ {command}\n")
    end = text.index("```", start)
    return text[start:end].rstrip("\n").splitlines()


@pytest.mark.parametrize(("document", "command"), PASTED, ids=[c for _, c in PASTED])
def test_pasted_output_is_what_the_command_prints(runner, monkeypatch, document, command):
    monkeypatch.chdir(ROOT)
    expected = pasted_block((ROOT / document).read_text(encoding="utf-8"), command)
    out = runner.invoke(cli, shlex.split(command)[1:])
    assert out.exit_code == 0, out.output
    printed = out.stdout.splitlines()
    position = 0
    for line in expected:
        if line.strip() in ("...", "…"):
            continue
        assert line in printed[position:], f"{document}: {line!r} is not printed by {command}"
        position = printed.index(line, position) + 1


def _simulated(runner, *options: str) -> dict:
    """The portfolio figures of ``simulate --iterations 100000 --seed 1`` with ``options``."""
    out = runner.invoke(
        cli, ["simulate", "--iterations", "100000", "--seed", "1", *options, "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["portfolio"]


def test_readme_figures_are_the_tools(runner, monkeypatch):
    """The README quotes the switching value and the Monte Carlo figures of the example, with the
    outturn recorded (the latest estimate) and for the plan (``--plan``), with and without the
    correlation groups: each is what the tool gives."""
    monkeypatch.chdir(ROOT)
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    falls = []
    for options in ([], ["--plan"]):
        out = runner.invoke(cli, ["sensitivity", *options, "--format", "json"])
        assert out.exit_code == 0, out.output
        falls.append(json.loads(out.stdout)["portfolio"]["benefits_fall_to_miss_target"] * 100)
    assert (
        f"before the target is missed ({falls[0]:.1f}% for the example; {falls[1]:.1f}% for the "
        "plan, which has no outturn)" in readme
    )
    money = r"£(\d{1,3}(?:,\d{3})*)"
    quoted = {
        (): r"probability of meeting the target \(([\d.]+)% for the example, (\w+) of the "
        r"100,000 draws missing it\) and a standard deviation of the portfolio NPV of " + money,
        ("--plan",): r"For the plan as approved \(`--plan`, the outturn left out\) the same run "
        r"gives ([\d.]+)% \((\w+) draws missing the target\) and " + money,
        ("--independent",): r"With `--independent`, which ignores the groups, the example gives "
        r"([\d.]+)% \((\w+) draws? missing\) and " + money,
        ("--plan", "--independent"): r"and the plan ([\d.]+)% \((\w+) draws? missing\) and "
        + money,
    }
    for options, pattern in quoted.items():
        figures = _simulated(runner, *options)
        match = re.search(pattern, readme)
        assert match, f"README.md does not quote simulate {' '.join(options)}: {pattern}"
        percent, missing, std = match.groups()
        assert float(percent) == pytest.approx(figures["prob_meets_target"] * 100, abs=0.0005)
        draws = round((1 - figures["prob_meets_target"]) * 100_000)
        assert missing in ((f"{draws:,}",) if draws else ("none", "no")), (options, missing)
        assert std == f"{figures['std']:,.0f}", (options, std)
