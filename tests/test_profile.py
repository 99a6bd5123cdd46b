"""A customer's profile: contacts and who may read their personal data
(PDPA), erasing a contact, the profile's own fields, services, revenue and
ABC class from the bills, and merging two records of one customer."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import func, select, update

from cem.core import i18n
from cem.core.auth import PermissionDenied
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import AppUser, Bill, CareAction, ChangeLog, Complaint, Contact, Customer, VipChange
from cem.customers import billing, care, complaints, profile, vip
from cem.improvement import plan

USER = "lead"
FULL = {"name": "Somchai Jaidee", "position": "Purchasing manager", "office_phone": "02-123-4567",
        "mobile": "081-234-5678", "email": "somchai@example.co.th", "line_id": "somchai.j", "channel": "line",
        "contact_time": "mornings", "notes": "prefers Thai"}


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def bills(session, lines: list[tuple]) -> None:
    """Bills of (customer code, ISO day, baht) or (code, day, baht, service)."""
    text = "รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ,บริการ\n" + "".join(
        f"{c},ร้าน {c},{d},{a},{rest[0] if rest else ''}\n" for c, d, a, *rest in lines)
    sheet = billing.read_file(text.encode(), "bills.csv")
    checked = billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])
    billing.import_bills(session, checked=checked, file_name="bills.csv", user=USER)


def ids(session) -> dict[str, int]:
    session.rollback()
    return {code: i for i, code in session.execute(select(Customer.id, Customer.code))}


def fresh(session, model, item_id):
    session.rollback()
    return session.get(model, item_id)


@pytest.fixture
def customers(session):
    """Customers A and B, and Alice (an editor) as A's relationship owner."""
    bills(session, [("A", "2025-01-05", 1_000), ("B", "2025-01-06", 500)])
    found = ids(session)
    alice = plan.add_person(session, name="Alice", username="alice", user=USER)
    profile.update_customer(session, customer_id=found["A"], values={}, owner_id=alice.id, version=None, user=USER)
    return {**found, "alice": alice.id}


def add_contact(session, customer_id, values=None, decision_maker=False, user=USER) -> Contact:
    return profile.save_contact(session, customer_id=customer_id, values=dict(values or FULL),
                                decision_maker=decision_maker, user=user)


# ---------------------------------------------------------------- who may read contacts


def test_phones_emails_and_line_ids_are_read_by_admins_leads_and_the_relationship_owner(session, customers):
    add_contact(session, customers["A"])
    personal = ("02-123-4567", "081-234-5678", "somchai@example.co.th", "somchai.j")
    for user in ("admin", "lead", "alice", None):
        [contact] = profile.contacts(session, customers["A"], user=user)
        assert (contact.office_phone, contact.mobile, contact.email, contact.line_id) == personal, user
    for user in ("bob", "viewer", "editor", "nobody"):
        [contact] = profile.contacts(session, customers["A"], user=user)
        assert (contact.office_phone, contact.mobile, contact.email, contact.line_id) == ("", "", "", ""), user
        # The rest of the contact is for everyone.
        assert (contact.name, contact.position, contact.channel, contact.contact_time, contact.notes) == (
            "Somchai Jaidee", "Purchasing manager", "line", "mornings", "prefers Thai")
    # Blanking is on the copy handed out, never on the stored row.
    assert fresh(session, Contact, contact.id).mobile == "081-234-5678"


def test_the_relationship_owner_reads_only_their_own_customers_contacts(session, customers):
    add_contact(session, customers["B"])
    [contact] = profile.contacts(session, customers["B"], user="alice")
    assert contact.mobile == ""
    assert profile.may_see_contacts(session, user="alice", customer_id=customers["A"]) is True
    assert profile.may_see_contacts(session, user="alice", customer_id=customers["B"]) is False
    assert profile.may_see_contacts(session, user="alice") is False  # no customer named: not as an owner
    assert profile.may_see_contacts(session, user="ALICE", customer_id=customers["A"]) is True


