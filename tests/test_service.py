"""The service front ends call: one conversation per trainee per channel, every message
applied once and in order, state that survives restarts, and kind errors for bad input."""

from __future__ import annotations

import asyncio

import pytest

import bot.core.service as service_mod
from bot.core import engine
from bot.core.progress import Progress
from bot.frontends.panels import history_panel
from bot.classifier import classify
from bot.core.engine import Conversation
from bot.core.errors import AlreadyApplied, AlreadyPractising, BadMessage, NoActiveSession, NotYourSession, UnknownPersona
from bot.core.events import ALREADY_ENDED, TIMED_OUT, Ended, Note
from bot.persona.library import Library
from bot.core.records import Turn
from bot.core.service import HotseatService, Who
from bot.store.sqlite import Store
from conftest import WRAP_UP, begin, ended, finish, goodbyes, hinted, noted, only, opened, said

# Good handling of double-billing up to Dana's acceptance; the conversation then waits for
# the trainee's wrap-up (conftest's `finish`) and ends on her goodbye.
GOOD_RUN = [
    "Hi Dana, I'm Sam from billing. I'm so sorry you were charged twice, that must be really stressful.",
    "That's our mistake and I'll take care of it myself.",
    "I've refunded the duplicate $17.99 just now; you'll see it back on your card within 3 to 5 business days.",
]


async def test_a_whole_conversation_is_played_scored_and_stored(service: HotseatService, who: Who) -> None:
    events = await begin(service, who, "double-billing", seed=1)
    opening = opened(events)
    assert events == (opening,)  # nothing ended before it
    assert opening.customer and opening.persona.id == "double-billing" and opening.who == who
    replies = [await service.reply(who, text) for text in GOOD_RUN]
    assert said(replies[0]).labels and "apology" in said(replies[0]).labels
    assert [ended(r) for r in replies] == [None, None, None]  # her acceptance no longer ends it
    accepted = said(replies[-1])
    assert accepted.state == "resolved" and accepted.customer not in goodbyes(accepted.persona)
    assert (await service.current(who)).session_id == opening.session_id  # still open for the wrap-up
    replies.append(await finish(service, who))  # her goodbye, then the ending
    last = ended(replies[-1])
    assert last is not None and last.outcome == "resolved" and last.cause == "reply"
    assert replies[-1] == (said(replies[-1]), last)  # the customer's answer, then the debrief
    assert last.debrief.score >= 60
    stored = await service.store.get_session(opening.session_id)
    assert stored.status == "ended" and stored.outcome == "resolved" and stored.score == last.debrief.score
    turns = await service.store.turns(opening.session_id)
    assert [t.trainee for t in turns] == [*GOOD_RUN, WRAP_UP]
    with pytest.raises(NoActiveSession):
        await service.reply(who, "hello?")


async def test_one_active_session_per_trainee_per_channel(service: HotseatService, who: Who) -> None:
    await begin(service, who, "double-billing")
    with pytest.raises(AlreadyPractising, match="Dana Whitfield"):
        await begin(service, who, "double-billing")
    await begin(service, Who("T1", "C2", "U1", "Ana"), "double-billing")  # another channel is fine
    await begin(service, Who("T1", "C1", "U2", "Ben"), "double-billing")  # another trainee too


async def test_two_messages_at_once_are_both_applied_in_order(service: HotseatService, who: Who) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=2))
    texts = [f"Could you tell me more about charge number {i}?" for i in range(8)]
    replies = await asyncio.gather(*(service.reply(who, t) for t in texts))
    assert [said(r).turn.index for r in replies] == list(range(1, 9))
    turns = await service.store.turns(opening.session_id)
    assert [t.trainee for t in turns] == texts


async def test_many_trainees_at_once_do_not_mix(service: HotseatService) -> None:
    people = [Who("T1", "C1", f"U{i}", f"user{i}") for i in range(20)]
    openings = await asyncio.gather(*(begin(service, w, "double-billing", seed=i) for i, w in enumerate(people)))
    for round_ in range(3):
        await asyncio.gather(*(service.reply(w, f"{w.user} message {round_}") for w in people))
    for w, o in zip(people, openings):
        turns = await service.store.turns(opened(o).session_id)
        assert [t.trainee for t in turns] == [f"{w.user} message {r}" for r in range(3)]


@pytest.mark.parametrize(
    "text, needle",
    [("", "empty"), ("   \n\t ", "empty"), ("\x00\x01\x7f", "empty"), ("x" * 100_000, "characters long")],
)
async def test_bad_messages_get_a_clear_error_and_change_nothing(service, who, text, needle) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=3))
    with pytest.raises(BadMessage, match=needle):
        await service.reply(who, text)
    assert await service.store.turns(opening.session_id) == []
    reply = await service.reply(who, "I'm sorry about this.")
    assert said(reply).turn.index == 1


