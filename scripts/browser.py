"""Headless Chromium for the site: the browser test and the README screenshot.

Takes Debian's ``/usr/bin/chromium`` and ``/usr/bin/chromedriver`` (``apt-get
install chromium chromium-driver``; nothing here downloads a browser, and
Selenium Manager is never asked to) and returns a selenium driver started
with a fresh profile and no background networking. :func:`screenshot`
writes a PNG of an article page with one quote selected
(``python -m scripts site --screenshot docs/site-article.png``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from scripts.errors import BuildError

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER_PATHS = ("/usr/bin/chromedriver",)
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage")
WINDOW = (1400, 1000)


def _first(paths: tuple[str, ...]) -> str | None:
    return next((path for path in paths if Path(path).is_file()), None)


def missing_browser() -> str | None:
    """Why the browser cannot start (None when Chromium and its driver are installed)."""
    if _first(CHROMIUM_PATHS) is None:
        return f"Chromium not found at {' or '.join(CHROMIUM_PATHS)} (apt-get install chromium chromium-driver)"
    if _first(CHROMEDRIVER_PATHS) is None:
        return f"chromedriver not found at {' or '.join(CHROMEDRIVER_PATHS)} (apt-get install chromium-driver)"
    return None


def chromium_driver(profile_dir: Path) -> Any:
    """A headless Chromium driven by selenium, with the console log readable (``get_log('browser')``)."""
    reason = missing_browser()
    if reason:
        raise BuildError(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(_first(CHROMIUM_PATHS))
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=str(_first(CHROMEDRIVER_PATHS))), options=options)


def screenshot(page: Path, out: Path, select: str | None = None) -> Path:
    """A PNG of ``page`` opened from disk, after clicking the element with the id ``select``."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    try:
        driver = chromium_driver(profile)
        try:
            driver.get(page.resolve().as_uri())
            if select:
                driver.execute_script("document.getElementById(arguments[0]).click();", select)
            out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(out))
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return out
