"""Video stylisation: decode any clip (mp4, mov, webm, animated GIF), render every frame in one fixed style,
smooth along the optical flow so strokes stop shimmering, and write an H.264 mp4 that keeps the frame rate and
the sound (plus a GIF for short clips).

Long clips render as a resumable job: finished segments of frames are stored losslessly in a job folder keyed by
the input's hash and the settings, so a cancelled or crashed render carries on where it stopped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from artcore.errors import UserError
from artcore.imageio import file_sha256

MAX_SECONDS = 600  # the server's limit on one clip
MAX_FRAMES = 20000
GIF_MAX_SECONDS = 20  # GIFs of longer clips are huge and slow to load
SEGMENT = 48  # frames per stored job segment: at most this much work is lost on a crash
VFR_TOLERANCE = 0.25  # a frame gap this far from the median counts as irregular…
VFR_SHARE = 0.05  # …and a clip with more such gaps than this share is variable-frame-rate
FLOW_SIDE = 256  # smoothing estimates motion at this size: fast, and fine enough for blending weights
OCCLUSION = 24.0  # grey-level error (0-255) of the warped previous input above which a pixel is not trusted
SCORE_OCCLUSION = 20.0  # the flicker score leaves out pixels whose warped input differs more (mean RGB)

ProgressFn = Callable[[int, int, str], None]


class Cancelled(UserError):
    """The user stopped a render; finished segments stay in the job folder for a resume."""


@dataclass(frozen=True)
class VideoInfo:
    """What ``probe`` learns about a clip without decoding its pictures."""

    width: int
    height: int
    fps: Fraction
    frames: int
    duration: float
    audio: str | None  # the audio codec's name, None without a sound track
    codec: str

    def as_dict(self) -> dict:
        return {**asdict(self), "fps": float(self.fps)}


def _open(path):
    import av

    path = Path(path)
    if not path.is_file():
        raise UserError(f"{path} does not exist")
    if path.stat().st_size == 0:
        raise UserError(f"{path.name} is empty (0 bytes)")
    try:
        container = av.open(str(path))
    except av.FFmpegError:
        # ffmpeg's own words ("Invalid data found when processing input") mean nothing to a painter.
        raise UserError(f"{path.name} is not a video file that can be read: another kind of file, or a damaged "
                        "one") from None
    if not container.streams.video:
        container.close()
        raise UserError(f"{path.name} has no video track")
    return container


def probe(path, *, max_seconds: float = MAX_SECONDS, max_frames: int = MAX_FRAMES) -> VideoInfo:
    """Frame count, constant frame rate and sound of a clip, read from its packets; a ``UserError`` names what is
    wrong: not a video, no frames, a single frame, zero length, a variable frame rate, or too long."""
    import av

    name = Path(path).name
    with _open(path) as container:
        stream = container.streams.video[0]
        audio = container.streams.audio[0].codec_context.name if container.streams.audio else None
        pts = []
        try:
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size:
                    pts.append(packet.pts)
                if len(pts) > max_frames:
                    raise UserError(f"{name} has more than {max_frames} frames; this server stylizes clips up to "
                                    f"{max_frames} frames, so trim it first")
        except av.FFmpegError:
            raise UserError(f"{name} is damaged part way through and cannot be read") from None
        width, height, codec = stream.codec_context.width, stream.codec_context.height, stream.codec_context.name
        base = stream.time_base
        rate = stream.average_rate
    if not pts or not width or not height:
        raise UserError(f"{name} has no video frames")
    if len(pts) == 1:
        raise UserError(f"{name} has a single frame: it is a still picture, so use the style studio instead")
    gaps = [float((b - a) * base) for a, b in zip(sorted(pts), sorted(pts)[1:], strict=False)]
    median = statistics.median(gaps)
    if median <= 0:
        raise UserError(f"{name} has zero length: all its frames share one timestamp")
    irregular = sum(abs(g - median) > VFR_TOLERANCE * median for g in gaps)
    if irregular > VFR_SHARE * len(gaps):
        raise UserError(f"{name} has a variable frame rate ({irregular} of {len(gaps)} frame gaps differ from "
                        f"{median * 1000:.0f} ms); re-encode it at a constant rate, e.g. ffmpeg -i IN -r 30 OUT.mp4")
    fps = Fraction(rate) if rate and abs(float(rate) * median - 1) < 0.01 else Fraction(1 / median).limit_denominator(
        1001)
    duration = len(pts) / float(fps)
    if duration > max_seconds:
        raise UserError(f"{name} is {duration:.0f} s long; this server stylizes clips up to {max_seconds:.0f} s, "
                        "so trim it first")
    return VideoInfo(width, height, fps, len(pts), round(duration, 3), audio, codec)


def frame_size(width: int, height: int, size: int | None) -> tuple[int, int]:
    """Output width and height: longer side ``size`` (never upscaled), both even as H.264 requires."""
    scale = min(1.0, size / max(width, height)) if size else 1.0
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def read_frames(path, size: int | None = None) -> Iterator[np.ndarray]:
    """Decode a clip's frames as H×W×3 uint8 RGB arrays, scaled by ``frame_size``."""
    import av

    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        w, h = frame_size(stream.codec_context.width, stream.codec_context.height, size)
        try:
            for frame in container.decode(stream):
                yield frame.to_ndarray(width=w, height=h, format="rgb24")
        except av.FFmpegError as exc:
            raise UserError(f"{Path(path).name} is damaged: {exc.strerror or exc}") from None


