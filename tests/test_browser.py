"""Chapter 1 in a real browser: the explorer's sliders work and an exercise gives its verdict.

nbval runs the notebooks without a front end, so a widget can pass it and still
be broken where learners meet it.  Here JupyterLab runs on a temporary copy of
notebooks/ (it autosaves) and Debian's chromium, driven by playwright, opens the
learner copy of chapter 1, runs all cells, moves the x1 slider with the keyboard
and checks that the value of f, the trace table and the plot follow; then it
answers the first exercise wrongly (a hint shows) and rightly (the verdict says so).

Without chromium the test is skipped with the reason, except under CI (CI=true),
where a missing browser is a failure. Screenshots go to screenshots/ (ignored by git).
"""

import json
import logging
import math
import re
import shutil
import time
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM_ARGS,
    cell_metadata,
    cell_source,
    find_chromium,
    missing,
    numbers_in,
    open_notebook,
    run_all,
    run_cell,
    start_lab,
    stop_lab,
    type_into_cell,
)

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHAPTER = "01-the-running-example.ipynb"
SCREENSHOTS = ROOT / "screenshots"
log = logging.getLogger(__name__)


def f(x1, x2):
    """The running example, written out independently of the package."""
    return x1 * x2 + math.sin(x1)


@pytest.fixture(scope="module")
def chromium():
    path = find_chromium()
    if path is None:
        missing("chromium is not installed")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("playwright is not installed (it comes with the test extra)")
    return path


@pytest.fixture(scope="module")
def lab(chromium, tmp_path_factory):
    """JupyterLab on a temporary copy of notebooks/, stopped by its process id afterwards."""
    assert (NOTEBOOKS / CHAPTER).exists(), f"notebooks/{CHAPTER} is missing"
    work = tmp_path_factory.mktemp("lab")
    course = work / "course"
    shutil.copytree(
        NOTEBOOKS, course / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints")
    )
    started = time.monotonic()
    server = start_lab(course, work)
    log.info("JupyterLab answered after %.1f s", time.monotonic() - started)
    try:
        yield server
    finally:
        stop_lab(server)
    assert server.process.poll() is not None, "JupyterLab is still running"


@pytest.fixture(scope="module")
def page(chromium, lab):
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1300})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


@pytest.fixture(scope="module")
def chapter(page, lab):
    """Chapter 1's learner copy, open with every cell run."""
    started = time.monotonic()
    open_notebook(page, lab, f"notebooks/{CHAPTER}")
    opened = time.monotonic()
    run_all(page)
    log.info(
        "kernel idle %.1f s after opening; run all took %.1f s",
        opened - started,
        time.monotonic() - opened,
    )
    return page


def slider(page, name):
    """The ipywidgets slider whose description is exactly ``name``."""
    label = page.locator(".widget-label", has_text=re.compile(rf"^\s*{name}\s*$"))
    return page.locator(".widget-slider").filter(has=label)


def readout(page, name):
    (value,) = numbers_in(slider(page, name).first.locator(".widget-readout").inner_text())
    return value


EXPLORER_STATE = """async root => {
  const images = [...root.querySelectorAll('img')];
  const tables = [...root.querySelectorAll('table')];
  if (!tables.length || !images.length
      || !images.every(img => img.complete && img.naturalWidth > 0)) return null;
  const digest = async img => {
    const bytes = await (await fetch(img.src)).arrayBuffer();
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
    return [...hash].map(b => b.toString(16).padStart(2, '0')).join('');
  };
  return {
    text: root.innerText,
    table: tables.map(t => t.innerText).join('\\n'),
    plot: await Promise.all(images.map(digest)),
  };
}"""


