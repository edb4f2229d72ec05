"""App-side helpers shared by the pages: cached library and models, progress bars, thumbnail grids."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import streamlit as st

from artcore import config, registry
from artcore.jobs import time_left
from artcore.library import LABEL_FIELDS, Library


@st.cache_resource(show_spinner=False)
def _library(root: str) -> Library:
    return Library(root)


def library() -> Library:
    """The app's library ($ARTCORE_HOME, else data/library), opened once per server."""
    global _rerun_once
    if _rerun_once:  # see _leave_legacy_pages
        _rerun_once = False
        st.rerun()
    return _library(str(config.library_dir()))


@st.cache_resource(show_spinner="Loading model…")
def model(name: str):
    """A model from ``artcore.registry``, loaded once and shared by every session."""
    return registry.get(name)


@st.cache_resource(show_spinner=False, max_entries=4)
def eda_catalog(root: str):
    """The library's ``eda.Catalog``, one per server: every session's summaries read new rows into the same frame."""
    from artcore import eda

    return eda.Catalog(Library(root))


@st.cache_data(show_spinner="Summarising your collection…", max_entries=32)
def eda_summary(root: str, version: str, sources: tuple, field: str, values: tuple) -> dict:
    """``eda.summary`` for one filter, cached per library version (``version`` keys the cache); the catalog reads
    only rows changed since the last version, and near-duplicates come from the pairs the catalog keeps."""
    from artcore import eda

    pairs = eda.near_duplicate_pairs(Library(root))
    return eda_catalog(root).summary(list(sources), field, list(values), pairs)


class Progress:
    """An ``st.progress`` bar usable as an artcore progress callback ``(done, total, message="")``: what is
    happening in plain words, how far it is and, once the rate is known, the time left. Redraws at most every 0.2 s.

    ``label`` may hold ``{total}`` (e.g. "Reading your {total:,} paintings"), filled from the callback's total;
    ``note`` goes first in the brackets ("once"); ``count`` shows "12 of 100"; ``messages`` shows the callback's
    message after the label (off where it is technical, e.g. an encoder name, or repeats the time left).
    Draws where it is created, or in ``slot`` (an ``st.empty()``/container where the result will appear).
    """

    MIN_SECONDS = 2.0  # no estimate before this much time has passed: an early guess is mostly noise

    def __init__(self, label: str, *, note: str = "", count: bool = True, messages: bool = True, slot=None,
                 clock=time.monotonic):  # fmt: skip
        self.label, self.note, self.count, self.messages, self.clock = label, note, count, messages, clock
        first = "Getting ready…" if "{total" in label else label.rstrip("…") + "…"
        self.bar = (slot or st).progress(0.0, text=first)
        self.last = 0.0
        self.start: tuple[float, int] | None = None  # (time, done) of the first report: the rate counts from there

    def _label(self, total: int) -> str:
        label = self.label.format(total=total) if "{total" in self.label else self.label
        return label.rstrip("…. ")

    def estimate(self, done: int, total: int) -> float | None:
        """Seconds left at the rate since the first report, or None while that is not yet known."""
        now = self.clock()
        if self.start is None:
            self.start = (now, done)
            return None
        t0, d0 = self.start
        if now - t0 < self.MIN_SECONDS or done <= d0 or done >= total:
            return None
        return (total - done) * (now - t0) / (done - d0)

    def text(self, done: int, total: int, message: str = "") -> str:
        left = self.estimate(done, total)
        parts = [self.note] if self.note else []
        if self.count and total:
            parts.append(f"{done:,} of {total:,}")
        if left is not None:
            parts.append(time_left(left))
        words = self._label(total)
        if self.messages and message:
            words += f": {message}"
        return words + (f" ({'; '.join(parts)})" if parts else "")

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = self.clock()
        text = self.text(done, total, message)  # always, so the rate starts at the first report
        if done < total and now - self.last < 0.2:
            return
        self.last = now
        self.bar.progress(min(done / total, 1.0) if total else 1.0, text=text)

    def stage(self, label: str, *, note: str = "", count: bool = True) -> None:
        """A next stage reported through the same callback: its own label, and its rate counted afresh."""
        self.label, self.note, self.count, self.start = label, note, count, None

    def say(self, text: str, fraction: float = 1.0) -> None:
        """A step whose length is not known (e.g. laying out a map): plain words, the bar at ``fraction``."""
        self.bar.progress(fraction, text=text)

    def clear(self) -> None:
        self.bar.empty()