def test_an_account_switched_off_reads_no_contacts_whatever_its_role(session, customers):
    for name in ("alice", "admin"):
        session.execute(select(AppUser).where(AppUser.username == name)).scalars().one().active = False
    session.commit()
    assert profile.may_see_contacts(session, user="alice", customer_id=customers["A"]) is False
    assert profile.may_see_contacts(session, user="admin", customer_id=customers["A"]) is False
    assert profile.may_see_contacts(session, user="lead", customer_id=customers["A"]) is True


def test_contacts_list_decision_makers_first_then_by_name(session, customers):
    add_contact(session, customers["A"], {"name": "Chai"})
    add_contact(session, customers["A"], {"name": "Anan"})
    add_contact(session, customers["A"], {"name": "Dao"}, decision_maker=True)
    add_contact(session, customers["A"], {"name": "Bee"}, decision_maker=True)
    add_contact(session, customers["B"], {"name": "Aaron"})
    assert [c.name for c in profile.contacts(session, customers["A"], user=USER)] == ["Bee", "Dao", "Anan", "Chai"]
    assert [c.name for c in profile.contacts(session, customers["A"], user="viewer")] == ["Bee", "Dao", "Anan",
                                                                                          "Chai"]


# ---------------------------------------------------------------- saving and erasing


def contact_logs(session, contact_id) -> list[ChangeLog]:
    session.rollback()
    return list(session.execute(select(ChangeLog).where(ChangeLog.item_type == "contact",
                                                        ChangeLog.item_id == contact_id)
                                .order_by(ChangeLog.id)).scalars())


def test_saving_a_contact_logs_which_fields_changed_never_their_values(session, customers):
    made = add_contact(session, customers["A"], {"name": " Somchai ", "mobile": "081-234-5678"},
                       decision_maker=True)
    stored = fresh(session, Contact, made.id)
    assert (stored.name, stored.mobile, stored.decision_maker, stored.channel, stored.version) == (
        "Somchai", "081-234-5678", True, "", 1)
    changed = {**FULL, "mobile": "089-999-9999"}
    profile.save_contact(session, customer_id=customers["A"], contact_id=made.id, version=1, values=changed,
                         decision_maker=False, user="admin")
    stored = fresh(session, Contact, made.id)
    assert (stored.mobile, stored.email, stored.decision_maker, stored.version, stored.updated_by) == (
        "089-999-9999", "somchai@example.co.th", False, 2, "admin")
    created, updated = contact_logs(session, made.id)
    assert (created.action, created.old, created.new) == (
        "create", None, {"customer_id": customers["A"], "fields": ["mobile", "name", "decision_maker"]})
    assert (updated.action, updated.old) == ("update", None)
    assert updated.new == {"customer_id": customers["A"],
                           "fields": ["name", "position", "office_phone", "mobile", "email", "line_id", "channel",
                                      "contact_time", "notes", "decision_maker"]}
    assert "089" not in json.dumps(updated.new) and "Somchai" not in json.dumps(created.new)


def test_a_stale_contact_edit_is_refused_and_changes_nothing(session, customers):
    made = add_contact(session, customers["A"])
    profile.save_contact(session, customer_id=customers["A"], contact_id=made.id, version=1,
                         values={**FULL, "notes": "first"}, decision_maker=False, user="admin")
    with pytest.raises(ConflictError) as refused:
        profile.save_contact(session, customer_id=customers["A"], contact_id=made.id, version=1,
                             values={**FULL, "notes": "second"}, decision_maker=True, user=USER)
    assert refused.value.params["by"] == "admin"
    stored = fresh(session, Contact, made.id)
    assert (stored.notes, stored.decision_maker, stored.version) == ("first", False, 2)
    assert len(contact_logs(session, made.id)) == 2


@pytest.mark.parametrize("values, error", [
    ({"name": "  "}, ValidationError), ({"name": "Dao", "channel": "fax"}, ValidationError),
    ({"name": "Dao", "email": "x" * 201}, ValidationError), ({"name": "Dao", "mobile": "08\x001"}, ValidationError)])
