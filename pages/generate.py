import hashlib
from functools import partial
from pathlib import Path

import numpy as np
import streamlit as st
from PIL import Image

from artcore import shared, tasks, ui, video
from artcore.errors import UserError, sentence
from artcore.gan import generate as gan
from artcore.gan.project import project
from artcore.imageio import open_picture, png_bytes
from artcore.style import NUM_BUILTIN, StyleSource, builtin_label

UPLOAD_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"]
JUDGES = {"magenta": "Magenta's style network, which the generator never trained against",
          "lite0": "EfficientNet-Lite0 features"}  # which network graded a model's figures (gan.metrics)

lib = ui.library()
st.title("Generate")
st.markdown("**Small new paintings** from a model trained here on paintings: pick a kind of picture or mix kinds, "
            "morph from one picture to another, find the model's nearest painting to a picture of yours, or glide "
            "your picture from one painting's style to another's.")  # fmt: skip
# A run interrupted by Stop (a rerun) never reaches its end, so its flag ("search", "style morph") is still set on
# the next run. (Training runs as a background job, with its own progress and Stop.)
was_running = st.session_state.pop("gen_running", None)
STOPPED = {"search": "Stopped the search. Press Find it to search again.",
           "style morph": "Stopped the style morph. Render it again to make the whole video."}  # fmt: skip


def stopped_note(what: str) -> None:
    if was_running == what:
        st.info(STOPPED[what])


def stop_button(slot, key: str, what: str, tip: str) -> None:
    """A Stop button in ``slot``, shown only while ``what`` runs (call ``done`` after)."""
    slot.button("Stop", key=key, help=tip)
    st.session_state["gen_running"] = what


def done(slot) -> None:
    st.session_state.pop("gen_running", None)
    slot.empty()

models = gan.available_models(lib)
if not models:
    st.info("No generator yet: train one on your library in the **Train** tab below.")
choice = st.sidebar.selectbox("Model", list(models), key="g_model") if models else None
model = ui.gan_model(str(models[choice]), models[choice].stat().st_mtime) if choice else None
if model:
    about = gan.info(model)
    metrics = about["metrics"]
    st.info(
        f"This generator paints {'tiny ' if about['resolution'] < 128 else ''}"
        f"**{about['resolution']}×{about['resolution']} px** pictures (shown enlarged) of **{len(model.classes)} "
        f"kinds**: {', '.join(map(model.label, model.classes))}. Expect each kind's composition and palette"
        f"{', and some brushwork' if about['resolution'] >= 128 else ''}, not a finished painting."
    )  # fmt: skip
    with st.expander("Advanced: how it was made and how good it is"):
        st.markdown(
            f"It saw {about['trained_images']:,} pictures in {about['train_seconds'] / 60:.0f} min of training "
            f"({about['hardware']})."
            + (f" Asked for a kind, it paints something a classifier recognises as that kind "
               f"{metrics['class_fidelity']:.0%} of the time (by chance: {metrics['chance']:.0%}). Fréchet distance "
               f"(how far its pictures are from real ones, lower is better): {metrics['fd']:.3g}, where two halves "
               f"of the real paintings score {metrics['fd_floor']:.3g}. Judged by "
               f"{JUDGES.get(metrics.get('judge'), JUDGES['lite0'])}." if metrics else "")
        )  # fmt: skip


def class_mix(key: str) -> np.ndarray:
    """Class picker: one class, or several with weights (their label embeddings are mixed)."""
    picked = st.multiselect("Painter or kind of picture (pick two or more to mix them)", model.classes,
                            default=model.classes[:1], format_func=model.label, key=key)  # fmt: skip
    mix = {c: 1.0 for c in picked}
    if len(picked) > 1:
        cols = st.columns(min(len(picked), 4))
        for i, c in enumerate(picked):
            mix[c] = cols[i % len(cols)].slider(f"Weight: {model.label(c)}", 0.0, 1.0, 1.0 / len(picked), 0.05, key=f"{key}_{c}")
    return model.class_vector(mix)


