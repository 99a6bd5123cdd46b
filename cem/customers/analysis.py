"""The 20:80 analysis of the bills in the database: one SUM ... GROUP BY in
the database, then cem.customers.pareto on the totals."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
from sqlalchemy import func, select
from sqlmodel import Session

from cem.core.models import Bill, BillImport, Customer
from cem.customers.pareto import A_LIMIT, B_LIMIT, Pareto, analyse


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    service: str = ""  # one service or product, or all
    segment: str = ""  # one customer group, or all


def data_stamp(session: Session) -> tuple:
    """Changes whenever bills or customers are added, removed or renamed:
    pages cache the analysis by it."""
    # Bills come and go only by whole imports (and move only in a merge,
    # which stamps the customer kept): the small import table tells, where
    # counting a million bills would take a while on every rerun.
    bills = session.execute(select(func.count(BillImport.id), func.max(BillImport.id),
                                   func.max(BillImport.created_at))).one()
    customers = session.execute(select(func.count(Customer.id), func.max(Customer.updated_at))).one()
    session.rollback()
    return (bills[0], bills[1], str(bills[2]), customers[0], str(customers[1]))


def bill_range(session: Session) -> tuple[date, date] | None:
    """The first and the last day with a bill, or None without bills."""
    first, last = session.execute(select(func.min(Bill.day), func.max(Bill.day))).one()
    session.rollback()
    return (first, last) if first is not None else None


def choices(session: Session) -> tuple[list[str], list[str]]:
    """The services and the customer groups that occur, sorted."""
    services = session.execute(select(Bill.service).where(Bill.service != "").distinct()).scalars().all()
    segments = session.execute(select(Customer.segment).where(Customer.segment != "").distinct()).scalars().all()
    session.rollback()
    return sorted(services), sorted(segments)


def revenue_per_customer(session: Session, period: Period, *, end_read: bool = True
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Customer ids and their totals in baht over the period. Inside a write,
    `end_read` False keeps the transaction (a rollback would end the write)."""
    query = (select(Bill.customer_id, func.sum(Bill.amount_satang))
             .where(Bill.day >= period.start, Bill.day <= period.end).group_by(Bill.customer_id))
    if period.service:
        query = query.where(Bill.service == period.service)
    if period.segment:
        query = query.join(Customer, Customer.id == Bill.customer_id).where(Customer.segment == period.segment)
    rows = session.execute(query).all()
    if end_read:
        session.rollback()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    satang = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
    return ids, satang / 100


def pareto(session: Session, period: Period, *, a_limit: float = A_LIMIT, b_limit: float = B_LIMIT,
           end_read: bool = True) -> Pareto:
    ids, revenue = revenue_per_customer(session, period, end_read=end_read)
    return analyse(ids, revenue, a_limit=a_limit, b_limit=b_limit)


def customer_names(session: Session, ids) -> dict[int, tuple[str, str, str]]:
    """(code, name, segment) of each customer id."""
    found: dict[int, tuple[str, str, str]] = {}
    ordered = [int(i) for i in ids]
    for start in range(0, len(ordered), 5_000):
        chunk = ordered[start:start + 5_000]
        for row in session.execute(select(Customer.id, Customer.code, Customer.name, Customer.segment)
                                   .where(Customer.id.in_(chunk))):
            found[row[0]] = (row[1], row[2], row[3])
    session.rollback()
    return found


def find_customers(session: Session, text: str, *, limit: int = 50) -> list[tuple[int, str, str]]:
    """(id, code, name) of customers whose code or name holds `text`, by code."""
    query = select(Customer.id, Customer.code, Customer.name).order_by(Customer.code).limit(limit)
    text = text.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Customer.code.ilike(pattern, escape="\\") | Customer.name.ilike(pattern, escape="\\"))
    found = [(r[0], r[1], r[2]) for r in session.execute(query)]
    session.rollback()
    return found
