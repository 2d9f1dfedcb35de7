"""Checkers of chapter 8: right answers pass (written several ways), typical mistakes get
their hint, right numbers by a wrong method are refused, stubs say Not attempted.

Expected values are worked out here by hand (counts, shapes) or by a method the checker
does not use (finite differences written here), never read from the checker.
"""

from __future__ import annotations

import numpy as np
import pytest
from exercise_support import hint, mistake_hints, status

import adlearn as ad
from adlearn.exercises import ch8

# --- 8.1: gradient shapes --------------------------------------------------------------------

RIGHT_SHAPES = [(3, 5), (5,), (5, 4), (4,), (4, 1), (1,)]


@pytest.mark.parametrize(
    "answer",
    [
        RIGHT_SHAPES,
        tuple(RIGHT_SHAPES),
        [[3, 5], [5], [5, 4], [4], [4, 1], [1]],
        [(3, 5), 5, (5, 4), 4, (4, 1), 1],  # a bias's length without the tuple
        [np.zeros((3, 5)).shape, (np.int64(5),), (5, 4), (4,), (4, 1), (1,)],
    ],
)
def test_gradient_shapes_right(answer):
    assert status(ch8.gradient_shapes, answer) == "correct"


test_gradient_shapes_mistakes = mistake_hints(
    ch8.gradient_shapes,
    [
        ([(5, 3), (5,), (4, 5), (4,), (1, 4), (1,)], "transposed"),
        ([(50, 3, 5), (50, 5), (50, 5, 4), (50, 4), (50, 4, 1), (50, 1)], "batch"),
        ([(3, 5), (50, 5), (5, 4), (4,), (4, 1), (1,)], "batch"),
        ([(3, 5), (1, 5), (5, 4), (4,), (4, 1), (1,)], "broadcasting"),
        ([(3, 5), (3,), (5, 4), (4,), (4, 1), (1,)], "one entry per output"),
        ([(3, 5), (5,), (4, 5), (4,), (4, 1), (1,)], "Look at W2"),
        ([(50, 5), (50, 4), (50, 1)], "per layer or per activation"),
        ([(3, 5), (5, 4), (4, 1)], "per layer or per activation"),
        ([(3, 5), (5,)], "six arrays"),
        ([(3, 5), "5", (5, 4), (4,), (4, 1), (1,)], "tuple of ints"),
        ("(3, 5), (5,)", "list of six shapes"),
        (42, "list of six shapes"),
    ],
)


def test_gradient_shapes_stub():
    assert status(ch8.gradient_shapes, ...) == "not attempted"


# --- learner functions for 8.2 -----------------------------------------------------------------


def fd_copying(loss, params, k, h):
    g = np.zeros_like(params[k])
    for i in np.ndindex(params[k].shape):
        plus = [p.copy() for p in params]
        minus = [p.copy() for p in params]
        plus[k][i] += h
        minus[k][i] -= h
        g[i] = (loss(plus) - loss(minus)) / (2 * h)
    return g


def fd_in_place(loss, params, k, h):
    """Another right way: perturb the entry in place and put the old value back."""
    p = params[k]
    g = np.empty(p.shape)
    flat = p.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        up = loss(params)
        flat[i] = old - h
        down = loss(params)
        flat[i] = old
        g.flat[i] = (up - down) / (2 * h)
    return g.tolist()  # a nested list is fine too


def fd_in_place_add_subtract(loss, params, k, h):
    """Right too: += h, -= 2h, += h leaves at most a rounding error in the entry."""
    p = params[k].reshape(-1)
    g = np.empty(p.size)
    for i in range(p.size):
        p[i] += h
        up = loss(params)
        p[i] -= 2 * h
        down = loss(params)
        p[i] += h
        g[i] = (up - down) / (2 * h)
    return g.reshape(params[k].shape)


def fd_not_restored(loss, params, k, h):
    p = params[k].reshape(-1)
    g = np.empty(p.size)
    for i in range(p.size):
        p[i] += h
        up = loss(params)
        p[i] -= 2 * h
        down = loss(params)
        g[i] = (up - down) / (2 * h)
    return g.reshape(params[k].shape)


def fd_divides_by_h(loss, params, k, h):
    return 2 * np.asarray(fd_copying(loss, params, k, h))


def fd_forward_difference(loss, params, k, h):
    base = loss(params)
    g = np.zeros_like(params[k])
    for i in np.ndindex(params[k].shape):
        plus = [p.copy() for p in params]
        plus[k][i] += h
        g[i] = (loss(plus) - base) / h
    return g


