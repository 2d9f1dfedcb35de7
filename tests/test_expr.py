"""The expression parser: what it accepts, what it refuses, and that it never runs the text.

Expected values are written out with ``math`` (closed forms), never taken from
the parser. The fuzz tests check two properties over random input: the only
exception that escapes ``parse`` is ``ExpressionError``, and a parsed
expression has the gradient of the same function written in Python.
"""

import math
import signal
import string
import sys
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adlearn as ad
from adlearn.expr import (
    MAX_BRACKETS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NUMBER_LENGTH,
    ExpressionError,
    parse,
)

# --- what is accepted ------------------------------------------------------------

ACCEPTED = [
    # text, point (by variable, in order of first appearance), expected value
    ("x1*x2 + sin(x1)", (2.0, 3.0), 2 * 3 + math.sin(2)),
    ("ln(x1) + x1*x2 - sin(x2)", (2.0, 5.0), math.log(2) + 10 - math.sin(5)),
    ("np.sin(x1) + numpy.exp(x2)", (0.5, 1.5), math.sin(0.5) + math.exp(1.5)),
    ("-x**2", (3.0,), -9.0),
    ("(-x)**2", (3.0,), 9.0),
    ("2**-1*x", (3.0,), 1.5),
    ("x/y/z", (8.0, 2.0, 4.0), 1.0),
    ("x**2**2", (2.0,), 16.0),
    ("x**(1/3)", (8.0,), 2.0),
    ("x ** 1000", (1.0,), 1.0),
    ("max(x, y) - np.maximum(y, x)", (1.0, 2.0), 0.0),
    ("min(x, y)", (1.0, 2.0), 1.0),
    ("abs(x) + np.abs(x) + np.absolute(x)", (-2.0,), 6.0),
    ("asin(x) - np.arcsin(x)", (0.5,), 0.0),
    ("+x - - y", (1.0, 2.0), 3.0),
    ("1_000*x + 1e3*y + .5*z + 0x10*w", (1.0, 1.0, 2.0, 1.0), 1000 + 1000 + 1 + 16),
    ("sqrt(x**2 + y**2)", (3.0, 4.0), 5.0),
    ("  x1\t+  x2  ", (1.0, 2.0), 3.0),
    ("tanh(x) + sinh(x) - cosh(x) + expm1(x) + log1p(x) + square(x)", (0.3,),
     math.tanh(0.3) + math.sinh(0.3) - math.cosh(0.3) + math.expm1(0.3) + math.log1p(0.3) + 0.09),
]  # fmt: skip


@pytest.mark.parametrize(("text", "point", "expected"), ACCEPTED)
def test_accepted_expressions_compute_the_right_value(text, point, expected):
    e = parse(text)
    assert len(e.variables) == len(point)
    assert float(e(*point)) == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_variables_are_in_order_of_first_appearance():
    assert parse("b + a*c + a").variables == ("b", "a", "c")


def test_given_variables_fix_the_order():
    e = parse("x1 - x2", variables=["x2", "x1"])
    assert e.variables == ("x2", "x1")
    assert e(5.0, 2.0) == 2.0 - 5.0


def test_the_running_example_has_the_known_gradient():
    e = parse("x1*x2 + sin(x1)")
    dx1, dx2 = ad.grad(e.function, argnums=(0, 1))(2.0, 3.0)
    assert dx1 == pytest.approx(3.0 + math.cos(2.0), rel=1e-14)
    assert dx2 == pytest.approx(2.0, rel=1e-14)


def test_baydins_example_traces_with_the_known_numbers():
    e = parse("ln(x1) + x1*x2 - sin(x2)")
    t = ad.trace(e.function, 2.0, 5.0, names=e.variables)
    assert t.value == pytest.approx(math.log(2) + 10 - math.sin(5))
    assert t.tangent == pytest.approx(1 / 2 + 5)
    assert t.gradient == pytest.approx((1 / 2 + 5, 2 - math.cos(5)))
    assert [u.name for u in t.units if u.is_input] == ["x1", "x2"]
    assert t.unit(3).op == "log"  # ln is the rule table's log


