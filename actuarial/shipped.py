"""Where the assumption sets and validation cases shipped with the package are
(``actuarial.samples`` describes them): the folders of the data packages
``actuarial.samples.assumptions`` and ``actuarial.samples.validation_cases``,
or the repository's ``assumptions/`` and ``validation_cases/`` in a source
tree. A leaf module: the assumption loader resolves ``{samples}/`` paths with
it, and ``actuarial.samples`` (which loads sets) imports it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

EXAMPLES = "actuarial.samples.assumptions"
CASES = "actuarial.samples.validation_cases"


def _folder(package: str, repository_name: str) -> Path:
    """The folder of a data package; the repository's folder when the source
    tree is imported without being installed."""
    spec = importlib.util.find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    return Path(__file__).resolve().parents[1] / repository_name  # pragma: no cover - uninstalled tree


def examples_folder() -> Path:
    """The shipped assumption sets (the repository's ``assumptions/``)."""
    return _folder(EXAMPLES, "assumptions")


def cases_folder() -> Path:
    """The shipped validation cases (the repository's ``validation_cases/``)."""
    return _folder(CASES, "validation_cases")
