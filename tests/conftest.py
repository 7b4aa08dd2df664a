from __future__ import annotations

from pathlib import Path

import pytest

from bot.persona.library import Library
from bot.core.service import HotseatService, Who
from bot.store.sqlite import Store


class Clock:
    """A clock the tests move by hand, so idle timeouts need no sleeping."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def library() -> Library:
    return Library.load()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "state" / "hotseat.sqlite3"


@pytest.fixture
async def service(db: Path, library: Library, clock: Clock):
    store = await Store.open(db)
    try:
        yield HotseatService(store, library, clock=clock, idle_timeout=600, max_turns=30)
    finally:
        await store.close()


@pytest.fixture
def who() -> Who:
    return Who("T1", "C1", "U1", "Ana")
