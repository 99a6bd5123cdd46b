"""The page benchmark (bench/bench_pages.py) still runs end to end."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.pages
BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_pages.py"


def load_bench(monkeypatch):
    spec = importlib.util.spec_from_file_location("bench_pages", BENCH)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_benchmark_prints_a_ratio_per_page(capsys, monkeypatch):
    """A short benchmark run of two pages prints each page's ratio and the verdict, and exits 0."""
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nonexistent/must-not-be-used.db")
    bench = load_bench(monkeypatch)
    assert bench.main(["--runs", "2", "--pages", "journeys,board"]) == 0
    out = capsys.readouterr().out
    for page in ("journeys", "board"):
        assert re.search(rf"^page {page}: small \d+\.\d ms, large \d+\.\d ms$", out, re.M), out
        assert re.search(rf"^ratio {page}: \d+\.\d\d$", out, re.M), out
    assert re.search(r"^target met: (yes|no)$", out, re.M), out
    assert bench.os.environ["DATABASE_URL"] == "sqlite:////nonexistent/must-not-be-used.db"
