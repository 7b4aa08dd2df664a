"""The customer never goes back on what the trainee just settled.

Every persona is played 50 times with seeded scripts of mixed quality (lines drawn from
its excellent, robotic and hostile scripts, sometimes a line repeated), and the
consistency checker (bot/persona/consistency.py) must find no customer line that asks
again about a settled offer or contradicts the trainee's last one.
"""

from __future__ import annotations

import random
from functools import lru_cache
from pathlib import Path

import pytest

from bot.classifier import labels as classify
from bot.core import engine
from bot.persona.consistency import check
from bot.persona.library import Library

SCRIPTS = Path(__file__).parent / "data" / "scripts"
LIBRARY = Library.load()
RUNS = 50


@lru_cache(maxsize=None)
def _labels(text: str) -> frozenset[str]:
    return frozenset(classify(text))


def _pool(persona_id: str) -> list[str]:
    out: list[str] = []
    for kind in ("excellent", "robotic", "hostile"):
        path = SCRIPTS / persona_id / f"{kind}.txt"
        if path.exists():
            out += [x for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return out


def mixed_script(persona_id: str, seed: int) -> list[str]:
    """A trainee of mixed quality: mostly the excellent script in order, with robotic and
    hostile lines and the odd repeat mixed in, all chosen by `seed`."""
    rng = random.Random(seed)
    pool = _pool(persona_id)
    excellent = [x for x in (SCRIPTS / persona_id / "excellent.txt").read_text(encoding="utf-8").splitlines() if x.strip()]
    out: list[str] = []
    for line in excellent:
        roll = rng.random()
        if roll < 0.3:
            out.append(rng.choice(pool))
        elif roll < 0.4 and out:
            out.append(rng.choice(out))
        out.append(line)
    return out


def play(persona_id: str, seed: int) -> list[tuple[str, frozenset[str], str]]:
    persona = LIBRARY.get(persona_id)
    conv, _ = engine.begin(persona, seed)
    turns = []
    for text in mixed_script(persona_id, seed):
        if conv.over:
            break
        labels = _labels(text)
        step = engine.step(persona, conv, labels, text)
        turns.append((text, labels, step.customer))
        conv = step.conversation
    return turns


@pytest.mark.parametrize("persona_id", sorted(p for p in LIBRARY.personas if (SCRIPTS / p / "excellent.txt").exists()))
def test_no_customer_line_goes_back_on_a_settled_offer(persona_id: str) -> None:
    persona = LIBRARY.get(persona_id)
    findings = []
    for seed in range(RUNS):
        findings += [f"seed {seed}, {f}" for f in check(persona, play(persona_id, seed))]
    assert not findings, "\n".join(findings[:10])
