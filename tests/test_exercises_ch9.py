"""Checkers of chapter 9: right answers pass (written more than one way), typical mistakes get
their own hint, right numbers by the wrong method are refused, stubs say Not attempted, and
pathological answers (text, endless loops, exits) get a verdict, never a traceback.

Expected values are worked out here by hand (closed forms, exact fractions), not read from the
checkers.
"""

from __future__ import annotations

import math
import sys
from fractions import Fraction

import numpy as np
import pytest
from exercise_support import hint, mistake_hints, status

import adlearn as ad
from adlearn.examples import running_example
from adlearn.exercises import ch9

# --- 9.1 the derivative through two Newton steps ----------------------------------------------
# y1 = (1 + a)/2, y1' = 1/2; y2 = (y1 + a/y1)/2, y2' = (y1' + 1/y1 - a y1'/y1²)/2; at a = 2:
# (1/2 + 2/3 - 4/9)/2 = 13/36.


@pytest.mark.parametrize("answer", [13 / 36, Fraction(13, 36), 0.361, 0.3611, np.float64(13 / 36)])
def test_newton_derivative_right(answer):
    assert status(ch9.newton_derivative, answer) == "correct"


test_newton_derivative_mistakes = mistake_hints(
    ch9.newton_derivative,
    [
        (1 / (2 * math.sqrt(2.0)), "derivative of sqrt itself"),
        (1 / 3, "only the direct term"),
        (0.5, "after one step"),
        (6 / 17, "at the value the loop reached"),
        ((0.5 + 2 / 3 + 4 / 9) / 2, "sign"),
        (0.37, "step by step"),
        ("0.361", "str"),
        (float("inf"), "inf"),
        (1j, "complex"),
    ],
)


def test_newton_derivative_stub():
    assert status(ch9.newton_derivative, ...) == "not attempted"


def test_newton_derivative_repeated_mistake_gets_the_closer_hint():
    first = hint(ch9.newton_derivative, 1 / (2 * math.sqrt(2.0)))
    second = hint(ch9.newton_derivative, 1 / (2 * math.sqrt(2.0)))
    assert first != second
    assert "y0' = 0" in second


# --- 9.4 the adjoint program of g = sin(x1 x2) x1, by hand --------------------------------------
# d/dx1 = sin(x1 x2) + x1 x2 cos(x1 x2), d/dx2 = x1² cos(x1 x2).


def g_grad_right(x1, x2):
    w1 = x1 * x2
    w2 = math.sin(w1)
    w2_bar = x1
    x1_bar = w2
    w1_bar = w2_bar * math.cos(w1)
    x1_bar += w1_bar * x2
    x2_bar = w1_bar * x1
    return x1_bar, x2_bar


def g_grad_closed_form(x1, x2):
    c = np.cos(x1 * x2)
    return [np.sin(x1 * x2) + x1 * x2 * c, x1**2 * c]


def test_adjoint_by_hand_right_two_ways():
    assert status(ch9.adjoint_by_hand, g_grad_right) == "correct"
    assert status(ch9.adjoint_by_hand, g_grad_closed_form) == "correct"


def test_adjoint_by_hand_by_adlearn_is_the_wrong_method():
    def by_ad(x1, x2):
        return ad.grad(lambda a, b: np.sin(a * b) * a, argnums=(0, 1))(x1, x2)

    assert "wrong method" in hint(ch9.adjoint_by_hand, by_ad)


def _x1_bar_only_last_product(x1, x2):
    return math.sin(x1 * x2), x1 * x1 * math.cos(x1 * x2)


def _x1_bar_only_through_sin(x1, x2):
    return x1 * x2 * math.cos(x1 * x2), x1 * x1 * math.cos(x1 * x2)


def _wrong_factor_for_x1(x1, x2):
    c = math.cos(x1 * x2)
    return math.sin(x1 * x2) + x1 * x1 * c, x1 * x1 * c


def _sin_for_cos(x1, x2):
    s = math.sin(x1 * x2)
    return s + x1 * x2 * s, x1 * x1 * s


def _minus_sin_partial(x1, x2):
    c = math.cos(x1 * x2)
    return math.sin(x1 * x2) - x1 * x2 * c, -x1 * x1 * c


def _x2_bar_one_factor_of_x1(x1, x2):
    c = math.cos(x1 * x2)
    return math.sin(x1 * x2) + x1 * x2 * c, x1 * c


def _forgot_the_return(x1, x2):
    g_grad_right(x1, x2)  # the adjoints computed, then not returned: the mistake under test


def _swapped(x1, x2):
    return tuple(reversed(g_grad_right(x1, x2)))


