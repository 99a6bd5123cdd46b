"""VIP customers: the rule the workspace uses, marking VIPs by it as of a
day, the VIP list, marking by hand with a reason, and two periods compared."""
from datetime import date

import pandas as pd
import streamlit as st

from cem.core import months
from cem.core.errors import CemError, ConflictError
from cem.customers import analysis, care, profile, vip
from ui import auth, common, periods
from ui.customer_widgets import counted, profile_link
from ui.common import translated
from ui.day_field import day_field

common.ensure_entry_point()

t = common.translator()  # bound to this run's language, also for format_func called later
user = common.user()
lang = common.lang()
may_edit = auth.allowed("customers.edit")

st.title(t("page.customers_vip"))
st.caption(t("vip.intro"))

@st.cache_data(max_entries=32, show_spinner=False)
def vip_list(url: str, stamp: tuple, period: analysis.Period) -> list:
    """The VIPs now, with their revenue in the period: once per change of
    the bills or the customers (a VIP mark stamps the customer)."""
    with common.db() as session:
        return vip.vip_rows(session, period)


@st.cache_data(max_entries=32, show_spinner=False)
def compared(url: str, stamp: tuple, rule: vip.Rule, first: analysis.Period, second: analysis.Period):
    """Who the rule picks in each period, and their names."""
    with common.db() as session:
        result = vip.compare(session, first, second)
        return result, analysis.customer_names(session, [*result.new, *result.kept, *result.dropped])


with common.db() as session:
    span = analysis.bill_range(session)
    rule = vip.settings(session)
    stamp = analysis.data_stamp(session)
if span is None:
    st.info(t("customers.no_bills"))
    st.page_link("pages/customers/bills.py", label=t("customers.go_import"), icon="🧾")
    st.stop()
all_months = months.between(months.of(span[0]), months.of(span[1]))


def rule_sentence(r: vip.Rule) -> str:
    if r.kind == "fixed":
        return t("vip.rule_sentence.fixed_one" if int(r.value) == 1 else "vip.rule_sentence.fixed",
                 value=f"{int(r.value):,}")
    return t(f"vip.rule_sentence.{r.kind}", value=f"{r.value * 100:g}")


# ---------------------------------------------------------------- the rule
st.subheader(t("vip.rule_title"), anchor=False)
st.markdown(t("vip.rule_now", rule=rule_sentence(rule)))
if may_edit:
    with st.expander(t("vip.rule_change"), icon="⚙️"):
        # The form starts from the rule as it was when it opened; a rule
        # saved by someone else meanwhile is named, never overwritten unseen.
        rule_form = common.form_state("vip_rule", rule)
        opened: vip.Rule = rule_form["opened"]
        rule_keys = ["vip_rule_kind", "vip_rule_count", *(f"vip_rule_{k}" for k in vip.VIP_RULES), "vip_rule_a",
                     "vip_rule_b"]

        def start(key: str, value):
            return common.start(key, value, saved=opened)

        kind = st.radio(t("vip.field.rule"), vip.VIP_RULES, format_func=lambda k: t(f"vip.rule.{k}"),
                        key=translated(start("vip_rule_kind", opened.kind)))
        left, middle, right = st.columns(3)
        if kind == "fixed":
            value = left.number_input(t("vip.field.count"), 1, vip.MAX_FIXED, step=1, help=t("vip.field.count_help"),
                                      key=start("vip_rule_count", int(opened.value) if opened.kind == "fixed" else 50))
        else:
            share = opened.value * 100 if opened.kind == kind else (20.0 if kind == "top_share" else 80.0)
            value = left.number_input(t(f"vip.field.share.{kind}"), 1.0, 100.0, step=1.0,
                                      key=start(f"vip_rule_{kind}", share),
                                      help=t(f"vip.field.share_help.{kind}")) / 100
        a_limit = middle.number_input(t("vip.field.a_limit"), 1.0, 99.0, step=1.0, help=t("vip.field.a_limit_help"),
                                      key=start("vip_rule_a", opened.a_limit * 100))
        b_limit = right.number_input(t("vip.field.b_limit"), 2.0, 100.0, step=1.0, help=t("vip.field.b_limit_help"),
                                     key=start("vip_rule_b", opened.b_limit * 100))
        if st.button(t("vip.rule_save"), key="vip_rule_save", type="primary", icon="💾"):
            try:
                with common.db() as session:
                    vip.save_settings(session, kind=kind, value=value, a_limit=a_limit / 100,
                                      b_limit=b_limit / 100, version=rule_form["expected"].version, user=user)
            except ConflictError as error:
                common.form_conflict("vip_rule", rule, error, *rule_keys)
            except CemError as error:
                common.show_error(error)
            else:
                common.form_restart("vip_rule", *rule_keys)
                common.flash(t("vip.rule_saved"))
                st.rerun()

