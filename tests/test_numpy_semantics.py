"""adlearn follows numpy's semantics: each bug of the engine's second edition,
with the exact input that showed it, gives numpy's number or an error that
names the learner's own mistake."""

from __future__ import annotations

import numpy as np
import pytest

import adlearn as ad


def test_equality_is_elementwise_on_values():
    value, g = ad.value_and_grad(lambda x: np.sum(np.where(x == 1.0, 0.0, x**2)))(
        np.array([0.0, 1.0, -2.0])
    )
    assert value == 4.0
    np.testing.assert_array_equal(g, [0.0, 0.0, -4.0])


def test_equality_steers_control_flow_by_value():
    assert ad.value_and_grad(lambda x: 5.0 + 0.0 * x if x == 0.0 else x**2)(0.0) == (5.0, 0.0)
    assert ad.value_and_grad(lambda x: 5.0 + 0.0 * x if x != 0.0 else x**2)(0.0) == (0.0, 0.0)


@pytest.mark.parametrize("make", [ad.grad, ad.derivative])
def test_equality_gives_plain_bools_with_no_derivative(make):
    seen = []

    def f(x):
        seen.append((x == np.array([1.0, 2.0]), x != 1.0))
        return np.sum(x * 1.0)

    make(f)(np.array([1.0, 3.0]))
    eq, ne = seen[0]
    assert type(eq) is np.ndarray
    assert eq.dtype == bool
    np.testing.assert_array_equal(eq, [True, False])
    np.testing.assert_array_equal(ne, [False, True])


def test_in_compares_values():
    assert ad.grad(lambda x: x**2 if x in [1.0] else x**3)(1.0) == 2.0
    assert ad.grad(lambda x: x**2 if x in [1.0] else x**3)(2.0) == 12.0


def test_dot_of_three_dimensions_is_numpy_dot():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(24.0).reshape(2, 3, 4)
    y, t = ad.jvp(lambda a: np.dot(a, b), (a,), (np.ones((2, 3)),))
    assert y[0, 1, 1] == 59.0
    np.testing.assert_allclose(y, np.dot(a, b))
    np.testing.assert_allclose(t, np.dot(np.ones((2, 3)), b))


@pytest.mark.parametrize(
    ("shape_a", "shape_b"),
    [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 3), (2, 3, 4)),
     ((5, 2, 3), (3, 4)), ((5, 2, 3), (2, 3, 4)), ((3,), (2, 3, 4)), ((2, 2, 3), (3,))],
)  # fmt: skip
def test_dot_gradients_match_the_bilinear_form(shape_a, shape_b):
    rng = np.random.default_rng(len(shape_a) * 10 + len(shape_b))
    a, b = rng.normal(size=shape_a), rng.normal(size=shape_b)
    w = rng.normal(size=np.shape(np.dot(a, b)))
    ga, gb = ad.grad(lambda a, b: np.sum(np.dot(a, b) * w), argnums=(0, 1))(a, b)
    # the gradient of the bilinear form <w, dot(a, b)> in a is its linear map on a's basis
    ea = np.eye(a.size).reshape(a.size, *shape_a)
    eb = np.eye(b.size).reshape(b.size, *shape_b)
    np.testing.assert_allclose(ga.ravel(), [np.sum(np.dot(e, b) * w) for e in ea], atol=1e-12)
    np.testing.assert_allclose(gb.ravel(), [np.sum(np.dot(a, e) * w) for e in eb], atol=1e-12)


def test_integer_constants_do_not_overflow_the_derivative():
    img = np.array([200], dtype=np.uint8)
    g = ad.grad(lambda x: np.sum(img * x * 2))(1.0)
    assert g == 400.0
    assert type(g) is float
    assert ad.grad(lambda x: np.sum(np.array([2**62]) * x * 4))(1.0) == 4.0 * 2**62


C16 = np.full((10000, 1), 100.0, np.float16)  # numpy computes C16 * x in float64


