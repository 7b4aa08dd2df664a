"""A loopback Discord for driving the real discord.py client: the REST API and the gateway
WebSocket in one aiohttp server on 127.0.0.1, recording every request.

The fake answers the way Discord does, as far as Hotseat uses it: login, application
info, the gateway handshake (HELLO, IDENTIFY, READY, GUILD_CREATE, heartbeats), command
sync, interaction callbacks and webhook follow-ups, threads (with THREAD_CREATE and
THREAD_UPDATE dispatched back like Discord does), messages and typing. Like Discord it
refuses a body over its size limits (400 Invalid Form Body, recorded in `invalid`), a post
in an archived thread, and shows the first follow-up after a defer with the defer's
visibility whatever flags it asks for. Tests then feed
gateway dispatches (INTERACTION_CREATE, MESSAGE_CREATE) through discord.py's own parsing
and assert on the recorded requests: what a user would see.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

from aiohttp import WSMsgType, web

TOKEN = "fake-bot-token-never-logged"
APP_ID = 500000000000000001
BOT_ID = 500000000000000002
GUILD_ID = 500000000000000003
CHANNEL_ID = 500000000000000004
EVERYONE_PERMISSIONS = "562949953421311"  # every permission bit up to 2**49
DISCORD_EPOCH_MS = 1420070400000  # snowflake ids count milliseconds from 2015-01-01
TRAINER_ROLE = 500000000000000010
LEAD_ROLE = 500000000000000011
ROLES = {TRAINER_ROLE: "Trainers", LEAD_ROLE: "Team leads"}  # the guild's roles besides @everyone


@dataclass
class Request:
    method: str
    path: str  # without the /api/v10 prefix
    body: Any
    query: dict[str, str]
    status: int = 0  # what the fake answered: a refused post was never seen by anyone
    files: list[tuple[str, bytes, str]] = field(default_factory=list)  # multipart uploads: (filename, data, type)

    @property
    def sent(self) -> dict | None:
        """The message this request posts (content, embeds, components, allowed_mentions), if any."""
        body = self.body
        if not isinstance(body, dict):
            return None
        if self.path.endswith("/callback"):
            body = body.get("data") or {}
        return body if {"content", "embeds"} & body.keys() else None


def multipart(raw: bytes, content_type: str) -> tuple[Any, list[tuple[str, bytes, str]]]:
    """A multipart/form-data body as discord.py sends one with files: `payload_json` (the
    message) and `files[N]` parts; returns (payload, [(filename, data, content type)])."""
    parsed = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    payload: Any = None
    files = []
    for part in parsed.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if name == "payload_json":
            payload = json.loads(data)
        elif name and name.startswith("files["):
            files.append((part.get_filename() or "", data, part.get_content_type()))
    return payload, files


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON the way Discord sends it: discord.py parses only an exact `application/json` type."""
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


def user(user_id: int, name: str, *, bot: bool = False) -> dict:
    return {"id": str(user_id), "username": name.lower(), "global_name": name, "discriminator": "0",
            "avatar": None, "bot": bot}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _member(u: dict, roles: tuple[int, ...] = ()) -> dict:
    return {"user": u, "nick": None, "roles": [str(r) for r in roles], "joined_at": _now(), "deaf": False,
            "mute": False, "flags": 0, "pending": False}


def form_errors(path: str, body: Any) -> list[str]:
    """Discord's size limits on what a bot sends; each breach is one reason for a 400 Invalid Form Body."""
    if not isinstance(body, dict):
        return []
    data = (body.get("data") or {}) if path.endswith("/callback") else body
    errors: list[str] = []

    def check(what: str, text: Any, limit: int) -> None:
        if isinstance(text, str) and len(text) > limit:
            errors.append(f"{what}: {len(text)} characters, at most {limit}")

    check("content", data.get("content"), 2000)
    if path.startswith("/channels/"):
        check("thread name", data.get("name"), 100)
    total = 0
    for embed in data.get("embeds") or []:
        texts = [("title", embed.get("title"), 256), ("description", embed.get("description"), 4096),
                 ("footer", (embed.get("footer") or {}).get("text"), 2048)]
        for f in embed.get("fields") or []:
            texts += [("field name", f["name"], 256), ("field value", f["value"], 1024)]
        for what, text, limit in texts:
            check(f"embed {what}", text, limit)
            total += len(text or "")
    if total > 6000:
        errors.append(f"embeds: {total} characters in all, at most 6000")
    for row in data.get("components") or []:
        for c in row.get("components") or []:
            check("button label", c.get("label"), 80)
            check("custom_id", c.get("custom_id"), 100)
    for choice in data.get("choices") or []:
        check("choice name", choice["name"], 100)
        check("choice value", choice["value"], 100)
    return errors


