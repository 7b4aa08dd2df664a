"""The turn-by-turn debrief: each turn's mood before and after, the reason the customer
moved, and the turning points, through the real service, the CLI and the console."""

from __future__ import annotations

import json
import re

from bot.core.events import Ended
from bot.core.records import Detection, Transcript, Turn
from bot.core.service import HotseatService, Who
from bot.debrief import timeline
from bot.debrief.scoring import Debrief, score
from bot.frontends.console import render
from bot.vocab import band_of
from conftest import begin, ended, opened
from test_cli import SCRIPTS, hotseat

# double-billing: empathy -12, apology -10, ownership -12, blame 18 (the persona's weights)
PLAYED = [
    "Hi Dana, I'm Sam from billing. I'm so sorry you were charged twice, that must be really stressful.",
    "You must have signed up twice, that's on you.",
    "That's our mistake and I'll take care of it myself.",
    "I've refunded the duplicate $17.99 just now; you'll see it back on your card within 3 to 5 business days.",
]


def turn(index: int, mood: int, *labels: str) -> Turn:
    return Turn(index, f"line {index}", tuple(Detection(lab, 0, 1, "x") for lab in labels), "…", "s", mood)


async def play(service: HotseatService, who: Who, lines: list[str]) -> tuple[Ended, list[Turn], int]:
    """The debrief, the stored turns and the persona's start mood of a played session."""
    opening = opened(await begin(service, who, "double-billing", seed=1))
    last = None
    for line in lines:
        last = ended(await service.reply(who, line)) or last
        if last is not None:
            break
    if last is None:
        (last,) = await service.end(who)
    return last, await service.store.turns(opening.session_id), opening.persona.mood_start


async def test_a_played_session_has_one_moment_per_turn_chaining_from_the_start_mood(service, who) -> None:
    last, turns, start = await play(service, who, PLAYED)
    moments = last.debrief.timeline
    assert [m.index for m in moments] == [t.index for t in turns] and len(turns) >= 3
    assert [m.mood_after for m in moments] == [t.mood for t in turns]
    assert [m.mood_before for m in moments] == [start] + [t.mood for t in turns[:-1]]
    for m in moments:
        assert m.delta == m.mood_after - m.mood_before
        assert (m.band_before, m.band_after) == (band_of(m.mood_before), band_of(m.mood_after))
    # what was stored with the session is what the trainee was shown
    stored = await service.store.debrief(last.session_id)
    assert Debrief.from_dict(stored).timeline == moments


async def test_the_reason_names_what_moved_the_customer_and_by_how_much(service, who) -> None:
    last, turns, _ = await play(service, who, PLAYED)
    first, blamed, owned = last.debrief.timeline[:3]
    assert "apology" in first.labels and first.delta < 0
    assert first.reason.startswith(f"calmed {-first.delta} points: ")
    assert "apologised" in first.reason and "named the customer's feelings" in first.reason
    assert blamed.labels == ("blame",) and blamed.delta == 18  # her own weight for blame
    assert blamed.reason == "angered 18 points: blamed the customer"
    assert owned.reason.startswith(f"calmed {-owned.delta} points: ") and "took ownership" in owned.reason
    # the explanation uses what the engine counted (replayed), and adds up to what it did
    # (before rounding and the 0-100 clamp)
    assert timeline.engine_counts(last.persona, 1, turns) is not None
    for m in last.debrief.timeline:
        assert abs(m.mood_before + sum(m.effects.values()) - m.mood_after) <= 0.55


async def test_a_quiet_turn_says_so(service, who) -> None:
    last, _, _ = await play(service, who, ["Ok.", "Ok then."])
    assert all(m.labels == () for m in last.debrief.timeline)
    assert last.debrief.timeline[0].reason == "angered 3 points: said nothing the customer could use"


def test_a_mixed_message_names_both_sides_and_repeats_count_for_less() -> None:
    moments = timeline.build([turn(1, 62, "apology"), turn(2, 58, "apology"), turn(3, 48, "ownership", "apology", "defensive")], 70)
    assert [m.reason for m in moments] == [
        "calmed 8 points: apologised",
        "calmed 4 points: apologised again",
        "calmed 10 points: took ownership and apologised again; the excuses cost 8",
    ]
    blamed = timeline.build([turn(1, 92, "blame", "apology")], 85)[0]
    assert blamed.reason == "angered 7 points: blamed the customer; the apology won back 8"


