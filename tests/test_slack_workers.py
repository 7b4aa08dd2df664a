"""`hotseat run slack --http --workers 2` (issue 13): two worker processes share one port over
one SQLite file, any of them answers any event (a conversation started through one is
played through whichever the kernel hands the next request to), a worker that dies is
reported while the other keeps serving, and SIGTERM stops them all. Real processes, the
loopback fake Slack in this test's process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
import pytest

from slack_fakes import FakeSlack, sign
from test_slack import EXCELLENT, SECRET, _customer_line, _opening, rows

fake = __import__("test_slack").fake  # the loopback Slack fixture

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT") or not Path("/proc").is_dir(),
                                reason="workers share a port with SO_REUSEPORT (Linux)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


async def command(http: aiohttp.ClientSession, port: int, fake: FakeSlack, text: str) -> int:
    form = urlencode({"token": "x", "team_id": "T1", "team_domain": "test", "channel_id": "C1",
                      "channel_name": "practice", "user_id": "U1", "user_name": "ana", "command": "/hotseat",
                      "text": text, "api_app_id": "A1", "response_url": fake.response_url(), "trigger_id": "1"})
    headers = {**sign(SECRET, form), "Content-Type": "application/x-www-form-urlencoded"}
    async with http.post(f"http://127.0.0.1:{port}/slack/events", data=form.encode(), headers=headers) as r:
        return r.status


async def say(http: aiohttp.ClientSession, port: int, thread: str, text: str, n: int) -> int:
    import json

    ts = f"{time.time():.6f}"
    event = {"type": "message", "user": "U1", "text": text, "ts": ts, "thread_ts": thread, "channel": "C1",
             "channel_type": "channel", "event_ts": ts}
    body = json.dumps({"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event": event,
                       "event_id": f"EvW{n}", "event_time": int(time.time()),
                       "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}]})
    headers = {**sign(SECRET, body), "Content-Type": "application/json"}
    async with http.post(f"http://127.0.0.1:{port}/slack/events", data=body.encode(), headers=headers) as r:
        return r.status


async def test_two_workers_on_one_port_each_answer_any_event(fake, tmp_path) -> None:
    port, db = free_port(), tmp_path / "hotseat.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "HOTSEAT_"))}
    env |= {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
            "HOTSEAT_SLACK_HOST": "127.0.0.1", "HOTSEAT_SLACK_ANNOUNCE": "off", "PYTHONPATH": str(ROOT)}
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "slack", "--http", "--port", str(port), "--workers", "2",
        "--db", str(db), "--env-file", str(tmp_path / "none.env"), cwd=tmp_path, env=env,
        stderr=asyncio.subprocess.PIPE)
    try:
        # each request on a new connection, so the kernel may hand it to either worker
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
            deadline = time.monotonic() + 90  # two cold Python starts; slow on a loaded CI machine
            while len(fake.called("auth.test")) < 2 or len(children(parent.pid)) < 2:
                assert time.monotonic() < deadline, "the two workers did not start"
                await asyncio.sleep(0.1)
            while True:  # both have checked their token; wait until the port answers
                with contextlib.suppress(aiohttp.ClientError):
                    if await command(http, port, fake, "help") == 200:
                        break
                assert time.monotonic() < deadline, "nobody listens on the shared port"
                await asyncio.sleep(0.1)
            await asyncio.sleep(1)  # the slower worker finishes starting too

            assert await command(http, port, fake, "start double-billing") == 200
            thread = (await fake.wait_for("chat.postMessage", channel="C1", where=_opening, timeout=10)).result["ts"]
            lines = EXCELLENT[:4]
            for n, line in enumerate(lines, 1):
                assert await say(http, port, thread, line, n) == 200
                await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread, where=_customer_line,
                                    count=n, timeout=10)
            assert [t for (t,) in rows(db, "SELECT trainee FROM turns ORDER BY idx")] == lines

            # one worker dies: it is reported, and the other still answers on the same port
            victim = children(parent.pid)[0]
            os.kill(victim, signal.SIGKILL)
            report = await asyncio.wait_for(parent.stderr.readline(), 10)
            while b"stopped" not in report:
                report = await asyncio.wait_for(parent.stderr.readline(), 10)
            assert f"(pid {victim}) stopped".encode() in report and b"1 worker still serving" in report
            assert await say(http, port, thread, EXCELLENT[4], 10) == 200
            await fake.wait_for("chat.postMessage", channel="C1", thread_ts=thread, where=_customer_line,
                                count=len(lines) + 1, timeout=10)
            for _ in range(5):
                assert await command(http, port, fake, "help") == 200
        survivors = children(parent.pid)
        parent.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(parent.wait(), 15) == 0
        for pid in survivors:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text()
    finally:
        if parent.returncode is None:
            parent.kill()
            await parent.wait()


@pytest.mark.parametrize("flags, said", [
    (["--workers", "2"], "use it with `hotseat run slack --http`"),
    (["--http", "--port", "0", "--workers", "2"], "needs a fixed port"),
    (["--http", "--port", "3999", "--workers", "2"], "SLACK_SIGNING_SECRET is not set"),
])
def test_workers_refuse_what_cannot_work_with_one_message(tmp_path, flags, said) -> None:
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "HOTSEAT_"))}
    env |= {"SLACK_BOT_TOKEN": "xoxb-test-token", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-m", "bot", "run", "slack", *flags, "--db", str(tmp_path / "x.sqlite3"),
                          "--env-file", str(tmp_path / "none.env")],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, env=env)
    assert out.returncode == 2 and said in out.stderr
    assert out.stderr.count("hotseat:") == 1 and "started" not in out.stderr  # no worker was started
