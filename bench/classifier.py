"""Classifier speed: batch throughput, one-message latency, and whole-process start.

    python bench/classifier.py          # also part of bench/run.py (--quick --json)

Process timings run the real `python -m bot` the way a user's shell does, so they
include interpreter start, imports and loading the weights.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.classifier import classify, labels_many, model  # noqa: E402


def texts() -> list[str]:
    """Realistic messages of every length: the shared dev set, and a few long ones made from it."""
    dev = [json.loads(line)["text"] for line in (ROOT / "tests/data/behaviours-dev.jsonl").read_text().splitlines()]
    return dev + [" ".join(dev[i:i + 5]) for i in range(0, len(dev), 25)]


def batch_rate(seconds: float) -> float:
    """Messages per second through labels_many, in batches of 1,000."""
    pool = texts()
    batch = (pool * (1000 // len(pool) + 1))[:1000]
    model()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        labels_many(batch)
        n += len(batch)
    return n / (time.perf_counter() - t0)


def one_message(seconds: float) -> dict:
    """classify() one message at a time, with evidence spans: what each turn pays."""
    pool = texts()
    model()
    lat: list[float] = []
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for text in pool:
            s = time.perf_counter()
            classify(text)
            lat.append(time.perf_counter() - s)
    lat.sort()
    return {
        "per_s": round(len(lat) / sum(lat), 1),
        "p50_ms": round(lat[len(lat) // 2] * 1000, 4),
        "p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 4),
    }


def process_seconds(*args: str, runs: int = 5) -> float:
    """Median wall time of `python -m bot ARGS` as a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", *args], check=True, capture_output=True, env=env, cwd=ROOT)
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 3)


def measure(quick: bool = True) -> dict:
    seconds = 1.0 if quick else 3.0
    script = ROOT / "bench/ten-turns.txt"
    return {
        "classify_per_s": round(batch_rate(seconds), 1),
        "classify_one": one_message(seconds),
        "classify_start_s": process_seconds("classify", "hello"),
        "simulate_s": process_seconds("simulate", "double-billing", "--script", str(script)),
        "simulate_turns": sum(1 for line in script.read_text().splitlines() if line.strip()),
    }


if __name__ == "__main__":
    print(json.dumps(measure(quick="--quick" in sys.argv), indent=2))
