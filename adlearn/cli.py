"""The ``adlearn`` command: trace tables, graphs and gradients of an expression.

``adlearn trace``, ``adlearn graph``, ``adlearn grad`` and ``adlearn compile`` take an expression
such as ``"x1*x2 + sin(x1)"`` and a point (``--at x1=2 x2=3``). The expression
is checked by :func:`adlearn.expr.parse` and never run as Python. A rejected
expression or option exits with status 2 and a message on stderr that points
at the offending part; a computation that fails exits with status 1.

Examples
--------
>>> from adlearn.cli import main
>>> status = main(["grad", "x1*x2 + sin(x1)", "--at", "x1=2", "x2=3"])
f      = 6.909297
df/dx1 = 2.583853
df/dx2 = 2.000000
>>> status
0
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import os
import re
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np

import adlearn
from adlearn.expr import FUNCTIONS, MAX_LENGTH, ExpressionError, parse
from adlearn.trace import FORMATS, NOTATIONS, fixed

__all__ = ["build_parser", "main"]

GRAPH_FORMATS = (".png", ".svg", ".pdf")
# the resolution a graph is written at, whatever matplotlibrc says: the one
# adlearn.graph.MAX_INCHES was chosen for, at most 4000 pixels either way
DPI = 100
# n distinct variables take n names and n - 1 operators: 2n - 1 characters at least
MAX_VARIABLES = (MAX_LENGTH + 1) // 2

_DESCRIPTION = """\
Evaluation traces, computational graphs and gradients of a function typed as
an expression, computed by forward and reverse mode automatic differentiation.

"""
_LANGUAGE = (
    "The expression uses numbers, variable names, + - * / **, unary minus, parentheses "
    "and the functions {functions} (also as np.sin or numpy.sin). It is checked, never "
    "run as Python code."
)

_EXAMPLES = """\
examples:
  adlearn trace "x1*x2 + sin(x1)" --at x1=2 x2=3
  adlearn trace "x1*x2 + sin(x1)" --at x1=2 x2=3 --mode reverse --format markdown
  adlearn graph "x1*x2 + sin(x1)" --at x1=2 x2=3 --show adjoint -o graph.png
  adlearn grad "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5
  adlearn compile "x1*x2 + sin(x1)" --at x1=2 x2=3 --mode reverse

An expression that starts with a minus sign needs a space first: " -x1**2".
Run "adlearn COMMAND --help" for the options of a command."""

_TRACE_EXAMPLES = """\
examples:
  adlearn trace "x1*x2 + sin(x1)" --at x1=2 x2=3
  adlearn trace "x1*x2 + sin(x1)" --at x1=2 x2=3 --mode forward --wrt x2
  adlearn trace "x1*x2 + sin(x1)" --at x1=2 x2=3 --mode reverse --notation wengert
  adlearn trace "ln(x1) + x1*x2 - sin(x2)" --at x1=2 x2=5 --format latex

Without --mode the table shows the tangent (forward mode, seeded on --wrt) and
the adjoint (reverse mode) of every unit; --mode adds the rule of each step."""

_COMPILE_EXAMPLES = """\
examples:
  adlearn compile "x1*x2 + sin(x1)" --at x1=2 x2=3
  adlearn compile "x1*x2 + sin(x1)" --at x1=2 x2=3 --mode forward --wrt x1
  adlearn compile "x1*x2 + sin(x1)" --at x1=2 x2=3 --notation wengert

The source is what ad.jit(ad.value_and_grad(f, argnums=(0, 1))) (reverse) or
ad.jit(ad.derivative(f)) (forward) runs for floats on the path the point takes."""

_GRAPH_EXAMPLES = """\
examples:
  adlearn graph "x1*x2 + sin(x1)" --at x1=2 x2=3 -o graph.png
  adlearn graph "x1*x2 + sin(x1)" --at x1=2 x2=3 --show tangent --wrt x1 -o graph.svg
  adlearn graph "x1*x2 + sin(x1)" --at x1=2 x2=3 --mode reverse --step 3 -o step3.pdf

The file format follows the extension of -o: .png, .svg or .pdf."""

_GRAD_EXAMPLES = """\
examples:
  adlearn grad "x1*x2 + sin(x1)" --at x1=2 x2=3
  adlearn grad "sqrt(x**2 + y**2)" --at x=3 y=4 --digits 3

