"""`hotseat db migrate` and `hotseat db copy`, as an operator moving an installation from its
SQLite file to PostgreSQL runs them: real processes, a real SQLite file and the suite's
PostgreSQL server. After the copy, the same export comes out of either database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.store import open_store
from test_db_copy import fill

ROOT = Path(__file__).resolve().parents[1]


def hotseat(*args: str, db: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "HOTSEAT_DB"} | {"PYTHONPATH": str(ROOT)}
    if db is not None:
        env["HOTSEAT_DB"] = db
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


async def test_an_installation_moves_from_sqlite_to_postgresql_and_exports_the_same(tmp_path, pg_url) -> None:
    sqlite_file = tmp_path / "hotseat.sqlite3"
    async with await open_store(sqlite_file) as s:
        await fill(s)
    before = hotseat("export", "--workspace", "T1", "--turns", "--db", str(sqlite_file))
    assert before.returncode == 0 and before.stdout.count("\n") > 5

    copied = hotseat("db", "copy", "--from", str(sqlite_file), "--to", pg_url)
    assert copied.returncode == 0, copied.stderr
    assert "hotseat: copied" in copied.stderr and "11 sessions" in copied.stderr and "Traceback" not in copied.stderr

    after = hotseat("export", "--workspace", "T1", "--turns", db=pg_url)  # HOTSEAT_DB, as a deployment sets it
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout

    again = hotseat("db", "copy", "--from", str(sqlite_file), "--to", pg_url)  # never over existing data
    assert again.returncode != 0 and "Traceback" not in again.stderr
    assert "already" in again.stderr.lower()

    back = tmp_path / "back.sqlite3"
    assert hotseat("db", "copy", "--from", pg_url, "--to", str(back)).returncode == 0
    assert hotseat("export", "--workspace", "T1", "--turns", "--db", str(back)).stdout == before.stdout


async def test_migrate_reports_the_schema_version_and_never_shows_a_password(tmp_path, pg_url) -> None:
    done = hotseat("db", "migrate", "--db", pg_url)
    assert done.returncode == 0 and "is at schema version 6" in done.stderr
    done = hotseat("db", "migrate", "--db", str(tmp_path / "new.sqlite3"))
    assert done.returncode == 0 and "is at schema version 6" in done.stderr and (tmp_path / "new.sqlite3").exists()

    wrong = "postgresql://hotseat:s3cret@127.0.0.1:1/hotseat"  # nothing listens on port 1
    failed = hotseat("db", "migrate", "--db", wrong)
    assert failed.returncode != 0 and "Traceback" not in failed.stderr
    assert "Cannot open the Hotseat database" in failed.stderr and "s3cret" not in failed.stderr + failed.stdout
