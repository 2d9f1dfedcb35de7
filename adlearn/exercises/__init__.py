"""Exercise checkers: a verdict and a hint for every exercise of the course.

In a notebook, an exercise cell ends with its checker call; running the cell
prints one verdict:

>>> from adlearn.exercises import ch1
>>> answer = ...
>>> ch1.predict_w4(answer)
Exercise 1.1: Not attempted yet. Replace the ... in `answer = ...` by a number and run the cell again.
>>> answer = 0.909
>>> ch1.predict_w4(answer)
Exercise 1.1: Correct! w4 = sin(w1) = sin(2) = 0.909 (radians).

A verdict is one of

- ``Exercise N.K: Correct! <why>``;
- ``Exercise N.K: Not yet (<what you gave>).`` then a line ``Hint: <what to look at>``
  (one hint per typical mistake; learner code that raises gets a hint naming
  the error, never a traceback);
- ``Exercise N.K: Not attempted yet. <what to do>`` while the cell still holds
  its stub: ``answer = ...``, or a function whose body is ``...``, ``pass`` or
  ``raise NotImplementedError``.

Checkers print and return None, so nbval sees the verdict once.

Writing checkers for a chapter
------------------------------
One module per chapter, ``adlearn/exercises/chN.py``, one decorated function per
exercise, numbered ``"N.K"`` (chapter N, exercise K):

.. code-block:: python

    from adlearn.exercises.verdict import NotYet, call, checker, close, diagnose, number

    @checker("3.1", "the adjoint of x1")
    def adjoint_x1(answer):
        x = number(answer)                    # ... -> Not attempted; "abc" -> Not yet
        if close(x, expected):
            return "x1 feeds two units, so its adjoint adds two contributions."
        diagnose(x, [(x2_only, "You kept one contribution; x1 feeds w3 and w4.")],
                 default="Add w̄3 * dw3/dw1 and w̄4 * dw4/dw1.")

    @checker("3.2", "one backward step")
    def backward_step(fn):
        out = call(fn, 2.0, 3.0, name="backward_step")  # stub -> Not attempted;
        ...                                            # raises -> Not yet, naming the error

Helpers (:mod:`adlearn.exercises.verdict`): :func:`~verdict.number`,
:func:`~verdict.attempted`, :func:`~verdict.close` (tolerance 1e-3),
:func:`~verdict.diagnose` (typical mistakes -> hints), :func:`~verdict.call`
(runs learner code safely), :class:`~verdict.NotYet`,
:class:`~verdict.NotAttempted`. Each checker also has ``.judge(*answers)``,
which returns the :class:`~verdict.Verdict` without printing (for tests), and
is listed in :data:`~verdict.CHECKERS` once its module is imported.

Notebook side (see ``tools/make_learner_copies.py``): in a solution copy the
exercise cell carries the tag ``solution``, holds the solved code between
``# BEGIN SOLUTION`` and ``# END SOLUTION`` (or on one line ending in
``# SOLUTION``) and ends with the checker call; the learner copy, generated
from it, has the tag ``exercise`` and the stub.
"""

from adlearn.exercises.verdict import CHECKERS, Verdict

__all__ = ["CHECKERS", "Verdict"]
