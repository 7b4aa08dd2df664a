"""Progress in Slack end to end: the real bolt app, the real ReportDesk and SQLite, only Slack
faked on loopback. Stats, team (paged in place), the fair leaderboard with opt-out, export as
a file in the lead's DM, rereading debriefs, charts uploaded with files_upload_v2 (and what
happens when Slack refuses them), the turn-by-turn debrief in the thread, and the drill of
the day posted once however many bots tick on its minute."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json

import aiohttp
import pytest

from bot.core.service import HotseatService
from bot.frontends.chat_commands import LEAD_COMMANDS
from bot.frontends.slack.app import SlackFrontEnd
from bot.store.sqlite import Store
from progress_seed import many, played
from slack_fakes import Call, FakeSlack, _over_limits
from test_slack import EXCELLENT, Slack, _debrief, fake, rows, serving, shown, slack_env  # noqa: F401 - fixtures

FIXTURES = (fake, slack_env)  # test_slack's fixtures, which tests here ask for by name
LEAD = "UL1"


@pytest.fixture
def leads_env(monkeypatch, slack_env):
    monkeypatch.setenv("HOTSEAT_LEADS", LEAD)


@pytest.fixture
async def slack(service, fake, leads_env):
    async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as front, aiohttp.ClientSession() as http:
        yield Slack(front, fake, http)


async def answer(slack: Slack, text: str, *, user: str = "U1", name: str = "ana", channel: str = "C1") -> Call:
    """Run `/hotseat text` and return the first private answer it got."""
    before = len(slack.fake.called("response_url"))
    status, body = await slack.command(text, user=user, name=name, channel=channel)
    assert status == 200, body
    return await slack.fake.wait_for("response_url", count=before + 1, timeout=15)


def fits(call: Call) -> bool:
    """Within Block Kit's limits: 50 blocks, 3000 characters a section, 150 a header."""
    return _over_limits(call.args) is None and len(call.args.get("blocks") or []) <= 50


async def play(slack: Slack, user: str = "U1", name: str = "ana") -> str:
    """A whole excellent session through Slack; returns its thread."""
    thread = await slack.start("double-billing", user=user, name=name)
    for n, line in enumerate(EXCELLENT[:5], 1):
        await slack.reply(user, thread, line, count=n)
    await slack.finish(user, thread, count=6)  # her acceptance waits for the wrap-up; her goodbye ends it
    return thread


# -- who may see what ------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["team", "export", "drill on 09:00", "stats <@U2|bo>", "stats U0OTHER"])
async def test_a_trainee_is_refused_lead_views(slack, db, command) -> None:
    await played(slack.front.handler.service.store, workspace="T1", user="U2", name="bo",
                 persona_id="double-billing", score=70, ended_at=slack.front.handler.service.clock() - 60)
    refused = await answer(slack, command)
    assert "lead" in refused.args["text"].lower()
    assert slack.fake.uploads == [] and slack.fake.called("files.getUploadURLExternal") == []
    assert rows(db, "SELECT count(*) FROM drills") == [(0,)]  # nothing was changed


async def test_a_mention_slack_did_not_resolve_gets_how_to(slack) -> None:
    said = await answer(slack, "stats @bo", user=LEAD, name="lee")
    assert "@ list" in said.args["text"] and "member id" in said.args["text"]


async def test_help_lists_lead_commands_marked_for_leads(slack) -> None:
    status, body = await slack.command("help")
    text = shown(json.loads(body)["blocks"])
    assert "For leads:" in text
    for c in LEAD_COMMANDS:
        assert f"/hotseat {c.name}" in text


# -- nothing yet ------------------------------------------------------------------------------
async def test_no_sessions_yet_gets_friendly_answers(slack) -> None:
    assert "No scored sessions yet" in shown((await answer(slack, "stats")).args["blocks"])
    assert "Nobody has practised here yet" in shown((await answer(slack, "team", user=LEAD)).args["blocks"])
    assert "Nobody has 3 scored sessions" in shown((await answer(slack, "leaderboard")).args["blocks"])
    assert "No sessions yet" in shown((await answer(slack, "history")).args["blocks"])
    assert slack.fake.uploads == []  # no chart for nothing


