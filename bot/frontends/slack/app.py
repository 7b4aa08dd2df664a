"""Hotseat in Slack: the bolt app, its Web API client, and the connection that feeds it.

Socket Mode (an outgoing WebSocket, no public URL) is the default; HTTP mode serves
Slack's signed requests on /slack/events for hosts that have a public address.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler, async_default_handlers
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SettingError
from bot.frontends.adapter import FrontEnd
from bot.frontends.conversation import ConversationHandler
from bot.frontends.panels import Panel
from bot.frontends.port import Port
from bot.frontends.reports import DrillClock, ReportDesk
from bot.frontends.slack import panels
from bot.frontends.slack.listeners import Listeners
from bot.frontends.slack.ports import SlackPort, slack_error
from bot.frontends.slack.settings import APP_TOKEN_HELP, BOT_TOKEN_HELP, SlackSettings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
RATE_LIMIT_RETRIES = 3  # chat.postMessage allows about one message a second per channel
INBOX_KEEP = 24 * 3600  # seconds a handled line stays in the inbox (a late Slack retry still finds it)
REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}


class SlackFrontEnd(FrontEnd):
    name = "slack"

    def __init__(self, settings: SlackSettings) -> None:
        self.settings = settings
        self.client = AsyncWebClient(
            token=settings.bot_token, base_url=settings.api_url,
            retry_handlers=[*async_default_handlers(), AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
        )
        self.app = AsyncApp(
            client=self.client, signing_secret=settings.signing_secret,
            request_verification_enabled=settings.http, name="hotseat",
        )
        self.handler: ConversationHandler | None = None  # the one it serves, once serving
        self.ready = asyncio.Event()  # set once connected (Socket Mode) or listening (HTTP)
        self.port: int | None = None  # the port HTTP mode actually listens on
        self._team = ""
        self._bot_user: str | None = None  # Hotseat's own member id: its messages are never lines
        self.workspace = ""  # the installation's id, as sessions are stamped (team, or enterprise)
        self.desk: ReportDesk | None = None
        self.drills: DrillClock | None = None  # posts each channel's drill of the day, once serving
        self._drill_task: asyncio.Task | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None

    @classmethod
    def from_env(cls, *, http: bool = False, port: int | None = None) -> "SlackFrontEnd":
        return cls(SlackSettings.from_env(http=http, port=port))

    @property
    def secrets(self) -> tuple[str, ...]:
        return self.settings.secrets

    async def connect(self) -> str:
        """Check the bot token; the installation (team, or enterprise for an org install)."""
        auth = await self._checked(self.client.auth_test(), "SLACK_BOT_TOKEN", BOT_TOKEN_HELP)
        self._team = auth.get("team") or ""
        self._bot_user = auth.get("user_id")
        installed = auth.get("enterprise_id") if auth.get("is_enterprise_install") else auth.get("team_id")
        self.workspace = installed or ""
        return f"slack:{installed or 'unknown'}"

    async def serve(self, handler: ConversationHandler) -> None:
        self.handler = handler
        self.desk = ReportDesk(handler.service)
        store = handler.service.store
        listeners = Listeners(handler, self.client, announce=self.settings.announce, roles=self.settings.roles,
                              desk=self.desk, inbox=store)
        listeners.register(self.app)
        self.drills = DrillClock(self.desk, self.post_drill, self._serves)
        # Lines a previous run acked but did not finish come first, before any new event.
        await store.inbox_prune(time.time() - INBOX_KEEP)
        replayed = await listeners.replay(self.workspace)
        if replayed:
            log.info("Handled %d Slack message(s) left over from the last run", replayed)
        # Then lines Slack never delivered (the bot was down), thread by thread, in order.
        caught_up = await listeners.catch_up(self.workspace, self._bot_user)
        if caught_up:
            log.info("Caught up on %d Slack message(s) sent while Hotseat was offline", caught_up)
        if self.settings.http:
            await self._listen()
            log.info("Hotseat is serving Slack workspace %s over HTTP on port %s%s", self._team, self.port, EVENTS_PATH)
        else:
            await self._checked(
                self.client.apps_connections_open(app_token=self.settings.app_token), "SLACK_APP_TOKEN", APP_TOKEN_HELP
            )
            self._socket = AsyncSocketModeHandler(self.app, self.settings.app_token, web_client=self.client)
            await self._socket.connect_async()
            log.info("Hotseat is connected to Slack workspace %s over Socket Mode", self._team)
        self._drill_task = asyncio.create_task(self.drills.run(), name="hotseat-slack-drills")
        self.ready.set()
        await asyncio.Event().wait()

    def _serves(self, workspace: str) -> bool:
        """Drills are per workspace; a bot posts only its own installation's."""
        return bool(self.workspace) and workspace == self.workspace

    async def post_drill(self, workspace: str, channel: str, panel: Panel) -> None:
        """The drill of the day in its channel: each trainee addressed by a real mention (ids
        from the database), Start buttons as in the picker."""
        await self.client.chat_postMessage(channel=channel, **panels.panel_message(panel))

    def outbox(self) -> Port:
        return SlackPort(self.client, announce=self.settings.announce, desk=self.desk)

    async def close(self) -> None:
        if self._drill_task is not None:
            self._drill_task.cancel()
            await asyncio.gather(self._drill_task, return_exceptions=True)
        if self._socket is not None:
            await self._socket.close_async()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _listen(self) -> None:
        async def events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await self.app.async_dispatch(await to_bolt_request(request)))

        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, events)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.settings.host, self.settings.port).start()
        self.port = self._runner.addresses[0][1]

    @staticmethod
    async def _checked(call: Awaitable[Any], name: str, why: str) -> dict:
        """A refused token stops start-up with a fix, instead of retrying forever."""
        try:
            return (await call).data
        except SlackApiError as e:
            error = slack_error(e)
            if error in REFUSED:
                raise SettingError(f"Slack refused {name} ({error}). {why}") from None
            if error is None:
                raise SettingError(
                    f"The Web API at SLACK_API_URL did not answer like Slack (HTTP {e.response.status_code}). "
                    "Check SLACK_API_URL, or unset it to use https://slack.com/api/."
                ) from None
            raise