def show_result(key: str, name: str) -> None:
    path = st.session_state.get(f"{key}_result")
    if path and Path(path).exists():
        data = Path(path).read_bytes()
        player, buttons = st.columns([2, 3])
        player.video(data, format="video/mp4", loop=True, autoplay=True, muted=True)
        c1, c2 = buttons.columns(2)
        c1.download_button("Download MP4", data, file_name=f"{name}.mp4", mime="video/mp4", key=f"{key}_dl")
        gif = Path(path).with_suffix(".gif")
        if not gif.exists():
            with st.spinner("Making the GIF…"):
                video.write_gif(path, gif, max_fps=30.0, max_seconds=120.0)  # walks are small: long ones too
        c2.download_button("Download GIF", gif.read_bytes, file_name=f"{name}.gif", mime="image/gif",
                           key=f"{key}_dlgif")  # fmt: skip


def picture_input(key: str, label: str, purpose: str):
    """An uploaded picture or one from the library (a PIL image), or None (after one sentence saying why, for a
    file that is not a picture or is under 32 px on a side, "too small ``purpose``")."""
    how = st.radio(label, ["Upload", "From the library"], horizontal=True, key=f"{key}_how")
    if how == "Upload":
        up = st.file_uploader("Picture", type=UPLOAD_TYPES, key=f"{key}_up")
        return (ui.picture(up.getvalue(), up.name, purpose=purpose), up.name) if up else (None, None)
    records = lib.records()
    if not records:
        st.caption("The library is empty.")
        return None, None
    names = {Path(r.get("original") or r["path"]).name: r for r in records[:300]}
    pick = st.selectbox("Picture", list(names), key=f"{key}_pick")
    try:
        return open_picture(names[pick]["path"], min_side=32, name=pick, purpose=purpose), pick
    except UserError as exc:
        st.error(sentence(exc))
        return None, None


tabs = st.tabs(["Generate", "Morph", "Find your picture", "Style morph", "Train"])

# ---------------------------------------------------------------- generate
with tabs[0]:
    if model:
        c = class_mix("g_classes")
        c1, c2 = st.columns(2)
        first = c1.number_input("Pictures numbered from (change it to see others)", 0, 10**6, 0, 8, key="g_seed",
                                help="Every number is always the same picture, so you can come back to one.")  # fmt: skip
        count = c2.select_slider("How many", [8, 16, 24, 32], 16, key="g_count")
        with st.expander("Advanced"):
            trunc = st.slider("Variety: typical ↔ surprising", 0.0, 1.0, 0.7, 0.05, key="g_trunc",
                              help="Lower: safer, more typical pictures; 1: the full variety, and more failures. "
                                   "(Truncation; default 0.7.)")  # fmt: skip
        seeds = list(range(int(first), int(first) + count))
        picture = gan.grid(gan.enlarge(gan.generate(model, seeds, c, trunc)), 8)
        st.image(picture, caption=f"Pictures {seeds[0]}–{seeds[-1]}", width="stretch")
        st.download_button("Download grid (PNG)", partial(png_bytes, picture), file_name="generated.png",
                           mime="image/png", key="g_dl")  # fmt: skip
        st.subheader("Is it original?")
        st.caption("Check a picture against the paintings the model learnt from: is it new, close to one, or a copy?")
        number = st.selectbox("Picture", seeds, key="g_orig_pick", format_func=lambda n: f"Picture {n}")
        one = gan.enlarge(gan.generate(model, [number], c, trunc))[0]
        ui.originality_check(Image.fromarray(one), "g_orig", model_path=models[choice])

