"""``artcore jobs``: the library's background work (what the app's "Running and finished" panel shows)."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("jobs", parents=[common], help="list, stop or resume the library's background jobs")
    p.add_argument("action", nargs="?", choices=("list", "stop", "resume"), default="list",
                   help="list (default); stop ID (also one the app runs); resume ID (runs it here, to the end)")  # fmt: skip
    p.add_argument("id", nargs="?", metavar="ID", help="the job, as `artcore jobs` lists it")
    p.add_argument("--json", action="store_true", help="print the job records as JSON")
    p.set_defaults(func=cmd_jobs)


def cmd_jobs(args) -> int:
    from dataclasses import asdict

    from artcore import jobs
    from artcore.errors import UserError
    from artcore.library import Library

    board = jobs.board(Library(getattr(args, "library", None)).root)
    if args.action == "list":
        found = board.jobs()
        if args.json:
            print(json.dumps([asdict(j) for j in found], indent=1))
        for j in [] if args.json else found:
            print(f"{j.id}  {j.status:<11}  {j.title}: {jobs.describe(j)}")
        return 0
    if not args.id or board.get(args.id) is None:
        raise UserError(f"no job {args.id!r} in this library; `artcore jobs` lists them")
    if args.action == "stop":
        board.stop(args.id)
        print(f"asked {args.id} to stop", file=sys.stderr)
        return 0
    job = board.resume(args.id)
    print(f"resuming as {job.id}", file=sys.stderr)
    done = _follow(board, job.id)
    if args.json:
        print(json.dumps(asdict(done), indent=1))
    print(f"{done.status}: {jobs.describe(done)}", file=sys.stderr)
    return 0 if done.status == "done" else 1


def _follow(board, job_id: str):
    """Wait for a job, with a progress bar on stderr; Ctrl-C stops it (what is done is kept)."""
    from tqdm import tqdm

    bar = tqdm(file=sys.stderr, disable=None, leave=False)
    try:
        while (job := board.wait(job_id, 0.5)).active:
            bar.total, bar.n = job.total or None, job.done
            bar.set_description(job.message[:40], refresh=True)
    except KeyboardInterrupt:
        board.stop(job_id)
        job = board.wait(job_id)
    finally:
        bar.close()
    return job