def test_a_contact_with_bad_values_is_refused_and_nothing_is_saved(session, customers, values, error):
    logged = count(session, ChangeLog)
    with pytest.raises(error):
        add_contact(session, customers["A"], values)
    assert (count(session, Contact), count(session, ChangeLog)) == (0, logged)


@pytest.mark.parametrize("typed", ["somchai", "somchai@", "@example.com", "somchai@example", "som chai@example.com",
                                   "somchai@@example.com", "somchai@example..com"])
def test_an_email_that_is_not_an_email_address_is_refused_naming_the_field(session, customers, typed):
    with pytest.raises(ValidationError) as refused:
        add_contact(session, customers["A"], {"name": "Dao", "email": typed})
    assert refused.value.params["column"] == "contact.field.email"
    assert i18n.error_text(refused.value, "en").startswith("“E-mail”: is not an e-mail address")
    assert i18n.error_text(refused.value, "th").startswith("“อีเมล”: ไม่ใช่ที่อยู่อีเมล")
    assert count(session, Contact) == 0


@pytest.mark.parametrize("typed, kept", [("somchai@example.co.th", "somchai@example.co.th"),
                                         ("  dao.k+vip@บริษัท.ไทย ", "dao.k+vip@บริษัท.ไทย"), ("", "")])
def test_an_email_address_or_none_is_kept(session, customers, typed, kept):
    assert add_contact(session, customers["A"], {"name": "Dao", "email": typed}).email == kept


def test_a_contact_of_another_customer_a_missing_one_or_a_viewer_is_refused(session, customers):
    made = add_contact(session, customers["A"])
    logged = count(session, ChangeLog)
    with pytest.raises(NotFoundError):  # the contact is A's, not B's
        profile.save_contact(session, customer_id=customers["B"], contact_id=made.id, version=1,
                             values={"name": "Taken"}, decision_maker=False, user=USER)
    with pytest.raises(NotFoundError):
        profile.save_contact(session, customer_id=customers["A"], contact_id=999, values={"name": "X"},
                             decision_maker=False, user=USER)
    with pytest.raises(NotFoundError):
        add_contact(session, 999)
    with pytest.raises(PermissionDenied):
        add_contact(session, customers["A"], user="editor")  # even the relationship owner's role may not
    assert fresh(session, Contact, made.id).name == "Somchai Jaidee"
    assert (count(session, Contact), count(session, ChangeLog)) == (1, logged)


def test_erasing_a_contact_keeps_no_value_anywhere_in_the_change_log(session, customers):
    made = add_contact(session, customers["A"], decision_maker=True)
    profile.save_contact(session, customer_id=customers["A"], contact_id=made.id, version=1,
                         values={**FULL, "mobile": "086-000-1111", "email": "s.j@example.com"},
                         decision_maker=True, user=USER)
    kept = add_contact(session, customers["A"], {"name": "Dao", "mobile": "090-555-0000"})
    profile.log_contacts_export(session, what="contacts.csv", customers=2, user=USER)
    profile.erase_contact(session, contact_id=made.id, user="admin")

    stored = fresh(session, Contact, made.id)
    assert all(getattr(stored, name) == "" for name in FULL)
    assert stored.decision_maker is False and stored.erased_at is not None and stored.version == 3
    everything = json.dumps([[e.old, e.new] for e in session.execute(select(ChangeLog)).scalars()],
                            ensure_ascii=False)
    typed = [value for name, value in FULL.items() if name != "channel"]  # "line" is a choice, not a value typed
    for value in [*typed, "086-000-1111", "s.j@example.com"]:
        assert value not in everything, value
    # The erasure itself is logged, and other contacts' entries stay as they were.
    logs = contact_logs(session, made.id)
    assert [(e.action, e.new) for e in logs] == [("create", None), ("update", None),
                                                 ("delete", {"erased": True})]
    assert contact_logs(session, kept.id)[0].new == {"customer_id": customers["A"], "fields": ["mobile", "name"]}
    assert fresh(session, Contact, kept.id).mobile == "090-555-0000"


