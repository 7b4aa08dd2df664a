"""The Slack front end end to end: the real slack-bolt AsyncApp served over HTTP (and over
Socket Mode), real service and SQLite, with only Slack itself faked on loopback."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sqlite3
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest
import yaml

from bot.frontends import adapter as frontend
from bot.frontends.chat_commands import INTRO
from bot.config import SettingError
from bot.frontends.slack import blocks
from bot.core.service import HotseatService
from bot.frontends.slack.app import SlackFrontEnd
from bot.store.sqlite import Store
from conftest import WRAP_UP, goodbyes
from slack_fakes import BAD_TOKEN, BOT_USER, OTHER_TEAM_TOKEN, Call, FakeSlack, sign

SECRET = "test-signing-secret"
EXCELLENT = (Path(__file__).parent / "data" / "scripts" / "excellent.txt").read_text().splitlines()


def button_click(fake: FakeSlack, action_id: str, *, user: str = "U1", channel: str = "C1", message_ts: str = "1.0",
                 home: bool = False, ephemeral: bool = False) -> dict:
    """A block_actions payload as Slack sends it for a button in a message or on App Home."""
    container = ({"type": "view", "view_id": "V1"} if home else
                 {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": ephemeral})
    payload = {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": user, "username": user.lower()},
               "api_app_id": "A1", "token": "x", "container": container, "trigger_id": "1.2.3",
               "actions": [{"action_id": action_id, "block_id": "b", "type": "button", "action_ts": "1.1"}]}
    if home:
        payload["view"] = {"id": "V1", "type": "home"}
    else:
        payload |= {"channel": {"id": channel}, "message": {"ts": message_ts}, "response_url": fake.response_url()}
    return payload


class Slack:
    """Sends the bot what Slack would send, signed; reads what it sent back from the fake."""

    def __init__(self, front: SlackFrontEnd, fake: FakeSlack, http: aiohttp.ClientSession) -> None:
        self.front, self.fake, self.http = front, fake, http
        self._ids = itertools.count(1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.front.port}/slack/events"

    async def post(self, body: str, content_type: str, *, secret: str = SECRET, timestamp: int | None = None,
                   headers: dict | None = None) -> tuple[int, str]:
        signed = {**sign(secret, body, timestamp), "Content-Type": content_type, **(headers or {})}
        async with self.http.post(self.url, data=body.encode(), headers=signed) as r:
            return r.status, await r.text()

    async def command(self, text: str, *, user: str = "U1", name: str = "ana", channel: str = "C1",
                      team: str = "T1") -> tuple[int, str]:
        form = {"token": "x", "team_id": team, "team_domain": "test", "channel_id": channel, "channel_name": "practice",
                "user_id": user, "user_name": name, "command": "/hotseat", "text": text, "api_app_id": "A1",
                "response_url": self.fake.response_url(), "trigger_id": "1.2.3"}
        return await self.post(urlencode(form), "application/x-www-form-urlencoded")

    async def event(self, event: dict, *, event_id: str | None = None, headers: dict | None = None) -> tuple[int, str]:
        body = {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event": event,
                "event_id": event_id or f"Ev{next(self._ids)}", "event_time": int(time.time()),
                "authorizations": [{"team_id": "T1", "user_id": BOT_USER, "is_bot": True}]}
        return await self.post(json.dumps(body), "application/json", headers=headers)

    async def say(self, user: str, thread_ts: str, text: str, *, channel: str = "C1", **extra) -> tuple[int, str]:
        """A message in a thread, as Slack delivers it (message.channels / message.im)."""
        ts = f"1800000001.{next(self._ids):06d}"
        event = {"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": thread_ts, "channel": channel,
                 "channel_type": "im" if channel.startswith("D") else "channel", "event_ts": ts, **extra}
        return await self.event(event)

    async def click(self, action_id: str, *, user: str = "U1", channel: str = "C1", message_ts: str = "1.0",
                    home: bool = False, ephemeral: bool = False) -> tuple[int, str]:
        payload = button_click(self.fake, action_id, user=user, channel=channel, message_ts=message_ts, home=home,
                               ephemeral=ephemeral)
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def start(self, persona: str, *, user: str = "U1", name: str = "ana", channel: str = "C1") -> str:
        """Start by slash command; returns the ts of the opening message, the thread's root."""
        before = len([c for c in self.fake.called("chat.postMessage", channel=channel) if _opening(c)])
        status, _ = await self.command(f"start {persona}", user=user, name=name, channel=channel)
        assert status == 200
        call = await self.fake.wait_for("chat.postMessage", channel=channel, count=before + 1, where=_opening)
        return call.result["ts"]

    async def reply(self, user: str, thread_ts: str, text: str, *, channel: str = "C1", count: int = 1) -> Call:
        """Say something in the thread and wait for the customer's `count`-th answer there."""
        await self.say(user, thread_ts, text, channel=channel)
        return await self.fake.wait_for("chat.postMessage", channel=channel, thread_ts=thread_ts, count=count,
                                        where=_customer_line)

    async def finish(self, user: str, thread_ts: str, *, count: int, persona: str = "double-billing",
                     channel: str = "C1") -> tuple[Call, Call]:
        """The trainee's wrap-up after the customer accepted: the customer's `count`-th answer
        in the thread is a goodbye, and the debrief follows it there. (goodbye, debrief)."""
        assert not [c for c in self.fake.called("chat.postMessage", channel=channel, thread_ts=thread_ts)
                    if _debrief(c)], "the conversation ended before the wrap-up"
        goodbye = await self.reply(user, thread_ts, WRAP_UP, channel=channel, count=count)
        said = goodbye.args["text"].split(":* ", 1)[1]
        assert said in goodbyes(self.front.handler.service.library.get(persona)), said
        debrief = await self.fake.wait_for("chat.postMessage", channel=channel, thread_ts=thread_ts, where=_debrief)
        assert self.fake.calls.index(goodbye) < self.fake.calls.index(debrief)  # the goodbye, then the debrief
        return goodbye, debrief


