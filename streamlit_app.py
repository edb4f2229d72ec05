"""Artcore's web app: ``streamlit run streamlit_app.py`` (or ``artcore app``)."""

import streamlit as st

from artcore import config
from artcore.home import PAGES

st.set_page_config(page_title="Artcore", page_icon="🎨", layout="wide")

nav = st.navigation([st.Page(path, title=title, icon=icon, default=i == 0) for i, (path, title, icon, _) in enumerate(PAGES)])
st.sidebar.caption(f"Library: `{config.library_dir()}`")
nav.run()
