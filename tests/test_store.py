"""The stores against real databases: what a trainee or operator would notice.

Tests taking `store` or `store_target` run on both backends (a SQLite file and a fresh
PostgreSQL database, see conftest.py); the rest are about SQLite files (paths, PRAGMAs,
threads) and use `Store` directly.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import bot.store.sqlite as store_mod
from bot.core.errors import BadMessage
from bot.core.records import Detection, Hint, Turn
from bot.store import InboxRow, StaleSession, open_store
from bot.store.sqlite import (
    ActiveSessionExists,
    SessionNotActive,
    Store,
    StoreError,
)

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
async def store(store_target):
    s = await open_store(store_target)
    yield s
    await s.close()


def turn(i: int, text: str = "") -> Turn:
    trainee = text or f"I understand, let me fix that ({i})"
    return Turn(
        index=i,
        trainee=trainee,
        detections=(Detection("empathy", 0, 12, trainee[:12]), Detection("ownership", 14, 20, "let me")),
        customer=f"Fine. ({i})",
        state="calming",
        mood=i % 5 - 2,
    )


async def start(s: Store, *, workspace="T1", channel="C1", user="U1", user_name="Ann",
                persona="refund_rage", now=1000.0, thread=None, engine=None):
    return await s.create_session(
        workspace=workspace, channel=channel, user=user, user_name=user_name,
        persona_id=persona, seed=42, engine=engine if engine is not None else {"turn": -1},
        now=now, thread=thread,
    )


async def played(s: Store, user: str, score: int, *, workspace="T1", persona="refund_rage",
                 started=1000.0, turns=1, name=None, channel="C1") -> int:
    """A finished session with ``turns`` turns and the given debrief score."""
    rec = await start(s, workspace=workspace, channel=channel, user=user,
                      user_name=name or user.title(), persona=persona, now=started)
    for i in range(turns):
        await s.record_turn(rec.id, turn(i), {"turn": i}, started + i + 1)
    await s.finish_session(rec.id, outcome="resolved", end_reason="terminal", engine={},
                           debrief={"score": score}, score=score, now=started + 50)
    return rec.id


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, to look at the file the way another process would."""
    return sqlite3.connect(path)


async def outside(target: Path | str, sql: str, *args) -> list[tuple]:
    """Run one statement (`?` placeholders) on the database the way another process would,
    bypassing the store; its rows."""
    if isinstance(target, Path):
        with raw(target) as c:
            return c.execute(sql, args).fetchall()
    import asyncpg

    parts = sql.split("?")
    sql = parts[0] + "".join(f"${i}{p}" for i, p in enumerate(parts[1:], 1))
    conn = await asyncpg.connect(target)
    try:
        return [tuple(r) for r in await conn.fetch(sql.replace(" user", ' "user"'), *args)]
    finally:
        await conn.close()


# ------------------------------------------------------------------ survives a restart


async def test_session_turns_hints_and_engine_survive_restart(store_target):
    path = store_target
    engine = {"state": "angry", "mood": -3, "memory": ["refund", "manager"], "rng": [1, 2, 3]}
    async with await open_store(path) as s:
        rec = await start(s, engine=engine, thread="1700000000.000100")
        await s.record_turn(rec.id, turn(0), {**engine, "mood": -2}, 1001.0)
        await s.record_hint(rec.id, Hint(turn=1, text="Try acknowledging the wait."), {**engine, "mood": -2, "hints": 1}, 1002.0)
        await s.record_turn(rec.id, turn(1), {**engine, "mood": 0, "hints": 1}, 1003.0)

    async with await open_store(path) as s:
        again = await s.get_session(rec.id)
        assert again is not None
        assert again.engine == {**engine, "mood": 0, "hints": 1}
        assert (again.status, again.updated_at, again.started_at) == ("active", 1003.0, 1000.0)
        assert again.thread == "1700000000.000100"
        assert await s.turns(rec.id) == [turn(0), turn(1)]
        assert await s.hints(rec.id) == [Hint(1, "Try acknowledging the wait.")]
        assert [r.id for r in await s.active_sessions()] == [rec.id]
        assert (await s.find_active("T1", "C1", "U1")).id == rec.id

        await s.finish_session(rec.id, outcome="resolved", end_reason="terminal", engine={"done": True},
                               debrief={"score": 77, "notes": ["good empathy"]}, score=77, now=1010.0)

    async with await open_store(path) as s:
        done = await s.get_session(rec.id)
        assert (done.status, done.outcome, done.end_reason, done.score, done.ended_at) == (
            "ended", "resolved", "terminal", 77, 1010.0)
        assert done.engine == {"done": True}
        assert await s.debrief(rec.id) == {"score": 77, "notes": ["good empathy"]}
        assert await s.active_sessions() == []
        assert await s.find_active("T1", "C1", "U1") is None


