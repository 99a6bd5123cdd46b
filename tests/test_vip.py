"""VIP customers: the rule on a hand-worked example and the edge cases,
applying it, marking by hand, and two periods compared."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from cem.core.errors import ConflictError, ValidationError
from cem.core.models import ChangeLog, Customer, VipChange
from cem.customers import analysis, billing, vip
from cem.customers.pareto import analyse

USER = "lead"
YEAR_2024 = analysis.Period(date(2024, 1, 1), date(2024, 12, 31))
YEAR_2025 = analysis.Period(date(2025, 1, 1), date(2025, 12, 31))


def ids(array) -> list[int]:
    return [int(i) for i in array]


# Ten customers, ids 1..10, with 500, 200, 100, 60, 50, 40, 20, 15, 10, 5 (total 1,000).
HAND = analyse(range(1, 11), [500, 200, 100, 60, 50, 40, 20, 15, 10, 5])


def test_the_top_share_of_customers_rounds_up():
    assert ids(vip.picked(HAND, "top_share", 0.2)) == [1, 2]
    assert ids(vip.picked(HAND, "top_share", 0.25)) == [1, 2, 3]  # 2.5 customers: 3
    assert ids(vip.picked(HAND, "top_share", 0.01)) == [1]  # at least one


def test_the_share_of_revenue_stops_at_the_customer_who_reaches_it():
    assert ids(vip.picked(HAND, "revenue_share", 0.8)) == [1, 2, 3]  # 500 + 200 + 100 is 80 % exactly
    assert ids(vip.picked(HAND, "revenue_share", 0.81)) == [1, 2, 3, 4]
    assert ids(vip.picked(HAND, "revenue_share", 1.0)) == list(range(1, 11))


def test_a_fixed_number_and_more_than_there_are():
    assert ids(vip.picked(HAND, "fixed", 4)) == [1, 2, 3, 4]
    assert ids(vip.picked(HAND, "fixed", 50)) == list(range(1, 11))


def test_ties_at_the_threshold_are_all_in_whatever_their_order():
    tied = analyse([7, 3, 9, 1], [100, 50, 50, 50])
    assert sorted(ids(vip.picked(tied, "fixed", 2))) == [1, 3, 7, 9]
    assert sorted(ids(vip.picked(tied, "top_share", 0.25))) == [7]


def test_zero_and_negative_totals_one_customer_and_no_customers():
    mixed = analyse([1, 2, 3], [100, 0, -40])
    assert ids(vip.picked(mixed, "top_share", 0.2)) == [1]  # credit notes never make a VIP
    assert ids(vip.picked(mixed, "fixed", 3)) == [1]
    assert ids(vip.picked(analyse([5], [10]), "revenue_share", 0.8)) == [5]
    assert ids(vip.picked(analyse([], []), "top_share", 0.2)) == []


@pytest.mark.parametrize("kind, value, a, b", [("top_share", 0, .8, .95), ("top_share", 1.5, .8, .95),
                                               ("fixed", 2.5, .8, .95), ("fixed", 0, .8, .95),
                                               ("revenue_share", .8, .95, .8), ("best", .2, .8, .95)])
def test_a_rule_out_of_range_is_refused_by_name(session, kind, value, a, b):
    with pytest.raises(ValidationError):
        vip.save_settings(session, kind=kind, value=value, a_limit=a, b_limit=b, version=0, user=USER)
    assert vip.settings(session).version == 0


def test_the_rule_is_saved_logged_and_a_stale_save_refused(session):
    assert vip.settings(session) == vip.Rule("top_share", 0.2, 0.8, 0.95, 0)
    saved = vip.save_settings(session, kind="fixed", value=3, a_limit=0.7, b_limit=0.9, version=0, user=USER)
    assert (saved.kind, saved.value, saved.a_limit, saved.version) == ("fixed", 3, 0.7, 1)
    with pytest.raises(ConflictError):
        vip.save_settings(session, kind="top_share", value=0.2, a_limit=0.8, b_limit=0.95, version=0, user="admin")
    assert session.execute(select(ChangeLog).where(ChangeLog.item_type == "customersettings")).scalars().one()


def bills(session, lines: list[tuple[str, str, int]]) -> None:
    """Bills of (customer code, ISO day, baht)."""
    text = "รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ\n" + "".join(f"{c},ร้าน {c},{d},{a}\n" for c, d, a in lines)
    sheet = billing.read_file(text.encode(), "bills.csv")
    checked = billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])
    billing.import_bills(session, checked=checked, file_name="bills.csv", user=USER)


def customer(session, code: str) -> Customer:
    session.rollback()
    return session.execute(select(Customer).where(Customer.code == code)).scalars().one()


def vips(session) -> set[str]:
    session.rollback()
    return set(session.execute(select(Customer.code).where(Customer.vip)).scalars())


def two_years(session):
    bills(session, [("A", "2024-03-01", 900), ("B", "2024-03-02", 500), ("C", "2024-03-03", 100),
                    ("D", "2024-03-04", 50), ("E", "2024-03-05", 10),
                    ("A", "2025-03-01", 900), ("C", "2025-03-03", 700), ("B", "2025-03-02", 20),
                    ("D", "2025-03-04", 50), ("E", "2025-03-05", 10)])
    vip.save_settings(session, kind="fixed", value=2, a_limit=0.8, b_limit=0.95, version=0, user=USER)


def test_applying_the_rule_marks_and_unmarks_and_records_each_change(session):
    two_years(session)
    first = vip.apply_rule(session, period=YEAR_2024, as_of=date(2024, 12, 31), user=USER)
    assert (first.added, first.removed, first.kept) == (2, 0, 0)
    assert vips(session) == {"A", "B"}
    second = vip.apply_rule(session, period=YEAR_2025, as_of=date(2025, 12, 31), user=USER)
    assert (second.added, second.removed, second.kept) == (1, 1, 1)
    assert vips(session) == {"A", "C"}
    b = customer(session, "B")
    assert [(c.vip, c.source, c.as_of) for c in vip.history(session, b.id)] == [
        (False, "rule", date(2025, 12, 31)), (True, "rule", date(2024, 12, 31))]
    assert len(session.execute(select(ChangeLog).where(ChangeLog.item_type == "viprule")).scalars().all()) == 2


def test_a_decision_by_hand_needs_a_reason_and_holds_against_the_rule(session):
    two_years(session)
    e = customer(session, "E")
    with pytest.raises(ValidationError):
        vip.mark_by_hand(session, customer_id=e.id, decision="in", reason=" ", as_of=date(2025, 1, 5), user=USER)
    vip.mark_by_hand(session, customer_id=e.id, decision="in", reason="strategic account", as_of=date(2025, 1, 5),
                     user=USER)
    a = customer(session, "A")
    vip.mark_by_hand(session, customer_id=a.id, decision="out", reason="closing down", as_of=date(2025, 1, 5),
                     user=USER)
    applied = vip.apply_rule(session, period=YEAR_2025, as_of=date(2025, 12, 31), user=USER)
    assert vips(session) == {"C", "E"}  # the rule picks A and C; A is held out by hand, E in by hand
    assert applied.held_by_hand == 2  # A picked by the rule but held out; E not picked but held in
    assert [r.code for r in vip.vip_rows(session, YEAR_2025)][:1] == ["C"]
    assert next(r for r in vip.vip_rows(session, YEAR_2025) if r.code == "E").source == "hand"
    hand = session.execute(select(VipChange).where(VipChange.source == "hand")).scalars().all()
    assert {c.reason for c in hand} == {"strategic account", "closing down"}
    vip.mark_by_hand(session, customer_id=a.id, decision="", reason="", as_of=date(2026, 1, 5), user=USER)
    vip.apply_rule(session, period=YEAR_2025, as_of=date(2026, 1, 5), user=USER)
    assert "A" in vips(session)


def test_two_periods_compared_name_new_kept_and_dropped(session):
    two_years(session)
    compared = vip.compare(session, YEAR_2024, YEAR_2025)
    code = {c.id: c.code for c in session.execute(select(Customer)).scalars()}
    assert [code[i] for i in compared.new] == ["C"]
    assert [code[i] for i in compared.kept] == ["A"]
    assert [code[i] for i in compared.dropped] == ["B"]
    empty = vip.compare(session, analysis.Period(date(2020, 1, 1), date(2020, 12, 31)), YEAR_2025)
    assert empty.dropped == [] and len(empty.new) == 2


def test_saving_the_sla_does_not_make_the_rule_form_a_conflict(session):
    from cem.customers import complaints

    rule = vip.settings(session)
    complaints.save_sla(session, days={1: 20, 2: 10, 3: 5, 4: 2, 5: 1}, user=USER)
    saved = vip.save_settings(session, kind="fixed", value=3, a_limit=0.8, b_limit=0.95, version=rule.version,
                              user=USER)
    assert (saved.kind, complaints.sla_days(session)[1]) == ("fixed", 20)


def test_a_merge_keeps_a_decision_by_hand(session):
    from cem.customers import profile

    two_years(session)
    a, b, e = customer(session, "A"), customer(session, "B"), customer(session, "E")
    vip.mark_by_hand(session, customer_id=e.id, decision="in", reason="key account", as_of=date(2025, 1, 1),
                     user=USER)
    vip.mark_by_hand(session, customer_id=a.id, decision="out", reason="closing down", as_of=date(2025, 1, 1),
                     user=USER)
    vip.apply_rule(session, period=YEAR_2024, as_of=date(2024, 12, 31), user=USER)  # B is a VIP by the rule
    profile.merge_customers(session, keep_id=a.id, merge_id=b.id, user=USER)  # A held out: stays out
    assert customer(session, "A").vip is False
    d = customer(session, "D")
    profile.merge_customers(session, keep_id=d.id, merge_id=e.id, user=USER)  # E's hold passes to D
    kept = customer(session, "D")
    assert (kept.vip, kept.vip_hand) == (True, "in")


def transaction_events(session, action) -> list[str]:
    """The begin, commit and rollback events on the database while `action` runs."""
    from sqlalchemy import event

    seen: list[str] = []
    engine = session.get_bind()
    listeners = {name: (lambda *_, name=name: seen.append(name)) for name in ("begin", "commit", "rollback")}
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        action()
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    return seen


def test_applying_the_rule_is_one_transaction_from_its_first_read_to_its_commit(session):
    """A rollback inside a write ends its write turn (and, on SQLite, its
    IMMEDIATE transaction): the rule's reads must not end it."""
    two_years(session)
    session.rollback()
    seen = transaction_events(session, lambda: vip.apply_rule(session, period=YEAR_2024, as_of=date(2024, 12, 31),
                                                               user=USER))
    written = seen[seen.index("begin"):seen.index("commit")]
    assert "rollback" not in written, seen
    assert vips(session) == {"A", "B"}


