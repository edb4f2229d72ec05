import time

import streamlit as st

from artcore import ui
from artcore.collect import download, flickr, pinterest
from artcore.errors import UserError, sentence
from artcore.library import LABEL_FIELDS

lib = ui.library()
st.title("Collect")
st.caption("Fetch images with their licence and attribution into the library. The count is how many images the "
           "label should have: running it again tops up, and nothing is fetched twice.")  # fmt: skip

# A run interrupted by Stop (a rerun) never reaches its end, so its flag is still set on the next run.
stopped = st.session_state.pop("collect_running", None)


def stopped_note(source: str) -> None:
    if stopped == source:
        st.warning(f"{source.capitalize()} stopped. Fetch again to continue where it stopped; nothing is fetched twice.")


def label_inputs(prefix: str) -> tuple[str, str]:
    c1, c2 = st.columns(2)
    field = c1.selectbox("Label field", LABEL_FIELDS, index=LABEL_FIELDS.index("style"), key=f"{prefix}_field")
    label = c2.text_input("Label (default: the tag or name)", key=f"{prefix}_label")
    return field, label.strip()


def run(source: str, candidates, *, target: int, field: str, label: str, url_allowed) -> None:
    """Fetch with live progress and thumbnails; the Stop button reruns the page, which ends the run cleanly."""
    stop = st.empty()
    stop.button("Stop", key=f"{source}_stop", help="Stops now; fetching again continues where it stopped.")
    bar = ui.Progress(f"Fetching from {source.capitalize()}…")
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


# Keyed, so the open tab survives the reruns that Stop and the forms cause.
tab_flickr, tab_pinterest = st.tabs(["Flickr", "Pinterest"], key="collect_source")

with tab_flickr:
    stopped_note("flickr")
    try:
        flickr.credentials()
    except UserError as exc:
        st.info(str(exc))
    with st.form("flickr_form"):
        tag = st.text_input("Tag", placeholder="dotpainting", key="flickr_tag")
        count = st.number_input("Images wanted", 1, 5000, 50, key="flickr_count")
        field, label = label_inputs("flickr")
        licences = st.multiselect("Licences", list(flickr.LICENCES), default=list(flickr.REUSE_LICENCES),
                                  format_func=lambda i: flickr.LICENCES[i], key="flickr_licences",
                                  help="The default allows reuse with changes.")  # fmt: skip
        go = st.form_submit_button("Fetch from Flickr", type="primary")
    if go:
        tag = tag.strip()
        if not tag or not licences:
            st.error("Enter a tag and choose at least one licence.")
        else:
            run("flickr", lambda settings: flickr.Search(tag, licences=licences, per_page=flickr.MAX_PER_PAGE,
                                                          max_side=2048, api_url=flickr.api_url(), settings=settings),
                target=int(count), field=field, label=label or tag,
                url_allowed=lambda u: download.host_allowed(u, flickr.IMAGE_DOMAINS))  # fmt: skip

with tab_pinterest:
    stopped_note("pinterest")
    with st.form("pinterest_form"):
        name = st.text_input("Name", placeholder="dotpainting_on_rocks", key="pinterest_name")
        url = st.text_input("Public Pinterest page", placeholder="https://nl.pinterest.com/…/…/", key="pinterest_url")
        count = st.number_input("Images wanted", 1, 2000, 30, key="pinterest_count")
        field, label = label_inputs("pinterest")
        go = st.form_submit_button("Fetch from Pinterest", type="primary")
    if go:
        name, url = name.strip(), url.strip()
        if not name or not url:
            st.error("Enter a name and the address of a public Pinterest page.")
        elif not pinterest.board_url_allowed(url):
            st.error("This server only fetches Pinterest pages (https://…pinterest.com/…).")
        else:
            run("pinterest", lambda settings: pinterest.Board(url, url_allowed=pinterest.board_url_allowed),
                target=int(count), field=field, label=label or name, url_allowed=pinterest.image_url_allowed)
