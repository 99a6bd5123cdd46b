"""VIP customers: the workspace's rule, applying it as of a day, marking
by hand with a reason, and comparing two periods.

The rule picks from the customers ranked by revenue in a period (see
cem.customers.pareto; only customers with a positive total take part):

- top_share: the top `value` share of customers (0.2: the top 20 %, rounded
  up, at least one);
- revenue_share: the fewest top customers whose revenue reaches `value` of
  the total (0.8: 80 %);
- fixed: the top `value` customers.

Ties at the threshold are all in: a customer with exactly the revenue of
the last one picked is picked too, so the result never depends on the order
of equal totals. A decision made by hand ("in" or "out") stands until a
person clears it; applying the rule leaves those customers as decided.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import func, select, update
from sqlmodel import Session

from cem.core import validation as v
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import VIP_RULES, Bill, ChangeLog, Customer, CustomerSettings, VipChange, utcnow
from cem.core.reads import detached
from cem.customers import analysis
from cem.customers.pareto import Pareto
from cem.journey.services import write_service

MAX_FIXED = 100_000


@dataclass(frozen=True)
class Rule:
    kind: str  # one of VIP_RULES
    value: float
    a_limit: float
    b_limit: float
    version: int


def settings(session: Session) -> Rule:
    """The workspace's VIP rule and ABC limits (the defaults until saved)."""
    rule = _settings(session)
    session.rollback()
    return rule


def _settings(session: Session) -> Rule:
    # Without ending the transaction, for use inside a write (see rule_vips).
    row = session.execute(select(CustomerSettings).order_by(CustomerSettings.id)).scalars().first()
    if row is None:
        row = CustomerSettings(version=0)
    return Rule(row.vip_rule, row.vip_value, row.a_limit, row.b_limit, row.version)


def check_rule(kind: str, value: float, a_limit: float, b_limit: float) -> None:
    """ValidationError naming the first value out of its range."""
    if kind not in VIP_RULES:
        raise ValidationError("err.field", column="vip.field.rule", problem="err.choice",
                              options=", ".join(VIP_RULES), value=str(kind)[:40])
    if kind == "fixed":
        if value != int(value) or not 1 <= value <= MAX_FIXED:
            raise ValidationError("vip.err.fixed", value=value, max=MAX_FIXED)
    elif not 0 < value <= 1:
        raise ValidationError("vip.err.share", field=f"vip.rule.{kind}", value=value)
    if not 0 < a_limit < b_limit <= 1:
        raise ValidationError("vip.err.limits", a=a_limit, b=b_limit)


@write_service("customers.edit")
def save_settings(session: Session, *, kind: str, value: float, a_limit: float, b_limit: float,
                  version: int, user: str) -> Rule:
    """Save the rule and the ABC limits; refused if someone saved since
    `version` was read."""
    check_rule(kind, value, a_limit, b_limit)
    row = session.execute(select(CustomerSettings).order_by(CustomerSettings.id)).scalars().first()
    if (row.version if row else 0) != version:
        raise ConflictError("vip.err.settings_conflict", by=row.updated_by if row else "?")
    old = None
    if row is None:
        row = CustomerSettings(created_by=user)
        session.add(row)
    else:
        old = {"vip_rule": row.vip_rule, "vip_value": row.vip_value, "a_limit": row.a_limit, "b_limit": row.b_limit}
        row.version += 1
    row.vip_rule, row.vip_value, row.a_limit, row.b_limit = kind, float(value), float(a_limit), float(b_limit)
    row.updated_by, row.updated_at = user, utcnow()
    session.flush()
    session.add(ChangeLog(user=user, item_type="customersettings", item_id=row.id,
                          action="create" if old is None else "update", old=old,
                          new={"vip_rule": kind, "vip_value": float(value), "a_limit": a_limit, "b_limit": b_limit}))
    session.commit()
    return settings(session)


def picked(result: Pareto, kind: str, value: float) -> np.ndarray:
    """The ids the rule picks from an analysis, ties at the threshold in."""
    n = result.customers
    if n == 0:
        return np.array([], dtype=np.int64)
    if kind == "top_share":
        count = max(1, math.ceil(value * n - 1e-9))
    elif kind == "revenue_share":
        tolerance = result.total * 1e-9
        running = np.cumsum(result.revenue)
        count = min(n, int(np.searchsorted(running, value * result.total - tolerance)) + 1)
    else:
        count = min(n, int(value))
    threshold = result.revenue[count - 1]
    count = int(np.searchsorted(-result.revenue, -threshold, side="right"))  # the ties below it too
    return result.customer_ids[:count]


def rule_vips(session: Session, period: analysis.Period, rule: Rule | None = None, *,
              end_read: bool = True) -> set[int]:
    """The customers the rule picks over the period; `end_read` False keeps
    the transaction, inside a write."""
    rule = rule or (settings(session) if end_read else _settings(session))
    return {int(i) for i in picked(analysis.pareto(session, period, end_read=end_read), rule.kind, rule.value)}


@dataclass(frozen=True)
class Applied:
    added: int
    removed: int
    kept: int
    held_by_hand: int  # customers the rule would change, left as a person decided


