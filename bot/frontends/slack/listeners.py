"""Bolt listeners: Slack commands, buttons and thread messages in, handler calls out.

Every listener acks first (Slack wants an answer within three seconds), then hands the
payload to the ConversationHandler with a SlackPort that knows where to answer, posting
with the request's own client (bolt authorizes each request: the workspace's token in
OAuth mode). What runs outside a request (replay, catch-up) asks `Clients` for the
workspace's client. Nothing
here knows a conversation's rules; failures come back as notes, only to whoever acted.
A trainee's line is stored in the inbox before that ack (`keep_in_inbox`) and marked done
once handled; a start handles what a crash left behind (`replay`).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any, Awaitable, Callable, TypeVar

from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import HotseatError
from bot.core.events import Who
from bot.frontends.chat_commands import UPLOAD_HOW, Invocation, mentioned_user, parse, personas_action
from bot.frontends.conversation import ConversationHandler
from bot.frontends.dedupe import SeenIds
from bot.frontends.notes import OFFLINE, user_error
from bot.frontends.panels import Panel
from bot.frontends.reports import NotALead, ReportDesk, export_args, team_args, team_from_value
from bot.frontends.roles import Role, Roles
from bot.frontends.slack import blocks, panels
from bot.frontends.slack.installations import Clients
from bot.frontends.slack.ports import SlackPort, Tell
from bot.frontends.slack.trainers import SlackRoles, download, file_info
from bot.frontends.trainer import NOT_TRAINER_UPLOAD, SUFFIXES, NotATrainer, PersonaDesk, require
from bot.store.records import InboxRow
from bot.store.sqlite import Store

log = logging.getLogger(__name__)
T = TypeVar("T")

TYPED_MESSAGES = {None, "thread_broadcast", "file_share"}  # others are edits, joins, bots: never turns
HISTORY_LIMIT = 10
REPLIES_PAGE = 200  # messages per conversations.replies page when catching up on a thread
MAX_FILES = 5  # persona files taken from one message; a trainer shares one or two at a time
START_ONE = "`start` takes one persona id, like `/hotseat start double-billing`; `/hotseat personas` lists them."
STATS_WHO = (
    "`stats` takes one trainee: pick them from Slack's @ list (`/hotseat stats @ana`) or give their member id "
    "(U…, under their profile's ⋮ menu)."
)
CHART_IN_DM = "Your chart is in your messages with Hotseat."
CHARTS_IN_DM = "The charts are in your messages with Hotseat."
EXPORT_IN_DM = "Your export ({what}) is in your messages with Hotseat."
NOT_UPLOADED = ("I could not send the {what} to your messages with Hotseat (Slack refused the upload); "
                "the text above is complete.")


class Listeners:
    """The Slack side of Hotseat's commands."""

    def __init__(self, handler: ConversationHandler, clients: Clients, *, announce: bool = True,
                 roles: Roles = Roles(), desk: ReportDesk | None = None, inbox: Store | None = None) -> None:
        self.handler = handler
        self.inbox = inbox  # where trainees' lines wait until handled; None: not kept
        # Lines being handed to the handler in this process right now, each with an event set
        # when its task is done. Any other task of this process that comes to the same line
        # (its own listener, or a later line draining the inbox) waits for that task rather
        # than skipping ahead: skipping let a later line overtake it, and let the line be
        # marked done in the inbox before it was applied, so another worker passed it by.
        self._handling: dict[tuple[str, str, str], asyncio.Event] = {}
        self.service = handler.service  # for the read-only lists: personas, history, leaderboard
        self.reports = desk or ReportDesk(handler.service)  # stats, team, boards, export, drills
        self.clients = clients  # the client for a workspace, for what runs outside a request
        self.announce = announce
        self.events = SeenIds()  # Slack retries events it thinks we missed
        self.roles = SlackRoles(roles)
        self.desk = PersonaDesk(handler.service)

    def register(self, app: AsyncApp) -> None:
        app.middleware(self.skip_repeats)
        app.middleware(self.keep_in_inbox)
        app.command(blocks.SLASH)(self.on_command)
        app.action(re.compile(rf"^{re.escape(blocks.START)}:"))(self.on_start_button)
        app.action(blocks.HINT)(self.on_thread_button)
        app.action(blocks.END)(self.on_thread_button)
        app.action(re.compile(rf"^{re.escape(panels.DEBRIEF)}:"))(self.on_debrief_button)
        app.action(re.compile(rf"^{re.escape(panels.TEAM_PAGE)}:"))(self.on_team_button)
        app.event("message")(self.on_message)
        app.event("app_home_opened")(self.on_home_opened)

    def port(self, client: AsyncWebClient, tell: Tell | None = None, **where: Any) -> SlackPort:
        return SlackPort(client, announce=self.announce, tell=tell, desk=self.reports, **where)

    # -- middleware ---------------------------------------------------------------------------
    async def skip_repeats(self, body: dict, next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """An event Slack delivers twice (a retry) is acknowledged and applied once."""
        event_id = body.get("event_id")
        if event_id and not self.events.first_time(event_id):
            return BoltResponse(status=200, body="")
        return await next()

    # -- /hotseat ---------------------------------------------------------------------------
    async def on_command(self, ack: Any, command: dict, context: AsyncBoltContext, respond: AsyncRespond,
                         client: AsyncWebClient) -> None:
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
            await self._command(invocation, who, tell, client)
        except Exception as e:  # the lists' own refusals (an unknown period or persona)
            await tell(blocks.escape(user_error(e)))

    async def _command(self, inv: Invocation, who: Who, tell: Tell, client: AsyncWebClient) -> None:
        port = self.port(client, tell)
        if inv.name == "start" and inv.args:
            if len(inv.args) > 1:
                raise HotseatError(START_ONE)
            await self.handler.start(who, port, inv.args[0])
        elif inv.name == "personas" and personas_action(inv.args) == "reload":
            await tell(**blocks.report_message(await self._as_trainer(client, who.user, self.desk.reload)))
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
            await tell(**panels.panel_message(await self.reports.history(who)))
        elif inv.name == "leaderboard":
            await tell(**panels.panel_message(await self.reports.leaderboard(who, inv.args)))
        elif inv.name == "stats":
            await self._stats(inv, who, tell, client)
        elif inv.name == "team":
            request = team_args(inv.args)
            team = await self._as_trainer(client, who.user, lambda role: self.reports.team(who, role, request))
            await tell(**panels.panel_message(team))
        elif inv.name == "export":
            await self._export(inv, who, tell, client)
        elif inv.name == "drill":
            drill = await self._as_trainer(client, who.user, lambda role: self.reports.drill(who, role, inv.args))
            await tell(**panels.panel_message(drill))
        elif inv.name == "debrief":
            if len(inv.args) != 1:
                raise HotseatError("`debrief` takes a session number, like `debrief 42`; `history` lists yours.")
            await self._reread(who, inv.args[0], tell, client)

    # -- progress ---------------------------------------------------------------------------

    async def _stats(self, inv: Invocation, who: Who, tell: Tell, client: AsyncWebClient) -> None:
        """Own stats, or (leads) a mentioned trainee's; the chart follows in the asker's DM."""
        target, name = None, None
        if len(inv.args) > 1:
            raise HotseatError(STATS_WHO)
        if inv.args:
            target, name = _user_arg(inv.args[0])
            if target == who.user:
                target, name = None, None
        panel = await self._as_trainer(client, who.user, lambda role: self.reports.stats(who, role, target, name))
        await self._with_charts(client, panel, who.user, tell, CHART_IN_DM, "chart")

    async def _with_charts(self, client: AsyncWebClient, panel: Panel, user: str, tell: Tell, where: str,
                           what: str) -> None:
        """A private answer cannot carry files: the text first, then the charts to the DM."""
        await tell(**panels.panel_message(panel, note=where if panel.charts else None))
        if panel.charts:
            await self._to_dm(client, user, panel.charts, tell, what)

    async def _to_dm(self, client: AsyncWebClient, user: str, charts: Any, tell: Tell, what: str) -> None:
        dm = await panels.dm_channel(client, user)
        sent = await panels.upload_charts(client, charts, dm) if dm else 0
        if sent < len(charts):
            await tell(blocks.escape(NOT_UPLOADED.format(what=what)))

    async def _export(self, inv: Invocation, who: Who, tell: Tell, client: AsyncWebClient) -> None:
        """The file to the lead's DM (a private answer cannot carry it), a private note here."""
        request = export_args(inv.args)
        panel = await self._as_trainer(client, who.user, lambda role: self.reports.export(who, role, request))
        assert panel.file is not None
        what = " ".join(panel.lines).rstrip(".")
        dm = await panels.dm_channel(client, who.user)
        sent = dm is not None and await panels.upload_file(client, panel.file, dm, comment=blocks.escape(
            f"Hotseat export: {what}. " + " ".join(panel.notes)))
        if sent:
            await tell(blocks.escape(EXPORT_IN_DM.format(what=what.lower())))
        else:
            await tell(blocks.escape(f"{what}, but Slack refused the file upload (the app needs the files:write "
                                     "scope, and uploads must be allowed in this workspace). "
                                     "`hotseat export` on the server writes the same file."))

    async def _reread(self, who: Who, session_id: str, tell: Tell, client: AsyncWebClient) -> None:
        """A debrief again, privately: the debrief, its turn by turn, the charts to the DM."""
        ended = await self._as_trainer(client, who.user, lambda role: self.reports.debrief(who, role, session_id))
        turns = panels.turn_by_turn_messages(ended)
        message = blocks.debrief_message(ended, more_turns="The full turn-by-turn list follows.")
        message["blocks"].append(blocks._context(CHARTS_IN_DM))
        await tell(**message)
        for part in turns:
            await tell(**part)
        try:
            charts = await self.reports.debrief_charts(ended)
        except Exception:
            log.exception("could not draw the charts of session %s", ended.session_id)
            return
        await self._to_dm(client, who.user, charts, tell, "charts")

    async def _as_trainer(self, client: AsyncWebClient, user: str, act: Callable[[Role], Awaitable[T]]) -> T:
        """`act(role)`, with the reason a trainer or lead in a user group was not recognised (a
        missing scope) added to the refusal, so whoever set it up can fix it."""
        role, trouble = await self.roles.role_of(client, user)
        try:
            return await act(role)
        except (NotATrainer, NotALead) as e:
            raise HotseatError(f"{e} {trouble}" if trouble else str(e)) from None

    # -- buttons ----------------------------------------------------------------------------
    async def on_start_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                              respond: AsyncRespond, client: AsyncWebClient) -> None:
        """A Start button in the picker or a drill's post (starts in that channel) or on App Home
        (starts in the DM)."""
        await ack()
        user = body["user"]
        in_home = body.get("container", {}).get("type") == "view"
        tell: Tell = (
            (lambda text: client.chat_postMessage(channel=user["id"], text=text)) if in_home else _privately(respond)
        )
        try:
            if in_home:
                channel = (await client.conversations_open(users=user["id"]))["channel"]["id"]
            else:
                channel = body["container"]["channel_id"]
        except Exception as e:
            await tell(blocks.escape(user_error(e)))
            return
        who = Who(_workspace(context), channel, user["id"], _name(user))
        started = await self.handler.start(who, self.port(client, tell), blocks.persona_of(action["action_id"]))
        if started and body.get("container", {}).get("is_ephemeral"):
            await respond(delete_original=True)  # the picker has done its job; a drill's post stays for everyone

    async def on_thread_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                               respond: AsyncRespond, client: AsyncWebClient) -> None:
        """Hint and End on the conversation's opening message, whose ts is the thread."""
        await ack()
        container = body["container"]
        who = Who(_workspace(context), container["channel_id"], body["user"]["id"], _name(body["user"]))
        thread = f"{container['channel_id']}/{container['message_ts']}"
        port = self.port(client, _privately(respond))
        if action["action_id"] == blocks.HINT:
            await self.handler.hint(who, port, thread=thread)
        else:
            await self.handler.end(who, port, thread=thread)

    async def on_debrief_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                                respond: AsyncRespond, client: AsyncWebClient) -> None:
        """"Debrief #N" under history or stats: that debrief again, only to whoever clicked."""
        await ack()
        user = body["user"]
        who = Who(_workspace(context), _channel(body) or user["id"], user["id"], _name(user))
        tell = _privately(respond) if body.get("response_url") else self._dm_tell(client, user["id"])
        try:
            await self._reread(who, panels.value_of(action["action_id"]), tell, client)
        except Exception as e:
            await tell(blocks.escape(user_error(e)))

    async def on_team_button(self, ack: Any, body: dict, action: dict, context: AsyncBoltContext,
                             respond: AsyncRespond, client: AsyncWebClient) -> None:
        """Previous / Next under the team table: the page redrawn in place, for a lead only."""
        await ack()
        user = body["user"]
        who = Who(_workspace(context), _channel(body) or user["id"], user["id"], _name(user))
        try:
            request = team_from_value(panels.value_of(action["action_id"]))
            panel = await self._as_trainer(client, user["id"], lambda role: self.reports.team(who, role, request))
        except Exception as e:
            await _privately(respond)(blocks.escape(user_error(e)))
            return
        await respond(replace_original=True, **panels.panel_message(panel))

    def _dm_tell(self, client: AsyncWebClient, user: str) -> Tell:
        async def tell(text: str = "", **message: Any) -> None:
            dm = await panels.dm_channel(client, user)
            if dm:
                await client.chat_postMessage(channel=dm, text=text, **message)

        return tell

    # -- messages ----------------------------------------------------------------------------
    async def keep_in_inbox(self, body: dict, context: AsyncBoltContext,
                            next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """A trainee's line is stored before Slack gets its ack (middleware runs before bolt
        acks, over HTTP and over Socket Mode alike), so a crash after the ack loses nothing:
        the next start handles it (`replay`). One stored before (a retry) is acked and dropped.
        If the store cannot take it, the line is handled as usual (the turn would fail and
        say so) rather than acked and dropped."""
        event = body.get("event") or {}
        if self.inbox is None or body.get("type") != "event_callback" or event.get("type") != "message":
            return await next()
        line = _line(event, context.bot_user_id, _workspace(context), time.time())
        if line is not None:
            try:
                if not await self.inbox.inbox_put(line):
                    return BoltResponse(status=200, body="")
            except Exception:
                log.exception("could not keep message %s in the inbox", line.ts)
        return await next()

    async def replay(self, workspace: str) -> int:
        """Handle, in the order they were sent, the lines a previous run stored but did not
        finish; how many. A line whose turn was already saved counts once (turns carry their
        message id), and each is marked done even if it fails, so no line blocks a start."""
        if self.inbox is None:
            return 0
        pending = await self.inbox.inbox_pending(workspace)
        if not pending:
            return 0
        client = await self.clients.of(workspace)
        for line in pending:
            try:
                await self._line(line, client)
            except Exception:
                log.exception("could not handle stored message %s", line.ts)
            await self.inbox.inbox_done(line.workspace, line.channel, line.ts)
        return len(pending)

    async def catch_up(self, workspace: str, bot_user: str | None) -> int:
        """After downtime: for each active session in a thread, read the thread's messages
        Slack holds after the last applied one (conversations.replies) and hand the trainee's
        missed lines to the handler in the order they were sent; how many were handled.
        Lines from others are left alone. A line older than the idle timeout is not applied:
        its trainee gets a private note. One thread that cannot be read never stops the rest."""
        handled = 0
        client: AsyncWebClient | None = None
        for record in await self.service.store.active_sessions(self.service.platform):
            channel, _, thread_ts = (record.thread or "").partition("/")
            if record.workspace != workspace or not channel or not thread_ts:
                continue  # another installation's, or a DM, or its opening never posted
            try:
                client = client or await self.clients.of(workspace)
                after = await self.service.store.last_source(record.id)
                for event in await self._replies(client, channel, thread_ts, after):
                    line = _line(event | {"channel": channel}, bot_user, workspace, time.time())
                    if line is None or line.user != record.user:
                        continue
                    if self.inbox is not None and not await self.inbox.inbox_put(line):
                        continue  # delivered before (a hint or `end` leaves no turn), or told already
                    if self.service.missed_too_long_ago(float(line.ts)):
                        await self._too_old(client, line)
                    else:
                        await self._line(line, client)
                        handled += 1
                    if self.inbox is not None:
                        await self.inbox.inbox_done(line.workspace, line.channel, line.ts)
            except Exception:
                log.exception("could not catch up on the thread of session %s", record.id)
        return handled

    async def _replies(self, client: AsyncWebClient, channel: str, thread_ts: str, after: str | None) -> list[dict]:
        """The thread's messages after `after` (its root and every message when None), oldest first."""
        messages: dict[str, dict] = {}  # by ts: Slack repeats the root on every page
        cursor = None
        while True:
            since = {} if after is None else {"oldest": after, "inclusive": False}  # oldest is exclusive then
            page = await client.conversations_replies(
                channel=channel, ts=thread_ts, limit=REPLIES_PAGE, cursor=cursor, **since)
            messages |= {m["ts"]: m for m in page.get("messages") or [] if m.get("ts") and m["ts"] != after}
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                break
        return sorted(messages.values(), key=lambda m: (float(m["ts"]), m["ts"]))

    async def _too_old(self, client: AsyncWebClient, line: InboxRow) -> None:
        when = int(float(line.ts))
        text = OFFLINE.format(when=f"<!date^{when}^{{time}}|{time.strftime('%H:%M', time.gmtime(when))} UTC>")
        try:
            await client.chat_postEphemeral(channel=line.channel, user=line.user, thread_ts=line.thread_ts,
                                                 text=text)
        except Exception:
            log.warning("could not tell %s their message %s was not applied", line.user, line.ts, exc_info=True)

    async def on_message(self, event: dict, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """A reply in a thread (or, in the DM with Hotseat, any message) goes to the handler;
        everything else passes by."""
        if event.get("channel_type") == "im" and _persona_files(event) and _typed(event, context.bot_user_id):
            await self.on_upload(event, context, client)
            return
        line = _line(event, context.bot_user_id, _workspace(context), time.time())
        if line is None:
            return
        if self.inbox is not None:
            # With several workers, lines of this conversation another worker stored and has
            # not handled (it died, or is slower) come first, in the order they were sent; if
            # it handles one too, the turn's message id lets only one of them apply it.
            for earlier in await self.inbox.inbox_earlier(line):
                try:
                    await self._line(earlier, client)
                finally:
                    await self.inbox.inbox_done(earlier.workspace, earlier.channel, earlier.ts)
        await self._line(line, client)
        if self.inbox is not None:
            await self.inbox.inbox_done(line.workspace, line.channel, line.ts)

    async def _line(self, line: InboxRow, client: AsyncWebClient) -> None:
        """Hand a line over once; returns when it has been handled here, by this task or by
        the one that was already on it."""
        key = _key(line)
        on_it = self._handling.get(key)
        if on_it is not None:
            await on_it.wait()
            return
        done = self._handling[key] = asyncio.Event()
        try:
            await self._hand_over(line, client)
        finally:
            del self._handling[key]
            done.set()

    async def _hand_over(self, line: InboxRow, client: AsyncWebClient) -> None:
        channel, user, thread_ts, in_dm = line.channel, line.user, line.thread_ts, line.in_dm
        in_thread = bool(thread_ts) and thread_ts != line.ts
        thread = f"{channel}/{thread_ts}" if in_thread and not in_dm else None  # a DM is one conversation
        answer_in = thread_ts if in_thread else None

        async def tell(text: str) -> None:
            if in_dm:  # the DM is private already, and ephemeral notes there vanish on reload
                await client.chat_postMessage(channel=channel, thread_ts=answer_in, text=text)
            else:
                await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)

        port = self.port(client, tell, here=(channel, answer_in), in_dm=in_dm)
        await self.handler.message(Who(line.workspace, channel, user), line.text, port, thread=thread, source=line.ts)

    # -- persona files shared in the DM ------------------------------------------------------
    async def on_upload(self, event: dict, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        """A trainer shares persona files with Hotseat: the role is checked before anything is
        fetched, each file's name and size before its download; then it is read, validated
        and tested, and the answer goes to the DM. Anyone else gets one refusal."""
        channel, user = event["channel"], event["user"]

        async def tell(**message: Any) -> None:
            await client.chat_postMessage(channel=channel, **message)

        try:
            role = await self._as_trainer(client, user, _may_upload)
        except Exception as e:
            await tell(text=blocks.escape(user_error(e)))
            return
        for shared in _persona_files(event)[:MAX_FILES]:
            try:
                info = await file_info(client, shared["id"])
                name, size = str(info.get("name") or info.get("title") or "file"), info.get("size")
                self.desk.check_upload(role, name, size if isinstance(size, int) else None)
                report = await self.desk.upload(role, name, await download(client, info))
            except Exception as e:
                await tell(text=blocks.escape(user_error(e)))
                continue
            await tell(**blocks.report_message(report))

    # -- App Home ---------------------------------------------------------------------------
    async def on_home_opened(self, event: dict, context: AsyncBoltContext, client: AsyncWebClient) -> None:
        if event.get("tab") != "home":
            return
        try:
            sessions = await self.service.history(_workspace(context), event["user"], HISTORY_LIMIT)
            await client.views_publish(user_id=event["user"], view=blocks.home_view(sessions, self.service.personas()))
        except Exception as e:
            user_error(e)  # logs it; the tab keeps its last content


def _typed(event: dict, bot_user: str | None) -> bool:
    """Typed by a person (not an edit, a join, a bot, or Hotseat itself)."""
    user = event.get("user")
    return not event.get("bot_id") and event.get("subtype") in TYPED_MESSAGES and bool(user) and user != bot_user


def _key(line: InboxRow) -> tuple[str, str, str]:
    return line.workspace, line.channel, line.ts


def _line(event: dict, bot_user: str | None, workspace: str, now: float) -> InboxRow | None:
    """The trainee's line a message event carries: a reply in a thread, or any message in
    the DM with Hotseat (persona files shared there are not lines); None for anything else."""
    if not _typed(event, bot_user):
        return None
    ts, thread_ts = event.get("ts"), event.get("thread_ts")
    in_thread = bool(thread_ts) and thread_ts != ts
    in_dm = event.get("channel_type") == "im"
    if not ts or not (in_thread or in_dm) or (in_dm and _persona_files(event)):
        return None
    return InboxRow(workspace, event["channel"], thread_ts, ts, event["user"],
                    blocks.from_slack(event.get("text") or ""), in_dm, now)


def _workspace(context: AsyncBoltContext) -> str:
    """Leaderboards are per workspace: the one Hotseat is installed in (the enterprise for an
    org-wide install), the same for every payload, even from a channel shared with another team."""
    installed = context.authorize_result
    if installed is not None:
        org = installed.enterprise_id if context.is_enterprise_install else None
        if org or installed.team_id:
            return org or installed.team_id
    return context.team_id or context.enterprise_id or "unknown"


def is_slack_workspace(workspace: str) -> bool:
    """A Slack team (T…) or enterprise (E…) id, as sessions are stamped: not a Discord guild."""
    return bool(re.fullmatch(r"[TE][A-Z0-9]+", workspace or ""))


def _channel(body: dict) -> str | None:
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")


def _user_arg(token: str) -> tuple[str, str | None]:
    """A trainee named in `stats`: a mention Slack resolved (`<@U123|ana>`) or a member id."""
    found = mentioned_user(token)
    if found:
        return found
    if re.fullmatch(r"[UW][A-Z0-9]{2,}", token):
        return token, None
    raise HotseatError(STATS_WHO)


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
