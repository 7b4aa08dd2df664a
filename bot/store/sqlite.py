"""SQLite persistence: sessions, their turns and hints, and the final debrief.

Design, and why:

* One long-lived stdlib ``sqlite3`` connection per store, owned by one worker thread the
  store starts (``_Worker``). Calls queue to that thread and run strictly in order, so
  one connection means one writer and no "database is locked" fights inside the
  process, and a slow disk never blocks the event loop.
* Every database access is ONE call on that thread (``Store._run``): a whole
  ``BEGIN IMMEDIATE ... COMMIT`` transaction runs as a single function, so no other
  coroutine's statement can land in the middle of it and get committed by it. That is
  the job an ``asyncio.Lock`` around separate awaits would do, at one thread hop per
  write instead of four (measured with 100 concurrent sessions: ~6,600 committed
  turns/s, vs ~1,900 for lock + four awaits; the product needs >= 2,000/s through the
  whole service, so the four-await shape would not leave room for anything else).
  The thread is our own rather than aiosqlite's because aiosqlite has no public call
  that runs a function on its thread; ``bench/store.py`` measures the rate.
* A conversation's final turn and its ending (status, score, debrief) are one
  transaction (``record_turn(..., closing=...)``), so no crash can leave a conversation
  over while its session stays open and blocks its trainee.
* An ending also copies its score and six dimension scores into ``session_scores`` (same
  transaction), so progress views (bot/core/progress.py) read columns through covering
  indexes instead of parsing every debrief's JSON.
* WAL + ``synchronous=NORMAL``: a commit does not fsync, so writes are fast and an
  application crash loses nothing; a power cut may lose the last few commits.
* The schema lives in ``MIGRATIONS``; ``PRAGMA user_version`` records how far a file
  has been migrated, and all pending steps run in one transaction at open.

Close the store explicitly (``async with await Store.open(p) as store`` or
``await store.close()``) so queued writes finish and the connection is optimised and
closed. The worker is a daemon thread that never touches a closed event loop, so a store
left open (a command that failed half-way) neither hangs interpreter exit nor prints a
traceback from that thread; what it had committed stays committed, and an unfinished
transaction is rolled back by SQLite, as after a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pathlib
import queue
import sqlite3
import threading
from types import TracebackType
from typing import Any, Callable, TypeVar

from bot.core.errors import BadMessage
from bot.core.records import Detection, Hint, Turn
from bot.store.records import (
    SCORE_DIMENSIONS,
    ActiveSessionExists,
    Closing,
    DrillSchedule,
    DuplicateTurn,
    ExportRow,
    InboxRow,
    PersonaTotals,
    ScoreRow,
    ScoreTotals,
    SessionNotActive,
    SessionRecord,
    StaleSession,
    StoreError,
    TeamTotals,
    check_outcome,
    drill_row,
    dumps,
    score_row,
    session_record,
)

__all__ = [
    "ActiveSessionExists",
    "Closing",
    "DrillSchedule",
    "ExportRow",
    "InboxRow",
    "PersonaTotals",
    "SCORE_DIMENSIONS",
    "ScoreRow",
    "ScoreTotals",
    "TeamTotals",
    "MIGRATIONS",
    "DuplicateTurn",
    "SessionNotActive",
    "SessionRecord",
    "StaleSession",
    "Store",
    "StoreError",
]

T = TypeVar("T")


_WHAT_TO_DO = "Pass --db PATH or set HOTSEAT_DB to a writable location."


# --------------------------------------------------------------------------- schema

SCHEMA_V1 = """
CREATE TABLE sessions (
    id          INTEGER PRIMARY KEY,
    workspace   TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    user        TEXT    NOT NULL,
    user_name   TEXT    NOT NULL,
    persona_id  TEXT    NOT NULL,
    seed        INTEGER NOT NULL,
    engine      TEXT    NOT NULL,                       -- JSON, opaque to the store
    status      TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    outcome     TEXT    CHECK (outcome IN ('resolved', 'escalated', 'customer_left', 'unfinished')),
    end_reason  TEXT,
    score       INTEGER,
    thread      TEXT,
    started_at  REAL    NOT NULL,                       -- unix seconds
    updated_at  REAL    NOT NULL,
    ended_at    REAL
);
-- One active session per user per channel, enforced by SQLite itself so two
-- racing "start" commands cannot both win. Also serves find_active.
CREATE UNIQUE INDEX sessions_one_active ON sessions (workspace, channel, user)
    WHERE status = 'active';
-- Only active rows, in id order: active_sessions reads it without a sort.
CREATE INDEX sessions_active ON sessions (id) WHERE status = 'active';
CREATE INDEX sessions_user ON sessions (workspace, user, started_at);        -- history, board
CREATE INDEX sessions_thread ON sessions (workspace, thread, started_at);    -- find_by_thread
CREATE INDEX sessions_persona ON sessions (workspace, persona_id, started_at);  -- persona board

CREATE TABLE turns (
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    trainee     TEXT    NOT NULL,
    detections  TEXT    NOT NULL,                       -- JSON [[label, start, end, text], ...]
    customer    TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    mood        INTEGER NOT NULL,
    hinted      INTEGER NOT NULL DEFAULT 0,  -- unused since hints are their own rows; kept for old files
    created_at  REAL    NOT NULL,
    PRIMARY KEY (session_id, idx)
);

CREATE TABLE hints (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    turn        INTEGER NOT NULL,
    text        TEXT    NOT NULL,
    created_at  REAL    NOT NULL
);
CREATE INDEX hints_session ON hints (session_id, id);

