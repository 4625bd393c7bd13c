"""Debian's Chromium, driven by Playwright for Python.

Playwright rather than Selenium: it waits on conditions by itself (visible,
enabled, focused…), isolates sessions cheaply (one context per person of the
journey: two parents, a director, a finance agent), and handles uploads and
downloads headless without a driver in between. It launches the browser
Debian installed (``executable_path``); ``playwright install`` is never run,
and Playwright's own driver comes inside its PyPI wheel.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from .server import ARTIFACTS_DIR

CHROMIUM = shutil.which("chromium") or next((p for p in ("/usr/bin/chromium",) if Path(p).exists()), None)
SCREENSHOTS_DIR = ARTIFACTS_DIR / "screenshots"

# Root in a container, no GPU, no display, no network but the app's.
# Playwright adds --headless itself (``headless=True``) and gives every launch
# a fresh temporary --user-data-dir, removed when the browser closes.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
]

ACTION_TIMEOUT_MS = int(os.environ.get("E2E_ACTION_TIMEOUT_MS", "15000"))  # one click or one page load, on a busy CI machine

# A modest Android phone of the kind most families use, and a laptop.
VIEWPORTS = {
    "telephone": {
        "viewport": {"width": 360, "height": 780},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "ordinateur": {"viewport": {"width": 1280, "height": 800}},
}


def screenshot(page, name: str, *, full_page: bool = True) -> Path:
    """Save what ``page`` shows as ``tests/artifacts/screenshots/<name>.png``."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS_DIR / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name).strip('-')}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
