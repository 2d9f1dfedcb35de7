"""The evaluation trace: units, notations, sweeps, contributions and renderings."""

from __future__ import annotations

import math

import numpy as np
import pytest

import adlearn as ad
from adlearn.examples import baydin
from adlearn.examples import running_example as f
from adlearn.trace import Const


@pytest.fixture
def t():
    return ad.trace(f, 2.0, 3.0)


# --- units ------------------------------------------------------------------------


def test_units_of_the_running_example(t):
    ops = [u.op for u in t.units]
    assert ops == ["input", "input", "mul", "sin", "add"]
    assert [u.number for u in t.units] == [1, 2, 3, 4, 5]
    assert [u.operands for u in t.units] == [(), (), (1, 2), (1,), (3, 4)]
    assert [u.name for u in t.units] == ["x1", "x2", None, None, None]
    assert [u.is_input for u in t.units] == [True, True, False, False, False]
    assert t.unit(3).partials == pytest.approx((3.0, 2.0))  # d(w1 w2)/dw1 = w2, /dw2 = w1
    assert t.unit(4).partials == pytest.approx((math.cos(2.0),))
    assert t.unit(5).partials == (1.0, 1.0)
    assert t.output is t.unit(5)
    assert t.value == pytest.approx(6.0 + math.sin(2.0))
    assert t.tangent == pytest.approx(3.0 + math.cos(2.0))
    assert t.gradient == pytest.approx((3.0 + math.cos(2.0), 2.0))


def test_constants_are_operands_too():
    t = ad.trace(lambda x1, x2: x1**2 + 0.5 * x2, 2.0, 3.0)
    assert t.unit(3).operands == (1, Const(2))
    assert t.unit(4).operands == (Const(0.5), 2)
    assert t.unit(3).unit_operands == (1,)
    assert t.formula(3, "wengert") == "w1 ** 2"
    assert t.formula(4, "wengert") == "0.5 * w2"
    assert t.gradient == pytest.approx((4.0, 0.5))


def test_a_unit_used_twice_receives_two_contributions():
    t = ad.trace(lambda x: x * x, 3.0)
    assert t.unit(2).unit_operands == (1, 1)
    assert t.consumers(1) == [(2, 0), (2, 1)]
    contributions = t.contributions(1)
    assert [c.value for c in contributions] == [3.0, 3.0]
    assert t.unit(1).adjoint == 6.0


def wide(a, b, c):
    s = a * b
    return np.exp(s) / (c + s) + np.sin(a) * np.cos(s) - b**3 * a


@pytest.mark.parametrize(
    ("fn", "point"), [(f, (2.0, 3.0)), (baydin, (2.0, 5.0)), (wide, (0.3, -0.7, 2.0))]
)
def test_contributions_add_up_to_every_adjoint(fn, point):
    t = ad.trace(fn, *point)
    for u in t.units:
        if u is t.output:
            assert u.adjoint == 1.0
            continue
        contributions = t.contributions(u.number)
        assert sum(c.value for c in contributions) == pytest.approx(u.adjoint, abs=1e-14)
        for c in contributions:
            assert c.value == pytest.approx(c.consumer_adjoint * c.partial)


@pytest.mark.parametrize(
    ("fn", "point"), [(f, (2.0, 3.0)), (baydin, (2.0, 5.0)), (wide, (0.3, -0.7, 2.0))]
)
def test_trace_agrees_with_both_modes(fn, point):
    for wrt in range(len(point)):
        t = ad.trace(fn, *point, wrt=wrt)
        assert t.value == pytest.approx(fn(*point))
        assert t.tangent == pytest.approx(ad.derivative(fn, wrt)(*point))
        assert t.gradient == pytest.approx(ad.grad(fn, tuple(range(len(point))))(*point))


def test_tangents_follow_the_chain_rule():
    """Each unit's tangent is the sum of its partials times its operands' tangents."""
    t = ad.trace(wide, 0.3, -0.7, 2.0, wrt=1)
    for u in t.units:
        if u.is_input:
            assert u.tangent == (1.0 if u.number == 2 else 0.0)
            continue
        expected = sum(p * t.unit(o).tangent for p, o in zip(u.partials, u.unit_operands))
        assert u.tangent == pytest.approx(expected, abs=1e-15)


def test_levels_are_distances_from_the_inputs():
    t = ad.trace(baydin, 2.0, 5.0)
    # log(x1), x1*x2, sin(x2) are level 1; their sum level 2; the difference level 3
    assert {u.op: u.level for u in t.units if not u.is_input} == {
        "log": 1,
        "mul": 1,
        "sin": 1,
        "add": 2,
        "sub": 3,
    }
    assert [u.position for u in t.units if u.level == 1] == [1, 2, 3]


