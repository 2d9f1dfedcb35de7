"""Checkers for chapter 8, training a network: gradient shapes, finite differences, the step.

The code exercises hand the learner's function a *spy* loss: the same loss,
which also counts its calls and notes what it was called with (plain arrays,
forward mode's dual numbers or reverse mode's traced values). So the checkers
see the method as well as the numbers: one reverse sweep per training step, and
finite differences, not AD, where finite differences are asked for.

Examples
--------
>>> from adlearn.exercises import ch8
>>> ch8.fd_evaluations(2370)
Exercise 8.4: Correct! 1185 parameters, two loss evaluations each for central differences: 2370 (reverse mode: one sweep).
"""

from __future__ import annotations

import itertools

import numpy as np

from adlearn import network
from adlearn.exercises.learner import call
from adlearn.exercises.method import kind_of
from adlearn.exercises.verdict import NotYet, attempted, checker, count, exact, number, show

__all__ = ["fd_evaluations", "fd_layer_gradient", "gradient_shapes", "sum_learning_rate",
           "train_step"]


# --- 8.1: the shape of each gradient -------------------------------------------------------

_SIZES = (3, 5, 4, 1)
_BATCH = 50
_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


def _shapes_of(sizes):
    shapes = []
    for fan_in, fan_out in itertools.pairwise(sizes):
        shapes += [(fan_in, fan_out), (fan_out,)]
    return shapes


def _shape(entry):
    """One entry of the learner's list as a tuple of ints, or None."""
    if isinstance(entry, (int, np.integer)) and not isinstance(entry, bool):
        return (int(entry),)  # a bias's length written without the tuple
    if isinstance(entry, (tuple, list)) and all(
        isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in entry
    ):
        return tuple(int(d) for d in entry)
    return None


@checker("8.1", "the shape of each gradient")
def gradient_shapes(answer):
    """The shapes of the six gradient arrays of a [3, 5, 4, 1] network, batch of 50."""
    answer = attempted(answer)
    said = f"your answer: {show(answer)}"
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)):
        raise NotYet(
            "Give a list of six shapes, one per parameter array, such as [(3, 5), (5,), ...].",
            said,
        )
    want = _shapes_of(_SIZES)
    if len(answer) == len(_SIZES) - 1 or len(answer) == len(_SIZES):
        raise NotYet(
            f"You gave {len(answer)} shapes: one per layer or per activation? The parameters "
            "are six arrays, a weight matrix and a bias vector per layer, and each has a "
            "gradient.",
            said,
        )
    if len(answer) != len(want):
        raise NotYet(
            f"The parameters are six arrays (W1, b1, W2, b2, W3, b3); you gave {len(answer)} "
            "shapes.",
            said,
        )
    shapes = [_shape(entry) for entry in answer]
    for name, shape, entry in zip(_NAMES, shapes, answer):
        if shape is None:
            raise NotYet(
                f"The shape of {name} should be a tuple of ints, such as (3, 5); you wrote "
                f"{show(entry)}.",
                said,
            )
    if shapes == want:
        return (
            "Each gradient has the shape of its parameter, ∂L/∂W1 is 3 by 5 like W1: the loss "
            "is one number, averaged over the 50 points, so no batch dimension is left."
        )
    if any(_BATCH in s for s in shapes):
        raise NotYet(
            "A shape holds the batch size 50. The loss averages over the 50 points into one "
            "number, so ∂L/∂W has the shape of W: the batch is summed out in the backward sweep.",
            said,
        )
    if [s[::-1] for s in shapes] == want:
        raise NotYet(
            (
                ("The weight shapes are transposed. A layer computes h @ W + b with h of shape "
                "(points, inputs), so W is (inputs, outputs)."),
                ("The first layer gets h = X of shape (50, 3) and gives (50, 5): which shape of "
                "W1 makes h @ W1 of shape (50, 5)?"),
            ),
            said,
        )
    for name, shape, right in zip(_NAMES, shapes, want):
        if shape != right:
            if name.startswith("b") and np.prod(shape) == right[0]:
                hint = (f"{name} is a vector added to every row of h @ W (broadcasting): its "
                        f"shape has one entry, (outputs,). You wrote {shape}.")
            elif name.startswith("b"):
                hint = (f"Look at {name}: a bias has one entry per output of its layer. The "
                        "layer sizes are [3, 5, 4, 1].")
            else:
                hint = (f"Look at {name}: a weight matrix is (inputs of the layer, outputs of "
                        "the layer). The layer sizes are [3, 5, 4, 1].")
            raise NotYet(hint, said)
    raise NotYet("Compare each shape with its parameter's.", said)  # not reached


