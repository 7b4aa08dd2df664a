"""The service front ends call: one conversation per trainee per channel, every message
applied once and in order, state that survives restarts, and kind errors for bad input."""

from __future__ import annotations

import asyncio

import pytest

import bot.core.service as service_mod
from bot.core import engine
from bot.frontends.console import render as render_text
from bot.classifier import classify
from bot.core.engine import Conversation
from bot.core.errors import AlreadyApplied, AlreadyPractising, BadMessage, NoActiveSession, NotYourSession, UnknownPersona
from bot.persona.library import Library
from bot.core.records import Turn
from bot.core.service import HotseatService, SessionTimedOut, Who
from bot.store.sqlite import Store

GOOD_RUN = [
    "Hi Dana, I'm Sam from billing. I'm so sorry you were charged twice, that must be really stressful.",
    "That's our mistake and I'll take care of it myself.",
    "I've refunded the duplicate $17.99 just now; you'll see it back on your card within 3 to 5 business days.",
]


async def test_a_whole_conversation_is_played_scored_and_stored(service: HotseatService, who: Who) -> None:
    opening = await service.start(who, "double-billing", seed=1)
    assert opening.customer and opening.persona.id == "double-billing"
    replies = [await service.reply(who, text) for text in GOOD_RUN]
    assert replies[0].labels and "apology" in replies[0].labels
    last = replies[-1]
    assert last.ending is not None and last.ending.outcome == "resolved"
    assert last.ending.debrief.score >= 60
    stored = await service.store.get_session(opening.session_id)
    assert stored.status == "ended" and stored.outcome == "resolved" and stored.score == last.ending.debrief.score
    turns = await service.store.turns(opening.session_id)
    assert [t.trainee for t in turns] == GOOD_RUN
    with pytest.raises(NoActiveSession):
        await service.reply(who, "hello?")


async def test_one_active_session_per_trainee_per_channel(service: HotseatService, who: Who) -> None:
    await service.start(who, "double-billing")
    with pytest.raises(AlreadyPractising, match="Dana Whitfield"):
        await service.start(who, "double-billing")
    await service.start(Who("T1", "C2", "U1", "Ana"), "double-billing")  # another channel is fine
    await service.start(Who("T1", "C1", "U2", "Ben"), "double-billing")  # another trainee too


async def test_two_messages_at_once_are_both_applied_in_order(service: HotseatService, who: Who) -> None:
    opening = await service.start(who, "double-billing", seed=2)
    texts = [f"Could you tell me more about charge number {i}?" for i in range(8)]
    replies = await asyncio.gather(*(service.reply(who, t) for t in texts))
    assert [r.turn.index for r in replies] == list(range(1, 9))
    turns = await service.store.turns(opening.session_id)
    assert [t.trainee for t in turns] == texts


async def test_many_trainees_at_once_do_not_mix(service: HotseatService) -> None:
    people = [Who("T1", "C1", f"U{i}", f"user{i}") for i in range(20)]
    openings = await asyncio.gather(*(service.start(w, "double-billing", seed=i) for i, w in enumerate(people)))
    for round_ in range(3):
        await asyncio.gather(*(service.reply(w, f"{w.user} message {round_}") for w in people))
    for w, o in zip(people, openings):
        turns = await service.store.turns(o.session_id)
        assert [t.trainee for t in turns] == [f"{w.user} message {r}" for r in range(3)]


@pytest.mark.parametrize(
    "text, needle",
    [("", "empty"), ("   \n\t ", "empty"), ("\x00\x01\x7f", "empty"), ("x" * 100_000, "characters long")],
)
async def test_bad_messages_get_a_clear_error_and_change_nothing(service, who, text, needle) -> None:
    opening = await service.start(who, "double-billing", seed=3)
    with pytest.raises(BadMessage, match=needle):
        await service.reply(who, text)
    assert await service.store.turns(opening.session_id) == []
    reply = await service.reply(who, "I'm sorry about this.")
    assert reply.turn.index == 1