def thumbnail_grid(lib: Library, rows: list[dict], columns: int = 6, caption_field: str | None = None) -> None:
    """Thumbnails in a grid, captioned by ``caption_field`` (else by whichever label an image has)."""
    cols = st.columns(columns)
    for i, r in enumerate(rows):
        fields = (caption_field, *LABEL_FIELDS) if caption_field else ()
        caption = next((r[f] for f in fields if r.get(f)), None)
        cols[i % columns].image(str(lib.thumbnail(r["sha256"])), caption=caption, width="stretch")


@st.cache_data(show_spinner=False, max_entries=4096)
def _square_jpeg(root: str, sha256: str, side: int) -> str:
    """A library picture as a small square JPEG, base64 (for ``contact_sheet``); a picture's bytes never change."""
    import base64
    import io

    buf = io.BytesIO()
    square_thumbnail(Library(root), sha256, side).save(buf, "JPEG", quality=85)
    return base64.b64encode(buf.getvalue()).decode()


def contact_sheet(lib: Library, rows: list[dict], columns: int = 6, title: str = "", swatches=None,
                  caption_field: str | None = None) -> None:  # fmt: skip
    """Pictures as equal squares in one element (a title, a palette row, then the squares): a page of a dozen
    painters or 48 pictures draws in one pass instead of a hundred elements and image requests. Captions from
    ``caption_field`` show under each square; without it a picture's label shows on hover."""
    from artcore.eda import contact_sheet_html

    fields = (caption_field,) if caption_field else LABEL_FIELDS
    pics = [(_square_jpeg(str(lib.root), r["sha256"], 224), next((str(r[f]) for f in fields if r.get(f)), ""))
            for r in rows]  # fmt: skip
    st.html(contact_sheet_html(pics, columns, title, swatches, captions=bool(caption_field)))


@st.fragment
def in_batches(key: str, items: list, step: int, draw: Callable[[Any], None], noun: str, *, hint: str = "",
               reset_on: Any = None) -> None:  # fmt: skip
    """Draw ``items`` (largest or most useful first) ``step`` at a time with ``draw(item)``: the first ``step``, then
    "Show 12 more ``noun``" under them adds the next ones, redrawing only this part of the page; ``hint`` follows
    "Showing 12 of 52 ``noun``". Back to the first ``step`` when ``reset_on`` (e.g. the page's filter) changes. A
    page with hundreds of painters opens as fast as one with a dozen."""
    seen, n = st.session_state.get(key, (reset_on, step))
    n = step if seen != reset_on else n
    st.session_state[key] = (reset_on, n)
    for item in items[:n]:
        draw(item)
    if len(items) <= n:
        return
    st.caption(f"Showing {n} of {len(items):,} {noun}. {hint}".strip())
    st.button(f"Show {min(step, len(items) - n)} more {noun}", key=f"{key}_more",
              on_click=lambda: st.session_state.update({key: (reset_on, n + step)}))  # fmt: skip


def square_thumbnail(lib: Library, sha256: str, side: int = 192):
    """A library picture's thumbnail cropped to a centred square, so a grid of them lines up (pickers)."""
    from PIL import Image, ImageOps

    with Image.open(lib.thumbnail(sha256)) as im:
        return ImageOps.fit(im.convert("RGB"), (side, side), Image.Resampling.LANCZOS)


