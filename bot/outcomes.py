"""How a conversation can end: the one table persona files, scoring and the store share."""

from __future__ import annotations

# What a persona's terminal state may declare (`outcome:` in YAML).
ENDINGS: tuple[str, ...] = ("resolved", "escalated", "customer_left")
# What a session can end as: a persona ending, or "unfinished" (ended by the trainee,
# the idle timeout or the turn cap before the customer settled anything).
OUTCOMES: tuple[str, ...] = (*ENDINGS, "unfinished")
