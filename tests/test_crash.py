"""Killing the bot at the worst moment: between a conversation's final turn and its ending.

Each round runs a child process (this file run as a script) that plays several sessions at
once against one real SQLite file and SIGKILLs itself:

* ``inside``: in the transaction that ends the k-th session, before it commits;
* ``after``: once the k-th ending is saved, before any front end could post the debrief;
* ``random``: at a random database call, just before it or just after it returned.

Then a fresh service on the same file must find no session stuck open with its
conversation over, hand every trainee their debrief when the platform delivers their
messages again (a resolved conversation stays resolved), and let them start again at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import bot.store.sqlite as store_mod
from bot.core.errors import AlreadyApplied
from bot.core.events import ALREADY_ENDED, Ended, Note, Opened
from bot.persona.library import Library
from bot.core.service import HotseatService, Who
from bot.store.sqlite import Store
from conftest import WRAP_UP

REPO = Path(__file__).resolve().parents[1]
GOOD_RUN = [  # to Dana's acceptance, then the wrap-up her goodbye answers: the final turn
    "Hi Dana, I'm Sam from billing. I'm so sorry you were charged twice, that must be really stressful.",
    "That's our mistake and I'll take care of it myself.",
    "I've refunded the duplicate $17.99 just now; you'll see it back on your card within 3 to 5 business days.",
    WRAP_UP,
]
SESSIONS = 6  # played at once in each round
PLAN = [("inside", 1), ("after", 1), ("random", 0), ("random", 0), ("inside", 4), ("after", 3),
        ("random", 0), ("random", 0), ("inside", 6), ("after", 6), ("random", 0), ("random", 0)]


def where(rnd: int, i: int) -> tuple[str, str, str]:
    """The (channel, user, thread) of the i-th trainee of a round."""
    return f"C{rnd}-{i}", f"U{rnd}-{i}", f"C{rnd}-{i}/1.0"


# ----------------------------------------------------------------------- the child


def child(db: str, mode: str, rnd: int, kth: int, seed: int) -> None:
    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def kill_inside_the_kth_ending() -> None:
        real = store_mod._transaction
        closing = [0]

        def transaction(conn, body, *args):
            def watched(conn, *a):
                before = conn.execute("SELECT COUNT(*) FROM debriefs").fetchone()[0]
                result = body(conn, *a)
                if conn.execute("SELECT COUNT(*) FROM debriefs").fetchone()[0] > before:
                    closing[0] += 1  # this transaction ends a session
                    if closing[0] == kth:
                        die()  # before its COMMIT
                return result

            return real(conn, watched, *args)

        store_mod._transaction = transaction

    def kill_at_a_random_call() -> None:
        rng = random.Random(seed)
        nth, before = rng.randint(1, SESSIONS * 10), rng.random() < 0.5  # 10 calls a session
        real = store_mod._on_thread
        calls = [0]

        async def on_thread(db, fn, *args):
            calls[0] += 1
            if calls[0] == nth and before:
                die()
            result = await real(db, fn, *args)
            if calls[0] == nth:
                die()  # done (perhaps committed), but its caller never hears of it
            return result

        store_mod._on_thread = on_thread

    library = Library.load()
    ended = [0]

    async def main() -> None:
        store = await Store.open(db)
        if mode == "inside":
            kill_inside_the_kth_ending()
        elif mode == "random":
            kill_at_a_random_call()
        service = HotseatService(store, library, platform="slack")

        async def play(i: int) -> None:
            channel, user, thread = where(rnd, i)
            who = Who("T1", channel, user)
            async with service.start(who, "double-billing", seed=i) as starting:  # as a front end starts one
                await starting.at(thread)
            for n, text in enumerate(GOOD_RUN):
                events = await service.reply(who, text, thread=thread, source=f"m{n}")
                if any(isinstance(e, Ended) for e in events):
                    ended[0] += 1
                    if mode == "after" and ended[0] == kth:
                        die()  # saved, never posted
                    return

        await asyncio.gather(*(play(i) for i in range(SESSIONS)))
        die()  # the random call was past the end: killed with everything done

    asyncio.run(main())


# ----------------------------------------------------------------------- the test


def run_round(db: Path, mode: str, rnd: int, kth: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run(
        [sys.executable, __file__, str(db), mode, str(rnd), str(kth), str(rnd)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]


def ended_in_round(db: Path, rnd: int) -> int:
    channels = [where(rnd, i)[0] for i in range(SESSIONS)]
    with contextlib.closing(sqlite3.connect(db)) as c:
        return c.execute(
            f"SELECT COUNT(*) FROM sessions WHERE status = 'ended' AND channel IN ({','.join('?' * SESSIONS)})",
            channels,
        ).fetchone()[0]


async def test_a_crash_between_the_final_turn_and_the_ending_leaves_no_session_stuck(tmp_path, library):
    db = tmp_path / "hotseat.sqlite3"
    for rnd, (mode, kth) in enumerate(PLAN):
        run_round(db, mode, rnd, kth)
        if mode == "inside":  # killed before its commit: the k-th ending and its final turn are both gone
            assert ended_in_round(db, rnd) == kth - 1
        elif mode == "after":
            assert ended_in_round(db, rnd) >= kth

    store = await Store.open(db)
    try:
        # As the crashes left it: no session open with its conversation over, nothing half written.
        with contextlib.closing(sqlite3.connect(db)) as c:
            rows = c.execute("SELECT id, status, engine, outcome, score FROM sessions").fetchall()
            debriefs = dict(c.execute("SELECT session_id, body FROM debriefs").fetchall())
        assert rows
        for sid, status, engine_json, outcome, score in rows:
            conv = json.loads(engine_json)
            turns = await store.turns(sid)
            assert [t.index for t in turns] == list(range(1, len(turns) + 1)) and conv["turn"] == len(turns)
            if status == "active":
                assert conv["outcome"] is None, f"session {sid} is stuck open after its conversation ended"
                assert sid not in debriefs
            else:
                assert outcome == conv["outcome"] == "resolved" and (await store.debrief(sid))["score"] == score

        # The platform delivers every trainee's messages again, as after a restart.
        service = HotseatService(store, library, platform="slack")
        finished = 0
        for rnd in range(len(PLAN)):
            for i in range(SESSIONS):
                channel, user, thread = where(rnd, i)
                who = Who("T1", channel, user)
                record = await store.find_by_thread("T1", thread)
                if record is None:  # a random kill before this session began
                    continue
                ending = None
                for n, text in enumerate(GOOD_RUN):
                    try:
                        events = await service.reply(who, text, thread=thread, source=f"m{n}")
                    except AlreadyApplied:
                        continue
                    notes = [e for e in events if isinstance(e, Note)]
                    # over already: the answer is a note that it had ended, then its debrief
                    assert all(note.why == ALREADY_ENDED for note in notes), events
                    endings = [e for e in events if isinstance(e, Ended)]
                    if endings:
                        (ending,) = endings
                        assert events[-1] is ending  # the debrief comes last
                        break
                    assert not notes, events
                assert ending is not None and ending.session_id == record.id
                assert ending.outcome == "resolved" and ending.thread == thread
                stored = await store.get_session(record.id)
                assert (stored.status, stored.outcome, stored.score) == ("ended", "resolved", ending.debrief.score)
                assert await store.debrief(record.id) == ending.debrief.to_dict()
                async with service.start(who, "double-billing") as again:  # and they can start again at once
                    assert [type(e) for e in again.events] == [Opened]  # its debrief was handed out already
                finished += 1
        assert finished >= sum(mode != "random" for mode, _ in PLAN) * SESSIONS  # those rounds began all theirs
    finally:
        await store.close()


if __name__ == "__main__":
    db, mode, rnd, kth, seed = sys.argv[1:6]
    child(db, mode, int(rnd), int(kth), int(seed))
