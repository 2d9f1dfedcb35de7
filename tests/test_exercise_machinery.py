"""The checker machinery: learner code cannot hang or escape a checker, answers are read
strictly, repeated mistakes get closer hints, methods are seen, progress is kept."""

from __future__ import annotations

import inspect
import itertools
import subprocess
import sys
import time
import tracemalloc
from fractions import Fraction

import numpy as np
import pytest

import adlearn as ad
from adlearn.exercises import ch1, progress, verdict
from adlearn.exercises.learner import TimeUp, call, items, test_points, time_limit
from adlearn.exercises.method import API, Probe, by_hand, watch
from adlearn.exercises.verdict import (
    NotAttempted,
    NotYet,
    checker,
    count,
    diagnose,
    exact,
    number,
    to_places,
)

# --- learner code runs with a time limit and cannot escape ---------------------------


def test_an_endless_loop_is_stopped_and_named():
    def forever(x):
        while True:
            x += 1

    start = time.monotonic()
    with pytest.raises(NotYet, match=r"did not finish within 0\.3 s"):
        call(forever, 1.0, name="forever", seconds=0.3)
    assert time.monotonic() - start < 2.0


def test_a_sleeping_function_is_stopped():
    start = time.monotonic()
    with pytest.raises(NotYet, match="did not finish"):
        call(lambda: time.sleep(10), name="sleepy", seconds=0.3)
    assert time.monotonic() - start < 2.0


def test_an_endless_loop_that_catches_exception_is_still_stopped():
    def stubborn():
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # noqa: BLE001, S112 (what a learner might write)
                continue

    with pytest.raises(NotYet, match="did not finish"):
        call(stubborn, name="stubborn", seconds=0.3)


@pytest.mark.parametrize("escape", [SystemExit, KeyboardInterrupt])
def test_sys_exit_and_keyboard_interrupt_become_a_verdict(escape):
    def leaves():
        raise escape

    with pytest.raises(NotYet, match=escape.__name__):
        call(leaves, name="leaves")


def test_sys_exit_in_a_checked_function_is_a_not_yet_verdict():
    def exits(x1, x2):
        sys.exit()

    got = ch1.g_units.judge(exits)
    assert got.status == "not yet"
    assert "SystemExit" in got.hint


def test_a_limit_inside_a_limit_restores_the_outer_one():
    def inner_then_loop():
        with time_limit(0.1):
            pass
        while True:
            pass

    start = time.monotonic()
    with pytest.raises(TimeUp), time_limit(0.5):
        inner_then_loop()
    assert time.monotonic() - start < 2.0


def test_a_limit_works_outside_the_main_thread():
    import threading

    seen = []

    def worker():
        try:
            call(lambda: [None for _ in itertools.count()], name="loop", seconds=0.3)
        except NotYet as e:
            seen.append(e.hint)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(5.0)
    assert len(seen) == 1
    assert "did not finish" in seen[0]


def test_a_whole_check_has_a_time_limit(monkeypatch):
    monkeypatch.setattr(verdict, "CHECK_LIMIT", 0.3)

    class Endless:
        def __float__(self):
            while True:
                pass

    got = ch1.predict_w4.judge(np.array([Endless()], dtype=object))
    assert got.status == "not yet"


# --- what learner code returns is read without taking more than needed ---------------


def test_an_endless_iterator_is_refused_without_hanging():
    with pytest.raises(NotYet, match="endless iterator"):
        items(itertools.count(), 5, "g_units(1.5, 0.5)")
    assert ch1.g_units.judge(lambda x1, x2: itertools.count()).status == "not yet"


def test_a_huge_range_costs_nothing():
    tracemalloc.start()
    got = ch1.g_units.judge(lambda x1, x2: range(2 * 10**7))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert got.status == "not yet"
    assert "20000000 items" in got.hint
    assert peak < 5 * 10**6


def test_items_reads_lists_arrays_and_generators():
    assert items([1, 2], 2, "f") == [1, 2]
    assert items(np.arange(3.0), 3, "f") == [0.0, 1.0, 2.0]
    assert items((v for v in "ab"), 2, "f") == ["a", "b"]
    for bad in ("ab", 3.0, {"a": 1, "b": 2}, np.array(2.0)):
        with pytest.raises(NotYet):
            items(bad, 2, "f")
    with pytest.raises(NotYet, match="returned 1 items"):
        items([1], 2, "f")


def test_test_points_start_with_the_fixed_ones_and_repeat_with_the_seed():
    first = test_points([(2.0, 3.0)], 4, seed=7)
    assert first[0] == (2.0, 3.0)
    assert len(first) == 5
    assert first == test_points([(2.0, 3.0)], 4, seed=7)
    assert first != test_points([(2.0, 3.0)], 4, seed=8)


# --- answers are read strictly ---------------------------------------------------------


def test_number_takes_every_real_number():
    assert number(Fraction(909, 1000)) == 0.909
    assert number(np.float32(0.5)) == 0.5
    assert number(np.array([2.0])) == 2.0
    assert number(7) == 7.0


@pytest.mark.parametrize(
    "bad",
    [np.array(["0.909"]), "0.909", True, np.bool_(True), 1 + 2j, np.array([1j]), [0.9]],
)
def test_number_refuses_text_bools_complex_and_lists(bad):
    with pytest.raises(NotYet):
        number(bad)


def test_ellipsis_is_not_attempted():
    with pytest.raises(NotAttempted):
        number(...)


