"""What the course's site does on top of myst-nb and the book theme.

- An explorer cell (it needs a kernel) shows the still picture of its explorer at the
  sliders' starting values, taken by ``tools/explorer_stills.py``, and a line saying
  where the sliders come alive. The cell is found by the markers it has anyway: the
  tag ``nbval-ignore-output``, a reason in ``metadata.adlearn.reason`` and a call of
  ``explore...(``. An explorer whose still is missing or out of date (a new chapter's,
  before the tool has run) gets the line without a picture, and the build says so (at
  info level, so that a chapter can land before its stills; the site test holds
  chapters 1-3 to their stills).
- A notebook that still holds a solution cell (tag ``solution``, or solved code between
  ``BEGIN SOLUTION`` markers) stops the build: the site shows learner copies only.
- A link to a chapter not written yet (no ``notebooks/NN-*.ipynb`` with its number)
  shows as text; a wrong link to a chapter that exists stays a build error.
- MathJax is copied into the site from the ``sphinx-mathjax-offline`` package, so
  formulas are typeset with no request outside the site.
- ``index.html`` at the site's root sends the reader to the first chapter.
- The README's section for instructors, included in a page, gets its headings and links
  fitted to the site.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.fileutil import copy_asset

log = logging.getLogger(__name__)

STILLS = "docs/explorers"  # relative to the source folder (the repository's root)
MANIFEST = "stills.json"
EXPLORER_CALL = re.compile(r"\bexplore\w*\s*\(")
SOLUTION_MARK = re.compile(r"#+\s*(BEGIN|END) SOLUTION\b|#\s*SOLUTION\s*$", re.MULTILINE)
ALIVE = (
    "A still of the explorer at its starting point. The sliders come alive in JupyterLab "
    "or on Binder: the launch button at the top of this page opens this chapter there."
)
NO_STILL = (
    "An explorer: its sliders come alive in JupyterLab or on Binder (the launch button at "
    "the top of this page opens this chapter there). It has no still picture here yet."
)


def is_explorer(metadata, source):
    """True for a cell that opens an explorer, by the markers every such cell carries."""
    tags = metadata.get("tags", [])
    reason = (metadata.get("adlearn") or {}).get("reason")
    return "nbval-ignore-output" in tags and bool(reason) and bool(EXPLORER_CALL.search(source))


def load_manifest(srcdir):
    path = Path(srcdir) / STILLS / MANIFEST
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _cells(doctree, element):
    return [
        node
        for node in doctree.findall(nodes.container)
        if node.get("nb_element") == element
    ]


def _source(cell):
    blocks = list(cell.findall(nodes.literal_block))
    return blocks[0].astext() if blocks else ""


class ExplorerStills(SphinxTransform):
    """Put each explorer cell's still and the line about the sliders under its code."""

    default_priority = 500

    def apply(self):
        docname = self.env.docname
        if not docname.startswith("notebooks/"):
            return
        chapter = docname.split("/", 1)[1]
        stills = load_manifest(self.env.srcdir).get(chapter, [])
        explorers = [
            cell
            for cell in _cells(self.document, "cell_code")
            if is_explorer(cell.get("cell_metadata", {}), _source(cell))
        ]
        command = f"`.venv/bin/python tools/explorer_stills.py {chapter[:2]}`"
        for k, cell in enumerate(explorers):
            source = _source(cell)
            still = stills[k] if k < len(stills) else None
            if still is None or still["source"] != source:
                # Not a warning: a chapter lands before its stills are taken (the tool needs
                # JupyterLab and a browser), and the site must still build. The page says
                # where the explorer lives; tests/test_site.py holds chapters 1-3 to stills.
                found = "none" if still is None else f"one of {still['source']!r}"
                log.info(
                    f"explorer {k + 1} of {chapter} ({source!r}) has no still of its own "
                    f"({found}): run {command}"
                )
                note = nodes.paragraph(NO_STILL, NO_STILL, classes=["explorer-note"])
                cell += nodes.container("", note, classes=["explorer-still-box"])
                continue
            image = nodes.image(
                uri=f"/{STILLS}/{still['image']}",
                alt=f"The explorer {source} at its starting point",
                classes=["explorer-still"],
            )
            note = nodes.paragraph(ALIVE, ALIVE, classes=["explorer-note"])
            cell += nodes.container("", image, note, classes=["explorer-still-box"])
        if len(stills) > len(explorers):
            log.info(
                f"{STILLS}/{MANIFEST} has {len(stills)} stills for {chapter}, which has "
                f"{len(explorers)} explorers: run {command}",
                location=(docname, 0),
            )


