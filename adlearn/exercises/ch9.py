"""Checkers for chapter 9, control flow, tracing and compiling: the derivative of the path
taken, the adjoint program as code, and what a branch costs a compiler.

Examples
--------
>>> from adlearn.exercises import ch9
>>> ch9.newton_derivative(13 / 36)
Exercise 9.1: Correct! y1 = (1 + a)/2 gives y1' = 1/2; y2 = (y1 + a/y1)/2 gives y2' = (y1' + 1/y1 - a y1'/y1²)/2 = (1/2 + 2/3 - 4/9)/2 = 13/36 = 0.3611, the derivative of the program that ran: two steps, not sqrt.
"""

from __future__ import annotations

import ast
import math

import numpy as np

from adlearn.examples import running_example
from adlearn.exercises.learner import call, items, test_points
from adlearn.exercises.method import by_hand, watch
from adlearn.exercises.verdict import (
    NotYet,
    attempted,
    checker,
    close,
    count,
    diagnose,
    exact,
    number,
    show,
    to_places,
)

__all__ = [
    "adjoint_by_hand",
    "fan_in_line",
    "missing_line",
    "newton_derivative",
    "program_with_a_gap",
    "recordings",
]


# --- 9.1 the derivative through two Newton steps --------------------------------------------


@checker("9.1", "the derivative through two Newton steps")
def newton_derivative(answer):
    """dy2/da for two Newton steps y <- (y + a/y)/2 from y0 = 1 at a = 2: 13/36."""
    x = number(answer)
    if to_places(x, 13 / 36, 3):
        return (
            "y1 = (1 + a)/2 gives y1' = 1/2; y2 = (y1 + a/y1)/2 gives "
            "y2' = (y1' + 1/y1 - a y1'/y1²)/2 = (1/2 + 2/3 - 4/9)/2 = 13/36 = 0.3611, the "
            "derivative of the program that ran: two steps, not sqrt."
        )
    if close(x, 6 / 17, tol=2e-4):  # 0.35294, near 1/(2 sqrt 2) = 0.35355: told apart first
        raise NotYet(
            "That is 1/(2 y2), sqrt's derivative at the value the loop reached. The derivative "
            "of the loop is the chain rule through each step, not a formula at its end.",
            f"your answer: {show(x)}",
        )
    diagnose(
        x,
        [
            (
                1 / (2 * math.sqrt(2.0)),
                (
                    (
                        "That is 1/(2 sqrt 2), the derivative of sqrt itself. AD differentiates the "
                        "program that ran: two Newton steps, whose value 17/12 is not yet sqrt 2."
                    ),
                    (
                        "Carry a tangent through each step: y0' = 0 (y0 = 1 does not depend on a), "
                        "then differentiate y1 = (y0 + a/y0)/2 and y2 = (y1 + a/y1)/2 with respect "
                        "to a."
                    ),
                ),
            ),
            (
                1 / 3,
                (
                    "You kept only the direct term 1/(2 y1): y1 depends on a too (y1 = (1 + a)/2), "
                    "so a/y1 and y1 itself carry y1' = 1/2 into the second step."
                ),
            ),
            (
                0.5,
                (
                    "1/2 is the derivative after one step. Take the second step as well: "
                    "y2 = (y1 + a/y1)/2, with y1 and y1' from the first."
                ),
            ),
            (
                (0.5 + 2 / 3 + 4 / 9) / 2,
                (
                    "Check the sign of the term from a/y1: its derivative with respect to y1 is "
                    "-a/y1², so it contributes -a y1'/y1²."
                ),
            ),
        ],
        default="Differentiate step by step: y1 = (1 + a)/2, then y2 = (y1 + a/y1)/2 with the "
        "quotient rule for a/y1, both a and y1 depending on a.",
    )


# --- 9.2 and 9.3 reading the generated code ----------------------------------------------------


def f(x1, x2):
    """The running example, under the name the chapter gives it (its listing begins
    ``def f_value_and_grad``)."""
    return running_example(x1, x2)


def h(x1, x2):
    """Exercise 9.3's function: x2 is read twice, by the product and by cos."""
    return np.exp(x1 * x2) + np.cos(x2)


def _listing(transform, fn) -> list[str]:
    """The lines of the program ``ad.jit`` writes for ``transform(fn)`` at (2, 3)."""
    import adlearn as ad

    return ad.jit(transform(fn, argnums=(0, 1))).source(2.0, 3.0).splitlines()


def fan_in_listing() -> list[str]:
    """The program of exercise 9.2: ``ad.jit(ad.value_and_grad(f, argnums=(0, 1)))``'s source."""
    import adlearn as ad

    return _listing(ad.value_and_grad, f)


