"""Catch-up after downtime on Discord: lines a trainee wrote in their thread while the bot was
down (held by the loopback fake, never dispatched) are read from the thread's history on the
next start and answered in order, through the real discord.py client and a SQLite file."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import AsyncIterator

import discord

from bot.core.service import HotseatService
from bot.store.sqlite import Store
from discord_fakes import FakeDiscord
from test_discord import ANA, BO, EXCELLENT, Bot, running


@contextlib.asynccontextmanager
async def restarts(service, db: Path, library, clock, monkeypatch) -> AsyncIterator[tuple[FakeDiscord, list]]:
    """One fake Discord that outlives the bot; `runs[0]` starts the first bot, `runs[1]` a new
    process (a fresh store and service on the same file)."""
    fake = FakeDiscord()
    monkeypatch.setattr(discord.http.Route, "BASE", await fake.start())
    stores: list[Store] = []

    def first() -> contextlib.AbstractAsyncContextManager[Bot]:
        return running(service, db, monkeypatch, fake=fake)

    @contextlib.asynccontextmanager
    async def again() -> AsyncIterator[Bot]:
        store = await Store.open(db)
        stores.append(store)
        restarted = HotseatService(store, library, clock=clock, idle_timeout=600)
        async with running(restarted, db, monkeypatch, fake=fake) as bot:
            yield bot

    try:
        yield fake, [first, again]
    finally:
        for store in stores:
            await store.close()
        await fake.close()


def turns(bot: Bot) -> list[tuple[int, str]]:
    return [(idx, trainee) for idx, trainee in bot.rows("SELECT idx, trainee FROM turns ORDER BY idx")]


async def test_two_lines_written_while_down_are_answered_in_order_on_restart(
    service, db, library, clock, monkeypatch
) -> None:
    async with restarts(service, db, library, clock, monkeypatch) as (fake, (first, again)):
        async with first() as bot:
            thread_id = await bot.start(ANA)
            before = len(fake.posted(thread_id))
            await fake.say(ANA, thread_id, EXCELLENT[0], keep=True)  # applied before the downtime, in the history
            await fake.wait(lambda: len(fake.posted(thread_id)) > before, "the first line answered")
        before = len(fake.posted(thread_id))
        second = fake.hold(ANA, thread_id, EXCELLENT[1], at=clock())
        third = fake.hold(ANA, thread_id, EXCELLENT[2], at=clock())
        async with again() as bot:
            answers = await fake.wait(lambda: fake.posted(thread_id)[before:] if len(
                fake.posted(thread_id)) >= before + 2 else None, "both missed lines answered")
            stored = bot.rows("SELECT idx, trainee, customer, source FROM turns ORDER BY idx")
            # the line applied before the downtime is not applied again; the missed two follow it, in order
            assert [(i, t) for i, t, _, _ in stored] == [(1, EXCELLENT[0]), (2, EXCELLENT[1]), (3, EXCELLENT[2])]
            assert [s for *_, s in stored][1:] == [str(second), str(third)]
            assert [a["content"] for a in answers] == [f"**Dana Whitfield:** {c}" for _, _, c, _ in stored[1:]]
            await bot.say(ANA, thread_id, EXCELLENT[3])  # and the conversation carries on live
            assert turns(bot)[-1] == (4, EXCELLENT[3])
            assert len(fake.posted(thread_id)) == before + 3


async def test_another_members_line_in_the_thread_is_not_applied(service, db, library, clock, monkeypatch) -> None:
    async with restarts(service, db, library, clock, monkeypatch) as (fake, (first, again)):
        async with first() as bot:
            thread_id = await bot.start(ANA)
        before = len(fake.posted(thread_id))
        fake.hold(BO, thread_id, "let me answer for Ana", at=clock())
        fake.hold(ANA, thread_id, EXCELLENT[0], at=clock())
        async with again() as bot:
            (answer,) = await fake.wait(lambda: fake.posted(thread_id)[before:], "the trainee's line answered")
            assert turns(bot) == [(1, EXCELLENT[0])]
            assert answer["content"].startswith("**Dana Whitfield:** ") and "message_reference" not in answer
            assert len(fake.posted(thread_id)) == before + 1  # nothing said to, or for, Bo


async def test_a_line_older_than_the_idle_timeout_is_skipped_with_a_private_note(
    service, db, library, clock, monkeypatch
) -> None:
    async with restarts(service, db, library, clock, monkeypatch) as (fake, (first, again)):
        async with first() as bot:
            thread_id = await bot.start(ANA)
        before = len(fake.posted(thread_id))
        sent = clock()
        old = fake.hold(ANA, thread_id, EXCELLENT[0], at=sent)
        clock.advance(601)  # down for longer than the idle timeout
        async with again() as bot:
            (note,) = await fake.wait(lambda: fake.posted(thread_id)[before:], "the note")
            assert note["content"] == f"Hotseat was offline; your message from <t:{int(sent)}:t> was not applied."
            assert int(note["message_reference"]["message_id"]) == old  # a reply to that line, pinging nobody
            assert note["allowed_mentions"] == {"parse": [], "replied_user": False}
            assert turns(bot) == []


async def test_a_live_line_during_the_catch_up_waits_for_the_missed_ones(
    service, db, library, clock, monkeypatch
) -> None:
    async with restarts(service, db, library, clock, monkeypatch) as (fake, (first, again)):
        async with first() as bot:
            thread_id = await bot.start(ANA)
        before = len(fake.posted(thread_id))
        fake.hold(ANA, thread_id, EXCELLENT[0], at=clock())
        fake.hold(ANA, thread_id, EXCELLENT[1], at=clock())
        async with again() as bot:
            await fake.say(ANA, thread_id, EXCELLENT[2])  # as soon as the gateway is up
            await fake.wait(lambda: len(fake.posted(thread_id)) >= before + 3, "all three answered")
            assert turns(bot) == [(1, EXCELLENT[0]), (2, EXCELLENT[1]), (3, EXCELLENT[2])]
