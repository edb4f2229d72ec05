"""No user ever sees a traceback: how the app runs a page.

``run_page`` wraps the page ``st.navigation`` returns. A ``UserError`` escaping the page becomes one plain sentence
(``st.error``); any other exception becomes a short apology with a short error id, while the full traceback goes to
the server log under that id. Streamlit's own control flow (``st.stop``, ``st.rerun``, ``st.switch_page``) raises
``BaseException`` subclasses and passes through untouched. ``client.showErrorDetails = "none"`` in
``.streamlit/config.toml`` keeps Streamlit's own error box (for anything outside a page) free of details too.
"""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from artcore.errors import UserError, sentence

log = logging.getLogger("artcore.app")


def _ensure_handler() -> None:
    """Under ``streamlit run`` nothing configures the root logger: give ours a stderr handler, so tracebacks reach
    the server's console (and its log file) with a time stamp."""
    if logging.getLogger().handlers or log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def apology(error_id: str) -> str:
    return f"Sorry — something went wrong on our side (error {error_id}). It has been logged."


def report(exc: BaseException, where: str = "") -> str:
    """Log ``exc`` with its traceback under a new short id; returns the id (6 hex digits)."""
    _ensure_handler()
    error_id = secrets.token_hex(3)
    log.error("error %s%s: %s", error_id, f" on {where}" if where else "", type(exc).__name__, exc_info=exc)
    return error_id


def show(exc: Exception, where: str = "") -> None:
    """Show an exception to the user the app's way: a UserError's sentence, else the apology with an error id."""
    if isinstance(exc, UserError):
        st.error(sentence(exc), icon=":material/info:")
    else:
        st.error(apology(report(exc, where)), icon=":material/sentiment_dissatisfied:")


def run_page(page) -> None:
    """``page.run()`` (a ``StreamlitPage``, or any callable) with every escaping exception shown the app's way."""
    from streamlit.errors import FragmentHandledException

    try:
        page.run() if hasattr(page, "run") else page()
    except FragmentHandledException:  # a fragment's error, already shown by Streamlit (without details)
        raise
    except Exception as exc:  # st.stop / st.rerun / st.switch_page are BaseExceptions and pass through
        show(exc, f"page {getattr(page, 'title', None) or getattr(page, '__name__', 'page')!r}")