@write_service("customers.edit")
def apply_rule(session: Session, *, period: analysis.Period, as_of: date, user: str) -> Applied:
    """Mark as VIP, as of `as_of`, the customers the rule picks over the
    period and unmark the others, except those decided by hand; every
    change is recorded, and the application is logged."""
    rule = _settings(session)
    wanted = rule_vips(session, period, rule, end_read=False)
    current = dict(session.execute(select(Customer.id, Customer.vip_hand).where(Customer.vip)).all())
    hand = dict(session.execute(select(Customer.id, Customer.vip_hand).where(Customer.vip_hand != "")).all())
    add = {i for i in wanted - set(current) if hand.get(i) != "out"}
    remove = {i for i in set(current) - wanted if hand.get(i) != "in"}
    held = len({i for i in wanted - set(current) if hand.get(i) == "out"}) + \
        len({i for i in set(current) - wanted if hand.get(i) == "in"})
    _set_vip(session, add, True)
    _set_vip(session, remove, False)
    changes = [{"customer_id": i, "as_of": as_of, "vip": i in add, "source": "rule", "reason": "", "user": user,
                "at": utcnow()} for i in sorted(add | remove)]
    if changes:
        session.execute(VipChange.__table__.insert(), changes)
    result = Applied(len(add), len(remove), len(set(current) - remove), held)
    session.add(ChangeLog(user=user, item_type="viprule", item_id=0, action="update",
                          new={"as_of": as_of.isoformat(), "from": period.start.isoformat(),
                               "to": period.end.isoformat(), "rule": rule.kind, "value": rule.value,
                               "added": result.added, "removed": result.removed}))
    session.commit()
    return result


def _set_vip(session: Session, ids: set[int], vip: bool) -> None:
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5_000):
        session.execute(update(Customer).where(Customer.id.in_(ordered[start:start + 5_000]))
                        .values(vip=vip, updated_at=utcnow(), version=Customer.version + 1))


@write_service("customers.edit")
def mark_by_hand(session: Session, *, customer_id: int, decision: str, reason: str, as_of: date,
                 user: str, version: int | None = None) -> Customer:
    """`decision` "in" makes the customer a VIP and "out" takes them off,
    both held against the rule; "" lets the rule decide again (the status
    stays until it is next applied). A reason is required for in and out.
    Refused if the customer changed since `version` was read."""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError("err.not_found", item="item.customer", id=customer_id)
    if version is not None and int(version) != customer.version:
        raise ConflictError("vip.err.hand_conflict", by=customer.updated_by or "?")
    if decision not in ("in", "out", ""):
        raise ValidationError("err.field", column="vip.field.decision", problem="err.choice",
                              options="in, out", value=str(decision)[:10])
    try:
        reason = v.text(500)(reason)
    except v.FieldProblem as problem:
        raise v.located(problem, column="vip.field.reason", row=None) from None
    if decision and not reason:
        raise ValidationError("vip.err.reason")
    old = {"vip": customer.vip, "vip_hand": customer.vip_hand}
    customer.vip_hand = decision
    if decision:
        customer.vip = decision == "in"
    customer.version += 1
    customer.updated_by, customer.updated_at = user, utcnow()
    session.add(VipChange(customer_id=customer_id, as_of=as_of, vip=customer.vip, source="hand", reason=reason,
                          user=user))
    session.add(ChangeLog(user=user, item_type="customer", item_id=customer_id, action="update", old=old,
                          new={"vip": customer.vip, "vip_hand": decision, "reason": reason}))
    session.commit()
    return customer


@dataclass(frozen=True)
class Comparison:
    new: list[int]  # VIPs in the second period who were not in the first
    kept: list[int]
    dropped: list[int]  # VIPs of the first period who are not any more: a warning for the team


def compare(session: Session, first: analysis.Period, second: analysis.Period) -> Comparison:
    """Who the rule picks in each period, compared."""
    rule = settings(session)
    before, after = rule_vips(session, first, rule), rule_vips(session, second, rule)
    return Comparison(sorted(after - before), sorted(after & before), sorted(before - after))


@dataclass(frozen=True)
class VipRow:
    customer_id: int
    code: str
    name: str
    segment: str
    source: str  # "rule" or "hand"
    since: date | None
    revenue: float  # baht over the period asked for


def vip_rows(session: Session, period: analysis.Period) -> list[VipRow]:
    """The customers marked VIP now, highest revenue in `period` first."""
    customers = session.execute(select(Customer.id, Customer.code, Customer.name, Customer.segment,
                                       Customer.vip_hand).where(Customer.vip)).all()
    since = dict(session.execute(select(VipChange.customer_id, func.max(VipChange.as_of))
                                 .where(VipChange.vip).group_by(VipChange.customer_id)).all())
    # A join, not a list of ids: a list of every VIP can pass the database's
    # limit on bound parameters.
    revenue = dict(session.execute(
        select(Bill.customer_id, func.sum(Bill.amount_satang)).join(Customer, Customer.id == Bill.customer_id)
        .where(Customer.vip, Bill.day >= period.start, Bill.day <= period.end)
        .group_by(Bill.customer_id)).all()) if customers else {}
    session.rollback()
    rows = [VipRow(c[0], c[1], c[2], c[3], "hand" if c[4] == "in" else "rule", since.get(c[0]),
                   (revenue.get(c[0]) or 0) / 100) for c in customers]
    return sorted(rows, key=lambda r: (-r.revenue, r.code))


def history(session: Session, customer_id: int) -> list[VipChange]:
    found = list(session.execute(select(VipChange).where(VipChange.customer_id == customer_id)
                                 .order_by(VipChange.at.desc(), VipChange.id.desc())).scalars())
    return detached(session, found)
