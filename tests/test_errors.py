"""Bad input gets a clear error that names the operation and what is wrong with it.

And domain errors follow numpy's semantics: inf or nan with numpy's
RuntimeWarning, the same on a Python float as on an array.
"""

from __future__ import annotations

import itertools
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from test_rules import ELEMENTWISE

import adlearn as ad
from adlearn.examples import running_example as f

# --- bad inputs, for every entry point ------------------------------------------------

# value -> what the message must say about it
BAD_INPUTS = {
    "str": ("2.0", r"is a str \('2.0'\); expected a float or a numpy array of floats"),
    "None": (None, r"is a NoneType \(None\); expected a float"),
    "bool": (True, r"is a bool \(True\)"),
    "list": ([1.0, 2.0], r"is a list; pass np.array\(\[1.0, 2.0\]\)"),
    "tuple": ((1.0,), r"is a tuple; pass np.array"),
    "dict": ({}, r"is a dict \(\{\}\)"),
    "complex": (1j, r"is complex \(1j\); adlearn differentiates real functions"),
    "complex array": (np.array([1j]), r"is complex \(array\(\[0.\+1.j\]\)\)"),
    "str array": (np.array(["a"]), r"is an array of dtype <U1"),
    "bool array": (np.array([True]), r"is an array of dtype bool"),
    "object array": (np.array([1.0, None]), r"is an array of dtype object"),
}

# name -> a call that passes the bad value as argument 0 (the second argument is 3.0)
ENTRY_POINTS = {
    "grad": lambda x: ad.grad(f)(x, 3.0),
    "value_and_grad": lambda x: ad.value_and_grad(f)(x, 3.0),
    "derivative": lambda x: ad.derivative(f)(x, 3.0),
    "jacfwd": lambda x: ad.jacfwd(f)(x, 3.0),
    "jacrev": lambda x: ad.jacrev(f)(x, 3.0),
    "hessian": lambda x: ad.hessian(f)(x, 3.0),
    "jvp": lambda x: ad.jvp(f, (x, 3.0), (1.0, 0.0)),
    "vjp": lambda x: ad.vjp(f, x, 3.0),
    "hvp": lambda x: ad.hvp(f, (x, 3.0), (1.0, 0.0)),
    "trace": lambda x: ad.trace(f, x, 3.0),
    "check_grad": lambda x: ad.check_grad(f, x, 3.0),
}


# Entry points that take containers of parameters (JAX's pytrees): there a list,
# a tuple or a dict is a container, and each of its leaves is checked.
TREES = {"grad", "value_and_grad", "jacfwd", "jacrev", "jvp", "vjp", "hessian", "hvp", "check_grad"}
# Entry points that refuse a container where they differentiate, saying why.
NO_TREES = {
    "derivative": r"derivative seeds one float or array with 1.0, and a container has no single",
    "trace": r"a trace has one input unit per argument, a float or an array",
}
CONTAINERS = {"list", "tuple", "dict"}
BAD_CASES = [
    (entry, bad)
    for entry in ENTRY_POINTS
    for bad in BAD_INPUTS
    if not ((entry in TREES or entry in NO_TREES) and bad in CONTAINERS)
]


@pytest.mark.parametrize(("entry", "bad"), BAD_CASES)
def test_bad_input_names_the_entry_point_the_argument_and_its_type(entry, bad):
    value, message = BAD_INPUTS[bad]
    name = "grad" if entry == "value_and_grad" else entry  # value_and_grad is grad's engine
    with pytest.raises(TypeError, match=rf"^{name}: argument 0 {message}"):
        ENTRY_POINTS[entry](value)


TRANSFORMATIONS = {
    "grad": lambda g: ad.grad(g),
    "value_and_grad": lambda g: ad.value_and_grad(g),
    "derivative": lambda g: ad.derivative(g),
    "jacfwd": lambda g: ad.jacfwd(g),
    "jacrev": lambda g: ad.jacrev(g),
    "hessian": lambda g: ad.hessian(g),
    "jvp": lambda g: ad.jvp(g, (2.0,), (1.0,)),
    "vjp": lambda g: ad.vjp(g, 2.0),
    "hvp": lambda g: ad.hvp(g, (2.0,), (1.0,)),
}


@pytest.mark.parametrize("entry", sorted(TRANSFORMATIONS))
@pytest.mark.parametrize(("g", "shown"), [(3, "int 3"), ("f", "str 'f'"), (None, "NoneType None")])
def test_a_function_that_is_not_one_is_named_when_it_is_given(entry, g, shown):
    """Python would say "'int' object is not callable", naming neither the call nor the value."""
    with pytest.raises(TypeError, match=rf"^{entry}: expected a function to differentiate, got {shown}$"):
        TRANSFORMATIONS[entry](g)


@pytest.mark.parametrize("entry", sorted(NO_TREES))
@pytest.mark.parametrize("bad", sorted(CONTAINERS))
def test_a_container_where_none_can_be_differentiated_says_why(entry, bad):
    value, _ = BAD_INPUTS[bad]
    kind = type(value).__name__
    with pytest.raises(TypeError, match=rf"^{entry}: argument 0 is a {kind}; {NO_TREES[entry]}"):
        ENTRY_POINTS[entry](value)


@pytest.mark.parametrize("entry", sorted(TREES))
@pytest.mark.parametrize("bad", sorted(set(BAD_INPUTS) - CONTAINERS))
def test_a_bad_leaf_of_a_container_is_named_by_its_place(entry, bad):
    value, message = BAD_INPUTS[bad]
    name = "grad" if entry == "value_and_grad" else entry
    with pytest.raises(TypeError, match=rf"^{name}: argument 0\[1\]\['b'\] {message}"):
        ENTRY_POINTS[entry]([1.0, {"a": 2.0, "b": value}])


