from pathlib import Path

import streamlit as st

from artcore import shared, tasks, ui, video
from artcore.errors import UserError, sentence

SIZES = [320, 480, 720, 1080]
DEMO_COLUMNS = 8

lib = ui.library()
st.title("Video")
st.markdown("Repaint a video clip in a style, frame by frame, **steadily and without flicker**; it keeps its "
            "sound. Upload a clip, or make a short camera move over one of your pictures.")  # fmt: skip


def use_picture(sha: str) -> None:
    st.session_state["v_demo_pick"] = sha


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
        artists = sorted({r["artist"] for r in records if r.get("artist")})
        c1, c2 = st.columns([1, 3])
        who = c1.selectbox("Pictures by", ["everyone", *artists], key="v_demo_artist") if artists else "everyone"
        matching = [r for r in records if who == "everyone" or r.get("artist") == who]
        shown = matching[: 2 * DEMO_COLUMNS]
        by_sha = {r["sha256"]: r for r in shown}
        if st.session_state.get("v_demo_pick") not in by_sha:
            st.session_state["v_demo_pick"] = shown[0]["sha256"]
        c2.caption("Pick the picture the camera moves over"
                   + (f" (the first {len(shown)} of {len(matching)}; choose a painter to see others)."
                      if len(shown) < len(matching) else "."))  # fmt: skip
        for row in range(0, len(shown), DEMO_COLUMNS):
            for col, r in zip(st.columns(DEMO_COLUMNS), shown[row : row + DEMO_COLUMNS]):
                chosen = r["sha256"] == st.session_state["v_demo_pick"]
                col.image(ui.square_thumbnail(lib, r["sha256"]), width="stretch")
                col.button("✓ Chosen" if chosen else "Use this", key=f"v_use_{r['sha256'][:16]}", width="stretch",
                           type="primary" if chosen else "secondary", on_click=use_picture, args=(r["sha256"],))  # fmt: skip
        pick = by_sha[st.session_state["v_demo_pick"]]
        with st.spinner("Making a 3-second camera move over the picture…"):
            clip = video.demo_clip(pick["path"], pick["sha256"])
if clip is None:
    st.stop()
try:
    # A class server may allow shorter clips than the app itself (its max_video_seconds).
    info = video.probe(clip, max_seconds=shared.policy().max_video_seconds or video.MAX_SECONDS)
except UserError as exc:
    # The clip is stored under its content hash: name it as the painter knows it.
    st.error(sentence(str(exc).replace(clip.name, f"“{up.name}”") if source == "Upload" else exc))
    st.stop()
st.caption(f"{info.width}×{info.height} px · {float(info.fps):g} fps · {info.frames} frames · {info.duration:g} s · "
           f"{'sound: ' + info.audio if info.audio else 'no sound'}")

# ---------------------------------------------------------------- style
st.subheader("2 · Style")
sources, strength, keep = ui.style_controls(lib, "v")
size = st.select_slider("Size of the video (longer side, px)", SIZES, value=480, key="v_size",
                        help="Larger takes longer. Never larger than the clip itself.")  # fmt: skip
with st.expander("Advanced"):
    smooth = st.slider("Steadiness (against flicker)", 0.0, 0.9, 0.7, 0.05, key="v_smooth",
                       help="How much of the previous frame, moved along with the motion, goes into each new frame. "
                            "Higher: steadier, but fast movements may smear. 0: every frame painted on its own.")  # fmt: skip
if not sources:
    st.info("Pick at least one style.")
    st.stop()
settings = dict(size=size, smooth=smooth, strength=strength, preserve_color=keep)

# ---------------------------------------------------------------- preview and render
st.subheader("3 · Preview and render")
c1, c2, _ = st.columns(3)
if c1.button("Preview first frames", key="v_preview"):
    try:
        with st.spinner("Repainting the first 12 frames…"):
            frames = video.preview(clip, sources, frames=12, library=lib, **{**settings, "size": min(size, 320)})
        st.session_state["v_preview_gif"] = video.gif_bytes(frames, float(info.fps))
    except UserError as exc:
        st.error(sentence(exc))
if st.session_state.get("v_preview_gif"):
    st.image(st.session_state["v_preview_gif"], caption="Preview: the first 12 frames", width=320)

# The render runs on the server as a background job: it goes on if this tab is closed, and shows here on return.
board = ui.board()
rendering = board.find("video", clip=str(clip))
if c2.button("Render the whole clip", type="primary", key="v_render", disabled=bool(rendering)):
    ui.start_job("video", {"clip": str(clip), "sources": tasks.source_specs(sources, board.folder / "files", lib),
                           "out": str(video.result_path(clip, sources, **settings)), "settings": settings},
                 f"Rendering “{up.name}”" if source == "Upload" else "Rendering the camera move")  # fmt: skip
    st.rerun()
last = None if rendering else board.find("video", active=False, clip=str(clip))
if rendering:
    ui.job_progress(rendering.id, "Rendering the whole clip")
elif last and last.status in ("stopped", "interrupted"):
    st.info("Rendering stopped before the end; the finished parts are kept, and rendering again carries on from "
            "there.")  # fmt: skip
elif last and last.status == "failed":
    st.error(last.error or "The render failed.")
result = last.result if last and last.status == "done" else None
if result and Path(result["output"]).exists():
    out = Path(result["output"])
    st.success(f"{result['frames']} frames, {result['size'][0]}×{result['size'][1]} px, {result['fps']:g} fps, "
               f"{'with sound' if result['audio'] else 'no sound'}, rendered in {result['seconds']:.0f} s"
               + (f" (resumed at frame {result['resumed_from']})" if result["resumed_from"] else ""))
    st.video(out.read_bytes(), format="video/mp4")
    c1, c2 = st.columns(2)
    c1.download_button("Download mp4", out.read_bytes, file_name=f"{clip.stem}-styled.mp4", mime="video/mp4",
                       key="v_dl_mp4")
    gif = out.with_suffix(".gif")
    if info.duration <= video.GIF_MAX_SECONDS:
        if not gif.exists() and c2.button("Make a GIF", key="v_gif"):
            with st.spinner("Making the GIF…"):
                video.write_gif(out, gif)
        if gif.exists():
            c2.download_button("Download GIF", gif.read_bytes, file_name=f"{clip.stem}-styled.gif",
                               mime="image/gif", key="v_dl_gif")
    else:
        c2.caption(f"GIF export is for clips up to {video.GIF_MAX_SECONDS} s.")
