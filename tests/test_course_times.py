"""Each chapter's header says how long a careful learner needs, and the README's schedule agrees."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "notebooks" / "solutions").glob("[0-9][0-9]-*.ipynb"))


def header_minutes(path: Path) -> int:
    first = nbformat.read(path, as_version=4).cells[0].source
    found = re.search(r"about (\d+) minutes", first)
    assert found, f"{path.name}: the header says no time ('about N minutes')"
    return int(found.group(1))


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_the_readme_schedule_gives_each_chapter_its_header_time(path):
    minutes = header_minutes(path)
    chapter = int(path.name[:2])
    readme = (ROOT / "README.md").read_text()
    rows = [line for line in readme.splitlines() if re.match(rf"\| \d+ \| {chapter}\. ", line)]
    assert len(rows) == 1, f"README: no single schedule row for chapter {chapter}"
    assert f"| {minutes} minutes |" in rows[0], rows[0]


def test_the_readme_total_for_chapters_0_to_5_adds_up():
    total = sum(header_minutes(p) for p in SOLUTIONS if int(p.name[:2]) <= 5)
    hours, minutes = divmod(total, 60)
    assert (
        f"Chapters 0 to 5 take about {hours} hours {minutes} minutes"
        in (ROOT / "README.md").read_text()
    )
