"""The kill test (issue 13): Slack HTTP workers over one database, 200 conversations at once,
each worker SIGKILLed and restarted at random moments, round after round. Afterwards every
event that got a 200 is stored exactly once, every conversation's turns are contiguous and
in the order they were sent, and every conversation can go on.

Two workers over PostgreSQL, and one worker over SQLite. Real `hotseat run slack --http`
processes on their own ports; this test is Slack (the loopback fake Web API, and signed
events as Slack sends them, retried until they get a 200, as Slack retries) and the load
balancer in front of the workers (each event to a random live worker).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import sqlite3
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from bot.core.events import Who
from bot.core.service import HotseatService
from bot.store import open_store
from slack_fakes import FakeSlack, sign
from test_slack import SECRET

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = 200
LINES = [  # a conversation that goes on: no remedy offered, so the customer neither settles nor leaves
    "I'm sorry, that sounds really frustrating.",
    "Can you tell me when you first noticed the second charge?",
    "I understand, thank you for explaining that to me.",
    "Could you confirm the last four digits of the card?",
    "I hear you, and I appreciate your patience while I look.",
]
GOES_ON = "Can you tell me when you first noticed the second charge?"
ROUNDS = 3  # kill rounds per worker
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Worker:
    """One `hotseat run slack --http` process on its own port, killed and started again at will."""

    def __init__(self, port: int, db: str, fake: FakeSlack, logs: Path) -> None:
        self.port, self.db, self.fake, self.logs = port, db, fake, logs
        self.proc: asyncio.subprocess.Process | None = None
        self.up = False
        self.starts = 0

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "HOTSEAT_"))}
        env |= {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": self.fake.api_url, "HOTSEAT_SLACK_HOST": "127.0.0.1",
                "HOTSEAT_SLACK_ANNOUNCE": "off", "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
        self.starts += 1
        log = open(self.logs / f"worker-{self.port}-{self.starts}.log", "wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "slack", "--http", "--port", str(self.port), "--db", self.db,
            "--env-file", os.devnull, cwd=ROOT, env=env, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 90
        async with aiohttp.ClientSession() as http:
            while True:
                assert self.proc.returncode is None, f"worker on {self.port} exited: {self.log_tail()}"
                with contextlib.suppress(aiohttp.ClientError, OSError):
                    async with http.get(f"http://127.0.0.1:{self.port}/") as r:
                        if r.status:
                            break
                assert time.monotonic() < deadline, f"worker on {self.port} never listened: {self.log_tail()}"
                await asyncio.sleep(0.05)
        self.up = True

    async def kill(self) -> None:
        self.up = False
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            await self.kill()

    def log_tail(self) -> str:
        newest = max(self.logs.glob(f"worker-{self.port}-*.log"), key=lambda p: p.stat().st_mtime)
        return newest.read_text(errors="replace")[-2000:]


def event(i: int, root: str, ts: str, text: str) -> tuple[str, str]:
    body = json.dumps({
        "token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": f"Ev{ts}",
        "event_time": int(time.time()), "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
        "event": {"type": "message", "user": f"U{i}", "text": text, "ts": ts, "thread_ts": root, "channel": "C1",
                  "channel_type": "channel", "event_ts": ts},
    })
    return f"Ev{ts}", body


TRACE: list[tuple[float, str, int, object]] = []  # (time, ts, worker port, status or error): a failure's story


async def deliver(http: aiohttp.ClientSession, workers: list[Worker], body: str) -> int:
    """Send one event as Slack does: to a live worker, again (with a retry number) until a 200."""
    for attempt in range(400):
        live = [w for w in workers if w.up] or workers
        worker = random.choice(live)
        headers = {**sign(SECRET, body), "Content-Type": "application/json"}
        if attempt:
            headers |= {"X-Slack-Retry-Num": str(min(attempt, 3)), "X-Slack-Retry-Reason": "http_error"}
        try:
            async with http.post(f"http://127.0.0.1:{worker.port}/slack/events", data=body.encode(),
                                 headers=headers, timeout=aiohttp.ClientTimeout(total=5)) as r:
                TRACE.append((time.time(), json.loads(body)["event"]["ts"], worker.port, r.status))
                if r.status == 200:
                    return attempt
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as e:
            TRACE.append((time.time(), json.loads(body)["event"]["ts"], worker.port, repr(e)[:60]))
        await asyncio.sleep(0.05)
    raise AssertionError("an event never got a 200")


async def seed(db: str, library) -> list[str]:
    """200 conversations already open in thread roots, as `/hotseat start` leaves them."""
    roots = []
    async with await open_store(db) as store:
        service = HotseatService(store, library, platform="slack:T1")
        for i in range(CONVERSATIONS):
            root = f"1790000000.{i:06d}"
            async with service.start(Who("T1", "C1", f"U{i}", f"user{i}"), "double-billing", seed=i) as starting:
                await starting.at(f"C1/{root}")
            roots.append(root)
    return roots


async def inbox_of(db: str, thread: str) -> list[tuple[str, object]]:
    """A conversation's inbox rows as (ts, done), for a failure's story."""
    root = thread.split("/", 1)[1]
    if db.startswith("postgresql://"):
        import asyncpg

        conn = await asyncpg.connect(db)
        try:
            return [tuple(r) for r in await conn.fetch("SELECT ts, done FROM inbox WHERE thread_ts = $1 ORDER BY ts", root)]
        finally:
            await conn.close()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT ts, done FROM inbox WHERE thread_ts = ? ORDER BY ts", (root,)).fetchall()


async def turns_by_conversation(db: str) -> dict[str, list[tuple[int, str, str]]]:
    """Every session's turns straight from the database: thread -> [(idx, trainee, source)]."""
    sql = ("SELECT s.thread, t.idx, t.trainee, t.source FROM turns t JOIN sessions s ON s.id = t.session_id"
           " ORDER BY s.id, t.idx")
    if db.startswith("postgresql://"):
        import asyncpg

        conn = await asyncpg.connect(db)
        try:
            rows = await conn.fetch(sql)
        finally:
            await conn.close()
    else:
        with contextlib.closing(sqlite3.connect(db)) as conn:
            rows = conn.execute(sql).fetchall()
    out: dict[str, list[tuple[int, str, str]]] = {}
    for thread, idx, trainee, source in rows:
        out.setdefault(thread, []).append((idx, trainee, source))
    return out


