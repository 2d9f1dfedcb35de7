"""``adlearn compile``: the source ad.jit generates, for slides.

The generated program is also run here, and its numbers are checked against the
closed forms of the running example (df/dx1 = x2 + cos x1, df/dx2 = x1) and of
Baydin's (df/dx1 = 1/x1 + x2, df/dx2 = x1 - cos x2).
"""

import math

import numpy as np
import pytest

from adlearn.cli import main


def run(argv, capsys):
    status = main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def execute(source, *args):
    namespace = {"math": math, "np": np}
    exec(source, namespace)  # noqa: S102 (the command's own output, in a test)
    name = source.split("(")[0].removeprefix("def ")
    return namespace[name](*args)


def test_reverse_mode_of_the_running_example(capsys):
    status, out, err = run(["compile", "x1*x2 + sin(x1)", "--at", "x1=2", "x2=3"], capsys)
    assert status == 0
    assert err == ""
    lines = [line.strip() for line in out.splitlines()]
    assert lines[0] == "def f_value_and_grad(x1, x2):"
    assert lines[1:5] == [
        "# forward sweep",
        "w1_1 = x1 * x2",
        "w1_2 = math.sin(x1)",
        "w2 = w1_1 + w1_2",
    ]
    assert lines[5] == "# reverse sweep"
    assert sum(line.startswith(("x1_bar =", "x1_bar +=")) for line in lines) == 2
    for x1, x2 in ((2.0, 3.0), (-0.5, 1.5)):
        value, (d1, d2) = execute(out, x1, x2)
        assert value == pytest.approx(x1 * x2 + math.sin(x1))
        assert (d1, d2) == (pytest.approx(x2 + math.cos(x1)), x1)


def test_forward_mode_along_wrt(capsys):
    argv = ["compile", "ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2", "x2=5", "--mode", "forward"]
    status, out, _ = run([*argv, "--wrt", "x2"], capsys)
    assert status == 0
    assert "_dot" in out
    assert "_bar" not in out
    assert execute(out, 2.0, 5.0) == pytest.approx(2.0 - math.cos(5.0))
    status, out, _ = run(argv, capsys)
    assert execute(out, 2.0, 5.0) == pytest.approx(1 / 2.0 + 5.0)


def test_wengert_notation_and_the_expression_names(capsys):
    status, out, _ = run(
        ["compile", "a*b + sin(a)", "--at", "a=2", "b=3", "--notation", "wengert"], capsys
    )
    assert status == 0
    assert "def f_value_and_grad(a, b):" in out
    assert "w3 = a * b" in out
    assert "w5 = w3 + w4" in out
    assert "a_bar" in out


def test_a_bad_expression_is_rejected(capsys):
    status, out, err = run(["compile", "x1*", "--at", "x1=2"], capsys)
    assert status == 2
    assert out == ""
    assert "adlearn compile: error:" in err
