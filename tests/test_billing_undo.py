"""Undoing a billing import never destroys what people did on a customer
the import created: such a customer stays, with everything on it."""
from __future__ import annotations

from datetime import date

from sqlmodel import SQLModel, func, select

from cem.core.models import Bill, CareAction, ChangeLog, Complaint, Contact, Customer, VipChange
from cem.customers import billing, care, complaints, profile, vip

USER = "lead"
CODES = ["C1", "C2", "C3", "C4", "C5", "C6", "C7"]


def bills_csv(codes) -> bytes:
    lines = ["รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ,เลขที่ใบแจ้งหนี้"]
    lines += [f"{code},ลูกค้า {code},2024-01-{n + 1:02d},100,INV-{code}" for n, code in enumerate(codes)]
    return ("\n".join(lines) + "\n").encode()


def imported(session, codes, name="bills.csv"):
    sheet = billing.read_file(bills_csv(codes), name)
    checked = billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])
    return billing.import_bills(session, checked=checked, file_name=name, user=USER)


def ids(session) -> dict[str, int]:
    session.rollback()
    return dict(session.execute(select(Customer.code, Customer.id)).all())


def rows(session, model, customer_id) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model).where(model.customer_id == customer_id)
                           ).scalar_one()


def test_undo_keeps_every_customer_someone_worked_on(session):
    batch = imported(session, CODES)
    found = ids(session)
    profile.save_contact(session, customer_id=found["C1"], values={"name": "คุณสมชาย"}, decision_maker=True, user=USER)
    complaints.record_complaint(session, text="เน็ตหลุดบ่อย", received=date(2024, 2, 1), severity=3,
                                customer_id=found["C2"], user=USER)
    care.plan_care(session, customer_id=found["C3"], month="2024-03", kind="visit", user=USER)
    vip.mark_by_hand(session, customer_id=found["C4"], decision="in", reason="ผู้บริหารขอ", as_of=date(2024, 3, 1),
                     user=USER)
    profile.update_customer(session, customer_id=found["C5"], values={"notes": "ชอบให้โทรช่วงเช้า"}, owner_id=None,
                            version=1, user=USER)

    gone = billing.undo_import(session, import_id=batch.id, user=USER)

    assert gone == {"bills": 7, "customers": 2, "customers_kept": 5}
    assert sorted(ids(session)) == ["C1", "C2", "C3", "C4", "C5"]  # C6 and C7 nobody touched
    assert rows(session, Bill, found["C1"]) == 0
    assert rows(session, Contact, found["C1"]) == 1
    assert rows(session, Complaint, found["C2"]) == 1  # still the customer's, not a walk-in's
    assert rows(session, CareAction, found["C3"]) == 1
    assert rows(session, VipChange, found["C4"]) == 1
    kept = {c.code: c for c in session.execute(select(Customer)).scalars()}
    assert (kept["C4"].vip, kept["C4"].vip_hand) == (True, "in")
    assert kept["C5"].notes == "ชอบให้โทรช่วงเช้า"
    assert all(c.created_by_import_id is None for c in kept.values())  # their import is gone
    logged = session.execute(select(ChangeLog.old).where(ChangeLog.item_type == "billimport",
                                                         ChangeLog.action == "delete")).scalar_one()
    assert (logged["bills"], logged["customers"], logged["customers_kept"]) == (7, 2, 5)


def test_undo_keeps_a_customer_a_later_import_billed_and_one_merged_into(session):
    first = imported(session, ["K1", "K2", "K3"], "first.csv")
    imported(session, ["K1"], "second.csv")  # INV-K1 again: skipped, so K1 has no bill of its own there
    later = billing.read_file(b"code,name,date,amount,number\nK2,x,2024-05-01,5,OTHER-1\n", "third.csv")
    billing.import_bills(session, checked=billing.check_rows(later, billing.guess_mapping(session, later.headings)[0]),
                         file_name="third.csv", user=USER)
    found = ids(session)
    extra = imported(session, ["M1"], "extra.csv")
    profile.merge_customers(session, keep_id=found["K3"], merge_id=ids(session)["M1"], user=USER)

    gone = billing.undo_import(session, import_id=first.id, user=USER)

    # K1 goes (no bills left), K2 has a bill of the third file, K3 took M1's bill in a merge.
    assert gone == {"bills": 3, "customers": 1, "customers_kept": 2}
    assert sorted(ids(session)) == ["K2", "K3"]
    assert billing.undo_import(session, import_id=extra.id, user=USER)["bills"] == 1
    assert sorted(ids(session)) == ["K2", "K3"]  # K3 was not made by that import


def test_the_rule_covers_every_table_that_points_at_a_customer():
    """A table added later that points at customers must keep them too:
    the rule reads the foreign keys from the models, none is listed by hand."""
    pointing = {table.name for table in SQLModel.metadata.sorted_tables
                for key in table.foreign_keys if key.column.table.name == "customer"}
    assert pointing == {"bill", "vipchange", "contact", "complaint", "careaction", "feedback"}
    assert {table.name for table in billing.tables_using_customers()} == pointing