def before_after(before, after, height: int = 520) -> None:
    """A before/after comparison slider (drag to wipe) for two PIL images; self-contained HTML, works offline."""
    import base64
    import io

    import streamlit.components.v1 as components

    def uri(img) -> str:
        small = img.copy()
        small.thumbnail((1600, 1600))  # the page shows a preview; downloads carry the full resolution
        buf = io.BytesIO()
        small.save(buf, format="JPEG", quality=90)
        return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()

    height = min(height, 56 + round(1200 * after.height / after.width))  # a panorama: no empty band below it
    box = f"width:min(100%, {round((height - 56) * after.width / after.height)}px)"  # slider as wide as the picture
    html = f"""
<div id="ba" style="position:relative;{box};aspect-ratio:{after.width}/{after.height};user-select:none;overflow:hidden">
  <img src="{uri(after)}" style="position:absolute;inset:0;width:100%;height:100%;object-fit:contain">
  <div id="clip" style="position:absolute;inset:0;clip-path:inset(0 50% 0 0)">
    <img src="{uri(before)}" style="position:absolute;inset:0;width:100%;height:100%;object-fit:contain"></div>
</div>
<input id="pos" type="range" min="0" max="100" value="50" aria-label="before / after" style="{box};margin:4px 0">
<div style="{box};display:flex;justify-content:space-between;font:12px sans-serif"><span>before</span><span>after</span>
</div>
<script>
const pos = document.getElementById("pos"), clip = document.getElementById("clip");
pos.oninput = () => clip.style.clipPath = `inset(0 ${{100 - pos.value}}% 0 0)`;
</script>"""
    components.html(html, height=height)


@st.cache_resource(show_spinner="Loading classifier…", max_entries=4)
def classifier(path: str, mtime: float):
    """A trained ``artcore.classify`` model; ``mtime`` makes a retrained file load afresh."""
    from artcore import classify

    return classify.load(path)


@st.cache_resource(show_spinner="Loading generator…", max_entries=4)
def gan_model(path: str, mtime: float):
    """A GAN generator from ``artcore.gan``; ``mtime`` makes a newer checkpoint load afresh."""
    from artcore.gan.generate import load_model

    return load_model(path)


@st.cache_resource(show_spinner="Loading the translator…", max_entries=4)
def translator(path: str, mtime: float):
    """A trained ``artcore.translate`` model; ``mtime`` makes a newer file (training goes on) load afresh."""
    from artcore import translate

    return translate.load(path)


@st.cache_resource(show_spinner=False, max_entries=4)
def library_map(root: str, version: str, encoder: str, n_neighbors: int, min_dist: float):
    """``artcore.maps.library_map`` kept in memory per (library version, encoder, parameters), with its progress
    in plain words where the map will appear: reading the paintings (once each), then arranging them."""
    from artcore import maps

    bar = Progress("Reading your {total:,} pictures so the map can place them", note="once", count=False,
                   messages=False)  # fmt: skip
    bar.say("Getting the map ready…", 0.0)

    def arranging(n: int) -> None:
        if n > maps.SAMPLE_ABOVE:  # a large map reports placing the images outside its sample through ``bar``
            bar.stage("Arranging your {total:,} pictures on the map: similar ones side by side")
            bar.say(f"Arranging your {n:,} pictures on the map: first a sample of {maps.SAMPLE_ABOVE:,}, then the "
                    "rest among them (about a minute)…", 0.0)  # fmt: skip
            return
        bar.say(f"Arranging your {n:,} pictures on the map: similar ones side by side (a few seconds; the first "
                "map after the app starts takes about 15 s longer)…")  # fmt: skip

    try:
        return maps.library_map(Library(root), encoder, n_neighbors, min_dist, progress=bar, arranging=arranging)
    finally:
        bar.clear()


def artist_sources(lib: Library, key: str) -> list:
    """A multiselect of the library's artists; each picked artist is a style source (their most typical works),
    with a look at the paintings their style is taken from and a way to leave some out."""
    from artcore.style import StyleSource

    artists = lib.label_counts("artist")
    if not artists:
        return []
    picked = st.multiselect("Library artists (their typical style)", sorted(artists), key=key,
                            format_func=lambda a: f"{a} ({artists[a]})")  # fmt: skip
    sources = []
    for name in picked:
        out_key = f"{key}_out_{name}"
        sources.append(StyleSource("artist", name, exclude=tuple(st.session_state.get(out_key, ()))))
        if st.toggle(f"See the paintings {name}'s style is taken from", key=f"{key}_see_{name}"):
            painter_works(lib, name, out_key)
    return sources


