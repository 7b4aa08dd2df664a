"""The progress commands as a trainee or a lead types them (issue 12): debrief, stats, team,
export, the fair leaderboard, history, and the console's charts. Each test drives the real
CLI (`main(argv)` in this process, or `python -m bot` where stdout bytes or a missing
matplotlib matter) over a real SQLite file, seeded through the store or by real sessions."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import PERIOD_CHOICES, TEAM_SORTS, main, parse_args
from bot.core.records import Detection, Turn
from bot.debrief.scoring import DIMENSIONS
from bot.store.sqlite import Closing, Store

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "data" / "scripts"
DAY = 86400.0
PNG = b"\x89PNG\r\n\x1a\n"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def hotseat(*args: str, stdin: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, timeout=120,
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


@dataclass
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """`hotseat ARGS` in this process: exit code, stdout, stderr."""

    def run(*argv: str) -> Ran:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


def one_friendly_line(r: Ran) -> str:
    """A refusal: exit 1, one line on stderr that starts 'hotseat:', no traceback, nothing on stdout."""
    assert r.code == 1, (r.code, r.out, r.err)
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hotseat: "), r.err
    assert "Traceback" not in r.err and r.out == ""
    return lines[0]


# -- a seeded database ----------------------------------------------------------------------


def dims(base: int, **given: int) -> dict[str, int]:
    return {d: given.get(d, base) for d in DIMENSIONS}


async def _play(s: Store, user: str, score: int, ended: float, persona: str, dimensions: dict[str, int],
                *, lines: tuple[str, ...] = ("I'm sorry, let me fix that.",), name: str | None = None) -> int:
    rec = await s.create_session(workspace="local", channel="console", user=user, user_name=name or user.title(),
                                 persona_id=persona, seed=1, engine={}, now=ended - 120)
    body = {"score": score, "dimensions": dimensions}
    for i, line in enumerate(lines, 1):
        last = i == len(lines)
        turn = Turn(i, line, (Detection("apology", 0, 5, line[:5]),), f"Reply {i}.", "listening", 40)
        await s.record_turn(rec.id, turn, {}, ended if last else ended - 60 + i,
                            closing=Closing("resolved", "terminal", body, score) if last else None)
    return rec.id


@dataclass
class Seeded:
    db: str
    now: float
    ids: dict[str, list[int]]


def seed(path: Path, extra_trainees: int = 0) -> Seeded:
    """ann: 3 sessions this week (one a day, today back) on a 2-star persona at 100, and one
    20 days ago; bob and cat: 3 each at 80 on the same 3-star persona (a tie); dan: 3 at 70;
    eve: 1 (below the minimum); fay: 3 at 95 but opted out. `extra_trainees` more with one
    session each, for paging."""
    now = time.time()
    ids: dict[str, list[int]] = {}

    async def go() -> None:
        s = await Store.open(path)
        try:
            async def play(user: str, *a, **kw) -> None:
                ids.setdefault(user, []).append(await _play(s, user, *a, **kw))

            await play("ann", 60, now - 20 * DAY, "double-billing", dims(50, closing=20))
            await play("ann", 100, now - 2 * DAY, "double-billing", dims(70, closing=30))
            await play("ann", 100, now - DAY, "double-billing", dims(80, closing=40))
            await play("ann", 100, now, "double-billing", dims(90, closing=50),
                       lines=("Hi, I'm Sam.", 'So "twice", right?', "=SUM(A1), fixed"))
            for user in ("bob", "cat"):
                for k in range(3):
                    await play(user, 80, now - k * 3600 - 600, "airline-cancellation", dims(80))
            for k in range(3):
                await play("dan", 70, now - k * 3600 - 900, "late-return", dims(70))
            await play("eve", 90, now - 3600, "double-billing", dims(90))
            for k in range(3):
                await play("fay", 95, now - k - 300, "double-billing", dims(95))  # one UTC day, at any hour
            await s.set_leaderboard_optout("local", "fay", True, now)
            for i in range(extra_trainees):
                await play(f"t{i:02d}", 10 + 2 * i, now - 5 * DAY, "double-billing", dims(10 + 2 * i),
                           name=f"Trainee {i:02d}")
        finally:
            await s.close()

    asyncio.run(go())
    return Seeded(str(path), now, ids)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Seeded:
    return seed(tmp_path_factory.mktemp("progress") / "state" / "hotseat.sqlite3")


@pytest.fixture(scope="module")
def crowded(tmp_path_factory) -> Seeded:
    return seed(tmp_path_factory.mktemp("team") / "hotseat.sqlite3", extra_trainees=17)  # 23 trainees


def test_the_parser_lists_match_the_progress_module() -> None:
    from bot.core.progress import TEAM_COLUMNS
    from bot.core.service import PERIODS

    assert tuple(TEAM_SORTS) == TEAM_COLUMNS and PERIOD_CHOICES == list(PERIODS)


def test_db_works_before_or_after_every_new_command() -> None:
    for argv in (["debrief", "3"], ["stats", "ann"], ["team"], ["export"], ["leaderboard", "--volume"],
                 ["history", "ann"]):
        assert parse_args(["--db", "X", *argv]).db == "X", argv
        assert parse_args([*argv, "--db", "X"]).db == "X", argv


# -- debrief: the same text again ----------------------------------------------------------


def _played_console(tmp_path: Path) -> tuple[str, str, Path]:
    db = str(tmp_path / "c.sqlite3")
    charts = tmp_path / "console-charts"
    out = hotseat("console", "double-billing", "--seed", "1", "--user", "ana", "--db", db, "--charts", str(charts),
                  stdin=(SCRIPTS / "excellent.txt").read_text())
    assert out.returncode == 0, out.stderr
    return db, out.stdout, charts


def test_debrief_rereads_exactly_what_the_console_printed_and_the_console_writes_charts(tmp_path: Path, cli) -> None:
    db, console, charts = _played_console(tmp_path)
    (past,) = json.loads(cli("history", "ana", "--db", db, "--json").out)
    sid = past["session_id"]

    # the console: the debrief with its turn-by-turn section and sparkline, then the chart files
    written = re.findall(r"^ Chart: (.+)$", console, re.M)
    assert [Path(p).name for p in written] == [f"session-{sid}-mood.png", f"session-{sid}-skills.png"]
    for p in written:
        assert Path(p).parent == charts and Path(p).read_bytes().startswith(PNG)
    assert f"hotseat debrief {sid}" in console

    again = cli("debrief", str(sid), "--db", db)
    assert again.code == 0, again.err
    shown = console[console.index("\n═"):console.index(" Chart:")]  # the debrief block as the console printed it
    assert again.out.strip("\n") == shown.strip("\n")
    assert f"Score: {past['score']}/100" in again.out
    turn_by_turn = re.search(r"Turn by turn \(anger (\d+) → (\d+)\):  ([▁▂▃▄▅▆▇█]+)", again.out)
    assert turn_by_turn and len(turn_by_turn[3]) == past["turns"] + 1
    assert cli("debrief", f"#{sid}", "--db", db).out == again.out  # as history shows the id

    # with --charts: both PNGs, their paths printed after the debrief
    out_dir = tmp_path / "reread"
    with_charts = cli("debrief", str(sid), "--db", db, "--charts", str(out_dir))
    paths = re.findall(r"^Chart: (.+)$", with_charts.out, re.M)
    assert with_charts.out.startswith(again.out) and len(paths) == 2
    assert all(Path(p).parent == out_dir and Path(p).read_bytes().startswith(PNG) for p in paths)
    assert Path(paths[0]).read_bytes() == (charts / f"session-{sid}-mood.png").read_bytes()  # same data, same picture

    as_json = json.loads(cli("debrief", str(sid), "--db", db, "--json").out)
    assert as_json["debrief"]["score"] == past["score"] and as_json["outcome"] == past["outcome"]
    assert [m["turn"] for m in as_json["debrief"]["timeline"]] == list(range(1, past["turns"] + 1))


def test_debrief_rereads_what_simulate_printed(tmp_path: Path, cli) -> None:
    db = str(tmp_path / "s.sqlite3")
    played = cli("simulate", "double-billing", "--script", str(SCRIPTS / "hostile.txt"), "--seed", "2", "--db", db)
    (past,) = json.loads(cli("history", "simulator", "--db", db, "--json").out)
    again = cli("debrief", str(past["session_id"]), "--db", db)
    assert played.out.endswith(again.out) and " Debrief: Dana Whitfield (double-billing)" in again.out


def test_simulate_json_carries_the_turn_by_turn_timeline(tmp_path: Path, cli) -> None:
    r = cli("simulate", "double-billing", "--script", str(SCRIPTS / "excellent.txt"), "--seed", "1", "--json",
            "--db", str(tmp_path / "t.sqlite3"))
    result = json.loads(r.out)
    timeline = result["debrief"]["timeline"]
    assert len(timeline) == len(result["turns"]) >= 3
    assert set(timeline[0]) == {"turn", "mood_before", "mood_after", "delta", "band_before", "band_after",
                                "labels", "effects", "reason", "turning_point"}
    assert [m["mood_after"] for m in timeline] == [t["mood"] for t in result["turns"]]
    assert all(a["mood_after"] == b["mood_before"] for a, b in zip(timeline, timeline[1:]))
    assert any(m["turning_point"] for m in timeline) and all(m["reason"] for m in timeline)


def test_debrief_refuses_ids_it_cannot_show_in_one_line(tmp_path: Path, cli) -> None:
    db = str(tmp_path / "e.sqlite3")
    assert "no session #42" in one_friendly_line(cli("debrief", "42", "--db", db))
    assert "not a session id" in one_friendly_line(cli("debrief", "forty-two", "--db", db))
    hotseat("console", "double-billing", "--user", "ana", "--db", db, stdin="Hello.\n/quit\n")  # left in progress
    (open_one,) = json.loads(cli("history", "ana", "--db", db, "--json").out)
    assert "still in progress" in one_friendly_line(cli("debrief", str(open_one["session_id"]), "--db", db))


# -- stats --------------------------------------------------------------------------------


def test_stats_prints_the_numbers_and_writes_the_progress_chart(seeded: Seeded, cli, tmp_path: Path) -> None:
    chart = tmp_path / "ann.png"
    r = cli("stats", "ann", "--db", seeded.db, "--chart", str(chart))
    assert r.code == 0, r.err
    assert r.out.startswith("Progress: ann — workspace local\n")  # the panel Slack and Discord draw, as text
    assert "Sessions: 3 this week, 4 in all" in r.out
    assert "Average score: 90.0 (trend +20.0)" in r.out  # (100 + 100) / 2 - (60 + 100) / 2
    assert re.search(r"empathy\s+72\.5\s+\+25\.0", r.out)  # mean of 50, 70, 80, 90; (80 + 90) / 2 - (50 + 70) / 2
    assert re.search(r"closing\s+35\.0\s+\+20\.0", r.out)
    assert "Weakest skill: closing" in r.out and "hotseat console " in r.out.split("Weakest skill", 1)[1]
    best = seeded.ids["ann"][-1]  # the latest of the equal best scores
    assert re.search(rf"Best session: 100/100 with Dana Whitfield on \d{{4}}-\d\d-\d\d \(#{best}\)\.", r.out)
    assert f"hotseat debrief {best}" in r.out  # the chat's "View best debrief" button, as a command
    assert f"Progress chart: {chart}" in r.out and chart.read_bytes().startswith(PNG)

    as_json = json.loads(cli("stats", "ann", "--db", seeded.db, "--no-chart", "--json").out)
    assert (as_json["sessions"], as_json["sessions_week"], as_json["weakest"]) == (4, 3, "closing")
    assert as_json["dimensions"]["empathy"] == {"average": 72.5, "trend": 25.0} and as_json["chart_file"] is None


def test_stats_default_chart_goes_beside_the_database(seeded: Seeded, cli) -> None:
    r = cli("stats", "bob", "--db", seeded.db)
    expected = Path(seeded.db).parent / "charts" / "progress-bob.png"
    assert f"Progress chart: {expected}" in r.out and expected.read_bytes().startswith(PNG)


def test_stats_with_no_sessions_says_so_and_exits_0(seeded: Seeded, cli) -> None:
    r = cli("stats", "zed", "--db", seeded.db)
    assert r.code == 0
    assert r.out.startswith("Progress: zed — workspace local\n")
    assert "No scored sessions yet. Start one with `hotseat console --user zed`" in r.out
    assert not (Path(seeded.db).parent / "charts" / "progress-zed.png").exists()
    elsewhere = cli("stats", "ann", "--workspace", "T9", "--db", seeded.db).out
    assert "workspace T9" in elsewhere and "No scored sessions yet" in elsewhere


# -- team -----------------------------------------------------------------------------------


def _team_names(out: str) -> list[str]:
    return re.findall(r"^  ((?:Trainee \d\d)|Ann|Bob|Cat|Dan|Eve|Fay)\s", out, re.M)


def test_team_pages_ten_at_a_time_and_sorts_by_any_column(crowded: Seeded, cli) -> None:
    first = cli("team", "--db", crowded.db)
    assert first.code == 0 and "23 trainees, sorted by name (ascending)." in first.out and "Page 1 of 3." in first.out
    names = _team_names(first.out)
    assert names == ["Ann", "Bob", "Cat", "Dan", "Eve", "Fay", "Trainee 00", "Trainee 01", "Trainee 02", "Trainee 03"]
    assert "(Next: --page 2)" in first.out and "Previous:" not in first.out
    last = cli("team", "--page", "3", "--db", crowded.db)
    assert "Page 3 of 3" in last.out and len(_team_names(last.out)) == 3 and "Next:" not in last.out
    assert "(Previous: --page 2)" in last.out
    assert "Page 3 of 3" in cli("team", "--page", "9", "--db", crowded.db).out  # past the end: the last page

    best = _team_names(cli("team", "--sort", "average", "--db", crowded.db).out)  # numbers: highest first
    assert best[:3] == ["Fay", "Ann", "Eve"]
    worst = _team_names(cli("team", "--sort", "average", "--asc", "--db", crowded.db).out)
    assert worst[:2] == ["Trainee 00", "Trainee 01"]
    assert _team_names(cli("team", "--sort", "name", "--desc", "--db", crowded.db).out)[0] == "Trainee 16"
    row = next(line for line in first.out.splitlines() if line.startswith("  Ann "))
    assert re.search(r"Ann\s+3\s+4\s+90\.0\s+closing\s+\d{4}-\d\d-\d\d$", row), row

    page = json.loads(cli("team", "--sort", "sessions-week", "--page", "2", "--db", crowded.db, "--json").out)
    assert (page["page"], page["pages"], page["sort"], page["descending"]) == (2, 3, "sessions_week", True)


def test_team_refuses_an_unknown_column(crowded: Seeded, cli) -> None:
    line = one_friendly_line(cli("team", "--sort", "shoe_size", "--db", crowded.db))
    assert "Unknown column 'shoe_size'" in line and "last_practice" in line


# -- export --------------------------------------------------------------------------------


def test_export_csv_to_a_file_opens_with_csv_reader(seeded: Seeded, cli, tmp_path: Path) -> None:
    out = tmp_path / "sessions.csv"
    r = cli("export", "--db", seeded.db, "--out", str(out), "--turns")
    assert r.code == 0 and r.out == "" and r.err.strip() == f"hotseat: exported 17 sessions as CSV to {out}."
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 17 and list(rows[0])[-1] == "transcript"
    assert all(ISO.match(row["started_at"]) and ISO.match(row["ended_at"]) for row in rows)
    last_of_ann = next(row for row in rows if row["session_id"] == str(seeded.ids["ann"][-1]))
    assert last_of_ann["persona_name"] == "Dana Whitfield" and last_of_ann["closing"] == "50"
    transcript = last_of_ann["transcript"]  # one cell: newlines and quotes stay inside it
    assert "Trainee: So \"twice\", right?\n" in transcript and "Trainee: =SUM(A1), fixed" in transcript
    assert len(transcript.splitlines()) == 6 and not transcript.startswith(("=", "'"))

    bom = tmp_path / "bom.csv"
    cli("export", "--db", seeded.db, "--out", str(bom), "--bom", "--user", "bob")
    raw = bom.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfsession_id,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [row["user"] for row in rows] == ["bob"] * 3 and "transcript" not in rows[0]


def test_export_writes_to_stdout_and_counts_on_stderr(seeded: Seeded) -> None:
    day = time.strftime("%Y-%m-%d", time.gmtime(seeded.now - 10 * DAY))
    for argv in ((), ("--out", "-")):
        r = hotseat("export", "--format", "jsonl", "--since", day, "--db", seeded.db, *argv)
        assert r.returncode == 0, r.stderr
        records = [json.loads(line) for line in r.stdout.splitlines()]
        assert len(records) == 16 and r.stderr.strip() == "hotseat: exported 16 sessions as JSONL."
        assert all(ISO.match(x["ended_at"]) for x in records) and "transcript" not in records[0]
    csv_out = hotseat("export", "--bom", "--until", day, "--db", seeded.db)
    rows = list(csv.reader(io.StringIO(csv_out.stdout.removeprefix("\ufeff"), newline="")))
    assert csv_out.stdout.startswith("\ufeff") and len(rows) == 2 and rows[1][6] == "ann"  # header + the old one


def test_export_refuses_bad_dates_in_one_line(seeded: Seeded, cli) -> None:
    assert "not a date" in one_friendly_line(cli("export", "--since", "2026-13-01", "--db", seeded.db))
    assert "YYYY-MM-DD" in one_friendly_line(cli("export", "--until", "30/11/2026", "--db", seeded.db))
    assert "not after" in one_friendly_line(cli("export", "--since", "2026-11-30", "--until", "2026-11-01",
                                                "--db", seeded.db))
    r = cli("export", "--db", seeded.db, "--out", str(Path(seeded.db).parent / "no" / "such" / "dir.csv"))
    assert r.code == 2 and "cannot write the export file" in r.err and "Traceback" not in r.err


# -- leaderboard ---------------------------------------------------------------------------


def test_leaderboard_is_the_fair_board_with_ties_and_who_is_not_ranked(seeded: Seeded, cli) -> None:
    r = cli("leaderboard", "--db", seeded.db)
    assert r.code == 0, r.err
    ranks = re.findall(r"^\s+(=?\d+)\s+(\w+)\s+(\d+\.\d)", r.out, re.M)
    assert ranks == [("1", "Ann", "90.0"), ("=2", "Bob", "80.0"), ("=2", "Cat", "80.0"), ("4", "Dan", "70.0")]
    assert "Fay" not in r.out  # opted out
    assert "Not ranked yet: Eve (2 more)." in r.out
    assert r.out.startswith("Leaderboard (week) — workspace local\n")
    assert "weighted by difficulty (1 star x0.8 ... 5 stars x1.2); at least 3 sessions." in r.out
    assert "optout" not in r.out  # a chat command: the CLI has none

    mine = cli("leaderboard", "--user", "fay", "--db", seeded.db).out
    assert "fay: 2 of 5, rating 85.5" in mine  # 95 x 0.9 on a 2-star customer, below Ann
    assert "opted out" in mine and "Fay " not in mine.split("fay:")[0]
    assert "cat: =2 of 4, rating 80.0." in cli("leaderboard", "--user", "cat", "--db", seeded.db).out
    assert "eve: 2 more sessions to be ranked." in cli("leaderboard", "--user", "eve", "--db", seeded.db).out
    assert "zed: 3 more sessions to be ranked." in cli("leaderboard", "--user", "zed", "--db", seeded.db).out

    board = json.loads(cli("leaderboard", "all", "--json", "--db", seeded.db).out)
    assert [(x["user"], x["rank"], x["tied"]) for x in board["rows"]] == [
        ("ann", 1, False), ("bob", 2, True), ("cat", 2, True), ("dan", 4, False)]
    assert board["rows"][0]["sessions"] == 4 and board["below_minimum"][0]["needed"] == 2
    week = json.loads(cli("leaderboard", "--period", "week", "--json", "--db", seeded.db).out)
    assert week["period"] == "week" and week["rows"][0]["sessions"] == 3  # the old session is out of the week


def test_leaderboard_filters_by_persona_and_shows_practice_volume(seeded: Seeded, cli) -> None:
    only = cli("leaderboard", "month", "--persona", "airline-cancellation", "--db", seeded.db)
    assert only.out.startswith("Leaderboard (month) for Niamh Gallagher")  # the persona's name, as in chat
    assert re.findall(r"^\s+(=?\d+)\s+(\w+)", only.out, re.M) == [("=1", "Bob"), ("=1", "Cat")]
    assert "no persona called" in one_friendly_line(cli("leaderboard", "--persona", "nobody", "--db", seeded.db))

    volume = cli("leaderboard", "--volume", "--user", "fay", "--db", seeded.db)
    rows = re.findall(r"^\s+(\w+)\s+(\d+)\s+(\d+)d$", volume.out, re.M)
    assert rows[0] == ("Ann", "3", "3") and ("Eve", "1", "1") in rows and all(r[0] != "Fay" for r in rows)
    assert "fay: 3 sessions, a 1-day streak." in volume.out
    data = json.loads(cli("leaderboard", "all", "--volume", "--json", "--db", seeded.db).out)
    assert data["rows"][0] == {"user": "ann", "name": "Ann", "sessions": 4, "streak": 3}


# -- history ----------------------------------------------------------------------------------


def test_history_shows_the_dimension_scores_and_how_to_reread(seeded: Seeded, cli) -> None:
    r = cli("history", "ann", "--db", seeded.db)
    assert r.out.startswith("Sessions: ann — workspace local\n")
    oldest, *_, newest = seeded.ids["ann"]  # played oldest first; listed newest first
    row = r"^\s+{}\s+\d{{4}}-\d\d-\d\d\s+Dana Whitfield\s+{}\s+resolved\s+{}$"
    assert re.search(row.format(newest, 100, r"90\s+90\s+90\s+90\s+90\s+50"), r.out, re.M), r.out
    assert re.search(row.format(oldest, 60, r"50\s+50\s+50\s+50\s+50\s+20"), r.out, re.M), r.out
    assert len(re.findall(r"(?:\s+\d+){6}$", r.out, re.M)) == 4  # every session has its six scores
    assert "empa: empathy" in r.out and "clos: closing" in r.out  # the column legend
    assert f"(hotseat debrief {newest})" in r.out and "`hotseat debrief ID` shows a debrief again" in r.out
    past = json.loads(cli("history", "ann", "--db", seeded.db, "--json").out)
    assert past[0]["dimensions"]["closing"] == 50 and past[-1]["dimensions"]["closing"] == 20


# -- charts that cannot be drawn never break a session ----------------------------------------


def test_console_without_matplotlib_finishes_with_a_one_line_note(tmp_path: Path) -> None:
    fake = tmp_path / "fake" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("No module named matplotlib")\n')
    db = str(tmp_path / "m.sqlite3")
    out = hotseat("console", "double-billing", "--seed", "1", "--user", "ana", "--db", db,
                  stdin=(SCRIPTS / "excellent.txt").read_text(),
                  env={"PYTHONPATH": os.pathsep.join([str(tmp_path / "fake"), str(ROOT)])})
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert "Debrief" in out.stdout and " Chart:" not in out.stdout
    assert out.stdout.count("matplotlib is not installed") == 1
    assert not (tmp_path / "charts").exists()

    skipped = hotseat("console", "double-billing", "--seed", "1", "--user", "bo", "--db", db, "--no-charts",
                      stdin=(SCRIPTS / "excellent.txt").read_text())
    assert skipped.returncode == 0 and "Debrief" in skipped.stdout and "Chart" not in skipped.stdout
    assert not (tmp_path / "charts").exists()


# -- any panel as text -------------------------------------------------------------------------


def test_any_panel_draws_as_text_with_cli_commands_for_its_buttons() -> None:
    from bot.frontends import panels
    from bot.frontends.console import render

    drill = panels.Panel(
        "Drill of the day", ("One customer each:",), notes=("Small print.",),
        buttons=(panels.Button("Start Dana", panels.START, "double-billing"),
                 panels.Button("Start Niamh", panels.START, "airline-cancellation"),
                 panels.Button("Debrief #7", panels.DEBRIEF, "7"), panels.Button("Debrief #6", panels.DEBRIEF, "6")),
        addressed=(("U1", "Dana Whitfield for closing (35)"),),
    )
    assert render.panel(drill).splitlines() == [
        "Drill of the day", "════════════════", "  One customer each:", "  U1: Dana Whitfield for closing (35)", "",
        "  Small print.", "  (hotseat console double-billing; hotseat debrief 7)",  # the first of each kind
    ]
    team = render.panel(panels.Panel("Team", table=(("trainee", "avg"), ("A" * 90, "9.0")),
                                     buttons=(panels.Button("Next", panels.TEAM_PAGE, "name:asc:2"),)), width=40)
    assert all(len(line) <= 40 for line in team.splitlines()) and team.endswith("\n  (Next: --page 2)")
