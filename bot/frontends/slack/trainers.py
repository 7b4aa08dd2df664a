"""The Slack half of the trainer's loop: who is a trainer (user ids and user groups), and
fetching a persona file shared in a DM with the bot token, size-checked before and during
the download.

The bot token is sent only to Slack's own hosts (or to the host of SLACK_API_URL), since a
file shared from elsewhere may point anywhere.
"""

from __future__ import annotations

import logging
import time
from typing import Callable
from urllib.parse import urlsplit

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import HotseatError
from bot.frontends.roles import Role, Roles
from bot.frontends.slack.ports import slack_error
from bot.frontends.trainer import MAX_UPLOAD

log = logging.getLogger(__name__)

GROUPS_TTL = 300.0  # seconds a user group's members are trusted before Slack is asked again
DOWNLOAD_TIMEOUT = 30.0
SLACK_HOSTS = ("slack.com", "slack-edge.com", "slack-files.com", "slack-gov.com")
NO_FILES_SCOPE = (
    "I could not read that file: the Slack app lacks the files:read scope. Ask whoever runs Hotseat "
    "to update the app from slack/manifest.yaml and reinstall it."
)
NOT_DOWNLOADED = "I could not download that file from Slack ({why}). Please share it again in a moment."


class SlackRoles:
    """`Roles` with Slack's user groups resolved through usergroups.users.list, cached."""

    def __init__(self, roles: Roles, *, ttl: float = GROUPS_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.roles = roles
        self.ttl = ttl
        self.clock = clock
        self._members: dict[str, tuple[float, frozenset[str]]] = {}

    async def role_of(self, client: AsyncWebClient, user: str) -> tuple[Role, str | None]:
        """The user's role, and why it may be too low: a user group Slack would not list
        (usergroups:read missing, a deleted group) counts as empty, never as everyone.
        `client` is the user's workspace's (group ids are unique across workspaces)."""
        direct = self.roles.role_of(user)
        if direct is Role.LEAD or not self.roles.slack_groups:
            return direct, None
        groups, trouble = [], None
        for group in sorted(self.roles.slack_groups):
            try:
                if user in await self._members_of(client, group):
                    groups.append(group)
            except Exception as e:  # noqa: BLE001 - any failure means "not shown to be a member"
                error = slack_error(e) or type(e).__name__
                log.warning("could not list the members of Slack user group %s: %s", group, error)
                trouble = (
                    f"(I could not check the user group {group} in HOTSEAT_TRAINERS/HOTSEAT_LEADS: Slack said "
                    f"{error}. The app needs the usergroups:read scope.)"
                )
        return self.roles.role_of(user, groups), trouble

    async def _members_of(self, client: AsyncWebClient, group: str) -> frozenset[str]:
        cached = self._members.get(group)
        now = self.clock()
        if cached is not None and now - cached[0] < self.ttl:
            return cached[1]
        answer = await client.usergroups_users_list(usergroup=group)
        members = frozenset(answer.get("users") or ())
        self._members[group] = (now, members)
        return members


async def file_info(client: AsyncWebClient, file_id: str) -> dict:
    try:
        return (await client.files_info(file=file_id))["file"]
    except Exception as e:
        if slack_error(e) in ("missing_scope", "not_allowed_token_type"):
            raise HotseatError(NO_FILES_SCOPE) from None
        raise HotseatError(NOT_DOWNLOADED.format(why=slack_error(e) or "no answer")) from None


async def download(client: AsyncWebClient, info: dict) -> bytes:
    """The file's bytes with the bot token; never more than MAX_UPLOAD + 1 read."""
    url = info.get("url_private_download") or info.get("url_private") or ""
    if not _trusted(url, client.base_url):
        raise HotseatError(NOT_DOWNLOADED.format(why="it is not stored in Slack"))
    headers = {"Authorization": f"Bearer {client.token}"}
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=DOWNLOAD_TIMEOUT)) as http:
            async with http.get(url, headers=headers, max_redirects=3) as r:
                if r.status != 200:
                    raise HotseatError(NOT_DOWNLOADED.format(why=f"HTTP {r.status}"))
                if r.content_type == "text/html":  # Slack's sign-in page: the token may not read files
                    raise HotseatError(NO_FILES_SCOPE)
                data = bytearray()
                async for chunk in r.content.iter_chunked(64 * 1024):
                    data += chunk
                    if len(data) > MAX_UPLOAD:
                        raise HotseatError(
                            f"That file is larger than {MAX_UPLOAD // 1024} KB, the most a persona file may be; "
                            "it was not read."
                        )
                return bytes(data)
    except (aiohttp.ClientError, TimeoutError) as e:
        raise HotseatError(NOT_DOWNLOADED.format(why=type(e).__name__)) from None


def _trusted(url: str, api_url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return False
    if host == (urlsplit(api_url).hostname or "").lower():
        return parts.scheme in ("https", "http")
    return parts.scheme == "https" and any(host == h or host.endswith("." + h) for h in SLACK_HOSTS)
