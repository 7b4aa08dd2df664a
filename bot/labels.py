"""The 19 behaviour labels the whole project speaks (see docs/behaviours.md).

Personas, the classifier, scoring and the debrief all refer to behaviours by these
names, so an unknown name anywhere is a mistake worth reporting early.
"""

from __future__ import annotations

GOOD: tuple[str, ...] = (
    "greeting",
    "empathy",
    "apology",
    "ownership",
    "question",
    "paraphrase",
    "solution",
    "expectation",
    "tactful_no",
    "gratitude",
    "follow_up",
    "escalation_offer",
    "boundary",
)

POOR: tuple[str, ...] = (
    "blame",
    "defensive",
    "dismissive",
    "argue",
    "rude",
    "stonewall",
)

LABELS: tuple[str, ...] = GOOD + POOR
LABEL_SET: frozenset[str] = frozenset(LABELS)


def is_label(name: str) -> bool:
    return name in LABEL_SET