def test_a_tangent_or_cotangent_of_another_structure():
    with pytest.raises(TypeError, match=r"^jvp: tangent 1 must have the structure of primal 1"):
        ad.jvp(f, (2.0, 3.0), (1.0, [1.0, 2.0]))
    with pytest.raises(TypeError, match=r"^hvp: tangent 0 must have the structure of primal 0"):
        ad.hvp(f, (2.0, 3.0), ([1.0, 2.0], 1.0))
    _, vjp_fn = ad.vjp(f, 2.0, 3.0)
    with pytest.raises(TypeError, match=r"^vjp: the cotangent must have the structure"):
        vjp_fn([1.0, 2.0])


@pytest.mark.parametrize("bad", ["str", "None", "complex"])
def test_bad_tangents_and_cotangents(bad):
    value, message = BAD_INPUTS[bad]
    with pytest.raises(TypeError, match=rf"^jvp: tangent 1 {message}"):
        ad.jvp(f, (2.0, 3.0), (1.0, value))
    with pytest.raises(TypeError, match=rf"^hvp: tangent 0 {message}"):
        ad.hvp(f, (2.0, 3.0), (value, 1.0))
    _, vjp_fn = ad.vjp(f, 2.0, 3.0)
    with pytest.raises(TypeError, match=rf"^vjp: cotangent 0 {message}"):
        vjp_fn(value)


def test_tangents_of_the_wrong_shape_or_number():
    with pytest.raises(ValueError, match=r"^jvp: tangent 0 has shape \(2,\), but its primal"):
        ad.jvp(np.sin, (np.ones(3),), (np.ones(2),))
    with pytest.raises(ValueError, match=r"^jvp: 2 primals but 1 tangents"):
        ad.jvp(f, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match=r"^jvp: primals and tangents must be tuples"):
        ad.jvp(np.sin, 1.0, 1.0)
    with pytest.raises(ValueError, match=r"^hvp: tangent 0 has shape \(3,\), but its primal"):
        ad.hvp(lambda x: np.sum(x**3), (np.ones(2),), (np.ones(3),))
    with pytest.raises(TypeError, match=r"^hvp: primals and tangents must be tuples"):
        ad.hvp(f, 1.0, 1.0)
    _, vjp_fn = ad.vjp(np.sin, np.ones(3))
    with pytest.raises(ValueError, match=r"^vjp: cotangent 0 has shape \(2,\), but the output"):
        vjp_fn(np.ones(2))


# --- bad argnums -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argnums", "error", "message"),
    [
        (2, ValueError, r"argnums=2 asks for argument 2, but the function was called with 2"),
        (-3, ValueError, r"argnums=-3 asks for argument -3"),
        ((0, 0), ValueError, r"argnums=\(0, 0\) names an argument more than once"),
        ((1, -1), ValueError, r"argnums=\(1, -1\) names an argument more than once"),
        ("0", TypeError, r"argnums must be an int or a tuple of ints, got '0'"),
        ([0, None], TypeError, r"argnums must be ints, got None"),
        ((0, 1.0), TypeError, r"argnums must be ints, got 1.0"),
        ((True,), TypeError, r"argnums must be ints, got True"),
    ],
)
def test_bad_argnums(argnums, error, message):
    for name, make in [
        ("grad", ad.grad),
        ("jacfwd", ad.jacfwd),
        ("jacrev", ad.jacrev),
        ("hessian", ad.hessian),
    ]:
        with pytest.raises(error, match=rf"^{name}: {message}"):
            make(f, argnums)(2.0, 3.0)
    with pytest.raises(error, match=rf"^check_grad: {message}"):
        ad.check_grad(f, 2.0, 3.0, argnums=argnums)


def test_argnums_none_means_every_argument_only_in_check_grad():
    with pytest.raises(TypeError, match=r"^grad: argnums must be an int or a tuple of ints"):
        ad.grad(f, None)(2.0, 3.0)
    assert ad.check_grad(f, 2.0, 3.0, argnums=None).argnums == (0, 1)


def test_derivative_takes_one_argnum():
    with pytest.raises(TypeError, match=r"^derivative: argnums must be one int, got \(0, 1\)"):
        ad.derivative(f, (0, 1))


# --- bad outputs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("g", "message"),
    [
        (lambda x: "1", r"the function returned a str \('1'\); it must return a float"),
        (lambda x: None, r"the function returned a NoneType"),
        (lambda x: x > 0, r"the function returned a bool"),
        (lambda x: 1j, r"the function returned a complex"),
    ],
)
def test_bad_outputs(g, message):
    with pytest.raises(TypeError, match=rf"^grad: {message}"):
        ad.grad(g)(1.0)
    with pytest.raises(TypeError, match=rf"^derivative: {message}"):
        ad.derivative(g)(1.0)


def test_a_list_output_is_for_forward_mode_only():
    assert ad.derivative(lambda x: [x, 2.0 * x])(1.0) == [1.0, 2.0]  # the output's structure
    with pytest.raises(TypeError, match=r"^grad: the function returned a list"):
        ad.grad(lambda x: [x])(1.0)


@pytest.mark.parametrize("differentiate", [ad.grad, ad.derivative])
def test_a_complex_result_computed_from_the_input_is_refused(differentiate):
    with pytest.raises(TypeError, match=r"the function returned a complex value"):
        differentiate(lambda x: x * 1j)(1.0)


def test_grad_needs_a_scalar_output():
    with pytest.raises(
        ValueError, match=r"^grad: the function must return a scalar, but it returned shape \(3,\)"
    ):
        ad.grad(lambda x: x * 2.0)(np.ones(3))


def test_check_grad_arguments():
    with pytest.raises(TypeError, match=r"^check_grad: f must be a function, got a float"):
        ad.check_grad(1.0, 2.0)
    with pytest.raises(TypeError, match=r"^check_grad: give the point"):
        ad.check_grad(np.sin)
    with pytest.raises(ValueError, match=r"^check_grad: eps must be a positive float, got -1"):
        ad.check_grad(np.sin, 1.0, eps=-1)


