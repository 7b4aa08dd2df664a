"""The Discord front end end to end: the real discord.py client and command tree, talking to a
fake Discord on loopback (tests/discord_fakes.py), with the real service, personas and a
SQLite file. Assertions are on what a trainee would see (the REST calls the bot made) and
on what was stored."""

from __future__ import annotations

import asyncio
import contextlib
import re
import sqlite3
from pathlib import Path
from typing import AsyncIterator

import discord
import pytest

from bot.frontends import adapter as frontend
from bot.frontends.chat_commands import COMMANDS, LEAD_COMMANDS
from bot.config import SettingError
from bot.frontends.discord import delivery
from bot.frontends.discord.client import DiscordFrontEnd
from bot.frontends.discord.settings import DiscordSettings
from bot.persona.library import Library
from bot.core.service import HotseatService
from bot.store.sqlite import Store
from conftest import WRAP_UP, goodbyes
from discord_fakes import APP_ID, CHANNEL_ID, GUILD_ID, TOKEN, FakeDiscord, user

ANA = user(700000000000000001, "Ana")
BO = user(700000000000000002, "Bo")
EVE = user(700000000000000003, "Eve")
EXCELLENT = (Path(__file__).parent / "data" / "scripts" / "excellent.txt").read_text().splitlines()
PERSONAS = Path(__file__).parent.parent / "personas"
NO_PINGS = {"parse": []}


class Bot:
    """The running front end, its fake Discord, and the shortcuts a test needs to play."""

    def __init__(self, fake: FakeDiscord, front: DiscordFrontEnd, db: Path) -> None:
        self.fake = fake
        self.front = front
        self.db = db

    async def answer(self, token: str, what: str = "an answer") -> dict:
        """The first message sent in answer to an interaction (reply or follow-up)."""
        found = await self.fake.wait(lambda: [r.sent for r in self.fake.answers(token) if r.sent], what)
        return found[0]

    async def start(self, who: dict, persona: str = "double-billing") -> int:
        """`/hotseat start`; returns the id of the thread the trainee was sent to."""
        token = await self.fake.slash(who, "start", persona=persona)
        ready = await self.answer(token, "the start command's answer")
        assert ready["flags"] == 64 and "is ready: <#" in ready["content"], ready
        thread_id = int(ready["content"].rsplit("<#", 1)[1].rstrip(">."))
        await self.fake.wait(lambda: len(self.fake.posted(thread_id)) >= 2, "the brief and opening line")
        return thread_id

    async def say(
        self, who: dict, thread_id: int, text: str, *, expect: int = 1, message_id: int | None = None
    ) -> list[dict]:
        """Write in a thread and return the `expect` messages the bot posts there in answer."""
        before = len(self.fake.posted(thread_id))
        await self.fake.say(who, thread_id, text, message_id=message_id)
        await self.fake.wait(
            lambda: len(self.fake.posted(thread_id)) >= before + expect, f"{expect} post(s) after {text[:30]!r}"
        )
        return self.fake.posted(thread_id)[before:]

    async def finish(self, who: dict, thread_id: int, persona: str = "double-billing") -> list[dict]:
        """The trainee's wrap-up after the customer accepted: the customer's goodbye, then the
        debrief, are the two posts that answer it. Both posts."""
        assert not [p for p in self.fake.posted(thread_id) for e in p.get("embeds") or []
                    if (e.get("title") or "").startswith("Debrief")], "the conversation ended before the wrap-up"
        posts = await self.say(who, thread_id, WRAP_UP, expect=2)
        goodbye = posts[0]["content"]
        name = self.front.handler.service.library.get(persona).name
        assert goodbye.startswith(f"**{name}:** ") and not posts[0].get("embeds"), posts[0]
        assert goodbye.split(":** ", 1)[1] in goodbyes(self.front.handler.service.library.get(persona)), goodbye
        debrief_of(posts[1:])  # then the debrief
        return posts

    def rows(self, sql: str, *args: object) -> list[tuple]:
        with contextlib.closing(sqlite3.connect(self.db)) as con:
            return con.execute(sql, args).fetchall()


@contextlib.asynccontextmanager
async def running(
    service, db: Path, monkeypatch, *, guild_id: int | None = GUILD_ID, token: str = TOKEN,
    fake: FakeDiscord | None = None, roles=None, **fake_options: bool,
) -> AsyncIterator[Bot]:
    """The front end as `hotseat run discord` runs it; pass a started `fake` to reconnect to the same Discord."""
    own = fake is None
    fake = fake or FakeDiscord(**fake_options)
    if own:
        monkeypatch.setattr(discord.http.Route, "BASE", await fake.start())
    settings = DiscordSettings(token, guild_id, typing=False, **({"roles": roles} if roles else {}))
    front = DiscordFrontEnd(settings)
    build = lambda platform: same_as(service, platform)  # noqa: E731
    task = asyncio.create_task(frontend.run(front, build, sweep_every=3600))  # what `hotseat run discord` does
    try:
        await fake.wait(lambda: task.done() or front.client.get_guild(GUILD_ID), "the bot to connect")
        if task.done():
            task.result()
        yield Bot(fake, front, db)
        unsafe = [r for r in fake.requests
                  if r.sent is not None and not pings_nobody(r.sent.get("allowed_mentions"), r.sent.get("content"))]
        assert not unsafe, f"messages sent without allowed_mentions parse []: {unsafe}"
        assert not fake.invalid, f"Discord would refuse these as too long: {fake.invalid}"
    finally:
        task.cancel()
        await asyncio.wait_for(asyncio.gather(task, return_exceptions=True), 5)
        assert front.client.is_closed()
        if own:
            await fake.close()