def test_an_erased_contact_stays_listed_as_erased_and_cannot_be_edited(session, customers):
    made = add_contact(session, customers["A"])
    profile.erase_contact(session, contact_id=made.id, user=USER)
    [listed] = profile.contacts(session, customers["A"], user="admin")
    assert (listed.id, listed.name, listed.mobile) == (made.id, "", "") and listed.erased_at is not None
    with pytest.raises(NotFoundError):
        profile.save_contact(session, customer_id=customers["A"], contact_id=made.id, version=2,
                             values=FULL, decision_maker=False, user=USER)
    assert fresh(session, Contact, made.id).name == ""
    with pytest.raises(NotFoundError):
        profile.erase_contact(session, contact_id=999, user=USER)
    with pytest.raises(PermissionDenied):
        profile.erase_contact(session, contact_id=made.id, user="editor")


def test_an_export_of_contacts_is_logged_by_who_and_which_fields(session):
    profile.log_contacts_export(session, what="customers.xlsx", customers=12, user="admin")
    session.rollback()
    [entry] = session.execute(select(ChangeLog).where(ChangeLog.item_type == "export")).scalars()
    assert (entry.user, entry.action, entry.new) == ("admin", "export", {
        "what": "customers.xlsx", "customers": 12, "fields": ["office_phone", "mobile", "email", "line_id"]})


# ---------------------------------------------------------------- the profile's own fields


def test_updating_a_profile_cleans_the_tags_keeps_the_code_and_logs_old_and_new(session, customers):
    version = fresh(session, Customer, customers["B"]).version
    profile.update_customer(session, customer_id=customers["B"], version=version, owner_id=customers["alice"],
                            values={"name": " Somjai Shop ", "kind": "Person", "service_tags": " quiet ; ;mornings; ",
                                    "service_style": "Call before visiting", "code": "Z9"}, user=USER)
    stored = fresh(session, Customer, customers["B"])
    assert (stored.code, stored.name, stored.kind, stored.service_tags, stored.service_style, stored.owner_id) == (
        "B", "Somjai Shop", "person", "quiet; mornings", "Call before visiting", customers["alice"])
    assert (stored.version, stored.updated_by, stored.segment) == (version + 1, USER, "")
    session.rollback()
    entry = session.execute(select(ChangeLog).where(ChangeLog.item_type == "customer",
                                                    ChangeLog.item_id == customers["B"])).scalars().one()
    assert entry.old == {"name": "ร้าน B", "kind": "organisation", "service_style": "", "service_tags": "",
                         "owner_id": None}
    assert entry.new == {"name": "Somjai Shop", "kind": "person", "service_style": "Call before visiting",
                         "service_tags": "quiet; mornings", "owner_id": customers["alice"]}


def test_a_profile_update_with_no_owner_clears_the_owner(session, customers):
    profile.update_customer(session, customer_id=customers["A"], values={"notes": "pays late"}, owner_id=None,
                            version=None, user=USER)
    stored = fresh(session, Customer, customers["A"])
    assert (stored.owner_id, stored.notes, stored.name) == (None, "pays late", "ร้าน A")


@pytest.mark.parametrize("change, error", [
    ({"values": {"name": ""}}, ValidationError), ({"values": {"kind": "company"}}, ValidationError),
    ({"values": {"service_tags": "t" * 501}}, ValidationError), ({"owner_id": 999}, NotFoundError),
    ({"version": 7}, ConflictError), ({"customer_id": 999}, NotFoundError), ({"user": "editor"}, PermissionDenied)])
def test_a_bad_profile_update_is_refused_and_nothing_is_saved(session, customers, change, error):
    version = fresh(session, Customer, customers["B"]).version
    logged = count(session, ChangeLog)
    arguments = {"customer_id": customers["B"], "values": {"name": "New name", "segment": "retail"},
                 "owner_id": customers["alice"], "version": version, "user": USER, **change}
    with pytest.raises(error):
        profile.update_customer(session, **arguments)
    stored = fresh(session, Customer, customers["B"])
    assert (stored.name, stored.segment, stored.owner_id, stored.version) == ("ร้าน B", "", None, version)
    assert count(session, ChangeLog) == logged