# ---------------------------------------------------------------- temporal smoothing and its measure


def _gray(frame: np.ndarray, side: int | None = None) -> np.ndarray:
    import cv2

    g = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)
    if side and max(g.shape) > side:
        scale = side / max(g.shape)
        g = cv2.resize(g, (round(g.shape[1] * scale), round(g.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    return g


def _warp(image: np.ndarray, flow: np.ndarray) -> np.ndarray:
    """Pull ``image`` along ``flow`` (per output pixel: where it came from, in the image's own pixels)."""
    import cv2

    return cv2.remap(image, _grid(*flow.shape[:2]) + flow, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


@functools.lru_cache(maxsize=8)
def _grid(h: int, w: int) -> np.ndarray:
    """Pixel coordinates (x, y) per pixel, made once per frame size."""
    return np.mgrid[0:h, 0:w][::-1].transpose(1, 2, 0).astype(np.float32)


def _resize_flow(flow: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    import cv2

    h, w = shape
    if flow.shape[:2] == (h, w):
        return flow
    out = cv2.resize(flow, (w, h), interpolation=cv2.INTER_LINEAR)
    out[..., 0] *= w / flow.shape[1]
    out[..., 1] *= h / flow.shape[0]
    return out


class Smoother:
    """Flow-guided blending: each output mixes in the previous output, warped along the input's motion.

    ``amount`` (0-1) is the previous output's share where the motion is trusted; pixels the flow cannot explain
    (occlusions, cuts, new objects) fade to the fresh rendering, so nothing smears. Motion comes from DIS optical
    flow on small grey copies, cheap next to the network. Output feeds back, so the blend is a running filter
    along motion paths rather than a two-frame average.
    """

    def __init__(self, amount: float):
        if not 0.0 <= amount <= 1.0:
            raise UserError(f"--smooth must be between 0 and 1, got {amount}")
        self.amount = min(amount, 0.95)  # 1.0 would freeze the first frame's strokes forever
        self.prev: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # input, its grey copy, output
        self._dis = None

    def __call__(self, frame: np.ndarray, styled: np.ndarray) -> np.ndarray:
        import cv2

        gray = _gray(frame, FLOW_SIDE)
        out = styled
        if self.amount and self.prev is not None and self.prev[0].shape == frame.shape:
            if self._dis is None:
                self._dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_FAST)
            _, prev_gray, prev_out = self.prev
            small = self._dis.calc(gray, prev_gray, None)
            # Trust is judged on the small grey copies (where the flow was estimated), then scaled up: one
            # full-size warp per frame, of the previous output only.
            err = cv2.absdiff(gray, _warp(prev_gray, small)).astype(np.float32)
            trust = cv2.resize(self.amount * np.clip(1.0 - err / OCCLUSION, 0.0, 1.0), frame.shape[1::-1])
            warped = _warp(prev_out, _resize_flow(small, frame.shape[:2])).astype(np.float32)
            out = (styled + (warped - styled) * trust[..., None] + 0.5).astype(np.uint8)
        self.prev = (frame, gray, out)
        return out


class FlickerMeter:
    """Flicker score: mean absolute difference (0-255) between consecutive outputs after warping the previous one
    by the input's optical flow, over pixels where that flow explains the input (occlusions left out).

    Motion comes from Farneback flow at full size, a different estimator from the smoother's, so the smoother is
    not graded by its own motion estimate.
    """

    def __init__(self):
        self.prev: tuple[np.ndarray, np.ndarray] | None = None
        self.diffs: list[float] = []

    def add(self, frame: np.ndarray, output: np.ndarray) -> None:
        import cv2

        if self.prev is not None:
            prev_in, prev_out = self.prev
            flow = cv2.calcOpticalFlowFarneback(_gray(frame), _gray(prev_in), None, 0.5, 4, 21, 3, 5, 1.2, 0)
            ok = np.abs(frame.astype(np.float32) - _warp(prev_in, flow)).mean(axis=2) < SCORE_OCCLUSION
            if ok.any():
                diff = np.abs(output.astype(np.float32) - _warp(prev_out, flow)).mean(axis=2)
                self.diffs.append(float(diff[ok].mean()))
        self.prev = (frame, output)

    @property
    def score(self) -> float:
        return float(np.mean(self.diffs)) if self.diffs else 0.0


def flicker_score(inputs: Sequence[np.ndarray], outputs: Sequence[np.ndarray]) -> float:
    """``FlickerMeter`` over two equal-length frame sequences of the same size."""
    meter = FlickerMeter()
    for frame, out in zip(inputs, outputs, strict=True):
        meter.add(frame, out)
    return meter.score


# ---------------------------------------------------------------- rendering


def frame_renderer(sources, *, smooth: float = 0.0, strength: float = 1.0, preserve_color: bool = False,
                   style_scale: int | None = None, library=None, reference=None) -> Callable[[np.ndarray], np.ndarray]:
    """One fixed style for a whole clip or camera feed, plus optional smoothing: frame (uint8) → output (uint8).

    ``reference`` (a PIL image) is what ``strength`` below 1 blends toward; default: the first frame rendered.
    """
    from artcore.style import STYLE_SCALE
    from artcore.style.render import renderer

    render = renderer(sources, strength=strength, preserve_color=preserve_color,
                      style_scale=style_scale or STYLE_SCALE, library=library, reference=reference)
    smoother = Smoother(smooth)

    def run(frame: np.ndarray) -> np.ndarray:
        return smoother(frame, render(frame))

    run.smoother = smoother  # a resumed job restores its state
    return run


def preview(path, sources, *, frames: int = 12, size: int | None = 480, **settings) -> list[np.ndarray]:
    """The first ``frames`` frames rendered with the given settings, to judge a style before the whole clip."""
    probe(path)
    out, render = [], None
    for frame in read_frames(path, size):
        if render is None:
            render = frame_renderer(sources, reference=_pil(frame), **settings)
        out.append(render(frame))
        if len(out) >= frames:
            break
    return out


def _pil(frame: np.ndarray):
    from PIL import Image

    return Image.fromarray(frame)


def _source_key(src) -> list:
    value = src.value
    if src.kind == "image":
        if isinstance(value, (str, Path)):
            value = file_sha256(value)
        else:  # uploaded bytes or a PIL image
            value = hashlib.sha256(value if isinstance(value, bytes) else value.tobytes()).hexdigest()
    elif src.kind == "vector":
        value = hashlib.sha256(np.asarray(value, np.float32).tobytes()).hexdigest()
    return [src.kind, value, src.weight, *([sorted(src.exclude)] if src.exclude else [])]


def jobs_root() -> Path:
    """Where unfinished renders keep their segments (``$ARTCORE_VIDEO_JOBS``, else the system temp folder)."""
    return Path(os.environ.get("ARTCORE_VIDEO_JOBS") or Path(tempfile.gettempdir()) / "artcore-video-jobs")


def work_dir() -> Path:
    """Where the app keeps uploaded clips, demo clips and results, beside the job folders."""
    return jobs_root().with_name("artcore-video")


def save_upload(name: str, data: bytes) -> Path:
    """An uploaded clip stored under its content hash (kept once, however often it is uploaded)."""
    from artcore.imageio import atomic_write_bytes

    path = work_dir() / f"{hashlib.sha256(data).hexdigest()[:16]}{Path(name).suffix.lower()}"
    if not path.exists():
        atomic_write_bytes(path, data)
    return path


def demo_clip(picture, key: str, seconds: float = 3.0) -> Path:
    """A slow pan-and-zoom clip over ``picture`` (made once per ``key``, e.g. the picture's sha256)."""
    path = work_dir() / f"demo-{key[:16]}.mp4"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pan_zoom_clip(picture, path, seconds=seconds, fps=24, size=480)
    return path


def result_path(clip: Path, sources, **settings) -> Path:
    """Where the app writes the render of ``clip`` with these styles and settings (the library is not a setting)."""
    settings.pop("library", None)
    key = json.dumps([[_source_key(s) for s in sources], settings], sort_keys=True, default=str)
    return work_dir() / f"{clip.stem}-{hashlib.sha256(key.encode()).hexdigest()[:8]}.mp4"


def _write_video(path: Path, frames: Sequence[np.ndarray], fps: Fraction, *, container_format: str, codec: str,
                 pix_fmt: str, options: dict) -> None:  # fmt: skip
    """Encode frames to a temp name then rename, so a file on disk is always complete."""
    import av

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_path(path)
    try:
        with av.open(str(tmp), "w", format=container_format) as container:
            stream = container.add_stream(codec, rate=fps, options=options)
            stream.height, stream.width = frames[0].shape[:2]
            stream.pix_fmt = pix_fmt
            for arr in frames:
                container.mux(stream.encode(_video_frame(arr)))
            container.mux(stream.encode(None))
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _temp_path(path: Path) -> Path:
    """Where ``path`` is written before its rename; named as ``imageio.atomic_write_bytes`` names its temp files
    (writer's pid first), so ``imageio.remove_stale_temps`` can tell a dead writer's leftover."""
    return path.with_name(f".tmp-{os.getpid()}-{path.name}")


def _write_segment(path: Path, frames: list[np.ndarray], fps: Fraction) -> None:
    """A job segment: lossless RGB H.264 in Matroska."""
    _write_video(path, frames, fps, container_format="matroska", codec="libx264rgb", pix_fmt="rgb24",
                 options={"crf": "0", "preset": "ultrafast"})  # fmt: skip


def _video_frame(arr: np.ndarray):
    import av

    return av.VideoFrame.from_ndarray(np.ascontiguousarray(arr), format="rgb24")


def write_mp4(frames: Sequence[np.ndarray], fps: float, out) -> Path:
    """Frames (H×W×3 uint8, even sizes) as a browser-playable H.264 mp4, written to a temp name then renamed."""
    out = Path(out)
    _write_video(out, frames, Fraction(fps).limit_denominator(1001), container_format="mp4", codec="libx264",
                 pix_fmt="yuv420p", options={"crf": "18"})  # fmt: skip
    return out


def save_frames(frames: Sequence[np.ndarray], out, fps: float = 24.0) -> dict:
    """Write rendered frames (a walk, an animation) as MP4 or GIF, chosen by ``out``'s suffix."""
    from artcore.imageio import atomic_write_bytes

    out = Path(out)
    suffix = out.suffix.lower()
    if suffix == ".gif":
        atomic_write_bytes(out, gif_bytes(frames, fps))
    elif suffix == ".mp4":
        write_mp4(frames, fps, out)
    else:
        raise UserError(f"{out.name}: write the animation to a .mp4 or .gif file")
    h, w = frames[0].shape[:2]
    return {"output": str(out), "frames": len(frames), "size": [w, h], "fps": fps}


def _segments(job: Path) -> list[Path]:
    """Finished segments in order, up to the first gap."""
    out = []
    while (job / f"seg{len(out):05d}.mkv").is_file():
        out.append(job / f"seg{len(out):05d}.mkv")
    return out


def stylize_video(
    path,
    sources,
    out,
    *,
    size: int | None = 480,
    smooth: float = 0.7,
    strength: float = 1.0,
    preserve_color: bool = False,
    style_scale: int | None = None,
    library=None,
    progress: ProgressFn | None = None,
    cancel: Callable[[], bool] | None = None,
    jobs_dir: Path | None = None,
    max_seconds: float = MAX_SECONDS,
) -> dict:
    """Stylise a clip into an H.264 mp4 at ``out`` with the input's frame rate and sound; returns a summary.

    Rendering resumes from the job folder when the same input and settings were started before. ``progress``
    gets ``(frames done, total, "… s left")``; ``cancel()`` returning true stops after the current frame with
    ``Cancelled`` (finished segments are kept).
    """
    from artcore.style import STYLE_SCALE

    t0 = time.perf_counter()
    out = Path(out)
    if out.suffix.lower() != ".mp4":
        raise UserError(f"the output must be an .mp4 file, got {out.name}")
    info = probe(path, max_seconds=max_seconds)
    Smoother(smooth)  # validate settings before any work
    settings = {"size": size, "smooth": smooth, "strength": strength, "preserve_color": preserve_color,
                "style_scale": style_scale or STYLE_SCALE, "sources": [_source_key(s) for s in sources]}
    key = hashlib.sha256(json.dumps([file_sha256(path), settings], sort_keys=True).encode()).hexdigest()[:24]
    job = (jobs_dir or jobs_root()) / key
    job.mkdir(parents=True, exist_ok=True)
    (job / "settings.json").write_text(json.dumps({"input": str(path), **settings}, indent=1))
    done_segments = _segments(job)
    start = len(done_segments) * SEGMENT
    frames = read_frames(path, size)
    first = next(frames, None)
    if first is None:
        raise UserError(f"{Path(path).name} has no frames that can be decoded")
    render = frame_renderer(sources, smooth=smooth, strength=strength, preserve_color=preserve_color,
                            style_scale=style_scale, library=library, reference=_pil(first))
    prev_in = first
    for _ in range(start - 1):  # skip what the job already holds, keeping the input frame just before it
        prev_in = next(frames, prev_in)  # a short last segment means the job is complete: nothing left
    if start and smooth:
        # Carry the smoothing across the resume point: the last stored output and the input frame it came from.
        render.smoother.prev = (prev_in, _gray(prev_in, FLOW_SIDE), list(read_frames(done_segments[-1]))[-1])
    remaining = frames if start else _chain(first, frames)
    total, done, batch, t_render = info.frames, start, [], time.perf_counter()
    if progress:
        progress(done, total, "resuming" if start else "starting")
    for frame in remaining:
        batch.append(render(frame))
        done += 1
        if len(batch) == SEGMENT:
            _write_segment(job / f"seg{done // SEGMENT - 1:05d}.mkv", batch, info.fps)
            batch = []
        if progress:
            rate = (done - start) / max(time.perf_counter() - t_render, 1e-6)
            progress(done, max(total, done), f"{max(total - done, 0) / rate:.0f} s left")
        if cancel and cancel():
            raise Cancelled(f"stopped after {done} of {total} frames; run it again to resume")
    if batch:
        _write_segment(job / f"seg{len(_segments(job)):05d}.mkv", batch, info.fps)
    h, w = first.shape[:2]
    written = _encode(_segments(job), path, out, info.fps, (w, h))
    shutil.rmtree(job, ignore_errors=True)
    return {"output": str(out), "frames": written, "fps": float(info.fps), "size": [w, h], "audio": info.audio,
            "resumed_from": start, "seconds": round(time.perf_counter() - t0, 3)}


def _chain(first: np.ndarray, rest: Iterator[np.ndarray]) -> Iterator[np.ndarray]:
    yield first
    yield from rest


def _encode(segments: list[Path], source, out: Path, fps: Fraction, size: tuple[int, int]) -> int:
    """The final mp4: segments re-encoded as H.264 (yuv420p, plays everywhere) with the source's sound muxed in."""
    import av

    tmp = _temp_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    try:
        with av.open(str(tmp), "w") as dst, av.open(str(source)) as src:
            video = dst.add_stream("libx264", rate=fps, options={"crf": "18", "preset": "fast"})
            video.width, video.height = size
            video.pix_fmt = "yuv420p"
            if src.streams.audio:
                # Sound first: the muxer buffers whichever stream runs ahead, and audio is the small one.
                _mux_audio(src, src.streams.audio[0], dst)
            for seg in segments:
                for arr in read_frames(seg):
                    frame = _video_frame(arr)
                    frame.pts, frame.time_base = count, 1 / fps
                    dst.mux(video.encode(frame))
                    count += 1
            dst.mux(video.encode(None))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def _mux_audio(src, audio_in, dst) -> None:
    """Copy AAC/MP3 packets as they are (no second lossy generation); transcode anything else to AAC."""
    if audio_in.codec_context.name in ("aac", "mp3"):
        audio_out = dst.add_stream_from_template(audio_in)
        for packet in src.demux(audio_in):
            if packet.dts is not None:
                packet.stream = audio_out
                dst.mux(packet)
        return
    audio_out = dst.add_stream("aac", rate=audio_in.codec_context.sample_rate or 48000)
    for frame in src.decode(audio_in):
        frame.pts = None  # the encoder's resampler re-times frames into AAC-sized chunks
        dst.mux(audio_out.encode(frame))
    dst.mux(audio_out.encode(None))


def gif_bytes(frames: Sequence[np.ndarray], fps: float) -> bytes:
    """A looping GIF of RGB frames."""
    import io

    from PIL import Image

    images = [Image.fromarray(f) for f in frames]
    buf = io.BytesIO()
    images[0].save(buf, format="GIF", save_all=True, append_images=images[1:], loop=0,
                   duration=round(1000 / fps), optimize=False)
    return buf.getvalue()


def write_gif(path, out, *, size: int = 360, max_fps: float = 15.0, max_seconds: float = GIF_MAX_SECONDS) -> dict:
    """A looping GIF of a (short) clip, e.g. a stylised mp4: at most ``max_fps`` frames a second, ``size`` px."""
    from artcore.imageio import atomic_write_bytes

    info = probe(path)
    if info.duration > max_seconds:
        raise UserError(f"GIF export is for clips up to {max_seconds:.0f} s; this one is {info.duration:.0f} s, "
                        "so download the mp4 instead")
    step = max(1, round(float(info.fps) / max_fps))
    frames = [f for i, f in enumerate(read_frames(path, size)) if i % step == 0]
    atomic_write_bytes(Path(out), gif_bytes(frames, float(info.fps) / step))
    return {"output": str(out), "frames": len(frames), "fps": float(info.fps) / step}


def pan_zoom_clip(photo, out, *, seconds: float = 3.0, fps: int = 24, size: int = 320, audio: bool = True,
                  codec: str = "libx264") -> Path:
    """A slow pan and zoom over a photo with a 440 Hz tone: a real-looking test clip for tests, demos and
    benchmarks. ``out``'s suffix picks the container (.mp4, .webm, .gif…)."""
    import av
    import cv2

    from artcore.imageio import open_image

    img = np.asarray(open_image(photo, max_side=size * 2))
    h, w = img.shape[:2]
    ow, oh = frame_size(w, h, size)
    n = round(seconds * fps)
    out = Path(out)
    with av.open(str(out), "w") as container:
        video = container.add_stream(codec, rate=fps)
        video.width, video.height = ow, oh
        video.pix_fmt = "rgb8" if codec == "gif" else "yuv420p"
        tone = None
        if audio:
            tone = container.add_stream("aac" if out.suffix in (".mp4", ".mov") else "libopus", rate=48000)
            tone.layout = "mono"
        for i in range(n):
            t = i / max(n - 1, 1)
            zoom = 1.0 + 0.25 * t  # crop shrinks by a quarter while sliding right and down
            cw, ch = w / zoom * 0.8, h / zoom * 0.8
            x0, y0 = (w - cw) * (0.1 + 0.8 * t), (h - ch) * (0.3 + 0.4 * t)
            m = np.float32([[cw / ow, 0, x0], [0, ch / oh, y0]])
            frame = cv2.warpAffine(img, m, (ow, oh), flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                                   borderMode=cv2.BORDER_REFLECT)
            container.mux(video.encode(_video_frame(frame)))
        container.mux(video.encode(None))
        if tone is not None:
            samples = np.sin(2 * np.pi * 440 * np.arange(round(seconds * 48000)) / 48000).astype(np.float32) * 0.3
            for k, start in enumerate(range(0, len(samples), 960)):
                chunk = samples[start:start + 960]
                frame = av.AudioFrame.from_ndarray(chunk[None], format="flt", layout="mono")
                frame.sample_rate, frame.pts = 48000, k * 960
                container.mux(tone.encode(frame))
            container.mux(tone.encode(None))
    return out


class LiveStylizer:
    """Camera-feed stylisation shared between the page (settings, snapshot) and the frame thread (``process``).

    ``configure`` prepares the style in the caller's thread, so the frame thread only renders; a change of style
    or size swaps the renderer between two frames. Frames per second are a moving average of the whole loop.
    """

    def __init__(self):
        import threading

        self._lock = threading.Lock()
        self._render: Callable[[np.ndarray], np.ndarray] | None = None
        self._key = None
        self.side = 320
        self.fps = 0.0
        self.frames = 0
        self.change = 0.0  # mean |output - input| of the last frame (0-255): shows frames really are stylised
        self.last: np.ndarray | None = None
        self._t = None

    def configure(self, sources, *, side: int = 320, smooth: float = 0.5, strength: float = 1.0,
                  preserve_color: bool = False, library=None) -> None:
        key = (tuple(_source_key(s) for s in sources), side, smooth, strength, preserve_color)
        if key == self._key:
            return
        render = frame_renderer(sources, smooth=smooth, strength=strength, preserve_color=preserve_color,
                                library=library)
        with self._lock:
            self._render, self._key, self.side = render, key, side

    def process(self, frame: np.ndarray) -> np.ndarray:
        """One camera frame (RGB uint8, any size) → the stylised frame at ``side`` px with the fps drawn on it."""
        import cv2

        with self._lock:
            render, side = self._render, self.side
        if render is None:
            return frame
        h, w = frame.shape[:2]
        if max(h, w) != side:
            scale = side / max(h, w)
            frame = cv2.resize(frame, (round(w * scale / 2) * 2, round(h * scale / 2) * 2),
                               interpolation=cv2.INTER_AREA)
        out = render(frame)
        now = time.perf_counter()
        if self._t is not None:
            self.fps = 0.9 * self.fps + 0.1 / max(now - self._t, 1e-6) if self.fps else 1 / max(now - self._t, 1e-6)
        self._t = now
        self.frames += 1
        self.change = float(np.abs(out.astype(np.int16) - frame).mean())
        self.last = out
        shown = out.copy()
        cv2.putText(shown, f"{self.fps:.1f} fps", (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (0, 0, 0), 3, cv2.LINE_AA)
        cv2.putText(shown, f"{self.fps:.1f} fps", (8, 24), cv2.FONT_HERSHEY_SIMPLEX, 0.7, (255, 255, 255), 1,
                    cv2.LINE_AA)
        return shown
