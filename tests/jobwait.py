"""Tests of pages whose work runs as background jobs (``artcore.jobs``)."""

from __future__ import annotations


def settle(at, timeout: float = 300):
    """Wait for the background jobs of the app's library (``$ARTCORE_HOME``) to end, then rerun the page: what a
    user sees on coming back once the work is done."""
    from artcore import config, jobs

    board = jobs.board(config.library_dir())
    for job in board.jobs():
        if job.active:
            board.wait(job.id, timeout)
    return at.run()
