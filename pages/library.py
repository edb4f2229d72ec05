from pathlib import Path

import streamlit as st

from artcore import shared, ui
from artcore.errors import UserError, sentence
from artcore.library import LABEL_FIELDS, detect_label_field, detect_layout

lib = ui.library()
st.title("Library")
st.markdown("Your pictures live here. **Bring them in** (upload files, or import a folder where each sub-folder is "
            "an artist, a genre or a style), then **browse** them, fix names and remove what you do not want.")  # fmt: skip
MESSAGE = "library_message"  # what the last label fix or removal did, shown once at the top
messages = st.container()
proposals = st.container()  # filled at the end of the script, so it reflects an import made in this run
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


def show_result(job) -> None:
    """What a finished folder import did: its summary, or why it stopped, and the files it could not read."""
    from artcore.jobs import describe

    (st.success if job.status == "done" else st.warning)(describe(job))
    if job.status in ("stopped", "interrupted"):
        st.caption("Import the folder again (or press Resume in the sidebar) to continue; nothing is imported twice.")
    skipped = (job.result or {}).get("skipped_files")
    if skipped:
        st.warning(f"{len(skipped)} file{'s' if len(skipped) != 1 else ''} could not be imported:")
        st.dataframe(skipped, hide_index=True, width="stretch")


def images(n: int) -> str:
    return f"{n} image{'s' if n != 1 else ''}"


# ------------------------------------------------------------ actions (run as callbacks, before the page is drawn)


def act(do, done, reset: tuple[str, ...] = ()) -> None:
    """Run ``do()``; keep a message saying what it did (``done(result)``) or why it could not."""
    try:
        result = do()
    except UserError as exc:
        st.session_state[MESSAGE] = ("error", sentence(exc))
        return
    st.session_state[MESSAGE] = ("success", done(result))
    for key in reset:
        st.session_state.pop(key, None)


def merged(results: list[dict]) -> str:
    if len(results) == 1:
        r = results[0]
        return f"Merged “{r['old']}” into “{r['new']}”: {images(r['total'])} now labelled “{r['new']}”."
    return f"Merged {len(results)} labels: " + ", ".join(f"{r['old']} → {r['new']}" for r in results) + "."


def merge_pairs(groups: dict[str, list[tuple[str, str]]]) -> None:
    """Merge the pairs of each field ({"artist": [("Monet", "Claude Monet")], ...})."""
    act(lambda: [r for f, pairs in groups.items() for r in lib.merge_proposed(f, pairs)], merged)


def rename(field: str, old: str) -> None:
    new = st.session_state.get("fix_new", "")

    def done(r: dict) -> str:
        st.session_state["fix_label"] = r["new"]
        return merged([r]) if r["merged"] else f"Renamed “{r['old']}” to “{r['new']}” ({images(r['images'])})."

    act(lambda: lib.rename_label(field, old, new), done, reset=("fix_new",))


def merge_into(field: str, old: str) -> None:
    into = st.session_state.get("fix_into")
    if into is None:
        st.session_state[MESSAGE] = ("error", "Choose the label to merge into first.")
        return

    def done(r: dict) -> str:
        st.session_state["fix_label"] = r["new"]
        return merged([r])

    act(lambda: lib.merge_label(field, old, into), done, reset=("fix_into",))


def delete(field: str, name: str, sure_key: str) -> None:
    act(lambda: lib.delete_label(field, name),
        lambda r: f"Cleared the {r['field']} “{r['label']}” from {images(r['images'])}; the images stay.",
        reset=(sure_key, "fix_label"))  # fmt: skip


def remove(pick_key: str) -> None:
    shas = st.session_state.get(pick_key) or []
    act(lambda: lib.remove_images(shas), lambda r: f"Removed {images(r['images'])} from the library.",
        reset=(pick_key, f"{pick_key}_sure"))  # fmt: skip


# ------------------------------------------------------------ import

