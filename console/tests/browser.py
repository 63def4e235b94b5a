"""The console's end-to-end set-up: a sample PHI home, `lorc serve` as a real process on a
free loopback port, and Debian's headless Chromium driven by Selenium.

Selenium gets the browser and driver paths explicitly and ``SE_OFFLINE=true``, so it never
downloads a browser or a driver; performance logging is on so a test can list every
request a page made, and the browser log shows any Content-Security-Policy violation.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

LORC = str(Path(sys.executable).parent / "lorc")
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
    "--hide-scrollbars",
)
SECRET_SUFFIXES = ("_CLIENT_ID", "_CLIENT_SECRET", "_REFRESH_TOKEN", "_TENANT_ID")
START_TIMEOUT = 60


@dataclass(frozen=True)
class SampleHome:
    root: Path  # the PHI home
    env: dict[str, str]  # the environment of a `lorc` process on it


def clean_environ(home: Path, user_home: Path) -> dict[str, str]:
    kept = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LORC_") and not k.endswith(SECRET_SUFFIXES) and k != "GOOGLE_APPLICATION_CREDENTIALS"
    }
    return {**kept, "LORC_HOME": str(home), "HOME": str(user_home)}


def lorc(home: SampleHome, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([LORC, *args], capture_output=True, text=True, env=home.env, timeout=900, check=False)


def make_sample_home(base: Path, *, failing_job: bool = True) -> SampleHome:
    """The sample profile after the weekly pipeline (its report delivered to the outbox),
    then a job that fails (the example plugin's, whose exception quotes a patient)."""
    if failing_job:
        try:
            metadata.distribution("lorc-example-plugin")
        except metadata.PackageNotFoundError:
            pytest.fail("the console's tests need the example job plugin: run ./dev test", pytrace=False)
    user_home = base / "user-home"
    user_home.mkdir(mode=0o700)
    home = SampleHome(base / "lorc-home", clean_environ(base / "lorc-home", user_home))
    steps: list[tuple[tuple[str, ...], int]] = [(("init",), 0), (("run", "--pipeline", "weekly"), 0)]
    if failing_job:
        steps.append((("run", "example_synthetic_ingest", "--param", "fail=true"), 1))
    for args, wanted in steps:
        done = lorc(home, *args)
        assert done.returncode == wanted, f"lorc {' '.join(args)}: {done.stdout}{done.stderr}"
    return home


@dataclass
class Server:
    start_url: str  # the printed URL with its one-time token
    base: str  # scheme://host:port
    process: subprocess.Popen[str]
    stderr_path: Path
    home: SampleHome

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def started_server(home: SampleHome, *extra: str) -> Iterator[Server]:
    """`lorc serve --port 0 --no-browser` until the block ends; its first stdout line is the URL."""
    stderr_path = home.root.parent / f"serve-{os.getpid()}-{threading.get_ident()}.stderr"
    with open(stderr_path, "w") as stderr:
        process = subprocess.Popen(
            [LORC, "serve", "--port", "0", "--no-browser", *extra],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
            env=home.env,
        )
    try:
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()  # type: ignore[union-attr]
        try:
            start_url = lines.get(timeout=START_TIMEOUT).strip()
        except queue.Empty:
            pytest.fail(f"lorc serve printed no URL: {stderr_path.read_text()}")
        assert start_url, f"lorc serve exited: {stderr_path.read_text()}"
        parts = urlsplit(start_url)
        yield Server(start_url, f"{parts.scheme}://{parts.netloc}", process, stderr_path, home)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Browser:
    driver: Any  # selenium.webdriver.Chrome
    server: Server
    landed_at: str  # where the start URL's redirect ended
    requests: list[str] = field(default_factory=list)  # every URL the pages asked for
    console: list[dict[str, Any]] = field(default_factory=list)  # the browser log

    def open(self, path: str) -> str:
        """Load ``path``; collect its requests and console messages; the page's source."""
        self.driver.get(self.server.url(path))
        self.collect()
        return str(self.driver.page_source)

    def collect(self) -> None:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message.get("method") == "Network.requestWillBeSent":
                self.requests.append(message["params"]["request"]["url"])
        self.console += self.driver.get_log("browser")

    def cookie(self) -> dict[str, Any]:
        from lorc_console.sessions import COOKIE

        found = self.driver.get_cookie(COOKIE)
        assert found is not None, "no session cookie"
        return dict(found)


@contextmanager
def open_browser(server: Server) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (./dev test installs Debian's chromium and chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="console-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    offline = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # no Selenium Manager download, ever
    try:
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    finally:
        if offline is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = offline
    try:
        driver.get(server.start_url)
        browser = Browser(driver, server, landed_at=str(driver.current_url))
        browser.collect()
        yield browser
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
