import hashlib
from functools import partial

import streamlit as st
from PIL import Image
from streamlit_drawable_canvas import st_canvas

from artcore import shared, tasks, translate, ui
from artcore.errors import UserError, sentence
from artcore.imageio import open_picture, png_bytes
from artcore.labels import shown
from artcore.library import LABEL_FIELDS
from artcore.translate.sketch import prepare_drawing

PHOTO_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"]
SIZES = [512, 1024, 2048, 4096]  # the longest side of a painting, px
CANVAS = (480, 360)  # the drawing canvas, px (width, height)
KINDS = {"unpaired": "Photo → painter", "sketch": "Sketch → painting"}

lib = ui.library()
st.title("Translate")
st.markdown("Turn **a photo into a painting** in a painter's manner, or **your drawing into a painting** by a painter "
            "you pick, with models trained here on real paintings. Or train your own on your library.")  # fmt: skip
queued = shared.policy().queue  # a class server paints in its job queue, fairly between visitors


def pick_model(kind: str, key: str):
    """A translator of ``kind`` to pick (the ready-made one first), loaded; None after one sentence when there is
    none yet."""
    models = translate.choices(lib, kind)
    if not models:
        st.info(f"No {KINDS[kind].lower()} model yet: train one in the Train tab and it appears here.")
        return None, None
    label = st.selectbox("Model", list(models), key=key,
                         help="Ready-made ones come with Artcore; the ones you train appear here too.")  # fmt: skip
    try:
        model = ui.translator(str(models[label]), models[label].stat().st_mtime)
    except UserError:  # the other tabs still work
        st.error(f"“{label}” cannot be loaded (it may be damaged, or made by another version of Artcore): pick "
                 "another model or train it again.", icon=":material/info:")  # fmt: skip
        return None, None
    with st.expander("Advanced: how it was made"):
        st.caption(translate.about(model))
    return model, models[label]


def result_actions(img, name: str, key: str) -> None:
    """Download and "Send to the style studio" for a painting (PIL image)."""
    c1, c2 = st.columns(2)
    c1.download_button("Download PNG", partial(png_bytes, img), f"{name}.png", "image/png", key=f"{key}_download")
    if c2.button("Send to the style studio", key=f"{key}_send", help="Add a painter's brushwork on top of it there."):
        ui.send_to_style_studio(img)


def pictures(label: str, key: str, allowed: bool, several: bool = False, photos: bool = False) -> str | None:
    """Training pictures: the library's pictures with one label (or, ``several``, a few labels: one kind of painting
    each), or a folder on this server (first for ``photos``, which a library rarely labels); as ``translate``'s
    spec ("artist:Claude_Monet" or a path), or None."""
    counts = {f: c for f in LABEL_FIELDS if (c := lib.label_counts(f))}
    how = st.radio(label, ["library", "folder"], horizontal=True, key=f"{key}_how",
                   index=0 if counts and not photos else 1,
                   format_func={"library": "From my library", "folder": "A folder on this server"}.get)  # fmt: skip
    if how == "library":
        if not counts:
            st.caption("Your library has no pictures with an artist, genre or style yet.")
            return None
        field = st.selectbox("Label", list(counts), key=f"{key}_field", format_func=str.capitalize)
        names = sorted(counts[field], key=str.casefold)
        tell = lambda v: f"{shown(v)} ({counts[field][v]})"  # noqa: E731
        if several:
            values = st.multiselect(f"Which {field}s (each becomes a choice to paint in)", names, key=f"{key}_values",
                                    format_func=tell)  # fmt: skip
            return f"{field}:{','.join(values)}" if values else None
        return f"{field}:{st.selectbox(field.capitalize(), names, key=f'{key}_value', format_func=tell)}"
    text = st.text_input("Folder", placeholder="/path/to/pictures", key=f"{key}_folder", disabled=not allowed,
                         help="One sub-folder per painter or genre." if several else None)  # fmt: skip
    if not text or not allowed:
        return None
    try:  # on a class server, only below the folders the teacher shared (checked before anything looks at it)
        place = shared.policy().check_folder(text)
    except UserError as exc:
        st.error(sentence(exc), icon=":material/lock:")
        return None
    if not place.is_dir():
        st.error(f"The folder “{text}” does not exist on this server.", icon=":material/info:")
        return None
    return str(place)


