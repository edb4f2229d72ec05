from pathlib import Path

import streamlit as st

from artcore import ui, video
from artcore.errors import UserError, sentence

SIZES = [320, 480, 720, 1080]

lib = ui.library()
st.title("Video")
st.caption("Stylize a clip: one fixed style for every frame, smoothed along the motion so it does not shimmer; "
           "the mp4 keeps the frame rate and the sound.")

# ---------------------------------------------------------------- clip
st.subheader("1 · Clip")
source = st.radio("Clip from", ["Upload", "Demo: pan over a library picture"], horizontal=True, key="v_from")
clip = None
if source == "Upload":
    up = st.file_uploader("Video (mp4, mov, webm, mkv or animated GIF)", type=["mp4", "mov", "webm", "mkv", "gif"],
                          key="v_upload")
    if up:
        clip = video.save_upload(up.name, up.getvalue())
else:
    records = lib.records()
    if not records:
        st.info("The library is empty: upload a clip instead.")
    else:
        names = {Path(r.get("original") or r["path"]).name: r for r in records[:200]}
        pick = names[st.selectbox("Picture", list(names), key="v_demo_pick")]
        with st.spinner("Making a 3 s clip…"):
            clip = video.demo_clip(pick["path"], pick["sha256"])
if clip is None:
    st.stop()
try:
    info = video.probe(clip)
except UserError as exc:
    # The clip is stored under its content hash: name it as the painter knows it.
    st.error(sentence(str(exc).replace(clip.name, f"“{up.name}”") if source == "Upload" else exc))
    st.stop()
st.caption(f"{info.width}×{info.height} px · {float(info.fps):g} fps · {info.frames} frames · {info.duration:g} s · "
           f"{'sound: ' + info.audio if info.audio else 'no sound'}")

# ---------------------------------------------------------------- style
st.subheader("2 · Style")
sources, strength, keep = ui.style_controls(lib, "v")
c1, c2 = st.columns(2)
size = c1.select_slider("Output size (longer side, px)", SIZES, value=480, key="v_size",
                        help="Never larger than the clip itself.")
smooth = c2.slider("Smoothing against flicker", 0.0, 0.9, 0.7, 0.05, key="v_smooth",
                   help="How much of the previous frame, moved along the motion, goes into each new frame.")
if not sources:
    st.info("Pick at least one style.")
    st.stop()
settings = dict(size=size, smooth=smooth, strength=strength, preserve_color=keep, library=lib)

# ---------------------------------------------------------------- preview and render
st.subheader("3 · Preview and render")
c1, c2, c3 = st.columns(3)
if c1.button("Preview first frames", key="v_preview"):
    try:
        with st.spinner("Rendering the first frames…"):
            frames = video.preview(clip, sources, frames=12, **{**settings, "size": min(size, 320)})
        st.session_state["v_preview_gif"] = video.gif_bytes(frames, float(info.fps))
    except UserError as exc:
        st.error(sentence(exc))
if st.session_state.get("v_preview_gif"):
    st.image(st.session_state["v_preview_gif"], caption="Preview: the first 12 frames", width=320)

render = c2.button("Render the whole clip", type="primary", key="v_render")
stopped = c3.button("Stop", key="v_stop", help="Stops after the current frame; rendering again resumes.")
if stopped:
    st.info("Stopped. Finished parts are kept: render again to carry on where it stopped.")
if render:
    out = video.result_path(clip, sources, **settings)
    bar = ui.Progress("Rendering")
    try:
        # The Stop button reruns the script, which interrupts this call at its next progress update.
        result = video.stylize_video(clip, sources, out, progress=bar, **settings)
    except UserError as exc:
        st.error(sentence(exc))
    else:
        st.session_state["v_result"] = result
    bar.clear()

result = st.session_state.get("v_result")
if result and Path(result["output"]).exists():
    out = Path(result["output"])
    st.success(f"{result['frames']} frames, {result['size'][0]}×{result['size'][1]} px, {result['fps']:g} fps, "
               f"{'with sound' if result['audio'] else 'no sound'}, rendered in {result['seconds']:.0f} s"
               + (f" (resumed at frame {result['resumed_from']})" if result["resumed_from"] else ""))
    st.video(out.read_bytes(), format="video/mp4")
    c1, c2 = st.columns(2)
    c1.download_button("Download mp4", out.read_bytes(), file_name=f"{clip.stem}-styled.mp4", mime="video/mp4",
                       key="v_dl_mp4")
    gif = out.with_suffix(".gif")
    if info.duration <= video.GIF_MAX_SECONDS:
        if not gif.exists() and c2.button("Make a GIF", key="v_gif"):
            with st.spinner("Making the GIF…"):
                video.write_gif(out, gif)
        if gif.exists():
            c2.download_button("Download GIF", gif.read_bytes(), file_name=f"{clip.stem}-styled.gif",
                               mime="image/gif", key="v_dl_gif")
    else:
        c2.caption(f"GIF export is for clips up to {video.GIF_MAX_SECONDS} s.")