One reverse sweep gives the value and the whole gradient."""


class Rejected(Exception):
    """Input the command refuses (exit status 2): a message and, maybe, a caret picture."""

    def __init__(self, message: str, caret: str = ""):
        super().__init__(message)
        self.message = message
        self.caret = caret


# what an expression that starts with a minus sign looks like to argparse: "-x1", "-sin(x)"
_OPTION_LIKE = re.compile(r"-(?![-\d.]|[ho]$|o.*\.(png|svg|pdf)$)")


class _Parser(argparse.ArgumentParser):
    """argparse, with a hint when an expression that starts with "-" was taken for an option."""

    argv: tuple[str, ...] = ()  # the arguments being parsed, set by build_parser

    def error(self, message):
        if any(_OPTION_LIKE.match(a) for a in self.argv):
            message += '; an expression that starts with a minus sign needs a space first: " -x1"'
        super().error(message)

    def _print_message(self, message, file=None):
        # argparse drops a help or version text it cannot write (--help > /dev/full, status
        # 0, nothing said); an output that cannot be written is reported as any other
        if not message or file is None:
            return
        try:
            file.write(message)
            file.flush()
        except OSError:
            if file is sys.stdout:
                raise
            # a usage error that cannot reach stderr has nowhere else to go


def build_parser(argv: tuple[str, ...] = ()) -> argparse.ArgumentParser:
    """The argument parser of the ``adlearn`` command and its three subcommands.

    ``argv``, the arguments it is about to parse, lets a usage error add a hint.
    """
    parser = _Parser(
        prog="adlearn",
        description=_DESCRIPTION
        + textwrap.fill(_LANGUAGE.format(functions=", ".join(sorted(FUNCTIONS))), 79),
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.argv = argv
    parser.add_argument("--version", action="version", version=f"adlearn {adlearn.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    trace = _command(commands, "trace", _trace, "print the evaluation trace table", _TRACE_EXAMPLES)
    trace.add_argument(
        "--mode",
        choices=("forward", "reverse"),
        help="one sweep with its rules: forward (tangents) or reverse (adjoints); "
        "default: both columns, without rules",
    )
    trace.add_argument(
        "--notation",
        choices=NOTATIONS,
        default="both",
        help="how units are named: w^n_i (hierarchy), w1..wN (Wengert) or both (default)",
    )
    trace.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="output format (default: text)",
    )
    trace.add_argument(
        "--digits", type=_digits, default=3, metavar="N", help="decimals shown (default: 3)"
    )

    graph = _command(
        commands, "graph", _graph, "draw the computational graph to a file", _GRAPH_EXAMPLES
    )
    graph.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="where to write the picture: a .png, .svg or .pdf file",
    )
    graph.add_argument(
        "--show",
        nargs="+",
        choices=("value", "tangent", "adjoint"),
        help="annotate each unit with its value, tangent or adjoint (or several); "
        "with --mode the default is the tangent (forward) or the adjoint (reverse)",
    )
    graph.add_argument(
        "--mode",
        choices=("forward", "reverse"),
        help="the sweep whose step --step highlights",
    )
    graph.add_argument(
        "--step",
        type=int,
        metavar="N",
        help="highlight step N (1 = first) of the sweep given by --mode",
    )
    graph.add_argument(
        "--notation",
        choices=tuple(n for n in NOTATIONS if n != "both"),  # a graph names units one way
        default="hierarchy",
        help="how units are named (default: hierarchy)",
    )
    graph.add_argument(
        "--edge-labels", action="store_true", help="label each edge with its local partial"
    )
    graph.add_argument(
        "--digits", type=_digits, default=3, metavar="N", help="decimals shown (default: 3)"
    )

    grad = _command(
        commands, "grad", _grad, "print the value and the gradient", _GRAD_EXAMPLES, wrt=False
    )
    grad.add_argument(
        "--digits", type=_digits, default=6, metavar="N", help="decimals shown (default: 6)"
    )
    compiled = _command(
        commands, "compile", _compile, "print the Python source ad.jit generates",
        _COMPILE_EXAMPLES,
    )  # fmt: skip
    compiled.add_argument(
        "--mode",
        choices=("forward", "reverse"),
        default="reverse",
        help="reverse: the value and the gradient (a forward and a reverse sweep, the "
        "default); forward: the derivative along --wrt (values and tangents)",
    )
    compiled.add_argument(
        "--notation",
        choices=tuple(n for n in NOTATIONS if n != "both"),
        default="hierarchy",
        help="how units are named: w1_2 for w^1_2 (hierarchy, the default) or w4 (Wengert)",
    )
    for sub in (trace, graph, grad, compiled):
        sub.argv = argv
    return parser


def _command(commands, name, run, summary, examples, wrt=True) -> argparse.ArgumentParser:
    """A subcommand with the arguments every command takes: the expression and the point."""
    sub = commands.add_parser(
        name,
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog=examples,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub.add_argument("expression", help='the function, as in "x1*x2 + sin(x1)"')
    sub.add_argument(
        "--at",
        nargs="+",
        required=True,
        metavar="NAME=VALUE",
        help="the point: a value for every variable, as in --at x1=2 x2=3 "
        "(this order is the order of the inputs)",
    )
    if wrt:
        sub.add_argument(
            "--wrt",
            metavar="NAME",
            help="the input whose tangent forward mode seeds with 1 (default: the first)",
        )
    sub.set_defaults(run=run)
    return sub


def _digits(text: str) -> int:
    try:
        digits = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 0 <= digits <= 15:
        raise argparse.ArgumentTypeError(f"{digits} is not between 0 and 15")
    return digits


def main(argv: list[str] | None = None) -> int:
    """Run the ``adlearn`` command; return its exit status.

    0: done; 1: the computation failed or the output cannot be written; 2: the
    input was rejected; 130: interrupted (Ctrl-C). A reader that stops early
    (``| head -1``) ends the command quietly, as it ends any Unix tool, and so
    does Ctrl-C.
    """
    if sys.stdout is None:  # started with stdout closed (>&-): print() would drop everything
        _print("adlearn: error: cannot write the output: standard output is closed", sys.stderr)
        return 1
    _tolerant(sys.stdout, sys.stderr)
    try:
        status = _run(argv)
        sys.stdout.flush()  # a full disk or a closed pipe shows here, not at exit
    except KeyboardInterrupt:  # Ctrl-C: stop, as other Unix tools do, without a traceback
        _discard_stdout()
        return 130
    except BrokenPipeError:
        _discard_stdout()
        return 1
    except OSError as err:  # writing to a full disk (> /dev/full)
        _discard_stdout()
        _print(f"adlearn: error: cannot write the output: {err.strerror or err}", sys.stderr)
        return 1
    return status


def _run(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(tuple(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version, or a usage error (status 2)
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 2)
    prefix = f"adlearn {args.command}"
    try:
        return args.run(args, prefix)
    except Rejected as err:
        _print(f"{prefix}: error: {err.message}", sys.stderr)
        if err.caret:
            _print("\n".join("  " + line for line in err.caret.splitlines()), sys.stderr)
        return 2
    except Failed as err:
        _print(f"{prefix}: error: {err}", sys.stderr)
        return 1


# --- the point and the expression --------------------------------------------------


def _setup(args) -> tuple:
    """The parsed expression, the point and the seed input, or Rejected."""
    names, values = _point(args.at)
    try:
        expr = parse(args.expression, variables=names)
    except ExpressionError as err:
        raise Rejected(err.message, err.caret()) from None
    wrt = getattr(args, "wrt", None)
    if wrt is not None and wrt not in names:
        raise Rejected(f"--wrt {wrt}: not a variable; the variables are {', '.join(names)}")
    return expr, values, wrt if wrt is not None else names[0]


def _point(items: list[str]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    if len(items) > MAX_VARIABLES:  # refused anyway, as values for variables not used
        raise Rejected(
            f"--at gives {len(items)} values; an expression (at most {MAX_LENGTH} characters) "
            f"has at most {MAX_VARIABLES} variables"
        )
    names: dict[str, None] = {}  # looked up once per item: a list made this quadratic
    values: list[float] = []
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise Rejected(f"--at {item}: expected NAME=VALUE, as in x1=2")
        try:
            value = float(text)
        except ValueError:
            raise Rejected(f"--at {item}: {text.strip()!r} is not a number") from None
        if not math.isfinite(value):
            raise Rejected(f"--at {item}: the value must be a finite number")
        if name in names:
            raise Rejected(f"--at {item}: {name} is given twice")
        names[name] = None
        values.append(value)
    return tuple(names), tuple(values)


class Failed(Exception):
    """A computation that failed (exit status 1)."""


def _compute(work, notes: list[str]):
    """Run ``work()``; numpy's warnings (log of a negative number) go to ``notes``."""
    with warnings.catch_warnings(record=True) as caught:
        # numpy's floating-point warnings are about the user's function; any other warning
        # (a library's deprecation) is not, and is not shown as if it were
        warnings.simplefilter("ignore")
        warnings.simplefilter("always", RuntimeWarning)
        with np.errstate(divide="warn", over="warn", invalid="warn"):
            try:
                result = work()
            except (ArithmeticError, TypeError, ValueError) as err:
                raise Failed(str(err)) from None
    notes.extend(str(w.message) for w in caught)
    return result


