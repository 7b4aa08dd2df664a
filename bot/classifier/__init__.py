"""The behaviour classifier: which of the 19 labels (docs/behaviours.md) a trainee message shows.

A linear model over word and character n-grams, trained on the labelled corpus in
data/behaviours/ (see docs/classifier.md). The weights load on first use, not at
import, so commands that never classify start fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from bot.vocab import LABELS
from bot.core.records import Detection
from bot.classifier import conventions
from bot.classifier.model import Model

__all__ = ["classify", "labels", "labels_many", "model"]


@cache
def model() -> Model:
    """The shipped model, loaded once per process."""
    return Model.load()


def _usable(text: object) -> bool:
    return isinstance(text, str) and bool(text) and not text.isspace()


def _found(m: Model, text: str) -> set[str]:
    return conventions.apply(text, {m.labels[j] for j in m.predict(text)})


def classify(text: str) -> list[Detection]:
    """Every behaviour present in one message, each with the words that showed it, by position."""
    if not _usable(text):
        return []
    m = model()
    keep = _found(m, text)
    found = [j for j, lab in enumerate(m.labels) if lab in keep]
    out = [Detection(m.labels[j], s, e, text[s:e]) for j, (s, e) in m.evidence(text, found).items()]
    out.sort(key=lambda d: (d.start, _ORDER[d.label]))
    return out


def labels(text: str) -> list[str]:
    """The label names present in text, in LABELS order."""
    if not _usable(text):
        return []
    m = model()
    keep = _found(m, text)
    return [lab for lab in m.labels if lab in keep]


def labels_many(texts: Sequence[str]) -> list[list[str]]:
    """labels() of each text, scored as one batch (several times faster per message)."""
    m = model()
    usable = [t if _usable(t) else "" for t in texts]
    hits = m.logits_many(usable) >= m.thresholds
    out = []
    for text, row in zip(usable, hits):
        keep = conventions.apply(text, {m.labels[j] for j in row.nonzero()[0]}) if text else set()
        out.append([lab for lab in m.labels if lab in keep])
    return out


_ORDER = {lab: i for i, lab in enumerate(LABELS)}
