"""Moving a whole Hotseat database between SQLite and PostgreSQL: after a copy, every read
a trainee or an export makes gives the same answer, and new sessions carry on numbering."""

from __future__ import annotations

import sqlite3

import pytest

from bot.core.records import Detection, Hint, Turn
from bot.store import Closing, InboxRow, StoreError, open_store
from bot.store.copy import copy_database, migrate

DIMS = {"empathy": 4, "listening": 3, "ownership": 5, "solution": 2, "professionalism": 4, "closing": 3}


def turn(i: int, text: str) -> Turn:
    return Turn(i, text, (Detection("empathy", 0, 5, text[:5]),), f"customer says {i}", "calming", i - 2)


async def fill(s) -> None:
    """A database as a few weeks of use leave it: every table has rows."""
    for k, (user, name) in enumerate([("U1", "Ann"), ("U2", "Bo"), ("U3", "Zoë 😡")]):
        for j in range(3):
            started = 10_000.0 + 90_000 * j + 100 * k
            rec = await s.create_session(workspace="T1", channel=f"C{j}", user=user, user_name=name,
                                         persona_id=("refund_rage", "polite_pedant")[j % 2], seed=k * 10 + j,
                                         engine={"turn": -1, "k": k}, now=started, thread=f"17000.{k}{j}",
                                         platform="slack")
            await s.record_turn(rec.id, turn(0, f"sorry {user} {j}"), {"turn": 0}, started + 1, f"{started}.1")
            await s.record_hint(rec.id, Hint(1, f"hint for {user}"), {"turn": 0, "hints": 1}, started + 2)
            debrief = {"score": 50 + 10 * j + k, "notes": ["ok"]}
            if j:
                debrief["dimensions"] = DIMS
            await s.record_turn(rec.id, turn(1, "anything else?"), {"turn": 1}, started + 3, f"{started}.2",
                                closing=Closing("resolved", "terminal", debrief, debrief["score"]))
    gone = await s.create_session(workspace="T1", channel="C8", user="U2", user_name="Bo", persona_id="x", seed=1,
                                  engine={}, now=400_002.0)
    live = await s.create_session(workspace="T1", channel="C9", user="U1", user_name="Ann", persona_id="refund_rage",
                                  seed=7, engine={"live": True}, now=400_000.0, platform="discord")
    await s.record_turn(live.id, turn(0, "hello"), {"turn": 0}, 400_001.0)
    assert await s.discard_session(gone.id)  # a hole in the ids
    other = await s.create_session(workspace="T2", channel="C1", user="U1", user_name="Ann", persona_id="x", seed=2,
                                   engine={}, now=5.0)
    await s.finish_session(other.id, outcome="customer_left", end_reason="ended", engine={}, debrief={"score": 9},
                           score=9, now=6.0)
    await s.set_leaderboard_optout("T1", "U3", True, 1.0)
    await s.set_drill("T1", "C1", enabled=True, time="09:00", set_by="U1", now=1.0)
    await s.set_drill("T1", "C2", enabled=False, time="10:30", set_by="U2", now=2.0)
    await s.claim_drill("T1", "C1", "2026-11-30")
    for n, ts in enumerate(["1700000000.000300", "1700000000.000100", "1700000000.000200"]):
        await s.inbox_put(InboxRow("T1", "C1", "1700000000.000001", ts, "U1", f"msg {n}", n == 1, 100.0 + n))
    await s.inbox_done("T1", "C1", "1700000000.000200")
    await s.installation_put("bot", "", "T1", "", {"bot_token": "xoxb-1"}, 1.0)
    await s.installation_put("installation", "E1", "T1", "U1", {"user_token": "xoxp-1"}, 1.0)
    await s.oauth_state_put("state-1", 10**10)
    await s.claim_lease("sweep", "host-1", 1.0, 30.0)