def painter_works(lib: Library, name: str, out_key: str, shown: int = 8) -> None:
    """The works a painter's style is taken from, most typical first, each with "Leave out"; and the untypical
    ones the style leaves out by itself."""
    from artcore.style import label_style, label_works, painters

    left_out = list(st.session_state.get(out_key, ()))
    with st.spinner(f"Reading {name}'s paintings (once)…"):
        _, used = label_style(lib, "artist", name, exclude=left_out)
        works, _ = label_works(lib, "artist", name, painters.SCALE)
    in_style = {r["sha256"] for r in used}
    untypical = [r for r in works if r["sha256"] not in in_style and r["sha256"] not in left_out]
    st.caption(f"Taken from {len(used)} of {name}'s {len(works)} works, most typical first"
               + (f"; {len(left_out)} left out by you" if left_out else "")
               + (f"; {len(untypical)} untypical ones (studies, odd ones out) are left out by themselves."
                  if untypical else "."))  # fmt: skip
    for col, r in zip(st.columns(shown), used[:shown]):
        col.image(str(lib.thumbnail(r["sha256"])), width="stretch")
        if col.button("Leave out", key=f"{out_key}_{r['sha256'][:12]}", width="stretch",
                      disabled=len(used) == 1):  # fmt: skip
            st.session_state[out_key] = [*left_out, r["sha256"]]
            st.rerun()
    if left_out and st.button("Put them all back", key=f"{out_key}_reset"):
        st.session_state.pop(out_key)
        st.rerun()


def weight_sliders(sources: list, key_prefix: str) -> None:
    """One weight slider per style source (equal shares to start) when there is a blend to weigh."""
    if len(sources) < 2:
        return
    cols = st.columns(min(len(sources), 4))
    for n, src in enumerate(sources):
        src.weight = cols[n % len(cols)].slider(f"Weight: {src.label}", 0.0, 1.0, 1.0 / len(sources), 0.05,
                                                key=f"{key_prefix}{n}_{src.label}")  # fmt: skip


def picture(data: bytes, name: str | None = None, *, purpose: str, min_side: int = 32, max_side: int | None = None):
    """An uploaded picture as a PIL image, or None after one plain ``st.error`` sentence saying why it cannot be
    used (not a picture; smaller than ``min_side`` px on a side, "too small ``purpose``")."""
    from artcore import shared
    from artcore.errors import UserError, sentence
    from artcore.imageio import header_size, open_picture

    try:
        header = header_size(data)
        shared.policy().check_upload(len(data), header[0] * header[1] if header else None)
        return open_picture(data, min_side=min_side, max_side=max_side, name=name and shared.safe_name(name),
                            purpose=purpose)  # fmt: skip
    except UserError as exc:
        st.error(sentence(exc), icon=":material/info:")
        return None


def style_images(files) -> list:
    """Uploaded style pictures as style sources; each one that cannot be used is left out with one ``st.error``
    sentence naming it."""
    from artcore.style import MIN_SIDE, StyleSource

    return [StyleSource("image", f.getvalue(), name=f.name) for f in files or []
            if picture(f.getvalue(), f.name, purpose="to read a style from", min_side=MIN_SIDE, max_side=512)]  # fmt: skip


def builtin_picker(where, key: str, *, default: bool = False, label: str = "Ready-made styles", help: str | None = None):
    """A multiselect of the 26 ready-made styles by painting and painter (its values are style numbers) in
    ``where`` (``st`` or a column); ``default`` starts it at the style that keeps a video or camera picture legible
    (``artcore.style.VIDEO_DEFAULT``, measured by ``benchmarks/builtins_bench.py``)."""
    from artcore.style import NUM_BUILTIN, VIDEO_DEFAULT, builtin_label

    return where.multiselect(label, list(range(NUM_BUILTIN)), default=[VIDEO_DEFAULT] if default else None, key=key,
                             format_func=builtin_label, placeholder="Choose, or type a painter or a painting",
                             help=help)  # fmt: skip


