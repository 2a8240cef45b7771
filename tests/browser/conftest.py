"""Real Chromium (Debian's) driven by Playwright against a live Safehold server, with
axe-core run on every page a test visits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make themselves (creating staff) are ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.extend(console_error(message.type, message.text)))
    # Pages answer 400/403/404 on purpose; a stylesheet, script or image must never fail.
    page.on(
        "response",
        lambda response: errors.extend(
            [f"{response.status} for {response.url}"]
            if response.status >= 400 and response.request.resource_type != "document"
            else []
        ),
    )
    yield page
    context.close()
    assert not errors, f"the page reported errors: {errors}"


def console_error(kind: str, text: str) -> list[str]:
    # "Failed to load resource" repeats a status the response handler already judges.
    if kind != "error" or text.startswith("Failed to load resource"):
        return []
    return [text]


def assert_accessible(page: Page) -> None:
    """Runs axe-core on the page as it is now and fails on any violation."""
    # Evaluated through the DevTools protocol rather than added as a <script>, so the
    # page's own Content-Security-Policy stays in force (and is tested) during the run.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
    ]
    assert not violations, f"{page.url} has accessibility violations:\n" + "\n".join(violations)
