"""The behaviour classifier: which of the 19 labels (docs/behaviours.md) a trainee message shows.

A linear model over word and character n-grams, trained on the labelled corpus in
data/behaviours/ (see docs/classifier.md). The weights load on first use, not at
import, so commands that never classify start fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from ..labels import LABELS
from ..model import Detection
from .model import Model

__all__ = ["classify", "labels", "labels_many", "model"]


@cache
def model() -> Model:
    """The shipped model, loaded once per process."""
    return Model.load()


def _usable(text: object) -> bool:
    return isinstance(text, str) and bool(text) and not text.isspace()


def classify(text: str) -> list[Detection]:
    """Every behaviour present in one message, each with the words that showed it, by position."""
    if not _usable(text):
        return []
    m = model()
    out = [Detection(m.labels[j], s, e, text[s:e]) for j, (s, e) in m.evidence(text, m.predict(text)).items()]
    out.sort(key=lambda d: (d.start, _ORDER[d.label]))
    return out


def labels(text: str) -> list[str]:
    """The label names present in text, in LABELS order."""
    if not _usable(text):
        return []
    m = model()
    return [m.labels[j] for j in m.predict(text)]


def labels_many(texts: Sequence[str]) -> list[list[str]]:
    """labels() of each text, scored as one batch (several times faster per message)."""
    m = model()
    usable = [t if _usable(t) else "" for t in texts]
    hits = m.logits_many(usable) >= m.thresholds
    return [[m.labels[j] for j in row.nonzero()[0]] if t else [] for t, row in zip(usable, hits)]


_ORDER = {lab: i for i, lab in enumerate(LABELS)}
