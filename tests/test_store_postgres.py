"""What a user would notice of the PostgreSQL store alone: several processes on one database,
opening errors in words, and values PostgreSQL cannot keep. (Everything both stores do alike
is in test_store.py, run on both.)"""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import asyncpg
import pytest

import bot.store.postgres as pg_mod
from bot.core.errors import BadMessage
from bot.core.records import Hint, Turn
from bot.store import DuplicateTurn, StaleSession, StoreError, open_store
from bot.store.postgres import PostgresStore, mask_url
from bot.store.sqlite import Store


async def start(s, *, channel: str = "C1", user: str = "U1", **kw):
    return await s.create_session(workspace="T1", channel=channel, user=user, user_name="Ann",
                                  persona_id="refund_rage", seed=42, engine={"turn": -1}, now=1000.0, **kw)


def turn(i: int, text: str = "") -> Turn:
    return Turn(i, text or f"reply {i}", (), f"customer {i}", "calming", 0)


async def fetchval(url: str, sql: str):
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def test_it_offers_every_method_of_the_sqlite_store_with_the_same_arguments():
    public = {n for n, f in vars(Store).items() if callable(f) and not n.startswith("_")}
    missing = {n for n in public if not hasattr(PostgresStore, n)}
    assert missing == set()
    for name in public - {"open"}:
        assert inspect.signature(getattr(PostgresStore, name)) == inspect.signature(getattr(Store, name)), name
    assert {"__aenter__", "__aexit__", "close"} <= set(vars(PostgresStore))


# ------------------------------------------------------------- two processes, one database


async def test_two_processes_applying_one_turn_at_once_apply_it_once(pg_url):
    """The same session played from two processes (two stores, two pools): for each turn
    both computed from the same version, exactly one write lands; the other is told why
    (StaleSession: read again; DuplicateTurn: the same message, already counted)."""
    async with await PostgresStore.open(pg_url) as a, await PostgresStore.open(pg_url) as b:
        rec = await start(a)
        for i in range(20):
            same_message = i % 2 == 0  # a redelivered message, or two different ones
            sources = (f"m{i}", f"m{i}") if same_message else (f"m{i}-a", f"m{i}-b")
            results = await asyncio.gather(
                a.record_turn(rec.id, turn(i, "from a"), {"turn": i, "by": "a"}, 1000.0 + i, sources[0], version=i),
                b.record_turn(rec.id, turn(i, "from b"), {"turn": i, "by": "b"}, 1000.0 + i, sources[1], version=i),
                return_exceptions=True,
            )
            wins = [r for r in results if r is None]
            losses = [r for r in results if r is not None]
            assert len(wins) == 1, results
            assert isinstance(losses[0], (StaleSession, DuplicateTurn)), losses
            if not same_message:
                assert isinstance(losses[0], StaleSession)
            winner = "a" if results[0] is None else "b"
            saved = await b.get_session(rec.id)
            assert (saved.version, saved.engine) == (i + 1, {"turn": i, "by": winner})
        turns = await a.turns(rec.id)
        assert [t.index for t in turns] == list(range(20))


async def test_two_processes_starting_on_a_new_database_migrate_it_once(pg_url):
    stores = await asyncio.gather(*(PostgresStore.open(pg_url) for _ in range(3)))
    try:
        assert [await s.schema_version() for s in stores] == [6, 6, 6]
        assert await fetchval(pg_url, "SELECT count(*) FROM hotseat_schema") == 1
        rec = await start(stores[0])
        assert (await stores[2].get_session(rec.id)).id == rec.id
    finally:
        for s in stores:
            await s.close()
    async with await open_store(pg_url) as again:  # a restart runs no step again
        assert await again.get_session(rec.id) is not None


async def test_a_cancelled_call_still_runs_to_its_end(pg_url):
    """As with SQLite, a caller that gives up does not undo a write already sent; close()
    waits for it. (Several calls of one process may commit in any order here: turns of one
    conversation are kept in order by versions, not by call order.)"""
    store = await PostgresStore.open(pg_url)
    rec = await start(store)
    tasks = [asyncio.create_task(store.record_hint(rec.id, Hint(i, f"h{i}"), {"n": i}, 1000.0 + i))
             for i in range(40)]
    await asyncio.sleep(0)
    for t in tasks[::2]:
        t.cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results[::2])
    assert results[1::2] == [None] * 20
    await store.close()
    async with await PostgresStore.open(pg_url) as s:
        assert sorted(h.text for h in await s.hints(rec.id)) == sorted(f"h{i}" for i in range(40))
        assert (await s.get_session(rec.id)).version == 40


