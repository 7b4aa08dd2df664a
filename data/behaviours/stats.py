"""Check a labelled JSON Lines file and count its labels: `python3 data/behaviours/stats.py FILE...`.

Each line must be {"text": str, "labels": [label, ...]} (extra keys allowed); labels must
come from the 19 in docs/behaviours.md. Prints per-label counts, messages with no label,
multi-label messages and exact duplicate texts, so a writer sees coverage as they go.
"""

import json
import sys
from collections import Counter

LABELS = ("greeting empathy apology ownership question paraphrase solution expectation tactful_no "
          "gratitude follow_up escalation_offer boundary blame defensive dismissive argue rude stonewall").split()

bad = 0
for path in sys.argv[1:]:
    counts: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    n = empty = multi = 0
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                text, labs = obj["text"], obj["labels"]
                assert isinstance(text, str) and text.strip(), "empty text"
                assert isinstance(labs, list), "labels not a list"
                unknown = [x for x in labs if x not in LABELS]
                assert not unknown, f"unknown labels {unknown}"
                assert len(set(labs)) == len(labs), "repeated label"
            except Exception as e:  # noqa: BLE001 - report every bad line
                print(f"{path}:{i}: {e}")
                bad += 1
                continue
            n += 1
            seen[text.strip().lower()] += 1
            counts.update(labs)
            empty += not labs
            multi += len(labs) > 1
    dups = sum(c - 1 for c in seen.values() if c > 1)
    print(f"{path}: {n} messages, {empty} with no label, {multi} multi-label, {dups} duplicate texts")
    for lab in LABELS:
        print(f"  {lab:17s} {counts[lab]}")
sys.exit(1 if bad else 0)
