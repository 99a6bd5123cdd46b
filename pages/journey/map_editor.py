"""Map editor: stages, their sub-steps, and each sub-step's pain points,
measures and ideas, typed into grids and saved at once."""
import pandas as pd
import streamlit as st

from cem.journey import services
from cem.core.activity import feed_rows, item_names
from cem.core.models import MEASURE_KINDS, PAIN_STATUSES, PHASES, QUALITIES
from cem.core.text import shorten
from ui import common

common.ensure_entry_point()
from ui.grid import Grid
from ui.live import watch
from ui.risk import journey_risk

t = common.t
cc = st.column_config
st.title(t("page.map_editor"))
journey_id = common.require_journey()
user = common.user()


def saving(service, **scope):
    """A save function for a grid: opens a session and calls the service."""
    def save(changes):
        with common.db() as session:
            return service(session, changes=changes, user=user, **scope)
    return save


def impact_text(kind: str):
    def describe(ids: list[int]) -> str:
        with common.db() as session:
            if kind == "stage":
                impact = services.stage_deletion_impact(session, ids)
            else:
                impact = services.step_deletion_impact(session, ids)
        return t(f"editor.delete_{kind}_impact", n=len(ids), steps=impact.steps, pains=impact.pain_points,
                 measures=impact.measures, ideas=impact.ideas)
    return describe


def rows_of(items, *fields):
    return [{"id": i.id, "version": i.version, **{f: getattr(i, f) for f in fields}} for i in items]


with common.db() as session:
    journey = services.get_journey(session, journey_id)
    stages = services.list_stages(session, journey_id)
revision = journey.revision
watch(journey_id, revision, redraw=False)

st.caption(t("editor.intro", journey=common.md(journey.name)))

def position_column():
    return cc.NumberColumn(t("col.position"), step=1, width="small", help=t("col.position_help"))


# ---------------------------------------------------------------- 1. stages
st.subheader(t("editor.stages"))
phase_label = {p: t(f"phase.{p}") for p in PHASES}


def load_stages():
    with common.db() as session:
        return rows_of(services.list_stages(session, journey_id), "position", "name", "phase", "description")


Grid(
    name="stages", scope=journey_id,
    columns={
        "position": position_column(),
        "name": cc.TextColumn(t("col.stage_name"), max_chars=200, width="medium"),
        "phase": cc.SelectboxColumn(t("col.phase"), options=list(PHASES), format_func=phase_label.get,
                                    width="small"),
        "description": cc.TextColumn(t("col.description"), max_chars=2000, width="large"),
    },
    dtypes={"position": "Int64", "name": "string", "phase": "string", "description": "string"},
    load=load_stages, save=saving(services.save_stages, journey_id=journey_id),
    confirm_delete=impact_text("stage"), revision=revision, ordered=True, unit="grid.unit.stage",
).show()

if not stages:
    st.info(t("editor.add_stage_first"))
    st.stop()

# ---------------------------------------------------------------- 2. sub-steps of one stage
st.divider()
st.subheader(t("editor.steps"))
with common.db() as session:  # after the stage grid saved what was typed
    stages = services.list_stages(session, journey_id)
stage_id = common.id_picker(t("editor.pick_stage"), {s.id: f"{s.position}. {s.name}" for s in stages},
                            "editor_stage")


def load_steps():
    with common.db() as session:
        return rows_of(services.list_steps(session, stage_id), "position", "name", "touchpoint",
                       "emotion_now", "emotion_target", *QUALITIES)


# No min_value / max_value on number columns: the grid would clamp 5 to 2
# without a word. The services refuse a number out of range, naming it.
def emotion_column(key):
    return cc.NumberColumn(t(key), step=1, width=120, help=t("col.emotion_help"))


def rating_column(quality):
    return cc.NumberColumn(t(f"quality.{quality}"), step=1, width=90, help=t("col.rating_help"))


Grid(
    name="steps", scope=stage_id,
    columns={
        "position": position_column(),
        "name": cc.TextColumn(t("col.step_name"), max_chars=200, width="medium"),
        "touchpoint": cc.TextColumn(t("col.touchpoint"), max_chars=200, width="medium"),
        "emotion_now": emotion_column("col.emotion_now"),
        "emotion_target": emotion_column("col.emotion_target"),
        **{q: rating_column(q) for q in QUALITIES},
    },
    dtypes={"position": "Int64", "name": "string", "touchpoint": "string", "emotion_now": "Int64",
            "emotion_target": "Int64", **{q: "Int64" for q in QUALITIES}},
    load=load_steps, save=saving(services.save_steps, stage_id=stage_id),
    confirm_delete=impact_text("step"), revision=revision, ordered=True, unit="grid.unit.step",
).show()