async def test_create_session_returns_what_was_stored(store):
    rec = await start(store, engine={"k": (1, 2)})
    assert rec.engine == {"k": [1, 2]}  # exactly what a reload will give back
    assert rec == await store.get_session(rec.id)
    assert await store.get_session(rec.id + 1000) is None
    assert await store.debrief(rec.id) is None


async def test_find_by_thread_returns_latest_session_in_that_thread(store):
    old = await start(store, thread="th-1", now=100.0)
    await store.finish_session(old.id, outcome="customer_left", end_reason="ended", engine={},
                               debrief={}, score=10, now=150.0)
    new = await start(store, now=200.0)
    assert await store.find_by_thread("T1", "th-1") == await store.get_session(old.id)
    await store.set_thread(new.id, "th-1")
    assert (await store.find_by_thread("T1", "th-1")).id == new.id
    assert await store.find_by_thread("T2", "th-1") is None
    assert await store.find_by_thread("T1", "th-2") is None
    with pytest.raises(StoreError):
        await store.set_thread(9999, "th-3")


# ------------------------------------------------------------- one active session rule


async def test_one_active_session_per_user_per_channel(store):
    first = await start(store)
    with pytest.raises(ActiveSessionExists) as err:
        await start(store, persona="other")
    assert isinstance(err.value, StoreError) and "already" in str(err.value)

    await start(store, channel="C2")  # another channel
    await start(store, user="U2")  # another user
    await start(store, workspace="T2")  # another workspace
    assert len(await store.active_sessions()) == 4

    await store.finish_session(first.id, outcome="escalated", end_reason="ended", engine={},
                               debrief={}, score=50, now=2000.0)
    second = await start(store, now=3000.0)  # after finishing, a new one can start
    assert (await store.find_active("T1", "C1", "U1")).id == second.id


async def test_racing_starts_produce_exactly_one_session(store):
    results = await asyncio.gather(*(start(store, now=float(i)) for i in range(20)),
                                   return_exceptions=True)
    created = [r for r in results if not isinstance(r, BaseException)]
    assert len(created) == 1
    assert all(isinstance(r, ActiveSessionExists) for r in results if r not in created)


# ------------------------------------------------------------------- concurrency


async def test_concurrent_turns_on_many_sessions_all_land_in_order(store_target):
    path = store_target
    n_sessions, n_turns = 50, 20
    async with await open_store(path) as s:
        recs = [await start(s, channel=f"C{k}", now=float(k)) for k in range(n_sessions)]

        async def play(sid: int) -> None:
            for i in range(n_turns):
                await s.record_turn(sid, turn(i, f"s{sid} t{i}"), {"sid": sid, "turn": i}, 5000.0 + i)
                if i == 10:  # a failing write in the middle of everyone else's writes
                    with pytest.raises(StoreError):
                        await s.record_turn(sid, turn(i, "dup"), {"bad": True}, 9999.0)
                await s.get_session(sid)  # reads interleaved with the writes

        await asyncio.gather(*(play(r.id) for r in recs))

    async with await open_store(path) as s:
        for r in recs:
            got = await s.turns(r.id)
            assert [t.index for t in got] == list(range(n_turns))
            assert [t.trainee for t in got] == [f"s{r.id} t{i}" for i in range(n_turns)]
            rec = await s.get_session(r.id)
            assert rec.engine == {"sid": r.id, "turn": n_turns - 1}
            assert rec.updated_at == 5000.0 + n_turns - 1
    assert await outside(path, "SELECT COUNT(*) FROM turns") == [(n_sessions * n_turns,)]


# --------------------------------------------------------------- failures lose nothing


async def test_duplicate_turn_index_changes_nothing(store_target):
    path = store_target
    async with await open_store(path) as s:
        rec = await start(s)
        await s.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0)
        await s.record_turn(rec.id, turn(1), {"turn": 1}, 1002.0)
        with pytest.raises(StoreError, match="already saved"):
            await s.record_turn(rec.id, turn(1, "a different reply"), {"turn": "bogus"}, 1003.0)
        # The session row was updated before the insert failed: the rollback must undo it.
        after = await s.get_session(rec.id)
        assert (after.engine, after.updated_at) == ({"turn": 1}, 1002.0)
        await s.record_turn(rec.id, turn(2), {"turn": 2}, 1004.0)  # the store still works

    async with await open_store(path) as s:
        assert await s.turns(rec.id) == [turn(0), turn(1), turn(2)]
        assert (await s.get_session(rec.id)).engine == {"turn": 2}


async def test_unstorable_text_rolls_back_the_whole_turn(store):
    rec = await start(store)
    await store.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0)
    with pytest.raises(BadMessage):  # a lone surrogate cannot be encoded as UTF-8: the input's fault
        await store.record_turn(rec.id, turn(1, "bad \ud800 text"), {"turn": 1}, 1002.0)
    assert await store.turns(rec.id) == [turn(0)]
    assert (await store.get_session(rec.id)).engine == {"turn": 0}