# --- bad operands inside f ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("g", "error", "message"),
    [
        (lambda x: x * "a", TypeError, r"^mul: cannot use a value of type str \('a'\)"),
        (lambda x: x + None, TypeError, r"^add: cannot use a value of type NoneType"),
        (lambda x: x ** "a", TypeError, r"^pow: cannot use a value of type str"),
        (lambda x: np.maximum(x, {}), TypeError, r"^maximum: cannot use a value of type dict"),
        (
            lambda x: np.sum(x * np.array(["a"])),
            TypeError,
            r"^mul: cannot use an array of dtype <U1",
        ),
        (
            lambda x: np.sum(x * np.ones(4)),
            ValueError,
            r"^mul: cannot apply to operands of shapes \(3,\), \(4,\)",
        ),
        (
            lambda x: np.sum(x @ np.ones(4)),
            ValueError,
            r"^matmul: cannot apply to operands of shapes \(3,\), \(4,\)",
        ),
        (
            lambda x: np.sum(x.reshape(5)),
            ValueError,
            r"^reshape: cannot apply to operands of shapes \(3,\), shape=\(5,\)",
        ),
        (  # an index out of range is numpy's IndexError, so `except IndexError` still works
            lambda x: x[5],
            IndexError,
            r"^getitem: cannot apply to operands of shapes \(3,\), index=5: index 5 is out",
        ),
        (lambda x: np.sum(x[[0, 7]]), IndexError, r"^getitem: .* index=\[0, 7\]: index 7 is"),
        (lambda x: x[0, 0], IndexError, r"^getitem: .* index=\(0, 0\): too many indices"),
        (
            lambda x: np.sum(np.sum(x, axis=2)),
            ValueError,
            r"^np\.sum: axis 2 is out of bounds for array of dimension 1",
        ),
    ],
)
def test_bad_operands_name_the_operation(g, error, message):
    x = np.ones(3)
    with pytest.raises(error, match=message) as caught:
        ad.grad(g)(x)
    assert caught.value.__cause__ is None  # no chained numpy traceback
    with pytest.raises(error, match=message):
        ad.derivative(lambda x: np.sum(g(x)))(x)


# --- unsupported functions and conversions --------------------------------------------------


@pytest.mark.parametrize(
    ("g", "message"),
    [
        (np.cbrt, r"^np.cbrt is not supported by adlearn"),
        (lambda x: np.cumprod(x)[-1], r"^np.cumprod is not supported by adlearn"),
        (lambda x: np.add.reduce(x), r"^np.add.reduce is not supported by adlearn"),
        (lambda x: np.sum(np.sin(x, out=np.zeros(3))), r"^np.sin\(\.\.\., out=buf\) would write"),
        (lambda x: np.sum(x, dtype=int), r"^np.sum\(\.\.\., dtype=int64\): adlearn does not chan"),
        (lambda x: math.sin(x[0]), r"^float\(\) of a value being differentiated would drop"),
        (lambda x: float(x[0]), r"^float\(\) of a value being differentiated"),
        (lambda x: int(x[0]), r"^int\(\) of a value being differentiated"),
        (lambda x: complex(x[0]), r"^complex\(\) of a value being differentiated"),
        (lambda x: x[0].item(), r"^\.item\(\) of a value being differentiated"),
        (lambda x: np.asarray(x).sum(), r"^a value being differentiated cannot be converted to"),
        (lambda x: np.array([x[0], x[1]]).sum(), r"^a value being differentiated cannot be"),
        (lambda x: np.array([x[0], x[1]]).sum(), r"build arrays with np\.stack"),
        (lambda x: np.mean([x[0], x[1]]), r"np\.mean\(np\.stack\(\[x1, x2\]\)\)"),
        (lambda x: np.eye(3).dot(x).sum(), r"write W @ x for W\.dot\(x\)"),
        (lambda x: np.linalg.eigh(x)[0], r"^np\.linalg\.eigh is not supported by adlearn"),
        (lambda x: np.linalg.norm(x.reshape(3, 1), 2), r"^np.linalg.norm with ord=2 on a matrix"),
        (lambda x: np.linalg.norm(x.reshape(3, 1), -2), r"^np.linalg.norm with ord=-2 on a matrix"),
        (lambda x: np.linalg.norm(x.reshape(3, 1), "nuc"), r"ord='nuc' on a matrix needs its sing"),
        (lambda x: x.astype(int), r"^x\.astype\(<class 'int'>\): adlearn does not change the"),
        (lambda x: x.astype(np.float32), r"^x\.astype\(<class 'numpy\.float32'>\): .* a cast would"),
    ],
)
def test_unsupported_functions_are_named(g, message):
    for differentiate in (ad.grad, ad.derivative):
        with pytest.raises(TypeError, match=message):
            differentiate(g)(np.array([0.5, 1.0, 2.0]))


@pytest.mark.parametrize(
    ("subscripts", "operands", "error", "message"),
    [
        ("i...->i", (np.ones((2, 3)),), ValueError, r"the output must have '\.\.\.' for the axes"),
        ("i..j", (np.ones((2, 3)),), ValueError, r"a '\.' must be part of one '\.\.\.' per operand"),
        ("...i...", (np.ones((2, 3)),), ValueError, r"must be part of one '\.\.\.' per operand"),
        ("ijk...", (np.ones((2, 3)),), ValueError, r"operand 0 has 2 axes, fewer than the letters"),
        (None, (np.ones((2, 3)),), TypeError, r"subscripts as one string.*got a NoneType"),
    ],
)
def test_einsum_subscripts_that_numpy_refuses_get_a_message(subscripts, operands, error, message):
    with pytest.raises(error, match=rf"^np\.einsum: .*{message}"):
        ad.grad(lambda x: np.sum(np.einsum(subscripts, x)))(*operands)
    with pytest.raises((TypeError, ValueError)):  # numpy refuses them too
        np.einsum(subscripts, *operands)