def _assigns(line: str, name: str) -> bool:
    """True for a line that assigns ``name`` (``name = ...`` or ``name += ...``)."""
    words = line.split()
    return len(words) >= 2 and words[0] == name and words[1] in ("=", "+=")


@checker("9.2", "where the contributions add up")
def fan_in_line(answer):
    """The number (from 1) of the line of f's reverse program where x1_bar gets its second term."""
    n = count(answer)
    lines = fan_in_listing()
    said = f"your answer: line {n}"
    x1_lines = [k for k, line in enumerate(lines, 1) if _assigns(line.strip(), "x1_bar")]
    added = [k for k in x1_lines if lines[k - 1].split()[1] == "+="]
    right = added[-1] if added else x1_lines[-1]
    if n == right:
        return (
            f"Line {right}: x1_bar already holds one contribution, and += adds the other. x1 is "
            "read by two units, so two contributions come back to it: the fan-in of chapter 3."
        )
    if not 1 <= n <= len(lines):
        raise NotYet(
            f"The listing has {len(lines)} lines, numbered from 1 at the left: give one of them.",
            said,
        )
    text = lines[n - 1].strip()
    if n in x1_lines:
        raise NotYet(
            "On that line x1_bar receives its first contribution (it is assigned, with =). Find "
            "the line that adds the next one to it.",
            said,
        )
    if _assigns(text, "x2_bar"):
        raise NotYet("That line is x2's adjoint. The question is about x1's.", said)
    if text.startswith("def "):
        raise NotYet(
            "Line 1 names the function and its parameters; the sweeps come below it.", said
        )
    if text.startswith("return"):
        raise NotYet(
            "The return hands out x1_bar once it is complete. Where was it completed?", said
        )
    if "reverse sweep" in "\n".join(lines[n:]) and "x1" in text:
        raise NotYet(
            "That line reads x1 in the forward sweep. Contributions come back to x1 in the "
            "reverse sweep, below the comment `# reverse sweep`.",
            said,
        )
    if abs(n - right) == 1:
        raise NotYet(
            "Close: count the lines as the listing does, from 1 for the line "
            "`def f_value_and_grad...`.",
            said,
        )
    raise NotYet(
        "Look in the reverse sweep for the line that adds to x1_bar, rather than assigning it.",
        said,
    )


GAP = "# ... one line is missing here ..."


def _gap() -> tuple[list[str], int]:
    """h's reverse program and the index of the line taken out: the last one assigning x2_bar."""
    import adlearn as ad

    lines = _listing(ad.grad, h)
    where = max(k for k, line in enumerate(lines) if _assigns(line.strip(), "x2_bar"))
    return lines, where


def program_with_a_gap() -> str:
    """The program of exercise 9.3: h's reverse program with its last line of x2_bar taken out."""
    lines, where = _gap()
    indent = lines[where][: len(lines[where]) - len(lines[where].lstrip())]
    return "\n".join([*lines[:where], indent + GAP, *lines[where + 1 :]])


def _read_line(answer) -> str:
    """The learner's line, checked to be one assignment to a name; Not yet otherwise."""
    answer = attempted(answer)
    said = f"your answer: {show(answer)}"
    if not isinstance(answer, str):
        raise NotYet('Give the line as a string, in quotes, such as "w_bar += 2.0 * v".', said)
    line = answer.strip()
    if not line or "\n" in line:
        raise NotYet("Give exactly one line of Python.", said)
    try:
        tree = ast.parse(line)
    except SyntaxError as e:
        raise NotYet(
            f"Python cannot read that line ({e.msg}): check its brackets and operators.", said
        ) from None
    statement = tree.body[0] if len(tree.body) == 1 else None
    targets = []
    if isinstance(statement, ast.Assign):
        targets = statement.targets
    elif isinstance(statement, ast.AugAssign):
        targets = [statement.target]
    if len(targets) != 1 or not isinstance(targets[0], ast.Name):
        raise NotYet(
            "The missing line gives one adjoint its value or a contribution: "
            "`name = ...` or `name += ...`.",
            said,
        )
    return line


