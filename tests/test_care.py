"""The care plan: planning a care action in a month, recording it done, the
month's overview with the VIPs nobody has cared for, and following a care
action as a task of the improvement plan."""
from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import func, select

from cem.core import i18n
from cem.core.auth import PermissionDenied
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import CareAction, ChangeLog, Customer, Task
from cem.customers import billing, care, vip
from cem.improvement import plan
from cem.journey import services

USER = "lead"
MARCH = "2025-03"


def english(error) -> str:
    return i18n.error_text(error.value, "en")


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def fresh(session, model, item_id):
    session.rollback()
    return session.get(model, item_id)


@pytest.fixture
def customers(session):
    """A, B, C and E are VIPs (by hand); D is not. Nok is a person."""
    text = "รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ\n" + "".join(f"{c},ร้าน {c},2025-01-0{n},100\n"
                                                            for n, c in enumerate("EDCBA", start=1))
    sheet = billing.read_file(text.encode(), "bills.csv")
    billing.import_bills(session, checked=billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0]),
                         file_name="bills.csv", user=USER)
    session.rollback()
    found = {code: i for i, code in session.execute(select(Customer.id, Customer.code))}
    for code in "ABCE":
        vip.mark_by_hand(session, customer_id=found[code], decision="in", reason="key account",
                         as_of=date(2025, 1, 1), user=USER)
    nok = plan.add_person(session, name="Nok", username="editor", user=USER)
    return {**found, "nok": nok.id}


def planned(session, customer, **kwargs) -> CareAction:
    return care.plan_care(session, **{"customer_id": customer, "month": MARCH, "kind": "visit", "user": USER,
                                      **kwargs})


# ---------------------------------------------------------------- planning


def test_a_care_action_is_planned_in_a_month_on_a_day_of_that_month(session, customers):
    made = planned(session, customers["A"], kind="Call", note=" Ask about the new branch ", day=date(2025, 3, 31),
                   person_id=customers["nok"])
    stored = fresh(session, CareAction, made.id)
    assert (stored.customer_id, stored.month, stored.day, stored.kind, stored.note, stored.person_id) == (
        customers["A"], MARCH, date(2025, 3, 31), "call", "Ask about the new branch", customers["nok"])
    assert (stored.done_on, stored.task_id, stored.version, stored.created_by) == (None, None, 1, USER)
    undated = planned(session, customers["B"], kind="")  # no day yet; the kind defaults to a visit
    assert (fresh(session, CareAction, undated.id).day, fresh(session, CareAction, undated.id).kind) == (None,
                                                                                                         "visit")
    session.rollback()
    entry = session.execute(select(ChangeLog).where(ChangeLog.item_type == "careaction",
                                                    ChangeLog.item_id == made.id)).scalars().one()
    assert (entry.action, entry.new) == ("create", {"customer_id": customers["A"], "month": MARCH, "kind": "call"})


def test_a_day_outside_the_month_is_refused_saying_which_day_and_month(session, customers):
    for day in (date(2025, 4, 1), date(2025, 2, 28), date(2024, 3, 15)):
        with pytest.raises(ValidationError) as refused:
            planned(session, customers["A"], day=day)
        assert english(refused) == f"The day {day.isoformat()} is not in 2025-03."
    assert count(session, CareAction) == 0


@pytest.mark.parametrize("change, error", [
    ({"month": "2025-13"}, ValidationError), ({"month": "March"}, ValidationError), ({"month": ""}, ValidationError),
    ({"month": "2025-3"}, ValidationError), ({"kind": "email"}, ValidationError),
    ({"note": "n" * 501}, ValidationError), ({"customer_id": 999}, NotFoundError),
    ({"person_id": 999}, NotFoundError), ({"user": "editor"}, PermissionDenied)])
def test_a_care_action_with_bad_input_is_refused_and_nothing_is_saved(session, customers, change, error):
    logged = count(session, ChangeLog)
    with pytest.raises(error):
        planned(session, customers["A"], **change)
    assert (count(session, CareAction), count(session, ChangeLog)) == (0, logged)


def test_a_bad_month_is_named_in_the_refusal(session, customers):
    with pytest.raises(ValidationError) as refused:
        planned(session, customers["A"], month="2025-13")
    assert refused.value.params["column"] == "care.field.month" and refused.value.params["value"] == "2025-13"


# ---------------------------------------------------------------- done