def test_no_change_explains_itself() -> None:
    calm, neutral = timeline.build([turn(1, 0, "empathy"), turn(2, 0, "tactful_no")], 0)
    assert calm.reason == "no change: named the customer's feelings, but the customer was already fully calm"
    assert neutral.reason == "no change: said no with an alternative, which did not move the customer"
    capped = timeline.build([turn(1, 100, "rude")], 90)[0]
    assert capped.reason == "angered 10 points: were rude; the customer could not get angrier"


def test_turning_points_are_the_biggest_meaningful_moves_at_most_three() -> None:
    moods = [46, 43, 55, 47, 32, 30]  # from 70: -24, -3, +12, -8, -15, -2
    moments = timeline.build([turn(i, m) for i, m in enumerate(moods, 1)], 70)
    assert [m.index for m in moments if m.turning_point] == [1, 3, 5]  # in turn order, -8 left out
    small = timeline.build([turn(i, m) for i, m in enumerate([66, 63, 60, 65], 1)], 70)
    assert not any(m.turning_point for m in small)  # moves under 8 points teach nothing
    one = timeline.build([turn(1, 40, "empathy")], 70)
    assert [m.turning_point for m in one] == [True]


def test_an_old_debrief_without_a_timeline_still_loads() -> None:
    d = score(Transcript("double-billing", 2, "resolved", [turn(1, 60, "apology"), turn(2, 45, "solution")], [],
                         mood_start=70))
    data = json.loads(json.dumps(d.to_dict()))
    assert [m["turn"] for m in data["timeline"]] == [1, 2]
    assert Debrief.from_dict(data) == d
    del data["timeline"]
    old = Debrief.from_dict(data)
    assert old.timeline == () and old.score == d.score
    assert "Turn by turn" not in render.debrief(_ended(old))
    # a transcript that does not know its opening mood has no timeline to show
    assert score(Transcript("double-billing", 2, "resolved", [turn(1, 60, "apology")], [])).timeline == ()


def test_simulate_json_includes_the_timeline(tmp_path) -> None:
    out = hotseat("simulate", "double-billing", "--script", str(SCRIPTS / "excellent.txt"), "--seed", "1", "--json",
                  "--db", str(tmp_path / "sim.sqlite3"))
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    moments = result["debrief"]["timeline"]
    assert [m["mood_after"] for m in moments] == [t["mood"] for t in result["turns"]]
    assert set(moments[0]) == {
        "turn", "mood_before", "mood_after", "delta", "band_before", "band_after", "labels", "effects", "reason",
        "turning_point",
    }
    assert 1 <= sum(m["turning_point"] for m in moments) <= 3
    assert moments[0]["reason"].startswith("calmed ")


def test_the_console_debrief_shows_turn_by_turn(tmp_path) -> None:
    out = hotseat("simulate", "double-billing", "--script", str(SCRIPTS / "hostile.txt"), "--seed", "1",
                  "--db", str(tmp_path / "sim.sqlite3"))
    assert out.returncode == 0, out.stderr
    section = out.stdout.split("Turn by turn", 1)[1].split("Lines to rethink", 1)[0]
    assert "▲" in section and "turning point" in section and "blamed the customer" in section
    assert out.stdout.index("Turn by turn") > out.stdout.index("professionalism")  # after the dimension bars


def test_a_long_conversation_stays_compact_and_within_80_columns() -> None:
    moods = [70 + (5 if i % 2 else -5) * (i % 3) for i in range(40)]
    turns = [turn(i, max(0, min(100, m)), "apology", "defensive", "question") for i, m in enumerate(moods, 1)]
    d = score(Transcript("double-billing", 2, "unfinished", turns, [], mood_start=70))
    lines = render.timeline(d.timeline)
    assert len(lines) <= 2 + 40 + 3  # header, a line per turn, at most 3 turning points wrap
    assert all(len(line) <= 80 for line in lines)
    assert re.search(r"^\s+1\s+70 → ", "\n".join(lines), re.M)


def _ended(debrief: Debrief) -> Ended:
    from bot.persona.library import Library

    persona = Library.load().get("double-billing")
    return Ended(1, persona, debrief.outcome, "terminal", debrief, "reply", Who("T", "C", "U", "Ana"), None, "Hi")
