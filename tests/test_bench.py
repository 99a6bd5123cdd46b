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
        assert re.search(rf"^page {page}: small \d+\.\d ms, large \d+\.\d ms; after a change: small \d+\.\d ms, "
                         rf"large \d+\.\d ms; app shell \d+\.\d ms$", out, re.M), out
        for line in ("ratio", "floor"):
            assert re.search(rf"^{line} {page}: \d+\.\d\d$", out, re.M), out
            assert re.search(rf"^{line} {page} changed: \d+\.\d\d$", out, re.M), out
    assert re.search(r"^ratio journey_import_vs_calamine: \d+\.\d\d$", out, re.M), out
    assert re.search(r"^target met: (yes|no)$", out, re.M), out
    assert bench.os.environ["DATABASE_URL"] == "sqlite:////nonexistent/must-not-be-used.db"


def test_write_benchmark_prints_saves_per_second(capsys, monkeypatch):
    """A short write benchmark on SQLite prints both lines and the ratio."""
    monkeypatch.syspath_prepend(str(BENCH.parent))  # its writer processes import it by name
    module = importlib.import_module("bench_writes")
    assert module.main(["--seconds", "1", "--writers", "4", "--journeys", "2", "--backends", "sqlite"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^writes sqlite: 1 writer: \d+ saves/s, save p50 \d+\.\d ms, p95 \d+\.\d ms$", out, re.M), out
    assert re.search(r"^writes sqlite: 4 writers on 2 journeys: \d+ saves/s", out, re.M), out
    assert re.search(r"^ratio writes sqlite: \d+\.\d\d ", out, re.M), out
    assert re.search(r"^ratio save_p95 sqlite: \d+\.\d\d ", out, re.M), out


def test_customers_benchmark_prints_its_three_ratios(capsys, monkeypatch):
    """A short run of the customers' benchmark prints the import, analysis and page ratios."""
    monkeypatch.syspath_prepend(str(BENCH.parent))
    module = importlib.import_module("bench_customers")
    assert module.main(["--runs", "1", "--bills", "20000", "--customers", "500", "--import-rows", "2000",
                        "--postgresql", ""]) == 0
    out = capsys.readouterr().out
    for name in ("billing_import_vs_calamine", "pareto_vs_reference", "pareto_page_1m_vs_1k"):
        assert re.search(rf"^ratio {name}: \d+\.\d\d$", out, re.M), out
    assert re.search(r"^target met: (yes|no)$", out, re.M), out
