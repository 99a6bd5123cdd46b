"""Every write service refuses the roles that may not use it, and changes nothing then.

Each service registered in cem.journey.services.WRITE_SERVICES (and the account
services of cem.core.auth) is called as every role, as a deactivated account and
as a name that has no account. Exactly the roles cem.core.auth.PERMISSIONS lists
for the service's action succeed; everybody else gets PermissionDenied and
the database is exactly as before. A new write service without an entry in
CALLS below fails this test, so none can be forgotten.
"""
from __future__ import annotations

import importlib
import itertools
import pkgutil
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

import pytest
from sqlalchemy import func, select, text, update
from sqlmodel import Session, SQLModel

import cem
from cem import backup
from cem.core import auth
from cem.improvement import indicators, plan, priorities
from cem.journey import excel, services, templates
from cem.core.auth import PERMISSIONS, PermissionDenied
from cem.core.models import CareAction, ChangeLog, Complaint, Customer
from cem.customers import analysis, billing, care, complaints, profile, vip
from cem.core.models import Feedback, FeedbackImport, FollowUp, TextWord
from cem.voice import feedback, survey_import
from cem.kb import questions as kb
from cem.core.models import KbQuestion
from cem.journey.services import WRITE_SERVICES, RowChanges

# Import every module of the app, so every write service has registered itself.
for _module in pkgutil.walk_packages(cem.__path__, "cem."):
    importlib.import_module(_module.name)

BUILDER = "admin"
MONTH = "2026-03"
# The account services of cem.core.auth, with the permission they need.
AUTH_SERVICES = {"create_user": "users.manage", "update_user": "users.manage"}
# Who calls: each role's account (from tests/conftest.py), a deactivated
# administrator, and a name without an account.
CALLERS = {"admin": "admin", "lead": "lead", "editor": "editor", "viewer": "viewer",
           "former": "inactive", "nobody": "unknown"}


@dataclass
class World:
    """A small journey with one of everything, to call the services on."""

    journey: int
    stage: int
    other_stage: int
    binned_stage: int
    step: int
    other_step: int
    binned_step: int
    pain: int
    other_pain: int
    measure: int
    idea: int
    person: int  # linked to the "editor" account, owner of `task`
    other_person: int
    task: int
    workbook: bytes
    backup: bytes  # of the whole database, taken before the last changes of build_world
    bills: Any  # billing.Checked: two bills not imported yet
    bill_import: int  # an import of two other bills
    customer: int  # the customer of those bills
    other_customer: int  # a second record of one customer, to merge
    contact: int
    complaint: int  # at `step`, from `customer`
    care: int  # planned for `customer` in MONTH
    indicator: int  # a measure entered by hand
    voice: int  # a detractor's feedback at `step`
    follow_up: int  # on `voice`
    survey: Any  # survey_import.CheckedSurvey: one answer not imported yet
    survey_import: int  # an import of another answer
    word: int  # one of the team's own words
    question: int  # a draft knowledge-base question, its words not indexed yet
    published_question: int