# ---------------------------------------------------------------- latent walk
with tabs[1]:
    if model:
        st.caption("A smooth morph from one end to the other, as a short video: two numbered pictures, two kinds of "
                   "picture, or a picture of yours found in the next tab.")  # fmt: skip
        ends = []
        for col, name in zip(st.columns(2), ("From", "To")):
            with col:
                options = ["Seed", "Class"] + (["Projected picture"] if "g_projection" in st.session_state else [])
                kind = st.radio(name, options, horizontal=True, key=f"w_{name}_kind", format_func={
                    "Seed": "A numbered picture", "Class": "A kind of picture",
                    "Projected picture": "Your found picture"}.get)  # fmt: skip
                if kind == "Seed":
                    seed = st.number_input("Picture number", 0, 10**6, 0 if name == "From" else 1,
                                           key=f"w_{name}_seed")  # fmt: skip
                    ends.append(gan.endpoint(model, f"seed:{seed}", c=class_mix(f"w_{name}_classes")))
                elif kind == "Class":
                    cls = st.selectbox("Painter or kind", model.classes, format_func=model.label,
                                       index=0 if name == "From" else len(model.classes) - 1,
                                       key=f"w_{name}_class")  # fmt: skip
                    ends.append(gan.endpoint(model, f"class:{cls}", seed=st.session_state.get("w_seed", 0)))
                else:
                    ends.append(gan.Endpoint.from_projection("projected picture", st.session_state["g_projection"]))
        c1, c2, c3 = st.columns(3)
        frames = c1.slider("Frames (length of the video)", 8, 240, 60, 4, key="w_frames")
        fps = c2.select_slider("Frames per second", [8, 12, 24, 30], 24, key="w_fps")
        loop = c3.checkbox("Loop back to the start", key="w_loop")
        with st.expander("Advanced"):
            st.number_input("Picture number used for a kind-of-picture end", 0, 10**6, 0, key="w_seed",
                            help="Which picture of that kind the morph starts or ends on.")  # fmt: skip
        if st.button("Render the morph", type="primary", key="w_go"):
            bar = ui.Progress("Painting the frames of the morph", messages=False)
            frames_out = gan.walk(model, *ends, frames=frames, trunc=0.7, loop=loop, progress=bar)
            bar.clear()
            out = video.work_dir() / f"walk-gan-{hashlib.sha256(frames_out.tobytes()).hexdigest()[:8]}.mp4"
            st.session_state["gan_result"] = gan.save_walk(frames_out, out, fps)["output"]
        show_result("gan", "latent-walk")

# ---------------------------------------------------------------- projection
with tabs[2]:
    if model:
        st.caption("Finds the painting this model can make that comes closest to your picture (its central "
                   "square); then you can morph from it in the Morph tab.")  # fmt: skip
        stopped_note("search")
        img, _ = picture_input("p", "Picture from", "to project")
        searching, found = ui.queued_job("p_job", "Searching for the model's closest painting")
        if found:  # a class server searched in its job queue
            st.session_state["g_projection"] = tasks.saved_projection(found.result["output"])
            st.rerun()  # the Morph tab, drawn earlier in this run, now offers the found picture as an end
        c1, c2 = st.columns(2)
        steps = c1.slider("Effort (more: closer, slower)", 50, 1000, 200, 50, key="p_steps",
                          help="Steps of the search; 200 take a few seconds.")  # fmt: skip
        go = c1.button("Find it", type="primary", key="p_go", disabled=img is None or searching)
        if go and img is not None:
            if shared.policy().queue:
                ui.queue_job("p_job", "project",
                             tasks.project_params(ui.board().scratch(ui.owner()), models[choice], img, steps),
                             "Finding the model's closest painting to your picture")  # fmt: skip
            stop = c2.empty()
            stop_button(stop, "p_stop", "search", "Stops the search.")
            bar = ui.Progress("Searching for the model's closest painting", messages=False)
            try:
                st.session_state["g_projection"] = project(model, img, steps=steps,
                                                           progress=lambda d, t, loss: bar(d, t))  # fmt: skip
            finally:
                bar.clear()
            done(stop)
            st.rerun()  # the Morph tab, drawn earlier in this run, now offers the found picture as an end
        proj = st.session_state.get("g_projection")
        if proj is not None:
            st.image(gan.grid(gan.enlarge(np.stack([proj.target, proj.image, proj.error]), 256), 3), width="stretch",
                     caption="Your picture · the model's closest painting · where they differ (bright: more)")  # fmt: skip
            with st.expander("Advanced"):
                st.caption(f"PSNR {proj.psnr:.1f} dB after {proj.steps} steps (higher: closer; 20 dB is a rough "
                           "likeness, 30 dB a close one).")  # fmt: skip
            st.success("Now pick **Your found picture** as an end in the Morph tab.")

