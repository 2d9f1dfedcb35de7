"""Checkers of chapters 3, 4 and 5: right answers pass, typical mistakes get their hint,
stubs say Not attempted, and learner code that raises gets a hint naming the error.

Expected values are worked out here by hand (closed forms), not read from the checkers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from exercise_support import hint, mistake_hints, status

import adlearn as ad
from adlearn.exercises import ch3, ch4, ch5


def said(check, *answers):
    verdict = check.judge(*answers)
    assert verdict.status == "not yet", verdict
    return verdict.message


# --- chapter 3: reverse mode ----------------------------------------------------------


def backward_right(tape, out):
    w_bar = [0.0] * len(tape)
    w_bar[out] = 1.0
    for i in reversed(range(len(tape))):
        for j, partial in tape[i].parents:
            w_bar[j] += w_bar[i] * partial
    return w_bar


def backward_counting_down(tape, out):
    """Another right way: start at the output, index the entry as a plain tuple."""
    w_bar = np.zeros(len(tape))
    w_bar[out] = 1.0
    for i in range(out, -1, -1):
        for j, partial in tape[i][2]:
            w_bar[j] = w_bar[j] + partial * w_bar[i]
    return w_bar


def backward_forward_order(tape, out):
    w_bar = [0.0] * len(tape)
    w_bar[out] = 1.0
    for i in range(len(tape)):
        for j, partial in tape[i].parents:
            w_bar[j] += w_bar[i] * partial
    return w_bar


def backward_overwrites(tape, out):
    w_bar = [0.0] * len(tape)
    w_bar[out] = 1.0
    for i in reversed(range(len(tape))):
        for j, partial in tape[i].parents:
            w_bar[j] = w_bar[i] * partial
    return w_bar


def backward_no_seed(tape, out):
    w_bar = [0.0] * len(tape)
    for i in reversed(range(len(tape))):
        for j, partial in tape[i].parents:
            w_bar[j] += w_bar[i] * partial
    return w_bar


def backward_forgets_the_adjoint(tape, out):
    w_bar = [0.0] * len(tape)
    w_bar[out] = 1.0
    for i in reversed(range(len(tape))):
        for j, partial in tape[i].parents:
            w_bar[j] += partial
    return w_bar


def backward_ignores_partials(tape, out):
    """Right on a tape of sums (all partials 1), wrong on a product."""
    w_bar = [0.0] * len(tape)
    w_bar[out] = 1.0
    for i in reversed(range(len(tape))):
        for j, _ in tape[i].parents:
            w_bar[j] += w_bar[i]
    return w_bar


def backward_typo(tape, out):
    w_bar = [0.0] * len(tape)
    for i in reversed(range(len(tape))):
        for j, partial in tape[i].parent:
            w_bar[j] += w_bar[i] * partial
    return w_bar


def backward_forgets_return(tape, out):
    w_bar = [0.0] * len(tape)
    w_bar[out] = 1.0


def backward_stub(tape, out):
    """The adjoint of every entry."""
    ...  # noqa: PIE790 (the learner's stub, as the notebooks write it)


def test_backward_accepts_right_loops():
    assert status(ch3.backward, backward_right) == "correct"
    assert status(ch3.backward, backward_counting_down) == "correct"


test_backward_mistakes_get_their_hint = mistake_hints(
    ch3.backward,
    [
        (backward_forward_order, "order"),
        (backward_overwrites, "add up"),
        (backward_no_seed, "seed"),
        (backward_forgets_the_adjoint, "times the adjoint coming down"),
        (backward_ignores_partials, "local partial stored"),
        (backward_typo, "AttributeError"),
        (lambda tape, out: [1.0, 2.0], "one per entry"),
        (lambda tape, out: 4.0, "return a list"),
        (backward_forgets_return, "forget the `return`"),
    ],
)


def test_backward_stubs_are_not_attempted():
    assert status(ch3.backward, backward_stub) == "not attempted"
    assert status(ch3.backward, ...) == "not attempted"


def test_backward_quotes_what_the_learner_gave():
    # b = a + a; c = b + b swept forwards: a gets nothing, b gets 2, c keeps its seed
    assert "[0.0, 2.0, 1.0]" in said(ch3.backward, backward_forward_order)


def test_adjoint_x1():
    # at (0, 5): w̄1 = w̄3 * w2 + w̄4 * cos(w1) = 5 + cos 0
    right = 5.0 + math.cos(0.0)
    assert status(ch3.adjoint_x1, right) == "correct"
    assert "w̄4 · cos(w1)" in hint(ch3.adjoint_x1, 5.0)  # only the product's contribution
    assert "w̄3 · w2" in hint(ch3.adjoint_x1, 1.0)  # only the sine's
    assert "adjoint of x2" in hint(ch3.adjoint_x1, 0.0)  # w̄2 = w1 = 0
    assert "+cos" in hint(ch3.adjoint_x1, 4.0)
    assert "Seed" in hint(ch3.adjoint_x1, 42.0)
    assert status(ch3.adjoint_x1, ...) == "not attempted"


def test_mul_backward():
    def right(a, b, w_bar):
        return w_bar * b, w_bar * a

    def swapped(a, b, w_bar):
        return w_bar * a, w_bar * b

    def partials_only(a, b, w_bar):
        return b, a

    def sum_rule(a, b, w_bar):
        return w_bar, w_bar

    def one_number(a, b, w_bar):
        return w_bar * a * b

    def raises(a, b, w_bar):
        return w_bar / 0.0 * b, a

    def stub(a, b, w_bar): ...

    assert status(ch3.mul_backward, right) == "correct"
    assert status(ch3.mul_backward, lambda a, b, g: [g * b, g * a]) == "correct"
    assert "swapped" in hint(ch3.mul_backward, swapped)
    assert "chain rule" in hint(ch3.mul_backward, partials_only)
    assert "sum" in hint(ch3.mul_backward, sum_rule)
    assert "the pair" in hint(ch3.mul_backward, one_number)
    assert "ZeroDivisionError" in hint(ch3.mul_backward, raises)
    assert status(ch3.mul_backward, stub) == "not attempted"


def test_square_square():
    a = 1.5
    # c = a**4, so dc/da = 4 a**3 = 13.5
    assert status(ch3.square_square, 4 * a**3) == "correct"
    assert "lost a contribution" in hint(ch3.square_square, 2 * a**3)
    assert "twice" in hint(ch3.square_square, a**3)
    assert "adjoint of b" in hint(ch3.square_square, 2 * a * a)
    assert "c itself" in hint(ch3.square_square, a**4)
    assert "walk from c down" in hint(ch3.square_square, 0.0)


class Var:
    """The chapter's tape variable, as the notebook writes it."""

    def __init__(self, tape, op, value, parents=()):
        self.tape = tape
        self.value = value
        self.index = len(tape)
        tape.append(ch3.Entry(op, value, parents))

    def __mul__(self, other):
        return Var(
            self.tape,
            "mul",
            self.value * other.value,
            ((self.index, other.value), (other.index, self.value)),
        )


