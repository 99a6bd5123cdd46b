"""Every table in one place.

Each row keeps when and by whom it was created and last changed, and a
version number that is raised on every change so that a later edit based on
an older version can be detected and refused.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Integer, UniqueConstraint, false
from sqlmodel import Field, SQLModel

ROLES = ("admin", "lead", "editor", "viewer")
TASK_STATUSES = ("open", "in_progress", "done", "cancelled")
TEAM_ROLES = ("lead", "secretary", "member")  # หัวหน้าโครงการ CEM, เลขานุการของทีม, สมาชิก
PHASES = ("before", "during", "after")  # ก่อน / ขณะ / หลังให้บริการ
MEASURE_KINDS = ("prevention", "fix")
PAIN_STATUSES = ("open", "resolved")
QUALITIES = ("easy", "convenient", "fast", "correct")  # ง่าย สะดวก รวดเร็ว ถูกต้อง
EMOTION_MIN, EMOTION_MAX = -2, 2
SEVERITY_MIN, SEVERITY_MAX = 1, 5
RATING_MIN, RATING_MAX = 1, 5
VIP_RULES = ("top_share", "revenue_share", "fixed")  # top 20 % of customers, 80 % of revenue, a fixed number
VIP_SOURCES = ("rule", "hand")
CUSTOMER_KINDS = ("organisation", "person")
CONTACT_CHANNELS = ("phone", "mobile", "email", "line", "visit")
COMPLAINT_CHANNELS = ("phone", "email", "line", "walk_in", "visit", "social", "letter", "other")
COMPLAINT_STATUSES = ("open", "in_progress", "resolved", "closed")
CARE_KINDS = ("visit", "call", "surprise")
# Voice of the customer (เสียงของลูกค้า). A complaint is kept as a Complaint
# and counts as one voice of kind "complaint": never copied into Feedback.
VOICE_KINDS = ("survey", "complaint", "review", "suggestion", "word_of_mouth")
FEEDBACK_KINDS = tuple(kind for kind in VOICE_KINDS if kind != "complaint")
SENTIMENTS = ("positive", "neutral", "negative")
KB_STATES = ("draft", "published")
# Measures at four levels (seed 003): ตัววัดระดับองค์การ, ระดับกลยุทธ์ทางด้านลูกค้า,
# การดำเนินงานและกระบวนการ, ปัจจัยนำเข้า.
INDICATOR_LEVELS = ("organisation", "strategy", "operations", "inputs")
DIRECTIONS = ("up", "down")  # higher or lower is better
EFFORT_MIN, EFFORT_MAX = 1, 5  # the team's estimate; impact is on the same scale
# Days to resolve a complaint, by severity (5: the most serious).
DEFAULT_SLA_DAYS = {"1": 30, "2": 14, "3": 7, "4": 3, "5": 1}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def parent_fk(target: str) -> Column:
    """A required foreign key whose rows go when the parent goes."""
    return Column(Integer, ForeignKey(f"{target}.id", ondelete="CASCADE"), nullable=False, index=True)


def optional_fk(target: str) -> Column:
    """A link that is emptied when the row it points to goes."""
    return Column(Integer, ForeignKey(f"{target}.id", ondelete="SET NULL"), nullable=True, index=True)


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
    # The monthly progress tiers the team commits to, largest first.
    tiers: str = Field(default="30,20,10", max_length=50, sa_column_kwargs={"server_default": "30,20,10"})


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
    resolved_at: datetime | None = Field(default=None)  # set when status becomes resolved
    effort: int | None = Field(default=None)  # EFFORT_MIN..EFFORT_MAX, the team's estimate
    impact_by_hand: int | None = Field(default=None)  # overrides the computed impact (cem.improvement.priorities)


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
    effort: int | None = Field(default=None)
    impact_by_hand: int | None = Field(default=None)


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
    last_login_at: datetime | None = Field(default=None)


class SignInAttempt(SQLModel, table=True):
    """One try to sign in with a password, kept for a while to hold back
    guessing (see cem.core.auth.check_throttle). `username` is what was typed,
    whether an account has it or not; `client` is the browser's address."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    username: str = Field(max_length=100, index=True)
    client: str = Field(default="", max_length=100)
    outcome: str = Field(max_length=10)  # ok, wrong, held (refused unchecked while held back)


