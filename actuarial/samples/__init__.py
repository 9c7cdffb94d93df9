"""The assumption sets and validation cases shipped with the package.

In the repository they are the folders ``assumptions/`` and
``validation_cases/``; an installed package holds them as
``actuarial/samples/assumptions`` and ``actuarial/samples/validation_cases``
(``setup.py`` maps the package names ``actuarial.samples.assumptions`` and
``actuarial.samples.validation_cases`` to the two folders; an editable
install maps the same names to the repository's folders). They sit side by
side as in the repository, so that a case's ``../../assumptions/...`` and a
set's ``extends:`` and data files (relative to the file) still resolve.

- :func:`examples_folder`, :func:`cases_folder`: where they are (``actuarial.shipped``, which the
  assumption loader reads too);
- :func:`sample_names`, :func:`sample_path`, :func:`load_sample`: a shipped
  set by its name (the file's stem, e.g. ``"demoland"``);
- :func:`copy_examples`: the sets (with their ``data/`` folders) copied into a
  folder of the user's, to edit and run (``actuarial examples DIR``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from actuarial.assumptions import load_assumptions
from actuarial.assumptions.loader import load_tree
from actuarial.errors import AssumptionError
from actuarial.grid import is_grid
from actuarial.shipped import cases_folder, examples_folder

__all__ = ["cases_folder", "copy_examples", "examples_folder", "load_sample", "sample_names", "sample_path"]

# repository folders that are not part of the shipped sets (scripts that built the data)
NOT_SHIPPED = ("sources", "__pycache__")


def _is_set(path: Path) -> bool:
    """An assumption set that ``load_assumptions`` reads: not a grid file, not a
    standalone fiscal-space file (case + fiscal_space, no demography)."""
    return not is_grid(path) and "demography" in load_tree(path)[0]


def sample_names() -> list[str]:
    """Names of the shipped assumption sets ``load_sample`` loads."""
    return sorted(p.stem for p in examples_folder().glob("*.yaml") if _is_set(p))


def sample_path(name: str) -> Path:
    """The shipped YAML file ``name`` (any of them: sets, grid, fiscal-space example)."""
    path = examples_folder() / f"{name}.yaml"
    if not isinstance(name, str) or "/" in name or "\\" in name or not path.is_file():
        known = sorted(p.stem for p in examples_folder().glob("*.yaml"))
        raise AssumptionError(str(name), "", f"no such shipped assumption file (expected one of "
                                             f"{', '.join(known)})")
    return path


def load_sample(name: str):
    """The shipped assumption set ``name`` (e.g. ``"demoland"``), loaded and validated.

    An unknown name is an ``AssumptionError`` listing the names.
    """
    names = sample_names()
    if name not in names:
        raise AssumptionError(str(name), "", f"no such sample assumption set (expected one of "
                                             f"{', '.join(names)})")
    return load_assumptions(examples_folder() / f"{name}.yaml")


def _shipped_files(folder: Path) -> list[Path]:
    """Files of ``folder`` that are part of the shipped sets (relative paths)."""
    return sorted(p.relative_to(folder) for p in folder.rglob("*")
                  if p.is_file() and not set(NOT_SHIPPED) & set(p.relative_to(folder).parts[:-1]))


def copy_examples(target, force: bool = False) -> list[Path]:
    """Copy the shipped sets, their data folders and data files, into ``target``.

    Relative paths (``extends:``, data files, a grid's ``base:``) stay as they
    were, so the copies run as they are; a path to the shipped folder
    (``{samples}/...``, e.g. Demoland's survey) becomes the same path relative
    to the copy, so the copied set reads its own copied data. A file already in
    ``target`` is an error unless ``force`` (then it is replaced). Returns the
    files written.
    """
    source, target = examples_folder(), Path(target)
    files = _shipped_files(source)
    if target.exists() and not target.is_dir():
        raise AssumptionError(target, "", "expected a folder to copy the example assumption sets into")
    existing = [f for f in files if (target / f).exists()]
    if existing and not force:
        raise AssumptionError(target / existing[0], "", f"already exists ({len(existing)} of the "
                                                        f"{len(files)} example files); use --force to replace")
    for f in files:
        (target / f).parent.mkdir(parents=True, exist_ok=True)
        if f.suffix == ".yaml" and len(f.parts) == 1:  # a set beside the data folder it names
            text = (source / f).read_text(encoding="utf-8")
            (target / f).write_text(text.replace('"{samples}/', '"'), encoding="utf-8")
        else:
            shutil.copyfile(source / f, target / f)
    return [target / f for f in files]