with tab_import:
    st.subheader("Upload images")
    files = st.file_uploader("Drop images here (many at once)", accept_multiple_files=True,
                             type=["jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp"])  # fmt: skip
    cols = st.columns(3)
    labels = {f: cols[i].text_input(f"{f.capitalize()} (optional)", key=f"upload_{f}") for i, f in enumerate(LABEL_FIELDS)}
    if st.button("Add to library", disabled=not files, key="upload_go"):
        bar = ui.Progress("Adding your pictures to the library, checking each one", messages=False)
        show_report(lib.import_uploads(((f.name, f.getvalue()) for f in files), labels, progress=bar))
        bar.clear()

    st.subheader("Import a folder on this server")
    allowed = ui.teacher_unlocked("import a folder", "folder")
    folder = st.text_input("Folder", placeholder="/path/to/paintings", key="folder_path", disabled=not allowed)
    try:  # on a class server, only below the folders the teacher shared (checked before anything looks at it)
        place = shared.policy().check_folder(folder) if folder and allowed else None
    except UserError as exc:
        st.error(sentence(exc), icon=":material/lock:")
        place = None
    meaning_slot = st.container()  # drawn above "Advanced", filled once the layout is known
    with st.expander("Advanced"):
        layout = st.selectbox("How the folder is organised", ["auto", "folder", "kaggle", "wikiart"],
                              format_func={"auto": "Detect automatically", "folder": "Plain folders",
                                           "kaggle": "Kaggle “Best Artworks” (images/ + artists.csv)",
                                           "wikiart": "WikiArt genre folders"}.get,
                              help="Detected automatically; change it only if the detection is wrong.")  # fmt: skip
    is_dir = place is not None and place.is_dir()
    found_layout = detect_layout(place) if is_dir and layout == "auto" else layout
    detected = detect_label_field(place) if is_dir else None
    meanings = ["artist", "genre", "style", "not labels"]
    default = detected or ("not labels" if is_dir else "artist")
    # The key follows the detection: a new folder pre-selects what it holds; the painter can still change it.
    meaning = meaning_slot.radio("Sub-folder names are", meanings, index=meanings.index(default), horizontal=True,
                       key=f"folder_meaning_{default}", disabled=found_layout in ("kaggle", "wikiart"),
                       help="For plain folders: Monet/water_lilies.jpg labels the image with artist Monet.")  # fmt: skip
    if found_layout == "kaggle":
        meaning_slot.caption("detected: Kaggle “Best Artworks” layout, so artist names and facts come from artists.csv")
    elif found_layout == "wikiart":
        meaning_slot.caption("detected: WikiArt genre folders, so the folder names are genres")
    elif detected:
        meaning_slot.caption(f"detected: {detected}s")
    elif is_dir:
        meaning_slot.caption("detected: no sub-folders, so no labels")
    importing = ui.board().find("import", purpose="folder")
    if importing:
        ui.job_progress(importing.id, "Importing the folder, checking and copying each picture")
    elif st.button("Import folder", type="primary", disabled=place is None, key="folder_go"):
        if not is_dir:
            st.error(f"The folder “{folder}” does not exist on this server.", icon=":material/info:")
        else:
            job = ui.start_job("import", {"purpose": "folder", "folders": [{
                "path": str(place), "layout": layout,
                "label_from": "none" if meaning == "not labels" else "parent",
                "label_field": "artist" if meaning == "not labels" else meaning}]},
                f"Importing {Path(folder).name or folder}")  # fmt: skip
            st.session_state["folder_job"] = job.id
            st.rerun()
    finished = ui.board().get(st.session_state.get("folder_job", ""))
    if finished and not finished.active:
        st.session_state.pop("folder_job")
        show_result(finished)
        if finished.status == "done" and lib.proposed_merges():
            st.session_state.pop("merges_dismissed", None)
            st.info("Some artist labels look like one painter under two names: merge them at the top of the page.")

# ------------------------------------------------------------ browse, fix labels, remove images