async def reads(s) -> dict:
    """What every read of the store returns."""
    out: dict = {}
    for user in ("U1", "U2", "U3"):
        out["history", user] = await s.history("T1", user, limit=50)
        out["scores", user] = await s.scores("T1", user)
        out["totals", user] = await s.score_totals("T1", user, since=100_000.0)
    for rec in out["history", "U1"] + out["history", "U2"] + out["history", "U3"]:
        out["turns", rec.id] = await s.turns(rec.id)
        out["hints", rec.id] = await s.hints(rec.id)
        out["debrief", rec.id] = await s.debrief(rec.id)
        out["last_source", rec.id] = await s.last_source(rec.id)
    out["active"] = await s.active_sessions()
    out["by_thread"] = await s.find_by_thread("T1", "17000.11")
    out["team"] = await s.team_totals("T1", since=100_000.0, window=2)
    out["personas"] = await s.persona_totals("T1")
    out["days"] = await s.practice_days("T1", since=None)
    out["export"] = await s.export_page("T1", with_turns=True)
    out["export T2"] = await s.export_page("T2")
    out["optouts"] = await s.leaderboard_optouts("T1")
    out["drills"] = await s.drills("T1")
    out["inbox"] = await s.inbox_pending("T1")
    out["bot"] = await s.installation_get("bot", "", "T1")
    out["installation"] = await s.installation_get("installation", "E1", "T1", "U1")
    return out


async def test_sqlite_to_postgres_and_back_keeps_every_answer(tmp_path, pg_url):
    first, second = tmp_path / "first.sqlite3", tmp_path / "second.sqlite3"
    async with await open_store(first) as s:
        await fill(s)
        before = await reads(s)
        max_id = max(r.id for r in before["history", "U2"])
    assert before["export"] and before["scores", "U1"] and before["inbox"]  # the reads are not empty

    seen: list[tuple[str, int]] = []
    async with await open_store(first) as src, await open_store(pg_url) as pg:
        counts = await copy_database(src, pg, progress=lambda table, n: seen.append((table, n)))
        assert await reads(pg) == before
    assert counts == {"sessions": 11, "turns": 19, "hints": 9, "debriefs": 10, "session_scores": 10,
                      "leaderboard_optouts": 1, "drills": 2, "inbox": 3, "slack_installations": 2,
                      "oauth_states": 1, "leases": 1}
    assert ("sessions", 11) in seen and ("turns", 19) in seen

    async with await open_store(pg_url) as pg, await open_store(second) as back:
        assert await copy_database(pg, back) == counts
        assert await reads(back) == before
        # New rows carry on after the copied ids, in both, and the copied state still works.
        for s in (pg, back):
            new = await s.create_session(workspace="T1", channel="C7", user="U2", user_name="Bo",
                                         persona_id="x", seed=1, engine={}, now=1.0)
            assert new.id > max_id
            assert await s.oauth_state_take("state-1", 100.0) is True
            assert await s.claim_lease("sweep", "host-2", 20.0, 30.0) is False  # still host-1's


async def test_a_target_that_already_holds_data_is_refused_and_left_alone(tmp_path, pg_url):
    async with await open_store(tmp_path / "a.sqlite3") as a, await open_store(pg_url) as pg:
        await fill(a)
        await pg.set_drill("T9", "C1", enabled=True, time="09:00", set_by="U1", now=1.0)
        with pytest.raises(StoreError, match=r"already holds data \(1 drills\); nothing was copied"):
            await copy_database(a, pg)
        assert await pg.history("T1", "U1") == []
        assert len(await pg.drills("T9")) == 1

        other = await open_store(tmp_path / "b.sqlite3")
        try:
            await copy_database(a, other)
            before = await reads(other)
            with pytest.raises(StoreError, match=r"already holds data \(11 sessions, 19 turns"):
                await copy_database(a, other)
            assert await reads(other) == before
        finally:
            await other.close()


async def test_text_postgresql_cannot_keep_stops_the_copy_before_anything_is_written(tmp_path, pg_url):
    path = tmp_path / "a.sqlite3"
    async with await open_store(path) as a:
        await fill(a)
        await a.create_session(workspace="T1", channel="C5", user="U\x00x", user_name="Nul", persona_id="x",
                               seed=1, engine={}, now=1.0)
        async with await open_store(pg_url) as pg:
            with pytest.raises(StoreError, match=r"A row of sessions .*\(id=13\) holds a NUL character") as err:
                await copy_database(a, pg)
            assert str(path) in str(err.value)
            assert await pg.active_sessions() == []
            assert await pg.installation_get("bot", "", "T1") is None


async def test_migrate_brings_a_database_to_the_latest_version(tmp_path, pg_url):
    assert await migrate(tmp_path / "new.sqlite3") == 6
    with sqlite3.connect(tmp_path / "new.sqlite3") as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 6
    assert await migrate(pg_url) == 6
    assert await migrate(pg_url) == 6  # nothing left to do the second time