async def test_odd_unicode_is_kept_and_answered(service, who) -> None:
    opening = await service.start(who, "double-billing", seed=3)
    text = "I'm so sorry 🙏 — ça m'énerve aussi. 我明白 \u202e"
    reply = await service.reply(who, text)
    assert reply.customer
    (turn,) = await service.store.turns(opening.session_id)
    assert "🙏" in turn.trainee and "我明白" in turn.trainee and "\u202e" not in turn.trainee


async def test_unknown_persona_suggests_real_ones(service, who) -> None:
    with pytest.raises(UnknownPersona, match="double-billing"):
        await service.start(who, "no-such-customer")


async def test_a_session_survives_a_restart_and_resumes_where_it_was(db, library, clock, who) -> None:
    store = await Store.open(db)
    first = HotseatService(store, library, clock=clock)
    opening = await first.start(who, "double-billing", seed=9)
    r1 = await first.reply(who, GOOD_RUN[0])
    await store.close()

    store = await Store.open(db)
    second = HotseatService(store, library, clock=clock)
    view = await second.current(who)
    assert view is not None and view.session_id == opening.session_id
    assert (view.state, view.mood, view.turns, view.last_customer) == (r1.state, r1.mood, 1, r1.customer)
    r2 = await second.reply(who, GOOD_RUN[1])
    assert r2.turn.index == 2
    await store.close()

    # the same conversation played without a restart says the same things
    store = await Store.open(db.with_name("other.sqlite3"))
    uninterrupted = HotseatService(store, library, clock=clock)
    await uninterrupted.start(who, "double-billing", seed=9)
    u1 = await uninterrupted.reply(who, GOOD_RUN[0])
    u2 = await uninterrupted.reply(who, GOOD_RUN[1])
    assert (u1.customer, u2.customer) == (r1.customer, r2.customer)
    await store.close()


async def test_hints_are_recorded_and_cost_points(db, library, clock) -> None:
    scores = []
    for n_hints, channel in ((0, "A"), (3, "B")):
        store = await Store.open(db.with_name(f"{channel}.sqlite3"))
        service = HotseatService(store, library, clock=clock)
        w = Who("T1", channel, "U1", "Ana")
        await service.start(w, "double-billing", seed=4)
        for _ in range(n_hints):
            hint = await service.hint(w)
            assert len(hint.text) > 20
        for text in GOOD_RUN:
            reply = await service.reply(w, text)
        scores.append(reply.ending.debrief.score)
        assert reply.ending.debrief.hints_used == n_hints
        assert len(await store.hints(reply.session_id)) == n_hints
        await store.close()
    assert scores[1] < scores[0]


async def test_hint_uses_the_persona_tip_for_the_state(service, who) -> None:
    await service.start(who, "double-billing", seed=1)
    hint = await service.hint(who)
    assert "acknowledge" in hint.text.lower()


async def test_ending_early_gives_a_debrief(service, who) -> None:
    opening = await service.start(who, "double-billing", seed=5)
    await service.reply(who, GOOD_RUN[0])
    ending = await service.end(who)
    assert ending.outcome == "unfinished" and ending.end_reason == "ended"
    assert ending.debrief.turns == 1
    assert await service.store.debrief(opening.session_id) == ending.debrief.to_dict()
    with pytest.raises(NoActiveSession):
        await service.end(who)


async def test_an_idle_session_times_out(service, who, clock) -> None:
    opening = await service.start(who, "double-billing", seed=5)
    await service.reply(who, "Hello")
    clock.advance(601)
    with pytest.raises(SessionTimedOut) as e:
        await service.reply(who, "sorry, I was away")
    assert e.value.ending.end_reason == "timed_out"
    assert len(await service.store.turns(opening.session_id)) == 1  # the late message was not applied
    await service.start(who, "double-billing")  # and a new one can begin


async def test_sweep_ends_idle_sessions_only(service, clock) -> None:
    idle, busy = Who("T1", "C1", "U1"), Who("T1", "C1", "U2")
    opening = await service.start(idle, "double-billing", thread="C1/100.1")
    clock.advance(400)
    await service.start(busy, "double-billing")
    clock.advance(300)
    endings = await service.sweep_idle()
    assert [e.user for e in endings] == ["U1"]
    # a front end can post the debrief where the conversation lived
    assert (endings[0].workspace, endings[0].channel, endings[0].thread) == ("T1", "C1", "C1/100.1")
    assert endings[0].session_id == opening.session_id
    assert await service.current(busy) is not None