def _opening(call: Call) -> bool:
    return "hotseat.hint" in shown(call.args.get("blocks", []))


def _debrief(call: Call) -> bool:
    return "Debrief" in shown(call.args.get("blocks", []))


def _customer_line(call: Call) -> bool:
    return any(b.get("type") == "context" and "anger" in shown(b) for b in call.args.get("blocks", []))


def shown(obj: object) -> str:
    """Every string in a payload, joined: what a user could read, unquoted."""
    if isinstance(obj, dict):
        return "\n".join(shown(v) for v in obj.values())
    if isinstance(obj, list):
        return "\n".join(shown(v) for v in obj)
    return obj if isinstance(obj, str) else ""


def _ephemerals(fake: FakeSlack) -> list[Call]:
    return fake.called("chat.postEphemeral") + fake.called("response_url")


def rows(db: Path, sql: str, *args) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql, args).fetchall()


@pytest.fixture
async def fake():
    fake = await FakeSlack().start()
    yield fake
    await fake.stop()


@pytest.fixture
def slack_env(monkeypatch, fake):
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET,
                        "SLACK_APP_TOKEN": "xapp-test-token", "SLACK_API_URL": fake.api_url,
                        "HOTSEAT_SLACK_HOST": "127.0.0.1"}.items():
        monkeypatch.setenv(name, value)


def same_as(service: HotseatService, platform: str) -> HotseatService:
    """A service like `service` (same store, personas, clock, limits) for the installation `platform`."""
    return HotseatService(service.store, service.library, clock=service.clock, idle_timeout=service.idle_timeout,
                          max_turns=service.max_turns, platform=platform)


@contextlib.asynccontextmanager
async def serving(front: SlackFrontEnd, service: HotseatService):
    """`front` as `hotseat run slack` runs it: connect, build the service for its identity, serve."""
    task = asyncio.create_task(frontend.run(front, lambda platform: same_as(service, platform), sweep_every=3600))
    try:
        ready = asyncio.ensure_future(front.ready.wait())
        await asyncio.wait({task, ready}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        ready.cancel()
        if task.done():
            task.result()
        assert front.ready.is_set(), "the Slack front end did not start"
        yield front
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def sweep(front: SlackFrontEnd) -> int:
    """The idle sweep `hotseat run` does every minute."""
    return await front.handler.sweep(front.outbox())


@pytest.fixture
async def slack(service, fake, slack_env):
    async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as front, aiohttp.ClientSession() as http:
        yield Slack(front, fake, http)


# -- a whole session ---------------------------------------------------------------------------
async def test_help_is_the_ephemeral_ack_itself(slack) -> None:
    for text in ("", "help"):
        status, body = await slack.command(text)
        assert status == 200
        answer = json.loads(body)
        text = shown(answer["blocks"])
        assert answer["text"] == INTRO and "/hotseat start [persona]" in text and "/hotseat leaderboard" in text
    assert slack.fake.called("chat.postMessage") == []


async def test_a_whole_session_from_slash_command_to_debrief(slack, db) -> None:
    thread = await slack.start("double-billing")
    opening = slack.fake.called("chat.postMessage")[0]
    text = shown(opening.args["blocks"])
    assert "Dana Whitfield" in text and "StreamBox" in text  # brief and opening line
    assert "hotseat.hint" in text and "hotseat.end" in text
    assert "link_names" not in opening.args
    for n, line in enumerate(EXCELLENT[:5], 1):
        answer = await slack.reply("U1", thread, line, count=n)
        assert answer.args["text"].startswith("*Dana Whitfield:*")
    # her acceptance (the 5th answer) leaves the conversation open for the wrap-up; her goodbye ends it
    goodbye, debrief = await slack.finish("U1", thread, count=6)
    assert goodbye.args["text"].startswith("*Dana Whitfield:*")
    [(status, outcome, score, stored_thread, user)] = rows(db, "SELECT status, outcome, score, thread, user FROM sessions")
    assert (status, outcome, stored_thread, user) == ("ended", "resolved", f"C1/{thread}", "U1")
    assert score >= 60  # excellent handling; the exact figure is the scoring tests' business
    text = shown(debrief.args["blocks"])
    for part in (f"Score: {score}/100", "Resolved", "Conflict style", "empathy", "█", "Best lines", "Tips"):
        assert part in text
    announce = await slack.fake.wait_for("chat.postMessage", channel="C1", where=lambda c: "thread_ts" not in c.args
                                         and "finished" in c.args["text"])
    assert announce.args["text"] == f"ana finished a session with Dana Whitfield: {score}/100 (resolved)."
    closed = await slack.fake.wait_for("chat.update", channel="C1", ts=thread)
    assert "hotseat.end" not in shown(closed.args["blocks"]) and f"Finished: *{score}/100*" in shown(closed.args["blocks"])
    assert "StreamBox" in shown(closed.args["blocks"])  # the brief and opening line stay
    assert [t for (t,) in rows(db, "SELECT trainee FROM turns ORDER BY idx")] == [*EXCELLENT[:5], WRAP_UP]


async def test_announcement_can_be_switched_off(service, fake, slack_env, monkeypatch) -> None:
    monkeypatch.setenv("HOTSEAT_SLACK_ANNOUNCE", "off")
    async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as front, \
            aiohttp.ClientSession() as http:
        slack = Slack(front, fake, http)
        thread = await slack.start("double-billing")
        await slack.reply("U1", thread, "I'm sorry about the double charge.")
        await slack.say("U1", thread, "end")
        await fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief)
        assert [c for c in fake.called("chat.postMessage") if "thread_ts" not in c.args and not _opening(c)] == []


