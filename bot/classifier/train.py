"""Rebuild the shipped weights from the labelled corpus: `hotseat train-classifier`.

Deterministic: the vocabulary is sorted, liblinear runs with a fixed seed and the
thresholds come from a fixed grid, so the same corpus and settings give the same
weights. Needs scikit-learn (`pip install -e '.[train]'`); inference does not.

Thresholds are calibrated per label on the dev split: the logit cut that maximises that
label's F1 there. The held-out test set (data/behaviours/heldout/) is never read here.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.classifier.evaluation import load_jsonl
from bot.vocab import LABELS, POOR
from bot.classifier.model import WEIGHTS, Model
from bot.classifier.vectors import Vectoriser

CORPUS = Path(__file__).resolve().parents[2] / "data" / "behaviours"
SHARED_DEV = CORPUS.parents[1] / "tests" / "data" / "behaviours-dev.jsonl"  # the project's dev set, all dev

Pairs = list[tuple[str, list[str]]]


@dataclass(frozen=True, slots=True)
class Settings:
    c: float = 16.0  # inverse regularisation strength of each logistic regression (chosen on dev)
    min_df: int = 2  # an n-gram must appear in this many training messages
    char_weight: float = 1.0  # scale of the character block against the word block
    balanced: bool = True  # reweight each label's rare positives (most labels are rare)
    stacked: bool = True  # a second stage that sees every label's first-stage score (see fit)
    folds: int = 5  # out-of-fold first-stage scores for training the second stage
    seed: int = 0


@dataclass(slots=True)
class Corpus:
    train: Pairs
    dev: Pairs
    sources: dict[str, int] = field(default_factory=dict)  # file -> messages


def load_corpus(root: Path = CORPUS, extra_dev: Sequence[Path] = (SHARED_DEV,)) -> Corpus:
    """train/*.jsonl and dev/*.jsonl under root, plus extra_dev files as dev; a dev text
    also in train is dropped from train, so dev scores are never scores on training data."""
    corpus = Corpus([], [])
    files = [("train", p) for p in sorted((root / "train").glob("*.jsonl"))]
    files += [("dev", p) for p in [*sorted((root / "dev").glob("*.jsonl")), *extra_dev] if p.exists()]
    for split, path in files:
        pairs = load_jsonl(path)
        corpus.sources[f"{split}/{path.name}"] = len(pairs)
        getattr(corpus, split).extend(pairs)
    dev_texts = {t.strip().lower() for t, _ in corpus.dev}
    corpus.train = [(t, ls) for t, ls in corpus.train if t.strip().lower() not in dev_texts]
    if not corpus.train or not corpus.dev:
        raise ValueError(f"{root}: need labelled messages in both train/ and dev/")
    return corpus


def targets(pairs: Pairs) -> np.ndarray:
    return np.array([[lab in ls for lab in LABELS] for _, ls in pairs], dtype=np.int8)


def _linear(x, y: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    """One logistic regression per label: (coef (features, labels), bias (labels))."""
    from sklearn.linear_model import LogisticRegression

    coef = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    bias = np.zeros(y.shape[1], dtype=np.float32)
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():  # a label never (or always) seen: it stays off (or on)
            bias[j] = 10.0 if y[0, j] else -10.0
            continue
        clf = LogisticRegression(
            C=settings.c, solver="liblinear", class_weight="balanced" if settings.balanced else None,
            random_state=settings.seed, max_iter=1000,
        )
        clf.fit(x, y[:, j])
        coef[:, j] = clf.coef_[0]
        bias[j] = clf.intercept_[0]
    return coef, bias


def fit(train: Pairs, settings: Settings = Settings()) -> Model:
    """Weights for every label, with thresholds at 0 (calibrate() sets them).

    Stacked (the default): a first model scores every label from the text; a second
    one sees the text and the first model's scores of all 19 labels, so it can learn
    how labels go together (sarcastic thanks is rude and therefore not gratitude; an
    empathy line that ends in a flat refusal is stonewall, not empathy). The second
    model learns from out-of-fold first-stage scores, the scores it will meet on new text.
    """
    from scipy import sparse

    texts = [t for t, _ in train]
    vec = Vectoriser.fit(texts, settings.min_df, settings.char_weight)
    indptr, indices, data = vec.rows(texts)
    x = sparse.csr_matrix((data.astype(np.float64), indices, indptr), shape=(len(texts), vec.width))
    y = targets(train)
    coef1, bias1 = _linear(x, y, settings)
    if not settings.stacked:
        return Model(vec, coef1, bias1, np.zeros(len(LABELS), dtype=np.float32))
    oof = np.zeros((len(texts), len(LABELS)))
    folds = np.random.default_rng(settings.seed).permutation(len(texts)) % settings.folds
    for k in range(settings.folds):
        part = folds != k
        c, b = _linear(x[part], y[part], settings)
        oof[~part] = x[~part] @ c + b
    z = sparse.hstack([x, sparse.csr_matrix(Model.stack_features(oof))]).tocsr()
    coef2, bias2 = _linear(z, y, settings)
    return Model(vec, np.hstack([coef1, coef2[: vec.width]]), np.concatenate([bias1, bias2]),
                 np.zeros(len(LABELS), dtype=np.float32), stack=coef2[vec.width:])


# Poor handling is the costlier miss: a rude line read as neutral gets no reaction and no
# coaching. So its thresholds aim for this recall on dev, as long as precision holds.
POOR_RECALL = 0.85
POOR_PRECISION = 0.80


def calibrate(model: Model, dev: Pairs) -> None:
    """Per label, a logit threshold chosen on dev: the one that maximises F1, except that for
    poor-handling labels only thresholds reaching POOR_RECALL at POOR_PRECISION qualify
    when any does. 0 when dev has no example of the label."""
    logits = model.logits_many([t for t, _ in dev])
    y = targets(dev).astype(bool)
    grid = np.round(np.arange(-3.0, 3.01, 0.1), 2)
    for j, label in enumerate(LABELS):
        if not y[:, j].any():
            model.thresholds[j] = 0.0
            continue
        pred = logits[:, j][:, None] >= grid[None, :]
        tp = (pred & y[:, j][:, None]).sum(0)
        fp = (pred & ~y[:, j][:, None]).sum(0)
        fn = y[:, j].sum() - tp
        f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
        if label in POOR:
            ok = (tp / np.maximum(tp + fn, 1) >= POOR_RECALL) & (tp / np.maximum(tp + fp, 1) >= POOR_PRECISION)
            if ok.any():
                f1 = np.where(ok, f1, -1.0)
        best = np.flatnonzero(f1 == f1.max())
        model.thresholds[j] = grid[best[len(best) // 2]]  # the middle of a plateau, not its edge


def micro_f1(model: Model, pairs: Pairs) -> float:
    pred = model.logits_many([t for t, _ in pairs]) >= model.thresholds
    y = targets(pairs).astype(bool)
    tp = (pred & y).sum()
    return float(2 * tp / max(2 * tp + (pred & ~y).sum() + (~pred & y).sum(), 1))


def train(corpus: Corpus, settings: Settings = Settings()) -> Model:
    t0 = time.perf_counter()
    model = fit(corpus.train, settings)
    calibrate(model, corpus.dev)
    model.meta = {
        "settings": {k: getattr(settings, k) for k in settings.__slots__},
        "train_messages": len(corpus.train),
        "dev_messages": len(corpus.dev),
        "sources": corpus.sources,
        "features": model.vectoriser.width,
        "dev_micro_f1": round(micro_f1(model, corpus.dev), 4),
        "train_seconds": round(time.perf_counter() - t0, 1),
    }
    return model


def learning_curve(corpus: Corpus, settings: Settings = Settings(),
                   fractions: Sequence[float] = (0.125, 0.25, 0.5, 1.0)) -> list[tuple[int, float]]:
    """(training messages, dev micro-F1) for nested random subsets of train: does more data still help?"""
    order = np.random.default_rng(settings.seed).permutation(len(corpus.train))
    out = []
    for f in fractions:
        part = [corpus.train[i] for i in sorted(order[: max(1, int(len(order) * f))])]
        model = fit(part, settings)
        calibrate(model, corpus.dev)
        out.append((len(part), round(micro_f1(model, corpus.dev), 4)))
    return out


def curve_svg(points: Sequence[tuple[int, float]], width: int = 480, height: int = 300) -> str:
    """The learning curve as a small SVG chart (log-scaled training size), for docs/."""
    import math

    left, right, top, bottom = 64, 40, 20, 44
    xs = [math.log2(n) for n, _ in points]
    lo_y = math.floor(min(f for _, f in points) * 20) / 20
    x_of = lambda v: left + (v - xs[0]) / ((xs[-1] - xs[0]) or 1) * (width - left - right)  # noqa: E731
    y_of = lambda f: top + (1 - (f - lo_y) / (1 - lo_y)) * (height - top - bottom)  # noqa: E731
    path = " ".join(f"{x_of(x):.1f},{y_of(f):.1f}" for x, (_, f) in zip(xs, points))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
           f'font-size="12"><rect width="100%" height="100%" fill="white"/>']
    for k in range(int(round((1 - lo_y) / 0.05)) + 1):
        f = lo_y + 0.05 * k
        out.append(f'<line x1="{left}" x2="{width - right}" y1="{y_of(f):.1f}" y2="{y_of(f):.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y_of(f) + 4:.1f}" text-anchor="end">{f:.2f}</text>')
    for x, (n, f) in zip(xs, points):
        out.append(f'<circle cx="{x_of(x):.1f}" cy="{y_of(f):.1f}" r="3.5" fill="#1f6feb"/>'
                   f'<text x="{x_of(x):.1f}" y="{height - bottom + 16}" text-anchor="middle">{n:,}</text>'
                   f'<text x="{x_of(x):.1f}" y="{y_of(f) - 8:.1f}" text-anchor="middle">{f:.3f}</text>')
    out.append(f'<polyline points="{path}" fill="none" stroke="#1f6feb" stroke-width="2"/>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 8}" text-anchor="middle">training messages '
               f'(log scale)</text><text x="14" y="{(top + height - bottom) / 2}" text-anchor="middle" '
               f'transform="rotate(-90 14 {(top + height - bottom) / 2})">dev micro-F1</text></svg>')
    return "\n".join(out) + "\n"


def main(root: Path = CORPUS, out: Path = WEIGHTS, settings: Settings = Settings(), curve: bool = False) -> Model:
    corpus = load_corpus(root)
    model = train(corpus, settings)
    if curve:
        model.meta["learning_curve"] = learning_curve(corpus, settings)
    model.save(out)
    return model
