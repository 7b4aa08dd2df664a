"""Where sessions, turns, hints and debriefs are kept: SQLite by default (sqlite), or
PostgreSQL for several processes on one database (postgres), chosen by ``open_store``."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

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
)

if TYPE_CHECKING:
    from bot.store.postgres import PostgresStore
    from bot.store.sqlite import Store

__all__ = [
    "SCORE_DIMENSIONS",
    "ActiveSessionExists",
    "Closing",
    "DrillSchedule",
    "DuplicateTurn",
    "ExportRow",
    "InboxRow",
    "PersonaTotals",
    "ScoreRow",
    "ScoreTotals",
    "SessionNotActive",
    "SessionRecord",
    "StaleSession",
    "StoreError",
    "TeamTotals",
    "is_postgres_url",
    "open_store",
]

# `Path("postgresql://h/db")` reads back as "postgresql:/h/db": a URL that went through a
# Path (as --db values may) is still recognised, and its "//" restored.
_PG_URL = re.compile(r"^(postgres(?:ql)?):/+", re.IGNORECASE)


def is_postgres_url(target: str | os.PathLike) -> bool:
    """True for a ``postgresql://`` or ``postgres://`` database URL."""
    return bool(_PG_URL.match(os.fspath(target)))


async def open_store(target: str | os.PathLike) -> "Store | PostgresStore":
    """Open the database at `target`: PostgreSQL for a postgresql:// (or postgres://) URL,
    else the SQLite file at that path. asyncpg is imported only for PostgreSQL."""
    text = os.fspath(target)
    if is_postgres_url(text):
        from bot.store.postgres import PostgresStore

        if not text.lower().startswith(("postgresql://", "postgres://")):
            text = _PG_URL.sub(lambda m: m.group(1) + "://", text, count=1)
        return await PostgresStore.open(text)
    from bot.store.sqlite import Store

    return await Store.open(target)
