"""The Slack inbox (issue 13, "no lost turns"): a trainee's line is stored before Slack gets
its 200, so a crash after the ack loses nothing and a retry counts once. The real bolt app
over signed HTTP on loopback, the real service, and a real SQLite file that a fresh front
end (a restarted process, with its own connection) opens again."""

from __future__ import annotations

import asyncio
import contextlib
import time

import aiohttp
import pytest

from bot.core.service import HotseatService
from bot.frontends.slack.app import INBOX_KEEP, SlackFrontEnd
from bot.store.sqlite import InboxRow, Store
import test_slack
from test_slack import Slack, _customer_line, rows, serving

fake, slack_env = test_slack.fake, test_slack.slack_env  # the Slack tests' fixtures: the loopback fake, its settings

LINE = "Hi Dana, I'm Sam from billing. I'm so sorry you were charged twice, that must be really stressful."
TS = "1800000001.900001"


@contextlib.asynccontextmanager
async def front_end(db, service: HotseatService, fake):
    """A Slack front end in HTTP mode as a fresh process runs it: its own store on `db`."""
    store = await Store.open(db)
    own = HotseatService(store, service.library, clock=service.clock, idle_timeout=service.idle_timeout,
                         max_turns=service.max_turns)
    try:
        async with serving(SlackFrontEnd.from_env(http=True, port=0), own) as front, \
                aiohttp.ClientSession() as http:
            yield Slack(front, fake, http)
    finally:
        await store.close()


def line_event(thread: str, *, ts: str = TS, text: str = LINE) -> dict:
    return {"type": "message", "user": "U1", "text": text, "ts": ts, "thread_ts": thread, "channel": "C1",
            "channel_type": "channel", "event_ts": ts}


def answers(slack: Slack, thread: str) -> list:
    return [c for c in slack.fake.called("chat.postMessage", channel="C1", thread_ts=thread) if _customer_line(c)]


def inbox(db) -> list[tuple]:
    return rows(db, "SELECT workspace, channel, thread_ts, ts, user, text, done FROM inbox ORDER BY id")


def turns(db) -> list[tuple]:
    return rows(db, "SELECT idx, source FROM turns ORDER BY session_id, idx")


async def stays(check, seconds: float = 0.3) -> None:
    """`check()` still holds a moment later (nothing more arrives late)."""
    await asyncio.sleep(seconds)
    assert check()


def hang_forever(hung: list):
    """A stand-in that never returns, like a process that died at that point."""

    async def hang(*args, **kwargs) -> None:
        hung.append(asyncio.current_task())
        await asyncio.Event().wait()

    return hang


@contextlib.asynccontextmanager
async def crashed(hung: list):
    try:
        yield
    finally:
        for task in hung:
            task.cancel()
        await asyncio.gather(*hung, return_exceptions=True)


async def test_an_acked_line_is_stored_first_and_answered_once_after_a_crash(service, fake, slack_env, db) -> None:
    hung: list = []
    async with crashed(hung):
        async with front_end(db, service, fake) as slack:
            thread = await slack.start("double-billing")
            slack.front.handler.message = hang_forever(hung)  # the process dies before the turn
            status, _ = await slack.event(line_event(thread))
            assert status == 200
            for _ in range(100):
                if hung:
                    break
                await asyncio.sleep(0.01)
            assert hung, "the line never reached the handler"
            assert inbox(db) == [("T1", "C1", thread, TS, "U1", LINE, 0)]  # stored before it was handled
            assert turns(db) == [] and answers(slack, thread) == []
    async with front_end(db, service, fake) as slack:  # the restart
        [answer] = answers(slack, thread)  # answered while starting, before serving new events
        assert answer.args["text"].startswith("*Dana Whitfield:*")
        assert turns(db) == [(1, TS)]
        assert [r[-1] for r in inbox(db)] == [1]
        await stays(lambda: len(answers(slack, thread)) == 1)
        # and the conversation goes on
        await slack.reply("U1", thread, "That's our mistake and I'll take care of it myself.", count=2)
        assert len(turns(db)) == 2


