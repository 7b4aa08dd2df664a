"""Progress for trainees and leads (issue 12): personal stats, the team view, a fair
leaderboard, practice volume, leaderboard opt-out and the drill-of-the-day schedule.

Read-side and platform-neutral: front ends call these and render the records. Every
number comes from the scores each session's ending copied into the store
(``session_scores``), so no view parses debrief JSON, and only sessions with at least
one reply count, as on the leaderboard. Times are unix seconds; days are UTC.

Rules the README can quote:

* **Trend** of a dimension (or the overall score): the mean of the trainee's last 5
  sessions minus the mean of the 5 before them. With fewer than 10 sessions, the last
  ``n // 2`` against the ``n // 2`` before them; with fewer than 2, no trend. Positive
  means improving.
* **Weakest skill**: the dimension with the lowest mean over the trainee's last 10
  sessions (ties go to the first in ``DIMENSIONS`` order).
* **Recommended persona** for a skill: among personas within one star of the trainee's
  level, the one whose mood weights reward that skill's behaviours most, i.e. the highest
  ``sum(CREDIT[skill][b] * max(0, -weight[b]))`` over the behaviours ``b`` that earn the
  skill (a negative weight calms the customer). Ties go to the persona nearest the level,
  then by id. The level is the mean difficulty of the last 10 sessions, rounded, one star
  up when their mean score is 75 or more and one down below 50, kept on the 1-5 scale.
* **Fair rating** (leaderboard): see ``FAIR_FORMULA``.
* **Streak**: consecutive UTC days with at least one played session, counted back from
  today, or from yesterday when there is none yet today.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from bot.core.errors import HotseatError
from bot.core.service import PERIODS, HotseatService
from bot.debrief.scoring import CREDIT, DIMENSIONS
from bot.persona.library import Library
from bot.persona.records import Persona
from bot.store.records import DrillSchedule, PersonaTotals, ScoreRow
from bot.store.sqlite import Store
from bot.vocab import DIFFICULTY

__all__ = [
    "BoardRow", "BestSession", "ChartPoint", "DimensionStat", "DrillSuggestion", "FAIR_FORMULA",
    "FairBoard", "Pending", "PrivateRank", "Progress", "Recommendation", "Stats", "TEAM_COLUMNS",
    "TeamPage", "TeamRow", "Volume", "VolumeRow", "competition_ranks", "difficulty_factor", "level",
    "recommend", "streak", "trend", "weakest",
]

DAY = 86400.0
WEEK = 7 * DAY
CHART_POINTS = 200  # the progress chart's last sessions
TREND_WINDOW = 5
WEAKEST_WINDOW = 10  # sessions the weakest skill and the level are judged on
DRILL_ACTIVE_DAYS = 14

# --- fair leaderboard ----------------------------------------------------------------
DIFFICULTY_STEP = 0.1  # each star above (below) the middle of the scale is worth +10 % (-10 %)
FAIR_FORMULA = (
    "rating = mean over the period's sessions of score x (1 + 0.1 x (difficulty - 3)); "
    "a 1-star persona counts 0.8 of its score, 3 stars 1.0, 5 stars 1.2. Ranked by the rating "
    "as shown (1 decimal); equal ratings share a rank (1, 2, =2, 4)."
)

TEAM_COLUMNS: tuple[str, ...] = ("name", "sessions_week", "sessions", "average", "weakest", "last_practice")
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def difficulty_factor(difficulty: int) -> float:
    """How much a session's score counts on the fair board: 0.8 at 1 star .. 1.2 at 5."""
    lo, hi = DIFFICULTY
    d = max(lo, min(hi, difficulty))
    return 1 + DIFFICULTY_STEP * (d - (lo + hi) / 2)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class DimensionStat:
    average: float | None  # all sessions with dimension scores, 1 decimal
    trend: float | None  # see the module docstring; None with fewer than 2 sessions


@dataclass(frozen=True, slots=True)
class Recommendation:
    persona_id: str
    persona_name: str
    difficulty: int
    skill: str  # the dimension it practises