def style_controls(lib: Library, key: str) -> tuple[list, float, bool]:
    """Compact style picker for the video and live pages: built-in styles, style images, library artists, their
    weights, strength and colours; returns ``(sources, strength, preserve_color)``."""
    from artcore.style import StyleSource

    c1, c2 = st.columns(2)
    builtins = builtin_picker(c1, key=f"{key}_builtins", default=True,
                              help="Each painting's style, shown painted on your own picture: Style studio, "
                                   "“2 · Styles”.")  # fmt: skip
    uploads = c2.file_uploader("Paintings to take the style from", type=["jpg", "jpeg", "png", "webp"],
                               accept_multiple_files=True, key=f"{key}_style_images")  # fmt: skip
    sources = [StyleSource("builtin", i) for i in builtins]
    sources += style_images(uploads)
    sources += artist_sources(lib, f"{key}_artists")
    weight_sliders(sources, f"{key}_w_")
    c1, c2 = st.columns(2)
    strength = c1.slider("Strength of the style", 0.0, 1.0, 1.0, 0.05, key=f"{key}_strength")
    keep = c2.checkbox("Keep the original colours", key=f"{key}_preserve")
    return sources, strength, keep


STYLE_PRESET = "style_preset"  # a picture sent to the style studio: {"image": PIL image, "style": "artist:NAME" or None}
SENT_PICTURE = "style_sent_picture"  # the last picture sent there, kept for the session
SENT = "Sent here"  # the style studio's content choice for that picture


def suggested_styles(image, lib: Library, key: str) -> None:
    """Section "Styles that suit this picture" for a PIL image, on any page: on request, the library painters whose
    works are closest to it, each previewed on it in their style, with one click to open the picture and that
    painter's style in the style studio. ``key`` keeps this page's widgets and results apart."""
    import hashlib

    from artcore import suggest
    from artcore.errors import UserError

    st.subheader("Styles that suit this picture")
    artists = suggest.eligible_artists(lib)
    if not artists:
        st.caption(f"Import paintings with artist names (at least {suggest.MIN_WORKS} per painter) to see which "
                   "painters' styles suit this picture.")  # fmt: skip
        return
    ident = hashlib.sha256(image.tobytes()).hexdigest()[:16] + f":{image.size}"
    state = f"{key}_suggested_styles"
    st.caption(f"Of the {len(artists)} painters in your library, the {min(3, len(artists))} whose works look most "
               "like this picture, closest first, each shown painting it. Takes a few seconds (longer the first "
               "time, while your library's paintings are read).")  # fmt: skip
    if st.button("Suggest styles", key=f"{key}_suggest_styles"):
        bar = st.progress(0.0, text="Getting ready…")

        def progress(done: int, total: int, message: str) -> None:
            bar.progress(min(done / total, 1.0) if total else 1.0, text=message[:1].upper() + message[1:] + "…")

        try:
            with st.spinner("Finding the painters closest to your picture…"):
                found = suggest.suggest_styles(image, lib, progress=progress)
        except UserError as exc:
            st.error(str(exc))
        else:
            st.session_state[state] = (ident, lib.version(), found)
        finally:
            bar.empty()
    shown, version, found = st.session_state.get(state, (None, None, None))
    if not found or shown != ident or version != lib.version():
        return
    for col, (n, r) in zip(st.columns(len(found)), enumerate(found)):
        with col:
            st.image(r["preview"], width="stretch")
            facts = lib.artist_facts(r["label"]) or {}
            about = " · ".join(str(facts[f]).strip("[]") for f in ("years", "genre") if facts.get(f))
            works = artists.get(r["label"], 0)
            st.markdown(f"**{r['label']}**  \n:gray[{about or f'{works} works in your library'}]")
            if st.button("Open in the style studio", key=f"{key}_open_style_{n}"):
                send_to_style_studio(image, f"artist:{r['label']}")


def send_to_style_studio(image, style: str | None = None) -> NoReturn:
    """Open the style studio with ``image`` (PIL) as its picture and, when given, ``style`` ("artist:NAME") chosen."""
    st.session_state[STYLE_PRESET] = {"image": image, "style": style}
    st.switch_page("pages/style.py")


