"""Progress views (stats, team, fair board, volume, opt-out, drills) on real database files,
through the public async API: what a trainee or a lead would notice."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3

import pytest

import bot.store.sqlite as store_mod
from bot.core.errors import HotseatError
from bot.core.progress import DAY, Progress, competition_ranks, streak
from bot.core.records import Detection, Turn
from bot.debrief.scoring import DIMENSIONS
from bot.store.sqlite import Closing, Store

NOW = 1_800_000_000.0  # 2027-01-15T08:00:00Z
TODAY = int(NOW // DAY)


@pytest.fixture
async def store(tmp_path):
    s = await Store.open(tmp_path / "hotseat.sqlite3")
    yield s
    await s.close()


@pytest.fixture
def progress(store, library):
    return Progress(store, library, clock=lambda: NOW)


def dims(**given: int) -> dict[str, int]:
    """Dimension scores: 60 unless given."""
    return {d: given.get(d, 60) for d in DIMENSIONS}


def turn(i: int, text: str = "I'm sorry, let me fix that.") -> Turn:
    return Turn(i, text, (Detection("apology", 0, 9, text[:9]),), "Fine.", "listening", 40)


async def play(s: Store, user: str, score: int, *, ended: float, persona: str = "double-billing",
               dimensions: dict | None = None, name: str | None = None, workspace: str = "T1",
               replies: int = 1, channel: str | None = None) -> int:
    """A session with `replies` turns, ended at `ended` with that score (the last turn closes it)."""
    rec = await s.create_session(workspace=workspace, channel=channel or f"C-{user}", user=user,
                                 user_name=name or user.title(), persona_id=persona, seed=1, engine={},
                                 now=ended - 60)
    body = {"score": score, "dimensions": dimensions if dimensions is not None else dims()}
    if replies == 0:
        await s.finish_session(rec.id, outcome="unfinished", end_reason="ended", engine={}, debrief=body,
                               score=score, now=ended)
        return rec.id
    for i in range(replies):
        last = i == replies - 1
        await s.record_turn(rec.id, turn(i), {}, ended - 30 + i if not last else ended,
                            closing=Closing("resolved", "terminal", body, score) if last else None)
    return rec.id


# ----------------------------------------------------------------------- nothing yet


async def test_no_sessions_yet_gives_clear_empty_results(progress):
    stats = await progress.stats("T1", "nobody")
    assert (stats.sessions, stats.sessions_week, stats.average, stats.trend) == (0, 0, None, None)
    assert all(d.average is None and d.trend is None for d in stats.dimensions.values())
    assert list(stats.dimensions) == list(DIMENSIONS)
    assert (stats.weakest, stats.recommendation, stats.best, stats.chart) == (None, None, None, ())

    team = await progress.team("T1")
    assert (team.rows, team.page, team.pages, team.trainees) == ((), 1, 1, 0)
    board = await progress.leaderboard("T1", "all", viewer="nobody")
    assert (board.rows, board.below_minimum) == ((), ())
    assert (board.viewer.rank, board.viewer.sessions, board.viewer.needed) == (None, 0, 3)
    volume = await progress.volume("T1", viewer="nobody")
    assert volume.rows == () and (volume.viewer.sessions, volume.viewer.streak) == (0, 0)
    assert await progress.drill_suggestions("T1") == []
    assert await progress.due_drills() == []


# ----------------------------------------------------------------------------- stats


async def test_stats_for_a_handful_of_known_sessions(store, progress):
    await play(store, "ann", 50, ended=NOW - 20 * DAY, dimensions=dims(empathy=40, closing=20))
    a = await play(store, "ann", 80, ended=NOW - 10 * DAY, dimensions=dims(empathy=80, closing=30))
    await play(store, "ann", 70, ended=NOW - 2 * DAY, dimensions=dims(empathy=90, closing=40))
    b = await play(store, "ann", 80, ended=NOW - 1 * DAY, dimensions=dims(empathy=70, closing=50), persona="abusive-caller")
    await play(store, "ann", 99, ended=NOW, replies=0)  # no reply: not practice, not counted
    await play(store, "bob", 100, ended=NOW)  # someone else
    await play(store, "ann", 100, ended=NOW, workspace="T2")  # another workspace

    s = await progress.stats("T1", "ann")
    assert (s.sessions, s.sessions_week) == (4, 2)
    assert s.average == 70.0
    assert s.trend == 10.0  # (70 + 80) / 2 - (50 + 80) / 2
    assert s.dimensions["empathy"].average == 70.0
    assert s.dimensions["empathy"].trend == 20.0  # (90 + 70) / 2 - (40 + 80) / 2
    assert s.dimensions["closing"].average == 35.0 and s.dimensions["closing"].trend == 20.0
    assert s.dimensions["listening"].trend == 0.0
    assert s.weakest == "closing"
    # best: the highest score, the latest of equals
    assert (s.best.session_id, s.best.score, s.best.persona_name) == (b, 80, "Kyle Brennan")
    assert [p.score for p in s.chart] == [50, 80, 70, 80]  # oldest first
    assert [p.ended_at for p in s.chart] == [NOW - 20 * DAY, NOW - 10 * DAY, NOW - 2 * DAY, NOW - DAY]
    assert s.chart[1].session_id == a and s.chart[1].dimensions["empathy"] == 80


async def test_trend_sign_follows_the_last_five_against_the_five_before(store, progress):
    for i in range(10):
        up, down = 30 + 5 * i, 90 - 5 * i
        await play(store, "cat", 50 + i, ended=NOW - (10 - i) * 3600, dimensions=dims(empathy=up, ownership=down))
    s = await progress.stats("T1", "cat")
    assert s.dimensions["empathy"].trend == 25.0
    assert s.dimensions["ownership"].trend == -25.0
    assert s.trend == 5.0
    assert s.weakest == "empathy"  # mean of the last 10: 52.5, below everything else


async def test_weakest_skill_and_recommended_persona_fit_the_trainee(store, progress, library):
    # A strong trainee on the hardest persona, weak on professionalism: the abusive
    # caller, whose mood rewards setting a boundary most, at their level.
    for i in range(3):
        await play(store, "pro", 85, ended=NOW - i * 3600, persona="abusive-caller",
                   dimensions=dims(professionalism=30, empathy=90))
    s = await progress.stats("T1", "pro")
    assert s.weakest == "professionalism"
    assert (s.recommendation.persona_id, s.recommendation.skill) == ("abusive-caller", "professionalism")

    # A beginner who struggles on a one-star persona, weak on listening: a persona near
    # their level whose customer calms most for questions and paraphrases.
    for i in range(3):
        await play(store, "new", 40, ended=NOW - i * 3600, persona="food-delivery", dimensions=dims(listening=10))
    s = await progress.stats("T1", "new")
    assert s.weakest == "listening"
    rec = s.recommendation
    assert rec.difficulty <= 2
    near = [p for p in library.personas.values() if p.difficulty <= 2]

    def listening_reward(p):
        return p.weights["question"] * -35 + p.weights["paraphrase"] * -35

    assert rec.persona_id == max(near, key=listening_reward).id


# ------------------------------------------------------------------------------ team


async def test_team_sorts_by_every_column_and_pages(store, progress):
    for i in range(150):
        await play(store, f"u{i:03d}", 40 + i % 50, ended=NOW - (i % 20) * DAY, name=f"Trainee {i:03d}",
                   dimensions=dims(**{DIMENSIONS[i % 6]: i % 40}))
    heavy = [play(store, "zed", 70, ended=NOW - k * 600, name="Zed", dimensions=dims(closing=5), channel=f"Z{k}")
             for k in range(1000)]
    for chunk in range(0, 1000, 100):
        await asyncio.gather(*heavy[chunk:chunk + 100])

    first = await progress.team("T1", sort="sessions", descending=True, per_page=20)
    assert (first.pages, first.trainees, first.page) == (8, 151, 1)
    z = first.rows[0]
    assert (z.user, z.name, z.sessions, z.weakest, z.weakest_average) == ("zed", "Zed", 1000, "closing", 5.0)
    assert z.sessions_week == 1000 and z.average == 70.0 and z.last_practice == NOW

    seen = []
    for page in range(1, 9):
        p = await progress.team("T1", sort="name", page=page, per_page=20)
        assert p.page == page and len(p.rows) == (20 if page < 8 else 11)
        seen += [r.name for r in p.rows]
    assert seen == sorted(seen, key=str.casefold) and len(set(seen)) == 151
    assert (await progress.team("T1", page=99, per_page=20)).page == 8  # past the end: the last page

    keys = {"name": lambda r: r.name.casefold(), "sessions_week": lambda r: r.sessions_week,
            "sessions": lambda r: r.sessions, "average": lambda r: r.average,
            "weakest": lambda r: r.weakest_average, "last_practice": lambda r: r.last_practice}
    for column, key in keys.items():
        for descending in (False, True):
            rows = [r for page in (1, 2) for r in
                    (await progress.team("T1", sort=column, descending=descending, page=page, per_page=100)).rows]
            assert len(rows) == 151
            values = [key(r) for r in rows]
            assert values == sorted(values, reverse=descending), (column, descending)
    with pytest.raises(HotseatError, match="sort by one of"):
        await progress.team("T1", sort="score; DROP TABLE sessions")


# ------------------------------------------------------------------------ fair board


async def test_farming_the_easiest_persona_ranks_below_harder_practice(store, progress):
    for i in range(5):
        await play(store, "farmer", 90, ended=NOW - i * 3600, persona="food-delivery")  # 1 star
    for i in range(3):
        await play(store, "climber", 82, ended=NOW - i * 3600, persona="abusive-caller")  # 5 stars

    board = await progress.leaderboard("T1", "week")
    assert [(r.user, r.rank, r.rating, r.average) for r in board.rows] == [
        ("climber", 1, 98.4, 82.0), ("farmer", 2, 72.0, 90.0)]
    assert "difficulty" in board.formula


async def test_ties_share_a_rank_and_the_minimum_is_explained(store, progress):
    for user, score in (("dee", 90), ("amy", 80), ("ben", 80), ("cal", 70)):
        for i in range(3):
            await play(store, user, score, ended=NOW - i * 3600, persona="card-fraud")  # 3 stars: x1.0
    await play(store, "eve", 99, ended=NOW, persona="card-fraud")
    for i in range(2):
        await play(store, "fay", 50, ended=NOW - i * 60, persona="card-fraud")
    for i in range(3):
        await play(store, "old", 99, ended=NOW - 40 * DAY, persona="card-fraud")  # outside the week

    board = await progress.leaderboard("T1", "week")
    assert [(r.rank, r.tied, r.user) for r in board.rows] == [
        (1, False, "dee"), (2, True, "amy"), (2, True, "ben"), (4, False, "cal")]
    assert [(p.user, p.sessions, p.needed) for p in board.below_minimum] == [("fay", 2, 1), ("eve", 1, 2)]
    assert competition_ranks([9, 8, 8, 8, 7]) == [(1, False), (2, True), (2, True), (2, True), (5, False)]
    assert [r.user for r in (await progress.leaderboard("T1", "month")).rows][-1] == "cal"
    assert [r.user for r in (await progress.leaderboard("T1", "all")).rows][0] == "old"
    assert [r.user for r in (await progress.leaderboard("T1", "week", limit=2)).rows] == ["dee", "amy"]
    me = (await progress.leaderboard("T1", "week", viewer="fay")).viewer
    assert (me.rank, me.needed, me.sessions) == (None, 1, 2)
    with pytest.raises(HotseatError):
        await progress.leaderboard("T1", "fortnight")


async def test_opting_out_hides_from_public_boards_but_keeps_a_private_rank(store, progress):
    for user, score in (("dee", 90), ("amy", 80), ("ben", 80), ("cal", 70)):
        for i in range(3):
            await play(store, user, score, ended=NOW - i * 3600, persona="card-fraud")
    assert await progress.opt_out("T1", "dee") is True
    assert await progress.opt_out("T1", "dee") is False  # already out
    assert await progress.opted_out("T1", "dee")

    board = await progress.leaderboard("T1", "week", viewer="dee")
    assert [(r.rank, r.tied, r.user) for r in board.rows] == [(1, True, "amy"), (1, True, "ben"), (3, False, "cal")]
    me = board.viewer
    assert (me.opted_out, me.rank, me.tied, me.rating, me.ranked) == (True, 1, False, 90.0, 4)
    volume = await progress.volume("T1", viewer="dee")
    assert "dee" not in [r.user for r in volume.rows] and volume.viewer.sessions == 3

    ben = (await progress.leaderboard("T1", "week", viewer="ben")).viewer
    assert (ben.opted_out, ben.rank, ben.tied) == (False, 1, True)

    # Another workspace's opt-out is its own.
    assert not await progress.opted_out("T2", "dee")
    assert await progress.opt_in("T1", "dee") is True
    board = await progress.leaderboard("T1", "week")
    assert [(r.rank, r.user) for r in board.rows] == [(1, "dee"), (2, "amy"), (2, "ben"), (4, "cal")]


# -------------------------------------------------------------------- volume, streaks


async def test_volume_counts_the_period_and_streaks_cross_midnight_utc(store, progress):
    midnight = TODAY * DAY
    # run: yesterday 23:59:59 and today 00:00:00 are two days; plus the two days before
    for t in (midnight, midnight - 1, midnight - DAY - 5, midnight - 2 * DAY - 5):
        await play(store, "run", 70, ended=t)
    # last played yesterday: the streak still stands until today ends
    for t in (midnight - 60, midnight - DAY - 60):
        await play(store, "yday", 70, ended=t)
    # a gap: two days ago and before count nothing now
    for t in (midnight - DAY - 1 - DAY, midnight - 3 * DAY):
        await play(store, "gap", 70, ended=t)
    await play(store, "gone", 70, ended=NOW - 60 * DAY)  # nothing this week, no streak: not listed

    volume = await progress.volume("T1", "week")
    assert [(r.user, r.sessions, r.streak) for r in volume.rows] == [
        ("run", 4, 4), ("yday", 2, 2), ("gap", 2, 0)]
    assert [(r.user, r.sessions) for r in (await progress.volume("T1", "all")).rows][-1] == ("gone", 1)
    assert streak([TODAY, TODAY - 1, TODAY - 3], TODAY) == 2
    assert streak([TODAY - 1], TODAY) == 1 and streak([TODAY - 2], TODAY) == 0 and streak([], TODAY) == 0


# ---------------------------------------------------------------------------- drills


async def test_drill_schedule_is_due_once_a_day_from_its_time(store, progress):
    with pytest.raises(HotseatError, match="HH:MM"):
        await progress.set_drill("T1", "C1", set_by="lead", time="25:00")
    d = await progress.set_drill("T1", "C1", set_by="lead", time="09:30")
    assert (d.enabled, d.time, d.set_by, d.last_run) == (True, "09:30", "lead", None)
    await progress.set_drill("T1", "C2", set_by="lead", time="07:00", enabled=False)

    day = dt.datetime(2027, 1, 15, tzinfo=dt.timezone.utc)
    assert await progress.due_drills(day.replace(hour=9, minute=29)) == []
    due = await progress.due_drills(day.replace(hour=9, minute=30))
    assert [(x.workspace, x.channel) for x in due] == [("T1", "C1")]
    assert await progress.claim_drill("T1", "C1", day.date()) is True
    assert await progress.claim_drill("T1", "C1", "2027-01-15") is False
    assert await progress.due_drills(day.replace(hour=23, minute=59)) == []
    assert await progress.claim_drill("T1", "C2", day.date()) is False  # paused
    assert await progress.claim_drill("T1", "nowhere", day.date()) is False

    # re-saving the schedule after today's post does not post today again
    await progress.set_drill("T1", "C1", set_by="other", time="08:00")
    assert (await progress.drill("T1", "C1")).last_run == "2027-01-15"
    assert await progress.due_drills(day.replace(hour=10)) == []
    tomorrow = day + dt.timedelta(days=1, hours=8)
    assert [x.channel for x in await progress.due_drills(tomorrow)] == ["C1"]
    assert [x.channel for x in await progress.drills("T1")] == ["C1", "C2"]


async def test_a_drill_is_claimed_exactly_once_by_two_stores_and_after_a_restart(tmp_path, library):
    path = tmp_path / "shared.sqlite3"
    a, b = await Store.open(path), await Store.open(path)
    try:
        pa, pb = Progress(a, library, clock=lambda: NOW), Progress(b, library, clock=lambda: NOW)
        await pa.set_drill("T1", "C1", set_by="lead", time="09:00")
        for day in ("2027-01-15", "2027-01-16", "2027-01-17"):
            claims = await asyncio.gather(*(p.claim_drill("T1", "C1", day) for p in [pa, pb] * 10))
            assert claims.count(True) == 1, day
    finally:
        await a.close()
        await b.close()
    async with await Store.open(path) as again:  # a restart on the drill's hour
        p = Progress(again, library, clock=lambda: NOW)
        assert await p.claim_drill("T1", "C1", "2027-01-17") is False
        assert await p.claim_drill("T1", "C1", "2027-01-18") is True


async def test_drill_suggestions_name_each_active_trainees_weakest_skill(store, progress):
    await play(store, "ann", 70, ended=NOW - 3 * DAY, dimensions=dims(listening=20))
    await play(store, "bob", 70, ended=NOW - 13 * DAY, dimensions=dims(closing=10), persona="abusive-caller")
    await play(store, "old", 70, ended=NOW - 15 * DAY, dimensions=dims(empathy=0))
    out = await progress.drill_suggestions("T1")
    assert [(s.user, s.weakest, s.weakest_average) for s in out] == [("ann", "listening", 20.0), ("bob", "closing", 10.0)]
    assert all(s.recommendation is not None and s.recommendation.skill == s.weakest for s in out)
    assert [s.user for s in await progress.drill_suggestions("T1", since=NOW - 5 * DAY)] == ["ann"]


# ------------------------------------------------------------------------- migration


def test_score_columns_follow_the_scoring_dimensions():
    assert store_mod.SCORE_DIMENSIONS == DIMENSIONS


def _back_to_version_3(path) -> None:
    """Undo migrations 4 onwards on a file (today's code writes only the latest schema)."""
    with sqlite3.connect(path) as c:
        for table in ("session_scores", "leaderboard_optouts", "drills", "inbox", "slack_installations",
                      "oauth_states", "leases"):
            c.execute(f"DROP TABLE {table}")
        c.execute("DROP INDEX sessions_export")
        c.execute("ALTER TABLE sessions DROP COLUMN version")
        c.execute("PRAGMA user_version = 3")


async def test_a_version_3_database_has_its_scores_backfilled(tmp_path, monkeypatch, library):
    path = tmp_path / "v3.sqlite3"
    monkeypatch.setattr(store_mod, "_keep_scores", lambda *a: None)  # as version 3 saved an ending
    async with await Store.open(path) as s:
        first = await play(s, "ann", 60, ended=NOW - 2 * DAY, dimensions=dims(empathy=20), replies=2)
        await play(s, "ann", 80, ended=NOW - DAY, dimensions=dims(empathy=40))
        await play(s, "ann", 90, ended=NOW, dimensions={}, replies=1)  # an old debrief without dimensions
        await play(s, "ann", 0, ended=NOW, replies=0)  # ended before any reply
        await s.create_session(workspace="T1", channel="C9", user="ann", user_name="Ann", persona_id="x",
                               seed=1, engine={}, now=NOW)  # still active
    _back_to_version_3(path)  # what version 3 wrote: the same rows, without the later tables and columns
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == 3
    monkeypatch.undo()

    async with await Store.open(path) as s:
        stats = await Progress(s, library, clock=lambda: NOW).stats("T1", "ann")
        assert (stats.sessions, stats.average) == (3, 76.7)
        assert stats.dimensions["empathy"].average == 30.0  # the session without dimensions is left out
        assert [p.dimensions and p.dimensions["empathy"] for p in stats.chart] == [20, 40, None]
        assert stats.chart[0].session_id == first
    with sqlite3.connect(path) as c:
        assert c.execute("PRAGMA user_version").fetchone()[0] == store_mod.MIGRATIONS[-1][0]
        assert c.execute("SELECT turns FROM session_scores WHERE session_id = ?", (first,)).fetchone() == (2,)
        assert c.execute("SELECT COUNT(*) FROM session_scores").fetchone() == (4,)  # not the active one


async def test_scores_are_kept_by_both_ways_a_session_ends(store, progress):
    await play(store, "ann", 70, ended=NOW - 60, replies=3)  # the last turn closes it
    rec = await store.create_session(workspace="T1", channel="C1", user="ann", user_name="Ann",
                                     persona_id="double-billing", seed=1, engine={}, now=NOW - 50)
    await store.record_turn(rec.id, turn(0), {}, NOW - 40)
    await store.finish_session(rec.id, outcome="unfinished", end_reason="ended", engine={},
                               debrief={"score": 50, "dimensions": dims(closing=0)}, score=50, now=NOW)  # "end"
    s = await progress.stats("T1", "ann")
    assert [(p.score, p.dimensions["closing"]) for p in s.chart] == [(70, 60), (50, 0)]
    await store.close_unplayable((await store.create_session(
        workspace="T1", channel="C2", user="ann", user_name="Ann", persona_id="gone", seed=1, engine={},
        now=NOW)).id, NOW)  # closed unscored: no score to keep
    assert (await progress.stats("T1", "ann")).sessions == 2
    await play(store, "ann", 40, ended=NOW, dimensions={"empathy": 50})  # half a set: kept as none
    s = await progress.stats("T1", "ann")
    assert s.chart[-1].dimensions is None and s.dimensions["empathy"].average == 60.0


async def test_an_opted_out_trainee_is_on_no_public_board_even_below_the_minimum(store, progress):
    from bot.frontends.panels import board_panel
    for i in range(3):
        await play(store, "amy", 80, ended=NOW - i * 3600, persona="card-fraud")
    await play(store, "dee", 90, ended=NOW, persona="card-fraud")  # one session: "not ranked yet"
    assert [p.user for p in (await progress.leaderboard("T1", "week")).below_minimum] == ["dee"]
    await progress.opt_out("T1", "dee")
    for period in ("week", "month", "all"):
        board = await progress.leaderboard("T1", period, "card-fraud")
        assert [r.user for r in board.rows] == ["amy"] and board.below_minimum == ()
        assert "dee" not in repr(board_panel(board)).casefold()
    assert (await progress.leaderboard("T1", "week", viewer="dee")).viewer.needed == 2  # told privately
