"""Did-you-mean for every name a trainer writes: keys, behaviours, bands, guards, outcomes
and states.

One lookup for all of them, so a misspelt name gets the same help wherever it is
written, and the loader can go on reading as if the nearest name had been written
(see loader.py): the trainer hears about the typo once, not about everything it broke.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Iterable

from bot.core.mood import NOTHING
from bot.persona.yaml_reader import quoted
from bot.vocab import LABEL_SET, LABELS

MAX_WORD = 100  # longer "names" are pasted text, not typos; comparing them is wasted time
CUTOFF = 0.6  # difflib's default: "empathie", "appology", "stonewalling" all pass

_SEPARATORS = re.compile(r"[\s\-]+")


def _norm(word: str) -> str:
    # "Follow up", "follow-up" and "FOLLOW_UP" are the same name misspelt the same way.
    return _SEPARATORS.sub("_", word.strip()).lower()


def _closest(word: str, options: tuple[str, ...]) -> str | None:
    by_norm: dict[str, str] = {}
    for option in options:
        by_norm.setdefault(_norm(option), option)
    norm = _norm(word)
    if norm in by_norm:
        return by_norm[norm]
    close = difflib.get_close_matches(norm, list(by_norm), n=1, cutoff=CUTOFF)
    return by_norm[close[0]] if close else None


# The fixed vocabularies (labels, keys, bands, guards) are small and asked about again and
# again, as one misspelling tends to be repeated; state names are per file and can run
# to thousands, so they are not kept.
_closest_cached = lru_cache(maxsize=1024)(_closest)
CACHED_OPTIONS = 64


def closest(word: object, options: Iterable[str]) -> str | None:
    """The option a misspelt `word` most likely meant, or None when none is close."""
    if not isinstance(word, str) or not word.strip() or len(word) > MAX_WORD:
        return None
    options = tuple(options)
    return (_closest_cached if len(options) <= CACHED_OPTIONS else _closest)(word, options)


def did_you_mean(word: object, options: Iterable[str]) -> str:
    """" Did you mean 'x'?" to append to a message, or "" when nothing is close."""
    guess = closest(word, options)
    return f" Did you mean {guess!r}?" if guess is not None else ""


def not_a_behaviour(value: object, extra: tuple[str, ...] = (), *, where: str = "") -> str:
    """Why `value` is not a behaviour here, worded for a trainer, with the nearest label.

    `extra` names what this place allows besides the labels (mood weights allow
    `nothing`); `where` is a hint for this place, said when `nothing` is misused.
    """
    if isinstance(value, str) and value.strip() and len(value) <= MAX_WORD:
        parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
        if len(parts) > 1 and all(p in LABEL_SET or p in extra for p in parts):
            return (
                f"{quoted(value)} is several behaviours written as one; "
                f"write them as a list in brackets: [{', '.join(parts)}]."
            )
    if value == NOTHING and NOTHING not in extra:
        return (
            f"'{NOTHING}' is not a behaviour: it stands for a message that shows none, and only "
            f"mood.weights can use it.{where} Otherwise use one of the {len(LABELS)} labels in docs/behaviours.md."
        )
    return (
        f"{quoted(value)} is not a behaviour.{did_you_mean(value, LABELS + extra)} "
        f"Use one of the {len(LABELS)} labels in docs/behaviours.md."
    )
