from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from bot.core import engine
from bot.persona.library import Library
from bot.persona.records import Persona
from bot.core.events import CustomerSaid, Ended, Event, HintGiven, Note, Opened
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


# -- PostgreSQL: one server for the whole run, a fresh database per test ------------------------
@pytest.fixture(scope="session")
def pg_server() -> Iterator[object]:
    """The suite's own PostgreSQL server (tests/pg_server.py); its tests skip, saying why,
    where none can start."""
    import pg_server as pg

    try:
        server = pg.start()
    except pg.Unavailable as e:
        pytest.skip(str(e))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(pg_server) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    url = pg_server.create_database()
    try:
        yield url
    finally:
        pg_server.drop_database(url)


@pytest.fixture(params=["sqlite", "postgres"])
def store_target(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where a store test's database lives, once per backend: open it with
    ``bot.store.open_store``, as many times as the test needs (a reopen is a restart)."""
    if request.param == "sqlite":
        return tmp_path / "hotseat.sqlite3"
    return request.getfixturevalue("pg_url")


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


# -- the service's events, as tests read them ---------------------------------------------------
async def begin(service: HotseatService, who: Who, persona_id: str | None = None, *, thread: str | None = None,
                **options) -> tuple[Event, ...]:
    """Start a session as a front end does, placing it in `thread` if given; its events."""
    async with service.start(who, persona_id, **options) as starting:
        if thread is not None:
            await starting.at(thread)
    return starting.events


def only(events: tuple[Event, ...], kind: type) -> list:
    return [e for e in events if isinstance(e, kind)]


def opened(events: tuple[Event, ...]) -> Opened:
    (event,) = only(events, Opened)
    return event


def said(events: tuple[Event, ...]) -> CustomerSaid:
    (event,) = only(events, CustomerSaid)
    return event


def ended(events: tuple[Event, ...]) -> Ended | None:
    found = only(events, Ended)
    assert len(found) <= 1, events
    return found[0] if found else None


def hinted(events: tuple[Event, ...]) -> HintGiven:
    (event,) = only(events, HintGiven)
    return event


def noted(events: tuple[Event, ...]) -> Note | None:
    found = only(events, Note)
    return found[0] if found else None


# -- playing a conversation to its end ------------------------------------------------------------
# A customer who accepts does not end the conversation on the acceptance: it stays open for one
# more trainee turn, the wrap-up, answers it with a goodbye and only then ends, resolved.
WRAP_UP = "Thank you for your patience, Dana. Is there anything else I can help with?"


def goodbyes(persona: Persona) -> list[str]:
    """What the customer may say to a good wrap-up: its persona's `closing: goodbye` lines, or
    the engine's default goodbye for a persona without its own."""
    return (persona.goodbye or engine.DEFAULT_GOODBYE).all()


async def finish(service: HotseatService, who: Who, text: str = WRAP_UP, **options) -> tuple[Event, ...]:
    """Send the trainee's wrap-up after the customer accepted, and check what a trainee sees:
    the customer's goodbye, then the conversation ending there, still resolved. Its events."""
    events = await service.reply(who, text, **options)
    goodbye, ending = said(events), ended(events)
    assert goodbye.customer in goodbyes(goodbye.persona), goodbye.customer
    assert ending is not None and (ending.outcome, ending.end_reason, ending.cause) == ("resolved", "terminal", "reply")
    assert events == (goodbye, ending)  # the goodbye first, then the debrief
    return events