def test_an_unused_input_is_kept_with_zero_adjoint():
    t = ad.trace(lambda x1, x2: np.sin(x1), 1.0, 2.0)
    assert [u.op for u in t.units] == ["input", "input", "sin"]
    assert t.gradient == pytest.approx((math.cos(1.0), 0.0))


def test_units_the_output_does_not_need_are_left_out():
    def g(x):
        np.exp(x)  # computed, thrown away
        return np.sin(x)

    assert [u.op for u in ad.trace(g, 1.0).units] == ["input", "sin"]


def test_array_inputs():
    x = np.array([1.0, 2.0, 3.0])
    t = ad.trace(lambda x: np.sum(x * x), x)
    np.testing.assert_allclose(t.gradient[0], 2 * x)
    assert t.value == pytest.approx(14.0)
    assert t.unit(3).op == "sum"
    assert t.unit(3).partials is None  # a structural rule


# --- sweeps and names ------------------------------------------------------------


def test_steps(t):
    assert t.steps("forward") == [1, 2, 3, 4, 5]
    assert t.steps("reverse") == [5, 4, 3, 2, 1]
    with pytest.raises(ValueError, match="mode must be 'forward' or 'reverse'"):
        t.steps("sideways")


# (notation, format, unit) -> label, written out from the notations of DESIGN.md
LABELS = {
    ("hierarchy", "text", 1): "w⁰₁",
    ("hierarchy", "text", 4): "w¹₂",
    ("hierarchy", "text", 5): "w²",  # one unit on level 2: no index
    ("wengert", "text", 4): "w4",
    ("hierarchy", "latex", 4): "w^{1}_{2}",
    ("hierarchy", "latex", 5): "w^{2}",
    ("wengert", "latex", 4): "w_{4}",
    ("hierarchy", "markdown", 4): "$w^{1}_{2}$",
    ("hierarchy", "html", 4): "<i>w</i><sup>1</sup><sub>2</sub>",
    ("wengert", "html", 4): "<i>w</i><sub>4</sub>",
}


@pytest.mark.parametrize(("notation", "fmt", "number"), list(LABELS))
def test_labels(t, notation, fmt, number):
    assert t.label(number, notation, fmt) == LABELS[notation, fmt, number]


def test_dotted_and_barred_labels(t):
    assert t.label(4, "wengert", "text", "dot") == "ẇ4"
    assert t.label(4, "wengert", "text", "bar") == "w̄4"
    assert t.label(4, "hierarchy", "text", "bar") == "w̄¹₂"
    assert t.label(4, "wengert", "latex", "dot") == r"\dot{w}_{4}"
    assert t.label(4, "hierarchy", "latex", "bar") == r"\bar{w}^{1}_{2}"


def test_formulas(t):
    assert t.formula(1, "wengert") == "x1"
    assert t.formula(3, "wengert") == "w1 * w2"
    assert t.formula(3, "hierarchy") == "w⁰₁ * w⁰₂"
    assert t.formula(4, "wengert", "latex") == r"\sin(w_{1})"
    assert t.formula(3, "wengert", "latex") == r"w_{1} \cdot w_{2}"
    assert t.formula(1, "wengert", "latex") == "x_{1}"
    assert t.tangent_formula(4, "wengert") == "cos(w1) · ẇ1"
    assert t.tangent_formula(2, "wengert") == "0"
    assert t.adjoint_formula(1, "wengert") == "w̄3 · w2 + w̄4 · cos(w1)"
    assert t.adjoint_formula(1, "wengert", "latex") == (
        r"\bar{w}_{3} \cdot w_{2} + \bar{w}_{4} \cdot \cos(w_{1})"
    )
    assert t.adjoint_formula(5, "wengert", "latex") == r"1 \ \text{(seed)}"


def test_a_remainder_is_escaped_in_latex():
    t = ad.trace(lambda x1, x2: x1 % x2, 2.5, 1.5)
    assert t.formula(3, "wengert", "latex") == r"w_{1} \% w_{2}"  # a bare % is a comment
    assert t.formula(3, "wengert") == "w1 % w2"


def test_names_come_from_the_signature_or_are_given():
    assert [u.name for u in ad.trace(lambda a, b: a * b, 1.0, 2.0).units[:2]] == ["a", "b"]
    t = ad.trace(f, 2.0, 3.0, names=("u", "v"))
    assert t.formula(1, "wengert") == "u"
    names = [u.name for u in ad.trace(lambda *xs: xs[0] * xs[1], 1.0, 2.0).units[:2]]
    assert names == ["x1", "x2"]  # no names to read: x1, x2, ...
    assert ad.trace(f, 2.0, 3.0, wrt="x2").wrt == 1


