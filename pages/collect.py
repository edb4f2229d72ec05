import time

import streamlit as st

from artcore import ui
from artcore.collect import download, flickr, pinterest
from artcore.errors import UserError, sentence
from artcore.library import LABEL_FIELDS

lib = ui.library()
st.title("Collect")
st.markdown("Gather more pictures from **Flickr** or a public **Pinterest** board into your library, each with its "
            "licence and credit line. Ask for a number of pictures: running it again tops up to that number, and "
            "nothing is fetched twice.")  # fmt: skip

if not ui.teacher_unlocked("collect pictures from the web", "collect"):
    st.stop()
# A run interrupted by Stop (a rerun) never reaches its end, so its flag is still set on the next run.
stopped = st.session_state.pop("collect_running", None)


def stopped_note(source: str) -> None:
    if stopped == source:
        st.warning(f"{source.capitalize()} stopped. Fetch again to continue where it stopped; nothing is fetched twice.")


def label_inputs(prefix: str) -> tuple[str, str]:
    c1, c2 = st.columns(2)
    field = c1.selectbox("File them as a", LABEL_FIELDS, index=LABEL_FIELDS.index("style"), key=f"{prefix}_field",
                         help="Which label the pictures get in your library: a style, an artist or a genre.")  # fmt: skip
    label = c2.text_input("Named (default: the tag or name)", key=f"{prefix}_label")
    return field, label.strip()


def run(source: str, candidates, *, target: int, field: str, label: str, url_allowed) -> None:
    """Fetch with live progress and thumbnails; the Stop button reruns the page, which ends the run cleanly."""
    stop = st.empty()
    stop.button("Stop", key=f"{source}_stop", help="Stops now; fetching again continues where it stopped.")
    bar = ui.Progress(f"Fetching pictures from {source.capitalize()}, checking each one", messages=False)
    strip = st.empty()
    thumbs: list[str] = []
    last = [0.0]

    def progress(have: int, total: int, thumb) -> None:
        bar(have, total)
        if thumb:
            thumbs.append(str(thumb))
        if thumbs and (time.monotonic() - last[0] > 0.3 or have >= total):
            last[0] = time.monotonic()
            strip.image(thumbs[-16:], width=72)

    st.session_state["collect_running"] = source
    try:
        settings = download.Settings(url_allowed=url_allowed)
        report = download.collect(lib, candidates(settings), target=target, source=source, label_field=field,
                                  label=label, settings=settings, progress=progress)  # fmt: skip
    except UserError as exc:
        st.session_state.pop("collect_running", None)
        st.error(sentence(exc))
        return
    # Not in a ``finally``: a run that Stop interrupted must leave the flag for the next run to report.
    st.session_state.pop("collect_running", None)
    for placeholder in (stop, strip):
        placeholder.empty()
    bar.clear()
    message = f"Kept {len(report.kept)} new images; “{label}” now has {report.have} of {target} from {source}."
    (st.success if report.have >= target else st.warning)(message)
    if report.error:
        st.error(f"Stopped early: {report.error}")
    elif report.exhausted and report.have < target:
        st.info("The source has no more matching images.")
    if report.skipped:
        st.caption("Skipped")
        st.dataframe([{"reason": r, "images": n} for r, n in report.reasons().items()], hide_index=True)
    rows = lib.records(field=field, value=label, source=source)
    ui.thumbnail_grid(lib, rows[-48:], columns=8)


def save_flickr_key() -> None:
    """Form callback: keep the pasted key in the library's settings and clear the fields, so it is never shown."""
    key, secret = st.session_state.get("flickr_key_in", ""), st.session_state.get("flickr_secret_in", "")
    st.session_state["flickr_key_in"] = st.session_state["flickr_secret_in"] = ""
    try:
        flickr.save_key(key, secret, lib.root)
    except UserError as exc:
        st.session_state["flickr_key_error"] = sentence(exc)


