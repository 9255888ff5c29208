"""Shared fixtures for the tally engine tests."""

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "pabulib"


@pytest.fixture
def data_dir() -> Path:
    return DATA