async def test_the_turn_cap_ends_a_conversation(db, library, clock, who) -> None:
    store = await Store.open(db)
    service = HotseatService(store, library, clock=clock, max_turns=3)
    await service.start(who, "double-billing", seed=1)
    replies = [await service.reply(who, "Could you tell me the account email?") for _ in range(3)]
    assert replies[-1].ending is not None and replies[-1].ending.end_reason == "turn_cap"
    await store.close()


async def test_only_the_trainee_who_started_plays_in_a_thread(service, who) -> None:
    opening = await service.start(who, "double-billing", seed=1)
    await service.set_thread(opening.session_id, "thread-1")
    intruder = Who("T1", "C1", "U9", "Mallory")
    with pytest.raises(NotYourSession):
        await service.reply(intruder, "Calm down, it's not a big deal", thread="thread-1")
    assert await service.store.turns(opening.session_id) == []
    reply = await service.reply(who, "I'm sorry about this", thread="thread-1")
    assert reply.turn.index == 1
    with pytest.raises(NoActiveSession):
        await service.reply(who, "hi", thread="some-other-thread")


async def test_history_and_leaderboard(service, clock) -> None:
    ana, ben = Who("T1", "C1", "U1", "Ana"), Who("T1", "C1", "U2", "Ben")
    for _ in range(3):
        await service.start(ana, "double-billing", seed=1)
        for text in GOOD_RUN:
            await service.reply(ana, text)
        await service.start(ben, "double-billing", seed=1)
        reply = await service.reply(ben, "Calm down, you must have clicked twice.")
        if reply.ending is None:
            await service.end(ben)
    board = await service.leaderboard("T1", "week")
    assert [r.user_name for r in board.rows] == ["Ana", "Ben"]
    assert board.rows[0].average > board.rows[1].average
    assert (await service.leaderboard("OTHER", "all")).rows == []
    clock.advance(8 * 86400)
    assert (await service.leaderboard("T1", "week")).rows == []
    assert len((await service.leaderboard("T1", "month", "double-billing")).rows) == 2
    past = await service.history("T1", "U1")
    assert len(past) == 3 and all(p.outcome == "resolved" and p.persona_name == "Dana Whitfield" for p in past)


async def test_an_undelivered_opening_can_be_abandoned_without_a_trace(service, who) -> None:
    opening = await service.start(who, "double-billing", seed=1)
    assert await service.abandon(opening.session_id)
    assert await service.history(who.workspace, who.user) == []
    again = await service.start(who, "double-billing", seed=1)  # the slot is free at once
    await service.reply(who, "I'm so sorry about the double charge.")
    assert not await service.abandon(again.session_id)  # a played session is history and stays
    assert [s.session_id for s in await service.history(who.workspace, who.user)] == [again.session_id]


async def test_an_intruder_hears_nothing_about_their_message_only_that_it_is_not_theirs(service, who) -> None:
    await service.start(who, "double-billing", seed=1, thread="C1/1.0")
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
        await slack.start(Who("T1", "C1", "U1"), "double-billing", thread="C1/1.0")
        await discord.start(Who("900", "901", "902"), "double-billing", thread="903")
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
        await before.start(stuck, "double-billing")
        await before.start(idle, "late-delivery")
        clock.advance(601)
        busy = Who("T1", "C2", "U1")
        await before.start(busy, "double-billing")  # not idle: only a new start can free it
        trimmed = Library(personas={k: v for k, v in library.personas.items() if k != "double-billing"})
        after = HotseatService(store, trimmed, clock=clock, idle_timeout=600)  # a trainer removed the file
        assert [e.user for e in await after.sweep_idle()] == ["U2"]  # the other idle session still ends
        assert (await store.find_active("T1", "C1", "U1")) is None  # closed, unscored
        assert (await after.start(stuck, "late-delivery")).persona.id == "late-delivery"
        assert (await after.start(busy, "late-delivery")).persona.id == "late-delivery"
        shown = render_text.history("U1", await after.history("T1", "U1"))
        assert shown.count("not scored") == 2 and shown.count("in progress") == 2
    finally:
        await store.close()


