"""Every README block marked ``<!-- example -->`` runs as written.

A marked block is the fenced block right after a line ``<!-- example -->``
(an HTML comment: invisible in the rendered README). The blocks run in README
order, each in a temporary folder with an ``assumptions/`` folder as in the
repository:

- a ``bash`` block: each ``actuarial ...`` command (also after ``&&``) runs
  through the CLI in-process, with the shell's glob expansion, and must exit
  with code 0; other programs (``pip``, ``pytest``) are the environment's and
  are not run. A command listed in ``CHECKS`` then has its outputs checked.
  The shipped files are 15-year copies of themselves there
  (``test_batch._short_copies``: same names and cases, shorter projections,
  so that the batch of every shipped file stays fast).
- a ``python`` block: executed, all python blocks in one namespace (a later
  block may use what an earlier one defined), on the shipped files as they
  are (``actuarial examples``): the examples select years up to 2075.
"""

from __future__ import annotations

import glob
import re
import shlex
from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

from cli_helpers import run_cli
from test_batch import _short_copies

README = Path(__file__).resolve().parents[1] / "README.md"
MARK = "<!-- example -->"


def marked_blocks(text: str) -> list[tuple[int, str, str]]:
    """(line number, language, code) of every fenced block right after a ``MARK`` line."""
    lines = text.splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if line.strip() != MARK:
            continue
        fence = lines[i + 1] if i + 1 < len(lines) else ""
        assert fence.startswith("```"), f"README line {i + 1}: {MARK} not followed by a fenced block"
        end = next(j for j in range(i + 2, len(lines)) if lines[j].startswith("```"))
        blocks.append((i + 2, fence[3:].strip(), "\n".join(lines[i + 2:end])))
    return blocks


def commands(code: str) -> list[list[str]]:
    """The ``actuarial`` commands of a bash block, as argument lists (without ``actuarial``),
    globs expanded; comments and other programs left out."""
    found = []
    for line in code.splitlines():
        line = re.split(r"\s#|^#", line, maxsplit=1)[0].strip()
        for command in filter(None, (c.strip() for c in line.split("&&"))):
            words = shlex.split(command)
            if words[0] != "actuarial":
                continue
            found.append([a for w in words[1:] for a in (sorted(glob.glob(w)) or [w] if "*" in w else [w])])
    return found


def _check_run(folder: Path, out: str):
    """``actuarial run assumptions/demoland.yaml``: the three outputs, and the console's headline."""
    case = folder / "out" / "demoland"
    for name in ("results.nc", "summary.xlsx", "report.html"):
        assert (case / name).is_file(), name
    with xr.open_datatree(case / "results.nc") as tree:
        assert {"demography", "pension", "spf", "fiscal_space"} <= set(tree.children)
    assert "GAP" in out


def _check_compare(folder: Path, out: str):
    compared = folder / "out" / "compare_canada_vs_mexico"
    assert (compared / "report.html").is_file() and (compared / "mexico" / "results.nc").is_file()
    assert "canada only:" in out


def _check_batch(folder: Path, out: str):
    """The fiscal-space example is not a case (skipped with a message): every other shipped file runs."""
    summary = pd.read_csv(folder / "out" / "batch" / "batch_summary.csv", index_col="case")
    assert {"canada", "mexico", "demoland", "demoland_reform"} <= set(summary.index)
    assert len(summary) == 5 + 27  # canada, mexico, demoland, its reform and SPF phase-in; the 27-case grid
    grid = summary.dropna(subset=["grid_interest_rate"])
    assert len(grid) == 27 and sorted(set(grid["grid_interest_rate"])) == [0.04, 0.055, 0.07]


# the start of a README command -> the check of what it wrote and printed
CHECKS = {"run assumptions/demoland.yaml": _check_run, "compare assumptions/canada.yaml": _check_compare,
          "batch assumptions/canada.yaml": _check_batch}


def test_marked_blocks_are_found():
    """The README marks its runnable examples (the main job, Python, comparisons, batches)."""
    blocks = marked_blocks(README.read_text(encoding="utf-8"))
    assert {language for _, language, _ in blocks} == {"bash", "python"}
    assert len(blocks) >= 5
    assert marked_blocks("x\n" + MARK + "\n```bash\nactuarial --version\n```\n") == [(3, "bash", "actuarial --version")]
    with pytest.raises(AssertionError, match="not followed by a fenced block"):
        marked_blocks(MARK + "\ntext\n")


def test_commands_of_a_block(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.yaml").touch()
    (tmp_path / "a.yaml").touch()
    code = 'pip install . && actuarial run x.yaml   # comment\n# a comment\npytest\nactuarial batch *.yaml -o "o d"'
    assert commands(code) == [["run", "x.yaml"], ["batch", "a.yaml", "b.yaml", "-o", "o d"]]


@pytest.mark.slow
def test_readme_examples_run_as_written(tmp_path, monkeypatch):
    short, full = tmp_path / "short", tmp_path / "full"
    short.mkdir()
    _short_copies(short)
    assert run_cli(["examples", str(full / "assumptions")])[0] == 0
    namespace: dict = {}
    checked = set()
    for line, language, code in marked_blocks(README.read_text(encoding="utf-8")):
        if language == "python":
            monkeypatch.chdir(full)
            exec(compile(code, f"README.md:{line}", "exec"), namespace)
            continue
        monkeypatch.chdir(short)
        for args in commands(code):
            status, out, err = run_cli(args)
            assert status == 0, f"README.md:{line}: actuarial {' '.join(args)}\n{err}"
            shown = " ".join(args)
            for start, check in CHECKS.items():
                if shown.startswith(start):
                    check(short, out)
                    checked.add(start)
    assert checked == set(CHECKS), f"README examples not found: {set(CHECKS) - checked}"
    assert (full / "base_vs_reform.html").is_file() and (full / "differences.csv").is_file()
    assert list(namespace["both"]["payg_cost_rate"].sizes) and namespace["pop"].sizes["age"] == 101