# -- big numbers ------------------------------------------------------------------------------
async def test_a_thousand_sessions_fit_block_kit_and_the_chart_goes_to_the_dm(slack, service) -> None:
    await many(service.store, workspace="T1", user="U1", name="ana", persona_id="double-billing",
               count=1000, now=service.clock(), spacing=600)
    stats = await answer(slack, "stats")
    assert fits(stats)
    text = shown(stats.args["blocks"])
    assert "1000 in all" in text and "in your messages with Hotseat" in text
    upload = await _upload(slack.fake)
    assert upload.channel == "DU1" and upload.data.startswith(b"\x89PNG")
    assert upload.alt_txt and upload.alt_txt.startswith("Score over")  # alt text reaches Slack
    history = await answer(slack, "history")
    assert fits(history)
    assert shown(history.args["blocks"]).count("hotseat.debrief:") == 5  # "Debrief #N" buttons


async def test_team_of_150_pages_in_place_for_the_lead(slack, service) -> None:
    for i in range(150):
        await played(service.store, workspace="T1", user=f"U{i:03d}", name=f"Trainee {i:03d}",
                     persona_id="double-billing", score=40 + i % 60, ended_at=service.clock() - 60 - i)
    first = await answer(slack, "team", user=LEAD, name="lee")
    assert fits(first)
    text = shown(first.args["blocks"])
    assert "150 trainees" in text and "Page 1 of 15" in text and "Trainee 000" in text and "Trainee 010" not in text
    assert "hotseat.team:name:asc:2" in text and "Previous" not in text
    await slack.click("hotseat.team:name:asc:2", user=LEAD)
    second = await slack.fake.wait_for("response_url", where=lambda c: c.args.get("replace_original") is True)
    text = shown(second.args["blocks"])
    assert "Page 2 of 15" in text and "Trainee 010" in text and "Trainee 000" not in text
    assert "Previous" in text and "Next" in text
    await slack.click("hotseat.team:name:asc:3", user="U001")  # a trainee's forged click changes nothing
    refusal = await slack.fake.wait_for("response_url", where=lambda c: "lead" in c.args.get("text", "").lower())
    assert refusal.args.get("replace_original") is False


# -- the leaderboard ---------------------------------------------------------------------------
async def test_opting_out_hides_you_from_the_board_but_tells_you_your_rank(slack, service) -> None:
    for user, name, score in (("U1", "ana", 80), ("U2", "bo", 70)):
        for k in range(3):
            await played(service.store, workspace="T1", user=user, name=name, persona_id="double-billing",
                         score=score, ended_at=service.clock() - 100 - k)
    assert "off the public leaderboards" in shown((await answer(slack, "leaderboard optout")).args["blocks"])
    public = shown((await answer(slack, "leaderboard", user="U2", name="bo")).args["blocks"])
    assert "bo" in public and "ana" not in public
    mine = shown((await answer(slack, "leaderboard")).args["blocks"])
    assert "You: 1 of 2" in mine and "you opted out" in mine
    assert "back on" in shown((await answer(slack, "leaderboard optin")).args["blocks"])
    volume = await answer(slack, "leaderboard volume")
    assert "Practice volume (week)" in shown(volume.args["blocks"])


# -- export ---------------------------------------------------------------------------------
async def test_export_arrives_as_a_file_in_the_leads_dm(slack, service) -> None:
    await played(service.store, workspace="T1", user="U1", name="=cmd()", persona_id="double-billing",
                 score=77, ended_at=service.clock() - 10)
    await played(service.store, workspace="T1", user="U2", name="bo", persona_id="double-billing",
                 score=55, ended_at=service.clock() - 20)
    await played(service.store, workspace="T2", user="U9", name="elsewhere", persona_id="double-billing",
                 score=10, ended_at=service.clock() - 10)
    note = await answer(slack, "export", user=LEAD, name="lee")
    assert "is in your messages with Hotseat" in note.args["text"] and note.args["response_type"] == "ephemeral"
    upload = await _upload(slack.fake)
    assert upload.channel == "D" + LEAD and upload.filename.endswith(".csv")
    table = list(csv.DictReader(io.StringIO(upload.data.decode("utf-8").lstrip("\ufeff"))))
    assert sorted((r["user"], r["score"]) for r in table) == [("U1", "77"), ("U2", "55")]  # this workspace only
    assert table[0]["user_name"].startswith("'=") or table[1]["user_name"].startswith("'=")
    slack.fake.uploads.clear()
    day = dt.datetime.fromtimestamp(service.clock(), dt.timezone.utc).date()
    await answer(slack, f"export jsonl turns {day.isoformat()} {(day + dt.timedelta(days=1)).isoformat()}", user=LEAD)
    upload = await _upload(slack.fake)
    lines = [json.loads(line) for line in upload.data.decode().splitlines()]
    assert upload.filename.endswith(".jsonl") and len(lines) == 2 and "transcript" in lines[0]