# --- a spy loss: the numbers of the loss, and how it was called ------------------------------


class _Spy:
    """A loss of a list of arrays that counts its calls and what their entries were.

    (:class:`~adlearn.exercises.method.Probe` looks at each argument; this loss has one
    argument, a list, so it looks inside the list.)
    """

    def __init__(self, loss):
        self.loss = loss
        self.calls = 0
        self.kinds: list[str] = []  # "plain", "forward" or "reverse", one per call

    def __call__(self, params):
        self.calls += 1
        entries = list(params) if isinstance(params, (list, tuple)) else [params]
        self.kinds.append(kind_of(entries))
        return self.loss(list(params) if isinstance(params, tuple) else params)


def _small_network():
    """A [2, 3, 1] network on 12 two-moons points (the chapter's model, smaller)."""
    from adlearn.datasets import two_moons

    X, y = two_moons(n=12, noise=0.1, seed=3)
    params = network.init_params([2, 3, 1], seed=4)
    params = [p + 0.1 * (k + 1) for k, p in enumerate(params)]  # biases not all zero

    def loss(ps):
        return network.cross_entropy(ps, X, y)

    return loss, params


def _quadratic(seed=None):
    """L(A, c) = sum(A²) · c₀ + sum(c³): closed-form gradient (2 c₀ A, 3 c² + e₀ sum(A²)).

    At a fixed point, or at a seeded random one (so that an answer fitted to the
    fixed point fails).
    """
    A = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    c = np.array([0.8, -1.2])
    if seed is not None:
        rng = np.random.default_rng(seed)
        A = np.round(rng.uniform(-2.0, 2.0, A.shape), 2)
        c = np.round(rng.uniform(-2.0, 2.0, c.shape), 2)

    def loss(ps):
        A_, c_ = ps
        return np.sum(A_ * A_) * c_[0] + np.sum(c_ * c_ * c_)

    def gradient(ps):
        A_, c_ = ps
        g_c = 3.0 * c_ * c_
        g_c[0] += np.sum(A_ * A_)
        return [2.0 * c_[0] * A_, g_c]

    return loss, [A, c], gradient


def _cases():
    """(name, loss, params, exact gradient): a closed form, a network, a random point."""
    cases = []
    for seed, where in ((None, ""), (88, " at a random point")):
        loss, params, grad = _quadratic(seed)
        cases.append((f"L(A, c) = sum(A²) c₀ + sum(c³){where}", loss, params, grad(params)))
    net_loss, net_params = _small_network()
    # the network's gradient by the package's reverse mode, checked against central
    # differences in tests/test_exercises_ch8.py
    cases.insert(1, ("a [2, 3, 1] network", net_loss, net_params,
                     network.gradient(net_loss, net_params)))
    return cases


def _unchanged(params, copies, what):
    for k, (p, q) in enumerate(zip(params, copies)):
        # a tolerance of rounding: p[i] += h, then p[i] -= h, may not restore the last bit
        if np.shape(p) != np.shape(q) or not np.allclose(p, q, rtol=1e-12, atol=1e-15):
            raise NotYet(
                f"{what} changed params[{k}], the array it was given. Work on a copy "
                "(p.copy(), or new arrays from p - ...): the caller's parameters must stay as "
                "they were."
            )


# --- 8.2: the gradient of one layer by central differences ---------------------------------

_H = 1e-5