@dataclass(frozen=True, slots=True)
class BestSession:
    session_id: int
    persona_id: str
    persona_name: str
    score: int
    ended_at: float


@dataclass(frozen=True, slots=True)
class ChartPoint:
    session_id: int
    ended_at: float
    score: int
    persona_id: str
    dimensions: Mapping[str, int] | None  # None for a session saved without dimension scores


@dataclass(frozen=True, slots=True)
class Stats:
    """A trainee's own progress. With no sessions: zeros, Nones and empty lists."""

    workspace: str
    user: str
    sessions_week: int  # played sessions ended in the last 7 days
    sessions: int  # all played sessions here
    average: float | None  # mean score, 1 decimal
    trend: float | None  # of the score
    dimensions: Mapping[str, DimensionStat]  # every dimension, in DIMENSIONS order
    weakest: str | None
    recommendation: Recommendation | None  # a persona to practise the weakest skill with
    best: BestSession | None
    chart: tuple[ChartPoint, ...]  # the last CHART_POINTS sessions, oldest first


@dataclass(frozen=True, slots=True)
class TeamRow:
    user: str
    name: str
    sessions_week: int
    sessions: int
    average: float  # 1 decimal
    weakest: str | None
    weakest_average: float | None  # that skill's mean over the last 10 sessions, 1 decimal
    last_practice: float  # when their latest session ended


@dataclass(frozen=True, slots=True)
class TeamPage:
    rows: tuple[TeamRow, ...]
    page: int  # 1-based, after clamping into 1..pages
    pages: int  # at least 1
    per_page: int
    trainees: int  # in all pages
    sort: str
    descending: bool


@dataclass(frozen=True, slots=True)
class BoardRow:
    rank: int  # competition ranking: 1, 2, 2, 4
    tied: bool  # shares its rank: show as "=2"
    user: str
    name: str
    sessions: int
    rating: float  # the fair rating, 1 decimal
    average: float  # the plain mean score, 1 decimal, for reference
    best: int


@dataclass(frozen=True, slots=True)
class Pending:
    """A trainee with sessions in the period, but fewer than the board's minimum."""

    user: str
    name: str
    sessions: int
    needed: int  # sessions still to play to appear


@dataclass(frozen=True, slots=True)
class PrivateRank:
    """Where one trainee stands, for their eyes only (also when they opted out)."""

    user: str
    opted_out: bool
    sessions: int
    rating: float | None  # None when they have no session in the period
    rank: int | None  # among the public board plus them; None below the minimum
    tied: bool
    needed: int  # 0 once they meet the minimum
    ranked: int  # how many trainees that rank is out of


@dataclass(frozen=True, slots=True)
class FairBoard:
    period: str
    persona_id: str | None
    min_sessions: int
    rows: tuple[BoardRow, ...]  # public: opted-out trainees are left out, and ranks skip them
    below_minimum: tuple[Pending, ...]  # public trainees who need more sessions, fewest missing first
    viewer: PrivateRank | None  # only when asked for a user
    formula: str = FAIR_FORMULA


@dataclass(frozen=True, slots=True)
class VolumeRow:
    user: str
    name: str
    sessions: int  # in the period
    streak: int  # consecutive UTC days, see the module docstring


@dataclass(frozen=True, slots=True)
class Volume:
    period: str
    rows: tuple[VolumeRow, ...]  # most sessions first, then longest streak; opted-out trainees left out
    viewer: VolumeRow | None  # the asking trainee's own row, opted out or not


@dataclass(frozen=True, slots=True)
class DrillSuggestion:
    user: str
    name: str
    weakest: str
    weakest_average: float
    recommendation: Recommendation | None


# ----------------------------------------------------------------------------- rules


def _round1(x: float | None) -> float | None:
    return None if x is None else math.floor(x * 10 + 0.5) / 10