@checker("9.3", "the missing adjoint line")
def missing_line(answer):
    """The line taken out of h's reverse program, judged by running the program with it."""
    line = _read_line(answer)
    said = f"your line: {line}"
    lines, where = _gap()
    indent = lines[where][: len(lines[where]) - len(lines[where].lstrip())]
    program = "\n".join([*lines[:where], indent + line, *lines[where + 1 :]])
    name = lines[0].split()[1].split("(")[0]
    namespace = {"math": math, "np": np}
    try:
        exec(compile(program, "<the program with your line>", "exec"), namespace)  # noqa: S102
    except SyntaxError as e:
        raise NotYet(f"With your line the program does not compile ({e.msg}).", said) from None
    for x1, x2 in test_points([(2.0, 3.0), (-1.0, 0.5)], 3, seed=93):
        try:
            got = call(namespace[name], x1, x2, name=name)
        except NotYet as e:
            if "NameError" in e.hint or "UnboundLocalError" in e.hint:
                raise NotYet(
                    e.hint + " Your line may use only names the program has defined above the "
                    "gap (x1, x2, and the units of the forward sweep), and += needs a value "
                    "to add to.",
                    said,
                ) from None
            raise NotYet(e.hint, said) from None
        got = [float(v) for v in got]
        e, s = math.exp(x1 * x2), math.sin(x2)
        want = [x2 * e, x1 * e - s]
        if exact(got, want):
            continue
        if not exact(got[0], want[0]):
            raise NotYet(
                "With your line, x1_bar comes out wrong: x1 was complete, the gap is in the "
                "adjoint of the input read twice.",
                said,
            )
        diagnose(
            got[1],
            [
                (
                    x1 * e,
                    (
                        "x2 is read twice, by the product and by cos: its adjoint adds both "
                        "contributions. With = your line throws away the one from cos, above it."
                    ),
                ),
                (
                    -s + x2 * e,
                    "Through w1_1 = x1·x2 the partial with respect to x2 is x1, the other factor.",
                ),
                (
                    -s + x1 * x1 * x2,
                    "exp's partial is exp itself, its output w2, not its input w1_1.",
                ),
                (-s + x1, "The contribution comes through exp: times exp's partial, w2."),
                (-s + e, "The contribution also comes through the product x1·x2: times x1."),
                (-s + 2 * x1 * e, "That contribution is counted twice."),
                (
                    -2 * s + x1 * e,
                    "The contribution through cos is already in x2_bar, above the gap.",
                ),
                (-s, "Your line leaves out the contribution that comes through exp."),
            ],
            default="Run the program in your head at (2, 3): which adjoint is missing a "
            "contribution at the gap, and from which unit does it come?",
            tol=1e-9,
            said=said,
        )
    return (
        "x2 is read by the product x1·x2 and by cos: its adjoint adds both contributions, "
        "-sin(x2) from cos and w2·x1 through exp (whose partial is its own output w2) and the "
        "product. The program now gives (x2 exp(x1 x2), x1 exp(x1 x2) - sin x2) at every point "
        "tried."
    )


# --- 9.4 the adjoint program of a new function, by hand --------------------------------------


def _g(x1, x2):
    return math.sin(x1 * x2) * x1


def _g_gradient(x1, x2):
    """By hand: d/dx1 = sin(x1 x2) + x1 x2 cos(x1 x2), d/dx2 = x1² cos(x1 x2)."""
    c = math.cos(x1 * x2)
    return math.sin(x1 * x2) + x1 * x2 * c, x1 * x1 * c


@checker("9.4", "the adjoint program of g, by hand")
def adjoint_by_hand(fn):
    """``fn(x1, x2)``: the gradient of g = sin(x1 x2) x1, with a forward and a reverse sweep."""
    for x1, x2 in test_points([(2.0, 3.0), (0.5, -1.0)], 3, seed=94):
        where = f"at (x1, x2) = ({show(x1)}, {show(x2)})"
        with watch(fn) as calls:
            out = call(fn, x1, x2, name="g_grad")
        got = items(out, 2, f"g_grad({show(x1)}, {show(x2)})", kind="adjoints (x1_bar, x2_bar)")
        try:
            got = [float(g) for g in got]
        except (TypeError, ValueError):
            raise NotYet(
                f"g_grad({show(x1)}, {show(x2)}) returned {show(out)}: return two numbers, "
                "(x1_bar, x2_bar).",
                where,
            ) from None
        said = f"{where} you gave ({show(got[0])}, {show(got[1])})"
        if not all(math.isfinite(g) for g in got):
            raise NotYet("An adjoint is not finite: look for a division.", said)
        want = _g_gradient(x1, x2)
        if exact(got, want, tol=1e-9):
            by_hand(
                calls, "to write the adjoint program yourself, line by line, with math alone.", said
            )
            continue
        p, s, c = x1 * x2, math.sin(x1 * x2), math.cos(x1 * x2)
        _adjoint_mistakes(got, want, x1, x2, p, s, c, said)
    return (
        "x1 is read twice, by the product x1·x2 and by the last product: its adjoint adds "
        "sin(x1 x2) and x2·cos(x1 x2)·x1, the fan-in the generated code shows with +=."
    )