async def test_odd_unicode_is_kept_and_answered(service, who) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=3))
    text = "I'm so sorry 🙏 — ça m'énerve aussi. 我明白 \u202e"
    reply = await service.reply(who, text)
    assert said(reply).customer
    (turn,) = await service.store.turns(opening.session_id)
    assert "🙏" in turn.trainee and "我明白" in turn.trainee and "\u202e" not in turn.trainee


async def test_unknown_persona_suggests_real_ones(service, who) -> None:
    with pytest.raises(UnknownPersona, match="double-billing"):
        await begin(service, who, "no-such-customer")


async def test_a_session_survives_a_restart_and_resumes_where_it_was(db, library, clock, who) -> None:
    store = await Store.open(db)
    first = HotseatService(store, library, clock=clock)
    opening = opened(await begin(first, who, "double-billing", seed=9))
    r1 = said(await first.reply(who, GOOD_RUN[0]))
    await store.close()

    store = await Store.open(db)
    second = HotseatService(store, library, clock=clock)
    view = await second.current(who)
    assert view is not None and view.session_id == opening.session_id
    assert (view.state, view.mood, view.turns, view.last_customer) == (r1.state, r1.mood, 1, r1.customer)
    r2 = said(await second.reply(who, GOOD_RUN[1]))
    assert r2.turn.index == 2
    await store.close()

    # the same conversation played without a restart says the same things
    store = await Store.open(db.with_name("other.sqlite3"))
    uninterrupted = HotseatService(store, library, clock=clock)
    await begin(uninterrupted, who, "double-billing", seed=9)
    u1 = said(await uninterrupted.reply(who, GOOD_RUN[0]))
    u2 = said(await uninterrupted.reply(who, GOOD_RUN[1]))
    assert (u1.customer, u2.customer) == (r1.customer, r2.customer)
    await store.close()


async def test_hints_are_recorded_and_cost_points(db, library, clock) -> None:
    scores = []
    for n_hints, channel in ((0, "A"), (3, "B")):
        store = await Store.open(db.with_name(f"{channel}.sqlite3"))
        service = HotseatService(store, library, clock=clock)
        w = Who("T1", channel, "U1", "Ana")
        await begin(service, w, "double-billing", seed=4)
        for n in range(n_hints):
            hint = hinted(await service.hint(w))
            assert len(hint.text) > 20 and hint.hints_used == n + 1
        for text in GOOD_RUN:
            reply = await service.reply(w, text)
        assert ended(reply) is None  # accepted, waiting for the wrap-up
        reply = await finish(service, w)
        ending = ended(reply)
        scores.append(ending.debrief.score)
        assert ending.debrief.hints_used == n_hints
        assert len(await store.hints(said(reply).session_id)) == n_hints
        await store.close()
    assert scores[1] < scores[0]


async def test_hint_uses_the_persona_tip_for_the_state(service, who) -> None:
    await begin(service, who, "double-billing", seed=1)
    events = await service.hint(who)
    assert events == (hinted(events),)
    assert "acknowledge" in hinted(events).text.lower()


async def test_ending_early_gives_a_debrief(service, who) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=5))
    await service.reply(who, GOOD_RUN[0])
    events = await service.end(who)
    ending = ended(events)
    assert events == (ending,) and ending.cause == "end"
    assert ending.outcome == "unfinished" and ending.end_reason == "ended"
    assert ending.debrief.turns == 1
    assert await service.store.debrief(opening.session_id) == ending.debrief.to_dict()
    with pytest.raises(NoActiveSession):
        await service.end(who)


async def test_an_idle_session_times_out(service, who, clock) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=5))
    await service.reply(who, "Hello")
    clock.advance(601)
    events = await service.reply(who, "sorry, I was away")
    note, ending = events  # why first, then the debrief
    assert note == noted(events) and note.why == TIMED_OUT and "idle" in note.text
    assert ending == ended(events) and ending.cause == "timeout"
    assert ending.end_reason == "timed_out" and ending.outcome == "unfinished"
    assert ending.session_id == opening.session_id and ending.debrief.turns == 1
    assert len(await service.store.turns(opening.session_id)) == 1  # the late message was not applied
    assert only(await begin(service, who, "double-billing"), Ended) == []  # and a new one can begin