def var_class(exp):
    return type("Var", (Var,), {"exp": exp})


def test_tape_exp():
    def right(a):
        return Var(a.tape, "exp", np.exp(a.value), ((a.index, np.exp(a.value)),))

    def partial_is_the_operand(a):
        return Var(a.tape, "exp", np.exp(a.value), ((a.index, a.value),))

    def partial_one(a):
        return Var(a.tape, "exp", np.exp(a.value), ((a.index, 1.0),))

    def pair_not_nested(a):
        return Var(a.tape, "exp", np.exp(a.value), (a.index, np.exp(a.value)))

    def value_not_exp(a):
        return Var(a.tape, "exp", a.value, ((a.index, np.exp(a.value)),))

    def wrong_index(a):
        return Var(a.tape, "exp", np.exp(a.value), ((0, np.exp(a.value)),))

    def returns_a_float(a):
        Var(a.tape, "exp", np.exp(a.value), ((a.index, np.exp(a.value)),))
        return np.exp(a.value)

    def appends_twice(a):
        Var(a.tape, "exp", np.exp(a.value), ((a.index, np.exp(a.value)),))
        return Var(a.tape, "exp", np.exp(a.value), ((a.index, np.exp(a.value)),))

    def stub(a): ...

    assert status(ch3.tape_exp, var_class(right)) == "correct"
    assert "operand's value" in hint(ch3.tape_exp, var_class(partial_is_the_operand))
    assert "not 1" in hint(ch3.tape_exp, var_class(partial_one))
    assert "inside a tuple" in hint(ch3.tape_exp, var_class(pair_not_nested))
    assert "exp(0.5)" in hint(ch3.tape_exp, var_class(value_not_exp))
    assert "does the entry read the Var" in hint(ch3.tape_exp, var_class(wrong_index))
    assert "return the new Var" in hint(ch3.tape_exp, var_class(returns_a_float))
    assert "exactly one" in hint(ch3.tape_exp, var_class(appends_twice))
    assert status(ch3.tape_exp, var_class(stub)) == "not attempted"
    assert "no exp method" in hint(ch3.tape_exp, Var)
    assert status(ch3.tape_exp, ...) == "not attempted"