@checker("8.2", "one layer's gradient by finite differences")
def fd_layer_gradient(fn):
    """``fn(loss, params, k, h)``: central differences for every entry of ``params[k]``."""
    for name, loss, params, gradients in _cases():
        for k in range(len(params)):
            given = [p.copy() for p in params]
            spy = _Spy(loss)
            out = call(fn, spy, given, k, _H, name="fd_layer_gradient")
            _method_of_fd(spy, params[k].size, name, k)
            _unchanged(given, params, "fd_layer_gradient")
            try:
                got = np.asarray(out, dtype=float)
            except (TypeError, ValueError):
                raise NotYet(
                    f"fd_layer_gradient returned {show(out)}: return an array of the shape of "
                    f"params[k], {params[k].shape}."
                ) from None
            said = f"for {name}, k = {k}: you gave {show(np.round(got, 4).tolist())}"
            if got.shape != params[k].shape:
                raise NotYet(
                    f"The gradient of params[{k}] has its shape, {params[k].shape}; yours has "
                    f"shape {got.shape}.",
                    said,
                )
            want = gradients[k]
            error = np.max(np.abs(got - want)) / max(1.0, float(np.max(np.abs(want))))
            if error < 1e-6:
                continue
            if np.allclose(got, 2 * want, rtol=1e-4, atol=1e-8):
                raise NotYet(
                    (
                        ("Every entry is twice the derivative: the central difference "
                        "(L(p + h) - L(p - h)) divides by the distance between the two points, "
                        "2h."),
                        ("p + h and p - h are 2h apart: the slope between them is the difference "
                        "of the losses over 2h, not over h."),
                    ),
                    said,
                )
            if np.allclose(got, want / 2, rtol=1e-4, atol=1e-8):
                raise NotYet(
                    "Every entry is half the derivative: (L(p + h) - L(p - h)) / (2h), "
                    "with h, not 2h, added to the entry.",
                    said,
                )
            if np.allclose(got, -want, rtol=1e-4, atol=1e-8):
                raise NotYet("The sign is flipped: L(p + h) comes first, then - L(p - h).", said)
            raise NotYet(
                "Some entries are off. For each entry: copy the arrays, add h to that one entry "
                "only, evaluate, then subtract h instead, evaluate, and divide the difference "
                "by 2h. Put the entry back before the next one.",
                said,
            )
    return (
        "2 evaluations of the loss per entry: this check of one layer took 2 × its size "
        "evaluations, where one reverse sweep gives every layer at once."
    )


def _method_of_fd(spy, size, name, k):
    if "reverse" in spy.kinds or "forward" in spy.kinds:
        raise NotYet(
            "Right numbers, wrong method: your code differentiates the loss with AD "
            f"({'reverse' if 'reverse' in spy.kinds else 'forward'} mode). This exercise is "
            "the independent check of AD, so use only evaluations of the loss at nearby "
            "points."
        )
    if spy.calls in (size, size + 1) and size > 1:
        raise NotYet(
            f"For {name}, k = {k}, your code evaluated the loss {spy.calls} times for "
            f"{size} entries: a one-sided difference, (L(p + h) - L(p)) / h, whose error is "
            "of order h. Use the central difference: L at p + h and at p - h for each entry."
        )
    if spy.calls < 2 * size:
        raise NotYet(
            f"For {name}, k = {k}, your code evaluated the loss {spy.calls} times for "
            f"{size} entries. Each entry needs its own two evaluations: change one entry at a "
            "time (changing them all at once gives one directional derivative, not the "
            "gradient)."
        )


# --- 8.3: the training step ----------------------------------------------------------------


@checker("8.3", "a training step")
def train_step(fn):
    """``fn(loss, params, lr)``: (the new list p - lr ∂L/∂p, L(p)), from one reverse sweep."""
    for lr, (name, loss, params, gradients) in zip((0.1, 0.5, 0.05), _cases()):
        copies = [p.copy() for p in params]
        value = float(loss(copies))
        spy = _Spy(loss)
        out = call(fn, spy, params, lr, name="train_step")
        _unchanged(params, copies, "train_step")
        new, got_value = _step_result(out, params, name)
        _method_of_step(spy, name)
        said = f"for {name}, lr = {lr}: you gave {show([np.round(p, 3).tolist() for p in new])}"
        right = [p - lr * g for p, g in zip(copies, gradients)]
        if not all(exact(a, b) for a, b in zip(new, right)):
            _diagnose_step(new, copies, gradients, lr, said)
        said = f"for {name}, lr = {lr}: you gave the loss {show(got_value)}"
        if exact(got_value, value):
            _one_evaluation(spy, name)
            continue
        if exact(got_value, float(loss(right))):
            raise NotYet(
                "That is the loss after the step. Return the loss at the params you were "
                "given: the value the reverse sweep computed on its way.",
                said,
            )
        raise NotYet(
            "The second thing to return is the loss at params, the number the sweep's "
            "forward part computed.",
            said,
        )
    return (
        "One reverse sweep gives the loss and the gradient of every array; each array then "
        "moves by -lr times its own gradient."
    )