@pytest.mark.parametrize("derivative", [
    lambda f, x: ad.grad(f)(x),
    lambda f, x: ad.jacrev(f)(x),
    lambda f, x: ad.vjp(f, x)[1](1.0)[0],
    lambda f, x: ad.jacfwd(f)(x),
    lambda f, x: ad.jvp(f, (x,), (np.ones(3),))[1] / 3.0 * np.ones(3),
])  # fmt: skip
def test_a_float16_constant_does_not_set_the_precision_of_the_derivative(derivative):
    """A seed of 1.0 as a Python float took the float16 of the constant, as numpy lets
    it: the adjoint C16 was then summed over 10000 rows in float16, to inf."""
    x = np.array([1.0, 2.0, 3.0])
    f = lambda x: np.sum(C16 * x)
    assert f(x) == 6e6  # float64
    np.testing.assert_array_equal(derivative(f, x), [1e6, 1e6, 1e6])


def test_low_precision_constants_give_derivatives_at_the_precision_of_f():
    x = np.array([1.0, 2.0, 3.0])
    c16 = np.array([3.0, 7.0, 11.0], np.float16)
    exact = 1.0 / np.array([3.0, 7.0, 11.0])  # 1/c in float64, as x / c16 is computed
    for gradient in (ad.grad(lambda x: np.sum(x / c16))(x), ad.jacfwd(lambda x: np.sum(x / c16))(x)):
        np.testing.assert_allclose(gradient, exact, rtol=1e-15)
    third = ad.grad(lambda x: np.sum(x / np.float16(3.0)))(x)
    np.testing.assert_allclose(third, [1 / 3] * 3, rtol=1e-15)
    c = np.array([0.1, 0.3, 0.7], np.float16)
    by_hand = c.astype(float) ** 2  # d/dx sum(x * c * c), in float64 as f is
    for gradient in (ad.grad(lambda x: np.sum(x * c * c))(x), ad.jacrev(lambda x: np.sum(x * c * c))(x)):
        np.testing.assert_allclose(gradient, by_hand, rtol=1e-15)


def test_derivatives_are_floats():
    g = ad.grad(lambda x: 3 * x)(1.0)
    assert g == 3.0
    assert type(g) is float
    g = ad.grad(lambda x: np.sum(2 * x))(np.ones(3))
    assert g.dtype == np.float64
    g /= 2  # a float array: dividing in place works
    value, g = ad.value_and_grad(lambda x: x * True)(2.0)
    assert (value, g) == (2.0, 1.0)
    assert type(g) is float
    assert type(ad.derivative(lambda x: 3 * x)(1.0)) is float
    t = ad.jvp(lambda x: np.array([1, 2]) * x, (1.0,), (1.0,))[1]
    assert t.dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("f", [lambda x: x * 1.0, np.sin, lambda x: x * x, lambda x: 2.0])
def test_a_zero_dimensional_array_gets_a_zero_dimensional_gradient(f, dtype):
    """The gradient has the input's shape and dtype whatever f does with it: before, a
    0-d input got a Python float, np.float64 or np.float32 depending on f."""
    x = np.array(0.5, dtype)
    for g in (ad.grad(f)(x), ad.value_and_grad(f)(x)[1], ad.vjp(f, x)[1](1.0)[0]):
        assert type(g) is np.ndarray, repr(g)
        assert (g.shape, g.dtype) == ((), dtype)
    g = ad.grad(f)(x)
    g += 1.0  # an array of its own: adding in place changes nothing else
    assert x == 0.5


def test_results_never_share_memory_with_the_callers_arrays():
    c = np.array([1.0, 2.0])
    g = ad.grad(lambda x: np.sum(c * x))(np.zeros(2))
    assert g is not c
    g *= 0
    np.testing.assert_array_equal(c, [1.0, 2.0])
    d = ad.derivative(lambda x: c * x)(3.0)
    assert not np.shares_memory(d, c)
    _, vjp_fn = ad.vjp(lambda x: np.sum(c * x), np.zeros(2))
    assert not np.shares_memory(vjp_fn(1.0)[0], c)
    y, _ = ad.jvp(lambda x: c, (1.0,), (1.0,))  # a constant output
    assert not np.shares_memory(y, c)
    assert not np.shares_memory(ad.value_and_grad(lambda x: np.sum(c) + 0 * x)(1.0)[0], c)