# 3.6: h(x1, x2, x3) = (x1 + x2) exp(x2 x3); units w1 = x1, w2 = x2, w3 = x3, w4 = w1 + w2,
# w5 = w2 w3, w6 = exp(w5), w7 = w4 w6. The adjoints are partial derivatives of h, here in
# closed form: h depends on w4, w5, w6 as w7 = w4 exp(w5) once w6 is fixed, and so on.


def h_adjoints_closed_form(x1, x2, x3):
    s, e = x1 + x2, math.exp(x2 * x3)
    return [
        e,  # dh/dx1
        e * (1 + s * x3),  # dh/dx2: through w4 and through w5
        s * e * x2,  # dh/dx3
        e,  # dh/dw4 = w6
        s * e,  # dh/dw5 = w4 exp(w5)
        s,  # dh/dw6 = w4
        1.0,  # dh/dw7
    ]


def h_adjoints_with(x1, x2, x3, *, change):
    """The closed-form adjoints with one unit's changed: ``change(k, right, x1, x2, x3)``."""
    right = h_adjoints_closed_form(x1, x2, x3)
    return [change(k, w, x1, x2, x3) for k, w in enumerate(right)]


@pytest.mark.parametrize(
    "fn",
    [
        h_adjoints_closed_form,
        lambda *p: tuple(h_adjoints_closed_form(*p)),
        lambda *p: np.array(h_adjoints_closed_form(*p)),
        lambda *p: [np.float64(w) for w in h_adjoints_closed_form(*p)],
    ],
)
def test_h_adjoints_right(fn):
    assert status(ch3.h_adjoints, fn) == "correct"


def test_h_adjoints_checks_the_sweep_against_finite_differences():
    # the closed form above is h's gradient: central differences agree at a random point
    x = np.array([0.3, -0.7, 0.9])

    def h(v):
        return (v[0] + v[1]) * math.exp(v[1] * v[2])

    step = 1e-6
    fd = [(h(x + step * e) - h(x - step * e)) / (2 * step) for e in np.eye(3)]
    assert np.allclose(h_adjoints_closed_form(*x)[:3], fd, atol=1e-8)


def h_stub(x1, x2, x3): ...


def fan_in_lost_at_x2(*p):  # w2 keeps what w5 sends, not w4's
    return h_adjoints_with(*p, change=lambda k, w, x1, x2, x3: w - math.exp(x2 * x3) if k == 1 else w)


def only_the_sum_reaches_x2(*p):  # w2 keeps what w4 sends, not w5's
    return h_adjoints_with(*p, change=lambda k, w, x1, x2, x3: math.exp(x2 * x3) if k == 1 else w)


def exp_partial_one(x1, x2, x3):  # w5_bar = w6_bar * 1
    s, e = x1 + x2, math.exp(x2 * x3)
    return [e, e + s * x3, s * x2, e, s, s, 1.0]


def exp_partial_w5(x1, x2, x3):  # w5_bar = w6_bar * w5
    s, e, w5 = x1 + x2, math.exp(x2 * x3), x2 * x3
    return [e, e + s * w5 * x3, s * w5 * x2, e, s * w5, s, 1.0]


def factors_swapped(x1, x2, x3):  # d(w2 w3)/dw2 taken as w2
    s, e = x1 + x2, math.exp(x2 * x3)
    return [e, e + s * e * x2, s * e * x3, e, s * e, s, 1.0]


test_h_adjoints_mistakes = mistake_hints(
    ch3.h_adjoints,
    [
        (fan_in_lost_at_x2, "read by two units"),
        (only_the_sum_reaches_x2, "read by two units"),
        (exp_partial_one, "is not 1"),
        (exp_partial_w5, "not w5 itself"),
        (factors_swapped, "the other factor"),
        (lambda *p: [0.0] * 7, "seed"),
        (lambda *p: h_adjoints_closed_form(*p)[::-1], "listed top down"),
        (lambda *p: h_adjoints_closed_form(*p)[:6], "7 units"),
        (lambda *p: [*h_adjoints_closed_form(*p)[:6], ...], "w̄7 is still Ellipsis"),
        (lambda *p: [1.0] * 7, "Sweep back from the seed"),
        (lambda *p: h_adjoints_closed_form(1.0, 0.5, -0.5), "Sweep back"),  # hard-coded
        (lambda *p: "adjoints", "h_adjoints"),
    ],
)