# -- uploads Slack refuses ----------------------------------------------------------------------
@pytest.mark.parametrize("at_upload_url", [False, True])
async def test_a_refused_upload_never_loses_the_text(slack, service, db, at_upload_url) -> None:
    slack.fake.fail_uploads("missing_scope", at_upload_url=at_upload_url)
    await many(service.store, workspace="T1", user="U1", name="ana", persona_id="double-billing",
               count=12, now=service.clock())
    stats = await answer(slack, "stats")
    assert "12 in all" in shown(stats.args["blocks"])
    sorry = await slack.fake.wait_for("response_url", where=lambda c: "refused the upload" in c.args.get("text", ""))
    assert "chart" in sorry.args["text"]
    thread = await play(slack)  # the debrief, its turns and the announcement all arrive
    await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=lambda c: "Turn by turn" in c.args["text"])
    await slack.fake.wait_for("chat.postMessage", where=lambda c: "finished a session" in c.args.get("text", ""))
    await slack.fake.wait_for("files.getUploadURLExternal", count=3, timeout=15)  # stats' chart + two debrief charts
    assert slack.fake.uploads == []
    note = await answer(slack, "export", user=LEAD)
    assert "refused the file upload" in note.args["text"] and "files:write" in note.args["text"]


# -- debriefs -----------------------------------------------------------------------------------
async def test_the_played_debrief_has_turning_points_and_its_thread_the_rest(slack, db) -> None:
    thread = await play(slack)
    debrief = await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=_debrief)
    assert fits(debrief)
    text = shown(debrief.args["blocks"])
    assert "Turning points" in text and "calmed" in text
    turns = await slack.fake.wait_for("chat.postMessage", thread_ts=thread, where=lambda c: "Turn by turn" in c.args["text"])
    listed = shown(turns.args["blocks"])
    for n in range(1, 7):  # the five lines to her acceptance and the wrap-up
        assert f"• {n}." in listed or f": {n}." in listed or f" {n}. " in listed
    charts = [await _upload(slack.fake, count=n) for n in (1, 2)]
    assert {c.filename for c in charts} == {"mood-timeline.png", "skill-radar.png"}
    assert all(c.channel == "C1" and c.thread_ts == thread and c.alt_txt for c in charts)
    posted = [c for c in slack.fake.calls if c.method in ("chat.postMessage", "files.completeUploadExternal")
              and c.args.get("thread_ts") == thread]
    assert _debrief(posted[[c.method for c in posted].index("chat.postMessage", 6)])  # after the 6 answers
    assert posted[-1].method == "files.completeUploadExternal"  # charts after the debrief


async def test_rereading_a_debrief_own_or_a_leads_but_not_someone_elses(slack, db) -> None:
    await play(slack)
    [(sid,)] = rows(db, "SELECT id FROM sessions")
    own = await answer(slack, f"debrief {sid}")
    assert fits(own) and "Debrief: Dana Whitfield" in shown(own.args["blocks"])
    turns = await slack.fake.wait_for("response_url", where=lambda c: "Turn by turn" in c.args.get("text", ""))
    assert turns.args["response_type"] == "ephemeral"
    other = await answer(slack, f"debrief {sid}", user="U2", name="bo")
    assert "someone else's" in other.args["text"]
    lead = await answer(slack, f"debrief #{sid}", user=LEAD, name="lee")
    assert "Debrief: Dana Whitfield" in shown(lead.args["blocks"])
    # its turn-by-turn follows; let it arrive, or it could pass for the next command's answer
    await slack.fake.wait_for("response_url", count=2, where=lambda c: "Turn by turn" in c.args.get("text", ""))
    # the history's "Debrief #N" button rereads it privately too
    history = await answer(slack, "history")
    assert f"hotseat.debrief:{sid}" in shown(history.args["blocks"])
    before = len([c for c in slack.fake.called("response_url") if "Debrief: Dana" in shown(c.args.get("blocks", []))])
    await slack.click(f"hotseat.debrief:{sid}")
    await slack.fake.wait_for("response_url", count=before + 1,
                              where=lambda c: "Debrief: Dana" in shown(c.args.get("blocks", [])))
    await slack.click(f"hotseat.debrief:{sid}", user="U2")
    await slack.fake.wait_for("response_url", count=2, where=lambda c: "someone else's" in c.args.get("text", ""))


