"""Bad inputs through the CLI: exit code 2, one clean message, nothing written.

Each case is a folder under ``tests/bad_inputs/<area>/<case>/`` holding the
input files, ``expect.txt`` (words the message must contain, one per line)
and, optionally, ``command.txt`` (the CLI arguments on one line; ``{dir}`` is
the case's folder, copied to a temporary place, and ``{out}`` the output
folder; default ``run {dir}/input.yaml -o {out}``). In the copied ``.yaml``
files ``{root}`` stands for the repository (e.g. ``extends:
{root}/assumptions/demoland.yaml``).
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from actuarial.cli import main

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted(p.parent for p in (Path(__file__).parent / "bad_inputs").rglob("expect.txt"))


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_bad_input_is_one_clean_error(case, tmp_path, capsys):
    folder = tmp_path / case.name
    shutil.copytree(case, folder, symlinks=True)
    for path in folder.rglob("*.yaml"):
        if not path.is_symlink():
            path.write_bytes(path.read_bytes().replace(b"{root}", str(ROOT).encode()))
    out = tmp_path / "out"
    command = (folder / "command.txt").read_text().strip() if (folder / "command.txt").exists() \
        else "run {dir}/input.yaml -o {out}"
    args = [a.format(dir=folder, out=out) for a in shlex.split(command)]
    code = main(args)
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert code == 2, text
    assert "Traceback" not in text
    for word in (folder / "expect.txt").read_text().split("\n"):
        if word.strip():
            assert word.strip() in text, f"{word.strip()!r} not in: {text}"
    left = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not left, f"output left behind: {left}"
