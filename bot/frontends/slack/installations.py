"""Slack OAuth distribution over Hotseat's own database: which bot token serves which workspace.

`StoreInstallations` and `StoreStates` are slack_sdk's `AsyncInstallationStore` and
`AsyncOAuthStateStore` kept in the project's store (SQLite or PostgreSQL), so every
worker process sees an install, a state or an uninstall the moment another one makes it.
Bots and installations are kept as slack_sdk's own file store keeps them (the models'
`__dict__` as JSON, read back with `Model(**body)`).

Keys: a workspace install is kept under its team alone (team ids are unique across Slack,
and sessions only know the team), an org-wide install under its enterprise alone. That way
a session's workspace (team, or enterprise for an org install; see listeners._workspace)
finds its bot token directly when Hotseat posts on its own (idle sweep, catch-up, drills).

`Clients` picks the Web API client that posts to a workspace: the one fixed client in
single-token mode, or a client with the workspace's own bot token in OAuth mode.
"""

from __future__ import annotations

import html
import logging
import secrets
import time
from typing import Any, Callable

from slack_bolt.oauth.async_callback_options import AsyncCallbackOptions, AsyncFailureArgs, AsyncSuccessArgs
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import HotseatError
from bot.store.sqlite import Store

log = logging.getLogger(__name__)

BOT, INSTALLATION = "bot", "installation"
LATEST = ""  # the user column of a workspace's latest installation
STATE_TTL = 600  # seconds an install link stays good (Slack's and bolt's default)


class NotInstalled(HotseatError):
    """Hotseat holds no bot token for a workspace (never installed there, or uninstalled)."""


def _key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> tuple[str, str]:
    """(enterprise, team) columns: the enterprise alone for an org-wide install, else the team alone."""
    if is_enterprise_install or (enterprise_id and not team_id):
        return enterprise_id or "", ""
    return "", team_id or ""


