"""The benchmark's empty page: a rerun of it is the app shell alone (sign-in,
sidebar, navigation), the floor every page is measured against."""
import streamlit as st

st.title("—")
