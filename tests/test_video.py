"""Video stylisation on real clips made from the shared photos: frame rate, frame count and sound kept, smoothing
cuts flicker, jobs resume, bad inputs get a clear message."""

from __future__ import annotations

import json
from fractions import Fraction

import av
import numpy as np
import pytest

from artcore import video
from artcore.cli import main
from artcore.errors import UserError
from artcore.style import StyleSource

BUILTIN = [StyleSource("builtin", 3)]


@pytest.fixture(scope="module")
def clip(artdata, tmp_path_factory):
    """2 s, 12 fps, 160 px pan and zoom over a photo, with a 440 Hz AAC tone."""
    return video.pan_zoom_clip(artdata / "photos" / "tubingen.jpg", tmp_path_factory.mktemp("clip") / "pan.mp4",
                               seconds=2, fps=12, size=160)


@pytest.fixture
def jobs(tmp_path, monkeypatch):
    monkeypatch.setenv("ARTCORE_VIDEO_JOBS", str(tmp_path / "jobs"))
    return tmp_path / "jobs"


def _audio_seconds(path) -> float:
    with av.open(str(path)) as c:
        return sum(float(p.duration * p.time_base) for p in c.demux(c.streams.audio[0]) if p.duration)


def test_mp4_keeps_frame_rate_frames_and_sound(clip, tmp_path, jobs):
    out = tmp_path / "out.mp4"
    seen = []
    result = video.stylize_video(clip, BUILTIN, out, size=128, progress=lambda d, t, m: seen.append((d, t, m)))
    info = video.probe(out)
    assert (info.fps, info.frames, info.codec, info.audio) == (Fraction(12), 24, "h264", "aac")
    assert (info.width, info.height) == (128, 96) and result["size"] == [128, 96]
    assert abs(_audio_seconds(out) - 2.0) < 0.1
    assert seen[-1][:2] == (24, 24) and "s left" in seen[-1][2]
    assert not any(jobs.iterdir())  # a finished job cleans up after itself
    first = next(video.read_frames(out))
    assert np.abs(first.astype(int) - next(video.read_frames(clip, 128)).astype(int)).mean() > 20  # it is styled


@pytest.mark.parametrize("suffix, codec", [(".mov", "libx264"), (".webm", "libvpx-vp9"), (".gif", "gif")])
def test_mov_webm_and_gif_inputs(artdata, tmp_path, jobs, suffix, codec):
    src = video.pan_zoom_clip(artdata / "photos" / "sailboat.jpg", tmp_path / f"in{suffix}", seconds=1, fps=10,
                              size=96, audio=suffix != ".gif", codec=codec)
    result = video.stylize_video(src, BUILTIN, tmp_path / "out.mp4", size=96, smooth=0.5)
    info = video.probe(tmp_path / "out.mp4")
    assert info.frames == 10 and result["frames"] == 10
    assert info.audio == (None if suffix == ".gif" else "aac")  # webm's opus is transcoded to AAC for mp4


def test_gif_export(clip, tmp_path):
    from PIL import Image

    result = video.write_gif(clip, tmp_path / "out.gif", size=96)
    with Image.open(tmp_path / "out.gif") as gif:
        assert gif.n_frames == result["frames"] == 24 and max(gif.size) == 96


def test_smoothing_reduces_flicker(clip):
    frames = list(video.read_frames(clip, 128))
    raw = video.preview(clip, BUILTIN, frames=len(frames), size=128, smooth=0.0)
    smooth = video.preview(clip, BUILTIN, frames=len(frames), size=128, smooth=0.7)
    assert video.flicker_score(frames, smooth) < 0.8 * video.flicker_score(frames, raw)


def test_cancel_then_resume_gives_the_same_clip(clip, tmp_path, jobs, monkeypatch):
    monkeypatch.setattr(video, "SEGMENT", 8)
    encoded = []  # the lossless frames handed to the final encoder, per run
    encode = video._encode
    monkeypatch.setattr(video, "_encode", lambda segments, *a: encoded.append(
        [f for s in segments for f in video.read_frames(s)]) or encode(segments, *a))
    calls = []
    with pytest.raises(video.Cancelled, match="run it again to resume"):
        video.stylize_video(clip, BUILTIN, tmp_path / "a.mp4", size=96,
                            progress=lambda d, t, m: calls.append(d), cancel=lambda: calls[-1] >= 12)
    assert not (tmp_path / "a.mp4").exists() and not encoded
    resumed = video.stylize_video(clip, BUILTIN, tmp_path / "a.mp4", size=96)
    assert resumed["resumed_from"] == 8 and resumed["frames"] == 24
    fresh = video.stylize_video(clip, BUILTIN, tmp_path / "b.mp4", size=96)
    assert fresh["resumed_from"] == 0
    # Identical to the last bit: the smoothing state was carried across the resume point.
    assert all(np.array_equal(a, b) for a, b in zip(*encoded, strict=True))


