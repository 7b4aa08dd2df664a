"""Slack itself, faked on loopback, so the real slack-bolt app can be tested end to end.

One aiohttp server plays four parts of Slack: the Web API (`/api/<method>`, answering
the way Slack does and recording every call), response_url webhooks (`/respond/<n>`),
the Socket Mode WebSocket (`/link`, handed out by apps.connections.open), file
downloads (`/files/<id>/<name>`, the url_private of files shared with the bot, served
only with the bot token, like Slack, which answers anything else with its sign-in page),
and file uploads as slack_sdk's `files_upload_v2` makes them: files.getUploadURLExternal
hands out `/upload/<file id>`, the bytes are POSTed there, and files.completeUploadExternal
shares them (`uploads` holds what was shared, where). Threads keep their messages for
conversations.replies (`hold` adds one a user wrote, as while the bot was down). Tests assert on what the bot sent,
the way a user would see it in Slack.

For OAuth distribution it also plays Slack's install page (`/oauth/v2/authorize`, which
sends the browser straight back to the app's redirect URL with a one-time code, as after
"Allow") and `oauth.v2.access`, which trades that code for a bot token of the workspace
being installed; `auth.test` then answers for each such token with its own workspace and
bot user, and `uninstall` revokes a workspace's token as Slack does. Every call records
the token it came with (`Call.token`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import BasicAuth, WSMsgType, web

BOT_USER = "UBOT"
BAD_TOKEN = "xoxb-refused"
OTHER_TEAM_TOKEN = "xoxb-team2"  # auth.test answers with workspace T2 for tokens starting so
CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "fake-client-secret-0123456789"


@dataclass
class Installed:
    """A workspace that installed the app through the fake's OAuth pages."""

    team: str
    token: str  # its bot token, as oauth.v2.access handed it out
    bot_user: str  # Hotseat's member id in that workspace
    installer: str
    revoked: bool = False


@dataclass
class Upload:
    """One file the bot uploaded: what files.getUploadURLExternal was told, the bytes sent
    to the upload URL, and where files.completeUploadExternal shared it."""

    file_id: str
    filename: str
    length: int
    alt_txt: str | None
    data: bytes = b""
    title: str | None = None
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str | None = None


@dataclass
class Call:
    method: str  # a Web API method, or "response_url"
    args: dict[str, Any]
    result: dict[str, Any] = field(default_factory=dict)  # what the fake answered
    token: str = ""  # the bearer token it was made with

    def text(self) -> str:
        """Everything the user could read in this call, for searching."""
        return json.dumps(self.args, ensure_ascii=False)


