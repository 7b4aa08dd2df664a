"""A large Discord bot split across processes by shard (`hotseat run discord --shards 0-1
--shard-count 4`): each process connects only its shards, and the work it does on its own
(catching up a thread after downtime) covers only the guilds on those shards, so every
guild is served by exactly one process. Through the real discord.py client and the
loopback fake, which routes a guild to shard (id >> 22) % count as Discord does."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import AsyncIterator

import discord
import pytest
import yarl

from bot.config import SettingError
from bot.core.service import HotseatService
from bot.frontends import adapter as frontend
from bot.frontends.discord.client import DiscordFrontEnd
from bot.frontends.discord.settings import DiscordSettings
from bot.frontends.discord.shards import Sharding, parse_shards, shard_of
from bot.store.sqlite import Store
from discord_fakes import GUILD_ID, TOKEN, FakeDiscord
from test_discord import ANA, EXCELLENT, running, same_as

ROOT = Path(__file__).resolve().parents[1]
COUNT = 4
HOME = shard_of(GUILD_ID, COUNT)  # the shard the fake guild lives on
AWAY = (HOME + 1) % COUNT


def test_shards_are_read_as_ids_and_ranges() -> None:
    assert parse_shards("0-3") == (0, 1, 2, 3)
    assert parse_shards("5, 0,2-3") == (0, 2, 3, 5)
    assert Sharding.of("0-1", 4).ids == (0, 1)
    assert Sharding.of(None, None) == Sharding()  # all shards, as before
    assert Sharding().owns("123") and Sharding.of("0", 1).owns(str(GUILD_ID))
    assert Sharding.of(str(HOME), COUNT).owns(str(GUILD_ID)) and not Sharding.of(str(AWAY), COUNT).owns(str(GUILD_ID))


@pytest.mark.parametrize(("shards", "count", "words"), [
    ("0-3", None, "together"),
    (None, 8, "together"),
    ("0-8", 8, "numbered 0 to 7"),
    ("3-1", 8, "runs backwards"),
    ("first", 8, "Cannot read the shards"),
    ("0", 0, "at least 1"),
])
def test_a_bad_shard_setting_is_refused_in_words(shards: str | None, count: int | None, words: str) -> None:
    with pytest.raises(SettingError, match=words):
        Sharding.of(shards, count)


def test_the_command_refuses_bad_shards_before_connecting(tmp_path: Path) -> None:
    env = {**os.environ, "DISCORD_TOKEN": "not-a-real-token", "HOTSEAT_DB": str(tmp_path / "h.sqlite3")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "run", "discord", "--shards", "0-9", "--shard-count", "4", "--env-file", "none"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 2
    assert "Shard 4 does not exist with --shard-count 4" in done.stderr and "Traceback" not in done.stderr
    assert "not-a-real-token" not in done.stderr + done.stdout


@contextlib.asynccontextmanager
async def sharded(service: HotseatService, fake: FakeDiscord, shards: str) -> AsyncIterator[DiscordFrontEnd]:
    """`hotseat run discord --shards SHARDS --shard-count 4` against the fake, until its shards
    have identified and its start-up catch-up has run."""
    fake.identified.clear()
    front = DiscordFrontEnd(DiscordSettings(TOKEN, GUILD_ID, typing=False, shards=Sharding.of(shards, COUNT)))
    task = asyncio.create_task(frontend.run(front, lambda p: same_as(service, p), sweep_every=3600))
    try:
        await fake.wait(lambda: task.done() or fake.identified.is_set(), "the shard to identify")
        if task.done():
            task.result()
        await fake.wait(lambda: front.cog is not None and front.cog._caught_up.is_set(), "the catch-up to finish")
        yield front
    finally:
        task.cancel()
        await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 5)


async def test_only_the_process_holding_a_guilds_shard_catches_up_its_threads(
    service, db, library, clock, monkeypatch,
) -> None:
    fake = FakeDiscord()
    monkeypatch.setattr(discord.http.Route, "BASE", await fake.start())
    # With a shard count given, discord.py skips /gateway/bot and dials Discord's gateway directly.
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.url.replace("http", "ws", 1) + "/gateway"))
    store = await Store.open(db)  # each "process" its own connection to the one database
    try:
        async with running(service, db, monkeypatch, fake=fake) as bot:
            thread_id = await bot.start(ANA)
        before = len(fake.posted(thread_id))
        missed = fake.hold(ANA, thread_id, EXCELLENT[0], at=clock())  # written while every process was down
        elsewhere = HotseatService(store, library, clock=clock, idle_timeout=600)

        async with sharded(elsewhere, fake, str(AWAY)) as away:
            assert fake.identify["shard"] == [AWAY, COUNT]
            assert away.client.get_guild(GUILD_ID) is None and not away.mine(str(GUILD_ID))
            await asyncio.sleep(0.3)
            assert len(fake.posted(thread_id)) == before  # not its guild: the line is left for its owner
        assert service.store is not None and await store.turns(1) == []

        async with sharded(elsewhere, fake, f"{HOME}") as home:
            assert fake.identify["shard"] == [HOME, COUNT]
            (answer,) = await fake.wait(lambda: fake.posted(thread_id)[before:], "the missed line answered")
            assert answer["content"].startswith("**Dana Whitfield:** ")
            assert home.mine(str(GUILD_ID))
        assert [(t.index, t.trainee) for t in await store.turns(1)] == [(1, EXCELLENT[0])]
        assert (await store.last_source(1)) == str(missed)
    finally:
        await store.close()
        await fake.close()
