"""The YAML loader's limits (``actuarial.assumptions.loader``) on inputs too
big to keep as files in ``tests/bad_inputs/``: generated here, and run
through the CLI (exit 2, one clean message, no traceback)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from actuarial.assumptions import loader
from actuarial.assumptions.loader import MAX_EXTENDS, MAX_FILE_BYTES, MAX_NODES, load_tree
from actuarial.cli import main
from actuarial.errors import AssumptionError

ROOT = Path(__file__).resolve().parents[1]
HEAD = f'extends: "{ROOT}/assumptions/demoland.yaml"\ncase: {{horizon: 10}}\npension: {{horizons: [10]}}\n'


def _cli_error(capsys, path: Path, out: Path) -> str:
    code = main(["run", str(path), "-o", str(out)])
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == 2, text
    assert "Traceback" not in text
    assert not out.exists() or not any(p.is_file() for p in out.rglob("*"))
    return text


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path, capsys):
    path = tmp_path / "big.yaml"
    path.write_text(HEAD + "padding: [" + "0, " * (MAX_FILE_BYTES // 3) + "0]\n")
    assert path.stat().st_size > MAX_FILE_BYTES
    text = _cli_error(capsys, path, tmp_path / "out")
    assert str(path) in text and f"larger than the limit of {MAX_FILE_BYTES:,} bytes" in text


def test_a_chain_of_extends_over_the_limit_is_one_error(tmp_path, capsys):
    files = [tmp_path / f"level{i}.yaml" for i in range(MAX_EXTENDS + 1)]
    for child, parent in zip(files, files[1:]):
        child.write_text(f"extends: {parent.name}\n")
    files[-1].write_text(HEAD)
    text = _cli_error(capsys, files[0], tmp_path / "out")
    assert f"chain of extends longer than the limit of {MAX_EXTENDS} files" in text
    assert str(files[MAX_EXTENDS - 1]) in text  # the file whose extends: goes one too far
    # the limit itself is allowed: a chain of MAX_EXTENDS files (the last one demoland.yaml) loads
    files[MAX_EXTENDS - 2].write_text(HEAD)
    data, origins = load_tree(files[0])
    assert data["case"]["horizon"] == 10


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_never_opened(tmp_path, capsys):
    """A FIFO without a writer would block ``open`` forever: refused from its stat."""
    fifo = tmp_path / "input.yaml"
    os.mkfifo(fifo)
    start = time.perf_counter()
    text = _cli_error(capsys, fifo, tmp_path / "out")
    assert "expected a regular file" in text
    data = tmp_path / "insured.csv"
    os.mkfifo(data)
    case = tmp_path / "case.yaml"
    case.write_text(HEAD.replace("pension: {horizons: [10]}",
                                 f"pension:\n  horizons: [10]\n  initial: {{insured_file: {data}}}"))
    text = _cli_error(capsys, case, tmp_path / "out2")
    assert "pension.initial.insured_file" in text and "not a regular file" in text
    assert time.perf_counter() - start < 30


def test_an_alias_bomb_fails_fast_without_expanding(tmp_path):
    """Nine levels of nine aliases: 9**10 values once expanded, ~800 bytes."""
    lines = ["x0: &x0 {" + ", ".join(f"k{j}: 1" for j in range(9)) + "}"]
    lines += [f"x{i}: &x{i} {{" + ", ".join(f"k{j}: *x{i - 1}" for j in range(9)) + "}" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    start = time.perf_counter()
    with pytest.raises(AssumptionError, match=f"more than {MAX_NODES:,} values") as err:
        load_tree(path)
    assert time.perf_counter() - start < 1.0
    assert str(path) in str(err.value)


def test_aliases_within_the_limits_still_load(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("a: &a {x: 1, y: [1, 2]}\nb: *a\n")
    data, origins = load_tree(path)
    assert data["b"] == {"x": 1, "y": [1, 2]}
    assert origins[("b", "x")] == path.resolve()


def test_the_limits_count_expanded_depth_and_size(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_NODES", 10)
    path = tmp_path / "small.yaml"
    path.write_text("a: &a [1, 2, 3]\nb: [*a, *a]\n")  # 1 + 2 keys + 4 + 1 + 2 * 4 = 16 values expanded
    with pytest.raises(AssumptionError, match="more than 10 values"):
        load_tree(path)
    monkeypatch.setattr(loader, "MAX_NODES", 16)
    load_tree(path)
    monkeypatch.setattr(loader, "MAX_DEPTH", 3)
    path.write_text("a: &a [1]\nb: [*a]\n")  # 3 levels as written; b's 1 is 4 down once expanded
    with pytest.raises(AssumptionError, match="nested deeper than 3 levels once aliases are expanded"):
        load_tree(path)
    path.write_text("a: [1]\nb: [2]\n")
    load_tree(path)
    path.write_text("a: [[1]]\n")
    with pytest.raises(AssumptionError, match="nested deeper than 3 levels"):
        load_tree(path)


def test_demoland_is_well_within_the_limits():
    data, _ = load_tree(ROOT / "assumptions" / "demoland.yaml")
    assert (ROOT / "assumptions" / "demoland.yaml").stat().st_size < MAX_FILE_BYTES // 10