async def test_two_trainees_practise_in_one_channel_each_in_their_thread(slack, db) -> None:
    ana = await slack.start("double-billing", user="U1", name="ana")
    bo = await slack.start("late-delivery", user="U2", name="bo")
    assert ana != bo
    await asyncio.gather(slack.say("U1", ana, "I'm sorry, let me look into it."),
                         slack.say("U2", bo, "Thanks for waiting, I can help with that."))
    await slack.fake.wait_for("chat.postMessage", thread_ts=ana, where=_customer_line)
    await slack.fake.wait_for("chat.postMessage", thread_ts=bo, where=_customer_line)
    stored = rows(db, "SELECT s.user, s.persona_id, s.thread, t.trainee FROM sessions s JOIN turns t ON t.session_id = s.id"
                      " ORDER BY s.user")
    assert stored == [("U1", "double-billing", f"C1/{ana}", "I'm sorry, let me look into it."),
                      ("U2", "late-delivery", f"C1/{bo}", "Thanks for waiting, I can help with that.")]


async def test_an_intruder_gets_one_note_and_changes_nothing(slack, db) -> None:
    thread = await slack.start("double-billing")
    await slack.say("U9", thread, "Let me handle this one for you!")
    note = await slack.fake.wait_for("chat.postEphemeral", user="U9")
    assert note.args["thread_ts"] == thread and "belongs to another trainee" in note.args["text"]
    await slack.say("U9", thread, "Hello? Anyone?")
    await slack.say("U9", thread, "end")
    await slack.reply("U1", thread, "I'm sorry about the double charge.")  # the trainee still plays
    assert len(slack.fake.called("chat.postEphemeral", user="U9")) == 1
    assert [c for c in slack.fake.called("chat.postMessage", thread_ts=thread) if not _customer_line(c)] == []
    assert rows(db, "SELECT trainee FROM turns") == [("I'm sorry about the double charge.",)]
    assert rows(db, "SELECT status FROM sessions") == [("active",)]


async def test_mentions_in_trainee_text_and_names_are_shown_never_acted_on(slack, db) -> None:
    # as Slack delivers "@channel @U999 & <b>" typed by a trainee
    line = "I'm so sorry about this <!channel> <@U999> &amp; &lt;b&gt;, I understand how frustrating that is."
    thread = await slack.start("double-billing", name="<!here>")
    await slack.reply("U1", thread, line)
    await slack.say("U1", thread, "end")
    debrief = await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief)
    assert "@channel @U999 &amp; &lt;b&gt;" in shown(debrief.args["blocks"])  # words, never live markup
    assert rows(db, "SELECT trainee FROM turns") == [
        ("I'm so sorry about this @channel @U999 & <b>, I understand how frustrating that is.",)]
    # the channel announcement itself (the debrief's own text may say "finished" too)
    await slack.fake.wait_for("chat.postMessage", where=lambda c: "finished a session" in c.args.get("text", ""))
    everything = "".join(c.text() for c in slack.fake.calls)
    for raw in ("<!channel>", "<!here>", "<@U999>", "<b>", " & "):
        assert raw not in everything
    assert "&lt;!here&gt; finished" in everything


