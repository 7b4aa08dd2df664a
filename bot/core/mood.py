"""How behaviours move the customer's anger, before a persona's own weights.

Documented for trainers in README.md (Writing a persona); keep the two in step.
"""

from __future__ import annotations

import math
from typing import Mapping

from bot.vocab import GOOD

NOTHING = "nothing"  # the weight key for a message that shows no behaviour

DEFAULT_WEIGHTS: Mapping[str, int] = {
    "greeting": -2,
    "empathy": -10,
    "apology": -8,
    "ownership": -10,
    "question": -2,
    "paraphrase": -8,
    "solution": -10,
    "expectation": -5,
    "tactful_no": 0,
    "gratitude": -3,
    "follow_up": -4,
    "escalation_offer": -3,
    "boundary": -4,
    "blame": 15,
    "defensive": 8,
    "dismissive": 15,
    "argue": 12,
    "rude": 20,
    "stonewall": 12,
    NOTHING: 3,
}

_GOOD = frozenset(GOOD)


def next_mood(
    mood: int, labels: frozenset[str], counts_before: Mapping[str, int], weights: Mapping[str, int]
) -> int:
    """Anger after one message, clamped to 0-100.

    A good behaviour repeated counts for less each time (1, 1/2, 1/3 ...): real
    customers stop being soothed by the fifth "sorry".
    """
    if not labels:
        delta = float(weights[NOTHING])
    else:  # fsum: exact, so the order a set yields its labels in (it varies by process) never shows
        delta = math.fsum(_weighted(label, weights[label], counts_before) for label in labels)
    return max(0, min(100, round(mood + delta)))


def _weighted(label: str, w: int, counts_before: Mapping[str, int]) -> float:
    return w / (1 + counts_before.get(label, 0)) if label in _GOOD and w < 0 else float(w)


def contributions(
    labels: frozenset[str], counts_before: Mapping[str, int], weights: Mapping[str, int]
) -> dict[str, float]:
    """Each behaviour's share of one message's move, exactly as `next_mood` adds them up
    (keyed NOTHING for a message with none), so the debrief can say why the mood moved."""
    if not labels:
        return {NOTHING: float(weights[NOTHING])}
    return {label: _weighted(label, weights[label], counts_before) for label in labels}