def test_nested_jacobians():
    f = lambda x: np.sin(x[:, None] * x[None, :])
    x = np.array([0.3, -0.7])
    H = ad.jacfwd(ad.jacrev(f))(x)
    assert H.shape == (2, 2, 2, 2)
    np.testing.assert_allclose(H, ad.jacrev(ad.jacfwd(f))(x), atol=1e-12)
    np.testing.assert_allclose(H, ad.jacfwd(ad.jacfwd(f))(x), atol=1e-12)
    # d2/dx_k dx_l of sin(x_i x_j), by hand
    i, j, k, m = np.ix_(range(2), range(2), range(2), range(2))
    xi, xj = x[i], x[j]
    di = (i == k).astype(float)
    dj = (j == k).astype(float)
    ei = (i == m).astype(float)
    ej = (j == m).astype(float)
    a = di * xj + xi * dj
    b = ei * xj + xi * ej
    by_hand = -np.sin(xi * xj) * a * b + np.cos(xi * xj) * (di * ej + ei * dj)
    np.testing.assert_allclose(H, by_hand, atol=1e-12)


@pytest.mark.parametrize("inner", [ad.jacfwd, ad.jacrev])
def test_grad_of_a_jacobian(inner):
    x = np.array([0.3, -0.7])
    g = ad.grad(lambda x: np.sum(inner(np.sin)(x)))(x)
    np.testing.assert_allclose(g, -np.sin(x))


def test_grad_of_a_hessian_and_third_order():
    x = np.array([0.3, -0.7])
    g = ad.grad(lambda x: np.sum(ad.hessian(lambda y: np.sum(y**3))(x)))(x)
    np.testing.assert_allclose(g, [6.0, 6.0])
    third = ad.jacfwd(ad.hessian(lambda y: np.sum(np.sin(y))))(x)
    expected = np.zeros((2, 2, 2))
    expected[0, 0, 0], expected[1, 1, 1] = -np.cos(x)
    np.testing.assert_allclose(third, expected, atol=1e-12)


def test_keyword_arguments_pass_through_every_transformation():
    f = lambda x, s=1.0: s * x**2
    assert ad.grad(f)(3.0, s=2.0) == 12.0
    assert ad.value_and_grad(f)(3.0, s=2.0) == (18.0, 12.0)
    assert ad.derivative(f)(3.0, s=2.0) == 12.0
    assert ad.jacfwd(f)(3.0, s=2.0) == 12.0
    assert ad.jacrev(f)(3.0, s=2.0) == 12.0
    assert ad.hessian(f)(3.0, s=2.0) == 4.0


@pytest.mark.parametrize("jacobian", [ad.jacrev, ad.jacfwd])
def test_concatenate_with_axis_none(jacobian):
    jx, jy = jacobian(lambda x, y: np.concatenate([x, y], axis=None), argnums=(0, 1))(
        np.ones((2, 2)), np.ones(3)
    )
    assert jx.shape == (7, 2, 2)
    assert jy.shape == (7, 3)
    np.testing.assert_array_equal(jx.reshape(7, 4), np.eye(7)[:, :4])
    np.testing.assert_array_equal(jy, np.eye(7)[:, 4:])


def _add_in_place(x):
    x[0] += 1
    return np.sum(x)


def _assign_into(x):
    x[0] = 1.0
    return np.sum(x)


