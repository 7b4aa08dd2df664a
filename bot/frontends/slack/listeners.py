"""Bolt listeners: Slack commands, buttons and thread messages in, handler calls out.

Every listener acks first (Slack wants an answer within three seconds), then hands the
payload to the ConversationHandler with a SlackPort that knows where to answer. Nothing
here knows a conversation's rules; failures come back as notes, only to whoever acted.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable, TypeVar

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import HotseatError
from bot.core.events import Who
from bot.frontends.chat_commands import UPLOAD_HOW, Invocation, leaderboard_args, parse, personas_action
from bot.frontends.conversation import ConversationHandler
from bot.frontends.dedupe import SeenIds
from bot.frontends.notes import user_error
from bot.frontends.roles import Role, Roles
from bot.frontends.slack import blocks
from bot.frontends.slack.ports import SlackPort, Tell
from bot.frontends.slack.trainers import SlackRoles, download, file_info
from bot.frontends.trainer import NOT_TRAINER_UPLOAD, SUFFIXES, NotATrainer, PersonaDesk, require

log = logging.getLogger(__name__)
T = TypeVar("T")

TYPED_MESSAGES = {None, "thread_broadcast", "file_share"}  # others are edits, joins, bots: never turns
HISTORY_LIMIT = 10
MAX_FILES = 5  # persona files taken from one message; a trainer shares one or two at a time
START_ONE = "`start` takes one persona id, like `/hotseat start double-billing`; `/hotseat personas` lists them."


class Listeners:
    """The Slack side of Hotseat's commands."""

    def __init__(self, handler: ConversationHandler, client: AsyncWebClient, *, announce: bool = True,
                 roles: Roles = Roles()) -> None:
        self.handler = handler
        self.service = handler.service  # for the read-only lists: personas, history, leaderboard
        self.client = client
        self.announce = announce
        self.events = SeenIds()  # Slack retries events it thinks we missed
        self.roles = SlackRoles(client, roles)
        self.desk = PersonaDesk(handler.service)

    def register(self, app: AsyncApp) -> None:
        app.middleware(self.skip_repeats)
        app.command(blocks.SLASH)(self.on_command)
        app.action(re.compile(rf"^{re.escape(blocks.START)}:"))(self.on_start_button)
        app.action(blocks.HINT)(self.on_thread_button)
        app.action(blocks.END)(self.on_thread_button)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)

    def port(self, tell: Tell | None = None, **where: Any) -> SlackPort:
        return SlackPort(self.client, announce=self.announce, tell=tell, **where)

    # -- middleware ---------------------------------------------------------------------------
    async def skip_repeats(self, body: dict, next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """An event Slack delivers twice (a retry) is acknowledged and applied once."""
        event_id = body.get("event_id")
        if event_id and not self.events.first_time(event_id):
            return BoltResponse(status=200, body="")
        return await next()

    # -- /hotseat ---------------------------------------------------------------------------
    async def on_command(self, ack: Any, command: dict, context: AsyncBoltContext, respond: AsyncRespond) -> None:
        try:
            invocation = parse(command.get("text", ""))
        except HotseatError as e:
            await ack(text=blocks.escape(str(e)))
            return
        if invocation.name == "help":
            await ack(**blocks.help_message())
            return
        await ack()
        who = Who(_workspace(context), command["channel_id"], command["user_id"], command.get("user_name", ""))
        tell = _privately(respond)
        try:
            await self._command(invocation, who, tell)
        except Exception as e:  # the lists' own refusals (an unknown period or persona)
            await tell(blocks.escape(user_error(e)))

    async def _command(self, inv: Invocation, who: Who, tell: Tell) -> None:
        port = self.port(tell)
        if inv.name == "start" and inv.args:
            if len(inv.args) > 1:
                raise HotseatError(START_ONE)
            await self.handler.start(who, port, inv.args[0])
        elif inv.name == "personas" and personas_action(inv.args) == "reload":
            await tell(**blocks.report_message(await self._as_trainer(who.user, self.desk.reload)))
        elif inv.name == "personas" and personas_action(inv.args) == "upload":
            await tell(blocks.escape(UPLOAD_HOW["slack"]))
        elif inv.name in ("start", "personas"):
            title = "Who would you like to practise with?" if inv.name == "start" else "The customers you can practise with"
            await tell(**blocks.persona_picker(self.service.personas(), title))
        elif inv.name == "hint":
            await self.handler.hint(who, port)
        elif inv.name == "end":
            await self.handler.end(who, port)
        elif inv.name == "history":
            await tell(**blocks.history_message(await self.service.history(who.workspace, who.user, HISTORY_LIMIT)))
        elif inv.name == "leaderboard":
            period, persona = leaderboard_args(inv.args)
            await tell(**blocks.leaderboard_message(await self.service.leaderboard(who.workspace, period, persona)))

    async def _as_trainer(self, user: str, act: Callable[[Role], Awaitable[T]]) -> T:
        """`act(role)`, with the reason a trainer in a user group was not recognised (a missing
        scope) added to the refusal, so whoever set it up can fix it."""
        role, trouble = await self.roles.role_of(user)
        try:
            return await act(role)
        except NotATrainer as e:
            raise HotseatError(f"{e} {trouble}" if trouble else str(e)) from None

    # -- buttons ----------------------------------------------------------------------------
    async def on_start_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                              respond: AsyncRespond) -> None:
        """A Start button in the picker (starts in that channel) or on App Home (starts in the DM)."""
        await ack()
        user = body["user"]
        in_home = body.get("container", {}).get("type") == "view"
        tell: Tell = (
            (lambda text: self.client.chat_postMessage(channel=user["id"], text=text)) if in_home else _privately(respond)
        )
        try:
            if in_home:
                channel = (await self.client.conversations_open(users=user["id"]))["channel"]["id"]
            else:
                channel = body["container"]["channel_id"]
        except Exception as e:
            await tell(blocks.escape(user_error(e)))
            return
        who = Who(_workspace(context), channel, user["id"], _name(user))
        if await self.handler.start(who, self.port(tell), blocks.persona_of(action["action_id"])) and not in_home:
            await respond(delete_original=True)  # the picker has done its job

    async def on_thread_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                               respond: AsyncRespond) -> None:
        """Hint and End on the conversation's opening message, whose ts is the thread."""
        await ack()
        container = body["container"]
        who = Who(_workspace(context), container["channel_id"], body["user"]["id"], _name(body["user"]))
        thread = f"{container['channel_id']}/{container['message_ts']}"
        port = self.port(_privately(respond))
        if action["action_id"] == blocks.HINT:
            await self.handler.hint(who, port, thread=thread)
        else:
            await self.handler.end(who, port, thread=thread)

    # -- messages ----------------------------------------------------------------------------
    async def on_message(self, event: dict, context: AsyncBoltContext) -> None:
        """A reply in a thread (or, in the DM with Hotseat, any message) goes to the handler;
        everything else passes by."""
        user, ts, thread_ts = event.get("user"), event.get("ts"), event.get("thread_ts")
        if event.get("bot_id") or event.get("subtype") not in TYPED_MESSAGES or not user or user == context.bot_user_id:
            return
        channel = event["channel"]
        in_thread = bool(thread_ts) and thread_ts != ts
        in_dm = event.get("channel_type") == "im"
        if not (in_thread or in_dm):
            return
        if in_dm and _persona_files(event):
            await self.on_upload(event, context)
            return
        thread = f"{channel}/{thread_ts}" if in_thread and not in_dm else None  # a DM is one conversation
        answer_in = thread_ts if in_thread else None

        async def tell(text: str) -> None:
            if in_dm:  # the DM is private already, and ephemeral notes there vanish on reload
                await self.client.chat_postMessage(channel=channel, thread_ts=answer_in, text=text)
            else:
                await self.client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)

        port = self.port(tell, here=(channel, answer_in), in_dm=in_dm)
        text = blocks.from_slack(event.get("text") or "")
        await self.handler.message(Who(_workspace(context), channel, user), text, port, thread=thread, source=ts)

    # -- persona files shared in the DM ------------------------------------------------------
    async def on_upload(self, event: dict, context: AsyncBoltContext) -> None:
        """A trainer shares persona files with Hotseat: the role is checked before anything is
        fetched, each file's name and size before its download; then it is read, validated
        and tested, and the answer goes to the DM. Anyone else gets one refusal."""
        channel, user = event["channel"], event["user"]

        async def tell(**message: Any) -> None:
            await self.client.chat_postMessage(channel=channel, **message)

        try:
            role = await self._as_trainer(user, _may_upload)
        except Exception as e:
            await tell(text=blocks.escape(user_error(e)))
            return
        for shared in _persona_files(event)[:MAX_FILES]:
            try:
                info = await file_info(self.client, shared["id"])
                name, size = str(info.get("name") or info.get("title") or "file"), info.get("size")
                self.desk.check_upload(role, name, size if isinstance(size, int) else None)
                report = await self.desk.upload(role, name, await download(self.client, info))
            except Exception as e:
                await tell(text=blocks.escape(user_error(e)))
                continue
            await tell(**blocks.report_message(report))

    # -- App Home ---------------------------------------------------------------------------
    async def on_home_opened(self, event: dict, context: AsyncBoltContext) -> None:
        if event.get("tab") != "home":
            return
        try:
            sessions = await self.service.history(_workspace(context), event["user"], HISTORY_LIMIT)
            await self.client.views_publish(user_id=event["user"], view=blocks.home_view(sessions, self.service.personas()))
        except Exception as e:
            user_error(e)  # logs it; the tab keeps its last content


