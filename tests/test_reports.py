"""The progress commands as every chat front end gets them (bot/frontends/reports.py):
who may see what, what an empty team sees, the export file, rereading a debrief, and the
drill posted once a day however many bots share the database."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from bot.core.errors import HotseatError
from bot.core.service import HotseatService, Who
from bot.frontends import panels
from bot.frontends.reports import (
    DrillClock, NotALead, ReportDesk, TeamRequest, drill_args, export_args, team_args, team_from_value,
    team_value,
)
from bot.frontends.roles import Role
from bot.store.sqlite import Store
from conftest import begin, ended
from progress_seed import many, played

LEAD = Who("T1", "C1", "L1", "Lee")
ANA = Who("T1", "C1", "U1", "Ana")


@pytest.fixture
def desk(service: HotseatService) -> ReportDesk:
    return ReportDesk(service)


# -- arguments -----------------------------------------------------------------------------


def test_team_arguments_in_any_order_with_sensible_default_order() -> None:
    assert team_args([]) == TeamRequest("name", False, 1)
    assert team_args(["average"]) == TeamRequest("average", True, 1)  # best first
    assert team_args(["average", "asc", "3"]) == TeamRequest("average", False, 3)
    assert team_from_value(team_value(TeamRequest("sessions", True, 2))) == TeamRequest("sessions", True, 2)
    with pytest.raises(HotseatError, match="sorts by one of"):
        team_args(["salary"])


def test_export_arguments() -> None:
    r = export_args(["jsonl", "turns", "2026-11-01", "2026-12-01"])
    assert (r.fmt, r.turns, r.bom) == ("jsonl", True, False)  # never a BOM in JSON lines
    assert dt.datetime.fromtimestamp(r.since, dt.timezone.utc).date() == dt.date(2026, 11, 1)
    assert export_args([]).bom is True
    with pytest.raises(HotseatError, match="YYYY-MM-DD"):
        export_args(["1/11/2026"])
    with pytest.raises(HotseatError, match="must come after"):
        export_args(["2026-12-01", "2026-11-01"])


def test_drill_arguments() -> None:
    assert drill_args(["on"]) == (True, None)
    assert drill_args(["ON", "07:45"]) == (True, "07:45")
    assert drill_args(["off"]) == (False, None)
    for bad in ([], ["maybe"], ["off", "09:00"], ["on", "9", "x"]):
        with pytest.raises(HotseatError, match="drill on"):
            drill_args(bad)


# -- who may see what ------------------------------------------------------------------------


@pytest.mark.parametrize("ask", ["team", "export", "drill", "others_stats"])
async def test_trainees_are_refused_lead_views_with_what_to_do(desk: ReportDesk, ask: str) -> None:
    calls = {
        "team": lambda: desk.team(ANA, Role.TRAINEE),
        "export": lambda: desk.export(ANA, Role.TRAINER),
        "drill": lambda: desk.drill(ANA, Role.TRAINEE, ["on"]),
        "others_stats": lambda: desk.stats(ANA, Role.TRAINEE, target="U2"),
    }
    with pytest.raises(NotALead) as refused:
        await calls[ask]()
    assert "lead" in str(refused.value).lower()
    assert await desk.progress.drill("T1", "C1") is None  # nothing was changed


async def test_an_empty_team_gets_friendly_answers_not_errors(desk: ReportDesk) -> None:
    mine = await desk.stats(ANA, Role.TRAINEE)
    assert "No scored sessions yet" in mine.lines[0] and not mine.charts
    assert (await desk.team(LEAD, Role.LEAD)).lines == ("Nobody has practised here yet.",)
    board = await desk.leaderboard(ANA, [])
    assert not board.table and "Nobody has 3 scored sessions" in board.lines[0]
    assert (await desk.history(ANA)).lines[0].startswith("No sessions yet")


async def test_stats_with_a_progress_chart_and_a_lead_sees_anyone(desk: ReportDesk, service: HotseatService) -> None:
    await many(service.store, workspace="T1", user="U1", name="Ana", persona_id="double-billing",
               count=12, now=service.clock())
    own = await desk.stats(ANA, Role.TRAINEE)
    assert own.title == "Progress: Ana"
    assert own.lines[0] == "Sessions: 12 this week, 12 in all."  # one an hour: all in the last 7 days
    assert [row[0] for row in own.table[1:]] == ["empathy", "listening", "ownership", "solution",
                                                  "professionalism", "closing"]
    (chart,) = own.charts
    assert chart.png.startswith(b"\x89PNG") and "12 sessions" in chart.alt
    lead_view = await desk.stats(LEAD, Role.LEAD, target="U1", name="Ana", with_chart=False)
    assert lead_view.lines == own.lines


async def test_team_pages_with_buttons(desk: ReportDesk, service: HotseatService) -> None:
    for i in range(25):
        await played(service.store, workspace="T1", user=f"U{i:02d}", name=f"Trainee {i:02d}",
                     persona_id="double-billing", score=50 + i, ended_at=service.clock() - i * 60)
    first = await desk.team(LEAD, Role.LEAD, team_args(["average"]))
    assert first.table[1][0] == "Trainee 24"  # best average first
    assert len(first.table) == 11 and [b.label for b in first.buttons] == ["Next"]
    last = await desk.team(LEAD, Role.LEAD, team_from_value(first.buttons[0].value.replace(":2", ":3")))
    assert len(last.table) == 6 and [b.label for b in last.buttons] == ["Previous"]
    assert "Page 3 of 3" in last.notes[0]


async def test_leaderboard_opt_out_keeps_a_private_rank(desk: ReportDesk, service: HotseatService) -> None:
    for user, name, score in (("U1", "Ana", 80), ("U2", "Bo", 70)):
        for k in range(3):
            await played(service.store, workspace="T1", user=user, name=name, persona_id="double-billing",
                         score=score, ended_at=service.clock() - 100 - k)
    assert [r[1] for r in (await desk.leaderboard(ANA, [])).table[1:]] == ["Ana", "Bo"]
    said = await desk.leaderboard(ANA, ["optout"])
    assert "off the public leaderboards" in said.lines[0]
    public = await desk.leaderboard(Who("T1", "C1", "U2", "Bo"), [])
    assert [r[1] for r in public.table[1:]] == ["Bo"]
    private = await desk.leaderboard(ANA, [])
    assert any(line.startswith("You: 1 of 2") and "you opted out" in line for line in private.lines)
    assert "back on" in (await desk.leaderboard(ANA, ["optin"])).lines[0]


async def test_export_is_a_spreadsheet_ready_file_for_leads(desk: ReportDesk, service: HotseatService) -> None:
    await played(service.store, workspace="T1", user="U1", name="=HYPERLINK(\"x\")", persona_id="double-billing",
                 score=77, ended_at=service.clock() - 10)
    await played(service.store, workspace="T2", user="U9", name="Elsewhere", persona_id="double-billing",
                 score=10, ended_at=service.clock() - 10)
    panel = await desk.export(LEAD, Role.LEAD)
    assert panel.file is not None and panel.file.filename.endswith(".csv")
    text = panel.file.data.decode("utf-8")
    assert text.startswith("\ufeff")  # a BOM, so a spreadsheet reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1 and rows[0]["score"] == "77"  # only this workspace
    assert rows[0]["user_name"].startswith("'=")  # a formula is shown, never run
    assert panel.lines == ("1 session.",)


async def test_rereading_a_debrief_is_the_one_given(desk: ReportDesk, service: HotseatService) -> None:
    await begin(service, ANA, "double-billing")
    await service.reply(ANA, "I'm so sorry, Dana, being charged twice is stressful. That's on us.")
    given = ended(await service.end(ANA))
    again = await desk.debrief(ANA, Role.TRAINEE, f"#{given.session_id}")
    assert again.cause == "reread" and again.debrief == given.debrief and again.persona.id == "double-billing"
    with pytest.raises(HotseatError, match="someone else's"):
        await desk.debrief(Who("T1", "C1", "U2", "Bo"), Role.TRAINEE, given.session_id)
    assert (await desk.debrief(LEAD, Role.LEAD, given.session_id)).debrief.score == given.debrief.score
    with pytest.raises(HotseatError, match="no session 999"):
        await desk.debrief(ANA, Role.TRAINEE, 999)
    with pytest.raises(HotseatError, match="no session"):  # another workspace's id reads as missing
        await desk.debrief(Who("T2", "C1", "U1", "Ana"), Role.LEAD, given.session_id)
    charts = await desk.debrief_charts(again)
    assert [c.png[:4] for c in charts] == [b"\x89PNG"] * 2
    history = await desk.history(ANA)
    assert history.table[1][0] == str(given.session_id)
    assert history.table[1][5:] != ("-",) * 6  # the six dimension scores are shown
    assert history.buttons[0].action == panels.DEBRIEF


async def test_the_drill_posts_once_a_day_across_bots_and_restarts(db, library, clock) -> None:
    """Two bots on one database, each with its clock, both ticking on the drill's hour, then
    a restart of one: a single post that day. The next day it posts again."""
    stores = [await Store.open(db), await Store.open(db)]
    try:
        services = [HotseatService(s, library, clock=clock) for s in stores]
        desks = [ReportDesk(s) for s in services]
        await played(stores[0], workspace="T1", user="U1", name="Ana", persona_id="double-billing",
                     score=60, ended_at=clock() - 3600)
        hhmm = dt.datetime.fromtimestamp(clock(), dt.timezone.utc).strftime("%H:%M")
        await desks[0].drill(LEAD, Role.LEAD, ["on", hhmm])
        posts: list[tuple[str, str, panels.Panel]] = []

        async def post(workspace: str, channel: str, panel: panels.Panel) -> None:
            posts.append((workspace, channel, panel))

        clocks = [DrillClock(d, post, lambda w: w == "T1") for d in desks]
        assert sum([await c.tick() for c in clocks]) == 1
        await stores[1].close()
        stores[1] = await Store.open(db)  # a restart within the hour
        restarted = DrillClock(ReportDesk(HotseatService(stores[1], library, clock=clock)), post, lambda w: w == "T1")
        assert await restarted.tick() == 0
        (workspace, channel, panel), = posts
        assert (workspace, channel) == ("T1", "C1")
        assert panel.addressed[0][0] == "U1" and panel.buttons[0].action == panels.START
        clock.advance(86400)
        assert await restarted.tick() == 1
        other = DrillClock(desks[0], post, lambda w: w == "T9")  # a bot serving another team never posts it
        clock.advance(86400)
        assert await other.tick() == 0
    finally:
        for s in stores:
            await s.close()


async def test_drill_off_stops_it(desk: ReportDesk, service: HotseatService) -> None:
    on = await desk.drill(LEAD, Role.LEAD, ["on", "07:30"])
    assert "07:30 UTC" in on.lines[0]
    off = await desk.drill(LEAD, Role.LEAD, ["off"])
    assert "off" in off.lines[0]
    assert (await desk.progress.drill("T1", "C1")).enabled is False
    assert "07:30" in (await desk.drill(LEAD, Role.LEAD, ["on"])).lines[0]  # back on at the same time
    with pytest.raises(HotseatError, match="HH:MM"):
        await desk.drill(LEAD, Role.LEAD, ["on", "25:00"])


def test_tables_fit_a_chat_line() -> None:
    rows = [("trainee", "avg"), ("A very long display name that goes on and on and on", "71.5")]
    text = panels.table_text(rows, max_width=30)
    assert all(len(line) <= 30 for line in text.splitlines())
    assert "…" in text and "71.5" in text
