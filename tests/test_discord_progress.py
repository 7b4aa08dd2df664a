"""Progress on Discord end to end: stats, team, export, the fair board and its opt-out,
history, rereading a debrief, the turn-by-turn debrief with its charts, and the drill of the
day, through the real discord.py client against the loopback fake (tests/discord_fakes.py),
with the real service, personas and a SQLite file."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
from dataclasses import replace
from typing import AsyncIterator

import discord
import pytest

from bot.core.service import HotseatService
from bot.debrief.timeline import Moment
from bot.frontends.discord import embeds
from bot.frontends.discord.panels import split_lines
from bot.frontends.reports import LEADS_ONLY
from bot.frontends.roles import Roles
from bot.store.sqlite import Store
from discord_fakes import CHANNEL_ID, GUILD_ID, LEAD_ROLE, FakeDiscord
from progress_seed import DAY, many, played
from test_discord_embeds import ending
from test_discord import ANA, BO, EVE, EXCELLENT, Bot, buttons, debrief_of, running

LEAD = EVE  # Eve holds the "Team leads" role
LEADS = Roles(leads=frozenset({str(LEAD_ROLE)}))
WS = str(GUILD_ID)
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def bot(service, db, monkeypatch) -> AsyncIterator[Bot]:
    async with running(service, db, monkeypatch, roles=LEADS) as b:
        yield b


async def ask(bot: Bot, who: dict, sub: str, *, lead: bool = False, **options) -> tuple[str, dict]:
    """`/hotseat <sub>`; the token and the first message answering it."""
    token = await bot.fake.slash(who, sub, roles=(LEAD_ROLE,) if lead else (), **options)
    return token, await bot.answer(token, f"/hotseat {sub}")


async def answers(bot: Bot, token: str, count: int) -> list[dict]:
    """The first `count` messages sent in answer to one interaction."""
    return await bot.fake.wait(
        lambda: (found := [r.sent for r in bot.fake.answers(token) if r.sent and r.status < 300])[count - 1:]
        and found, f"{count} answers")


def message_with(bot: Bot, title: str) -> dict:
    """The latest message the fake holds whose first embed has `title`, to click its buttons."""
    return next(m for m in reversed(list(bot.fake.messages.values()))
                if m["embeds"] and m["embeds"][0].get("title") == title)


def drills(fake: FakeDiscord) -> list[dict]:
    return [p for p in fake.posted(CHANNEL_ID) if p.get("embeds") and p["embeds"][0].get("title") == "Drill of the day"]


async def seed(bot: Bot, who: dict, count: int, now: float, *, persona: str = "double-billing") -> list[int]:
    return await many(bot.front.handler.service.store, workspace=WS, user=who["id"], name=who["global_name"],
                      persona_id=persona, count=count, now=now)


# -- who may see what ------------------------------------------------------------------------------
async def test_a_trainee_is_refused_the_team_exports_drills_and_others_stats(bot: Bot, clock) -> None:
    await seed(bot, ANA, 3, clock())
    for sub, options, why in (("team", {}, "team"), ("export", {}, "export"), ("drill", {"state": "on"}, "drill")):
        _, refused = await ask(bot, BO, sub, **options)
        assert refused["flags"] == 64 and refused["content"] == LEADS_ONLY[why], sub
    token = await bot.fake.slash(BO, "stats", users={"user": ANA})
    refused = await bot.answer(token)
    assert refused["flags"] == 64 and refused["content"] == LEADS_ONLY["stats"]
    assert not bot.fake.uploads(token) and bot.rows("SELECT COUNT(*) FROM drills") == [(0,)]

    own = await bot.answer(await bot.fake.slash(ANA, "stats", users={"user": ANA}))  # naming yourself is fine
    assert own["embeds"][0]["title"] == "Progress: Ana"
    _, theirs = await ask(bot, LEAD, "stats", lead=True, users={"user": ANA})  # a lead sees anyone's
    assert theirs["flags"] == 64 and theirs["embeds"][0]["title"] == "Progress: Ana"
    assert "3 in all" in theirs["embeds"][0]["description"]


async def test_before_anyone_played_stats_team_and_leaderboard_say_so_kindly(bot: Bot) -> None:
    _, stats = await ask(bot, ANA, "stats")
    assert stats["flags"] == 64 and "No scored sessions yet" in stats["embeds"][0]["description"]
    _, team = await ask(bot, LEAD, "team", lead=True)
    assert "Nobody has practised here yet." in team["embeds"][0]["description"]
    token, board = await ask(bot, ANA, "leaderboard")
    assert not board.get("flags")
    assert "Nobody has 3 scored sessions in this period yet." in board["embeds"][0]["description"]
    _, volume = await ask(bot, ANA, "volume")
    assert "Nobody has practised in this period yet." in volume["embeds"][0]["description"]
    _, history = await ask(bot, ANA, "history")
    assert "No sessions yet" in history["embeds"][0]["description"] and not history.get("components")


# -- many sessions, many trainees ------------------------------------------------------------------
async def test_a_thousand_sessions_and_a_hundred_and_fifty_trainees_fit_discord(bot: Bot, clock) -> None:
    await seed(bot, ANA, 1000, clock())
    token, stats = await ask(bot, ANA, "stats")
    embed = stats["embeds"][0]
    assert "1000 in all" in embed["description"] and embed["image"]["url"] == "attachment://progress.png"
    ((name, png, _),) = bot.fake.uploads(token)
    assert name == "progress.png" and png.startswith(PNG)
    assert stats["attachments"][0]["description"]  # alt text for screen readers
    _, history = await ask(bot, ANA, "history")
    rows = history["embeds"][0]["description"].split("\n")
    assert len(rows) == 10 and all(" empa " in r for r in rows)
    assert set(buttons(history)) == {f"Debrief #{i}" for i in range(1, 6)}  # the newest five

    store = bot.front.handler.service.store
    for i in range(150):
        await played(store, workspace=WS, user=str(800000000000000000 + i), name=f"Trainee {i:03}",
                     persona_id="double-billing", score=40 + i % 50, ended_at=clock() - i * 60)
    token, team = await ask(bot, LEAD, "team", lead=True)
    assert team["flags"] == 64 and "Page 1 of 16" in team["embeds"][0]["footer"]["text"]  # Ana and 150 more
    table = team["embeds"][0]["description"].split("\n")
    assert table[1] == "```" and table[2].startswith("trainee ") and table[3].startswith("Ana ")  # sorted by name
    page = message_with(bot, "Team")
    assert buttons(page) == {"Next": f"hotseat:team:name:asc:2:{LEAD['id']}"}

    nosy = await bot.fake.click(BO, page, buttons(page)["Next"])  # somebody else's pages stay put
    assert "Only the lead who asked" in (await bot.answer(nosy))["content"]
    click = await bot.fake.click(LEAD, page, buttons(page)["Next"], roles=(LEAD_ROLE,))
    (edit,) = await bot.fake.wait(lambda: bot.fake.answers(click), "the page turned")
    assert edit.body["type"] == 7  # the same message, edited in place
    second = edit.body["data"]["embeds"][0]
    assert "Page 2 of 16" in second["footer"]["text"] and "Trainee 009" in second["description"]
    labels = {c["label"] for row in edit.body["data"]["components"] for c in row["components"]}
    assert labels == {"Previous", "Next"}
    assert not bot.fake.invalid


# -- export ------------------------------------------------------------------------------------------
async def test_an_export_arrives_privately_as_a_file_with_the_right_rows(bot: Bot, clock) -> None:
    await seed(bot, ANA, 3, clock())
    await seed(bot, BO, 2, clock() - 10 * DAY)
    token, done = await ask(bot, LEAD, "export", lead=True)
    assert done["flags"] == 64 and "5 sessions." in done["embeds"][0]["description"]
    ((name, data, _),) = bot.fake.uploads(token)
    assert name.endswith(".csv") and data.startswith("\ufeff".encode())  # a BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert sorted(r["user_name"] for r in rows) == ["Ana", "Ana", "Ana", "Bo", "Bo"]
    assert {r["workspace"] for r in rows} == {WS} and all(r["empathy"] for r in rows)

    since = dt.datetime.fromtimestamp(clock() - 5 * DAY, dt.timezone.utc)
    token, _ = await ask(bot, LEAD, "export", lead=True, format="jsonl", turns=True, since=since.strftime("%Y-%m-%d"))
    ((name, data, _),) = bot.fake.uploads(token)
    lines = [json.loads(line) for line in data.decode().splitlines()]
    assert name.endswith(".jsonl") and [r["user_name"] for r in lines] == ["Ana"] * 3
    assert lines[0]["transcript"][0]["trainee"] == "I'm sorry, let me fix that."


async def test_an_upload_discord_refuses_still_posts_the_text(bot: Bot, clock, caplog) -> None:
    await seed(bot, ANA, 12, clock())
    bot.fake.refuse_uploads = True
    caplog.set_level(logging.WARNING)
    token = await bot.fake.slash(ANA, "stats")
    (stats,) = await answers(bot, token, 1)  # what Discord accepted
    embed = stats["embeds"][0]
    assert embed["title"] == "Progress: Ana" and "12 in all" in embed["description"] and "image" not in embed
    assert not bot.fake.uploads(token) and "refused an upload" in caplog.text

    token = await bot.fake.slash(LEAD, "export", roles=(LEAD_ROLE,))
    (export,) = await answers(bot, token, 1)
    assert "Discord refused the file" in export["content"] and "12 sessions." in export["embeds"][0]["description"]

    thread_id = await bot.start(ANA)  # a played debrief: its charts are refused, the debrief is not
    posts = await bot.say(ANA, thread_id, EXCELLENT[0], expect=1)
    posts = await bot.say(ANA, thread_id, "end", expect=1)
    assert debrief_of(posts)["title"] == "Debrief: Dana Whitfield" and not bot.fake.uploads(thread_id)


# -- the fair board and its opt-out ------------------------------------------------------------------
async def test_opting_out_hides_a_trainee_from_the_board_but_not_from_themself(bot: Bot, clock) -> None:
    await seed(bot, ANA, 3, clock())
    await seed(bot, BO, 3, clock())
    _, out = await ask(bot, ANA, "leaderboard-optout")
    assert out["flags"] == 64 and "off the public leaderboards" in out["embeds"][0]["description"]

    token, board = await ask(bot, BO, "leaderboard", period="all")
    assert not board.get("flags") and "Bo" in board["embeds"][0]["description"]
    assert "Ana" not in json.dumps(board)
    token, board = await ask(bot, ANA, "leaderboard", period="all")
    public, private = await answers(bot, token, 2)
    assert not public.get("flags") and "Ana" not in json.dumps(public)  # not even to the channel she asked in
    assert private["flags"] == 64 and private["content"].startswith("You: ")
    assert "only you see this" in private["content"]
    token, volume = await ask(bot, BO, "volume", period="all")
    assert "Ana" not in json.dumps(volume)

    await ask(bot, ANA, "leaderboard-optin")
    _, board = await ask(bot, BO, "leaderboard", period="all")
    assert "Ana" in board["embeds"][0]["description"]


# -- debriefs --------------------------------------------------------------------------------------
async def test_a_debrief_is_read_again_by_its_trainee_or_a_lead_only(bot: Bot, clock) -> None:
    (ana_session,) = await seed(bot, ANA, 1, clock())
    _, own = await ask(bot, ANA, "debrief", id=ana_session)
    assert own["flags"] == 64 and own["embeds"][0]["title"] == "Debrief: Dana Whitfield"
    _, refused = await ask(bot, BO, "debrief", id=ana_session)
    assert refused["flags"] == 64 and refused["content"] == LEADS_ONLY["debrief"] and not refused.get("embeds")
    _, lead = await ask(bot, LEAD, "debrief", lead=True, id=ana_session)
    assert "Ana scored **" in lead["embeds"][0]["description"]
    _, missing = await ask(bot, ANA, "debrief", id=ana_session + 100)
    assert "There is no session" in missing["content"]

    history = (await ask(bot, ANA, "history"))[1]
    click = await bot.fake.click(ANA, message_with(bot, "Your sessions"), buttons(history)[f"Debrief #{ana_session}"])
    again = await bot.answer(click)
    assert again["flags"] == 64 and again["embeds"][0]["title"] == "Debrief: Dana Whitfield"


async def test_a_played_debrief_shows_its_turning_points_charts_and_every_turn_on_request(bot: Bot) -> None:
    thread_id = await bot.start(ANA)
    for line in EXCELLENT[:5]:  # to her acceptance
        await bot.say(ANA, thread_id, line)
    posts = await bot.finish(ANA, thread_id)  # the wrap-up: her goodbye, then the debrief
    post = posts[1]
    debrief = debrief_of(posts)
    fields = {f["name"]: f["value"] for f in debrief["fields"]}
    (heading,) = [n for n in fields if n.startswith("Turn by turn (anger ")]
    assert "▼" in fields[heading] and "calmed" in fields[heading]  # the turning points with their reasons
    assert debrief["image"]["url"] == "attachment://mood-timeline.png"
    assert post["embeds"][1]["image"]["url"] == "attachment://skill-radar.png"
    uploaded = bot.fake.uploads(thread_id)
    assert [f[0] for f in uploaded] == ["mood-timeline.png", "skill-radar.png"]
    assert all(f[1].startswith(PNG) for f in uploaded)
    assert all(a["description"] for a in post["attachments"])  # alt text for each chart

    (session,), = bot.rows("SELECT id FROM sessions")
    message = next(m for m in bot.fake.messages.values() if m["channel_id"] == str(thread_id) and m["attachments"])
    click = await bot.fake.click(ANA, message, f"hotseat:turns:{session}")
    (turns,) = await answers(bot, click, 1)
    lines = turns["content"].split("\n")
    assert turns["flags"] == 64 and lines[0].startswith("**Turn by turn (anger ")
    assert [int(re.match(r"[▲▼·] \*\*(\d+)\*\*", line).group(1)) for line in lines[1:]] == [1, 2, 3, 4, 5, 6]
    nosy = await bot.fake.click(BO, message, f"hotseat:turns:{session}")
    assert (await bot.answer(nosy))["content"] == LEADS_ONLY["debrief"]


# -- the drill of the day --------------------------------------------------------------------------
async def test_the_drill_names_its_trainees_and_posts_once_across_a_restart(service, db, monkeypatch, clock) -> None:
    fake = FakeDiscord()
    monkeypatch.setattr(discord.http.Route, "BASE", await fake.start())
    try:
        async with running(service, db, monkeypatch, roles=LEADS, fake=fake) as bot:
            await seed(bot, ANA, 4, clock())
            await seed(bot, BO, 4, clock())
            _, on = await ask(bot, LEAD, "drill", lead=True, state="on", time="07:30")
            assert on["flags"] == 64 and "Each day at 07:30 UTC" in on["embeds"][0]["description"]
            assert await bot.front.drill_clock.tick() == 1
            assert await bot.front.drill_clock.tick() == 0  # the same process, a minute later
        (drill,) = drills(fake)
        assert set(re.findall(r"<@(\d+)>", drill["content"])) == {ANA["id"], BO["id"]}
        allowed = drill["allowed_mentions"]  # exactly those two trainees, nobody else, no @everyone or roles
        assert allowed["parse"] == [] and {str(u) for u in allowed["users"]} == {ANA["id"], BO["id"]}
        assert "roles" not in allowed and not allowed.get("replied_user")
        assert {c["custom_id"] for row in drill["components"] for c in row["components"]} <= {
            f"hotseat:again:{p.id}" for p in service.personas()}

        # A restart on the hour: a new process, the store opened again on the same file.
        store = await Store.open(db)
        try:
            again = HotseatService(store, service.library, clock=clock, idle_timeout=600, max_turns=30)
            async with running(again, db, monkeypatch, roles=LEADS, fake=fake) as bot:
                assert await bot.front.drill_clock.tick() == 0
        finally:
            await store.close()
        assert len(drills(fake)) == 1
    finally:
        await fake.close()


# -- limits, without a connection ----------------------------------------------------------------
def test_a_long_conversation_fits_the_embed_and_its_turn_list_splits_across_messages(library) -> None:
    reason = "calmed 9 points: named the customer's feelings, apologised, took ownership and said what happens next " * 3
    moments = tuple(Moment(i, 80 - i, 79 - i, ("empathy",), reason, turning_point=i % 4 == 0) for i in range(1, 61))
    ended = ending(library, "I hear you " * 60)
    ended = replace(ended, debrief=replace(ended.debrief, timeline=moments))
    embed = embeds.debrief_embed(ended)
    assert embeds.embed_size(embed) <= embeds.EMBED_MAX
    assert all(len(f.value) <= embeds.FIELD_MAX and len(f.name) <= 256 for f in embed.fields)
    parts = split_lines(embeds.turn_by_turn(ended))
    assert len(parts) > 1 and all(len(p) <= embeds.CONTENT_MAX for p in parts)
    assert sum(p.count("\n") + 1 for p in parts) == 61  # the heading and every one of the 60 turns


# -- names on the board and in history never ping or format (ported from the old embeds' tests) ----
def _nasty_board(name: str):
    from bot.core.progress import BoardRow, FairBoard, Pending
    return FairBoard("week", None, 3, (BoardRow(1, False, "U1", name, 3, 71.2, 71.2, 80),), (Pending("U2", name, 1, 2),), None)


def test_board_and_history_names_cannot_ping_or_format() -> None:
    from bot.core.service import PastSession
    from bot.frontends import panels as neutral
    from bot.frontends.discord.panels import panel_embed

    name = "@everyone **Ana** @here <@1234567890123456789>"
    for wide_name in (name, name + " x" * 40):  # a short name goes in a code block, a long one in lines
        text = panel_embed(neutral.board_panel(_nasty_board(wide_name))).description
        outside = re.sub(r"```.*?```", "", text, flags=re.S)
        assert "@everyone" not in outside and "@here" not in outside and "<@1234" not in outside, text
        assert "**Ana**" not in outside and "\\*\\*Ana\\*\\*" in outside
    history = neutral.history_panel([PastSession(5, "x", name, "ended", "resolved", 70, 4, 0.0)], name=name)
    embed = panel_embed(history)
    assert embed.title == "Sessions: @\u200beveryone \\*\\*Ana\\*\\* @\u200bhere <@\u200b1234567890123456789>"
    assert "@everyone" not in embed.description and "**Ana**" not in embed.description
