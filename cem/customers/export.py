"""Tables of the customers' pages as files to download: the ranked 20:80
list as an Excel workbook, the refused rows of a billing file as CSV."""
from __future__ import annotations

import csv
import io
from typing import Any, Sequence

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cem.core import months
from cem.core.i18n import t
from cem.core.text import safe_file_name
from cem.customers.billing import Refusal
from cem.journey.csv_export import looks_like_formula
from cem.journey.excel import write_cell
from cem.customers.pareto import Pareto

BAHT = '#,##0.00 "฿"'
PERCENT = "0.00%"


def ranking_file_name(first: str, last: str, lang: str) -> str:
    """The ranked list's file name, its months as people read them in
    `lang` (Buddhist-era years in Thai)."""
    period = months.label(first, lang) + ("" if first == last else f" – {months.label(last, lang)}")
    return safe_file_name(t("customers.ranking_file", lang, period=period), "xlsx", fallback="ranking")


def table_xlsx(title: str, headings: Sequence[str], rows: Sequence[Sequence[Any]],
               formats: dict[int, str] | None = None, widths: dict[int, int] | None = None) -> bytes:
    """One sheet: bold headings, then the rows; `formats` and `widths` by
    column index. Text is never a formula (see write_cell)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title[:31]
    bold = Font(bold=True)
    for col, heading in enumerate(headings, 1):
        write_cell(sheet.cell(row=1, column=col), heading).font = bold
        sheet.column_dimensions[get_column_letter(col)].width = (widths or {}).get(col - 1, 16)
    for r, row in enumerate(rows, 2):
        for col, value in enumerate(row, 1):
            cell = write_cell(sheet.cell(row=r, column=col), value)
            if formats and col - 1 in formats:
                cell.number_format = formats[col - 1]
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def ranking_xlsx(result: Pareto, names: dict[int, tuple[str, str, str]], lang: str) -> bytes:
    """The ranked customers of a 20:80 analysis: rank, code, name, group,
    revenue in baht, share, cumulative share, class."""
    headings = [t(f"customers.col.{c}", lang) for c in
                ("rank", "code", "name", "segment", "revenue", "share", "cumulative", "class")]
    rows = []
    for rank, (customer_id, revenue, share, cumulative, abc) in enumerate(
            zip(result.customer_ids, result.revenue, result.share, result.cumulative_share, result.classes), 1):
        code, name, segment = names[int(customer_id)]
        rows.append([rank, code, name, segment, float(revenue), float(share), float(cumulative), str(abc)])
    return table_xlsx(t("customers.table_title", lang), headings, rows,
                      formats={4: BAHT, 5: PERCENT, 6: PERCENT}, widths={1: 14, 2: 36, 3: 20, 4: 18})


def refusals_csv(refused: Sequence[Refusal], lang: str) -> bytes:
    """The refused rows of a billing file, one line per problem, in UTF-8
    with a byte order mark so that Excel reads the Thai."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([t(f"bills_page.col.{c}", lang) for c in ("row", "column", "value", "problem")])
    for refusal in refused:
        value = refusal.value
        if looks_like_formula(value):
            value = "'" + value  # a spreadsheet must not run it
        writer.writerow([refusal.row, refusal.column, value, t(refusal.code, lang, **{**refusal.params, "value": refusal.value})])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def vip_contacts_xlsx(session, *, lang: str, user: str) -> bytes:
    """Every VIP's key contacts with their phones, e-mail and LINE ID, for
    someone who may read them (see profile.may_see_contacts); the export is
    logged (PDPA). PermissionDenied for anyone else."""
    from sqlalchemy import select

    from cem.core.auth import PermissionDenied, find_user
    from cem.core.models import Contact, Customer
    from cem.customers import profile

    if not profile.may_see_contacts(session, user=user):
        account = find_user(session, user)
        raise PermissionDenied("err.forbidden", role=f"role.{account.role}" if account else "—",
                               action="action.contacts.read")
    rows = session.execute(
        select(Customer.code, Customer.name, Contact.name, Contact.position, Contact.office_phone, Contact.mobile,
               Contact.email, Contact.line_id, Contact.decision_maker, Contact.channel, Contact.contact_time)
        .join(Contact, Contact.customer_id == Customer.id)
        .where(Customer.vip, Contact.erased_at.is_(None)).order_by(Customer.code, Contact.name)).all()
    session.rollback()
    headings = [t("customers.col.code", lang), t("customers.col.name", lang),
                *(t(f"contact.field.{name}", lang) for name in
                  ("name", "position", "office_phone", "mobile", "email", "line_id")),
                t("contact.decision_maker", lang), t("contact.field.channel", lang),
                t("contact.field.contact_time", lang)]
    table = [[*row[:8], "✓" if row[8] else "", t(f"contact.channel.{row[9]}", lang) if row[9] else "", row[10]]
             for row in rows]
    data = table_xlsx(t("vip.contacts_sheet", lang), headings, table, widths={1: 30, 2: 24, 3: 22, 6: 26})
    profile.log_contacts_export(session, what="vip_contacts", customers=len({r[0] for r in rows}), user=user)
    return data