@pytest.mark.parametrize("make", [ad.grad, ad.derivative])
@pytest.mark.parametrize("f", [_add_in_place, _assign_into])
def test_item_assignment_says_what_to_do_instead(make, f):
    with pytest.raises(TypeError, match=r"cannot assign into an array being differentiated") as e:
        make(f)(np.ones(3))
    assert "np.where" in str(e.value)
    assert "Var" not in str(e.value)
    assert "Dual" not in str(e.value)


@pytest.mark.parametrize("make", [ad.grad, ad.derivative])
def test_storing_into_a_numpy_array_says_what_to_do_instead(make):
    def f(x):
        buf = np.zeros(3)
        buf[0] = x
        return np.sum(buf)

    with pytest.raises(TypeError, match=r"^buf\[i\] = x: storing .* np\.stack"):
        make(f)(1.0)


@pytest.mark.parametrize(
    ("f", "pattern"),
    [(lambda x: x // 2.0, r"x // y"), (lambda x: divmod(x, 2.0), r"divmod"),
     (lambda x: x & 1, r"^x & y is not .* compare first"), (lambda x: 1 | x, r"^x \| y is not"),
     (lambda x: x ^ x, r"^x \^ y is not"), (lambda x: ~x, r"^~x is not .* ~\(x > 0\)"),
     (lambda x: x << 2, r"^x << y is not"), (lambda x: 2 >> x, r"^x >> y is not"),
     (lambda x: pow(x, 2, 3), r"^pow\(x, y, m\) is not .* write x \*\* y % m"),
     (lambda x: np.sum(x.cumprod()), r"^x\.cumprod: adlearn does not support this method")],
)  # fmt: skip
@pytest.mark.parametrize("make", [ad.grad, ad.derivative])
def test_unsupported_operations_name_the_operation_not_a_class(f, pattern, make):
    with pytest.raises((TypeError, AttributeError), match=pattern) as e:
        make(f)(np.ones(2) if "cumprod" in pattern else 1.5)
    assert "Var" not in str(e.value)
    assert "Dual" not in str(e.value)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_matrix_inputs_are_plain_arrays():
    g = ad.grad(lambda x: np.sum(x**2))(np.matrix([[1.0, 2.0]]))
    assert type(g) is np.ndarray
    np.testing.assert_array_equal(g, [[2.0, 4.0]])


LIST_OPERANDS = {
    "x * list": (lambda x: x * [1.0, 2.0, 3.0], lambda x: x * np.array([1.0, 2.0, 3.0])),
    "list * x": (lambda x: [1.0, 2.0, 3.0] * x, lambda x: np.array([1.0, 2.0, 3.0]) * x),
    "np.multiply(x, tuple of ints)": (
        lambda x: np.multiply(x, (1, 2, 3)),
        lambda x: np.multiply(x, np.array([1.0, 2.0, 3.0])),
    ),
    "x * nested list": (lambda x: x * [[1.0], [2.0]], lambda x: x * np.array([[1.0], [2.0]])),
    "(list - x) ** 2": (lambda x: ([1, 0, 2] - x) ** 2, lambda x: (np.array([1.0, 0, 2]) - x) ** 2),
}


@pytest.mark.parametrize("name", sorted(LIST_OPERANDS))
def test_a_list_operand_is_the_array_numpy_makes_of_it(name):
    """numpy's ufuncs take a list or tuple of numbers as an array: so do the derivatives
    (the partial of x * [1, 2, 3] for x is that array, not a list to multiply)."""
    with_list, with_array = LIST_OPERANDS[name]
    x = np.array([0.5, -1.0, 2.0])
    total = lambda g: lambda x: np.sum(np.sin(g(x)))
    for transform in (ad.grad, ad.jacfwd, ad.hessian):
        np.testing.assert_array_equal(transform(total(with_list))(x), transform(total(with_array))(x))
    listed, arrayed = (ad.vjp(g, x)[1](np.ones_like(g(x)))[0] for g in (with_list, with_array))
    np.testing.assert_array_equal(listed, arrayed)
    np.testing.assert_array_equal(ad.jacrev(with_list)(x), ad.jacrev(with_array)(x))