class SignInSession(SQLModel, table=True):
    """A signed-in browser: its cookie carries a random id of which only
    the SHA-256 is kept here. Deleting the row signs that browser out."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=100, index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    # A one-time code the page hands to the browser to fetch its cookie with.
    handoff_hash: str | None = Field(default=None, max_length=64, unique=True)
    handoff_until: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime = Field(index=True)
    client: str = Field(default="", max_length=100)


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


# ---------------------------------------------------------------- the improvement plan


class Person(Audited, table=True):
    """Someone in the people directory: a task owner, a meeting attendee.
    `username` links the person to their sign-in account (for "my tasks")."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    department: str = Field(default="", max_length=200)  # ส่วนงาน
    phone: str = Field(default="", max_length=50)  # เบอร์ติดต่อ
    email: str = Field(default="", max_length=200)
    username: str = Field(default="", max_length=100, index=True)
    active: bool = Field(default=True)


class JourneyMember(Audited, table=True):
    """A person's part in one journey's CEM team."""

    id: int | None = Field(default=None, primary_key=True)
    journey_id: int = Field(sa_column=parent_fk("journey"))
    person_id: int = Field(sa_column=parent_fk("person"))
    role: str = Field(default="member", max_length=10)  # one of TEAM_ROLES


class Task(Audited, Binnable, table=True):
    """An improvement to carry out, at a sub-step, often made from a
    prevention or fix measure or a new idea on the map."""

    id: int | None = Field(default=None, primary_key=True)
    journey_id: int = Field(sa_column=parent_fk("journey"))
    step_id: int = Field(sa_column=parent_fk("step"))
    measure_id: int | None = Field(default=None, sa_column=optional_fk("measure"))
    idea_id: int | None = Field(default=None, sa_column=optional_fk("idea"))
    title: str = Field(max_length=2000)
    description: str = Field(default="", max_length=2000)
    owner_id: int | None = Field(default=None, sa_column=optional_fk("person"))
    start_month: str = Field(max_length=7)  # "YYYY-MM"
    due_month: str = Field(max_length=7)
    status: str = Field(default="open", max_length=12)  # one of TASK_STATUSES


class Commitment(Audited, table=True):
    """A task's progress commitment for one month: one of the tiers."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=parent_fk("task"))
    month: str = Field(max_length=7, index=True)
    tier: int


class Meeting(Audited, table=True):
    """A team meeting as the secretary recorded it."""

    id: int | None = Field(default=None, primary_key=True)
    journey_id: int = Field(sa_column=parent_fk("journey"))
    held_on: date
    title: str = Field(default="", max_length=200)
    agenda: str = Field(default="", max_length=5000)
    notes: str = Field(default="", max_length=10000)
    decisions: str = Field(default="", max_length=5000)


class MeetingAttendee(SQLModel, table=True):
    meeting_id: int = Field(sa_column=Column(Integer, ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True))
    person_id: int = Field(sa_column=Column(Integer, ForeignKey("person.id", ondelete="CASCADE"), primary_key=True))


class CheckIn(Audited, table=True):
    """A task's real, cumulative progress as recorded for a month. Every
    check-in is kept; the last one of a month is that month's figure."""

    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(sa_column=parent_fk("task"))
    month: str = Field(max_length=7, index=True)
    progress: int  # 0-100, cumulative
    note: str = Field(default="", max_length=2000)
    meeting_id: int | None = Field(default=None, sa_column=optional_fk("meeting"))
    # Why the task is behind its commitment, as said in the meeting or at the check-in.
    behind_reason: str = Field(default="", max_length=2000)
    # The owner who reported the figure, when someone else (the secretary) recorded it.
    reported_by_id: int | None = Field(default=None, sa_column=optional_fk("person"))


# ---------------------------------------------------------------- customers and their bills


