"""Screenshots of the console for the README: the Today page and a client's page of the
sample warehouse, rendered by headless Chromium (as in the browser tests) into docs/.

    .venv/bin/python console/tools/screenshots.py [--out docs]

It makes a sample PHI home in a temporary directory (`lorc init`, the weekly pipeline),
starts `lorc serve` on a free loopback port, signs in through the printed URL and saves
each page at its full height. The sample data is invented.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "console" / "tests"))  # the browser tests' set-up, not copied

from browser import Browser, make_sample_home, open_browser, started_server  # noqa: E402

WIDTH = 1280
CHROME_HEIGHT = 140  # the window holds more than the page: its frame, so no scrollbar shows


def save(browser: Browser, path: str, target: Path) -> None:
    browser.open(path)
    height = int(browser.driver.execute_script("return document.documentElement.scrollHeight"))
    browser.driver.set_window_size(WIDTH, max(height, 600) + CHROME_HEIGHT)
    browser.driver.save_screenshot(str(target))
    print(f"{target} ({path})")


def client_links(browser: Browser) -> list[str]:
    from selenium.webdriver.common.by import By

    found = browser.driver.find_elements(By.CSS_SELECTOR, "a[href^='/clients/']")
    return [str(a.get_attribute("href")).removeprefix(browser.server.base) for a in found]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs")
    out = parser.parse_args().out
    with tempfile.TemporaryDirectory(prefix="console-screenshots-") as base:
        home = make_sample_home(Path(base), failing_job=False)
        with started_server(home) as server, open_browser(server) as browser:
            save(browser, "/", out / "console-today.png")
            links = client_links(browser)  # a flagged client first: one with a course to show
            if not links:
                browser.open("/clients")
                links = client_links(browser)
            if not links:
                sys.exit("the sample warehouse lists no client")
            save(browser, links[0], out / "console-client.png")


if __name__ == "__main__":
    main()
