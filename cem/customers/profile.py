"""A customer's profile: who they are, their key contacts, how they like to
be served, the services they use steadily, their revenue by month and their
ABC class year by year; merging two records of one customer.

Personal data (Thailand's PDPA): a contact's office phone, mobile, e-mail
and LINE ID are read in full only by administrators, leads and the
customer's relationship owner (`may_see_contacts`); everyone else gets the
contact without them. The change log never holds those values, only which
fields changed, so erasing a contact leaves no copy behind.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select, update
from sqlmodel import Session

from cem.core import months
from cem.core import validation as v
from cem.core.auth import find_user
from cem.core.reads import detached
from cem.core.errors import ConflictError, NotFoundError, ValidationError
from cem.core.models import (CONTACT_CHANNELS, CUSTOMER_KINDS, Bill, CareAction, ChangeLog, Complaint, Contact,
                             Customer, Feedback, Person, VipChange, utcnow)
from cem.customers import vip
from cem.customers.pareto import analyse
from cem.journey.services import write_service

PERSONAL = ("office_phone", "mobile", "email", "line_id")
# One @, something before it, and a domain with a dot after it; no spaces.
EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def email_address(max_len: int):
    """An e-mail address, or empty; anything else is refused, naming the field."""
    as_text = v.text(max_len)

    def check(value) -> str:
        cleaned = as_text(value)
        if cleaned and not EMAIL.match(cleaned):
            raise v.FieldProblem("contact.err.email", value=cleaned[:60])
        return cleaned

    return check


CONTACT_FIELDS = [
    v.FieldSpec("name", "contact.field.name", v.text(200, required=True)),
    v.FieldSpec("position", "contact.field.position", v.text(200)),
    v.FieldSpec("office_phone", "contact.field.office_phone", v.text(50)),
    v.FieldSpec("mobile", "contact.field.mobile", v.text(50)),
    v.FieldSpec("email", "contact.field.email", email_address(200)),
    v.FieldSpec("line_id", "contact.field.line_id", v.text(100)),
    v.FieldSpec("channel", "contact.field.channel", v.choice(("", *CONTACT_CHANNELS), default="")),
    v.FieldSpec("contact_time", "contact.field.contact_time", v.text(100)),
    v.FieldSpec("notes", "contact.field.notes", v.text(1000)),
]
CUSTOMER_FIELDS = [
    v.FieldSpec("name", "profile.field.name", v.text(200, required=True)),
    v.FieldSpec("kind", "profile.field.kind", v.choice(CUSTOMER_KINDS, default="organisation")),
    v.FieldSpec("segment", "profile.field.segment", v.text(100)),
    v.FieldSpec("notes", "profile.field.notes", v.text(2000)),
    v.FieldSpec("service_style", "profile.field.service_style", v.text(2000)),
    v.FieldSpec("service_tags", "profile.field.service_tags", v.text(500)),
]


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFoundError("err.not_found", item="item.customer", id=customer_id)
    return customer


def _version(item, version: int | None, item_key: str) -> None:
    if version is not None and int(version) != item.version:
        raise ConflictError("profile.err.conflict", item=item_key, by=item.updated_by or "?")


def may_see_contacts(session: Session, *, user: str | None, customer_id: int | None = None) -> bool:
    """Whether `user` may read contacts' phones, e-mails and LINE IDs (of
    `customer_id`'s contacts, for a relationship owner)."""
    if user is None:
        return True
    account = find_user(session, user)
    if account is None or not account.active:
        return False
    if account.role in ("admin", "lead"):
        return True
    if customer_id is None:
        return False
    owner = session.execute(select(Person.username).join(Customer, Customer.owner_id == Person.id)
                            .where(Customer.id == customer_id)).scalar_one_or_none()
    return bool(owner) and owner == account.username


# ---------------------------------------------------------------- the customer


def get_customer(session: Session, customer_id: int) -> Customer:
    return detached(session, _customer(session, customer_id))


@write_service("customers.edit")
def update_customer(session: Session, *, customer_id: int, values: dict, owner_id: int | None,
                    version: int | None, user: str) -> Customer:
    """The profile's own fields; the code stays as finance writes it."""
    customer = _customer(session, customer_id)
    _version(customer, version, "item.customer")
    clean = v.clean_row(values, CUSTOMER_FIELDS, partial=True)
    if "service_tags" in clean:
        clean["service_tags"] = "; ".join(tag for tag in (t.strip() for t in clean["service_tags"].split(";")) if tag)
    if owner_id is not None and session.get(Person, owner_id) is None:
        raise NotFoundError("err.not_found", item="item.person", id=owner_id)
    old = {name: getattr(customer, name) for name in (*clean, "owner_id")}
    for name, value in clean.items():
        setattr(customer, name, value)
    customer.owner_id = owner_id
    _stamp(customer, user)
    session.add(ChangeLog(user=user, item_type="customer", item_id=customer.id, action="update", old=old,
                          new={name: getattr(customer, name) for name in old}))
    session.commit()
    return customer


