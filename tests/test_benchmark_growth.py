"""Chapter 9's benchmark runs, checks its answers against the gradient written by hand, and its
committed figures are the ones the chapter plots (they are not asserted: they are measured)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "compiled_growth.py"


def test_quick_run_prints_a_row_per_size():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split() for line in done.stdout.splitlines() if line[:5].strip().isdigit()]
    assert [int(r[0]) for r in rows] == [2, 10, 50]
    assert "written" not in done.stdout  # a quick run leaves the committed figures alone


def test_committed_figures_have_every_column_and_size():
    with (ROOT / "benchmarks" / "compiled_growth.csv").open(newline="") as stored:
        rows = list(csv.DictReader(stored))
    assert [int(r["n"]) for r in rows] == [2, 5, 10, 20, 50, 100, 200, 500, 1000]
    for r in rows:
        for column in (
            "plain_us",
            "interpreted_us",
            "compiled_us",
            "micrograd_us",
            "first_call_ms",
        ):
            assert float(r[column]) > 0, (r["n"], column)