async def test_slack_escaping_is_undone_before_the_service_sees_the_text(slack, db) -> None:
    thread = await slack.start("double-billing")
    await slack.reply("U1", thread, "Sorry &amp; thanks &lt;3")
    assert rows(db, "SELECT trainee FROM turns") == [("Sorry & thanks <3",)]


async def test_a_huge_message_gets_a_friendly_note_and_is_not_stored(slack, db) -> None:
    thread = await slack.start("double-billing")
    await slack.say("U1", thread, "a" * 40_000)
    note = await slack.fake.wait_for("chat.postEphemeral", user="U1", thread_ts=thread)
    assert "40,000 characters" in note.args["text"] and "Nothing was sent" in note.args["text"]
    await slack.say("U9", thread, "b" * 40_000)  # someone else's wall of text: only "not yours"
    await slack.reply("U1", thread, "Sorry about that, let me help.")
    notes = {c.args["user"]: c.args["text"] for c in _ephemerals(slack.fake)}
    assert len(_ephemerals(slack.fake)) == 2 and "belongs to another trainee" in notes["U9"]
    assert rows(db, "SELECT trainee FROM turns") == [("Sorry about that, let me help.",)]


async def test_the_same_event_delivered_twice_is_applied_once(slack, db) -> None:
    thread = await slack.start("double-billing")
    event = {"type": "message", "user": "U1", "text": "I'm sorry about this.", "ts": "1800000002.000001",
             "thread_ts": thread, "channel": "C1", "channel_type": "channel"}
    assert (await slack.event(event, event_id="EvSame"))[0] == 200
    await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=_customer_line)
    status, _ = await slack.event(event, event_id="EvSame", headers={"X-Slack-Retry-Num": "1",
                                                                     "X-Slack-Retry-Reason": "http_timeout"})
    assert status == 200
    await slack.reply("U1", thread, "Let me check the account.", count=2)
    assert [t for (t,) in rows(db, "SELECT trainee FROM turns ORDER BY idx")] == [
        "I'm sorry about this.", "Let me check the account."]
    assert len([c for c in slack.fake.called("chat.postMessage", thread_ts=thread) if _customer_line(c)]) == 2


async def test_a_rate_limited_reply_is_still_delivered(slack) -> None:
    thread = await slack.start("double-billing")
    slack.fake.rate_limit("chat.postMessage", retry_after=1)
    answer = await slack.reply("U1", thread, "I'm sorry, let me look into it.", count=2)
    refused = slack.fake.called("chat.postMessage", thread_ts=thread)[0]
    assert refused.result["error"] == "ratelimited" and refused.args == answer.args
    assert answer.result["ok"] and answer.args["text"].startswith("*Dana Whitfield:*")


async def test_bots_edits_and_other_threads_are_ignored_silently(slack, db) -> None:
    thread = await slack.start("double-billing")
    await slack.say("U1", thread, "I'm a bot line", bot_id="B2")
    await slack.say("U1", thread, "edited", subtype="message_changed")
    await slack.say(BOT_USER, thread, "my own echo")
    await slack.say("U1", "1700000000.000001", "chatting in an unrelated thread")
    await slack.event({"type": "message", "user": "U1", "text": "top level", "ts": "1800000003.1", "channel": "C1"})
    await slack.reply("U1", thread, "Sorry for the trouble.")
    assert rows(db, "SELECT trainee FROM turns") == [("Sorry for the trouble.",)]
    assert _ephemerals(slack.fake) == []
    assert len(slack.fake.called("chat.postMessage")) == 2  # the opening and the one answer


# -- commands and buttons ------------------------------------------------------------------------
async def test_the_picker_lists_personas_and_its_buttons_start_a_session(slack, db, library) -> None:
    await slack.command("start")
    picker = await slack.fake.wait_for("response_url")
    assert picker.args["response_type"] == "ephemeral"
    text = shown(picker.args["blocks"])
    for p in library.sorted():
        assert p.name in text and p.scenario in text and f"hotseat.start:{p.id}" in text
    assert "Surprise me" in text and "★★☆☆☆" in text
    await slack.click("hotseat.start:late-delivery", user="U1", ephemeral=True)  # the picker is a private answer
    opening = await slack.fake.wait_for("chat.postMessage", channel="C1", where=_opening)
    text = shown(opening.args["blocks"])
    assert "Ruth Abernathy" in text and "Keepsake &amp; Co." in text  # persona text is escaped too
    assert (await slack.fake.wait_for("response_url", count=2)).args["delete_original"] is True
    await slack.click("hotseat.start:*", user="U2", ephemeral=True)
    await slack.fake.wait_for("chat.postMessage", channel="C1", where=_opening, count=2)
    assert rows(db, "SELECT user, persona_id, thread IS NOT NULL FROM sessions ORDER BY id")[0] == (
        "U1", "late-delivery", 1)
    assert len(rows(db, "SELECT id FROM sessions WHERE user = 'U2'")) == 1


