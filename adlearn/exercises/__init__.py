"""Exercise checkers: a verdict and a hint for every exercise of the course.

In a notebook, an exercise cell ends with its checker call; running the cell
prints one verdict:

>>> from adlearn.exercises import ch1, verdict
>>> verdict.forget()
>>> answer = ...
>>> ch1.predict_w4(answer)
Exercise 1.1: Not attempted yet. Replace the ... in `answer = ...` by a number and run the cell again.
>>> answer = 0.909
>>> ch1.predict_w4(answer)
Exercise 1.1: Correct! w4 = sin(w1) = sin(2) = 0.909 (radians).

A verdict is one of

- ``Exercise N.K: Correct! <why>``;
- ``Exercise N.K: Not yet (<what you gave>).`` then a line ``Hint: <what to look at>``
  (one hint per typical mistake, a closer one when the mistake comes back;
  learner code that raises gets a hint naming the error, never a traceback);
- ``Exercise N.K: Not attempted yet. <what to do>`` while the cell still holds
  its stub: ``answer = ...``, or a function whose body is ``...``, ``pass`` or
  ``raise NotImplementedError``.

Checkers print and return None, so nbval sees the verdict once. At the end of a
chapter, ``progress(N)`` lists its exercises as correct, not yet or not
attempted in this kernel.

Writing checkers for a chapter
------------------------------
One module per chapter, ``adlearn/exercises/chN.py``, one decorated function per
exercise, numbered ``"N.K"`` (chapter N, exercise K). A checker is a teacher:
it tries the answer more than one way, never accepts a wrong one, names the
likely mistake and never hands over the solution code.

.. code-block:: python

    from adlearn.exercises.learner import call, items, test_points
    from adlearn.exercises.method import Probe, watch
    from adlearn.exercises.verdict import NotYet, checker, count, diagnose, exact, number

    @checker("3.2", "the adjoint of x1")
    def adjoint_x1(answer):
        x = number(answer)                  # ... -> Not attempted; "abc", 1j -> Not yet
        if exact(x, 6.0):
            return "x1 feeds two units, so its adjoint adds two contributions."
        diagnose(x, [(5.0, ("You kept one contribution.",          # first time
                             "x1 also feeds w4 = sin(w1): add its term."))],  # repeated
                 default="Add what x1 receives from each unit that reads it.")

    @checker("3.3", "one backward step")
    def mul_backward(fn):
        for a, b, w_bar in test_points([(3.0, -2.0, 0.5)], 3, seed=33):
            out = items(call(fn, a, b, w_bar, name="mul_backward"), 2, "mul_backward")
            ...

The tools, one idea per module:

- :mod:`~adlearn.exercises.verdict`: :func:`~verdict.checker`; the answer
  readers :func:`~verdict.number` (any real number, Fraction included; not
  str, bool, complex or text arrays), :func:`~verdict.count` (a whole number:
  counts are exact, 999 is not 1000) and :func:`~verdict.attempted`; the
  comparisons :func:`~verdict.exact` (1e-12: what AD computes must agree with
  the closed form to rounding, so finite differences fail it),
  :func:`~verdict.to_places` ("give three decimals") and
  :func:`~verdict.close` (1e-3, for values read off a plot);
  :func:`~verdict.diagnose` (typical mistakes -> hints; pass the values at
  several points as one array, so a coincidence at one point is no diagnosis).
  A hint may be a tuple, first nudge to closest hint: the same mistake made
  again in the kernel gets the next one. Hints say what to look at, never the
  code to type (a test checks them against the solution cells).
  :func:`~verdict.report` is the one place a verdict is shown.
- :mod:`~adlearn.exercises.learner`: :func:`~learner.call` runs learner code
  with a time limit (:data:`~learner.LIMIT` seconds); ``SystemExit``,
  ``KeyboardInterrupt``, an endless loop, a stub or an exception each become a
  verdict. :func:`~learner.items` reads at most ``n + 1`` items of what it
  returned (an endless iterator or ``range(10**9)`` costs nothing).
  :func:`~learner.test_points` gives fixed points then seeded random ones: try
  every function at both, so a hard-coded answer fails. The whole check runs
  under a time limit too (``verdict.CHECK_LIMIT``).
- :mod:`~adlearn.exercises.method`: :func:`~method.watch` records the adlearn
  transformations learner code calls; :class:`~method.Probe` wraps a test
  function and records what each of its runs received (dual numbers, a tape's
  variables, complex numbers, plain floats). Right numbers by another method
  get "right numbers, wrong method" and a hint.
- :mod:`~adlearn.exercises.tally`: :func:`~tally.progress`.

Each checker also has ``.judge(*answers)``, which returns the
:class:`~verdict.Verdict` without reporting it (for tests; call
``verdict.forget()`` between tests, as ``tests/conftest.py`` does), and is
listed in :data:`~verdict.CHECKERS` once its module is imported. A test gives
every checker's stub, junk answers, the right answer, each typical wrong answer
and the cases of the issues it fixes.

Notebook side (see ``tools/make_learner_copies.py``): in a solution copy the
author writes the exercise cell with the tag ``solution``, the solved code
between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` (or on one line ending in
``# SOLUTION``) and the checker call last; ``tools/run_notebooks.py`` splits it
into nbgrader's answer cell and locked checker cell, and nbgrader makes the
learner copy, where the answer is ``...``. Nothing outside those regions
may hold an answer: a cell that later code needs solved uses the model answer
the chapter module provides (``ch3.our_backward``), not a copy in the notebook.
"""

from adlearn.exercises.tally import progress
from adlearn.exercises.verdict import CHECKERS, Verdict

__all__ = ["CHECKERS", "Verdict", "progress"]
