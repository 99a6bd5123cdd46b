"""Activity: who changed what in the journey, the history of one stage or
sub-step, and the bin of deleted stages and sub-steps."""
import streamlit as st

from cem.journey import services
from cem.core.activity import feed_rows, item_names
from cem.core.errors import CemError
from ui import auth, common
from ui.live import watch

common.ensure_entry_point()

t = common.t
st.title(t("page.activity"))
journey_id = common.require_journey()
user = common.user()


with common.db() as session:
    journey = services.get_journey(session, journey_id)
    stages = services.list_stages(session, journey_id)
watch(journey_id, journey.revision, redraw=True)
st.caption(t("activity.intro"))

# ---------------------------------------------------------------- the feed, or one item's history
stage_names = {0: t("activity.all")} | {s.id: f"{s.position}. {s.name}" for s in stages}
left, right = st.columns(2)
stage_id = common.id_picker(t("editor.pick_stage"), stage_names, "activity_stage", container=left)
step_id = 0
if stage_id:
    with common.db() as session:
        steps = services.list_steps(session, stage_id)
    step_names = {0: t("activity.all")} | {s.id: f"{s.position}. {s.name}" for s in steps}
    step_id = common.id_picker(t("editor.pick_step"), step_names, f"activity_step_of_{stage_id}", container=right)
with common.db() as session:
    changes = services.history(session, journey_id=journey_id, stage_id=stage_id or None, step_id=step_id or None)
if changes:
    with common.db() as session:
        names = item_names(session, changes)
    st.dataframe(feed_rows(changes, t, common.local_time, names), hide_index=True, width="stretch",
                 key="activity_feed")
else:
    st.info(t("activity.none"))

# ---------------------------------------------------------------- the bin
st.divider()
st.subheader(t("activity.bin"), anchor=False)
with common.db() as session:
    binned = services.list_bin(session, journey_id)
if not binned:
    st.caption(t("activity.bin_empty"))
may_restore = auth.allowed("bin.restore")
for entry in binned:
    item = entry.item
    with st.container(border=True, key=f"activity_bin_{entry.item_type}_{item.id}"):
        text, button = st.columns([5, 1], vertical_alignment="center")
        name = item.title if entry.item_type == "task" else item.name
        title = name if entry.item_type == "stage" else f"{entry.stage_name} › {name}"
        text.markdown(f"**{t('item.' + entry.item_type).capitalize()}: {common.md(title)}**")
        text.caption(t("activity.bin_entry", who=common.md(item.deleted_by), when=common.local_time(item.deleted_at),
                       steps=entry.impact.steps, pains=entry.impact.pain_points, ideas=entry.impact.ideas))
        if may_restore and button.button(t("activity.restore"), key=f"activity_restore_{entry.item_type}_{item.id}",
                                         icon="♻️"):
            try:
                with common.db() as session:
                    services.restore_from_bin(session, item_type=entry.item_type, item_id=item.id, user=user)
            except CemError as error:
                common.show_error(error)
            else:
                common.flash(t("activity.restored", name=common.md(name)))
                st.rerun()
