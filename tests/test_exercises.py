"""Every checker: right answers pass, typical mistakes get their hint, stubs and
errors get a friendly verdict, never a traceback.

Expected values are worked out here by hand (closed forms), not taken from the
checkers.
"""

from __future__ import annotations

import importlib
import inspect
import math
import pkgutil

import numpy as np
import pytest
from exercise_support import hint, status

import adlearn.exercises
from adlearn.exercises import CHECKERS, ch0, ch1, ch2
from adlearn.exercises.verdict import call, is_stub, number

for _info in pkgutil.iter_modules(adlearn.exercises.__path__):
    importlib.import_module(f"adlearn.exercises.{_info.name}")


# --- the verdict machinery ------------------------------------------------------


def test_verdict_lines(capsys):
    ch1.predict_w4(math.sin(2.0))
    ch1.predict_w4(0.0)
    ch1.predict_w4(...)
    lines = capsys.readouterr().out.splitlines()
    assert "Correct" in lines[0]
    assert "Not yet" in lines[1]
    assert lines[2].startswith("Hint: ")
    assert "Not attempted" in lines[3]
    assert len(lines) == 4


def test_checkers_return_none_so_a_notebook_shows_the_verdict_once(capsys):
    assert ch0.warm_up(3.0) is None
    assert capsys.readouterr().out.count("Exercise 0.1") == 1


def test_every_checker_is_registered_once_with_a_number():
    assert len(CHECKERS) >= 10
    for key, check in CHECKERS.items():
        assert check.exercise == key
        chapter, _, k = key.partition(".")
        assert chapter.isdigit()
        assert k.isdigit()
        assert check.__module__ == f"adlearn.exercises.ch{chapter}"


@pytest.mark.parametrize("key", sorted(CHECKERS))
def test_every_checker_says_not_attempted_to_a_stub(key):
    check = CHECKERS[key]
    n_args = len(inspect.signature(check).parameters)
    verdict = check.judge(*[...] * n_args)
    assert verdict.status == "not attempted"
    assert "..." in verdict.message


@pytest.mark.parametrize("key", sorted(CHECKERS))
@pytest.mark.parametrize("junk", ["abc", None, [1, 2], object(), float("nan"), True])
def test_no_answer_gives_a_traceback(key, junk):
    check = CHECKERS[key]
    n_args = len(inspect.signature(check).parameters)
    verdict = check.judge(*[junk] * n_args)
    assert verdict.status == "not yet"
    assert verdict.hint


def test_number_reads_numpy_scalars_and_rejects_strings():
    assert number(np.float64(0.5)) == 0.5
    assert number(np.array(2.0)) == 2.0
    assert number(3) == 3.0
    with pytest.raises(adlearn.exercises.verdict.NotYet, match="without quotes"):
        number("0.5")


def test_stubs_are_recognised():
    def dots(a, b):
        """A docstring."""
        ...  # noqa: PIE790 (the learner's stub, as the notebooks write it)

    def passes():
        pass

    def works(a):
        return a

    def no_return(a):
        a = a + 1

    assert is_stub(dots)
    assert is_stub(passes)
    assert not is_stub(works)
    assert not is_stub(no_return)


def test_call_names_the_learners_error():
    def broken(x):
        return 1 / x

    with pytest.raises(adlearn.exercises.verdict.NotYet, match="ZeroDivisionError"):
        call(broken, 0.0, name="broken")


def test_call_reports_a_missing_return():
    def forgot(x):
        x = x + 1

    with pytest.raises(adlearn.exercises.verdict.NotYet, match="forget the `return`"):
        call(forgot, 1.0)


def test_raise_not_implemented_is_not_attempted():
    def stub(x):
        raise NotImplementedError

    with pytest.raises(adlearn.exercises.verdict.NotAttempted):
        call(stub, 1.0)


# --- chapter 0 ----------------------------------------------------------------


def test_warm_up():
    assert status(ch0.warm_up, 2.0 + 0.8414709848) == "correct"
    assert status(ch0.warm_up, 2.841) == "correct"
    assert "add sin(x1)" in hint(ch0.warm_up, 2.0)
    assert "radians" in hint(ch0.warm_up, 2.0 + math.sin(math.pi / 180))
    assert "not of x2" in hint(ch0.warm_up, 2.0 + 0.9092974268)


# --- chapter 1 ----------------------------------------------------------------


def test_predict_w4():
    assert status(ch1.predict_w4, 0.9092974268) == "correct"
    assert status(ch1.predict_w4, 0.909) == "correct"
    assert "local partial" in hint(ch1.predict_w4, -0.4161468365)  # cos 2: a tangent's factor
    assert "not x2" in hint(ch1.predict_w4, 0.1411200081)  # sin 3
    assert "w3" in hint(ch1.predict_w4, 6.0)
    assert "f itself" in hint(ch1.predict_w4, 6.9093)
    assert "sin(2)" in hint(ch1.predict_w4, 42.0)


