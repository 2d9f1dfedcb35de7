# nbgrader's configuration for the course: tools/run_notebooks.py makes the learner copies
# with it, and an instructor's course folder uses it as its nbgrader_config.py
# (docs/nbgrader.md). `nbgrader generate_assignment` replaces each block between
# "### BEGIN SOLUTION" and "### END SOLUTION" by the stub below, indented like the block:
# "..." is what the course's checkers read as "not attempted yet".
c = get_config()  # noqa: F821 (nbgrader provides get_config when it loads this file)

c.ClearSolutions.code_stub = {"python": "..."}
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
