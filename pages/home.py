import streamlit as st

from artcore import home, ui

lib = ui.library()
st.title("Artcore")
st.markdown(
    "A studio for artists: bring in your paintings, see your collection side by side, repaint pictures in any "
    "painting's style and make new images. Everything runs on this server; nothing is sent anywhere."
)

g = home.glance(lib)
board = ui.board()
importing = board.find("import", purpose="samples")
last = board.find("import", active=False, purpose="samples")
if importing:
    ui.job_progress(importing.id, "Copying the sample paintings into your library")
elif last and last.status in ("interrupted", "stopped"):
    with st.container(border=True):
        st.markdown(f"**The import of the sample paintings stopped** at {last.done:,} of {last.total:,} pictures "
                    f"({last.message.rstrip('.')}). Resume it to bring in the rest; what was copied stays.")  # fmt: skip
        if ui.teacher_unlocked("resume the import", "resume") and st.button("Resume the import", type="primary"):
            board.resume(last.id)
            st.rerun()
if g["images"] == 0 and not importing:
    with st.container(border=True):
        st.markdown("**Your library is empty.** Open **Library** to bring in your own pictures.")
        samples = home.sample_folders()
        if samples:
            st.markdown("Or start with the sample paintings:\n" + "\n".join(f"- {line}" for line in home.sample_description()))
            if ui.teacher_unlocked("import the sample paintings", "samples") and st.button(
                    "Import the sample paintings", type="primary"):  # fmt: skip
                ui.start_job("import", home.sample_import(samples), "Importing the sample paintings")
                st.rerun()
if g["images"]:
    # What there is: zero counts (no genres yet, nothing skipped) are left out rather than shown as 0.
    names = {"images": "Images", "artists": "Artists", "genres": "Genres", "styles": "Styles",
             "skipped": "Files that could not be read"}  # fmt: skip
    shown = [(names[k], v) for k, v in g.items() if v or k == "images"]
    for col, (name, value) in zip(st.columns(5), shown):
        col.metric(name, f"{value:,}")

st.subheader("What each page does")
pages = home.PAGES[1:]
for row in range(0, len(pages), 4):  # one row of columns per four pages, so cards read in the sidebar's order
    for col, (path, title, icon, text) in zip(st.columns(4), pages[row : row + 4]):
        with col.container(border=True, height="stretch"):
            st.page_link(path, label=f"**{title}**", icon=icon)
            st.caption(text)

if g["images"]:
    st.subheader("Recently added")
    ui.thumbnail_grid(lib, lib.records(limit=12, newest_first=True)[::-1], columns=6, caption_field="artist")
