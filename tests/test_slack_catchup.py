"""Catch-up after downtime on Slack (issue 13): on start, each active session's thread is read
with conversations.replies after the last applied message, and the trainee's lines Slack never
delivered (the bot was down) are answered in the order they were sent. The real bolt app over
HTTP on loopback, the loopback fake holding the thread, and a real SQLite file reopened by a
fresh front end, as a restarted process would."""

from __future__ import annotations

import test_slack
from test_slack import _customer_line, rows, shown
from test_slack_inbox import LINE, TS, answers, front_end, inbox, line_event, stays, turns

fake, slack_env = test_slack.fake, test_slack.slack_env  # the Slack tests' fixtures: the loopback fake, its settings

FIRST = "I'm so sorry about the double charge, that must be really stressful."
SECOND = "That's our mistake and I'll refund the extra charge myself today."
DOWN_1, DOWN_2 = "1800000030.000100", "1800000040.000200"  # sent while the bot was down


async def test_two_lines_sent_while_down_are_answered_in_order_on_restart(service, fake, slack_env, db) -> None:
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
    fake.hold("C1", thread, "U1", SECOND, DOWN_2)  # Slack keeps them; nobody received the events
    fake.hold("C1", thread, "U1", FIRST, DOWN_1)
    service.clock.advance(60)
    async with front_end(db, service, fake) as slack:  # the restart: caught up before serving
        first, second = answers(slack, thread)
        assert first.args["text"].startswith("*Dana Whitfield:*")
        assert fake.calls.index(first) < fake.calls.index(second)
        assert turns(db) == [(1, DOWN_1), (2, DOWN_2)]
        assert [r[0] for r in _rows_trainee(db)] == [FIRST, SECOND]
        [read] = fake.called("conversations.replies")
        assert read.args["channel"] == "C1" and read.args["ts"] == thread and "oldest" not in read.args
        await stays(lambda: len(answers(slack, thread)) == 2)
        # and the conversation goes on live
        await slack.reply("U1", thread, "Is there anything else I can help with?", count=3)
        assert len(turns(db)) == 3


async def test_a_line_applied_before_the_downtime_is_not_applied_again(service, fake, slack_env, db) -> None:
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
        fake.hold("C1", thread, "U1", LINE, TS)  # delivered live, and kept in the thread
        await slack.event(line_event(thread))
        await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread, where=_customer_line)
    fake.hold("C1", thread, "U1", SECOND, "1800000002.000300")
    async with front_end(db, service, fake) as slack:
        [read] = fake.called("conversations.replies")
        assert read.args["oldest"] == TS and read.args["inclusive"] in ("0", "false", 0, False)
        assert turns(db) == [(1, TS), (2, "1800000002.000300")]
        await stays(lambda: len(answers(slack, thread)) == 2)
    async with front_end(db, service, fake) as slack:  # a second restart reads nothing new
        await stays(lambda: len(answers(slack, thread)) == 2)
    assert turns(db) == [(1, TS), (2, "1800000002.000300")]


async def test_a_hint_asked_before_the_downtime_is_not_asked_again(service, fake, slack_env, db) -> None:
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
        fake.hold("C1", thread, "U1", "hint", "1800000001.500000")  # leaves no turn to start reading after
        await slack.event(line_event(thread, ts="1800000001.500000", text="hint"))
        await fake.wait_for("chat.postEphemeral", user="U1", where=_hint)
    async with front_end(db, service, fake) as slack:
        await stays(lambda: len([c for c in fake.called("chat.postEphemeral", user="U1") if _hint(c)]) == 1)
    assert turns(db) == []


async def test_another_users_line_in_the_thread_is_ignored(service, fake, slack_env, db) -> None:
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
    fake.hold("C1", thread, "U9", "Let me handle this one for you!", DOWN_1)
    fake.hold("C1", thread, "U1", FIRST, DOWN_2)
    async with front_end(db, service, fake) as slack:
        assert turns(db) == [(1, DOWN_2)]
        await stays(lambda: len(answers(slack, thread)) == 1)
        assert not fake.called("chat.postEphemeral", user="U9")  # not even the intruder's note
    assert [r[3] for r in inbox(db)] == [DOWN_2]


async def test_a_line_older_than_the_idle_timeout_is_skipped_with_a_note(service, fake, slack_env, db) -> None:
    async with front_end(db, service, fake) as slack:
        thread = await slack.start("double-billing")
    fake.hold("C1", thread, "U1", FIRST, DOWN_1)
    service.clock.advance(30 + service.idle_timeout + 60)  # the line is past the limit now
    async with front_end(db, service, fake) as slack:
        note = await fake.wait_for("chat.postEphemeral", user="U1")
        assert note.args["channel"] == "C1" and note.args["thread_ts"] == thread
        assert "Hotseat was offline; your message from" in shown(note.args) and "was not applied" in note.args["text"]
        assert "<!date^1800000030^{time}|" in note.args["text"]
        assert turns(db) == [] and answers(slack, thread) == []
    async with front_end(db, service, fake) as slack:  # told once, not at every start
        await stays(lambda: len(fake.called("chat.postEphemeral", user="U1")) == 1)
    assert turns(db) == []


def _hint(call) -> bool:
    return str(call.args.get("text", "")).startswith(":bulb:")


def _rows_trainee(db) -> list[tuple]:
    return rows(db, "SELECT trainee FROM turns ORDER BY session_id, idx")
