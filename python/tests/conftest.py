"""Where the shipped rules and cases are, and the shipped rules compiled once per test module."""

from pathlib import Path

import pytest

import credence

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
REAL = ROOT / "fixtures" / "real"


@pytest.fixture(scope="module")
def rules():
    return credence.compile(str(RULES))