@pytest.mark.parametrize("backend, n_workers", [("postgres", 2), ("sqlite", 1)])
async def test_workers_killed_at_random_lose_no_acknowledged_turn(
    backend: str, n_workers: int, tmp_path: Path, library, request,
) -> None:
    db = request.getfixturevalue("pg_url") if backend == "postgres" else str(tmp_path / "hotseat.sqlite3")
    rng = random.Random(13)
    TRACE.clear()
    roots = await seed(db, library)
    fake = await FakeSlack().start()
    for root in roots:
        fake.open_thread("C1", root)
    logs = tmp_path / "logs"
    logs.mkdir()
    workers = [Worker(free_port(), db, fake, logs) for _ in range(n_workers)]
    acked: dict[str, list[str]] = {root: [] for root in roots}  # thread root -> ts that got a 200, in order
    try:
        await asyncio.gather(*(w.start() for w in workers))

        async def conversation(http: aiohttp.ClientSession, i: int) -> None:
            root = roots[i]
            for k, text in enumerate(LINES, 1):
                ts = f"{1800000000 + k}.{i:06d}"
                _, body = event(i, root, ts, text)
                await deliver(http, workers, body)
                acked[root].append(ts)
                await asyncio.sleep(rng.uniform(0, 0.3))

        async def killer() -> None:
            for _ in range(ROUNDS):
                for w in rng.sample(workers, len(workers)):
                    await asyncio.sleep(rng.uniform(0.2, 1.0))
                    await w.kill()
                    await asyncio.sleep(rng.uniform(0.0, 0.3))
                    await w.start()

        connector = aiohttp.TCPConnector(limit=100, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:
            kills = asyncio.create_task(killer())
            await asyncio.gather(*(conversation(http, i) for i in range(CONVERSATIONS)))
            await kills
        assert all(w.starts == ROUNDS + 1 for w in workers)

        # Lines acked by a worker killed before it handled them are handled when it starts
        # again (the inbox) or when the conversation's next line arrives: wait for them.
        expected = {f"C1/{root}": ts_list for root, ts_list in acked.items()}
        deadline = time.monotonic() + 60
        while True:
            stored = await turns_by_conversation(db)
            if all(len(stored.get(t, ())) >= len(ts) for t, ts in expected.items()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        for thread, ts_list in expected.items():
            # every acknowledged event is a turn exactly once, in the order sent, numbered 1..n
            deliveries = [x for x in TRACE if x[1].endswith(thread.rsplit(".", 1)[1])]
            want = [(k, text, ts) for (k, text), ts in zip(enumerate(LINES, 1), ts_list)]
            if stored.get(thread, []) != want:  # the whole story, untruncated: turns, deliveries, the inbox
                pytest.fail(f"{thread}\nturns    {stored.get(thread, [])}\nexpected {want}\n"
                            f"deliveries {deliveries}\ninbox (ts, done) {await inbox_of(db, thread)}\nnotes "
                            f"{[c.args.get('text') for c in fake.called('chat.postEphemeral') if c.args.get('thread_ts') == thread.split('/')[1]]}")

        # and every conversation can go on
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100)) as http:
            await asyncio.gather(*(
                deliver(http, workers, event(i, roots[i], f"1800000099.{i:06d}", GOES_ON)[1])
                for i in range(CONVERSATIONS)))
        deadline = time.monotonic() + 60
        while True:
            stored = await turns_by_conversation(db)
            if all(len(stored[f"C1/{r}"]) == len(LINES) + 1 for r in roots) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert all(stored[f"C1/{r}"][-1][:2] == (len(LINES) + 1, GOES_ON) for r in roots)
        answered = {c.args.get("thread_ts") for c in fake.called("chat.postMessage") if c.args.get("thread_ts")}
        assert set(roots) <= answered  # the customer spoke in every thread
    finally:
        for w in workers:
            await w.stop()
        await fake.stop()