def _warn(prefix: str, notes: list[str], numbers) -> None:
    """Warning lines, after the output: numpy's, and one if a result is nan or infinite."""
    if not all(np.all(np.isfinite(n)) for n in numbers):
        notes = [*notes, "some results are nan or infinite"]
    for message in dict.fromkeys(notes):
        _print(f"{prefix}: warning: {message}", sys.stderr)


def _numbers(t) -> list:
    return [x for u in t.units for x in (u.value, u.tangent, u.adjoint)]


# --- the commands ----------------------------------------------------------------


def _trace(args, prefix: str) -> int:
    expr, values, wrt = _setup(args)
    notes: list[str] = []
    t = _compute(
        lambda: adlearn.trace(expr.function, *values, wrt=wrt, names=expr.variables), notes
    )
    options = {"mode": args.mode, "notation": args.notation, "digits": args.digits}
    table = t.render(args.format, **options)
    if not _shows(table, sys.stdout):  # an ASCII pipe: w0_1, not w??, for w⁰₁
        table = t.render(args.format, **options, ascii=True)
    _print(table)
    _warn(prefix, notes, _numbers(t))
    return 0


def _grad(args, prefix: str) -> int:
    expr, values, _ = _setup(args)
    argnums = tuple(range(len(values)))
    notes: list[str] = []
    value, gradient = _compute(
        lambda: adlearn.value_and_grad(expr.function, argnums)(*values), notes
    )
    labels = ["f"] + [f"df/d{name}" for name in expr.variables]
    width = max(map(len, labels))
    for label, number in zip(labels, (value, *gradient)):
        _print(f"{label:<{width}} = {fixed(float(number), args.digits)}")
    _warn(prefix, notes, (value, *gradient))
    return 0