CREATE TABLE debriefs (
    session_id  INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,                       -- JSON
    created_at  REAL    NOT NULL
);
"""

# (version, script) in ascending order. Never edit a released step; append a new one.
# v2: which front end owns a session, so one process's idle sweep never ends (and fails to
# post) another platform's sessions when several share a database.
SCHEMA_V2 = """
ALTER TABLE sessions ADD COLUMN platform TEXT NOT NULL DEFAULT 'console';
"""

# v3: the platform's id of the message behind each turn, so a message delivered again
# (Slack's retries, a replay after a restart, a second process) is applied once.
SCHEMA_V3 = """
ALTER TABLE turns ADD COLUMN source TEXT;
CREATE UNIQUE INDEX turns_source ON turns (session_id, source) WHERE source IS NOT NULL;
"""

# v4: progress (issue 12). `session_scores` keeps each scored session's score and dimension
# scores in columns, written in the ending's own transaction, so stats, team views and
# leaderboards never parse debrief JSON; existing debriefs are backfilled here with
# json_extract (a debrief without dimensions leaves them NULL). `turns` is the number of
# replies, so "at least one reply" needs no look at the turns table. Opt-outs from the
# public leaderboard and drill-of-the-day schedules are per workspace.
SCHEMA_V4 = """
CREATE TABLE session_scores (
    session_id      INTEGER PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
    workspace       TEXT    NOT NULL,
    user            TEXT    NOT NULL,
    persona_id      TEXT    NOT NULL,
    started_at      REAL    NOT NULL,
    ended_at        REAL    NOT NULL,
    score           INTEGER NOT NULL,
    turns           INTEGER NOT NULL,
    empathy         INTEGER,
    listening       INTEGER,
    ownership       INTEGER,
    solution        INTEGER,
    professionalism INTEGER,
    closing         INTEGER
);
-- Only played sessions (a reply or more) are ever read through these: stats, team, boards.
-- Covering (score, persona_id, turns included: SQLite re-checks a partial index's WHERE),
-- so team and board aggregates over a whole workspace are index-only scans.
CREATE INDEX session_scores_user ON session_scores (workspace, user, ended_at, score, persona_id, turns) WHERE turns > 0;
CREATE INDEX session_scores_time ON session_scores (workspace, ended_at, user, score, persona_id, turns) WHERE turns > 0;
INSERT INTO session_scores (session_id, workspace, user, persona_id, started_at, ended_at, score, turns,
                            empathy, listening, ownership, solution, professionalism, closing)
SELECT s.id, s.workspace, s.user, s.persona_id, s.started_at, COALESCE(s.ended_at, s.updated_at), s.score,
       (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id),
       CASE WHEN json_valid(d.body) THEN json_extract(d.body, '$.dimensions.empathy') END,
       CASE WHEN json_valid(d.body) THEN json_extract(d.body, '$.dimensions.listening') END,
       CASE WHEN json_valid(d.body) THEN json_extract(d.body, '$.dimensions.ownership') END,
       CASE WHEN json_valid(d.body) THEN json_extract(d.body, '$.dimensions.solution') END,
       CASE WHEN json_valid(d.body) THEN json_extract(d.body, '$.dimensions.professionalism') END,
       CASE WHEN json_valid(d.body) THEN json_extract(d.body, '$.dimensions.closing') END
FROM sessions s LEFT JOIN debriefs d ON d.session_id = s.id
WHERE s.status = 'ended' AND s.score IS NOT NULL;
-- Exports page through a workspace's ended sessions by id.
CREATE INDEX sessions_export ON sessions (workspace, id) WHERE status = 'ended';

CREATE TABLE leaderboard_optouts (
    workspace   TEXT    NOT NULL,
    user        TEXT    NOT NULL,
    created_at  REAL    NOT NULL,
    PRIMARY KEY (workspace, user)
);

CREATE TABLE drills (
    workspace   TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    enabled     INTEGER NOT NULL,
    at_time     TEXT    NOT NULL,                       -- HH:MM, UTC
    set_by      TEXT    NOT NULL,
    updated_at  REAL    NOT NULL,
    last_run    TEXT,                                   -- YYYY-MM-DD (UTC) of the last post
    PRIMARY KEY (workspace, channel)
);
"""

# v5: the Slack inbox (issue 13). A trainee's message is stored here, in one small commit,
# before Slack gets its 200, and marked done once handled; rows left pending by a crash are
# handled on the next start. Unique per (workspace, channel, ts), so a retry is stored once.
SCHEMA_V5 = """
CREATE TABLE inbox (
    id          INTEGER PRIMARY KEY,
    workspace   TEXT    NOT NULL,
    channel     TEXT    NOT NULL,
    thread_ts   TEXT,                                   -- NULL: a top-level message in a DM
    ts          TEXT    NOT NULL,                       -- the message's id, and its turn's source
    user        TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    in_dm       INTEGER NOT NULL DEFAULT 0,
    received_at REAL    NOT NULL,                       -- unix seconds
    done        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (workspace, channel, ts)
);
CREATE INDEX inbox_pending ON inbox (workspace, id) WHERE done = 0;
CREATE INDEX inbox_done ON inbox (received_at) WHERE done = 1;
"""

# v6: running as several processes (issue 13).
# - `sessions.version` counts writes of the engine state; a write names the version it was
#   computed from, so a process holding an old copy fails (StaleSession) instead of
#   overwriting a turn another process applied, and reads the session again.
# - `slack_installations` and `oauth_states`: Slack OAuth distribution, one bot token per
#   workspace (bodies are slack_sdk's Bot / Installation as JSON; '' stands for "none" in the
#   key columns, so the primary key can hold them).
# - `leases`: jobs that must run in one process at a time (the idle sweep, drills) take a
#   named lease that expires, so a crashed holder is replaced without anyone's help.
SCHEMA_V6 = """
ALTER TABLE sessions ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

CREATE TABLE slack_installations (
    kind          TEXT    NOT NULL CHECK (kind IN ('bot', 'installation')),
    enterprise_id TEXT    NOT NULL DEFAULT '',
    team_id       TEXT    NOT NULL DEFAULT '',
    user_id       TEXT    NOT NULL DEFAULT '',              -- '' : the workspace's latest
    body          TEXT    NOT NULL,                         -- JSON
    installed_at  REAL    NOT NULL,
    PRIMARY KEY (kind, enterprise_id, team_id, user_id)
);

CREATE TABLE oauth_states (
    state       TEXT    PRIMARY KEY,
    expires_at  REAL    NOT NULL
);

CREATE TABLE leases (
    name        TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    expires_at  REAL    NOT NULL
);
"""

MIGRATIONS: list[tuple[int, str]] = [
    (1, SCHEMA_V1),
    (2, SCHEMA_V2),
    (3, SCHEMA_V3),
    (4, SCHEMA_V4),
    (5, SCHEMA_V5),
    (6, SCHEMA_V6),
]

_SESSION_COLUMNS = (
    "id, workspace, channel, user, user_name, persona_id, seed, engine, status, outcome,"
    " end_reason, score, started_at, updated_at, ended_at, thread, platform, version"
)


def _statements(script: str) -> list[str]:
    """Split a migration script so it can run inside our own transaction.

    ``executescript`` would COMMIT first, making a failed step impossible to roll back.
    """
    out: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if any(ln.strip() and not ln.strip().startswith("--") for ln in buf.splitlines()):
        raise ValueError(f"incomplete SQL statement in migration: {buf.strip()[:80]!r}")
    return out


def _transaction(conn: sqlite3.Connection, body: Callable[..., T], *args: Any) -> T:
    """Run ``body`` between BEGIN IMMEDIATE and COMMIT; any failure rolls back.

    IMMEDIATE takes the write lock up front, so a second process waits (busy_timeout)
    instead of failing half-way through the transaction.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = body(conn, *args)
        conn.execute("COMMIT")
        return result
    except BaseException:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass
        raise


def _require_active(conn: sqlite3.Connection, cur: sqlite3.Cursor, session_id: int) -> None:
    """After a guarded UPDATE of an active session: no row changed means it has ended (or
    never was), or, if it is still active, that the caller's copy was out of date."""
    if cur.rowcount == 1:
        return
    row = conn.execute("SELECT status FROM sessions WHERE id = ?", (session_id,)).fetchone()
    if row is not None and row[0] == "active":
        raise StaleSession(f"Session {session_id} was changed elsewhere since it was read.")
    raise SessionNotActive(f"Session {session_id} does not exist or has already ended.")


# The guard every write of a session's engine state uses: still active, and (when the
# caller says which version it computed from) not changed since; the version moves on.
_GUARD = " WHERE id = ? AND status = 'active' AND (? IS NULL OR version = ?)"


def _close(
    conn: sqlite3.Connection, session_id: int, outcome: str, end_reason: str, score: int,
    engine_json: str, debrief_json: str, now: float, version: int | None,
) -> None:
    """End an active session with its debrief, inside the caller's transaction."""
    cur = conn.execute(
        "UPDATE sessions SET status = 'ended', outcome = ?, end_reason = ?, score = ?,"
        " engine = ?, ended_at = ?, updated_at = ?, version = version + 1" + _GUARD,
        (outcome, end_reason, score, engine_json, now, now, session_id, version, version),
    )
    _require_active(conn, cur, session_id)
    conn.execute(
        "INSERT INTO debriefs (session_id, body, created_at) VALUES (?, ?, ?)",
        (session_id, debrief_json, now),
    )


def _keep_scores(conn: sqlite3.Connection, session_id: int, debrief: dict) -> None:
    """Copy an ending's score and dimension scores into `session_scores`, inside the ending's
    own transaction (after its last turn is saved, so `turns` counts it)."""
    dims = debrief.get("dimensions") if isinstance(debrief, dict) else None
    values = [dims.get(d) for d in SCORE_DIMENSIONS] if isinstance(dims, dict) else []
    if not all(isinstance(v, int) for v in values) or not values:
        values = [None] * len(SCORE_DIMENSIONS)  # all six or none, so readers never meet half a set
    conn.execute(
        "INSERT OR REPLACE INTO session_scores (session_id, workspace, user, persona_id, started_at, ended_at,"
        " score, turns, empathy, listening, ownership, solution, professionalism, closing)"
        " SELECT id, workspace, user, persona_id, started_at, ended_at, score,"
        " (SELECT COUNT(*) FROM turns WHERE session_id = ?), ?, ?, ?, ?, ?, ?"
        " FROM sessions WHERE id = ? AND score IS NOT NULL",
        (session_id, *values, session_id),
    )


# ----------------------------------------------------------------- opening a file


def _cannot_open(path: pathlib.Path, reason: str, what_to_do: str = _WHAT_TO_DO) -> StoreError:
    return StoreError(f"Cannot open the Hotseat database at {path}: {reason}. {what_to_do}")


def _prepare_location(path: pathlib.Path) -> None:
    """Fail early, with a useful message, on paths SQLite would reject cryptically."""
    if path.is_dir():
        raise _cannot_open(
            path,
            "that path is a folder, not a file",
            f"Point --db or HOTSEAT_DB at a file, e.g. {path / 'hotseat.sqlite3'}.",
        )
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), folder)
        raise _cannot_open(
            path, f"{blocker} is a file, so the folder {folder} cannot be created"
        ) from None
    except PermissionError:
        raise _cannot_open(path, f"no permission to create the folder {folder}") from None
    except OSError as e:
        raise _cannot_open(path, f"the folder {folder} cannot be created ({e.strerror})") from None


