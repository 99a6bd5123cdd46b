"""A customer's profile: who they are, their key contacts, how they like to
be served, what they buy, their complaints, and the care planned for them."""
from datetime import date

import pandas as pd
import streamlit as st

from cem.core import months
from cem.core.errors import CemError, ConflictError
from cem.core.models import CARE_KINDS, CONTACT_CHANNELS, CUSTOMER_KINDS
from cem.customers import analysis, care, charts, complaints, profile, vip
from cem.improvement import plan
from ui import auth, common
from ui import charts as ui_charts
from ui.customer_widgets import (complaint_form, customer_picker, journey_choices, person_picker, step_choices,
                                 step_picker)
from ui.common import translated
from ui.periods import moment_text, year_text
from ui.day_field import day_field

common.ensure_entry_point()

t = common.translator()  # bound to this run's language, also for format_func called later
user = common.user()
lang = common.lang()
today = date.today()
may_edit = auth.allowed("customers.edit")

st.title(t("page.customers_profile"))
st.caption(t("profile.intro"))
customer_id = customer_picker("profile_customer", url_param="customer")
if customer_id is None:
    st.stop()

with common.db() as session:
    customer = profile.get_customer(session, customer_id)
    people = {p.id: p.name for p in plan.list_people(session, contacts=False)}


@st.cache_data(max_entries=64, show_spinner=False)
def bills_of(url: str, stamp: tuple, customer_id: int, today: date):
    """The customer's revenue by month and services used, once per change of the bills."""
    with common.db() as session:
        return (profile.revenue_by_month(session, customer_id, today=today),
                profile.services_used(session, customer_id, today=today))


@st.cache_resource(max_entries=8, show_spinner=False)
def classes_of(url: str, stamp: tuple, years: tuple[int, ...], limits: tuple[float, float]) -> dict:
    """Every customer's class by year, shared by all profiles and sessions,
    once per change of the bills or the ABC limits. Read-only."""
    with common.db() as session:
        return profile.classes_by_year(session, years=list(years))


saved = common.saved


# ---------------------------------------------------------------- the header
badge = t("profile.vip_badge") if customer.vip else ""
st.header(f"{common.md(customer.name)} {badge}", anchor=False)
st.caption(t("profile.header", code=common.md(customer.code), kind=t(f"profile.kind.{customer.kind}"),
             segment=common.md(customer.segment or "—"),
             owner=common.md(people.get(customer.owner_id, "—"))))

# Every tab runs: the browser keeps what is typed and not saved only in a tab it draws.
overview_tab, contacts_tab, complaints_tab, care_tab, details_tab = common.lazy_tabs(
    [t("profile.tab.overview"), t("profile.tab.contacts"), t("profile.tab.complaints"), t("profile.tab.care"),
     t("profile.tab.details")], "profile_tabs", lazy=False)

# ---------------------------------------------------------------- overview
if overview_tab.open is not False:  # None: every tab runs
    with overview_tab:
        if customer.service_style or customer.service_tags:
            st.markdown(f"**{t('profile.field.service_style')}:** {common.md(customer.service_style or '—')}")
            if customer.service_tags:
                st.caption(" · ".join(common.md(tag) for tag in customer.service_tags.split("; ")))
        with common.db() as session:
            stamp = analysis.data_stamp(session)
            rule = vip.settings(session)
        trend, used = bills_of(common.database_url(), stamp, customer_id, today)
        years = (today.year - 2, today.year - 1, today.year)
        classes = classes_of(common.database_url(), stamp, years, (rule.a_limit, rule.b_limit))
        history = [(year, classes[year].get(customer_id, "")) for year in years]
        ui_charts.chart(lambda: charts.revenue_trend_chart(trend, common.translator(), lang), key="profile_trend",
                        cache_key=(common.database_url(), stamp, customer_id, today, lang),
                        config={"displaylogo": False})
        st.subheader(t("profile.services_title"), anchor=False)
        if used:
            last12 = months.between(*profile.last_12_months(today))
            st.dataframe(pd.DataFrame({
                t("profile.col.service"): [u.service or t("profile.no_service") for u in used],
                t("profile.col.months"): [len(u.months) for u in used],
                t("profile.col.steady"): [t("profile.steady") if u.steady else "" for u in used],
                t("profile.col.pattern"): ["".join("■" if m in u.months else "·" for m in last12) for u in used],
                t("profile.col.revenue"): [u.revenue for u in used],
            }), hide_index=True, key="profile_services",
                column_config={t("profile.col.revenue"): st.column_config.NumberColumn(format="฿%,.0f")})
            st.caption(t("profile.services_help"))
        else:
            st.caption(t("profile.no_bills_12"))
        st.caption(t("profile.class_history", history=" · ".join(f"{year_text(y, lang)}: {c or '—'}" for y, c in history)))

