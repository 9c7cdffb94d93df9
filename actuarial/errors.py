"""The one exception type users see for bad input."""

from __future__ import annotations


class AssumptionError(ValueError):
    """Bad input: names the file, the key path and what was expected.

    The CLI prints ``str(error)`` (no traceback) and exits with code 2.
    """

    def __init__(self, file, key: str, expected: str):
        self.file = str(file) if file is not None else "<assumptions>"
        self.key = key
        self.expected = expected
        where = f"{self.file}: {key}" if key else self.file
        super().__init__(f"{where}: {expected}")


def kind(value) -> str:
    """How a bad value is named in a message ("nothing", "a list", "the text 'x'", ...)."""
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text {value!r}"
    return repr(value)