LISTS_OF_VALUES = {
    "np.sum([x, y])": lambda x, y: np.sum([x, y]),
    "np.mean([x, y])": lambda x, y: np.mean([x, y]),
    "np.mean([x*x, y])": lambda x, y: np.mean([x * x, y]),
    "np.sum([x, 1.0])": lambda x, y: np.sum([x, 1.0]) * y,
    "np.max([x, y])": lambda x, y: np.max([x, y]),
}


@pytest.mark.parametrize("name", sorted(LISTS_OF_VALUES))
@pytest.mark.parametrize("point", [(1.5, 2.0), (np.array([1.5, -1.0]), np.array([2.0, 0.5]))])
def test_a_numpy_function_of_a_list_of_values_says_to_stack_them(name, point):
    """numpy builds an array from the list before any protocol can see its entries,
    so every mode and order gets the same clear error, naming np.stack."""
    f = LISTS_OF_VALUES[name]
    calls = {
        "grad": lambda: ad.grad(lambda x, y: np.sum(f(x, y)), argnums=(0, 1))(*point),
        "jvp": lambda: ad.jvp(f, point, point),
        "jacrev": lambda: ad.jacrev(f)(*point),
        "hessian": lambda: ad.hessian(lambda x, y: np.sum(f(x, y)))(*point),
    }
    for call in calls.values():
        with pytest.raises(TypeError, match=r"np\.mean\(np\.stack\(\[x1, x2\]\)\)"):
            call()


def test_what_the_list_message_suggests_gives_the_closed_form():
    # mean(x*x, y) = (x^2 + y) / 2: gradient (x, 1/2), Hessian [[1, 0], [0, 0]]
    def f(x, y):
        return np.mean(np.stack([x * x, y]))

    assert ad.grad(f, argnums=(0, 1))(1.5, 2.0) == (1.5, 0.5)
    assert ad.jvp(f, (1.5, 2.0), (1.0, 0.0)) == (2.125, 1.5)
    assert ad.hessian(f, argnums=(0, 1))(1.5, 2.0) == ((1.0, 0.0), (0.0, 0.0))
    x, y = np.array([1.5, -1.0]), np.array([2.0, 0.5])
    gx, gy = ad.grad(f, argnums=(0, 1))(x, y)  # mean over 4 entries: (2x / 4, 1 / 4)
    np.testing.assert_allclose(gx, x / 2)
    np.testing.assert_allclose(gy, [0.25, 0.25])


def test_the_unsupported_message_is_short_says_what_to_use_and_links_the_list():
    with pytest.raises(TypeError) as e:
        ad.grad(lambda x: np.sum(np.cumprod(x)))(np.ones(3))
    message = str(e.value)
    assert len(message) < 300, message
    assert "write np.exp(np.cumsum(np.log(x))) for positive x instead" in message
    link = "https://github.com/adlearn/adlearn/blob/main/docs/numpy-support.md"
    assert message.endswith(f"Supported functions: {link}")
    assert (Path(__file__).parents[1] / "docs" / "numpy-support.md").is_file()
    with pytest.raises(TypeError, match=r"^np\.cbrt is not supported .* instead\. Supported"):
        ad.grad(np.cbrt)(1.0)
    with pytest.raises(TypeError, match=r"^np\.sinc is not supported .* followed\. Supported"):
        ad.grad(np.sinc)(1.0)  # nothing close to offer


# --- domain errors: numpy's semantics ----------------------------------------------------


@pytest.mark.parametrize(
    ("fn", "x", "value", "derivative", "warning"),
    [
        (np.log, 0.0, -np.inf, np.inf, "divide by zero encountered in log"),
        (np.log, -1.0, np.nan, -1.0, "invalid value encountered in log"),
        (np.sqrt, 0.0, 0.0, np.inf, "divide by zero encountered in divide"),
        (np.sqrt, -1.0, np.nan, np.nan, "invalid value encountered in sqrt"),
        (np.arcsin, 2.0, np.nan, np.nan, "invalid value encountered in arcsin"),
        (np.log1p, -2.0, np.nan, -1.0, "invalid value encountered in log1p"),
        (lambda x: 1.0 / x, 0.0, np.inf, -np.inf, "divide by zero encountered in divide"),
        (np.exp, 1000.0, np.inf, np.inf, "overflow encountered in exp"),
    ],
)
def test_domain_errors_follow_numpy_on_floats_and_arrays(fn, x, value, derivative, warning):
    (y, g), messages = with_warnings(ad.value_and_grad(fn), x)
    np.testing.assert_equal((y, g), (value, derivative))
    assert warning in messages
    d, messages = with_warnings(ad.derivative(fn), x)
    np.testing.assert_equal(d, derivative)
    assert warning in messages
    d, messages = with_warnings(ad.derivative(fn), np.array([x, 0.5]))
    np.testing.assert_equal(d[0], derivative)
    assert warning in messages
    with np.errstate(all="ignore"):
        np.testing.assert_equal(y, fn(np.float64(x)))


