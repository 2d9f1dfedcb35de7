# nbgrader's configuration for the course: tools/run_notebooks.py makes the learner copies
# with it, and an instructor's course folder uses it as its nbgrader_config.py
# (docs/nbgrader.md). `nbgrader generate_assignment` replaces each block between
# "### BEGIN SOLUTION" and "### END SOLUTION" by the stub below, indented like the block:
# "..." is what the course's checkers read as "not attempted yet".
import re

from nbgrader.converters import GenerateAssignment
from nbgrader.preprocessors import ClearSolutions

c = get_config()  # noqa: F821 (nbgrader provides get_config when it loads this file)

c.ClearSolutions.code_stub = {"python": "..."}
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"

# A one-line answer is marked as `answer = (` / the value between the markers / `)`
# (tools/nbgrader_source.py): cleared, it would read `answer = (` / `...` / `)`.
ONE_LINE_STUB = re.compile(r"^(\s*)([A-Za-z_]\w*) = \(\n\1    \.\.\.\n\1\)$", re.MULTILINE)


class ClearSolutionsOnOneLine(ClearSolutions):
    """nbgrader's ClearSolutions, with a one-line answer's stub on one line:
    ``answer = ...  # your answer``."""

    def _replace_solution_region(self, cell, language):
        replaced = super()._replace_solution_region(cell, language)
        cell.source = ONE_LINE_STUB.sub(r"\1\2 = ...  # your answer", cell.source)
        return replaced


c.GenerateAssignment.preprocessors = [
    ClearSolutionsOnOneLine if step is ClearSolutions else step
    for step in GenerateAssignment.class_traits()["preprocessors"].default()
]