def fd_all_at_once(loss, params, k, h):
    plus = [p.copy() for p in params]
    minus = [p.copy() for p in params]
    plus[k] = plus[k] + h
    minus[k] = minus[k] - h
    return np.full(params[k].shape, (loss(plus) - loss(minus)) / (2 * h))


def fd_by_ad(loss, params, k, h):
    def of_arrays(*arrays):
        return loss(list(arrays))

    return ad.grad(of_arrays, argnums=k)(*params)


def fd_by_ad_on_the_list(loss, params, k, h):
    return ad.grad(loss)(params)[k]


def fd_by_forward_mode(loss, params, k, h):
    g = np.zeros_like(params[k])
    for i in np.ndindex(params[k].shape):
        e = np.zeros_like(params[k])
        e[i] = 1.0

        def along(t, i=i, e=e):
            ps = list(params)
            ps[k] = params[k] + t * e
            return loss(ps)

        g[i] = ad.derivative(along)(0.0)
    return g


def fd_flat(loss, params, k, h):
    return np.asarray(fd_copying(loss, params, k, h)).ravel()


def fd_flipped(loss, params, k, h):
    return -np.asarray(fd_copying(loss, params, k, h))


def fd_raises(loss, params, k, h):
    return params[k] / 0 + undefined_name  # noqa: F821


def fd_stub(loss, params, k, h):
    ...


# --- 8.2 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [fd_copying, fd_in_place, fd_in_place_add_subtract])
def test_fd_layer_gradient_right(fn):
    assert status(ch8.fd_layer_gradient, fn) == "correct"


test_fd_layer_gradient_mistakes = mistake_hints(
    ch8.fd_layer_gradient,
    [
        (fd_divides_by_h, "2h"),
        (fd_forward_difference, "one-sided"),
        (fd_all_at_once, "one entry at a time"),
        (fd_by_ad, "Right numbers, wrong method"),
        (fd_by_ad_on_the_list, "Right numbers, wrong method"),
        (fd_by_forward_mode, "Right numbers, wrong method"),
        (fd_not_restored, "changed params"),
        (fd_flat, "shape"),
        (fd_flipped, "sign"),
        (fd_raises, "raised"),
    ],
)


def test_fd_layer_gradient_stub():
    assert status(ch8.fd_layer_gradient, fd_stub) == "not attempted"
    assert status(ch8.fd_layer_gradient, ...) == "not attempted"


def test_fd_layer_gradient_hint_does_not_hand_over_code():
    for fn in (fd_divides_by_h, fd_forward_difference, fd_all_at_once, fd_by_ad):
        text = hint(ch8.fd_layer_gradient, fn)
        assert "def " not in text
        assert "for i in" not in text


# --- learner functions for 8.3 -----------------------------------------------------------------


def value_and_grad_list(loss, params):
    """Loss and gradient of a loss of a list, by one reverse sweep over the whole list."""
    return ad.value_and_grad(loss)(params)


def grad_list(loss, params):
    return value_and_grad_list(loss, params)[1]


def step_right(loss, params, lr):
    value, grads = value_and_grad_list(loss, params)
    return [p - lr * g for p, g in zip(params, grads)], value


def step_tuple_and_numpy_value(loss, params, lr):
    """Another right way: tuples, and the value as a numpy float."""
    value, grads = value_and_grad_list(loss, params)
    return tuple(p - lr * g for p, g in zip(params, grads)), np.float64(value)


def step_arrays_as_arguments(loss, params, lr):
    """Right too: the arrays as separate arguments, all of them named in argnums."""

    def of_arrays(*arrays):
        return loss(list(arrays))

    value, grads = ad.value_and_grad(of_arrays, argnums=tuple(range(len(params))))(*params)
    return [p - lr * g for p, g in zip(params, grads)], value


def step_value_evaluated_again(loss, params, lr):
    value = loss(params)  # right numbers, but one evaluation more than the sweep needs
    return [p - lr * g for p, g in zip(params, grad_list(loss, params))], value


def step_value_after(loss, params, lr):
    new = [p - lr * g for p, g in zip(params, grad_list(loss, params))]
    return new, loss(new)


def step_no_value(loss, params, lr):
    return [p - lr * g for p, g in zip(params, grad_list(loss, params))]


def step_value_first(loss, params, lr):
    new, value = step_right(loss, params, lr)
    return value, new


def step_uphill(loss, params, lr):
    value, grads = value_and_grad_list(loss, params)
    return [p + lr * g for p, g in zip(params, grads)], value