@pytest.mark.parametrize("bad", [999.5, 20.02, 3.003])
def test_a_count_is_a_whole_number(bad):
    with pytest.raises(NotYet, match="whole number"):
        count(bad)
    assert count(1000.0) == 1000


def test_exact_is_rounding_error_not_finite_differences():
    f = np.sin
    x, h = 0.7, 1e-6
    central = (f(x + h) - f(x - h)) / (2 * h)
    assert exact(np.cos(x) + 1e-16, np.cos(x))
    assert not exact(central, np.cos(x))
    assert not exact([1.0, 2.0], [1.0, 2.0, 3.0])


def test_to_places_is_rounding_to_the_asked_decimals():
    assert to_places(0.909, np.sin(2.0))
    assert to_places(0.5004, 0.5)
    assert not to_places(0.5014, 0.5)


# --- hints: a repeated mistake gets a closer one -----------------------------------------


@checker("0.0", "a test checker", register=False)
def _two(answer):
    x = number(answer)
    if x == 2:
        return "Two."
    diagnose(x, [(3.0, ("first nudge", "closer", "closest"))], default="plain hint")


def test_a_repeated_mistake_gets_a_closer_hint():
    hints = [_two.judge(3).hint for _ in range(4)]
    assert hints == ["first nudge", "closer", "closest", "closest"]
    assert _two.judge(5).hint == "plain hint"
    verdict.forget()
    assert _two.judge(3).hint == "first nudge"


def test_diagnose_on_several_points_is_not_fooled_by_a_coincidence():
    # at one point a sign error and the sum rule agree (2 - 0.75 = 1 + 0.25)
    with pytest.raises(NotYet, match="sum"):
        diagnose(1.25, [(1.25, "sum rule")], default="other")
    with pytest.raises(NotYet, match="other"):
        diagnose(np.array([1.25, 4.0]), [(np.array([1.25, 2.0]), "sum rule")], default="other")


# --- the method: which adlearn calls, what the test function receives -------------------


def test_watch_sees_module_calls_and_imported_names():
    namespace = {"ad": ad, "jvp": ad.jvp, "np": np}
    exec(  # noqa: S102 (a learner's cell, with its own globals)
        "def columns(F, x):\n"
        "    return [jvp(F, (x,), (e,))[1] for e in np.eye(x.size)] + [ad.jacrev(F)(x)]\n",
        namespace,
    )
    F = Probe(lambda x: x * x)
    with watch(namespace["columns"]) as calls:
        namespace["columns"](F, np.array([1.0, 2.0]))
    assert calls == ["jvp", "jvp", "jacrev"]
    assert F.kinds == ["forward", "forward", "reverse"]
    assert namespace["jvp"] is ad.jvp
    assert ad.jvp.__module__ == "adlearn.forward"


def test_watch_counts_top_level_calls_only():
    with watch() as calls:
        ad.hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 2.0]))
    assert calls == ["hessian"]


def test_the_watched_names_are_adlearns_public_functions_jit_included():
    functions = {name for name in ad.__all__ if inspect.isfunction(getattr(ad, name, None))} - {
        "trace"
    }
    assert set(API) == functions
    assert {"jit", "grad"} <= set(API)
    assert "Var" not in API


def test_importing_the_checkers_does_not_load_the_compiler():
    code = (
        "import sys\n"
        "import adlearn.exercises.ch6, adlearn.exercises.ch9\n"
        "print(sorted(m for m in sys.modules if m in "
        "('adlearn.compiled', 'adlearn.codegen', 'adlearn.recording')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_watch_sees_jit_loaded_on_first_use():
    with watch() as calls:
        ad.jit(lambda x: x * x)(3.0)
    assert calls == ["jit"]


def test_by_hand_names_the_first_call_and_keeps_the_exercise_sentence():
    by_hand([], "to write it by hand.", "at x = 1")  # nothing called: no verdict
    with pytest.raises(NotYet) as refused:
        by_hand(["vjp", "grad"], "to write it by hand.", "at x = 1")
    assert refused.value.hint.startswith("Right numbers, wrong method: your code called ad.vjp.")
    assert refused.value.hint.endswith(" The exercise is to write it by hand.")
    assert "ad.grad" not in refused.value.hint


def test_probe_tells_complex_steps_and_plain_floats_apart():
    g = Probe(np.sin)
    g(0.7 + 1e-20j)
    g(0.7)
    ad.derivative(g)(0.7)
    assert g.kinds == ["complex", "plain", "forward"]
    assert g.runs == 3


# --- progress ----------------------------------------------------------------------------


def test_progress_lists_every_exercise_of_a_chapter(capsys):
    ch1.output_level(3)
    ch1.fan_out(2)
    ch1.predict_w4(...)
    capsys.readouterr()
    progress(1)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Chapter 1, in this kernel: 1 of 4 exercises correct."
    assert lines[1].split()[0] == "1.1"
    assert lines[1].endswith("not attempted")
    assert lines[2].endswith("  correct")
    assert lines[4].endswith("not yet")


def test_progress_keeps_the_latest_verdict(capsys):
    ch1.output_level(3)
    ch1.output_level(2)
    capsys.readouterr()
    progress(1)
    assert "0 of 4" in capsys.readouterr().out


def test_judge_alone_does_not_count_as_progress(capsys):
    ch1.output_level.judge(3)
    progress(1)
    assert "0 of 4" in capsys.readouterr().out


def test_progress_of_an_unknown_chapter_is_a_clear_error():
    with pytest.raises(ValueError, match="no chapter 42"):
        progress(42)