def with_warnings(fn, *args):
    """fn(*args) and the messages of the RuntimeWarnings it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn(*args)
    assert all(issubclass(w.category, RuntimeWarning) for w in caught)
    return result, {str(w.message) for w in caught}


SPECIAL = [0.0, -0.0, 1.0, -1.0, 2.0, -0.5, np.inf, -np.inf, np.nan]
SPECIAL_PAIRS = list(itertools.product([0.0, 1.0, -1.0, 2.0, -0.5, np.inf, np.nan], repeat=2))


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_floats_and_arrays_agree_at_special_points(name):
    """A Python float takes a faster path than an array; both give numpy's result."""
    spec = ELEMENTWISE[name]
    n = len(spec.domain)
    nums = tuple(range(n))
    for point in [(x,) for x in SPECIAL] if n == 1 else SPECIAL_PAIRS:
        arrays = [np.array([x]) for x in point]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value, grads = ad.value_and_grad(spec.call, nums)(*point)
            array_value, array_grads = ad.value_and_grad(lambda *a: np.sum(spec.call(*a)), nums)(
                *arrays
            )
            forward = [ad.derivative(spec.call, k)(*point) for k in nums]
            array_forward = [ad.derivative(spec.call, k)(*arrays) for k in nums]
        where = f"{name}{point}"
        np.testing.assert_allclose(value, array_value, rtol=1e-15, err_msg=where)
        np.testing.assert_allclose(grads, np.ravel(array_grads), rtol=1e-15, err_msg=where)
        np.testing.assert_allclose(forward, np.ravel(array_forward), rtol=1e-15, err_msg=where)


def test_no_python_division_error_escapes():
    """ZeroDivisionError is Python's, not numpy's: it never reaches the user."""
    functions = [np.log, np.sqrt, np.arcsin, np.arccos, np.log1p, lambda x: 1.0 / x]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for fn, x in itertools.product(functions, [0.0, 1.0, -1.0]):
            ad.grad(fn)(x)
            ad.derivative(fn)(x)
            ad.hessian(fn)(x)


# --- each message names the learner's own call, never adlearn's insides ----------------------

INSIDES = ("Var(", "Var ", "Dual", "ArrayBehaviour", "Traced", "inv:")


def _message(call, error=Exception) -> str:
    """The message of the error ``call()`` raises, checked to name no internal class."""
    with pytest.raises(error) as caught:
        call()
    message = str(caught.value)
    for inside in INSIDES:
        assert inside not in message, message
    return message


X6 = np.arange(1.0, 7.0)


@pytest.mark.parametrize(
    ("with_options", "plain"),
    [
        (lambda x: np.sum(x.reshape(3, 2, order="C")[:, 0]), lambda x: np.sum(x.reshape(3, 2)[:, 0])),
        (lambda x: x.sum(out=None), lambda x: x.sum()),
        (lambda x: x.sum(dtype=float), lambda x: x.sum()),
        (lambda x: x.mean(dtype=np.float64, out=None), lambda x: x.mean()),
        (lambda x: np.sum(x.astype(float, copy=False) ** 2), lambda x: np.sum(x**2)),
        (lambda x: np.sum(x.ravel(order="C") * X6), lambda x: np.sum(x * X6)),
        (lambda x: np.sum(x.flatten("C") * X6), lambda x: np.sum(x * X6)),
        (lambda x: np.sum(x.copy(order="C") ** 3), lambda x: np.sum(x**3)),
        (lambda x: x.max(out=None, keepdims=False), lambda x: x.max()),
        (lambda x: x.prod(None, float), lambda x: x.prod()),
        (lambda x: np.sum(x.cumsum(0, None, None) ** 2), lambda x: np.sum(x.cumsum() ** 2)),
        (lambda x: x.var(None, None, None, 1), lambda x: np.sum((x - x.mean()) ** 2) / 5),
        (lambda x: np.sum(np.reshape(x, (3, 2), order="C")[:, 1]), lambda x: np.sum(x[1::2])),
        (lambda x: np.sum(np.ravel(x, order="C") * X6), lambda x: np.sum(x * X6)),
        (lambda x: np.sum(np.copy(x, order="K") ** 2), lambda x: np.sum(x**2)),
    ],
)
def test_the_ndarray_methods_take_numpys_arguments_that_change_nothing(with_options, plain):
    np.testing.assert_allclose(ad.grad(with_options)(X6), ad.grad(plain)(X6), rtol=1e-12)
    np.testing.assert_allclose(with_options(X6), plain(X6), rtol=1e-12)  # numpy agrees


def test_a_dtype_that_is_the_values_own_is_accepted():
    x = np.array([1.0, 2.0], dtype=np.float32)
    for g, expected in (
        (lambda x: x.sum(dtype=np.float32), [1.0, 1.0]),
        (lambda x: np.sum(x.astype(np.float32) ** 2) / 2, [1.0, 2.0]),  # x
        (lambda x: np.mean(x, dtype=np.float32) * 2, [1.0, 1.0]),
    ):
        gradient = ad.grad(g)(x)
        np.testing.assert_array_equal(gradient, expected)
        assert gradient.dtype == np.float32


