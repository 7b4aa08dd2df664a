"""How a trainee's words are matched against a persona's `asked_by` and `named_by` phrases.

Trainees type like people in a chat: "can u tell me teh email on ur acct", "refnud".
Matching on raw text missed those and matched loose words instead, so the customer
answered the wrong question. Text is first normalised (lowercase, straight quotes,
common shorthand spelled out, a one-slip typo of a persona's own word read as that
word), then each phrase is matched as whole words. Each match carries a weight (the
phrase's length in words), so when two facts match, the more specific one wins.

Typo repair only ever turns a word into one of the persona's own phrase words, and
only for slips people make typing (two letters swapped, one dropped or doubled; a
wrong letter only in long words), so "change" never becomes "charge".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

# Chat shorthand, as trainees type it, spelled out before matching.
SHORTHAND: dict[str, str] = {
    "u": "you", "ya": "you", "ur": "your", "yr": "your", "r": "are", "pls": "please", "plz": "please",
    "thx": "thanks", "ty": "thank you", "acct": "account", "acc": "account", "teh": "the", "hte": "the",
    "b4": "before", "wat": "what", "wht": "what", "whn": "when", "wen": "when", "tmrw": "tomorrow",
    "tmr": "tomorrow", "msg": "message", "amt": "amount", "addr": "address", "pwd": "password",
    "pw": "password", "cuz": "because", "bc": "because", "coz": "because", "info": "information",
    "num": "number", "no.": "number", "#": "number", "mgr": "manager", "sup": "supervisor",
    "im": "i'm", "cant": "can't", "dont": "don't", "wont": "won't", "didnt": "didn't",
    "isnt": "isn't", "wasnt": "wasn't", "ive": "i've", "ill": "i'll", "whats": "what's",
    "thats": "that's", "doesnt": "doesn't", "couldnt": "couldn't", "hv": "have", "abt": "about",
    "w/": "with", "appt": "appointment", "mins": "minutes", "min": "minute", "hrs": "hours",
    "sec": "second", "asap": "as soon as possible", "tho": "though", "thru": "through",
}

_TOKEN = re.compile(r"w/|no\.|#|[\w$£€]+(?:['’.\-][\w]+)*")
_CLAUSE = re.compile(r"[.!?;:]+(?=\s|$)|\n+|,?\s+\b(?:but|however|instead|although|though)\b", re.IGNORECASE)
MIN_TYPO = 4  # shorter words are too easily another word


def _one_slip(a: str, b: str) -> bool:
    """Whether `a` is `b` typed with one common slip: a swap, a dropped or doubled letter,
    or (in words of 8 letters or more) one wrong letter."""
    if a == b or a[:1] != b[:1]:
        return False
    la, lb = len(a), len(b)
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return True
        return len(diff) == 1 and la >= 8
    if abs(la - lb) != 1 or min(la, lb) < MIN_TYPO:
        return False
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


def words_of(phrases: Iterable[str]) -> frozenset[str]:
    """The words a persona's phrases are made of: what a typo may be read as."""
    out: set[str] = set()
    for phrase in phrases:
        for w in re.findall(r"[a-z]+", phrase.lower().replace("?", "")):
            if len(w) >= MIN_TYPO:
                out.add(w)
    return frozenset(out)


@lru_cache(maxsize=256)
def _by_shape(vocab: frozenset[str]) -> dict[tuple[str, int], tuple[str, ...]]:
    """The vocabulary by (first letter, length), each group sorted, so the word a typo is
    read as never depends on the order a set happens to iterate in (it varies by process)
    and a word is only compared with the few it could be one slip away from."""
    out: dict[tuple[str, int], list[str]] = {}
    for w in sorted(vocab):
        out.setdefault((w[0], len(w)), []).append(w)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=4096)
def normalise(text: str, vocab: frozenset[str] = frozenset()) -> str:
    """Text as matching sees it: lowercase words and amounts separated by single spaces,
    shorthand spelled out, and a slip-typed word of `vocab` read as that word."""
    out: list[str] = []
    for tok in _TOKEN.findall(text.lower().replace("’", "'")):
        tok = SHORTHAND.get(tok, tok)
        if vocab and tok not in vocab and tok.isalpha() and len(tok) >= MIN_TYPO:
            shapes = _by_shape(vocab)
            near = [w for n in (len(tok), len(tok) - 1, len(tok) + 1) for w in shapes.get((tok[0], n), ())]
            for w in near:
                if _one_slip(tok, w):
                    tok = w
                    break
        out.append(tok)
    return " ".join(out)


def prepared(text: str, vocab: frozenset[str] = frozenset()) -> str:
    """What phrases are matched against: the normalised words, then the text as written
    (lowercased), so a phrase with punctuation in it ("a.b (c)") still matches literally.
    The two halves are kept apart by a character no phrase can span."""
    return normalise(text, vocab) + " \x00 " + text.lower().replace("’", "'")


def clauses(text: str) -> list[str]:
    """Text split into the pieces a stance holds over: sentences, and the parts of one on
    either side of a 'but' ("I can't refund that, but I can credit you")."""
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


def sentences(text: str) -> list[str]:
    """Sentences with their closing punctuation kept, so a question still reads as one."""
    return [s.strip() for s in re.findall(r"[^.!?\n]+[.!?]*", text) if s.strip()]


@dataclass(frozen=True, slots=True)
class Phrases:
    """Compiled phrases, each matched as whole words in normalised text."""

    patterns: tuple[tuple[re.Pattern, int], ...]  # (regex, weight: words in the phrase)
    any_of: re.Pattern  # all of them at once: most text names none, and one search says so

    def weight(self, norm: str) -> int:
        """How specifically `norm` (text as `prepared` gives it) names this: the words of every phrase found."""
        if not self.any_of.search(norm):
            return 0
        return sum(w for rx, w in self.patterns if rx.search(norm))

    def __call__(self, text: str) -> bool:
        """Whether raw `text` mentions one of the phrases (kept for callers that only ask that)."""
        return self.weight(prepared(text)) > 0


def compile_phrases(pieces: list[tuple[str, str]]) -> Phrases:
    """(phrase as written, its regex from the loader) pairs, as Phrases. Plurals and
    -ed/-ing forms count too: "charge" matches "charges" and "charged"."""
    out = []
    for phrase, pattern in pieces:
        weight = max(1, len(phrase.replace("?", " ").split()))
        out.append((re.compile(_WHOLE.format(pattern), re.IGNORECASE), weight))
    any_of = re.compile(_WHOLE.format("|".join(p for _, p in pieces)), re.IGNORECASE)
    return Phrases(tuple(out), any_of)


_WHOLE = r"(?<!\w)(?:{})(?:s|es|d|ed|ing)?(?!\w)"