def explorer_state(page, root, timeout=15.0):
    """What the explorer shows once its pictures are loaded: text, table text, picture hashes.

    The pictures are compared by their bytes (image widgets get a new blob address on
    every change, even when the picture is the same).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate(EXPLORER_STATE, root.element_handle())
        if state is not None:
            return state
        page.wait_for_timeout(100)
    raise AssertionError("the explorer shows no table or no loaded picture")


def wait_for_change(page, root, before, timeout=15.0):
    """The explorer's state once its text, its table and each of its pictures differ from
    ``before`` (they are redrawn one after the other), or at timeout: the assertions then
    say what did not change."""
    deadline = time.monotonic() + timeout
    while True:
        state = explorer_state(page, root)
        changed = (
            state["text"] != before["text"]
            and state["table"] != before["table"]
            and len(state["plot"]) == len(before["plot"])
            and all(new != old for new, old in zip(state["plot"], before["plot"]))
        )
        if changed or time.monotonic() > deadline:
            return state
        page.wait_for_timeout(100)


def shows_value(text, expected):
    """True when ``text`` shows ``expected`` to the digits it prints (3 at least)."""
    for shown in re.findall(r"[-−]?\d+\.\d{3,}", text):
        digits = len(shown.split(".")[1])
        if abs(float(shown.replace("−", "-")) - expected) <= 0.6 * 10.0**-digits:
            return True
    return False


def test_explorer_sliders_move_f_table_and_plot(chapter):
    page = chapter
    x1, x2 = slider(page, "x1"), slider(page, "x2")
    x1.first.wait_for(state="visible", timeout=15_000)
    x2.first.wait_for(state="visible", timeout=15_000)
    assert x1.count() >= 1
    assert x2.count() >= 1

    # the explorer: the output that holds the sliders
    root = page.locator(".jp-OutputArea-output").filter(has=x1.first).first
    root.scroll_into_view_if_needed()
    before = explorer_state(page, root)
    a1, a2 = readout(page, "x1"), readout(page, "x2")
    assert shows_value(before["table"], f(a1, a2)), (a1, a2, before["table"])
    page.screenshot(path=SCREENSHOTS / "chapter1-explorer.png")
    root.screenshot(path=SCREENSHOTS / "explorer.png")

    started = time.monotonic()
    x1.first.locator(".noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    after = wait_for_change(page, root, before)
    b1, b2 = readout(page, "x1"), readout(page, "x2")
    log.info("x1 %s -> %s; explorer redrawn in %.1f s", a1, b1, time.monotonic() - started)
    page.screenshot(path=SCREENSHOTS / "chapter1-explorer-moved.png")

    assert b1 > a1, "ArrowRight did not increase x1"
    assert b2 == a2, "x2 moved although only x1 was touched"
    assert shows_value(after["table"], f(b1, b2)), (b1, b2, after["table"])
    assert not shows_value(after["table"], f(a1, a2)), "the old value of f is still shown"
    assert after["table"] != before["table"], "the trace table did not change"
    assert len(after["plot"]) == len(before["plot"])
    unchanged = [k for k, (new, old) in enumerate(zip(after["plot"], before["plot"])) if new == old]
    assert unchanged == [], "pictures that did not change"


def is_answer(nbgrader):
    """Whether a cell's nbgrader metadata makes it an answer ("solution") cell."""
    return bool(nbgrader and nbgrader.get("solution"))


def first_answer(cells):
    """Index of the first answer cell, given every cell's nbgrader metadata."""
    index = next((i for i, meta in enumerate(cells) if is_answer(meta)), None)
    assert index is not None, "no answer cell (nbgrader solution cell)"
    below = cells[index + 1] or {}
    assert below.get("grade"), "no checker cell below the answer"
    return index


def solution_source():
    """Source of the first answer cell in the solution copy of chapter 1."""
    nb = json.loads((NOTEBOOKS / "solutions" / CHAPTER).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if is_answer(cell.get("metadata", {}).get("nbgrader")):
            source = cell["source"]
            return "".join(source) if isinstance(source, list) else source
    raise AssertionError(f"no answer cell in solutions/{CHAPTER}")


MARKER = re.compile(r"^\s*#+ (BEGIN|END) SOLUTION\s*$")


def solved_lines(lines):
    """Indices of the solved code: the lines between nbgrader's BEGIN and END SOLUTION."""
    marked, inside = [], False
    for k, line in enumerate(lines):
        if MARKER.match(line):
            inside = MARKER.match(line).group(1) == "BEGIN"
        elif inside:
            marked.append(k)
    return marked


def wrong_answer(solution):
    """The solution with the first number of its solved code changed: a plausible wrong answer."""
    lines = solution.splitlines()
    for k in solved_lines(lines) or range(len(lines)):
        code = lines[k].split("#", 1)[0]
        match = re.search(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", code)
        if match and not code.lstrip().startswith(("from ", "import ")):
            number = match.group(0)
            changed = str(float(number) + 1.5) if "." in number else str(int(number) + 3)
            lines[k] = lines[k][: match.start()] + changed + lines[k][match.end() :]
            return "\n".join(lines)
    raise AssertionError(f"no number to change in the solution:\n{solution}")


def unmarked(source):
    """What a learner would type: the source without the solution markers."""
    return "\n".join(line for line in source.splitlines() if not MARKER.match(line))


def test_exercise_gives_a_hint_then_a_verdict(chapter):
    page = chapter
    # the learner answers in the answer cell; the locked checker cell below prints the verdict
    index = first_answer(cell_metadata(page, "nbgrader"))
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index + 1)
    cell.scroll_into_view_if_needed()
    untouched = "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())
    assert "Not attempted" in untouched, untouched

    marked = solution_source()
    right, wrong = unmarked(marked), unmarked(wrong_answer(marked))
    type_into_cell(page, index, wrong)
    assert cell_source(page, index) == wrong
    run_cell(page, index)
    shown = run_cell(page, index + 1)
    cell.screenshot(path=SCREENSHOTS / "chapter1-exercise-hint.png")
    assert "Not yet" in shown, shown
    assert re.search(r"^\s*Hint:", shown, re.MULTILINE), shown
    assert "Correct" not in shown, shown

    type_into_cell(page, index, right)
    assert cell_source(page, index) == right
    run_cell(page, index)
    shown = run_cell(page, index + 1)
    cell.screenshot(path=SCREENSHOTS / "chapter1-exercise-correct.png")
    assert "Correct" in shown, shown
    assert "Hint:" not in shown, shown
    assert "Not yet" not in shown, shown


def test_a_missing_browser_skips_on_a_laptop_and_fails_under_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="chromium"):
        missing("chromium is not installed")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        missing("chromium is not installed")