def receive_style_preset(content_key: str, artists_key: str, clear_keys: tuple[str, ...] = ()) -> Any:
    """For the style studio: take a picture (and style) sent by ``send_to_style_studio`` (choosing ``SENT`` in the
    content radio ``content_key``; with a painter, choosing them in the artists multiselect ``artists_key`` and
    emptying the lists in ``clear_keys``); returns the last sent picture (PIL image) or None. Call before those
    widgets are drawn."""
    sent = st.session_state.pop(STYLE_PRESET, None)
    if sent:
        st.session_state[SENT_PICTURE] = sent["image"]
        st.session_state[content_key] = SENT
        kind, _, name = (sent.get("style") or "").partition(":")
        if kind == "artist":
            st.session_state[artists_key] = [name]
            for k in clear_keys:
                st.session_state[k] = []
        st.toast(f"Your picture is the content and {name}'s style is chosen: press Stylize." if kind == "artist"
                 else "Your picture is the content: pick styles and press Stylize.", icon=":material/palette:")  # fmt: skip
    return st.session_state.get(SENT_PICTURE)


def _leave_legacy_pages() -> bool:
    """Make the app's own navigation win over Streamlit's legacy ``pages/`` mode; True when it was on.

    When a server's first visitor opens a page URL directly, Streamlit runs that page without
    ``streamlit_app.py`` (no navigation, raw file names). Every page imports this module: the process is switched
    to ``st.navigation`` mode here, and the page's first ``library()`` reruns it once. Not a rerun at import: an
    exception while this module loads would fail the import for a second visitor loading it at the same moment.
    Outside a Streamlit server this does nothing.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        return True
    return False


_rerun_once = _leave_legacy_pages()


# ---------------------------------------------------------------- background jobs (artcore.jobs)

JOB_ICONS = {"queued": ":material/schedule:", "running": ":material/progress_activity:", "done": ":material/check:",
             "failed": ":material/error:", "stopped": ":material/pause:", "interrupted": ":material/pause:"}  # fmt: skip


def board():
    """The library's job board: work that runs on the server and outlives the tab (on a class server, as many
    workers as its policy says)."""
    from artcore import jobs, shared

    return jobs.board(config.library_dir(), workers=shared.policy().workers)


def owner() -> str:
    """Whose jobs these are: one owner on a personal server; on a shared class server, each browser session."""
    from artcore import shared

    if not shared.policy().shared:
        return ""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx else ""


def start_job(kind: str, params: dict, title: str):
    """Queue a background job for this user; returns it. On a shared server one session may have only
    ``jobs_per_session`` jobs waiting or running (a ``UserError`` says so)."""
    from artcore import shared
    from artcore.errors import UserError

    limit = shared.policy().jobs_per_session
    mine = [j for j in board().jobs(owner=owner()) if j.active]
    if limit and len(mine) >= limit:
        raise UserError(f"you already have {len(mine)} pieces of work waiting or running on this class server; "
                        "start another when one has finished")  # fmt: skip
    return board().submit(kind, params, title=title, owner=owner())


def teacher_unlocked(action: str, key: str) -> bool:
    """True on a personal server; on a shared class server only once this session gave the teacher's passcode
    (asked for here, in a password field; the passcode itself is never kept or shown)."""
    from artcore import shared

    if not shared.policy().shared or st.session_state.get("_teacher"):
        return True
    try:
        secrets = dict(st.secrets)
    except Exception:  # noqa: BLE001  (no secrets file: Streamlit raises its own error types)
        secrets = {}
    if not shared.teacher_passcode(secrets):
        st.info(f"On this class server only the teacher can {action}.", icon=":material/lock:")
        return False
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    given = c1.text_input(f"Teacher's passcode, to {action}", type="password", key=f"{key}_passcode")
    if c2.button("Unlock", key=f"{key}_unlock") and given:
        if shared.passcode_ok(given, secrets):
            st.session_state["_teacher"] = True
            st.session_state.pop(f"{key}_passcode", None)
            st.rerun()
        st.error("That is not the teacher's passcode.", icon=":material/lock:")
    return False


def _job_line(job) -> None:
    from artcore import jobs

    if job.active:
        st.progress(job.fraction, text=f"**{job.title}** · {jobs.describe(job)}")
    else:
        st.markdown(f"{JOB_ICONS[job.status]} **{job.title}** · {jobs.describe(job)}")


def _refreshing() -> bool:
    """Whether this run is a fragment's own (a refresh), not a run of the whole page."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx and ctx.fragment_ids_this_run)