async def test_starting_over_an_idle_session_hands_back_its_debrief(service, who, clock) -> None:
    first = await service.start(who, "double-billing", thread="C1/1.0")
    await service.reply(who, "I'm sorry about the double charge.")
    clock.advance(601)
    again = await service.start(who, "late-delivery")
    assert again.previous is not None and again.previous.session_id == first.session_id
    assert again.previous.end_reason == "timed_out" and again.previous.thread == "C1/1.0"
    assert (await service.start(Who("T1", "C2", "U1"), "late-delivery")).previous is None


async def test_a_message_delivered_again_counts_once_even_after_a_restart(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        service = HotseatService(store, library, clock=clock)
        await service.start(who, "double-billing", seed=1, thread="C1/1.0")
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
        await a.start(who, "double-billing", seed=1, thread="C1/1.0")
        results = await asyncio.gather(
            a.reply(who, "I'm so sorry.", thread="C1/1.0", source="1.1"),
            b.reply(who, "I'm so sorry.", thread="C1/1.0", source="1.1"),
            return_exceptions=True,
        )
        assert sorted(type(r).__name__ for r in results) == ["AlreadyApplied", "Reply"]
        assert len(await first.turns(1)) == 1
    finally:
        await first.close()
        await second.close()


async def test_another_persona_is_never_the_one_just_played(service, who) -> None:
    for seed in range(20):
        opening = await service.start(who, seed=seed, avoid="double-billing")
        assert opening.persona.id != "double-billing"
        await service.end(who)


# ------------------------------------------- a crash between the final turn and the ending


async def strand(store, library, clock, who, texts=GOOD_RUN, *, thread=None, max_turns=30) -> int:
    """Leave a session as a kill between the final turn and the ending left it before the
    two were one transaction: the last turn saved, the conversation over, the session open.
    Databases written then still hold such sessions."""
    service = HotseatService(store, library, clock=clock, idle_timeout=600, max_turns=max_turns)
    opening = await service.start(who, "double-billing", seed=1, thread=thread)
    for i, text in enumerate(texts[:-1]):
        await service.reply(who, text, thread=thread, source=f"m{i}")
    sid = opening.session_id
    conv = Conversation.from_dict((await store.get_session(sid)).engine)
    text = texts[-1]
    detections = tuple(classify(text))
    step = engine.step(opening.persona, conv, frozenset(d.label for d in detections), text)
    turn = Turn(conv.turn, text, detections, step.customer, step.state, step.mood)
    await store.record_turn(sid, turn, conv.to_dict(), clock(), f"m{len(texts) - 1}")
    return sid


@pytest.mark.parametrize("thread", [None, "C1/1.0"])
async def test_a_stranded_session_answers_a_message_with_its_debrief(db, library, clock, who, thread) -> None:
    store = await Store.open(db)
    try:
        sid = await strand(store, library, clock, who, thread=thread)
        fresh = HotseatService(store, library, clock=clock, idle_timeout=600)
        with pytest.raises(SessionTimedOut) as e:  # the family front ends answer with e.ending
            await fresh.reply(who, "Hello? Are you still there?", thread=thread, source="m9")
        ending = e.value.ending
        assert (ending.session_id, ending.outcome, ending.end_reason) == (sid, "resolved", "terminal")
        assert ending.thread == thread and "already ended" in str(e.value)
        stored = await store.get_session(sid)
        assert (stored.status, stored.outcome, stored.score) == ("ended", "resolved", ending.debrief.score)
        assert await store.debrief(sid) == ending.debrief.to_dict()
        assert len(await store.turns(sid)) == 3  # the late message was not applied
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
        opening = await fresh.start(who, "late-delivery")
        previous = opening.previous
        assert previous is not None and (previous.session_id, previous.outcome) == (sid, "resolved")
        assert previous.thread == "C1/1.0"
    finally:
        await store.close()


async def test_ending_a_stranded_session_keeps_its_outcome(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        sid = await strand(store, library, clock, who)
        ending = await HotseatService(store, library, clock=clock).end(who)
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
        assert [(e.session_id, e.outcome, e.end_reason, e.thread) for e in endings] == [
            (sid, "resolved", "terminal", "C1/1.0")]
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
        with pytest.raises(SessionTimedOut) as e:
            await fresh.reply(who, "And the card number?")
        assert (e.value.ending.session_id, e.value.ending.outcome, e.value.ending.end_reason) == (
            sid, "unfinished", "turn_cap")
    finally:
        await store.close()


async def test_a_final_message_whose_ending_failed_can_simply_be_sent_again(service, who, monkeypatch) -> None:
    opening = await service.start(who, "double-billing", seed=1)
    for i, text in enumerate(GOOD_RUN[:-1]):
        await service.reply(who, text, source=f"m{i}")

    def dies(transcript):
        raise RuntimeError("the process died here")

    monkeypatch.setattr(service_mod, "score", dies)
    with pytest.raises(RuntimeError):
        await service.reply(who, GOOD_RUN[-1], source="m2")
    assert len(await service.store.turns(opening.session_id)) == 2  # nothing half done
    assert (await service.store.get_session(opening.session_id)).status == "active"
    monkeypatch.undo()
    reply = await service.reply(who, GOOD_RUN[-1], source="m2")  # the platform delivers it again
    assert reply.ending is not None and reply.ending.outcome == "resolved"


@pytest.mark.parametrize("thread", [None, "C1/1.0"])
async def test_a_late_message_after_an_ending_another_process_made_gets_the_debrief(
    db, library, clock, who, thread
) -> None:
    store = await Store.open(db)
    try:
        first = HotseatService(store, library, clock=clock)
        await first.start(who, "double-billing", seed=1, thread=thread)
        for i, text in enumerate(GOOD_RUN):
            last = await first.reply(who, text, thread=thread, source=f"m{i}")
        with pytest.raises(NoActiveSession):  # this process handed its debrief out: not again
            await first.reply(who, "Thanks!", thread=thread, source="m3")
        # the process died before the front end posted that last reply and its debrief
        clock.advance(5)
        fresh = HotseatService(store, library, clock=clock)
        with pytest.raises(SessionTimedOut) as e:  # the platform delivers the final message again
            await fresh.reply(who, GOOD_RUN[-1], thread=thread, source="m2")
        ending = e.value.ending
        assert (ending.session_id, ending.outcome, ending.end_reason) == (last.session_id, "resolved", "terminal")
        assert ending.debrief == last.ending.debrief and ending.thread == thread and ending.opening
        with pytest.raises(NoActiveSession):
            await fresh.reply(who, "Thanks!", thread=thread, source="m3")
        assert (await HotseatService(store, library, clock=clock).end(who, thread=thread)).session_id == last.session_id
        clock.advance(11 * 60)  # long after: an ended conversation is just over
        with pytest.raises(NoActiveSession):
            await HotseatService(store, library, clock=clock).reply(who, "Thanks!", thread=thread, source="m4")
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
        held = (await first.start(slow, "double-billing", seed=1)).session_id
        await first.start(quick, "double-billing", seed=2)
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
        assert reply.turn.index == 1 and not stuck.done()
        gate.set()
        assert (await stuck).turn.index == 1
    finally:
        await store.close()


async def test_messages_racing_into_a_restarted_session_load_it_once(db, library, clock, who) -> None:
    store = await Store.open(db)
    try:
        await HotseatService(store, library, clock=clock).start(who, "double-billing", seed=2)
        fresh = HotseatService(store, library, clock=clock)
        texts = [f"Could you tell me more about charge number {i}?" for i in range(6)]
        replies = await asyncio.gather(*(fresh.reply(who, t, source=str(i)) for i, t in enumerate(texts)))
        assert [r.turn.index for r in replies] == list(range(1, 7))
        assert [t.trainee for t in await store.turns(replies[0].session_id)] == texts
    finally:
        await store.close()