def _explain_open_error(path: pathlib.Path, error: sqlite3.Error) -> StoreError:
    """Turn SQLite's terse open-time errors into something a bot operator can act on."""
    name = getattr(error, "sqlite_errorname", "") or ""
    folder = path.parent
    if name.startswith("SQLITE_NOTADB") or "not a database" in str(error):
        return _cannot_open(
            path,
            "the file exists but is not a SQLite database",
            "Move that file aside, or pass --db PATH or set HOTSEAT_DB to another location.",
        )
    if name.startswith("SQLITE_CORRUPT"):
        return _cannot_open(
            path,
            f"the file is damaged ({error})",
            "Restore it from a backup, or pass --db PATH or set HOTSEAT_DB to a new location.",
        )
    if name.startswith("SQLITE_BUSY"):
        return _cannot_open(
            path,
            "another program has kept it locked for more than 5 seconds",
            "Stop the other Hotseat process using it, or pass --db PATH or set HOTSEAT_DB.",
        )
    if not os.access(folder, os.W_OK):
        return _cannot_open(path, f"the folder {folder} is read-only")
    if path.exists() and not os.access(path, os.W_OK):
        return _cannot_open(path, "the file is read-only")
    if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
        return _cannot_open(path, f"SQLite cannot write there ({error}); the folder may be read-only")
    return _cannot_open(path, f"SQLite reported: {error}")


def _setup(conn: sqlite3.Connection, path: pathlib.Path, migrations: list[tuple[int, str]]) -> None:
    # busy_timeout first, so switching to WAL waits for another process instead of failing.
    conn.execute("PRAGMA busy_timeout=5000")
    conn.execute("PRAGMA journal_mode=WAL").fetchone()
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")  # has no effect inside a transaction
    _migrate(conn, path, migrations)


def _migrate(conn: sqlite3.Connection, path: pathlib.Path, migrations: list[tuple[int, str]]) -> None:
    versions = [v for v, _ in migrations]
    if versions != sorted(set(versions)) or (versions and versions[0] < 1):
        raise ValueError(f"migration versions must be unique, ascending and >= 1: {versions}")
    latest = versions[-1] if versions else 0

    def body(conn: sqlite3.Connection) -> None:
        # Read the version under the write lock: two processes starting at once must
        # not both apply the same step.
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if current > latest:
            raise _cannot_open(
                path,
                f"it was written by a newer version of Hotseat (schema version {current}; "
                f"this version understands up to {latest})",
                "Upgrade Hotseat, or pass --db PATH or set HOTSEAT_DB to use another file.",
            )
        for version, script in migrations:
            if version > current:
                for statement in _statements(script):
                    conn.execute(statement)
        # Always write the version, even unchanged: a read-only file must fail here, at
        # open, not on the first turn of the first conversation.
        conn.execute(f"PRAGMA user_version = {int(latest)}")

    _transaction(conn, body)


# --------------------------------------------------------------------- the worker


