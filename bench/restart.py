"""Recovery after a restart: how soon a fresh process answers.

    python bench/restart.py [--sessions 10000] [--resume 200] [--json]

Fills a database with open sessions (one opening line each), then starts a new Python
process on it, as a restarted bot would be, and reports wall time from before the
process is spawned until (a) the first reply is back and (b) `--resume` trainees,
writing at once, have all been answered. Includes interpreter start, imports, opening
the database, loading personas, the classifier's weights and each session's state.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LINE = "I'm so sorry about the double charge, could you tell me the email on the account?"

CHILD = """
import asyncio, sys, time
sys.path.insert(0, {root!r})
from bot.persona.library import Library
from bot.core.events import CustomerSaid
from bot.core.service import HotseatService, Who
from bot.store.sqlite import Store

async def main():
    store = await Store.open({db!r})
    service = HotseatService(store, Library.load())
    events = await service.reply(Who("bench", "C", "U0"), {line!r})
    first = time.time()
    resumed = await asyncio.gather(*(service.reply(Who("bench", "C", f"U{{i}}"), {line!r}) for i in range(1, {resume} + 1)))
    done = time.time()
    for answer in (events, *resumed):  # each one answered by its customer, not timed out
        assert isinstance(answer[0], CustomerSaid), answer
    print(first, done)
    await store.close()

asyncio.run(main())
"""


async def fill(db: Path, sessions: int) -> None:
    from bot.persona.library import Library
    from bot.core.service import HotseatService, Who
    from bot.store.sqlite import Store

    store = await Store.open(db)
    service = HotseatService(store, Library.load())
    for i in range(sessions):
        async with service.start(Who("bench", "C", f"U{i}"), "double-billing", seed=i):
            pass  # a front end shows the opening here
    await store.close()


def measure(sessions: int, resume: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "restart.sqlite3"
        asyncio.run(fill(db, sessions))
        code = CHILD.format(root=str(ROOT), db=str(db), line=LINE, resume=resume)
        t0 = time.time()
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        first, done = map(float, out.stdout.split())
    return {
        "open_sessions": sessions,
        "first_reply_s": round(first - t0, 3),
        "resumed": resume,
        "all_resumed_s": round(done - t0, 3),
    }


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=10_000)
    ap.add_argument("--resume", type=int, default=200)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = measure(args.sessions, args.resume)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['open_sessions']:,} open sessions: first reply {result['first_reply_s']} s after the process "
              f"was spawned; {result['resumed']} trainees at once all answered after {result['all_resumed_s']} s")
