"""``artcore app``: start the Streamlit app."""

from __future__ import annotations

import argparse
import os
import sys

from artcore.config import PROJECT_ROOT


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    app = sub.add_parser("app", parents=[common], help="start the web app")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--headless", action="store_true", help="do not open a browser")
    app.add_argument("--shared", action="store_true",
                     help="a class server: folder imports only below the configured roots, a teacher passcode "
                          "($ARTCORE_TEACHER_PASSCODE) for collect, training, folder import and deleting, upload and "
                          "job limits (README: A class server)")  # fmt: skip
    app.set_defaults(func=cmd_app)


def cmd_app(args) -> int:
    env = dict(os.environ)
    if getattr(args, "library", None):
        from artcore.config import library_dir

        env["ARTCORE_HOME"] = str(library_dir(args.library))
    if args.shared:
        env["ARTCORE_SHARED"] = "1"
    cmd = [sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "streamlit_app.py"),
           "--server.port", str(args.port), "--server.headless", "true" if args.headless else "false",
           "--browser.gatherUsageStats", "false"]  # fmt: skip
    if args.shared or env.get("ARTCORE_SHARED") == "1":
        from artcore import shared

        os.environ.update(env)  # the policy reads the library folder and the flag from the environment
        policy = shared.policy()
        limit = policy.max_upload_mb
        threads = str(shared.threads_per_job(policy.workers or 1))
        for var in shared.THREAD_VARIABLES:  # unless the administrator chose otherwise
            env.setdefault(var, threads)
        if limit:  # the uploader itself then says and enforces the class server's limit
            cmd += ["--server.maxUploadSize", str(max(1, round(limit)))]
        # With many sessions, Streamlit's per-session source watcher (it polls every module file) and its full
        # garbage collection after every script run hold the interpreter lock for most of each page load.
        cmd += ["--server.fileWatcherType", "none", "--runner.postScriptGC", "false"]
    # Streamlit replaces this process (same pid), so stopping `artcore app` (Ctrl-C, kill) stops the server too.
    os.execve(sys.executable, cmd, env)
