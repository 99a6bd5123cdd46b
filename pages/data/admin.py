"""Administration: accounts and roles, and a full backup of the database
and restoring one. Administrators only (the services check it too)."""
import streamlit as st

from cem.core import auth as accounts
from cem import backup
from cem.core.errors import CemError
from cem.core.models import ROLES
from ui import auth, common, widgets

common.ensure_entry_point()

t = common.t
st.title(t("page.admin"))
user = common.user()
if not auth.allowed("users.manage"):
    st.warning(t("err.forbidden_page"))
    st.stop()
role_label = {r: t(f"role.{r}") for r in ROLES}

# ---------------------------------------------------------------- accounts
st.subheader(t("admin.users"), anchor=False)
st.caption(t("admin.roles_help"))
with common.db() as session:
    users = accounts.list_users(session)
st.dataframe([{t("auth.username"): u.username, t("auth.display_name"): u.display_name,
               t("admin.role"): role_label.get(u.role, u.role), t("admin.email"): u.email,
               t("admin.active"): "✅" if u.active else "⛔",
               t("admin.last_login"): u.last_login_at.strftime("%Y-%m-%d %H:%M") if u.last_login_at else "—"}
              for u in users], hide_index=True, width="stretch", key="admin_users_table")

add, change = st.tabs([t("admin.add_user"), t("admin.change_user")])
with add:
    # A refused account keeps what was typed; only a success empties the form.
    widgets.form_defaults("admin_add_form", {"admin_new_username": "", "admin_new_name": "", "admin_new_email": "",
                                             "admin_new_role": "editor", "admin_new_password": ""})
    with st.form("admin_add_form", clear_on_submit=False, border=False):
        username = st.text_input(t("auth.username"), key="admin_new_username", max_chars=100,
                                 help=t("auth.username_help"))
        name = st.text_input(t("auth.display_name"), key="admin_new_name", max_chars=200)
        email = st.text_input(t("admin.email"), key="admin_new_email", max_chars=200, help=t("admin.email_help"))
        role = st.selectbox(t("admin.role"), ROLES, format_func=role_label.get, key=common.translated("admin_new_role"))
        password = st.text_input(t("auth.password"), type="password", key="admin_new_password",
                                 help=t("auth.password_help", min=accounts.MIN_PASSWORD_LENGTH))
        if st.form_submit_button(t("admin.add_user"), type="primary", key="admin_add"):
            try:
                with common.db() as session:
                    accounts.create_user(session, username=username, display_name=name, email=email, role=role,
                                         password=password, user=user)
            except CemError as error:
                common.show_error(error)
            else:
                widgets.form_succeeded("admin_add_form")
                common.flash(t("admin.user_added", name=common.md(username)))
                st.rerun()


def save_account(username: str, version: int, suffix: str) -> None:
    """The Save button's callback, with the version the form was drawn
    with: a change another administrator made since is not undone."""
    state = st.session_state
    password = state.get(f"admin_edit_password_{suffix}", "")
    state[f"admin_edit_password_{suffix}"] = ""  # not kept in session state
    try:
        with common.db() as session:
            accounts.update_user(session, username=username, role=state[f"admin_edit_role_{suffix}"],
                                 active=state[f"admin_edit_active_{suffix}"], password=password or None,
                                 version=version, user=user)
    except CemError as error:
        state["admin_edit_error"] = error
    else:
        common.flash(t("common.saved"))


with change:
    names = [u.username for u in users]
    chosen = st.selectbox(t("auth.username"), names, key="admin_edit_user")
    target = next(u for u in users if u.username == chosen)
    suffix = f"{target.id}_{target.version}"  # a newer version draws the form afresh
    with st.form(f"admin_edit_form_{suffix}", border=False):
        st.selectbox(t("admin.role"), ROLES, index=ROLES.index(target.role), format_func=role_label.get,
                     key=f"admin_edit_role_{suffix}")
        st.toggle(t("admin.active"), value=target.active, key=f"admin_edit_active_{suffix}")
        st.text_input(t("admin.new_password"), type="password", key=f"admin_edit_password_{suffix}",
                      help=t("admin.new_password_help"))
        st.form_submit_button(t("common.save"), type="primary", key="admin_edit_save", on_click=save_account,
                              args=(target.username, target.version, suffix))
    if "admin_edit_error" in st.session_state:
        common.show_error(st.session_state.pop("admin_edit_error"))

# ---------------------------------------------------------------- backup and restore
st.divider()
st.subheader(t("admin.backup"), anchor=False)
st.caption(t("admin.backup_help"))
st.warning(t("admin.backup_secret"), icon="🔒")


# The app's own address sends the file to this browser's session if it is an
# administrator's (ui.auth.http_routes): no copy waits at a /media address.
hashes = st.checkbox(t("sessions.with_password_hashes"), key="admin_backup_hashes",
                     help=t("sessions.with_password_hashes_help"))
st.link_button(t("admin.download_backup"), auth.BACKUP_ROUTE + ("?password_hashes=1" if hashes else ""), icon="💾")
upload = widgets.file_uploader(t("admin.restore_file"), type=["json"], key="admin_restore_upload",
                               max_mb=backup.MAX_BACKUP_BYTES // 2**20)
confirm = st.checkbox(t("admin.restore_confirm"), key="admin_restore_confirm")
if st.button(t("admin.restore"), key="admin_restore", type="primary", disabled=upload is None or not confirm,
             icon="♻️"):
    try:
        with common.db() as session:
            counts = backup.restore_backup(session, data=upload.getvalue(), user=user)
    except CemError as error:
        common.show_error(error)
    else:
        st.cache_data.clear()  # restored journeys have new revisions; this frees the old pictures at once
        st.session_state.pop(common.JOURNEY_KEY, None)
        common.flash(t("admin.restored", rows=sum(counts.values())))
        st.rerun()