tab_photo, tab_sketch, tab_train = st.tabs([KINDS["unpaired"], KINDS["sketch"], "Train"])

# ---------------------------------------------------------------- photo → painter
with tab_photo:
    model, model_path = pick_model("unpaired", "tp_model")
    if model:
        photo = data = None
        if st.toggle("Take a photo with the camera", key="tp_camera"):
            taken = st.camera_input("Take a photo", key="tp_shot")
            data, name = (taken.getvalue(), None) if taken else (None, None)
        else:
            up = st.file_uploader("Your photo", type=PHOTO_TYPES, key="tp_upload")
            data, name = (up.getvalue(), up.name) if up else (None, None)
        if data:
            photo = ui.picture(data, name, purpose="to translate")
        photo_key = hashlib.sha256(data).hexdigest()[:12] if photo else None
        size = st.select_slider("Size of the painting (longest side, px)", SIZES, 512, key="tp_size",
                                help="Its brushwork shows best at 512 px or less; larger sizes are painted piece by piece, keep "
                                     "the strokes small and take longer.")  # fmt: skip
        running, ended = ui.queued_job("tp_job", "Painting your photo")
        if ended:  # a queued painting has ended: show it like one painted here
            st.session_state["tp_result"] = (ended.params["photo_key"], open_picture(ended.result["output"]))
        if st.button("Translate", type="primary", key="tp_go", disabled=photo is None or running):
            if queued:
                ui.queue_job("tp_job", "translate-photo",
                             tasks.translate_params(ui.board().scratch(ui.owner()), model_path, photo, size,
                                                    photo_key=photo_key),
                             "Painting your photo")  # fmt: skip
            bar = ui.Progress("Painting your photo", messages=False)
            try:
                st.session_state["tp_result"] = (photo_key, Image.fromarray(
                    translate.translate_photo(model, photo, size, progress=bar)))  # fmt: skip
            except UserError as exc:
                st.error(sentence(exc))
            bar.clear()
        key, result = st.session_state.get("tp_result", (None, None))
        if result is not None and key == photo_key:
            st.caption(f"Your photo painted, {result.width}×{result.height} px: drag the slider to compare")
            ui.before_after(photo.resize(result.size), result)
            result_actions(result, "painted-photo", "tp")

# ---------------------------------------------------------------- sketch → painting
with tab_sketch:
    model, model_path = pick_model("sketch", "ts_model")
    if model:
        c1, c2 = st.columns([5, 4], gap="medium")
        cls = c1.selectbox("Paint it as", model.classes, key="ts_class", format_func=shown)
        size = c2.select_slider("Size of the painting (longest side, px)", SIZES, 512, key="ts_size")
        left, right = st.columns([5, 4], gap="medium")  # the canvas's fixed width fits a laptop's left column
        with left:
            how = st.radio("Your drawing", ["draw", "upload"], horizontal=True, key="ts_how",
                           format_func={"draw": "Draw it here", "upload": "Upload a drawing"}.get)  # fmt: skip
            drawing = None
            if how == "draw":
                width = st.slider("Line width", 1, 12, 3, key="ts_width")
                canvas = st_canvas(stroke_width=width, stroke_color="#000000", background_color="#ffffff",
                                   width=CANVAS[0], height=CANVAS[1], return_image_data=True, key="ts_canvas")  # fmt: skip
                st.caption("Black ink on white paper. The bin above the paper starts again; the arrows undo and redo.")
                drawing = translate.canvas_drawing(canvas.image_data, CANVAS)
            else:
                up = st.file_uploader("A drawing: dark lines on light paper", type=PHOTO_TYPES, key="ts_upload")
                drawing = ui.picture(up.getvalue(), up.name, purpose="to paint") if up else None
            running, ended = ui.queued_job("ts_job", "Painting your drawing")
            if ended:
                st.session_state["ts_result"] = (ended.params["class"], open_picture(ended.result["output"]))
            if st.button("Paint it", type="primary", key="ts_go", disabled=drawing is None or running):
                try:
                    if queued:
                        prepare_drawing(drawing)  # a blank drawing is refused here, not queued
                        ui.queue_job("ts_job", "translate-sketch",
                                     tasks.translate_params(ui.board().scratch(ui.owner()), model_path, drawing, size,
                                                            cls),
                                     "Painting your drawing")  # fmt: skip
                    bar = ui.Progress("Painting your drawing", messages=False)
                    try:
                        painted = translate.render_sketch(model, drawing, cls, size, progress=bar)
                    finally:
                        bar.clear()
                    st.session_state["ts_result"] = (cls, Image.fromarray(painted))
                except UserError as exc:
                    st.error(sentence(exc), icon=":material/info:")
        with right:
            painted_as, result = st.session_state.get("ts_result", (None, None))
            if result is None:
                st.caption("Your painting appears here.")
            else:
                st.image(result, caption=f"Painted as {shown(painted_as)}, {result.width}×{result.height} px",
                         width="stretch")  # fmt: skip
                result_actions(result, "painted-drawing", "ts")