class _Worker:
    """The one thread that owns a store's sqlite3 connection and runs its calls in order.

    A sqlite3 connection belongs to the thread that made it, and a transaction must run
    with no other caller's statement in between: one thread draining one FIFO queue, with
    a whole function as the unit, gives both at one thread hop per call.
    """

    def __init__(self, path: pathlib.Path) -> None:
        self._jobs: queue.SimpleQueue[tuple | None] = queue.SimpleQueue()
        self._conn: sqlite3.Connection | None = None
        # A daemon, so a store its owner never closed cannot keep the interpreter alive.
        self._thread = threading.Thread(target=self._serve, name=f"hotseat-store:{path.name}", daemon=True)
        self._thread.start()

    def call(self, fn: Callable[..., T], *args: Any) -> "asyncio.Future[T]":
        """Queue ``fn(connection, *args)``; the future settles on the caller's event loop."""
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._jobs.put((fn, args, loop, future))
        return future

    def open(self, path: pathlib.Path, migrations: list[tuple[int, str]]) -> "asyncio.Future[None]":
        return self.call(self._open, path, migrations)

    def stop(self, *, optimize: bool) -> "asyncio.Future[None]":
        """Close the connection once everything queued before has run, then end the thread.

        Both happen whether or not anyone awaits the result.
        """
        future = self.call(self._close, optimize)
        self._jobs.put(None)
        return future

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _open(self, _: None, path: pathlib.Path, migrations: list[tuple[int, str]]) -> None:
        # isolation_level=None: the sqlite3 module must not open transactions behind our
        # back; every transaction here is explicit.
        self._conn = sqlite3.connect(path, isolation_level=None)
        _setup(self._conn, path, migrations)

    def _close(self, conn: sqlite3.Connection | None, optimize: bool) -> None:
        self._conn = None
        if conn is None:
            return
        try:
            if optimize:  # SQLite recommends this just before closing a long-lived connection
                conn.execute("PRAGMA optimize")
        except sqlite3.Error:
            pass  # an optimisation hint only; closing matters more
        finally:
            conn.close()

    def _serve(self) -> None:
        # Results go back in batches while more calls wait in the queue: one wake-up of
        # the event loop per batch instead of one per call, which is most of a call's
        # cost under load (about +40% turns/s with 10 or 100 writers, bench/store.py).
        # With nothing queued, a result goes back at once, so a lone call waits no longer.
        ready: list[tuple[asyncio.Future, Any, BaseException | None]] = []
        ready_loop: asyncio.AbstractEventLoop | None = None
        while (job := self._jobs.get()) is not None:
            fn, args, loop, future = job
            if ready and loop is not ready_loop:
                _deliver(ready_loop, ready)
                ready = []
            ready_loop = loop
            try:
                ready.append((future, fn(self._conn, *args), None))
            except StopIteration:  # a future refuses it; never leave a caller hanging
                ready.append((future, None, RuntimeError(f"{fn!r} raised StopIteration")))
            except BaseException as e:  # handed to the awaiting coroutine, raised there
                ready.append((future, None, e))
            if len(ready) >= _BATCH or self._jobs.empty():
                _deliver(loop, ready)
                ready = []
            del job, fn, args, loop, future  # hold nothing while waiting for more
        if ready:
            _deliver(ready_loop, ready)


_BATCH = 16  # at most this many results wait for a batch: ~1 ms of calls


def _deliver(loop: asyncio.AbstractEventLoop | None, ready: list) -> None:
    """Hand results to their event loop; a loop already closed gets none, and no traceback."""
    try:
        loop.call_soon_threadsafe(_settle, ready)
    except RuntimeError:
        pass  # that event loop is closed: nobody is left to tell


def _settle(ready: list[tuple[asyncio.Future, Any, BaseException | None]]) -> None:
    for future, result, error in ready:
        if future.done():
            continue  # its awaiting task was cancelled; the call ran regardless
        if error is None:
            future.set_result(result)
        else:
            future.set_exception(error)


# ---------------------------------------------------------------------- the store