def build_world(session: Session) -> World:
    j = services.create_journey(session, name="Roles", user=BUILDER).id
    stage = services.add_stage(session, journey_id=j, name="Offer", user=BUILDER).id
    other_stage = services.add_stage(session, journey_id=j, name="Use", user=BUILDER).id
    binned_stage = services.add_stage(session, journey_id=j, name="Gone", user=BUILDER).id
    step = services.add_step(session, stage_id=stage, name="Browse", user=BUILDER).id
    other_step = services.add_step(session, stage_id=stage, name="Call", user=BUILDER).id
    binned_step = services.add_step(session, stage_id=stage, name="Gone too", user=BUILDER).id
    pain = services.add_pain_point(session, step_id=step, text="Slow", user=BUILDER).id
    other_pain = services.add_pain_point(session, step_id=step, text="Costly", user=BUILDER).id
    measure = services.add_measure(session, pain_point_id=pain, text="Cache", user=BUILDER).id
    idea = services.add_idea(session, step_id=step, text="Chat", user=BUILDER).id
    # One person per account: later worlds share the "editor" account's person.
    linked = [p.id for p in plan.list_people(session) if p.username == "editor"]
    person = linked[0] if linked else plan.add_person(session, name="Ed", username="editor", user=BUILDER).id
    other_person = plan.add_person(session, name="Sam", user=BUILDER).id
    task = plan.create_task(session, step_id=step, title="Speed it up", start_month=MONTH, due_month="2026-06",
                            owner_id=person, measure_id=measure, user=BUILDER).id
    saved = backup.export_backup(session, user=BUILDER)
    services.delete_stage(session, stage_id=binned_stage, user=BUILDER)
    services.delete_step(session, step_id=binned_step, user=BUILDER)
    workbook = excel.export_journey(session, journey_id=j, lang="en")
    bill_import = billing.import_bills(session, checked=bill_lines(session, "A"), file_name="a.csv", user=BUILDER).id
    customer = session.execute(select(Customer.id).where(Customer.created_by_import_id == bill_import)).scalar_one()
    duplicate = Customer(code=f"DUP-{next(_worlds)}", name="Roles Co (again)", created_by=BUILDER)
    session.add(duplicate)
    session.commit()
    contact = profile.save_contact(session, customer_id=customer, values={"name": "Khun Dao", "mobile": "081"},
                                   decision_maker=True, user=BUILDER).id
    complaint = complaints.record_complaint(session, text="Bill was wrong", received=date(2026, 3, 2), severity=4,
                                            customer_id=customer, step_id=step, user=BUILDER).id
    cared = care.plan_care(session, customer_id=customer, month=MONTH, kind="visit", user=BUILDER).id
    indicator = indicators.create_indicator(session, level="inputs", name="Training hours", user=BUILDER).id
    voice = feedback.record_feedback(session, received=date(2026, 3, 3), text="Bill came late", nps=2, step_id=step,
                                     user=BUILDER).id
    follow_up = feedback.add_follow_up(session, source="feedback", item_id=voice, owner_id=person,
                                       due=date(2026, 3, 6), user=BUILDER).id
    survey_done = survey_import.import_feedback(session, checked=survey_answer(session, "S"), file_name="s.csv",
                                                user=BUILDER).id
    feedback.add_team_words(session, words=[f"word{next(_worlds)}"], user=BUILDER)
    word = session.execute(select(TextWord.id).order_by(TextWord.id.desc())).scalars().first()
    question = kb.create_question(session, question="บิลไม่มา", answer="ดูในแอป", user=BUILDER).id
    session.execute(update(KbQuestion).where(KbQuestion.id == question).values(search_text=""))
    session.commit()  # as written before it was searchable: reindex_questions has words to write
    published_question = kb.create_question(session, question="เน็ตล่ม", answer="ปิดเปิดเราเตอร์", user=BUILDER).id
    kb.publish_question(session, question_id=published_question, version=1, user=BUILDER)
    return World(j, stage, other_stage, binned_stage, step, other_step, binned_step, pain, other_pain, measure,
                 idea, person, other_person, task, workbook, saved, bill_lines(session, "B"), bill_import, customer,
                 duplicate.id, contact, complaint, cared, indicator, voice, follow_up, survey_answer(session, "T"),
                 survey_done, word, question, published_question)


_worlds = itertools.count(1)


def bill_lines(session: Session, series: str):
    """Two checked bill lines, numbered `series`-<world id>-1 and -2."""
    world = next(_worlds)
    data = (f"รหัสลูกค้า,ชื่อลูกค้า,วันที่,ยอดชำระ,เลขที่ใบแจ้งหนี้\n"
            f"C{world},Roles Co,15/01/2567,1000,{series}-{world}-1\n"
            f"C{world},Roles Co,15/02/2567,500,{series}-{world}-2\n").encode()
    sheet = billing.read_file(data, "bills.csv")
    return billing.check_rows(sheet, billing.guess_mapping(session, sheet.headings)[0])


def survey_answer(session: Session, series: str):
    """One checked survey answer, unique to this world and `series`."""
    data = f"Timestamp,NPS,Comment\n2026-03-04,9,{series} answer {next(_worlds)}\n".encode()
    sheet = survey_import.read_file(data, "survey.csv")
    return survey_import.check_rows(session, sheet, survey_import.guess_mapping(session, sheet.headings))


