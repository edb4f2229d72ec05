import io
import time

import streamlit as st

from artcore import ui
from artcore.errors import UserError, sentence
from artcore.video import LiveStylizer

lib = ui.library()
st.title("Live camera")
st.caption("Film your surroundings with a style applied live. Press START and allow the camera; the frames per "
           "second are drawn on the picture. Smaller sizes run faster.")

live = st.session_state.setdefault("live_stylizer", LiveStylizer())
sources, strength, keep = ui.style_controls(lib, "live")
c1, c2 = st.columns(2)
side = c1.select_slider("Resolution (longer side, px)", [160, 240, 320, 480, 720], value=320, key="live_side")
smooth = c2.slider("Smoothing against flicker", 0.0, 0.9, 0.5, 0.05, key="live_smooth")
if not sources:
    st.info("Pick at least one style.")
    st.stop()
try:
    with st.spinner("Preparing the style…"):
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
    stats.markdown(f"**{live.fps:.1f} fps** · {live.frames} frames stylised · mean change {live.change:.0f}/255")
    time.sleep(0.5)