async def test_writes_to_ended_or_missing_sessions_are_refused(store):
    rec = await start(store)
    await store.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0)
    await store.finish_session(rec.id, outcome="resolved", end_reason="terminal", engine={"final": 1},
                               debrief={"score": 80}, score=80, now=1100.0)
    with pytest.raises(SessionNotActive):
        await store.record_turn(rec.id, turn(1), {"turn": 1}, 1200.0)
    with pytest.raises(SessionNotActive):
        await store.record_hint(rec.id, Hint(1, "hint"), {"x": 1}, 1200.0)
    with pytest.raises(SessionNotActive):  # a timeout sweep racing the user's "end"
        await store.finish_session(rec.id, outcome="unfinished", end_reason="timed_out", engine={},
                                   debrief={"score": 0}, score=0, now=1300.0)
    with pytest.raises(SessionNotActive):
        await store.record_turn(rec.id + 99, turn(0), {}, 1200.0)
    done = await store.get_session(rec.id)
    assert (done.score, done.outcome, done.engine, done.ended_at) == (80, "resolved", {"final": 1}, 1100.0)
    assert await store.debrief(rec.id) == {"score": 80}
    assert await store.turns(rec.id) == [turn(0)]
    assert await store.hints(rec.id) == []
    other = await start(store, channel="C9")
    with pytest.raises(StoreError, match="outcome"):
        await store.finish_session(other.id, outcome="won", end_reason="x", engine={}, debrief={},
                                   score=1, now=1.0)
    assert (await store.get_session(other.id)).status == "active"


# ------------------------------------------------------------------------- history


async def test_history_is_newest_first_and_per_user_and_workspace(store):
    a = await played(store, "U1", 60, started=100.0)
    b = await played(store, "U1", 70, started=300.0, channel="C2")
    c = await played(store, "U1", 65, started=200.0)
    live = await start(store, now=400.0)
    await played(store, "U2", 90, started=350.0)
    await played(store, "U1", 99, started=500.0, workspace="T2")

    hist = await store.history("T1", "U1")
    assert [h.id for h in hist] == [live.id, b, c, a]
    assert [h.status for h in hist] == ["active", "ended", "ended", "ended"]
    assert [h.id for h in await store.history("T1", "U1", limit=2)] == [live.id, b]
    assert await store.history("T1", "nobody") == []


# ------------------------------------------------------- what the fair board reads


async def test_persona_totals_count_played_sessions_of_this_workspace_only(store):
    """The fair board's one read (ported from the old average board's store tests)."""
    for sc in (60, 70, 80):
        await played(store, "new", sc, started=1000.0)
    await played(store, "new", 99, turns=0)                    # no turns: not counted
    live = await start(store, user="new", channel="C5")        # active: not counted
    await store.record_turn(live.id, turn(0), {}, 1.0)
    await played(store, "new", 90, name="New B.", started=2000.0, channel="C3")  # newer name
    await played(store, "calm", 99, persona="polite_pedant", started=1000.0)
    await played(store, "other_ws", 10, workspace="T2")
    rows, names = await store.persona_totals("T1")
    assert [(r.user, r.persona_id, r.sessions, r.total, r.best) for r in rows] == [
        ("calm", "polite_pedant", 1, 99, 99), ("new", "refund_rage", 4, 300, 90)]
    assert names == {"calm": "Calm", "new": "New B."}
    assert [r.user for r in (await store.persona_totals("T1", persona_id="polite_pedant"))[0]] == ["calm"]
    assert (await store.persona_totals("T2"))[1] == {"other_ws": "Other_Ws"}
    assert await store.persona_totals("T3") == ([], {})


# -------------------------------------------------------------- unopenable locations


async def test_missing_parent_folder_is_created(tmp_path):
    path = tmp_path / "a" / "b" / "hotseat.sqlite3"
    async with await Store.open(path) as s:
        await start(s)
        assert s.path == path
    assert path.is_file()


def leftover_threads(before: set[threading.Thread]) -> list[threading.Thread]:
    """Threads started since ``before`` that are still running a moment later."""
    started = [t for t in threading.enumerate() if t not in before]
    for t in started:
        t.join(timeout=5)
    return [t for t in started if t.is_alive()]


