"""CONTRIBUTING.md's checklists point at places that exist."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_file_contributing_names_exists():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    paths = set(re.findall(r"`((?:adlearn|tests|tools|benchmarks|docs)/[\w/.-]+\.(?:py|md))", text))
    assert len(paths) > 15
    missing = sorted(p for p in paths if not (ROOT / p).exists() and "NN" not in p and "chN" not in p)
    assert missing == []


def test_every_engine_module_is_in_contributings_table():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    engine = ["primitive", "rules", "array_rules", "numpy_api", "operators", "dispatch",
              "forward", "reverse", "higher", "trace", "fast_scalar", "examples", "pytree",
              "linalg_rules"]  # fmt: skip
    assert [m for m in engine if f"`adlearn/{m}.py`" not in text] == []
