"""The benchmark runs to the end and prints every section (its figures are not tested)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "engine.py"


def test_quick_benchmark_prints_every_section():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"],
        capture_output=True,
        text=True,
        cwd=SCRIPT.parent.parent,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    for section in ("(a)", "(b)", "(c)", "(d)", "(e)", "Summary:"):
        assert any(line.startswith(section) for line in lines), section
    figures = [line for line in lines if line.endswith(("PASS", "MISS"))]
    listed = [line for line in lines if line.startswith(("    PASS  ", "    MISS  "))]
    assert len(figures) >= 5  # bytes per operation, the grid twice, the vector, the import
    assert len(listed) == len(figures)
    summary = next(line for line in lines if line.startswith("Summary:"))
    assert f" of {len(figures)} targets met" in summary
