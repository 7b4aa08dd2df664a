"""Label-guide conventions applied after the model, where a rule is demonstrably more
precise than the weights (docs/classifier.md lists what each one changed on dev).

"But" erases (docs/behaviours.md): empathy or an apology that only prefaces a flat
refusal earns neither. The model sees "I understand how you feel" and "but that's how it
works" as separate pieces of evidence and tends to keep both; the rule drops the
courtesy when the message refuses (stonewall) with a "but" and offers nothing instead.
"""

from __future__ import annotations

import re

_BUT = re.compile(r"\b(?:but|however|though)\b", re.IGNORECASE)
_OFFERS = frozenset({"tactful_no", "solution", "escalation_offer"})
_COURTESY = frozenset({"empathy", "apology"})


def apply(text: str, found: set[str]) -> set[str]:
    """The labels after the conventions; `found` is what the model predicted."""
    if "stonewall" in found and not found & _OFFERS and found & _COURTESY and _BUT.search(text):
        return found - _COURTESY
    return found