def test_the_function_works_on_arrays():
    e = parse("x1*x2 + sin(x1)")
    x1, x2 = np.array([0.0, 1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    np.testing.assert_allclose(e(x1, x2), x1 * x2 + np.sin(x1))
    np.testing.assert_allclose(ad.derivative(e.function, 0)(x1, x2), x2 + np.cos(x1))


def test_two_argument_functions_and_their_gradients():
    e = parse("atan2(x1, x2) + hypot(x1, x2) + log2(x1)")
    g = ad.grad(e.function, (0, 1))(3.0, 4.0)
    # d atan2(y, x) = (x, -y) / (x^2 + y^2); d hypot = (x1, x2) / hypot; d log2 = 1 / (x ln 2)
    expected = (4 / 25 + 3 / 5 + 1 / (3 * math.log(2)), -3 / 25 + 4 / 5)
    assert g == pytest.approx(expected, rel=1e-14)
    with pytest.raises(ExpressionError, match="hypot takes 2 arguments, got 1"):
        parse("hypot(x1)")


def test_the_function_checks_how_many_values_it_gets():
    with pytest.raises(TypeError, match=r"takes 2 values \(x1, x2\), got 1"):
        parse("x1*x2")(1.0)


def test_constants_are_floats():
    t = ad.trace(parse("x**2").function, 3.0)
    (const,) = [o for o in t.unit(2).operands if not isinstance(o, int)]
    assert type(const.value) is float
    assert const.value == 2.0


def test_numeric_trouble_gives_numpy_nan_not_an_exception():
    with np.errstate(invalid="ignore"):
        assert math.isnan(parse("log(x)")(-1.0))
        assert math.isnan(parse("x**(1/3)")(-8.0))  # Python would give a complex number
    with np.errstate(divide="ignore"):
        assert parse("1/x")(0.0) == math.inf


# --- what is refused, and where ------------------------------------------------------

REFUSED = [
    # text, words the message must contain, column (1-based), width
    ("x1 + foo(x2)", "unknown function 'foo'", 6, 3),
    ("x1 + sine(x2)", "did you mean 'sin'", 6, 4),
    ("x1 + os.system(x2)", "attribute access", 6, 9),
    ("x1.real", "attribute access", 1, 7),
    ("np.sin", "attribute access", 1, 6),
    ("np.linalg.norm(x)", "attribute access", 1, 14),
    ("np.max(x1, x2)", "np.max is a different function in numpy", 1, 6),
    ("np.ln(x1)", "numpy has no function ln", 1, 5),
    ("np.foo(x1)", "unknown function np.foo", 1, 6),
    ("x1 + x2[0]", "subscripts", 6, 5),
    ("lambda: x", "lambda", 1, 9),
    ("[x for x in y]", "comprehensions", 1, 14),
    ("sum(x for x in y)", "unknown function 'sum'", 1, 3),
    ("x1 + 'a'", "strings", 6, 1),
    ('x1 + "a"', "strings", 6, 1),
    ("sin(x, out=y)", "keyword arguments", 8, 5),
    ("sin(x, y)", "sin takes 1 argument, got 2", 1, 9),
    ("max(x)", "max takes 2 arguments, got 1", 1, 6),
    ("x^2", "write powers with **", 2, 1),
    ("x1 % 2", "operator %", 4, 1),
    ("x1 @ x2", "operator @", 4, 1),
    ("x1 // x2", "operator //", 4, 2),
    ("~x", "operator ~", 1, 1),
    ("not x", "operator not", 1, 3),
    ("x < y", "comparisons", 1, 5),
    ("x and y", "'and' and 'or'", 1, 7),
    ("x if y else z", "conditional", 1, 13),
    ("(x := 3)", "assignments", 2, 6),
    ("(x, y)", "tuples", 1, 6),
    ("{x: y}", "dicts", 1, 6),
    ("True * x", "True is not a number", 1, 4),
    ("None", "None is not a number", 1, 4),
    ("1j * x", "complex", 1, 2),
    ("sin", "sin is a function", 1, 3),
    ("np + x", "np can only be used", 1, 2),
    ("open + x", "unknown name 'open'", 1, 4),
    ("_x + 1", "not a variable name", 1, 2),
    ("x" * 31, "limited to 30 characters", 1, 31),
    ("x1 +", "ends too early", 5, 1),
    ("x1 2", "syntax error", 4, 1),
    ("x1 + x2)", "unmatched ')'", 8, 1),
    ("(x1 + x2", "'(' is never closed", 1, 1),
    ("[x1)", "unmatched ')'", 4, 1),
    ("x1 +\n x2", "the character '\\n'", 5, 1),
    ("x1 #+ 1000*x1", "comments (#) are not allowed", 4, 1),
    ("x1 + \\", "the character '\\' is not allowed", 6, 1),
    ("x1; x1", "syntax error", 3, 1),
    ("θ + 1", "ASCII", 1, 1),
    ("1e400 * x", "too large for a float", 1, 5),
    ("x**1e6", "exponent out of range: 1e6", 4, 3),
    ("2**2**2**2**2 * x", "exponent out of range: 2**2**2**2 = 65536", 4, 10),
    ("10**10**10 * x", "exponent out of range: 10**10 = 1e+10", 5, 6),
    ("x ** -(1001)", "exponent out of range", 6, 7),
    ("x ** log(-1)", "exponent out of range: log(-1) = nan", 6, 7),
    ("2 + 3", "no variables", None, 1),
    ("", "empty", None, 1),
    ("   ", "empty", None, 1),
]


@pytest.mark.parametrize(("text", "words", "column", "width"), REFUSED)
def test_refused_expressions_say_what_and_where(text, words, column, width):
    with pytest.raises(ExpressionError) as info:
        parse(text)
    err = info.value
    assert words in err.message
    assert err.column == column
    if column is not None:
        assert err.width == width
        assert f"(column {column})" in str(err)


def test_the_caret_points_at_the_offending_part():
    with pytest.raises(ExpressionError) as info:
        parse("x1*x2 + foo(x1)")
    assert info.value.caret() == "x1*x2 + foo(x1)\n        ^^^"


def test_the_caret_keeps_tabs_so_that_it_lines_up():
    with pytest.raises(ExpressionError) as info:
        parse("x1\t+ foo(x1)")
    assert info.value.caret().splitlines()[1] == "  \t  ^^^"


def test_the_caret_shows_a_window_of_a_long_expression():
    text = "x1 + " * 20 + "foo(x1)"  # 107 characters; foo at column 101
    with pytest.raises(ExpressionError) as info:
        parse(text)
    line, caret = info.value.caret().splitlines()
    assert len(line) <= 72 + 6
    assert line.startswith("...")
    assert line[caret.index("^") :].startswith("foo")


def test_error_is_a_value_error():
    assert issubclass(ExpressionError, ValueError)


def test_a_non_string_is_refused():
    with pytest.raises(ExpressionError, match="must be a str, got int"):
        parse(3)


# --- variables given --------------------------------------------------------------


def test_a_missing_variable_is_named_where_it_is_used():
    with pytest.raises(ExpressionError) as info:
        parse("x1*x2 + sin(x1)", variables=["x1"])
    assert info.value.message == "x2 has no value (values are given for x1)"
    assert info.value.column == 4


def test_a_missing_variable_among_many_given_names_a_few_of_them():
    names = [f"x{i}" for i in range(500)]
    with pytest.raises(ExpressionError) as info:
        parse("x0 + y", variables=names)
    message = info.value.message
    assert message == "y has no value (values are given for x0, x1, x2, x3, x4, x5, x6, x7 and 492 more)"


def test_an_unused_variable_is_named():
    with pytest.raises(ExpressionError, match="a value is given for x3, but the expression"):
        parse("x1*x2", variables=["x1", "x2", "x3"])


@pytest.mark.parametrize(
    ("variables", "words"),
    [
        (["x", "x"], "given twice"),
        (["sin"], "'sin' cannot be a variable"),
        (["2x"], "'2x'"),
        ("x", "a sequence of names, not the str 'x'"),
    ],
)
def test_bad_variable_lists_are_refused(variables, words):
    with pytest.raises(ExpressionError, match=words):
        parse("x", variables=variables)


# --- the limits, at the edge -------------------------------------------------------


def test_length_limit():
    text = "x" + " " * (MAX_LENGTH - 4) + "+ y"
    assert len(text) == MAX_LENGTH
    parse(text)
    with pytest.raises(ExpressionError, match=f"{MAX_LENGTH + 1} characters long") as info:
        parse(text.replace("+", " +"))
    assert info.value.column == MAX_LENGTH + 1


def test_bracket_limit():
    parse("(" * MAX_BRACKETS + "x" + ")" * MAX_BRACKETS)
    with pytest.raises(ExpressionError, match="brackets are nested") as info:
        parse("(" * (MAX_BRACKETS + 1) + "x" + ")" * (MAX_BRACKETS + 1))
    assert info.value.column == MAX_BRACKETS + 1


def test_depth_limit():
    parse("+".join(["x"] * MAX_DEPTH))  # the leftmost x is MAX_DEPTH deep
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("+".join(["x"] * (MAX_DEPTH + 1)))
    parse("-" * (MAX_DEPTH - 1) + "x")
    with pytest.raises(ExpressionError, match="nested more than"):
        parse("-" * MAX_DEPTH + "x")


def test_number_length_limit():
    parse("1" * MAX_NUMBER_LENGTH + "*x")
    with pytest.raises(ExpressionError, match="too long") as info:
        parse("x + " + "1" * (MAX_NUMBER_LENGTH + 1))
    assert (info.value.column, info.value.width) == (5, MAX_NUMBER_LENGTH + 1)


def test_exponent_limit():
    assert parse(f"x**{MAX_EXPONENT}")(1.0) == 1.0
    assert parse(f"x**-{MAX_EXPONENT}")(1.0) == 1.0
    assert parse("x**(10*100)")(1.0) == 1.0
    for text in (f"x**{MAX_EXPONENT + 1}", f"x**-{MAX_EXPONENT + 1}", "x**(10*100+1)"):
        with pytest.raises(ExpressionError, match="exponent out of range"):
            parse(text)


def test_an_exponent_with_a_variable_is_not_bounded():
    assert parse("x**y")(1.0, 1e6) == 1.0


def test_a_long_allowed_expression_evaluates_without_recursion():
    text = "+".join(["x"] * MAX_DEPTH)
    assert parse(text)(1.5) == pytest.approx(1.5 * MAX_DEPTH)
    assert ad.grad(parse(text).function)(1.5) == pytest.approx(MAX_DEPTH)


# --- hostile input: refused at once, nothing run -------------------------------------

HOSTILE = [
    "__import__('os').system('touch /tmp/adlearn-pwned')",
    "__import__(x).system(y)",
    "exec(x)",
    "eval(x)",
    "compile(x, y, z)",
    "open(x).read()",
    "getattr(x, y)",
    "x.__class__.__bases__[0].__subclasses__()",
    "(lambda: x)()",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "sin.__globals__",
    "np.sys.exit(x)",
    "numpy.__builtins__",
    "np.load(x)",
    "breakpoint()",
    "x1; import os",
    "x1 if __import__ else x2",
    "f'{x}'",
    "sin(*x)",
    "sin(**x)",
    "9**9**9**9",
    "2**2**2**2**2**2 * x",
    "10**10**10 * x",
    "x**99999999999",
    "1e400 * x",
    "9" * 5000 + "*x",
    "9" * MAX_LENGTH,
    "(" * 100_000 + "x" + ")" * 100_000,
    "[" * 50 + "x" + "]" * 50,
    "-" * 100_000 + "x",
    "x" + "+x" * 50_000,
    "sin(" * 40 + "x" + ")" * 40,
    "x" + "**x" * 400,
    "x" * 1_000_000,
    "\x00",
    "x\u202e1",
]


@contextmanager
def _watched():
    """Record audit events (exec, import, open, os.system, ...) raised meanwhile,
    and stop the block if it runs for seconds (a hang fails instead of stalling)."""
    events: list[str] = []
    _AUDIT.append(events)

    def stop(signum, frame):
        raise TimeoutError("parse did not return within 5 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, 5.0)
    try:
        yield events
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _AUDIT.remove(events)


_AUDIT: list[list[str]] = []


def _audit(event, args):
    for events in _AUDIT:
        events.append(event)


sys.addaudithook(_audit)  # cannot be removed; it only appends while a test listens


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_input_is_refused_and_nothing_runs(text, tmp_path):
    with _watched() as events, pytest.raises(ExpressionError):
        parse(text)
    # ast.parse announces "compile" (it parses, it does not run); nothing else may happen
    assert set(events) <= {"compile"}
    assert not (tmp_path.parent / "adlearn-pwned").exists()


def test_the_audit_hook_does_see_what_code_does(tmp_path):
    """The check above could not fail if the hook saw nothing: show that it sees an open."""
    with _watched() as events:
        (tmp_path / "file").write_text("")
    assert "open" in events


# --- fuzzing: random text ---------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
TOKENS = [
    "x1", "x2", "y", "2", "0.5", "1e3", "1e400", "9" * 45, "+", "-", "*", "/", "**", "^", "%",
    "(", ")", "[", "]", ",", ".", "sin", "np.sin", "numpy.exp", "np.max", "max", "log", "ln",
    "foo", "lambda", ":", "'", "os", "__import__", "=", "==", "if", "else", "for", "in", " ",
    "\t", "_", "j", "True", "None", "...", "@", "~", "not", "and", "*x", "**x", ";", "#",
]  # fmt: skip


def _parse_or_refuse(text):
    e = refused = None
    try:
        e = parse(text)
    except ExpressionError as err:
        refused = err
    if refused is not None:
        if refused.column is not None:
            assert 1 <= refused.column <= len(text.strip(" \t")) + 1
        return None
    with np.errstate(all="ignore"):
        value = e(*([1.5] * len(e.variables)))
    assert np.ndim(value) == 0
    return e


@FUZZ
@given(st.text(max_size=80))
def test_random_text_is_parsed_or_refused_with_expression_error(text):
    _parse_or_refuse(text)


@FUZZ
@given(st.text(alphabet=string.printable, max_size=80))
def test_random_ascii_is_parsed_or_refused_with_expression_error(text):
    _parse_or_refuse(text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=25))
def test_random_tokens_are_parsed_or_refused_with_expression_error(tokens):
    _parse_or_refuse(" ".join(tokens))
    _parse_or_refuse("".join(tokens))


# --- fuzzing: random expression trees against the same function in Python ---------

# numpy's own names for the functions (a list of the test's own, on purpose)
NUMPY_NAMES = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "exp": np.exp, "log": np.log,
    "sqrt": np.sqrt, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "abs": np.abs,
    "arcsin": np.arcsin, "arccos": np.arccos, "arctan": np.arctan, "log1p": np.log1p,
    "expm1": np.expm1, "square": np.square, "log2": np.log2, "log10": np.log10, "exp2": np.exp2,
    "arcsinh": np.arcsinh, "arccosh": np.arccosh, "arctanh": np.arctanh,
}  # fmt: skip
OTHER_NAMES = {
    "ln": np.log, "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "asinh": np.arcsinh,
    "acosh": np.arccosh, "atanh": np.arctanh,
}  # fmt: skip
BINARY_NAMES = {
    "maximum": np.maximum, "minimum": np.minimum, "max": np.maximum, "min": np.minimum,
    "arctan2": np.arctan2, "atan2": np.arctan2, "hypot": np.hypot, "logaddexp": np.logaddexp,
}  # fmt: skip
OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}
VARIABLES = ("x1", "x2", "x3")