async def test_hint_and_end_buttons_only_work_for_the_trainee(slack, db) -> None:
    thread = await slack.start("double-billing")
    await slack.click("hotseat.hint", user="U1", message_ts=thread)
    hint = await slack.fake.wait_for("response_url")
    assert hint.args["response_type"] == "ephemeral" and "hint 1" in hint.args["text"]
    await slack.click("hotseat.end", user="U2", message_ts=thread)
    refused = await slack.fake.wait_for("response_url", count=2)
    assert "belongs to another trainee" in refused.args["text"]
    assert rows(db, "SELECT status FROM sessions") == [("active",)]
    await slack.click("hotseat.end", user="U1", message_ts=thread)
    await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief)
    assert rows(db, "SELECT status, end_reason FROM sessions") == [("ended", "ended")]


async def test_hint_and_end_typed_in_the_thread(slack, db) -> None:
    thread = await slack.start("double-billing")
    await slack.say("U1", thread, "Hint")
    hint = await slack.fake.wait_for("chat.postEphemeral", user="U1", thread_ts=thread)
    assert "hint 1" in hint.args["text"]
    await slack.say("U1", thread, "end.")
    await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief)
    assert rows(db, "SELECT count(*) FROM hints") == [(1,)]
    assert rows(db, "SELECT count(*) FROM turns") == [(0,)]


async def test_slash_hint_end_history_personas_and_leaderboard(slack, db) -> None:
    thread = await slack.start("double-billing")
    await slack.command("hint")
    assert "hint 1" in (await slack.fake.wait_for("response_url")).args["text"]
    await slack.command("end")
    await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief)
    await slack.command("history")
    history = shown((await slack.fake.wait_for("response_url", count=2)).args["blocks"])
    assert "Dana Whitfield" in history and "unfinished" in history
    await slack.command("personas")
    assert "hotseat.start:abusive-caller" in shown((await slack.fake.wait_for("response_url", count=3)).args)
    await slack.command("leaderboard month")
    board = shown((await slack.fake.wait_for("response_url", count=4)).args["blocks"])
    assert "Leaderboard (month)" in board and "Nobody has 3 scored sessions" in board  # the fair board
    await slack.command("leaderboard no-such-persona")
    assert "no persona called" in (await slack.fake.wait_for("response_url", count=5)).args["text"]
    status, body = await slack.command("frobnicate")
    assert status == 200 and "don't know the command" in body


async def test_errors_go_only_to_the_user_who_acted(slack) -> None:
    await slack.start("double-billing")
    await slack.command("start late-delivery")
    already = await slack.fake.wait_for("response_url")
    assert already.args["response_type"] == "ephemeral" and "already in a conversation" in already.args["text"]
    await slack.command("end", user="U5")
    assert "no conversation running" in (await slack.fake.wait_for("response_url", count=2)).args["text"]


async def test_a_channel_the_bot_is_not_in_asks_for_an_invite(slack, db) -> None:
    slack.fake.fail("chat.postMessage", "not_in_channel")
    await slack.command("start double-billing", channel="C7")
    note = await slack.fake.wait_for("response_url")
    assert "/invite @Hotseat" in note.args["text"]
    assert rows(db, "SELECT count(*) FROM sessions") == [(0,)]  # nobody saw it: no phantom in history
    assert await slack.start("double-billing", channel="C7")  # after the invite it just works


async def test_timed_out_sessions_post_their_debrief_in_their_thread(slack, db, clock) -> None:
    late = await slack.start("double-billing", user="U1")
    idle = await slack.start("late-delivery", user="U2")
    clock.advance(601)
    await slack.say("U1", late, "Sorry, I'm back.")
    note = await slack.fake.wait_for("chat.postEphemeral", user="U1")
    assert "idle" in note.args["text"]
    await slack.fake.wait_for("chat.postMessage", thread_ts=late, where=_debrief)
    assert await sweep(slack.front) == 1  # the idle sweep ends the other one
    debrief = await slack.fake.wait_for("chat.postMessage", thread_ts=idle, where=_debrief)
    assert debrief.args["channel"] == "C1" and "timed out" in shown(debrief.args["blocks"])
    assert rows(db, "SELECT end_reason FROM sessions") == [("timed_out",), ("timed_out",)]


async def test_app_home_shows_scores_and_starts_a_session_in_the_dm(slack, db) -> None:
    thread = await slack.start("double-billing")
    await slack.reply("U1", thread, "I'm sorry about the double charge.")
    await slack.say("U1", thread, "end")
    await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief)
    await slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home", "event_ts": "1.0"})
    published = await slack.fake.wait_for("views.publish", user_id="U1")
    home = shown(published.args["view"])
    assert published.args["view"]["type"] == "home"
    assert "Dana Whitfield" in home and "/100" in home and "hotseat.start:key-client" in home
    await slack.click("hotseat.start:key-client", user="U1", home=True)
    await slack.fake.wait_for("conversations.open", users="U1")
    opening = await slack.fake.wait_for("chat.postMessage", channel="DU1", where=_opening)
    dm_thread = opening.result["ts"]
    answer = await slack.reply("U1", dm_thread, "I'm sorry, I understand how frustrating that is.", channel="DU1")
    assert answer.args["channel"] == "DU1"
    assert rows(db, "SELECT channel, thread FROM sessions WHERE persona_id = 'key-client'") == [
        ("DU1", f"DU1/{dm_thread}")]


