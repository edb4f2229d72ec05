import streamlit as st

from artcore import ui
from artcore.errors import UserError
from artcore.library import LABEL_FIELDS

lib = ui.library()
st.title("Library")
tab_import, tab_browse = st.tabs(["Import", "Browse"])


def show_report(report) -> None:
    st.success(f"Added {report.added} images; {report.duplicates} were already in the library "
               f"({report.seconds:.1f} s).")  # fmt: skip
    if report.cancelled:
        st.warning("Import stopped. Run it again to continue where it stopped; nothing is imported twice.")
    if report.skipped:
        n = len(report.skipped)
        st.warning(f"{n} file{'s' if n != 1 else ''} could not be imported:")
        st.dataframe(report.skipped, hide_index=True, width="stretch")


with tab_import:
    st.subheader("Upload images")
    files = st.file_uploader("Drop images here (many at once)", accept_multiple_files=True,
                             type=["jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"])  # fmt: skip
    cols = st.columns(3)
    labels = {f: cols[i].text_input(f"{f.capitalize()} (optional)", key=f"upload_{f}") for i, f in enumerate(LABEL_FIELDS)}
    if st.button("Add to library", disabled=not files, key="upload_go"):
        bar = ui.Progress("Adding…")
        show_report(lib.import_uploads(((f.name, f.getvalue()) for f in files), labels, progress=bar))
        bar.clear()

    st.subheader("Import a folder on this server")
    folder = st.text_input("Folder", placeholder="/path/to/paintings", key="folder_path")
    layout = st.selectbox("Layout", ["auto", "folder", "kaggle", "wikiart"],
                          format_func={"auto": "Detect automatically", "folder": "Plain folders",
                                       "kaggle": "Kaggle “Best Artworks” (images/ + artists.csv)",
                                       "wikiart": "WikiArt genre folders"}.get)  # fmt: skip
    meaning = st.radio("Sub-folder names are", ["artist", "genre", "style", "not labels"], horizontal=True,
                       help="For plain folders: Monet/water_lilies.jpg labels the image with artist Monet.")  # fmt: skip
    if st.button("Import folder", type="primary", disabled=not folder, key="folder_go"):
        # Clicking Stop reruns the page, which interrupts the import; what was imported stays.
        stop = st.empty()
        stop.button("Stop", key="folder_stop", help="Stops now; importing the folder again continues where it stopped.")
        bar = ui.Progress("Importing…")
        try:
            report = lib.import_path(folder, layout=layout, progress=bar,
                                     label_from="none" if meaning == "not labels" else "parent",
                                     label_field="artist" if meaning == "not labels" else meaning)  # fmt: skip
        except UserError as exc:
            st.error(str(exc))
        else:
            show_report(report)
        stop.empty()
        bar.clear()

with tab_browse:
    stats = lib.stats()
    if not stats["images"]:
        st.info("Nothing here yet: import some images first.")
    else:
        c1, c2, c3 = st.columns([1, 2, 1])
        field = c1.selectbox("Filter by", LABEL_FIELDS, key="browse_field")
        choices = ["all"] + list(stats["labels"][field])
        value = c2.selectbox(field.capitalize(), choices, key="browse_value")
        rows = lib.records(field=field, value=value) if value != "all" else lib.records()
        per_page = 48
        pages = max(1, -(-len(rows) // per_page))
        page = c3.number_input(f"Page (of {pages})", 1, pages, 1, key="browse_page")
        st.caption(f"{len(rows)} images")
        ui.thumbnail_grid(lib, rows[(page - 1) * per_page : page * per_page], columns=8, caption_field=field)
