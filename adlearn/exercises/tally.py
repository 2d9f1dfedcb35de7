"""Progress in this kernel: each exercise of a chapter, correct, not yet or not attempted.

A chapter ends with a cell calling :func:`progress`; it lists the chapter's
exercises with the status of the latest verdict each checker reported in this
kernel (an exercise never run counts as not attempted).

Examples
--------
>>> from adlearn.exercises import ch1, progress, verdict
>>> verdict.forget()
>>> ch1.output_level(3)
Exercise 1.2: Correct! The level is the longest path from an input: x1 -> w^1 -> w^2 -> w^3.
>>> ch1.fan_out(2)  # doctest: +ELLIPSIS
Exercise 1.4: Not yet (your answer: 2).
Hint: ...
>>> progress(1)
Chapter 1, in this kernel: 1 of 4 exercises correct.
  1.1  the value of w4          not attempted
  1.2  the level of g's output  correct
  1.3  the units of g           not attempted
  1.4  the unit read twice      not yet
"""

from __future__ import annotations

import importlib

from adlearn.exercises.verdict import CHECKERS, LATEST

__all__ = ["exercises_of", "progress", "statuses"]


def _key(number: str) -> tuple[int, int]:
    chapter, _, k = number.partition(".")
    return int(chapter), int(k)


def exercises_of(chapter: int) -> list:
    """The checkers of chapter ``chapter``, in order (its module is imported if need be)."""
    try:
        importlib.import_module(f"adlearn.exercises.ch{int(chapter)}")
    except ModuleNotFoundError:
        raise ValueError(f"progress: there is no chapter {chapter!r} with exercises") from None
    numbers = sorted((n for n in CHECKERS if _key(n)[0] == int(chapter)), key=_key)
    return [CHECKERS[n] for n in numbers]


def statuses(chapter: int) -> dict:
    """``{exercise number: "correct" | "not yet" | "not attempted"}`` for one chapter."""
    return {c.exercise: LATEST.get(c.exercise, "not attempted") for c in exercises_of(chapter)}


def progress(chapter: int | None = None) -> None:
    """Print each exercise of ``chapter`` (default: every chapter loaded) with its status."""
    chapters = sorted({_key(n)[0] for n in CHECKERS}) if chapter is None else [chapter]
    blocks = []
    for ch in chapters:
        found = statuses(ch)
        titles = {c.exercise: c.title for c in exercises_of(ch)}
        width = max(len(t) for t in titles.values())
        done = sum(s == "correct" for s in found.values())
        lines = [f"Chapter {ch}, in this kernel: {done} of {len(found)} exercises correct."]
        lines += [f"  {n}  {titles[n]:{width}}  {s}" for n, s in found.items()]
        blocks.append("\n".join(lines))
    print("\n".join(blocks))