class BillImport(Audited, table=True):
    """One billing file imported: its bills go with it when it is undone,
    and so do the customers it created that nothing else uses."""

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(default="", max_length=200)
    rows_read: int = Field(default=0)
    bills_added: int = Field(default=0)
    bills_skipped: int = Field(default=0)  # already imported before
    customers_added: int = Field(default=0)
    total_satang: int = Field(default=0, sa_type=BigInteger)  # of the bills added


class Customer(Audited, table=True):
    """A customer as finance knows them: `code` exactly as finance writes it,
    leading zeros kept."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=50, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(default="organisation", max_length=12)  # one of CUSTOMER_KINDS
    segment: str = Field(default="", max_length=100, index=True)  # group or segment
    owner_id: int | None = Field(default=None, sa_column=optional_fk("person"))  # the relationship owner
    notes: str = Field(default="", max_length=2000)
    created_by_import_id: int | None = Field(default=None, sa_column=optional_fk("billimport"))
    vip: bool = Field(default=False, index=True, sa_column_kwargs={"server_default": false()})
    # "in" or "out" when a person decided by hand: applying the rule leaves
    # the customer as they decided; "" lets the rule decide.
    vip_hand: str = Field(default="", max_length=3, sa_column_kwargs={"server_default": ""})
    # How they like to be served: free text, and a few tags ("; " between).
    service_style: str = Field(default="", max_length=2000, sa_column_kwargs={"server_default": ""})
    service_tags: str = Field(default="", max_length=500, sa_column_kwargs={"server_default": ""})


class Bill(SQLModel, table=True):
    """One line of billing: an amount on a day, in satang (1/100 baht) so
    that sums are exact; negative for a credit note. `key` makes a second
    import of the same line a no-op: the bill number, or a fingerprint of
    the line where there is none."""

    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(sa_column=parent_fk("billimport"))
    customer_id: int = Field(sa_column=parent_fk("customer"))
    day: date = Field(index=True)
    amount_satang: int = Field(sa_type=BigInteger)
    number: str = Field(default="", max_length=100)  # bill or invoice number
    service: str = Field(default="", max_length=200, index=True)  # service or product
    quantity: float | None = Field(default=None)
    key: str = Field(max_length=120, unique=True)


class ImportMapping(Audited, table=True):
    """How the columns of a billing file were read, remembered by its
    headings for the next file that has the same ones."""

    id: int | None = Field(default=None, primary_key=True)
    headings_key: str = Field(max_length=64, unique=True)  # SHA-256 of the folded headings
    mapping: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # field: heading
    date_order: str = Field(default="", max_length=3)  # dmy or mdy; empty: not asked


class CustomerSettings(Audited, table=True):
    """The workspace's choices for its customers: one row. The VIP rule is
    `vip_rule` with `vip_value` (the share of customers for top_share, the
    share of revenue for revenue_share, the number for fixed); the ABC class
    limits are shares of revenue."""

    id: int | None = Field(default=None, primary_key=True)
    vip_rule: str = Field(default="top_share", max_length=20)  # one of VIP_RULES
    vip_value: float = Field(default=0.2)
    a_limit: float = Field(default=0.8)
    b_limit: float = Field(default=0.95)
    sla_days: dict = Field(default_factory=lambda: dict(DEFAULT_SLA_DAYS),
                           sa_column=Column(JSON, nullable=False, server_default="{}"))


class VipChange(SQLModel, table=True):
    """A customer marked or unmarked as VIP, as of a day: by applying the
    rule, or by hand with a reason."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=parent_fk("customer"))
    as_of: date
    vip: bool
    source: str = Field(max_length=10)  # one of VIP_SOURCES
    reason: str = Field(default="", max_length=500)
    user: str = Field(default="", max_length=100)
    at: datetime = Field(default_factory=utcnow)