# ------------------------------------------------------------------- opening, in words


async def test_an_unreachable_server_is_reported_in_words_without_the_password(pg_server, tmp_path):
    from pg_server import PASSWORD, PASSWORD_USER

    cases = {
        "postgresql://bob:hunter2-secret@127.0.0.1:1/hotseat": "nothing is listening",
        f"postgresql://bob:hunter2-secret@/hotseat?host={tmp_path}": "no PostgreSQL socket",
        pg_server.url("no_such_db", user=PASSWORD_USER, password=PASSWORD): 'database "no_such_db" does not exist',
        pg_server.url("postgres", user=PASSWORD_USER, password="hunter2-secret"): "refused the password",
        pg_server.url("postgres", user="nobody", password="hunter2-secret"): "refused the login",
    }
    for url, reason in cases.items():
        with pytest.raises(StoreError) as err:
            await open_store(url)
        message = str(err.value)
        assert message.startswith(f"Cannot open the Hotseat database at {mask_url(url)}: "), message
        assert reason in message and "hunter2-secret" not in message and PASSWORD not in message, message
        assert ":***@" in message
        assert err.value.__cause__ is None and err.value.__suppress_context__  # no traceback chain
    async with await open_store(pg_server.url("postgres", user=PASSWORD_USER, password=PASSWORD)) as s:
        assert PASSWORD not in s.path and PASSWORD not in s.url and ":***@" in s.path


async def test_a_database_from_a_newer_version_is_refused(pg_url):
    async with await PostgresStore.open(pg_url) as s:
        await start(s)
    conn = await asyncpg.connect(pg_url)
    await conn.execute("UPDATE hotseat_schema SET version = 11")
    await conn.close()
    with pytest.raises(StoreError, match="newer version of Hotseat") as err:
        await PostgresStore.open(pg_url)
    assert pg_url in str(err.value)
    assert await fetchval(pg_url, "SELECT count(*) FROM sessions") == 1


async def test_an_existing_database_runs_only_new_steps_and_a_failing_step_changes_nothing(pg_url, monkeypatch):
    async with await PostgresStore.open(pg_url) as s:
        rec = await start(s)
    broken = "CREATE TABLE notes (body TEXT); INSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(pg_mod, "MIGRATIONS", [*pg_mod.MIGRATIONS, (7, broken)])
    with pytest.raises(StoreError, match="no_such_table"):
        await PostgresStore.open(pg_url)
    assert await fetchval(pg_url, "SELECT version FROM hotseat_schema") == 6
    assert await fetchval(pg_url, "SELECT to_regclass('notes') IS NULL") is True

    step = "CREATE TABLE notes (body TEXT NOT NULL); INSERT INTO notes VALUES ('added by the new step');"
    monkeypatch.setattr(pg_mod, "MIGRATIONS", [*pg_mod.MIGRATIONS[:6], (7, step)])
    for _ in range(2):  # v1..v6 are plain CREATEs: running one again would fail
        async with await PostgresStore.open(pg_url) as s:
            assert (await s.get_session(rec.id)).id == rec.id
    assert await fetchval(pg_url, "SELECT count(*) FROM notes") == 1
    assert await fetchval(pg_url, "SELECT version FROM hotseat_schema") == 7


async def test_the_pool_size_comes_from_the_url(pg_url):
    async with await open_store(pg_url + "&pool_max=3&pool_min=1") as s:
        await asyncio.gather(*(start(s, channel=f"C{i}") for i in range(12)))
        assert await fetchval(pg_url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                      " AND pid <> pg_backend_pid()") <= 3
        assert len(await s.active_sessions()) == 12
    with pytest.raises(StoreError, match="pool_max='lots' is not a valid number"):
        await open_store(pg_url + "&pool_max=lots")


async def test_a_url_that_went_through_a_path_still_opens_postgresql(pg_url):
    """--db values become Paths, which fold "//" into "/": the URL must still be recognised."""
    async with await open_store(Path(pg_url)) as s:
        assert isinstance(s, PostgresStore) and s.path == pg_url


def test_sqlite_users_never_load_asyncpg(tmp_path):
    script = textwrap.dedent("""
        import asyncio, sys
        from bot.store import open_store
        async def main():
            async with await open_store(sys.argv[1]) as s:
                await s.create_session(workspace="T", channel="C", user="U", user_name="N",
                                       persona_id="p", seed=1, engine={}, now=1.0)
        asyncio.run(main())
        print("asyncpg" in sys.modules)
    """)
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "db.sqlite3")], capture_output=True,
                          text=True, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert (proc.returncode, proc.stdout.strip()) == (0, "False"), proc.stderr


