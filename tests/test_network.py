"""The two-moons data, the network of chapter 8, and its pictures and explorer.

The gradient is checked against central differences written here, and the loss
against the cross-entropy written with the sigmoid, not with softplus.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from adlearn import datasets, network, network_plots


def central(loss, params, h=1e-6):
    grads = []
    for k, p in enumerate(params):
        g = np.zeros(p.shape)
        for i in np.ndindex(p.shape):
            up = [q.copy() for q in params]
            down = [q.copy() for q in params]
            up[k][i] += h
            down[k][i] -= h
            g[i] = (loss(up) - loss(down)) / (2 * h)
        grads.append(g)
    return grads


@pytest.fixture(scope="module")
def moons():
    return datasets.two_moons(n=60, noise=0.1, seed=2)


# --- the data ----------------------------------------------------------------------------------


def test_two_moons_is_the_same_for_the_same_seed_and_differs_for_another():
    X1, y1 = datasets.two_moons(n=50, seed=5)
    X2, y2 = datasets.two_moons(n=50, seed=5)
    X3, _ = datasets.two_moons(n=50, seed=6)
    assert np.array_equal(X1, X2)
    assert np.array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_two_moons_without_noise_lies_on_its_two_half_circles():
    X, y = datasets.two_moons(n=41, noise=0.0, seed=0)
    assert X.shape == (41, 2)
    assert np.bincount(y).tolist() == [20, 21]
    upper, lower = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(*upper.T), 1.0)
    assert np.all(upper[:, 1] >= 0)
    assert np.allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert np.all(lower[:, 1] <= 0.5)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [({"n": 1}, "n must be an int >= 2"), ({"n": 2.5}, "n must be"), ({"n": True}, "n must be"),
     ({"noise": -0.1}, "noise must be"), ({"noise": float("nan")}, "noise must be"),
     ({"noise": "0.1"}, "noise must be")],
)
def test_two_moons_refuses_bad_input_naming_it(kwargs, words):
    with pytest.raises(ValueError, match=f"two_moons: {words}"):
        datasets.two_moons(**kwargs)


# --- the network -------------------------------------------------------------------------------


def test_init_params_shapes_scale_and_seed():
    params = network.init_params([2, 16, 16, 1], seed=3)
    assert [p.shape for p in params] == [(2, 16), (16,), (16, 16), (16,), (16, 1), (1,)]
    assert sum(p.size for p in params) == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert all(np.all(b == 0) for b in params[1::2])
    big = network.init_params([400, 300], seed=0)[0]
    assert abs(big.std() - 1 / np.sqrt(400)) < 0.002
    again = network.init_params([2, 16, 16, 1], seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(params, again))


@pytest.mark.parametrize("sizes", [[2], [], [2, 0, 1], [2, -3], [2, 1.5], [2, True]])
def test_init_params_refuses_bad_sizes(sizes):
    with pytest.raises(ValueError, match="init_params: sizes"):
        network.init_params(sizes)


def test_predict_by_hand_on_a_two_layer_network():
    W1 = np.array([[1.0, -1.0], [0.5, 2.0]])
    b1 = np.array([0.1, -0.2])
    W2 = np.array([[2.0], [-1.0]])
    b2 = np.array([0.3])
    x = np.array([[0.4, -0.6]])
    h = np.tanh(np.array([0.4 * 1.0 - 0.6 * 0.5 + 0.1, 0.4 * -1.0 - 0.6 * 2.0 - 0.2]))
    want = 2.0 * h[0] - h[1] + 0.3
    assert network.predict([W1, b1, W2, b2], x).tolist() == pytest.approx([want], abs=1e-15)


def test_softplus_does_not_overflow_and_is_log_one_plus_exp():
    z = np.linspace(-30, 30, 61)
    assert np.allclose(network.softplus(z), np.log1p(np.exp(z)), rtol=1e-14, atol=0)
    with np.errstate(over="raise"):
        assert network.softplus(np.array([1e4]))[0] == 1e4
        assert network.softplus(np.array([-1e4]))[0] == 0.0


def test_cross_entropy_is_the_sigmoid_form(moons):
    X, y = moons
    params = network.init_params([2, 5, 1], seed=1)
    p = 1 / (1 + np.exp(-network.predict(params, X)))
    want = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert float(network.cross_entropy(params, X, y)) == pytest.approx(want, rel=1e-12)


def test_gradient_is_one_list_of_the_parameters_shapes_agreeing_with_central_differences(moons):
    X, y = moons
    params = network.init_params([2, 4, 3, 1], seed=2)
    params = [p + 0.05 for p in params]

    def loss(ps):
        return network.cross_entropy(ps, X, y)

    grads = network.gradient(loss, params)
    assert isinstance(grads, list)
    assert [g.shape for g in grads] == [p.shape for p in params]
    for g, g_fd in zip(grads, central(loss, params)):
        assert np.max(np.abs(g - g_fd)) < 1e-8


def test_central_differences_agrees_with_the_closed_form_and_leaves_params_alone():
    params = [np.array([[1.0, 2.0], [-1.0, 0.5]]), np.array([3.0])]
    copies = [p.copy() for p in params]

    def loss(ps):
        return np.sum(ps[0] ** 3) * ps[1][0]

    g = network.central_differences(loss, params, h=1e-5)
    assert np.allclose(g[0], 3 * params[0] ** 2 * 3.0, rtol=1e-8)
    assert np.allclose(g[1], [np.sum(params[0] ** 3)], rtol=1e-8)
    assert all(np.array_equal(a, b) for a, b in zip(params, copies))


def test_descend_steps_against_the_gradient_and_returns_new_arrays():
    params = [np.array([1.0, -2.0]), np.array([0.5])]

    def loss(ps):
        return np.sum(ps[0] ** 2) + 3.0 * ps[1][0]

    new = network.descend(loss, params, lr=0.1)
    assert np.allclose(new[0], [1.0 - 0.2, -2.0 + 0.4])
    assert np.allclose(new[1], [0.5 - 0.3])
    assert params[0].tolist() == [1.0, -2.0]  # the caller's arrays are left alone


def test_training_lowers_the_loss_and_keeps_snapshots(moons):
    X, y = moons
    run = network.train(X, y, sizes=[2, 8, 1], lr=0.5, steps=60, every=25)
    assert run.losses.shape == (61,)
    assert run.snapshot_steps.tolist() == [0, 25, 50, 60]
    assert len(run.snapshots) == 4
    assert run.losses[-1] < 0.6 * run.losses[0]
    last = run.snapshots[-1]
    assert float(network.cross_entropy(last, X, y)) == run.losses[-1]
    assert run.params_at(49) is run.snapshots[1]
    assert run.params_at(60) is run.snapshots[-1]
    first = network.init_params([2, 8, 1], seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(run.params_at(0), first))


def test_training_is_deterministic(moons):
    X, y = moons
    a = network.train(X, y, sizes=[2, 6, 1], steps=20)
    b = network.train(X, y, sizes=[2, 6, 1], steps=20)
    assert np.array_equal(a.losses, b.losses)


def test_the_chapter_network_learns_the_moons():
    """The chapter's figures: 500 steps at rate 0.5 reach 98.5% on the 200 training points."""
    X, y = datasets.two_moons(n=200, noise=0.15, seed=0)
    run = network.train(X, y, sizes=[2, 16, 16, 1], lr=0.5, steps=500, seed=1, every=500)
    assert run.losses[-1] < 0.06
    assert network.accuracy(run.snapshots[-1], X, y) >= 0.98