# ---------------------------------------------------------------- contacts
if contacts_tab.open is not False:  # None: every tab runs
    with contacts_tab:
        with common.db() as session:
            found = profile.contacts(session, customer_id, user=user)
            full = profile.may_see_contacts(session, user=user, customer_id=customer_id)
        if not full:
            st.caption(t("contact.hidden"))
        if not found:
            st.info(t("contact.none"))
        for contact in found:
            with st.container(border=True, key=f"contact_card_{contact.id}"):
                if contact.erased_at:
                    st.caption(t("contact.erased", when=moment_text(contact.erased_at, lang)))
                    continue
                title = common.md(contact.name) + (f" · {common.md(contact.position)}" if contact.position else "")
                star = f" — **{t('contact.decision_maker')}**" if contact.decision_maker else ""
                st.markdown(title + star)
                parts = [f"{t(f'contact.field.{name}')}: {common.md(getattr(contact, name))}"
                         for name in profile.PERSONAL if getattr(contact, name)]
                if contact.channel:
                    parts.append(t("contact.prefers", channel=t(f"contact.channel.{contact.channel}"),
                                   time=common.md(contact.contact_time or "—")))
                if parts:
                    st.caption(" · ".join(parts))
                if contact.notes:
                    st.caption(common.md(contact.notes))
        if may_edit:
            live = [c for c in found if not c.erased_at]
            with st.expander(t("contact.add_or_change"), icon="👤"):
                options = {0: t("contact.new"), **{c.id: c.name for c in live}}
                editing = common.id_picker(t("contact.which"), options, "profile_contact_pick")
                current = next((c for c in live if c.id == editing), None)
                # As the details form: the version the form opened on is the one saved over.
                contact_form = common.form_state(f"contact_{editing}", current.version if current else None)
                prefix = f"contact_{editing}_{common.form_generation('contact')}"
                values = {}
                left, right = st.columns(2)
                for index, name in enumerate(("name", "position", "office_phone", "mobile", "email", "line_id",
                                              "contact_time")):
                    where = left if index % 2 == 0 else right
                    values[name] = where.text_input(t(f"contact.field.{name}") + (" *" if name == "name" else ""),
                                                    key=common.start(f"{prefix}_{name}", getattr(current, name, "")
                                                                     if current else ""), max_chars=200)
                values["channel"] = right.selectbox(t("contact.field.channel"), ["", *CONTACT_CHANNELS],
                                                    key=translated(common.start(f"{prefix}_channel", current.channel
                                                                                if current else "")),
                                                    format_func=lambda c: t(f"contact.channel.{c}") if c else "—")
                decision = st.checkbox(t("contact.decision_maker"), key=common.start(
                    f"{prefix}_decision", bool(current and current.decision_maker)))
                values["notes"] = st.text_area(t("contact.field.notes"), key=common.start(
                    f"{prefix}_notes", current.notes if current else ""), max_chars=1000, height=80)
                if st.button(t("contact.save"), key="contact_save", type="primary", icon="💾"):
                    try:
                        with common.db() as session:
                            profile.save_contact(session, customer_id=customer_id, values=values, decision_maker=decision,
                                                 contact_id=current.id if current else None,
                                                 version=contact_form["expected"], user=user)
                    except ConflictError as error:
                        common.form_conflict(f"contact_{editing}", current.version, error,
                                             restart=lambda: (common.form_restart(f"contact_{editing}"),
                                                              common.new_form_generation("contact")))
                    except CemError as error:
                        common.show_error(error)
                    else:
                        common.form_restart(f"contact_{editing}")
                        saved(t("contact.saved", name=common.md(values["name"])), form="contact")
                if current is not None:
                    sure = st.checkbox(t("contact.erase_sure", name=common.md(current.name)), key="contact_erase_sure")
                    if st.button(t("contact.erase"), key="contact_erase", disabled=not sure, icon="🧹"):
                        try:
                            with common.db() as session:
                                profile.erase_contact(session, contact_id=current.id, user=user)
                        except CemError as error:
                            common.show_error(error)
                        else:
                            saved(t("contact.erased_now"), "contact_erase_sure", "profile_contact_pick")