def test_a_password_never_shows_in_the_url_it_gives():
    assert mask_url("postgresql://ann:p%40ss@db.example:5432/hotseat") == "postgresql://ann:***@db.example:5432/hotseat"
    assert mask_url("postgresql://ann@db/hotseat?sslmode=require") == "postgresql://ann@db/hotseat?sslmode=require"
    assert "secret" not in mask_url("postgresql:///hotseat?host=/run/pg&password=secret")


# ------------------------------------------------------------ values PostgreSQL cannot keep


async def test_a_nul_character_is_refused_as_the_messages_fault_and_nothing_is_saved(pg_url):
    async with await open_store(pg_url) as s:
        rec = await start(s)
        await s.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0, "m0", version=0)
        with pytest.raises(BadMessage, match="could not be saved"):
            await s.record_turn(rec.id, turn(1, "hello\x00there"), {"turn": 1}, 1002.0, "m1", version=1)
        with pytest.raises(BadMessage):
            await s.record_hint(rec.id, Hint(1, "nul \x00 hint"), {"hint": 1}, 1002.0, version=1)
        with pytest.raises(BadMessage):
            await s.finish_session(rec.id, outcome="resolved", end_reason="term\x00inal", engine={},
                                   debrief={}, score=1, now=1003.0, version=1)
        with pytest.raises(BadMessage):
            await start(s, channel="C2", user="U\x00")
        with pytest.raises(BadMessage):  # an int past 64 bits, the other thing no column keeps
            await s.create_session(workspace="T1", channel="C3", user="U1", user_name="Ann",
                                   persona_id="p", seed=2**64, engine={}, now=1.0)
        after = await s.get_session(rec.id)
        assert (after.status, after.engine, after.version) == ("active", {"turn": 0}, 1)
        assert await s.turns(rec.id) == [turn(0)]
        assert await s.hints(rec.id) == []
        assert [r.id for r in await s.active_sessions()] == [rec.id]
        # In JSON a NUL is written "\u0000": engine state and debriefs keep it.
        await s.record_turn(rec.id, turn(1), {"said": "a\x00b"}, 1004.0, "m1", version=1)
        assert (await s.get_session(rec.id)).engine == {"said": "a\x00b"}


async def test_a_user_that_may_only_read_and_write_rows_can_run_the_bot(pg_server, pg_url):
    """Operators often give the bot a user without the right to create tables: it must open a
    database its owner migrated, and say what is missing for one nobody has migrated yet."""
    async with await PostgresStore.open(pg_url) as s:
        rec = await start(s)
    db = pg_url.split("/")[3].split("?")[0]
    conn = await asyncpg.connect(pg_url)
    await conn.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'hotseat_app') THEN"
        " CREATE ROLE hotseat_app LOGIN; END IF; END $$;"
        " GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO hotseat_app;"
        " GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO hotseat_app;"
        " REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
    )
    await conn.close()
    async with await open_store(pg_server.url(db, user="hotseat_app")) as s:
        await s.record_turn(rec.id, turn(0), {"turn": 0}, 1001.0, "m0", version=0)
        assert (await start(s, channel="C2")).id > rec.id

    fresh = pg_server.create_database()
    try:
        await fetchval(fresh, "REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        with pytest.raises(StoreError, match='user "hotseat_app" may not create or change the tables'):
            await open_store(fresh.replace("postgres@", "hotseat_app@"))
    finally:
        pg_server.drop_database(fresh)


def test_a_store_never_closed_neither_hangs_exit_nor_loses_commits(pg_url):
    """A command that fails half-way may never reach close(): the process must still exit,
    silently, with what was committed saved."""
    script = textwrap.dedent("""
        import asyncio, sys
        from bot.store import open_store
        KEEP = []
        async def main():
            s = await open_store(sys.argv[1])
            KEEP.append(s)
            await s.create_session(workspace="T", channel="C", user="U", user_name="N",
                                   persona_id="p", seed=1, engine={}, now=1.0)
        asyncio.run(main())
    """)
    proc = subprocess.run([sys.executable, "-c", script, pg_url], capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parents[1])
    assert (proc.returncode, proc.stderr) == (0, "")
    assert asyncio.run(fetchval(pg_url, 'SELECT "user" FROM sessions')) == "U"
