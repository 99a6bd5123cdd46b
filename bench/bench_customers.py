"""The customers' half, timed against bare references:

- billing import: a 100,000-row billing workbook read, checked and stored,
  against python-calamine only reading it (in this process, with the
  cyclic collector paused as the import pauses it);
- the 20:80 analysis on 1,000,000 bills of 50,000 customers, against the
  same SUM ... GROUP BY through the raw database driver plus a numpy sort
  and cumulative sum (SQLite, and PostgreSQL when TEST_DATABASE_URL or
  --postgresql names a server);
- the 20:80 page rerun on those 1,000,000 bills against one on 1,000.

    .venv/bin/python bench/bench_customers.py [--runs 5] [--bills 1000000] [--import-rows 100000]
    .venv/bin/python bench/bench_customers.py --import-only   # the billing import alone

Prints `ratio billing_import_vs_calamine`, `ratio pareto_vs_reference`
(and `... postgresql`) and `ratio pareto_page_1m_vs_1k`, then
`target met: yes|no`. Exit code 0 either way (1 with --strict on a miss).
"""
from __future__ import annotations

import argparse
import io
import logging
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
from sqlalchemy import insert, select  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from cem.core.db import dispose_engine, get_engine, migrate, session_scope  # noqa: E402
from cem.core.memory import collector_paused  # noqa: E402
from cem.core.models import AppUser, Bill, BillImport, Customer  # noqa: E402
from cem.customers import analysis, billing  # noqa: E402

USER = "bench"
IMPORT_TARGET, PARETO_TARGET, PAGE_TARGET = 2.0, 1.5, 2.0
FIRST_DAY = date(2024, 1, 1)
DAYS = 730  # two years of bills
PERIOD = analysis.Period(FIRST_DAY, FIRST_DAY + timedelta(days=DAYS - 1))
HEADINGS = ["รหัสลูกค้า", "ชื่อลูกค้า", "วันที่", "ยอดชำระ", "เลขที่ใบแจ้งหนี้", "บริการ"]
SERVICES = ["อินเทอร์เน็ตบ้าน", "กล่องทีวี", "โทรศัพท์บ้าน", "ติดตั้ง"]


