"""Turns through the real Slack front end: signed HTTP events into the bolt app on loopback,
the service and SQLite behind it, the customer's answer out to a fake Slack Web API.

    python bench/slack_http.py                 # 1, 20 and 100 trainees at once
    python bench/slack_http.py --quick --json  # one JSON object, well under a minute

Latency is from posting the event to Slack's API receiving the customer's answer: what a
trainee waits for, minus Slack's own network. Numbers, not assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import aiohttp  # noqa: E402

from bot.persona.library import Library  # noqa: E402
from bot.core.service import HotseatService  # noqa: E402
from bot.frontends.slack.app import SlackFrontEnd  # noqa: E402
from bot.frontends.slack.settings import SlackSettings  # noqa: E402
from bot.store.sqlite import Store  # noqa: E402
from run import MESSAGES, pct  # noqa: E402
from slack_fakes import FakeSlack, sign  # noqa: E402

SECRET = "bench-signing-secret"


class TimedSlack(FakeSlack):
    """The fake Web API, resolving a waiter when a thread gets its next post."""

    def __init__(self) -> None:
        super().__init__()
        self.waiters: dict[str, asyncio.Future] = {}

    def _answer(self, method: str, args: dict) -> dict:
        out = super()._answer(method, args)
        if method == "chat.postMessage":
            key = args.get("thread_ts") or f"open:{args.get('channel')}"
            waiter = self.waiters.pop(key, None)
            if waiter is not None and not waiter.done():
                waiter.set_result((time.perf_counter(), "Debrief" in json.dumps(args.get("blocks", [])), out))
        return out

    def expect(self, key: str) -> asyncio.Future:
        self.waiters[key] = asyncio.get_running_loop().create_future()
        return self.waiters[key]


async def drive(trainees: int, turns_each: int) -> dict:
    fake = await TimedSlack().start()
    ids = itertools.count(1)
    with tempfile.TemporaryDirectory() as tmp:
        store = await Store.open(Path(tmp) / "bench.sqlite3")
        service = HotseatService(store, Library.load())
        settings = SlackSettings(bot_token="xoxb-bench", signing_secret=SECRET, api_url=fake.api_url, http=True,
                                 host="127.0.0.1", port=0, announce=False)
        front = SlackFrontEnd(service, settings)
        serving = asyncio.create_task(front.serve())
        await asyncio.wait_for(front.ready.wait(), 10)
        url = f"http://127.0.0.1:{front.port}/slack/events"
        latencies: list[float] = []

        async with aiohttp.ClientSession() as http:

            async def post(body: str, content_type: str) -> None:
                headers = {**sign(SECRET, body), "Content-Type": content_type}
                async with http.post(url, data=body.encode(), headers=headers) as r:
                    assert r.status == 200, r.status

            async def start(channel: str) -> str:
                opened = fake.expect(f"open:{channel}")
                form = {"team_id": "T1", "channel_id": channel, "user_id": f"U{channel}", "user_name": channel,
                        "command": "/hotseat", "text": "start double-billing", "response_url": fake.response_url()}
                await post(urlencode(form), "application/x-www-form-urlencoded")
                _, _, result = await asyncio.wait_for(opened, 10)
                return result["ts"]

            async def trainee(i: int) -> None:
                channel = f"C{i}"
                thread = await start(channel)
                for n in range(turns_each):
                    answered = fake.expect(thread)
                    event = {"type": "message", "user": f"U{channel}", "text": MESSAGES[n % len(MESSAGES)],
                             "ts": f"1.{next(ids)}", "thread_ts": thread, "channel": channel, "channel_type": "channel"}
                    body = json.dumps({"team_id": "T1", "type": "event_callback", "event_id": f"Ev{next(ids)}",
                                       "event": event, "authorizations": [{"team_id": "T1"}]})
                    sent = time.perf_counter()
                    await post(body, "application/json")
                    at, was_debrief, _ = await asyncio.wait_for(answered, 10)
                    latencies.append(at - sent)
                    if was_debrief:  # resolved: this trainee starts over
                        thread = await start(channel)

            began = time.perf_counter()
            await asyncio.gather(*(trainee(i) for i in range(trainees)))
            elapsed = time.perf_counter() - began
        serving.cancel()
        await asyncio.gather(serving, return_exceptions=True)
        await front.close()
        await store.close()
    await fake.stop()
    return {"trainees": trainees, "turns": len(latencies), "turns_per_s": round(len(latencies) / elapsed, 1),
            "p50_ms": round(pct(latencies, 50) * 1000, 2), "p99_ms": round(pct(latencies, 99) * 1000, 2)}


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="smaller runs")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    os.environ.pop("SLACK_BOT_TOKEN", None)  # bolt would warn that it ignores it
    plan = [(1, 100), (20, 20)] if args.quick else [(1, 300), (20, 50), (100, 20)]
    results = [await drive(n, turns) for n, turns in plan]
    if args.json:
        print(json.dumps({"slack_http": results}))
        return
    print("trainees  turns  turns/s  p50 ms  p99 ms")
    for r in results:
        print(f"{r['trainees']:>8} {r['turns']:>6} {r['turns_per_s']:>8} {r['p50_ms']:>7} {r['p99_ms']:>7}")


if __name__ == "__main__":
    asyncio.run(main())