def test_get_customer_reads_a_customer_or_says_it_is_not_found(session, customers):
    found = profile.get_customer(session, customers["A"])
    assert (found.code, found.owner_id) == ("A", customers["alice"])
    with pytest.raises(NotFoundError):
        profile.get_customer(session, 999)


# ---------------------------------------------------------------- from the bills

TODAY = date(2025, 6, 15)  # the last 12 months: July 2024 to June 2025


def test_services_used_in_the_last_twelve_months_with_their_months_and_revenue(session):
    internet = [("A", f"{m}-10", 100, "Internet") for m in ("2024-08", "2024-09", "2024-10", "2024-11", "2024-12",
                                                            "2025-01", "2025-02", "2025-03", "2025-04", "2025-05")]
    bills(session, [*internet,
                    ("A", "2024-08-20", 50, "Internet"),  # a second bill in August: one month, more revenue
                    ("A", "2024-06-30", 900, "TV"), ("A", "2024-07-01", 300, "TV"), ("A", "2025-06-30", 200, "TV"),
                    ("A", "2025-07-01", 900, "TV"),  # outside the window on both sides
                    ("A", "2025-01-01", 800, "Phone"), ("A", "2025-02-01", -100, "Phone"),
                    ("A", "2025-03-03", 40),  # no service named
                    ("B", "2025-01-01", 5_000, "Internet")])
    used = profile.services_used(session, ids(session)["A"], today=TODAY)
    assert [(u.service, u.months, u.revenue, u.steady) for u in used] == [
        ("Internet", ["2024-08", "2024-09", "2024-10", "2024-11", "2024-12", "2025-01", "2025-02", "2025-03",
                      "2025-04", "2025-05"], 1_050, True),
        ("Phone", ["2025-01", "2025-02"], 700, False),  # 2 months, like TV, with more revenue
        ("TV", ["2024-07", "2025-06"], 500, False),
        ("", ["2025-03"], 40, False)]
    assert profile.services_used(session, ids(session)["A"], today=date(2030, 1, 1)) == []


def test_a_service_is_steady_from_nine_months_of_twelve():
    assert profile.ServiceUse("x", [f"2025-{m:02d}" for m in range(1, 10)], 9).steady is True
    assert profile.ServiceUse("x", [f"2025-{m:02d}" for m in range(1, 9)], 8).steady is False


def test_revenue_by_month_oldest_first_with_zero_for_months_without_bills(session):
    bills(session, [("A", "2024-12-31", 999), ("A", "2025-01-01", 100), ("A", "2025-01-31", 50),
                    ("A", "2025-03-10", 300), ("A", "2025-03-11", -120), ("A", "2025-04-01", 777),
                    ("B", "2025-02-01", 5_000)])
    a = ids(session)["A"]
    assert profile.revenue_by_month(session, a, today=date(2025, 3, 10), count=3) == [
        ("2025-01", 150), ("2025-02", 0), ("2025-03", 180)]
    two_years = profile.revenue_by_month(session, a, today=date(2025, 3, 10))
    assert len(two_years) == 24 and two_years[0] == ("2023-04", 0) and two_years[-1] == ("2025-03", 180)
    assert dict(two_years)["2024-12"] == 999
    assert sum(amount for _, amount in two_years) == 999 + 150 + 180


