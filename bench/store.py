"""Committed turns per second through the Store alone: no classifier, engine or service.

    python bench/store.py            # 1, 10 and 100 concurrent writers, more turns
    python bench/store.py --quick    # a few seconds
    python bench/store.py --json     # one JSON object

``bench/run.py`` times whole turns, so a change in how the store reaches SQLite is
blurred there by classification and scoring; this isolates the store's own cost. Each
writer plays sessions of ``TURNS_PER_SESSION`` turns through the public Store API on a
real SQLite file in a temporary folder: every turn is one ``record_turn`` transaction
with a platform message id, the last one carrying the session's ending (``closing=``),
then a new session starts. Only turns whose transaction committed are counted, and the
file is read back afterwards to confirm they are all there.

Numbers, not assertions: timings belong here, never in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from contextlib import closing as closing_db
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.records import Detection, Turn  # noqa: E402
from bot.store.sqlite import Closing, Store  # noqa: E402

TURNS_PER_SESSION = 10
# About the size of a real engine state and debrief, so the rows written are realistic.
ENGINE = {"node": "listening", "mood": -12, "counts": {"apology": 1, "empathy": 2}, "seen": list(range(40))}
DEBRIEF = {"score": 74, "dimensions": {k: 70 for k in ("empathy", "ownership", "clarity", "solution")},
           "notes": ["Acknowledge the double charge before explaining."] * 4}


def _turn(index: int) -> Turn:
    return Turn(
        index=index,
        trainee="I'm so sorry about the double charge, let me fix that for you right now.",
        detections=(Detection("apology", 0, 13, "I'm so sorry"), Detection("solution", 40, 70, "let me fix that")),
        customer="Fine. How long will the refund take?",
        state="listening",
        mood=-10,
    )


async def measure(workdir: Path, writers: int, turns_each: int) -> dict:
    """`writers` tasks at once, each committing `turns_each` turns; returns turns per second."""
    path = workdir / f"store-{writers}.sqlite3"
    store = await Store.open(path)
    committed = 0

    async def writer(w: int) -> None:
        nonlocal committed
        session = None
        for n in range(turns_each):
            idx = n % TURNS_PER_SESSION
            if idx == 0:
                session = await store.create_session(
                    workspace="bench", channel=f"C{w}", user=f"U{w}", user_name=f"user{w}",
                    persona_id="double-billing", seed=n, engine=ENGINE, now=time.time(),
                )
            last = idx == TURNS_PER_SESSION - 1 or n == turns_each - 1
            ending = Closing("resolved", "terminal", DEBRIEF, 74) if last else None
            await store.record_turn(session.id, _turn(idx), ENGINE, time.time(), f"m{w}-{n}", closing=ending)
            committed += 1

    t0 = time.perf_counter()
    await asyncio.gather(*(writer(w) for w in range(writers)))
    elapsed = time.perf_counter() - t0
    await store.close()
    with closing_db(sqlite3.connect(path)) as c:
        saved = c.execute("SELECT COUNT(*) FROM turns").fetchone()[0]
        still_open = c.execute("SELECT COUNT(*) FROM sessions WHERE status = 'active'").fetchone()[0]
    if saved != committed or still_open:
        raise SystemExit(f"store lost writes: {committed} committed, {saved} saved, {still_open} left open")
    return {"writers": writers, "turns": committed, "turns_per_s": round(committed / elapsed, 1)}


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer turns, a few seconds")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    plan = {1: 3000, 10: 500, 100: 50} if args.quick else {1: 10000, 10: 2000, 100: 200}
    (ROOT / "state").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotseat-store-bench-", dir=ROOT / "state") as tmp:
        runs = [await measure(Path(tmp), writers, turns) for writers, turns in plan.items()]
    if args.json:
        print(json.dumps({"store_turns_per_s": {str(r["writers"]): r["turns_per_s"] for r in runs},
                          "runs": runs, "quick": args.quick}))
        return
    print("committed turns through the Store (one transaction each, every 10th ends its session)")
    print(f"{'writers':>8} {'turns':>7} {'turns/s':>9}")
    for r in runs:
        print(f"{r['writers']:>8} {r['turns']:>7} {r['turns_per_s']:>9,.0f}")


if __name__ == "__main__":
    asyncio.run(main())