@pytest.mark.parametrize(
    ("g", "words"),
    [
        (lambda x: np.sum(x.reshape(3, 2, order="F")), ["x.reshape", "order='F'"]),
        (lambda x: x.sum(dtype=np.float32), ["x.sum", "dtype=float32", "leave dtype out"]),
        (lambda x: x.sum(out=np.zeros(())), ["x.sum", "out="]),
        (lambda x: x.max(initial=10.0), ["x.max", "initial="]),
        (lambda x: x.sum(where=np.array([True] * 6)), ["x.sum", "where=", "np.where"]),
        (lambda x: np.sum(x.astype(np.float32, copy=False)), ["x.astype", "float32"]),
        (lambda x: np.sum(x.reshape(3, 2, fortran=True)), ["x.reshape", "fortran"]),
        (lambda x: np.sum(x, where=x > 2), ["np.sum", "where="]),
        (lambda x: np.mean(x, dtype=np.float16), ["np.mean", "dtype=float16"]),
        (lambda x: np.sum(np.cumsum(x, out=np.zeros(6))), ["np.cumsum", "out="]),
        (lambda x: x.var(out=np.zeros(())), ["x.var", "out="]),
        (lambda x: x.std(dtype=np.float32), ["x.std", "dtype=float32"]),
        (lambda x: x.std(mean=x.mean(keepdims=True)), ["x.std", "mean=", "leave it out"]),
        (lambda x: np.var(x, mean=x.mean(keepdims=True)), ["np.var", "mean=", "leave it out"]),
        (lambda x: np.sum(np.reshape(x, (3, 2), order="F")), ["np.reshape", "order='F'"]),
        (lambda x: np.sum(np.ravel(x, order="F")), ["np.ravel", "order='F'"]),
    ],
)
@pytest.mark.parametrize("differentiate", [ad.grad, ad.derivative])
def test_numpys_arguments_that_adlearn_does_not_follow_are_named(g, words, differentiate):
    message = _message(lambda: differentiate(g)(X6), TypeError)
    for word in words:
        assert word in message, message


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: ad.grad(lambda x: x**2, has_aux=True)(2.0), ["grad:", "has_aux=True", "a float"]),
        (lambda: ad.grad(lambda x: [x])(2.0), ["grad:", "returned a list of 1 value"]),
        (lambda: ad.hessian(lambda x: (x, x))(2.0), ["hessian:", "returned a tuple of 2 values"]),
        (lambda: ad.hessian(lambda x: x)(np.ones(3)), ["hessian:", "scalar", "shape (3,)"]),
        (
            lambda: ad.value_and_grad(lambda x: x * 2.0, has_aux=True)(np.ones(3)),
            ["grad:", "has_aux=True", "an array of shape (3,)"],
        ),
        (lambda: ad.hvp(lambda x: (x, x), (2.0,), (1.0,)), ["hvp:", "a tuple of 2 values"]),
        (lambda: ad.vjp(lambda x: 2.0 * x, 3.0)[1]((1.0,)), ["vjp:", "(a float)", "a tuple of 1"]),
        (
            lambda: ad.vjp(lambda x: 2.0 * x, np.ones(2))[1]([1.0, 2.0]),
            ["vjp:", "(an array of shape (2,))", "a list of 2 values"],
        ),
    ],
)
def test_a_wrong_output_is_described_as_the_learner_knows_it(call, words):
    message = _message(call, (TypeError, ValueError))
    for word in words:
        assert word in message, message


def test_einsum_with_lists_of_axes_says_subscripts_are_one_string():
    def g(x):
        return np.einsum(x, [0, 1], x, [0, 1], [])

    g(np.ones((2, 2)))  # numpy's own form
    for differentiate in (ad.grad, ad.derivative):
        message = _message(lambda d=differentiate: d(g)(np.ones((2, 2))), TypeError)
        assert message.startswith("np.einsum: "), message
        assert "one string" in message, message


@pytest.mark.parametrize("name", ["det", "slogdet"])
@pytest.mark.parametrize("differentiate", [ad.grad, ad.derivative])
def test_det_at_a_singular_matrix_is_named_det(name, differentiate):
    fn = np.linalg.det if name == "det" else lambda a: np.linalg.slogdet(a)[1]
    message = _message(
        lambda: differentiate(lambda a: np.sum(fn(a)))(np.ones((2, 2))), np.linalg.LinAlgError
    )
    assert message.startswith(f"np.linalg.{name}: "), message
    assert "Singular matrix" in message, message


@pytest.mark.parametrize(
    ("g", "error", "message"),
    [
        (lambda a: np.linalg.solve(a, np.ones(2)), np.linalg.LinAlgError,
         r"^np\.linalg\.solve: Singular matrix \(a of shape \(2, 2\), b of shape \(2,\)\)$"),
        (lambda a: np.linalg.solve(a, np.ones((2, 3))), np.linalg.LinAlgError,
         r"^np\.linalg\.solve: Singular matrix \(a of shape \(2, 2\), b of shape \(2, 3\)\)$"),
        (lambda a: np.linalg.inv(a), np.linalg.LinAlgError, r"^inv: .*: Singular matrix$"),
        (lambda a: np.linalg.solve(a, np.ones(3)), ValueError,
         r"^np\.linalg\.solve: a of shape \(2, 2\), b of shape \(3,\): b needs one entry per row"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("differentiate", [ad.grad, ad.derivative])
def test_a_singular_or_mismatched_solve_is_numpys_error_with_the_shapes_given(
    g, error, message, differentiate
):
    """A singular matrix raises numpy's LinAlgError (so `except np.linalg.LinAlgError`
    works), and a vector b is described by its own shape, not the column solved."""
    with pytest.raises(error, match=message):
        differentiate(lambda a: np.sum(g(a)))(np.ones((2, 2)))


@pytest.mark.parametrize(
    ("method", "instead"), [("tolist", None), ("fill", None), ("cumprod", None), ("flip", "np.flip(x)")]
)
def test_an_unknown_method_gets_a_short_message_and_a_supported_function(method, instead):
    message = _message(lambda: ad.grad(lambda x: getattr(x, method)())(X6), AttributeError)
    assert message.startswith(f"x.{method}: "), message
    assert len(message) < 200, message
    assert "numpy-support.md" in message
    if instead is None:
        assert f"np.{method}" not in message, message
    else:
        assert f"write {instead}" in message, message
        np.testing.assert_allclose(ad.grad(lambda x: np.sum(X6 * np.flip(x)))(X6), X6[::-1])


def _store(x):
    buf = np.zeros(6)
    buf[:] = x
    return np.sum(buf)


@pytest.mark.parametrize(
    "g", [lambda x: np.sum(np.asarray(x)), _store, lambda x: np.mean([x[0], x[1]])]
)
def test_the_conversion_message_is_short_and_leads_with_what_to_write(g):
    message = _message(lambda: ad.grad(g)(X6), TypeError)
    assert len(message) < 250, message
    for word in ("np.stack", "np.concatenate", "np.where", "What cannot work"):
        assert word in message, message
    docs = (Path(__file__).parents[1] / "docs" / "numpy-support.md").read_text()
    assert "## What cannot work" in docs


@pytest.mark.parametrize(("op", "augmented"), [("+", np.add), ("*", np.multiply), ("-", np.subtract)])
def test_an_augmented_assignment_into_a_numpy_buffer_says_to_rebind(op, augmented):
    def g(x):
        buf = np.ones(6)
        augmented(buf, x, out=buf)  # what buf op= x does
        return np.sum(buf)

    message = _message(lambda: ad.grad(g)(X6), TypeError)
    assert f"buf {op}= x" in message, message
    assert f"write buf = buf {op} x" in message, message


@pytest.mark.parametrize(
    ("x", "args"),
    [
        (np.ones(3), ("fro",)),
        (np.ones(3), ("nuc",)),
        (np.ones((2, 2, 2)), (None, (0, 1, 2))),
        (np.ones((2, 2, 2)), (1,)),
        (np.ones((2, 2)), (3,)),
        (np.ones((2, 2)), ("foo", (0, 1))),
    ],
)
def test_norm_refuses_what_numpy_refuses_with_numpys_reason(x, args):
    with pytest.raises(ValueError, match=r"(?i)invalid norm order|improper number") as numpys:
        np.linalg.norm(x, *args)
    reason = str(numpys.value).rstrip(".").lower().replace(" for", "").split(" '")[0]
    for differentiate in (ad.grad, ad.derivative):
        g = differentiate(lambda x: np.linalg.norm(x, *args))
        message = _message(lambda g=g: g(x), ValueError)
        assert message.startswith("np.linalg.norm: "), message
        assert reason.split()[0] in message, (reason, message)
        assert reason.split()[-1] in message, (reason, message)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("sum", (0, None, None, True)),
        ("mean", (0, None, None, True)),
        ("max", (0, None, True)),
        ("min", (0, None, True)),
        ("amax", (1, None, False)),
        ("prod", (1, None, None, True)),
        ("cumsum", (1, None, None)),
        ("var", (0, None, None, 1, True)),
        ("std", (1, None, None, 1, False)),
    ],
)
def test_reductions_take_numpys_positional_arguments(name, args):
    fn = getattr(np, name)
    x = np.array([[1.0, 4.0, 2.0], [3.0, -1.0, 5.0]])
    value, g = ad.value_and_grad(lambda x: np.sum(fn(x, *args) ** 2))(x)
    np.testing.assert_allclose(value, np.sum(fn(x, *args) ** 2), rtol=1e-12)  # numpy's value
    step = 1e-6  # central differences: the same derivative, without adlearn
    numeric = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = step
        numeric[i] = (np.sum(fn(x + e, *args) ** 2) - np.sum(fn(x - e, *args) ** 2)) / (2 * step)
    np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-6)