def current(session: Session, model, item_id: int) -> int:
    """The item's version now (the calls run one after another on one world)."""
    version = session.execute(select(model.version).where(model.id == item_id)).scalar_one()
    session.rollback()
    return version


Call = Callable[[Session, World, str], Any]
# One valid call per service: (session, world, acting user) -> the call.
CALLS: dict[str, Call] = {
    # The knowledge base.
    "create_question": lambda s, w, u: kb.create_question(s, question="ผ่อนได้กี่เดือน", user=u),
    "update_question": lambda s, w, u: kb.update_question(s, question_id=w.question, version=None,
                                                          answer="ดาวน์โหลดในแอป", user=u),
    "publish_question": lambda s, w, u: kb.publish_question(s, question_id=w.question, version=None, user=u),
    "unpublish_question": lambda s, w, u: kb.unpublish_question(s, question_id=w.published_question, version=None,
                                                                user=u),
    "mark_reviewed": lambda s, w, u: kb.mark_reviewed(s, question_id=w.question, version=None,
                                                      day=date(2026, 3, 1), user=u),
    "link_steps": lambda s, w, u: kb.link_steps(s, question_id=w.question, step_ids=[w.step], user=u),
    "delete_question": lambda s, w, u: kb.delete_question(s, question_id=w.question, user=u),
    "reindex_questions": lambda s, w, u: kb.reindex_questions(s, user=u),
    "asked_again": lambda s, w, u: kb.asked_again(s, question_id=w.question, user=u),
    "vote": lambda s, w, u: kb.vote(s, question_id=w.question, helpful=True, user=u),
    "record_miss": lambda s, w, u: kb.record_miss(s, query="ผ่อนกี่เดือน", user=u),
    "voice_to_question": lambda s, w, u: feedback.voice_to_question(s, source="feedback", item_id=w.voice, user=u),
    "link_voice_question": lambda s, w, u: feedback.link_voice_question(s, source="feedback", item_id=w.voice,
                                                                        question_id=w.question, user=u),
    "create_journey": lambda s, w, u: services.create_journey(s, name="New", user=u),
    "update_journey": lambda s, w, u: services.update_journey(s, journey_id=w.journey, name="Renamed",
                                                              description="Changed", user=u),
    "delete_journey": lambda s, w, u: services.delete_journey(s, journey_id=w.journey, user=u),
    "add_stage": lambda s, w, u: services.add_stage(s, journey_id=w.journey, name="New stage", user=u),
    "update_stage": lambda s, w, u: services.update_stage(s, stage_id=w.stage, name="Renamed", user=u),
    "move_stage": lambda s, w, u: services.move_stage(s, stage_id=w.stage, offset=1, user=u),
    "delete_stage": lambda s, w, u: services.delete_stage(s, stage_id=w.other_stage, user=u),
    "add_step": lambda s, w, u: services.add_step(s, stage_id=w.stage, name="New step", user=u),
    "update_step": lambda s, w, u: services.update_step(s, step_id=w.step, name="Renamed", easy=5, user=u),
    "move_step": lambda s, w, u: services.move_step(s, step_id=w.step, offset=1, user=u),
    "delete_step": lambda s, w, u: services.delete_step(s, step_id=w.other_step, user=u),
    "add_pain_point": lambda s, w, u: services.add_pain_point(s, step_id=w.step, text="New pain", user=u),
    "update_pain_point": lambda s, w, u: services.update_pain_point(s, pain_point_id=w.pain, text="Very slow",
                                                                    severity=5, user=u),
    "delete_pain_point": lambda s, w, u: services.delete_pain_point(s, pain_point_id=w.other_pain, user=u),
    "add_measure": lambda s, w, u: services.add_measure(s, pain_point_id=w.pain, text="New measure", user=u),
    "add_idea": lambda s, w, u: services.add_idea(s, step_id=w.step, text="New idea", user=u),
    "restore_from_bin": lambda s, w, u: services.restore_from_bin(s, item_type="stage", item_id=w.binned_stage,
                                                                  user=u),
    "save_stages": lambda s, w, u: services.save_stages(
        s, journey_id=w.journey, user=u,
        changes=RowChanges(added=[{"name": "Grid stage"}], updated={w.stage: {"name": "Grid renamed"}})),
    "save_steps": lambda s, w, u: services.save_steps(
        s, stage_id=w.stage, user=u,
        changes=RowChanges(added=[{"name": "Grid step"}], deleted=[w.other_step])),
    "save_pain_points": lambda s, w, u: services.save_pain_points(
        s, step_id=w.step, user=u,
        changes=RowChanges(added=[{"text": "Grid pain", "severity": 2}], updated={w.pain: {"status": "resolved"}})),
    "save_ideas": lambda s, w, u: services.save_ideas(
        s, step_id=w.step, user=u, changes=RowChanges(added=[{"text": "Grid idea"}], deleted=[w.idea])),
    "save_measures": lambda s, w, u: services.save_measures(
        s, step_id=w.step, user=u,
        changes=RowChanges(added=[{"pain_point_id": w.other_pain, "kind": "prevention", "text": "Grid measure"}],
                           updated={w.measure: {"text": "Grid changed"}})),
    # The registered service is the storing half of an import; call it as the page does.
    "store_imported_journey": lambda s, w, u: excel.import_journey(s, data=w.workbook, user=u, name="Imported"),
    "create_from_template": lambda s, w, u: templates.create_from_template(
        s, template="general", lang="en", name="From template", user=u),
    # The improvement plan.
    "add_person": lambda s, w, u: plan.add_person(s, name="New person", department="Sales", user=u),
    "update_person": lambda s, w, u: plan.update_person(s, person_id=w.other_person, department="Support",
                                                        user=u),
    "set_team": lambda s, w, u: plan.set_team(s, journey_id=w.journey, lead_id=w.person,
                                              secretary_id=w.other_person, user=u),
    "set_tiers": lambda s, w, u: plan.set_tiers(s, journey_id=w.journey, tiers="40, 20, 10", user=u),
    "create_task": lambda s, w, u: plan.create_task(s, step_id=w.step, title="New task", start_month=MONTH,
                                                    due_month=MONTH, user=u),
    "update_task": lambda s, w, u: plan.update_task(s, task_id=w.task, status="in_progress", user=u),
    "delete_task": lambda s, w, u: plan.delete_task(s, task_id=w.task, user=u),
    "set_commitments": lambda s, w, u: plan.set_commitments(s, journey_id=w.journey, month=MONTH,
                                                            tiers={w.task: 30}, user=u),
    # The editor may record it because the task's owner is linked to the editor's account.
    "record_check_in": lambda s, w, u: plan.record_check_in(s, task_id=w.task, month=MONTH, progress=40,
                                                            note="Half way", user=u),
    "record_check_ins": lambda s, w, u: plan.record_check_ins(s, journey_id=w.journey, month=MONTH,
                                                              reports=[(1, w.task, plan.Report(40))], user=u),
    "record_meeting": lambda s, w, u: plan.record_meeting(s, journey_id=w.journey, held_on=date(2026, 3, 31),
                                                          title="Month end", attendee_ids=[w.person], user=u),
    # Likewise the storing half of restoring a backup.
    "store_backup": lambda s, w, u: backup.restore_backup(s, data=w.backup, user=u),
    # Customers and their bills.
    "store_bills": lambda s, w, u: billing.import_bills(s, checked=w.bills, file_name="b.csv", user=u),
    "undo_import": lambda s, w, u: billing.undo_import(s, import_id=w.bill_import, user=u),
    "save_settings": lambda s, w, u: vip.save_settings(s, kind="fixed", value=5, a_limit=0.7, b_limit=0.9,
                                                       version=vip.settings(s).version, user=u),
    "apply_rule": lambda s, w, u: vip.apply_rule(s, period=analysis.Period(date(2024, 1, 1), date(2024, 12, 31)),
                                                 as_of=date(2024, 12, 31), user=u),
    "mark_by_hand": lambda s, w, u: vip.mark_by_hand(s, customer_id=w.customer, decision="in", reason="key account",
                                                     as_of=date(2026, 3, 1), user=u),
    "update_customer": lambda s, w, u: profile.update_customer(s, customer_id=w.customer, values={"segment": "SME"},
                                                               owner_id=w.person, version=None, user=u),
    "save_contact": lambda s, w, u: profile.save_contact(s, customer_id=w.customer, values={"name": "Khun Dao"},
                                                         decision_maker=False, contact_id=w.contact, user=u),
    "erase_contact": lambda s, w, u: profile.erase_contact(s, contact_id=w.contact, user=u),
    "log_contacts_export": lambda s, w, u: profile.log_contacts_export(s, what="vip list", customers=1, user=u),
    "merge_customers": lambda s, w, u: profile.merge_customers(s, keep_id=w.customer, merge_id=w.other_customer,
                                                               user=u),
    "record_complaint": lambda s, w, u: complaints.record_complaint(s, text="Rude", received=date(2026, 3, 5),
                                                                    severity=2, user=u),
    "update_complaint": lambda s, w, u: complaints.update_complaint(
        s, complaint_id=w.complaint, version=current(s, Complaint, w.complaint), status="resolved", resolution="Refunded", owner_id=w.person,
        severity=4, step_id=w.step, user=u),
    "to_pain_point": lambda s, w, u: complaints.to_pain_point(s, complaint_id=w.complaint, user=u),
    "save_sla": lambda s, w, u: complaints.save_sla(s, days={1: 20, 2: 10, 3: 5, 4: 2, 5: 1}, user=u),
    "plan_care": lambda s, w, u: care.plan_care(s, customer_id=w.customer, month=MONTH, kind="call", user=u),
    "record_done": lambda s, w, u: care.record_done(s, care_id=w.care, done_on=date(2026, 3, 9),
                                                    version=current(s, CareAction, w.care), user=u),
    "care_to_task": lambda s, w, u: care.care_to_task(s, care_id=w.care, step_id=w.step, owner_id=w.person,
                                                      due_month="2026-04", user=u),
    "create_user": lambda s, w, u: auth.create_user(s, username=f"new.{u}", role="editor", user=u),
    "update_user": lambda s, w, u: auth.update_user(s, username="alice", role="lead", display_name="Alice L",
                                                    user=u),
    "create_indicator": lambda s, w, u: indicators.create_indicator(s, level="inputs", name="Budget", user=u),
    "update_indicator": lambda s, w, u: indicators.update_indicator(s, indicator_id=w.indicator, target=8, user=u),
    "deactivate_indicator": lambda s, w, u: indicators.deactivate_indicator(s, indicator_id=w.indicator, user=u),
    "set_value": lambda s, w, u: indicators.set_value(s, indicator_id=w.indicator, month=MONTH, value=12, user=u),
    "set_priority": lambda s, w, u: priorities.set_priority(s, journey_id=w.journey, kind="painpoint", item_id=w.pain,
                                                            effort=2, user=u),
    "plan_next_month": lambda s, w, u: priorities.plan_next_month(s, journey_id=w.journey, month="2026-04",
                                                                  picks=[("idea", w.idea, 30)], user=u),
    "record_feedback": lambda s, w, u: feedback.record_feedback(s, received=date(2026, 3, 5), csat=4, user=u),
    "update_feedback": lambda s, w, u: feedback.update_feedback(
        s, feedback_id=w.voice, version=current(s, Feedback, w.voice), received=date(2026, 3, 3), text="Late bill",
        kind="survey", channel="LINE", sentiment=None, nps=3, csat=None, ces=None, customer_id=None, step_id=w.step,
        user=u),
    "delete_feedback": lambda s, w, u: feedback.delete_feedback(s, feedback_id=w.voice, user=u),
    "add_as_evidence": lambda s, w, u: feedback.add_as_evidence(s, source="feedback", item_id=w.voice,
                                                                pain_point_id=w.pain, user=u),
    "voice_to_pain_point": lambda s, w, u: feedback.voice_to_pain_point(s, source="feedback", item_id=w.voice, user=u),
    "add_follow_up": lambda s, w, u: feedback.add_follow_up(s, source="complaint", item_id=w.complaint,
                                                            owner_id=w.person, due=date(2026, 3, 9), user=u),
    "follow_up_done": lambda s, w, u: feedback.follow_up_done(s, follow_up_id=w.follow_up,
                                                              version=current(s, FollowUp, w.follow_up), user=u),
    "add_team_words": lambda s, w, u: feedback.add_team_words(s, words=[f"{u}word"], user=u),
    "remove_team_word": lambda s, w, u: feedback.remove_team_word(s, word_id=w.word, user=u),
    "import_feedback": lambda s, w, u: survey_import.import_feedback(s, checked=w.survey, file_name="t.csv", user=u),
    "undo_feedback_import": lambda s, w, u: survey_import.undo_feedback_import(s, import_id=w.survey_import, user=u),
}
SERVICES = {**WRITE_SERVICES, **AUTH_SERVICES}