async def test_a_hint_for_an_idle_session_times_it_out(service, who, clock) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=5))
    await service.reply(who, "Hello")
    clock.advance(601)
    note, ending = await service.hint(who)
    assert isinstance(note, Note) and note.why == TIMED_OUT
    assert isinstance(ending, Ended) and (ending.session_id, ending.cause, ending.end_reason) == (
        opening.session_id, "timeout", "timed_out")
    assert await service.store.hints(opening.session_id) == []  # no hint was given
    assert await service.current(who) is None


async def test_sweep_ends_idle_sessions_only(service, clock) -> None:
    idle, busy = Who("T1", "C1", "U1"), Who("T1", "C1", "U2")
    opening = opened(await begin(service, idle, "double-billing", thread="C1/100.1"))
    clock.advance(400)
    await begin(service, busy, "double-billing")
    clock.advance(300)
    endings = await service.sweep_idle()
    assert [e.user for e in endings] == ["U1"]
    assert all(isinstance(e, Ended) and e.cause == "sweep" for e in endings)
    # a front end can post the debrief where the conversation lived
    assert (endings[0].workspace, endings[0].channel, endings[0].thread) == ("T1", "C1", "C1/100.1")
    assert endings[0].session_id == opening.session_id
    assert await service.current(busy) is not None


async def test_the_turn_cap_ends_a_conversation(db, library, clock, who) -> None:
    store = await Store.open(db)
    service = HotseatService(store, library, clock=clock, max_turns=3)
    await begin(service, who, "double-billing", seed=1)
    replies = [await service.reply(who, "Could you tell me the account email?") for _ in range(3)]
    last = ended(replies[-1])
    assert last is not None and last.end_reason == "turn_cap" and last.cause == "reply"
    await store.close()


async def test_the_turn_cap_on_the_acceptance_keeps_the_resolution(db, library, clock, who) -> None:
    store = await Store.open(db)
    service = HotseatService(store, library, clock=clock, max_turns=len(GOOD_RUN))
    opening = opened(await begin(service, who, "double-billing", seed=1))
    replies = [await service.reply(who, text) for text in GOOD_RUN]
    last = ended(replies[-1])  # no turn left for the wrap-up, but she accepted
    assert said(replies[-1]).state == "resolved"
    assert last is not None and (last.outcome, last.end_reason, last.cause) == ("resolved", "turn_cap", "reply")
    assert (await store.get_session(opening.session_id)).outcome == "resolved"
    await store.close()


async def test_only_the_trainee_who_started_plays_in_a_thread(service, who) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=1, thread="thread-1"))
    intruder = Who("T1", "C1", "U9", "Mallory")
    with pytest.raises(NotYourSession):
        await service.reply(intruder, "Calm down, it's not a big deal", thread="thread-1")
    assert await service.store.turns(opening.session_id) == []
    reply = await service.reply(who, "I'm sorry about this", thread="thread-1")
    assert said(reply).turn.index == 1
    with pytest.raises(NoActiveSession):
        await service.reply(who, "hi", thread="some-other-thread")


async def test_history_and_leaderboard(service, clock) -> None:
    ana, ben = Who("T1", "C1", "U1", "Ana"), Who("T1", "C1", "U2", "Ben")
    for _ in range(3):
        await begin(service, ana, "double-billing", seed=1)
        for text in GOOD_RUN:
            await service.reply(ana, text)
        await finish(service, ana)
        await begin(service, ben, "double-billing", seed=1)
        reply = await service.reply(ben, "Calm down, you must have clicked twice.")
        if ended(reply) is None:
            assert ended(await service.end(ben)) is not None
    progress = Progress.for_service(service)
    board = await progress.leaderboard("T1", "week")
    assert [r.name for r in board.rows] == ["Ana", "Ben"]
    assert board.rows[0].average > board.rows[1].average
    assert (await progress.leaderboard("OTHER", "all")).rows == ()
    clock.advance(8 * 86400)
    assert (await progress.leaderboard("T1", "week")).rows == ()
    assert len((await progress.leaderboard("T1", "month", "double-billing")).rows) == 2
    past = await service.history("T1", "U1")
    assert len(past) == 3 and all(p.outcome == "resolved" and p.persona_name == "Dana Whitfield" for p in past)


class OpeningNotShown(Exception):
    """The front end could not show the opening (the platform refused the message)."""