def test_a_call_with_keywords_only_says_to_pass_the_argument_positionally():
    message = _message(lambda: ad.grad(lambda x, s: s * x**2)(x=3.0, s=2.0), ValueError)
    assert message.startswith("grad: "), message
    assert "positionally" in message, message
    assert ad.grad(lambda x, s: s * x**2)(3.0, s=2.0) == 12.0


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_a_matrix_constant_is_a_plain_array():
    M = np.matrix([[1.0, 2.0], [3.0, 4.0]])
    assert ad.grad(lambda x: np.sum(M * x))(2.0) == 10.0  # d/dx of x (1 + 2 + 3 + 4)
    np.testing.assert_allclose(ad.grad(lambda x: np.sum(M @ x))(np.ones(2)), [4.0, 6.0])
    np.testing.assert_allclose(ad.grad(lambda x: np.sum(np.dot(M, x)))(np.ones(2)), [4.0, 6.0])
    assert ad.derivative(lambda x: np.sum(x * M))(2.0) == 10.0


# numpy 2.1 named np.clip's bounds min and max; before, numpy itself refuses those keywords
NUMPY_CLIP_MIN_MAX = np.lib.NumpyVersion(np.__version__) >= "2.1.0"


def test_clip_takes_its_bounds_as_numpy_names_them():
    x = np.array([0.5, 2.0, 4.0])
    forms = [
        lambda x: np.sum(np.clip(x, a_min=1.0, a_max=3.0)),
        lambda x: np.sum(np.clip(x, 1.0, 3.0)),
        lambda x: np.sum(x.clip(min=1.0, max=3.0)),
    ]
    if NUMPY_CLIP_MIN_MAX:
        forms += [
            lambda x: np.sum(np.clip(x, min=1.0, max=3.0)),
            lambda x: np.sum(np.clip(x, 1.0, max=3.0)),
        ]
    for g in forms:
        value, gradient = ad.value_and_grad(g)(x)
        assert value == 6.0  # 1 + 2 + 3
        np.testing.assert_array_equal(gradient, [0.0, 1.0, 0.0])


@pytest.mark.skipif(not NUMPY_CLIP_MIN_MAX, reason="np.clip takes min= from numpy 2.1")
def test_clip_refuses_a_bound_given_twice():
    x = np.array([0.5, 2.0, 4.0])
    message = _message(lambda: ad.grad(lambda x: np.sum(np.clip(x, 1.0, min=0.0)))(x), TypeError)
    assert message.startswith("np.clip: "), message
    assert "once" in message, message


@pytest.mark.parametrize(
    "g", [lambda x: [1.0, 2.0, 5.0][x] * x, lambda x: sum(range(x)) * x]
)
@pytest.mark.parametrize("differentiate", [ad.grad, ad.derivative])
def test_a_value_used_as_an_index_says_to_use_a_plain_int(g, differentiate):
    message = _message(lambda: differentiate(g)(1.0), TypeError)
    assert message.startswith("a value being differentiated cannot be an index"), message
    assert "int(np.round(x))" in message, message
    # what it suggests works: the index is a constant, the derivative that of the factor x
    assert differentiate(lambda x: [1.0, 2.0, 5.0][int(np.round(x))] * x)(1.2) == 2.0


X3 = np.array([1.0, 2.0, 3.0])
INDEX_MODES = {"reverse": ad.grad, "forward": lambda g: ad.jacfwd(g)}


