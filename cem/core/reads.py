"""Plain rows for showing: a named tuple with a table's columns, so that a
page reads `step.name` as it would from the ORM object, without the cost of
building thousands of ORM objects after every change (keep the ORM for
writes)."""
from __future__ import annotations

from collections import namedtuple


def read_type(model) -> tuple[type, list]:
    """A named tuple type with the model's columns as fields, and the columns
    to select for it."""
    columns = list(model.__table__.columns)
    base = namedtuple(f"{model.__name__}Read", [c.name for c in columns])
    # model_dump() as on the model, for code that takes either.
    kind = type(base.__name__, (base,), {"__slots__": (), "model_dump": lambda self: dict(self._asdict())})
    return kind, columns


def detached(session, items):
    """ORM objects read for showing, kept readable after the read ends:
    taken out of the session, then its transaction ended."""
    session.expunge_all()
    session.rollback()
    return items