@st.fragment(run_every=1.0)
def job_progress(job_id: str, label: str = "", picture: str | None = None) -> None:
    """Main-area progress of a background job, where its result will appear: plain words, how far, the time left
    and Stop; ``picture``, a file the job rewrites as it goes (a preview), below. Refreshes itself; when the job
    ends the page reruns to show the result."""
    from artcore import jobs

    job = board().get(job_id)
    if job is None or not job.active:
        st.rerun()
    c1, c2 = st.columns([5, 1], vertical_alignment="bottom")
    words = jobs.describe(job)
    if job.status == "queued":
        ahead, wait = board().place(job_id), board().wait_estimate(job_id)
        words = (f"waiting for its turn, {ahead} ahead of it" if ahead else "next in line") + (
            f" ({jobs.time_left(wait).replace(' left', '')} to wait)" if wait else "")
    c1.progress(job.fraction, text=f"{label or job.title}: {words}")
    if c2.button("Stop", key=f"job_stop_{job_id}", help="Stops it soon; what is done is kept, and it can be resumed."):
        board().stop(job_id)
    st.caption("This runs on the server: you can close this tab or go to another page, and come back to it here "
               "or in the sidebar's “Running and finished”.")  # fmt: skip
    if picture and Path(picture).is_file():
        st.image(picture, caption="The picture so far")
    if _refreshing() and _ends_soon(job):
        # Wait here, asleep most of the second until the next refresh, so the result shows the moment it is ready
        # instead of half a second later on average. Only for a job near its end, since a click in the fragment
        # (Stop) waits for this run to end.
        ended = board().wait(job_id, timeout=0.8)
        if ended is None or not ended.active:
            st.rerun()


def _ends_soon(job, unknown: bool = True) -> bool:
    """Whether a job is expected to end within the second: from its rate, or how long its kind takes and its
    place in line; with ``unknown``, a running job of a kind never timed yet too (Stylize the first time)."""
    soon = board().end_estimate(job.id)
    return (soon is not None and soon < 1.0) or (unknown and job.status == "running" and soon is None)


def training_status(training, last, label: str, done: str, stopped: str) -> None:
    """Where a training's outcome shows: the running job's progress (``label``), else how the ``last`` one ended:
    ``stopped`` (what it learnt is kept), its error, or ``done`` after the job's own summary."""
    from artcore.jobs import describe

    if training:
        job_progress(training.id, label)
    elif last and last.status in ("stopped", "interrupted"):
        st.info(stopped)
    elif last and last.status == "failed":
        st.error(last.error or "Training failed.")
    elif last:
        st.success(f"{describe(last)} {done}")


def queue_on_click(key: str, kind: str, params: Callable[[], dict], title: str) -> Callable[[], None]:
    """A button's ``on_click`` that queues the job (``params()`` read then) before the page runs again, so the run
    the click starts already shows its progress: one page run per click instead of ``queue_job``'s two, which a
    class of 30 feels. A refusal (too many jobs) shows where ``queued_job`` draws."""

    def start() -> None:
        from artcore.errors import UserError, sentence

        try:
            st.session_state[key] = start_job(kind, params(), title).id
        except UserError as exc:
            st.session_state[f"{key}_refused"] = sentence(exc)

    return start


def queue_job(key: str, kind: str, params: dict, title: str) -> NoReturn:
    """Start a page's action as a background job (a class server's fair queue), remembered in
    ``st.session_state[key]`` for ``queued_job``, and redraw the page to show its progress."""
    st.session_state[key] = start_job(kind, params, title).id
    st.rerun()


def queued_job(key: str, label: str):
    """The job ``queue_job`` or ``queue_on_click`` started under ``key``, as ``(running, ended)``: while it waits or
    runs, its progress here (``job_progress``, with the ``preview`` file its parameters name) and ``(True, None)``
    (a refused start: its sentence here). Once it has ended
    it is forgotten: one that did not finish says why in a sentence, and ``ended`` is the job when it left a result
    to show (a stopped one may keep its work so far), else None."""
    from artcore import jobs

    if refused := st.session_state.pop(f"{key}_refused", None):
        st.error(refused, icon=":material/info:")
    job = board().get(st.session_state.get(key, ""))
    if job is None:
        return False, None
    # About to end (a Stylize just after its click): wait for it here, so this run shows the result instead of
    # drawing the progress and running the whole page again when it ends: one page run fewer per painting.
    if job.active and _ends_soon(job, unknown=False) and (job := board().wait(job.id, timeout=0.8)) is None:
        return False, None
    if job.active:
        job_progress(job.id, label, job.params.get("preview"))
        return True, None
    st.session_state.pop(key)
    if job.status != "done":
        (st.info if job.result else st.warning)(jobs.describe(job), icon=":material/info:")
    return False, job if job.result else None


