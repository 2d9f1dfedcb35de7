"""The ``adlearn`` command: golden outputs, hand-checked numbers, errors, the console script.

Golden files
------------
``tests/golden/`` holds the output of ``adlearn trace`` for the running example
(f = x1*x2 + sin(x1) at x1=2, x2=3) and Baydin's example (y = ln(x1) + x1*x2 -
sin(x2) at x1=2, x2=5) in every format and mode, and of ``adlearn grad``. To
regenerate them after a deliberate change of output, run

    ADLEARN_REGEN_GOLDEN=1 .venv/bin/python -m pytest tests/test_cli.py

then read the diff. Every number in them was checked by hand when they were
made (running example: f = 6 + sin 2 = 6.909297, df/dx1 = x2 + cos x1 =
2.583853, df/dx2 = x1 = 2; Baydin: y = ln 2 + 10 - sin 5 = 11.652071, y_dot =
1/x1 + x2 = 5.5 seeded on x1, x1_bar = 5.5, x2_bar = x1 - cos x2 = 1.716338),
and the tests below check those numbers against closed forms independently of
the golden files.
"""

import importlib.metadata
import math
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from adlearn.cli import main

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
DOCS = ROOT / "docs" / "cli.md"
REGENERATE = os.environ.get("ADLEARN_REGEN_GOLDEN") == "1"

EXAMPLES = {
    "running": ("x1*x2 + sin(x1)", ["x1=2", "x2=3"]),
    "baydin": ("ln(x1) + x1*x2 - sin(x2)", ["x1=2", "x2=5"]),
}
FORMATS = {"text": "txt", "markdown": "md", "latex": "tex", "html": "html"}
MODES = ("both", "forward", "reverse")

# value, tangent (seeded on x1) and adjoint of every unit, w1 .. wN, by hand
x1, x2 = 2.0, 3.0
HAND_RUNNING = [
    (x1, 1.0, x2 + math.cos(x1)),  # w1 = x1: two contributions, w3 and w4
    (x2, 0.0, x1),  # w2 = x2
    (x1 * x2, x2, 1.0),  # w3 = w1 * w2
    (math.sin(x1), math.cos(x1), 1.0),  # w4 = sin(w1)
    (x1 * x2 + math.sin(x1), x2 + math.cos(x1), 1.0),  # w5 = w3 + w4
]
x1, x2 = 2.0, 5.0
HAND_BAYDIN = [
    (x1, 1.0, 1 / x1 + x2),  # w1 = x1
    (x2, 0.0, x1 - math.cos(x2)),  # w2 = x2
    (math.log(x1), 1 / x1, 1.0),  # w3 = log(w1)
    (x1 * x2, x2, 1.0),  # w4 = w1 * w2
    (math.log(x1) + x1 * x2, 1 / x1 + x2, 1.0),  # w5 = w3 + w4
    (math.sin(x2), 0.0, -1.0),  # w6 = sin(w2)
    (math.log(x1) + x1 * x2 - math.sin(x2), 1 / x1 + x2, 1.0),  # w7 = w5 - w6
]
HAND = {"running": HAND_RUNNING, "baydin": HAND_BAYDIN}
del x1, x2


def run(argv, capsys):
    status = main(argv)
    out = capsys.readouterr()
    return status, out.out, out.err


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        pytest.skip(f"regenerated {path.name}")
    assert path.exists(), f"no golden file {path.name}: run with ADLEARN_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def trace_argv(example, fmt="text", mode="both"):
    expression, point = EXAMPLES[example]
    argv = ["trace", expression, "--at", *point, "--format", fmt]
    return argv if mode == "both" else [*argv, "--mode", mode]


# --- golden outputs --------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_trace_output_matches_the_golden_file(example, fmt, mode, capsys):
    status, out, err = run(trace_argv(example, fmt, mode), capsys)
    assert (status, err) == (0, "")
    check_golden(f"{example}-{mode}.{FORMATS[fmt]}", out)


@pytest.mark.parametrize("example", EXAMPLES)
def test_grad_output_matches_the_golden_file(example, capsys):
    expression, point = EXAMPLES[example]
    status, out, err = run(["grad", expression, "--at", *point], capsys)
    assert (status, err) == (0, "")
    check_golden(f"{example}-grad.txt", out)


# --- the numbers, against closed forms ---------------------------------------------