async def test_parent_that_is_a_file_gives_a_clear_error(tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("keep me")
    path = afile / "db.sqlite3"
    with pytest.raises(StoreError) as err:
        await Store.open(path)
    msg = str(err.value)
    assert str(path) in msg and "is a file" in msg and "--db" in msg and "HOTSEAT_DB" in msg
    assert afile.read_text() == "keep me"
    with pytest.raises(StoreError, match="is a file"):
        await Store.open(afile / "deeper" / "db.sqlite3")


async def test_path_that_is_a_folder_gives_a_clear_error(tmp_path):
    with pytest.raises(StoreError) as err:
        await Store.open(tmp_path)
    assert str(tmp_path) in str(err.value) and "folder" in str(err.value)


async def test_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "notes.sqlite3"
    garbage = os.urandom(4096)
    path.write_bytes(garbage)
    before = set(threading.enumerate())
    with pytest.raises(StoreError) as err:
        await Store.open(path)
    assert str(path) in str(err.value) and "not a SQLite database" in str(err.value)
    assert path.read_bytes() == garbage
    assert leftover_threads(before) == []  # the half-opened connection was closed


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
async def test_read_only_folder_or_file_gives_a_clear_error(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "db.sqlite3"
    async with await Store.open(path) as s:
        await start(s)
    try:
        folder.chmod(0o500)  # WAL needs to create files next to the database
        for p in (path, folder / "new.sqlite3"):
            with pytest.raises(StoreError) as err:
                await Store.open(p)
            assert f"the folder {folder} is read-only" in str(err.value) and str(p) in str(err.value)
        folder.chmod(0o700)
        path.chmod(0o400)  # SQLite would quietly open this read-only; we refuse at open
        with pytest.raises(StoreError, match="the file is read-only"):
            await Store.open(path)
    finally:
        folder.chmod(0o700)
        path.chmod(0o600)


# ----------------------------------------------------------------------- migrations


async def test_fresh_database_is_at_latest_version_in_wal_mode(tmp_path):
    path = tmp_path / "hotseat.sqlite3"
    async with await Store.open(path):
        pass
    with raw(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == store_mod.MIGRATIONS[-1][0]
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "turns", "hints", "debriefs"} <= tables


async def test_database_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "hotseat.sqlite3"
    async with await Store.open(path) as s:
        await start(s)
    newer = store_mod.MIGRATIONS[-1][0] + 5
    with raw(path) as c:
        c.execute(f"PRAGMA user_version = {newer}")
    with pytest.raises(StoreError) as err:
        await Store.open(path)
    assert "newer version" in str(err.value) and str(path) in str(err.value)
    with raw(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == newer
        assert c.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


async def test_existing_database_runs_only_new_steps(tmp_path, monkeypatch):
    path = tmp_path / "hotseat.sqlite3"
    async with await Store.open(path) as s:
        rec = await start(s)
        await s.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0)

    nxt = store_mod.MIGRATIONS[-1][0] + 1
    step = "CREATE TABLE notes (body TEXT NOT NULL);\nINSERT INTO notes VALUES ('added by the new step');"
    # v1 has plain CREATE TABLEs: re-running it would fail, so success proves it was skipped.
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, (nxt, step)])
    for _ in range(2):  # the second open must not run v2 again either
        async with await Store.open(path) as s:
            assert await s.turns(rec.id) == [turn(0)]
    with raw(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == nxt
        assert c.execute("SELECT body FROM notes").fetchall() == [("added by the new step",)]


async def test_failing_migration_step_changes_nothing(tmp_path, monkeypatch):
    path = tmp_path / "hotseat.sqlite3"
    async with await Store.open(path) as s:
        await start(s)
    broken = "CREATE TABLE notes (body TEXT);\nINSERT INTO no_such_table VALUES (1);"
    current = store_mod.MIGRATIONS[-1][0]
    monkeypatch.setattr(store_mod, "MIGRATIONS", [*store_mod.MIGRATIONS, (current + 1, broken)])
    with pytest.raises(StoreError, match=str(path)):
        await Store.open(path)
    with raw(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == current
        assert c.execute("SELECT name FROM sqlite_master WHERE name='notes'").fetchone() is None
        assert c.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1


# --------------------------------------------------------------------- exact text


async def test_unicode_control_characters_and_large_text_round_trip(store_target):
    path = store_target
    odd = "Zoë 😡 عربي 中文 e\u0301 \x00 \x01\x07\x1b[31m\x7f \r\n\t \u2028\u2029 \ufeff '\"; DROP TABLE turns;--"
    if not isinstance(path, Path):  # PostgreSQL text cannot hold NUL: test_store_postgres.py
        odd = odd.replace("\x00", "")
    big = (odd + "x" * 997) * 100  # ~100 kB
    assert len(big) > 100_000
    t = Turn(index=0, trainee=big, detections=(Detection("apology", 3, 9, odd),),
             customer=odd, state=odd, mood=-5)
    engine = {"text": big, odd: [odd, None, 1.5, True], "nul": "\x00"}  # JSON escapes it: fine anywhere
    async with await open_store(path) as s:
        rec = await start(s, user=odd, user_name=odd, channel=odd, thread=odd, engine=engine)
        await s.record_turn(rec.id, t, engine, 1001.0)
        await s.record_hint(rec.id, Hint(0, big), engine, 1002.0)
        await s.finish_session(rec.id, outcome="resolved", end_reason=odd, engine=engine,
                               debrief={"summary": big}, score=1, now=1003.0)
    async with await open_store(path) as s:
        got = await s.get_session(rec.id)
        assert (got.user, got.user_name, got.channel, got.thread, got.end_reason) == (odd,) * 5
        assert got.engine == engine
        assert await s.turns(rec.id) == [t]
        assert await s.hints(rec.id) == [Hint(0, big)]
        assert await s.debrief(rec.id) == {"summary": big}
        assert (await s.find_by_thread("T1", odd)).id == rec.id


# ---------------------------------------------------------------------- lifecycle


async def test_close_is_idempotent_and_later_calls_fail_clearly(store_target):
    before = set(threading.enumerate())
    s = await open_store(store_target)
    rec = await start(s)
    await s.close()
    assert leftover_threads(before) == []  # the connection's worker thread has stopped
    await s.close()
    with pytest.raises(StoreError, match="closed"):
        await s.get_session(rec.id)
    async with s:  # exiting again is harmless
        pass


@pytest.mark.parametrize(
    "body",
    [
        "async with await Store.open(path) as s:\n    KEEP.append(s)\n    await s.create_session(**kw)",
        "async with await Store.open(path) as s:\n    KEEP.append(s)\n    raise RuntimeError('boom')",
        "s = await Store.open(path)\nKEEP.append(s)\nawait s.create_session(**kw)\nawait s.close()",
        "open(path, 'wb').write(b'garbage' * 100)\ntry:\n    await Store.open(path)\nexcept StoreError:\n    pass",
    ],
    ids=["async-with", "exception-inside", "explicit-close", "failed-open"],
)
def test_process_exits_promptly(tmp_path, body):
    script = textwrap.dedent(
        """
        import asyncio, sys
        from bot.store.sqlite import Store, StoreError
        path = sys.argv[1]
        KEEP = []  # like a service object holding its store until exit
        kw = dict(workspace="T", channel="C", user="U", user_name="N", persona_id="p",
                  seed=1, engine={}, now=1.0)
        async def main():
        {body}
        asyncio.run(main())
        """
    ).replace("{body}", textwrap.indent(body, "    "))
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "db.sqlite3")],
                          cwd=REPO, capture_output=True, text=True, timeout=30)
    if "boom" in body:
        assert proc.returncode != 0 and "RuntimeError: boom" in proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr


def test_a_store_never_closed_neither_hangs_exit_nor_loses_commits(tmp_path):
    """A command that fails half-way may never reach close(): the process must still exit,
    silently, with what was committed saved (aiosqlite's thread used to keep it alive)."""
    path = tmp_path / "db.sqlite3"
    script = textwrap.dedent(
        """
        import asyncio, sys
        from bot.store.sqlite import Store
        KEEP = []
        async def main():
            s = await Store.open(sys.argv[1])
            KEEP.append(s)
            await s.create_session(workspace="T", channel="C", user="U", user_name="N",
                                   persona_id="p", seed=1, engine={}, now=1.0)
        asyncio.run(main())
        """
    )
    proc = subprocess.run([sys.executable, "-c", script, str(path)],
                          cwd=REPO, capture_output=True, text=True, timeout=30)
    assert (proc.returncode, proc.stderr) == (0, "")
    with raw(path) as c:
        assert c.execute("SELECT user FROM sessions").fetchall() == [("U",)]


async def test_a_cancelled_call_still_runs_and_holds_up_no_other(tmp_path):
    """Calls queued together come back together; a caller that gave up must not take the
    others' answers with it, and its write, already queued, is saved as documented.
    (SQLite runs one process's calls strictly in order; PostgreSQL's pool does not, see
    test_store_postgres.py.)"""
    async with await Store.open(tmp_path / "hotseat.sqlite3") as store:
        await _cancelled_calls(store)


async def _cancelled_calls(store: Store) -> None:
    rec = await start(store)
    tasks = [asyncio.create_task(store.record_hint(rec.id, Hint(i, f"h{i}"), {"n": i}, 1000.0 + i))
             for i in range(40)]
    await asyncio.sleep(0)  # every task has queued its call
    for t in tasks[::2]:
        t.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results[::2])
    assert results[1::2] == [None] * 20
    assert [h.text for h in await store.hints(rec.id)] == [f"h{i}" for i in range(40)]
    assert (await store.get_session(rec.id)).engine == {"n": 39}