def _has_variable(tree) -> bool:
    return any(v in tree[0] for v in VARIABLES)


# A tree is (text, python function of a dict of variable values).
variables = st.sampled_from(VARIABLES).map(lambda v: (v, lambda env, v=v: env[v]))
constants = st.sampled_from([0.5, 1.0, 2.0, 3.0, 0.25, 10.0]).map(
    lambda c: (repr(c), lambda env, c=c: np.float64(c))
)
leaves = st.one_of(variables, variables, constants)  # two variables to a constant


def _extend(children):
    def binary(a, op, b):
        fa, fb, f = a[1], b[1], OPERATORS[op]
        return (f"({a[0]}) {op} ({b[0]})", lambda env: f(fa(env), fb(env)))

    def power(a, k):
        fa = a[1]
        return (f"({a[0]}) ** {k!r}", lambda env: fa(env) ** k)

    def negate(a):
        fa = a[1]
        return (f"-({a[0]})", lambda env: -fa(env))

    def call(prefix, name, a):
        fa, f = a[1], {**NUMPY_NAMES, **OTHER_NAMES}[name]
        return (f"{prefix}{name}({a[0]})", lambda env: f(fa(env)))

    def call2(name, a, b):
        fa, fb, f = a[1], b[1], BINARY_NAMES[name]
        return (f"{name}({a[0]}, {b[0]})", lambda env: f(fa(env), fb(env)))

    # an exponent is a small number or has a variable in it (a constant one out of range
    # is refused: see the table of refusals)
    return st.one_of(
        st.builds(binary, children, st.sampled_from(["+", "-", "*", "/"]), children),
        st.builds(binary, children, st.just("**"), children.filter(_has_variable)),
        st.builds(power, children, st.sampled_from([0.0, 1.0, 2.0, 3.0, -1.0, 0.5, -2.0])),
        st.builds(negate, children),
        st.builds(call, st.sampled_from(["np.", "numpy."]), st.sampled_from(sorted(NUMPY_NAMES)),
                  children),
        st.builds(call, st.just(""), st.sampled_from(sorted({**NUMPY_NAMES, **OTHER_NAMES})),
                  children),
        st.builds(call2, st.sampled_from(sorted(BINARY_NAMES)), children, children),
    )  # fmt: skip


trees = st.recursive(leaves, _extend, max_leaves=12)
points = st.tuples(*[st.floats(-3, 3, allow_nan=False).filter(lambda v: abs(v) > 1e-3)] * 3)


@FUZZ
@given(trees, points)
def test_a_parsed_expression_has_the_gradient_of_the_same_function_in_python(tree, point):
    text, python = tree
    if not _has_variable(tree):
        return  # a constant: parse refuses it (see the table of refusals)
    e = parse(text)
    env_of = dict(zip(VARIABLES, point))
    values = [env_of[v] for v in e.variables]

    def reference(*args):
        return python(dict(zip(e.variables, args)))

    argnums = tuple(range(len(values)))
    with np.errstate(all="ignore"):
        got_value, got = ad.value_and_grad(e.function, argnums)(*values)
        want_value, want = ad.value_and_grad(reference, argnums)(*values)
    np.testing.assert_allclose(got_value, want_value, rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=0, equal_nan=True)


@FUZZ
@given(trees)
def test_a_generated_tree_parses_to_its_own_variables(tree):
    text, _ = tree
    named = [v for v in VARIABLES if v in text]
    if not named:
        return
    e = parse(text)
    assert sorted(e.variables) == named
