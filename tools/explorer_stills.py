"""Take the still pictures the site shows in place of the explorers.

An explorer needs a live kernel, so the site (``make site``) shows a still of it at
the sliders' starting values. This tool takes those stills as a learner sees them:
JupyterLab on a temporary copy of ``notebooks/``, Debian's chromium (through
playwright), each learner copy run from the top, and a screenshot of each explorer's
output once its pictures have loaded. It writes ``docs/explorers/NN-name-K.png`` (the
K-th explorer of the chapter) and records, in ``docs/explorers/stills.json``, the
source of the cell each still belongs to: the site's build shows no still whose cell
has changed since, and says which chapters need this tool run again.

Why screenshots, taken by a tool and committed, rather than pictures drawn at build
time: a still must show the sliders, the readouts and the trace table, which are
JupyterLab's widgets, not matplotlib figures; taking them needs a kernel, JupyterLab
and a browser (about 10 s a chapter), which the site's build, run on every test and by
the publishing workflow, should not need.

Usage::

    .venv/bin/python tools/explorer_stills.py          # every chapter with explorers
    .venv/bin/python tools/explorer_stills.py 02 03    # only these chapters

Run it after changing an explorer cell (or the explorer's look), then commit the PNGs
and ``stills.json``. Explorer cells are found by their markers (see
``docs/_ext/course_pages.py``): the tag ``nbval-ignore-output``, a reason in
``metadata.adlearn.reason`` and a call of ``explore...(``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
sys.path[:0] = [str(ROOT / "docs" / "_ext"), str(ROOT / "tests")]
# one home for driving JupyterLab in chromium (the browser test's) and for telling an
# explorer cell (the site's build)
import browser_support as lab_driver
from course_pages import MANIFEST, STILLS, is_explorer

VIEWPORT = {"width": 1400, "height": 2600}  # the notebook panel must hold a whole explorer

IMAGES_LOADED = """root => {
  const images = [...root.querySelectorAll('img')];
  // an explorer has controls; its pictures, if it has any, must have loaded
  return images.every(img => img.complete && img.naturalWidth > 0)
    && root.querySelectorAll('.widget-slider, .widget-toggle-buttons').length > 0;
}"""


def explorer_cells(path):
    """Indices and sources of the explorer cells of notebook ``path``, in order."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(notebook["cells"]):
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and is_explorer(cell.get("metadata", {}), source):
            found.append((index, source))
    return found


def chapters(numbers):
    """The learner copies to take stills of: those numbered ``numbers``, or all."""
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    if numbers:
        unknown = set(numbers) - {path.name[:2] for path in paths}
        if unknown:
            raise SystemExit(f"explorer_stills: no chapter numbered {sorted(unknown)}")
        paths = [path for path in paths if path.name[:2] in numbers]
    return paths


def take(page, lab, path, out):
    """Screenshots of the explorers of one chapter; its entries for the manifest."""
    cells = explorer_cells(path)
    if not cells:
        return []
    lab_driver.open_notebook(page, lab, f"notebooks/{path.name}", timeout=300)  # a busy machine
    lab_driver.run_all(page, timeout=300)
    entries = []
    for k, (index, source) in enumerate(cells, start=1):
        cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
        output = cell.locator(".jp-OutputArea-output").first  # the widget, without the prompt
        output.scroll_into_view_if_needed()
        page.wait_for_function(IMAGES_LOADED, arg=output.element_handle(), timeout=120_000)
        page.wait_for_timeout(300)  # let the last picture paint
        image = f"{path.stem}-{k}.png"
        output.screenshot(path=out / image)
        entries.append({"cell": index, "source": source, "image": image})
        print(f"{image}: {source}")
    return entries


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="two-digit chapter numbers (default: all)")
    args = parser.parse_args(argv)
    paths = chapters(args.chapters)
    out = ROOT / STILLS
    out.mkdir(parents=True, exist_ok=True)
    manifest_path = out / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}

    chromium = lab_driver.find_chromium()
    if chromium is None:
        raise SystemExit("explorer_stills: chromium is needed (sudo apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        shutil.copytree(
            NOTEBOOKS,
            work / "course" / "notebooks",
            ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
        )
        lab = lab_driver.start_lab(work / "course", work)
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(
                    executable_path=chromium, headless=True, args=lab_driver.CHROMIUM_ARGS
                )
                page = browser.new_page(viewport=VIEWPORT)
                page.set_default_timeout(30_000)
                for path in paths:
                    for old in out.glob(f"{path.stem}-*.png"):
                        old.unlink()
                    try:
                        entries = take(page, lab, path, out)
                    except Exception:
                        page.screenshot(path=ROOT / "screenshots" / f"stills-{path.stem}.png")
                        print(f"failed on {path.name}; JupyterLab's log:\n{lab.log_tail()}")
                        raise
                    if entries:
                        manifest[path.stem] = entries
                    else:
                        manifest.pop(path.stem, None)
                browser.close()
        finally:
            lab_driver.stop_lab(lab)
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n")
    print(f"{sum(map(len, manifest.values()))} stills in {STILLS}/ ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
