"""Pinterest: ``python -m artcore.collect.pinterest -t NAME -u URL -mc N`` (same as ``artcore collect pinterest``).

Opens a public board or search page in headless Chromium (Selenium with the system ``chromedriver``; Selenium
Manager is never used), dismisses the consent or login overlays it can, and scrolls only as far as the download
needs: it stops when enough pins are fetched or when scrolling brings no new ones. Each pin's best image comes
first: the original, then the largest ``srcset`` entry, then what the page shows.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

from artcore.collect import download
from artcore.errors import UserError

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM_FLAGS = (
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1280,1600",
)  # fmt: skip
PINTEREST_HOST = re.compile(r"^(?:[a-z0-9-]+\.)*pinterest\.(?:com|[a-z]{2}|co\.[a-z]{2}|com\.[a-z]{2})$")
IMAGE_DOMAINS = ("pinimg.com",)
# Pinterest serves resized copies under /236x/, /474x/, /736x/ ...; the same path under /originals/ is the upload.
SIZE_SEGMENT = re.compile(r"^/\d+x\d*(?:_[A-Za-z]+)?/")

# Every pin link that holds an image, with what the browser knows about that image.
COLLECT_JS = """
const out = [];
for (const a of document.querySelectorAll('a[href*="/pin/"]')) {
  const img = a.querySelector('img');
  if (img) out.push([a.href, img.currentSrc || img.src || '', img.getAttribute('srcset') || '', img.alt || '']);
}
return out;
"""
# Click what accepts cookies or closes a sign-up prompt; remove modal layers that have no such button, and let the
# page scroll again. Returns how many things it touched.
OVERLAY_JS = r"""
const words = /^(accept( all)?( cookies)?|allow all|agree|i agree|got it|ok|close|not now|no thanks|akkoord|alles accepteren|accepteren|sluiten|tout accepter|fermer|alle akzeptieren|schließen|aceptar|cerrar)$/i;
let n = 0;
for (const el of document.querySelectorAll('button, [role=button]')) {
  const label = (el.innerText || el.getAttribute('aria-label') || '').trim();
  if (label && words.test(label) && el.offsetParent !== null) { el.click(); n++; }
}
for (const el of document.querySelectorAll('[aria-modal=true], [role=dialog], [data-test-id*=signup i], [data-test-id*=login i]')) {
  el.remove(); n++;
}
for (const el of [document.documentElement, document.body]) {
  if (el && getComputedStyle(el).overflow === 'hidden') { el.style.overflow = 'auto'; n++; }
}
return n;
"""
COUNT_JS = "return document.querySelectorAll('a[href*=\"/pin/\"] img').length;"
SCROLL_JS = "window.scrollTo(0, document.documentElement.scrollHeight);"


def board_url_allowed(url: str) -> bool:
    """A Pinterest page, or a host the server's configuration allows (``$ARTCORE_ALLOWED_HOSTS``)."""
    host = (urlsplit(url).hostname or "").lower()
    return download.host_allowed(url, ()) or (
        urlsplit(url).scheme in ("http", "https") and bool(PINTEREST_HOST.match(host))
    )


def image_url_allowed(url: str) -> bool:
    """Pinterest's image CDN, a Pinterest host, or a configured one: what a shared server may download."""
    return download.host_allowed(url, IMAGE_DOMAINS) or board_url_allowed(url)


def parse_srcset(srcset: str) -> list[tuple[float, str]]:
    """``"a.jpg 236w, b.jpg 2x"`` → [(236, a.jpg), (2, b.jpg)]; a bare URL weighs 1."""
    out = []
    for part in srcset.split(","):
        bits = part.strip().split()
        if not bits:
            continue
        weight = 1.0
        if len(bits) > 1 and bits[1][:-1].replace(".", "", 1).isdigit() and bits[1][-1] in "wx":
            weight = float(bits[1][:-1])
        out.append((weight, bits[0]))
    return out


def best_urls(src: str, srcset: str, base: str = "") -> list[str]:
    """A pin's image URLs, best first: the original upload, the largest ``srcset`` entry, the displayed ``src``."""
    entries = parse_srcset(srcset)
    largest = urljoin(base, max(entries, key=lambda e: e[0])[1]) if entries else ""
    src = urljoin(base, src) if src else ""
    urls = []
    for u in (largest, src):
        parts = urlsplit(u)
        if parts.scheme in ("http", "https") and SIZE_SEGMENT.match(parts.path):
            urls.append(urlunsplit(parts._replace(path=SIZE_SEGMENT.sub("/originals/", parts.path, count=1))))
    urls += [largest, src]
    return list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))


