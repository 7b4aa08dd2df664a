"""The Slack front end's settings, read from the environment once at start-up.

Every missing or malformed value fails before any connection is made, with a message
that names the variable and where in Slack's app settings to find it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from bot.config import SettingError, env_flag, env_number, require
from bot.frontends.roles import Roles

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
DEFAULT_HOST = "0.0.0.0"

BOT_TOKEN_HELP = (
    "Install the Slack app (see README: Slack), then copy the Bot User OAuth Token (xoxb-...) "
    "from the app's OAuth & Permissions page into .env."
)
APP_TOKEN_HELP = (
    "Socket Mode needs an app-level token (xapp-...): in the app's Basic Information page, "
    "App-Level Tokens > Generate Token with the connections:write scope. "
    "Or serve over HTTP with `hotseat run slack --http`."
)
SIGNING_SECRET_HELP = (
    "HTTP mode checks every request with it: copy Signing Secret from the app's "
    "Basic Information > App Credentials into .env."
)


@dataclass(frozen=True, slots=True)
class SlackSettings:
    bot_token: str = field(repr=False)
    app_token: str = field(default="", repr=False)
    signing_secret: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    http: bool = False
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    announce: bool = True
    roles: Roles = Roles()  # HOTSEAT_TRAINERS / HOTSEAT_LEADS: who may reload and upload personas

    @classmethod
    def from_env(cls, *, http: bool = False, port: int | None = None) -> "SlackSettings":
        """Socket Mode needs the app token, HTTP mode the signing secret; both need the bot token."""
        bot_token = _token("SLACK_BOT_TOKEN", "xoxb-", BOT_TOKEN_HELP)
        app_token = "" if http else _token("SLACK_APP_TOKEN", "xapp-", APP_TOKEN_HELP)
        secret = require("SLACK_SIGNING_SECRET", SIGNING_SECRET_HELP) if http else ""
        api_url = os.environ.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
        if not api_url.startswith(("https://", "http://")):
            raise SettingError(f"SLACK_API_URL must be an http(s) URL like {DEFAULT_API_URL}; got {api_url[:60]!r}.")
        if port is None:
            port = int(env_number("PORT", DEFAULT_PORT, low=0, high=65535))
        return cls(
            bot_token=bot_token, app_token=app_token, signing_secret=secret,
            api_url=api_url if api_url.endswith("/") else api_url + "/", http=http,
            host=os.environ.get("HOTSEAT_SLACK_HOST", "").strip() or DEFAULT_HOST, port=port,
            announce=env_flag("HOTSEAT_SLACK_ANNOUNCE", True), roles=Roles.from_env(),
        )

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.bot_token, self.app_token, self.signing_secret) if s)


def _token(name: str, prefix: str, why: str) -> str:
    """A token of the right kind; pasting the app token as the bot token is a common slip."""
    value = require(name, why)
    if not value.startswith(prefix):
        raise SettingError(f"{name} should start with {prefix!r} but does not. {why}")
    return value