def test_cli_json(clip, tmp_path, jobs, capsys, artdata):
    style = artdata / "styles" / "munch_the_scream.jpg"
    rc = main(["stylize-video", str(clip), "--style", f"{style}@0.7", "--style", "builtin:5@0.3",
               "--out", str(tmp_path / "o.mp4"), "--size", "96", "--smooth", "0.5", "--json"])
    assert rc == 0
    result = json.loads(capsys.readouterr().out)
    assert result["frames"] == 24 and result["fps"] == 12.0 and result["audio"] == "aac"


def _vfr_clip(path):
    with av.open(str(path), "w") as c:
        s = c.add_stream("libx264", rate=30)
        s.width, s.height, s.pix_fmt = 64, 64, "yuv420p"
        s.codec_context.time_base = Fraction(1, 30)
        t = 0
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((64, 64, 3), i * 10, np.uint8), format="rgb24")
            frame.pts, frame.time_base = t, Fraction(1, 30)
            t += 1 if i % 2 else 3  # alternating 33 ms and 100 ms gaps
            c.mux(s.encode(frame))
        c.mux(s.encode(None))
    return path


def _audio_only(path):
    with av.open(str(path), "w") as c:
        s = c.add_stream("aac", rate=48000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="flt", layout="mono")
        frame.sample_rate, frame.pts = 48000, 0
        c.mux(s.encode(frame))
        c.mux(s.encode(None))
    return path


def _truncated(path):
    """The first third of a real mp4 (its index, at the end, is lost)."""
    from PIL import Image

    noise = path.with_name("noise.png")
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), np.uint8)).save(noise)
    full = video.pan_zoom_clip(noise, path.with_name("full.mp4"), seconds=1, fps=10, size=64)
    path.write_bytes(full.read_bytes()[: full.stat().st_size // 3])
    return path


def _single_frame_gif(path):
    from PIL import Image

    Image.new("RGB", (64, 64), "red").save(path, format="GIF")
    return path


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"not a video at all" * 100) and p, "is not a video file"),
    (lambda p: p.write_bytes(b"") is not None and p, "is empty"),
    (_truncated, "is not a video file"),
    (_audio_only, "has no video track"),
    (_single_frame_gif, "single frame"),
    (_vfr_clip, "variable frame rate"),
])
def test_bad_inputs(tmp_path, make, message):
    path = make(tmp_path / "bad.mp4")
    with pytest.raises(UserError, match=message):
        video.stylize_video(path, BUILTIN, tmp_path / "out.mp4")


def test_limits_and_settings(clip, tmp_path):
    with pytest.raises(UserError, match="this server stylizes clips up to 1 s"):
        video.probe(clip, max_seconds=1)
    with pytest.raises(UserError, match="smooth must be between 0 and 1"):
        video.stylize_video(clip, BUILTIN, tmp_path / "o.mp4", smooth=1.5)
    with pytest.raises(UserError, match="must be an .mp4"):
        video.stylize_video(clip, BUILTIN, tmp_path / "o.avi")
    with pytest.raises(UserError, match="GIF export is for clips up to 1 s"):
        video.write_gif(clip, tmp_path / "o.gif", max_seconds=1)
    assert main(["stylize-video", str(tmp_path / "missing.mp4"), "--style", "builtin:1", "--out",
                 str(tmp_path / "o.mp4")]) == 2


def test_result_path_follows_styles_and_settings_not_the_library(tmp_path):
    from artcore.library import Library

    clip = tmp_path / "clip.mp4"
    a = video.result_path(clip, [StyleSource("builtin", 3)], size=480, smooth=0.7, library=Library(tmp_path / "l1"))
    assert a == video.result_path(clip, [StyleSource("builtin", 3)], size=480, smooth=0.7, library=Library(tmp_path / "l2"))
    assert a != video.result_path(clip, [StyleSource("builtin", 4)], size=480, smooth=0.7)
    assert a != video.result_path(clip, [StyleSource("builtin", 3)], size=320, smooth=0.7)
