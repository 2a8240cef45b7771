"""Screenshots of the pages issue 18 changed, at 1280 px (a desktop) and 375 px (a phone).

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

Starts `safehold demo` in a throwaway data folder on a free port, with no SAFEHOLD_ or
DJANGO_ settings from this shell, waits for /healthz, then signs in as the demo's staff
in Debian's Chromium (Playwright) and saves `<page>-1280.png` and `<page>-375.png` for
each page: full-page, cut off at 2400 px and saved in 256 colours so the files stay
small. Cases are found as a person would find them, by following the links on the pages,
never by a fixed reference. The demo's people are invented. The server is stopped whatever happens.

A tool for docs/getting-started.md, not a test: it fails loudly when a page it expects
is missing or shows an error, so that no error page is ever committed as a screenshot."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Locator, Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WIDTHS = (1280, 375)
HEIGHT = 800
TALLEST = 2400
# The headings of the pages Safehold answers with when something is wrong.
ERROR_HEADINGS = (
    "You cannot do that",
    "Page not found",
    "Sorry, there is a problem with the service",
)
CLI = [sys.executable, "-c", "import sys; from safehold.cli import main; sys.exit(main())"]


class ScreenshotError(Exception):
    """A page the script expected was not there, or showed an error."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="safehold-screenshots-") as data_dir:
        env = clean_environment(Path(data_dir))
        with demo_server(env, Path(data_dir)) as (base, password):
            camera = Camera(out)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    take_all(browser, Demo(base, password, env), camera)
                finally:
                    browser.close()
    print(f"{len(camera.taken)} screenshots in {out}:")
    for name in camera.taken:
        print(f"  {name}")
    return 0