def _compile(args, prefix: str) -> int:
    expr, values, wrt = _setup(args)
    if args.mode == "reverse":
        fn = adlearn.value_and_grad(expr.function, tuple(range(len(values))))
    else:
        fn = adlearn.derivative(expr.function, expr.variables.index(wrt))
    cf = adlearn.jit(fn, notation=args.notation, names=expr.variables)
    notes: list[str] = []
    source = _compute(lambda: cf.source(*values), notes)
    _print(source.rstrip("\n"))
    _warn(prefix, notes, ())
    return 0


def _graph(args, prefix: str) -> int:
    path = Path(args.output)
    if path.suffix.lower() not in GRAPH_FORMATS:
        raise Rejected(
            f"-o {args.output}: the file must end in {', '.join(GRAPH_FORMATS)}, "
            f"got {path.suffix or 'no extension'}"
        )
    if not path.parent.is_dir():
        raise Rejected(f"-o {args.output}: the directory {path.parent} does not exist")
    expr, values, wrt = _setup(args)
    if args.step is not None and args.mode is None:
        raise Rejected("--step needs --mode forward or --mode reverse")
    notes: list[str] = []
    t = _compute(
        lambda: adlearn.trace(expr.function, *values, wrt=wrt, names=expr.variables), notes
    )
    if args.step is not None and not 1 <= args.step <= len(t.units):
        raise Rejected(f"--step {args.step}: the sweep has steps 1 to {len(t.units)}")
    from adlearn.graph import MAX_UNITS, draw

    if len(t.units) > MAX_UNITS:
        raise Rejected(
            f"the graph would have {len(t.units)} units; a drawing holds at most {MAX_UNITS} "
            '(the table has no limit: adlearn trace "..." --at ...)'
        )
    _matplotlib()
    options = {"notation": args.notation, "show": args.show, "edge_labels": args.edge_labels}
    options.update(mode=args.mode, step=args.step, digits=args.digits)
    picture = io.BytesIO()
    fig = None
    try:
        with warnings.catch_warnings():
            # matplotlib's own warnings (and its dependencies' deprecations) are not the user's
            warnings.simplefilter("ignore")
            fig = _compute(lambda: draw(t, **options), [])
            # drawn in memory first: matplotlib's PDF writer turns a failed write into an
            # AttributeError or a zlib.error; and at DPI, not matplotlibrc's savefig.dpi,
            # so that the picture keeps to its pixel bound
            fig.savefig(picture, format=path.suffix.lower()[1:], dpi=DPI)
    except Failed:
        raise
    except Exception as err:  # noqa: BLE001 (matplotlib and its settings: LaTeX, fonts, memory)
        raise Failed(_cannot_draw(err)) from None
    finally:
        if fig is not None and "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(fig)
    try:
        path.write_bytes(picture.getbuffer())
    except OSError as err:
        raise Failed(f"cannot write {path}: {err.strerror or err}") from None
    _print(f"wrote {path}")
    _warn(prefix, notes, _numbers(t))
    return 0


