"""Progress views on a big workspace: stats, team, boards and export through the async API.

    python bench/progress.py            # 100 trainees, 100,000 ended sessions
    python bench/progress.py --quick    # 20 trainees, 10,000 sessions
    python bench/progress.py --json     # one JSON object

The workspace is written straight through sqlite3 into a file the Store has migrated
(setup only, as fast as possible); every timed call then goes through bot.core.progress
and bot.core.export exactly as a front end would. Each view is called ``--calls`` times
(different trainees, pages and sort columns) and reported as median and p95. The budget
for stats and team is 200 ms each.

Numbers, not assertions: timings belong here, never in the test suite.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.export import export  # noqa: E402
from bot.core.progress import TEAM_COLUMNS, Progress  # noqa: E402
from bot.debrief.scoring import DIMENSIONS  # noqa: E402
from bot.persona.library import Library  # noqa: E402
from bot.store.sqlite import Store  # noqa: E402

WORKSPACE = "bench"
BUDGET_MS = 200.0
NOW = 1_790_000_000.0


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[k]


def build(path: Path, trainees: int, sessions: int, personas: list[str]) -> None:
    """Ended sessions with debriefs, two turns each and their session_scores, over a year."""
    rng = random.Random(12)
    debrief = {"score": 0, "dimensions": {}, "outcome": "resolved", "style": "collaborating",
               "style_note": "x" * 120, "best": [], "worst": [], "tips": ["a tip"] * 3,
               "hints_used": 0, "turns": 2, "label_counts": {}}
    with closing(sqlite3.connect(path)) as c:
        c.execute("PRAGMA synchronous=OFF")
        c.execute("BEGIN")
        for sid in range(1, sessions + 1):
            user = f"U{sid % trainees:03d}"
            persona = personas[rng.randrange(len(personas))]
            ended = NOW - rng.random() * 365 * 86400
            dims = {d: rng.randint(20, 100) for d in DIMENSIONS}
            score = round(sum(dims.values()) / len(dims))
            debrief["score"], debrief["dimensions"] = score, dims
            c.execute(
                "INSERT INTO sessions (id, workspace, channel, user, user_name, persona_id, seed, engine, status,"
                " outcome, end_reason, score, started_at, updated_at, ended_at, platform)"
                " VALUES (?, ?, 'C1', ?, ?, ?, 1, '{}', 'ended', 'resolved', 'terminal', ?, ?, ?, ?, 'slack')",
                (sid, WORKSPACE, user, f"Trainee {user}", persona, score, ended - 300, ended, ended),
            )
            c.execute("INSERT INTO debriefs VALUES (?, ?, ?)", (sid, json.dumps(debrief), ended))
            for i in range(2):
                c.execute(
                    "INSERT INTO turns (session_id, idx, trainee, detections, customer, state, mood, created_at)"
                    " VALUES (?, ?, ?, '[]', ?, 'open', 50, ?)",
                    (sid, i, "I'm sorry, let me sort that out, \"today\".", "Fine.", ended),
                )
            c.execute(
                "INSERT INTO session_scores VALUES (?, ?, ?, ?, ?, ?, ?, 2, ?, ?, ?, ?, ?, ?)",
                (sid, WORKSPACE, user, persona, ended - 300, ended, score, *dims.values()),
            )
        c.execute("COMMIT")
        c.execute("ANALYZE")


async def timed(calls: int, make) -> dict:
    times = []
    for i in range(calls):
        t0 = time.perf_counter()
        await make(i)
        times.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(pct(times, 50), 2), "p95_ms": round(pct(times, 95), 2)}


async def run(workdir: Path, trainees: int, sessions: int, calls: int) -> dict:
    library = Library.load(ROOT / "personas")
    path = workdir / "progress.sqlite3"
    await (await Store.open(path)).close()  # create and migrate the file
    t0 = time.perf_counter()
    build(path, trainees, sessions, sorted(library.personas))
    setup_s = time.perf_counter() - t0
    store = await Store.open(path)
    progress = Progress(store, library, clock=lambda: NOW)
    users = [f"U{i:03d}" for i in range(trainees)]
    try:
        results = {
            "stats": await timed(calls, lambda i: progress.stats(WORKSPACE, users[i % trainees])),
            "team": await timed(calls, lambda i: progress.team(
                WORKSPACE, sort=TEAM_COLUMNS[i % len(TEAM_COLUMNS)], descending=bool(i % 2), page=1 + i % 5)),
            "leaderboard_all": await timed(calls, lambda i: progress.leaderboard(
                WORKSPACE, "all", viewer=users[i % trainees])),
            "volume_month": await timed(calls, lambda i: progress.volume(WORKSPACE, "month")),
            "drill_suggestions": await timed(calls, lambda i: progress.drill_suggestions(WORKSPACE)),
        }
        t0 = time.perf_counter()
        rows = await export(store, WORKSPACE, workdir / "export.csv", library=library, bom=True)
        csv_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        with_turns = await export(store, WORKSPACE, workdir / "export.jsonl", fmt="jsonl", include_turns=True)
        jsonl_s = time.perf_counter() - t0
    finally:
        await store.close()
    return {
        "trainees": trainees, "sessions": sessions, "calls": calls, "setup_s": round(setup_s, 1),
        "views": results,
        "export": {"csv_rows_per_s": round(rows / csv_s), "jsonl_with_turns_rows_per_s": round(with_turns / jsonl_s)},
        "within_budget": all(results[v]["p95_ms"] < BUDGET_MS for v in ("stats", "team")),
    }


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="20 trainees, 10,000 sessions")
    ap.add_argument("--calls", type=int, default=20, help="calls per view (default 20)")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    trainees, sessions = (20, 10_000) if args.quick else (100, 100_000)
    (ROOT / "state").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotseat-progress-bench-", dir=ROOT / "state") as tmp:
        result = await run(Path(tmp), trainees, sessions, max(1, args.calls))
    if args.json:
        print(json.dumps(result))
        return
    print(f"{result['trainees']} trainees, {result['sessions']:,} ended sessions "
          f"(setup {result['setup_s']} s), {result['calls']} calls each; budget {BUDGET_MS:.0f} ms for stats and team")
    print(f"{'view':<18} {'median ms':>10} {'p95 ms':>8}")
    for name, r in result["views"].items():
        print(f"{name:<18} {r['median_ms']:>10.2f} {r['p95_ms']:>8.2f}")
    print(f"export csv           {result['export']['csv_rows_per_s']:>10,} rows/s")
    print(f"export jsonl + turns {result['export']['jsonl_with_turns_rows_per_s']:>10,} rows/s")
    print("within budget" if result["within_budget"] else "OVER BUDGET")


if __name__ == "__main__":
    asyncio.run(main())
