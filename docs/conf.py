"""Sphinx configuration of the course's website (``make site``).

The site is read from the repository's root: the learner copies
``notebooks/NN-*.ipynb`` (their stored outputs, never executed), the pages in
``docs/`` and the API reference made from the package's docstrings. The order
of the pages is in ``docs/_toc.yml``; chapters are found by a glob, so a new
chapter joins the site by itself. ``docs/site.md`` says how it is built and why
with these tools.
"""

import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

with (ROOT / "pyproject.toml").open("rb") as file:
    _project = tomllib.load(file)["project"]

project = "adlearn"
author = "The adlearn authors"
copyright = f"{author}, MIT licence"
release = version = _project["version"]
REPOSITORY = _project["urls"]["Source"]

extensions = [
    "myst_nb",
    "sphinx_external_toc",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx_copybutton",
    "course_pages",
]

# Only what the site shows is read: the repository's root holds much else (.venv, build/, ...).
root_doc = "notebooks/00-start-here"
include_patterns = ["notebooks/[0-9][0-9]-*.ipynb", "docs/*.md"]
exclude_patterns = [".*", "build", "**/.ipynb_checkpoints", "README.md"]
external_toc_path = "docs/_toc.yml"
external_toc_exclude_missing = False

# Notebooks are shown with the outputs they store; nothing is run.
nb_execution_mode = "off"
nb_output_stderr = "show"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
suppress_warnings = []

# MathJax is served with the site (course_pages copies it from the sphinx-mathjax-offline
# package), so pages typeset their formulas offline and with no CDN.
mathjax_path = "mathjax/tex-chtml.js"

# The API reference: numpydoc sections, members in source order, no private names.
autodoc_member_order = "bysource"
autodoc_typehints = "none"
napoleon_google_docstring = False
napoleon_numpy_docstring = True

# Copy buttons copy the code, not the ">>> " and "... " prompts of doctest examples.
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = False

html_theme = "sphinx_book_theme"
html_title = "adlearn: automatic differentiation, built to be learnt"
html_static_path = ["_static"]
html_last_updated_fmt = None
html_theme_options = {
    "repository_url": REPOSITORY,
    "repository_branch": "HEAD",
    "path_to_docs": "",
    "use_repository_button": True,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
    "show_navbar_depth": 1,
    "home_page_in_toc": True,
}