def test_h_adjoints_repeated_fan_in_mistake_gets_a_closer_hint():
    first = hint(ch3.h_adjoints, fan_in_lost_at_x2)
    again = hint(ch3.h_adjoints, fan_in_lost_at_x2)
    assert "What does its adjoint receive" in first
    assert "w4 = w1 + w2 and by w5 = w2 w3" in again


def test_h_adjoints_stub_and_a_raising_function():
    assert status(ch3.h_adjoints, h_stub) == "not attempted"
    assert status(ch3.h_adjoints, ...) == "not attempted"
    assert "ZeroDivisionError" in hint(ch3.h_adjoints, lambda *p: 1 / 0)


# --- chapter 4: forward versus reverse ---------------------------------------------------


def by_columns(F, x):
    return np.column_stack([ad.jvp(F, (x,), (e,))[1] for e in np.eye(x.size)])


def by_rows_as_columns(F, x):
    return np.vstack([ad.jvp(F, (x,), (e,))[1] for e in np.eye(x.size)])


def test_jacobian_by_columns():
    assert status(ch4.jacobian_by_columns, by_columns) == "correct"
    assert "transposed" in hint(ch4.jacobian_by_columns, by_rows_as_columns)
    assert "shape" in said(ch4.jacobian_by_columns, lambda F, x: ad.jvp(F, (x,), (x,))[1])
    assert "unit vector" in hint(ch4.jacobian_by_columns, lambda F, x: np.ones((2, 2)))
    assert "2-D array of numbers" in hint(ch4.jacobian_by_columns, lambda F, x: "J")
    assert "NameError" in hint(ch4.jacobian_by_columns, lambda F, x: J)  # noqa: F821


def test_jacobian_by_columns_transposed_on_a_wide_function():
    """Right on the square F only when transposed by luck: the 3-input F has shape (2, 3)."""

    def square_right_wide_wrong(F, x):
        J = by_columns(F, x)
        return J if J.shape[0] == J.shape[1] else J.T

    assert "transposed" in hint(ch4.jacobian_by_columns, square_right_wide_wrong)


def test_jacobian_by_columns_stub():
    def stub(F, x): ...

    def not_implemented(F, x):
        raise NotImplementedError

    assert status(ch4.jacobian_by_columns, stub) == "not attempted"
    assert status(ch4.jacobian_by_columns, not_implemented) == "not attempted"


def test_which_mode():
    assert status(ch4.which_mode, ("reverse", "forward", "reverse")) == "correct"
    assert status(ch4.which_mode, ["Reverse ", "FORWARD", "rev"]) == "correct"
    assert "(a)" in hint(ch4.which_mode, ("forward", "forward", "reverse"))
    assert "(b)" in hint(ch4.which_mode, ("reverse", "reverse", "reverse"))
    assert "n = 20" in hint(ch4.which_mode, ("reverse", "forward", "forward"))
    assert "three words" in hint(ch4.which_mode, "reverse")
    assert "three functions" in hint(ch4.which_mode, ("reverse", "forward"))
    assert '"forward" or "reverse"' in hint(ch4.which_mode, ("reverse", 1, "reverse"))
    assert '"forward" or "reverse"' in hint(ch4.which_mode, ("reverse", "sideways", "reverse"))


def test_which_mode_takes_the_other_names_of_the_modes():
    # the issue: "backward" was refused
    assert status(ch4.which_mode, ("backward", "forward", "backward")) == "correct"
    assert status(ch4.which_mode, ("Reverse mode", "forward-mode", "adjoint")) == "correct"


def test_sweeps_products():
    # n = 300, m = 20: J v is one forward sweep, ȳᵀJ one reverse sweep
    assert status(ch4.sweeps_products, 2) == "correct"
    assert status(ch4.sweeps_products, 2.0) == "correct"
    assert "whole Jacobian" in hint(ch4.sweeps_products, 20)
    assert "by columns" in hint(ch4.sweeps_products, 300)
    assert "Count both" in hint(ch4.sweeps_products, 1)
    for near in (2.02, 1.99, 20.02):
        assert "whole number" in hint(ch4.sweeps_products, near)


