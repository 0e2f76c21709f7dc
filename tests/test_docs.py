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
    ("docs/cli.md", "npv-calc sensitivity scenarios/"),
    ("docs/cli.md", "npv-calc simulate scenarios/ --iterations 100000 --seed 1"),
    ("docs/cli.md", "npv-calc unit-costs"),
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


def test_readme_figures_are_the_tools(runner, monkeypatch):
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sensitivity = json.loads(runner.invoke(cli, ["sensitivity", "--format", "json"]).stdout)
    fall = sensitivity["portfolio"]["benefits_fall_to_miss_target"]
    assert f"before the target is missed ({fall * 100:.1f}% for the example)" in " ".join(
        readme.split()
    )
    simulation = json.loads(
        runner.invoke(
            cli, ["simulate", "--iterations", "100000", "--seed", "1", "--format", "json"]
        ).stdout
    )
    probability = simulation["portfolio"]["prob_meets_target"] * 100
    match = re.search(
        r"probability of meeting the target \(([\d.]+)% for the example", " ".join(readme.split())
    )
    assert match and float(match.group(1)) == pytest.approx(probability, abs=0.0005)
