import hashlib
import time
from pathlib import Path

import numpy as np
import streamlit as st

from artcore import ui, video
from artcore.errors import UserError, sentence
from artcore.gan import generate as gan
from artcore.gan.project import project
from artcore.imageio import open_picture, png_bytes
from artcore.style import NUM_BUILTIN, StyleSource

UPLOAD_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff"]

lib = ui.library()
st.title("Generate")
st.caption("New paintings from a GAN trained on paintings: pick a class or mix classes, change seeds, walk from one "
           "picture to another, or find the nearest thing the GAN can paint to a picture of yours.")  # fmt: skip

models = gan.available_models(lib)
if not models:
    st.info("No generator yet: train one in the **Train** tab below, or with `artcore gan train`.")
choice = st.sidebar.selectbox("Generator", list(models), key="g_model") if models else None
model = ui.gan_model(str(models[choice]), models[choice].stat().st_mtime) if choice else None
if model:
    about = gan.info(model)
    metrics = about["metrics"]
    st.info(
        f"This generator paints **{about['resolution']}×{about['resolution']} px** pictures (shown enlarged) of "
        f"**{len(model.classes)} classes**: {', '.join(model.classes)}. It saw {about['trained_images']:,} images "
        f"in {about['train_seconds'] / 60:.0f} min of training ({about['hardware']})."
        + (f" Class fidelity {metrics['class_fidelity']:.0%} (chance {metrics['chance']:.0%}); Fréchet distance "
           f"{metrics['fd']:.0f} against a real-vs-real floor of {metrics['fd_floor']:.0f}." if metrics else "")
    )  # fmt: skip


