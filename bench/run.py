"""Hotseat benchmark: persisted turns through the service, raw SQLite commits, the
classifier, and memory per open session.

    python bench/run.py            # full run (1, 100 and 1,000 concurrent sessions)
    python bench/run.py --quick --json   # the stable entry point: one JSON object, < 1 minute

Numbers, not assertions: timings belong here, never in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import shutil
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.persona.library import Library  # noqa: E402
from bot.core.events import CustomerSaid, Ended  # noqa: E402
from bot.core.service import HotseatService, Who  # noqa: E402
from bot.store.sqlite import Store  # noqa: E402

from classifier import measure as classifier_speed  # noqa: E402  (bench/classifier.py)

MESSAGES = [
    "Hi, I'm Sam from support. I'm really sorry about the double charge.",
    "Could you tell me the email on the account?",
    "I understand why you're frustrated, that sounds stressful.",
    "So you were charged twice this month, is that right?",
    "Let me check that for you.",
    "I can refund the duplicate charge today.",
    "You'll see it back on your card within 3 to 5 business days.",
    "Thank you for your patience.",
    "When did you first notice the second charge?",
    "That's on us, and I'll make sure it's fixed.",
]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[k]


async def drive(workdir: Path, library: Library, sessions: int, turns_each: int, per_session_hz: float | None = None) -> dict:
    """Play `sessions` trainees at once, `turns_each` messages each, through the service.

    Without a rate it is a closed loop (each trainee sends again the instant it is
    answered): that measures throughput, but its latency is just queue length /
    throughput (Little's law). With `per_session_hz`, each trainee sends on a fixed
    schedule, as people typing do, and the latency is what one turn really costs at
    that offered load.
    """
    store = await Store.open(workdir / f"drive-{sessions}-{per_session_hz}.sqlite3")
    service = HotseatService(store, library, max_turns=10_000, idle_timeout=10**9)
    personas = [p.id for p in library.sorted()]
    latencies: list[float] = []
    loop = asyncio.get_running_loop()

    async def begin(who: Who, persona_id: str, seed: int) -> None:
        async with service.start(who, persona_id, seed=seed):
            pass  # a front end shows the opening here

    async def trainee(i: int) -> None:
        who = Who("bench", f"C{i % 50}", f"U{i}", f"user{i}")
        await begin(who, personas[i % len(personas)], seed=i)
        start = loop.time() + (i / sessions / per_session_hz if per_session_hz else 0.0)  # spread phases
        for n in range(turns_each):
            if per_session_hz:
                await asyncio.sleep(max(0.0, start + n / per_session_hz - loop.time()))
            t0 = time.perf_counter()
            events = await service.reply(who, MESSAGES[(i + n) % len(MESSAGES)])
            latencies.append(time.perf_counter() - t0)
            if not isinstance(events[0], CustomerSaid):  # a timeout or refusal would measure nothing
                raise RuntimeError(f"trainee {i}, turn {n}: not answered: {events!r}")
            if any(isinstance(e, Ended) for e in events):
                await begin(who, personas[(i + n) % len(personas)], seed=i + n)

    t0 = time.perf_counter()
    await asyncio.gather(*(trainee(i) for i in range(sessions)))
    elapsed = time.perf_counter() - t0
    await store.close()
    result = {
        "sessions": sessions,
        "turns": len(latencies),
        "turns_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(pct(latencies, 50) * 1000, 3),
        "p99_ms": round(pct(latencies, 99) * 1000, 3),
    }
    if per_session_hz:
        result["offered_per_s"] = sessions * per_session_hz
    return result


async def raw_commits(workdir: Path, n: int) -> float:
    """Committed single-row inserts per second: the floor a persisted turn is compared to.

    Each insert is its own autocommit transaction, awaited through one hop to a single
    database thread, as the store's calls are (and as aiosqlite's were).
    """
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(max_workers=1) as thread:
        conn = await loop.run_in_executor(
            thread, lambda: sqlite3.connect(workdir / "raw.sqlite3", isolation_level=None)
        )
        try:
            for pragma in ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL",
                           "CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"):
                await loop.run_in_executor(thread, conn.execute, pragma)
            t0 = time.perf_counter()
            for i in range(n):
                await loop.run_in_executor(thread, conn.execute, "INSERT INTO t (body) VALUES (?)",
                                           (MESSAGES[i % len(MESSAGES)],))
            return n / (time.perf_counter() - t0)
        finally:
            await loop.run_in_executor(thread, conn.close)


async def session_memory(workdir: Path, library: Library, n: int) -> float:
    """KiB held per open session: the service's live state after one turn each."""
    store = await Store.open(workdir / "mem.sqlite3")
    service = HotseatService(store, library)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        who = Who("mem", "C", f"U{i}")
        async with service.start(who, "double-billing", seed=i):
            pass
        events = await service.reply(who, MESSAGES[i % len(MESSAGES)])
        assert isinstance(events[0], CustomerSaid), events
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    await store.close()
    return (after - before) / n / 1024


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller runs, under a minute")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    library = Library.load()
    workdir = Path(tempfile.mkdtemp(prefix="hotseat-bench-", dir=ROOT / "state"))
    try:
        if args.quick:
            plan = {1: 300, 100: 20, 1000: 3}
            commits, mem_n, paced_s = 3000, 200, 4.0
        else:
            plan = {1: 2000, 100: 60, 1000: 6}
            commits, mem_n, paced_s = 10000, 1000, 15.0
        runs = {}
        for sessions, turns in plan.items():
            runs[sessions] = await drive(workdir, library, sessions, turns)
        paced = {
            n: await drive(workdir, library, n, max(1, int(paced_s * hz)), hz) for n, hz in ((1, 5.0), (100, 5.0), (1000, 1.0))
        }
        commit_per_s = await raw_commits(workdir, commits)
        speed = classifier_speed(quick=args.quick)
        session_kb = await session_memory(workdir, library, mem_n)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    main_run = runs[100]
    result = {
        "turns_per_s": main_run["turns_per_s"],
        "p50_ms": paced[100]["p50_ms"],
        "p99_ms": paced[100]["p99_ms"],  # 100 sessions at 5 messages/s each (500 turns/s offered)
        "commit_per_s": round(commit_per_s, 1),
        "ratio": round(main_run["turns_per_s"] / commit_per_s, 3),
        **speed,
        "session_kb": round(session_kb, 2),
        "runs": {str(k): v for k, v in runs.items()},
        "paced": {str(k): v for k, v in paced.items()},
        "quick": args.quick,
    }
    if args.json:
        print(json.dumps(result))
        return
    print("closed loop (each trainee sends again as soon as answered): throughput")
    print(f"{'sessions':>9} {'turns':>7} {'turns/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for r in runs.values():
        print(f"{r['sessions']:>9} {r['turns']:>7} {r['turns_per_s']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}")
    print("steady load (trainees send on a schedule: 5/s each for 1 and 100 sessions, 1/s each for 1,000): latency")
    print(f"{'sessions':>9} {'offered/s':>9} {'turns/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for r in paced.values():
        print(f"{r['sessions']:>9} {r['offered_per_s']:>9.0f} {r['turns_per_s']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}")
    print(f"raw SQLite committed inserts/s (one thread hop each): {commit_per_s:,.0f}  (turns/s at 100 sessions / commits/s = {result['ratio']})")
    one = speed["classify_one"]
    print(f"classifier: {speed['classify_per_s']:,.0f} messages/s in batches; one at a time {one['per_s']:,.0f}/s, "
          f"p50 {one['p50_ms']} ms, p99 {one['p99_ms']} ms")
    print(f"whole process: `hotseat classify hello` {speed['classify_start_s']} s, "
          f"`hotseat simulate` of {speed['simulate_turns']} turns {speed['simulate_s']} s")
    print(f"memory per open session: {session_kb:.2f} KiB")


if __name__ == "__main__":
    asyncio.run(main())