def _columns(text_table: str) -> list[tuple[float, float, float]]:
    """value, tangent, adjoint of each row of a text table (the last three columns)."""
    rows = text_table.strip().splitlines()[2:]
    return [tuple(float(x) for x in row.split()[-3:]) for row in rows]


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_number_of_the_trace_is_the_hand_computed_one(example, capsys):
    status, out, _ = run(trace_argv(example), capsys)
    assert status == 0
    got = _columns(out)
    assert len(got) == len(HAND[example])
    for row, hand in zip(got, HAND[example]):
        assert row == pytest.approx(hand, abs=0.0005 + 1e-12)  # three decimals shown


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("example", EXAMPLES)
def test_every_format_shows_the_hand_computed_numbers(example, fmt, mode, capsys):
    _, out, _ = run(trace_argv(example, fmt, mode), capsys)
    shown = {
        float(x) for x in re.findall(r"(?<![\w{.])-?\d+\.\d{3}(?!\d)", out)
    }  # numbers with three decimals, not subscripts
    columns = {"both": (0, 1, 2), "forward": (0, 1), "reverse": (0, 2)}[mode]
    for hand in HAND[example]:
        for c in columns:
            assert round(hand[c], 3) + 0.0 in shown, (hand, c)


@pytest.mark.parametrize("example", EXAMPLES)
def test_grad_prints_the_closed_form_gradient(example, capsys):
    expression, point = EXAMPLES[example]
    _, out, _ = run(["grad", expression, "--at", *point, "--digits", "10"], capsys)
    numbers = [float(line.split("=")[1]) for line in out.splitlines()]
    hand = HAND[example]
    want = [hand[-1][0], hand[0][2], hand[1][2]]  # f, df/dx1, df/dx2
    assert numbers == pytest.approx(want, abs=1e-10)


def test_the_at_order_is_the_input_order(capsys):
    _, out, _ = run(["trace", "x1*x2 + sin(x1)", "--at", "x2=3", "x1=2"], capsys)
    first = out.splitlines()[2].split()
    assert first[2] == "x2"  # w1 is x2
    assert float(first[3]) == 3.0
    assert float(first[4]) == 1.0  # the seed goes to the first input unless --wrt


def test_wrt_seeds_the_named_input(capsys):
    _, out, _ = run(["trace", "x1*x2 + sin(x1)", "--at", "x1=2", "x2=3", "--wrt", "x2"], capsys)
    tangents = [row[1] for row in _columns(out)]
    assert tangents == pytest.approx([0.0, 1.0, 2.0, 0.0, 2.0])  # d/dx2: w3 = x1*x2 -> x1


def test_notation_and_digits(capsys):
    argv = ["trace", "x1*x2 + sin(x1)", "--at", "x1=2", "x2=3", "--notation", "wengert"]
    _, out, _ = run([*argv, "--digits", "6"], capsys)
    assert out.splitlines()[0].split()[:2] == ["unit", "operation"]
    assert "6.909297" in out
    assert "w⁰" not in out


def test_grad_shows_a_huge_number_as_the_trace_table_does(capsys):
    # f = x1**2 = 1e20 at x1 = 1e10: past 1e16 the decimals are rounding noise, so both
    # commands give the exponent form; df/dx1 = 2e10 stays in fixed form
    argv = ["x1*x1", "--at", "x1=1e10", "--digits", "3"]
    _, out, _ = run(["grad", *argv], capsys)
    assert out.splitlines() == ["f      = 1.000e+20", "df/dx1 = 20000000000.000"]
    _, table, _ = run(["trace", *argv, "--notation", "wengert"], capsys)
    assert "1.000e+20" in table.splitlines()[-1].split()  # w2 = w1 * w1


# --- numeric trouble: nan and inf printed, with a warning -----------------------------


def test_log_of_a_negative_number_prints_nan_and_warns(capsys):
    status, out, err = run(["grad", "log(x1)", "--at", "x1=-1"], capsys)
    assert status == 0
    assert out.splitlines()[0] == "f      = nan"
    assert "adlearn grad: warning: invalid value encountered in log" in err
    assert "Traceback" not in err


def test_division_by_zero_prints_inf_and_warns(capsys):
    status, out, err = run(["trace", "x1/x2", "--at", "x1=1", "x2=0"], capsys)
    assert status == 0
    assert "inf" in out
    assert "warning:" in err


# --- rejected input: exit status 2, a message and a caret, never a traceback -----------

