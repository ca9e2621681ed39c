"""Shared fixtures: one rule-only checker and one model-backed checker per test session."""

from __future__ import annotations

import pytest

from cptnlp import Checker, load_checker


@pytest.fixture(scope="session")
def checker() -> Checker:
    """Rules only (no evidence model): fast, for checks that do not read evidence elements."""
    return Checker(use_model=False)


@pytest.fixture(scope="session")
def model_checker() -> Checker:
    """The shipped model-backed checker, loaded once."""
    return load_checker()
