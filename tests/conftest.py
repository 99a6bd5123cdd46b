"""Shared fixtures: a fresh, migrated database per test."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from cem import services
from cem.db import dispose_engine, get_engine, migrate, session_scope

USER = "tester"


@pytest.fixture
def db_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/test.db"
    yield url
    dispose_engine(url)


@pytest.fixture
def engine(db_url):
    engine = get_engine(db_url)
    migrate(engine)
    return engine


@pytest.fixture
def session(engine) -> Session:
    with session_scope(engine) as session:
        yield session


@pytest.fixture
def small_journey(session):
    """A journey with two stages; the first has two sub-steps, one of them
    with two pain points, three measures and an idea."""
    journey = services.create_journey(session, name="Home internet", user=USER)
    offer = services.add_stage(session, journey_id=journey.id, name="Offer", phase="before", user=USER)
    services.add_stage(session, journey_id=journey.id, name="Use", phase="during", user=USER)
    browse = services.add_step(session, stage_id=offer.id, name="Browse packages", touchpoint="Web",
                               emotion_now=-1, emotion_target=1, easy=2, user=USER)
    services.add_step(session, stage_id=offer.id, name="Call sales", user=USER)
    slow = services.add_pain_point(session, step_id=browse.id, text="Prices are hard to compare", severity=4,
                                   user=USER)
    services.add_pain_point(session, step_id=browse.id, text="Site is slow", severity=2, user=USER)
    services.add_measure(session, pain_point_id=slow.id, kind="prevention", text="One comparison table",
                         user=USER)
    services.add_measure(session, pain_point_id=slow.id, kind="fix", text="Shorter terms", user=USER)
    services.add_measure(session, pain_point_id=slow.id, kind="fix", text="Chat help", user=USER)
    services.add_idea(session, step_id=browse.id, text="Live chat on the package page", user=USER)
    return journey