def same_as(service: HotseatService, platform: str) -> HotseatService:
    """A service like `service` (same store, personas, clock, limits) for the installation `platform`."""
    return HotseatService(service.store, service.library, clock=service.clock, idle_timeout=service.idle_timeout,
                          max_turns=service.max_turns, platform=platform)


async def sweep(front: DiscordFrontEnd) -> int:
    """The idle sweep `hotseat run` does every minute."""
    return await front.handler.sweep(front.outbox())


def pings_nobody(allowed: dict | None, content: str | None = None) -> bool:
    """allowed_mentions that let nothing through: parse [] and no role or reply pings; user
    pings only for exactly the users the content mentions by id (the drill of the day
    names its trainees), never for anyone else."""
    if not allowed:
        return False
    users = {str(u) for u in allowed.get("users") or ()}
    named = set(re.findall(r"<@!?(\d+)>", content or ""))
    return (allowed["parse"] == [] and "roles" not in allowed and not allowed.get("replied_user")
            and (not users or users == named))


@pytest.fixture
async def bot(service, db, monkeypatch) -> AsyncIterator[Bot]:
    async with running(service, db, monkeypatch) as b:
        yield b


def debrief_of(posts: list[dict]) -> dict:
    embeds = [e for p in posts for e in p.get("embeds") or [] if (e.get("title") or "").startswith("Debrief")]
    assert len(embeds) == 1, posts
    return embeds[0]


def buttons(post: dict) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in post["components"] for c in row["components"]}


def archived(fake: FakeDiscord, thread_id: int) -> bool:
    return fake.channels[thread_id]["thread_metadata"]["archived"]


# -- connecting ---------------------------------------------------------------------------------
async def test_connects_with_message_content_intent_and_syncs_commands_to_the_dev_guild(bot: Bot) -> None:
    intents = discord.Intents._from_value(bot.fake.identify["intents"])
    assert intents.guilds and intents.guild_messages and intents.message_content
    sync = next(r for r in bot.fake.requests if r.method == "PUT")
    assert sync.path == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
    (group,) = sync.body
    subs = {o["name"]: o for o in group["options"]}
    # every chat command with its one description; a lead's command under its lead summary (`stats` is
    # everyone's); the leaderboard's companions are siblings on Discord (a command cannot also be a group)
    described = {c.name: c.summary for c in LEAD_COMMANDS} | {c.name: c.summary for c in COMMANDS}
    assert described == {n: subs[n]["description"] for n in described}
    assert subs.keys() == described.keys() | {"volume", "leaderboard-optout", "leaderboard-optin"}
    (persona,) = subs["start"]["options"]
    assert (persona["name"], persona["autocomplete"], persona["required"]) == ("persona", True, False)
    period = next(o for o in subs["leaderboard"]["options"] if o["name"] == "period")
    assert [c["value"] for c in period["choices"]] == ["week", "month", "all"]


async def test_without_a_dev_guild_commands_sync_globally(service, db, monkeypatch) -> None:
    async with running(service, db, monkeypatch, guild_id=None) as b:
        await b.fake.wait(lambda: any(r.method == "PUT" for r in b.fake.requests), "the command sync")
        assert [r.path for r in b.fake.requests if r.method == "PUT"] == [f"/applications/{APP_ID}/commands"]


async def test_a_rejected_token_is_reported_as_a_setting_not_a_traceback(service, db, monkeypatch) -> None:
    with pytest.raises(SettingError, match="DISCORD_TOKEN") as err:
        async with running(service, db, monkeypatch, token="not-the-token"):
            pass
    assert "not-the-token" not in str(err.value)


async def test_a_message_content_intent_left_off_in_the_portal_is_named(service, db, monkeypatch) -> None:
    with pytest.raises(SettingError, match="Message Content intent"):
        async with running(service, db, monkeypatch, refuse_message_content=True):
            pass


async def test_a_dev_guild_the_bot_is_not_in_is_named_in_the_error(service, db, monkeypatch) -> None:
    with pytest.raises(SettingError, match="DISCORD_GUILD_ID=123456789"):
        async with running(service, db, monkeypatch, guild_id=123456789):
            pass


