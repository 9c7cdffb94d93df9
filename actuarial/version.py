"""The engine's version (the installed distribution's), for the results' attrs."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("actuarial")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"