def test_recording_a_care_action_done_raises_its_version_and_a_stale_record_is_refused(session, customers):
    made = planned(session, customers["A"], note="Visit")
    care.record_done(session, care_id=made.id, done_on=date(2025, 3, 12), version=1, note="Met the owner",
                     user="admin")
    stored = fresh(session, CareAction, made.id)
    assert (stored.done_on, stored.note, stored.version, stored.updated_by) == (
        date(2025, 3, 12), "Met the owner", 2, "admin")
    with pytest.raises(ConflictError) as refused:
        care.record_done(session, care_id=made.id, done_on=date(2025, 3, 20), version=1, note="Again",
                         user=USER)
    assert refused.value.params["by"] == "admin"
    stored = fresh(session, CareAction, made.id)
    assert (stored.done_on, stored.note, stored.version) == (date(2025, 3, 12), "Met the owner", 2)
    session.rollback()
    last = session.execute(select(ChangeLog).where(ChangeLog.item_type == "careaction")
                           .order_by(ChangeLog.id.desc())).scalars().first()
    assert last.new == {"customer_id": customers["A"], "month": MARCH, "kind": "visit", "done_on": "2025-03-12"}


def test_a_care_action_not_done_after_all_is_planned_again_and_keeps_its_note(session, customers):
    made = planned(session, customers["A"], note="Visit")
    care.record_done(session, care_id=made.id, done_on=date(2025, 3, 12), version=1, user=USER)
    care.record_done(session, care_id=made.id, done_on=None, version=2, user=USER)
    stored = fresh(session, CareAction, made.id)
    assert (stored.done_on, stored.note, stored.version) == (None, "Visit", 3)


def test_recording_done_with_bad_input_is_refused_and_nothing_is_saved(session, customers):
    made = planned(session, customers["A"], note="Visit")
    logged = count(session, ChangeLog)
    with pytest.raises(ValidationError):
        care.record_done(session, care_id=made.id, done_on=date(2025, 3, 12), version=1, note="n" * 501, user=USER)
    with pytest.raises(NotFoundError):
        care.record_done(session, care_id=999, done_on=date(2025, 3, 12), version=1, user=USER)
    with pytest.raises(PermissionDenied):
        care.record_done(session, care_id=made.id, done_on=date(2025, 3, 12), version=1, user="viewer")
    stored = fresh(session, CareAction, made.id)
    assert (stored.done_on, stored.note, stored.version) == (None, "Visit", 1)
    assert count(session, ChangeLog) == logged


def test_a_customers_care_actions_latest_month_first(session, customers):
    january = planned(session, customers["A"], month="2025-01")
    april = planned(session, customers["A"], month="2025-04")
    march = planned(session, customers["A"])
    march_too = planned(session, customers["A"], kind="surprise")
    planned(session, customers["B"], month="2025-05")
    found = care.for_customer(session, customers["A"])
    assert [c.id for c in found] == [april.id, march_too.id, march.id, january.id]
    assert found[1].kind == "surprise"  # readable after the read ended


# ---------------------------------------------------------------- the month


def test_the_month_shows_planned_and_done_and_the_vips_with_nothing_this_month(session, customers):
    late = planned(session, customers["A"], day=date(2025, 3, 20))
    undated = planned(session, customers["A"], kind="call")
    early = planned(session, customers["D"], day=date(2025, 3, 5))  # not a VIP, still on the plan
    done = planned(session, customers["B"], day=date(2025, 3, 10))
    care.record_done(session, care_id=done.id, done_on=date(2025, 3, 11), version=1, user=USER)
    planned(session, customers["C"], month="2025-04")  # C is cared for in April, not in March
    overview = care.month_overview(session, MARCH)
    # By day, those without a day last; VIPs by code: C and E have nothing in March.
    assert [a.id for a in overview.planned] == [early.id, late.id, undated.id]
    assert [a.id for a in overview.done] == [done.id]
    assert overview.without_any == [customers["C"], customers["E"]]
    assert overview.planned[0].day == date(2025, 3, 5)  # readable after the read ended
    april = care.month_overview(session, "2025-04")
    assert (len(april.planned), april.done) == (1, [])
    assert april.without_any == [customers["A"], customers["B"], customers["E"]]


def test_a_vip_whose_only_action_was_done_is_cared_for_and_one_no_longer_vip_is_not_listed(session, customers):
    done = planned(session, customers["E"])
    care.record_done(session, care_id=done.id, done_on=date(2025, 3, 2), version=1, user=USER)
    vip.mark_by_hand(session, customer_id=customers["C"], decision="out", reason="closed", as_of=date(2025, 3, 1),
                     user=USER)
    overview = care.month_overview(session, MARCH)
    assert overview.without_any == [customers["A"], customers["B"]]