async def test_a_slack_retry_is_stored_and_applied_once(service, fake, slack_env, db) -> None:
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
        assert (await slack.event(line_event(thread), event_id="EvLine"))[0] == 200
        await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread, where=_customer_line)
        assert (await slack.event(line_event(thread), event_id="EvLine", headers=retry))[0] == 200
        await stays(lambda: len(answers(slack, thread)) == 1)
    async with front_end(db, service, fake) as slack:  # a late retry reaches a restarted process
        retry["X-Slack-Retry-Num"] = "2"
        assert (await slack.event(line_event(thread), event_id="EvLine", headers=retry))[0] == 200
        await stays(lambda: len(answers(slack, thread)) == 1)
    assert inbox(db) == [("T1", "C1", thread, TS, "U1", LINE, 1)]
    assert turns(db) == [(1, TS)]


async def test_a_line_applied_before_the_crash_is_not_applied_again(service, fake, slack_env, db) -> None:
    hung: list = []
    async with crashed(hung):
        async with front_end(db, service, fake) as slack:
            thread = await slack.start("double-billing")
            slack.front.handler.service.store.inbox_done = hang_forever(hung)  # dies before marking it done
            await slack.event(line_event(thread))
            await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread, where=_customer_line)
            for _ in range(100):
                if hung:
                    break
                await asyncio.sleep(0.01)
            assert hung and [r[-1] for r in inbox(db)] == [0] and turns(db) == [(1, TS)]
    async with front_end(db, service, fake) as slack:
        await stays(lambda: len(answers(slack, thread)) == 1)
        assert turns(db) == [(1, TS)]
        assert [r[-1] for r in inbox(db)] == [1]  # skipped, and done with


async def test_handled_lines_are_dropped_after_a_day_pending_ones_are_not(service, fake, slack_env, db) -> None:
    now = time.time()
    store = service.store
    for ts, age, done in (("1.000001", INBOX_KEEP + 60, True), ("1.000002", 60, True),
                          ("1.000003", INBOX_KEEP + 60, False)):
        await store.inbox_put(InboxRow("T1", "C9", "1.0", ts, "U1", "hello", False, now - age))
        if done:
            await store.inbox_done("T1", "C9", ts)
    async with front_end(db, service, fake):
        kept = rows(db, "SELECT ts, done FROM inbox ORDER BY ts")
    # the old handled one is gone; the recent one stays for late retries; the old pending one was
    # handled on start (no session lives in that thread, so it stays silent) and is kept a day
    assert kept == [("1.000002", 1), ("1.000003", 1)]
    assert fake.called("chat.postMessage") == [] and fake.called("chat.postEphemeral") == []


async def test_lines_left_over_are_handled_in_the_order_they_were_sent(service, fake, slack_env, db) -> None:
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
    lines = [LINE, "That's our mistake and I'll take care of it myself."]
    for n, text in reversed(list(enumerate(lines))):  # stored out of order
        await service.store.inbox_put(InboxRow("T1", "C1", thread, f"1800000001.90000{n}", "U1", text, False,
                                               time.time()))
    async with front_end(db, service, fake) as slack:
        assert len(answers(slack, thread)) == 2
    assert turns(db) == [(1, "1800000001.900000"), (2, "1800000001.900001")]
    assert [r[-1] for r in inbox(db)] == [1, 1]


@pytest.mark.parametrize("event", [
    {"subtype": "message_changed"},  # an edit
    {"bot_id": "B2"},  # a bot
    {"thread_ts": None},  # a top-level channel message, not a reply
])
async def test_only_trainee_lines_are_kept(service, fake, slack_env, db, event) -> None:
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
        await slack.event({**line_event(thread), **event})
        await asyncio.sleep(0.2)
    assert inbox(db) == []


async def test_socket_mode_stores_the_line_before_its_ack(service, fake, slack_env, monkeypatch, db) -> None:
    """Over Socket Mode the ack goes back on the socket once bolt's dispatch returns, so the
    same middleware stores the line before it."""
    monkeypatch.delenv("SLACK_SIGNING_SECRET")
    hung: list = []
    async with crashed(hung):
        async with serving(SlackFrontEnd.from_env(), service) as front:
            front.handler.message = hang_forever(hung)
            event = {"team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": "EvS1",
                     "event": line_event("1800000000.000001")}
            await fake.send_envelope("events_api", event, "env-1")
            await fake.wait_ack("env-1")
            assert inbox(db) == [("T1", "C1", "1800000000.000001", TS, "U1", LINE, 0)]


