"""AppTests of the customer profile and the complaints page, in Thai and
English, on the sample workspace: contacts and who may read their phones,
complaints from the profile and the complaints page, handling one to its
resolution, the SLA, the care plan, the details and a merge."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import func, select
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1.element_tree import InitialValue, Radio, Selectbox

from cem.core import i18n, months
from cem.core.auth import PermissionDenied
from cem.core.models import Bill, CareAction, ChangeLog, Complaint, Contact, Customer, PainPoint, Task
from cem.customers import complaints, export, profile
from cem.improvement import plan
from tests.test_pages import open_tab, app_db, db_session, open_page, picker, sample  # noqa: F401 (fixture)

PROFILE, COMPLAINTS = "pages/customers/profile.py", "pages/customers/complaints.py"


def button(at, key):
    return next(b for b in at.button if b.key == key)


class Browser:
    """Select boxes and radios driven as a browser drives them. The browser
    shows a label (the default, one the server set, or one the person
    picked) and sends that label back on every rerun, until the server sets
    another; AppTest would format the value anew in each run's language.
    Use: browser = Browser(monkeypatch), then drive the AppTest as usual."""

    def __init__(self, monkeypatch):
        self.shown: dict[str, str | None] = {}
        for kind in (Selectbox, Radio):
            monkeypatch.setattr(kind, "_widget_state", property(self._state))

    def showing(self, widget) -> str | None:
        """The label the browser shows for `widget` after the last run."""
        if widget.proto.set_value:
            return widget.proto.raw_value
        if widget.id in self.shown:
            return self.shown[widget.id]
        try:
            has_default = widget.proto.HasField("default")
        except ValueError:  # not optional
            has_default = True
        return widget.options[widget.proto.default] if widget.options and has_default else None

    def _state(self, widget) -> WidgetState:
        picked = not isinstance(widget._value, InitialValue)
        label = widget.options[widget.index] if picked else self.showing(widget)
        self.shown[widget.id] = label
        state = WidgetState(id=widget.id)
        if label is not None:
            state.string_value = label
        return state


def switch_language(at, lang: str):
    at.selectbox(key="ui_lang_widget").set_value(lang).run()
    return at.run()  # and any next click: the browser sends back what it shows


def first_customer(url) -> Customer:
    with db_session(url) as session:
        customer = session.execute(select(Customer).order_by(Customer.code)).scalars().first()
        session.expunge(customer)
        return customer


def profile_of(url, lang="en", user="admin", tab=None):
    """The profile of the first customer, on `tab` (only the open tab runs)."""
    open_page(None, lang)  # seeds the sample workspace
    customer = first_customer(url)
    at = open_page(None, lang, user=user)
    at.query_params["customer"] = str(customer.id)
    at.switch_page(PROFILE).run()
    if tab:
        profile_tab(at, tab, lang)
    return at, customer


def profile_tab(at, tab: str, lang: str = "en"):
    return open_tab(at, "profile_tabs", f"profile.tab.{tab}", lang)


def count(url, model) -> int:
    with db_session(url) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_profile_opens_on_the_customer_in_the_address(app_db, lang):
    at, customer = profile_of(app_db, lang)
    assert customer.name in at.header[0].value
    assert at.tabs[0].label == i18n.t("profile.tab.overview", lang)
    assert not at.exception and not at.error


def test_a_decision_maker_is_added_and_a_viewer_does_not_see_the_mobile(app_db):
    at, customer = profile_of(app_db, tab="contacts")
    at.text_input(key="contact_0_0_name").input("Khun Dao").run()
    at.text_input(key="contact_0_0_mobile").input("081-234-5678").run()
    at.checkbox(key="contact_0_0_decision").check().run()
    button(at, "contact_save").click().run()
    with db_session(app_db) as session:
        contact = session.execute(select(Contact)).scalars().one()
    assert (contact.name, contact.mobile, contact.decision_maker) == ("Khun Dao", "081-234-5678", True)
    assert any("081" in c.value for c in at.caption)
    assert at.text_input(key="contact_0_1_name").value == ""  # the form is empty for the next one
    viewer = open_page(None, "en", user="viewer")
    viewer.query_params["customer"] = str(customer.id)
    viewer.switch_page(PROFILE).run()
    profile_tab(viewer, "contacts")
    assert any("Khun Dao" in m.value for m in viewer.markdown)
    assert not any("081" in c.value for c in viewer.caption)
    assert any(i18n.t("contact.hidden", "en") in c.value for c in viewer.caption)


def test_a_nameless_contact_is_refused_and_what_was_typed_stays(app_db):
    at, _ = profile_of(app_db, tab="contacts")
    at.text_input(key="contact_0_0_mobile").input("089").run()
    button(at, "contact_save").click().run()
    assert at.error and count(app_db, Contact) == 0
    assert at.text_input(key="contact_0_0_mobile").value == "089"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_complaint_taken_on_the_profile_is_due_by_the_sla(app_db, lang):
    at, customer = profile_of(app_db, lang, tab="complaints")
    at.text_area(key="profile_complaint_0_text").input("รอช่างนานมาก").run()
    at.slider(key="profile_complaint_0_severity").set_value(5).run()
    button(at, "profile_complaint_save").click().run()
    with db_session(app_db) as session:
        complaint = session.execute(select(Complaint)).scalars().one()
    assert (complaint.customer_id, complaint.severity, complaint.due) == (customer.id, 5,
                                                                          date.today() + timedelta(days=1))
    assert any("รอช่างนานมาก" in t.value for t in at.text)


def test_care_is_planned_and_recorded_as_done(app_db):
    at, customer = profile_of(app_db, tab="care")
    at.selectbox(key="care_kind").select("surprise").run()
    at.text_input(key="care_note_0").input("Anniversary basket").run()
    button(at, "care_save").click().run()
    with db_session(app_db) as session:
        care = session.execute(select(CareAction)).scalars().one()
    assert (care.customer_id, care.kind, care.note, care.done_on) == (customer.id, "surprise", "Anniversary basket",
                                                                     None)
    button(at, "care_mark_done").click().run()
    with db_session(app_db) as session:
        assert session.execute(select(CareAction.done_on)).scalar_one() == date.today()


def test_the_details_are_saved_and_a_duplicate_is_merged(app_db):
    at, customer = profile_of(app_db, tab="details")
    at.text_area(key=f"profile_{customer.id}_service_style").input("Call before visiting").run()
    button(at, "profile_save").click().run()
    with db_session(app_db) as session:
        assert session.get(Customer, customer.id).service_style == "Call before visiting"
        other = session.execute(select(Customer).order_by(Customer.code.desc())).scalars().first()
        other_bills = session.execute(select(func.count()).select_from(Bill).where(Bill.customer_id == other.id)
                                      ).scalar_one()
        mine = session.execute(select(func.count()).select_from(Bill).where(Bill.customer_id == customer.id)
                               ).scalar_one()
    at.checkbox(key="profile_merge_sure").check().run()
    assert button(at, "profile_merge").disabled  # nobody chosen yet: nothing to merge by accident
    at.text_input(key="profile_merge_other_search").input(other.code).run()
    picker(at, "profile_merge_other").select(other.id).run()
    button(at, "profile_merge").click().run()
    assert not at.error
    with db_session(app_db) as session:
        assert session.get(Customer, other.id) is None
        assert session.execute(select(func.count()).select_from(Bill).where(Bill.customer_id == customer.id)
                               ).scalar_one() == mine + other_bills
    assert not at.exception


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_walk_in_complaint_is_listed_and_overdue_ones_come_first(app_db, lang):
    open_page(None, lang)
    tree = sample(app_db)
    step = tree.stages[0].steps[0]
    with db_session(app_db) as session:
        complaints.record_complaint(session, text="Old and open", received=date.today() - timedelta(days=40),
                                    severity=2, step_id=step.step.id, user="lead")
    at = open_page(COMPLAINTS, lang)
    assert any(i18n.t("complaint.overdue_count.one", lang, n=1) in w.value for w in at.warning)
    at.text_area(key="complaint_new_0_text").input("ที่จอดรถเต็ม").run()
    button(at, "complaint_new_save").click().run()
    assert count(app_db, Complaint) == 2
    listed = at.dataframe[1].value  # after the overdue table
    assert len(listed) == 2 and i18n.t("complaint.walk_in", lang) in set(listed[i18n.t("complaint.col.customer", lang)])


def test_a_complaint_is_resolved_only_with_its_resolution_and_becomes_a_pain_point(app_db):
    open_page(None, "en")
    step = sample(app_db).stages[0].steps[0]
    with db_session(app_db) as session:
        complaint = complaints.record_complaint(session, text="Wrong bill twice", received=date.today(), severity=3,
                                                step_id=step.step.id, user="lead")
        pains = session.execute(select(func.count()).select_from(PainPoint)).scalar_one()
    at = open_page(COMPLAINTS, "en")
    prefix = f"complaint_{complaint.id}_1"
    at.selectbox(key=f"{prefix}_status").select("resolved").run()
    button(at, "complaint_update").click().run()
    assert any(i18n.t("complaint.err.resolution_needed", "en") in e.value for e in at.error)
    at.text_area(key=f"{prefix}_resolution").input("Refunded and apologised").run()
    button(at, "complaint_update").click().run()
    with db_session(app_db) as session:
        saved = session.get(Complaint, complaint.id)
        assert (saved.status, saved.resolution, saved.resolved_on) == ("resolved", "Refunded and apologised",
                                                                       date.today())
    button(at, "complaint_to_pain").click().run()
    with db_session(app_db) as session:
        assert session.execute(select(func.count()).select_from(PainPoint)).scalar_one() == pains + 1
        assert session.get(Complaint, complaint.id).pain_point_id is not None


def test_the_sla_is_changed_for_new_complaints(app_db):
    at = open_page(COMPLAINTS, "en")
    at.number_input(key="complaint_sla_5").set_value(2).run()
    button(at, "complaint_sla_save").click().run()
    with db_session(app_db) as session:
        assert complaints.sla_days(session)[5] == 2


def test_a_care_action_is_followed_as_a_task_of_the_plan(app_db):
    at, customer = profile_of(app_db, tab="care")
    at.text_input(key="care_note_0").input("Visit the new branch").run()
    button(at, "care_save").click().run()
    step = sample(app_db).stages[0].steps[0]
    assert button(at, "care_make_task").disabled  # no sub-step yet
    picker(at, "care_task_step").select(step.step.id).run()
    button(at, "care_make_task").click().run()
    with db_session(app_db) as session:
        care = session.execute(select(CareAction)).scalars().one()
        task = session.get(Task, care.task_id)
    assert (task.step_id, task.title) == (step.step.id, f"{customer.name}: Visit the new branch")
    assert not at.exception


def test_only_those_who_may_read_contacts_export_them(app_db):
    open_page(None, "en")
    with db_session(app_db) as session:
        with pytest.raises(PermissionDenied):
            export.vip_contacts_xlsx(session, lang="en", user="editor")
        assert export.vip_contacts_xlsx(session, lang="th", user="lead")[:2] == b"PK"
        logged = session.execute(select(ChangeLog).where(ChangeLog.action == "export")).scalars().all()
    assert [(e.user, e.new["what"]) for e in logged] == [("lead", "vip_contacts")]


def test_a_sub_steps_complaint_history_is_one_filter_away(app_db):
    open_page(None, "en")
    tree = sample(app_db)
    first, second = tree.stages[0].steps[0], tree.stages[1].steps[0]
    with db_session(app_db) as session:
        for step, text in ((first, "Slow website"), (second, "Long queue"), (second, "Rude answer")):
            complaints.record_complaint(session, text=text, received=date.today(), severity=3,
                                        step_id=step.step.id, user="lead")
    at = open_page(COMPLAINTS, "en")
    at.selectbox(key="complaints_journey").select(tree.journey.id).run()
    picker(at, f"complaints_step_of_{tree.journey.id}").select(second.step.id).run()
    assert sorted(at.dataframe[0].value["Complaint"]) == ["Long queue", "Rude answer"]


def by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_switching_customers_shows_and_saves_the_second_customers_details(app_db):
    """The details and the owner are the chosen customer's, not those of the
    one shown before; a save goes to the customer on the screen."""
    at, first = profile_of(app_db, tab="details")
    with db_session(app_db) as session:
        second = session.execute(select(Customer).order_by(Customer.code.desc())).scalars().first()
        session.expunge(second)
        person = plan.add_person(session, name="Dao", user="admin")
    at.text_area(key=next(w.key for w in at.text_area if w.label == i18n.t("profile.field.service_style", "en"))
                 ).input("For the first one").run()
    owner = next(s for s in at.selectbox if s.label == i18n.t("profile.field.owner", "en"))
    owner.select(person.id).run()
    at.text_input(key="profile_customer_search").input(second.code).run()
    picker(at, "profile_customer").select(second.id).run()
    assert by_label(at.text_input, i18n.t("profile.field.name", "en")).value == second.name
    assert by_label(at.text_area, i18n.t("profile.field.service_style", "en")).value == ""
    assert by_label(at.selectbox, i18n.t("profile.field.owner", "en")).value != person.id
    button(at, "profile_save").click().run()
    with db_session(app_db) as session:
        assert session.get(Customer, second.id).name == second.name
        assert session.get(Customer, first.id).service_style == ""
    assert not at.exception


def test_another_persons_save_neither_wipes_what_is_typed_nor_is_overwritten_silently(app_db):
    at, customer = profile_of(app_db, tab="details")
    style = next(w.key for w in at.text_area if w.label == i18n.t("profile.field.service_style", "en"))
    at.text_area(key=style).input("Call before visiting").run()
    with db_session(app_db) as session:
        profile.update_customer(session, customer_id=customer.id, values={"segment": "Hotels"}, owner_id=None,
                                version=customer.version, user="lead")
    at.run()  # any rerun, e.g. another widget
    assert at.text_area(key=style).value == "Call before visiting"
    button(at, "profile_save").click().run()
    assert at.warning  # someone else saved first: said, not overwritten
    with db_session(app_db) as session:
        assert (session.get(Customer, customer.id).segment, session.get(Customer, customer.id).service_style) == (
            "Hotels", "")
    assert at.text_area(key=style).value == "Call before visiting"
    button(at, "profile_save").click().run()  # saved again, on purpose: over theirs
    with db_session(app_db) as session:
        assert session.get(Customer, customer.id).service_style == "Call before visiting"
    assert not at.exception


def test_a_complaint_being_handled_keeps_what_is_typed_through_another_persons_save(app_db):
    open_page(None, "en")
    with db_session(app_db) as session:
        made = complaints.record_complaint(session, text="Wrong bill", received=date.today(), severity=3,
                                           user="lead")
    at = open_page(COMPLAINTS, "en")
    prefix = f"complaint_{made.id}_1"
    at.text_area(key=f"{prefix}_resolution").input("Refunded").run()
    with db_session(app_db) as session:
        complaints.update_complaint(session, complaint_id=made.id, version=1, status="in_progress", resolution="",
                                    owner_id=None, severity=4, step_id=None, pain_point_id=None, user="lead")
    at.run()
    assert at.text_area(key=f"{prefix}_resolution").value == "Refunded"
    button(at, "complaint_update").click().run()
    assert at.warning
    with db_session(app_db) as session:
        assert (session.get(Complaint, made.id).severity, session.get(Complaint, made.id).resolution) == (4, "")
    button(at, "complaint_update").click().run()  # again, on purpose
    with db_session(app_db) as session:
        assert session.get(Complaint, made.id).resolution == "Refunded"
    assert not at.exception


def test_an_sla_saved_by_someone_else_meanwhile_is_named_and_not_overwritten(app_db):
    at = open_page(COMPLAINTS, "en")
    at.number_input(key="complaint_sla_1").set_value(45).run()
    with db_session(app_db) as session:
        opened = complaints.sla_days(session)
        complaints.save_sla(session, days={**opened, 5: 2}, user="lead")
    at.run()
    assert at.number_input(key="complaint_sla_1").value == 45
    button(at, "complaint_sla_save").click().run()
    assert at.warning
    with db_session(app_db) as session:
        assert complaints.sla_days(session) == {**opened, 5: 2}
    assert not at.exception


def test_a_contact_changed_by_someone_else_meanwhile_is_not_overwritten(app_db):
    at, customer = profile_of(app_db, tab="contacts")
    with db_session(app_db) as session:
        contact = profile.save_contact(session, customer_id=customer.id, values={"name": "Khun Dao"},
                                       decision_maker=False, user="lead")
    at.run()
    picker(at, "profile_contact_pick").select(contact.id).run()
    name_key = next(w.key for w in at.text_input if w.key.startswith(f"contact_{contact.id}_") and
                    w.key.endswith("_position"))
    at.text_input(key=name_key).input("Buyer").run()
    with db_session(app_db) as session:
        profile.save_contact(session, customer_id=customer.id, values={"name": "Khun Dao", "mobile": "081"},
                             decision_maker=True, contact_id=contact.id, version=contact.version, user="lead")
    at.run()
    button(at, "contact_save").click().run()
    assert at.warning
    with db_session(app_db) as session:
        stored = session.get(Contact, contact.id)
        assert (stored.mobile, stored.position) == ("081", "")
    assert at.text_input(key=name_key).value == "Buyer"
    assert not at.exception


# ---------------------------------------------------------------- the language switched on a filled-in page


def test_choices_on_the_profile_survive_a_language_switch_and_show_in_the_new_language(app_db, monkeypatch):
    """A select box keeps its choice as the label the browser shows: after a switch to Thai the
    care kind, the month and the customer's kind stay as chosen and read in Thai (not the English
    label, and not the first option after the next click)."""
    at, customer = profile_of(app_db, tab="care")
    browser = Browser(monkeypatch)
    at.selectbox(key="care_kind").select("surprise").run()
    month = at.selectbox(key="care_month").options
    at.selectbox(key="care_month").select_index(2).run()
    chosen_month = at.selectbox(key="care_month").value
    assert len(month) == 4 and browser.showing(at.selectbox(key="care_kind")) == "pleasant surprise"
    profile_tab(at, "details")
    at.selectbox(key=f"profile_{customer.id}_kind").select("person").run()
    switch_language(at, "th")
    kind = at.selectbox(key=f"profile_{customer.id}_kind")
    assert kind.value == "person" and browser.showing(kind) == i18n.t("profile.kind.person", "th")
    profile_tab(at, "care", "th")  # the care choices, kept while their tab was closed
    care_kind, care_month = at.selectbox(key="care_kind"), at.selectbox(key="care_month")
    assert (care_kind.value, care_month.value) == ("surprise", chosen_month)
    assert browser.showing(care_kind) == i18n.t("care.kind.surprise", "th")
    assert browser.showing(care_month).endswith(str(int(chosen_month[:4]) + 543))
    switch_language(at, "en")
    assert at.selectbox(key="care_kind").value == "surprise"
    assert browser.showing(at.selectbox(key="care_kind")) == "pleasant surprise"
    assert not at.exception


def test_the_complaints_filter_and_status_survive_a_language_switch(app_db, monkeypatch):
    open_page(None, "en")
    with db_session(app_db) as session:
        made = complaints.record_complaint(session, text="Wrong bill", received=date.today(), severity=3, user="lead")
    at = open_page(COMPLAINTS, "en")
    browser = Browser(monkeypatch)
    at.selectbox(key="complaints_status").select("open").run()
    prefix = f"complaint_{made.id}_1"
    at.selectbox(key=f"{prefix}_status").select("in_progress").run()
    switch_language(at, "th")
    assert at.selectbox(key="complaints_status").value == "open"
    assert browser.showing(at.selectbox(key="complaints_status")) == i18n.t("complaint.status.open", "th")
    assert at.selectbox(key=f"{prefix}_status").value == "in_progress"
    assert browser.showing(at.selectbox(key=f"{prefix}_status")) == i18n.t("complaint.status.in_progress", "th")
    assert not at.exception


# ---------------------------------------------------------------- a newcomer's walk through the pages


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_person_picker_with_nobody_in_the_directory_points_to_the_people_page(app_db, lang):
    at, _ = profile_of(app_db, lang, tab="details")
    hint = i18n.t("customer_pick.no_people", lang, page=i18n.t("page.people", lang))
    assert any(c.value == hint for c in at.caption)
    with db_session(app_db) as session:
        plan.add_person(session, name="Dao", user="admin")
    at.run()
    assert not any(c.value == hint for c in at.caption)


def test_notes_read_as_notes_in_thai_not_as_save(app_db):
    at, customer = profile_of(app_db, "th", tab="contacts")
    labels = {w.label for w in at.text_area}
    assert "หมายเหตุ" in labels and i18n.t("common.save", "th") not in labels
    assert at.text_area(key="contact_0_0_notes").label == "หมายเหตุ"
    profile_tab(at, "details", "th")
    assert at.text_area(key=f"profile_{customer.id}_notes").label == "หมายเหตุ"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_an_email_that_is_not_an_email_address_is_refused_on_the_profile(app_db, lang):
    at, _ = profile_of(app_db, lang, tab="contacts")
    at.text_input(key="contact_0_0_name").input("Khun Dao").run()
    at.text_input(key="contact_0_0_email").input("dao at example").run()
    button(at, "contact_save").click().run()
    assert count(app_db, Contact) == 0
    assert any(i18n.t("contact.field.email", lang) in e.value and "dao at example" in e.value for e in at.error)
    assert at.text_input(key="contact_0_0_email").value == "dao at example"


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_years_on_the_profile_are_buddhist_era_in_thai(app_db, lang):
    at, customer = profile_of(app_db, lang)
    this_year = date.today().year
    shown = [str(y + 543 if lang == "th" else y) for y in (this_year - 2, this_year - 1, this_year)]
    history = next(c.value for c in at.caption if c.value.startswith(i18n.t("profile.class_history", lang,
                                                                            history="")))
    assert [part.split(":")[0] for part in history.split(": ", 1)[1].split(" · ")] == shown
    with db_session(app_db) as session:
        contact = profile.save_contact(session, customer_id=customer.id, values={"name": "Khun Dao"},
                                       decision_maker=False, user="admin")
        profile.erase_contact(session, contact_id=contact.id, user="admin")
    profile_tab(at, "contacts", lang)
    before_when = i18n.t("contact.erased", lang, when="\x00").split("\x00")[0]
    erased = next(c.value for c in at.caption if c.value.startswith(before_when))
    assert f"/{shown[-1]} " in erased


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_a_complaint_card_shows_where_it_happened_and_when_it_is_due(app_db, lang):
    at, customer = profile_of(app_db, lang, tab="complaints")
    tree = sample(app_db)
    stage, step = tree.stages[0], tree.stages[0].steps[0]
    late = date.today() - timedelta(days=40)
    with db_session(app_db) as session:
        linked = complaints.record_complaint(session, text="Slow answer", received=late, severity=2,
                                             customer_id=customer.id, step_id=step.step.id, user="lead")
        loose = complaints.record_complaint(session, text="Rude driver", received=date.today(), severity=1,
                                            customer_id=customer.id, user="lead")
    at.run()
    place = i18n.t("complaint.where", lang, place=f"{stage.stage.name} › {step.step.name}")
    assert any(c.value == place for c in at.caption)
    cards = [m.value for m in at.markdown if i18n.t("complaint.severity_n", lang, n=2) in m.value
             or i18n.t("complaint.severity_n", lang, n=1) in m.value]
    late_card = next(c for c in cards if i18n.t("complaint.severity_n", lang, n=2) in c)
    assert i18n.t("complaint.due_on", lang, day=months.day_text(linked.due, lang)) in late_card
    assert i18n.t("complaint.overdue", lang) in late_card
    on_time = next(c for c in cards if i18n.t("complaint.severity_n", lang, n=1) in c)
    assert i18n.t("complaint.due_on", lang, day=months.day_text(loose.due, lang)) in on_time
    assert i18n.t("complaint.overdue", lang) not in on_time
    assert sum(c.value.startswith(i18n.t("complaint.where", lang, place="")) for c in at.caption) == 1


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_resolving_a_complaint_says_whose_complaint_and_what_it_is_now(app_db, lang):
    open_page(None, lang)
    customer = first_customer(app_db)
    with db_session(app_db) as session:
        made = complaints.record_complaint(session, text="Wrong bill twice", received=date.today(), severity=3,
                                           customer_id=customer.id, user="lead")
    at = open_page(COMPLAINTS, lang)
    prefix = f"complaint_{made.id}_1"
    at.selectbox(key=f"{prefix}_status").select("resolved").run()
    at.text_area(key=f"{prefix}_resolution").input("Refunded").run()
    button(at, "complaint_update").click().run()
    assert [t.value for t in at.toast] == [i18n.t("complaint.updated_to", lang, customer=customer.name,
                                                  status=i18n.t("complaint.status.resolved", lang))]


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_sla_inputs_say_which_end_is_the_most_severe(app_db, lang):
    at = open_page(COMPLAINTS, lang)
    assert at.number_input(key="complaint_sla_1").label == i18n.t("complaint.sla_for_mildest", lang, where=1)
    assert at.number_input(key="complaint_sla_5").label == i18n.t("complaint.sla_for_most_severe", lang, where=5)
    assert at.number_input(key="complaint_sla_3").label == i18n.t("complaint.sla_for", lang, where=3)
    assert any(i18n.t("complaint.severity_scale", lang) in c.value for c in at.caption)
    viewer = open_page(COMPLAINTS, lang, user="viewer")
    assert any(i18n.t("complaint.severity_scale", lang) in c.value for c in viewer.caption)


@pytest.mark.parametrize("lang", i18n.LANGS)
def test_the_complaints_table_starts_with_what_a_handler_needs_first(app_db, lang):
    open_page(None, lang)
    with db_session(app_db) as session:
        complaints.record_complaint(session, text="Wrong bill", received=date.today() - timedelta(days=40),
                                    severity=4, user="lead")
    at = open_page(COMPLAINTS, lang)
    first = ["complaint.col.severity", "complaint.col.status", "complaint.col.due", "complaint.col.overdue",
             "complaint.col.customer", "complaint.col.text"]
    for table in at.dataframe[:2]:  # the overdue ones, and all
        assert list(table.value.columns)[:6] == [i18n.t(k, lang) for k in first]
