"""What the model sees of a message: normalised text, word tokens and n-grams.

Training and inference both call `grams`, so the features the weights were fitted on
are exactly the features a live message produces. Normalisation keeps one character
per input character, so an offset found in the normalised text is an offset in the
original: that is how the debrief can quote the words that earned a label.
"""

from __future__ import annotations

import re

# Curly quotes and dashes to ASCII, exotic spaces to " ", digits to "0": one in, one out.
_TRANS = str.maketrans({
    "\u2019": "'", "\u2018": "'", "\u201b": "'", "\u02bc": "'", "\u2032": "'", "\u00b4": "'",
    "`": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\uff1f": "?", "\uff01": "!", "\u2026": ".",
    **{chr(c): " " for c in range(0x3001) if chr(c).isspace()},
    **{str(d): "0" for d in range(1, 10)},
})

# A word (letters, digits, inner apostrophes) or any single symbol: "?", "!", an emoji.
TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*|[^\w\s]")

WORD_N = (1, 2, 3)  # word n-gram orders
CHAR_N = (2, 3, 4, 5)  # character n-gram orders, inside " word " as in scikit-learn's char_wb
MAX_CHARS = 4_000  # the longest message the service accepts; bounds the cost of anything longer


def normalise(text: str) -> str:
    """Lowercased, ASCII-punctuated text of exactly len(text) characters."""
    norm = text.translate(_TRANS)
    low = norm.lower()
    if len(low) != len(norm):  # a few characters (e.g. "\u0130") grow when lowered
        low = "".join(lc if len(lc := c.lower()) == 1 else c for c in norm)
    return low


def tokens(norm: str) -> list[re.Match[str]]:
    """Word and symbol tokens of normalised text (its first MAX_CHARS), with their offsets."""
    return list(TOKEN.finditer(norm, 0, MAX_CHARS))


def word_grams(words: list[str]) -> list[str]:
    """Word 1-3 grams, with message start and end markers so "no, ..." differs from "... no"."""
    seq = ["<s>", *words, "</s>"]
    out = words[:]
    n = len(seq)
    out += [f"{seq[i]} {seq[i + 1]}" for i in range(n - 1)]
    out += [f"{seq[i]} {seq[i + 1]} {seq[i + 2]}" for i in range(n - 2)]
    return out


def char_grams(word: str) -> list[str]:
    """Character 2-5 grams of " word ": catches typos, stems and chat spellings."""
    p = f" {word} "
    m = len(p)
    return [p[i:i + k] for k in CHAR_N if k <= m for i in range(m - k + 1)]


_LETTERS = re.compile(r"[^\W\d_]{2,}")
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")  # "sooo", "pleeease"
_SCARE = re.compile("(?<![\\w'])['\"\u2018\u201c][^'\"\u2019\u201d\\n]{2,30}['\"\u2019\u201d](?![\\w])")


def marks(text: str) -> list[str]:
    """Tone that lowercased n-grams cannot see: shouting, one word in capitals (mock
    emphasis), stretched words, 'scare quotes'. Each is one extra word-block feature."""
    text = text[:MAX_CHARS]
    out = []
    runs = _LETTERS.findall(text)
    upper = sum(1 for w in runs if w.isupper())
    if upper >= 3 and upper > 0.6 * len(runs):
        out.append("<shouting>")
    elif upper:
        out.append("<capitals>")
    if _ELONGATED.search(text):
        out.append("<stretched>")
    if _SCARE.search(text):
        out.append("<quoted>")
    return out


def words(text: str) -> list[str]:
    """The word and symbol tokens of a message, normalised."""
    return [m.group() for m in tokens(normalise(text[:MAX_CHARS]))]
