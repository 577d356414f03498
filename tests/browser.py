"""A real headless browser for the tests: Debian's chromium, driven through its chromedriver.

``needs_chromium`` marks a test (marker ``browser``): it skips on a machine without chromium
and chromedriver, never where CI is set (``make test`` installs both). The session-wide
``browser`` fixture starts one Chromium for every test that asks for it, headless, with a fresh
profile and nothing that reaches the network (this machine's network is closed), and quits it
at the end; ``open_page(browser, path)`` loads a file at a given window size and returns the
errors its scripts logged; ``fits_window(browser)`` tells whether the page needs no horizontal
scrolling.
"""

import os
import shutil
import tempfile

import pytest

BROWSERS = ("chromium", "chromium-browser")
DRIVER = "chromedriver"
FLAGS = ("--headless=new", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-extensions", "--hide-scrollbars")


def chromium():
    """(browser, driver) paths, or None when either is missing."""
    browser = next((path for path in map(shutil.which, BROWSERS) if path), None)
    driver = shutil.which(DRIVER)
    return (browser, driver) if browser and driver else None


_skip = pytest.mark.skipif(chromium() is None and not os.environ.get("CI"),
                           reason="chromium and chromedriver are not installed (CI unset)")


def needs_chromium(test):
    """Mark ``test`` as needing the browser (marker ``browser``), with the skip rule above."""
    return pytest.mark.browser(_skip(test))


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium (a Selenium WebDriver), shared by the session's tests."""
    if os.environ.get("CI"):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    else:
        webdriver = pytest.importorskip("selenium.webdriver")
        from selenium.webdriver.chrome.service import Service
    paths = chromium()
    if paths is None:
        pytest.fail("chromium and chromedriver are needed: apt install chromium chromium-driver")
    binary, driver_path = paths
    profile = tempfile.mkdtemp(prefix="stepgrad-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})   # console messages
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")      # Chromium's sandbox refuses to run as root
    # NOTE: an explicit driver path, so Selenium never looks for (or downloads) one itself.
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(driver, path, width=1280, height=1000):
    """Load the file at ``path`` in a window of ``width`` × ``height`` pixels; returns the
    console's errors from loading it (messages of level SEVERE)."""
    driver.set_window_size(width, height)
    driver.get_log("browser")                     # drop what earlier pages logged
    driver.get(path.resolve().as_uri())
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def fits_window(driver):
    """True when the page is no wider than the window (nothing scrolls sideways)."""
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
