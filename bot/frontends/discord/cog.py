"""The `/hotseat` command group and the thread listener, as one GroupCog: typed options,
persona autocomplete, and each payload handed straight to the ConversationHandler.
Once per start, each active session's thread is read back from Discord's history, so the
trainee's lines written while the bot was down are answered in order (`catch_up`).

Descriptions come from chat_commands.COMMANDS so Discord, Slack and help never disagree.
`personas` is a subgroup (`list`, and for trainers `reload` and `upload`): Discord cannot
have a command and a group of one name, and an upload needs its own attachment option.
For the same reason the leaderboard's companions are siblings, not a group under it:
`leaderboard-optout`, `leaderboard-optin` and `volume` (a GroupCog allows one level of
subgroups, and `leaderboard` itself must stay a command).

The progress commands (stats, team, export, the boards, history, debrief, drill) ask the
ReportDesk, which decides who may see what, and draw the Panel it answers with
(bot/frontends/discord/panels.py). Charts are attachments on the embed; if Discord
refuses an upload, the same answer goes again without it, so the text is never lost.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Awaitable, Literal

from discord.utils import MISSING

import discord
from discord import app_commands
from discord.ext import commands

from bot.core.errors import HotseatError
from bot.core.events import TIMED_OUT, Ended, Note, Who
from bot.core.progress import TEAM_COLUMNS
from bot.core.service import PERIODS
from bot.frontends.chat_commands import COMMANDS, LEAD_COMMANDS, TRAINER_COMMANDS
from bot.frontends.conversation import ConversationHandler
from bot.frontends.discord import embeds
from bot.frontends.discord.buttons import debrief_view
from bot.frontends.discord.delivery import answer
from bot.frontends.discord.panels import Drawn, chart_files, split_lines, with_images
from bot.frontends.discord.shards import Sharding
from bot.frontends.panels import Panel
from bot.frontends.reports import ExportRequest, ReportDesk, _date, require_lead, team_args, team_from_value
from bot.frontends.discord.ports import DiscordPort
from bot.frontends.notes import OFFLINE, user_error
from bot.frontends.roles import Role, Roles
from bot.frontends.trainer import NOT_TRAINER_RELOAD, PersonaDesk, require
from bot.persona.records import Persona
from bot.store.records import SessionRecord

log = logging.getLogger(__name__)
SUMMARY = {c.name: c.summary for c in (*COMMANDS, *TRAINER_COMMANDS)}
LEAD_SUMMARY = {c.name: c.summary for c in LEAD_COMMANDS}
NOT_YOUR_PAGE = "Only the lead who asked can turn these pages; ask for your own with /hotseat team."
NO_UPLOAD = "Discord refused the file, so it is not attached. Try a narrower export (dates, no turns)."
PRIVATE_LINE = "You:"  # a board's line about the asker: told privately, never on the public board
NOT_DOWNLOADED = "I could not download that attachment from Discord. Please try again in a moment."
MAX_CHOICES = 25  # Discord shows at most 25 autocomplete entries
START_HERE = "Start a practice session from a text channel of a server; I'll open a thread for it there."
SERVER_ONLY = "Hotseat's commands work in a server's channels, where your sessions and leaderboard live."
STALE = "That command changed since Discord last loaded it. Wait a minute or reload Discord, then try again."


def offline_note(sent: datetime) -> Note:
    """Why a line written while Hotseat was down, too long ago, got no answer. Discord shows
    the time in the reader's own zone."""
    return Note(OFFLINE.format(when=f"<t:{int(sent.timestamp())}:t>"), TIMED_OUT)


def persona_choices(personas: list[Persona], typed: str) -> list[app_commands.Choice[str]]:
    """Personas whose id, name or situation contains what was typed so far, easiest first.

    An id longer than Discord allows for a choice value can still be typed in full.
    """
    typed = typed.strip().lower()
    hits = [p for p in personas if len(p.id) <= embeds.CHOICE_MAX and typed in f"{p.id} {p.name} {p.scenario}".lower()]
    return [app_commands.Choice(name=embeds.persona_choice(p), value=p.id) for p in hits[:MAX_CHOICES]]


