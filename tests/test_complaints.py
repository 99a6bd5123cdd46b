"""Complaints: the due date from the SLA of the severity, handling them to a
resolution, turning one into a pain point, the lists, the SLA itself, and
the revenue at risk behind each sub-step, stage and pain point."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlmodel import func, select

from cem.core import i18n
from cem.core.auth import PermissionDenied
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import ChangeLog, Complaint, Customer, CustomerSettings, PainPoint
from cem.customers import billing, complaints, vip
from cem.improvement import plan
from cem.journey import services

USER = "lead"
DEFAULT_SLA = {1: 30, 2: 14, 3: 7, 4: 3, 5: 1}


def english(error) -> str:
    return i18n.error_text(error.value, "en")


def count(session, model) -> int:
    session.rollback()
    return session.execute(select(func.count()).select_from(model)).scalar_one()


def bills(session, lines: list[tuple[str, str, int]]) -> None:
    """Bills of (customer code, ISO day, baht)."""
    text = "รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ\n" + "".join(f"{c},ร้าน {c},{d},{a}\n" for c, d, a in lines)
    sheet = billing.read_file(text.encode(), "bills.csv")
    checked = billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])
    billing.import_bills(session, checked=checked, file_name="bills.csv", user=USER)


def customer_ids(session) -> dict[str, int]:
    session.rollback()
    return {code: i for i, code in session.execute(select(Customer.id, Customer.code))}


@pytest.fixture
def places(session, small_journey):
    """The small journey's sub-steps (browse and call in Offer; pay, added
    here, in Use), its pain points, and a person."""
    tree = services.load_journey_tree(session, small_journey.id)
    offer, use = tree.stages[0], tree.stages[1]
    pay = services.add_step(session, stage_id=use.stage.id, name="Pay the bill", user=USER)
    browse = offer.steps[0]
    pains = {p.text: p.id for p in browse.pain_points}
    person = plan.add_person(session, name="Nok", username="editor", user=USER)
    return {"journey": small_journey.id, "offer": offer.stage.id, "use": use.stage.id,
            "browse": browse.step.id, "call": offer.steps[1].step.id, "pay": pay.id,
            "prices": pains["Prices are hard to compare"], "slow": pains["Site is slow"], "person": person.id}


def complaint(session, **kwargs) -> Complaint:
    values = {"text": "The bill was wrong", "received": date(2025, 1, 30), "severity": 3, "user": USER, **kwargs}
    return complaints.record_complaint(session, **values)


def fresh(session, complaint_id: int) -> Complaint:
    session.rollback()
    return session.get(Complaint, complaint_id)


def logs(session, complaint_id: int) -> list[ChangeLog]:
    session.rollback()
    return list(session.execute(select(ChangeLog).where(ChangeLog.item_type == "complaint",
                                                        ChangeLog.item_id == complaint_id)
                                .order_by(ChangeLog.id)).scalars())


# ---------------------------------------------------------------- recording


def test_a_new_complaint_is_open_and_due_by_the_default_sla_of_its_severity(session, places):
    # Received 30 January 2025: +7 days (severity 3), +1 (5), +30 (1, across February's 28 days).
    middle = complaint(session, severity=3, step_id=places["browse"], owner_id=places["person"], channel="line")
    worst = complaint(session, severity=5)
    mildest = complaint(session, severity=1)
    assert fresh(session, middle.id).due == date(2025, 2, 6)
    assert fresh(session, worst.id).due == date(2025, 1, 31)
    assert fresh(session, mildest.id).due == date(2025, 3, 1)
    stored = fresh(session, middle.id)
    assert (stored.status, stored.channel, stored.journey_id, stored.step_id, stored.owner_id, stored.created_by) == (
        "open", "line", places["journey"], places["browse"], places["person"], USER)
    assert (fresh(session, worst.id).journey_id, fresh(session, worst.id).step_id) == (None, None)
    [created] = logs(session, middle.id)
    assert (created.action, created.journey_id, created.step_id) == ("create", places["journey"], places["browse"])
    assert created.new["due"] == "2025-02-06" and created.new["severity"] == 3 and created.new["status"] == "open"


def test_a_saved_sla_sets_the_due_date_of_later_complaints_only(session, places):
    before = complaint(session, severity=3)
    saved = complaints.save_sla(session, days={1: 60, 2: 20, 3: 10, 4: 2, 5: 0}, user=USER)
    assert saved == {1: 60, 2: 20, 3: 10, 4: 2, 5: 0}
    assert complaints.sla_days(session) == saved
    after = complaint(session, severity=3)
    same_day = complaint(session, severity=5)
    assert fresh(session, after.id).due == date(2025, 2, 9)  # 30 January + 10
    assert fresh(session, same_day.id).due == date(2025, 1, 30)  # 0 days: due the day it came in
    assert fresh(session, before.id).due == date(2025, 2, 6)  # recorded under the old SLA


def test_an_sla_saved_over_one_changed_since_the_form_opened_is_refused(session, places):
    opened = complaints.sla_days(session)
    complaints.save_sla(session, days={**opened, 5: 2}, expected=opened, user="admin")
    with pytest.raises(ConflictError) as refused:
        complaints.save_sla(session, days={**opened, 1: 45}, expected=opened, user=USER)
    assert refused.value.code == "err.form_changed" and "5: 2" in refused.value.params["now"]
    assert complaints.sla_days(session) == {**opened, 5: 2}  # theirs stands, nothing half-saved


def test_a_complaint_named_by_its_pain_point_takes_the_pain_points_sub_step(session, places):
    made = complaint(session, step_id=places["call"], pain_point_id=places["slow"])
    stored = fresh(session, made.id)
    assert (stored.step_id, stored.pain_point_id, stored.journey_id) == (places["browse"], places["slow"],
                                                                         places["journey"])


def test_an_editor_records_complaints_and_a_viewer_may_not(session, places):
    complaint(session, user="editor")
    with pytest.raises(PermissionDenied):
        complaint(session, user="viewer")
    assert count(session, Complaint) == 1


@pytest.mark.parametrize("change, error", [
    ({"text": "   "}, ValidationError), ({"severity": 0}, ValidationError), ({"severity": 6}, ValidationError),
    ({"severity": "bad"}, ValidationError), ({"severity": 2.5}, ValidationError),
    ({"channel": "fax"}, ValidationError), ({"text": "x" * 2001}, ValidationError),
    ({"customer_id": 999}, NotFoundError), ({"owner_id": 999}, NotFoundError),
    ({"step_id": 999}, NotFoundError), ({"pain_point_id": 999}, NotFoundError)])
def test_a_complaint_with_bad_input_is_refused_and_nothing_is_saved(session, places, change, error):
    logged = count(session, ChangeLog)
    with pytest.raises(error):
        complaint(session, **change)
    assert count(session, Complaint) == 0
    assert count(session, ChangeLog) == logged


def test_a_complaint_at_a_sub_step_in_the_bin_is_refused(session, places):
    services.delete_step(session, step_id=places["call"], user=USER)
    with pytest.raises(NotFoundError) as refused:
        complaint(session, step_id=places["call"])
    assert refused.value.params["id"] == places["call"]
    assert count(session, Complaint) == 0


# ---------------------------------------------------------------- handling


def handle(session, made: Complaint, **kwargs) -> Complaint:
    current = fresh(session, made.id)
    values = {"complaint_id": current.id, "version": current.version, "status": current.status,
              "resolution": current.resolution, "owner_id": current.owner_id, "severity": current.severity,
              "step_id": current.step_id, "pain_point_id": current.pain_point_id, "user": USER, **kwargs}
    return complaints.update_complaint(session, **values)


def test_resolving_or_closing_needs_the_resolution(session, places):
    made = complaint(session, step_id=places["browse"])
    for status in ("resolved", "closed"):
        with pytest.raises(ValidationError) as refused:
            handle(session, made, status=status, resolution="  ")
        assert refused.value.code == "complaint.err.resolution_needed"
    stored = fresh(session, made.id)
    assert (stored.status, stored.version, stored.resolved_on) == ("open", 1, None)
    assert len(logs(session, made.id)) == 1


def test_resolving_stamps_the_day_given_or_today_and_reopening_clears_it(session, places):
    made = complaint(session, step_id=places["browse"])
    handle(session, made, status="resolved", resolution="Refunded the overcharge", resolved_on=date(2025, 2, 3))
    stored = fresh(session, made.id)
    assert (stored.status, stored.resolution, stored.resolved_on, stored.version) == (
        "resolved", "Refunded the overcharge", date(2025, 2, 3), 2)
    handle(session, made, status="closed")  # the day it was resolved stays
    assert fresh(session, made.id).resolved_on == date(2025, 2, 3)
    handle(session, made, status="in_progress")
    stored = fresh(session, made.id)
    assert (stored.status, stored.resolved_on, stored.resolution) == ("in_progress", None, "Refunded the overcharge")
    handle(session, made, status="resolved")
    assert fresh(session, made.id).resolved_on == date.today()


def test_an_update_from_a_stale_version_is_refused_and_changes_nothing(session, places):
    made = complaint(session, step_id=places["browse"])
    handle(session, made, status="in_progress", user="editor")
    with pytest.raises(ConflictError) as refused:
        handle(session, made, version=1, status="closed", resolution="Done")
    assert refused.value.params["by"] == "editor"
    stored = fresh(session, made.id)
    assert (stored.status, stored.resolution, stored.version) == ("in_progress", "", 2)


@pytest.mark.parametrize("change, error", [
    ({"status": "lost"}, ValidationError), ({"severity": 9}, ValidationError), ({"resolution": "r" * 2001},
                                                                                ValidationError),
    ({"owner_id": 999}, NotFoundError), ({"step_id": 999}, NotFoundError), ({"pain_point_id": 999}, NotFoundError),
    ({"complaint_id": 999}, NotFoundError)])
def test_an_update_with_bad_input_is_refused_and_nothing_is_saved(session, places, change, error):
    made = complaint(session, step_id=places["browse"], severity=3)
    with pytest.raises(error):
        handle(session, made, **{"status": "in_progress", "severity": 5, **change})
    stored = fresh(session, made.id)
    assert (stored.status, stored.severity, stored.due, stored.version) == ("open", 3, date(2025, 2, 6), 1)
    assert len(logs(session, made.id)) == 1


def test_a_new_severity_moves_the_due_date_and_keeps_the_other_changes_made_with_it(session, places):
    made = complaint(session, step_id=places["browse"], severity=3)  # due 6 February
    handle(session, made, severity=5, step_id=places["pay"], owner_id=places["person"], status="in_progress")
    stored = fresh(session, made.id)
    assert stored.due == date(2025, 1, 31)  # received 30 January + 1 day
    assert (stored.severity, stored.step_id, stored.owner_id, stored.status) == (
        5, places["pay"], places["person"], "in_progress")
    update = logs(session, made.id)[-1]
    assert update.old == {"severity": 3, "due": "2025-02-06", "step_id": places["browse"], "owner_id": None,
                          "status": "open"}
    assert update.new == {"severity": 5, "due": "2025-01-31", "step_id": places["pay"],
                          "owner_id": places["person"], "status": "in_progress"}
    assert update.step_id == places["pay"]


def test_the_same_severity_keeps_the_due_date_though_the_sla_changed(session, places):
    made = complaint(session, severity=3)
    complaints.save_sla(session, days={1: 30, 2: 14, 3: 20, 4: 3, 5: 1}, user=USER)
    handle(session, made, status="in_progress")
    assert fresh(session, made.id).due == date(2025, 2, 6)
    handle(session, made, severity=2)
    handle(session, made, severity=3)  # back to 3, under the new SLA
    assert fresh(session, made.id).due == date(2025, 2, 19)


def test_naming_a_pain_point_on_update_moves_the_complaint_to_its_sub_step(session, places):
    made = complaint(session, step_id=places["pay"])
    handle(session, made, step_id=places["pay"], pain_point_id=places["prices"])
    stored = fresh(session, made.id)
    assert (stored.step_id, stored.pain_point_id) == (places["browse"], places["prices"])


# ---------------------------------------------------------------- to a pain point


def test_a_complaint_becomes_a_pain_point_at_its_sub_step_in_its_words_and_severity(session, places):
    made = complaint(session, step_id=places["browse"], severity=5, text="Nobody told me the price went up")
    pain = complaints.to_pain_point(session, complaint_id=made.id, user="editor")
    session.rollback()
    stored_pain = session.get(PainPoint, pain.id)
    assert (stored_pain.step_id, stored_pain.text, stored_pain.severity, stored_pain.status) == (
        places["browse"], "Nobody told me the price went up", 5, "open")
    assert stored_pain.position == 3  # after the sub-step's two pain points (1 and 2)
    stored = fresh(session, made.id)
    assert (stored.pain_point_id, stored.version, stored.updated_by) == (pain.id, 2, "editor")
    assert logs(session, made.id)[-1].new == {"pain_point_id": pain.id}


def test_a_complaint_already_made_a_pain_point_is_not_made_one_again(session, places):
    made = complaint(session, step_id=places["call"])
    first = complaints.to_pain_point(session, complaint_id=made.id, user=USER)
    pains = count(session, PainPoint)
    with pytest.raises(ConflictError):
        complaints.to_pain_point(session, complaint_id=made.id, user=USER)  # a second click, a stale page
    assert count(session, PainPoint) == pains
    assert fresh(session, made.id).pain_point_id == first.id


def test_a_complaint_without_a_sub_step_cannot_become_a_pain_point(session, places):
    made = complaint(session)
    pains = count(session, PainPoint)
    with pytest.raises(ValidationError) as refused:
        complaints.to_pain_point(session, complaint_id=made.id, user=USER)
    assert refused.value.code == "complaint.err.no_step"
    with pytest.raises(NotFoundError):
        complaints.to_pain_point(session, complaint_id=999, user=USER)
    with pytest.raises(PermissionDenied):
        complaints.to_pain_point(session, complaint_id=made.id, user="viewer")
    assert count(session, PainPoint) == pains
    assert fresh(session, made.id).version == 1


def test_making_the_pain_point_is_one_transaction(session, places, monkeypatch):
    """A failure after the pain point is made leaves neither the pain point nor the link."""
    made = complaint(session, step_id=places["call"])
    pains, logged = count(session, PainPoint), count(session, ChangeLog)

    def broken():
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(complaints, "utcnow", broken)  # called after the pain point was added
    with pytest.raises(RuntimeError):
        complaints.to_pain_point(session, complaint_id=made.id, user=USER)
    assert (count(session, PainPoint), count(session, ChangeLog)) == (pains, logged)
    assert fresh(session, made.id).pain_point_id is None


def test_a_complaint_at_a_sub_step_now_in_the_bin_cannot_become_a_pain_point(session, places):
    made = complaint(session, step_id=places["call"])
    services.delete_step(session, step_id=places["call"], user=USER)
    pains = count(session, PainPoint)
    with pytest.raises(NotFoundError):
        complaints.to_pain_point(session, complaint_id=made.id, user=USER)
    assert count(session, PainPoint) == pains
    assert (fresh(session, made.id).pain_point_id, fresh(session, made.id).version) == (None, 1)


# ---------------------------------------------------------------- lists


def test_lists_narrow_by_journey_sub_step_status_and_overdue(session, places, small_journey):
    other = services.create_journey(session, name="Mobile", user=USER)
    stage = services.add_stage(session, journey_id=other.id, name="Buy", user=USER)
    elsewhere = services.add_step(session, stage_id=stage.id, name="Shop", user=USER)
    # Received, severity (due), place.
    a = complaint(session, received=date(2025, 3, 1), severity=4, step_id=places["browse"])  # due 4 March
    b = complaint(session, received=date(2025, 3, 5), severity=3, step_id=places["call"])  # due 12 March
    c = complaint(session, received=date(2025, 2, 1), severity=5, step_id=places["browse"])  # due 2 February
    d = complaint(session, received=date(2025, 3, 3), severity=5, step_id=elsewhere.id)  # due 4 March
    e = complaint(session, received=date(2025, 3, 2), severity=1)  # due 1 April, nowhere
    handle(session, c, status="resolved", resolution="Apologised")
    handle(session, a, status="in_progress")

    def ids(found):
        return [x.id for x in found]

    assert ids(complaints.listed(session)) == [b.id, d.id, e.id, a.id, c.id]  # latest first
    assert ids(complaints.listed(session, journey_id=places["journey"])) == [b.id, a.id, c.id]
    assert ids(complaints.listed(session, step_id=places["browse"])) == [a.id, c.id]
    assert ids(complaints.listed(session, status="open")) == [b.id, d.id, e.id]
    # On 5 March a (in progress, due 4th) and d (open, due 4th) are late; c was resolved; b and e are not due.
    assert ids(complaints.listed(session, overdue_on=date(2025, 3, 5))) == [d.id, a.id]
    assert ids(complaints.listed(session, overdue_on=date(2025, 3, 4))) == []  # due today is not late
    assert ids(complaints.listed(session, journey_id=places["journey"], overdue_on=date(2025, 3, 13))) == [b.id, a.id]
    listed = {x.id: x for x in complaints.listed(session)}
    assert [complaints.is_overdue(listed[i], date(2025, 3, 5)) for i in (a.id, b.id, c.id, d.id, e.id)] == [
        True, False, False, True, False]


def test_a_customers_complaints_put_the_most_serious_first_then_the_others_latest_first(session, places):
    bills(session, [("A", "2025-01-01", 100), ("B", "2025-01-01", 100)])
    ids = customer_ids(session)
    mild = complaint(session, customer_id=ids["A"], received=date(2025, 1, 1), severity=2)
    worst = complaint(session, customer_id=ids["A"], received=date(2025, 2, 1), severity=5)
    later = complaint(session, customer_id=ids["A"], received=date(2025, 3, 1), severity=3)
    early_worst = complaint(session, customer_id=ids["A"], received=date(2025, 1, 15), severity=5)
    complaint(session, customer_id=ids["B"], received=date(2025, 4, 1), severity=5)
    complaint(session, received=date(2025, 4, 2), severity=5)  # a walk-in
    found = complaints.for_customer(session, ids["A"])
    # The latest of the two severity-5 complaints, then the rest by date.
    assert [c.id for c in found] == [worst.id, later.id, early_worst.id, mild.id]
    assert found[0].text == "The bill was wrong"  # readable after the read ended
    assert complaints.for_customer(session, 999) == []


# ---------------------------------------------------------------- the SLA


@pytest.mark.parametrize("severity, value, shown", [(4, 400, "400"), (1, -1, "-1"), (3, 2.5, "2.5"),
                                                    (5, "soon", "soon")])
def test_an_sla_out_of_range_is_refused_naming_the_severity(session, severity, value, shown):
    days = {**DEFAULT_SLA, severity: value}
    with pytest.raises(ValidationError) as refused:
        complaints.save_sla(session, days=days, user=USER)
    assert refused.value.params["where"] == str(severity)
    assert english(refused) == f"“Severity {severity} (days)”: must be a whole number from 0 to 365 (got “{shown}”)."
    assert count(session, CustomerSettings) == 0 and count(session, ChangeLog) == 0
    assert complaints.sla_days(session) == DEFAULT_SLA


def test_an_sla_missing_a_severity_is_refused_and_the_old_one_kept(session):
    complaints.save_sla(session, days={1: 40, 2: 14, 3: 7, 4: 3, 5: 2}, user=USER)
    with pytest.raises(ValidationError) as refused:
        complaints.save_sla(session, days={1: 40, 2: 14, 3: 7, 5: 2}, user=USER)
    assert refused.value.params["where"] == "4" and refused.value.params["problem"] == "err.required"
    assert complaints.sla_days(session) == {1: 40, 2: 14, 3: 7, 4: 3, 5: 2}


def test_saving_the_sla_is_logged_and_only_for_admins_and_leads(session):
    vip.save_settings(session, kind="fixed", value=3, a_limit=0.7, b_limit=0.9, version=0, user=USER)
    complaints.save_sla(session, days={1: 30, 2: 14, 3: 5, 4: 3, 5: 1}, user="admin")
    with pytest.raises(PermissionDenied):
        complaints.save_sla(session, days=DEFAULT_SLA, user="editor")
    session.rollback()
    [entry] = [e for e in session.execute(select(ChangeLog).where(ChangeLog.item_type == "customersettings"))
               .scalars() if "sla_days" in e.new]
    assert entry.user == "admin"
    assert entry.new == {"sla_days": {"1": 30, "2": 14, "3": 5, "4": 3, "5": 1}}
    assert complaints.sla_days(session)[3] == 5
    rule = vip.settings(session)
    assert (rule.kind, rule.value, rule.a_limit) == ("fixed", 3, 0.7)  # the VIP rule in the same row is kept


# ---------------------------------------------------------------- revenue at risk

TODAY = date(2025, 6, 30)  # the last 12 months: July 2024 to June 2025


@pytest.fixture
def risky(session, places):
    """Five customers and their complaints at the small journey's sub-steps.

    Revenue from July 2024 to June 2025: A 1,500 (bills just outside the
    window on both sides do not count), B 2,500 (a credit note of 500) and a
    VIP, C 200, D -300 (a credit note only: no revenue at risk), E none.
    """
    bills(session, [("A", "2024-06-30", 9_999), ("A", "2024-07-01", 1_000), ("A", "2025-06-30", 500),
                    ("A", "2025-07-01", 7_777),
                    ("B", "2025-01-10", 3_000), ("B", "2025-02-10", -500),
                    ("C", "2025-03-01", 200),
                    ("D", "2023-05-01", 1_000), ("D", "2025-04-01", -300),
                    ("E", "2022-01-01", 50)])
    ids = customer_ids(session)
    vip.mark_by_hand(session, customer_id=ids["B"], decision="in", reason="key account", as_of=TODAY, user=USER)
    at = {"step_id": places["browse"], "pain_point_id": places["prices"]}
    made = {
        "a_open": complaint(session, customer_id=ids["A"], **at),
        "a_resolved": complaint(session, customer_id=ids["A"], **at),
        "b_in_progress": complaint(session, customer_id=ids["B"], **at),
        "walk_in": complaint(session, step_id=places["browse"], channel="walk_in"),
        "a_call": complaint(session, customer_id=ids["A"], step_id=places["call"]),
        "c_closed": complaint(session, customer_id=ids["C"], step_id=places["call"]),
        "d_pay": complaint(session, customer_id=ids["D"], step_id=places["pay"]),
        "e_pay": complaint(session, customer_id=ids["E"], step_id=places["pay"]),
        "b_resolved": complaint(session, customer_id=ids["B"], step_id=places["pay"]),
        "c_nowhere": complaint(session, customer_id=ids["C"]),  # no sub-step: not on the map
    }
    handle(session, made["a_resolved"], status="resolved", resolution="Explained the price")
    handle(session, made["b_in_progress"], status="in_progress")
    handle(session, made["c_closed"], status="closed", resolution="Called back")
    handle(session, made["b_resolved"], status="resolved", resolution="Refunded")
    # In the bin, and in another journey: neither counts.
    gone = services.add_step(session, stage_id=places["use"], name="Old counter", user=USER)
    complaint(session, customer_id=ids["C"], step_id=gone.id)
    services.delete_step(session, step_id=gone.id, user=USER)
    other = services.create_journey(session, name="Mobile", user=USER)
    stage = services.add_stage(session, journey_id=other.id, name="Buy", user=USER)
    shop = services.add_step(session, stage_id=stage.id, name="Shop", user=USER)
    complaint(session, customer_id=ids["A"], step_id=shop.id)
    return ids


def figures(risk: complaints.Risk) -> tuple:
    return risk.complaints, risk.open, risk.customers, risk.vips, risk.revenue, risk.vip_revenue


def test_revenue_at_risk_per_sub_step_counts_each_customer_once(session, places, risky):
    ids = risky
    risk = complaints.revenue_at_risk(session, places["journey"], today=TODAY)
    assert set(risk.steps) == {places["browse"], places["call"], places["pay"]}
    # Browse: A twice, B, a walk-in; open: A's first, B's (in progress), the walk-in. 1,500 + 2,500.
    assert figures(risk.steps[places["browse"]]) == (4, 3, {ids["A"], ids["B"]}, {ids["B"]}, 4_000, 2_500)
    # Call: A open, C closed. 1,500 + 200.
    assert figures(risk.steps[places["call"]]) == (2, 1, {ids["A"], ids["C"]}, set(), 1_700, 0)
    # Pay: D and E open, B resolved. 0 (D owes money) + 0 (E: no bills this year) + 2,500.
    assert figures(risk.steps[places["pay"]]) == (3, 2, {ids["B"], ids["D"], ids["E"]}, {ids["B"]}, 2_500, 2_500)


def test_a_stage_counts_each_customer_once_never_the_sum_of_its_sub_steps(session, places, risky):
    ids = risky
    risk = complaints.revenue_at_risk(session, places["journey"], today=TODAY)
    assert set(risk.stages) == {places["offer"], places["use"]}
    # Offer: A, B and C; 1,500 + 2,500 + 200 = 4,200, not browse's 4,000 + call's 1,700.
    assert figures(risk.stages[places["offer"]]) == (6, 4, {ids["A"], ids["B"], ids["C"]}, {ids["B"]}, 4_200, 2_500)
    assert figures(risk.stages[places["use"]]) == (3, 2, {ids["B"], ids["D"], ids["E"]}, {ids["B"]}, 2_500, 2_500)


def test_revenue_at_risk_per_pain_point(session, places, risky):
    ids = risky
    risk = complaints.revenue_at_risk(session, places["journey"], today=TODAY)
    assert set(risk.pain_points) == {places["prices"]}
    assert figures(risk.pain_points[places["prices"]]) == (3, 2, {ids["A"], ids["B"]}, {ids["B"]}, 4_000, 2_500)


def test_revenue_at_risk_is_in_baht_as_plain_numbers(session, places, risky):
    """On every database: a page formats and adds these figures."""
    risk = complaints.revenue_at_risk(session, places["journey"], today=TODAY)
    everything = [*risk.steps.values(), *risk.stages.values(), *risk.pain_points.values()]
    assert {type(r.revenue) for r in everything} | {type(r.vip_revenue) for r in everything} <= {int, float}
    assert sum(r.revenue for r in risk.steps.values()) == 8_200


def test_revenue_at_risk_follows_the_twelve_months_before_today(session, places, risky):
    ids = risky
    # A year later (July 2025 to June 2026) only A's bill of 1 July 2025 (7,777) is in the window.
    risk = complaints.revenue_at_risk(session, places["journey"], today=date(2026, 6, 1))
    assert figures(risk.steps[places["browse"]]) == (4, 3, {ids["A"], ids["B"]}, {ids["B"]}, 7_777, 0)


def test_walk_ins_count_as_complaints_with_no_revenue(session, places):
    complaint(session, step_id=places["call"], channel="walk_in")
    complaint(session, step_id=places["call"], channel="walk_in")
    handle(session, complaints.listed(session)[0], status="closed", resolution="Explained")
    risk = complaints.revenue_at_risk(session, places["journey"], today=TODAY)
    assert figures(risk.steps[places["call"]]) == (2, 1, set(), set(), 0, 0)
    assert figures(risk.stages[places["offer"]]) == (2, 1, set(), set(), 0, 0)
    assert risk.pain_points == {}


def test_a_journey_without_complaints_has_no_revenue_at_risk(session, places):
    risk = complaints.revenue_at_risk(session, places["journey"], today=TODAY)
    assert (risk.steps, risk.stages, risk.pain_points) == ({}, {}, {})


def test_the_stamp_changes_with_a_complaint_a_vip_mark_or_a_bill(session, places):
    bills(session, [("A", "2025-01-01", 100)])
    first = complaints.stamp(session)
    made = complaint(session)
    second = complaints.stamp(session)
    assert first[0] == 0 and second[0] == 1
    handle(session, made, status="in_progress")
    third = complaints.stamp(session)
    assert third != second
    vip.mark_by_hand(session, customer_id=customer_ids(session)["A"], decision="in", reason="x", as_of=TODAY,
                     user=USER)
    fourth = complaints.stamp(session)
    assert fourth[2] == 1 and fourth != third
    bills(session, [("A", "2025-01-02", 100)])
    assert complaints.stamp(session)[4:] != fourth[4:]
    json.dumps(complaints.stamp(session))  # a plain key for the page's cache


def test_complaints_at_the_sub_steps_of_a_stage_in_the_bin_count_for_nothing(session, places):
    """Binning a stage leaves its sub-steps unmarked: revenue at risk looks
    at the stage as well, so a binned stage's complaints leave the figures
    (and come back with a restore)."""
    complaint(session, step_id=places["pay"])
    before = complaints.revenue_at_risk(session, places["journey"], today=date(2025, 2, 1))
    assert places["pay"] in before.steps and places["use"] in before.stages
    services.delete_stage(session, stage_id=places["use"], user=USER)
    after = complaints.revenue_at_risk(session, places["journey"], today=date(2025, 2, 1))
    assert places["pay"] not in after.steps and places["use"] not in after.stages
