"""Hotseat in Slack: the bolt app, its Web API client, and the connection that feeds it.

Socket Mode (an outgoing WebSocket, no public URL) is the default; HTTP mode serves
Slack's signed requests on /slack/events for hosts that have a public address. Either
serves one workspace with one bot token (SLACK_BOT_TOKEN), except in OAuth mode
(SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, HTTP only): then any number of workspaces
install Hotseat through /slack/install and /slack/oauth_redirect, each with its own bot
token kept in the database, and one process (or several, on one port) serves them all.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from typing import Any, Awaitable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler, async_default_handlers
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import SettingError
from bot.core.events import Event, Opened
from bot.frontends.adapter import FrontEnd
from bot.frontends.conversation import ConversationHandler
from bot.frontends.panels import Panel
from bot.frontends.port import Place, Port
from bot.frontends.reports import DrillClock, ReportDesk
from bot.frontends.slack import panels
from bot.frontends.slack.installations import (
    PAGES, Clients, InstalledClients, NotInstalled, OneClient, StoreInstallations, StoreStates,
)
from bot.frontends.slack.listeners import Listeners, is_slack_workspace
from bot.frontends.slack.ports import SlackPort, slack_error
from bot.frontends.slack.settings import APP_TOKEN_HELP, BOT_TOKEN_HELP, OAUTH_HELP, SlackSettings
from bot.store.sqlite import Store

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
OAUTH_PLATFORM = "slack:oauth"  # sessions of every OAuth-installed workspace; the sweep takes these
RATE_LIMIT_RETRIES = 3  # chat.postMessage allows about one message a second per channel
INBOX_KEEP = 24 * 3600  # seconds a handled line stays in the inbox (a late Slack retry still finds it)
REFUSED = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
CLIENT_REFUSED = {"invalid_client_id", "bad_client_secret", "invalid_client"}
NOT_INSTALLED = ("Hotseat is not installed in this workspace any more, so it cannot answer. "
                 "A Slack admin can add it again from Hotseat's install page.")
CHECK_CODE = "hotseat-start-check"  # a code no install ever has: Slack names a bad client id or secret first


class SlackFrontEnd(FrontEnd):
    name = "slack"

    def __init__(self, settings: SlackSettings) -> None:
        self.settings = settings
        self.client = AsyncWebClient(
            token=settings.bot_token or None, base_url=settings.api_url,
            retry_handlers=[*async_default_handlers(), AsyncRateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES)],
        )
        self.app: AsyncApp | None = None  # built once serving: in OAuth mode it needs the store
        self.handler: ConversationHandler | None = None  # the one it serves, once serving
        self.ready = asyncio.Event()  # set once connected (Socket Mode) or listening (HTTP)
        self.port: int | None = None  # the port HTTP mode actually listens on
        self._team = ""
        self._bot_user: str | None = None  # Hotseat's own member id: its messages are never lines
        self.workspace = ""  # the installation's id, as sessions are stamped (team, or enterprise); "" in OAuth mode
        self.installations: StoreInstallations | None = None  # OAuth mode: every workspace's tokens
        self.clients: Clients = OneClient(self.client, lambda: self._bot_user)
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
        """Check the bot token; the installation (team, or enterprise for an org install). In
        OAuth mode there is no token yet: the client id and secret are checked instead, and
        every workspace's sessions share one identity."""
        if self.settings.oauth:
            await self._check_client()
            if os.environ.get("SLACK_BOT_TOKEN", "").strip():
                log.warning("SLACK_BOT_TOKEN is ignored: with SLACK_CLIENT_ID and SLACK_CLIENT_SECRET each "
                            "workspace's token comes from its installation through %s", INSTALL_PATH)
            return OAUTH_PLATFORM
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
        self.app = self._oauth_app(store) if self.settings.oauth else AsyncApp(
            client=self.client, signing_secret=self.settings.signing_secret,
            request_verification_enabled=self.settings.http, name="hotseat",
        )
        listeners = Listeners(handler, self.clients, announce=self.settings.announce, roles=self.settings.roles,
                              desk=self.desk, inbox=store)
        listeners.register(self.app)
        if self.settings.oauth:
            self.app.event("app_uninstalled")(self.on_uninstalled)
            self.app.event("tokens_revoked")(self.on_tokens_revoked)
        else:  # the one token is dead: say so (and ack, or Slack retries an event nobody handles)
            self.app.event("app_uninstalled")(self.on_single_token_revoked)
            self.app.event("tokens_revoked")(self.on_single_token_revoked)
        self.drills = DrillClock(self.desk, self.post_drill, self._serves)
        await store.inbox_prune(time.time() - INBOX_KEEP)
        for workspace in await self._workspaces(store, handler.service.platform):
            await self._recover(listeners, workspace)
        if self.settings.http:
            await self._listen()
            served = "every workspace that installs it" if self.settings.oauth else f"workspace {self._team}"
            log.info("Hotseat is serving Slack %s over HTTP on port %s%s", served, self.port, EVENTS_PATH)
            if self.settings.oauth:
                log.info("Workspaces install Hotseat from %s (Slack redirects back to %s)", INSTALL_PATH,
                         self.settings.redirect_uri or REDIRECT_PATH)
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

    async def _workspaces(self, store: Store, platform: str) -> list[str]:
        """Whose leftovers to handle on start: the one workspace, or in OAuth mode each one with a
        session still running or a line still waiting in the inbox."""
        if not self.settings.oauth:
            return [self.workspace]
        running = {r.workspace for r in await store.active_sessions(platform)}
        waiting = {line.workspace for line in await store.inbox_pending()}
        return sorted(w for w in running | waiting if w)

    async def _recover(self, listeners: Listeners, workspace: str) -> None:
        """Lines a previous run acked but did not finish come first, before any new event; then
        lines Slack never delivered (the bot was down), thread by thread, in order. A workspace
        that uninstalled Hotseat meanwhile is skipped: nothing may be posted there."""
        try:
            bot_user = await self.clients.bot_user(workspace)
        except NotInstalled as e:
            log.info("not catching up: %s", e)
            return
        replayed = await listeners.replay(workspace)
        if replayed:
            log.info("Handled %d Slack message(s) left over from the last run in %s", replayed, workspace)
        caught_up = await listeners.catch_up(workspace, bot_user)
        if caught_up:
            log.info("Caught up on %d Slack message(s) sent in %s while Hotseat was offline", caught_up, workspace)

    def _serves(self, workspace: str) -> bool:
        """Drills are per workspace; a bot posts only its own installation's, and in OAuth mode
        any Slack workspace's (a Discord guild sharing the database is not ours)."""
        if self.settings.oauth:
            return is_slack_workspace(workspace)
        return bool(self.workspace) and workspace == self.workspace

    async def post_drill(self, workspace: str, channel: str, panel: Panel) -> None:
        """The drill of the day in its channel: each trainee addressed by a real mention (ids
        from the database), Start buttons as in the picker."""
        try:
            client = await self.clients.of(workspace)
        except NotInstalled as e:
            log.info("drill in %s not posted: %s", channel, e)
            return
        await client.chat_postMessage(channel=channel, **panels.panel_message(panel))

    def outbox(self) -> Port:
        if self.settings.oauth:
            return Outbox(self.clients, announce=self.settings.announce, desk=self.desk)
        return SlackPort(self.client, announce=self.settings.announce, desk=self.desk)

    async def close(self) -> None:
        if self._drill_task is not None:
            self._drill_task.cancel()
            await asyncio.gather(self._drill_task, return_exceptions=True)
        if self._socket is not None:
            await self._socket.close_async()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- OAuth distribution ------------------------------------------------------------------
    def _oauth_app(self, store: Store) -> AsyncApp:
        """Bolt's OAuth flow over the store: installations and states live in the database, so
        any worker may start an install, finish it, or authorize a request with its token."""
        settings = self.settings
        self.installations = StoreInstallations(store)
        self.clients = InstalledClients(self.installations, self.client)
        oauth = AsyncOAuthSettings(
            client_id=settings.client_id, client_secret=settings.client_secret, scopes=list(settings.scopes),
            user_scopes=[], redirect_uri=settings.redirect_uri or None, install_path=INSTALL_PATH,
            redirect_uri_path=REDIRECT_PATH, install_page_rendering_enabled=False, callback_options=PAGES,
            authorization_url=settings.authorize_url, installation_store=self.installations,
            installation_store_bot_only=True, state_store=StoreStates(store), logger=log,
        )
        # One lookup per request (find_bot), and auth.test only once per token and process.
        authorize = AsyncInstallationStoreAuthorize(
            logger=log, installation_store=self.installations, client_id=settings.client_id,
            client_secret=settings.client_secret, bot_only=True, cache_enabled=True, client=self.client,
        )
        return AsyncApp(client=self.client, signing_secret=settings.signing_secret, oauth_settings=oauth,
                        authorize=authorize, installation_store_bot_only=True, name="hotseat",
                        user_facing_authorize_error_message=NOT_INSTALLED)

    async def _check_client(self) -> None:
        """Trade a made-up code: Slack refuses the client id or secret before it looks at the
        code, so a wrong one stops start-up with a fix instead of failing every install."""
        try:
            await self.client.oauth_v2_access(client_id=self.settings.client_id,
                                              client_secret=self.settings.client_secret, code=CHECK_CODE)
        except SlackApiError as e:
            error = slack_error(e)
            if error in CLIENT_REFUSED:
                raise SettingError(
                    f"Slack refused SLACK_CLIENT_ID or SLACK_CLIENT_SECRET ({error}). {OAUTH_HELP}") from None
            if error is None:
                raise SettingError(
                    f"The Web API at SLACK_API_URL did not answer like Slack (HTTP {e.response.status_code}). "
                    "Check SLACK_API_URL, or unset it to use https://slack.com/api/."
                ) from None
            # invalid_code and the like: the client itself was accepted

    async def on_uninstalled(self, context: AsyncBoltContext) -> None:
        """Slack says Hotseat was removed from a workspace: its tokens go. Its sessions stay in the
        database (history, leaderboards), but nothing is posted there any more."""
        gone = await self._forget(context)
        log.info("Hotseat was uninstalled from Slack workspace %s; %d token record(s) deleted",
                 context.enterprise_id if context.is_enterprise_install else context.team_id, gone)

    async def on_single_token_revoked(self, context: AsyncBoltContext) -> None:
        log.error("Slack says Hotseat was removed from workspace %s or its token revoked: SLACK_BOT_TOKEN no "
                  "longer works. Reinstall the app and update SLACK_BOT_TOKEN.", context.team_id)

    async def on_tokens_revoked(self, event: dict, context: AsyncBoltContext) -> None:
        """A revoked bot token takes the workspace's tokens with it (the installation rows carry
        it too); a revoked user token only that user's installation."""
        assert self.installations is not None
        tokens = event.get("tokens") or {}
        for user in tokens.get("oauth") or []:
            await self.installations.async_delete_installation(
                enterprise_id=context.enterprise_id, team_id=context.team_id, user_id=user)
        if tokens.get("bot"):
            gone = await self._forget(context)
            log.info("Slack revoked Hotseat's token in workspace %s; %d token record(s) deleted",
                     context.enterprise_id if context.is_enterprise_install else context.team_id, gone)

    async def _forget(self, context: AsyncBoltContext) -> int:
        assert self.installations is not None
        return await self.installations.forget(context.enterprise_id, context.team_id, context.is_enterprise_install)

    # -- HTTP --------------------------------------------------------------------------------
    async def _listen(self) -> None:
        app = self.app
        assert app is not None

        async def events(request: web.Request) -> web.Response:
            return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

        web_app = web.Application()
        web_app.router.add_post(EVENTS_PATH, events)
        flow = app.oauth_flow
        if flow is not None:
            async def install(request: web.Request) -> web.Response:
                return await to_aiohttp_response(await flow.handle_installation(await to_bolt_request(request)))

            async def redirect(request: web.Request) -> web.Response:
                return await to_aiohttp_response(await flow.handle_callback(await to_bolt_request(request)))

            web_app.router.add_get(INSTALL_PATH, install)
            web_app.router.add_get(REDIRECT_PATH, redirect)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        # reuse_port: several workers (`--workers N`, or the command run again) share one port
        # and the kernel spreads connections among them.
        await web.TCPSite(self._runner, self.settings.host, self.settings.port,
                          reuse_port=hasattr(socket, "SO_REUSEPORT") or None).start()
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


class Outbox(Port):
    """OAuth mode's port for what nobody asked for (the idle sweep's debriefs): each event
    goes out with the token of the workspace its session belongs to. A workspace that
    uninstalled Hotseat gets nothing; that is logged, and the rest still go out."""

    def __init__(self, clients: Clients, *, announce: bool, desk: ReportDesk | None) -> None:
        self.clients = clients
        self.announce = announce
        self.desk = desk

    async def send(self, event: Event) -> None:
        who = getattr(event, "who", None)
        try:
            client = await self.clients.of(who.workspace if who is not None else "")
        except NotInstalled as e:
            log.info("%s not posted: %s", type(event).__name__, e)
            return
        await SlackPort(client, announce=self.announce, desk=self.desk).send(event)

    async def open(self, event: Opened, at: Place) -> None:
        client = await self.clients.of(event.who.workspace)
        await SlackPort(client, announce=self.announce, desk=self.desk).open(event, at)