# --- renderings -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", [None, "forward", "reverse"])
@pytest.mark.parametrize("notation", ["both", "hierarchy", "wengert"])
def test_every_rendering_shows_every_unit(t, mode, notation):
    text = t.to_text(mode=mode, notation=notation)
    lines = text.splitlines()
    assert len(lines) == 2 + 5  # header, rule, one line per unit
    markdown = t.to_markdown(mode=mode, notation=notation)
    rows = markdown.splitlines()
    assert len(rows) == 2 + 5
    assert all(r.startswith("|") and r.endswith("|") for r in rows)
    assert len({r.count("|") for r in rows}) == 1  # every row has the same columns
    latex = t.to_latex(mode=mode, notation=notation)
    assert latex.startswith(r"\begin{tabular}")
    assert latex.endswith(r"\end{tabular}")
    assert latex.count(r"\\") == 1 + 5
    html = t.to_html(mode=mode, notation=notation)
    assert html.count("<tr>") == 1 + 5
    assert html.startswith('<table class="adlearn-trace" ')
    for label in ("w1", "w5") if notation != "hierarchy" else ("w⁰₁", "w²"):
        assert label in text


def test_reverse_rendering_runs_from_the_seed_down(t):
    lines = t.to_text(mode="reverse", notation="wengert").splitlines()[2:]
    assert [line.split()[0] for line in lines] == ["w5", "w4", "w3", "w2", "w1"]
    assert "1 (seed)" in lines[0]


def test_notebook_and_print_show_the_table(t):
    assert t._repr_html_() == t.to_html()
    assert str(t) == t.to_text()
    assert repr(t) == t.to_text()


def test_digits_and_no_negative_zero():
    t = ad.trace(lambda x: x * 1e-5 - 1e-5 * x - 1e-4, 1.0)
    assert "-0.000" not in t.to_text()
    assert "-0.00010" in t.to_text(digits=5)


def test_array_values_are_shown_short():
    t = ad.trace(lambda x: np.sum(x * 2.0), np.arange(10.0))
    text = t.to_text()
    assert "array(10,)" in text


# --- errors ------------------------------------------------------------------------


def test_bad_render_options(t):
    with pytest.raises(ValueError, match="mode must be one of"):
        t.render(mode="sideways")
    with pytest.raises(ValueError, match="notation must be one of"):
        t.render(notation="roman")
    with pytest.raises(ValueError, match="format must be one of"):
        t.render("pdf")


def test_bad_trace_arguments():
    with pytest.raises(ValueError, match=r"wrt='x3' is not an input; the inputs are x1, x2"):
        ad.trace(f, 2.0, 3.0, wrt="x3")
    with pytest.raises(ValueError, match="wrt=2 must name one of the 2 inputs"):
        ad.trace(f, 2.0, 3.0, wrt=2)
    with pytest.raises(ValueError, match="1 names for 2 inputs"):
        ad.trace(f, 2.0, 3.0, names=("a",))
    with pytest.raises(ValueError, match=r"returns a constant \(3.0\) that depends on none"):
        ad.trace(lambda x: 3.0, 1.0)
    with pytest.raises(ValueError, match=r"must return a scalar, got shape \(2,\)"):
        ad.trace(lambda x: x * 2.0, np.ones(2))
    with pytest.raises(TypeError, match=r"trace: argument 1 is a str \('3'\)"):
        ad.trace(f, 2.0, "3")


# --- structural rules in a trace ------------------------------------------------------


def test_a_linear_rule_applies_itself_to_the_tangents():
    t = ad.trace(lambda x1, x2: np.sum(np.stack([x1, x2 * x1, 1.0])), 2.0, 3.0)
    stack, total = t.unit(4), t.unit(5)
    # d/dx1 [x1, x2 x1, 1] = [1, x2, 0] at x2 = 3; the constant contributes 0
    assert t.tangent_formula(4, "wengert") == "stack(ẇ1, ẇ3, 0)"
    np.testing.assert_allclose(stack.tangent, [1.0, 3.0, 0.0])
    assert t.tangent_formula(5, "wengert") == "sum(ẇ4)"
    assert total.tangent == pytest.approx(1.0 + 3.0)


def test_a_bilinear_rule_takes_one_tangent_at_a_time():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    t = ad.trace(lambda x, y: np.sum(x @ (w * y)), np.array([1.0, 2.0]), 1.0)
    assert t.tangent_formula(4, "wengert") == "ẇ1 @ w3 + w1 @ ẇ3"
    # seeded on x (all ones): d/dx sum(x @ w) = the row sums of w, added up
    np.testing.assert_allclose(t.unit(1).tangent, [1.0, 1.0])
    np.testing.assert_allclose(t.unit(4).tangent, [1.0 + 3.0, 2.0 + 4.0])


def test_a_matrix_value_stays_on_one_line_of_the_table():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    text = ad.trace(lambda x: np.sum(x * w), 1.0).to_text()
    assert len(text.splitlines()) == 2 + 3  # header, rule, three units
    assert "[[1., 2.], [3., 4.]]" in text
