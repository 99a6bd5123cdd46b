"""Customers 20:80: which customers bring most of the revenue in a period,
as a Pareto chart, a Lorenz curve, ABC classes and a ranked list."""
import pandas as pd
import streamlit as st

from cem.core import months
from cem.customers import analysis, charts, export, vip
from ui import charts as ui_charts
from ui import common, periods
from ui.customer_widgets import counted
from ui.common import translated

common.ensure_entry_point()

t = common.t
st.title(t("page.customers_pareto"))
st.caption(t("customers.intro"))


SHOWN = 1_000  # ranked customers on screen; the download has them all


@st.cache_resource(max_entries=32, show_spinner=False)
def period_analysis(url: str, stamp: tuple, period: analysis.Period, a_limit: float, b_limit: float):
    """The analysis and the customers' names, once per change of the bills,
    shared by every session without a copy per rerun (a million bills make
    50,000 customers). Read-only: never change what it returns."""
    with common.db() as session:
        result = analysis.pareto(session, period, a_limit=a_limit, b_limit=b_limit)
        names = analysis.customer_names(session, [*result.customer_ids, *result.not_positive])
    return result, names


@st.cache_data(max_entries=8, show_spinner=False)
def data_overview(url: str, stamp: tuple):
    with common.db() as session:
        return analysis.bill_range(session), analysis.choices(session)


with common.db() as session:
    stamp = analysis.data_stamp(session)
    rule = vip.settings(session)
span, (service_names, segment_names) = data_overview(common.database_url(), stamp)
if span is None:
    st.info(t("customers.no_bills"))
    st.page_link("pages/customers/bills.py", label=t("customers.go_import"), icon="🧾")
    st.stop()

all_months = months.between(months.of(span[0]), months.of(span[1]))
lang = common.lang()
months_box, service_box, segment_box = st.columns([2, 1, 1])
first, last = periods.month_range("customers", all_months, where=months_box)
everything = t("customers.all")
service = service_box.selectbox(t("customers.service"), ["", *service_names], key=translated("customers_service"),
                                format_func=lambda s: s or everything)
segment = segment_box.selectbox(t("customers.segment"), ["", *segment_names], key=translated("customers_segment"),
                                format_func=lambda s: s or everything)
period = periods.period(first, last, service, segment)
result, names = period_analysis(common.database_url(), stamp, period, rule.a_limit, rule.b_limit)

if not result.customers:
    st.info(t("customers.none_in_period"))
    st.stop()

cards = st.columns(4)
cards[0].metric(t("customers.metric.customers"), f"{result.customers:,}", help=t("customers.metric.customers_help"))
cards[1].metric(t("customers.metric.revenue"), f"฿{result.total:,.0f}", help=t("customers.metric.revenue_help"))
cards[2].metric(t("customers.metric.top_share"), f"{result.top_share * 100:.1f} %",
                help=t("customers.metric.top_share_help", n=result.top_customers))
cards[3].metric(t("customers.metric.needed"), f"{result.needed_share * 100:.1f} %",
                help=t("customers.metric.needed_help", n=result.needed_customers))
st.markdown(t("customers.reading", top=f"{result.top_share * 100:.0f}", n=result.top_customers,
              needed=f"{result.needed_share * 100:.0f}", needed_n=result.needed_customers,
              gini=f"{result.gini:.2f}"))
if result.not_positive:
    st.caption(counted("customers.not_positive", len(result.not_positive)))

tr = common.translator()
chart_left, chart_right = st.columns([3, 2])
# Built once per change of the bills, period, limits and language (see ui.charts).
shown = (common.database_url(), stamp, period, rule.a_limit, rule.b_limit, lang)
ui_charts.chart(lambda: charts.pareto_chart(result, tr), cache_key=shown, key="customers_pareto_chart",
                config={"displaylogo": False}, where=chart_left)
ui_charts.chart(lambda: charts.lorenz_chart(result, tr), cache_key=shown, key="customers_lorenz_chart",
                config={"displaylogo": False}, where=chart_right)

st.subheader(t("customers.abc_title"))
st.caption(t("customers.abc_help", a=f"{rule.a_limit * 100:g}", b=f"{rule.b_limit * 100:g}"))
classes = pd.DataFrame({"class": result.classes, "revenue": result.revenue})
abc = classes.groupby("class")["revenue"].agg(["count", "sum"]).reindex(["A", "B", "C"], fill_value=0)
st.dataframe(pd.DataFrame({
    t("customers.col.class"): abc.index,
    t("customers.col.customers"): abc["count"].astype(int).values,
    t("customers.col.revenue"): abc["sum"].values,
    t("customers.col.share"): abc["sum"].values / result.total * 100,
}), hide_index=True, key="customers_abc",
    column_config={t("customers.col.revenue"): st.column_config.NumberColumn(format="฿%,.0f"),
                   t("customers.col.share"): st.column_config.NumberColumn(format="%.1f %%")})

st.subheader(t("customers.table_title"))
top = result.customer_ids[:SHOWN]
st.dataframe(pd.DataFrame({
    t("customers.col.rank"): range(1, len(top) + 1),
    t("customers.col.code"): [names[int(i)][0] for i in top],
    t("customers.col.name"): [names[int(i)][1] for i in top],
    t("customers.col.segment"): [names[int(i)][2] for i in top],
    t("customers.col.revenue"): result.revenue[:SHOWN],
    t("customers.col.share"): result.share[:SHOWN] * 100,
    t("customers.col.cumulative"): result.cumulative_share[:SHOWN] * 100,
    t("customers.col.class"): result.classes[:SHOWN],
}), hide_index=True, key="customers_ranking",
    column_config={t("customers.col.revenue"): st.column_config.NumberColumn(format="฿%,.2f"),
                   t("customers.col.share"): st.column_config.NumberColumn(format="%.2f %%"),
                   t("customers.col.cumulative"): st.column_config.NumberColumn(format="%.1f %%")})
if result.customers > SHOWN:
    st.caption(t("customers.shown_top", shown=f"{SHOWN:,}", n=f"{result.customers:,}"))
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
st.download_button(t("customers.ranking_download"), data=lambda: export.ranking_xlsx(result, names, lang),
                   file_name=export.ranking_file_name(first, last, lang),
                   mime=XLSX, key="customers_ranking_download", on_click="ignore", icon="⬇️")
