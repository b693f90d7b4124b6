"""A headless Chromium for the tests, driven over the DevTools protocol on a pipe.

Why a pipe and no library: Chromium started with ``--remote-debugging-pipe`` reads
protocol commands on its file descriptor 3 and writes answers and events on 4, as JSON
messages ended by a NUL byte. That needs no port, no websocket client and no download:
only Debian's ``chromium`` package and the standard library. (playwright-python would
drive the same browser, but it brings a Node.js driver of its own to install, for
nothing these tests need.)

The page is opened from a ``file://`` URL with the network off three times over: the
resolver maps every host to nothing, the proxy is a closed port on the loopback address,
and the DevTools network emulation is offline. Every request the page makes is recorded
all the same, so a test can assert there was none.

:func:`find_chromium` says where the browser is, or why there is none;
:data:`REQUIRE` (``CATALOG_DIFF_REQUIRE_BROWSER=1``) turns "no browser" from a skip into
a failure, as CI sets it.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Set to 1 (CI does) to make a missing browser fail the browser tests instead of skipping.
REQUIRE = os.environ.get("CATALOG_DIFF_REQUIRE_BROWSER", "") not in ("", "0")

#: Seconds any one exchange with the browser may take before the test fails.
TIMEOUT = 60

#: The widths the pages are checked at: a phone and a desktop.
PHONE = (390, 844)
DESKTOP = (1280, 900)

_NAMES = ("chromium", "chromium-browser", "google-chrome")


def find_chromium() -> tuple[str | None, str]:
    """The browser's path and "", or None and why there is none."""
    explicit = os.environ.get("CATALOG_DIFF_CHROMIUM")
    if explicit:
        if Path(explicit).is_file() and os.access(explicit, os.X_OK):
            return explicit, ""
        return None, f"CATALOG_DIFF_CHROMIUM={explicit} is not an executable file"
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found, ""
    return None, (
        "no chromium on PATH (install Debian's package: apt-get install chromium); "
        "set CATALOG_DIFF_REQUIRE_BROWSER=1 to fail instead of skipping"
    )