@dataclass
class FakeDiscord:
    requests: list[Request] = field(default_factory=list)
    refuse_message_content: bool = False  # as when the intent is off in the developer portal
    refuse_threads: dict[int, int] = field(default_factory=dict)  # thread type -> HTTP status to refuse it with
    refuse_posts: Callable[[int, dict], bool] | None = None  # (channel id, body) -> answer 403 Missing Permissions
    refuse_lock: bool = False  # no Manage Threads: a thread may be archived but not locked
    expired: bool = False  # interactions answered too late: Discord no longer knows them
    refuse_uploads: bool = False  # any request carrying files is refused (413), as an over-limit upload is
    invalid: list[tuple[Request, list[str]]] = field(default_factory=list)  # bodies refused for Discord's limits
    channels: dict[int, dict] = field(default_factory=dict)
    messages: dict[int, dict] = field(default_factory=dict)
    bot: dict = field(default_factory=lambda: user(BOT_ID, "Hotseat", bot=True))
    identified: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.files: dict[str, bytes] = {}  # attachment id -> what its CDN URL serves
        self.downloads: list[str] = []  # attachment ids the bot fetched
        self._deferred: dict[str, int] = {}  # interaction token -> flags of a defer not yet followed up
        self._ids = itertools.count(600000000000000000)
        self._seq = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self.url = ""
        self.channels[CHANNEL_ID] = {
            "id": str(CHANNEL_ID), "type": 0, "guild_id": str(GUILD_ID), "name": "practice", "position": 0,
            "permission_overwrites": [], "nsfw": False, "parent_id": None, "topic": None, "last_message_id": None,
            "rate_limit_per_user": 0, "flags": 0,
        }

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/attachments/{id}/{filename}", self._attachment)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self.url + "/api/v10"

    async def close(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def next_id(self) -> int:
        return next(self._ids)

    # -- gateway ---------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                break
            frame = json.loads(msg.data)
            if frame["op"] == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif frame["op"] == 2:
                assert frame["d"]["token"] == TOKEN
                self.identify = frame["d"]
                if self.refuse_message_content:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                # As Discord does: a shard hears only of the guilds routed to it, (id >> 22) % count.
                shard, count = frame["d"].get("shard") or (0, 1)
                ours = (GUILD_ID >> 22) % count == shard
                await self.dispatch("READY", {
                    "v": 10, "user": self.bot, "guilds": [{"id": str(GUILD_ID), "unavailable": True}] if ours else [],
                    "session_id": "fake-session", "resume_gateway_url": self.url + "/gateway",
                    "application": {"id": str(APP_ID), "flags": 0}, "shard": [shard, count],
                })
                if ours:
                    await self.dispatch("GUILD_CREATE", self.guild())
                self.identified.set()
        return ws

    async def dispatch(self, event: str, data: dict) -> None:
        assert self._ws is not None, "the client never connected to the gateway"
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    def guild(self) -> dict:
        return {
            "id": str(GUILD_ID), "name": "Support Academy", "icon": None, "owner_id": "1", "unavailable": False,
            "member_count": 3, "large": False, "features": [], "emojis": [], "stickers": [],
            "threads": [c for c in self.threads() if not c["thread_metadata"]["archived"]],
            "roles": [{"id": str(GUILD_ID), "name": "@everyone", "permissions": EVERYONE_PERMISSIONS, "position": 0,
                       "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0},
                      *({"id": str(role_id), "name": name, "permissions": "0", "position": i, "color": 0,
                         "hoist": False, "managed": False, "mentionable": True, "flags": 0}
                        for i, (role_id, name) in enumerate(ROLES.items(), 1))],
            "channels": [self.channels[CHANNEL_ID]], "members": [_member(self.bot)], "voice_states": [],
            "presences": [], "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": [],
            "premium_tier": 0, "mfa_level": 0, "verification_level": 0, "explicit_content_filter": 0,
            "default_message_notifications": 0, "system_channel_flags": 0, "preferred_locale": "en-US",
            "nsfw_level": 0, "premium_progress_bar_enabled": False,
        }

    # -- REST ------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        raw = await request.read()
        files: list[tuple[str, bytes, str]] = []
        if request.content_type == "multipart/form-data":
            body, files = multipart(raw, request.headers["Content-Type"])
        else:
            body = json.loads(raw) if raw and request.content_type == "application/json" else raw.decode() or None
        record = Request(request.method, path, body, dict(request.query), files=files)
        self.requests.append(record)
        if files and self.refuse_uploads:
            record.status = 413
            return _json({"message": "Request entity too large", "code": 40005}, status=413)
        response = await self._answer(record, request.headers.get("Authorization"))
        record.status = response.status
        return response

    async def _answer(self, r: Request, authorization: str | None) -> web.Response:
        if authorization not in (f"Bot {TOKEN}", None):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        errors = form_errors(r.path, r.body)
        if errors:
            self.invalid.append((r, errors))
            return _json({"message": "Invalid Form Body", "code": 50035, "errors": errors}, status=400)
        for method, pattern, handler in self._routes():
            match = re.fullmatch(pattern, r.path)
            if method == r.method and match:
                if handler == self._history:
                    return await handler(r.body, *match.groups(), r.query)
                return await handler(r.body, *match.groups())
        return _json({"message": "Unknown route in the fake", "code": 0}, status=404)

    def _routes(self) -> list[tuple[str, str, Callable]]:
        return [
            ("GET", r"/users/@me", self._me),
            ("GET", r"/oauth2/applications/@me", self._app),
            ("GET", r"/gateway/bot", self._gateway_bot),
            ("PUT", r"/applications/\d+(?:/guilds/(\d+))?/commands", self._sync),
            ("POST", r"/interactions/(\d+)/([^/]+)/callback", self._callback),
            ("POST", r"/webhooks/\d+/([^/]+)", self._followup),
            ("PATCH", r"/webhooks/\d+/([^/]+)/messages/@original", self._followup),
            ("PATCH", r"/webhooks/\d+/([^/]+)/messages/(\d+)", self._followup),
            ("POST", r"/channels/(\d+)/threads", self._create_thread),
            ("PUT", r"/channels/(\d+)/thread-members/(\d+)", self._no_content),
            ("POST", r"/channels/(\d+)/typing", self._no_content),
            ("POST", r"/channels/(\d+)/messages", self._create_message),
            ("GET", r"/channels/(\d+)/messages", self._history),
            ("PATCH", r"/channels/(\d+)", self._edit_channel),
            ("GET", r"/channels/(\d+)", self._get_channel),
        ]

    async def _attachment(self, request: web.Request) -> web.Response:
        attachment_id = request.match_info["id"]
        if attachment_id not in self.files:
            return web.Response(status=404)
        self.downloads.append(attachment_id)
        return web.Response(body=self.files[attachment_id], content_type="application/octet-stream")

    async def _me(self, body: Any) -> web.Response:
        return _json({**self.bot, "verified": True, "mfa_enabled": False, "flags": 0})

    async def _app(self, body: Any) -> web.Response:
        return _json({
            "id": str(APP_ID), "name": "Hotseat", "description": "", "icon": None, "bot_public": True,
            "bot_require_code_grant": False, "owner": user(1, "Owner"), "verify_key": "0" * 64, "flags": 0,
        })

    async def _gateway_bot(self, body: Any) -> web.Response:
        return _json({"url": self.url.replace("http", "ws", 1) + "/gateway", "shards": 1,
                                  "session_start_limit": {"total": 1000, "remaining": 1000, "reset_after": 0,
                                                          "max_concurrency": 1}})

    async def _sync(self, body: list, guild_id: str | None) -> web.Response:
        if guild_id not in (None, str(GUILD_ID)):
            return _json({"message": "Missing Access", "code": 50001}, status=403)
        extra = {"guild_id": guild_id} if guild_id else {}
        return _json([
            {**cmd, **extra, "id": str(self.next_id()), "application_id": str(APP_ID), "version": "1"} for cmd in body
        ])

    async def _callback(self, body: dict, interaction_id: str, token: str) -> web.Response:
        if self.expired:
            return _json({"message": "Unknown interaction", "code": 10062}, status=404)
        flags = (body.get("data") or {}).get("flags", 0)
        if body["type"] in (5, 6):
            self._deferred[token] = flags
        return _json({"interaction": {
            "id": interaction_id, "type": 2, "response_message_loading": body["type"] == 5,
            "response_message_ephemeral": bool(flags & 64),
        }})

    async def _followup(self, body: dict, token: str, message_id: str | None = None) -> web.Response:
        if token in self._deferred:  # it resolves the "thinking…" message, public or private as deferred
            body["flags"] = body.get("flags", 0) & ~64 | self._deferred.pop(token)
        return _json(self._message(CHANNEL_ID, body))

    async def _create_thread(self, body: dict, parent_id: str) -> web.Response:
        status = self.refuse_threads.get(body["type"])
        if status is not None:
            return _json({"message": "Refused by the test", "code": 50013 if status == 403 else 0}, status=status)
        thread_id = self.next_id()
        thread = {
            "id": str(thread_id), "type": body["type"], "guild_id": str(GUILD_ID), "parent_id": parent_id,
            "owner_id": str(BOT_ID), "name": body["name"], "message_count": 0, "member_count": 1,
            "rate_limit_per_user": 0, "flags": 0, "last_message_id": None,
            "thread_metadata": {"archived": False, "locked": False, "archive_timestamp": _now(),
                                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                                "invitable": body.get("invitable", True)},
        }
        self.channels[thread_id] = thread
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread, status=201)

    async def _create_message(self, body: dict, channel_id: str) -> web.Response:
        channel = self.channels.get(int(channel_id), {})
        if channel.get("thread_metadata", {}).get("archived"):
            return _json({"message": "Thread is archived", "code": 50083}, status=400)
        if self.refuse_posts and self.refuse_posts(int(channel_id), body):
            return _json({"message": "Missing Permissions", "code": 50013}, status=403)
        return _json(self._message(int(channel_id), body))

    async def _history(self, body: Any, channel_id: str, query: dict[str, str]) -> web.Response:
        """A channel's messages after `after` (the oldest `limit` of them), newest first, as Discord answers."""
        if int(channel_id) not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        after, limit = int(query.get("after", 0)), min(int(query.get("limit", 50)), 100)
        found = sorted((m for i, m in self.messages.items() if m["channel_id"] == channel_id and i > after),
                       key=lambda m: int(m["id"]))[:limit]
        return _json(found[::-1])

    async def _edit_channel(self, body: dict, channel_id: str) -> web.Response:
        channel = self.channels[int(channel_id)]
        if self.refuse_lock and body.get("locked"):
            return _json({"message": "Missing Permissions", "code": 50013}, status=403)
        for key in ("archived", "locked"):
            if key in body:
                channel["thread_metadata"][key] = body[key]
        await self.dispatch("THREAD_UPDATE", channel)
        return _json(channel)

    async def _get_channel(self, body: Any, channel_id: str) -> web.Response:
        if int(channel_id) not in self.channels:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        return _json(self.channels[int(channel_id)])

    async def _no_content(self, body: Any, *ids: str) -> web.Response:
        return web.Response(status=204)

    def _message(self, channel_id: int, body: dict, author: dict | None = None) -> dict:
        msg = {
            "id": str(self.next_id()), "channel_id": str(channel_id), "guild_id": str(GUILD_ID),
            "author": author or self.bot, "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "mentions": [], "mention_roles": [],
            "attachments": [{"id": str(self.next_id()), "filename": a.get("filename", ""), "size": 1,
                             "url": f"{self.url}/attachments/0/{a.get('filename', '')}",
                             "proxy_url": f"{self.url}/attachments/0/{a.get('filename', '')}",
                             **({"description": a["description"]} if a.get("description") else {})}
                            for a in body.get("attachments") or []],
            "mention_everyone": False, "pinned": False, "tts": False, "type": 0, "flags": body.get("flags", 0),
            "timestamp": _now(), "edited_timestamp": None,
        }
        self.messages[int(msg["id"])] = msg
        return msg

    # -- what a user does ------------------------------------------------------------------------
    def interaction(self, kind: int, data: dict, who: dict, channel_id: int, *, guild: bool = True,
                    message: dict | None = None, roles: tuple[int, ...] = ()) -> dict:
        interaction_id = self.next_id()
        payload: dict[str, Any] = {
            "id": str(interaction_id), "application_id": str(APP_ID), "type": kind, "data": data,
            "token": f"token-{interaction_id}", "version": 1, "locale": "en-US",
            "app_permissions": EVERYONE_PERMISSIONS,
            "entitlements": [], "attachment_size_limit": 8388608, "channel_id": str(channel_id),
        }
        if guild:
            payload.update(guild_id=str(GUILD_ID), guild_locale="en-US", context=0,
                           member={**_member(who, roles), "permissions": EVERYONE_PERMISSIONS},
                           channel=self.channels[channel_id])
        else:
            payload.update(user=who, context=1, channel={"id": str(channel_id), "type": 1, "recipients": [who]})
        if message is not None:
            payload["message"] = message
        return payload

    async def slash(self, who: dict, sub: str, channel_id: int = CHANNEL_ID, *, guild: bool = True,
                    focused: str | None = None, roles: tuple[int, ...] = (),
                    files: dict[str, tuple[str, bytes]] | None = None, sizes: dict[str, int] | None = None,
                    users: dict[str, dict] | None = None, **options: str | int | bool) -> str:
        """`/hotseat <sub> option:value`, or its autocomplete while typing `focused`; returns the token.

        `sub` may name a subgroup's command (`personas upload`); `files` are attachment options
        (option -> (filename, content)), served at their CDN URL as Discord does, with the size
        Discord reports (`sizes` may claim another, as a too-large upload's metadata would);
        `roles` are the user's roles in the server; `users` are user options (option -> a
        `user(...)`, resolved as a member of the server); an int or bool option is sent with
        its own type (integer, boolean), anything else as a string."""
        kinds = lambda v: 5 if isinstance(v, bool) else 4 if isinstance(v, int) else 3  # noqa: E731
        opts = [{"name": k, "type": kinds(v), "value": v, **({"focused": True} if k == focused else {})}
                for k, v in options.items()]
        resolved: dict[str, dict] = {}
        for option, who_ in (users or {}).items():
            resolved.setdefault("users", {})[who_["id"]] = who_
            member = {k: v for k, v in _member(who_).items() if k != "user"}
            resolved.setdefault("members", {})[who_["id"]] = {**member, "permissions": EVERYONE_PERMISSIONS}
            opts.append({"name": option, "type": 6, "value": who_["id"]})
        for option, (filename, content) in (files or {}).items():
            attachment_id = str(self.next_id())
            self.files[attachment_id] = content
            url = f"{self.url}/attachments/{attachment_id}/{filename}"
            resolved.setdefault("attachments", {})[attachment_id] = {
                "id": attachment_id, "filename": filename, "url": url, "proxy_url": url,
                "size": (sizes or {}).get(option, len(content)), "content_type": "application/x-yaml; charset=utf-8",
            }
            opts.append({"name": option, "type": 11, "value": attachment_id})
        *group, leaf = sub.split()
        tree = [{"name": leaf, "type": 1, "options": opts}]
        for name in reversed(group):
            tree = [{"name": name, "type": 2, "options": tree}]
        data = {"id": "1", "name": "hotseat", "type": 1, "options": tree}
        if resolved:
            data["resolved"] = resolved
        if guild:
            data["guild_id"] = str(GUILD_ID)
        payload = self.interaction(4 if focused else 2, data, who, channel_id, guild=guild, roles=roles)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload["token"]

    async def click(self, who: dict, message: dict, custom_id: str, *, roles: tuple[int, ...] = ()) -> str:
        payload = self.interaction(3, {"custom_id": custom_id, "component_type": 2}, who,
                                   int(message["channel_id"]), message=message, roles=roles)
        await self.dispatch("INTERACTION_CREATE", payload)
        return payload["token"]

    async def say(
        self, who: dict, channel_id: int, content: str, *, message_id: int | None = None, keep: bool = False
    ) -> int:
        """A user writes in a channel or thread; returns the message id (to deliver it again).
        With `keep`, the channel's history holds it too, as Discord's does (off by default:
        the fake's counter ids are not snowflakes of the tests' clock, see `hold`)."""
        msg = self.written(who, channel_id, content, message_id=message_id, keep=keep)
        await self.dispatch("MESSAGE_CREATE", msg)
        return int(msg["id"])

    def hold(self, who: dict, channel_id: int, content: str, *, at: float | None = None) -> int:
        """A user writes while the bot is down: the message is only in the channel's history
        (no MESSAGE_CREATE), sent at unix time `at` (now if None). Returns its id, a snowflake
        of that time as Discord's are (discord.py reads a message's time from its id); it must
        sort after every message the fake already holds."""
        at = time.time() if at is None else at
        message_id = (int(at * 1000) - DISCORD_EPOCH_MS) << 22 | next(self._ids) % 4096
        assert message_id > max(self.messages, default=0), "a held message must be newer than the history"
        return int(self.written(who, channel_id, content, message_id=message_id, at=at)["id"])

    def written(self, who: dict, channel_id: int, content: str, *, message_id: int | None = None,
                at: float | None = None, keep: bool = True) -> dict:
        """A user's message, kept in the channel's history if `keep`."""
        stamp = _now() if at is None else datetime.fromtimestamp(at, timezone.utc).isoformat()
        msg = {
            "id": str(message_id or self.next_id()), "channel_id": str(channel_id), "guild_id": str(GUILD_ID),
            "author": who, "member": {k: v for k, v in _member(who).items() if k != "user"}, "content": content,
            "embeds": [], "components": [], "attachments": [], "mentions": [], "mention_roles": [],
            "mention_everyone": False, "pinned": False, "tts": False, "type": 0, "flags": 0,
            "timestamp": stamp, "edited_timestamp": None,
        }
        if keep:
            self.messages.setdefault(int(msg["id"]), msg)
        return msg

    # -- what the user saw ----------------------------------------------------------------------
    def posted(self, channel_id: int) -> list[dict]:
        """Messages the bot posted in a channel or thread (and Discord accepted), oldest first."""
        path = f"/channels/{channel_id}/messages"
        return [r.body for r in self.requests if r.method == "POST" and r.path == path and r.status < 300]

    def answers(self, token: str) -> list[Request]:
        """Everything sent in answer to one interaction: its callback and follow-ups."""
        return [r for r in self.requests if f"/{token}/" in r.path + "/"]

    def uploads(self, token_or_channel: str | int) -> list[tuple[str, bytes, str]]:
        """Files the bot uploaded (and Discord accepted) in answer to an interaction token, or
        in a channel or thread by id."""
        if isinstance(token_or_channel, int):
            found = [r for r in self.requests if r.path == f"/channels/{token_or_channel}/messages"]
        else:
            found = self.answers(token_or_channel)
        return [f for r in found if r.status < 300 for f in r.files]

    def threads(self) -> list[dict]:
        return [c for c in self.channels.values() if c["type"] in (11, 12)]

    async def user_thread(self, owner: dict) -> int:
        """A thread a user opened in the practice channel, not Hotseat."""
        thread_id = self.next_id()
        self.channels[thread_id] = {
            **self.channels[CHANNEL_ID], "id": str(thread_id), "type": 11, "parent_id": str(CHANNEL_ID),
            "owner_id": owner["id"], "name": "questions", "member_count": 1, "message_count": 0,
            "thread_metadata": {"archived": False, "locked": False, "archive_timestamp": _now(),
                                "auto_archive_duration": 1440},
        }
        await self.dispatch("THREAD_CREATE", {**self.channels[thread_id], "newly_created": True})
        return thread_id

    async def wait(self, predicate: Callable[[], Any], what: str, timeout: float = 5.0) -> Any:
        """Poll until `predicate()` is truthy; fail with `what` after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = predicate()
            if result:
                return result
            await asyncio.sleep(0.01)
        raise AssertionError(f"timed out waiting for {what}")