REJECTED = [
    # argv, words in the message, the caret line (None: no caret)
    (["trace", "x1*x2 + foo(x1)", "--at", "x1=2", "x2=3"], "unknown function 'foo'",
     "          ^^^"),
    (["trace", "x1.__class__", "--at", "x1=2"], "attribute access", "  ^^^^^^^^^^^^"),
    (["trace", "x1[0]", "--at", "x1=2"], "subscripts", "  ^^^^^"),
    (["trace", "2**2**2**2**2 * x", "--at", "x=1"], "exponent out of range", "     ^^^^^^^^^^"),
    (["trace", "x1*x2", "--at", "x1=2"], "x2 has no value", "     ^^"),
    (["trace", "x1*x2", "--at", "x1=2", "x2=3", "x3=4"], "a value is given for x3", None),
    (["trace", "x1", "--at", "x1=abc"], "--at x1=abc: 'abc' is not a number", None),
    (["trace", "x1", "--at", "x1=nan"], "must be a finite number", None),
    (["trace", "x1", "--at", "x1=inf"], "must be a finite number", None),
    (["trace", "x1", "--at", "x1"], "expected NAME=VALUE", None),
    (["trace", "x1", "--at", "x1=1", "x1=2"], "x1 is given twice", None),
    (["trace", "x1*x2", "--at", "x1=1", "x2=2", "--wrt", "z"], "--wrt z: not a variable", None),
    (["grad", "x1 +", "--at", "x1=1"], "ends too early", "      ^"),
    (["grad", "lambda: 1", "--at", "x1=1"], "lambda", "  ^^^^^^^^^"),
    # Python's tokenizer would drop the rest: this was x1 alone (f = 1, status 0)
    (["grad", "x1 #+ 1000*x1", "--at", "x1=1"], "comments (#) are not allowed", "     ^"),
    (["grad", "x1 + \\", "--at", "x1=1"], "the character '\\' is not allowed", "       ^"),
    (["grad", "x1; x1", "--at", "x1=1"], "syntax error", "    ^"),
    # refused before any name is looked up (a list lookup per item made 30,000 take 44 s)
    (["grad", "x", "--at", *["x=1"] * 30_000], "--at gives 30000 values;", None),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "words", "caret"), REJECTED, ids=lambda a: str(a)[:40])