with tab_browse:
    stats = lib.stats()
    if not stats["images"]:
        st.info("Nothing here yet: import some images first.")
    else:
        with st.expander("Fix labels"):
            c1, c2 = st.columns([1, 3])
            fix_field = c1.selectbox("Field", LABEL_FIELDS, key="fix_field")
            counts = stats["labels"][fix_field]
            if not counts:
                c2.caption(f"No image has a {fix_field} label yet.")
            else:
                if st.session_state.get("fix_label") not in counts:
                    st.session_state.pop("fix_label", None)
                name = c2.selectbox("Label", list(counts), format_func=lambda n: f"{n} ({images(counts[n])})",
                                    key="fix_label")  # fmt: skip
                r1, r2, r3 = st.columns(3)
                with r1:
                    new = st.text_input("Rename to", key="fix_new").strip()
                    if new in counts and new != name:
                        st.caption(f"“{new}” already exists: renaming merges the two.")
                    st.button("Rename", key="fix_rename", disabled=not new, on_click=rename, args=(fix_field, name))
                with r2:
                    others = [n for n in counts if n != name]
                    if st.session_state.get("fix_into") not in others:
                        st.session_state.pop("fix_into", None)
                    st.selectbox("Merge into", others, index=None, key="fix_into",
                                 placeholder="Choose a label")  # fmt: skip
                    st.button("Merge", key="fix_merge", disabled=st.session_state.get("fix_into") is None,
                              on_click=merge_into, args=(fix_field, name))  # fmt: skip
                with r3:
                    if ui.teacher_unlocked("delete", "fix_del"):
                        sure_key = f"fix_sure_{fix_field}_{name}"  # a tick for one label never carries over
                        sure = st.checkbox(f"Yes, clear “{name}” from {images(counts[name])}", key=sure_key)
                        st.button("Delete label", key="fix_delete", disabled=not sure, on_click=delete,
                                  args=(fix_field, name, sure_key))  # fmt: skip
                st.caption("Renaming, merging and deleting change labels only; the images stay in the library.")

        c1, c2, c3 = st.columns([1, 2, 1])
        field = c1.selectbox("Filter by", LABEL_FIELDS, key="browse_field")
        choices = ["all"] + list(stats["labels"][field])
        value = c2.selectbox(field.capitalize(), choices, key="browse_value")
        where = {"field": field, "value": value} if value != "all" else {}
        total = lib.count(**where)
        per_page = 48
        pages = max(1, -(-total // per_page))
        if st.session_state.get("browse_page", 1) > pages:  # a narrower filter has fewer pages
            st.session_state["browse_page"] = pages
        page = c3.number_input(f"Page (of {pages})", 1, pages, key="browse_page")
        st.caption(f"{total} images")
        shown = lib.records(**where, offset=(page - 1) * per_page, limit=per_page)  # one page, read by SQL
        first = (page - 1) * per_page + 1
        # Numbered captions, so the images picked for removal below can be found in the grid.
        names = {r["sha256"]: f"{first + i}. {next((r[f] for f in (field, *LABEL_FIELDS) if r.get(f)), 'no label')}"
                 for i, r in enumerate(shown)}  # fmt: skip
        ui.contact_sheet(lib, [{**r, "caption": names[r["sha256"]]} for r in shown], columns=8, caption_field="caption")
        if pages > 1:
            b1, b2, _ = st.columns([1, 1, 6])
            b1.button("← Previous", key="browse_prev", disabled=page == 1,
                      on_click=lambda: st.session_state.update(browse_page=page - 1))  # fmt: skip
            b2.button("Next →", key="browse_next", disabled=page == pages,
                      on_click=lambda: st.session_state.update(browse_page=page + 1))  # fmt: skip
        with st.expander("Remove images"):
            if ui.teacher_unlocked("delete", "remove"):
                pick_key = f"remove_pick_{field}_{value}_{page}"
                picked = st.multiselect("Images to remove (numbered as in the grid)", list(names), key=pick_key,
                                        format_func=lambda s: f"{names[s]} · {s[:12]}")  # fmt: skip
                sure = st.checkbox("Yes, remove them: their copies and thumbnails in the library are deleted (files "
                                   "elsewhere are not touched)", key=f"{pick_key}_sure")  # fmt: skip
                st.button(f"Remove {images(len(picked))}" if picked else "Remove", key="remove_go", disabled=not (picked and sure),
                          on_click=remove, args=(pick_key,))  # fmt: skip

# ------------------------------------------------------------ messages and proposed merges (top of the page)

if MESSAGE in st.session_state:
    kind, text = st.session_state.pop(MESSAGE)
    (messages.error if kind == "error" else messages.success)(text)

found = {f: lib.proposed_merges(f) for f in LABEL_FIELDS}
found = {f: pairs for f, pairs in found.items() if pairs}
if found and not st.session_state.get("merges_dismissed"):
    with proposals.container(border=True):
        st.subheader("Same name, written two ways?")
        st.caption("These labels look like one painter (or genre, or style) under two names, e.g. Monet from your "
                       "folders and Claude Monet from Kaggle. Merging puts their images under one name, so Explore, "
                       "Which artist?, the Map and the artist facts see them as one.")  # fmt: skip
        known = set(lib.artist_names())
        for f, pairs in found.items():
                counts = lib.label_counts(f)
                for old, new in pairs:
                    c1, c2 = st.columns([5, 1])
                    about = [images(counts[new])] if counts.get(new) else []
                    about += ["Kaggle's name, with artist facts"] if f == "artist" and new in known else []
                    c1.markdown(f"{f}: **{old}** ({images(counts.get(old, 0))}) → **{new}**"
                                + (f" ({'; '.join(about)})" if about else ""))  # fmt: skip
                    c2.button("Merge", key=f"merge_{f}_{old}_{new}", on_click=merge_pairs, args=({f: [(old, new)]},))
        n = sum(len(p) for p in found.values())
        c1, c2 = st.columns([1, 5])
        c1.button(f"Merge all {n}", key="merge_all", type="primary", on_click=merge_pairs, args=(found,))
        c2.button("Not now", key="merge_dismiss", on_click=lambda: st.session_state.update(merges_dismissed=True))
