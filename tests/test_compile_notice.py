"""The first-run line (issue 17): printed once, on a terminal, when the kernels are not cached."""

from __future__ import annotations

import io

import pytest

from actuarial import compile_notice


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.fixture
def fresh(monkeypatch):
    monkeypatch.setattr(compile_notice, "_shown", False)


def test_notice_printed_once_on_a_terminal_when_not_cached(fresh, monkeypatch):
    monkeypatch.setattr(compile_notice, "kernels_cached", lambda: False)
    stream = Terminal()
    assert compile_notice.notice_compilation(stream) is True
    assert compile_notice.notice_compilation(stream) is False
    assert stream.getvalue() == compile_notice.NOTICE + "\n"


def test_no_notice_when_not_a_terminal_or_cached(fresh, monkeypatch):
    monkeypatch.setattr(compile_notice, "kernels_cached", lambda: False)
    stream = io.StringIO()  # captured / redirected stderr
    assert compile_notice.notice_compilation(stream) is False
    monkeypatch.setattr(compile_notice, "kernels_cached", lambda: True)
    assert compile_notice.notice_compilation(Terminal()) is False
    assert stream.getvalue() == ""


def test_kernels_cached_reads_numbas_index(tmp_path, monkeypatch):
    """An empty cache folder has no index; the kernels' own cache (used by the
    test session, which compiled or loaded them) is read without error."""
    from numba.core.caching import IndexDataCacheFile

    empty = IndexDataCacheFile(cache_path=str(tmp_path), filename_base="x", source_stamp=(0, 0))
    assert empty._load_index() == {}
    assert isinstance(compile_notice.kernels_cached(), bool)
    for kernel in compile_notice._main_kernels():
        assert hasattr(kernel._cache, "_cache_file")  # the private path kernels_cached reads
