"""Measure the behaviour classifier against a labelled JSON Lines file.

Used by `hotseat eval-classifier FILE` and by the test-suite quality gates, so the
numbers a developer sees on the command line are the numbers the tests assert.
Counting is per (message, label): a label predicted but not gold is a false positive,
gold but not predicted a false negative. Micro scores pool every label's counts;
macro-F1 averages the per-label F1 of labels that occur (gold or predicted).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.vocab import LABEL_SET, LABELS


def load_jsonl(path: str | Path) -> list[tuple[str, list[str]]]:
    """Read `{"text": ..., "labels": [...]}` lines; blank lines are skipped.

    Raises ValueError naming the 1-based line number for anything malformed, so a
    typo in a hand-labelled file is found at once instead of skewing the scores.
    """
    pairs: list[tuple[str, list[str]]] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as e:
                raise ValueError(f"{where}: invalid JSON ({e.msg})") from None
            if not isinstance(obj, dict):
                raise ValueError(f"{where}: expected an object with 'text' and 'labels'")
            text, labs = obj.get("text"), obj.get("labels")
            if not isinstance(text, str):
                raise ValueError(f"{where}: 'text' must be a string")
            if not isinstance(labs, list) or not all(isinstance(x, str) for x in labs):
                raise ValueError(f"{where}: 'labels' must be a list of strings")
            unknown = [x for x in labs if x not in LABEL_SET]
            if unknown:
                raise ValueError(f"{where}: unknown label(s) {', '.join(map(repr, unknown))}")
            pairs.append((text, list(dict.fromkeys(labs))))
    return pairs


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class LabelScore:
    label: str
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def to_dict(self) -> dict:
        return {
            "label": self.label, "precision": round(self.precision, 4),
            "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "support": self.support, "tp": self.tp, "fp": self.fp, "fn": self.fn,
        }


@dataclass(slots=True)
class Report:
    per_label: dict[str, LabelScore]
    n_messages: int
    errors: list[tuple[str, list[str], list[str]]] = field(default_factory=list)

    def confusions(self, top: int = 10) -> list[tuple[str, str, int]]:
        """The commonest (gold, predicted) mix-ups: in one message, gold label missed and
        another predicted in its place; "-" on either side for a plain miss or a false alarm."""
        counts: dict[tuple[str, str], int] = {}
        for _, gold, pred in self.errors:
            missed = [g for g in gold if g not in pred] or ["-"]
            extra = [p for p in pred if p not in gold] or ["-"]
            for g in missed:
                for p in extra:
                    if (g, p) != ("-", "-"):
                        counts[g, p] = counts.get((g, p), 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(g, p, n) for (g, p), n in ranked[:top]]

    @property
    def tp(self) -> int:
        return sum(s.tp for s in self.per_label.values())

    @property
    def fp(self) -> int:
        return sum(s.fp for s in self.per_label.values())

    @property
    def fn(self) -> int:
        return sum(s.fn for s in self.per_label.values())

    @property
    def micro_precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def micro_recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def micro_f1(self) -> float:
        return _f1(self.micro_precision, self.micro_recall)

    @property
    def macro_f1(self) -> float:
        active = [s.f1 for s in self.per_label.values() if s.tp + s.fp + s.fn]
        return sum(active) / len(active) if active else 0.0

    @property
    def exact_match(self) -> float:
        """Share of messages whose predicted label set equals the gold set."""
        return 1 - len(self.errors) / self.n_messages if self.n_messages else 0.0

    def to_dict(self) -> dict:
        return {
            "messages": self.n_messages,
            "labels": [s.to_dict() for s in self.per_label.values()],
            "micro": {
                "precision": round(self.micro_precision, 4), "recall": round(self.micro_recall, 4),
                "f1": round(self.micro_f1, 4), "tp": self.tp, "fp": self.fp, "fn": self.fn,
            },
            "macro_f1": round(self.macro_f1, 4),
            "exact_match": round(self.exact_match, 4),
            "confusions": [{"gold": g, "predicted": p, "count": n} for g, p, n in self.confusions()],
        }


def evaluate(
    pairs: Iterable[tuple[str, Sequence[str]]],
    classify_fn: Callable[[str], Iterable[str]] | None = None,
) -> Report:
    """Score `classify_fn` (default: the shipped classifier, batched) on (text, gold labels) pairs."""
    pairs = list(pairs)
    if classify_fn is None:
        from bot.classifier import labels_many

        predicted: Iterable[Iterable[str]] = labels_many([t for t, _ in pairs])
    else:
        predicted = (classify_fn(t) for t, _ in pairs)
    counts = {lab: [0, 0, 0] for lab in LABELS}
    errors: list[tuple[str, list[str], list[str]]] = []
    n = 0
    for (text, gold_labels), got in zip(pairs, predicted):
        n += 1
        gold, pred = set(gold_labels), set(got)
        for lab in gold | pred:
            c = counts.setdefault(lab, [0, 0, 0])
            c[0 if lab in gold and lab in pred else 1 if lab in pred else 2] += 1
        if gold != pred:
            order = {lab: i for i, lab in enumerate(LABELS)}
            key = lambda x: order.get(x, len(order))  # noqa: E731
            errors.append((text, sorted(gold, key=key), sorted(pred, key=key)))
    per = {lab: LabelScore(lab, *c) for lab, c in counts.items()}
    return Report(per_label=per, n_messages=n, errors=errors)


def format_report(report: Report) -> str:
    """A fixed-width table: one row per label, then micro and macro summary lines."""
    head = f"{'label':<18}{'prec':>7}{'rec':>7}{'f1':>7}{'support':>9}{'tp':>5}{'fp':>5}{'fn':>5}"
    lines = [head, "-" * len(head)]
    for s in report.per_label.values():
        lines.append(
            f"{s.label:<18}{s.precision:>7.3f}{s.recall:>7.3f}{s.f1:>7.3f}"
            f"{s.support:>9}{s.tp:>5}{s.fp:>5}{s.fn:>5}"
        )
    lines.append("-" * len(head))
    lines.append(
        f"{'micro':<18}{report.micro_precision:>7.3f}{report.micro_recall:>7.3f}"
        f"{report.micro_f1:>7.3f}{report.tp + report.fn:>9}{report.tp:>5}{report.fp:>5}{report.fn:>5}"
    )
    lines.append(f"{'macro-F1':<18}{'':>14}{report.macro_f1:>7.3f}")
    lines.append(f"{report.n_messages} messages, exact match {report.exact_match:.3f}")
    confused = report.confusions()
    if confused:
        lines.append("")
        lines.append("most confused (gold -> predicted; - is none):")
        lines += [f"  {g:>16} -> {p:<16}{n:>5}" for g, p, n in confused]
    return "\n".join(lines)