# -- what Slack's signature protects ------------------------------------------------------------
@pytest.mark.parametrize("secret, age", [("wrong-secret", 0), (SECRET, 6 * 60)])
async def test_unsigned_or_stale_requests_are_refused(slack, db, secret, age) -> None:
    before = len(slack.fake.calls)
    form = urlencode({"team_id": "T1", "channel_id": "C1", "user_id": "U1", "user_name": "ana", "command": "/hotseat",
                      "text": "start double-billing", "response_url": slack.fake.response_url()})
    status, _ = await slack.post(form, "application/x-www-form-urlencoded", secret=secret,
                                 timestamp=int(time.time()) - age)
    assert status == 401
    await asyncio.sleep(0.05)  # anything wrongly started would post within this
    assert slack.fake.calls[before:] == []
    assert rows(db, "SELECT count(*) FROM sessions") == [(0,)]


# -- Socket Mode --------------------------------------------------------------------------------
async def test_socket_mode_end_to_end(service, fake, slack_env, monkeypatch, db) -> None:
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    async with serving(SlackFrontEnd.from_env(), service):
        command = {"team_id": "T1", "channel_id": "C1", "user_id": "U1", "user_name": "ana", "command": "/hotseat",
                   "text": "start double-billing", "response_url": fake.response_url(), "api_app_id": "A1"}
        await fake.send_envelope("slash_commands", command, "env-1")
        await fake.wait_ack("env-1")
        opening = await fake.wait_for("chat.postMessage", channel="C1", where=_opening)
        thread = opening.result["ts"]
        event = {"team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": "EvS1",
                 "event": {"type": "message", "user": "U1", "text": "I'm sorry, let me sort this out.",
                           "ts": "1800000009.000001", "thread_ts": thread, "channel": "C1", "channel_type": "channel"}}
        await fake.send_envelope("events_api", event, "env-2")
        await fake.wait_ack("env-2")
        answer = await fake.wait_for("chat.postMessage", thread_ts=thread, where=_customer_line)
        assert answer.args["text"].startswith("*Dana Whitfield:*")
        await fake.send_envelope("interactive", button_click(fake, "hotseat.end", message_ts=thread), "env-3")
        await fake.wait_ack("env-3")
        debrief = await fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief)
        assert "Debrief: Dana Whitfield" in shown(debrief.args["blocks"])
        assert len(fake.called("apps.connections.open")) >= 1
    assert rows(db, "SELECT trainee FROM turns") == [("I'm sorry, let me sort this out.",)]
    assert rows(db, "SELECT status, end_reason FROM sessions") == [("ended", "ended")]


# -- settings ----------------------------------------------------------------------------------
@pytest.mark.parametrize("missing, http", [("SLACK_BOT_TOKEN", False), ("SLACK_APP_TOKEN", False),
                                           ("SLACK_SIGNING_SECRET", True)])
def test_a_missing_setting_names_the_variable_and_the_fix(service, slack_env, monkeypatch, missing, http) -> None:
    monkeypatch.delenv(missing)
    with pytest.raises(SettingError, match=missing):
        SlackFrontEnd.from_env(http=http)


def test_swapped_tokens_and_secrets(service, slack_env, monkeypatch) -> None:
    front = SlackFrontEnd.from_env()
    assert set(front.secrets) == {"xoxb-test-token", "xapp-test-token"}
    assert "xoxb-test-token" not in repr(front.settings)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xapp-test-token")
    with pytest.raises(SettingError, match="should start with 'xoxb-'"):
        SlackFrontEnd.from_env()


async def test_a_refused_token_stops_start_up_with_a_fix(service, fake, slack_env, monkeypatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", BAD_TOKEN)
    front = SlackFrontEnd.from_env(http=True, port=0)
    with pytest.raises(SettingError, match="Slack refused SLACK_BOT_TOKEN"):
        await front.connect()
    await front.close()


def test_the_manifest_subscribes_to_what_the_bot_listens_for() -> None:
    manifest = yaml.safe_load((Path(__file__).parent.parent / "slack" / "manifest.yaml").read_text())
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [blocks.SLASH]
    assert {"app_home_opened", "message.channels", "message.groups", "message.im", "app_uninstalled",
            "tokens_revoked"} <= set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"commands", "chat:write", "channels:history", "im:history", "im:write", "files:write"} <= set(
        manifest["oauth_config"]["scopes"]["bot"])  # files:write: charts and exports
    assert manifest["features"]["slash_commands"][0]["should_escape"] is True  # `stats @ana` arrives as an id
    assert manifest["settings"]["socket_mode_enabled"] and manifest["settings"]["interactivity"]["is_enabled"]
    assert manifest["features"]["app_home"]["home_tab_enabled"]