def _stamp(item, user: str) -> None:
    item.version += 1
    item.updated_by, item.updated_at = user, utcnow()


# ---------------------------------------------------------------- contacts


def contacts(session: Session, customer_id: int, *, user: str | None) -> list[Contact]:
    """The customer's contacts, decision makers first; without phones,
    e-mails and LINE IDs unless `user` may see them. Detached copies."""
    found = list(session.execute(select(Contact).where(Contact.customer_id == customer_id)
                                 .order_by(Contact.decision_maker.desc(), Contact.name, Contact.id)).scalars())
    full = may_see_contacts(session, user=user, customer_id=customer_id)
    detached(session, found)
    return found if full else [_without_personal(c) for c in found]


def _without_personal(contact: Contact) -> Contact:
    copy = Contact(**{k: getattr(contact, k) for k in Contact.model_fields})
    for name in PERSONAL:
        setattr(copy, name, "")
    return copy


@write_service("customers.edit")
def save_contact(session: Session, *, customer_id: int, values: dict, decision_maker: bool,
                 contact_id: int | None = None, version: int | None = None, user: str) -> Contact:
    """Add a contact (no `contact_id`) or change one; logged by field names only."""
    _customer(session, customer_id)
    clean = v.clean_row(values, CONTACT_FIELDS)
    if contact_id is None:
        contact = Contact(customer_id=customer_id, created_by=user, updated_by=user, **clean,
                          decision_maker=bool(decision_maker))
        session.add(contact)
        session.flush()
        changed = sorted(name for name, value in clean.items() if value) + ["decision_maker"] * bool(decision_maker)
        action = "create"
    else:
        contact = session.get(Contact, contact_id)
        if contact is None or contact.customer_id != customer_id or contact.erased_at is not None:
            raise NotFoundError("err.not_found", item="item.contact", id=contact_id)
        _version(contact, version, "item.contact")
        changed = [name for name, value in clean.items() if getattr(contact, name) != value]
        if contact.decision_maker != bool(decision_maker):
            changed.append("decision_maker")
        for name, value in clean.items():
            setattr(contact, name, value)
        contact.decision_maker = bool(decision_maker)
        _stamp(contact, user)
        action = "update"
    session.add(ChangeLog(user=user, item_type="contact", item_id=contact.id, action=action,
                          new={"customer_id": customer_id, "fields": changed}))
    session.commit()
    return contact


@write_service("customers.edit")
def erase_contact(session: Session, *, contact_id: int, user: str) -> None:
    """Erase a contact on request: every value goes, the row stays as
    "erased" so that the history reads right, and no log keeps a copy."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError("err.not_found", item="item.contact", id=contact_id)
    for spec in CONTACT_FIELDS:
        setattr(contact, spec.name, "")
    contact.decision_maker = False
    contact.erased_at = utcnow()
    _stamp(contact, user)
    # Older entries name only fields, never values; clear them all the same.
    session.execute(update(ChangeLog).where(ChangeLog.item_type == "contact", ChangeLog.item_id == contact_id)
                    .values(old=None, new=None))
    session.add(ChangeLog(user=user, item_type="contact", item_id=contact_id, action="delete",
                          new={"erased": True}))
    session.commit()


@write_service("customers.edit")
def log_contacts_export(session: Session, *, what: str, customers: int, user: str) -> None:
    """An export that holds contacts' personal data: who, when, what."""
    session.add(ChangeLog(user=user, item_type="export", item_id=0, action="export",
                          new={"what": what, "customers": customers, "fields": list(PERSONAL)}))
    session.commit()


# ---------------------------------------------------------------- from the bills


@dataclass(frozen=True)
class ServiceUse:
    service: str
    months: list[str]  # the months of the last 12 with a bill for it
    revenue: float  # baht over those 12 months

    @property
    def steady(self) -> bool:
        """Used in at least 9 of the last 12 months."""
        return len(self.months) >= 9


def last_12_months(today: date) -> tuple[str, str]:
    last = months.of(today)
    return months.add(last, -11), last


