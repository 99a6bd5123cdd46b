"""Complaints (ข้อร้องเรียน): recorded in the customer's words with a
severity, tied to the sub-step of the journey where it happened, owned and
followed to a resolution within the SLA of its severity; and the revenue
that stands behind each sub-step's complaints.

Revenue at risk at a sub-step is the last 12 months' revenue of the
distinct customers who complained there (walk-ins have none). A stage's
figure counts each customer once, however many of its sub-steps they
complained at, so a stage is never the sum of its sub-steps.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from cem.core import validation as v
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import (COMPLAINT_CHANNELS, COMPLAINT_STATUSES, DEFAULT_SLA_DAYS, SEVERITY_MAX, SEVERITY_MIN,
                             Bill, ChangeLog, Complaint, Customer, CustomerSettings, PainPoint, Person, Stage, Step,
                             utcnow)
from cem.customers import analysis
from cem.customers.profile import last_12_months
from cem.core import months
from cem.core.reads import detached
from cem.journey import services
from cem.journey.services import write_service

TEXT_FIELDS = [
    v.FieldSpec("text", "complaint.field.text", v.text(2000, required=True)),
    v.FieldSpec("channel", "complaint.field.channel", v.choice(COMPLAINT_CHANNELS, default="other")),
    v.FieldSpec("severity", "complaint.field.severity", v.whole_number(SEVERITY_MIN, SEVERITY_MAX, required=True)),
]
HANDLING_FIELDS = [
    v.FieldSpec("status", "complaint.field.status", v.choice(COMPLAINT_STATUSES, default="open")),
    v.FieldSpec("resolution", "complaint.field.resolution", v.text(2000)),
]
LOGGED = ("text", "channel", "severity", "status", "resolution", "resolved_on", "owner_id", "step_id",
          "pain_point_id", "due")


# ---------------------------------------------------------------- the SLA


def sla_days(session: Session) -> dict[int, int]:
    """Days to resolve a complaint, by severity."""
    days = _sla_days(session)
    session.rollback()
    return days


def _sla_days(session: Session) -> dict[int, int]:
    # Without ending the transaction: inside a write, a rollback would drop
    # the changes made so far (and, on PostgreSQL, the write's turn).
    row = session.execute(select(CustomerSettings.sla_days).order_by(CustomerSettings.id)).scalars().first()
    days = {**DEFAULT_SLA_DAYS, **(row or {})}
    return {int(k): int(n) for k, n in days.items()}


@write_service("customers.edit")
def save_sla(session: Session, *, days: dict[int, int], user: str,
             expected: dict[int, int] | None = None) -> dict[int, int]:
    """Days to resolve, by severity; refused if the SLA is no longer
    `expected` (what the form was opened on): someone else saved first."""
    clean = {}
    for severity in range(SEVERITY_MIN, SEVERITY_MAX + 1):
        try:
            clean[str(severity)] = v.whole_number(0, 365, required=True)(days.get(severity))
        except v.FieldProblem as problem:
            raise v.located(problem, column="complaint.sla_for", row=None, where=str(severity)) from None
    now = _sla_days(session)
    if expected is not None and now != {int(k): int(n) for k, n in expected.items()}:
        raise ConflictError("err.form_changed", item="complaint.sla_title",
                            now=" · ".join(f"{severity}: {n}" for severity, n in sorted(now.items())))
    row = session.execute(select(CustomerSettings).order_by(CustomerSettings.id)).scalars().first()
    if row is None:
        row = CustomerSettings(created_by=user, version=0)  # the VIP rule's version: never saved
        session.add(row)
    old = dict(row.sla_days or {})
    row.sla_days = clean
    # The row's version is the VIP rule's (vip.save_settings checks it): an
    # SLA saved meanwhile must not make the rule form's save a conflict.
    row.updated_by, row.updated_at = user, utcnow()
    session.flush()
    session.add(ChangeLog(user=user, item_type="customersettings", item_id=row.id, action="update",
                          old={"sla_days": old}, new={"sla_days": clean}))
    session.commit()
    return sla_days(session)


# ---------------------------------------------------------------- recording and handling


def _place(session: Session, step_id: int | None, pain_point_id: int | None) -> tuple[int | None, int | None]:
    """The journey and the sub-step of a complaint, from the pain point
    when one is named (its sub-step wins)."""
    if pain_point_id is not None:
        pain = session.get(PainPoint, pain_point_id)
        if pain is None:
            raise NotFoundError("err.not_found", item="item.painpoint", id=pain_point_id)
        step_id = pain.step_id
    if step_id is None:
        return None, None
    step = session.get(Step, step_id)
    if step is None or step.deleted_at is not None:
        raise NotFoundError("err.not_found", item="item.step", id=step_id)
    return session.get(Stage, step.stage_id).journey_id, step_id


def _due(session: Session, received: date, severity: int) -> date:
    return received + timedelta(days=_sla_days(session)[severity])


def _check_links(session: Session, customer_id: int | None, owner_id: int | None) -> None:
    if customer_id is not None and session.get(Customer, customer_id) is None:
        raise NotFoundError("err.not_found", item="item.customer", id=customer_id)
    if owner_id is not None and session.get(Person, owner_id) is None:
        raise NotFoundError("err.not_found", item="item.person", id=owner_id)


@write_service("complaints.record")
def record_complaint(session: Session, *, text: str, received: date, severity: int, channel: str = "phone",
                     customer_id: int | None = None, step_id: int | None = None, pain_point_id: int | None = None,
                     owner_id: int | None = None, user: str) -> Complaint:
    """A new complaint, open, due by the SLA of its severity."""
    clean = v.clean_row({"text": text, "channel": channel, "severity": severity}, TEXT_FIELDS)
    _check_links(session, customer_id, owner_id)
    journey_id, step_id = _place(session, step_id, pain_point_id)
    due = _due(session, received, clean["severity"])
    complaint = Complaint(customer_id=customer_id, received=received, journey_id=journey_id, step_id=step_id,
                          pain_point_id=pain_point_id, owner_id=owner_id, due=due, created_by=user, updated_by=user,
                          **clean)
    session.add(complaint)
    session.flush()
    session.add(ChangeLog(user=user, journey_id=journey_id, step_id=step_id, item_type="complaint",
                          item_id=complaint.id, action="create", new=_logged(complaint)))
    session.commit()
    return complaint


def _logged(complaint: Complaint) -> dict:
    return {name: (value.isoformat() if isinstance(value, date) else value)
            for name in LOGGED for value in [getattr(complaint, name)]}


@write_service("complaints.record")
def update_complaint(session: Session, *, complaint_id: int, version: int, status: str, resolution: str,
                     owner_id: int | None, severity: int, step_id: int | None = None,
                     pain_point_id: int | None = None, resolved_on: date | None = None, user: str) -> Complaint:
    """Change how a complaint is handled. Resolving or closing it needs the
    resolution; the day resolved is today unless given. A new severity
    moves the due date with the SLA."""
    complaint = _get(session, complaint_id)
    if version != complaint.version:
        raise ConflictError("profile.err.conflict", item="item.complaint", by=complaint.updated_by or "?")
    clean = v.clean_row({"status": status, "resolution": resolution}, HANDLING_FIELDS)
    severity = v.clean_row({"severity": severity, "text": complaint.text}, TEXT_FIELDS, partial=True)["severity"]
    done = clean["status"] in ("resolved", "closed")
    if done and not clean["resolution"]:
        raise ValidationError("complaint.err.resolution_needed")
    _check_links(session, None, owner_id)
    old = _logged(complaint)
    complaint.journey_id, complaint.step_id = _place(session, step_id, pain_point_id)
    complaint.pain_point_id = pain_point_id
    if severity != complaint.severity:
        complaint.due = _due(session, complaint.received, severity)
    complaint.severity, complaint.owner_id = severity, owner_id
    complaint.status, complaint.resolution = clean["status"], clean["resolution"]
    complaint.resolved_on = (resolved_on or complaint.resolved_on or date.today()) if done else None
    complaint.version += 1
    complaint.updated_by, complaint.updated_at = user, utcnow()
    new = _logged(complaint)
    session.add(ChangeLog(user=user, journey_id=complaint.journey_id, step_id=complaint.step_id,
                          item_type="complaint", item_id=complaint.id, action="update",
                          old={k: old[k] for k in old if old[k] != new[k]},
                          new={k: new[k] for k in new if old[k] != new[k]}))
    session.commit()
    return complaint


def _get(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise NotFoundError("err.not_found", item="item.complaint", id=complaint_id)
    return complaint


@write_service("map.edit")
def to_pain_point(session: Session, *, complaint_id: int, user: str) -> PainPoint:
    """A new pain point at the complaint's sub-step, in the complaint's
    words and with its severity, and the complaint linked to it: one
    transaction."""
    complaint = _get(session, complaint_id)
    if complaint.step_id is None:
        raise ValidationError("complaint.err.no_step")
    if complaint.pain_point_id is not None:
        # Made one already (a second click, a page opened before): another
        # pain point would only double it on the map.
        raise ConflictError("profile.err.conflict", item="item.complaint", by=complaint.updated_by or "?")
    pain = services.new_pain_point(session, step_id=complaint.step_id, text=complaint.text,
                                   severity=complaint.severity, user=user)
    complaint.pain_point_id = pain.id
    complaint.version += 1
    complaint.updated_by, complaint.updated_at = user, utcnow()
    session.add(ChangeLog(user=user, journey_id=complaint.journey_id, step_id=complaint.step_id,
                          item_type="complaint", item_id=complaint.id, action="update",
                          new={"pain_point_id": pain.id}))
    session.commit()
    return pain


# ---------------------------------------------------------------- lists


def is_overdue(complaint: Complaint, today: date) -> bool:
    return complaint.status in ("open", "in_progress") and complaint.due < today


def for_customer(session: Session, customer_id: int) -> list[Complaint]:
    """The customer's complaints: the most serious first (and of those, the
    latest), then the others by date, latest first."""
    found = detached(session, list(session.execute(select(Complaint).where(Complaint.customer_id == customer_id))
                                   .scalars()))
    if not found:
        return []
    worst = max(found, key=lambda c: (c.severity, c.received, c.id))
    rest = sorted((c for c in found if c.id != worst.id), key=lambda c: (c.received, c.id), reverse=True)
    return [worst, *rest]


def listed(session: Session, *, journey_id: int | None = None, step_id: int | None = None,
           status: str | None = None, overdue_on: date | None = None) -> list[Complaint]:
    """Complaints, latest first; narrowed to a journey, a sub-step, a
    status, or those overdue on a day."""
    query = select(Complaint).order_by(Complaint.received.desc(), Complaint.id.desc())
    if journey_id is not None:
        query = query.where(Complaint.journey_id == journey_id)
    if step_id is not None:
        query = query.where(Complaint.step_id == step_id)
    if status:
        query = query.where(Complaint.status == status)
    if overdue_on is not None:
        query = query.where(Complaint.status.in_(("open", "in_progress")), Complaint.due < overdue_on)
    return detached(session, list(session.execute(query).scalars()))


# ---------------------------------------------------------------- revenue at risk


def stamp(session: Session) -> tuple:
    """Changes whenever a complaint, a VIP mark or a bill changes: pages
    cache revenue at risk by it."""
    complaints = session.execute(select(func.count(Complaint.id), func.max(Complaint.updated_at))).one()
    vips = session.execute(select(func.count(Customer.id), func.max(Customer.updated_at)).where(Customer.vip)).one()
    session.rollback()
    return (complaints[0], str(complaints[1]), vips[0], str(vips[1]), *analysis.data_stamp(session))


@dataclass
class Risk:
    complaints: int = 0
    open: int = 0
    customers: set[int] = field(default_factory=set)
    vips: set[int] = field(default_factory=set)
    revenue: float = 0.0  # baht, last 12 months, of the distinct customers who complained
    vip_revenue: float = 0.0


@dataclass
class JourneyRisk:
    steps: dict[int, Risk]
    stages: dict[int, Risk]
    pain_points: dict[int, Risk]


def revenue_at_risk(session: Session, journey_id: int, *, today: date) -> JourneyRisk:
    """Complaints and the revenue behind them, per sub-step, per stage and
    per pain point of one journey."""
    rows = session.execute(
        select(Complaint.step_id, Complaint.pain_point_id, Complaint.customer_id, Complaint.status, Stage.id)
        .join(Step, Step.id == Complaint.step_id).join(Stage, Stage.id == Step.stage_id)
        .where(Complaint.journey_id == journey_id, Step.deleted_at.is_(None), Stage.deleted_at.is_(None))).all()
    customers = {r[2] for r in rows if r[2] is not None}
    revenue, vips = _revenue_12_months(session, customers, today), _vips(session, customers)
    session.rollback()
    risk = JourneyRisk(defaultdict(Risk), defaultdict(Risk), defaultdict(Risk))
    for step_id, pain_id, customer_id, status, stage_id in rows:
        targets = [risk.steps[step_id], risk.stages[stage_id]]
        if pain_id is not None:
            targets.append(risk.pain_points[pain_id])
        for target in targets:
            target.complaints += 1
            target.open += status in ("open", "in_progress")
            if customer_id is not None:
                target.customers.add(customer_id)
                if customer_id in vips:
                    target.vips.add(customer_id)
    for group in (risk.steps, risk.stages, risk.pain_points):
        for target in group.values():
            target.revenue = sum(revenue.get(c, 0.0) for c in target.customers)
            target.vip_revenue = sum(revenue.get(c, 0.0) for c in target.vips)
    return JourneyRisk(dict(risk.steps), dict(risk.stages), dict(risk.pain_points))


def _revenue_12_months(session: Session, customers: set[int], today: date) -> dict[int, float]:
    if not customers:
        return {}
    first, last = last_12_months(today)
    found: dict[int, float] = {}
    ordered = sorted(customers)
    for start in range(0, len(ordered), 5_000):
        chunk = ordered[start:start + 5_000]
        for customer_id, satang in session.execute(
                select(Bill.customer_id, func.sum(Bill.amount_satang))
                .where(Bill.customer_id.in_(chunk), Bill.day >= months.first_day(first),
                       Bill.day <= months.last_day(last)).group_by(Bill.customer_id)):
            # int(): PostgreSQL's SUM is a Decimal, which cannot be added to the floats below.
            found[customer_id] = max(0, int(satang)) / 100  # a customer owed money is no revenue at risk
    return found


def _vips(session: Session, customers: set[int]) -> set[int]:
    if not customers:
        return set()
    return set(session.execute(select(Customer.id).where(Customer.vip, Customer.id.in_(sorted(customers))))
               .scalars())