def test_rejected_input_exits_2_with_a_message_and_a_caret(argv, words, caret, capsys):
    status, out, err = run(argv, capsys)
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert lines[0].startswith(f"adlearn {argv[0]}: error: ")
    assert words in lines[0]
    if caret is None:
        assert len(lines) == 1
    else:
        assert len(lines) == 3
        assert lines[1] == "  " + argv[1]
        assert lines[2] == caret
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["trace", "x1"], "the following arguments are required: --at"),
        (["trace", "-x1", "--at", "x1=1"], "needs a space first"),
        (["trace", "x1", "--at", "x1=1", "--format", "pdf"], "invalid choice: 'pdf'"),
        (["trace", "x1", "--at", "x1=1", "--digits", "99"], "99 is not between 0 and 15"),
        (["grad", "x1", "--at", "x1=1", "--wrt", "x1"], "unrecognized arguments: --wrt"),
        (["fly"], "invalid choice: 'fly'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_usage_errors_exit_2(argv, words, capsys):
    status, _, err = run(argv, capsys)
    assert status == 2
    assert words in err
    assert "Traceback" not in err


def test_an_expression_with_a_leading_space_may_start_with_minus(capsys):
    status, out, _ = run(["grad", " -x1**2", "--at", "x1=3"], capsys)
    assert status == 0
    assert out.splitlines() == ["f      = -9.000000", "df/dx1 = -6.000000"]


# --- help and version --------------------------------------------------------------


def test_help_shows_examples_and_the_functions(capsys):
    status, out, _ = run(["--help"], capsys)
    assert status == 0
    assert 'adlearn trace "x1*x2 + sin(x1)" --at x1=2 x2=3' in out
    for name in ("sin", "exp", "log", "sqrt", "tanh"):
        assert re.search(rf"\b{name}\b", out)


@pytest.mark.parametrize("command", ["trace", "graph", "grad"])
def test_each_command_has_help_with_examples(command, capsys):
    status, out, _ = run([command, "--help"], capsys)
    assert status == 0
    assert "examples:" in out
    assert f"adlearn {command} " in out
    assert "--at NAME=VALUE" in out


def test_version_is_the_installed_version(capsys):
    status, out, _ = run(["--version"], capsys)
    assert status == 0
    assert out.strip() == f"adlearn {importlib.metadata.version('adlearn')}"


# --- the graph -------------------------------------------------------------------

MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF-"}


@pytest.mark.parametrize("ext", sorted(MAGIC))
def test_graph_writes_the_format_of_the_extension(ext, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / f"graph.{ext}"
    status, out, err = run(["graph", "x1*x2 + sin(x1)", "--at", "x1=2", "x2=3", "-o", str(path)],
                           capsys)  # fmt: skip
    assert (status, err) == (0, "")
    assert out.strip() == f"wrote {path}"
    assert path.read_bytes().startswith(MAGIC[ext])


def test_graph_of_a_sweep_step_is_a_picture_and_leaks_no_figure(tmp_path, capsys):
    plt = pytest.importorskip("matplotlib.pyplot")
    import matplotlib.image

    path = tmp_path / "step.png"
    argv = ["graph", "ln(x1) + x1*x2 - sin(x2)", "--at", "x1=2", "x2=5", "--mode", "reverse"]
    status, _, err = run([*argv, "--step", "3", "--edge-labels", "-o", str(path)], capsys)
    assert (status, err) == (0, "")
    pixels = matplotlib.image.imread(path)
    assert pixels.shape[0] > 200
    assert pixels.shape[1] > 200
    assert pixels[..., :3].std() > 0.05  # something is drawn
    assert plt.get_fignums() == []


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["-o", "graph.gif"], "must end in .png, .svg, .pdf, got .gif"),
        (["-o", "graph"], "got no extension"),
        (["-o", "no/such/dir/graph.png"], "does not exist"),
        (["-o", "g.png", "--step", "2"], "--step needs --mode"),
        (["-o", "g.png", "--step", "9", "--mode", "forward"], "steps 1 to 5"),
        (["-o", "g.png", "--step", "0", "--mode", "reverse"], "steps 1 to 5"),
    ],
)
def test_graph_rejects_bad_options(extra, words, tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    status, _, err = run(["graph", "x1*x2 + sin(x1)", "--at", "x1=2", "x2=3", *extra], capsys)
    assert status == 2
    assert words in err
    assert list(tmp_path.iterdir()) == []


# --- the installed command -----------------------------------------------------------


def _command_line(*argv):
    return subprocess.run(
        argv, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False
    )


def test_the_console_script_is_installed_and_runs():
    script = Path(sys.executable).with_name("adlearn")
    assert script.exists(), "no adlearn console script: pip install -e ."
    done = _command_line(str(script), *trace_argv("running"))
    assert done.returncode == 0, done.stderr
    assert done.stdout == (GOLDEN / "running-both.txt").read_text(encoding="utf-8")


def test_python_m_adlearn_rejects_with_status_2_and_no_traceback():
    done = _command_line(sys.executable, "-m", "adlearn", "trace", "x1 + exec(x1)", "--at", "x1=1")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert lines[0].startswith("adlearn trace: error: unknown function 'exec'; ")
    assert lines[1:] == ["  x1 + exec(x1)", "       ^^^^"]


# --- docs/cli.md shows real output ---------------------------------------------------


def _doc_sessions(*pages):
    """(command, expected output) for every ``$ adlearn ...`` line of the pages'
    console blocks (docs/cli.md and the README by default)."""
    sessions = []
    for path in pages or (DOCS, ROOT / "README.md"):
        page = path.read_text(encoding="utf-8") if path.exists() else ""
        for block in re.findall(r"```console\n(.*?)```", page, re.DOTALL):
            for chunk in re.split(r"^\$ ", block, flags=re.MULTILINE)[1:]:
                command, _, output = chunk.partition("\n")
                sessions.append((command, output))
    return sessions


def test_the_cli_page_has_examples():
    assert len(_doc_sessions(DOCS)) >= 5


def test_the_readme_shows_the_command_with_its_output():
    assert len(_doc_sessions(ROOT / "README.md")) >= 2


@pytest.mark.parametrize(("command", "expected"), _doc_sessions(), ids=lambda c: str(c)[:50])
def test_the_cli_page_shows_real_output(command, expected, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # adlearn graph writes its file here
    argv = shlex.split(command)
    assert argv[0] == "adlearn"
    main(argv[1:])
    out = capsys.readouterr()
    assert out.out + out.err == expected  # as a terminal shows them: stdout, then stderr