def test_a_decision_by_hand_on_a_customer_changed_since_is_refused(session):
    two_years(session)
    e = customer(session, "E")
    e_id, seen = e.id, e.version
    vip.mark_by_hand(session, customer_id=e_id, decision="in", reason="strategic", as_of=date(2025, 1, 5),
                     version=seen, user=USER)
    with pytest.raises(ConflictError):
        vip.mark_by_hand(session, customer_id=e_id, decision="out", reason="closing", as_of=date(2025, 1, 6),
                         version=seen, user=USER)
    assert customer(session, "E").vip_hand == "in"


def test_the_vip_list_reads_more_vips_than_sqlite_takes_parameters(session):
    """SQLite takes at most 32,766 bound parameters in one statement by default
    (250,000 as Debian builds it), PostgreSQL's protocol 65,535."""
    from sqlalchemy import insert

    from cem.core.models import utcnow

    now = utcnow()
    audit = {"created_at": now, "updated_at": now, "created_by": USER, "updated_by": USER, "version": 1,
             "kind": "organisation", "notes": "", "segment": "", "vip": True}
    session.execute(insert(Customer), [{**audit, "code": f"V{i:05d}", "name": f"VIP {i}"} for i in range(260_000)])
    session.commit()
    rows = vip.vip_rows(session, YEAR_2025)
    assert len(rows) == 260_000 and rows[0].revenue == 0
