"""Every checker case reported in issue 11, with its exact input, plus the typical wrong answers
of the exercises written for it (3.5, 4.3, 4.6, 5.6).

Expected values are worked out here by hand (closed forms), not read from the checkers.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
import warnings
from fractions import Fraction

import numpy as np
import pytest
from exercise_support import hint

import adlearn as ad
from adlearn.exercises import ch1, ch2, ch3, ch4, ch5


def verdict(check, *answers):
    return check.judge(*answers)


class Dual:
    """The chapter's dual number, with the chapter's repr (fixed digits)."""

    def __init__(self, value, tangent):
        self.value = value
        self.tangent = tangent

    def __repr__(self):
        return f"Dual(value={self.value:.3f}, tangent={self.tangent:.3f})"


def with_mul(mul):
    return type("Dual", (Dual,), {"__mul__": mul})


# --- counts are exact ----------------------------------------------------------------------


@pytest.mark.parametrize("near", [999, 1001])
def test_2_4_off_by_one_counts_are_wrong(near):
    assert hint(ch2.sweeps_needed, near)
    assert verdict(ch2.sweeps_needed, 1000).status == "correct"


def test_4_3_a_count_with_decimals_is_not_a_count():
    # was ch4.sweeps_jacobian(20.02); exercise 4.3 now asks for the sweeps of two products
    assert "whole number" in hint(ch4.sweeps_products, 20.02)
    assert "whole number" in hint(ch4.sweeps_products, 2.02)


def test_1_2_a_level_is_a_whole_number():
    assert "whole number" in hint(ch1.output_level, 3.003)


def test_5_5_the_limit_is_exact():
    assert hint(ch5.learning_rate_limit, 0.5014)
    assert verdict(ch5.learning_rate_limit, Fraction(1, 2)).status == "correct"


# --- ex 2.1 and 2.2 ------------------------------------------------------------------------


def test_2_1_a_sign_error_is_not_the_sum_rule():
    def sign(a, b):
        return Dual(a.value * b.value, a.tangent * b.value - a.value * b.tangent)

    got = hint(ch2.dual_mul, with_mul(sign))
    assert "sign" in got
    assert "sum rule" not in got


def test_2_1_and_2_2_half_finished_duals_say_which_part_is_unfinished():
    def mul_dots(a, b):
        return Dual(a.value * b.value, ...)

    def mul_none(a, b):
        return Dual(a.value * b.value, None)

    def cos_dots(d):
        return Dual(np.cos(d.value), ...)

    assert "tangent is Ellipsis" in hint(ch2.dual_mul, with_mul(mul_dots))
    assert "tangent is None" in hint(ch2.dual_mul, with_mul(mul_none))
    assert "tangent is Ellipsis" in hint(ch2.dual_cos, cos_dots, Dual)


def test_2_1_a_constant_product_is_caught_at_another_point():
    def constant(a, b):
        return Dual(6.0, 2.75)

    assert hint(ch2.dual_mul, with_mul(constant))


def test_2_2_a_hard_coded_cosine_is_caught_at_another_point():
    def hard_coded(d):
        return Dual(math.cos(0.7), -math.sin(0.7) * 2)

    assert hint(ch2.dual_cos, hard_coded, Dual)


# --- ex 2.5: one hint per mistake, none giving the call away ------------------------------


def test_2_5_each_mistake_gets_its_own_hint():
    right = 0.6 * (3.0 + math.cos(2.0)) + 0.8 * 2.0
    flipped = hint(ch2.directional, -3.150)
    long = hint(ch2.directional, 31.50)
    exchanged = hint(ch2.directional, 5.05)
    assert len({flipped, long, exchanged}) == 3
    assert "sign" in flipped
    assert "length 1" in long
    assert "exchanged" in exchanged
    assert verdict(ch2.directional, right).status == "correct"
    for text in (flipped, long, exchanged, hint(ch2.directional, 7.0)):
        assert "jvp(" not in text


def test_2_5_a_repeated_mistake_gets_a_closer_hint():
    first = hint(ch2.directional, 5.05)
    second = hint(ch2.directional, 5.05)
    assert first != second
    assert "primals" in second


# --- ex 3.1 ----------------------------------------------------------------------------------


def test_3_1_a_dict_is_not_quoted_as_numbers():
    def as_dict(tape, out):
        return dict.fromkeys(range(len(tape)), 0.0)

    got = hint(ch3.backward, as_dict)
    assert "return a list" in got
    assert "[0, 1, 2]" not in got
    assert "{0: 0.0" in got


def test_3_1_answers_hard_coded_for_the_tape_length_fail():
    def by_length(tape, out):
        if len(tape) == 3:
            return [4.0, 2.0, 1.0]
        return [3.0 + math.cos(2.0), 2.0, 1.0, 1.0, 1.0][: len(tape)] + [0.0] * (len(tape) - 5)

    assert hint(ch3.backward, by_length)


def test_3_1_an_endless_iterator_is_a_verdict():
    assert "endless iterator" in hint(ch3.backward, lambda tape, out: itertools.count())


def test_chapter_3_tape_grad_binds_its_backward_loop():
    """A learner's broken exercise 3.1 cell run after the solution must not change tape_grad."""
    import ast
    from pathlib import Path

    import nbformat

    root = Path(__file__).resolve().parent.parent
    for path in (
        root / "notebooks" / "solutions" / "03-reverse-mode.ipynb",
        root / "notebooks" / "03-reverse-mode.ipynb",
    ):
        nb = nbformat.read(path, as_version=4)
        source = next(c.source for c in nb.cells if "def tape_grad" in c.source)
        tree = ast.parse(source)
        fn = next(
            n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "tape_grad"
        )
        params = {a.arg for a in fn.args.args + fn.args.kwonlyargs} | {fn.args.vararg.arg}
        loaded = {
            n.id for n in ast.walk(fn) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        assert "backward" in params
        assert "backward" not in loaded - params


# --- ex 4.1 and 4.4: the method -------------------------------------------------------------


def central_differences(F, x, h=1e-6):
    columns = []
    for e in np.eye(x.size):
        columns.append((F(x + h * e) - F(x - h * e)) / (2 * h))
    return np.column_stack(columns)


def test_4_1_central_differences_are_the_wrong_method():
    assert "wrong method" in hint(ch4.jacobian_by_columns, central_differences)


def test_4_1_jacrev_and_jacfwd_are_the_wrong_method():
    assert "wrong method" in hint(ch4.jacobian_by_columns, lambda F, x: ad.jacrev(F)(x))
    assert "wrong method" in hint(ch4.jacobian_by_columns, lambda F, x: ad.jacfwd(F)(x))


def test_4_1_rows_by_vjp_are_the_wrong_method():
    def by_rows(F, x):
        y, pull_back = ad.vjp(F, x)
        return np.vstack([pull_back(e)[0] for e in np.eye(y.size)])

    assert "wrong method" in hint(ch4.jacobian_by_columns, by_rows)


def test_4_4_ad_derivative_is_not_the_complex_step():
    got = hint(ch4.complex_step, lambda g, x: ad.derivative(g)(x))
    assert "wrong method" in got
    assert "ad.derivative" in got


def test_4_4_a_central_difference_is_not_the_complex_step():
    got = hint(ch4.complex_step, lambda g, x: (g(x + 1e-6) - g(x - 1e-6)) / 2e-6)
    assert "wrong method" in got


def test_4_5_minus_6_is_not_called_the_central_differences_best():
    got = hint(ch4.best_step, -6)
    assert "central" not in got
    assert "5e-7" in got


def test_4_2_backward_is_reverse():
    assert verdict(ch4.which_mode, ("backward", "forward", "backward")).status == "correct"


# --- ex 5.3 and answers of odd types ---------------------------------------------------------


def test_5_3_a_complex_matrix_is_refused_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = hint(ch5.hessian_of_g, np.array([[0, 2], [2, 1]], dtype=complex))
    assert "complex" in got


def test_1_1_text_in_an_array_is_refused_and_a_fraction_taken():
    assert hint(ch1.predict_w4, np.array(["0.909"]))
    assert hint(ch1.predict_w4, "0.909")
    assert verdict(ch1.predict_w4, Fraction(909, 1000)).status == "correct"


def test_1_3_an_unfinished_unit_is_named():
    def unfinished(x1, x2):
        w3 = np.exp(x2)
        w4 = x1 * w3
        w5 = ...
        return [x1, x2, w3, w4, w5]

    assert "w5 is still Ellipsis" in hint(ch1.g_units, unfinished)


# --- learner code that escapes, hangs or floods ---------------------------------------------


def test_sys_exit_and_keyboard_interrupt_do_not_escape():
    def exits(x1, x2):
        sys.exit()

    def interrupts(x1, x2):
        raise KeyboardInterrupt

    assert "SystemExit" in hint(ch1.g_units, exits)
    assert "KeyboardInterrupt" in hint(ch1.g_units, interrupts)


def test_a_function_that_loops_forever_does_not_hang_the_checker(monkeypatch):
    from adlearn.exercises import learner

    monkeypatch.setattr(learner, "LIMIT", 0.5)

    def forever(tape, out):
        while True:
            pass

    start = time.monotonic()
    assert "did not finish" in hint(
        ch3.backward, lambda tape, out: learner.call(forever, tape, out, seconds=0.5)
    )
    assert time.monotonic() - start < 5.0


def test_an_endless_loop_in_g_units_is_stopped_by_the_default_limit():
    start = time.monotonic()
    assert "did not finish" in hint(ch1.g_units, lambda x1, x2: [x1 for _ in itertools.count()])
    assert time.monotonic() - start < 15.0


def test_itertools_count_and_a_huge_range_are_verdicts():
    assert "endless iterator" in hint(ch1.g_units, lambda x1, x2: itertools.count())
    assert "20000000 items" in hint(ch1.g_units, lambda x1, x2: range(2 * 10**7))


# --- the new exercises: typical wrong answers ------------------------------------------------


def test_4_6_branch():
    def huber(r):
        return 0.5 * r * r if abs(r) <= 1.0 else abs(r) - 0.5

    def no_abs(r):
        return 0.5 * r * r if r <= 1.0 else r - 0.5

    def quadratic(r):
        return 0.5 * r * r

    def slope_by_ad(r):
        return ad.derivative(huber)(r)

    def slope_by_reverse(r):
        return ad.grad(huber)(r)

    def slope_by_hand(r):
        return r if abs(r) <= 1 else math.copysign(1.0, r)

    def slope_by_differences(r):
        return (huber(r + 1e-6) - huber(r - 1e-6)) / 2e-6

    assert verdict(ch4.branch, huber, slope_by_ad).status == "correct"
    assert verdict(ch4.branch, huber, slope_by_reverse).status == "correct"
    assert "not on r" in hint(ch4.branch, no_abs, slope_by_ad)
    assert "|r| - 0.5" in hint(ch4.branch, quadratic, slope_by_ad)
    assert "wrong method" in hint(ch4.branch, huber, slope_by_hand)
    assert "wrong method" in hint(ch4.branch, huber, slope_by_differences)
    assert verdict(ch4.branch, ..., ...).status == "not attempted"


def test_5_6_newton_root_step():
    def right(g, x):
        return x - g(x) / ad.derivative(g)(x)

    def by_reverse(g, x):
        return x - g(x) / ad.grad(g)(x)

    def plus(g, x):
        return x + g(x) / ad.derivative(g)(x)

    def upside_down(g, x):
        return x - ad.derivative(g)(x) / g(x)

    def step_only(g, x):
        return g(x) / ad.derivative(g)(x)

    def no_slope(g, x):
        return x - g(x)

    def finite_difference(g, x):
        return x - g(x) / ((g(x + 1e-7) - g(x)) / 1e-7)

    def stub(g, x): ...

    assert verdict(ch5.newton_root_step, right).status == "correct"
    assert verdict(ch5.newton_root_step, by_reverse).status == "correct"
    assert "Wrong direction" in hint(ch5.newton_root_step, plus)
    assert "upside down" in hint(ch5.newton_root_step, upside_down)
    assert "return the new x" in hint(ch5.newton_root_step, step_only)
    assert "left out g'(x)" in hint(ch5.newton_root_step, no_slope)
    assert "wrong method" in hint(ch5.newton_root_step, finite_difference)
    assert verdict(ch5.newton_root_step, stub).status == "not attempted"


def test_5_1_and_5_2_finite_differences_are_the_wrong_method():
    def fd_grad(f, x, h=1e-6):
        return np.array([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(x.size)])

    def gd_by_differences(loss, p, lr):
        return p - lr * fd_grad(loss, p)

    assert "wrong method" in hint(ch5.gd_step, gd_by_differences)

    def newton_by_differences(f, x):
        g = fd_grad(f, x)
        H = np.array(
            [fd_grad(lambda y, k=k: fd_grad(f, y, 1e-4)[k], x, 1e-4) for k in range(x.size)]
        )
        return x - np.linalg.solve(H, g)

    got = hint(ch5.newton_step, newton_by_differences)
    assert "wrong method" in got or "Newton" in got


def test_hints_for_code_exercises_hold_no_call_to_type():
    """The hints of 4.1, 5.1 and 5.2 named the code; now they name ideas."""
    for check, wrong in [
        (ch4.jacobian_by_columns, lambda F, x: np.ones((2, 2))),
        (ch5.newton_step, lambda f, x: x),
        (ch5.gd_step, lambda loss, p, lr: p),
    ]:
        text = hint(check, wrong) + hint(check, wrong)
        for code in ("np.linalg.solve(", "ad.grad(", "ad.hessian(", "np.column_stack", "np.eye("):
            assert code not in text, (check.exercise, code)
