"""The course's website: built from a clean copy of the repository, read in chromium.

``make site`` runs on a copy of the files git knows (nothing ignored, no earlier build),
with warnings as errors. The site is then served from 127.0.0.1 and Debian's chromium
opens the home page and chapters 1, 2 and 3 (whatever their names). On each page: no
request fails or leaves the site (MathJax and every other file are served with it), the
math is typeset by MathJax (its output elements are there, no ``$$`` is left), every
picture has loaded, every link within the site leads to a page (and anchor) that exists,
each explorer cell shows its still, and no solution of the solution copies shows.

Like the browser test: without chromium it is skipped, except under CI=true.
Screenshots go to screenshots/site-*.png (ignored by git).
"""

import functools
import http.server
import json
import logging
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlparse
from urllib.request import urlopen

import pytest
from browser_support import CHROMIUM_ARGS, find_chromium, missing

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "screenshots"
log = logging.getLogger(__name__)


def learner_copies():
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


CHAPTERS = [path for path in learner_copies() if path.name[:2] in {"01", "02", "03"}]
EXPLORER_CALL = re.compile(r"\bexplore\w*\s*\(")


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def explorer_count(path):
    """Explorer cells of a notebook, by the markers the notebooks' rules give them."""
    count = 0
    for cell in cells(path):
        tags = cell["metadata"].get("tags", [])
        reason = cell["metadata"].get("adlearn", {}).get("reason")
        source = "".join(cell["source"])
        if "nbval-ignore-output" in tags and reason and EXPLORER_CALL.search(source):
            count += 1
    return count


def solution_lines(name):
    """Lines of solved code in the solution copy of chapter ``name`` that its learner copy
    does not have (long enough to be telling), with their solution markers taken off."""
    learner = {
        line.strip()
        for cell in cells(ROOT / "notebooks" / name)
        for line in "".join(cell["source"]).splitlines()
    }
    found, inside = set(), False
    for cell in cells(ROOT / "notebooks" / "solutions" / name):
        for line in "".join(cell["source"]).splitlines():
            if re.match(r"\s*#+\s*BEGIN SOLUTION", line):
                inside = True
            elif re.match(r"\s*#+\s*END SOLUTION", line):
                inside = False
            elif inside or re.search(r"#\s*SOLUTION\s*$", line):
                code = re.sub(r"#\s*SOLUTION\s*$", "", line).strip()
                if len(code) >= 10 and code not in learner:
                    found.add(code)
        inside = False
    return found