class Contact(Audited, table=True):
    """A key person at a customer. Phones, e-mail and LINE ID are personal
    data (Thailand's PDPA): see cem.customers.profile for who may read
    them; an erased contact keeps no values and `erased_at` says when."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=parent_fk("customer"))
    name: str = Field(default="", max_length=200)
    position: str = Field(default="", max_length=200)
    office_phone: str = Field(default="", max_length=50)
    mobile: str = Field(default="", max_length=50)
    email: str = Field(default="", max_length=200)
    line_id: str = Field(default="", max_length=100)
    decision_maker: bool = Field(default=False)  # ผู้มีอำนาจตัดสินใจ
    channel: str = Field(default="", max_length=10)  # preferred: one of CONTACT_CHANNELS, or ""
    contact_time: str = Field(default="", max_length=100)  # when they like to be contacted
    notes: str = Field(default="", max_length=1000)
    erased_at: datetime | None = Field(default=None)


class Complaint(Audited, table=True):
    """A complaint (ข้อร้องเรียน) in the customer's words, where on the
    journey it happened, and how it was handled. `due` follows the SLA for
    its severity."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, sa_column=optional_fk("customer"))  # none for a walk-in
    received: date
    channel: str = Field(default="phone", max_length=10)  # one of COMPLAINT_CHANNELS
    text: str = Field(max_length=2000)
    severity: int = Field(default=3)  # SEVERITY_MIN..SEVERITY_MAX, 5 the most serious
    journey_id: int | None = Field(default=None, sa_column=optional_fk("journey"))
    step_id: int | None = Field(default=None, sa_column=optional_fk("step"))
    pain_point_id: int | None = Field(default=None, sa_column=optional_fk("painpoint"))
    owner_id: int | None = Field(default=None, sa_column=optional_fk("person"))
    status: str = Field(default="open", max_length=12)  # one of COMPLAINT_STATUSES
    resolution: str = Field(default="", max_length=2000)
    resolved_on: date | None = Field(default=None)
    due: date
    kb_question_id: int | None = Field(default=None, sa_column=optional_fk("kbquestion"))  # the question it asks


class CareAction(Audited, table=True):
    """A visit, a call or a pleasant surprise planned for a customer in a
    month, then recorded as done; it may be followed as a task of the plan."""

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(sa_column=parent_fk("customer"))
    month: str = Field(max_length=7, index=True)  # YYYY-MM
    day: date | None = Field(default=None)
    kind: str = Field(default="visit", max_length=10)  # one of CARE_KINDS
    person_id: int | None = Field(default=None, sa_column=optional_fk("person"))
    note: str = Field(default="", max_length=500)
    done_on: date | None = Field(default=None)
    task_id: int | None = Field(default=None, sa_column=optional_fk("task"))


# ---------------------------------------------------------------- voice of the customer


class FeedbackImport(Audited, table=True):
    """A survey or review export read in one go; undoing it removes its items."""

    id: int | None = Field(default=None, primary_key=True)
    file_name: str = Field(default="", max_length=200)
    rows_read: int = Field(default=0)
    items_added: int = Field(default=0)
    items_skipped: int = Field(default=0)  # already imported before