class StoreInstallations(AsyncInstallationStore):
    """Bots and installations in the Store, one row per workspace (and per installing user)."""

    def __init__(self, store: Store, *, clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    # -- saving ------------------------------------------------------------------------------
    async def async_save(self, installation: Installation) -> None:
        key = _key(installation.enterprise_id, installation.team_id, installation.is_enterprise_install)
        body = dict(installation.__dict__)
        now = self.clock()
        if installation.user_id:
            await self.store.installation_put(INSTALLATION, *key, installation.user_id, body, now)
        await self.store.installation_put(INSTALLATION, *key, LATEST, body, now)
        if installation.bot_token:
            await self.async_save_bot(installation.to_bot())

    async def async_save_bot(self, bot: Bot) -> None:
        if not bot.bot_token:
            return
        key = _key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        await self.store.installation_put(BOT, *key, LATEST, dict(bot.__dict__), self.clock())

    # -- finding (bolt's authorize calls these on every request) ----------------------------
    async def async_find_bot(
        self, *, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        body = await self.store.installation_get(BOT, *_key(enterprise_id, team_id, is_enterprise_install))
        return None if body is None else Bot(**body)

    async def async_find_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        key = _key(enterprise_id, team_id, is_enterprise_install)
        body = await self.store.installation_get(INSTALLATION, *key, user_id or LATEST)
        if body is None:
            return None
        installation = Installation(**body)
        if user_id is not None or not installation.bot_token:
            # A user's own installation may be older than the workspace's bot: the bot's token wins
            # (as slack_sdk's stores do; bolt-python issue 664).
            bot = await self.async_find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                            is_enterprise_install=is_enterprise_install)
            if bot is not None and bot.bot_token != installation.bot_token:
                installation.bot_id, installation.bot_user_id = bot.bot_id, bot.bot_user_id
                installation.bot_token, installation.bot_scopes = bot.bot_token, bot.bot_scopes
                installation.bot_refresh_token = bot.bot_refresh_token
                installation.bot_token_expires_at = bot.bot_token_expires_at
        return installation

    async def bot_for(self, workspace: str) -> Bot | None:
        """The bot serving a session's workspace: a team's own install, else an org-wide one."""
        if not workspace:
            return None
        return (await self.async_find_bot(enterprise_id=None, team_id=workspace)
                or await self.async_find_bot(enterprise_id=workspace, team_id=None, is_enterprise_install=True))

    # -- forgetting (uninstalls and revoked tokens) -----------------------------------------
    async def forget(self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None) -> int:
        """Delete every token of a workspace (or org install); how many rows went."""
        return await self.store.installation_delete(*_key(enterprise_id, team_id, is_enterprise_install))

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        # The workspace's installation rows carry the same bot token, so they go too:
        # a revoked token must not come back through find_installation.
        await self.forget(enterprise_id, team_id, None)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
    ) -> None:
        if user_id is None:
            await self.forget(enterprise_id, team_id, None)
        else:
            await self.store.installation_delete(*_key(enterprise_id, team_id, None), user_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self.forget(enterprise_id, team_id, None)


class StoreStates(AsyncOAuthStateStore):
    """OAuth states in the Store: any worker may issue one and any other may take it, once."""

    def __init__(self, store: Store, *, expiration_seconds: int = STATE_TTL,
                 clock: Callable[[], float] = time.time) -> None:
        self.store = store
        self.expiration_seconds = expiration_seconds
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        state = secrets.token_urlsafe(24)
        await self.store.oauth_state_put(state, self.clock() + self.expiration_seconds)
        return state

    async def async_consume(self, state: str) -> bool:
        return bool(state) and await self.store.oauth_state_take(state, self.clock())


# -- the pages an installer sees ---------------------------------------------------------------
FAILURES = {
    "access_denied": "The installation was cancelled in Slack, so nothing was installed.",
    "invalid_browser": ("This install link was opened in a different browser from the one that started it "
                        "(or cookies are blocked)."),
    "invalid_state": "This install link has expired or was already used.",
    "missing_code": "Slack did not send an authorisation code back.",
    "invalid_code": "Slack did not accept the authorisation code (it may have expired).",
    "storage_error": "Hotseat could not save the installation.",
}


def _page(title: str, body: str, status: int, headers: dict | None = None) -> BoltResponse:
    text = (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>Hotseat: {html.escape(title)}</title></head>"
            f"<body style=\"font-family: sans-serif; max-width: 40em; margin: 3em auto\">"
            f"<h1>{html.escape(title)}</h1>{body}</body></html>")
    return BoltResponse(status=status, body=text, headers={"Content-Type": "text/html; charset=utf-8", **(headers or {})})


async def _installed(args: AsyncSuccessArgs) -> BoltResponse:
    where = args.installation.team_name or args.installation.enterprise_name or "your workspace"
    log.info("Hotseat was installed in Slack workspace %s (%s)", where,
             args.installation.team_id or args.installation.enterprise_id)
    body = (f"<p>Hotseat is now installed in <b>{html.escape(where)}</b>.</p>"
            "<p>In Slack, invite it to a practice channel with <code>/invite @Hotseat</code>, "
            "then type <code>/hotseat start</code>. You can close this page.</p>")
    return _page("Installed", body, 200,
                 {"Set-Cookie": [args.settings.state_utils.build_set_cookie_for_deletion()]})


async def _failed(args: AsyncFailureArgs) -> BoltResponse:
    why = FAILURES.get(args.reason, "Slack and Hotseat could not complete the installation.")
    log.warning("a Slack installation failed: %s", args.reason)
    again = html.escape(args.settings.install_path)
    body = (f"<p>{html.escape(why)}</p><p><a href=\"{again}\">Start the installation again</a>; "
            f"if it keeps failing, tell whoever runs Hotseat (reason: {html.escape(args.reason)}).</p>")
    return _page("Hotseat was not installed", body, args.suggested_status_code)


PAGES = AsyncCallbackOptions(success=_installed, failure=_failed)


# -- which client posts to a workspace ---------------------------------------------------------
class Clients:
    """The Web API client for one workspace, and Hotseat's own member id there."""

    async def of(self, workspace: str) -> AsyncWebClient:
        raise NotImplementedError

    async def bot_user(self, workspace: str) -> str | None:
        raise NotImplementedError


class OneClient(Clients):
    """Single-token mode: one bot token, one workspace, one client for everything."""

    def __init__(self, client: AsyncWebClient, bot_user: Callable[[], str | None]) -> None:
        self.client = client
        self._bot_user = bot_user

    async def of(self, workspace: str) -> AsyncWebClient:
        return self.client

    async def bot_user(self, workspace: str) -> str | None:
        return self._bot_user()


class InstalledClients(Clients):
    """OAuth mode: each workspace's own bot token, read from the store each time (another
    worker may have installed or uninstalled it a moment ago). `base` lends its API URL
    and retry handlers."""

    def __init__(self, installations: StoreInstallations, base: AsyncWebClient) -> None:
        self.installations = installations
        self.base = base

    async def _bot(self, workspace: str) -> Bot:
        bot = await self.installations.bot_for(workspace)
        if bot is None or not bot.bot_token:
            raise NotInstalled(f"Hotseat is not installed in Slack workspace {workspace or 'unknown'} (any more).")
        return bot

    async def of(self, workspace: str) -> AsyncWebClient:
        bot = await self._bot(workspace)
        return AsyncWebClient(token=bot.bot_token, base_url=self.base.base_url, timeout=self.base.timeout,
                              proxy=self.base.proxy, headers=self.base.headers, logger=self.base.logger,
                              retry_handlers=list(self.base.retry_handlers or []))

    async def bot_user(self, workspace: str) -> str | None:
        return (await self._bot(workspace)).bot_user_id
