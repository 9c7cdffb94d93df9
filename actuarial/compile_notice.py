"""One line on stderr when the numba kernels are about to be compiled (issue 17).

The first run after an install compiles the engine's numba kernels (about a
minute on two cores) and then keeps them in numba's cache (``cache=True``:
``__pycache__`` beside the modules, or ``NUMBA_CACHE_DIR``); later runs load
them in well under a second. Without a word, the first run looks hung. The
command line calls :func:`notice_compilation` before it computes: it prints
:data:`NOTICE` once per process, on a terminal only (a captured or redirected
stderr stays as it was), and only when the cache holds no fresh copy of the
main kernels.
"""

from __future__ import annotations

import sys

NOTICE = ("compiling the numerical kernels (numba), once after installation: about a minute; "
          "later runs load them from the cache")
_shown = False


def _main_kernels() -> tuple:
    """The dispatchers of the kernels every default run calls."""
    from actuarial.demography import _kernels as demography
    from actuarial.projection import _injury_kernels as injury
    from actuarial.projection import _pension_kernels as pension

    return demography._project_one, demography._survival_rows, pension._scheme_scenario, injury._scenario


def kernels_cached() -> bool:
    """Whether numba's cache holds a fresh index (same source, same numba) for each main kernel.

    Reads numba's cache index through its private ``_cache`` objects; if
    those are not as expected (another numba), says True: no notice rather
    than a wrong one.
    """
    for kernel in _main_kernels():
        try:
            if not kernel._cache._cache_file._load_index():
                return False
        except Exception:  # noqa: BLE001 - numba internals differ: stay quiet
            return True
    return True


def notice_compilation(stream=None) -> bool:
    """Print :data:`NOTICE` to ``stream`` (stderr) if the kernels will be compiled:
    once per process, only on a terminal. Returns whether it printed."""
    global _shown
    stream = sys.stderr if stream is None else stream
    if _shown or not getattr(stream, "isatty", lambda: False)() or kernels_cached():
        return False
    print(NOTICE, file=stream, flush=True)
    _shown = True
    return True