def test_the_abc_class_year_by_year_among_every_customers_revenue(session):
    bills(session, [("A", "2023-05-01", 900), ("B", "2023-05-01", 80), ("C", "2023-05-01", 20),
                    ("C", "2024-05-01", 700), ("A", "2024-05-01", 200), ("B", "2024-05-01", 100),
                    ("A", "2025-05-01", -50), ("B", "2025-05-01", 10)])
    found = ids(session)
    years = [2022, 2023, 2024, 2025]
    # 2023: A 900 is A; B has 900 above (90 %, past 80 %) so B; C has 980 above (past 95 %) so C.
    # 2024: C 700 is A; A has 700 above (70 %) so A too; B has 900 above so B. 2025: A has a credit only.
    assert profile.class_history(session, found["A"], years=years) == [(2022, ""), (2023, "A"), (2024, "A"),
                                                                       (2025, "")]
    assert profile.class_history(session, found["B"], years=years) == [(2022, ""), (2023, "B"), (2024, "B"),
                                                                       (2025, "A")]
    assert profile.class_history(session, found["C"], years=years) == [(2022, ""), (2023, "C"), (2024, "A"),
                                                                       (2025, "")]
    # With an A limit of 50 %, A's 700 above it in 2024 is past the limit: B.
    vip.save_settings(session, kind="top_share", value=0.2, a_limit=0.5, b_limit=0.95, version=0, user=USER)
    assert profile.class_history(session, found["A"], years=[2024]) == [(2024, "B")]


# ---------------------------------------------------------------- merging


@pytest.fixture
def duplicate(session, customers, small_journey):
    """A2, the same shop as A under a second code, with its own bills,
    contact, complaint, care action and VIP history."""
    bills(session, [("A2", "2025-02-01", 300), ("A2", "2025-03-01", 200)])
    a2 = ids(session)["A2"]
    profile.update_customer(session, customer_id=customers["A"], values={"notes": "Main branch"},
                            owner_id=customers["alice"], version=None, user=USER)
    profile.update_customer(session, customer_id=a2, values={"notes": "Entered twice by finance"}, owner_id=None,
                            version=None, user=USER)
    add_contact(session, customers["A"], {"name": "Anan"})
    add_contact(session, a2, {"name": "Bee", "mobile": "081"})
    complaints.record_complaint(session, text="Late", received=date(2025, 3, 2), severity=3, customer_id=a2,
                                user=USER)
    care.plan_care(session, customer_id=a2, month="2025-04", kind="call", user=USER)
    vip.mark_by_hand(session, customer_id=a2, decision="in", reason="strategic", as_of=date(2025, 3, 1), user=USER)
    return a2


def rows_of(session, model, customer_id) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model).where(model.customer_id == customer_id)
                           ).scalar_one()


def test_merging_moves_bills_contacts_complaints_care_and_vip_history_then_removes_the_duplicate(
        session, customers, duplicate):
    a, a2 = customers["A"], duplicate
    version = fresh(session, Customer, a).version
    totals = count(session, Bill), count(session, Contact), count(session, Complaint)
    moved = profile.merge_customers(session, keep_id=a, merge_id=a2, user=USER)
    assert moved == {"bills": 2, "contacts": 1, "complaints": 1, "care": 1, "vip_changes": 1, "feedback": 0}
    assert fresh(session, Customer, a2) is None
    assert [rows_of(session, model, a) for model in (Bill, Contact, Complaint, CareAction, VipChange)] == [
        3, 2, 1, 1, 1]
    assert (count(session, Bill), count(session, Contact), count(session, Complaint)) == totals
    kept = fresh(session, Customer, a)
    assert (kept.code, kept.vip, kept.notes, kept.owner_id, kept.version) == (
        "A", True, "Main branch\nEntered twice by finance", customers["alice"], version + 1)
    assert profile.revenue_by_month(session, a, today=date(2025, 3, 31), count=3) == [
        ("2025-01", 1_000), ("2025-02", 300), ("2025-03", 200)]
    assert [c.name for c in profile.contacts(session, a, user=USER)] == ["Anan", "Bee"]
    session.rollback()
    entry = session.execute(select(ChangeLog).where(ChangeLog.action == "merge")).scalars().one()
    assert (entry.item_type, entry.item_id, entry.user) == ("customer", a, USER)
    assert entry.old == {"merged_code": "A2", "merged_name": "ร้าน A2", "merged_id": a2}
    assert entry.new == moved


