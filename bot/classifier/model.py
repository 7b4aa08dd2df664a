"""The trained behaviour model: one linear scorer per label over n-gram features.

Why linear: it is fast enough for tens of thousands of messages a second with numpy
alone, it trains in seconds, and every decision can be traced back to the n-grams that
carried it, which is what the debrief quotes. The weights are fitted by
`bot.classifier.train` (scikit-learn, training only) and shipped as `weights.npz`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.vocab import LABELS
from bot.classifier.features import WORD_N, normalise, tokens, words
from bot.classifier.vectors import Vectoriser

WEIGHTS = Path(__file__).with_name("weights.npz")
STACK_SCALE = 0.3  # first-stage scores enter the second stage at about the size of text features
_WORDS_CACHED = 50_000  # words whose share of the scores is remembered (3.8 MB)


@dataclass(slots=True)
class Model:
    vectoriser: Vectoriser
    coef: np.ndarray  # (width, labels) float32
    bias: np.ndarray  # (labels,)
    thresholds: np.ndarray  # (labels,) decision thresholds on the logit, calibrated on dev
    stack: np.ndarray | None = None  # (2 * labels, labels): second stage over first-stage scores
    labels: tuple[str, ...] = LABELS
    meta: dict | None = None  # how it was trained: corpus sizes, settings, dev scores
    _rows: dict[str, int] = field(default_factory=dict, repr=False)  # word -> row of _table
    _table: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32), repr=False)

    def __post_init__(self) -> None:
        self._table = np.zeros((_WORDS_CACHED, self.coef.shape[1]), np.float32)

    # ------------------------------------------------------------------ scoring
    def logits(self, text: str) -> np.ndarray:
        return self.logits_many([text])[0]

    def logits_many(self, texts: Sequence[str]) -> np.ndarray:
        """Scores of many messages at once.

        Equal to features @ coef + bias with the features of Vectoriser.rows, computed
        faster: a word's character block is the same in every message, so its share of
        the scores (19 numbers) is worked out once per word and looked up after that.
        """
        vec = self.vectoriser
        wcols: list[int] = []
        wsizes: list[int] = []
        rows: list[int] = []
        csizes: list[int] = []
        shares: list[float] = []
        for text in texts:
            ws = words(text)
            cols = vec.word_columns(ws, text)
            wcols += cols
            wsizes.append(len(cols))
            distinct = set(ws)
            rows += [self._word_row(w) for w in distinct]
            csizes.append(len(distinct))
            shares.append(vec.char_weight / len(distinct) if distinct else 0.0)
        out = np.tile(self.bias, (len(texts), 1))
        if wcols:
            cols = np.asarray(wcols)
            seg = np.repeat(np.arange(len(texts)), wsizes)
            vals = vec.idf[cols]
            vals /= np.sqrt(np.bincount(seg, weights=vals * vals, minlength=len(texts)))[seg]
            out += _segment_sum(self.coef[cols] * vals[:, None].astype(np.float32), wsizes)
        if rows:
            weights = np.repeat(np.asarray(shares, dtype=np.float32), csizes)
            out += _segment_sum(self._table[np.asarray(rows)] * weights[:, None], csizes)
        if self.stack is None:
            return out
        n = len(self.labels)  # coef holds both stages side by side: first n columns, then n more
        return out[:, n:] + self.stack_features(out[:, :n]) @ self.stack

    @staticmethod
    def stack_features(first: np.ndarray) -> np.ndarray:
        """What the second stage sees of the first: each label's score, and as a probability."""
        first = np.clip(first, -30, 30)
        return np.hstack([first, 1 / (1 + np.exp(-first))]).astype(np.float32) * STACK_SCALE

    def _word_row(self, word: str) -> int:
        """Row of self._table holding `word`'s character block times coef."""
        row = self._rows.get(word)
        if row is None:
            if len(self._rows) >= len(self._table):
                self._rows.clear()  # bounded memory; frequent words come straight back
            row = self._rows[word] = len(self._rows)
            cols, vals = self.vectoriser.char_block(word)
            self._table[row] = vals.astype(np.float32) @ self.coef[cols] if len(cols) else 0.0
        return row

    def predict(self, text: str) -> list[int]:
        """Indices of the labels present."""
        return np.flatnonzero(self.logits(text) >= self.thresholds).tolist()

    # ------------------------------------------------------------------ evidence
    def evidence(self, text: str, labels: Sequence[int]) -> dict[int, tuple[int, int]]:
        """For each label, the words that did most for it, as a span: what the debrief quotes.

        The strongest word n-gram, widened by the overlapping or adjoining ones that
        carry at least half its weight ("calm" + "calm down" + "down it's"). The n-grams
        are found once and weighed for every label in one step.
        """
        toks = tokens(normalise(text))
        if not toks:
            return {j: (0, len(text)) for j in labels}
        whole = (toks[0].start(), toks[-1].end())
        vocab = self.vectoriser.words
        seq = ["<s>", *(m.group() for m in toks), "</s>"]
        last = len(toks) - 1
        cols: list[int] = []
        spans: list[tuple[int, int]] = []  # first and last token of each found n-gram
        for n in WORD_N:
            for i in range(len(seq) - n + 1):
                col = vocab.get(" ".join(seq[i:i + n]))
                a, b = max(i - 1, 0), min(i + n - 2, last)
                if col is not None and a <= b:
                    cols.append(col)
                    spans.append((a, b))
        has_word = [any(toks[k].group()[0].isalnum() for k in range(a, b + 1)) for a, b in spans]
        weights = (self.coef[cols][:, list(labels)] * self.vectoriser.idf[cols][:, None]) if cols else None
        out = {}
        for k, j in enumerate(labels):
            out[j] = whole if weights is None else _widen(toks, spans, has_word, weights[:, k]) or whole
        return out

    # ------------------------------------------------------------------ files
    def save(self, path: Path = WEIGHTS) -> None:
        vec = self.vectoriser
        words = sorted(vec.words, key=vec.words.__getitem__)
        chars = sorted(vec.chars, key=vec.chars.__getitem__)
        np.savez_compressed(
            path,
            coef=self.coef.astype(np.float16),
            bias=self.bias.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            idf=vec.idf.astype(np.float32),
            words=np.frombuffer("\n".join(words).encode(), dtype=np.uint8),
            chars=np.frombuffer("\n".join(chars).encode(), dtype=np.uint8),
            char_weight=np.float32(vec.char_weight),
            labels=np.frombuffer("\n".join(self.labels).encode(), dtype=np.uint8),
            meta=np.frombuffer(json.dumps(self.meta or {}, sort_keys=True).encode(), dtype=np.uint8),
            **({} if self.stack is None else {"stack": self.stack.astype(np.float32)}),
        )

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> Model:
        with np.load(path, allow_pickle=False) as z:
            words, chars = _lines(z["words"]), _lines(z["chars"])
            labels = tuple(_lines(z["labels"]))
            if labels != LABELS:
                raise ValueError(f"{path}: trained for labels {labels}, this code speaks {LABELS}; retrain")
            vec = Vectoriser(
                dict(zip(words, range(len(words)))),
                dict(zip(chars, range(len(words), len(words) + len(chars)))),
                z["idf"],
                float(z["char_weight"]),
            )
            return cls(
                vec, z["coef"].astype(np.float32), z["bias"].astype(np.float32),
                z["thresholds"].astype(np.float32), z["stack"] if "stack" in z.files else None,
                labels, json.loads(z["meta"].tobytes().decode()),
            )


