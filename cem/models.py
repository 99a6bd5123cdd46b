"""Every table in one place.

Each row keeps when and by whom it was created and last changed, and a
version number that is raised on every change so that a later edit based on
an older version can be detected and refused.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import JSON, Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

ROLES = ("admin", "lead", "editor", "viewer")
PHASES = ("before", "during", "after")  # ก่อน / ขณะ / หลังให้บริการ
MEASURE_KINDS = ("prevention", "fix")
PAIN_STATUSES = ("open", "resolved")
QUALITIES = ("easy", "convenient", "fast", "correct")  # ง่าย สะดวก รวดเร็ว ถูกต้อง
EMOTION_MIN, EMOTION_MAX = -2, 2
SEVERITY_MIN, SEVERITY_MAX = 1, 5
RATING_MIN, RATING_MAX = 1, 5


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parent_fk(target: str) -> Column:
    """A required foreign key whose rows go when the parent goes."""
    return Column(Integer, ForeignKey(f"{target}.id", ondelete="CASCADE"), nullable=False, index=True)


class Audited(SQLModel):
    created_at: datetime = Field(default_factory=utcnow)
    created_by: str = Field(default="", max_length=100)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: str = Field(default="", max_length=100)
    version: int = Field(default=1)


class Journey(Audited, table=True):
    """One customer life cycle, for one service or customer group."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    # Raised by every change anywhere in the journey's map: pages cache what
    # they draw by it, and open pages poll it to see others' changes.
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})


class Binnable(SQLModel):
    """A row that goes to the bin when deleted and can be restored from it
    with everything under it (its children are never touched)."""

    deleted_at: datetime | None = Field(default=None, index=True)
    deleted_by: str = Field(default="", max_length=100)


class Stage(Audited, Binnable, table=True):
    """A main stage (ขั้นตอนหลัก) of the life cycle."""

    id: int | None = Field(default=None, primary_key=True)
    journey_id: int = Field(sa_column=parent_fk("journey"))
    position: int = Field(default=0)
    name: str = Field(max_length=200)
    description: str = Field(default="", max_length=2000)
    phase: str = Field(default="", max_length=10)  # one of PHASES or ""


class Step(Audited, Binnable, table=True):
    """A sub-step (ขั้นตอนย่อย) of a stage: one service touchpoint."""

    id: int | None = Field(default=None, primary_key=True)
    stage_id: int = Field(sa_column=parent_fk("stage"))
    position: int = Field(default=0)
    name: str = Field(max_length=200)
    touchpoint: str = Field(default="", max_length=200)
    emotion_now: int | None = Field(default=None)
    emotion_target: int | None = Field(default=None)
    easy: int | None = Field(default=None)
    convenient: int | None = Field(default=None)
    fast: int | None = Field(default=None)
    correct: int | None = Field(default=None)


class PainPoint(Audited, table=True):
    """A problem seen from the customer's point of view."""

    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(sa_column=parent_fk("step"))
    position: int = Field(default=0)
    text: str = Field(max_length=2000)
    severity: int = Field(default=3)
    status: str = Field(default="open", max_length=10)


class Measure(Audited, table=True):
    """A way to prevent or fix one pain point."""

    id: int | None = Field(default=None, primary_key=True)
    pain_point_id: int = Field(sa_column=parent_fk("painpoint"))
    position: int = Field(default=0)
    kind: str = Field(default="fix", max_length=12)
    text: str = Field(max_length=2000)


class Idea(Audited, table=True):
    """A new service idea that would delight the customer at a sub-step."""

    id: int | None = Field(default=None, primary_key=True)
    step_id: int = Field(sa_column=parent_fk("step"))
    position: int = Field(default=0)
    text: str = Field(max_length=2000)


class AppUser(Audited, table=True):
    """A person who can sign in. Local accounts have an Argon2id password
    hash; accounts from OpenID Connect have none and are found by e-mail."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, unique=True, index=True)
    display_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=200, index=True)
    role: str = Field(default="viewer", max_length=10)  # one of ROLES
    password_hash: str = Field(default="", max_length=300)
    active: bool = Field(default=True)
    failed_logins: int = Field(default=0)
    locked_until: datetime | None = Field(default=None)
    last_login_at: datetime | None = Field(default=None)


class ChangeLog(SQLModel, table=True):
    """One change: who, when, what, with old and new values. Kept when the
    item itself is deleted, so history and the activity feed survive."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user: str = Field(max_length=100)
    journey_id: int | None = Field(default=None, index=True)
    stage_id: int | None = Field(default=None, index=True)  # the stage the item is in (or is)
    step_id: int | None = Field(default=None, index=True)  # the sub-step the item is in (or is)
    item_type: str = Field(max_length=20)  # table name
    item_id: int = Field(index=True)
    action: str = Field(max_length=10)  # create, update, delete, restore
    old: dict | None = Field(default=None, sa_column=Column(JSON))
    new: dict | None = Field(default=None, sa_column=Column(JSON))