async def test_an_opening_that_could_not_be_shown_leaves_no_trace(service, who) -> None:
    with pytest.raises(OpeningNotShown):  # the front end's failure is its own, not swallowed
        async with service.start(who, "double-billing", seed=1) as starting:
            await starting.at("C1/1.0")
            raise OpeningNotShown
    assert await service.store.get_session(starting.session_id) is None
    assert await service.history(who.workspace, who.user) == []
    assert await service.current(who) is None
    with pytest.raises(NoActiveSession):  # its thread is no conversation's any more
        await service.reply(who, "I'm so sorry about the double charge.", thread="C1/1.0")
    with pytest.raises(NoActiveSession):
        await service.locate(who)
    events = await begin(service, who, "double-billing", seed=1)  # the slot is free at once
    again = opened(events)
    assert events == (again,)  # and nothing was ended to make room
    await service.reply(who, "I'm so sorry about the double charge.")
    assert ended(await service.end(who)) is not None  # a played session is history and stays
    assert [s.session_id for s in await service.history(who.workspace, who.user)] == [again.session_id]


async def test_a_message_waiting_on_an_opening_that_failed_is_not_applied(service, who) -> None:
    """A trainee's first line can arrive while the opening is still being shown; if showing
    it fails, that line finds no conversation rather than one that was discarded."""
    with pytest.raises(OpeningNotShown):
        async with service.start(who, "double-billing", seed=1) as starting:
            await starting.at("C1/1.0")
            early = asyncio.create_task(service.reply(who, "Hello?", thread="C1/1.0"))
            await asyncio.sleep(0.05)
            assert not early.done()  # it waits for the opening
            raise OpeningNotShown
    with pytest.raises(NoActiveSession):
        await early
    assert await service.store.get_session(starting.session_id) is None


async def test_an_intruder_hears_nothing_about_their_message_only_that_it_is_not_theirs(service, who) -> None:
    await begin(service, who, "double-billing", seed=1, thread="C1/1.0")
    intruder = Who(who.workspace, who.channel, "U2", "Bo")
    with pytest.raises(NotYourSession):
        await service.reply(intruder, "   ", thread="C1/1.0")  # empty, but that is not the point
    with pytest.raises(NoActiveSession):
        await service.reply(who, "x" * 50_000, thread="C9/9.9")  # not a practice thread: not ours to judge


async def test_the_idle_sweep_takes_only_its_own_platforms_sessions(db, library, clock) -> None:
    store = await Store.open(db)
    try:
        slack = HotseatService(store, library, clock=clock, idle_timeout=600, platform="slack")
        discord = HotseatService(store, library, clock=clock, idle_timeout=600, platform="discord")
        await begin(slack, Who("T1", "C1", "U1"), "double-billing", thread="C1/1.0")
        await begin(discord, Who("900", "901", "902"), "double-billing", thread="903")
        clock.advance(601)
        assert [e.thread for e in await slack.sweep_idle()] == ["C1/1.0"]  # not the Discord one
        assert [e.thread for e in await discord.sweep_idle()] == ["903"]
    finally:
        await store.close()


async def test_a_session_whose_persona_vanished_never_blocks_the_sweep_or_a_new_start(db, library, clock) -> None:
    store = await Store.open(db)
    try:
        before = HotseatService(store, library, clock=clock, idle_timeout=600)
        stuck, idle = Who("T1", "C1", "U1"), Who("T1", "C1", "U2")
        await begin(before, stuck, "double-billing")
        await begin(before, idle, "late-delivery")
        clock.advance(601)
        busy = Who("T1", "C2", "U1")
        await begin(before, busy, "double-billing")  # not idle: only a new start can free it
        trimmed = Library(personas={k: v for k, v in library.personas.items() if k != "double-billing"})
        after = HotseatService(store, trimmed, clock=clock, idle_timeout=600)  # a trainer removed the file
        assert [e.user for e in await after.sweep_idle()] == ["U2"]  # the other idle session still ends
        assert (await store.find_active("T1", "C1", "U1")) is None  # closed, unscored
        assert opened(await begin(after, stuck, "late-delivery")).persona.id == "late-delivery"
        assert opened(await begin(after, busy, "late-delivery")).persona.id == "late-delivery"
        shown = history_panel(await after.history("T1", "U1"))
        assert sorted(row[3] for row in shown.table[1:]) == ["-", "-", "live", "live"]  # unscored, in progress
        assert shown.buttons == ()  # no debrief to offer for either
    finally:
        await store.close()


async def test_starting_over_an_idle_session_hands_back_its_debrief_first(service, who, clock) -> None:
    first = opened(await begin(service, who, "double-billing", thread="C1/1.0"))
    await service.reply(who, "I'm sorry about the double charge.")
    clock.advance(601)
    async with service.start(who, "late-delivery") as starting:
        previous, opening = starting.events  # the old conversation's debrief, then the new one
        assert opening is starting.opened and opening.persona.id == "late-delivery"
    assert isinstance(previous, Ended) and previous.session_id == first.session_id
    assert previous.cause == "start_over" and previous.debrief.turns == 1
    assert previous.end_reason == "timed_out" and previous.thread == "C1/1.0"
    assert (await service.store.get_session(first.session_id)).status == "ended"
    assert only(await begin(service, Who("T1", "C2", "U1"), "late-delivery"), Ended) == []