# ---------------------------------------------------------------- complaints
if complaints_tab.open is not False:  # None: every tab runs
    with complaints_tab:
        with common.db() as session:
            listed = complaints.for_customer(session, customer_id)
        if not listed:
            st.info(t("complaint.none_for_customer"))
        journeys_here = journey_choices()
        places: dict[int, str] = {}  # sub-step id -> "stage › sub-step"
        for journey_id in {c.journey_id for c in listed if c.journey_id in journeys_here}:
            places.update(step_choices(journey_id)[0])
        for index, complaint in enumerate(listed):
            overdue = complaints.is_overdue(complaint, today)
            with st.container(border=True, key=f"complaint_card_{complaint.id}"):
                if index == 0 and len(listed) > 1:
                    st.caption(t("complaint.most_serious"))
                due = t("complaint.due_on", day=months.day_text(complaint.due, lang))
                st.markdown(f"**{t('complaint.severity_n', n=complaint.severity)}** · "
                            f"{t(f'complaint.status.{complaint.status}')} · "
                            f"{t('complaint.received_on', day=months.day_text(complaint.received, lang))} · "
                            + (f"**⚠️ {due} · {t('complaint.overdue')}**" if overdue else due))
                if complaint.step_id in places:
                    st.caption(t("complaint.where", place=common.md(places[complaint.step_id])))
                st.text(complaint.text)
                if complaint.resolution:
                    st.caption(t("complaint.resolution_was", text=common.md(complaint.resolution)))
        if auth.allowed("complaints.record"):
            with st.expander(t("complaint.add"), icon="📣"):
                complaint_form("profile_complaint", customer_id=customer_id, today=today)

# ---------------------------------------------------------------- care
if care_tab.open is not False:  # None: every tab runs
    with care_tab:
        with common.db() as session:
            actions = care.for_customer(session, customer_id)
        if actions:
            st.dataframe(pd.DataFrame({
                t("care.col.month"): [months.label(a.month, lang) for a in actions],
                t("care.col.kind"): [t(f"care.kind.{a.kind}") for a in actions],
                t("care.col.day"): [months.day_text(a.day, lang) if a.day else "" for a in actions],
                t("care.col.who"): [people.get(a.person_id, "") for a in actions],
                t("care.col.note"): [a.note for a in actions],
                t("care.col.done"): [months.day_text(a.done_on, lang) if a.done_on else "" for a in actions],
            }), hide_index=True, key="profile_care")
        else:
            st.info(t("care.none"))
        if may_edit:
            with st.expander(t("care.plan"), icon="🗓️"):
                this_month = months.of(today)
                choices = [months.add(this_month, n) for n in range(0, 4)]
                left, right = st.columns(2)
                month = left.selectbox(t("care.field.month"), choices, key=translated("care_month"),
                                       format_func=lambda m: months.label(m, lang))
                kind = right.selectbox(t("care.field.kind"), CARE_KINDS, key=translated("care_kind"),
                                       format_func=lambda k: t(f"care.kind.{k}"))
                person_id = person_picker(t("care.field.who"), "care_person")
                note = st.text_input(t("care.field.note"), key=f"care_note_{common.form_generation('care')}",
                                     max_chars=500,
                                     placeholder=t("care.field.note_placeholder"))
                if st.button(t("care.save"), key="care_save", type="primary", icon="💾"):
                    try:
                        with common.db() as session:
                            care.plan_care(session, customer_id=customer_id, month=month, kind=kind, note=note,
                                           person_id=person_id, user=user)
                    except CemError as error:
                        common.show_error(error)
                    else:
                        saved(t("care.saved"), form="care")
            waiting = [a for a in actions if a.done_on is None]
            if may_edit and waiting:
                with st.expander(t("care.record_done"), icon="✅"):
                    options = {a.id: f"{months.label(a.month, lang)} · {t(f'care.kind.{a.kind}')} · {a.note}"
                               for a in waiting}
                    done_id = common.id_picker(t("care.which"), options, "care_done_pick")
                    done_on = day_field(t("care.field.done_on"), key="care_done_on", start=today,
                                        column="care.field.done_on")
                    if st.button(t("care.mark_done"), key="care_mark_done", disabled=done_on is None, icon="✅"):
                        chosen = next(a for a in waiting if a.id == done_id)
                        try:
                            with common.db() as session:
                                care.record_done(session, care_id=done_id, done_on=done_on, version=chosen.version,
                                                 user=user)
                        except CemError as error:
                            common.show_error(error)
                        else:
                            saved(t("care.done_saved"), "care_done_pick")

            untracked = [a for a in actions if a.done_on is None and a.task_id is None]
            journeys = journey_choices()
            if auth.allowed("plan.edit") and untracked and journeys:
                with st.expander(t("care.to_task"), icon="✅"):
                    st.caption(t("care.to_task_help"))
                    options = {a.id: f"{months.label(a.month, lang)} · {t(f'care.kind.{a.kind}')} · {a.note}"
                               for a in untracked}
                    care_id = common.id_picker(t("care.which"), options, "care_task_pick")
                    journey_id = common.id_picker(t("complaint.field.journey"), journeys, "care_task_journey")
                    step_id, _ = step_picker("care_task", journey_id)
                    owner_id = person_picker(t("care.field.who"), "care_task_owner")
                    chosen = next(a for a in untracked if a.id == care_id)
                    due = st.selectbox(t("care.due_month"), [months.add(chosen.month, n) for n in range(0, 4)],
                                       key=translated("care_task_due"), format_func=lambda m: months.label(m, lang))
                    if st.button(t("care.make_task"), key="care_make_task", disabled=step_id is None, icon="✅"):
                        try:
                            with common.db() as session:
                                care.care_to_task(session, care_id=care_id, step_id=step_id, owner_id=owner_id,
                                                  due_month=due, user=user, lang=lang)
                        except CemError as error:
                            common.show_error(error)
                        else:
                            saved(t("care.task_made"), "care_task_pick")