def trainee(user: discord.abc.User, guild_id: int | None, channel_id: int | None) -> Who:
    return Who(str(guild_id), str(channel_id), str(user.id), user.display_name)


def role_of(roles: Roles, interaction: discord.Interaction) -> Role:
    """By the user's id or any of their roles in this server."""
    user = interaction.user
    return roles.role_of(str(user.id), [str(r.id) for r in getattr(user, "roles", ())])


def where(interaction: discord.Interaction) -> tuple[Who, str | None]:
    """The trainee, and the thread key when the command was used in a practice thread.

    In a thread Hotseat did not open, a command means the user's session in its channel.
    """
    if interaction.guild_id is None:
        raise HotseatError(SERVER_ONLY)
    channel = interaction.channel
    if isinstance(channel, discord.Thread):
        me = interaction.client.user
        key = str(channel.id) if me is not None and channel.owner_id == me.id else None
        return trainee(interaction.user, interaction.guild_id, channel.parent_id), key
    return trainee(interaction.user, interaction.guild_id, interaction.channel_id), None


@app_commands.guild_only()
class Hotseat(
    commands.GroupCog, name="hotseat", group_name="hotseat",
    group_description="Practise conflict handling with a difficult customer.",
):
    personas_group = app_commands.Group(name="personas", description=SUMMARY["personas"])

    def __init__(
        self, bot: discord.Client, handler: ConversationHandler, *, typing: bool = True, roles: Roles = Roles(),
        shards: Sharding = Sharding(),
    ) -> None:
        self.bot = bot
        self.handler = handler
        self.service = handler.service  # for the read-only lists: personas, history, leaderboard
        self.typing = typing
        self.roles = roles
        self.shards = shards  # catch-up reads only the threads of guilds on this process's shards
        self.desk = PersonaDesk(handler.service)
        self.reports = ReportDesk(handler.service)
        self._catch_up: asyncio.Task | None = None  # reading the threads' missed lines, once, at start
        self._caught_up = asyncio.Event()  # set once those lines were handed over (or could not be)
        super().__init__()

    def port(self, interaction: discord.Interaction | None = None, **where: object) -> DiscordPort:
        return DiscordPort(self.bot, typing=self.typing, interaction=interaction, desk=self.reports, **where)

    async def clicked(self, interaction: discord.Interaction, work: Awaitable[None]) -> None:
        """A button's work; a refusal or failure is told to whoever clicked, privately (a
        button's errors never reach the command tree's handler)."""
        try:
            await work
        except Exception as exc:
            try:
                await answer(interaction, user_error(exc))
            except discord.HTTPException:
                log.warning("could not report a button's error to an interaction")

    # -- drawing answers ------------------------------------------------------------------
    async def show(
        self, interaction: discord.Interaction, drawn: Drawn, *, ephemeral: bool = True, refused: str | None = None,
    ) -> None:
        """A panel with its charts and file; if Discord refuses the upload, the text again
        without it (and `refused` said), the failure logged."""
        files = drawn.files()
        if files:
            try:
                await answer(interaction, embeds=drawn.embeds(), files=files, view=drawn.view(), ephemeral=ephemeral)
                return
            except discord.HTTPException as exc:
                log.warning("Discord refused an upload (%s %s); sending the answer without it", exc.status, exc.code)
        embed = drawn.embeds(charts=False)
        await answer(interaction, refused or MISSING, embeds=embed, view=drawn.view(), ephemeral=ephemeral)

    async def show_debrief(self, interaction: discord.Interaction, ended: Ended) -> None:
        """A stored debrief read again, privately: the same embed, its charts and buttons."""
        try:
            drawn = await self.reports.debrief_charts(ended)
        except Exception:
            log.warning("could not draw the charts of session %s", ended.session_id, exc_info=True)
            drawn = ()
        turns = bool(ended.debrief.timeline)
        view = lambda: debrief_view(ended.persona.id, ended.session_id, turns=turns)  # noqa: E731
        if drawn:
            try:
                await answer(interaction, embeds=with_images(embeds.debrief_embed(ended), drawn),
                             files=chart_files(drawn), view=view())
                return
            except discord.HTTPException as exc:
                log.warning("Discord refused a debrief's charts (%s); sending it without them", exc.status)
        await answer(interaction, embed=embeds.debrief_embed(ended), view=view())

    async def public_and_private(self, interaction: discord.Interaction, panel: Panel) -> None:
        """A board for the channel; the asker's own line (their rank, even opted out) privately."""
        mine = tuple(line for line in panel.lines if line.startswith(PRIVATE_LINE))
        public = Panel(panel.title, tuple(line for line in panel.lines if not line.startswith(PRIVATE_LINE)),
                       panel.table, panel.notes)
        await self.show(interaction, Drawn(public), ephemeral=False)
        if mine:
            await answer(interaction, "\n".join(mine))

    # -- starting ---------------------------------------------------------------------
    @app_commands.command(name="start", description=SUMMARY["start"])
    @app_commands.describe(persona="The customer to practise with; leave empty for a random one.")
    async def start(self, interaction: discord.Interaction, persona: str | None = None) -> None:
        await self.open(interaction, interaction.channel, persona)

    async def again(self, interaction: discord.Interaction, persona_id: str, *, other: bool) -> None:
        """A debrief button: the same customer again, or a random other one, in a new thread."""
        channel = interaction.channel
        parent = channel.parent if isinstance(channel, discord.Thread) else channel
        if other:
            await self.open(interaction, parent, None, avoid=persona_id)
        else:
            await self.open(interaction, parent, persona_id)

    async def open(
        self, interaction: discord.Interaction, channel: object, persona_id: str | None, *, avoid: str | None = None
    ) -> None:
        """A new session in its own thread under `channel`, which must be a server's text channel."""
        if interaction.guild_id is None or not isinstance(channel, discord.TextChannel):
            await answer(interaction, START_HERE)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        who = trainee(interaction.user, interaction.guild_id, channel.id)
        await self.handler.start(who, self.port(interaction, channel=channel), persona_id, avoid=avoid)

    # -- the conversation, in its thread ----------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A line in a thread Hotseat opened goes to the handler; everything else is not ours."""
        thread = message.channel
        me = message.guild.me if message.guild is not None else None
        if (
            message.author.bot
            or message.is_system()
            or me is None
            or not isinstance(thread, discord.Thread)
            or thread.owner_id != me.id
        ):
            return
        await self._caught_up.wait()  # lines from the downtime come first, even one arriving before ready
        who = trainee(message.author, message.guild.id, thread.parent_id)
        port = self.port(message=message)
        await self.handler.message(who, message.content, port, thread=str(thread.id), source=str(message.id))

    # -- after downtime --------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_connect(self) -> None:
        """Once per start (not on every reconnect): the lines written while the bot was down,
        read over REST as soon as the gateway is up (`on_ready` waits for guilds to stream in,
        and new lines wait for these)."""
        if self._catch_up is None:
            self._catch_up = asyncio.create_task(self._catch_up_once(), name="hotseat-discord-catch-up")

    async def _catch_up_once(self) -> None:
        try:
            await self.catch_up()
        finally:
            self._caught_up.set()

    async def catch_up(self) -> int:
        """Each active session's thread read from Discord's history after the last message
        applied there, and its trainee's lines handed to the handler in order, as if they had
        just arrived (the handler answers and dedupes them). A line older than the idle
        timeout is not applied: its writer is told so, privately. Returns how many lines were
        handed over; one thread failing never stops the others."""
        handed = 0
        try:
            records = await self.service.store.active_sessions(self.service.platform)
        except Exception:
            log.exception("could not list the active sessions to catch up; lines from the downtime are not applied")
            return 0
        for record in records:
            if record.thread is None or not record.thread.isdigit() or not self.shards.owns(record.workspace):
                continue
            try:
                handed += await self._catch_up_thread(record)
            except Exception:
                log.warning("could not catch up the thread of session %s", record.id, exc_info=True)
        return handed

    async def _catch_up_thread(self, record: SessionRecord) -> int:
        thread_id = int(record.thread)
        thread = self.bot.get_channel(thread_id) or await self.bot.fetch_channel(thread_id)
        last = await self.service.store.last_source(record.id)
        after = discord.Object(int(last)) if last is not None and last.isdigit() else None
        handed = 0
        async for message in thread.history(limit=None, after=after, oldest_first=True):
            if message.author.bot or message.is_system() or str(message.author.id) != record.user:
                continue  # another member's line was theirs to repeat, and Hotseat's own are answers
            port = self.port(message=message)
            if self.service.missed_too_long_ago(message.created_at.timestamp()):
                try:
                    await port.send(offline_note(message.created_at))
                except Exception:
                    log.warning("could not tell %s their line was not applied", record.user, exc_info=True)
                continue
            who = Who(record.workspace, record.channel, record.user, message.author.display_name)
            await self.handler.message(who, message.content, port, thread=record.thread, source=str(message.id))
            handed += 1
        return handed

    @app_commands.command(name="hint", description=SUMMARY["hint"])
    async def hint(self, interaction: discord.Interaction) -> None:
        who, key = where(interaction)
        await interaction.response.defer(ephemeral=True)  # a slow database must not lose a hint that costs points
        await self.handler.hint(who, self.port(interaction), thread=key)

    @app_commands.command(name="end", description=SUMMARY["end"])
    async def end(self, interaction: discord.Interaction) -> None:
        who, key = where(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.handler.end(who, self.port(interaction), thread=key)

    # -- lists -------------------------------------------------------------------------
    @personas_group.command(name="list", description=SUMMARY["personas"])
    async def personas(self, interaction: discord.Interaction) -> None:
        await answer(interaction, embed=embeds.personas_embed(self.service.personas()))

    # -- for trainers ------------------------------------------------------------------------
    @personas_group.command(name="reload", description=SUMMARY["personas reload"])
    async def reload(self, interaction: discord.Interaction) -> None:
        role = role_of(self.roles, interaction)
        require(role, NOT_TRAINER_RELOAD)  # refused at once, privately
        await interaction.response.defer(ephemeral=True, thinking=True)
        await answer(interaction, embed=embeds.report_embed(await self.desk.reload(role)))

    @personas_group.command(name="upload", description=SUMMARY["personas upload"])
    @app_commands.describe(file="The persona's .yaml file; it is checked and its tests run before it goes live.")
    async def upload(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        """Role, name and size are checked on Discord's description of the file, before a
        byte of it is downloaded."""
        role = role_of(self.roles, interaction)
        self.desk.check_upload(role, file.filename, file.size)
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException:
            log.warning("could not download attachment %s", file.id, exc_info=True)
            raise HotseatError(NOT_DOWNLOADED) from None
        await answer(interaction, embed=embeds.report_embed(await self.desk.upload(role, file.filename, data)))

    # -- progress ----------------------------------------------------------------------------
    @app_commands.command(name="history", description=SUMMARY["history"])
    async def history(self, interaction: discord.Interaction) -> None:
        who, _ = where(interaction)
        await interaction.response.defer(ephemeral=True)
        await self.show(interaction, Drawn(await self.reports.history(who)))

    @app_commands.command(name="debrief", description=SUMMARY["debrief"])
    @app_commands.describe(id="The session's number, as `history` shows it (#42 is 42).")
    async def debrief(self, interaction: discord.Interaction, id: app_commands.Range[int, 1]) -> None:
        await self.reread(interaction, str(id))

    async def reread(self, interaction: discord.Interaction, session_id: str) -> None:
        """A debrief again (the command or a history button): one's own, or anyone's for a lead."""
        who, _ = where(interaction)
        ended = await self.reports.debrief(who, role_of(self.roles, interaction), session_id)
        await interaction.response.defer(ephemeral=True, thinking=True)
        await self.show_debrief(interaction, ended)

    async def turns(self, interaction: discord.Interaction, session_id: str) -> None:
        """The "Turn by turn" button: every turn with its reason, privately, split to fit."""
        who, _ = where(interaction)
        ended = await self.reports.debrief(who, role_of(self.roles, interaction), session_id)
        for part in split_lines(embeds.turn_by_turn(ended)):
            await answer(interaction, part)

    @app_commands.command(name="stats", description=SUMMARY["stats"])
    @app_commands.describe(user="Whose progress (leads only; leave empty for your own).")
    async def stats(self, interaction: discord.Interaction, user: discord.Member | None = None) -> None:
        who, _ = where(interaction)
        role = role_of(self.roles, interaction)
        target = str(user.id) if user is not None else None
        if target is not None and target != who.user:
            require_lead(role, "stats")  # refused before anything is drawn
        await interaction.response.defer(ephemeral=True, thinking=True)  # the chart takes a moment
        panel = await self.reports.stats(who, role, target, user.display_name if user is not None else None)
        await self.show(interaction, Drawn(panel))

    @app_commands.command(name="team", description=LEAD_SUMMARY["team"])
    @app_commands.describe(sort="The column to sort by (default: name).",
                           order="asc or desc (numbers default to desc).",
                           page="Which page of ten (default: 1).")
    @app_commands.choices(sort=[app_commands.Choice(name=c.replace("_", " "), value=c) for c in TEAM_COLUMNS])
    async def team(
        self, interaction: discord.Interaction, sort: str | None = None, order: Literal["asc", "desc"] | None = None,
        page: app_commands.Range[int, 1, 100000] = 1,
    ) -> None:
        who, _ = where(interaction)
        role = role_of(self.roles, interaction)
        require_lead(role, "team")
        if (sort is not None and sort not in TEAM_COLUMNS) or order not in (None, "asc", "desc"):
            raise HotseatError(STALE)
        request = team_args([w for w in (sort, order, str(page)) if w])
        await interaction.response.defer(ephemeral=True)
        panel = await self.reports.team(who, role, request)
        await self.show(interaction, Drawn(panel, asker=who.user))

    async def team_page(self, interaction: discord.Interaction, value: str, asker: str) -> None:
        """Previous/Next: the same message redrawn at the other page."""
        who, _ = where(interaction)
        if who.user != asker:
            raise HotseatError(NOT_YOUR_PAGE)
        panel = await self.reports.team(who, role_of(self.roles, interaction), team_from_value(value))
        drawn = Drawn(panel, asker=who.user)
        await interaction.response.edit_message(embed=drawn.embed(), view=drawn.view())

    @app_commands.command(name="export", description=LEAD_SUMMARY["export"])
    @app_commands.describe(format="csv (opens in a spreadsheet) or jsonl.", turns="Include every turn of each session.",
                           since="From this day on, YYYY-MM-DD (UTC).", until="Before this day, YYYY-MM-DD (UTC).")
    async def export(
        self, interaction: discord.Interaction, format: Literal["csv", "jsonl"] = "csv", turns: bool = False,
        since: str | None = None, until: str | None = None,
    ) -> None:
        who, _ = where(interaction)
        role = role_of(self.roles, interaction)
        require_lead(role, "export")
        if format not in ("csv", "jsonl"):
            raise HotseatError(STALE)
        start, stop = (_date(since) if since else None), (_date(until) if until else None)
        if start is not None and stop is not None and stop <= start:
            raise HotseatError("`until` must come after `since`.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        panel = await self.reports.export(who, role, ExportRequest(format, start, stop, turns, format == "csv"))
        await self.show(interaction, Drawn(panel), refused=NO_UPLOAD)

    @app_commands.command(name="leaderboard", description=SUMMARY["leaderboard"])
    @app_commands.describe(period="How far back to look (default: this week).", persona="Only this customer.")
    async def leaderboard(
        self,
        interaction: discord.Interaction,
        period: Literal["week", "month", "all"] = "week",
        persona: str | None = None,
    ) -> None:
        """The board is public, and once deferred so is every answer: options are checked first.
        The asker's own rank follows privately (an opted-out trainee still sees theirs)."""
        who, _ = where(interaction)
        if period not in PERIODS:  # outside the command's choices: Discord still has an old version of it
            raise HotseatError(STALE)
        if persona:
            self.service.library.get(persona)  # an unknown one is told privately
        await interaction.response.defer(ephemeral=False)
        panel = await self.reports.leaderboard(who, [period, *([persona] if persona else [])])
        await self.public_and_private(interaction, panel)

    @app_commands.command(name="volume", description="Who practised most in the period, and their daily streaks.")
    @app_commands.describe(period="How far back to look (default: this week).")
    async def volume(self, interaction: discord.Interaction, period: Literal["week", "month", "all"] = "week") -> None:
        who, _ = where(interaction)
        if period not in PERIODS:
            raise HotseatError(STALE)
        await interaction.response.defer(ephemeral=False)
        await self.public_and_private(interaction, await self.reports.leaderboard(who, ["volume", period]))

    @app_commands.command(name="leaderboard-optout",
                          description="Leave the public leaderboards; you still see your own rank.")
    async def leaderboard_optout(self, interaction: discord.Interaction) -> None:
        who, _ = where(interaction)
        await self.show(interaction, Drawn(await self.reports.leaderboard(who, ["optout"])))

    @app_commands.command(name="leaderboard-optin", description="Come back onto the public leaderboards.")
    async def leaderboard_optin(self, interaction: discord.Interaction) -> None:
        who, _ = where(interaction)
        await self.show(interaction, Drawn(await self.reports.leaderboard(who, ["optin"])))

    @app_commands.command(name="drill", description=LEAD_SUMMARY["drill"])
    @app_commands.describe(state="on to post a drill here each day, off to stop it.",
                           time="When, as HH:MM in UTC (default: as before, or 09:00).")
    async def drill(
        self, interaction: discord.Interaction, state: Literal["on", "off"], time: str | None = None,
    ) -> None:
        who, _ = where(interaction)
        role = role_of(self.roles, interaction)
        require_lead(role, "drill")
        if isinstance(interaction.channel, discord.Thread):
            raise HotseatError("Set the drill in a text channel, not a thread: that is where it will be posted.")
        panel = await self.reports.drill(who, role, [state, *([time] if time else [])])
        await self.show(interaction, Drawn(panel))

    @app_commands.command(name="help", description=SUMMARY["help"])
    async def help(self, interaction: discord.Interaction) -> None:
        await answer(interaction, embed=embeds.help_embed())

    @start.autocomplete("persona")
    @leaderboard.autocomplete("persona")
    async def _personas(self, interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
        return persona_choices(self.service.personas(), current)


class HotseatTree(app_commands.CommandTree):
    """A command tree whose errors still reach the user, privately, in plain words."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        stale = isinstance(error, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch))
        try:
            await answer(interaction, STALE if stale else user_error(getattr(error, "original", error)))
        except discord.HTTPException:  # the interaction expired or Discord is down: nothing left to tell
            log.warning("could not report a command error to an interaction")