def test_complex_step():
    def right(g, x):
        return np.imag(g(x + 1e-20j)) / 1e-20

    def big_complex_step(g, x):
        return np.imag(g(x + 1e-3j)) / 1e-3

    def forward_difference(g, x):
        return (g(x + 1e-7) - g(x)) / 1e-7

    def complex_result(g, x):
        return g(x + 1e-20j) / 1e-20

    def real_part(g, x):
        return np.real(g(x + 1e-20j))

    def no_division(g, x):
        return np.imag(g(x + 1e-20j))

    def math_sin(g, x):
        return math.sin(x + 1e-20j)

    def stub(g, x): ...

    assert status(ch4.complex_step, right) == "correct"
    assert "last digit" in hint(ch4.complex_step, big_complex_step)
    assert "wrong method" in hint(ch4.complex_step, forward_difference)
    assert "complex number" in hint(ch4.complex_step, complex_result)
    assert "real part" in hint(ch4.complex_step, real_part)
    assert "divide it by h" in hint(ch4.complex_step, no_division)
    assert "TypeError" in hint(ch4.complex_step, math_sin)
    assert status(ch4.complex_step, stub) == "not attempted"


def test_best_step():
    # the forward difference is best near 2 sqrt(eps |f| / |f''|), about 8e-8, at (2, 3)
    eps = np.finfo(float).eps
    best = 2 * math.sqrt(eps * (6 + math.sin(2.0)) / math.sin(2.0))
    assert status(ch4.best_step, round(math.log10(best))) == "correct"
    assert status(ch4.best_step, -8.25) == "correct"
    assert "rounding" in hint(ch4.best_step, -16)
    assert "central" in hint(ch4.best_step, -5)
    assert "truncation" in hint(ch4.best_step, -1)
    assert "exponent" in hint(ch4.best_step, 1e-8)


# --- chapter 5: beyond ---------------------------------------------------------------------


def newton_right(f, x):
    return x - np.linalg.solve(ad.hessian(f)(x), ad.grad(f)(x))


def test_newton_step():
    def plus(f, x):
        return x + np.linalg.solve(ad.hessian(f)(x), ad.grad(f)(x))

    def gradient_step(f, x):
        return x - ad.grad(f)(x)

    def times_hessian(f, x):
        return x - ad.hessian(f)(x) @ ad.grad(f)(x)

    def the_step(f, x):
        return np.linalg.solve(ad.hessian(f)(x), ad.grad(f)(x))

    def singular(f, x):
        return x - np.linalg.solve(np.zeros((2, 2)), ad.grad(f)(x))

    def stub(f, x): ...

    assert status(ch5.newton_step, newton_right) == "correct"
    assert "minus" in hint(ch5.newton_step, plus)
    assert "gradient step" in hint(ch5.newton_step, gradient_step)
    assert "multiplied by H" in hint(ch5.newton_step, times_hessian)
    assert "new point" in hint(ch5.newton_step, the_step)
    assert "LinAlgError" in hint(ch5.newton_step, singular)
    assert "array of 2 numbers" in hint(ch5.newton_step, lambda f, x: 0.5)
    assert status(ch5.newton_step, stub) == "not attempted"


def test_newton_step_on_a_quadratic_lands_on_its_minimum():
    """The checker's quadratic 1.5 x1² + x1 x2 + x2² - x1 - x2 has its minimum at H⁻¹(1, 1)."""
    H = np.array([[3.0, 1.0], [1.0, 2.0]])
    minimum = np.linalg.solve(H, [1.0, 1.0])

    def jumps_to_the_minimum(f, x):
        return minimum if len(x) == 2 and np.allclose(x, [2.0, -1.0]) else x

    # right on the quadratic, but not a Newton step on the second function
    assert "Hessian" in hint(ch5.newton_step, jumps_to_the_minimum)


def test_gd_step():
    def right(loss, p, lr):
        return p - lr * ad.grad(loss)(p)

    def ascent(loss, p, lr):
        return p + lr * ad.grad(loss)(p)

    def no_rate(loss, p, lr):
        return p - ad.grad(loss)(p)

    def the_step(loss, p, lr):
        return -lr * ad.grad(loss)(p)

    def the_gradient(loss, p, lr):
        return ad.grad(loss)(p)

    def raises(loss, p, lr):
        return p - lr * ad.grad(loss)(p, p)

    def stub(loss, p, lr): ...

    assert status(ch5.gd_step, right) == "correct"
    assert "uphill" in hint(ch5.gd_step, ascent)
    assert "learning rate" in hint(ch5.gd_step, no_rate)
    assert "the step" in hint(ch5.gd_step, the_step)
    assert "That is the gradient" in hint(ch5.gd_step, the_gradient)
    assert "Error" in hint(ch5.gd_step, raises)
    assert status(ch5.gd_step, stub) == "not attempted"