def pin_key(href: str) -> str:
    """A pin's link without query or fragment: the same pin shown twice is one candidate."""
    parts = urlsplit(href)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/") + "/", "", ""))


def make_driver():
    """Headless Chromium through the system chromedriver."""
    from selenium import webdriver
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.chrome.service import Service

    for path in (CHROMIUM, CHROMEDRIVER):
        if not Path(path).is_file():
            raise UserError(f"{path} is missing: install Debian's chromium and chromium-driver packages")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        opts.add_argument(flag)
    try:
        # An explicit driver path means Selenium Manager (which would download drivers) is never run.
        driver = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER))
    except WebDriverException as exc:
        raise UserError(f"cannot start headless Chromium: {exc.msg or exc}") from exc
    driver.set_page_load_timeout(60)
    return driver


class Board:
    """Pins of a public page as candidates, scrolling only when more are asked for."""

    def __init__(self, url: str, *, cancel: threading.Event | None = None, scroll_wait: float = 4.0,
                 idle_rounds: int = 2, url_allowed=None):  # fmt: skip
        if url_allowed is not None and not url_allowed(url):
            raise UserError(f"{url} is not a Pinterest page; this server only fetches from Pinterest")
        if urlsplit(url).scheme not in ("http", "https"):
            raise UserError(f"{url} is not an http(s) address")
        self.url = url
        self.cancel = cancel or threading.Event()
        self.scroll_wait = scroll_wait
        self.idle_rounds = idle_rounds
        self.scrolls = 0

    def __iter__(self) -> Iterator[download.Candidate]:
        from selenium.common.exceptions import WebDriverException

        driver = make_driver()
        try:
            try:
                driver.get(self.url)
            except WebDriverException as exc:
                raise UserError(f"cannot open {self.url}: {exc.msg or exc}") from exc
            seen: set[str] = set()
            idle = 0
            while idle < self.idle_rounds and not self.cancel.is_set():
                driver.execute_script(OVERLAY_JS)
                new = 0
                base = driver.current_url
                for href, src, srcset, alt in driver.execute_script(COLLECT_JS):
                    key = pin_key(href)
                    urls = best_urls(src, srcset, base)
                    if key in seen or not urls:
                        continue
                    seen.add(key)
                    new += 1
                    title = f'"{alt.strip()}" ' if alt.strip() else ""
                    yield download.Candidate(original=key, urls=urls, licence="unknown (Pinterest pin)",
                                             attribution=f"{title}Pinterest pin {key}; image {urls[0]}")  # fmt: skip
                if new == 0:
                    idle += 1
                self._scroll(driver)
        finally:
            driver.quit()

    def _scroll(self, driver) -> None:
        """Scroll to the bottom and wait until more pins render (or ``scroll_wait`` passes)."""
        before = driver.execute_script(COUNT_JS)
        driver.execute_script(SCROLL_JS)
        self.scrolls += 1
        waited = 0.0
        while waited < self.scroll_wait and not self.cancel.wait(0.2):
            waited += 0.2
            if driver.execute_script(COUNT_JS) != before:
                return


def add_parser(sub, common) -> None:
    p = sub.add_parser("pinterest", parents=[common], help="fetch the pins of a public Pinterest page",
                       description="Fetch the pins of a public Pinterest page, best size first, into the library.")  # fmt: skip
    p.add_argument("-t", "--tag", "--name", dest="name", required=True, help="name for this collection (the label)")
    p.add_argument("-u", "--url", required=True, help="a public Pinterest board, profile or search page")
    download.add_arguments(p)
    p.add_argument("--scroll-wait", type=float, default=4.0, metavar="S",
                   help="seconds to wait for new pins after each scroll (default: 4)")  # fmt: skip
    p.set_defaults(func=cmd_pinterest)


def cmd_pinterest(args) -> int:
    def candidates(settings, cancel):
        return Board(args.url, cancel=cancel, scroll_wait=args.scroll_wait)

    return download.run_cli(args, "pinterest", args.label or args.name, candidates)


def main(argv: list[str] | None = None) -> int:
    from artcore.cli import main as cli_main

    return cli_main(["collect", "pinterest", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
