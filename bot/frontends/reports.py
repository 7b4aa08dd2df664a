"""The progress commands in chat, the same on every platform: stats, team, the boards,
history, rereading a debrief, export and the drill of the day.

Front ends parse their payload (a typed `/hotseat team average 2`, a Discord option),
say who asked and with which role, and draw the `Panel` that comes back; who may see
what is decided here once. A trainee sees their own numbers; a lead sees anyone's, the
team, exports, and sets drills.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import tempfile
from dataclasses import dataclass
from typing import Awaitable, Callable, Sequence

from bot.core import export as exporting
from bot.core.errors import HotseatError
from bot.core.events import Ended, Who
from bot.core.progress import TEAM_COLUMNS, Progress
from bot.core.service import PERIODS, HotseatService
from bot.debrief import charts
from bot.debrief.charts import Chart, ProgressPoint
from bot.frontends import panels
from bot.frontends.chat_commands import leaderboard_args
from bot.frontends.panels import Attachment, Panel
from bot.frontends.roles import Role

log = logging.getLogger(__name__)

MAX_EXPORT_BYTES = 8 * 1024 * 1024  # under Discord's smallest upload limit; bigger goes through the CLI
TEAM_PAGE_SIZE = 10
LEADS_ONLY = {
    "team": "Only leads can see the team overview. Ask whoever runs Hotseat to add you to HOTSEAT_LEADS.",
    "export": "Only leads can export the team's sessions. Ask whoever runs Hotseat to add you to HOTSEAT_LEADS.",
    "drill": "Only leads can schedule the drill of the day. Ask whoever runs Hotseat to add you to HOTSEAT_LEADS.",
    "stats": "You can see your own progress; only leads can see another trainee's.",
    "debrief": "That session is someone else's; only leads can read other trainees' debriefs.",
}


class NotALead(HotseatError):
    """A trainee asked for something only leads may see or change."""


def require_lead(role: Role, what: str) -> None:
    if role is not Role.LEAD:
        raise NotALead(LEADS_ONLY[what])


# --------------------------------------------------------------------------- arguments


@dataclass(frozen=True, slots=True)
class TeamRequest:
    sort: str = "name"
    descending: bool = False
    page: int = 1


def team_args(args: Sequence[str]) -> TeamRequest:
    """`team`, `team average`, `team average asc 2`, `team 3`: a column, an order, a page."""
    sort, descending, page, order_given = "name", False, 1, False
    for arg in args:
        a = arg.lower()
        if a in TEAM_COLUMNS:
            sort = a
        elif a in ("asc", "desc"):
            descending, order_given = a == "desc", True
        elif a.isdigit():
            page = max(1, int(a))
        else:
            raise HotseatError(f"`team` sorts by one of {', '.join(TEAM_COLUMNS)}, then `asc` or `desc`, then a page number.")
    if not order_given:
        descending = sort not in ("name", "weakest")  # numbers read best biggest first
    return TeamRequest(sort, descending, page)


def team_value(request: TeamRequest) -> str:
    return f"{request.sort}:{'desc' if request.descending else 'asc'}:{request.page}"


def team_from_value(value: str) -> TeamRequest:
    sort, way, page = (value.split(":") + ["", "", ""])[:3]
    return team_args([sort, way or "asc", page or "1"])


@dataclass(frozen=True, slots=True)
class ExportRequest:
    fmt: str = "csv"
    since: float | None = None
    until: float | None = None
    turns: bool = False
    bom: bool = True  # a chat export is opened in a spreadsheet more often than not


def _date(text: str) -> float:
    try:
        d = dt.date.fromisoformat(text)
    except ValueError:
        raise HotseatError(f"{text[:20]!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-11-01.") from None
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).timestamp()


def export_args(args: Sequence[str]) -> ExportRequest:
    """`export`, `export jsonl turns 2026-11-01 2026-12-01`: a format, `turns`, `nobom`,
    and up to two dates (since, then until; days in UTC, until not included)."""
    fmt, turns, bom, dates = "csv", False, True, []
    for arg in args:
        a = arg.lower()
        if a in exporting.FORMATS:
            fmt = a
        elif a == "turns":
            turns = True
        elif a == "nobom":
            bom = False
        elif len(dates) < 2 and a[:1].isdigit():
            dates.append(_date(a))
        else:
            raise HotseatError("`export` takes csv or jsonl, `turns`, `nobom`, and up to two dates (YYYY-MM-DD): since and until.")
    since, until = (dates + [None, None])[:2]
    if since is not None and until is not None and until <= since:
        raise HotseatError("The second date (until) must come after the first (since).")
    return ExportRequest(fmt, since, until, turns, bom and fmt == "csv")


def drill_args(args: Sequence[str]) -> tuple[bool, str | None]:
    """`drill on`, `drill on 09:30`, `drill off`: (enabled, time or None for the current one)."""
    words = [a.lower() for a in args]
    if not words or words[0] not in ("on", "off") or len(words) > 2 or (words[0] == "off" and len(words) > 1):
        raise HotseatError("`drill on [HH:MM]` posts a drill in this channel each day (UTC); `drill off` stops it.")
    return words[0] == "on", (words[1] if len(words) == 2 else None)


# --------------------------------------------------------------------------- the desk


class ReportDesk:
    """Every progress command, platform-neutral. Charts are drawn off the event loop."""

    def __init__(self, service: HotseatService, progress: Progress | None = None) -> None:
        self.service = service
        self.progress = progress or Progress.for_service(service)

    # -- trainees and leads -------------------------------------------------------------
    async def stats(self, who: Who, role: Role, target: str | None = None, name: str | None = None,
                    *, with_chart: bool = True) -> Panel:
        user = target or who.user
        if user != who.user:
            require_lead(role, "stats")
        stats = await self.progress.stats(who.workspace, user)
        shown = name or (who.user_name if user == who.user else "") or user
        drawn: tuple[Chart, ...] = ()
        if with_chart and stats.chart:
            points = [ProgressPoint(p.ended_at, p.score, p.dimensions or {}) for p in stats.chart]
            drawn = (await charts.render(charts.progress, points, title=f"{shown}: score and skills"),)
        return panels.stats_panel(stats, shown, drawn)

    async def history(self, who: Who) -> Panel:
        return panels.history_panel(await self.service.history(who.workspace, who.user, 10))

    async def debrief(self, who: Who, role: Role, session_id: str | int) -> Ended:
        """A finished session's debrief again; the front end draws it as it drew it then."""
        try:
            sid = int(str(session_id).lstrip("#"))
        except ValueError:
            raise HotseatError("`debrief` takes a session number, like `debrief 42`; `history` lists yours.") from None
        return await self.service.debrief(who.workspace, sid, who.user, any_trainee=role is Role.LEAD)

    async def team(self, who: Who, role: Role, request: TeamRequest = TeamRequest()) -> Panel:
        require_lead(role, "team")
        page = await self.progress.team(who.workspace, sort=request.sort, descending=request.descending,
                                        page=request.page, per_page=TEAM_PAGE_SIZE)
        return panels.team_panel(page)

    async def leaderboard(self, who: Who, args: Sequence[str]) -> Panel:
        """`leaderboard [week|month|all] [persona]`, `leaderboard volume [period]`,
        `leaderboard optout` / `optin`."""
        words = list(args)
        first = words[0].lower() if words else ""
        if first in ("optout", "optin"):
            if len(words) > 1:
                raise HotseatError(f"`leaderboard {first}` takes nothing after it.")
            if first == "optout":
                changed = await self.progress.opt_out(who.workspace, who.user)
                text = ("You are off the public leaderboards. `leaderboard` still shows you your own rank; "
                        "`leaderboard optin` puts you back.") if changed else "You were already off the public leaderboards."
            else:
                changed = await self.progress.opt_in(who.workspace, who.user)
                text = "You are back on the public leaderboards." if changed else "You are already on the public leaderboards."
            return Panel("Leaderboard", (text,))
        if first == "volume":
            period = _period(words[1:])
            return panels.volume_panel(await self.progress.volume(who.workspace, period, viewer=who.user))
        period, persona_id = leaderboard_args(words)
        name = None
        if persona_id:
            persona = self.service.library.get(persona_id)
            persona_id, name = persona.id, persona.name
        board = await self.progress.leaderboard(who.workspace, period, persona_id, viewer=who.user)
        return panels.board_panel(board, name)

    # -- leads --------------------------------------------------------------------------
    async def export(self, who: Who, role: Role, request: ExportRequest = ExportRequest(),
                     user: str | None = None) -> Panel:
        require_lead(role, "export")
        fd, path = tempfile.mkstemp(prefix="hotseat-export-", suffix=f".{request.fmt}")
        os.close(fd)
        try:
            n = await exporting.export(
                self.service.store, who.workspace, path, fmt=request.fmt, since=request.since, until=request.until,
                user=user, include_turns=request.turns, bom=request.bom, library=self.service.library,
            )
            size = os.path.getsize(path)
            if size > MAX_EXPORT_BYTES:
                raise HotseatError(
                    f"That export is {size / 1e6:.0f} MB, too big for chat. Narrow it with dates "
                    "(`export 2026-11-01 2026-12-01`), leave out `turns`, or run `hotseat export` on the server."
                )
            data = await asyncio.to_thread(_read, path)
        finally:
            os.unlink(path)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d")
        mime = "text/csv" if request.fmt == "csv" else "application/x-ndjson"
        lines = (f"{n} session{'s' if n != 1 else ''}" + (" with their turns" if request.turns else "") + ".",)
        return Panel("Export", lines, notes=("Columns are listed in the README (Exporting sessions).",),
                     file=Attachment(f"hotseat-{stamp}.{request.fmt}", data, mime))

    async def drill(self, who: Who, role: Role, args: Sequence[str]) -> Panel:
        require_lead(role, "drill")
        enabled, time = drill_args(args)
        current = await self.progress.drill(who.workspace, who.channel)
        at = time or (current.time if current else "09:00")
        await self.progress.set_drill(who.workspace, who.channel, set_by=who.user, time=at, enabled=enabled)
        if not enabled:
            return Panel("Drill of the day", ("The drill of the day is off in this channel.",))
        return Panel("Drill of the day", (f"Each day at {at} UTC I'll suggest a customer to everyone who practised "
                                          "in the last two weeks, picked for their weakest skill.",))

    async def drill_post(self, workspace: str) -> Panel:
        return panels.drill_panel(await self.progress.drill_suggestions(workspace))

    # -- charts for a debrief -------------------------------------------------------------
    async def debrief_charts(self, ended: Ended) -> tuple[Chart, ...]:
        """The mood timeline and the skill radar of one debrief, drawn off the event loop."""
        d = ended.debrief
        drawn: list[Chart] = []
        if d.timeline:
            drawn.append(await charts.render(
                charts.mood_timeline, [m.mood_after for m in d.timeline], start=d.timeline[0].mood_before,
                title=f"{ended.persona.name}: anger turn by turn",
                turning_points=[m.index for m in d.turning_points],
            ))
        drawn.append(await charts.render(charts.skill_radar, d.dimensions, title=f"Debrief: {d.score}/100"))
        return tuple(drawn)