CHAPTER_LINK = re.compile(r"\[([^\]]*)\]\(((\d\d)-[\w-]+\.ipynb)\)")


def learner_notebook(app, docname, source):
    """Check a chapter's notebook before it is read, and fit its links to the site.

    A notebook on the site must be a learner copy: no cell may hold solved code. A link
    to a chapter whose number no notebook has yet (the course grows: chapters are
    written in parallel, the last may point forward) shows as its text, not a dead link.
    """
    if not docname.startswith("notebooks/"):
        return
    notebook = json.loads(source[0])
    folder = Path(app.srcdir) / "notebooks"
    written = {path.name[:2] for path in folder.glob("[0-9][0-9]-*.ipynb")}

    def unwritten_as_text(match):
        if match.group(3) in written:
            return match.group(0)
        log.info(f"{docname}: {match.group(2)} is not written yet; its link shows as text")
        return match.group(1)

    for index, cell in enumerate(notebook.get("cells", [])):
        text = "".join(cell.get("source", ""))
        tags = cell.get("metadata", {}).get("tags", [])
        if "solution" in tags or (cell.get("cell_type") == "code" and SOLUTION_MARK.search(text)):
            raise ValueError(
                f"site: cell {index} of {docname}.ipynb holds a solution; the site is built "
                "from learner copies only (notebooks/NN-*.ipynb, not notebooks/solutions/)"
            )
        if cell.get("cell_type") == "markdown":
            cell["source"] = CHAPTER_LINK.sub(unwritten_as_text, text)
    source[0] = json.dumps(notebook)


LINK = re.compile(r"\]\(([^)#\s]+)\)")


def readme_for_site(app, relative_path, parent_docname, content):
    """The README, included in a page of docs/: headings one level up (its sections are
    the page's), links pointed where the site has them (or at the repository)."""
    if Path(relative_path).name != "README.md":
        return
    repository = app.config.html_theme_options["repository_url"].rstrip("/")

    def point(match):
        target = match.group(1)
        if re.match(r"[a-z]+:", target):
            return match.group(0)
        if target.startswith("docs/") and target.endswith(".md"):
            return f"]({target[len('docs/'):]})"
        if re.fullmatch(r"notebooks/\d\d-[^/]+\.ipynb", target):
            return f"](../{target})"
        return f"]({repository}/blob/HEAD/{target})"

    # "### " to "## " (the included part starts after a "## " heading, which stays)
    text = re.sub(r"^#(##+ )", r"\1", content[0], flags=re.MULTILINE)
    content[0] = LINK.sub(point, text)


MATHJAX_LEFT_OUT = re.compile(r"^(?!tex-chtml\.js$)[^/]+\.js$")  # other combined builds


def copy_mathjax(app, exc):
    """MathJax 3 (``tex-chtml.js`` and what it loads on demand) into ``_static/mathjax``."""
    if exc is not None or app.builder.format != "html":
        return
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    source = Path(spec.origin).parent / "static" / "mathjax"
    copy_asset(
        str(source),
        str(Path(app.outdir) / "_static" / "mathjax"),
        excluded=lambda path: bool(MATHJAX_LEFT_OUT.match(path.removeprefix("./"))),
    )


REDIRECT = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>adlearn</title>
<meta http-equiv="refresh" content="0; url={target}">
<link rel="canonical" href="{target}"></head>
<body><p><a href="{target}">adlearn: automatic differentiation, built to be learnt</a></p></body>
</html>
"""


def write_redirect(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    target = app.builder.get_target_uri(app.config.root_doc)
    (Path(app.outdir) / "index.html").write_text(REDIRECT.format(target=target), "utf-8")


def setup(app):
    app.add_transform(ExplorerStills)
    app.connect("source-read", learner_notebook)
    app.connect("include-read", readme_for_site)
    app.connect("build-finished", copy_mathjax)
    app.connect("build-finished", write_redirect)
    app.add_css_file("course.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
