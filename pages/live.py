import io
import time

import streamlit as st

from artcore import ui
from artcore.errors import UserError, sentence
from artcore.video import LiveStylizer

lib = ui.library()
st.title("Live camera")
st.markdown("Your camera, **repainted live** in a style. Pick a style, press START and allow the camera; press "
            "Snapshot to keep a picture. Smaller sizes run more smoothly.")  # fmt: skip

live = st.session_state.setdefault("live_stylizer", LiveStylizer())
sources, strength, keep = ui.style_controls(lib, "live")
side = st.select_slider("Picture size (longer side, px): smaller is smoother", [160, 240, 320, 480, 720], value=320,
                        key="live_side")  # fmt: skip
with st.expander("Advanced"):
    smooth = st.slider("Steadiness (against flicker)", 0.0, 0.9, 0.5, 0.05, key="live_smooth",
                       help="How much of the previous frame goes into each new one. Higher: steadier, but movements "
                            "may smear. 0: every frame painted on its own.")  # fmt: skip
    st.caption("The frames per second are drawn on the picture.")
if not sources:
    st.info("Pick at least one style.")
    st.stop()
try:
    with st.spinner("Getting the style ready…"):
        live.configure(sources, side=side, smooth=smooth, strength=strength, preserve_color=keep, library=lib)
except UserError as exc:
    st.error(sentence(exc))
    st.stop()


def callback(frame):
    import av

    # Runs in streamlit-webrtc's worker thread: only the thread-safe LiveStylizer is touched here.
    return av.VideoFrame.from_ndarray(live.process(frame.to_ndarray(format="rgb24")), format="rgb24")


from streamlit_webrtc import WebRtcMode, webrtc_streamer  # noqa: E402  (imported only once the page is used)

ctx = webrtc_streamer(
    key="live", mode=WebRtcMode.SENDRECV, video_frame_callback=callback, async_processing=True,
    rtc_configuration={"iceServers": []},  # a closed network: loopback/LAN host candidates, no public STUN
    media_stream_constraints={"video": True, "audio": False},
)

if st.button("Snapshot", key="live_snap", help="Saves the current stylised frame at full quality (PNG)."):
    if live.last is None:
        st.warning("No stylised frame yet: press START first.")
    else:
        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(live.last).save(buf, format="PNG")
        st.session_state["live_snapshot"] = buf.getvalue()
if st.session_state.get("live_snapshot"):
    snap = st.session_state["live_snapshot"]
    st.image(snap, caption="Snapshot", width=360)
    st.download_button("Download snapshot (PNG)", snap, file_name="artcore-live.png", mime="image/png",
                       key="live_dl")

stats = st.empty()
while ctx.state.playing:  # refresh the figures while the camera runs; any widget change reruns the script
    stats.markdown(f"**{live.fps:.1f} pictures a second** · {live.frames} frames painted · "
                   f":gray[how much the style changes them: {live.change:.0f}/255]")  # fmt: skip
    time.sleep(0.5)