def _adjoint_mistakes(got, want, x1, x2, p, s, c, said):
    """The hint for a wrong (x1_bar, x2_bar) of g at one point; always raises NotYet."""
    if exact(got[::-1], want, tol=1e-9) and not exact(want[0], want[1], tol=1e-9):
        raise NotYet("The two adjoints are swapped: return (x1_bar, x2_bar) in that order.", said)
    first = [
        (
            s,
            (
                "x1_bar holds only the contribution of the last product (w2 · x1). x1 also feeds the "
                "first product x1·x2: add what comes down that way too (+=)."
            ),
        ),
        (
            p * c,
            (
                "x1_bar holds only the contribution through sin(x1·x2). x1 is also the second "
                "factor of the last product: that contribution is w3_bar times sin(x1 x2)."
            ),
        ),
        (
            s + x1 * x1 * c,
            ("Through w1 = x1·x2 the partial with respect to x1 is x2, the other factor, not x1."),
        ),
        (s - p * c, "sin's partial is cos, with a plus sign."),
        (s + p * s, "sin's partial is cos(w1), not sin(w1)."),
        (
            s + x2 * c,
            (
                "The contribution through sin(x1·x2) comes down the last product first: "
                "w2_bar = w3_bar · x1, then times cos(w1), then times x2."
            ),
        ),
    ]
    second = [
        (
            x1 * c,
            (
                "x2_bar comes down the last product (times x1), then through sin (times "
                "cos w1) and the product x1·x2 (times x1): two factors of x1."
            ),
        ),
        (x2 * x1 * c, "Through w1 = x1·x2 the partial with respect to x2 is x1, the other factor."),
        (-x1 * x1 * c, "sin's partial is cos, with a plus sign."),
        (x1 * x1 * s, "sin's partial is cos(w1), not sin(w1)."),
    ]
    for column, mistakes in ((0, first), (1, second)):
        if exact(got[column], want[column], tol=1e-9):
            continue
        for wrong, hint in mistakes:
            if exact(got[column], wrong, tol=1e-9):
                raise NotYet(hint, said)
    raise NotYet(
        (
            (
                "Write g as units first: w1 = x1·x2, w2 = sin(w1), w3 = w2·x1. Then the reverse sweep "
                "from w3_bar = 1, one line per contribution, last unit first."
            ),
            (
                "Each unit sends its adjoint times its partial to each operand: w3 sends w3_bar·x1 "
                "to w2 and w3_bar·w2 to x1; w2 sends w2_bar·cos(w1) to w1; w1 sends w1_bar·x2 to x1 "
                "and w1_bar·x1 to x2."
            ),
        ),
        said,
    )


# --- 9.5 recordings over a set of points ------------------------------------------------------

#: The points of exercise 9.5, in the order the calls are made.
RAMP_POINTS = (0.5, 0.25, 2.0, 0.75, 3.0, 1.5)


def _ramp_path(x: float) -> str:
    """Which return of the chapter's ``ramp`` a call at ``x`` takes (its tests, in order)."""
    if x < 0.0:
        return "x < 0"
    if x < 1.0:
        return "0 <= x < 1"
    return "x >= 1"


@checker("9.5", "recordings over a set of points")
def recordings(answer):
    """(recordings by ad.jit, tapes PyTorch records) for ramp's gradient at RAMP_POINTS."""
    answer = attempted(answer)
    if isinstance(answer, np.ndarray) and answer.ndim == 1:
        answer = answer.tolist()
    example = "Give two whole numbers: (recordings by ad.jit, tapes PyTorch records)."
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (tuple, list)):
        raise NotYet(example, f"your answer: {show(answer)}")
    if len(answer) != 2:
        raise NotYet(example, f"your answer has {len(answer)} items: {show(answer)}")
    jit, torch = (count(a, name) for a, name in zip(answer, ("first count", "second count")))
    said = f"your answer: ({jit}, {torch})"
    paths = len({_ramp_path(x) for x in RAMP_POINTS})  # 2: no point is negative
    calls = len(RAMP_POINTS)
    if (jit, torch) == (paths, calls):
        return (
            f"The {calls} points take only {paths} of ramp's three paths (none is negative): "
            f"ad.jit records once per path taken and reuses a recording whose guards hold, "
            f"while PyTorch records a fresh tape on every call, {calls} in all."
        )
    if jit == 3:
        raise NotYet(
            (
                (
                    "Three is the number of paths in the code. A recording is made when a call "
                    "takes a path no recording has taken yet: look at which paths these points take."
                ),
                "Is any of the points negative?",
            ),
            said,
        )
    if jit == calls:
        raise NotYet(
            "A compiled path is reused as long as its guards hold: a call re-records only when "
            "it takes a path not recorded before.",
            said,
        )
    if jit == 1:
        raise NotYet(
            "One recording serves only the calls that take its path: its guard fails at a "
            "point on another path, which records anew.",
            said,
        )
    if jit != paths:
        raise NotYet("Count the different paths the points take, in the order of the calls.", said)
    if torch in (paths, 3):
        raise NotYet(
            "PyTorch keeps no recording between calls: the tape is built while the function "
            "runs, on every call.",
            said,
        )
    raise NotYet("PyTorch records a new tape on every call: count the calls.", said)
