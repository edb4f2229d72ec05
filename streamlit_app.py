"""Artcore's web app: ``streamlit run streamlit_app.py`` (or ``artcore app``)."""

import streamlit as st

from artcore import config, guard, shared, ui
from artcore.home import PAGES

# Also in .streamlit/config.toml; set here too, so it holds whatever folder the server was started from.
st.set_option("client.showErrorDetails", "none")
st.set_page_config(page_title="Artcore", page_icon="🎨", layout="wide")
shared.keep_memory_low()  # a class server's housekeeping thread (started once; nothing on a personal server)

nav = st.navigation([st.Page(path, title=title, icon=icon, default=i == 0) for i, (path, title, icon, _) in enumerate(PAGES)])
st.sidebar.caption(f"Library: **{config.library_dir().name}**")
guard.run_page(ui.jobs_panel)  # the sidebar's background work, on every page
guard.run_page(nav)  # an error on a page is one plain sentence (or an apology with an id), never a traceback
