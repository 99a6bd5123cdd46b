"""The care plan: a visit, a call or a pleasant surprise planned for a VIP
in a month, then recorded as done; the VIPs with nothing planned or done in
a month; and a care action followed as a task of the improvement plan."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from cem.core import i18n, months
from cem.core import validation as v
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.reads import detached
from cem.core.models import CARE_KINDS, CareAction, ChangeLog, Customer, Person, utcnow
from cem.improvement import plan
from cem.journey.services import write_service

FIELDS = [
    v.FieldSpec("kind", "care.field.kind", v.choice(CARE_KINDS, default="visit")),
    v.FieldSpec("note", "care.field.note", v.text(500)),
]


def _get(session: Session, care_id: int) -> CareAction:
    care = session.get(CareAction, care_id)
    if care is None:
        raise NotFoundError("err.not_found", item="item.careaction", id=care_id)
    return care


def _log(session: Session, care: CareAction, action: str, user: str, **new) -> None:
    session.add(ChangeLog(user=user, item_type="careaction", item_id=care.id, action=action,
                          new={"customer_id": care.customer_id, "month": care.month, "kind": care.kind, **new}))


@write_service("customers.edit")
def plan_care(session: Session, *, customer_id: int, month: str, kind: str, note: str = "", day: date | None = None,
              person_id: int | None = None, user: str) -> CareAction:
    """Plan a care action for a customer in `month` (YYYY-MM); `day`, when
    given, must fall in that month."""
    month = months.check(month, column="care.field.month")
    clean = v.clean_row({"kind": kind, "note": note}, FIELDS)
    if session.get(Customer, customer_id) is None:
        raise NotFoundError("err.not_found", item="item.customer", id=customer_id)
    if person_id is not None and session.get(Person, person_id) is None:
        raise NotFoundError("err.not_found", item="item.person", id=person_id)
    if day is not None and months.of(day) != month:
        raise ValidationError("care.err.day_in_month", day=day.isoformat(), month=month)
    care = CareAction(customer_id=customer_id, month=month, day=day, person_id=person_id, created_by=user,
                      updated_by=user, **clean)
    session.add(care)
    session.flush()
    _log(session, care, "create", user)
    session.commit()
    return care


@write_service("customers.edit")
def record_done(session: Session, *, care_id: int, done_on: date | None, version: int, note: str | None = None,
                user: str) -> CareAction:
    """Record the care action as done on `done_on` (None: not done after all)."""
    care = _get(session, care_id)
    if version != care.version:
        raise ConflictError("profile.err.conflict", item="item.careaction", by=care.updated_by or "?")
    care.done_on = done_on
    if note is not None:
        care.note = v.clean_row({"note": note}, FIELDS, partial=True)["note"]
    care.version += 1
    care.updated_by, care.updated_at = user, utcnow()
    _log(session, care, "update", user, done_on=done_on.isoformat() if done_on else None)
    session.commit()
    return care


def for_customer(session: Session, customer_id: int) -> list[CareAction]:
    found = list(session.execute(select(CareAction).where(CareAction.customer_id == customer_id)
                                 .order_by(CareAction.month.desc(), CareAction.id.desc())).scalars())
    return detached(session, found)


@dataclass(frozen=True)
class MonthCare:
    planned: list[CareAction]
    done: list[CareAction]
    without_any: list[int]  # VIP customer ids with nothing planned or done this month


def month_overview(session: Session, month: str) -> MonthCare:
    """The month's care actions, and the VIPs who have none."""
    # Those without a day last, on every database (SQLite sorts NULL first, PostgreSQL last).
    actions = list(session.execute(select(CareAction).where(CareAction.month == month)
                                   .order_by(CareAction.day.is_(None), CareAction.day, CareAction.id)).scalars())
    vips = list(session.execute(select(Customer.id).where(Customer.vip).order_by(Customer.code)).scalars())
    detached(session, actions)
    cared = {a.customer_id for a in actions}
    return MonthCare([a for a in actions if a.done_on is None], [a for a in actions if a.done_on is not None],
                     [i for i in vips if i not in cared])


@write_service("plan.edit")
def care_to_task(session: Session, *, care_id: int, step_id: int, owner_id: int | None, due_month: str,
                 user: str, lang: str = i18n.DEFAULT_LANG) -> int:
    """Follow a care action as a task of the improvement plan at a
    sub-step, with an owner and a due month; the task's id. Its title is
    the customer and the note, or the kind in `lang` without a note. A care
    action is followed by one task only."""
    care = _get(session, care_id)
    if care.task_id is not None:
        raise ValidationError("care.err.already_task")
    customer = session.get(Customer, care.customer_id)
    title = f"{customer.name}: {care.note or i18n.t(f'care.kind.{care.kind}', lang)}"[:2000]
    task = plan.new_task(session, step_id=step_id, title=title, start_month=care.month, due_month=due_month,
                         owner_id=owner_id, user=user)
    care.task_id = task.id
    care.version += 1
    care.updated_by, care.updated_at = user, utcnow()
    _log(session, care, "update", user, task_id=task.id)
    session.commit()
    return task.id
