"""The tables the whole project shares, defined once: behaviour labels, how a conversation
can end, the customer's mood bands, and which poor behaviour hurts most.

Personas, the classifier, the engine, scoring, coaching, the store and every front end
read these; an unknown name anywhere is a mistake worth reporting early.
"""

from __future__ import annotations

# -- behaviour labels (docs/behaviours.md), in the order every table and report uses -------
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

# Poor behaviours from the most harmful: the customer reacts to the first one a message
# shows, and the debrief's tips and hints name the first one a trainee showed.
HARM_ORDER: tuple[str, ...] = ("rude", "blame", "dismissive", "argue", "stonewall", "defensive")


def is_label(name: str) -> bool:
    return name in LABEL_SET


# -- how a conversation can end -------------------------------------------------------------
# What a persona's terminal state may declare (`outcome:` in YAML).
ENDINGS: tuple[str, ...] = ("resolved", "escalated", "customer_left")
# What a session can end as: a persona ending, or "unfinished" (ended by the trainee,
# the idle timeout or the turn cap before the customer settled anything).
OUTCOMES: tuple[str, ...] = (*ENDINGS, "unfinished")

# -- mood bands -----------------------------------------------------------------------------
# The customer speaks from "calm" lines below UPSET, "upset" ones below FURIOUS, "furious"
# ones from there to 100. The engine, coaching and every mood meter read them here.
UPSET = 35
FURIOUS = 70
BANDS: tuple[str, ...] = ("calm", "upset", "furious")


def band_of(mood: int) -> str:
    """The mood band of an anger level: calm 0-34, upset 35-69, furious 70-100."""
    if mood < UPSET:
        return "calm"
    if mood < FURIOUS:
        return "upset"
    return "furious"


# -- persona difficulty ---------------------------------------------------------------------
DIFFICULTY: tuple[int, int] = (1, 5)  # the scale a persona's `difficulty:` is on


def stars(difficulty: int) -> str:
    """'★★☆☆☆': a difficulty on its whole scale, shown the same in every front end."""
    lo, hi = DIFFICULTY
    d = max(lo, min(hi, difficulty))
    return "★" * d + "☆" * (hi - d)