def _period(words: Sequence[str]) -> str:
    if not words:
        return "week"
    if len(words) > 1 or words[0].lower() not in PERIODS:
        raise HotseatError("`leaderboard volume` takes a period: week, month or all.")
    return words[0].lower()


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


# --------------------------------------------------------------------------- the drill clock


Post = Callable[[str, str, Panel], Awaitable[None]]  # (workspace, channel, panel)


class DrillClock:
    """Posts each due drill once a day. Every process may run one: a drill is claimed in
    the database before it is posted, so a restart on the hour or a second bot on the same
    database never posts twice. A post that fails after its claim is logged, not retried:
    a second post of the day would be worse than a missed one."""

    def __init__(self, desk: ReportDesk, post: Post, mine: Callable[[str], bool], *, interval: float = 30.0,
                 clock: Callable[[], float] | None = None) -> None:
        self.desk = desk
        self.post = post
        self.mine = mine  # is this workspace (Slack team, Discord guild) served by this front end?
        self.interval = interval
        self.clock = clock or desk.service.clock

    async def tick(self) -> int:
        """Post every drill due now that this process wins; returns how many it posted."""
        now = self.clock()
        today = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
        posted = 0
        for due in await self.desk.progress.due_drills(now):
            if not self.mine(due.workspace):
                continue
            try:
                if not await self.desk.progress.claim_drill(due.workspace, due.channel, today):
                    continue
                await self.post(due.workspace, due.channel, await self.desk.drill_post(due.workspace))
                posted += 1
            except Exception:
                log.exception("drill for %s/%s was not posted today", due.workspace, due.channel)
        return posted

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("drill clock tick failed; trying again")
            await asyncio.sleep(self.interval)