def _high(fd: int) -> int:
    """``fd`` moved to a descriptor number of 10 or more (inheritable)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class BrowserError(RuntimeError):
    """The browser answered with an error, went away, or took too long."""


class Browser:
    """One Chromium process; :meth:`open` gives a fresh page (a tab) on it."""

    def __init__(self, executable: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="catalog-diff-chromium-")
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        # The browser's ends above 9, so that moving them to 3 and 4 overwrites neither.
        to_chrome_r, from_chrome_w = _high(to_chrome_r), _high(from_chrome_w)
        args = [
            executable,
            "--headless",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
            "--disable-gpu",
            "--remote-debugging-pipe",
            f"--user-data-dir={self.profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            "--disable-features=Translate,MediaRouter,OptimizationHints",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            "--hide-scrollbars",
            "--mute-audio",
            "--font-render-hinting=none",
            "about:blank",
        ]
        # Descriptors 3 and 4 of the browser, as --remote-debugging-pipe expects them.
        wrapper = (
            f"exec 3<&{to_chrome_r} 4>&{from_chrome_w} {to_chrome_r}<&- {from_chrome_w}>&-; "
            'exec "$@"'
        )
        self.proc = subprocess.Popen(
            ["bash", "-c", wrapper, "bash", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(to_chrome_r, from_chrome_w),
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._next = 0
        self._lock = threading.Condition()
        self._answers: dict[int, dict[str, Any]] = {}
        self._events: list[dict[str, Any]] = []
        self._closed = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.call("Browser.getVersion")

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_chrome, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                with self._lock:
                    self._closed = True
                    self._lock.notify_all()
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._lock:
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._answers[message["id"]] = message
                    else:
                        self._events.append(message)
                self._lock.notify_all()

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and wait (at most :data:`TIMEOUT`) for its answer."""
        with self._lock:
            self._next += 1
            ident = self._next
        message: dict[str, Any] = {"id": ident, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self._to_chrome, json.dumps(message).encode("utf-8") + b"\0")
        deadline = time.monotonic() + TIMEOUT
        with self._lock:
            while ident not in self._answers:
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise BrowserError(f"{method}: no answer from the browser")
                self._lock.wait(left)
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        result: dict[str, Any] = answer.get("result", {})
        return result

    def wait_event(self, method: str, session: str, since: int) -> dict[str, Any]:
        """The first event ``method`` of ``session`` after the ``since``-th event."""
        deadline = time.monotonic() + TIMEOUT
        with self._lock:
            while True:
                for event in self._events[since:]:
                    if event.get("method") == method and event.get("sessionId") == session:
                        return event
                left = deadline - time.monotonic()
                if self._closed or left <= 0:
                    raise BrowserError(f"no {method} from the browser")
                self._lock.wait(left)

    def events(self, session: str, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._events[since:] if e.get("sessionId") == session]

    def event_count(self) -> int:
        with self._lock:
            return len(self._events)

    def open(self, path: Path, width: int, height: int, fragment: str = "") -> Page:
        """``path`` (and ``#fragment``) loaded in a new tab of ``width`` x ``height`` CSS
        pixels, offline."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        start = self.event_count()
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session)
        self.call(
            "Network.emulateNetworkConditions",
            session,
            offline=True,
            latency=0,
            downloadThroughput=0,
            uploadThroughput=0,
        )
        self.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        url = path.resolve().as_uri() + (f"#{fragment}" if fragment else "")
        before = self.event_count()
        self.call("Page.navigate", session, url=url)
        self.wait_event("Page.loadEventFired", session, before)
        return Page(self, session, target, url, start, width)

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                with contextlib.suppress(BrowserError):
                    self.call("Browser.close")
            try:
                self.proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=TIMEOUT)
        finally:
            os.close(self._to_chrome)
            self._reader.join(timeout=TIMEOUT)
            os.close(self._from_chrome)
            shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    """A loaded page: what it logged and requested, its text, a screenshot."""

    def __init__(
        self, browser: Browser, session: str, target: str, url: str, start: int, width: int
    ) -> None:
        self.browser, self.session, self.target, self.url = browser, session, target, url
        self.start, self.width = start, width

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (the page itself runs none)."""
        answer = self.browser.call(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in answer:
            raise BrowserError(f"{expression[:60]}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries, as text."""
        found = []
        for event in self.browser.events(self.session, self.start):
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(json.dumps(params.get("args")))
            elif method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(json.dumps(params["entry"]))
        return found

    def requests(self) -> list[str]:
        """Every URL the page asked for, the page itself left out."""
        urls = []
        for event in self.browser.events(self.session, self.start):
            if event.get("method") == "Network.requestWillBeSent":
                url = event["params"]["request"]["url"]
                if url != self.url.partition("#")[0]:
                    urls.append(url)
        return urls

    def text(self) -> str:
        return str(self.evaluate("document.body.innerText"))

    def overflows(self) -> bool:
        """Whether the page is wider than the window (a sideways scroll on a phone)."""
        return bool(self.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"))

    def screenshot(self, path: Path, max_height: int = 6000) -> Path:
        """The whole page (at most ``max_height`` pixels tall) as a PNG file."""
        metrics = self.browser.call("Page.getLayoutMetrics", self.session)
        size = metrics["cssContentSize"]
        clip = {
            "x": 0,
            "y": 0,
            "width": size["width"],
            "height": min(size["height"], max_height),
            "scale": 1,
        }
        shot = self.browser.call(
            "Page.captureScreenshot",
            self.session,
            format="png",
            captureBeyondViewport=True,
            clip=clip,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def screenshot_of(self, selector: str, path: Path) -> Path:
        """The element ``selector`` names, alone, as a PNG file."""
        box = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)})"
            ".getBoundingClientRect(); return [r.left + window.scrollX, r.top + window.scrollY,"
            " r.width, r.height]; })()"
        )
        x, y, width, height = box
        clip = {"x": x, "y": y, "width": width, "height": height, "scale": 1}
        shot = self.browser.call(
            "Page.captureScreenshot",
            self.session,
            format="png",
            captureBeyondViewport=True,
            clip=clip,
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    def close(self) -> None:
        self.browser.call("Target.closeTarget", targetId=self.target)


@contextmanager
def opened(
    browser: Browser, path: Path, size: tuple[int, int], fragment: str = ""
) -> Iterator[Page]:
    page = browser.open(path, *size, fragment)
    try:
        yield page
    finally:
        page.close()