async def test_a_line_another_worker_stored_but_never_handled_is_applied_before_the_next(
    service, fake, slack_env, db,
) -> None:
    """Two workers behind one load balancer: worker A stored line 1 and died before handling it;
    line 2 reaches worker B, which applies line 1 first, then line 2, in the order sent."""
    early, late = "1800000001.000001", "1800000002.000002"
    async with front_end(db, service, fake) as slack:  # worker B
        thread = await slack.start("double-billing")
        store = slack.front.handler.service.store
        assert await store.inbox_put(InboxRow("T1", "C1", thread, early, "U1", LINE, False, time.time()))  # A's
        status, _ = await slack.event(line_event(thread, ts=late, text="That's our mistake and I'll take care of it myself."))
        assert status == 200
        await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread, count=2, where=_customer_line)
        assert turns(db) == [(1, early), (2, late)]
        assert [r[-1] for r in inbox(db)] == [1, 1]  # both done: a restarted A finds nothing to replay
        await stays(lambda: len(answers(slack, thread)) == 2)


async def test_a_line_still_on_its_way_to_the_conversation_is_not_overtaken_by_the_next(
    service, fake, slack_env, db,
) -> None:
    """Line 1 is acked and its task is slow to reach the conversation (a loaded worker); line 2
    arrives meanwhile, finds line 1 pending and in hand in this process, and must wait for it
    rather than go first (found by the kill test under load: turn 2 held line 3)."""
    early, late = "1800000001.000001", "1800000002.000002"
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
        real, gate = slack.front.handler.message, asyncio.Event()

        async def slow_first(who, text, port, **kw):
            if kw.get("source") == early:
                await gate.wait()
            return await real(who, text, port, **kw)

        slack.front.handler.message = slow_first
        assert (await slack.event(line_event(thread, ts=early)))[0] == 200
        assert (await slack.event(line_event(thread, ts=late, text="That's our mistake and I'll fix it myself.")))[0] == 200
        await asyncio.sleep(0.3)  # line 2's task has arrived and must be waiting, not applied
        assert turns(db) == []
        gate.set()
        await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread, count=2, where=_customer_line)
        await stays(lambda: turns(db) == [(1, early), (2, late)])
        assert [r[-1] for r in inbox(db)] == [1, 1]


async def test_a_line_is_marked_done_only_once_it_has_been_applied(service, fake, slack_env, db) -> None:
    """Line 1's own listener is slow; line 2 arrives and applies line 1 first, itself slow to
    reach the conversation. Line 1's own listener must wait for that, not mark line 1 done
    while it is still unapplied: another worker draining the inbox would pass it by, and
    its later lines would overtake it (the kill test lost line order this way)."""
    early, late = "1800000001.000001", "1800000002.000002"
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
        store = slack.front.handler.service.store
        real_earlier, real_message, gate = store.inbox_earlier, slack.front.handler.message, asyncio.Event()
        gated: list[str] = []

        async def slow_lookup(row):
            if row.ts == early:
                await asyncio.sleep(0.3)  # line 1's own listener lags behind line 2's
            return await real_earlier(row)

        async def slow_first_hand_over(who, text, port, **kw):
            if kw.get("source") == early and not gated:
                gated.append(early)
                await gate.wait()
            return await real_message(who, text, port, **kw)

        store.inbox_earlier, slack.front.handler.message = slow_lookup, slow_first_hand_over
        assert (await slack.event(line_event(thread, ts=early)))[0] == 200
        assert (await slack.event(line_event(thread, ts=late, text="That's our mistake and I'll fix it myself.")))[0] == 200
        await asyncio.sleep(0.6)  # line 1's own listener has caught up and found it in hand
        assert gated and turns(db) == []
        assert [r[-1] for r in inbox(db)] == [0, 0], "nothing is done before it is applied"
        gate.set()
        await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread, count=2, where=_customer_line)
        await stays(lambda: turns(db) == [(1, early), (2, late)])
        assert [r[-1] for r in inbox(db)] == [1, 1]