# ---------------------------------------------------------------- as a task of the plan


@pytest.fixture
def step_id(session, small_journey):
    return services.load_journey_tree(session, small_journey.id).stages[0].steps[1].step.id


def test_a_care_action_followed_as_a_task_of_the_plan_is_linked_to_it(session, customers, step_id, small_journey):
    made = planned(session, customers["A"], note="Quarterly review")
    task_id = care.care_to_task(session, care_id=made.id, step_id=step_id, owner_id=customers["nok"],
                                due_month="2025-05", user=USER)
    task = fresh(session, Task, task_id)
    assert (task.title, task.journey_id, task.step_id, task.owner_id, task.start_month, task.due_month,
            task.status) == ("ร้าน A: Quarterly review", small_journey.id, step_id, customers["nok"], MARCH,
                             "2025-05", "open")
    stored = fresh(session, CareAction, made.id)
    assert (stored.task_id, stored.version) == (task_id, 2)
    session.rollback()
    last = session.execute(select(ChangeLog).where(ChangeLog.item_type == "careaction")
                           .order_by(ChangeLog.id.desc())).scalars().first()
    assert last.new == {"customer_id": customers["A"], "month": MARCH, "kind": "visit", "task_id": task_id}
    plain = planned(session, customers["B"], kind="surprise")
    other = care.care_to_task(session, care_id=plain.id, step_id=step_id, owner_id=None, due_month=MARCH, user=USER)
    assert fresh(session, Task, other).title == "ร้าน B: " + i18n.t("care.kind.surprise", "th")  # the kind, in Thai
    english = planned(session, customers["B"], kind="call")
    third = care.care_to_task(session, care_id=english.id, step_id=step_id, owner_id=None, due_month=MARCH,
                              user=USER, lang="en")
    assert fresh(session, Task, third).title == "ร้าน B: " + i18n.t("care.kind.call", "en")


def test_a_care_action_is_followed_by_one_task_only(session, customers, step_id):
    made = planned(session, customers["A"], note="Quarterly review")
    care.care_to_task(session, care_id=made.id, step_id=step_id, owner_id=None, due_month="2025-05", user=USER)
    with pytest.raises(ValidationError) as refused:
        care.care_to_task(session, care_id=made.id, step_id=step_id, owner_id=None, due_month="2025-05", user=USER)
    assert refused.value.code == "care.err.already_task"
    assert count(session, Task) == 1


@pytest.mark.parametrize("change, error", [
    ({"due_month": "2025-02"}, ValidationError), ({"due_month": "May"}, ValidationError),
    ({"step_id": 999}, NotFoundError), ({"owner_id": 999}, NotFoundError), ({"care_id": 999}, NotFoundError),
    ({"user": "editor"}, PermissionDenied)])
def test_a_care_action_to_task_with_bad_input_is_refused_and_nothing_is_saved(session, customers, step_id, change,
                                                                               error):
    made = planned(session, customers["A"], note="Quarterly review")
    logged = count(session, ChangeLog)
    arguments = {"care_id": made.id, "step_id": step_id, "owner_id": customers["nok"], "due_month": "2025-05",
                 "user": USER, **change}
    with pytest.raises(error):
        care.care_to_task(session, **arguments)
    assert (count(session, Task), count(session, ChangeLog)) == (0, logged)
    stored = fresh(session, CareAction, made.id)
    assert (stored.task_id, stored.version) == (None, 1)


def test_a_task_at_a_sub_step_in_the_bin_is_refused(session, customers, step_id):
    made = planned(session, customers["A"])
    services.delete_step(session, step_id=step_id, user=USER)
    with pytest.raises(NotFoundError):
        care.care_to_task(session, care_id=made.id, step_id=step_id, owner_id=None, due_month="2025-05", user=USER)
    assert count(session, Task) == 0


def test_the_task_and_the_link_are_one_transaction(session, customers, step_id, monkeypatch):
    """A failure after the task is made leaves neither the task nor the link."""
    made = planned(session, customers["A"])
    logged = count(session, ChangeLog)

    def broken():
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(care, "utcnow", broken)  # called after the task was added
    with pytest.raises(RuntimeError):
        care.care_to_task(session, care_id=made.id, step_id=step_id, owner_id=None, due_month="2025-05", user=USER)
    assert (count(session, Task), count(session, ChangeLog)) == (0, logged)
    assert fresh(session, CareAction, made.id).task_id is None