# ---------------------------------------------------------------- applying it
st.subheader(t("vip.apply_title"), anchor=False)
st.caption(t("vip.apply_help"))
first, last = periods.month_range("vip_apply", all_months)
apply_period = periods.period(first, last)
if may_edit:
    as_of = day_field(t("vip.as_of"), key="vip_as_of", start=date.today(), column="vip.as_of")
    if st.button(t("vip.apply"), key="vip_apply", type="primary", icon="👑", disabled=as_of is None):
        try:
            with common.db() as session:
                applied = vip.apply_rule(session, period=apply_period, as_of=as_of, user=user)
        except CemError as error:
            common.show_error(error)
        else:
            common.flash(t("vip.applied", added=applied.added, removed=applied.removed, kept=applied.kept,
                           held=applied.held_by_hand))
            st.rerun()

# ---------------------------------------------------------------- the list
rows = vip_list(common.database_url(), stamp, apply_period)
st.subheader(t("vip.list_title", n=len(rows)), anchor=False)
# A link opens the profile in a new tab, at one click on its words (a click
# beside them only selects the cell); the address carries the language.
profile_column = st.column_config.LinkColumn(display_text=t("vip.open_profile"), help=t("vip.open_profile_help"))
if not rows:
    # Nobody is marked yet: the comparison below shows whom the rule would
    # pick, which reads as if there were VIPs; say what the button does.
    st.info(t("vip.none_yet" if may_edit else "vip.none_yet_viewer"))
else:
    st.dataframe(pd.DataFrame({
        t("customers.col.code"): [r.code for r in rows],
        t("customers.col.name"): [r.name for r in rows],
        t("vip.col.profile"): [profile_link(r.customer_id) for r in rows],
        t("customers.col.segment"): [r.segment for r in rows],
        t("vip.col.source"): [t(f"vip.source.{r.source}") for r in rows],
        t("vip.col.since"): [months.day_text(r.since, lang) if r.since else "" for r in rows],
        t("vip.col.revenue"): [r.revenue for r in rows],
    }), hide_index=True, key="vip_list",
        column_config={t("vip.col.revenue"): st.column_config.NumberColumn(format="฿%,.0f"),
                       t("vip.col.profile"): profile_column})
    st.caption(t("vip.list_help"))
    if may_edit:  # contacts' phones and e-mails: sent to this signed-in session only, and logged
        st.link_button(t("vip.contacts_download"), f"{auth.CONTACTS_ROUTE}?lang={lang}", icon="⬇️",
                       key="vip_contacts_download", help=t("vip.contacts_download_help"))

# ---------------------------------------------------------------- care this month
this_month = months.of(date.today())
with common.db() as session:
    month_care = care.month_overview(session, this_month)
    without = analysis.customer_names(session, month_care.without_any)
st.subheader(t("care.month_title"), anchor=False)
st.caption(t("care.month_counts", planned=len(month_care.planned), done=len(month_care.done),
             without=len(month_care.without_any)))
if month_care.without_any:
    with st.expander(t("care.without_title"), icon="🗓️"):
        st.dataframe(pd.DataFrame({
            t("customers.col.code"): [without[i][0] for i in month_care.without_any],
            t("customers.col.name"): [without[i][1] for i in month_care.without_any],
            t("vip.col.profile"): [profile_link(i) for i in month_care.without_any],
        }), hide_index=True, key="vip_without_care", column_config={t("vip.col.profile"): profile_column})