def _mean(xs: Sequence[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def trend(values: Sequence[float]) -> float | None:
    """Mean of the last TREND_WINDOW values minus the mean of the TREND_WINDOW before
    (fewer values: the last n // 2 against the n // 2 before); None below 2 values."""
    k = min(TREND_WINDOW, len(values) // 2)
    if k == 0:
        return None
    recent, before = values[-k:], values[-2 * k:-k]
    return _round1(sum(recent) / k - sum(before) / k)


def weakest(rows: Sequence[ScoreRow]) -> tuple[str, float] | None:
    """The dimension with the lowest mean over the last WEAKEST_WINDOW rows (oldest first;
    those saved without dimension scores left out), and that mean; None without any."""
    scored = [r.dimensions for r in rows[-WEAKEST_WINDOW:] if r.dimensions is not None]
    if not scored:
        return None
    means = {d: sum(s[d] for s in scored) / len(scored) for d in DIMENSIONS}
    name = min(DIMENSIONS, key=lambda d: (means[d], DIMENSIONS.index(d)))
    return name, _round1(means[name])


def level(rows: Sequence[ScoreRow], personas: Mapping[str, Persona]) -> int:
    """The difficulty a trainee should practise at next: see the module docstring."""
    lo, hi = DIFFICULTY
    recent = rows[-WEAKEST_WINDOW:]
    known = [personas[r.persona_id].difficulty for r in recent if r.persona_id in personas]
    if not known:
        return lo
    target = math.floor(sum(known) / len(known) + 0.5)
    average = sum(r.score for r in recent) / len(recent)
    target += 1 if average >= 75 else -1 if average < 50 else 0
    return max(lo, min(hi, target))


def recommend(skill: str, target: int, personas: Iterable[Persona]) -> Recommendation | None:
    """The persona whose mood weights reward `skill`'s behaviours most, within one star of
    `target` (any persona when none is that close)."""
    pool = list(personas)
    near = [p for p in pool if abs(p.difficulty - target) <= 1] or pool
    if not near:
        return None

    def reward(p: Persona) -> float:
        return sum(credit * max(0, -p.weights.get(label, 0)) for label, credit in CREDIT[skill].items())

    best = min(near, key=lambda p: (-reward(p), abs(p.difficulty - target), p.id))
    return Recommendation(best.id, best.name, best.difficulty, skill)


def streak(days_newest_first: Sequence[int], today: int) -> int:
    """Consecutive days ending today, or yesterday when today has none yet."""
    if not days_newest_first or days_newest_first[0] < today - 1:
        return 0
    n, expect = 0, days_newest_first[0]
    for day in days_newest_first:
        if day != expect:
            break
        n += 1
        expect -= 1
    return n


def competition_ranks(ratings: Sequence[float]) -> list[tuple[int, bool]]:
    """(rank, tied) for ratings sorted high to low: 1, 2, 2, 4."""
    out = []
    for i, r in enumerate(ratings):
        rank = i + 1 if i == 0 or ratings[i - 1] != r else out[-1][0]
        tied = (i > 0 and ratings[i - 1] == r) or (i + 1 < len(ratings) and ratings[i + 1] == r)
        out.append((rank, tied))
    return out


def _day(value: dt.date | str) -> str:
    """A UTC day as YYYY-MM-DD, from a date or that string (checked)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return dt.date.fromisoformat(value).isoformat()


def _moment(now: float | dt.datetime) -> dt.datetime:
    if isinstance(now, dt.datetime):
        return now.astimezone(dt.timezone.utc) if now.tzinfo else now.replace(tzinfo=dt.timezone.utc)
    return dt.datetime.fromtimestamp(now, dt.timezone.utc)


# --------------------------------------------------------------------------- service


class Progress:
    """Progress views over one store. `library` is the persona library, or a callable
    returning the current one (``lambda: service.library``, so a reload is seen)."""

    def __init__(
        self,
        store: Store,
        library: Library | Callable[[], Library],
        *,
        clock: Callable[[], float] = time.time,
        min_sessions: int = 3,
    ) -> None:
        self.store = store
        self._library = library
        self.clock = clock
        self.min_sessions = min_sessions

    @property
    def library(self) -> Library:
        return self._library() if callable(self._library) else self._library

    def _name(self, persona_id: str) -> str:
        p = self.library.personas.get(persona_id)
        return p.name if p else persona_id

    def _recommend(self, skill: str, rows: Sequence[ScoreRow]) -> Recommendation | None:
        personas = self.library.personas
        return recommend(skill, level(rows, personas), personas.values())

    # -- a trainee's own stats ---------------------------------------------------------
    async def stats(self, workspace: str, user: str) -> Stats:
        """The trainee's sessions, averages and trends per dimension, weakest skill with a
        persona to practise it, best session and chart points (see the module docstring)."""
        totals = await self.store.score_totals(workspace, user, since=self.clock() - WEEK)
        rows = await self.store.scores(workspace, user, limit=CHART_POINTS)
        with_dims = [r.dimensions for r in rows if r.dimensions is not None]
        dims = {
            d: DimensionStat(_round1(totals.dimensions.get(d)), trend([s[d] for s in with_dims]))
            for d in DIMENSIONS
        }
        weak = weakest(rows)
        best = totals.best
        return Stats(
            workspace=workspace, user=user, sessions_week=totals.recent, sessions=totals.sessions,
            average=_round1(totals.average), trend=trend([r.score for r in rows]), dimensions=dims,
            weakest=weak[0] if weak else None,
            recommendation=self._recommend(weak[0], rows) if weak else None,
            best=None if best is None else BestSession(
                best.session_id, best.persona_id, self._name(best.persona_id), best.score, best.ended_at),
            chart=tuple(ChartPoint(r.session_id, r.ended_at, r.score, r.persona_id, r.dimensions) for r in rows),
        )

    # -- the team, for leads ------------------------------------------------------------
    async def team(
        self, workspace: str, *, sort: str = "name", descending: bool = False, page: int = 1, per_page: int = 10,
    ) -> TeamPage:
        """Every trainee who played here: sessions this week and in all, average score,
        weakest skill, last practice; sorted by any of TEAM_COLUMNS (``weakest`` sorts by
        that skill's mean; ties by name, then user id; trainees with no weakest skill last)
        and paged (``per_page`` 1-100). A page past the end shows the last; an unknown column
        raises HotseatError."""
        if sort not in TEAM_COLUMNS:
            raise HotseatError(f"Unknown column {sort[:30]!r}; sort by one of: {', '.join(TEAM_COLUMNS)}.")
        per_page = max(1, min(100, per_page))
        rows = []
        for t in await self.store.team_totals(workspace, since=self.clock() - WEEK, window=WEAKEST_WINDOW):
            weak = weakest(t.latest)
            rows.append(TeamRow(
                t.user, t.user_name, t.recent, t.sessions, _round1(t.average),
                weak[0] if weak else None, weak[1] if weak else None, t.last_ended,
            ))
        key = {
            "name": lambda r: r.name.casefold(),
            "sessions_week": lambda r: r.sessions_week,
            "sessions": lambda r: r.sessions,
            "average": lambda r: r.average,
            "weakest": lambda r: r.weakest_average,
            "last_practice": lambda r: r.last_practice,
        }[sort]
        rows.sort(key=lambda r: (r.name.casefold(), r.user))
        present = [r for r in rows if key(r) is not None]
        present.sort(key=key, reverse=descending)  # stable: equal keys stay by name
        ordered = present + [r for r in rows if key(r) is None]
        pages = max(1, math.ceil(len(ordered) / per_page))
        page = max(1, min(pages, page))
        chunk = ordered[(page - 1) * per_page: page * per_page]
        return TeamPage(tuple(chunk), page, pages, per_page, len(ordered), sort, descending)

    # -- fair leaderboard -----------------------------------------------------------------
    async def leaderboard(
        self, workspace: str, period: str = "week", persona_id: str | None = None, *,
        viewer: str | None = None, limit: int = 10,
    ) -> FairBoard:
        """The difficulty-adjusted board (``FAIR_FORMULA``) over sessions ended in the period.

        Trainees with fewer than ``min_sessions`` are listed in ``below_minimum`` with how
        many they still need. Opted-out trainees are on neither list; with ``viewer``, that
        trainee's own standing comes back in ``viewer`` whether they opted out or not.
        """
        since = self._since(period)
        if persona_id:
            persona_id = self.library.get(persona_id).id
        totals, names = await self.store.persona_totals(workspace, since=since, persona_id=persona_id)
        hidden = await self.store.leaderboard_optouts(workspace)
        per_user = self._ratings(totals)
        public = [u for u in per_user if u not in hidden]
        eligible = sorted(
            (u for u in public if per_user[u][0] >= self.min_sessions),
            key=lambda u: (-per_user[u][1], -per_user[u][0], names[u].casefold(), u),
        )
        ranks = competition_ranks([per_user[u][1] for u in eligible])
        rows = tuple(
            BoardRow(rank, tied, u, names[u], per_user[u][0], per_user[u][1], per_user[u][2], per_user[u][3])
            for u, (rank, tied) in zip(eligible, ranks)
        )[:max(0, limit)]
        pending = tuple(sorted(
            (Pending(u, names[u], per_user[u][0], self.min_sessions - per_user[u][0])
             for u in public if per_user[u][0] < self.min_sessions),
            key=lambda p: (p.needed, p.name.casefold(), p.user),
        ))
        mine = None
        if viewer is not None:
            mine = self._private_rank(viewer, viewer in hidden, per_user.get(viewer), [per_user[u][1] for u in eligible])
        return FairBoard(period, persona_id, self.min_sessions, rows, pending, mine)

    def _ratings(self, totals: Sequence[PersonaTotals]) -> dict[str, tuple[int, float, float, int]]:
        """user -> (sessions, fair rating, plain average, best), both means to 1 decimal."""
        personas = self.library.personas
        middle = sum(DIFFICULTY) / 2
        acc: dict[str, list[float]] = {}
        for t in totals:
            p = personas.get(t.persona_id)
            factor = difficulty_factor(p.difficulty if p else round(middle))  # an unloaded persona counts as middling
            a = acc.setdefault(t.user, [0, 0.0, 0.0, 0])
            a[0] += t.sessions
            a[1] += t.total * factor
            a[2] += t.total
            a[3] = max(a[3], t.best)
        return {u: (int(n), _round1(w / n), _round1(s / n), int(b)) for u, (n, w, s, b) in acc.items()}

    def _private_rank(
        self, user: str, opted_out: bool, mine: tuple[int, float, float, int] | None, public: list[float],
    ) -> PrivateRank:
        if mine is None:
            return PrivateRank(user, opted_out, 0, None, None, False, self.min_sessions, len(public))
        n, rating = mine[0], mine[1]
        if n < self.min_sessions:
            return PrivateRank(user, opted_out, n, rating, None, False, self.min_sessions - n, len(public))
        others = public if opted_out else list(public)
        if not opted_out:
            others.remove(rating)  # they are on the public board: rank them against the rest
        rank = 1 + sum(1 for r in others if r > rating)
        return PrivateRank(user, opted_out, n, rating, rank, rating in others, 0, len(others) + 1)

    # -- practice volume -------------------------------------------------------------------
    async def volume(self, workspace: str, period: str = "week", *, viewer: str | None = None) -> Volume:
        """Sessions in the period and current daily streak per trainee, most active first;
        trainees with neither are left out, and so are opted-out ones (``viewer`` gets their own row)."""
        since = self._since(period)
        now = self.clock()
        today = int(now // DAY)
        hidden = await self.store.leaderboard_optouts(workspace)
        all_rows = [
            VolumeRow(u, name, n, streak(days, today))
            for u, name, n, days in await self.store.practice_days(workspace, since=since)
        ]
        mine = next((r for r in all_rows if r.user == viewer), None)
        if viewer is not None and mine is None:
            mine = VolumeRow(viewer, viewer, 0, 0)
        rows = sorted(
            (r for r in all_rows if r.user not in hidden and (r.sessions or r.streak)),
            key=lambda r: (-r.sessions, -r.streak, r.name.casefold(), r.user),
        )
        return Volume(period, tuple(rows), mine)

    def _since(self, period: str) -> float | None:
        period = (period or "week").lower()
        if period not in PERIODS:
            raise HotseatError(f"Unknown period {period[:20]!r}; use week, month or all.")
        span = PERIODS[period]
        return None if span is None else self.clock() - span

    # -- leaderboard opt-out ---------------------------------------------------------------
    async def opt_out(self, workspace: str, user: str) -> bool:
        """Leave the workspace's public leaderboards (both boards and volume); True if it changed."""
        return await self.store.set_leaderboard_optout(workspace, user, True, self.clock())

    async def opt_in(self, workspace: str, user: str) -> bool:
        """Appear on public leaderboards again; True if it changed."""
        return await self.store.set_leaderboard_optout(workspace, user, False, self.clock())

    async def opted_out(self, workspace: str, user: str) -> bool:
        return user in await self.store.leaderboard_optouts(workspace)

    # -- drill of the day ----------------------------------------------------------------
    async def set_drill(
        self, workspace: str, channel: str, *, set_by: str, time: str = "09:00", enabled: bool = True,
    ) -> DrillSchedule:
        """Schedule (or pause, with ``enabled=False``) the channel's daily drill at HH:MM UTC."""
        if not _HHMM.match(time or ""):
            raise HotseatError(f"Drill time {str(time)[:20]!r} is not HH:MM (24-hour, UTC), e.g. 09:30.")
        return await self.store.set_drill(workspace, channel, enabled=enabled, time=time, set_by=set_by, now=self.clock())

    async def drill(self, workspace: str, channel: str) -> DrillSchedule | None:
        return await self.store.drill(workspace, channel)

    async def drills(self, workspace: str) -> list[DrillSchedule]:
        return await self.store.drills(workspace)

    async def claim_drill(self, workspace: str, channel: str, day: dt.date | str) -> bool:
        """Take the channel's post for `day` (a UTC date): True for exactly one caller across
        every process on the database, so nothing posts twice. Post only on True."""
        return await self.store.claim_drill(workspace, channel, _day(day))

    async def due_drills(self, now: float | dt.datetime | None = None) -> list[DrillSchedule]:
        """Enabled drills whose HH:MM has passed today (UTC) and that have not run today.

        One missed while no bot was running is still due until the UTC day ends. Claim each
        with ``claim_drill`` before posting."""
        moment = _moment(self.clock() if now is None else now)
        return await self.store.due_drills(moment.date().isoformat(), moment.strftime("%H:%M"))

    async def drill_suggestions(self, workspace: str, since: float | None = None) -> list[DrillSuggestion]:
        """Each trainee who practised since `since` (default: the last 14 days), with their
        weakest skill and the persona recommended for it; by name."""
        cutoff = self.clock() - DRILL_ACTIVE_DAYS * DAY if since is None else since
        out = []
        for t in await self.store.team_totals(workspace, since=cutoff, window=WEAKEST_WINDOW):
            if t.last_ended < cutoff:
                continue
            weak = weakest(t.latest)
            if weak is None:
                continue
            out.append(DrillSuggestion(t.user, t.user_name, weak[0], weak[1], self._recommend(weak[0], t.latest)))
        out.sort(key=lambda s: (s.name.casefold(), s.user))
        return out

    @classmethod
    def for_service(cls, service: HotseatService) -> "Progress":
        """Progress over a running service's store, library (reloads included), clock and minimum."""
        return cls(service.store, lambda: service.library, clock=service.clock, min_sessions=service.min_sessions)