def clean_environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAFEHOLD_", "DJANGO_"))}
    env.pop("DATABASE_URL", None)
    env["SAFEHOLD_DATA_DIR"] = str(data_dir)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def demo_server(env: dict[str, str], data_dir: Path) -> Iterator[tuple[str, str]]:
    """`safehold demo` serving on a free port; yields its address and the demo password
    it printed, then stops it."""
    port = free_port()
    log_path = data_dir / "demo.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - this Python running Safehold's own CLI
            [*CLI, "demo", "--port", str(port), "--workers", "1"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for_health(f"{base}/healthz", server, log_path)
            found = re.search(r"Every demo password is: (\S+)", log_path.read_text())
            if not found:
                raise ScreenshotError("the demo did not say its password")
            yield base, found.group(1)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()


def wait_for_health(url: str, server: subprocess.Popen[bytes], log_path: Path) -> None:
    # The demo loads its 200 cases before it serves; on a busy machine that takes minutes.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ScreenshotError(
                f"the demo exited ({server.returncode}) before it served:\n"
                + log_path.read_text()[-3000:]
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - localhost
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise ScreenshotError(f"{url} never answered:\n" + log_path.read_text()[-3000:])


class Camera:
    """Saves each page at both widths, after checking it is the page meant."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: list[str] = []

    def shoot(self, page: Page, name: str, heading: str) -> None:
        h1 = page.get_by_role("heading", level=1).first
        text = " ".join(h1.inner_text().split())
        if any(text.startswith(error) for error in ERROR_HEADINGS) or heading not in text:
            raise ScreenshotError(f"{name}: {page.url} shows {text!r}, not {heading!r}")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            tall = int(page.evaluate("document.documentElement.scrollHeight"))
            path = self.out / f"{name}-{width}.png"
            page.screenshot(
                path=str(path),
                full_page=True,
                clip={"x": 0, "y": 0, "width": width, "height": min(tall, TALLEST)},
            )
            smaller(path)
            self.taken.append(path.name)
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})


@dataclass(frozen=True)
class Demo:
    base: str
    password: str
    env: dict[str, str]


def smaller(path: Path) -> None:
    """The screenshot in 256 colours, undithered: GOV.UK pages use few colours, so it
    looks the same at about a third of the size."""
    with Image.open(path) as shot:
        fewer = shot.convert("RGB").quantize(
            colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
    fewer.save(path, optimize=True)


def take_all(browser: Browser, demo: Demo, camera: Camera) -> None:
    base = demo.base
    anonymous(browser, base, camera)
    officer(signed_in(browser, demo, "amira.officer"), base, camera)
    manager(signed_in(browser, demo, "grace.manager"), base, camera)
    # The auditor reads the trail of the closed case the director opened: months of the
    # demo's work, rather than the officer's clicks of a minute ago.
    closed = director(signed_in(browser, demo, "helen.director"), base, camera)
    auditor(signed_in(browser, demo, "martin.auditor"), base, camera, closed)
    admin(signed_in(browser, demo, "sam.admin"), base, camera)


def new_page(browser: Browser) -> Page:
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
    return context.new_page()


def signed_in(browser: Browser, demo: Demo, username: str) -> Page:
    """A page signed in as a demo account, with the code `safehold demo-code` prints."""
    page = new_page(browser)
    page.goto(f"{demo.base}/sign-in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo.password)
    page.get_by_role("button", name="Continue").click()
    code = subprocess.run(  # noqa: S603 - this Python running Safehold's own CLI
        [*CLI, "demo-code", username],
        env=demo.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("signed-in-as").wait_for()
    return page


def follow(page: Page, base: str, link: Locator) -> None:
    """Goes where a link points (a GOV.UK task list's row covers its own link)."""
    href = link.first.get_attribute("href")
    if not href:
        raise ScreenshotError(f"{page.url}: the link has no address")
    page.goto(href if href.startswith("http") else base + href)


def nav(page: Page, base: str, name: str) -> None:
    follow(page, base, page.get_by_role("navigation", name="Menu").get_by_role("link", name=name))


def anonymous(browser: Browser, base: str, camera: Camera) -> None:
    page = new_page(browser)
    page.goto(f"{base}/sign-in")
    camera.shoot(page, "sign-in", "Sign in to Safehold")
    page.get_by_role("button", name="Continue").click()
    camera.shoot(page, "sign-in-errors", "Sign in to Safehold")
    page.context.close()


def officer(page: Page, base: str, camera: Camera) -> None:
    """An officer's day: home, queues, the case list, search, and a high-risk case with
    everything done from it."""
    page.goto(f"{base}/")
    camera.shoot(page, "home-officer", "Hello, Amira")
    follow(page, base, page.get_by_role("link", name="Reviews due"))
    camera.shoot(page, "queue-reviews", "Reviews")
    page.goto(f"{base}/")
    follow(page, base, page.get_by_role("link", name="Awaiting first contact"))
    camera.shoot(page, "queue-first-contact", "first contact")

    nav(page, base, "Cases")
    camera.shoot(page, "case-list", "Cases")
    surname, reference = high_risk_case(page, base)

    page.goto(f"{base}/")
    follow(page, base, page.get_by_role("link", name="Find a case"))
    page.get_by_label(re.compile(r"^Survivor's name")).fill(surname)
    page.get_by_role("button", name="Search").click()
    camera.shoot(page, "search-results", "")
    results = page.get_by_role("link", name=reference, exact=True)
    if not results.count():
        raise ScreenshotError(f"searching for {surname!r} did not find {reference}")

    follow(page, base, results)
    case_url = page.url
    camera.shoot(page, "case", reference)
    follow(page, base, page.get_by_role("link", name=re.compile(r"^Chronology")))
    camera.shoot(page, "chronology", "")

    page.goto(case_url)
    follow(page, base, page.get_by_role("link", name=re.compile(r"^High risk \(")))
    camera.shoot(page, "risk-result", "Risk")
    refer = page.get_by_role("link", name="Refer to MARAC")
    if refer.count():
        follow(page, base, refer)
    else:  # the demo refers its high-risk cases already: the case page's link, MARAC chosen
        page.goto(case_url)
        follow(page, base, page.get_by_role("link", name="Make a referral"))
        page.get_by_label("Agency", exact=True).select_option(value="marac")
    camera.shoot(page, "marac-referral", "referral")

    page.goto(case_url)
    follow(page, base, page.get_by_role("link", name="Record a review"))
    camera.shoot(page, "review-form", "review")
    page.goto(case_url)
    follow(page, base, page.get_by_role("link", name="Add an action"))
    camera.shoot(page, "action-form", "action")
    page.goto(case_url)
    follow(page, base, page.get_by_role("link", name="Change the survivor's name"))
    camera.shoot(page, "person-edit", "Change")

    dash(page, base, case_url, camera)


def high_risk_case(page: Page, base: str) -> tuple[str, str]:
    """The survivor's surname and the reference of a high-risk case on the case list,
    preferring one whose risk result still recommends a MARAC referral."""
    rows = page.get_by_role("row").filter(has_text="High risk")
    found: list[tuple[str, str, str]] = []
    for row in rows.all()[:10]:
        link = row.get_by_role("link", name=re.compile(r"^DA-")).first
        name = row.get_by_role("cell").first.inner_text().split("\n")[0]
        found.append(
            (name.split()[-1], link.inner_text().strip(), link.get_attribute("href") or "")
        )
    if not found:
        raise ScreenshotError("the officer's case list shows no high-risk case")
    for surname, reference, href in found:
        page.goto(base + href)
        follow(page, base, page.get_by_role("link", name=re.compile(r"^High risk \(")))
        if page.get_by_role("link", name="Refer to MARAC").count():
            return surname, reference
    return found[0][0], found[0][1]


def dash(page: Page, base: str, case_url: str, camera: Camera) -> None:
    """Starts a DASH on the case (in the throwaway demo) and answers each section (the
    first three questions Yes, the rest No) through to the finish page."""
    page.goto(case_url)
    follow(page, base, page.get_by_role("link", name="Assess risk again"))
    page.get_by_role("button", name="Start").click()
    answer_section(page, yes=3)
    camera.shoot(page, "dash-section", "")
    for _ in range(10):
        page.get_by_role("button", name="Save and continue").click()
        if page.get_by_role("heading", level=1, name="Finish the assessment").count():
            break
        answer_section(page, yes=0)
    camera.shoot(page, "dash-finish", "Finish the assessment")


def answer_section(page: Page, *, yes: int) -> None:
    questions = page.locator("main fieldset").filter(has=page.get_by_label("No", exact=True))
    for number, question in enumerate(questions.all()):
        question.get_by_label("Yes" if number < yes else "No", exact=True).check()


def manager(page: Page, base: str, camera: Camera) -> None:
    page.goto(f"{base}/")
    camera.shoot(page, "home-manager", "Hello, Grace")
    nav(page, base, "Risk")
    camera.shoot(page, "risk-list", "")


def director(page: Page, base: str, camera: Camera) -> str:
    """The MARAC list, and the evaluation of the first closed case waiting for one;
    returns that case's reference."""
    nav(page, base, "MARAC")  # shown to those who may see MARAC referrals
    camera.shoot(page, "marac-list", "")
    page.goto(f"{base}/")
    follow(page, base, page.get_by_role("link", name="Closed cases to evaluate"))
    first = page.get_by_test_id("queue").get_by_role("link", name=re.compile(r"^DA-"))
    if not first.count():
        raise ScreenshotError("the demo has no closed case waiting for an evaluation")
    reference = first.first.inner_text().strip()
    follow(page, base, first)
    camera.shoot(page, "closure-evaluation", "")
    return reference


def auditor(page: Page, base: str, camera: Camera, reference: str) -> None:
    nav(page, base, "Audit")
    page.get_by_label("Case reference").fill(reference)
    page.get_by_role("button", name="Show the audit trail").click()
    camera.shoot(page, "audit-trail", "Who has seen this case")


def admin(page: Page, base: str, camera: Camera) -> None:
    nav(page, base, "Staff accounts")
    camera.shoot(page, "staff", "")
    staff = page.url
    follow(page, base, page.get_by_role("button", name="Add a staff account"))
    camera.shoot(page, "staff-new", "")
    page.goto(staff)
    follow(page, base, page.get_by_role("button", name="Teams"))
    camera.shoot(page, "teams", "Teams")


if __name__ == "__main__":
    sys.exit(main())