def _cannot_draw(err: Exception) -> str:
    """One line for matplotlib failing to draw: the error, and the setting to blame if known."""
    import matplotlib

    lines = str(err).strip().splitlines()
    what = f"{type(err).__name__}: {lines[0]}" if lines else type(err).__name__
    message = f"matplotlib cannot draw the graph ({what})"
    settings = matplotlib.matplotlib_fname()
    if matplotlib.rcParams["text.usetex"]:
        return (
            f"{message}; text.usetex is True in {settings}, which needs LaTeX: install it "
            "or set text.usetex to False"
        )
    if Path(settings).parent != Path(matplotlib.get_data_path()):
        return f"{message}; check the settings in {settings}"
    return message


def _matplotlib() -> None:
    """Import matplotlib to draw to a file, whatever MPLBACKEND says, or fail with a hint."""
    if "matplotlib" not in sys.modules:
        # the backend named in MPLBACKEND (a window, or a typo) plays no part in writing a
        # file, and a name matplotlib does not know would stop its import
        os.environ["MPLBACKEND"] = "agg"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import matplotlib
    except ImportError:
        raise Failed('drawing needs matplotlib: pip install "adlearn[course]"') from None
    except Exception as err:  # noqa: BLE001 (a broken matplotlib install or configuration)
        raise Failed(f"matplotlib cannot be loaded: {type(err).__name__}: {err}") from None
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")  # a file, no window


# --- output ----------------------------------------------------------------------


def _tolerant(*streams) -> None:
    """Let the streams replace what their encoding cannot show (w⁰₁ on an ASCII pipe)."""
    for stream in streams:
        # a stream that is not a text file of the system's (a notebook's) is left as it is
        with contextlib.suppress(AttributeError, ValueError, OSError):
            stream.reconfigure(errors="replace")


def _discard_stdout() -> None:
    """Point stdout at the null device: the interpreter's last flush at exit then has
    nowhere to fail (the recipe of Python's documentation for SIGPIPE)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, ValueError, OSError):  # stdout is not a file of the system's
        pass


def _shows(text: str, stream) -> bool:
    """Whether the stream's encoding can write the text as it is."""
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


_STDOUT = object()


def _print(text: str, stream=_STDOUT) -> None:
    """Print, replacing what the terminal's encoding cannot show (w⁰₁ on a cp1252 console).

    A stream that is None (closed when the command started: ``2>&-``) gets nothing;
    print() would write to stdout instead.
    """
    stream = sys.stdout if stream is _STDOUT else stream
    if stream is None:
        return
    try:
        print(text, file=stream)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        print(text.encode(encoding, "replace").decode(encoding), file=stream)