def services_used(session: Session, customer_id: int, *, today: date) -> list[ServiceUse]:
    """Each service or product billed in the last 12 months (counting this
    one), with its months, most months first."""
    first, last = last_12_months(today)
    rows = session.execute(
        select(Bill.service, Bill.day, Bill.amount_satang)
        .where(Bill.customer_id == customer_id, Bill.day >= months.first_day(first),
               Bill.day <= months.last_day(last))).all()
    session.rollback()
    used: dict[str, set[str]] = defaultdict(set)
    revenue: dict[str, int] = defaultdict(int)
    for service, day, satang in rows:
        used[service or ""].add(months.of(day))
        revenue[service or ""] += satang
    found = [ServiceUse(s, sorted(m), revenue[s] / 100) for s, m in used.items()]
    return sorted(found, key=lambda u: (-len(u.months), -u.revenue, u.service))


def revenue_by_month(session: Session, customer_id: int, *, today: date, count: int = 24) -> list[tuple[str, float]]:
    """Baht billed in each of the last `count` months, oldest first (0 for a month without bills)."""
    first = months.add(months.of(today), -(count - 1))
    rows = session.execute(select(Bill.day, Bill.amount_satang).where(
        Bill.customer_id == customer_id, Bill.day >= months.first_day(first))).all()
    session.rollback()
    totals: dict[str, int] = defaultdict(int)
    for day, satang in rows:
        totals[months.of(day)] += satang
    return [(m, totals.get(m, 0) / 100) for m in months.between(first, months.of(today))]


def classes_by_year(session: Session, *, years: list[int]) -> dict[int, dict[int, str]]:
    """Every customer's ABC class in each calendar year, among every
    customer's revenue that year (customers without a positive total are
    left out): one query per year, for all the profiles at once."""
    rule = vip.settings(session)
    found = {}
    for year in years:
        rows = session.execute(select(Bill.customer_id, func.sum(Bill.amount_satang))
                               .where(Bill.day >= date(year, 1, 1), Bill.day <= date(year, 12, 31))
                               .group_by(Bill.customer_id)).all()
        result = analyse([r[0] for r in rows], [int(r[1]) / 100 for r in rows], a_limit=rule.a_limit,
                         b_limit=rule.b_limit)
        found[year] = {int(c): str(k) for c, k in zip(result.customer_ids, result.classes)}
    session.rollback()
    return found


def class_history(session: Session, customer_id: int, *, years: list[int]) -> list[tuple[int, str]]:
    """The customer's ABC class in each calendar year ("" in a year without
    a positive total)."""
    classes = classes_by_year(session, years=years)
    return [(year, classes[year].get(customer_id, "")) for year in years]


# ---------------------------------------------------------------- merging


MERGE_FILLS = ("segment", "owner_id", "service_style", "service_tags")


# Every table that points at a customer, with the name its count is given
# under (tests/test_profile.py checks that none is missing).
MERGED = ((Bill, "bills"), (Contact, "contacts"), (Complaint, "complaints"), (CareAction, "care"),
          (VipChange, "vip_changes"), (Feedback, "feedback"))


@write_service("customers.edit")
def merge_customers(session: Session, *, keep_id: int, merge_id: int, user: str) -> dict[str, int]:
    """Move `merge_id`'s bills, contacts, complaints, care actions, VIP
    history and feedback to `keep_id`, then remove `merge_id`; logged. How
    many of each moved."""
    if keep_id == merge_id:
        raise ValidationError("profile.err.merge_same")
    keep, merged = _customer(session, keep_id), _customer(session, merge_id)
    moved = {}
    for model, name in MERGED:
        moved[name] = session.execute(update(model).where(model.customer_id == merge_id)
                                      .values(customer_id=keep_id)).rowcount
    # What the kept record says stands; what only the duplicate knew fills
    # its empty fields, so nothing the team wrote on either is lost.
    for name in MERGE_FILLS:
        if not getattr(keep, name) and getattr(merged, name):
            setattr(keep, name, getattr(merged, name))
    # A decision by hand on the record kept stands; else the duplicate's
    # passes over with it, so the next application of the rule keeps it.
    if not keep.vip_hand:
        keep.vip_hand = merged.vip_hand
    keep.vip = keep.vip_hand == "in" or (keep.vip_hand != "out" and (keep.vip or merged.vip))
    keep.notes = "\n".join(part for part in (keep.notes, merged.notes) if part)[:2000]
    _stamp(keep, user)
    session.add(ChangeLog(user=user, item_type="customer", item_id=keep_id, action="merge",
                          old={"merged_code": merged.code, "merged_name": merged.name, "merged_id": merge_id},
                          new=moved))
    session.execute(delete(Customer).where(Customer.id == merge_id))
    session.commit()
    return moved
