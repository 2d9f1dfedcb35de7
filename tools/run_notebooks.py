"""Execute the course notebooks and store clean outputs, for both copies.

One command::

    .venv/bin/python tools/run_notebooks.py            # every notebook
    .venv/bin/python tools/run_notebooks.py 02 03      # those whose name starts with 02 or 03

For each solution copy ``notebooks/solutions/NN-*.ipynb`` it

1. makes it an nbgrader source notebook, from the tags and markers a chapter
   author writes (``tools/nbgrader_source.py``: exercise cells split into an
   answer cell and a locked checker cell, nbgrader's metadata and markers);
2. executes it in a fresh kernel (nbclient; the kernel is this Python's),
3. cleans it: no widget state, no timing metadata, no widget views in the
   outputs (their model ids are random and their state is not stored), no
   Python patch version, printed text in one piece however the kernel chunked
   it (the same steps as ``nbstripout --keep-output --keep-count``, plus those),
4. generates its learner copy ``notebooks/NN-*.ipynb`` with ``nbgrader
   generate_assignment`` (see ``tools/make_learner_copies.py``) and executes and
   cleans that too, then takes out the output (and execution count) of every
   cell tagged ``shows-answer``: a cell after an exercise that prints its answer
   (the learner runs it after answering; nbval runs it without comparing, as a
   cell never run, and compares its output in the solution copy),

so that every stored output is one nbval can reproduce (``make test`` runs nbval
in strict mode on both copies). Run it after editing a solution copy, and
commit both copies.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbstripout import strip_output

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_learner_copies import NOTEBOOKS, ROOT, generate, solution_paths
from nbgrader_source import to_source

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
SHOWS_ANSWER = "shows-answer"  # the tag of a cell that prints an exercise's answer
TIMEOUT = 300  # seconds per cell
# The keys `nbstripout` removes by default (besides outputs, which are kept here).
EXTRA_KEYS = [
    "metadata.signature",
    "metadata.widgets",
    "cell.metadata.collapsed",
    "cell.metadata.ExecuteTime",
    "cell.metadata.execution",
    "cell.metadata.heading_collapsed",
    "cell.metadata.hidden",
    "cell.metadata.scrolled",
]


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Strip what changes from run to run but is not content; keep outputs and counts."""
    nb = strip_output(nb, keep_output=True, keep_count=True, keep_id=True, extra_keys=EXTRA_KEYS)
    nb.metadata.get("language_info", {}).pop("version", None)
    for cell in nb.cells:
        if cell.cell_type == "code":
            outputs = [o for o in cell.outputs if WIDGET_VIEW not in o.get("data", {})]
            cell.outputs = coalesce_streams(outputs)
    return nb


def hide_answers(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A learner copy as it is stored: no output of a cell that prints an exercise's answer."""
    for cell in nb.cells:
        if cell.cell_type == "code" and SHOWS_ANSWER in cell.metadata.get("tags", []):
            cell.outputs = []
            cell.execution_count = None
    return nb


def coalesce_streams(outputs: list) -> list:
    """Join consecutive stdout (or stderr) outputs: a kernel sends them in chunks that vary."""
    joined: list = []
    for o in outputs:
        last = joined[-1] if joined else None
        if (
            o.output_type == "stream"
            and last is not None
            and last.output_type == "stream"
            and last.name == o.name
        ):
            last.text += o.text
        else:
            joined.append(o)
    return joined


def execute(nb: nbformat.NotebookNode, folder: Path) -> nbformat.NotebookNode:
    """Run every cell of ``nb`` in a fresh kernel started in ``folder``."""
    nb.metadata["kernelspec"] = {
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "name": "python3",
    }
    client = NotebookClient(
        nb, timeout=TIMEOUT, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    )
    client.execute()
    return nb


def run(
    path: Path, nb: nbformat.NotebookNode | None = None, *, learner: bool = False
) -> nbformat.NotebookNode:
    """Execute, clean and write one notebook (``nb``, or the one at ``path``); a learner
    copy without the outputs that show an answer."""
    start = time.perf_counter()
    if nb is None:
        nb = nbformat.read(path, as_version=4)
    nb = clean(execute(nb, path.parent))
    if learner:
        nb = hide_answers(nb)
    nbformat.write(nb, path)
    print(f"{path.relative_to(ROOT)}: {time.perf_counter() - start:.1f} s")
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="file name prefixes, such as 02 (default: all)")
    args = parser.parse_args(argv)
    paths = solution_paths(args.names)
    if not paths:
        print("no solution notebooks match", args.names, file=sys.stderr)
        return 1
    sources = {p.name: run(p, to_source(nbformat.read(p, as_version=4))) for p in paths}
    for name, learner in generate(sources).items():
        run(NOTEBOOKS / name, learner, learner=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