# -- what goes wrong in real workspaces -----------------------------------------------------------
async def test_an_uninstall_with_one_token_is_acked_and_logged_for_the_operator(service, fake, slack_env, caplog) -> None:
    async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as front, aiohttp.ClientSession() as http:
        slack = Slack(front, fake, http)
        status, _ = await slack.event({"type": "app_uninstalled", "event_ts": "1800000000.000001"})
        assert status == 200  # handled, so Slack does not retry it
        status, _ = await slack.event({"type": "tokens_revoked", "tokens": {"bot": [BOT_USER]},
                                       "event_ts": "1800000000.000002"})
        assert status == 200
    said = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert len(said) == 2 and all("SLACK_BOT_TOKEN no longer works" in m for m in said)
    assert not [c for c in fake.calls if c.method.startswith("chat.")]  # nothing posted to a workspace that left


async def test_error_messages_never_echo_live_markup(slack) -> None:
    await slack.command("start <!channel>")
    note = await slack.fake.wait_for("response_url")
    assert "&lt;!channel&gt;" in note.args["text"] and "<!channel>" not in note.text()
    status, body = await slack.command("<!here> please")
    assert status == 200 and "&lt;!here&gt;" in body and "<!here>" not in body
    await slack.command("start double-billing late-delivery")
    note = await slack.fake.wait_for("response_url", count=2)
    assert "takes one persona id" in note.args["text"]


async def test_a_reply_slack_refuses_as_blocks_arrives_as_text_and_the_turn_counts(slack, db) -> None:
    thread = await slack.start("double-billing")
    slack.fake.fail("chat.postMessage", "invalid_blocks")
    await slack.say("U1", thread, "I'm sorry about the double charge.")
    plain = await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=lambda c: c.result.get("ok"))
    assert plain.args["text"].startswith("*Dana Whitfield:*") and "blocks" not in plain.args
    assert _ephemerals(slack.fake) == []  # nobody is told their message was lost: it was not
    assert rows(db, "SELECT count(*) FROM turns") == [(1,)]


async def test_answers_post_in_order_even_when_one_is_rate_limited(slack, db) -> None:
    thread = await slack.start("double-billing")
    slack.fake.rate_limit("chat.postMessage", retry_after=1)
    await slack.say("U1", thread, "I'm sorry about the double charge.")
    await slack.say("U1", thread, "Could you tell me the account email?")
    await slack.say("U1", thread, "end")
    await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief, timeout=8)
    posted = [c for c in slack.fake.called("chat.postMessage", thread_ts=thread) if c.result.get("ok")]
    customer = [c.args["text"] for c in posted if _customer_line(c)]
    stored = [f"*Dana Whitfield:* {c}" for (c,) in rows(db, "SELECT customer FROM turns ORDER BY idx")]
    assert customer == [blocks.escape(t) for t in stored] and len(stored) == 2
    first_after = next(i for i, c in enumerate(posted) if not _customer_line(c))
    assert _debrief(posted[first_after])  # the debrief came after every answer
    assert all("Turn by turn" in c.args["text"] for c in posted[first_after + 1:])  # then the full list


async def test_a_channel_shared_with_another_team_is_one_workspace(slack, db) -> None:
    await slack.command("start double-billing", team="T2")  # a guest from another team
    opening = await slack.fake.wait_for("chat.postMessage", where=_opening)
    await slack.reply("U1", opening.result["ts"], "I'm sorry about the double charge.")  # event says T1
    assert rows(db, "SELECT workspace, (SELECT count(*) FROM turns) FROM sessions") == [("T1", 1)]


async def test_in_the_dm_any_message_is_a_turn(slack, db) -> None:
    await slack.say("U1", "", "hello?", channel="DU1")  # nothing running yet
    note = await slack.fake.wait_for("chat.postMessage", channel="DU1")
    assert "Home tab" in note.args["text"]
    await slack.click("hotseat.start:key-client", user="U1", home=True)
    await slack.fake.wait_for("chat.postMessage", channel="DU1", where=_opening)
    await slack.say("U1", "", "I'm sorry, I understand how frustrating that is.", channel="DU1")
    answer = await slack.fake.wait_for("chat.postMessage", channel="DU1", where=_customer_line)
    assert answer.args.get("thread_ts") is None  # answered where the trainee wrote
    await slack.say("U1", "", "end", channel="DU1")
    debrief = await slack.fake.wait_for("chat.postMessage", channel="DU1", where=_debrief)
    assert debrief.args.get("thread_ts") is None
    assert rows(db, "SELECT status, (SELECT count(*) FROM turns) FROM sessions") == [("ended", 1)]