def snapshot(session: Session) -> dict[str, list]:
    """Every row of every table, to see any change at all."""
    session.rollback()  # a fresh read
    state = {}
    for table in SQLModel.metadata.sorted_tables:
        order = [table.c.id] if "id" in table.c else list(table.primary_key.columns)
        state[table.name] = [tuple(row) for row in session.execute(select(table).order_by(*order))]
    return state


def add_inactive_admin(session: Session) -> None:
    auth.create_user(session, username="former", role="admin", user="admin")
    auth.update_user(session, username="former", active=False, user="admin")


def test_every_write_service_has_a_role_case():
    """No write service can be added without being checked for who may use it."""
    missing = sorted(set(SERVICES) - set(CALLS))
    assert missing == [], f"add these services to CALLS in tests/test_roles.py: {missing}"
    unknown = sorted({action for action in SERVICES.values()} - set(PERMISSIONS))
    assert unknown == [], f"services need permissions that PERMISSIONS does not define: {unknown}"
    assert {"create_journey", "save_ideas", "store_imported_journey", "create_from_template"} <= set(WRITE_SERVICES)


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_only_permitted_roles_can_use_the_service(service, engine):
    """Someone whose role may not do this gets "not allowed", and the map, its history and the accounts stay as they were."""
    call = CALLS.get(service)
    assert call is not None, f"no call for write service {service!r}: add it to CALLS in tests/test_roles.py"
    action = SERVICES[service]
    allowed_roles = PERMISSIONS[action]
    with Session(engine, expire_on_commit=False) as session:
        add_inactive_admin(session)
        shared_world = build_world(session)  # refused calls change nothing, so they can share one
        outcomes = {}
        for user, role in CALLERS.items():
            allowed = role in allowed_roles
            world = build_world(session) if allowed else shared_world
            before = snapshot(session)
            revision = services.journey_revision(session, world.journey)
            log_count = session.exec(select(func.count()).select_from(ChangeLog)).one()
            try:
                call(session, world, user)
            except PermissionDenied as denied:
                outcomes[user] = "denied"
                assert not allowed, f"{service} refused {user} ({role}), who may do {action}: {denied}"
                session.rollback()
                assert services.journey_revision(session, world.journey) == revision
                assert session.exec(select(func.count()).select_from(ChangeLog)).one() == log_count
                assert snapshot(session) == before, f"{service} changed the database for {user} ({role})"
                assert session.execute(text("SELECT 1")).scalar() == 1  # the session is still usable
            else:
                outcomes[user] = "done"
                assert allowed, f"{service} let {user} ({role}) do {action}"
                assert snapshot(session) != before, f"{service} as {user} changed nothing: bad arguments in CALLS?"
        expected = {user: "done" if role in allowed_roles else "denied" for user, role in CALLERS.items()}
        assert outcomes == expected


def test_first_admin_cannot_be_made_once_accounts_exist(session):
    """Once the installation has accounts, the first-start screen cannot make anybody an administrator."""
    before = snapshot(session)
    with pytest.raises(PermissionDenied):
        auth.create_first_admin(session, username="intruder", password="long enough password")
    assert snapshot(session) == before


def test_an_editor_records_progress_only_on_tasks_they_own(session):
    """An editor can record the month's progress of their own task, but gets "not allowed" on somebody else's."""
    world = build_world(session)
    before = snapshot(session)
    with pytest.raises(PermissionDenied):
        plan.record_check_in(session, task_id=world.task, month=MONTH, progress=10, user="alice")
    assert snapshot(session) == before
    plan.record_check_in(session, task_id=world.task, month=MONTH, progress=10, user="editor")
    assert snapshot(session) != before
