"""Fault benchmark: kill the server during a video render and a folder import, restart, check and resume (issue #16).

Method. The "server" is a child Python process (``python benchmarks/fault_bench.py --serve WORK``) with
``ARTCORE_HOME`` set to a fresh, empty temporary library and ``ARTCORE_VIDEO_JOBS`` to a temporary folder, and the
thread variables that ``artcore app --shared`` sets for two workers (``OMP_NUM_THREADS`` etc. = 1 on two cores).
It creates the library's board exactly as the app does (``jobs.board(library, workers=2)``: the class server's
two workers) and submits two jobs with the parameters the pages build:

1. **Render** (a student, as ``pages/video.py`` does): the ``"video"`` task on a camera move over a real photo
   (``video.pan_zoom_clip``, as the page's ``demo_clip``: 480 px, 24 fps, ``--clip-seconds`` long), one ready-made
   style (``builtin:3``), ``--size`` px, steadiness 0.7; the styles through ``tasks.source_specs`` and the output
   path from ``video.result_path``, as the page passes them.
2. **Import** (the teacher, as ``pages/library.py`` does): the ``"import"`` task on a folder of ``--paintings`` real
   paintings of ``--painters`` painters from ``../shared/artdata/bestartworks/images`` (a temporary tree of
   per-painter folders of symlinks to the files), layout "auto", sub-folders as artist labels. It is submitted
   while the render runs, as a second user's job would be, at the point the moment below needs, so that the kill
   finds both half-way (a 400-painting import takes about as long as two of the render's 48-frame segments).

The parent watches the library from outside (the job records in ``<library>/jobs/``, the catalog's row count, the
render's segment files) and SIGKILLs the server once both jobs are running, the render has stored K segments and
the catalog holds R committed rows, then ``--delay`` seconds more (so that pictures beyond the last commit, and the
next frames, are being written). Three moments (``MOMENTS``): **early**: the import starts after the render's first
segment; K = 1, R = 50 (the import's first commit). **late**: the import starts at half the segments; K = half,
R = three quarters of the paintings. **encode**: the import starts 12 frames before the render's end; K = all,
R = 0, so the kill falls while the render encodes its final mp4 (and the import has just begun). If one job ends
before the condition holds, the server is killed at once and the run says so ("both jobs running at kill" false).
Right after the kill (the server reaped, so its pid is dead) the
library is checked: ``PRAGMA integrity_check``; every catalog row's file and thumbnail exist and every file's
sha256 is its name (all of them, not a sample); files in ``images/`` without a row (written before their row was
committed: adopted by the next import) and temp files (``.tmp-<pid>-…``, the atomic writers' names, ignored by
readers and removed by the next import or render) are counted, by folder; every finished segment decodes to its
frames.

Then the "restart": a second child process (``--restart WORK``) loads the board as a restarted server does, notes
the status of each record (a job whose owning pid is dead must read "interrupted"), resumes each interrupted job
with ``Board.resume`` (what the page's Resume button and ``artcore jobs resume`` call) and waits for both. Measured:
seconds from launch to the board loaded and to each job done; rows at the kill, after the resume and expected
(distinct sha256 of the source files); duplicates (rows minus distinct sha256, rows minus distinct source files:
both must be 0); the import's own count of what it added and found already there; segments reused (the render's
``resumed_from``) against frames rendered before the kill (the difference was rendered twice); the final mp4's
decoded frame count against the clip's; the same library checks again, and that the render's segment folder is
gone.

What is real: the job board, tasks, library, video code and their threads are the app's own, in a separate
process killed with SIGKILL at an arbitrary point (mid-commit, mid-file, mid-segment are all possible); the data
are real paintings and a real H.264 clip; the restart is a fresh process on the same folders. What is simulated:
the Streamlit server itself is not started (its script runs only submit the jobs and show their records; the board
in a plain process runs the same code in the same way), the two users' clicks are direct ``submit`` calls, and the
resume is done at once, not by a person clicking Resume. Limits: one kill per moment, at a moment chosen from
outside (so the exact instruction that is interrupted varies between runs); the machine is shared (this project's
2 cores may be busy with other work, so the seconds vary); power loss is not simulated (SIGKILL keeps what the OS
has buffered: SQLite's ``synchronous=NORMAL`` in WAL mode may lose the last commits on power loss, not corrupt);
a kill in the middle of a job record's or a picture's atomic write is possible but rare (microseconds of each
second), so those temp-file counts are usually 0; the render's progress in the record is up to 0.5 s old at the
kill, so "frames rendered twice" is a lower bound.

Found with it: a kill during the final encode left the half-written ``.tmp-<pid>-….mp4`` beside the result for
ever (``video._temp_path`` names it for ``imageio.remove_stale_temps``, which nothing called there); the video
task now sweeps a dead writer's temps from the output folder before it renders (test in ``tests/test_jobs.py``).

    python benchmarks/fault_bench.py [--paintings 400] [--painters 8] [--clip-seconds 16] [--size 320]
                                     [--moments early late encode] [--out benchmarks/results/fault.json]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from artcore.config import SHARED_ARTDATA  # noqa: E402

PAINTINGS = SHARED_ARTDATA / "bestartworks" / "images"
PHOTO = SHARED_ARTDATA / "photos" / "sailboat.jpg"
STYLE = 3  # the ready-made style the render uses
WORKERS = 2  # the class server's job workers
SMOOTH = 0.7  # the video page's default steadiness
COMMIT_EVERY = 50  # Library._import_candidates commits every 50 pictures
ENDED = ("done", "failed", "stopped", "interrupted")  # jobs.ENDED
# When to kill: the frames the render has done when the import is submitted, and at the kill the render's stored
# segments and the import's committed rows (shares of the clip's segments and of the paintings; the import starts
# once the render has stored the kill's segments, except for "encode": 12 frames before the render's end).
MOMENTS = {"early": (0.0, 0.0), "late": (0.5, 0.75), "encode": (1.0, None)}


def plan(moment: str, frames: int, paintings: int) -> tuple[int, int, int]:
    """(render frames done when the import is submitted, segments stored at the kill, rows at the kill)."""
    from artcore.video import SEGMENT

    seg_share, row_share = MOMENTS[moment]
    segments = -(-frames // SEGMENT)
    kill_segments = max(1, round(segments * seg_share))
    start_import = frames - 12 if kill_segments == segments else kill_segments * SEGMENT
    if row_share is None:  # the import running is enough: it has no time for a commit before the render ends
        return start_import, kill_segments, 0
    kill_rows = max(COMMIT_EVERY, int(paintings * row_share) // COMMIT_EVERY * COMMIT_EVERY)
    return start_import, kill_segments, kill_rows if kill_rows < paintings else 1  # too few for a commit: any progress


# ---------------------------------------------------------------- the data


def make_subset(dest: Path, paintings: int, painters: int) -> dict:
    """A folder of ``painters`` per-painter folders holding symlinks to ``paintings`` real paintings in all."""
    each = -(-paintings // painters)
    chosen = [d for d in sorted(PAINTINGS.iterdir()) if d.is_dir() and len(list(d.glob("*.jpg"))) >= each][:painters]
    if len(chosen) < painters:
        raise SystemExit(f"fewer than {painters} painters with {each} paintings in {PAINTINGS}")
    files, left = [], paintings
    for i, painter in enumerate(chosen):
        take = min(each, left - (painters - i - 1))  # at least one for each painter still to come
        folder = dest / painter.name
        folder.mkdir(parents=True)
        for src in sorted(painter.glob("*.jpg"))[:take]:
            (folder / src.name).symlink_to(src)
            files.append(src)
        left -= take
    shas = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    return {"folder": str(dest), "files": len(files), "distinct_sha256": len(shas),
            "painters": [p.name for p in chosen]}  # fmt: skip


def make_clip(work: Path, seconds: float) -> Path:
    """The video page's demo clip (``video.demo_clip``: a camera move, 480 px, 24 fps, with sound), ``seconds`` long."""
    from artcore import video

    path = work / "artcore-video" / "demo-faultbench.mp4"
    path.parent.mkdir(parents=True, exist_ok=True)
    return video.pan_zoom_clip(PHOTO, path, seconds=seconds, fps=24, size=480)