def test_output_level():
    # g = exp(x1 * x2) + x2: x1 -> x1*x2 -> exp -> + : three steps on the longest path
    assert status(ch1.output_level, 3) == "correct"
    assert "three steps" in hint(ch1.output_level, 1)
    assert "Wengert number" in hint(ch1.output_level, 5)


def test_g_units():
    def right(x1, x2):
        w3 = np.exp(x2)
        w4 = x1 * w3
        return [x1, x2, w3, w4, w4 - x2]

    def wrong_order(x1, x2):
        w3 = np.exp(x2)
        w4 = x1 * w3
        return [x1, x2, w4, w3, w4 - x2]

    def four_units(x1, x2):
        return [x1, x2, x1 * np.exp(x2), x1 * np.exp(x2) - x2]

    def wrong_last(x1, x2):
        return [x1, x2, np.exp(x2), x1 * np.exp(x2), x1 * np.exp(x2)]

    def raises(x1, x2):
        return [x1, x2, math.exp(x2), x1 * w3]  # noqa: F821 (the typo under test)

    def stub(x1, x2): ...

    assert status(ch1.g_units, right) == "correct"
    assert "wrong order" in hint(ch1.g_units, wrong_order)
    assert "5 units" in hint(ch1.g_units, four_units)
    assert "g itself" in hint(ch1.g_units, wrong_last)
    assert "NameError" in hint(ch1.g_units, raises)
    assert status(ch1.g_units, stub) == "not attempted"
    assert "list of 5 numbers" in hint(ch1.g_units, lambda x1, x2: 3.0)


def test_fan_out():
    assert status(ch1.fan_out, 1) == "correct"
    assert status(ch1.fan_out, "w1") == "correct"
    assert status(ch1.fan_out, "x1") == "correct"
    assert "read once" in hint(ch1.fan_out, 2)
    assert "read once" in hint(ch1.fan_out, "w3")
    assert "output" in hint(ch1.fan_out, 5)


# --- chapter 2 ----------------------------------------------------------------


class Dual:
    """The chapter's dual number, as a learner would write it."""

    def __init__(self, value, tangent):
        self.value = value
        self.tangent = tangent


def dual_class(mul):
    return type("Dual", (Dual,), {"__mul__": mul})


def test_dual_mul():
    def right(a, b):
        return Dual(a.value * b.value, a.tangent * b.value + a.value * b.tangent)

    def tangents_multiplied(a, b):
        return Dual(a.value * b.value, a.tangent * b.tangent)

    def half(a, b):
        return Dual(a.value * b.value, a.tangent * b.value)

    def sum_rule(a, b):
        return Dual(a.value * b.value, a.tangent + b.tangent)

    def plain_number(a, b):
        return a.value * b.value

    def typo(a, b):
        return Dual(a.value * b.value, a.tangent * b.valeu)

    def stub(self, other):
        """Return self * other."""
        ...  # noqa: PIE790 (the learner's stub, as the notebooks write it)

    assert status(ch2.dual_mul, dual_class(right)) == "correct"
    assert "multiplied the tangents" in hint(ch2.dual_mul, dual_class(tangents_multiplied))
    assert "second term" in hint(ch2.dual_mul, dual_class(half))
    assert "sum rule" in hint(ch2.dual_mul, dual_class(sum_rule))
    assert "not a plain number" in hint(ch2.dual_mul, dual_class(plain_number))
    assert "AttributeError" in hint(ch2.dual_mul, dual_class(typo))
    assert status(ch2.dual_mul, dual_class(stub)) == "not attempted"
    assert status(ch2.dual_mul, Dual) == "not yet"  # no __mul__ at all


def test_dual_cos():
    def right(d):
        return Dual(math.cos(d.value), -math.sin(d.value) * d.tangent)

    def sign(d):
        return Dual(math.cos(d.value), math.sin(d.value) * d.tangent)

    def no_chain(d):
        return Dual(math.cos(d.value), -math.sin(d.value))

    assert status(ch2.dual_cos, right, Dual) == "correct"
    assert "sign" in hint(ch2.dual_cos, sign, Dual)
    assert "chain rule" in hint(ch2.dual_cos, no_chain, Dual)


def test_seed_x2():
    # w3 = w1 * w2; w3_dot = w1_dot * w2 + w1 * w2_dot = 0 * 3 + 2 * 1
    assert status(ch2.seed_x2, 2.0) == "correct"
    assert "seeded" in hint(ch2.seed_x2, 3.0)


def test_sweeps_needed():
    assert status(ch2.sweeps_needed, 1000) == "correct"
    assert "reverse mode" in hint(ch2.sweeps_needed, 1)


def test_directional():
    g = (3.0 + math.cos(2.0), 2.0)
    assert status(ch2.directional, 0.6 * g[0] + 0.8 * g[1]) == "correct"
    assert "df/dx1" in hint(ch2.directional, g[0])
    assert "swapped" in hint(ch2.directional, 0.6 * g[1] + 0.8 * g[0])
    assert "value" in hint(ch2.directional, 6.0 + math.sin(2.0))