# ---------------------------------------------------------------- details
DETAILS = ("name", "kind", "segment", "service_style", "service_tags", "notes")


def details_form(customer) -> None:
    """The profile's own fields. The widgets are the customer's own (keyed by
    its id) and start from what was saved when the form opened: another
    person's save never wipes what is being typed, and a save over theirs
    is refused once, with their change named (see common.form_state)."""
    name = f"profile_details_{customer.id}"
    form = common.form_state(name, customer.version)
    prefix = f"profile_{customer.id}"
    keys = [f"{prefix}_{field}" for field in DETAILS] + [f"{prefix}_owner"]

    def start(field: str) -> str:
        return common.start(f"{prefix}_{field}", getattr(customer, field), saved=(customer.id, form["opened"]))

    values = {"name": st.text_input(t("profile.field.name"), key=start("name"), max_chars=200,
                                    disabled=not may_edit)}
    left, right = st.columns(2)
    values["kind"] = left.selectbox(t("profile.field.kind"), CUSTOMER_KINDS, key=translated(start("kind")),
                                    format_func=lambda k: t(f"profile.kind.{k}"), disabled=not may_edit)
    values["segment"] = right.text_input(t("profile.field.segment"), key=start("segment"), max_chars=100,
                                         disabled=not may_edit)
    owner_id = person_picker(t("profile.field.owner"), f"{prefix}_owner", current=customer.owner_id)
    values["service_style"] = st.text_area(t("profile.field.service_style"), key=start("service_style"),
                                           max_chars=2000, height=90, help=t("profile.field.service_style_help"),
                                           disabled=not may_edit)
    values["service_tags"] = st.text_input(t("profile.field.service_tags"), key=start("service_tags"),
                                           max_chars=500, help=t("profile.field.service_tags_help"),
                                           disabled=not may_edit)
    values["notes"] = st.text_area(t("profile.field.notes"), key=start("notes"), max_chars=2000, height=90,
                                   disabled=not may_edit)
    if not (may_edit and st.button(t("profile.save"), key="profile_save", type="primary", icon="💾")):
        return
    try:
        with common.db() as session:
            profile.update_customer(session, customer_id=customer.id, values=values, owner_id=owner_id,
                                    version=form["expected"], user=user)
    except ConflictError as error:
        common.form_conflict(name, customer.version, error, *keys)
    except CemError as error:
        common.show_error(error)
    else:
        common.form_restart(name, *keys)
        saved(t("profile.saved"))


if details_tab.open is not False:  # None: every tab runs
    with details_tab:
        if not may_edit:
            st.caption(t("profile.read_only"))
        details_form(customer)
        if may_edit:
            with st.expander(t("profile.merge_title"), icon="🔗"):
                st.caption(t("profile.merge_help", code=common.md(customer.code)))
                other = customer_picker("profile_merge_other", label=t("profile.merge_other"), allow_none=True,
                                        none_label="profile.merge_none")
                sure = st.checkbox(t("profile.merge_sure"), key="profile_merge_sure")
                if st.button(t("profile.merge"), key="profile_merge", disabled=not (sure and other), icon="🔗"):
                    try:
                        with common.db() as session:
                            moved = profile.merge_customers(session, keep_id=customer_id, merge_id=other, user=user)
                    except CemError as error:
                        common.show_error(error)
                    else:
                        saved(t("profile.merged", **moved), "profile_merge_sure", "profile_merge_other")
