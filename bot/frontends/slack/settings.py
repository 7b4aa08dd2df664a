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
DEFAULT_AUTHORIZE_URL = "https://slack.com/oauth/v2/authorize"
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
OAUTH_HELP = (
    "OAuth distribution (many workspaces, one process) needs both SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, "
    "from the app's Basic Information > App Credentials; unset both to serve one workspace with SLACK_BOT_TOKEN."
)
OAUTH_NEEDS_HTTP = (
    "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set, so Hotseat installs itself through Slack's OAuth pages, "
    "which need a public address: run `hotseat run slack --http`. To use Socket Mode with one workspace, "
    "unset both and set SLACK_BOT_TOKEN."
)
# The bot scopes slack/manifest.yaml declares (tests/test_slack_oauth.py checks they agree);
# an OAuth install asks for exactly these.
BOT_SCOPES = (
    "commands", "chat:write", "channels:history", "groups:history", "im:history", "im:write",
    "files:read", "files:write", "usergroups:read",
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
    # OAuth distribution: set client id and secret, and each workspace installs Hotseat itself
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = ""  # the public .../slack/oauth_redirect; unset: the one in the app's settings
    authorize_url: str = DEFAULT_AUTHORIZE_URL
    scopes: tuple[str, ...] = BOT_SCOPES

    @classmethod
    def from_env(cls, *, http: bool = False, port: int | None = None) -> "SlackSettings":
        """Socket Mode needs the app token, HTTP mode the signing secret; both need the bot token,
        except with a client id and secret (OAuth, HTTP only), where each workspace's token
        comes from its installation."""
        client_id = os.environ.get("SLACK_CLIENT_ID", "").strip()
        client_secret = os.environ.get("SLACK_CLIENT_SECRET", "").strip()
        if bool(client_id) != bool(client_secret):
            missing = "SLACK_CLIENT_SECRET" if client_id else "SLACK_CLIENT_ID"
            raise SettingError(f"{missing} is not set. {OAUTH_HELP}")
        if client_id and not http:
            raise SettingError(OAUTH_NEEDS_HTTP)
        bot_token = "" if client_id else _token("SLACK_BOT_TOKEN", "xoxb-", BOT_TOKEN_HELP)
        app_token = "" if http else _token("SLACK_APP_TOKEN", "xapp-", APP_TOKEN_HELP)
        secret = require("SLACK_SIGNING_SECRET", SIGNING_SECRET_HELP) if http else ""
        api_url = _url("SLACK_API_URL", DEFAULT_API_URL)
        if port is None:
            port = int(env_number("PORT", DEFAULT_PORT, low=0, high=65535))
        return cls(
            bot_token=bot_token, app_token=app_token, signing_secret=secret,
            api_url=api_url if api_url.endswith("/") else api_url + "/", http=http,
            host=os.environ.get("HOTSEAT_SLACK_HOST", "").strip() or DEFAULT_HOST, port=port,
            announce=env_flag("HOTSEAT_SLACK_ANNOUNCE", True), roles=Roles.from_env(),
            client_id=client_id, client_secret=client_secret,
            redirect_uri=_url("SLACK_REDIRECT_URI", "") if client_id else "",
            authorize_url=_url("SLACK_AUTHORIZE_URL", DEFAULT_AUTHORIZE_URL),
        )

    @property
    def oauth(self) -> bool:
        """Many workspaces, each installed through /slack/install, instead of one bot token."""
        return bool(self.client_id)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.bot_token, self.app_token, self.signing_secret, self.client_secret) if s)


def _url(name: str, default: str) -> str:
    """An http(s) URL setting, or `default` when unset."""
    value = os.environ.get(name, "").strip() or default
    if value and not value.startswith(("https://", "http://")):
        example = default or "https://hotseat.example.com/slack/oauth_redirect"
        raise SettingError(f"{name} must be an http(s) URL like {example}; got {value[:60]!r}.")
    return value


def _token(name: str, prefix: str, why: str) -> str:
    """A token of the right kind; pasting the app token as the bot token is a common slip."""
    value = require(name, why)
    if not value.startswith(prefix):
        raise SettingError(f"{name} should start with {prefix!r} but does not. {why}")
    return value