def step_no_lr(loss, params, lr):
    value, grads = value_and_grad_list(loss, params)
    return [p - g for p, g in zip(params, grads)], value


def step_returns_step(loss, params, lr):
    value, grads = value_and_grad_list(loss, params)
    return [-lr * g for g in grads], value


def step_returns_gradient(loss, params, lr):
    value, grads = value_and_grad_list(loss, params)
    return list(grads), value


def step_in_place(loss, params, lr):
    value, grads = value_and_grad_list(loss, params)
    for p, g in zip(params, grads):
        p -= lr * g
    return params, value


def step_one_sweep_per_array(loss, params, lr):
    new = []
    for k, p in enumerate(params):

        def of_arrays(*arrays):
            return loss(list(arrays))

        value, g = ad.value_and_grad(of_arrays, argnums=k)(*params)
        new.append(p - lr * g)
    return new, value


def step_finite_differences(loss, params, lr, h=1e-6):
    new = []
    for k, p in enumerate(params):
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            plus = [q.copy() for q in params]
            minus = [q.copy() for q in params]
            plus[k][i] += h
            minus[k][i] -= h
            g[i] = (loss(plus) - loss(minus)) / (2 * h)
        new.append(p - lr * g)
    return new, loss(params)


def step_forward_mode(loss, params, lr):
    new = []
    for k, p in enumerate(params):
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            e = np.zeros_like(p)
            e[i] = 1.0

            def along(t, p=p, k=k, e=e):
                ps = list(params)
                ps[k] = p + t * e
                return loss(ps)

            g[i] = ad.derivative(along)(0.0)
        new.append(p - lr * g)
    return new, loss(params)


def step_no_loss_call(loss, params, lr):
    return [p * (1 - lr) for p in params], 0.0


def step_one_array(loss, params, lr):
    new, _ = step_right(loss, params, lr)
    return np.concatenate([np.ravel(p) for p in new])


def step_drops_one(loss, params, lr):
    new, value = step_right(loss, params, lr)
    return new[:-1], value


def step_stub(loss, params, lr):
    raise NotImplementedError


# --- 8.3 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fn", [step_right, step_tuple_and_numpy_value, step_arrays_as_arguments])
def test_train_step_right(fn):
    assert status(ch8.train_step, fn) == "correct"


test_train_step_mistakes = mistake_hints(
    ch8.train_step,
    [
        (step_uphill, "uphill"),
        (step_no_lr, "learning rate"),
        (step_returns_step, "the step alone"),
        (step_returns_gradient, "That is the gradient"),
        (step_in_place, "changed params"),
        (step_one_sweep_per_array, "reverse sweeps"),
        (step_finite_differences, "Right numbers, wrong method"),
        (step_forward_mode, "forward mode"),
        (step_no_loss_call, "never called the loss"),
        (step_one_array, "(new_params, loss_value)"),
        (step_drops_one, "holds 2 arrays; your new list has 1"),
        (step_no_value, "the new parameters alone"),
        (step_value_first, "(new_params, loss_value)"),
        (step_value_after, "the loss after the step"),
        (step_value_evaluated_again, "one evaluation too many"),
    ],
)


def step_forever(loss, params, lr):
    while True:
        pass


def step_exits(loss, params, lr):
    raise SystemExit


def test_train_step_learner_code_cannot_hang_or_escape(monkeypatch):
    from adlearn.exercises import learner

    monkeypatch.setitem(learner.call.__kwdefaults__, "seconds", 0.3)  # not 5 s per test
    assert "did not finish" in hint(ch8.train_step, step_forever)
    assert "SystemExit" in hint(ch8.train_step, step_exits)


def test_the_network_gradient_the_checkers_trust_agrees_with_central_differences():
    from adlearn import network

    name, loss, params, gradients = ch8._cases()[1]
    assert name == "a [2, 3, 1] network"
    estimate = network.central_differences(loss, params, h=1e-6)
    for g, g_fd in zip(gradients, estimate):
        assert np.max(np.abs(g - g_fd)) < 1e-8


def test_train_step_stub():
    assert status(ch8.train_step, step_stub) == "not attempted"


def test_train_step_finite_differences_are_close_but_not_accepted():
    """The wrong method's numbers agree to about 1e-8: only the method tells them apart."""
    verdict = ch8.train_step.judge(step_finite_differences)
    assert verdict.status == "not yet"
    assert "plain numbers" in verdict.hint


# --- 8.4 and 8.5 -------------------------------------------------------------------------------