def median_time(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ---------------------------------------------------------------- databases


def _prepare(url: str) -> None:
    migrate(get_engine(url))
    with session_scope(get_engine(url)) as session:
        session.add(AppUser(username=USER, display_name="Benchmark", role="admin", created_by=USER))
        session.commit()


def fill_bills(url: str, bills: int, customers: int, seed: int = 2026) -> None:
    """`customers` customers with a skewed spread (Pareto weights) and
    `bills` bills over two years, in one import, written in bulk."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    audit = {"created_at": now, "updated_at": now, "created_by": USER, "updated_by": USER, "version": 1}
    with session_scope(get_engine(url)) as session:
        batch = BillImport(file_name="bench.xlsx", created_by=USER, updated_by=USER)
        session.add(batch)
        session.flush()
        session.execute(insert(Customer), [
            {**audit, "code": f"C{n:06d}", "name": f"ลูกค้า {n}", "kind": "organisation", "notes": "",
             "segment": ("องค์กร", "SME", "บุคคล")[n % 3]} for n in range(1, customers + 1)])
        ids = np.array(session.execute(select(Customer.id).order_by(Customer.id)).scalars().all())
        weights = np.array([rng.paretovariate(1.2) for _ in range(customers)])
        owners = np.random.default_rng(seed).choice(ids, size=bills, p=weights / weights.sum())
        numbers = np.random.default_rng(seed + 1)
        days = numbers.integers(0, DAYS, size=bills)
        amounts = numbers.integers(20_000, 2_000_000, size=bills)
        for start in range(0, bills, 50_000):
            session.execute(insert(Bill), [
                {"import_id": batch.id, "customer_id": int(owners[i]), "day": FIRST_DAY + timedelta(days=int(days[i])),
                 "amount_satang": int(amounts[i]), "number": "", "service": SERVICES[i % len(SERVICES)],
                 "quantity": None, "key": f"b:{i}"} for i in range(start, min(bills, start + 50_000))])
        session.commit()


@contextmanager
def sqlite_database(folder: Path, name: str) -> Iterator[str]:
    url = f"sqlite:///{folder / name}"
    _prepare(url)
    try:
        yield url
    finally:
        dispose_engine(url)


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    os.environ["TEST_DATABASE_URL"] = server
    from tests.conftest import postgres_database as fresh

    with fresh() as url:
        _prepare(url)
        try:
            yield url
        finally:
            dispose_engine(url)


# ---------------------------------------------------------------- 1. billing import


def billing_workbook(rows: int, seed: int = 7) -> bytes:
    """Finance's export: a title row, the headings, `rows` bills."""
    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("ยอดขาย")
    sheet.append(["รายงานยอดขาย"])
    sheet.append(HEADINGS)
    for n in range(rows):
        customer = int(rng.paretovariate(1.2) * 10) % 3000
        sheet.append([f"{customer:05d}", f"บริษัท ลูกค้า {customer} จำกัด",
                      datetime(2024, 1, 1) + timedelta(days=n % 700), round(rng.uniform(100, 90_000), 2),
                      f"INV{n:07d}", SERVICES[n % len(SERVICES)]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def time_billing_import(url: str, data: bytes, runs: int) -> dict[str, float]:
    """Median seconds of the whole import (read, check, store) and of each
    step, and of python-calamine reading the sheet in this process."""
    from python_calamine import CalamineWorkbook

    steps: dict[str, list[float]] = {"read": [], "check": [], "store": [], "whole": [], "calamine": []}
    for _ in range(runs):
        with session_scope(get_engine(url)) as session:
            started = time.perf_counter()
            sheet = billing.read_file(data, "ยอดขาย.xlsx")
            read = time.perf_counter()
            checked = billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])
            check = time.perf_counter()
            batch = billing.import_bills(session, checked=checked, file_name="ยอดขาย.xlsx", user=USER)
            done = time.perf_counter()
            if checked.refused or batch.bills_added != len(checked.bills):
                raise SystemExit(f"the benchmark workbook did not import whole: {len(checked.refused)} refused")
            billing.undo_import(session, import_id=batch.id, user=USER)
        # With the cyclic collector paused, as the import reads: else the
        # reference's time depends on how many objects the import left alive
        # (0.5 s to 1.0 s for the same sheet) and the ratio with it.
        with collector_paused():
            started_calamine = time.perf_counter()
            CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
            steps["calamine"].append(time.perf_counter() - started_calamine)
        for name, seconds in (("read", read - started), ("check", check - read), ("store", done - check),
                              ("whole", done - started)):
            steps[name].append(seconds)
    return {name: statistics.median(values) for name, values in steps.items()}


# ---------------------------------------------------------------- 2. the analysis against the raw driver


def reference(url: str) -> tuple[np.ndarray, np.ndarray]:
    """The bare reference: the SUM ... GROUP BY through the raw driver,
    then a numpy sort and cumulative sum."""
    sql = ("SELECT customer_id, SUM(amount_satang) FROM bill WHERE day >= {p} AND day <= {p} "
           "GROUP BY customer_id")
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        rows = connection.execute(sql.format(p="?"), (PERIOD.start.isoformat(), PERIOD.end.isoformat())).fetchall()
        connection.close()
    else:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            rows = connection.execute(sql.format(p="%s"), (PERIOD.start, PERIOD.end)).fetchall()
    totals = np.array([r[1] for r in rows], dtype=np.float64) / 100
    order = np.argsort(-totals, kind="stable")
    return np.array([r[0] for r in rows])[order], np.cumsum(totals[order])


def time_pareto(url: str, runs: int) -> tuple[float, float, int]:
    with session_scope(get_engine(url)) as session:
        result = analysis.pareto(session, PERIOD)  # warm
        ours = median_time(lambda: analysis.pareto(session, PERIOD), runs)
    bare = median_time(lambda: reference(url), runs)
    return ours, bare, result.customers


# ---------------------------------------------------------------- 3. the page


def time_page(url: str, runs: int) -> float:
    """Median seconds of a rerun of the 20:80 page, warm, against `url`."""
    os.environ["DATABASE_URL"] = url
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "th"
    at.session_state["auth_user"] = USER
    at.run()
    at.switch_page("pages/customers/pareto.py").run()
    for _ in range(2):
        at.run()
    if at.exception or not at.metric:
        raise SystemExit(f"the 20:80 page did not show on {url}: {[e.value for e in at.exception]}")
    return median_time(at.run, runs)


# ---------------------------------------------------------------- command line


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=50_000)
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--postgresql", default=os.environ.get("TEST_DATABASE_URL", ""))
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--import-only", action="store_true", help="time only the billing import")
    return parser.parse_args(argv)