def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack adds: v0 HMAC-SHA256 over `v0:{timestamp}:{body}`."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class FakeSlack:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.files: dict[str, dict] = {}  # file id -> files.info's file object, plus its "content"
        self.downloads: list[tuple[str, str]] = []  # (file id, Authorization header) of each download
        self.usergroups: dict[str, list[str]] = {}  # user group id -> its members, for usergroups.users.list
        self.acks: dict[str, Any] = {}  # Socket Mode envelope id -> the payload the client acked with
        self.uploads: list[Upload] = []  # files shared by files.completeUploadExternal, in order
        self._pending: dict[str, Upload] = {}  # file id -> an upload not completed yet
        self.refuse_uploads: str | None = None  # an error code: files.getUploadURLExternal answers ok=false with it
        self.break_upload_url = False  # the upload URL answers 500, as Slack's file service does when it fails
        self.threads: dict[tuple[str, str], list[dict]] = {}  # (channel, root ts) -> its messages, root first
        self._queued: dict[str, list[web.Response]] = {}
        self._ts = itertools.count(1)
        self._urls = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.installed: dict[str, Installed] = {}  # bot token -> the workspace it serves
        self.redirect_uri = ""  # where the install page sends the browser back (the app's Redirect URL)
        self._codes: dict[str, tuple[str, str]] = {}  # one-time code -> (team, installer)
        self._installs = itertools.count(1)

    async def start(self) -> "FakeSlack":
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk reads some methods (files.info, usergroups.users.list) with GET
        app.router.add_post("/respond/{n}", self._respond)
        app.router.add_get("/link", self._link)
        app.router.add_get("/files/{id}/{name}", self._download)
        app.router.add_post("/upload/{id}", self._upload)
        app.router.add_get("/oauth/v2/authorize", self._authorize)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = "http://127.0.0.1:%d" % self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    @property
    def authorize_url(self) -> str:
        return self.url + "/oauth/v2/authorize"

    # -- OAuth ------------------------------------------------------------------------------
    def token_of(self, team: str) -> str:
        """The live bot token of a workspace that installed the app."""
        [token] = [t for t, i in self.installed.items() if i.team == team and not i.revoked]
        return token

    def bot_user_of(self, team: str) -> str:
        return self.installed[self.token_of(team)].bot_user

    def uninstall(self, team: str) -> None:
        """The workspace removes the app: its tokens stop working at once (Slack then sends the
        app_uninstalled event, which the test delivers)."""
        for installed in self.installed.values():
            if installed.team == team:
                installed.revoked = True

    async def _authorize(self, request: web.Request) -> web.Response:
        """Slack's install page after the user pressed Allow: back to the redirect URL with a code
        for the workspace in `team` (the one the user picked), and the state untouched."""
        q = request.query
        self.calls.append(Call("oauth/v2/authorize", dict(q)))
        if q.get("client_id") != CLIENT_ID:
            return web.Response(status=400, text="invalid_client_id")
        code = f"code-{next(self._installs)}"
        self._codes[code] = (q.get("team") or "T1", q.get("user") or "U1")
        back = q.get("redirect_uri") or self.redirect_uri
        raise web.HTTPFound(f"{back}?code={code}&state={q.get('state', '')}")

    def _access(self, request: web.Request, args: dict) -> dict:
        """oauth.v2.access: the client (HTTP Basic, as slack_sdk sends it) first, then the code, once."""
        try:
            client = BasicAuth.decode(request.headers.get("Authorization", ""))
        except ValueError:
            client = BasicAuth(str(args.get("client_id", "")), str(args.get("client_secret", "")))
        if client.login != CLIENT_ID:
            return {"ok": False, "error": "invalid_client_id"}
        if client.password != CLIENT_SECRET:
            return {"ok": False, "error": "bad_client_secret"}
        found = self._codes.pop(str(args.get("code")), None)
        if found is None:
            return {"ok": False, "error": "invalid_code"}
        team, installer = found
        n = len(self.installed) + 1
        installed = Installed(team, f"xoxb-oauth-{team}-{n}", f"UBOT{team}", installer)
        self.installed[installed.token] = installed
        return {"ok": True, "app_id": "A1", "authed_user": {"id": installer}, "scope": "commands,chat:write",
                "token_type": "bot", "access_token": installed.token, "bot_user_id": installed.bot_user,
                "team": {"id": team, "name": f"Team {team}"}, "enterprise": None, "is_enterprise_install": False}

    def response_url(self) -> str:
        return f"{self.url}/respond/{next(self._urls)}"

    # -- making Slack misbehave -------------------------------------------------------------
    def fail(self, method: str, error: str) -> None:
        """The next call of `method` answers ok=false with `error`."""
        self._queued.setdefault(method, []).append(web.json_response({"ok": False, "error": error}))

    def break_once(self, method: str) -> None:
        """The next call of `method` gets a proxy's plain-text error instead of Slack's JSON."""
        self._queued.setdefault(method, []).append(
            web.Response(status=502, text="upstream connect error", content_type="text/plain"))

    def rate_limit(self, method: str, retry_after: int = 1) -> None:
        """The next call of `method` is refused with 429 and Retry-After, as Slack does."""
        self._queued.setdefault(method, []).append(web.json_response(
            {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(retry_after)}))

    def fail_uploads(self, error: str = "missing_scope", *, at_upload_url: bool = False) -> None:
        """Every upload from now on is refused: files.getUploadURLExternal answers ok=false
        with `error` (a missing files:write scope, uploads disabled by an admin), or, with
        `at_upload_url`, the upload URL answers 500."""
        if at_upload_url:
            self.break_upload_url = True
        else:
            self.refuse_uploads = error

    def share(self, name: str, content: bytes, *, size: int | None = None) -> dict:
        """A file as a user shares it: stored, and its stub as a file_share event carries it.
        `size` is what files.info reports (a lie for testing the check before download)."""
        file_id = f"F{len(self.files) + 1:04d}"
        url = f"{self.url}/files/{file_id}/{name}"
        self.files[file_id] = {"id": file_id, "name": name, "title": name, "filetype": "yaml", "mimetype": "text/plain",
                               "size": len(content) if size is None else size, "url_private": url,
                               "url_private_download": url + "?download=1", "content": content}
        return {"id": file_id, "name": name, "mimetype": "text/plain", "filetype": "yaml"}

    def hold(self, channel: str, thread_ts: str, user: str, text: str, ts: str) -> dict:
        """A message a user wrote in a thread, as Slack keeps it (for conversations.replies)
        whether or not the bot was there to get the event: sent while it was down, or sent
        live as well (`Slack.say` only delivers the event)."""
        message = {"type": "message", "user": user, "text": text, "ts": ts, "thread_ts": thread_ts, "team": "T1"}
        self._thread(channel, thread_ts).append(message)
        return message

    def open_thread(self, channel: str, root: str) -> None:
        """A thread Slack knows (its root message posted earlier), with no replies yet."""
        self._thread(channel, root)

    def _thread(self, channel: str, root: str) -> list[dict]:
        return self.threads.setdefault((channel, root), [{"type": "message", "ts": root, "thread_ts": root}])

    def _replies(self, args: dict) -> dict:
        """conversations.replies: the root first on every page, then the replies from `oldest`
        (exclusive unless `inclusive`), oldest first, `limit` a page, paged by cursor."""
        channel, root = str(args.get("channel")), str(args.get("ts"))
        if (channel, root) not in self.threads:
            return {"ok": False, "error": "thread_not_found"}
        parent, *replies = sorted(self.threads[(channel, root)], key=lambda m: float(m["ts"]))
        inclusive = str(args.get("inclusive", "0")).lower() in ("1", "true")
        if args.get("oldest"):
            oldest = float(args["oldest"])
            replies = [m for m in replies if float(m["ts"]) > oldest or (inclusive and float(m["ts"]) == oldest)]
        start, limit = int(args.get("cursor") or 0), int(args.get("limit") or 1000)
        page = replies[start:start + limit]
        more = start + limit < len(replies)
        return {"messages": [parent, *page], "has_more": more,
                "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    # -- looking at what the bot did --------------------------------------------------------
    def called(self, method: str, **match: Any) -> list[Call]:
        return [c for c in self.calls if c.method == method and all(c.args.get(k) == v for k, v in match.items())]

    async def wait_for(self, method: str, *, where: Callable[[Call], bool] = lambda c: True, count: int = 1,
                       timeout: float = 5.0, **match: Any) -> Call:
        """The `count`-th matching call, once it has happened (bolt runs listeners after the ack)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.called(method, **match) if where(c)]
            if len(found) >= count:
                return found[count - 1]
            if time.monotonic() > deadline:
                seen = "\n".join(f"  {c.method} {c.text()[:200]}" for c in self.calls)
                raise AssertionError(f"no {count}x {method} {match} within {timeout}s; calls:\n{seen}")
            await asyncio.sleep(0.01)

    # -- Socket Mode ------------------------------------------------------------------------
    async def send_envelope(self, kind: str, payload: dict, envelope_id: str) -> None:
        """Push an events_api / slash_commands / interactive envelope down the WebSocket."""
        deadline = time.monotonic() + 5
        while self._ws is None:
            assert time.monotonic() < deadline, "the bot never opened the Socket Mode connection"
            await asyncio.sleep(0.01)
        await self._ws.send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                  "accepts_response_payload": kind != "events_api", "retry_attempt": 0})

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while envelope_id not in self.acks:
            assert time.monotonic() < deadline, f"envelope {envelope_id} was never acknowledged"
            await asyncio.sleep(0.01)
        return self.acks[envelope_id]

    # -- handlers ---------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        call = Call(request.match_info["method"], await _arguments(request), token=token)
        self.calls.append(call)
        if self._queued.get(call.method):
            refusal = self._queued[call.method].pop(0)
            call.result = json.loads(refusal.text) if refusal.content_type == "application/json" else {"ok": False}
            return refusal
        if call.method == "oauth.v2.access":
            call.result = self._access(request, call.args)
            return web.json_response(call.result)
        if token == BAD_TOKEN:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        installed = self.installed.get(token)
        if installed is not None and installed.revoked:
            call.result = {"ok": False, "error": "token_revoked"}
            return web.json_response(call.result)
        refused = _over_limits(call.args)
        if refused:
            call.result = {"ok": False, "error": refused}
            return web.json_response(call.result)
        call.result = {"ok": True, **self._answer(call.method, call.args, installed)}  # an answer may say ok: false
        if call.method == "auth.test" and token.startswith(OTHER_TEAM_TOKEN):
            call.result["team_id"] = "T2"
        if call.method == "auth.test" and installed is not None:
            call.result |= {"team": f"Team {installed.team}", "team_id": installed.team, "user_id": installed.bot_user,
                            "bot_id": f"B{installed.team}"}
        return web.json_response(call.result)

    def _answer(self, method: str, args: dict, installed: Installed | None = None) -> dict:
        if method == "auth.test":
            return {"team": "Test Team", "team_id": "T1", "user": "hotseat", "user_id": BOT_USER, "bot_id": "BBOT"}
        if method == "chat.postMessage":
            ts = f"1800000000.{next(self._ts):06d}"
            channel, root = str(args.get("channel")), args.get("thread_ts")
            bot_user, bot_id = (installed.bot_user, f"B{installed.team}") if installed else (BOT_USER, "BBOT")
            if root:  # the bot's own answers are in the thread too, as Slack keeps them
                self._thread(channel, str(root)).append({"type": "message", "user": bot_user, "bot_id": bot_id,
                                                         "text": args.get("text"), "ts": ts, "thread_ts": root})
            else:
                self._thread(channel, ts)[0].update(user=bot_user, bot_id=bot_id, text=args.get("text"))
            return {"channel": args.get("channel"), "ts": ts, "message": {"ts": ts, "text": args.get("text")}}
        if method == "chat.postEphemeral":
            return {"message_ts": f"1800000000.{next(self._ts):06d}"}
        if method == "conversations.replies":
            return self._replies(args)
        if method == "conversations.open":
            return {"channel": {"id": "D" + str(args.get("users"))}}
        if method == "files.info":
            found = self.files.get(str(args.get("file")))
            if found is None:
                return {"ok": False, "error": "file_not_found"}
            return {"file": {k: v for k, v in found.items() if k != "content"}}
        if method == "usergroups.users.list":
            group = str(args.get("usergroup"))
            if group not in self.usergroups:
                return {"ok": False, "error": "no_such_subteam"}
            return {"users": self.usergroups[group]}
        if method == "files.getUploadURLExternal":
            if self.refuse_uploads:
                return {"ok": False, "error": self.refuse_uploads}
            if not args.get("filename") or not str(args.get("length") or "").isdigit() or int(args["length"]) <= 0:
                return {"ok": False, "error": "missing_argument"}
            if len(str(args.get("alt_txt") or "")) > 1000:
                return {"ok": False, "error": "alt_txt_too_large"}
            file_id = f"FU{len(self._pending) + len(self.uploads) + 1:04d}"
            self._pending[file_id] = Upload(file_id, str(args["filename"]), int(args["length"]), args.get("alt_txt"))
            return {"file_id": file_id, "upload_url": f"{self.url}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = args.get("files")
            files = json.loads(files) if isinstance(files, str) else files
            shared = []
            for f in files or []:
                upload = self._pending.pop(str(f.get("id")), None)
                if upload is None or len(upload.data) != upload.length:
                    return {"ok": False, "error": "file_not_found" if upload is None else "file_upload_size_mismatch"}
                upload.title = f.get("title")
                upload.channel = args.get("channel_id") or args.get("channels")
                upload.thread_ts = args.get("thread_ts")
                upload.initial_comment = args.get("initial_comment")
                self.uploads.append(upload)
                shared.append({"id": upload.file_id, "title": upload.title, "name": upload.filename})
            return {"files": shared}
        if method == "apps.connections.open":
            return {"url": self.url.replace("http://", "ws://") + "/link"}
        return {}

    async def _download(self, request: web.Request) -> web.Response:
        file_id, auth = request.match_info["id"], request.headers.get("Authorization", "")
        self.downloads.append((file_id, auth))
        found = self.files.get(file_id)
        if found is None:
            return web.Response(status=404)
        if not auth.startswith("Bearer xoxb-"):
            return web.Response(text="<html>Sign in to Slack</html>", content_type="text/html")
        return web.Response(body=found["content"], content_type="application/octet-stream")

    async def _upload(self, request: web.Request) -> web.Response:
        """The upload URL: raw bytes (slack_sdk sends the file as the body), answered 200 "OK"."""
        data = await request.read()
        self.calls.append(Call("upload_url", {"file_id": request.match_info["id"], "length": len(data)}))
        if self.break_upload_url:
            return web.Response(status=500, text="upload failed")
        upload = self._pending.get(request.match_info["id"])
        if upload is None:
            return web.Response(status=404, text="no such upload")
        upload.data = data
        return web.Response(text="OK - " + str(len(data)))

    async def _respond(self, request: web.Request) -> web.Response:
        self.calls.append(Call("response_url", await request.json()))
        return web.Response(text="ok")

    async def _link(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A1"}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                data = json.loads(msg.data)
                if "envelope_id" in data:
                    self.acks[data["envelope_id"]] = data.get("payload")
        return ws


def _over_limits(args: dict) -> str | None:
    """Slack's refusals for what Hotseat could get wrong: too many blocks, too long a text."""
    if len(str(args.get("text") or "")) > 40_000:
        return "msg_too_long"
    blocks = args.get("blocks") or (args.get("view") or {}).get("blocks") or []
    if len(blocks) > (100 if args.get("view") else 50):
        return "invalid_blocks"
    for block in blocks:
        pieces = [((block.get("text") or {}).get("text", ""), 150 if block.get("type") == "header" else 3000)]
        pieces += [(f.get("text", ""), 2000) for f in block.get("fields", [])]
        if block.get("type") == "context":
            pieces += [(e.get("text", ""), 3000) for e in block.get("elements", [])]
        if any(len(text) > cap for text, cap in pieces):
            return "invalid_blocks"
    return None


async def _arguments(request: web.Request) -> dict[str, Any]:
    """Slack takes arguments as JSON, form fields or query parameters; blocks may be JSON text."""
    args: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        return args | await request.json()
    args |= await request.post()
    for key in ("blocks", "view"):
        if isinstance(args.get(key), str):
            args[key] = json.loads(args[key])
    return args