def _diagnose_step(new, copies, gradients, lr, said):
    for wrong, hint in [
        ([p + lr * g for p, g in zip(copies, gradients)],
         ("That goes uphill: the gradient points to where the loss grows, so subtract it.",
          ("Your step moves each array along +lr times its gradient, up the loss; the step "
           "downhill has the opposite sign."))),
        ([p - g for p, g in zip(copies, gradients)],
         "The step is the gradient times the learning rate lr."),
        ([-lr * g for g in gradients],
         "That is the step alone; return the new parameters, each array plus its step."),
        (gradients, "That is the gradient; return the new parameters."),
    ]:
        if all(np.allclose(a, b, rtol=1e-9, atol=1e-12) for a, b in zip(new, wrong)):
            raise NotYet(hint, said)
    raise NotYet(
        "Take the gradient of the loss with respect to the whole list once, then subtract lr "
        "times each gradient array from its parameter array.",
        said,
    )


def _method_of_step(spy, name):
    if spy.calls == 0:
        raise NotYet("Your train_step never called the loss: its gradient says where to go.")
    if "forward" in spy.kinds:
        raise NotYet(
            "Right idea, wrong mode: your code differentiates the loss in forward mode, one "
            "sweep per parameter. Reverse mode gives the whole gradient in one sweep."
        )
    sweeps = spy.kinds.count("reverse")
    if sweeps == 0:
        raise NotYet(
            f"Right numbers, wrong method: for {name} your code evaluated the loss "
            f"{spy.calls} times with plain numbers (finite differences?). Use reverse mode: "
            "one sweep gives the whole gradient, exactly."
        )
    if sweeps > 1:
        raise NotYet(
            f"For {name} your code made {sweeps} reverse sweeps. One sweep gives the gradient "
            "with respect to every array of the list at once: take it once per step."
        )


def _one_evaluation(spy, name):
    if spy.calls > 1:
        raise NotYet(
            (
                (f"Right numbers, one evaluation too many: for {name} your code ran the loss "
                f"{spy.calls} times. The reverse sweep computes the loss on its way to the "
                "gradient; take the value from the sweep."),
                ("Chapter 3's ad.value_and_grad returns both the value and the gradient of one "
                "sweep."),
            )
        )


def _not_scalar(x) -> bool:
    try:
        return np.ndim(x) != 0
    except ValueError:  # a ragged list of arrays
        return True


def _step_result(out, params, name):
    """The learner's (new list, loss value), or Not yet saying what the pair should be."""
    pair = "return two things, (new_params, loss_value): the new list and the loss at params"
    if isinstance(out, np.ndarray) or not isinstance(out, (list, tuple)):
        raise NotYet(f"train_step returned {show(out)}: {pair}.")
    if len(out) == 2 and isinstance(out[1], (list, tuple)) and np.ndim(out[0]) == 0:
        raise NotYet(f"train_step returned the loss first: {pair}, in that order.")
    if len(out) != 2 or not isinstance(out[0], (list, tuple)) or _not_scalar(out[1]):
        same = len(out) == len(params) and all(
            np.shape(p) == np.shape(q) for p, q in zip(out, params)
        )
        if same:
            raise NotYet(f"train_step returned the new parameters alone: {pair}.")
        raise NotYet(f"train_step returned {show(out)}: {pair}.")
    new_list, value = out
    if len(new_list) != len(params):
        raise NotYet(
            f"For {name} params holds {len(params)} arrays; your new list has {len(new_list)}."
        )
    new = []
    for k, (p, q) in enumerate(zip(new_list, params)):
        try:
            a = np.asarray(p, dtype=float)
        except (TypeError, ValueError):
            raise NotYet(
                f"Entry {k} of your new list is {show(p)}, not an array of numbers."
            ) from None
        if a.shape != q.shape:
            raise NotYet(
                f"For {name} entry {k} of your new list has shape {a.shape}; params[{k}] has "
                f"shape {q.shape}."
            )
        new.append(a)
    return new, number(value, "loss value")