# -- the drill of the day -------------------------------------------------------------------------
async def test_the_drill_posts_once_across_bots_and_restarts(service, fake, leads_env, db, library, clock) -> None:
    await played(service.store, workspace="T1", user="U1", name="<@U999> <!channel>", persona_id="double-billing",
                 score=55, ended_at=clock() - 3600)
    hhmm = dt.datetime.fromtimestamp(clock(), dt.timezone.utc).strftime("%H:%M")
    second_store = await Store.open(db)
    try:
        second = HotseatService(second_store, library, clock=clock)
        async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as one, \
                serving(SlackFrontEnd.from_env(http=True, port=0), second) as two, aiohttp.ClientSession() as http:
            slack = Slack(one, fake, http)
            said = await answer(slack, f"drill on {hhmm}", user=LEAD, name="lee")
            assert f"{hhmm} UTC" in shown(said.args["blocks"])
            ticks = [await one.drills.tick(), await two.drills.tick()]
            await second_store.close()
            second_store = await Store.open(db)  # a restart on the drill's minute
            restarted = HotseatService(second_store, library, clock=clock)
            async with serving(SlackFrontEnd.from_env(http=True, port=0), restarted) as three:
                ticks.append(await three.drills.tick())
        drills = [c for c in fake.called("chat.postMessage", channel="C1") if "Drill of the day" in c.args["text"]]
        # one post in all: the manual ticks, and each front end's own clock (which ticks as it
        # starts serving, so under load it may be the one that wins), all claim before posting
        assert len(drills) == 1 and sum(ticks) <= 1
        post = drills[0]
        assert fits(post)
        text = shown(post.args["blocks"])
        assert "<@U1>" in text and "hotseat.start:" in text
        assert "<@U999>" not in text and "<!channel>" not in text  # mentions only from stored ids
        start = next(e["action_id"] for b in post.args["blocks"] if b["type"] == "actions" for e in b["elements"])
        async with serving(SlackFrontEnd.from_env(http=True, port=0), service) as four, \
                aiohttp.ClientSession() as http:
            await Slack(four, fake, http).click(start, user="U1", message_ts=post.result["ts"])
            await fake.wait_for("chat.postMessage", channel="C1", where=lambda c: "hotseat.hint" in shown(c.args))
        assert not [c for c in fake.called("response_url") if c.args.get("delete_original")]  # the post stays
    finally:
        await second_store.close()


async def test_drill_off_and_a_bot_for_another_team_never_posts_it(slack, service, clock) -> None:
    await played(service.store, workspace="T2", user="U7", name="ze", persona_id="double-billing",
                 score=55, ended_at=clock() - 3600)
    hhmm = dt.datetime.fromtimestamp(clock(), dt.timezone.utc).strftime("%H:%M")
    await answer(slack, f"drill on {hhmm}", user=LEAD, name="lee", channel="C9")
    assert "off in this channel" in shown((await answer(slack, "drill off", user=LEAD, channel="C9")).args["blocks"])
    assert await slack.front.drills.tick() == 0
    assert not [c for c in slack.fake.called("chat.postMessage") if "Drill of the day" in c.args.get("text", "")]


async def _upload(fake: FakeSlack, *, count: int = 1, timeout: float = 15.0):
    """The `count`-th file the bot shared, once it has."""
    await fake.wait_for("files.completeUploadExternal", count=count, timeout=timeout,
                        where=lambda c: c.result.get("ok") is True)
    return fake.uploads[count - 1]