@pytest.mark.parametrize(("kwargs", "words"), [({"steps": -1}, "steps"), ({"every": 0}, "every")])
def test_train_refuses_bad_counts(moons, kwargs, words):
    with pytest.raises(ValueError, match=f"train: {words} must be"):
        network.train(*moons, **kwargs)


# --- pictures and the explorer -----------------------------------------------------------------


def test_decision_boundary_draws_probability_boundary_and_points(moons):
    X, y = moons
    params = network.init_params([2, 4, 1], seed=0)
    ax = network_plots.decision_boundary(params, X, y, title="t")
    assert len(ax.images) == 1
    image = ax.images[0].get_array()
    assert image.min() >= 0
    assert image.max() <= 1
    assert len(ax.collections) >= 2  # the points (and the boundary where p crosses 1/2)
    assert ax.get_title() == "t"
    plt.close(ax.figure)


def test_decision_boundary_refuses_mismatched_data():
    with pytest.raises(ValueError, match="decision_boundary: X must have shape"):
        network_plots.decision_boundary([], np.zeros((3, 3)), np.zeros(3))


def test_loss_curve_is_on_a_log_scale_with_a_marker():
    ax = network_plots.loss_curve(np.array([1.0, 0.5, 0.25]), step=1)
    assert ax.get_yscale() == "log"
    assert ax.lines[-1].get_xdata().tolist() == [1]
    plt.close(ax.figure)


def test_the_explorer_moves_through_training_and_between_learning_rates(moons):
    X, y = moons
    e = network_plots.explore_training(X, y, sizes=[2, 6, 1], lr=0.5, steps=40, every=10)
    assert repr(e) == "<adlearn training explorer>"
    assert set(e.controls) == {"lr", "step", "play"}
    start = e.table_text
    assert "step 0 of 40" in start
    picture = e.images["training"].value
    e.controls["step"].value = 40
    assert "step 40 of 40" in e.table_text
    assert e.images["training"].value != picture
    run = network.train(X, y, sizes=[2, 6, 1], lr=0.5, steps=40, every=10)
    assert f"loss {run.losses[-1]:.4f}" in e.table_text
    e.controls["lr"].value = 3.0
    assert e.table_text.startswith("learning rate 3.00, step 40 of 40")
    e.controls["lr"].value = 0.5  # back: trained once, kept
    assert f"loss {run.losses[-1]:.4f}" in e.table_text
    assert e.message_text == ""


def test_the_explorer_says_when_a_learning_rate_overflows(moons):
    X, y = moons
    # a rate of 1e308 sends the loss past the largest float within 30 steps
    assert not np.isfinite(network.train(X, y, sizes=[2, 6, 1], lr=1e308, steps=30).losses).all()
    e = network_plots.explore_training(X, y, sizes=[2, 6, 1], lr=1e308, step=30, steps=30,
                                       every=10, learning_rates=(0.5, 1e308))
    assert "the loss overflowed" in e.message_text
    e.controls["lr"].value = 0.5
    assert e.message_text == ""


@pytest.mark.parametrize(
    ("kwargs", "words"), [({"lr": 0.7}, "lr must be one of"), ({"step": 999}, "step must be")]
)
def test_the_explorer_refuses_bad_starting_values(moons, kwargs, words):
    with pytest.raises(ValueError, match=f"explore_training: {words}"):
        network_plots.explore_training(*moons, **kwargs)