def flickr_key() -> bool:
    """The Flickr key's state (never the key): saved ✓ with "Forget key", or a form to paste one. True when set."""
    where = flickr.key_source(lib.root)
    if where == "library":
        c1, c2 = st.columns([3, 1])
        c1.success("Flickr key saved ✓", icon=":material/key:")
        c2.button("Forget key", key="flickr_forget", on_click=flickr.forget_key, args=(lib.root,),
                  help="Removes the key from this library; paste it again to fetch from Flickr.")  # fmt: skip
        return True
    if where:
        st.caption("Flickr key: set on this server ✓")
        return True
    with st.container(border=True):
        st.markdown("**Connect Flickr (once).** Flickr asks for a free key: sign in to Flickr, open "
                    f"[Flickr's key page]({flickr.KEY_HELP}), choose *non-commercial*, then paste the key and the "
                    "secret here. They stay in your library folder, readable by you only, and are never shown "
                    "again.")  # fmt: skip
        if "flickr_key_error" in st.session_state:
            st.error(st.session_state.pop("flickr_key_error"))
        with st.form("flickr_key_form"):
            c1, c2 = st.columns(2)
            c1.text_input("Key", type="password", key="flickr_key_in")
            c2.text_input("Secret", type="password", key="flickr_secret_in")
            st.form_submit_button("Save key", on_click=save_flickr_key, key="flickr_key_save")
    return False


# Keyed, so the open tab survives the reruns that Stop and the forms cause.
tab_flickr, tab_pinterest = st.tabs(["Flickr", "Pinterest"], key="collect_source")

with tab_flickr:
    stopped_note("flickr")
    has_key = flickr_key()
    with st.form("flickr_form"):
        tag = st.text_input("Tag", placeholder="dotpainting", key="flickr_tag",
                            help="One word people use on Flickr for the pictures you want.")  # fmt: skip
        count = st.number_input("Images wanted", 1, 5000, 50, key="flickr_count")
        field, label = label_inputs("flickr")
        with st.expander("Licences: by default only pictures you may reuse and change"):
            st.caption("Ticked by default: only pictures you may reuse and change, commercial use included. "
                       "Tick the others only if you will respect their limits.")  # fmt: skip
            # Reusable ones first; then the more restricted, "All rights reserved" last.
            order = [*flickr.REUSE_LICENCES, *sorted((i for i in flickr.LICENCES if i not in flickr.REUSE_LICENCES),
                                                     key=lambda i: (i == 0, i))]  # fmt: skip
            cols = st.columns(2)
            licences = [i for n, i in enumerate(order)
                        if cols[n * 2 // len(order)].checkbox(flickr.LICENCE_PLAIN[i], value=i in flickr.REUSE_LICENCES,
                                                              key=f"flickr_licence_{i}")]  # fmt: skip
        go = st.form_submit_button("Fetch from Flickr", type="primary", disabled=not has_key, key="flickr_go")
        if not has_key:
            st.caption("Save a Flickr key above first.")
    if go:
        tag = tag.strip()
        if not tag or not licences:
            st.error("Enter a tag and tick at least one licence.")
        else:
            run("flickr", lambda settings: flickr.Search(tag, licences=licences, per_page=flickr.MAX_PER_PAGE,
                                                          max_side=2048, api_url=flickr.api_url(), settings=settings,
                                                          library=lib.root),
                target=int(count), field=field, label=label or tag,
                url_allowed=lambda u: download.host_allowed(u, flickr.IMAGE_DOMAINS))  # fmt: skip

with tab_pinterest:
    stopped_note("pinterest")
    with st.form("pinterest_form"):
        name = st.text_input("Name", placeholder="dotpainting_on_rocks", key="pinterest_name")
        url = st.text_input("Public Pinterest page", placeholder="https://nl.pinterest.com/…/…/", key="pinterest_url")
        count = st.number_input("Images wanted", 1, 2000, 30, key="pinterest_count")
        field, label = label_inputs("pinterest")
        go = st.form_submit_button("Fetch from Pinterest", type="primary", key="pinterest_go")
    if go:
        name, url = name.strip(), url.strip()
        if not name or not url:
            st.error("Enter a name and the address of a public Pinterest page.")
        elif not pinterest.board_url_allowed(url):
            st.error("This server only fetches Pinterest pages (https://…pinterest.com/…).")
        else:
            run("pinterest", lambda settings: pinterest.Board(url, url_allowed=pinterest.board_url_allowed),
                target=int(count), field=field, label=label or name, url_allowed=pinterest.image_url_allowed)
