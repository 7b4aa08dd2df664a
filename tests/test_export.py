"""Exports as a lead opens them: CSV in a spreadsheet or csv.reader, JSONL in a script."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

import bot.core.export as export_mod
from bot.core.export import EXPORT_COLUMNS, export
from bot.core.records import Detection, Turn
from bot.debrief.scoring import DIMENSIONS
from bot.store.sqlite import Closing, Store

T0 = 1_800_000_000.0  # 2027-01-15T08:00:00Z
TRICKY = 'Sorry, "really" sorry,\nI\'ll fix it, today'


@pytest.fixture
async def store(tmp_path):
    s = await Store.open(tmp_path / "hotseat.sqlite3")
    yield s
    await s.close()


async def play(s: Store, user: str, score: int, *, ended: float, name: str | None = None, lines=("Hello",),
               persona: str = "double-billing", workspace: str = "T1") -> int:
    rec = await s.create_session(workspace=workspace, channel=f"C-{user}-{ended}", user=user,
                                 user_name=name or user, persona_id=persona, seed=1, engine={}, now=ended - 90)
    body = {"score": score, "dimensions": {d: score - i for i, d in enumerate(DIMENSIONS)}}
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        t = Turn(i + 1, line, (Detection("apology", 0, 5, line[:5]),), f"Reply {i}, fine.", "listening", 40)  # turns count from 1, as played
        await s.record_turn(rec.id, t, {}, ended if last else ended - 10,
                            closing=Closing("resolved", "terminal", body, score) if last else None)
    return rec.id


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


async def run(store, **kw) -> str:
    out = io.StringIO(newline="")
    await export(store, "T1", out, **kw)
    return out.getvalue()


async def test_csv_round_trips_with_and_without_bom(store, library):
    sid = await play(store, "ann", 80, ended=T0, name="Ann, the \"new\" one", lines=("Hi", TRICKY))
    for bom in (False, True):
        text = await run(store, bom=bom, library=library)
        assert text.startswith("\ufeff") is bom
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
        assert rows[0] == list(EXPORT_COLUMNS)
        assert len(rows) == 2
        row = dict(zip(rows[0], rows[1]))
        assert row["session_id"] == str(sid) and row["user_name"] == 'Ann, the "new" one'
        assert (row["persona_name"], row["difficulty"]) == ("Dana Whitfield", "2")
        assert (row["score"], row["turns"], row["hints"], row["outcome"]) == ("80", "2", "0", "resolved")
        assert [row[d] for d in DIMENSIONS] == [str(80 - i) for i in range(6)]
        assert row["ended_at"] == "2027-01-15T08:00:00Z" and row["started_at"] == "2027-01-15T07:58:30Z"
        assert dt.datetime.fromisoformat(row["ended_at"]).timestamp() == T0


async def test_a_file_path_gets_utf8_with_the_bom_spreadsheets_need(store, tmp_path):
    await play(store, "zoë", 70, ended=T0, name="Zoë 🙂")
    path = tmp_path / "out" / "export.csv"
    path.parent.mkdir()
    assert await export(store, "T1", path, bom=True) == 1
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = read_csv(raw.decode("utf-8-sig"))
    assert rows[0]["user_name"] == "Zoë 🙂"


async def test_formula_injection_is_neutralised(store):
    for i, name in enumerate(("=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)", "\tx", "ok=1")):
        await play(store, f"u{i}", 50, ended=T0 + i, name=name, lines=("=cmd|' /C calc'!A0",))
    rows = read_csv(await run(store, include_turns=True))
    assert [r["user_name"] for r in rows] == [
        "'=HYPERLINK(\"http://evil\")", "'+1+1", "'-2", "'@SUM(A1)", "'\tx", "ok=1"]
    assert all(not r["transcript"].startswith(("=", "+", "-", "@")) for r in rows)
    assert rows[0]["score"] == "50"  # numbers stay numbers


async def test_turns_are_included_only_when_asked(store):
    await play(store, "ann", 80, ended=T0, lines=("Hi there", TRICKY))
    without = read_csv(await run(store))
    assert "transcript" not in without[0]
    with_turns = read_csv(await run(store, include_turns=True))
    assert with_turns[0]["transcript"] == (
        "1. Trainee: Hi there\n1. Customer: Reply 0, fine.\n"
        f"2. Trainee: {TRICKY}\n2. Customer: Reply 1, fine."
    )


async def test_since_until_and_user_filters(store):
    a = await play(store, "ann", 60, ended=T0)
    b = await play(store, "bob", 70, ended=T0 + 100)
    c = await play(store, "ann", 80, ended=T0 + 200)
    await play(store, "ann", 90, ended=T0 + 300, workspace="T2")
    await store.create_session(workspace="T1", channel="live", user="ann", user_name="ann", persona_id="x",
                               seed=1, engine={}, now=T0)  # still running: not exported

    def ids(text: str) -> list[int]:
        return [int(r["session_id"]) for r in read_csv(text)]

    assert ids(await run(store)) == [a, b, c]
    assert ids(await run(store, user="ann")) == [a, c]
    assert ids(await run(store, since=T0 + 100)) == [b, c]
    assert ids(await run(store, until=T0 + 100)) == [a]  # until is exclusive
    since = dt.datetime.fromtimestamp(T0 + 50, dt.timezone.utc)
    assert ids(await run(store, since=since, until=since.replace(tzinfo=None) + dt.timedelta(seconds=100))) == [b]
    assert ids(await run(store, user="nobody")) == []
    assert (await run(store, user="nobody")).splitlines() == [",".join(EXPORT_COLUMNS)]


async def test_jsonl_is_one_object_a_line(store, monkeypatch):
    monkeypatch.setattr(export_mod, "PAGE", 2)  # several pages, streamed one after another
    ids = [await play(store, f"u{i}", 50 + i, ended=T0 + i, lines=("Hi", TRICKY)) for i in range(5)]
    text = await run(store, fmt="jsonl", include_turns=True, bom=True)
    assert not text.startswith("\ufeff")
    lines = text.splitlines()
    assert len(lines) == 5
    objs = [json.loads(line) for line in lines]
    assert [o["session_id"] for o in objs] == ids
    assert list(objs[0]) == [*EXPORT_COLUMNS, "transcript"]
    assert objs[0]["transcript"][1] == {"index": 2, "trainee": TRICKY, "customer": "Reply 1, fine.",
                                        "labels": ["apology"], "state": "listening", "mood": 40}
    assert objs[0]["ended_at"] == "2027-01-15T08:00:00Z" and objs[0]["persona_name"] is None
    plain = json.loads((await run(store, fmt="jsonl")).splitlines()[0])
    assert "transcript" not in plain and plain["turns"] == 2


async def test_an_unknown_format_is_refused(store):
    with pytest.raises(ValueError, match="csv, jsonl"):
        await run(store, fmt="xlsx")