# --- 8.4 and 8.5: counts and rates -----------------------------------------------------------


_WEIGHTS = 2 * 32 + 32 * 32 + 32 * 1  # 1120 in a [2, 32, 32, 1] network
_BIASES = 32 + 32 + 1  # 65
_N = _WEIGHTS + _BIASES  # 1185 parameters

#: typical counts for exercise 8.4, each with its hints (first nudge, then closer)
_COUNT_MISTAKES = {
    _N: (
        (
            "That is the number of parameters. Central differences evaluate the loss twice "
            "per parameter, at p + h and at p - h."
        ),
        (
            f"Each of the {_N} parameters needs L(p + h) and L(p - h), with only that "
            "parameter moved: two evaluations each."
        ),
    ),
    _N + 1: (
        "That is a one-sided difference's count (n + 1). Central differences take two "
        "evaluations per parameter."
    ),
    2 * _WEIGHTS: (
        (
            "You counted the weights only: each layer's bias vector has parameters too, one "
            "per output."
        ),
        (
            "The biases: 32 + 32 + 1 numbers, one per output of each layer. Add them to the "
            "weights before doubling."
        ),
    ),
    _WEIGHTS: (
        "You counted the weights only, and one evaluation each: the biases are parameters "
        "too, and central differences take two evaluations per parameter."
    ),
    1: "One is reverse mode's count of sweeps. The question asks for finite differences.",
    2: "Two evaluations give one directional derivative; the gradient needs two per parameter.",
    2 * (2 + 32 + 32 + 1): (
        "You counted units (neurons), not parameters: every connection has a weight."
    ),
    2 * (_N + 2): "The inputs x are data, not parameters: count only the weights and biases.",
}


@checker("8.4", "finite differences for a bigger network")
def fd_evaluations(answer):
    """Loss evaluations for the full gradient of a [2, 32, 32, 1] network by central differences."""
    x = count(answer)
    said = f"your answer: {show(answer)}"
    if x == 2 * _N:
        return (
            f"{_N} parameters, two loss evaluations each for central differences: {2 * _N} "
            "(reverse mode: one sweep)."
        )
    if x in _COUNT_MISTAKES:
        raise NotYet(_COUNT_MISTAKES[x], said)
    raise NotYet(
        "Count the parameters layer by layer (inputs × outputs weights plus outputs biases), "
        "then multiply by the evaluations a central difference takes per parameter.",
        said,
    )


#: typical rates for exercise 8.5, each with its hint (or hints, first nudge then closer)
_RATE_MISTAKES = [
    (
        0.5 * 200,
        (
            "The sum's gradient is already 200 times larger: a larger learning rate would "
            "multiply the step again. The step is lr × gradient: keep it the same."
        ),
    ),
    (
        0.5,
        (
            (
                "The loss changed, so its gradient did: the sum of 200 terms is 200 times "
                "their mean, and so is its gradient."
            ),
            (
                "Write the step with the sum: lr × ∂(sum)/∂p = lr × 200 × ∂(mean)/∂p. Which lr "
                "makes that equal to 0.5 × ∂(mean)/∂p?"
            ),
        ),
    ),
    (0.5 / 199, "There are 200 points, so the sum is exactly 200 times the mean."),
    (
        0.5 / np.sqrt(200),
        (
            "The gradient scales with 200, not its square root: the sum is 200 times the "
            "mean, term by term."
        ),
    ),
]


@checker("8.5", "the learning rate of a summed loss")
def sum_learning_rate(answer):
    """The rate that trains the same with the sum over 200 points as lr = 0.5 with the mean."""
    x = number(answer)
    said = f"your answer: {show(answer)}"
    if exact(x, 0.5 / 200):
        return (
            "The sum is 200 times the mean, so its gradient is 200 times larger; the step "
            "lr × gradient stays the same with lr = 0.5 / 200 = 0.0025."
        )
    for wrong, hint in _RATE_MISTAKES:
        if exact(x, wrong):
            raise NotYet(hint, said)
    raise NotYet(
        "Compare the gradients of the mean and of the sum, then choose lr so that lr × "
        "gradient, the step, is the same.",
        said,
    )
