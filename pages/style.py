import hashlib
import io
from functools import partial

import streamlit as st
from PIL import Image

from artcore import shared, tasks, ui
from artcore.errors import UserError, sentence
from artcore.imageio import central_crop, open_picture, png_bytes, scaled_size
from artcore.style import MIN_SIDE, NUM_BUILTIN, StyleSource, builtin_painter, builtin_title
from artcore.style.gatys import GatysSettings, gatys
from artcore.style.render import contact_sheet, stylize

GALLERY_MAX = 8
PREVIEW_SIDE = 400  # each ready-made style is previewed on the picture at this longer side
PREVIEW_COLUMNS = 3  # about 300 px a preview on a laptop screen; wider on a larger one
CONTENT = {"min_side": MIN_SIDE, "purpose": "to stylize"}  # a smaller content is refused in one sentence
IMAGE_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"]

lib = ui.library()
st.title("Style studio")
st.markdown("Repaint a picture in the style of **any painting, a ready-made style or an artist in your library**, "
            "blended as you like, up to print size. Choose the picture, pick styles, press Stylize.")  # fmt: skip


@st.cache_data(show_spinner=False, max_entries=4)
def builtin_thumbs(content_key: str, _content) -> list[bytes]:
    """Every built-in style on a small copy of the content (PIL, ``content_key`` its hash: keying on the picture
    itself would encode it on every run of the page), as JPEG bytes for the gallery; the first time for a picture,
    with its progress where the gallery will appear."""
    # A panorama previews its middle: the whole strip would be a sliver a few pixels high.
    small = small_copy(central_crop(_content), PREVIEW_SIDE)
    bar = ui.Progress(f"Painting your picture in each of the {NUM_BUILTIN} ready-made styles", messages=False)
    out = []
    for i in range(NUM_BUILTIN):
        buf = io.BytesIO()
        stylize(small, [StyleSource("builtin", i)]).save(buf, format="JPEG", quality=90)
        out.append(buf.getvalue())
        bar(i + 1, NUM_BUILTIN)
    bar.clear()
    return out


def toggle_builtin(i: int) -> None:
    """A gallery card's button: choose ready-made style ``i``, or unchoose it (the multiselect above shows them)."""
    chosen = list(st.session_state.get("builtins", []))
    st.session_state["builtins"] = [c for c in chosen if c != i] if i in chosen else [*chosen, i]


