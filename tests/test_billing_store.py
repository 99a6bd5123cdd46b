"""Storing a billing import: which customers are made, which bills are
skipped, and the counts and totals the import records."""
from __future__ import annotations

from sqlmodel import func, select

from cem.core.models import Bill, Customer
from cem.customers import billing, profile

USER = "lead"
HEAD = "code,name,date,amount,number,group\n"


def store(session, text: str, name: str = "b.csv"):
    sheet = billing.read_file((HEAD + text).encode(), name)
    checked = billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])
    return billing.import_bills(session, checked=checked, file_name=name, user=USER)


def codes(session) -> list[str]:
    session.rollback()
    return session.execute(select(Customer.code).order_by(Customer.id)).scalars().all()


def test_customers_are_made_in_the_order_of_their_codes_named_as_on_their_first_line(session):
    batch = store(session, "B2,Bee,2024-01-01,5,N1,Shops\nA1,Ay,2024-01-02,6,N2,\nB2,Later name,2024-01-03,7,N3,X\n")
    assert (batch.customers_added, batch.bills_added, batch.total_satang) == (2, 3, 1_800)
    session.rollback()
    assert session.execute(select(Customer.code, Customer.name, Customer.segment, Customer.created_by_import_id)
                           .order_by(Customer.id)).all() == [("A1", "Ay", "", batch.id), ("B2", "Bee", "Shops", batch.id)]


def test_a_later_line_with_the_same_number_wins_and_counts_once(session):
    batch = store(session, "A1,Ay,2024-01-01,5,N1,\nA1,Ay,2024-01-02,9,N1,\n")
    assert (batch.bills_added, batch.bills_skipped, batch.total_satang) == (1, 1, 900)
    session.rollback()
    assert session.execute(select(Bill.amount_satang, Bill.day)).one()[0] == 900


def test_a_file_partly_imported_before_adds_the_rest_and_only_their_customers(session):
    store(session, "A1,Ay,2024-01-01,5,N1,\n")
    batch = store(session, "A1,Ay,2024-01-01,5,N1,\nB2,Bee,2024-01-02,7,N2,\nC3,Cee,2024-01-03,1,N3,\n")
    assert (batch.bills_added, batch.bills_skipped, batch.customers_added, batch.total_satang) == (2, 1, 2, 800)
    assert codes(session) == ["A1", "B2", "C3"]


def test_a_customer_merged_away_is_not_made_again_by_the_same_file(session):
    first = store(session, "A1,Ay,2024-01-01,5,N1,\nB2,Bee,2024-01-02,7,N2,\n")
    found = dict(session.execute(select(Customer.code, Customer.id)).all())
    profile.merge_customers(session, keep_id=found["A1"], merge_id=found["B2"], user=USER)
    again = store(session, "A1,Ay,2024-01-01,5,N1,\nB2,Bee,2024-01-02,7,N2,\n")
    # B2's bill is A1's now: nothing is new, and B2 does not come back.
    assert (again.bills_added, again.bills_skipped, again.customers_added, again.total_satang) == (0, 2, 0, 0)
    assert codes(session) == ["A1"]
    session.rollback()
    assert session.execute(select(func.count()).select_from(Bill).where(Bill.import_id == first.id)).scalar_one() == 2