class Store:
    """Async persistence for Hotseat. Create with ``await Store.open(path)``."""

    path: pathlib.Path

    def __init__(self, path: pathlib.Path, worker: _Worker) -> None:
        self.path = path
        self._worker: _Worker | None = worker

    # -- lifecycle ------------------------------------------------------------------

    @classmethod
    async def open(cls, path: str | os.PathLike) -> "Store":
        """Open (creating if needed) and migrate the database file at ``path``.

        Raises StoreError with an operator-facing message if the file cannot be used.
        """
        p = pathlib.Path(os.fspath(path)).expanduser().absolute()
        _prepare_location(p)
        worker = _Worker(p)
        try:
            await worker.open(p, MIGRATIONS)
        except BaseException as e:
            # Wait for the half-opened connection to close, so the file is free and no
            # thread outlives a command that reports the error and exits.
            with contextlib.suppress(sqlite3.Error):
                await worker.stop(optimize=False)
            worker.join(timeout=5)
            if isinstance(e, sqlite3.Error):
                raise _explain_open_error(p, e) from e
            raise
        return cls(p, worker)

    async def close(self) -> None:
        """Close the connection; safe to call more than once. Queued writes finish first."""
        worker, self._worker = self._worker, None
        if worker is None:
            return
        await worker.stop(optimize=True)
        worker.join(timeout=5)  # it has only to see the stop signal: microseconds

    async def __aenter__(self) -> "Store":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(sqlite3_connection, *args)`` as one unit; SQLite errors become StoreError.

        A call that is already queued runs to the end (commit or rollback) even if the
        awaiting task is cancelled, so a cancelled write may still have been saved.
        """
        worker = self._worker
        if worker is None:
            raise StoreError(f"The Hotseat database at {self.path} is already closed.")
        try:
            return await _on_thread(worker, fn, *args)
        except StoreError:
            raise
        except (OverflowError, UnicodeEncodeError) as e:
            # A value that cannot be stored (half an emoji, a number past 64 bits) is the
            # input's fault, not the database's: say so, and never "cannot reach its database".
            raise BadMessage(
                "That could not be saved: it holds broken characters or a number too large to keep. "
                "Please send it again in plain text."
            ) from e
        except sqlite3.Error as e:
            raise StoreError(f"Could not use the Hotseat database at {self.path}: {e}.") from e

    # -- sessions -------------------------------------------------------------------

    async def create_session(
        self,
        *,
        workspace: str,
        channel: str,
        user: str,
        user_name: str,
        persona_id: str,
        seed: int,
        engine: dict,
        now: float,
        thread: str | None = None,
        platform: str = "console",
    ) -> SessionRecord:
        """Start a session; ActiveSessionExists if the user already has one in this channel."""
        engine_json = dumps(engine)

        def insert(conn: sqlite3.Connection) -> int:
            try:
                cur = conn.execute(
                    "INSERT INTO sessions (workspace, channel, user, user_name, persona_id,"
                    " seed, engine, status, thread, started_at, updated_at, platform)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?)",
                    (workspace, channel, user, user_name, persona_id, seed, engine_json,
                     thread, now, now, platform),
                )
            except sqlite3.IntegrityError as e:
                if e.sqlite_errorname == "SQLITE_CONSTRAINT_UNIQUE":
                    raise ActiveSessionExists(
                        "You already have a practice session running in this channel. "
                        "Finish or end it before starting a new one."
                    ) from None
                raise
            return cur.lastrowid

        session_id = await self._run(insert)  # one statement: atomic without BEGIN
        return SessionRecord(
            id=session_id, workspace=workspace, channel=channel, user=user,
            user_name=user_name, persona_id=persona_id, seed=seed,
            engine=json.loads(engine_json), status="active", outcome=None, end_reason=None,
            score=None, started_at=now, updated_at=now, ended_at=None, thread=thread, platform=platform,
        )

    async def set_thread(self, session_id: int, thread: str) -> None:
        def update(conn: sqlite3.Connection) -> None:
            cur = conn.execute("UPDATE sessions SET thread = ? WHERE id = ?", (thread, session_id))
            if cur.rowcount != 1:
                raise StoreError(f"Session {session_id} does not exist.")

        await self._run(update)

    async def discard_session(self, session_id: int) -> bool:
        """Delete an active session nobody has played yet (its opening never reached the trainee).

        Returns False, changing nothing, once it has a turn or a hint or has ended: played
        sessions are history and stay.
        """

        def delete(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "DELETE FROM sessions WHERE id = ? AND status = 'active'"
                " AND NOT EXISTS (SELECT 1 FROM turns WHERE session_id = ?)"
                " AND NOT EXISTS (SELECT 1 FROM hints WHERE session_id = ?)",
                (session_id, session_id, session_id),
            )
            return cur.rowcount == 1

        return await self._run(delete)

    async def get_session(self, session_id: int) -> SessionRecord | None:
        return await self._run(
            _fetch_one_session, f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE id = ?", (session_id,)
        )

    async def find_active(self, workspace: str, channel: str, user: str) -> SessionRecord | None:
        return await self._run(
            _fetch_one_session,
            f"SELECT {_SESSION_COLUMNS} FROM sessions"
            " WHERE workspace = ? AND channel = ? AND user = ? AND status = 'active'",
            (workspace, channel, user),
        )

    async def latest_session(self, workspace: str, channel: str, user: str) -> SessionRecord | None:
        """The user's newest session in this channel, active or ended: a message that arrives
        just after its session ended is answered with that session's debrief."""
        return await self._run(
            _fetch_one_session,
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE workspace = ? AND user = ? AND channel = ?"
            " ORDER BY started_at DESC, id DESC LIMIT 1",
            (workspace, user, channel),
        )

    async def find_by_thread(self, workspace: str, thread: str) -> SessionRecord | None:
        """The latest session (active or ended) living in ``thread``."""
        return await self._run(
            _fetch_one_session,
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE workspace = ? AND thread = ?"
            " ORDER BY started_at DESC, id DESC LIMIT 1",
            (workspace, thread),
        )

    async def active_sessions(self, platform: str | None = None) -> list[SessionRecord]:
        """Every active session (of one platform), oldest first: for idle sweeps."""
        where, args = ("status = 'active'", ()) if platform is None else ("status = 'active' AND platform = ?", (platform,))
        return await self._run(_fetch_sessions, f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE {where} ORDER BY id", args)

    async def last_source(self, session_id: int) -> str | None:
        """The platform message id of the session's latest turn that has one: where a
        catch-up after downtime starts reading the thread (None: no turn came from chat)."""

        def fetch(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                "SELECT source FROM turns WHERE session_id = ? AND source IS NOT NULL ORDER BY idx DESC LIMIT 1",
                (session_id,),
            ).fetchone()
            return None if row is None else row[0]

        return await self._run(fetch)

    async def close_unplayable(self, session_id: int, now: float) -> None:
        """End, unscored, a session that can no longer be played (its persona or state is gone),
        so its trainee can start again; it stays in history, never on a leaderboard."""

        def update(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE sessions SET status = 'ended', outcome = 'unfinished', end_reason = 'persona_missing',"
                " ended_at = ?, updated_at = ? WHERE id = ? AND status = 'active'",
                (now, now, session_id),
            )

        await self._run(update)

    async def history(self, workspace: str, user: str, limit: int = 20) -> list[SessionRecord]:
        """The user's sessions in this workspace, newest first, active and ended."""
        return await self._run(
            _fetch_sessions,
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE workspace = ? AND user = ?"
            " ORDER BY started_at DESC, id DESC LIMIT ?",
            (workspace, user, limit),
        )

    # -- writes during play -----------------------------------------------------------

    async def record_turn(
        self, session_id: int, turn: Turn, engine: dict, now: float, source: str | None = None,
        *, closing: Closing | None = None, version: int | None = None,
    ) -> None:
        """Save one played turn and the engine state after it, in ONE transaction.

        With `closing`, the turn is the conversation's last and the session ends in that
        same transaction, with its score and debrief: either both are saved or neither is.

        A duplicate turn index, or a session that is missing or ended, raises StoreError;
        a `source` (the platform's message id) already saved raises DuplicateTurn; with
        `version` (the session's version the step was computed from), a session written
        since raises StaleSession. Each way nothing changes.
        """
        if closing is not None:
            check_outcome(closing.outcome)
        debrief_json = None if closing is None else dumps(closing.debrief)
        engine_json = dumps(engine)
        detections = dumps([[d.label, d.start, d.end, d.text] for d in turn.detections])
        row = (session_id, turn.index, turn.trainee, detections, turn.customer, turn.state,
               turn.mood, now, source)

        def body(conn: sqlite3.Connection) -> None:
            if source is not None and _has_source(conn, session_id, source):
                raise DuplicateTurn(f"Message {source} is already a turn of session {session_id}.")
            if closing is None:
                cur = conn.execute(
                    "UPDATE sessions SET engine = ?, updated_at = ?, version = version + 1" + _GUARD,
                    (engine_json, now, session_id, version, version),
                )
                _require_active(conn, cur, session_id)
            else:  # the same row update, ending the session, and its debrief
                _close(conn, session_id, closing.outcome, closing.end_reason, closing.score, engine_json,
                       debrief_json, now, version)
            try:
                conn.execute(
                    "INSERT INTO turns (session_id, idx, trainee, detections, customer, state,"
                    " mood, created_at, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    row,
                )
            except sqlite3.IntegrityError as e:
                if e.sqlite_errorname in ("SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_UNIQUE"):
                    raise StoreError(
                        f"Turn {turn.index} of session {session_id} is already saved; nothing was changed."
                    ) from None
                raise
            if closing is not None:
                _keep_scores(conn, session_id, closing.debrief)

        await self._run(_transaction, body)

    async def record_hint(
        self, session_id: int, hint: Hint, engine: dict, now: float, *, version: int | None = None,
    ) -> None:
        """Save a hint shown to the trainee and the engine state after it, in one transaction
        (StaleSession, as for `record_turn`, if `version` is out of date)."""
        engine_json = dumps(engine)

        def body(conn: sqlite3.Connection) -> None:
            cur = conn.execute(
                "UPDATE sessions SET engine = ?, updated_at = ?, version = version + 1" + _GUARD,
                (engine_json, now, session_id, version, version),
            )
            _require_active(conn, cur, session_id)
            conn.execute(
                "INSERT INTO hints (session_id, turn, text, created_at) VALUES (?, ?, ?, ?)",
                (session_id, hint.turn, hint.text, now),
            )

        await self._run(_transaction, body)

    async def finish_session(
        self,
        session_id: int,
        *,
        outcome: str,
        end_reason: str,
        engine: dict,
        debrief: dict,
        score: int,
        now: float,
        version: int | None = None,
    ) -> None:
        """End an active session with its score and debrief, in one transaction.

        SessionNotActive if it is missing or already ended, so a timeout sweep racing a
        user's "end" cannot score a session twice; StaleSession if `version` is out of date.
        """
        check_outcome(outcome)
        engine_json = dumps(engine)
        debrief_json = dumps(debrief)

        def body(conn: sqlite3.Connection) -> None:
            _close(conn, session_id, outcome, end_reason, score, engine_json, debrief_json, now, version)
            _keep_scores(conn, session_id, debrief)

        await self._run(_transaction, body)

    # -- reading a session back -----------------------------------------------------------

    async def turns(self, session_id: int) -> list[Turn]:
        """The session's turns in order, with Detections rebuilt."""

        def fetch(conn: sqlite3.Connection) -> list[Turn]:
            rows = conn.execute(
                "SELECT idx, trainee, detections, customer, state, mood FROM turns"
                " WHERE session_id = ? ORDER BY idx",
                (session_id,),
            ).fetchall()
            return [
                Turn(
                    index=r[0],
                    trainee=r[1],
                    detections=tuple(Detection(*d) for d in json.loads(r[2])),
                    customer=r[3],
                    state=r[4],
                    mood=r[5],
                )
                for r in rows
            ]

        return await self._run(fetch)

    async def hints(self, session_id: int) -> list[Hint]:
        def fetch(conn: sqlite3.Connection) -> list[Hint]:
            rows = conn.execute(
                "SELECT turn, text FROM hints WHERE session_id = ? ORDER BY id", (session_id,)
            ).fetchall()
            return [Hint(turn=r[0], text=r[1]) for r in rows]

        return await self._run(fetch)

    async def debrief(self, session_id: int) -> dict | None:
        def fetch(conn: sqlite3.Connection) -> dict | None:
            row = conn.execute(
                "SELECT body FROM debriefs WHERE session_id = ?", (session_id,)
            ).fetchone()
            return None if row is None else json.loads(row[0])

        return await self._run(fetch)

    # -- progress: stats, team, fair boards (issue 12) -------------------------------------
    # All read `session_scores` (scores copied out at each ending), never debrief JSON, and
    # count only sessions with at least one reply.

    async def scores(self, workspace: str, user: str, *, limit: int = 200) -> list[ScoreRow]:
        """The trainee's latest `limit` played sessions, oldest first."""
        sql = (
            f"SELECT session_id, persona_id, started_at, ended_at, score, {_DIM_COLUMNS} FROM session_scores"
            " WHERE workspace = ? AND user = ? AND turns > 0 ORDER BY ended_at DESC, session_id DESC LIMIT ?"
        )

        def fetch(conn: sqlite3.Connection) -> list[ScoreRow]:
            return [score_row(r) for r in reversed(conn.execute(sql, (workspace, user, limit)).fetchall())]

        return await self._run(fetch)

    async def score_totals(self, workspace: str, user: str, *, since: float) -> ScoreTotals:
        """Counts, means and the best of the trainee's played sessions (best: highest score,
        the latest of equals)."""
        avgs = ", ".join(f"AVG({d})" for d in SCORE_DIMENSIONS)

        def fetch(conn: sqlite3.Connection) -> ScoreTotals:
            conn.execute("BEGIN")  # one snapshot for both reads
            try:
                n, recent, average, *dims = conn.execute(
                    f"SELECT COUNT(*), COALESCE(SUM(ended_at >= ?), 0), AVG(score), {avgs} FROM session_scores"
                    " WHERE workspace = ? AND user = ? AND turns > 0",
                    (since, workspace, user),
                ).fetchone()
                best = conn.execute(
                    f"SELECT session_id, persona_id, started_at, ended_at, score, {_DIM_COLUMNS} FROM session_scores"
                    " WHERE workspace = ? AND user = ? AND turns > 0"
                    " ORDER BY score DESC, ended_at DESC, session_id DESC LIMIT 1",
                    (workspace, user),
                ).fetchone()
            finally:
                conn.execute("COMMIT")
            return ScoreTotals(
                sessions=n, recent=recent, average=average,
                dimensions={d: v for d, v in zip(SCORE_DIMENSIONS, dims) if v is not None},
                best=None if best is None else score_row(best),
            )

        return await self._run(fetch)

    async def team_totals(self, workspace: str, *, since: float, window: int = 10) -> list[TeamTotals]:
        """Every trainee with a played session in the workspace, by user id.

        One index-only pass for the counts, then each trainee's last `window` sessions by
        index: nothing reads the dimension columns of every session.
        """

        def fetch(conn: sqlite3.Connection) -> list[TeamTotals]:
            conn.execute("BEGIN")
            try:
                rows = conn.execute(
                    "SELECT user, COUNT(*), SUM(ended_at >= ?), AVG(score), MAX(ended_at) FROM session_scores"
                    " WHERE workspace = ? AND turns > 0 GROUP BY user ORDER BY user",
                    (since, workspace),
                ).fetchall()
                out = []
                for user, n, recent, average, last in rows:
                    latest = conn.execute(
                        f"SELECT session_id, persona_id, started_at, ended_at, score, {_DIM_COLUMNS}"
                        " FROM session_scores WHERE workspace = ? AND user = ? AND turns > 0"
                        " ORDER BY ended_at DESC, session_id DESC LIMIT ?",
                        (workspace, user, window),
                    ).fetchall()
                    out.append(TeamTotals(
                        user, _latest_name(conn, workspace, user), n, recent, average, last,
                        tuple(score_row(r) for r in reversed(latest)),
                    ))
                return out
            finally:
                conn.execute("COMMIT")

        return await self._run(fetch)

    async def persona_totals(
        self, workspace: str, *, since: float | None = None, persona_id: str | None = None,
    ) -> tuple[list[PersonaTotals], dict[str, str]]:
        """Per trainee and persona: sessions, score sum and best, for sessions ended since
        `since`; with each trainee's latest display name."""
        where, args = ["workspace = ?", "turns > 0"], [workspace]
        if since is not None:
            where.append("ended_at >= ?")
            args.append(since)
        if persona_id is not None:
            where.append("persona_id = ?")
            args.append(persona_id)
        sql = (
            "SELECT user, persona_id, COUNT(*), SUM(score), MAX(score) FROM session_scores"
            f" WHERE {' AND '.join(where)} GROUP BY user, persona_id ORDER BY user, persona_id"
        )

        def fetch(conn: sqlite3.Connection) -> tuple[list[PersonaTotals], dict[str, str]]:
            rows = [PersonaTotals(*r) for r in conn.execute(sql, args).fetchall()]
            return rows, {u: _latest_name(conn, workspace, u) for u in dict.fromkeys(r.user for r in rows)}

        return await self._run(fetch)

    async def practice_days(self, workspace: str, *, since: float | None) -> list[tuple[str, str, int, list[int]]]:
        """Per trainee who ever played here: (user, name, sessions ended since `since` (None:
        ever), the UTC days (unix seconds // 86400) with a played session, newest first)."""

        def fetch(conn: sqlite3.Connection) -> list[tuple[str, str, int, list[int]]]:
            counts = dict(conn.execute(
                "SELECT user, COUNT(*) FROM session_scores WHERE workspace = ? AND turns > 0 AND ended_at >= ?"
                " GROUP BY user", (workspace, -1e300 if since is None else since),
            ).fetchall())
            days: dict[str, list[int]] = {}
            for user, day in conn.execute(
                "SELECT DISTINCT user, CAST(ended_at / 86400 AS INTEGER) AS day FROM session_scores"
                " WHERE workspace = ? AND turns > 0 ORDER BY user, day DESC", (workspace,),
            ):
                days.setdefault(user, []).append(day)
            return [(u, _latest_name(conn, workspace, u), counts.get(u, 0), d) for u, d in days.items()]

        return await self._run(fetch)

    # -- leaderboard opt-outs --------------------------------------------------------------

    async def set_leaderboard_optout(self, workspace: str, user: str, opted_out: bool, now: float) -> bool:
        """Hide (or show again) a trainee on the workspace's public leaderboards; True if it changed."""

        def write(conn: sqlite3.Connection) -> bool:
            if opted_out:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO leaderboard_optouts (workspace, user, created_at) VALUES (?, ?, ?)",
                    (workspace, user, now),
                )
            else:
                cur = conn.execute("DELETE FROM leaderboard_optouts WHERE workspace = ? AND user = ?", (workspace, user))
            return cur.rowcount == 1

        return await self._run(write)

    async def leaderboard_optouts(self, workspace: str) -> frozenset[str]:
        def fetch(conn: sqlite3.Connection) -> frozenset[str]:
            rows = conn.execute("SELECT user FROM leaderboard_optouts WHERE workspace = ?", (workspace,))
            return frozenset(r[0] for r in rows)

        return await self._run(fetch)

    # -- drill of the day ------------------------------------------------------------------

    async def set_drill(
        self, workspace: str, channel: str, *, enabled: bool, time: str, set_by: str, now: float,
    ) -> DrillSchedule:
        """Create or change a channel's drill; the day it last ran is kept, so re-saving a
        schedule after today's post never posts today again."""

        def write(conn: sqlite3.Connection) -> DrillSchedule:
            conn.execute(
                "INSERT INTO drills (workspace, channel, enabled, at_time, set_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (workspace, channel) DO UPDATE SET enabled = excluded.enabled,"
                " at_time = excluded.at_time, set_by = excluded.set_by, updated_at = excluded.updated_at",
                (workspace, channel, int(enabled), time, set_by, now),
            )
            return _drill(conn, workspace, channel)  # type: ignore[return-value]

        return await self._run(_transaction, write)

    async def drill(self, workspace: str, channel: str) -> DrillSchedule | None:
        return await self._run(_drill, workspace, channel)

    async def drills(self, workspace: str) -> list[DrillSchedule]:
        def fetch(conn: sqlite3.Connection) -> list[DrillSchedule]:
            rows = conn.execute(f"SELECT {_DRILL_COLUMNS} FROM drills WHERE workspace = ? ORDER BY channel", (workspace,))
            return [drill_row(r) for r in rows]

        return await self._run(fetch)

    async def claim_drill(self, workspace: str, channel: str, day: str) -> bool:
        """Mark `day` (YYYY-MM-DD) as run for the channel; True only for the first caller.

        One conditional UPDATE under the write lock (BEGIN IMMEDIATE): a second process on
        the same file, or this one after a restart, finds the day already taken.
        """

        def write(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE drills SET last_run = ? WHERE workspace = ? AND channel = ? AND enabled = 1"
                " AND (last_run IS NULL OR last_run < ?)",
                (day, workspace, channel, day),
            )
            return cur.rowcount == 1

        return await self._run(_transaction, write)

    async def due_drills(self, day: str, time: str) -> list[DrillSchedule]:
        """Enabled drills, in every workspace, whose time of `day` has come (`time` is the
        current HH:MM) and which have not run that day."""

        def fetch(conn: sqlite3.Connection) -> list[DrillSchedule]:
            rows = conn.execute(
                f"SELECT {_DRILL_COLUMNS} FROM drills WHERE enabled = 1 AND at_time <= ?"
                " AND (last_run IS NULL OR last_run < ?) ORDER BY at_time, workspace, channel",
                (time, day),
            )
            return [drill_row(r) for r in rows]

        return await self._run(fetch)

    # -- inbox -------------------------------------------------------------------------------

    async def inbox_put(self, row: InboxRow) -> bool:
        """Keep an arrived message until it is handled (one small commit); True if it is new,
        False if the same message (workspace, channel, ts) was stored before, done or not."""

        def write(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "INSERT OR IGNORE INTO inbox (workspace, channel, thread_ts, ts, user, text, in_dm, received_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (row.workspace, row.channel, row.thread_ts, row.ts, row.user, row.text, int(row.in_dm),
                 row.received_at),
            )
            return cur.rowcount == 1

        return await self._run(write)

    async def inbox_done(self, workspace: str, channel: str, ts: str) -> None:
        """Mark a stored message handled, so no later start handles it again."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE inbox SET done = 1 WHERE workspace = ? AND channel = ? AND ts = ?",
                         (workspace, channel, ts))

        await self._run(write)

    async def inbox_pending(self, workspace: str | None = None) -> list[InboxRow]:
        """The workspace's (None: every workspace's) messages stored but not yet handled, in
        the order they were sent (by ts, so each thread's lines come in order)."""
        where, args = ("done = 0", ()) if workspace is None else ("workspace = ? AND done = 0", (workspace,))

        def fetch(conn: sqlite3.Connection) -> list[InboxRow]:
            rows = conn.execute(
                f"SELECT {_INBOX_COLUMNS} FROM inbox WHERE {where} ORDER BY CAST(ts AS REAL), ts, id", args,
            )
            return [_inbox_row(r) for r in rows]

        return await self._run(fetch)

    async def inbox_earlier(self, row: InboxRow) -> list[InboxRow]:
        """Messages of `row`'s conversation (same channel and thread) stored before it and still
        pending, in the order they were sent: with several workers, the one that stored them
        may have died or not got to them yet, and they must be applied before `row`."""

        def fetch(conn: sqlite3.Connection) -> list[InboxRow]:
            rows = conn.execute(
                f"SELECT {_INBOX_COLUMNS} FROM inbox WHERE workspace = ? AND done = 0 AND channel = ?"
                " AND thread_ts IS ? AND CAST(ts AS REAL) < CAST(? AS REAL) ORDER BY CAST(ts AS REAL), ts, id",
                (row.workspace, row.channel, row.thread_ts, row.ts),
            )
            return [_inbox_row(r) for r in rows]

        return await self._run(fetch)

    async def inbox_prune(self, before: float) -> int:
        """Delete handled messages received before `before` (unix seconds); how many went.
        Pending ones stay whatever their age: they have not been handled yet."""

        def write(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM inbox WHERE done = 1 AND received_at < ?", (before,)).rowcount

        return await self._run(write)

    # -- Slack OAuth: installations and states ------------------------------------------------

    async def installation_put(
        self, kind: str, enterprise_id: str, team_id: str, user_id: str, body: dict, now: float,
    ) -> None:
        """Keep a Slack bot or installation (`kind`), replacing the one under the same key.
        '' in a key column means none (no enterprise; user '' is the workspace's latest)."""

        def write(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO slack_installations (kind, enterprise_id, team_id, user_id, body, installed_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, enterprise_id, team_id, user_id)"
                " DO UPDATE SET body = excluded.body, installed_at = excluded.installed_at",
                (kind, enterprise_id, team_id, user_id, dumps(body), now),
            )

        await self._run(write)

    async def installation_get(self, kind: str, enterprise_id: str, team_id: str, user_id: str = "") -> dict | None:
        def fetch(conn: sqlite3.Connection) -> dict | None:
            row = conn.execute(
                "SELECT body FROM slack_installations WHERE kind = ? AND enterprise_id = ? AND team_id = ?"
                " AND user_id = ?",
                (kind, enterprise_id, team_id, user_id),
            ).fetchone()
            return None if row is None else json.loads(row[0])

        return await self._run(fetch)

    async def installation_delete(self, enterprise_id: str, team_id: str, user_id: str | None = None) -> int:
        """Forget a workspace's bot and installations (`user_id` None), or one user's
        installation; how many rows went."""

        def write(conn: sqlite3.Connection) -> int:
            if user_id is None:
                return conn.execute(
                    "DELETE FROM slack_installations WHERE enterprise_id = ? AND team_id = ?", (enterprise_id, team_id)
                ).rowcount
            return conn.execute(
                "DELETE FROM slack_installations WHERE kind = 'installation' AND enterprise_id = ? AND team_id = ?"
                " AND user_id = ?",
                (enterprise_id, team_id, user_id),
            ).rowcount

        return await self._run(write)

    async def oauth_state_put(self, state: str, expires_at: float) -> None:
        def write(conn: sqlite3.Connection) -> None:
            conn.execute("INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)", (state, expires_at))

        await self._run(write)

    async def oauth_state_take(self, state: str, now: float) -> bool:
        """Use up an OAuth state: True once, for a state issued here and not expired; expired
        states are cleared on the way."""

        def write(conn: sqlite3.Connection) -> bool:
            taken = conn.execute(
                "DELETE FROM oauth_states WHERE state = ? AND expires_at > ?", (state, now)
            ).rowcount == 1
            conn.execute("DELETE FROM oauth_states WHERE expires_at <= ?", (now,))
            return taken

        return await self._run(_transaction, write)

    # -- leases: one process at a time -------------------------------------------------------

    async def claim_lease(self, name: str, holder: str, now: float, ttl: float) -> bool:
        """Hold the lease `name` until now + ttl if it is free, expired or already ours; True if
        `holder` holds it now. Renew it well before ttl runs out to keep it."""

        def write(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
                " WHERE leases.holder = excluded.holder OR leases.expires_at <= ?",
                (name, holder, now + ttl, now),
            )
            return cur.rowcount == 1

        return await self._run(write)

    # -- export ------------------------------------------------------------------------------

    async def export_page(
        self,
        workspace: str,
        *,
        after: int = 0,
        limit: int = 500,
        since: float | None = None,
        until: float | None = None,
        user: str | None = None,
        with_turns: bool = False,
    ) -> list[ExportRow]:
        """Up to `limit` ended sessions with id above `after`, in id (start) order; `since`
        and `until` bound the end time (since <= ended_at < until). Page with the last id."""
        where, args = ["s.workspace = ?", "s.status = 'ended'", "s.id > ?"], [workspace, after]
        for cond, value in (("s.ended_at >= ?", since), ("s.ended_at < ?", until), ("s.user = ?", user)):
            if value is not None:
                where.append(cond)
                args.append(value)
        sql = (
            "SELECT s.id, s.workspace, s.channel, s.platform, s.user, s.user_name, s.persona_id, s.started_at,"
            " s.ended_at, s.outcome, s.end_reason, s.score,"
            " COALESCE(sc.turns, (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id)),"
            " (SELECT COUNT(*) FROM hints h WHERE h.session_id = s.id),"
            f" {', '.join('sc.' + d for d in SCORE_DIMENSIONS)}"
            " FROM sessions s LEFT JOIN session_scores sc ON sc.session_id = s.id"
            f" WHERE {' AND '.join(where)} ORDER BY s.id LIMIT ?"
        )
        args.append(limit)

        def fetch(conn: sqlite3.Connection) -> list[ExportRow]:
            conn.execute("BEGIN")
            try:
                rows = conn.execute(sql, args).fetchall()
                turns: dict[int, list[Turn]] = {}
                if with_turns and rows:
                    ids = [r[0] for r in rows]
                    for sid, idx, trainee, detections, customer, state, mood in conn.execute(
                        "SELECT session_id, idx, trainee, detections, customer, state, mood FROM turns"
                        f" WHERE session_id IN ({','.join('?' * len(ids))}) ORDER BY session_id, idx",
                        ids,
                    ):
                        dets = tuple(Detection(*d) for d in json.loads(detections))
                        turns.setdefault(sid, []).append(Turn(idx, trainee, dets, customer, state, mood))
            finally:
                conn.execute("COMMIT")
            return [
                ExportRow(
                    *r[:14], dimensions=dict(zip(SCORE_DIMENSIONS, r[14:])),
                    transcript=tuple(turns.get(r[0], ())) if with_turns else None,
                )
                for r in rows
            ]

        return await self._run(fetch)


# ----------------------------------------------------------- helpers run on the thread


def _has_source(conn: sqlite3.Connection, session_id: int, source: str) -> bool:
    row = conn.execute("SELECT 1 FROM turns WHERE session_id = ? AND source = ?", (session_id, source)).fetchone()
    return row is not None


async def _on_thread(worker: _Worker, fn: Callable[..., T], *args: Any) -> T:
    """Call ``fn(sqlite3_connection, *args)`` on the store's thread, uninterrupted.

    Every call after open goes through here, so one place sees them all (the crash tests
    kill the process at a chosen call).
    """
    return await worker.call(fn, *args)


def _fetch_one_session(conn: sqlite3.Connection, sql: str, params: tuple) -> SessionRecord | None:
    row = conn.execute(sql, params).fetchone()
    return None if row is None else session_record(row)


def _fetch_sessions(conn: sqlite3.Connection, sql: str, params: tuple) -> list[SessionRecord]:
    return [session_record(r) for r in conn.execute(sql, params).fetchall()]


_DIM_COLUMNS = ", ".join(SCORE_DIMENSIONS)
_DRILL_COLUMNS = "workspace, channel, enabled, at_time, set_by, updated_at, last_run"


def _latest_name(conn: sqlite3.Connection, workspace: str, user: str) -> str:
    """The display name of the user's latest session here (sessions_user index)."""
    row = conn.execute(
        "SELECT user_name FROM sessions WHERE workspace = ? AND user = ? ORDER BY started_at DESC, id DESC LIMIT 1",
        (workspace, user),
    ).fetchone()
    return row[0] if row else user


_INBOX_COLUMNS = "workspace, channel, thread_ts, ts, user, text, in_dm, received_at"


def _inbox_row(r: tuple) -> InboxRow:
    return InboxRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[7])


def _drill(conn: sqlite3.Connection, workspace: str, channel: str) -> DrillSchedule | None:
    row = conn.execute(
        f"SELECT {_DRILL_COLUMNS} FROM drills WHERE workspace = ? AND channel = ?", (workspace, channel)
    ).fetchone()
    return None if row is None else drill_row(row)