async def test_a_version_1_database_keeps_its_sessions_as_console_ones(tmp_path, monkeypatch):
    path = tmp_path / "hotseat.sqlite3"
    monkeypatch.setattr(store_mod, "MIGRATIONS", store_mod.MIGRATIONS[:1])
    async with await Store.open(path):
        pass
    with raw(path) as c:  # a session written by the version before platforms existed
        c.execute("INSERT INTO sessions (workspace, channel, user, user_name, persona_id, seed, engine,"
                  " started_at, updated_at) VALUES ('local', 'C1', 'U1', 'Ann', 'p', 1, '{}', 1.0, 1.0)")
        c.commit()
    monkeypatch.undo()
    async with await Store.open(path) as s:
        assert [r.platform for r in await s.active_sessions()] == ["console"]
        assert await s.active_sessions("slack") == []


# ------------------------------------------------------- the final turn and the ending


async def test_a_final_turn_and_its_ending_are_saved_together(store_target):
    """A kill between a final turn and its ending used to leave the session open although
    the conversation was over; written as one transaction there is no such moment."""
    path = store_target
    async with await open_store(path) as s:
        rec = await start(s)
        await s.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0, "m0")
        closing = store_mod.Closing(outcome="resolved", end_reason="terminal", debrief={"score": 81}, score=81)
        await s.record_turn(rec.id, turn(1), {"turn": 1, "outcome": "resolved"}, 1002.0, "m1", closing=closing)
    async with await open_store(path) as s:
        done = await s.get_session(rec.id)
        assert (done.status, done.outcome, done.end_reason, done.score, done.ended_at, done.updated_at) == (
            "ended", "resolved", "terminal", 81, 1002.0, 1002.0)
        assert done.engine == {"turn": 1, "outcome": "resolved"}
        assert await s.turns(rec.id) == [turn(0), turn(1)]
        assert await s.debrief(rec.id) == {"score": 81}
        assert await s.find_active("T1", "C1", "U1") is None  # the trainee can start again at once


async def test_a_final_turn_whose_ending_cannot_be_saved_is_not_saved_either(store_target):
    path = store_target
    async with await open_store(path) as s:
        rec = await start(s)
        await s.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0)
    # a debrief already there makes the ending's insert fail
    await outside(path, "INSERT INTO debriefs (session_id, body, created_at) VALUES (?, '{}', 1.0)", rec.id)
    async with await open_store(path) as s:
        closing = store_mod.Closing(outcome="resolved", end_reason="terminal", debrief={"score": 81}, score=81)
        with pytest.raises(StoreError):
            await s.record_turn(rec.id, turn(1), {"turn": 1}, 1002.0, "m1", closing=closing)
        with pytest.raises(StoreError, match="outcome"):  # refused before anything is written
            await s.record_turn(rec.id, turn(1), {"turn": 1}, 1002.0, "m1",
                                closing=store_mod.Closing("won", "terminal", {}, 1))
        after = await s.get_session(rec.id)
        assert (after.status, after.engine, after.updated_at) == ("active", {"turn": 0}, 1001.0)
        assert await s.turns(rec.id) == [turn(0)]


async def test_latest_session_in_a_channel_includes_ended_ones(store):
    assert await store.latest_session("T1", "C1", "U1") is None
    first = await played(store, "U1", 70, started=100.0)
    assert (await store.latest_session("T1", "C1", "U1")).id == first
    await played(store, "U1", 70, started=200.0, channel="C2")  # another channel
    await played(store, "U2", 70, started=300.0)  # another trainee
    assert (await store.latest_session("T1", "C1", "U1")).id == first
    live = await start(store, now=400.0)
    assert (await store.latest_session("T1", "C1", "U1")).id == live.id


async def test_last_source_is_where_a_catch_up_starts_reading(store) -> None:
    rec = await store.create_session(workspace="T1", channel="C1", user="U1", user_name="Ana",
                                     persona_id="double-billing", seed=1, engine={}, now=1.0)
    assert await store.last_source(rec.id) is None
    await store.record_turn(rec.id, Turn(1, "hi", (), "hello", "open", 50), {}, 2.0, source="1700000000.000100")
    await store.record_turn(rec.id, Turn(2, "sorry", (), "ok", "open", 40), {}, 3.0)  # typed in the console: no id
    assert await store.last_source(rec.id) == "1700000000.000100"
    await store.record_turn(rec.id, Turn(3, "fixed", (), "thanks", "open", 30), {}, 4.0, source="1700000000.000900")
    assert await store.last_source(rec.id) == "1700000000.000900"


# ---------------------------------------------- several processes: versions, OAuth, leases (v6)