async def test_a_live_session_is_not_ended_by_a_new_start(service, who, clock) -> None:
    first = opened(await begin(service, who, "double-billing"))
    clock.advance(599)
    with pytest.raises(AlreadyPractising):
        await begin(service, who, "late-delivery")
    assert (await service.current(who)).session_id == first.session_id


async def test_a_message_delivered_again_counts_once_even_after_a_restart(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        service = HotseatService(store, library, clock=clock)
        await begin(service, who, "double-billing", seed=1, thread="C1/1.0")
        await service.reply(who, "I'm so sorry about the charge.", thread="C1/1.0", source="1.1")
        with pytest.raises(AlreadyApplied):
            await service.reply(who, "I'm so sorry about the charge.", thread="C1/1.0", source="1.1")
        restarted = HotseatService(store, library, clock=clock)  # nothing in memory
        with pytest.raises(AlreadyApplied):
            await restarted.reply(who, "I'm so sorry about the charge.", thread="C1/1.0", source="1.1")
        await restarted.reply(who, "Could you tell me the account email?", thread="C1/1.0", source="1.2")
        assert [t.trainee for t in await store.turns(1)] == [
            "I'm so sorry about the charge.", "Could you tell me the account email?"]
    finally:
        await store.close()


async def test_two_processes_racing_on_one_message_apply_it_once(db, library, clock, who) -> None:
    first, second = await Store.open(db), await Store.open(db)
    try:
        a = HotseatService(first, library, clock=clock)
        b = HotseatService(second, library, clock=clock)
        await begin(a, who, "double-billing", seed=1, thread="C1/1.0")
        results = await asyncio.gather(
            a.reply(who, "I'm so sorry.", thread="C1/1.0", source="1.1"),
            b.reply(who, "I'm so sorry.", thread="C1/1.0", source="1.1"),
            return_exceptions=True,
        )
        refused = [r for r in results if isinstance(r, BaseException)]
        answered = [r for r in results if not isinstance(r, BaseException)]
        assert [type(r) for r in refused] == [AlreadyApplied], results
        assert len(answered) == 1 and said(answered[0]).turn.index == 1
        assert len(await first.turns(1)) == 1
    finally:
        await first.close()
        await second.close()


async def test_another_persona_is_never_the_one_just_played(service, who) -> None:
    for seed in range(20):
        opening = opened(await begin(service, who, seed=seed, avoid="double-billing"))
        assert opening.persona.id != "double-billing"
        await service.end(who)  # free the slot for the next start


# ------------------------------------------------------------ ending with nothing played


async def test_dropping_an_unplayed_session_leaves_no_trace(service, who) -> None:
    """What the console does when a trainee declines to resume one they only opened."""
    opening = opened(await begin(service, who, "double-billing", seed=1, thread="C1/1.0"))
    assert await service.drop(who)
    assert await service.store.get_session(opening.session_id) is None
    assert await service.history(who.workspace, who.user) == []
    board = await Progress.for_service(service).leaderboard(who.workspace, "all", viewer=who.user)
    assert board.rows == () and board.below_minimum == () and board.viewer.sessions == 0
    assert await service.current(who) is None
    with pytest.raises(NoActiveSession):
        await service.end(who)
    with pytest.raises(NoActiveSession):  # its thread is no conversation's any more
        await service.reply(who, "Hello?", thread="C1/1.0")
    assert only(await begin(service, who, "double-billing"), Ended) == []  # free at once, nothing owed


async def test_a_played_session_is_never_dropped(service, who) -> None:
    opened(await begin(service, who, "double-billing", seed=1))
    hinted(await service.hint(who))
    assert not await service.drop(who)  # a hint counts: it is history, to be ended and scored
    assert ended(await service.end(who)).debrief.hints_used == 1
    assert not await service.drop(who)  # nothing live here any more


async def test_ending_with_nothing_played_still_gives_a_debrief(service, who) -> None:
    """In chat the Ended closes the thread and its buttons, so `end` always scores."""
    opened(await begin(service, who, "double-billing", seed=1, thread="C1/1.0"))
    ending = ended(await service.end(who, thread="C1/1.0"))
    assert ending.debrief.turns == 0 and ending.thread == "C1/1.0"


async def test_ending_after_only_a_hint_is_scored_and_kept(service, who) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=1))
    hinted(await service.hint(who))
    events = await service.end(who)
    ending = ended(events)
    assert events == (ending,) and ending.cause == "end" and ending.session_id == opening.session_id
    assert (ending.debrief.turns, ending.debrief.hints_used) == (0, 1)
    assert ending.end_reason == "ended" and ending.outcome == "unfinished"
    stored = await service.store.get_session(opening.session_id)
    assert stored.status == "ended" and stored.score == ending.debrief.score
    assert [(p.session_id, p.score) for p in await service.history(who.workspace, who.user)] == [
        (opening.session_id, ending.debrief.score)]