# ---------------------------------------------------------------- style walk
with tabs[3]:
    st.caption("No model needed: your picture painted in a style that glides from one painting, artist or "
               "ready-made style to another, as a short video.")  # fmt: skip
    stopped_note("style morph")
    content, _ = picture_input("s", "Content from", "to stylize")
    artists = sorted(lib.label_counts("artist"))
    style_ends = []
    for col, name in zip(st.columns(2), ("From", "To")):
        with col:
            kind = st.radio(f"{name} style", ["Built-in", "Style image"] + (["Library artist"] if artists else []),
                            horizontal=True, key=f"s_{name}_kind", format_func={
                                "Built-in": "Ready-made", "Style image": "A painting", "Library artist": "An artist"}.get)  # fmt: skip
            if kind == "Built-in":
                i = st.selectbox("Ready-made style", range(NUM_BUILTIN), 3 if name == "From" else 10,
                                 key=f"s_{name}_builtin", format_func=builtin_label)  # fmt: skip
                style_ends.append(StyleSource("builtin", i))
            elif kind == "Style image":
                up = st.file_uploader("The painting", type=UPLOAD_TYPES, key=f"s_{name}_up")
                style_ends.append(next(iter(ui.style_images([up] if up else [])), None))
            else:
                style_ends.append(StyleSource("artist", st.selectbox("Artist", artists, key=f"s_{name}_artist")))
    c1, c2, c3 = st.columns(3)
    s_frames = c1.slider("Frames", 8, 120, 24, 4, key="s_frames")
    s_size = c2.select_slider("Size (px)", [256, 384, 512, 768], 384, key="s_size")
    s_loop = c3.checkbox("Loop back to the start", key="s_loop")
    ready = content is not None and all(style_ends)
    c1, c2 = st.columns([1, 4])
    if c1.button("Render the style morph", type="primary", key="s_go", disabled=not ready):
        from artcore.style.walk import style_walk

        stop = c2.empty()
        stop_button(stop, "s_stop", "style morph", "Stops after the current frame.")
        bar = ui.Progress("Painting the frames of the style morph", messages=False)
        try:
            out = style_walk(content, *style_ends, frames=s_frames, size=s_size, loop=s_loop, library=lib,
                             progress=bar)  # fmt: skip
            path = video.work_dir() / f"walk-style-{hashlib.sha256(out.tobytes()).hexdigest()[:8]}.mp4"
            st.session_state["style_result"] = video.save_frames(list(out), path, 12.0)["output"]
        except UserError as exc:
            st.error(sentence(exc))
        finally:
            bar.clear()
        done(stop)
    show_result("style", "style-walk")

# ---------------------------------------------------------------- train
with tabs[4]:
    from artcore.gan import train as gan_train

    counts = {f: lib.label_counts(f) for f in ("genre", "artist", "style")}
    fields = [f for f, c in counts.items() if len(c) >= 2]
    if not fields:
        st.info("Training needs a library with at least two labels (e.g. import a folder per genre or artist).")
    else:
        c1, c2, c3 = st.columns(3)
        field = c1.selectbox("Learn to paint each", fields, key="t_field",
                             format_func=lambda f: f"{f} ({len(counts[f])} in your library)")  # fmt: skip
        minutes = c2.slider("Training time (minutes)", 1, 120, 10, key="t_minutes",
                            help="Training again later carries on where it stopped.")  # fmt: skip
        res = c3.selectbox("Picture size (px)", [32, 64], key="t_res",
                           help="64 px takes about four times as long to learn.")  # fmt: skip
        run = gan_train.library_run_folder(lib, field, res)
        st.caption("A useful model takes about an hour on this kind of computer at 32 px; you can train in short "
                   "sessions, each one carries on from the last.")  # fmt: skip
        # Training runs on the server as a background job: it goes on if this tab is closed, and shows here on return.
        training = ui.board().find("gan-train", field=field, res=res)
        if ui.teacher_unlocked("train a model", "t") and st.button("Train", type="primary", key="t_go",
                                                                  disabled=bool(training)):  # fmt: skip
            ui.start_job("gan-train", {"field": field, "res": res, "minutes": minutes},
                         f"Training the generator on your {field}s")  # fmt: skip
            st.rerun()
        last = None if training else ui.board().find("gan-train", active=False, field=field, res=res)
        ui.training_status(training, last, f"Training the model on your {field}s",
                           f"To paint with it, choose “library: {run.name}” as the Model in the sidebar.",
                           "Training stopped: what the model learnt so far is kept, and Train carries on from there.")  # fmt: skip

        def latest_samples() -> None:
            latest = run / "samples" / "latest.png"
            if latest.exists():
                st.image(str(latest), caption=f"Its latest pictures: one row per {field}", width=512)

        # While it trains, new pictures appear every few minutes: look for them now and then.
        (st.fragment(run_every=30.0)(latest_samples) if training else latest_samples)()
