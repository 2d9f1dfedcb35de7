"""Shared test set-up: figures render off-screen."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")


import pytest


@pytest.fixture(autouse=True)
def _fresh_checker_memory():
    """Each test starts with no verdicts and no repeated mistakes remembered."""
    from adlearn.exercises import verdict

    verdict.forget()