async def test_a_conversation_carries_on_after_a_restart(service, fake, slack_env, db, library, clock) -> None:
    async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as front, \
            aiohttp.ClientSession() as http:
        slack = Slack(front, fake, http)
        thread = await slack.start("double-billing")
        sorry = {"type": "message", "user": "U1", "text": "I'm sorry about the double charge.",
                 "ts": "1800000005.000001", "thread_ts": thread, "channel": "C1", "channel_type": "channel"}
        await slack.event(sorry, event_id="EvSorry")
        await fake.wait_for("chat.postMessage", thread_ts=thread, where=_customer_line)
    store = await Store.open(db)  # a new process: new service, new app, same database, empty memory
    try:
        again = HotseatService(store, library, clock=clock)
        async with serving(SlackFrontEnd.from_env(http=True, port=0), again) as front, \
                aiohttp.ClientSession() as http:
            slack = Slack(front, fake, http)
            await slack.event(sorry, event_id="EvSorry", headers={"X-Slack-Retry-Num": "3"})  # a late retry
            await slack.reply("U1", thread, "Could you tell me the account email?", count=2)
    finally:
        await store.close()
    assert rows(db, "SELECT idx, trainee FROM turns ORDER BY idx") == [
        (1, "I'm sorry about the double charge."), (2, "Could you tell me the account email?")]
    assert len([c for c in fake.called("chat.postMessage", thread_ts=thread) if _customer_line(c)]) == 2


async def test_slash_commands_are_acknowledged_before_the_work_is_done(slack, monkeypatch) -> None:
    release = asyncio.Event()
    start = slack.front.handler.service.start

    @contextlib.asynccontextmanager
    async def slow_start(*args, **kwargs):
        await release.wait()  # a slow disk, say: Slack must not wait for it
        async with start(*args, **kwargs) as starting:
            yield starting

    monkeypatch.setattr(slack.front.handler.service, "start", slow_start)
    status, _ = await asyncio.wait_for(slack.command("start double-billing"), 5)
    assert status == 200 and slack.fake.called("chat.postMessage") == []  # acked, nothing done yet
    release.set()
    await slack.fake.wait_for("chat.postMessage", where=_opening)


async def test_a_proxy_error_page_instead_of_slacks_answer_still_gets_the_reply_through(slack, db) -> None:
    thread = await slack.start("double-billing")
    slack.fake.break_once("chat.postMessage")
    await slack.say("U1", thread, "I'm sorry about the double charge.")
    await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=lambda c: c.result.get("ok"))
    assert _ephemerals(slack.fake) == [] and rows(db, "SELECT count(*) FROM turns") == [(1,)]


async def test_in_the_dm_a_reply_under_any_message_is_a_turn(slack, db) -> None:
    await slack.click("hotseat.start:key-client", user="U1", home=True)
    await slack.fake.wait_for("chat.postMessage", channel="DU1", where=_opening)
    await slack.say("U1", "", "I'm sorry, I understand how frustrating that is.", channel="DU1")
    answer = await slack.fake.wait_for("chat.postMessage", channel="DU1", where=_customer_line)
    await slack.say("U1", answer.result["ts"], "Could you tell me which invoice it is?", channel="DU1")
    await slack.fake.wait_for("chat.postMessage", channel="DU1", thread_ts=answer.result["ts"], where=_customer_line)
    assert rows(db, "SELECT count(*) FROM turns") == [(2,)]


async def test_starting_again_after_going_idle_posts_the_old_debrief_first(slack, db, clock) -> None:
    old = await slack.start("double-billing")
    await slack.reply("U1", old, "I'm sorry about the double charge.")
    clock.advance(601)
    await slack.start("late-delivery")
    debrief = await slack.fake.wait_for("chat.postMessage", thread_ts=old, where=_debrief)
    assert "(it timed out)" in shown(debrief.args["blocks"])
    await slack.fake.wait_for("chat.update", ts=old)  # its buttons are gone too


async def test_bots_for_two_workspaces_share_a_database_and_sweep_only_their_own(
        service, fake, slack_env, monkeypatch, db, library, clock) -> None:
    store = await Store.open(db)
    try:
        other = HotseatService(store, library, clock=clock, idle_timeout=600)
        async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as one, \
                aiohttp.ClientSession() as http:
            monkeypatch.setenv("SLACK_BOT_TOKEN", OTHER_TEAM_TOKEN + "-1")
            async with serving(SlackFrontEnd.from_env(http=True, port=0), other) as two:
                await Slack(one, fake, http).start("double-billing", channel="C1")
                await Slack(two, fake, http).start("double-billing", channel="C2")
                clock.advance(601)
                assert await sweep(one) == 1  # its own session, not the other bot's
                assert rows(db, "SELECT channel, status FROM sessions ORDER BY channel") == [
                    ("C1", "ended"), ("C2", "active")]
                assert await sweep(two) == 1
    finally:
        await store.close()
