"""Copying a whole Hotseat database from one store to another (SQLite <-> PostgreSQL), and
migrating a database without starting the bot.

``copy_database`` moves every table's rows in batches, keeping ids, into a target that
holds no data yet, in ONE transaction on the target: a failed copy leaves it empty, so it
can simply be run again. A PostgreSQL side is read and written through ``PostgresStore``
(one snapshot to read, COPY to write, then the id sequences continue after the highest
copied id); a SQLite side through a plain ``sqlite3`` connection of its own on the file
(read-only for a source), so the SQLite store needs no copying methods.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from typing import TYPE_CHECKING, Any, AsyncIterator, Callable

from bot.store.records import StoreError
from bot.store.sqlite import Store

if TYPE_CHECKING:
    from bot.store.postgres import PostgresStore

__all__ = ["BATCH", "TABLES", "copy_database", "migrate"]

BATCH = 1000  # rows per batch: memory stays small whatever the database's size

# Every table, a parent before its children (foreign keys), and the key each is read in.
TABLES: dict[str, str] = {
    "sessions": "id",
    "turns": "session_id, idx",
    "hints": "id",
    "debriefs": "session_id",
    "session_scores": "session_id",
    "leaderboard_optouts": 'workspace, "user"',
    "drills": "workspace, channel",
    "inbox": "id",
    "slack_installations": "kind, enterprise_id, team_id, user_id",
    "oauth_states": "state",
    "leases": "name",
}
# Flags: 0/1 INTEGER in SQLite, BOOLEAN in PostgreSQL.
_FLAGS = {("turns", "hinted"), ("drills", "enabled"), ("inbox", "in_dm"), ("inbox", "done")}

Batches = AsyncIterator[tuple[str, list[str], list[tuple]]]
Progress = Callable[[str, int], None]


async def copy_database(
    source: Store | PostgresStore, target: Store | PostgresStore, *, progress: Progress | None = None,
) -> dict[str, int]:
    """Copy every row of `source` into the empty database of `target`; rows per table.

    Both must be open stores at the same schema version. StoreError, with words and with
    nothing copied, if the target already holds data, or a value cannot be kept there (a
    NUL character in text, which PostgreSQL refuses). `progress(table, rows_so_far)` is
    called after each batch is read.
    """
    if source is target or (_is_sqlite(source) == _is_sqlite(target) and source.path == target.path):
        raise StoreError("The source and the target of a copy are the same database; nothing was copied.")
    have, want = await _version(source), await _version(target)
    if have != want:
        raise StoreError(
            f"The database at {source.path} is at schema version {have} and the one at {target.path} at "
            f"{want}; open both with the same version of Hotseat first. Nothing was copied."
        )
    # Closed explicitly, so a copy that fails half-way gives back the source's connection at once.
    async with contextlib.aclosing(_read(source)) as rows, contextlib.aclosing(
        _converted(rows, source, to_postgres=not _is_sqlite(target), progress=progress)
    ) as batches:
        if _is_sqlite(target):
            return await _write_sqlite(target, batches)
        return await target.load(batches)


async def migrate(target: str | os.PathLike) -> int:
    """Open the database at `target` (a SQLite path or a postgresql:// URL), which migrates
    it to the latest schema, close it, and return its schema version."""
    from bot.store import open_store

    store = await open_store(target)
    try:
        return await _version(store)
    finally:
        await store.close()


# ------------------------------------------------------------------------------ reading


def _is_sqlite(store: Any) -> bool:
    return isinstance(store, Store)


async def _version(store: Store | PostgresStore) -> int:
    if not _is_sqlite(store):
        return await store.schema_version()

    def read() -> int:
        with _sqlite_connect(store, readonly=True) as conn:
            return conn.execute("PRAGMA user_version").fetchone()[0]

    return await asyncio.to_thread(read)


def _sqlite_connect(store: Store, *, readonly: bool) -> sqlite3.Connection:
    if readonly:
        conn = sqlite3.connect(f"{store.path.as_uri()}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False)
    else:
        conn = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout=5000")  # the store's own connection may be writing
    return conn


def _sqlite_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _quote(column: str) -> str:
    return f'"{column}"'


async def _read(store: Store | PostgresStore) -> Batches:
    if not _is_sqlite(store):
        async with contextlib.aclosing(store.dump(BATCH)) as dump:
            async for item in dump:
                yield item
        return
    conn = _sqlite_connect(store, readonly=True)
    try:
        # One read transaction: every table from the same moment, even while the bot writes.
        await asyncio.to_thread(conn.execute, "BEGIN")
        for table, key in TABLES.items():
            columns = await asyncio.to_thread(_sqlite_columns, conn, table)
            cursor = await asyncio.to_thread(
                conn.execute, f"SELECT {', '.join(map(_quote, columns))} FROM {table} ORDER BY {key}"
            )
            while rows := await asyncio.to_thread(cursor.fetchmany, BATCH):
                yield table, columns, rows
    finally:
        conn.close()


async def _converted(
    batches: Batches, source: Store | PostgresStore, *, to_postgres: bool, progress: Progress | None,
) -> Batches:
    """The rows in the target's types (flags as booleans or 0/1); a NUL character bound for
    PostgreSQL is refused here, naming its row, rather than by the server."""
    done: dict[str, int] = {}
    async for table, columns, rows in batches:
        flags = [i for i, c in enumerate(columns) if (table, c) in _FLAGS]
        if flags or to_postgres:
            out = []
            for row in rows:
                row = list(row)
                for i in flags:
                    if row[i] is not None:
                        row[i] = bool(row[i]) if to_postgres else int(row[i])
                if to_postgres and any(isinstance(v, str) and "\x00" in v for v in row):
                    key = [c.strip('"') for c in TABLES[table].split(", ")]
                    where = ", ".join(f"{c}={row[columns.index(c)]!r}" for c in key)
                    raise StoreError(
                        f"A row of {table} in {source.path} ({where}) holds a NUL character (\\x00), which "
                        "PostgreSQL cannot store; nothing was copied. Remove it from that row and copy again."
                    )
                out.append(tuple(row))
            rows = out
        done[table] = done.get(table, 0) + len(rows)
        if progress is not None:
            progress(table, done[table])
        yield table, columns, rows


# ------------------------------------------------------------------------------ writing


async def _write_sqlite(target: Store, batches: Batches) -> dict[str, int]:
    """Insert the batches into the target file in one transaction, after checking it is empty."""
    conn = _sqlite_connect(target, readonly=False)
    counts = {t: 0 for t in TABLES}
    try:
        await asyncio.to_thread(conn.execute, "BEGIN IMMEDIATE")
        try:
            held = {}
            for table in TABLES:
                n = (await asyncio.to_thread(conn.execute, f"SELECT COUNT(*) FROM {table}")).fetchone()[0]
                if n:
                    held[table] = n
            if held:
                raise StoreError(
                    f"The Hotseat database at {target.path} already holds data "
                    f"({', '.join(f'{n} {t}' for t, n in held.items())}); nothing was copied. "
                    "Copy only into a new, empty database."
                )
            known = {t: set(await asyncio.to_thread(_sqlite_columns, conn, t)) for t in TABLES}
            async for table, columns, rows in batches:
                if table not in known or not set(columns) <= known[table]:
                    raise StoreError(f"The table {table} of {target.path} does not have the columns {columns}.")
                sql = (f"INSERT INTO {table} ({', '.join(map(_quote, columns))})"
                       f" VALUES ({', '.join('?' * len(columns))})")
                await asyncio.to_thread(conn.executemany, sql, rows)
                counts[table] += len(rows)
            await asyncio.to_thread(conn.execute, "COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as e:
        raise StoreError(f"Could not copy into the Hotseat database at {target.path}: {e}; nothing was copied.") from e
    finally:
        conn.close()
    return counts
