"""Export a workspace's ended sessions, with their scores, as CSV or JSON Lines.

For leads who take the numbers into a spreadsheet or their own tools. Rows are streamed
from the store a page at a time and written as they come, so an export of any size holds
one page in memory. Only ended sessions are exported (their numbers no longer change), in
the order they started.

Columns, in this order (``EXPORT_COLUMNS``; the JSONL keys are the same; empty cells are
``null`` in JSONL):

=================  ==========================================================================
session_id         Hotseat's id of the session
started_at         when it started, ISO 8601 in UTC (``2026-11-30T21:06:27Z``)
ended_at           when it ended, same format
workspace          Slack team / Discord server id, or ``local``
channel            where it was played
platform           ``console``, ``slack`` or ``discord``
user               the trainee's platform id
user_name          their display name when the session started
persona_id         the customer played
persona_name       its name, if the persona is still loaded (else empty)
difficulty         its difficulty, 1-5, if still loaded (else empty)
outcome            ``resolved``, ``escalated``, ``customer_left`` or ``unfinished``
end_reason         e.g. ``terminal``, ``ended``, ``timed_out``, ``turn_cap``
score              the debrief score, 0-100 (empty if the session was closed unscored)
turns              the trainee's replies
hints              hints asked for
empathy .. closing the six dimension scores, 0-100, in DIMENSIONS order (empty if not scored)
transcript         only with ``include_turns``, last: in CSV one ``N. Trainee: ...`` and one
                   ``N. Customer: ...`` line per turn (N from 1); in JSONL a list of
                   ``{"index", "trainee", "customer", "labels", "state", "mood"}`` (index from 1)
=================  ==========================================================================

CSV is written with the csv module (RFC 4180 quoting, so commas, quotes and newlines in
what trainees typed stay inside their cell), UTF-8, with a byte order mark when ``bom``
is set so Excel opens it as UTF-8. Any text cell starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return gets a leading apostrophe, so a spreadsheet never runs what a
trainee typed as a formula. JSONL is one JSON object a line, UTF-8, never with a BOM.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
from typing import Any, AsyncIterator, TextIO

from bot.persona.library import Library
from bot.store.records import SCORE_DIMENSIONS, ExportRow
from bot.store.sqlite import Store

__all__ = ["EXPORT_COLUMNS", "FORMATS", "TRANSCRIPT_COLUMN", "export", "iso"]

EXPORT_COLUMNS: tuple[str, ...] = (
    "session_id", "started_at", "ended_at", "workspace", "channel", "platform", "user", "user_name",
    "persona_id", "persona_name", "difficulty", "outcome", "end_reason", "score", "turns", "hints",
    *SCORE_DIMENSIONS,
)
TRANSCRIPT_COLUMN = "transcript"  # last, only with include_turns
FORMATS: tuple[str, ...] = ("csv", "jsonl")
PAGE = 500  # sessions read from the store at a time
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def iso(ts: float | None) -> str:
    """Unix seconds as ISO 8601 UTC with a Z, to the second; '' for None."""
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _seconds(value: float | dt.datetime | None) -> float | None:
    if value is None or isinstance(value, (int, float)):
        return value
    if value.tzinfo is None:  # a naive datetime is taken as UTC, like every time here
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def _safe(cell: Any) -> Any:
    """Neutralise a spreadsheet formula: text starting with = + - @ (or tab, CR) gets a '."""
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


def _record(row: ExportRow, library: Library | None) -> dict[str, Any]:
    persona = library.personas.get(row.persona_id) if library is not None else None
    return {
        "session_id": row.session_id,
        "started_at": iso(row.started_at),
        "ended_at": iso(row.ended_at),
        "workspace": row.workspace,
        "channel": row.channel,
        "platform": row.platform,
        "user": row.user,
        "user_name": row.user_name,
        "persona_id": row.persona_id,
        "persona_name": persona.name if persona else None,
        "difficulty": persona.difficulty if persona else None,
        "outcome": row.outcome,
        "end_reason": row.end_reason,
        "score": row.score,
        "turns": row.turns,
        "hints": row.hints,
        **{d: row.dimensions.get(d) for d in SCORE_DIMENSIONS},
    }


async def _rows(store: Store, workspace: str, **filters: Any) -> AsyncIterator[ExportRow]:
    after = 0
    while True:
        page = await store.export_page(workspace, after=after, limit=PAGE, **filters)
        for row in page:
            yield row
        if len(page) < PAGE:
            return
        after = page[-1].session_id


async def export(
    store: Store,
    workspace: str,
    out: TextIO | str | os.PathLike,
    *,
    fmt: str = "csv",
    since: float | dt.datetime | None = None,
    until: float | dt.datetime | None = None,
    user: str | None = None,
    include_turns: bool = False,
    bom: bool = False,
    library: Library | None = None,
) -> int:
    """Write the workspace's ended sessions to `out` and return how many were written.

    `out` is a text stream (open it with ``newline=""`` and UTF-8 for CSV) or a path,
    written as UTF-8. `since`/`until` bound the end time: since <= ended_at < until, as
    unix seconds or datetimes (naive ones are UTC). `user` keeps one trainee's sessions.
    `bom` (CSV only) starts the file with a UTF-8 byte order mark. `library` fills
    persona_name and difficulty. Raises ValueError for an unknown `fmt`.
    """
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use one of: {', '.join(FORMATS)}.")
    if not hasattr(out, "write"):
        with open(os.fspath(out), "w", encoding="utf-8", newline="") as f:
            return await export(store, workspace, f, fmt=fmt, since=since, until=until, user=user,
                                include_turns=include_turns, bom=bom, library=library)
    rows = _rows(store, workspace, since=_seconds(since), until=_seconds(until), user=user, with_turns=include_turns)
    n = 0
    if fmt == "csv":
        if bom:
            out.write("\ufeff")
        writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        header = EXPORT_COLUMNS + ((TRANSCRIPT_COLUMN,) if include_turns else ())
        writer.writerow(header)
        async for row in rows:
            cells = ["" if v is None else _safe(v) for v in _record(row, library).values()]
            if include_turns:
                cells.append(_safe("\n".join(
                    f"{t.index}. {who}: {text}"
                    for t in row.transcript or () for who, text in (("Trainee", t.trainee), ("Customer", t.customer))
                )))
            writer.writerow(cells)
            n += 1
        return n
    async for row in rows:
        record = _record(row, library)
        if include_turns:
            record[TRANSCRIPT_COLUMN] = [
                {"index": t.index, "trainee": t.trainee, "customer": t.customer, "labels": list(t.labels),
                 "state": t.state, "mood": t.mood}
                for t in row.transcript or ()
            ]
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        n += 1
    return n
