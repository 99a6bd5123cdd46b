"""Plotly charts drawn from finished specs kept between reruns.

Building a plotly Figure checks every property in Python, some 5 to 15 ms a
chart, and st.plotly_chart then deep-copies it into a plain dict: a page
with seven charts spent most of each rerun there, though the charts had
not changed. Each chart's plain spec is therefore built once per
`cache_key` (what the chart shows: the data's revision or stamp, the
filters, the language) and shared by every session; only the JSON is
written on each rerun, as st.plotly_chart always does.
"""
from __future__ import annotations

from typing import Callable

import plotly.graph_objects as go
import streamlit as st
from plotly.basedatatypes import BaseFigure


class _Finished(BaseFigure):
    """A finished spec in the shape st.plotly_chart takes: it asks a figure
    only for to_dict(). BaseFigure.__init__ is skipped on purpose: it would
    check the spec all over again."""

    def __init__(self, spec: dict):  # noqa: super().__init__ deliberately not called
        self._finished_spec = spec

    def to_dict(self) -> dict:
        return self._finished_spec


@st.cache_resource(max_entries=512, show_spinner=False)
def _spec(cache_key: tuple, _build: Callable[[], go.Figure]) -> dict:
    return _build().to_dict()


def chart(build: Callable[[], go.Figure], *, cache_key: tuple, key: str, config: dict | None = None,
          where=None, on_select: str | Callable[[], None] = "ignore", selection_mode=("points", "box", "lasso")):
    """st.plotly_chart(build(), key=key, config=config), with the figure
    built only when `cache_key` has not been drawn before. `cache_key` must
    name everything the figure depends on; read-only, shared by all. With
    `on_select`, points can be picked on the chart (see st.plotly_chart)."""
    return (where or st).plotly_chart(_Finished(_spec((key, *cache_key), build)), key=key, config=config,
                                      on_select=on_select, selection_mode=selection_mode)