def _lines(arr: np.ndarray) -> list[str]:
    text = arr.tobytes().decode()
    return text.split("\n") if text else []


def _segment_sum(values: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Sum consecutive runs of rows: sizes[i] rows for output row i (0 rows gives zeros)."""
    out = np.zeros((len(sizes), values.shape[1]), dtype=values.dtype)
    size = np.asarray(sizes)
    starts = np.concatenate(([0], np.cumsum(size)[:-1]))
    keep = size > 0
    out[keep] = np.add.reduceat(values, starts[keep], axis=0)
    return out


def _widen(toks: list, spans: list[tuple[int, int]], has_word: list[bool], weight: np.ndarray) -> tuple[int, int] | None:
    """The best word-bearing n-gram's span, joined by adjoining n-grams of at least half its weight.

    An n-gram that runs over a sentence's end ("that . could") never seeds or joins a
    quote: evidence for a question is the question, not the apology before it."""

    def within(i: int) -> bool:
        x, y = spans[i]
        return not any(toks[k].group() in _ENDS for k in range(x, y))

    order = np.argsort(-weight, kind="stable")
    seed = next((i for i in order if weight[i] > 0 and has_word[i] and within(i)), None)
    if seed is None:
        seed = next((i for i in order if weight[i] > 0 and has_word[i]), None)
    if seed is None:  # carried by character grams or the bias: the caller quotes the message
        return None
    best = weight[seed]
    a, b = spans[seed]
    for i in order:
        if weight[i] < best / 2:
            break
        x, y = spans[i]
        if x <= b + 1 and y >= a - 1 and within(i):
            a, b = min(a, x), max(b, y)
    return _sentence(toks, a, b)


_ENDS = frozenset(".!?")
SENTENCE_MAX = 30  # tokens; a longer sentence is quoted by its telling words alone


def _sentence(toks: list, a: int, b: int) -> tuple[int, int]:
    """Tokens a..b widened to their whole sentence ("Could you share your order number?"
    rather than "number?"), unless the sentence is long."""
    s = a
    while s > 0 and toks[s - 1].group() not in _ENDS:
        s -= 1
    e = b
    while e < len(toks) - 1 and toks[e].group() not in _ENDS:
        e += 1
    if e - s + 1 > SENTENCE_MAX:
        s, e = a, b
    while s < e and not toks[s].group()[0].isalnum():  # no quote starts with ", "
        s += 1
    while s < e and toks[e].group() in ",;:":
        e -= 1
    return toks[s].start(), toks[e].end()
