"""Load benchmark: N concurrent sessions of the real app over Streamlit's own websocket protocol (issue #16).

Method. ``python -m artcore app --shared --headless`` is started on loopback (a fresh, empty temporary library in
``ARTCORE_HOME``, a dummy ``ARTCORE_TEACHER_PASSCODE``), once per N, and ``/_stcore/health`` is awaited. Then N
simulated browsers run at once (asyncio, one ``websockets`` connection each; ``websockets`` is a dependency of
Streamlit itself). Each speaks what Streamlit's browser client speaks on ``ws://HOST:PORT/_stcore/stream``: it
sends ``BackMsg`` protobufs and reads ``ForwardMsg`` protobufs. One session:

1. **Home**: connect, send ``rerun_script`` (an empty ``ClientState``), read until ``script_finished``. The time
   from opening the socket to ``script_finished`` is the Home page load. The ``navigation`` message names the pages
   and their ``page_script_hash``.
2. **Style studio**: ``rerun_script`` with the page hash of ``pages/style.py``; until ``script_finished``.
3. **Upload** (unless ``--pages-only``): ``file_urls_request`` → ``file_urls_response`` (a file id and
   ``/_stcore/upload_file/<session>/<file>``), a multipart ``PUT`` of the photo there (with Streamlit's XSRF token
   as cookie and ``X-Xsrftoken`` header, as the browser does), then a rerun whose ``widget_states`` carry the
   ``file_uploader_state_value`` for the ``content_upload`` widget and "Upload" for ``content_from``. This run
   also paints the 26-style preview gallery (``st.cache_data``: computed once per picture, so the first session
   pays it and the others wait for it or hit it).
4. **Stylize**: a rerun with the first ready-made style in ``builtins``, one with ``size`` = 512 (each change is
   its own rerun, as in the browser), then one with the ``go`` button's ``trigger_value``. On a class server the
   painting is a queued job: the page shows its progress in a fragment for which the server sends ``auto_rerun``
   (every 1 s); the client answers it as the browser's timer does (``rerun_script`` with ``fragment_id`` and
   ``is_auto_rerun``) until the fragment's ``st.rerun()`` redraws the page with the result. Click-to-result is
   the time from sending the click to the end of the run that shows the "Result: W×H px" caption.

Each N runs twice by default (``--queue both``): with the class server's job queue, and with it switched off
(``queue = false`` in the server's ``server.toml``: each session paints in its own script thread, as every session
did before the queue), on a fresh server each time.

A soak (``--soak SECONDS``): each of the N sessions, once its visit ends, visits again (a reload: a new websocket
session, the old one closed, as a browser's reload does) until the time is up; RSS is also recorded every 30 s, so
growth over the soak shows.

Before the N sessions, one warm-up session loads Home and Style studio (the teacher's own tab), so the N sessions
do not race the app's first imports (``--warm-visit``: it also uploads and renders, so the networks are loaded
before RSS at start is read); ``--cold`` skips it (a cold server with several first visitors at once has
shown ``ImportError: cannot import name 'ui' from 'artcore'`` in one of them: a real, separate problem).

Widget ids are the ones the server assigned in the deltas (``$$ID-<hash>-<key>``: found by their ``key``), and
every rerun sends all widget values set so far, as the browser does. A session counts as an error if anything
fails: a timeout, a closed socket, a missing widget, an ``exception`` element or an error alert on the page.

Reported per N: errors, page-load p50/p95 (Home, Style studio), upload-rerun and click-to-result p50/p95, stylize
results and script runs per minute (over the wall time of the whole batch), and the server's VmRSS (from
``/proc/PID/status`` every 0.5 s): at start (after health, before any session), peak, and 10 s after every session
closed. With the queue, also the issue's "ideal" click-to-result: the CPU seconds the queue's records give for the
batch's renders (each job's worker thread, which does all of a render on a class server: one thread per job), summed
and spread over the workers, and the click-to-result p95 over it. JSON to stdout and ``--out`` (default
``benchmarks/results/load.json``), and a table.

Limits. Client and server share this machine (the client is light: protobuf parsing only, but it does take some
CPU from the server). Sessions start together (``--ramp`` spreads them), which is harsher than a class that
trickles in. The browser's own work (rendering, fetching ``/media`` images, the before/after iframe's scripts,
static assets) is not done; media files are not downloaded, so their serving cost is missing. Fragment
auto-reruns are answered only while waiting for a result (a real tab keeps answering the sidebar's job panel for
as long as it is open). Heartbeats are not sent. Every session uploads the same photo, so the preview gallery is computed once (a class
with 30 different photos computes it 30 times: run with ``--photos DIR`` to cycle through a folder's pictures).

    python benchmarks/load_bench.py [--sessions 5 10 30] [--queue both|on|off] [--pages-only] [--ramp 0]
                                    [--photos FILE_OR_DIR] [--soak SECONDS]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import requests
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.web.server.starlette.starlette_app_utils import generate_xsrf_token_string

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PHOTO = Path("/work/shared/artdata/photos/sailboat.jpg")
STYLE_PAGE = "Style studio"
STYLE_SIZE = 512
XSRF_COOKIE = "_streamlit_xsrf"  # streamlit.web.server.starlette.starlette_server_config.XSRF_COOKIE_NAME


class SessionError(Exception):
    """One simulated session failed; its message says at which step."""


class Session:
    """One simulated browser tab: a websocket, the widget values set so far, the elements of the last run."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.ws = None
        self.session_id = ""
        self.pages: dict[str, str] = {}  # page name -> page_script_hash
        self.page_hash = ""
        self.widgets: dict[str, tuple[str, object]] = {}  # user key -> (element type, proto), from the last run
        self.states: dict[str, object] = {}  # widget id -> WidgetState sent with every rerun
        self.elements: list = []  # (type, proto) of the last run
        self.auto_reruns = 0
        self.fragments: dict[str, float] = {}  # fragment id -> auto-rerun interval (s), as the server asked
        self.fragment_runs = 0
        self._in_fragment = False
        self.runs = 0
        self.xsrf = generate_xsrf_token_string()

    async def connect(self) -> None:
        self.ws = await websockets.connect(f"ws://{self.host}:{self.port}/_stcore/stream", subprotocols=["streamlit"],
                                           max_size=None, open_timeout=self.timeout, ping_interval=None)  # fmt: skip

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def send(self, msg: BackMsg) -> None:
        await self.ws.send(msg.SerializeToString())

    async def recv(self) -> ForwardMsg:
        data = await self.ws.recv()
        msg = ForwardMsg()
        msg.ParseFromString(data)
        return msg

    def _take(self, msg: ForwardMsg) -> None:
        """Note what one message of a run says: the session, the pages, the elements and their widget ids."""
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.session_id = msg.new_session.initialize.session_id or self.session_id
            if not self._in_fragment:  # a full run (also one a fragment's st.rerun() started) redraws the page
                self.elements, self.widgets, self.fragments = [], {}, {}
        elif kind == "navigation":
            self.pages = {p.page_name: p.page_script_hash for p in msg.navigation.app_pages}
        elif kind == "auto_rerun":
            self.auto_reruns += 1
            self.fragments[msg.auto_rerun.fragment_id] = msg.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fid in msg.stop_auto_rerun.fragment_ids:
                self.fragments.pop(fid, None)
        elif kind == "page_not_found":
            raise SessionError(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            el = msg.delta.new_element
            etype = el.WhichOneof("type")
            proto = getattr(el, etype) if etype else None
            self.elements.append((etype, proto))
            wid = getattr(proto, "id", "") if proto is not None else ""
            if isinstance(wid, str) and wid.startswith("$$ID-"):
                self.widgets[wid.split("-", 2)[2]] = (etype, proto)

    async def run(self, **widgets) -> float:
        """Rerun the current page with the widget values so far plus ``widgets`` (key -> WidgetState setter);
        the seconds until ``script_finished``. Raises if the page shows an exception or an error."""
        for key, setter in widgets.items():
            if key not in self.widgets:
                raise SessionError(f"no widget with key {key!r} on the page (have {sorted(self.widgets)[:20]})")
            wid = self.widgets[key][1].id
            state = WidgetState(id=wid)
            setter(state)
            self.states[wid] = state
        self.elements, self.widgets = [], {}
        t0 = time.perf_counter()
        await self.send(self._rerun_msg())
        await self._until_finished()
        elapsed = time.perf_counter() - t0
        # A button's trigger is sent once, as the browser does.
        self.states = {k: s for k, s in self.states.items() if s.WhichOneof("value") != "trigger_value"}
        return elapsed

    def _rerun_msg(self, fragment_id: str = "") -> BackMsg:
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        msg.rerun_script.page_script_hash = self.page_hash
        if fragment_id:
            msg.rerun_script.fragment_id = fragment_id
            msg.rerun_script.is_auto_rerun = True
        for state in self.states.values():
            msg.rerun_script.widget_states.widgets.append(state)
        return msg

    async def follow(self, done, timeout: float) -> None:
        """Answer the page's ``auto_rerun`` fragments (each at its interval, as the browser's timers do) until
        ``done()`` says the page shows what we wait for; a full rerun a fragment starts (``st.rerun()``) is read
        like any other."""
        deadline = time.perf_counter() + timeout
        due = {fid: time.perf_counter() + interval for fid, interval in self.fragments.items()}
        while not done():
            if not self.fragments:
                raise SessionError("the page neither shows the result nor refreshes itself")
            for fid, interval in self.fragments.items():
                due.setdefault(fid, time.perf_counter() + interval)
            fid = min((f for f in due if f in self.fragments), key=due.get)
            wait = due[fid] - time.perf_counter()
            if time.perf_counter() + max(wait, 0) > deadline:
                raise SessionError("timed out waiting for the result")
            await asyncio.sleep(max(wait, 0))
            due[fid] = time.perf_counter() + self.fragments[fid]
            self._in_fragment = True
            try:
                await self.send(self._rerun_msg(fid))
                await self._until_finished(fragment=True)
            finally:
                self._in_fragment = False
            self.fragment_runs += 1

    async def _until_finished(self, fragment: bool = False) -> None:
        deadline = time.perf_counter() + self.timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise SessionError("timed out waiting for script_finished")
            try:
                msg = await asyncio.wait_for(self.recv(), left)
            except TimeoutError:
                raise SessionError("timed out waiting for script_finished") from None
            self._take(msg)
            if msg.WhichOneof("type") == "script_finished":
                status = msg.script_finished
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise SessionError("script compile error")
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    self._in_fragment = False  # what follows is a full run (a fragment's st.rerun())
                fragment_done = fragment and status == ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
                if status == ForwardMsg.FINISHED_SUCCESSFULLY or fragment_done:
                    break  # early-for-rerun (and others' fragment runs): keep reading
        self.runs += 1
        for etype, proto in self.elements:
            if etype == "exception":
                raise SessionError(f"exception on the page: {proto.message[:200]}")
            if etype == "alert" and proto.format == proto.ERROR:
                raise SessionError(f"error on the page: {proto.body[:200]}")

    async def upload(self, path: Path) -> tuple[str, object]:
        """``file_urls_request`` → ``file_urls_response``, then the multipart PUT; the file id and its URLs."""
        msg = BackMsg()
        request_id = uuid.uuid4().hex
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.session_id = self.session_id
        msg.file_urls_request.file_names.append(path.name)
        await self.send(msg)
        deadline = time.perf_counter() + self.timeout
        while True:
            try:
                reply = await asyncio.wait_for(self.recv(), max(0.0, deadline - time.perf_counter()))
            except TimeoutError:
                raise SessionError("timed out waiting for file_urls_response") from None
            if reply.WhichOneof("type") == "file_urls_response" and reply.file_urls_response.response_id == request_id:
                break
            self._take(reply)
        if reply.file_urls_response.error_msg or not reply.file_urls_response.file_urls:
            raise SessionError(f"file_urls_response: {reply.file_urls_response.error_msg or 'no URLs'}")
        urls = reply.file_urls_response.file_urls[0]
        data = path.read_bytes()

        def put():
            return requests.put(f"http://{self.host}:{self.port}{urls.upload_url}",
                                files={"file": (path.name, data, "image/jpeg")},
                                headers={"X-Xsrftoken": self.xsrf}, cookies={XSRF_COOKIE: self.xsrf},
                                timeout=self.timeout)  # fmt: skip

        resp = await asyncio.to_thread(put)
        if resp.status_code not in (200, 204):
            raise SessionError(f"upload PUT answered {resp.status_code}: {resp.text[:200]}")
        return urls, len(data)


async def one_session(i: int, args, photo: Path, start_delay: float) -> dict:
    """One user's visit; a dict of its timings (seconds) and ``error`` (None when every step worked)."""
    await asyncio.sleep(start_delay)
    out: dict = {"session": i, "error": None, "step": "connect"}
    s = Session(args.host, args.port, args.timeout)
    try:
        t0 = time.perf_counter()
        await s.connect()
        out["step"] = "home"
        msg = BackMsg()
        msg.rerun_script.query_string = ""
        await s.send(msg)
        await s._until_finished()
        out["home_s"] = time.perf_counter() - t0
        if STYLE_PAGE not in s.pages:
            raise SessionError(f"no {STYLE_PAGE!r} page in navigation: {sorted(s.pages)}")
        out["step"] = "style"
        s.page_hash = s.pages[STYLE_PAGE]
        out["style_s"] = await s.run()
        if not args.pages_only:
            out["step"] = "upload"
            t1 = time.perf_counter()
            urls, size = await s.upload(photo)

            def file_state(w):
                info = w.file_uploader_state_value.uploaded_file_info.add()
                info.name, info.size, info.file_id = photo.name, size, urls.file_id
                info.file_urls.CopyFrom(FileURLs(file_id=urls.file_id, upload_url=urls.upload_url,
                                                 delete_url=urls.delete_url))  # fmt: skip

            await s.run(content_from=lambda w: setattr(w, "string_value", "Upload"), content_upload=file_state)
            out["upload_s"] = time.perf_counter() - t1
            out["step"] = "stylize"
            options = list(s.widgets["builtins"][1].options) if "builtins" in s.widgets else []
            if not options:
                raise SessionError("no ready-made styles offered after the upload")
            style = options[(i * args.style_step) % len(options)]
            out["style_name"] = style
            # As in a browser, each widget change is its own rerun: choosing the style enables Stylize (a widget's
            # id covers its parameters, so the enabled button has another id than the disabled one).
            await s.run(builtins=lambda w: w.string_array_value.data.append(style))
            await s.run(size=lambda w: setattr(w, "double_value", float(STYLE_SIZE)))
            out["step"] = "click"
            t_click = time.perf_counter()
            out["click_run_s"] = await s.run(go=lambda w: setattr(w, "trigger_value", True))

            def captions():
                return [p.body for t, p in s.elements if t == "markdown" and p.body.startswith("Result:")]

            # On a class server Stylize is a queued job: the page shows its progress (a fragment that reruns every
            # second, as the browser asks it to) and reruns itself when the painting is ready.
            await s.follow(lambda: bool(captions()), s.timeout)
            out["click_s"] = time.perf_counter() - t_click
            out["result_caption"] = captions()[0]
        out["step"] = "done"
    except (SessionError, OSError, websockets.WebSocketException, requests.RequestException) as exc:
        out["error"] = f"{out['step']}: {type(exc).__name__}: {exc}"
    finally:
        out["script_runs"], out["auto_reruns"], out["fragment_runs"] = s.runs, s.auto_reruns, s.fragment_runs
        await s.close()
    return out


class RssSampler:
    """VmRSS of one process every ``every`` seconds, in a thread."""

    def __init__(self, pid: int, every: float = 0.5):
        self.pid, self.every, self.peak, self._stop = pid, every, 0, threading.Event()
        self.timeline: list[tuple[float, int]] = []  # (seconds since start, RSS) every 30 s: growth over a soak
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def rss(self) -> int:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def cpu_seconds(self) -> float:
        """The process's CPU time so far (user + system), from ``/proc/PID/stat``."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _loop(self):
        start = last = time.perf_counter()
        while not self._stop.is_set():
            rss, now = self.rss(), time.perf_counter()
            self.peak = max(self.peak, rss)
            if now - last >= 30:
                self.timeline.append((round(now - start), rss))
                last = now
            self._stop.wait(self.every)

    def __enter__(self):
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, home: Path, log, queue: bool = True, workers: int | None = None) -> subprocess.Popen:
    """``artcore app --shared`` on ``port`` over a new library at ``home``; ``queue=False`` writes its
    ``server.toml`` with ``queue = false`` (each visitor's own session paints: the personal server's way);
    ``workers``: the queue's jobs at once (default: the server's own, one per core)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "server.toml").write_text(f"[server]\nshared = true\nqueue = {str(queue).lower()}\n"
                                      + (f"workers = {workers}\n" if workers else ""))  # fmt: skip
    env = dict(os.environ, ARTCORE_HOME=str(home), ARTCORE_TEACHER_PASSCODE="load-bench-passcode",
               STREAMLIT_SERVER_ADDRESS="127.0.0.1")  # fmt: skip
    proc = subprocess.Popen([sys.executable, "-m", "artcore", "app", "--shared", "--headless", "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    deadline = time.time() + 120
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with {proc.returncode} before it was healthy")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the app did not become healthy within 120 s")


def pct(values: list[float], q: float) -> float | None:
    """The ``q`` quantile (0..1, linear interpolation) of ``values``; None when empty."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return round(v[lo] + (v[hi] - v[lo]) * (k - lo), 3)


def render_records(library: Path, since: float) -> list[dict]:
    """The job queue's records of Stylize renders that started after ``since`` (epoch seconds) and finished."""
    records = []
    for path in sorted((library / "jobs").glob("*.json")):
        job = json.loads(path.read_text())
        if job["kind"] == "stylize" and job["status"] == "done" and (job.get("started") or 0) >= since:
            records.append(job)
    return records


def photos_of(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    return [path]


async def visits(i: int, args, photo: Path, start_delay: float, until: float) -> list[dict]:
    """Session ``i``'s visits: one, or (a soak) a new one, as after a reload, until ``until`` (perf_counter)."""
    done = [await one_session(i, args, photo, start_delay)]
    while time.perf_counter() < until:
        done.append(await one_session(i, args, photo, 0.0))
    return done


def bench_n(n: int, args, queue: bool = True) -> dict:
    """One server (its job queue on or off), ``n`` sessions at once; the summary for this N (and every session's
    record). With ``args.soak`` seconds, each session visits again and again (a reload: a new websocket session,
    the old one closed) until that time is up."""
    photos = photos_of(Path(args.photos))
    args.port = free_port()
    with tempfile.TemporaryDirectory(prefix="artcore-load-") as tmp:
        log_path = Path(tmp) / "server.log"
        with open(log_path, "w") as log:
            t_boot = time.perf_counter()
            proc = start_server(args.port, Path(tmp) / "library", log, queue, args.workers)
            boot_s = time.perf_counter() - t_boot
            try:
                warmup = None
                if not args.cold:  # one Home load first, as the teacher's own tab would: imports the app's modules
                    args_w = argparse.Namespace(**{**vars(args), "pages_only": not args.warm_visit})
                    warmup = asyncio.run(one_session(-1, args_w, photos[0], 0.0))
                sampler = RssSampler(proc.pid)
                rss_start = sampler.rss()
                with sampler:
                    t0 = time.perf_counter()

                    async def batch():
                        until = time.perf_counter() + args.soak
                        return await asyncio.gather(*(visits(i, args, photos[i % len(photos)],
                                                             args.ramp * i / max(n - 1, 1), until) for i in range(n)))  # fmt: skip

                    t0_epoch, cpu0 = time.time(), sampler.cpu_seconds()
                    sessions = [v for per in asyncio.run(batch()) for v in per]
                    wall = time.perf_counter() - t0
                    server_cpu = sampler.cpu_seconds() - cpu0
                    renders = render_records(Path(tmp) / "library", t0_epoch)
                    time.sleep(args.settle)
                    rss_after = sampler.rss()
            finally:
                proc.terminate()
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        log = log_path.read_text(errors="replace")
        # What a failing session's error id points to: the server's tracebacks (not its deprecation notices).
        log_tail = "\n".join(b for b in log.split("\n20") if "Traceback" in b or "rror" in b)[-4000:]
    ok = [s for s in sessions if not s["error"]]
    col = lambda k: [s[k] for s in sessions if k in s and not s["error"]]  # noqa: E731
    results = len(col("click_s"))
    workers = args.workers or os.cpu_count() or 1
    cpu = [j["cpu_seconds"] for j in renders]
    # The issue's "ideal": the renders' CPU time spread over the queue's workers (only with the queue: without it
    # renders are not jobs and leave no record; and not for a soak, whose sessions click one after the other).
    ideal = sum(cpu) / workers if cpu and not args.soak else None
    p95 = pct(col("click_s"), 0.95)
    return {
        "sessions": n,
        "queue": queue,
        "soak_s": args.soak,
        "visits": len(sessions),
        "errors": len(sessions) - len(ok),
        "error_messages": sorted({s["error"] for s in sessions if s["error"]})[:10],
        "home_p50_s": pct(col("home_s"), 0.5), "home_p95_s": pct(col("home_s"), 0.95),
        "style_page_p50_s": pct(col("style_s"), 0.5), "style_page_p95_s": pct(col("style_s"), 0.95),
        "upload_p50_s": pct(col("upload_s"), 0.5), "upload_p95_s": pct(col("upload_s"), 0.95),
        "click_to_result_p50_s": pct(col("click_s"), 0.5), "click_to_result_p95_s": p95,
        "render_jobs": len(renders), "workers": workers if queue else None,
        "render_cpu_p50_s": pct(cpu, 0.5), "render_cpu_total_s": round(sum(cpu), 2) if cpu else None,
        "render_run_p50_s": pct([j["finished"] - j["started"] for j in renders], 0.5),
        "ideal_s": round(ideal, 2) if ideal else None,
        "p95_over_ideal": round(p95 / ideal, 2) if ideal and p95 else None,
        "stylize_results": results,
        "renders_per_min": round(results / wall * 60, 2) if results else None,
        "server_cpu_s": round(server_cpu, 1),
        "server_cpu_per_visit_s": round(server_cpu / len(sessions), 3),
        "script_runs_per_min": round(sum(s["script_runs"] for s in sessions) / wall * 60, 1),
        "auto_reruns_seen": sum(s["auto_reruns"] for s in sessions),
        "wall_s": round(wall, 2),
        "fragment_reruns_sent": sum(s.get("fragment_runs", 0) for s in sessions),
        "warmup": None if warmup is None else {"visit": bool(args.warm_visit),
                                               **{k: warmup.get(k) for k in ("error", "home_s", "style_s")}},
        "server_boot_s": round(boot_s, 2),
        "rss_start_mb": round(rss_start / 2**20, 1),
        "rss_peak_mb": round(sampler.peak / 2**20, 1),
        "rss_after_mb": round(rss_after / 2**20, 1),
        "rss_after_wait_s": args.settle,
        "rss_timeline_mb": [(t, round(r / 2**20, 1)) for t, r in sampler.timeline],
        "server_log_tail": log_tail if len(sessions) - len(ok) else "",
        "per_session": sessions,
    }  # fmt: skip


def table(rows: list[dict]) -> str:
    cols = [("N", "sessions"), ("queue", "queue"), ("visits", "visits"), ("err", "errors"), ("home p50", "home_p50_s"), ("home p95", "home_p95_s"),
            ("style p50", "style_page_p50_s"), ("style p95", "style_page_p95_s"),
            ("upload p50", "upload_p50_s"), ("click→result p50", "click_to_result_p50_s"),
            ("click→result p95", "click_to_result_p95_s"), ("ideal", "ideal_s"), ("p95/ideal", "p95_over_ideal"),
            ("renders/min", "renders_per_min"), ("CPU s/visit", "server_cpu_per_visit_s"),
            ("RSS start MB", "rss_start_mb"), ("RSS peak MB", "rss_peak_mb"), ("RSS after MB", "rss_after_mb")]  # fmt: skip
    cells = [[h for h, _ in cols]] + [["—" if r.get(k) is None else str(r[k]) for _, k in cols] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(cols))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, nargs="+", default=[5, 10, 30], help="N concurrent sessions, each run")
    ap.add_argument("--pages-only", action="store_true", help="only load Home and Style studio (no upload/Stylize)")
    ap.add_argument("--photos", default=str(DEFAULT_PHOTO), help="the content photo, or a folder to cycle through")
    ap.add_argument("--style-step", type=int, default=0,
                    help="session i picks ready-made style i×STEP (0: all the same style)")  # fmt: skip
    ap.add_argument("--ramp", type=float, default=0.0, help="spread session starts over this many seconds")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds one step may take")
    ap.add_argument("--settle", type=float, default=10.0, help="seconds after the sessions close before RSS")
    ap.add_argument("--cold", action="store_true",
                    help="no warm-up session: the N sessions are the server's very first (its imports race)")  # fmt: skip
    ap.add_argument("--warm-visit", action="store_true",
                    help="the warm-up session also uploads and renders (the teacher's demonstration), so the RSS at "
                         "start holds the networks and the growth is what the N sessions leave")  # fmt: skip
    ap.add_argument("--queue", choices=("on", "off", "both"), default="both",
                    help="the server's job queue for Stylize: on (a class server's default), off (each session "
                         "paints in its own thread, as before the queue), or both, one after the other per N")  # fmt: skip
    ap.add_argument("--soak", type=float, default=0.0, metavar="SECONDS",
                    help="a soak: each session reloads (a new visit) and renders again until this time is up")  # fmt: skip
    ap.add_argument("--workers", type=int, help="the queue's jobs at once (default: the server's, one per core)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "load.json"))
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    runs = []
    modes = {"on": [True], "off": [False], "both": [True, False]}[args.queue]
    for n in args.sessions:
        for queue in modes:
            print(f"N={n}, queue {'on' if queue else 'off'} …", file=sys.stderr, flush=True)
            runs.append(bench_n(n, args, queue))
            print(table(runs[-1:]), file=sys.stderr, flush=True)
    report = {
        "benchmark": "load_bench",
        "method": "N simulated browsers over /_stcore/stream (BackMsg/ForwardMsg protobufs), all started at once"
                  + (f" (ramp {args.ramp} s)" if args.ramp else ""),
        "steps": ["home", "style page"] + ([] if args.pages_only else ["upload", f"stylize at {STYLE_SIZE} px"]),
        "photos": [str(p) for p in photos_of(Path(args.photos))],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "loadavg": os.getloadavg()},
        "runs": runs,
    }  # fmt: skip
    print(json.dumps({**report, "runs": [{k: v for k, v in r.items() if k != "per_session"} for r in runs]}, indent=1))
    print(table(runs))
    if not args.no_write:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
