"""Tables of the customers' pages as files to download: the ranked 20:80
list as an Excel workbook, the refused rows of a billing file as CSV."""
from __future__ import annotations

import csv
import io
from typing import Any, Sequence

import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from cem.core.i18n import t
from cem.customers.billing import Refusal
from cem.journey.csv_export import looks_like_formula
from cem.journey.excel import write_cell
from cem.customers.pareto import Pareto

BAHT = '#,##0.00 "฿"'
PERCENT = "0.00%"


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