async def test_ending_after_a_turn_is_scored_and_kept(service, who) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=1))
    await service.reply(who, GOOD_RUN[0])
    ending = ended(await service.end(who))
    assert ending is not None and ending.cause == "end" and ending.debrief.turns == 1
    assert [(p.session_id, p.score) for p in await service.history(who.workspace, who.user)] == [
        (opening.session_id, ending.debrief.score)]


# ------------------------------------------------------------ which session a message is for


async def test_locate_names_the_session_a_message_is_for(service, who) -> None:
    with pytest.raises(NoActiveSession):
        await service.locate(who)
    opening = opened(await begin(service, who, "double-billing", seed=1, thread="C1/1.0"))
    other = opened(await begin(service, Who("T1", "C2", "U1", "Ana"), "double-billing", seed=1))
    assert await service.locate(who) == opening.session_id
    assert await service.locate(who, "C1/1.0") == opening.session_id
    assert await service.locate(Who("T1", "C2", "U1", "Ana")) == other.session_id  # per channel
    # a message in the thread is for its session, whoever wrote it (the reply then refuses it)
    assert await service.locate(Who("T1", "C1", "U9", "Mallory"), "C1/1.0") == opening.session_id
    with pytest.raises(NoActiveSession):
        await service.locate(who, "C9/9.9")  # not a practice thread
    with pytest.raises(NoActiveSession):
        await service.locate(Who("T1", "C1", "U9", "Mallory"))  # no session of theirs here
    assert await service.store.turns(opening.session_id) == []  # locating changes nothing
    assert (await service.current(who)).session_id == opening.session_id


async def test_locate_still_finds_a_session_that_just_ended(service, who) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=1, thread="C1/1.0"))
    for text in GOOD_RUN:
        await service.reply(who, text, thread="C1/1.0")
    last = await finish(service, who, thread="C1/1.0")
    assert ended(last) is not None
    assert await service.locate(who) == opening.session_id
    assert await service.locate(who, "C1/1.0") == opening.session_id