def class_mix(key: str) -> np.ndarray:
    """Class picker: one class, or several with weights (their label embeddings are mixed)."""
    picked = st.multiselect("Class (pick two or more to mix)", model.classes, default=model.classes[:1], key=key)
    mix = {c: 1.0 for c in picked}
    if len(picked) > 1:
        cols = st.columns(min(len(picked), 4))
        for i, c in enumerate(picked):
            mix[c] = cols[i % len(cols)].slider(f"Weight: {c}", 0.0, 1.0, 1.0 / len(picked), 0.05, key=f"{key}_{c}")
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
            video.write_gif(path, gif, max_fps=30.0, max_seconds=120.0)  # walks are small: long ones too
        c2.download_button("Download GIF", gif.read_bytes(), file_name=f"{name}.gif", mime="image/gif",
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


tabs = st.tabs(["Generate", "Latent walk", "Project a picture", "Style walk", "Train"])

# ---------------------------------------------------------------- generate
with tabs[0]:
    if model:
        c = class_mix("g_classes")
        c1, c2, c3 = st.columns(3)
        first = c1.number_input("First seed", 0, 10**6, 0, 8, key="g_seed")
        count = c2.select_slider("Pictures", [8, 16, 24, 32], 16, key="g_count")
        trunc = c3.slider("Truncation", 0.0, 1.0, 0.7, 0.05, key="g_trunc",
                          help="Lower: safer, more typical pictures; 1: the full variety (and more failures).")  # fmt: skip
        seeds = list(range(int(first), int(first) + count))
        picture = gan.grid(gan.enlarge(gan.generate(model, seeds, c, trunc)), 8)
        st.image(picture, caption=f"Seeds {seeds[0]}–{seeds[-1]}", width="stretch")
        st.download_button("Download grid (PNG)", png_bytes(picture), file_name="generated.png",
                           mime="image/png", key="g_dl")  # fmt: skip

# ---------------------------------------------------------------- latent walk
with tabs[1]:
    if model:
        st.caption("A smooth path between two ends: seeds (slerp in Z), classes (mixed label embeddings), or "
                   "pictures projected in the next tab (lerp in W).")  # fmt: skip
        ends = []
        for col, name in zip(st.columns(2), ("From", "To")):
            with col:
                options = ["Seed", "Class"] + (["Projected picture"] if "g_projection" in st.session_state else [])
                kind = st.radio(name, options, horizontal=True, key=f"w_{name}_kind")
                if kind == "Seed":
                    seed = st.number_input("Seed", 0, 10**6, 0 if name == "From" else 1, key=f"w_{name}_seed")
                    ends.append(gan.endpoint(model, f"seed:{seed}", c=class_mix(f"w_{name}_classes")))
                elif kind == "Class":
                    cls = st.selectbox("Class", model.classes, index=0 if name == "From" else len(model.classes) - 1,
                                       key=f"w_{name}_class")  # fmt: skip
                    ends.append(gan.endpoint(model, f"class:{cls}", seed=st.session_state.get("w_seed", 0)))
                else:
                    ends.append(gan.Endpoint.from_projection("projected picture", st.session_state["g_projection"]))
        c1, c2, c3, c4 = st.columns(4)
        frames = c1.slider("Frames", 8, 240, 60, 4, key="w_frames")
        fps = c2.select_slider("Frames per second", [8, 12, 24, 30], 24, key="w_fps")
        c3.number_input("Seed for class ends", 0, 10**6, 0, key="w_seed")
        loop = c4.checkbox("Loop back", key="w_loop")
        if st.button("Render the walk", type="primary", key="w_go"):
            bar = ui.Progress("Rendering frames")
            frames_out = gan.walk(model, *ends, frames=frames, trunc=0.7, loop=loop, progress=bar)
            bar.clear()
            out = video.work_dir() / f"walk-gan-{hashlib.sha256(frames_out.tobytes()).hexdigest()[:8]}.mp4"
            st.session_state["gan_result"] = gan.save_walk(frames_out, out, fps)["output"]
        show_result("gan", "latent-walk")

# ---------------------------------------------------------------- projection
with tabs[2]:
    if model:
        st.caption("Finds the point of the GAN's latent space whose painting is closest to your picture (its "
                   "central square), then you can walk from it in the Latent walk tab.")  # fmt: skip
        img, _ = picture_input("p", "Picture from", "to project")
        c1, c2 = st.columns(2)
        steps = c1.slider("Steps", 50, 1000, 200, 50, key="p_steps", help="More steps: closer, slower.")
        go = c1.button("Project", type="primary", key="p_go", disabled=img is None)
        c2.button("Stop", key="p_stop", help="Stops the search; the picture keeps what it found so far.")
        if go and img is not None:
            bar = ui.Progress("Projecting")
            try:
                st.session_state["g_projection"] = project(model, img, steps=steps,
                                                           progress=lambda d, t, loss: bar(d, t, f"loss {loss:.3f}"))  # fmt: skip
            finally:
                bar.clear()
            st.rerun()  # the Latent walk tab, drawn earlier in this run, now offers the projection as an end
        proj = st.session_state.get("g_projection")
        if proj is not None:
            st.image(gan.grid(gan.enlarge(np.stack([proj.target, proj.image, proj.error]), 256), 3), width="stretch",
                     caption=f"Target · reconstruction · error (PSNR {proj.psnr:.1f} dB after {proj.steps} steps)")  # fmt: skip
            st.success("Now pick **Projected picture** as an end in the Latent walk tab.")

# ---------------------------------------------------------------- style walk
with tabs[3]:
    st.caption("No GAN needed: your picture rendered in a style that glides from one painting, artist or "
               "built-in style to another.")  # fmt: skip
    content, _ = picture_input("s", "Content from", "to stylize")
    artists = sorted(lib.label_counts("artist"))
    style_ends = []
    for col, name in zip(st.columns(2), ("From", "To")):
        with col:
            kind = st.radio(f"{name} style", ["Built-in", "Style image"] + (["Library artist"] if artists else []),
                            horizontal=True, key=f"s_{name}_kind")  # fmt: skip
            if kind == "Built-in":
                i = st.selectbox("Built-in style", range(NUM_BUILTIN), 3 if name == "From" else 10,
                                 key=f"s_{name}_builtin", format_func=lambda i: f"builtin:{i}")  # fmt: skip
                style_ends.append(StyleSource("builtin", i))
            elif kind == "Style image":
                up = st.file_uploader("Style image", type=UPLOAD_TYPES, key=f"s_{name}_up")
                style_ends.append(next(iter(ui.style_images([up] if up else [])), None))
            else:
                style_ends.append(StyleSource("artist", st.selectbox("Artist", artists, key=f"s_{name}_artist")))
    c1, c2, c3 = st.columns(3)
    s_frames = c1.slider("Frames", 8, 120, 24, 4, key="s_frames")
    s_size = c2.select_slider("Size (px)", [256, 384, 512, 768], 384, key="s_size")
    s_loop = c3.checkbox("Loop back", key="s_loop")
    ready = content is not None and all(style_ends)
    c1, c2 = st.columns([1, 4])
    c2.button("Stop", key="s_stop", help="Stops after the current frame.")
    if c1.button("Render the style walk", type="primary", key="s_go", disabled=not ready):
        from artcore.style.walk import style_walk

        bar = ui.Progress("Rendering frames")
        try:
            out = style_walk(content, *style_ends, frames=s_frames, size=s_size, loop=s_loop, library=lib,
                             progress=bar)  # fmt: skip
            path = video.work_dir() / f"walk-style-{hashlib.sha256(out.tobytes()).hexdigest()[:8]}.mp4"
            st.session_state["style_result"] = video.save_frames(list(out), path, 12.0)["output"]
        except UserError as exc:
            st.error(sentence(exc))
        finally:
            bar.clear()
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
        field = c1.selectbox("Condition on", fields, key="t_field",
                             format_func=lambda f: f"{f} ({len(counts[f])} labels)")  # fmt: skip
        res = c2.selectbox("Resolution", [32, 64], key="t_res")
        minutes = c3.slider("Minutes", 1, 120, 10, key="t_minutes")
        run = gan_train.library_run_folder(lib, field, res)
        st.caption(f"Run folder `{run}`: training there again resumes where it stopped. A useful model takes about "
                   "an hour on a 2-core CPU at 32 px.")  # fmt: skip
        c1, c2 = st.columns(2)
        if c1.button("Train", type="primary", key="t_go"):
            bar = ui.Progress("Training")
            start = time.monotonic()

            def report(stats: dict) -> None:
                bar(min(round(time.monotonic() - start), minutes * 60), minutes * 60,
                    f"s · {stats['images_seen']:,} images seen · {stats['images_per_s']:.0f}/s")  # fmt: skip

            try:
                gan_train.train_run(run, res, minutes, lib=lib, field=field, progress=report)
            except UserError as exc:
                st.error(sentence(exc))
            finally:
                bar.clear()
        c2.button("Stop", key="t_stop", help="Stops after the current step and keeps a checkpoint.")
        latest = run / "samples" / "latest.png"
        if latest.exists():
            st.image(str(latest), caption="Latest samples: one row per class", width=512)