@pytest.mark.parametrize(
    "g",
    [lambda x: x[x[0]], lambda x: x[[x[0]]], lambda x: x[(x[0],)], lambda x: x[x[0] :],
     lambda x: x[None][:, [x[0]]]],
    ids=["x[i]", "x[[i]]", "x[(i,)]", "x[i:]", "x[:, [i]]"],
)  # fmt: skip
@pytest.mark.parametrize("mode", INDEX_MODES)
def test_an_index_being_differentiated_is_named_with_what_to_write(g, mode):
    with pytest.raises((IndexError, TypeError)):  # numpy refuses a float index too
        g(X3)
    message = _message(lambda: INDEX_MODES[mode](lambda x: np.sum(g(x)))(X3), IndexError)
    assert message.startswith("x[i]: an index cannot be a value being differentiated"), message
    assert "1.0" in message, message  # the index's value
    for word in ("derivative", "plain int", "x.shape", "int(...)"):
        assert word in message, message
    assert "np.stack" not in message, message  # the advice of a conversion to an array


@pytest.mark.parametrize(
    "g",
    [lambda x: np.zeros(x[0]), lambda x: np.ones(x[1]), lambda x: np.empty(x[0])],
    ids=["np.zeros", "np.ones", "np.empty"],
)
@pytest.mark.parametrize("mode", INDEX_MODES)
def test_a_size_being_differentiated_is_named_with_what_to_write(g, mode):
    # numpy reports the refusal of n.__index__ as its own error, which names n's class
    message = _message(lambda: INDEX_MODES[mode](lambda x: np.sum(g(x)) + np.sum(x))(X3), TypeError)
    assert message.startswith("np.zeros(n), np.ones(n) or np.empty(n): a size cannot be"), message
    for word in ("size", "value being differentiated", "plain int", "x.shape[0]", "int(...)"):
        assert word in message, message


@pytest.mark.parametrize(
    "g", [lambda x: np.ones((2, x[0])), lambda x: np.eye(x[0])], ids=["np.ones((2, n))", "np.eye"]
)
@pytest.mark.parametrize("mode", INDEX_MODES)
def test_a_size_in_a_shape_being_differentiated_is_refused_by_index(g, mode):
    # a size inside a shape, or np.eye's, reaches n.__index__, whose refusal numpy keeps
    message = _message(lambda: INDEX_MODES[mode](lambda x: np.sum(g(x)) + np.sum(x))(X3))
    assert message.startswith("a value being differentiated cannot be an index or a size"), message


def test_numpys_own_size_error_is_left_as_it_is_for_a_plain_value():
    with pytest.raises(TypeError, match="expected a sequence of integers"):
        ad.grad(lambda x: np.sum(np.zeros(1.5)) + np.sum(x))(X3)


@pytest.mark.parametrize(
    "g",
    [lambda x: np.roll(x, x[0]), lambda x: np.roll(x, (x[0],), axis=(0,)),
     lambda x: np.roll(x, [1, x[0]], axis=(0, 0))],
    ids=["i", "(i,)", "[1, i]"],
)  # fmt: skip
@pytest.mark.parametrize("mode", INDEX_MODES)
def test_a_roll_by_a_value_being_differentiated_says_the_shift_is_an_int(g, mode):
    message = _message(lambda: INDEX_MODES[mode](lambda x: np.sum(g(x)))(X3), TypeError)
    assert message.startswith("np.roll: the shift cannot be a value being differentiated"), message
    assert "plain int" in message, message
    assert "atleast_1d" not in message, message


NOT_A_CONSTANT_CASES = {  # (g, how the message starts): numpy needs a plain int where g has x[0]
    "np.reshape": (lambda x: np.reshape(x, (x[0], -1)), "np.reshape: the shape"),
    "x.reshape": (lambda x: x.reshape(x[0], -1), "x.reshape: the shape"),
    "np.broadcast_to": (lambda x: np.broadcast_to(x, (x[0], 3)), "np.broadcast_to: the shape"),
    "np.expand_dims": (lambda x: np.expand_dims(x, x[0]), "np.expand_dims: the axis"),
    "np.swapaxes": (lambda x: np.swapaxes(x, 0, x[0]), "np.swapaxes: the axis2"),
    "np.stack": (lambda x: np.stack([x, x], axis=x[0]), "np.stack: the axis"),
    "np.transpose": (lambda x: np.transpose(x, (x[0],)), "np.transpose: the axes"),
    "np.sum": (lambda x: np.sum(x, axis=x[0]), "np.sum: the axis"),
    "x.mean": (lambda x: x.mean(axis=(0, x[0])), "x.mean: the axis"),
    "np.repeat": (lambda x: np.repeat(x, x[0]), "np.repeat: the repeat count"),
    "x.repeat": (lambda x: x.repeat([1, x[0], 1]), "x.repeat: the repeat count"),
    "np.tile": (lambda x: np.tile(x, x[0]), "np.tile: the repetitions"),
    "np.diag": (lambda x: np.diag(x, x[0]), "np.diag: the diagonal k"),
    "np.triu": (lambda x: np.triu(np.outer(x, x), x[0]), "np.triu: the diagonal k"),
    "x.diagonal": (lambda x: np.outer(x, x).diagonal(x[0]), "x.diagonal: the offset"),
}


@pytest.mark.parametrize("case", NOT_A_CONSTANT_CASES)
@pytest.mark.parametrize("mode", INDEX_MODES)
def test_a_shape_axis_or_count_being_differentiated_names_the_call(case, mode):
    g, start = NOT_A_CONSTANT_CASES[case]
    message = _message(lambda: INDEX_MODES[mode](lambda x: np.sum(g(x)))(X3), TypeError)
    assert message.startswith(f"{start} cannot be a value being differentiated (here a float, 1.0)")
    assert "plain int" in message, message
    assert "converted to a numpy array" not in message, message
