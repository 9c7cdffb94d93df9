"""An annotated assumptions template for a new country.

``actuarial assumptions template [-o FILE]`` writes it; it runs as it is
(illustrative values for a lower-middle-income country of 10 million people)
and says, key by key, what to replace.
"""

from __future__ import annotations

from pathlib import Path

from actuarial.errors import AssumptionError
from actuarial.output import atomic_path

TEMPLATE = Path(__file__).with_name("templates") / "new_country.yaml"


def template_text() -> str:
    """The annotated template YAML."""
    return TEMPLATE.read_text(encoding="utf-8")


def write_template(path="new_country.yaml", force: bool = False) -> Path:
    """Write the template to ``path``; an existing file only with ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise AssumptionError(path, "--force", "the file exists; pass --force to overwrite it")
    if path.is_dir():
        raise AssumptionError(path, "-o", "expected a file name, got a folder")
    try:
        with atomic_path(path) as tmp:
            tmp.write_text(template_text(), encoding="utf-8")
    except OSError as exc:
        raise AssumptionError(path, "-o", f"cannot write the template ({exc.strerror or exc})") from None
    return path