async def test_locate_finds_a_stranded_session_for_the_message_that_gets_its_debrief(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        sid = await strand(store, library, clock, who, thread="C1/1.0")
        fresh = HotseatService(store, library, clock=clock, idle_timeout=600)
        assert await fresh.locate(who, "C1/1.0") == sid
        note, ending = await fresh.reply(who, "Hello?", thread="C1/1.0")  # the debrief is still owed
        assert note.why == ALREADY_ENDED and ending.session_id == sid
    finally:
        await store.close()


# ------------------------------------------- a crash between the final turn and the ending


async def strand(store, library, clock, who, texts=(*GOOD_RUN, WRAP_UP), *, thread=None, max_turns=30) -> int:
    """Leave a session as a kill between the final turn and the ending left it before the
    two were one transaction: the last turn saved, the conversation over, the session open.
    Databases written then still hold such sessions."""
    service = HotseatService(store, library, clock=clock, idle_timeout=600, max_turns=max_turns)
    opening = opened(await begin(service, who, "double-billing", seed=1, thread=thread))
    for i, text in enumerate(texts[:-1]):
        await service.reply(who, text, thread=thread, source=f"m{i}")
    sid = opening.session_id
    conv = Conversation.from_dict((await store.get_session(sid)).engine)
    text = texts[-1]
    detections = tuple(classify(text))
    step = engine.step(opening.persona, conv, frozenset(d.label for d in detections), text)
    conv = step.conversation
    turn = Turn(conv.turn, text, detections, step.customer, step.state, step.mood)
    await store.record_turn(sid, turn, conv.to_dict(), clock(), f"m{len(texts) - 1}")
    return sid


async def test_a_restart_during_the_wrap_up_resumes_it_and_the_goodbye_ends_it(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        first = HotseatService(store, library, clock=clock, idle_timeout=600)
        opening = opened(await begin(first, who, "double-billing", seed=1, thread="C1/1.0"))
        for i, text in enumerate(GOOD_RUN):
            assert ended(await first.reply(who, text, thread="C1/1.0", source=f"m{i}")) is None
        fresh = HotseatService(store, library, clock=clock, idle_timeout=600)
        assert (await fresh.current(who)).session_id == opening.session_id  # accepted, not over
        assert await fresh.sweep_idle() == []
        ending = ended(await finish(fresh, who, thread="C1/1.0", source="m3"))
        assert ending.session_id == opening.session_id
    finally:
        await store.close()


@pytest.mark.parametrize("thread", [None, "C1/1.0"])
async def test_a_stranded_session_answers_a_message_with_its_debrief(db, library, clock, who, thread) -> None:
    store = await Store.open(db)
    try:
        sid = await strand(store, library, clock, who, thread=thread)
        fresh = HotseatService(store, library, clock=clock, idle_timeout=600)
        events = await fresh.reply(who, "Hello? Are you still there?", thread=thread, source="m9")
        note, ending = events  # the family front ends answer with the note, then the debrief
        assert isinstance(note, Note) and note.why == ALREADY_ENDED and "already ended" in note.text
        assert isinstance(ending, Ended) and ending.cause == "restart"
        assert (ending.session_id, ending.outcome, ending.end_reason) == (sid, "resolved", "terminal")
        assert ending.thread == thread and ending.who == who
        stored = await store.get_session(sid)
        assert (stored.status, stored.outcome, stored.score) == ("ended", "resolved", ending.debrief.score)
        assert await store.debrief(sid) == ending.debrief.to_dict()
        assert len(await store.turns(sid)) == 4  # the late message was not applied
        with pytest.raises(NoActiveSession):  # handed out once, not on every later message
            await fresh.reply(who, "Hello?", thread=thread, source="m10")
    finally:
        await store.close()


async def test_a_stranded_session_never_blocks_a_new_start_and_its_debrief_comes_first(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        sid = await strand(store, library, clock, who, thread="C1/1.0")
        fresh = HotseatService(store, library, clock=clock, idle_timeout=600)
        assert await fresh.current(who) is None  # over: nothing to resume
        events = await begin(fresh, who, "late-delivery")
        previous, opening = events
        assert isinstance(previous, Ended) and (previous.session_id, previous.outcome) == (sid, "resolved")
        assert previous.thread == "C1/1.0" and previous.cause == "restart"
        assert opening == opened(events) and opening.persona.id == "late-delivery"
    finally:
        await store.close()


async def test_ending_a_stranded_session_keeps_its_outcome(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        sid = await strand(store, library, clock, who)
        events = await HotseatService(store, library, clock=clock).end(who)
        ending = ended(events)
        assert events == (ending,)
        assert (ending.session_id, ending.outcome, ending.end_reason) == (sid, "resolved", "terminal")
        assert (await store.get_session(sid)).outcome == "resolved"
    finally:
        await store.close()


@pytest.mark.parametrize("idle", [False, True])
async def test_the_sweep_delivers_a_stranded_session_as_it_ended(db, library, clock, who, idle) -> None:
    store = await Store.open(db)
    try:
        sid = await strand(store, library, clock, who, thread="C1/1.0")
        if idle:
            clock.advance(601)
        fresh = HotseatService(store, library, clock=clock, idle_timeout=600)
        endings = await fresh.sweep_idle()  # idle or not: it is over, so its debrief goes out now
        assert [(e.session_id, e.outcome, e.end_reason, e.thread, e.cause) for e in endings] == [
            (sid, "resolved", "terminal", "C1/1.0", "restart")]
        clock.advance(601)
        assert await fresh.sweep_idle() == []
        with pytest.raises(NoActiveSession):  # the sweep delivered it: a later message is not answered twice
            await fresh.reply(who, "Hello?", thread="C1/1.0")
    finally:
        await store.close()


async def test_a_session_stranded_at_the_turn_cap_ends_as_capped(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        texts = ["Could you tell me the account email?"] * 3
        sid = await strand(store, library, clock, who, texts, max_turns=3)
        fresh = HotseatService(store, library, clock=clock, max_turns=3)
        note, ending = await fresh.reply(who, "And the card number?")
        assert isinstance(note, Note) and note.why == ALREADY_ENDED
        assert isinstance(ending, Ended) and (ending.session_id, ending.outcome, ending.end_reason) == (
            sid, "unfinished", "turn_cap")
    finally:
        await store.close()


async def test_a_final_message_whose_ending_failed_can_simply_be_sent_again(service, who, monkeypatch) -> None:
    opening = opened(await begin(service, who, "double-billing", seed=1))
    for i, text in enumerate(GOOD_RUN):
        await service.reply(who, text, source=f"m{i}")  # accepted: the wrap-up is the final message

    def dies(transcript):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(service_mod, "score", dies)
    with pytest.raises(RuntimeError):
        await service.reply(who, WRAP_UP, source="m3")
    assert len(await service.store.turns(opening.session_id)) == 3  # nothing half done
    assert (await service.store.get_session(opening.session_id)).status == "active"
    monkeypatch.undo()
    reply = await finish(service, who, source="m3")  # the platform delivers it again
    assert ended(reply) is not None and ended(reply).outcome == "resolved"


@pytest.mark.parametrize("thread", [None, "C1/1.0"])
async def test_a_late_message_after_an_ending_another_process_made_gets_the_debrief(
    db, library, clock, who, thread
) -> None:
    store = await Store.open(db)
    try:
        first = HotseatService(store, library, clock=clock)
        await begin(first, who, "double-billing", seed=1, thread=thread)
        for i, text in enumerate(GOOD_RUN):
            await first.reply(who, text, thread=thread, source=f"m{i}")
        last = await finish(first, who, thread=thread, source="m3")
        last_ending = ended(last)
        assert last_ending is not None
        with pytest.raises(NoActiveSession):  # this process handed its debrief out: not again
            await first.reply(who, "Thanks!", thread=thread, source="m4")
        # the process died before the front end posted that last reply and its debrief
        clock.advance(5)
        fresh = HotseatService(store, library, clock=clock)
        events = await fresh.reply(who, WRAP_UP, thread=thread, source="m3")  # delivered again
        note, ending = events
        assert isinstance(note, Note) and note.why == ALREADY_ENDED
        assert isinstance(ending, Ended) and ending.cause == "restart"
        assert (ending.session_id, ending.outcome, ending.end_reason) == (
            last_ending.session_id, "resolved", "terminal")
        assert ending.debrief == last_ending.debrief and ending.thread == thread and ending.opening
        assert ending.who == last_ending.who
        with pytest.raises(NoActiveSession):
            await fresh.reply(who, "Thanks!", thread=thread, source="m4")
        events = await HotseatService(store, library, clock=clock).end(who, thread=thread)
        assert ended(events).session_id == last_ending.session_id
        clock.advance(11 * 60)  # long after: an ended conversation is just over
        with pytest.raises(NoActiveSession):
            await HotseatService(store, library, clock=clock).reply(who, "Thanks!", thread=thread, source="m5")
        intruder = Who(who.workspace, who.channel, "U2")
        with pytest.raises(NoActiveSession):
            await HotseatService(store, library, clock=clock).reply(intruder, "Hi", thread=thread)
    finally:
        await store.close()


# ------------------------------------------------------------ loading after a restart


async def test_sessions_load_side_by_side_after_a_restart(db, library, clock, monkeypatch) -> None:
    """One slow load must not hold up every other trainee (it did behind one service lock)."""
    store = await Store.open(db)
    try:
        slow, quick = Who("T1", "C1", "U1"), Who("T1", "C1", "U2")
        first = HotseatService(store, library, clock=clock)
        held = opened(await begin(first, slow, "double-billing", seed=1)).session_id
        await begin(first, quick, "double-billing", seed=2)
        fresh = HotseatService(store, library, clock=clock)
        loading, gate, real = asyncio.Event(), asyncio.Event(), store.hints

        async def hints(session_id: int):
            if session_id == held:
                loading.set()
                await gate.wait()
            return await real(session_id)

        monkeypatch.setattr(store, "hints", hints)
        stuck = asyncio.create_task(fresh.reply(slow, "Hello"))
        await asyncio.wait_for(loading.wait(), 2)
        reply = await asyncio.wait_for(fresh.reply(quick, "Hello"), 2)
        assert said(reply).turn.index == 1 and not stuck.done()
        gate.set()
        assert said(await stuck).turn.index == 1
    finally:
        await store.close()


async def test_messages_racing_into_a_restarted_session_load_it_once(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        await begin(HotseatService(store, library, clock=clock), who, "double-billing", seed=2)
        fresh = HotseatService(store, library, clock=clock)
        texts = [f"Could you tell me more about charge number {i}?" for i in range(6)]
        replies = await asyncio.gather(*(fresh.reply(who, t, source=str(i)) for i, t in enumerate(texts)))
        assert [said(r).turn.index for r in replies] == list(range(1, 7))
        assert [t.trainee for t in await store.turns(said(replies[0]).session_id)] == texts
    finally:
        await store.close()