def test_hessian_of_g():
    # g = x1² x2 + exp(x2): H = [[2 x2, 2 x1], [2 x1, exp(x2)]] at (1, 0)
    x1, x2 = 1.0, 0.0
    right = [[2 * x2, 2 * x1], [2 * x1, math.exp(x2)]]
    assert status(ch5.hessian_of_g, right) == "correct"
    assert status(ch5.hessian_of_g, np.array(right)) == "correct"
    assert "2 x2" in hint(ch5.hessian_of_g, [[2.0, 2.0], [2.0, 1.0]])
    assert "2 x1" in hint(ch5.hessian_of_g, [[0.0, 1.0], [1.0, 1.0]])
    assert "exp(x2)" in hint(ch5.hessian_of_g, [[0.0, 2.0], [2.0, 0.0]])
    assert "symmetric" in hint(ch5.hessian_of_g, [[0.0, 2.0], [0.0, 1.0]])
    assert "2 by 2" in hint(ch5.hessian_of_g, [0.0, 1.0])
    assert "array of numbers" in hint(ch5.hessian_of_g, [["a", 2.0], [2.0, 1.0]])
    assert "First the gradient" in hint(ch5.hessian_of_g, [[5.0, 5.0], [5.0, 5.0]])


def test_nested():
    # d/dy (x y) = x, so d/dx [x * x] = 2x = 4 at x = 2
    assert status(ch5.nested, 2 * 2.0) == "correct"
    assert "confused" in hint(ch5.nested, 3.0)
    assert "depends on x" in hint(ch5.nested, 2.0)
    assert "x + y" in hint(ch5.nested, 1.0)


def test_nested_confused_value_is_what_untagged_duals_give():
    """The hint's 3 is what the naive duals of chapter 5 compute."""

    class Naive:
        def __init__(self, value, tangent=0.0):
            self.value, self.tangent = value, tangent

        def __mul__(self, other):
            other = other if isinstance(other, Naive) else Naive(other)
            return Naive(
                self.value * other.value, self.tangent * other.value + self.value * other.tangent
            )

        __rmul__ = __mul__

    def derivative(g, x):
        return g(Naive(x, 1.0)).tangent

    confused = derivative(lambda x: x * derivative(lambda y: x * y, 1.0), 2.0)
    assert confused == 3.0
    assert "confused" in hint(ch5.nested, confused)


def test_learning_rate_limit():
    # L = 2 p1² + 0.5 p2²: curvatures 4 and 1; diverges above 2 / 4
    assert status(ch5.learning_rate_limit, 2 / 4) == "correct"
    assert "p2" in hint(ch5.learning_rate_limit, 2 / 1)
    assert "fastest" in hint(ch5.learning_rate_limit, 1 / 4)
    assert "curvature" in hint(ch5.learning_rate_limit, 4.0)
    assert "diag(4, 1)" in hint(ch5.learning_rate_limit, 0.1)


def test_learning_rate_limit_is_where_descent_starts_to_diverge():
    """Run gradient descent on 2 p1² + 0.5 p2² just below and just above 0.5."""

    def run(lr, steps=200):
        p = np.array([1.0, 1.0])
        for _ in range(steps):
            p = p - lr * np.array([4 * p[0], p[1]])
        return np.abs(p).max()

    assert run(0.49) < 1e-3
    assert run(0.51) > 1e3
    assert status(ch5.learning_rate_limit, 0.5) == "correct"


@pytest.mark.parametrize(
    "check",
    [
        ch3.adjoint_x1,
        ch3.square_square,
        ch4.which_mode,
        ch4.sweeps_products,
        ch4.best_step,
        ch5.hessian_of_g,
        ch5.nested,
        ch5.learning_rate_limit,
    ],
)
def test_answers_left_as_dots_are_not_attempted(check, capsys):
    check(...)
    out = capsys.readouterr().out
    assert "Not attempted" in out
    assert "answer = ..." in out
    assert "Traceback" not in out