# ---------------------------------------------------------------- train
with tab_train:
    st.write("Teach a new translator: photos → a painter's manner, or drawings → paintings by the painters or "
             "genres you pick. It trains on this computer in the background; about an hour gives a first result, "
             "and training again under the same name carries on where it stopped.")  # fmt: skip
    allowed = ui.teacher_unlocked("train a translator", "tt")
    kind = st.radio("It learns to turn", list(KINDS), horizontal=True, key="tt_kind", format_func=KINDS.get)
    if kind == "unpaired":
        c1, c2 = st.columns(2)
        with c1:
            source = pictures("From: the photos it will paint", "tt_from", allowed, photos=True)
        with c2:
            target = pictures("To: the paintings whose manner it learns", "tt_to", allowed)
    else:
        source, target = "", pictures("The paintings it learns to paint drawings as", "tt_to", allowed, several=True)
    c1, c2 = st.columns(2)
    minutes = c1.slider("Training time (minutes)", 1, 240, 60, key="tt_minutes",
                        help="Training again under the same name carries on where it stopped.")  # fmt: skip
    suggested = translate.run_name(kind, target) if target else ""
    name = c2.text_input("Name", placeholder=suggested or "e.g. photo-to-monet", key="tt_name").strip() or suggested
    run = so_far = None
    try:
        run = tasks.translate_run_folder(lib, name) if name else None
        so_far = translate.trained_so_far(run) if run else None
    except UserError as exc:
        st.error(sentence(exc), icon=":material/info:")
    if kind == "unpaired" and source and source == target:
        st.error("“From” and “To” are the same pictures: photos on one side, paintings on the other.",
                 icon=":material/info:")  # fmt: skip
        run = None
    elif so_far and so_far["kind"] != kind:
        st.error(f"“{run.name}” already turns {KINDS[so_far['kind']].lower()}: choose another name.",
                 icon=":material/info:")  # fmt: skip
        run = None
    elif so_far:
        st.caption(f"“{run.name}” has seen {so_far['images_seen']:,} crops so far: training carries on from there, "
                   "on the pictures it began with.")  # fmt: skip
    # Training runs on the server as a background job: it goes on if this tab is closed, and shows here on return.
    training = ui.board().find("translate-train")
    ready = run is not None and bool(target) and (kind == "sketch" or bool(source))
    if allowed and st.button("Carry on training" if so_far else "Start training", type="primary", key="tt_go",
                             disabled=not ready or bool(training),
                             help="One translator trains at a time." if training else None):  # fmt: skip
        ui.start_job("translate-train", {"kind": kind, "source": source, "target": target, "minutes": minutes,
                                         "name": run.name}, f"Training the translator “{run.name}”")  # fmt: skip
        st.rerun()
    last = None if training or run is None else ui.board().find("translate-train", active=False, name=run.name)
    if training:
        run = tasks.translate_run_folder(lib, training.params["name"])
    done = f"Pick “{run.name} · trained here” as the model in the {KINDS[last.params['kind']]} tab." if last else ""
    ui.training_status(training, last, f"Training “{run.name}”" if training else "", done,
                       "Training stopped: what it learnt so far is kept, and training again carries on from there.")  # fmt: skip

    def latest_samples() -> None:
        latest = run / "samples" / "latest.png" if run else None
        if latest and latest.exists():
            st.image(str(latest), caption="What it makes of a few training pictures, at its latest save", width=640)

    # While it trains, new pictures appear every few minutes: look for them now and then.
    (st.fragment(run_every=30.0)(latest_samples) if training else latest_samples)()