def _jobs_panel_body(active_only_refresh: bool) -> None:
    jobs_now = board().jobs(owner=owner() or None)
    if not jobs_now:
        return
    active = [j for j in jobs_now if j.active]
    ended = [j for j in jobs_now if not j.active][:5]
    if active_only_refresh and not active:
        st.rerun()  # everything finished: redraw the page, whose results are now ready
    with st.expander(f"Running and finished ({len(active)} running)" if active else "Finished work", expanded=bool(active)):
        for job in active + ended:
            _job_line(job)
            if job.active:
                if st.button("Stop", key=f"panel_stop_{job.id}"):
                    board().stop(job.id)
                continue
            c1, c2 = st.columns(2)
            if job.status in ("interrupted", "stopped") and c1.button("Resume", key=f"panel_resume_{job.id}",
                                                                      help="Carries on where it stopped."):  # fmt: skip
                board().resume(job.id)
                st.rerun()
            if c2.button("Dismiss", key=f"panel_dismiss_{job.id}"):
                board().dismiss(job.id)
                st.rerun()


@st.fragment(run_every=2.0)
def _jobs_panel_live() -> None:
    _jobs_panel_body(True)


@st.fragment
def _jobs_panel_still() -> None:
    _jobs_panel_body(False)


def jobs_panel() -> None:
    """The sidebar's "Running and finished": every background job with its progress and Stop, finished and
    interrupted ones with Resume and Dismiss. Refreshes itself only while something runs."""
    with st.sidebar:
        (_jobs_panel_live if any(j.active for j in board().jobs(owner=owner() or None)) else _jobs_panel_still)()


# ---------------------------------------------------------------- originality (artcore.originality)


@st.cache_resource(show_spinner=False, max_entries=4)
def _reference(kind: str, path: str, version: str):
    """The works to compare with, read once per library version (``kind`` library) or model file (``model``)."""
    from artcore import originality

    bar = Progress("Reading the works to compare with (once)", messages=False)
    try:
        if kind == "model":
            return originality.model_reference(Path(path), progress=bar)
        return originality.library_reference(Library(path), progress=bar)
    finally:
        bar.clear()


def originality_check(image, key: str, *, model_path=None, label: str = "Is it original?") -> None:
    """A button that checks a picture (PIL image) against the works a generator was trained on (``model_path``)
    or, without one or when it does not list them, the library's; shows the verdict and the nearest works."""
    from artcore import originality
    from artcore.errors import UserError, sentence
    from artcore.imageio import open_image

    if not st.button(label, key=f"{key}_original",
                     help="Compares the picture with every known work: a copy (even re-saved, cropped or recoloured), "
                          "close to one, or original."):  # fmt: skip
        return
    lib = library()
    try:
        try:
            ref = _reference("model", str(model_path), str(Path(model_path).stat().st_mtime)) if model_path else None
        except UserError:
            ref = None  # a model trained on the library: its works are the library's
        ref = ref or _reference("library", str(lib.root), lib.version())
        result = originality.check([image], ref, names=["picture"])[0]
    except UserError as exc:
        st.error(sentence(exc), icon=":material/info:")
        return
    say = {"copy": st.error, "close": st.warning, "original": st.success}[result["verdict"]]
    say(f"{originality.WORDS[result['verdict']]} Compared with {ref.what}.")
    cols = st.columns(1 + len(result["nearest"]))
    cols[0].image(image, caption="Your picture", width="stretch")
    for col, near in zip(cols[1:], result["nearest"]):
        try:
            col.image(open_image(near["path"], max_side=256), width="stretch",
                      caption=f"{near['label'] or 'no label'} · {near['similarity']:.2f}")  # fmt: skip
        except UserError:
            col.caption(f"{near['label']} · {near['similarity']:.2f} (file missing)")