def test_merging_a_customer_into_itself_or_a_missing_one_is_refused_and_moves_nothing(session, customers,
                                                                                      duplicate):
    a, a2 = customers["A"], duplicate
    logged = count(session, ChangeLog)
    with pytest.raises(ValidationError) as refused:
        profile.merge_customers(session, keep_id=a, merge_id=a, user=USER)
    assert refused.value.code == "profile.err.merge_same"
    with pytest.raises(NotFoundError):
        profile.merge_customers(session, keep_id=999, merge_id=a2, user=USER)
    with pytest.raises(NotFoundError):
        profile.merge_customers(session, keep_id=a, merge_id=999, user=USER)
    with pytest.raises(PermissionDenied):
        profile.merge_customers(session, keep_id=a, merge_id=a2, user="editor")
    assert [rows_of(session, model, a2) for model in (Bill, Contact, Complaint, CareAction, VipChange)] == [
        2, 1, 1, 1, 1]
    assert fresh(session, Customer, a2) is not None and fresh(session, Customer, a).vip is False
    assert count(session, ChangeLog) == logged


def test_merging_keeps_what_only_the_duplicate_knew_and_fills_empty_fields(session, customers, duplicate):
    """The kept record's empty fields take the duplicate's: nothing the team
    wrote on the duplicate's profile is lost; what the kept one says stands."""
    a, a2 = customers["A"], duplicate
    profile.update_customer(session, customer_id=a2, values={"service_style": "LINE only, never call",
                                                             "service_tags": "quiet; morning",
                                                             "segment": "ร้านอาหาร"},
                            owner_id=customers["alice"], version=None, user=USER)
    profile.update_customer(session, customer_id=a, values={"segment": ""}, owner_id=None, version=None, user=USER)
    profile.merge_customers(session, keep_id=a, merge_id=a2, user=USER)
    kept = fresh(session, Customer, a)
    assert (kept.service_style, kept.service_tags, kept.segment, kept.owner_id) == (
        "LINE only, never call", "quiet; morning", "ร้านอาหาร", customers["alice"])


def test_merging_in_a_duplicate_marked_out_by_hand_leaves_no_vip(session, customers, small_journey):
    """A duplicate set out of the VIPs by hand passes its decision over; the
    kept record must not stay a VIP against it."""
    bills(session, [("A2", "2025-02-01", 300)])
    a, a2 = customers["A"], ids(session)["A2"]
    session.rollback()
    session.execute(update(Customer).where(Customer.id == a).values(vip=True, vip_hand=""))
    session.commit()
    vip.mark_by_hand(session, customer_id=a2, decision="out", reason="closed", as_of=date(2025, 3, 1), user=USER)
    profile.merge_customers(session, keep_id=a, merge_id=a2, user=USER)
    kept = fresh(session, Customer, a)
    assert (kept.vip_hand, kept.vip) == ("out", False)


def test_merging_moves_every_table_that_points_at_a_customer():
    """A table added later that points at customers is moved by a merge too
    (feedback once lost its customer: the duplicate's rows were emptied)."""
    from sqlmodel import SQLModel
    pointing = {table.name for table in SQLModel.metadata.sorted_tables
                for key in table.foreign_keys if key.column.table.name == "customer"}
    assert {model.__tablename__ for model, _ in profile.MERGED} == pointing


def test_merging_keeps_the_duplicates_feedback_on_the_record_kept(session):
    from datetime import date
    from cem.core.models import Customer, Feedback
    from cem.voice import feedback
    kept, duplicate = Customer(code="M1", name="Keep", created_by="t"), Customer(code="M2", name="Dup", created_by="t")
    session.add_all([kept, duplicate])
    session.commit()
    said = feedback.record_feedback(session, received=date(2026, 11, 3), text="ดีมาก", csat=5,
                                    customer_id=duplicate.id, user="lead")
    moved = profile.merge_customers(session, keep_id=kept.id, merge_id=duplicate.id, user="lead")
    assert moved["feedback"] == 1
    session.rollback()
    assert session.get(Feedback, said.id).customer_id == kept.id
