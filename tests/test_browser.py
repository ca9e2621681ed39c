"""End to end: `cptnlp app` on a free localhost port, driven by headless Chromium; saves the docs screenshots."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "docs" / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed")
    port = _free_port()
    db = tmp_path_factory.mktemp("reviews") / "reviews.sqlite3"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cptnlp.cli", "app", "--port", str(port), "--reviews-db", str(db)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"app did not start: {proc.stderr.read().decode(errors='replace')[-2000:] if proc.stderr else ''}"
                )
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _example_note() -> str:
    """A shipped 45-minute note billed 90837 (caseload c10), or a written one."""
    caseload = ROOT / "examples" / "caseload.jsonl"
    if caseload.is_file():
        for line in caseload.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec.get("id") == "c10":
                return rec["text"]
    return (
        "Session 10:00-10:45.\nClient with GAD (F41.1) reports worry 3-4 hours a day, poor sleep; missed work twice.\n"
        "Denies SI/HI. Cognitive restructuring used; client identified two worries to postpone.\n"
        "Plan: worry log, next session 3/19.\nDana Ruiz, LCSW"
    )


def _settle(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_timeout(300)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.wait_for_timeout(500)


def test_browser_check_review_dashboard_rules(app_url: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1500})
            page.goto(app_url)
            expect(page.get_by_role("heading", name="Check a note")).to_be_visible(timeout=30_000)
            page.get_by_label("Note text").fill(_example_note())
            page.get_by_label("Note text").blur()
            ms = page.get_by_test_id("stMultiSelect").first
            ms.click()
            page.get_by_role("option").filter(has_text="90837:").first.click()
            page.keyboard.press("Escape")
            page.get_by_role("button", name="Check", exact=True).click()
            mark = page.locator("mark.ev").first
            expect(mark).to_be_visible(timeout=15_000)
            expect(page.locator("mark.ev-intervention").first).to_be_visible()
            expect(page.get_by_test_id("stMetricValue").filter(has_text="90834")).to_be_visible()
            expect(page.get_by_text("time.code_mismatch").first).to_be_visible()
            _settle(page)
            page.screenshot(path=str(SHOTS / "check.png"), full_page=True)

            page.set_viewport_size({"width": 1400, "height": 2300})
            page.get_by_role("link", name="Review notes").click()
            expect(page.get_by_role("heading", name="Review notes")).to_be_visible(timeout=15_000)
            page.get_by_role("button", name="Load the sample caseload (30 notes)").click()
            expect(page.get_by_text("Loaded caseload.jsonl")).to_be_visible(timeout=30_000)
            expect(page.locator("mark.ev").first).to_be_visible(timeout=15_000)
            _settle(page)
            page.screenshot(path=str(SHOTS / "review.png"), full_page=True)

            page.set_viewport_size({"width": 1400, "height": 1600})
            page.get_by_role("link", name="Dashboard").click()
            expect(page.get_by_role("heading", name="Dashboard")).to_be_visible(timeout=15_000)
            page.get_by_label("…or a fee table path").fill(str(ROOT / "examples" / "fees.csv"))
            page.keyboard.press("Enter")
            expect(page.get_by_text("At risk: notes with errors")).to_be_visible(timeout=15_000)
            _settle(page)
            page.wait_for_timeout(1000)  # charts draw after the run
            page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)

            page.set_viewport_size({"width": 1400, "height": 1400})
            page.get_by_role("link", name="Rules").click()
            expect(page.get_by_role("heading", name="Rules")).to_be_visible(timeout=15_000)
            _settle(page)
            page.wait_for_timeout(800)
            page.screenshot(path=str(SHOTS / "rules.png"), full_page=True)
        finally:
            browser.close()