async def test_a_write_from_an_out_of_date_copy_changes_nothing(store):
    """Each engine write names the version it was computed from; another process's write in
    between makes it fail (StaleSession) instead of overwriting what that process saved."""
    rec = await start(store)
    assert rec.version == 0
    await store.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0, "m0", version=0)
    assert (await store.get_session(rec.id)).version == 1

    with pytest.raises(StaleSession):  # computed from version 0, but 1 is saved
        await store.record_turn(rec.id, turn(1), {"turn": "stale"}, 1002.0, "m1", version=0)
    with pytest.raises(StaleSession):
        await store.record_hint(rec.id, Hint(1, "stale hint"), {"hint": "stale"}, 1002.0, version=0)
    with pytest.raises(StaleSession):
        await store.finish_session(rec.id, outcome="resolved", end_reason="terminal", engine={"end": "stale"},
                                   debrief={"score": 1}, score=1, now=1002.0, version=0)
    with pytest.raises(StaleSession):
        await store.record_turn(rec.id, turn(1), {"turn": "stale"}, 1002.0, "m1", version=0,
                                closing=store_mod.Closing("resolved", "terminal", {"score": 2}, 2))
    now = await store.get_session(rec.id)
    assert (now.status, now.engine, now.updated_at, now.version) == ("active", {"turn": 0}, 1001.0, 1)
    assert await store.turns(rec.id) == [turn(0)]
    assert await store.hints(rec.id) == []
    assert await store.debrief(rec.id) is None

    # Read again, redo the step: it lands, and each write moves the version on.
    await store.record_hint(rec.id, Hint(1, "hint"), {"hint": 1}, 1003.0, version=1)
    await store.record_turn(rec.id, turn(1), {"turn": 1}, 1004.0, "m1", version=2)
    await store.finish_session(rec.id, outcome="resolved", end_reason="terminal", engine={"end": 1},
                               debrief={"score": 70}, score=70, now=1005.0, version=3)
    done = await store.get_session(rec.id)
    assert (done.status, done.score, done.engine, done.version) == ("ended", 70, {"end": 1}, 4)
    with pytest.raises(SessionNotActive):  # ended beats stale: retrying would not help
        await store.record_turn(rec.id, turn(2), {}, 1006.0, "m2", version=0)


async def test_a_message_saved_once_is_a_duplicate_even_from_a_stale_copy(store):
    rec = await start(store)
    await store.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0, "m0", version=0)
    with pytest.raises(store_mod.DuplicateTurn):  # the message already counted: nothing to redo
        await store.record_turn(rec.id, turn(1), {"turn": 1}, 1002.0, "m0", version=0)
    with pytest.raises(store_mod.DuplicateTurn):
        await store.record_turn(rec.id, turn(1), {"turn": 1}, 1002.0, "m0", version=1)
    assert await store.turns(rec.id) == [turn(0)]
    assert (await store.get_session(rec.id)).version == 1


async def test_slack_installations_are_kept_replaced_and_forgotten(store):
    bot = {"bot_token": "xoxb-1", "team_id": "T1"}
    await store.installation_put("bot", "", "T1", "", bot, 1.0)
    await store.installation_put("installation", "", "T1", "", {"user": "latest"}, 1.0)
    await store.installation_put("installation", "", "T1", "U7", {"user": "U7"}, 1.0)
    await store.installation_put("bot", "E1", "T2", "", {"bot_token": "xoxb-2"}, 1.0)
    assert await store.installation_get("bot", "", "T1") == bot
    assert await store.installation_get("installation", "", "T1", "U7") == {"user": "U7"}
    assert await store.installation_get("bot", "", "T2") is None  # another enterprise's key
    assert await store.installation_get("bot", "E1", "T2") == {"bot_token": "xoxb-2"}

    await store.installation_put("bot", "", "T1", "", {"bot_token": "xoxb-new"}, 2.0)  # reinstalled
    assert await store.installation_get("bot", "", "T1") == {"bot_token": "xoxb-new"}

    assert await store.installation_delete("", "T1", "U7") == 1  # one user's installation
    assert await store.installation_get("installation", "", "T1", "U7") is None
    assert await store.installation_get("bot", "", "T1") is not None
    assert await store.installation_delete("", "T1") == 2  # the workspace's bot and the rest
    assert await store.installation_get("bot", "", "T1") is None
    assert await store.installation_delete("", "T1") == 0
    assert await store.installation_get("bot", "E1", "T2") == {"bot_token": "xoxb-2"}