test_adjoint_by_hand_mistakes = mistake_hints(
    ch9.adjoint_by_hand,
    [
        (_x1_bar_only_last_product, "add what comes down that way too"),
        (_x1_bar_only_through_sin, "second factor of the last product"),
        (_wrong_factor_for_x1, "the other factor, not x1"),
        (_sin_for_cos, "not sin(w1)"),
        (_minus_sin_partial, "plus sign"),
        (_x2_bar_one_factor_of_x1, "two factors of x1"),
        (_swapped, "swapped"),
        (lambda x1, x2: (1.0, 2.0), "Write g as units first"),
        (lambda x1, x2: g_grad_right(x1, x2)[0], "return a list of 2"),
        (lambda x1, x2: (*g_grad_right(x1, x2), 0.0), "3 items"),
        (lambda x1, x2: ("a", "b"), "two numbers"),
        (lambda x1, x2: (math.inf, 0.0), "not finite"),
        (_forgot_the_return, "forget the `return`"),
        (lambda x1, x2: 1 / 0, "ZeroDivisionError"),
        ("g_grad", "should be a function"),
    ],
)


def test_adjoint_by_hand_right_only_at_the_shown_point_fails():
    def hard_coded(x1, x2):
        return g_grad_right(2.0, 3.0)

    assert status(ch9.adjoint_by_hand, hard_coded) == "not yet"


def test_adjoint_by_hand_stub_and_escapes():
    def stub(x1, x2): ...

    def exits(x1, x2):
        sys.exit(1)

    def forever(x1, x2):
        while True:
            pass

    assert status(ch9.adjoint_by_hand, stub) == "not attempted"
    assert status(ch9.adjoint_by_hand, ...) == "not attempted"
    assert "stop the program" in hint(ch9.adjoint_by_hand, exits)
    assert "did not finish" in hint(ch9.adjoint_by_hand, forever)


# --- 9.5 recordings over a set of points ---------------------------------------------------------
# ramp at 0.5, 0.25, 2.0, 0.75, 3.0, 1.5: paths "0 <= x < 1" and "x >= 1" only; PyTorch: 6 tapes.


@pytest.mark.parametrize("answer", [(2, 6), [2, 6], (2.0, 6.0), np.array([2, 6])])
def test_recordings_right(answer):
    assert status(ch9.recordings, answer) == "correct"


test_recordings_mistakes = mistake_hints(
    ch9.recordings,
    [
        ((3, 6), "paths in the code"),
        ((6, 6), "reused as long as its guards hold"),
        ((1, 6), "its guard fails"),
        ((4, 6), "different paths"),
        ((2, 2), "no recording between calls"),
        ((2, 3), "no recording between calls"),
        ((2, 1), "count the calls"),
        ((2.5, 6), "whole number"),
        ((2,), "two whole numbers"),
        (2, "two whole numbers"),
        ("(2, 6)", "two whole numbers"),
        (("2", "6"), "str"),
    ],
)


def test_recordings_stub():
    assert status(ch9.recordings, ...) == "not attempted"


def test_recordings_counts_the_paths_of_the_points_the_chapter_uses():
    # worked by hand from ramp's tests: no point is negative, four are below 1, two above
    assert ch9.RAMP_POINTS == (0.5, 0.25, 2.0, 0.75, 3.0, 1.5)


# --- 9.2 where the contributions add up, and 9.3 the missing adjoint line -------------------------
# Both read the program ad.jit writes. What is right is settled by running that program: the line
# of 9.2 is the one without which x1_bar loses a contribution of x2 + cos x1; the gap of 9.3 in
# h = exp(x1 x2) + cos x2 is filled right when the program gives, worked by hand,
# (x2 exp(x1 x2), x1 exp(x1 x2) - sin x2).


def listing():
    return ad.jit(ad.value_and_grad(running_example, argnums=(0, 1))).source(2.0, 3.0).splitlines()


def run(lines, x1, x2):
    namespace = {"math": math, "np": np}
    exec("\n".join(lines), namespace)  # noqa: S102 (the generated program, as the checker runs it)
    name = lines[0].split()[1].split("(")[0]
    return namespace[name](x1, x2)


def test_fan_in_line_is_the_line_that_completes_x1_bar():
    lines = listing()
    x1, x2 = 0.7, -1.3
    assert run(lines, x1, x2)[1][0] == pytest.approx(x2 + math.cos(x1), abs=1e-15)
    accepted = [n for n in range(1, len(lines) + 1) if status(ch9.fan_in_line, n) == "correct"]
    assert len(accepted) == 1
    (n,) = accepted
    assert "x1_bar" in lines[n - 1]
    without = lines[: n - 1] + lines[n:]
    lost = run(without, x1, x2)[1][0]
    assert lost in (pytest.approx(x2), pytest.approx(math.cos(x1)))  # one contribution is left


