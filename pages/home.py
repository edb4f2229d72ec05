import streamlit as st

from artcore import home, ui

lib = ui.library()
st.title("Artcore")
st.markdown(
    "An AI studio for artists: collect paintings, see your collection the way a neural network sees it, "
    "and make new images from it. Everything runs on this server; nothing is sent anywhere."
)

g = home.glance(lib)
cols = st.columns(5)
for col, (name, value) in zip(cols, g.items()):
    col.metric(name.capitalize(), value)

st.subheader("What each page does")
cols = st.columns(4)
for i, (path, title, icon, text) in enumerate(home.PAGES[1:]):
    with cols[i % 4].container(border=True, height="stretch"):
        st.page_link(path, label=f"**{title}**", icon=icon)
        st.caption(text)

if g["images"] == 0:
    st.info("Your library is empty. Open **Library** to upload images or import a folder.")
    samples = home.sample_folders()
    if samples and st.button("Import the sample paintings (10 impressionists and 4 Louvre genres)", type="primary"):
        for folder, field in samples:
            bar = ui.Progress(f"Importing {folder.rsplit('/', 1)[-1]}…")
            lib.import_path(folder, label_from="parent", label_field=field, progress=bar)
            bar.clear()
        st.rerun()
else:
    st.subheader("Recently added")
    ui.thumbnail_grid(lib, lib.records()[-12:], columns=6, caption_field="artist")