# -- a whole session ---------------------------------------------------------------------------
async def test_a_whole_session_from_start_to_debrief(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    thread = bot.fake.channels[thread_id]
    assert thread["type"] == 12 and thread["name"] == "Ana × Dana Whitfield" and thread["parent_id"] == str(CHANNEL_ID)
    added = f"/channels/{thread_id}/thread-members/{ANA['id']}"
    assert ("PUT", added) in {(r.method, r.path) for r in bot.fake.requests}
    brief, opening = bot.fake.posted(thread_id)
    assert brief["embeds"][0]["title"] == "Practice: Dana Whitfield"
    assert opening["content"].startswith("**Dana Whitfield:** ") and not opening.get("embeds")

    replies = []
    for line in EXCELLENT[:5]:  # the fifth gets her acceptance, which no longer ends the conversation
        (reply,) = await bot.say(ANA, thread_id, line)
        replies.append(reply["content"])
    posts = await bot.finish(ANA, thread_id)  # the wrap-up: her goodbye, then the debrief
    stored = [f"**Dana Whitfield:** {c}" for (c,) in bot.rows("SELECT customer FROM turns ORDER BY idx")]
    assert [*replies, posts[0]["content"]] == stored  # each line named, as in a support transcript

    debrief = debrief_of(posts)
    (status, outcome, score, workspace, channel, who, thread_key), = bot.rows(
        "SELECT status, outcome, score, workspace, channel, user, thread FROM sessions")
    assert bot.rows("SELECT platform FROM sessions") == [(f"discord:{APP_ID}",)]  # its own idle sweep's
    assert (status, outcome) == ("ended", "resolved")
    assert (workspace, channel, who, thread_key) == (str(GUILD_ID), str(CHANNEL_ID), ANA["id"], str(thread_id))
    assert f"**{score}/100**" in debrief["description"] and "Resolved" in debrief["description"]
    fields = {f["name"]: f["value"] for f in debrief["fields"]}
    assert {"Conflict style", "Scores", "Best lines", "Tips"} <= fields.keys() and "█" in fields["Scores"]
    assert buttons(posts[1]) == {
        "Try again": "hotseat:again:double-billing", "Another persona": "hotseat:other:double-billing",
        "Turn by turn": f"hotseat:turns:{bot.rows('SELECT id FROM sessions')[0][0]}",
    }
    await bot.fake.wait(lambda: archived(bot.fake, thread_id), "the thread to be archived")


async def test_two_trainees_practise_at_once_each_in_their_own_thread(bot: Bot) -> None:
    ana_thread, bo_thread = await asyncio.gather(bot.start(ANA), bot.start(BO, "late-delivery"))
    assert ana_thread != bo_thread
    ana_before, bo_before = len(bot.fake.posted(ana_thread)), len(bot.fake.posted(bo_thread))
    await asyncio.gather(bot.say(ANA, ana_thread, EXCELLENT[0]), bot.say(BO, bo_thread, "I'm so sorry, let me help."))
    assert len(bot.fake.posted(ana_thread)) == ana_before + 1 and len(bot.fake.posted(bo_thread)) == bo_before + 1
    stored = bot.rows("SELECT user, thread, trainee FROM turns JOIN sessions ON id = session_id ORDER BY user")
    assert stored == [
        (ANA["id"], str(ana_thread), EXCELLENT[0]), (BO["id"], str(bo_thread), "I'm so sorry, let me help.")
    ]


async def test_an_intruder_gets_one_note_and_changes_nothing(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    (note,) = await bot.say(EVE, thread_id, "Let me answer her instead!")
    assert "belongs to another trainee" in note["content"] and note["message_reference"]
    before = len(bot.fake.posted(thread_id))
    await bot.fake.say(EVE, thread_id, "hint")
    await bot.fake.say(EVE, thread_id, "Still me.")
    await bot.say(ANA, thread_id, EXCELLENT[0])  # Ana's answer arrives after Eve's lines were handled
    assert len(bot.fake.posted(thread_id)) == before + 1
    assert bot.rows("SELECT trainee FROM turns") == [(EXCELLENT[0],)]
    assert bot.rows("SELECT COUNT(*) FROM hints") == [(0,)]


async def test_mentions_in_a_trainee_line_and_name_never_ping_and_are_escaped(bot: Bot) -> None:
    sneaky = user(700000000000000009, "@here Sam")
    thread_id = await bot.start(sneaky)
    line = "@everyone <@&123456789012345678> I'm really sorry you were charged twice, that's our mistake."
    await bot.say(sneaky, thread_id, line)
    debrief = debrief_of(await bot.say(sneaky, thread_id, "end", expect=1))
    shown = debrief["description"] + "".join(f["value"] for f in debrief["fields"])
    assert "@\u200beveryone" in shown and "@\u200bhere" in shown
    assert "@everyone" not in shown and "@here" not in shown and "<@&123456789012345678>" not in shown
    # the fixture also checks allowed_mentions {"parse": []} on every message the bot sent


async def test_a_4000_character_line_is_a_turn_and_a_longer_one_a_friendly_refusal(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    (refusal,) = await bot.say(ANA, thread_id, "a" * 4001)
    assert "4,001 characters" in refusal["content"] and "under 4,000" in refusal["content"]
    assert bot.rows("SELECT COUNT(*) FROM turns") == [(0,)]
    (reply,) = await bot.say(ANA, thread_id, ("I'm sorry. " * 400)[:4000])
    assert "characters" not in reply["content"]
    assert bot.rows("SELECT LENGTH(trainee) FROM turns") == [(4000,)]


async def test_the_same_message_delivered_twice_is_applied_once(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    message_id = bot.fake.next_id()
    await bot.say(ANA, thread_id, EXCELLENT[0], message_id=message_id)
    before = len(bot.fake.posted(thread_id))
    await bot.fake.say(ANA, thread_id, EXCELLENT[0], message_id=message_id)
    await bot.say(ANA, thread_id, EXCELLENT[1])
    assert len(bot.fake.posted(thread_id)) == before + 1
    assert bot.rows("SELECT trainee FROM turns ORDER BY idx") == [(EXCELLENT[0],), (EXCELLENT[1],)]


async def test_messages_elsewhere_are_ignored_silently(bot: Bot) -> None:
    await bot.fake.say(ANA, CHANNEL_ID, "hint")  # the parent channel is not a practice thread
    thread_id = await bot.start(ANA)
    await bot.say(ANA, thread_id, "end")
    before = len(bot.fake.requests)
    await bot.fake.say(ANA, thread_id, "Hello? Are you still there?")  # the session has ended
    await bot.say(BO, thread_id, "x" * 5000, expect=0)
    await asyncio.sleep(0.05)
    assert [r for r in bot.fake.requests[before:] if r.sent] == []
    assert bot.fake.posted(CHANNEL_ID) == []


# -- commands --------------------------------------------------------------------------------
async def test_hint_and_end_work_from_the_thread_and_from_the_channel(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    hint = await bot.answer(await bot.fake.slash(ANA, "hint", thread_id))
    assert hint["flags"] == 64 and "Hint:" in hint["content"]
    (typed,) = await bot.say(ANA, thread_id, "Hint")
    assert "Hint:" in typed["content"]
    assert bot.rows("SELECT COUNT(*) FROM hints") == [(2,)]

    done = await bot.answer(await bot.fake.slash(ANA, "end", CHANNEL_ID))
    assert done["flags"] == 64 and f"<#{thread_id}>" in done["content"]
    debrief = debrief_of(bot.fake.posted(thread_id))
    assert "(you ended it)" in debrief["description"]
    assert bot.rows("SELECT status, end_reason FROM sessions") == [("ended", "ended")]
    await bot.fake.wait(lambda: archived(bot.fake, thread_id), "the thread to be archived")


async def test_errors_are_private_and_friendly(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    cases = [
        (bot.fake.slash(ANA, "start", thread_id), "from a text channel"),  # inside a thread
        (bot.fake.slash(BO, "start", 800000000000000001, guild=False), "text channel of a server"),  # in a DM
        (bot.fake.slash(BO, "start", persona="no-such-customer"), "There is no persona called 'no-such-customer'"),
        (bot.fake.slash(ANA, "start", persona="late-delivery"), "already in a conversation with Dana Whitfield"),
        (bot.fake.slash(BO, "hint"), "no conversation running here"),
        (bot.fake.slash(BO, "end", thread_id), "belongs to another trainee"),
        (bot.fake.slash(BO, "leaderboard", persona="nobody"), "There is no persona called 'nobody'"),
    ]
    for send, words in cases:
        error = await bot.answer(await send, words)
        assert error["flags"] == 64 and words in error["content"], error
    assert bot.rows("SELECT user, status FROM sessions") == [(ANA["id"], "active")]


async def test_a_stale_or_unknown_command_gets_a_private_answer(bot: Bot) -> None:
    error = await bot.answer(await bot.fake.slash(ANA, "dance"))  # a subcommand removed since Discord cached it
    assert error["flags"] == 64 and "changed since Discord" in error["content"]
    error = await bot.answer(await bot.fake.slash(ANA, "leaderboard", period="year"))  # not one of its choices
    assert error["flags"] == 64 and "changed since Discord" in error["content"]


async def test_a_failure_in_one_session_leaves_the_others_running(bot: Bot, monkeypatch) -> None:
    ana_thread, bo_thread = await bot.start(ANA), await bot.start(BO)
    reply = bot.front.handler.service.reply

    async def broken_for_ana(who, text, **kw):
        if who.user == ANA["id"]:
            raise RuntimeError("a persona bug")
        return await reply(who, text, **kw)

    monkeypatch.setattr(bot.front.handler.service, "reply", broken_for_ana)
    (sorry,) = await bot.say(ANA, ana_thread, EXCELLENT[0])
    assert sorry["content"].startswith("Sorry, something went wrong on Hotseat's side")
    assert "persona bug" not in sorry["content"]
    (answer,) = await bot.say(BO, bo_thread, "I'm so sorry, let me help.")
    assert [f"**Dana Whitfield:** {c}" for (c,) in bot.rows("SELECT customer FROM turns")] == [answer["content"]]


async def test_start_autocompletes_personas_with_name_and_difficulty(bot: Bot, library: Library) -> None:
    token = await bot.fake.slash(ANA, "start", focused="persona", persona="bill")
    (callback,) = await bot.fake.wait(lambda: bot.fake.answers(token), "the autocomplete answer")
    assert callback.body["type"] == 8
    choices = callback.body["data"]["choices"]
    assert {"name": "Dana Whitfield ★★☆☆☆ — A three-year subscriber was charged twice for this month's plan.",
            "value": "double-billing"} in choices
    assert all("bill" in f"{p.id} {p.name} {p.scenario}".lower() for p in map(library.get, (c["value"] for c in choices)))
    token = await bot.fake.slash(ANA, "leaderboard", focused="persona", persona="")
    (callback,) = await bot.fake.wait(lambda: bot.fake.answers(token), "the autocomplete answer")
    choices = callback.body["data"]["choices"]
    easiest_first = [p.id for p in library.sorted()][:25]  # Discord shows 25 at most
    assert [c["value"] for c in choices] == easiest_first and all(len(c["name"]) <= 100 for c in choices)


async def test_personas_help_history_and_leaderboard(bot: Bot) -> None:
    personas = (await bot.answer(await bot.fake.slash(ANA, "personas list")))["embeds"][0]
    assert "`double-billing`" in personas["description"] and "★★★★★" in personas["description"]
    help_ = await bot.answer(await bot.fake.slash(ANA, "help"))
    assert help_["flags"] == 64
    assert "/hotseat leaderboard [week|month|all] [persona]" in help_["embeds"][0]["fields"][0]["value"]

    for _ in range(3):
        thread_id = await bot.start(ANA)
        await bot.say(ANA, thread_id, EXCELLENT[0])
        await bot.say(ANA, thread_id, "end")
    scores = [s for (s,) in bot.rows("SELECT score FROM sessions ORDER BY id DESC")]
    history = await bot.answer(await bot.fake.slash(ANA, "history"))
    newest = history["embeds"][0]["description"].split("\n")[0]
    assert history["flags"] == 64 and newest.startswith("**#3** ") and f"score {scores[0]} " in newest
    assert " empa " in newest and " clos " in newest  # each session's six dimension scores
    board = await bot.answer(await bot.fake.slash(BO, "leaderboard", period="all"))
    assert not board.get("flags")  # the board is for the whole channel
    ranked = board["embeds"][0]["description"]
    assert ranked.startswith("```\n#") and "\n1  Ana " in ranked  # difficulty-weighted: 5 stars count x1.2


# -- buttons and restarts ------------------------------------------------------------------------
async def test_debrief_buttons_open_a_new_thread_even_after_a_restart(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    await bot.say(ANA, thread_id, "end")
    debrief_post = bot.fake.messages[max(bot.fake.messages)]
    token = await bot.fake.click(ANA, debrief_post, "hotseat:again:double-billing")
    ready = await bot.answer(token, "the new thread")
    assert ready["flags"] == 64 and "Dana Whitfield is ready" in ready["content"]

    # A debrief posted by an earlier run of the bot: no view was ever registered for it here.
    await bot.say(ANA, int(ready["content"].rsplit("<#", 1)[1].rstrip(">.")), "end")
    old = {**debrief_post, "id": str(bot.fake.next_id()), "components": [{"type": 1, "components": [
        {"type": 2, "style": 2, "label": "Another persona", "custom_id": "hotseat:other:double-billing"}]}]}
    ready = await bot.answer(await bot.fake.click(BO, old, "hotseat:other:double-billing"), "the other persona")
    assert "is ready" in ready["content"] and "Dana Whitfield" not in ready["content"]
    personas = bot.rows("SELECT user, persona_id, channel FROM sessions ORDER BY id")
    assert personas[:2] == [(ANA["id"], "double-billing", str(CHANNEL_ID))] * 2
    assert personas[2][0] == BO["id"] and personas[2][1] != "double-billing" and personas[2][2] == str(CHANNEL_ID)


@pytest.mark.parametrize("status", [403, 400])  # no Create Private Threads; a server without private threads
async def test_a_public_thread_when_private_ones_are_refused(bot: Bot, status: int) -> None:
    bot.fake.refuse_threads = {12: status}
    thread_id = await bot.start(ANA)
    assert bot.fake.channels[thread_id]["type"] == 11
    (reply,) = await bot.say(ANA, thread_id, EXCELLENT[0])
    assert reply["content"]


async def test_a_discord_outage_opening_the_thread_is_no_reason_for_a_public_one(bot: Bot) -> None:
    bot.fake.refuse_threads = {12: 503}
    error = await bot.answer(await bot.fake.slash(ANA, "start", persona="double-billing"))
    assert error["flags"] == 64 and error["content"].startswith("Sorry, something went wrong")
    assert bot.fake.threads() == [] and bot.rows("SELECT count(*) FROM sessions") == [(0,)]


async def test_no_thread_allowed_at_all_means_no_session_and_a_private_explanation(bot: Bot) -> None:
    bot.fake.refuse_threads = {11: 403, 12: 403}
    error = await bot.answer(await bot.fake.slash(ANA, "start", persona="double-billing"))
    assert error["flags"] == 64 and "couldn't open a practice thread" in error["content"]
    assert bot.rows("SELECT count(*) FROM sessions") == [(0,)]  # nobody saw it: no phantom in history
    bot.fake.refuse_threads = {}
    await bot.start(ANA)  # not stuck as "already practising"


async def test_starting_again_after_going_idle_posts_the_old_debrief_and_archives_its_thread(bot: Bot, clock) -> None:
    old = await bot.start(ANA)
    await bot.say(ANA, old, EXCELLENT[0])
    clock.advance(601)
    new = await bot.start(ANA, "late-delivery")  # before any sweep has run
    assert new != old
    assert "(it timed out)" in debrief_of(bot.fake.posted(old))["description"]
    await bot.fake.wait(lambda: archived(bot.fake, old), "the old thread archived")


async def test_an_idle_session_ends_with_its_debrief_in_the_thread(bot: Bot, clock) -> None:
    ana_thread, bo_thread = await bot.start(ANA), await bot.start(BO)
    await bot.say(ANA, ana_thread, EXCELLENT[0])
    clock.advance(601)
    assert await sweep(bot.front) == 2  # the idle sweep `hotseat run` does every minute
    assert "(it timed out)" in debrief_of(bot.fake.posted(ana_thread))["description"]
    await bot.fake.wait(lambda: archived(bot.fake, ana_thread) and archived(bot.fake, bo_thread), "both archived")
    assert bot.rows("SELECT DISTINCT end_reason FROM sessions") == [("timed_out",)]


async def test_a_line_after_the_idle_limit_gets_the_debrief_instead_of_an_answer(bot: Bot, clock) -> None:
    thread_id = await bot.start(ANA)
    clock.advance(601)
    notice, debrief = await bot.say(ANA, thread_id, EXCELLENT[0], expect=2)
    assert "idle for over 10 minutes" in notice["content"]
    assert "(it timed out)" in debrief_of([debrief])["description"]
    assert bot.rows("SELECT COUNT(*) FROM turns") == [(0,)]


async def test_the_customer_types_before_answering_when_typing_is_on(bot: Bot, monkeypatch) -> None:
    monkeypatch.setattr(delivery, "typing_delay", lambda text: 0.01)
    bot.front.cog.typing = True
    thread_id = await bot.start(ANA)
    await bot.say(ANA, thread_id, EXCELLENT[0])
    tail = [r.path for r in bot.fake.requests if r.path.startswith(f"/channels/{thread_id}/")][-2:]
    assert tail == [f"/channels/{thread_id}/typing", f"/channels/{thread_id}/messages"]


# -- when Discord refuses a post ------------------------------------------------------------------
async def test_a_refused_answer_is_told_as_recorded_not_as_lost(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    bot.fake.refuse_posts = lambda channel, body: (body.get("content") or "").startswith("**Dana Whitfield:**")
    (note,) = await bot.say(ANA, thread_id, EXCELLENT[0])
    assert note["message_reference"] and "Your line was recorded" in note["content"]
    assert "history" in note["content"] and "not applied" not in note["content"]
    bot.fake.refuse_posts = None
    (reply,) = await bot.say(ANA, thread_id, EXCELLENT[1])
    assert [t for (t,) in bot.rows("SELECT trainee FROM turns ORDER BY idx")] == EXCELLENT[:2]
    assert reply["content"] == "**Dana Whitfield:** " + bot.rows("SELECT customer FROM turns WHERE idx = 2")[0][0]


async def test_a_refused_debrief_embed_falls_back_to_its_score_in_a_line(bot: Bot, clock) -> None:
    ana_thread, bo_thread = await bot.start(ANA), await bot.start(BO)
    bot.fake.refuse_posts = lambda channel, body: bool(body.get("embeds"))
    (line,) = await bot.say(ANA, ana_thread, "end")  # typed in the thread
    clock.advance(601)
    assert await sweep(bot.front) == 1  # Bo's session times out
    scores = dict(bot.rows("SELECT user, score FROM sessions"))
    assert line["content"] == (
        f"**Debrief: Dana Whitfield**\nAna scored **{scores[ANA['id']]}/100**.\n"
        "Unfinished: the conversation ended before a resolution. (you ended it)"
    )
    (timed_out,) = bot.fake.posted(bo_thread)[2:]
    assert f"Bo scored **{scores[BO['id']]}/100**" in timed_out["content"] and "(it timed out)" in timed_out["content"]
    await bot.fake.wait(lambda: archived(bot.fake, ana_thread) and archived(bot.fake, bo_thread), "both archived")


async def test_ending_a_session_whose_thread_refuses_every_post_says_it_ended(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    bot.fake.refuse_posts = lambda channel, body: channel == thread_id
    error = await bot.answer(await bot.fake.slash(ANA, "end", CHANNEL_ID))
    assert error["flags"] == 64 and "has ended and was scored" in error["content"]
    assert "History" in error["content"] and "not applied" not in error["content"]
    assert bot.rows("SELECT status, end_reason FROM sessions") == [("ended", "ended")]


@pytest.mark.parametrize("how", ["/hotseat end", "idle sweep"])
async def test_a_debrief_waits_for_the_customer_line_still_being_typed(bot: Bot, clock, monkeypatch, how) -> None:
    thread_id = await bot.start(ANA)
    monkeypatch.setattr(delivery, "typing_delay", lambda text: 0.3)
    bot.front.cog.typing = True
    await bot.fake.say(ANA, thread_id, EXCELLENT[0])
    typing = ("POST", f"/channels/{thread_id}/typing")
    await bot.fake.wait(lambda: typing in [(r.method, r.path) for r in bot.fake.requests], "the customer typing")
    if how == "idle sweep":
        clock.advance(601)
        assert await sweep(bot.front) == 1
    else:
        await bot.answer(await bot.fake.slash(ANA, "end", CHANNEL_ID), "the end command's answer")
    await bot.fake.wait(lambda: archived(bot.fake, thread_id), "the thread to be archived")
    line, debrief = bot.fake.posted(thread_id)[2:]
    assert line["content"].startswith("**Dana Whitfield:**") and debrief_of([debrief])


async def test_without_manage_threads_a_finished_thread_is_still_archived(bot: Bot) -> None:
    bot.fake.refuse_lock = True
    thread_id = await bot.start(ANA)
    await bot.say(ANA, thread_id, "end")
    await bot.fake.wait(lambda: archived(bot.fake, thread_id), "the thread to be archived")
    assert not bot.fake.channels[thread_id]["thread_metadata"]["locked"]


@pytest.mark.parametrize("failure", ["brief refused", "a bug"])
async def test_a_start_that_fails_halfway_leaves_no_session_and_no_open_thread(bot: Bot, failure: str) -> None:
    service = bot.front.handler.service
    if failure == "brief refused":
        bot.fake.refuse_posts = lambda channel, body: bool(body.get("embeds"))
    else:
        async def broken(session_id: int, thread: str) -> None:
            raise RuntimeError("a store bug")
        service.store.set_thread = broken  # the store fails to record the thread
    error = await bot.answer(await bot.fake.slash(ANA, "start", persona="double-billing"))
    assert error["flags"] == 64 and error["content"].startswith("Sorry, something went wrong")  # not "ask an admin"
    (thread,) = bot.fake.threads()
    assert thread["thread_metadata"]["archived"] and bot.rows("SELECT count(*) FROM sessions") == [(0,)]
    bot.fake.refuse_posts = None
    vars(service.store).pop("set_thread", None)
    await bot.start(ANA)  # free to try again at once


async def test_commands_that_touch_the_database_answer_at_once_and_deliver_later(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    service, slow_db = bot.front.handler.service, asyncio.Event()
    progress = bot.front.cog.reports.progress  # the fair board is read through Progress, not the service
    for owner, name in ((service, "hint"), (service, "history"), (progress, "leaderboard")):
        async def slow(*args, _real=getattr(owner, name), **kwargs):
            await slow_db.wait()
            return await _real(*args, **kwargs)
        setattr(owner, name, slow)
    tokens = {name: await bot.fake.slash(ANA, name, thread_id) for name in ("hint", "history", "leaderboard")}
    for name, private in (("hint", True), ("history", True), ("leaderboard", False)):
        (callback,) = await bot.fake.wait(lambda: bot.fake.answers(tokens[name]), f"/hotseat {name} deferred")
        assert callback.body["type"] == 5 and bool((callback.body.get("data") or {}).get("flags", 0) & 64) == private
    slow_db.set()
    hint = await bot.answer(tokens["hint"], "the hint")
    assert hint["flags"] == 64 and "Hint:" in hint["content"]
    assert not (await bot.answer(tokens["leaderboard"], "the board")).get("flags")
    assert bot.rows("SELECT COUNT(*) FROM hints") == [(1,)]


async def test_commands_in_a_thread_hotseat_did_not_open_mean_the_session_in_its_channel(bot: Bot) -> None:
    practice_thread = await bot.start(ANA)
    side_thread = await bot.fake.user_thread(ANA)
    hint = await bot.answer(await bot.fake.slash(ANA, "hint", side_thread))
    assert "Hint:" in hint["content"]
    done = await bot.answer(await bot.fake.slash(ANA, "end", side_thread))
    assert f"<#{practice_thread}>" in done["content"]


async def test_an_error_answer_that_comes_too_late_is_logged_not_raised(bot: Bot, caplog) -> None:
    bot.fake.expired = True
    await bot.fake.slash(ANA, "dance")  # the tree's own error handler answers this one
    await bot.fake.wait(lambda: "could not report a command error" in caplog.text, "the warning")


# -- persona text at the loader's limits ------------------------------------------------------------
LONG_ID = "double-billing-" + "-".join(["again"] * 20)  # too long for a button's custom_id


def long_persona_library(tmp_path: Path) -> Library:
    """double-billing with every text a trainer writes near the loader's 4,000-character limit."""

    def padded(text: str) -> str:
        return " ".join([text] * (3990 // (len(text) + 1)))

    text = (PERSONAS / "double-billing.yaml").read_text()
    text = text.replace("id: double-billing", f"id: {LONG_ID}")
    text = text.replace("name: Dana Whitfield", f"name: {padded('Dana Whitfield')}")
    text = re.sub(r"^scenario: (.*)$", lambda m: f"scenario: {padded(m[1])}", text, flags=re.M)
    text = re.sub(r"^brief: \|\n(?:  .*\n)+", lambda m: f'brief: "{padded("Dana is upset.")}"\n', text, flags=re.M)
    text = re.sub(r'((?:- |hint: )")([^"\n]+)"', lambda m: f'{m[1]}{padded(m[2])}"', text)
    (tmp_path / "long.yaml").write_text(text)
    library = Library.load(tmp_path / "long.yaml")
    assert not library.problems and len(library.get(LONG_ID).name) > 3900
    return library


async def test_a_persona_written_at_the_loaders_limits_still_fits_discord(
    service, db, clock, monkeypatch, tmp_path
) -> None:
    long = HotseatService(service.store, long_persona_library(tmp_path), clock=clock, idle_timeout=600)
    async with running(long, db, monkeypatch) as bot:
        thread_id = await bot.start(ANA, LONG_ID)
        assert len(bot.fake.channels[thread_id]["name"]) == 100
        brief, opening = bot.fake.posted(thread_id)
        assert brief["embeds"][0]["description"].startswith("Dana is upset. Dana is upset.")
        assert opening["content"].startswith("**Dana Whitfield Dana") and len(opening["content"]) == 2000
        (reply,) = await bot.say(ANA, thread_id, EXCELLENT[0])
        assert reply["content"].startswith("**Dana Whitfield Dana") and len(reply["content"]) == 2000
        (hint,) = await bot.say(ANA, thread_id, "hint")
        assert hint["content"].startswith("💡 **Hint:** ") and "…\n-# Hints used: 1 (" in hint["content"]
        busy = await bot.answer(await bot.fake.slash(ANA, "start", persona=LONG_ID))
        assert busy["content"].startswith("You are already in a conversation with Dana Whitfield")
        (debrief,) = await bot.say(ANA, thread_id, "end")
        assert debrief_of([debrief])["title"].startswith("Debrief: Dana Whitfield")
        assert set(buttons(debrief)) == {"Turn by turn"}  # no practice buttons: the id is too long for a custom_id
        for name in ("personas list", "history"):
            assert (await bot.answer(await bot.fake.slash(ANA, name)))["embeds"]
        assert (await bot.answer(await bot.fake.slash(ANA, "leaderboard", persona=LONG_ID)))["embeds"]
        token = await bot.fake.slash(ANA, "start", focused="persona", persona="dana")
        (callback,) = await bot.fake.wait(lambda: bot.fake.answers(token), "the autocomplete answer")
        assert callback.body["data"]["choices"] == []  # an id over 100 characters cannot be a choice; it can be typed
    # `running` also asserts that Discord refused nothing as too long


async def test_a_session_carries_on_in_its_thread_after_a_restart(service, db, library, clock, monkeypatch) -> None:
    fake = FakeDiscord()
    monkeypatch.setattr(discord.http.Route, "BASE", await fake.start())
    try:
        async with running(service, db, monkeypatch, fake=fake) as bot:
            thread_id = await bot.start(ANA)
            first = fake.next_id()
            await bot.say(ANA, thread_id, EXCELLENT[0], message_id=first)
        store = await Store.open(db)  # a new process: nothing in memory but what the database holds
        try:
            restarted = HotseatService(store, library, clock=clock, idle_timeout=600)
            async with running(restarted, db, monkeypatch, fake=fake) as bot:
                await fake.say(ANA, thread_id, EXCELLENT[0], message_id=first)  # replayed after the restart
                (reply,) = await bot.say(ANA, thread_id, EXCELLENT[1])
                turns = bot.rows("SELECT idx, trainee, customer FROM turns ORDER BY idx")
                assert [(idx, trainee) for idx, trainee, _ in turns] == [(1, EXCELLENT[0]), (2, EXCELLENT[1])]
                assert reply["content"] == f"**Dana Whitfield:** {turns[1][2]}"
        finally:
            await store.close()
    finally:
        await fake.close()


# -- settings ------------------------------------------------------------------------------------
def test_settings_come_from_the_environment_and_name_what_is_wrong(monkeypatch) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    with pytest.raises(SettingError, match="DISCORD_TOKEN"):
        DiscordSettings.from_env()
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.setenv("DISCORD_GUILD_ID", "my server")
    with pytest.raises(SettingError, match="DISCORD_GUILD_ID"):
        DiscordSettings.from_env()
    monkeypatch.setenv("DISCORD_GUILD_ID", str(GUILD_ID))
    monkeypatch.setenv("HOTSEAT_TYPING", "off")
    settings = DiscordSettings.from_env()
    assert (settings.token, settings.guild_id, settings.typing) == (TOKEN, GUILD_ID, False)
    assert TOKEN not in repr(settings)


async def test_from_env_builds_a_front_end_that_reports_its_token_as_a_secret(service, monkeypatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    monkeypatch.delenv("DISCORD_GUILD_ID", raising=False)
    monkeypatch.delenv("HOTSEAT_TYPING", raising=False)
    front = DiscordFrontEnd.from_env()
    try:
        assert front.secrets == (TOKEN,) and front.settings.typing and front.settings.guild_id is None
        assert front.client.allowed_mentions.to_dict() == NO_PINGS
    finally:
        await front.close()