async def test_an_oauth_state_is_taken_once_and_never_after_it_expires(store):
    await store.oauth_state_put("s-fresh", 200.0)
    await store.oauth_state_put("s-old", 150.0)
    assert await store.oauth_state_take("s-unknown", 100.0) is False
    assert await store.oauth_state_take("s-fresh", 100.0) is True
    assert await store.oauth_state_take("s-fresh", 100.0) is False  # a replayed redirect
    assert await store.oauth_state_take("s-old", 150.0) is False  # expired at 150
    await store.oauth_state_put("s-old", 500.0)  # cleared on the way, so the name is free again
    results = await asyncio.gather(*(store.oauth_state_take("s-old", 300.0) for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]


async def test_a_lease_has_one_holder_until_it_expires(store):
    assert await store.claim_lease("sweep", "p1", now=100.0, ttl=30.0) is True
    assert await store.claim_lease("sweep", "p2", now=110.0, ttl=30.0) is False  # p1 holds it
    assert await store.claim_lease("drills", "p2", now=110.0, ttl=30.0) is True  # another lease
    assert await store.claim_lease("sweep", "p1", now=125.0, ttl=30.0) is True  # renewed to 155
    assert await store.claim_lease("sweep", "p2", now=150.0, ttl=30.0) is False
    assert await store.claim_lease("sweep", "p2", now=155.0, ttl=30.0) is True  # p1 stopped renewing
    assert await store.claim_lease("sweep", "p1", now=160.0, ttl=30.0) is False
    racers = await asyncio.gather(*(store.claim_lease("fresh", f"p{i}", now=1.0, ttl=5.0) for i in range(6)))
    assert sum(racers) == 1


async def test_the_inbox_keeps_messages_until_handled_in_the_order_sent(store):
    def msg(ts: str, channel: str = "C1", text: str = "hi") -> InboxRow:
        return InboxRow("T1", channel, "1700000000.000100", ts, "U1", text, False, 1000.0)

    assert await store.inbox_put(msg("1700000000.000300")) is True
    assert await store.inbox_put(msg("1700000000.000300", text="a retry")) is False
    assert await store.inbox_put(msg("999999999.000900")) is True  # fewer digits, earlier
    assert await store.inbox_put(msg("1700000000.000200", channel="C2")) is True
    assert await store.inbox_put(InboxRow("T1", "D1", None, "1700000000.000250", "U2", "dm", True, 1001.0)) is True
    assert await store.inbox_put(InboxRow("T2", "C1", None, "1.0", "U1", "other team", False, 1.0)) is True
    pending = await store.inbox_pending("T1")
    assert [r.ts for r in pending] == ["999999999.000900", "1700000000.000200", "1700000000.000250",
                                       "1700000000.000300"]
    assert pending[2] == InboxRow("T1", "D1", None, "1700000000.000250", "U2", "dm", True, 1001.0)
    assert pending[3].text == "hi"
    everywhere = await store.inbox_pending()  # every workspace's, for a start-up catch-up
    assert [(r.workspace, r.ts) for r in everywhere[:2]] == [("T2", "1.0"), ("T1", "999999999.000900")]
    assert len(everywhere) == 5

    # What another worker stored earlier in the same conversation (channel and thread), still pending.
    later = msg("1700000000.000400")
    assert [r.ts for r in await store.inbox_earlier(later)] == ["999999999.000900", "1700000000.000300"]
    assert await store.inbox_earlier(msg("999999999.000900")) == []
    dm_later = InboxRow("T1", "D1", None, "1700000000.000900", "U2", "dm 2", True, 1002.0)
    assert [r.text for r in await store.inbox_earlier(dm_later)] == ["dm"]  # a DM's top level: thread None
    other_thread = InboxRow("T1", "C1", "1700000000.000777", "1700000000.000800", "U1", "x", False, 1.0)
    assert await store.inbox_earlier(other_thread) == []

    await store.inbox_done("T1", "C1", "1700000000.000300")
    assert [r.ts for r in await store.inbox_earlier(later)] == ["999999999.000900"]
    assert [r.ts for r in await store.inbox_pending("T1")] == ["999999999.000900", "1700000000.000200",
                                                                "1700000000.000250"]
    assert await store.inbox_put(msg("1700000000.000300")) is False  # handled: still not new
    assert await store.inbox_prune(before=999.0) == 0  # handled, but not old enough
    assert await store.inbox_prune(before=2000.0) == 1  # pending ones stay whatever their age
    assert len(await store.inbox_pending("T1")) == 3


async def test_a_drill_runs_once_a_day_and_keeps_its_last_day_when_changed(store):
    d = await store.set_drill("T1", "C1", enabled=True, time="09:00", set_by="U1", now=1.0)
    assert (d.enabled, d.time, d.last_run) == (True, "09:00", None)
    await store.set_drill("T1", "C0", enabled=False, time="08:00", set_by="U1", now=1.0)
    assert [x.channel for x in await store.due_drills("2026-01-02", "09:30")] == ["C1"]
    assert await store.due_drills("2026-01-02", "08:59") == []
    claims = await asyncio.gather(*(store.claim_drill("T1", "C1", "2026-01-02") for _ in range(4)))
    assert sorted(claims) == [False, False, False, True]
    assert await store.due_drills("2026-01-02", "23:59") == []
    again = await store.set_drill("T1", "C1", enabled=True, time="10:00", set_by="U2", now=2.0)
    assert (again.last_run, again.set_by, again.updated_at) == ("2026-01-02", "U2", 2.0)
    assert [x.channel for x in await store.drills("T1")] == ["C0", "C1"]
    assert await store.drill("T1", "C9") is None
    assert await store.claim_drill("T1", "C0", "2026-01-03") is False  # disabled
    assert await store.claim_drill("T1", "C1", "2026-01-03") is True
