"""From n-grams to a weighted feature vector: vocabulary, idf and normalisation.

One `Vectoriser` is fitted by training and saved beside the weights; inference loads it
and produces the same features without scikit-learn. Two blocks:
  - word n-grams of the message: binary times idf, l2-normalised;
  - character n-grams: each distinct word's own grams (binary times idf, l2-normalised),
    averaged over the message's distinct words. Because a word's block never depends on
    the rest of the message, inference can work out each word's share of the scores
    once and reuse it (see Model.logits_many), which is most of its speed.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from bot.classifier.features import char_grams, marks, word_grams, words

_CACHE_MAX = 50_000  # distinct words whose character columns are remembered


class Vectoriser:
    __slots__ = ("words", "chars", "idf", "char_weight", "_char_cache")

    def __init__(self, words: dict[str, int], chars: dict[str, int], idf: Sequence[float], char_weight: float) -> None:
        self.words = words  # word n-gram -> column
        self.chars = chars  # char n-gram -> column (numbered after the word block)
        self.idf = np.asarray(idf, dtype=np.float64)  # per column
        self.char_weight = char_weight
        self._char_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def width(self) -> int:
        return len(self.words) + len(self.chars)

    @classmethod
    def fit(cls, texts: Sequence[str], min_df: int = 2, char_weight: float = 1.0) -> Vectoriser:
        """Vocabulary of n-grams seen in at least `min_df` messages, sorted for determinism."""
        wdf: Counter[str] = Counter()
        cdf: Counter[str] = Counter()
        for text in texts:
            ws = words(text)
            wdf.update(set(word_grams(ws)) | set(marks(text)))
            cdf.update({g for w in set(ws) for g in char_grams(w)})
        wlist = sorted(g for g, n in wdf.items() if n >= min_df)
        clist = sorted(g for g, n in cdf.items() if n >= min_df)
        n = len(texts)
        idf = [math.log((1 + n) / (1 + wdf[g])) + 1 for g in wlist]
        idf += [math.log((1 + n) / (1 + cdf[g])) + 1 for g in clist]
        return cls({g: i for i, g in enumerate(wlist)}, {g: i + len(wlist) for i, g in enumerate(clist)}, idf, char_weight)

    def word_columns(self, ws: list[str], text: str) -> list[int]:
        """Known word n-gram and tone-mark columns of a message (tokenised as ws), each once."""
        vocab = self.words
        return list({i for g in word_grams(ws) + marks(text) if (i := vocab.get(g)) is not None})

    def char_block(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, l2-normalised values) of one word's character grams; cached."""
        got = self._char_cache.get(word)
        if got is None:
            vocab = self.chars
            cols = np.array(sorted({i for g in char_grams(word) if (i := vocab.get(g)) is not None}), dtype=np.int64)
            vals = self.idf[cols]
            if len(cols):
                vals = vals / np.sqrt(vals @ vals)
            got = (cols, vals)
            if len(self._char_cache) >= _CACHE_MAX:
                self._char_cache.clear()
            self._char_cache[word] = got
        return got

    def word_block(self, ws: list[str], text: str) -> tuple[np.ndarray, np.ndarray]:
        cols = np.array(self.word_columns(ws, text), dtype=np.int64)
        vals = self.idf[cols]
        if len(cols):
            vals = vals / np.sqrt(vals @ vals)
        return cols, vals

    def rows(self, texts: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR parts (indptr, indices, data) of many messages; a column may repeat within a
        row (two words sharing a gram), and CSR consumers add the repeats up."""
        parts_c: list[np.ndarray] = []
        parts_v: list[np.ndarray] = []
        ends = [0]
        for text in texts:
            ws = words(text)
            blocks = [self.word_block(ws, text)]
            distinct = sorted(set(ws))
            share = self.char_weight / len(distinct) if distinct else 0.0
            blocks += [(c, v * share) for c, v in map(self.char_block, distinct)]
            parts_c += [c for c, _ in blocks]
            parts_v += [v for _, v in blocks]
            ends.append(ends[-1] + sum(len(c) for c, _ in blocks))
        cols = np.concatenate(parts_c) if parts_c else np.zeros(0, dtype=np.int64)
        data = np.concatenate(parts_v).astype(np.float32) if parts_v else np.zeros(0, dtype=np.float32)
        return np.asarray(ends, dtype=np.int64), cols, data