@contextmanager
def environment_kept() -> Iterator[None]:
    """The variables the benchmark sets, put back afterwards."""
    names = ("DATABASE_URL", "CEM_SEED_SAMPLE", "TEST_DATABASE_URL")
    old = {name: os.environ.get(name) for name in names}
    try:
        yield
    finally:
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def main(argv: Sequence[str] | None = None) -> int:
    with environment_kept():
        return run(parse_args(argv))


def run(args: argparse.Namespace) -> int:
    os.environ["CEM_SEED_SAMPLE"] = "0"
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    missed = []

    def ratio(name: str, value: float, target: float) -> None:
        print(f"ratio {name}: {value:.2f}", flush=True)
        if value > target:
            missed.append(f"{name} ({value:.2f} > {target:g})")

    with tempfile.TemporaryDirectory(prefix="cem-bench-customers-") as folder:
        folder = Path(folder)
        data = billing_workbook(args.import_rows)
        with sqlite_database(folder, "import.db") as url:
            times = time_billing_import(url, data, args.runs)
        print(f"billing import {args.import_rows:,} rows ({len(data) / 2**20:.1f} MB): {times['whole']:.2f} s "
              f"(read {times['read']:.2f} s, check {times['check']:.2f} s, store {times['store']:.2f} s); "
              f"python-calamine reads it in {times['calamine']:.2f} s", flush=True)
        ratio("billing_import_vs_calamine", times["whole"] / times["calamine"], IMPORT_TARGET)

        backends = [] if args.import_only else [("sqlite", sqlite_database(folder, "million.db"))]
        if args.postgresql and backends:
            backends.append(("postgresql", postgres_database(args.postgresql)))
        elif backends:
            print("pareto postgresql: not measured (set TEST_DATABASE_URL to a PostgreSQL server)")
        for name, database in backends:
            with database as url:
                started = time.perf_counter()
                fill_bills(url, args.bills, args.customers)
                built = time.perf_counter() - started
                ours, bare, customers = time_pareto(url, args.runs)
                print(f"pareto {name}: {args.bills:,} bills of {customers:,} customers (built in {built:.0f} s): "
                      f"analysis {ours * 1000:.0f} ms, raw driver + numpy {bare * 1000:.0f} ms", flush=True)
                ratio("pareto_vs_reference" + ("" if name == "sqlite" else f" {name}"), ours / bare, PARETO_TARGET)
                if name == "sqlite":
                    with sqlite_database(folder, "thousand.db") as small:
                        fill_bills(small, 1_000, 100)
                        few = time_page(small, args.runs)
                    many = time_page(url, args.runs)
                    print(f"pareto page: rerun on 1,000 bills {few * 1000:.0f} ms, on {args.bills:,} bills "
                          f"{many * 1000:.0f} ms", flush=True)
                    ratio("pareto_page_1m_vs_1k", many / few, PAGE_TARGET)
    if missed:
        print("above target: " + ", ".join(missed))
    print(f"target met: {'no' if missed else 'yes'}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