@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    if path is None:
        missing("chromium is not installed", "site test")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """``make site`` on a clean copy of the repository (the files git tracks or would add)."""
    if shutil.which("make") is None or shutil.which("git") is None:
        pytest.fail("make and git are needed to build the site (.ci/run installs make)")
    copy = tmp_path_factory.mktemp("checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    assert not (copy / "build").exists()
    started = time.monotonic()
    # the venv running this test builds it: VENV points make at it, -o keeps make from
    # reinstalling it when the copy's pyproject.toml is newer than its stamp
    venv = Path(sys.prefix)
    built = subprocess.run(
        ["make", "--no-print-directory", "site", f"VENV={venv}", "-o", f"{venv}/.installed"],
        cwd=copy, capture_output=True, text=True, check=False,
    )
    seconds = time.monotonic() - started
    assert built.returncode == 0, f"make site failed:\n{built.stdout[-4000:]}\n{built.stderr[-6000:]}"
    out = copy / "build" / "site"
    files = [path for path in out.rglob("*") if path.is_file() and ".doctrees" not in path.parts]
    size = sum(path.stat().st_size for path in files)
    log.info("make site: %.1f s; %d files, %.1f MB", seconds, len(files), size / 1e6)
    return out


@pytest.fixture(scope="module")
def server(site):
    """The built site over HTTP on 127.0.0.1, as a static host serves it."""
    handler = functools.partial(QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browser(chromium):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("playwright is not installed (it comes with the test extra)", "site test")
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


MATH_DONE = """async () => {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return false;
  await MathJax.startup.promise;
  return true;
}"""

PAGE_STATE = """() => ({
  text: document.body.innerText,
  math: document.querySelectorAll('mjx-container').length,
  mathSource: document.querySelectorAll('.math').length,
  images: [...document.images].map(img => ({src: img.currentSrc || img.src,
    ok: img.complete && img.naturalWidth > 0, cls: img.className})),
  links: [...document.querySelectorAll('a[href]')].map(a => a.href),
  prev: document.querySelector('a.left-prev')?.href ?? null,
  next: document.querySelector('a.right-next')?.href ?? null,
  stills: [...document.querySelectorAll('img.explorer-still')]
    .map(img => img.complete && img.naturalWidth > 0),
  notes: [...document.querySelectorAll('.explorer-note')].map(p => p.innerText),
  code: document.querySelectorAll('div.highlight pre').length,
  copy: document.querySelectorAll('div.highlight button.copybtn').length,
})"""


def visit(browser, url, shot, lands_on=None):
    """Open ``url`` (which may send the browser on to ``lands_on``, a URL pattern); return
    what the page shows and every request that failed or left."""
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    failed, outside, pending = [], [], set()
    origin = urlparse(url).netloc

    def route(request_route):
        if urlparse(request_route.request.url).netloc != origin:
            outside.append(request_route.request.url)
            request_route.abort()
        else:
            request_route.continue_()

    page.route("**/*", route)
    page.on("request", lambda request: pending.add(request))
    page.on("requestfinished", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: pending.discard(request))
    page.on("requestfailed", lambda request: failed.append(f"{request.url}: {request.failure}"))
    page.on(
        "response",
        lambda response: response.status >= 400 and failed.append(f"{response.url}: {response.status}"),
    )
    try:
        page.goto(url, wait_until="load")
        if lands_on:
            page.wait_for_url(lands_on, wait_until="load")
        page.wait_for_function(MATH_DONE, timeout=30_000)
        # every picture, lazy ones too, gets its chance to load
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_function(
            "() => [...document.images].every(img => img.complete)", timeout=30_000
        )
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert not pending, f"requests still open: {[request.url for request in pending]}"
        state = page.evaluate(PAGE_STATE)
        state["url"] = page.url
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=SCREENSHOTS / f"site-{shot}.png")
        still = page.locator(".explorer-still-box").first
        if state["stills"]:
            still.scroll_into_view_if_needed()
            page.screenshot(path=SCREENSHOTS / f"site-{shot}-explorer.png")
    finally:
        page.close()
    return state, failed, [url for url in outside if not url.startswith("data:")]


def check_page(state, failed, outside):
    assert not failed, f"{state['url']}: failed requests: {failed}"
    assert not outside, f"{state['url']}: requests that leave the site: {outside}"
    assert "$$" not in state["text"], f"{state['url']}: untypeset $$ math"
    assert state["math"] > 0, f"{state['url']}: no MathJax output (mjx-container)"
    assert state["math"] >= state["mathSource"], f"{state['url']}: some math not typeset"
    assert state["copy"] == state["code"] > 0, f"{state['url']}: code blocks without a copy button"
    broken = [image["src"] for image in state["images"] if not image["ok"]]
    assert not broken, f"{state['url']}: pictures that did not load: {broken}"


def check_links(state, server):
    """Every link within the site answers 200, and its #anchor exists on the target page."""
    pages = {}
    for href in state["links"]:
        if not href.startswith(server):
            continue
        address, anchor = urldefrag(href)
        if address not in pages:
            with urlopen(address, timeout=10) as response:  # raises on 404
                assert response.status == 200, f"{href}: {response.status}"
                pages[address] = response.read().decode("utf-8", errors="replace")
        if anchor:
            assert f'id="{anchor}"' in pages[address], f"{state['url']}: link to missing {href}"
    return len(pages)


def test_home_page_is_the_chapter_map(browser, server):
    state, failed, outside = visit(browser, server, "home", "**/notebooks/00-start-here.html")
    check_page(state, failed, outside)
    check_links(state, server)
    assert state["url"].endswith("/notebooks/00-start-here.html"), state["url"]
    hrefs = set(state["links"])
    for path in learner_copies()[1:]:
        assert urljoin(state["url"], f"{path.stem}.html") in hrefs, f"no link to {path.name}"
    assert state["next"] == urljoin(state["url"], f"{learner_copies()[1].stem}.html")
    assert state["prev"] is None


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[path.stem for path in CHAPTERS])
def test_chapter_page(browser, server, chapter):
    url = urljoin(server, f"notebooks/{chapter.stem}.html")
    state, failed, outside = visit(browser, url, chapter.stem)
    check_page(state, failed, outside)
    linked = check_links(state, server)
    log.info("%s: %d pages linked, %d pictures", chapter.stem, linked, len(state["images"]))

    # in order, with previous and next
    order = learner_copies()
    k = order.index(chapter)
    assert state["prev"] == urljoin(url, f"{order[k - 1].stem}.html")
    if k + 1 < len(order):
        assert state["next"] == urljoin(url, f"{order[k + 1].stem}.html")

    # the launch button opens this chapter's notebook in JupyterLab on Binder
    binder = [href for href in state["links"] if href.startswith("https://mybinder.org/v2/gh/")]
    assert binder, "no Binder launch button"
    assert all(href.endswith(f"?urlpath=lab/tree/notebooks/{chapter.name}") for href in binder)

    # each explorer shows its still, loaded, with the line about the sliders
    explorers = explorer_count(chapter)
    assert state["stills"] == [True] * explorers, f"stills shown: {state['stills']}"
    assert len(state["notes"]) == explorers
    assert all("JupyterLab" in note and "Binder" in note for note in state["notes"])

    # the exercises, never their solutions
    solutions = solution_lines(chapter.name)
    assert solutions, f"no solved line found in solutions/{chapter.name}: the check is empty"
    text = " ".join(state["text"].split())
    shown = [line for line in solutions if " ".join(line.split()) in text]
    assert not shown, f"solution code on the page: {shown}"
    assert "Not attempted" in text  # an exercise cell's stored verdict is there


def test_the_chapters_tested_have_explorers():
    """The still checks above are not empty: chapters 1-3 have explorers between them."""
    assert len(CHAPTERS) == 3
    assert sum(map(explorer_count, CHAPTERS)) >= 1