# ---------------------------------------------------------------- by hand
if may_edit:
    with st.expander(t("vip.hand_title"), icon="✋"):
        search = st.text_input(t("vip.hand_search"), key="vip_hand_search", max_chars=100,
                               placeholder=t("vip.hand_search_placeholder"))
        with common.db() as session:
            found = analysis.find_customers(session, search)
        if not found:
            st.caption(t("vip.hand_none_found"))
        else:
            customer_id = common.id_picker(t("vip.hand_customer"), {i: f"{code} · {name}" for i, code, name in found},
                                           "vip_hand_customer")
            with common.db() as session:
                now = profile.get_customer(session, customer_id)
            # The status the person decides on is the one first shown to them.
            hand_form = common.form_state(f"vip_hand_{customer_id}", now.version)
            st.caption(t("vip.hand_now", status=t("vip.status.vip" if now.vip else "vip.status.not"),
                         source=t("vip.source.hand" if now.vip_hand else "vip.source.rule")))
            decision = st.radio(t("vip.field.decision"), ["in", "out", ""], key=translated("vip_hand_decision"),
                                format_func=lambda d: t(f"vip.decision.{d or 'rule'}"), horizontal=True)
            reason = st.text_input(t("vip.field.reason"), key=f"vip_hand_reason_{common.form_generation('vip_hand')}",
                                   max_chars=500,
                                   help=t("vip.field.reason_help"))
            if st.button(t("vip.hand_save"), key="vip_hand_save", icon="✋"):
                try:
                    with common.db() as session:
                        customer = vip.mark_by_hand(session, customer_id=customer_id, decision=decision,
                                                    reason=reason, as_of=date.today(),
                                                    version=hand_form["expected"], user=user)
                except ConflictError as error:
                    common.form_conflict(f"vip_hand_{customer_id}", now.version, error,
                                         restart=lambda: common.form_restart(f"vip_hand_{customer_id}"))
                except CemError as error:
                    common.show_error(error)
                else:
                    common.form_restart(f"vip_hand_{customer_id}")
                    common.new_form_generation("vip_hand")
                    common.flash(t("vip.hand_saved", name=common.md(customer.name),
                                   status=t("vip.status.vip" if customer.vip else "vip.status.not")))
                    st.rerun()

# ---------------------------------------------------------------- two periods
st.subheader(t("vip.compare_title"), anchor=False)
st.caption(t("vip.compare_help", rule=rule_sentence(rule)))
if not rows:
    st.caption(t("vip.compare_none_marked"))
earlier = periods.month_range("vip_before", all_months, end_back=12,
                              labels=("vip.compare_first_from", "vip.compare_first_to"))
later = periods.month_range("vip_after", all_months, labels=("vip.compare_second_from", "vip.compare_second_to"))
comparison, names = compared(common.database_url(), stamp, rule, periods.period(*earlier), periods.period(*later))
cards = st.columns(3)
cards[0].metric(t("vip.compare_new"), f"{len(comparison.new):,}")
cards[1].metric(t("vip.compare_kept"), f"{len(comparison.kept):,}")
cards[2].metric(t("vip.compare_dropped"), f"{len(comparison.dropped):,}")
if comparison.dropped:
    st.warning(counted("vip.dropped_warning", len(comparison.dropped)), icon="⚠️")


def people(ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame({t("customers.col.code"): [names[i][0] for i in ids],
                         t("customers.col.name"): [names[i][1] for i in ids],
                         t("customers.col.segment"): [names[i][2] for i in ids]})


tabs = st.tabs([t("vip.compare_dropped"), t("vip.compare_new"), t("vip.compare_kept")])
for tab, ids, key in zip(tabs, (comparison.dropped, comparison.new, comparison.kept), ("dropped", "new", "kept")):
    with tab:
        st.dataframe(people(ids), hide_index=True, key=f"vip_compare_{key}")
