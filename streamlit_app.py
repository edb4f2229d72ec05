"""Artcore's web app: ``streamlit run streamlit_app.py`` (or ``artcore app``)."""

import streamlit as st

from artcore import config

st.set_page_config(page_title="Artcore", page_icon="🎨", layout="wide")

# (file, title, icon); a page is listed only once it works end to end.
PAGES = [
    ("pages/home.py", "Home", ":material/home:"),
    ("pages/library.py", "Library", ":material/photo_library:"),
    ("pages/explore.py", "Explore", ":material/insights:"),
]

nav = st.navigation([st.Page(path, title=title, icon=icon, default=i == 0) for i, (path, title, icon) in enumerate(PAGES)])
st.sidebar.caption(f"Library: `{config.library_dir()}`")
nav.run()