class Feedback(Audited, table=True):
    """One thing a customer said (not a complaint: see VOICE_KINDS), in
    their words, where on the journey it belongs, with the scores they
    gave. `sentiment` follows the scores unless a person set it
    (`sentiment_by_hand`). `key` makes a second import of the same answer a
    no-op."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="survey", max_length=14)  # one of FEEDBACK_KINDS
    sentiment: str = Field(default="neutral", max_length=8)  # one of SENTIMENTS
    sentiment_by_hand: bool = Field(default=False)
    channel: str = Field(default="", max_length=100)  # where it came from: Google Forms, LINE, a review site
    received: date = Field(index=True)
    customer_id: int | None = Field(default=None, sa_column=optional_fk("customer"))
    journey_id: int | None = Field(default=None, sa_column=optional_fk("journey"))
    stage_id: int | None = Field(default=None, sa_column=optional_fk("stage"))
    step_id: int | None = Field(default=None, sa_column=optional_fk("step"))
    text: str = Field(default="", max_length=4000)
    nps: int | None = Field(default=None)  # 0-10
    csat: int | None = Field(default=None)  # 1-5
    ces: int | None = Field(default=None)  # 1-7
    pain_point_id: int | None = Field(default=None, sa_column=optional_fk("painpoint"))  # evidence for it
    kb_question_id: int | None = Field(default=None, sa_column=optional_fk("kbquestion"))  # the question it asks
    import_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("feedbackimport.id", ondelete="CASCADE"), nullable=True, index=True))
    key: str | None = Field(default=None, max_length=64, unique=True)


class FollowUp(Audited, table=True):
    """A reply owed to the customer behind a feedback item or a complaint."""

    id: int | None = Field(default=None, primary_key=True)
    feedback_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("feedback.id", ondelete="CASCADE"), nullable=True, index=True))
    complaint_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("complaint.id", ondelete="CASCADE"), nullable=True, index=True))
    owner_id: int | None = Field(default=None, sa_column=optional_fk("person"))
    due: date
    note: str = Field(default="", max_length=1000)
    done_on: date | None = Field(default=None)


class TextWord(SQLModel, table=True):
    """A word of the team's own (a product or a place) that Thai word
    segmentation must keep whole."""

    id: int | None = Field(default=None, primary_key=True)
    word: str = Field(max_length=100, unique=True)
    created_by: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- knowledge base


class KbQuestion(Audited, table=True):
    """A question as customers ask it (other phrasings one per line), its
    answer and the problem behind it. `search_text` is the question, the
    phrasings, the answer and the tags cut into words, space-separated,
    for the full-text index (cem.kb.search)."""

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=500)
    phrasings: str = Field(default="", max_length=2000)
    answer: str = Field(default="", max_length=5000)
    problem: str = Field(default="", max_length=2000)
    category: str = Field(default="", max_length=100, index=True)
    tags: str = Field(default="", max_length=500)  # "; " between
    owner_id: int | None = Field(default=None, sa_column=optional_fk("person"))
    reviewed_on: date | None = Field(default=None)
    state: str = Field(default="draft", max_length=10)  # one of KB_STATES
    search_text: str = Field(default="", max_length=20000)


class KbQuestionStep(SQLModel, table=True):
    """A sub-step of the journey where the question is asked."""

    question_id: int = Field(sa_column=Column(Integer, ForeignKey("kbquestion.id", ondelete="CASCADE"), primary_key=True))
    step_id: int = Field(sa_column=Column(Integer, ForeignKey("step.id", ondelete="CASCADE"), primary_key=True))


class KbAsked(SQLModel, table=True):
    """Front-line staff pressed "asked again": one more time the question was asked."""

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(sa_column=parent_fk("kbquestion"))
    day: date = Field(index=True)
    user: str = Field(default="", max_length=100)
    at: datetime = Field(default_factory=utcnow)


class KbVote(SQLModel, table=True):
    """Was this answer helpful?"""

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(sa_column=parent_fk("kbquestion"))
    helpful: bool
    user: str = Field(default="", max_length=100)
    at: datetime = Field(default_factory=utcnow, index=True)


class KbMiss(SQLModel, table=True):
    """A search that found nothing: a gap in the knowledge base."""

    id: int | None = Field(default=None, primary_key=True)
    query: str = Field(max_length=200, index=True)
    user: str = Field(default="", max_length=100)
    at: datetime = Field(default_factory=utcnow, index=True)


# ---------------------------------------------------------------- measures at four levels


class Indicator(Audited, table=True):
    """A measure followed month by month at one of INDICATOR_LEVELS.
    `source` names the computation (cem.improvement.indicators) for a
    measure the app works out from its own data; "" for one entered by
    hand each month."""

    id: int | None = Field(default=None, primary_key=True)
    level: str = Field(max_length=12)  # one of INDICATOR_LEVELS
    position: int = Field(default=0)
    name: str = Field(max_length=200)
    unit: str = Field(default="", max_length=30)
    direction: str = Field(default="up", max_length=4)  # one of DIRECTIONS
    target: float | None = Field(default=None)
    owner_id: int | None = Field(default=None, sa_column=optional_fk("person"))
    source: str = Field(default="", max_length=40)
    description: str = Field(default="", max_length=1000)
    active: bool = Field(default=True)


class IndicatorValue(Audited, table=True):
    """A hand-entered measure's value for a month."""

    __table_args__ = (UniqueConstraint("indicator_id", "month"),)
    id: int | None = Field(default=None, primary_key=True)
    indicator_id: int = Field(sa_column=parent_fk("indicator"))
    month: str = Field(max_length=7)  # YYYY-MM
    value: float