def _workspace(context: AsyncBoltContext) -> str:
    """Leaderboards are per workspace: the one Hotseat is installed in (the enterprise for an
    org-wide install), the same for every payload, even from a channel shared with another team."""
    installed = context.authorize_result
    if installed is not None:
        org = installed.enterprise_id if context.is_enterprise_install else None
        if org or installed.team_id:
            return org or installed.team_id
    return context.team_id or context.enterprise_id or "unknown"


def _name(user: dict) -> str:
    return user.get("username") or user.get("name") or user.get("id", "")


def _privately(respond: AsyncRespond) -> Tell:
    """Answer only the person who acted, through the interaction's response_url."""

    async def tell(text: str = "", **message: Any) -> None:
        await respond(text=text, response_type="ephemeral", replace_original=False, **message)

    return tell


def _persona_files(event: dict) -> list[dict]:
    """Files shared with a message that may be persona files (Slack sometimes sends only an
    id, to be looked up with files.info; those are checked once looked up)."""
    files = [f for f in event.get("files") or [] if isinstance(f, dict) and f.get("id")]
    return [f for f in files if not f.get("name") or str(f["name"]).lower().endswith(SUFFIXES)]



async def _may_upload(role: Role) -> Role:
    require(role, NOT_TRAINER_UPLOAD)
    return role