def test_fan_in_line_mistakes():
    lines = listing()
    (right,) = [n for n in range(1, len(lines) + 1) if status(ch9.fan_in_line, n) == "correct"]
    first = next(n for n, line in enumerate(lines, 1) if line.split()[:1] == ["x1_bar"])
    x2_line = next(n for n, line in enumerate(lines, 1) if line.split()[:1] == ["x2_bar"])
    assert "first contribution" in hint(ch9.fan_in_line, first)
    assert "x2's adjoint" in hint(ch9.fan_in_line, x2_line)
    assert "names the function" in hint(ch9.fan_in_line, 1)
    assert "hands out x1_bar" in hint(ch9.fan_in_line, len(lines))
    assert "numbered from 1" in hint(ch9.fan_in_line, 0)
    assert "numbered from 1" in hint(ch9.fan_in_line, len(lines) + 1)
    assert "whole number" in hint(ch9.fan_in_line, right + 0.5)
    assert "str" in hint(ch9.fan_in_line, str(right))
    assert status(ch9.fan_in_line, ...) == "not attempted"


def test_program_with_a_gap_lacks_one_line_of_x2_bar():
    gap = ch9.program_with_a_gap().splitlines()
    assert sum(ch9.GAP in line for line in gap) == 1
    whole = ad.jit(ad.grad(ch9.h, argnums=(0, 1))).source(2.0, 3.0).splitlines()
    assert len(gap) == len(whole)
    (missing,) = [w for g, w in zip(gap, whole) if g != w]
    assert missing.split()[0] == "x2_bar"


def the_missing_line():
    gap = ch9.program_with_a_gap().splitlines()
    whole = ad.jit(ad.grad(ch9.h, argnums=(0, 1))).source(2.0, 3.0).splitlines()
    (missing,) = [w for g, w in zip(gap, whole) if g != w]
    return missing.strip()


def test_missing_line_right_two_ways():
    line = the_missing_line()
    x1, x2 = 2.0, 3.0
    filled = [g.replace(ch9.GAP, line) for g in ch9.program_with_a_gap().splitlines()]
    want = x1 * math.exp(x1 * x2) - math.sin(x2)
    assert run(filled, x1, x2)[1] == pytest.approx(want, rel=1e-15)
    assert status(ch9.missing_line, line) == "correct"
    assert status(ch9.missing_line, "  " + line + "  ") == "correct"
    # exp's partial written out, or the whole adjoint of x2 at once, fill the gap right too
    assert status(ch9.missing_line, "x2_bar += math.exp(w1_1) * x1") == "correct"
    assert status(ch9.missing_line, "x2_bar = x1 * math.exp(x1 * x2) - math.sin(x2)") == "correct"


test_missing_line_mistakes = mistake_hints(
    ch9.missing_line,
    [
        ("x2_bar = w2 * x1", "adds both contributions"),
        ("x2_bar += w2 * x2", "the other factor"),
        ("x2_bar += w1_1 * x1", "not its input w1_1"),
        ("x2_bar += x1", "times exp's partial"),
        ("x2_bar += w2", "times x1"),
        ("x2_bar += 2 * w2 * x1", "counted twice"),
        ("x2_bar += -math.sin(x2) + w2 * x1", "already in x2_bar"),
        ("x2_bar += 0.0", "leaves out the contribution"),
        ("x2_bar += 42.0", "Run the program in your head"),
        ("x1_bar = 0.0", "x1_bar comes out wrong"),
        ("x2_bar = w_unknown", "NameError"),
        ("x2_bar += w2 * x1\nx1_bar = 0", "one line"),
        ("x2_bar += (w2 * x1", "cannot read"),
        ("return 1.0, 2.0", "`name = ...`"),
        ("x2_bar, x1_bar = 1.0, 2.0", "`name = ...`"),
        ("x2_bar = [x for x in iter(int, 1) if x]", "did not finish"),  # endless, keeps nothing
        ("x2_bar = exit()", "stop the program"),
        ("", "exactly one line"),
        (1.0, "in quotes"),
        (["x2_bar += w2 * x1"], "in quotes"),
    ],
)


def test_missing_line_that_breaks_x1_bar_is_told_where_the_gap_is():
    line = the_missing_line()
    # a right x2_bar, and an x1_bar spoilt on the same line
    spoilt = "x2_bar += w2 * x1; x1_bar = 0.0"
    assert "`name = ...`" in hint(ch9.missing_line, spoilt)  # two statements are refused
    assert status(ch9.missing_line, line) == "correct"


def test_missing_line_stub():
    assert status(ch9.missing_line, ...) == "not attempted"
