"""Split writers' files into train/ and dev/: `python3 data/behaviours/split.py raw/*.jsonl`.

Each message goes to dev when a hash of its normalised text falls in the first 15 of
100 buckets, so the split is stable: re-running it, or adding messages later, never
moves a message between train and dev. Repeated texts are written once, and texts of
the held-out test set (heldout/) not at all.
"""

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEV_PERCENT = 15


def key(text: str) -> str:
    return " ".join(text.lower().split())


def bucket(text: str) -> int:
    return int(hashlib.sha1(key(text).encode()).hexdigest(), 16) % 100


def main(paths: list[str]) -> None:
    # The held-out test set is never trained on: a line that happens to match one of its
    # texts (short lines like "ok" do) is left out of train and dev.
    seen = {key(json.loads(line)["text"]) for f in (HERE / "heldout").glob("*.jsonl")
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()}
    for name in paths:
        path = Path(name)
        out = {"train": [], "dev": []}
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            obj = json.loads(line)
            k = key(obj["text"])
            if k in seen:
                continue
            seen.add(k)
            out["dev" if bucket(obj["text"]) < DEV_PERCENT else "train"].append(line)
        for split, lines in out.items():
            (HERE / split).mkdir(exist_ok=True)
            (HERE / split / path.name).write_text("".join(x + "\n" for x in lines), encoding="utf-8")
            print(f"{split}/{path.name}: {len(lines)}")


if __name__ == "__main__":
    main(sys.argv[1:])
