"""Journey templates and the sample journey seeded on first start.

The stages and the sample are data, shipped in data/ (templates/ and
samples/). The general customer life cycle follows seed 001: from the first offer of
the service, through the decision to buy, onboarding, use and support, to
renewal or leaving, and back again when the customer returns. Each stage is
marked before / during / after service (seed 000).
"""
from __future__ import annotations

import json

from sqlmodel import Session, select

from cem.core import config
from cem.journey import services
from cem.core.auth import authorize
from cem.core.db import writes
from cem.core import validation as v
from cem.core.errors import ValidationError
from cem.core.models import QUALITIES, Idea, Journey, Measure, PainPoint, Stage, Step

TEMPLATE_FILE = config.DATA_DIR / "templates" / "general_life_cycle.json"
SAMPLE_FILE = config.DATA_DIR / "samples" / "sample_journey.json"


def _general_life_cycle() -> list[tuple[str, str, str, str, str]]:
    """(phase, Thai name, Thai description, English name, English description)
    of each stage, from data/templates/general_life_cycle.json."""
    stages = json.loads(TEMPLATE_FILE.read_text(encoding="utf-8"))["stages"]
    return [(s["phase"], s["th"]["name"], s["th"]["description"], s["en"]["name"], s["en"]["description"])
            for s in stages]


GENERAL_LIFE_CYCLE = _general_life_cycle()
TEMPLATES = ("general", "blank")


@services.write_service("map.edit")
def create_from_template(session: Session, *, template: str, lang: str, name: str,
                         description: str = "", user: str) -> Journey:
    """A new journey, blank or with the general life cycle's stages, saved
    in one transaction."""
    journey = _build_from_template(session, template=template, lang=lang, name=name,
                                   description=description, user=user)
    session.commit()
    return journey


def _build_from_template(session: Session, *, template: str, lang: str, name: str,
                         description: str, user: str) -> Journey:
    if template not in TEMPLATES:
        raise ValidationError("err.choice", options=", ".join(TEMPLATES), value=str(template)[:40])
    values = v.clean_row({"name": name, "description": description}, services.JOURNEY_FIELDS)
    who = user
    journey = Journey(**values, created_by=who, updated_by=who)
    session.add(journey)
    session.flush()
    services.log_import(session, journey, who, template=template)
    if template == "general":
        for position, (phase, th_name, th_desc, en_name, en_desc) in enumerate(GENERAL_LIFE_CYCLE, start=1):
            session.add(Stage(journey_id=journey.id, position=position, phase=phase,
                              name=th_name if lang == "th" else en_name,
                              description=th_desc if lang == "th" else en_desc,
                              created_by=who, updated_by=who))
        session.flush()
    return journey


def _sample(lang: str) -> dict:
    """The sample journey's stages in `lang`, from data/samples/sample_journey.json:
    {stage name: [(name, touchpoint, emotion now, target, ratings, pain points, ideas)]}."""
    stages = json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))[lang]["stages"]
    return {stage: [(step["name"], step["touchpoint"], step["emotion_now"], step["emotion_target"],
                     tuple(step["ratings"][q] for q in QUALITIES),
                     [(p["text"], p["severity"], [(m["kind"], m["text"]) for m in p["measures"]])
                      for p in step["pain_points"]], step["ideas"]) for step in steps]
            for stage, steps in stages.items()}


# The sample: a Thai internet-service provider's life cycle with a few
# sub-steps, pain points, measures and ideas, so a new user sees a filled map.
SAMPLE, SAMPLE_EN = _sample("th"), _sample("en")
SAMPLE_NAME = {lang: (found["name"], found["description"]) for lang in ("th", "en")
               for found in [json.loads(SAMPLE_FILE.read_text(encoding="utf-8"))[lang]]}


@writes
def seed_sample_journey(session: Session, *, user: str = "system", lang: str | None = None) -> Journey | None:
    """Seed the sample journey if the database has no journey yet, in
    `lang` (default: the install's language, CEM_LANG). The app does this
    at start-up as "system"; anyone else must be allowed to edit the map."""
    if user != "system":
        user = authorize(session, user, "map.edit")
    if session.exec(select(Journey.id).limit(1)).first() is not None:
        return None
    lang = "en" if (lang or config.default_lang()) == "en" else "th"
    name, description = SAMPLE_NAME[lang]
    journey = _build_from_template(session, template="general", lang=lang, user=user, name=name,
                                   description=description)
    stages = {s.name: s for s in services.list_stages(session, journey.id)}
    for stage_name, steps in (SAMPLE_EN if lang == "en" else SAMPLE).items():
        for position, (name, touchpoint, now, target, ratings, pains, ideas) in enumerate(steps, start=1):
            step = Step(stage_id=stages[stage_name].id, position=position, name=name, touchpoint=touchpoint,
                        emotion_now=now, emotion_target=target, easy=ratings[0], convenient=ratings[1],
                        fast=ratings[2], correct=ratings[3], created_by=user, updated_by=user)
            session.add(step)
            session.flush()
            for p_pos, (text, severity, measures) in enumerate(pains, start=1):
                pain = PainPoint(step_id=step.id, position=p_pos, text=text, severity=severity,
                                 created_by=user, updated_by=user)
                session.add(pain)
                session.flush()
                for m_pos, (kind, m_text) in enumerate(measures, start=1):
                    session.add(Measure(pain_point_id=pain.id, position=m_pos, kind=kind, text=m_text,
                                        created_by=user, updated_by=user))
            for i_pos, text in enumerate(ideas, start=1):
                session.add(Idea(step_id=step.id, position=i_pos, text=text, created_by=user, updated_by=user))
    session.commit()
    return journey
