"""Knowledge-base search on 100 and on 10,000 questions.

The questions are generated from the Thai and English FAQs of
tests/data/kb_faq.json: each is one of them asked about a package, a bank,
a branch, a province, a courier, a product or a month, with an answer
that says who looks after it, so that 10,000 questions share the FAQs'
words as a real knowledge base does and add their own (names, numbers).
Every query of tests/data/kb_queries.json is searched on each database, in
turns, and the median time is taken.

    .venv/bin/python bench/bench_kb.py [--rounds 5] [--questions 10000] [--postgresql URL]

Prints, per database (SQLite, and PostgreSQL when TEST_DATABASE_URL,
DATABASE_URL or --postgresql names a server):

    kb_search 100: 2.1 ms
    kb_search 10000: 3.0 ms
    ratio kb_search_10k_vs_100: 1.43          target at most 2
    target met: yes

(lines for PostgreSQL end in "postgresql"). Exit code 0 either way (1 with
--strict on a miss).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from cem.core.db import dispose_engine, get_engine, migrate, session_scope  # noqa: E402
from cem.core.models import AppUser, KbQuestion  # noqa: E402
from cem.kb import search  # noqa: E402
from cem.voice.words import words  # noqa: E402

DATA = ROOT / "tests" / "data"
USER = "bench"
TARGET = 2.0
SMALL = 100

PLANS = ["ไฟเบอร์ 300/300", "ไฟเบอร์ 500/500", "ไฟเบอร์ 1000/500", "เน็ตบ้านพลัส", "เกมเมอร์โปร", "เวิร์กฟรอมโฮม",
         "ครอบครัวแฮปปี้", "คอนโดสมาร์ท", "ธุรกิจเอสเอ็มอี", "ซูเปอร์ไวไฟ", "ทีวีพลัสเน็ต", "นักเรียนประหยัด"]
BANKS = ["กสิกรไทย", "ไทยพาณิชย์", "กรุงเทพ", "กรุงไทย", "กรุงศรี", "ทหารไทยธนชาต", "ออมสิน", "ยูโอบี", "ซีไอเอ็มบี"]
PLACES = ["บางนา", "ลาดพร้าว", "บางกะปิ", "สาทร", "จตุจักร", "ดอนเมือง", "มีนบุรี", "บางแค", "เชียงใหม่", "เชียงราย",
          "ขอนแก่น", "หาดใหญ่", "ภูเก็ต", "นครราชสีมา", "ชลบุรี", "พัทยา", "อุดรธานี", "พิษณุโลก", "สุราษฎร์ธานี",
          "ระยอง", "นนทบุรี", "ปทุมธานี", "สมุทรปราการ", "อยุธยา", "ลำปาง", "อุบลราชธานี", "หัวหิน", "กระบี่"]
DEPARTMENTS = ["ทันตกรรม", "ผิวหนัง", "กุมารเวช", "อายุรกรรม", "จักษุ", "กายภาพบำบัด", "สูตินรีเวช", "หัวใจ",
               "กระดูกและข้อ", "หู คอ จมูก"]
COURIERS = ["ไปรษณีย์ไทย", "แฟลชเอ็กซ์เพรส", "เคอรี่", "เจแอนด์ที", "นิ่มเอ็กซ์เพรส", "ดีเอชแอล", "ไลน์แมน"]
PRODUCTS = ["เราเตอร์ AX3000", "กล่องทีวี 4K", "กล้องวงจรปิด", "หูฟังไร้สาย", "พัดลมไอเย็น", "หม้อทอดไร้น้ำมัน",
            "เครื่องกรองน้ำ", "ลำโพงบลูทูธ", "ตู้เย็นสองประตู", "เครื่องฟอกอากาศ", "สมาร์ตวอตช์", "ไมโครเวฟ",
            "โน้ตบุ๊ก", "แท็บเล็ต", "เครื่องดูดฝุ่น", "หม้อหุงข้าว"]
MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
          "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
TEAMS = ["ทีมบริการลูกค้า", "ทีมการเงิน", "ทีมเทคนิค", "ทีมคลังสินค้า", "ทีมคุณภาพบริการ", "ทีมขายองค์กร"]
PLACES_EN = ["Bang Na", "Lat Phrao", "Sathorn", "Chiang Mai", "Khon Kaen", "Hat Yai", "Phuket", "Pattaya", "Rayong"]
PLANS_EN = ["Fibre 300", "Fibre 500", "Fibre 1000", "Home Plus", "Gamer Pro", "Work From Home", "Family Happy"]
PRODUCTS_EN = ["AX3000 router", "4K TV box", "CCTV camera", "wireless earbuds", "air fryer", "water filter",
               "bluetooth speaker", "smart watch", "laptop", "tablet", "vacuum cleaner", "rice cooker"]

# What a question is asked about, by the FAQ's category.
ABOUT = {
    "ใบแจ้งหนี้": ["รอบบิลเดือน{month}", "แพ็กเกจ{plan}", "บัญชีเลขที่ {number}"],
    "การชำระเงิน": ["ผ่านแอป{bank}", "บัตรเครดิต{bank}", "รอบบิลเดือน{month}", "บัญชีเลขที่ {number}"],
    "อินเทอร์เน็ต": ["แพ็กเกจ{plan}", "แถว{place}", "เขต{place}", "คอนโดย่าน{place}"],
    "คลินิก": ["แผนก{department}", "คลินิกสาขา{place}", "แผนก{department} สาขา{place}"],
    "การจัดส่ง": ["สั่ง{product}", "ขนส่ง{courier}", "ส่งไป{place}", "คำสั่งซื้อ {number}"],
    "บัญชีผู้ใช้": ["แอป{bank}", "สมาชิกเลขที่ {number}", "บัญชีสาขา{place}"],
    "การคืนเงิน": ["สั่ง{product}", "จ่ายด้วยบัตร{bank}", "คำสั่งซื้อ {number}"],
    "บริการทั่วไป": ["สาขา{place}", "จังหวัด{place}"],
}
ABOUT_EN = ["for the {plan_en} plan", "in {place_en}", "order {number}", "for my {product_en}"]
ANSWER = "สำหรับ{about} {team}ดูแลเรื่องนี้ ติดต่อได้ที่เบอร์ 02 {number}"
ANSWER_EN = "For {about}, our {team_en} team looks after this: call 02 {number}."


def faqs() -> list[dict]:
    return json.loads((DATA / "kb_faq.json").read_text(encoding="utf-8"))


def queries() -> list[str]:
    return [q["query"] for q in json.loads((DATA / "kb_queries.json").read_text(encoding="utf-8"))["queries"]]


def generate(count: int, seed: int = 2026) -> list[dict]:
    """`count` questions made from the FAQs, each with its own subject."""
    rng = random.Random(seed)
    base = faqs()
    made = []
    for i in range(count):
        faq = base[i % len(base)]
        slots = {"month": rng.choice(MONTHS), "plan": rng.choice(PLANS), "bank": rng.choice(BANKS),
                 "place": rng.choice(PLACES), "department": rng.choice(DEPARTMENTS),
                 "courier": rng.choice(COURIERS), "product": rng.choice(PRODUCTS), "number": rng.randrange(10**5, 10**6),
                 "team": rng.choice(TEAMS), "plan_en": rng.choice(PLANS_EN), "place_en": rng.choice(PLACES_EN),
                 "product_en": rng.choice(PRODUCTS_EN), "team_en": rng.choice(["billing", "technical", "delivery"])}
        english = faq["question"].isascii()
        about = rng.choice(ABOUT_EN if english else ABOUT[faq["category"]]).format(**slots)
        answer = (ANSWER_EN if english else ANSWER).format(about=about, **slots)
        made.append({"question": f"{faq['question']} {about}", "phrasings": rng.sample(faq["phrasings"], 1),
                     "answer": f"{faq['answer']} {answer}", "problem": faq["problem"], "category": faq["category"],
                     "tags": faq["tags"]})
    return made


@lru_cache(maxsize=None)
def _words(piece: str) -> tuple[str, ...]:
    return tuple(words(piece))


def search_text(question: dict) -> str:
    """search.index_text of a generated question, its pieces cut once each
    (the generated texts repeat them; the words between spaces do not
    depend on what stands on the other side)."""
    head = [question["question"], *question["phrasings"], *question["tags"], question["category"]]
    body = [question["answer"], question["problem"]]
    return (" ".join(w for piece in head for s in piece.split() for w in _words(s)) + "\n"
            + " ".join(w for piece in body for s in piece.split() for w in _words(s)))


def fill(url: str, count: int, *, state: str = "published") -> None:
    """`count` generated questions, written in bulk (the triggers index them)."""
    rows = [{"question": q["question"], "phrasings": "\n".join(q["phrasings"]), "answer": q["answer"],
             "problem": q["problem"], "category": q["category"], "tags": "; ".join(q["tags"]), "state": state,
             "search_text": search_text(q), "created_by": USER, "updated_by": USER, "version": 1}
            for q in generate(count)]
    with session_scope(get_engine(url)) as session:
        for start in range(0, len(rows), 2_000):
            session.execute(insert(KbQuestion), rows[start:start + 2_000])
        session.commit()
    if not url.startswith("sqlite"):
        # A settled database, as autovacuum leaves it, and no autovacuum run during the timing.
        with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("kbquestion", "kb_search", "kb_term"):
                connection.exec_driver_sql(f"VACUUM ANALYZE {table}")


def time_searches(urls: dict[str, str], rounds: int) -> dict[str, float]:
    """The median time of one search, per database, over `rounds` passes of
    every query; the databases take turns query by query."""
    times: dict[str, list[float]] = {name: [] for name in urls}
    sessions = {name: session_scope(get_engine(url)) for name, url in urls.items()}
    opened = {name: scope.__enter__() for name, scope in sessions.items()}
    try:
        for session in opened.values():
            for query in queries():  # warm: the dictionary, the caches, the database's pages
                search.search(session, query)
        for _ in range(rounds):
            for query in queries():
                for name, session in opened.items():
                    started = time.perf_counter()
                    search.search(session, query)
                    times[name].append(time.perf_counter() - started)
    finally:
        for scope in sessions.values():
            scope.__exit__(None, None, None)
    return {name: statistics.median(found) for name, found in times.items()}


# ---------------------------------------------------------------- databases


def _prepare(url: str) -> None:
    migrate(get_engine(url))
    with session_scope(get_engine(url)) as session:
        session.add(AppUser(username=USER, display_name="Benchmark", role="admin", created_by=USER))
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

    with fresh(prefix="cem_bench_kb") as url:
        _prepare(url)
        try:
            yield url
        finally:
            dispose_engine(url)


def default_server() -> str:
    """TEST_DATABASE_URL, or DATABASE_URL when it names PostgreSQL."""
    app = os.environ.get("DATABASE_URL", "")
    return os.environ.get("TEST_DATABASE_URL", "") or (app if app.startswith("postgres") else "")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--postgresql", default=default_server(),
                        help="a PostgreSQL server where the role may create databases ('' for none)")
    parser.add_argument("--strict", action="store_true")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    saved = os.environ.get("TEST_DATABASE_URL")
    try:
        return run(args)
    finally:
        if saved is None:
            os.environ.pop("TEST_DATABASE_URL", None)
        else:
            os.environ["TEST_DATABASE_URL"] = saved


def run(args: argparse.Namespace) -> int:
    missed = []
    backends = [("sqlite", None)] + ([("postgresql", args.postgresql)] if args.postgresql else [])
    if not args.postgresql:
        print("kb_search postgresql: not measured (set TEST_DATABASE_URL to a PostgreSQL server)")
    with tempfile.TemporaryDirectory(prefix="cem-bench-kb-") as folder:
        for name, server in backends:
            suffix = "" if name == "sqlite" else f" {name}"
            small = sqlite_database(Path(folder), "small.db") if server is None else postgres_database(server)
            large = sqlite_database(Path(folder), "large.db") if server is None else postgres_database(server)
            with small as small_url, large as large_url:
                fill(small_url, SMALL)
                started = time.perf_counter()
                fill(large_url, args.questions)
                print(f"kb_search{suffix}: {args.questions:,} questions written in {time.perf_counter() - started:.0f} s",
                      flush=True)
                times = time_searches({"small": small_url, "large": large_url}, args.rounds)
            print(f"kb_search {SMALL}{suffix}: {times['small'] * 1000:.1f} ms", flush=True)
            print(f"kb_search {args.questions}{suffix}: {times['large'] * 1000:.1f} ms", flush=True)
            value = times["large"] / times["small"]
            print(f"ratio kb_search_10k_vs_100{suffix}: {value:.2f}", flush=True)
            if value > TARGET:
                missed.append(f"kb_search_10k_vs_100{suffix} ({value:.2f} > {TARGET:g})")
    if missed:
        print("above target: " + ", ".join(missed))
    print(f"target met: {'no' if missed else 'yes'}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
