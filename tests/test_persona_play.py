"""Every shipped persona played through the real service, classifier and SQLite store by
three trainees in plain words: an excellent agent resolves it, a hostile one never does,
and the debrief ranks excellent above robotic above hostile.

The scripts (tests/data/scripts/<persona>/) were written as real agents would write to
that customer, not tuned to the classifier: a failure here is what a trainee would meet.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.persona.library import Library
from bot.core.service import HotseatService, Who
from bot.store.sqlite import Store
from conftest import begin, ended

SCRIPTS = Path(__file__).parent / "data" / "scripts"
LIBRARY = Library.load()


async def play(tmp_path: Path, persona: str, kind: str, seed: int) -> tuple[str, int]:
    lines = [x for x in (SCRIPTS / persona / f"{kind}.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
    store = await Store.open(tmp_path / f"{persona}-{kind}-{seed}.sqlite3")
    try:
        service = HotseatService(store, LIBRARY)
        who = Who("local", f"C-{kind}", "U1", "trainee")
        await begin(service, who, persona, seed=seed)
        ending = None
        for line in lines:
            ending = ended(await service.reply(who, line))
            if ending is not None:
                break
        if ending is None:
            ending = ended(await service.end(who))
            assert ending is not None, (persona, kind, "nothing was played")  # every script has lines
        return ending.outcome, ending.debrief.score
    finally:
        await store.close()


def test_every_shipped_persona_has_scripts() -> None:
    ids = {p.stem for p in Path(__file__).resolve().parents[1].joinpath("personas").glob("*.yaml")}
    assert ids and ids == {d.name for d in SCRIPTS.iterdir() if d.is_dir()}


@pytest.mark.parametrize("persona", sorted(d.name for d in SCRIPTS.iterdir() if d.is_dir()))
@pytest.mark.parametrize("seed", [1, 2])
async def test_good_resolves_hostile_never_and_scores_rank(tmp_path: Path, persona: str, seed: int) -> None:
    excellent, e = await play(tmp_path, persona, "excellent", seed)
    _, r = await play(tmp_path, persona, "robotic", seed)
    hostile, h = await play(tmp_path, persona, "hostile", seed)
    assert excellent == "resolved", (persona, excellent, e)
    assert hostile != "resolved", (persona, hostile, h)
    assert e >= 60 and e > r >= h, (persona, e, r, h)
    assert r > h or r == 0, (persona, r, h)  # only a floor of 0 may tie them


# Every further tuning script (excellent-b ... excellent-8c, robotic-7a, hostile-b, ...), most
# written blind from the brief and only then tuned against: played once, since the seed
# changes only the customer's wording, never a transition. What a later retune must not undo.
FURTHER = sorted((d.name, f.stem) for d in SCRIPTS.iterdir() if d.is_dir() for f in d.glob("*-*.txt"))
# Blind scripts a persona cannot yet answer as their kind, each with the reason. Strict: when a
# fix makes one pass, the mark must go.
STOCK_POLITENESS = ("a robotic agent's stock apology ('we apologise for any inconvenience') is an apology under the "
                    "label guide, and with a by-the-book refund and its timing it settles the customer: the persona "
                    "cannot tell it from a sincere one (tuning round 11)")
KNOWN = {
    ("card-fraud", "robotic-11c"): STOCK_POLITENESS,
    ("double-billing", "robotic-11c"): STOCK_POLITENESS,
    ("late-delivery", "robotic-11c"): STOCK_POLITENESS,
}


@pytest.mark.parametrize("persona, script", [
    pytest.param(p, s, marks=pytest.mark.xfail(reason=KNOWN[p, s], strict=True)) if (p, s) in KNOWN else (p, s)
    for p, s in FURTHER
])
async def test_every_tuning_script_ends_as_its_kind(tmp_path: Path, persona: str, script: str) -> None:
    outcome, score = await play(tmp_path, persona, script, 1)
    if script.startswith("excellent"):
        assert outcome == "resolved", (persona, script, outcome, score)
    else:
        assert outcome != "resolved", (persona, script, outcome, score)