with common.db() as session:
    steps = services.list_steps(session, stage_id)
if not steps:
    st.info(t("editor.add_step_first"))
    st.stop()

# ---------------------------------------------------------------- 3. one sub-step in detail
st.divider()
st.subheader(t("editor.details"))
step_id = common.id_picker(t("editor.pick_step"), {s.id: f"{s.position}. {s.name}" for s in steps},
                           f"editor_step_of_{stage_id}")

st.markdown(f"**{t('editor.pain_points')}** · {t('editor.pain_points_help')}")
status_label = {s: t(f"status.{s}") for s in PAIN_STATUSES}


def load_pains():
    with common.db() as session:
        return rows_of(services.list_pain_points(session, step_id), "text", "severity", "status")


Grid(
    name="pains", scope=step_id,
    columns={
        "text": cc.TextColumn(t("col.pain_point"), max_chars=2000, width="large"),
        "severity": cc.NumberColumn(t("col.severity"), step=1, default=3, width="small",
                                    help=t("col.severity_help")),
        "status": cc.SelectboxColumn(t("col.status"), options=list(PAIN_STATUSES), default="open",
                                     format_func=status_label.get, width="small"),
    },
    dtypes={"text": "string", "severity": "Int64", "status": "string"},
    load=load_pains, save=saving(services.save_pain_points, step_id=step_id), revision=revision,
    unit="grid.unit.pain",
).show()

with common.db() as session:
    pains = services.list_pain_points(session, step_id)
risk = journey_risk(journey_id) if pains else None
if risk is not None:  # the complaints and the revenue behind each pain point, the largest first
    pain_risk = risk.pain_points
    behind = sorted((p for p in pains if p.id in pain_risk), key=lambda p: -pain_risk[p.id].revenue)
    if behind:
        st.caption(t("risk.sort"))
        st.dataframe(pd.DataFrame({
            t("col.pain_point"): [p.text for p in behind],
            t("risk.col.complaints"): [pain_risk[p.id].complaints for p in behind],
            t("risk.col.customers"): [len(pain_risk[p.id].customers) for p in behind],
            t("risk.col.revenue"): [pain_risk[p.id].revenue for p in behind],
            t("risk.col.vips"): [len(pain_risk[p.id].vips) for p in behind],
            t("risk.col.vip_revenue"): [pain_risk[p.id].vip_revenue for p in behind],
        }), hide_index=True, key="editor_pain_risk", column_config={
            t("risk.col.revenue"): st.column_config.NumberColumn(format="฿%,.0f"),
            t("risk.col.vip_revenue"): st.column_config.NumberColumn(format="฿%,.0f")})

st.markdown(f"**{t('editor.measures')}** · {t('editor.measures_help')}")
if not pains:
    st.caption(t("editor.add_pain_first"))
else:
    pain_label = {p.id: f"{n}. {shorten(p.text, 50)}" for n, p in enumerate(pains, start=1)}
    kind_label = {k: t(f"kind.{k}") for k in MEASURE_KINDS}

    def load_measures():
        with common.db() as session:
            return rows_of(services.list_measures(session, step_id), "pain_point_id", "kind", "text")

    Grid(
        name="measures", scope=step_id,
        columns={
            "pain_point_id": cc.SelectboxColumn(t("col.pain_point"), options=list(pain_label),
                                                format_func=pain_label.get, default=pains[-1].id,
                                                width="medium"),
            "kind": cc.SelectboxColumn(t("col.kind"), options=list(MEASURE_KINDS), default="fix",
                                       format_func=kind_label.get, width="small"),
            "text": cc.TextColumn(t("col.measure"), max_chars=2000, width="large"),
        },
        dtypes={"pain_point_id": "Int64", "kind": "string", "text": "string"},
        load=load_measures, save=saving(services.save_measures, step_id=step_id), revision=revision,
        unit="grid.unit.measure",
    ).show()

st.markdown(f"**{t('editor.ideas')}** · {t('editor.ideas_help')}")


def load_ideas():
    with common.db() as session:
        return rows_of(services.list_ideas(session, step_id), "text")


Grid(
    name="ideas", scope=step_id,
    columns={"text": cc.TextColumn(t("col.idea"), max_chars=2000, width="large")},
    dtypes={"text": "string"},
    load=load_ideas, save=saving(services.save_ideas, step_id=step_id), revision=revision,
    unit="grid.unit.idea",
).show()

with st.expander(t("editor.step_history"), icon="🕘"):
    with common.db() as session:
        changes = services.history(session, journey_id=journey_id, step_id=step_id, limit=50)
        names = item_names(session, changes)
    if changes:
        st.dataframe(feed_rows(changes, t, common.local_time, names), hide_index=True, width="stretch")
    else:
        st.caption(t("activity.none"))