def server_env(work: Path) -> dict:
    env = dict(os.environ, ARTCORE_HOME=str(work / "library"), ARTCORE_VIDEO_JOBS=str(work / "artcore-video-jobs"),
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))  # fmt: skip
    env.pop("ARTCORE_SHARED", None)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "ARTCORE_THREADS"):  # as `artcore app --shared` sets them
        env.setdefault(var, str(max(1, (os.cpu_count() or 1) // WORKERS)))
    return env


# ---------------------------------------------------------------- the two child processes


def serve(work: Path) -> None:
    """The server: the app's board on the library, the render submitted, the import once the render has done
    ``start_import`` frames; then it waits for both (it is killed long before)."""
    from artcore import config, jobs, tasks, video
    from artcore.library import Library
    from artcore.style import StyleSource

    spec = json.loads((work / "spec.json").read_text())
    lib = Library(config.library_dir())
    board = jobs.board(lib.root, workers=WORKERS)
    clip, sources = Path(spec["clip"]), [StyleSource("builtin", STYLE)]
    settings = dict(size=spec["size"], smooth=SMOOTH, strength=1.0, preserve_color=False)
    render = board.submit("video", {"clip": str(clip), "sources": tasks.source_specs(sources, board.folder / "files", lib),
                                    "out": str(video.result_path(clip, sources, **settings)), "settings": settings},
                          title="Rendering the camera move", owner="student")  # fmt: skip
    while (job := board.get(render.id)).active and job.done < spec["start_import"]:
        time.sleep(0.05)
    imp = board.submit("import", {"purpose": "folder", "folders": [{
        "path": spec["folder"], "layout": "auto", "label_from": "parent", "label_field": "artist"}]},
        title="Importing paintings", owner="teacher")  # fmt: skip
    print(json.dumps({"pid": os.getpid(), "video": render.id, "import": imp.id}), flush=True)
    for job_id in (imp.id, render.id):
        board.wait(job_id)


def restart(work: Path) -> None:
    """The restarted server: load the board, note what each record says, resume the interrupted jobs, wait."""
    from artcore import config, jobs

    board = jobs.board(config.library_dir(), workers=WORKERS)
    out = {"board_loaded": time.time(), "found": {j.id: j.status for j in board.jobs()}, "jobs": {}}
    for job in sorted(board.jobs(), key=lambda j: j.created):
        if job.status == "interrupted":
            new = board.resume(job.id)
            out["jobs"][job.kind] = {"was": job.id, "id": new.id, "resumed": time.time()}
    for entry in out["jobs"].values():
        done = board.wait(entry["id"], float(os.environ.get("FAULT_BENCH_TIMEOUT", "600")))
        entry.update(status=done.status, started=done.started, finished=done.finished, result=done.result,
                     error=done.error)  # fmt: skip
    out["records_left"] = {j.id: j.status for j in board.jobs()}
    (work / "restart.json").write_text(json.dumps(out, indent=1))


# ---------------------------------------------------------------- looking at the library from outside


def records(lib_root: Path) -> dict[str, dict]:
    found = {}
    for path in (lib_root / "jobs").glob("*.json"):
        if path.name.startswith("."):
            continue
        try:
            rec = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        found[rec["id"]] = rec
    return found


def catalog_rows(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        with closing(sqlite3.connect(db_path, timeout=5)) as db:
            return db.execute("SELECT COUNT(*) FROM images").fetchone()[0]
    except sqlite3.Error:
        return 0


def segment_files(video_jobs: Path) -> list[Path]:
    return sorted(p for p in video_jobs.glob("*/seg*.mkv"))


def temps(folder: Path) -> int:
    return sum(1 for _ in folder.rglob(".tmp-*")) if folder.is_dir() else 0


def check_library(work: Path) -> dict:
    """The library and the render's folders, as found: integrity, every row's file and hash, strays and temps."""
    from artcore import video

    root = work / "library"
    with closing(sqlite3.connect(root / "catalog.sqlite", timeout=30)) as db:
        integrity = "; ".join(r[0] for r in db.execute("PRAGMA integrity_check"))
        rows = db.execute("SELECT sha256, path, original FROM images").fetchall()
    missing = mismatched = no_thumb = 0
    for sha, rel, _ in rows:
        path = root / rel
        if not path.is_file():
            missing += 1
        elif hashlib.sha256(path.read_bytes()).hexdigest() != sha:
            mismatched += 1
        if not (root / "thumbs" / sha[:2] / f"{sha}.jpg").is_file():
            no_thumb += 1
    in_catalog = {sha for sha, _, _ in rows}
    stored = [p for p in (root / "images").rglob("*") if p.is_file() and not p.name.startswith(".tmp-")]
    bad = sum(hashlib.sha256(p.read_bytes()).hexdigest() != p.stem for p in stored)  # half a file under its name
    segments = segment_files(work / "artcore-video-jobs")
    unreadable = 0
    for seg in segments:
        try:
            n = sum(1 for _ in video.read_frames(seg))
        except Exception:  # noqa: BLE001  (any decoding failure is what we count)
            n = 0
        unreadable += n == 0 or (n != video.SEGMENT and seg != segments[-1])
    return {
        "integrity": integrity, "rows": len(rows), "distinct_sha256": len(in_catalog),
        "distinct_originals": len({o for _, _, o in rows}), "missing_files": missing, "hash_mismatches": mismatched,
        "missing_thumbnails": no_thumb, "stored_files": len(stored), "files_without_row": sum(p.stem not in in_catalog
                                                                                              for p in stored),
        "damaged_files": bad, "segments": len(segments), "unreadable_segments": unreadable,
        "temp_files": {"images": temps(root / "images"), "thumbs": temps(root / "thumbs"), "jobs": temps(root / "jobs"),
                       "video_segments": temps(work / "artcore-video-jobs"), "video_out": temps(work / "artcore-video")},
    }  # fmt: skip


def intact(check: dict) -> bool:
    return (check["integrity"] == "ok" and not check["missing_files"] and not check["hash_mismatches"]
            and not check["missing_thumbnails"] and not check["damaged_files"] and not check["unreadable_segments"])  # fmt: skip


# ---------------------------------------------------------------- one fault run


def fault_run(work: Path, *, moment: str = "early", paintings: int = 400, painters: int = 8,
              clip_seconds: float = 12.0, size: int = 320, delay: float = 0.2, timeout: float = 300.0) -> dict:
    """Serve, kill at ``moment``, check, restart, resume, check again; the figures of this run."""
    from artcore import video

    work.mkdir(parents=True, exist_ok=True)
    subset = make_subset(work / "paintings", paintings, painters)
    clip = make_clip(work, clip_seconds)
    info = video.probe(clip)
    total_segments = -(-info.frames // video.SEGMENT)
    start_import, kill_segments, kill_rows = plan(moment, info.frames, paintings)
    (work / "spec.json").write_text(json.dumps({"clip": str(clip), "folder": subset["folder"], "size": size,
                                                "start_import": start_import}))  # fmt: skip
    lib_root, env = work / "library", server_env(work)
    log = (work / "server.log").open("w")
    t_start = time.time()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(work)], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=log, text=True)  # fmt: skip
    ids = json.loads(server.stdout.readline() or "{}")  # once the import is submitted
    if not ids:
        server.wait(10)
        raise RuntimeError(f"the server did not start its jobs: {(work / 'server.log').read_text()[-2000:]}")
    deadline, caught = time.monotonic() + timeout, False
    while time.monotonic() < deadline:
        recs = records(lib_root)
        rows = catalog_rows(lib_root / "catalog.sqlite")
        imp, ren = recs.get(ids["import"], {}), recs.get(ids["video"], {})
        if imp.get("status") in ENDED or ren.get("status") in ENDED:
            break  # one of them ended: kill now, and say so
        if imp.get("status") == ren.get("status") == "running" and rows >= kill_rows and len(segment_files(work / "artcore-video-jobs")) >= kill_segments:
            caught = True
            break
        time.sleep(0.05)
    time.sleep(delay if caught else 0)
    server.send_signal(signal.SIGKILL)
    server.wait()  # reaped: its pid is dead, as after a crash
    t_kill = time.time()
    log.close()
    recs = records(lib_root)
    imp, ren = recs.get(ids["import"], {}), recs.get(ids["video"], {})
    at_kill = {
        "seconds_after_start": round(t_kill - t_start, 2), "caught_both_running": caught,
        "import_status_on_disk": imp.get("status"), "render_status_on_disk": ren.get("status"),
        "import_processed": imp.get("done"), "render_frames": ren.get("done"),
        "segments_stored": len(segment_files(work / "artcore-video-jobs")),
    }  # fmt: skip
    after_kill = check_library(work)

    env["FAULT_BENCH_TIMEOUT"] = str(timeout)
    t_restart = time.time()
    done = subprocess.run([sys.executable, __file__, "--restart", str(work)], env=env, cwd=ROOT, timeout=timeout + 60,
                          capture_output=True, text=True)  # fmt: skip
    t_end = time.time()
    if done.returncode or not (work / "restart.json").is_file():
        raise RuntimeError(f"the restarted server failed: {done.stderr[-2000:]}")
    rs = json.loads((work / "restart.json").read_text())
    after = check_library(work)
    ri, rv = rs["jobs"].get("import", {}), rs["jobs"].get("video", {})
    res_i, res_v = ri.get("result") or {}, rv.get("result") or {}
    out_frames = None
    if res_v.get("output") and Path(res_v["output"]).is_file():
        out_frames = sum(1 for _ in video.read_frames(res_v["output"]))
    resumed_from = res_v.get("resumed_from")
    return {
        "moment": moment, "paintings": subset, "clip": {"seconds": info.duration, "frames": info.frames,
                                                       "segments": total_segments, "render_size": size},
        "kill_when": {"import_after_frames": start_import, "segments": kill_segments, "rows": kill_rows, "delay_s": delay},
        "at_kill": {**at_kill, "rows_committed": after_kill["rows"]},
        "after_kill": after_kill, "library_intact_after_kill": intact(after_kill),
        "interrupted_on_restart": sorted(rs["found"].values()),
        "restart": {
            "board_loaded_s": round(rs["board_loaded"] - t_restart, 2),
            "import_running_s": round(ri["started"] - t_restart, 2) if ri.get("started") else None,
            "render_running_s": round(rv["started"] - t_restart, 2) if rv.get("started") else None,
            "import_status": ri.get("status"), "import_error": ri.get("error"),
            "import_done_s": round(ri["finished"] - t_restart, 2) if ri.get("finished") else None,
            "render_status": rv.get("status"), "render_error": rv.get("error"),
            "render_done_s": round(rv["finished"] - t_restart, 2) if rv.get("finished") else None,
            "process_s": round(t_end - t_restart, 2),
        },
        "import": {
            "rows_at_kill": after_kill["rows"], "rows_after": after["rows"], "expected": subset["distinct_sha256"],
            "added_on_resume": res_i.get("added"), "already_there_on_resume": res_i.get("duplicates"),
            "skipped": res_i.get("skipped"), "duplicate_rows": after["rows"] - after["distinct_sha256"],
            "duplicate_originals": after["rows"] - after["distinct_originals"],
        },
        "render": {
            "frames_at_kill": at_kill["render_frames"], "segments_reused": None if resumed_from is None
            else resumed_from // video.SEGMENT, "resumed_from_frame": resumed_from,
            "frames_rendered_twice": None if resumed_from is None or at_kill["render_frames"] is None
            else max(0, at_kill["render_frames"] - resumed_from),
            "frames_out": out_frames, "frames_expected": info.frames,
            "segment_folder_left": any((work / "artcore-video-jobs").glob("*/seg*.mkv")),
        },
        "after_resume": after, "library_intact_after_resume": intact(after),
        "records_left": sorted(rs["records_left"].values()),
        "server_log_tail": (work / "server.log").read_text()[-1500:],
    }  # fmt: skip


# ---------------------------------------------------------------- report

ROWS = [
    ("killed after (s)", lambda r: r["at_kill"]["seconds_after_start"]),
    ("both jobs running at kill", lambda r: r["at_kill"]["caught_both_running"]),
    ("import: rows committed / processed (last record) at kill", lambda r: f"{r['at_kill']['rows_committed']} / "
                                                             f"{r['at_kill']['import_processed']}"),
    ("render: segments stored / frames (last record) at kill", lambda r: f"{r['at_kill']['segments_stored']} / "
                                                           f"{r['at_kill']['render_frames']} of {r['clip']['frames']}"),
    ("after kill: integrity_check", lambda r: r["after_kill"]["integrity"]),
    ("after kill: rows missing file / bad hash / no thumb",
     lambda r: "{missing_files} / {hash_mismatches} / {missing_thumbnails}".format(**r["after_kill"])),
    ("after kill: files without row / damaged", lambda r: f"{r['after_kill']['files_without_row']} / "
                                                          f"{r['after_kill']['damaged_files']}"),
    ("after kill: temp files (images, thumbs, jobs, segs, out)",
     lambda r: ", ".join(str(v) for v in r["after_kill"]["temp_files"].values())),
    ("after kill: unreadable segments", lambda r: r["after_kill"]["unreadable_segments"]),
    ("records on restart", lambda r: ", ".join(r["interrupted_on_restart"])),
    ("restart: board loaded / both running again (s)", lambda r: f"{r['restart']['board_loaded_s']} / "
     f"{max(r['restart']['import_running_s'] or 0, r['restart']['render_running_s'] or 0)}"),
    ("restart: import done (s) / status", lambda r: f"{r['restart']['import_done_s']} / {r['restart']['import_status']}"),
    ("restart: render done (s) / status", lambda r: f"{r['restart']['render_done_s']} / {r['restart']['render_status']}"),
    ("import: rows at kill → after / expected", lambda r: f"{r['import']['rows_at_kill']} → {r['import']['rows_after']}"
                                                          f" / {r['import']['expected']}"),
    ("import: added / already there on resume", lambda r: f"{r['import']['added_on_resume']} / "
                                                          f"{r['import']['already_there_on_resume']}"),
    ("import: duplicate rows / originals", lambda r: f"{r['import']['duplicate_rows']} / "
                                                     f"{r['import']['duplicate_originals']}"),
    ("render: segments reused / frames rendered twice", lambda r: f"{r['render']['segments_reused']} / "
                                                                  f"{r['render']['frames_rendered_twice']}"),
    ("render: frames in the mp4 / clip", lambda r: f"{r['render']['frames_out']} / {r['render']['frames_expected']}"),
    ("after resume: library intact; temp files", lambda r: f"{r['library_intact_after_resume']}; "
                                                           + ", ".join(str(v) for v in r["after_resume"]["temp_files"].values())),
    ("after resume: segment folder left", lambda r: r["render"]["segment_folder_left"]),
]  # fmt: skip


def table(runs: list[dict]) -> str:
    lines = ["| | " + " | ".join(r["moment"] for r in runs) + " |", "|---|" + "---|" * len(runs)]
    lines += [f"| {name} | " + " | ".join(str(get(r)) for r in runs) + " |" for name, get in ROWS]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--paintings", type=int, default=400)
    ap.add_argument("--painters", type=int, default=8)
    ap.add_argument("--clip-seconds", type=float, default=16.0, help="the render's clip (24 fps)")
    ap.add_argument("--size", type=int, default=320, help="the render's size (the video page's smallest)")
    ap.add_argument("--moments", nargs="+", choices=sorted(MOMENTS), default=["early", "late", "encode"])
    ap.add_argument("--delay", type=float, default=0.2, help="seconds between the kill condition and the kill")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "fault.json"))
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--serve", metavar="WORK", help=argparse.SUPPRESS)
    ap.add_argument("--restart", metavar="WORK", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(Path(args.serve))
        return {}
    if args.restart:
        restart(Path(args.restart))
        return {}
    t0, runs = time.perf_counter(), []
    with tempfile.TemporaryDirectory(prefix="fault-bench-") as tmp:
        for moment in args.moments:
            print(f"{moment} kill …", file=sys.stderr, flush=True)
            runs.append(fault_run(Path(tmp) / moment, moment=moment, paintings=args.paintings, painters=args.painters,
                                  clip_seconds=args.clip_seconds, size=args.size, delay=args.delay,
                                  timeout=args.timeout))  # fmt: skip
    report = {
        "benchmark": "fault_bench",
        "method": "the app's job board in a child process (workers=2), SIGKILLed with a render and an import running; "
                  "checked; a fresh process loads the board, resumes both and waits",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loadavg": os.getloadavg()},
        "wall_s": round(time.perf_counter() - t0, 1),
        "runs": runs,
    }  # fmt: skip
    print(json.dumps(report, indent=1))
    print(table(runs))
    if not args.no_write:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