def test_fd_evaluations_right():
    # weights 2·32 + 32·32 + 32·1 = 1120, biases 32 + 32 + 1 = 65: 1185 parameters
    assert status(ch8.fd_evaluations, 2370) == "correct"
    assert status(ch8.fd_evaluations, 2370.0) == "correct"
    assert status(ch8.fd_evaluations, np.int64(2370)) == "correct"


test_fd_evaluations_mistakes = mistake_hints(
    ch8.fd_evaluations,
    [
        (1185, "number of parameters"),
        (1186, "one-sided"),
        (2240, "weights only"),
        (1120, "weights only"),
        (1, "reverse mode"),
        (2, "directional"),
        (134, "units"),
        (2369, "Count the parameters"),
        (2371, "Count the parameters"),
        (2370.5, "a whole number"),
        ("2370", "str"),
    ],
)


def test_fd_evaluations_repeated_mistake_gets_a_closer_hint():
    first = hint(ch8.fd_evaluations, 1185)
    second = hint(ch8.fd_evaluations, 1185)
    assert first != second
    assert "Each of the 1185 parameters" in second


@pytest.mark.parametrize(
    ("check", "answer", "closer"),
    [
        (ch8.gradient_shapes, [(5, 3), (5,), (4, 5), (4,), (1, 4), (1,)], "shape (50, 5)"),
        (ch8.fd_layer_gradient, fd_divides_by_h, "2h apart"),
        (ch8.train_step, step_uphill, "opposite sign"),
        (ch8.sum_learning_rate, 0.5, "Which lr"),
    ],
)
def test_a_repeated_mistake_gets_a_closer_hint(check, answer, closer):
    first = hint(check, answer)
    assert closer not in first
    assert closer in hint(check, answer)


def test_fd_evaluations_stub():
    assert status(ch8.fd_evaluations, ...) == "not attempted"


@pytest.mark.parametrize("answer", [0.0025, 0.5 / 200, np.float64(0.0025)])
def test_sum_learning_rate_right(answer):
    assert status(ch8.sum_learning_rate, answer) == "correct"


test_sum_learning_rate_mistakes = mistake_hints(
    ch8.sum_learning_rate,
    [
        (100.0, "multiply the step again"),
        (0.5, "200 times their mean"),
        (0.5 / 199, "exactly 200"),
        (0.5 / np.sqrt(200), "square root"),
        (0.0026, "Compare the gradients"),
        (0.003, "Compare the gradients"),
    ],
)


def test_every_chapter_8_checker_is_registered():
    from adlearn.exercises import CHECKERS

    assert {k for k in CHECKERS if k.startswith("8.")} == {"8.1", "8.2", "8.3", "8.4", "8.5"}


def test_no_hint_hands_over_a_line_of_the_solution_cells():
    """Every hint the mistakes above get is free of the solution code of chapter 8."""
    import re
    from pathlib import Path

    import nbformat

    path = Path(__file__).parent.parent / "notebooks" / "solutions" / "08-training-a-network.ipynb"
    lines = []
    for cell in nbformat.read(path, as_version=4).cells:
        # an answer cell (nbgrader's metadata), or an exercise cell not yet converted (its tag)
        if cell.metadata.get("nbgrader", {}).get("solution") or "solution" in cell.metadata.get(
            "tags", []
        ):
            inside = re.findall(r"#+ BEGIN SOLUTION\n(.*?)#+ END SOLUTION", cell.source, re.DOTALL)
            one_line = re.findall(r"^(.*)# SOLUTION$", cell.source, re.MULTILINE)
            for block in inside + one_line:
                lines += [line.strip() for line in block.splitlines() if len(line.strip()) > 8]
    assert len(lines) >= 10
    hints = []
    for fn in (fd_divides_by_h, fd_forward_difference, fd_all_at_once, fd_by_ad, fd_not_restored,
               fd_flipped):
        hints.append(hint(ch8.fd_layer_gradient, fn))
    for fn in (step_uphill, step_no_lr, step_returns_step, step_returns_gradient, step_in_place,
               step_one_sweep_per_array, step_finite_differences, step_forward_mode):
        hints.append(hint(ch8.train_step, fn))
    for answer in (1185, 1185, 1186, 2240, 2240, 1120, 134):
        hints.append(hint(ch8.fd_evaluations, answer))
    for answer in (100.0, 0.5, 0.5, 0.003):
        hints.append(hint(ch8.sum_learning_rate, answer))
    for text in hints:
        for line in lines:
            assert line not in text, (line, text)