# -- Block Kit limits, without Slack ------------------------------------------------------------
async def test_a_long_conversation_fits_the_debrief_and_splits_its_turn_by_turn(service) -> None:
    from bot.core.events import Who
    from bot.debrief.timeline import Moment
    from bot.frontends.slack import blocks, panels
    from conftest import begin, ended

    ana = Who("T1", "C1", "U1", "ana")
    await begin(service, ana, "double-billing")
    await service.reply(ana, "I'm so sorry, that is on us <!channel>.")
    given = ended(await service.end(ana))
    long = tuple(Moment(i, 50, 50 + (12 if i % 7 == 0 else 1), ("blame",), "<@U9> " + "made it worse " * 60,
                        turning_point=i % 7 == 0) for i in range(1, 301))
    huge = dataclasses.replace(given, debrief=dataclasses.replace(given.debrief, timeline=long))
    debrief = {"args": blocks.debrief_message(huge)}
    assert _over_limits(debrief["args"]) is None and "Turning points" in shown(debrief["args"]["blocks"])
    messages = panels.turn_by_turn_messages(huge)
    assert len(messages) > 1 and all(_over_limits(m) is None and len(m["blocks"]) <= 50 for m in messages)
    listed = shown([m["blocks"] for m in messages])
    assert "300." in listed and "<@U9>" not in listed and "&lt;@U9&gt;" in listed  # never a live mention


def test_any_panel_fits_one_message() -> None:
    from bot.frontends.panels import Button, Panel
    from bot.frontends.slack import panels

    table = (("trainee", "avg"), *((f"<@U{i}> name " * 20, "71.5") for i in range(3000)))
    panel = Panel("T" * 500, tuple(f"line {i} <!here>" for i in range(500)), table, ("note",),
                  buttons=tuple(Button(f"Debrief #{i}" * 20, "debrief", str(i)) for i in range(30)),
                  addressed=(("U1", "Priya"), ("<!channel>", "x")))
    message = panels.panel_message(panel)
    assert _over_limits(message) is None and len(message["blocks"]) <= 50
    text = shown(message["blocks"])
    assert "<!here>" not in text and "<!channel>" not in text and "<@U1>" in text  # only stored ids mention
    actions = message["blocks"][-1]["elements"]
    assert len(actions) <= 25 and all(len(b["text"]["text"]) <= 75 for b in actions)


def test_board_and_history_names_never_mention_anyone() -> None:
    """Ported from the old average board: a name is shown, never acted on, in the board's
    lines and table and in history (Block Kit via slack/panels.py)."""
    from bot.core.progress import BoardRow, FairBoard, Pending
    from bot.core.service import PastSession
    from bot.frontends import panels as neutral
    from bot.frontends.slack import panels

    name = "<!everyone> <!here> <@U123> <#C1> & co"
    board = FairBoard("week", None, 3, (BoardRow(1, False, "U1", name, 3, 71.2, 71.2, 80),),
                      (Pending("U2", name, 1, 2),), None)
    history = neutral.history_panel([PastSession(5, "x", name, "ended", "resolved", 70, 4, 0.0)], name=name)
    for panel in (neutral.board_panel(board), history):
        message = panels.panel_message(panel)
        text = shown(message)
        assert "<" not in text.replace("<@U", "") and "<@U123>" not in text, text
        assert "&lt;!here&gt;" in text and "&lt;#C1&gt; &amp; co" in text


def test_a_name_cannot_close_the_board_tables_code_block() -> None:
    from bot.core.progress import BoardRow, FairBoard
    from bot.frontends import panels as neutral
    from bot.frontends.slack import panels

    board = FairBoard("week", None, 3, (BoardRow(1, False, "U1", "An```*bold*", 3, 71.2, 71.2, 80),), (), None)
    sections = [b["text"]["text"] for b in panels.panel_message(neutral.board_panel(board))["blocks"]
                if b.get("type") == "section" and b["text"]["text"].startswith("```")]
    assert sections and all(t.count("```") == 2 for t in sections)  # the name stays inside the block
    assert any("Anˋˋˋ*bold*" in t for t in sections)
