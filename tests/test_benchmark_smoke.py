"""The benchmarks run to the end and print every section (their figures are not tested)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
SCRIPT = BENCHMARKS / "engine.py"


def quick_run(script) -> list[str]:
    """The lines a benchmark prints with --quick (small sizes), after checking it ran."""
    done = subprocess.run(
        [sys.executable, str(script), "--quick"],
        capture_output=True,
        text=True,
        cwd=script.parent.parent,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_quick_benchmark_prints_every_section():
    lines = quick_run(SCRIPT)
    for section in ("(a)", "(b)", "(c)", "(d)", "(e)", "Summary:"):
        assert any(line.startswith(section) for line in lines), section
    figures = [line for line in lines if line.endswith(("PASS", "MISS"))]
    listed = [line for line in lines if line.startswith(("    PASS  ", "    MISS  "))]
    assert len(figures) >= 5  # bytes per operation, the grid twice, the vector, the import
    assert len(listed) == len(figures)
    summary = next(line for line in lines if line.startswith("Summary:"))
    assert f" of {len(figures)} targets met" in summary


def test_quick_compiled_benchmark_prints_every_section():
    lines = quick_run(BENCHMARKS / "compiled.py")
    for section in ("(a)", "(b)", "(c)", "(d)", "Summary:"):
        assert any(line.startswith(section) for line in lines), section
    figures = [line for line in lines if line.endswith(("PASS", "MISS"))]
    listed = [line for line in lines if line.startswith(("    PASS  ", "    MISS  "))]
    assert len(figures) >= 3  # the grid twice and the vector (micrograd may be missing)
    assert len(listed) == len(figures)
    table = lines[next(i for i, line in enumerate(lines) if line.startswith("(d)")) + 4 :]
    assert len([line for line in table if line.strip().endswith(" us")]) == 3  # 10 to 1e3 units