def small_copy(img, longest: int):
    """A copy at most ``longest`` px on its longer side, yet ``MIN_SIDE`` px on its shorter one: a panorama's copy
    is wider rather than too thin for the networks. Quick even for a 50-megapixel picture."""
    return img.resize(scaled_size(img.size, longest, MIN_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)


def remember(name: str, img) -> None:
    """Keep a result in this session's gallery (newest first, a few at most)."""
    gallery = st.session_state.setdefault("style_gallery", [])
    gallery.insert(0, (name, png_bytes(img)))
    del gallery[GALLERY_MAX:]


# ---------------------------------------------------------------- content
st.subheader("1 · Content")
records = lib.records()
sent = ui.receive_style_preset("content_from", "artists", clear_keys=("builtins",))  # "Open in the style studio"
where = st.radio("Content from", ["Upload", "Camera", "Library"] + ([ui.SENT] if sent else []), horizontal=True,
                 key="content_from", index=2 if records else 0)  # fmt: skip
content = None
try:
    if where == ui.SENT:
        content = sent
    elif where == "Upload":
        up = st.file_uploader("Content image", type=IMAGE_TYPES, key="content_upload")
        content = open_picture(up.getvalue(), **CONTENT, name=up.name) if up else None
    elif where == "Camera":
        shot = st.camera_input("Take a snapshot", key="content_camera")
        content = open_picture(shot.getvalue(), **CONTENT) if shot else None
    elif records:
        names = {f"{r.get('artist') or '—'} · {(r.get('original') or r['path']).rsplit('/', 1)[-1]} · {r['sha256'][:6]}": r
                 for r in records[:500]}  # fmt: skip
        pick = st.selectbox("Library image", list(names), key="content_library")
        content = open_picture(names[pick]["path"], **CONTENT, name=names[pick].get("original") or names[pick]["path"])
    else:
        st.info("The library is empty: upload a picture or take a snapshot instead.")
except UserError as exc:
    st.error(sentence(exc), icon=":material/info:")
if content is None:
    st.stop()
st.image(small_copy(content, 640), caption=f"{content.width}×{content.height} px", width=320)
content_key = hashlib.sha256(content.tobytes()).hexdigest()[:12]
ui.suggested_styles(content, lib, key="style")
queued = shared.policy().queue  # a class server paints in its job queue, fairly between visitors

tab_fast, tab_sheet, tab_gatys = st.tabs(["Fast style", "All built-in styles", "Classic (Gatys)"])

# ---------------------------------------------------------------- fast style
with tab_fast:
    st.subheader("2 · Styles")
    sources: list[StyleSource] = []
    uploads = st.file_uploader("Style images (any painting or picture)", type=IMAGE_TYPES,
                               accept_multiple_files=True, key="style_uploads")  # fmt: skip
    sources += ui.style_images(uploads)  # one sentence for each that cannot be used
    chosen = ui.builtin_picker(st, key="builtins")
    with st.expander(f"The {NUM_BUILTIN} ready-made styles, each painted on your picture: choose one or more",
                     expanded=True):  # fmt: skip
        thumbs = builtin_thumbs(content_key, content)
        for row in range(0, NUM_BUILTIN, PREVIEW_COLUMNS):
            for col, i in zip(st.columns(PREVIEW_COLUMNS), range(row, min(row + PREVIEW_COLUMNS, NUM_BUILTIN))):
                with col:
                    st.image(thumbs[i], width="stretch")
                    st.markdown(f"**{builtin_title(i)}**  \n:gray[{builtin_painter(i) or 'Painting not identified'}]")
                    picked = i in chosen
                    st.button("✓ Chosen" if picked else "Use this style", key=f"b_use_{i}", width="stretch",
                              type="primary" if picked else "secondary", on_click=toggle_builtin, args=(i,),
                              help="Click again to leave it out." if picked else None)  # fmt: skip
    sources += [StyleSource("builtin", i) for i in chosen]
    sources += ui.artist_sources(lib, "artists")
    if not sources:
        st.info("Pick at least one style: upload a painting, choose a ready-made style or a library artist.")
    ui.weight_sliders(sources, "w_")

    st.subheader("3 · Controls")
    c1, c2, c3 = st.columns(3)
    strength = c1.slider("Strength of the style", 0.0, 1.0, 1.0, 0.05, key="strength")
    size = c2.number_input("Output size (longer side, px)", 64, 8192, min(max(content.size), 1024), 64, key="size",
                           help="Up to 8192 px for a print; large sizes are painted in tiles and take longer.")  # fmt: skip
    keep = c3.checkbox("Keep the original colours", key="preserve")
    with st.expander("Advanced"):
        style_scale = st.slider("Stroke size: the style is read at (px); larger → finer strokes", 128, 1024, 256, 32,
                                key="style_scale",
                                help="The painting is looked at this many pixels wide before its style is taken: "
                                     "small values give broad strokes, large values fine ones. Default 256.")  # fmt: skip
    painting, painted = ui.queued_job("style_job", "Painting your picture")
    if painted:  # a queued painting has ended: show it like one painted here
        result = open_picture(painted.result["output"])
        st.session_state["style_result"] = (painted.params["content_key"], result)
        remember(painted.params["label"], result)

    def style_params() -> dict:
        params = tasks.stylize_params(ui.board().scratch(ui.owner()), content, sources, lib, size=int(size),
                                      strength=strength, preserve_color=keep, style_scale=style_scale)
        return params | {"content_key": content_key, "label": " + ".join(s.label for s in sources)}

    if st.button("Stylize", type="primary", disabled=not sources or painting, key="go",
                 on_click=ui.queue_on_click("style_job", "stylize", style_params, "Painting your picture") if queued
                 else None) and not queued:  # fmt: skip
        bar = ui.Progress("Painting your picture", messages=False)
        try:
            result = stylize(content, sources, size=int(size), strength=strength, preserve_color=keep,
                             style_scale=style_scale, library=lib, progress=bar)  # fmt: skip
        except UserError as exc:
            st.error(sentence(exc))
        else:
            st.session_state["style_result"] = (content_key, result)
            remember(" + ".join(s.label for s in sources), result)
        bar.clear()
    key, result = st.session_state.get("style_result", (None, None))
    if result is not None and key == content_key:
        st.caption(f"Result: {result.width}×{result.height} px — drag the slider to compare")
        ui.before_after(content.resize(result.size), result)
        st.download_button("Download full-resolution PNG", partial(png_bytes, result), "stylized.png", "image/png",
                           key="download")  # fmt: skip

# ---------------------------------------------------------------- contact sheet
with tab_sheet:
    st.write("Every ready-made style on your picture in one sheet, named, to download or print.")
    sheeting, sheeted = ui.queued_job("sheet_job", "Making the contact sheet")
    if sheeted:
        st.session_state["style_sheet"] = (sheeted.params["content_key"], open_picture(sheeted.result["output"]))
    if st.button("Make contact sheet", key="sheet_go", disabled=sheeting):
        if queued:
            ui.queue_job("sheet_job", "contact-sheet",
                         tasks.contact_sheet_params(ui.board().scratch(ui.owner()), content, content_key=content_key),
                         "Making a contact sheet of the ready-made styles")  # fmt: skip
        bar = ui.Progress(f"Painting your picture in each of the {NUM_BUILTIN} ready-made styles", messages=False)
        sheet = contact_sheet(content, progress=bar)
        bar.clear()
        st.session_state["style_sheet"] = (content_key, sheet)
    key, sheet = st.session_state.get("style_sheet", (None, None))
    if sheet is not None and key == content_key:
        st.image(sheet, width="stretch")
        st.download_button("Download contact sheet", partial(png_bytes, sheet), "contact_sheet.png", "image/png",
                           key="sheet_download")  # fmt: skip

# ---------------------------------------------------------------- Gatys
with tab_gatys:
    st.write("The classic method: slow (a minute or more), but it follows one painting closely. You see the "
             f"picture take shape; {'Stop' if queued else 'Cancel'} stops it and keeps the picture so far.")  # fmt: skip
    style_up = st.file_uploader("The painting to take the style from", type=IMAGE_TYPES, key="gatys_style")
    g1, g2 = st.columns(2)
    steps = g1.slider("Steps (more: closer to the painting, slower)", 5, 300, 60, 5, key="g_steps")
    gsize = g2.slider("Size (px)", 128, 1024, 384, 32, key="g_size")
    with st.expander("Advanced"):
        a1, a2 = st.columns(2)
        style_weight = a1.select_slider("How much the style counts", [1e2, 1e3, 3e3, 1e4, 3e4, 1e5], 1e4, key="g_sw",
                                        format_func=lambda w: f"{w:,.0f}",
                                        help="Higher: more of the painting's texture, less of your picture. "
                                             "(Style weight; default 10,000.)")  # fmt: skip
        content_weight = a1.slider("How much your picture counts", 0.0, 10.0, 1.0, 0.5, key="g_cw",
                                   help="Higher: keeps more of your picture's shapes. (Content weight; default 1.)")  # fmt: skip
        lr = a2.select_slider("Step size", [0.005, 0.01, 0.02, 0.03, 0.05, 0.1], 0.03, key="g_lr",
                              help="How far each step changes the picture: larger is faster but can get blotchy. "
                                   "(Learning rate; default 0.03.)")  # fmt: skip
        init = a2.radio("Start from", ["content", "noise"], horizontal=True, key="g_init",
                        format_func={"content": "your picture", "noise": "random noise"}.get)  # fmt: skip
        every = a2.slider("Show the picture every N steps", 1, 50, 10, key="g_every")
    gatys_busy, gatys_done = ui.queued_job("gatys_job", "Painting, step by step")
    if gatys_done:  # a queued run has ended: its picture (so far, if it was stopped)
        out = open_picture(gatys_done.result["output"])
        st.session_state["gatys_result"] = (gatys_done.params["content_key"], out)
        remember(gatys_done.params["label"], out)
    if st.button("Run Gatys", type="primary", disabled=style_up is None or gatys_busy, key="g_go"):
        try:
            settings = GatysSettings(steps=steps, size=gsize, style_weight=style_weight,
                                     content_weight=content_weight, lr=lr, init=init)  # fmt: skip
            style_img = open_picture(style_up.getvalue(), min_side=MIN_SIDE, name=style_up.name,
                                     purpose="to read a style from")  # fmt: skip
            if queued:
                ui.queue_job("gatys_job", "gatys",
                             tasks.gatys_params(ui.board().scratch(ui.owner()), content, style_img, settings, every,
                                                content_key=content_key, label=f"Gatys · {style_up.name}"),
                             "Painting your picture the classic way, step by step")  # fmt: skip
            cancel = st.empty()
            cancel.button("Cancel", key="g_cancel")  # any click reruns the page, which ends the optimisation
            bar = ui.Progress("Painting, step by step", messages=False)
            preview = st.empty()

            def on_step(step, total, loss, img):
                bar(step, total)
                if img is not None:
                    preview.image(img, caption=f"step {step}", width=gsize)
                    st.session_state["gatys_result"] = (content_key, img)  # survives a Cancel (a rerun)

            out = gatys(content, style_img, settings, callback=on_step, preview_every=every)
        except UserError as exc:
            st.error(sentence(exc))
        else:
            for placeholder in (preview, cancel):
                placeholder.empty()
            bar.clear()
            st.session_state["gatys_result"] = (content_key, out)
            remember(f"Gatys · {style_up.name}", out)
    key, out = st.session_state.get("gatys_result", (None, None))
    if out is not None and key == content_key:
        ui.before_after(content.resize(out.size), out, height=440)
        st.download_button("Download PNG", partial(png_bytes, out), "gatys.png", "image/png", key="g_download")

# ---------------------------------------------------------------- session gallery
gallery = st.session_state.get("style_gallery", [])
if gallery:
    st.subheader("This session's results")
    cols = st.columns(4)
    for n, (name, data) in enumerate(gallery):
        with cols[n % 4]:
            st.image(data, caption=name, width="stretch")
            st.download_button("Download", data, f"result_{n + 1}.png", "image/png", key=f"gal_{n}")
